"""SQLite over alembic-rs's driver (imported when a URL names it)."""

import os
from urllib.parse import urlencode

from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite

from . import aio
from .dialects import driver_module


class SQLiteDialect_alembic_rs(SQLiteDialect_pysqlite):
    supports_statement_cache = True

    @classmethod
    def import_dbapi(cls):
        return driver_module("sqlite")

    def create_connect_args(self, url):
        # SQLAlchemy's own reading of the URL: an `Invalid SQLite URL`, its
        # coercion of the query's values (`?timeout=abc`), the warning for
        # what pysqlite ignores; what it returns is for sqlite3, not ours
        super().create_connect_args(url)
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


aio.add_async_variants(__name__)
