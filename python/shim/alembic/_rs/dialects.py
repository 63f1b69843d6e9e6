"""SQLAlchemy dialects whose DB-API is alembic-rs's own driver.

Registered over the usual names (``postgresql``, ``postgresql+psycopg2``,
``sqlite``, ...) so the engine an unmodified env.py builds talks to the
database through Rust, and no driver package is needed.

Each family lives in its own module (``dialect_pg``, ``dialect_sqlite``,
``dialect_mysql``) that SQLAlchemy's registry imports only when a URL names
it: importing SQLAlchemy's PostgreSQL and MySQL dialects costs ~90 ms, which
a SQLite project has no reason to pay on every command.
"""

from sqlalchemy.dialects import registry

from . import dbapi

PG_DRIVERS = ("psycopg2", "psycopg", "pg8000", "psycopg2cffi")
MYSQL_DRIVERS = ("pymysql", "mysqldb", "mariadbconnector", "mysqlconnector", "cymysql")

_PG = __package__ + ".dialect_pg"
_SQLITE = __package__ + ".dialect_sqlite"
_MYSQL = __package__ + ".dialect_mysql"

# (module, class) -> the dialect names it serves
_NAMES = {
    (_PG, "PGDialect_alembic_rs_default"): ("postgresql",),
    (_SQLITE, "SQLiteDialect_alembic_rs"): ("sqlite", "sqlite.pysqlite"),
    # ``mysql://`` alone means mysqldb in SQLAlchemy.
    (_MYSQL, "MySQLDialect_alembic_rs_mysqldb_default"): ("mysql",),
    (_MYSQL, "MariaDBDialect_alembic_rs_mysqldb_default"): ("mariadb",),
}
for _driver in PG_DRIVERS:
    _NAMES[(_PG, "PGDialect_alembic_rs_" + _driver)] = ("postgresql." + _driver,)
for _family in ("MySQL", "MariaDB"):
    for _driver in MYSQL_DRIVERS:
        _NAMES[(_MYSQL, "%sDialect_alembic_rs_%s" % (_family, _driver))] = (
            "%s.%s" % (_family.lower(), _driver),
        )

_modules = {}


def driver_module(backend):
    """The DB-API module of one backend (made once)."""
    mod = _modules.get(backend)
    if mod is None:
        mod = _modules[backend] = dbapi.module_for(backend)
    return mod


def names():
    """Every synchronous dialect name registered here."""
    return {name for names in _NAMES.values() for name in names}


def register():
    from . import aio

    for (module, cls_name), dialect_names in _NAMES.items():
        for name in dialect_names:
            registry.register(name, module, cls_name)
    for module, cls_name, name in aio.async_names():
        registry.register(name, module, cls_name)
