"""``alembic.ddl.postgresql``: ``PostgresqlImpl`` and the PostgreSQL-only
directive ``create_exclude_constraint`` (on ``op`` and ``batch_op``), an op
object run through ``invoke`` like the built-in ones.

SQLAlchemy's PostgreSQL dialect is imported here eagerly, as Alembic's
module does, although SQLite and MySQL projects never use it (~19 ms, ~1 MB):
the import has effects migrations can see. ``sa.dialects.postgresql``
resolves only once it ran, and its ``GenericFunction`` subclasses
(``to_tsvector``, ``to_tsquery``, ...) replace plain functions in
``sa.func`` for every dialect."""

import logging
import re
import warnings

from sqlalchemy import Column, text
from sqlalchemy import schema as sa_schema
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy import types as sqltypes
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.types import NULLTYPE

from ._autogen import ComparisonResult
from .impl import DefaultImpl


class PostgresqlImpl(DefaultImpl):
    __dialect__ = "postgresql"
    transactional_ddl = True

    def _dialect_key(self):
        # PostgreSQL's statements and order for every dialect whose impl is
        # this class or a subclass (cockroachdb, timescaledb, kingbase...),
        # as Alembic's PostgresqlImpl.alter_column gives them
        return "postgresql"

    def create_index(self, index, **kw):
        # `postgresql_include` may name columns the lightweight table of
        # op.create_index() does not have; SQLAlchemy's compiler looks
        # them up there, so they are added as untyped columns first.
        from sqlalchemy import types as sqltypes

        for col in index.kwargs.get("postgresql_include", None) or ():
            if col not in index.table.c:
                index.table.append_column(Column(col, sqltypes.NullType))
        self._exec(sa_schema.CreateIndex(index, **kw))


    # -- autogenerate (Alembic's PostgresqlImpl comparison hooks) -------

    type_synonyms = DefaultImpl.type_synonyms + ({"FLOAT", "DOUBLE PRECISION"},)

    def compare_server_default(self, inspector_column, metadata_column,
                               rendered_metadata_default, rendered_inspector_default):
        """Textually different defaults are evaluated on the server and
        compared there, as Alembic does (``'5'`` and ``5`` are equal)."""
        from sqlalchemy import Float, Numeric, literal_column, select

        if (
            metadata_column.primary_key
            and metadata_column is metadata_column.table._autoincrement_column
        ):
            return False  # SERIAL
        conn_default = rendered_inspector_default
        if conn_default and re.match(r"nextval\('(.+?)'::regclass\)", conn_default):
            conn_default = conn_default.replace("::regclass", "")
        if conn_default == rendered_metadata_default:
            return False
        if None in (conn_default, rendered_metadata_default, metadata_column.server_default):
            return True
        metadata_default = metadata_column.server_default.arg
        if isinstance(metadata_default, str):
            if not isinstance(inspector_column.type, (Numeric, Float)):
                metadata_default = re.sub(r"^'|'$", "", metadata_default)
                metadata_default = f"'{metadata_default}'"
            metadata_default = literal_column(metadata_default)
        return not self.connection.scalar(
            select(literal_column(conn_default) == metadata_default)
        )

    def autogen_column_reflect(self, inspector, table, column_info):
        """An integer column defaulting to its own sequence is a SERIAL:
        its default is dropped (and logged) as Alembic does."""
        from sqlalchemy import BIGINT, INTEGER

        if not column_info.get("default") or not isinstance(
            column_info["type"], (INTEGER, BIGINT)
        ):
            return
        seq_match = re.match(r"nextval\('(.+?)'::regclass\)", column_info["default"])
        if not seq_match:
            return
        with inspector._operation_context() as conn:
            info = conn.execute(
                text(
                    "select c.relname, a.attname "
                    "from pg_class as c join "
                    "pg_depend d on d.objid=c.oid and "
                    "d.classid='pg_class'::regclass and "
                    "d.refclassid='pg_class'::regclass "
                    "join pg_class t on t.oid=d.refobjid "
                    "join pg_attribute a on a.attrelid=t.oid and "
                    "a.attnum=d.refobjsubid "
                    "where c.relkind='S' and "
                    "c.oid=cast(:seqname as regclass)"
                ),
                {"seqname": seq_match.group(1)},
            ).first()
        if info:
            seqname, colname = info
            if colname == column_info["name"]:
                logging.getLogger("alembic.ddl.postgresql").info(
                    "Detected sequence named '%s' as owned by integer column "
                    "'%s(%s)', assuming SERIAL and omitting",
                    seqname, table.name, colname,
                )
                del column_info["default"]

    def correct_for_autogen_constraints(self, conn_uniques, conn_indexes,
                                        metadata_unique_constraints, metadata_indexes):
        # the unique index behind each unique constraint is the constraint
        for ix in {ix for ix in conn_indexes if ix.info.get("duplicates_constraint")}:
            conn_indexes.remove(ix)

    # Modifiers PostgreSQL leaves out when it reports an index expression
    # (the defaults), to strip from the compiled metadata side; the order
    # matters ("asc nulls last" before "nulls last").
    _default_modifiers_re = (
        re.compile("( asc nulls last)$"),
        re.compile("(?<! desc)( nulls last)$"),
        re.compile("( asc)$"),
        re.compile("( asc) nulls first$"),
        re.compile(" desc( nulls first)$"),
    )
    _type_name_re = r"""
        (?:"[^"]+"|\w+)(?:\.(?:"[^"]+"|\w+))?
        (?:\s+(?:varying|precision))?
        (?:\s*\(\s*\d+(?:\s*,\s*\d+)?\s*\))?
        (?:\s+with(?:out)?\s+time\s+zone)?
        (?:\s*\[\s*\d*\s*\])*
        """
    _cast_re = re.compile(r"::\s*" + _type_name_re, re.I | re.X)
    _cast_fn_re = re.compile(r"\bcast\s*\((.*?)\s+as\s+" + _type_name_re + r"\s*\)", re.I | re.X)

    def _cleanup_index_expr(self, index, expr):
        expr = expr.lower().replace('"', "").replace("'", "")
        if index.table is not None:
            expr = expr.replace(f"{index.table.name.lower()}.", "")
        expr = self._cast_re.sub("", expr)
        while expr and expr[0] == "(" and expr[-1] == ")":
            expr = expr[1:-1]
        for rs in self._default_modifiers_re:
            match = rs.search(expr)
            if match:
                start, end = match.span(1)
                expr = expr[:start] + expr[end:]
                break
        while expr and expr[0] == "(" and expr[-1] == ")":
            expr = expr[1:-1]
        n = 1
        while n:
            expr, n = self._cast_fn_re.subn(r"\1", expr)
        return expr.replace(" ", "")

    def _normalize_computed_default(self, sqltext):
        return super()._normalize_computed_default(self._cast_re.sub("", sqltext))

    def _dialect_options(self, item):
        # reflection reports only the positive case
        if item.dialect_kwargs.get("postgresql_nulls_not_distinct"):
            return ("nulls_not_distinct",)
        return ()

    def compare_indexes(self, metadata_index, reflected_index):

        msg = []
        unique_msg = self._compare_index_unique(metadata_index, reflected_index)
        if unique_msg:
            msg.append(unique_msg)
        m_exprs = metadata_index.expressions
        r_exprs = reflected_index.expressions
        if len(m_exprs) != len(r_exprs):
            msg.append(f"expression number {len(r_exprs)} to {len(m_exprs)}")
        if msg:
            return ComparisonResult.Different(msg)
        skip = []
        for pos, (m_e, r_e) in enumerate(zip(m_exprs, r_exprs), 1):
            m_compile = self._compile_element(m_e)
            m_text = self._cleanup_index_expr(metadata_index, m_compile)
            r_compile = self._compile_element(r_e)
            r_text = self._cleanup_index_expr(metadata_index, r_compile)
            if m_text == r_text:
                continue
            if m_compile.strip().endswith("_ops") and (" " in m_compile or ")" in m_compile):
                skip.append(
                    f"expression #{pos} {m_compile!r} detected as including operator clause."
                )
                warnings.warn(
                    f"Expression #{pos} {m_compile!r} in index "
                    f"{reflected_index.name!r} detected to include "
                    "an operator clause. Expression compare cannot proceed. "
                    "Please move the operator clause to the "
                    "``postgresql_ops`` dict to enable proper compare "
                    "of the index expressions: "
                    "https://docs.sqlalchemy.org/en/latest/dialects/postgresql.html#operator-classes",
                    stacklevel=2,
                )
            else:
                msg.append(f"expression #{pos} {r_compile!r} to {m_compile!r}")
        m_options = self._dialect_options(metadata_index)
        r_options = self._dialect_options(reflected_index)
        if m_options != r_options:
            # extends with the characters of the message, as Alembic does
            msg.extend(f"options {r_options} to {m_options}")
        if msg:
            return ComparisonResult.Different(msg)
        if skip:
            return ComparisonResult.Skip(skip)
        return ComparisonResult.Equal()

    def compare_unique_constraint(self, metadata_constraint, reflected_constraint):

        metadata_sig = self._create_metadata_constraint_sig(metadata_constraint)
        reflected_sig = self._create_reflected_constraint_sig(reflected_constraint)
        if reflected_sig.unnamed != metadata_sig.unnamed:
            return ComparisonResult.Different(
                f"expression {reflected_sig.unnamed} to {metadata_sig.unnamed}"
            )
        metadata_do = self._dialect_options(metadata_sig.const)
        conn_do = self._dialect_options(reflected_sig.const)
        if metadata_do != conn_do:
            return ComparisonResult.Different(f"expression {conn_do} to {metadata_do}")
        return ComparisonResult.Equal()

    def adjust_reflected_dialect_options(self, reflected_object, kind):
        options = reflected_object.get("dialect_options", {}).copy()
        if not options.get("postgresql_include"):
            options.pop("postgresql_include", None)
        return options

    def _compile_element(self, element):
        if isinstance(element, str):
            return element
        return element.compile(
            dialect=self.dialect,
            compile_kwargs={"literal_binds": True, "include_table": False},
        ).string


