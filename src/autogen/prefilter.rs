//! The pre-pass that makes autogenerate fast on large schemas: every table
//! that is in both the models and the database is checked here, in Rust,
//! against the reflected schema; the tables proven identical are skipped by
//! the host's full comparison (Alembic's rules, on SQLAlchemy objects), which
//! then reflects and compares only the few tables that may differ.
//!
//! The test is deliberately strict: "identical" needs every aspect Alembic
//! compares to be equal in the plainest form (same column set, nullability,
//! compiled type text, comments, the same indexes, unique constraints and
//! foreign keys, nothing this module cannot read). Anything else, including
//! differences Alembic would forgive (type synonyms, MySQL's implicit
//! indexes), only makes a table a candidate; the host decides. A wrong
//! "identical" would hide a change, a wrong "candidate" costs a little time.

use std::collections::HashMap;

use super::metadata::ModelTable;
use super::model::{ForeignKey, Schema, Table, TableKey};
use super::types::{KnownTypes, compiled_spelling, same_type, sqlalchemy_recognises};
use crate::db::Dialect;

/// The comparison switches of `context.configure()` that change what
/// "identical" means (callables never reach here: they disable the pass).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrefilterOptions {
    pub compare_type: bool,
    pub compare_server_default: bool,
}

/// The keys of the model tables that match their reflected table exactly.
pub fn identical_tables(
    dialect: Dialect,
    reflected: &Schema,
    models: &[ModelTable],
    options: PrefilterOptions,
    known: &KnownTypes,
) -> Vec<TableKey> {
    models
        .iter()
        .filter(|m| !m.opaque)
        .filter_map(|m| {
            let key = (m.schema.clone(), m.name.clone());
            let table = reflected.tables.get(&key)?;
            same_table(dialect, m, table, options, known).then_some(key)
        })
        .collect()
}

/// PostgreSQL: the integer columns of `keys` whose default is
/// `nextval('<seq>'::regclass)`, as `(schema, table, column, seq)`. Alembic
/// logs "Detected sequence named ... assuming SERIAL" while reflecting each
/// table (`PostgresqlImpl.autogen_column_reflect`); for the tables the host
/// does not reflect, it checks these candidates' ownership in one query and
/// logs the same lines.
pub fn serial_candidates(
    reflected: &Schema,
    keys: &[TableKey],
) -> Vec<(Option<String>, String, String, String)> {
    let mut out = Vec::new();
    for key in keys {
        let Some(table) = reflected.tables.get(key) else {
            continue;
        };
        for c in &table.columns {
            if !matches!(c.type_text.as_str(), "integer" | "bigint") {
                continue;
            }
            let seq = c.server_default.as_deref().and_then(|d| {
                d.strip_prefix("nextval('")
                    .and_then(|rest| rest.find("'::regclass)").map(|end| &rest[..end]))
            });
            if let Some(seq) = seq {
                out.push((
                    key.0.clone(),
                    key.1.clone(),
                    c.name.clone(),
                    seq.to_string(),
                ));
            }
        }
    }
    out
}

fn same_table(
    dialect: Dialect,
    m: &ModelTable,
    t: &Table,
    o: PrefilterOptions,
    known: &KnownTypes,
) -> bool {
    let adjusted;
    let t = if dialect == Dialect::Mysql {
        match mysql_as_compared(m, t) {
            Some(a) => {
                adjusted = a;
                &adjusted
            }
            None => return false,
        }
    } else {
        t
    };
    let comments = dialect != Dialect::Sqlite;
    t.skipped_indexes.is_empty()
        && !t.parse_varies
        && (!comments || same_comment(&m.comment, &t.comment))
        && same_columns(dialect, m, t, o, comments, known)
        && same_indexes(m, t)
        && same_uniques(m, t)
        && same_foreign_keys(m, t)
}

