"""``from alembic import context``: forwards to the running EnvironmentContext."""

from .util.proxy import module_dir, module_proxy

__getattr__ = module_proxy("EnvironmentContext", __name__, globals())
__dir__ = module_dir("EnvironmentContext", globals())
