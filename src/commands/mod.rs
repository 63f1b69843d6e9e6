//! One function per Alembic sub-command, over the seams below them.
//!
//! Errors carry Alembic's wording; `cli` renders them (`FAILED: ...`, exit
//! 255) in one place.

mod catch;
mod format;
mod graph;
mod migrate;
mod templates;

pub use catch::Catch;
pub(crate) use format::Line;
pub(crate) use graph::history_lines;
pub use graph::{branches, heads, history, show};
pub use migrate::{HostOptions, current, downgrade, stamp, upgrade};
pub use templates::list_templates;

use crate::config::{Config, ConfigError};
use crate::revision::{MapError, RevisionMap};
use crate::script::{Script, ScriptDirectory, ScriptError};
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
    #[error(
        "The '{0}' command needs the embedded Python host, which this build of alembic-rs does not have yet; run it with Alembic for now"
    )]
    NotImplemented(&'static str),
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
pub struct Scripts {
    pub dir: ScriptDirectory,
    pub scripts: Vec<Script>,
    pub map: RevisionMap,
}

impl Scripts {
    pub fn load(config: &Config) -> Result<Scripts, CommandError> {
        let dir = ScriptDirectory::new(config.script_settings()?)?;
        let (scripts, warnings) = dir.load_scripts()?;
        for w in &warnings {
            ui::warn(&w.0);
        }
        let map = RevisionMap::new(scripts.iter().map(|s| s.revision.clone()).collect()).map_err(
            |error| {
                let path = map_error_revision(&error)
                    .and_then(|rev| scripts.iter().rev().find(|s| s.revision.revision == rev))
                    .map(|s| s.path.clone());
                CommandError::Map { error, path }
            },
        )?;
        for w in &map.warnings {
            ui::warn(w);
        }
        Ok(Scripts { dir, scripts, map })
    }

    pub fn script(&self, node: usize) -> &Script {
        &self.scripts[node]
    }
}

/// The revision whose file an error should point at, when there is one.
fn map_error_revision(error: &MapError) -> Option<&str> {
    match error {
        MapError::MissingRevision { revision, .. }
        | MapError::MissingDependency { revision, .. }
        | MapError::BranchNameUsed { revision, .. }
        | MapError::IllegalCharacters { revision, .. } => Some(revision),
        MapError::Cycle { revisions, .. } if revisions.len() == 1 => Some(&revisions[0]),
        MapError::Cycle { .. } => None,
    }
}
