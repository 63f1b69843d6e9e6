"""Old import path: ``from alembic.migration import MigrationContext``."""

from .runtime.migration import MigrationContext, MigrationInfo  # noqa: F401
