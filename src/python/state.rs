//! What the running command hands to Python callbacks: the loaded scripts
//! and the command's target. One command per process, so a `OnceLock`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

use pyo3::prelude::*;

use crate::commands::{CommandError, OnDemand, Scripts};

/// The command whose env.py is running, with what its `fn` needs.
#[derive(Debug, Clone)]
pub enum EnvCommand {
    Upgrade {
        destination: String,
    },
    Downgrade {
        destination: String,
    },
    Stamp {
        destinations: Vec<String>,
    },
    Current {
        verbose: bool,
        check_heads: bool,
    },
    /// `history` with the database consulted; `base`/`head` as split from
    /// `-r` (empty when not given).
    History {
        base: String,
        head: String,
        verbose: bool,
        indicate_current: bool,
    },
    ShowCurrent,
    /// `edit current`: each current revision opens in the editor.
    EditCurrent,
    /// `ensure_version`: only the version table is created.
    EnsureVersion,
    /// `revision` with `--autogenerate` or `revision_environment`: env.py
    /// fills a RevisionContext; Rust writes the files afterwards.
    Revision(RevisionSpec),
    /// `merge` under `revision_environment`: env.py runs, nothing migrates.
    Merge,
    /// `check`: autogenerate in memory, fail on differences.
    Check,
}

/// `command.revision`'s `command_args`, as Alembic builds them.
#[derive(Debug, Clone, Default)]
pub struct RevisionSpec {
    pub message: Option<String>,
    pub autogenerate: bool,
    pub sql: bool,
    pub head: String,
    pub splice: bool,
    pub branch_label: Option<String>,
    pub version_path: Option<String>,
    pub rev_id: Option<String>,
    pub depends_on: Option<Vec<String>>,
}

pub struct HostState {
    /// The revisions as read before env.py ran; reported on first use.
    pub scripts: OnDemand,
    pub command: EnvCommand,
    /// Where files whose metadata needs Python are executed from (a reload).
    pub project_dir: std::path::PathBuf,
}

static STATE: OnceLock<HostState> = OnceLock::new();

pub fn set(state: HostState) {
    if STATE.set(state).is_err() {
        panic!("the Python host runs one command per process");
    }
}

pub fn get() -> &'static HostState {
    STATE.get().expect("host state is set before env.py runs")
}

/// The scripts env.py's version-location change loaded instead of
/// `HostState::scripts` (leaked: one command per process, and answers
/// handed out earlier stay valid).
static RELOADED: Mutex<Option<&'static Scripts>> = Mutex::new(None);
/// Whether Python has asked anything of the revision map yet.
static MAP_USED: AtomicBool = AtomicBool::new(false);

/// The loaded scripts and graph, as Python sees them (marks the map used).
/// The first call shows the warnings reading them gave, as Python
/// `UserWarning`s (filters apply); a graph that could not be built is a
/// `CommandError` on every call, as Alembic's map raises on each access.
pub fn scripts(py: Python<'_>) -> PyResult<&'static Scripts> {
    let first = !MAP_USED.swap(true, Ordering::Relaxed);
    let reloaded = *RELOADED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(scripts) = reloaded {
        return Ok(scripts);
    }
    let on_demand = &get().scripts;
    if first {
        for message in &on_demand.warnings {
            super::module::warn_user(py, message)?;
        }
    }
    on_demand.loaded.as_ref().map_err(|e| {
        let again = match e {
            CommandError::Uncaught(line) => CommandError::Uncaught(line.clone()),
            other => CommandError::Failed(other.to_string()),
        };
        super::module::command_error(py, again)
    })
}

/// The scripts env.py's version-location change loaded, if it made one
/// (`revision` under `revision_environment` then writes where Alembic's
/// relocated `ScriptDirectory` writes, against that graph's heads).
pub fn reloaded_scripts() -> Option<&'static Scripts> {
    *RELOADED.lock().unwrap_or_else(|e| e.into_inner())
}

/// The scripts answering from now on, as Alembic's lazily built
/// `ScriptDirectory.revision_map` sees a `version_locations` assignment
/// made in env.py: only before the map was first used (`false` = too
/// late, nothing changed).
pub fn replace_scripts(
    load: impl FnOnce() -> Result<Scripts, crate::commands::CommandError>,
) -> Result<bool, crate::commands::CommandError> {
    if MAP_USED.load(Ordering::Relaxed) {
        return Ok(false);
    }
    let scripts: &'static Scripts = Box::leak(Box::new(load()?));
    *RELOADED.lock().unwrap_or_else(|e| e.into_inner()) = Some(scripts);
    Ok(true)
}
