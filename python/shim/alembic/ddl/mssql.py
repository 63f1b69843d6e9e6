"""``alembic.ddl.mssql``: ``MSSQLImpl``, offline only (``--sql``; no driver)."""

from sqlalchemy import Column
from sqlalchemy import schema as sa_schema

from .base import ColumnComment
from .impl import _SeparatedImpl, _is_computed_or_identity


class MSSQLImpl(_SeparatedImpl):
    __dialect__ = "mssql"
    transactional_ddl = True
    batch_separator = "GO"
    _separator_opt = "mssql_batch_separator"

    def emit_begin(self):
        self.static_output("BEGIN TRANSACTION" + self.command_terminator)

    def emit_commit(self):
        super().emit_commit()
        if self.as_sql and self.batch_separator:
            self.static_output(self.batch_separator)

    def alter_column(self, table_name, column_name, *, nullable=None, server_default=False,
                     name=None, type_=None, schema=None, existing_type=None,
                     existing_server_default=None, existing_nullable=None, comment=False,
                     existing_comment=None, **kw):
        import warnings

        from ..util.exc import CommandError

        if nullable is not None:
            if type_ is not None:
                existing_type = type_
                type_ = None
            elif existing_type is None:
                raise CommandError(
                    "MS-SQL ALTER COLUMN operations "
                    "with NULL or NOT NULL require the "
                    "existing_type or a new type_ be passed."
                )
        elif existing_nullable is not None and type_ is not None:
            nullable = existing_nullable
            existing_type = type_
            type_ = None
        elif type_ is not None:
            warnings.warn(
                "MS-SQL ALTER COLUMN operations that specify type_= "
                "should also specify a nullable= or "
                "existing_nullable= argument to avoid implicit conversion "
                "of NOT NULL columns to NULL.",
                UserWarning,
                # Alembic's warning points at its MSSQL impl; this one at ours.
                stacklevel=1,
            )
        if kw.get("autoincrement") is not None or kw.get("existing_autoincrement") is not None:
            # DefaultImpl.alter_column's, which MSSQLImpl calls at this point
            # (so raised from one place: MSSQLImpl.alter_column's frame)
            warnings.warn(
                "autoincrement and existing_autoincrement only make sense for MySQL",
                UserWarning,
                stacklevel=1,
            )
        if server_default is not False and _is_computed_or_identity(
            server_default, existing_server_default
        ):
            # Alembic passes these on to DefaultImpl.alter_column: the NULL /
            # NOT NULL first, then its IdentityColumnDefault /
            # ComputedColumnDefault, which MSSQL's compiler refuses
            if nullable is not None:
                self.alter_column(table_name, column_name, nullable=nullable, schema=schema,
                                  existing_type=existing_type)
            self._alter_column_special_default(
                table_name, column_name, nullable=None, server_default=server_default,
                name=None, type_=None, schema=schema, comment=False,
                existing_type=existing_type, existing_server_default=existing_server_default,
                existing_nullable=existing_nullable, existing_comment=existing_comment,
            )
            return
        if server_default is not False and (
            existing_server_default is not False or server_default is None
        ):
            self._raw(self._drop_constraint_sql(table_name, column_name, "sys.default_constraints", schema))
        alter = self._alter(table_name, schema)
        col = self._quote(column_name)
        if nullable is not None:
            self._raw(
                "%s ALTER COLUMN %s %s %s"
                % (alter, col, self._type(existing_type), "NULL" if nullable else "NOT NULL")
            )
        if type_ is not None:
            self._raw("%s ALTER COLUMN %s %s" % (alter, col, self._type(type_)))
        if comment is not False:
            self._exec(ColumnComment(self._comment_sql(schema, table_name, column_name, comment, existing_comment)))
        if server_default is not False and server_default is not None:
            self._raw("%s ADD DEFAULT %s FOR %s" % (alter, self._server_default(server_default), col))
        if name is not None:
            self._raw(
                "EXEC sp_rename '%s.%s', %s, 'COLUMN'"
                % (self._table(table_name, schema), col, self._quote(name))
            )

    def _comment_sql(self, schema, tname, cname, comment, existing_comment):
        from sqlalchemy import NVARCHAR

        compiler = self._ddl_compiler
        schema_name = schema if schema else self.dialect.default_schema_name
        prep = compiler.preparer
        if comment is None:
            return (
                "exec sp_dropextendedproperty 'MS_Description', "
                "'schema', {}, 'table', {}, 'column', {}".format(
                    prep.quote_schema(schema_name), prep.quote(tname), prep.quote(cname)
                )
            )
        verb = "sp_updateextendedproperty" if existing_comment is not None else "sp_addextendedproperty"
        return (
            "exec {} 'MS_Description', {}, "
            "'schema', {}, 'table', {}, 'column', {}".format(
                verb,
                compiler.sql_compiler.render_literal_value(comment, NVARCHAR()),
                prep.quote_schema(schema_name),
                prep.quote(tname),
                prep.quote(cname),
            )
        )

    def _drop_constraint_sql(self, tname, colname, type_, schema):
        return """declare @const_name varchar(256)
select @const_name = QUOTENAME([name]) from %(type)s
where parent_object_id = object_id('%(schema_dot)s%(tname)s')
and col_name(parent_object_id, parent_column_id) = '%(colname)s'
exec('alter table %(tname_quoted)s drop constraint ' + @const_name)""" % {
            "type": type_,
            "tname": tname,
            "colname": colname,
            "tname_quoted": self._table(tname, schema),
            "schema_dot": schema + "." if schema else "",
        }

    def drop_column(self, table_name, column, schema=None, **kw):
        if kw.pop("mssql_drop_default", False):
            self._raw(self._drop_constraint_sql(table_name, column.name, "sys.default_constraints", schema))
        if kw.pop("mssql_drop_check", False):
            self._raw(self._drop_constraint_sql(table_name, column.name, "sys.check_constraints", schema))
        if kw.pop("mssql_drop_foreign_key", False):
            self._raw("""declare @const_name varchar(256)
select @const_name = QUOTENAME([name]) from
sys.foreign_keys fk join sys.foreign_key_columns fkc
on fk.object_id=fkc.constraint_object_id
where fkc.parent_object_id = object_id('%(schema_dot)s%(tname)s')
and col_name(fkc.parent_object_id, fkc.parent_column_id) = '%(colname)s'
exec('alter table %(tname_quoted)s drop constraint ' + @const_name)""" % {
                "tname": table_name,
                "colname": column.name,
                "tname_quoted": self._table(table_name, schema),
                "schema_dot": schema + "." if schema else "",
            })
        super().drop_column(table_name, column, schema=schema, **kw)

    def rename_table(self, old_table_name, new_table_name, schema=None):
        self._raw("EXEC sp_rename '%s', %s" % (self._table(old_table_name, schema), self._table(new_table_name)))

    def create_index(self, index, **kw):
        from sqlalchemy import types as sqltypes

        for col in index.kwargs.get("mssql_include", None) or ():
            if col not in index.table.c:
                index.table.append_column(Column(col, sqltypes.NullType))
        self._exec(sa_schema.CreateIndex(index, **kw))

    def bulk_insert(self, table, rows, **kw):
        if self.as_sql:
            fmt = self.dialect.identifier_preparer.format_table(table)
            self._exec("SET IDENTITY_INSERT %s ON" % fmt)
            super().bulk_insert(table, rows, **kw)
            self._exec("SET IDENTITY_INSERT %s OFF" % fmt)
        else:
            super().bulk_insert(table, rows, **kw)


# The DDL elements and helpers Alembic's dialect module imports from
# ``ddl.base`` (extensions import them from here: ``from
# alembic.ddl.mssql import ...``).
from .base import (  # noqa: E402,F401
    AddColumn,
    ColumnDefault,
    ColumnName,
    ColumnNullable,
    ColumnType,
    RenameTable,
    alter_column,
    alter_table,
    format_column_name,
    format_server_default,
    format_table_name,
    format_type,
)
from .impl import DefaultImpl  # noqa: E402,F401
