//! What can go wrong in the host, for the CLI to render once.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// No usable interpreter: the message says what to fix.
    #[error("{0}")]
    NoPython(String),
    #[error(
        "The virtualenv at {venv} is Python {found}, but this alembic-rs embeds Python {embedded}; recreate the virtualenv with Python {embedded}"
    )]
    VersionMismatch {
        venv: PathBuf,
        found: String,
        embedded: String,
    },
    #[error(
        "SQLAlchemy is not importable from {python} ({detail}); alembic-rs needs SQLAlchemy 2.x in the project's virtualenv: pip install 'sqlalchemy>=2'"
    )]
    NoSqlAlchemy { python: String, detail: String },
    #[error(
        "{python} has SQLAlchemy {version}; alembic-rs, like Alembic 1.20, needs SQLAlchemy 2.x in the project's virtualenv: pip install 'sqlalchemy>=2'"
    )]
    OldSqlAlchemy { python: String, version: String },
    #[error("The Python interpreter failed to start: {0}")]
    Init(String),
    /// Alembic's `CommandError` raised inside env.py: `FAILED: <message>`.
    #[error("{0}")]
    Command(String),
    /// Any other Python exception: its traceback was already printed.
    #[error("uncaught Python exception")]
    Uncaught,
    /// `SystemExit` (`sys.exit()` in env.py or a migration, `util.err`):
    /// the process ends with the status Python gives it, anything to print
    /// already printed.
    #[error("SystemExit({0})")]
    Exit(i32),
}
