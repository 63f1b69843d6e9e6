#!/usr/bin/env python3
"""Randomized differential testing of the CLI's graph and authoring commands:
Alembic against alembic-rs on random project trees and random command lines.

The generator (stdlib only) writes a project: alembic.ini (Alembic's generic
template with random `[alembic]` settings: one to three `version_locations`
under every `path_separator` spelling, the legacy `version_path_separator`,
`recursive_version_locations` with sub-directories, `file_template`,
`truncate_slug_length`, `timezone`), the generic env.py and script.py.mako
(from templates/generic; offline mode renders `--sql` without a server), and
a revision graph: linear runs, branch points, merges of two or three heads,
several bases, `branch_labels` as str/list/tuple, `depends_on` naming ids or
labels, ids of mixed shapes (hex, short, numeric-looking, one id a prefix of
another). Each file is written in a random style: docstring absent, one
line, Alembic's own, multi-paragraph, unicode, raw, escapes, implicit
concatenation, lying `Revises:` lines, not first; annotated or plain
metadata, str/tuple/list spellings, comments, CRLF line ends, a BOM, a
coding line, now and then a non-literal `down_revision`; junk beside the
revisions (`__init__.py`, `README.txt`, an editor lock file). A seed gives
the same project; the first K revisions of N are the graph of K
(`--revisions K`, used by --minimise).

Commands (~60 per seed, from the seed): heads (-v,
--resolve-dependencies), branches (-v), history (-v, -r with every range
form: `a:b`, `:b`, `a:`, `-3:`, `base:heads`, `lbl@base:lbl@head`,
relative and partial ids), show (ids, partial and ambiguous prefixes,
labels, head/heads/base, `lbl@head`, relative), upgrade/downgrade/stamp
`--sql` (every target form, `--tag`, `--purge`, several targets), revision
(-m, --head, --splice, --branch-label, --depends-on, --version-path,
--rev-id, --sql) and merge (heads, explicit ids, -m, --branch-label,
--rev-id), global options (-c, -n, -x, -q, --raiseerr), argument errors.
revision/merge run on a fresh copy of the project per command and tool;
the files written are compared too. From seed 200 (EDIT_FROM) also: `edit`
of every target form with the editor in the environment (EDITOR/VISUAL
naming the project's fzbin/ scripts by path or by a bare name on PATH, an
editor exiting 3, a directory, a file without the execute bit, a missing
one with a PATH holding no editor, an empty EDITOR; the editor appends to
the file it is given and logs its path, so the files opened and their
order are compared), `edit current` after an online upgrade or
`stamp base`, `ensure_version` (`--sql`, and online), `list_templates`,
and `check` / `revision --autogenerate` (the generic env.py has no
metadata). A command line's leading `@env:NAME=value` words set its
environment (`@env:NAME` unsets NAME).

Usage:
    # write one project and print its command lines
    scripts/fuzz-cli.py gen --seed 7 --out /tmp/fzc-p [--revisions K]

    # compare the tools on seeds 1..50
    scripts/fuzz-cli.py run --seeds 1-50 [--revisions K] [--keep] [--stop]
        [--minimise] [--subprocess] [--only heads,history,...]

  --keep        keep every project (else only the ones that differ)
  --minimise    for each differing command, the smallest K (first K
                revisions) that still differs: `gen --seed S --revisions K`
  --subprocess  run every Alembic command as its own `python -m alembic`
                process (default: one Python process per seed runs them all,
                as tests/oracle/run_oracle.py does; a difference found that way
                is re-run as a process before it is reported)
  --only        only commands whose first word is listed

Compared: exit code, stdout, stderr, and for revision/merge every file of the
copy. Normalised: the project path, the `Create Date:` timestamp (in files and
file names made from date tokens), the id `revision`/`merge` generate when no
--rev-id is given, epoch seconds in file names, a traceback's body (exit 1:
its last line is compared, docs/architecture.md), the source location Python
prints before a warning, 0x addresses, and the orders docs/differences.md
lists as Python set orders (ids on `Branches into:`, child lines under a
branch point, several labels in parentheses, the revisions of an overlap
error). alembic-rs runs as `alembic` (a symlink), so usage lines match.

Also compared as sets: a merge step's DELETE/UPDATE statements on the
version table (which parent row Alembic keeps is a set order). A difference
is confirmed with a real `python -m alembic` process, then retried under
PYTHONHASHSEED 1-8: a match there is counted as Alembic's set order, not
reported. Commands time out after $FUZZ_TIMEOUT seconds (default 60; exit
124, "TIMEOUT").

Runs so far (session 13, 2 shared cores, 20-120 s a seed): seeds 1-89, about
5,300 command lines. Found and fixed: an empty identifier (`show ''`,
`upgrade :x --sql`: Alembic's AssertionError); a merge that also depends_on
a common ancestor (Alembic's HeadMaintainer runs the DELETEs, then KeyError;
fixture merge_depends_on_ancestor); `downgrade lbl@-1` on an empty database
(AssertionError, not TypeError). Documented (docs/differences.md): several
depends_on in set order; an unreadable revision file reported before a
target error; Alembic hanging on `revision --rev-id X --head X
--branch-label L` (seed 44). `current` with several heads prints them
in set order (seed 83): its stdout is compared as a multiset of lines.
Session 16: seeds 90-105 (1,122 command lines): two differences, both
documented (seed 102: an unreadable file with a relative `history -r`
target; 103: the `--head X --branch-label` self-loop Alembic hangs on).
Session 19 (load ~14): seeds 126-136 (765 command lines) and, with the
`edit`/`ensure_version`/`list_templates`/`check` commands, 200-209 (840):
identical (8 lines matched Alembic under another PYTHONHASHSEED); `edit`
with editors the fuzzer does not draw (killed by a signal, a bad
interpreter, not executable, a broken symlink, a file in the working
directory, `vi -x`) compared by hand: identical.
Session 21 (fz4): seeds 215-226 (998 command lines): seed 221 differs
in three commands, all the documented unreadable-file row (a helpers.py
without `revision` in the versions directory, read before `history
-r0005:-1`'s relative-target error and under `ensure_version`, online and
`--sql`); nothing else. Then 227-230 (341 command lines): identical (8
matched Alembic under another PYTHONHASHSEED).
Session 22 (fz5): seeds 231-246 (1,355 command lines): seed 238 differs
in one command, the documented `--rev-id` hang (`revision --rev-id X
--head heads --branch-label L --depends-on 0` with X a revision below the
head: Alembic times out; alembic-rs writes the file and warns). The files
left then made `history` differ (a label Alembic spreads down from the
dropped duplicate, by id): fixed, fixture online/fz_duplicate_id_label.

Environment: ALEMBIC_RS (binary; default target/release/alembic-rs of this
checkout), ORACLE_PYTHON (default .venv-oracle/bin/python), HOST_VENV
(VIRTUAL_ENV for alembic-rs; default .venv-oracle). Work directories are
/tmp/fzc-*.
"""

