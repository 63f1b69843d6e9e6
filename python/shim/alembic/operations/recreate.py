"""Batch "move and copy": recreate a table with the batch's changes.

What Alembic's ``ApplyBatchImpl`` does, step for step, so that the same
statements come out in the same order:

1. take the table as it is (reflected from the connection, or the
   ``copy_from`` Table), copy its columns, and sort its constraints into
   named / unnamed / column-level ones and its indexes;
2. replay the recorded directives against those copies (``alter_column``
   edits a column copy in place, ``add_constraint`` adds to the constraint
   lists, ``create_index`` to the new indexes ...);
3. build ``_alembic_tmp_<name>`` from the result and send
   ``CREATE TABLE _alembic_tmp_<name>``, ``INSERT INTO _alembic_tmp_<name>
   (...) SELECT ... FROM <name>``, ``DROP TABLE <name>``, ``ALTER TABLE
   _alembic_tmp_<name> RENAME TO <name>``, then ``CREATE INDEX`` for the
   indexes, all through the dialect impl so that ``--sql`` and online runs
   print/execute the same text.
"""

import warnings

from sqlalchemy import CheckConstraint, Column, ForeignKeyConstraint, Index, JSON
from sqlalchemy import MetaData, PrimaryKeyConstraint, Table, cast, select
from sqlalchemy import schema as sa_schema
from sqlalchemy import types as sqltypes
from sqlalchemy.sql import visitors
from sqlalchemy.sql.base import _NoneName
from sqlalchemy.sql.naming import _NONE_NAME
from sqlalchemy.sql.schema import SchemaEventTarget
from sqlalchemy.util import OrderedDict, topological

from ..util.exc import CommandError
from ..util.sqla_compat import (  # one copy of each helper, where Alembic keeps it
    _columns_for_constraint as _constraint_columns,
    _conv_constraint_names as _mark_reflected_names_final,
    _fk_is_self_referential as _fk_points_at_own_table,
    _fk_target_tokens as _fk_tokens,
    _get_table_key as _table_key,
    _is_type_bound as _type_bound,
    _name_type_bound_constraints as _apply_source_convention,
    _remove_column_from_collection as _drop_from_column_collection,
    _resolve_for_variant as _resolve_variant,
)


# -- small helpers over SQLAlchemy internals (2.0 and 2.1 spell them apart) --


def _warn(msg):
    warnings.warn(msg, UserWarning, stacklevel=2)


def _name_is_defined(name):
    return name is _NONE_NAME or isinstance(name, (str, _NoneName))


def _name_is_string(name):
    return isinstance(name, str)


def _disable_type_events(type_):
    """A Boolean/Enum type stops producing its CHECK on new tables."""
    type_._create_events = type_.create_constraint = False


def _rebind_expression(expression, target_table):
    """``expression`` with its columns taken from ``target_table`` (by name);
    a column the table lacks is copied onto it."""

    def replace(col):
        if isinstance(col, Column) and col.table is not None and col.table is not target_table:
            if col.name in target_table.c:
                return target_table.c[col.name]
            copied = col._copy()
            target_table.append_column(copied)
            return copied
        return None

    return visitors.replacement_traverse(expression, {}, replace)


# -- per-dialect hooks Alembic keeps on its impl classes ----------------------


def _reflect_listener(impl):
    """Alembic's ``impl.autogen_column_reflect`` for the ``column_reflect``
    event of the reflected table (SQLite: parenthesise expression defaults;
    PostgreSQL: drop a SERIAL's sequence default)."""
    return impl.autogen_column_reflect


def _cast_for_batch(impl, existing, transfer, new_type):
    hook = getattr(impl, "cast_for_batch_migrate", None)
    if hook is not None:
        return hook(existing, transfer, new_type)
    if existing.type._type_affinity is new_type._type_affinity:
        return
    if impl.dialect.name == "sqlite" and isinstance(new_type, JSON):
        return
    transfer["expr"] = cast(transfer["expr"], new_type)


def _prep_table(impl, batch_table, table):
    hook = getattr(impl, "prep_table_for_batch", None)
    if hook is not None:
        return hook(batch_table, table)
    if impl.dialect.name == "postgresql":
        # the new table reuses the constraint names: drop them first
        for const in table.constraints:
            if const.name is not None and const.name in batch_table.named_constraints:
                impl.drop_constraint(const)


