"""``Operations`` (``op``) and ``BatchOperations`` (``batch_op``).

As in Alembic, every directive is registered from an op class
(``register_operation``; ``ops.BUILTIN`` / ``ops.BATCH_BUILTIN``) and runs
through ``invoke``, which dispatches to the implementation registered with
``implementation_for`` (``toimpl.py``); that builds the SQLAlchemy objects
(``schemaobj.SchemaObjects``: a throwaway ``Table`` to hang a constraint on, an
``Index``) and hands them to ``operations.impl``.
"""

import inspect
from contextlib import contextmanager

from sqlalchemy.sql.elements import conv

from ..util import proxy
from ..util.sqla_compat import _literal_bindparam, _render_literal_bindparam  # noqa: F401
from . import ops  # noqa: F401
from .ops import MigrationScript  # noqa: F401
from .schemaobj import SchemaObjects

#: The name the shim's modules used before ``schemaobj`` existed.
_SchemaObjects = SchemaObjects


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
    # `__name__` as Alembic's module: SQLAlchemy locates its warnings at the
    # first frame outside `sqlalchemy.` and `alembic.` modules, i.e. the
    # migration's call of the op (Alembic's proxies live in alembic.operations)
    namespace = dict(defaults, _fn=fn, op_cls=op_cls, __name__=__name__)
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
from . import base, schemaobj  # noqa: E402,F401  (attributes, as in Alembic)

#: The directives and their implementations before any user code ran: the
#: static path (``_rs/static.py``) renders only directives nobody replaced.
PRISTINE_IMPLS = dict(AbstractOperations._to_impl._registry)
PRISTINE_METHODS = {
    cls: {name: cls.__dict__.get(name) for name in dir(cls) if not name.startswith("__")}
    for cls in (AbstractOperations, Operations, BatchOperations)
}
