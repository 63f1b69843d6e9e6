"""``Operations`` (``op``) and ``BatchOperations`` (``batch_op``).

As in Alembic, every directive is registered from an op class
(``register_operation``; ``ops.BUILTIN`` / ``ops.BATCH_BUILTIN``) and runs
through ``invoke``, which dispatches to the implementation registered with
``implementation_for`` (``toimpl.py``); that builds the SQLAlchemy objects
(``_SchemaObjects``: a throwaway ``Table`` to hang a constraint on, an
``Index``) and hands them to ``operations.impl``.
"""

import inspect
from contextlib import contextmanager

from sqlalchemy import Column, ForeignKeyConstraint, Index, Integer, MetaData, Table
from sqlalchemy import schema as sa_schema
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import BindParameter, conv
from sqlalchemy.types import NULLTYPE

from ..util import proxy
from . import ops  # noqa: F401


def _copy(element, **kw):
    return element._copy(**kw)


class _SchemaObjects:
    def __init__(self, migration_context):
        self.migration_context = migration_context

    def metadata(self):
        kw = {}
        mc = self.migration_context
        if mc is not None and "target_metadata" in mc.opts:
            mt = mc.opts["target_metadata"]
            if hasattr(mt, "naming_convention"):
                kw["naming_convention"] = mt.naming_convention
        return MetaData(**kw)

    def table(self, name, *columns, **kw):
        m = self.metadata()
        cols = [
            _copy(c) if c.table is not None else c for c in columns if isinstance(c, Column)
        ]
        if kw.pop("_constraints_included", False):
            for c in cols:
                c.unique = c.index = False
        t = Table(name, m, *cols, **kw)
        for elem in columns:
            if isinstance(elem, (sa_schema.Constraint, Index)):
                parent = getattr(elem, "parent", None)
                if parent is not None and parent is not t:
                    elem = _copy(elem, target_table=t)
                t.append_constraint(elem)
        for f in t.foreign_keys:
            self._ensure_table_for_fk(m, f)
        return t

    def _ensure_table_for_fk(self, metadata, fk):
        if isinstance(fk._colspec, str):
            table_key, cname = fk._colspec.rsplit(".", 1)
            if "." in table_key:
                sname, tname = table_key.split(".", 1)
            else:
                sname, tname = None, table_key
            if table_key not in metadata.tables:
                rel_t = Table(tname, metadata, schema=sname)
            else:
                rel_t = metadata.tables[table_key]
            if cname not in rel_t.c:
                rel_t.append_column(Column(cname, NULLTYPE))

    def _placeholder(self, table_name, cols, schema):
        return Table(
            table_name,
            self.metadata(),
            *[Column(n, NULLTYPE) for n in cols],
            schema=schema,
        )

    def index(self, name, tablename, columns, schema=None, **kw):
        """An Index on a placeholder table: names become untyped columns of
        it, ``text()`` a textual element, and the columns of another table's
        expressions are copied onto it."""
        from .ops import _textual_index_column

        t = Table(tablename or "no_table", self.metadata(), schema=schema)
        kw["_table"] = t
        return Index(name, *[_textual_index_column(t, c) for c in columns], **kw)

    def foreign_key_constraint(
        self, name, source, referent, local_cols, remote_cols, onupdate=None,
        ondelete=None, deferrable=None, source_schema=None, referent_schema=None,
        initially=None, match=None, **dialect_kw
    ):
        m = self.metadata()
        if source == referent and source_schema == referent_schema:
            t1_cols = local_cols + remote_cols
        else:
            t1_cols = local_cols
            Table(referent, m, *[Column(n, NULLTYPE) for n in remote_cols], schema=referent_schema)
        seen = []
        for c in t1_cols:
            if c not in seen:
                seen.append(c)
        t1 = Table(source, m, *[Column(n, NULLTYPE) for n in seen], schema=source_schema)
        tname = "%s.%s" % (referent_schema, referent) if referent_schema else referent
        dialect_kw["match"] = match
        f = ForeignKeyConstraint(
            local_cols,
            ["%s.%s" % (tname, n) for n in remote_cols],
            name=name, onupdate=onupdate, ondelete=ondelete, deferrable=deferrable,
            initially=initially, **dialect_kw
        )
        t1.append_constraint(f)
        return f

    def unique_constraint(self, name, source, local_cols, schema=None, **kw):
        t = self._placeholder(source, local_cols, schema)
        kw["name"] = name
        uq = sa_schema.UniqueConstraint(*[t.c[n] for n in local_cols], **kw)
        t.append_constraint(uq)
        return uq

    def primary_key_constraint(self, name, table_name, cols, schema=None, **dialect_kw):
        t = self._placeholder(table_name, cols, schema)
        p = sa_schema.PrimaryKeyConstraint(*[t.c[n] for n in cols], name=name, **dialect_kw)
        return p

    def check_constraint(self, name, source, condition, schema=None, **kw):
        t = Table(source, self.metadata(), Column("x", Integer), schema=schema)
        ck = sa_schema.CheckConstraint(condition, name=name, **kw)
        t.append_constraint(ck)
        return ck

    def generic_constraint(self, name, table_name, type_, schema=None, **kw):
        # A table with no columns, as Alembic's: it shows in the repr an
        # error message gives (aim's `drop_constraint(None, ...)`).
        t = Table(table_name, self.metadata(), schema=schema)
        types = {
            "foreignkey": lambda name: ForeignKeyConstraint([], [], name=name),
            "primary": sa_schema.PrimaryKeyConstraint,
            "unique": sa_schema.UniqueConstraint,
            "check": lambda name: sa_schema.CheckConstraint("", name=name),
            None: sa_schema.Constraint,
        }
        try:
            const = types[type_]
        except KeyError as ke:
            raise TypeError(
                "'type' can be one of %s" % ", ".join(sorted(repr(x) for x in types))
            ) from ke
        const = const(name=name)
        t.append_constraint(const)
        return const


