//! Seeded robustness and differential harness: bad input must give a clear
//! error, never a panic, and revision metadata must be read as CPython
//! (Alembic's import) reads it.
//!
//! * `revision_files_vs_cpython`: revision files (the fixtures' and the
//!   example project's `versions/*.py`, and files generated here with the
//!   metadata written every way Python allows), mutated at the token and
//!   byte level, read by [`Script::from_source`] and by the oracle
//!   interpreter (`tests/robustness/oracle.py`: `compile()`, then the module
//!   executed in a fresh namespace, as Alembic imports it). The outcomes
//!   must agree: the same `revision`/`down_revision`/`branch_labels`/
//!   `depends_on` and docstring; alembic-rs's "not literal"/"bad value"
//!   answers are allowed (the Python fallback answers them); a syntax error
//!   alembic-rs reports must be one CPython reports too, unless
//!   rustpython-parser rejects the whole file as well (a known parser gap,
//!   counted and printed); a syntax error CPython reports outside the
//!   metadata statements is not seen by alembic-rs (docs/differences.md).
//! * `no_panic_*`: alembic.ini files, pyproject.toml `[tool.alembic]`
//!   sections, script.py.mako templates, database URLs and revision target
//!   arguments, mutated and fed to the library's parsers inside
//!   `catch_unwind`; `no_panic_binary_sample` runs the built binary on a
//!   sample (exit status 101 or `panicked at` is a failure).
//!
//! Every case is drawn from a seed (splitmix64, `support::Rng`), so a
//! failure names the seed that reproduces it. The default seed lists keep
//! the whole file under 30 s in release on one core. For a longer run:
//!
//! ```text
//! ALEMBIC_RS_ROBUSTNESS_SEEDS=1-20000 ALEMBIC_RS_ORACLE_PYTHON=$PWD/.venv-oracle/bin/python \
//!   cargo nextest run --release --test robustness --no-capture
//! ```
//!
//! (`A-B` or a single number; the seeds replace each test's default list.)
//! `ALEMBIC_RS_ROBUSTNESS_KEEP=<dir>` keeps the revision files and the
//! oracle's answers there.

mod support;

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::Command;

use alembic_rs::config::Config;
use alembic_rs::config::ini::IniFile;
use alembic_rs::db::Url;
use alembic_rs::revision::{RevArg, RevisionMap, Walk};
use alembic_rs::script::{Script, ScriptError};

use support::Rng;

/// The seeds to run: `ALEMBIC_RS_ROBUSTNESS_SEEDS` (`A-B` or `N`), else `default`.
fn seeds(default: std::ops::Range<u64>) -> std::ops::Range<u64> {
    match std::env::var("ALEMBIC_RS_ROBUSTNESS_SEEDS") {
        Ok(s) => match s.split_once('-') {
            Some((a, b)) => a.trim().parse().unwrap()..b.trim().parse::<u64>().unwrap() + 1,
            None => {
                let n: u64 = s.trim().parse().unwrap();
                n..n + 1
            }
        },
        Err(_) => default,
    }
}

/// Runs `f`, turning a panic into its message.
fn no_panic<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|e| {
        e.downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "<non-string panic>".into())
    })
}

fn quiet_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::env::var_os("ALEMBIC_RS_ROBUSTNESS_VERBOSE").is_some() {
                default(info);
            }
        }));
    });
}

// ---------------------------------------------------------------------------
// Mutation

/// A rough Python-ish tokenisation: words, numbers, strings (one quote
/// char, no escapes across lines), runs of blanks, newlines, single
/// punctuation. Only used to cut the text at plausible places.
fn tokens(s: &str) -> Vec<&str> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        let c = b[i];
        if c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80 {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] >= 0x80) {
                i += 1;
            }
        } else if c == b' ' || c == b'\t' || c == b'\x0c' {
            while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\x0c') {
                i += 1;
            }
        } else if c == b'\'' || c == b'"' {
            i += 1;
            while i < b.len() && b[i] != c && b[i] != b'\n' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i = (i + 1).min(b.len());
        } else {
            i += 1;
        }
        while !s.is_char_boundary(i) {
            i += 1;
        }
        out.push(&s[start..i.min(s.len())]);
    }
    out
}

const INSERTS: &[&str] = &[
    "#",
    "# revision = 'zz'\n",
    "\n",
    "\r\n",
    "\r",
    "\\\n",
    "\\",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "'",
    "\"",
    "'''",
    "\"\"\"",
    ",",
    ";",
    ":",
    "=",
    ":=",
    " ",
    "\t",
    "\x0c",
    "\n    ",
    "\n\t",
    "revision",
    "down_revision",
    "branch_labels",
    "depends_on",
    "__doc__",
    "None",
    "r",
    "b",
    "f",
    "u",
    "rb",
    "if",
    "else",
    "del ",
    "import *",
    "from x import *\n",
    "def",
    "class",
    "lambda",
    "@",
    "*",
    "+",
    "+=",
    ".",
    "\u{feff}",
    "é",
    "\u{ff52}",
    "\\N{DIGIT ONE}",
    "\\x",
    "\\u12",
    "'a' 'b'",
    "{x}",
    "{",
    "!r",
    "=}",
    "async ",
    "await ",
    "match ",
    "case ",
    "type ",
];

