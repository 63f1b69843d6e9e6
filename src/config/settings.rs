//! The settings `ScriptDirectory.from_config` reads, each resolved the way
//! Alembic resolves it, in the same order (so that when several settings
//! are broken, the same one is reported first).

use std::path::PathBuf;

use indexmap::IndexMap;

use super::pyproject::AlembicValue;
use super::{Config, ConfigError, pystr, resource};
use crate::pyfmt::py_repr;

/// Alembic's `_default_file_template`.
const DEFAULT_FILE_TEMPLATE: &str = "%(rev)s_%(slug)s";
const DEFAULT_TRUNCATE_SLUG_LENGTH: usize = 40;

const LEGACY_VERSION_LOCATIONS: &str = "No path_separator found in configuration; falling back to legacy splitting on spaces/commas for version_locations.  Consider adding path_separator=os to Alembic config.";
const LEGACY_PREPEND_SYS_PATH: &str = "No path_separator found in configuration; falling back to legacy splitting on spaces, commas, and colons for prepend_sys_path.  Consider adding path_separator=os to Alembic config.";
const VERSION_PATH_SEPARATOR: &str =
    "The version_path_separator configuration parameter is deprecated; please use path_separator";

/// The settings that shape script discovery and revision writing
/// (`ScriptDirectory.from_config` in Alembic), already interpolated.
#[derive(Debug, Clone)]
pub struct ScriptSettings {
    /// `script_location` after `package:path` resolution, as Alembic would print it.
    pub script_location: PathBuf,
    /// `version_locations` split per `path_separator` rules; empty when unset.
    /// `package:path` entries are resolved; others are as written, normalised
    /// as `pathlib` does (relative ones are relative to the working directory).
    pub version_locations: Vec<PathBuf>,
    pub recursive_version_locations: bool,
    pub sourceless: bool,
    pub file_template: String,
    pub truncate_slug_length: usize,
    pub timezone: Option<String>,
    pub prepend_sys_path: Vec<String>,
    /// Lenient: an invalid value reads as `false` here, because Alembic only
    /// rejects it in the commands that consult it (`revision`, `merge`,
    /// `history`); those should call [`Config::revision_environment`].
    pub revision_environment: bool,
    /// As Alembic gets it: a TOML integer or boolean stays one (and fails
    /// as `str.encode`'s argument when a revision is rendered).
    pub output_encoding: AlembicValue,
    /// `Config.get_hooks_list()`, in execution order.
    pub hooks: Vec<PostWriteHook>,
    /// The `DeprecationWarning`s Alembic issued while reading these (Python
    /// hides them unless warnings are enabled).
    pub deprecation_warnings: Vec<String>,
}

/// One post-write hook: its name and its options (`type`, `entrypoint`,
/// `options`, ...), without the `name.` prefix of the ini form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostWriteHook {
    pub name: String,
    pub options: IndexMap<String, String>,
}

fn uncaught(exception: &str, message: String) -> ConfigError {
    ConfigError::Uncaught {
        exception: exception.to_string(),
        message,
    }
}

impl Config {
    /// `ScriptDirectory.from_config`'s reading of the settings.
    pub fn script_settings(&self) -> Result<ScriptSettings, ConfigError> {
        let mut warnings = Vec::new();
        let script_location = self
            .get_alembic_value("script_location")?
            .ok_or(ConfigError::NoScriptLocation)?;
        let truncate_slug_length = match self.get_alembic_value("truncate_slug_length")? {
            None => DEFAULT_TRUNCATE_SLUG_LENGTH,
            Some(v) => slug_length(python_int(v)?)?,
        };
        let prepend_sys_path = self
            .prepend_sys_paths_list(&mut warnings)?
            .unwrap_or_default();
        let recursive_version_locations =
            self.get_alembic_boolean_option("recursive_version_locations")?;
        let search = resource::search_path(&prepend_sys_path);
        let script_location =
            resource::coerce_resource_to_filename(&path_argument(script_location)?, &search)?;
        let file_template = self
            .get_alembic_option("file_template")?
            .unwrap_or_else(|| DEFAULT_FILE_TEMPLATE.to_string());
        let sourceless = self.get_alembic_boolean_option("sourceless")?;
        let output_encoding = self
            .get_alembic_value("output_encoding")?
            .unwrap_or_else(|| AlembicValue::Str("utf-8".to_string()));
        let version_locations = self
            .version_locations_list(&mut warnings)?
            .unwrap_or_default()
            .iter()
            .map(|loc| resource::coerce_resource_to_filename(loc, &search).map(PathBuf::from))
            .collect::<Result<Vec<_>, _>>()?;
        let timezone = self.get_alembic_option("timezone")?;
        let hooks = self.get_hooks_list()?;
        Ok(ScriptSettings {
            script_location: PathBuf::from(script_location),
            version_locations,
            recursive_version_locations,
            sourceless,
            file_template,
            truncate_slug_length,
            timezone,
            prepend_sys_path,
            revision_environment: self.revision_environment().unwrap_or(false),
            output_encoding,
            hooks,
            deprecation_warnings: warnings,
        })
    }

