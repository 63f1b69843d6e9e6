//! Tests of the script directory against the file system and against real
//! Alembic (`/tmp/ovenv/bin/python`, skipped when missing).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::discover::discover;
use super::*;
use crate::config::Config;

const ORACLE: &str = "/tmp/ovenv/bin/python";

fn oracle() -> Option<&'static str> {
    Path::new(ORACLE).exists().then_some(ORACLE)
}

fn write(path: &Path, text: &str) {
    if let Some(p) = path.parent() {
        fs::create_dir_all(p).unwrap();
    }
    fs::write(path, text).unwrap();
}

fn rev_file(rev: &str, down: &str) -> String {
    format!("\"\"\"msg {rev}\"\"\"\nrevision = '{rev}'\ndown_revision = {down}\n")
}

fn names(files: &[RevisionFile], base: &Path) -> Vec<String> {
    files
        .iter()
        .map(|f| {
            let p = f.path.strip_prefix(base).unwrap_or(&f.path);
            p.display().to_string()
        })
        .collect()
}

fn settings_for(root: &Path, extra: &str) -> Config {
    let ini = root.join("alembic.ini");
    write(
        &ini,
        &format!("[alembic]\nscript_location = %(here)s/scripts\npath_separator = os\n{extra}\n"),
    );
    Config::load(&ini, &root.join("pyproject.toml"), "alembic").unwrap()
}

#[test]
fn discovery_order_and_filters() {
    let tmp = tempfile::tempdir().unwrap();
    let base = fs::canonicalize(tmp.path()).unwrap();
    let v = base.join("versions");
    for name in [
        "b_two.py",
        "a_one.py",
        "__init__.py",
        ".#lock.py",
        "README",
        "c.pyc",
        "Z_upper.py",
        "sub/d_sub.py",
        "sub/deeper/e.py",
        "asub/f.py",
        "__pycache__/g.py",
    ] {
        write(&v.join(name), &rev_file("x", "None"));
    }
    let (files, warnings) = discover(std::slice::from_ref(&v), false, false);
    assert!(warnings.is_empty());
    assert_eq!(names(&files, &v), ["Z_upper.py", "a_one.py", "b_two.py"]);
    let (files, _) = discover(std::slice::from_ref(&v), true, false);
    assert_eq!(
        names(&files, &v),
        [
            "Z_upper.py",
            "a_one.py",
            "b_two.py",
            "asub/f.py",
            "sub/d_sub.py",
            "sub/deeper/e.py"
        ]
    );
    // a location that does not exist is skipped silently
    let (files, warnings) = discover(&[base.join("nope"), v.clone()], false, false);
    assert_eq!(files.len(), 3);
    assert!(warnings.is_empty());
}

#[test]
fn discovery_duplicates_and_symlinks() {
    let tmp = tempfile::tempdir().unwrap();
    let base = fs::canonicalize(tmp.path()).unwrap();
    let v = base.join("versions");
    write(&v.join("a.py"), &rev_file("a", "None"));
    write(&v.join("README"), "x");
    write(&base.join("elsewhere/target.py"), &rev_file("t", "None"));
    std::os::unix::fs::symlink(base.join("elsewhere/target.py"), v.join("b_link.py")).unwrap();
    std::os::unix::fs::symlink("a.py", v.join("c_same.py")).unwrap();
    let (files, warnings) = discover(&[v.clone(), v.clone()], false, false);
    assert_eq!(
        files.iter().map(|f| f.path.clone()).collect::<Vec<_>>(),
        [v.join("a.py"), base.join("elsewhere/target.py")]
    );
    let w: Vec<String> = warnings.into_iter().map(|w| w.0).collect();
    let twice = |p: &Path| {
        format!(
            "File {} loaded twice! ignoring. Please ensure version_locations is unique.",
            p.display()
        )
    };
    assert_eq!(
        w,
        [
            twice(&v.join("a.py")),
            twice(&v.join("README")),
            twice(&v.join("a.py")),
            twice(&base.join("elsewhere/target.py")),
            twice(&v.join("a.py")),
        ]
    );
}

