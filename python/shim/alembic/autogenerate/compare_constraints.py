"""Autogenerate comparison of indexes, unique constraints, foreign keys and
nullability (Alembic's ``autogenerate/compare/constraints.py`` and
``ddl/_autogen.py``), plus the cached bulk reflection they read from.

Log lines go to Alembic's logger names, so a user's logging configuration
formats them identically.
"""

import logging

from sqlalchemy import schema as sa_schema
from sqlalchemy import text
from sqlalchemy.sql import expression
from sqlalchemy.sql.elements import conv

from ..ddl._autogen import ComparisonResult  # noqa: F401  (defined where Alembic has it)
from ..operations import ops
from ..util.sqla_compat import is_expression, is_expression_index  # noqa: F401
from .compare import PriorityDispatchResult

log = logging.getLogger("alembic.autogenerate.compare.constraints")

CONTINUE = PriorityDispatchResult.CONTINUE
STOP = PriorityDispatchResult.STOP


# --- reflection, fetched in bulk once per schema -----------------------

_INSP_KEYS = (
    "columns",
    "pk_constraint",
    "foreign_keys",
    "indexes",
    "unique_constraints",
    "table_comment",
    "check_constraints",
    "table_options",
)
_CONSTRAINT_INSP_KEYS = (
    "pk_constraint",
    "foreign_keys",
    "indexes",
    "unique_constraints",
    "check_constraints",
)


class InspectorCache:
    """Reads reflection through SQLAlchemy's ``get_multi_*`` methods, one
    query per kind per schema, kept in the Inspector's ``info_cache`` under
    Alembic's keys; reflected constraint names are wrapped in ``conv`` so
    naming conventions leave them alone."""

    __slots__ = ("inspector",)

    def __init__(self, inspector):
        self.inspector = inspector

    def _pre_cache(self, schema, tablenames, all_tablenames, info_key, method):
        if info_key in self.inspector.info_cache:
            return
        # SQLAlchemy's heuristic: past 100 tables, when more than half of
        # the schema is wanted, one unfiltered query is cheaper
        fraction = None
        if tablenames and all_tablenames and len(tablenames) > 100:
            fraction = len(tablenames) / len(all_tablenames)
        if (
            fraction is None
            or fraction <= 0.5
            or not self.inspector.dialect._overrides_default(method.__name__)
        ):
            filter_names = tablenames
        else:
            filter_names = None
        try:
            elements = method(schema=schema, filter_names=filter_names)
        except NotImplementedError:
            self.inspector.info_cache[info_key] = NotImplementedError
        else:
            self.inspector.info_cache[info_key] = elements

    def pre_cache_tables(self, schema, tablenames, all_tablenames):
        for key in _INSP_KEYS:
            self._pre_cache(
                schema, tablenames, all_tablenames, f"alembic_{key}",
                getattr(self.inspector, f"get_multi_{key}"),
            )

    def _from_cache(self, tname, schema, info_key, method, conv_names=False, optional=True):
        missing = object()
        cache = self.inspector.info_cache.get(info_key, missing)
        if cache is NotImplementedError:
            if optional:
                return {}
            raise NotImplementedError()
        if cache is not missing:
            found = cache.get((schema, tname), missing)
            if found is not missing:
                return _conv_names(found) if conv_names and found is not None else found
        try:
            data = method(tname, schema=schema)
        except NotImplementedError:
            if optional:
                return {}
            raise
        return _conv_names(data) if conv_names else data

    def get_unique_constraints(self, tname, schema):
        return self._from_cache(
            tname, schema, "alembic_unique_constraints",
            self.inspector.get_unique_constraints, conv_names=True, optional=False,
        )

    def get_indexes(self, tname, schema):
        return self._from_cache(
            tname, schema, "alembic_indexes", self.inspector.get_indexes,
            conv_names=True, optional=False,
        )

    def get_foreign_keys(self, tname, schema):
        return self._from_cache(
            tname, schema, "alembic_foreign_keys", self.inspector.get_foreign_keys,
            conv_names=True,
        )

    def get_check_constraints(self, tname, schema):
        return self._from_cache(
            tname, schema, "alembic_check_constraints",
            self.inspector.get_check_constraints, conv_names=True, optional=False,
        )

    def reflect_table(self, table):
        """Fill ``table`` from the cached reflection (no FK resolution)."""
        from sqlalchemy.engine.reflection import _ReflectionInfo

        key = (table.schema, table.name)
        info = _ReflectionInfo(
            unreflectable={},
            **{
                k: {
                    key: self._from_cache(
                        table.name, table.schema, f"alembic_{k}",
                        getattr(self.inspector, f"get_{k}"),
                        conv_names=k in _CONSTRAINT_INSP_KEYS,
                    )
                }
                for k in _INSP_KEYS
            },
        )
        self.inspector.reflect_table(
            table, include_columns=None, resolve_fks=False, _reflect_info=info
        )


