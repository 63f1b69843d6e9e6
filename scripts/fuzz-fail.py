#!/usr/bin/env python3
"""Randomized differential testing of FAILING migrations: Alembic against
alembic-rs (static path on and off), online and offline, on SQLite,
PostgreSQL and MySQL/MariaDB.

The promise checked: an exception inside upgrade()/downgrade() prints the
same traceback (user frames and final exception line), rolls back what the
database can roll back, leaves the version table true and exits with the
same status, as Alembic does.

A seed draws (generator: stdlib only):
  graph     a linear chain of 3-8 revisions, sometimes a side branch off it
            and their merge (and a revision after the merge), sometimes a
            `depends_on`; each revision owns a table `t_<name>` and does a
            few realistic ops (create_table with a unique constraint,
            add_column, create_index, op.execute INSERT/UPDATE, bulk_insert,
            batch_alter_table on SQLite); its downgrade() undoes them. A
            revision is "plain" (literal op calls only: the static path
            renders it, docs/architecture.md "The static path") or "chatty"
            (prints between ops, helpers, x-arguments: Python runs it);
  env.py    the generic template (URL from $FUZZ_URL) in one transaction
            mode: generic, transaction_per_migration=True,
            transactional_ddl=False, `connection.begin()` opened by env.py
            around run_migrations (two spellings), the async template
            (aiosqlite, asyncpg; on PostgreSQL a SQL error's traceback is
            compared as its project frames and `sqlalchemy.exc` class only:
            alembic-rs's error lines name psycopg2's classes,
            docs/differences.md, the async driver row), an
            env.py catching the exception around run_migrations and
            printing it (then exiting 0, or re-raising); and
            `-x envfail=1` makes env.py raise after configure();
  failure   one injected at a random point of a random revision's upgrade()
            or downgrade(): Python exceptions (ValueError, KeyError, a
            custom class, chained `__cause__` / `__context__`, raised in a
            helper of the revision module or of a helper module beside
            alembic.ini, SystemExit(n) / SystemExit("msg")), SQL errors
            (bad SQL in op.execute, unique / NOT NULL / foreign-key
            violations, DROP of a missing table, an existing index), an
            error inside `op.batch_alter_table()` (SQLite), inside
            `autocommit_block()`, through `op.get_bind().execute(...)`, an
            error caught in a savepoint (`begin_nested()`) and continued,
            and a module-level raise at import. In chatty revisions the
            failure may be skipped with `-x nofail=1`;
  commands  online: `upgrade head` (or, for a downgrade failure, `upgrade
            head` then `downgrade base`) then 3-6 of current, upgrade head /
            +1 / +2 / <failing rev>, downgrade -1 / base / <rev>, stamp
            head / <rev>, `-x nofail=1 upgrade head`, `-x envfail=1 ...`;
            for a module-level raise only upgrade head / <failing rev> and
            `-x envfail=1 upgrade head` (plans that import the failing file:
            alembic-rs imports only the revisions in a command's plan,
            docs/differences.md); offline: `upgrade head --sql`,
            `downgrade head:base --sql`;
  version   from seed 300 (VT_FROM), 70% of cases place the version table
  table     elsewhere: another name (`fzf_versions`, `FzfVersions`),
            `version_table_pk=False`, `version_table_schema` (PostgreSQL:
            the schema `fzf_vs` of the tool's database; MariaDB: the
            database `<database>_vs`, its name taken from the URL in
            env.py); the harness creates and drops the schema, and the
            dump reads the rows from there.

Per command: exit code, stdout, stderr, and online the version table's rows
and the schema and data dump after the command (tests/oracle/schema_dump.py;
on PostgreSQL and SQLite a failing revision's DDL must be rolled back, on
MariaDB it stays, as in Alembic). Normalised, and nothing else: each side's
project directory and database name; traceback frames of Alembic's and
alembic-rs's own modules (and `python -m`'s, pymysql's, and SQLAlchemy's
below the tool's), as scripts/compare-tree.py's drop_tool_frames (imported
from there: the user frames and the final exception line must match,
docs/differences.md); object addresses; warning locations in the tools'
modules; and, as fuzz-env.py does, an output whose lines only differ in
order is reported as ORDER, not counted (Alembic's set orders), and so is
an offline output that Alembic gives under another PYTHONHASHSEED (1-7):
which merge parent's row a downgrade through a merge deletes and which it
updates is Python set order in Alembic (docs/differences.md). Online,
Alembic runs with PYTHONHASHSEED=0; that choice also decides the order of
the version rows, which a later `downgrade -1` from two heads starts from
(seed 119 sqlite, session 19), so when the online sequence differs,
Alembic's run is repeated under PYTHONHASHSEED 1-7 on a fresh database and
a match is ORDER, as in fuzz-env.py.

Usage:
    scripts/fuzz-fail.py gen --seed 7 --dialect postgresql --out /tmp/fzf-p
    .venv-oracle/bin/python scripts/fuzz-fail.py run --seeds 1-20 \\
        [--dialects sqlite,postgresql,mysql] [--no-static0] [--online-only |
        --offline-only] [--keep] [--stop] [--minimise]

  --minimise  for a differing seed, drop commands one by one while the
              difference stays; prints what is left and where the project is
Databases: `fzf_*` (PostgreSQL, MariaDB), /tmp/fzf-*.db (SQLite), dropped
unless --keep.

Runs so far (session 15, 2 cores shared with three other agents, load ~7:
40-120 s a seed x dialect with both static settings): seeds 1-17 on SQLite
and PostgreSQL (1-9 PostgreSQL), 1-25 on MariaDB, 101-118 on SQLite: 76 runs
(each Alembic against alembic-rs with ALEMBIC_RS_STATIC=1 and =0, online and
offline), 76 identical after normalisation (10 with ORDER notes), 1
divergence before the async-driver rule above (seed 103 sqlite: aiosqlite's
frames; normalised, docs/differences.md); plus 39 runs with the failure kind
and env.py mode forced (chatty kinds x generic / no_tddl / own_begin /
own_begin_outer on SQLite and PostgreSQL, the Python kinds added last x
catch_exit0 / tpm on SQLite), one divergence: `autocommit_block()` under
`with engine.begin() as connection:` (Alembic's bare `assert`, alembic-rs
added a message; fixed, fixture fzf_autocommit_outer_begin).
Session 16 (async now also on PostgreSQL, through asyncpg URLs): PostgreSQL
seeds 7, 8, 10-30, 35, 41, 46, 56, 58, 62, 77 (30 runs; ten of them draw
the async template): identical (one ORDER note).
Session 19 (--no-static0, load ~14, ~35 s a run): seeds 116-124 x 3
databases and 125 on SQLite (28 runs): identical but seed 119 sqlite
(`downgrade -1` from two heads started from the other head: Alembic's set
order, ORDER since the online rerun above); with the version table placed
elsewhere, seeds 300-308 x 3 and 309 on SQLite (28 runs, 21 of them with
a renamed table, pk=False or a schema): identical (two ORDER notes).
Session 21 (fz4, --no-static0): seeds 317-322 x 3 databases (18 runs, 10
of them with the version table moved): identical (one ORDER note).
Session 22 (fz5, --no-static0): seeds 323-330 x 3 databases (24 runs, 14
of them with the version table moved): identical (one ORDER note).
Session 23 (sav, --no-static0), other SQLAlchemy releases (ORACLE_PYTHON
and HOST_VENV both the release's oracle venv: with another HOST_VENV the
SQLAlchemy frames' paths differ): 2.0.10 seeds 331-334, 2.0.59 335-336,
x 3 databases (18 runs): identical (one ORDER note).

Environment: ALEMBIC_RS (binary; default target/release/alembic-rs),
ORACLE_PYTHON (default .venv-oracle/bin/python), HOST_VENV (VIRTUAL_ENV for
alembic-rs; default .venv-oracle), PG_URL / MYSQL_URL (as fuzz-ops.py).
"""

