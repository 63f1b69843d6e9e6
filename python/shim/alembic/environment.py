"""Old import path: ``from alembic.environment import EnvironmentContext``."""

from .runtime.environment import EnvironmentContext  # noqa: F401