/// Token-level and byte-level mutations, 1 to 4 of them.
fn mutate(rng: &mut Rng, text: &str, extra: &[&str]) -> Vec<u8> {
    let mut cur: Vec<u8> = text.as_bytes().to_vec();
    for _ in 0..1 + rng.below(4) {
        let s = String::from_utf8_lossy(&cur).into_owned();
        let toks = tokens(&s);
        if toks.is_empty() {
            cur.extend_from_slice(rng.pick(INSERTS).as_bytes());
            continue;
        }
        let k = rng.below(toks.len());
        let mut parts: Vec<String> = toks.iter().map(|t| t.to_string()).collect();
        match rng.below(12) {
            0 => {
                parts.remove(k);
            }
            1 => {
                let t = parts[k].clone();
                parts.insert(k, t);
            }
            2 => {
                let j = rng.below(parts.len());
                parts.swap(k, j);
            }
            3 | 4 => {
                let ins = if !extra.is_empty() && rng.chance(30) {
                    rng.pick(extra)
                } else {
                    rng.pick(INSERTS)
                };
                parts.insert(k, ins.to_string());
            }
            5 => {
                // change quotes
                let t = &parts[k];
                let q = rng.pick::<&str>(&["'", "\"", "'''", "\"\"\"", "r'", "b'", "f'", "u\""]);
                let mut inner = t.chars();
                if t.starts_with(['\'', '"']) && t.len() >= 2 {
                    inner.next();
                    inner.next_back();
                    parts[k] = format!(
                        "{q}{}{}",
                        inner.as_str(),
                        q.trim_start_matches(['r', 'b', 'f', 'u'])
                    );
                } else {
                    parts.insert(k, q.to_string());
                }
            }
            6 => {
                // copy a token from elsewhere
                let j = rng.below(parts.len());
                let t = parts[j].clone();
                parts.insert(k, t);
            }
            7 => {
                // truncate
                let at = rng.below(cur.len() + 1);
                cur.truncate(at);
                continue;
            }
            8 => {
                // a few random bytes
                for _ in 0..1 + rng.below(3) {
                    if cur.is_empty() {
                        break;
                    }
                    let at = rng.below(cur.len());
                    cur[at] = *rng.pick::<u8>(&[
                        b'\'', b'"', b'\\', b'\n', b'\r', b'(', b')', b'#', b' ', b'\t', 0, 0x80,
                        0xc3, 0xff, b'=', b':', b';', b'x',
                    ]);
                }
                continue;
            }
            9 => {
                // change the indentation of a line
                let at = rng.below(cur.len() + 1);
                let line_start = cur[..at]
                    .iter()
                    .rposition(|&c| c == b'\n')
                    .map_or(0, |p| p + 1);
                let ins: &[u8] = rng.pick::<&[u8]>(&[b" ", b"    ", b"\t", b"\x0c"]);
                if rng.chance(50) {
                    cur.splice(line_start..line_start, ins.iter().copied());
                } else {
                    let end = (line_start..cur.len())
                        .find(|&i| !matches!(cur[i], b' ' | b'\t'))
                        .unwrap_or(cur.len());
                    cur.drain(line_start..end);
                }
                continue;
            }
            10 => {
                // line endings of the whole file
                let nl = *rng.pick::<&str>(&["\r\n", "\r", "\n"]);
                let s = s
                    .replace("\r\n", "\n")
                    .replace('\r', "\n")
                    .replace('\n', nl);
                cur = s.into_bytes();
                continue;
            }
            _ => {
                // delete a line
                let at = rng.below(cur.len() + 1);
                let ls = cur[..at]
                    .iter()
                    .rposition(|&c| c == b'\n')
                    .map_or(0, |p| p + 1);
                let le = cur[at..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(cur.len(), |p| at + p + 1);
                cur.drain(ls..le);
                continue;
            }
        }
        cur = parts.concat().into_bytes();
    }
    cur
}

// ---------------------------------------------------------------------------
// Revision files

fn gen_id(rng: &mut Rng) -> String {
    match rng.below(10) {
        0 => "é_ü".to_string(),
        1 => String::new(),
        2 => "a b".into(),
        _ => {
            let n = 1 + rng.below(12);
            (0..n)
                .map(|_| *rng.pick::<char>(&['a', 'b', 'c', '0', '1', '9', 'f', 'e', '_']))
                .collect()
        }
    }
}

/// A Python string literal for `s`, written one of many ways.
fn str_lit(rng: &mut Rng, s: &str) -> String {
    let ascii = s.is_ascii();
    match rng.below(16) {
        0 => format!("'{s}'"),
        1 => format!("\"{s}\""),
        2 => format!("'''{s}'''"),
        3 => format!("\"\"\"{s}\"\"\""),
        4 => format!("r'{s}'"),
        5 => format!("u'{s}'"),
        6 => format!("R\"{s}\""),
        7 if s.len() >= 2 && s.is_char_boundary(1) => format!("'{}' \"{}\"", &s[..1], &s[1..]),
        8 if s.len() >= 2 && s.is_char_boundary(1) => format!("('{}'\n    '{}')", &s[..1], &s[1..]),
        9 if s.len() >= 2 && s.is_char_boundary(1) => format!("'{}' \\\n  '{}'", &s[..1], &s[1..]),
        10 if ascii => {
            let esc: String = s.chars().map(|c| format!("\\x{:02x}", c as u32)).collect();
            format!("'{esc}'")
        }
        11 if ascii => {
            let esc: String = s.chars().map(|c| format!("\\u{:04x}", c as u32)).collect();
            format!("\"{esc}\"")
        }
        12 if ascii => {
            let esc: String = s.chars().map(|c| format!("\\{:o}", c as u32)).collect();
            format!("'{esc}'")
        }
        13 if s.starts_with('a') => format!("'\\N{{LATIN SMALL LETTER A}}{}'", &s[1..]),
        15 => format!("('{s}')"),
        _ => format!("'{s}'"),
    }
}

fn ids_lit(rng: &mut Rng, allow_none: bool) -> String {
    if allow_none && rng.chance(25) {
        return rng
            .pick::<&str>(&["None", "(None)", "()", "[]"])
            .to_string();
    }
    let n = 1 + rng.below(3);
    let items: Vec<String> = (0..n)
        .map(|_| {
            let id = gen_id(rng);
            str_lit(rng, &id)
        })
        .collect();
    match rng.below(7) {
        0 if n == 1 => items[0].clone(),
        1 => format!("({},)", items.join(", ")),
        2 => format!("[{}]", items.join(", ")),
        3 => format!("{{{}}}", items.join(", ")),
        4 => format!("(\n    {},\n)", items.join(",\n    ")),
        5 => format!("({}\n)", items.join(",  # c\n ")),
        _ => format!("({})", items.join(", ")),
    }
}

const ANNOTATIONS: &[&str] = &[
    "",
    ": str",
    ": Union[str, Sequence[str], None]",
    ": Optional[str]",
    ": 'str'",
    ": str | None",
    ": tuple[str, ...]",
    " : Union[str,\n    None]",
];

/// Statements (indented for an `if` body) that CPython 3.11 compiles or
/// rejects, put next to a metadata assignment so that rustpython parses
/// them too.
const CONSTRUCTS: &[&str] = &[
    r#"x = a[*b]"#,
    r#"def f(*args: *Ts): pass"#,
    "with (open(a) as f, open(b) as g):\n        pass",
    "match p:\n        case {'k': [1, *rest]} | Point(x=0) if rest:\n            pass\n        case [1, 2, *_] | (3 | 4) as z:\n            pass",
    "try:\n        pass\n    except* (A, B) as eg:\n        pass",
    r#"f = lambda: (yield)"#,
    r#"x = [y := 1, y**2]"#,
    r#"print(f'{x!r:{width}.{prec}}', f'{x=}', f'{x = !s:>{w}}', f'{{}}{x}')"#,
    r#"x = 1_000_000j + 0x_ff + 0o17 + 0b1_0 + 1e-3 + .5 + 5."#,
    r#"x = 1if 1else 2"#,
    r#"x = [0x1for x in y]"#,
    "async def g():\n        return [x async for x in y]",
    r#"del (a), [b]"#,
    r#"x: int"#,
    r#"x = *a, *b"#,
    r#"print(*a, **b, c=1)"#,
    r#"x = '\N{EM DASH}' + "\N{LATIN SMALL LETTER A WITH ACUTE}""#,
    r#"x = ...; y = not not a; z = a @ b; a @= b"#,
    "@ (lambda f: f)\n    def g(): pass",
    "for x in *a, *b:\n        pass",
    r#"x = 'a' 'b' f'c{d}'"#,
    r#"x = u'a' 'b'; y = rb'a' b'b'; z = br'\d' Rb'a'"#,
    "x = '''a\\\nb'''",
    "while x:\n        break\n    else:\n        pass",
    "class C(B, metaclass=M, **kw):\n        x: int = 1",
    r#"x = a if b else c if d else e"#,
    r#"x = {**a, 'b': 1, **{'c': 2}}"#,
    r#"x = [*a, *b]; y = {*a}"#,
    r#"x = (yield)"#,
    r#"return 1"#,
    r#"x = f'{"nested"}'"#,
    r#"x = f'{'same quotes'}'"#,
    r#"type X = int"#,
    r#"def f[T](x: T) -> T: pass"#,
    r#"x = a[1:2, ::3, ...]"#,
    r#"x = lambda *a, b=1, **k: (a, b, k)"#,
    r#"def f(a, /, b, *, c): pass"#,
    r#"global g; h = 1"#,
    r#"x = 0_0; y = 00; z = 0e0"#,
    r#"x = 'abc'[::-1]"#,
    r#"x = not -~+1"#,
    "with a as (b, c):\n        pass",
    "x = \"\\\r\n\"",
    r#"x = [i for i in range(3) if i if i > 0 for j in range(i)]"#,
    r#"raise E from None"#,
    r#"import a.b.c as d, e"#,
    r#"from . import x; from ..y import (z,)"#,
    "async with a as b:\n        pass",
    r#"x = await y"#,
    r#"x = 1 if True else 2,"#,
    r#"print("\u00e9", '\U0001F600', b'\xff')"#,
    r#"x = f'{a!r}' f"{b:{c}}" rf'{d}\n' fR'x' Rf"y""#,
    r#"x = a < b <= c != d is not e not in f"#,
    r#"x = {}; x[1], x[2] = 3, 4"#,
    r#"x = [[1, 2], [3, 4]][0][1]"#,
    "def f():\n        '''doc'''\n        return lambda: [(yield x) for x in ()]",
    r#"x = 1 # type: ignore"#,
    "if a:\n        pass\n    elif b:\n        pass\n    else:\n        pass",
    "try:\n        pass\n    except (A, B):\n        pass\n    else:\n        pass\n    finally:\n        pass",
    r#"print(**{'a': 1}, *[])"#,
    r#"x = (a for b in c)"#,
    r#"f(x for x in y)"#,
    r#"f(x for x in y, 1)"#,
    r#"x = 0777"#,
    r#"x = 1__0"#,
    r#"x = 'unterminated"#,
    r#"x = \"#,
    "if x:\n    \tpass",
    "if x:\n\t    pass",
    "if x:\n    \t    pass\n    \t    pass",
];

fn assignment(rng: &mut Rng, name: &str, value: &str) -> String {
    let ann = if rng.chance(40) {
        *rng.pick(ANNOTATIONS)
    } else {
        ""
    };
    if rng.chance(15) {
        let c = rng.pick(CONSTRUCTS);
        return format!("if True:\n    {c}\n    {name} = {value}");
    }
    match rng.below(14) {
        0 => format!("{name}{ann} = {value}  # trailing"),
        1 => format!("{name} = \\\n    {value}"),
        2 => format!("{name} = (\n    {value}\n)"),
        3 => format!("x = 1; {name}{ann} = {value}; y = 2"),
        4 => format!("{name} = other_{name} = {value}"),
        5 => format!("if True:\n    {name} = {value}"),
        6 => format!("try:\n    {name} = {value}\nexcept* ValueError:\n    pass"),
        7 => format!("{name}{ann} = {value}\n{name} = {value}"),
        8 => format!("{name}\t=\t{value}"),
        9 => format!("{name} = {value}\n# {name} = 'commented'\n"),
        _ => format!("{name}{ann} = {value}"),
    }
}

const DOC_STYLES: &[&str] = &["\"\"\"", "'''", "\"", "'", "r\"\"\"", "u'''", "R'", "U\""];

fn docstring(rng: &mut Rng) -> String {
    let q = *rng.pick(DOC_STYLES);
    let bare = q.trim_start_matches(['r', 'u', 'R', 'U']);
    let body = if bare.len() == 3 {
        rng.pick::<&str>(&[
            "add thing\n\nRevision ID: abc\nRevises: \nCreate Date: 2024-01-01 00:00:00\n",
            "  padded  \n\t\n",
            "escapes \\t \\x41 \\N{BULLET} \\\\ \\\nline",
            "naïve café ☃ 𝔘",
            "",
            "\n\n\nfirst\n\nsecond\n\n",
            "quotes ' \" '' \"\" inside",
            "\x0c form feed\x0b vt \u{1c}",
        ])
        .to_string()
    } else {
        rng.pick::<&str>(&[
            "one line",
            "  spaced  ",
            "tab\\there",
            "ünï",
            "",
            "\\x41\\u00e9",
        ])
        .to_string()
    };
    format!("{q}{body}{bare}")
}

const PRELUDE: &[&str] = &[
    "from typing import Sequence, Union, Optional\n",
    "from alembic import op\nimport sqlalchemy as sa\n",
    "import re, os.path as osp\n",
    "x = [i for i in range(3) if i]\n",
    "f = lambda revision=1: revision\n",
    "def _helper(a, *, revision='no'):\n    def inner():\n        revision = 'no'\n        return revision\n    return inner\n",
    "@staticmethod\ndef decorated():\n    pass\n",
    "class Cls:\n    revision = 'class attr'\n    def m(self):\n        down_revision = 1\n",
    "_v = f'{1+1}-{\"x\"!r:>5}'\n",
    "match 1:\n    case 1:\n        pass\n    case _:\n        pass\n",
    "try:\n    pass\nexcept* ValueError:\n    pass\n",
    "if (n := 3) > 2:\n    pass\n",
    "async def coro():\n    await coro()\n",
    "été = 'summer'\nnaïve = été\n",
    "sql = \"\"\"\nrevision = 'in a string'\n\"\"\"\n",
    "x = ((((((((((((((((((((1))))))))))))))))))))\n",
    "LONG = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'\n",
    "def upgrade() -> None:\n    op.execute(\"\"\"\nrevision = 'no'\n\"\"\")\n",
    "def downgrade():\n\tpass\n",
    "type Alias = int\n",
    "\x0c\n",
    "x = 1 \\\n    + 2\n",
    "print(f\"{'revision'}\")\n",
    "assert True, 'revision'\n",
    "global revision_ish\n",
];

const LATE: &[&str] = &[
    "revision = 'late'\n",
    "del depends_on\n",
    "revision += 'x'\n",
    "(branch_labels := None)\n",
    "__doc__ = 'replaced'\n",
    "__doc__ = None\n",
    "if False:\n    revision = 'never'\n",
    "for depends_on in []:\n    pass\n",
    "from os.path import *\n",
    "import depends_on\n",
    "def branch_labels(): pass\n",
    "down_revision: str\n",
    "revision\n",
    "ｒevision = 'fullwidth'\n",
    "ʳevision = 'modifier'\n",
    "ﬁ = 1\n",
    "with open(__file__) as depends_on:\n    pass\n",
    "\"\"\"not a docstring\"\"\"\n",
    "print(revision)\n",
];

/// A revision file written one of many ways.
fn gen_revision(rng: &mut Rng) -> Vec<u8> {
    let mut s = String::new();
    let mut bom = false;
    match rng.below(8) {
        0 => bom = true,
        1 => s.push_str("# -*- coding: utf-8 -*-\n"),
        2 => s.push_str("#!/usr/bin/env python\n# vim: set fileencoding=latin-1 :\n"),
        3 => s.push_str("# coding=ascii\n"),
        _ => {}
    }
    if rng.chance(80) {
        s.push_str(&docstring(rng));
        s.push('\n');
    } else if rng.chance(30) {
        s.push_str("# just a comment\n\n");
        s.push_str(&docstring(rng));
        s.push('\n');
    }
    for _ in 0..rng.below(4) {
        s.push_str(rng.pick::<&str>(PRELUDE));
    }
    let mut names = vec!["revision", "down_revision", "branch_labels", "depends_on"];
    if rng.chance(30) {
        let i = rng.below(names.len());
        let j = rng.below(names.len());
        names.swap(i, j);
    }
    for name in names {
        if rng.chance(4) {
            continue;
        }
        let value = if name == "revision" {
            if rng.chance(5) {
                rng.pick::<&str>(&["None", "1", "('a',)"]).to_string()
            } else {
                let id = gen_id(rng);
                str_lit(rng, &id)
            }
        } else {
            ids_lit(rng, true)
        };
        s.push_str(&assignment(rng, name, &value));
        s.push('\n');
        if rng.chance(15) {
            s.push_str(rng.pick::<&str>(PRELUDE));
        }
    }
    for _ in 0..rng.below(3) {
        s.push_str(rng.pick::<&str>(PRELUDE));
    }
    if rng.chance(25) {
        s.push_str(rng.pick::<&str>(LATE));
    }
    let s = match rng.below(6) {
        0 => s.replace('\n', "\r\n"),
        1 => s.replace('\n', "\r"),
        2 => s.replace("\n\n", "\n \t\x0c\n"),
        3 => s.trim_end().to_string(),
        _ => s,
    };
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(b"\xef\xbb\xbf");
    }
    if s.starts_with("#!/usr/bin/env python\n# vim: set fileencoding=latin-1") {
        // latin-1: encode what can be
        out.extend(
            s.chars()
                .map(|c| if (c as u32) < 256 { c as u8 } else { b'?' }),
        );
    } else if s.starts_with("# coding=ascii") {
        out.extend(s.chars().map(|c| if c.is_ascii() { c as u8 } else { b'?' }));
    } else {
        out.extend_from_slice(s.as_bytes());
    }
    out
}

