"""``alembic.operations.base``: where Alembic defines ``Operations``; recipes import from here."""

from . import AbstractOperations, BatchOperations, Operations  # noqa: F401
from ..util.sqla_compat import _literal_bindparam  # noqa: E402,F401