# -- reflecting the table ----------------------------------------------------------
#
# Alembic reflects the table with SQLAlchemy's default ``resolve_fks=True``:
# every table it refers to, and every table those refer to, is reflected
# too. What the recreate emits depends on those tables in three ways only:
# a foreign key column declared without a type takes the referred column's
# type; a referred table that does not exist makes the reflection fail
# (``NoSuchTableError``); and reflecting them may warn (an expression-based
# index, say). On SQLite, when none of the three applies, the referred
# tables are left unreflected: on a large schema they were most of a batch
# migration's time. (The reflection queries sent differ, so SQLAlchemy's
# engine log shows fewer of them; the DDL and its order do not.)


def _reflect_table(batch):
    """The table as Alembic's reflection would give it."""
    bind = batch.operations.get_bind()
    if _referents_may_matter(batch, bind):
        return _reflect(batch, bind)
    table = _reflect(batch, bind, resolve_fks=False)
    if any(fk.parent.type._isnull for fk in table.foreign_keys):
        return _reflect(batch, bind)
    if not _referents_exist_and_quiet(batch, bind, batch.table_name):
        return _reflect(batch, bind)
    return table


def _reflect(batch, bind, **kw):
    return Table(
        batch.table_name,
        MetaData(),
        *batch.reflect_args,
        schema=batch.schema,
        autoload_with=bind,
        **batch.reflect_kwargs,
        **kw,
    )


def _referents_may_matter(batch, bind):
    """Cases left to SQLAlchemy as they are: other dialects, a schema,
    the user's reflection arguments (their listeners see every table),
    temporary tables (which shadow main ones)."""
    if bind.dialect.name != "sqlite" or batch.schema is not None or not batch.reflect_defaults:
        return True
    return bool(_driver_rows(bind, "SELECT 1 FROM sqlite_temp_master LIMIT 1"))


# The tables ``name`` refers to, directly or not (rows with the name only),
# then their schema rows (the table's and its indexes'), whose text is all
# SQLite reflects from.
_REFERENTS = """
WITH RECURSIVE refs(name) AS (
    SELECT ?
    UNION
    SELECT fk."table" FROM refs, pragma_foreign_key_list(refs.name) AS fk
)
SELECT name, NULL, NULL, NULL FROM refs
UNION ALL
SELECT tbl_name, type, name, sql FROM sqlite_master WHERE tbl_name IN refs
"""

# (name, schema rows) of a referred table -> whether reflecting it is free
# of warnings; per process, as Python shows a warning once per process
_quiet_referents = {}


def _referents_exist_and_quiet(batch, bind, name):
    """Every table ``name`` refers to exists under that exact name (as
    SQLAlchemy looks it up) and reflects without a warning."""
    rows_by_table = {}
    for ref, type_, obj_name, sql in _driver_rows(bind, _REFERENTS, (name,)):
        rows = rows_by_table.setdefault(ref, [])
        if type_ is not None:
            rows.append((type_, obj_name, sql))
    for ref, rows in rows_by_table.items():
        if ref == name:
            continue
        if ("table", ref) not in {(type_, obj_name) for type_, obj_name, _ in rows}:
            return False
        key = (ref, tuple(sorted(rows)))
        quiet = _quiet_referents.get(key)
        if quiet is None:
            quiet = _quiet_referents[key] = _reflects_quietly(batch, bind, ref)
        if not quiet:
            return False
    return True


def _reflects_quietly(batch, bind, name):
    """Reflect ``name`` alone, holding back SQLAlchemy's warnings: whether
    there were any. (Where there are, the whole reflection runs again as
    Alembic's does, and they come out from there.)"""
    from sqlalchemy.util import langhelpers

    emit = getattr(langhelpers, "_warnings_warn", None)
    if emit is None:
        return False
    held = []
    langhelpers._warnings_warn = lambda *args, **kw: held.append(args)
    try:
        Table(name, MetaData(), autoload_with=bind, resolve_fks=False, **batch.reflect_kwargs)
    except Exception:
        return False
    finally:
        langhelpers._warnings_warn = emit
    return not held


def _driver_rows(bind, sql, params=()):
    """Rows of a lookup of our own, straight on the DB-API connection."""
    cursor = bind.connection.dbapi_connection.cursor()
    try:
        cursor.execute(sql, params)
        return cursor.fetchall()
    finally:
        cursor.close()


# -- entry point ----------------------------------------------------------------


