"""PEP 249 driver over alembic-rs's own connections (Rust, sqlx).

One module object per backend (``postgresql``, ``sqlite``) is made by
``module_for``; SQLAlchemy's dialect reads ``paramstyle``, the exception
classes and ``connect`` from it. Exceptions carry the class names and
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
import operator
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


# pymysql's executemany of `INSERT|REPLACE ... VALUES (<placeholders>)
# [ON DUPLICATE ...]`: one multi-row statement, so the rows go in one round
# trip and one statement; a failing row fails them all, and MySQL numbers it
# within the statement ("at row 2"). pymysql starts another statement past
# max_stmt_length bytes of escaped values; here the length is estimated from
# the values' text, so only a statement near 1 MB may be cut elsewhere.
_INSERT_VALUES = (
    r"\s*((?:INSERT|REPLACE)\b.+\bVALUES?\s*)"
    r"(\(\s*(?:%s|%\(.+\)s)\s*(?:,\s*(?:%s|%\(.+\)s)\s*)*\))"
    r"(\s*(?:ON DUPLICATE.*)?);?\s*\Z"
)
_MYSQL_MAX_STMT_LENGTH = 1024000


def _mysql_multirow_batches(operation, rows):
    """``[(sql, params)]``: the multi-row statements pymysql would send for
    an executemany, or None when it runs the rows one by one (a statement
    other than INSERT/REPLACE ... VALUES (placeholders)). Rows that are
    mappings get their keys suffixed per row (``%(k)s`` -> ``%(k\x1f2)s``)
    so the statement is interpolated once, as pymysql formats each row."""
    if not rows or not isinstance(operation, str):
        return None
    # compiled on first use (re caches it): most runs never get here
    m = re.match(_INSERT_VALUES, operation, re.IGNORECASE | re.DOTALL)
    if m is None:
        return None
    prefix, values, postfix = m.group(1), m.group(2).rstrip(), m.group(3) or ""
    named = isinstance(rows[0], dict)

    def row_part(i, row):
        if not named:
            return values, list(row)
        part = re.sub(r"%\((.+?)\)s", lambda k: "%%(%s\x1f%d)s" % (k.group(1), i), values)
        return part, {"%s\x1f%d" % (k, i): v for k, v in row.items()}

    def size_of(row):
        items = row.values() if named else row
        return len(values) + sum(len(str(v)) for v in items)

    batches = []
    part, params = row_part(0, rows[0])
    sql, size = prefix + part, len(prefix) + size_of(rows[0])
    for i, row in enumerate(rows[1:], 1):
        part, row_params = row_part(i, row)
        row_size = size_of(row)
        if size + row_size + len(postfix) + 1 > _MYSQL_MAX_STMT_LENGTH:
            batches.append((sql + postfix, params))
            sql, params, size = prefix + part, row_params, len(prefix) + row_size
            continue
        sql += "," + part
        if named:
            params.update(row_params)
        else:
            params.extend(row_params)
        size += row_size + 1
    batches.append((sql + postfix, params))
    return batches


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
    # pymysql's SSCursor and SSDictCursor
    _unbuffered = False
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

    def execute(self, operation, parameters=None):
        conn = self.connection
        if parameters and isinstance(conn, SQLiteConnection):
            _check_sqlite_params(conn._module, operation, parameters)
        elif parameters and isinstance(conn, MySQLConnection):
            parameters = _pymysql_params(parameters)
        elif parameters and conn._pg and conn._range_style in ("asyncpg", "psycopg"):
            parameters = _network_params(parameters)
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
            message = str(failure)
            if conn._pg and message.startswith("can't adapt"):
                error = conn._module.ProgrammingError(message)
            elif isinstance(conn, MySQLConnection) and message == "can't adapt type 'dict'":
                error = TypeError("dict can not be used as parameter")
            else:
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
        if isinstance(conn, MySQLConnection):
            # pymysql keeps a result's rows as a tuple, and fetchmany() and
            # fetchall() return slices of it
            rows = tuple(rows)
        self._rows = rows
        self._pos = 0
        self._fetch_error = None
        if fetch_error is not None:
            # SQLite failed past the first row: pysqlite raises from the
            # fetch that would have returned the last row produced.
            self._rows = rows[:-1]
            self._fetch_error = fetch_error
        if isinstance(conn, SQLiteConnection) and columns is None and not _DML.match(operation):
            rowcount = -1  # pysqlite counts changes for INSERT/UPDATE/DELETE/REPLACE only
        self.rowcount = rowcount
        # psycopg2: the statement's OID, 0 without table OIDs (PostgreSQL 12+)
        self.lastrowid = 0 if conn._pg and lastrowid is None else lastrowid
        if isinstance(conn, MySQLConnection):
            if columns is not None:
                # pymysql: a result set has no insert id; an unbuffered
                # cursor's row count is unknown (-1 as an unsigned 64-bit)
                self.lastrowid = None
                if self._unbuffered:
                    self.rowcount = 2**64 - 1
            conn._last_result = (self.lastrowid, self.rowcount)
        if self._shape_rows is not None and columns is not None:
            self._rows = self._shape_rows(self.description, self._rows)
        return self._returned()

    def _returned(self):
        """What execute()/executemany() return: psycopg2 None, pymysql the
        affected rows, sqlite3 the cursor."""
        if self.connection._pg:
            return None
        if isinstance(self.connection, MySQLConnection):
            return self.rowcount
        return self

    @property
    def mogrify(self):
        """psycopg2's (bytes) and pymysql's (str) ``mogrify(query, args)``:
        the statement with its parameters written in; sqlite3 has none."""
        conn = self.connection
        if isinstance(conn, SQLiteConnection):
            raise AttributeError("'sqlite3.Cursor' object has no attribute 'mogrify'")

        def mogrify(query, args=None):
            if args and isinstance(conn, MySQLConnection):
                args = _pymysql_params(args)
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
        if isinstance(self.connection, SQLiteConnection):
            raise AttributeError("'sqlite3.Cursor' object has no attribute 'rownumber'")
        return self._pos

    def _raise_fetch_error(self):
        args, self._fetch_error = self._fetch_error, None
        self._rows = []
        self._pos = 0
        raise self.connection._module._error(*args)

    def executemany(self, operation, seq_of_parameters):
        if isinstance(self.connection, MySQLConnection):
            rows = list(seq_of_parameters)
            batches = _mysql_multirow_batches(operation, rows)
            if batches is not None:
                total = 0
                for sql, params in batches:
                    self.execute(sql, params)
                    total += self.rowcount
                self.rowcount = total
                return total
            seq_of_parameters = rows
        lastrowid = self.lastrowid
        if isinstance(self.connection, SQLiteConnection):
            if not _DML.match(operation):
                raise self.connection._module.ProgrammingError(
                    "executemany() can only execute DML statements."
                )
        total = 0
        for params in seq_of_parameters:
            self.execute(operation, params)
            if self.rowcount > 0:
                total += self.rowcount
        self.rowcount = total
        self.description = None
        if isinstance(self.connection, SQLiteConnection):
            self.lastrowid = lastrowid  # pysqlite's executemany leaves it
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
            if isinstance(self.connection, MySQLConnection):
                return ()  # pymysql's
        out = self._rows[self._pos : self._pos + size]
        self._pos += len(out)
        return out

    def fetchall(self):
        if self._fetch_error is not None:
            self._raise_fetch_error()
        if self.description is None:
            self._check_result_set()
            if isinstance(self.connection, MySQLConnection):
                return []  # pymysql's
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


# the exact types pymysql's escape_item has an encoder for (Decimal and UUID
# are checked by name: the driver writes a UUID as pymysql's str() does),
# and memoryview, which the driver writes as its bytes (pymysql: its repr)
# (pymysql has no encoder for memoryview: it escapes its str(),
# `'<memory at 0x...>'`, as any other unknown type's)
_PYMYSQL_KNOWN = frozenset((
    bool, int, float, str, bytes, bytearray, tuple, list, dict, type(None),
    datetime.datetime, datetime.date, datetime.time, datetime.timedelta,
))


def _pymysql_value(value):
    tp = type(value)
    if tp in _PYMYSQL_KNOWN or tp.__name__ in ("Decimal", "UUID"):
        return value
    if isinstance(value, (str, bytes, bytearray)):
        return value  # pymysql escapes these by isinstance: a str Enum is its value
    if tp in (set, frozenset):
        return tuple(value)
    # pymysql escapes a value of any other type (an Enum member, an int
    # subclass such as IntEnum, a namedtuple) as its str()
    return str(value)


def _pymysql_params(parameters):
    if isinstance(parameters, dict):
        if all(type(v) in _PYMYSQL_KNOWN for v in parameters.values()):
            return parameters
        return {k: _pymysql_value(v) for k, v in parameters.items()}
    if isinstance(parameters, (list, tuple)):
        if all(type(v) in _PYMYSQL_KNOWN for v in parameters):
            return parameters
        return tuple(_pymysql_value(v) for v in parameters)
    return parameters


_SQLITE_ADAPTED = frozenset((datetime.date, datetime.datetime))
_SQLITE_LITERALS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?\*/", re.S)
_SQLITE_NAMED = re.compile(r"[:@$]([A-Za-z_][A-Za-z_0-9]*)")


def _sqlite_type_name(tp):
    """The name sqlite3's message gives a type: CPython's ``tp_name``, the
    module-qualified name of a C type (``decimal.Decimal``), the bare name
    of a class written in Python (``UUID``)."""
    if tp.__flags__ & (1 << 9) or tp.__module__ == "builtins":  # Py_TPFLAGS_HEAPTYPE
        return tp.__name__
    return "%s.%s" % (tp.__module__, tp.__qualname__)


def _check_sqlite_params(module, operation, parameters):
    """sqlite3 binds None, int, float, str and buffers, and adapts exactly
    ``datetime.date`` / ``datetime.datetime`` (Python 3.11's default
    adapters); anything else fails before the statement runs (and before
    pysqlite's implicit BEGIN). The driver below would take more (Decimal,
    time, timedelta, UUID), so the refusal is sqlite3's, here."""
    values = parameters.values() if isinstance(parameters, dict) else parameters
    if isinstance(parameters, (dict, list, tuple)) and all(map(_sqlite_plain, values)):
        return  # what nearly every call binds: the statement is not parsed
    if isinstance(parameters, dict):
        seen = []
        for name in _SQLITE_NAMED.findall(_SQLITE_LITERALS.sub("", operation)):
            if name not in seen:
                seen.append(name)
        items = [(i + 1, parameters[name]) for i, name in enumerate(seen) if name in parameters]
    elif isinstance(parameters, (list, tuple)):
        items = list(enumerate(parameters, 1))
    else:
        return
    for index, value in items:
        if value is None or isinstance(value, (str, float)) or type(value) in _SQLITE_ADAPTED:
            continue
        if isinstance(value, int):
            if not -(2**63) <= value < 2**63:
                raise OverflowError("Python int too large to convert to SQLite INTEGER")
            continue
        if isinstance(value, (bytes, bytearray, memoryview, list, tuple)):
            continue  # buffers bind; lists and tuples fail in the driver, as here
        try:
            memoryview(value)
            continue
        except TypeError:
            pass
        # raised outside the except: see the module docstring
        raise module.ProgrammingError(
            "Error binding parameter %d: type '%s' is not supported"
            % (index, _sqlite_type_name(type(value)))
        )