import argparse
import importlib.util
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _load(name, file):
    spec = importlib.util.spec_from_file_location(name, os.path.join(ROOT, "scripts", file))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


ops = _load("fuzz_ops", "fuzz-ops.py")
ctree = _load("compare_tree", "compare-tree.py")

PREFIX = "fzf"

# ---------------------------------------------------------------------------
# the spec
# ---------------------------------------------------------------------------

ENV_MODES = ["generic", "tpm", "no_tddl", "own_begin", "own_begin_outer", "async",
             "catch_exit0", "catch_reraise"]
PY_FAILS = ["value_error", "key_error", "custom", "cause", "context", "helper_local",
            "helper_module", "system_exit_int", "system_exit_str", "base_exception",
            "multiline", "note", "bad_str", "assertion", "exit_zero"]
SQL_FAILS = ["bad_sql", "unique", "not_null", "drop_missing", "existing_index"]
CHATTY_FAILS = ["fk", "batch_raise", "batch_missing_col", "autocommit", "bind_execute",
                "savepoint", "module_level", "bulk_dup"]


# Seeds from VT_FROM (session 19) may also place the version table
# elsewhere: another name (a mixed-case one too), version_table_pk=False,
# and version_table_schema: on PostgreSQL a schema of the tool's database
# (VSCHEMA, created by the harness), on MariaDB another database
# (`<database>_vs`, created and dropped by the harness; env.py takes its
# name from the URL). Drawn after everything else, so older seeds draw the
# cases they always drew.
VT_FROM = 300
VSCHEMA = "fzf_vs"
VT_NAMES = ["alembic_version", "fzf_versions", "FzfVersions"]


def rev_id(seed, i):
    return "%04x%02d%06x" % (seed % 0xFFFF, i, (seed * 7919 + i * 104729) % 0xFFFFFF)


def make_spec(seed, dialect):
    rnd = random.Random("fzf-%d-%s" % (seed, dialect))
    n = rnd.randint(3, 8)
    revs = []

    def add(name, down, labels=None):
        revs.append({"name": name, "id": rev_id(seed, len(revs)), "down": down,
                     "labels": labels, "depends": None,
                     "plain": rnd.random() < 0.5, "ops": draw_ops(rnd, dialect)})

    for i in range(1, n + 1):
        add("r%d" % i, ["r%d" % (i - 1)] if i > 1 else [])
    if n >= 3 and rnd.random() < 0.3:
        k = rnd.randint(1, n - 2)
        j = rnd.randint(1, 2)
        for i in range(1, j + 1):
            add("b%d" % i, ["r%d" % k] if i == 1 else ["b%d" % (i - 1)],
                ["side"] if i == 1 and rnd.random() < 0.5 else None)
        add("m", ["r%d" % n, "b%d" % j])
        if rnd.random() < 0.5:
            add("z", ["m"])
        if rnd.random() < 0.4:
            # a main-line revision after the branch point depends on the branch
            revs[rnd.randint(k, n - 1)]["depends"] = "b1"
    elif n >= 3 and rnd.random() < 0.2:
        revs[rnd.randint(2, n - 1)]["depends"] = "r1"
    mode = rnd.choice(ENV_MODES)
    if mode == "async" and dialect == "mysql":
        mode = "generic"
    target = rnd.choice(revs)
    fn = "upgrade" if rnd.random() < 0.65 else "downgrade"
    if not target["plain"] and rnd.random() < 0.4:
        kind = rnd.choice(CHATTY_FAILS)
    else:
        kind = rnd.choice(PY_FAILS + SQL_FAILS)
    if kind in ("fk", "bulk_dup"):
        fn = "upgrade"
    if kind.startswith("batch_") and dialect != "sqlite":
        kind = rnd.choice(["bind_execute", "autocommit", "savepoint"])
    if kind in PY_FAILS and kind not in ("value_error", "key_error", "system_exit_int") \
            and target["plain"]:
        # anything but a bare raise makes the revision chatty anyway
        target["plain"] = False
    nops = len(target["ops"][fn])
    # (after create_table in upgrade, before drop_table in downgrade: the
    # SQL failures name the revision's table)
    pos = rnd.randint(1, nops) if fn == "upgrade" else rnd.randint(0, nops - 1)
    guarded = not target["plain"] and kind != "module_level" and rnd.random() < 0.5
    spec = {"seed": seed, "dialect": dialect, "revs": revs, "mode": mode,
            "tpm": mode not in ("tpm", "async") and rnd.random() < 0.15,
            "failure": {"rev": target["name"], "fn": fn, "kind": kind, "pos": pos,
                        "guarded": guarded}}
    spec["online"] = online_cmds(rnd, spec)
    spec["offline"] = [["upgrade", "head", "--sql"], ["downgrade", "head:base", "--sql"]]
    if guarded and rnd.random() < 0.5:
        spec["offline"].append(["-x", "nofail=1", "upgrade", "head", "--sql"])
    spec["vt"] = None
    if seed >= VT_FROM and rnd.random() < 0.7:
        spec["vt"] = {"table": rnd.choice(VT_NAMES),
                      "schema": dialect != "sqlite" and rnd.random() < 0.6,
                      "pk": rnd.random() < 0.6}
    return spec