def recreate_table(batch):
    """Move and copy ``batch.table_name`` with the directives in ``batch.batch``.

    ``batch`` is the recorder (``BatchOperationsImpl``); its entries are
    ``(impl method name, args, kw)`` as Alembic records them.
    """
    context = batch.operations.migration_context
    if batch.copy_from is not None:
        existing = batch.copy_from
        reflected = False
    else:
        if context.as_sql:
            raise CommandError(
                f"This operation cannot proceed in --sql mode; "
                f"batch mode with dialect {context.dialect.name} "
                f"requires a live database connection with which "
                f'to reflect the table "{batch.table_name}". '
                f"To generate a batch SQL migration script using "
                "table "
                '"move and copy", a complete Table object '
                f'should be passed to the "copy_from" argument '
                "of the batch_alter_table() method so that table "
                "reflection can be skipped."
            )
        existing = _reflect_table(batch)
        reflected = True
        if batch.naming_convention:
            _mark_reflected_names_final(existing)
            existing = existing.to_metadata(MetaData(naming_convention=batch.naming_convention))

    table_copy = ApplyBatchImpl(
        batch.impl,
        existing,
        batch.table_args,
        batch.table_kwargs,
        reflected,
        partial_reordering=batch.partial_reordering,
    )
    for opname, args, kw in batch.batch:
        getattr(table_copy, opname)(*args, **kw)
    table_copy._create(batch.impl)


