"""``alembic.script.base``: where Alembic defines ``ScriptDirectory`` and
``Script`` (galaxy's env.py imports ``Script`` from here).

The revision map is alembic-rs's (Rust), loaded for the project being run, so
``ScriptDirectory.from_config`` answers for that project's script directory
and refuses any other (docs/differences.md).
"""

import os

from .._rs import host as _host
from ..util.exc import CommandError

Script = _host._Revision

__all__ = ["ScriptDirectory", "Script"]


class ScriptDirectory(_host.ScriptDirectory):
    @classmethod
    def from_config(cls, config):
        location = config.get_alembic_option("script_location")
        if location is None:
            raise CommandError("No 'script_location' key found in configuration.")
        running = _host.running_script_dir
        if running is None or _resolve(location) != os.path.realpath(running):
            raise CommandError(
                "alembic-rs: ScriptDirectory.from_config() can only load the "
                "script directory of the command being run (%s), not %r"
                % (running, location)
            )
        return cls(running)


def _resolve(location):
    if ":" in location and not os.path.isabs(location) and not os.path.exists(location):
        package, _, sub = location.partition(":")
        import importlib.util

        spec = importlib.util.find_spec(package)
        if spec is not None and spec.submodule_search_locations:
            location = os.path.join(list(spec.submodule_search_locations)[0], sub)
    # A relative location is relative to the working directory, as in Alembic.
    return os.path.realpath(location)


from ..util.langhelpers import not_none  # noqa: E402,F401
from ..util.pyfiles import _preserving_path_as_str  # noqa: E402,F401
