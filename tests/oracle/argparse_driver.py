"""Oracle for alembic-rs's argument parser: runs argv vectors through the
argparse layer of Alembic's own CLI (``alembic.config.CommandLine``) without
running any command.

Reads one JSON object on stdin::

    {"version": "%(prog)s ...",            # replaces the --version text
     "cases": [{"prog": "alembic-rs", "argv": [...], "columns": 80 | null}],
     "textwrap": [["text", width], ...]}   # optional: textwrap.wrap() checks

and writes one JSON object on stdout::

    {"cases": [{"stdout": ..., "stderr": ..., "code": int,
                "ns": {"cmd": "upgrade", ...} | null}],
     "textwrap": [[line, ...], ...]}

``columns`` null means COLUMNS unset (stdout is a pipe, so argparse uses 80).
``ns`` is the parsed namespace (only when parsing succeeded), with the
``cmd`` tuple replaced by the command function's name. Like
``CommandLine.main``, a namespace without ``cmd`` is "too few arguments".
"""

import argparse
import contextlib
import io
import json
import os
import sys
import textwrap

from alembic.config import CommandLine


_parsers = {}


def command_line(prog, version):
    # argparse parsers are reusable; the width is read when formatting.
    if prog not in _parsers:
        cl = CommandLine(prog=prog)
        if version is not None:
            for action in cl.parser._actions:
                if isinstance(action, argparse._VersionAction):
                    action.version = version
        _parsers[prog] = cl
    return _parsers[prog]


def run_case(case, version):
    columns = case.get("columns")
    if columns is None:
        os.environ.pop("COLUMNS", None)
    else:
        os.environ["COLUMNS"] = str(columns)
    out, err = io.StringIO(), io.StringIO()
    ns = None
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            cl = command_line(case["prog"], version)
            options = cl.parser.parse_args(case["argv"])
            if not hasattr(options, "cmd"):
                cl.parser.error("too few arguments")
            ns = dict(vars(options))
            fn, positional, kwarg = ns["cmd"]
            ns["cmd"] = fn.__name__
            # what env.py sees as config.cmd_opts: the attribute order and
            # the command's signature
            ns["@order"] = list(ns)
            ns["@signature"] = [positional, kwarg]
        except SystemExit as e:
            if e.code is None:
                code = 0
            elif isinstance(e.code, int):
                code = e.code
            else:
                code = 1
    return {
        "stdout": out.getvalue(),
        "stderr": err.getvalue(),
        "code": code,
        "ns": ns,
    }


def main():
    request = json.load(sys.stdin)
    version = request.get("version")
    result = {
        "cases": [run_case(c, version) for c in request.get("cases", [])],
        "textwrap": [
            textwrap.wrap(text, width)
            for text, width in request.get("textwrap", [])
        ],
    }
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
