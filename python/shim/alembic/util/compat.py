"""``alembic.util.compat``: the version flags and small portability helpers
Alembic keeps here, which extensions and application code import (path
helpers, ``importlib_metadata_get``, the ``inspect_*argspec`` functions
SQLAlchemy provides)."""

import io
import os
import sys
from configparser import ConfigParser  # noqa: F401
from importlib import metadata
from importlib.metadata import EntryPoint  # noqa: F401
from pathlib import Path

from sqlalchemy.util import inspect_getfullargspec  # noqa: F401
from sqlalchemy.util.compat import inspect_formatargspec  # noqa: F401

if sys.version_info >= (3, 11):
    import tomllib  # noqa: F401
else:  # pragma: no cover  (alembic-rs is built against 3.11+)
    import tomli as tomllib  # noqa: F401

is_posix = os.name == "posix"

py311 = sys.version_info >= (3, 11)
py312 = sys.version_info >= (3, 12)
py313 = sys.version_info >= (3, 13)
py314 = sys.version_info >= (3, 14)


class EncodedIO(io.TextIOWrapper):
    """A text wrapper over a binary stream that leaves the stream open when
    it is closed (the ``--sql`` output buffer)."""

    def close(self):
        pass


def path_walk(path, *, top_down=True):
    """``Path.walk`` (3.12+), as ``(Path, dirs, files)`` triples."""
    for root, dirs, files in os.walk(path, topdown=top_down):
        yield Path(root), dirs, files


def path_relative_to(path, other, *, walk_up=False):
    """``path.relative_to(other)``; with ``walk_up``, a path outside
    ``other`` is taken relative to the nearest ancestor of ``other`` that
    contains it (the ``..`` levels are not written, as in Alembic before
    Python 3.12)."""
    if py312:
        return path.relative_to(other, walk_up=walk_up)
    try:
        return path.relative_to(other)
    except ValueError:
        if not walk_up:
            raise
    for ancestor in [*other.parents, other]:
        try:
            return path.relative_to(ancestor)
        except ValueError:
            continue
    raise ValueError(f"{path} is not in the same subtree as {other}")


def importlib_metadata_get(group):
    """The installed entry points of ``group``."""
    return metadata.entry_points().select(group=group)


def formatannotation_fwdref(annotation, base_module=None):
    """An annotation as source text, names of ``typing`` without their
    module (how Alembic writes the stubs of its proxies)."""
    if isinstance(annotation, str):
        return annotation
    if getattr(annotation, "__module__", None) == "typing":
        return repr(annotation).replace("typing.", "").replace("~", "")
    if isinstance(annotation, type):
        if annotation.__module__ in ("builtins", base_module):
            return repr(annotation.__qualname__)
        return "%s.%s" % (annotation.__module__, annotation.__qualname__)
    return repr(annotation).replace("~", "")


def read_config_parser(file_config, file_argument):
    """``file_config.read(...)`` in the locale's encoding, as ``Config``
    reads ``alembic.ini``."""
    return file_config.read(file_argument, encoding="locale")

