#!/usr/bin/env python3
"""The graph commands through alembic-rs and real Alembic, in one run.

Generates projects with ../shared/bench/gen_repo.py (N revisions, linear and
branched), runs `heads`, `history`, `branches` and `show head` through both
tools, checks that stdout is identical (after sorting the lines Alembic
orders by hash seed) and prints median wall times and the ratios.

alembic-rs is timed twice, with its metadata cache (see
docs/architecture.md, "Metadata cache") kept in a temporary directory:
"cold" runs start with no cache file, so each one reads and parses every
revision file and then writes the cache; "warm" runs find the cache up to
date and only list, stat and read that one file. The ratio targets apply to
warm runs; cold ones are what a first run (or `ALEMBIC_RS_NO_CACHE=1`, minus
the write) costs. Alembic gets its .pyc files (PYTHONDONTWRITEBYTECODE
removed, one untimed run per project), as in a real project.

    python3 bench/graph_commands.py [--sizes 1000 10000] [--runs 5] [--rs-only] [--stat min]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEN = os.path.join(ROOT, "..", "shared", "bench", "gen_repo.py")
COMMANDS = [["heads"], ["history"], ["branches"], ["show", "head"]]
TARGETS = {1000: 30, 10000: 100}


# Files changed less than this long ago are not stored in the cache.
RACY_SECS = 2.5


STAT = statistics.median


def timed(argv, cwd, runs, env=None, before=None):
    times, out = [], None
    for _ in range(runs):
        if before:
            before()
        t = time.perf_counter()
        p = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL, env=env)
        times.append(time.perf_counter() - t)
        out = (p.returncode, p.stdout)
    return STAT(times), min(times), out


def same(a, b):
    return a[0] == b[0] and sorted(a[1].splitlines()) == sorted(b[1].splitlines())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "alembic-rs"))
    ap.add_argument("--alembic", default=os.path.join(ROOT, ".venv-oracle", "bin", "alembic"))
    ap.add_argument("--rs-only", action="store_true", help="time alembic-rs only (no ratios)")
    ap.add_argument("--stat", choices=["median", "min"], default="median",
                    help="which run to report (min is steadier on a busy machine)")
    args = ap.parse_args()
    global STAT
    STAT = min if args.stat == "min" else statistics.median
    if not os.path.exists(GEN):
        sys.exit(f"missing {GEN}")
    print(f"{'project':<22}{'command':<12}{'alembic':>10}{'rs cold':>11}{'rs warm':>11}"
          f"{'ratio cold':>12}{'ratio warm':>12}  same output")
    with tempfile.TemporaryDirectory() as tmp:
        cache = os.path.join(tmp, "cache")
        env = dict(os.environ, ALEMBIC_RS_CACHE_DIR=cache)
        env.pop("ALEMBIC_RS_NO_CACHE", None)
        # Alembic imports every revision; a real project has their .pyc files,
        # so they may be written (one untimed run per project writes them)
        alembic_env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

        def clear_cache():
            shutil.rmtree(cache, ignore_errors=True)

        for n in args.sizes:
            for branched in (False, True):
                name = f"{n}{'-branched' if branched else '-linear'}"
                proj = os.path.join(tmp, name)
                subprocess.run([sys.executable, GEN, "--out", proj, "--n", str(n)]
                               + (["--branches"] if branched else []),
                               check=True, capture_output=True)
                generated = time.time()
                if not args.rs_only:
                    timed([args.alembic, "heads"], proj, 1, alembic_env)
                for cmd in COMMANDS:
                    runs = args.runs if n < 10000 else max(2, args.runs // 2)
                    if args.rs_only:
                        a_med, a_out = float("nan"), None
                    else:
                        a_med, _, a_out = timed([args.alembic] + cmd, proj, runs, alembic_env)
                    # files this fresh would not be cached yet
                    time.sleep(max(0.0, RACY_SECS - (time.time() - generated)))
                    c_med, _, c_out = timed([args.bin] + cmd, proj, runs, env, clear_cache)
                    timed([args.bin] + cmd, proj, 1, env)
                    w_med, _, w_out = timed([args.bin] + cmd, proj, max(runs, 5), env)
                    ok = same(a_out or c_out, c_out) and same(a_out or c_out, w_out)
                    print(f"{name:<22}{' '.join(cmd):<12}{a_med:>9.3f}s{c_med * 1000:>9.1f}ms"
                          f"{w_med * 1000:>9.1f}ms{a_med / c_med:>11.0f}x{a_med / w_med:>11.0f}x"
                          f"  {'yes' if ok else 'NO'}")
    print("targets (warm): " + ", ".join(f">= {t}x at {n} revisions" for n, t in TARGETS.items()))


main()
