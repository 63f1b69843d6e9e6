import logging

log = logging.getLogger("alembic.util.messaging")
