"""PEP 249 driver over alembic-rs's own connections (Rust, sqlx).

One module object per backend (``postgresql``, ``sqlite``, ``mysql``) is
made by ``module_for``; SQLAlchemy's dialect reads ``paramstyle``, the
exception classes and ``connect`` from it. ``Connection`` and ``Cursor``
follow psycopg2's model, the PostgreSQL drivers' common ground;
``sqlite3_api`` and ``pymysql_api`` hold sqlite3's and pymysql's, and
``psycopg2_api``/``psycopg_api`` those drivers' APIs beyond PEP 249. Exceptions carry the class names and
modules the usual drivers use (``psycopg2.errors.UndefinedTable``,
``sqlite3.OperationalError``), so SQLAlchemy's wrapped error line reads
the same as under Alembic.

A driver error is raised after the ``except _alembic_rs.DatabaseFailure``
block has ended, never inside it nor ``from None``: its ``__context__`` is
then the exception the caller was handling, as when psycopg2, sqlite3 or
pymysql raise from C, so a statement that fails inside a user's ``except:``
(a retry after a failed savepoint, as alembic_utils' entity simulation does)
prints the whole chain, "During handling of the above exception, ..."
included.
"""

import datetime
import decimal
import json
import re
import sys
import types
import uuid

import _alembic_rs

_DML = re.compile(r"\s*(?:--[^\n]*\n\s*|/\*.*?\*/\s*)*(insert|update|delete|replace)\b", re.I | re.S)

from . import connect_args, pgrange  # noqa: E402
from .pgerrors import PG_ERRORS as _PG_ERRORS  # noqa: E402
from .sqliteerrors import SQLITE_ERROR_NAMES as _SQLITE_ERROR_NAMES  # noqa: E402
_PG_CLASS_BASE = {
    "42": "ProgrammingError",
    "23": "IntegrityError",
    "22": "DataError",
    "25": "InternalError",
    "0A": "NotSupportedError",
    "40": "OperationalError",
    "53": "OperationalError",
    "54": "OperationalError",
    "55": "OperationalError",
    "57": "OperationalError",
    "58": "OperationalError",
    "08": "OperationalError",
    "XX": "InternalError",
    "P0": "InternalError",
}



# pymysql's `ssl` dictionary keys that SQLAlchemy also builds from the URL's
# `ssl_*` query parameters (mysqldb's `create_connect_args`).
def _make_exceptions(module_name):
    ns = {}

    def cls(name, base):
        c = type(name, (base,), {"__module__": module_name})
        ns[name] = c
        return c

    ns["Warning"] = cls("Warning", Exception)
    error = cls("Error", Exception)
    cls("InterfaceError", error)
    db = cls("DatabaseError", error)
    for name in ("DataError", "OperationalError", "IntegrityError", "InternalError",
                 "ProgrammingError", "NotSupportedError"):
        cls(name, db)
    return ns


# PostgreSQL column types whose values psycopg2 hands out parsed (its
# default typecasters: ``json``/``jsonb`` and their arrays, through
# ``json.loads`` or the ``loads`` given to ``register_default_json[b]``,
# which SQLAlchemy's ``json_deserializer=`` sets). The server sends text;
# arrays arrive as (nested) lists of it. By type OID: json, jsonb, json[],
# jsonb[].
_PG_JSON_TYPES = frozenset((114, 3802, 199, 3807))
_PG_BYTEA = (17, 1001)  # bytea, bytea[]


def _parse_hstore(text):
    """An ``hstore`` value as psycopg2's typecaster hands it out once
    SQLAlchemy's psycopg2 dialect registered it (its default,
    ``use_native_hstore=True``): a dict of str to str or None. The text form
    is the one SQLAlchemy's own ``HSTORE`` type parses."""
    from sqlalchemy.dialects.postgresql.hstore import _parse_hstore as parse

    return parse(text)


def _inet(text):
    import ipaddress

    # PostgreSQL writes a host address without its full-length prefix
    return ipaddress.ip_interface(text) if "/" in text else ipaddress.ip_address(text)


def _cidr(text):
    import ipaddress

    return ipaddress.ip_network(text)


def _text_array(convert):
    return lambda text: pgrange._map_nested(pgrange.parse_array(text), convert)


