"""``from alembic import op``: forwards to the running Operations."""

from .util.proxy import module_dir, module_proxy

__getattr__ = module_proxy("Operations", __name__, globals())
__dir__ = module_dir("Operations", globals())
