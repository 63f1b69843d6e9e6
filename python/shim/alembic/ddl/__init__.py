"""Per-dialect implementations (Alembic's ``DefaultImpl`` subclasses).

Which statements a directive becomes is decided in Rust (``_alembic_rs``,
``src/ddl/``); SQLAlchemy renders the pieces it owns (quoting, types,
column specifications, CREATE TABLE/INDEX and constraints).
"""

from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table, text
from sqlalchemy import schema as sa_schema
from sqlalchemy.sql.elements import ClauseElement, TextClause

import _alembic_rs


class _RawDDL(sa_schema.DDLElement):
    """A statement composed by alembic-rs, sent verbatim (no bind parsing)."""

    inherit_cache = False

    def __init__(self, sql):
        self.sql = sql


from sqlalchemy.ext.compiler import compiles  # noqa: E402


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


ColumnComment.__module__ = "alembic.ddl.base"

# The dialects with a comment form (Alembic's @compiles(ColumnComment, ...)).
for _name in ("postgresql", "mysql", "mariadb", "mssql", "oracle"):
    compiles(ColumnComment, _name)(lambda element, compiler, **kw: element.sql)


class DefaultImpl:
    __dialect__ = "default"
    transactional_ddl = False
    command_terminator = ";"

    def __init__(self, dialect, connection, as_sql, transactional_ddl, output_buffer, context_opts):
        self.dialect = dialect
        self.connection = connection
        self.as_sql = as_sql
        self.literal_binds = context_opts.get("literal_binds", False)
        self.output_buffer = output_buffer
        self.memo = {}
        self.context_opts = context_opts
        if transactional_ddl is not None:
            self.transactional_ddl = transactional_ddl
        if self.literal_binds and not self.as_sql:
            raise Exception("literal_binds only valid with as_sql=True")

    @property
    def bind(self):
        return self.connection

    def version_table_impl(self, *, version_table, version_table_schema, version_table_pk, **kw):
        vt = Table(
            version_table,
            MetaData(),
            Column("version_num", String(32), nullable=False),
            schema=version_table_schema,
        )
        if version_table_pk:
            vt.append_constraint(
                PrimaryKeyConstraint("version_num", name="%s_pkc" % version_table)
            )
        return vt

    def start_migrations(self):
        pass

    def static_output(self, text_):
        self.output_buffer.write(text_ + "\n\n")
        self.output_buffer.flush()

    def emit_begin(self):
        self.static_output("BEGIN" + self.command_terminator)

    def emit_commit(self):
        self.static_output("COMMIT" + self.command_terminator)

    def requires_recreate_in_batch(self, batch_op):
        return False

    # -- execution -----------------------------------------------------

    def _exec(self, construct, execution_options=None, multiparams=None, params=None):
        if isinstance(construct, str):
            construct = text(construct)
        if self.as_sql:
            if multiparams is not None or params:
                raise TypeError("SQL parameters not allowed with as_sql")
            if self.literal_binds and not isinstance(construct, sa_schema.DDLElement):
                compile_kw = dict(compile_kwargs={"literal_binds": True})
            else:
                compile_kw = {}
            self.static_output(
                str(construct.compile(dialect=self.dialect, **compile_kw))
                .replace("\t", "    ")
                .strip()
                + self.command_terminator
            )
            return None
        conn = self.connection
        if execution_options:
            conn = conn.execution_options(**execution_options)
        if params and multiparams is not None:
            raise TypeError("Can't send params and multiparams at the same time")
        if multiparams:
            return conn.execute(construct, multiparams)
        return conn.execute(construct, params or {})

    def execute(self, sql, execution_options=None):
        self._exec(sql, execution_options)

    def _raw(self, sql):
        if self.as_sql:
            # Text composed here or in Rust: no SQLAlchemy compile needed
            # (same output as compiling a _RawDDL).
            self._emit_static_sql(sql.replace("\t", "    ").strip())
            return None
        return self._exec(_RawDDL(sql))

    def _emit_static_sql(self, sql):
        """What ``_exec`` writes in ``--sql`` mode for a statement already
        compiled to ``sql``: the text and the terminator (dialects with a
        batch separator add it)."""
        self.static_output(sql + self.command_terminator)

    # -- rendering helpers (SQLAlchemy owns these pieces) --------------

    @property
    def _ddl_compiler(self):
        return self.dialect.ddl_compiler(self.dialect, None)

    def _quote(self, name):
        return self.dialect.identifier_preparer.quote(name)

    def _table(self, name, schema=None):
        prep = self.dialect.identifier_preparer
        if schema:
            return "%s.%s" % (prep.quote_schema(schema), prep.quote(name))
        return prep.quote(name)

    def _type(self, type_):
        from sqlalchemy.sql import sqltypes

        return self.dialect.type_compiler_instance.process(sqltypes.to_instance(type_))

    def _server_default(self, default):
        """Alembic's ``format_server_default``: the DEFAULT clause SQLAlchemy
        renders for a throwaway column carrying ``default``."""
        from sqlalchemy import Integer

        return self._ddl_compiler.get_column_default_string(
            Column("x", Integer, server_default=default)
        )

    def _dialect_key(self):
        return self.dialect.name

    # -- directives -------------------------------------------------------

    def create_table(self, table, **kw):
        table.dispatch.before_create(table, self.connection, checkfirst=False, _ddl_runner=self)
        self._exec(sa_schema.CreateTable(table, **kw))
        table.dispatch.after_create(table, self.connection, checkfirst=False, _ddl_runner=self)
        for index in table.indexes:
            self._exec(sa_schema.CreateIndex(index))
        with_comment = self.dialect.supports_comments and not self.dialect.inline_comments
        comment = table.comment
        if comment is not None and with_comment:
            self.create_table_comment(table)
        for column in table.columns:
            if column.comment is not None and with_comment:
                self.create_column_comment(column)

    def drop_table(self, table, **kw):
        table.dispatch.before_drop(table, self.connection, checkfirst=False, _ddl_runner=self)
        self._exec(sa_schema.DropTable(table, **kw))
        table.dispatch.after_drop(table, self.connection, checkfirst=False, _ddl_runner=self)

    def create_index(self, index, **kw):
        self._exec(sa_schema.CreateIndex(index, **kw))

    def drop_index(self, index, **kw):
        self._exec(sa_schema.DropIndex(index, **kw))

    def add_constraint(self, const):
        if const._create_rule is None or const._create_rule(self):
            self._exec(sa_schema.AddConstraint(const))

    def drop_constraint(self, const, **kw):
        self._exec(sa_schema.DropConstraint(const, **kw))

    def create_table_comment(self, table):
        self._exec(sa_schema.SetTableComment(table))

    def drop_table_comment(self, table):
        self._exec(sa_schema.DropTableComment(table))

    def create_column_comment(self, column):
        self._exec(sa_schema.SetColumnComment(column))

    def rename_table(self, old_table_name, new_table_name, schema=None):
        new = self._table(
            new_table_name, None if self._dialect_key() in ("postgresql", "sqlite") else schema
        )
        self._raw(_alembic_rs.ddl_rename_table(self._table(old_table_name, schema), new))

    def add_column(self, table_name, column, schema=None, if_not_exists=None, **kw):
        compiler = self._ddl_compiler
        spec = compiler.get_column_specification(column)
        self._raw(
            _alembic_rs.ddl_add_column(self._table(table_name, schema), spec, bool(if_not_exists))
        )

    def drop_column(self, table_name, column, schema=None, if_exists=None, **kw):
        self._raw(
            _alembic_rs.ddl_drop_column(
                self._table(table_name, schema), self._quote(column.name), bool(if_exists)
            )
        )

    def alter_column(
        self,
        table_name,
        column_name,
        *,
        nullable=None,
        server_default=False,
        name=None,
        type_=None,
        schema=None,
        comment=False,
        **kw,
    ):
        using = kw.pop("postgresql_using", None)
        if using is not None and type_ is None:
            from ..util.exc import CommandError

            raise CommandError("postgresql_using must be used with the type_ parameter")
        if comment is False:
            rendered_comment = False
        elif comment is None:
            rendered_comment = None
        else:
            rendered_comment = self.dialect.statement_compiler(
                self.dialect, None
            ).render_literal_value(comment, String())
        for sql in _alembic_rs.ddl_alter_column(
            self._dialect_key(),
            self._table(table_name, schema),
            self._quote(column_name),
            nullable,
            False if server_default is False else (
                None if server_default is None else self._server_default(server_default)
            ),
            None if type_ is None else self._type(type_),
            using,
            rendered_comment,
            None if name is None else self._quote(name),
        ):
            if comment is not False and sql.startswith("COMMENT ON COLUMN "):
                self._exec(ColumnComment(sql))
            else:
                self._raw(sql)

    def bulk_insert(self, table, rows, multiinsert=True):
        if not isinstance(rows, list):
            raise TypeError("List expected")
        if rows and not isinstance(rows[0], dict):
            raise TypeError("List of dictionaries expected")
        if self.as_sql:
            # Alembic's sqla_compat._literal_bindparam: values rendered
            # inline whatever literal_binds says.
            from ..operations import _literal_bindparam

            for row in rows:
                self._exec(
                    table.insert()
                    .inline()
                    .values(
                        **{
                            k: (
                                _literal_bindparam(k, v, type_=table.c[k].type)
                                if not isinstance(v, _literal_bindparam)
                                else v
                            )
                            for k, v in row.items()
                        }
                    )
                )
        elif rows:
            if multiinsert:
                self._exec(table.insert().inline(), multiparams=rows)
            else:
                for row in rows:
                    self._exec(table.insert().inline().values(**row))


