//! PostgreSQL reflection from `pg_catalog`: six queries for all tables of
//! all requested schemas (tables, columns, constraints, indexes, enums,
//! the default schema's name), each reporting what SQLAlchemy's
//! PostgreSQL dialect reports (`get_multi_*` in
//! `sqlalchemy/dialects/postgresql/base.py`).

use std::collections::HashMap;

use indexmap::IndexMap;

use crate::db::{Connection, Dialect};

use super::{ReflectError, ReflectOptions, Row, split_list, strip_outer_parens};
use crate::autogen::model::{
    CheckConstraint, Column, Computed, EnumType, ForeignKey, Identity, Index, PrimaryKey, Schema,
    Table, UniqueConstraint,
};

/// Tables (`relkind` r, p, f: SQLAlchemy's `RELKINDS_TABLE`) with their
/// comment.
const TABLES: &str = "SELECT c.oid::bigint, n.nspname::text, c.relname::text, \
    ds.description \
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
    LEFT JOIN pg_catalog.pg_description ds ON ds.objoid = c.oid \
      AND ds.classoid = 'pg_catalog.pg_class'::regclass AND ds.objsubid = 0 \
    WHERE c.relkind IN ('r', 'p', 'f') AND n.nspname IN ({schemas}) \
    ORDER BY n.nspname, c.relname";

/// Columns, with the default, identity sequence options (joined through
/// the column's internal dependency rather than SQLAlchemy's
/// `pg_get_serial_sequence` subquery: same sequence, no per-row call) and
/// comment. Comments are joined from `pg_description` rather than read
/// with `col_description()`/`obj_description()`, which run a lookup query
/// per row (half the time of these queries on 1,000 tables).
const COLUMNS: &str = "SELECT a.attrelid::bigint, a.attname::text, \
    pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, \
    CASE WHEN a.atthasdef THEN pg_catalog.pg_get_expr(d.adbin, d.adrelid) END, \
    a.attidentity::text, a.attgenerated::text, \
    ds.description, \
    s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle, \
    COALESCE(et.typtype, t.typtype)::text \
    FROM pg_catalog.pg_attribute a \
    JOIN pg_catalog.pg_class c ON c.oid = a.attrelid \
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
    JOIN pg_catalog.pg_type t ON t.oid = a.atttypid \
    LEFT JOIN pg_catalog.pg_type et ON t.typcategory = 'A' AND et.oid = t.typelem \
    LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
    LEFT JOIN pg_catalog.pg_description ds ON ds.objoid = a.attrelid \
      AND ds.classoid = 'pg_catalog.pg_class'::regclass AND ds.objsubid = a.attnum \
    LEFT JOIN pg_catalog.pg_depend dep ON a.attidentity <> '' \
      AND dep.refclassid = 'pg_catalog.pg_class'::regclass AND dep.refobjid = a.attrelid \
      AND dep.refobjsubid = a.attnum AND dep.classid = 'pg_catalog.pg_class'::regclass \
      AND dep.deptype = 'i' \
    LEFT JOIN pg_catalog.pg_sequence s ON s.seqrelid = dep.objid \
    WHERE c.relkind IN ('r', 'p', 'f') AND n.nspname IN ({schemas}) \
      AND a.attnum > 0 AND NOT a.attisdropped \
    ORDER BY a.attrelid, a.attnum";

