//! Bad input: every broken project under `tests/fixtures/projects/` gets a
//! clear message (file and line where there is one), a non-zero exit, and
//! never a Rust panic. Snapshots hold the exact text.

use std::path::{Path, PathBuf};
use std::process::Command;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Copies a fixture project to a fresh directory (so nothing is written
/// into the source tree) and returns it.
fn project(name: &str) -> (tempfile::TempDir, PathBuf) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/projects")
        .join(name);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join(name);
    copy_dir(&src, &dir);
    (tmp, dir)
}

/// Runs the binary and renders what the user sees, with the project's
/// temporary path replaced by `[PROJECT]`.
fn run(dir: &Path, args: &[&str]) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_alembic-rs"));
    cmd.args(args).current_dir(dir).env_remove("ALEMBIC_CONFIG");
    render(dir, cmd)
}

/// [`run`] with the test venv as the project's (commands that start Python).
fn run_venv(dir: &Path, args: &[&str]) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_alembic-rs"));
    cmd.args(args)
        .current_dir(dir)
        .env_remove("ALEMBIC_CONFIG")
        .env("VIRTUAL_ENV", host_venv());
    render(dir, cmd)
}

/// The test venv with SQLAlchemy, for commands that start Python.
fn host_venv() -> PathBuf {
    std::env::var_os("ALEMBIC_RS_HOST_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv-host"))
}

fn render(dir: &Path, mut cmd: Command) -> String {
    let out = cmd.output().unwrap();
    let real = dir.canonicalize().unwrap();
    let clean = |b: &[u8]| {
        String::from_utf8_lossy(b)
            .replace(&real.display().to_string(), "[PROJECT]")
            .replace(&dir.display().to_string(), "[PROJECT]")
    };
    let stderr = clean(&out.stderr);
    assert!(
        !stderr.contains("panicked"),
        "a Rust panic reached the user:\n{stderr}"
    );
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        out.status.code().unwrap_or(-1),
        clean(&out.stdout),
        stderr
    )
}

macro_rules! bad_input {
    ($name:ident, $args:expr) => {
        #[test]
        fn $name() {
            let (_tmp, dir) = project(stringify!($name));
            insta::assert_snapshot!(run(&dir, &$args));
        }
    };
}

bad_input!(syntax_error, ["heads"]);
bad_input!(duplicate_ids, ["history"]);
bad_input!(cycle, ["heads"]);
bad_input!(missing_parent, ["history"]);
bad_input!(not_literal, ["heads"]);
bad_input!(not_literal_error, ["heads"]);
bad_input!(bad_encoding, ["heads"]);
bad_input!(bad_interpolation, ["heads"]);
bad_input!(no_script_location, ["heads"]);
bad_input!(missing_dir, ["heads"]);
bad_input!(bad_pyproject, ["heads"]);

/// A syntax error is confirmed by the project's Python before it is
/// reported (a newer Python may compile what rustpython does not know); the
/// report is the same one that names the file and line.
#[test]
fn syntax_error_confirmed_by_python() {
    let (_tmp, dir) = project("syntax_error");
    let without = run(&dir, &["heads"]);
    assert_eq!(run_venv(&dir, &["heads"]), without);
}

/// A statement rustpython refuses but Python compiles (a tab after spaces
/// in an indentation CPython reads the same under both its tab rules;
/// tests/robustness.rs found it) is read by executing the file, as Alembic
/// imports it, instead of being reported as a syntax error.
#[test]
fn syntax_rustpython_refuses_python_compiles() {
    let (_tmp, dir) = project("syntax_error");
    std::fs::write(
        dir.join("migrations/versions/bbbb2222_broken.py"),
        "revision = 'bbbb2222'\ndown_revision = 'aaaa1111'\nif True:\n    if 1:\n    \tpass\n    branch_labels = ('tabbed',)\n",
    )
    .unwrap();
    let out = run_venv(&dir, &["heads", "-v"]);
    assert!(
        out.starts_with("exit: 0\n") && out.contains("Branch names: tabbed"),
        "{out}"
    );
}

