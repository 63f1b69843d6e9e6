//! The statements Alembic composes itself (`alembic/ddl/base.py` and the
//! per-dialect impls), per dialect.
//!
//! SQLAlchemy owns the pieces: quoted names, type names, column
//! specifications, rendered defaults. The host asks SQLAlchemy for those
//! and hands them here already rendered; this module decides which
//! statements a directive becomes and their exact text.

mod alter;

pub use alter::{
    AlterColumn, DdlDialect, MYSQL_NEEDS_EXISTING_TYPE, MySqlAlterColumn, MySqlAlterKind,
    add_column, alter_column, drop_column, mysql_alter_column, rename_table,
};
