"""``alembic.ext.checkconstraint_byname``: the opt-in autogenerate plugin
comparing CHECK constraints by name (Alembic 1.19.2+).

Enabled with ``context.configure(autogenerate_plugins=[
"alembic.autogenerate.*", "alembic.ext.checkconstraint_byname"])`` (the
pre-1.19.2 name ``alembic.autogenerate.checkconstraint_byname`` still
works). Only constraints named on both sides take part: a named one only in
the database is dropped, one only in the model is added. Constraints named
on both sides are compared through the dialect impl's
``compare_check_constraint``, which in Alembic considers them equal (their
SQL text is not compared). Unnamed constraints, on either side, are
ignored. Tables added or dropped as a whole are left alone.
"""

import logging

from sqlalchemy import schema as sa_schema
from sqlalchemy.sql.schema import CheckConstraint

from ..autogenerate.compare_constraints import InspectorCache, is_named
from ..operations import ops
from ..util.langhelpers import PriorityDispatchResult

log = logging.getLogger(__name__)


def _table_check_constraints(table):
    """The table's CHECK constraints, those set on its columns (and by
    their types) included."""
    found = set(table.constraints)
    for column in table.columns:
        found.update(column.constraints)
    return {const for const in found if isinstance(const, CheckConstraint)}


def _reflected_check_constraint(impl, params, conn_table):
    return sa_schema.CheckConstraint(
        params["sqltext"],
        name=params["name"],
        table=conn_table,
        **impl.adjust_reflected_dialect_options(params, "check_constraint"),
    )


def _by_name(sigs):
    return {sig.name: sig for sig in sigs if isinstance(sig.name, str)}


def _compare_check_constraints(autogen_context, modify_table_ops, schema, tname, conn_table,
                               metadata_table):
    if conn_table is None or metadata_table is None:
        return PriorityDispatchResult.CONTINUE

    impl = autogen_context.migration_context.impl
    try:
        reflected = InspectorCache(autogen_context.inspector).get_check_constraints(
            tname, schema
        )
    except NotImplementedError:
        return PriorityDispatchResult.CONTINUE

    reflected = [
        params for params in reflected
        if params.get("name") is not None
        and autogen_context.run_name_filters(
            params["name"], "check_constraint", {"table_name": tname, "schema_name": schema}
        )
    ]
    conn_consts = {
        _reflected_check_constraint(impl, params, conn_table) for params in reflected
    }
    metadata_by_name = _by_name(
        impl._create_metadata_constraint_sig(const)
        for const in _table_check_constraints(metadata_table)
        if is_named(const, autogen_context.dialect)
    )
    conn_by_name = _by_name(
        impl._create_reflected_constraint_sig(const) for const in conn_consts
    )

    for name in sorted(set(conn_by_name).difference(metadata_by_name)):
        conn_sig = conn_by_name[name]
        if autogen_context.run_object_filters(
            conn_sig.const, conn_sig.name, "check_constraint", True, None
        ):
            modify_table_ops.ops.append(ops.DropConstraintOp.from_constraint(conn_sig.const))
            log.info("Detected removed check constraint %r on table %r", conn_sig.name, tname)

    for name in sorted(set(metadata_by_name).intersection(conn_by_name)):
        metadata_sig = metadata_by_name[name]
        conn_sig = conn_by_name[name]
        result = metadata_sig.compare_to_reflected(conn_sig)
        if result.is_different:
            if autogen_context.run_object_filters(
                metadata_sig.const, metadata_sig.name, "check_constraint", False,
                conn_sig.const,
            ):
                log.info(
                    "Detected changed check constraint %r on table %r: %s",
                    name, tname, result.message,
                )
                modify_table_ops.ops.append(
                    ops.DropConstraintOp.from_constraint(conn_sig.const)
                )
                modify_table_ops.ops.append(
                    ops.AddConstraintOp.from_constraint(metadata_sig.const)
                )
        elif result.is_skip:
            log.info(
                "Cannot compare check constraint %r, assuming equal and skipping. %s",
                name, result.message,
            )

    for name in sorted(set(metadata_by_name).difference(conn_by_name)):
        metadata_sig = metadata_by_name[name]
        if autogen_context.run_object_filters(
            metadata_sig.const, metadata_sig.name, "check_constraint", False, None
        ):
            modify_table_ops.ops.append(ops.AddConstraintOp.from_constraint(metadata_sig.const))
            log.info(
                "Detected added check constraint %r on table %r", metadata_sig.name, tname
            )

    return PriorityDispatchResult.CONTINUE


def setup(plugin):
    plugin.add_autogenerate_comparator(_compare_check_constraints, "table", "checkconstraints")
