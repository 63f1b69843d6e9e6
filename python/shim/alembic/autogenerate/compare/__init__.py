"""Autogenerate comparison: walk the model (``MetaData``) and the database
(reflected in bulk) and fill an ``UpgradeOps`` with the differences, as
Alembic's ``autogenerate/compare/`` package does.

The comparison functions are registered, in Alembic's order and under its
plugin names, in priority dispatchers (``comparators``) keyed by target
("autogenerate", "schema", "table", "column"): the order of the ops and of
the ``Detected ...`` log lines follows from that order, so it is kept.
Tables, columns, types, server defaults and comments are compared here;
indexes, unique constraints, foreign keys and nullability in
``compare_constraints``.
"""

import contextlib
import logging
import warnings

from sqlalchemy import event
from sqlalchemy import inspect
from sqlalchemy import schema as sa_schema
from sqlalchemy import types as sqltypes
from sqlalchemy.sql.schema import DefaultClause
from sqlalchemy.util import OrderedSet

from ...operations import ops
from ...util import callsite
from ...runtime.plugins import Plugin, _import_time_setup
from ...util.langhelpers import DispatchPriority, PriorityDispatcher, PriorityDispatchResult

_tables_log = logging.getLogger("alembic.autogenerate.compare.tables")
_types_log = logging.getLogger("alembic.autogenerate.compare.types")
_defaults_log = logging.getLogger("alembic.autogenerate.compare.server_defaults")
_comments_log = logging.getLogger("alembic.autogenerate.compare.comments")


# --- priority dispatch and plugins --------------------------------------
# (``alembic.util.PriorityDispatcher`` and ``alembic.runtime.plugins.Plugin``
# are imported from their own modules; the names stay available here.)

comparators = PriorityDispatcher()
"""Global registry, empty in Alembic, for comparators registered with
``@comparators.dispatch_for(...)``; copied into every AutogenContext."""


# --- entry point ------------------------------------------------------------


def populate_migration_script(autogen_context, migration_script):
    """Compare, filling the script's last UpgradeOps, and set its last
    DowngradeOps to the reverse (Alembic's ``_populate_migration_script``)."""
    upgrade_ops = migration_script.upgrade_ops_list[-1]
    downgrade_ops = migration_script.downgrade_ops_list[-1]
    produce_net_changes(autogen_context, upgrade_ops)
    upgrade_ops.reverse_into(downgrade_ops)


def produce_net_changes(autogen_context, upgrade_ops):
    autogen_context.comparators.dispatch(
        "autogenerate", qualifier=autogen_context.dialect.name
    )(autogen_context, upgrade_ops)


def _compare_schemas(autogen_context, upgrade_ops):
    """The schemas to compare: the default one (as None), plus every other
    one with ``include_schemas``, through ``include_name``."""
    connection = autogen_context.connection
    inspector = inspect(connection)
    if autogen_context.opts.get("include_schemas", False):
        default_schema = connection.dialect.default_schema_name
        schemas = set(inspector.get_schema_names())
        schemas.discard("information_schema")
        schemas.discard(default_schema)
        schemas.add(None)
    else:
        schemas = {None}
    schemas = {s for s in schemas if autogen_context.run_name_filters(s, "schema", {})}
    autogen_context.comparators.dispatch(
        "schema", qualifier=autogen_context.dialect.name
    )(autogen_context, upgrade_ops, schemas)
    return PriorityDispatchResult.CONTINUE


# --- tables -------------------------------------------------------------------


