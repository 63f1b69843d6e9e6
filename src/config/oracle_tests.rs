//! Differential tests: the same files read by Python's configparser and by
//! Alembic 1.20's `Config` (the oracle interpreter at `/tmp/ovenv`) and by
//! this module must give the same values and the same errors. Skipped when
//! that interpreter is missing.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use super::*;

const ORACLE: &str = "/tmp/ovenv/bin/python";

fn oracle_available() -> bool {
    if Path::new(ORACLE).exists() {
        true
    } else {
        eprintln!("skipping: {ORACLE} not found");
        false
    }
}

/// Runs `script` with `input` as JSON on stdin; returns its JSON stdout.
fn run_oracle(script: &str, input: &Value) -> Value {
    let mut child = Command::new(ORACLE)
        .args(["-c", script])
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env_remove("PYTHONPATH")
        .env_remove("VIRTUAL_ENV")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn oracle");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "oracle failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("oracle JSON")
}

const PY_EXC: &str = r#"
def exc(e):
    t = type(e)
    name = t.__qualname__ if t.__module__ == "builtins" else t.__module__ + "." + t.__qualname__
    return [name, str(e)]
"#;

/// Reads each file with `ConfigParser({"here": here})` and dumps every
/// section's options, raw and interpolated, and `items()`.
const CONFIGPARSER_SCRIPT: &str = r#"
import configparser, json, sys
from pathlib import Path
results = []
for path, here in json.load(sys.stdin):
    cp = configparser.ConfigParser({"here": here})
    try:
        cp.read([Path(path)], encoding="utf-8")
    except Exception as e:
        results.append({"error": exc(e)})
        continue
    out = {"sections": cp.sections(), "values": {}, "items": {}}
    for sec in ["DEFAULT"] + cp.sections():
        opts = list(cp.defaults()) if sec == "DEFAULT" else cp.options(sec)
        vals = {}
        for o in opts:
            try:
                v = {"value": cp.get(sec, o)}
            except Exception as e:
                v = {"error": exc(e)}
            v["raw"] = cp.get(sec, o, raw=True)
            vals[o] = v
        out["values"][sec] = vals
        try:
            out["items"][sec] = [list(kv) for kv in cp.items(sec)]
        except Exception as e:
            out["items"][sec] = {"error": exc(e)}
    results.append(out)
print(json.dumps(results))
"#;

fn err_json(e: &ConfigError) -> Value {
    let line = e.exception_line();
    let (class, msg) = line.split_once(": ").unwrap_or((&line, ""));
    json!([class, msg])
}

fn ini_err_json(e: &ini::IniError) -> Value {
    json!([e.exception_name(), e.to_string()])
}

/// The Rust side of `CONFIGPARSER_SCRIPT`.
fn configparser_dump(path: &Path, here: &str) -> Value {
    let ini = match read_ini(path, here, "alembic") {
        Ok(ini) => ini,
        Err(e) => return json!({ "error": err_json(&e) }),
    };
    let mut values = serde_json::Map::new();
    let mut items = serde_json::Map::new();
    let mut sections = vec![ini::DEFAULT_SECTION.to_string()];
    sections.extend(ini.sections());
    for sec in &sections {
        let opts: Vec<String> = if sec == ini::DEFAULT_SECTION {
            ini.defaults().keys().cloned().collect()
        } else {
            ini.options(sec).unwrap()
        };
        let mut vals = serde_json::Map::new();
        for o in opts {
            let mut v = match ini.get(sec, &o) {
                Ok(s) => json!({ "value": s }),
                Err(e) => json!({ "error": ini_err_json(&e) }),
            };
            v["raw"] = json!(ini.get_raw(sec, &o).unwrap());
            vals.insert(o, v);
        }
        values.insert(sec.clone(), Value::Object(vals));
        let it = match ini.items(sec) {
            Ok(kv) => json!(kv.into_iter().map(|(k, v)| vec![k, v]).collect::<Vec<_>>()),
            Err(e) => json!({ "error": ini_err_json(&e) }),
        };
        items.insert(sec.clone(), it);
    }
    json!({ "sections": ini.sections(), "values": values, "items": items })
}