def vt_place(spec, ident=None):
    """(version table, version schema) as the dump takes them; on MariaDB
    the schema is a database named after the tool's (ident)."""
    vt = spec.get("vt")
    if not vt:
        return "alembic_version", None
    if not vt["schema"]:
        return vt["table"], None
    return vt["table"], VSCHEMA if spec["dialect"] == "postgresql" else "%s_vs" % ident


def make_vschema(dialect, ident, create=True):
    if dialect == "postgresql":
        if not create:
            return  # dropped with the database
        import psycopg2

        c = psycopg2.connect(host="127.0.0.1", user="postgres", dbname=ident)
        c.autocommit = True
        c.cursor().execute("CREATE SCHEMA %s" % VSCHEMA)
        c.close()
    else:
        import pymysql

        c = pymysql.connect(host="127.0.0.1", user="root", password="")
        c.cursor().execute("DROP DATABASE IF EXISTS %s_vs" % ident)
        if create:
            c.cursor().execute("CREATE DATABASE %s_vs" % ident)
        c.close()


def draw_ops(rnd, dialect):
    up = ["create_table"]
    for o in ("add_column", "create_index", "insert", "update", "bulk_insert"):
        if rnd.random() < 0.45:
            up.append(o)
    if "update" in up and "insert" not in up:
        up.insert(up.index("update"), "insert")
    if dialect == "sqlite" and rnd.random() < 0.3:
        up.append("batch")
    down = []
    if "insert" in up and rnd.random() < 0.5:
        down.append("delete")
    if "create_index" in up:
        down.append("drop_index")
    down.append("drop_table")
    return {"upgrade": up, "downgrade": down}


def online_cmds(rnd, spec):
    f = spec["failure"]
    ids = {r["name"]: r["id"] for r in spec["revs"]}
    target = next(r for r in spec["revs"] if r["name"] == f["rev"])
    parent = ids[target["down"][0]] if target["down"] else "base"
    cmds = [["upgrade", "head"]]
    if f["kind"] == "module_level":
        # Alembic imports every revision file under every command that runs
        # env.py, alembic-rs only the revisions in the command's plan
        # (docs/differences.md): keep to plans that include the failing
        # revision (from base, where Alembic's database stays)
        pool = [["upgrade", "head"], ["upgrade", target["id"]],
                ["-x", "envfail=1", "upgrade", "head"]]
        return cmds + [rnd.choice(pool) for _ in range(rnd.randint(3, 6))]
    if f["fn"] == "downgrade":
        cmds += [["current"], ["downgrade", "base"]]
    pool = [["current"], ["upgrade", "head"], ["upgrade", "+1"], ["upgrade", "+2"],
            ["upgrade", target["id"]], ["downgrade", "-1"], ["downgrade", "base"],
            ["downgrade", parent], ["stamp", "head"], ["stamp", parent],
            ["-x", "envfail=1", "upgrade", "head"], ["current", "-v"]]
    if f["guarded"]:
        pool += [["-x", "nofail=1", "upgrade", "head"]] * 3 + [
            ["-x", "nofail=1", "downgrade", "base"]]
    cmds += [rnd.choice(pool) for _ in range(rnd.randint(3, 6))]
    return cmds


# ---------------------------------------------------------------------------
# the project
# ---------------------------------------------------------------------------

INI = ops.INI  # the same project settings and logging as fuzz-ops.py

HELPERS = '''"""Helpers the revisions import (scripts/fuzz-fail.py)."""


class HelperError(Exception):
    pass


def boom(name):
    check(name)


def check(name):
    try:
        {}[name]
    except KeyError as e:
        raise HelperError("helper failed for %s" % name) from e
'''

ENV_HEAD = '''import asyncio
import os
from logging.config import fileConfig

from sqlalchemy import engine_from_config
from sqlalchemy import pool

from alembic import context

# this is the Alembic Config object, which provides
# access to the values within the .ini file in use.
config = context.config

# Interpret the config file for Python logging.
# This line sets up loggers basically.
if config.config_file_name is not None:
    fileConfig(config.config_file_name)

target_metadata = None
# scripts/fuzz-fail.py sets FUZZ_URL per dialect and database.
config.set_main_option("sqlalchemy.url", os.environ["FUZZ_URL"])


def env_check():
    if context.get_x_argument(as_dictionary=True).get("envfail"):
        raise RuntimeError("env.py failed after configure")


def run_migrations_offline() -> None:
    """Run migrations in 'offline' mode."""
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},%(kw)s
    )
    env_check()
%(offline_run)s


'''

