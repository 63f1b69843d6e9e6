"""``alembic.autogenerate.compare.schema``: the "autogenerate" comparator
(which schemas to compare) of the ``alembic.autogenerate.schemas`` plugin.
The comparison itself is in ``compare/__init__.py``."""

import logging

from sqlalchemy import inspect  # noqa: F401

from ...util.langhelpers import PriorityDispatchResult  # noqa: F401
from . import _compare_schemas, _setup_builtin
from . import produce_net_changes as _produce_net_changes  # noqa: F401

log = logging.getLogger(__name__)

setup = _setup_builtin("alembic.autogenerate.schemas")

__all__ = ["_compare_schemas", "setup"]
