"""What a database looks like to a user, normalised for the online parity
harness (tests/support/online.rs), plus a fast way to run the oracle.

One-shot:   schema_dump.py URL [--version-table NAME] [--version-schema S]
    prints {"versions": [...] | null, "schema": "...", "data": "..."} as JSON.
Server:     schema_dump.py --serve
    reads one JSON request per line on stdin, answers one JSON line each:
      {"op": "dump", "url": ..., "version_table": ..., "version_schema": ...}
          -> the one-shot answer (or {"error": ...});
      {"op": "run", "cwd": ..., "argv": [...], "env": {...}, "timeout": s}
          -> {"code", "stdout", "stderr"} of `python -m alembic ARGV`.

"run" forks this (already warm) interpreter and runs `alembic` as
`python -m alembic` would in the child: cwd, environment, argv and
sys.path[0] replaced, stdin from /dev/null, stdout/stderr redirected at the
file-descriptor level, SystemExit mapped to an exit status and an uncaught
exception printed by sys.excepthook (status 1), atexit handlers (logging's
flush) run. Each command gets a pristine copy of the interpreter as it was
after importing alembic and SQLAlchemy, never one a previous command
touched (the imports happen at the server's first "run"), so it behaves
as a fresh process while costing a fork instead of ~0.7 s of imports. What it cannot reproduce: variables Python reads only at
start-up (PYTHONPATH, PYTHONHASHSEED, PYTHONWARNINGS...) come from the
server's own environment, not the request's.

The dump:
  versions  rows of the version table, sorted; null when the table is missing.
  schema    PostgreSQL: `pg_dump --schema-only --no-owner --no-privileges`
            without comment, SET, set_config, \\restrict/\\unrestrict and blank
            lines (re-run only when the catalogs changed, see
            _pg_fingerprint). SQLite: `type|name|tbl_name|sql` of every sqlite_master
            row ordered by type, name (sqlite_sequence and autoindexes
            included). MySQL/MariaDB: SHOW CREATE TABLE/VIEW of every table,
            by name, with AUTO_INCREMENT=n counters removed.
  data      every row of every table but the version table, tables by name,
            rows sorted; date/time values print as <timestamp> (server
            defaults such as now() differ from run to run).
The database name is left in; the harness replaces it.
"""
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
import time


class _Url:
    """The parts of a SQLAlchemy URL the dump needs, parsed without
    importing SQLAlchemy (a dump-only server then starts in ~0.1 s)."""

    def __init__(self, url):
        from urllib.parse import unquote, urlsplit

        self.text = url
        scheme, rest = url.split("://", 1)
        self.backend = scheme.split("+", 1)[0]
        if self.backend == "sqlite":
            # sqlite:///relative.db, sqlite:////absolute.db
            path = rest[1:] if rest.startswith("/") else rest
            self.database = path.split("?", 1)[0]
            self.host = self.port = self.username = self.password = None
            return
        parts = urlsplit(url)
        self.host = parts.hostname
        self.port = parts.port
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.database = unquote(parts.path.lstrip("/"))

    def __str__(self):
        return self.text


def _value(v):
    if isinstance(v, (datetime.datetime, datetime.date, datetime.time)):
        return "<timestamp>"
    if isinstance(v, memoryview):
        v = bytes(v)
    return repr(v)


def _pg_ident(name):
    return '"%s"' % name.replace('"', '""')


def _rows(cursor, tables, quote):
    """Each table's rows, sorted; ``tables`` holds names for ``quote``, or
    (label, quoted name) pairs when ``quote`` is None."""
    out = []
    for table in tables:
        if quote is None:
            table, quoted = table
        else:
            quoted = quote(table)
        cursor.execute("SELECT * FROM %s" % quoted)
        cols = [d[0] for d in cursor.description]
        rows = sorted(
            "(" + ", ".join(_value(v) for v in row) + ")" for row in cursor.fetchall()
        )
        out.append("%s: %s" % (table, ", ".join(cols)))
        out.extend("  " + r for r in rows)
    return "\n".join(out)


def version_rows(rows):
    """The version rows sorted, a NULL (a hand-made table) first."""
    return sorted((r[0] for r in rows), key=lambda v: (v is not None, v or ""))


def dump_sqlite(u, version_table, version_schema):
    import sqlite3

    path = u.database
    if not path or path == ":memory:" or not os.path.exists(path):
        # Nothing has created the file yet (SQLite creates it on the first
        # connection); opening it read-only here never creates it.
        return {"versions": None, "schema": "<no database file>", "data": ""}
    conn = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        cur = conn.cursor()
        cur.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
        )
        master = cur.fetchall()
        schema = "\n".join(
            "%s|%s|%s|%s" % (t, n, tb, sql if sql is not None else "<null>")
            for t, n, tb, sql in master
        )
        names = {n for t, n, _, _ in master if t == "table"}
        versions = None
        if version_table in names:
            cur.execute("SELECT version_num FROM %s" % _pg_ident(version_table))
            versions = version_rows(cur.fetchall())
        tables = sorted(
            n
            for n in names
            if n != version_table and not n.startswith("sqlite_")
        )
        data = _rows(cur, tables, _pg_ident)
        return {"versions": versions, "schema": schema, "data": data}
    finally:
        conn.close()


