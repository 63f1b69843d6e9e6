"""SQLAlchemy dialects whose DB-API is alembic-rs's own driver.

Registered over the usual names (``postgresql``, ``postgresql+psycopg2``,
``sqlite``, ...) so the engine an unmodified env.py builds talks to the
database through Rust, and no driver package is needed.
"""

import os
import sys
from urllib.parse import urlencode

from sqlalchemy.dialects import registry
from sqlalchemy.dialects.mysql.mariadb import MariaDBDialect
from sqlalchemy.dialects.mysql.pymysql import MySQLDialect_pymysql
from sqlalchemy import util as sa_util
from sqlalchemy.dialects.postgresql.base import PGDialect
from sqlalchemy.dialects.postgresql.pg_catalog import INT2VECTOR, OIDVECTOR, _SpaceVector
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite

from . import dbapi

_modules = {}


def _module(backend):
    mod = _modules.get(backend)
    if mod is None:
        mod = _modules[backend] = dbapi.module_for(backend)
    return mod


class _INT2VECTOR(_SpaceVector, INT2VECTOR):
    pass


class _OIDVECTOR(_SpaceVector, OIDVECTOR):
    pass


class PGDialect_alembic_rs(PGDialect):
    driver = "psycopg2"
    supports_statement_cache = True
    # Like psycopg2, the driver hands `int2vector`/`oidvector` over as
    # "1 2" strings; SQLAlchemy's index reflection wants lists of ints.
    colspecs = sa_util.update_copy(PGDialect.colspecs, {INT2VECTOR: _INT2VECTOR, OIDVECTOR: _OIDVECTOR})
    supports_server_side_cursors = False
    default_paramstyle = "pyformat"
    # psycopg2's: an executemany INSERT goes out as batched multi-VALUES
    # statements (what a failing `bulk_insert` shows in its error).
    use_insertmanyvalues_wo_returning = True

    @classmethod
    def import_dbapi(cls):
        return _module("postgresql")

    def create_connect_args(self, url):
        return ([url.render_as_string(hide_password=False)], {})

    def get_isolation_level_values(self, dbapi_connection):
        return ("AUTOCOMMIT", "READ COMMITTED", "READ UNCOMMITTED", "REPEATABLE READ", "SERIALIZABLE")

    def set_isolation_level(self, dbapi_connection, level):
        if level == "AUTOCOMMIT":
            dbapi_connection.rollback()
            dbapi_connection.autocommit = True
        else:
            dbapi_connection.autocommit = False
            super().set_isolation_level(dbapi_connection, level)

    def get_isolation_level(self, dbapi_connection):
        if dbapi_connection.autocommit:
            return "AUTOCOMMIT"
        return super().get_isolation_level(dbapi_connection)

    def detect_autocommit_setting(self, dbapi_conn):
        return bool(dbapi_conn.autocommit)

    def do_ping(self, dbapi_connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT 1")
        return True


class SQLiteDialect_alembic_rs(SQLiteDialect_pysqlite):
    supports_statement_cache = True

    @classmethod
    def import_dbapi(cls):
        return _module("sqlite")

    def create_connect_args(self, url):
        filename = url.database or ":memory:"
        if filename != ":memory:":
            filename = os.path.abspath(filename)
        base = "sqlite:///" + filename if filename != ":memory:" else "sqlite://"
        # `?timeout=`, `?uri=true` and the other sqlite3.connect keywords
        # SQLAlchemy takes from the query reach the driver the same way.
        if url.query:
            pairs = [
                (key, v)
                for key, value in url.query.items()
                for v in (value if isinstance(value, tuple) else (value,))
            ]
            base += "?" + urlencode(pairs)
        return ([base], {})


class MySQLDialect_alembic_rs(MySQLDialect_pymysql):
    """SQLAlchemy's pymysql dialect over our driver, which behaves like
    pymysql (``SET AUTOCOMMIT = 0`` at connect, no ``BEGIN``, errors as
    ``pymysql.err.*(errno, message)``), whatever driver the URL names."""

    supports_statement_cache = True
    supports_server_side_cursors = False

    @classmethod
    def import_dbapi(cls):
        return _module("mysql")

    def create_connect_args(self, url):
        return ([url.render_as_string(hide_password=False)], {})

    def do_ping(self, dbapi_connection):
        # Not SQLAlchemy's: it inspects pymysql's ping() signature.
        dbapi_connection.ping()
        return True


class MariaDBDialect_alembic_rs(MariaDBDialect, MySQLDialect_alembic_rs):
    """What ``mariadb+pymysql://`` loads: SQLAlchemy's MariaDB dialect
    (``name`` ``mariadb``, ``is_mariadb``) over the same driver."""

    supports_statement_cache = True


def _per_driver(base, prefix, drivers):
    """One subclass per driver name, so ``dialect.driver`` reads as the
    URL says (env.py code sometimes branches on it)."""
    names = {}
    for driver in drivers:
        cls_name = "%s_%s" % (prefix, driver)
        globals()[cls_name] = type(cls_name, (base,), {"driver": driver, "supports_statement_cache": True})
        names[cls_name] = ("%s.%s" % (base.name, driver),)
    return names


_MYSQL_DRIVERS = ("pymysql", "mysqldb", "mariadbconnector", "mysqlconnector", "cymysql")

_NAMES = {
    "PGDialect_alembic_rs": ("postgresql", "postgresql.psycopg2", "postgresql.psycopg",
                             "postgresql.pg8000", "postgresql.psycopg2cffi"),
    "SQLiteDialect_alembic_rs": ("sqlite", "sqlite.pysqlite"),
    # ``mysql://`` alone means mysqldb in SQLAlchemy.
    "MySQLDialect_alembic_rs_mysqldb_default": ("mysql",),
    "MariaDBDialect_alembic_rs_mysqldb_default": ("mariadb",),
}
_NAMES.update(_per_driver(MySQLDialect_alembic_rs, "MySQLDialect_alembic_rs", _MYSQL_DRIVERS))
_NAMES.update(_per_driver(MariaDBDialect_alembic_rs, "MariaDBDialect_alembic_rs", _MYSQL_DRIVERS))
MySQLDialect_alembic_rs_mysqldb_default = MySQLDialect_alembic_rs_mysqldb  # noqa: F821
MariaDBDialect_alembic_rs_mysqldb_default = MariaDBDialect_alembic_rs_mysqldb  # noqa: F821


def register():
    for cls_name, names in _NAMES.items():
        for name in names:
            registry.register(name, __name__, cls_name)
    from . import aio

    aio.register(sys.modules[__name__])