from ..operations import BatchOperations, Operations
from ..operations import ops


@Operations.register_operation("create_exclude_constraint")
@BatchOperations.register_operation(
    "create_exclude_constraint", "batch_create_exclude_constraint"
)
@ops.AddConstraintOp.register_add_constraint("exclude_constraint")
class CreateExcludeConstraintOp(ops.AddConstraintOp):
    """Create an EXCLUDE constraint."""

    constraint_type = "exclude"

    def __init__(self, constraint_name, table_name, elements, where=None, schema=None,
                 _orig_constraint=None, **kw):
        self.constraint_name = constraint_name
        self.table_name = table_name
        self.elements = elements
        self.where = where
        self.schema = schema
        self._orig_constraint = _orig_constraint
        self.kw = kw

    @classmethod
    def from_constraint(cls, constraint):
        table = ops._table_for_constraint(constraint)
        return cls(
            constraint.name,
            table.name,
            [(expr, operator) for expr, _name, operator in constraint._render_exprs],
            where=constraint.where,
            schema=table.schema,
            _orig_constraint=constraint,
            deferrable=constraint.deferrable,
            initially=constraint.initially,
            using=constraint.using,
        )

    def to_constraint(self, migration_context=None):
        if self._orig_constraint is not None:
            return self._orig_constraint
        from ..operations import _SchemaObjects

        t = _SchemaObjects(migration_context).table(self.table_name, schema=self.schema)
        excl = ExcludeConstraint(
            *self.elements, name=self.constraint_name, where=self.where, **self.kw
        )
        # one placeholder column per element, as Alembic adds them
        for _expr, name, _operator in excl._render_exprs:
            t.append_column(Column(name, NULLTYPE))
        t.append_constraint(excl)
        return excl

    @classmethod
    def create_exclude_constraint(cls, operations, constraint_name, table_name, *elements, **kw):
        """Issue ALTER TABLE ... ADD CONSTRAINT ... EXCLUDE (PostgreSQL)."""
        return operations.invoke(cls(constraint_name, table_name, elements, **kw))

    @classmethod
    def batch_create_exclude_constraint(cls, operations, constraint_name, *elements, **kw):
        """``create_exclude_constraint`` on the batch table."""
        kw["schema"] = operations.impl.schema
        return operations.invoke(cls(constraint_name, operations.impl.table_name, elements, **kw))


