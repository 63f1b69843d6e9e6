"""``alembic.command``, importable.

Applications that run their migrations programmatically import it at the
top of the modules their env.py imports too (``jupyterhub.orm``: ``import
alembic.command``; ``dagster._core.storage.sql``: ``from alembic.command
import downgrade, stamp, upgrade``), so the import has to succeed inside
alembic-rs's host. The commands themselves are alembic-rs's own (Rust);
one cannot be started from inside another, so calling these raises
``CommandError`` (docs/differences.md).
"""

from .runtime.environment import EnvironmentContext  # noqa: F401
from .script import ScriptDirectory  # noqa: F401
from .util.exc import CommandError

__all__ = [
    "branches",
    "check",
    "current",
    "downgrade",
    "edit",
    "ensure_version",
    "heads",
    "history",
    "init",
    "list_templates",
    "merge",
    "revision",
    "show",
    "stamp",
    "upgrade",
]


def _unavailable(name):
    def command(*args, **kw):
        raise CommandError(
            "alembic.command.%s() cannot run inside an alembic-rs command; "
            "run `alembic-rs %s` instead" % (name, name.replace("_", " "))
        )

    command.__name__ = command.__qualname__ = name
    return command


for _name in __all__:
    globals()[_name] = _unavailable(_name)
del _name
