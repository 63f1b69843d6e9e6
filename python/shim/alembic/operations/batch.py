"""``batch_op``: directives collected inside ``op.batch_alter_table`` and
applied at the end of the block, either as plain ALTERs or, where the
dialect needs it (SQLite), by recreating the table ("move and copy").

As in Alembic, each ``batch_op`` directive builds the SQLAlchemy objects the
matching ``op`` directive builds and hands them to an impl; here that impl is
a recorder (``BatchOperationsImpl``), which keeps ``(method, args, kw)``
entries. At the end of the block the entries are either replayed on the
dialect impl (ALTERs, in order) or given to ``recreate.recreate_table``.
"""

from contextlib import contextmanager

from sqlalchemy import Column
from sqlalchemy import schema as sa_schema
from sqlalchemy.types import NULLTYPE

from ..util.exc import CommandError
from . import AbstractOperations


@contextmanager
def _ensure_scope_for_ddl(connection):
    """Run inside a transaction, beginning one if the connection has none
    (a ``--sql`` run's mock connection has no transactions at all)."""
    try:
        in_transaction = connection.in_transaction
    except AttributeError:
        yield
        return
    if not in_transaction():
        with connection.begin():
            yield
    else:
        yield


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

    # -- directives: the objects Alembic's ops build, handed to the recorder --

    def add_column(self, column, *, insert_before=None, insert_after=None, if_not_exists=None,
                   inline_references=None, inline_primary_key=None):
        kw = {}
        if insert_before:
            kw["insert_before"] = insert_before
        if insert_after:
            kw["insert_after"] = insert_after
        impl = self.impl
        table_name, schema = impl.table_name, impl.schema
        if column.table is not None:
            column = column._copy()
        t = self.schema_obj.table(table_name, column, schema=schema)
        impl.add_column(
            table_name, column, schema=schema, if_not_exists=if_not_exists,
            inline_references=inline_references, inline_primary_key=inline_primary_key, **kw
        )
        for constraint in t.constraints:
            if isinstance(constraint, sa_schema.PrimaryKeyConstraint):
                continue
            if (
                inline_references
                and isinstance(constraint, sa_schema.ForeignKeyConstraint)
                and len(column.foreign_keys) == 1
                and len(constraint.columns) == 1
            ):
                continue
            impl.add_constraint(constraint)
        for index in t.indexes:
            impl.create_index(index)
        dialect = self.migration_context.impl.dialect
        if column.comment is not None and dialect.supports_comments and not dialect.inline_comments:
            impl.create_column_comment(column)

    def alter_column(self, column_name, *, nullable=None, comment=False, server_default=False,
                     new_column_name=None, type_=None, existing_type=None,
                     existing_server_default=False, existing_nullable=None,
                     existing_comment=None, insert_before=None, insert_after=None, **kw):
        impl = self.impl
        table_name, schema = impl.table_name, impl.schema
        dialect = self.migration_context.impl.dialect
        compiler = dialect.statement_compiler(dialect, None)

        def counts(constraint):
            return not isinstance(constraint, sa_schema.PrimaryKeyConstraint) and (
                not constraint._create_rule or constraint._create_rule(compiler)
            )

        if existing_type and type_:
            t = self.schema_obj.table(table_name, Column(column_name, existing_type), schema=schema)
            for constraint in t.constraints:
                if counts(constraint):
                    impl.drop_constraint(constraint)
        impl.alter_column(
            table_name, column_name, nullable=nullable, server_default=server_default,
            name=new_column_name, type_=type_, schema=schema, existing_type=existing_type,
            existing_server_default=existing_server_default, existing_nullable=existing_nullable,
            comment=comment, existing_comment=existing_comment,
            insert_before=insert_before, insert_after=insert_after, **kw
        )
        if type_:
            t = self.schema_obj.table(table_name, Column(column_name, type_), schema=schema)
            for constraint in t.constraints:
                if counts(constraint):
                    impl.add_constraint(constraint)

    def drop_column(self, column_name, **kw):
        if_exists = kw.pop("if_exists", None)
        impl = self.impl
        impl.drop_column(
            impl.table_name, Column(column_name, NULLTYPE), schema=impl.schema,
            if_exists=if_exists, **kw
        )

    def create_index(self, index_name, columns, **kw):
        impl = self.impl
        unique = kw.pop("unique", False)
        if_not_exists = kw.pop("if_not_exists", None)
        idx = self.schema_obj.index(
            index_name, impl.table_name, columns, schema=impl.schema, unique=unique, **kw
        )
        create_kw = {"if_not_exists": if_not_exists} if if_not_exists is not None else {}
        impl.create_index(idx, **create_kw)

    def drop_index(self, index_name, **kw):
        impl = self.impl
        if_exists = kw.pop("if_exists", None)
        idx = self.schema_obj.index(index_name, impl.table_name, ["x"], schema=impl.schema, **kw)
        drop_kw = {"if_exists": if_exists} if if_exists is not None else {}
        impl.drop_index(idx, **drop_kw)

    def create_unique_constraint(self, constraint_name, columns, **kw):
        impl = self.impl
        impl.add_constraint(
            self.schema_obj.unique_constraint(
                constraint_name, impl.table_name, columns, schema=impl.schema, **kw
            )
        )

    def create_foreign_key(self, constraint_name, referent_table, local_cols, remote_cols, *,
                           referent_schema=None, onupdate=None, ondelete=None, deferrable=None,
                           initially=None, match=None, **dialect_kw):
        impl = self.impl
        impl.add_constraint(
            self.schema_obj.foreign_key_constraint(
                constraint_name, impl.table_name, referent_table, local_cols, remote_cols,
                onupdate=onupdate, ondelete=ondelete, deferrable=deferrable,
                source_schema=impl.schema, referent_schema=referent_schema,
                initially=initially, match=match, **dialect_kw
            )
        )

    def create_check_constraint(self, constraint_name, condition, **kw):
        impl = self.impl
        impl.add_constraint(
            self.schema_obj.check_constraint(
                constraint_name, impl.table_name, condition, schema=impl.schema, **kw
            )
        )

    def create_primary_key(self, constraint_name, columns):
        impl = self.impl
        impl.add_constraint(
            self.schema_obj.primary_key_constraint(
                constraint_name, impl.table_name, columns, schema=impl.schema
            )
        )

    def create_exclude_constraint(self, constraint_name, *elements, **kw):
        from sqlalchemy import Table
        from sqlalchemy.dialects.postgresql import ExcludeConstraint

        impl = self.impl
        t = Table(impl.table_name, self.schema_obj.metadata(), schema=impl.schema)
        excl = ExcludeConstraint(*elements, name=constraint_name, **kw)
        for expr, name, oper in excl._render_exprs:
            if isinstance(expr, str) and expr not in t.c:
                t.append_column(Column(expr, NULLTYPE))
        t.append_constraint(excl)
        impl.add_constraint(excl)

    def drop_constraint(self, constraint_name, type_=None):
        impl = self.impl
        impl.drop_constraint(
            self.schema_obj.generic_constraint(
                constraint_name, impl.table_name, type_, schema=impl.schema
            )
        )

    def create_table_comment(self, comment, *, existing_comment=None):
        impl = self.impl
        impl.create_table_comment(
            self.schema_obj.table(impl.table_name, schema=impl.schema, comment=comment)
        )

    def drop_table_comment(self, *, existing_comment=None):
        impl = self.impl
        impl.drop_table_comment(self.schema_obj.table(impl.table_name, schema=impl.schema))

    def execute(self, sqltext, *, execution_options=None):
        # runs at once, on the real impl (not deferred to the end of the block)
        self.migration_context.impl.execute(sqltext, execution_options=execution_options)
