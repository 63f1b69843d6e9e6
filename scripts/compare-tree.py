#!/usr/bin/env python3
"""Run one real-world Alembic migration tree through real Alembic and alembic-rs
and compare what a user sees.

Usage:
    scripts/compare-tree.py --venv /work/venv-rw-ironic \\
        --location ironic:db/sqlalchemy/alembic --db postgresql --name ironic --oslo-db \\
        [--down 3] [--no-base] [--no-sql] [--no-check] [--step 'ARGS' ...] \\
        [--ini-extra 'key = value' ...] [--env KEY=VALUE ...] [--version-table T] \\
        [--version-schema S] [--keep] \\
        [--copy-versions] [--script-template PATH|generic]

  --venv      a virtualenv holding the package and real Alembic 1.20.1. The oracle
              runs as `VENV/bin/python -m alembic`, alembic-rs as target/release/alembic-rs
              of this checkout (or --alembic-rs), both with VIRTUAL_ENV=VENV (activated).
  --location  the package's migration directory: a path, or `module:subdir`
              (resolved with the venv's Python, relative to the module's directory).
  --db        sqlite | postgresql | mysql (MariaDB) | offline. Each tool gets its own fresh
              database: a file /tmp/rw-NAME-DB-TOOL/rw.db, or a server database
              rw_NAME_TOOL (dropped before and, unless --keep, after). `offline`: no
              database at all, both tools get --url (any dialect SQLAlchemy knows without
              its driver: `mssql+pyodbc://u:p@dsn`, `oracle://u:p@h/xe`,
              `mariadb://u:p@h/d`, ...), the dump is skipped; for `--sql` steps
              (outputs under /tmp/rw-NAME-offline-DIALECT/).
  --url       the URL of --db offline.
  --offline-env  for trees whose env.py has no offline branch, or needs the application:
              script_location becomes <dir>/wrap, whose env.py is Alembic's generic
              template's offline branch (url from alembic.ini, target_metadata None,
              literal_binds, named paramstyle) and reads `-x` options into configure():
              tpm=1 (transaction_per_migration), encoding=E (output_encoding), binary=1
              (output_buffer=sys.stdout.buffer, which output_encoding needs),
              mssql_sep=S / oracle_sep=S (mssql_batch_separator / oracle_batch_separator), import=M (imports module M
              first: an application whose import sets up logging, which Alembic's map
              load does when any revision imports it; alembic-rs imports only the
              revisions it runs, docs/differences.md). version_locations
              = the package's versions/ (override with --ini-extra).
  --ini-extra extra lines for the [alembic] section of the generated alembic.ini
              (which also has Alembic's generic logging sections, as env.py files
              call fileConfig). `{url}` is replaced by the tool's database URL. One
              that starts with a section header (`[post_write_hooks]` and its lines,
              newline-separated) is written after the [alembic] section's lines.
  --env       environment variables for both tools (`{url}` replaced likewise, `{db}` by
              the database name or file, `{dir}` by the tool's project directory), for
              env.py files that read their URL (or a configuration directory) from the
              environment.
  --oslo-db   for OpenStack trees whose env.py takes its engine from oslo.db's
              enginefacade (cfg.CONF.database.connection, which `<project>-dbsync` fills
              from /etc/<project>/<project>.conf): installs a one-line .pth in the venv that,
              when RW_OSLO_DB_CONNECTION is set, overrides oslo.db's connection with
              that URL, and sets it to each tool's URL. Both tools start the venv's
              Python the same way, so both get it.
  --wrap-env  PYTHON: for env.py files that need what their project's own command line
              sets before it calls Alembic's API (octavia-db-manage and neutron-db-manage set
              `config.octavia_config` / `config.neutron_config`): script_location becomes
              <dir>/wrap, whose env.py runs PYTHON (with `config` = context.config) and then
              the package's env.py (runpy); version_locations = the package's versions/
              (override with --ini-extra). The same wrapper serves both tools.
  --script-template  PATH, or `generic` (Alembic's generic template in the venv): the
              script.py.mako of the --wrap-env wrapper (implies one, with an empty prelude),
              for trees that ship none (mlflow's), where `revision` would fail alike.
  --version-table  the tree's version table, when env.py names another (for the dump).
  --version-schema  the schema that holds it (PostgreSQL), when env.py puts it elsewhere than
              `public` (a search_path it sets, or version_table_schema: dispatch's).
  --step      replaces the default command sequence (one command line per --step; `{url}`
              replaced, for env.py files that take their URLs from `-x`: galaxy's).
  --setup     a shell command run in each tool's directory after its database is
              created and before the first step (`{url}` replaced; the venv's bin/ first
              on PATH; the --env variables set), not compared: for trees built on another
              project's schema (neutron's subprojects: `neutron-db-manage --database-connection {url}
              --subproject neutron upgrade heads`), or a schema edited by hand (`python -m
              alembic upgrade head && python EDIT.py '{url}'`: real Alembic for both tools).
  --copy-versions  for steps that write files (`revision --autogenerate -m drift`): each
              tool gets its own copy of each version directory (the package's versions/,
              or each directory the --ini-extra `version_locations` names) under
              <dir>/versions[-N], and version_locations names the copies (so the two tools'
              files never meet and the package in the venv is never written). After each
              step the files that appeared or changed in the copies are compared, in
              addition to the outputs: by name and content, normalised as the outputs and
              also each new file's revision id (the `revision = '...'` it declares, and so
              its file name's id part and the `Generating .../<id>_drift.py` line) ->
              <rev-N> (numbered in the order the files appeared; in every later step's
              outputs and dump too; also the id a `Generating <id>_....py ...  FAILED`
              line names, when no file could be written) and its `Create Date: ...` ->
              <timestamp>. A new file in the package's own version directory (an env.py
              that sets `context.script.version_locations` itself: prefect's) is compared
              too and then moved out, after each tool's step, to /tmp/rw-NAME-DB/TOOL.N.FILE
              (a note says so; a later `upgrade` does not see it). The written
              files are kept under /tmp/rw-NAME-DB/TOOL/versions*.

Default sequence: `upgrade head`, `current`, `history`, `downgrade -N` (--down, 0 to
skip), `current`, `downgrade base` (unless --no-base), `upgrade head`, `current -v`,
`upgrade head --sql` (unless --no-sql; offline, env.py should not connect), `check` (unless --no-check).

Compared after each step: exit status, stdout, stderr, the version table's rows,
the files the step wrote (--copy-versions), and the schema and data
(tests/oracle/schema_dump.py: pg_dump --schema-only / sqlite_master / SHOW CREATE
TABLE of every table, and every row). Normalised, and nothing else:
  - timestamps (`YYYY-MM-DD HH:MM:SS[.ffffff|,mmm][ [pid]]`, the last two as logging
    formats print them: gnocchi's; `MM/DD/YYYY HH:MM:SS AM`: onyx's; `YYYY/MM/DD HH:MM:SS`:
    mlflow's log records; `YYYY-MM-DD Sun HH:MM:SS`: querybook's; the repr
    `datetime.datetime(Y, M, D, h, m, s, us` of a model's import-time default in `check`'s
    operation list: celery's, in onyx's; `[YYMMDD-HH:MM:SS.mmm]`: conbench's log records)
    -> <timestamp>, UUIDs -> <uuid>, also as 32 hex
    digits (migrations that fill rows with uuid4(): neutron's, cinder's; uuid4().hex:
    zenml's);
  - a bcrypt hash (`$2b$10$` and 53 characters: a fresh salt each run, GSA
    notifications-api's data migrations insert users with hashed passwords) -> <bcrypt>;
  - the tool's own process id (the `python -m alembic` or alembic-rs process) where it
    stands as a number of its own -> <pid>: a logging format's `%(process)d` (h's); a
    thread ident likewise (`%(thread)d`: embedchain's; a number in the range of x86-64
    Linux's pthread_t addresses, 0x7f0000000000-0x7fffffffffff) -> <thread>;
  - the times SQLAlchemy's echo prints per statement (`[generated in 0.00464s]`, `[cached
    since 0.007327s ago]` -> `[generated in <t>s]`: copr's SQLALCHEMY_ECHO = True);
  - the temporary paths: each tool's project directory -> <dir>, its database name or
    file -> <db> (the other tool's -> <other-db>: a server-wide role's error names the
    database still holding its grants), the venv -> <venv>;
  - traceback frames inside Alembic's own modules (site-packages/alembic/...) and
    alembic-rs's (<alembic-rs>/alembic/..., <alembic-rs register_operation ...>, and the line
    `(raised by Alembic's own code; alembic-rs reproduces the outcome)` it prints where
    Alembic's own code raises) are dropped, and so are `python -m`'s
    (<frozen runpy>) and those of the functions Alembic generates for its module proxies
    (`File "<string>"`, e.g. `in run_migrations`), and the drivers' (alembic-rs is the
    driver: pymysql's, and the async drivers' with SQLAlchemy's adapters for them and
    the frames from its `do_execute` down to them, where alembic-rs raises the error on
    the event loop: skyvern's aiosqlite), and SQLAlchemy's called from the tool's frames (up to the next frame
    outside SQLAlchemy: Alembic compiles `op.add_column`'s DDL element through
    `Connection.execute`, alembic-rs calls the column specification itself, so a
    CompileError passes through other SQLAlchemy frames: cyborg on PostgreSQL; within
    one traceback: a chained or logged one starts afresh, rally's), and
    Mako's called from Alembic's (`revision` without a script.py.mako: mlflow's tree)
    (docs/differences.md: the user frames and the final exception line are
    what must match); likewise in rich's boxed tracebacks (zenml's), where frames
    without a path (frozen modules, alembic-rs's) go too;
  - the dump's version rows are sorted again after the <rev-N> replacement (two heads
    written in one step, neutron's expand and contract, sort by their random ids);
  - a Python object's address in a default repr (` at 0x7f...>`; SQLAlchemy's SQL
    functions print ` at 0x7f...; now>`: onyx's `check`, and `<ColumnClause at 0x7f...; name>`:
    waiverdb's ArgumentError) -> ` at 0x?`;
  - a warning raised in Alembic's or alembic-rs's own modules: `<file>:<line>:
    XWarning: msg` and Python's source line after it -> `XWarning: msg` (as
    tests/support/online.rs, rule 5); in a structlog record of it (airflow's
    providers: `category=UserWarning filename=<file> lineno=<n>`) -> `filename=<tool>
    lineno=<n>`;
  - Alembic's set orders: an output whose lines are the same in another order is
    reported as ORDER (see same_lines(); not a divergence, listed for a human to judge: Alembic takes
    some orders from Python sets, which vary from run to run).
The trees compared so far, with their command lines: docs/real-world-trees.md.
Everything is kept under /tmp/rw-NAME-DB/ (per step: <tool>.<n>.{out,err,dump}).
Exit status: 0 when every step is identical (or ORDER), 1 otherwise.
"""
import argparse
import ast
import difflib
import json
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ORACLE_PY = os.path.join(ROOT, ".venv-oracle", "bin", "python")
DUMP = os.path.join(ROOT, "tests", "oracle", "schema_dump.py")

