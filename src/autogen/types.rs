//! Types as the compare step sees them: the spelling SQLAlchemy's type
//! compiler gives the type the database reports, so a reflected column and
//! a model column (compiled by SQLAlchemy in the host) can be compared as
//! text. Alembic compares types the same way (`DefaultImpl.compare_type`
//! tokenises both compiled spellings).

use std::collections::HashSet;

use super::model::Column;
use crate::db::Dialect;

/// Whether Alembic's `compare_type` finds no difference between a model
/// column's compiled type and the spelling of the reflected one. Equal
/// text always is; MySQL/MariaDB also get the part of Alembic's tokenised
/// rule (`DefaultImpl._column_types_match` / `_column_args_match`) that
/// the reflected spelling can decide: the display width SQLAlchemy reads
/// (`INTEGER(11)` against `INTEGER`: a different number of arguments is not
/// a difference) and the impl's synonyms (`TINYINT(1)` against `BOOL`,
/// `DECIMAL` against `NUMERIC`, `LONGTEXT` against MariaDB's `JSON`).
/// Without it no MySQL table with an integer column was ever proven
/// identical. The words after the name (`UNSIGNED`, `CHARACTER SET`,
/// `COLLATE`) must still be equal, stricter than Alembic: the reflected
/// spelling here comes from `COLUMN_TYPE`, which lacks the collation
/// SQLAlchemy reads from `SHOW CREATE TABLE`. Enums and sets must be
/// spelled the same (MySQL's impl compares their values as sets).
pub fn same_type(dialect: Dialect, compiled: &str, reflected: &str) -> bool {
    if normalise(compiled) == normalise(reflected) {
        return true;
    }
    if dialect != Dialect::Mysql {
        return false;
    }
    let (Some(m), Some(r)) = (
        TypeParams::tokenise(compiled),
        TypeParams::tokenise(reflected),
    ) else {
        return false;
    };
    if ["enum", "set"].contains(&m.name.as_str()) || ["enum", "set"].contains(&r.name.as_str()) {
        return false;
    }
    let synonyms: [&[&str]; 3] = [
        &["numeric", "decimal"],
        &["bool", "tinyint"],
        &["json", "longtext"],
    ];
    let names_match = m.name == r.name
        || synonyms
            .iter()
            .any(|set| set.contains(&m.name.as_str()) && set.contains(&r.name.as_str()));
    names_match && m.words == r.words && (m.args.len() != r.args.len() || m.args == r.args)
}

/// Case and spacing do not matter to Alembic's type tokeniser.
fn normalise(type_text: &str) -> String {
    type_text
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(", ", ",")
}

/// A compiled type as Alembic's `_tokenize_column_type` splits it: the
/// first word, the other words, the arguments in parentheses.
struct TypeParams {
    name: String,
    words: Vec<String>,
    args: Vec<String>,
}

impl TypeParams {
    /// `None` for what this reading would not split as Alembic's pattern
    /// does (`=` in arguments, several parenthesised groups, quotes).
    fn tokenise(text: &str) -> Option<Self> {
        let text = text.to_lowercase();
        let mut words = Vec::new();
        let mut args = None;
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                let mut end = i + c.len_utf8();
                while let Some(&(j, d)) = chars.peek() {
                    if !(d.is_alphanumeric() || d == '_' || d == '-') {
                        break;
                    }
                    end = j + d.len_utf8();
                    chars.next();
                }
                words.push(text[i..end].to_string());
            } else if c == '(' {
                let close = text[i..].find(')')? + i;
                let inner = &text[i + 1..close];
                if args.is_some() || inner.is_empty() || inner.contains(['=', '\'', '"']) {
                    return None;
                }
                args = Some(inner.split(',').map(|a| a.trim().to_string()).collect());
                while chars.peek().is_some_and(|&(j, _)| j <= close) {
                    chars.next();
                }
            } else if !c.is_whitespace() {
                return None;
            }
        }
        let mut words = words.into_iter();
        Some(TypeParams {
            name: words.next()?,
            words: words.collect(),
            args: args.unwrap_or_default(),
        })
    }
}

/// SQLAlchemy's compiled spelling of a type the database reported as
/// `text`, or `None` where no plain spelling can be told (the table is then
/// compared by the host). Enum and other user-defined type names
/// are kept as they are, as SQLAlchemy's `ENUM` compiles to its name.
pub fn compiled_spelling(dialect: Dialect, text: &str) -> Option<String> {
    match dialect {
        Dialect::Postgresql => Some(pg_type(text)),
        Dialect::Mysql => Some(mysql_type(text)),
        Dialect::Sqlite => sqlite_type(text),
    }
}

