//! What runs around the user's migrations: Alembic's `MigrationContext`
//! bookkeeping, kept pure so it is tested without a database. The host
//! (`python`) drives it; `commands` chooses the steps.

mod steps;

pub use steps::{Heads, HeadsUpdate, Step, StepError, VersionOp};
