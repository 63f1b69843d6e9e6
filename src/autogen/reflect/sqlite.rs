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
/// One generation of the patterns SQLAlchemy's SQLite dialect reads
/// constraints from the `CREATE TABLE` text with (`get_foreign_keys`,
/// `get_unique_constraints`). Named groups stand for the positional ones
/// SQLAlchemy reads, so a release whose pattern lacks a group (no quoted
/// constraint names before 2.0.45) fits the same parser.
struct Syntax {
    /// Groups: `qname`/`name` (the constraint's), `cols`, `qref`/`ref` (the
    /// referred table), `rcols`, `actions`, `deferrable`, `initially`.
    fk: Regex,
    /// Groups: `qname`/`name`, `cols`.
    unique: Regex,
    /// Group 1 (quoted) or 2: the column with an inline `UNIQUE`.
    inline_unique: Regex,
}

/// The pieces of the patterns, spelled as SQLAlchemy spells them.
const FK_ACTIONS_SPACES: &str = r"(?P<actions>(?:ON (?:DELETE|UPDATE) (?:SET NULL|SET DEFAULT|CASCADE|RESTRICT|NO ACTION) *)*)(?P<deferrable>(?:NOT +)?DEFERRABLE)?(?: +INITIALLY +(?P<initially>DEFERRED|IMMEDIATE))?";
const FK_REFERENCES_SPACES: &str = r#"FOREIGN KEY *\( *(?P<cols>.+?) *\) +REFERENCES +(?:(?:"(?P<qref>.+?)")|(?P<ref>[a-z0-9_]+)) *"#;
const FK_RCOLS_LISTED: &str = r#"\( *(?P<rcols>(?:(?:"[^"]+"|[a-z0-9_]+) *(?:, *)?)+)\) *"#;
const INLINE_UNIQUE_HEAD: &str = r#"(?i)(?:(".+?")|(?:[\[`])?([a-z0-9_]+)(?:[\]`])?)"#;

/// What the SQLAlchemy this module follows (2.1) parses with.
static CURRENT: LazyLock<Syntax> = LazyLock::new(|| Syntax {
    fk: re(concat!(
        r#"(?i)(?:CONSTRAINT\s+(?:"(?P<qname>.+?)"|(?P<name>\w+))\s+)?"#,
        r"FOREIGN\s+KEY\s*\(\s*(?P<cols>.+?)\s*\)\s+",
        r#"REFERENCES\s+(?:(?:"(?P<qref>.+?)")|(?P<ref>[a-z0-9_]+))\s*\(\s*(?P<rcols>(?:"[^"]+"|[a-z0-9_]+)(?:(?:\s*,\s*|\s+)(?:"[^"]+"|[a-z0-9_]+))*\s*)\)\s*"#,
        r"(?P<actions>(?:ON\s+(?:DELETE|UPDATE)\s+",
        r"(?:SET\s+NULL|SET\s+DEFAULT|CASCADE|RESTRICT|",
        r"NO\s+ACTION)\s*)*)",
        r"(?P<deferrable>(?:NOT\s+)?DEFERRABLE)?",
        r"(?:\s+INITIALLY\s+(?P<initially>DEFERRED|IMMEDIATE))?",
    )),
    unique: re(UNIQUE_WS),
    inline_unique: re(&format!(
        r"{INLINE_UNIQUE_HEAD}[\t ]+[a-z0-9_]+(?:[\t ]+[a-z0-9_]+)*?[\t ]+UNIQUE"
    )),
});

const UNIQUE_WS: &str =
    r#"(?i)(?:CONSTRAINT\s+(?:"(?P<qname>.+?)"|(?P<name>\w+))\s+)?UNIQUE\s*\((?P<cols>.+?)\)"#;

/// The foreign key patterns of earlier releases: 2.0.0 to 2.0.20 (referred
/// columns as `.+?`), 2.0.21 to 2.0.44 (referred columns listed), 2.0.45
/// to 2.0.52 and 2.1's betas (quoted constraint names). All of them need
/// single spaces where 2.1 takes any whitespace (`ON DELETE` on its own
/// line is no action to them).
static EARLIER_FKS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    let plain_name = r"(?i)(?:CONSTRAINT (?P<name>\w+) +)?";
    let quoted_name = r#"(?i)(?:CONSTRAINT +(?:"(?P<qname>.+?)"|(?P<name>\w+)) +)?"#;
    vec![
        re(&format!(
            r"{plain_name}{FK_REFERENCES_SPACES}\((?P<rcols>.+?)\) *{FK_ACTIONS_SPACES}"
        )),
        re(&format!(
            "{plain_name}{FK_REFERENCES_SPACES}{FK_RCOLS_LISTED}{FK_ACTIONS_SPACES}"
        )),
        re(&format!(
            "{quoted_name}{FK_REFERENCES_SPACES}{FK_RCOLS_LISTED}{FK_ACTIONS_SPACES}"
        )),
    ]
});

