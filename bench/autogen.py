#!/usr/bin/env python3
"""`check` and `revision --autogenerate` through alembic-rs and real Alembic.

A benchmark, not a test: it prints wall and CPU time per run, the ratio
(Alembic / alembic-rs) and whether the two tools' outputs are the same
(MISMATCH otherwise).

The project is generated here: a declarative models module of --tables
tables (default 1,000; 5-12 columns each of mixed types - String(n),
Integer, BigInteger, Numeric, Boolean, DateTime(timezone=True), Text, JSON -
nullable and not, server defaults, foreign keys to earlier tables, indexes
plain and unique, multi-column indexes and unique constraints, under a
naming convention), an env.py in the generic template's shape that takes
the URL from DATABASE_URL, and one empty baseline revision. The models are
created in a fresh database with `metadata.create_all` (the oracle
virtualenv's Python and driver) and the database is stamped at the
baseline; then three cases run, each tool in its own copy of the project
against that one database (neither command writes to a database that has
its version table):

  check, no drift       the models as created: `No new upgrade operations
                        detected.` (a wrong answer from Alembic here means a
                        bad generator, and is reported)
  check, drift          the models changed slightly: 3 added columns, 1
                        added table, 1 dropped index, 1 String length change;
                        both tools fail with the list of operations
  revision --autogenerate  the same drift, `-m x --rev-id <fixed>`; the file
                        written by the last run of each tool is compared,
                        ignoring its `Create Date:` line

stdout/stderr are compared with each copy's directory replaced by
<PROJECT>, object addresses in reprs masked and, on PostgreSQL, the runs of Alembic's "Detected sequence
named ... assuming SERIAL" notes sorted (it logs them in hash-seed order). Each command gets one untimed run first (Alembic writes the .pyc
files of the models, alembic-rs its cache), then --runs timed runs, median
reported (--stat min for the fastest). The generated revision file is
deleted before every `revision` run. The binary is copied at start, so a
concurrent `cargo build` cannot change it mid-run.

    python3 bench/autogen.py [--tables 1000] [--dialect postgresql|sqlite|mysql] [--runs 3]
                             [--stat min] [--keep DIR]
"""
import argparse
import itertools
import os
import random
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REV_ID = "ae1f00d5c0de"
BASELINE = "0000baseline"

ARGS = None
ROWS = []
FAILURES = []


# ---------------------------------------------------------------- models

class Col:
    def __init__(self, name, type_src, py_type, nullable, default=None, index=False, unique=False,
                 fk=None):
        self.name, self.type_src, self.py_type = name, type_src, py_type
        self.nullable, self.default, self.index, self.unique, self.fk = nullable, default, index, unique, fk


class Table:
    def __init__(self, name, cols, indexes, uniques):
        self.name, self.cols, self.indexes, self.uniques = name, cols, indexes, uniques


def random_col(rng, name):
    """One non-key column of a random type, nullability and default."""
    kind = rng.choice(["str", "str", "int", "bigint", "num", "bool", "dt", "text", "json"])
    nullable = rng.random() < 0.5
    default = None
    if kind == "str":
        t, py = f"String({rng.choice([20, 32, 50, 64, 100, 200, 255])})", "str"
        if rng.random() < 0.2:
            default = repr(rng.choice(["new", "x", "pending"]))
    elif kind == "int":
        t, py = "Integer", "int"
        if rng.random() < 0.3:
            default = '"0"'
    elif kind == "bigint":
        t, py = "BigInteger", "int"
    elif kind == "num":
        t, py = f"Numeric({rng.choice([10, 12, 18])}, {rng.choice([0, 2, 4])})", "Decimal"
    elif kind == "bool":
        t, py = "Boolean", "bool"
        if rng.random() < 0.6:
            default = "false()"
    elif kind == "dt":
        t, py = "DateTime(timezone=True)", "datetime"
        if rng.random() < 0.5:
            default = 'text("CURRENT_TIMESTAMP")'
    elif kind == "text":
        t, py = "Text", "str"
    else:
        t, py = "JSON", "dict"
    index = kind in ("str", "int", "bigint", "dt") and rng.random() < 0.2
    unique = kind == "str" and not index and rng.random() < 0.05
    return Col(name, t, py, nullable, default, index=index, unique=unique)