fn corpus() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "py")
                && p.components().any(|c| c.as_os_str() == "versions")
            {
                out.push(p);
            }
        }
    }
    walk(&root.join("tests/fixtures"), &mut files);
    walk(&root.join("alembic/versions"), &mut files);
    files
        .into_iter()
        .filter_map(|p| {
            let bytes = std::fs::read(&p).ok()?;
            Some((p.strip_prefix(root).unwrap().display().to_string(), bytes))
        })
        .collect()
}

/// What the oracle said about one file.
#[derive(Debug)]
#[allow(dead_code)] // the messages are only printed (`{:?}`)
enum Py {
    Syntax(u32, String),
    Exc(String),
    Ok(BTreeMap<String, serde_json::Value>),
}

fn run_oracle(python: &Path, dir: &Path, paths: &[PathBuf]) -> Vec<Py> {
    let list = dir.join("paths.txt");
    let out = dir.join("oracle.jsonl");
    let text: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    std::fs::write(&list, text.join("\n")).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/robustness/oracle.py");
    let scratch = dir.join("cwd");
    std::fs::create_dir_all(&scratch).unwrap();
    let st = Command::new(python)
        .arg(&script)
        .arg(&list)
        .arg(&out)
        .current_dir(&scratch)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONHASHSEED", "0")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(st.success(), "oracle failed: {st}");
    let answers = std::fs::read_to_string(&out).unwrap();
    let v: Vec<Py> = answers
        .lines()
        .map(|l| {
            let j: serde_json::Value = serde_json::from_str(l).unwrap();
            if let Some(s) = j.get("syntax") {
                Py::Syntax(
                    s[0].as_u64().unwrap() as u32,
                    s[1].as_str().unwrap().to_string(),
                )
            } else if let Some(e) = j.get("exc") {
                Py::Exc(e.as_str().unwrap().to_string())
            } else {
                let m = j["ok"].as_object().unwrap();
                Py::Ok(m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            }
        })
        .collect();
    assert_eq!(
        v.len(),
        paths.len(),
        "oracle answered {} of {}",
        v.len(),
        paths.len()
    );
    v
}

fn py_strip(s: &str) -> &str {
    let ws = |c: char| c.is_whitespace() || ('\x1c'..='\x1f').contains(&c);
    s.trim_matches(ws)
}

/// Alembic's `to_tuple` on a metadata value; `None` when it is not a
/// string, a sequence of strings, or None.
fn py_ids(v: &serde_json::Value) -> Option<Vec<String>> {
    use serde_json::Value as J;
    match v {
        J::Null => Some(vec![]),
        J::String(s) => Some(vec![s.clone()]),
        J::Object(o) => {
            let (items, set) = match (o.get("seq"), o.get("set")) {
                (Some(J::Array(a)), _) => (a, false),
                (_, Some(J::Array(a))) => (a, true),
                _ => return None,
            };
            let mut out: Vec<String> = items
                .iter()
                .map(|x| x.as_str().map(String::from))
                .collect::<Option<_>>()?;
            if set {
                out.sort();
            }
            Some(out)
        }
        _ => None,
    }
}

#[derive(Default)]
struct Tally {
    counts: BTreeMap<&'static str, usize>,
    failures: Vec<String>,
    gaps: Vec<String>,
}

impl Tally {
    fn count(&mut self, what: &'static str) {
        *self.counts.entry(what).or_default() += 1;
    }
}

fn show(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    let s: String = s.chars().take(1500).collect();
    format!("{s:?}")
}

/// Compares alembic-rs's reading of one file with the oracle's.
fn compare(
    t: &mut Tally,
    label: &str,
    bytes: &[u8],
    rs: &Result<Result<Script, ScriptError>, String>,
    py: &Py,
) {
    let fail = |t: &mut Tally, why: String| {
        t.failures
            .push(format!("{label}: {why}\n  input: {}", show(bytes)));
    };
    let rs = match rs {
        Err(panic) => return fail(t, format!("PANIC: {panic}")),
        Ok(r) => r,
    };
    match (rs, py) {
        (Err(ScriptError::Syntax { line, message, .. }), Py::Syntax(pl, _)) => {
            t.count(if line == pl {
                "both syntax error, same line"
            } else {
                "both syntax error, other line"
            });
            let _ = message;
        }
        (Err(ScriptError::Decode { .. }), Py::Syntax(..)) => t.count("both decode/syntax error"),
        (Err(ScriptError::Syntax { line, message, .. }), _) => {
            // CPython compiles it: rustpython's gap, or the scanner's bug?
            let text = String::from_utf8_lossy(bytes);
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            if rustpython_parser::parse(text, rustpython_parser::Mode::Module, "<f>").is_err() {
                t.count("rs syntax error, CPython compiles: rustpython rejects the file too (gap)");
                t.gaps.push(format!(
                    "{label}: line {line}: {message}\n  input: {}",
                    show(bytes)
                ));
            } else {
                fail(
                    t,
                    format!(
                        "syntax error at line {line} ({message}) but CPython and rustpython accept the file"
                    ),
                );
            }
        }
        (Err(ScriptError::Decode { message, .. }), _) => fail(
            t,
            format!("decode error ({message}) but CPython compiles the file"),
        ),
        (Err(ScriptError::UnsupportedEncoding { .. }), _) => {
            t.count("unsupported encoding (Python fallback)")
        }
        (Err(ScriptError::NotLiteral { .. } | ScriptError::BadValue { .. }), Py::Syntax(..)) => {
            t.count("rs not literal, CPython syntax error")
        }
        (Err(ScriptError::NotLiteral { .. } | ScriptError::BadValue { .. }), _) => {
            t.count("rs not literal (Python fallback)")
        }
        (_, Py::Syntax(..)) => t.count("CPython syntax error outside the metadata (documented)"),
        (_, Py::Exc(_)) => t.count("CPython raises at import (documented)"),
        (r, Py::Ok(m)) => {
            let get = |k: &str| m.get(k).cloned().unwrap_or(serde_json::Value::Null);
            let missing = |v: &serde_json::Value| v.get("missing").is_some();
            let rev = get("revision");
            let down = get("down_revision");
            match r {
                Err(ScriptError::NoRevisionId { .. }) => {
                    if missing(&rev) {
                        t.count("same: no revision")
                    } else {
                        fail(t, format!("rs: no revision id; CPython: revision = {rev}"))
                    }
                }
                Err(ScriptError::NoDownRevision { .. }) => {
                    if missing(&down) && !missing(&rev) {
                        t.count("same: no down_revision")
                    } else {
                        fail(
                            t,
                            format!(
                                "rs: no down_revision; CPython: revision = {rev}, down_revision = {down}"
                            ),
                        )
                    }
                }
                Err(e) => fail(t, format!("unexpected error {e}")),
                Ok(s) => {
                    let mut diffs = Vec::new();
                    if rev.as_str() != Some(s.revision.revision.as_str()) {
                        diffs.push(format!(
                            "revision: rs {:?}, CPython {rev}",
                            s.revision.revision
                        ));
                    }
                    let mut check = |name: &str, got: &[String], default_missing: bool| {
                        let v = get(name);
                        let want = if missing(&v) && default_missing {
                            Some(vec![])
                        } else {
                            py_ids(&v)
                        };
                        let mut got = got.to_vec();
                        if v.get("set").is_some() {
                            got.sort();
                        }
                        if want.as_ref() != Some(&got) {
                            diffs.push(format!("{name}: rs {got:?}, CPython {v}"));
                        }
                    };
                    check("down_revision", &s.revision.down_revision, false);
                    check("branch_labels", &s.revision.branch_labels, true);
                    check("depends_on", &s.revision.dependencies, true);
                    let doc = get("__doc__");
                    let want_doc = doc.as_str().map(py_strip).unwrap_or("");
                    if doc.is_string() || doc.is_null() {
                        if want_doc != s.longdoc {
                            diffs.push(format!(
                                "docstring: rs {:?}, CPython {want_doc:?}",
                                s.longdoc
                            ));
                        }
                    } else {
                        diffs.push(format!("docstring: rs {:?}, CPython {doc}", s.longdoc));
                    }
                    if diffs.is_empty() {
                        t.count("same metadata and docstring");
                    } else {
                        fail(t, diffs.join("; "));
                    }
                }
            }
        }
    }
}

/// Prints the failures (the panic hook is quiet) and fails the test.
fn report_failures(failures: &[String]) {
    if failures.is_empty() {
        return;
    }
    eprintln!("{} FAILURES:", failures.len());
    for f in failures.iter().take(40) {
        eprintln!("FAIL {f}");
    }
    panic!("{} failures (printed above)", failures.len());
}

#[test]
fn revision_files_vs_cpython() {
    quiet_panics();
    let Some(python) = support::oracle_python() else {
        return;
    };
    let corpus = corpus();
    assert!(corpus.len() > 50, "corpus: {} files", corpus.len());
    let keep = std::env::var_os("ALEMBIC_RS_ROBUSTNESS_KEEP").map(PathBuf::from);
    let tmp = tempfile::tempdir().unwrap();
    let dir = keep.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(&dir).unwrap();
    let started = std::time::Instant::now();
    let mut t = Tally::default();
    let seeds = seeds(1..5001);
    // Cases per seed: a generated file as written, and mutated; a corpus file mutated.
    let extra: Vec<String> = {
        let mut rng = Rng(0);
        (0..40)
            .map(|_| String::from_utf8_lossy(&gen_revision(&mut rng)).into_owned())
            .collect()
    };
    let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
    let mut labels = Vec::new();
    let mut contents: Vec<Vec<u8>> = Vec::new();
    for seed in seeds.clone() {
        let mut rng = Rng(seed.wrapping_mul(0x51_7cc1_b727_220a));
        let generated = gen_revision(&mut rng);
        let text = String::from_utf8_lossy(&generated).into_owned();
        labels.push(format!("seed {seed} generated"));
        contents.push(generated.clone());
        labels.push(format!("seed {seed} generated+mutated"));
        contents.push(mutate(&mut rng, &text, &extra));
        let (name, bytes) = &corpus[rng.below(corpus.len())];
        labels.push(format!("seed {seed} {name} mutated"));
        contents.push(mutate(&mut rng, &String::from_utf8_lossy(bytes), &extra));
    }
    // Every construct once, next to the metadata, as written.
    for (i, c) in CONSTRUCTS.iter().enumerate() {
        labels.push(format!("construct {i}"));
        contents.push(
            format!(
                "if True:\n    {c}\n    revision = 'a'\nrevision = 'b'\ndown_revision = None\n"
            )
            .into_bytes(),
        );
    }
    // Deep nesting (CPython stops at 200 open brackets; 100,000 overflowed
    // rustpython's stack), and long lines.
    for n in [199, 200, 201, 1000, 100_000] {
        let nested = format!("{}'a'{}", "(".repeat(n), ")".repeat(n));
        for form in [
            format!("revision = 'a'\ndown_revision = {nested}\n"),
            format!("{nested}\nrevision = 'a'\ndown_revision = None\n"),
            format!("revision = 'a'\ndown_revision = None\nif True:\n    revision = [{nested}]\n"),
            format!("revision = 'a'\ndown_revision = None\ndef f():\n    return {nested}\n"),
            format!("revision = 'a'\ndown_revision = None\nx = f'{{{nested}}}'\n"),
        ] {
            labels.push(format!("nesting {n}"));
            contents.push(form.into_bytes());
        }
    }
    labels.push("long line".into());
    contents.push(
        format!(
            "revision = '{}'\ndown_revision = None\n",
            "a".repeat(1 << 20)
        )
        .into_bytes(),
    );
    let mut paths = Vec::new();
    for (i, c) in contents.iter().enumerate() {
        let p = dir.join(format!("case_{i:06}_x.py"));
        std::fs::write(&p, c).unwrap();
        paths.push(p);
    }
    let rs: Vec<_> = paths
        .iter()
        .zip(&contents)
        .map(|(p, c)| no_panic(|| Script::from_source(p, c)))
        .collect();
    let rs_time = started.elapsed();
    let py = run_oracle(&python, &dir, &paths);
    let verbose = std::env::var_os("ALEMBIC_RS_ROBUSTNESS_VERBOSE").is_some();
    for i in 0..paths.len() {
        let before = t.counts.clone();
        compare(&mut t, &labels[i], &contents[i], &rs[i], &py[i]);
        if verbose && labels[i].starts_with("construct") {
            let what = t.counts.iter().find(|(k, v)| before.get(*k) != Some(v));
            let rs = match &rs[i] {
                Ok(Err(e)) => e.to_string(),
                Ok(Ok(_)) => "ok".into(),
                Err(p) => format!("PANIC {p}"),
            };
            eprintln!(
                "{}: {:?}\n    {:?}\n    rs: {rs}\n    py: {:?}",
                labels[i],
                what.map(|w| w.0),
                CONSTRUCTS[labels[i][10..].parse::<usize>().unwrap()],
                py[i]
            );
        }
    }
    eprintln!(
        "{} revision files (seeds {}..{}), alembic-rs {:?}, total {:?}",
        paths.len(),
        seeds.start,
        seeds.end - 1,
        rs_time,
        started.elapsed()
    );
    for (k, v) in &t.counts {
        eprintln!("  {v:6}  {k}");
    }
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for g in &t.gaps {
        let msg = g.split("\n").next().unwrap_or("");
        let msg = msg.split_once(": line ").map_or(msg, |(_, m)| m);
        *kinds
            .entry(msg.split_once(": ").map_or(msg, |(_, m)| m))
            .or_default() += 1;
    }
    for (k, v) in &kinds {
        eprintln!("  gap {v:6}  {k}");
    }
    for g in t
        .gaps
        .iter()
        .filter(|g| g.starts_with("construct"))
        .chain(t.gaps.iter().take(10))
    {
        eprintln!("GAP {g}");
    }
    report_failures(&t.failures);
}

// ---------------------------------------------------------------------------
// No panic on bad input

/// Files under `tests/fixtures` and `templates` whose name is `name`, sorted.
fn files_named(name: &str) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    fn walk(dir: &Path, name: &str, out: &mut Vec<PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, name, out);
            } else if p.file_name().is_some_and(|n| n == name) {
                out.push(p);
            }
        }
    }
    let mut paths = Vec::new();
    walk(&root.join("tests/fixtures"), name, &mut paths);
    walk(&root.join("templates"), name, &mut paths);
    for p in paths {
        if let Ok(s) = std::fs::read_to_string(&p) {
            out.push(s);
        }
    }
    out
}

