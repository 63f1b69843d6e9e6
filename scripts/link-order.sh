#!/usr/bin/env bash
# Regenerates link/python-phase.order: the functions of alembic-rs that run
# while Python runs env.py, which build.rs asks the linker to place first
# and together (docs/performance.md, "Peak memory").
#
# Why: every env.py command peaks while Python and SQLAlchemy are loaded.
# The code alembic-rs runs in that phase (the pyo3 glue, the DB-API, sqlx,
# the bundled SQLite, the static path) is ~1.3 MB, but spread over the
# 7 MB .text each page fault maps 64 KB around it, ~5 MB resident in all.
# Placed together it stays ~1.5 MB.
#
# How: valgrind's callgrind runs representative commands on a small
# generated project (SQLite, PostgreSQL, MariaDB, offline), dumping its
# counts when `python::env::run_env` is entered: what runs before that is
# given back by src/python/residency.rs; the union of the functions run from
# there to the exit (on any thread), most widely used first, is the order
# file. Mangled names are stable
# across edits of a function's body, so the file goes stale slowly; names
# that no longer exist are ignored by the linker. Rerun after large
# changes to what the Python phase calls. A plain `cargo build --release`
# and a build with the tests resolve the same features (Cargo.toml pins
# the one the dev-dependencies would add), so the names fit both. Needs:
# valgrind, the release
# build, .venv-host (scripts/test-env.sh), PostgreSQL and MariaDB up.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

cargo build --release --bin alembic-rs
exe=$root/target/release/alembic-rs
work=$(mktemp -d)
trap 'rm -rf "$work"; psql -q -h 127.0.0.1 -U root -d postgres -c "DROP DATABASE IF EXISTS link_order" >/dev/null 2>&1 || true; mysql -h 127.0.0.1 -u root -e "DROP DATABASE IF EXISTS link_order" >/dev/null 2>&1 || true' EXIT

python3 ../shared/bench/gen_repo.py --out "$work/p" --n 4 >/dev/null
psql -q -h 127.0.0.1 -U root -d postgres -c "DROP DATABASE IF EXISTS link_order" -c "CREATE DATABASE link_order"
mysql -h 127.0.0.1 -u root -e "DROP DATABASE IF EXISTS link_order; CREATE DATABASE link_order"

export VIRTUAL_ENV=$root/.venv-host
sqlite=sqlite:///$work/p/db.sqlite
n=0
profile() { # url, alembic-rs arguments...
    local url=$1
    shift
    n=$((n + 1))
    (cd "$work/p" && DATABASE_URL=$url valgrind --tool=callgrind --demangle=no \
        --dump-before='_ZN10alembic_rs6python3env7run_env*' \
        --callgrind-out-file="$work/cg.$n" "$exe" "$@" >/dev/null 2>&1) || true
    # cg.N.1 holds what ran before run_env, cg.N the rest
    mv "$work/cg.$n" "$work/phase.$n"
    rm -f "$work/cg.$n".*
    echo "profiled: $* ($url)" >&2
}

# SQLite `current` needs a database at head: upgrade once unprofiled
(cd "$work/p" && DATABASE_URL=$sqlite "$exe" upgrade head >/dev/null 2>&1)
profile "$sqlite" current
(cd "$work/p" && DATABASE_URL=$sqlite "$exe" downgrade base >/dev/null 2>&1)
for url in "$sqlite" postgresql://root@127.0.0.1/link_order mysql+pymysql://root@127.0.0.1/link_order; do
    profile "$url" upgrade head
    profile "$url" current
    profile "$url" downgrade base
    profile "$url" stamp head
    profile "$url" check
done
profile postgresql://root@127.0.0.1/link_order upgrade head --sql
profile "$sqlite" upgrade head --sql

# the functions of alembic-rs's own object each run called, in the order
# the runs were profiled (their priority): functions are grouped by which
# runs use them, those of the first run (SQLite `current`, the start-up
# case, where alembic-rs's peak is closest to Alembic's) first, so each
# command's code stays as contiguous as the others allow
for f in "$work"/phase.*; do
    callgrind_annotate --threshold=100 "$f" 2>/dev/null |
        grep -F "[$exe]" |
        sed -E "s/.*:([^ :]+) \\[.*/\\1/; s/'[0-9]+\$//" |
        grep -E '^[A-Za-z_][A-Za-z0-9_.$]*$' |
        sort -u >"$f.functions"
done
wc -l "$work"/phase.*.functions | sed "s|$work/||" >&2
python3 - "$work" >link/python-phase.order <<'PY'
import pathlib, sys
work = pathlib.Path(sys.argv[1])
runs = sorted(work.glob("phase.*.functions"), key=lambda p: int(p.name.split(".")[1]))
used = {}
for i, run in enumerate(runs):
    for name in run.read_text().split():
        used.setdefault(name, [0] * len(runs))[i] = 1
for name in sorted(used, key=lambda n: ([-b for b in used[n]], n)):
    print(name)
PY
wc -l link/python-phase.order
