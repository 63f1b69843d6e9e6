"""Entry points the Rust side calls: run env.py for a command."""

import importlib.util
import logging
import os
from pathlib import Path
import sys

import _alembic_rs

from ..config import Config
from ..runtime.environment import EnvironmentContext
from ..util import callsite, pyfiles
from .revision import Revision as _RevisionBase
from .revision import tuple_rev_as_scalar
from ..util import messaging  # noqa: F401  (the "alembic" logger's NullHandler)
from ..util.exc import CommandError

callsite.install()

_registered = False

# The script directory of the command being run (``alembic.script``'s
# ``ScriptDirectory.from_config`` answers only for it).
running_script_dir = None


def _register():
    global _registered
    if not _registered:
        from . import dialects

        dialects.register()
        _registered = True


def load_python_file(path):
    """env.py or a revision file, loaded as Alembic loads them (a module
    named after the file; a ``.py`` whose source is gone runs from its
    compiled file, a missing one is "Can't find Python file")."""
    path = Path(path)
    return pyfiles.load_python_file(path.parent, path.name)


class Script(_RevisionBase):
    """``Script``: a revision of the running project, from alembic-rs's map."""

    def __init__(self, info):
        revision, down, labels, deps, self.doc, self.path = info
        # The types Alembic's Revision gives: a scalar, a tuple or None for
        # the ids (`depends_on = ""` stays ""), a set for the labels.
        self.revision = revision
        self.down_revision = tuple_rev_as_scalar(tuple(down or ()))
        self.dependencies = tuple_rev_as_scalar(tuple(deps))
        self.branch_labels = set(labels)

    @property
    def _links(self):
        # what the whole map knows of this revision, asked for once
        links = self.__dict__.get("_links_cache")
        if links is None:
            links = self.__dict__["_links_cache"] = _alembic_rs.script_links(self.revision)
        return links

    @property
    def nextrev(self):
        return frozenset(self._links[0])

    @property
    def _all_nextrev(self):
        return frozenset(self._links[1])

    @property
    def _resolved_dependencies(self):
        return tuple(self._links[2])

    @property
    def _normalized_resolved_dependencies(self):
        return tuple(self._links[3])

    @property
    def _orig_branch_labels(self):
        return tuple(self._links[4])

    @property
    def longdoc(self):
        return self._links[5]

    @property
    def log_entry(self):
        return self.cmd_format(True)

    def cmd_format(self, verbose, include_branches=False, include_doc=False,
                   include_parents=False, tree_indicators=True):
        return _alembic_rs.script_format(self.revision, verbose, include_branches, include_doc,
                                         include_parents, tree_indicators, True)

    def _head_only(self, include_branches=False, include_doc=False, include_parents=False,
                   tree_indicators=True, head_indicators=True):
        return _alembic_rs.script_format(self.revision, False, include_branches, include_doc,
                                         include_parents, tree_indicators, head_indicators)

    def _format_down_revision(self):
        if not self.down_revision:
            return "<base>"
        return ", ".join(self._versioned_down_revisions)

    def __str__(self):
        return "%s -> %s%s%s%s, %s" % (
            self._format_down_revision(),
            self.revision,
            " (head)" if self.is_head else "",
            " (branchpoint)" if self.is_branch_point else "",
            " (mergepoint)" if self.is_merge_point else "",
            self.doc,
        )

    @property
    def module(self):
        from ..runtime.migration import _modules

        module = _modules.get(self.path)
        if module is None:
            module = _modules[self.path] = load_python_file(self.path)
        return module


Script.__module__ = "alembic.script.base"
_Revision = Script


def _resource_path(location):
    """Alembic's ``coerce_resource_to_filename``: ``package:path`` is a
    directory inside an importable package."""
    if os.path.isabs(location) or ":" not in location:
        return location
    package, *parts = location.split(":")
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return location
    return os.path.join(list(spec.submodule_search_locations)[0], *parts)