import argparse
import difflib
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
TEMPLATES = os.path.join(ROOT, "templates", "generic")

# `--seeds` parsing, shared with the other fuzz scripts.
_spec = importlib.util.spec_from_file_location(
    "fuzz_ops", os.path.join(ROOT, "scripts", "fuzz-ops.py"))
_ops = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_ops)
parse_seeds = _ops.parse_seeds

# ---------------------------------------------------------------------------
# the generator
# ---------------------------------------------------------------------------

HEX = "0123456789abcdef"
LABEL_WORDS = ["billing", "net", "core", "feature_x", "ab", "reports", "auth", "z9", "shop"]
MESSAGES = [
    "create account table", "add a column", "Ünïcödé mêssage ß", "merge", "x",
    "A very long message that will certainly need truncating because it goes on",
    "fix: 'quotes' and \"double\"", "tabs\tand  spaces", "100% done", "", "dots.in.it",
    "slash/and\\back", "日本語のメッセージ", "  leading and trailing  ",
]


class Rev:
    def __init__(self, rid, down, labels, deps):
        self.id = rid
        self.down = down
        self.labels = labels
        self.deps = deps
        self.anc = set()  # ancestors by down_revision


def new_id(rng, revs, style, i):
    taken = {r.id for r in revs}
    for _ in range(100):
        s = style if style != "mixed" else rng.choice(["hex", "short", "numeric", "prefix", "word"])
        if s == "prefix" and revs:
            base = rng.choice(revs).id
            if rng.random() < 0.3 and len(base) > 2:
                cand = base[:-1]
            else:
                cand = base + "".join(rng.choice(HEX) for _ in range(rng.randint(1, 3)))
        elif s == "numeric":
            cand = rng.choice(["%04d" % (i + 1), "%d" % rng.randint(1, 999),
                               "%03d" % rng.randint(0, 99), "1e%d" % rng.randint(1, 9)])
        elif s == "short":
            cand = "".join(rng.choice("abcdef0123") for _ in range(rng.randint(4, 6)))
        elif s == "word":
            cand = rng.choice(["rev_%d" % i, "r%02d" % i, "v%da" % i, "m%d_x" % i])
        else:
            cand = "".join(rng.choice(HEX) for _ in range(12))
        if cand not in taken and cand not in ("head", "heads", "base", "current"):
            return cand
    return "fz%d" % i


def gen_graph(seed, n):
    """Revisions in creation order (the first K of N are the graph of K)."""
    rng = random.Random(seed * 7919 + 17)
    style = rng.choice(["hex", "short", "numeric", "mixed", "mixed", "prefix"])
    revs, heads, labels_used = [], [], []
    label_no = 0
    for i in range(n):
        rid = new_id(rng, revs, style, i)
        down = []
        if revs and rng.random() > 0.1:
            r = rng.random()
            if len(heads) >= 2 and r < 0.3:
                down = rng.sample(heads, min(len(heads), rng.choice([2, 2, 3])))
            elif len(revs) >= 3 and r < 0.38:
                a, b = rng.sample(revs, 2)
                if a.id not in b.anc and b.id not in a.anc:
                    down = [a, b]
            if not down:
                down = [rng.choice(heads) if heads and rng.random() < 0.7 else rng.choice(revs)]
        labels = []
        if rng.random() < 0.15:
            for _ in range(rng.choice([1, 1, 2])):
                label_no += 1
                word = rng.choice(LABEL_WORDS)
                name = word if word not in labels_used else "%s%d" % (word, label_no)
                if rng.random() < 0.1 and revs:  # a label that looks like an id prefix
                    name = "%s%d" % (rng.choice(revs).id[:2], label_no)
                if name not in labels_used and name not in {r.id for r in revs} and name != rid:
                    labels.append(name)
                    labels_used.append(name)
        deps = []
        if len(revs) > 2 and rng.random() < 0.14:
            for _ in range(rng.choice([1, 1, 2])):
                t = rng.choice(revs)
                if t in down:
                    continue
                owned = [l for r in revs for l in r.labels if r is t]
                dep = rng.choice(owned) if owned and rng.random() < 0.4 else t.id
                if dep not in deps:
                    deps.append(dep)
        rev = Rev(rid, [d.id for d in down], labels, deps)
        for d in down:
            rev.anc |= d.anc | {d.id}
        heads = [h for h in heads if h not in down] + [rev]
        revs.append(rev)
    return revs


def settings(seed):
    rng = random.Random(seed * 31 + 5)
    s = {}
    s["locations"] = rng.choice([["migrations/versions"]] * 3 + [
        ["migrations/versions", "migrations/other"],
        ["migrations/versions", "more versions"],
        ["migrations/versions", "migrations/other", "third"],
        ["vers"],
    ])
    spaces = any(" " in l for l in s["locations"])
    s["set_locations"] = len(s["locations"]) > 1 or s["locations"] != ["migrations/versions"] \
        or rng.random() < 0.3
    seps = ["os", "newline", ";", ":"] + ([] if spaces else ["space", "legacy-space", "absent"])
    s["separator"] = rng.choice(seps)
    s["abs_locations"] = rng.random() < 0.6
    s["recursive"] = rng.choice([None, None, "true", "false"])
    s["file_template"] = rng.choice([
        None, None, "%%(rev)s_%%(slug)s",
        "%%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d-%%(rev)s_%%(slug)s",
        "%%(epoch)s_%%(rev)s_%%(slug)s", "%%(slug)s_%%(rev)s", "%%(rev)s",
    ])
    s["truncate"] = rng.choice([None, None, None, "10", "40", "0"])
    s["timezone"] = rng.choice([None, None, None, "UTC"])
    s["script_location"] = rng.choice(["%(here)s/migrations", "migrations"])
    s["style"] = rng.random()  # per-seed tendency of the file styles
    s["junk"] = rng.random() < 0.3
    s["broken"] = rng.choice([None] * 60 + ["helper_module"])
    return s


