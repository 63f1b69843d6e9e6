//! MySQL/MariaDB reflection from `information_schema`: one query each for
//! tables, columns, index columns (`STATISTICS`), foreign keys
//! (`KEY_COLUMN_USAGE` joined with `REFERENTIAL_CONSTRAINTS`) and CHECK
//! constraints, for all tables of the requested schemas.
//!
//! SQLAlchemy reads the same facts by parsing `SHOW CREATE TABLE` per
//! table; the values below are turned into what that parse yields: a
//! `RESTRICT` or `NO ACTION` rule is not printed there, so it is reported as
//! no option; `DEFAULT NULL` is no default; the primary key has no name;
//! unique keys are both unique constraints and unique indexes; only
//! table-level CHECK constraints are reported (MariaDB prints column-level
//! ones inside the column definition, where SQLAlchemy does not look).
//! `COLUMN_DEFAULT` is taken as MariaDB prints it (literals quoted); MySQL
//! 8 prints literals bare, which is quoted here from the data type.

use indexmap::IndexMap;

use crate::autogen::model::{
    CheckConstraint, Column, Computed, ForeignKey, Index, PrimaryKey, Schema, Table,
    UniqueConstraint,
};
use crate::db::{Connection, Dialect};

use super::{ReflectError, ReflectOptions, Row, sql_literal};

