"""The static path: a plain revision's statements are rendered by Rust from
its syntax tree (``src/static_ops/``) instead of importing the module and
compiling SQLAlchemy objects one by one; written out in ``--sql`` mode,
executed online.

Rust accepts only autogenerate-style code with literal arguments and says
why it declines anything else; this module decides whether the *run* allows
it at all: nothing may have changed what those directives do (replaced
implementations or methods, a custom impl class, compile hooks or events on
the DDL constructs, a naming convention on ``target_metadata``). Column
specifications are still SQLAlchemy's: each distinct one is compiled here,
once, on a one-column table; so are the pieces of ``alter_column`` (type
DDL, DEFAULT text, comment literals), by the impl's own helpers.

Online, a statement that fails is re-raised from a frame at the revision's
own file and line (the call's), so the traceback names them as Alembic's
does.

``ALEMBIC_RS_STATIC=0`` turns it off; ``ALEMBIC_RS_STATIC_LOG=<file>``
appends ``static <rev> <fn>`` or ``python <rev> <fn> <reason>`` per step.
"""

import os
import re
from contextlib import contextmanager

import _alembic_rs

_LOG = os.environ.get("ALEMBIC_RS_STATIC_LOG")

#: The op classes whose directives Rust renders.
_OPS = (
    "CreateTableOp", "DropTableOp", "AddColumnOp", "DropColumnOp", "CreateIndexOp",
    "DropIndexOp", "CreateForeignKeyOp", "AddConstraintOp", "DropConstraintOp",
    "ExecuteSQLOp", "AlterColumnOp", "RenameTableOp", "MigrateOperation",
)
#: The impl methods those directives end in.
_IMPL_METHODS = (
    "create_table", "drop_table", "add_column", "drop_column", "create_index",
    "drop_index", "add_constraint", "drop_constraint", "alter_column", "rename_table",
    "execute", "_exec",
    "_raw", "_emit_static_sql", "static_output", "_type", "_server_default",
)


def renderer(context, steps, kw):
    """A ``_alembic_rs.StaticPath`` for this run, or the reason there is
    none (a str)."""
    if os.environ.get("ALEMBIC_RS_STATIC") == "0":
        return "ALEMBIC_RS_STATIC=0"
    if kw:
        return "run_migrations() arguments"
    family = _family(context.impl)
    if family is None:
        return "dialect impl %s" % type(context.impl).__name__
    reason = _customized(context)
    if reason:
        return reason
    preparer = context.dialect.identifier_preparer
    if not _stock_preparer(preparer):
        return "identifier quoting rules"
    paths = [s.path for s in steps if not s.is_stamp]
    if not paths:
        return "no revisions"
    return _alembic_rs.StaticPath(
        family,
        preparer.initial_quote,
        sorted(preparer.reserved_words),
        _max_name_length(context.dialect),
        _tail_compiler(context.dialect),
        _piece_compiler(context.impl),
        paths,
    )


def run_step(static, impl, step):
    """Emits ``step``'s statements; False when it must run in Python."""
    if isinstance(static, str):
        _log("python", step, static)
        return False
    result = static.statements(step.path, step.name, bool(impl.as_sql))
    if isinstance(result, list):
        if impl.as_sql:
            for sql, _line, _execute, _batch in result:
                impl._emit_static_sql(sql)
        else:
            for sql, line, execute, batch in result:
                try:
                    if execute:
                        impl._exec(sql)  # through text(), as op.execute does
                    else:
                        impl._raw(sql)
                except (Exception, KeyboardInterrupt) as exc:
                    # Ctrl-C while a statement runs: Alembic's traceback
                    # shows the revision's line too
                    _raise_from_revision(step, line, exc, batch)
        _log("static", step, None)
        return True
    _log("python", step, result)
    return False


@contextmanager
def _batch_exit(exc):
    # what Alembic's batch_alter_table generator does at the block's end
    yield
    raise exc