const INI_INSERTS: &[&str] = &[
    "[alembic]\n",
    "[",
    "]",
    "%(here)s",
    "%(",
    "%%",
    "%",
    "$",
    "${here}",
    "=",
    ":",
    "\n",
    "\r\n",
    "\n  ",
    ";",
    "#",
    "script_location = ",
    "version_locations = ",
    "path_separator = ",
    "path_separator = newline\n",
    "path_separator = space\n",
    "path_separator = os\n",
    "path_separator = bogus\n",
    "version_path_separator = ;\n",
    "%(here)s/alembic\n",
    "prepend_sys_path = .\n",
    "truncate_slug_length = x\n",
    "truncate_slug_length = -1\n",
    "revision_environment = maybe\n",
    "recursive_version_locations = 2\n",
    "sourceless = yes\n",
    "timezone = ?\n",
    "file_template = %%(rev)s_%%(slug\n",
    "output_encoding = nope\n",
    "[post_write_hooks]\nhooks = a, b\na.type = console_scripts\n",
    "hooks = ,,\n",
    "x.type = exec\nx.executable = \n",
    "sqlalchemy.url = ",
    "postgresql://u:p@h:99999/d\n",
    "[DEFAULT]\n",
    "[loggers]\nkeys = root\n",
    "é",
    "\u{feff}",
    "\t",
    "\\",
    "\"",
    "'",
    "package:",
    "pkg.mod:dir\n",
    "~/x\n",
    "..\n",
    "/\n",
    "\0",
];