pub(super) fn reflect(
    conn: &mut Connection,
    options: &ReflectOptions,
) -> Result<Schema, ReflectError> {
    let mariadb = conn.is_mariadb();
    let default_schema = {
        let r = conn.execute("SELECT DATABASE()", &[])?;
        match r.rows.first() {
            Some(row) => Row::new(row, "DATABASE()").opt_text(0)?,
            None => None,
        }
    };
    let (keys, in_list) = super::schema_keys(options, default_schema.as_deref(), Dialect::Mysql);
    let mut schema = Schema::default();
    if keys.is_empty() {
        return Ok(schema);
    }
    let key_of = |nsp: &str, name: String| (keys.get(nsp).cloned().flatten(), name);

    let mut tables: IndexMap<(Option<String>, String), Table> = IndexMap::new();
    let sql = format!(
        "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_COMMENT FROM information_schema.TABLES \
         WHERE TABLE_SCHEMA IN ({in_list}) AND TABLE_TYPE = 'BASE TABLE' \
         ORDER BY TABLE_SCHEMA, TABLE_NAME"
    );
    for cells in conn.execute(&sql, &[])?.rows {
        let row = Row::new(&cells, "information_schema.TABLES");
        let key = key_of(&row.text(0)?, row.text(1)?);
        tables.insert(
            key.clone(),
            Table {
                name: key.1.clone(),
                schema: key.0.clone(),
                comment: row.opt_text(2)?.filter(|c| !c.is_empty()),
                ..Table::default()
            },
        );
    }

    let sql = format!(
        "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, \
         EXTRA, COLUMN_COMMENT, GENERATION_EXPRESSION, DATA_TYPE \
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA IN ({in_list}) \
         ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION"
    );
    for cells in conn.execute(&sql, &[])?.rows {
        let row = Row::new(&cells, "information_schema.COLUMNS");
        let Some(table) = tables.get_mut(&key_of(&row.text(0)?, row.text(1)?)) else {
            continue;
        };
        table.columns.push(column(&row, mariadb)?);
    }

    let sql = format!(
        "SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART, INDEX_TYPE \
         FROM information_schema.STATISTICS WHERE TABLE_SCHEMA IN ({in_list}) \
         ORDER BY TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX"
    );
    for cells in conn.execute(&sql, &[])?.rows {
        let row = Row::new(&cells, "information_schema.STATISTICS");
        let Some(table) = tables.get_mut(&key_of(&row.text(0)?, row.text(1)?)) else {
            continue;
        };
        let name = row.text(2)?;
        let column = row.opt_text(4)?;
        if name == "PRIMARY" {
            let pk = table.primary_key.get_or_insert_with(PrimaryKey::default);
            pk.columns.extend(column);
            continue;
        }
        let unique = row.int(3)? == 0;
        let sub_part = row.opt_int(5)?;
        let kind = row.opt_text(6)?.unwrap_or_default();
        let idx = match table.indexes.last_mut() {
            Some(last) if last.name.as_deref() == Some(name.as_str()) => last,
            _ => {
                let mut idx = Index {
                    name: Some(name.clone()),
                    unique,
                    ..Index::default()
                };
                if kind == "FULLTEXT" || kind == "SPATIAL" {
                    idx.options.prefix = Some(kind);
                }
                table.indexes.push(idx);
                if unique {
                    table.unique_constraints.push(UniqueConstraint {
                        name: Some(name.clone()),
                        ..UniqueConstraint::default()
                    });
                }
                table.indexes.last_mut().ok_or(ReflectError::Unexpected {
                    what: "information_schema.STATISTICS",
                    detail: "index vanished".into(),
                })?
            }
        };
        if let (Some(c), Some(len)) = (&column, sub_part) {
            idx.options.length.push((c.clone(), len));
        }
        idx.columns.push(column.clone());
        if unique
            && let Some(uq) = table.unique_constraints.last_mut()
            && let Some(c) = column
        {
            uq.columns.push(c);
        }
    }

    let sql = format!(
        "SELECT k.TABLE_SCHEMA, k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, \
         k.REFERENCED_TABLE_SCHEMA, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, \
         r.UPDATE_RULE, r.DELETE_RULE \
         FROM information_schema.KEY_COLUMN_USAGE k \
         JOIN information_schema.REFERENTIAL_CONSTRAINTS r \
           ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME \
           AND r.TABLE_NAME = k.TABLE_NAME \
         WHERE k.TABLE_SCHEMA IN ({in_list}) AND k.REFERENCED_TABLE_NAME IS NOT NULL \
         ORDER BY k.TABLE_SCHEMA, k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION"
    );
    for cells in conn.execute(&sql, &[])?.rows {
        let row = Row::new(&cells, "information_schema.KEY_COLUMN_USAGE");
        let nsp = row.text(0)?;
        let Some(table) = tables.get_mut(&key_of(&nsp, row.text(1)?)) else {
            continue;
        };
        let name = row.text(2)?;
        let fk = match table.foreign_keys.last_mut() {
            Some(last) if last.name.as_deref() == Some(name.as_str()) => last,
            _ => {
                let ref_nsp = row.opt_text(4)?;
                // SHOW CREATE TABLE qualifies the referred table only when
                // it is in another database; SQLAlchemy then reports that
                // database, else the referring table's own schema argument.
                let referred_schema = match ref_nsp {
                    Some(r) if r != nsp => Some(r),
                    _ => table.schema.clone(),
                };
                let action = |v: Option<String>| v.filter(|v| v != "RESTRICT" && v != "NO ACTION");
                table.foreign_keys.push(ForeignKey {
                    name: Some(name),
                    referred_schema,
                    referred_table: row.text(5)?,
                    onupdate: action(row.opt_text(7)?),
                    ondelete: action(row.opt_text(8)?),
                    ..ForeignKey::default()
                });
                table
                    .foreign_keys
                    .last_mut()
                    .ok_or(ReflectError::Unexpected {
                        what: "information_schema.KEY_COLUMN_USAGE",
                        detail: "foreign key vanished".into(),
                    })?
            }
        };
        fk.columns.push(row.text(3)?);
        fk.referred_columns.push(row.text(6)?);
    }

    let level = if mariadb { "LEVEL" } else { "'Table'" };
    let sql = format!(
        "SELECT CONSTRAINT_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE, {level} \
         FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA IN ({in_list}) \
         ORDER BY CONSTRAINT_SCHEMA, TABLE_NAME, CONSTRAINT_NAME"
    );
    let checks = if mariadb {
        conn.execute(&sql, &[])?.rows
    } else {
        // MySQL 8 has no TABLE_NAME there: join TABLE_CONSTRAINTS.
        let sql = format!(
            "SELECT c.CONSTRAINT_SCHEMA, t.TABLE_NAME, c.CONSTRAINT_NAME, c.CHECK_CLAUSE, 'Table' \
             FROM information_schema.CHECK_CONSTRAINTS c \
             JOIN information_schema.TABLE_CONSTRAINTS t \
               ON t.CONSTRAINT_SCHEMA = c.CONSTRAINT_SCHEMA AND t.CONSTRAINT_NAME = c.CONSTRAINT_NAME \
               AND t.CONSTRAINT_TYPE = 'CHECK' \
             WHERE c.CONSTRAINT_SCHEMA IN ({in_list}) ORDER BY 1, 2, 3"
        );
        conn.execute(&sql, &[])?.rows
    };
    for cells in checks {
        let row = Row::new(&cells, "information_schema.CHECK_CONSTRAINTS");
        if row.text(4)? != "Table" {
            continue;
        }
        let Some(table) = tables.get_mut(&key_of(&row.text(0)?, row.text(1)?)) else {
            continue;
        };
        table.check_constraints.push(CheckConstraint {
            name: Some(row.text(2)?),
            sqltext: row.text(3)?,
            comment: None,
        });
    }

    for table in tables.values_mut() {
        table.indexes.sort_by(|a, b| a.name.cmp(&b.name));
        table.unique_constraints.sort_by(|a, b| a.name.cmp(&b.name));
    }
    schema.tables = tables;
    Ok(schema)
}

