"""``alembic.autogenerate.compare.comments``: table and column comments
(the ``alembic.autogenerate.comments`` plugin)."""

import logging

from ...operations import ops  # noqa: F401
from ...util.langhelpers import PriorityDispatchResult  # noqa: F401
from . import _compare_column_comment, _compare_table_comment, _normalize_comment
from . import _setup_builtin

log = logging.getLogger(__name__)

setup = _setup_builtin("alembic.autogenerate.comments")

__all__ = ["_compare_column_comment", "_compare_table_comment", "_normalize_comment", "setup"]
