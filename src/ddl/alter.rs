//! `ALTER TABLE` forms: Alembic's `AddColumn`, `DropColumn`, `ColumnNullable`,
//! `ColumnDefault`, `ColumnType`, `ColumnComment`, `ColumnName`,
//! `RenameTable` compilers.

/// Which impl's rules apply (Alembic picks the impl by dialect name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DdlDialect {
    Postgresql,
    Sqlite,
    Mysql,
    Other,
}

impl DdlDialect {
    pub fn from_name(name: &str) -> DdlDialect {
        match name {
            "postgresql" => DdlDialect::Postgresql,
            "sqlite" => DdlDialect::Sqlite,
            "mysql" | "mariadb" => DdlDialect::Mysql,
            _ => DdlDialect::Other,
        }
    }
}

/// `ALTER TABLE t ADD COLUMN spec [constraints]`.
pub fn add_column(
    table: &str,
    column_spec: &str,
    constraints: &[String],
    if_not_exists: bool,
) -> String {
    let mut text = format!(
        "ALTER TABLE {table} ADD COLUMN {}{column_spec}",
        if if_not_exists { "IF NOT EXISTS " } else { "" }
    );
    for c in constraints {
        text.push(' ');
        text.push_str(c);
    }
    text
}

/// `ALTER TABLE t DROP COLUMN c`.
pub fn drop_column(table: &str, column: &str, if_exists: bool) -> String {
    format!(
        "ALTER TABLE {table} DROP COLUMN {}{column}",
        if if_exists { "IF EXISTS " } else { "" }
    )
}

/// `ALTER TABLE t RENAME TO u`.
pub fn rename_table(table: &str, new_table: &str) -> String {
    format!("ALTER TABLE {table} RENAME TO {new_table}")
}

/// What `op.alter_column` asked for, every piece pre-rendered by SQLAlchemy.
/// `None` means "not asked"; `Some(None)` asks to drop (default, comment).
#[derive(Debug, Clone, Default)]
pub struct AlterColumn {
    pub table: String,
    pub column: String,
    pub nullable: Option<bool>,
    pub server_default: Option<Option<String>>,
    pub type_: Option<String>,
    /// `postgresql_using`.
    pub using: Option<String>,
    /// A rendered SQL string literal, or `None` to remove the comment.
    pub comment: Option<Option<String>>,
    pub new_name: Option<String>,
}

/// The statements of `op.alter_column`, in Alembic's order: nullability,
/// default, type, comment, and the rename last (PostgreSQL's impl sends
/// the type change first, with its optional `USING`).
pub fn alter_column(dialect: DdlDialect, a: &AlterColumn) -> Vec<String> {
    let head = format!("ALTER TABLE {} ALTER COLUMN {}", a.table, a.column);
    let mut out = Vec::new();
    let pg = dialect == DdlDialect::Postgresql;
    if let (true, Some(type_)) = (pg, &a.type_) {
        // `"%s %s %s %s"` with an empty USING leaves a trailing space.
        let using = a
            .using
            .as_deref()
            .map(|u| format!("USING {u}"))
            .unwrap_or_default();
        out.push(format!("{head} TYPE {type_} {using}"));
    }
    if let Some(nullable) = a.nullable {
        out.push(format!(
            "{head} {}",
            if nullable {
                "DROP NOT NULL"
            } else {
                "SET NOT NULL"
            }
        ));
    }
    if let Some(default) = &a.server_default {
        out.push(match default {
            Some(d) => format!("{head} SET DEFAULT {d}"),
            None => format!("{head} DROP DEFAULT"),
        });
    }
    if let (false, Some(type_)) = (pg, &a.type_) {
        out.push(format!("{head} TYPE {type_}"));
    }
    if let Some(comment) = &a.comment {
        let value = comment.as_deref().unwrap_or("NULL");
        out.push(format!(
            "COMMENT ON COLUMN {}.{} IS {value}",
            a.table, a.column
        ));
    }
    if let Some(new_name) = &a.new_name {
        out.push(match dialect {
            DdlDialect::Sqlite => {
                format!(
                    "ALTER TABLE {} RENAME COLUMN {} TO {new_name}",
                    a.table, a.column
                )
            }
            _ => format!("ALTER TABLE {} RENAME {} TO {new_name}", a.table, a.column),
        });
    }
    out
}