fn check_config(dir: &Path, ini: &[u8], toml: Option<&[u8]>) {
    let ini_path = dir.join("alembic.ini");
    let toml_path = dir.join("pyproject.toml");
    std::fs::write(&ini_path, ini).unwrap();
    match toml {
        Some(t) => std::fs::write(&toml_path, t).unwrap(),
        None => {
            let _ = std::fs::remove_file(&toml_path);
        }
    }
    if let Ok(text) = std::str::from_utf8(ini) {
        let mut f = IniFile::new([("here", dir.to_str().unwrap())]);
        if f.read_str(text, "alembic.ini").is_ok() {
            for section in f.sections() {
                let _ = f.items(&section);
                for opt in f.options(&section).unwrap_or_default() {
                    let _ = f.get(&section, &opt);
                    let _ = f.get_raw(&section, &opt);
                }
            }
        }
    }
    for section in ["alembic", "other", ""] {
        let Ok(c) = Config::load(&ini_path, &toml_path, section) else {
            continue;
        };
        let _ = c.sections();
        let _ = c.get_section(section);
        let _ = c.get_main_option("script_location");
        let _ = c.get_main_option("sqlalchemy.url");
        let _ = c.script_settings();
        let _ = c.get_version_locations_list();
        let _ = c.get_prepend_sys_paths_list();
        let _ = c.get_hooks_list();
        let _ = c.revision_environment();
        for name in [
            "script_location",
            "version_locations",
            "path_separator",
            "truncate_slug_length",
            "recursive_version_locations",
            "sourceless",
            "revision_environment",
            "file_template",
            "timezone",
            "post_write_hooks",
            "prepend_sys_path",
            "output_encoding",
        ] {
            let _ = c.get_alembic_value(name);
            let _ = c.get_alembic_option(name);
            let _ = c.get_alembic_boolean_option(name);
        }
    }
}