RUN_PLAIN = '''    with context.begin_transaction():
        context.run_migrations()'''

RUN_CATCH = '''    try:
        with context.begin_transaction():
            context.run_migrations()
    except Exception as e:
        print("env.py caught:", type(e).__name__, e)%s'''

ONLINE = {
    "plain": '''def run_migrations_online() -> None:
    """Run migrations in 'online' mode."""
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )

    with connectable.connect() as connection:
        context.configure(
            connection=connection, target_metadata=target_metadata%(kw)s
        )
        env_check()
%(run)s
''',
    "own_begin": '''def run_migrations_online() -> None:
    """Run migrations in 'online' mode."""
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )

    with connectable.connect() as connection:
        context.configure(
            connection=connection, target_metadata=target_metadata%(kw)s
        )
        env_check()
        with connection.begin():
            context.run_migrations()
''',
    "own_begin_outer": '''def run_migrations_online() -> None:
    """Run migrations in 'online' mode."""
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )

    with connectable.begin() as connection:
        context.configure(
            connection=connection, target_metadata=target_metadata%(kw)s
        )
        env_check()
        with context.begin_transaction():
            context.run_migrations()
''',
    "async": '''def do_run_migrations(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata%(kw)s)
    env_check()

    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    from sqlalchemy.ext.asyncio import async_engine_from_config

    connectable = async_engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )

    async with connectable.connect() as connection:
        await connection.run_sync(do_run_migrations)

    await connectable.dispose()


def run_migrations_online() -> None:
    """Run migrations in 'online' mode."""

    asyncio.run(run_async_migrations())
''',
}

ENV_TAIL = '''

if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
'''


def env_py(spec):
    mode = spec["mode"]
    kw = ""
    if mode == "tpm" or spec["tpm"]:
        kw += ",\n            transaction_per_migration=True"
    if mode == "no_tddl":
        kw += ",\n            transactional_ddl=False"
    vt = spec.get("vt")
    if vt:
        if vt["table"] != "alembic_version":
            kw += ",\n            version_table=%r" % vt["table"]
        if vt["schema"]:
            kw += ",\n            version_table_schema=%s" % (
                repr(VSCHEMA) if spec["dialect"] == "postgresql"
                else 'make_url(os.environ["FUZZ_URL"]).database + "_vs"')
        if not vt["pk"]:
            kw += ",\n            version_table_pk=False"
    if mode.startswith("catch"):
        tail = "\n        raise" if mode == "catch_reraise" else ""
        off_run = RUN_CATCH % tail
        on_run = "\n".join("    " + x if x else x for x in (RUN_CATCH % tail).split("\n"))
    else:
        off_run = RUN_PLAIN
        on_run = "\n".join("    " + x for x in RUN_PLAIN.split("\n"))
    off_kw = "".join("\n        %s," % x.strip() for x in kw.split(",") if x.strip())
    text = ENV_HEAD % {"kw": off_kw, "offline_run": off_run}
    if "make_url(" in kw:
        text = text.replace("from sqlalchemy import pool\n",
                            "from sqlalchemy import pool\nfrom sqlalchemy.engine import make_url\n")
    body = ONLINE.get(mode, ONLINE["plain"])
    return text + body % {"kw": kw, "run": on_run} + ENV_TAIL


REVISION = '''"""{name}

Revision ID: {rev}
Revises: {down}
Create Date: 2024-01-01 00:00:00.000000

"""
{imports}from alembic import op
import sqlalchemy as sa

{module}
# revision identifiers, used by Alembic.
revision = {rev!r}
down_revision = {down_lit}
branch_labels = {labels!r}
depends_on = {depends!r}


def upgrade() -> None:
{up}


def downgrade() -> None:
{down_body}
'''


def op_lines(o, t, dialect):
    """A directive's lines (indented by 4) for table `t`."""
    if o == "create_table":
        return ['op.create_table(',
                '    "%s",' % t,
                '    sa.Column("id", sa.Integer(), nullable=False),',
                '    sa.Column("code", sa.String(length=20), nullable=False),',
                '    sa.Column("note", sa.String(length=50), nullable=True),',
                '    sa.PrimaryKeyConstraint("id"),',
                '    sa.UniqueConstraint("code", name="uq_%s_code"),' % t,
                ')']
    if o == "add_column":
        return ['op.add_column("%s", sa.Column("extra", sa.Integer(), nullable=True))' % t]
    if o == "create_index":
        return ['op.create_index("ix_%s_note", "%s", ["note"], unique=False)' % (t, t)]
    if o == "insert":
        return ['op.execute("INSERT INTO %s (id, code) VALUES (1, \'one\')")' % t]
    if o == "update":
        return ['op.execute("UPDATE %s SET note = \'noted\' WHERE id = 1")' % t]
    if o == "bulk_insert":
        return ['op.bulk_insert(',
                '    sa.table("%s", sa.column("id", sa.Integer), sa.column("code", sa.String)),' % t,
                '    [{"id": 10, "code": "ten"}, {"id": 11, "code": "eleven"}],',
                ')']
    if o == "batch":
        return ['with op.batch_alter_table("%s", schema=None) as batch_op:' % t,
                '    batch_op.add_column(sa.Column("bcol", sa.Integer(), nullable=True))']
    if o == "delete":
        return ['op.execute("DELETE FROM %s")' % t]
    if o == "drop_index":
        return ['op.drop_index("ix_%s_note", table_name="%s")' % (t, t)]
    if o == "drop_table":
        return ['op.drop_table("%s")' % t]
    raise ValueError(o)


