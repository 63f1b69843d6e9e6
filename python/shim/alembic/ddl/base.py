"""``alembic.ddl.base``: the DDL elements the impls hand to SQLAlchemy.

Alembic's module holds one element per ALTER form, each with a compiler per
dialect; here most statements are composed in Rust (``src/ddl/``) and sent
as ``_RawDDL``. The element classes and formatting helpers are still
defined, with Alembic's names and constructor signatures, because
extensions import them to override a dialect's SQL with ``@compiles``
(geoalchemy2's ``alembic_helpers`` replaces ``RenameTable`` on SQLite):
``rename_table`` runs through ``RenameTable``, so such an override applies
there; the other elements compile to Alembic's generic text when a user
executes them. ``ColumnComment`` is the shim's own (see its docstring).
"""

from sqlalchemy import Column, Integer
from sqlalchemy import exc
from sqlalchemy import schema as sa_schema
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import quoted_name

import _alembic_rs

from ..util.sqla_compat import (  # noqa: F401  (Alembic's module has them)
    _columns_for_constraint,
    _find_columns,
    _fk_spec,
    _is_type_bound,
    _table_for_constraint,
)


class _RawDDL(sa_schema.DDLElement):
    """A statement composed by alembic-rs, sent verbatim (no bind parsing)."""

    inherit_cache = False

    def __init__(self, sql):
        self.sql = sql


@compiles(_RawDDL)
def _compile_raw(element, compiler, **kw):
    return element.sql


class ColumnComment(sa_schema.DDLElement):
    """Alembic's ``alembic.ddl.base.ColumnComment``, kept only so that a
    dialect without a comment form fails as Alembic does: SQLAlchemy's own
    ``UnsupportedCompilationError`` (with its exception chain), naming the
    same class."""

    inherit_cache = False

    def __init__(self, sql):
        self.sql = sql


# The dialects with a comment form (Alembic's @compiles(ColumnComment, ...)).
for _name in ("postgresql", "mysql", "mariadb", "mssql", "oracle"):
    compiles(ColumnComment, _name)(lambda element, compiler, **kw: element.sql)


# --- Alembic's elements (constructor signatures as in Alembic 1.20.1) ----


class AlterTable(sa_schema.DDLElement):
    """An ``ALTER TABLE`` on ``table_name`` (in ``schema``)."""

    inherit_cache = False

    def __init__(self, table_name, schema=None):
        self.table_name = table_name
        self.schema = schema


class RenameTable(AlterTable):
    def __init__(self, old_table_name, new_table_name, schema=None):
        super().__init__(old_table_name, schema=schema)
        self.new_table_name = new_table_name


class AlterColumn(AlterTable):
    def __init__(self, name, column_name, schema=None, existing_type=None,
                 existing_nullable=None, existing_server_default=None,
                 existing_comment=None):
        super().__init__(name, schema=schema)
        self.column_name = column_name
        self.existing_type = existing_type
        self.existing_nullable = existing_nullable
        self.existing_server_default = existing_server_default
        self.existing_comment = existing_comment


class ColumnNullable(AlterColumn):
    def __init__(self, name, column_name, nullable, **kw):
        super().__init__(name, column_name, **kw)
        self.nullable = nullable


class ColumnType(AlterColumn):
    def __init__(self, name, column_name, type_, **kw):
        from sqlalchemy.sql import sqltypes

        super().__init__(name, column_name, **kw)
        self.type_ = sqltypes.to_instance(type_)


class ColumnName(AlterColumn):
    def __init__(self, name, column_name, newname, **kw):
        super().__init__(name, column_name, **kw)
        self.newname = newname


class ColumnDefault(AlterColumn):
    def __init__(self, name, column_name, default, **kw):
        super().__init__(name, column_name, **kw)
        self.default = default


class ComputedColumnDefault(AlterColumn):
    def __init__(self, name, column_name, default, **kw):
        super().__init__(name, column_name, **kw)
        self.default = default


class IdentityColumnDefault(AlterColumn):
    def __init__(self, name, column_name, default, impl, **kw):
        super().__init__(name, column_name, **kw)
        self.default = default
        self.impl = impl


class AddColumn(AlterTable):
    def __init__(self, name, column, schema=None, if_not_exists=None,
                 inline_references=None, inline_primary_key=None):
        super().__init__(name, schema=schema)
        self.column = column
        self.if_not_exists = if_not_exists
        self.inline_references = inline_references
        self.inline_primary_key = inline_primary_key