def _raise_from_revision(step, line, exc, batch=False):
    """Re-raises ``exc`` from a frame named like the revision's function at
    ``line`` of its file: the traceback shows that line of the source, as
    when the function itself runs. A batch block's directive fails, as in
    Alembic, from the ``with`` statement's exit through contextlib's
    ``__exit__`` (``next(self.gen)``) into the generator."""
    import linecache

    text = linecache.getline(step.path, line).rstrip()
    indent = len(text) - len(text.lstrip()) or 4
    if batch:
        # A with statement's exit prints its line without carets.
        body = " " * indent + "with __cm(__exc):\n" + " " * indent + "    pass"
    else:
        # The raise spans the source line's own text, so the traceback
        # prints the line as Python does for a whole-line statement (no
        # carets).
        pad = max(len(text) - indent - len("raise (__exc)"), 0)
        body = " " * indent + "raise (__exc" + " " * pad + ")"
    source = "\n" * max(line - 2, 0) + "def %s():\n%s\n" % (step.name, body)
    namespace = {"__exc": exc, "__cm": _batch_exit}
    exec(compile(source, step.path, "exec"), namespace)
    namespace[step.name]()


def _log(kind, step, reason):
    if not _LOG:
        return
    rev = (step.up_revision_ids or step.down_revision_ids or ("?",))[0]
    line = "%s %s %s" % (kind, rev, step.name)
    if reason:
        line += " " + reason
    with open(_LOG, "a", encoding="utf-8") as f:
        f.write(line + "\n")


def _family(impl):
    from .. import ddl

    return {
        ddl.PostgresqlImpl: "postgresql",
        ddl.SQLiteImpl: "sqlite",
        ddl.MySQLImpl: "mysql",
        ddl.MariaDBImpl: "mariadb",
    }.get(type(impl))


def _customized(context):
    from sqlalchemy import schema as sa_schema
    from sqlalchemy.sql import elements
    from sqlalchemy.sql.schema import DEFAULT_NAMING_CONVENTION

    from ..ddl import base as ddl_base
    from ..ddl.base import _RawDDL
    from ..operations import PRISTINE_IMPLS, PRISTINE_METHODS, ops
    from ..operations import AbstractOperations

    registry = AbstractOperations._to_impl._registry
    watched = tuple(getattr(ops, n) for n in _OPS)
    for key in set(registry) | set(PRISTINE_IMPLS):
        if key[0] in watched and registry.get(key) is not PRISTINE_IMPLS.get(key):
            return "implementation_for(%s)" % key[0].__name__
    for cls, methods in PRISTINE_METHODS.items():
        for name, fn in methods.items():
            if cls.__dict__.get(name) is not fn:
                return "%s.%s replaced" % (cls.__name__, name)
    impl_cls = type(context.impl)
    for name in _IMPL_METHODS:
        if getattr(impl_cls, name) is not _PRISTINE_IMPL_METHODS[impl_cls][name]:
            return "%s.%s replaced" % (impl_cls.__name__, name)
    for cls in (
        sa_schema.CreateTable, sa_schema.DropTable, sa_schema.CreateIndex,
        sa_schema.DropIndex, sa_schema.AddConstraint,
        sa_schema.CreateColumn, sa_schema.PrimaryKeyConstraint,
        sa_schema.ForeignKeyConstraint, sa_schema.UniqueConstraint,
        sa_schema.CheckConstraint, elements.TextClause, _RawDDL,
    ):
        if "_compiler_dispatcher" in cls.__dict__ and cls is not _RawDDL:
            return "@compiles(%s)" % cls.__name__
    if _drop_constraint_compilers() != _PRISTINE_DROP_CONSTRAINT_COMPILERS:
        return "@compiles(DropConstraint)"
    for cls, specs in _ALEMBIC_ELEMENT_COMPILERS.items():
        if dict(getattr(ddl_base, cls)._compiler_dispatcher.specs) != specs:
            return "@compiles(%s)" % cls
    if _comment_compilers() != _PRISTINE_COMMENT_COMPILERS:
        return "@compiles(ColumnComment)"
    if _listeners() != _PRISTINE_LISTENERS:
        return "a Table/Column event listener"
    target = context.opts.get("target_metadata")
    convention = getattr(target, "naming_convention", DEFAULT_NAMING_CONVENTION)
    if dict(convention) != dict(DEFAULT_NAMING_CONVENTION):
        return "naming convention on target_metadata"
    return None


