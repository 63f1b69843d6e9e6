//! SQLite reflection: three queries joining `sqlite_master` with the pragma
//! table-valued functions (columns, indexes, foreign keys) for every table
//! at once, plus the parsing of the stored `CREATE TABLE` text that
//! SQLAlchemy's SQLite dialect does for what the pragmas do not tell
//! (constraint names, `UNIQUE` constraints versus unique indexes, `CHECK`
//! constraints, foreign key actions; see `sqlalchemy/dialects/sqlite/base.py`
//! `get_pk_constraint`, `get_foreign_keys`, `get_unique_constraints`,
//! `get_check_constraints`, `get_indexes`). The regular expressions below
//! are SQLAlchemy's, so names and texts come out exactly as the Inspector
//! reports them, including its blind spots (an inline `REFERENCES ... ON
//! DELETE CASCADE` has no options; expression indexes are not reported).

use std::collections::HashMap;
use std::sync::LazyLock;

use indexmap::IndexMap;
use regex::Regex;

use crate::autogen::model::{
    CheckConstraint, Column, Computed, ForeignKey, Index, PrimaryKey, Schema, Table,
    UniqueConstraint,
};
use crate::db::{Connection, Dialect};

use super::{ReflectError, ReflectOptions, Row, find_matching_paren, sql_literal};

/// Compiles one of the fixed patterns below. They are literals checked by
/// the unit tests, so failure cannot happen at run time; an impossible
/// failure degrades to a pattern that never matches rather than a panic.
fn re(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|_| Regex::new(r"[^\s\S]").expect("never-matching regex"))
}

static PK_NAME: LazyLock<Regex> =
    LazyLock::new(|| re(r#"(?i)CONSTRAINT\s+(?:"(.+?)"|(\w+))\s+PRIMARY\s+KEY"#));
static FK_PATTERN: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r#"(?i)(?:CONSTRAINT\s+(?:"(.+?)"|(\w+))\s+)?"#,
        r"FOREIGN\s+KEY\s*\(\s*(.+?)\s*\)\s+",
        r#"REFERENCES\s+(?:(?:"(.+?)")|([a-z0-9_]+))\s*\(\s*((?:"[^"]+"|[a-z0-9_]+)(?:(?:\s*,\s*|\s+)(?:"[^"]+"|[a-z0-9_]+))*\s*)\)\s*"#,
        r"((?:ON\s+(?:DELETE|UPDATE)\s+",
        r"(?:SET\s+NULL|SET\s+DEFAULT|CASCADE|RESTRICT|",
        r"NO\s+ACTION)\s*)*)",
        r"((?:NOT\s+)?DEFERRABLE)?",
        r"(?:\s+INITIALLY\s+(DEFERRED|IMMEDIATE))?",
    ))
});
static COLS_IN_SIG: LazyLock<Regex> = LazyLock::new(|| re(r#"(?i)(?:"(.+?)")|([a-z0-9_]+)"#));
static UNIQUE_PATTERN: LazyLock<Regex> =
    LazyLock::new(|| re(r#"(?i)(?:CONSTRAINT\s+(?:"(.+?)"|(\w+))\s+)?UNIQUE\s*\((.+?)\)"#));
static INLINE_UNIQUE_PATTERN: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r#"(?i)(?:(".+?")|(?:[\[`])?([a-z0-9_]+)(?:[\]`])?)[\t ]"#,
        r"+[a-z0-9_]+(?:[\t ]+[a-z0-9_]+)*?[\t ]+UNIQUE",
    ))
});
/// SQLAlchemy's CHECK pattern without its `(?<![A-Za-z0-9_])` lookbehind,
/// which [`check_constraints`] applies by hand.
static CHECK_PATTERN: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r#"(?i)(?:CONSTRAINT\s+("(?:[^"]|"")+"|'(?:[^']|'')+'|\[(?:[^\]]|\]\])+\]|`(?:[^`]|``)+`|\S+)\s+)?"#,
        r"CHECK\s*\(",
    ))
});
static PARTIAL_PRED: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\)\s+where\s+(.+)"));
static CREATE_TABLE_BODY: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?is)^create table .*?\((.*)\)(?:\s*,?\s*(?:WITHOUT\s+ROWID|STRICT))*$"));
static WS: LazyLock<Regex> = LazyLock::new(|| re(r"\s+"));
static ON_SPLIT: LazyLock<Regex> = LazyLock::new(|| re(r" *\bON\b *"));

