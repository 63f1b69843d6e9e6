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
    let out = Command::new(env!("CARGO_BIN_EXE_alembic-rs"))
        .args(args)
        .current_dir(dir)
        .env_remove("ALEMBIC_CONFIG")
        .output()
        .unwrap();
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
