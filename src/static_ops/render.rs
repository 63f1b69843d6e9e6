//! The SQL text of a [`StaticBody`] on one dialect, as SQLAlchemy and
//! Alembic would compile the objects the calls build.
//!
//! Column specifications (type, default, nullability, `SERIAL` or
//! `AUTO_INCREMENT`) come from SQLAlchemy through [`ColumnKey`]s, each
//! compiled once per run; the statements around them and identifier
//! quoting follow `sqlalchemy.sql.compiler.DDLCompiler` and the dialects'
//! overrides for the plain cases the extractor accepts.

use std::collections::{HashMap, HashSet};

use super::alter::{self, Pieces};
use super::extract::Decline;
use super::model::{
    ColumnDef, ConstraintKind, ForeignKeyDef, ServerDefault, StaticBody, StaticOp, TableItem,
};
use crate::ddl;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Postgresql,
    Sqlite,
    Mysql,
    Mariadb,
}

/// What of the dialect the text depends on, read from SQLAlchemy once.
#[derive(Debug, Clone)]
pub struct Dialect {
    pub family: Family,
    /// The identifier preparer's quote character (`"` or `` ` ``).
    pub quote: char,
    /// Lowercase reserved words: these are quoted.
    pub reserved: HashSet<String>,
    /// Longer names are truncated or rejected by SQLAlchemy: declined.
    /// The least of the dialect's identifier, index name and constraint
    /// name limits (MySQL: 255, 64, 64).
    pub max_name_length: usize,
}

/// Everything the specification of one column depends on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ColumnKey {
    pub type_src: String,
    pub nullable: bool,
    pub server_default: Option<ServerDefault>,
    /// The table's lone primary key column, not in a foreign key: the
    /// candidate for `SERIAL`/`AUTO_INCREMENT` (SQLAlchemy decides).
    pub sole_pk: bool,
    pub autoincrement: Option<bool>,
    /// A client-side `default=` is given (see [`ColumnDef::client_default`]).
    pub client_default: bool,
}

/// Column specifications without the leading name, `None` where the host
/// declined the type (one with DDL side effects, such as an Enum).
pub type Tails = HashMap<ColumnKey, Option<String>>;

impl Dialect {
    pub(super) fn quote(&self, name: &str) -> Result<String, Decline> {
        let plain = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
        if name.is_empty() || !name.chars().all(plain) || name.len() > self.max_name_length {
            return Err(format!("identifier {name:?}"));
        }
        let lower = name.to_ascii_lowercase();
        let needs = lower != name
            || self.reserved.contains(&lower)
            || name.starts_with(|c: char| c.is_ascii_digit() || c == '$');
        Ok(if needs {
            format!("{q}{name}{q}", q = self.quote)
        } else {
            name.to_string()
        })
    }

    fn quote_all(&self, names: &[String]) -> Result<String, Decline> {
        Ok(names
            .iter()
            .map(|n| self.quote(n))
            .collect::<Result<Vec<_>, _>>()?
            .join(", "))
    }

    fn is_mysql(&self) -> bool {
        matches!(self.family, Family::Mysql | Family::Mariadb)
    }
}

/// The column keys `body` needs, so the host compiles them in one call.
pub fn column_keys(body: &StaticBody) -> Vec<ColumnKey> {
    let mut keys = Vec::new();
    for op in &body.ops {
        match op {
            StaticOp::CreateTable { items, .. } => {
                if let Ok(table) = TableShape::new(items) {
                    for c in &table.columns {
                        keys.push(table.key(c));
                    }
                }
            }
            StaticOp::AddColumn { column, .. } => keys.push(added_key(column)),
            _ => {}
        }
    }
    keys
}