def failure_lines(kind, t, name, dialect):
    """The failing statement(s) (indented by 4), and module-level lines."""
    module = []
    if kind == "value_error":
        lines = ['raise ValueError("%s failed on purpose")' % name]
    elif kind == "key_error":
        lines = ['raise KeyError("%s")' % name]
    elif kind == "custom":
        module = ["", "class MigrationFailed(Exception):",
                  '    """A failure of this revision."""', ""]
        lines = ['raise MigrationFailed("custom failure in %s")' % name]
    elif kind == "cause":
        lines = ['try:', '    int("not a number")', 'except ValueError as e:',
                 '    raise RuntimeError("could not convert in %s") from e' % name]
    elif kind == "context":
        lines = ['try:', '    {}["missing"]', 'except KeyError:',
                 '    raise LookupError("while handling in %s")' % name]
    elif kind == "helper_local":
        module = ["", "def _helper(value):", "    return _inner(value) + 1", "",
                  "", "def _inner(value):",
                  '    raise ArithmeticError("inner helper: %r" % (value,))', ""]
        lines = ['_helper("%s")' % name]
    elif kind == "helper_module":
        lines = ['fz_helpers.boom("%s")' % name]
    elif kind == "system_exit_int":
        lines = ['raise SystemExit(3)']
    elif kind == "system_exit_str":
        lines = ['raise SystemExit("exiting from %s")' % name]
    elif kind == "base_exception":
        module = ["", "class Abort(BaseException):",
                  '    """Not an Exception: `except Exception` in env.py misses it."""', ""]
        lines = ['raise Abort("aborted in %s")' % name]
    elif kind == "multiline":
        lines = ['raise ValueError("first line of %s\\n  second line\\n\\u00e9t\\u00e9 \\u2713")'
                 % name]
    elif kind == "note":
        lines = ['err = ValueError("noted failure in %s")' % name,
                 'err.add_note("a note added by the revision")',
                 'raise err']
    elif kind == "bad_str":
        module = ["", "class Unprintable(Exception):",
                  "    def __str__(self):",
                  '        raise RuntimeError("no str")', ""]
        lines = ['raise Unprintable()']
    elif kind == "assertion":
        lines = ['assert 1 + 1 == 3, "arithmetic in %s"' % name]
    elif kind == "exit_zero":
        lines = ['raise SystemExit(0)']
    elif kind == "bad_sql":
        lines = ['op.execute("SELEC 1 FROM %s")' % t]
    elif kind == "unique":
        lines = ['op.execute("INSERT INTO %s (id, code) VALUES (100, \'dup\')")' % t,
                 'op.execute("INSERT INTO %s (id, code) VALUES (101, \'dup\')")' % t]
    elif kind == "not_null":
        lines = ['op.execute("INSERT INTO %s (id, code) VALUES (102, NULL)")' % t]
    elif kind == "drop_missing":
        lines = ['op.drop_table("t_no_such_table")']
    elif kind == "existing_index":
        lines = ['op.create_index("ix_%s_code", "%s", ["code"], unique=False)' % (t, t),
                 'op.create_index("ix_%s_code", "%s", ["code"], unique=False)' % (t, t)]
    elif kind == "fk":
        lines = ['op.create_table(',
                 '    "%s_c",' % t,
                 '    sa.Column("id", sa.Integer(), nullable=False),',
                 '    sa.Column("pid", sa.Integer(), nullable=True),',
                 '    sa.ForeignKeyConstraint(["pid"], ["%s.id"]),' % t,
                 '    sa.PrimaryKeyConstraint("id"),',
                 ')',
                 'op.execute("INSERT INTO %s_c (id, pid) VALUES (1, 999)")' % t]
    elif kind == "batch_raise":
        lines = ['with op.batch_alter_table("%s") as batch_op:' % t,
                 '    batch_op.add_column(sa.Column("bx", sa.Integer(), nullable=True))',
                 '    raise ValueError("inside batch of %s")' % name]
    elif kind == "batch_missing_col":
        lines = ['with op.batch_alter_table("%s") as batch_op:' % t,
                 '    batch_op.add_column(sa.Column("by", sa.Integer(), nullable=True))',
                 '    batch_op.drop_column("no_such_column")']
    elif kind == "autocommit":
        lines = ['with op.get_context().autocommit_block():',
                 '    op.execute("INSERT INTO %s (id, code) VALUES (103, NULL)")' % t]
    elif kind == "bind_execute":
        lines = ['bind = op.get_bind()',
                 'bind.execute(sa.text("INSERT INTO %s (id, code) VALUES (:i, :c)"),' % t,
                 '             {"i": 104, "c": None})']
    elif kind == "savepoint":
        lines = ['op.execute("INSERT INTO %s (id, code) VALUES (105, \'sp\')")' % t,
                 'bind = op.get_bind()',
                 'try:',
                 '    with bind.begin_nested():',
                 '        bind.execute(sa.text("INSERT INTO %s (id, code) VALUES (106, \'sp\')"))'
                 % t,
                 'except sa.exc.IntegrityError as e:',
                 '    print("caught in a savepoint:", type(e.orig).__name__)',
                 'op.execute("INSERT INTO %s (id, code) VALUES (107, \'after\')")' % t]
    elif kind == "module_level":
        module = ["", 'raise ImportError("cannot import %s")' % name, ""]
        lines = []
    elif kind == "bulk_dup":
        lines = ['op.bulk_insert(',
                 '    sa.table("%s", sa.column("id", sa.Integer), sa.column("code", sa.String)),'
                 % t,
                 '    [{"id": 110, "code": "b1"}, {"id": 111, "code": "b1"}],',
                 ')']
    else:
        raise ValueError(kind)
    return lines, module


