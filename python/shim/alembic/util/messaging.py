import logging

log = logging.getLogger("alembic.util.messaging")

# As Alembic: records of the "alembic" loggers are dropped, not shown by
# Python's last-resort handler, when nothing configured logging (an env.py
# without fileConfig: prefect's, dagster's).
logging.getLogger("alembic").addHandler(logging.NullHandler())
