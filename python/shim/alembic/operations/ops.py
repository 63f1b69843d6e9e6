"""Operation objects (``MigrateOperation`` and the built-in ``...Op`` classes).

As in Alembic, every built-in ``op.<name>()`` directive builds one of these
objects through a classmethod registered with
``Operations.register_operation`` and runs it with ``Operations.invoke``,
which dispatches to the function registered with
``Operations.implementation_for`` (``toimpl.py``). Recipes subclass them
(the "Replaceable Objects" cookbook subclasses ``MigrateOperation``;
``implementation_for(CreateTableOp, replace=True)`` wraps a built-in), so
the constructors and attribute names are Alembic's.
"""


class MigrateOperation:
    """Base of Alembic's operation objects."""

    _mutations = frozenset()

    @property
    def info(self):
        if not hasattr(self, "_info"):
            self._info = {}
        return self._info

    @info.setter
    def info(self, value):
        self._info = value


class AlterTableOp(MigrateOperation):
    def __init__(self, table_name, *, schema=None):
        self.table_name = table_name
        self.schema = schema


class CreateTableOp(MigrateOperation):
    def __init__(self, table_name, columns, *, schema=None, if_not_exists=None,
                 _namespace_metadata=None, _constraints_included=False, **kw):
        self.table_name = table_name
        self.columns = columns
        self.schema = schema
        self.if_not_exists = if_not_exists
        self.info = kw.pop("info", {})
        self.comment = kw.pop("comment", None)
        self.prefixes = kw.pop("prefixes", None)
        self.kw = kw
        self._namespace_metadata = _namespace_metadata
        self._constraints_included = _constraints_included

    def reverse(self):
        return DropTableOp(self.table_name, schema=self.schema, _reverse=self)

    def to_table(self, migration_context=None):
        from . import _SchemaObjects

        kw = dict(self.kw)
        if self.info:
            kw["info"] = self.info
        if self.comment is not None:
            kw["comment"] = self.comment
        if self.prefixes:
            kw["prefixes"] = self.prefixes
        if self._constraints_included:
            kw["_constraints_included"] = True
        return _SchemaObjects(migration_context).table(
            self.table_name, *self.columns, schema=self.schema, **kw
        )

    @classmethod
    def create_table(cls, operations, table_name, *columns, if_not_exists=None, **kw):
        return operations.invoke(cls(table_name, columns, if_not_exists=if_not_exists, **kw))


class DropTableOp(MigrateOperation):
    def __init__(self, table_name, *, schema=None, if_exists=None, table_kw=None, _reverse=None):
        self.table_name = table_name
        self.schema = schema
        self.if_exists = if_exists
        self.table_kw = table_kw or {}
        self.comment = self.table_kw.pop("comment", None)
        self.info = self.table_kw.pop("info", None)
        self.prefixes = self.table_kw.pop("prefixes", None)
        self._reverse = _reverse

    def reverse(self):
        if self._reverse is None:
            raise ValueError("operation is not reversible; original table is not present")
        return self._reverse

    @classmethod
    def drop_table(cls, operations, table_name, *, schema=None, if_exists=None, **kw):
        return operations.invoke(cls(table_name, schema=schema, if_exists=if_exists, table_kw=kw))


class RenameTableOp(AlterTableOp):
    def __init__(self, old_table_name, new_table_name, *, schema=None):
        super().__init__(old_table_name, schema=schema)
        self.new_table_name = new_table_name

    @classmethod
    def rename_table(cls, operations, old_table_name, new_table_name, *, schema=None):
        return operations.invoke(cls(old_table_name, new_table_name, schema=schema))


class CreateTableCommentOp(AlterTableOp):
    def __init__(self, table_name, comment, *, schema=None, existing_comment=None):
        self.table_name = table_name
        self.comment = comment
        self.existing_comment = existing_comment
        self.schema = schema

    def reverse(self):
        if self.existing_comment is None:
            return DropTableCommentOp(self.table_name, existing_comment=self.comment,
                                      schema=self.schema)
        return CreateTableCommentOp(self.table_name, self.existing_comment,
                                    existing_comment=self.comment, schema=self.schema)

    @classmethod
    def create_table_comment(cls, operations, table_name, comment, *, existing_comment=None,
                             schema=None):
        return operations.invoke(
            cls(table_name, comment, existing_comment=existing_comment, schema=schema)
        )


class DropTableCommentOp(AlterTableOp):
    def __init__(self, table_name, *, schema=None, existing_comment=None):
        self.table_name = table_name
        self.existing_comment = existing_comment
        self.schema = schema

    def reverse(self):
        return CreateTableCommentOp(self.table_name, self.existing_comment, schema=self.schema)

    @classmethod
    def drop_table_comment(cls, operations, table_name, *, existing_comment=None, schema=None):
        return operations.invoke(cls(table_name, existing_comment=existing_comment, schema=schema))


