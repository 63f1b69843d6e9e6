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


def module_proxy(kind, module_name):
    def __getattr__(name):
        if name.startswith("__"):
            raise AttributeError(name)
        if name == "_proxy":
            if kind not in _ever:
                raise AttributeError(name)
            return _current.get(kind)
        obj = _current.get(kind)
        if obj is None:
            raise NameError(
                "Can't invoke function '%s', as the proxy object has not yet "
                "been established for the Alembic '%s' class.  Try placing "
                "this code inside a callable." % (name, kind)
            )
        try:
            return getattr(obj, name)
        except AttributeError as exc:
            if exc.name != name or exc.obj is not obj:
                raise
        # Alembic's proxy is a module of functions: a directive it lacks
        # (solum's `op.drop_unique_constraint`) is the module's plain
        # AttributeError, its suggestion taken from the module's names.
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
        for n in dir(cls):
            if not n.startswith("_") and callable(getattr(cls, n, None)):
                names.add(n)
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
