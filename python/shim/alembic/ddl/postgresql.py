"""``alembic.ddl.postgresql``: the PostgreSQL-only directive
``create_exclude_constraint`` (on ``op`` and ``batch_op``), an op object run
through ``invoke`` like the built-in ones. The dialect impl itself lives in
``alembic.ddl`` (``PostgresqlImpl``).

SQLAlchemy's PostgreSQL dialect is imported here eagerly, as Alembic's
module does, although SQLite and MySQL projects never use it (~19 ms, ~1 MB):
the import has effects migrations can see. ``sa.dialects.postgresql``
resolves only once it ran, and its ``GenericFunction`` subclasses
(``to_tsvector``, ``to_tsquery``, ...) replace plain functions in
``sa.func`` for every dialect."""

from sqlalchemy import Column
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.types import NULLTYPE

from . import PostgresqlImpl  # noqa: F401
from ..operations import BatchOperations, Operations
from ..operations import ops


@Operations.register_operation("create_exclude_constraint")
@BatchOperations.register_operation(
    "create_exclude_constraint", "batch_create_exclude_constraint"
)
@ops.AddConstraintOp.register_add_constraint("exclude_constraint")
class CreateExcludeConstraintOp(ops.AddConstraintOp):
    """Create an EXCLUDE constraint."""

    constraint_type = "exclude"

    def __init__(self, constraint_name, table_name, elements, where=None, schema=None,
                 _orig_constraint=None, **kw):
        self.constraint_name = constraint_name
        self.table_name = table_name
        self.elements = elements
        self.where = where
        self.schema = schema
        self._orig_constraint = _orig_constraint
        self.kw = kw

    @classmethod
    def from_constraint(cls, constraint):
        table = ops._table_for_constraint(constraint)
        return cls(
            constraint.name,
            table.name,
            [(expr, operator) for expr, _name, operator in constraint._render_exprs],
            where=constraint.where,
            schema=table.schema,
            _orig_constraint=constraint,
            deferrable=constraint.deferrable,
            initially=constraint.initially,
            using=constraint.using,
        )

    def to_constraint(self, migration_context=None):
        if self._orig_constraint is not None:
            return self._orig_constraint
        from ..operations import _SchemaObjects

        t = _SchemaObjects(migration_context).table(self.table_name, schema=self.schema)
        excl = ExcludeConstraint(
            *self.elements, name=self.constraint_name, where=self.where, **self.kw
        )
        # one placeholder column per element, as Alembic adds them
        for _expr, name, _operator in excl._render_exprs:
            t.append_column(Column(name, NULLTYPE))
        t.append_constraint(excl)
        return excl

    @classmethod
    def create_exclude_constraint(cls, operations, constraint_name, table_name, *elements, **kw):
        """Issue ALTER TABLE ... ADD CONSTRAINT ... EXCLUDE (PostgreSQL)."""
        return operations.invoke(cls(constraint_name, table_name, elements, **kw))

    @classmethod
    def batch_create_exclude_constraint(cls, operations, constraint_name, *elements, **kw):
        """``create_exclude_constraint`` on the batch table."""
        kw["schema"] = operations.impl.schema
        return operations.invoke(cls(constraint_name, operations.impl.table_name, elements, **kw))
