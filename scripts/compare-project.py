#!/usr/bin/env python3
"""Run a whole Alembic project (its own alembic.ini, env.py, script.py.mako and
versions/) through real Alembic and alembic-rs and compare what a user sees: for
projects `alembic init`-ed by older Alembic releases (old env.py, alembic.ini and
script.py.mako variants), which users run today under Alembic 1.20.1.

Usage:
    scripts/compare-project.py --project /tmp/old24/gen/1.4.3-generic --db postgresql \\
        --name a143 [--venv .venv-oracle] [--step 'ARGS' ...] [--keep]

  --project  a directory holding alembic.ini (the project as `alembic init` left it,
             plus whatever env.py imports beside it). Each tool gets its own copy under
             /tmp/cp-NAME-DB/{oracle,rs}/ (databases and __pycache__ left out).
  --db       sqlite | postgresql | mysql (MariaDB). Every `sqlalchemy.url = ...` line of
             the copied alembic.ini is pointed at a fresh database of its own (the N-th
             line at database N: multidb's [engine1]/[engine2] sections get two): a file
             beside alembic.ini, or a server database old24_NAME_DB_N_TOOL (dropped before
             and, unless --keep, after). A URL that named an async driver
             (`sqlite+aiosqlite`, `postgresql+asyncpg`, ...) gets the async driver of
             the database chosen (aiosqlite, asyncpg, asyncmy).
  --venv     the virtualenv both tools run with (VIRTUAL_ENV, activated; the oracle as
             `VENV/bin/python -m alembic`): by default this checkout's .venv-oracle
             (Alembic 1.20.1, SQLAlchemy 2.1, the drivers).
  --step     replaces the default command sequence (one command line per --step).
             A step starting with `!` is a shell command instead (run with `sh -c` in the
             tool's copy, the venv activated), for recipes that call the tool from a
             script: $ALEMBIC is the tool's command line (`VENV/bin/python -m alembic` or
             the alembic-rs binary), $ALEMBIC_TOOL `oracle` or `rs`, $DATABASE_URL the
             first database's URL. Compared as a command step.

Default sequence: the graph commands (`heads`, `branches`, `history -v`, `show heads`),
`current`, `upgrade heads --sql`, `upgrade heads`, `current -v`, `history -i`, `check`,
`revision --autogenerate -m auto` (the project's own script.py.mako), `upgrade heads`,
`check`, `downgrade base`, `stamp heads`, `revision -m root --head base --branch-label
extra`, `merge heads -m merged`, `revision -m new` (each with a fixed `--rev-id`: the order Alembic walks a branched graph
in depends on the ids), `heads`, `branches`, `history -r base:heads`, `downgrade base`,
`upgrade heads`, `current`, `downgrade base`. (No `downgrade ...:base --sql` over a merge:
which parent Alembic's unmerge step inserts and which it updates to is a set order,
varying with PYTHONHASHSEED; docs/differences.md.)

Compared after each step, as scripts/compare-tree.py compares (its normalisation
is imported from it: timestamps, temporary paths, new revision ids -> <rev-N>,
Alembic's and alembic-rs's own traceback frames): exit status, stdout, stderr, every
database's schema, data and version rows, and the files the step wrote or changed
anywhere in the project (new revision files, multidb's `engine1.sql` from `--sql`).
Several branch labels of one revision (`(audit, extra)` in `heads`, `history`) and the ids
of `branches`' `Branches into:` are sorted in both tools' stdout (Alembic prints a set's
order; docs/differences.md).
Exit status: 0 when every step is identical (or ORDER), 1 otherwise.
"""
import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_spec = importlib.util.spec_from_file_location("compare_tree", os.path.join(ROOT, "scripts", "compare-tree.py"))
ct = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ct)

