#!/usr/bin/env bash
# End-to-end check of the bundled example project (alembic.ini, alembic/ and
# proxie/ at the repository root) with a real database on every backend the
# migrations support:
#
#   SQLite (the default: no DATABASE_URL, proxie.db beside alembic.ini),
#   PostgreSQL and MySQL/MariaDB (DATABASE_URL, a fresh database each),
#   and offline (--sql) upgrade and downgrade scripts for PostgreSQL and MySQL.
#
# On each database: upgrade to 001, insert providers, upgrade head, check the
# data migration (only 'active' providers verified), current, check (no drift
# between proxie.models and the migrated schema), downgrade -1 / upgrade head
# / check again (002's batch downgrade keeps the table intact), downgrade
# base, current (empty), and only alembic_version is left.
#
# Usage: bash tests/oracle/example_project_check.sh
#        ALEMBIC=target/release/alembic-rs bash tests/oracle/example_project_check.sh
# ALEMBIC defaults to the oracle, .venv-oracle/bin/alembic (scripts/test-env.sh
# builds it and starts the databases).  PostgreSQL and MariaDB are reached as
# root on 127.0.0.1 (PGPORT / MYSQL_PORT to change the ports), through their
# command-line clients psql and mariadb (or mysql), and sqlite3 for SQLite.
# Exits non-zero on the first failure; the databases it creates (unique
# names) are dropped on exit, and a proxie.db there before is put back.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

ALEMBIC=${ALEMBIC:-.venv-oracle/bin/alembic}
PGPORT=${PGPORT:-5432}
MYSQL_PORT=${MYSQL_PORT:-3306}
MYSQL_CLIENT=$(command -v mariadb || command -v mysql || true)

db_name="proxie_check_$$_${RANDOM}"
work=$(mktemp -d)
pg_db="" my_db="" saved_db=""

