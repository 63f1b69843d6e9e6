//! `alembic init`: a new migration environment from one of Alembic's
//! templates, written byte for byte as Alembic writes it, without Python.
//!
//! The templates are Alembic 1.20.1's own files (`templates/` at the
//! repository root, MIT), compiled in. The two `.mako` files `init` renders
//! use nothing but `${script_location}`, so they are rendered here by plain
//! substitution rather than through a Mako engine.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::CommandError;
use crate::config::{Config, pathlib};
use crate::pyfmt::py_repr;
use crate::ui::Ui;

/// One bundled template: its files in the order Alembic's
/// `template_path.iterdir()` yields them on the reference installation
/// (the order of the "Generating ..." lines).
struct Bundled {
    name: &'static str,
    files: &'static [(&'static str, &'static [u8])],
}

macro_rules! template_file {
    ($dir:literal, $file:literal) => {
        (
            $file,
            include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/templates/",
                $dir,
                "/",
                $file
            )) as &[u8],
        )
    };
}

macro_rules! bundled {
    ($dir:literal) => {
        Bundled {
            name: $dir,
            files: &[
                template_file!($dir, "script.py.mako"),
                template_file!($dir, "README"),
                template_file!($dir, "env.py"),
                template_file!($dir, "alembic.ini.mako"),
            ],
        }
    };
    ($dir:literal, pyproject) => {
        Bundled {
            name: $dir,
            files: &[
                template_file!($dir, "script.py.mako"),
                template_file!($dir, "README"),
                template_file!($dir, "env.py"),
                template_file!($dir, "pyproject.toml.mako"),
                template_file!($dir, "alembic.ini.mako"),
            ],
        }
    };
}

const BUNDLED: &[Bundled] = &[
    bundled!("generic"),
    bundled!("async"),
    bundled!("multidb"),
    bundled!("pyproject", pyproject),
    bundled!("pyproject_async", pyproject),
];

