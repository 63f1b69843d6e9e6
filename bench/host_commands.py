#!/usr/bin/env python3
"""The env.py commands through alembic-rs and real Alembic, in one run.

A benchmark, not a test: it prints wall times, ratios (Alembic / alembic-rs),
CPU time and peak RSS of each tool, and checks the results where that is
cheap (MISMATCH when they differ). Projects come from
../shared/bench/gen_repo.py (linear histories; its env.py takes the database
URL from DATABASE_URL, which this script sets for every run).

Cases (--quick keeps only the 1,000-revision ones):

  startup     `current` on a 3-revision project, next to
              `python -c 'import sqlalchemy'` (the floor of any env.py run)
  stamp       `stamp head` on an empty SQLite database, 1,000 / 10,000
  current     `current` on that database (stamped at head), 1,000 / 10,000
  upgrade     `upgrade head` from an empty database, 1,000, SQLite,
              PostgreSQL and MariaDB/MySQL (a fresh database per tool, created
              and dropped here; MySQL through the `mariadb`/`mysql` client)
  downgrade   `downgrade base` from head, 1,000, on the databases the
              upgrade case left (PostgreSQL; --downgrade-db for SQLite too)
  offline     `upgrade head --sql`, 1,000, PostgreSQL URL (SQLite batch
              operations need a live database in --sql mode, in both tools)
  incremental `upgrade head` with one pending revision out of 5,000, on
              PostgreSQL: a database gets the schema of head-1 (Alembic's own
              `upgrade <head-1> --sql`, applied with psql, version table
              dropped); each tool in turn runs `stamp <head-1>` (timed too)
              and `upgrade head` on it, and Alembic's `downgrade -1` plus
              dropping the version table puts it back between the tools
              (copies from a template database cost minutes of PostgreSQL
              I/O for a schema this size). SQLite is left out: building that
              schema there means running 4,999 batch migrations online.

Warm-up: each tool first runs `current` on the 3-revision project (starts
the interpreter, imports SQLAlchemy, pulls both virtualenvs into the page
cache), then `heads` on every generated project before anything on it is
timed (reads every revision file; Alembic writes their .pyc files,
alembic-rs its metadata cache). Cases that take seconds also get one untimed
run of the timed command itself and report the median of --runs runs; the
migrations of 1,000+ revisions, and Alembic's `current` at 10,000, run once.

Peak RSS is the child's own ru_maxrss (os.wait4), so it is per run.
PYTHONDONTWRITEBYTECODE is removed from the tools' environment: a real
project has its .pyc files. The projects and SQLite files live in /dev/shm
(when present) so that fsync does not stand in for either tool; --tmp
changes that. The binary is copied before the first run, so a concurrent
`cargo build` cannot swap it mid-run.

    python3 bench/host_commands.py [--quick] [--runs 3] [--downgrade-db postgresql sqlite mysql]
                                   [--upgrade-db sqlite postgresql mysql] [--no-mysql]
                                   [--skip CASE ...] [--stat min] [--scale 0.01]
"""
import argparse
import os
import re
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEN = os.path.normpath(os.path.join(ROOT, "..", "shared", "bench", "gen_repo.py"))
TARGETS = {("current", 10000): 50, ("upgrade", 1000): 3, ("incremental", 5000): 20}
# upgrade 1,000 has the same 3x target on every database
# files changed less than this long ago are not stored in alembic-rs's cache
RACY_SECS = 2.5

ARGS = None
T0 = time.perf_counter()
ROWS = []        # printed at the end
FAILURES = []    # (case, tool, rc, stderr tail)


# ---------------------------------------------------------------- running

class Run:
    def __init__(self, wall, cpu, rss_kb, rc, out, err):
        self.wall, self.cpu, self.rss_kb, self.rc, self.out, self.err = wall, cpu, rss_kb, rc, out, err