cleanup() {
    status=$?
    set +e
    [ -n "$pg_db" ] && psql -h 127.0.0.1 -p "$PGPORT" -U root -d postgres -qAt \
        -c "DROP DATABASE IF EXISTS $pg_db" >/dev/null
    [ -n "$my_db" ] && "$MYSQL_CLIENT" -h127.0.0.1 -P"$MYSQL_PORT" -uroot \
        -e "DROP DATABASE IF EXISTS $my_db"
    rm -f "$root/proxie.db"
    [ -n "$saved_db" ] && mv "$saved_db" "$root/proxie.db"
    rm -rf "$work"
    if [ "$status" -eq 0 ]; then
        echo "example project check: OK ($ALEMBIC)"
    else
        echo "example project check: FAILED ($ALEMBIC)" >&2
    fi
    exit "$status"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# Runs `$ALEMBIC "$@"`; its stdout is in $out afterwards (and echoed).
alembic() {
    echo "+ alembic $*" >&2
    if ! out=$("$ALEMBIC" "$@" 2>"$work/stderr"); then
        cat "$work/stderr" >&2
        printf '%s\n' "$out"
        fail "alembic $* exited non-zero"
    fi
    [ -n "$out" ] && printf '%s\n' "$out"
    return 0
}

expect_current() {
    alembic current
    [ "$out" = "$1" ] || fail "current printed '$out', expected '$1'"
}

# One full cycle.  $1: label; $2: a command that runs SQL from its stdin and
# prints rows as "a|b"; $3: the SQL for "only alembic_version is left".
cycle() {
    local label=$1 sql=$2 tables_sql=$3
    echo "== $label" >&2
    alembic upgrade 001_add_indexes
    expect_current "001_add_indexes"
    $sql <<'SQL' || fail "$label: insert providers"
INSERT INTO providers (clerk_id, name, email, status) VALUES
  ('user_active', 'Active Plumbing', 'active@example.com', 'active'),
  ('user_pending', 'Pending Electric', 'pending@example.com', 'pending');
SQL
    alembic upgrade head
    local rows
    rows=$($sql <<<"SELECT clerk_id, CASE WHEN verified THEN 'yes' ELSE 'no' END FROM providers ORDER BY clerk_id;") \
        || fail "$label: select providers"
    [ "$rows" = $'user_active|yes\nuser_pending|no' ] \
        || fail "$label: data migration of 002 gave: $rows"
    expect_current "002_provider_verified (head)"
    alembic check
    [ "$out" = "No new upgrade operations detected." ] || fail "$label: check printed '$out'"
    alembic downgrade -1
    expect_current "001_add_indexes"
    alembic upgrade head
    alembic check
    alembic downgrade base
    expect_current ""
    rows=$($sql <<<"$tables_sql") || fail "$label: list tables"
    [ "$rows" = "alembic_version" ] || fail "$label: tables left after downgrade base: $rows"
}

sqlite_sql() { sqlite3 "$root/proxie.db"; }
pg_sql() { psql -h 127.0.0.1 -p "$PGPORT" -U root -d "$pg_db" -qAt -v ON_ERROR_STOP=1; }
my_sql() { "$MYSQL_CLIENT" -h127.0.0.1 -P"$MYSQL_PORT" -uroot -N -B "$my_db" | tr '\t' '|'; }

# -- SQLite, the default URL of alembic.ini ---------------------------------
if [ -e proxie.db ]; then
    saved_db="$work/proxie.db.saved"
    mv proxie.db "$saved_db"
fi
(
    unset DATABASE_URL
    cycle "sqlite (default: proxie.db beside alembic.ini)" sqlite_sql \
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name;"
)
[ -e proxie.db ] || fail "the default database is not $root/proxie.db"
rm -f proxie.db

# -- PostgreSQL ---------------------------------------------------------------
command -v psql >/dev/null || fail "psql not found"
psql -h 127.0.0.1 -p "$PGPORT" -U root -d postgres -qAt -v ON_ERROR_STOP=1 \
    -c "CREATE DATABASE $db_name" >/dev/null || fail "cannot create PostgreSQL database"
pg_db=$db_name
DATABASE_URL="postgresql://root@127.0.0.1:$PGPORT/$pg_db" cycle "postgresql" pg_sql \
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename;"

# -- MySQL / MariaDB ----------------------------------------------------------
[ -n "$MYSQL_CLIENT" ] || fail "mariadb/mysql client not found"
"$MYSQL_CLIENT" -h127.0.0.1 -P"$MYSQL_PORT" -uroot -e "CREATE DATABASE $db_name" \
    || fail "cannot create MySQL database"
my_db=$db_name
DATABASE_URL="mysql+pymysql://root@127.0.0.1:$MYSQL_PORT/$my_db" cycle "mysql" my_sql \
    "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name;"

# -- Offline (--sql): no connection is made ----------------------------------
# Each needle must appear in the generated script.
offline() {
    local label=$1 url=$2 range=$3 needle
    shift 3
    echo "== offline $label: $range" >&2
    if [ "$range" = upgrade ]; then
        DATABASE_URL=$url alembic upgrade head --sql >"$work/offline.sql"
    else
        DATABASE_URL=$url alembic downgrade head:base --sql >"$work/offline.sql"
    fi
    for needle in "$@"; do
        grep -qF -- "$needle" "$work/offline.sql" || fail "offline $label $range: no '$needle'"
    done
}
pg_url="postgresql://root@127.0.0.1:$PGPORT/proxie_offline"
my_url="mysql+pymysql://root@127.0.0.1:$MYSQL_PORT/proxie_offline"
offline postgresql "$pg_url" upgrade \
    "BEGIN;" "CREATE TABLE alembic_version" "CREATE TABLE providers" \
    "CONSTRAINT fk_requests_provider_id_providers FOREIGN KEY(provider_id) REFERENCES providers (id) ON DELETE SET NULL" \
    "CREATE UNIQUE INDEX idx_providers_clerk_id ON providers (clerk_id);" \
    "ALTER TABLE providers ADD COLUMN verified BOOLEAN DEFAULT false NOT NULL;" \
    "UPDATE providers SET verified=true WHERE providers.status = 'active';" \
    "UPDATE alembic_version SET version_num='002_provider_verified'" "COMMIT;"
offline postgresql "$pg_url" downgrade \
    "ALTER TABLE providers DROP COLUMN verified;" "DROP INDEX idx_providers_clerk_id;" \
    "DROP TABLE quotes;" "DELETE FROM alembic_version WHERE alembic_version.version_num = '000_initial_schema';" "COMMIT;"
offline mysql "$my_url" upgrade \
    "CREATE TABLE providers" "CREATE UNIQUE INDEX idx_providers_clerk_id ON providers (clerk_id);" \
    "UPDATE providers SET verified=true WHERE providers.status = 'active';" \
    "UPDATE alembic_version SET version_num='002_provider_verified'"
offline mysql "$my_url" downgrade \
    "ALTER TABLE requests DROP FOREIGN KEY fk_requests_consumer_id_consumers;" \
    "ALTER TABLE requests ADD CONSTRAINT fk_requests_consumer_id_consumers FOREIGN KEY(consumer_id) REFERENCES consumers (id) ON DELETE CASCADE;" \
    "DELETE FROM alembic_version WHERE alembic_version.version_num = '000_initial_schema';"
