//! One function per Alembic sub-command, over the seams below them.
//!
//! Errors carry Alembic's wording; `cli` renders them (`FAILED: ...`, exit
//! 255) in one place.

mod catch;
mod edit;
mod ensure_version;
mod format;
mod graph;
mod init;
mod migrate;
mod revision;
mod templates;

pub use catch::Catch;
pub use edit::{edit, open_in_editor};
pub use ensure_version::ensure_version;
pub(crate) use format::Line;
pub(crate) use graph::history_lines;
pub use graph::{branches, heads, history, show};
pub use init::init;
pub(crate) use init::os_error;
pub use migrate::{HostOptions, check, current, downgrade, stamp, upgrade};
pub use revision::{MergeArgs, RevisionArgs, merge, revision};
pub use templates::list_templates;

use crate::config::{Config, ConfigError};
use crate::revision::{MapError, RevisionMap};
use crate::script::{Script, ScriptDirectory, ScriptError, ScriptFile};
use crate::ui;

/// What a command can fail with.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Script(#[from] ScriptError),
    #[error("{error}{}", path_note(.path))]
    Map {
        error: MapError,
        path: Option<std::path::PathBuf>,
    },
    /// Alembic's `CommandError`, already worded.
    #[error("{0}")]
    Failed(String),
    /// A `CommandError` Alembic raises `from` the revision map's error
    /// (`ScriptDirectory._catch_revision_errors`): the same message, and a
    /// `--raiseerr` traceback that shows the cause first.
    #[error("{message}")]
    Revision {
        message: String,
        cause: crate::revision::RevisionError,
    },
    /// From the Python host: a `CommandError` raised in env.py, a Python
    /// exception (its traceback already printed), or no usable interpreter.
    #[error(transparent)]
    Host(#[from] crate::python::HostError),
    /// Where Alembic dies with an uncaught Python exception (exit 1), e.g.
    /// `AttributeError: 'NoneType' object has no attribute 'log_entry'`.
    #[error("{0}")]
    Uncaught(String),
}

fn path_note(path: &Option<std::path::PathBuf>) -> String {
    match path {
        Some(p) => format!(" (in {})", p.display()),
        None => String::new(),
    }
}

/// The script directory with every revision loaded and the graph built:
/// what Alembic's `ScriptDirectory.from_config` + `revision_map` give.
/// File `i` is node `i` of the map, which owns the graph metadata.
pub struct Scripts {
    pub dir: ScriptDirectory,
    pub scripts: Vec<ScriptFile>,
    pub map: RevisionMap,
}

/// The revisions of an env.py command, read but not yet reported on.
///
/// Alembic builds its revision map on first use, inside env.py (after
/// `fileConfig` and the "Context impl" lines), so that is where its
/// warnings (`File ... loaded twice!`, duplicate ids) and a broken graph's
/// error appear, the error as `ERROR [alembic.util.messaging] ...` through
/// the project's logging, then `FAILED:`. alembic-rs reads the files up
/// front (the static path needs them) and the host reports what it found
/// when Python first asks for the map; an env.py that never asks reports
/// nothing, as in Alembic.
pub struct OnDemand {
    pub dir: ScriptDirectory,
    pub loaded: Result<Scripts, CommandError>,
    /// Not yet shown: each becomes a Python `UserWarning`.
    pub warnings: Vec<String>,
}

/// Scripts already loaded and reported (commands that read the graph
/// before env.py runs).
impl From<Scripts> for OnDemand {
    fn from(scripts: Scripts) -> OnDemand {
        OnDemand {
            dir: scripts.dir.clone(),
            loaded: Ok(scripts),
            warnings: Vec::new(),
        }
    }
}

impl Scripts {
    pub fn load(config: &Config) -> Result<Scripts, CommandError> {
        let settings = config.script_settings()?;
        Scripts::from_settings(std::path::Path::new(&config.here()), settings)
    }

    /// [`Scripts::load`] with what reading the files finds (warnings, a
    /// broken graph) kept for env.py's first use of the map: see
    /// [`OnDemand`]. A missing script directory still fails here, before
    /// env.py, as Alembic's `ScriptDirectory.from_config` does.
    pub fn load_on_demand(config: &Config) -> Result<OnDemand, CommandError> {
        let settings = config.script_settings()?;
        Scripts::read(std::path::Path::new(&config.here()), settings)
    }

