#!/usr/bin/env bash
# The main job on the bundled example project, from a fresh machine: a
# virtualenv with SQLAlchemy beside alembic.ini (.venv, which alembic-rs
# finds by itself), the release build, then `upgrade head` and `current`
# against the default SQLite database (proxie.db beside alembic.ini).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! .venv/bin/python -c 'import sqlalchemy' 2>/dev/null; then
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check 'sqlalchemy>=2,<3'
fi
cargo build --release --quiet
./target/release/alembic-rs upgrade head
./target/release/alembic-rs current --verbose
