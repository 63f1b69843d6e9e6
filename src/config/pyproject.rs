//! `[tool.alembic]` in `pyproject.toml` (Alembic 1.16+). Alembic reads the
//! file only when it exists and only once a setting is missing from the ini
//! main section, and it `%`-formats every string with `here` = the toml's
//! directory; both rules are reproduced here.

use std::path::Path;

use indexmap::IndexMap;

use super::ConfigError;
use super::pathlib;
use super::percent::{self, PyException};
use super::pystr;

/// A `[tool.alembic]` value after Alembic's `%`-formatting, in the shapes
/// `Config._get_toml_config_value` can return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlembicValue {
    Str(String),
    /// TOML integers are returned unformatted.
    Int(i64),
    /// Python's `bool` is an `int`, so booleans pass through the same way.
    Bool(bool),
    /// An array whose first element is not a table (all must be strings).
    List(Vec<String>),
    /// An array of tables (`[[tool.alembic.post_write_hooks]]`).
    Tables(Vec<IndexMap<String, String>>),
    Table(IndexMap<String, String>),
}

impl AlembicValue {
    /// `type(value).__name__`, for messages that quote it.
    pub fn py_type(&self) -> &'static str {
        match self {
            AlembicValue::Str(_) => "str",
            AlembicValue::Int(_) => "int",
            AlembicValue::Bool(_) => "bool",
            AlembicValue::List(_) | AlembicValue::Tables(_) => "list",
            AlembicValue::Table(_) => "dict",
        }
    }

    /// Python truthiness.
    pub fn truthy(&self) -> bool {
        match self {
            AlembicValue::Str(s) => !s.is_empty(),
            AlembicValue::Int(i) => *i != 0,
            AlembicValue::Bool(b) => *b,
            AlembicValue::List(v) => !v.is_empty(),
            AlembicValue::Tables(v) => !v.is_empty(),
            AlembicValue::Table(t) => !t.is_empty(),
        }
    }
}

/// The `[tool.alembic]` table of an existing `pyproject.toml`.
#[derive(Debug, Clone)]
pub struct ToolAlembic {
    here: String,
    table: toml::Table,
}

/// `Config.toml_alembic_config`: `None` when there is no such file.
pub fn load(path: &Path) -> Result<Option<ToolAlembic>, ConfigError> {
    let name = path.to_string_lossy();
    if name.is_empty() {
        return Ok(None);
    }
    let shown = pathlib::normalize(&name);
    if let Err(e) = std::fs::metadata(path) {
        // `Path.exists()` is False only for these; other errors propagate.
        let ignored = matches!(
            e.raw_os_error(),
            Some(libc::ENOENT | libc::ENOTDIR | libc::EBADF | libc::ELOOP)
        );
        if ignored {
            return Ok(None);
        }
        return Err(uncaught_os(&e, &shown));
    }
    let bytes = std::fs::read(path).map_err(|e| uncaught_os(&e, &shown))?;
    let text = pystr::decode_utf8(&bytes).map_err(|message| ConfigError::Uncaught {
        exception: "UnicodeDecodeError".to_string(),
        message,
    })?;
    let doc: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| ConfigError::TomlDecode {
            path: path.to_path_buf(),
            message: toml_message(&text, &e),
        })?;
    let table = match doc.get("tool") {
        None => toml::Table::new(),
        Some(toml::Value::Table(tool)) => match tool.get("alembic") {
            None => toml::Table::new(),
            Some(toml::Value::Table(t)) => t.clone(),
            Some(_) => return Err(ConfigError::Other("Incorrect TOML format".to_string())),
        },
        Some(other) => {
            return Err(ConfigError::Uncaught {
                exception: "AttributeError".to_string(),
                message: format!("'{}' object has no attribute 'get'", toml_type(other)),
            });
        }
    };
    let here = pathlib::parent(&pathlib::absolute(&name, &pathlib::cwd()));
    Ok(Some(ToolAlembic { here, table }))
}