def run(argv, cwd, env):
    """Runs argv; wall time, user+sys CPU and peak RSS of that child alone."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        p = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss, p.returncode,
                   out.read().decode(errors="replace"), err.read().decode(errors="replace"))


class Tool:
    def __init__(self, name, argv, env):
        self.name, self.argv, self.env = name, argv, env

    def __call__(self, args, cwd, url=None):
        env = dict(self.env)
        if url:
            env["DATABASE_URL"] = url
        return run(self.argv + args, cwd, env)


def tail(text, n=12):
    lines = text.rstrip().splitlines()
    return "\n".join(lines[-n:])


def report_failure(case, tool, r):
    FAILURES.append((case, tool.name, r.rc, tail(r.err)))
    print(f"    {tool.name} FAILED (rc={r.rc}):")
    for line in tail(r.err).splitlines():
        print(f"      | {line}")


def timed(case, tool, args, cwd, url=None, runs=1, warmup=False, before=None, after=None):
    """Median over runs (each preceded by before(), followed by after());
    None when a run fails."""
    if warmup:
        if before:
            before()
        r = tool(args, cwd, url)
        if after:
            after()
        if r.rc != 0:
            report_failure(case, tool, r)
            return None
    results = []
    for _ in range(runs):
        if before:
            before()
        r = tool(args, cwd, url)
        if r.rc != 0:
            report_failure(case, tool, r)
            return None
        results.append(r)
        if after:
            after()
    print(f"    {tool.name:<10} {' '.join(args):<22} wall " + " ".join(f"{r.wall:.3f}" for r in results)
          + " s; cpu " + " ".join(f"{r.cpu:.2f}" for r in results)
          + " s; maxrss " + " ".join(f"{r.rss_kb / 1024:.0f}" for r in results) + " MB"
          + (" (after a warm-up run)" if warmup else ""), flush=True)
    stat = min if ARGS.stat == "min" else statistics.median
    med = Run(stat(r.wall for r in results), stat(r.cpu for r in results),
              max(r.rss_kb for r in results), 0, results[-1].out, results[-1].err)
    med.n = len(results)
    return med


def section(title):
    print(f"[+{time.perf_counter() - T0:.0f} s] {title}", flush=True)


def row(case, a, r, check, target=None):
    ROWS.append((case, a, r, check, target))


# ---------------------------------------------------------------- databases

def psql(sql, db="postgres", file=None):
    argv = ["psql", "-h", ARGS.pg_host, "-p", str(ARGS.pg_port), "-U", ARGS.pg_user, "-d", db,
            "-v", "ON_ERROR_STOP=1", "-X", "-q", "-A", "-t"]
    argv += ["-f", file] if file else ["-c", sql]
    # statement by statement without waiting for the WAL flush of each commit
    env = dict(os.environ, PGOPTIONS="-c synchronous_commit=off")
    p = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL, env=env)
    if p.returncode != 0:
        raise RuntimeError(f"psql failed: {p.stderr.strip()}")
    return p.stdout


PG_DBS = []


def pg_create(name):
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{name}"')
    if name not in PG_DBS:
        PG_DBS.append(name)
    return f"postgresql+psycopg2://{ARGS.pg_user}@{ARGS.pg_host}:{ARGS.pg_port}/{name}"


def pg_drop_all():
    t = time.perf_counter()
    for name in PG_DBS:
        try:
            psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except RuntimeError as e:
            print(f"warning: {e}")
    print(f"[+{time.perf_counter() - T0:.0f} s] dropped {len(PG_DBS)} databases in {time.perf_counter() - t:.1f} s")


PG_SCHEMA = """
select 'col', table_name, column_name, data_type, coalesce(character_maximum_length::text, ''),
       coalesce(numeric_precision::text, '') || ',' || coalesce(numeric_scale::text, ''),
       is_nullable, coalesce(column_default, '')
  from information_schema.columns where table_schema = 'public'
union all
select 'idx', tablename, indexname, indexdef, '', '', '', '' from pg_indexes where schemaname = 'public'
union all
select 'con', conrelid::regclass::text, conname, pg_get_constraintdef(oid), '', '', '', ''
  from pg_constraint where connamespace = 'public'::regnamespace
