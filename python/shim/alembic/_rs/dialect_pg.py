"""PostgreSQL over alembic-rs's driver (imported when a URL names it)."""

from sqlalchemy import util as sa_util
from sqlalchemy import types as sqltypes
from sqlalchemy.dialects.postgresql.base import PGDialect
from sqlalchemy.dialects.postgresql.hstore import HSTORE
from sqlalchemy.dialects.postgresql.json import JSON, JSONB
from sqlalchemy.dialects.postgresql.pg_catalog import INT2VECTOR, OIDVECTOR, _SpaceVector

try:  # psycopg2's numeric types, which read the type OID, and its ARRAY,
    # whose bound parameters carry a cast (`%(v)s::VARCHAR[]`: an empty list
    # is `'{}'`, text without it)
    from sqlalchemy.dialects.postgresql._psycopg_common import _PGDialect_common_psycopg

    # Taken from the running release's psycopg dialects: 2.0.10 maps only
    # Numeric (Float adapts through it), later releases Float as well.
    _PSYCOPG_COLSPECS = {
        k: v
        for k, v in _PGDialect_common_psycopg.colspecs.items()
        if k in (sqltypes.Numeric, sqltypes.Float, sqltypes.ARRAY)
    }
except ImportError:  # pragma: no cover - a SQLAlchemy without them
    _PSYCOPG_COLSPECS = {}

from sqlalchemy.dialects.postgresql.psycopg2 import PGDialect_psycopg2

import _alembic_rs

from . import aio, pgrange
from .dialects import PG_DRIVERS, driver_module


class _INT2VECTOR(_SpaceVector, INT2VECTOR):
    pass


class _OIDVECTOR(_SpaceVector, OIDVECTOR):
    pass


class _JSON(JSON):
    # The driver parses json/jsonb results, as psycopg2 (and asyncpg under
    # SQLAlchemy) do, so the type has nothing left to do with them.
    def result_processor(self, dialect, coltype):
        return None


class _JSONB(JSONB):
    def result_processor(self, dialect, coltype):
        return None


class _HSTORE(HSTORE):
    # psycopg2's (``_PsycopgHStore``) for results: with native hstore the
    # driver hands out dicts already. Parameters keep SQLAlchemy's text
    # form, which the server casts to hstore.
    def result_processor(self, dialect, coltype):
        if dialect._has_native_hstore:
            return None
        return super().result_processor(dialect, coltype)


_HSTORE_OIDS = (
    "SELECT t.oid FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace ns "
    "ON typnamespace = ns.oid WHERE typname = 'hstore'"
)


def _hstore_installed(dbapi_connection):
    """psycopg2's ``HstoreAdapter.get_oids``, which SQLAlchemy's dialect
    asks at connect: hstore values become dicts only on connections opened
    while the extension exists (a run that creates it keeps text on its
    connection, as with psycopg2)."""
    raw = getattr(dbapi_connection, "_raw", None)
    if raw is None:
        return False
    try:
        return bool(raw.execute(_HSTORE_OIDS, None)[1])
    except _alembic_rs.DatabaseFailure:
        return False


# Read off the class: they are a function and a memoized property, which
# work on any dialect instance.
_PSYCOPG2_IS_DISCONNECT = PGDialect_psycopg2.is_disconnect
# (2.0.10 keeps the messages inside is_disconnect: no property then)
_PSYCOPG2_DISCONNECT_MESSAGES = PGDialect_psycopg2.__dict__.get("_is_disconnect_messages")