/// A MySQL table's keys as Alembic compares them with these models. A
/// unique key is reflected both as a unique constraint and as a unique
/// index of the same name; Alembic keeps the constraint where the models
/// name a constraint so, the index where they name a unique index so
/// (`_correct_for_uq_duplicates_uix`). The index MySQL adds for a foreign
/// key (named after the key, or after its column) is dropped
/// (`MySQLImpl.correct_for_autogen_constraints`). Every other case stays
/// as reflected, so it can only make a candidate; `None` where a model
/// index of a dropped index's name would need Alembic's further
/// corrections.
fn mysql_as_compared(m: &ModelTable, t: &Table) -> Option<Table> {
    let model_uniques: Vec<&str> = m.uniques.iter().filter_map(|u| u.name.as_deref()).collect();
    let model_unique_indexes: Vec<&str> = m
        .indexes
        .iter()
        .filter(|ix| ix.unique)
        .filter_map(|ix| ix.name.as_deref())
        .collect();
    let mut t = t.clone();
    let mut index_only = Vec::new();
    let mut constraint_only = Vec::new();
    for u in &t.unique_constraints {
        let Some(name) = u.name.as_deref() else {
            continue;
        };
        match (
            model_uniques.contains(&name),
            model_unique_indexes.contains(&name),
        ) {
            (true, false) => constraint_only.push(name.to_string()),
            (false, true) => index_only.push(name.to_string()),
            _ => {}
        }
    }
    t.unique_constraints
        .retain(|u| !u.name.as_ref().is_some_and(|n| index_only.contains(n)));
    let implied_by_fk = |ix: &super::model::Index| {
        let Some(name) = ix.name.as_deref() else {
            return false;
        };
        !ix.unique
            && ix.columns.iter().flatten().any(|c| {
                c == name
                    || t.foreign_keys
                        .iter()
                        .any(|fk| fk.name.as_deref() == Some(name) && fk.columns.contains(c))
            })
    };
    let implied: Vec<String> = t
        .indexes
        .iter()
        .filter(|ix| implied_by_fk(ix))
        .filter_map(|ix| ix.name.clone())
        .collect();
    if m.indexes
        .iter()
        .any(|ix| ix.name.as_ref().is_some_and(|n| implied.contains(n)))
    {
        return None;
    }
    t.indexes.retain(|ix| {
        !ix.name
            .as_ref()
            .is_some_and(|n| implied.contains(n) || constraint_only.contains(n))
    });
    Some(t)
}

/// Alembic 1.20.1 treats an empty comment as no comment.
fn same_comment(a: &Option<String>, b: &Option<String>) -> bool {
    let norm = |c: &Option<String>| c.as_deref().filter(|s| !s.is_empty()).map(str::to_string);
    norm(a) == norm(b)
}

fn same_columns(
    dialect: Dialect,
    m: &ModelTable,
    t: &Table,
    o: PrefilterOptions,
    comments: bool,
    known: &KnownTypes,
) -> bool {
    if m.columns.len() != t.columns.len() {
        return false;
    }
    m.columns.iter().all(|mc| {
        let Some(rc) = t.column(&mc.name) else {
            return false;
        };
        if mc.nullable != rc.nullable || !sqlalchemy_recognises(dialect, rc, known) {
            return false;
        }
        if comments && !same_comment(&mc.comment, &rc.comment) {
            return false;
        }
        if o.compare_server_default
            && (mc.has_server_default
                || rc.server_default.is_some()
                || rc.computed.is_some()
                || rc.identity.is_some())
        {
            return false;
        }
        if o.compare_type {
            let Some(compiled) = &mc.type_compiled else {
                return false;
            };
            match compiled_spelling(dialect, &rc.type_text) {
                Some(reflected) if same_type(dialect, compiled, &reflected) => {}
                _ => return false,
            }
        }
        true
    })
}

/// Equal as multisets.
fn same_multiset<K: Eq + std::hash::Hash>(a: Vec<K>, b: Vec<K>) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut counts: HashMap<K, i64> = HashMap::new();
    for k in a {
        *counts.entry(k).or_default() += 1;
    }
    for k in b {
        *counts.entry(k).or_default() -= 1;
    }
    counts.values().all(|&n| n == 0)
}

