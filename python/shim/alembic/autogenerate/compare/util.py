"""``alembic.autogenerate.compare.util``: the reflection keys and the
cached inspector the comparators read from (the shim's
``InspectorCache`` in ``autogenerate/compare_constraints.py``)."""

from sqlalchemy.sql.elements import conv  # noqa: F401

from ..compare_constraints import _CONSTRAINT_INSP_KEYS, _INSP_KEYS  # noqa: F401
from ..compare_constraints import InspectorCache as _InspectorConv  # noqa: F401
