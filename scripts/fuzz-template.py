#!/usr/bin/env python3
"""Randomized differential testing of script.py.mako rendering and `revision`:
Alembic (with Mako) against alembic-rs (its own Mako-subset engine, no Mako).

The generator (stdlib only) writes a project from `alembic init` (generic, or
the pyproject layout) with a random script.py.mako, and draws a command
sequence. The template keeps a revision's skeleton (docstring, imports,
the four identifiers, upgrade/downgrade) spelled in random ways (`repr()`,
`| repr,n`, f-strings, conditional expressions, `% if` around a line, the
`comma` filter, `${imports if imports else ""}`, `${upgrades if upgrades
else "pass"}`) and mixes in random constructs, nested: `${...}` with
filters (`n h x u trim entity str unicode`, chained), strings holding `}`
or `%>`, dict/list literals, lambdas, f-strings, `"\\n".join(...)`;
`% if/elif/else`, `% for/else` with `loop`, control lines indented, `%`
not at line start, `##` comments (and `##` inside text), `<%doc>`,
`<%text>` (with `${` inside), `%%` escapes, `<% %>` and `<%! import %>`
blocks, backslash continuations, tabs, CRLF, non-ASCII, a BOM, a trailing
newline or none, the template args env.py adds (`context.get(...)`,
`context.kwargs`). Sometimes a construct Mako accepts and alembic-rs
refuses (`<%def>`, `<%include>`, `<%inherit>`, `<%namespace>`, `<%block>`,
`<%call>`, `<%page>`): alembic-rs must then fail with its
"... is not supported" message (exit 255) and write nothing; counted as
refused, not as a difference. Sometimes a template Mako rejects (syntax
errors of the lexer or of the Python in it): the messages must match.

Commands: `revision` with random messages (quotes, backslashes, unicode, `%`,
`${`, very long, empty), `--head`, `--splice`, `--branch-label`,
`--depends-on`, `--version-path` (with two version locations), `merge`,
`--rev-id` (sometimes none: the generated id is normalised),
`revision --autogenerate` on SQLite against a small models module (so
`imports`/`upgrades` are not trivial), `upgrade head`; env.py sometimes
passes `template_args` and a `process_revision_directives` that changes
the message, the rev id or the imports (or drops an empty autogenerate);
`revision_environment = true` sometimes. Then `heads`, `history`,
`history -v` over what was written (when every file written compiles).

Usage:
    scripts/fuzz-template.py gen --seed 7 --out /tmp/fzt-p   # the project + commands
    scripts/fuzz-template.py run --seeds 1-300 [--keep] [--stop] [--minimise]

  --minimise   for a differing seed, drop template pieces one at a time while
               the difference stays; prints the smallest template found

Compared: exit code, stdout, stderr of each command, every file written
(byte for byte but the `Create Date:` timestamp and other printed dates;
the generated ids when no --rev-id was given, each as <NEWIDn>, n the
order it was made in: generated_ids()), and the last line of the
"template-oriented traceback" file a render error names. Normalised: the
project path, the temporary file's name, a traceback's body (exit 1: its
last line), the location Python prints before a warning.

Runs so far (session 15, 2 shared cores, ~10 s a seed): seeds 1-213
(212 seeds, 912 command lines, plus the graph commands): 179 identical
(10 of them templates Mako rejects, same message), 17 refused by name as
expected, 11 where Alembic wrote a file that is not Python (raw blocks
closed by what a construct printed; compared up to there), 5 differing:
seeds 100 and 192 (a branch label reused by two revisions: graph error
wording), 197 and 209 (a file without `revision` under
`revision_environment`/`--autogenerate`: Alembic runs env.py first), both
in docs/differences.md; 193 (random ids order the bases `upgrade` runs;
the comparison now sorts those lines). Found and fixed: an empty template
(Alembic's CommandError "Could not determine revision id", not a
traceback); the template's context (`'x' in context` raises KeyError: 0
as in Mako; `context.kwargs`/`keys()` in Alembic's order with `refresh`,
`capture`, `caller`, `self`, `local`); the `entity`, `h` and `x` filters
(tests/authoring_parity.rs, template_* cases).
Session 16: seeds 214-420 (207 seeds): 170 identical, 19 refused by
name, 9 not Python, 9 differing (292's did not repeat). Fixed: Mako's position for an
unclosed filter list (its `|`, seed 228) and an unclosed triple quote
(Mako's regex falls back to `''`, seed 330), and a file without `revision`
under `revision_environment` (the map is now read inside env.py, as
Alembic does: seeds 222, 233; 197 and 209 of session 15 too); left: a
reused branch label (seeds 305, 406, documented), and two harness limits:
two generated ids with one message make two files of one normalised name
(273), and a generated id sorts before or after a fixed one, which orders
`merge heads` (261).
Session 19: seeds 521-598 (78 seeds, 358 command lines): 70 identical, 5
refused by name, 3 not Python; no difference.
Session 21 (fz4): seeds 641-690 (226 command lines): one difference,
seed 677, the harness limit of seed 273: two `revision` commands without
-m or --rev-id wrote two files of one normalised name, `<NEWID>p_.py`,
compared by sorted name, so by the random ids (Alembic's pair and
alembic-rs's pair sorted differently; the graphs were the same). Generated
ids are now numbered in the order they were made (from the commands'
`Generating ...` lines, then the written files oldest first): 273 and 677
compare identical; 641-690 again and 691-740 (458 command lines in all):
90 identical, 5 not Python, 5 refused by name, no difference.
Session 22 (fz5): seeds 741-840 (474 command lines): 89 identical, 3 not
Python, 7 refused by name, and seed 808, a limit of the harness: three
unrelated roots, one of them written with a random id, so the order in
which `upgrade heads` runs them (it depends on the ids) differed between
the two projects; alembic-rs run on Alembic's files gives Alembic's
output.

Environment: ALEMBIC_RS (binary; default target/release/alembic-rs),
ORACLE_PYTHON (default .venv-oracle/bin/python), HOST_VENV (VIRTUAL_ENV
for alembic-rs; default .venv-host, which has no Mako). Work directories
are /tmp/fzt-*.
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
import warnings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

_spec = importlib.util.spec_from_file_location(
    "fuzz_ops", os.path.join(ROOT, "scripts", "fuzz-ops.py"))
_ops = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_ops)
parse_seeds = _ops.parse_seeds

# ---------------------------------------------------------------------------
# template pieces
# ---------------------------------------------------------------------------

WORDS = ["alpha", "beta gamma", "100% sure", "$5 and $ {z}", "x # y", "a } b", "<b>&amp;</b>",
         "q's \"dq\"", "Ünï ç ß", "日本", "tab\there", "a %> b", "50%% off", "end\\ no",
         "## mid-line hash", "if x:", "not%control", "}}", "{{", "emoji 🎉"]

# Expressions printed with ${...}; each must work whatever the command
# passes (message may be None, down_revision a tuple, ...).
EXPRS = [
    "message", "up_revision", "repr(message)", "repr(down_revision)", "repr(branch_labels)",
    "repr(depends_on)", "down_revision", "branch_labels", "depends_on",
    "'}'", "\"%>\"", "'a}b' + \"}\"", "{'k': '}', 'n': [1, 2]}['k']", "[1, {'a': (2, 3)}]",
    "(lambda s: s[::-1])(message or '')", "(lambda s: s + '!')(up_revision)", "'yes' if message else 'no'",
    "f\"{up_revision}-{len(message or '')}\"", "f\"{{braces}} {up_revision!r}\"",
    "\"\\n\".join(['j1', 'j2'])", "'\\t'.join(str(i) for i in range(3))",
    "len(imports) if imports else 0", "upgrades.count('op.') if upgrades else -1",
    "context.get('author', 'nobody')", "context.get('ticket')", "sorted(context.kwargs)",
    "'author' in context", "sorted(k for k in context.kwargs if k != 'config')",
    "type(create_date).__name__", "create_date.tzinfo is None", "type(config).__name__",
    "config.get_main_option('script_location') is not None",
    "comma(down_revision)", "comma(branch_labels)", "comma(['a', 'b'])",
    "(message or '').upper()", "(message or '')[:5]", "str(None)", "1 + 2 * 3",
    "{1, 2} and 'set'", "'%s-%d' % ('pct', 7)", "'{}'.format(up_revision)",
    "repr('Ünï')", "'é' * 2", "None", "True", "0.5", "b'bytes'",
    "up_revision  # a comment in the expression\n", "[x\n for x in 'ab']",
    "UNDEFINED is not None", "list(context.kwargs)", "context.keys()", "repr(capture(lambda: 1))",
    "bool(caller)", "context.get('refresh')", "context['up_revision']",
]

FILTERS = ["n", "h", "x", "u", "trim", "entity", "str", "unicode", "h,trim", "trim,h", "n,trim",
           "n,h", "x,u", "str,trim", "comma,n", "repr,n", "repr", "h, x", " trim ", "n, repr"]

CONDS = ["message", "not message", "up_revision", "down_revision is None", "down_revision",
         "branch_labels", "depends_on", "imports", "upgrades", "len(message or '') > 10",
         "context.get('author')", "'ticket' in context", "isinstance(down_revision, tuple)",
         "create_date.year > 2000", "message and '%' in message"]

ITERS = ["range(3)", "[]", "(message or '').split()", "['a', 'b']", "(down_revision if isinstance(down_revision, tuple) else ())",
         "sorted(context.kwargs)[:3]", "'xy'", "{'k': 1}.items()", "enumerate('ab')"]

UNSUPPORTED = [
    '<%def name="greet()">hello</%def>${greet()}\n',
    '<%include file="other.mako"/>\n',
    '<%inherit file="base.mako"/>\n',
    '<%namespace name="ns" file="helpers.mako"/>\n',
    '<%block name="b">in block</%block>\n',
    '<%call expr="greet()">body</%call>\n',
    '<%page args="x=1"/>\n',
    '<%def name="f()">${caller.body()}</%def>\n',
    '<%self:greet/>\n',
]

# Templates Mako refuses (lexer or Python errors), spliced in somewhere.
BROKEN = [
    "${message\n", "% if message:\nx\n% endfor\n", "% endif\n", "% elif x:\n",
    "% if message\nx\n% endif\n", "${1 +}\n", "<% x = = 1 %>\n", "</%text>\n", "<%text>never closed\n",
    "% for x in 'ab':\n", "${message | h(}\n", "% whatever:\n% endwhatever\n", "<%! import ( %>\n",
    "% if True:\n% else:\n% else:\n% endif\n", "${'unterminated}\n", "</%foo>\n",
    "% try:\nx\n% endtry\n", "${x for}\n",
]


class Gen:
    def __init__(self, rng):
        self.rng = rng
        self.loops = 0
        self.names = []  # names bound by <% %> blocks, usable later
        self.modules = []  # names imported by <%! %> blocks

    def ws(self):
        return self.rng.choice(["", "", "", " ", "  ", "\t", " \t"])

    def expr(self):
        r = self.rng
        pool = EXPRS + self.names + ["%s.__name__" % m for m in self.modules]
        if self.loops:
            pool = pool + ["loop.index", "loop.first", "loop.last", "loop.cycle('o', 'e')",
                           "loop.even", "loop.reverse_index"]
            if self.loops > 1:
                pool = pool + ["loop.parent.index"]
        e = r.choice(pool)
        if "json" in self.modules and r.random() < 0.2:
            e = "json.dumps(%s)" % r.choice(["message", "[up_revision]", "{'a': None}"])
        if "textwrap" in self.modules and r.random() < 0.2:
            e = "textwrap.shorten(message or 'none', 12)"
        return e

    def dollar(self):
        r = self.rng
        e = self.expr()
        sp = r.choice(["", "", " "])
        if r.random() < 0.35:
            f = r.choice(FILTERS)
            return "${%s%s |%s}" % (sp, e, f) if "\n" not in e else "${%s|%s}" % (e, f)
        return "${%s%s%s}" % (sp, e, sp)

    def text(self):
        r = self.rng
        parts = [r.choice(WORDS)]
        for _ in range(r.randint(0, 2)):
            parts.append(r.choice([r.choice(WORDS), self.dollar()]))
        return " ".join(parts)

    def piece(self, depth):
        """One construct, ending with a newline (or a continuation)."""
        r = self.rng
        k = r.randint(0, 21)
        ws = self.ws
        if k <= 2:
            return self.text() + "\n"
        if k == 3:
            return "%s## %s\n" % (ws(), r.choice(WORDS))
        if k == 4:
            return "%s%%%% %s\n" % (ws(), r.choice(WORDS)) if r.random() < 0.7 else "%%%%%% triple\n"
        if k == 5:
            return "%s \\\n" % self.text()
        if k == 6:
            return r.choice(["<%doc>gone ${x} % y\n</%doc>\n", "a<%doc>\n## no\n</%doc>b\n",
                             "<%doc></%doc>"])
        if k == 7:
            return r.choice(["<%text>${raw} % x\n## y\n</%text>after\n",
                             "<%text>${ not python }</%text>\n", "<%text/>\n",
                             "<%text>  <% x %> </%text>"])
        if k == 8:
            name = "v%d" % len(self.names)
            val = r.choice(["len(message or '')", "'%s'" % r.choice(["a}b", "%>", "ü"]),
                            "[up_revision] * 2", "{'k': down_revision}", "message or 'm'"])
            self.names.append(name)
            if r.random() < 0.5:
                return "<%% %s = %s %%>%s\n" % (name, val, r.choice(["", "${%s}" % name]))
            return "<%%\n    %s = %s\n    # comment %%\n    %s_2 = %s\n%%>${%s_2}\n" % (
                name, val, name, name, name)
        if k == 9:
            mod = r.choice(["json", "textwrap", "re", "os"])
            self.modules.append(mod)
            return r.choice(["<%%! import %s %%>" % mod, "<%%!\n    import %s\n%%>\n" % mod])
        if k == 10:
            return "%s text %% if x: not control ${up_revision}\n" % r.choice(["a", "  b", "-"])
        if k == 11:
            return "\n"
        if k == 12:
            return self.dollar() + r.choice(["\n", "", " "])
        if k == 13 and depth < 3:
            return self.if_block(depth)
        if k == 14 and depth < 3:
            return self.for_block(depth)
        if k == 15:
            return "%s%%%sif %s:\n%s%%%sendif\n" % (ws(), ws(), r.choice(CONDS), ws(), ws())
        if k == 16:
            return "\t%s\t${message}\ttab\n" % r.choice(WORDS)
        if k == 17:
            return "${message}%s\\\n" % ws()
        if k == 18 and depth < 3:
            return "%% if %s:\n%s%% elif %s:\n%s%% endif\n" % (
                r.choice(CONDS), self.body(depth + 1), r.choice(CONDS), self.body(depth + 1))
        if k == 19:
            return "%s ## trailing hashes ## ${up_revision}\n" % r.choice(WORDS)
        if k == 20:
            return "<%% if message: %%>${'in block'}\n" if False else "%s%%>%s\n" % (
                r.choice(WORDS), r.choice(["", " tail"]))
        return self.text() + "\n"

    def body(self, depth):
        return joined(self.piece(depth) for _ in range(self.rng.randint(0, 3)))

    def if_block(self, depth):
        r, ws = self.rng, self.ws
        out = "%s%%%sif %s:\n" % (ws(), ws(), r.choice(CONDS)) + self.body(depth + 1)
        for _ in range(r.randint(0, 2)):
            out += "%s%% elif %s:\n" % (ws(), r.choice(CONDS)) + self.body(depth + 1)
        if r.random() < 0.5:
            out += "%s%%else:\n" % ws() + self.body(depth + 1)
        return out + "%s%% endif\n" % ws()

    def for_block(self, depth):
        r, ws = self.rng, self.ws
        var = "i%d" % depth
        out = "%s%% for %s in %s:\n" % (ws(), var, r.choice(ITERS))
        self.loops += 1
        self.names.append(var)
        body = self.body(depth + 1) + r.choice(["", "${%s}\n" % var, "item ${%s} #${loop.index}\n" % var])
        self.loops -= 1
        self.names.remove(var)
        out += body
        if r.random() < 0.2:
            out += "%s%% else:\n" % ws() + "no items\n"
        return out + "%s%% endfor\n" % ws()

    def decor(self, n):
        return joined(self.piece(0) for _ in range(n))


CONTROL_START = re.compile(r"^[ \t]*(%[^%]|%$|##)")


def joined(pieces):
    """Pieces one after the other, each ending its line: a control line
    after a piece without a newline would be text (valid Mako, but the
    block around it would not close)."""
    out = ""
    for piece in pieces:
        if out and not out.endswith("\n"):
            out += "\n"
        out += piece
    return out if out.endswith("\n") or not out else out + "\n"


def spell(rng, name):
    """A way of printing one of the identifiers as Python."""
    return rng.choice([
        "${repr(%s)}" % name,
        "${%s | repr,n}" % name,
        "${%s!r}" % name if False else "${f'{%s!r}'}" % name,
        "${repr(%s) if %s else None}" % (name, name),
        "${repr(%s)|n}" % name,
    ])


def raw_block(g, rng, name):
    """Constructs whose output lands in a raw string, so the revision file
    stays Python whatever they print."""
    return "%s = r'''\n%s\n'''\n" % (name, g.decor(rng.randint(1, 6)))


def gen_template(seed):
    """Returns (pieces, kind): the template as a list of pieces (joined
    to make script.py.mako; --minimise drops pieces) and what is expected
    ("ok", "unsupported", "broken")."""
    rng = random.Random(seed * 7919 + 13)
    g = Gen(rng)
    kind = "ok"
    roll = rng.random()
    if roll < 0.07:
        kind = "unsupported"
    elif roll < 0.15:
        kind = "broken"
    p = []
    if rng.random() < 0.03:
        return [""], kind if kind == "ok" else "ok"
    if rng.random() < 0.15:
        p.append(raw_block(g, rng, "TOP"))
    head = rng.choice(['"""${message}\n', '"""${message | trim}\n', '"""${message if message else ""}\n',
                       '"""${(message or "").replace("\\\\", "/")}\n', '"""${message}'])
    if head.endswith("}"):
        head += " (%s)\n" % rng.choice(["note", "${up_revision}"])
    p.append(head)
    p.append("\nRevision ID: ${up_revision}\n")
    p.append(rng.choice(["Revises: ${down_revision | comma,n}\n", "Revises: ${comma(down_revision)}\n",
                         "Revises: ${down_revision | comma, n}\n"]))
    p.append(rng.choice(["Create Date: ${create_date}\n", "Create Date: ${create_date | str}\n",
                         "Create Date: ${str(create_date)}\n"]))
    if rng.random() < 0.5:
        p.append(g.decor(rng.randint(1, 4)))
    p.append('\n"""\n')
    if rng.random() < 0.5:
        p.append(raw_block(g, rng, "NOTES"))
    p.append("from typing import Sequence, Union\n\nfrom alembic import op\nimport sqlalchemy as sa\n")
    p.append(rng.choice(['${imports if imports else ""}\n', "${imports | n}\n" if False else
                         '% if imports:\n${imports}\n% endif\n', '${imports if imports else ""}\n']))
    p.append("\n# revision identifiers, used by Alembic.\n")
    p.append("revision: str = %s\n" % rng.choice(["${repr(up_revision)}", "'${up_revision}'",
                                                  "${up_revision | repr,n}", "${f'{up_revision!r}'}"]))
    p.append("down_revision: Union[str, Sequence[str], None] = %s\n" % spell(rng, "down_revision"))
    if rng.random() < 0.3:
        p.append("% if branch_labels:\nbranch_labels = ${repr(branch_labels)}\n% else:\n"
                 "branch_labels = None\n% endif\n")
    else:
        p.append("branch_labels: Union[str, Sequence[str], None] = %s\n" % spell(rng, "branch_labels"))
    p.append("depends_on: Union[str, Sequence[str], None] = %s\n" % spell(rng, "depends_on"))
    if rng.random() < 0.4:
        p.append(raw_block(g, rng, "MORE"))
    if rng.random() < 0.3:
        p.append("AUTHOR = ${repr(context.get('author'))}\nTICKET = ${repr(context.get('ticket', 0))}\n")
    p.append("\n\ndef upgrade() -> None:\n    \"\"\"Upgrade schema.\"\"\"\n")
    p.append(rng.choice(['    ${upgrades if upgrades else "pass"}\n', "    ${upgrades or 'pass'}\n",
                         "% if upgrades:\n    ${upgrades}\n% else:\n    pass\n% endif\n"]))
    p.append("\n\ndef downgrade() -> None:\n    \"\"\"Downgrade schema.\"\"\"\n")
    p.append(rng.choice(['    ${downgrades if downgrades else "pass"}',
                         '    ${downgrades if downgrades else "pass"}\n',
                         '    ${downgrades if downgrades else "pass"}\\\n',
                         '    ${downgrades if downgrades else "pass"}\n# ends with a backslash \\',
                         '    ${downgrades if downgrades else "pass"}\n## last comment',
                         '    ${downgrades if downgrades else "pass"}\n\n\n']))
    if rng.random() < 0.3:
        p.append("\n" + raw_block(g, rng, "END").rstrip("\n"))
    if kind == "unsupported":
        p.insert(rng.randint(0, len(p)), rng.choice(UNSUPPORTED))
    elif kind == "broken":
        p.insert(rng.randint(0, len(p)), rng.choice(BROKEN))
    return p, kind


