"""``alembic.script.revision``: the revision errors, under Alembic's names and
with its messages, for code that imports them (``except ResolutionError``).

The revision map itself is alembic-rs's (Rust); errors it meets inside a
command surface as ``CommandError``, as Alembic's ``_catch_revision_errors``
turns these into.
"""


class RevisionError(Exception):
    pass


class RangeNotAncestorError(RevisionError):
    def __init__(self, lower, upper):
        self.lower = lower
        self.upper = upper
        super().__init__(
            "Revision %s is not an ancestor of revision %s"
            % (lower or "base", upper or "base")
        )


class MultipleHeads(RevisionError):
    def __init__(self, heads, argument):
        self.heads = heads
        self.argument = argument
        super().__init__(
            "Multiple heads are present for given argument '%s'; "
            "%s" % (argument, ", ".join(heads))
        )


class ResolutionError(RevisionError):
    def __init__(self, message, argument):
        super().__init__(message)
        self.argument = argument


class CycleDetected(RevisionError):
    kind = "Cycle"

    def __init__(self, revisions):
        self.revisions = revisions
        super().__init__(
            "%s is detected in revisions (%s)" % (self.kind, ", ".join(revisions))
        )


class DependencyCycleDetected(CycleDetected):
    kind = "Dependency cycle"

    def __init__(self, revisions):
        super().__init__(revisions)


class LoopDetected(CycleDetected):
    kind = "Self-loop"

    def __init__(self, revision):
        super().__init__([revision])


class DependencyLoopDetected(DependencyCycleDetected, LoopDetected):
    kind = "Dependency self-loop"

    def __init__(self, revision):
        super().__init__(revision)


from .._rs.revision import Revision, _revision_illegal_chars, tuple_rev_as_scalar  # noqa: E402,F401


def is_revision(rev):
    assert isinstance(rev, Revision)
    return rev


class RevisionMap:
    """Alembic's in-Python revision graph. alembic-rs reads and walks the
    graph in Rust, so this class cannot be built here; the running
    project's revisions are reachable through ``ScriptDirectory``."""

    def __init__(self, generator):
        from ..util.exc import CommandError

        raise CommandError(
            "alembic-rs: alembic.script.revision.RevisionMap is not available; "
            "the revision map is alembic-rs's own (Rust). Use "
            "ScriptDirectory.from_config(config) (get_revision(), get_heads(), "
            "get_bases(), get_current_head()) for the project being run"
        )
