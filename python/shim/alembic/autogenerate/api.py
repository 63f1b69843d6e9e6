"""Autogenerate's public API: ``compare_metadata``, ``produce_migrations``,
``render_python_code`` and the ``AutogenContext`` that comparison and
rendering share (Alembic's ``autogenerate/api.py``)."""

import contextlib

from sqlalchemy import inspect
# SQLAlchemy's, as Alembic's util.memoized_property: a warning raised while
# computing one (sorted_tables' "Cannot correctly sort tables" SAWarning) is
# then located in the user's code, since SQLAlchemy's warnings skip frames of
# sqlalchemy.* and alembic.* modules (functools.cached_property's is neither).
from sqlalchemy.util import memoized_property, to_list

from ..operations import ops
from ..runtime.plugins import Plugin
from ..util.exc import CommandError
from . import compare


def compare_metadata(context, metadata):
    """The differences between the database and ``metadata``, as Alembic's
    list of diff tuples (lists for column changes)."""
    migration_script = produce_migrations(context, metadata)
    return migration_script.upgrade_ops.as_diffs()


def produce_migrations(context, metadata):
    """A ``MigrationScript`` whose upgrade ops turn the database into
    ``metadata``, and whose downgrade ops undo them."""
    autogen_context = AutogenContext(context, metadata=metadata)
    migration_script = ops.MigrationScript(
        rev_id=None,
        upgrade_ops=ops.UpgradeOps([]),
        downgrade_ops=ops.DowngradeOps([]),
    )
    compare.populate_migration_script(autogen_context, migration_script)
    return migration_script


def render_python_code(*args, **kw):
    """Python source for an UpgradeOps/DowngradeOps (see ``render``)."""
    from . import render

    return render.render_python_code(*args, **kw)


class AutogenContext:
    """Configuration and state of one autogenerate run: the model, the
    connection and dialect, the filters, the comparators, and the imports
    the rendered script needs."""

    metadata = None
    connection = None
    dialect = None
    imports = None
    migration_context = None

    def __init__(self, migration_context, metadata=None, opts=None, autogenerate=True):
        if autogenerate and migration_context is not None and migration_context.as_sql:
            raise CommandError(
                "autogenerate can't use as_sql=True as it prevents querying "
                "the database for schema information"
            )
        if autogenerate:
            # user comparators registered on the global collection first,
            # then the plugins selected by ``autogenerate_plugins``
            self.comparators = compare.comparators.branch()
            Plugin.populate_autogenerate_priority_dispatch(
                self.comparators,
                include_plugins=migration_context.opts.get(
                    "autogenerate_plugins", ["alembic.autogenerate.*"]
                ),
            )
        if opts is None:
            opts = migration_context.opts
        self.metadata = metadata = (
            opts.get("target_metadata", None) if metadata is None else metadata
        )
        if (
            autogenerate
            and metadata is None
            and migration_context is not None
            and migration_context.script is not None
        ):
            raise CommandError(
                "Can't proceed with --autogenerate option; environment "
                "script %s does not provide "
                "a MetaData object or sequence of objects to the context."
                % (migration_context.script.env_py_location)
            )
        include_object = opts.get("include_object", None)
        include_name = opts.get("include_name", None)
        self._object_filters = [include_object] if include_object else []
        self._name_filters = [include_name] if include_name else []
        self.migration_context = migration_context
        self.connection = migration_context.bind
        self.dialect = migration_context.dialect
        self.imports = set()
        self.opts = opts
        self._has_batch = False
        # alembic-rs: (schema, table_name) pairs (None: the default schema)
        # a Rust pre-pass proved identical in model and database; they
        # exist on both sides but are neither reflected nor compared
        self.skip_tables = set()

    @memoized_property
    def inspector(self):
        if self.connection is None:
            raise TypeError(
                "can't return inspector as this AutogenContext has no database connection"
            )
        return inspect(self.connection)

    @contextlib.contextmanager
    def _within_batch(self):
        self._has_batch = True
        yield
        self._has_batch = False

    def run_name_filters(self, name, type_, parent_names):
        """True when ``include_name`` keeps this reflected name."""
        if "schema_name" in parent_names:
            table_name = name if type_ == "table" else parent_names.get("table_name", None)
            if table_name:
                schema_name = parent_names["schema_name"]
                parent_names["schema_qualified_table_name"] = (
                    "%s.%s" % (schema_name, table_name) if schema_name else table_name
                )
        return all(fn(name, type_, parent_names) for fn in self._name_filters)

    def run_object_filters(self, object_, name, type_, reflected, compare_to):
        """True when ``include_object`` keeps this object."""
        return all(
            fn(object_, name, type_, reflected, compare_to) for fn in self._object_filters
        )

    run_filters = run_object_filters

    @memoized_property
    def sorted_tables(self):
        """Each MetaData's ``sorted_tables``, concatenated in order."""
        result = []
        for m in _to_list(self.metadata):
            result.extend(m.sorted_tables)
        return result

    @memoized_property
    def table_key_to_table(self):
        """All MetaData's ``tables`` in one dict; a key in two is an error."""
        result = {}
        for m in _to_list(self.metadata):
            intersect = set(result).intersection(set(m.tables))
            if intersect:
                raise ValueError(
                    "Duplicate table keys across multiple MetaData objects: %s"
                    % (", ".join('"%s"' % key for key in sorted(intersect)))
                )
            result.update(m.tables)
        return result


def _to_list(value):
    """``target_metadata`` as a list, as Alembic's ``util.to_list`` reads it:
    any iterable but a string is a sequence of MetaData (a set or a
    generator too), anything else one item."""
    if value is None:
        return []
    return list(to_list(value))


class RevisionContext:
    """Alembic's driver of ``revision --autogenerate`` (it runs env.py and
    writes the files). alembic-rs's ``revision`` command is its own (Rust),
    so this class cannot be used; run ``alembic-rs revision
    --autogenerate``, or use ``produce_migrations`` / ``render_python_code``
    in env.py."""

    def __init__(self, config, script_directory, command_args, process_revision_directives=None):
        raise CommandError(
            "alembic-rs: alembic.autogenerate.RevisionContext is not available; "
            "`alembic-rs revision` generates revisions itself (Rust). Use "
            "produce_migrations() / render_python_code() from env.py, or run "
            "`alembic-rs revision --autogenerate`"
        )