fn uncaught_os(e: &std::io::Error, shown: &str) -> ConfigError {
    let (exception, message) = crate::pyfmt::py_os_error(e, shown);
    ConfigError::Uncaught {
        exception: exception.to_string(),
        message,
    }
}

/// tomllib words its errors differently (the CLI asks it when it can); keep
/// the toml crate's message but point at the place the way tomllib does.
fn toml_message(text: &str, e: &toml::de::Error) -> String {
    let msg = e.message().trim_end();
    match e.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("{msg} (at line {line}, column {column})")
        }
        None => msg.to_string(),
    }
}

/// `type(value).__name__` of what tomllib would have produced.
fn toml_type(v: &toml::Value) -> &'static str {
    match v {
        toml::Value::String(_) => "str",
        toml::Value::Integer(_) => "int",
        toml::Value::Float(_) => "float",
        toml::Value::Boolean(_) => "bool",
        toml::Value::Array(_) => "list",
        toml::Value::Table(_) => "dict",
        toml::Value::Datetime(d) => match (&d.date, &d.time) {
            (Some(_), Some(_)) => "datetime",
            (Some(_), None) => "date",
            _ => "time",
        },
    }
}

impl ToolAlembic {
    /// The unformatted value (`toml_alembic_config.get(name)`).
    pub fn raw(&self, name: &str) -> Option<&toml::Value> {
        self.table.get(name)
    }

    /// The directory `%(here)s` expands to.
    pub fn here(&self) -> &str {
        &self.here
    }

    /// `Config._get_toml_config_value(name)`.
    pub fn value(&self, name: &str) -> Result<Option<AlembicValue>, ConfigError> {
        let Some(v) = self.table.get(name) else {
            return Ok(None);
        };
        let value = match v {
            toml::Value::String(s) => AlembicValue::Str(self.format(s)?),
            toml::Value::Array(items) => {
                if matches!(items.first(), Some(toml::Value::Table(_))) {
                    let tables = items
                        .iter()
                        .map(|item| match item {
                            toml::Value::Table(t) => self.format_table(t),
                            other => Err(ConfigError::Uncaught {
                                exception: "AttributeError".to_string(),
                                message: format!(
                                    "'{}' object has no attribute 'items'",
                                    toml_type(other)
                                ),
                            }),
                        })
                        .collect::<Result<_, _>>()?;
                    AlembicValue::Tables(tables)
                } else {
                    let list = items
                        .iter()
                        .map(|item| self.format_value(item))
                        .collect::<Result<_, _>>()?;
                    AlembicValue::List(list)
                }
            }
            toml::Value::Table(t) => AlembicValue::Table(self.format_table(t)?),
            toml::Value::Integer(i) => AlembicValue::Int(*i),
            toml::Value::Boolean(b) => AlembicValue::Bool(*b),
            toml::Value::Float(_) | toml::Value::Datetime(_) => {
                return Err(ConfigError::Other(format!(
                    "unsupported TOML value type for key: {}",
                    crate::pyfmt::py_repr(name)
                )));
            }
        };
        Ok(Some(value))
    }

    fn format(&self, s: &str) -> Result<String, ConfigError> {
        percent::format(s, &[("here", self.here.as_str())]).map_err(ConfigError::from)
    }

    /// `v % toml_args` for an element: only strings support it.
    fn format_value(&self, v: &toml::Value) -> Result<String, ConfigError> {
        match v {
            toml::Value::String(s) => self.format(s),
            other => Err(ConfigError::from(PyException {
                class: "TypeError",
                message: format!(
                    "unsupported operand type(s) for %: '{}' and 'dict'",
                    toml_type(other)
                ),
            })),
        }
    }

