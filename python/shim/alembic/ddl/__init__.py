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
        return self._exec(_RawDDL(sql))

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
        from sqlalchemy.sql.schema import DefaultClause

        if isinstance(default, str):
            return self.dialect.statement_compiler(self.dialect, None).render_literal_value(
                default, String()
            )
        if isinstance(default, DefaultClause):
            default = default.arg
        if isinstance(default, str):
            return self.dialect.statement_compiler(self.dialect, None).render_literal_value(
                default, String()
            )
        if isinstance(default, TextClause):
            return default.text
        if isinstance(default, ClauseElement):
            return str(default.compile(dialect=self.dialect, compile_kwargs={"literal_binds": True}))
        return str(default)

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
            self._raw(sql)

    def bulk_insert(self, table, rows, multiinsert=True):
        if not isinstance(rows, list):
            raise TypeError("List expected")
        if rows and not isinstance(rows[0], dict):
            raise TypeError("List of dictionaries expected")
        if self.as_sql:
            for row in rows:
                self._exec(
                    table.insert()
                    .inline()
                    .values(
                        **{
                            k: (
                                _literal(v, table.c[k].type)
                                if not isinstance(v, ClauseElement)
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


def _literal(value, type_):
    from sqlalchemy.sql.expression import literal

    return literal(value, type_=type_, literal_execute=True)


class PostgresqlImpl(DefaultImpl):
    __dialect__ = "postgresql"
    transactional_ddl = True


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
    __dialect__ = "mysql"
    transactional_ddl = False


_IMPLS = {
    "postgresql": PostgresqlImpl,
    "sqlite": SQLiteImpl,
    "mysql": MySQLImpl,
    "mariadb": MySQLImpl,
}


def impl_for(dialect):
    return _IMPLS.get(dialect.name, DefaultImpl)
