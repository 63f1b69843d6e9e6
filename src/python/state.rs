//! What the running command hands to Python callbacks: the loaded scripts
//! and the command's target. One command per process, so a `OnceLock`.

use std::sync::OnceLock;

use crate::commands::Scripts;

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
    pub scripts: Scripts,
    pub command: EnvCommand,
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
