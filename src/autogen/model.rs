//! The reflected schema: what SQLAlchemy's `Inspector` returns, as plain Rust
//! data.
//!
//! The shapes follow the Inspector's dictionaries field by field (the
//! `ReflectedColumn`, `ReflectedPrimaryKeyConstraint`, ... typed dicts of
//! `sqlalchemy.engine.interfaces`) so that the compare step can apply
//! Alembic's rules (`alembic/autogenerate/compare/*.py`) without translating
//! concepts. What differs is representation only: types are kept as the text
//! the database reports (`character varying(50)`, `VARCHAR(50)`) instead of
//! SQLAlchemy type objects, since compare needs the database's own spelling
//! and the text is what SQLAlchemy parses its type objects from anyway.

use indexmap::IndexMap;

/// A table's key in [`Schema::tables`]: `(schema, name)`, where the schema is
/// `None` for the connection's default schema, as in SQLAlchemy's
/// `get_multi_*` results.
pub type TableKey = (Option<String>, String);

/// Everything reflected from one database.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Schema {
    /// Tables in catalog order (schema, then name).
    pub tables: IndexMap<TableKey, Table>,
    /// PostgreSQL enum types (`Inspector.get_enums`); empty elsewhere.
    pub enums: Vec<EnumType>,
}

/// One table (`Inspector.get_columns` + the constraint and index calls).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    pub name: String,
    /// `None` for the default schema.
    pub schema: Option<String>,
    /// In column order.
    pub columns: Vec<Column>,
    /// `get_pk_constraint`; `None` when the table has no primary key.
    pub primary_key: Option<PrimaryKey>,
    pub foreign_keys: Vec<ForeignKey>,
    pub unique_constraints: Vec<UniqueConstraint>,
    pub indexes: Vec<Index>,
    pub check_constraints: Vec<CheckConstraint>,
    /// `get_table_comment()["text"]`.
    pub comment: Option<String>,
    /// Indexes SQLAlchemy's reflection leaves out with a warning (SQLite's
    /// expression-based indexes: "Skipped unsupported reflection of
    /// expression-based index ..."). Only the host can print that warning,
    /// so such a table is never proven identical.
    pub skipped_indexes: Vec<String>,
    /// SQLite: what SQLAlchemy parses from the stored `CREATE TABLE` text
    /// (foreign key names and options, `UNIQUE` constraints) depends on the
    /// SQLAlchemy release (its patterns changed several times within 2.0),
    /// or SQLAlchemy warns while parsing it. Only the host's SQLAlchemy can
    /// say what it reflects then, so such a table is never proven identical.
    pub parse_varies: bool,
}

impl Table {
    /// The column called `name`, if any.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// One column (`ReflectedColumn`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Column {
    pub name: String,
    /// The type as the database reports it: PostgreSQL `format_type()`
    /// (`character varying(50)`, `timestamp with time zone`, `mood`),
    /// SQLite's declared type (`VARCHAR(50)`, possibly empty), MySQL's
    /// `COLUMN_TYPE` (`varchar(50)`, `int(11) unsigned`, `enum('a','b')`).
    pub type_text: String,
    pub nullable: bool,
    /// The server default as reflected text (`'x'::character varying`,
    /// `nextval('t_id_seq'::regclass)`, `CURRENT_TIMESTAMP`), `None` when
    /// the column has none. Generated columns keep their expression in
    /// [`Column::computed`] instead, as SQLAlchemy does.
    pub server_default: Option<String>,
    /// SQLAlchemy's `autoincrement` key where the dialect reports it
    /// (PostgreSQL: serial or identity; MySQL: `auto_increment`); `None`
    /// where the Inspector leaves the key out (SQLite).
    pub autoincrement: Option<bool>,
    /// `GENERATED ... AS IDENTITY` options (PostgreSQL).
    pub identity: Option<Identity>,
    /// A generated (computed) column's expression.
    pub computed: Option<Computed>,
    pub comment: Option<String>,
    /// PostgreSQL: the type (or an array's element type) is an enum, which
    /// SQLAlchemy reflects by name through `get_enums`; other names it has
    /// no `ischema_names` entry for it reflects as `NullType`, with a
    /// warning.
    pub enum_type: bool,
}

