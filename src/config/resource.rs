//! Alembic's `coerce_resource_to_filename`: a non-absolute location with a
//! `:` names a package resource (`myapp:migrations`). Alembic imports the
//! package to find it; alembic-rs has no interpreter, so it searches the
//! directories Python would (prepend_sys_path, the working directory,
//! `PYTHONPATH`, the active virtualenv's site-packages) with the import
//! system's precedence rules, and words failures as Python does.

use std::path::{Path, PathBuf};

use super::ConfigError;
use super::pathlib;
use crate::pyfmt::py_repr;

/// Where a `package:path` location's package is looked for, in order.
/// `prepend` entries are relative to the working directory, like the
/// `sys.path` entries Alembic inserts.
pub fn search_path(prepend: &[String]) -> Vec<PathBuf> {
    let cwd = pathlib::cwd();
    let mut dirs: Vec<PathBuf> = prepend
        .iter()
        .map(|p| PathBuf::from(pathlib::absolute(p, &cwd)))
        .collect();
    dirs.push(PathBuf::from(&cwd));
    if let Some(pp) = std::env::var_os("PYTHONPATH") {
        dirs.extend(
            std::env::split_paths(&pp)
                .filter(|p| !p.as_os_str().is_empty())
                .map(|p| PathBuf::from(pathlib::absolute(&p.to_string_lossy(), &cwd))),
        );
    }
    dirs.extend(site_packages());
    dirs
}

/// The virtualenv this executable is installed in (`pip install
/// alembic-rs` puts it in the venv's `bin/`), if it is in one.
pub fn installed_venv() -> Option<PathBuf> {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent()?.parent().map(Path::to_path_buf))
        .filter(|env| env.join("pyvenv.cfg").is_file())
}

/// The site-packages of the active virtualenv, and of the virtualenv this
/// executable is installed in.
fn site_packages() -> Vec<PathBuf> {
    let mut envs: Vec<PathBuf> = Vec::new();
    if let Some(venv) = std::env::var_os("VIRTUAL_ENV").filter(|v| !v.is_empty()) {
        envs.push(PathBuf::from(venv));
    }
    if let Some(env) = installed_venv()
        && !envs.contains(&env)
    {
        envs.push(env);
    }
    let mut out = Vec::new();
    for env in envs {
        let Ok(entries) = std::fs::read_dir(env.join("lib")) else {
            continue;
        };
        let mut libs: Vec<PathBuf> = entries
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("python3"))
            .map(|e| e.path().join("site-packages"))
            .filter(|p| p.is_dir())
            .collect();
        libs.sort();
        out.extend(libs);
    }
    out
}

/// `coerce_resource_to_filename(location)`, as the string `pathlib.Path`
/// would print.
pub fn coerce_resource_to_filename(
    location: &str,
    search: &[PathBuf],
) -> Result<String, ConfigError> {
    if location.starts_with('/') || !location.contains(':') {
        return Ok(pathlib::normalize(location));
    }
    let tokens: Vec<&str> = location.split(':').collect();
    let package = find_package(tokens[0], search)?;
    let mut tokens = tokens[1..].iter();
    let mut path = match package {
        Lookup::Package(dir) => dir,
        Lookup::Namespace(portions) => {
            // `MultiplexedPath / name`: the first portion holding `name`,
            // else the first portion.
            let first = tokens.next().copied().unwrap_or("");
            let head = first.split('/').find(|p| !p.is_empty() && *p != ".");
            let portion = head
                .and_then(|h| portions.iter().find(|p| p.join(h).exists()))
                .unwrap_or(&portions[0]);
            PathBuf::from(pathlib::join(&portion.to_string_lossy(), first))
        }
        Lookup::Module | Lookup::Missing => unreachable!("find_package rejects these"),
    };
    for tok in tokens {
        path = PathBuf::from(pathlib::join(&path.to_string_lossy(), tok));
    }
    Ok(pathlib::normalize(&path.to_string_lossy()))
}

enum Lookup {
    Package(PathBuf),
    Namespace(Vec<PathBuf>),
    Module,
    Missing,
}

fn module_not_found(message: String) -> ConfigError {
    ConfigError::Uncaught {
        exception: "ModuleNotFoundError".to_string(),
        message,
    }
}

