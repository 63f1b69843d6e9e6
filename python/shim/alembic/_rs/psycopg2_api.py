"""What psycopg2 offers beyond PEP 249 that migrations call on the raw
connection (``op.get_bind().connection``), for URLs that name psycopg2:

* ``psycopg2.extras.execute_values`` / ``execute_batch``, which build
  ``bytes`` statements through ``cursor.mogrify`` and read
  ``connection.encoding``;
* ``psycopg2.sql`` compositions (``SQL(...).format(Identifier(...))``) as
  statements: psycopg2's own ``as_string`` needs a libpq connection, so they
  are written out here, as psycopg2 writes them;
* adapter objects as parameters (``Json``, ``AsIs``, a class registered with
  ``register_adapter`` or having ``__conform__``);
* ``copy_expert``, ``copy_from`` and ``copy_to``;
* the row classes of ``psycopg2.extras``' cursor factories;
* ``server_version``, ``get_transaction_status()``, ``status``.

psycopg 3, asyncpg and pg8000 have other APIs; their URLs get the plain
classes of ``dbapi``.
"""

import collections
import io
import re
import sys

import _alembic_rs

from . import dbapi, psycopg2_types

_NATIVE = dbapi.NATIVE_PARAMS

# psycopg2's TRANSACTION_STATUS_* and STATUS_* values
_IDLE, _INTRANS = 0, 2
_READY, _BEGIN = 1, 2


class Psycopg2Connection(dbapi.Connection):
    # psycopg2 reports the client encoding by PostgreSQL's name; the
    # driver's sessions are always UTF-8
    encoding = "UTF8"
    # typecasters registered on the connection (psycopg2_types)
    _casters = None
    _backend_pid = None

    def __init__(self, module, raw):
        super().__init__(module, raw)
        _teach_sql_module()
        psycopg2_types.teach_register_type(_patch_on_import)
        # the server's NOTICE and WARNING messages, which alembic-rs's
        # driver does not collect: always empty
        self.notices = []

    def cursor(self, name=None, cursor_factory=None, scrollable=None, withhold=False):
        cursor = Psycopg2Cursor(self)
        if cursor_factory is not None:
            cursor._shape_rows = _rows_of(self, cursor_factory)
        return cursor

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        # psycopg2: the transaction ends with the block; the connection stays
        if exc_type is None:
            self.commit()
        else:
            self.rollback()

    @property
    def server_version(self):
        return self._raw.server_version_num

    def get_transaction_status(self):
        return _INTRANS if self._in_txn else _IDLE

    @property
    def status(self):
        return _BEGIN if self._in_txn else _READY

    def get_backend_pid(self):
        if self._backend_pid is None:
            # libpq knows it from the start-up; asked once, outside any
            # transaction's statement count
            self._backend_pid = self._call_raw(self._raw.execute, "SELECT pg_backend_pid()", None)[1][0][0]
        return self._backend_pid

    @property
    def info(self):
        """psycopg2's ``ConnectionInfo``: the fields libpq keeps that
        ``register_hstore`` and migrations read."""
        return _ConnectionInfo(self)

    def __getattr__(self, name):
        raise AttributeError("'psycopg2.extensions.connection' object has no attribute '%s'" % name)


class _ConnectionInfo:
    def __init__(self, conn):
        self._conn = conn

    @property
    def server_version(self):
        return self._conn.server_version

    @property
    def backend_pid(self):
        return self._conn.get_backend_pid()

    @property
    def transaction_status(self):
        return self._conn.get_transaction_status()

    @property
    def status(self):
        return 0  # libpq's CONNECTION_OK

    protocol_version = 3

    def __getattr__(self, name):
        raise AttributeError("'psycopg2.extensions.ConnectionInfo' object has no attribute '%s'" % name)


