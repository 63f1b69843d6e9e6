"""Default implementations of the built-in operation objects.

``invoke`` (on ``Operations`` and on ``BatchOperations`` alike) dispatches
here (``implementation_for``). Each builds the SQLAlchemy objects the
directive needs and hands them to ``operations.impl``: the dialect impl for
``op``, the batch recorder for ``batch_op``. An implementation replaced with
``implementation_for(..., replace=True)`` therefore changes both, and can
call these (``from alembic.operations.toimpl import add_column``) as in
Alembic.
"""

from sqlalchemy import Column
from sqlalchemy import schema as sa_schema

from ..util.sqla_compat import _copy  # noqa: F401
from . import Operations
from . import ops


@Operations.implementation_for(ops.AlterColumnOp)
def alter_column(operations, operation):
    impl = operations.impl
    compiler = impl.dialect.statement_compiler(impl.dialect, None)
    table_name, schema = operation.table_name, operation.schema
    column_name = operation.column_name
    existing_type, type_ = operation.existing_type, operation.modify_type

    def counts(constraint):
        # the constraints a type makes (Boolean/Enum CHECKs) that this
        # dialect would actually create
        return not isinstance(constraint, sa_schema.PrimaryKeyConstraint) and (
            not constraint._create_rule or constraint._create_rule(compiler)
        )

    if existing_type and type_:
        t = operations.schema_obj.table(
            table_name, Column(column_name, existing_type), schema=schema
        )
        for constraint in t.constraints:
            if counts(constraint):
                impl.drop_constraint(constraint)

    impl.alter_column(
        table_name, column_name, nullable=operation.modify_nullable,
        server_default=operation.modify_server_default, name=operation.modify_name,
        type_=type_, schema=schema, existing_type=existing_type,
        existing_server_default=operation.existing_server_default,
        existing_nullable=operation.existing_nullable, comment=operation.modify_comment,
        existing_comment=operation.existing_comment, **operation.kw
    )

    if type_:
        t = operations.schema_obj.table(table_name, Column(column_name, type_), schema=schema)
        for constraint in t.constraints:
            if counts(constraint):
                impl.add_constraint(constraint)


@Operations.implementation_for(ops.CreateTableOp)
def create_table(operations, operation):
    kw = dict(operation.kw)
    if operation.info:
        kw["info"] = operation.info
    if operation.comment is not None:
        kw["comment"] = operation.comment
    if operation.prefixes:
        kw["prefixes"] = operation.prefixes
    if operation._constraints_included:
        kw["_constraints_included"] = True
    table = operations.schema_obj.table(
        operation.table_name, *operation.columns, schema=operation.schema, **kw
    )
    create_kw = {}
    if operation.if_not_exists is not None:
        create_kw["if_not_exists"] = operation.if_not_exists
    operations.impl.create_table(table, **create_kw)
    return table


@Operations.implementation_for(ops.DropTableOp)
def drop_table(operations, operation):
    kw = dict(operation.table_kw)
    if operation.comment is not None:
        kw["comment"] = operation.comment
    if operation.info:
        kw["info"] = operation.info
    if operation.prefixes:
        kw["prefixes"] = operation.prefixes
    table = operations.schema_obj.table(operation.table_name, schema=operation.schema, **kw)
    drop_kw = {}
    if operation.if_exists is not None:
        drop_kw["if_exists"] = operation.if_exists
    operations.impl.drop_table(table, **drop_kw)


@Operations.implementation_for(ops.RenameTableOp)
def rename_table(operations, operation):
    operations.impl.rename_table(
        operation.table_name, operation.new_table_name, schema=operation.schema
    )


@Operations.implementation_for(ops.CreateTableCommentOp)
def create_table_comment(operations, operation):
    operations.impl.create_table_comment(operation.to_table(operations.migration_context))


@Operations.implementation_for(ops.DropTableCommentOp)
def drop_table_comment(operations, operation):
    operations.impl.drop_table_comment(operation.to_table(operations.migration_context))


@Operations.implementation_for(ops.AddColumnOp)
def add_column(operations, operation):
    impl = operations.impl
    table_name, schema = operation.table_name, operation.schema
    inline_references = operation.inline_references
    column = operation.column
    if column.table is not None:
        column = column._copy()

    t = operations.schema_obj.table(table_name, column, schema=schema)
    impl.add_column(
        table_name, column, schema=schema, if_not_exists=operation.if_not_exists,
        inline_references=inline_references,
        inline_primary_key=operation.inline_primary_key, **operation.kw
    )
    for constraint in t.constraints:
        if isinstance(constraint, sa_schema.PrimaryKeyConstraint):
            continue
        # a lone single-column FOREIGN KEY went inline (REFERENCES)
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

    dialect = impl.dialect
    if column.comment is not None and dialect.supports_comments and not dialect.inline_comments:
        impl.create_column_comment(column)


@Operations.implementation_for(ops.DropColumnOp)
def drop_column(operations, operation):
    operations.impl.drop_column(
        operation.table_name, operation.to_column(operations.migration_context),
        schema=operation.schema, if_exists=operation.if_exists, **operation.kw
    )


@Operations.implementation_for(ops.CreateIndexOp)
def create_index(operations, operation):
    kw = {}
    if operation.if_not_exists is not None:
        kw["if_not_exists"] = operation.if_not_exists
    operations.impl.create_index(operation.to_index(operations.migration_context), **kw)


@Operations.implementation_for(ops.DropIndexOp)
def drop_index(operations, operation):
    kw = {}
    if operation.if_exists is not None:
        kw["if_exists"] = operation.if_exists
    operations.impl.drop_index(operation.to_index(operations.migration_context), **kw)


@Operations.implementation_for(ops.AddConstraintOp)
def create_constraint(operations, operation):
    operations.impl.add_constraint(operation.to_constraint(operations.migration_context))


@Operations.implementation_for(ops.DropConstraintOp)
def drop_constraint(operations, operation):
    kw = {}
    if operation.if_exists is not None:
        kw["if_exists"] = operation.if_exists
    operations.impl.drop_constraint(
        operations.schema_obj.generic_constraint(
            operation.constraint_name, operation.table_name, operation.constraint_type,
            schema=operation.schema,
        ),
        **kw,
    )


@Operations.implementation_for(ops.BulkInsertOp)
def bulk_insert(operations, operation):
    operations.impl.bulk_insert(
        operation.table, operation.rows, multiinsert=operation.multiinsert
    )


@Operations.implementation_for(ops.ExecuteSQLOp)
def execute_sql(operations, operation):
    # the real impl, even in a batch block: runs at once, not at its end
    operations.migration_context.impl.execute(
        operation.sqltext, execution_options=operation.execution_options
    )
