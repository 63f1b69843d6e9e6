#!/usr/bin/env python3
"""The graph commands through alembic-rs and real Alembic, in one run.

Generates projects with ../shared/bench/gen_repo.py (N revisions, linear and
branched), runs `heads`, `history`, `branches` and `show head` through both
tools, checks that stdout is identical (after sorting the lines Alembic
orders by hash seed) and prints median wall times and the ratio.

    python3 bench/graph_commands.py [--sizes 1000 10000] [--runs 5]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEN = os.path.join(ROOT, "..", "shared", "bench", "gen_repo.py")
COMMANDS = [["heads"], ["history"], ["branches"], ["show", "head"]]
TARGETS = {1000: 30, 10000: 100}


def timed(argv, cwd, runs):
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        p = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
        out = (p.returncode, p.stdout)
    return statistics.median(times), min(times), out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "alembic-rs"))
    ap.add_argument("--alembic", default=os.path.join(ROOT, ".venv-oracle", "bin", "alembic"))
    args = ap.parse_args()
    if not os.path.exists(GEN):
        sys.exit(f"missing {GEN}")
    print(f"{'project':<22}{'command':<12}{'alembic':>10}{'alembic-rs':>12}{'ratio':>9}  same output")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            for branched in (False, True):
                name = f"{n}{'-branched' if branched else '-linear'}"
                proj = os.path.join(tmp, name)
                subprocess.run([sys.executable, GEN, "--out", proj, "--n", str(n)]
                               + (["--branches"] if branched else []),
                               check=True, capture_output=True)
                for cmd in COMMANDS:
                    runs = args.runs if n < 10000 else max(2, args.runs // 2)
                    a_med, _, a_out = timed([args.alembic] + cmd, proj, runs)
                    r_med, _, r_out = timed([args.bin] + cmd, proj, runs)
                    same = a_out[0] == r_out[0] and sorted(a_out[1].splitlines()) == sorted(r_out[1].splitlines())
                    print(f"{name:<22}{' '.join(cmd):<12}{a_med:>9.3f}s{r_med * 1000:>10.1f}ms"
                          f"{a_med / r_med:>8.0f}x  {'yes' if same else 'NO'}")
    print("targets: " + ", ".join(f">= {t}x at {n} revisions" for n, t in TARGETS.items()))


main()