def finish(rng, text):
    """Whole-file variations: CRLF, a BOM, a coding line."""
    if rng.random() < 0.12:
        text = text.replace("\n", "\r\n")
    if rng.random() < 0.05:
        text = "\ufeff" + text
    elif rng.random() < 0.05:
        text = "## -*- coding: utf-8 -*-\n" + text
    return text


# ---------------------------------------------------------------------------
# project and commands
# ---------------------------------------------------------------------------

MESSAGES = [
    "create account table", "add a column", "", "Ünïcödé mêssage ß", "x", "100% done",
    "fix: 'quotes' and \"double\"", "back\\slash", "ends with backslash\\", "has ${dollar} brace",
    "%(year)s token", "tabs\tand  spaces", "日本語のメッセージ", "A very long message " * 6,
    "  leading and trailing  ", "braces {} and %>", "<b>html</b> & co", "#hash", "two\nlines",
]

MODELS = '''import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


class Upper(sa.types.TypeDecorator):
    impl = sa.String(20)
    cache_ok = True


metadata = sa.MetaData()
account = sa.Table(
    "account", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(50), nullable=False, comment="the name"),
    sa.Column("data", sa.Text().with_variant(postgresql.TEXT(collation="C"), "postgresql")),
    sa.Column("code", Upper()),
    sa.Column("kind", sa.Enum("a", "b", name="kind_enum")),
)
%s
'''

