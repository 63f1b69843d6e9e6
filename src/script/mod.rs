//! Alembic's `ScriptDirectory`: find the revision files and read their
//! metadata from the source, never executing Python.
//!
//! * `discover`: which files, in which order (`_load_revisions`,
//!   `Script._list_py_dir`, `Script._from_path`'s name rules).
//! * `read`: the files read in parallel with few system calls.
//! * `cache`: the metadata of unchanged files from a persistent cache
//!   (keyed by path, size, mtime, ctime, inode), so that a warm run does
//!   not read or parse them.
//! * `scan`: a fast string- and bracket-aware scan that finds the module
//!   docstring and the top-level statements binding `revision`,
//!   `down_revision`, `branch_labels`, `depends_on` (and `__doc__`).
//! * `literal` / `metadata`: those statements evaluated, by a fast reader
//!   for the usual shapes and rustpython-parser for the rest (only the
//!   statements, never the whole file).
//!
//! Results come back in Alembic's load order. A file whose metadata is
//! computed (not a literal), or a sourceless `.pyc`, is an error for which
//! [`ScriptError::needs_python`] is true: the caller may answer it by
//! executing that one file ([`ScriptDirectory::load_scripts_each`] gives the
//! result of every file).

mod cache;
mod discover;
mod literal;
mod mapped;
mod metadata;
mod read;
mod scan;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use crate::config::{ConfigError, ScriptSettings};
use crate::revision::Revision;

pub use cache::CacheReport;
pub(crate) use cache::{build_id, shim_code_dir, side_file, stamp_of, write_side_file};
pub use discover::RevisionFile;
pub(crate) use read::Stamp;

#[derive(Debug, thiserror::Error)]
pub enum ScriptError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// `script_location` does not exist.
    #[error(
        "Path doesn't exist: {0}.  Please use the 'init' command to create a new scripts folder."
    )]
    PathDoesNotExist(String),
    /// No `revision` variable and not a legacy `<hex>.py` file name.
    #[error(
        "Could not determine revision id from filename {filename}. Be sure the 'revision' variable is declared inside the script (please see 'Upgrading from Alembic 0.1 to 0.2' in the documentation)."
    )]
    NoRevisionId { filename: String, path: PathBuf },
    /// No `down_revision` variable (Alembic dies with this `AttributeError`).
    #[error("{}: module '{module}' has no attribute 'down_revision'", .path.display())]
    NoDownRevision { path: PathBuf, module: String },
    /// The value is only known by running the module.
    #[error(
        "{}:{line}: revision metadata '{name}' {reason}; alembic-rs cannot read it without running Python",
        .path.display()
    )]
    NotLiteral {
        path: PathBuf,
        line: u32,
        name: &'static str,
        reason: &'static str,
    },
    /// A literal of a type Alembic does not expect.
    #[error(
        "{}:{line}: revision metadata '{name}' must be {expected}, not {got}; alembic-rs cannot read it without running Python",
        .path.display()
    )]
    BadValue {
        path: PathBuf,
        line: u32,
        name: &'static str,
        expected: &'static str,
        got: &'static str,
    },
    /// The file (or the part of it holding the metadata) does not parse.
    #[error("{}:{line}: syntax error: {message}", .path.display())]
    Syntax {
        path: PathBuf,
        line: u32,
        message: String,
    },
    #[error("could not read revision file {}: {source}", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Bytes that are not valid in the file's encoding.
    #[error("{}: cannot decode the source: {message}", .path.display())]
    Decode { path: PathBuf, message: String },
    /// A coding cookie naming an encoding alembic-rs does not decode.
    #[error("{}: {message}; alembic-rs cannot read it without running Python", .path.display())]
    UnsupportedEncoding { path: PathBuf, message: String },
    /// A `.pyc`/`.pyo` file without its source (`sourceless = true`).
    #[error(
        "{}: sourceless revision file (compiled bytecode, no .py source); alembic-rs cannot read it without running Python",
        .path.display()
    )]
    Sourceless { path: PathBuf },
    #[error("{0}")]
    Other(String),
}