/// MySQL integer types: SQLAlchemy gives them `autoincrement: False`
/// unless `AUTO_INCREMENT`, and leaves the key out for other types.
fn is_integer_type(data_type: &str) -> bool {
    matches!(
        data_type,
        "tinyint" | "smallint" | "mediumint" | "int" | "integer" | "bigint"
    )
}

fn column(row: &Row<'_>, mariadb: bool) -> Result<Column, ReflectError> {
    let extra = row.opt_text(6)?.unwrap_or_default().to_lowercase();
    let data_type = row.opt_text(9)?.unwrap_or_default().to_lowercase();
    let generation = row.opt_text(8)?.filter(|g| !g.is_empty());
    // SHOW CREATE TABLE prints `AS (expr)`; SQLAlchemy keeps the parentheses.
    let computed = generation.map(|sqltext| Computed {
        sqltext: format!("({sqltext})"),
        persisted: Some(extra.contains("stored")),
    });
    let mut default = row.opt_text(5)?.filter(|d| d != "NULL");
    if computed.is_some() {
        default = None;
    }
    if !mariadb
        && let Some(d) = default.as_mut()
        && !extra.contains("default_generated")
        && !d
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
    {
        // MySQL 8 reports literals bare; SHOW CREATE TABLE quotes them.
        *d = sql_literal(d, Dialect::Mysql);
    }
    // SHOW CREATE TABLE prints `DEFAULT x ON UPDATE y`, and SQLAlchemy's
    // default pattern takes the ON UPDATE clause along.
    let raw_extra = row.opt_text(6)?.unwrap_or_default();
    if let Some(pos) = extra.find("on update ")
        && let Some(d) = default.as_mut()
    {
        let clause = raw_extra[pos + "on update ".len()..].trim();
        *d = format!("{d} ON UPDATE {clause}");
    }
    let autoincrement = if extra.contains("auto_increment") {
        Some(true)
    } else if is_integer_type(&data_type) {
        Some(false)
    } else {
        None
    };
    Ok(Column {
        name: row.text(2)?,
        type_text: row.text(3)?,
        nullable: row.text(4)? == "YES",
        server_default: default,
        autoincrement,
        identity: None,
        computed,
        comment: row.opt_text(7)?.filter(|c| !c.is_empty()),
        enum_type: false,
    })
}