EXTRA_TABLE = '''item = sa.Table(
    "item", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("account_id", sa.ForeignKey("account.id")),
    sa.Index("ix_item_account", "account_id"),
)
'''

PRD = {
    "message": "    script.message = (script.message or '') + ' [prd]'\n",
    "rev_id": "    script.rev_id = script.rev_id + 'p'\n",
    "imports": "    script.imports.add('import os')\n",
    "drop_empty": ("    if getattr(config.cmd_opts, 'autogenerate', False) and "
                   "script.upgrade_ops.is_empty():\n        directives[:] = []\n"),
}


def make_spec(seed):
    rng = random.Random(seed)
    pieces, kind = gen_template(seed)
    spec = {
        "seed": seed,
        "layout": "pyproject" if rng.random() < 0.25 else "generic",
        "pieces": pieces,
        "kind": kind,
        "finish": rng.randint(0, 10 ** 6),
        "revision_environment": rng.random() < 0.3,
        "template_args": rng.random() < 0.5,
        "prd": sorted(k for k in PRD if rng.random() < 0.25),
        "models_extra": rng.random() < 0.5,
        "two_locations": rng.random() < 0.2,
        "timezone": rng.choice([None, None, None, "UTC", "Asia/Kolkata"]),
    }
    spec["commands"] = gen_commands(rng, spec)
    return spec