/// Primary key, unique, foreign key and check constraints. Key columns are
/// joined with U+001F; for p/u they come from the backing index (so
/// `INCLUDE` columns follow the key columns, as SQLAlchemy reads them).
const CONSTRAINTS: &str = "SELECT con.conrelid::bigint, con.contype::text, con.conname::text, \
    CASE WHEN con.contype = 'c' THEN pg_catalog.pg_get_constraintdef(con.oid, true) END, \
    ds.description, \
    CASE WHEN con.contype IN ('p', 'u') THEN (SELECT string_agg(a.attname::text, chr(31) ORDER BY k.ord) \
      FROM unnest(i.indkey) WITH ORDINALITY k(attnum, ord) \
      JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum) \
    ELSE (SELECT string_agg(a.attname::text, chr(31) ORDER BY k.ord) \
      FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord) \
      JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum) END, \
    (SELECT string_agg(a.attname::text, chr(31) ORDER BY k.ord) \
      FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord) \
      JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum), \
    i.indnkeyatts, i.indnullsnotdistinct, \
    rn.nspname::text, rc.relname::text, pg_catalog.pg_table_is_visible(con.confrelid), \
    con.confupdtype::text, con.confdeltype::text, con.confmatchtype::text, \
    con.condeferrable, con.condeferred \
    FROM pg_catalog.pg_constraint con \
    JOIN pg_catalog.pg_class c ON c.oid = con.conrelid \
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
    LEFT JOIN pg_catalog.pg_index i ON con.contype IN ('p', 'u') AND i.indexrelid = con.conindid \
    LEFT JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid \
    LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace \
    LEFT JOIN pg_catalog.pg_description ds ON ds.objoid = con.oid \
      AND ds.classoid = 'pg_catalog.pg_constraint'::regclass AND ds.objsubid = 0 \
    WHERE c.relkind IN ('r', 'p', 'f') AND n.nspname IN ({schemas}) \
      AND con.contype IN ('p', 'u', 'f', 'c') \
    ORDER BY con.conrelid, con.conname";

/// Indexes other than primary keys, one row each. Elements are the column
/// name, or `pg_get_indexdef(..., true)` for an expression; operator
/// classes are reported only when not the type's default
/// (`postgresql_ops`).
const INDEXES: &str = "SELECT i.indrelid::bigint, ic.relname::text, i.indisunique, i.indisvalid, \
    EXISTS (SELECT 1 FROM pg_catalog.pg_constraint pc WHERE pc.conrelid = i.indrelid \
      AND pc.conindid = i.indexrelid AND pc.contype IN ('p', 'u', 'x')), \
    i.indoption::text, array_to_string(ic.reloptions, chr(31)), am.amname::text, \
    CASE WHEN i.indpred IS NOT NULL THEN pg_catalog.pg_get_expr(i.indpred, i.indrelid) END, \
    i.indnkeyatts, i.indnullsnotdistinct, \
    (SELECT string_agg(CASE WHEN k.attnum = 0 \
        THEN pg_catalog.pg_get_indexdef(i.indexrelid, k.ord::int, true) ELSE a.attname::text END, \
        chr(31) ORDER BY k.ord) \
      FROM unnest(i.indkey) WITH ORDINALITY k(attnum, ord) \
      LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum), \
    (SELECT string_agg(CASE WHEN k.attnum = 0 THEN 'e' ELSE 'c' END, '' ORDER BY k.ord) \
      FROM unnest(i.indkey) WITH ORDINALITY k(attnum, ord)), \
    (SELECT string_agg(CASE WHEN opc.opcdefault THEN '' ELSE opc.opcname::text END, chr(31) \
        ORDER BY k.ord) \
      FROM unnest(i.indclass) WITH ORDINALITY k(opcoid, ord) \
      JOIN pg_catalog.pg_opclass opc ON opc.oid = k.opcoid) \
    FROM pg_catalog.pg_index i \
    JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid \
    JOIN pg_catalog.pg_class c ON c.oid = i.indrelid \
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
    JOIN pg_catalog.pg_am am ON am.oid = ic.relam \
    WHERE c.relkind IN ('r', 'p', 'f') AND n.nspname IN ({schemas}) AND NOT i.indisprimary \
    ORDER BY i.indrelid, ic.relname";

/// Enum types of the requested schemas, labels in sort order.
const ENUMS: &str = "SELECT t.typname::text, n.nspname::text, pg_catalog.pg_type_is_visible(t.oid), \
    (SELECT string_agg(e.enumlabel::text, chr(31) ORDER BY e.enumsortorder) \
      FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid) \
    FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace \
    WHERE t.typtype = 'e' AND n.nspname IN ({schemas}) \
    ORDER BY n.nspname, t.typname";

