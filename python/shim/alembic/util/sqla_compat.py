"""``alembic.util.sqla_compat``: the SQLAlchemy helpers Alembic keeps in one
module, which extensions and applications import (``compiles``,
``AUTOINCREMENT_DEFAULT``, ``_literal_bindparam``, ``_table_for_constraint``,
``_fk_spec``, the connection-transaction helpers, the version flags).

Every name here works on plain SQLAlchemy objects, so they behave as
Alembic's do. Batch mode (``operations/recreate.py``) and the ops use these;
the index-expression helpers below forward to the ops' and batch mode's
own, which came first.
"""

import contextlib
import re
from itertools import chain
from typing import NamedTuple, Optional

from sqlalchemy import __version__
from sqlalchemy import exc as sa_exc
from sqlalchemy import schema, sql  # noqa: F401
from sqlalchemy import types as sqltypes
from sqlalchemy.ext.compiler import compiles  # noqa: F401
from sqlalchemy.schema import CheckConstraint, Column, ForeignKeyConstraint, Table  # noqa: F401
from sqlalchemy.sql.base import DialectKWArgs
from sqlalchemy.sql.elements import BindParameter, ColumnClause, TextClause  # noqa: F401
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.elements import conv
from sqlalchemy.sql.naming import _constraint_name_for_table
from sqlalchemy.sql.visitors import traverse

from .messaging import warn

try:  # SQLAlchemy 2.1
    from sqlalchemy.sql.base import _NONE_NAME, _NoneName
except ImportError:  # pragma: no cover  (2.0)
    from sqlalchemy.sql.elements import _NONE_NAME, _NoneName


def _safe_int(value):
    try:
        return int(value)
    except ValueError:
        return value


_vers = tuple(_safe_int(x) for x in re.findall(r"(\d+|[abc]\d)", __version__))
sqla_2_0_25 = _vers >= (2, 25)
sqla_2_1 = _vers >= (2, 1)
sqlalchemy_version = __version__

identity_has_dialect_kwargs = issubclass(schema.Identity, DialectKWArgs)

#: ``Column.autoincrement``'s default.
AUTOINCREMENT_DEFAULT = "auto"

_IDENTITY_ATTRS = (
    "start", "increment", "minvalue", "maxvalue", "nominvalue", "nomaxvalue",
    "cycle", "cache", "order",
)


def _get_identity_options_dict(identity, dialect_kwargs=False):
    """The options of an ``Identity`` or ``Sequence`` as a dict."""
    if identity is None:
        return {}
    if identity_has_dialect_kwargs:
        options = identity._as_dict()
        if dialect_kwargs:
            options.update(identity.dialect_kwargs)
        return options
    options = {}
    if isinstance(identity, schema.Identity):
        options["always"] = identity.always
        if identity.on_null is not None:
            options["on_null"] = identity.on_null
    for key in _IDENTITY_ATTRS:
        value = getattr(identity, key, None)
        if value is not None:
            options[key] = value
    return options


def constraint_name_defined(name):
    """True for a name or the "no name, by convention" marker."""
    return name is _NONE_NAME or isinstance(name, (str, _NoneName))


def constraint_name_string(name):
    return isinstance(name, str)


def constraint_name_or_none(name):
    return name if isinstance(name, str) else None


@contextlib.contextmanager
def _ensure_scope_for_ddl(connection):
    """A transaction around the block unless one is running (no-op for a
    mock connection or None)."""
    in_transaction = getattr(connection, "in_transaction", None)
    if in_transaction is None or in_transaction():
        yield
    else:
        with connection.begin():
            yield


def _safe_begin_connection_transaction(connection):
    return connection.get_transaction() or connection.begin()


def _safe_commit_connection_transaction(connection):
    transaction = connection.get_transaction()
    if transaction:
        transaction.commit()


def _safe_rollback_connection_transaction(connection):
    transaction = connection.get_transaction()
    if transaction:
        transaction.rollback()


