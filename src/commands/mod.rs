//! One function per Alembic sub-command.