URL_LINE = re.compile(r"(?m)^(sqlalchemy\.url\s*=\s*)(.*)$")
# several branch labels of one revision, `(audit, extra)`: Alembic prints a set, in
# PYTHONHASHSEED order, alembic-rs in load order (docs/differences.md): sorted in both
LABELS = re.compile(r"\(([\w-]+(?:, [\w-]+)+)\)")
# `branches`' "Branches into: a, b": also a set in Alembic (docs/differences.md): sorted in both
# (the child lines under it then compare as ORDER)
BRANCHES_INTO = re.compile(r"(?m)^(Branches into: )(.*)$")
ASYNC = {"sqlite": "sqlite+aiosqlite://", "postgresql": "postgresql+asyncpg://",
         "mysql": "mysql+asyncmy://"}


def copy_project(src, dst):
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(
        "__pycache__", "*.db", "*.pyc", "*.sql"))


def set_urls(workdir, kind, name, tool):
    """Points each sqlalchemy.url line of alembic.ini at a database of its own."""
    path = os.path.join(workdir, "alembic.ini")
    with open(path) as f:
        ini = f.read()
    dbs = []

    def repl(m):
        n = len(dbs) + 1
        sub = workdir if n == 1 else os.path.join(workdir, "db%d" % n)
        os.makedirs(sub, exist_ok=True)
        db = ct.Db(kind, "%s_%d" % (name, n), tool, sub, "alembic_version")
        if kind != "sqlite":
            db.name = "old24_%s_%d_%s" % (name, n, tool)
            db.url = db.url.rsplit("/", 1)[0] + "/" + db.name + ("?charset=utf8mb4" if kind == "mysql" else "")
        dbs.append(db)
        url = db.url
        old = m.group(2).strip()
        if "+aiosqlite" in old or "+asyncpg" in old or "+asyncmy" in old or "+aiomysql" in old:
            url = ASYNC[kind] + url.split("://", 1)[1]
        db.url = url
        return m.group(1) + url.replace("%", "%%")

    ini = URL_LINE.sub(repl, ini)
    if not dbs:
        # no URL in alembic.ini (the pylons template's env.py reads the application's):
        # a database to dump all the same
        dbs.append(ct.Db("sqlite", name, tool, workdir, "alembic_version"))
    with open(path, "w") as f:
        f.write(ini)
    return dbs


