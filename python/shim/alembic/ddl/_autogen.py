"""``alembic.ddl._autogen``: ``ComparisonResult``, what a dialect
implementation's ``compare_indexes`` / ``compare_unique_constraint`` /
``compare_check_constraint`` return (custom ``DefaultImpl`` subclasses build
them), and the constraint signature classes autogenerate compares with
(kept in ``autogenerate/compare_constraints.py``, loaded on first use).
"""

from typing import NamedTuple

from sqlalchemy.util import to_list


class ComparisonResult(NamedTuple):
    """Outcome of comparing a model constraint/index with the database's."""

    status: str
    message: str

    @property
    def is_equal(self):
        return self.status == "equal"

    @property
    def is_different(self):
        return self.status == "different"

    @property
    def is_skip(self):
        return self.status == "skip"

    @classmethod
    def Equal(cls):
        return cls("equal", "The two constraints are equal")

    @classmethod
    def Different(cls, reason):
        return cls("different", ", ".join(to_list(reason)))

    @classmethod
    def Skip(cls, reason):
        return cls("skip", ", ".join(to_list(reason)))


_SIG_NAMES = {
    "_constraint_sig": "_Sig",
    "_uq_constraint_sig": "UniqueSig",
    "_ix_constraint_sig": "IndexSig",
    "_fk_constraint_sig": "ForeignKeySig",
    "_ck_constraint_sig": "CheckSig",
    "_clsreg": "_SIG_CLASSES",
}


def is_index_sig(sig):
    return sig.is_index


def is_uq_sig(sig):
    return sig.is_uq


def is_fk_sig(sig):
    return sig.is_fk


def is_ck_sig(sig):
    return sig.is_ck


def __getattr__(name):
    # the signature classes need autogenerate's modules, which import this one
    if name in _SIG_NAMES:
        from ..autogenerate import compare_constraints

        return getattr(compare_constraints, _SIG_NAMES[name])
    raise AttributeError("module %r has no attribute %r" % (__name__, name))