class _Dispatcher:
    """Operation class -> implementation, per dialect (Alembic's ``util.Dispatcher``)."""

    def __init__(self):
        self._registry = {}

    def dispatch_for(self, target, *, qualifier="default", replace=False):
        def decorate(fn):
            if (target, qualifier) in self._registry and not replace:
                raise ValueError(
                    "Can not set dispatch function for object "
                    f"{target!r}: key already exists. To replace "
                    "existing function, use replace=True."
                )
            self._registry[(target, qualifier)] = fn
            return fn

        return decorate

    def dispatch(self, obj, qualifier="default"):
        if isinstance(obj, str):
            targets = [obj]
        elif isinstance(obj, type):
            targets = obj.__mro__
        else:
            targets = type(obj).__mro__
        qualifiers = [qualifier, "default"] if qualifier != "default" else ["default"]
        for spcls in targets:
            for q in qualifiers:
                if (spcls, q) in self._registry:
                    return self._registry[(spcls, q)]
        raise ValueError("no dispatch function for object: %s" % obj)


def _proxy_function(name, op_cls, fn):
    """``def <name>(self, <fn's arguments>): return fn(self, ...)``, compiled.

    Generated from the classmethod's signature as Alembic does, so that a
    wrong call raises the TypeError Alembic's generated method raises
    (naming ``<name>()``). Defaults are passed by reference, annotations
    dropped.
    """
    params = list(inspect.signature(fn).parameters.values())[1:]  # drop `operations`
    defaults = {}
    decl, call = ["self"], ["self"]
    star_done = False
    for i, p in enumerate(params):
        text = p.name
        if p.default is not inspect.Parameter.empty:
            key = "_default_%d" % i
            defaults[key] = p.default
            text += "=" + key
        if p.kind is inspect.Parameter.VAR_POSITIONAL:
            decl.append("*" + p.name)
            call.append("*" + p.name)
            star_done = True
        elif p.kind is inspect.Parameter.VAR_KEYWORD:
            decl.append("**" + p.name)
            call.append("**" + p.name)
        elif p.kind is inspect.Parameter.KEYWORD_ONLY:
            if not star_done:
                decl.append("*")
                star_done = True
            decl.append(text)
            call.append("%s=%s" % (p.name, p.name))
        elif p.kind is inspect.Parameter.POSITIONAL_ONLY:
            decl.append(text)
            call.append(p.name)
        else:
            decl.append(text)
            call.append(p.name)
    source = "def %s(%s):\n    return _fn(%s)\n" % (name, ", ".join(decl), ", ".join(call))
    namespace = dict(defaults, _fn=fn, op_cls=op_cls)
    exec(compile(source, "<alembic-rs register_operation %s>" % name, "exec"), namespace)
    method = namespace[name]
    method.__doc__ = fn.__doc__
    return method


