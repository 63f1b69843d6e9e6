"""``alembic.ddl.base``: the DDL elements the impls hand to SQLAlchemy.

Alembic's module holds one element per ALTER form, each with a compiler per
dialect; here the statements are composed in Rust (``src/ddl/``), so what
is left is the element that carries a composed statement and
``ColumnComment``, kept for the error a dialect without a comment form
raises.
"""

from sqlalchemy import schema as sa_schema
from sqlalchemy.ext.compiler import compiles


class _RawDDL(sa_schema.DDLElement):
    """A statement composed by alembic-rs, sent verbatim (no bind parsing)."""

    inherit_cache = False

    def __init__(self, sql):
        self.sql = sql


@compiles(_RawDDL)
def _compile_raw(element, compiler, **kw):
    return element.sql


class ColumnComment(sa_schema.DDLElement):
    """Alembic's ``alembic.ddl.base.ColumnComment``, kept only so that a
    dialect without a comment form fails as Alembic does: SQLAlchemy's own
    ``UnsupportedCompilationError`` (with its exception chain), naming the
    same class."""

    inherit_cache = False

    def __init__(self, sql):
        self.sql = sql


# The dialects with a comment form (Alembic's @compiles(ColumnComment, ...)).
for _name in ("postgresql", "mysql", "mariadb", "mssql", "oracle"):
    compiles(ColumnComment, _name)(lambda element, compiler, **kw: element.sql)