pub(super) fn reflect(
    conn: &mut Connection,
    options: &ReflectOptions,
) -> Result<Schema, ReflectError> {
    let mut schema = Schema::default();
    for s in &options.schemas {
        let key_schema = s.clone().filter(|s| s != "main");
        reflect_one(conn, key_schema, &mut schema.tables)?;
    }
    Ok(schema)
}

/// What the pragmas give per table, before the SQL text is parsed.
#[derive(Default)]
struct Raw {
    sql: String,
    /// (column, pk position) for primary key columns.
    pk: Vec<(String, i64)>,
    indexes: Vec<RawIndex>,
    fks: Vec<RawFk>,
}

/// One `pragma_index_list` entry with its `pragma_index_info` columns.
struct RawIndex {
    name: String,
    unique: bool,
    partial: bool,
    /// The `CREATE INDEX` text (`None` for automatic indexes).
    sql: Option<String>,
    /// `None` for an expression element.
    columns: Vec<Option<String>>,
}

/// One foreign key of `pragma_foreign_key_list` (rows grouped by `id`).
struct RawFk {
    id: i64,
    table: String,
    /// (from, to); `to` is `None` when the DDL named no referred columns.
    pairs: Vec<(String, Option<String>)>,
}

fn reflect_one(
    conn: &mut Connection,
    key_schema: Option<String>,
    out: &mut IndexMap<(Option<String>, String), Table>,
) -> Result<(), ReflectError> {
    let (master, arg) = match &key_schema {
        Some(s) => (
            format!("\"{}\".sqlite_master", s.replace('"', "\"\"")),
            format!(", {}", sql_literal(s, Dialect::Sqlite)),
        ),
        None => ("main.sqlite_master".to_string(), ", 'main'".to_string()),
    };
    let tables_filter = "m.type = 'table' AND m.name NOT LIKE 'sqlite~_%' ESCAPE '~'".to_string();

    let mut tables: IndexMap<String, (Table, Raw)> = IndexMap::new();
    let sql = format!(
        "SELECT m.name, m.sql, p.name, p.type, p.\"notnull\", p.dflt_value, p.pk, p.hidden \
         FROM {master} m JOIN pragma_table_xinfo(m.name{arg}) p \
         WHERE {tables_filter} ORDER BY m.name, p.cid"
    );
    for cells in conn.execute(&sql, &[])?.rows {
        let row = Row::new(&cells, "pragma_table_xinfo");
        let table_name = row.text(0)?;
        let (table, raw) = tables.entry(table_name.clone()).or_insert_with(|| {
            (
                Table {
                    name: table_name.clone(),
                    schema: key_schema.clone(),
                    ..Table::default()
                },
                Raw::default(),
            )
        });
        if raw.sql.is_empty() {
            raw.sql = row.opt_text(1)?.unwrap_or_default();
        }
        let hidden = row.int(7)?;
        if hidden == 1 {
            continue;
        }
        let name = row.text(2)?;
        let mut type_text = row.opt_text(3)?.unwrap_or_default();
        let pk = row.int(6)?;
        if pk > 0 {
            raw.pk.push((name.clone(), pk));
        }
        let computed = if hidden == 2 || hidden == 3 {
            // The pragma reports "INTEGER GENERATED ALWAYS" as the type of
            // `x INTEGER GENERATED ALWAYS AS (...)`; SQLAlchemy drops the
            // two words.
            type_text = remove_word(&remove_word(&type_text, "generated"), "always")
                .trim()
                .to_string();
            Some(Computed {
                sqltext: generated_sqltext(&raw.sql, &name),
                persisted: Some(hidden == 3),
            })
        } else {
            None
        };
        table.columns.push(Column {
            name,
            type_text,
            nullable: !row.bool(4)?,
            server_default: row.opt_text(5)?,
            autoincrement: None,
            identity: None,
            computed,
            comment: None,
            enum_type: false,
        });
    }

    let sql = format!(
        "SELECT m.name, il.name, il.\"unique\", il.partial, ii.name, im.sql \
         FROM {master} m JOIN pragma_index_list(m.name{arg}) il \
         JOIN pragma_index_info(il.name{arg}) ii \
         LEFT JOIN {master} im ON im.type = 'index' AND im.name = il.name \
         WHERE {tables_filter} ORDER BY m.name, il.name, ii.seqno"
    );
    for cells in conn.execute(&sql, &[])?.rows {
        let row = Row::new(&cells, "pragma_index_list");
        let Some((_, raw)) = tables.get_mut(&row.text(0)?) else {
            continue;
        };
        let name = row.text(1)?;
        let col = row.opt_text(4)?;
        match raw.indexes.last_mut() {
            Some(last) if last.name == name => last.columns.push(col),
            _ => raw.indexes.push(RawIndex {
                name,
                unique: row.bool(2)?,
                partial: row.bool(3)?,
                sql: row.opt_text(5)?,
                columns: vec![col],
            }),
        }
    }

    let sql = format!(
        "SELECT m.name, f.id, f.\"table\", f.\"from\", f.\"to\" \
         FROM {master} m JOIN pragma_foreign_key_list(m.name{arg}) f \
         WHERE {tables_filter} ORDER BY m.name, f.id, f.seq"
    );
    for cells in conn.execute(&sql, &[])?.rows {
        let row = Row::new(&cells, "pragma_foreign_key_list");
        let Some((_, raw)) = tables.get_mut(&row.text(0)?) else {
            continue;
        };
        let id = row.int(1)?;
        let pair = (row.text(3)?, row.opt_text(4)?);
        match raw.fks.last_mut() {
            Some(last) if last.id == id => last.pairs.push(pair),
            _ => raw.fks.push(RawFk {
                id,
                table: row.text(2)?,
                pairs: vec![pair],
            }),
        }
    }

    // Primary keys first: an FK naming no referred columns refers to the
    // referred table's primary key.
    let pks: HashMap<String, Vec<String>> = tables
        .iter()
        .map(|(name, (_, raw))| {
            let mut pk = raw.pk.clone();
            pk.sort_by_key(|(_, pos)| *pos);
            (name.clone(), pk.into_iter().map(|(c, _)| c).collect())
        })
        .collect();

    for (name, (mut table, raw)) in tables {
        let pk_cols = pks.get(&name).cloned().unwrap_or_default();
        if !pk_cols.is_empty() {
            table.primary_key = Some(PrimaryKey {
                name: PK_NAME
                    .captures(&raw.sql)
                    .and_then(|c| c.get(1).or(c.get(2)))
                    .map(|m| m.as_str().to_string()),
                columns: pk_cols,
            });
        }
        table.foreign_keys = foreign_keys(&raw, &pks, &key_schema);
        table.unique_constraints = unique_constraints(&raw);
        table.check_constraints = check_constraints(&raw.sql);
        table.indexes = indexes(&raw);
        table.skipped_indexes = raw
            .indexes
            .iter()
            .filter(|i| !i.name.starts_with("sqlite_autoindex"))
            .filter(|i| i.columns.iter().any(Option::is_none))
            .map(|i| i.name.clone())
            .collect();
        out.insert((key_schema.clone(), name), table);
    }
    Ok(())
}