def _conv_names(consts):
    if not consts:
        return consts
    for const in [consts] if isinstance(consts, dict) else consts:
        if const["name"] is not None and not isinstance(const["name"], conv):
            const["name"] = conv(const["name"])
    return consts


# --- constraint signatures ----------------------------------------------


def _name_or_none(name):
    return name if isinstance(name, str) else None


def final_name(constraint, dialect):
    """The name as it will be in the database (naming convention applied,
    truncated), or None when unnamed."""
    if constraint.name is None:
        return None
    return dialect.identifier_preparer.format_constraint(constraint, _alembic_quote=False)


def is_named(constraint, dialect):
    return final_name(constraint, dialect) is not None


class _Sig:
    """A uniform face over an Index / UniqueConstraint / ForeignKeyConstraint
    from either side, hashed by name and column signature."""

    is_index = is_uq = is_fk = is_ck = False

    def __init__(self, is_metadata, impl, const):
        self._is_metadata = is_metadata
        self.impl = impl
        self.const = const
        self.name = _name_or_none(const.name)

    @classmethod
    def from_constraint(cls, is_metadata, impl, constraint):
        """The signature class for ``constraint``'s kind (Alembic's
        ``_constraint_sig.from_constraint``)."""
        return constraint_sig(is_metadata, impl, constraint)

    def compare_to_reflected(self, other):
        return self._compare_to_reflected(other)

    def md_name_to_sql_name(self, context):
        return final_name(self.const, context.dialect)

    @property
    def is_named(self):
        return is_named(self.const, self.impl.dialect)

    @property
    def unnamed(self):
        return self._sig

    @property
    def _full_sig(self):
        return (self.name,) + self.unnamed

    def __eq__(self, other):
        return self._full_sig == other._full_sig

    def __ne__(self, other):
        return self._full_sig != other._full_sig

    def __hash__(self):
        return hash(self._full_sig)


class UniqueSig(_Sig):
    is_uq = True
    is_unique = True

    def __init__(self, is_metadata, impl, const):
        super().__init__(is_metadata, impl, const)
        self._sig = tuple(sorted(col.name for col in const.columns))

    @property
    def column_names(self):
        return tuple(col.name for col in self.const.columns)

    def _compare_to_reflected(self, other):
        return self.impl.compare_unique_constraint(self.const, other.const)


class IndexSig(_Sig):
    is_index = True

    def __init__(self, is_metadata, impl, const):
        super().__init__(is_metadata, impl, const)
        self.name = const.name
        self.is_unique = bool(const.unique)

    def _compare_to_reflected(self, other):
        return self.impl.compare_indexes(self.const, other.const)

    @property
    def has_expressions(self):
        return is_expression_index(self.const)

    @property
    def column_names(self):
        return tuple(col.name for col in self.const.columns)

    @property
    def column_names_optional(self):
        return tuple(getattr(col, "name", None) for col in self.const.expressions)

    @property
    def is_named(self):
        return True

    @property
    def unnamed(self):
        return (self.is_unique,) + self.column_names_optional


def _fk_action(value):
    if not value:
        return None
    value = value.lower()
    return None if value == "no action" else value


class ForeignKeySig(_Sig):
    is_fk = True

    def __init__(self, is_metadata, impl, const):
        super().__init__(is_metadata, impl, const)
        spec = ops._fk_spec(const)
        self.source_schema = spec.source_schema
        self.source_table = spec.source_table
        self.source_columns = spec.source_columns
        self.target_schema = spec.target_schema
        self.target_table = spec.target_table
        self.target_columns = spec.target_columns
        initially = const.initially
        self._sig = self.unnamed_no_options + (
            _fk_action(const.onupdate),
            _fk_action(const.ondelete),
            # initially + deferrable as one three-state value
            "initially_deferrable"
            if initially and initially.lower() == "deferred"
            else "deferrable" if const.deferrable else "not deferrable",
        )

    @property
    def unnamed_no_options(self):
        return (
            self.source_schema,
            self.source_table,
            tuple(self.source_columns),
            self.target_schema,
            self.target_table,
            tuple(self.target_columns),
        )


