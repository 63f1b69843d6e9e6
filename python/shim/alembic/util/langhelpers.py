"""Dispatch helpers and small utilities that Alembic publishes from
``alembic.util`` (its ``util/langhelpers.py``): the priority dispatch used
by autogenerate's comparators and plugins, and the plain ``Dispatcher``."""

import collections
import enum
import uuid

from sqlalchemy.util import asbool  # noqa: F401
from sqlalchemy.util import immutabledict  # noqa: F401
from sqlalchemy.util import memoized_property  # noqa: F401
from sqlalchemy.util import to_list  # noqa: F401
from sqlalchemy.util import unique_list

EMPTY_DICT = immutabledict()


class PriorityDispatchResult(enum.Enum):
    """What a function run by a ``PriorityDispatcher`` returns: STOP skips
    the remaining functions of its subgroup; anything else continues."""

    CONTINUE = enum.auto()
    STOP = enum.auto()


class DispatchPriority(enum.IntEnum):
    """The three batches of a ``PriorityDispatcher``, run highest first."""

    FIRST = 50
    MEDIUM = 25
    LAST = 10


class Dispatcher:
    """One function per (target, qualifier); lookup walks the target's MRO,
    the qualifier before ``"default"``."""

    def __init__(self):
        self._registry = {}

    def dispatch_for(self, target, *, qualifier="default", replace=False):
        def decorate(fn):
            key = (target, qualifier)
            if key in self._registry and not replace:
                raise ValueError(
                    "Can not set dispatch function for object "
                    f"{target!r}: key already exists. To replace "
                    "existing function, use replace=True."
                )
            self._registry[key] = fn
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
        for candidate in targets:
            for qual in qualifiers:
                fn = self._registry.get((candidate, qual))
                if fn is not None:
                    return fn
        raise ValueError("no dispatch function for object: %s" % obj)

    def branch(self):
        d = Dispatcher()
        d._registry.update(self._registry)
        return d


class PriorityDispatcher:
    """Lists of functions per (target, qualifier, priority), each tagged
    with a subgroup. Calling a target runs them by priority (FIRST, MEDIUM,
    LAST), within one priority the dialect qualifier before ``"default"``,
    then in registration order, skipping the rest of a subgroup once one of
    its functions returned ``PriorityDispatchResult.STOP``."""

    def __init__(self):
        self._registry = collections.defaultdict(list)

    def dispatch_for(self, target, *, priority=DispatchPriority.MEDIUM, qualifier="default",
                     subgroup=None):
        """A decorator registering a function for ``target``."""

        def decorate(fn):
            self._registry[(target, qualifier, priority)].append((fn, subgroup))
            return fn

        return decorate

    def dispatch(self, target, *, qualifier="default"):
        """A callable running every function registered for ``target``."""
        qualifiers = [qualifier, "default"] if qualifier != "default" else ["default"]

        def go(*arg, **kw):
            outcome = {}
            for priority in DispatchPriority:
                for qual in qualifiers:
                    for fn, subgroup in self._registry.get((target, qual, priority), ()):
                        if outcome.get(subgroup) is PriorityDispatchResult.STOP:
                            continue
                        outcome[subgroup] = fn(*arg, **kw)

        return go

    def branch(self):
        """An independently writable copy."""
        d = PriorityDispatcher()
        d.populate_with(self)
        return d

    def populate_with(self, other):
        """Append the functions of ``other`` (additive)."""
        for key, fns in other._registry.items():
            self._registry[key].extend(fns)


def rev_id():
    return uuid.uuid4().hex[-12:]


def dedupe_tuple(tup):
    return tuple(unique_list(tup))


def not_none(value):
    assert value is not None
    return value


def _with_legacy_names(translations):
    """Record ``(old_name, new_name)`` keyword renames on a method (read by
    the code that writes module-level proxies)."""

    def decorate(fn):
        fn._legacy_translations = translations
        return fn

    return decorate


class ModuleClsProxy:
    """Module-level functions that forward to the installed instance of a
    class, as ``alembic.op`` forwards to ``Operations``.

    ``create_module_class_proxy(globals(), locals())`` in a module writes one
    function per public method of the class into it; ``_install_proxy()`` on
    an instance makes them call that instance (and sets the module's
    ``_proxy``), ``_remove_proxy()`` undoes it. (The shim's own ``op`` and
    ``context`` modules forward through ``util.proxy`` instead.)
    """

    _setups = collections.defaultdict(lambda: (set(), []))

    def _install_proxy(self):
        attr_names, modules = self._setups[type(self)]
        for globals_, _locals in modules:
            globals_["_proxy"] = self
            for name in attr_names:
                globals_[name] = getattr(self, name)

    def _remove_proxy(self):
        attr_names, modules = self._setups[type(self)]
        for globals_, _locals in modules:
            globals_["_proxy"] = None
            for name in attr_names:
                globals_.pop(name, None)

    @classmethod
    def create_module_class_proxy(cls, globals_, locals_):
        attr_names, modules = cls._setups[cls]
        modules.append((globals_, locals_))
        globals_.setdefault("_proxy", None)
        for name in dir(cls):
            if name.startswith("_"):
                continue
            if callable(getattr(cls, name)):
                locals_[name] = cls._create_method_proxy(name, globals_)
            else:
                attr_names.add(name)

    @classmethod
    def _create_method_proxy(cls, name, globals_):
        def proxy_fn(*args, **kw):
            target = globals_.get("_proxy")
            if target is None:
                raise proxy_name_error(name, cls.__name__)
            return getattr(target, name)(*args, **kw)

        proxy_fn.__name__ = proxy_fn.__qualname__ = name
        proxy_fn.__doc__ = getattr(getattr(cls, name), "__doc__", None)
        return proxy_fn


from .proxy import proxy_name_error, to_tuple  # noqa: E402,F401