/// `re.sub(word, "", text, flags=re.IGNORECASE)`.
fn remove_word(text: &str, word: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::new();
    let mut i = 0;
    while let Some(pos) = lower[i..].find(word) {
        out.push_str(&text[i..i + pos]);
        i += pos + word.len();
    }
    out.push_str(&text[i..]);
    out
}

/// The expression of a generated column, found in the table's SQL as
/// SQLAlchemy finds it (`name[^,]*\s+GENERATED\s+ALWAYS\s+AS\s+\((.*)\)`).
fn generated_sqltext(table_sql: &str, column: &str) -> String {
    let Some(body) = CREATE_TABLE_BODY
        .captures(table_sql.trim())
        .and_then(|c| c.get(1))
    else {
        return String::new();
    };
    let pattern = format!(
        r"(?i){}[^,]*\s+GENERATED\s+ALWAYS\s+AS\s+\((.*)\)\s*(?:virtual|stored)?",
        regex::escape(column)
    );
    Regex::new(&pattern)
        .ok()
        .and_then(|r| {
            r.captures(body.as_str().trim())
                .and_then(|c| c.get(1))
                .map(|m| m.as_str().to_string())
        })
        .unwrap_or_default()
}

/// Column names in a parsed column list (`_find_cols_in_sig`).
fn cols_in_sig(sig: &str) -> Vec<String> {
    COLS_IN_SIG
        .captures_iter(sig)
        .filter_map(|c| c.get(1).or(c.get(2)).map(|m| m.as_str().to_string()))
        .collect()
}