# inet, cidr, macaddr and their arrays as each driver hands them out (our
# driver reads them as text): asyncpg and psycopg 3 make `ipaddress`
# objects of addresses; psycopg2 leaves them text but splits the arrays.
_PG_NETWORK = {
    "psycopg2": {1041: _text_array(str), 651: _text_array(str), 1040: _text_array(str)},
    "asyncpg": {
        869: _inet, 650: _cidr,
        1041: _text_array(_inet), 651: _text_array(_cidr), 1040: _text_array(str),
    },
}
_PG_NETWORK["psycopg"] = _PG_NETWORK["asyncpg"]


def _network_params(parameters):
    """asyncpg and psycopg 3 bind the ``ipaddress`` objects they hand out
    for inet/cidr (psycopg2 cannot adapt them): bound here as their text,
    which the server casts. No such object exists unless ``ipaddress`` was
    imported."""
    ipaddress = sys.modules.get("ipaddress")
    if ipaddress is None:
        return parameters
    kinds = (ipaddress.IPv4Address, ipaddress.IPv6Address, ipaddress.IPv4Network, ipaddress.IPv6Network)

    def addresses(items):
        return all(
            v is None or isinstance(v, kinds) or (isinstance(v, list) and addresses(v)) for v in items
        ) and any(v is not None for v in items)

    def array(items):
        # an untyped array literal ('{...}'), which the server casts to the
        # column's inet[]/cidr[] as psycopg's typed array would be
        return "{%s}" % ",".join(
            "NULL" if v is None else array(v) if isinstance(v, list) else '"%s"' % v for v in items
        )

    def text(value):
        if isinstance(value, kinds):
            return str(value)
        if isinstance(value, list) and value and addresses(value):
            return array(value)
        return value

    if isinstance(parameters, dict):
        return {k: text(v) for k, v in parameters.items()}
    return type(parameters)(text(v) for v in parameters)


def _converted(row, at, convert):
    row = list(row)
    for i in at:
        if row[i] is not None:
            row[i] = _loads_nested(row[i], convert)
    return tuple(row)


def _loads_nested(value, loads):
    if isinstance(value, list):
        return [None if v is None else _loads_nested(v, loads) for v in value]
    return loads(value)




def _with_ranges_written(conn, operation, parameters):
    """A statement whose parameters hold driver range objects
    (``psycopg2.extras.NumericRange``, ``asyncpg.Range``, ...; see
    pgrange), with its parameters written in: each range stands in as a
    marker string while the driver interpolates the rest, then the marker's
    quoted literal is replaced by the range's SQL. Returned with no
    parameters left (so the statement is not interpolated again)."""
    marker = pgrange.new_marker()

    def literal(value):
        return conn._raw.mogrify("%s", (value,))

    params, found = pgrange.adapt_params(parameters, literal, marker)
    sql = conn._raw.mogrify(operation, params)
    for quoted, value_sql in found.items():
        sql = sql.replace(quoted, value_sql)
    return sql, None


# the parameter types the driver adapts by itself (src/python/convert.rs);
# the driver-API modules adapt others their drivers' way first
NATIVE_PARAMS = frozenset((
    type(None), bool, int, float, str, bytes, bytearray, memoryview, list, tuple,
    decimal.Decimal, datetime.datetime, datetime.date, datetime.time, datetime.timedelta, uuid.UUID,
))