class DropColumn(AlterTable):
    def __init__(self, name, column, schema=None, if_exists=None):
        super().__init__(name, schema=schema)
        self.column = column
        self.if_exists = if_exists


# --- formatting helpers extensions call from their compilers -------------


def quote_dotted(name, quote):
    """Quotes each dot-separated part of ``name`` (a ``quoted_name`` is one
    part)."""
    if isinstance(name, quoted_name):
        return quote(name)
    return ".".join(quote(part) for part in name.split("."))


def format_table_name(compiler, name, schema):
    quote = compiler.preparer.quote
    if schema:
        return quote_dotted(schema, quote) + "." + quote(name)
    return quote(name)


def format_column_name(compiler, name):
    return compiler.preparer.quote(name)


def format_server_default(compiler, default):
    return compiler.get_column_default_string(Column("x", Integer, server_default=default))


def format_type(compiler, type_):
    return compiler.dialect.type_compiler_instance.process(type_)


def alter_table(compiler, name, schema):
    return "ALTER TABLE %s" % format_table_name(compiler, name, schema)


def drop_column(compiler, name, **kw):
    return "DROP COLUMN %s" % format_column_name(compiler, name)


def alter_column(compiler, name):
    return "ALTER COLUMN %s" % format_column_name(compiler, name)


def add_column(compiler, column, **kw):
    return "ADD COLUMN %s" % compiler.get_column_specification(column, **kw)


# --- the generic compilers ----------------------------------------------


@compiles(RenameTable)
def visit_rename_table(element, compiler, **kw):
    return _alembic_rs.ddl_rename_table(
        format_table_name(compiler, element.table_name, element.schema),
        format_table_name(compiler, element.new_table_name, element.schema),
    )


@compiles(RenameTable, "postgresql")
@compiles(RenameTable, "sqlite")
def _rename_table_unqualified(element, compiler, **kw):
    """PostgreSQL and SQLite take the new name without a schema (the table
    stays in its schema)."""
    return _alembic_rs.ddl_rename_table(
        format_table_name(compiler, element.table_name, element.schema),
        format_table_name(compiler, element.new_table_name, None),
    )


@compiles(AddColumn)
def visit_add_column(element, compiler, **kw):
    return "%s %s" % (
        alter_table(compiler, element.table_name, element.schema),
        add_column(compiler, element.column, **kw),
    )


@compiles(DropColumn)
def visit_drop_column(element, compiler, **kw):
    return "%s %s" % (
        alter_table(compiler, element.table_name, element.schema),
        drop_column(compiler, element.column.name, **kw),
    )


@compiles(ColumnNullable)
def visit_column_nullable(element, compiler, **kw):
    return "%s %s %s" % (
        alter_table(compiler, element.table_name, element.schema),
        alter_column(compiler, element.column_name),
        "DROP NOT NULL" if element.nullable else "SET NOT NULL",
    )


@compiles(ColumnType)
def visit_column_type(element, compiler, **kw):
    return "%s %s %s" % (
        alter_table(compiler, element.table_name, element.schema),
        alter_column(compiler, element.column_name),
        "TYPE %s" % format_type(compiler, element.type_),
    )


@compiles(ColumnName)
def visit_column_name(element, compiler, **kw):
    return "%s RENAME %s TO %s" % (
        alter_table(compiler, element.table_name, element.schema),
        format_column_name(compiler, element.column_name),
        format_column_name(compiler, element.newname),
    )


@compiles(ColumnDefault)
def visit_column_default(element, compiler, **kw):
    return "%s %s %s" % (
        alter_table(compiler, element.table_name, element.schema),
        alter_column(compiler, element.column_name),
        "SET DEFAULT %s" % format_server_default(compiler, element.default)
        if element.default is not None
        else "DROP DEFAULT",
    )


@compiles(ComputedColumnDefault)
def visit_computed_column(element, compiler, **kw):
    raise exc.CompileError(
        'Adding or removing a "computed" construct, e.g. GENERATED '
        "ALWAYS AS, to or from an existing column is not supported."
    )


@compiles(IdentityColumnDefault)
def visit_identity_column(element, compiler, **kw):
    raise exc.CompileError(
        'Adding, removing or modifying an "identity" construct, '
        "e.g. GENERATED AS IDENTITY, to or from an existing "
        "column is not supported in this dialect."
    )
