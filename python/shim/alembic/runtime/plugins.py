"""``alembic.runtime.plugins``: named sets of autogenerate comparison
functions (Alembic 1.18+). Every ``Plugin`` registers itself globally; an
autogenerate run takes the functions of the plugins its
``autogenerate_plugins`` expressions select (default
``["alembic.autogenerate.*"]``; ``~expr`` excludes; ``*`` matches one or
more dotted tokens). Third-party plugins published under the
``alembic.plugins`` entry point group are set up when this module is
imported, before the built-in ones.
"""

import contextlib
from importlib import metadata
import logging
import re
from types import ModuleType
import warnings

from ..util.exc import CommandError
from ..util.langhelpers import DispatchPriority, PriorityDispatcher

_all_plugins = {}

log = logging.getLogger(__name__)

# Alembic sets up the entry-point and built-in plugins while its CLI
# imports, before env.py configures logging, so their "setup plugin" lines
# are never seen; alembic-rs imports this lazily, so they are held back.
_quiet = False


@contextlib.contextmanager
def _import_time_setup():
    global _quiet
    previous, _quiet = _quiet, True
    try:
        yield
    finally:
        _quiet = previous


class Plugin:
    """A named collection of autogenerate comparison functions (its
    ``setup()`` may register anything else, too)."""

    def __init__(self, name):
        self.name = name
        if not _quiet:
            log.info("setup plugin %s", name)
        if name in _all_plugins:
            raise ValueError(f"A plugin named {name} is already registered")
        _all_plugins[name] = self
        self.autogenerate_comparators = PriorityDispatcher()

    def remove(self):
        """Unregister this plugin."""
        del _all_plugins[self.name]

    def add_autogenerate_comparator(self, fn, compare_target, compare_element=None, *,
                                    qualifier="default", priority=DispatchPriority.MEDIUM):
        """Register ``fn`` for ``compare_target`` ("autogenerate", "schema",
        "table", "column"), in the subgroup ``compare_element``, for the
        dialect ``qualifier`` (or all), at ``priority``."""
        self.autogenerate_comparators.dispatch_for(
            compare_target, subgroup=compare_element, priority=priority, qualifier=qualifier
        )(fn)

    @classmethod
    def populate_autogenerate_priority_dispatch(cls, comparators, include_plugins):
        """Add to ``comparators`` the functions of every registered plugin
        that ``include_plugins`` selects, in registration order; an
        inclusion matching no plugin is an error."""
        exclude = set()
        include = {}
        for expr in include_plugins:
            # keyed by the expression as written, which the error reports
            if expr.startswith("~"):
                exclude.add(_make_re(_translate_legacy_name(expr[1:])))
            else:
                include[expr] = _make_re(_translate_legacy_name(expr))

        matched = set()
        for plugin in _all_plugins.values():
            if any(pattern.match(plugin.name) for pattern in exclude):
                continue
            hits = [expr for expr, pattern in include.items() if pattern.match(plugin.name)]
            if not hits:
                continue
            matched.update(hits)
            log.info("setting up autogenerate plugin %s", plugin.name)
            comparators.populate_with(plugin.autogenerate_comparators)

        unmatched = set(include).difference(matched)
        if unmatched:
            raise CommandError(f"Did not locate plugins: {', '.join(unmatched)}")

    @classmethod
    def setup_plugin_from_module(cls, module, name):
        """``module.setup(Plugin(name))``."""
        module.setup(Plugin(name))


# Names that were renamed; fully stated names only (never wildcards).
_legacy_plugin_names = {
    "alembic.autogenerate.checkconstraint_byname": "alembic.ext.checkconstraint_byname",
}


def _translate_legacy_name(name):
    return _legacy_plugin_names.get(name, name)


def _make_re(name):
    """A dotted plugin expression as a regex: ``*`` stands for one or more
    characters spanning whole dotted tokens."""
    pattern = ""
    for token in name.split("."):
        if token == "*":
            pattern += r"\..+?"
        elif token.isidentifier():
            pattern += r"\." + token
        else:
            raise ValueError(f"Invalid plugin expression {name!r}")
    return re.compile(f"^{pattern[2:]}$")


def _setup():
    """Set up the plugins published under the ``alembic.plugins`` entry
    point group."""
    for entrypoint in metadata.entry_points(group="alembic.plugins"):
        loaded = entrypoint.load()
        if isinstance(loaded, ModuleType):
            Plugin.setup_plugin_from_module(loaded, entrypoint.name)
        else:
            # accepted for compatibility: a collection of modules
            warnings.warn(
                f"Plugin entrypoint {entrypoint.name!r} refers to a "
                "collection of modules; the entrypoint should refer to a "
                "single plugin module that includes a setup() function.",
                DeprecationWarning,
                stacklevel=2,
            )
            for mod in loaded:
                Plugin.setup_plugin_from_module(mod, entrypoint.name)


with _import_time_setup():
    _setup()

# Alembic's CLI imports autogenerate (registering the built-in plugins)
# before env.py runs, so plugins that env.py creates come after them.
import importlib  # noqa: E402

importlib.import_module("alembic.autogenerate.compare")
