"""Runs many Alembic CLI invocations in one process (fast), each as a fresh
command line would: stdout/stderr captured, SystemExit turned into an exit
code, an uncaught exception printed as the interpreter would (exit 1).

stdin: {"cwd": ..., "prog": "alembic-rs", "commands": [[argv...], ...]}
stdout: [{"stdout", "stderr", "code"}, ...]
"""
import io
import json
import os
import sys
import traceback
import warnings

from alembic.config import CommandLine, Config

# Config binds `stdout=sys.stdout` as a default argument at import time;
# point each new Config at the stream captured for the current command.
_init = Config.__init__


def _init_with_current_stdout(self, *a, **kw):
    _init(self, *a, **kw)
    self.stdout = sys.stdout


Config.__init__ = _init_with_current_stdout


def run(prog, argv):
    out, err = io.StringIO(), io.StringIO()
    real = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    code = 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            CommandLine(prog=prog).main(argv=argv)
    except SystemExit as e:
        c = e.code
        code = 0 if c is None else (c % 256 if isinstance(c, int) else 1)
        if not isinstance(c, (int, type(None))):
            err.write(str(c) + "\n")
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        sys.stdout, sys.stderr = real
    return {"stdout": out.getvalue(), "stderr": err.getvalue(), "code": code}


def main():
    req = json.load(sys.stdin)
    os.chdir(req["cwd"])
    json.dump([run(req.get("prog", "alembic-rs"), c) for c in req["commands"]], sys.stdout)


main()