/// The unique constraint patterns of earlier releases (2.0.0 to 2.0.44;
/// 2.0.45 to 2.0.52 and 2.1's betas), and their inline ones (2.0.0 to
/// 2.0.32; 2.0.33 to 2.0.51 and 2.1's betas). Which explicit pattern went
/// with which inline one is not assumed (2.0.52 pairs the second explicit
/// one with the current inline one): every pairing is tried.
static EARLIER_UNIQUES: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![
        re(r#"(?i)(?:CONSTRAINT "?(?P<name>.+?)"? +)?UNIQUE *\((?P<cols>.+?)\)"#),
        re(r#"(?i)(?:CONSTRAINT +(?:"(?P<qname>.+?)"|(?P<name>\w+)) +)?UNIQUE *\((?P<cols>.+?)\)"#),
    ]
});
static EARLIER_INLINE_UNIQUES: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    vec![
        re(&format!(r"{INLINE_UNIQUE_HEAD} +[a-z0-9_ ]+? +UNIQUE")),
        re(&format!(
            r"{INLINE_UNIQUE_HEAD}[\t ]+[a-z0-9_ ]+?[\t ]+UNIQUE"
        )),
    ]
});
static COLS_IN_SIG: LazyLock<Regex> = LazyLock::new(|| re(r#"(?i)(?:"(.+?)")|([a-z0-9_]+)"#));
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
        let (fks, uniques, varies) = constraints(&raw, &pks, &key_schema);
        table.foreign_keys = fks;
        table.unique_constraints = uniques;
        table.parse_varies = varies;
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

/// The foreign keys as the pragma gives them: columns and the referred
/// table, no names or options yet.
fn pragma_foreign_keys(
    raw: &Raw,
    pks: &HashMap<String, Vec<String>>,
    schema: &Option<String>,
) -> Vec<ForeignKey> {
    raw.fks
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
        .collect()
}

/// What `get_foreign_keys` makes of `pragma` and the table's SQL with one
/// generation's pattern. The flag is set when SQLAlchemy would warn ("SQL-parsed
/// foreign key constraint ... could not be located in PRAGMA
/// foreign_keys") or its signature dictionary would merge two keys.
fn foreign_keys(sql: &str, pattern: &Regex, pragma: &[ForeignKey]) -> (Vec<ForeignKey>, bool) {
    let sig = |fk: &ForeignKey| {
        (
            fk.columns.clone(),
            fk.referred_table.clone(),
            fk.referred_columns.clone(),
        )
    };
    let mut pending = pragma.to_vec();
    let mut irregular = pending
        .iter()
        .enumerate()
        .any(|(i, a)| pending[..i].iter().any(|b| sig(a) == sig(b)));
    // From the SQL: names and options, matched on the signature.
    let mut out = Vec::new();
    for c in pattern.captures_iter(sql) {
        let get = |group: &str| c.name(group).map(|m| m.as_str());
        let name = get("qname").or(get("name")).map(str::to_string);
        let constrained = cols_in_sig(get("cols").unwrap_or(""));
        let referred = match get("rcols") {
            Some(r) if !r.is_empty() => cols_in_sig(r),
            _ => constrained.clone(),
        };
        let rtable = get("qref").or(get("ref")).unwrap_or("").to_string();
        let Some(pos) = pending
            .iter()
            .position(|fk| sig(fk) == (constrained.clone(), rtable.clone(), referred.clone()))
        else {
            irregular = true;
            continue;
        };
        let mut fk = pending.remove(pos);
        fk.name = name;
        let actions = WS
            .replace_all(&get("actions").unwrap_or("").to_uppercase(), " ")
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
        if let Some(d) = get("deferrable") {
            fk.deferrable = Some(!d.to_uppercase().contains("NOT"));
        }
        fk.initially = get("initially").map(str::to_uppercase);
        out.push(fk);
    }
    out.extend(pending);
    (out, irregular)
}

/// What `get_unique_constraints` makes of the table's automatic indexes and
/// its SQL with one generation's patterns.
fn unique_constraints(raw: &Raw, unique: &Regex, inline_unique: &Regex) -> Vec<UniqueConstraint> {
    let mut auto: Vec<Vec<String>> = raw
        .indexes
        .iter()
        .filter(|i| i.name.starts_with("sqlite_autoindex") && i.columns.iter().all(Option::is_some))
        .map(|i| i.columns.iter().flatten().cloned().collect())
        .collect();
    let mut parsed: Vec<(Option<String>, Vec<String>)> = unique
        .captures_iter(&raw.sql)
        .map(|c| {
            (
                c.name("qname")
                    .or(c.name("name"))
                    .map(|m| m.as_str().to_string()),
                cols_in_sig(c.name("cols").map_or("", |m| m.as_str())),
            )
        })
        .collect();
    parsed.extend(inline_unique.captures_iter(&raw.sql).map(|c| {
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

/// Parses the table's foreign keys and unique constraints as the current
/// SQLAlchemy does, and says whether any earlier 2.x release (or the
/// current one, through a warning) would see them differently.
fn constraints(
    raw: &Raw,
    pks: &HashMap<String, Vec<String>>,
    schema: &Option<String>,
) -> (Vec<ForeignKey>, Vec<UniqueConstraint>, bool) {
    let pragma = pragma_foreign_keys(raw, pks, schema);
    let (fks, irregular) = foreign_keys(&raw.sql, &CURRENT.fk, &pragma);
    let uniques = unique_constraints(raw, &CURRENT.unique, &CURRENT.inline_unique);
    let varies = irregular
        || EARLIER_FKS
            .iter()
            .any(|p| foreign_keys(&raw.sql, p, &pragma) != (fks.clone(), false))
        || EARLIER_UNIQUES.iter().chain([&CURRENT.unique]).any(|u| {
            EARLIER_INLINE_UNIQUES
                .iter()
                .chain([&CURRENT.inline_unique])
                .any(|iu| unique_constraints(raw, u, iu) != uniques)
        });
    (fks, uniques, varies)
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
            &CURRENT.fk,
            &CURRENT.unique,
            &CURRENT.inline_unique,
            &*COLS_IN_SIG,
            &*CHECK_PATTERN,
            &*PARTIAL_PRED,
            &*CREATE_TABLE_BODY,
        ]
        .into_iter()
        .chain(EARLIER_FKS.iter())
        .chain(EARLIER_UNIQUES.iter())
        .chain(EARLIER_INLINE_UNIQUES.iter())
        {
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

    /// `members` as `CREATE TABLE` text, with a foreign key to `orgs` and a
    /// unique constraint on `code`, as the pragmas report them.
    fn members(sql: &str) -> (Vec<ForeignKey>, Vec<UniqueConstraint>, bool) {
        let raw = Raw {
            sql: sql.to_string(),
            pk: vec![("id".into(), 1)],
            indexes: vec![RawIndex {
                name: "sqlite_autoindex_members_1".into(),
                unique: true,
                partial: false,
                sql: None,
                columns: vec![Some("code".into())],
            }],
            fks: vec![RawFk {
                id: 0,
                table: "orgs".into(),
                pairs: vec![("org_id".into(), Some("id".into()))],
            }],
        };
        constraints(&raw, &HashMap::new(), &None)
    }

    #[test]
    fn sqlalchemy_ddl_parses_alike_in_every_release() {
        let (fks, uqs, varies) = members(
            "CREATE TABLE members (\n\tid INTEGER NOT NULL, \n\torg_id INTEGER, \n\t\
             code VARCHAR(10), \n\tPRIMARY KEY (id), \n\t\
             CONSTRAINT fk_org FOREIGN KEY(org_id) REFERENCES orgs (id) ON DELETE CASCADE, \n\t\
             CONSTRAINT uq_code UNIQUE (code)\n)",
        );
        assert!(!varies);
        assert_eq!(fks[0].name.as_deref(), Some("fk_org"));
        assert_eq!(fks[0].ondelete.as_deref(), Some("CASCADE"));
        assert_eq!(uqs[0].name.as_deref(), Some("uq_code"));
    }

    #[test]
    fn actions_on_their_own_line_vary() {
        // SQLAlchemy 2.0.44 and earlier read no action here.
        let (fks, _, varies) = members(
            "CREATE TABLE members (id INTEGER PRIMARY KEY, org_id INTEGER, code VARCHAR(10) UNIQUE,
               CONSTRAINT fk_org FOREIGN KEY (org_id) REFERENCES orgs (id)
                  ON DELETE CASCADE)",
        );
        assert_eq!(fks[0].ondelete.as_deref(), Some("CASCADE"));
        assert!(varies);
    }

    #[test]
    fn quoted_constraint_names_vary() {
        // Before 2.0.45 a quoted foreign key name was not read.
        let (fks, _, varies) = members(
            "CREATE TABLE members (id INTEGER PRIMARY KEY, org_id INTEGER, code VARCHAR(10) UNIQUE, \
             CONSTRAINT \"Fk_Org\" FOREIGN KEY (org_id) REFERENCES orgs (id))",
        );
        assert_eq!(fks[0].name.as_deref(), Some("Fk_Org"));
        assert!(varies);
        // A quoted unique constraint name without spaces reads alike.
        let (_, uqs, varies) = members(
            "CREATE TABLE members (id INTEGER PRIMARY KEY, org_id INTEGER REFERENCES orgs (id), \
             code VARCHAR(10), CONSTRAINT \"Uq_Code\" UNIQUE (code))",
        );
        assert_eq!(uqs[0].name.as_deref(), Some("Uq_Code"));
        assert!(!varies);
    }

    #[test]
    fn unlocated_foreign_keys_vary() {
        // SQLAlchemy warns that the parsed key is not in the pragma's list.
        let (_, _, varies) = members(
            "CREATE TABLE members (id INTEGER PRIMARY KEY, org_id INTEGER, code VARCHAR(10) UNIQUE, \
             FOREIGN KEY (org_id) REFERENCES orgs (id), FOREIGN KEY (code) REFERENCES other (c))",
        );
        assert!(varies);
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