#[test]
fn no_panic_config() {
    quiet_panics();
    let inis = files_named("alembic.ini");
    let mut tomls = files_named("pyproject.toml");
    tomls.extend(files_named("pyproject.toml.mako"));
    tomls.push(
        "[tool.alembic]\nscript_location = \"%(here)s/alembic\"\nversion_locations = [\"a\", \"b\"]\nprepend_sys_path = [\".\"]\n\n[[tool.alembic.post_write_hooks]]\nname = \"black\"\ntype = \"console_scripts\"\nentrypoint = \"black\"\noptions = \"-l 79\"\n".into(),
    );
    let toml_inserts: &[&str] = &[
        "[tool.alembic]\n",
        "[[tool.alembic.post_write_hooks]]\n",
        "= 1\n",
        "= [1, \"a\"]\n",
        "= {a = 1}\n",
        "= true\n",
        "= 1979-05-27\n",
        "\"",
        "'",
        "[",
        "]",
        "{",
        "}",
        ",",
        "script_location",
        "version_locations",
        "prepend_sys_path",
        "post_write_hooks",
        "truncate_slug_length = \"x\"\n",
        "sourceless = \"yes\"\n",
        "name = 3\n",
        "type = []\n",
        "\\u00e9",
        "\\",
        "\n",
        "#",
    ];
    let tmp = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut cases = 0;
    for seed in seeds(1..1001) {
        let mut rng = Rng(seed ^ 0xc0f1_9000);
        let base = rng.pick(&inis).clone();
        let ini = mutate(&mut rng, &base, INI_INSERTS);
        let toml = if rng.chance(50) {
            let base = rng.pick(&tomls).clone();
            Some(mutate(&mut rng, &base, toml_inserts))
        } else {
            None
        };
        cases += 1;
        if let Err(p) = no_panic(|| check_config(tmp.path(), &ini, toml.as_deref())) {
            failures.push(format!(
                "seed {seed}: PANIC {p}\n  ini: {}\n  toml: {}",
                show(&ini),
                toml.as_deref().map(show).unwrap_or_default()
            ));
        }
    }
    eprintln!("{cases} config cases");
    report_failures(&failures);
}