def _compare_schema_tables(autogen_context, upgrade_ops, schemas):
    """Collect the database's table names per schema (without the version
    table, through ``include_name``) and bulk-reflect them."""
    from ..compare_constraints import InspectorCache

    inspector = autogen_context.inspector
    mc = autogen_context.migration_context
    version_table_schema = mc.version_table_schema
    version_table = mc.version_table
    skip = autogen_context.skip_tables
    conn_table_names = set()
    for schema_name in schemas:
        tables = available = set(inspector.get_table_names(schema=schema_name))
        if schema_name == version_table_schema:
            tables = tables.difference([version_table])
        tablenames = [
            tname for tname in tables
            if autogen_context.run_name_filters(tname, "table", {"schema_name": schema_name})
        ]
        conn_table_names.update((schema_name, tname) for tname in tablenames)
        if skip:
            tablenames = [t for t in tablenames if (schema_name, t) not in skip]
            if not tablenames:
                continue
        InspectorCache(inspector).pre_cache_tables(schema_name, tablenames, available)

    metadata_table_names = OrderedSet(
        [(table.schema, table.name) for table in autogen_context.sorted_tables]
    ).difference([(version_table_schema, version_table)])
    _compare_tables(conn_table_names, metadata_table_names, inspector, upgrade_ops,
                    autogen_context)
    return PriorityDispatchResult.CONTINUE


def _table_key(name, schema):
    return name if schema is None else schema + "." + name


def _reflect(autogen_context, inspector, metadata, schema, tname):
    """The database table (schema, tname) in ``metadata``, reflected once."""
    from ..compare_constraints import InspectorCache

    key = _table_key(tname, schema)
    exists = key in metadata.tables
    t = sa_schema.Table(tname, metadata, schema=schema)
    if not exists:
        event.listen(
            t,
            "column_reflect",
            autogen_context.migration_context.impl._compat_autogen_column_reflect(inspector),
        )
        InspectorCache(inspector).reflect_table(t)
    return t


def _compare_tables(conn_table_names, metadata_table_names, inspector, upgrade_ops,
                    autogen_context):
    """Added tables in model order, removed tables, then existing tables
    sorted by (schema, name), as Alembic walks them."""
    default_schema = inspector.bind.dialect.default_schema_name
    dialect_name = autogen_context.dialect.name
    dispatch_table = autogen_context.comparators.dispatch("table", qualifier=dialect_name)

    # the database reports the default schema as None; key the model's
    # tables the same way
    no_dflt_names = OrderedSet(
        [(schema if schema != default_schema else None, tname)
         for schema, tname in metadata_table_names]
    )
    tname_to_table = {
        no_dflt: autogen_context.table_key_to_table[_table_key(tname, schema)]
        for no_dflt, (schema, tname) in zip(no_dflt_names, metadata_table_names)
    }
    metadata_table_names = no_dflt_names

    for s, tname in metadata_table_names.difference(conn_table_names):
        name = "%s.%s" % (s, tname) if s else tname
        metadata_table = tname_to_table[(s, tname)]
        if autogen_context.run_object_filters(metadata_table, tname, "table", False, None):
            upgrade_ops.ops.append(ops.CreateTableOp.from_table(metadata_table))
            _tables_log.info("Detected added table %r", name)
            modify_table_ops = ops.ModifyTableOps(tname, [], schema=s)
            dispatch_table(autogen_context, modify_table_ops, s, tname, None, metadata_table)
            if not modify_table_ops.is_empty():
                upgrade_ops.ops.append(modify_table_ops)

    removal_metadata = sa_schema.MetaData()
    for s, tname in conn_table_names.difference(metadata_table_names):
        name = _table_key(tname, s)
        t = _reflect(autogen_context, inspector, removal_metadata, s, tname)
        if autogen_context.run_object_filters(t, tname, "table", True, None):
            modify_table_ops = ops.ModifyTableOps(tname, [], schema=s)
            dispatch_table(autogen_context, modify_table_ops, s, tname, t, None)
            if not modify_table_ops.is_empty():
                upgrade_ops.ops.append(modify_table_ops)
            upgrade_ops.ops.append(ops.DropTableOp.from_table(t))
            _tables_log.info("Detected removed table %r", name)

    # tables the Rust pre-pass proved identical are neither reflected nor
    # compared
    existing_tables = conn_table_names.intersection(metadata_table_names).difference(
        autogen_context.skip_tables
    )
    existing_metadata = sa_schema.MetaData()
    if autogen_context.skip_tables:
        # the "assuming SERIAL" lines reflecting the skipped tables would log
        from ..._rs.autogen import log_skipped_serials

        log_skipped_serials(autogen_context)
    for s, tname in existing_tables:
        _reflect(autogen_context, inspector, existing_metadata, s, tname)

    for s, tname in sorted(existing_tables, key=lambda x: (x[0] or "", x[1])):
        s = s or None
        name = "%s.%s" % (s, tname) if s else tname
        metadata_table = tname_to_table[(s, tname)]
        conn_table = existing_metadata.tables[name]
        if autogen_context.run_object_filters(metadata_table, tname, "table", False, conn_table):
            modify_table_ops = ops.ModifyTableOps(tname, [], schema=s)
            with _compare_columns(s, tname, conn_table, metadata_table, modify_table_ops,
                                  autogen_context):
                dispatch_table(autogen_context, modify_table_ops, s, tname, conn_table,
                               metadata_table)
            if not modify_table_ops.is_empty():
                upgrade_ops.ops.append(modify_table_ops)


