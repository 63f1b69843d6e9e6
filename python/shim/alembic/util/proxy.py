"""Module-level proxies (``alembic.op``, ``alembic.context``)."""

_current = {}


def install(kind, obj):
    _current[kind] = obj


def uninstall(kind, obj):
    if _current.get(kind) is obj:
        del _current[kind]


def current(kind):
    return _current.get(kind)


def module_proxy(kind):
    def __getattr__(name):
        if name.startswith("__"):
            raise AttributeError(name)
        obj = _current.get(kind)
        if obj is None:
            raise NameError(
                "Can't invoke function '%s', as the proxy object has not yet "
                "been established for the Alembic '%s' class.  Try placing "
                "this code inside a callable." % (name, kind)
            )
        return getattr(obj, name)

    return __getattr__


def to_tuple(x, default=None):
    if x is None:
        return default
    if isinstance(x, str):
        return (x,)
    if isinstance(x, (list, tuple, set, frozenset)) or hasattr(x, "__iter__"):
        return tuple(x)
    return (x,)
