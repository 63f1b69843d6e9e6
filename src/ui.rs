//! Alembic's messaging rules.
