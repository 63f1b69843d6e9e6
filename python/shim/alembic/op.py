"""``from alembic import op``: forwards to the running Operations."""

from .util.proxy import module_proxy

__getattr__ = module_proxy("Operations")
