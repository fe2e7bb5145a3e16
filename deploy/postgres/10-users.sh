#!/bin/sh
# postgres image init hook (docker-entrypoint-initdb.d): creates hedgeflow's restricted users,
# the read-only reader (reader.sql, password HEDGEFLOW_READER_PASSWORD) and the dealer's
# (dealer.sql, password HEDGEFLOW_DEALER_DB_PASSWORD).
set -eu
for user in reader dealer; do
  case "$user" in
    reader) password="$HEDGEFLOW_READER_PASSWORD" ;;
    dealer) password="$HEDGEFLOW_DEALER_DB_PASSWORD" ;;
  esac
  psql --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v "${user}_password=$password" \
    -f "/docker-entrypoint-initdb.d/$user.sql.in"
done