class AddColumnOp(AlterTableOp):
    def __init__(self, table_name, column, *, schema=None, if_not_exists=None,
                 inline_references=None, inline_primary_key=None, **kw):
        super().__init__(table_name, schema=schema)
        self.column = column
        self.if_not_exists = if_not_exists
        self.inline_references = inline_references
        self.inline_primary_key = inline_primary_key
        self.kw = kw

    def reverse(self):
        return DropColumnOp(self.table_name, self.column.name, schema=self.schema, _reverse=self)

    @classmethod
    def add_column(cls, operations, table_name, column, *, schema=None, if_not_exists=None,
                   inline_references=None, inline_primary_key=None):
        return operations.invoke(
            cls(table_name, column, schema=schema, if_not_exists=if_not_exists,
                inline_references=inline_references, inline_primary_key=inline_primary_key)
        )


class DropColumnOp(AlterTableOp):
    def __init__(self, table_name, column_name, *, schema=None, if_exists=None, _reverse=None,
                 **kw):
        super().__init__(table_name, schema=schema)
        self.column_name = column_name
        self.kw = kw
        self.if_exists = if_exists
        self._reverse = _reverse

    def reverse(self):
        if self._reverse is None:
            raise ValueError("operation is not reversible; original column is not present")
        return AddColumnOp(self.table_name, self._reverse.column, schema=self.schema)

    @classmethod
    def drop_column(cls, operations, table_name, column_name, *, schema=None, **kw):
        return operations.invoke(cls(table_name, column_name, schema=schema, **kw))


class AlterColumnOp(AlterTableOp):
    def __init__(self, table_name, column_name, *, schema=None, existing_type=None,
                 existing_server_default=False, existing_nullable=None, existing_comment=None,
                 modify_nullable=None, modify_comment=False, modify_server_default=False,
                 modify_name=None, modify_type=None, **kw):
        super().__init__(table_name, schema=schema)
        self.column_name = column_name
        self.existing_type = existing_type
        self.existing_server_default = existing_server_default
        self.existing_nullable = existing_nullable
        self.existing_comment = existing_comment
        self.modify_nullable = modify_nullable
        self.modify_comment = modify_comment
        self.modify_server_default = modify_server_default
        self.modify_name = modify_name
        self.modify_type = modify_type
        self.kw = kw

    @classmethod
    def alter_column(cls, operations, table_name, column_name, *, nullable=None, comment=False,
                     server_default=False, new_column_name=None, type_=None,
                     existing_type=None, existing_server_default=False,
                     existing_nullable=None, existing_comment=None, schema=None, **kw):
        return operations.invoke(
            cls(table_name, column_name, schema=schema, existing_type=existing_type,
                existing_server_default=existing_server_default,
                existing_nullable=existing_nullable, existing_comment=existing_comment,
                modify_name=new_column_name, modify_type=type_,
                modify_server_default=server_default, modify_nullable=nullable,
                modify_comment=comment, **kw)
        )


class CreateIndexOp(MigrateOperation):
    def __init__(self, index_name, table_name, columns, *, schema=None, unique=False,
                 if_not_exists=None, **kw):
        self.index_name = index_name
        self.table_name = table_name
        self.columns = columns
        self.schema = schema
        self.unique = unique
        self.if_not_exists = if_not_exists
        self.kw = kw

    def reverse(self):
        return DropIndexOp(self.index_name, self.table_name, schema=self.schema, _reverse=self)

    @classmethod
    def create_index(cls, operations, index_name, table_name, columns, *, schema=None,
                     unique=False, if_not_exists=None, **kw):
        return operations.invoke(
            cls(index_name, table_name, columns, schema=schema, unique=unique,
                if_not_exists=if_not_exists, **kw)
        )


class DropIndexOp(MigrateOperation):
    def __init__(self, index_name, table_name=None, *, schema=None, if_exists=None,
                 _reverse=None, **kw):
        self.index_name = index_name
        self.table_name = table_name
        self.schema = schema
        self.if_exists = if_exists
        self._reverse = _reverse
        self.kw = kw

    def reverse(self):
        if self._reverse is None:
            raise ValueError("operation is not reversible; original index is not present")
        return self._reverse

    @classmethod
    def drop_index(cls, operations, index_name, table_name=None, *, schema=None,
                   if_exists=None, **kw):
        return operations.invoke(
            cls(index_name, table_name, schema=schema, if_exists=if_exists, **kw)
        )


class AddConstraintOp(MigrateOperation):
    @property
    def constraint_type(self):
        raise NotImplementedError()