def _sqlite_plain(value):
    """A value sqlite3 binds as it is (the common case, checked first)."""
    tp = type(value)
    return value is None or tp is str or tp is float or tp is bytes or (
        tp is int and -(2**63) <= value < 2**63
    )


class SQLiteConnection(Connection):
    """pysqlite's (Python 3.11) model: BEGIN only before INSERT/UPDATE/
    DELETE/REPLACE; DDL outside a transaction autocommits."""

    def __init__(self, module, raw):
        super().__init__(module, raw)
        self._isolation_level = ""

    @property
    def isolation_level(self):
        return self._isolation_level

    @isolation_level.setter
    def isolation_level(self, value):
        if value is None and self._in_txn:
            self.commit()
        self._isolation_level = value

    @property
    def _in_txn(self):
        """SQLite's own answer (``sqlite3_get_autocommit``), which pysqlite
        consults before each DML statement and in ``commit()``/``rollback()``:
        a ``SAVEPOINT`` outside a transaction opens one and a failed savepoint
        (``ROLLBACK TO``, no ``RELEASE``) leaves it open, so tracking the
        statements sent would send a second ``BEGIN`` ("cannot start a
        transaction within a transaction")."""
        return bool(self._raw.sqlite_in_transaction)

    @_in_txn.setter
    def _in_txn(self, value):
        """Ignored: the state is SQLite's (see the getter)."""

    def _before(self, operation):
        if self._isolation_level is not None and not self._in_txn and _DML.match(operation):
            self._send("BEGIN " + self._isolation_level)
            self._in_txn = True
            return True
        return False

    def _failed(self, began, args):
        # sqlite3 opens its transaction only once the statement compiled; a
        # statement that fails to compile (SQLITE_ERROR, code 1) leaves no
        # transaction behind, so undo the BEGIN we sent ahead of it.
        code = args[1] if len(args) > 1 else None
        if began and str(code) == "1":
            self._in_txn = False
            self._send("ROLLBACK")

    # sqlite3.Connection's row shaping, applied as rows are fetched
    row_factory = None
    text_factory = str

    def cursor(self, factory=None):
        if factory is not None:
            raise self._module.NotSupportedError(
                "alembic-rs's driver makes sqlite3's own cursors only (cursor(factory=...))"
            )
        cursor = SQLiteCursor(self)
        cursor.row_factory = self.row_factory
        return cursor

    @property
    def total_changes(self):
        return self._call_raw(self._raw.sqlite_total_changes)

    def executescript(self, sql_script):
        return self.cursor().executescript(sql_script)

    def iterdump(self):
        """pysqlite's dump, which reads the schema through this connection."""
        from sqlite3.dump import _iterdump

        return _iterdump(self)

    # sqlite3.Connection's shortcuts: a new cursor, run and returned
    # (oslo.db's connect hook sends its pragmas with ``dbapi_con.execute``)
    def execute(self, sql, parameters=None):
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql, seq_of_parameters):
        cursor = self.cursor()
        cursor.executemany(sql, seq_of_parameters)
        return cursor

    # sqlite3.Connection's user-defined SQL functions, aggregates and
    # collations (SQLAlchemy's dialect registers ``regexp`` and ``floor``;
    # oslo.db and others their own in a ``connect`` event): registered on
    # the SQLite connection itself, called back during the statements
    # (src/python/sqlite_udf.rs). As in Python 3.11, a collation given as
    # ``None`` is removed, while a function or aggregate ``None`` is
    # registered and fails when called.
    def create_function(self, name, narg, func, *, deterministic=False):
        _name_check("create_function", name)
        self._call_raw(self._raw.sqlite_create_function, name, operator.index(narg), func,
                       bool(deterministic))

    def create_aggregate(self, name, n_arg, aggregate_class):
        _name_check("create_aggregate", name)
        self._call_raw(self._raw.sqlite_create_aggregate, name, operator.index(n_arg),
                       aggregate_class)

    def create_collation(self, name, callback, /):
        _name_check("create_collation", name)
        if callback is not None and not callable(callback):
            raise TypeError("parameter must be callable")
        self._call_raw(self._raw.sqlite_create_collation, name, callback)

    # sqlite3.Connection's extension loading (SpatiaLite, sqlite-vec, ICU:
    # kitchenowl's and geoalchemy2's ``connect`` events), into alembic-rs's
    # own SQLite. Python has these methods only where its sqlite3 was built
    # with loadable extensions (Debian's and Ubuntu's python3, not pyenv's
    # or python.org's default builds); a project whose env.py calls them
    # runs on such a Python, so they are always here (docs/differences.md).
    def enable_load_extension(self, *args):
        (enable,) = _one_argument("enable_load_extension", args)
        self._call_raw(self._raw.sqlite_enable_load_extension, bool(operator.index(enable)))

    def load_extension(self, *args):
        (name,) = _one_argument("load_extension", args)
        if not isinstance(name, str):
            raise TypeError("load_extension() argument must be str, not %s" % type(name).__name__)
        if "\0" in name:
            raise ValueError("embedded null character")
        self._call_raw(self._raw.sqlite_load_extension, name)

    def __getattr__(self, name):
        """What sqlite3.Connection lacks, it lacks here with sqlite3's
        message (not this class's name)."""
        raise AttributeError("'sqlite3.Connection' object has no attribute '%s'" % name)


