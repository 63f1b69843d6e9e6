"""MySQL and MariaDB over alembic-rs's driver (imported when a URL names
them)."""

from sqlalchemy.dialects.mysql.mariadb import MariaDBDialect
from sqlalchemy.dialects.mysql.pymysql import MySQLDialect_pymysql

from . import aio
from .dialects import MYSQL_DRIVERS, driver_module


class MySQLDialect_alembic_rs(MySQLDialect_pymysql):
    """SQLAlchemy's pymysql dialect over our driver, which behaves like
    pymysql (``SET AUTOCOMMIT = 0`` at connect, no ``BEGIN``, errors as
    ``pymysql.err.*(errno, message)``), whatever driver the URL names."""

    supports_statement_cache = True
    supports_server_side_cursors = False

    @classmethod
    def import_dbapi(cls):
        return driver_module("mysql")

    def create_connect_args(self, url):
        # SQLAlchemy's own reading of the URL's query (its coercion of
        # `connect_timeout`, `compress`, ... fails as under Alembic); the
        # driver takes the URL itself
        super().create_connect_args(url)
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
    for driver in drivers:
        cls_name = "%s_%s" % (prefix, driver)
        globals()[cls_name] = type(cls_name, (base,), {"driver": driver, "supports_statement_cache": True})


_per_driver(MySQLDialect_alembic_rs, "MySQLDialect_alembic_rs", MYSQL_DRIVERS)
_per_driver(MariaDBDialect_alembic_rs, "MariaDBDialect_alembic_rs", MYSQL_DRIVERS)
# ``mysql://`` alone means mysqldb in SQLAlchemy.
MySQLDialect_alembic_rs_mysqldb_default = MySQLDialect_alembic_rs_mysqldb  # noqa: F821
MariaDBDialect_alembic_rs_mysqldb_default = MariaDBDialect_alembic_rs_mysqldb  # noqa: F821

aio.add_async_variants(__name__)