fn same_indexes(m: &ModelTable, t: &Table) -> bool {
    let mut reflected = Vec::new();
    for ix in &t.indexes {
        if ix.duplicates_constraint.is_some() {
            continue;
        }
        let plain = ix.expressions.is_empty()
            && ix.column_sorting.is_empty()
            && ix.options == Default::default();
        let (Some(name), true) = (&ix.name, plain) else {
            return false;
        };
        let Some(columns) = ix.columns.iter().cloned().collect::<Option<Vec<_>>>() else {
            return false;
        };
        reflected.push((Some(name.clone()), columns, ix.unique));
    }
    let model = m
        .indexes
        .iter()
        .map(|ix| (ix.name.clone(), ix.columns.clone(), ix.unique))
        .collect();
    same_multiset(model, reflected)
}

/// A named model constraint matches the reflected one of that name and
/// columns; the unnamed ones then match what is left by columns (the
/// database named them). Alembic compares named constraints by name even
/// when others are unnamed: a renamed one beside an unnamed one is a
/// drop and an add.
fn same_uniques(m: &ModelTable, t: &Table) -> bool {
    if t.unique_constraints
        .iter()
        .any(|u| !u.include.is_empty() || u.nulls_not_distinct)
    {
        return false;
    }
    let mut left: Vec<&super::model::UniqueConstraint> = t.unique_constraints.iter().collect();
    for u in m.uniques.iter().filter(|u| u.name.is_some()) {
        match left
            .iter()
            .position(|r| r.name == u.name && r.columns == u.columns)
        {
            Some(i) => {
                left.swap_remove(i);
            }
            None => return false,
        }
    }
    same_multiset(
        m.uniques
            .iter()
            .filter(|u| u.name.is_none())
            .map(|u| u.columns.clone())
            .collect(),
        left.iter().map(|u| u.columns.clone()).collect(),
    )
}

type FkKey = (
    Option<String>,
    Vec<String>,
    Option<String>,
    String,
    Vec<String>,
    [Option<String>; 3],
    bool,
);

fn action(a: &Option<String>) -> Option<String> {
    a.as_ref()
        .map(|s| s.to_uppercase())
        .filter(|s| s != "NO ACTION")
}