def ini_text(s):
    tpl = open(os.path.join(TEMPLATES, "alembic.ini.mako")).read()
    text = tpl.replace("${script_location}", s["script_location"])
    text = text.replace("sqlalchemy.url = driver://user:pass@localhost/dbname",
                        "sqlalchemy.url = sqlite:///%(here)s/app.db")
    extra = []
    sep = s["separator"]
    if sep == "legacy-space":
        text = text.replace("path_separator = os\n", "")
        sepchar = " "
    elif sep == "absent":
        text = text.replace("path_separator = os\n", "")
        sepchar = " "
    else:
        text = text.replace("path_separator = os\n", "path_separator = %s\n" % sep)
        sepchar = {"os": ":", "newline": "\n", ";": ";", ":": ":", "space": " "}[sep]
    if s["set_locations"]:
        locs = [("%(here)s/" + l) if s["abs_locations"] else l for l in s["locations"]]
        if sepchar == "\n":
            extra.append("version_locations =\n    " + "\n    ".join(locs))
        else:
            extra.append("version_locations = " + sepchar.join(locs))
        if sep == "legacy-space":
            extra.append("version_path_separator = space")
    if s["recursive"]:
        extra.append("recursive_version_locations = " + s["recursive"])
    if s["file_template"]:
        extra.append("file_template = " + s["file_template"])
    if s["truncate"]:
        extra.append("truncate_slug_length = " + s["truncate"])
    if s["timezone"]:
        extra.append("timezone = " + s["timezone"])
    return text.replace("[alembic]\n", "[alembic]\n" + "\n".join(extra) + "\n", 1)


def py_seq(rng, items, allow_scalar=True):
    q = (lambda x: "'%s'" % x) if rng.random() < 0.7 else (lambda x: '"%s"' % x)
    if not items:
        return "None"
    if len(items) == 1 and allow_scalar and rng.random() < 0.7:
        return q(items[0]) if rng.random() < 0.9 else "(%s)" % q(items[0])
    if len(items) == 1:
        return rng.choice(["(%s,)" % q(items[0]), "[%s]" % q(items[0])])
    inner = ", ".join(q(x) for x in items)
    return rng.choice(["(%s)" % inner, "[%s]" % inner, "(%s,)" % inner])


def docstring(rng, rev, i):
    msg = rng.choice(MESSAGES) or "step %d" % i
    msg = msg.replace("\\", "/").replace('"', "'")
    kind = rng.randrange(16)
    alembic = '"""%s\n\nRevision ID: %s\nRevises: %s\nCreate Date: 2024-01-0%d 10:00:00.%06d\n\n"""\n' % (
        msg, rev.id, ", ".join(rev.down), 1 + i % 9, i)
    if kind <= 4:
        return alembic
    return [
        "",
        '"""%s"""\n' % msg,
        '"""%s\nsecond line of the first paragraph\n\nsecond paragraph\n"""\n' % msg,
        '"""\n    %s\n\n    Revises: %s\n"""\n' % (msg, "deadbeef"),
        'r"""raw \\n not a newline %s"""\n' % msg,
        '"""tab\\there \\u00e9\\x41 \\N{BULLET} end"""\n',
        '"%s" \'concatenated\'\n' % msg,
        "'''single %s'''\n" % msg.replace("'", "`"),
        '"""line one \\\ncontinued"""\n',
        '""""""\n',
        'import os\n"""not a docstring"""\n',
    ][kind - 5]


def revision_source(rng, rev, i, s):
    """The text of one revision file."""
    annotated = rng.random() < s["style"]
    ann = (lambda t: ": " + t) if annotated else (lambda t: "")
    nonliteral = rng.random() < 0.04 and rev.down
    head = ""
    if rng.random() < 0.05:
        head += "#!/usr/bin/env python\n"
    if rng.random() < 0.08:
        head += "# -*- coding: utf-8 -*-\n"
    if rng.random() < 0.05:
        head += "# a comment before the docstring\n"
    body = head + docstring(rng, rev, i)
    body += "from typing import Sequence, Union\n\nfrom alembic import op\nimport sqlalchemy as sa\n\n"
    lines = ["# revision identifiers, used by Alembic."]
    lines.append("revision%s = %s" % (ann("str"), rng.choice(["'%s'", '"%s"']) % rev.id))
    if nonliteral:
        body += "PARENT = %s\n\n" % py_seq(rng, rev.down)
        down = "PARENT"
    else:
        down = py_seq(rng, rev.down)
    lines.append("down_revision%s = %s" % (ann("Union[str, Sequence[str], None]"), down))
    if rev.labels or rng.random() < 0.7:
        lines.append("branch_labels%s = %s" % (ann("Union[str, Sequence[str], None]"),
                                                py_seq(rng, rev.labels)))
    if rev.deps or rng.random() < 0.7:
        lines.append("depends_on%s = %s" % (ann("Union[str, Sequence[str], None]"),
                                             py_seq(rng, rev.deps)))
    if rng.random() < 0.1:
        lines[1] += "  # the id"
    if rng.random() < 0.15:
        first, rest = lines[:2], lines[2:]
        rng.shuffle(rest)
        lines = first + rest
    body += "\n".join(lines) + "\n\n\n"
    up = rng.choice(["    pass\n", "    op.execute(\"UPDATE t SET v = '%s'\")\n" % rev.id,
                     "    op.create_table('t_%s', sa.Column('id', sa.Integer(), primary_key=True))\n"
                     % rev.id])
    body += "def upgrade() -> None:\n" + up + "\n\ndef downgrade() -> None:\n    pass\n"
    if rng.random() < 0.05:
        body = body.replace("\n", "\r\n")
    data = body.encode("utf-8")
    if rng.random() < 0.03:
        data = b"\xef\xbb\xbf" + data
    return data


def slugify(text):
    return re.sub(r"[^\w]+", "_", text).strip("_")[:30] or "step"