@contextlib.contextmanager
def _compare_columns(schema, tname, conn_table, metadata_table, modify_table_ops,
                     autogen_context):
    """Added and changed columns before the table-level comparisons (the
    body of the ``with``), removed columns after."""
    name = "%s.%s" % (schema, tname) if schema else tname
    metadata_col_names = OrderedSet(c.name for c in metadata_table.c if not c.system)
    metadata_cols_by_name = {c.name: c for c in metadata_table.c if not c.system}
    conn_col_names = {
        c.name: c
        for c in conn_table.c
        if autogen_context.run_name_filters(
            c.name, "column", {"table_name": tname, "schema_name": schema}
        )
    }

    for cname in metadata_col_names.difference(conn_col_names):
        if autogen_context.run_object_filters(
            metadata_cols_by_name[cname], cname, "column", False, None
        ):
            modify_table_ops.ops.append(
                ops.AddColumnOp.from_column_and_tablename(
                    schema, tname, metadata_cols_by_name[cname]
                )
            )
            _tables_log.info("Detected added column '%s.%s'", name, cname)

    dispatch_column = autogen_context.comparators.dispatch(
        "column", qualifier=autogen_context.dialect.name
    )
    for colname in metadata_col_names.intersection(conn_col_names):
        metadata_col = metadata_cols_by_name[colname]
        conn_col = conn_table.c[colname]
        if not autogen_context.run_object_filters(
            metadata_col, colname, "column", False, conn_col
        ):
            continue
        alter_column_op = ops.AlterColumnOp(tname, colname, schema=schema)
        dispatch_column(autogen_context, alter_column_op, schema, tname, colname, conn_col,
                        metadata_col)
        if alter_column_op.has_changes():
            modify_table_ops.ops.append(alter_column_op)

    yield

    for cname in set(conn_col_names).difference(metadata_col_names):
        if autogen_context.run_object_filters(conn_table.c[cname], cname, "column", True, None):
            modify_table_ops.ops.append(
                ops.DropColumnOp.from_column_and_tablename(schema, tname, conn_table.c[cname])
            )
            _tables_log.info("Detected removed column '%s.%s'", name, cname)


# --- column types -------------------------------------------------------------


def _compare_type_setup(alter_column_op, tname, cname, conn_col, metadata_col):
    conn_type = conn_col.type
    alter_column_op.existing_type = conn_type
    if conn_type._type_affinity is sqltypes.NullType:
        _types_log.info("Couldn't determine database type for column '%s.%s'", tname, cname)
        return False
    if metadata_col.type._type_affinity is sqltypes.NullType:
        _types_log.info(
            "Column '%s.%s' has no type within the model; can't compare", tname, cname
        )
        return False
    return True


def _log_type_change(conn_col, metadata_col, tname, cname):
    _types_log.info(
        "Detected type change from %r to %r on '%s.%s'",
        conn_col.type, metadata_col.type, tname, cname,
    )