/// What `op.alter_column` asked of MySQL/MariaDB, every piece pre-rendered
/// by SQLAlchemy. MySQL cannot alter one property of a column: Alembic's
/// `MySQLImpl` restates the whole column (`MODIFY`/`CHANGE`), filling what
/// was not asked from the `existing_*` arguments. "Not given" is `None`;
/// for `server_default` and `comment`, `Some(None)` is Python's `None`
/// ("remove").
#[derive(Debug, Clone, Default)]
pub struct MySqlAlterColumn {
    pub table: String,
    pub column: String,
    pub new_name: Option<String>,
    pub type_: Option<String>,
    pub existing_type: Option<String>,
    /// Whether the column's type (`type_`, else `existing_type`) has
    /// `DateTime` affinity: MySQL accepts a function default such as
    /// `CURRENT_TIMESTAMP` only in a full column definition, so Alembic
    /// always sends `CHANGE` for those.
    pub datetime_affinity: bool,
    pub nullable: Option<bool>,
    pub existing_nullable: Option<bool>,
    pub server_default: Option<Option<String>>,
    /// Rendered; `None` when not given (Alembic's `False`) or `None`.
    pub existing_server_default: Option<String>,
    pub autoincrement: Option<bool>,
    pub existing_autoincrement: Option<bool>,
    /// A rendered SQL string literal, `Some(None)` to remove the comment.
    pub comment: Option<Option<String>>,
    pub existing_comment: Option<String>,
}

/// Alembic's `CommandError` text when a `MODIFY`/`CHANGE` has no type to
/// restate (neither `type_` nor `existing_type`).
pub const MYSQL_NEEDS_EXISTING_TYPE: &str =
    "All MySQL CHANGE/MODIFY COLUMN operations require the existing type.";

/// Which statement Alembic's `MySQLImpl.alter_column` sends, i.e. which
/// of its elements (`MySQLChangeColumn`, `MySQLModifyColumn`,
/// `MySQLAlterDefault`) a dialect's `@compiles` sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MySqlAlterKind {
    Change,
    Modify,
    AlterDefault,
}

impl MySqlAlterColumn {
    /// `CHANGE` when renaming or for a date/time column, else `MODIFY` when
    /// nullability, type, autoincrement or comment is asked, else `ALTER
    /// COLUMN … SET/DROP DEFAULT` for a default alone; `None` when nothing
    /// is asked.
    pub fn kind(&self) -> Option<MySqlAlterKind> {
        let type_ = self.type_.as_ref().or(self.existing_type.as_ref());
        // `server_default is not None`: "not given" (False) counts as not None.
        let functional =
            type_.is_some() && self.datetime_affinity && self.server_default != Some(None);
        if self.new_name.is_some() || functional {
            Some(MySqlAlterKind::Change)
        } else if self.nullable.is_some()
            || self.type_.is_some()
            || self.autoincrement.is_some()
            || self.comment.is_some()
        {
            Some(MySqlAlterKind::Modify)
        } else {
            self.server_default
                .is_some()
                .then_some(MySqlAlterKind::AlterDefault)
        }
    }
}

