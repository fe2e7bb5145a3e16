-- The read-only database user of the hedger API and the ops CLI's reads (`[database] read-url`):
-- SELECT on every table of hedgeflow's schema, those the orchestrator's migrations create later
-- included. Run as the owner of the schema (the `hedgeflow` user), with psql:
--   psql -v reader_password="$HEDGEFLOW_READER_PASSWORD" -f reader.sql
-- docker-compose.temporal.yml runs it through 10-users.sh when the database is first created.
\set ON_ERROR_STOP on
CREATE ROLE hedgeflow_reader LOGIN PASSWORD :'reader_password';
GRANT USAGE ON SCHEMA public TO hedgeflow_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO hedgeflow_reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO hedgeflow_reader;
-- Nothing else: no INSERT, UPDATE, DELETE, no CREATE in the schema.
REVOKE CREATE ON SCHEMA public FROM hedgeflow_reader;