pub(super) fn reflect(
    conn: &mut Connection,
    options: &ReflectOptions,
) -> Result<Schema, ReflectError> {
    let default_schema = {
        let r = conn.execute("SELECT current_schema()::text", &[])?;
        let row = r.rows.first().ok_or(ReflectError::Unexpected {
            what: "current_schema()",
            detail: "no row".into(),
        })?;
        Row::new(row, "current_schema()").opt_text(0)?
    };
    // nspname -> the schema key used in the result (None for the default).
    let (keys, in_list) =
        super::schema_keys(options, default_schema.as_deref(), Dialect::Postgresql);
    let mut schema = Schema::default();
    if keys.is_empty() {
        return Ok(schema);
    }
    let q = |template: &str| template.replace("{schemas}", &in_list);

    // oid -> table key
    let mut by_oid: HashMap<i64, (Option<String>, String)> = HashMap::new();
    let mut tables: IndexMap<(Option<String>, String), Table> = IndexMap::new();
    for cells in conn.execute(&q(TABLES), &[])?.rows {
        let row = Row::new(&cells, "pg_class");
        let oid = row.int(0)?;
        let nsp = row.text(1)?;
        let name = row.text(2)?;
        let key_schema = keys.get(&nsp).cloned().flatten();
        let key = (key_schema.clone(), name.clone());
        by_oid.insert(oid, key.clone());
        tables.insert(
            key,
            Table {
                name,
                schema: key_schema,
                comment: row.opt_text(3)?,
                ..Table::default()
            },
        );
    }

    for cells in conn.execute(&q(COLUMNS), &[])?.rows {
        let row = Row::new(&cells, "pg_attribute");
        let Some(key) = by_oid.get(&row.int(0)?) else {
            continue;
        };
        let Some(table) = tables.get_mut(key) else {
            continue;
        };
        table.columns.push(column(&row, table.schema.as_deref())?);
    }

    for cells in conn.execute(&q(CONSTRAINTS), &[])?.rows {
        let row = Row::new(&cells, "pg_constraint");
        let Some(key) = by_oid.get(&row.int(0)?) else {
            continue;
        };
        let Some(table) = tables.get_mut(key) else {
            continue;
        };
        constraint(&row, table)?;
    }

    for cells in conn.execute(&q(INDEXES), &[])?.rows {
        let row = Row::new(&cells, "pg_index");
        let Some(key) = by_oid.get(&row.int(0)?) else {
            continue;
        };
        let Some(table) = tables.get_mut(key) else {
            continue;
        };
        table.indexes.push(index(&row)?);
    }

    for cells in conn.execute(&q(ENUMS), &[])?.rows {
        let row = Row::new(&cells, "pg_enum");
        schema.enums.push(EnumType {
            name: row.text(0)?,
            schema: row.text(1)?,
            visible: row.bool(2)?,
            labels: split_list(row.opt_text(3)?),
        });
    }

    schema.tables = tables;
    Ok(schema)
}

/// Integer types: SQLAlchemy marks a `nextval(...)` default as
/// autoincrement only on these (`_type_affinity` is `Integer`).
fn is_integer_type(type_text: &str) -> bool {
    matches!(type_text, "integer" | "bigint" | "smallint")
}