class CheckSig(_Sig):
    is_ck = True

    def __init__(self, is_metadata, impl, const):
        super().__init__(is_metadata, impl, const)
        self._sig = (self.name,)

    def _compare_to_reflected(self, other):
        return self.impl.compare_check_constraint(self.const, other.const)


_SIG_CLASSES = {
    "unique_constraint": UniqueSig,
    "index": IndexSig,
    "foreign_key_constraint": ForeignKeySig,
    "check_constraint": CheckSig,
    "table_or_column_check_constraint": CheckSig,
    "column_check_constraint": CheckSig,
}


def constraint_sig(is_metadata, impl, constraint):
    return _SIG_CLASSES[constraint.__visit_name__](is_metadata, impl, constraint)


# --- rebuilding schema objects from reflected records -----------------

_SORTING_OPS = {
    "asc": expression.asc,
    "desc": expression.desc,
    "nulls_first": expression.nullsfirst,
    "nulls_last": expression.nullslast,
    "nullsfirst": expression.nullsfirst,
    "nullslast": expression.nullslast,
}


def _make_index(impl, params, conn_table):
    exprs = []
    sorting = params.get("column_sorting")
    for num, col_name in enumerate(params["column_names"]):
        if col_name is None:
            name = params["expressions"][num]
            item = text(name)
        else:
            name = col_name
            item = conn_table.c[col_name]
        if sorting and name in sorting:
            for operator in sorting[name]:
                if operator in _SORTING_OPS:
                    item = _SORTING_OPS[operator](item)
        exprs.append(item)
    ix = sa_schema.Index(
        params["name"],
        *exprs,
        unique=params["unique"],
        _table=conn_table,
        **impl.adjust_reflected_dialect_options(params, "index"),
    )
    if "duplicates_constraint" in params:
        ix.info["duplicates_constraint"] = params["duplicates_constraint"]
    return ix


def _make_unique_constraint(impl, params, conn_table):
    uq = sa_schema.UniqueConstraint(
        *[conn_table.c[cname] for cname in params["column_names"]],
        name=params["name"],
        **impl.adjust_reflected_dialect_options(params, "unique_constraint"),
    )
    if "duplicates_index" in params:
        uq.info["duplicates_index"] = params["duplicates_index"]
    return uq


def _make_foreign_key(params, conn_table):
    """The reflected FK as a ForeignKeyConstraint on ``conn_table``; the
    referred table, when not reflected, becomes a placeholder table."""
    referred_schema = params["referred_schema"]
    referred_table = params["referred_table"]
    tname = "%s.%s" % (referred_schema, referred_table) if referred_schema else referred_table
    options = params.get("options", {})
    const = sa_schema.ForeignKeyConstraint(
        [conn_table.c[cname] for cname in params["constrained_columns"]],
        ["%s.%s" % (tname, n) for n in params["referred_columns"]],
        onupdate=options.get("onupdate"),
        ondelete=options.get("ondelete"),
        deferrable=options.get("deferrable"),
        initially=options.get("initially"),
        name=params["name"],
    )
    metadata = conn_table.metadata
    remote_key = tname
    pairs = list(zip(params["constrained_columns"], params["referred_columns"]))
    if remote_key not in metadata:
        sa_schema.Table(
            referred_table,
            metadata,
            *[sa_schema.Column(remote, conn_table.c[local].type) for local, remote in pairs],
            schema=referred_schema if referred_schema is not None else sa_schema.BLANK_SCHEMA,
            info={"alembic_placeholder": True},
        )
    elif metadata.tables[remote_key].info.get("alembic_placeholder"):
        placeholder = metadata.tables[remote_key]
        for local, remote in pairs:
            if remote not in placeholder.c:
                placeholder.append_column(sa_schema.Column(remote, conn_table.c[local].type))
    conn_table.append_constraint(const)
    return const


# --- indexes and unique constraints --------------------------------------


