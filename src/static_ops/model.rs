//! What a plain revision function does, as data: the subset of Alembic's
//! `MigrateOperation`s whose SQL follows from literal arguments alone.
//!
//! Names are kept as written (`op.f('x')` and `'x'` alike): the static path
//! is only taken where no naming convention could rename anything (see
//! `python/shim/alembic/_rs/static.py`).

/// A `server_default=` argument.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq, Hash)]
pub enum ServerDefault {
    /// `sa.text('...')`: rendered verbatim.
    Text(String),
    /// A plain string: rendered as a SQL string literal.
    Str(String),
}

/// `sa.Column(name, type, ...)`.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq)]
pub struct ColumnDef {
    pub name: String,
    /// The type expression's source text (`sa.String(length=50)`),
    /// evaluated and compiled by SQLAlchemy once per spelling.
    pub type_src: String,
    pub nullable: Option<bool>,
    pub server_default: Option<ServerDefault>,
    pub primary_key: bool,
    /// `autoincrement=`: `None` for `"auto"` (the default).
    pub autoincrement: Option<bool>,
    /// A literal client-side `default=` other than `None`: no DDL of its
    /// own, but SQLAlchemy does not make such a column `SERIAL` /
    /// `AUTO_INCREMENT` (`_autoincrement_column`), so it is part of the
    /// column's key.
    pub client_default: bool,
    /// `index=True`: `create_table` then sends `CREATE [UNIQUE] INDEX
    /// ix_<table>_<column>` (SQLAlchemy's default naming convention).
    pub index: bool,
    /// `unique=True`: an unnamed `UNIQUE` constraint in `CREATE TABLE`
    /// (with `index=True`, a unique index instead).
    pub unique: bool,
}

/// `op.alter_column(...)` / `batch_op.alter_column(...)`: Alembic's
/// `AlterColumnOp` with literal arguments. Types are source spellings,
/// compiled by SQLAlchemy; `None` is "not given" throughout, and
/// `Some(None)` asks to drop (a default, a comment).
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Default)]
pub struct AlterColumnDef {
    pub table: String,
    pub column: String,
    pub nullable: Option<bool>,
    pub existing_nullable: Option<bool>,
    pub type_src: Option<String>,
    pub existing_type_src: Option<String>,
    pub server_default: Option<Option<ServerDefault>>,
    pub existing_server_default: Option<ServerDefault>,
    pub new_name: Option<String>,
    pub comment: Option<Option<String>>,
    pub existing_comment: Option<String>,
    /// `postgresql_using=` (ignored by the other impls, as in Alembic).
    pub using: Option<String>,
}

/// `sa.ForeignKeyConstraint(...)` or `op.create_foreign_key(...)`.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq)]
pub struct ForeignKeyDef {
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub referent: String,
    pub referent_schema: Option<String>,
    pub referent_columns: Vec<String>,
    pub ondelete: Option<String>,
    pub onupdate: Option<String>,
}

/// One positional argument of `op.create_table` after the name.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq)]
pub enum TableItem {
    Column(ColumnDef),
    PrimaryKey {
        name: Option<String>,
        columns: Vec<String>,
    },
    ForeignKey(ForeignKeyDef),
    Unique {
        name: Option<String>,
        columns: Vec<String>,
    },
    Check {
        name: Option<String>,
        sqltext: String,
    },
}

/// `op.drop_constraint(..., type_=...)`.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstraintKind {
    ForeignKey,
    Unique,
    Check,
    Primary,
    Unspecified,
}

/// One directive, in the order the function calls it.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq)]
pub enum StaticOp {
    CreateTable {
        name: String,
        items: Vec<TableItem>,
    },
    DropTable {
        name: String,
    },
    /// `op.rename_table(old, new)`: `ALTER TABLE old RENAME TO new` on
    /// every dialect family rendered here.
    RenameTable {
        old: String,
        new: String,
    },
    AddColumn {
        table: String,
        column: ColumnDef,
    },
    DropColumn {
        table: String,
        column: String,
    },
    CreateIndex {
        name: String,
        table: String,
        columns: Vec<String>,
        unique: bool,
    },
    DropIndex {
        name: String,
        table: Option<String>,
    },
    CreateForeignKey {
        table: String,
        fk: ForeignKeyDef,
    },
    CreateUnique {
        table: String,
        name: Option<String>,
        columns: Vec<String>,
    },
    DropConstraint {
        name: String,
        table: String,
        kind: ConstraintKind,
    },
    AlterColumn(AlterColumnDef),
    /// `op.execute('...')` of a string with nothing SQLAlchemy's `text()`
    /// would rewrite (no `:` binds, no `%`).
    Execute(String),
}

/// The body of `upgrade()` or `downgrade()`.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Default)]
pub struct StaticBody {
    pub ops: Vec<StaticOp>,
    /// Per op, the source line a failure is reported at: the call's, or
    /// for a batch directive the `with` statement's (Alembic runs batch
    /// directives when the block ends).
    pub lines: Vec<u32>,
    /// Per op, whether it is a directive of a `batch_alter_table` block:
    /// Alembic runs those from the block's `__exit__` (a `contextlib`
    /// generator), so a failure's traceback passes through contextlib.
    pub batch: Vec<bool>,
    /// A `batch_alter_table` block holds a directive SQLite can only do by
    /// copying the table (anything but `add_column` without a SQL
    /// expression default, `create_index`, `drop_index`): on SQLite the
    /// function runs in Python.
    pub batch_copies_on_sqlite: bool,
}