def gen_tables(n, seed):
    rng = random.Random(seed)
    tables = []
    for i in range(n):
        name = f"t_{i:04d}"
        cols = [Col("id", rng.choice(["Integer", "BigInteger"]), "int", False)]
        for k in range(rng.randint(4, 11)):
            cols.append(random_col(rng, f"c{k}"))
        if i > 0 and rng.random() < 0.35:
            for k in range(rng.choice([1, 1, 2])):
                target = tables[rng.randrange(len(tables))]
                ondelete = rng.choice([None, None, "CASCADE", "SET NULL"])
                cols.append(Col(f"{target.name}_id{k or ''}", target.cols[0].type_src, "int",
                                ondelete == "SET NULL" or rng.random() < 0.5,
                                index=rng.random() < 0.5, fk=(target.name, ondelete)))
        plain = [c.name for c in cols[1:] if c.type_src not in ("Text", "JSON")]
        indexes, uniques = [], []
        if len(plain) >= 2 and rng.random() < 0.25:
            pair = rng.sample(plain, 2)
            indexes.append((f"ix_{name}_{pair[0]}_{pair[1]}", pair, rng.random() < 0.3))
        if len(plain) >= 2 and rng.random() < 0.1:
            uniques.append(rng.sample(plain, 2))
        tables.append(Table(name, cols, indexes, uniques))
    return tables


