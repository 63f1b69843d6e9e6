"""Async dialect names (``postgresql+asyncpg``, ``sqlite+aiosqlite``,
``mysql+aiomysql``, ...) over the same synchronous driver.

The ``async`` and ``pyproject_async`` templates' env.py builds an
``AsyncEngine`` and runs the migrations through ``connection.run_sync()``.
SQLAlchemy then runs its synchronous engine inside a greenlet and only
switches to the event loop when the DB-API awaits something. Ours never
does: every call completes synchronously. So an async dialect here is the
synchronous one flagged ``is_async`` (the check ``create_async_engine``
makes), and ``get_async_dialect_cls`` hands that variant to the URLs
that serve both worlds in SQLAlchemy (``postgresql+psycopg``), and to no
others (:func:`follow_stock_async`). SQLAlchemy needs the
``greenlet`` package for this, as it does with the real async drivers.
"""

import sys

_variants = {}


def _yield_to_loop():
    """Inside SQLAlchemy's greenlet, hand control to the event loop once.

    ``AsyncConnection.execute`` (what ``op.run_async`` functions call) runs
    the sync execute under ``greenlet_spawn(..., _require_await=True)``,
    which raises ``AwaitRequired`` unless the driver awaited something, as
    a real async driver always does; ours is synchronous, so every execute
    awaits one ``asyncio.sleep(0)`` to behave as one.
    """
    from sqlalchemy.util.concurrency import await_only

    if _in_sqlalchemy_greenlet():
        import asyncio

        await_only(asyncio.sleep(0))


def _in_sqlalchemy_greenlet():
    """Whether the caller runs inside SQLAlchemy's ``greenlet_spawn``.

    Called on every execute of an async engine, so the answer's function is
    looked up once (:func:`_greenlet_probe`)."""
    global _probe
    if _probe is None:
        _probe = _greenlet_probe()
    return _probe()


_probe = None


def _greenlet_probe():
    """``sqlalchemy.util.concurrency.in_greenlet`` from SQLAlchemy 2.0.24
    on; earlier releases only have the greenlet class their ``await_only``
    checks for."""
    try:
        from sqlalchemy.util.concurrency import in_greenlet
    except ImportError:
        pass
    else:
        return in_greenlet
    try:
        from greenlet import getcurrent
        from sqlalchemy.util._concurrency_py3k import _AsyncIoGreenlet
    except ImportError:
        return lambda: False
    return lambda: isinstance(getcurrent(), _AsyncIoGreenlet)


def _require_greenlet():
    """What an async-only driver's connect does outside SQLAlchemy's greenlet.

    asyncpg, aiosqlite, aiomysql and asyncmy connect through ``await_only``,
    so a synchronous ``create_engine('postgresql+asyncpg://...')`` connects
    only inside ``greenlet_spawn`` (``AsyncConnection.run_sync``, where the
    async template's migrations run) and fails elsewhere with SQLAlchemy's
    ``MissingGreenlet`` (agenta's first revision builds such an engine, which
    fails under ``--sql``). Asking ``await_only`` itself gives that error as
    the installed SQLAlchemy words it."""
    if _in_sqlalchemy_greenlet():
        return
    import asyncio

    from sqlalchemy.util.concurrency import await_only

    awaitable = asyncio.sleep(0)
    try:
        await_only(awaitable)
    finally:
        awaitable.close()


class _AsyncOnlyConnect:
    def connect(self, *cargs, **cparams):
        _require_greenlet()
        return super().connect(*cargs, **cparams)


