from logging.config import fileConfig

from sqlalchemy import engine_from_config
from sqlalchemy import pool

from alembic import context

# "import proxie" works because alembic.ini has "prepend_sys_path = ." (run
# alembic from the directory of alembic.ini, the repository root).
from proxie import settings
from proxie.models import Base

# this is the Alembic Config object, which provides
# access to the values within the .ini file in use.
config = context.config

# Interpret the config file for Python logging.
# This line sets up loggers basically.
if config.config_file_name is not None:
    fileConfig(config.config_file_name)

# add your model's MetaData object here
# for 'autogenerate' support
target_metadata = Base.metadata

# The database URL: the application's DATABASE_URL (proxie/settings.py reads
# the DATABASE_URL environment variable), else alembic.ini's sqlalchemy.url,
# which is "sqlite:///%(here)s/proxie.db": the SQLite file proxie.db beside
# alembic.ini, whatever the current directory.
database_url = settings.DATABASE_URL or config.get_main_option("sqlalchemy.url")
if not database_url:
    raise RuntimeError(
        "no database URL: set DATABASE_URL or sqlalchemy.url in alembic.ini"
    )


def run_migrations_offline() -> None:
    """Run migrations in 'offline' mode.

    This configures the context with just a URL
    and not an Engine, though an Engine is acceptable
    here as well.  By skipping the Engine creation
    we don't even need a DBAPI to be available.

    Calls to context.execute() here emit the given string to the
    script output.

    """
    context.configure(
        url=database_url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )

    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run migrations in 'online' mode.

    In this scenario we need to create an Engine
    and associate a connection with the context.

    """
    # The URL goes into the engine options rather than back into the config
    # (config.set_main_option would read a "%" of a URL-encoded password as
    # interpolation syntax).
    engine_options = config.get_section(config.config_ini_section, {})
    engine_options["sqlalchemy.url"] = database_url
    connectable = engine_from_config(
        engine_options,
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )

    with connectable.connect() as connection:
        context.configure(
            connection=connection, target_metadata=target_metadata
        )

        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
