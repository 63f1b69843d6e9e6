"""What psycopg 3 offers beyond PEP 249 that migrations call on the raw
connection (``op.get_bind().connection``), for URLs that name psycopg (and
bare ``postgresql://`` under SQLAlchemy 2.1, whose default driver it is):

* ``connection.execute(query, params)``, which returns the cursor;
* ``psycopg.sql`` compositions as statements, and psycopg's wrapper types
  (``Json``, ``Jsonb``, ...) as parameters, both written out by psycopg's
  own ``as_string`` (which needs no connection);
* ``cursor.copy(statement)``: ``write_row``/``write`` into ``COPY ... FROM
  STDIN``, ``rows()``/``read()``/iteration of ``COPY ... TO STDOUT``;
* ``connection.info.server_version`` and ``encoding``.
"""

import datetime
import sys

import _alembic_rs

from . import dbapi

_NATIVE = dbapi.NATIVE_PARAMS


class PsycopgConnection(dbapi.Connection):
    def cursor(self, *args, **kw):
        return PsycopgCursor(self)

    def execute(self, query, params=None, *, prepare=None, binary=False):
        return self.cursor().execute(query, params)

    @property
    def info(self):
        return _ConnectionInfo(self._raw.server_version_num)

    def __getattr__(self, name):
        raise AttributeError("'Connection' object has no attribute '%s'" % name)


class _ConnectionInfo:
    """psycopg's ``ConnectionInfo``, the parts a migration reads."""

    encoding = "utf-8"

    def __init__(self, server_version):
        self.server_version = server_version


class PsycopgCursor(dbapi.Cursor):
    def execute(self, query, params=None, *, prepare=None, binary=None):
        super().execute(_query_text(query), _adapted_params(params))
        return self

    def executemany(self, query, params_seq, *, returning=False):
        super().executemany(_query_text(query), [_adapted_params(p) for p in params_seq])

    def copy(self, statement, params=None, *, writer=None):
        statement = _query_text(statement)
        if params:
            statement = dbapi.Cursor.mogrify.fget(self)(statement, _adapted_params(params)).decode("utf-8")
        return _Copy(self, statement)

    def __getattr__(self, name):
        raise AttributeError("'Cursor' object has no attribute '%s'" % name)


class _Copy:
    """psycopg's ``Copy`` over the driver's whole-buffer copies: what is
    written goes to the server when the block ends; what the server sends
    is read when it begins."""

    def __init__(self, cursor, statement):
        self._cursor = cursor
        self._statement = statement
        self._written = []
        self._out = None

    def __enter__(self):
        conn = self._cursor.connection
        if _alembic_rs.copy_direction(self._statement) == "out":
            self._out = conn._call_raw(conn._raw.copy_out, self._statement, began=conn._before(self._statement))
            self._cursor.rowcount = len(self._out)
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None and self._out is None:
            conn = self._cursor.connection
            data = b"".join(self._written)
            began = conn._before(self._statement)
            self._cursor.rowcount = conn._call_raw(conn._raw.copy_in, self._statement, data, began=began)

    def write(self, buffer):
        self._written.append(buffer.encode("utf-8") if isinstance(buffer, str) else bytes(buffer))

    def write_row(self, row):
        self._written.append(("\t".join(_copy_field(v) for v in row) + "\n").encode("utf-8"))

    def read(self):
        if not self._out:
            return b""
        return memoryview(self._out.pop(0))

    def __iter__(self):
        while self._out:
            yield memoryview(self._out.pop(0))

    def rows(self):
        """Each row's fields as text (None for NULL): psycopg's without
        ``set_types()``."""
        while self._out:
            line = self._out.pop(0).decode("utf-8").rstrip("\n")
            yield tuple(None if f == "\\N" else _unescape(f) for f in line.split("\t"))

    def read_row(self):
        return next(self.rows(), None)


# the names `type(obj).__name__` gives under psycopg
PsycopgConnection.__name__ = PsycopgConnection.__qualname__ = "Connection"
PsycopgCursor.__name__ = PsycopgCursor.__qualname__ = "Cursor"

_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_UNESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", "v": "\v"}


def _copy_field(value):
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "\\\\x" + bytes(value).hex()
    if isinstance(value, (datetime.date, datetime.time)):
        text = value.isoformat()
    else:
        text = str(value)
    return "".join(_ESCAPES.get(c, c) for c in text)


def _unescape(field):
    out, i = [], 0
    while i < len(field):
        c = field[i]
        if c == "\\" and i + 1 < len(field):
            out.append(_UNESCAPES.get(field[i + 1], field[i + 1]))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _query_text(query):
    if isinstance(query, (bytes, bytearray, memoryview)):
        return bytes(query).decode("utf-8")
    sql = sys.modules.get("psycopg.sql")
    if sql is not None and isinstance(query, sql.Composable):
        return query.as_string(None)
    return query


def _adapted_params(params):
    """psycopg's wrapper types (``Jsonb``, ``Json``, ...) written out as
    psycopg writes a literal of them."""
    if not params or "psycopg" not in sys.modules:
        return params
    values = params.values() if isinstance(params, dict) else params
    if all(type(v) in _NATIVE for v in values):
        return params
    if isinstance(params, dict):
        return {k: _adapted(v) for k, v in params.items()}
    return [_adapted(v) for v in params]


def _adapted(value):
    if type(value) in _NATIVE:
        return value
    sql = sys.modules.get("psycopg.sql")
    if sql is None:
        import psycopg.sql as sql
    try:
        return _alembic_rs.QuotedSql(sql.Literal(value).as_string(None))
    except Exception:
        return value  # the driver's "can't adapt type" follows
