"""``alembic.autogenerate.compare.types``: column type comparison (the
``alembic.autogenerate.types`` plugin: the user's ``compare_type`` first,
then the dialect implementation's)."""

import logging

from ...util.langhelpers import DispatchPriority, PriorityDispatchResult  # noqa: F401
from . import _compare_type_setup, _dialect_impl_compare_type, _setup_builtin
from . import _user_compare_type

log = logging.getLogger(__name__)

setup = _setup_builtin("alembic.autogenerate.types")

__all__ = ["_compare_type_setup", "_dialect_impl_compare_type", "_user_compare_type", "setup"]