def gen_commands(rng, spec):
    msg = lambda: rng.choice(MESSAGES)
    cmds = []
    ids = []
    n = 0

    def rid(prefix="r"):
        nonlocal n
        n += 1
        return ["--rev-id", "%s%d%s" % (prefix, n, rng.choice(["", "a", "ff"]))] if rng.random() < 0.9 else []

    def rev(extra, prefix="r"):
        if spec["two_locations"] and "--version-path" not in extra and (
                not cmds or "base" in extra):
            # a new base needs to be told where to go
            extra = extra + ["--version-path", "migrations/versions"]
        argv = ["revision"] + (["-m", msg()] if rng.random() < 0.9 else []) + extra + rid(prefix)
        cmds.append(argv)

    if rng.random() < 0.3:
        rev(["--autogenerate"], "a")
    else:
        rev([])
    for _ in range(rng.randint(1, 5)):
        k = rng.randint(0, 9)
        if k <= 2:
            rev([])
        elif k == 3:
            rev(["--head", "base", "--branch-label", rng.choice(["side", "net", "b%d" % n])])
        elif k == 4:
            cmds.append(["merge", "heads"] + (["-m", msg()] if rng.random() < 0.7 else []) + rid("m"))
        elif k == 5:
            rev(["--head", "heads"] if rng.random() < 0.3 else ["--head", "head"])
        elif k == 6:
            cmds.append(["upgrade", "heads"])
            rev(["--autogenerate"], "a")
        elif k == 7 and spec["two_locations"]:
            rev(["--head", "base", "--version-path", "migrations/other", "--branch-label", "oth%d" % n])
        elif k == 8:
            rev(["--splice", "--head", "base"] if rng.random() < 0.5 else ["--sql"])
        else:
            rev(["--depends-on", "base"] if rng.random() < 0.2 else [])
    if rng.random() < 0.2:
        rev(["--autogenerate", "--sql"], "a")
    return cmds


