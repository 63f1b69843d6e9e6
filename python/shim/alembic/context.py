"""``from alembic import context``: forwards to the running EnvironmentContext."""

from .util.proxy import module_proxy

__getattr__ = module_proxy("EnvironmentContext")
