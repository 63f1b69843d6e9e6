//! `init`, `edit`, `ensure_version` and post-write hooks through real
//! Alembic and through alembic-rs, each in its own temporary directory:
//! same stdout, stderr and exit code (the directory's path normalised), and
//! the same files written (paths, bytes and permission bits).
//!
//! The oracle runs as `python -P -m alembic`: without `-P`, a project
//! directory named `alembic` beside the working directory would shadow the
//! installed package.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

mod support;
use support::oracle_python;

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Side {
    Oracle,
    Rs,
}

#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
}

/// One command line of a case; `env` values may use `<DIR>` for the side's
/// project directory.
#[derive(Clone)]
struct Step {
    args: Vec<String>,
    env: Vec<(String, String)>,
    /// Alembic dies with a traceback here: compare its last line only.
    uncaught: bool,
}

fn step(args: &[&str]) -> Step {
    Step {
        args: args.iter().map(|s| s.to_string()).collect(),
        env: Vec::new(),
        uncaught: false,
    }
}

impl Step {
    fn env(mut self, k: &str, v: &str) -> Step {
        self.env.push((k.to_string(), v.to_string()));
        self
    }
    fn uncaught(mut self) -> Step {
        self.uncaught = true;
        self
    }
}

struct Case {
    name: &'static str,
    steps: Vec<Step>,
    /// The virtualenv alembic-rs runs with: `.venv-host` (SQLAlchemy only),
    /// or `.venv-oracle` where the test needs Alembic's interpreter itself
    /// (its templates path in a message, its console scripts).
    rs_venv: &'static str,
    /// Paths (relative to the project) left out of the tree comparison.
    skip: Vec<&'static str>,
    /// A documented difference (docs/differences.md): text alembic-rs
    /// writes in place of Alembic's, undone before comparing the trees.
    rs_differs: Option<(&'static str, &'static str)>,
}

impl Case {
    fn new(name: &'static str, steps: Vec<Step>) -> Case {
        Case {
            name,
            steps,
            rs_venv: ".venv-host",
            skip: Vec::new(),
            rs_differs: None,
        }
    }
}

fn run(side: Side, case: &Case, dir: &Path, s: &Step) -> Outcome {
    let mut cmd = match side {
        Side::Oracle => {
            let mut c = Command::new(oracle_python().unwrap());
            c.args(["-P", "-m", "alembic"]);
            c
        }
        Side::Rs => {
            let mut c = Command::new(env!("CARGO_BIN_EXE_alembic-rs"));
            c.env("VIRTUAL_ENV", manifest().join(case.rs_venv));
            c
        }
    };
    if side == Side::Oracle {
        cmd.env_remove("VIRTUAL_ENV");
    }
    cmd.env_remove("ALEMBIC_CONFIG")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .current_dir(dir)
        .args(
            s.args
                .iter()
                .map(|a| a.replace("<DIR>", &dir.to_string_lossy())),
        )
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let d = dir.to_string_lossy();
    for (k, v) in &s.env {
        cmd.env(k, v.replace("<DIR>", &d));
    }
    let mut child = cmd.spawn().unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let t = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let mut o = Vec::new();
    let _ = out.read_to_end(&mut o);
    let e = t.join().unwrap();
    let status = child.wait().unwrap();
    let norm = |b: &[u8]| String::from_utf8_lossy(b).replace(&*d, "<DIR>");
    let mut stderr = norm(&e);
    if s.uncaught {
        stderr = stderr.trim_end().lines().last().unwrap_or("").to_string();
    }
    Outcome {
        code: status.code().unwrap_or(-1),
        stdout: norm(&o),
        stderr,
    }
}