#[test]
fn no_panic_templates() {
    quiet_panics();
    let mut bases = files_named("script.py.mako");
    bases.extend(files_named("alembic.ini.mako"));
    let inserts: &[&str] = &[
        "${",
        "}",
        "${x}",
        "${x | h}",
        "${x | n, trim}",
        "${ x !r }",
        "${'}'}",
        "${\"a\" + b}",
        "% if x:\n",
        "% endif\n",
        "% for a in b:\n",
        "% endfor\n",
        "% else:\n",
        "% elif y:\n",
        "%% ",
        "## comment\n",
        "<%text>",
        "</%text>",
        "<%doc>",
        "</%doc>",
        "<%",
        "%>",
        "<%!",
        "<%def name=\"f()\">",
        "</%def>",
        "<%include file=\"x\"/>",
        "<%inherit file=\"x\"/>",
        "<%namespace name=\"n\" file=\"x\"/>",
        "<%block>",
        "</%block>",
        "<%call expr=\"f()\">",
        "${up_revision}",
        "${down_revision | comma,n}",
        "${imports if imports else \"\"}",
        "\\\n",
        "\\",
        "\r\n",
        "\r",
        "\t",
        "\u{feff}",
        "é",
        "$",
        "{",
        "%",
        "<",
        ">",
        "/",
        "\n",
        "% while x:\n",
        "% endwhile\n",
        "% try:\n",
        "% except:\n",
        "% endtry\n",
        "${x[",
        "${(}",
        "<%page args=\"x\"/>",
        "${x}\\\n",
        "% if x: # c\n",
    ];
    let mut failures = Vec::new();
    let mut cases = 0;
    for seed in seeds(1..5001) {
        let mut rng = Rng(seed ^ 0x7e3b_1a7e);
        let base = rng.pick(&bases).clone();
        let src = mutate(&mut rng, &base, inserts);
        let src = String::from_utf8_lossy(&src).into_owned();
        cases += 1;
        if let Err(p) = no_panic(|| alembic_rs::template::compile(&src, "script.py.mako")) {
            failures.push(format!(
                "seed {seed}: PANIC {p}\n  template: {}",
                show(src.as_bytes())
            ));
        }
    }
    eprintln!("{cases} template cases");
    report_failures(&failures);
}

const URLS: &[&str] = &[
    "sqlite:///foo.db",
    "sqlite://",
    "sqlite:////abs/path.db?mode=ro&uri=true",
    "postgresql://scott:tiger@localhost:5432/mydb",
    "postgresql+psycopg2://u:p%40ss@[::1]:5432/db?sslmode=require&options=-c%20x",
    "postgresql+asyncpg://u@/db?host=/var/run/postgresql",
    "mysql+pymysql://root@127.0.0.1:3306/db?charset=utf8mb4",
    "mysql://u:p@h/d?ssl_ca=/x&ssl_ca=/y",
    "mariadb+mariadbconnector://u:p@h:3307/d",
    "oracle+cx_oracle://u:p@h:1521/?service_name=x",
    "mssql+pyodbc://u:p@dsn",
    "postgresql://u:p@h1:1,h2:2/d",
    "driver://user:pass@host/dbname",
];

fn check_url(text: &str) {
    if let Ok(u) = Url::parse(text) {
        let _ = u.render(true);
        let _ = u.render(false);
        let _ = u.drivername();
        let _ = u.backend_name();
        let _ = u.driver_name();
        let _ = u.default_driver_name();
        let _ = u.dialect();
        let _ = (u.username(), u.password(), u.host(), u.port(), u.database());
        for (k, _) in u.query() {
            let _ = u.query_values(k);
            let _ = u.query_value(k);
        }
        // what is rendered parses again
        let _ = Url::parse(&u.render(false));
    }
}

#[test]
fn no_panic_urls() {
    quiet_panics();
    let inserts: &[&str] = &[
        "%",
        "%4",
        "%zz",
        "%40",
        "%2F",
        "@",
        ":",
        "::",
        "/",
        "//",
        "?",
        "&",
        "=",
        "#",
        "[",
        "]",
        "[::1]",
        "+",
        "é",
        "\u{1F600}",
        " ",
        "\\",
        "\0",
        "99999",
        "-1",
        "0",
        ":65536",
        "?a",
        "?a=&=b",
        "///",
        "sqlite",
        "postgresql",
        "+",
        "+x+y",
        ",",
        "%(here)s",
        "${x}",
    ];
    let mut failures = Vec::new();
    let mut cases = 0;
    for seed in seeds(1..10001) {
        let mut rng = Rng(seed ^ 0x0041_u64 << 32);
        let base = *rng.pick(URLS);
        let mut s: Vec<char> = base.chars().collect();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(s.len() + 1);
            match rng.below(4) {
                0 if at < s.len() => {
                    s.remove(at);
                }
                1 => {
                    let end = (at + rng.below(8)).min(s.len());
                    s.drain(at..end);
                }
                _ => {
                    let ins: Vec<char> = rng.pick(inserts).chars().collect();
                    s.splice(at..at, ins);
                }
            }
        }
        let text: String = s.into_iter().collect();
        cases += 1;
        if let Err(p) = no_panic(|| check_url(&text)) {
            failures.push(format!("seed {seed}: PANIC {p}\n  url: {text:?}"));
        }
    }
    eprintln!("{cases} URL cases");
    report_failures(&failures);
}

