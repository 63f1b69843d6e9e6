"""``alembic.autogenerate.compare.server_defaults``: server default,
computed and identity comparison (the ``alembic.autogenerate.defaults``
plugin)."""

import logging

from sqlalchemy.sql.schema import DefaultClause  # noqa: F401

from ...util.langhelpers import DispatchPriority, PriorityDispatchResult  # noqa: F401
from . import (
    _compare_computed_default,
    _compare_identity_default,
    _dialect_impl_compare_server_default,
    _render_server_default_for_compare,
    _setup_autoincrement,
    _setup_builtin,
    _user_compare_server_default,
    _warn_computed_not_supported,
)

log = logging.getLogger(__name__)

setup = _setup_builtin("alembic.autogenerate.defaults")

__all__ = [
    "_compare_computed_default",
    "_compare_identity_default",
    "_dialect_impl_compare_server_default",
    "_render_server_default_for_compare",
    "_setup_autoincrement",
    "_user_compare_server_default",
    "_warn_computed_not_supported",
    "setup",
]