/// Ini texts chosen to exercise every configparser rule Alembic relies on.
const INI_CORPUS: &[&str] = &[
    "[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = driver://user:pass@localhost/dbname\n",
    "[DEFAULT]\nroot = /r\n[a]\nb = %(root)s/b\nc = %(B)s/c\npct = 100%%\n[b]\nroot = /other\nd = %(c)s\n",
    "# comment\n; another\n[a]\n  # indented comment\n  ; indented\nk = v ; inline stays\nj = v # inline stays\n",
    "[a]\nk = v\n\n  cont\n\n\n# c\n  more\n\nz=1\n",
    "[a]\nempty =\n  x\n  [b]\nq:\nr =    \n",
    "  [a]\n  k = 1\n  j = 2\n    cont\n\tt = tab\n\t\tmore\n",
    "[a] trailing\nk=1\n[b]c]\n[A]\nK=2\n",
    "[a]\r\nk = 1\r\n  2\rj=3\r\n",
    "[a]\nKey With Spaces = x\nb: c = d\nc = e:f\nd\t=\t v \t\n=weird\n",
    "[a]\n[b]\n[a]\n",
    "[a]\nK = 1\nk = 2\n",
    "[DEFAULT]\nx=1\n[DEFAULT]\nx=2\n",
    "[DEFAULT]\n[DEFAULT]\nhere = override\n[s]\n",
    "key = before any section\n[a]\n",
    "\u{feff}[alembic]\nscript_location = a\n",
    "[a]\nk = 1\nnovalue\n  cont\n= x\n[]\n",
    "[a]\nm = %(nope)s\ns1 = %(x)d\ns2 = 5%\ns3 = %()s\nloop = %(loop)s\nd = %(m)s\nok = %%(x)d\n",
    "[a]\nv0 = end%%\nv1 = %(v0)s\nv2 = %(v1)s\nv3 = %(v2)s\nv4 = %(v3)s\nv5 = %(v4)s\nv6 = %(v5)s\nv7 = %(v6)s\nv8 = %(v7)s\nv9 = %(v8)s\nv10 = %(v9)s\n",
    "[a]\nx = 1\ny = %(X)s %(HERE)s\n[DEFAULT]\nz = %(x)s\n",
    "[a]\nunicode = h\u{e9}llo w\u{f6}rld \u{1F600}\n\u{c9}t\u{c9} = summer\nnbsp =\u{a0}v\u{a0}\n\x1c = fs\n",
    "[post_write_hooks]\nhooks = black, ruff\nblack.type = console_scripts\nblack.options = -l 79 REVISION_SCRIPT_FILENAME\n",
    "",
    "\n\n   \n",
    "[a]\nk = 1\n   \n  \t\n",
    "[loggers]\nkeys = root,sqlalchemy,alembic\n[formatter_generic]\nformat = %%(levelname)-5.5s [%%(name)s] %%(message)s\ndatefmt = %%H:%%M:%%S\n",
    "[a]\nk = %(here)s\n[DEFAULT]\nhere = %(elsewhere)s\n",
];

#[test]
fn configparser_matches_python() {
    if !oracle_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (i, text) in INI_CORPUS.iter().enumerate() {
        let p = dir.path().join(format!("case{i}.ini"));
        std::fs::write(&p, text).unwrap();
        paths.push(p);
    }
    // A here with a `%` in it, as a directory name could have.
    let heres = ["/some/dir", "/odd%dir"];
    let mut input = Vec::new();
    let mut expected_order = Vec::new();
    for here in heres {
        for p in &paths {
            input.push(json!([p.to_string_lossy(), here]));
            expected_order.push((p.clone(), here));
        }
    }
    let py = run_oracle(&format!("{PY_EXC}{CONFIGPARSER_SCRIPT}"), &json!(input));
    let py = py.as_array().unwrap();
    for (i, (path, here)) in expected_order.iter().enumerate() {
        let ours = configparser_dump(path, here);
        assert_eq!(
            ours,
            py[i],
            "mismatch for here={here} text={:?}",
            INI_CORPUS[i % INI_CORPUS.len()]
        );
    }
}