def _user_compare_type(autogen_context, alter_column_op, schema, tname, cname, conn_col,
                       metadata_col):
    """``compare_type=False`` turns type comparison off; a callable decides
    (True: changed, False: unchanged, None: let the dialect decide)."""
    mc = autogen_context.migration_context
    user_compare = mc._user_compare_type
    if user_compare is False:
        return PriorityDispatchResult.STOP
    if not _compare_type_setup(alter_column_op, tname, cname, conn_col, metadata_col):
        return PriorityDispatchResult.CONTINUE
    if not callable(user_compare):
        return PriorityDispatchResult.CONTINUE
    is_diff = user_compare(mc, conn_col, metadata_col, conn_col.type, metadata_col.type)
    if is_diff:
        alter_column_op.modify_type = metadata_col.type
        with callsite.variant("user_compare_type"):  # Alembic logs it from another line
            _log_type_change(conn_col, metadata_col, tname, cname)
        return PriorityDispatchResult.STOP
    if is_diff is False:
        return PriorityDispatchResult.STOP
    return PriorityDispatchResult.CONTINUE


def _dialect_impl_compare_type(autogen_context, alter_column_op, schema, tname, cname,
                               conn_col, metadata_col):
    if not _compare_type_setup(alter_column_op, tname, cname, conn_col, metadata_col):
        return PriorityDispatchResult.CONTINUE
    if autogen_context.migration_context.impl.compare_type(conn_col, metadata_col):
        alter_column_op.modify_type = metadata_col.type
        _log_type_change(conn_col, metadata_col, tname, cname)
        return PriorityDispatchResult.STOP
    return PriorityDispatchResult.CONTINUE


# --- server defaults -------------------------------------------------------------


def _is_computed(*defaults):
    return any(isinstance(d, sa_schema.Computed) for d in defaults)


def _is_identity(*defaults):
    return any(isinstance(d, sa_schema.Identity) for d in defaults)


def _render_server_default_for_compare(metadata_default, autogen_context):
    if isinstance(metadata_default, DefaultClause):
        if isinstance(metadata_default.arg, str):
            metadata_default = metadata_default.arg
        else:
            metadata_default = str(
                metadata_default.arg.compile(
                    dialect=autogen_context.dialect, compile_kwargs={"literal_binds": True}
                )
            )
    return metadata_default if isinstance(metadata_default, str) else None


def _warn_computed_not_supported(tname, cname):
    warnings.warn("Computed default on %s.%s cannot be modified" % (tname, cname),
                  UserWarning, stacklevel=3)


def _compare_computed_default(autogen_context, alter_column_op, schema, tname, cname,
                              conn_col, metadata_col):
    """Computed columns cannot be altered: a change only warns."""
    metadata_default = metadata_col.server_default
    conn_default = conn_col.server_default
    if conn_default is None and metadata_default is None:
        return PriorityDispatchResult.CONTINUE
    if _is_computed(conn_default) and not _is_computed(metadata_default):
        _warn_computed_not_supported(tname, cname)
        return PriorityDispatchResult.STOP
    if not _is_computed(metadata_default):
        return PriorityDispatchResult.CONTINUE
    impl = autogen_context.migration_context.impl

    def normalized(computed):
        return impl._normalize_computed_default(
            str(computed.sqltext.compile(
                dialect=autogen_context.dialect, compile_kwargs={"literal_binds": True}
            ))
        )

    rendered_metadata = normalized(metadata_default)
    rendered_conn = normalized(conn_default) if isinstance(conn_default, sa_schema.Computed) \
        else ""
    if rendered_metadata != rendered_conn:
        _warn_computed_not_supported(tname, cname)
    return PriorityDispatchResult.STOP


def _compare_identity_default(autogen_context, alter_column_op, schema, tname, cname,
                              conn_col, metadata_col):
    metadata_default = metadata_col.server_default
    conn_default = conn_col.server_default
    if (conn_default is None and metadata_default is None) or not _is_identity(
        metadata_default, conn_default
    ):
        return PriorityDispatchResult.CONTINUE
    impl = autogen_context.migration_context.impl
    diff, _, is_alter = impl._compare_identity_default(metadata_default, conn_default)
    if is_alter:
        alter_column_op.modify_server_default = metadata_default
        if diff:
            _defaults_log.info(
                "Detected server default on column '%s.%s': identity options attributes %s",
                tname, cname, sorted(diff),
            )
            return PriorityDispatchResult.STOP
    return PriorityDispatchResult.CONTINUE