/// The statement Alembic's `MySQLImpl.alter_column` sends (at most one, of
/// [`MySqlAlterColumn::kind`]). `Err` carries [`MYSQL_NEEDS_EXISTING_TYPE`]
/// when the column must be restated and no type is known.
pub fn mysql_alter_column(a: &MySqlAlterColumn) -> Result<Option<String>, &'static str> {
    let change = match a.kind() {
        None => return Ok(None),
        Some(MySqlAlterKind::AlterDefault) => {
            let action = match a.server_default.as_ref().and_then(Option::as_ref) {
                Some(d) => format!("SET DEFAULT {d}"),
                None => "DROP DEFAULT".to_string(),
            };
            return Ok(Some(format!(
                "ALTER TABLE {} ALTER COLUMN {} {action}",
                a.table, a.column
            )));
        }
        Some(kind) => kind == MySqlAlterKind::Change,
    };
    let type_ = a.type_.as_ref().or(a.existing_type.as_ref());
    let type_ = type_.ok_or(MYSQL_NEEDS_EXISTING_TYPE)?;
    let nullable = a.nullable.or(a.existing_nullable).unwrap_or(true);
    let mut spec = format!("{type_} {}", if nullable { "NULL" } else { "NOT NULL" });
    if a.autoincrement
        .or(a.existing_autoincrement)
        .unwrap_or(false)
    {
        spec.push_str(" AUTO_INCREMENT");
    }
    let default = match &a.server_default {
        Some(given) => given.as_ref(),
        None => a.existing_server_default.as_ref(),
    };
    if let Some(d) = default {
        spec.push_str(" DEFAULT ");
        spec.push_str(d);
    }
    let comment = match &a.comment {
        Some(given) => given.as_ref(),
        None => a.existing_comment.as_ref(),
    };
    if let Some(c) = comment {
        spec.push_str(" COMMENT ");
        spec.push_str(c);
    }
    Ok(Some(if change {
        let new_name = a.new_name.as_ref().unwrap_or(&a.column);
        format!(
            "ALTER TABLE {} CHANGE {} {new_name} {spec}",
            a.table, a.column
        )
    } else {
        format!("ALTER TABLE {} MODIFY {} {spec}", a.table, a.column)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn my(f: impl FnOnce(&mut MySqlAlterColumn)) -> Result<Option<String>, &'static str> {
        let mut a = MySqlAlterColumn {
            table: "account".into(),
            column: "name".into(),
            ..MySqlAlterColumn::default()
        };
        f(&mut a);
        mysql_alter_column(&a)
    }

    #[test]
    fn mysql_alter_column_matches_alembic() {
        assert_eq!(
            my(|a| {
                a.nullable = Some(false);
                a.existing_type = Some("VARCHAR(50)".into());
            }),
            Ok(Some(
                "ALTER TABLE account MODIFY name VARCHAR(50) NOT NULL".into()
            ))
        );
        assert_eq!(
            my(|a| {
                a.new_name = Some("title".into());
                a.type_ = Some("VARCHAR(80)".into());
                a.server_default = Some(Some("'x'".into()));
                a.existing_comment = Some("'c'".into());
                a.existing_autoincrement = Some(true);
            }),
            Ok(Some(
                "ALTER TABLE account CHANGE name title VARCHAR(80) NULL AUTO_INCREMENT \
                 DEFAULT 'x' COMMENT 'c'"
                    .into()
            ))
        );
        assert_eq!(
            my(|a| a.server_default = Some(None)),
            Ok(Some(
                "ALTER TABLE account ALTER COLUMN name DROP DEFAULT".into()
            ))
        );
        assert_eq!(my(|_| {}), Ok(None));
        assert_eq!(
            my(|a| a.nullable = Some(true)),
            Err(MYSQL_NEEDS_EXISTING_TYPE)
        );
        // A date/time column is restated with CHANGE even for a default.
        assert_eq!(
            my(|a| {
                a.existing_type = Some("DATETIME".into());
                a.datetime_affinity = true;
                a.server_default = Some(Some("CURRENT_TIMESTAMP".into()));
            }),
            Ok(Some(
                "ALTER TABLE account CHANGE name name DATETIME NULL DEFAULT CURRENT_TIMESTAMP"
                    .into()
            ))
        );
    }

    #[test]
    fn alter_column_order_matches_alembic() {
        let a = AlterColumn {
            table: "account".into(),
            column: "name".into(),
            nullable: Some(false),
            server_default: Some(None),
            type_: Some("VARCHAR(60)".into()),
            using: Some("name::varchar".into()),
            new_name: Some("title".into()),
            ..AlterColumn::default()
        };
        assert_eq!(
            alter_column(DdlDialect::Postgresql, &a),
            [
                "ALTER TABLE account ALTER COLUMN name TYPE VARCHAR(60) USING name::varchar",
                "ALTER TABLE account ALTER COLUMN name SET NOT NULL",
                "ALTER TABLE account ALTER COLUMN name DROP DEFAULT",
                "ALTER TABLE account RENAME name TO title",
            ]
        );
    }
}
