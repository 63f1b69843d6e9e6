#!/usr/bin/env bash
# The test command: prepare the oracle and databases, then run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/test-env.sh
bash scripts/realworld-env.sh
export ALEMBIC_RS_ORACLE_PYTHON="$PWD/.venv-oracle/bin/python"
# Keep the metadata cache of test projects out of the home directory.
export ALEMBIC_RS_CACHE_DIR="$PWD/target/test-cache"
if cargo nextest --version >/dev/null 2>&1; then
    cargo nextest run --release --no-fail-fast
    # The release-sensitive tests again under SQLAlchemy 2.0.x.
    bash scripts/test-sqlalchemy-versions.sh
else
    cargo test --release --no-fail-fast
fi