def _get_connection_in_transaction(connection):
    in_transaction = getattr(connection, "in_transaction", None)
    return False if in_transaction is None else in_transaction()


def _idx_table_bound_expressions(idx):
    return idx.expressions


def _copy(schema_item, **kw):
    if hasattr(schema_item, "_copy"):
        return schema_item._copy(**kw)
    return schema_item.copy(**kw)


def _connectable_has_table(connectable, tablename, schemaname):
    return connectable.dialect.has_table(connectable, tablename, schemaname)


def _exec_on_inspector(inspector, statement, **params):
    with inspector._operation_context() as conn:
        return conn.execute(statement, params)


def _nullability_might_be_unset(metadata_column):
    return metadata_column._user_defined_nullable is schema.NULL_UNSPECIFIED


def _server_default_is_computed(*server_default):
    return any(isinstance(sd, schema.Computed) for sd in server_default)


def _server_default_is_identity(*server_default):
    return any(isinstance(sd, schema.Identity) for sd in server_default)


def _table_for_constraint(constraint):
    """The Table a constraint belongs to (a column-level CHECK's column's)."""
    if isinstance(constraint, ForeignKeyConstraint):
        return constraint.parent
    if isinstance(constraint, CheckConstraint) and not isinstance(constraint.parent, Table):
        return constraint.parent.table
    return constraint.table


def _find_columns(clause):
    """The Column objects inside an expression."""
    found = set()
    traverse(clause, {}, {"column": found.add})
    return found


def _columns_for_constraint(constraint):
    if isinstance(constraint, ForeignKeyConstraint):
        return [fk.parent for fk in constraint.elements]
    if isinstance(constraint, CheckConstraint):
        return _find_columns(constraint.sqltext)
    return list(constraint.columns)


def _type_has_variants(type_):
    return bool(type_._variant_mapping)


def _get_variant_mapping(type_):
    return type_, type_._variant_mapping


def _resolve_for_variant(type_, dialect):
    """The variant of ``type_`` for ``dialect`` (``with_variant``), else
    ``type_``."""
    if _type_has_variants(type_):
        return type_._variant_mapping.get(dialect.name, type_)
    return type_


def _get_table_key(name, schema):
    return name if schema is None else "%s.%s" % (schema, name)


def _fk_spec(constraint):
    """``(source_schema, source_table, source_columns, target_schema,
    target_table, target_columns, onupdate, ondelete, deferrable,
    initially)`` of a ForeignKeyConstraint."""
    target = constraint.elements[0].column.table
    return (
        constraint.parent.schema,
        constraint.parent.name,
        [constraint.columns[key].name for key in constraint.column_keys],
        target.schema,
        target.name,
        [element.column.name for element in constraint.elements],
        constraint.onupdate,
        constraint.ondelete,
        constraint.deferrable,
        constraint.initially,
    )


class _ForeignKeyTarget(NamedTuple):
    """The names identifying a ForeignKey's target."""

    schema: Optional[str]
    table_name: str
    column_name: Optional[str]


def _fk_target_tokens(fk):
    if sqla_2_1:
        return _ForeignKeyTarget(*fk.target_tokens)
    return _ForeignKeyTarget(*fk._column_tokens)


def _fk_target_table_key(fk):
    """The ``MetaData.tables`` key of a ForeignKey's target table (None for
    a target Column without a Table)."""
    if sqla_2_1:
        return fk.target_table_key
    return fk._table_key()


def _fk_target_is_named(fk):
    """True when the ForeignKey names its target (a string) rather than
    holding a Column."""
    if sqla_2_1:
        return fk.target_column is None
    return isinstance(fk._colspec, str)


def _fk_is_self_referential(constraint):
    return _fk_target_table_key(constraint.elements[0]) == constraint.parent.key


def _is_type_bound(constraint):
    """True for a CHECK constraint that a type (Boolean, Enum) generates."""
    return constraint._type_bound