#[test]
fn undecodable_ini_matches_python() {
    if !oracle_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cases: [&[u8]; 3] = [
        b"[a]\nk = \xff\n",
        b"[a]\nk = \xe2\x28\xa1\n",
        b"[a]\nk = \xf0\x90\n",
    ];
    let mut input = Vec::new();
    let mut paths = Vec::new();
    for (i, bytes) in cases.iter().enumerate() {
        let p = dir.path().join(format!("bad{i}.ini"));
        std::fs::write(&p, bytes).unwrap();
        input.push(json!([p.to_string_lossy(), "/h"]));
        paths.push(p);
    }
    let py = run_oracle(&format!("{PY_EXC}{CONFIGPARSER_SCRIPT}"), &json!(input));
    for (i, p) in paths.iter().enumerate() {
        assert_eq!(configparser_dump(p, "/h"), py[i]);
    }
}

/// Builds Alembic's `Config` for each project and reports what the
/// `ScriptDirectory.from_config` path reads.
const ALEMBIC_SCRIPT: &str = r#"
import json, os, sys, warnings, importlib
warnings.simplefilter("ignore")
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic import util

def cap(f):
    try:
        return {"ok": f()}
    except Exception as e:
        return {"error": exc(e)}

def as_list(v):
    # A toml string where a list belongs is iterated by Alembic; the Rust
    # API returns that iteration.
    return list(v) if isinstance(v, str) else v

def tsl(c):
    t = c.get_alembic_option("truncate_slug_length")
    return int(t) if t is not None else None

def from_config(c):
    try:
        return str(ScriptDirectory.from_config(c).dir)
    except util.CommandError as e:
        msg = str(e)
        prefix = "Path doesn't exist: "
        if msg.startswith(prefix):
            return msg[len(prefix):].split(".  Please use")[0]
        raise

results = []
for case in json.load(sys.stdin):
    saved_path = list(sys.path)
    saved_modules = set(sys.modules)
    importlib.invalidate_caches()
    c = Config(file_=case["ini"], toml_file=case["toml"], ini_section=case["section"])
    r = {
        "script_location": cap(lambda: c.get_alembic_option("script_location")),
        "version_locations": cap(lambda: as_list(c.get_version_locations_list())),
        "prepend_sys_path": cap(lambda: as_list(c.get_prepend_sys_paths_list())),
        "sourceless": cap(lambda: c.get_alembic_boolean_option("sourceless")),
        "recursive": cap(lambda: c.get_alembic_boolean_option("recursive_version_locations")),
        "revision_environment": cap(lambda: util.asbool(c.get_alembic_option("revision_environment"))),
        "file_template": cap(lambda: c.get_alembic_option("file_template", "%(rev)s_%(slug)s")),
        "output_encoding": cap(lambda: c.get_alembic_option("output_encoding", "utf-8")),
        "timezone": cap(lambda: c.get_alembic_option("timezone")),
        "truncate_slug_length": cap(lambda: tsl(c)),
        "hooks": cap(c.get_hooks_list),
        "main": {n: cap(lambda: c.get_main_option(n)) for n in case["names"]},
        "from_config": cap(lambda: from_config(c)),
    }
    results.append(r)
    sys.path[:] = saved_path
    for m in set(sys.modules) - saved_modules:
        del sys.modules[m]
print(json.dumps(results))
"#;

fn cap<T>(r: Result<T, ConfigError>, f: impl FnOnce(T) -> Value) -> Value {
    match r {
        Ok(v) => json!({ "ok": f(v) }),
        Err(e) => json!({ "error": err_json(&e) }),
    }
}