def _user_compare_server_default(autogen_context, alter_column_op, schema, tname, cname,
                                 conn_col, metadata_col):
    """``compare_server_default``: False (the default) turns the comparison
    off; a callable decides (None: let the dialect decide)."""
    metadata_default = metadata_col.server_default
    conn_default = conn_col.server_default
    if conn_default is None and metadata_default is None:
        return PriorityDispatchResult.CONTINUE
    alter_column_op.existing_server_default = conn_default
    mc = autogen_context.migration_context
    user_compare = mc._user_compare_server_default
    if user_compare is False:
        return PriorityDispatchResult.STOP
    if not callable(user_compare):
        return PriorityDispatchResult.CONTINUE
    rendered_metadata = _render_server_default_for_compare(metadata_default, autogen_context)
    rendered_conn = conn_default.arg.text if conn_default else None
    is_diff = user_compare(mc, conn_col, metadata_col, rendered_conn,
                           metadata_col.server_default, rendered_metadata)
    if is_diff:
        alter_column_op.modify_server_default = metadata_default
        _defaults_log.info(
            "User defined function %s detected server default on column '%s.%s'",
            user_compare, tname, cname,
        )
        return PriorityDispatchResult.STOP
    if is_diff is False:
        return PriorityDispatchResult.STOP
    return PriorityDispatchResult.CONTINUE


def _dialect_impl_compare_server_default(autogen_context, alter_column_op, schema, tname,
                                         cname, conn_col, metadata_col):
    metadata_default = metadata_col.server_default
    conn_default = conn_col.server_default
    if conn_default is None and metadata_default is None:
        return PriorityDispatchResult.CONTINUE
    alter_column_op.existing_server_default = conn_default
    if not isinstance(metadata_default, (DefaultClause, type(None))) or not isinstance(
        conn_default, (DefaultClause, type(None))
    ):
        return PriorityDispatchResult.CONTINUE
    mc = autogen_context.migration_context
    rendered_metadata = _render_server_default_for_compare(metadata_default, autogen_context)
    rendered_conn = conn_default.arg.text if conn_default else None
    if mc.impl.compare_server_default(conn_col, metadata_col, rendered_metadata, rendered_conn):
        alter_column_op.modify_server_default = metadata_default
        _defaults_log.info(
            "Dialect impl %s detected server default on column '%s.%s'", mc.impl, tname, cname
        )
        return PriorityDispatchResult.STOP
    return PriorityDispatchResult.CONTINUE


def _setup_autoincrement(autogen_context, alter_column_op, schema, tname, cname, conn_col,
                         metadata_col):
    if metadata_col.table._autoincrement_column is metadata_col:
        alter_column_op.kw["autoincrement"] = True
    elif metadata_col.autoincrement is True:
        alter_column_op.kw["autoincrement"] = True
    elif metadata_col.autoincrement is False:
        alter_column_op.kw["autoincrement"] = False
    return PriorityDispatchResult.CONTINUE


# --- comments ------------------------------------------------------------------


def _normalize_comment(comment):
    # most backends store an empty comment as no comment
    return comment or None


def _compare_column_comment(autogen_context, alter_column_op, schema, tname, cname, conn_col,
                            metadata_col):
    if not autogen_context.dialect.supports_comments:
        return PriorityDispatchResult.CONTINUE
    metadata_comment = _normalize_comment(metadata_col.comment)
    conn_comment = _normalize_comment(conn_col.comment)
    if conn_comment is None and metadata_comment is None:
        return PriorityDispatchResult.CONTINUE
    alter_column_op.existing_comment = conn_comment
    if conn_comment != metadata_comment:
        alter_column_op.modify_comment = metadata_comment
        _comments_log.info("Detected column comment '%s.%s'", tname, cname)
        return PriorityDispatchResult.STOP
    return PriorityDispatchResult.CONTINUE


