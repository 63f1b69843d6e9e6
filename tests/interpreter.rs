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
    venv_made_by(
        &support::host_venv().join("bin/python"),
        root,
        with_sqlalchemy,
        false,
    )
}

/// As [`installed_venv`], the venv made by `base` (any Python of the host
/// venv's minor version), `--system-site-packages` or not.
fn venv_made_by(base: &Path, root: &Path, with_sqlalchemy: bool, system_site: bool) -> PathBuf {
    let venv = root.join("venv");
    let host_python = support::host_venv().join("bin/python");
    let status = Command::new(base)
        .args(["-m", "venv", "--without-pip"])
        .args(system_site.then_some("--system-site-packages"))
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
        std::fs::write(venv_site_packages(&venv).join("host.pth"), site).unwrap();
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
        .env_remove("ALEMBIC_CONFIG")
        .env("PYTHONNOUSERSITE", "1");
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

/// Another installation of the host venv's Python minor version (a
/// distribution's `/usr/bin/python3.X` beside the pyenv build alembic-rs
/// links), if this machine has one.
fn other_installation() -> Option<PathBuf> {
    let probe = "import sys; print('%d.%d' % sys.version_info[:2], sys.base_prefix)";
    let ask = |python: &Path| {
        Command::new(python)
            .args(["-S", "-c", probe])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let ours = ask(&support::host_venv().join("bin/python"))?;
    let (version, _) = ours.split_once(' ')?;
    [
        format!("/usr/bin/python{version}"),
        format!("/usr/local/bin/python{version}"),
    ]
    .into_iter()
    .map(PathBuf::from)
    .filter(|p| p.is_file())
    .find(|p| ask(p).is_some_and(|theirs| theirs.starts_with(version) && theirs != ours))
}

/// A venv made by another build of the same minor version (Debian's python3,
/// a uv-managed Python) runs with the standard library of the libpython
/// alembic-rs links: Debian's has no `math` module file (its interpreter
/// has it compiled in), and taking it from the venv's base made every
/// command die importing `random`. The venv is still the venv: the same
/// site directories, in the same order, as the venv's own interpreter
/// lists (with `--system-site-packages`, its base's `dist-packages` too).
#[test]
fn a_venv_made_by_another_build_of_the_same_python() {
    let Some(base) = other_installation() else {
        eprintln!("skipped: no other Python of the host venv's minor version here");
        return;
    };
    for system_site in [false, true] {
        let tmp = tempfile::tempdir().unwrap();
        let venv = venv_made_by(&base, tmp.path(), true, system_site);
        let dir = project(tmp.path());
        let site_dirs = "[p for p in sys.path if p.endswith(('site-packages', 'dist-packages'))]";
        std::fs::write(
            dir.join("migrations/env.py"),
            format!(
                "import sys, math, random, decimal, json, hashlib, ssl, sqlite3, ctypes, zlib\n\
                 import sqlalchemy\n\
                 print('prefix:', sys.prefix)\n\
                 print('site:', {site_dirs})\n\
                 print('sum:', math.fsum([0.1] * 10), decimal.Decimal('1.10') * 3, zlib.crc32(b'x'))\n"
            ),
        )
        .unwrap();
        let (out, text) = run(env!("CARGO_BIN_EXE_alembic-rs").as_ref(), &dir, Some(&venv));
        assert!(out.status.success(), "{text}");
        let own = Command::new(venv.join("bin/python"))
            .args(["-c", &format!("import sys; print('site:', {site_dirs})")])
            .env("PYTHONNOUSERSITE", "1")
            .output()
            .unwrap();
        let own = String::from_utf8(own.stdout).unwrap();
        assert!(text.contains(&own), "{own}\n{text}");
        assert!(
            text.contains(&format!("prefix: {}", venv.display())),
            "{text}"
        );
        assert!(text.contains("sum: 1.0 3.30 2363233923"), "{text}");
    }
}

fn venv_site_packages(venv: &Path) -> PathBuf {
    std::fs::read_dir(venv.join("lib"))
        .unwrap()
        .flatten()
        .map(|e| e.path().join("site-packages"))
        .find(|p| p.is_dir())
        .expect("the venv's site-packages")
}

/// No venv, and `python3` on PATH is another installation of the same minor
/// version (conda's, a distribution's): its packages are found where its own
/// `site` module says (Debian's `dist-packages`), the standard library is
/// libpython's, and our installation's site-packages stay out. The
/// installation is made here: a copy of the other interpreter with its
/// standard library linked in, so its site directories are ours to fill.
#[test]
fn python3_on_path_from_another_build_of_the_same_python() {
    let Some(base) = other_installation() else {
        eprintln!("skipped: no other Python of the host venv's minor version here");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let inst = tmp.path().join("inst");
    let stdlib = Command::new(&base)
        .args(["-S", "-c", "import os; print(os.path.dirname(os.__file__))"])
        .output()
        .unwrap();
    let stdlib = PathBuf::from(String::from_utf8(stdlib.stdout).unwrap().trim());
    std::fs::create_dir_all(inst.join("bin")).unwrap();
    std::fs::create_dir_all(inst.join("lib")).unwrap();
    std::fs::copy(&base, inst.join("bin/python3")).unwrap();
    std::os::unix::fs::symlink(&stdlib, inst.join("lib").join(stdlib.file_name().unwrap()))
        .unwrap();
    let sites = Command::new(inst.join("bin/python3"))
        .args(["-S", "-c", "import site; print(site.getsitepackages()[0])"])
        .output()
        .unwrap();
    let site = PathBuf::from(String::from_utf8(sites.stdout).unwrap().trim());
    assert!(site.starts_with(&inst), "{}", site.display());
    std::fs::create_dir_all(&site).unwrap();
    let host_site = venv_site_packages(&support::host_venv());
    std::fs::write(site.join("host.pth"), host_site.display().to_string()).unwrap();

    let dir = project(tmp.path());
    std::fs::write(
        dir.join("migrations/env.py"),
        "import sys, math, random, sqlalchemy\n\
         print('site:', [p for p in sys.path if p.endswith(('site-packages', 'dist-packages'))])\n",
    )
    .unwrap();
    let path = format!("{}:/usr/bin:/bin", inst.join("bin").display());
    let out = Command::new(env!("CARGO_BIN_EXE_alembic-rs"))
        .arg("current")
        .current_dir(&dir)
        .env_remove("VIRTUAL_ENV")
        .env_remove("ALEMBIC_CONFIG")
        .env("PATH", path)
        .env("PYTHONNOUSERSITE", "1")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains(&format!(
            "site: ['{}', '{}']",
            site.display(),
            host_site.display()
        )),
        "{text}"
    );
}
