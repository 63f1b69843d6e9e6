"""Default implementations of the built-in operation objects.

``Operations.invoke`` dispatches here (``implementation_for``); each runs
the directive's code in ``Operations`` from the object's attributes, so an
implementation replaced with ``implementation_for(..., replace=True)`` can
call these (``from alembic.operations.toimpl import create_table``) as in
Alembic.
"""

from . import Operations
from . import ops


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
    return Operations._create_table(
        operations, operation.table_name, *operation.columns, schema=operation.schema,
        if_not_exists=operation.if_not_exists, **kw
    )


@Operations.implementation_for(ops.DropTableOp)
def drop_table(operations, operation):
    kw = dict(operation.table_kw)
    if operation.comment is not None:
        kw["comment"] = operation.comment
    if operation.info:
        kw["info"] = operation.info
    if operation.prefixes:
        kw["prefixes"] = operation.prefixes
    Operations._drop_table(
        operations, operation.table_name, schema=operation.schema,
        if_exists=operation.if_exists, **kw
    )


@Operations.implementation_for(ops.RenameTableOp)
def rename_table(operations, operation):
    Operations._rename_table(
        operations, operation.table_name, operation.new_table_name, schema=operation.schema
    )


@Operations.implementation_for(ops.CreateTableCommentOp)
def create_table_comment(operations, operation):
    Operations._create_table_comment(
        operations, operation.table_name, operation.comment,
        existing_comment=operation.existing_comment, schema=operation.schema,
    )


@Operations.implementation_for(ops.DropTableCommentOp)
def drop_table_comment(operations, operation):
    Operations._drop_table_comment(
        operations, operation.table_name, existing_comment=operation.existing_comment,
        schema=operation.schema,
    )


@Operations.implementation_for(ops.AddColumnOp)
def add_column(operations, operation):
    Operations._add_column(
        operations, operation.table_name, operation.column, schema=operation.schema,
        if_not_exists=operation.if_not_exists, inline_references=operation.inline_references,
        inline_primary_key=operation.inline_primary_key, **operation.kw
    )


@Operations.implementation_for(ops.DropColumnOp)
def drop_column(operations, operation):
    kw = dict(operation.kw)
    if operation.if_exists is not None:
        kw["if_exists"] = operation.if_exists
    Operations._drop_column(
        operations, operation.table_name, operation.column_name, schema=operation.schema, **kw
    )


@Operations.implementation_for(ops.AlterColumnOp)
def alter_column(operations, operation):
    Operations._alter_column(
        operations, operation.table_name, operation.column_name,
        nullable=operation.modify_nullable, comment=operation.modify_comment,
        server_default=operation.modify_server_default, new_column_name=operation.modify_name,
        type_=operation.modify_type, existing_type=operation.existing_type,
        existing_server_default=operation.existing_server_default,
        existing_nullable=operation.existing_nullable,
        existing_comment=operation.existing_comment, schema=operation.schema, **operation.kw
    )


@Operations.implementation_for(ops.CreateIndexOp)
def create_index(operations, operation):
    Operations._create_index(
        operations, operation.index_name, operation.table_name, operation.columns,
        schema=operation.schema, unique=operation.unique,
        if_not_exists=operation.if_not_exists, **operation.kw
    )


@Operations.implementation_for(ops.DropIndexOp)
def drop_index(operations, operation):
    Operations._drop_index(
        operations, operation.index_name, operation.table_name, schema=operation.schema,
        if_exists=operation.if_exists, **operation.kw
    )


@Operations.implementation_for(ops.DropConstraintOp)
def drop_constraint(operations, operation):
    Operations._drop_constraint(
        operations, operation.constraint_name, operation.table_name,
        operation.constraint_type, schema=operation.schema, if_exists=operation.if_exists,
    )


@Operations.implementation_for(ops.CreatePrimaryKeyOp)
def create_primary_key(operations, operation):
    Operations._create_primary_key(
        operations, operation.constraint_name, operation.table_name, operation.columns,
        schema=operation.schema,
    )


@Operations.implementation_for(ops.CreateUniqueConstraintOp)
def create_unique_constraint(operations, operation):
    Operations._create_unique_constraint(
        operations, operation.constraint_name, operation.table_name, operation.columns,
        schema=operation.schema, **operation.kw
    )


@Operations.implementation_for(ops.CreateForeignKeyOp)
def create_foreign_key(operations, operation):
    Operations._create_foreign_key(
        operations, operation.constraint_name, operation.source_table,
        operation.referent_table, operation.local_cols, operation.remote_cols, **operation.kw
    )


@Operations.implementation_for(ops.CreateCheckConstraintOp)
def create_check_constraint(operations, operation):
    Operations._create_check_constraint(
        operations, operation.constraint_name, operation.table_name, operation.condition,
        schema=operation.schema, **operation.kw
    )


@Operations.implementation_for(ops.BulkInsertOp)
def bulk_insert(operations, operation):
    Operations._bulk_insert(
        operations, operation.table, operation.rows, multiinsert=operation.multiinsert
    )


@Operations.implementation_for(ops.ExecuteSQLOp)
def execute_sql(operations, operation):
    operations.migration_context.impl.execute(
        operation.sqltext, execution_options=operation.execution_options
    )