class Psycopg2Cursor(dbapi.Cursor):
    # typecasters registered on the cursor (psycopg2_types)
    _casters = None

    def _took(self, operation, columns, rows, rowcount, lastrowid):
        rows = super()._took(operation, columns, rows, rowcount, lastrowid)
        if columns and rows and "psycopg2.extensions" in sys.modules:
            casters = psycopg2_types.casters_for(self, columns)
            if casters:
                rows = psycopg2_types.cast_rows(self, rows, casters)
        return rows

    def cast(self, oid, s):
        return psycopg2_types.cast(self, oid, s)

    def execute(self, query, vars=None):
        return super().execute(_query_text(self, query), _adapted_params(vars))

    def executemany(self, query, vars_list):
        # (each row's parameters are adapted by execute)
        return super().executemany(_query_text(self, query), vars_list)

    def mogrify(self, query, vars=None):
        query = _query_text(self, query)
        return dbapi.Cursor.mogrify.fget(self)(query, _adapted_params(vars))

    def copy_expert(self, sql, file, size=8192):
        """``COPY ... FROM STDIN`` reads ``file`` to its end; ``COPY ... TO
        STDOUT`` writes each row to it (str to a text file, else bytes)."""
        sql = _query_text(self, sql)
        conn = self.connection
        direction = _alembic_rs.copy_direction(sql)
        if direction is None:
            # no copy begins: libpq just runs the statement
            self.execute(sql)
            return None
        if conn.closed:
            raise conn._module.InterfaceError("cursor already closed")
        if not (hasattr(file, "read") or hasattr(file, "write")):
            raise TypeError(
                "file must be a readable file-like object for COPY FROM; "
                "a writable file-like object for COPY TO."
            )
        if direction == "out":
            chunks = conn._call_raw(conn._raw.copy_out, sql, began=conn._before(sql))
            text = isinstance(file, io.TextIOBase)
            for chunk in chunks:
                file.write(chunk.decode("utf-8") if text else chunk)
            self.rowcount = len(chunks) - (1 if chunks and _HEADER.search(sql) else 0)
        else:
            data = _read_all(file, size)
            self.rowcount = conn._call_raw(conn._raw.copy_in, sql, data, began=conn._before(sql))
        self.description = None
        self._rows, self._pos = [], 0

    def copy_from(self, file, table, sep="\t", null="\\N", size=8192, columns=None):
        self.copy_expert(
            "COPY %s%s FROM stdin WITH DELIMITER AS %s NULL AS %s"
            % (_quote_ident(table), _column_list(columns), _quote(sep), _quote(null)),
            file,
            size,
        )

    def copy_to(self, file, table, sep="\t", null="\\N", columns=None):
        self.copy_expert(
            "COPY %s%s TO stdout WITH DELIMITER AS %s NULL AS %s"
            % (_quote_ident(table), _column_list(columns), _quote(sep), _quote(null)),
            file,
        )

    def __getattr__(self, name):
        raise AttributeError("'psycopg2.extensions.cursor' object has no attribute '%s'" % name)


# the names `type(obj).__name__` gives under psycopg2
Psycopg2Connection.__name__ = Psycopg2Connection.__qualname__ = "connection"
Psycopg2Cursor.__name__ = Psycopg2Cursor.__qualname__ = "cursor"

_HEADER = re.compile(r"\bHEADER\b", re.I)


def _read_all(file, size):
    parts = []
    while True:
        data = file.read(size)
        if not data:
            break
        parts.append(data.encode("utf-8") if isinstance(data, str) else bytes(data))
    return b"".join(parts)


def _quote_ident(name):
    """libpq's ``PQescapeIdentifier``, which psycopg2 applies to a whole
    name (a dotted ``schema.table`` becomes one quoted identifier)."""
    return '"%s"' % name.replace('"', '""')


def _quote(text):
    return "'%s'" % text.replace("'", "''")


def _column_list(columns):
    if columns is None:
        return ""
    return "(%s)" % ",".join(_quote_ident(c) for c in columns)


def _query_text(cursor, query):
    """The statement as text: psycopg2 takes ``bytes`` (in the connection's
    encoding) and ``psycopg2.sql`` objects too."""
    if isinstance(query, str):
        return query
    if isinstance(query, (bytes, bytearray, memoryview)):
        return bytes(query).decode("utf-8")
    sql = sys.modules.get("psycopg2.sql")
    if sql is not None and isinstance(query, sql.Composable):
        return _composed(cursor, query)
    raise TypeError(
        "argument 1 must be a string or unicode object: got %s instead" % type(query).__name__
    )


def _composed(cursor, obj):
    """``obj.as_string(conn)`` of a ``psycopg2.sql`` object."""
    sql = sys.modules["psycopg2.sql"]
    if isinstance(obj, sql.Composed):
        return "".join(_composed(cursor, part) for part in obj.seq)
    if isinstance(obj, sql.SQL):
        return obj.string
    if isinstance(obj, sql.Identifier):
        return ".".join(_quote_ident(s) for s in obj.strings)
    if isinstance(obj, sql.Literal):
        return dbapi.Cursor.mogrify.fget(cursor)("%s", (_adapted(obj.wrapped),)).decode("utf-8")
    if isinstance(obj, sql.Placeholder):
        return "%s" if obj.name is None else "%%(%s)s" % obj.name
    raise TypeError("alembic-rs cannot write a %s without psycopg2's connection" % type(obj).__name__)


def _teach_sql_module():
    """``psycopg2.sql`` objects write themselves out (``as_string(context)``,
    which ``execute_values`` calls too) through libpq functions that take
    only psycopg2's own connection or cursor: given ours, they write out as
    ``_composed`` does. Done when ``psycopg2.sql`` is first imported, or at
    once if it was."""
    module = sys.modules.get("psycopg2.sql")
    if module is not None:
        _patch_as_string(module)
    else:
        _patch_on_import("psycopg2.sql", _patch_as_string)


def _patch_as_string(module):
    for name in ("Composed", "SQL", "Identifier", "Literal", "Placeholder"):
        cls = getattr(module, name, None)
        if cls is None or getattr(cls.as_string, "_alembic_rs", False):
            continue

        def as_string(self, context, _stock=cls.as_string):
            if isinstance(context, Psycopg2Connection):
                context = context.cursor()
            if isinstance(context, Psycopg2Cursor):
                return _composed(context, self)
            return _stock(self, context)

        as_string._alembic_rs = True
        cls.as_string = as_string