class Cursor:
    # a cursor class's rows (pymysql's DictCursor, psycopg2's cursor
    # factories) from the driver's tuples: (description, rows) -> rows
    _shape_rows = None
    arraysize = 1

    def __init__(self, connection):
        self.connection = connection
        self.description = None
        self.rowcount = -1
        self.lastrowid = None
        self._rows = []
        self._pos = 0
        self._fetch_error = None

    def close(self):
        self._rows = []
        self._fetch_error = None

    async def _async_soft_close(self):
        """Called by ``AsyncConnection.execute`` (``op.run_async``) on
        SQLAlchemy's adapted async cursors; ours holds every row already."""

    # The driver-specific steps of execute(), executemany() and the
    # fetches; this class has psycopg2's (and the other PostgreSQL
    # drivers'), sqlite3_api's and pymysql_api's cursors override them.

    def _bound(self, operation, parameters):
        """The parameters as the driver binds them (or its refusal)."""
        conn = self.connection
        if conn._pg and conn._range_style in ("asyncpg", "psycopg"):
            return _network_params(parameters)
        return parameters

    def _unadaptable(self, message):
        """The driver's error for a parameter it cannot adapt, or None."""
        if self.connection._pg and message.startswith("can't adapt"):
            return self.connection._module.ProgrammingError(message)
        return None

    def _took(self, operation, columns, rows, rowcount, lastrowid):
        """Sets rowcount and lastrowid after a statement; returns the rows
        as the driver keeps them. psycopg2: the statement's OID as
        lastrowid, 0 without table OIDs (PostgreSQL 12+)."""
        self.rowcount = rowcount
        self.lastrowid = 0 if self.connection._pg and lastrowid is None else lastrowid
        return rows

    def execute(self, operation, parameters=None):
        conn = self.connection
        if parameters:
            parameters = self._bound(operation, parameters)
        if conn._pg and conn.closed:
            raise conn._module.InterfaceError("cursor already closed")
        began = conn._before(operation)
        try:
            if conn._pg and parameters and pgrange.has_ranges(parameters):
                operation, parameters = _with_ranges_written(conn, operation, parameters)
            columns, rows, rowcount, lastrowid, fetch_error = conn._raw.execute(operation, parameters)
        except _alembic_rs.DatabaseFailure as failure:
            conn._failed(began, failure.args)
            conn._check_lost()
            error = conn._module._error(*failure.args)
        except TypeError as failure:
            # a parameter the driver cannot adapt: psycopg2 raises its
            # ProgrammingError with the same message, pymysql refuses a dict
            # with its own words
            error = self._unadaptable(str(failure))
            if error is None:
                raise
        else:
            error = None
        if error is not None:
            raise error  # outside the except: see the module docstring
        conn._after(operation)
        loads = conn._json_loads
        if loads is not None and columns is not None:
            at = [i for i, (_, tc, _) in enumerate(columns) if tc in _PG_JSON_TYPES]
            if at:
                rows = [_converted(row, at, loads) for row in rows]
        if conn._bytea_memoryview and columns is not None:
            # psycopg2 hands `bytea` out as memoryview (its dialect's
            # on_connect sets the flag; the other drivers return bytes)
            at = [i for i, (_, tc, _) in enumerate(columns) if tc in _PG_BYTEA]
            if at:
                rows = [_converted(row, at, memoryview) for row in rows]
        if conn._pg and columns is not None and conn._range_style is not None:
            at = [(i, tc) for i, (_, tc, _) in enumerate(columns) if pgrange.is_range_oid(tc)]
            for i, tc in at:
                convert = pgrange.converter(conn._range_style, tc)
                if convert is not None:
                    rows = [_converted(row, (i,), convert) for row in rows]
        network = _PG_NETWORK.get(conn._range_style) if conn._pg else None
        if network and columns is not None:
            for i, (_, tc, _) in enumerate(columns):
                if tc in network:
                    rows = [_converted(row, (i,), network[tc]) for row in rows]
        if conn._native_hstore and columns is not None:
            at = [i for i, (_, _, name) in enumerate(columns) if name == "hstore"]
            if at:
                rows = [_converted(row, at, _parse_hstore) for row in rows]
        # a tuple of 7-tuples, as the three drivers give it
        self.description = (
            None if columns is None else tuple((name, tc, None, None, None, None, None) for name, tc, _ in columns)
        )
        rows = self._took(operation, columns, rows, rowcount, lastrowid)
        self._rows = rows
        self._pos = 0
        self._fetch_error = None
        if fetch_error is not None:
            # SQLite failed past the first row: pysqlite raises from the
            # fetch that would have returned the last row produced.
            self._rows = rows[:-1]
            self._fetch_error = fetch_error
        if self._shape_rows is not None and columns is not None:
            self._rows = self._shape_rows(self.description, self._rows)
        return self._returned()

    def _returned(self):
        """What execute()/executemany() return: psycopg2 None (pymysql the
        affected rows, sqlite3 the cursor)."""
        return None if self.connection._pg else self

    @property
    def mogrify(self):
        """psycopg2's (bytes) and pymysql's (str) ``mogrify(query, args)``:
        the statement with its parameters written in; sqlite3 has none."""
        conn = self.connection

        def mogrify(query, args=None):
            if args and not conn._pg:
                args = self._bound(query, args)  # pymysql's adaptation
            try:
                text = conn._raw.mogrify(query, args)
            except _alembic_rs.DatabaseFailure as failure:
                error = conn._module._error(*failure.args)
            else:
                error = None
            if error is not None:
                raise error  # outside the except: see the module docstring
            return text.encode("utf-8") if conn._pg else text

        return mogrify

    @property
    def rownumber(self):
        """psycopg2's and pymysql's index of the next row (sqlite3 has none)."""
        return self._pos

    def _raise_fetch_error(self):
        args, self._fetch_error = self._fetch_error, None
        self._rows = []
        self._pos = 0
        raise self.connection._module._error(*args)

    def executemany(self, operation, seq_of_parameters):
        total = 0
        for params in seq_of_parameters:
            self.execute(operation, params)
            if self.rowcount > 0:
                total += self.rowcount
        self.rowcount = total
        self.description = None
        return self._returned()

    def fetchone(self):
        if self._pos < len(self._rows):
            row = self._rows[self._pos]
            self._pos += 1
            return row
        if self._fetch_error is not None:
            self._raise_fetch_error()
        if self.description is None:
            self._check_result_set()
        return None

    def _check_result_set(self):
        """A fetch after a statement without a result set (or before any):
        psycopg2 raises; sqlite3 and pymysql return nothing."""
        if self.connection._pg:
            raise self.connection._module.ProgrammingError("no results to fetch")

    def fetchmany(self, size=None):
        size = size or self.arraysize
        if self._fetch_error is not None and self._pos + size > len(self._rows):
            self._raise_fetch_error()
        if self.description is None:
            self._check_result_set()
        out = self._rows[self._pos : self._pos + size]
        self._pos += len(out)
        return out

    def fetchall(self):
        if self._fetch_error is not None:
            self._raise_fetch_error()
        if self.description is None:
            self._check_result_set()
        out = self._rows[self._pos :]
        self._pos = len(self._rows)
        return out

    def __iter__(self):
        return iter(self.fetchall())

    def __enter__(self):
        # psycopg2's, psycopg's and pymysql's cursors close at the block's end
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close()

    def setinputsizes(self, sizes):
        pass

    def setoutputsize(self, size, column=None):
        pass