class ScriptDirectory:
    """What env.py reaches as ``context.script``, answered from Rust."""

    def __init__(self, dir_, version_locations=None):
        self.dir = dir_
        self._version_locations_value = version_locations

    @property
    def version_locations(self):
        return self._version_locations_value

    @version_locations.setter
    def version_locations(self, value):
        # prefect's env.py picks its dialect's directory this way. Alembic
        # reads the revisions on first use of its map, so the assignment
        # counts until then; Rust loads them again from there.
        self._version_locations_value = value
        _alembic_rs.set_version_locations(
            [os.path.abspath(_resource_path(os.fspath(loc))) for loc in value or ()]
        )

    @property
    def env_py_location(self):
        return str(Path(self.dir, "env.py"))

    def as_revision_number(self, id_):
        return _alembic_rs.as_revision_number(id_)

    def get_revision(self, id_):
        info = _alembic_rs.get_revision(id_)
        return None if info is None else _Revision(info)

    def get_heads(self):
        return list(_alembic_rs.as_revision_number("heads") or ())

    def get_current_head(self):
        return _alembic_rs.get_current_head()

    def get_bases(self):
        return list(_alembic_rs.get_bases())

    def get_base(self):
        bases = self.get_bases()
        if len(bases) > 1:
            raise CommandError(
                "The script directory has multiple bases. Please use get_bases()."
            )
        return bases[0] if bases else None

    @property
    def revision_map(self):
        return _RevisionMapView()

    def walk_revisions(self, base="base", head="heads"):
        # a generator, as Alembic's: errors surface on iteration
        infos = _alembic_rs.iterate_revisions(
            head, base, inclusive=True, assert_relative_length=False,
            catch_range=(str(base), str(head)),
        )
        for info in infos:
            yield _Revision(info)

    def iterate_revisions(self, upper, lower, **kw):
        return self.revision_map.iterate_revisions(upper, lower, **kw)

    def get_revisions(self, id_):
        return _revisions(id_, catch=True)

    def get_all_current(self, id_):
        return _all_current(id_, catch=True)


class _RevisionMapView:
    """``ScriptDirectory.revision_map``: the queries of Alembic's
    ``RevisionMap`` that applications call, answered by alembic-rs's map
    (errors are Alembic's ``RevisionError`` classes, as there)."""

    @property
    def heads(self):
        return tuple(_alembic_rs.as_revision_number("heads") or ())

    @property
    def bases(self):
        return tuple(_alembic_rs.get_bases())

    def get_revision(self, id_):
        revs = self.get_revisions(id_)
        if len(revs) > 1:
            from ..script.revision import MultipleHeads

            raise MultipleHeads([r.revision for r in revs if r is not None], id_)
        return revs[0] if revs else None

    def get_revisions(self, id_):
        return _revisions(id_, catch=False)

    def get_current_head(self, branch_label=None):
        return _alembic_rs.get_current_head(branch_label, False)

    def iterate_revisions(self, upper, lower, implicit_base=False, inclusive=False,
                          assert_relative_length=True, select_for_downgrade=False):
        infos = _alembic_rs.iterate_revisions(
            upper, lower, implicit_base, inclusive, assert_relative_length,
            select_for_downgrade,
        )
        for info in infos:
            yield _Revision(info)

    def _get_all_current(self, id_):
        return _all_current(id_, catch=False)


# `catch`: ScriptDirectory's methods report planning errors as
# CommandErrors, RevisionMap's as Alembic's RevisionError classes.
def _revisions(id_, catch):
    if isinstance(id_, (list, tuple, set, frozenset)):
        id_ = _row_ids(id_, catch)  # each None is "base": no revision
    elif id_ is not None:
        _row_ids((id_,), catch)
    return tuple(
        None if info is None else _Revision(info)
        for info in _alembic_rs.get_revisions(id_, catch)
    )