/// Where the template files come from: compiled in, or a directory the user
/// named with an absolute `--template` path (Alembic joins the name onto its
/// templates directory, so an absolute path selects any directory).
enum Source {
    Bundled(&'static Bundled),
    Directory(PathBuf),
}

impl Source {
    /// The template's files, in Alembic's order, with their contents.
    /// Sub-directories are skipped, as Alembic skips them.
    fn files(&self) -> Result<Vec<(String, Vec<u8>)>, CommandError> {
        match self {
            Source::Bundled(b) => Ok(b
                .files
                .iter()
                .map(|(name, bytes)| (name.to_string(), bytes.to_vec()))
                .collect()),
            Source::Directory(dir) => {
                let shown = dir.to_string_lossy();
                let entries = std::fs::read_dir(dir).map_err(|e| os_error(&e, &shown))?;
                let mut files = Vec::new();
                for entry in entries {
                    let entry = entry.map_err(|e| os_error(&e, &shown))?;
                    let path = entry.path();
                    if path.is_file() {
                        let bytes = std::fs::read(&path)
                            .map_err(|e| os_error(&e, &path.to_string_lossy()))?;
                        files.push((entry.file_name().to_string_lossy().into_owned(), bytes));
                    }
                }
                Ok(files)
            }
        }
    }
}

/// `alembic init DIRECTORY [-t TEMPLATE] [--package]`.
pub fn init(
    config: &Config,
    ui: &mut Ui,
    directory: &str,
    template: &str,
    package: bool,
) -> Result<(), CommandError> {
    let cwd = pathlib::cwd();
    let dir = pathlib::normalize(directory);
    match std::fs::metadata(&dir) {
        Ok(meta) if meta.is_dir() => {
            let mut entries = std::fs::read_dir(&dir).map_err(|e| os_error(&e, &dir))?;
            if entries.next().is_some() {
                return Err(CommandError::Failed(format!(
                    "Directory {dir} already exists and is not empty"
                )));
            }
        }
        // `iterdir()` on a file: Python's NotADirectoryError.
        Ok(_) => {
            return Err(CommandError::Uncaught(format!(
                "NotADirectoryError: [Errno 20] Not a directory: {}",
                py_repr(&dir)
            )));
        }
        Err(_) => {}
    }

    let source = find_template(config, template)?;
    let files = source.files()?;

    let abs_dir = pathlib::absolute(&dir, &cwd);
    if std::fs::metadata(&dir).is_err() {
        ui.status(&format!("Creating directory {abs_dir}"), false, |_| {
            std::fs::create_dir_all(&dir).map_err(|e| os_error(&e, &dir))
        })?;
    }
    let versions = pathlib::join(&dir, "versions");
    let abs_versions = pathlib::absolute(&versions, &cwd);
    ui.status(&format!("Creating directory {abs_versions}"), false, |_| {
        std::fs::create_dir(&versions).map_err(|e| os_error(&e, &versions))
    })?;

    let config_file = pathlib::absolute(&config.config_file_name.to_string_lossy(), &cwd);
    let toml_file = pathlib::absolute(&config.toml_file_name.to_string_lossy(), &cwd);
    let (ini_location, toml_location) = if dir.starts_with('/') {
        (dir.clone(), dir.clone())
    } else {
        (
            here_relative(&abs_dir, &pathlib::parent(&config_file)),
            here_relative(&abs_dir, &pathlib::parent(&toml_file)),
        )
    };

    let mut has_toml = false;
    for (name, bytes) in &files {
        match name.as_str() {
            "alembic.ini.mako" => {
                if Path::new(&config_file).exists() {
                    ui.msg(&format!("File {config_file} already exists, skipping"));
                } else {
                    let text = render(bytes, &ini_location);
                    generate(ui, &config_file, &text, false)?;
                }
            }
            "pyproject.toml.mako" => {
                has_toml = true;
                let text = render(bytes, &toml_location);
                if Path::new(&toml_file).exists() {
                    if has_tool_alembic(&toml_file)? {
                        ui.msg_unquiet(&format!(
                            "File {toml_file} already exists and already has a [tool.alembic] section, skipping"
                        ));
                        continue;
                    }
                    generate(ui, &toml_file, &text, true)?;
                } else {
                    generate(ui, &toml_file, &text, false)?;
                }
            }
            _ => {
                let dest = pathlib::absolute(&pathlib::join(&dir, name), &cwd);
                // `ScriptDirectory(dir)` is built without the command's
                // messaging options: these lines show under -q too.
                ui.status_unquiet(&format!("Generating {dest}"), false, |_| {
                    copy_file(&dest, bytes)
                })?;
            }
        }
    }

    if package {
        for path in [
            pathlib::join(&abs_dir, "__init__.py"),
            pathlib::join(&abs_versions, "__init__.py"),
        ] {
            ui.status(&format!("Adding {path}"), false, |_| {
                std::fs::File::create(&path)
                    .map(drop)
                    .map_err(|e| os_error(&e, &path))
            })?;
        }
    }

    if has_toml {
        ui.msg(&format!(
            "Please edit configuration settings in {toml_file} and configuration/connection/logging settings in {config_file} before proceeding."
        ));
    } else {
        ui.msg(&format!(
            "Please edit configuration/connection/logging settings in {config_file} before proceeding."
        ));
    }
    Ok(())
}

/// `config._get_template_path() / template`, checked for existence.
fn find_template(config: &Config, template: &str) -> Result<Source, CommandError> {
    let name = pathlib::normalize(template);
    if let Some(b) = BUNDLED.iter().find(|b| b.name == name) {
        return Ok(Source::Bundled(b));
    }
    if name.starts_with('/') && Path::new(&name).is_dir() {
        return Ok(Source::Directory(PathBuf::from(name)));
    }
    let shown = if name.starts_with('/') {
        name
    } else {
        pathlib::join(&templates_dir(config), &name)
    };
    Err(CommandError::Failed(format!("No such template {shown}")))
}

/// The directory Alembic would name in "No such template": the templates of
/// the Alembic installed in the project's Python, when there is one, so the
/// message is Alembic's own; otherwise a stand-in.
fn templates_dir(config: &Config) -> String {
    let here = PathBuf::from(config.here());
    let Ok(env) = crate::python::PythonEnv::find(&here) else {
        return "<alembic-rs>/templates".to_string();
    };
    let prefix = env.venv.clone().or_else(|| {
        env.executable
            .parent()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
    });
    let found = prefix.and_then(|prefix| {
        let lib = prefix.join("lib");
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(&lib)
            .ok()?
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("python"))
            .map(|e| e.path().join("site-packages/alembic/templates"))
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        dirs.into_iter().next()
    });
    match found {
        Some(p) => p.to_string_lossy().into_owned(),
        None => "<alembic-rs>/templates".to_string(),
    }
}

/// `("%(here)s" / path_relative_to(dir, config_dir, walk_up=True)).as_posix()`.
///
/// Walking up follows Python 3.12's `relative_to(..., walk_up=True)` (one
/// `..` per level) on paths with `..` collapsed; Alembic on Python 3.11
/// uses a fallback that drops the `..` levels, pointing at the wrong
/// directory (see docs/differences.md). When the directory is inside the
/// config file's directory, the common case, every version agrees.
fn here_relative(abs_dir: &str, config_dir: &str) -> String {
    let target = collapse_dotdot(abs_dir);
    let base = collapse_dotdot(config_dir);
    let t: Vec<&str> = target.split('/').filter(|p| !p.is_empty()).collect();
    let b: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    let common = t.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<&str> = vec![".."; b.len() - common];
    parts.extend(&t[common..]);
    pathlib::join("%(here)s", &parts.join("/"))
}