fn column(row: &Row<'_>, table_schema: Option<&str>) -> Result<Column, ReflectError> {
    let name = row.text(1)?;
    let type_text = row.text(2)?;
    let not_null = row.bool(3)?;
    let mut default = row.opt_text(4)?;
    let attidentity = row.opt_text(5)?.unwrap_or_default();
    let generated = row.opt_text(6)?.unwrap_or_default();
    let comment = row.opt_text(7)?;
    // `typtype` of the type, or of the element type of an array.
    let enum_type = row.opt_text(14)?.as_deref() == Some("e");

    let computed = if !generated.is_empty() && generated != "\0" {
        let sqltext = default.take().unwrap_or_default();
        Some(Computed {
            sqltext,
            persisted: Some(generated == "s"),
        })
    } else {
        None
    };

    let identity = if !attidentity.is_empty() && row.opt_int(8)?.is_some() {
        Some(Identity {
            always: attidentity == "a",
            start: row.int(8)?,
            increment: row.int(9)?,
            minvalue: row.int(10)?,
            maxvalue: row.int(11)?,
            cache: row.int(12)?,
            cycle: row.bool(13)?,
        })
    } else {
        None
    };

    let mut autoincrement = false;
    if let Some(d) = default.as_mut()
        && let Some(start) = d.find("nextval('")
    {
        let seq_start = start + "nextval('".len();
        if let Some(len) = d[seq_start..].find('\'') {
            if is_integer_type(&type_text) {
                autoincrement = true;
            }
            // SQLAlchemy qualifies an unqualified sequence name with the
            // (non-default) schema being reflected, always quoted.
            let seq = &d[seq_start..seq_start + len];
            if !seq.contains('.')
                && let Some(s) = table_schema
            {
                *d = format!("{}\"{}\".{}", &d[..seq_start], s, &d[seq_start..]);
            }
        }
    }

    Ok(Column {
        name,
        type_text,
        nullable: !not_null,
        server_default: default,
        autoincrement: Some(autoincrement || identity.is_some()),
        identity,
        computed,
        comment,
        enum_type,
    })
}

/// The text `pg_get_constraintdef` prints for a referential action code.
fn fk_action(code: Option<String>) -> Option<String> {
    match code.as_deref() {
        Some("r") => Some("RESTRICT".into()),
        Some("c") => Some("CASCADE".into()),
        Some("n") => Some("SET NULL".into()),
        Some("d") => Some("SET DEFAULT".into()),
        _ => None, // 'a' = NO ACTION, which SQLAlchemy leaves out
    }
}

fn constraint(row: &Row<'_>, table: &mut Table) -> Result<(), ReflectError> {
    let contype = row.text(1)?;
    let name = row.text(2)?;
    let def = row.opt_text(3)?;
    let comment = row.opt_text(4)?;
    let cols = split_list(row.opt_text(5)?);
    match contype.as_str() {
        "p" | "u" => {
            let nkey = usize::try_from(row.opt_int(7)?.unwrap_or(cols.len() as i64))
                .unwrap_or(cols.len())
                .min(cols.len());
            let (key, include) = cols.split_at(nkey);
            if contype == "p" {
                table.primary_key = Some(PrimaryKey {
                    name: Some(name),
                    columns: key.to_vec(),
                });
            } else {
                table.unique_constraints.push(UniqueConstraint {
                    name: Some(name),
                    columns: key.to_vec(),
                    include: include.to_vec(),
                    nulls_not_distinct: row.bool(8)?,
                    comment,
                });
            }
        }
        "f" => {
            let ref_nsp = row.opt_text(9)?;
            let ref_table = row.text(10)?;
            let visible = row.bool(11)?;
            // pg_get_constraintdef qualifies the referred table only when it
            // is not visible on the search path; SQLAlchemy then reports
            // that schema, or the referring table's own (non-default)
            // schema when both are the same.
            let referred_schema = if !visible {
                ref_nsp
            } else {
                match (&table.schema, ref_nsp) {
                    (Some(s), Some(r)) if *s == r => Some(r),
                    _ => None,
                }
            };
            let match_ = match row.opt_text(14)?.as_deref() {
                Some("f") => Some("FULL".to_string()),
                Some("p") => Some("PARTIAL".to_string()),
                _ => None,
            };
            let deferrable = row.bool(15)?;
            let deferred = row.bool(16)?;
            table.foreign_keys.push(ForeignKey {
                name: Some(name),
                columns: cols,
                referred_schema,
                referred_table: ref_table,
                referred_columns: split_list(row.opt_text(6)?),
                onupdate: fk_action(row.opt_text(12)?),
                ondelete: fk_action(row.opt_text(13)?),
                deferrable: deferrable.then_some(true),
                initially: deferred.then(|| "DEFERRED".to_string()),
                match_,
                comment,
            });
        }
        "c" => {
            let src = def.unwrap_or_default();
            table.check_constraints.push(CheckConstraint {
                name: Some(name),
                sqltext: check_sqltext(&src),
                comment,
            });
        }
        _ => {}
    }
    Ok(())
}