def revision_text(spec, rev):
    f = spec["failure"]
    name, t = rev["name"], "t_" + rev["name"]
    ids = {r["name"]: r["id"] for r in spec["revs"]}
    module, imports = [], ""
    bodies = {}
    for fn in ("upgrade", "downgrade"):
        seq = rev["ops"][fn]
        if fn == "downgrade" and f["rev"] == name and f["kind"] == "fk":
            seq = ["drop_child"] + seq
        out = []
        for i, o in enumerate(seq + [None]):
            if f["rev"] == name and f["fn"] == fn and i == f["pos"]:
                lines, mod = failure_lines(f["kind"], t, name, spec["dialect"])
                module += mod
                if f["kind"] == "helper_module":
                    imports = "import fz_helpers\n"
                if f["guarded"] and lines:
                    out.append("if not context.get_x_argument(as_dictionary=True)"
                               '.get("nofail"):')
                    lines = ["    " + x for x in lines]
                    imports += "from alembic import context\n"
                out += lines
            if o is None:
                break
            if not rev["plain"]:
                out.append('print("%s %s: %s")' % (fn, name, o))
            if o == "drop_child":
                out.append('op.drop_table("%s_c")' % t)
            else:
                out += op_lines(o, t, spec["dialect"])
        bodies[fn] = "\n".join("    " + x if x else x for x in out)
    down = [ids[d] for d in rev["down"]]
    down_lit = repr(None if not down else down[0] if len(down) == 1 else tuple(down))
    return REVISION.format(
        name=name, rev=rev["id"], down=", ".join(down) or "", imports=imports,
        module="\n".join(module) + ("\n" if module else ""), down_lit=down_lit,
        labels=rev["labels"] and tuple(rev["labels"]),
        depends=ids[rev["depends"]] if rev["depends"] else None,
        up=bodies["upgrade"], down_body=bodies["downgrade"])


def gen_project(spec, out):
    if os.path.exists(out):
        shutil.rmtree(out)
    versions = os.path.join(out, "migrations", "versions")
    os.makedirs(versions)
    with open(os.path.join(out, "alembic.ini"), "w") as fh:
        fh.write(INI)
    with open(os.path.join(out, "fz_helpers.py"), "w") as fh:
        fh.write(HELPERS)
    with open(os.path.join(out, "migrations", "env.py"), "w") as fh:
        fh.write(env_py(spec))
    with open(os.path.join(out, "migrations", "script.py.mako"), "w") as fh:
        fh.write("")
    with open(os.path.join(out, "spec.json"), "w") as fh:
        json.dump(spec, fh, indent=1)
    for rev in spec["revs"]:
        with open(os.path.join(versions, "%s_%s.py" % (rev["id"], rev["name"])), "w") as fh:
            fh.write(revision_text(spec, rev))


# ---------------------------------------------------------------------------
# the runner
# ---------------------------------------------------------------------------

class Tools:
    def __init__(self):
        self.oracle_py = os.environ.get("ORACLE_PYTHON",
                                        os.path.join(ROOT, ".venv-oracle/bin/python"))
        self.rs = os.environ.get("ALEMBIC_RS", os.path.join(ROOT, "target/release/alembic-rs"))
        self.host = os.environ.get("HOST_VENV", os.path.join(ROOT, ".venv-oracle"))
        self.runs = self.failed = self.orders = self.same = 0

    def run(self, tool, project, argv, url, hash_seed=0):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("ALEMBIC_RS_STATIC", "VIRTUAL_ENV"))}
        env["PYTHONHASHSEED"] = str(hash_seed)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env["FUZZ_URL"] = url
        env.pop("PYTHONPATH", None)
        if tool == "oracle":
            cmd = [self.oracle_py, "-m", "alembic"] + argv
        else:
            cmd = [self.rs] + argv
            env["VIRTUAL_ENV"] = self.host
            env["ALEMBIC_RS_STATIC"] = "1" if tool == "static1" else "0"
        try:
            p = subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True,
                               timeout=300)
        except subprocess.TimeoutExpired:
            return -999, "", "TIMEOUT"
        return p.returncode, p.stdout, p.stderr


# The async driver's side of a traceback: aiosqlite and SQLAlchemy's
# adapter of it. alembic-rs serves `sqlite+aiosqlite` with its own
# synchronous driver (docs/architecture.md "Async URLs"), so, as pymysql's
# frames in drop_tool_frames, these are the driver's frames alembic-rs has
# not (docs/differences.md, the async driver row).
_ASYNC_DRIVER = ("site-packages/aiosqlite/", "site-packages/sqlalchemy/connectors/asyncio.py",
                 "site-packages/sqlalchemy/dialects/sqlite/aiosqlite.py",
                 "site-packages/asyncpg/", "site-packages/sqlalchemy/dialects/postgresql/asyncpg.py")
_CONCURRENCY = "site-packages/sqlalchemy/util/concurrency.py"


def drop_async_driver_frames(text):
    """Drops the driver frames above, the `util/concurrency.py` frames
    between them (await_ and the greenlet_spawn that resumes the driver's
    awaitable) and the `engine/default.py` frame (`do_execute`) that calls
    into them, with their source lines."""
    lines = text.split("\n")
    frames = []  # (start, end, file) of each frame, end exclusive
    for i, line in enumerate(lines):
        m = ctree.FRAME.match(line)
        if m:
            j = i + 1
            while j < len(lines) and lines[j].startswith("    "):
                j += 1
            frames.append((i, j, m.group(1)))
    drop = set()
    for k, (start, end, f) in enumerate(frames):
        if not any(d in f for d in _ASYNC_DRIVER):
            continue
        drop.add(k)
        # the adapter's await_/greenlet_spawn frames between driver frames
        back = k - 1
        while back >= 0 and _CONCURRENCY in frames[back][2] and frames[back][1] == frames[back + 1][0]:
            drop.add(back)
            back -= 1
        if back >= 0 and frames[back][2].endswith("site-packages/sqlalchemy/engine/default.py") \
                and frames[back][1] == frames[back + 1][0]:
            drop.add(back)
    gone = set()
    for k in drop:
        gone.update(range(frames[k][0], frames[k][1]))
    return "\n".join(x for i, x in enumerate(lines) if i not in gone)