_PG_DROP = re.compile(r"^(--|SET |SELECT pg_catalog\.set_config\(|\\restrict |\\unrestrict )")


_PG_CACHE = {}


def _pg_fingerprint(cur):
    # (row count, newest xmin) of every per-database catalog: any DDL
    # inserts, updates or deletes catalog rows, and every insert or update
    # carries a transaction id newer than all earlier ones, so an unchanged
    # fingerprint means an unchanged schema (and pg_dump, ~0.3 s, is skipped).
    # ANALYZE or autovacuum only cause a harmless re-dump.
    cur.execute(
        "SELECT c.relname FROM pg_catalog.pg_class c "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'pg_catalog' AND c.relkind = 'r' "
        "AND NOT c.relisshared ORDER BY 1"
    )
    catalogs = [r[0] for r in cur.fetchall()]
    cur.execute(
        " UNION ALL ".join(
            "SELECT '%s', count(*), max(xmin::text::bigint) FROM pg_catalog.%s"
            % (c, c)
            for c in catalogs
        )
    )
    return tuple(sorted(cur.fetchall()))


def _pg_dump(u):
    env = dict(os.environ)
    if u.password:
        env["PGPASSWORD"] = u.password
    cmd = [
        "pg_dump",
        "--schema-only",
        "--no-owner",
        "--no-privileges",
        "-h",
        u.host or "127.0.0.1",
        "-p",
        str(u.port or 5432),
        "-U",
        u.username or "root",
        u.database,
    ]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        raise RuntimeError("pg_dump failed: %s" % p.stderr.strip())
    return "\n".join(
        line
        for line in p.stdout.splitlines()
        if line.strip() and not _PG_DROP.match(line)
    )


def dump_postgres(u, version_table, version_schema):
    import psycopg2

    conn = psycopg2.connect(
        host=u.host or "127.0.0.1",
        port=u.port or 5432,
        user=u.username or "root",
        password=u.password or None,
        dbname=u.database,
    )
    try:
        conn.autocommit = True
        cur = conn.cursor()
        key = str(u)
        fingerprint = _pg_fingerprint(cur)
        cached = _PG_CACHE.get(key)
        if cached and cached[0] == fingerprint:
            schema = cached[1]
        else:
            schema = _pg_dump(u)
            _PG_CACHE[key] = (fingerprint, schema)
        vschema = version_schema or "public"
        cur.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_type = 'BASE TABLE' "
            "AND table_schema NOT IN ('pg_catalog', 'information_schema') "
            "ORDER BY table_schema, table_name"
        )
        found = cur.fetchall()
        versions = None
        if (vschema, version_table) in found:
            cur.execute("SELECT version_num FROM %s.%s" % (_pg_ident(vschema), _pg_ident(version_table)))
            versions = version_rows(cur.fetchall())
        # (label, quoted name) pairs: a name may hold a dot or a quote
        tables = [
            (t if s == "public" else "%s.%s" % (s, t), "%s.%s" % (_pg_ident(s), _pg_ident(t)))
            for s, t in found
            if (s, t) != (vschema, version_table)
        ]
        data = _rows(cur, tables, None)
        return {"versions": versions, "schema": schema, "data": data}
    finally:
        conn.close()


_AUTO_INC = re.compile(r" AUTO_INCREMENT=\d+")


def _my_ident(name):
    return "`%s`" % name.replace("`", "``")


def dump_mysql(u, version_table, version_schema):
    import pymysql

    conn = pymysql.connect(
        host=u.host or "127.0.0.1",
        port=u.port or 3306,
        user=u.username or "root",
        password=u.password or "",
        database=u.database,
        charset="utf8mb4",
    )
    try:
        cur = conn.cursor()
        cur.execute("SHOW FULL TABLES")
        found = sorted((r[0], r[1]) for r in cur.fetchall())
        parts = []
        for name, kind in found:
            if kind == "VIEW":
                cur.execute("SHOW CREATE VIEW %s" % _my_ident(name))
            else:
                cur.execute("SHOW CREATE TABLE %s" % _my_ident(name))
            parts.append(_AUTO_INC.sub("", cur.fetchone()[1]))
        schema = "\n".join(parts)
        names = {n for n, k in found if k != "VIEW"}
        vschema = version_schema
        versions = None
        vt = _my_ident(version_table)
        if vschema:
            vt = "%s.%s" % (_my_ident(vschema), vt)
            cur.execute(
                "SELECT COUNT(*) FROM information_schema.tables "
                "WHERE table_schema = %s AND table_name = %s",
                (vschema, version_table),
            )
            exists = cur.fetchone()[0] > 0
        else:
            exists = version_table in names
        if exists:
            cur.execute("SELECT version_num FROM %s" % vt)
            versions = version_rows(cur.fetchall())
        tables = sorted(n for n in names if vschema or n != version_table)
        data = _rows(cur, tables, _my_ident)
        return {"versions": versions, "schema": schema, "data": data}
    finally:
        conn.close()


