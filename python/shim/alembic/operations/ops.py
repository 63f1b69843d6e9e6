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

import re


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

    def reverse(self):
        raise NotImplementedError

    def to_diff_tuple(self):
        raise NotImplementedError


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
        return DropTableOp.from_table(
            self.to_table(), _namespace_metadata=self._namespace_metadata
        )

    def to_diff_tuple(self):
        return ("add_table", self.to_table())

    @classmethod
    def from_table(cls, table, *, _namespace_metadata=None):
        """The op creating ``table`` as it stands, its Index and
        UniqueConstraint objects (from ``index=True``/``unique=True``)
        included, hence ``_constraints_included``."""
        if _namespace_metadata is None:
            _namespace_metadata = table.metadata
        return cls(
            table.name,
            list(table.c) + list(table.constraints),
            schema=table.schema,
            _namespace_metadata=_namespace_metadata,
            _constraints_included=True,
            comment=table.comment,
            info=dict(table.info),
            prefixes=list(table._prefixes),
            **table.kwargs,
        )

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
            self.table_name, *_without_type_bound(self.columns), schema=self.schema, **kw
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
        return CreateTableOp.from_table(self.to_table())

    def to_diff_tuple(self):
        return ("remove_table", self.to_table())

    @classmethod
    def from_table(cls, table, *, _namespace_metadata=None):
        return cls(
            table.name,
            schema=table.schema,
            table_kw={
                "comment": table.comment,
                "info": dict(table.info),
                "prefixes": list(table._prefixes),
                **table.kwargs,
            },
            _reverse=CreateTableOp.from_table(table, _namespace_metadata=_namespace_metadata),
        )

    def to_table(self, migration_context=None):
        from . import _SchemaObjects

        return _SchemaObjects(migration_context).table(
            self.table_name,
            *_without_type_bound(self._reverse.columns if self._reverse else []),
            comment=self.comment,
            info=self.info.copy() if self.info else {},
            prefixes=list(self.prefixes) if self.prefixes else [],
            schema=self.schema,
            _constraints_included=(
                self._reverse._constraints_included if self._reverse else False
            ),
            **self.table_kw,
        )

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

    def to_table(self, migration_context=None):
        from . import _SchemaObjects

        return _SchemaObjects(migration_context).table(
            self.table_name, schema=self.schema, comment=self.comment
        )

    def to_diff_tuple(self):
        return ("add_table_comment", self.to_table(), self.existing_comment)

    @classmethod
    def create_table_comment(cls, operations, table_name, comment, *, existing_comment=None,
                             schema=None):
        return operations.invoke(
            cls(table_name, comment, existing_comment=existing_comment, schema=schema)
        )

    @classmethod
    def batch_create_table_comment(cls, operations, comment, *, existing_comment=None):
        return operations.invoke(
            cls(operations.impl.table_name, comment, existing_comment=existing_comment,
                schema=operations.impl.schema)
        )


