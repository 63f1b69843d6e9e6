//! Which Python a command runs with (docs/architecture.md, "Choosing the
//! interpreter"): `VIRTUAL_ENV`, else the virtualenv the executable is
//! installed in (`pip install .` puts it in the venv's `bin/`, and
//! `venv/bin/alembic-rs` must work without activating, as
//! `venv/bin/alembic` does), else `.venv` beside the config.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod support;

/// A real virtualenv (no pip) whose site-packages reach the host venv's
/// through a `.pth` file when `with_sqlalchemy`, holding a copy of the
/// binary in its `bin/` (a copy: the executable's own path is what counts).
fn installed_venv(root: &Path, with_sqlalchemy: bool) -> PathBuf {
    let venv = root.join("venv");
    let host_python = support::host_venv().join("bin/python");
    let status = Command::new(&host_python)
        .args(["-m", "venv", "--without-pip"])
        .arg(&venv)
        .status()
        .unwrap();
    assert!(status.success(), "python -m venv failed");
    if with_sqlalchemy {
        let site = Command::new(&host_python)
            .args(["-c", "import sqlalchemy, os; print(os.path.dirname(os.path.dirname(sqlalchemy.__file__)))"])
            .output()
            .unwrap();
        let site = String::from_utf8(site.stdout).unwrap();
        let ours = std::fs::read_dir(venv.join("lib"))
            .unwrap()
            .flatten()
            .map(|e| e.path().join("site-packages"))
            .find(|p| p.is_dir())
            .expect("the new venv's site-packages");
        std::fs::write(ours.join("host.pth"), site).unwrap();
    }
    std::fs::copy(
        env!("CARGO_BIN_EXE_alembic-rs"),
        venv.join("bin/alembic-rs"),
    )
    .unwrap();
    venv
}

fn project(root: &Path) -> PathBuf {
    let dir = root.join("project");
    std::fs::create_dir_all(dir.join("migrations/versions")).unwrap();
    std::fs::write(
        dir.join("alembic.ini"),
        "[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = sqlite://\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("migrations/env.py"),
        "import sys\nprint('python:', sys.executable)\n",
    )
    .unwrap();
    dir
}

fn run(exe: &Path, dir: &Path, virtual_env: Option<&Path>) -> (Output, String) {
    let mut cmd = Command::new(exe);
    cmd.arg("current")
        .current_dir(dir)
        .env_remove("VIRTUAL_ENV")
        .env_remove("ALEMBIC_CONFIG");
    if let Some(venv) = virtual_env {
        cmd.env("VIRTUAL_ENV", venv);
    }
    let out = cmd.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out, text)
}

#[test]
fn the_venv_the_executable_is_installed_in() {
    let tmp = tempfile::tempdir().unwrap();
    let venv = installed_venv(tmp.path(), true);
    let dir = project(tmp.path());
    let (out, text) = run(&venv.join("bin/alembic-rs"), &dir, None);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains(&format!("python: {}", venv.join("bin/python").display())),
        "{text}"
    );
}

#[test]
fn virtual_env_wins_over_the_installed_venv() {
    let tmp = tempfile::tempdir().unwrap();
    // SQLAlchemy is missing here, so the message names the venv used
    let venv = installed_venv(tmp.path(), false);
    let dir = project(tmp.path());
    let (out, text) = run(&venv.join("bin/alembic-rs"), &dir, None);
    assert_eq!(out.status.code(), Some(255), "{text}");
    assert!(
        text.contains(&format!(
            "SQLAlchemy is not importable from {}",
            venv.join("bin/python").display()
        )),
        "{text}"
    );
    let host = support::host_venv();
    let (out, text) = run(&venv.join("bin/alembic-rs"), &dir, Some(&host));
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains(&format!("python: {}", host.join("bin/python").display())),
        "{text}"
    );
}