def _compare_table_comment(autogen_context, modify_table_ops, schema, tname, conn_table,
                           metadata_table):
    if not autogen_context.dialect.supports_comments:
        return PriorityDispatchResult.CONTINUE
    if conn_table is None or metadata_table is None:
        return PriorityDispatchResult.CONTINUE  # inline in CREATE TABLE
    conn_comment = _normalize_comment(conn_table.comment)
    metadata_comment = _normalize_comment(metadata_table.comment)
    if conn_comment is None and metadata_comment is None:
        return PriorityDispatchResult.CONTINUE
    if metadata_comment is None:
        modify_table_ops.ops.append(
            ops.DropTableCommentOp(tname, existing_comment=conn_comment, schema=schema)
        )
        return PriorityDispatchResult.STOP
    if metadata_comment != conn_comment:
        modify_table_ops.ops.append(
            ops.CreateTableCommentOp(
                tname, metadata_comment, existing_comment=conn_comment, schema=schema
            )
        )
        return PriorityDispatchResult.STOP
    return PriorityDispatchResult.CONTINUE


# --- built-in plugins, in Alembic's order -----------------------------------------

from .. import compare_constraints as _cc  # noqa: E402  (needs PriorityDispatchResult)

_FIRST, _LAST = DispatchPriority.FIRST, DispatchPriority.LAST
_BUILTIN_PLUGINS = (
    ("alembic.autogenerate.schemas", [(_compare_schemas, "autogenerate", None, None)]),
    ("alembic.autogenerate.tables", [(_compare_schema_tables, "schema", "tables", None)]),
    ("alembic.autogenerate.types", [
        (_user_compare_type, "column", "types", _FIRST),
        (_dialect_impl_compare_type, "column", "types", _LAST),
    ]),
    ("alembic.autogenerate.constraints", [
        (_cc.compare_indexes_and_uniques, "table", "indexes", None),
        (_cc.compare_foreign_keys, "table", "foreignkeys", None),
        (_cc.compare_nullable, "column", "nullable", None),
    ]),
    ("alembic.autogenerate.defaults", [
        (_user_compare_server_default, "column", "server_default", _FIRST),
        (_compare_computed_default, "column", "server_default", None),
        (_compare_identity_default, "column", "server_default", None),
        (_setup_autoincrement, "column", "server_default", None),
        (_dialect_impl_compare_server_default, "column", "server_default", _LAST),
    ]),
    ("alembic.autogenerate.comments", [
        (_compare_column_comment, "column", "comments", None),
        (_compare_table_comment, "table", "comments", None),
    ]),
)


def _setup_builtin(plugin_name):
    """The ``setup(plugin)`` of one of Alembic's ``compare`` submodules:
    registers that built-in plugin's comparators on ``plugin``."""
    registrations = dict(_BUILTIN_PLUGINS)[plugin_name]

    def setup(plugin):
        for fn, target, element, priority in registrations:
            plugin.add_autogenerate_comparator(
                fn, target, element, priority=priority or DispatchPriority.MEDIUM
            )

    return setup


def only_builtin_table_comparators(dispatcher):
    """Whether ``dispatcher`` runs, per table and column, nothing but the
    built-in ``alembic.autogenerate.*`` comparisons."""
    if dispatcher is None:
        return True
    builtin = {fn for _, registrations in _BUILTIN_PLUGINS for fn, *_ in registrations}
    return all(
        fn in builtin
        for (target, _, _), fns in dispatcher._registry.items()
        if target in ("table", "column")
        for fn, _ in fns
    )


def _setup_builtin_plugins():
    # Alembic sets these up while importing, before any logging is
    # configured: their "setup plugin" lines are never seen
    with _import_time_setup():
        for name, registrations in _BUILTIN_PLUGINS:
            plugin = Plugin(name)
            for fn, target, element, priority in registrations:
                plugin.add_autogenerate_comparator(
                    fn, target, element, priority=priority or DispatchPriority.MEDIUM
                )
        # opt-in: outside the default "alembic.autogenerate.*" wildcard
        from ...ext import checkconstraint_byname

        Plugin.setup_plugin_from_module(
            checkconstraint_byname, "alembic.ext.checkconstraint_byname"
        )


_setup_builtin_plugins()

# Alembic's names for the entry points (``compare/__init__.py`` there).
_populate_migration_script = populate_migration_script
_produce_net_changes = produce_net_changes