/// The statements of `body`, each exactly as SQLAlchemy compiles it (what
/// an online run sends; `--sql` output is [`finish`]ed), with the index of
/// the op each comes from (`alter_column` sends none, one or several).
pub fn render(
    body: &StaticBody,
    d: &Dialect,
    tails: &Tails,
    pieces: &Pieces,
) -> Result<Vec<(usize, String)>, Decline> {
    if body.batch_copies_on_sqlite && d.family == Family::Sqlite {
        return Err("batch_alter_table on SQLite that copies the table".into());
    }
    let mut out = Vec::new();
    for (i, op) in body.ops.iter().enumerate() {
        match op {
            StaticOp::AlterColumn(a) => {
                out.extend(alter::render(a, d, pieces)?.into_iter().map(|s| (i, s)))
            }
            StaticOp::CreateTable { name, items } => out.extend(
                create_table(name, items, d, tails)?
                    .into_iter()
                    .map(|s| (i, s)),
            ),
            _ => out.push((i, render_op(op, d, tails)?)),
        }
    }
    Ok(out)
}

/// `--sql` mode's text of a statement:
/// `str(compiled).replace("\t", "    ").strip()`.
pub fn finish(sql: &str) -> String {
    sql.replace('\t', "    ").trim().to_string()
}

fn tail<'t>(tails: &'t Tails, key: &ColumnKey) -> Result<&'t str, Decline> {
    match tails.get(key) {
        Some(Some(t)) => Ok(t),
        Some(None) => Err(format!("column type {}", key.type_src)),
        None => Err("column specification not compiled".into()),
    }
}

fn added_key(c: &ColumnDef) -> ColumnKey {
    ColumnKey {
        type_src: c.type_src.clone(),
        nullable: c.nullable.unwrap_or(!c.primary_key),
        server_default: c.server_default.clone(),
        sole_pk: false,
        autoincrement: c.autoincrement,
        client_default: c.client_default,
    }
}

fn render_op(op: &StaticOp, d: &Dialect, tails: &Tails) -> Result<String, Decline> {
    Ok(match op {
        StaticOp::DropTable { name } => format!("\nDROP TABLE {}", d.quote(name)?),
        StaticOp::RenameTable { old, new } => {
            crate::ddl::rename_table(&d.quote(old)?, &d.quote(new)?)
        }
        StaticOp::AddColumn { table, column } => {
            if column.primary_key || column.autoincrement == Some(true) {
                return Err("add_column of a primary key column".into());
            }
            if column.index || column.unique {
                // Alembic then adds the constraint / index by ALTER
                return Err("add_column of an index=/unique= column".into());
            }
            let spec = format!(
                "{} {}",
                d.quote(&column.name)?,
                tail(tails, &added_key(column))?
            );
            ddl::add_column(&d.quote(table)?, &spec, &[], false)
        }
        StaticOp::DropColumn { table, column } => {
            ddl::drop_column(&d.quote(table)?, &d.quote(column)?, false)
        }
        StaticOp::CreateIndex {
            name,
            table,
            columns,
            unique,
        } => format!(
            "CREATE {}INDEX {} ON {} ({})",
            if *unique { "UNIQUE " } else { "" },
            d.quote(name)?,
            d.quote(table)?,
            d.quote_all(columns)?
        ),
        StaticOp::DropIndex { name, table } => match (d.is_mysql(), table) {
            (false, _) => format!("\nDROP INDEX {}", d.quote(name)?),
            (true, Some(t)) => format!("\nDROP INDEX {} ON {}", d.quote(name)?, d.quote(t)?),
            (true, None) => return Err("drop_index without table_name on MySQL".into()),
        },
        StaticOp::CreateForeignKey { table, fk } => {
            if d.family == Family::Sqlite {
                return Err("ALTER of constraints on SQLite".into());
            }
            format!(
                "ALTER TABLE {} ADD {}",
                d.quote(table)?,
                foreign_key(fk, d)?
            )
        }
        StaticOp::CreateUnique {
            table,
            name,
            columns,
        } => {
            if d.family == Family::Sqlite {
                return Err("ALTER of constraints on SQLite".into());
            }
            format!(
                "ALTER TABLE {} ADD {}UNIQUE ({})",
                d.quote(table)?,
                preamble(name, d)?,
                d.quote_all(columns)?
            )
        }
        StaticOp::DropConstraint { name, table, kind } => {
            let what = match (d.family, kind) {
                (Family::Sqlite, _) => return Err("ALTER of constraints on SQLite".into()),
                (Family::Postgresql, _) => "CONSTRAINT",
                (_, ConstraintKind::ForeignKey) => "FOREIGN KEY",
                (_, ConstraintKind::Unique) => "INDEX",
                _ => return Err("this drop_constraint on MySQL".into()),
            };
            format!(
                "ALTER TABLE {} DROP {what} {}",
                d.quote(table)?,
                d.quote(name)?
            )
        }
        StaticOp::Execute(sql) => sql.clone(),
        // rendered by `render` (several statements or none)
        StaticOp::AlterColumn(_) | StaticOp::CreateTable { .. } => {
            return Err("not a single statement".into());
        }
    })
}