"""


def pg_versions(db):
    if not psql("select to_regclass('public.alembic_version')", db).strip():
        return None
    return sorted(psql("select version_num from alembic_version", db).split())


def pg_schema(db):
    t = time.perf_counter()
    rows = sorted(psql(PG_SCHEMA, db).splitlines())
    print(f"    (schema of {db}: {len(rows)} rows in {time.perf_counter() - t:.1f} s)", flush=True)
    return rows


def sqlite_versions(path):
    con = sqlite3.connect(path)
    try:
        return sorted(v for (v,) in con.execute("select version_num from alembic_version"))
    except sqlite3.OperationalError:
        return None
    finally:
        con.close()


def sqlite_schema(path):
    """sqlite_master, each statement's lines sorted: Alembic's batch "move
    and copy" orders constraints by hash seed, so only the set is stable."""
    con = sqlite3.connect(path)
    try:
        rows = con.execute("select type, name, tbl_name, sql from sqlite_master where name not like 'sqlite_%'")
        return sorted((t, n, tb, tuple(sorted(l.strip().rstrip(",").strip() for l in (sql or "").splitlines())))
                      for t, n, tb, sql in rows)
    finally:
        con.close()


def compare(label_pairs):
    """[(what, alembic value, rs value)] -> check text."""
    bad = [what for what, a, r in label_pairs if a != r]
    return "same " + ", ".join(w for w, _, _ in label_pairs) if not bad else "MISMATCH " + ", ".join(bad)


def mysql(sql, db=None):
    client = shutil.which("mariadb") or shutil.which("mysql") or "mysql"
    argv = [client, f"-h{ARGS.mysql_host}", f"-P{ARGS.mysql_port}", f"-u{ARGS.mysql_user}",
            "-N", "-B", "-e", sql] + ([db] if db else [])
    p = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if p.returncode != 0:
        raise RuntimeError(f"mysql failed: {p.stderr.strip()}")
    return p.stdout


MYSQL_DBS = []