#[test]
fn discovery_sourceless() {
    let tmp = tempfile::tempdir().unwrap();
    let base = fs::canonicalize(tmp.path()).unwrap();
    let v = base.join("versions");
    write(&v.join("a.py"), &rev_file("a", "None"));
    write(&v.join("__pycache__/a.cpython-311.pyc"), "");
    write(&v.join("__pycache__/b.cpython-311.pyc"), "");
    write(&v.join("c.pyc"), "");
    write(&v.join("c.pyo"), "");
    write(&v.join("d.pyo"), "");
    write(&v.join("e.py"), &rev_file("e", "None"));
    write(&v.join("e.pyc"), "");
    let (files, _) = discover(std::slice::from_ref(&v), false, true);
    assert_eq!(
        names(&files, &v),
        [
            "a.py",
            "c.pyc",
            "d.pyo",
            "e.py",
            "__pycache__/b.cpython-311.pyc"
        ]
    );
    assert!(files[1].sourceless && !files[0].sourceless);
    let err = Script::from_file(&files[1]).unwrap_err();
    assert!(err.needs_python());
    assert!(err.to_string().contains("sourceless"), "{err}");
}

#[test]
fn read_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let base = fs::canonicalize(tmp.path()).unwrap();
    let file = |name: &str, text: &[u8]| {
        let p = base.join(name);
        fs::write(&p, text).unwrap();
        Script::from_file(&RevisionFile {
            path: p,
            sourceless: false,
        })
    };
    // legacy: the revision id from the file name
    let s = file("1a2b3c.py", b"down_revision = None\n").unwrap();
    assert_eq!(s.revision.revision, "1a2b3c");
    let e = file("nothex.py", b"down_revision = None\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        "Could not determine revision id from filename nothex.py. Be sure the 'revision' variable is declared inside the script (please see 'Upgrading from Alembic 0.1 to 0.2' in the documentation)."
    );
    let e = file("x-1.py", b"revision = 'a'\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{}: module 'x_1_py' has no attribute 'down_revision'",
            base.join("x-1.py").display()
        )
    );
    let e = file("bad.py", b"revision = 'a'\ndown_revision = X\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{}:2: revision metadata 'down_revision' is not a literal; alembic-rs cannot read it without running Python",
            base.join("bad.py").display()
        )
    );
    assert!(e.needs_python());
    let e = file("utf.py", b"revision = '\xff'\n").unwrap_err();
    assert!(matches!(e, ScriptError::Decode { .. }), "{e}");
    assert!(!e.needs_python());
    let e = file("syn.py", b"revision = 'a'\ndown_revision = (\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{}:2: syntax error: '(' was never closed",
            base.join("syn.py").display()
        )
    );
    let e = Script::from_file(&RevisionFile {
        path: base.join("missing.py"),
        sourceless: false,
    })
    .unwrap_err();
    assert!(matches!(e, ScriptError::Read { .. }), "{e}");
}

#[test]
fn script_directory_end_to_end() {
    let tmp = tempfile::tempdir().unwrap();
    let base = fs::canonicalize(tmp.path()).unwrap();
    let config = settings_for(&base, "");
    let settings = config.script_settings().unwrap();
    let e = ScriptDirectory::new(settings.clone()).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "Path doesn't exist: {}.  Please use the 'init' command to create a new scripts folder.",
            settings.script_location.display()
        )
    );
    let v = base.join("scripts/versions");
    write(&v.join("b.py"), &rev_file("bbb", "'aaa'"));
    write(&v.join("a.py"), &rev_file("aaa", "None"));
    let dir = ScriptDirectory::new(settings).unwrap();
    assert_eq!(dir.version_locations(), std::slice::from_ref(&v));
    let (scripts, warnings) = dir.load_scripts().unwrap();
    assert!(warnings.is_empty());
    let revs: Vec<_> = scripts
        .iter()
        .map(|s| s.revision.revision.as_str())
        .collect();
    assert_eq!(revs, ["aaa", "bbb"]);
    assert_eq!(scripts[1].revision.down_revision, ["aaa"]);
    assert_eq!(scripts[1].path, v.join("b.py"));
    assert_eq!(scripts[1].doc(), "msg bbb");

    // the first failing file in load order is the error
    write(&v.join("c.py"), "revision = 'c'\ndown_revision = X\n");
    write(&v.join("d.py"), "revision = 'd'\n");
    let e = dir.load_scripts().unwrap_err();
    assert!(matches!(e, ScriptError::NotLiteral { .. }), "{e}");
}

// ---------------------------------------------------------------------
// Differential test against Alembic

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    fn hex(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from_digit(self.below(16) as u32, 16).unwrap())
            .collect()
    }
}

