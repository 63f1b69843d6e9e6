"""Old import path: ``from alembic.environment import EnvironmentContext``
(the whole of ``alembic.runtime.environment``, as in Alembic)."""

from .runtime.environment import *  # noqa: F401,F403
from .runtime.environment import EnvironmentContext  # noqa: F401
from .runtime.migration import MigrationContext  # noqa: F401
from .operations import Operations  # noqa: F401
