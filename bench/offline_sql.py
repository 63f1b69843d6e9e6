#!/usr/bin/env python3
"""`upgrade head --sql` (offline) through alembic-rs and real Alembic, in one run.

A benchmark, not a test: prints wall time per tool, the ratio
(Alembic / alembic-rs), CPU time, and whether the two stdouts are identical
(MISMATCH otherwise). Projects come from ../shared/bench/gen_repo.py (linear
histories, 1,000 and 10,000 revisions by default), generated into /dev/shm
(when present). The database URL is a PostgreSQL one (nothing connects in
--sql mode; SQLite batch operations need a live database in both tools).

Warm-up: each tool runs `heads` on each project first (Alembic writes the
.pyc files of every revision, alembic-rs its metadata cache) and one untimed
`upgrade head --sql`; then --runs timed runs, median reported.

    python3 bench/offline_sql.py [--sizes 1000 10000] [--runs 3] [--rs-only]

Profiling alembic-rs's embedded Python: ALEMBIC_RS_PYPROFILE=<file> makes the
host run env.py under cProfile and write the stats there (pstats format).
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
GEN = os.path.normpath(os.path.join(ROOT, "..", "shared", "bench", "gen_repo.py"))
URL = "postgresql://bench@localhost/bench"


def run(argv, cwd, env):
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        p = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t
        out.seek(0)
        err.seek(0)
        return (wall, ru.ru_utime + ru.ru_stime, os.waitstatus_to_exitcode(status),
                out.read(), err.read().decode(errors="replace"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rs-only", action="store_true")
    ap.add_argument("--keep", help="generate projects here and keep them")
    args = ap.parse_args()

    base = args.keep or tempfile.mkdtemp(prefix="alembic-offline-bench-",
                                         dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    os.makedirs(base, exist_ok=True)
    binary = os.path.join(base, "alembic-rs")
    shutil.copy2(os.path.join(ROOT, "target", "release", "alembic-rs"), binary)
    env = {k: v for k, v in os.environ.items() if k not in ("ALEMBIC_CONFIG", "PYTHONDONTWRITEBYTECODE")}
    env["DATABASE_URL"] = URL
    rs_env = dict(env, VIRTUAL_ENV=os.path.join(ROOT, ".venv-host"))
    oracle = os.environ.get("ALEMBIC_RS_ORACLE_PYTHON", os.path.join(ROOT, ".venv-oracle", "bin", "python"))
    tools = [("alembic-rs", [binary], rs_env)]
    if not args.rs_only:
        tools.append(("alembic", [oracle, "-m", "alembic"], env))

    print("$ " + " ".join([sys.executable] + sys.argv), flush=True)
    rows = []
    try:
        for n in args.sizes:
            proj = os.path.join(base, f"linear_{n}")
            if not os.path.exists(proj):
                subprocess.run([sys.executable, GEN, "--out", proj, "--n", str(n)], check=True,
                               stdout=subprocess.DEVNULL)
                time.sleep(2.5)  # files younger than 2 s are not cached yet
            medians = {}
            outs = {}
            for name, argv, tenv in tools:
                run(argv + ["heads"], proj, tenv)
                warm = run(argv + ["upgrade", "head", "--sql"], proj, tenv)
                if warm[2] != 0:
                    print(f"  {name} {n}: FAILED rc={warm[2]}\n{warm[4][-2000:]}")
                    break
                results = [run(argv + ["upgrade", "head", "--sql"], proj, tenv) for _ in range(args.runs)]
                walls = [r[0] for r in results]
                cpus = [r[1] for r in results]
                medians[name] = statistics.median(walls)
                outs[name] = results[-1][3]
                print(f"  {n:>6} {name:<10} wall " + " ".join(f"{w:.3f}" for w in walls)
                      + " s; cpu " + " ".join(f"{c:.2f}" for c in cpus) + " s", flush=True)
            if len(outs) == 2:
                same = outs["alembic-rs"] == outs["alembic"]
                ratio = medians["alembic"] / medians["alembic-rs"]
                rows.append((n, medians["alembic"], medians["alembic-rs"], ratio, same))
            elif "alembic-rs" in medians:
                rows.append((n, None, medians["alembic-rs"], None, None))
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    print()
    print(f"{'revisions':>9}  {'alembic':>9}  {'alembic-rs':>10}  {'ratio':>7}  stdout")
    for n, a, r, ratio, same in rows:
        a_s = f"{a:.3f}s" if a is not None else "-"
        ratio_s = f"{ratio:.1f}x" if ratio is not None else "-"
        same_s = "-" if same is None else ("identical" if same else "MISMATCH")
        print(f"{n:>9}  {a_s:>9}  {r:>9.3f}s  {ratio_s:>7}  {same_s}")


if __name__ == "__main__":
    main()