class PostgresqlImpl(DefaultImpl):
    __dialect__ = "postgresql"
    transactional_ddl = True

    def create_index(self, index, **kw):
        # `postgresql_include` may name columns the lightweight table of
        # op.create_index() does not have; SQLAlchemy's compiler looks
        # them up there, so they are added as untyped columns first.
        from sqlalchemy import types as sqltypes

        for col in index.kwargs.get("postgresql_include", None) or ():
            if col not in index.table.c:
                index.table.append_column(Column(col, sqltypes.NullType))
        self._exec(sa_schema.CreateIndex(index, **kw))


class SQLiteImpl(DefaultImpl):
    __dialect__ = "sqlite"
    transactional_ddl = False

    def requires_recreate_in_batch(self, batch_op):
        from sqlalchemy.sql.schema import DefaultClause

        for op in batch_op.batch:
            if op[0] == "add_column":
                col = op[1][1]
                default = col.server_default
                if isinstance(default, DefaultClause) and isinstance(default.arg, ClauseElement):
                    return True
                if getattr(default, "persisted", False):
                    return True
            elif op[0] not in ("create_index", "drop_index"):
                return True
        return False

    def add_constraint(self, const):
        if const._create_rule is None:
            raise NotImplementedError(
                "No support for ALTER of constraints in SQLite dialect. "
                "Please refer to the batch mode feature which allows for "
                "SQLite migrations using a copy-and-move strategy."
            )
        elif const._create_rule(self):
            import warnings

            warnings.warn(
                "Skipping unsupported ALTER for creation of implicit constraint. "
                "Please refer to the batch mode feature which allows for "
                "SQLite migrations using a copy-and-move strategy."
            )

    def drop_constraint(self, const, **kw):
        if const._create_rule is None:
            raise NotImplementedError(
                "No support for ALTER of constraints in SQLite dialect. "
                "Please refer to the batch mode feature which allows for "
                "SQLite migrations using a copy-and-move strategy."
            )


