//! Alembic's `RevisionMap`: the pure revision graph. No I/O here.

/// A revision's graph metadata, as read from its file.
///
/// Tuples and scalars are both represented as vectors: Alembic normalises
/// them the same way (`tuple_rev_as_scalar(to_tuple(x))`), and an empty
/// vector is Alembic's `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Revision {
    pub revision: String,
    pub down_revision: Vec<String>,
    pub dependencies: Vec<String>,
    pub branch_labels: Vec<String>,
}