class PGDialect_alembic_rs(PGDialect):
    driver = "psycopg2"
    supports_statement_cache = True
    # Like psycopg2, the driver hands `int2vector`/`oidvector` over as
    # "1 2" strings; SQLAlchemy's index reflection wants lists of ints.
    # JSON/JSONB: psycopg2's colspecs (its driver returns parsed documents).
    # Numeric/Float: psycopg2's, which convert by the type OID the driver
    # reports (`Numeric(asdecimal=False)` gives floats).
    colspecs = sa_util.update_copy(
        PGDialect.colspecs,
        {
            INT2VECTOR: _INT2VECTOR,
            OIDVECTOR: _OIDVECTOR,
            JSON: _JSON,
            sqltypes.JSON: _JSON,
            JSONB: _JSONB,
            HSTORE: _HSTORE,
            **_PSYCOPG_COLSPECS,
        },
    )
    supports_server_side_cursors = False
    # See pgrange: "psycopg2", "psycopg", "asyncpg" or None (text).
    _range_style = "psycopg2"
    # psycopg2's and psycopg's dialects register hstore with the driver at
    # connect unless told not to (`use_native_hstore=False`); pg8000 does not.
    use_native_hstore = False
    _has_native_hstore = False
    default_paramstyle = "pyformat"
    # psycopg2's: an executemany INSERT goes out as batched multi-VALUES
    # statements (what a failing `bulk_insert` shows in its error).
    use_insertmanyvalues_wo_returning = True

    @classmethod
    def import_dbapi(cls):
        module = driver_module("postgresql")
        module.asyncpg = _AsyncpgTypes()
        return module

    def create_connect_args(self, url):
        # SQLAlchemy's reading of the host and port, errors included, as this
        # release of the URL's dialect reads them: its multi-host forms
        # (`host=h1:p1&host=h2:p2`, `host=h1,h2&port=p1,p2`) become libpq's
        # lists for the driver
        driver = url.get_driver_name()
        if driver in ("psycopg2", "psycopg", "psycopg_async", "psycopg2cffi"):
            _, opts = _PGDialect_common_psycopg.create_connect_args(self, url)
        elif driver == "asyncpg":
            from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg

            _, opts = PGDialect_asyncpg.create_connect_args(self, url)
        else:
            opts = None
        if opts is not None and "host" in url.query:
            url = url.update_query_dict(_host_lists(opts))
        return ([url.render_as_string(hide_password=False)], {})

    def on_connect(self):
        # psycopg2's dialect registers a custom ``json_deserializer`` with
        # the driver (``register_default_json[b](conn, loads=...)``); its
        # uuid typecaster (``register_uuid``) always, which the driver
        # does itself.
        base = super().on_connect()
        loads = self._json_deserializer
        native_hstore = self.use_native_hstore
        # psycopg2 hands `bytea` out as memoryview (its dialect's
        # `returns_native_bytes` is False); psycopg, pg8000 and asyncpg as bytes
        # (an early 2.0 has no such attribute, and its async classes lack ours)
        bytea_memoryview = not getattr(self, "returns_native_bytes", True)
        # what range values come back as (alembic/_rs/pgrange.py): the
        # driver's classes, psycopg2's unless the class says otherwise
        range_style = self._range_style
        if loads is None and not native_hstore and not bytea_memoryview and range_style == "psycopg2":
            return base

        def connect(dbapi_connection):
            if base is not None:
                base(dbapi_connection)
            if loads is not None:
                dbapi_connection._json_loads = loads
            # psycopg2's ``register_hstore``: hstore values become dicts.
            if native_hstore:
                dbapi_connection._native_hstore = _hstore_installed(dbapi_connection)
            dbapi_connection._bytea_memoryview = bytea_memoryview
            dbapi_connection._range_style = range_style

        return connect

    def initialize(self, connection):
        super().initialize(connection)
        # psycopg2's dialect: its HSTORE type leaves results to the driver
        # when the first connection found the extension (``on_connect``
        # asked the server just before).
        self._has_native_hstore = getattr(
            connection.connection.dbapi_connection, "_native_hstore", False
        )

    def get_isolation_level_values(self, dbapi_connection):
        return ("AUTOCOMMIT", "READ COMMITTED", "READ UNCOMMITTED", "REPEATABLE READ", "SERIALIZABLE")

    def set_isolation_level(self, dbapi_connection, level):
        if level == "AUTOCOMMIT":
            dbapi_connection.rollback()
            dbapi_connection.autocommit = True
        else:
            # psycopg2's ``set_isolation_level``: end the transaction in
            # progress, then open the next ones with this level. Not
            # PGDialect's version (``SET SESSION CHARACTERISTICS`` then
            # ``COMMIT`` through a cursor): that COMMIT ends the transaction
            # the driver had just begun behind the driver's back, so every
            # later statement would run outside a transaction (what followed
            # an ``autocommit_block()`` ran without one).
            dbapi_connection.rollback()
            dbapi_connection.autocommit = False
            dbapi_connection.isolation_level = level

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

    def is_disconnect(self, e, connection, cursor):
        # psycopg2's test (the driver's ``closed`` flag, then libpq's
        # wording), which the driver's errors follow whatever driver the URL
        # names: a lost session invalidates the connection instead of being
        # rolled back.
        return _PSYCOPG2_IS_DISCONNECT(self, e, connection, cursor)

    if _PSYCOPG2_DISCONNECT_MESSAGES is not None:
        _is_disconnect_messages = _PSYCOPG2_DISCONNECT_MESSAGES


# What each driver's own dialect takes on top of ``PGDialect``'s keywords
# (``create_engine(..., executemany_mode="values_plus_batch")``, as
# Airflow's settings pass for psycopg2). ``create_engine`` accepts only the
# keywords the dialect class's ``__init__`` signatures name, so ours must name
# the same ones to accept and refuse what the stock driver would. They tune
# the other driver's wire behaviour (batching, client encoding, hstore
# adaptation) and mean nothing to ours, which is taken and dropped, except
# ``use_native_hstore``: whether hstore values come back as dicts.
def _psycopg2_init(
    self,
    executemany_mode="values_only",
    executemany_batch_page_size=100,
    client_encoding=None,
    use_native_hstore=True,
    **kwargs,
):
    PGDialect_alembic_rs.__init__(self, **kwargs)
    self.use_native_hstore = use_native_hstore