fn value_json(v: AlembicValue) -> Value {
    match v {
        AlembicValue::Str(s) => json!(s),
        AlembicValue::Int(i) => json!(i),
        AlembicValue::Bool(b) => json!(b),
        AlembicValue::List(l) => json!(l),
        AlembicValue::Tables(t) => t.into_iter().map(table_json).collect(),
        AlembicValue::Table(t) => table_json(t),
    }
}

fn table_json(t: indexmap::IndexMap<String, String>) -> Value {
    Value::Object(t.into_iter().map(|(k, v)| (k, json!(v))).collect())
}

fn hooks_json(hooks: Vec<PostWriteHook>) -> Value {
    hooks
        .into_iter()
        .map(|h| {
            let mut m: serde_json::Map<String, Value> =
                h.options.into_iter().map(|(k, v)| (k, json!(v))).collect();
            m.insert("_hook_name".to_string(), json!(h.name));
            Value::Object(m)
        })
        .collect()
}

/// The Rust side of `ALEMBIC_SCRIPT`.
fn alembic_dump(case: &OracleCase) -> Value {
    let c = Config::load(&case.ini, &case.toml, &case.section).unwrap();
    let with_default = |name: &str, default: &str| {
        cap(c.get_alembic_value(name), |v| match v {
            Some(v) => value_json(v),
            None => json!(default),
        })
    };
    let main: serde_json::Map<String, Value> = case
        .names
        .iter()
        .map(|n| (n.to_string(), cap(c.get_main_option(n), |v| json!(v))))
        .collect();
    json!({
        "script_location": cap(c.get_alembic_value("script_location"), |v| json!(v.map(value_json))),
        "version_locations": cap(c.get_version_locations_list(), |v| json!(v)),
        "prepend_sys_path": cap(c.get_prepend_sys_paths_list(), |v| json!(v)),
        "sourceless": cap(c.get_alembic_boolean_option("sourceless"), |v| json!(v)),
        "recursive": cap(c.get_alembic_boolean_option("recursive_version_locations"), |v| json!(v)),
        "revision_environment": cap(c.revision_environment(), |v| json!(v)),
        "file_template": with_default("file_template", "%(rev)s_%(slug)s"),
        "output_encoding": with_default("output_encoding", "utf-8"),
        "timezone": cap(c.get_alembic_value("timezone"), |v| json!(v.map(value_json))),
        "truncate_slug_length": cap(
            c.get_alembic_value("truncate_slug_length")
                .and_then(|v| v.map(settings::python_int).transpose()),
            |v| json!(v.map(|n| n as i64)),
        ),
        "hooks": cap(c.get_hooks_list(), hooks_json),
        "main": main,
        "from_config": cap(c.script_settings(), |s| json!(s.script_location.to_string_lossy())),
    })
}

struct OracleCase {
    ini: PathBuf,
    toml: PathBuf,
    section: String,
    names: Vec<&'static str>,
    text: String,
}