def _max_name_length(dialect):
    """The shortest of the limits SQLAlchemy truncates or rejects names at
    (0: none)."""
    limits = [
        getattr(dialect, attr, None)
        for attr in ("max_identifier_length", "max_index_name_length",
                     "max_constraint_name_length")
    ]
    limits = [int(n) for n in limits if n]
    return min(limits) if limits else 0


def _stock_preparer(preparer):
    """Quoting as Rust does it: SQLAlchemy's default rules."""
    legal = preparer.legal_characters
    return (
        preparer.initial_quote in ('"', "`")
        and preparer.final_quote == preparer.initial_quote
        and legal.pattern == r"^[A-Z0-9_$]+$"
        and legal.flags & re.I
        and set(preparer.illegal_initial_characters) == set("0123456789$")
        and not preparer.omit_schema
    )


def _tail_compiler(dialect):
    """``compile(keys) -> [spec or None]``: each column specification
    without its name, as CREATE TABLE / ADD COLUMN write it."""
    import sqlalchemy
    from sqlalchemy import Column, MetaData, Table, text
    from sqlalchemy.schema import CreateColumn

    compiler = dialect.ddl_compiler(dialect, None)
    namespace = _TypeNamespace(sqlalchemy)

    def compile_keys(keys):
        out = []
        for type_src, nullable, default, sole_pk, autoincrement, client_default in keys:
            try:
                type_ = eval(type_src, {"__builtins__": {}}, namespace)
                if isinstance(type_, type):
                    type_ = type_()
                if _has_side_effects(type_):
                    out.append(None)
                    continue
                kw = {}
                if default is not None:
                    kind, value = default
                    kw["server_default"] = text(value) if kind == "text" else value
                if autoincrement is not None:
                    kw["autoincrement"] = autoincrement
                if client_default:
                    # any literal: only its presence matters to the DDL
                    # (no SERIAL / AUTO_INCREMENT for such a column)
                    kw["default"] = 0
                col = Column("x", type_, primary_key=sole_pk, nullable=nullable, **kw)
                Table("t", MetaData(), col)
                spec = compiler.process(CreateColumn(col))
            except Exception:
                out.append(None)
                continue
            out.append(spec[2:] if spec.startswith("x ") else None)
        return out

    return compile_keys


def _piece_compiler(impl):
    """``compile(pieces) -> [(text, datetime) or None]``: what
    ``alter_column`` needs of SQLAlchemy, rendered by the impl's own
    helpers as the Python path renders it. A piece is ``("type", src,
    None)`` (its DDL, and whether the object as written has ``DateTime``
    affinity: MySQL then restates the column), ``("default", kind,
    value)`` (the DEFAULT text) or ``("comment", text, None)`` (a SQL
    string literal)."""
    import sqlalchemy
    from sqlalchemy import String, text
    from sqlalchemy.sql import sqltypes

    namespace = _TypeNamespace(sqlalchemy)

    def compile_pieces(pieces):
        out = []
        for kind, first, second in pieces:
            try:
                if kind == "type":
                    type_ = eval(first, {"__builtins__": {}}, namespace)
                    instance = type_() if isinstance(type_, type) else type_
                    if _has_side_effects(instance):
                        out.append(None)
                        continue
                    # as the MySQL impl tests it: a class has no affinity
                    datetime = getattr(type_, "_type_affinity", None) is sqltypes.DateTime
                    out.append((impl._type(type_), datetime))
                elif kind == "default":
                    value = text(second) if first == "text" else second
                    out.append((impl._server_default(value), False))
                else:
                    compiler = impl.dialect.statement_compiler(impl.dialect, None)
                    out.append((compiler.render_literal_value(first, String()), False))
            except Exception:
                out.append(None)
        return out

    return compile_pieces