class SQLiteCursor(Cursor):
    """sqlite3.Cursor's own: ``executescript``, and rows shaped as they are
    fetched by the connection's ``text_factory`` and the cursor's
    ``row_factory`` (``sqlite3.Row`` by a stand-in: sqlite3's own takes
    only its C cursor)."""

    row_factory = None

    def __enter__(self):
        raise TypeError("'sqlite3.Cursor' object does not support the context manager protocol")

    def executescript(self, sql_script):
        if not isinstance(sql_script, str):
            raise TypeError("executescript() argument must be str, not %s" % type(sql_script).__name__)
        if "\0" in sql_script:
            raise ValueError("embedded null character")
        conn = self.connection
        if conn._in_txn:
            conn._send("COMMIT")
        conn._call_raw(conn._raw.sqlite_execute_script, sql_script)
        self.description = None
        self._rows, self._pos = [], 0
        return self

    def fetchone(self):
        row = super().fetchone()
        if row is None or (self.row_factory is None and self.connection.text_factory is str):
            return row
        return self._shaped((row,))[0]

    def fetchmany(self, size=None):
        return self._shaped(super().fetchmany(size))

    def fetchall(self):
        return self._shaped(super().fetchall())

    def _shaped(self, rows):
        text = self.connection.text_factory
        if text is not str:
            convert = bytes if text is bytes else (lambda b: text(b))
            rows = [tuple(convert(v.encode("utf-8")) if type(v) is str else v for v in r) for r in rows]
        factory = self.row_factory
        if factory is None:
            return rows
        if factory is sys.modules.get("sqlite3", types).__dict__.get("Row"):
            return [Row(self.description, r) for r in rows]
        return [factory(self, r) for r in rows]

    def __getattr__(self, name):
        raise AttributeError("'sqlite3.Cursor' object has no attribute '%s'" % name)