/// Projects as (ini text, toml text, section); `None` leaves a file out.
/// Paths that depend on the working directory are avoided (the oracle and
/// the test process run in different ones); `%(here)s` is used instead.
const PROJECTS: &[(Option<&str>, Option<&str>, &str)] = &[
    (
        Some(
            "[alembic]\nscript_location = %(here)s/migrations\nversion_locations = a, b  c\nprepend_sys_path = . src\n",
        ),
        None,
        "alembic",
    ),
    (
        Some(
            "[alembic]\nscript_location = m\nversion_locations = a:b: :c\nprepend_sys_path = .:x y\npath_separator = os\n",
        ),
        None,
        "alembic",
    ),
    (
        Some(
            "[alembic]\nscript_location = m\nversion_locations = a;b c\nversion_path_separator = ;\nprepend_sys_path = p;q:r\n",
        ),
        None,
        "alembic",
    ),
    (
        Some(
            "[alembic]\nscript_location = m\nversion_locations =\n  one\n  two three\npath_separator = newline\nprepend_sys_path = a b\n",
        ),
        None,
        "alembic",
    ),
    (
        Some(
            "[alembic]\nscript_location = m\nversion_locations = a\npath_separator = comma\nprepend_sys_path = a\n",
        ),
        None,
        "alembic",
    ),
    (
        Some("[alembic]\nscript_location = m\nversion_locations = a\nversion_path_separator =\n"),
        None,
        "alembic",
    ),
    (
        Some(
            "[alembic]\nscript_location = m\nsourceless = True\nrecursive_version_locations = true\nrevision_environment =  Yes \ntruncate_slug_length = 1_0\nfile_template = %%(year)d-%%(rev)s\ntimezone = UTC\noutput_encoding = latin-1\n",
        ),
        None,
        "alembic",
    ),
    (
        Some(
            "[alembic]\nscript_location = m\nrevision_environment = maybe\ntruncate_slug_length = x\n",
        ),
        None,
        "alembic",
    ),
    (
        Some(
            "[alembic]\nscript_location = m\ntruncate_slug_length = 0\nrevision_environment = 0\n",
        ),
        None,
        "alembic",
    ),
    (
        Some(
            "[DEFAULT]\nscript_location = %(here)s/shared\n[alembic]\n[engine1]\nscript_location = one\nsqlalchemy.url = sqlite:///%(here)s/e1.db\n",
        ),
        None,
        "engine1",
    ),
    (
        Some("[DEFAULT]\nscript_location = %(here)s/shared\n[alembic]\n"),
        None,
        "nosuchsection",
    ),
    (
        Some("[alembic]\nscript_location = %(nope)s\nsqlalchemy.url = x%%y\n"),
        None,
        "alembic",
    ),
    (
        Some("[alembic]\nscript_location = a\n[alembic]\n"),
        None,
        "alembic",
    ),
    (None, None, "alembic"),
    (
        None,
        Some(
            "[tool.alembic]\nscript_location = \"%(here)s/migrations\"\nversion_locations = [\"%(here)s/v1\", \"v2\"]\nprepend_sys_path = [\".\"]\nfile_template = \"%%(rev)s_x\"\ntruncate_slug_length = 20\nsourceless = true\nrecursive_version_locations = false\nrevision_environment = true\ntimezone = \"UTC\"\n\n[[tool.alembic.post_write_hooks]]\nname = \"ruff\"\ntype = \"module\"\nmodule = \"ruff\"\noptions = \"check %(here)s REVISION_SCRIPT_FILENAME\"\n",
        ),
        "alembic",
    ),
    (
        Some("[alembic]\nscript_location = %(here)s/from_ini\nsourceless = false\n"),
        Some(
            "[tool.alembic]\nscript_location = \"from_toml\"\nsourceless = true\ntimezone = \"Europe/Paris\"\nrecursive_version_locations = \"true\"\n",
        ),
        "alembic",
    ),
    (
        Some("[alembic]\nscript_location = %(here)s/from_ini\n"),
        Some("[tool.alembic]\nscript_location = \"from_toml\"\n"),
        "other",
    ),
    (
        None,
        Some(
            "[tool.alembic]\nscript_location = \"m\"\ntruncate_slug_length = \"15\"\nfile_template = 5\nrevision_environment = 2\noutput_encoding = true\n",
        ),
        "alembic",
    ),
    (
        None,
        Some(
            "[tool.alembic]\nscript_location = \"m\"\ntruncate_slug_length = 1.5\nfile_template = \"%(rev)s\"\ntimezone = 1979-05-27T07:32:00\nversion_locations = [\"a\", 1]\n",
        ),
        "alembic",
    ),
    (None, Some("[tool]\nalembic = \"x\"\n"), "alembic"),
    (None, Some("tool = [1]\n"), "alembic"),
    (None, Some("[project]\nname = \"x\"\n"), "alembic"),
    (
        None,
        Some(
            "[tool.alembic]\nscript_location = 5\nversion_locations = \"ab\"\nprepend_sys_path = []\ntruncate_slug_length = true\n",
        ),
        "alembic",
    ),
    (
        Some(
            "[alembic]\nscript_location = m\n[post_write_hooks]\nhooks = black,  ruff ,\nblack.type = console_scripts\nblack.entrypoint = black\nruff.type = exec\nruff.executable = %(here)s/ruff\nruff.options = --fix REVISION_SCRIPT_FILENAME\nother.type = x\n",
        ),
        Some("[[tool.alembic.post_write_hooks]]\nname = \"ignored\"\ntype = \"exec\"\n"),
        "alembic",
    ),
    (
        None,
        Some("[[tool.alembic.post_write_hooks]]\ntype = \"exec\"\n"),
        "alembic",
    ),
    (
        Some(
            "[alembic]\nscript_location = mypkg:migrations\nprepend_sys_path = %(here)s/src\npath_separator = os\nversion_locations = %(here)s/v1\n",
        ),
        None,
        "alembic",
    ),
    (
        Some(
            "[alembic]\nscript_location = pk.inner:x/y\nprepend_sys_path = %(here)s/src %(here)s/deep\nversion_locations = mypkg:versions nspkg:vers\n",
        ),
        None,
        "alembic",
    ),
    (
        Some(
            "[alembic]\nscript_location = nspkg:mig\nprepend_sys_path = %(here)s/src\npath_separator = space\n",
        ),
        None,
        "alembic",
    ),
    (
        Some(
            "[alembic]\nscript_location = modfile:x\nprepend_sys_path = %(here)s/src\npath_separator = space\n",
        ),
        None,
        "alembic",
    ),
    (
        Some(
            "[alembic]\nscript_location = mypkg.nope:x\nprepend_sys_path = %(here)s/src\npath_separator = space\n",
        ),
        None,
        "alembic",
    ),
    (
        Some("[alembic]\nscript_location = definitely_missing_pkg_q:x\n"),
        None,
        "alembic",
    ),
    (Some("[alembic]\nscript_location = :x\n"), None, "alembic"),
];

