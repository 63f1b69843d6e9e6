"""``alembic.operations.base``: where Alembic defines ``Operations``; recipes import from here."""

from . import AbstractOperations, BatchOperations, Operations  # noqa: F401