# The DDL elements and helpers Alembic's dialect module imports from
# ``ddl.base`` (extensions import them from here: ``from
# alembic.ddl.postgresql import ...``).
from .base import (  # noqa: E402,F401
    AlterColumn,
    ColumnComment,
    IdentityColumnDefault,
    RenameTable,
    alter_column,
    alter_table,
    format_column_name,
    format_table_name,
    format_type,
)
from .base import _rename_table_unqualified as visit_rename_table  # noqa: E402,F401


@compiles(IdentityColumnDefault, "postgresql")
def visit_identity_column(element, compiler, **kw):
    """Alembic's PostgreSQL identity change: DROP IDENTITY, ADD GENERATED ...
    AS IDENTITY (no existing one), or SET GENERATED / SET <option> per
    changed attribute."""
    from sqlalchemy import Identity

    text_ = "%s %s " % (
        alter_table(compiler, element.table_name, element.schema),
        alter_column(compiler, element.column_name),
    )
    if element.default is None:
        text_ += "DROP IDENTITY"
        return text_
    elif element.existing_server_default in (None, False):
        text_ += "ADD "
        text_ += compiler.visit_identity_column(element.default)
        return text_
    else:
        diff, _, _ = element.impl._compare_identity_default(
            element.default, element.existing_server_default
        )
        identity = element.default
        for attr in sorted(diff):
            if attr == "always":
                text_ += "SET GENERATED %s " % ("ALWAYS" if identity.always else "BY DEFAULT")
            else:
                text_ += "SET %s " % compiler.get_identity_options(
                    Identity(**{attr: getattr(identity, attr)})
                )
        return text_


def visit_column_comment(element, compiler, **kw):
    """``COMMENT ON COLUMN``, composed by alembic-rs (``ColumnComment.sql``);
    PostgreSQL-derived dialects register it for their own name
    (sqlalchemy-cockroachdb: ``@compiles(ColumnComment, "cockroachdb")``)."""
    return element.sql


class PostgresqlColumnType(AlterColumn):
    """``ALTER COLUMN ... TYPE ... [USING ...]``, PostgreSQL's form (what
    ``postgresql_using`` adds to)."""

    def __init__(self, name, column_name, type_, **kw):
        using = kw.pop("using", None)
        super().__init__(name, column_name, **kw)
        self.type_ = sqltypes.to_instance(type_)
        self.using = using


@compiles(PostgresqlColumnType, "postgresql")
def visit_column_type(element, compiler, **kw):
    return "%s %s %s %s" % (
        alter_table(compiler, element.table_name, element.schema),
        alter_column(compiler, element.column_name),
        "TYPE %s" % format_type(compiler, element.type_),
        "USING %s" % element.using if element.using else "",
    )
