"""``alembic.script.write_hooks``: Alembic's ``register`` decorator and the
registry it fills. alembic-rs runs post-write hooks itself (Rust, around
``revision``/``merge``): the built-in types ``console_scripts``, ``exec`` and
``module`` there; a type registered here is called through ``_invoke`` when
Python ran before the file was written (env.py under ``revision_environment``
or ``--autogenerate``: the cookbook's ``spaces_to_tabs``), as in Alembic.
Without Python a custom type is ``No formatter with name ... registered``, as
it is in Alembic when nothing registered it.
"""

from ..util import CommandError

REVISION_SCRIPT_TOKEN = "REVISION_SCRIPT_FILENAME"

_registry: dict = {}


def register(name):
    """A function decorator that will register that function as a write hook."""

    def decorate(fn):
        _registry[name] = fn
        return fn

    return decorate


def _invoke(name, revision_path, options):
    """Calls the hook registered as ``name`` with the revision file's path and
    the hook's options (its configuration keys and ``_hook_name``)."""
    hook = _registry.get(name)
    if hook is None:
        raise CommandError(f"No formatter with name '{name}' registered")
    return hook(str(revision_path), options)
