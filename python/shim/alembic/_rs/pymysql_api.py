"""pymysql's model for alembic-rs's MySQL/MariaDB connections: its
autocommit handling and transactions, how it adapts parameters and batches
``executemany``, its cursor classes, and the connection's API beyond PEP 249
(``insert_id``, ``escape``, ``select_db``, ``show_warnings``, ...)."""

import datetime
import re
import sys

import _alembic_rs

from .dbapi import Connection, Cursor


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


class MySQLCursor(Cursor):
    """pymysql's cursor: its parameter adaptation, the affected rows as
    execute()'s value, a result's rows kept as a tuple, and executemany()
    of an INSERT as multi-row statements."""

    # SSCursor and SSDictCursor
    _unbuffered = False

    def _bound(self, operation, parameters):
        return _pymysql_params(parameters)

    def _unadaptable(self, message):
        if message == "can't adapt type 'dict'":
            return TypeError("dict can not be used as parameter")
        return None

    def _took(self, operation, columns, rows, rowcount, lastrowid):
        self.rowcount = rowcount
        self.lastrowid = lastrowid
        if columns is not None:
            # a result set has no insert id; an unbuffered cursor's row
            # count is unknown (-1 as an unsigned 64-bit)
            self.lastrowid = None
            if self._unbuffered:
                self.rowcount = 2**64 - 1
        self.connection._last_result = (self.lastrowid, self.rowcount)
        # pymysql keeps a result's rows as a tuple, and fetchmany() and
        # fetchall() return slices of it
        return tuple(rows)

    def _returned(self):
        return self.rowcount

    def executemany(self, operation, seq_of_parameters):
        rows = list(seq_of_parameters)
        batches = _mysql_multirow_batches(operation, rows)
        if batches is None:
            return super().executemany(operation, rows)
        total = 0
        for sql, params in batches:
            self.execute(sql, params)
            total += self.rowcount
        self.rowcount = total
        return total

    # without a result set, pymysql's fetches return an empty tuple / list
    def fetchmany(self, size=None):
        rows = super().fetchmany(size)
        return () if self.description is None else rows

    def fetchall(self):
        rows = super().fetchall()
        return [] if self.description is None else rows


# the names `type(obj).__name__` gives under pymysql
MySQLCursor.__name__ = MySQLCursor.__qualname__ = "Cursor"


class MySQLConnection(Connection):
    """pymysql's model: ``SET AUTOCOMMIT = 0`` at connect, then the server
    opens transactions by itself; no ``BEGIN`` is sent, ``commit()`` and
    ``rollback()`` always send ``COMMIT``/``ROLLBACK`` (DDL commits
    implicitly on the server, so what ran before a failure stays)."""

    def __init__(self, module, raw, url, autocommit=False):
        # Not Connection.__init__: its ``autocommit`` attribute would hide
        # pymysql's ``autocommit()`` method.
        self._module = module
        self._raw = raw
        self._in_txn = False
        self.closed = False
        self._describe(url)
        self._autocommit = True
        if autocommit is not None:
            # pymysql's `autocommit` connect argument (None: the server's)
            self.autocommit(autocommit)

    # (insert_id(), affected_rows()) of the last statement
    _last_result = (0, 0)

    def cursor(self, cursor=None):
        """pymysql's ``cursor(cursor_class)``: its ``DictCursor`` and
        ``SSDictCursor`` rows are dicts; ``SSCursor`` reads as ``Cursor``."""
        made = MySQLCursor(self)
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

    # pymysql's attributes that name the session (``raw.db`` for the
    # database in a data migration, ``thread_id()`` for a KILL) and its
    # character set; taken from the URL the driver connected with, as
    # pymysql keeps its connect() arguments
    def _describe(self, url):
        from sqlalchemy.engine import make_url

        u = make_url(url)

        def option(key):
            value = u.query.get(key)
            return value[-1] if isinstance(value, tuple) else value

        self.host = u.host or "localhost"
        self.port = u.port or 3306
        self.user = (u.username or "").encode("utf-8")
        self.password = (u.password or "").encode("utf-8")
        self.db = None if u.database is None else u.database.encode("utf-8")
        self.unix_socket = option("unix_socket")
        self.charset = option("charset") or "utf8mb4"
        self.encoding = _PYTHON_ENCODINGS.get(self.charset, self.charset)

    def get_server_info(self):
        return self.server_version

    @property
    def server_version(self):
        """The handshake's version text: MariaDB 10's starts ``5.5.5-``
        (a replication work-around MariaDB 11.0.1 dropped), which the
        driver's ``VERSION()`` does not have."""
        version = self._raw.server_version
        if "MariaDB" in version and version.startswith("10."):
            return "5.5.5-" + version
        return version

    def thread_id(self):
        if self._thread_id is None:
            self._thread_id = self._call_raw(self._raw.execute, "SELECT CONNECTION_ID()", None)[1][0][0]
        return self._thread_id

    _thread_id = None

    @property
    def server_thread_id(self):
        return (self.thread_id(),)

    def get_host_info(self):
        if self.unix_socket:
            return "Localhost via UNIX socket"
        return "socket %s:%d" % (self.host, self.port)

    def get_proto_info(self):
        return 10

    protocol_version = 10
    use_unicode = True

    @property
    def autocommit_mode(self):
        return self._autocommit

    @property
    def cursorclass(self):
        try:
            from pymysql.cursors import Cursor
        except ImportError:
            raise AttributeError("'Connection' object has no attribute 'cursorclass'") from None
        return Cursor

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
        cursor = MySQLCursor(self)
        cursor.execute("SHOW WARNINGS")
        return tuple(cursor.fetchall())


# pymysql's Charset.encoding: the Python codec of a MySQL character set
_PYTHON_ENCODINGS = {"utf8mb4": "utf8", "utf8mb3": "utf8", "latin1": "cp1252", "koi8r": "koi8_r", "koi8u": "koi8_u"}


def _mysql_dicts(description, rows):
    names = [d[0] for d in description]
    return [dict(zip(names, row)) for row in rows]


MySQLConnection.__name__ = MySQLConnection.__qualname__ = "Connection"