_SA_ERROR = re.compile(r"^(sqlalchemy\.exc\.\w+): ")


def sql_error_skeleton(text):
    """A database error under asyncpg: Alembic's chain is asyncpg's
    exception, SQLAlchemy's adapter of it, then `sqlalchemy.exc.X:
    (sqlalchemy.dialects.postgresql.asyncpg.X) <class 'asyncpg...'>: ...`
    with `$1` parameters; alembic-rs's is psycopg2's (docs/differences.md,
    the async driver row). What must match is what comes before the
    traceback, the frames in the project's files and the `sqlalchemy.exc`
    class; the rest of a SQL error's traceback is reduced to those."""
    lines = text.split("\n")
    start = next((i for i, x in enumerate(lines) if x.startswith("Traceback (most recent call last):")), None)
    if start is None or not any(_SA_ERROR.match(x) for x in lines[start:]):
        return text
    kept = lines[:start]
    for i in range(start, len(lines)):
        line = lines[i]
        m = ctree.FRAME.match(line)
        if m and "<PROJECT>" in m.group(1):
            kept.append(line)
            if i + 1 < len(lines) and lines[i + 1].startswith("    ") and not ctree.FRAME.match(lines[i + 1]):
                kept.append(lines[i + 1])
        elif _SA_ERROR.match(line):
            kept.append(_SA_ERROR.match(line).group(1))
    return "\n".join(kept)


def normalise(text, project, db=None, async_driver=False, sql_skeleton=False):
    text = text.replace(os.path.realpath(project), "<PROJECT>").replace(project, "<PROJECT>")
    if db:
        text = text.replace(db, "<DB>")
    text = ctree.ADDRESS.sub(" at 0x?", text)
    text = ctree.hide_warning_locations(ctree.drop_tool_frames(text))
    text = drop_async_driver_frames(text) if async_driver else text
    return sql_error_skeleton(text) if sql_skeleton else text


def compare(ref, got, project, name, db=None, async_driver=False, sql_skeleton=False):
    problems, orders = [], []
    if ref[0] != got[0]:
        problems.append("  exit code: alembic %s vs %s %s" % (ref[0], name, got[0]))
    for i, stream in ((1, "stdout"), (2, "stderr")):
        a = normalise(ref[i], project, db and db[0], async_driver, sql_skeleton)
        b = normalise(got[i], project, db and db[1], async_driver, sql_skeleton)
        if a == b:
            continue
        if sorted(a.split("\n")) == sorted(b.split("\n")):
            orders.append("  %s: same lines, other order" % stream)
        else:
            problems.append(ops.diff_report(name, a, b, stream))
    return problems, orders


def urls(dialect, mode, name):
    """(env url, dump url, drop ident)"""
    url, ident = ops.fresh_db(dialect, name, prefix=PREFIX)
    if mode == "async":
        env_url = url.replace("sqlite://", "sqlite+aiosqlite://").replace(
            "postgresql+psycopg2://", "postgresql+asyncpg://")
    else:
        env_url = url
    return env_url, url, ident


def online_run(tools, spec, project, tool, db, hash_seed=0):
    """One tool's online commands on its database: [(output, dump)]."""
    return [(tools.run(tool, project, argv, db[0], hash_seed),
             ops.dump(db[1], *vt_place(spec, db[2]))) for argv in spec["online"]]


def compare_online(spec, project, refs, gots, dbs):
    """(problems, order notes) of the oracle's online run against each
    alembic-rs run (gots: tool -> run)."""
    dialect = spec["dialect"]
    problems, orders = [], []
    for i, argv in enumerate(spec["online"]):
        ref, a = refs[i]
        for t, run in gots.items():
            got, b = run[i]
            ids = (dbs["oracle"][2], dbs[t][2])
            label = "online `%s` %s" % (" ".join(argv), t)
            ps, os_ = compare(ref, got, project, t, ids, spec["mode"] == "async",
                              spec["mode"] == "async" and dialect == "postgresql")
            problems.extend("%s:\n%s" % (label, p) for p in ps)
            orders.extend("%s:\n%s" % (label, o) for o in os_)
            for key in ("versions", "schema", "data"):
                x = str(a[key]).replace(ids[0], "<DB>")
                y = str(b[key]).replace(ids[1], "<DB>")
                if dialect == "sqlite":
                    x, y = ops.sort_constraints(x), ops.sort_constraints(y)
                if x != y:
                    problems.append("%s: %s after the command:\n%s" % (
                        label, key, ops.diff_report(t, x, y, key)))
    return problems, orders


