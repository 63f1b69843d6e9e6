//! Alembic's `Config`: `alembic.ini` read with Python configparser semantics,
//! plus `[tool.alembic]` from `pyproject.toml` (Alembic 1.16+).
//!
//! Alembic reads both files lazily, so a broken file only matters to the
//! commands that look at it (`list_templates` works with a malformed ini).
//! [`Config::load`] therefore never fails on file contents: it keeps the
//! outcome of reading each file and every accessor reports it on use.
//!
//! Split by job: [`ini`] is configparser, [`pyproject`] is the toml side,
//! [`settings`] turns both into [`ScriptSettings`] the way
//! `ScriptDirectory.from_config` does, [`resource`] resolves `package:path`
//! locations, and [`pathlib`], [`percent`], [`pystr`] reproduce the Python
//! built-ins whose quirks show through.

pub mod ini;
pub(crate) mod pathlib;
mod percent;
pub mod pyproject;
mod pystr;
mod resource;
mod settings;

#[cfg(test)]
mod oracle_tests;

use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use crate::pyfmt::py_repr;
use ini::{IniError, IniFile};
pub use pyproject::AlembicValue;
use pyproject::ToolAlembic;
pub use resource::installed_venv;
pub use settings::{PostWriteHook, ScriptSettings};

/// Errors a user can cause through configuration; messages use Alembic's
/// (or Python's) exact wording.
///
/// Alembic catches only its own `CommandError` (`FAILED: <message>`, exit
/// 255); everything else ends in a traceback (exit 1). [`is_command_error`]
/// tells the two apart and [`exception_line`] gives the line Python's
/// traceback ends with.
///
/// [`is_command_error`]: ConfigError::is_command_error
/// [`exception_line`]: ConfigError::exception_line
#[derive(Debug, Clone, thiserror::Error)]
pub enum ConfigError {
    #[error("No 'script_location' key found in configuration.")]
    NoScriptLocation,
    /// Any other `CommandError` raised by Alembic's config handling.
    #[error("{0}")]
    Other(String),
    /// A configparser exception (parsing or interpolation).
    #[error(transparent)]
    Ini(#[from] IniError),
    /// Another Python exception Alembic lets through, e.g. `ValueError`.
    #[error("{message}")]
    Uncaught { exception: String, message: String },
    /// pyproject.toml does not parse: `tomllib.TOMLDecodeError`. `message`
    /// is the `toml` crate's; the CLI asks tomllib for its own wording
    /// (`crate::python::toml_decode_error`), so the file is kept.
    #[error("{message}")]
    TomlDecode { path: PathBuf, message: String },
}

impl ConfigError {
    /// Whether Alembic reports this as `FAILED: ...` rather than crashing.
    pub fn is_command_error(&self) -> bool {
        matches!(self, ConfigError::NoScriptLocation | ConfigError::Other(_))
    }

    /// The last line of the traceback Alembic prints for this error
    /// (`ValueError: String is not true/false: 'maybe'`), or, for a
    /// `CommandError`, the line `--raiseerr` shows.
    pub fn exception_line(&self) -> String {
        let class = match self {
            ConfigError::NoScriptLocation | ConfigError::Other(_) => {
                "alembic.util.exc.CommandError"
            }
            ConfigError::Ini(e) => e.exception_name(),
            ConfigError::Uncaught { exception, .. } => exception,
            ConfigError::TomlDecode { .. } => "tomllib.TOMLDecodeError",
        };
        format!("{class}: {self}")
    }
}

impl From<percent::PyException> for ConfigError {
    fn from(e: percent::PyException) -> Self {
        ConfigError::Uncaught {
            exception: e.class.to_string(),
            message: e.message,
        }
    }
}

/// A loaded configuration: the ini file (possibly absent) and the toml file
/// (possibly absent).
#[derive(Debug, Clone)]
pub struct Config {
    pub config_file_name: PathBuf,
    pub toml_file_name: PathBuf,
    pub config_ini_section: String,
    /// The `here` the ini's values see.
    here: String,
    ini: Result<IniFile, ConfigError>,
    toml: Result<Option<ToolAlembic>, ConfigError>,
}

impl Config {
    /// Mirrors `alembic.config.Config(file_=ini, toml_file=toml, ini_section=section)`.
    /// A missing (or unopenable) ini file and a missing toml file are not
    /// errors (Alembic treats them as empty); a malformed ini, or a toml file
    /// that cannot be read or parsed, is reported by the accessors, when
    /// Alembic would notice it. An empty `ini` path means "no file",
    /// as `file_=None` does: the main section then exists, empty.
    pub fn load(ini: &Path, toml: &Path, ini_section: &str) -> Result<Config, ConfigError> {
        let ini_name = ini.to_string_lossy();
        let here = if ini_name.is_empty() {
            ".".to_string()
        } else {
            pathlib::parent(&pathlib::absolute(&ini_name, &pathlib::cwd()))
        };
        let parsed = read_ini(ini, &here, ini_section);
        Ok(Config {
            config_file_name: ini.to_path_buf(),
            toml_file_name: toml.to_path_buf(),
            config_ini_section: ini_section.to_string(),
            here,
            ini: parsed,
            toml: pyproject::load(toml),
        })
    }

    /// The parsed ini, or the error reading it raised.
    pub fn file_config(&self) -> Result<&IniFile, ConfigError> {
        self.ini.as_ref().map_err(Clone::clone)
    }

    fn tool(&self) -> Result<Option<&ToolAlembic>, ConfigError> {
        self.toml.as_ref().map(Option::as_ref).map_err(Clone::clone)
    }