def compare_indexes_and_uniques(autogen_context, modify_ops, schema, tname, conn_table,
                                metadata_table):
    """Indexes and unique constraints added, removed or changed on one table."""
    inspector = autogen_context.inspector
    is_create_table = conn_table is None
    is_drop_table = metadata_table is None
    impl = autogen_context.migration_context.impl
    dialect = autogen_context.dialect

    if metadata_table is not None:
        metadata_unique_constraints = {
            uq for uq in metadata_table.constraints if isinstance(uq, sa_schema.UniqueConstraint)
        }
        metadata_indexes = set(metadata_table.indexes)
    else:
        metadata_unique_constraints = set()
        metadata_indexes = set()

    conn_uniques = frozenset()
    conn_indexes = frozenset()
    supports_unique_constraints = False
    uniques_duplicate_indexes = False

    if conn_table is not None:
        conn_uniques_reflected = frozenset()
        conn_indexes_reflected = frozenset()
        parent = {"table_name": tname, "schema_name": schema}
        try:
            conn_uniques_reflected = InspectorCache(inspector).get_unique_constraints(
                tname, schema=schema
            )
            supports_unique_constraints = True
        except (NotImplementedError, TypeError):
            pass
        else:
            conn_uniques_reflected = [
                uq for uq in conn_uniques_reflected
                if autogen_context.run_name_filters(uq["name"], "unique_constraint", parent)
            ]
            for uq in conn_uniques_reflected:
                if uq.get("duplicates_index"):
                    uniques_duplicate_indexes = True
        try:
            conn_indexes_reflected = InspectorCache(inspector).get_indexes(tname, schema=schema)
        except NotImplementedError:
            pass
        else:
            conn_indexes_reflected = [
                ix for ix in conn_indexes_reflected
                if autogen_context.run_name_filters(ix["name"], "index", parent)
            ]
        if is_drop_table:
            conn_uniques = set()  # dropped with the table
        else:
            conn_uniques = {
                _make_unique_constraint(impl, uq, conn_table) for uq in conn_uniques_reflected
            }
        conn_indexes = {
            ix for ix in (_make_index(impl, ix, conn_table) for ix in conn_indexes_reflected)
            if ix is not None
        }

    if uniques_duplicate_indexes:
        _correct_for_uq_duplicates_uix(
            conn_uniques, conn_indexes, metadata_unique_constraints, metadata_indexes,
            dialect, impl,
        )

    impl.correct_for_autogen_constraints(
        conn_uniques, conn_indexes, metadata_unique_constraints, metadata_indexes
    )

    metadata_uniques_sig = {
        impl._create_metadata_constraint_sig(uq) for uq in metadata_unique_constraints
    }
    metadata_indexes_sig = {impl._create_metadata_constraint_sig(ix) for ix in metadata_indexes}
    conn_uniques_sig = {impl._create_reflected_constraint_sig(uq) for uq in conn_uniques}
    conn_indexes_sig = {impl._create_reflected_constraint_sig(ix) for ix in conn_indexes}

    metadata_names = {
        c.md_name_to_sql_name(autogen_context): c
        for c in metadata_uniques_sig.union(metadata_indexes_sig)
        if c.is_named
    }
    conn_uniques_by_name = {c.name: c for c in conn_uniques_sig}
    conn_indexes_by_name = {c.name: c for c in conn_indexes_sig}
    conn_names = {
        c.name: c for c in conn_uniques_sig.union(conn_indexes_sig) if isinstance(c.name, str)
    }
    doubled_constraints = {
        name: (conn_uniques_by_name[name], conn_indexes_by_name[name])
        for name in set(conn_uniques_by_name).intersection(conn_indexes_by_name)
    }

    # unnamed unique constraints are matched by their columns
    conn_uniques_by_sig = {uq.unnamed: uq for uq in conn_uniques_sig}
    metadata_uniques_by_sig = {uq.unnamed: uq for uq in metadata_uniques_sig}
    unnamed_metadata_uniques = {
        uq.unnamed: uq for uq in metadata_uniques_sig if not is_named(uq.const, dialect)
    }

    def obj_added(obj):
        if obj.is_index:
            if autogen_context.run_object_filters(obj.const, obj.name, "index", False, None):
                modify_ops.ops.append(ops.CreateIndexOp.from_index(obj.const))
                log.info("Detected added index %r on '%s'", obj.name, obj.column_names)
        else:
            if not supports_unique_constraints:
                return
            if is_create_table or is_drop_table:
                return  # inline in CREATE TABLE
            if autogen_context.run_object_filters(
                obj.const, obj.name, "unique_constraint", False, None
            ):
                modify_ops.ops.append(ops.AddConstraintOp.from_constraint(obj.const))
                log.info(
                    "Detected added unique constraint %r on '%s'", obj.name, obj.column_names
                )

    def obj_removed(obj):
        if obj.is_index:
            if obj.is_unique and not supports_unique_constraints:
                # may be a unique constraint the dialect cannot tell apart
                return
            if autogen_context.run_object_filters(obj.const, obj.name, "index", True, None):
                modify_ops.ops.append(ops.DropIndexOp.from_index(obj.const))
                log.info("Detected removed index %r on %r", obj.name, tname)
        else:
            if is_create_table or is_drop_table:
                return
            if autogen_context.run_object_filters(
                obj.const, obj.name, "unique_constraint", True, None
            ):
                modify_ops.ops.append(ops.DropConstraintOp.from_constraint(obj.const))
                log.info("Detected removed unique constraint %r on %r", obj.name, tname)

    def obj_changed(old, new, msg):
        if old.is_index:
            if autogen_context.run_object_filters(new.const, new.name, "index", False, old.const):
                log.info("Detected changed index %r on %r: %s", old.name, tname, msg)
                modify_ops.ops.append(ops.DropIndexOp.from_index(old.const))
                modify_ops.ops.append(ops.CreateIndexOp.from_index(new.const))
        else:
            if autogen_context.run_object_filters(
                new.const, new.name, "unique_constraint", False, old.const
            ):
                log.info("Detected changed unique constraint %r on %r: %s", old.name, tname, msg)
                modify_ops.ops.append(ops.DropConstraintOp.from_constraint(old.const))
                modify_ops.ops.append(ops.AddConstraintOp.from_constraint(new.const))

    for removed_name in sorted(set(conn_names).difference(metadata_names)):
        conn_obj = conn_names[removed_name]
        if conn_obj.is_uq and conn_obj.unnamed in unnamed_metadata_uniques:
            continue
        if removed_name in doubled_constraints:
            conn_uq, conn_idx = doubled_constraints[removed_name]
            if (
                all(conn_idx.unnamed != meta_idx.unnamed for meta_idx in metadata_indexes_sig)
                and conn_uq.unnamed not in metadata_uniques_by_sig
            ):
                obj_removed(conn_uq)
                obj_removed(conn_idx)
        else:
            obj_removed(conn_obj)

    for existing_name in sorted(set(metadata_names).intersection(conn_names)):
        metadata_obj = metadata_names[existing_name]
        if existing_name in doubled_constraints:
            conn_uq, conn_idx = doubled_constraints[existing_name]
            conn_obj = conn_idx if metadata_obj.is_index else conn_uq
        else:
            conn_obj = conn_names[existing_name]
        if type(conn_obj) is not type(metadata_obj):
            obj_removed(conn_obj)
            obj_added(metadata_obj)
            continue
        comparison = metadata_obj.compare_to_reflected(conn_obj)
        if comparison.is_different:
            obj_changed(conn_obj, metadata_obj, comparison.message)
        elif comparison.is_skip:
            log.info(
                "Cannot compare %s %r, assuming equal and skipping. %s",
                "index" if conn_obj.is_index else "unique constraint",
                conn_obj.name,
                comparison.message,
            )

    for added_name in sorted(set(metadata_names).difference(conn_names)):
        obj_added(metadata_names[added_name])

    for uq_sig in unnamed_metadata_uniques:
        if uq_sig not in conn_uniques_by_sig:
            obj_added(unnamed_metadata_uniques[uq_sig])

    return CONTINUE


