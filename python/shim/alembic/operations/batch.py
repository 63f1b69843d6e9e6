"""``batch_op``: directives collected inside ``op.batch_alter_table`` and
applied at the end of the block, either as plain ALTERs or, where the
dialect needs it (SQLite), by recreating the table ("move and copy").

As in Alembic, each ``batch_op`` directive is registered from its op class
(``AddColumnOp.batch_add_column`` ...) and runs through ``invoke``, so the
implementation registered with ``Operations.implementation_for`` (a
replacement included) builds the SQLAlchemy objects and hands them to
``operations.impl``; here that impl is a recorder (``BatchOperationsImpl``),
which keeps ``(method, args, kw)`` entries. At the end of the block the entries are either replayed on the
dialect impl (ALTERs, in order) or given to ``recreate.recreate_table``.
"""

from contextlib import contextmanager

from ..util.exc import CommandError
from . import AbstractOperations


@contextmanager
def _ensure_scope_for_ddl(connection):
    """Run inside a transaction, beginning one if the connection has none
    (a ``--sql`` run's mock connection has no transactions at all)."""
    try:
        in_transaction = connection.in_transaction
    except AttributeError:
        in_transaction = None
    # outside the except block: an error of the body chains to nothing
    if in_transaction is None:
        yield
    elif not in_transaction():
        with connection.begin():
            yield
    else:
        yield


def __getattr__(name):
    # Alembic defines the table being rebuilt here; alembic-rs keeps it with
    # the move-and-copy code, imported when first asked for (env.py files
    # extend it: ``ApplyBatchImpl.<directive> = ...``)
    if name == "ApplyBatchImpl":
        from .recreate import ApplyBatchImpl

        return ApplyBatchImpl
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class BatchOperationsImpl:
    """Records what the directives of one batch block ask of the impl."""

    def __init__(self, operations, table_name, schema, recreate, copy_from, table_args,
                 table_kwargs, reflect_args, reflect_kwargs, naming_convention,
                 partial_reordering):
        self.operations = operations
        self.table_name = table_name
        self.schema = schema
        if recreate not in ("auto", "always", "never"):
            raise ValueError("recreate may be one of 'auto', 'always', or 'never'.")
        self.recreate = recreate
        self.copy_from = copy_from
        self.table_args = table_args
        self.table_kwargs = dict(table_kwargs)
        self.reflect_args = reflect_args
        self.reflect_kwargs = dict(reflect_kwargs)
        # nothing from the user shapes the reflection: recreate.py may then
        # skip reflecting the tables this one refers to
        self.reflect_defaults = not reflect_args and not reflect_kwargs
        from .recreate import _reflect_listener

        self.reflect_kwargs.setdefault("listeners", list(self.reflect_kwargs.get("listeners", ())))
        self.reflect_kwargs["listeners"].append(
            ("column_reflect", _reflect_listener(operations.impl))
        )
        self.naming_convention = naming_convention
        self.partial_reordering = partial_reordering
        self.batch = []

    @property
    def dialect(self):
        return self.impl.dialect

    @property
    def impl(self):
        return self.operations.impl

    def _should_recreate(self):
        if self.recreate == "auto":
            return self.impl.requires_recreate_in_batch(self)
        return self.recreate == "always"

    def flush(self):
        should_recreate = self._should_recreate()
        with _ensure_scope_for_ddl(self.impl.connection):
            if not should_recreate:
                for opname, args, kw in self.batch:
                    getattr(self.impl, opname)(*args, **kw)
            else:
                from .recreate import recreate_table

                recreate_table(self)

    def alter_column(self, *args, **kw):
        self.batch.append(("alter_column", args, kw))

    def add_column(self, *args, **kw):
        if ("insert_before" in kw or "insert_after" in kw) and not self._should_recreate():
            raise CommandError(
                "Can't specify insert_before or insert_after when using "
                "ALTER; please specify recreate='always'"
            )
        self.batch.append(("add_column", args, kw))

    def drop_column(self, *args, **kw):
        self.batch.append(("drop_column", args, kw))

    def add_constraint(self, const):
        self.batch.append(("add_constraint", (const,), {}))

    def drop_constraint(self, const):
        self.batch.append(("drop_constraint", (const,), {}))

    def rename_table(self, *args, **kw):
        self.batch.append(("rename_table", args, kw))

    def create_index(self, idx, **kw):
        self.batch.append(("create_index", (idx,), kw))

    def drop_index(self, idx, **kw):
        self.batch.append(("drop_index", (idx,), kw))

    def create_table_comment(self, table):
        self.batch.append(("create_table_comment", (table,), {}))

    def drop_table_comment(self, table):
        self.batch.append(("drop_table_comment", (table,), {}))

    def create_table(self, table):
        raise NotImplementedError("Can't create table in batch mode")

    def drop_table(self, table):
        raise NotImplementedError("Can't drop table in batch mode")

    def create_column_comment(self, column):
        self.batch.append(("create_column_comment", (column,), {}))


class BatchOperations(AbstractOperations):
    """What ``batch_alter_table`` yields: Operations without table names."""

    def __init__(self, migration_context, table_name, schema, recreate, copy_from,
                 table_args, table_kwargs, reflect_args, reflect_kwargs,
                 naming_convention, partial_reordering):
        from . import Operations

        # as in Alembic, the recorder's .operations is a plain Operations
        # (its .impl is the dialect impl, its get_bind() the connection)
        impl = BatchOperationsImpl(
            Operations(migration_context), table_name, schema, recreate, copy_from,
            table_args, table_kwargs, reflect_args, reflect_kwargs, naming_convention,
            partial_reordering,
        )
        super().__init__(migration_context, impl=impl)

    def flush(self):
        self.impl.flush()

    @property
    def batch(self):
        return self.impl.batch

    def _noop(self, operation):
        raise NotImplementedError(
            "The %s method does not apply to a batch table alter operation." % operation
        )


from ..util.sqla_compat import (  # noqa: E402,F401  (Alembic's module imports them)
    _columns_for_constraint,
    _conv_constraint_names,
    _copy,
    _copy_expression,
    _fk_is_self_referential,
    _fk_target_tokens,
    _get_table_key,
    _idx_table_bound_expressions,
    _is_type_bound,
    _name_type_bound_constraints,
    _remove_column_from_collection,
    _resolve_for_variant,
    constraint_name_defined,
    constraint_name_string,
)