# a statement DECLARE takes: a query that returns rows (data-modifying ones,
# RETURNING included, are refused there)
_QUERY = re.compile(r"\s*\(*\s*(?:SELECT|WITH|VALUES|TABLE)\b", re.IGNORECASE)


class PortalCursor(Cursor):
    """asyncpg's server-side cursor (``stream_results``, the ORM's
    ``yield_per``): a portal that stays open on the server until the
    transaction ends, however far it was read and after SQLAlchemy closed
    the cursor (asyncpg has no way to close one). While it is open the
    server refuses to alter the tables it reads ("cannot ALTER TABLE ...
    because it is being used by active queries in this session", 55006:
    tiled's authn tree, whose data migration reads ``api_keys`` with
    ``yield_per`` before the next revision drops one of its columns).
    Here: ``DECLARE`` then ``FETCH ALL``, the rows read at once as
    everywhere in this driver, and nothing closed. Other statements
    (``stream_results`` set on the connection applies to DDL too) complete
    in their portal and hold nothing; they run as usual, and so does
    everything outside a transaction (``autocommit_block``)."""

    def __init__(self, connection, name):
        super().__init__(connection)
        self._name = name

    def execute(self, operation, parameters=None):
        if self.connection.autocommit or not _QUERY.match(operation):
            return super().execute(operation, parameters)
        # the prefix holds no `%`: parameters are written in as for the
        # statement alone
        super().execute('DECLARE "%s" NO SCROLL CURSOR FOR %s' % (self._name, operation), parameters)
        return super().execute('FETCH ALL FROM "%s"' % self._name)


# How psycopg2 (libpq) reports a session the server ended (db::error),
# without and with TLS.
_PG_LOST = ("server closed the connection unexpectedly\n", "SSL connection has been closed unexpectedly\n")