def gen_project(seed, out, revisions=None):
    """Writes the project; returns (revs, settings)."""
    n_rng = random.Random(seed)
    n = revisions if revisions is not None else n_rng.choice(
        [n_rng.randint(1, 4), n_rng.randint(5, 15), n_rng.randint(5, 15), n_rng.randint(16, 40)])
    revs = gen_graph(seed, n)
    s = settings(seed)
    os.makedirs(os.path.join(out, "migrations"), exist_ok=True)
    with open(os.path.join(out, "alembic.ini"), "w") as f:
        f.write(ini_text(s))
    for name in ("env.py", "script.py.mako", "README"):
        shutil.copy(os.path.join(TEMPLATES, name), os.path.join(out, "migrations", name))
    for loc in s["locations"]:
        os.makedirs(os.path.join(out, loc), exist_ok=True)
    frng = random.Random(seed * 131 + 7)
    recursive = s["recursive"] == "true"
    names = set()
    for i, rev in enumerate(revs):
        loc = s["locations"][0] if frng.random() < 0.6 else frng.choice(s["locations"])
        if recursive and frng.random() < 0.3:
            loc = os.path.join(loc, frng.choice(["sub", "2024/01", "deep/er"]))
            os.makedirs(os.path.join(out, loc), exist_ok=True)
        slug = slugify(frng.choice(MESSAGES))
        name = frng.choice([
            "%s_%s.py" % (rev.id, slug), "%s_%s.py" % (rev.id, slug),
            "2024_01_%02d_1000-%s_%s.py" % (1 + i % 28, rev.id, slug),
            "%s_%s.py" % (slug, rev.id), "%04d_%s.py" % (i, slug),
        ])
        while name in names:
            name = "x" + name
        names.add(name)
        with open(os.path.join(out, loc, name), "wb") as f:
            f.write(revision_source(frng, rev, i, s))
    if s["junk"]:
        first = os.path.join(out, s["locations"][0])
        open(os.path.join(first, "__init__.py"), "w").close()
        with open(os.path.join(first, "README.txt"), "w") as f:
            f.write("not a revision\n")
        with open(os.path.join(first, ".#lock.py"), "w") as f:
            f.write("junk = (\n")
    if s["broken"] == "helper_module":
        with open(os.path.join(out, s["locations"][0], "helpers.py"), "w") as f:
            f.write("def helper():\n    return 1\n")
    if seed >= EDIT_FROM:
        write_editors(out)
    return revs, s


# ---------------------------------------------------------------------------
# the command lines
# ---------------------------------------------------------------------------

def gen_commands(seed, revs, s):
    rng = random.Random(seed * 977 + 3)
    ids = [r.id for r in revs] or ["nothing"]
    labels = [l for r in revs for l in r.labels]
    heads = [r.id for r in revs if not any(r.id in o.down for o in revs)] or ["nothing"]

    def partial(x=None):
        x = x or rng.choice(ids)
        return x[:rng.randint(1, max(1, len(x) - 1))]

    def ambiguous():
        pairs = [(a, b) for a in ids for b in ids if a < b and a[0] == b[0]]
        if not pairs:
            return partial()
        a, b = rng.choice(pairs)
        k = 0
        while k < min(len(a), len(b)) and a[k] == b[k]:
            k += 1
        return a[:rng.randint(1, k)]

    def lbl():
        return rng.choice(labels) if labels and rng.random() < 0.9 else "nolabel"

    def target():
        k = rng.randrange(22)
        return [
            lambda: rng.choice(ids), lambda: rng.choice(ids), lambda: rng.choice(heads),
            partial, ambiguous, lambda: "head", lambda: "heads", lambda: "base",
            lambda: lbl(), lambda: lbl() + "@head", lambda: lbl() + "@base",
            lambda: lbl() + "@+1", lambda: lbl() + "@-1", lambda: "%s@head" % rng.choice(ids),
            lambda: "+%d" % rng.randint(1, 3), lambda: "-%d" % rng.randint(1, 3),
            lambda: "%s+1" % partial(), lambda: "%s-1" % rng.choice(ids), lambda: "head-1",
            lambda: "zz99", lambda: "heads+1", lambda: "base+2",
        ][k]()

    def rng_range():
        k = rng.randrange(12)
        return [
            lambda: "%s:%s" % (target(), target()), lambda: "%s:%s" % (target(), target()),
            lambda: ":%s" % target(), lambda: "%s:" % target(),
            lambda: "-%d:" % rng.randint(1, 4), lambda: "base:heads", lambda: "base:head",
            lambda: "%s@base:%s@head" % (lbl(), lbl()), lambda: "%s:" % rng.choice(ids),
            lambda: ":%s" % rng.choice(ids), lambda: "%s:+%d" % (rng.choice(ids), rng.randint(1, 2)),
            lambda: "%s:-1" % rng.choice(ids),
        ][k]()

    cmds = []  # (kind, argv) ; kind "ro" runs in place, "rw" on a copy
    fixed = [["heads"], ["heads", "-v"], ["heads", "--resolve-dependencies"],
             ["branches"], ["branches", "-v"], ["history"], ["history", "-v"],
             ["show", "head"], ["show", "heads"], ["show", "base"]]
    for c in fixed:
        cmds.append(("ro", c))
    for _ in range(12):
        c = ["history", "-r", rng_range()] if rng.random() < 0.8 else ["history", "-r" + rng_range()]
        if rng.random() < 0.3:
            c.insert(1, "-v")
        cmds.append(("ro", c))
    for _ in range(10):
        cmds.append(("ro", ["show", target()]))
    for _ in range(6):
        t = rng.random()
        if t < 0.5:
            c = ["upgrade", target() if rng.random() < 0.5 else rng_range(), "--sql"]
        elif t < 0.75:
            c = ["downgrade", rng_range() if rng.random() < 0.85 else target(), "--sql"]
        else:
            c = ["stamp"] + [target() for _ in range(rng.choice([1, 1, 2]))] + ["--sql"]
            if rng.random() < 0.3:
                c.append("--purge")
            if rng.random() < 0.2:
                c[1] = rng_range()
        if rng.random() < 0.15:
            c += ["--tag", "t1"]
        cmds.append(("ro", c))
    # authoring, each on a copy
    for _ in range(8):
        if rng.random() < 0.7:
            c = ["revision"]
            if rng.random() < 0.85:
                c += ["-m", rng.choice(MESSAGES)]
            if rng.random() < (0.9 if len(heads) > 1 else 0.5):
                c += ["--head", rng.choice([rng.choice(heads), rng.choice(heads), rng.choice(ids),
                                            partial(),
                                            "head", "heads", "base", lbl() + "@head",
                                            "%s@head" % rng.choice(ids), "zz99"])]
            if rng.random() < 0.25:
                c.append("--splice")
            if rng.random() < 0.25:
                c += ["--branch-label", rng.choice(["newlbl", lbl(), "a,b"])]
            for _ in range(rng.choice([0, 0, 0, 1, 2])):
                c += ["--depends-on", rng.choice([rng.choice(ids), partial(), lbl(), "zz99",
                                                  ambiguous()])]
            if rng.random() < 0.2:
                loc = rng.choice(s["locations"])
                c += ["--version-path", rng.choice([loc, os.path.join("<PROJECT>", loc),
                                                    loc + "/", "nowhere"])]
            if rng.random() < 0.1:
                c.append("--sql")
        else:
            c = ["merge"]
            if rng.random() < 0.5:
                c.append("heads")
            else:
                c += [rng.choice([rng.choice(heads), rng.choice(ids), partial()])
                      for _ in range(rng.choice([1, 2, 2, 3]))]
            if rng.random() < 0.6:
                c += ["-m", rng.choice(MESSAGES)]
            if rng.random() < 0.25:
                c += ["--branch-label", rng.choice(["mergelbl", lbl()])]
        if rng.random() < 0.7:
            c += ["--rev-id", rng.choice(["n1e2w3", "new_%d" % rng.randint(0, 99), "12",
                                          rng.choice(ids), "a-b", "ff" + rng.choice(ids)])]
        cmds.append(("rw", c))
    # online sequences on a SQLite database (a copy each)
    for _ in range(4):
        seq = []
        for _ in range(rng.randint(2, 5)):
            k = rng.random()
            if k < 0.3:
                seq.append(["upgrade", rng.choice([target(), target(), "heads", "+1", "+2"])])
            elif k < 0.5:
                seq.append(["downgrade", rng.choice([target(), "-1", "base", "-2"])])
            elif k < 0.65:
                c = ["stamp"] + [target() for _ in range(rng.choice([1, 1, 2]))]
                if rng.random() < 0.3:
                    c.append("--purge")
                seq.append(c)
            elif k < 0.8:
                seq.append(rng.choice([["current"], ["current", "-v"],
                                       ["current", "--check-heads"]]))
            elif k < 0.9:
                seq.append(rng.choice([["show", "current"], ["history", "-i"],
                                       ["history", "-r", "current:"],
                                       ["history", "-r", "-1:current"]]))
            else:
                seq.append(["upgrade", rng_range() if rng.random() < 0.3 else target(), "--sql"])
        seq.append(["current"])
        cmds.append(("seq", seq))
    # global options and argument errors
    extras = [
        ["-c", "alembic.ini", "heads"], ["-n", "alembic", "branches", "-v"],
        ["-x", "a=b", "history", "-r", rng_range()], ["-q", "show", target()],
        ["--raiseerr", "show", target()], ["--raiseerr", "history", "-r", rng_range()],
        ["history", "-r"], ["show"], ["upgrade"], ["downgrade", "-1", "--sql"],
        ["heads", "--bogus"], ["stamp", "--sql"], ["history", "--rev-range", rng_range()],
        ["show", "%s:%s" % (target(), target())], ["-c", "missing.ini", "heads"],
        ["upgrade", target(), "--sql", "--tag"], ["history", "-r", "a:b:c"],
    ]
    for c in rng.sample(extras, 6):
        cmds.append(("ro", c))
    if seed >= EDIT_FROM:
        cmds += edit_commands(rng, target, rng_range, lbl, ids, heads)
    return cmds


