//! The model side of the pre-pass: what the host reads from env.py's
//! `target_metadata`, one table at a time, already compiled for the
//! connection's dialect (types as SQLAlchemy's type compiler spells them).
//!
//! Only what decides "identical or not" is carried; anything this summary
//! cannot express (expression indexes, computed columns, dialect options)
//! arrives as `opaque = true`, which makes the table a candidate for the
//! full comparison in the host.

use super::model::ForeignKey;

/// One `Table` of the target metadata.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModelTable {
    /// `None` for the default schema.
    pub schema: Option<String>,
    pub name: String,
    pub columns: Vec<ModelColumn>,
    pub indexes: Vec<ModelIndex>,
    pub uniques: Vec<ModelUnique>,
    /// Shaped like the reflected ones (`match_` and `comment` unused).
    pub foreign_keys: Vec<ForeignKey>,
    pub comment: Option<String>,
    /// Something the summary does not describe is present.
    pub opaque: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModelColumn {
    pub name: String,
    /// `dialect.type_compiler.process(column.type)`; `None` when it does
    /// not compile for this dialect.
    pub type_compiled: Option<String>,
    pub nullable: bool,
    pub has_server_default: bool,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModelIndex {
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub unique: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModelUnique {
    pub name: Option<String>,
    pub columns: Vec<String>,
}