/// A Python string literal for an identifier-like value, in varied spellings.
fn lit(rng: &mut Rng, s: &str) -> String {
    match rng.below(10) {
        0 => format!("\"{s}\""),
        1 => format!("u'{s}'"),
        2 => format!("r\"{s}\""),
        3 if s.len() > 2 => format!("'{}' '{}'", &s[..2], &s[2..]),
        4 if !s.is_empty() => format!("'\\x{:02x}{}'", s.as_bytes()[0], &s[1..]),
        5 => format!("'''{s}'''"),
        _ => format!("'{s}'"),
    }
}

fn ids_value(rng: &mut Rng, ids: &[String]) -> String {
    match ids.len() {
        0 => rng.pick(&["None", "()", "[]", "None  # base"]).to_string(),
        1 => {
            let l = lit(rng, &ids[0]);
            match rng.below(6) {
                0 => format!("({l},)"),
                1 => format!("[{l}]"),
                2 => format!("({l})"),
                3 => format!("[{l},]"),
                _ => l,
            }
        }
        _ => {
            let items: Vec<String> = ids.iter().map(|i| lit(rng, i)).collect();
            let (o, c) = if rng.chance(50) {
                ("(", ")")
            } else {
                ("[", "]")
            };
            match rng.below(3) {
                0 => format!("{o}{}{c}", items.join(", ")),
                1 => format!("{o}{},{c}", items.join(", ")),
                _ => format!(
                    "{o}\n{}\n{c}",
                    items
                        .iter()
                        .map(|i| format!("    {i},  # a comment ) ]"))
                        .collect::<Vec<_>>()
                        .join("\n")
                ),
            }
        }
    }
}

const WORDS: &[&str] = &[
    "add",
    "table",
    "it's",
    "\"quoted\"",
    "back\\slash",
    "caf\u{e9}",
    "\u{2713}",
    "tab\there",
    "  spaced  ",
    "revision = 'fake'",
    "\n\nsecond paragraph",
    "{braces}",
    "#hash",
];

fn message(rng: &mut Rng) -> String {
    let n = 1 + rng.below(6);
    let mut m: Vec<&str> = (0..n).map(|_| *rng.pick(WORDS)).collect();
    if rng.chance(10) {
        m.insert(0, "\n  ");
    }
    m.join(" ")
}

/// A docstring literal for `doc`: raw insertion where possible, escaped otherwise.
fn docstring(rng: &mut Rng, doc: &str) -> String {
    let plain = !doc.contains('\\') && !doc.contains('"') && !doc.ends_with('"');
    match rng.below(5) {
        0 | 1 if plain => format!("\"\"\"{doc}\n\"\"\""),
        2 if plain && !doc.contains('\'') => format!("'''{doc}'''"),
        3 => {
            // single-line, every special character escaped
            let mut s = String::from("\"");
            for ch in doc.chars() {
                match ch {
                    '\\' => s.push_str("\\\\"),
                    '"' => s.push_str("\\\""),
                    '\n' => s.push_str("\\n"),
                    '\t' => s.push_str("\\t"),
                    c => s.push(c),
                }
            }
            s.push('"');
            if rng.chance(50) {
                format!("(\n    {s}\n    \" tail\"\n)")
            } else {
                s
            }
        }
        _ => {
            let esc = doc.replace('\\', "\\\\").replace('"', "\\\"");
            format!("\"\"\"{esc}\n\"\"\"")
        }
    }
}

struct Generated {
    name: String,
    text: Vec<u8>,
    /// Metadata that only running Python can read.
    computed: bool,
}