fn same_foreign_keys(m: &ModelTable, t: &Table) -> bool {
    let named = m.foreign_keys.iter().all(|f| f.name.is_some());
    let key = |f: &ForeignKey| -> FkKey {
        (
            named.then(|| f.name.clone()).flatten(),
            f.columns.clone(),
            f.referred_schema.clone(),
            f.referred_table.clone(),
            f.referred_columns.clone(),
            [
                action(&f.ondelete),
                action(&f.onupdate),
                f.initially.as_ref().map(|s| s.to_uppercase()),
            ],
            f.deferrable.unwrap_or(false),
        )
    };
    same_multiset(
        m.foreign_keys.iter().map(key).collect(),
        t.foreign_keys.iter().map(key).collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::autogen::metadata::{ModelColumn, ModelIndex, ModelUnique};
    use crate::autogen::model::{Column, Index, UniqueConstraint};

    const OPTS: PrefilterOptions = PrefilterOptions {
        compare_type: true,
        compare_server_default: false,
    };

    fn known() -> KnownTypes {
        KnownTypes::new(
            [
                "integer",
                "character varying",
                "text",
                "int",
                "bigint",
                "tinyint",
            ]
            .map(String::from),
        )
    }

    fn reflected(table: Table) -> Schema {
        let mut s = Schema::default();
        s.tables.insert((None, table.name.clone()), table);
        s
    }

    fn pg_user() -> (ModelTable, Table) {
        let model = ModelTable {
            name: "user".into(),
            columns: vec![
                ModelColumn {
                    name: "id".into(),
                    type_compiled: Some("INTEGER".into()),
                    nullable: false,
                    has_server_default: false,
                    comment: None,
                },
                ModelColumn {
                    name: "email".into(),
                    type_compiled: Some("VARCHAR(120)".into()),
                    nullable: true,
                    has_server_default: false,
                    comment: Some(String::new()),
                },
            ],
            indexes: vec![ModelIndex {
                name: Some("ix_user_email".into()),
                columns: vec!["email".into()],
                unique: false,
            }],
            uniques: vec![ModelUnique {
                name: None,
                columns: vec!["email".into()],
            }],
            ..ModelTable::default()
        };
        let table = Table {
            name: "user".into(),
            columns: vec![
                Column {
                    name: "id".into(),
                    type_text: "integer".into(),
                    nullable: false,
                    server_default: Some("nextval('user_id_seq'::regclass)".into()),
                    ..Column::default()
                },
                Column {
                    name: "email".into(),
                    type_text: "character varying(120)".into(),
                    nullable: true,
                    ..Column::default()
                },
            ],
            indexes: vec![
                Index {
                    name: Some("ix_user_email".into()),
                    columns: vec![Some("email".into())],
                    ..Index::default()
                },
                Index {
                    name: Some("user_email_key".into()),
                    columns: vec![Some("email".into())],
                    unique: true,
                    duplicates_constraint: Some("user_email_key".into()),
                    ..Index::default()
                },
            ],
            unique_constraints: vec![UniqueConstraint {
                name: Some("user_email_key".into()),
                columns: vec!["email".into()],
                ..UniqueConstraint::default()
            }],
            ..Table::default()
        };
        (model, table)
    }

    fn identical(model: &ModelTable, table: Table, opts: PrefilterOptions) -> bool {
        !identical_tables(
            Dialect::Postgresql,
            &reflected(table),
            std::slice::from_ref(model),
            opts,
            &known(),
        )
        .is_empty()
    }

    #[test]
    fn equal_tables_are_identical_despite_spelling_and_generated_names() {
        let (model, table) = pg_user();
        assert!(identical(&model, table, OPTS));
    }

    #[test]
    fn each_compared_aspect_makes_a_candidate() {
        let (model, table) = pg_user();
        let mut t = table.clone();
        t.columns[1].type_text = "character varying(100)".into();
        assert!(!identical(&model, t, OPTS));
        let mut t = table.clone();
        t.columns[1].nullable = false;
        assert!(!identical(&model, t, OPTS));
        let mut t = table.clone();
        t.indexes.remove(0);
        assert!(!identical(&model, t, OPTS));
        let mut t = table.clone();
        t.unique_constraints.clear();
        assert!(!identical(&model, t, OPTS));
        let mut t = table.clone();
        t.columns.pop();
        assert!(!identical(&model, t, OPTS));
        let mut t = table.clone();
        t.comment = Some("x".into());
        assert!(!identical(&model, t, OPTS));
        let mut t = table.clone();
        t.skipped_indexes = vec!["ix_user_lower_email".into()];
        assert!(!identical(&model, t, OPTS));
        // Server defaults count only when Alembic compares them.
        let with_defaults = PrefilterOptions {
            compare_server_default: true,
            ..OPTS
        };
        assert!(!identical(&model, table.clone(), with_defaults));
        // Types count only when Alembic compares them.
        let mut t = table;
        t.columns[1].type_text = "text".into();
        let no_types = PrefilterOptions {
            compare_type: false,
            ..OPTS
        };
        assert!(identical(&model, t, no_types));
    }

    #[test]
    fn a_renamed_unique_beside_an_unnamed_one_makes_a_candidate() {
        let (mut model, mut table) = pg_user();
        model.uniques.push(ModelUnique {
            name: Some("uq_user_id".into()),
            columns: vec!["id".into()],
        });
        table.unique_constraints.push(UniqueConstraint {
            name: Some("uq_user_id".into()),
            columns: vec!["id".into()],
            ..UniqueConstraint::default()
        });
        assert!(identical(&model, table.clone(), OPTS));
        table.unique_constraints[1].name = Some("uq_old".into());
        assert!(!identical(&model, table, OPTS));
    }

    /// The shape MariaDB reports: display widths, `tinyint(1)` for a
    /// Boolean, a unique key as constraint and index, the index a foreign
    /// key gets (session 13: no MySQL table was ever proven identical).
    fn mysql_link() -> (ModelTable, Table) {
        let col = |name: &str, compiled: &str| ModelColumn {
            name: name.into(),
            type_compiled: Some(compiled.into()),
            nullable: false,
            ..ModelColumn::default()
        };
        let rcol = |name: &str, text: &str| Column {
            name: name.into(),
            type_text: text.into(),
            nullable: false,
            ..Column::default()
        };
        let fk = ForeignKey {
            name: Some("fk_link_user".into()),
            columns: vec!["user_id".into()],
            referred_table: "user".into(),
            referred_columns: vec!["id".into()],
            ..ForeignKey::default()
        };
        let index = |name: &str, columns: &[&str], unique| Index {
            name: Some(name.into()),
            columns: columns.iter().map(|c| Some(c.to_string())).collect(),
            unique,
            ..Index::default()
        };
        let model = ModelTable {
            name: "link".into(),
            columns: vec![
                col("id", "INTEGER"),
                col("user_id", "BIGINT"),
                col("on", "BOOL"),
            ],
            indexes: vec![ModelIndex {
                name: Some("ix_link_pair".into()),
                columns: vec!["id".into(), "user_id".into()],
                unique: true,
            }],
            uniques: vec![ModelUnique {
                name: Some("uq_link_on".into()),
                columns: vec!["on".into()],
            }],
            foreign_keys: vec![fk.clone()],
            ..ModelTable::default()
        };
        let table = Table {
            name: "link".into(),
            columns: vec![
                rcol("id", "int(11)"),
                rcol("user_id", "bigint(20)"),
                rcol("on", "tinyint(1)"),
            ],
            foreign_keys: vec![fk],
            unique_constraints: ["ix_link_pair", "uq_link_on"]
                .iter()
                .map(|n| UniqueConstraint {
                    name: Some(n.to_string()),
                    columns: if *n == "uq_link_on" {
                        vec!["on".into()]
                    } else {
                        vec!["id".into(), "user_id".into()]
                    },
                    ..UniqueConstraint::default()
                })
                .collect(),
            indexes: vec![
                index("fk_link_user", &["user_id"], false),
                index("ix_link_pair", &["id", "user_id"], true),
                index("uq_link_on", &["on"], true),
            ],
            ..Table::default()
        };
        (model, table)
    }

    #[test]
    fn mysql_tables_are_compared_as_alembic_corrects_them() {
        let my = |m: &ModelTable, t: Table| {
            !identical_tables(
                Dialect::Mysql,
                &reflected(t),
                std::slice::from_ref(m),
                OPTS,
                &known(),
            )
            .is_empty()
        };
        let (model, table) = mysql_link();
        assert!(my(&model, table.clone()));
        // The unique index declared as a constraint, and the reverse.
        let mut m = model.clone();
        m.indexes.clear();
        m.uniques.push(ModelUnique {
            name: Some("ix_link_pair".into()),
            columns: vec!["id".into(), "user_id".into()],
        });
        assert!(my(&m, table.clone()));
        // A unique key the models lack, a width-only type change, a model
        // index named as the foreign key's: candidates.
        let mut m = model.clone();
        m.uniques.clear();
        assert!(!my(&m, table.clone()));
        let mut t = table.clone();
        t.columns[1].type_text = "int(11)".into();
        assert!(!my(&model, t));
        let mut m = model.clone();
        m.indexes.push(ModelIndex {
            name: Some("fk_link_user".into()),
            columns: vec!["user_id".into()],
            unique: false,
        });
        assert!(!my(&m, table));
    }

    #[test]
    fn opaque_and_missing_tables_are_never_identical() {
        let (mut model, table) = pg_user();
        model.opaque = true;
        assert!(!identical(&model, table.clone(), OPTS));
        let (mut model, _) = pg_user();
        model.name = "other".into();
        assert!(!identical(&model, table, OPTS));
    }
}