    /// `util.asbool(config.get_alembic_option("revision_environment"))`, as
    /// the `revision`, `merge` and `history` commands evaluate it.
    pub fn revision_environment(&self) -> Result<bool, ConfigError> {
        match self.get_alembic_value("revision_environment")? {
            None => Ok(false),
            Some(AlembicValue::Str(s)) => pystr::asbool(&s).map_err(|m| uncaught("ValueError", m)),
            Some(other) => Ok(other.truthy()),
        }
    }

    /// `Config.get_version_locations_list`.
    pub fn get_version_locations_list(&self) -> Result<Option<Vec<String>>, ConfigError> {
        self.version_locations_list(&mut Vec::new())
    }

    /// `Config.get_prepend_sys_paths_list`.
    pub fn get_prepend_sys_paths_list(&self) -> Result<Option<Vec<String>>, ConfigError> {
        self.prepend_sys_paths_list(&mut Vec::new())
    }

    fn version_locations_list(
        &self,
        warnings: &mut Vec<String>,
    ) -> Result<Option<Vec<String>>, ConfigError> {
        let ini = self.file_config()?;
        let value = ini.get_fallback(&self.config_ini_section, "version_locations")?;
        match value.filter(|v| !v.is_empty()) {
            Some(v) => {
                match self.separator(&["path_separator", "version_path_separator"], warnings)? {
                    Some(sep) => Ok(Some(split_on(&v, sep))),
                    None => {
                        warnings.push(LEGACY_VERSION_LOCATIONS.to_string());
                        Ok(Some(legacy_split(&v, false)))
                    }
                }
            }
            None => self.toml_path_list("version_locations"),
        }
    }

    fn prepend_sys_paths_list(
        &self,
        warnings: &mut Vec<String>,
    ) -> Result<Option<Vec<String>>, ConfigError> {
        let ini = self.file_config()?;
        let value = ini.get_fallback(&self.config_ini_section, "prepend_sys_path")?;
        match value.filter(|v| !v.is_empty()) {
            Some(v) => match self.separator(&["path_separator"], warnings)? {
                Some(sep) => Ok(Some(split_on(&v, sep))),
                None => {
                    warnings.push(LEGACY_PREPEND_SYS_PATH.to_string());
                    Ok(Some(legacy_split(&v, true)))
                }
            },
            None => self.toml_path_list("prepend_sys_path"),
        }
    }

    /// `Config._get_file_separator_char`: the first of `names` present in
    /// the main section decides, even when its value is invalid.
    fn separator(
        &self,
        names: &[&str],
        warnings: &mut Vec<String>,
    ) -> Result<Option<&'static str>, ConfigError> {
        for name in names {
            let Some(value) = self.get_main_option(name)? else {
                continue;
            };
            let sep = match value.as_str() {
                "space" => " ",
                "newline" => "\n",
                // os.pathsep on POSIX
                "os" | ":" => ":",
                ";" => ";",
                _ => {
                    return Err(uncaught(
                        "ValueError",
                        format!(
                            "'{value}' is not a valid value for {name}; expected 'space', 'newline', 'os', ':', ';'"
                        ),
                    ));
                }
            };
            if *name == "version_path_separator" {
                warnings.push(VERSION_PATH_SEPARATOR.to_string());
            }
            return Ok(Some(sep));
        }
        Ok(None)
    }

    /// A path list from `[tool.alembic]`, as the Python code that iterates
    /// it would see it: a string iterates by character, a table by key.
    fn toml_path_list(&self, name: &str) -> Result<Option<Vec<String>>, ConfigError> {
        let Some(tool) = self.tool()? else {
            return Ok(None);
        };
        Ok(match tool.value(name)? {
            None => None,
            Some(v) if !v.truthy() => Some(Vec::new()),
            Some(AlembicValue::List(items)) => Some(items),
            Some(AlembicValue::Str(s)) => Some(s.chars().map(String::from).collect()),
            Some(AlembicValue::Table(t)) => Some(t.into_keys().collect()),
            Some(AlembicValue::Tables(_)) => {
                return Err(uncaught(
                    "TypeError",
                    "expected str, bytes or os.PathLike object, not dict".to_string(),
                ));
            }
            Some(other @ (AlembicValue::Int(_) | AlembicValue::Bool(_))) => {
                return Err(uncaught(
                    "TypeError",
                    format!("'{}' object is not iterable", other.py_type()),
                ));
            }
        })
    }

    /// `Config.get_hooks_list`: from `[post_write_hooks]` if the ini has that
    /// section, else from `[[tool.alembic.post_write_hooks]]`.
    pub fn get_hooks_list(&self) -> Result<Vec<PostWriteHook>, ConfigError> {
        let Some(section) = self.get_section("post_write_hooks")? else {
            return self.toml_hooks();
        };
        let names = section.get("hooks").map(String::as_str).unwrap_or("");
        let mut hooks = Vec::new();
        for name in legacy_split(names, false) {
            if name.is_empty() {
                continue;
            }
            let prefix = format!("{name}.");
            let options = section
                .iter()
                .filter_map(|(k, v)| Some((k.strip_prefix(&prefix)?.to_string(), v.clone())))
                .collect();
            hooks.push(PostWriteHook { name, options });
        }
        Ok(hooks)
    }

    fn toml_hooks(&self) -> Result<Vec<PostWriteHook>, ConfigError> {
        let Some(tool) = self.tool()? else {
            return Ok(Vec::new());
        };
        match tool.value("post_write_hooks")? {
            None => Ok(Vec::new()),
            Some(v) if !v.truthy() => Ok(Vec::new()),
            Some(AlembicValue::Tables(tables)) => tables
                .into_iter()
                .map(|mut options| {
                    let name = options
                        .shift_remove("name")
                        .ok_or_else(|| uncaught("KeyError", py_repr("name")))?;
                    Ok(PostWriteHook { name, options })
                })
                .collect(),
            Some(_) => Err(ConfigError::Other(
                "unsupported TOML value type for key: 'post_write_hooks'".to_string(),
            )),
        }
    }
}

