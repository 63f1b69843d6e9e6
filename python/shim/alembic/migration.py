"""Old import path: ``from alembic.migration import MigrationContext``
(the whole of ``alembic.runtime.migration``, as in Alembic)."""

from .runtime.migration import *  # noqa: F401,F403
from .runtime.migration import MigrationContext, MigrationInfo  # noqa: F401
