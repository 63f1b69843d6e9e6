"""alembic-rs internals: the DB-API driver, dialect registration, the host."""