def dump(url, version_table="alembic_version", version_schema=None):
    u = _Url(url)
    backend = u.backend
    if backend == "sqlite":
        return dump_sqlite(u, version_table, version_schema)
    if backend == "postgresql":
        return dump_postgres(u, version_table, version_schema)
    if backend in ("mysql", "mariadb"):
        return dump_mysql(u, version_table, version_schema)
    raise ValueError("no dump for backend %r" % backend)


def _exit_status(code):
    # What the interpreter does with SystemExit's argument.
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    try:
        sys.stderr.write(str(code) + "\n")
    except Exception:
        pass
    return 1


def _child(req, out_path, err_path):
    status = 1
    try:
        os.chdir(req["cwd"])
        os.environ.clear()
        os.environ.update(req["env"])
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        out = os.open(out_path, os.O_WRONLY | os.O_TRUNC)
        err = os.open(err_path, os.O_WRONLY | os.O_TRUNC)
        os.dup2(out, 1)
        os.dup2(err, 2)
        for fd in (null, out, err):
            os.close(fd)
        # `python -m` puts the working directory first on sys.path.
        sys.path[0] = os.getcwd()
        sys.argv = ["-m"] + list(req["argv"])
        import runpy

        try:
            runpy.run_module("alembic", run_name="__main__", alter_sys=True)
            status = 0
        except SystemExit as e:
            status = _exit_status(e.code)
        except BaseException:
            sys.excepthook(*sys.exc_info())
            status = 1
        import atexit

        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                status = 120
    finally:
        os._exit(status)


def run(req):
    fd_out, out_path = tempfile.mkstemp(prefix="oracle-out-")
    fd_err, err_path = tempfile.mkstemp(prefix="oracle-err-")
    os.close(fd_out)
    os.close(fd_err)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _child(req, out_path, err_path)
        deadline = time.monotonic() + float(req.get("timeout", 300))
        delay = 0.001
        timed_out = False
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() > deadline:
                os.kill(pid, 9)
                _, status = os.waitpid(pid, 0)
                timed_out = True
                break
            time.sleep(delay)
            delay = min(delay * 2, 0.02)
        code = os.waitstatus_to_exitcode(status)
        with open(out_path, encoding="utf-8", errors="replace") as f:
            stdout = f.read()
        with open(err_path, encoding="utf-8", errors="replace") as f:
            stderr = f.read()
        if timed_out:
            stderr += "\n<killed by the oracle server after %ss>\n" % req.get("timeout", 300)
        return {"code": code, "stdout": stdout, "stderr": stderr}
    finally:
        os.unlink(out_path)
        os.unlink(err_path)


_warm = False


def _warm_up():
    # The imports a `python -m alembic` online command needs, done once in
    # the server (at its first "run", so a dump-only server stays light);
    # nothing runs that a fresh process would not also run on import.
    global _warm
    if _warm:
        return
    _warm = True
    import alembic.command  # noqa: F401
    import alembic.config  # noqa: F401
    import alembic.op  # noqa: F401
    import alembic.context  # noqa: F401
    import alembic.runtime.migration  # noqa: F401
    import alembic.ddl  # noqa: F401
    import logging.config  # noqa: F401
    import sqlalchemy  # noqa: F401
    import sqlalchemy.dialects.sqlite  # noqa: F401
    import sqlalchemy.dialects.postgresql  # noqa: F401
    import sqlalchemy.dialects.mysql  # noqa: F401

    for mod in ("psycopg2", "pymysql", "sqlite3"):
        try:
            __import__(mod)
        except ImportError:
            pass


def serve():
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        try:
            if req["op"] == "run":
                _warm_up()
                resp = run(req)
            elif req["op"] == "dump":
                resp = dump(
                    req["url"],
                    req.get("version_table") or "alembic_version",
                    req.get("version_schema"),
                )
            else:
                resp = {"error": "unknown op %r" % req["op"]}
        except Exception as e:  # reported to the harness, which panics
            resp = {"error": "%s: %s" % (type(e).__name__, e)}
        sys.stdout.write(json.dumps(resp) + "\n")
        sys.stdout.flush()


def main(argv):
    if argv[:1] == ["--serve"]:
        serve()
        return
    import argparse

    p = argparse.ArgumentParser()
    p.add_argument("url")
    p.add_argument("--version-table", default="alembic_version")
    p.add_argument("--version-schema", default=None)
    a = p.parse_args(argv)
    json.dump(dump(a.url, a.version_table, a.version_schema), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
