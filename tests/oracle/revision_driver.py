"""Answers revision-graph questions with Alembic's own RevisionMap.

Reads JSON from stdin: a list of cases, each
    {"revisions": [{"id", "down": [...], "deps": [...], "labels": [...]}],
     "queries": [[kind, *args], ...]}
and writes a JSON list (one entry per case) of answer lists, each answer
{"ok": ...} or {"err": [exception class name, str(exception)]}.

No files and no database: the graph is built from Revision objects, so this
checks the graph layer alone (resolution, walks, planning) against Alembic.
"""
import json
import sys
import warnings

from alembic.script.base import ScriptDirectory
from alembic.script.revision import Revision, RevisionMap
from alembic.util import to_tuple


def scalar(v):
    if not v:
        return None
    return v[0] if len(v) == 1 else tuple(v)


def name(r):
    if r is None:
        return None
    if isinstance(r, str):
        return r
    return r.revision


def answer(rmap, sd, q):
    kind, args = q[0], q[1:]
    if kind == "graph":
        return {
            "heads": list(rmap.heads),
            "real_heads": list(rmap._real_heads),
            "bases": list(rmap.bases),
            "labels": {r.revision: sorted(r.branch_labels) for r in rmap._revision_map.values() if r is not None},
        }
    if kind == "get_revisions":
        return [name(r) for r in rmap.get_revisions(args[0])]
    if kind == "iterate":
        upper, lower, implicit_base, inclusive, assert_rel, downgrade = args
        return [r.revision for r in rmap.iterate_revisions(
            scalar(upper) if isinstance(upper, list) else upper,
            scalar(lower) if isinstance(lower, list) else lower,
            implicit_base=implicit_base, inclusive=inclusive,
            assert_relative_length=assert_rel, select_for_downgrade=downgrade)]
    if kind == "stamp":
        targets, heads = args
        steps = sd._stamp_revs(tuple(targets), tuple(heads))
        return [[sorted(s.from_revisions), list(s.to_revisions), s.is_upgrade, s.branch_move] for s in steps]
    raise ValueError(kind)


def main():
    cases = json.load(sys.stdin)
    out = []
    for case in cases:
        revs = [Revision(r["id"], scalar(r["down"]), dependencies=scalar(r["deps"]),
                         branch_labels=tuple(r["labels"])) for r in case["revisions"]]
        answers = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rmap = RevisionMap(lambda: revs)
            sd = object.__new__(ScriptDirectory)
            sd.revision_map = rmap
            try:
                rmap.heads
            except Exception as e:  # a broken generated graph: report it once
                out.append([{"err": [type(e).__name__, str(e)]}] * len(case["queries"]))
                continue
            for q in case["queries"]:
                try:
                    answers.append({"ok": answer(rmap, sd, q)})
                except Exception as e:
                    answers.append({"err": [type(e).__name__, str(e)]})
        out.append(answers)
    json.dump(out, sys.stdout)


main()
