"""``alembic.script.write_hooks``: importable, with Alembic's ``register``
decorator, so an env.py or application module that registers a custom hook
loads. alembic-rs runs post-write hooks itself (Rust, around ``revision``,
where no Python runs): the built-in types ``console_scripts``, ``exec`` and
``module``; a custom type is ``No formatter with name ... registered``
(docs/differences.md).
"""

REVISION_SCRIPT_TOKEN = "REVISION_SCRIPT_FILENAME"

_registry: dict = {}


def register(name):
    """A function decorator that will register that function as a write hook."""

    def decorate(fn):
        _registry[name] = fn
        return fn

    return decorate
