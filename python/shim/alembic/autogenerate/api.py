"""Placeholder; filled in by the autogenerate work."""


def compare_metadata(context, metadata):
    raise NotImplementedError("compare_metadata")


def produce_migrations(context, metadata):
    raise NotImplementedError("produce_migrations")


def render_python_code(*a, **kw):
    raise NotImplementedError("render_python_code")


class AutogenContext:
    pass