class MySQLImpl(DefaultImpl):
    """Alembic's ``MySQLImpl``: MySQL alters a column by restating it
    whole (``MODIFY``/``CHANGE``, composed in Rust from SQLAlchemy's
    pieces); constraints are dropped by kind."""

    __dialect__ = "mysql"
    transactional_ddl = False

    def alter_column(
        self,
        table_name,
        column_name,
        *,
        nullable=None,
        server_default=False,
        name=None,
        type_=None,
        schema=None,
        existing_type=None,
        existing_server_default=None,
        existing_nullable=None,
        autoincrement=None,
        existing_autoincrement=None,
        comment=False,
        existing_comment=None,
        **kw,
    ):
        from sqlalchemy.sql import sqltypes

        for default in (server_default, existing_server_default):
            if isinstance(default, (sa_schema.Computed, sa_schema.Identity)):
                # Alembic hands these to DefaultImpl, whose compilers refuse.
                from sqlalchemy import exc as sa_exc

                what = "computed" if isinstance(default, sa_schema.Computed) else "identity"
                if what == "computed":
                    raise sa_exc.CompileError(
                        'Adding or removing a "computed" construct, e.g. GENERATED '
                        "ALWAYS AS, to or from an existing column is not supported."
                    )
                raise NotImplementedError(
                    "Individual alter column constructs not supported by MySQL"
                )
        effective = type_ if type_ is not None else existing_type
        # As Alembic: a type class (not instance) has no affinity here.
        datetime_affinity = (
            effective is not None
            and getattr(effective, "_type_affinity", None) is sqltypes.DateTime
        )

        def rendered_default(value):
            if value is False or value is None:
                return value
            return self._server_default(value)

        def rendered_comment(value):
            if value is False or value is None:
                return value
            return self.dialect.statement_compiler(self.dialect, None).render_literal_value(
                value, String()
            )

        sql = _alembic_rs.ddl_mysql_alter_column(
            self._table(table_name, schema),
            self._quote(column_name),
            None if name is None else self._quote(name),
            None if type_ is None else self._type(type_),
            None if existing_type is None else self._type(existing_type),
            datetime_affinity,
            nullable,
            existing_nullable,
            rendered_default(server_default),
            rendered_default(existing_server_default) or None,
            None if autoincrement is None else bool(autoincrement),
            None if existing_autoincrement is None else bool(existing_autoincrement),
            rendered_comment(comment),
            rendered_comment(existing_comment),
        )
        if sql is not None:
            self._raw(sql)

    def drop_constraint(self, const, **kw):
        from sqlalchemy.sql.schema import (
            CheckConstraint,
            ForeignKeyConstraint,
            PrimaryKeyConstraint,
            UniqueConstraint,
        )

        if isinstance(const, CheckConstraint) and getattr(const, "_type_bound", False):
            return
        if not isinstance(
            const, (ForeignKeyConstraint, PrimaryKeyConstraint, UniqueConstraint, CheckConstraint)
        ):
            raise NotImplementedError(
                "No generic 'DROP CONSTRAINT' in MySQL - please specify constraint type"
            )
        # SQLAlchemy's MySQL compiler gives Alembic's text: DROP FOREIGN KEY,
        # DROP PRIMARY KEY, DROP INDEX, DROP CHECK (MariaDB: DROP CONSTRAINT).
        super().drop_constraint(const, **kw)


