//! alembic-rs: a drop-in replacement for Alembic's command line.
//!
//! The seams mirror Alembic's own (see `docs/architecture.md`):
//! [`config`] reads `alembic.ini`/`pyproject.toml`, [`script`] finds revision
//! files and reads their metadata without running Python, [`revision`] is the
//! pure revision graph (Alembic's `RevisionMap`), [`commands`] implements the
//! sub-commands, [`cli`] parses argv the way Alembic's argparse CLI does, and
//! [`ui`] owns Alembic's messaging rules.

pub mod autogen;
pub mod cli;
pub mod commands;
pub mod config;
pub mod db;
pub mod ddl;
pub mod hooks;
pub mod pyfmt;
pub mod python;
pub mod revision;
pub mod runtime;
pub mod script;
pub mod stack;
pub mod static_ops;
pub mod template;
pub mod ui;