fn generate(rng: &mut Rng, k: usize) -> Generated {
    let rev = rng.hex(12);
    let downs: Vec<String> = (0..rng.pick(&[0usize, 1, 1, 1, 1, 2, 3]).to_owned())
        .map(|_| rng.hex(12))
        .collect();
    let labels: Vec<String> = (0..rng.pick(&[0usize, 0, 0, 1, 2]).to_owned())
        .map(|i| format!("label{k}_{i}"))
        .collect();
    let deps: Vec<String> = (0..rng.pick(&[0usize, 0, 0, 1, 2]).to_owned())
        .map(|_| rng.hex(12))
        .collect();
    let legacy = rng.chance(4);
    let computed = rng.chance(5);
    let annotated = rng.chance(50);
    let mut out = String::new();

    if rng.chance(5) {
        out.push_str("# -*- coding: utf-8 -*-\n");
    }
    if rng.chance(10) {
        out.push_str("#!/usr/bin/env python\n# a comment\n\n");
    }
    if !rng.chance(8) {
        let m = message(rng);
        out.push_str(&docstring(rng, &m));
        out.push('\n');
    }
    out.push_str("from typing import Sequence, Union, Optional, TYPE_CHECKING\n");
    if rng.chance(30) {
        out.push_str("if TYPE_CHECKING:\n    from typing import Any\nelse:\n    Any = object\n");
    }
    if rng.chance(20) {
        // an earlier assignment that a later one replaces
        out.push_str("revision = 'early'\ndown_revision = ('early_down',)\n");
    }
    let ann = |rng: &mut Rng, plain: &str| -> String {
        if annotated {
            rng.pick(&[
                ": Union[str, Sequence[str], None]",
                ": Optional[Union[str, Sequence[str]]]",
                ": 'Optional[str]'",
                ":Union[str,\n    Sequence[str], None]",
            ])
            .replace('\n', "")
        } else {
            plain.to_string()
        }
    };
    let mut stmts: Vec<String> = Vec::new();
    if !legacy {
        let a = if annotated { ": str" } else { "" };
        stmts.push(format!("revision{a} = {}", lit(rng, &rev)));
    }
    let down = if computed {
        out.push_str(&format!("PREVIOUS = {}\n", ids_value(rng, &downs)));
        "PREVIOUS".to_string()
    } else {
        ids_value(rng, &downs)
    };
    let a = ann(rng, "");
    // a file without `down_revision` fails in Alembic (AttributeError)
    let computed = if rng.chance(2) {
        false
    } else {
        stmts.push(format!("down_revision{a} = {down}"));
        computed
    };
    if !labels.is_empty() || rng.chance(60) {
        let a = ann(rng, "");
        stmts.push(format!("branch_labels{a} = {}", ids_value(rng, &labels)));
    }
    if !deps.is_empty() || rng.chance(60) {
        let a = ann(rng, "");
        stmts.push(format!("depends_on{a} = {}", ids_value(rng, &deps)));
    }
    match rng.below(6) {
        0 => out.push_str(&format!("{}\n", stmts.join("; "))),
        1 => {
            for s in &stmts {
                out.push_str(&s.replacen(" = ", " = \\\n    ", 1));
                out.push('\n');
            }
        }
        _ => {
            for s in &stmts {
                out.push_str(s);
                out.push('\n');
            }
        }
    }
    // top-level noise that must not count as metadata
    for _ in 0..rng.below(4) {
        let noise: &[&str] = &[
            "class Meta:\n    revision = 'in a class'\n    down_revision = None\n",
            "_x = {'revision': 1, \"down_revision\": [2,\n  3]}\n",
            "'''\nrevision = 'in a string statement'\n'''\n",
            "_ = revision if 'revision' in globals() else None\n",
            "def deco(f):\n    return f\n\n\n@deco\ndef helper():\n    branch_labels = 'local'\n",
            "_f = f\"{1 + 1}:{'x'!r:>5} {{revision}}\"\n",
            "if TYPE_CHECKING:\n    def typed(revision: str) -> None: ...\n",
            "try:\n    import json as _json\nexcept ImportError:  # pragma: no cover\n    _json = None\n",
            "_long = (\n    'a'\n    \"b\"  # revision = 'x'\n)\n",
            "_cont = 1 + \\\n    2\n",
        ];
        let pick: &str = noise[rng.below(noise.len())];
        out.push_str(pick);
    }
    let indent = if rng.chance(20) { "\t" } else { "    " };
    out.push_str(&format!(
        "\n\ndef upgrade() -> None:\n{indent}\"\"\"Upgrade.\"\"\"\n{indent}revision = 'inner'\n{indent}x = f\"{{revision!r:>10}} {{ {{'a': 1}}['a'] }}\"\n{indent}op_execute(\n\"\"\"\nrevision = 'in a string'\n\"\"\")\n\n\ndef downgrade() -> None:\n{indent}pass\n\n\ndef op_execute(sql):\n{indent}return sql\n"
    ));
    if rng.chance(10) {
        out = out.replace('\n', "\r\n");
    }
    let mut text = out.into_bytes();
    if rng.chance(5) {
        text.splice(0..0, *b"\xef\xbb\xbf");
    }
    let name = if legacy {
        format!("{rev}.py")
    } else {
        format!("{rev}_file_{k}.py")
    };
    Generated {
        name,
        text,
        computed,
    }
}

