-- The dealer's database user (`HEDGEFLOW__DATABASE__URL` of the `dealer` service): it stores the
-- quotes it signs and its taker profiles, and nothing else. It owns nothing and may create
-- nothing; its rights on the tables it uses are granted by the orchestrator after each migration
-- (`Store::connect`, the list in activities/src/store/dealer.rs), since the tables do not exist
-- yet when the database is first created. Run as the owner of the schema (the `hedgeflow` user):
--   psql -v dealer_password="$HEDGEFLOW_DEALER_DB_PASSWORD" -f dealer.sql
-- docker-compose.temporal.yml runs it through 10-users.sh when the database is first created.
\set ON_ERROR_STOP on
CREATE ROLE hedgeflow_dealer LOGIN PASSWORD :'dealer_password';
GRANT USAGE ON SCHEMA public TO hedgeflow_dealer;
REVOKE CREATE ON SCHEMA public FROM hedgeflow_dealer;