# Seeds from EDIT_FROM (session 19) also draw `edit` (with the editor the
# environment names: EDITOR/VISUAL set to the project's fzbin/ scripts, by
# path or by a bare name found on PATH, an editor exiting 3, a directory,
# a file without the execute bit, a missing one with PATH holding no
# editor, an empty EDITOR), `edit current` after an online upgrade,
# `ensure_version` (--sql, and online on SQLite), `list_templates`, and
# `check` / `revision --autogenerate` (the generic env.py has no metadata).
# A command line's leading `@env:NAME=value` words (`@env:NAME` unsets it)
# set its environment. The good editors append a line to the file they are
# given and its path, relative to the project, to fzbin/edited.log, so
# which files were opened, in which order, is compared.
EDIT_FROM = 200
EDITORS = {
    "fzed.sh": "#!/bin/sh\nfor f in \"$@\"; do printf '%s\\n' \"${f#\"$PWD\"/}\" >> fzbin/edited.log;"
               " printf '# edited\\n' >> \"$f\"; done\n",
    "fzed": "#!/bin/sh\nfor f in \"$@\"; do printf 'bare %s\\n' \"${f#\"$PWD\"/}\" >> fzbin/edited.log;"
            " done\n",
    "fzfail.sh": "#!/bin/sh\necho \"fzfail ${1#\"$PWD\"/}\" >> fzbin/edited.log\nexit 3\n",
    "noexec.sh": "#!/bin/sh\nexit 0\n",
}
NO_EDITOR_PATH = "fzbin"  # a PATH with none of sensible-editor, editor, nano, vim, code


def write_editors(out):
    d = os.path.join(out, "fzbin")
    os.makedirs(d, exist_ok=True)
    for name, text in EDITORS.items():
        p = os.path.join(d, name)
        with open(p, "w") as f:
            f.write(text)
        os.chmod(p, 0o644 if name == "noexec.sh" else 0o755)


