"""sqlite3's model for alembic-rs's SQLite connections (Python 3.11's
pysqlite): when transactions begin, which parameters bind, the cursor's
return values and row counts, and the connection's own API beyond PEP 249
(``executescript``, ``row_factory``/``text_factory``, ``iterdump``,
user-defined functions, extension loading, ``total_changes``)."""

import datetime
import operator
import re
import sys
import types

from .dbapi import _DML, Connection, Cursor

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

    def _bound(self, operation, parameters):
        _check_sqlite_params(self.connection._module, operation, parameters)
        return parameters

    def _took(self, operation, columns, rows, rowcount, lastrowid):
        if columns is None and not _DML.match(operation):
            rowcount = -1  # pysqlite counts changes for INSERT/UPDATE/DELETE/REPLACE only
        self.rowcount = rowcount
        self.lastrowid = lastrowid
        return rows

    def _returned(self):
        return self

    def executemany(self, operation, seq_of_parameters):
        if not _DML.match(operation):
            raise self.connection._module.ProgrammingError("executemany() can only execute DML statements.")
        lastrowid = self.lastrowid
        super().executemany(operation, seq_of_parameters)
        self.lastrowid = lastrowid  # pysqlite's executemany leaves it
        return self

    @property
    def mogrify(self):
        raise AttributeError("'sqlite3.Cursor' object has no attribute 'mogrify'")

    @property
    def rownumber(self):
        raise AttributeError("'sqlite3.Cursor' object has no attribute 'rownumber'")

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


# the names `type(obj).__name__` gives under sqlite3
SQLiteCursor.__name__ = SQLiteCursor.__qualname__ = "Cursor"
SQLiteConnection.__name__ = SQLiteConnection.__qualname__ = "Connection"


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
