//! Autogenerate (DESIGN §2: `autogen/  reflect · compare · render Python`).
//!
//! [`model`] is the reflected schema, shaped like SQLAlchemy's `Inspector`
//! output so the compare step can apply Alembic's rules unchanged;
//! [`reflect`] fills it with a few catalog queries for the whole schema per
//! dialect, instead of SQLAlchemy's queries per table and per kind of
//! object, which is what makes Alembic slow on large schemas.

pub mod model;
pub mod reflect;