/// The type names the host's SQLAlchemy reflects (its dialect's
/// `ischema_names` keys), so that the pre-pass knows exactly the types of
/// the SQLAlchemy version that runs (2.1 added MariaDB's `uuid`,
/// PostgreSQL's multiranges and `citext`, ...).
#[derive(Debug, Clone, Default)]
pub struct KnownTypes(HashSet<String>);

impl KnownTypes {
    pub fn new(names: impl IntoIterator<Item = String>) -> Self {
        KnownTypes(names.into_iter().map(|n| n.to_lowercase()).collect())
    }

    fn contains(&self, name: &str) -> bool {
        self.0.contains(name)
    }
}

/// Whether SQLAlchemy's reflection knows the column's type. It reflects
/// the names it does not know as `NullType`, warning `Did not recognize
/// type ...` while reflecting (and Alembic then logs `Couldn't determine
/// database type`), so such a table must go to the host even when its
/// columns look equal. PostgreSQL enums are known by name (`get_enums`);
/// domains are left to the host.
pub fn sqlalchemy_recognises(dialect: Dialect, column: &Column, known: &KnownTypes) -> bool {
    match dialect {
        Dialect::Postgresql => {
            if column.enum_type {
                return true;
            }
            // SQLAlchemy's `_reflect_type`: arguments (`\((.*)\)`) and
            // array brackets removed.
            let text = column.type_text.trim_end_matches("[]");
            let name = match (text.find('('), text.rfind(')')) {
                (Some(i), Some(j)) if j > i => format!("{}{}", &text[..i], &text[j + 1..]),
                _ => text.to_string(),
            }
            .to_lowercase();
            name == "interval" || name.starts_with("interval ") || known.contains(&name)
        }
        Dialect::Mysql => {
            let text = column.type_text.to_lowercase();
            let end = text.find(['(', ' ']).unwrap_or(text.len());
            known.contains(&text[..end])
        }
        // `sqlite_type` answers `None` for what reflects as `NullType`.
        Dialect::Sqlite => true,
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

/// SQLite: the compiled spelling of the type SQLAlchemy's reflection makes
/// of the declared type (`_resolve_type_affinity`): a name from its
/// `ischema_names` (`BOOL` → `BOOLEAN`, `DATETIME_CHAR` → `DATETIME`), else
/// the affinity class the name implies (`BINARY(16)` → `NUMERIC(16)`,
/// `UNSIGNED BIG INT` → `INTEGER`), with the digits of the arguments
/// passed to it. `None` where the outcome is not a plain spelling: no type
/// or a `BLOB`-like name (`NullType`, which Alembic logs about instead of
/// comparing), arguments the class takes other than as a length or a
/// precision (SQLAlchemy warns, or compiles them differently).
fn sqlite_type(text: &str) -> Option<String> {
    let upper = text.to_uppercase();
    let name_len = upper
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ' '))
        .unwrap_or(upper.len());
    let name = &upper[..name_len];
    // `(\(.*?\))?` right after the name: up to the first `)`.
    let args = upper[name_len..]
        .strip_prefix('(')
        .and_then(|rest| rest.find(')').map(|j| &rest[..j]));
    let (class, takes) = sqlite_class(name)?;
    let digits: Vec<&str> = args
        .map(|a| {
            a.split(|c: char| !c.is_ascii_digit())
                .filter(|d| !d.is_empty())
                .collect()
        })
        .unwrap_or_default();
    if digits.is_empty() {
        return Some(class.to_string());
    }
    if digits.len() > takes {
        return None;
    }
    let digits: Vec<String> = digits
        .iter()
        .map(|d| d.trim_start_matches('0'))
        .map(|d| {
            if d.is_empty() {
                "0".into()
            } else {
                d.to_string()
            }
        })
        .collect();
    Some(format!("{class}({})", digits.join(", ")))
}