/// Alembic's legacy splitting: `re.split(r", *|(?: +)")`, plus `:` for
/// `prepend_sys_path`. Empty pieces are kept, as `re.split` keeps them.
fn legacy_split(s: &str, colon: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ',' | ' ' => {
                while chars.peek() == Some(&' ') {
                    chars.next();
                }
                out.push(std::mem::take(&mut cur));
            }
            ':' if colon => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// `[x.strip() for x in s.split(sep) if x]`: the emptiness test comes
/// before the strip, so a piece of spaces survives as `""`.
fn split_on(s: &str, sep: &str) -> Vec<String> {
    s.split(sep)
        .filter(|x| !x.is_empty())
        .map(|x| pystr::strip(x).to_string())
        .collect()
}

/// `coerce_resource_to_filename` needs a string (`os.path.isabs(value)`).
fn path_argument(v: AlembicValue) -> Result<String, ConfigError> {
    match v {
        AlembicValue::Str(s) => Ok(s),
        other => Err(uncaught(
            "TypeError",
            format!(
                "expected str, bytes or os.PathLike object, not {}",
                other.py_type()
            ),
        )),
    }
}

/// Python's `int(value)`.
pub(super) fn python_int(v: AlembicValue) -> Result<i128, ConfigError> {
    match v {
        AlembicValue::Str(s) => pystr::parse_int(&s).map_err(|m| uncaught("ValueError", m)),
        AlembicValue::Int(i) => Ok(i as i128),
        AlembicValue::Bool(b) => Ok(b as i128),
        other => Err(uncaught(
            "TypeError",
            format!(
                "int() argument must be a string, a bytes-like object or a real number, not '{}'",
                other.py_type()
            ),
        )),
    }
}

/// `truncate_slug_length or 40`.
fn slug_length(n: i128) -> Result<usize, ConfigError> {
    match n {
        0 => Ok(DEFAULT_TRUNCATE_SLUG_LENGTH),
        n if n < 0 => Err(ConfigError::Other(format!(
            "truncate_slug_length must not be negative (got {n})"
        ))),
        n => Ok(usize::try_from(n).unwrap_or(usize::MAX)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_split_is_re_split() {
        assert_eq!(legacy_split("a, b  c,d", false), vec!["a", "b", "c", "d"]);
        assert_eq!(legacy_split("a ,b", false), vec!["a", "", "b"]);
        assert_eq!(legacy_split(",a", false), vec!["", "a"]);
        assert_eq!(legacy_split("a:b", false), vec!["a:b"]);
        assert_eq!(legacy_split("a:b c", true), vec!["a", "b", "c"]);
        assert_eq!(legacy_split("a\tb\nc", true), vec!["a\tb\nc"]);
        assert_eq!(legacy_split("", false), vec![""]);
    }

    #[test]
    fn split_on_keeps_blank_pieces() {
        assert_eq!(split_on("a: :b::", ":"), vec!["a", "", "b"]);
        assert_eq!(split_on("\na\n b \n", "\n"), vec!["a", "b"]);
    }

    #[test]
    fn slug_length_rules() {
        assert_eq!(slug_length(0).unwrap(), 40);
        assert_eq!(slug_length(12).unwrap(), 12);
        assert!(slug_length(-1).is_err());
        assert_eq!(
            python_int(AlembicValue::List(vec![]))
                .unwrap_err()
                .exception_line(),
            "TypeError: int() argument must be a string, a bytes-like object or a real number, not 'list'"
        );
        assert_eq!(python_int(AlembicValue::Bool(true)).unwrap(), 1);
    }
}
