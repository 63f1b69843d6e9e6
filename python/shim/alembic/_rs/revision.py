"""``Revision`` (``alembic.script.revision.Revision``, the base of
``Script``), kept outside the ``alembic.script`` package so that the host,
which ``alembic.script.base`` itself imports, can subclass it."""

_revision_illegal_chars = ["@", "-", "+", ":"]


def tuple_rev_as_scalar(rev):
    """None for an empty sequence, the element of a one-element one, else
    the sequence."""
    if not rev:
        return None
    if len(rev) == 1:
        return rev[0]
    return rev


def _dedupe(ids):
    return tuple(dict.fromkeys(ids))


class Revision:
    """One revision's identity and links, as declared in its file
    (``revision``, ``down_revision``, ``depends_on``, ``branch_labels``).
    ``Script`` (what ``ScriptDirectory.get_revision()`` returns) is one, and
    answers the graph-derived attributes from alembic-rs's map; one built
    by hand belongs to no map, so, as Alembic's, it has no next revisions
    (a head, not a branch point), and no resolved dependencies: the
    ``_all_down_revisions`` they feed raise AttributeError, as Alembic's.
    """

    nextrev = frozenset()
    _all_nextrev = frozenset()

    @classmethod
    def verify_rev_id(cls, revision):
        illegal = set(revision).intersection(_revision_illegal_chars)
        if illegal:
            from ..script.revision import RevisionError

            raise RevisionError(
                "Character(s) '%s' not allowed in revision identifier '%s'"
                % (", ".join(sorted(illegal)), revision)
            )

    def __init__(self, revision, down_revision, dependencies=None, branch_labels=None):
        from ..script.revision import DependencyLoopDetected, LoopDetected
        from ..util import to_tuple

        if down_revision and revision in to_tuple(down_revision):
            raise LoopDetected(revision)
        if dependencies is not None and revision in to_tuple(dependencies):
            raise DependencyLoopDetected(revision)
        self.verify_rev_id(revision)
        self.revision = revision
        self.down_revision = tuple_rev_as_scalar(to_tuple(down_revision))
        self.dependencies = tuple_rev_as_scalar(to_tuple(dependencies))
        self._orig_branch_labels = to_tuple(branch_labels, default=())
        self.branch_labels = set(self._orig_branch_labels)

    def __repr__(self):
        args = [repr(self.revision), repr(self.down_revision)]
        if self.dependencies:
            args.append("dependencies=%r" % (self.dependencies,))
        if self.branch_labels:
            args.append("branch_labels=%r" % (self.branch_labels,))
        return "%s(%s)" % (type(self).__name__, ", ".join(args))

    @property
    def _versioned_down_revisions(self):
        from ..util import to_tuple

        return to_tuple(self.down_revision, default=())

    @property
    def _all_down_revisions(self):
        return _dedupe(self._versioned_down_revisions + self._resolved_dependencies)

    @property
    def _normalized_down_revisions(self):
        return _dedupe(self._versioned_down_revisions + self._normalized_resolved_dependencies)

    @property
    def is_head(self):
        return not self.nextrev

    @property
    def _is_real_head(self):
        return not self._all_nextrev

    @property
    def is_branch_point(self):
        return len(self.nextrev) > 1

    @property
    def _is_real_branch_point(self):
        return len(self._all_nextrev) > 1

    @property
    def is_base(self):
        return self.down_revision is None

    @property
    def _is_real_base(self):
        return self.down_revision is None and self.dependencies is None

    @property
    def is_merge_point(self):
        return len(self._versioned_down_revisions) > 1