/// Package layout shared by the projects that use `package:path`.
fn make_packages(root: &Path) {
    for d in [
        "src/mypkg/migrations",
        "src/nspkg/mig",
        "deep/pk/inner",
        "src/nspkg/vers",
    ] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    for f in [
        "src/mypkg/__init__.py",
        "deep/pk/__init__.py",
        "deep/pk/inner/__init__.py",
        "src/modfile.py",
    ] {
        std::fs::write(root.join(f), "").unwrap();
    }
}

#[test]
fn alembic_config_matches_python() {
    if !oracle_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut cases = Vec::new();
    for (i, (ini, toml, section)) in PROJECTS.iter().enumerate() {
        let root = dir.path().join(format!("p{i}"));
        std::fs::create_dir_all(&root).unwrap();
        make_packages(&root);
        if let Some(text) = ini {
            std::fs::write(root.join("alembic.ini"), text).unwrap();
        }
        if let Some(text) = toml {
            std::fs::write(root.join("pyproject.toml"), text).unwrap();
        }
        cases.push(OracleCase {
            ini: root.join("alembic.ini"),
            toml: root.join("pyproject.toml"),
            section: section.to_string(),
            names: vec![
                "script_location",
                "sqlalchemy.url",
                "path_separator",
                "here",
            ],
            text: format!("{ini:?} / {toml:?} / -n {section}"),
        });
    }
    let input: Vec<Value> = cases
        .iter()
        .map(|c| {
            json!({
                "ini": c.ini.to_string_lossy(),
                "toml": c.toml.to_string_lossy(),
                "section": c.section,
                "names": c.names,
            })
        })
        .collect();
    let py = run_oracle(&format!("{PY_EXC}{ALEMBIC_SCRIPT}"), &json!(input));
    let py = py.as_array().unwrap();
    let mut failures = Vec::new();
    for (case, expected) in cases.iter().zip(py) {
        let ours = alembic_dump(case);
        let (ours, expected) = (ours.as_object().unwrap(), expected.as_object().unwrap());
        for (key, want) in expected {
            let got = &ours[key];
            if got != want {
                failures.push(format!(
                    "{}\n  {key}: ours {got}\n  {key}: python {want}",
                    case.text
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