fn foreign_keys(
    raw: &Raw,
    pks: &HashMap<String, Vec<String>>,
    schema: &Option<String>,
) -> Vec<ForeignKey> {
    // From the pragma: columns and the referred table.
    let mut pending: Vec<ForeignKey> = raw
        .fks
        .iter()
        .map(
            |RawFk {
                 table: rtbl, pairs, ..
             }| {
                let referred_columns = if pairs.first().is_some_and(|p| p.1.is_none()) {
                    pks.get(rtbl).cloned().unwrap_or_default()
                } else {
                    pairs.iter().filter_map(|p| p.1.clone()).collect()
                };
                ForeignKey {
                    columns: pairs.iter().map(|p| p.0.clone()).collect(),
                    referred_schema: schema.clone(),
                    referred_table: rtbl.clone(),
                    referred_columns,
                    ..ForeignKey::default()
                }
            },
        )
        .collect();
    // From the SQL: names and options, matched on the signature.
    let mut out = Vec::new();
    for c in FK_PATTERN.captures_iter(&raw.sql) {
        let get = |i: usize| c.get(i).map(|m| m.as_str());
        let name = get(1).or(get(2)).map(str::to_string);
        let constrained = cols_in_sig(get(3).unwrap_or(""));
        let referred = match get(6) {
            Some(r) if !r.is_empty() => cols_in_sig(r),
            _ => constrained.clone(),
        };
        let rtable = get(4).or(get(5)).unwrap_or("").to_string();
        let Some(pos) = pending.iter().position(|fk| {
            fk.columns == constrained
                && fk.referred_table == rtable
                && fk.referred_columns == referred
        }) else {
            continue;
        };
        let mut fk = pending.remove(pos);
        fk.name = name;
        let actions = WS
            .replace_all(&get(7).unwrap_or("").to_uppercase(), " ")
            .trim()
            .to_string();
        for token in ON_SPLIT.split(&actions) {
            if let Some(rest) = token.strip_prefix("DELETE") {
                let v = rest.trim();
                if !v.is_empty() && v != "NO ACTION" {
                    fk.ondelete = Some(v.to_string());
                }
            } else if let Some(rest) = token.strip_prefix("UPDATE") {
                let v = rest.trim();
                if !v.is_empty() && v != "NO ACTION" {
                    fk.onupdate = Some(v.to_string());
                }
            }
        }
        if let Some(d) = get(8) {
            fk.deferrable = Some(!d.to_uppercase().contains("NOT"));
        }
        fk.initially = get(9).map(str::to_uppercase);
        out.push(fk);
    }
    out.extend(pending);
    out
}

fn unique_constraints(raw: &Raw) -> Vec<UniqueConstraint> {
    let mut auto: Vec<Vec<String>> = raw
        .indexes
        .iter()
        .filter(|i| i.name.starts_with("sqlite_autoindex") && i.columns.iter().all(Option::is_some))
        .map(|i| i.columns.iter().flatten().cloned().collect())
        .collect();
    let mut parsed: Vec<(Option<String>, Vec<String>)> = UNIQUE_PATTERN
        .captures_iter(&raw.sql)
        .map(|c| {
            (
                c.get(1).or(c.get(2)).map(|m| m.as_str().to_string()),
                cols_in_sig(c.get(3).map_or("", |m| m.as_str())),
            )
        })
        .collect();
    parsed.extend(INLINE_UNIQUE_PATTERN.captures_iter(&raw.sql).map(|c| {
        (
            None,
            cols_in_sig(c.get(1).or(c.get(2)).map_or("", |m| m.as_str())),
        )
    }));
    let mut out = Vec::new();
    for (name, cols) in parsed {
        if let Some(pos) = auto.iter().position(|a| *a == cols) {
            auto.remove(pos);
            out.push(UniqueConstraint {
                name,
                columns: cols,
                ..UniqueConstraint::default()
            });
        }
    }
    out
}

