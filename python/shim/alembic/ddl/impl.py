"""``alembic.ddl.impl``: ``DefaultImpl``, the behaviour every dialect
shares, and the registry of impls by dialect name.

Which statements a directive becomes is decided in Rust (``_alembic_rs``,
``src/ddl/``); SQLAlchemy renders the pieces it owns (quoting, types,
column specifications, CREATE TABLE/INDEX and constraints). As in Alembic,
a subclass that sets ``__dialect__`` registers itself for that dialect
(``ImplMeta``), so an env.py can replace or add an impl.
"""

import logging
import re
from typing import NamedTuple
import warnings

from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table, text
from sqlalchemy import schema as sa_schema
from sqlalchemy.util import immutabledict

import _alembic_rs

from ._autogen import ComparisonResult
from .base import ColumnComment, RenameTable, _RawDDL


_impls = {}


class ImplMeta(type):
    def __init__(cls, classname, bases, dict_):
        super().__init__(classname, bases, dict_)
        if "__dialect__" in dict_:
            _impls[dict_["__dialect__"]] = cls


class DefaultImpl(metaclass=ImplMeta):
    __dialect__ = "default"
    transactional_ddl = False
    command_terminator = ";"

    @classmethod
    def get_by_dialect(cls, dialect):
        return _impls[dialect.name]

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

    def _exec(self, construct, execution_options=None, multiparams=None,
              params=immutabledict()):
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
        # Alembic's default, an immutabledict, is what SQLAlchemy shows as
        # `[parameters: [immutabledict({})]]` when a bind fails to process
        return conn.execute(construct, params)

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
        # Compiled by SQLAlchemy, so a user's @compiles(RenameTable, ...)
        # applies (alembic.ddl.base).
        self._exec(RenameTable(old_table_name, new_table_name, schema=schema))

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
            spec += compiler.define_constraint_cascades(fks[0].constraint)
            spec += compiler.define_constraint_deferrability(fks[0].constraint)
        # Constraints given to the Column itself (`Column("x", JSONB,
        # CheckConstraint(...))`) stay in `column.constraints`, not the
        # table's: Alembic renders them inline after the specification.
        constraints = [compiler.process(c) for c in column.constraints]
        self._raw(
            _alembic_rs.ddl_add_column(
                self._table(table_name, schema), spec, constraints, bool(if_not_exists)
            )
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
        pg = self._dialect_key() == "postgresql"
        # PostgresqlImpl's check (other impls ignore the keyword), before
        # anything else
        if using is not None and type_ is None and pg:
            from ..util.exc import CommandError

            raise CommandError("postgresql_using must be used with the type_ parameter")
        autoincrement_warning = (
            kw.get("autoincrement") is not None or kw.get("existing_autoincrement") is not None
        )
        # DefaultImpl.alter_column warns first; PostgresqlImpl runs its type
        # change before calling it, so there the warning follows that
        # statement (and a type change that fails leaves none)
        warn_after_type = autoincrement_warning and pg and type_ is not None
        if autoincrement_warning and pg and not warn_after_type:
            _warn_autoincrement_pg()
        elif autoincrement_warning and not pg:
            warnings.warn(
                "autoincrement and existing_autoincrement only make sense for MySQL",
                UserWarning,
                stacklevel=2,
            )
        if (
            nullable is None
            and server_default is False
            and type_ is None
            and comment is False
            and name is None
        ):
            # Nothing to alter: Alembic emits nothing and never renders the
            # names (manila passes a Column as column_name in such a call).
            return
        if server_default is not False and _is_computed_or_identity(
            server_default, kw.get("existing_server_default")
        ):
            self._alter_column_special_default(
                table_name, column_name, nullable=nullable, server_default=server_default,
                name=name, type_=type_, schema=schema, comment=comment, using=using,
                warn_after_type=warn_after_type, **kw
            )
            return
        if comment is False:
            rendered_comment = False
        elif comment is None:
            rendered_comment = None
        else:
            rendered_comment = self.dialect.statement_compiler(
                self.dialect, None
            ).render_literal_value(comment, String())
        for i, sql in enumerate(_alembic_rs.ddl_alter_column(
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
        )):
            if comment is not False and sql.startswith("COMMENT ON COLUMN "):
                self._exec(ColumnComment(sql))
            elif pg and type_ is not None and i == 0:
                # PostgreSQL's type change (first) is Alembic's element, which
                # SQLAlchemy compiles for "postgresql" and for the dialects
                # that register it (cockroachdb); another PostgreSQL-derived
                # dialect fails here as under Alembic (redshift, timescaledb)
                from .postgresql import PostgresqlColumnType

                self._exec(
                    PostgresqlColumnType(table_name, column_name, type_, schema=schema, using=using)
                )
                if warn_after_type:
                    _warn_autoincrement_pg()
            else:
                self._raw(sql)

    def _alter_column_special_default(self, table_name, column_name, *, nullable, server_default,
                                      name, type_, schema, comment, using=None,
                                      warn_after_type=False, **kw):
        """``alter_column`` whose ``server_default`` (or existing one) is an
        ``Identity`` or ``Computed``: Alembic's order (PostgreSQL's type
        change first, then NULL/NOT NULL), then its ``IdentityColumnDefault``
        / ``ComputedColumnDefault`` element, compiled by the dialect's
        ``@compiles`` (PostgreSQL's and Oracle's ADD/SET/DROP IDENTITY; the
        others refuse with Alembic's CompileError), then the rest."""
        from .base import ComputedColumnDefault, IdentityColumnDefault

        rest = {k: v for k, v in kw.items()
                if k not in ("autoincrement", "existing_autoincrement")}
        if type_ is not None and self._dialect_key() == "postgresql":
            if using is not None:
                rest["postgresql_using"] = using
            self.alter_column(table_name, column_name, type_=type_, schema=schema, **rest)
            rest.pop("postgresql_using", None)
            type_ = None
            if warn_after_type:
                _warn_autoincrement_pg()
        if nullable is not None:
            self.alter_column(table_name, column_name, nullable=nullable, schema=schema, **rest)
        existing = dict(
            schema=schema,
            existing_type=kw.get("existing_type"),
            existing_server_default=kw.get("existing_server_default"),
            existing_nullable=kw.get("existing_nullable"),
            existing_comment=kw.get("existing_comment"),
        )
        if isinstance(server_default, sa_schema.Computed) or isinstance(
            kw.get("existing_server_default"), sa_schema.Computed
        ):
            element = ComputedColumnDefault(table_name, column_name, server_default, **existing)
        else:
            element = IdentityColumnDefault(
                table_name, column_name, server_default, impl=self, **existing
            )
        self._exec(element)
        if type_ is not None or comment is not False or name is not None:
            self.alter_column(table_name, column_name, type_=type_, comment=comment, name=name,
                              schema=schema, **rest)

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

        meta_sig = self._create_metadata_constraint_sig(metadata_constraint).unnamed
        conn_sig = self._create_reflected_constraint_sig(reflected_constraint).unnamed
        if conn_sig != meta_sig:
            return ComparisonResult.Different(f"expression {conn_sig} to {meta_sig}")
        return ComparisonResult.Equal()

    def compare_check_constraint(self, metadata_constraint, reflected_constraint):

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


def impl_for(dialect):
    # as Alembic's MigrationContext: a dialect without a registered impl is
    # a KeyError naming it (a third-party dialect whose Alembic module was
    # not imported), never a silent fallback to generic SQL
    return DefaultImpl.get_by_dialect(dialect)


class _SeparatedImpl(DefaultImpl):
    """Dialects whose ``--sql`` output ends every statement with a batch
    separator line (``GO``, ``/``), as Alembic's MSSQL and Oracle impls do.

    Their ALTER forms are composed here from the pieces SQLAlchemy renders,
    following alembic/ddl/mssql.py and oracle.py statement for statement;
    they are offline-only dialects for alembic-rs (no driver).
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


# --- autogenerate helpers --------------------------------------------


class _TypeParams(NamedTuple):
    token0: str
    tokens: list
    args: list
    kwargs: dict


def _warn_autoincrement_pg():
    """Alembic's warning for `autoincrement=` on PostgreSQL, raised from one
    place (in Alembic: always PostgresqlImpl.alter_column's frame), so that
    Python shows it once per process as there, whichever operation asked."""
    warnings.warn(
        "autoincrement and existing_autoincrement only make sense for MySQL",
        UserWarning,
        stacklevel=1,
    )


def _is_computed_or_identity(*defaults):
    """Alembic's ``sqla_compat._server_default_is_computed`` /
    ``_server_default_is_identity`` (either argument)."""
    return any(isinstance(d, (sa_schema.Computed, sa_schema.Identity)) for d in defaults)


def _identity_options(identity):
    """The options of an Identity/Sequence as a dict (Alembic's
    ``_get_identity_options_dict``)."""
    if identity is None:
        return {}
    if hasattr(identity, "_as_dict"):
        return identity._as_dict()
    from sqlalchemy.sql.base import DialectKWArgs

    # (Alembic asserts there under SQLAlchemy 2.x: an existing_server_default
    # that is not an Identity, e.g. sa.text(), fails the same way)
    assert not issubclass(sa_schema.Identity, DialectKWArgs)
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


def __getattr__(name):
    # the constraint signature base class lives with autogenerate's modules
    if name == "_constraint_sig":
        from ..autogenerate.compare_constraints import _Sig

        return _Sig
    raise AttributeError("module %r has no attribute %r" % (__name__, name))