def _correct_for_uq_duplicates_uix(conn_unique_constraints, conn_indexes,
                                   metadata_unique_constraints, metadata_indexes, dialect, impl):
    """MySQL/Oracle report each unique index also as a unique constraint:
    keep whichever of the two the model declares."""
    metadata_cons_names = [
        (final_name(cons, dialect), cons) for cons in metadata_unique_constraints
    ]
    metadata_uq_names = {name for name, cons in metadata_cons_names if name is not None}
    unnamed_metadata_uqs = {
        impl._create_metadata_constraint_sig(cons).unnamed
        for name, cons in metadata_cons_names
        if name is None
    }
    metadata_ix_names = {final_name(cons, dialect) for cons in metadata_indexes if cons.unique}
    conn_ix_names = {cons.name: cons for cons in conn_indexes if cons.unique}
    uqs_dupe_indexes = {
        cons.name: cons for cons in conn_unique_constraints if cons.info["duplicates_index"]
    }
    for overlap in uqs_dupe_indexes:
        if overlap not in metadata_uq_names:
            if (
                impl._create_reflected_constraint_sig(uqs_dupe_indexes[overlap]).unnamed
                not in unnamed_metadata_uqs
            ):
                conn_unique_constraints.discard(uqs_dupe_indexes[overlap])
        elif overlap not in metadata_ix_names:
            conn_indexes.discard(conn_ix_names[overlap])