class DropConstraintOp(MigrateOperation):
    def __init__(self, constraint_name, table_name, type_=None, *, schema=None,
                 if_exists=None, _reverse=None):
        self.constraint_name = constraint_name
        self.table_name = table_name
        self.constraint_type = type_
        self.schema = schema
        self.if_exists = if_exists
        self._reverse = _reverse

    def reverse(self):
        if self._reverse is None:
            raise ValueError("constraint cannot be produced; original constraint is not present")
        return self._reverse

    @classmethod
    def drop_constraint(cls, operations, constraint_name, table_name, type_=None, *,
                        schema=None, if_exists=None):
        return operations.invoke(
            cls(constraint_name, table_name, type_=type_, schema=schema, if_exists=if_exists)
        )


class CreatePrimaryKeyOp(AddConstraintOp):
    constraint_type = "primarykey"

    def __init__(self, constraint_name, table_name, columns, *, schema=None, **kw):
        self.constraint_name = constraint_name
        self.table_name = table_name
        self.columns = columns
        self.schema = schema
        self.kw = kw

    @classmethod
    def create_primary_key(cls, operations, constraint_name, table_name, columns, *,
                           schema=None):
        return operations.invoke(cls(constraint_name, table_name, columns, schema=schema))


class CreateUniqueConstraintOp(AddConstraintOp):
    constraint_type = "unique"

    def __init__(self, constraint_name, table_name, columns, *, schema=None, **kw):
        self.constraint_name = constraint_name
        self.table_name = table_name
        self.columns = columns
        self.schema = schema
        self.kw = kw

    @classmethod
    def create_unique_constraint(cls, operations, constraint_name, table_name, columns, *,
                                 schema=None, **kw):
        return operations.invoke(cls(constraint_name, table_name, columns, schema=schema, **kw))


class CreateForeignKeyOp(AddConstraintOp):
    constraint_type = "foreignkey"

    def __init__(self, constraint_name, source_table, referent_table, local_cols, remote_cols,
                 **kw):
        self.constraint_name = constraint_name
        self.source_table = source_table
        self.referent_table = referent_table
        self.local_cols = local_cols
        self.remote_cols = remote_cols
        self.kw = kw

    @classmethod
    def create_foreign_key(cls, operations, constraint_name, source_table, referent_table,
                           local_cols, remote_cols, *, onupdate=None, ondelete=None,
                           deferrable=None, initially=None, match=None, source_schema=None,
                           referent_schema=None, **dialect_kw):
        return operations.invoke(
            cls(constraint_name, source_table, referent_table, local_cols, remote_cols,
                onupdate=onupdate, ondelete=ondelete, deferrable=deferrable,
                source_schema=source_schema, referent_schema=referent_schema,
                initially=initially, match=match, **dialect_kw)
        )


class CreateCheckConstraintOp(AddConstraintOp):
    constraint_type = "check"

    def __init__(self, constraint_name, table_name, condition, *, schema=None, **kw):
        self.constraint_name = constraint_name
        self.table_name = table_name
        self.condition = condition
        self.schema = schema
        self.kw = kw

    @classmethod
    def create_check_constraint(cls, operations, constraint_name, table_name, condition, *,
                                schema=None, **kw):
        return operations.invoke(
            cls(constraint_name, table_name, condition, schema=schema, **kw)
        )


class BulkInsertOp(MigrateOperation):
    def __init__(self, table, rows, *, multiinsert=True):
        self.table = table
        self.rows = rows
        self.multiinsert = multiinsert

    @classmethod
    def bulk_insert(cls, operations, table, rows, *, multiinsert=True):
        return operations.invoke(cls(table, rows, multiinsert=multiinsert))


class ExecuteSQLOp(MigrateOperation):
    def __init__(self, sqltext, *, execution_options=None):
        self.sqltext = sqltext
        self.execution_options = execution_options

    @classmethod
    def execute(cls, operations, sqltext, *, execution_options=None):
        return operations.invoke(cls(sqltext, execution_options=execution_options))


# (name registered on Operations, op class); registered in operations/__init__.py
BUILTIN = (
    ("create_table", CreateTableOp),
    ("drop_table", DropTableOp),
    ("rename_table", RenameTableOp),
    ("create_table_comment", CreateTableCommentOp),
    ("drop_table_comment", DropTableCommentOp),
    ("add_column", AddColumnOp),
    ("drop_column", DropColumnOp),
    ("alter_column", AlterColumnOp),
    ("create_index", CreateIndexOp),
    ("drop_index", DropIndexOp),
    ("drop_constraint", DropConstraintOp),
    ("create_primary_key", CreatePrimaryKeyOp),
    ("create_unique_constraint", CreateUniqueConstraintOp),
    ("create_foreign_key", CreateForeignKeyOp),
    ("create_check_constraint", CreateCheckConstraintOp),
    ("bulk_insert", BulkInsertOp),
    ("execute", ExecuteSQLOp),
)
