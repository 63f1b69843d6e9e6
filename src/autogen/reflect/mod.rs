//! Schema reflection: the whole schema in a few catalog queries.
//!
//! Each dialect module answers for every table of the requested schemas at
//! once (PostgreSQL: `pg_catalog`; SQLite: `sqlite_master` joined with the
//! pragma table-valued functions; MySQL/MariaDB: `information_schema`), and
//! reports what SQLAlchemy's `Inspector` would report for the same tables,
//! so that `tests/reflect_parity.rs` can hold it to the Inspector's output.
//! Excluding the version table (or anything else) is the caller's job.

mod mysql;
mod postgres;
mod sqlite;

use std::collections::HashMap;

use crate::db::{Connection, DbError, Dialect, Value};

use super::model::Schema;

/// What to reflect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReflectOptions {
    /// The schemas to read: `None` is the connection's default schema
    /// (PostgreSQL `current_schema()`, MySQL `DATABASE()`, SQLite `main`),
    /// and tables found there get `None` as their schema in the result;
    /// `Some(name)` is another schema (Alembic's `include_schemas`).
    pub schemas: Vec<Option<String>>,
}

impl Default for ReflectOptions {
    /// The default schema only, as Alembic without `include_schemas`.
    fn default() -> Self {
        ReflectOptions {
            schemas: vec![None],
        }
    }
}

/// Why reflection failed.
#[derive(Debug, thiserror::Error)]
pub enum ReflectError {
    /// A catalog query failed.
    #[error("reflection query failed: {0}")]
    Db(#[from] DbError),
    /// A catalog query returned something this module cannot read; the
    /// server is newer or stranger than expected.
    #[error("unexpected catalog data ({what}): {detail}")]
    Unexpected { what: &'static str, detail: String },
}

/// Reflects every table of `options.schemas` (plus PostgreSQL enums).
pub fn reflect(conn: &mut Connection, options: &ReflectOptions) -> Result<Schema, ReflectError> {
    match conn.dialect() {
        Dialect::Postgresql => postgres::reflect(conn, options),
        Dialect::Sqlite => sqlite::reflect(conn, options),
        Dialect::Mysql => mysql::reflect(conn, options),
    }
}

/// Reads result cells by position; each accessor names what it reads so a
/// bad row turns into a [`ReflectError::Unexpected`] instead of a panic.
pub(crate) struct Row<'a> {
    cells: &'a [Value],
    what: &'static str,
}

impl<'a> Row<'a> {
    pub(crate) fn new(cells: &'a [Value], what: &'static str) -> Self {
        Row { cells, what }
    }

    fn cell(&self, i: usize) -> Result<&'a Value, ReflectError> {
        self.cells.get(i).ok_or_else(|| ReflectError::Unexpected {
            what: self.what,
            detail: format!("row has no column {i}"),
        })
    }

    fn bad(&self, i: usize, expected: &str, v: &Value) -> ReflectError {
        ReflectError::Unexpected {
            what: self.what,
            detail: format!("column {i}: expected {expected}, got {v:?}"),
        }
    }

    /// A text cell; `None` for NULL. Numbers are turned into their text.
    pub(crate) fn opt_text(&self, i: usize) -> Result<Option<String>, ReflectError> {
        Ok(match self.cell(i)? {
            Value::Null => None,
            Value::Text(s) | Value::Numeric(s) | Value::Json(s) | Value::Other { text: s, .. } => {
                Some(s.clone())
            }
            Value::Int(n) => Some(n.to_string()),
            Value::Bytes(b) => Some(String::from_utf8_lossy(b).into_owned()),
            v => return Err(self.bad(i, "text", v)),
        })
    }

    pub(crate) fn text(&self, i: usize) -> Result<String, ReflectError> {
        let v = self.cell(i)?;
        self.opt_text(i)?
            .ok_or_else(|| self.bad(i, "non-null text", v))
    }

    pub(crate) fn opt_int(&self, i: usize) -> Result<Option<i64>, ReflectError> {
        Ok(match self.cell(i)? {
            Value::Null => None,
            Value::Int(n) => Some(*n),
            Value::Bool(b) => Some(i64::from(*b)),
            v @ (Value::Text(s) | Value::Numeric(s) | Value::Other { text: s, .. }) => {
                Some(s.trim().parse().map_err(|_| self.bad(i, "integer", v))?)
            }
            Value::Bytes(b) => {
                let s = String::from_utf8_lossy(b);
                Some(
                    s.trim()
                        .parse()
                        .map_err(|_| self.bad(i, "integer", &Value::Text(s.to_string())))?,
                )
            }
            v => return Err(self.bad(i, "integer", v)),
        })
    }