def drift(tables, seed):
    """The models a developer changed: 3 added columns, 1 added table, 1
    dropped index, 1 String length change."""
    rng = random.Random(seed + 1)
    n = len(tables)
    for k, i in enumerate((n // 4, n // 2, (3 * n) // 4)):
        tables[i].cols.append(Col(f"added_{k}", "String(40)", "str", True))
    tables.append(Table("t_added", [
        Col("id", "Integer", "int", False),
        Col("label", "String(80)", "str", False, index=True),
        Col("created_at", "DateTime(timezone=True)", "datetime", False, default='text("CURRENT_TIMESTAMP")'),
        Col(f"{tables[0].name}_id", tables[0].cols[0].type_src, "int", True, fk=(tables[0].name, "CASCADE")),
    ], [], []))
    indexed = [(t, c) for t in tables[:n] for c in t.cols if c.index and not c.fk]
    t, c = indexed[rng.randrange(len(indexed))]
    c.index = False
    strings = [(t, c) for t in tables[:n] for c in t.cols if c.type_src.startswith("String(")]
    t, c = strings[rng.randrange(len(strings))]
    c.type_src = f"String({int(c.type_src[7:-1]) + 50})"
    return tables


MODELS_HEAD = '''"""Generated by bench/autogen.py."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import (JSON, BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, MetaData,
                        Numeric, String, Text, UniqueConstraint, false, text)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
'''


def render_models(tables):
    out = [MODELS_HEAD]
    for t in tables:
        out.append(f"\n\nclass {t.name.title().replace('_', '')}(Base):\n    __tablename__ = {t.name!r}\n")
        args = [f"Index({name!r}, {', '.join(map(repr, cols))}{', unique=True' if uq else ''})"
                for name, cols, uq in t.indexes]
        args += [f"UniqueConstraint({', '.join(map(repr, cols))})" for cols in t.uniques]
        if args:
            out.append(f"    __table_args__ = ({', '.join(args)},)\n")
        out.append("\n")
        for i, c in enumerate(t.cols):
            kw = [c.type_src]
            if c.fk:
                target, ondelete = c.fk
                kw.append(f"ForeignKey({target + '.id'!r}" + (f", ondelete={ondelete!r})" if ondelete else ")"))
            if i == 0:
                kw.append("primary_key=True")
            else:
                kw.append(f"nullable={c.nullable}")
            if c.default:
                kw.append(f"server_default={c.default}")
            if c.index:
                kw.append("index=True")
            if c.unique:
                kw.append("unique=True")
            py = f"Optional[{c.py_type}]" if c.nullable else c.py_type
            out.append(f"    {c.name}: Mapped[{py}] = mapped_column({', '.join(kw)})\n")
    return "".join(out)


# ---------------------------------------------------------------- project

ENV_PY = '''"""env.py in the generic template's shape; the URL comes from DATABASE_URL."""
import os
from logging.config import fileConfig

from sqlalchemy import engine_from_config, pool

from alembic import context

import models

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)

target_metadata = models.Base.metadata


def run_migrations_online() -> None:
    options = config.get_section(config.config_ini_section, {})
    options["sqlalchemy.url"] = os.environ["DATABASE_URL"]
    connectable = engine_from_config(options, prefix="sqlalchemy.", poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
'''

ALEMBIC_INI = """[alembic]
script_location = %(here)s/migrations
prepend_sys_path = .
path_separator = os

[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console
qualname =

[logger_sqlalchemy]
level = WARNING
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
datefmt = %H:%M:%S
"""

BASELINE_PY = f'''"""baseline

Revision ID: {BASELINE}
Revises:
Create Date: 2026-01-01 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = {BASELINE!r}
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
'''


def write_project(path, models_src):
    versions = os.path.join(path, "migrations", "versions")
    os.makedirs(versions)
    mako = os.path.join(os.path.dirname(os.path.dirname(ARGS.alembic)), "lib")
    mako = next(os.path.join(d, "alembic", "templates", "generic", "script.py.mako")
                for d, _, _ in os.walk(mako) if d.endswith("site-packages"))
    shutil.copy(mako, os.path.join(path, "migrations", "script.py.mako"))
    files = {"alembic.ini": ALEMBIC_INI, "migrations/env.py": ENV_PY, "models.py": models_src,
             f"migrations/versions/{BASELINE}_baseline.py": BASELINE_PY}
    for name, text in files.items():
        with open(os.path.join(path, name), "w") as f:
            f.write(text)


CREATE_ALL = """
import os, sys, time
sys.path.insert(0, os.getcwd())
import sqlalchemy as sa
import models
t = time.perf_counter()
engine = sa.create_engine(os.environ["DATABASE_URL"])
models.Base.metadata.create_all(engine)
engine.dispose()
print(f"{len(models.Base.metadata.tables)} tables in {time.perf_counter() - t:.1f} s")
"""


# ---------------------------------------------------------------- running

class Run:
    def __init__(self, wall, cpu, rc, out, err):
        self.wall, self.cpu, self.rc, self.out, self.err = wall, cpu, rc, out, err


def run(argv, cwd, env):
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        p = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t
        out.seek(0)
        err.seek(0)
        return Run(wall, ru.ru_utime + ru.ru_stime, os.waitstatus_to_exitcode(status),
                   out.read().decode(errors="replace"), err.read().decode(errors="replace"))


class Tool:
    def __init__(self, name, argv, env, proj):
        self.name, self.argv, self.env, self.proj = name, argv, env, proj

    def __call__(self, args):
        r = run(self.argv + args, self.proj, self.env)
        r.out, r.err = (s.replace(self.proj, "<PROJECT>") for s in (r.out, r.err))
        r.out, r.err = mask_addresses(r.out), sort_serial_notes(mask_addresses(r.err))
        return r


def mask_addresses(text):
    """`check` prints the operations as Python reprs, some naming objects by
    address (`<... object at 0x7f...>`): the digits become `?`."""
    return re.sub(r" at 0x[0-9a-f]+", " at 0x?", text)


SERIAL_NOTE = "INFO  [alembic.ddl.postgresql] Detected sequence named "


def sort_serial_notes(text):
    """Alembic reflects the tables it compares in the order of a set of names
    (hash-seed dependent), and logs a note per SERIAL column as it goes: runs
    of those notes are sorted before the outputs are compared."""
    out = []
    for is_note, group in itertools.groupby(text.split("\n"), lambda l: l.startswith(SERIAL_NOTE)):
        out += sorted(group) if is_note else group
    return "\n".join(out)


def tail(text, n=12):
    return "\n".join(text.rstrip().splitlines()[-n:])


def timed(case, tool, args, expect_rc, before=None):
    """One untimed run, then --runs timed ones, each after before(tool);
    None if a run exits with another code than expect_rc."""
    results = []
    for i in range(ARGS.runs + 1):
        if before:
            before(tool)
        r = tool(args)
        if r.rc != expect_rc:
            FAILURES.append((case, tool.name, r.rc, tail(r.err)))
            print(f"    {tool.name} exited {r.rc} (expected {expect_rc}):")
            for line in tail(r.err).splitlines():
                print(f"      | {line}")
            return None
        if i:
            results.append(r)
    print(f"    {tool.name:<10} wall " + " ".join(f"{r.wall:.2f}" for r in results)
          + " s; cpu " + " ".join(f"{r.cpu:.2f}" for r in results) + " s", flush=True)
    stat = min if ARGS.stat == "min" else statistics.median
    best = Run(stat(r.wall for r in results), stat(r.cpu for r in results), results[-1].rc,
               results[-1].out, results[-1].err)
    return best


def same(pairs):
    bad = [what for what, a, b in pairs if a != b]
    return "same " + ", ".join(w for w, _, _ in pairs) if not bad else "MISMATCH " + ", ".join(bad)


def first_difference(what, a, b):
    al, bl = a.splitlines(), b.splitlines()
    k = next((i for i, (x, y) in enumerate(zip(al, bl)) if x != y), min(len(al), len(bl)))
    if al != bl:
        print(f"    {what}: first difference at line {k + 1}:\n      alembic:    "
              f"{al[k] if k < len(al) else '<end>'}\n      alembic-rs: {bl[k] if k < len(bl) else '<end>'}")


def case(title, tools, args, expect_rc, before=None, extra=None):
    print(f"{title}: {' '.join(args)}", flush=True)
    a = timed(title, tools[0], args, expect_rc, before)
    r = timed(title, tools[1], args, expect_rc, before)
    check = "-"
    if a and r:
        pairs = [("stdout", a.out, r.out), ("stderr", a.err, r.err)] + (extra() if extra else [])
        check = same(pairs)
        for what, x, y in pairs:
            first_difference(what, x, y)
    ROWS.append((title, a, r, check))
    return a


# ---------------------------------------------------------------- databases

def psql(sql):
    argv = ["psql", "-h", ARGS.pg_host, "-p", str(ARGS.pg_port), "-U", ARGS.pg_user, "-d", "postgres",
            "-v", "ON_ERROR_STOP=1", "-X", "-q", "-A", "-t", "-c", sql]
    p = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if p.returncode != 0:
        raise RuntimeError(f"psql failed: {p.stderr.strip()}")


def mysql(sql):
    argv = ["mysql", "-h", ARGS.mysql_host, "-P", str(ARGS.mysql_port), "-u", "root", "-e", sql]
    p = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if p.returncode != 0:
        raise RuntimeError(f"mysql failed: {p.stderr.strip()}")


def database(tmp):
    """(URL, cleanup) of a fresh database."""
    if ARGS.dialect == "sqlite":
        return "sqlite:///" + os.path.join(tmp, "autogen.db"), lambda: None
    name = f"alembic_rs_bench_autogen_{os.getpid()}"
    if ARGS.dialect == "mysql":
        mysql(f"DROP DATABASE IF EXISTS `{name}`; CREATE DATABASE `{name}`")
        return (f"mysql+pymysql://root@{ARGS.mysql_host}:{ARGS.mysql_port}/{name}",
                lambda: mysql(f"DROP DATABASE IF EXISTS `{name}`"))
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{name}"')
    return (f"postgresql+psycopg2://{ARGS.pg_user}@{ARGS.pg_host}:{ARGS.pg_port}/{name}",
            lambda: psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# ---------------------------------------------------------------- main

def fmt_s(x):
    return "-" if x is None else (f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s")


FLOOR = None


def models_import_floor(proj, env):
    """What both tools pay before any autogenerate work: starting Python,
    importing SQLAlchemy and the project's models (env.py imports them).
    Measured with the host virtualenv's Python, warm, like the runs."""
    global FLOOR
    python = os.path.join(ARGS.venv, "bin", "python")
    argv = [python, "-c", "import models"]
    run(argv, proj, env)
    runs = [run(argv, proj, env) for _ in range(ARGS.runs)]
    pick = statistics.median if ARGS.stat == "median" else min
    FLOOR = Run(pick(r.wall for r in runs), pick(r.cpu for r in runs), 0, "", "")


def print_table():
    print()
    hdr = f"{'case':<30}{'alembic':>10}{'alembic-rs':>12}{'ratio':>8}  {'cpu a':>8}{'cpu rs':>8}  check"
    print(hdr)
    print("-" * (len(hdr) + 30))
    for title, a, r, check in ROWS:
        ratio = f"{a.wall / r.wall:.1f}x" if a and r else "-"
        print(f"{title:<30}{fmt_s(a and a.wall):>10}{fmt_s(r and r.wall):>12}{ratio:>8}  "
              f"{fmt_s(a and a.cpu):>8}{fmt_s(r and r.cpu):>8}  {check}")
    print(f"wall and cpu (user+sys of the child) are the {ARGS.stat} of {ARGS.runs} runs after one"
          " untimed run; ratio = alembic wall / alembic-rs wall")
    if FLOOR is None:
        return
    print(f"\nfloor: `python -c 'import models'` takes {fmt_s(FLOOR.wall)} wall, {fmt_s(FLOOR.cpu)} cpu;"
          " both tools pay it. Beyond it (cpu):")
    for title, a, r, _ in ROWS:
        if a and r and r.cpu > FLOOR.cpu:
            rest_a, rest_r = a.cpu - FLOOR.cpu, r.cpu - FLOOR.cpu
            print(f"  {title:<28}alembic {fmt_s(rest_a):>8}  alembic-rs {fmt_s(rest_r):>8}"
                  f"  ratio {rest_a / rest_r:.1f}x")


def main():
    global ARGS
    ap = argparse.ArgumentParser(description="check / revision --autogenerate: alembic-rs vs Alembic")
    ap.add_argument("--tables", type=int, default=1000)
    ap.add_argument("--dialect", choices=["postgresql", "sqlite", "mysql"], default="postgresql")
    ap.add_argument("--runs", type=int, default=3, help="timed runs per command (median)")
    ap.add_argument("--stat", choices=["median", "min"], default="median")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "alembic-rs"))
    ap.add_argument("--alembic", default=os.path.join(ROOT, ".venv-oracle", "bin", "alembic"))
    ap.add_argument("--venv", default=os.path.join(ROOT, ".venv-host"), help="VIRTUAL_ENV for alembic-rs")
    ap.add_argument("--tmp", default="/dev/shm" if os.path.isdir("/dev/shm") else None)
    ap.add_argument("--keep", help="generate the projects here and keep them (and the database)")
    ap.add_argument("--pg-host", default="127.0.0.1")
    ap.add_argument("--pg-port", type=int, default=5432)
    ap.add_argument("--pg-user", default="root")
    ap.add_argument("--mysql-host", default="127.0.0.1", help="MariaDB/MySQL (user root, no password)")
    ap.add_argument("--mysql-port", type=int, default=3306)
    ARGS = ap.parse_args()

    print("reproduce: (cd " + shlex.quote(ROOT) + " && python3 bench/autogen.py"
          + "".join(" " + shlex.quote(a) for a in sys.argv[1:]) + ")")
    for path in (ARGS.alembic, ARGS.venv):
        if not os.path.exists(path):
            sys.exit(f"missing {path} (bash scripts/test-env.sh)")
    tmp = ARGS.keep or tempfile.mkdtemp(prefix="alembic-rs-autogen-bench-", dir=ARGS.tmp)
    os.makedirs(tmp, exist_ok=True)
    cleanup = lambda: None  # noqa: E731
    base_env = {}
    try:
        binary = os.path.join(tmp, "alembic-rs")
        shutil.copy2(ARGS.bin, binary)
        v = subprocess.run([binary, "--version"], capture_output=True, text=True)
        av = subprocess.run([ARGS.alembic, "--version"], capture_output=True, text=True)
        print(f"{v.stdout.strip()} ({ARGS.bin}, mtime {time.ctime(os.path.getmtime(ARGS.bin))});"
              f" {av.stdout.strip()} ({ARGS.alembic}); VIRTUAL_ENV={ARGS.venv}")
        print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start; work dir {tmp}")

        url, cleanup = database(tmp)
        base_env = {k: v for k, v in os.environ.items()
                    if k not in ("PYTHONDONTWRITEBYTECODE", "VIRTUAL_ENV", "ALEMBIC_CONFIG", "PYTHONHASHSEED")}
        base_env["DATABASE_URL"] = url
        tables = gen_tables(ARGS.tables, ARGS.seed)
        before_src = render_models(tables)
        after_src = render_models(drift(tables, ARGS.seed))
        projs = {}
        for name in ("alembic", "alembic-rs"):
            projs[name] = os.path.join(tmp, f"proj-{name}")
            shutil.rmtree(projs[name], ignore_errors=True)
            write_project(projs[name], before_src)
        oracle_py = os.path.join(os.path.dirname(ARGS.alembic), "python")
        t = time.perf_counter()
        p = subprocess.run([oracle_py, "-c", CREATE_ALL], cwd=projs["alembic"], env=base_env,
                           capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit(f"create_all failed:\n{p.stderr}")
        print(f"create_all ({ARGS.dialect}): {p.stdout.strip()}", flush=True)
        alembic = Tool("alembic", [ARGS.alembic], base_env, projs["alembic"])
        rs_env = dict(base_env, VIRTUAL_ENV=ARGS.venv, ALEMBIC_RS_CACHE_DIR=os.path.join(tmp, "cache"))
        rs = Tool("alembic-rs", [binary], rs_env, projs["alembic-rs"])
        st = alembic(["stamp", "head"])
        if st.rc != 0:
            sys.exit(f"stamp failed:\n{st.err}")
        print(f"database ready in {time.perf_counter() - t:.1f} s\n", flush=True)
        tools = (alembic, rs)

        a = case("check, no drift", tools, ["check"], 0)
        if a and "No new upgrade operations detected." not in a.out:
            print(f"    unexpected: Alembic found drift in the models as created:\n{a.out}{tail(a.err)}")

        for proj in projs.values():
            with open(os.path.join(proj, "models.py"), "w") as f:
                f.write(after_src)
        case("check, drift", tools, ["check"], 255)

        def written(tool):
            return os.path.join(tool.proj, "migrations", "versions", f"{REV_ID}_x.py")

        def remove_written(tool):
            if os.path.exists(written(tool)):
                os.remove(written(tool))

        def files():
            texts = []
            for tool in tools:
                try:
                    with open(written(tool)) as f:
                        texts.append("".join(l for l in f.readlines() if not l.startswith("Create Date:")))
                except OSError:
                    texts.append(None)
            return [("revision file", texts[0], texts[1])]

        case("revision --autogenerate", tools, ["revision", "--autogenerate", "-m", "x", "--rev-id", REV_ID],
             0, before=remove_written, extra=files)
        models_import_floor(projs["alembic-rs"], base_env)
    except KeyboardInterrupt:
        print("interrupted")
    finally:
        if ARGS.keep:
            print(f"kept {tmp} and the database (DATABASE_URL={base_env.get('DATABASE_URL')})")
        else:
            cleanup()
            shutil.rmtree(tmp, ignore_errors=True)
    print_table()
    if FAILURES:
        print("\nfailures:")
        for title, tool, rc, err in FAILURES:
            print(f"  {title}: {tool} exited {rc}")
            for line in err.splitlines():
                print(f"    | {line}")


main()