impl ScriptError {
    /// True when executing the file with Python would give the answer
    /// (computed metadata, sourceless files, syntax rustpython rejects, ...).
    pub fn needs_python(&self) -> bool {
        matches!(
            self,
            ScriptError::NotLiteral { .. }
                | ScriptError::BadValue { .. }
                | ScriptError::Syntax { .. }
                | ScriptError::UnsupportedEncoding { .. }
                | ScriptError::Sourceless { .. }
        )
    }

    /// The revision file the error is about, if any.
    pub fn path(&self) -> Option<&Path> {
        match self {
            ScriptError::NoRevisionId { path, .. }
            | ScriptError::NoDownRevision { path, .. }
            | ScriptError::NotLiteral { path, .. }
            | ScriptError::BadValue { path, .. }
            | ScriptError::Syntax { path, .. }
            | ScriptError::Read { path, .. }
            | ScriptError::Decode { path, .. }
            | ScriptError::UnsupportedEncoding { path, .. }
            | ScriptError::Sourceless { path } => Some(path),
            _ => None,
        }
    }
}

/// One revision file: its graph metadata plus what the CLI prints about it.
#[derive(Debug, Clone)]
pub struct Script {
    pub revision: Revision,
    /// Resolved absolute path (Alembic prints `Path.resolve()`).
    pub path: PathBuf,
    /// The module docstring, `.strip()`ped (Alembic's `Script.longdoc`).
    pub longdoc: String,
}

/// A loaded revision file once its graph metadata has moved into the
/// revision map: what the commands print about it besides the graph.
#[derive(Debug, Clone)]
pub struct ScriptFile {
    /// Resolved absolute path (Alembic prints `Path.resolve()`).
    pub path: PathBuf,
    /// The module docstring, `.strip()`ped (Alembic's `Script.longdoc`).
    pub longdoc: String,
}

impl ScriptFile {
    /// First paragraph of the docstring (Alembic's `Script.doc`).
    pub fn doc(&self) -> &str {
        first_paragraph(&self.longdoc)
    }
}

/// Up to the first blank line. A byte scan; `str::find` sets up a
/// substring searcher per call, which `history` pays 10,000 times.
fn first_paragraph(longdoc: &str) -> &str {
    match longdoc.as_bytes().windows(2).position(|w| w == b"\n\n") {
        Some(i) => &longdoc[..i],
        None => longdoc,
    }
}

impl Script {
    /// First paragraph of the docstring (Alembic's `Script.doc`).
    pub fn doc(&self) -> &str {
        first_paragraph(&self.longdoc)
    }

    /// Reads one revision file (`Script._from_path` after the name checks).
    pub fn from_file(file: &RevisionFile) -> Result<Script, ScriptError> {
        if file.sourceless {
            return Err(ScriptError::Sourceless {
                path: file.path.clone(),
            });
        }
        let bytes = read::read_file(&file.path).map_err(|source| ScriptError::Read {
            path: file.path.clone(),
            source,
        })?;
        Script::from_source(&file.path, &bytes)
    }

