//! `ScriptDirectory._catch_revision_errors`: how each command rewords the
//! revision graph's errors.

use super::CommandError;
use crate::revision::RevisionError;

/// Per-call overrides of the default wording, as Alembic passes them.
#[derive(Debug, Default, Clone, Copy)]
pub struct Catch<'a> {
    /// Template for a range that is not one line of descent; `%(start)s` and
    /// `%(end)s` are substituted.
    pub ancestor: Option<&'a str>,
    /// Replacement for the several-heads message; `%(head_arg)s` substituted.
    pub multiple_heads: Option<&'a str>,
    pub start: Option<&'a str>,
    pub end: Option<&'a str>,
}

const DEFAULT_ANCESTOR: &str = "Requested range %(start)s:%(end)s does not refer to ancestor/descendant revisions along the same branch";
const DEFAULT_MULTIPLE_HEADS: &str = "Multiple head revisions are present for given argument '%(head_arg)s'; please specify a specific target revision, '<branchname>@%(head_arg)s' to narrow to a specific head, or 'heads' for all heads";

impl Catch<'_> {
    pub fn error(&self, err: RevisionError) -> CommandError {
        let message = match &err {
            RevisionError::RangeNotAncestor { lower, upper } => {
                let start = self
                    .start
                    .map(str::to_string)
                    .unwrap_or_else(|| lower.to_string());
                let end = self
                    .end
                    .map(str::to_string)
                    .unwrap_or_else(|| upper.to_string());
                self.ancestor
                    .unwrap_or(DEFAULT_ANCESTOR)
                    .replace("%(start)s", &start)
                    .replace("%(end)s", &end)
            }
            RevisionError::MultipleHeads { heads, argument } => {
                let head_arg = self.end.filter(|e| !e.is_empty()).unwrap_or(argument);
                self.multiple_heads
                    .unwrap_or(DEFAULT_MULTIPLE_HEADS)
                    .replace("%(head_arg)s", head_arg)
                    .replace("%(heads)s", &heads.join(", "))
            }
            RevisionError::Resolution { argument, .. } => {
                format!("Can't locate revision identified by '{argument}'")
            }
            RevisionError::Other(message) => message.clone(),
            RevisionError::Crash(line) => return CommandError::Uncaught(line.clone()),
        };
        CommandError::Revision {
            message,
            cause: err,
        }
    }
}