LOGGING = """
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


OSLO_PTH = (
    "import os; os.environ.get('RW_OSLO_DB_CONNECTION') and ["
    "__import__('oslo_db.options').options.set_defaults(__import__('oslo_config.cfg').cfg.CONF), "
    "__import__('oslo_config.cfg').cfg.CONF.set_override("
    "'connection', os.environ['RW_OSLO_DB_CONNECTION'], 'database')]\n"
)


def install_oslo_pth(venv):
    code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = subprocess.run([os.path.join(venv, "bin", "python"), "-c", code],
                          capture_output=True, text=True, check=True).stdout.strip()
    with open(os.path.join(site, "_rw_oslo_db.pth"), "w") as f:
        f.write(OSLO_PTH)


def resolve_location(venv, location):
    if os.path.isdir(location):
        return os.path.abspath(location)
    module, _, sub = location.partition(":")
    code = (
        "import importlib.util, os, sys; s = importlib.util.find_spec(sys.argv[1]); "
        "print(os.path.dirname(s.origin))"
    )
    out = subprocess.run(
        [os.path.join(venv, "bin", "python"), "-c", code, module],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    path = os.path.join(out, sub)
    if not os.path.isdir(path):
        sys.exit("no migration directory at %s" % path)
    return path


class Db:
    def __init__(self, kind, name, tool, workdir, version_table, version_schema=None):
        self.kind = kind
        self.version_table = version_table
        self.version_schema = version_schema
        self.tool = tool
        if kind == "offline":
            self.name = "<offline>"
            self.url = name
        elif kind == "sqlite":
            self.path = os.path.join(workdir, "rw.db")
            self.name = self.path
            self.url = "sqlite:///" + self.path
        else:
            self.name = "rw_%s_%s" % (re.sub(r"\W", "_", name), tool)
            if kind == "postgresql":
                self.url = "postgresql+psycopg2://postgres@127.0.0.1:5432/" + self.name
            else:
                self.url = "mysql+pymysql://root@127.0.0.1:3306/%s?charset=utf8mb4" % self.name

    def admin(self, sql):
        if self.kind == "postgresql":
            cmd = ["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c", sql]
        else:
            cmd = ["mariadb", "-h", "127.0.0.1", "-u", "root", "-e", sql]
        subprocess.run(cmd, check=True, capture_output=True)

    def create(self):
        if self.kind == "offline":
            return
        if self.kind == "sqlite":
            if os.path.exists(self.path):
                os.remove(self.path)
            return
        self.drop()
        if self.kind == "postgresql":
            self.admin('CREATE DATABASE "%s"' % self.name)
        else:
            self.admin("CREATE DATABASE `%s` CHARACTER SET utf8mb4" % self.name)

    def drop(self):
        if self.kind == "postgresql":
            self.admin('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % self.name)
        elif self.kind == "mysql":
            self.admin("DROP DATABASE IF EXISTS `%s`" % self.name)

    def dump(self):
        if self.kind == "offline":
            return ""
        cmd = [ORACLE_PY, DUMP, self.url, "--version-table", self.version_table]
        if self.version_schema:
            cmd += ["--version-schema", self.version_schema]
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            return "<dump failed>\n" + p.stderr
        d = json.loads(p.stdout)
        return "versions: %s\n--- schema\n%s\n--- data\n%s\n" % (
            d["versions"], d["schema"], d["data"])


ADDRESS = re.compile(r" at 0x[0-9a-f]+(?=[>;])")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b[0-9a-f]{32}\b")
TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}([.,]\d+)?( \[\d+\])?"
    r"|\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}"
    r"|\d{4}-\d{2}-\d{2} [A-Z][a-z]{2} \d{2}:\d{2}:\d{2}"
    r"|\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2} [AP]M"
    r"|datetime\.datetime\(\d{4}(, \d+){4,6}"
    r"|\[\d{6}-\d{2}:\d{2}:\d{2}\.\d{3}\]"
)
# SQLAlchemy's echo (create_engine(echo=True), Flask-SQLAlchemy's SQLALCHEMY_ECHO) times each
# statement's compilation: `[generated in 0.00464s]`, `[cached since 0.007327s ago]`, `[no key 0.0001s]`.
ECHO_TIMING = re.compile(
    r"(\[(?:generated in|cached since|no key|caching disabled|dialect \S+ does not support caching) )"
    r"\d[\d.e+-]*(s(?: ago)?\])")
# what alembic-rs prints instead of the frames when Alembic's own code raises
RS_PLACEHOLDER = "  (raised by Alembic's own code; alembic-rs reproduces the outcome)"
FRAME = re.compile(r'^\s*File "([^"]*)", line \d+(?:, in (\S+))?')
# The drivers' own frames (alembic-rs is the driver) and, for the async ones,
# SQLAlchemy's adapter and greenlet bridge between its do_execute and them.
DRIVER_FRAME = re.compile(
    r"site-packages/(?:pymysql|aiosqlite|asyncpg|psycopg|aiomysql|asyncmy)/"
    r"|site-packages/sqlalchemy/(?:connectors/asyncio\.py|util/(?:_concurrency_py3k|concurrency)\.py"
    r"|dialects/\w+/(?:aiosqlite|asyncpg|psycopg|aiomysql|asyncmy)\.py)")


def drop_tool_frames(text):
    out, skipping, below_tool = [], False, False
    for line in text.split("\n"):
        m = FRAME.match(line)
        if m:
            f = m.group(1)
            tool = "site-packages/alembic/" in f or f.startswith("<alembic-rs")
            # SQLAlchemy's frames under the tool's: Alembic executes a DDL
            # element, alembic-rs composes some statements itself (add_column)
            below_tool = tool or (below_tool and (
                "site-packages/sqlalchemy/" in f or "site-packages/mako/" in f
                or f in ("<string>", "<frozen runpy>")))
            driver = DRIVER_FRAME.search(f) or (
                f.endswith("site-packages/sqlalchemy/engine/default.py")
                and (m.group(2) or "").startswith("do_execute"))
            skipping = below_tool or f in ("<frozen runpy>", "<string>") or bool(driver)
            if skipping:
                continue
        elif skipping and line.startswith("    "):
            continue
        elif line == RS_PLACEHOLDER:
            continue
        else:
            # a line that is no frame ends the run of frames under the tool's:
            # a chained exception's traceback starts afresh (rally's oslo.db
            # logs the driver's error, whose last frame is alembic-rs's driver)
            skipping = below_tool = False
        out.append(line)
    return "\n".join(out)


RICH_HEADER = re.compile(r"^[/<]\S")
RICH_PATHLESS = re.compile(r"^in \S+:\d+$")


def drop_rich_tool_frames(text):
    """rich's boxed tracebacks (`rich.traceback.install()`: zenml's CLI) as
    drop_tool_frames treats plain ones: a frame is a header line (`path:line
    in func`, wrapped over two lines when long) and its source excerpt; the
    tool's frames (site-packages/alembic/, <alembic-rs>/..., pymysql's) and frames rich
    prints without a path (`in func:line`: frozen modules, and alembic-rs's,
    whose source it cannot read) are dropped, with their excerpts."""
    out, keep, lines, i = [], True, text.split("\n"), 0
    while i < len(lines):
        line = lines[i]
        inner = line[2:-2].rstrip() if line.startswith("\u2502") and line.endswith("\u2502") else None
        if inner is None:
            keep = True
            out.append(line)
            i += 1
            continue
        if not inner.strip():  # rich's spacing, around the dropped frames too
            i += 1
            continue
        if RICH_PATHLESS.match(inner.strip()):
            keep = False
            i += 1
            continue
        if RICH_HEADER.match(inner):
            header = [line]
            if " in " not in inner and i + 1 < len(lines):
                i += 1
                header.append(lines[i])
            keep = not ("site-packages/alembic/" in inner or inner.startswith("<alembic-rs")
                        or "site-packages/pymysql/" in inner)
            if keep:
                out.extend(header)
            i += 1
            continue
        if keep:
            out.append(line)
        i += 1
    return "\n".join(out)


WARNING = re.compile(r"^(\S*(?:site-packages/alembic/|<alembic-rs>/)\S*):\d+: (\w*Warning: .*)$")


# the same warning as a structlog key-value record (airflow's logging captures
# py.warnings: `... [py.warnings] category=UserWarning filename=<file> lineno=<n>`)
KV_WARNING = re.compile(r"filename=\S*(?:site-packages/alembic/|<alembic-rs>/)\S* lineno=\d+")


def hide_warning_locations(text):
    text = KV_WARNING.sub("filename=<tool> lineno=<n>", text)
    out, lines = [], text.split("\n")
    i = 0
    while i < len(lines):
        m = WARNING.match(lines[i])
        out.append(m.group(2) if m else lines[i])
        # Python prints the warning's source line (indented) when it can read it
        if m and i + 1 < len(lines) and lines[i + 1].startswith("  ") \
                and not lines[i + 1].lstrip().startswith("File "):
            i += 1
        i += 1
    return "\n".join(out)


BCRYPT = re.compile(r"\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}")

# the dump's version rows, sorted by id: sorted again once new ids are <rev-N>
DUMP_VERSIONS = re.compile(r"^versions: (\[[^\]\n]*\])$", re.M)


def normalise(text, replacements):
    for old, new in replacements:
        text = text.replace(old, new)
    text = TIMESTAMP.sub("<timestamp>", text)
    text = ECHO_TIMING.sub(lambda m: m.group(1) + "<t>" + m.group(2), text)
    text = ADDRESS.sub(" at 0x?", UUID.sub("<uuid>", text))
    text = BCRYPT.sub("<bcrypt>", text)
    text = DUMP_VERSIONS.sub(lambda m: "versions: %r" % sorted(ast.literal_eval(m.group(1))), text)
    return hide_warning_locations(drop_rich_tool_frames(drop_tool_frames(text)))


def write_wrapper(workdir, location, prelude, extra, template=None):
    wrap = os.path.join(workdir, "wrap")
    os.makedirs(wrap, exist_ok=True)
    with open(os.path.join(wrap, "env.py"), "w") as f:
        f.write("import runpy\nfrom alembic import context\nconfig = context.config\n%s\n"
                "runpy.run_path(%r, run_name='env_py')\n"
                % (prelude, os.path.join(location, "env.py")))
    if template:
        shutil.copy(template, os.path.join(wrap, "script.py.mako"))
    elif os.path.exists(os.path.join(location, "script.py.mako")):  # aiida's sqlite_dos has none
        shutil.copy(os.path.join(location, "script.py.mako"), wrap)
    if not any(e.replace(" ", "").startswith("version_locations=") for e in extra):
        extra = extra + ["version_locations = " + os.path.join(location, "versions")]
    return wrap, extra


def copy_versions(workdir, location, extra):
    """--copy-versions: the tool's own copy of each version directory, and
    the ini lines naming the copies instead."""
    given = [e for e in extra if e.replace(" ", "").startswith("version_locations=")]
    if given:
        paths = re.split(r"[\s,]+", given[-1].partition("=")[2].strip())
    else:
        paths = [os.path.join(location, "versions")]
    copies = []
    for i, path in enumerate(paths):
        if not os.path.isdir(path):  # a glob or a path Alembic resolves itself: kept
            copies.append(path)
            continue
        dest = os.path.join(workdir, "versions" if len(paths) == 1 else "versions-%d" % i)
        shutil.copytree(path, dest, ignore=shutil.ignore_patterns("__pycache__"))
        copies.append(dest)
    extra = [e for e in extra if e not in given]
    if len(copies) > 1 and not any(e.replace(" ", "").startswith("path_separator=") for e in extra):
        extra.append("path_separator = space")
    extra.append("version_locations = " + " ".join(copies))
    originals = [p for p, c in zip(paths, copies) if p != c]
    return extra, [c for c in copies if c.startswith(workdir)], originals


def snapshot(dirs):
    files = {}
    for top in dirs:
        for root, subdirs, names in os.walk(top):
            subdirs[:] = [d for d in subdirs if d != "__pycache__"]
            for name in names:
                path = os.path.join(root, name)
                with open(path, "rb") as f:
                    files[path] = (os.stat(path).st_mtime_ns, f.read())
    return files


REVISION_LINE = re.compile(r"""^revision\s*(?::\s*str\s*)?=\s*['"]([^'"]+)['"]""", re.M)


GENERATING = re.compile(r"^Generating (\S+) \.\.\.", re.M)


def new_revision(rev, repl):
    if all(old != rev for old, _ in repl):
        repl.append((rev, "<rev-%d>" % (1 + sum(n.startswith("<rev-") for _, n in repl))))


def written_files(before, after, repl, out):
    """The files a step wrote (new or changed), in the order they were written;
    each new revision id joins the tool's replacements as <rev-N>."""
    written = sorted((p for p in after if before.get(p, (None, None))[1] != after[p][1]),
                     key=lambda p: (after[p][0], p))
    for path in written:
        text = after[path][1].decode("utf-8", "replace")
        m = REVISION_LINE.search(text)
        if m and path not in before:
            new_revision(m.group(1), repl)
    # a revision whose file Alembic could not write (`Generating ... FAILED`):
    # its id from the file name (the default file_template starts with it)
    for path in GENERATING.findall(out):
        m = re.match(r"([0-9a-f]{12})_", os.path.basename(path))
        if m:
            new_revision(m.group(1), repl)
    return written