def _conv_constraint_names(table):
    """Mark the names of ``table``'s constraints and indexes as final
    (``conv``): reflected names are not run through a naming convention."""
    for item in chain(table.constraints, table.indexes):
        if isinstance(item.name, str) and not isinstance(item.name, conv):
            item.name = conv(item.name)


def _name_type_bound_constraints(table, source_table):
    """Name ``table``'s type-bound CHECK constraints by the naming
    convention of ``source_table``'s MetaData, against ``source_table``
    (``table`` is its copy under another name)."""
    if not source_table.metadata.naming_convention:
        return
    for const in table.constraints:
        if not _is_type_bound(const):
            continue
        try:
            name = _constraint_name_for_table(const, source_table)
        except sa_exc.InvalidRequestError:
            columns = ", ".join(c.name for c in _columns_for_constraint(const))
            warn(
                f"The CHECK constraint generated by the type of column "
                f"'{source_table.name}.{columns}' has no name, while the naming "
                f"convention in use requires one; the constraint is emitted "
                f"without a name.  Boolean and Enum datatypes should be given a "
                f"name, e.g. Boolean(name='...'), in order for their CHECK "
                f"constraints to participate fully in batch mode."
            )
            continue
        if name:
            const.name = name


def _remove_column_from_collection(collection, column):
    """Remove the column with ``column``'s key from a (read-only) column
    collection."""
    present = collection[column.key]
    if hasattr(collection, "_readonly") or hasattr(collection, "_immutable"):
        collection._parent.remove(present)
    else:
        collection.remove(present)


def _textual_index_column(table, text_):
    """One element of an Index on ``table``: a name becomes a column, a
    ``text()`` a textual element, an expression is copied onto ``table``."""
    from ..operations.ops import _textual_index_column as build

    return build(table, text_)


def _copy_expression(expression, target_table):
    """``expression`` with the columns of other tables replaced by
    ``target_table``'s (copied onto it when missing)."""
    from ..operations.recreate import _rebind_expression

    return _rebind_expression(expression, target_table)


def _render_textual_index_column(element, compiler, **kw):
    return compiler.process(element.text, **kw)


class _literal_bindparam(BindParameter):
    """A bound value always rendered inline (``op.inline_literal``).

    No ``inherit_cache``, as in Alembic: a statement holding one then has no
    cache key and is compiled afresh each time. (With one, the literal
    rendered into the first statement's SQL was reused for the next statement
    of the same shape, with that statement's other parameters.)
    """


@compiles(_literal_bindparam)
def _render_literal_bindparam(element, compiler, **kw):
    return compiler.render_literal_bindparam(element, **kw)


def _get_constraint_final_name(constraint, dialect):
    """The name a constraint or index gets on ``dialect`` (the naming
    convention and truncation applied), unquoted."""
    if constraint.name is None:
        return None
    return dialect.identifier_preparer.format_constraint(constraint, _alembic_quote=False)


def _constraint_is_named(constraint, dialect):
    if constraint.name is None:
        return False
    return (
        dialect.identifier_preparer.format_constraint(constraint, _alembic_quote=False)
        is not None
    )


def is_expression(expr):
    """True unless ``expr`` is a plain column (possibly under DESC etc.)."""
    while isinstance(expr, UnaryExpression):
        expr = expr.element
    return not isinstance(expr, ColumnClause) or expr.is_literal


def is_expression_index(index):
    return any(is_expression(expr) for expr in index.expressions)


def _inherit_schema_deprecated():
    return sqla_2_1 and hasattr(sqltypes.Enum, "inherit_schema")


def all_table_check_constraints(table):
    """Every CHECK constraint of ``table``: its own, its columns', and the
    ones its types generate."""
    candidates = chain(table.constraints, *(c.constraints for c in table.columns))
    return {ck for ck in candidates if isinstance(ck, CheckConstraint)}


def __getattr__(name):
    # the textual index element class lives with the ops that build it
    if name == "_textual_index_element":
        from ..operations.ops import _textual_index_element

        return _textual_index_element
    raise AttributeError("module %r has no attribute %r" % (__name__, name))

