//! Alembic's `ScriptDirectory`: find the revision files and read their
//! metadata from the syntax tree, never executing Python.
//!
//! STUB: the real implementation replaces this file (keep the public API).

use std::path::PathBuf;

use crate::config::{ConfigError, ScriptSettings};
use crate::revision::Revision;

#[derive(Debug, thiserror::Error)]
pub enum ScriptError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Other(String),
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

impl Script {
    /// First paragraph of the docstring (Alembic's `Script.doc`).
    pub fn doc(&self) -> &str {
        match self.longdoc.find("\n\n") {
            Some(i) => &self.longdoc[..i],
            None => &self.longdoc,
        }
    }
}

/// A non-fatal problem found while loading (Alembic emits these as `UserWarning`s).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadWarning(pub String);

#[derive(Debug, Clone)]
pub struct ScriptDirectory {
    pub settings: ScriptSettings,
}

impl ScriptDirectory {
    /// Checks the directory exists (`Path doesn't exist: ...`).
    pub fn new(settings: ScriptSettings) -> Result<Self, ScriptError> {
        Ok(ScriptDirectory { settings })
    }

    /// Every revision file, in Alembic's load order.
    pub fn load_scripts(&self) -> Result<(Vec<Script>, Vec<LoadWarning>), ScriptError> {
        Ok((Vec::new(), Vec::new()))
    }
}