def _patch_on_import(name, patch):
    """``patch(module)`` right after module ``name`` is imported."""
    hook = next((f for f in sys.meta_path if isinstance(f, _PatchOnImport)), None)
    if hook is None:
        hook = _PatchOnImport()
        sys.meta_path.insert(0, hook)
    hook.patches[name] = patch


class _PatchOnImport:
    """Patches psycopg2's modules right after their import (see
    ``_patch_on_import``); leaves ``sys.meta_path`` when none is left."""

    def __init__(self):
        self.patches = {}

    def find_spec(self, name, path=None, target=None):
        patch = self.patches.pop(name, None)
        if patch is None:
            return None
        if not self.patches:
            sys.meta_path.remove(self)
        import importlib.util

        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        stock_exec = spec.loader.exec_module

        def exec_module(module):
            stock_exec(module)
            patch(module)

        spec.loader.exec_module = exec_module
        return spec


def _adapted_params(params):
    """Parameters with psycopg2's adapters applied where the user's code
    may have brought some (only once it imported psycopg2)."""
    if not params or "psycopg2.extensions" not in sys.modules:
        return params
    values = params.values() if isinstance(params, dict) else params
    if all(type(v) in _NATIVE and type(v) not in (list, tuple) for v in values):
        return params
    if isinstance(params, dict):
        return {k: _adapted(v) for k, v in params.items()}
    return [_adapted(v) for v in params]


def _adapted(value):
    """``psycopg2.extensions.adapt(value)`` as the driver can send it: the
    value itself where the driver adapts it alike, else the adapter's SQL.
    psycopg2's own quoting adapters are read for their value: unprepared
    (no libpq connection to prepare them with) they would escape
    backslashes for ``standard_conforming_strings=off``."""
    tp = type(value)
    if tp in (list, tuple):
        return tp(_adapted(v) for v in value)
    if tp in _NATIVE:
        return value
    ext = sys.modules.get("psycopg2.extensions")
    if ext is None:
        return value
    adapter = None
    conform = getattr(value, "__conform__", None)
    if conform is not None:
        adapter = conform(ext.ISQLQuote)
    if adapter is None:
        for cls in tp.__mro__:
            factory = ext.adapters.get((cls, ext.ISQLQuote))
            if factory is not None:
                adapter = factory(value)
                break
    if adapter is None:
        return value  # the driver's "can't adapt type" follows
    hstore_adapter = getattr(sys.modules.get("psycopg2.extras"), "HstoreAdapter", None)
    if hstore_adapter is not None and isinstance(adapter, hstore_adapter):
        return _alembic_rs.QuotedSql(_hstore_sql(adapter.wrapped))
    json_adapter = getattr(sys.modules.get("psycopg2._json"), "Json", None)
    if json_adapter is not None and isinstance(adapter, json_adapter):
        return adapter.dumps(adapter.adapted)
    if isinstance(adapter, ext.QuotedString):
        return adapter.adapted
    if isinstance(adapter, ext.Binary):
        return bytes(adapter.adapted)
    return _alembic_rs.QuotedSql(adapter.getquoted().decode("utf-8"))


def _rows_of(conn, factory):
    """The rows ``psycopg2.extras``' cursor factories give, from the
    driver's tuples."""
    extras = sys.modules.get("psycopg2.extras")
    if extras is not None:
        if issubclass(factory, extras.RealDictCursor):
            return lambda description, rows: [
                extras.RealDictRow(zip([d[0] for d in description], row)) for row in rows
            ]
        if issubclass(factory, extras.DictCursor):
            return _dict_rows
        if issubclass(factory, extras.NamedTupleCursor):
            return lambda description, rows: _named_tuples(factory, description, rows)
        if issubclass(factory, extras.LoggingCursor) or factory is sys.modules["psycopg2.extensions"].cursor:
            return None
    raise conn._module.NotSupportedError(
        "alembic-rs's driver cannot make a %s cursor (psycopg2.extras' RealDictCursor, "
        "DictCursor and NamedTupleCursor are known)" % factory.__name__,
    )


def _dict_rows(description, rows):
    from psycopg2.extras import DictRow

    index = collections.OrderedDict((d[0], i) for i, d in enumerate(description))
    holder = type("_DictCursorView", (), {"index": index, "description": description})()
    out = []
    for row in rows:
        shaped = DictRow(holder)
        shaped[:] = row
        out.append(shaped)
    return out


def _named_tuples(factory, description, rows):
    names = tuple(d[0] for d in description)
    make = getattr(factory, "_do_make_nt", None)  # psycopg2's field naming
    record = make(names) if make else collections.namedtuple("Record", names, rename=True)
    return [record._make(row) for row in rows]


def _hstore_sql(mapping):
    """``HstoreAdapter``'s SQL for a dict (``register_hstore`` registers it
    for every dict), which it writes through libpq's quoting."""
    if not mapping:
        return "''::hstore"

    def array(items):
        return "ARRAY[%s]" % ",".join("NULL" if v is None else _quote(str(v)) for v in items)

    return "hstore(%s, %s)" % (array(mapping.keys()), array(mapping.values()))