/// Identity column options, as SQLAlchemy's `identity` dict.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    /// `GENERATED ALWAYS` (else `BY DEFAULT`).
    pub always: bool,
    pub start: i64,
    pub increment: i64,
    pub minvalue: i64,
    pub maxvalue: i64,
    pub cache: i64,
    pub cycle: bool,
}

/// A generated column (`computed` dict).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Computed {
    pub sqltext: String,
    /// `STORED` (else `VIRTUAL`); `None` when the dialect cannot tell.
    pub persisted: Option<bool>,
}

/// `get_pk_constraint`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrimaryKey {
    /// `None` where the database does not name it (SQLite without
    /// `CONSTRAINT name`, MySQL always `PRIMARY`, which SQLAlchemy drops).
    pub name: Option<String>,
    pub columns: Vec<String>,
}

/// `get_foreign_keys` (one entry).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ForeignKey {
    pub name: Option<String>,
    pub columns: Vec<String>,
    /// `None` when the referred table is in the default schema (or in the
    /// same schema as the referring one, as SQLAlchemy reports it).
    pub referred_schema: Option<String>,
    pub referred_table: String,
    pub referred_columns: Vec<String>,
    /// `ON DELETE` action, `None` for the default (`NO ACTION`).
    pub ondelete: Option<String>,
    pub onupdate: Option<String>,
    /// `Some(true)` for `DEFERRABLE`; `None` when not reported.
    pub deferrable: Option<bool>,
    /// `INITIALLY DEFERRED` / `IMMEDIATE` (PostgreSQL).
    pub initially: Option<String>,
    /// `MATCH FULL` etc.
    pub match_: Option<String>,
    pub comment: Option<String>,
}

/// `get_unique_constraints` (one entry).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UniqueConstraint {
    pub name: Option<String>,
    pub columns: Vec<String>,
    /// PostgreSQL `INCLUDE (...)` columns.
    pub include: Vec<String>,
    /// PostgreSQL 15 `NULLS NOT DISTINCT`.
    pub nulls_not_distinct: bool,
    pub comment: Option<String>,
}

/// `get_indexes` (one entry).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Index {
    pub name: Option<String>,
    /// One entry per key element: the column name, or `None` where the
    /// element is an expression (then [`Index::expressions`] has its text).
    pub columns: Vec<Option<String>>,
    /// Non-empty only when some element is an expression: every element's
    /// text (column names included), as SQLAlchemy's `expressions` key.
    pub expressions: Vec<String>,
    pub unique: bool,
    /// Set when this index is the one backing a unique constraint (PostgreSQL
    /// `duplicates_constraint`), so compare does not report it twice.
    pub duplicates_constraint: Option<String>,
    /// Per-element sort flags that differ from the default (`desc`,
    /// `nulls_first`, `nulls_last`), keyed by element text.
    pub column_sorting: Vec<(String, Vec<String>)>,
    pub options: IndexOptions,
}

/// Dialect options of an index (`dialect_options`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexOptions {
    /// Partial index predicate: `postgresql_where`, `sqlite_where`.
    pub where_: Option<String>,
    /// `postgresql_include`.
    pub include: Vec<String>,
    /// `postgresql_using` when not `btree`.
    pub using: Option<String>,
    /// `postgresql_nulls_not_distinct`.
    pub nulls_not_distinct: bool,
    /// `postgresql_ops`: element → non-default operator class.
    pub ops: Vec<(String, String)>,
    /// `postgresql_with` storage parameters.
    pub with: Vec<(String, String)>,
    /// MySQL `mysql_prefix` (`FULLTEXT`, `SPATIAL`).
    pub prefix: Option<String>,
    /// MySQL `mysql_length`: column → prefix length.
    pub length: Vec<(String, i64)>,
}

/// `get_check_constraints` (one entry).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckConstraint {
    pub name: Option<String>,
    /// The condition without the outer `CHECK (...)`.
    pub sqltext: String,
    pub comment: Option<String>,
}

/// A PostgreSQL enum type (`Inspector.get_enums`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnumType {
    pub name: String,
    /// The schema holding the type.
    pub schema: String,
    /// Whether the type is visible on the search path (unqualified name).
    pub visible: bool,
    pub labels: Vec<String>,
}
