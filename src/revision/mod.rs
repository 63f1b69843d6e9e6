//! Alembic's `RevisionMap`: the pure revision graph, the identifier grammar
//! and step planning. No I/O here.

mod adjacency;
mod ancestry;
mod error;
mod links;
mod map;
mod plan;
mod resolve;

pub use error::{CycleKind, MapError, RevisionError};
pub use links::Links;
pub use map::{Edges, MapFailure, Node, RevisionMap};
pub use plan::{StampStep, Walk};
pub use resolve::Target;
pub(crate) use resolve::early_downgrade_error;

use std::cell::RefCell;

thread_local! {
    /// The `UserWarning`s planning raised on this thread (Alembic's
    /// `util.warn` in `_parse_downgrade_target`), until the caller emits
    /// them: [`take_warnings`].
    static WARNINGS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Records a warning Alembic would emit as `UserWarning` while planning.
pub(crate) fn warn(message: String) {
    WARNINGS.with(|w| w.borrow_mut().push(message));
}

/// The warnings planning recorded on this thread since the last call, in
/// order (and forgets them).
pub fn take_warnings() -> Vec<String> {
    WARNINGS.with(|w| std::mem::take(&mut *w.borrow_mut()))
}

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

impl Revision {
    /// The revisions `depends_on` names. `depends_on = ""` (or `[""]`) is
    /// kept as written, because Alembic keeps it (`Script.dependencies` is
    /// `""`, and a base revision carrying it is not a "real" base, which
    /// Alembic reports as a dependency cycle), but it names nothing: the
    /// empty string is false wherever Alembic asks for the dependencies
    /// (invenio-accounts' 037afe10e9ff).
    pub fn depends_on(&self) -> &[String] {
        match self.dependencies.as_slice() {
            [only] if only.is_empty() => &[],
            all => all,
        }
    }
}

/// A revision argument as Alembic's functions receive it: `None`, one
/// string, or a tuple of strings. Messages render it with Python's `str()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevArg {
    None,
    Str(String),
    Tuple(Vec<String>),
}

impl RevArg {
    pub fn str(s: impl Into<String>) -> RevArg {
        RevArg::Str(s.into())
    }

    /// Python's `tuple_rev_as_scalar`: none, one, or several.
    pub fn from_ids(ids: &[String]) -> RevArg {
        match ids {
            [] => RevArg::None,
            [one] => RevArg::Str(one.clone()),
            many => RevArg::Tuple(many.to_vec()),
        }
    }

    /// `x or "base"`, as `RangeNotAncestorError` words it.
    fn or_base(&self) -> String {
        match self {
            RevArg::None => "base".into(),
            RevArg::Str(s) if s.is_empty() => "base".into(),
            RevArg::Tuple(t) if t.is_empty() => "base".into(),
            other => other.to_string(),
        }
    }
}

impl std::fmt::Display for RevArg {
    /// Python's `str()` of the value.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RevArg::None => f.write_str("None"),
            RevArg::Str(s) => f.write_str(s),
            RevArg::Tuple(t) => {
                let items: Vec<String> = t.iter().map(|s| crate::pyfmt::py_repr(s)).collect();
                if items.len() == 1 {
                    write!(f, "({},)", items[0])
                } else {
                    write!(f, "({})", items.join(", "))
                }
            }
        }
    }
}