    fn format_table(&self, t: &toml::Table) -> Result<IndexMap<String, String>, ConfigError> {
        t.iter()
            .map(|(k, v)| Ok((k.clone(), self.format_value(v)?)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tool(text: &str) -> Result<Option<ToolAlembic>, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pyproject.toml");
        std::fs::write(&path, text).unwrap();
        load(&path)
    }

    fn here_of(t: &ToolAlembic) -> String {
        t.here().to_string()
    }

    #[test]
    fn missing_file_is_empty() {
        assert!(
            load(Path::new("/nonexistent/dir/pyproject.toml"))
                .unwrap()
                .is_none()
        );
        assert!(load(Path::new("")).unwrap().is_none());
    }

    #[test]
    fn strings_are_percent_formatted_with_here() {
        let t = tool(
            "[tool.alembic]\nscript_location = \"%(here)s/m\"\nfile_template = \"%%(rev)s\"\nversion_locations = [\"%(here)s/a\", \"b\"]\ntruncate_slug_length = 12\nsourceless = true\n",
        )
        .unwrap()
        .unwrap();
        let here = here_of(&t);
        assert!(here.starts_with('/'));
        assert_eq!(
            t.value("script_location").unwrap(),
            Some(AlembicValue::Str(format!("{here}/m")))
        );
        assert_eq!(
            t.value("file_template").unwrap(),
            Some(AlembicValue::Str("%(rev)s".to_string()))
        );
        assert_eq!(
            t.value("version_locations").unwrap(),
            Some(AlembicValue::List(vec![
                format!("{here}/a"),
                "b".to_string()
            ]))
        );
        assert_eq!(
            t.value("truncate_slug_length").unwrap(),
            Some(AlembicValue::Int(12))
        );
        assert_eq!(
            t.value("sourceless").unwrap(),
            Some(AlembicValue::Bool(true))
        );
        assert_eq!(t.value("nope").unwrap(), None);
    }

    #[test]
    fn arrays_of_tables() {
        let t = tool(
            "[[tool.alembic.post_write_hooks]]\nname = \"black\"\ntype = \"console_scripts\"\noptions = \"-l 79 %(here)s\"\n",
        )
        .unwrap()
        .unwrap();
        let Some(AlembicValue::Tables(hooks)) = t.value("post_write_hooks").unwrap() else {
            panic!("expected tables");
        };
        assert_eq!(hooks[0]["name"], "black");
        assert_eq!(hooks[0]["options"], format!("-l 79 {}", t.here()));
    }

    #[test]
    fn unsupported_and_malformed() {
        let t = tool("[tool.alembic]\nx = 1.5\nd = 1979-05-27\nl = [\"a\", 1]\nk = \"%(rev)s\"\n")
            .unwrap()
            .unwrap();
        assert_eq!(
            t.value("x").unwrap_err().to_string(),
            "unsupported TOML value type for key: 'x'"
        );
        assert!(t.value("d").unwrap_err().is_command_error());
        assert_eq!(
            t.value("l").unwrap_err().exception_line(),
            "TypeError: unsupported operand type(s) for %: 'int' and 'dict'"
        );
        assert_eq!(
            t.value("k").unwrap_err().exception_line(),
            "KeyError: 'rev'"
        );

        assert_eq!(
            tool("[tool]\nalembic = 5\n").unwrap_err().to_string(),
            "Incorrect TOML format"
        );
        assert_eq!(
            tool("tool = [1]\n").unwrap_err().exception_line(),
            "AttributeError: 'list' object has no attribute 'get'"
        );
        assert!(
            tool("[project]\nname = \"x\"\n")
                .unwrap()
                .unwrap()
                .raw("a")
                .is_none()
        );
        let e = tool("[tool.alembic\n").unwrap_err();
        assert!(
            e.exception_line().starts_with("tomllib.TOMLDecodeError: "),
            "{e:?}"
        );
        assert!(e.to_string().contains("(at line 1, column"), "{e}");
    }

    #[test]
    fn directory_instead_of_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pyproject.toml");
        std::fs::create_dir(&path).unwrap();
        let e = load(&path).unwrap_err();
        assert!(
            e.exception_line()
                .starts_with("IsADirectoryError: [Errno 21] Is a directory: '"),
            "{e:?}"
        );
    }
}
