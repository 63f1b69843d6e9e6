"""``alembic.operations.schemaobj``: ``SchemaObjects``, the factory of the
placeholder tables, constraints and indexes that the directives hand to the
dialect implementation (and that revisions use for data migrations)."""

from sqlalchemy import Column, ForeignKeyConstraint, Index, Integer, MetaData, Table
from sqlalchemy import schema as sa_schema
from sqlalchemy.types import NULLTYPE

from ..util.sqla_compat import _copy


class SchemaObjects:
    """Builds the SQLAlchemy objects a directive works on: a throwaway
    ``Table`` (with the target MetaData's naming convention) to hang a
    constraint or index on. Revisions use it directly to get a ``Table``
    for a data migration (``SchemaObjects(op.get_context()).table(...)``).
    """

    def __init__(self, migration_context):
        self.migration_context = migration_context

    def metadata(self):
        """A new MetaData, with the naming convention of the target
        metadata, if any."""
        kw = {}
        mc = self.migration_context
        if mc is not None and "target_metadata" in mc.opts:
            mt = mc.opts["target_metadata"]
            if hasattr(mt, "naming_convention"):
                kw["naming_convention"] = mt.naming_convention
        return MetaData(**kw)

    def table(self, name, *columns, **kw):
        m = self.metadata()
        cols = [
            _copy(c) if c.table is not None else c for c in columns if isinstance(c, Column)
        ]
        if kw.pop("_constraints_included", False):
            for c in cols:
                c.unique = c.index = False
        t = Table(name, m, *cols, **kw)
        for elem in columns:
            if isinstance(elem, (sa_schema.Constraint, Index)):
                parent = getattr(elem, "parent", None)
                if parent is not None and parent is not t:
                    elem = _copy(elem, target_table=t)
                t.append_constraint(elem)
        for f in t.foreign_keys:
            self._ensure_table_for_fk(m, f)
        return t

    def _ensure_table_for_fk(self, metadata, fk):
        if isinstance(fk._colspec, str):
            table_key, cname = fk._colspec.rsplit(".", 1)
            if "." in table_key:
                sname, tname = table_key.split(".", 1)
            else:
                sname, tname = None, table_key
            if table_key not in metadata.tables:
                rel_t = Table(tname, metadata, schema=sname)
            else:
                rel_t = metadata.tables[table_key]
            if cname not in rel_t.c:
                rel_t.append_column(Column(cname, NULLTYPE))

    def _placeholder(self, table_name, cols, schema):
        return Table(
            table_name,
            self.metadata(),
            *[Column(n, NULLTYPE) for n in cols],
            schema=schema,
        )

    def index(self, name, tablename, columns, schema=None, **kw):
        """An Index on a placeholder table: names become untyped columns of
        it, ``text()`` a textual element, and the columns of another table's
        expressions are copied onto it."""
        from .ops import _textual_index_column

        t = Table(tablename or "no_table", self.metadata(), schema=schema)
        kw["_table"] = t
        return Index(name, *[_textual_index_column(t, c) for c in columns], **kw)

    def foreign_key_constraint(
        self, name, source, referent, local_cols, remote_cols, onupdate=None,
        ondelete=None, deferrable=None, source_schema=None, referent_schema=None,
        initially=None, match=None, **dialect_kw
    ):
        m = self.metadata()
        if source == referent and source_schema == referent_schema:
            t1_cols = local_cols + remote_cols
        else:
            t1_cols = local_cols
            Table(referent, m, *[Column(n, NULLTYPE) for n in remote_cols], schema=referent_schema)
        seen = []
        for c in t1_cols:
            if c not in seen:
                seen.append(c)
        t1 = Table(source, m, *[Column(n, NULLTYPE) for n in seen], schema=source_schema)
        tname = "%s.%s" % (referent_schema, referent) if referent_schema else referent
        dialect_kw["match"] = match
        f = ForeignKeyConstraint(
            local_cols,
            ["%s.%s" % (tname, n) for n in remote_cols],
            name=name, onupdate=onupdate, ondelete=ondelete, deferrable=deferrable,
            initially=initially, **dialect_kw
        )
        t1.append_constraint(f)
        return f

    def unique_constraint(self, name, source, local_cols, schema=None, **kw):
        t = self._placeholder(source, local_cols, schema)
        kw["name"] = name
        uq = sa_schema.UniqueConstraint(*[t.c[n] for n in local_cols], **kw)
        t.append_constraint(uq)
        return uq

    def primary_key_constraint(self, name, table_name, cols, schema=None, **dialect_kw):
        t = self._placeholder(table_name, cols, schema)
        p = sa_schema.PrimaryKeyConstraint(*[t.c[n] for n in cols], name=name, **dialect_kw)
        return p

    def check_constraint(self, name, source, condition, schema=None, **kw):
        t = Table(source, self.metadata(), Column("x", Integer), schema=schema)
        ck = sa_schema.CheckConstraint(condition, name=name, **kw)
        t.append_constraint(ck)
        return ck

    def generic_constraint(self, name, table_name, type_, schema=None, **kw):
        # A table with no columns, as Alembic's: it shows in the repr an
        # error message gives (aim's `drop_constraint(None, ...)`).
        t = Table(table_name, self.metadata(), schema=schema)
        types = {
            "foreignkey": lambda name: ForeignKeyConstraint([], [], name=name),
            "primary": sa_schema.PrimaryKeyConstraint,
            "unique": sa_schema.UniqueConstraint,
            "check": lambda name: sa_schema.CheckConstraint("", name=name),
            None: sa_schema.Constraint,
        }
        try:
            const = types[type_]
        except KeyError as ke:
            raise TypeError(
                "'type' can be one of %s" % ", ".join(sorted(repr(x) for x in types))
            ) from ke
        const = const(name=name)
        t.append_constraint(const)
        return const

    def column(self, name, type_, **kw):
        return Column(name, type_, **kw)
