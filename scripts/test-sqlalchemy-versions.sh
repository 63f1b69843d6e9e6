#!/usr/bin/env bash
# The tests whose outcome depends most on the SQLAlchemy release, run again
# under SQLAlchemy 2.0.10 (2.0 is what most projects with a long Alembic
# history run; Alembic 1.20.1 accepts 2.0 and 2.1, and the main suite runs
# 2.1; an early 2.0 differs most from 2.1 in the internals the shim uses):
# the DB-API driver's typed results (range values included), SQLite/PostgreSQL/MariaDB reflection
# through autogenerate (with the Rust pre-pass), type rendering in `--sql`
# and the static path (foreign key ON DELETE/UPDATE phrases, which 2.0.10
# refuses beyond the five standard actions), the async templates, SQLAlchemy's reading of
# connection URLs (multi-host forms, query coercions). Both sides change release: the
# oracle is .venv-oracle-sa20 (Alembic 1.20.1 on SQLAlchemy 2.0.10) and
# alembic-rs's project venv .venv-host-sa20 (SQLAlchemy 2.0.10 and greenlet),
# both prepared by scripts/test-env.sh. About a minute and a half on two
# cores. Every test binary passed under 2.0.44 as well (by hand, with the
# same two variables and ALEMBIC_RS_ORACLE_PYTHON; see README), and this
# filter under 2.0.25 and 2.0.59 (session 23).
#
# Extra arguments go to cargo nextest (e.g. --no-capture).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/test-env.sh >/dev/null
export ALEMBIC_RS_ORACLE_PYTHON="$PWD/.venv-oracle-sa20/bin/python"
export ALEMBIC_RS_HOST_VENV="$PWD/.venv-host-sa20"
export ALEMBIC_RS_HOST_ASYNC_VENV="$PWD/.venv-host-sa20"
export ALEMBIC_RS_CACHE_DIR="$PWD/target/test-cache"
filter='
  binary(autogen_parity) & test(/^(sqlite_constraint_text|no_changes|type_change|indexes)_(sqlite|postgres|mysql)$/)
| binary(parity_online) & test(/^parity_(result_types|pg_json_results|pg_range_values|linear_sqlite)/)
| binary(templates_online) & test(/^async_(sqlite|postgres|error_context_sqlite)$/)
| binary(parity_extending) & test(/^parity_(run_async|async_outer_context)_sqlite$/)
| binary(parity_extending) & test(/^parity_connect_args$/)
| binary(parity_online) & test(/^parity_(pg_multihost|tls_params)_postgres$/)
| binary(static_offline_parity) & test(/^static_ops_(sqlite|postgresql)$/)
| binary(static_offline_parity) & test(/^static_fk_phrases_(postgresql|mysql)$/)
'
echo "SQLAlchemy $("$ALEMBIC_RS_ORACLE_PYTHON" -c 'import sqlalchemy; print(sqlalchemy.__version__)')"
exec cargo nextest run --release --no-fail-fast -E "$filter" "$@"