/// `CONSTRAINT name` with its quotes removed, as SQLAlchemy does (doubled
/// quotes inside are left alone).
fn unquote_check_name(name: &str) -> String {
    let b = name.as_bytes();
    if b.len() >= 3 {
        let (first, last) = (b[0], b[b.len() - 1]);
        if matches!(first, b'"' | b'\'' | b'`') && first == last || (first == b'[' && last == b']')
        {
            return name[1..name.len() - 1].to_string();
        }
    }
    name.to_string()
}

fn check_constraints(sql: &str) -> Vec<CheckConstraint> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(c) = CHECK_PATTERN.captures_at(sql, at) {
        let Some(whole) = c.get(0) else { break };
        let before = sql[..whole.start()].chars().next_back();
        if before.is_some_and(|ch| ch.is_ascii_alphanumeric() || ch == '_') {
            // SQLAlchemy's lookbehind: "tableCHECK (" is not a CHECK.
            at = whole.start()
                + sql[whole.start()..]
                    .chars()
                    .next()
                    .map_or(1, char::len_utf8);
            continue;
        }
        at = whole.end();
        let name = c.get(1).map(|m| unquote_check_name(m.as_str()));
        if let Some(close) = find_matching_paren(sql, whole.end() - 1) {
            out.push(CheckConstraint {
                name,
                sqltext: sql[whole.end()..close].trim().to_string(),
                comment: None,
            });
        }
    }
    // Named first, by name; unnamed last (SQLAlchemy sorts None as "~").
    out.sort_by(|a, b| {
        a.name
            .as_deref()
            .unwrap_or("~")
            .cmp(b.name.as_deref().unwrap_or("~"))
    });
    out
}

fn indexes(raw: &Raw) -> Vec<Index> {
    let mut out: Vec<Index> = raw
        .indexes
        .iter()
        .filter(|i| !i.name.starts_with("sqlite_autoindex"))
        // SQLAlchemy skips expression indexes ("Skipped unsupported
        // reflection of expression-based index"; `Table::skipped_indexes`).
        .filter(|i| i.columns.iter().all(Option::is_some))
        .map(
            |RawIndex {
                 name,
                 unique,
                 partial,
                 sql,
                 columns: cols,
             }| {
                let mut idx = Index {
                    name: Some(name.clone()),
                    columns: cols.clone(),
                    unique: *unique,
                    ..Index::default()
                };
                if *partial {
                    idx.options.where_ = sql
                        .as_deref()
                        .and_then(|s| PARTIAL_PRED.captures(s))
                        .and_then(|c| c.get(1))
                        .map(|m| m.as_str().to_string());
                }
                idx
            },
        )
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_compile() {
        for r in [
            &*PK_NAME,
            &*FK_PATTERN,
            &*COLS_IN_SIG,
            &*UNIQUE_PATTERN,
            &*INLINE_UNIQUE_PATTERN,
            &*CHECK_PATTERN,
            &*PARTIAL_PRED,
            &*CREATE_TABLE_BODY,
        ] {
            assert!(!r.is_match(""), "{r} must be a real pattern");
        }
    }

    #[test]
    fn checks_like_sqlalchemy() {
        let sql = "CREATE TABLE tableCHECK (a INT CHECK (a > 0), \
                   CONSTRAINT \"ck b\" CHECK (b IN ('(', ')')))";
        let cks = check_constraints(sql);
        assert_eq!(cks.len(), 2);
        assert_eq!(cks[0].name.as_deref(), Some("ck b"));
        assert_eq!(cks[0].sqltext, "b IN ('(', ')')");
        assert_eq!(cks[1].name, None);
        assert_eq!(cks[1].sqltext, "a > 0");
    }

    #[test]
    fn removes_generated_words() {
        assert_eq!(
            remove_word(
                &remove_word("INTEGER GENERATED ALWAYS", "generated"),
                "always"
            )
            .trim(),
            "INTEGER"
        );
    }
}