class DropTableCommentOp(AlterTableOp):
    def __init__(self, table_name, *, schema=None, existing_comment=None):
        self.table_name = table_name
        self.existing_comment = existing_comment
        self.schema = schema

    def reverse(self):
        return CreateTableCommentOp(self.table_name, self.existing_comment, schema=self.schema)

    def to_table(self, migration_context=None):
        from . import _SchemaObjects

        return _SchemaObjects(migration_context).table(self.table_name, schema=self.schema)

    def to_diff_tuple(self):
        return ("remove_table_comment", self.to_table())

    @classmethod
    def drop_table_comment(cls, operations, table_name, *, existing_comment=None, schema=None):
        return operations.invoke(cls(table_name, existing_comment=existing_comment, schema=schema))

    @classmethod
    def batch_drop_table_comment(cls, operations, *, existing_comment=None):
        return operations.invoke(
            cls(operations.impl.table_name, existing_comment=existing_comment,
                schema=operations.impl.schema)
        )


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
        op = DropColumnOp.from_column_and_tablename(self.schema, self.table_name, self.column)
        op.if_exists = self.if_not_exists
        return op

    def to_diff_tuple(self):
        return ("add_column", self.schema, self.table_name, self.column)

    def to_column(self):
        return self.column

    @classmethod
    def from_column(cls, col):
        return cls(col.table.name, col, schema=col.table.schema)

    @classmethod
    def from_column_and_tablename(cls, schema, tname, col):
        return cls(tname, col, schema=schema)

    @classmethod
    def add_column(cls, operations, table_name, column, *, schema=None, if_not_exists=None,
                   inline_references=None, inline_primary_key=None):
        return operations.invoke(
            cls(table_name, column, schema=schema, if_not_exists=if_not_exists,
                inline_references=inline_references, inline_primary_key=inline_primary_key)
        )

    @classmethod
    def batch_add_column(cls, operations, column, *, insert_before=None, insert_after=None,
                         if_not_exists=None, inline_references=None, inline_primary_key=None):
        # the positioning keywords travel in .kw, and only when given
        kw = {}
        if insert_before:
            kw["insert_before"] = insert_before
        if insert_after:
            kw["insert_after"] = insert_after
        return operations.invoke(
            cls(operations.impl.table_name, column, schema=operations.impl.schema,
                if_not_exists=if_not_exists, inline_references=inline_references,
                inline_primary_key=inline_primary_key, **kw)
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
        op = AddColumnOp.from_column_and_tablename(
            self.schema, self.table_name, self._reverse.column
        )
        op.if_not_exists = self.if_exists
        return op

    def to_diff_tuple(self):
        return ("remove_column", self.schema, self.table_name, self.to_column())

    @classmethod
    def from_column_and_tablename(cls, schema, tname, col):
        return cls(
            tname, col.name, schema=schema,
            _reverse=AddColumnOp.from_column_and_tablename(schema, tname, col),
        )

    def to_column(self, migration_context=None):
        if self._reverse is not None:
            return self._reverse.column
        from sqlalchemy import Column
        from sqlalchemy.types import NULLTYPE

        return Column(self.column_name, NULLTYPE)

    @classmethod
    def drop_column(cls, operations, table_name, column_name, *, schema=None, **kw):
        return operations.invoke(cls(table_name, column_name, schema=schema, **kw))

    @classmethod
    def batch_drop_column(cls, operations, column_name, **kw):
        return operations.invoke(
            cls(operations.impl.table_name, column_name, schema=operations.impl.schema, **kw)
        )


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

    def to_diff_tuple(self):
        """A list (not a tuple) of ``modify_*`` diffs, one per changed aspect."""
        schema, tname, cname = self.schema, self.table_name, self.column_name
        diffs = []
        if self.modify_type is not None:
            diffs.append((
                "modify_type", schema, tname, cname,
                {
                    "existing_nullable": self.existing_nullable,
                    "existing_server_default": self.existing_server_default,
                    "existing_comment": self.existing_comment,
                },
                self.existing_type, self.modify_type,
            ))
        if self.modify_nullable is not None:
            diffs.append((
                "modify_nullable", schema, tname, cname,
                {
                    "existing_type": self.existing_type,
                    "existing_server_default": self.existing_server_default,
                    "existing_comment": self.existing_comment,
                },
                self.existing_nullable, self.modify_nullable,
            ))
        if self.modify_server_default is not False:
            diffs.append((
                "modify_default", schema, tname, cname,
                {
                    "existing_nullable": self.existing_nullable,
                    "existing_type": self.existing_type,
                    "existing_comment": self.existing_comment,
                },
                self.existing_server_default, self.modify_server_default,
            ))
        if self.modify_comment is not False:
            diffs.append((
                "modify_comment", schema, tname, cname,
                {
                    "existing_nullable": self.existing_nullable,
                    "existing_type": self.existing_type,
                    "existing_server_default": self.existing_server_default,
                },
                self.existing_comment, self.modify_comment,
            ))
        return diffs

    def has_changes(self):
        if (
            self.modify_nullable is not None
            or self.modify_server_default is not False
            or self.modify_type is not None
            or self.modify_comment is not False
        ):
            return True
        return any(k.startswith("modify_") for k in self.kw)

    def reverse(self):
        """Swap each ``modify_X`` with its ``existing_X``."""
        kw = dict(self.kw)
        kw["existing_type"] = self.existing_type
        kw["existing_nullable"] = self.existing_nullable
        kw["existing_server_default"] = self.existing_server_default
        kw["existing_comment"] = self.existing_comment
        if self.modify_type is not None:
            kw["modify_type"] = self.modify_type
        if self.modify_nullable is not None:
            kw["modify_nullable"] = self.modify_nullable
        if self.modify_server_default is not False:
            kw["modify_server_default"] = self.modify_server_default
        if self.modify_comment is not False:
            kw["modify_comment"] = self.modify_comment
        aspects = {
            m.group(1) for m in (re.match(r"^(?:existing_|modify_)(.+)$", k) for k in kw) if m
        }
        for aspect in aspects:
            if "modify_%s" % aspect in kw:
                kw["existing_%s" % aspect], kw["modify_%s" % aspect] = (
                    kw["modify_%s" % aspect], kw["existing_%s" % aspect],
                )
        return self.__class__(self.table_name, self.column_name, schema=self.schema, **kw)

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

    @classmethod
    def batch_alter_column(cls, operations, column_name, *, nullable=None, comment=False,
                           server_default=False, new_column_name=None, type_=None,
                           existing_type=None, existing_server_default=False,
                           existing_nullable=None, existing_comment=None, insert_before=None,
                           insert_after=None, **kw):
        return operations.invoke(
            cls(operations.impl.table_name, column_name, schema=operations.impl.schema,
                existing_type=existing_type, existing_server_default=existing_server_default,
                existing_nullable=existing_nullable, existing_comment=existing_comment,
                modify_name=new_column_name, modify_type=type_,
                modify_server_default=server_default, modify_nullable=nullable,
                modify_comment=comment, insert_before=insert_before,
                insert_after=insert_after, **kw)
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
        return DropIndexOp.from_index(self.to_index())

    def to_diff_tuple(self):
        return ("add_index", self.to_index())

    @classmethod
    def from_index(cls, index):
        return cls(
            index.name, index.table.name, index.expressions, schema=index.table.schema,
            unique=index.unique, **index.kwargs,
        )

    def to_index(self, migration_context=None):
        from . import _SchemaObjects

        return _SchemaObjects(migration_context).index(
            self.index_name, self.table_name, self.columns, schema=self.schema,
            unique=self.unique, **self.kw
        )

    @classmethod
    def create_index(cls, operations, index_name, table_name, columns, *, schema=None,
                     unique=False, if_not_exists=None, **kw):
        return operations.invoke(
            cls(index_name, table_name, columns, schema=schema, unique=unique,
                if_not_exists=if_not_exists, **kw)
        )

    @classmethod
    def batch_create_index(cls, operations, index_name, columns, **kw):
        return operations.invoke(
            cls(index_name, operations.impl.table_name, columns,
                schema=operations.impl.schema, **kw)
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
        return CreateIndexOp.from_index(self.to_index())

    def to_diff_tuple(self):
        return ("remove_index", self.to_index())

    @classmethod
    def from_index(cls, index):
        return cls(
            index.name, table_name=index.table.name, schema=index.table.schema,
            _reverse=CreateIndexOp.from_index(index), unique=index.unique, **index.kwargs,
        )

    def to_index(self, migration_context=None):
        from . import _SchemaObjects

        # a placeholder column: SQLAlchemy refuses an Index without one
        return _SchemaObjects(migration_context).index(
            self.index_name, self.table_name,
            self._reverse.columns if self._reverse else ["x"], schema=self.schema, **self.kw
        )

    @classmethod
    def drop_index(cls, operations, index_name, table_name=None, *, schema=None,
                   if_exists=None, **kw):
        return operations.invoke(
            cls(index_name, table_name, schema=schema, if_exists=if_exists, **kw)
        )

    @classmethod
    def batch_drop_index(cls, operations, index_name, **kw):
        return operations.invoke(
            cls(index_name, table_name=operations.impl.table_name,
                schema=operations.impl.schema, **kw)
        )


class AddConstraintOp(MigrateOperation):
    # constraint ``__visit_name__`` -> the ``from_constraint`` making its op
    add_constraint_ops = {}

    @property
    def constraint_type(self):
        raise NotImplementedError()

    @classmethod
    def register_add_constraint(cls, type_):
        def go(klass):
            cls.add_constraint_ops[type_] = klass.from_constraint
            return klass

        return go

    @classmethod
    def from_constraint(cls, constraint):
        try:
            maker = cls.add_constraint_ops[constraint.__visit_name__]
        except KeyError:
            raise ValueError("no dispatch function for object: %s" % constraint) from None
        return maker(constraint)

    def to_constraint(self, migration_context=None):
        raise NotImplementedError()

    def reverse(self):
        return DropConstraintOp.from_constraint(self.to_constraint())

    def to_diff_tuple(self):
        return ("add_constraint", self.to_constraint())


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
        return AddConstraintOp.from_constraint(self.to_constraint())

    def to_diff_tuple(self):
        if self.constraint_type == "foreignkey":
            return ("remove_fk", self.to_constraint())
        return ("remove_constraint", self.to_constraint())

    _TYPES = {
        "unique_constraint": "unique",
        "foreign_key_constraint": "foreignkey",
        "primary_key_constraint": "primary",
        "check_constraint": "check",
        "column_check_constraint": "check",
        "table_or_column_check_constraint": "check",
    }

    @classmethod
    def from_constraint(cls, constraint):
        table = _table_for_constraint(constraint)
        return cls(
            _constraint_name_or_none(constraint.name),
            table.name,
            schema=table.schema,
            type_=cls._TYPES.get(constraint.__visit_name__),
            _reverse=AddConstraintOp.from_constraint(constraint),
        )

    def to_constraint(self):
        if self._reverse is None:
            raise ValueError("constraint cannot be produced; original constraint is not present")
        constraint = self._reverse.to_constraint()
        constraint.name = self.constraint_name
        table = _table_for_constraint(constraint)
        table.name = self.table_name
        table.schema = self.schema
        return constraint

    @classmethod
    def drop_constraint(cls, operations, constraint_name, table_name, type_=None, *,
                        schema=None, if_exists=None):
        return operations.invoke(
            cls(constraint_name, table_name, type_=type_, schema=schema, if_exists=if_exists)
        )

    @classmethod
    def batch_drop_constraint(cls, operations, constraint_name, type_=None):
        return operations.invoke(
            cls(constraint_name, operations.impl.table_name, type_=type_,
                schema=operations.impl.schema)
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
    def from_constraint(cls, constraint):
        table = _table_for_constraint(constraint)
        return cls(
            _constraint_name_or_none(constraint.name), table.name,
            constraint.columns.keys(), schema=table.schema, **constraint.dialect_kwargs,
        )

    def to_constraint(self, migration_context=None):
        from . import _SchemaObjects

        return _SchemaObjects(migration_context).primary_key_constraint(
            self.constraint_name, self.table_name, self.columns, schema=self.schema, **self.kw
        )

    @classmethod
    def create_primary_key(cls, operations, constraint_name, table_name, columns, *,
                           schema=None):
        return operations.invoke(cls(constraint_name, table_name, columns, schema=schema))

    @classmethod
    def batch_create_primary_key(cls, operations, constraint_name, columns):
        return operations.invoke(
            cls(constraint_name, operations.impl.table_name, columns,
                schema=operations.impl.schema)
        )


class CreateUniqueConstraintOp(AddConstraintOp):
    constraint_type = "unique"

    def __init__(self, constraint_name, table_name, columns, *, schema=None, **kw):
        self.constraint_name = constraint_name
        self.table_name = table_name
        self.columns = columns
        self.schema = schema
        self.kw = kw

    @classmethod
    def from_constraint(cls, constraint):
        table = _table_for_constraint(constraint)
        kw = {}
        if constraint.deferrable:
            kw["deferrable"] = constraint.deferrable
        if constraint.initially:
            kw["initially"] = constraint.initially
        kw.update(constraint.dialect_kwargs)
        return cls(
            _constraint_name_or_none(constraint.name), table.name,
            [c.name for c in constraint.columns], schema=table.schema, **kw,
        )

    def to_constraint(self, migration_context=None):
        from . import _SchemaObjects

        return _SchemaObjects(migration_context).unique_constraint(
            self.constraint_name, self.table_name, self.columns, schema=self.schema, **self.kw
        )

    @classmethod
    def create_unique_constraint(cls, operations, constraint_name, table_name, columns, *,
                                 schema=None, **kw):
        return operations.invoke(cls(constraint_name, table_name, columns, schema=schema, **kw))

    @classmethod
    def batch_create_unique_constraint(cls, operations, constraint_name, columns, **kw):
        # a ``schema`` keyword is overridden by the batch table's, as in Alembic
        kw["schema"] = operations.impl.schema
        return operations.invoke(cls(constraint_name, operations.impl.table_name, columns, **kw))


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

    def to_diff_tuple(self):
        return ("add_fk", self.to_constraint())

    @classmethod
    def from_constraint(cls, constraint):
        kw = {}
        for attr in ("onupdate", "ondelete", "initially", "deferrable", "use_alter", "match"):
            value = getattr(constraint, attr)
            if value:
                kw[attr] = value
        spec = _fk_spec(constraint)
        kw["source_schema"] = spec.source_schema
        kw["referent_schema"] = spec.target_schema
        kw.update(constraint.dialect_kwargs)
        return cls(
            _constraint_name_or_none(constraint.name), spec.source_table,
            spec.target_table, spec.source_columns, spec.target_columns, **kw,
        )

    def to_constraint(self, migration_context=None):
        from . import _SchemaObjects

        return _SchemaObjects(migration_context).foreign_key_constraint(
            self.constraint_name, self.source_table, self.referent_table,
            self.local_cols, self.remote_cols, **self.kw,
        )

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

    @classmethod
    def batch_create_foreign_key(cls, operations, constraint_name, referent_table, local_cols,
                                 remote_cols, *, referent_schema=None, onupdate=None,
                                 ondelete=None, deferrable=None, initially=None, match=None,
                                 **dialect_kw):
        return operations.invoke(
            cls(constraint_name, operations.impl.table_name, referent_table, local_cols,
                remote_cols, onupdate=onupdate, ondelete=ondelete, deferrable=deferrable,
                source_schema=operations.impl.schema, referent_schema=referent_schema,
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
    def from_constraint(cls, constraint):
        table = _table_for_constraint(constraint)
        return cls(
            _constraint_name_or_none(constraint.name), table.name,
            constraint.sqltext, schema=table.schema, **constraint.dialect_kwargs,
        )

    def to_constraint(self, migration_context=None):
        from . import _SchemaObjects

        return _SchemaObjects(migration_context).check_constraint(
            self.constraint_name, self.table_name, self.condition, schema=self.schema, **self.kw
        )

    @classmethod
    def create_check_constraint(cls, operations, constraint_name, table_name, condition, *,
                                schema=None, **kw):
        return operations.invoke(
            cls(constraint_name, table_name, condition, schema=schema, **kw)
        )

    @classmethod
    def batch_create_check_constraint(cls, operations, constraint_name, condition, **kw):
        return operations.invoke(
            cls(constraint_name, operations.impl.table_name, condition,
                schema=operations.impl.schema, **kw)
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

    def to_diff_tuple(self):
        return ("execute", self.sqltext)

    @classmethod
    def execute(cls, operations, sqltext, *, execution_options=None):
        return operations.invoke(cls(sqltext, execution_options=execution_options))

    @classmethod
    def batch_execute(cls, operations, sqltext, *, execution_options=None):
        return cls.execute(operations, sqltext, execution_options=execution_options)


for _visit_name, _op_class in (
    ("primary_key_constraint", CreatePrimaryKeyOp),
    ("unique_constraint", CreateUniqueConstraintOp),
    ("foreign_key_constraint", CreateForeignKeyOp),
    ("check_constraint", CreateCheckConstraintOp),
    ("column_check_constraint", CreateCheckConstraintOp),
    ("table_or_column_check_constraint", CreateCheckConstraintOp),
):
    AddConstraintOp.register_add_constraint(_visit_name)(_op_class)


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

# (name registered on BatchOperations, op class, classmethod it calls)
BATCH_BUILTIN = (
    ("create_table_comment", CreateTableCommentOp, "batch_create_table_comment"),
    ("drop_table_comment", DropTableCommentOp, "batch_drop_table_comment"),
    ("add_column", AddColumnOp, "batch_add_column"),
    ("drop_column", DropColumnOp, "batch_drop_column"),
    ("alter_column", AlterColumnOp, "batch_alter_column"),
    ("create_index", CreateIndexOp, "batch_create_index"),
    ("drop_index", DropIndexOp, "batch_drop_index"),
    ("drop_constraint", DropConstraintOp, "batch_drop_constraint"),
    ("create_primary_key", CreatePrimaryKeyOp, "batch_create_primary_key"),
    ("create_unique_constraint", CreateUniqueConstraintOp, "batch_create_unique_constraint"),
    ("create_foreign_key", CreateForeignKeyOp, "batch_create_foreign_key"),
    ("create_check_constraint", CreateCheckConstraintOp, "batch_create_check_constraint"),
    ("execute", ExecuteSQLOp, "batch_execute"),
)


# --- Containers: what autogenerate produces and `process_revision_directives`
# --- receives (`directives[0].upgrade_ops.ops`), as in Alembic.


class OpContainer(MigrateOperation):
    """A list of operations (possibly nested containers)."""

    def __init__(self, ops=()):
        self.ops = list(ops)

    def is_empty(self):
        return not self.ops

    def as_diffs(self):
        return list(self._ops_as_diffs(self))

    @classmethod
    def _ops_as_diffs(cls, container):
        for op in container.ops:
            if hasattr(op, "ops"):
                yield from cls._ops_as_diffs(op)
            else:
                yield op.to_diff_tuple()


def _reversed_ops(ops):
    return list(reversed([op.reverse() for op in ops]))


class ModifyTableOps(OpContainer):
    """The changes to one existing table."""

    def __init__(self, table_name, ops, *, schema=None):
        super().__init__(ops)
        self.table_name = table_name
        self.schema = schema

    def reverse(self):
        return ModifyTableOps(self.table_name, ops=_reversed_ops(self.ops), schema=self.schema)


class UpgradeOps(OpContainer):
    """The `upgrade()` body of a script (one per `upgrade_token`)."""

    def __init__(self, ops=(), upgrade_token="upgrades"):
        super().__init__(ops=ops)
        self.upgrade_token = upgrade_token

    def reverse_into(self, downgrade_ops):
        downgrade_ops.ops[:] = _reversed_ops(self.ops)
        return downgrade_ops

    def reverse(self):
        return self.reverse_into(DowngradeOps(ops=[]))


class DowngradeOps(OpContainer):
    """The `downgrade()` body of a script."""

    def __init__(self, ops=(), downgrade_token="downgrades"):
        super().__init__(ops=ops)
        self.downgrade_token = downgrade_token

    def reverse(self):
        return UpgradeOps(ops=_reversed_ops(self.ops))


def _to_list(value):
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


class MigrationScript(MigrateOperation):
    """One revision file to write. With several `run_migrations()` calls
    (the multidb template) it holds one UpgradeOps/DowngradeOps per call,
    reached through the `*_ops_list` attributes."""

    def __init__(self, rev_id, upgrade_ops, downgrade_ops, *, message=None, imports=set(),
                 head=None, splice=None, branch_label=None, version_path=None,
                 depends_on=None):
        import pathlib

        self.rev_id = rev_id
        self.message = message
        self.imports = imports
        self.head = head
        self.splice = splice
        self.branch_label = branch_label
        self.version_path = pathlib.Path(version_path).as_posix() if version_path else None
        self.depends_on = depends_on
        self.upgrade_ops = upgrade_ops
        self.downgrade_ops = downgrade_ops

    @staticmethod
    def _single(ops_list, kind):
        if len(ops_list) > 1:
            raise ValueError(
                "This MigrationScript instance has a multiple-entry list for %s; "
                "please use the %s_list attribute." % (
                    "UpgradeOps" if kind == "upgrade_ops" else "DowngradeOps", kind)
            )
        return ops_list[0] if ops_list else None

    @property
    def upgrade_ops(self):
        return self._single(self._upgrade_ops, "upgrade_ops")

    @upgrade_ops.setter
    def upgrade_ops(self, upgrade_ops):
        self._upgrade_ops = _to_list(upgrade_ops)
        for elem in self._upgrade_ops:
            assert isinstance(elem, UpgradeOps)

    @property
    def downgrade_ops(self):
        return self._single(self._downgrade_ops, "downgrade_ops")

    @downgrade_ops.setter
    def downgrade_ops(self, downgrade_ops):
        self._downgrade_ops = _to_list(downgrade_ops)
        for elem in self._downgrade_ops:
            assert isinstance(elem, DowngradeOps)

    @property
    def upgrade_ops_list(self):
        return self._upgrade_ops

    @property
    def downgrade_ops_list(self):
        return self._downgrade_ops


# --- Helpers for the autogenerate methods above (Alembic's sqla_compat).


def _without_type_bound(items):
    """Drop the CHECK constraints a type (Boolean, Enum) generates: the
    column's type makes them again in the new Table."""
    from sqlalchemy import Constraint

    return [i for i in items if not (isinstance(i, Constraint) and i._type_bound)]


def _constraint_name_or_none(name):
    """A real name, or None for unnamed / naming-convention-deferred ones."""
    return name if isinstance(name, str) else None


def _table_for_constraint(constraint):
    from ..util.sqla_compat import _table_for_constraint as table_for

    return table_for(constraint)


class _FKSpec:
    """Source and target of a ForeignKeyConstraint, by name."""

    def __init__(self, constraint):
        self.source_columns = [constraint.columns[key].name for key in constraint.column_keys]
        self.source_table = constraint.parent.name
        self.source_schema = constraint.parent.schema
        target = constraint.elements[0].column.table
        self.target_schema = target.schema
        self.target_table = target.name
        self.target_columns = [element.column.name for element in constraint.elements]


_fk_spec = _FKSpec


def _textual_index_column(table, element):
    """One element of an Index on the placeholder ``table``
    (``_SchemaObjects.index``): a name becomes an untyped column of it,
    ``text()`` a textual element, and a column expression is rebound onto it
    (another Table's columns copied over, as Alembic's ``_copy_expression``)."""
    from sqlalchemy import Column
    from sqlalchemy.sql import ColumnElement
    from sqlalchemy.sql.elements import TextClause
    from sqlalchemy.types import NULLTYPE

    if isinstance(element, str):
        c = Column(element, NULLTYPE)
        table.append_column(c)
        return c
    if isinstance(element, TextClause):
        return _textual_index_element(table, element)
    if isinstance(element, _textual_index_element):
        return _textual_index_column(table, element.text)
    if isinstance(element, ColumnElement):
        from .recreate import _rebind_expression

        return _rebind_expression(element, table)
    raise ValueError("String or text() construct expected")


def _make_textual_index_element():
    from sqlalchemy import Column
    from sqlalchemy.ext.compiler import compiles
    from sqlalchemy.sql import ColumnElement
    from sqlalchemy.types import NULLTYPE

    class _textual_index_element(ColumnElement):
        """A ``text()`` index expression standing as a column, so the Index
        has as many columns as expressions (SQLAlchemy issue 3174)."""

        __visit_name__ = "_textual_idx_element"
        inherit_cache = False

        def __init__(self, table, text):
            self.table = table
            self.text = text
            self.key = text.text
            self.fake_column = Column(self.text.text, NULLTYPE)
            table.append_column(self.fake_column)

        def get_children(self, **kw):
            return [self.fake_column]

    # the repr Alembic's diff tuples show
    _textual_index_element.__module__ = "alembic.util.sqla_compat"
    _textual_index_element.__qualname__ = "_textual_index_element"

    @compiles(_textual_index_element)
    def _render(element, compiler, **kw):
        return compiler.process(element.text, **kw)

    return _textual_index_element


_textual_index_element = _make_textual_index_element()
