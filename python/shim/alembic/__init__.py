"""alembic-rs's own ``alembic`` package, served from inside the binary.

env.py files and revisions import ``alembic``; they get this package, never
an installed Alembic (docs/architecture.md, "The Python host"). The work is
done in Rust (``_alembic_rs``); these modules keep Alembic's Python
signatures.
"""

__version__ = "1.20.1"

from . import context  # noqa: E402,F401
from . import op  # noqa: E402,F401

_SUBMODULES = frozenset(
    ["autogenerate", "command", "config", "ddl", "environment", "ext", "migration",
     "operations", "runtime", "script", "util"]
)


def __getattr__(name):
    # ``import alembic`` then ``alembic.operations.ops...`` works in Alembic
    # because its ``__init__`` imports everything; here the submodules load
    # on first use.
    if name in _SUBMODULES:
        import importlib

        return importlib.import_module("alembic." + name)
    raise AttributeError("module 'alembic' has no attribute %r" % (name,))