/// `CHECK (cond) [NO INHERIT] [NOT VALID]` → `cond` without its outer
/// parentheses, as SQLAlchemy's regex-and-strip does.
fn check_sqltext(src: &str) -> String {
    let mut body = src.trim_end();
    for suffix in [" NOT VALID", " NO INHERIT"] {
        if let Some(b) = body.strip_suffix(suffix) {
            body = b;
        }
    }
    let Some(rest) = body.strip_prefix("CHECK") else {
        return String::new();
    };
    let rest = rest.trim_start_matches(' ');
    match rest.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        Some(inner) => strip_outer_parens(inner),
        None => String::new(),
    }
}

fn index(row: &Row<'_>) -> Result<Index, ReflectError> {
    let name = row.text(1)?;
    let unique = row.bool(2)?;
    // Column 3 (`indisvalid`) is read for SQLAlchemy's
    // `postgresql_invalid`, which the model does not carry yet.
    let has_constraint = row.bool(4)?;
    let indoption: Vec<i64> = row
        .opt_text(5)?
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|s| s.parse().ok())
        .collect();
    let reloptions = split_list(row.opt_text(6)?);
    let am = row.opt_text(7)?;
    let pred = row.opt_text(8)?;
    let elements = split_list(row.opt_text(11)?);
    let nkey = usize::try_from(row.opt_int(9)?.unwrap_or(elements.len() as i64))
        .unwrap_or(elements.len())
        .min(elements.len());
    let kinds: Vec<bool> = row
        .opt_text(12)?
        .unwrap_or_default()
        .chars()
        .map(|c| c == 'e')
        .collect();
    let opclasses = split_list(row.opt_text(13)?);

    let (key, include) = elements.split_at(nkey);
    let any_expr = kinds.iter().take(nkey).any(|e| *e);
    let columns = key
        .iter()
        .enumerate()
        .map(|(i, e)| {
            if kinds.get(i).copied().unwrap_or(false) {
                None
            } else {
                Some(e.clone())
            }
        })
        .collect();
    let mut idx = Index {
        name: Some(name.clone()),
        columns,
        expressions: if any_expr { key.to_vec() } else { Vec::new() },
        unique,
        duplicates_constraint: has_constraint.then_some(name),
        ..Index::default()
    };
    for (i, flags) in indoption.iter().enumerate().take(nkey) {
        let mut sorting = Vec::new();
        if flags & 1 != 0 {
            sorting.push("desc".to_string());
            if flags & 2 == 0 {
                sorting.push("nulls_last".to_string());
            }
        } else if flags & 2 != 0 {
            sorting.push("nulls_first".to_string());
        }
        if !sorting.is_empty() {
            idx.column_sorting.push((key[i].clone(), sorting));
        }
    }
    for (i, opc) in opclasses.iter().enumerate().take(nkey) {
        if !opc.is_empty() {
            idx.options.ops.push((key[i].clone(), opc.clone()));
        }
    }
    idx.options.with = reloptions
        .iter()
        .map(|o| match o.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (o.clone(), String::new()),
        })
        .collect();
    idx.options.using = am.filter(|a| a != "btree");
    idx.options.where_ = pred;
    idx.options.include = include.to_vec();
    idx.options.nulls_not_distinct = row.bool(10)?;
    Ok(idx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_text_like_sqlalchemy() {
        assert_eq!(
            check_sqltext("CHECK (price > 0::numeric)"),
            "price > 0::numeric"
        );
        assert_eq!(
            check_sqltext("CHECK (((a > 1) AND (a < 5)))"),
            "(a > 1) AND (a < 5)"
        );
        assert_eq!(check_sqltext("CHECK ((a > 1)) NOT VALID"), "a > 1");
        assert_eq!(check_sqltext("CHECK (a NOT NULL) NO INHERIT"), "a NOT NULL");
    }
}