def edit_commands(rng, target, rng_range, lbl, ids, heads):
    def editor():
        k = rng.randrange(10)
        return [
            ["@env:EDITOR=./fzbin/fzed.sh"], ["@env:EDITOR=./fzbin/fzed.sh"],
            ["@env:EDITOR=fzed", "@env:PATH=fzbin:/usr/bin:/bin"],
            ["@env:EDITOR", "@env:VISUAL=fzbin/fzed"],
            ["@env:EDITOR=nowhere", "@env:VISUAL=./fzbin/fzed.sh", "@env:PATH=fzbin"],
            ["@env:EDITOR=./fzbin/fzfail.sh"], ["@env:EDITOR=./fzbin"],
            ["@env:EDITOR=./fzbin/noexec.sh"],
            ["@env:EDITOR=./missing-editor", "@env:VISUAL", "@env:PATH=" + NO_EDITOR_PATH],
            ["@env:EDITOR=", "@env:PATH=" + NO_EDITOR_PATH],
        ][k]

    cmds = []
    for _ in range(6):
        t = rng.choice([target, target, target, lambda: rng.choice(heads), lambda: "heads",
                        lambda: "head", lambda: lbl() + "@head", rng_range, lambda: "base"])()
        cmds.append(("rw", editor() + ["edit", t]))
    seq = [["upgrade", rng.choice([target(), "heads", rng.choice(ids)])]]
    if rng.random() < 0.3:
        seq = [["stamp", "base"]]
    seq.append(editor() + ["edit", "current"])
    cmds.append(("rwseq", seq))
    cmds.append(("ro", ["ensure_version", "--sql"]))
    cmds.append(("ro", ["list_templates"]))
    seq = [["ensure_version"], ["current"]]
    if rng.random() < 0.5:
        seq.insert(0, ["upgrade", rng.choice([target(), "heads"])])
    cmds.append(("seq", seq))
    cmds.append(("rwseq", [["upgrade", "heads"], rng.choice([["check"], ["revision", "--autogenerate",
                                                              "-m", "auto", "--rev-id", "auto1"]])]))
    return cmds


# ---------------------------------------------------------------------------
# running both tools
# ---------------------------------------------------------------------------

ORACLE_RUNNER = r'''
import io, json, os, signal, sys, traceback, warnings
from alembic.config import CommandLine, Config
class Timeout(BaseException):
    pass
def _alarm(*a):
    raise Timeout()
signal.signal(signal.SIGALRM, _alarm)
_init = Config.__init__
def _init_cur(self, *a, **kw):
    _init(self, *a, **kw)
    self.stdout = sys.stdout
Config.__init__ = _init_cur
def run(cwd, argv):
    os.chdir(cwd)
    saved = dict(os.environ)
    while argv and argv[0].startswith("@env:"):
        name, eq, value = argv.pop(0)[5:].partition("=")
        if eq:
            os.environ[name] = value
        else:
            os.environ.pop(name, None)
    out, err = (io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace",
                                 write_through=True) for _ in range(2))
    real = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    code = 0
    try:
        signal.alarm(TIMEOUT)
        with warnings.catch_warnings():  # each command warns afresh
            CommandLine(prog="alembic").main(argv=argv)
    except Timeout:
        code = 124
        err.write("TIMEOUT\n")
    except SystemExit as e:
        c = e.code
        code = 0 if c is None else (c % 256 if isinstance(c, int) else 1)
        if not isinstance(c, (int, type(None))):
            err.write(str(c) + "\n")
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        signal.alarm(0)
        sys.stdout, sys.stderr = real
        os.environ.clear()
        os.environ.update(saved)
    return [code] + [s.buffer.getvalue().decode("utf-8", "replace") for s in (out, err)]
json.dump([run(c["cwd"], c["argv"]) for c in json.load(sys.stdin)], sys.stdout)
'''


def with_env(env, argv):
    """The environment a command line's leading `@env:` words set, and the
    rest of it."""
    argv = list(argv)
    while argv and argv[0].startswith("@env:"):
        name, eq, value = argv.pop(0)[5:].partition("=")
        if eq:
            env[name] = value
        else:
            env.pop(name, None)
    return env, argv