/// `importlib.resources.files(name)`'s import of a (dotted) package name.
fn find_package(name: &str, search: &[PathBuf]) -> Result<Lookup, ConfigError> {
    if name.is_empty() {
        return Err(ConfigError::Uncaught {
            exception: "ValueError".to_string(),
            message: "Empty module name".to_string(),
        });
    }
    let parts: Vec<&str> = name.split('.').collect();
    let mut locations: Vec<PathBuf> = search.to_vec();
    let mut found = Lookup::Module;
    for (i, part) in parts.iter().enumerate() {
        let so_far = parts[..=i].join(".");
        if part.is_empty() {
            return Err(module_not_found(format!(
                "No module named {}",
                py_repr(&so_far)
            )));
        }
        found = find_in(&locations, part);
        match &found {
            Lookup::Package(dir) => locations = vec![dir.clone()],
            Lookup::Namespace(portions) => locations = portions.clone(),
            Lookup::Module if i + 1 < parts.len() => {
                let child = parts[..=i + 1].join(".");
                return Err(module_not_found(format!(
                    "No module named {}; {} is not a package",
                    py_repr(&child),
                    py_repr(&so_far)
                )));
            }
            Lookup::Module => {}
            Lookup::Missing => {
                return Err(module_not_found(format!(
                    "No module named {}",
                    py_repr(&so_far)
                )));
            }
        }
    }
    match found {
        Lookup::Module => Err(ConfigError::Uncaught {
            exception: "TypeError".to_string(),
            message: format!("{} is not a package", py_repr(name)),
        }),
        other => Ok(other),
    }
}

const SUFFIXES: &[&str] = &[".py", ".pyc", ".so", ".abi3.so"];

/// One step of `PathFinder`: a regular package or a module in the first
/// directory that has one wins; directories without `__init__` are
/// namespace portions, used only when nothing else matched.
fn find_in(dirs: &[PathBuf], name: &str) -> Lookup {
    let mut portions = Vec::new();
    for dir in dirs {
        let base = dir.join(name);
        if base.is_dir()
            && SUFFIXES
                .iter()
                .any(|s| base.join(format!("__init__{s}")).is_file())
        {
            return Lookup::Package(base);
        }
        if is_module_file(dir, name) {
            return Lookup::Module;
        }
        if base.is_dir() {
            portions.push(base);
        }
    }
    if portions.is_empty() {
        Lookup::Missing
    } else {
        Lookup::Namespace(portions)
    }
}

fn is_module_file(dir: &Path, name: &str) -> bool {
    if SUFFIXES
        .iter()
        .any(|s| dir.join(format!("{name}{s}")).is_file())
    {
        return true;
    }
    // Extension modules carry an ABI tag: name.cpython-311-x86_64-linux-gnu.so
    let prefix = format!("{name}.cpython-");
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            let f = e.file_name();
            let f = f.to_string_lossy();
            f.starts_with(&prefix) && f.ends_with(".so")
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (tempfile::TempDir, Vec<PathBuf>) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for d in ["mypkg/migrations", "ns/mig", "deep/pk/inner", "ns2/only"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        for f in [
            "mypkg/__init__.py",
            "deep/pk/__init__.py",
            "deep/pk/inner/__init__.py",
        ] {
            std::fs::write(root.join(f), "").unwrap();
        }
        std::fs::write(root.join("modfile.py"), "").unwrap();
        let search = vec![root.to_path_buf(), root.join("deep")];
        (dir, search)
    }

    #[test]
    fn plain_paths_are_normalised_only() {
        assert_eq!(coerce_resource_to_filename("./m//x/", &[]).unwrap(), "m/x");
        assert_eq!(coerce_resource_to_filename("/a:b", &[]).unwrap(), "/a:b");
    }

    #[test]
    fn packages_resolve_to_absolute_dirs() {
        let (dir, search) = setup();
        let root = dir.path().to_string_lossy().to_string();
        let c = |s: &str| coerce_resource_to_filename(s, &search);
        assert_eq!(
            c("mypkg:migrations").unwrap(),
            format!("{root}/mypkg/migrations")
        );
        assert_eq!(c("mypkg:./a//b/").unwrap(), format!("{root}/mypkg/a/b"));
        assert_eq!(c("mypkg:").unwrap(), format!("{root}/mypkg"));
        assert_eq!(
            c("pk.inner:x/y").unwrap(),
            format!("{root}/deep/pk/inner/x/y")
        );
        assert_eq!(c("pk:inner:z").unwrap(), format!("{root}/deep/pk/inner/z"));
        assert_eq!(c("ns:nope").unwrap(), format!("{root}/ns/nope"));
        assert_eq!(c("mypkg:/abs").unwrap(), "/abs");
    }

    #[test]
    fn failures_worded_like_python() {
        let (_dir, search) = setup();
        let c = |s: &str| {
            coerce_resource_to_filename(s, &search)
                .unwrap_err()
                .exception_line()
        };
        assert_eq!(c("modfile:x"), "TypeError: 'modfile' is not a package");
        assert_eq!(c(":x"), "ValueError: Empty module name");
        assert_eq!(c("nopkg:x"), "ModuleNotFoundError: No module named 'nopkg'");
        assert_eq!(
            c("mypkg.nope:x"),
            "ModuleNotFoundError: No module named 'mypkg.nope'"
        );
        assert_eq!(
            c("modfile.x:y"),
            "ModuleNotFoundError: No module named 'modfile.x'; 'modfile' is not a package"
        );
    }
}