def _psycopg_init(self, client_encoding=None, use_native_hstore=True, **kwargs):
    PGDialect_alembic_rs.__init__(self, **kwargs)
    self.use_native_hstore = use_native_hstore


def _pg8000_init(self, client_encoding=None, **kwargs):
    PGDialect_alembic_rs.__init__(self, **kwargs)


_DRIVER_INIT = {
    "psycopg2": _psycopg2_init,
    "psycopg2cffi": _psycopg2_init,
    "psycopg": _psycopg_init,
    "pg8000": _pg8000_init,
}


_RANGE_STYLE = {"psycopg2": "psycopg2", "psycopg2cffi": "psycopg2", "psycopg": "psycopg",
                "asyncpg": "asyncpg", "pg8000": None}


def _range_attrs(driver, stock):
    """What a driver's dialect needs for range values: the range types of
    the stock dialect's ``colspecs`` (``_Psycopg2NumericRange``,
    ``_PsycopgRange``, ``_AsyncpgRange``, ...), which convert
    ``sqlalchemy.dialects.postgresql.Range`` to and from the driver's class,
    and the attribute they read that class from (``_psycopg2_extras``,
    ``_psycopg_Range``/``_psycopg_Multirange``; asyncpg's is
    ``dbapi.asyncpg.Range``, set on the module by ``import_dbapi``)."""
    from sqlalchemy.dialects.postgresql import ranges

    style = _RANGE_STYLE.get(driver)
    attrs = {"_range_style": style}
    if style is None:
        return attrs
    attrs["colspecs"] = sa_util.update_copy(
        PGDialect_alembic_rs.colspecs,
        {
            k: v
            for k, v in stock.colspecs.items()
            if isinstance(k, type) and issubclass(k, ranges.AbstractRange)
        },
    )
    if style == "psycopg2":
        attrs["_psycopg2_extras"] = property(lambda self: pgrange.psycopg2_classes())
    elif style == "psycopg":
        attrs["_psycopg_Range"] = property(lambda self: pgrange.psycopg_classes().Range)
        attrs["_psycopg_Multirange"] = property(lambda self: pgrange.psycopg_classes().Multirange)
    return attrs


class _AsyncpgTypes:
    """``dbapi.asyncpg`` as SQLAlchemy's asyncpg range types read it."""

    @property
    def Range(self):
        return pgrange.asyncpg_range_class()


def _host_lists(opts):
    """libpq's `host` and `port` lists from a dialect's connect arguments
    (text, a number, or asyncpg's lists)."""

    def joined(value):
        if isinstance(value, (list, tuple)):
            return ",".join("" if v is None else str(v) for v in value)
        return str(value)

    lists = {"host": joined(opts["host"])}
    if opts.get("port") is not None:
        lists["port"] = joined(opts["port"])
    return lists


def _per_driver():
    """One subclass per driver name, as for MySQL: ``dialect.driver`` reads
    as the URL says, and a name serves ``create_async_engine`` only when
    SQLAlchemy's own class for it does (``postgresql+psycopg``, and bare
    ``postgresql`` where psycopg is SQLAlchemy's default driver, 2.1+);
    ``postgresql+psycopg2`` under ``create_async_engine`` then fails with
    SQLAlchemy's "The loaded 'psycopg2' is not async"."""
    from sqlalchemy.dialects import postgresql as stock

    for driver in PG_DRIVERS:
        cls_name = "PGDialect_alembic_rs_" + driver
        attrs = {
            "driver": driver,
            "supports_statement_cache": True,
            "__init__": _DRIVER_INIT[driver],
            "returns_native_bytes": driver not in ("psycopg2", "psycopg2cffi"),
        }
        attrs.update(_range_attrs(driver, getattr(stock, driver).dialect))
        cls = type(cls_name, (PGDialect_alembic_rs,), attrs)
        aio.follow_stock_async(cls, getattr(stock, driver).dialect)
        globals()[cls_name] = cls
    # ``postgresql://`` alone: SQLAlchemy's default driver (psycopg2 in 2.0,
    # psycopg in 2.1).
    globals()["PGDialect_alembic_rs_default"] = globals()["PGDialect_alembic_rs_" + stock.dialect.driver]


_per_driver()
aio.add_async_variants(__name__)


def _async_range_attrs():
    """The async-only names' classes (made from ``PGDialect_alembic_rs``
    above) take their driver's range handling too."""
    from sqlalchemy.dialects.postgresql import asyncpg, psycopg

    for driver, stock in (("asyncpg", asyncpg.dialect), ("psycopg_async", psycopg.dialect)):
        cls = globals()["PGDialect_alembic_rs_" + driver]
        for name, value in _range_attrs(driver.replace("_async", ""), stock).items():
            setattr(cls, name, value)


_async_range_attrs()
