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

#[cfg(test)]
mod tests {
    use super::*;

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