/// A `create_table` call's columns and primary key, checked as
/// SQLAlchemy's `Table` would check them.
struct TableShape<'a> {
    columns: Vec<&'a ColumnDef>,
    pk: Vec<String>,
    pk_name: Option<&'a str>,
    fk_columns: HashSet<&'a str>,
}

impl<'a> TableShape<'a> {
    fn new(items: &'a [TableItem]) -> Result<TableShape<'a>, Decline> {
        let columns: Vec<&ColumnDef> = items
            .iter()
            .filter_map(|i| match i {
                TableItem::Column(c) => Some(c),
                _ => None,
            })
            .collect();
        if columns.is_empty() {
            return Err("create_table without columns".into());
        }
        let names: HashSet<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        if names.len() != columns.len() {
            return Err("a column given twice".into());
        }
        let flagged: Vec<String> = columns
            .iter()
            .filter(|c| c.primary_key)
            .map(|c| c.name.clone())
            .collect();
        let mut pk = None;
        let mut fk_columns = HashSet::new();
        for item in items {
            let cols: &[String] = match item {
                TableItem::Column(_) => continue,
                TableItem::PrimaryKey { name, columns } => {
                    if pk.is_some() || !flagged.is_empty() {
                        return Err("primary key given twice".into());
                    }
                    pk = Some((name.as_deref(), columns.clone()));
                    columns
                }
                TableItem::ForeignKey(fk) => {
                    fk_columns.extend(fk.columns.iter().map(String::as_str));
                    &fk.columns
                }
                TableItem::Unique { columns, .. } => columns,
                TableItem::Check { .. } => continue,
            };
            if let Some(c) = cols.iter().find(|c| !names.contains(c.as_str())) {
                return Err(format!("constraint on unknown column {c}"));
            }
        }
        let (pk_name, pk) = pk.unwrap_or((None, flagged));
        let shape = TableShape {
            columns,
            pk,
            pk_name,
            fk_columns,
        };
        // `Table.indexes` is a set: with several, Alembic's CREATE INDEX
        // order is not fixed.
        if shape.columns.iter().filter(|c| c.index).count() > 1 {
            return Err("index=True on several columns".into());
        }

        if shape
            .columns
            .iter()
            .any(|c| shape.pk.contains(&c.name) && c.nullable == Some(true))
        {
            return Err("a nullable primary key column".into());
        }
        // `autoincrement=True` elsewhere than on the lone primary key
        // column moves columns around (`columns_autoinc_first`) or fails.
        if shape.columns.iter().any(|c| {
            c.autoincrement == Some(true) && !(shape.pk.len() == 1 && shape.pk[0] == c.name)
        }) {
            return Err("autoincrement=True on a column that is not the primary key".into());
        }
        Ok(shape)
    }

    fn key(&self, c: &ColumnDef) -> ColumnKey {
        let in_pk = self.pk.contains(&c.name);
        ColumnKey {
            type_src: c.type_src.clone(),
            nullable: c.nullable.unwrap_or(!in_pk),
            server_default: c.server_default.clone(),
            sole_pk: in_pk
                && self.pk.len() == 1
                && (c.autoincrement == Some(true) || !self.fk_columns.contains(c.name.as_str())),
            autoincrement: c.autoincrement,
            client_default: c.client_default,
        }
    }
}

fn preamble(name: &Option<String>, d: &Dialect) -> Result<String, Decline> {
    Ok(match name {
        Some(n) => format!("CONSTRAINT {} ", d.quote(n)?),
        None => String::new(),
    })
}

fn foreign_key(fk: &ForeignKeyDef, d: &Dialect) -> Result<String, Decline> {
    // SQLite names no schema here (`define_constraint_remote_table`).
    let referent = match &fk.referent_schema {
        Some(schema) if d.family != Family::Sqlite => {
            format!("{}.{}", d.quote(schema)?, d.quote(&fk.referent)?)
        }
        _ => d.quote(&fk.referent)?,
    };
    let mut s = format!(
        "{}FOREIGN KEY({}) REFERENCES {referent} ({})",
        preamble(&fk.name, d)?,
        d.quote_all(&fk.columns)?,
        d.quote_all(&fk.referent_columns)?
    );
    if let Some(p) = &fk.ondelete {
        s.push_str(" ON DELETE ");
        s.push_str(p);
    }
    if let Some(p) = &fk.onupdate {
        s.push_str(" ON UPDATE ");
        s.push_str(p);
    }
    Ok(s)
}

/// `CREATE TABLE`, then the `CREATE INDEX` of an `index=True` column, as
/// Alembic's `create_table` sends them.
fn create_table(
    name: &str,
    items: &[TableItem],
    d: &Dialect,
    tails: &Tails,
) -> Result<Vec<String>, Decline> {
    let table = TableShape::new(items)?;
    let mut s = format!("\nCREATE TABLE {} (", d.quote(name)?);
    let mut sep = "\n";
    for c in &table.columns {
        s.push_str(sep);
        sep = ", \n";
        s.push('\t');
        s.push_str(&d.quote(&c.name)?);
        s.push(' ');
        s.push_str(tail(tails, &table.key(c))?);
    }
    let mut constraints = Vec::new();
    if !table.pk.is_empty() {
        constraints.push(format!(
            "{}PRIMARY KEY ({})",
            preamble(&table.pk_name.map(str::to_string), d)?,
            d.quote_all(&table.pk)?
        ));
    }
    for item in items {
        constraints.push(match item {
            TableItem::Column(_) | TableItem::PrimaryKey { .. } => continue,
            // SQLite leaves out a foreign key to another schema
            TableItem::ForeignKey(fk)
                if d.family == Family::Sqlite && fk.referent_schema.is_some() =>
            {
                continue;
            }
            TableItem::ForeignKey(fk) => foreign_key(fk, d)?,
            TableItem::Unique { name, columns } => {
                format!("{}UNIQUE ({})", preamble(name, d)?, d.quote_all(columns)?)
            }
            TableItem::Check { name, sqltext } => {
                format!("{}CHECK ({sqltext})", preamble(name, d)?)
            }
        });
    }
    // `unique=True` columns: SQLAlchemy creates their constraints when the
    // table is built, after the explicit ones (constraints are sorted by
    // creation order).
    for c in table.columns.iter().filter(|c| c.unique && !c.index) {
        constraints.push(format!("UNIQUE ({})", d.quote(&c.name)?));
    }
    if !constraints.is_empty() {
        s.push_str(sep);
        s.push('\t');
        s.push_str(&constraints.join(", \n\t"));
    }
    s.push_str("\n)\n\n");
    let mut out = vec![s];
    for c in table.columns.iter().filter(|c| c.index) {
        // The index is named after the column's label, `<table>_<column>`,
        // which SQLAlchemy changes when a column already has that name.
        let label = format!("{name}_{}", c.name);
        if table.columns.iter().any(|o| o.name == label) {
            return Err("index=True beside a column named like its label".into());
        }
        // the default naming convention: `ix_%(column_0_label)s`
        out.push(format!(
            "CREATE {}INDEX {} ON {} ({})",
            if c.unique { "UNIQUE " } else { "" },
            d.quote(&format!("ix_{label}"))?,
            d.quote(name)?,
            d.quote(&c.name)?
        ));
    }
    Ok(out)
}