/// A revision target argument of one of the forms the commands accept, mutated.
fn gen_target(rng: &mut Rng, map_ids: &[String], labels: &[String]) -> String {
    let id = if map_ids.is_empty() {
        "abc".to_string()
    } else {
        rng.pick(map_ids).clone()
    };
    let part = |rng: &mut Rng, id: &str| -> String {
        let n = 1 + rng.below(id.len().max(1));
        id.chars().take(n).collect()
    };
    let label = if labels.is_empty() {
        "lbl1".to_string()
    } else {
        rng.pick(labels).clone()
    };
    let n = rng.below(20) as i64 - 5;
    let t = match rng.below(22) {
        0 => "heads".into(),
        1 => "head".into(),
        2 => "base".into(),
        3 => format!("+{n}"),
        4 => format!("-{n}"),
        5 => format!("{label}@-{n}"),
        6 => format!("{label}@+{n}"),
        7 => format!("{label}@head"),
        8 => format!("{label}@base"),
        9 => format!("{}:{}", part(rng, &id), part(rng, &id)),
        10 => format!("{}@{}", label, part(rng, &id)),
        11 => format!("{}+{n}", part(rng, &id)),
        12 => format!("{}-{n}", part(rng, &id)),
        13 => format!("heads@{n}"),
        14 => format!("base+{n}"),
        15 => format!("head-{n}"),
        16 => format!("{id}@{id}@{id}"),
        17 => format!(":{}", part(rng, &id)),
        18 => format!("{}:", part(rng, &id)),
        19 => "current".into(),
        20 => format!("heads-{n}:base+{n}"),
        _ => part(rng, &id),
    };
    if rng.chance(30) {
        let mut s: Vec<char> = t.chars().collect();
        let at = rng.below(s.len() + 1);
        let ins = *rng.pick(&[
            "@",
            ":",
            "+",
            "-",
            "0",
            "99999999999999999999",
            "é",
            " ",
            "",
            "-+",
            "@@",
        ]);
        s.splice(at..at, ins.chars());
        s.into_iter().collect()
    } else {
        t
    }
}

fn check_target(map: &RevisionMap, target: &str, current: &[String]) {
    let arg = RevArg::str(target);
    let _ = map.get_revisions(&arg);
    let _ = map.get_revision(&arg);
    let _ = map.resolve_revision_number(&arg);
    let _ = map.upgrade_plan(target, current);
    let _ = map.downgrade_plan(target, current);
    let _ = map.stamp_plan(&[target.to_string()], current);
    if let Some((a, b)) = target.split_once(':') {
        for walk in [
            Walk::default(),
            Walk {
                inclusive: true,
                ..Walk::default()
            },
            Walk {
                select_for_downgrade: true,
                assert_relative_length: true,
                ..Walk::default()
            },
        ] {
            let _ = map.iterate_revisions(&RevArg::str(b), &RevArg::str(a), walk);
        }
    }
}

#[test]
fn no_panic_revision_targets() {
    quiet_panics();
    let mut failures = Vec::new();
    let mut cases = 0;
    for seed in seeds(1..1001) {
        let mut rng = Rng(seed ^ 0x7a29_e700);
        let revs = support::gen_graph(&mut rng);
        let ids: Vec<String> = revs.iter().map(|r| r.revision.clone()).collect();
        let labels: Vec<String> = revs.iter().flat_map(|r| r.branch_labels.clone()).collect();
        let Ok(map) = RevisionMap::new(revs) else {
            continue;
        };
        for _ in 0..10 {
            let target = gen_target(&mut rng, &ids, &labels);
            let current: Vec<String> = match rng.below(4) {
                0 => vec![],
                1 => vec![rng.pick(&ids).clone()],
                2 => map.heads().iter().map(|&h| map.id(h).to_string()).collect(),
                _ => vec![rng.pick(&ids).clone(), rng.pick(&ids).clone()],
            };
            cases += 1;
            if let Err(p) = no_panic(|| check_target(&map, &target, &current)) {
                failures.push(format!(
                    "seed {seed}: PANIC {p}\n  target: {target:?}, current: {current:?}, graph: {:?}",
                    ids
                ));
            }
        }
    }
    eprintln!("{cases} revision target cases");
    report_failures(&failures);
}

/// Runs the binary; a panic (exit status 101, `panicked at`) is a failure.
fn run_binary(dir: &Path, args: &[&str], failures: &mut Vec<String>, what: &str) {
    let out = Command::new(env!("CARGO_BIN_EXE_alembic-rs"))
        .args(args)
        .current_dir(dir)
        .env("VIRTUAL_ENV", support::host_venv())
        .env("ALEMBIC_RS_CACHE_DIR", dir.join(".cache"))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code() == Some(101) || stderr.contains("panicked at") {
        failures.push(format!(
            "{what}: alembic-rs {args:?}: {}\n{stderr}",
            out.status
        ));
    }
}

fn write_project(dir: &Path, revs: &[alembic_rs::revision::Revision]) {
    let versions = dir.join("alembic/versions");
    std::fs::create_dir_all(&versions).unwrap();
    std::fs::write(
        dir.join("alembic.ini"),
        "[alembic]\nscript_location = %(here)s/alembic\nsqlalchemy.url = sqlite:///x.db\n",
    )
    .unwrap();
    let tuple = |v: &[String]| match v {
        [] => "None".to_string(),
        [one] => format!("{one:?}"),
        many => format!(
            "({},)",
            many.iter()
                .map(|s| format!("{s:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    for r in revs {
        std::fs::write(
            versions.join(format!("{}_m.py", r.revision)),
            format!(
                "\"\"\"rev {}\"\"\"\nrevision = {:?}\ndown_revision = {}\nbranch_labels = {}\ndepends_on = {}\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n",
                r.revision,
                r.revision,
                tuple(&r.down_revision),
                tuple(&r.branch_labels),
                tuple(&r.dependencies)
            ),
        )
        .unwrap();
    }
}

#[test]
fn no_panic_binary_sample() {
    quiet_panics();
    let mut failures = Vec::new();
    let mut runs = 0;
    let seeds = seeds(1..9);
    for seed in seeds.clone() {
        let mut rng = Rng(seed ^ 0xb1_0a7e);
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let revs = support::gen_graph(&mut rng);
        let ids: Vec<String> = revs.iter().map(|r| r.revision.clone()).collect();
        let labels: Vec<String> = revs.iter().flat_map(|r| r.branch_labels.clone()).collect();
        write_project(dir, &revs);
        for _ in 0..6 {
            let target = gen_target(&mut rng, &ids, &labels);
            let range = format!("{}:{}", gen_target(&mut rng, &ids, &labels), target);
            let cmd: Vec<&str> = match rng.below(4) {
                0 => vec!["history", "-r", &range],
                1 => vec!["show", &target],
                2 => vec!["history", "-v", "-r", &target],
                _ => vec!["heads", "--verbose"],
            };
            runs += 1;
            run_binary(
                dir,
                &cmd,
                &mut failures,
                &format!("seed {seed} target {target:?}"),
            );
        }
        // a broken ini, then a broken revision file
        let ini = std::fs::read_to_string(dir.join("alembic.ini")).unwrap();
        std::fs::write(dir.join("alembic.ini"), mutate(&mut rng, &ini, INI_INSERTS)).unwrap();
        runs += 1;
        run_binary(
            dir,
            &["heads"],
            &mut failures,
            &format!("seed {seed} mutated ini"),
        );
        write_project(dir, &revs);
        let bad = gen_revision(&mut rng);
        let bad = mutate(&mut rng, &String::from_utf8_lossy(&bad), &[]);
        std::fs::write(dir.join("alembic/versions/zz_bad.py"), &bad).unwrap();
        runs += 1;
        run_binary(
            dir,
            &["history"],
            &mut failures,
            &format!("seed {seed} mutated revision {}", show(&bad)),
        );
    }
    eprintln!("{runs} runs of the binary");
    report_failures(&failures);
}