# --- foreign keys ---------------------------------------------------------


def compare_foreign_keys(autogen_context, modify_table_ops, schema, tname, conn_table,
                         metadata_table):
    """Foreign keys added or removed on an existing table (a changed one is
    both); new and dropped tables carry theirs inline."""
    if conn_table is None or metadata_table is None:
        return CONTINUE
    inspector = autogen_context.inspector
    metadata_fks = {
        fk for fk in metadata_table.constraints if isinstance(fk, sa_schema.ForeignKeyConstraint)
    }
    parent = {"table_name": tname, "schema_name": schema}
    conn_fks_list = [
        fk for fk in InspectorCache(inspector).get_foreign_keys(tname, schema=schema)
        if autogen_context.run_name_filters(fk["name"], "foreign_key_constraint", parent)
    ]
    conn_fks = {_make_foreign_key(const, conn_table) for const in conn_fks_list}
    impl = autogen_context.migration_context.impl
    impl.correct_for_autogen_foreignkeys(conn_fks, metadata_fks)

    metadata_fks_sig = {impl._create_metadata_constraint_sig(fk) for fk in metadata_fks}
    conn_fks_sig = {impl._create_reflected_constraint_sig(fk) for fk in conn_fks}

    # options count only when the backend reflects them
    if conn_fks_list and "options" in conn_fks_list[0]:
        conn_fks_by_sig = {c.unnamed: c for c in conn_fks_sig}
        metadata_fks_by_sig = {c.unnamed: c for c in metadata_fks_sig}
    else:
        conn_fks_by_sig = {c.unnamed_no_options: c for c in conn_fks_sig}
        metadata_fks_by_sig = {c.unnamed_no_options: c for c in metadata_fks_sig}
    metadata_fks_by_name = {c.name: c for c in metadata_fks_sig if c.name is not None}
    conn_fks_by_name = {c.name: c for c in conn_fks_sig if c.name is not None}

    def describe(obj):
        return (
            ", ".join(obj.source_columns),
            ", ".join(obj.target_columns),
            "%s." % obj.source_schema if obj.source_schema else "",
            obj.source_table,
        )

    for removed_sig in set(conn_fks_by_sig).difference(metadata_fks_by_sig):
        const = conn_fks_by_sig[removed_sig]
        compare_to = (
            metadata_fks_by_name[const.name].const
            if const.name and const.name in metadata_fks_by_name
            else None
        )
        if autogen_context.run_object_filters(
            const.const, const.name, "foreign_key_constraint", True, compare_to
        ):
            modify_table_ops.ops.append(ops.DropConstraintOp.from_constraint(const.const))
            log.info("Detected removed foreign key (%s)(%s) on table %s%s", *describe(const))

    for added_sig in set(metadata_fks_by_sig).difference(conn_fks_by_sig):
        const = metadata_fks_by_sig[added_sig]
        compare_to = (
            conn_fks_by_name[const.name].const
            if const.name and const.name in conn_fks_by_name
            else None
        )
        if autogen_context.run_object_filters(
            const.const, const.name, "foreign_key_constraint", False, compare_to
        ):
            modify_table_ops.ops.append(ops.CreateForeignKeyOp.from_constraint(const.const))
            log.info("Detected added foreign key (%s)(%s) on table %s%s", *describe(const))

    return CONTINUE


# --- nullability ------------------------------------------------------------


def compare_nullable(autogen_context, alter_column_op, schema, tname, cname, conn_col,
                     metadata_col):
    metadata_nullable = metadata_col.nullable
    conn_nullable = conn_col.nullable
    alter_column_op.existing_nullable = conn_nullable
    if conn_nullable is metadata_nullable:
        return CONTINUE
    defaults = (metadata_col.server_default, conn_col.server_default)
    computed = any(isinstance(d, sa_schema.Computed) for d in defaults)
    identity = any(isinstance(d, sa_schema.Identity) for d in defaults)
    if (
        computed and metadata_col._user_defined_nullable is sa_schema.NULL_UNSPECIFIED
    ) or identity:
        log.info("Ignoring nullable change on identity column '%s.%s'", tname, cname)
        return CONTINUE
    alter_column_op.modify_nullable = metadata_nullable
    log.info(
        "Detected %s on column '%s.%s'",
        "NULL" if metadata_nullable else "NOT NULL",
        tname,
        cname,
    )
    return STOP