OFFLINE_ENV = '''import sys

from alembic import context

config = context.config
x = context.get_x_argument(as_dictionary=True)
if "import" in x:
    __import__(x["import"])
opts = {}
if x.get("tpm"):
    opts["transaction_per_migration"] = True
if "encoding" in x:
    opts["output_encoding"] = x["encoding"]
if x.get("binary"):
    opts["output_buffer"] = sys.stdout.buffer
if "mssql_sep" in x:
    opts["mssql_batch_separator"] = x["mssql_sep"]
if "oracle_sep" in x:
    opts["oracle_batch_separator"] = x["oracle_sep"]
context.configure(
    url=config.get_main_option("sqlalchemy.url"),
    target_metadata=None,
    literal_binds=True,
    dialect_opts={"paramstyle": "named"},
    **opts
)
if not context.is_offline_mode():
    raise SystemExit("this env.py is for --sql only")
with context.begin_transaction():
    context.run_migrations()
'''


def write_offline_env(workdir, location, extra):
    wrap = os.path.join(workdir, "wrap")
    os.makedirs(wrap, exist_ok=True)
    with open(os.path.join(wrap, "env.py"), "w") as f:
        f.write(OFFLINE_ENV)
    if os.path.exists(os.path.join(location, "script.py.mako")):
        shutil.copy(os.path.join(location, "script.py.mako"), wrap)
    if not any(e.replace(" ", "").startswith("version_locations=") for e in extra):
        extra = extra + ["version_locations = " + os.path.join(location, "versions")]
    return wrap, extra