/// `os.path.normpath` for absolute paths: `.` and `..` resolved lexically.
fn collapse_dotdot(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

/// Renders a template whose only Mako construct is `${script_location}`.
fn render(template: &[u8], script_location: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(template);
    text.replace("${script_location}", script_location)
        .into_bytes()
}

/// `ScriptDirectory._generate_template` / `_append_template`: the status line
/// (shown under -q too, see above) and the write (appending after two
/// newlines).
fn generate(ui: &mut Ui, dest: &str, text: &[u8], append: bool) -> Result<(), CommandError> {
    let verb = if append {
        "Appending to existing"
    } else {
        "Generating"
    };
    ui.status_unquiet(&format!("{verb} {dest}"), false, |_| {
        let mut file = if append {
            std::fs::OpenOptions::new().append(true).open(dest)
        } else {
            std::fs::File::create(dest)
        }
        .map_err(|e| os_error(&e, dest))?;
        if append {
            file.write_all(b"\n\n").map_err(|e| os_error(&e, dest))?;
        }
        file.write_all(text).map_err(|e| os_error(&e, dest))
    })
}

/// `shutil.copy`: the bytes and the source's permission bits (0644 for an
/// installed template file).
fn copy_file(dest: &str, bytes: &[u8]) -> Result<(), CommandError> {
    std::fs::write(dest, bytes).map_err(|e| os_error(&e, dest))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dest, std::fs::Permissions::from_mode(0o644))
            .map_err(|e| os_error(&e, dest))?;
    }
    Ok(())
}

/// `"tool" in data and "alembic" in data["tool"]`, Python's `in` included.
fn has_tool_alembic(path: &str) -> Result<bool, CommandError> {
    let bytes = std::fs::read(path).map_err(|e| os_error(&e, path))?;
    let data: toml::Table = std::str::from_utf8(&bytes)
        .map_err(|e| e.to_string())
        .and_then(|s| {
            s.parse::<toml::Table>()
                .map_err(|e| e.message().to_string())
        })
        .map_err(|msg| {
            let msg = crate::python::toml_decode_error(Path::new(path)).unwrap_or(msg);
            CommandError::Uncaught(format!("tomllib.TOMLDecodeError: {msg}"))
        })?;
    Ok(match data.get("tool") {
        None => false,
        Some(toml::Value::Table(t)) => t.contains_key("alembic"),
        Some(toml::Value::String(s)) => s.contains("alembic"),
        Some(toml::Value::Array(a)) => a.iter().any(|v| v.as_str() == Some("alembic")),
        Some(other) => {
            return Err(CommandError::Uncaught(format!(
                "TypeError: argument of type '{}' is not iterable",
                match other {
                    toml::Value::Integer(_) => "int",
                    toml::Value::Float(_) => "float",
                    toml::Value::Boolean(_) => "bool",
                    _ => "datetime.datetime",
                }
            )));
        }
    })
}

/// The exception line Python ends with for a failed file operation, e.g.
/// `PermissionError: [Errno 13] Permission denied: '/x'`.
pub(crate) fn os_error(e: &std::io::Error, path: &str) -> CommandError {
    let (class, message) = crate::pyfmt::py_os_error(e, path);
    CommandError::Uncaught(format!("{class}: {message}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn here_relative_paths() {
        assert_eq!(here_relative("/p/migrations", "/p"), "%(here)s/migrations");
        assert_eq!(here_relative("/p", "/p"), "%(here)s");
        assert_eq!(here_relative("/p/a/b", "/p"), "%(here)s/a/b");
        assert_eq!(here_relative("/z", "/p/sub"), "%(here)s/../../z");
        assert_eq!(here_relative("/p/x/../m", "/p"), "%(here)s/m");
    }

    #[test]
    fn renders_script_location() {
        let out = render(b"a = ${script_location}\n%(here)s\n", "%(here)s/m");
        assert_eq!(out, b"a = %(here)s/m\n%(here)s\n");
    }

    #[test]
    fn bundled_templates_are_alembics() {
        let names: Vec<&str> = BUNDLED.iter().map(|b| b.name).collect();
        for (name, _) in super::super::templates::TEMPLATES {
            assert!(names.contains(name), "{name}");
        }
    }
}
