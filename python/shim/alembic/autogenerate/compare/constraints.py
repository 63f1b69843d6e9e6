"""``alembic.autogenerate.compare.constraints``: indexes, unique
constraints, foreign keys, nullability (the
``alembic.autogenerate.constraints`` plugin). The shim keeps them in
``autogenerate/compare_constraints.py``."""

import logging

from ...operations import ops  # noqa: F401
from ...util.langhelpers import PriorityDispatchResult  # noqa: F401
from .. import compare_constraints as _cc
from . import _setup_builtin
from .util import _InspectorConv  # noqa: F401

log = logging.getLogger(__name__)

_compare_indexes_and_uniques = _cc.compare_indexes_and_uniques
_compare_foreign_keys = _cc.compare_foreign_keys
_compare_nullable = _cc.compare_nullable
_correct_for_uq_duplicates_uix = _cc._correct_for_uq_duplicates_uix
_make_index = _cc._make_index
_make_unique_constraint = _cc._make_unique_constraint
_make_foreign_key = _cc._make_foreign_key


def is_index_sig(sig):
    return sig.is_index


def is_uq_sig(sig):
    return sig.is_uq


setup = _setup_builtin("alembic.autogenerate.constraints")