def write_project(workdir, location, url, extra):
    os.makedirs(workdir, exist_ok=True)
    lines = ["[alembic]", "script_location = " + location,
             "sqlalchemy.url = " + url.replace("%", "%%")]
    # An extra that opens a section of its own (`[post_write_hooks]\n...`) goes
    # after the [alembic] lines the other extras and --copy-versions add.
    own = [e for e in extra if e.lstrip().startswith("[")]
    lines += [e.replace("{url}", url) for e in extra if e not in own] + own
    with open(os.path.join(workdir, "alembic.ini"), "w") as f:
        f.write("\n".join(lines) + "\n" + LOGGING)


def run(tool, argv, workdir, venv, binary, env_extra, db):
    env = {k: v for k, v in os.environ.items() if k not in ("ALEMBIC_CONFIG", "VIRTUAL_ENV")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    for kv in env_extra:
        k, _, v = kv.partition("=")
        env[k] = v.replace("{url}", db.url).replace("{db}", db.name).replace("{dir}", workdir)
    # Both run as from an activated venv (applications read VIRTUAL_ENV: rucio
    # looks for $VIRTUAL_ENV/etc/rucio.cfg first); alembic-rs takes its Python from it.
    env["VIRTUAL_ENV"] = venv
    argv = [x.replace("{url}", db.url) for x in argv]
    if tool == "oracle":
        cmd = [os.path.join(venv, "bin", "python"), "-m", "alembic"] + argv
    else:
        cmd = [binary] + argv
    with subprocess.Popen(cmd, cwd=workdir, env=env, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as p:
        try:
            out, err = p.communicate(timeout=1800)
        except subprocess.TimeoutExpired:
            p.kill()
            raise
    return p.returncode, out, err, p.pid


SET_DISPLAY = re.compile(r"\{('[^'{}:]*'(?:, '[^'{}:]*')*)\}")
SET_LIST = re.compile(r"\[\{[^{}\[\]:]*\}(?:, \{[^{}\[\]:]*\})*\]")


def same_lines(text):
    """The text's lines as a sorted list, for ORDER: a trailing comma is
    dropped (it moves with the last key of SHOW CREATE TABLE), and `check`'s
    one-line operation list is split per operation (its removed tables come
    in Alembic's set order, and so do a table's removed columns: also where one
    follows a list of modify_* operations, `)], (`: ironic's), and a column's
    `ForeignKey(...)` items onto lines of their own (SQLAlchemy's
    Column.foreign_keys is a set: quetz's). A set display of strings
    (`{'b', 'a'}`) has its items sorted, and so has a list of only such
    displays: a Table.info holding them, rendered into create_table()
    (oslo.db's oslodb_unique_keys, built from Table.constraints: neutron's)."""
    text = SET_DISPLAY.sub(lambda m: "{" + ", ".join(sorted(m.group(1).split(", "))) + "}", text)
    text = SET_LIST.sub(lambda m: "[" + ", ".join(sorted(re.findall(r"\{[^{}]*\}", m.group(0)))) + "]", text)
    text = text.replace("), (", "),\n(").replace("), [", "),\n[").replace(": [(", ": [\n(")
    text = text.replace("], (", "],\n(").replace("], [", "],\n[").replace(": [[", ": [\n[")
    # a column's ForeignKey items in a Table repr (Column.foreign_keys is a set)
    text = re.sub(r", (ForeignKey\('[^']*'\))", r"\n\1\n", text)
    return sorted(x.rstrip(", ]") for x in text.split("\n"))


def compare(label, a, b):
    if a == b:
        return "same"
    if same_lines(a) == same_lines(b):
        return "ORDER"
    diff = difflib.unified_diff(a.split("\n"), b.split("\n"), "alembic/" + label,
                                "alembic-rs/" + label, lineterm="", n=2)
    print("\n".join(list(diff)[:200]))
    return "DIFF"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--venv", required=True)
    ap.add_argument("--location", required=True)
    ap.add_argument("--db", required=True, choices=["sqlite", "postgresql", "mysql", "offline"])
    ap.add_argument("--url")
    ap.add_argument("--offline-env", action="store_true")
    ap.add_argument("--name", required=True)
    ap.add_argument("--down", type=int, default=3)
    ap.add_argument("--no-base", action="store_true")
    ap.add_argument("--no-sql", action="store_true")
    ap.add_argument("--no-check", action="store_true")
    ap.add_argument("--step", action="append")
    ap.add_argument("--ini-extra", action="append", default=[])
    ap.add_argument("--env", action="append", default=[])
    ap.add_argument("--alembic-rs", default=os.path.join(ROOT, "target", "release", "alembic-rs"))
    ap.add_argument("--version-table", default="alembic_version")
    ap.add_argument("--version-schema")
    ap.add_argument("--oslo-db", action="store_true")
    ap.add_argument("--wrap-env")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--setup", action="append", default=[])
    ap.add_argument("--copy-versions", action="store_true")
    ap.add_argument("--script-template")
    a = ap.parse_args()

    venv = os.path.abspath(a.venv)
    if a.oslo_db:
        install_oslo_pth(venv)
        a.env.append("RW_OSLO_DB_CONNECTION={url}")
    location = resolve_location(venv, a.location)
    template = a.script_template
    if template == "generic":
        template = os.path.join(resolve_location(venv, "alembic:templates"), "generic", "script.py.mako")
    if a.step:
        steps = [s.split() for s in a.step]
    else:
        steps = [["upgrade", "head"], ["current"], ["history"]]
        if a.down:
            steps += [["downgrade", "-%d" % a.down], ["current"]]
        if not a.no_base:
            steps += [["downgrade", "base"]]
        steps += [["upgrade", "head"], ["current", "-v"]]
        if not a.no_sql:
            steps += [["upgrade", "head", "--sql"]]
        if not a.no_check:
            steps += [["check"]]

    if (a.db == "offline") != bool(a.url):
        sys.exit("--url goes with --db offline, and --db offline needs it")
    top = "/tmp/rw-%s-%s" % (a.name, a.db)
    if a.db == "offline":
        top += "-" + re.split(r"[+:]", a.url)[0]
    shutil.rmtree(top, ignore_errors=True)
    tools = {}
    for tool in ("oracle", "rs"):
        workdir = os.path.join(top, tool)
        db = Db(a.db, a.url if a.db == "offline" else a.name + "_" + a.db, tool, workdir, a.version_table, a.version_schema)
        loc, extra, copies, guards = location, a.ini_extra, [], []
        os.makedirs(workdir, exist_ok=True)
        if a.copy_versions:
            extra, copies, guards = copy_versions(workdir, location, extra)
        if a.offline_env:
            loc, extra = write_offline_env(workdir, location, extra)
        elif a.wrap_env is not None or a.script_template:
            loc, extra = write_wrapper(workdir, location, a.wrap_env or "", extra, template)
        write_project(workdir, loc, db.url, extra)
        db.create()
        for cmd in a.setup:
            env = dict(os.environ, VIRTUAL_ENV=venv, PYTHONDONTWRITEBYTECODE="1",
                       PATH=os.path.join(venv, "bin") + os.pathsep + os.environ["PATH"])
            env.pop("ALEMBIC_CONFIG", None)
            for kv in a.env:
                k, _, v = kv.partition("=")
                env[k] = v.replace("{url}", db.url).replace("{db}", db.name).replace("{dir}", workdir)
            p = subprocess.run(cmd.replace("{url}", db.url), shell=True, cwd=workdir, env=env,
                               stdin=subprocess.DEVNULL, capture_output=True, text=True)
            if p.returncode != 0:
                sys.exit("setup failed for %s: %s\n%s" % (tool, cmd, p.stderr[-3000:]))
        repl = [(db.url, "<url>"), (workdir, "<dir>")] + ([] if a.db == "offline" else [(db.name, "<db>")]) + [
                (os.path.realpath(workdir), "<dir>"), (venv, "<venv>")]
        tools[tool] = (workdir, db, repl, copies)
    # A server-wide object (a role) can name the other tool's database in an error
    # (onyx's `DROP USER db_readonly_user`: "1 object in database ..._rs").
    tools["oracle"][2].append((tools["rs"][1].name, "<other-db>"))
    tools["rs"][2].append((tools["oracle"][1].name, "<other-db>"))

    print("tree %s at %s on %s" % (a.name, location, a.url or a.db))
    failures = 0
    for n, argv in enumerate(steps, 1):
        results, files = {}, {}
        for tool, (workdir, db, repl, copies) in tools.items():
            before = snapshot(copies + guards)
            code, out, err, pid = run(tool, argv, workdir, venv, a.alembic_rs, a.env, db)
            after = snapshot(copies + guards)
            written = written_files(before, after, repl, out)
            for path in written:
                # env.py set version_locations itself: the file went into the
                # package; compared all the same, then removed
                if path not in before and any(path.startswith(g + os.sep) for g in guards):
                    keep = os.path.join(top, "%s.%d.%s" % (tool, n, os.path.basename(path)))
                    print("step %d: %s wrote into the package: %s (moved to %s)" % (n, tool, path, keep))
                    shutil.move(path, keep)
            dump = db.dump()
            for ext, text in (("out", out), ("err", err), ("dump", dump)):
                with open(os.path.join(top, "%s.%d.%s" % (tool, n, ext)), "w") as f:
                    f.write(text)
            # the tool's process id, as a log format prints it (h's `%(process)d`); not a
            # traceback's line number that happens to equal it
            out, err = (re.sub(r"(?<![\w.])(?<!line )%d(?![\w.])" % pid, "<pid>", t) for t in (out, err))
            # a thread's ident, as a log format prints it (embedchain's `%(thread)d`): on
            # x86-64 Linux the main thread's pthread_t, an address 0x7f0000000000-0x7fffffffffff
            out, err = (re.sub(r"(?<![\w.])1[34]\d{13}(?![\w.])",
                               lambda m: "<thread>" if 0x7F0000000000 <= int(m.group()) <= 0x7FFFFFFFFFFF
                               else m.group(), t) for t in (out, err))
            results[tool] = [str(code)] + [normalise(t, repl) for t in (out, err, dump)]
            files[tool] = {normalise(p, repl): normalise(after[p][1].decode("utf-8", "replace"), repl)
                           for p in written}
        verdicts = [compare("%d.%s" % (n, part), o, r)
                    for part, o, r in zip(("exit", "stdout", "stderr", "dump"),
                                          results["oracle"], results["rs"])]
        written = ""
        if a.copy_versions:
            names = sorted(set(files["oracle"]) | set(files["rs"]))
            fv = [compare("%d.%s" % (n, p), files["oracle"].get(p, "<not written>"),
                          files["rs"].get(p, "<not written>")) for p in names]
            verdict = "DIFF" if "DIFF" in fv else "ORDER" if "ORDER" in fv else "same"
            verdicts.append(verdict)
            written = "  files %d %s" % (len(names), verdict)
        ok = "DIFF" not in verdicts
        failures += not ok
        print("step %d %-28s exit %s/%s  stdout %s  stderr %s  dump %s%s  %s" % (
            n, " ".join(argv), results["oracle"][0], results["rs"][0], *verdicts[1:4],
            written, "OK" if ok else "DIVERGES"), flush=True)
    if not a.keep:
        for _, db, _, _ in tools.values():
            db.drop()
    print("%s: %s (%d steps, outputs under %s)" % (
        a.name, "identical" if not failures else "%d step(s) diverge" % failures,
        len(steps), top))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