def mysql_create(name):
    mysql(f"DROP DATABASE IF EXISTS `{name}`")
    mysql(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    if name not in MYSQL_DBS:
        MYSQL_DBS.append(name)
    return f"mysql+pymysql://{ARGS.mysql_user}@{ARGS.mysql_host}:{ARGS.mysql_port}/{name}"


def mysql_drop_all():
    for name in MYSQL_DBS:
        try:
            mysql(f"DROP DATABASE IF EXISTS `{name}`")
        except RuntimeError as e:
            print(f"warning: {e}")


MYSQL_SCHEMA = """
select 'col', table_name, column_name, column_type, is_nullable, coalesce(column_default, ''), extra
  from information_schema.columns where table_schema = database()
union all
select 'idx', table_name, index_name, group_concat(column_name order by seq_in_index), non_unique, '', ''
  from information_schema.statistics where table_schema = database() group by table_name, index_name, non_unique
union all
select 'fk', table_name, constraint_name, referenced_table_name, delete_rule, update_rule, ''
  from information_schema.referential_constraints where constraint_schema = database()
"""


def mysql_versions(db):
    if not mysql("select table_name from information_schema.tables where table_schema = database()"
                 " and table_name = 'alembic_version'", db).strip():
        return None
    return sorted(mysql("select version_num from alembic_version", db).split())


def mysql_schema(db):
    t = time.perf_counter()
    rows = sorted(mysql(MYSQL_SCHEMA, db).splitlines())
    print(f"    (schema of {db}: {len(rows)} rows in {time.perf_counter() - t:.1f} s)", flush=True)
    return rows


DB_CHECKS = {
    "sqlite": (sqlite_versions, sqlite_schema),
    "postgresql": (pg_versions, pg_schema),
    "mysql": (mysql_versions, mysql_schema),
}


# ---------------------------------------------------------------- projects

PROJECTS = {}


def project(tools, tmp, n):
    """The n-revision project, generated and warmed up once."""
    if n not in PROJECTS:
        proj, head, generated = generate(tmp, n)
        warm_project(tools, proj, generated)
        PROJECTS[n] = (proj, head)
    return PROJECTS[n]


def generate(tmp, n):
    proj = os.path.join(tmp, f"p{n}")
    t = time.perf_counter()
    p = subprocess.run([sys.executable, GEN, "--out", proj, "--n", str(n)],
                       check=True, capture_output=True, text=True)
    head = re.search(r"\(head (\w+)\)", p.stdout).group(1)
    print(f"  generated {n} revisions in {time.perf_counter() - t:.1f} s (head {head})", flush=True)
    return proj, head, time.time()


def down_revision(proj, rev):
    vdir = os.path.join(proj, "alembic", "versions")
    for f in os.listdir(vdir):
        if f.startswith(rev + "_"):
            with open(os.path.join(vdir, f)) as fh:
                return re.search(r"^down_revision: .*= '(\w+)'", fh.read(), re.M).group(1)
    raise RuntimeError(f"no file for {rev}")


def warm_project(tools, proj, generated):
    # files this fresh would not be cached by alembic-rs yet
    time.sleep(max(0.0, RACY_SECS - (time.time() - generated)))
    for tool in tools:
        r = tool(["heads"], proj)
        if r.rc != 0:
            report_failure("warm-up heads", tool, r)


# ---------------------------------------------------------------- cases

def case_startup(tools, tmp):
    alembic, rs = tools
    section("startup: `current` on a 3-revision project" + (" (warm-up only)" if "startup" in ARGS.skip else ""))
    proj, head, _ = generate(tmp, 3)
    url = "sqlite:///" + os.path.join(tmp, "startup.db")
    alembic(["stamp", "head"], proj, url)
    if "startup" in ARGS.skip:  # still the warm-up
        for tool in tools:
            tool(["current"], proj, url)
        return
    a = timed("startup", alembic, ["current"], proj, url, runs=ARGS.runs, warmup=True)
    r = timed("startup", rs, ["current"], proj, url, runs=ARGS.runs, warmup=True)
    check = compare([("stdout", a.out, r.out)]) if a and r else "-"
    row("current, 3 revs (startup floor)", a, r, check)
    host_py = os.path.join(ARGS.venv, "bin", "python")
    imp = Tool("import sqlalchemy", [host_py, "-c", "import sqlalchemy"], tools[1].env)
    i = timed("startup", imp, [], proj, runs=ARGS.runs, warmup=True)
    imp2 = Tool("python -c pass", [host_py, "-c", "pass"], tools[1].env)
    b = timed("startup", imp2, [], proj, runs=ARGS.runs, warmup=True)
    if i and b:
        print(f"    floor: `python -c 'import sqlalchemy'` ({ARGS.venv}) {i.wall * 1000:.0f} ms wall,"
              f" {i.cpu * 1000:.0f} ms cpu; bare `python -c pass` {b.wall * 1000:.0f} ms", flush=True)
    return i


def case_stamp_current(tools, tmp, n):
    alembic, rs = tools
    if "current" in ARGS.skip:
        return
    proj, head = project(tools, tmp, n)
    heavy = n >= 10000
    dbs = {}
    section(f"stamp head, {n} revisions (empty SQLite database per tool)")
    res = {}
    for tool in tools:
        path = os.path.join(tmp, f"cur{n}_{tool.name}.db")
        dbs[tool.name] = path
        url = "sqlite:///" + path

        def fresh(path=path):
            if os.path.exists(path):
                os.remove(path)
        res[tool.name] = timed(f"stamp {n}", tool, ["stamp", "head"], proj, url, runs=1, before=fresh)
    a, r = res["alembic"], res["alembic-rs"]
    va, vr = sqlite_versions(dbs["alembic"]), sqlite_versions(dbs["alembic-rs"])
    check = compare([("version rows", va, vr)]) if a and r else "-"
    if va != [head]:
        check += f" (alembic left {va}, expected [{head}])"
    row(f"stamp head, {n} revs, sqlite", a, r, check)

    section(f"current, {n} revisions (database stamped at head)")
    res = {}
    for tool in tools:
        url = "sqlite:///" + dbs[tool.name]
        slow = heavy and tool.name == "alembic"
        res[tool.name] = timed(f"current {n}", tool, ["current"], proj, url,
                               runs=1 if slow else ARGS.runs, warmup=not slow)
    a, r = res["alembic"], res["alembic-rs"]
    check = compare([("stdout", a.out, r.out)]) if a and r else "-"
    row(f"current, {n} revs, sqlite", a, r, check, TARGETS.get(("current", n)))


def ordered(tools):
    """(alembic, alembic-rs), or the other way round with --rs-first: on a
    database server the first run can pay for the second (InnoDB purge and
    file deletion run on after a client is done)."""
    return tools[::-1] if ARGS.rs_first else tools


def case_migrate(tools, tmp, n, pg_ok, mysql_ok=False):
    """upgrade head from empty (SQLite, PostgreSQL, MySQL), downgrade base, --sql."""
    alembic, rs = tools
    if not {"upgrade", "offline"} - set(ARGS.skip):
        return
    proj, head = project(tools, tmp, n)
    left = {}  # db kind -> {tool: (db handle, upgraded ok)}

    kinds = [] if "upgrade" in ARGS.skip else [
        k for k in ("sqlite", "postgresql", "mysql")
        if k in ARGS.upgrade_db and {"postgresql": pg_ok, "mysql": mysql_ok}.get(k, True)]
    for kind in kinds:
        section(f"upgrade head from empty, {n} revisions, {kind}")
        res, dbs = {}, {}
        for tool in ordered(tools):
            if kind == "sqlite":
                path = os.path.join(tmp, f"up{n}_{tool.name}.db")
                if os.path.exists(path):
                    os.remove(path)
                url, dbs[tool.name] = "sqlite:///" + path, path
            else:
                name = f"alembic_rs_bench_{os.getpid()}_up{n}_{tool.name.replace('-', '_')}"
                create = pg_create if kind == "postgresql" else mysql_create
                url, dbs[tool.name] = create(name), name
            res[tool.name] = (timed(f"upgrade {n} {kind}", tool, ["upgrade", "head"], proj, url), url)
        (a, _), (r, _) = res["alembic"], res["alembic-rs"]
        vers, schema = DB_CHECKS[kind]
        check = "-"
        if a and r:
            check = compare([("version rows", vers(dbs["alembic"]), vers(dbs["alembic-rs"])),
                             ("schema", schema(dbs["alembic"]), schema(dbs["alembic-rs"]))])
        row(f"upgrade head, {n} revs, {kind}", a, r, check, TARGETS.get(("upgrade", n)))
        left[kind] = {t: (dbs[t], res[t][1], res[t][0] is not None) for t in res}

    for kind in ARGS.downgrade_db:
        if kind not in left or "downgrade" in ARGS.skip:
            continue
        section(f"downgrade base, {n} revisions, {kind} (from the upgrade case's databases)")
        res = {}
        for tool in ordered(tools):
            db, url, ok = left[kind][tool.name]
            if not ok:
                print(f"    {tool.name}: skipped, its upgrade failed")
                res[tool.name] = None
                continue
            res[tool.name] = timed(f"downgrade {n} {kind}", tool, ["downgrade", "base"], proj, url)
        a, r = res["alembic"], res["alembic-rs"]
        check = "-"
        if a and r:
            vers, schema = DB_CHECKS[kind]
            da, dr = left[kind]["alembic"][0], left[kind]["alembic-rs"][0]
            check = compare([("version rows", vers(da), vers(dr)), ("schema", schema(da), schema(dr))])
        row(f"downgrade base, {n} revs, {kind}", a, r, check)

    if "offline" in ARGS.skip:
        return
    section(f"upgrade head --sql, {n} revisions (offline, PostgreSQL URL)")
    url = f"postgresql+psycopg2://{ARGS.pg_user}@{ARGS.pg_host}:{ARGS.pg_port}/alembic_rs_bench_offline"
    a = timed(f"offline {n}", alembic, ["upgrade", "head", "--sql"], proj, url)
    r = timed(f"offline {n}", rs, ["upgrade", "head", "--sql"], proj, url)
    check = "-"
    if a and r:
        check = compare([("stdout", a.out, r.out)])
        if a.out != r.out:
            al, rl = a.out.splitlines(), r.out.splitlines()
            k = next((i for i, (x, y) in enumerate(zip(al, rl)) if x != y), min(len(al), len(rl)))
            print(f"    first difference at line {k + 1}:\n      alembic:    {al[k] if k < len(al) else '<end>'}"
                  f"\n      alembic-rs: {rl[k] if k < len(rl) else '<end>'}")
    row(f"upgrade head --sql, {n} revs", a, r, check)


def case_incremental(tools, tmp, n):
    alembic, rs = tools
    proj, head = project(tools, tmp, n)
    prev = down_revision(proj, head)
    section(f"incremental upgrade, {n} revisions, one pending ({prev} -> {head}), postgresql")
    t = time.perf_counter()
    sql = alembic(["upgrade", prev, "--sql"], proj,
                  f"postgresql+psycopg2://{ARGS.pg_user}@{ARGS.pg_host}:{ARGS.pg_port}/x")
    if sql.rc != 0:
        report_failure("incremental setup (alembic --sql)", alembic, sql)
        return
    sql_file = os.path.join(tmp, "head-1.sql")
    with open(sql_file, "w") as f:
        # statement by statement (autocommit): one transaction over thousands
        # of tables runs out of max_locks_per_transaction
        f.write("".join(l for l in sql.out.splitlines(True) if l.strip() not in ("BEGIN;", "COMMIT;")))
    t_sql = time.perf_counter() - t
    name = f"alembic_rs_bench_{os.getpid()}_inc{n}"
    url = pg_create(name)
    psql(None, name, file=sql_file)
    psql("DROP TABLE alembic_version", name)
    print(f"  database {name}: schema of {prev}, no version table, built in"
          f" {time.perf_counter() - t:.1f} s ({t_sql:.1f} s of it Alembic's --sql)", flush=True)

    def reset():
        """Back to the schema of head-1 without a version table (Alembic's
        downgrade, untimed); a bad reset would show in the schema check."""
        r = alembic(["downgrade", "-1"], proj, url)
        if r.rc != 0:
            report_failure("incremental reset (alembic downgrade -1)", alembic, r)
            return False
        if pg_versions(name) != [prev]:
            print(f"    reset left {pg_versions(name)}, expected [{prev}]")
        psql("DROP TABLE alembic_version", name)
        return True

    stamps, stamped, ups, after = {}, {}, {}, {}
    for tool in tools:
        stamps[tool.name] = timed(f"stamp {n}", tool, ["stamp", prev], proj, url)
        if stamps[tool.name] is None:
            break
        stamped[tool.name] = pg_versions(name)
        # alembic-rs is repeated: `downgrade -1` (its own, untimed) between runs
        repeat = tool.name == "alembic-rs"
        back = (lambda tool=tool: tool(["downgrade", "-1"], proj, url)) if repeat else None
        ups[tool.name] = timed(f"incremental {n}", tool, ["upgrade", "head"], proj, url,
                               runs=ARGS.runs if repeat else 1, warmup=repeat, after=back)
        if ups[tool.name] is None:
            break
        if repeat:
            tool(["upgrade", "head"], proj, url)  # back at head for the checks
        after[tool.name] = (pg_versions(name), pg_schema(name))
        if tool is alembic and not reset():
            break
    a, r = stamps.get("alembic"), stamps.get("alembic-rs")
    check = "-"
    if a and r:
        check = compare([("version rows", stamped["alembic"], stamped["alembic-rs"])])
        if stamped["alembic"] != [prev]:
            check += f" (alembic left {stamped['alembic']}, expected [{prev}])"
    row(f"stamp <head-1>, {n} revs, postgresql", a, r, check)
    a, r = ups.get("alembic"), ups.get("alembic-rs")
    check = "-"
    if a and r:
        check = compare([("version rows", after["alembic"][0], after["alembic-rs"][0]),
                         ("schema", after["alembic"][1], after["alembic-rs"][1])])
    row(f"upgrade head, 1 of {n} pending, postgresql", a, r, check, TARGETS.get(("incremental", n)))


# ---------------------------------------------------------------- main

def scaled(n):
    return max(3, int(n * ARGS.scale))


def fmt_s(x):
    return "-" if x is None else (f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s")


def print_table():
    print()
    hdr = (f"{'case':<44}{'alembic':>10}{'alembic-rs':>12}{'ratio':>8}{'target':>8}  "
           f"{'cpu a':>8}{'cpu rs':>8}{'cpu ratio':>10}{'rss a':>8}{'rss rs':>8}  {'runs':>5}  check")
    print(hdr)
    print("-" * (len(hdr) + 20))
    for case, a, r, check, target in ROWS:
        ratio = f"{a.wall / r.wall:.1f}x" if a and r else "-"
        tgt = f">={target}x" if target else ""
        if target and a and r:
            tgt += "" if a.wall / r.wall >= target else " MISSED"
        runs = f"{a.n if a else '-'}/{r.n if r else '-'}"
        print(f"{case:<44}{fmt_s(a and a.wall):>10}{fmt_s(r and r.wall):>12}{ratio:>8}{tgt:>8}  "
              f"{fmt_s(a and a.cpu):>8}{fmt_s(r and r.cpu):>8}"
              f"{(f'{a.cpu / r.cpu:.1f}x' if a and r else '-'):>10}"
              f"{(f'{a.rss_kb / 1024:.0f} MB' if a else '-'):>8}{(f'{r.rss_kb / 1024:.0f} MB' if r else '-'):>8}"
              f"  {runs:>5}  {check}")
    print(f"wall and cpu (user+sys of the child) are the {ARGS.stat} of the runs; rss is the largest"
          " per-run peak (ru_maxrss); ratio = alembic wall / alembic-rs wall; runs = alembic/alembic-rs")


def main():
    global ARGS
    ap = argparse.ArgumentParser(description="env.py commands: alembic-rs vs Alembic")
    ap.add_argument("--quick", action="store_true", help="only the 1,000-revision cases")
    ap.add_argument("--runs", type=int, default=3, help="timed runs of the cheap cases (median)")
    ap.add_argument("--skip", nargs="+", default=[],
                    choices=["startup", "current", "upgrade", "downgrade", "offline", "incremental"],
                    help="leave cases out (current: stamp and current; downgrade needs upgrade)")
    ap.add_argument("--stat", choices=["median", "min"], default="median",
                    help="which of the runs to report (min is steadier on a busy machine)")
    ap.add_argument("--downgrade-db", nargs="+", choices=["postgresql", "sqlite", "mysql"],
                    default=["postgresql"],
                    help="where to time `downgrade base` (SQLite costs as much as its upgrade)")
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "alembic-rs"))
    ap.add_argument("--alembic", default=os.path.join(ROOT, ".venv-oracle", "bin", "alembic"))
    ap.add_argument("--venv", default=os.path.join(ROOT, ".venv-host"), help="VIRTUAL_ENV for alembic-rs")
    ap.add_argument("--tmp", default="/dev/shm" if os.path.isdir("/dev/shm") else None,
                    help="where projects and SQLite files go")
    ap.add_argument("--scale", type=float, default=1.0,
                    help="multiply every revision count (a smoke test: --scale 0.01)")
    ap.add_argument("--pg-host", default="127.0.0.1")
    ap.add_argument("--pg-port", type=int, default=5432)
    ap.add_argument("--pg-user", default="root")
    ap.add_argument("--upgrade-db", nargs="+", choices=["sqlite", "postgresql", "mysql"],
                    default=["sqlite", "postgresql", "mysql"],
                    help="where to time `upgrade head` from empty")
    ap.add_argument("--rs-first", action="store_true",
                    help="run alembic-rs before Alembic in the upgrade/downgrade cases")
    ap.add_argument("--mysql-host", default="127.0.0.1")
    ap.add_argument("--mysql-port", type=int, default=3306)
    ap.add_argument("--mysql-user", default="root")
    ap.add_argument("--no-mysql", action="store_true", help="leave out the MariaDB/MySQL upgrade")
    ARGS = ap.parse_args()

    print("reproduce: (cd " + shlex.quote(ROOT) + " && python3 bench/host_commands.py"
          + "".join(" " + shlex.quote(a) for a in sys.argv[1:]) + ")")
    for path in (GEN, ARGS.alembic, ARGS.venv):
        if not os.path.exists(path):
            sys.exit(f"missing {path} (bash scripts/test-env.sh; ../shared/bench/gen_repo.py)")
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="alembic-rs-host-bench-", dir=ARGS.tmp) as tmp:
        # a private copy of the binary: a concurrent rebuild cannot swap it mid-run
        binary = os.path.join(tmp, "alembic-rs")
        for attempt in range(60):
            try:
                shutil.copy2(ARGS.bin, binary)
                v = subprocess.run([binary, "--version"], capture_output=True, text=True)
                if v.returncode == 0:
                    break
            except OSError:
                pass
            print("  waiting for target/release/alembic-rs (being rebuilt?)", flush=True)
            time.sleep(10)
        else:
            sys.exit(f"cannot run {ARGS.bin}")
        base_env = dict(os.environ)
        for k in ("PYTHONDONTWRITEBYTECODE", "DATABASE_URL", "VIRTUAL_ENV", "ALEMBIC_RS_NO_CACHE",
                  "PYTHONHASHSEED"):
            base_env.pop(k, None)
        rs_env = dict(base_env, VIRTUAL_ENV=ARGS.venv, ALEMBIC_RS_CACHE_DIR=os.path.join(tmp, "cache"))
        alembic = Tool("alembic", [ARGS.alembic], base_env)
        rs = Tool("alembic-rs", [binary], rs_env)
        tools = (alembic, rs)
        av = subprocess.run([ARGS.alembic, "--version"], capture_output=True, text=True).stdout.strip()
        print(f"{v.stdout.strip()} ({ARGS.bin}, mtime {time.ctime(os.path.getmtime(ARGS.bin))});"
              f" {av} ({ARGS.alembic}); VIRTUAL_ENV={ARGS.venv}")
        print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start; work dir {tmp}")

        pg_ok = True
        try:
            psql("select 1")
        except (RuntimeError, OSError) as e:
            pg_ok = False
            print(f"PostgreSQL at {ARGS.pg_host}:{ARGS.pg_port} unavailable, its cases are skipped: {e}")
        mysql_ok = not ARGS.no_mysql
        if mysql_ok:
            try:
                mysql("select 1")
            except (RuntimeError, OSError) as e:
                mysql_ok = False
                print(f"MariaDB/MySQL at {ARGS.mysql_host}:{ARGS.mysql_port} unavailable, its case is"
                      f" skipped: {e}")
        print(flush=True)
        try:
            case_startup(tools, tmp)
            case_stamp_current(tools, tmp, scaled(1000))
            case_migrate(tools, tmp, scaled(1000), pg_ok, mysql_ok)
            if not ARGS.quick:
                case_stamp_current(tools, tmp, scaled(10000))
                if pg_ok and "incremental" not in ARGS.skip:
                    case_incremental(tools, tmp, scaled(5000))
        except KeyboardInterrupt:
            print("interrupted")
        finally:
            if pg_ok:
                pg_drop_all()
            if mysql_ok:
                mysql_drop_all()
    print_table()
    if FAILURES:
        print("\nfailures:")
        for case, tool, rc, err in FAILURES:
            print(f"  {case}: {tool} exited {rc}")
            for line in err.splitlines():
                print(f"    | {line}")
    print(f"\ntotal {time.perf_counter() - start:.0f} s; load average {os.getloadavg()[0]:.1f} at the end")


main()
