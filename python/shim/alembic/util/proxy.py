"""Module-level proxies (``alembic.op``, ``alembic.context``)."""

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


def module_proxy(kind):
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