class Connection:
    """psycopg2's model: a transaction begins before the first statement
    unless ``autocommit`` is set."""

    # How json/jsonb results are parsed (PostgreSQL only; set per
    # connection by the dialect for ``json_deserializer=``).
    _json_loads = None
    _pg = False
    _bytea_memoryview = False
    # psycopg2 hands `hstore` values out as text until `register_hstore`
    # (which SQLAlchemy's dialect calls at connect) makes them dicts.
    _native_hstore = False
    # what PostgreSQL range values come back as (pgrange.converter);
    # psycopg2's classes unless the dialect says otherwise at connect
    _range_style = "psycopg2"

    def __init__(self, module, raw):
        self._module = module
        self._raw = raw
        self._in_txn = False
        self.autocommit = False
        self.closed = False
        # psycopg2's ``isolation_level``: None is the server's default
        # (plain ``BEGIN``); a level set opens each transaction with it.
        self.isolation_level = None

    @property
    def in_transaction(self):
        return self._in_txn

    def _send(self, sql):
        self._call_raw(self._raw.execute, sql, None)

    def _call_raw(self, method, *args, began=None):
        """``method(*args)`` of the Rust connection, its failure raised as
        the driver's exception. ``began``: the call is a statement's, with
        or without a ``BEGIN`` sent ahead of it (``_failed`` then follows
        the driver's handling of a failed statement)."""
        try:
            result = method(*args)
        except _alembic_rs.DatabaseFailure as failure:
            if began is not None:
                self._failed(began, failure.args)
            self._check_lost()
            error = self._module._error(*failure.args)
        else:
            return result
        raise error  # outside the except: see the module docstring

    def _check_lost(self):
        """After a failure: a session the server ended leaves the
        connection closed, psycopg2's ``closed == 2`` (SQLAlchemy's
        psycopg2 dialect reads it as a disconnect) and no transaction."""
        if self._raw.lost:
            self._in_txn = False
            self.closed = 2

    def _before(self, operation):
        """Returns whether a transaction was begun for this statement."""
        if not self.autocommit and not self._in_txn:
            level = self.isolation_level
            self._send("BEGIN" if level is None else "BEGIN ISOLATION LEVEL " + level)
            self._in_txn = True
            return True
        return False

    def _after(self, operation):
        pass

    def _failed(self, began, args):
        pass

    def cursor(self, *args, **kw):
        return Cursor(self)

    def commit(self):
        if self._pg and self.closed:
            raise self._module.InterfaceError("connection already closed")
        if self._in_txn:
            self._in_txn = False
            self._send("COMMIT")

    def rollback(self):
        if self._pg and self.closed:
            raise self._module.InterfaceError("connection already closed")
        if self._in_txn:
            self._in_txn = False
            self._send("ROLLBACK")

    def close(self):
        if self.closed == 2:  # lost: psycopg2 closes what is left
            self._raw.close()
            self.closed = True
        elif not self.closed:
            if self._in_txn:
                try:
                    self.rollback()
                except Exception:
                    pass
            self._raw.close()
            self.closed = True


class _Diagnostics:
    """psycopg2's ``Error.diag``, read back from the message the server's
    fields were rendered into (primary line, then ``DETAIL:``, ``HINT:``,
    ``CONTEXT:`` lines); the fields that never reach the message (schema,
    table, column, constraint names, source location) are None."""

    _LINES = {"DETAIL": "message_detail", "HINT": "message_hint", "CONTEXT": "context"}

    def __init__(self, code, message):
        for name in ("column_name", "constraint_name", "context", "datatype_name",
                     "internal_position", "internal_query", "message_detail",
                     "message_hint", "message_primary", "schema_name", "severity",
                     "severity_nonlocalized", "source_file", "source_function",
                     "source_line", "sqlstate", "statement_position", "table_name"):
            setattr(self, name, None)
        if not code:
            return
        self.sqlstate = code
        self.severity = self.severity_nonlocalized = "ERROR"
        lines = message.rstrip("\n").split("\n")
        self.message_primary = lines[0]
        field = None
        for line in lines[1:]:
            head, sep, rest = line.partition(":  ")
            if sep and head in self._LINES:
                field = self._LINES[head]
                setattr(self, field, rest)
            elif field is not None:
                setattr(self, field, getattr(self, field) + "\n" + line)


