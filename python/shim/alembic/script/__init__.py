"""``alembic.script``: ``ScriptDirectory`` and ``Script``, importable.

Application modules import them at the top (``from alembic.script import
ScriptDirectory``: jupyterhub.orm, dagster._core.storage.sql), or from
``alembic.script.base`` as Alembic defines them there (galaxy's env.py).
"""

from .base import Script
from .base import ScriptDirectory
from . import revision, write_hooks  # noqa: F401  (attributes, as in Alembic)

__all__ = ["ScriptDirectory", "Script"]