/// Every file and directory under `root`: kind, permission bits, bytes.
fn tree(root: &Path, skip: &[&str]) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, skip: &[&str], out: &mut BTreeMap<String, String>) {
        use std::os::unix::fs::PermissionsExt;
        let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let path = e.path();
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if e.file_name() == "__pycache__" || skip.iter().any(|s| rel == *s) {
                continue;
            }
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let mode = meta.permissions().mode() & 0o7777;
            if meta.is_dir() {
                out.insert(rel, format!("dir {mode:o}"));
                walk(root, &path, skip, out);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                let text =
                    String::from_utf8_lossy(&bytes).replace(&*root.to_string_lossy(), "<DIR>");
                out.insert(rel, format!("file {mode:o}\n{text}"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, skip, &mut out);
    out
}

/// Runs a case on both sides after `setup` prepared each directory, and
/// compares every step and the final trees. Returns the directories for
/// further checks.
fn check(case: &Case, setup: &dyn Fn(&Path)) -> Option<(tempfile::TempDir, tempfile::TempDir)> {
    oracle_python()?;
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let (da, db) = (
        a.path().canonicalize().unwrap(),
        b.path().canonicalize().unwrap(),
    );
    setup(&da);
    setup(&db);
    let mut failures = Vec::new();
    for s in &case.steps {
        let oa = run(Side::Oracle, case, &da, s);
        let ob = run(Side::Rs, case, &db, s);
        if oa != ob {
            failures.push(format!(
                "step {:?}:\n--- alembic: {oa:#?}\n--- alembic-rs: {ob:#?}",
                s.args
            ));
        }
    }
    let ta = tree(&da, &case.skip);
    let mut tb = tree(&db, &case.skip);
    if let Some((ours, theirs)) = case.rs_differs {
        for v in tb.values_mut() {
            *v = v.replace(ours, theirs);
        }
    }
    if ta != tb {
        let keys: std::collections::BTreeSet<&String> = ta.keys().chain(tb.keys()).collect();
        for k in keys {
            if ta.get(k) != tb.get(k) {
                failures.push(format!(
                    "file {k}:\n--- alembic:\n{:?}\n--- alembic-rs:\n{:?}",
                    ta.get(k),
                    tb.get(k)
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "case {}:\n{}",
        case.name,
        failures.join("\n\n")
    );
    Some((a, b))
}

fn nothing(_: &Path) {}

// ---------------------------------------------------------------------------
// init

#[test]
fn init_every_template() {
    for template in [
        "generic",
        "async",
        "multidb",
        "pyproject",
        "pyproject_async",
    ] {
        for package in [false, true] {
            let mut args = vec!["init", "-t", template];
            if package {
                args.push("--package");
            }
            args.push(if package { "alembic" } else { "migrations" });
            check(&Case::new("template", vec![step(&args)]), &nothing);
        }
    }
}

#[test]
fn init_default_template_and_long_option() {
    check(
        &Case::new(
            "default",
            vec![step(&["init", "--template=generic", "db/migrations/"])],
        ),
        &nothing,
    );
    check(
        &Case::new("default", vec![step(&["init", "./alembic"])]),
        &nothing,
    );
    check(&Case::new("here", vec![step(&["init", "."])]), &nothing);
}

#[test]
fn init_refusals() {
    let nonempty = |d: &Path| {
        std::fs::create_dir(d.join("alembic")).unwrap();
        std::fs::write(d.join("alembic/x"), "").unwrap();
    };
    check(
        &Case::new(
            "non-empty",
            vec![step(&["init", "alembic"]), step(&["init", "alembic/"])],
        ),
        &nonempty,
    );
    let mut unknown = Case::new(
        "unknown template",
        vec![
            step(&["init", "-t", "nosuch", "m"]),
            step(&["init", "-t", "/no/such/dir", "m"]),
        ],
    );
    // The message names Alembic's templates directory: the one installed
    // in the interpreter alembic-rs is pointed at.
    unknown.rs_venv = ".venv-oracle";
    check(&unknown, &nothing);
    check(
        &Case::new(
            "ini in a missing directory",
            vec![step(&["-c", "nodir/my.ini", "init", "m"]).uncaught()],
        ),
        &nothing,
    );
    check(
        &Case::new("a file", vec![step(&["init", "f"]).uncaught()]),
        &|d: &Path| std::fs::write(d.join("f"), "").unwrap(),
    );
}

#[test]
fn init_into_existing_empty_dir_and_existing_ini() {
    check(
        &Case::new("empty dir", vec![step(&["init", "m"])]),
        &|d: &Path| std::fs::create_dir(d.join("m")).unwrap(),
    );
    check(
        &Case::new("ini exists", vec![step(&["init", "m"])]),
        &|d: &Path| std::fs::write(d.join("alembic.ini"), "[alembic]\nbroken = %(\n").unwrap(),
    );
    check(
        &Case::new(
            "quiet",
            vec![step(&["-q", "init", "--package", "-t", "pyproject", "m"])],
        ),
        &nothing,
    );
    check(
        &Case::new("quiet", vec![step(&["-q", "init", "-t", "pyproject", "m"])]),
        &|d: &Path| {
            std::fs::write(d.join("alembic.ini"), "").unwrap();
            std::fs::write(d.join("pyproject.toml"), "[tool.alembic]\n").unwrap();
        },
    );
}

#[test]
fn init_pyproject_into_existing_pyproject() {
    check(
        &Case::new(
            "append",
            vec![step(&["init", "-t", "pyproject", "alembic"])],
        ),
        &|d: &Path| {
            std::fs::write(
                d.join("pyproject.toml"),
                "[project]\nname = \"app\"\nversion = \"0.1\"\n\n[tool.black]\nline-length = 79\n",
            )
            .unwrap()
        },
    );
    check(
        &Case::new(
            "no newline at end",
            vec![step(&["init", "-t", "pyproject_async", "m"])],
        ),
        &|d: &Path| std::fs::write(d.join("pyproject.toml"), "[project]\nname = \"app\"").unwrap(),
    );
    check(
        &Case::new("skip", vec![step(&["init", "-t", "pyproject", "m"])]),
        &|d: &Path| {
            std::fs::write(
                d.join("pyproject.toml"),
                "[tool.alembic]\nscript_location = \"x\"\n",
            )
            .unwrap()
        },
    );
    check(
        &Case::new("dotted key", vec![step(&["init", "-t", "pyproject", "m"])]),
        &|d: &Path| std::fs::write(d.join("pyproject.toml"), "tool.alembic.x = 1\n").unwrap(),
    );
}

#[test]
fn init_config_paths() {
    let sub = |d: &Path| std::fs::create_dir_all(d.join("conf")).unwrap();
    check(
        &Case::new("-c", vec![step(&["-c", "conf/my.ini", "init", "conf/mig"])]),
        &sub,
    );
    check(
        &Case::new(
            "-c toml",
            vec![step(&[
                "-c",
                "conf/pyproject.toml",
                "init",
                "-t",
                "pyproject",
                "conf/m",
            ])],
        ),
        &sub,
    );
    check(
        &Case::new(
            "ALEMBIC_CONFIG",
            vec![step(&["init", "conf/m"]).env("ALEMBIC_CONFIG", "conf/other.ini")],
        ),
        &sub,
    );
    // The directory is not under the config file's: Alembic on Python 3.11
    // writes `%(here)s/m` (pointing at conf/m), alembic-rs `%(here)s/../m`
    // as Alembic on Python 3.12+ does.
    let mut walk_up = Case::new(
        "walk up",
        vec![step(&["init", "m"]).env("ALEMBIC_CONFIG", "conf/other.ini")],
    );
    walk_up.rs_differs = Some(("%(here)s/../m", "%(here)s/m"));
    check(&walk_up, &sub);
}

#[test]
fn init_absolute_directory() {
    // The absolute path differs per side, so build each side's argument.
    if oracle_python().is_none() {
        return;
    }
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let (da, db) = (
        a.path().canonicalize().unwrap(),
        b.path().canonicalize().unwrap(),
    );
    let case = Case::new("absolute", vec![]);
    let mk = |d: &Path| step(&["init", &format!("{}/mig", d.display())]);
    let oa = run(Side::Oracle, &case, &da, &mk(&da));
    let ob = run(Side::Rs, &case, &db, &mk(&db));
    assert_eq!(oa, ob);
    assert_eq!(tree(&da, &[]), tree(&db, &[]));
}

// ---------------------------------------------------------------------------
// A project with a revision, for edit / ensure_version / hooks

const REVISION: &str = "\"\"\"first\n\nRevision ID: aaaa1111\nRevises: \nCreate Date: 2024-01-01 10:00:00\n\n\"\"\"\nrevision = 'aaaa1111'\ndown_revision = None\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n";

/// `alembic init mig` done by hand (both sides must start equal), with the
/// URL pointing at `url` and one revision.
fn project(d: &Path, url: &str, extra_ini: &str) {
    let generic = manifest().join("templates/generic");
    std::fs::create_dir_all(d.join("mig/versions")).unwrap();
    for f in ["env.py", "script.py.mako", "README"] {
        std::fs::copy(generic.join(f), d.join("mig").join(f)).unwrap();
    }
    let ini = std::fs::read_to_string(generic.join("alembic.ini.mako"))
        .unwrap()
        .replace("${script_location}", "%(here)s/mig")
        .replace("driver://user:pass@localhost/dbname", url);
    // The template already has a `[post_write_hooks]` section (all
    // commented out): hooks given by a test go into it.
    let ini = match extra_ini.strip_prefix("\n[post_write_hooks]\n") {
        Some(hooks) => ini.replacen(
            "[post_write_hooks]\n",
            &format!("[post_write_hooks]\n{hooks}"),
            1,
        ),
        None => format!("{ini}{extra_ini}"),
    };
    std::fs::write(d.join("alembic.ini"), ini).unwrap();
    std::fs::write(d.join("mig/versions/aaaa1111_first.py"), REVISION).unwrap();
}

/// An editor that records its arguments (and fails when told to).
fn editor(d: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let p = d.join("ed.sh");
    std::fs::write(
        &p,
        "#!/bin/sh\necho \"edited: $*\" >> \"$(dirname \"$0\")/edits.log\"\necho \"editor ran\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn edit_revisions() {
    let setup = |d: &Path| {
        project(d, &format!("sqlite:///{}/p.db", d.display()), "");
        editor(d);
    };
    let ed = |args: &[&str]| step(args).env("EDITOR", "<DIR>/ed.sh");
    let mut case = Case::new(
        "edit",
        vec![
            ed(&["edit", "aaaa1111"]),
            ed(&["edit", "aaaa"]),
            ed(&["edit", "head"]),
            ed(&["edit", "heads"]),
            ed(&["edit", "nosuch"]),
            ed(&["edit", "base"]),
            ed(&["edit", "current"]),
            step(&["edit", "head"]).env("EDITOR", "false"),
            step(&["edit", "head"])
                .env("EDITOR", "/no/such/editor")
                .env("VISUAL", "/no/such/either")
                .env("PATH", "/nonexistent"),
            step(&["edit", "head"])
                .env("EDITOR", "/no/such/editor")
                .env("VISUAL", "ed.sh")
                .env("PATH", "<DIR>"),
            step(&["stamp", "head"]),
            ed(&["edit", "current"]),
            step(&["edit", "current"]).env("EDITOR", "false"),
        ],
    );
    case.skip = vec!["p.db"];
    check(&case, &setup);
}

// ---------------------------------------------------------------------------
// ensure_version

fn sqlite_schema(db: &Path) -> String {
    let out = Command::new(oracle_python().unwrap())
        .args([
            "-c",
            "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(\"select type, name, sql from sqlite_master order by name\").fetchall())",
        ])
        .arg(db)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn ensure_version_online_sqlite() {
    let setup = |d: &Path| project(d, &format!("sqlite:///{}/p.db", d.display()), "");
    let mut case = Case::new(
        "ensure_version",
        vec![
            step(&["ensure_version"]),
            step(&["ensure_version"]),
            step(&["current"]),
        ],
    );
    case.skip = vec!["p.db"];
    let Some((a, b)) = check(&case, &setup) else {
        return;
    };
    let (sa, sb) = (
        sqlite_schema(&a.path().join("p.db")),
        sqlite_schema(&b.path().join("p.db")),
    );
    assert!(sa.contains("alembic_version"), "{sa}");
    assert_eq!(sa, sb);
}

#[test]
fn ensure_version_custom_table_online() {
    let setup = |d: &Path| {
        project(d, &format!("sqlite:///{}/p.db", d.display()), "");
        let env = std::fs::read_to_string(d.join("mig/env.py"))
            .unwrap()
            .replace(
                "target_metadata=target_metadata",
                "target_metadata=target_metadata, version_table='my_versions'",
            );
        std::fs::write(d.join("mig/env.py"), env).unwrap();
    };
    let mut case = Case::new("ensure_version custom", vec![step(&["ensure_version"])]);
    case.skip = vec!["p.db"];
    let Some((a, b)) = check(&case, &setup) else {
        return;
    };
    let (sa, sb) = (
        sqlite_schema(&a.path().join("p.db")),
        sqlite_schema(&b.path().join("p.db")),
    );
    assert!(sa.contains("my_versions"), "{sa}");
    assert_eq!(sa, sb);
}

/// Alembic reads no revision file for `ensure_version`: a file without a
/// `revision` variable beside a good one fails neither tool (fuzz-cli seed
/// 214 found alembic-rs reading the graph first), online or with `--sql`.
#[test]
fn ensure_version_ignores_broken_revision_files() {
    let setup = |d: &Path| {
        project(d, &format!("sqlite:///{}/p.db", d.display()), "");
        std::fs::write(d.join("mig/versions/zz_broken.py"), "x = 1\n").unwrap();
    };
    let mut case = Case::new(
        "ensure_version, broken revision file",
        vec![
            step(&["ensure_version", "--sql"]),
            step(&["ensure_version"]),
            step(&["current"]),
        ],
    );
    case.skip = vec!["p.db"];
    check(&case, &setup);
}

#[test]
fn ensure_version_sql() {
    for url in [
        "sqlite:///p.db",
        "postgresql://scott:tiger@localhost/test",
        "postgresql+psycopg2://scott@localhost/test",
    ] {
        let setup = move |d: &Path| project(d, url, "");
        check(
            &Case::new(
                "ensure_version --sql",
                vec![
                    step(&["ensure_version", "--sql"]),
                    step(&["-x", "a=b", "ensure_version", "--sql"]),
                ],
            ),
            &setup,
        );
    }
}

// ---------------------------------------------------------------------------
// post-write hooks (through `revision`)

/// Whether this alembic-rs build has `revision` (hooks run after it).
fn revision_built() -> bool {
    let out = Command::new(env!("CARGO_BIN_EXE_alembic-rs"))
        .args(["-c", "/nonexistent/alembic.ini", "revision", "-m", "x"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    if text.contains("not built in this version") {
        eprintln!("SKIPPED: `revision` is not built yet; hooks are covered by unit tests");
        return false;
    }
    true
}

/// A project whose `[post_write_hooks]` is `hooks`, with a recording
/// script `rec.sh`, a module `hookmod` and a console script `hookfmt`
/// (a `.dist-info` on `prepend_sys_path`).
fn hook_project(d: &Path, hooks: &str) {
    use std::os::unix::fs::PermissionsExt;
    project(d, &format!("sqlite:///{}/p.db", d.display()), hooks);
    let rec = d.join("rec.sh");
    std::fs::write(
        &rec,
        "#!/bin/sh\necho \"rec in $(pwd): $*\"\necho \"rec: $*\" >> \"$(dirname \"$0\")/hooks.log\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&rec, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(
        d.join("hookmod.py"),
        "import os, sys\n\ndef main():\n    print('hookmod', sys.argv[1:], os.getcwd())\n\nif __name__ == '__main__':\n    main()\n",
    )
    .unwrap();
    let dist = d.join("hookfmt-1.0.dist-info");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(
        dist.join("METADATA"),
        "Metadata-Version: 2.1\nName: hookfmt\nVersion: 1.0\n",
    )
    .unwrap();
    std::fs::write(
        dist.join("entry_points.txt"),
        "[console_scripts]\nhookfmt = hookmod:main\n",
    )
    .unwrap();
    std::fs::create_dir_all(d.join("sub")).unwrap();
}

fn hook_case(name: &'static str, hooks: &str, extra_steps: Vec<Step>) {
    let first = step(&["revision", "-m", "second", "--rev-id", "bbbb2222"]);
    hook_case_from(name, hooks, first, extra_steps);
}

fn hook_case_from(name: &'static str, hooks: &str, first: Step, extra_steps: Vec<Step>) {
    if !revision_built() {
        return;
    }
    let mut steps = vec![first];
    steps.extend(extra_steps);
    let mut case = Case::new(name, steps);
    // Both sides must find the same console scripts and modules.
    case.rs_venv = ".venv-oracle";
    // The new revision's Create Date differs between the runs.
    case.skip = vec![
        "mig/versions/bbbb2222_second.py",
        "mig/versions/cccc3333_third.py",
        "p.db",
    ];
    let hooks = hooks.to_string();
    check(&case, &move |d: &Path| hook_project(d, &hooks));
}

#[test]
fn hook_exec() {
    hook_case(
        "exec",
        "\n[post_write_hooks]\nhooks = rec, rec2\nrec.type = exec\nrec.executable = %(here)s/rec.sh\nrec.options = -l 79 'a b' REVISION_SCRIPT_FILENAME --x=REVISION_SCRIPT_FILENAME\nrec2.type = exec\nrec2.executable = %(here)s/rec.sh\nrec2.cwd = %(here)s/sub\n",
        vec![step(&[
            "-q", "revision", "-m", "third", "--rev-id", "cccc3333",
        ])],
    );
}

#[test]
fn hook_module_and_console_scripts() {
    hook_case(
        "module",
        "\n[post_write_hooks]\nhooks = m, c\nm.type = module\nm.module = hookmod\nm.options = --check REVISION_SCRIPT_FILENAME\nc.type = console_scripts\nc.entrypoint = hookfmt\nc.options = -l 79\n",
        vec![],
    );
}

#[test]
fn hook_errors() {
    for hooks in [
        "\n[post_write_hooks]\nhooks = a\na.executable = x\n",
        "\n[post_write_hooks]\nhooks = a\na.type = nosuch\n",
        "\n[post_write_hooks]\nhooks = a\na.type = exec\n",
        "\n[post_write_hooks]\nhooks = a\na.type = console_scripts\n",
        "\n[post_write_hooks]\nhooks = a\na.type = console_scripts\na.entrypoint = nosuchscript\n",
        "\n[post_write_hooks]\nhooks = a\na.type = module\na.module = nosuchmodule\n",
        "\n[post_write_hooks]\nhooks = a\na.type = module\n",
        "\n[post_write_hooks]\nhooks =\n",
    ] {
        hook_case("errors", hooks, vec![]);
    }
}

#[test]
fn hook_failures_alembic_does_not_catch() {
    for hooks in [
        "\n[post_write_hooks]\nhooks = x\nx.type = exec\nx.executable = nosuchexe\n",
        "\n[post_write_hooks]\nhooks = y\ny.type=exec\ny.executable=/bin/echo\ny.cwd = /no/dir\n",
        "\n[post_write_hooks]\nhooks = z\nz.type = exec\nz.executable=/bin/echo\nz.options = 'unclosed\n",
    ] {
        let first = step(&["revision", "-m", "second", "--rev-id", "bbbb2222"]).uncaught();
        hook_case_from("uncaught", hooks, first, vec![]);
    }
}

#[test]
fn hook_from_pyproject() {
    if !revision_built() {
        return;
    }
    let setup = |d: &Path| {
        hook_project(d, "");
        std::fs::write(d.join("alembic.ini"), "[alembic]\n").unwrap();
        std::fs::write(
            d.join("pyproject.toml"),
            "[tool.alembic]\nscript_location = \"%(here)s/mig\"\nprepend_sys_path = [\".\"]\n\n[[tool.alembic.post_write_hooks]]\nname = \"rec\"\ntype = \"exec\"\nexecutable = \"%(here)s/rec.sh\"\noptions = \"-x REVISION_SCRIPT_FILENAME\"\n\n[[tool.alembic.post_write_hooks]]\nname = \"c\"\ntype = \"console_scripts\"\nentrypoint = \"hookfmt\"\ncwd = \"sub\"\n",
        )
        .unwrap();
    };
    let mut case = Case::new(
        "pyproject hooks",
        vec![step(&["revision", "-m", "second", "--rev-id", "bbbb2222"])],
    );
    case.rs_venv = ".venv-oracle";
    case.skip = vec!["mig/versions/bbbb2222_second.py", "p.db"];
    check(&case, &setup);
}

#[test]
fn init_custom_template_directory() {
    let setup = |d: &Path| {
        let tpl = d.join("tpl");
        std::fs::create_dir_all(tpl.join("subdir")).unwrap();
        for f in ["env.py", "script.py.mako", "README", "alembic.ini.mako"] {
            std::fs::copy(manifest().join("templates/generic").join(f), tpl.join(f)).unwrap();
        }
        std::fs::write(tpl.join("extra.txt"), "extra\n").unwrap();
    };
    check(
        &Case::new(
            "custom template",
            vec![step(&["init", "-t", "<DIR>/tpl", "m"])],
        ),
        &setup,
    );
}

#[test]
fn ensure_version_online_postgresql() {
    use support::online::{DbKind, FreshDb, dump_db, ready};
    if !ready(DbKind::Postgres) {
        return;
    }
    let (dba, dbb) = (
        FreshDb::create(DbKind::Postgres),
        FreshDb::create(DbKind::Postgres),
    );
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    project(a.path(), &dba.url(), "");
    project(b.path(), &dbb.url(), "");
    let case = Case::new("ensure_version pg", vec![]);
    for args in [&["ensure_version"][..], &["ensure_version"], &["current"]] {
        let norm = |o: Outcome, db: &FreshDb| Outcome {
            stdout: o.stdout.replace(db.name(), "<DB>"),
            stderr: o.stderr.replace(db.name(), "<DB>"),
            ..o
        };
        let oa = norm(run(Side::Oracle, &case, a.path(), &step(args)), &dba);
        let ob = norm(run(Side::Rs, &case, b.path(), &step(args)), &dbb);
        assert_eq!(oa, ob, "{args:?}");
    }
    let (sa, sb) = (
        dump_db(&dba, "alembic_version"),
        dump_db(&dbb, "alembic_version"),
    );
    assert_eq!(sa.versions, Some(vec![]));
    assert_eq!(sa, sb);
}

/// On a terminal (stdin a TTY) Alembic wraps its messages to the width,
/// as `textwrap` does; run both under `script` with 50 columns.
#[test]
fn init_on_a_terminal() {
    let Some(python) = oracle_python() else {
        return;
    };
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("SKIPPED: no `script` to give the command a terminal");
        return;
    }
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let (da, db) = (
        a.path().canonicalize().unwrap(),
        b.path().canonicalize().unwrap(),
    );
    let args = "init -t pyproject --package migrations-directory_with_a-long-name";
    let oracle = format!("{} -P -m alembic {args}", python.display());
    let ours = format!("{} {args}", env!("CARGO_BIN_EXE_alembic-rs"));
    let on_tty = |dir: &Path, cmd: &str| -> String {
        let out = Command::new("script")
            .args(["-qec", &format!("stty cols 50; {cmd}"), "/dev/null"])
            .current_dir(dir)
            .env_remove("ALEMBIC_CONFIG")
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).replace(&*dir.to_string_lossy(), "<DIR>")
    };
    let (oa, ob) = (on_tty(&da, &oracle), on_tty(&db, &ours));
    assert!(oa.contains("  Please edit"), "{oa}");
    assert_eq!(oa, ob);
    assert_eq!(tree(&da, &[]), tree(&db, &[]));
}