def _all_current(id_, catch):
    ids = _row_ids(id_ if isinstance(id_, (list, tuple, set, frozenset)) else (id_,), catch)
    return {_Revision(info) for info in _alembic_rs.get_all_current(ids, catch)}


def _current_fn(config, verbose, check_heads):
    def display_version(heads, context):
        if verbose:
            url = context.connection.engine.url.render_as_string(hide_password=True)
            config.print_stdout("Current revision(s) for %s:", url)
        if check_heads and set(heads) != set(_alembic_rs.as_revision_number("heads") or ()):
            raise CommandError("Database is not on all head revisions")
        for line in _alembic_rs.current_lines(_row_ids(heads), verbose):
            config.print_stdout(line)
        return []

    return display_version


def _display_fn(config):
    def display(heads, context):
        # `history -i` only asks whether a revision is among the rows
        for line in _alembic_rs.display_lines([h for h in heads if isinstance(h, str)]):
            config.print_stdout(line)
        return []

    return display


def _edit_current_fn(script):
    def edit_current(rev, context):
        if not rev:
            raise CommandError("No current revisions")
        for head in rev:
            _alembic_rs.open_in_editor(script.get_revision(head).path)
        return []

    return edit_current


def _ensure_version_fn(rev, context):
    context._ensure_version_table()
    return []


def _steps_fn(heads, context):
    return _alembic_rs.plan(_row_ids(heads))


def _row_ids(heads, catch=True):
    """The version rows as the revision map sees them: a NULL row (a version
    table made by hand, without Alembic's NOT NULL key) resolves to no
    revision in Alembic's ``get_revisions``, so it is shown as nothing and
    planned around, and no step ever updates or deletes it. A row that is
    not text (an integer column, bytes from a binary one) is Alembic's
    RevisionError, a CommandError where ScriptDirectory catches it."""
    ids = []
    for head in heads:
        if head is None:
            continue
        if not isinstance(head, str):
            from ..script.revision import RevisionError

            raise (CommandError if catch else RevisionError)(
                "revision identifier %r is not a string; ensure database "
                "driver settings are correct" % (head,)
            )
        ids.append(head)
    return ids


def run_env(spec):
    """Run env.py for one command. ``spec`` is a dict built by Rust."""
    global running_script_dir
    _register()
    running_script_dir = spec["script_dir"]
    config = Config(
        file_=spec["config_file"],
        toml_file=spec["toml_file"],
        ini_section=spec["ini_section"],
    )
    # the Namespace itself is built if env.py asks for it (Config.cmd_opts)
    config._cmd_args = dict(spec["cmd_opts"])
    script = ScriptDirectory(spec["script_dir"], config.get_version_locations_list())
    kw = dict(spec["env_kw"])
    if spec["command"] == "current":
        kw["fn"] = _current_fn(config, spec["verbose"], spec["check_heads"])
    elif spec["command"] == "display":
        kw["fn"] = _display_fn(config)
    elif spec["command"] == "edit_current":
        kw["fn"] = _edit_current_fn(script)
    elif spec["command"] == "ensure_version":
        kw["fn"] = _ensure_version_fn
    elif spec["command"] == "revision":
        from . import autogen

        kw.update(autogen.revision_env_kw(spec, config, script))
    elif spec["command"] == "merge":
        from . import autogen

        kw.update(autogen.merge_env_kw(config))
    elif spec["command"] == "check":
        from . import autogen

        kw.update(autogen.check_env_kw(config, script))
    else:
        kw["fn"] = _steps_fn
    with EnvironmentContext(config, script, **kw):
        load_python_file(Path(spec["script_dir"], "env.py"))
    if spec["command"] == "check":
        autogen.finish_check(config)


def report_failure(message):
    """``util.err``: the error goes to the log before FAILED: is printed."""
    logging.getLogger("alembic.util.messaging").error(message)


def flush():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
