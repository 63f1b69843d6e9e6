"""``alembic.ddl.oracle``: ``OracleImpl``, offline only (``--sql``; no driver)."""

import warnings

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles

from .base import ColumnComment
from .impl import _SeparatedImpl, _is_computed_or_identity


class OracleImpl(_SeparatedImpl):
    __dialect__ = "oracle"
    transactional_ddl = False
    batch_separator = "/"
    command_terminator = ""
    _separator_opt = "oracle_batch_separator"

    def emit_begin(self):
        self._exec("SET TRANSACTION READ WRITE")

    def emit_commit(self):
        self._exec("COMMIT")

    def alter_column(self, table_name, column_name, *, nullable=None, server_default=False,
                     name=None, type_=None, schema=None, comment=False, **kw):
        if kw.get("autoincrement") is not None or kw.get("existing_autoincrement") is not None:
            # DefaultImpl.alter_column's (OracleImpl does not override it)
            warnings.warn(
                "autoincrement and existing_autoincrement only make sense for MySQL",
                UserWarning,
                stacklevel=2,
            )
        if server_default is not False and _is_computed_or_identity(
            server_default, kw.get("existing_server_default")
        ):
            # DefaultImpl's order around Alembic's IdentityColumnDefault /
            # ComputedColumnDefault (compiled below / refused)
            self._alter_column_special_default(
                table_name, column_name, nullable=nullable, server_default=server_default,
                name=name, type_=type_, schema=schema, comment=comment, **kw
            )
            return
        alter = self._alter(table_name, schema)
        col = self._quote(column_name)
        if nullable is not None:
            self._raw("%s MODIFY %s %s" % (alter, col, "NULL" if nullable else "NOT NULL"))
        if server_default is not False:
            self._raw(
                "%s MODIFY %s %s"
                % (
                    alter,
                    col,
                    "DEFAULT %s" % self._server_default(server_default)
                    if server_default is not None
                    else "DEFAULT NULL",
                )
            )
        if type_ is not None:
            self._raw("%s MODIFY %s %s" % (alter, col, self._type(type_)))
        if comment is not False:
            # Alembic's Oracle form: names unquoted, None as ''.
            literal = self.dialect.statement_compiler(self.dialect, None).render_literal_value(
                comment if comment is not None else "", String()
            )
            self._exec(ColumnComment(
                "COMMENT ON COLUMN %s.%s IS %s" % (table_name, column_name, literal)
            ))
        if name is not None:
            self._raw("%s RENAME COLUMN %s TO %s" % (alter, col, self._quote(name)))

    def rename_table(self, old_table_name, new_table_name, schema=None):
        self._raw("%s RENAME TO %s" % (self._alter(old_table_name, schema), self._table(new_table_name)))


# The DDL elements and helpers Alembic's dialect module imports from
# ``ddl.base`` (extensions import them from here: ``from
# alembic.ddl.oracle import ...``).
from .base import (  # noqa: E402,F401
    AddColumn,
    ColumnDefault,
    ColumnName,
    ColumnNullable,
    ColumnType,
    IdentityColumnDefault,
    RenameTable,
    add_column,
    alter_column,
    alter_table,
    format_column_name,
    format_server_default,
    format_table_name,
    format_type,
)
from .impl import DefaultImpl  # noqa: E402,F401


@compiles(IdentityColumnDefault, "oracle")
def visit_identity_column(element, compiler, **kw):
    """Alembic's Oracle identity change: MODIFY ... DROP IDENTITY, or the
    column's new GENERATED ... AS IDENTITY."""
    text_ = "%s MODIFY %s " % (
        alter_table(compiler, element.table_name, element.schema),
        format_column_name(compiler, element.column_name),
    )
    if element.default is None:
        text_ += "DROP IDENTITY"
    else:
        text_ += compiler.visit_identity_column(element.default)
    return text_