/// The class SQLAlchemy reflects an upper-cased SQLite type name as, and
/// how many integer arguments its spelling shows (a length, a precision
/// and scale); `None` for `NullType` and the classes not spelled plainly.
fn sqlite_class(name: &str) -> Option<(&str, usize)> {
    let known = match name {
        "BIGINT" | "BLOB" | "BOOLEAN" | "DATE" | "DATETIME" | "DOUBLE" | "FLOAT" | "INTEGER"
        | "JSON" | "REAL" | "SMALLINT" | "TIME" | "TIMESTAMP" => Some((name, 0)),
        "BOOL" => Some(("BOOLEAN", 0)),
        "INT" => Some(("INTEGER", 0)),
        "DATE_CHAR" => Some(("DATE", 0)),
        "DATETIME_CHAR" => Some(("DATETIME", 0)),
        "TIME_CHAR" => Some(("TIME", 0)),
        "CHAR" | "VARCHAR" | "NVARCHAR" | "NCHAR" | "TEXT" => Some((name, 1)),
        "DECIMAL" | "NUMERIC" => Some((name, 2)),
        _ => None,
    };
    if known.is_some() || name == "JSONB" {
        // JSONB is in `ischema_names` from SQLAlchemy 2.1 only.
        return known;
    }
    if name.contains("INT") {
        Some(("INTEGER", 0))
    } else if ["CHAR", "CLOB", "TEXT"].iter().any(|k| name.contains(k)) {
        Some(("TEXT", 1))
    } else if name.contains("BLOB") || name.is_empty() {
        None
    } else if ["REAL", "FLOA", "DOUB"].iter().any(|k| name.contains(k)) {
        Some(("REAL", 0))
    } else {
        Some(("NUMERIC", 2))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_types_are_not_recognised() {
        let col = |t: &str, enum_type| Column {
            type_text: t.into(),
            enum_type,
            ..Column::default()
        };
        // Some of SQLAlchemy 2.1's `ischema_names`.
        let known = KnownTypes::new(
            [
                "character varying",
                "timestamp with time zone",
                "integer",
                "int",
                "enum",
            ]
            .map(String::from),
        );
        let pg = |t, e| sqlalchemy_recognises(Dialect::Postgresql, &col(t, e), &known);
        assert!(pg("character varying(20)", false));
        assert!(pg("timestamp(3) with time zone", false));
        assert!(pg("integer[]", false));
        assert!(pg("interval day to second", false));
        assert!(pg("mood", true));
        assert!(pg("mood[]", true));
        // A composite type, an extension's, a domain: NullType, or left
        // to the host.
        assert!(!pg("pair", false));
        assert!(!pg("xml", false));
        assert!(!pg("posint", false));
        let my = |t| sqlalchemy_recognises(Dialect::Mysql, &col(t, false), &known);
        assert!(my("int(11) unsigned"));
        assert!(my("enum('a','b')"));
        assert!(!my("varchar(40)"));
        assert!(!my("inet6"));
        assert!(!my("point"));
    }

    #[test]
    fn mysql_types_compare_as_alembic_tokenises_them() {
        let my = |m: &str, r: &str| same_type(Dialect::Mysql, m, &mysql_type(r));
        assert!(my("INTEGER", "int(11)"));
        assert!(my("BIGINT", "bigint(20)"));
        assert!(my("BOOL", "tinyint(1)"));
        assert!(my("NUMERIC(10, 2)", "decimal(10,2)"));
        assert!(my("JSON", "longtext"));
        assert!(my("VARCHAR(50)", "varchar(50)"));
        assert!(my("INTEGER(11) UNSIGNED", "int(11) unsigned"));
        assert!(!my("VARCHAR(50)", "varchar(40)"));
        assert!(!my("NUMERIC(10, 2)", "decimal(12,2)"));
        assert!(!my("INTEGER", "bigint(20)"));
        // Stricter than Alembic: words after the name, enums.
        assert!(!my("INTEGER", "int(10) unsigned"));
        assert!(!my("VARCHAR(50) COLLATE utf8mb4_bin", "varchar(50)"));
        assert!(!my("ENUM('a','b')", "enum('b','a')"));
        assert!(my("ENUM('a','b')", "enum('a','b')"));
        // Other dialects: the same text only.
        assert!(!same_type(Dialect::Postgresql, "INTEGER", "INTEGER(11)"));
    }

    #[test]
    fn sqlite_names_resolve_as_sqlalchemy_reflects_them() {
        let s = |t| sqlite_type(t);
        assert_eq!(s("VARCHAR(50)").as_deref(), Some("VARCHAR(50)"));
        assert_eq!(s("numeric(10,2)").as_deref(), Some("NUMERIC(10, 2)"));
        assert_eq!(s("BOOL").as_deref(), Some("BOOLEAN"));
        assert_eq!(s("DATETIME_CHAR").as_deref(), Some("DATETIME"));
        // By affinity: advanced-alchemy's GUID on SQLite.
        assert_eq!(s("BINARY(16)").as_deref(), Some("NUMERIC(16)"));
        assert_eq!(s("UNSIGNED BIG INT").as_deref(), Some("INTEGER"));
        assert_eq!(s("CHARACTER(020)").as_deref(), Some("TEXT(20)"));
        assert_eq!(s("DOUBLE PRECISION").as_deref(), Some("REAL"));
        // NullType, and arguments SQLAlchemy warns about or drops.
        assert_eq!(s(""), None);
        assert_eq!(s("MEDIUMBLOB"), None);
        assert_eq!(s("INTEGER(11)"), None);
        assert_eq!(s("DATETIME(6)"), None);
        assert_eq!(s("JSONB"), None);
    }
}