const ORACLE_SCRIPT: &str = r#"
import json, os, sys, warnings
from alembic.script import ScriptDirectory, Script
from alembic.util import to_tuple

d = sys.argv[1]
sd = ScriptDirectory(d)
out = {}
for f in sorted(os.listdir(d)):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            s = Script._from_path(sd, os.path.join(d, f))
        if s is None:
            out[f] = None
        else:
            out[f] = {
                "path": str(s.path),
                "revision": s.revision,
                "down_revision": list(to_tuple(s.down_revision, default=())),
                "depends_on": list(to_tuple(s.dependencies, default=())),
                "branch_labels": list(s._orig_branch_labels),
                "longdoc": s.longdoc,
            }
    except BaseException as e:
        out[f] = {"error": "%s: %s" % (type(e).__name__, e)}
json.dump(out, sys.stdout)
"#;

/// Compares what we read from every file of `dir` with what Alembic gets
/// by importing it; returns how many files were compared. Files in
/// `computed` may instead give an error that needs Python.
fn compare_dir(
    python: &str,
    base: &Path,
    dir: &Path,
    computed: &std::collections::HashSet<String>,
) -> usize {
    let script = base.join("oracle.py");
    fs::write(&script, ORACLE_SCRIPT).unwrap();
    let output = Command::new(python)
        .arg(&script)
        .arg(dir)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let expected: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let expected = expected.as_object().unwrap();
    let mut compared = 0;
    for (name, want) in expected {
        let path = dir.join(name);
        let got = Script::from_file(&RevisionFile {
            path: path.clone(),
            sourceless: false,
        });
        let src = String::from_utf8_lossy(&fs::read(&path).unwrap()).into_owned();
        if let Some(err) = want.get("error") {
            assert!(
                got.is_err(),
                "{name}: Alembic fails ({err}), we read it\n{src}"
            );
            continue;
        }
        let got = match got {
            Ok(s) => s,
            Err(e) if computed.contains(name) && e.needs_python() => continue,
            Err(e) => panic!("{name}: {e}\n{src}"),
        };
        assert!(
            !computed.contains(name),
            "{name}: computed metadata read statically"
        );
        let strs = |v: &serde_json::Value| -> Vec<String> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(got.path.display().to_string(), want["path"], "{name}");
        assert_eq!(got.revision.revision, want["revision"], "{name}\n{src}");
        assert_eq!(
            got.revision.down_revision,
            strs(&want["down_revision"]),
            "{name}\n{src}"
        );
        assert_eq!(
            got.revision.dependencies,
            strs(&want["depends_on"]),
            "{name}\n{src}"
        );
        assert_eq!(
            got.revision.branch_labels,
            strs(&want["branch_labels"]),
            "{name}\n{src}"
        );
        assert_eq!(got.longdoc, want["longdoc"], "{name}\n{src}");
        compared += 1;
    }
    compared
}

