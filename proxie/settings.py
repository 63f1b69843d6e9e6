"""Application settings, read from the environment.

``DATABASE_URL`` is the one database URL of the application, shared with
Alembic (``alembic/env.py`` uses it), e.g.::

    DATABASE_URL=postgresql://user:pass@localhost/proxie_db
    DATABASE_URL=mysql+pymysql://user:pass@localhost/proxie_db
    DATABASE_URL=sqlite:////absolute/path/to/proxie.db

It is ``None`` when the variable is unset or empty; Alembic then uses the
``sqlalchemy.url`` of ``alembic.ini``, a SQLite file ``proxie.db`` beside
that file.
"""
from __future__ import annotations

import importlib.util
import os


def _database_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return None
    # Heroku-style "postgres://" URLs are not accepted by SQLAlchemy 2.x.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    # A URL without a driver, "postgresql://...", means psycopg (3) from
    # SQLAlchemy 2.1 on (psycopg2 before): use psycopg2 when it is the one
    # installed.
    if (
        url.startswith("postgresql://")
        and importlib.util.find_spec("psycopg") is None
        and importlib.util.find_spec("psycopg2") is not None
    ):
        url = "postgresql+psycopg2://" + url[len("postgresql://"):]
    return url


DATABASE_URL: str | None = _database_url()