def run_shell(tool, command, workdir, venv, binary, db):
    """A `!` step: `command` through sh in the tool's copy, $ALEMBIC naming the tool."""
    env = {k: v for k, v in os.environ.items() if k not in ("ALEMBIC_CONFIG", "VIRTUAL_ENV")}
    env.update(PYTHONDONTWRITEBYTECODE="1", VIRTUAL_ENV=venv, ALEMBIC_TOOL=tool, DATABASE_URL=db.url,
               PATH=os.path.join(venv, "bin") + os.pathsep + env.get("PATH", ""))
    env["ALEMBIC"] = ("%s -m alembic" % os.path.join(venv, "bin", "python")) if tool == "oracle" else binary
    p = subprocess.run(["sh", "-c", command], cwd=workdir, env=env, stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=1800)
    return p.returncode, p.stdout, p.stderr


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--project", required=True)
    ap.add_argument("--db", required=True, choices=["sqlite", "postgresql", "mysql"])
    ap.add_argument("--name", required=True)
    ap.add_argument("--venv", default=os.path.join(ROOT, ".venv-oracle"))
    ap.add_argument("--alembic-rs", default=os.path.join(ROOT, "target", "release", "alembic-rs"))
    ap.add_argument("--step", action="append")
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    venv = os.path.abspath(a.venv)
    if a.step:
        steps = [[s] if s.startswith("!") else s.split() for s in a.step]
    else:
        steps = [["heads"], ["branches"], ["history", "-v"], ["show", "heads"], ["current"],
                 ["upgrade", "heads", "--sql"], ["upgrade", "heads"], ["current", "-v"],
                 ["history", "-i"], ["check"],
                 ["revision", "--autogenerate", "-m", "auto", "--rev-id", "0ld24a000001"],
                 ["upgrade", "heads"], ["check"], ["downgrade", "base"], ["stamp", "heads"],
                 ["revision", "-m", "root", "--head", "base", "--branch-label", "extra",
                  "--rev-id", "0ld24a000002"],
                 ["merge", "heads", "-m", "merged", "--rev-id", "0ld24a000003"],
                 ["revision", "-m", "new", "--rev-id", "0ld24a000004"],
                 ["heads"], ["branches"], ["history", "-r", "base:heads"], ["downgrade", "base"],
                 ["upgrade", "heads"], ["current"], ["downgrade", "base"]]
    top = "/tmp/cp-%s-%s" % (a.name, a.db)
    shutil.rmtree(top, ignore_errors=True)
    tools = {}
    for tool in ("oracle", "rs"):
        workdir = os.path.join(top, tool)
        copy_project(a.project, workdir)
        dbs = set_urls(workdir, a.db, "%s_%s" % (re.sub(r"\W", "_", a.name), a.db), tool)
        for db in dbs:
            db.create()
        repl = [(workdir, "<dir>"), (os.path.realpath(workdir), "<dir>"), (venv, "<venv>")]
        for n, db in enumerate(dbs, 1):
            repl[:0] = [(db.url, "<url%d>" % n), (db.name, "<db%d>" % n)]
        tools[tool] = (workdir, dbs, repl)
    print("project %s on %s" % (a.project, a.db))
    failures = 0
    for n, argv in enumerate(steps, 1):
        results, files = {}, {}
        for tool, (workdir, dbs, repl) in tools.items():
            before = ct.snapshot([workdir])
            if argv[0].startswith("!"):
                code, out, err = run_shell(tool, argv[0][1:], workdir, venv, a.alembic_rs, dbs[0])
            else:
                code, out, err, pid = ct.run(tool, argv, workdir, venv, a.alembic_rs, [], dbs[0])
            after = ct.snapshot([workdir])
            written = [p for p in ct.written_files(before, after, repl, out)
                       if not p.endswith(".db") and not p.endswith("-journal")]
            dump = "".join("--- database %d\n%s" % (i, db.dump()) for i, db in enumerate(dbs, 1))
            for ext, text in (("out", out), ("err", err), ("dump", dump)):
                with open(os.path.join(top, "%s.%d.%s" % (tool, n, ext)), "w") as f:
                    f.write(text)
            out = LABELS.sub(lambda m: "(%s)" % ", ".join(sorted(m.group(1).split(", "))), out)
            out = BRANCHES_INTO.sub(lambda m: m.group(1) + ", ".join(sorted(m.group(2).split(", "))), out)
            results[tool] = [str(code)] + [ct.normalise(t, repl) for t in (out, err, dump)]
            files[tool] = {ct.normalise(p, repl): ct.normalise(after[p][1].decode("utf-8", "replace"), repl)
                           for p in written}
        verdicts = [ct.compare("%d.%s" % (n, part), o, r)
                    for part, o, r in zip(("exit", "stdout", "stderr", "dump"),
                                          results["oracle"], results["rs"])]
        names = sorted(set(files["oracle"]) | set(files["rs"]))
        fv = [ct.compare("%d.%s" % (n, p), files["oracle"].get(p, "<not written>"),
                         files["rs"].get(p, "<not written>")) for p in names]
        fverdict = "DIFF" if "DIFF" in fv else "ORDER" if "ORDER" in fv else "same"
        ok = "DIFF" not in verdicts and fverdict != "DIFF"
        failures += not ok
        print("step %d %-28s exit %s/%s  stdout %s  stderr %s  dump %s  files %d %s  %s" % (
            n, " ".join(argv), results["oracle"][0], results["rs"][0], *verdicts[1:4],
            len(names), fverdict, "OK" if ok else "DIVERGES"), flush=True)
    if not a.keep:
        for _, dbs, _ in tools.values():
            for db in dbs:
                db.drop()
    print("%s: %s (%d steps, outputs under %s)" % (
        a.name, "identical" if not failures else "%d step(s) diverge" % failures,
        len(steps), top))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
