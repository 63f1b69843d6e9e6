//! Autogenerate (DESIGN §2: `autogen/  reflect · compare · render Python`).
//!
//! [`model`] is the reflected schema, shaped like SQLAlchemy's `Inspector`
//! output; [`reflect`] fills it with a few catalog queries for the whole
//! schema per dialect, instead of SQLAlchemy's queries per table and per
//! kind of object, which is what makes Alembic slow on large schemas.
//! [`prefilter`] compares it with the models ([`metadata`], read by the
//! host) and names the tables that are identical; Alembic's full rules
//! (and the rendering) then run in the host on the rest only, on the
//! SQLAlchemy objects that users' hooks expect (docs/architecture.md,
//! "Autogenerate").

pub mod metadata;
pub mod model;
pub mod prefilter;
pub mod reflect;
pub mod types;
