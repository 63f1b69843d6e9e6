#!/usr/bin/env bash
# Batch mode ("move and copy") parity of the shim against real Alembic 1.20.1.
#   tests/batch/run.sh [-v] [case ...]     shim vs Alembic, case by case
#   tests/batch/run.sh --e2e [binary]      a project with batch revisions run by
#                                          the alembic-rs binary (default
#                                          target/release/alembic-rs) and by Alembic
# Needs .venv-oracle and .venv-host (scripts/test-env.sh creates them).
# BATCH_JOBS sets how many worker processes run at once (default 4);
# BATCH_TRACE=1 prints worker tracebacks; BATCH_KEEP=1 keeps the databases.
set -euo pipefail
cd "$(dirname "$0")/../.."
py=.venv-oracle/bin/python
if ! "$py" -c 'import alembic, sqlalchemy; assert alembic.__version__ == "1.20.1"' 2>/dev/null \
    || ! .venv-host/bin/python -c 'import sqlalchemy' 2>/dev/null; then
    bash scripts/test-env.sh >/dev/null
fi
if [ "${1:-}" = "--e2e" ]; then
    exec "$py" tests/batch/batch_parity.py --e2e "${2:-target/release/alembic-rs}"
fi
exec "$py" tests/batch/batch_parity.py "$@"