def _pg_connection_class(url):
    """psycopg2's or psycopg 3's API for the URLs that name them (or
    SQLAlchemy's default driver when that is one of them), beyond PEP 249's
    that every driver shares."""
    from sqlalchemy.engine import make_url

    driver = make_url(url).get_driver_name()
    if driver in ("psycopg2", "psycopg2cffi"):
        from .psycopg2_api import Psycopg2Connection

        return Psycopg2Connection
    if driver == "psycopg":
        from .psycopg_api import PsycopgConnection

        return PsycopgConnection
    return Connection


def module_for(backend):
    # The module the usual driver's exception classes live in.
    err_module = {"postgresql": "psycopg2", "sqlite": "sqlite3"}.get(backend, "pymysql.err")
    mod = types.ModuleType("alembic._rs.dbapi_" + backend)
    mod.apilevel = "2.0"
    mod.threadsafety = 1
    mod.paramstyle = "qmark" if backend == "sqlite" else "pyformat"
    exceptions = _make_exceptions(err_module)
    mod.__dict__.update(exceptions)
    errors = {}

    def _error(message, code=None, kind=None):
        import builtins

        if kind in ("TypeError", "ValueError", "IndexError", "KeyError"):
            return getattr(builtins, kind)(message)
        if kind == "FileNotFoundError":
            # what `ssl.SSLContext` raises for a missing file (pymysql)
            return FileNotFoundError(2, "No such file or directory")
        if backend == "postgresql":
            known = _PG_ERRORS.get(code) if code else None
            base_name = known[1] if known else (kind or "DatabaseError")
            if known:
                cls = errors.get(code)
                if cls is None:
                    cls = errors[code] = type(
                        known[0], (exceptions[base_name],), {"__module__": "psycopg2.errors"}
                    )
            else:
                cls = exceptions.get(base_name, exceptions["DatabaseError"])
            exc = cls(message)
            exc.pgcode = code
            # psycopg2: the server's whole report, severity first, for a
            # statement's error; nothing for a failed connect (no code then)
            exc.pgerror = "ERROR:  " + message if code else None
            if kind == "OperationalError" and message.startswith(_PG_LOST) and not code:
                exc.pgerror = message
            exc.diag = _Diagnostics(code, message)
            return exc
        cls = exceptions.get(kind or "OperationalError", exceptions["DatabaseError"])
        if backend == "mysql" and code:
            return cls(int(code), message)
        exc = cls(message)
        if backend == "sqlite" and code is not None and sys.version_info >= (3, 11):
            # Python 3.11+'s sqlite3 on an error SQLite reported: the
            # extended result code and its name
            exc.sqlite_errorcode = int(code)
            exc.sqlite_errorname = _SQLITE_ERROR_NAMES.get(int(code), "unknown")
        return exc

    mod._error = _error

    def connect(url, *args, **kw):
        url, autocommit = connect_args.resolve(url, kw, backend)
        try:
            raw = _alembic_rs.RawConnection(url)
        except _alembic_rs.DatabaseFailure as failure:
            error = _error(*failure.args)
        else:
            error = None
        if error is not None:
            raise error  # outside the except: see the module docstring
        if backend == "mysql":
            from .pymysql_api import MySQLConnection

            return MySQLConnection(mod, raw, url, autocommit)
        if backend == "sqlite":
            from .sqlite3_api import SQLiteConnection

            return SQLiteConnection(mod, raw)
        conn = _pg_connection_class(url)(mod, raw)
        conn._json_loads = json.loads
        conn._pg = True
        if autocommit:
            conn.autocommit = True
        return conn

    mod.connect = connect
    mod.Binary = bytes
    mod.STRING, mod.BINARY, mod.NUMBER, mod.DATETIME, mod.ROWID = "STRING", "BINARY", "NUMBER", "DATETIME", "ROWID"
    if backend == "sqlite":
        version = _alembic_rs.sqlite_version()
        mod.sqlite_version = version
        mod.sqlite_version_info = tuple(int(p) for p in version.split("."))
        mod.version_info = (2, 6, 0)
        mod.PARSE_DECLTYPES = 1
        mod.PARSE_COLNAMES = 2
    mod.__version__ = "2.9.9 (dt dec pq3 ext lo64)" if backend == "postgresql" else "1.1.1"
    if backend == "mysql":
        # pymysql's own version (SQLAlchemy reads VERSION_STRING).
        mod.VERSION_STRING = "1.1.1"
        mod.version_info = (1, 1, 1, "final", 0)
    return mod