class ApplyBatchImpl:
    """The table being rebuilt (Alembic's ``ApplyBatchImpl``)."""

    def __init__(self, impl, table, table_args, table_kwargs, reflected, partial_reordering=()):
        self.impl = impl
        self.table = table
        self.table_args = table_args
        self.table_kwargs = table_kwargs
        self.temp_table_name = ("_alembic_tmp_%s" % table.name)[0:50]
        self.new_table = None
        self.partial_reordering = partial_reordering
        # (before, after) column name pairs asked for by add_column
        self.add_col_ordering = ()
        # new column key -> {"expr": what to SELECT, "name": new name}
        self.column_transfers = OrderedDict((c.name, {"expr": c}) for c in table.c)
        self.existing_ordering = list(self.column_transfers)
        self.reflected = reflected
        self._collect_elements()

    def _collect_elements(self):
        table = self.table
        schema = table.schema
        self.columns = OrderedDict()
        for c in table.c:
            c_copy = c._copy(schema=schema)
            c_copy.unique = c_copy.index = False
            self.columns[c.name] = c_copy
        self.named_constraints = {}
        self.unnamed_constraints = []
        self.col_named_constraints = {}
        self.indexes = {}
        self.new_indexes = {}

        # an unnamed reflected CHECK can't be tied to a column or type: it is
        # left out (with a warning) unless table_args restates CHECKs
        checks_restated = any(isinstance(arg, CheckConstraint) for arg in self.table_args)

        for const in table.constraints:
            if _type_bound(const):
                continue
            if self.reflected and isinstance(const, CheckConstraint) and not const.name:
                if not checks_restated:
                    _warn(
                        f"Unnamed CHECK constraint on reflected table "
                        f"'{table.name}' is being omitted from the "
                        f"table recreate; pass the constraint explicitly "
                        f"using batch_alter_table.table_args.  Naming CHECK "
                        f"constraints avoids this going forward."
                    )
            elif _name_is_string(const.name):
                self.named_constraints[const.name] = const
            else:
                self.unnamed_constraints.append(const)

        if not self.reflected:
            for col in table.c:
                for const in col.constraints:
                    if const.name:
                        self.col_named_constraints[const.name] = (col, const)

        for idx in table.indexes:
            self.indexes[idx.name] = idx

        for k in table.kwargs:
            self.table_kwargs.setdefault(k, table.kwargs[k])

    # -- column order ----------------------------------------------------------

    def _reorder_columns(self):
        names = list(self.columns)
        pairs = set()
        if self.partial_reordering:
            for group in self.partial_reordering:
                for i in range(1, len(group)):
                    pairs.add((group[i - 1], group[i]))
        else:
            for i in range(1, len(self.existing_ordering)):
                pairs.add((names[i - 1], self.existing_ordering[i]))
        pairs.update(self.add_col_ordering)
        ordered = list(
            topological.sort([p for p in pairs if p[0] != p[1]], names, deterministic_order=True)
        )
        self.columns = OrderedDict((k, self.columns[k]) for k in ordered)
        self.column_transfers = OrderedDict((k, self.column_transfers[k]) for k in ordered)

    def _order_for_new_column(self, colname, insert_before, insert_after):
        existing = self.existing_ordering
        position = {name: i for i, name in enumerate(existing)}

        if not self.partial_reordering:
            if insert_after and not insert_before:
                if insert_after in position:
                    nxt = position[insert_after] + 1
                    if nxt < len(existing):
                        insert_before = existing[nxt]
                else:
                    # after a column that is new as well
                    insert_before = dict(self.add_col_ordering)[insert_after]
            if insert_before and not insert_after:
                if insert_before in position:
                    prev = position[insert_before] - 1
                    if prev >= 0:
                        insert_after = existing[prev]
                else:
                    insert_after = {b: a for a, b in self.add_col_ordering}[insert_before]

        if insert_before:
            self.add_col_ordering += ((colname, insert_before),)
        if insert_after:
            self.add_col_ordering += ((insert_after, colname),)
        if not self.partial_reordering and not insert_before and not insert_after and position:
            self.add_col_ordering += ((existing[-1], colname),)

    # -- building the new table --------------------------------------------------

    def _build_new_table(self):
        assert self.new_table is None, "Can only create new table once"
        m = MetaData()
        schema = self.table.schema
        if self.partial_reordering or self.add_col_ordering:
            self._reorder_columns()

        self.new_table = new_table = Table(
            self.temp_table_name,
            m,
            *(list(self.columns.values()) + list(self.table_args)),
            schema=schema,
            **self.table_kwargs,
        )
        _apply_source_convention(new_table, self.table)

        for const in list(self.named_constraints.values()) + self.unnamed_constraints:
            keys = {c.key for c in _constraint_columns(const)}
            if not keys.issubset(self.column_transfers):
                continue
            if isinstance(const, ForeignKeyConstraint):
                if _fk_points_at_own_table(const):
                    # keep referring to the real name, which the new table
                    # takes once renamed
                    const_copy = const._copy(schema=schema, target_table=self.table)
                else:
                    const_copy = const._copy(schema=schema)
                self._add_referent(m, const)
            else:
                const_copy = const._copy(schema=schema, target_table=new_table)
            new_table.append_constraint(const_copy)

    def _add_referent(self, metadata, const):
        """A placeholder Table for the referred table, so the FK compiles."""
        ref_schema, tname, _ = _fk_tokens(const.elements[0])
        if tname == self.temp_table_name:
            return
        key = _table_key(tname, ref_schema)
        colnames = [name for name in (_fk_tokens(e)[2] for e in const.elements) if name is not None]
        if key in metadata.tables:
            t = metadata.tables[key]
            for name in colnames:
                if name not in t.c:
                    t.append_column(Column(name, sqltypes.NULLTYPE))
        else:
            Table(
                tname,
                metadata,
                *[Column(name, sqltypes.NULLTYPE) for name in colnames],
                schema=ref_schema,
            )

    def _indexes_for_new_table(self):
        new_table = self.new_table
        out = []
        for idx in self.indexes.values():
            if idx._column_flag:
                continue
            out.append(
                Index(
                    idx.name,
                    unique=idx.unique,
                    *[_rebind_expression(expr, new_table) for expr in idx.expressions],
                    _table=new_table,
                    **idx.kwargs,
                )
            )
        for idx in self.new_indexes.values():
            out.append(
                Index(
                    idx.name,
                    unique=idx.unique,
                    *[new_table.c[col] for col in idx.columns.keys()],
                    **idx.kwargs,
                )
            )
        return out

    def _create(self, impl):
        self._build_new_table()
        _prep_table(impl, self, self.table)
        new_table = self.new_table
        impl.create_table(new_table)
        try:
            moved = [(k, t) for k, t in self.column_transfers.items() if "expr" in t]
            impl._exec(
                new_table.insert()
                .inline()
                .from_select([k for k, _ in moved], select(*[t["expr"] for _, t in moved]))
            )
            impl.drop_table(self.table)
        except:  # noqa: E722 -- any failure: take the new table away again
            impl.drop_table(new_table)
            raise
        else:
            impl.rename_table(self.temp_table_name, self.table.name, schema=self.table.schema)
            new_table.name = self.table.name
            try:
                for idx in self._indexes_for_new_table():
                    impl.create_index(idx)
            finally:
                new_table.name = self.temp_table_name

    # -- the recorded directives ---------------------------------------------------

    def alter_column(
        self,
        table_name,
        column_name,
        nullable=None,
        server_default=False,
        name=None,
        type_=None,
        autoincrement=None,
        comment=False,
        **kw,
    ):
        existing = self.columns[column_name]
        transfer = self.column_transfers[column_name]
        if name is not None and name != column_name:
            # the key stays the old name; only the rendered name changes
            existing.name = name
            transfer["name"] = name
            existing_type = kw.get("existing_type", None)
            if existing_type:
                resolved = _resolve_variant(existing_type, self.impl.dialect)
                # the Boolean/Enum CHECK named after the type goes with it
                if isinstance(resolved, SchemaEventTarget) and resolved.name:
                    self.named_constraints.pop(resolved.name, None)

        if type_ is not None:
            type_ = sqltypes.to_instance(type_)
            # the old type's CHECK is not carried over; the new type's CHECK
            # arrives as its own add_constraint
            if isinstance(existing.type, SchemaEventTarget):
                _disable_type_events(existing.type)
            _cast_for_batch(self.impl, existing, transfer, type_)
            existing.type = type_

        if nullable is not None:
            existing.nullable = nullable
        if server_default is not False:
            if server_default is None:
                existing.server_default = None
            else:
                sa_schema.DefaultClause(server_default)._set_parent(existing)
        if autoincrement is not None:
            existing.autoincrement = bool(autoincrement)
        if comment is not False:
            existing.comment = comment

    def add_column(self, table_name, column, insert_before=None, insert_after=None, **kw):
        self._order_for_new_column(column.name, insert_before, insert_after)
        col_copy = column._copy(schema=self.table.schema)
        # the CHECK of a Boolean/Enum came separately, as add_constraint
        if isinstance(col_copy.type, SchemaEventTarget):
            _disable_type_events(col_copy.type)
        self.columns[column.name] = col_copy
        self.column_transfers[column.name] = {}

    def drop_column(self, table_name, column, **kw):
        if column.name in self.table.primary_key.columns:
            _drop_from_column_collection(self.table.primary_key.columns, column)
        del self.columns[column.name]
        del self.column_transfers[column.name]
        self.existing_ordering.remove(column.name)
        existing_type = kw.get("existing_type")
        if "existing_type" in kw and isinstance(existing_type, SchemaEventTarget) and existing_type.name:
            self.named_constraints.pop(existing_type.name, None)

    def create_column_comment(self, column):
        """Already part of the column copy, hence of CREATE TABLE."""

    def create_table_comment(self, table):
        """Nothing to do: Alembic does not carry it onto the new table."""

    def drop_table_comment(self, table):
        """Nothing to do, as for create_table_comment."""

    def add_constraint(self, const):
        if not _name_is_defined(const.name):
            raise ValueError("Constraint must have a name")
        if isinstance(const, PrimaryKeyConstraint):
            if self.table.primary_key in self.unnamed_constraints:
                self.unnamed_constraints.remove(self.table.primary_key)
        if _name_is_string(const.name):
            self.named_constraints[const.name] = const
        else:
            self.unnamed_constraints.append(const)

    def drop_constraint(self, const):
        if not const.name:
            raise ValueError("Constraint must have a name")
        try:
            if const.name in self.col_named_constraints:
                col, const = self.col_named_constraints.pop(const.name)
                for col_const in list(self.columns[col.name].constraints):
                    if col_const.name == const.name:
                        self.columns[col.name].constraints.remove(col_const)
            elif _name_is_string(const.name):
                const = self.named_constraints.pop(const.name)
            elif const in self.unnamed_constraints:
                self.unnamed_constraints.remove(const)
        except KeyError:
            if _type_bound(const):
                # comes with alter_column of a Boolean/Enum; the type's
                # CHECK follows the type in any case
                return
            raise ValueError("No such constraint: '%s'" % const.name)
        else:
            if isinstance(const, PrimaryKeyConstraint):
                for col in const.columns:
                    self.columns[col.name].primary_key = False

    def create_index(self, idx):
        self.new_indexes[idx.name] = idx

    def drop_index(self, idx):
        try:
            del self.indexes[idx.name]
        except KeyError:
            raise ValueError("No such index: '%s'" % idx.name)

    def rename_table(self, *arg, **kw):
        raise NotImplementedError("TODO")
