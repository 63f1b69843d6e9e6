//! Alembic's `Config`: `alembic.ini` read with Python configparser semantics,
//! plus `[tool.alembic]` from `pyproject.toml` (Alembic 1.16+).
//!
//! STUB: the real implementation replaces this file (keep the public API).

use std::path::{Path, PathBuf};

/// Errors a user can cause through configuration; messages use Alembic's wording.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("No 'script_location' key found in configuration.")]
    NoScriptLocation,
    #[error("{0}")]
    Other(String),
}

/// The settings that shape script discovery and revision writing
/// (`ScriptDirectory.from_config` in Alembic), already interpolated.
#[derive(Debug, Clone)]
pub struct ScriptSettings {
    /// `script_location` after `package:path` resolution, as Alembic would print it.
    pub script_location: PathBuf,
    /// `version_locations` split per `path_separator` rules; empty when unset.
    pub version_locations: Vec<PathBuf>,
    pub recursive_version_locations: bool,
    pub sourceless: bool,
    pub file_template: String,
    pub truncate_slug_length: usize,
    pub timezone: Option<String>,
    pub prepend_sys_path: Vec<String>,
    pub revision_environment: bool,
    pub output_encoding: String,
}

/// A loaded configuration: the ini file (possibly absent) and the toml file (possibly absent).
#[derive(Debug, Clone)]
pub struct Config {
    pub config_file_name: PathBuf,
    pub toml_file_name: PathBuf,
    pub config_ini_section: String,
}

impl Config {
    /// Mirrors `alembic.config.Config(file_=ini, toml_file=toml, ini_section=section)`.
    /// A missing ini or toml file is not an error (Alembic treats it as empty).
    pub fn load(ini: &Path, toml: &Path, ini_section: &str) -> Result<Config, ConfigError> {
        Ok(Config {
            config_file_name: ini.to_path_buf(),
            toml_file_name: toml.to_path_buf(),
            config_ini_section: ini_section.to_string(),
        })
    }

    /// `Config.get_main_option`: the main ini section only, interpolated.
    pub fn get_main_option(&self, _name: &str) -> Result<Option<String>, ConfigError> {
        Ok(None)
    }

    /// `ScriptDirectory.from_config`'s reading of the settings.
    pub fn script_settings(&self) -> Result<ScriptSettings, ConfigError> {
        Err(ConfigError::NoScriptLocation)
    }
}