def _as_awaited(driver, call, *args, **kw):
    """Run a driver call as an async driver's: after one turn of the event
    loop, and with its error raised on the loop.

    An async driver's error comes out of an awaited coroutine, on the loop's
    side of SQLAlchemy's greenlet, so Python chains it (``__context__``) to
    the exception the code around the loop is handling (skyvern's env.py
    calls ``asyncio.run()`` inside ``except RuntimeError:``, and Alembic's
    traceback starts with that ``RuntimeError``), and never to one a
    migration handles inside the greenlet. Ours raises synchronously inside
    the greenlet, so the error is handed to the loop and raised there.
    aiosqlite's and asyncpg's errors reach the loop through an asyncio
    future instead (made in aiosqlite's thread, in asyncpg's protocol
    callbacks), which the task's wakeup throws into the coroutine without
    any context: those go through a future here too."""
    if not _in_sqlalchemy_greenlet():
        return call(*args, **kw)
    _yield_to_loop()
    handled = sys.exc_info()[1]
    try:
        return call(*args, **kw)
    except Exception as error:
        if handled is not None and error.__context__ is handled:
            error.__context__ = None
        failed = error
    _raise_on_loop(failed, driver not in _FUTURE_DRIVERS)


# Async drivers whose errors come out of an asyncio future (no __context__).
_FUTURE_DRIVERS = ("aiosqlite", "asyncpg")


def _raise_on_loop(error, chained):
    import asyncio

    from sqlalchemy.util.concurrency import await_only

    async def fail():
        if chained:
            raise error
        # pending when awaited, as the driver's: the task's wakeup throws
        # the error in as it is (a future already done raises it anew,
        # chained)
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        loop.call_soon(future.set_exception, error)
        await future

    await_only(fail())


class _AsyncmyNotes:
    """asyncmy logs the notes and warnings a statement leaves (SHOW
    WARNINGS, each message at WARNING on its logger ``asyncmy``); SQLAlchemy
    silences aiomysql's, asyncmy's it does not.

    The logger comes to be when asyncmy is imported, which the dialect does
    as the engine is created: an engine made before env.py's
    ``fileConfig()`` (fastapi_best_architecture's, at the import of its
    database module) leaves the logger to be disabled by it
    (``disable_existing_loggers``), and its messages are never printed."""

    @classmethod
    def import_dbapi(cls):
        import logging

        logging.getLogger("asyncmy")
        return super().import_dbapi()

    def connect(self, *cargs, **cparams):
        import logging

        connection = super().connect(*cargs, **cparams)
        connection.report_notes_to(logging.getLogger("asyncmy"))
        return connection


class _AwaitingExecute:
    def do_execute(self, *args, **kw):
        return _as_awaited(self.driver, super().do_execute, *args, **kw)

    def do_executemany(self, *args, **kw):
        return _as_awaited(self.driver, super().do_executemany, *args, **kw)

    def do_execute_no_params(self, *args, **kw):
        return _as_awaited(self.driver, super().do_execute_no_params, *args, **kw)

    # an async driver awaits its commit and rollback too (where the loop
    # runs in between, the traceback of an error raised after a failed
    # statement shows greenlet_spawn handing the rollback its result)
    def do_commit(self, *args, **kw):
        _yield_to_loop()
        return super().do_commit(*args, **kw)

    def do_rollback(self, *args, **kw):
        _yield_to_loop()
        return super().do_rollback(*args, **kw)


class _AsyncPool:
    """The pool an async driver gets when the engine names none:
    ``create_async_engine`` refuses a synchronous pool class, and SQLite's
    sync dialect picks ``QueuePool`` (a file) or ``SingletonThreadPool``
    (memory) where aiosqlite picks ``AsyncAdaptedQueuePool`` or
    ``StaticPool``. (PostgreSQL's and MySQL's defaults already follow
    ``is_async``.)"""

    @classmethod
    def get_pool_class(cls, url):
        from sqlalchemy import pool

        chosen = super().get_pool_class(url)
        return {
            pool.QueuePool: pool.AsyncAdaptedQueuePool,
            pool.SingletonThreadPool: pool.StaticPool,
        }.get(chosen, chosen)


class _AsyncpgDriverSql:
    """asyncpg reads no ``%`` in SQL: a statement given to the driver as
    written (``exec_driver_sql``, no compiled statement) with no
    parameters runs as is, where psycopg2's rules (which this driver
    follows) would take ``format('%I', ...)`` for a placeholder."""

    def do_execute(self, cursor, statement, parameters, context=None):
        if not parameters and context is not None and context.compiled is None:
            return self.do_execute_no_params(cursor, statement, context)
        return super().do_execute(cursor, statement, parameters, context)