    /// Reads revision metadata from a file's bytes; `path` is the resolved
    /// path (its file name decides the legacy revision id).
    pub fn from_source(path: &Path, bytes: &[u8]) -> Result<Script, ScriptError> {
        let src = metadata::decode(bytes).map_err(|e| match e {
            metadata::DecodeError::Invalid(message) => ScriptError::Decode {
                path: path.to_path_buf(),
                message,
            },
            metadata::DecodeError::Unsupported(message) => ScriptError::UnsupportedEncoding {
                path: path.to_path_buf(),
                message,
            },
        })?;
        let meta = metadata::extract(&src).map_err(|e| {
            let path = path.to_path_buf();
            let line = e.line;
            match e.kind {
                metadata::MetaErrorKind::Syntax(message) => ScriptError::Syntax {
                    path,
                    line,
                    message,
                },
                metadata::MetaErrorKind::NotLiteral { name, reason } => ScriptError::NotLiteral {
                    path,
                    line,
                    name,
                    reason,
                },
                metadata::MetaErrorKind::BadValue {
                    name,
                    expected,
                    got,
                } => ScriptError::BadValue {
                    path,
                    line,
                    name,
                    expected,
                    got,
                },
            }
        })?;
        let filename = || {
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        let revision = match meta.revision {
            Some(r) => r,
            None => match discover::legacy_rev(&filename()) {
                Some(r) => r.to_string(),
                None => {
                    return Err(ScriptError::NoRevisionId {
                        filename: filename(),
                        path: path.to_path_buf(),
                    });
                }
            },
        };
        let Some(down_revision) = meta.down_revision else {
            return Err(ScriptError::NoDownRevision {
                path: path.to_path_buf(),
                module: module_id(&filename()),
            });
        };
        Ok(Script {
            revision: Revision {
                revision,
                down_revision,
                dependencies: meta.depends_on,
                branch_labels: meta.branch_labels,
            },
            path: path.to_path_buf(),
            longdoc: meta.longdoc,
        })
    }
}

/// The module name Alembic gives a revision file: `re.sub(r"\W", "_", filename)`.
fn module_id(filename: &str) -> String {
    filename
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A non-fatal problem found while loading (Alembic emits these as `UserWarning`s).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadWarning(pub String);

#[derive(Debug, Clone)]
pub struct ScriptDirectory {
    pub settings: ScriptSettings,
    version_locations: Vec<PathBuf>,
}

impl ScriptDirectory {
    /// Checks the directory exists (`Path doesn't exist: ...`) and works out
    /// the version locations.
    pub fn new(settings: ScriptSettings) -> Result<Self, ScriptError> {
        if !settings.script_location.exists() {
            return Err(ScriptError::PathDoesNotExist(
                settings.script_location.display().to_string(),
            ));
        }
        let cwd = std::env::current_dir().map_err(|e| {
            ScriptError::Other(format!("cannot determine the current directory: {e}"))
        })?;
        let version_locations = if settings.version_locations.is_empty() {
            vec![discover::absolute(
                &settings.script_location.join("versions"),
                &cwd,
            )]
        } else {
            settings
                .version_locations
                .iter()
                .map(|p| discover::absolute(p, &cwd))
                .collect()
        };
        Ok(ScriptDirectory {
            settings,
            version_locations,
        })
    }

    /// The script directory (`script_location`), as configured.
    pub fn dir(&self) -> &Path {
        &self.settings.script_location
    }

    /// The absolute version locations (Alembic's `_version_locations`),
    /// whether or not they exist.
    pub fn version_locations(&self) -> &[PathBuf] {
        &self.version_locations
    }

    /// The revision files in Alembic's load order (existing locations only),
    /// and the "loaded twice" warnings.
    pub fn discover(&self) -> (Vec<RevisionFile>, Vec<LoadWarning>) {
        discover::discover(
            &self.version_locations,
            self.settings.recursive_version_locations,
            self.settings.sourceless,
        )
    }

    /// Every revision file read (in parallel), each with its own result, in
    /// load order: for a caller that falls back to Python per file.
    pub fn load_scripts_each(&self) -> (Vec<Result<Script, ScriptError>>, Vec<LoadWarning>) {
        let (results, warnings, _) = self.load_scripts_report();
        (results, warnings)
    }

    /// [`ScriptDirectory::load_scripts_each`], and what the metadata cache
    /// (`cache`) did.
    pub fn load_scripts_report(
        &self,
    ) -> (
        Vec<Result<Script, ScriptError>>,
        Vec<LoadWarning>,
        CacheReport,
    ) {
        // the cache file is read while the directories are listed
        let ((files, warnings), cache) = rayon::join(
            || self.discover(),
            || cache::Cache::open(&self.version_locations),
        );
        let (results, report) = cache::map_files(cache, files, |file, contents| match contents {
            None => Err(ScriptError::Sourceless {
                path: file.path.clone(),
            }),
            Some(Err(source)) => Err(ScriptError::Read {
                path: file.path.clone(),
                source,
            }),
            Some(Ok(bytes)) => Script::from_source(&file.path, bytes),
        });
        (results, warnings, report)
    }

    /// Every revision file, in Alembic's load order; the first file (in that
    /// order) that cannot be read is the error.
    pub fn load_scripts(&self) -> Result<(Vec<Script>, Vec<LoadWarning>), ScriptError> {
        let (results, warnings) = self.load_scripts_each();
        let scripts = results.into_iter().collect::<Result<Vec<_>, _>>()?;
        Ok((scripts, warnings))
    }
}
