//! The static path for plain revisions: what `upgrade()`/`downgrade()` do,
//! read from the syntax tree ([`extract`]) and turned into SQL text
//! ([`render`]) without importing the module or building SQLAlchemy
//! objects. Used in `--sql` mode, where a revision's statements are all
//! that is observable; the host decides per run whether it may be used
//! (`python/shim/alembic/_rs/static.py`) and runs anything declined in
//! Python as before.

pub mod alter;
pub mod cache;
pub mod extract;
pub mod model;
pub mod render;

#[cfg(test)]
mod tests;

pub use alter::{Compiled, Piece, Pieces, pieces};
pub use extract::{Decline, StaticModule, extract};
pub use model::{StaticBody, StaticOp};
pub use render::{ColumnKey, Dialect, Family, Tails, column_keys, finish, render};
