//! The module attributes the scan records occurrences of.
//!
//! Alembic reads only a handful of names from a revision module, so the
//! scan can afford to notice nothing else: an identifier that is not one of
//! these is skipped without being looked at twice. Kept apart from the
//! scanner because `metadata` also maps names from rustpython's syntax tree
//! onto the same set, and indexes its bindings by them.

/// A module attribute whose binding matters to Alembic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Watch {
    Revision,
    DownRevision,
    BranchLabels,
    DependsOn,
    /// `__doc__` (explicitly assigned; the docstring is read separately).
    Doc,
    /// A module-level `__getattr__` changes what `hasattr`/`getattr` see.
    GetAttr,
}

impl Watch {
    pub(crate) const ALL: [Watch; 6] = [
        Watch::Revision,
        Watch::DownRevision,
        Watch::BranchLabels,
        Watch::DependsOn,
        Watch::Doc,
        Watch::GetAttr,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Watch::Revision => "revision",
            Watch::DownRevision => "down_revision",
            Watch::BranchLabels => "branch_labels",
            Watch::DependsOn => "depends_on",
            Watch::Doc => "__doc__",
            Watch::GetAttr => "__getattr__",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }

    pub(crate) fn from_ident(id: &[u8]) -> Option<Watch> {
        // cheap filter first: every watched name is 7..=13 bytes long
        if id.len() < 7 || id.len() > 13 {
            return None;
        }
        match id {
            b"revision" => Some(Watch::Revision),
            b"down_revision" => Some(Watch::DownRevision),
            b"branch_labels" => Some(Watch::BranchLabels),
            b"depends_on" => Some(Watch::DependsOn),
            b"__doc__" => Some(Watch::Doc),
            b"__getattr__" => Some(Watch::GetAttr),
            _ => None,
        }
    }

    pub(crate) fn from_str(id: &str) -> Option<Watch> {
        Watch::from_ident(id.as_bytes())
    }
}