def _asyncpg_execution_ctx(base):
    """asyncpg's execution context: its server-side cursors are portals
    left open until the transaction ends (:class:`.dbapi.PortalCursor`)."""
    import itertools

    ids = itertools.count(1)

    def create_server_side_cursor(self):
        from .dbapi import PortalCursor

        name = "c_%s_%s" % (hex(id(self))[2:], hex(next(ids))[2:])
        return PortalCursor(self._dbapi_connection.dbapi_connection, name)

    return type(base.__name__ + "_asyncpg", (base,), {"create_server_side_cursor": create_server_side_cursor})


def async_variant(cls):
    """The ``is_async`` twin of a dialect class, one per class."""
    if getattr(cls, "is_async", False):
        return cls
    variant = _variants.get(cls)
    if variant is None:
        variant = _variants[cls] = type(
            cls.__name__ + "_async",
            (_AwaitingExecute, _AsyncPool, cls),
            {"is_async": True, "supports_statement_cache": True},
        )
    return variant


def _get_async_dialect_cls(cls, url):
    return async_variant(cls.get_dialect_cls(url))


def follow_stock_async(cls, stock):
    """Lets ``create_async_engine`` take the name ``cls`` serves when, and
    only when, SQLAlchemy's own class ``stock`` for that name does (it
    overrides ``get_async_dialect_cls``, as psycopg's does). Elsewhere the
    inherited default hands back the synchronous class, and SQLAlchemy
    refuses it as it refuses pymysql or pysqlite: "The asyncio extension
    requires an async driver to be used. The loaded 'pymysql' is not
    async." """
    from sqlalchemy.engine.interfaces import Dialect

    overridden = getattr(stock.get_async_dialect_cls, "__func__", None)
    if overridden is not Dialect.get_async_dialect_cls.__func__:
        cls.get_async_dialect_cls = classmethod(_get_async_dialect_cls)


# Driver names SQLAlchemy only knows as async drivers: (module, base class) -> names.
_ASYNC_NAMES = {
    ("dialect_pg", "PGDialect_alembic_rs"): ("postgresql.asyncpg", "postgresql.psycopg_async"),
    ("dialect_sqlite", "SQLiteDialect_alembic_rs"): ("sqlite.aiosqlite",),
    ("dialect_mysql", "MySQLDialect_alembic_rs"): ("mysql.aiomysql", "mysql.asyncmy"),
    ("dialect_mysql", "MariaDBDialect_alembic_rs"): ("mariadb.aiomysql", "mariadb.asyncmy"),
}


def _cls_name(base_name, name):
    return "%s_%s" % (base_name, name.split(".", 1)[1])


def async_names():
    """(module, class, dialect name) of every async name, to register
    before the family module is imported."""
    for (module, base_name), names in _ASYNC_NAMES.items():
        for name in names:
            yield __package__ + "." + module, _cls_name(base_name, name), name


def add_async_variants(module_name):
    """Defines, in a family module being imported, the async classes
    :func:`async_names` promised."""
    import sys

    module = sys.modules[module_name]
    short = module_name.rsplit(".", 1)[1]
    for (family, base_name), names in _ASYNC_NAMES.items():
        if family != short:
            continue
        base = getattr(module, base_name)
        for name in names:
            cls_name = _cls_name(base_name, name)
            bases = (_AsyncOnlyConnect, async_variant(base))
            attrs = {"driver": name.split(".", 1)[1], "supports_statement_cache": True}
            if name.endswith(".asyncmy"):
                bases = (_AsyncmyNotes,) + bases
            if name == "postgresql.asyncpg":
                bases = (_AsyncpgDriverSql,) + bases
                attrs["supports_server_side_cursors"] = True
                attrs["execution_ctx_cls"] = _asyncpg_execution_ctx(base.execution_ctx_cls)
            cls = type(cls_name, bases, attrs)
            setattr(module, cls_name, cls)