class Tools:
    def __init__(self, args):
        self.oracle_py = os.environ.get("ORACLE_PYTHON",
                                        os.path.join(ROOT, ".venv-oracle/bin/python"))
        rs = os.environ.get("ALEMBIC_RS", os.path.join(ROOT, "target/release/alembic-rs"))
        self.host = os.environ.get("HOST_VENV", os.path.join(ROOT, ".venv-oracle"))
        self.bindir = tempfile.mkdtemp(prefix="fzc-bin-")
        self.rs = os.path.join(self.bindir, "alembic")
        os.symlink(os.path.abspath(rs), self.rs)
        self.subprocess = args.subprocess
        self.set_order = []
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("ALEMBIC", "VIRTUAL_ENV", "PYTHONPATH"))}
        self.env["PYTHONDONTWRITEBYTECODE"] = "1"
        self.env["PYTHONHASHSEED"] = "0"

    def oracle_batch(self, jobs):
        if self.subprocess:
            return [self.oracle_one(cwd, argv) for cwd, argv in jobs]
        runner = ORACLE_RUNNER.replace("TIMEOUT)", "%d)" % COMMAND_TIMEOUT)
        p = subprocess.run([self.oracle_py, "-c", runner],
                           input=json.dumps([{"cwd": c, "argv": a} for c, a in jobs]),
                           env=self.env, capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError("oracle runner failed: " + p.stderr[-2000:])
        return [tuple(r) for r in json.loads(p.stdout)]

    def oracle_one(self, cwd, argv, hashseed="0"):
        env, argv = with_env(dict(self.env, PYTHONHASHSEED=hashseed), argv)
        try:
            p = subprocess.run([self.oracle_py, "-m", "alembic"] + argv, cwd=cwd, env=env,
                               capture_output=True, text=True, timeout=COMMAND_TIMEOUT,
                               stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return (124, "", "TIMEOUT\n")
        return (p.returncode, p.stdout, p.stderr)

    def rs_one(self, cwd, argv):
        env, argv = with_env(dict(self.env), argv)
        env["VIRTUAL_ENV"] = self.host
        try:
            p = subprocess.run([self.rs] + argv, cwd=cwd, env=env, capture_output=True,
                               timeout=COMMAND_TIMEOUT, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return (124, "", "TIMEOUT\n")
        return (p.returncode, p.stdout.decode("utf-8", "replace"),
                p.stderr.decode("utf-8", "replace"))


_TB = "Traceback (most recent call last):"
COMMAND_TIMEOUT = int(os.environ.get("FUZZ_TIMEOUT", "60"))  # seconds; a command running longer is reported as TIMEOUT (exit 124)
HASH_SEEDS = ["1", "2", "3", "4", "5", "6", "7", "8"]
CREATE_DATE = re.compile(r"Create Date: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?")
DATE_NAME = re.compile(r"\d{4}_\d\d_\d\d_\d{4}-")
EPOCH = re.compile(r"\b1\d{9}_")


def sort_groups(line):
    def srt(m):
        return "(" + ", ".join(sorted(m.group(1).split(", "))) + ")"
    return re.sub(r"\(([^()]*)\)", srt, line)


VDEL = re.compile(r"^DELETE FROM alembic_version WHERE alembic_version.version_num = '(.*)';$")
VUPD = re.compile(r"^UPDATE alembic_version SET version_num='(.*)' WHERE "
                  r"alembic_version.version_num = '(.*)';$")


def merge_rows(text):
    """A merge step's DELETEs and UPDATE on the version table as one line:
    which parent row Alembic keeps is a Python set order (docs/differences.md)."""
    out, pending = [], []

    def flush():
        dels = [VDEL.match(l).group(1) for l in pending if VDEL.match(l)]
        upd = [VUPD.match(l) for l in pending if VUPD.match(l)]
        if dels and len(upd) == 1:
            out.append("<merge rows %s -> %s>" % (sorted(dels + [upd[0].group(2)]),
                                                  upd[0].group(1)))
        else:
            out.extend(pending)
        pending.clear()

    for line in text.split("\n"):
        if VDEL.match(line) or VUPD.match(line):
            pending.append(line)
        elif line == "" and pending:
            continue
        else:
            flush()
            out.append(line)
    flush()
    return "\n".join(out)


def normalise(text, project, code, newid=None):
    text = text.replace(os.path.realpath(project), "<PROJECT>").replace(project, "<PROJECT>")
    if newid:
        text = text.replace(newid, "<NEWID>")
    text = EPOCH.sub("<EPOCH>_", text)
    text = DATE_NAME.sub("<DATE>-", text)
    text = merge_rows(text)
    if code == 1 and _TB in text:
        # an uncaught exception: the last line (docs/architecture.md)
        before = text[:text.index(_TB)]
        last = [l for l in text.split("\n") if l.strip()][-1]
        text = before + "<traceback> " + last + "\n"
    text = re.sub(r"(?<![0-9A-Za-z])0x[0-9a-fA-F]+", "0xADDR", text)
    text = re.sub(r"(?m)^\S+:\d+: (\w+Warning: .*)\n(?:  .*\n)?", r"\1\n", text)
    lines, children = [], []
    for line in text.split("\n"):
        if line.lstrip().startswith("-> "):
            children.append(sort_groups(line))
            continue
        if children and line.strip():
            # the rest of a child's multi-line docstring (`branches` ends
            # each branch point with an empty line)
            children[-1] += "\n" + line
            continue
        if children:
            lines += sorted(children)
            children = []
        done = False
        for prefix in ("Branches into: ", "Branch names: "):
            if line.startswith(prefix):
                lines.append(prefix + ", ".join(sorted(line[len(prefix):].split(", "))))
                done = True
        ov = " overlaps with other requested revisions "
        if ov in line:
            a, b = line.split(ov, 1)
            lines.append(a + ov + ", ".join(sorted(b.split(", "))))
            done = True
        if not done:
            lines.append(sort_groups(line))
    lines += sorted(children)
    return "\n".join(lines)


def tree(project):
    out = {}
    for d, dirs, files in os.walk(project):
        dirs[:] = [x for x in dirs if x != "__pycache__"]
        for f in files:
            p = os.path.join(d, f)
            if f.endswith(".db"):
                continue
            out[os.path.relpath(p, project)] = open(p, "rb").read().decode("utf-8", "replace")
    return out


def new_files(before, after):
    return {k: v for k, v in after.items() if before.get(k) != v}


def generated_id(files):
    for text in files.values():
        m = re.search(r"^revision(?:: str)? = ['\"]([^'\"]+)['\"]", text, re.M)
        if m:
            return m.group(1)
    return None


def norm_files(files, newid):
    out = {}
    for k, v in files.items():
        if newid:
            k, v = k.replace(newid, "<NEWID>"), v.replace(newid, "<NEWID>")
        k = DATE_NAME.sub("<DATE>-", EPOCH.sub("<EPOCH>_", k))
        out[k] = CREATE_DATE.sub("Create Date: <DATE>", v)
    return out


def diff(a, b, what):
    d = difflib.unified_diff([x + "\n" for x in a.split("\n")], [x + "\n" for x in b.split("\n")],
                             "alembic", "alembic-rs", n=2)
    return "  %s differs:\n%s" % (what, "".join("    " + x for x in list(d)[:60]))


def compare(ref, got, pdir_ref, pdir_got, files_ref=None, files_got=None, rev_id_given=True,
            argv=()):
    problems = []
    newid_ref = newid_got = None
    if files_ref is not None and not rev_id_given:
        newid_ref, newid_got = generated_id(files_ref), generated_id(files_got)
    if ref[0] != got[0]:
        problems.append("  exit code: alembic %s, alembic-rs %s" % (ref[0], got[0]))
    for i, what in ((1, "stdout"), (2, "stderr")):
        a = normalise(ref[i], pdir_ref, ref[0], newid_ref)
        b = normalise(got[i], pdir_got, got[0], newid_got)
        if i == 1 and argv[:1] == ["current"]:
            # `current` prints the heads in the order of a Python set
            # (docs/differences.md): compared as a multiset of lines
            a, b = "\n".join(sorted(a.split("\n"))), "\n".join(sorted(b.split("\n")))
        if a != b:
            problems.append(diff(a, b, what))
    if files_ref is not None:
        fa, fb = norm_files(files_ref, newid_ref), norm_files(files_got, newid_got)
        if sorted(fa) != sorted(fb):
            problems.append("  files written: alembic %s, alembic-rs %s" % (sorted(fa), sorted(fb)))
        for k in sorted(set(fa) & set(fb)):
            if fa[k] != fb[k]:
                problems.append(diff(fa[k], fb[k], "file " + k))
    return problems


def version_rows(project):
    db = os.path.join(project, "app.db")
    if not os.path.exists(db):
        return "(no database)"
    import sqlite3
    con = sqlite3.connect(db)
    try:
        return sorted(r[0] for r in con.execute("SELECT version_num FROM alembic_version"))
    except sqlite3.Error as e:
        return "(%s)" % e
    finally:
        con.close()


def run_group(tools, kind, argvs, project, runner, base_files):
    """Runs one group's command lines in `project`; returns the outcomes and
    the files it changed (None for read-only groups)."""
    outs = [runner(project, [a.replace("<PROJECT>", project) for a in argv]) for argv in argvs]
    files = None if kind == "ro" else new_files(base_files, tree(project))
    return outs, files


def compare_group(kind, argvs, refs, gots, py, rs, fr, fg):
    problems = []
    for argv, ref, got in zip(argvs, refs, gots):
        p = compare(ref, got, py, rs, fr if kind in ("rw", "rwseq") else None,
                    fg if kind in ("rw", "rwseq") else None, "--rev-id" in argv, argv)
        if p:
            problems.append("`alembic %s`:\n%s" % (" ".join(argv), "\n".join(p)))
    if kind in ("seq", "rwseq"):
        a, b = version_rows(py), version_rows(rs)
        if a != b:
            problems.append("  version table after the sequence: alembic %s, alembic-rs %s" % (a, b))
    return problems


def run_seed(tools, seed, args, revisions=None, only_cmd=None):
    work = tempfile.mkdtemp(prefix="fzc-%d-" % seed)
    base = os.path.join(work, "base")
    revs, s = gen_project(seed, base, revisions if revisions is not None else args.revisions)
    groups = gen_commands(seed, revs, s) if only_cmd is None else [only_cmd]
    if args.only:
        keep = set(args.only.split(","))
        groups = [g for g in groups if any(a[0] in keep for a in group_argvs(g))]
    base_files = tree(base)
    jobs, plan = [], []
    for n, group in enumerate(groups):
        kind, argvs = group[0], group_argvs(group)
        if kind == "ro":
            py = rs = base
        else:
            py, rs = os.path.join(work, "py%03d" % n), os.path.join(work, "rs%03d" % n)
            shutil.copytree(base, py)
            shutil.copytree(base, rs)
        plan.append((group, kind, argvs, py, rs, len(jobs)))
        jobs += [(py, [a.replace("<PROJECT>", py) for a in argv]) for argv in argvs]
    refs = tools.oracle_batch(jobs)
    problems = []
    for group, kind, argvs, py, rs, at in plan:
        ref = refs[at:at + len(argvs)]
        fr = None if kind == "ro" else new_files(base_files, tree(py))
        got, fg = run_group(tools, kind, argvs, rs, tools.rs_one, base_files)
        p = compare_group(kind, argvs, ref, got, py, rs, fr, fg)
        # Confirm with real `python -m alembic` processes (on a fresh copy
        # when the group writes), then under other hash seeds: an order
        # Alembic takes from a Python set matches one of them
        # (docs/differences.md).
        for hashseed in ([] if tools.subprocess else ["0"]) + HASH_SEEDS:
            if not p:
                break
            if kind != "ro":
                shutil.rmtree(py)
                shutil.copytree(base, py)
            ref2, fr2 = run_group(tools, kind, argvs, py,
                                  lambda d, a: tools.oracle_one(d, a, hashseed), base_files)
            p2 = compare_group(kind, argvs, ref2, got, py, rs, fr2, fg)
            if any(r[0] == 124 for r in ref2):  # Alembic timed out: no use retrying
                p = p2
                break
            if not p2:
                p = []
                if hashseed != "0":
                    tools.set_order.append((seed, argvs, hashseed))
                    print("  (seed %d `%s`: Alembic's set order, PYTHONHASHSEED=%s)"
                          % (seed, " ; ".join(" ".join(a) for a in argvs), hashseed))
            elif hashseed == "0" and not tools.subprocess:
                p = p2
        if p:
            problems.append((group, "\n".join(p)))
    if (not problems and not args.keep) or only_cmd is not None:
        shutil.rmtree(work)
    return work, problems, len(jobs), len(revs)


def group_argvs(group):
    return group[1] if group[0] in ("seq", "rwseq") else [group[1]]


def minimise(tools, seed, args, cmd, n_full):
    lo, hi = 0, n_full
    while lo < hi:
        mid = (lo + hi) // 2
        _, p, _, _ = run_seed(tools, seed, args, revisions=mid, only_cmd=cmd)
        if p:
            hi = mid
        else:
            lo = mid + 1
    print("  minimised: `scripts/fuzz-cli.py gen --seed %d --revisions %d` then `alembic %s`"
          % (seed, lo, "` `alembic ".join(" ".join(a) for a in group_argvs(cmd))), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("--seed", type=int, required=True)
    g.add_argument("--revisions", type=int)
    g.add_argument("--out", required=True)
    r = sub.add_parser("run")
    r.add_argument("--seeds", default="1-10")
    r.add_argument("--revisions", type=int)
    r.add_argument("--keep", action="store_true")
    r.add_argument("--stop", action="store_true", help="stop at the first difference")
    r.add_argument("--minimise", action="store_true")
    r.add_argument("--subprocess", action="store_true")
    r.add_argument("--only", help="comma-separated command names")
    args = ap.parse_args()
    if args.cmd == "gen":
        revs, s = gen_project(args.seed, args.out, args.revisions)
        print("%s: %d revisions" % (args.out, len(revs)))
        for group in gen_commands(args.seed, revs, s):
            for i, argv in enumerate(group_argvs(group)):
                print("  %s alembic %s" % (
                    {"rw": "(copy)", "seq": "(db)  " if i == 0 else "  ... ",
                     "rwseq": "(c+db)" if i == 0 else "  ... "}.get(group[0], "      "),
                    " ".join(repr(a) if (" " in a or not a) else a for a in argv)))
        return 0
    tools = Tools(args)
    start = time.time()
    failed = runs = ncmds = 0
    try:
        for seed in parse_seeds(args.seeds):
            work, problems, n, nrev = run_seed(tools, seed, args)
            runs += 1
            ncmds += n
            print("seed %d (%d revisions, %d commands): %s" % (
                seed, nrev, n, "ok" if not problems else "%d DIFF (%s)" % (len(problems), work)),
                flush=True)
            for group, text in problems:
                print(text, flush=True)
                if args.minimise:
                    minimise(tools, seed, args, group, nrev)
            if problems:
                failed += 1
                if args.stop:
                    break
    except KeyboardInterrupt:
        print("\ninterrupted")
    finally:
        shutil.rmtree(tools.bindir, ignore_errors=True)
    print("\n%d seeds, %d commands, %d seeds with differences, %.0fs; %d commands matched "
          "Alembic only under another PYTHONHASHSEED (set order)"
          % (runs, ncmds, failed, time.time() - start, len(tools.set_order)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