def run_spec(tools, spec, args, project=None):
    dialect = spec["dialect"]
    if project is None:
        project = tempfile.mkdtemp(prefix="fzf-proj-%d-%s-" % (spec["seed"], dialect))
    gen_project(spec, project)
    problems, orders = [], []
    rs_tools = ["static1"] + ([] if args.no_static0 else ["static0"])

    def note(label, ps, os_):
        problems.extend("%s:\n%s" % (label, p) for p in ps)
        orders.extend("%s:\n%s" % (label, o) for o in os_)

    if not args.offline_only:
        dbs = {}
        try:
            for t in ["oracle"] + rs_tools:
                dbs[t] = urls(dialect, spec["mode"], "%d_%s_%s" % (
                    spec["seed"], dialect[:2], t))
                if vt_place(spec)[1]:
                    make_vschema(dialect, dbs[t][2])
            refs = online_run(tools, spec, project, "oracle", dbs["oracle"])
            gots = {t: online_run(tools, spec, project, t, dbs[t]) for t in rs_tools}
            found = compare_online(spec, project, refs, gots, dbs)
            if found[0]:
                # Which merge parent's row Alembic keeps is Python set order,
                # and it decides the rows' order, which a later `downgrade
                # -N` or `stamp` from several heads starts from
                # (docs/differences.md): as fuzz-env.py does, the oracle's
                # sequence is repeated under other hash seeds.
                for hash_seed in range(1, 8):
                    dbs["oracle"] = urls(dialect, spec["mode"], "%d_%s_oracle" % (
                        spec["seed"], dialect[:2]))
                    if vt_place(spec)[1]:
                        make_vschema(dialect, dbs["oracle"][2])
                    again = online_run(tools, spec, project, "oracle", dbs["oracle"], hash_seed)
                    if not compare_online(spec, project, again, gots, dbs)[0]:
                        found = ([], ["online: the sequence as Alembic's with PYTHONHASHSEED=%d"
                                      % hash_seed])
                        break
            problems += found[0]
            orders += found[1]
        finally:
            if not args.keep:
                for _, _, ident in dbs.values():
                    ops.drop_db(dialect, ident)
                    if vt_place(spec)[1] and dialect == "mysql":
                        make_vschema(dialect, ident, create=False)
    if not args.online_only:
        for url_key in (("mysql", "mariadb") if dialect == "mysql" else (dialect,)):
            url = ops.OFFLINE_URLS[url_key]
            for argv in spec["offline"]:
                ref = tools.run("oracle", project, argv, url)
                for t in rs_tools:
                    got = tools.run(t, project, argv, url)
                    found = compare(ref, got, project, t)
                    if found[0]:
                        # Which parent a merge step deletes or updates is
                        # Python set order in Alembic (docs/differences.md):
                        # another hash seed may give alembic-rs's order.
                        for hash_seed in range(1, 8):
                            again = tools.run("oracle", project, argv, url, hash_seed)
                            if not compare(again, got, project, t)[0]:
                                found = ([], ["  output as Alembic's with PYTHONHASHSEED=%d"
                                              % hash_seed])
                                break
                    note("offline %s `%s` %s" % (url_key, " ".join(argv), t), *found)
    if not problems and not args.keep:
        shutil.rmtree(project)
    return project, problems, orders


def minimise(tools, spec, args):
    """Drops online commands (the first stays), then offline ones, one at a
    time while a difference stays."""
    keep, args.keep = args.keep, False
    try:
        for key, first in (("online", 1), ("offline", 0)):
            i = first
            while i < len(spec[key]):
                trial = json.loads(json.dumps(spec))
                del trial[key][i]
                _, problems, _ = run_spec(tools, trial, args)
                if problems:
                    spec = trial
                else:
                    i += 1
    finally:
        args.keep = keep
    out = tempfile.mkdtemp(prefix="fzf-min-%d-%s-" % (spec["seed"], spec["dialect"]))
    gen_project(spec, out)
    print("  minimised (%s): online %s\n    offline %s" % (out, spec["online"],
                                                          spec["offline"]), flush=True)


def describe(spec):
    f = spec["failure"]
    target = next(r for r in spec["revs"] if r["name"] == f["rev"])
    vt = spec.get("vt")
    return "%d revs, env %s%s, %s %s.%s@%d%s%s%s" % (
        len(spec["revs"]), spec["mode"], "+tpm" if spec["tpm"] else "", f["kind"], f["rev"],
        f["fn"], f["pos"], " plain" if target["plain"] else "",
        " guarded" if f["guarded"] else "",
        ", vt %s%s%s" % (vt["table"], " in schema" if vt["schema"] else "",
                         " no pk" if not vt["pk"] else "") if vt else "")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("--seed", type=int)
    g.add_argument("--dialect", choices=["sqlite", "postgresql", "mysql"])
    g.add_argument("--out", required=True)
    g.add_argument("--spec", help="a spec.json (from a kept or minimised project) instead")
    r = sub.add_parser("run")
    r.add_argument("--seeds", default="1-5")
    r.add_argument("--dialects", default="sqlite,postgresql,mysql")
    r.add_argument("--offline-only", action="store_true")
    r.add_argument("--online-only", action="store_true")
    r.add_argument("--no-static0", action="store_true")
    r.add_argument("--keep", action="store_true")
    r.add_argument("--stop", action="store_true", help="stop at the first difference")
    r.add_argument("--minimise", action="store_true")
    r.add_argument("--spec", help="run this spec.json (seeds/dialects ignored)")
    args = ap.parse_args()
    if args.cmd == "gen":
        spec = (json.load(open(args.spec)) if args.spec
                else make_spec(args.seed, args.dialect))
        gen_project(spec, args.out)
        print("%s: %s\n  online %s\n  offline %s" % (args.out, describe(spec),
                                                    spec["online"], spec["offline"]))
        return 0
    tools = Tools()
    start = time.time()
    if args.spec:
        specs = [json.load(open(args.spec))]
    else:
        specs = [make_spec(s, d) for s in ops.parse_seeds(args.seeds)
                 for d in args.dialects.split(",")]
    try:
        for spec in specs:
            project, problems, orders = run_spec(tools, spec, args)
            tools.runs += 1
            tools.orders += bool(orders)
            tools.same += not problems
            status = "ok" if not problems else "DIFF (%s)" % project
            print("seed %d %s [%s]: %s%s" % (spec["seed"], spec["dialect"], describe(spec),
                                             status, " (ORDER)" if orders else ""), flush=True)
            for p in problems:
                print(p, flush=True)
            if problems:
                tools.failed += 1
                if args.minimise:
                    minimise(tools, spec, args)
                if args.stop:
                    break
    except KeyboardInterrupt:
        print("\ninterrupted")
    print("\n%d runs, %d identical, %d with differences, %d with order-only differences, %.0fs"
          % (tools.runs, tools.same, tools.failed, tools.orders, time.time() - start))
    return 1 if tools.failed else 0


if __name__ == "__main__":
    sys.exit(main())
