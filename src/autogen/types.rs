//! Types as the compare step sees them: the spelling SQLAlchemy's type
//! compiler gives the type the database reports, so a reflected column and
//! a model column (compiled by SQLAlchemy in the host) can be compared as
//! text. Alembic compares types the same way (`DefaultImpl.compare_type`
//! tokenises both compiled spellings).

use crate::db::Dialect;

/// SQLAlchemy's compiled spelling of a type the database reported as
/// `text`. Enum and other user-defined type names
/// are kept as they are, as SQLAlchemy's `ENUM` compiles to its name.
pub fn compiled_spelling(dialect: Dialect, text: &str) -> String {
    match dialect {
        Dialect::Postgresql => pg_type(text),
        Dialect::Mysql => mysql_type(text),
        Dialect::Sqlite => sqlite_type(text),
    }
}

fn pg_type(text: &str) -> String {
    let (base, array) = match text.strip_suffix("[]") {
        Some(b) => (b, "[]"),
        None => (text, ""),
    };
    // `format_type` puts arguments right after the first word of time
    // types (`timestamp(3) with time zone`) and at the end otherwise;
    // SQLAlchemy prints them in the same places.
    let (name, args) = match (base.find('('), base.find(')')) {
        (Some(i), Some(j)) if j > i => (
            format!("{}{}", &base[..i], &base[j + 1..]),
            (i, base[i..=j].replace(',', ", ")),
        ),
        _ => (base.to_string(), (base.len(), String::new())),
    };
    let mapped = match name.as_str() {
        "character varying" => "VARCHAR".to_string(),
        "character" => "CHAR".to_string(),
        n if n.chars().all(|c| c.is_ascii_lowercase() || c == ' ')
            && [
                "integer",
                "bigint",
                "smallint",
                "text",
                "boolean",
                "numeric",
                "real",
                "date",
                "interval",
                "uuid",
                "json",
                "jsonb",
                "bytea",
                "inet",
                "cidr",
                "timestamp",
                "time",
                "double precision",
                "tsvector",
                "money",
                "macaddr",
                "bit",
                "xml",
            ]
            .iter()
            .any(|k| n == *k || n.starts_with(&format!("{k} "))) =>
        {
            n.to_uppercase()
        }
        other => other.to_string(),
    };
    let (at, args) = args;
    let first_word = base[..at].len();
    let out = if args.is_empty() {
        mapped
    } else if first_word < mapped.len() && mapped.as_bytes().get(first_word) == Some(&b' ') {
        format!("{}{}{}", &mapped[..first_word], args, &mapped[first_word..])
    } else {
        format!("{mapped}{args}")
    };
    format!("{out}{array}")
}

/// MySQL/MariaDB: `COLUMN_TYPE` (`int(11) unsigned`, `decimal(10,2)`,
/// `enum('a','b')`) → the compiled `mysql.*` type SQLAlchemy parses out of
/// `SHOW CREATE TABLE` (`INTEGER(11) UNSIGNED`, `DECIMAL(10, 2)`,
/// `ENUM('a','b')`).
fn mysql_type(text: &str) -> String {
    let (name, rest) = match text.find('(') {
        Some(i) => (&text[..i], &text[i..]),
        None => match text.split_once(' ') {
            Some((n, r)) => (n, r),
            None => (text, ""),
        },
    };
    let name = match name {
        "int" => "INTEGER".to_string(),
        n => n.to_uppercase(),
    };
    let (args, tail) = match rest.find(')') {
        Some(j) if rest.starts_with('(') => (&rest[..=j], rest[j + 1..].trim()),
        _ => ("", rest.trim()),
    };
    let args = if args.contains('\'') {
        args.to_string()
    } else {
        args.replace(',', ", ")
    };
    let tail = if tail.is_empty() {
        String::new()
    } else {
        format!(" {}", tail.to_uppercase())
    };
    format!("{name}{args}{tail}")
}

/// SQLite: SQLAlchemy upper-cases the declared type and looks it up in its
/// `ischema_names` (`BOOL` → `BOOLEAN`, `INT` → `INTEGER`, otherwise by
/// affinity); the test schema sticks to names in that table. A column with
/// no declared type is `NullType`, whose `str()` is `NULL`.
fn sqlite_type(text: &str) -> String {
    let upper = text.to_uppercase();
    let (name, args) = match upper.find('(') {
        Some(i) => (
            upper[..i].trim().to_string(),
            upper[i..].replace(',', ", ").replace(",  ", ", "),
        ),
        None => (upper.trim().to_string(), String::new()),
    };
    let name = match name.as_str() {
        "" => return "NULL".to_string(),
        "BOOL" => "BOOLEAN".to_string(),
        "INT" => "INTEGER".to_string(),
        _ => name,
    };
    format!("{name}{args}")
}
