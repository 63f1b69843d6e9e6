#!/usr/bin/env bash
# Prepares what the tests need, idempotently and without prompts:
#  - .venv-oracle/: real Alembic 1.20.1 (the parity oracle) with SQLAlchemy 2,
#    psycopg2-binary and pymysql;
#    plus the async drivers (asyncpg, aiosqlite, asyncmy, greenlet) for the async
#    templates, and the plugins alembic_utils and alembic-postgresql-enum;
#  - .venv-host/: SQLAlchemy only (no Alembic, no driver): the project
#    virtualenv alembic-rs's embedded Python runs with in tests;
#  - .venv-host-async/: SQLAlchemy and greenlet (what an async project has
#    besides its async driver, which alembic-rs does not need);
#  - .venv-oracle-sa20/, .venv-host-sa20/: the same under SQLAlchemy 2.0.10
#    (scripts/test-sqlalchemy-versions.sh);
#  - .venv-oracle-ext/: Alembic on the distribution's Python, whose sqlite3
#    loads extensions (tests/sqlite_extensions.rs), where there is one;
#  - PostgreSQL and MariaDB running on 127.0.0.1 (started if down).
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv-oracle
if ! "$venv/bin/python" -c 'import alembic, sqlalchemy, psycopg2, pymysql; assert alembic.__version__ == "1.20.1"' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check \
        'alembic==1.20.1' 'sqlalchemy>=2,<3' psycopg2-binary pymysql
fi

if ! "$venv/bin/python" -c 'import asyncpg, aiosqlite, greenlet' 2>/dev/null; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check asyncpg aiosqlite greenlet
fi

# asyncmy, whose logged server notes a MariaDB scenario compares
# (parity_rw_mysql_driver_warnings_mysql).
if ! "$venv/bin/python" -c 'import asyncmy' 2>/dev/null; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check asyncmy
fi

# psycopg 3, for the scenarios that name it (`postgresql+psycopg://`); with
# it installed SQLAlchemy 2.1's bare `postgresql://` means psycopg 3 here as
# it does for users, so the tests name psycopg2 where they mean it.
if ! "$venv/bin/python" -c 'import psycopg' 2>/dev/null; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check 'psycopg[binary]'
fi

# Third-party Alembic plugins the pg_plugins scenario runs (both tools run
# them from this virtualenv).
if ! "$venv/bin/python" -c 'import alembic_utils, alembic_postgresql_enum' 2>/dev/null; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check \
        'alembic_utils==0.8.8' 'alembic-postgresql-enum==1.11.0'
fi

host=.venv-host
if ! "$host/bin/python" -c 'import sqlalchemy; assert sqlalchemy.__version__ >= "2"' 2>/dev/null; then
    python3 -m venv "$host"
    "$host/bin/pip" install --quiet --disable-pip-version-check 'sqlalchemy>=2,<3'
fi

host_async=.venv-host-async
if ! "$host_async/bin/python" -c 'import sqlalchemy, greenlet; assert sqlalchemy.__version__ >= "2"' 2>/dev/null; then
    python3 -m venv "$host_async"
    "$host_async/bin/pip" install --quiet --disable-pip-version-check 'sqlalchemy>=2,<3' greenlet
fi

# The same under an early SQLAlchemy 2.0 (the release furthest from 2.1 that
# projects still run), for scripts/test-sqlalchemy-versions.sh.
sa20=.venv-oracle-sa20
if ! "$sa20/bin/python" -c 'import alembic, sqlalchemy, psycopg2, pymysql, asyncpg, aiosqlite, greenlet; assert alembic.__version__ == "1.20.1"; assert sqlalchemy.__version__ == "2.0.10"' 2>/dev/null; then
    python3 -m venv "$sa20"
    "$sa20/bin/pip" install --quiet --disable-pip-version-check \
        'alembic==1.20.1' 'sqlalchemy==2.0.10' psycopg2-binary pymysql asyncpg aiosqlite greenlet
fi
if ! "$sa20/bin/python" -c 'import asyncmy' 2>/dev/null; then
    "$sa20/bin/pip" install --quiet --disable-pip-version-check asyncmy
fi
host_sa20=.venv-host-sa20
if ! "$host_sa20/bin/python" -c 'import sqlalchemy, greenlet; assert sqlalchemy.__version__ == "2.0.10"' 2>/dev/null; then
    python3 -m venv "$host_sa20"
    "$host_sa20/bin/pip" install --quiet --disable-pip-version-check 'sqlalchemy==2.0.10' greenlet
fi

# Real Alembic on a Python whose sqlite3 can load extensions (Debian's
# python3; the pyenv build above cannot), for tests/sqlite_extensions.rs.
# Only where such an interpreter of the oracle's minor version exists.
ext=.venv-oracle-ext
minor=$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
for base in "/usr/bin/python$minor" "/usr/local/bin/python$minor"; do
    if [ -x "$base" ] && "$base" -c 'import sqlite3, venv, ensurepip; assert hasattr(sqlite3.Connection, "enable_load_extension")' 2>/dev/null; then
        if ! "$ext/bin/python" -c 'import alembic, sqlalchemy, sqlite3; assert alembic.__version__ == "1.20.1"; assert hasattr(sqlite3.Connection, "enable_load_extension")' 2>/dev/null; then
            rm -rf "$ext"
            "$base" -m venv "$ext"
            "$ext/bin/pip" install --quiet --disable-pip-version-check \
                'alembic==1.20.1' "sqlalchemy==$("$venv/bin/python" -c 'import sqlalchemy; print(sqlalchemy.__version__)')"
        fi
        break
    fi
done

if command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
fi
if [ -x /usr/sbin/mariadbd ] && ! mariadb -h127.0.0.1 -uroot -e 'select 1' >/dev/null 2>&1; then
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
    for _ in $(seq 1 30); do
        mariadb -h127.0.0.1 -uroot -e 'select 1' >/dev/null 2>&1 && break
        sleep 1
    done
fi
echo "test environment ready: $venv ($("$venv/bin/python" -c 'import alembic; print("alembic", alembic.__version__)'))"
