"""Per-dialect implementations (Alembic's ``DefaultImpl`` subclasses).

Which statements a directive becomes is decided in Rust (``_alembic_rs``,
``src/ddl/``); SQLAlchemy renders the pieces it owns (quoting, types,
column specifications, CREATE TABLE/INDEX and constraints).
"""

import logging
import re
from typing import NamedTuple
import warnings

from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table, text
from sqlalchemy import schema as sa_schema
from sqlalchemy.sql.elements import ClauseElement

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

    def add_column(self, table_name, column, schema=None, if_not_exists=None,
                   inline_references=None, inline_primary_key=None, **kw):
        compiler = self._ddl_compiler
        spec = compiler.get_column_specification(column)
        if inline_primary_key and column.primary_key:
            spec += " PRIMARY KEY"
        fks = list(column.foreign_keys)
        # a lone single-column foreign key, rendered inline on request
        if (
            inline_references
            and len(fks) == 1
            and fks[0].constraint is not None
            and len(fks[0].constraint.columns) == 1
        ):
            referent = fks[0].column
            preparer = compiler.preparer
            target = preparer.quote(referent.table.name)
            if referent.table.schema:
                target = "%s.%s" % (preparer.quote_schema(referent.table.schema), target)
            spec += " REFERENCES %s (%s)" % (target, preparer.quote(referent.name))
            spec += compiler.define_constraint_match(fks[0].constraint)
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
        if kw.get("autoincrement") is not None or kw.get("existing_autoincrement") is not None:
            warnings.warn(
                "autoincrement and existing_autoincrement only make sense for MySQL",
                UserWarning,
                stacklevel=2,
            )
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

    # -- autogenerate (Alembic's DefaultImpl comparison hooks) ----------

    # Type names compiled differently for the same database type.
    type_synonyms = ({"NUMERIC", "DECIMAL"},)
    # Regexes pulling comparable arguments (charset, collation) out of the
    # tokens following a type name.
    type_arg_extract = ()
    identity_attrs_ignore = ("order", "on_null")

    def _tokenize_column_type(self, column):
        """The compiled type split as Alembic does: first word, other
        words, parenthesised arguments, ``key=value`` arguments."""
        definition = self.dialect.type_compiler.process(column.type).lower()
        tokens = re.findall(r"[\w\-_]+|\(.+?\)", definition)
        words = []
        paren = None
        for token in tokens:
            if re.match(r"^\(.*\)$", token):
                paren = token
            else:
                words.append(token)
        params = _TypeParams(words[0], words[1:], [], {})
        if paren:
            for term in re.findall("[^(),]+", paren):
                if "=" in term:
                    key, val = term.split("=")
                    params.kwargs[key.strip()] = val.strip()
                else:
                    params.args.append(term.strip())
        return params

    def _column_types_match(self, inspector_params, metadata_params):
        if inspector_params.token0 == metadata_params.token0:
            return True
        synonyms = [{t.lower() for t in batch} for batch in self.type_synonyms]
        inspector_all = " ".join([inspector_params.token0] + inspector_params.tokens)
        metadata_all = " ".join([metadata_params.token0] + metadata_params.tokens)
        for batch in synonyms:
            if {inspector_all, metadata_all}.issubset(batch) or {
                inspector_params.token0, metadata_params.token0
            }.issubset(batch):
                return True
        return False

    def _column_args_match(self, inspected_params, meta_params):
        """Arguments set on both sides must agree; one side being less
        specific (no collation, no length) is not a difference."""
        if (
            len(meta_params.tokens) == len(inspected_params.tokens)
            and meta_params.tokens != inspected_params.tokens
        ):
            return False
        if (
            len(meta_params.args) == len(inspected_params.args)
            and meta_params.args != inspected_params.args
        ):
            return False
        insp = " ".join(inspected_params.tokens).lower()
        meta = " ".join(meta_params.tokens).lower()
        for reg in self.type_arg_extract:
            mi = re.search(reg, insp)
            mm = re.search(reg, meta)
            if mi and mm and mi.group(1) != mm.group(1):
                return False
        return True

    def compare_type(self, inspector_column, metadata_column):
        """True when the two columns' types differ."""
        inspector_params = self._tokenize_column_type(inspector_column)
        metadata_params = self._tokenize_column_type(metadata_column)
        if not self._column_types_match(inspector_params, metadata_params):
            return True
        return not self._column_args_match(inspector_params, metadata_params)

    def compare_server_default(self, inspector_column, metadata_column,
                               rendered_metadata_default, rendered_inspector_default):
        return rendered_inspector_default != rendered_metadata_default

    def correct_for_autogen_constraints(self, conn_uniques, conn_indexes,
                                        metadata_unique_constraints, metadata_indexes):
        pass

    def correct_for_autogen_foreignkeys(self, conn_fks, metadata_fks):
        pass

    def _compat_autogen_column_reflect(self, inspector):
        return self.autogen_column_reflect

    def autogen_column_reflect(self, inspector, table, column_info):
        """The ``column_reflect`` hook for tables autogenerate reflects."""

    def _normalize_computed_default(self, sqltext):
        return re.sub(r"[ \(\)'\"`\[\]\t\r\n]", "", sqltext).lower()

    def _compare_identity_default(self, metadata_identity, inspector_identity):
        """(differing attributes, attributes ignored as defaults, whether
        the identity changed)."""
        diff, ignored = _compare_identity_options(
            metadata_identity, inspector_identity, sa_schema.Identity(), skip={"always"}
        )
        if bool(getattr(metadata_identity, "always", None)) != bool(
            getattr(inspector_identity, "always", None)
        ):
            diff.add("always")
        diff.difference_update(self.identity_attrs_ignore)
        return diff, ignored, bool(diff) or bool(metadata_identity) != bool(inspector_identity)

    def _compare_index_unique(self, metadata_index, reflected_index):
        conn_unique = bool(reflected_index.unique)
        meta_unique = bool(metadata_index.unique)
        if conn_unique != meta_unique:
            return f"unique={conn_unique} to unique={meta_unique}"
        return None

    def _create_metadata_constraint_sig(self, constraint, **opts):
        from ..autogenerate.compare_constraints import constraint_sig

        return constraint_sig(True, self, constraint)

    def _create_reflected_constraint_sig(self, constraint, **opts):
        from ..autogenerate.compare_constraints import constraint_sig

        return constraint_sig(False, self, constraint)

    def compare_indexes(self, metadata_index, reflected_index):
        from ..autogenerate.compare_constraints import ComparisonResult

        msg = []
        unique_msg = self._compare_index_unique(metadata_index, reflected_index)
        if unique_msg:
            msg.append(unique_msg)
        m_sig = self._create_metadata_constraint_sig(metadata_index)
        r_sig = self._create_reflected_constraint_sig(reflected_index)
        for sig in m_sig, r_sig:
            if sig.has_expressions:
                logging.getLogger("alembic.ddl.impl").warning(
                    "Generating approximate signature for index %s. The dialect "
                    "implementation should either skip expression indexes "
                    "or provide a custom implementation.",
                    sig.const,
                )
        if m_sig.column_names != r_sig.column_names:
            msg.append(f"expression {r_sig.column_names} to {m_sig.column_names}")
        return ComparisonResult.Different(msg) if msg else ComparisonResult.Equal()

    def compare_unique_constraint(self, metadata_constraint, reflected_constraint):
        from ..autogenerate.compare_constraints import ComparisonResult

        meta_sig = self._create_metadata_constraint_sig(metadata_constraint).unnamed
        conn_sig = self._create_reflected_constraint_sig(reflected_constraint).unnamed
        if conn_sig != meta_sig:
            return ComparisonResult.Different(f"expression {conn_sig} to {meta_sig}")
        return ComparisonResult.Equal()

    def compare_check_constraint(self, metadata_constraint, reflected_constraint):
        from ..autogenerate.compare_constraints import ComparisonResult

        return ComparisonResult.Equal()

    def _skip_functional_indexes(self, metadata_indexes, conn_indexes):
        """Expression indexes this dialect cannot reflect are left out
        (with Alembic's warning) unless the database has one by that name."""
        import sqlalchemy

        from ..autogenerate.compare_constraints import is_expression_index

        conn_names = {c.name for c in conn_indexes}
        for idx in list(metadata_indexes):
            if idx.name in conn_names:
                continue
            if is_expression_index(idx):
                warnings.warn(
                    "autogenerate skipping metadata-specified expression-based index "
                    f"{idx.name!r}; dialect {self.__dialect__!r} under "
                    f"SQLAlchemy {sqlalchemy.__version__} can't "
                    "reflect these indexes so they can't be compared",
                    stacklevel=2,
                )
                metadata_indexes.discard(idx)

    def adjust_reflected_dialect_options(self, reflected_object, kind):
        return reflected_object.get("dialect_options", {})


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


    # -- autogenerate (Alembic's PostgresqlImpl comparison hooks) -------

    type_synonyms = DefaultImpl.type_synonyms + ({"FLOAT", "DOUBLE PRECISION"},)

    def compare_server_default(self, inspector_column, metadata_column,
                               rendered_metadata_default, rendered_inspector_default):
        """Textually different defaults are evaluated on the server and
        compared there, as Alembic does (``'5'`` and ``5`` are equal)."""
        from sqlalchemy import Float, Numeric, literal_column, select

        if (
            metadata_column.primary_key
            and metadata_column is metadata_column.table._autoincrement_column
        ):
            return False  # SERIAL
        conn_default = rendered_inspector_default
        if conn_default and re.match(r"nextval\('(.+?)'::regclass\)", conn_default):
            conn_default = conn_default.replace("::regclass", "")
        if conn_default == rendered_metadata_default:
            return False
        if None in (conn_default, rendered_metadata_default, metadata_column.server_default):
            return True
        metadata_default = metadata_column.server_default.arg
        if isinstance(metadata_default, str):
            if not isinstance(inspector_column.type, (Numeric, Float)):
                metadata_default = re.sub(r"^'|'$", "", metadata_default)
                metadata_default = f"'{metadata_default}'"
            metadata_default = literal_column(metadata_default)
        return not self.connection.scalar(
            select(literal_column(conn_default) == metadata_default)
        )

    def autogen_column_reflect(self, inspector, table, column_info):
        """An integer column defaulting to its own sequence is a SERIAL:
        its default is dropped (and logged) as Alembic does."""
        from sqlalchemy import BIGINT, INTEGER

        if not column_info.get("default") or not isinstance(
            column_info["type"], (INTEGER, BIGINT)
        ):
            return
        seq_match = re.match(r"nextval\('(.+?)'::regclass\)", column_info["default"])
        if not seq_match:
            return
        with inspector._operation_context() as conn:
            info = conn.execute(
                text(
                    "select c.relname, a.attname "
                    "from pg_class as c join "
                    "pg_depend d on d.objid=c.oid and "
                    "d.classid='pg_class'::regclass and "
                    "d.refclassid='pg_class'::regclass "
                    "join pg_class t on t.oid=d.refobjid "
                    "join pg_attribute a on a.attrelid=t.oid and "
                    "a.attnum=d.refobjsubid "
                    "where c.relkind='S' and "
                    "c.oid=cast(:seqname as regclass)"
                ),
                {"seqname": seq_match.group(1)},
            ).first()
        if info:
            seqname, colname = info
            if colname == column_info["name"]:
                logging.getLogger("alembic.ddl.postgresql").info(
                    "Detected sequence named '%s' as owned by integer column "
                    "'%s(%s)', assuming SERIAL and omitting",
                    seqname, table.name, colname,
                )
                del column_info["default"]

    def correct_for_autogen_constraints(self, conn_uniques, conn_indexes,
                                        metadata_unique_constraints, metadata_indexes):
        # the unique index behind each unique constraint is the constraint
        for ix in {ix for ix in conn_indexes if ix.info.get("duplicates_constraint")}:
            conn_indexes.remove(ix)

    # Modifiers PostgreSQL leaves out when it reports an index expression
    # (the defaults), to strip from the compiled metadata side; the order
    # matters ("asc nulls last" before "nulls last").
    _default_modifiers_re = (
        re.compile("( asc nulls last)$"),
        re.compile("(?<! desc)( nulls last)$"),
        re.compile("( asc)$"),
        re.compile("( asc) nulls first$"),
        re.compile(" desc( nulls first)$"),
    )
    _type_name_re = r"""
        (?:"[^"]+"|\w+)(?:\.(?:"[^"]+"|\w+))?
        (?:\s+(?:varying|precision))?
        (?:\s*\(\s*\d+(?:\s*,\s*\d+)?\s*\))?
        (?:\s+with(?:out)?\s+time\s+zone)?
        (?:\s*\[\s*\d*\s*\])*
        """
    _cast_re = re.compile(r"::\s*" + _type_name_re, re.I | re.X)
    _cast_fn_re = re.compile(r"\bcast\s*\((.*?)\s+as\s+" + _type_name_re + r"\s*\)", re.I | re.X)

    def _cleanup_index_expr(self, index, expr):
        expr = expr.lower().replace('"', "").replace("'", "")
        if index.table is not None:
            expr = expr.replace(f"{index.table.name.lower()}.", "")
        expr = self._cast_re.sub("", expr)
        while expr and expr[0] == "(" and expr[-1] == ")":
            expr = expr[1:-1]
        for rs in self._default_modifiers_re:
            match = rs.search(expr)
            if match:
                start, end = match.span(1)
                expr = expr[:start] + expr[end:]
                break
        while expr and expr[0] == "(" and expr[-1] == ")":
            expr = expr[1:-1]
        n = 1
        while n:
            expr, n = self._cast_fn_re.subn(r"\1", expr)
        return expr.replace(" ", "")

    def _normalize_computed_default(self, sqltext):
        return super()._normalize_computed_default(self._cast_re.sub("", sqltext))

    def _dialect_options(self, item):
        # reflection reports only the positive case
        if item.dialect_kwargs.get("postgresql_nulls_not_distinct"):
            return ("nulls_not_distinct",)
        return ()

    def compare_indexes(self, metadata_index, reflected_index):
        from ..autogenerate.compare_constraints import ComparisonResult

        msg = []
        unique_msg = self._compare_index_unique(metadata_index, reflected_index)
        if unique_msg:
            msg.append(unique_msg)
        m_exprs = metadata_index.expressions
        r_exprs = reflected_index.expressions
        if len(m_exprs) != len(r_exprs):
            msg.append(f"expression number {len(r_exprs)} to {len(m_exprs)}")
        if msg:
            return ComparisonResult.Different(msg)
        skip = []
        for pos, (m_e, r_e) in enumerate(zip(m_exprs, r_exprs), 1):
            m_compile = self._compile_element(m_e)
            m_text = self._cleanup_index_expr(metadata_index, m_compile)
            r_compile = self._compile_element(r_e)
            r_text = self._cleanup_index_expr(metadata_index, r_compile)
            if m_text == r_text:
                continue
            if m_compile.strip().endswith("_ops") and (" " in m_compile or ")" in m_compile):
                skip.append(
                    f"expression #{pos} {m_compile!r} detected as including operator clause."
                )
                warnings.warn(
                    f"Expression #{pos} {m_compile!r} in index "
                    f"{reflected_index.name!r} detected to include "
                    "an operator clause. Expression compare cannot proceed. "
                    "Please move the operator clause to the "
                    "``postgresql_ops`` dict to enable proper compare "
                    "of the index expressions: "
                    "https://docs.sqlalchemy.org/en/latest/dialects/postgresql.html#operator-classes",
                    stacklevel=2,
                )
            else:
                msg.append(f"expression #{pos} {r_compile!r} to {m_compile!r}")
        m_options = self._dialect_options(metadata_index)
        r_options = self._dialect_options(reflected_index)
        if m_options != r_options:
            # extends with the characters of the message, as Alembic does
            msg.extend(f"options {r_options} to {m_options}")
        if msg:
            return ComparisonResult.Different(msg)
        if skip:
            return ComparisonResult.Skip(skip)
        return ComparisonResult.Equal()

    def compare_unique_constraint(self, metadata_constraint, reflected_constraint):
        from ..autogenerate.compare_constraints import ComparisonResult

        metadata_sig = self._create_metadata_constraint_sig(metadata_constraint)
        reflected_sig = self._create_reflected_constraint_sig(reflected_constraint)
        if reflected_sig.unnamed != metadata_sig.unnamed:
            return ComparisonResult.Different(
                f"expression {reflected_sig.unnamed} to {metadata_sig.unnamed}"
            )
        metadata_do = self._dialect_options(metadata_sig.const)
        conn_do = self._dialect_options(reflected_sig.const)
        if metadata_do != conn_do:
            return ComparisonResult.Different(f"expression {conn_do} to {metadata_do}")
        return ComparisonResult.Equal()

    def adjust_reflected_dialect_options(self, reflected_object, kind):
        options = reflected_object.get("dialect_options", {}).copy()
        if not options.get("postgresql_include"):
            options.pop("postgresql_include", None)
        return options

    def _compile_element(self, element):
        if isinstance(element, str):
            return element
        return element.compile(
            dialect=self.dialect,
            compile_kwargs={"literal_binds": True, "include_table": False},
        ).string


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


    # -- autogenerate (Alembic's SQLiteImpl comparison hooks) -----------

    def compare_server_default(self, inspector_column, metadata_column,
                               rendered_metadata_default, rendered_inspector_default):
        """Compared without one level of parentheses and quotes."""

        def bare(value):
            if value is None:
                return None
            value = re.sub(r"^\((.+)\)$", r"\1", value)
            return re.sub(r"^\"?'(.+)'\"?$", r"\1", value)

        return bare(rendered_inspector_default) != bare(rendered_metadata_default)

    def _guess_if_default_is_unparenthesized_sql_expr(self, expr):
        if not expr:
            return False
        if re.match(r"^[0-9\.]$", expr) or re.match(r"^'.+'$", expr) or re.match(r"^\(.+\)$", expr):
            return False
        return True

    def autogen_column_reflect(self, inspector, table, column_info):
        # expression defaults need their parentheses when sent as DDL
        if self._guess_if_default_is_unparenthesized_sql_expr(column_info.get("default", None)):
            column_info["default"] = "(%s)" % (column_info["default"],)

    def correct_for_autogen_constraints(self, conn_unique_constraints, conn_indexes,
                                        metadata_unique_constraints, metadata_indexes):
        self._skip_functional_indexes(metadata_indexes, conn_indexes)


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

        # Alembic compiles one type, ``type_ if type_ is not None else
        # existing_type``, and only when the column is restated: an
        # ``existing_type`` MySQL cannot render (``sa.VARCHAR()`` without a
        # length, as autogenerate writes for SQLite) is harmless beside a
        # ``type_`` or for a default-only change.
        existing_error = None
        rendered_existing = None
        if type_ is None and existing_type is not None:
            try:
                rendered_existing = self._type(existing_type)
            except Exception as err:
                existing_error = err
        from ..util.exc import CommandError

        try:
            sql = _alembic_rs.ddl_mysql_alter_column(
                self._table(table_name, schema),
                self._quote(column_name),
                None if name is None else self._quote(name),
                None if type_ is None else self._type(type_),
                rendered_existing,
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
        except CommandError:
            if existing_error is not None:
                # The statement restates the column with the type that
                # failed to compile: Alembic fails compiling it.
                raise existing_error from None
            raise
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


    # -- autogenerate (Alembic's MySQLImpl comparison hooks) ------------

    type_synonyms = DefaultImpl.type_synonyms + ({"BOOL", "TINYINT"}, {"JSON", "LONGTEXT"})
    type_arg_extract = [r"character set ([\w\-_]+)", r"collate ([\w\-_]+)"]

    def compare_server_default(self, inspector_column, metadata_column,
                               rendered_metadata_default, rendered_inspector_default):
        from sqlalchemy import types as sqltypes

        if (
            metadata_column.type._type_affinity is sqltypes.Integer
            and inspector_column.primary_key
            and not inspector_column.autoincrement
            and not rendered_metadata_default
            and rendered_inspector_default == "'0'"
        ):
            return False  # MySQL's implicit default on a NOT NULL integer
        elif rendered_inspector_default and _is_numeric_affinity(inspector_column.type):
            if _strip_numeric_default(rendered_inspector_default) == _strip_numeric_default(
                rendered_metadata_default
            ):
                return False
        elif rendered_metadata_default and metadata_column.type._type_affinity is sqltypes.String:
            metadata_default = re.sub(r"^'|'$", "", rendered_metadata_default)
            return rendered_inspector_default != f"'{metadata_default}'"
        if rendered_inspector_default and rendered_metadata_default:
            # the MySQL dialect reports ON UPDATE as part of the default
            onupdate_ins = re.match(
                r"(.*) (on update.*?)(?:\(\))?$", rendered_inspector_default.lower()
            )
            onupdate_met = re.match(
                r"(.*) (on update.*?)(?:\(\))?$", rendered_metadata_default.lower()
            )
            if onupdate_ins:
                if not onupdate_met or onupdate_ins.group(2) != onupdate_met.group(2):
                    return True
                rendered_inspector_default = onupdate_ins.group(1)
                rendered_metadata_default = onupdate_met.group(1)
            return _normalize_expression_default(
                rendered_inspector_default
            ) != _normalize_expression_default(rendered_metadata_default)
        return rendered_inspector_default != rendered_metadata_default

    def correct_for_autogen_constraints(self, conn_unique_constraints, conn_indexes,
                                        metadata_unique_constraints, metadata_indexes):
        """MySQL indexes every foreign key implicitly (named after the
        column or the constraint): such indexes are not compared."""
        removed = set()
        for idx in list(conn_indexes):
            if idx.unique:
                continue
            for col in idx.columns:
                if idx.name == col.name:
                    conn_indexes.remove(idx)
                    removed.add(idx.name)
                    break
                for fk in col.foreign_keys:
                    if fk.name == idx.name:
                        conn_indexes.remove(idx)
                        removed.add(idx.name)
                        break
                if idx.name in removed:
                    break
        for idx in list(metadata_indexes):
            if idx.name in removed:
                metadata_indexes.remove(idx)

    def correct_for_autogen_foreignkeys(self, conn_fks, metadata_fks):
        """RESTRICT is MySQL's default and is not reported: take it from
        the model when the model says RESTRICT."""
        conn_by_sig = {
            self._create_reflected_constraint_sig(fk).unnamed_no_options: fk for fk in conn_fks
        }
        metadata_by_sig = {
            self._create_metadata_constraint_sig(fk).unnamed_no_options: fk for fk in metadata_fks
        }
        for sig in set(conn_by_sig).intersection(metadata_by_sig):
            mdfk = metadata_by_sig[sig]
            cnfk = conn_by_sig[sig]
            if mdfk.ondelete is not None and mdfk.ondelete.lower() == "restrict" \
                    and cnfk.ondelete is None:
                cnfk.ondelete = "RESTRICT"
            if mdfk.onupdate is not None and mdfk.onupdate.lower() == "restrict" \
                    and cnfk.onupdate is None:
                cnfk.onupdate = "RESTRICT"

    def compare_type(self, inspector_column, metadata_column):
        """Native ENUMs compare by their set of values."""
        from sqlalchemy import types as sqltypes

        metadata_type = metadata_column.type
        inspector_type = inspector_column.type
        if isinstance(metadata_type, sqltypes.Enum) and isinstance(inspector_type, sqltypes.Enum):
            return set(metadata_type.enums) != set(inspector_type.enums)
        return super().compare_type(inspector_column, metadata_column)


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


# --- autogenerate helpers --------------------------------------------


class _TypeParams(NamedTuple):
    token0: str
    tokens: list
    args: list
    kwargs: dict


def _identity_options(identity):
    """The options of an Identity/Sequence as a dict (Alembic's
    ``_get_identity_options_dict``)."""
    if identity is None:
        return {}
    if hasattr(identity, "_as_dict"):
        return identity._as_dict()
    options = {}
    if isinstance(identity, sa_schema.Identity):
        options["always"] = identity.always
        if identity.on_null is not None:
            options["on_null"] = identity.on_null
    for key in ("start", "increment", "minvalue", "maxvalue", "nominvalue", "nomaxvalue",
                "cycle", "cache", "order"):
        if getattr(identity, key, None) is not None:
            options[key] = getattr(identity, key)
    return options


def _compare_identity_options(metadata_io, inspector_io, default_io, skip):
    """Attributes that differ, and those that differ only because the
    model leaves them at their default."""
    diff = set()
    ignored = set()

    def check(meta_dict, insp_dict, default_dict, attrs):
        for attr in set(attrs).difference(skip):
            meta_value = meta_dict.get(attr)
            if insp_dict.get(attr) != meta_value:
                if meta_value == default_dict.get(attr):
                    ignored.add(attr)
                else:
                    diff.add(attr)

    meta_d = _identity_options(metadata_io)
    insp_d = _identity_options(inspector_io)
    check(meta_d, insp_d, _identity_options(default_io), set(meta_d).union(insp_d))
    if hasattr(default_io, "dialect_kwargs"):
        insp_kw = getattr(inspector_io, "dialect_kwargs", {})
        check(getattr(metadata_io, "dialect_kwargs", {}), insp_kw, default_io.dialect_kwargs,
              insp_kw)
    return diff, ignored


def _strip_numeric_default(default):
    """MySQL quotes integral numeric defaults ('1') and parenthesises
    fractional ones ((2.5))."""
    if default is None:
        return None
    return re.sub(r"^'(.*)'$|^\((.*)\)$", r"\1\2", default)


def _normalize_expression_default(default):
    """MySQL parenthesises expression defaults, MariaDB adds () to
    no-argument functions."""
    default = default.lower()
    default = re.sub(r"^\((.*)\)$", r"\1", default)
    return re.sub(r"\(\)$", "", default)


def _is_numeric_affinity(type_):
    from sqlalchemy import types as sqltypes

    affinity = type_._type_affinity
    return affinity is not None and issubclass(
        affinity, (sqltypes.Integer, sqltypes.Numeric, sqltypes.Float)
    )


# Alembic's module names, shown in the repr of an impl (autogenerate logs
# "Dialect impl <alembic.ddl.sqlite.SQLiteImpl object at ...> detected ...").
for _impl, _module in (
    (DefaultImpl, "impl"),
    (PostgresqlImpl, "postgresql"),
    (SQLiteImpl, "sqlite"),
    (MySQLImpl, "mysql"),
    (MariaDBImpl, "mysql"),
    (MSSQLImpl, "mssql"),
    (OracleImpl, "oracle"),
):
    _impl.__module__ = "alembic.ddl." + _module