class AbstractOperations:
    _to_impl = _Dispatcher()

    @classmethod
    def register_operation(cls, name, sourcename=None):
        """Class decorator: adds ``<name>`` to this class, calling the
        classmethod ``op_cls.<sourcename or name>(operations, ...)``."""

        def register(op_cls):
            fn = getattr(op_cls, sourcename if sourcename is not None else name)
            method = _proxy_function(name, op_cls, fn)
            setattr(cls, name, method)
            return op_cls

        return register

    @classmethod
    def implementation_for(cls, op_cls, replace=False):
        def decorate(fn):
            cls._to_impl.dispatch_for(op_cls, replace=replace)(fn)
            return fn

        return decorate

    def invoke(self, operation):
        fn = self._to_impl.dispatch(operation, self.migration_context.impl.__dialect__)
        return fn(self, operation)

    def __init__(self, migration_context, impl=None):
        self.migration_context = migration_context
        self.impl = impl if impl is not None else migration_context.impl
        self.schema_obj = _SchemaObjects(migration_context)

    @classmethod
    @contextmanager
    def context(cls, migration_context):
        op = Operations(migration_context)
        proxy.install("Operations", op)
        try:
            yield op
        finally:
            proxy.uninstall("Operations", op)

    def get_context(self):
        return self.migration_context

    def get_bind(self):
        return self.migration_context.impl.bind

    def f(self, name):
        return conv(name) if name is not None else None

    def inline_literal(self, value, type_=None):
        return _literal_bindparam(None, value, type_=type_)

    def run_async(self, async_function, *args, **kw_args):
        """Run ``async_function(AsyncConnection, ...)`` on the current connection.

        As in Alembic: the ``AsyncConnection`` proxying the running
        connection (registered when env.py connected through an async engine
        and ``run_sync``), awaited with SQLAlchemy's ``await_only`` (greenlet).
        """
        sync_conn = self.get_bind()
        if sync_conn is None:
            raise NotImplementedError("Cannot call run_async in SQL mode")
        if not sync_conn.dialect.is_async:
            raise ValueError("Cannot call run_async with a sync engine")
        from sqlalchemy.ext.asyncio import AsyncConnection
        from sqlalchemy.util import await_only

        async_conn = AsyncConnection._retrieve_proxy_for_target(sync_conn)
        return await_only(async_function(async_conn, *args, **kw_args))

    @contextmanager
    def batch_alter_table(
        self, table_name, schema=None, recreate="auto", partial_reordering=None,
        copy_from=None, table_args=(), table_kwargs=None, reflect_args=(),
        reflect_kwargs=None, naming_convention=None,
    ):
        from .batch import BatchOperations

        batch = BatchOperations(
            self.migration_context, table_name, schema, recreate, copy_from,
            table_args, table_kwargs or {}, reflect_args, reflect_kwargs or {},
            naming_convention, partial_reordering,
        )
        yield batch
        batch.flush()


class _literal_bindparam(BindParameter):
    """A bound value always rendered inline (``op.inline_literal``)."""

    inherit_cache = True


@compiles(_literal_bindparam)
def _render_literal_bindparam(element, compiler, **kw):
    return compiler.render_literal_bindparam(element, **kw)


class Operations(AbstractOperations):
    """``op``: its directives are registered from the op classes (below)."""


for _name, _op_cls in ops.BUILTIN:
    Operations.register_operation(_name)(_op_cls)

from .batch import BatchOperations  # noqa: E402

for _name, _op_cls, _sourcename in ops.BATCH_BUILTIN:
    BatchOperations.register_operation(_name, _sourcename)(_op_cls)

from . import toimpl  # noqa: E402,F401  (registers the built-in implementations)
from .ops import MigrateOperation  # noqa: E402,F401
from ..ddl import postgresql as _postgresql  # noqa: E402,F401  (create_exclude_constraint)

#: The directives and their implementations before any user code ran: the
#: static path (``_rs/static.py``) renders only directives nobody replaced.
PRISTINE_IMPLS = dict(AbstractOperations._to_impl._registry)
PRISTINE_METHODS = {
    cls: {name: cls.__dict__.get(name) for name in dir(cls) if not name.startswith("__")}
    for cls in (AbstractOperations, Operations, BatchOperations)
}
