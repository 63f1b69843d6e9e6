"""SQLAlchemy dialects whose DB-API is alembic-rs's own driver.

Registered over the usual names (``postgresql``, ``postgresql+psycopg2``,
``sqlite``, ...) so the engine an unmodified env.py builds talks to the
database through Rust, and no driver package is needed.
"""

import os

from sqlalchemy.dialects import registry
from sqlalchemy.dialects.postgresql.base import PGDialect
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite

from . import dbapi

_modules = {}


def _module(backend):
    mod = _modules.get(backend)
    if mod is None:
        mod = _modules[backend] = dbapi.module_for(backend)
    return mod


class PGDialect_alembic_rs(PGDialect):
    driver = "psycopg2"
    supports_statement_cache = True
    supports_server_side_cursors = False
    default_paramstyle = "pyformat"

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
        return (["sqlite:///" + filename if filename != ":memory:" else "sqlite://"], {})


_NAMES = {
    "PGDialect_alembic_rs": ("postgresql", "postgresql.psycopg2", "postgresql.psycopg",
                             "postgresql.pg8000", "postgresql.psycopg2cffi"),
    "SQLiteDialect_alembic_rs": ("sqlite", "sqlite.pysqlite"),
}


def register():
    for cls_name, names in _NAMES.items():
        for name in names:
            registry.register(name, __name__, cls_name)
