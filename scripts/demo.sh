#!/usr/bin/env bash
# The main job on the bundled example project: build alembic-rs and show the
# example's migration history. Needs only cargo; no Python, no database.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
./target/release/alembic-rs history --verbose
./target/release/alembic-rs heads