def env_py(base_env, spec):
    text = base_env
    if spec["template_args"] or spec["prd"] or True:
        text = text.replace("target_metadata = None", "import models\ntarget_metadata = models.metadata")
    kw = ""
    if spec["template_args"]:
        kw += ("template_args={'author': 'Zoë <z@x>', 'ticket': 42, 'tags': ['a', 'b'], "
               "'nothing': None, 'message_extra': '100% ${x}'},\n            ")
    if spec["prd"]:
        kw += "process_revision_directives=prd,\n            "
        func = "\n\ndef prd(context, revision, directives):\n    if not directives:\n        return\n    script = directives[0]\n"
        func += "".join(PRD[k] for k in spec["prd"])
        text = text.replace("\n\ndef run_migrations_offline", func + "\n\ndef run_migrations_offline")
    if kw:
        text = text.replace("context.configure(\n", "context.configure(\n            " + kw)
    return text


def init_base(tools, layout, cache):
    """`alembic init -t <layout> migrations` by the oracle, once per run."""
    path = os.path.join(cache, layout)
    if not os.path.exists(path):
        os.makedirs(path)
        p = subprocess.run([tools.oracle_py, "-m", "alembic", "init", "-t", layout, "migrations"],
                           cwd=path, env=tools.env, capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError("init failed: " + p.stderr)
    return path


def template_text(spec, pieces=None):
    text = "".join(spec["pieces"] if pieces is None else pieces)
    return finish(random.Random(spec["finish"]), text)


def gen_project(tools, spec, out, cache, pieces=None):
    shutil.copytree(init_base(tools, spec["layout"], cache), out)
    ini = os.path.join(out, "alembic.ini")
    text = open(ini).read().replace("sqlalchemy.url = driver://user:pass@localhost/dbname",
                                    "sqlalchemy.url = sqlite:///%(here)s/app.db")
    extra = []
    if spec["revision_environment"]:
        extra.append("revision_environment = true")
    if spec["timezone"]:
        extra.append("timezone = %s" % spec["timezone"])
    if spec["layout"] == "generic":
        if spec["two_locations"]:
            extra += ["version_locations = %(here)s/migrations/versions %(here)s/migrations/other"]
            text = text.replace("\npath_separator = os\n", "\npath_separator = space\n")
        text = text.replace("[alembic]\n", "[alembic]\n" + "".join(x + "\n" for x in extra), 1)
    else:
        toml = os.path.join(out, "pyproject.toml")
        ttext = open(toml).read()
        tx = []
        for x in extra:
            k, v = x.split(" = ", 1)
            if k == "version_locations":
                tx.append('version_locations = ["%(here)s/migrations/versions", "%(here)s/migrations/other"]')
            elif k == "path_separator":
                continue
            else:
                tx.append('%s = %s' % (k, "true" if v == "true" else '"%s"' % v))
        ttext = ttext.replace("[tool.alembic]\n", "[tool.alembic]\n" + "".join(x + "\n" for x in tx), 1)
        open(toml, "w").write(ttext)
    open(ini, "w").write(text)
    if spec["two_locations"]:
        os.makedirs(os.path.join(out, "migrations", "other"), exist_ok=True)
    env = os.path.join(out, "migrations", "env.py")
    text = env_py(open(env).read(), spec)
    open(env, "w").write(text)
    open(os.path.join(out, "models.py"), "w").write(
        MODELS % (EXTRA_TABLE if spec["models_extra"] else ""))
    with open(os.path.join(out, "migrations", "script.py.mako"), "w", encoding="utf-8", newline="") as f:
        f.write(template_text(spec, pieces))
    with open(os.path.join(out, "spec.json"), "w") as f:
        json.dump(spec, f, indent=1)


# ---------------------------------------------------------------------------
# running and comparing
# ---------------------------------------------------------------------------

ORACLE_RUNNER = r'''
import io, json, os, sys, traceback, warnings
from alembic.config import CommandLine, Config
_init = Config.__init__
def _init_cur(self, *a, **kw):
    _init(self, *a, **kw)
    self.stdout = sys.stdout
Config.__init__ = _init_cur
sys.path.insert(0, os.getcwd())
def run(argv):
    out, err = (io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace",
                                 write_through=True) for _ in range(2))
    real = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    code = 0
    try:
        with warnings.catch_warnings():
            CommandLine(prog="alembic").main(argv=argv)
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
    return [code] + [s.buffer.getvalue().decode("utf-8", "replace") for s in (out, err)]
def valid():
    # Alembic imports every revision file: once one is not Python, later
    # commands fail where alembic-rs (reading the syntax tree) reports
    # otherwise by design (docs/differences.md). Stop there.
    for d, dirs, files in os.walk("migrations"):
        for f in files:
            if f.endswith(".py"):
                with warnings.catch_warnings():
                    warnings.simplefilter("error", SyntaxWarning)
                    try:
                        compile(open(os.path.join(d, f), "rb").read(), f, "exec")
                    except Exception:
                        return False
    return True
results = []
for a in json.load(sys.stdin):
    results.append(run(a))
    if not valid():
        break
json.dump(results, sys.stdout)
'''


class Tools:
    def __init__(self):
        self.oracle_py = os.environ.get("ORACLE_PYTHON", os.path.join(ROOT, ".venv-oracle/bin/python"))
        rs = os.environ.get("ALEMBIC_RS", os.path.join(ROOT, "target/release/alembic-rs"))
        self.host = os.environ.get("HOST_VENV", os.path.join(ROOT, ".venv-host"))
        self.bindir = tempfile.mkdtemp(prefix="fzt-bin-")
        self.rs = os.path.join(self.bindir, "alembic")
        os.symlink(os.path.abspath(rs), self.rs)
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("ALEMBIC_CONFIG", "VIRTUAL_ENV", "PYTHONPATH"))}
        self.env["PYTHONDONTWRITEBYTECODE"] = "1"
        self.env["PYTHONHASHSEED"] = "0"

    def oracle(self, cwd, argvs):
        """All of a project's commands in one Python process (the models
        module is the same for all)."""
        p = subprocess.run([self.oracle_py, "-c", ORACLE_RUNNER], cwd=cwd, input=json.dumps(argvs),
                           env=self.env, capture_output=True, text=True, timeout=600)
        if p.returncode != 0:
            raise RuntimeError("oracle runner failed: " + p.stderr[-2000:])
        return [tuple(r) for r in json.loads(p.stdout)]

    def rs_one(self, cwd, argv):
        env = dict(self.env, VIRTUAL_ENV=self.host)
        try:
            p = subprocess.run([self.rs] + argv, cwd=cwd, env=env, capture_output=True,
                               timeout=120, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return (124, "", "TIMEOUT\n")
        return (p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"))


_TB = "Traceback (most recent call last):"
DATES = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?")
EPOCH = re.compile(r"\b1\d{9}_")
TMPTXT = re.compile(r"see (\S+\.txt) for a template-oriented traceback")


GENERATED_ID = re.compile(r"(?<![0-9a-f])[0-9a-f]{12}(?![0-9a-f])")


def new_id_sub(text, newids):
    """Each generated id as <NEWIDn>, n its rank in creation order
    (`newids`, from generated_ids()); <NEWID> for one not seen there."""
    return GENERATED_ID.sub(lambda m: newids.get(m.group(0), "<NEWID>"), text)


def generated_ids(outputs, project, before):
    """The ids `revision`/`merge` generated, numbered in the order they were
    made: first as the commands' outputs name them ("Generating .../<id>_x.py"),
    then, for any left (a `-q` command prints nothing), from the files written,
    oldest first. Numbering by creation, not by the random ids themselves,
    keeps two generated revisions with one message apart (their files would
    otherwise get one normalised name, and sort by the ids)."""
    order = {}
    for text in outputs:
        for m in GENERATED_ID.findall(text):
            order.setdefault(m, "<NEWID%d>" % (len(order) + 1))
    written = []
    for d, dirs, files in os.walk(project):
        dirs[:] = [x for x in dirs if x != "__pycache__"]
        for f in files:
            p = os.path.join(d, f)
            rel = os.path.relpath(p, project)
            if f.endswith(".py") and before.get(rel) != open(p, "rb").read():
                written.append((os.stat(p).st_mtime_ns, rel, p))
    for _, rel, p in sorted(written):
        text = rel + "\n" + open(p, encoding="utf-8", errors="replace").read()
        for m in GENERATED_ID.findall(text):
            order.setdefault(m, "<NEWID%d>" % (len(order) + 1))
    return order


def normalise(text, project, code, newids=None):
    text = text.replace(os.path.realpath(project), "<PROJECT>").replace(project, "<PROJECT>")
    if newids is not None:
        text = new_id_sub(text, newids)
    text = EPOCH.sub("<EPOCH>_", text)
    text = DATES.sub("<DATE>", text)

    def tmp(m):
        try:
            lines = [l for l in open(m.group(1), encoding="utf-8", errors="replace").read().split("\n")
                     if l.strip()]
            last = lines[-1] if lines else ""
        except OSError:
            last = "(missing)"
        return "see <TMP: %s> for a template-oriented traceback" % last
    text = TMPTXT.sub(tmp, text)
    if code == 1 and _TB in text:
        before = text[:text.index(_TB)]
        last = [l for l in text.split("\n") if l.strip()][-1]
        text = before + "<traceback> " + last + "\n"
    text = re.sub(r"(?<![0-9A-Za-z])0x[0-9a-fA-F]+", "0xADDR", text)
    # the in-process runner's traceback.print_exc() has no "Did you mean"
    text = re.sub(r"(NameError: .*?)\. Did you mean: .*\?$", r"\1", text, flags=re.M)
    text = re.sub(r"(?m)^\S+:\d+: (\w+Warning: .*)\n(?:  .*\n)?", r"\1\n", text)
    return text


def tree(project):
    out = {}
    for d, dirs, files in os.walk(project):
        dirs[:] = [x for x in dirs if x != "__pycache__"]
        for f in files:
            if f.endswith(".db"):
                continue
            p = os.path.join(d, f)
            out[os.path.relpath(p, project)] = open(p, "rb").read()
    return out


def norm_files(files, project, newids):
    out = {}
    for k, v in files.items():
        t = v.decode("utf-8", "backslashreplace")
        if newids is not None:
            k, t = new_id_sub(k, newids), new_id_sub(t, newids)
        t = DATES.sub("<DATE>", t).replace(os.path.realpath(project), "<PROJECT>").replace(project, "<PROJECT>")
        out[EPOCH.sub("<EPOCH>_", k)] = t
    return out


def diff(a, b, what):
    d = difflib.unified_diff([x + "\n" for x in a.split("\n")], [x + "\n" for x in b.split("\n")],
                             "alembic", "alembic-rs", n=2)
    return "  %s differs:\n%s" % (what, "".join("    " + repr(x)[1:-1] + "\n" for x in list(d)[:60]))


def compiles(files):
    for k, v in files.items():
        if not k.endswith(".py"):
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("error", SyntaxWarning)
            try:
                compile(v, k, "exec")
            except Exception:
                return False
    return True


GRAPH = [["heads"], ["history"], ["history", "-v"], ["branches"]]


def run_spec(tools, spec, work, pieces=None):
    """Returns (status, problems): status is "ok", "refused", "graph-skipped" or "diff"."""
    cache = os.path.join(work, "cache")
    base = os.path.join(work, "base")
    if os.path.exists(base):
        shutil.rmtree(base)
    gen_project(tools, spec, base, cache, pieces)
    py, rs = os.path.join(work, "py"), os.path.join(work, "rs")
    for d in (py, rs):
        if os.path.exists(d):
            shutil.rmtree(d)
        shutil.copytree(base, d)
    before = tree(base)
    cmds = spec["commands"]
    # The oracle's commands one by one would be slower; the files written
    # by each step are compared at the end, the outputs step by step.
    refs = tools.oracle(py, cmds)
    cmds = cmds[:len(refs)]
    stopped = len(refs) < len(spec["commands"])
    gots = []
    for argv in cmds:
        gots.append(tools.rs_one(rs, argv))
    after_py, after_rs = tree(py), tree(rs)
    # ids alembic generates (no --rev-id) are replaced wherever they appear,
    # numbered in the order they were made
    ids_py = ids_rs = None
    if any("--rev-id" not in argv for argv in cmds):
        ids_py = generated_ids([r[1] + r[2] for r in refs], py, before)
        ids_rs = generated_ids([g[1] + g[2] for g in gots], rs, before)
    problems = []
    refused = False
    # Alembic imports the file it wrote: when that is not Python, its
    # traceback and alembic-rs's syntax-tree error differ by design
    # (docs/differences.md); exit codes, stdout and the files still count.
    invalid = not compiles({k: v for k, v in after_py.items() if before.get(k) != v})
    for argv, ref, got in zip(cmds, refs, gots):
        if spec["kind"] == "unsupported" and got[0] == 255 and "is not supported: alembic-rs renders" in got[1]:
            # what follows a refusal cannot be compared (Alembic wrote a file)
            refused = True
            break
        p = []
        if ref[0] != got[0]:
            p.append("  exit code: alembic %s, alembic-rs %s" % (ref[0], got[0]))
        for i, what in ((1, "stdout"), (2, "stderr")):
            a = normalise(ref[i], py, ref[0], ids_py)
            b = normalise(got[i], rs, got[0], ids_rs)
            if i == 2 and invalid and ref[0] == got[0] == 1:
                continue
            if ids_py is not None and argv[0] == "upgrade":
                # generated ids decide the order unrelated bases run in
                a, b = "\n".join(sorted(a.split("\n"))), "\n".join(sorted(b.split("\n")))
            if a != b:
                p.append(diff(a, b, what))
        if p:
            problems.append("`alembic %s`:\n%s" % (" ".join(argv), "\n".join(p)))
            break
    wrote_py = {k: v for k, v in after_py.items() if before.get(k) != v}
    wrote_rs = {k: v for k, v in after_rs.items() if before.get(k) != v}
    if refused:
        if wrote_rs and not problems:
            problems.append("  refused, but alembic-rs wrote %s" % sorted(wrote_rs))
        return ("refused" if not problems else "diff"), problems
    if not problems:
        fa, fb = norm_files(wrote_py, py, ids_py), norm_files(wrote_rs, rs, ids_rs)
        if sorted(fa) != sorted(fb):
            problems.append("  files written: alembic %s, alembic-rs %s" % (sorted(fa), sorted(fb)))
        for k in sorted(set(fa) & set(fb)):
            if fa[k] != fb[k]:
                problems.append(diff(fa[k], fb[k], "file " + k))
    if problems:
        return "diff", problems
    if stopped or not compiles(wrote_py):
        return "invalid-python", []
    refs = tools.oracle(py, GRAPH)
    for argv, ref in zip(GRAPH, refs):
        got = tools.rs_one(rs, argv)
        for i, what in ((0, "exit code"), (1, "stdout"), (2, "stderr")):
            a = normalise(ref[i], py, ref[0], ids_py) if i else ref[0]
            b = normalise(got[i], rs, got[0], ids_rs) if i else got[0]
            if i and ids_py is not None:
                # generated ids decide the file load order, hence the order
                # of unrelated heads: compared as multisets of lines
                a, b = sorted(a.split("\n")), sorted(b.split("\n"))
            if a != b:
                problems.append("`alembic %s` %s:\n%s" % (" ".join(argv), what, diff(str(a), str(b), what)))
    return ("diff" if problems else "ok"), problems


def minimise(tools, spec, work):
    pieces = list(spec["pieces"])
    changed = True
    while changed:
        changed = False
        for i in range(len(pieces)):
            trial = pieces[:i] + pieces[i + 1:]
            status, _ = run_spec(tools, spec, work, trial)
            if status == "diff":
                pieces = trial
                changed = True
                break
    # then each piece's lines
    i = 0
    while i < len(pieces):
        lines = pieces[i].split("\n")
        j = 0
        while j < len(lines) and len(lines) > 1:
            trial_lines = lines[:j] + lines[j + 1:]
            trial = pieces[:i] + ["\n".join(trial_lines)] + pieces[i + 1:]
            status, _ = run_spec(tools, spec, work, trial)
            if status == "diff":
                lines = trial_lines
            else:
                j += 1
        pieces[i] = "\n".join(lines)
        i += 1
    return pieces


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("--seed", type=int, required=True)
    g.add_argument("--out", required=True)
    r = sub.add_parser("run")
    r.add_argument("--seeds", default="1-20")
    r.add_argument("--keep", action="store_true")
    r.add_argument("--stop", action="store_true", help="stop at the first difference")
    r.add_argument("--minimise", action="store_true")
    args = ap.parse_args()
    tools = Tools()
    if args.cmd == "gen":
        spec = make_spec(args.seed)
        cache = tempfile.mkdtemp(prefix="fzt-cache-")
        gen_project(tools, spec, args.out, cache)
        shutil.rmtree(cache)
        print("%s (%s template, %s layout)" % (args.out, spec["kind"], spec["layout"]))
        for argv in spec["commands"]:
            print("  alembic " + " ".join(repr(a) if (" " in a or not a) else a for a in argv))
        return 0
    start = time.time()
    counts = {}
    diffs = []
    cache_root = tempfile.mkdtemp(prefix="fzt-cache-")
    try:
        for seed in parse_seeds(args.seeds):
            spec = make_spec(seed)
            work = tempfile.mkdtemp(prefix="fzt-%d-" % seed)
            os.symlink(cache_root, os.path.join(work, "cache"))
            try:
                status, problems = run_spec(tools, spec, work)
            except Exception as e:  # the harness itself
                status, problems = "diff", ["  harness error: %r" % e]
            key = status if status != "ok" else "identical"
            counts[key] = counts.get(key, 0) + 1
            print("seed %d (%s, %s, %d commands): %s" % (
                seed, spec["kind"], spec["layout"], len(spec["commands"]),
                status if status != "diff" else "DIFF (%s)" % work), flush=True)
            for p in problems:
                print(p, flush=True)
            if status == "diff":
                diffs.append(seed)
                if args.minimise:
                    pieces = minimise(tools, spec, work)
                    print("  minimised template: %r" % "".join(pieces), flush=True)
                if args.stop:
                    break
            elif not args.keep:
                shutil.rmtree(work)
    except KeyboardInterrupt:
        print("\ninterrupted")
    finally:
        shutil.rmtree(tools.bindir, ignore_errors=True)
        shutil.rmtree(cache_root, ignore_errors=True)
    print("\n%s; %.0fs; differing seeds: %s" % (
        ", ".join("%s %d" % kv for kv in sorted(counts.items())), time.time() - start, diffs))
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