    pub(crate) fn int(&self, i: usize) -> Result<i64, ReflectError> {
        let v = self.cell(i)?;
        self.opt_int(i)?
            .ok_or_else(|| self.bad(i, "non-null integer", v))
    }

    /// A boolean: PostgreSQL `bool`, or a 0/1 integer (SQLite, MySQL).
    pub(crate) fn bool(&self, i: usize) -> Result<bool, ReflectError> {
        match self.cell(i)? {
            Value::Bool(b) => Ok(*b),
            Value::Null => Ok(false),
            Value::Text(s) if s == "t" || s == "f" => Ok(s == "t"),
            _ => Ok(self.int(i)? != 0),
        }
    }
}

/// A string literal for catalog queries (standard SQL quoting; the names
/// compared against are identifiers, never user data with backslashes on
/// MySQL, but backslashes are doubled there too).
/// The schemas to reflect, as catalog name -> the schema key used in the
/// result (`None` for the connection's default schema, as SQLAlchemy
/// reports tables there), and the SQL list of those names for `IN (...)`.
pub(crate) fn schema_keys(
    options: &ReflectOptions,
    default_schema: Option<&str>,
    dialect: Dialect,
) -> (HashMap<String, Option<String>>, String) {
    let mut keys: HashMap<String, Option<String>> = HashMap::new();
    for s in &options.schemas {
        match (s, default_schema) {
            (None, Some(d)) => {
                keys.insert(d.to_string(), None);
            }
            (None, None) => {}
            (Some(name), Some(d)) if name == d => {
                keys.insert(name.clone(), None);
            }
            (Some(name), _) => {
                keys.insert(name.clone(), Some(name.clone()));
            }
        }
    }
    let mut names: Vec<&String> = keys.keys().collect();
    names.sort();
    let in_list = names
        .iter()
        .map(|n| sql_literal(n, dialect))
        .collect::<Vec<_>>()
        .join(", ");
    (keys, in_list)
}

pub(crate) fn sql_literal(s: &str, dialect: Dialect) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for ch in s.chars() {
        match ch {
            '\'' => out.push_str("''"),
            '\\' if dialect == Dialect::Mysql => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// The index of the `)` matching the `(` at byte `start`, skipping `'...'`
/// and `"..."` literals (SQLAlchemy's `util.find_matching_paren`).
pub(crate) fn find_matching_paren(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    if bytes.get(start) != Some(&b'(') {
        return None;
    }
    let mut depth = 0usize;
    let mut i = start;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let c = bytes[i];
        if let Some(q) = quote {
            if c == q {
                if bytes.get(i + 1) == Some(&q) {
                    i += 1;
                } else {
                    quote = None;
                }
            }
        } else if c == b'\'' || c == b'"' {
            quote = Some(c);
        } else if c == b'(' {
            depth += 1;
        } else if c == b')' {
            depth -= 1;
            if depth == 0 {
                return Some(i);
            }
        }
        i += 1;
    }
    None
}

/// Removes one layer of parentheses wrapping the whole (trimmed) text
/// (SQLAlchemy's `util.strip_outer_parens`, used on CHECK texts).
pub(crate) fn strip_outer_parens(text: &str) -> String {
    let stripped = text.trim();
    if stripped.len() < 2 || !stripped.starts_with('(') || !stripped.ends_with(')') {
        return text.to_string();
    }
    match find_matching_paren(stripped, 0) {
        Some(close) if close == stripped.len() - 1 => stripped[1..stripped.len() - 1].to_string(),
        _ => text.to_string(),
    }
}

/// Splits a `sep`-joined aggregate (the catalog queries join lists with
/// the unit separator, which never appears in identifiers in practice).
pub(crate) fn split_list(s: Option<String>) -> Vec<String> {
    match s {
        None => Vec::new(),
        Some(s) if s.is_empty() => Vec::new(),
        Some(s) => s.split('\u{1f}').map(str::to_string).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_outer_parens_like_sqlalchemy() {
        assert_eq!(strip_outer_parens("(a IS NOT NULL)"), "a IS NOT NULL");
        assert_eq!(strip_outer_parens("(a) AND (b)"), "(a) AND (b)");
        assert_eq!(strip_outer_parens("a NOT NULL"), "a NOT NULL");
        assert_eq!(
            strip_outer_parens("(a = '(' AND b = ')')"),
            "a = '(' AND b = ')'"
        );
    }

    #[test]
    fn quotes_literals() {
        assert_eq!(sql_literal("o'k", Dialect::Postgresql), "'o''k'");
        assert_eq!(sql_literal("a\\b", Dialect::Mysql), "'a\\\\b'");
    }
}
