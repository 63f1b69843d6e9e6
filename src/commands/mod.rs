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

impl Scripts {
    pub fn load(config: &Config) -> Result<Scripts, CommandError> {
        let settings = config.script_settings()?;
        Scripts::from_settings(std::path::Path::new(&config.here()), settings)
    }

    /// [`Scripts::load`] from settings already read (env.py may change the
    /// version locations: `context.script.version_locations = [...]`);
    /// `project_dir` is where files needing Python are executed from.
    pub fn from_settings(
        project_dir: &std::path::Path,
        settings: crate::config::ScriptSettings,
    ) -> Result<Scripts, CommandError> {
        let prepend = settings.prepend_sys_path.clone();
        let dir = ScriptDirectory::new(settings)?;
        let (results, warnings) = dir.load_scripts_each();
        let mut scripts = python_fallback(project_dir, &prepend, results)?;
        for w in &warnings {
            ui::warn(&w.0);
        }
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
        for w in &map.warnings {
            ui::warn(w);
        }
        Ok(Scripts { dir, scripts, map })
    }

    pub fn script(&self, node: usize) -> &ScriptFile {
        &self.scripts[node]
    }
}

/// Files whose metadata only Python can tell (not a literal, a `.pyc`
/// without source, an exotic encoding) are executed, just those, in the
/// project's Python; everything else stays as read from the syntax tree.
fn python_fallback(
    project_dir: &std::path::Path,
    prepend_sys_path: &[String],
    results: Vec<Result<Script, ScriptError>>,
) -> Result<Vec<Script>, CommandError> {
    let needs = |e: &ScriptError| e.needs_python() && !matches!(e, ScriptError::Syntax { .. });
    let pending: Vec<std::path::PathBuf> = results
        .iter()
        .filter_map(|r| match r {
            Err(e) if needs(e) => e.path().map(|p| p.to_path_buf()),
            _ => None,
        })
        .collect();
    if pending.is_empty() {
        return Ok(results.into_iter().collect::<Result<Vec<_>, _>>()?);
    }
    let mut read =
        crate::python::read_metadata(project_dir, prepend_sys_path, &pending)?.into_iter();
    let mut scripts = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(s) => scripts.push(s),
            Err(e) if needs(&e) => {
                let path = e.path().expect("fallback errors name a file").to_path_buf();
                match read.next() {
                    Some(Ok((revision, longdoc))) => scripts.push(Script {
                        revision,
                        path: path.clone(),
                        longdoc,
                    }),
                    Some(Err(line)) => return Err(CommandError::Failed(line)),
                    None => return Err(e.into()),
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(scripts)
}