# the name `type(cursor).__name__` gives under sqlite3
SQLiteCursor.__name__ = SQLiteCursor.__qualname__ = "Cursor"


class Row(tuple):
    """sqlite3.Row's behaviour: items by position or by a column name in any
    case, ``keys()``."""

    def __new__(cls, description, values):
        row = super().__new__(cls, values)
        row._names = [d[0] for d in description]
        return row

    def __getitem__(self, key):
        if isinstance(key, str):
            folded = key.casefold()
            for i, name in enumerate(self._names):
                if name.casefold() == folded:
                    return tuple.__getitem__(self, i)
            raise IndexError("No item with that key")
        return tuple.__getitem__(self, key)

    def keys(self):
        return list(self._names)

    def __repr__(self):
        return "<sqlite3.Row object at 0x%x>" % id(self)


def _one_argument(method, args):
    """sqlite3.Connection's positional-only, one-argument methods' check."""
    if len(args) != 1:
        raise TypeError("Connection.%s() takes exactly one argument (%d given)" % (method, len(args)))
    return args


def _name_check(method, name):
    if not isinstance(name, str):
        raise TypeError("%s() argument 'name' must be str, not %s" % (method, type(name).__name__))


class MySQLConnection(Connection):
    """pymysql's model: ``SET AUTOCOMMIT = 0`` at connect, then the server
    opens transactions by itself; no ``BEGIN`` is sent, ``commit()`` and
    ``rollback()`` always send ``COMMIT``/``ROLLBACK`` (DDL commits
    implicitly on the server, so what ran before a failure stays)."""

    def __init__(self, module, raw, charset, autocommit=False):
        # Not Connection.__init__: its ``autocommit`` attribute would hide
        # pymysql's ``autocommit()`` method.
        self._module = module
        self._raw = raw
        self._in_txn = False
        self.closed = False
        self.charset = charset
        self._autocommit = True
        if autocommit is not None:
            # pymysql's `autocommit` connect argument (None: the server's)
            self.autocommit(autocommit)

    # (insert_id(), affected_rows()) of the last statement
    _last_result = (0, 0)

    def cursor(self, cursor=None):
        """pymysql's ``cursor(cursor_class)``: its ``DictCursor`` and
        ``SSDictCursor`` rows are dicts; ``SSCursor`` reads as ``Cursor``."""
        made = Cursor(self)
        if cursor is None:
            return made
        cursors = sys.modules.get("pymysql.cursors")
        if cursors is not None and issubclass(cursor, (cursors.DictCursor, cursors.SSDictCursor)):
            made._shape_rows = _mysql_dicts
            made._unbuffered = issubclass(cursor, cursors.SSDictCursor)
        elif cursors is not None and cursor is cursors.SSCursor:
            made._shape_rows = lambda description, rows: list(rows)
            made._unbuffered = True
        elif cursors is None or cursor is not cursors.Cursor:
            raise self._module.NotSupportedError(
                "alembic-rs's driver cannot make a %s cursor (pymysql's Cursor, DictCursor, "
                "SSCursor and SSDictCursor are known)" % cursor.__name__
            )
        return made

    def insert_id(self):
        return self._last_result[0]

    def affected_rows(self):
        return self._last_result[1]

    def escape(self, obj, mapping=None):
        """pymysql's literal of ``obj`` (a quoted string for text)."""
        return self._raw.mogrify("%s", _pymysql_params((obj,)))

    literal = escape

    def __getattr__(self, name):
        raise AttributeError("'Connection' object has no attribute '%s'" % name)

    def autocommit(self, value):
        value = bool(value)
        if value != self._autocommit:
            self._send("SET AUTOCOMMIT = %d" % value)
            self._autocommit = value

    def get_autocommit(self):
        return self._autocommit

    def _before(self, operation):
        return False

    # The logger asyncmy reports a statement's notes and warnings to (set by
    # the asyncmy dialect, aio.py); pymysql and aiomysql under SQLAlchemy
    # 2.1 report none.
    _notes_logger = None

    def report_notes_to(self, logger):
        """Report each statement's notes and warnings to ``logger``, as
        asyncmy does: after a statement whose result counts any, asyncmy
        reads ``SHOW WARNINGS`` and logs each message at WARNING (MariaDB
        answers ``Note 1280 Name 'pk_x' ignored for PRIMARY key`` for a
        named primary key, which a naming convention gives every table)."""
        self._notes_logger = logger
        self._clear_notes()

    def _after(self, operation):
        if self._notes_logger is None:
            return
        # sqlx does not hand out the warning count of the statement's OK
        # packet, so every statement is followed by SHOW WARNINGS. MariaDB
        # keeps the list of the last statement that left one until a
        # statement that uses a table replaces it, so after a non-empty
        # list (or a failure) the list is emptied, or the next `SELECT 1`
        # would report it again.
        try:
            notes = self._raw.execute("SHOW WARNINGS", None)[1]
        except _alembic_rs.DatabaseFailure:
            return
        if notes:
            self._clear_notes()
            for note in notes:
                self._notes_logger.warning(note[-1])

    def _failed(self, began, args):
        if self._notes_logger is not None:
            self._clear_notes()

    def _clear_notes(self):
        """Empty the server's list of notes: a statement that uses a table
        (a derived one suffices) and leaves none."""
        try:
            self._raw.execute("SELECT 1 FROM (SELECT 1) AS notes_cleared", None)
        except _alembic_rs.DatabaseFailure:
            pass

    def commit(self):
        self._send("COMMIT")

    def rollback(self):
        self._send("ROLLBACK")

    def begin(self):
        self._send("BEGIN")

    def ping(self, reconnect=False):
        if self.closed:
            raise self._module._error("Already closed", None, "Error")
        self._send("SELECT 1")

    def character_set_name(self):
        return self.charset

    def get_server_info(self):
        return self._raw.server_version

    @property
    def open(self):
        return not self.closed and not self._raw.lost

    def _check_lost(self):
        self._in_txn = False

    def close(self):
        if not self.closed:
            self._raw.close()
            self.closed = True

    def select_db(self, db):
        self._send("USE `%s`" % db.replace("`", "``"))

    def show_warnings(self):
        cursor = Cursor(self)
        cursor.execute("SHOW WARNINGS")
        return tuple(cursor.fetchall())


def _mysql_dicts(description, rows):
    names = [d[0] for d in description]
    return [dict(zip(names, row)) for row in rows]


def _mysql_charset(url):
    from sqlalchemy.engine.url import make_url

    try:
        charset = make_url(url).query.get("charset")
    except Exception:
        charset = None
    if isinstance(charset, tuple):
        charset = charset[-1]
    return charset or "utf8mb4"


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
    conn_cls = SQLiteConnection if backend == "sqlite" else Connection

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
            return MySQLConnection(mod, raw, _mysql_charset(url), autocommit)
        conn = (_pg_connection_class(url) if backend == "postgresql" else conn_cls)(mod, raw)
        if backend == "postgresql":
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