    /// The absolute directory of the ini file, as `%(here)s` expands.
    pub fn here(&self) -> &str {
        &self.here
    }

    /// The `%(here)s` of `pyproject.toml`, when that file exists.
    pub fn toml_here(&self) -> Result<Option<&str>, ConfigError> {
        Ok(self.tool()?.map(ToolAlembic::here))
    }

    /// The ini file's section names, in file order, without DEFAULT.
    pub fn sections(&self) -> Result<Vec<String>, ConfigError> {
        Ok(self.file_config()?.sections())
    }

    pub fn has_section(&self, name: &str) -> Result<bool, ConfigError> {
        Ok(self.file_config()?.has_section(name))
    }

    /// `Config.get_section`: every option of a section (DEFAULT's included),
    /// interpolated; `None` when there is no such section.
    pub fn get_section(&self, name: &str) -> Result<Option<IndexMap<String, String>>, ConfigError> {
        let ini = self.file_config()?;
        if !ini.has_section(name) {
            return Ok(None);
        }
        Ok(Some(ini.items(name)?.into_iter().collect()))
    }

    /// `Config.get_section_option`: an unknown section is a `CommandError`,
    /// an unknown option is `None`.
    pub fn get_section_option(
        &self,
        section: &str,
        name: &str,
    ) -> Result<Option<String>, ConfigError> {
        let ini = self.file_config()?;
        if !ini.has_section(section) {
            let file = match self.config_file_name.to_string_lossy() {
                n if n.is_empty() => "None".to_string(),
                n => py_repr(&n),
            };
            return Err(ConfigError::Other(format!(
                "No config file {file} found, or file has no '[{section}]' section"
            )));
        }
        if ini.has_option(section, name) {
            Ok(Some(ini.get(section, name)?))
        } else {
            Ok(None)
        }
    }

    /// `Config.get_main_option`: the main ini section only, interpolated.
    pub fn get_main_option(&self, name: &str) -> Result<Option<String>, ConfigError> {
        self.get_section_option(&self.config_ini_section, name)
    }

    /// `Config.get_alembic_option` in its full generality: the ini main
    /// section (a string) if it has the option, else `[tool.alembic]`.
    pub fn get_alembic_value(&self, name: &str) -> Result<Option<AlembicValue>, ConfigError> {
        let ini = self.file_config()?;
        if ini.has_option(&self.config_ini_section, name) {
            return Ok(Some(AlembicValue::Str(
                ini.get(&self.config_ini_section, name)?,
            )));
        }
        match self.tool()? {
            Some(tool) => tool.value(name),
            None => Ok(None),
        }
    }

    /// `Config.get_alembic_option` for settings that are strings. A toml
    /// integer or boolean reads as Python's `str()` of it; a toml array or
    /// table is refused (Alembic would fail later, in varied ways).
    pub fn get_alembic_option(&self, name: &str) -> Result<Option<String>, ConfigError> {
        self.get_alembic_value(name)?
            .map(|v| value_as_str(name, v))
            .transpose()
    }

    /// `Config.get_alembic_boolean_option`: an ini value is true only when it
    /// is exactly `true`; a toml value must be a boolean.
    pub fn get_alembic_boolean_option(&self, name: &str) -> Result<bool, ConfigError> {
        let ini = self.file_config()?;
        if ini.has_option(&self.config_ini_section, name) {
            return Ok(ini.get(&self.config_ini_section, name)? == "true");
        }
        match self.tool()?.and_then(|t| t.raw(name)) {
            None => Ok(false),
            Some(toml::Value::Boolean(b)) => Ok(*b),
            Some(_) => Err(ConfigError::Other(format!(
                "boolean value expected for TOML parameter {}",
                py_repr(name)
            ))),
        }
    }
}

/// `str(value)` where Alembic uses a toml value as a string.
fn value_as_str(name: &str, v: AlembicValue) -> Result<String, ConfigError> {
    match v {
        AlembicValue::Str(s) => Ok(s),
        AlembicValue::Int(i) => Ok(i.to_string()),
        AlembicValue::Bool(b) => Ok(if b { "True" } else { "False" }.to_string()),
        AlembicValue::List(_) | AlembicValue::Tables(_) | AlembicValue::Table(_) => {
            Err(ConfigError::Other(format!(
                "unsupported TOML value type for key: {}",
                py_repr(name)
            )))
        }
    }
}

/// `Config.file_config`: `ConfigParser({"here": here})` and `read([path])`.
fn read_ini(path: &Path, here: &str, section: &str) -> Result<IniFile, ConfigError> {
    let mut ini = IniFile::new([("here", here)]);
    let name = path.to_string_lossy();
    if name.is_empty() {
        if section == ini::DEFAULT_SECTION {
            return Err(ConfigError::Uncaught {
                exception: "ValueError".to_string(),
                message: format!("Invalid section name: {}", py_repr(section)),
            });
        }
        ini.add_section(section);
        return Ok(ini);
    }
    // `ConfigParser.read` skips files it cannot open.
    let Ok(bytes) = std::fs::read(path) else {
        return Ok(ini);
    };
    let text = pystr::decode_utf8(&bytes).map_err(|message| ConfigError::Uncaught {
        exception: "UnicodeDecodeError".to_string(),
        message,
    })?;
    // Alembic passes a `pathlib.Path`, so configparser quotes its repr.
    let origin = format!("PosixPath({})", py_repr(&pathlib::normalize(&name)));
    ini.read_str(&text, &origin)?;
    Ok(ini)
}

#[cfg(test)]
mod tests;
