"""Module-level proxies (``alembic.op``, ``alembic.context``)."""

import sys

_current = {}
#: The kinds installed at least once: from then on the module has a
#: ``_proxy`` global, as Alembic's ``ModuleClsProxy`` sets it (None again
#: once uninstalled); revisions read ``op._proxy.migration_context``
#: (privacyIDEA's).
_ever = set()


def install(kind, obj):
    _current[kind] = obj
    _ever.add(kind)


def uninstall(kind, obj):
    if _current.get(kind) is obj:
        del _current[kind]


def current(kind):
    return _current.get(kind)


def _proxied_class(kind):
    if kind == "Operations":
        from ..operations import Operations

        return Operations
    from ..runtime.environment import EnvironmentContext

    return EnvironmentContext


def proxy_name_error(name, class_name):
    """Alembic's error for a module function called while no instance of
    its class is installed."""
    return NameError(
        "Can't invoke function '%s', as the proxy object has not yet "
        "been established for the Alembic '%s' class.  Try placing "
        "this code inside a callable." % (name, class_name)
    )


def _is_method(cls, name):
    """Whether Alembic makes ``name`` a module function: a public callable."""
    return not name.startswith("_") and callable(getattr(cls, name, None))


def _method_proxy(kind, name, module_name):
    """Alembic's module function for a public method of the proxied class:
    it exists whether or not a migration runs (`from alembic.op import
    execute` in a helper module env.py imports), and finds the running
    object when called."""
    cls = _proxied_class(kind)
    if not _is_method(cls, name):
        return None

    def proxy_fn(*args, **kw):
        obj = _current.get(kind)
        if obj is None:
            if kind in _ever:
                # Alembic's `_proxy` is None again once uninstalled
                raise AttributeError("'NoneType' object has no attribute '%s'" % name)
            try:
                # what Alembic's function meets first: its `_proxy` global
                # does not exist before the first migration
                raise NameError("name '_proxy' is not defined", name="_proxy")
            except NameError as ne:
                raise proxy_name_error(name, kind) from ne
        return getattr(obj, name)(*args, **kw)

    proxy_fn.__name__ = proxy_fn.__qualname__ = name
    proxy_fn.__module__ = module_name
    proxy_fn.__doc__ = getattr(cls, name).__doc__
    return proxy_fn


def module_proxy(kind, module_name, globals_):
    def __getattr__(name):
        if name.startswith("__"):
            raise AttributeError(name)
        if name == "_proxy":
            if kind not in _ever:
                raise AttributeError(name)
            return _current.get(kind)
        fn = _method_proxy(kind, name, module_name)
        if fn is not None:
            globals_[name] = fn
            return fn
        obj = _current.get(kind)
        if obj is not None:
            try:
                return getattr(obj, name)
            except AttributeError as exc:
                if exc.name != name or exc.obj is not obj:
                    raise
        # Alembic's proxy is a module of functions (and, while a migration
        # runs, of the object's attributes): any other name is the
        # module's plain AttributeError (solum's `op.drop_unique_constraint`),
        # its suggestion taken from the module's names.
        raise AttributeError(
            "module '%s' has no attribute '%s'" % (module_name, name),
            name=name,
            obj=sys.modules[module_name],
        ) from None

    return __getattr__


def module_dir(kind, globals_):
    """The module's ``__dir__``: its own names and, as Alembic installs
    them, a function per public method of the proxied class."""

    def __dir__():
        cls = _proxied_class(kind)
        names = {n for n in globals_ if n not in ("__getattr__", "__dir__")}
        names.discard("module_proxy")
        names.discard("module_dir")
        names.add(kind)
        if kind in _ever:
            names.add("_proxy")
        names.update(n for n in dir(cls) if _is_method(cls, n))
        return sorted(names)

    return __dir__


def to_tuple(x, default=None):
    if x is None:
        return default
    if isinstance(x, str):
        return (x,)
    if isinstance(x, (list, tuple, set, frozenset)) or hasattr(x, "__iter__"):
        return tuple(x)
    return (x,)