    /// [`Scripts::load`] from settings already read (env.py may change the
    /// version locations: `context.script.version_locations = [...]`);
    /// `project_dir` is where files needing Python are executed from.
    pub fn from_settings(
        project_dir: &std::path::Path,
        settings: crate::config::ScriptSettings,
    ) -> Result<Scripts, CommandError> {
        let read = Scripts::read(project_dir, settings)?;
        for w in &read.warnings {
            ui::warn(w);
        }
        read.loaded
    }

    fn read(
        project_dir: &std::path::Path,
        settings: crate::config::ScriptSettings,
    ) -> Result<OnDemand, CommandError> {
        let prepend = settings.prepend_sys_path.clone();
        let dir = ScriptDirectory::new(settings)?;
        let (results, load_warnings) = dir.load_scripts_each();
        let mut warnings: Vec<String> = load_warnings.into_iter().map(|w| w.0).collect();
        let loaded = Scripts::build(dir.clone(), project_dir, &prepend, results);
        if let Ok(scripts) = &loaded {
            warnings.extend(scripts.map.warnings.iter().cloned());
        }
        Ok(OnDemand {
            dir,
            loaded,
            warnings,
        })
    }

    fn build(
        dir: ScriptDirectory,
        project_dir: &std::path::Path,
        prepend: &[String],
        results: Vec<Result<Script, ScriptError>>,
    ) -> Result<Scripts, CommandError> {
        let mut scripts = python_fallback(project_dir, prepend, results)?;
        // The revisions move into the map rather than being copied.
        let revisions = scripts.iter_mut().map(|s| std::mem::take(&mut s.revision));
        let map = RevisionMap::build(revisions).map_err(|failure| CommandError::Map {
            path: failure.node.map(|i| scripts[i].path.clone()),
            error: failure.error,
        })?;
        let scripts = scripts
            .into_iter()
            .map(|s| ScriptFile {
                path: s.path,
                longdoc: s.longdoc,
            })
            .collect();
        Ok(Scripts { dir, scripts, map })
    }

    pub fn script(&self, node: usize) -> &ScriptFile {
        &self.scripts[node]
    }
}

/// Files whose metadata only Python can tell (not a literal, a `.pyc`
/// without source, an exotic encoding) are executed, just those, in the
/// project's Python; everything else stays as read from the syntax tree.
///
/// A syntax error is Python's to confirm too: the project's Python may be
/// newer than the grammar rustpython knows (3.12's f-strings, 3.14's
/// t-strings inside the statements metadata is read from), and Alembic
/// imports what that Python compiles. When Python also refuses the file,
/// or no Python is found (graph commands must work without the project's
/// environment), the error stays the one naming the file and line.
fn python_fallback(
    project_dir: &std::path::Path,
    prepend_sys_path: &[String],
    results: Vec<Result<Script, ScriptError>>,
) -> Result<Vec<Script>, CommandError> {
    let pending: Vec<std::path::PathBuf> = results
        .iter()
        .filter_map(|r| match r {
            Err(e) if e.needs_python() => e.path().map(|p| p.to_path_buf()),
            _ => None,
        })
        .collect();
    if pending.is_empty() {
        return Ok(results.into_iter().collect::<Result<Vec<_>, _>>()?);
    }
    let read = match crate::python::read_metadata(project_dir, prepend_sys_path, &pending) {
        Ok(read) => read,
        Err(host) => {
            // Without Python a syntax error stands as rustpython found it;
            // metadata only executing the file can tell is the host's failure.
            let needs_execution = results.iter().any(|r| {
                matches!(r, Err(e) if e.needs_python() && !matches!(e, ScriptError::Syntax { .. }))
            });
            if needs_execution {
                return Err(host.into());
            }
            return Ok(results.into_iter().collect::<Result<Vec<_>, _>>()?);
        }
    };
    let mut read = read.into_iter();
    let mut scripts = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(s) => scripts.push(s),
            Err(e) if e.needs_python() => {
                let path = e.path().expect("fallback errors name a file").to_path_buf();
                match read.next() {
                    Some(Ok((revision, longdoc))) => scripts.push(Script {
                        revision,
                        path: path.clone(),
                        longdoc,
                    }),
                    Some(Err(failure))
                        if failure.syntax && matches!(e, ScriptError::Syntax { .. }) =>
                    {
                        return Err(e.into());
                    }
                    Some(Err(failure)) => return Err(CommandError::Failed(failure.line)),
                    None => return Err(e.into()),
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(scripts)
}
