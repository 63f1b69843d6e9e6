"""The CPython side of tests/robustness.rs: what Alembic would read.

Reads file paths from argv[1] (one per line), writes one JSON line per
file to the file argv[2] (stdout is the modules' own). Each file is compiled; when it compiles it is executed in a
fresh module namespace (as Alembic's import would), with a time limit, in a
scratch working directory, and the module's `revision`, `down_revision`,
`branch_labels`, `depends_on` and `__doc__` are reported with their types.
"""
import json
import signal
import sys
import types
import warnings

warnings.simplefilter("ignore")


class Timeout(BaseException):
    pass


def _alarm(signum, frame):
    raise Timeout()


signal.signal(signal.SIGALRM, _alarm)

MISSING = object()


def enc(v):
    if v is MISSING:
        return {"missing": True}
    if v is None:
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, (tuple, list)):
        return {"seq": [enc(x) for x in v]}
    if isinstance(v, (set, frozenset)):
        return {"set": sorted((enc(x) for x in v), key=repr)}
    return {"type": type(v).__name__}


def main():
    paths = open(sys.argv[1], encoding="utf-8").read().splitlines()
    out = open(sys.argv[2], "w", encoding="utf-8")
    for path in paths:
        with open(path, "rb") as f:
            data = f.read()
        try:
            code = compile(data, path, "exec", dont_inherit=True)
        except SyntaxError as e:
            out.write(json.dumps({"syntax": [e.lineno or 0, str(e.msg)]}) + "\n")
            continue
        except (ValueError, UnicodeDecodeError) as e:
            out.write(json.dumps({"syntax": [0, type(e).__name__ + ": " + str(e)]}) + "\n")
            continue
        mod = types.ModuleType("rev_under_test")
        mod.__file__ = path
        ns = mod.__dict__
        signal.setitimer(signal.ITIMER_REAL, 0.5)
        try:
            try:
                exec(code, ns)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        except BaseException as e:  # noqa: B036 - anything the module raises
            out.write(json.dumps({"exc": type(e).__name__}) + "\n")
            continue
        res = {}
        for name in ("revision", "down_revision", "branch_labels", "depends_on", "__doc__"):
            try:
                res[name] = enc(getattr(mod, name, MISSING))
            except BaseException as e:  # a module __getattr__
                res[name] = {"type": "raised " + type(e).__name__}
        out.write(json.dumps({"ok": res}) + "\n")
        out.flush()


main()