class _TypeNamespace(dict):
    """``sa``/``sqlalchemy``, names imported from it, and the dialect
    packages (imported on first use)."""

    def __init__(self, sqlalchemy):
        super().__init__(sa=sqlalchemy, sqlalchemy=sqlalchemy)
        self._sqlalchemy = sqlalchemy

    def __missing__(self, name):
        if name in ("postgresql", "mysql", "sqlite", "mssql", "oracle"):
            import importlib

            module = self[name] = importlib.import_module("sqlalchemy.dialects." + name)
            return module
        # `from sqlalchemy import String` (Rust accepts a bare name only
        # when the revision imported it so)
        try:
            return getattr(self._sqlalchemy, name)
        except AttributeError:
            raise NameError(name) from None


def _has_side_effects(type_):
    """A type whose DDL is more than its name: Enum (CREATE TYPE, CHECK),
    a constrained Boolean, anything holding one."""
    from sqlalchemy import Boolean
    from sqlalchemy.types import SchemaType, TypeEngine

    seen = 0
    while type_ is not None and seen < 8:
        if not isinstance(type_, TypeEngine):
            return True
        if isinstance(type_, SchemaType) and not (
            type(type_) is Boolean and not type_.create_constraint
        ):
            return True
        for attr in ("astext_type",):
            inner = getattr(type_, attr, None)
            if inner is not None and _has_side_effects(inner):
                return True
        type_ = getattr(type_, "item_type", None) or (
            type_.impl_instance if hasattr(type_, "impl_instance") else None
        )
        seen += 1
    return False


def _listeners():
    """Class-level listeners of the events creating a table could fire
    (SQLAlchemy registers its own naming-convention hook)."""
    from sqlalchemy import Column, Table

    found = set()
    for cls, events in ((Table, ("before_create", "after_create", "before_parent_attach",
                                 "after_parent_attach")),
                        (Column, ("before_parent_attach", "after_parent_attach"))):
        for name in events:
            for target, fns in getattr(cls.dispatch, name)._clslevel.items():
                found.update((cls, name, target, fn) for fn in fns)
    return found


def _alembic_element_compilers():
    """The compilers of ``alembic.ddl.base``'s elements as the shim
    registers them; a user's ``@compiles(RenameTable, "sqlite")`` changes
    what Rust would render (the static path does not compile them)."""
    from ..ddl import base

    names = ("RenameTable", "AddColumn", "DropColumn", "ColumnNullable", "ColumnType",
             "ColumnName", "ColumnDefault")
    return {n: dict(getattr(base, n)._compiler_dispatcher.specs) for n in names}


def _drop_constraint_compilers():
    """The compilers of SQLAlchemy's ``DropConstraint``: the shim registers
    Alembic's for MySQL/MariaDB (``ddl/mysql.py``, which gives the text
    Rust renders); a user's ``@compiles(DropConstraint, ...)`` adds to
    them."""
    from sqlalchemy import schema as sa_schema

    from ..ddl import mysql  # noqa: F401  (registers it)

    dispatcher = sa_schema.DropConstraint.__dict__.get("_compiler_dispatcher")
    return dict(dispatcher.specs) if dispatcher is not None else {}


def _comment_compilers():
    """The per-dialect compilers of ``alembic.ddl.base.ColumnComment``
    (the shim registers its own; a user's would change the COMMENT text)."""
    from ..ddl.base import ColumnComment

    return dict(ColumnComment._compiler_dispatcher.specs)


def _pristine_impl_methods():
    from .. import ddl

    return {
        cls: {name: getattr(cls, name) for name in _IMPL_METHODS}
        for cls in (ddl.PostgresqlImpl, ddl.SQLiteImpl, ddl.MySQLImpl, ddl.MariaDBImpl)
    }


#: Taken when this module is imported (with the migration module, before
#: env.py runs).
_PRISTINE_IMPL_METHODS = _pristine_impl_methods()
_PRISTINE_LISTENERS = _listeners()
_PRISTINE_COMMENT_COMPILERS = _comment_compilers()
_PRISTINE_DROP_CONSTRAINT_COMPILERS = _drop_constraint_compilers()
_ALEMBIC_ELEMENT_COMPILERS = _alembic_element_compilers()