/// Nesting deep enough to overflow a thread's stack in a syntax tree's
/// recursive drop (tens of thousands of levels) aborted the process; now
/// the metadata statement goes to Python, which refuses it as on import
/// (`MemoryError`), and the static path reads such a body on a thread with
/// stack enough. The deep expression is in a statement that assigns
/// `revision` and in a function body. (Brackets are not the way to nest
/// that deep: the scan stops at CPython's 200, "too many nested
/// parentheses".)
#[test]
fn deeply_nested_statements() {
    let (_tmp, dir) = project("syntax_error");
    let versions = dir.join("migrations/versions");
    std::fs::remove_file(versions.join("bbbb2222_broken.py")).unwrap();
    let deep = format!("{}1", "not ".repeat(100_000));
    std::fs::write(
        versions.join("bbbb2222_deep.py"),
        format!(
            "revision = 'bbbb2222'\ndown_revision = 'aaaa1111'\n\n\ndef upgrade():\n    x = {deep}\n\n\ndef downgrade():\n    pass\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("migrations/env.py"),
        "from alembic import context\ncontext.configure(url='sqlite://')\nwith context.begin_transaction():\n    context.run_migrations()\n",
    )
    .unwrap();
    for args in [["upgrade", "head", "--sql"].as_slice(), &["heads"]] {
        let out = run_venv(&dir, args);
        assert!(!out.starts_with("exit: -1"), "killed by a signal: {out}");
    }
    std::fs::write(
        versions.join("cccc3333_deep.py"),
        format!(
            "if True:\n    x = {deep}\n    revision = 'cccc3333'\ndown_revision = 'bbbb2222'\n"
        ),
    )
    .unwrap();
    let out = run_venv(&dir, &["heads"]);
    assert!(
        out.starts_with("exit: 255\n--- stdout\nFAILED: [PROJECT]/migrations/versions/cccc3333_deep.py: MemoryError"),
        "{out}"
    );
}

#[test]
fn unreadable_revision_file() {
    // A dangling symlink cannot be opened, whoever runs the test (root
    // ignores file permissions, so chmod 000 would prove nothing).
    let (_tmp, dir) = project("missing_parent");
    let versions = dir.join("migrations/versions");
    std::fs::remove_file(versions.join("bbbb2222_step.py")).unwrap();
    std::os::unix::fs::symlink(versions.join("gone.py"), versions.join("bbbb2222_step.py"))
        .unwrap();
    insta::assert_snapshot!(run(&dir, &["heads"]));
}

/// The file `revision` would write is a directory: Python's OSError
/// subclass for the errno (`IsADirectoryError`), as Alembic's traceback
/// ends (alembic-rs said `OSError`).
#[test]
fn revision_file_is_a_directory() {
    let (_tmp, dir) = project("missing_parent");
    let versions = dir.join("migrations/versions");
    std::fs::remove_file(versions.join("bbbb2222_step.py")).unwrap();
    std::fs::write(
        dir.join("migrations/script.py.mako"),
        "revision = ${repr(up_revision)}\ndown_revision = ${repr(down_revision)}\n",
    )
    .unwrap();
    std::fs::create_dir(versions.join("cccc3333_x.py")).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_alembic-rs"));
    cmd.args(["revision", "-m", "x", "--rev-id", "cccc3333"])
        .current_dir(&dir)
        .env_remove("ALEMBIC_CONFIG")
        .env("VIRTUAL_ENV", host_venv());
    insta::assert_snapshot!(render(&dir, cmd));
}

/// A project venv whose SQLAlchemy is too old, or missing, is named with
/// the fix before env.py runs, not a traceback from deep inside the shim.
/// A stand-in `sqlalchemy` package on `prepend_sys_path` plays the venv's.
#[test]
fn sqlalchemy_too_old_or_missing() {
    let venv = host_venv();
    for (stand_in, expected) in [
        (
            "__version__ = '1.4.54'\n",
            "has SQLAlchemy 1.4.54; alembic-rs, like Alembic 1.20, needs SQLAlchemy 2.x in the project's virtualenv: pip install 'sqlalchemy>=2'",
        ),
        (
            "raise ImportError('no SQLAlchemy here')\n",
            "(ImportError: no SQLAlchemy here); alembic-rs needs SQLAlchemy 2.x in the project's virtualenv",
        ),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        std::fs::create_dir_all(dir.join("migrations/versions")).unwrap();
        std::fs::create_dir_all(dir.join("sqlalchemy")).unwrap();
        std::fs::write(
            dir.join("alembic.ini"),
            "[alembic]\nscript_location = %(here)s/migrations\nprepend_sys_path = .\nsqlalchemy.url = sqlite://\n",
        )
        .unwrap();
        std::fs::write(dir.join("sqlalchemy/__init__.py"), stand_in).unwrap();
        std::fs::write(
            dir.join("migrations/env.py"),
            "raise RuntimeError('env.py ran')\n",
        )
        .unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_alembic-rs"))
            .arg("current")
            .current_dir(dir)
            .env("VIRTUAL_ENV", &venv)
            .env_remove("ALEMBIC_CONFIG")
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.status.code(), Some(255), "{text}");
        assert!(text.starts_with("FAILED: "), "{text}");
        assert!(text.contains(expected), "{text}");
        assert!(
            !text.contains("Traceback") && !text.contains("env.py ran"),
            "{text}"
        );
    }
}
