"""``alembic.autogenerate.compare.tables``: added / removed tables and
columns (the ``alembic.autogenerate.tables`` plugin). The functions are in
``compare/__init__.py``; ``_compare_columns`` keeps Alembic's signature
``(schema, tname, conn_table, metadata_table, modify_table_ops,
autogen_context, inspector)``."""

import logging

from sqlalchemy.util import OrderedSet  # noqa: F401

from ...util.langhelpers import PriorityDispatchResult  # noqa: F401
from . import _compare_columns, _compare_tables, _setup_builtin
from . import _compare_schema_tables as _autogen_for_tables
from .util import _InspectorConv  # noqa: F401

log = logging.getLogger(__name__)

setup = _setup_builtin("alembic.autogenerate.tables")

__all__ = ["_autogen_for_tables", "_compare_columns", "_compare_tables", "setup"]
