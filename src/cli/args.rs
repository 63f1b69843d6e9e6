//! The parsed command line: what Alembic's argparse `Namespace` holds after
//! `CommandLine.parser.parse_args()`, as Rust types.
//!
//! Values are exactly what reaches the `alembic.command.*` function in
//! Python: an option that was not given is `None`/`false`/empty, *not* the
//! default written in the function signature (argparse defaults win, and
//! Alembic's `_KWARGS_OPTS` only sets a default for `--template`). Where the
//! command function then substitutes its own default, the field says so.

/// Options of the top-level parser; they are only recognised *before* the
/// sub-command name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlobalOptions {
    /// `-c/--config` (`action="append"`), in command-line order. Empty when
    /// not given (Python: `None`); the caller then falls back to
    /// `$ALEMBIC_CONFIG` / `alembic.ini` as `CommandLine._inis_from_config`
    /// does.
    pub config: Vec<String>,
    /// `-n/--name`, the ini section; `"alembic"` when not given.
    pub name: String,
    /// `-x` (`action="append"`), in order; empty when not given (Python:
    /// `None`, so `context.get_x_argument()` returns `[]`).
    pub x: Vec<String>,
    /// `--raiseerr`.
    pub raiseerr: bool,
    /// `-q/--quiet`.
    pub quiet: bool,
}

impl Default for GlobalOptions {
    fn default() -> Self {
        GlobalOptions {
            config: Vec::new(),
            name: "alembic".to_string(),
            x: Vec::new(),
            raiseerr: false,
            quiet: false,
        }
    }
}

/// One variant per public function of `alembic.command`, with the
/// arguments `CommandLine.run_cmd` passes to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandArgs {
    /// `init directory [-t TEMPLATE] [--package]`.
    Init {
        directory: String,
        /// `-t/--template`; the only option with an argparse default:
        /// `"generic"`.
        template: String,
        package: bool,
    },
    /// `list_templates`.
    ListTemplates,
    /// `revision`.
    Revision {
        /// `-m/--message`; `None` when not given (the template then renders
        /// `None`-ish text, as Alembic does).
        message: Option<String>,
        autogenerate: bool,
        sql: bool,
        /// `--head`. `None` when not given: argparse has no default for
        /// it, so Alembic calls `command.revision(..., head=None)` even
        /// though the signature says `head="head"`. `None` is what a
        /// `process_revision_directives` hook sees in
        /// `MigrationScript.head`; `ScriptDirectory.generate_revision` then
        /// treats `None` as `"head"`.
        head: Option<String>,
        splice: bool,
        /// `--branch-label`: one string as given (not split on commas).
        branch_label: Option<String>,
        version_path: Option<String>,
        rev_id: Option<String>,
        /// `--depends-on` (`action="append"`), in order; empty when not
        /// given (Python: `None`).
        depends_on: Vec<String>,
    },
    /// `merge revisions... [-m] [--branch-label] [--rev-id] [--splice]`.
    Merge {
        /// One or more (`nargs="+"`).
        revisions: Vec<String>,
        message: Option<String>,
        branch_label: Option<String>,
        rev_id: Option<String>,
        splice: bool,
    },
    /// `upgrade revision [--sql] [--tag TAG]`.
    Upgrade {
        revision: String,
        sql: bool,
        tag: Option<String>,
    },
    /// `downgrade revision [--sql] [--tag TAG]`.
    Downgrade {
        revision: String,
        sql: bool,
        tag: Option<String>,
    },
    /// `current [-c/--check-heads] [-v]`.
    Current { check_heads: bool, verbose: bool },
    /// `history [-r RANGE] [-v] [-i]`.
    History {
        /// `-r/--rev-range`; `None` when not given.
        rev_range: Option<String>,
        verbose: bool,
        indicate_current: bool,
    },
    /// `heads [-v] [--resolve-dependencies]`.
    Heads {
        verbose: bool,
        resolve_dependencies: bool,
    },
    /// `branches [-v]`.
    Branches { verbose: bool },
    /// `show rev`.
    Show { rev: String },
    /// `stamp revisions... [--sql] [--tag TAG] [--purge]` (Alembic renames
    /// the positional `revision` to `revisions`, `nargs="+"`; the list is
    /// passed as `revision`).
    Stamp {
        revisions: Vec<String>,
        sql: bool,
        tag: Option<String>,
        purge: bool,
    },
    /// `edit rev`.
    Edit { rev: String },
    /// `ensure_version [--sql]`.
    EnsureVersion { sql: bool },
    /// `check`.
    Check,
}

impl CommandArgs {
    /// The sub-command name as typed on the command line (the Python
    /// function name).
    pub fn name(&self) -> &'static str {
        match self {
            CommandArgs::Init { .. } => "init",
            CommandArgs::ListTemplates => "list_templates",
            CommandArgs::Revision { .. } => "revision",
            CommandArgs::Merge { .. } => "merge",
            CommandArgs::Upgrade { .. } => "upgrade",
            CommandArgs::Downgrade { .. } => "downgrade",
            CommandArgs::Current { .. } => "current",
            CommandArgs::History { .. } => "history",
            CommandArgs::Heads { .. } => "heads",
            CommandArgs::Branches { .. } => "branches",
            CommandArgs::Show { .. } => "show",
            CommandArgs::Stamp { .. } => "stamp",
            CommandArgs::Edit { .. } => "edit",
            CommandArgs::EnsureVersion { .. } => "ensure_version",
            CommandArgs::Check => "check",
        }
    }
}

/// What [`crate::cli::argparse::parse_args`] decided.
// One value per process, moved once: boxing `Run` would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseOutcome {
    /// Run this command; the third part is the whole namespace, which
    /// env.py sees as `config.cmd_opts`.
    Run(GlobalOptions, CommandArgs, crate::python::CmdOpts),
    /// Stop here: print `stdout` and `stderr` verbatim (each is either
    /// empty or ends with a newline) and exit with `code`: 0 for
    /// `-h/--help` and `--version` (text on stdout), 2 for usage errors
    /// (usage line(s) + `PROG: error: ...` on stderr).
    Exit {
        stdout: String,
        stderr: String,
        code: i32,
    },
}
