#!/bin/sh
# Run once by the postgres image on an empty volume. Per service: a database owned by an
# owner role, which runs the migrations (DATABASE_MIGRATION_URL), and a serving role that
# owns nothing (DATABASE_URL); the service grants the serving role its privileges after
# migrating, so it can append to the audit trail but never rewrite it.
set -eu
for service in auth appointment prescription; do
  psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
    -v owner="${service}_owner" -v serving="${service}_service" \
    -v owner_password="$POSTGRES_OWNER_PASSWORD" \
    -v serving_password="$POSTGRES_SERVICE_PASSWORD" \
    -v database="healthcare_${service}" <<'SQL'
CREATE ROLE :"owner" LOGIN PASSWORD :'owner_password';
CREATE ROLE :"serving" LOGIN PASSWORD :'serving_password';
CREATE DATABASE :"database" OWNER :"owner";
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"database" TO :"serving";
\connect :"database"
ALTER SCHEMA public OWNER TO :"owner";
REVOKE ALL ON SCHEMA public FROM PUBLIC;
SQL
done
