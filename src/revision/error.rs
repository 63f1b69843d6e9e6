//! The errors of the revision graph, with Alembic's exact wording.
//!
//! Alembic raises a small hierarchy (`RevisionError` and subclasses) and the
//! CLI rewrites some of them (`ScriptDirectory._catch_revision_errors`); the
//! variants keep the facts that rewriting needs, so `commands` can render
//! what Alembic prints for each command.

use super::RevArg;

/// Errors raised while resolving identifiers or planning steps.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RevisionError {
    /// `RangeNotAncestorError`: the raw identifiers, because the CLI message
    /// renders them with Python's `str()` (a tuple repr can leak into it).
    #[error("Revision {} is not an ancestor of revision {}", lower.or_base(), upper.or_base())]
    RangeNotAncestor { lower: RevArg, upper: RevArg },
    #[error("Multiple heads are present for given argument '{argument}'; {}", heads.join(", "))]
    MultipleHeads {
        heads: Vec<String>,
        argument: String,
    },
    /// `ResolutionError`: the CLI reports only `argument`.
    #[error("{message}")]
    Resolution { message: String, argument: String },
    #[error("{0}")]
    Other(String),
    /// Alembic itself dies here with an uncaught Python exception (a
    /// traceback, exit 1); the text is the exception line it ends with,
    /// e.g. `AssertionError` or `TypeError: 'NoneType' object is not iterable`.
    #[error("{0}")]
    Crash(String),
}

impl RevisionError {
    /// The class Alembic raises, in `alembic.script.revision`.
    pub fn class_name(&self) -> &'static str {
        match self {
            RevisionError::RangeNotAncestor { .. } => "RangeNotAncestorError",
            RevisionError::MultipleHeads { .. } => "MultipleHeads",
            RevisionError::Resolution { .. } => "ResolutionError",
            RevisionError::Other(_) | RevisionError::Crash(_) => "RevisionError",
        }
    }
}

/// Errors that make the revision map unusable; Alembic raises most of these
/// as raw tracebacks, alembic-rs reports them all as `FAILED:` messages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MapError {
    #[error("{kind} is detected in revisions ({})", revisions.join(", "))]
    Cycle {
        kind: CycleKind,
        revisions: Vec<String>,
    },
    #[error("Character(s) '{}' not allowed in revision identifier '{revision}'", chars.join(", "))]
    IllegalCharacters {
        chars: Vec<String>,
        revision: String,
    },
    #[error("Branch name '{label}' in revision {revision} already used by revision {other}")]
    BranchNameUsed {
        label: String,
        revision: String,
        other: String,
    },
    /// Alembic warns and then dies with a bare `KeyError`; we name both ends.
    #[error("Revision {missing} referenced from {revision} is not present")]
    MissingRevision { missing: String, revision: String },
    /// A `depends_on` entry that is neither a revision nor a branch label
    /// (a bare `KeyError` in Alembic).
    #[error("Dependency {missing} referenced from {revision} is not present")]
    MissingDependency { missing: String, revision: String },
}

impl MapError {
    /// The revision whose file the error is about, when there is one.
    pub fn revision(&self) -> Option<&str> {
        match self {
            MapError::MissingRevision { revision, .. }
            | MapError::MissingDependency { revision, .. }
            | MapError::BranchNameUsed { revision, .. }
            | MapError::IllegalCharacters { revision, .. } => Some(revision),
            MapError::Cycle { revisions, .. } if revisions.len() == 1 => Some(&revisions[0]),
            MapError::Cycle { .. } => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CycleKind {
    Cycle,
    DependencyCycle,
    SelfLoop,
    DependencySelfLoop,
}

impl std::fmt::Display for CycleKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CycleKind::Cycle => "Cycle",
            CycleKind::DependencyCycle => "Dependency cycle",
            CycleKind::SelfLoop => "Self-loop",
            CycleKind::DependencySelfLoop => "Dependency self-loop",
        })
    }
}
