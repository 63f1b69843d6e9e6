//! Revision files read by alembic-rs and by CPython (the oracle), compared.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use alembic_rs::script::{Script, ScriptError};

use super::mutation::*;
use super::*;
use crate::support::Rng;

pub(crate) fn gen_id(rng: &mut Rng) -> String {
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
pub(crate) fn str_lit(rng: &mut Rng, s: &str) -> String {
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

pub(crate) fn ids_lit(rng: &mut Rng, allow_none: bool) -> String {
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

pub(crate) const ANNOTATIONS: &[&str] = &[
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
pub(crate) const CONSTRUCTS: &[&str] = &[
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

pub(crate) fn assignment(rng: &mut Rng, name: &str, value: &str) -> String {
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

pub(crate) const DOC_STYLES: &[&str] =
    &["\"\"\"", "'''", "\"", "'", "r\"\"\"", "u'''", "R'", "U\""];

pub(crate) fn docstring(rng: &mut Rng) -> String {
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

pub(crate) const PRELUDE: &[&str] = &[
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

pub(crate) const LATE: &[&str] = &[
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
pub(crate) fn gen_revision(rng: &mut Rng) -> Vec<u8> {
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

/// The repository's revision files: the fixtures' and the example project's.
pub(crate) fn corpus() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let revision = |p: &Path| {
        p.extension().is_some_and(|e| e == "py")
            && p.components().any(|c| c.as_os_str() == "versions")
    };
    ["tests/fixtures", "alembic/versions"]
        .into_iter()
        .flat_map(|dir| repo_files(dir, &revision))
        .filter_map(|p| {
            let bytes = std::fs::read(&p).ok()?;
            Some((p.strip_prefix(root).unwrap().display().to_string(), bytes))
        })
        .collect()
}

/// What the oracle said about one file.
#[derive(Debug)]
#[allow(dead_code)] // the messages are only printed (`{:?}`)
pub(crate) enum Py {
    Syntax(u32, String),
    Exc(String),
    Ok(BTreeMap<String, serde_json::Value>),
}

pub(crate) fn run_oracle(python: &Path, dir: &Path, paths: &[PathBuf]) -> Vec<Py> {
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

pub(crate) fn py_strip(s: &str) -> &str {
    let ws = |c: char| c.is_whitespace() || ('\x1c'..='\x1f').contains(&c);
    s.trim_matches(ws)
}

/// Alembic's `to_tuple` on a metadata value; `None` when it is not a
/// string, a sequence of strings, or None.
pub(crate) fn py_ids(v: &serde_json::Value) -> Option<Vec<String>> {
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
pub(crate) struct Tally {
    counts: BTreeMap<&'static str, usize>,
    failures: Vec<String>,
    gaps: Vec<String>,
}

impl Tally {
    fn count(&mut self, what: &'static str) {
        *self.counts.entry(what).or_default() += 1;
    }
}

pub(crate) fn show(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    let s: String = s.chars().take(1500).collect();
    format!("{s:?}")
}

/// Compares alembic-rs's reading of one file with the oracle's.
pub(crate) fn compare(
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

#[test]
pub(crate) fn revision_files_vs_cpython() {
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