class MariaDBImpl(MySQLImpl):
    __dialect__ = "mariadb"


class _SeparatedImpl(DefaultImpl):
    """Dialects whose ``--sql`` output ends every statement with a batch
    separator line (``GO``, ``/``), as Alembic's MSSQL and Oracle impls do.

    Their ALTER forms are composed here from the pieces SQLAlchemy renders,
    following alembic/ddl/mssql.py and oracle.py statement for statement;
    they are offline-only dialects for alembic-rs (no driver), and
    src/ddl/alter.rs is being reworked for MySQL at the same time.
    """

    batch_separator = None
    _separator_opt = None

    def __init__(self, *arg, **kw):
        super().__init__(*arg, **kw)
        self.batch_separator = self.context_opts.get(self._separator_opt, self.batch_separator)

    def _exec(self, construct, *args, **kw):
        result = super()._exec(construct, *args, **kw)
        if self.as_sql and self.batch_separator:
            self.static_output(self.batch_separator)
        return result

    def _emit_static_sql(self, sql):
        super()._emit_static_sql(sql)
        if self.batch_separator:
            self.static_output(self.batch_separator)

    def _alter(self, table_name, schema):
        return "ALTER TABLE %s" % self._table(table_name, schema)

    def add_column(self, table_name, column, schema=None, if_not_exists=None, **kw):
        self._raw(
            "%s ADD %s"
            % (self._alter(table_name, schema), self._ddl_compiler.get_column_specification(column))
        )


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


_IMPLS = {
    "postgresql": PostgresqlImpl,
    "sqlite": SQLiteImpl,
    "mysql": MySQLImpl,
    "mariadb": MariaDBImpl,
    "mssql": MSSQLImpl,
    "oracle": OracleImpl,
}


def impl_for(dialect):
    return _IMPLS.get(dialect.name, DefaultImpl)