#[test]
fn differential_against_alembic() {
    let Some(python) = oracle() else {
        eprintln!("skipped: {ORACLE} not found");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let base = fs::canonicalize(tmp.path()).unwrap();
    let dir = base.join("versions");
    fs::create_dir_all(&dir).unwrap();
    // ALEMBIC_RS_DIFF_N / ALEMBIC_RS_DIFF_SEED: a bigger or other run
    let env = |k: &str, d: u64| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let count = env("ALEMBIC_RS_DIFF_N", 400) as usize;
    let mut rng = Rng(env("ALEMBIC_RS_DIFF_SEED", 0x9e37_79b9_7f4a_7c15) | 1);
    let mut computed = std::collections::HashSet::new();
    for k in 0..count {
        let g = generate(&mut rng, k);
        if g.computed {
            computed.insert(g.name.clone());
        }
        fs::write(dir.join(&g.name), &g.text).unwrap();
    }
    let compared = compare_dir(python, &base, &dir, &computed);
    eprintln!("compared {compared} files with Alembic");
    assert!(compared > count * 3 / 4, "only {compared} files compared");
}

const ORACLE_DISCOVERY: &str = r#"
import json, sys, warnings
from alembic.script import ScriptDirectory

args = json.loads(sys.argv[1])
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    sd = ScriptDirectory(args["dir"], version_locations=args["locations"],
                         recursive_version_locations=args["recursive"],
                         sourceless=args["sourceless"])
    paths = [str(s.path) for s in sd._load_revisions()]
json.dump({"paths": paths, "warnings": [str(x.message) for x in w]}, sys.stdout)
"#;

#[test]
fn differential_discovery() {
    let Some(python) = oracle() else {
        eprintln!("skipped: {ORACLE} not found");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let base = fs::canonicalize(tmp.path()).unwrap();
    let v = base.join("scripts/versions");
    let other = base.join("other");
    let mut k = 0;
    let mut add = |p: PathBuf| {
        k += 1;
        write(&p, &rev_file(&format!("r{k}"), "None"));
    };
    for name in [
        "b.py",
        "a.py",
        "B.py",
        "_x.py",
        "__init__.py",
        ".#a.py",
        "z/y.py",
        "z/__init__.py",
        "m/n/o.py",
        "m/a.py",
        "__pycache__/q.py",
        "1-2.py",
        "caf\u{e9}.py",
        "cafe.py",
    ] {
        add(v.join(name));
    }
    add(other.join("o1.py"));
    add(other.join("sub/o2.py"));
    write(&v.join("notes.txt"), "x");
    std::os::unix::fs::symlink(other.join("o1.py"), v.join("link_o1.py")).unwrap();
    std::os::unix::fs::symlink(&other, v.join("linkdir")).unwrap();
    // sourceless: compiled files next to and instead of sources
    let status = Command::new(python)
        .args(["-c", "import py_compile, sys; [py_compile.compile(f, cfile=c) for f, c in zip(sys.argv[1::2], sys.argv[2::2])]"])
        .arg(v.join("a.py"))
        .arg(v.join("__pycache__/a.cpython-311.pyc"))
        .arg(v.join("b.py"))
        .arg(v.join("gone.pyc"))
        .arg(v.join("b.py"))
        .arg(v.join("__pycache__/zz.cpython-311.pyc"))
        .status()
        .unwrap();
    assert!(status.success());

    let cases: Vec<(Vec<PathBuf>, bool, bool)> = vec![
        (vec![], false, false),
        (vec![], true, false),
        (vec![v.clone(), other.clone()], false, false),
        (vec![v.clone(), other.clone()], true, false),
        (
            vec![other.clone(), v.clone(), base.join("missing")],
            true,
            false,
        ),
        (vec![v.clone()], false, true),
        (vec![v.clone()], true, true),
    ];
    for (locations, recursive, sourceless) in cases {
        let args = serde_json::json!({
            "dir": base.join("scripts"),
            "locations": locations,
            "recursive": recursive,
            "sourceless": sourceless,
        });
        let output = Command::new(python)
            .args(["-c", ORACLE_DISCOVERY])
            .arg(args.to_string())
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let want: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let locs = if locations.is_empty() {
            vec![base.join("scripts/versions")]
        } else {
            locations.clone()
        };
        let (files, warnings) = discover(&locs, recursive, sourceless);
        let got_paths: Vec<String> = files.iter().map(|f| f.path.display().to_string()).collect();
        let want_paths: Vec<String> = want["paths"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_string())
            .collect();
        assert_eq!(got_paths, want_paths, "{args}");
        let got_warnings: Vec<String> = warnings.into_iter().map(|w| w.0).collect();
        let want_warnings: Vec<String> = want["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_string())
            .collect();
        assert_eq!(got_warnings, want_warnings, "{args}");
    }
}

// ---------------------------------------------------------------------
// Timing

/// `cargo test --release --lib script -- --ignored --nocapture`
#[test]
#[ignore]
fn timing_10k() {
    // ALEMBIC_RS_BENCH_DIR: reuse a project made by gen_repo.py
    let tmp = tempfile::tempdir().unwrap();
    let out = match std::env::var_os("ALEMBIC_RS_BENCH_DIR") {
        Some(d) => PathBuf::from(d),
        None => {
            let out = tmp.path().join("proj");
            let status = Command::new("python3")
                .arg("/work/shared/bench/gen_repo.py")
                .args(["--out", out.to_str().unwrap(), "--n", "10000", "--branches"])
                .stdout(std::process::Stdio::null())
                .status()
                .unwrap();
            assert!(status.success());
            out
        }
    };
    let config = Config::load(
        &out.join("alembic.ini"),
        &out.join("pyproject.toml"),
        "alembic",
    )
    .unwrap();
    let dir = ScriptDirectory::new(config.script_settings().unwrap()).unwrap();
    let bytes: u64 = fs::read_dir(out.join("alembic/versions"))
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    eprintln!(
        "10k files, {:.1} MB, {} rayon threads",
        bytes as f64 / 1e6,
        rayon::current_num_threads()
    );
    for round in 0..5 {
        let t = std::time::Instant::now();
        let (files, _) = dir.discover();
        let t_discover = t.elapsed();
        let (scripts, _) = dir.load_scripts().unwrap();
        let t_all = t.elapsed() - t_discover;
        assert_eq!(scripts.len(), 10_000);
        assert_eq!(files.len(), 10_000);
        eprintln!(
            "round {round}: discover {:.1} ms, load_scripts (discover + read + parse) {:.1} ms",
            t_discover.as_secs_f64() * 1e3,
            t_all.as_secs_f64() * 1e3
        );
    }
    // the parse alone, on one thread, from memory
    let files = dir.discover().0;
    let sources: Vec<(PathBuf, Vec<u8>)> = files
        .iter()
        .map(|f| (f.path.clone(), fs::read(&f.path).unwrap()))
        .collect();
    let t = std::time::Instant::now();
    for (p, b) in &sources {
        Script::from_source(p, b).unwrap();
    }
    let el = t.elapsed();
    eprintln!(
        "metadata from memory, single thread: {:.1} ms ({:.2} us/file)",
        el.as_secs_f64() * 1e3,
        el.as_secs_f64() * 1e6 / sources.len() as f64
    );
}

/// Phase timings for profiling: `ALEMBIC_RS_BENCH_DIR=... cargo test --release --lib script::tests::phases -- --ignored --nocapture`
#[test]
#[ignore]
fn phases() {
    let Some(out) = std::env::var_os("ALEMBIC_RS_BENCH_DIR") else {
        return;
    };
    let v = PathBuf::from(out).join("alembic/versions");
    let time = |label: &str, f: &mut dyn FnMut()| {
        let mut best = f64::MAX;
        for _ in 0..7 {
            let t = std::time::Instant::now();
            f();
            best = best.min(t.elapsed().as_secs_f64() * 1e3);
        }
        eprintln!("{label}: best {best:.2} ms");
    };
    time("discover", &mut || {
        discover(std::slice::from_ref(&v), false, false);
    });
    let files = discover(std::slice::from_ref(&v), false, false).0;
    time("fs::read x10k (1 thread)", &mut || {
        for f in &files {
            std::hint::black_box(fs::read(&f.path).unwrap());
        }
    });
    let sources: Vec<Vec<u8>> = files.iter().map(|f| fs::read(&f.path).unwrap()).collect();
    time("scan x10k (1 thread)", &mut || {
        for s in &sources {
            std::hint::black_box(scan::scan(std::str::from_utf8(s).unwrap()).unwrap());
        }
    });
    time("extract x10k (1 thread)", &mut || {
        for s in &sources {
            std::hint::black_box(metadata::extract(std::str::from_utf8(s).unwrap()).unwrap());
        }
    });
    time("from_file x10k (1 thread)", &mut || {
        for f in &files {
            std::hint::black_box(Script::from_file(f).unwrap());
        }
    });
    time("map_files read only (rayon)", &mut || {
        let v = read::map_files(&files, |_, c| c.unwrap().unwrap().len());
        std::hint::black_box(v);
    });
    time("map_files + from_source (rayon)", &mut || {
        let v = read::map_files(&files, |f, c| {
            Script::from_source(&f.path, c.unwrap().unwrap()).unwrap()
        });
        std::hint::black_box(v);
    });
}

/// Compares the files of `ALEMBIC_RS_DIFF_DIR` with Alembic.
#[test]
#[ignore]
fn differential_dir() {
    let (Some(python), Some(dir)) = (oracle(), std::env::var_os("ALEMBIC_RS_DIFF_DIR")) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = fs::canonicalize(dir).unwrap();
    let compared = compare_dir(python, tmp.path(), &dir, &Default::default());
    eprintln!("compared {compared} files with Alembic");
}
