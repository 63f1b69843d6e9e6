//! The embedded CPython host: the only module that touches pyo3.
//!
//! Started once, only by commands that run env.py. It serves its own
//! `alembic` package (python/shim/alembic, compiled in), registers
//! SQLAlchemy dialects whose DB-API is Rust (`db`), and runs the project's
//! env.py exactly as Alembic's `ScriptDirectory.run_env` does.

mod autogen;
mod convert;
mod dbapi;
mod env;
mod error;
mod interp;
mod metadata;
mod module;
mod residency;
mod shim;
mod sqlite_udf;
mod state;
mod static_path;
pub use autogen::{GeneratedScript, generated_scripts};
mod template;
mod tomllib;
mod write_hooks;

pub use env::{CmdArg, CmdOpts, EnvCommand, EnvRun, log_failure, run_env, set_raiseerr};
pub use error::HostError;
pub use interp::PythonEnv;
pub use metadata::{FileFailure, FileMetadata, read_metadata};
pub use state::{RevisionSpec, reloaded_scripts};
pub use template::{ConfigSource, PyOutcome, TemplateSession, TemplateValue};
pub use tomllib::decode_error as toml_decode_error;
pub use write_hooks::invoke_registered as invoke_registered_write_hook;
