#!/bin/sh
# postgres image init hook (docker-entrypoint-initdb.d): creates the read-only user of
# reader.sql with the password from HEDGEFLOW_READER_PASSWORD.
set -eu
psql --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v reader_password="$HEDGEFLOW_READER_PASSWORD" \
  -f /docker-entrypoint-initdb.d/reader.sql.in
