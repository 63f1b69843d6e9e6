"""``alembic.autogenerate``: compare the models with the database, render
the differences as Python (see docs/architecture.md, "Autogenerate")."""

from .api import compare_metadata, produce_migrations, render_python_code  # noqa: F401
from .api import AutogenContext  # noqa: F401
from .compare import comparators  # noqa: F401
from .api import RevisionContext  # noqa: F401
from .compare import _produce_net_changes  # noqa: F401
from .render import render_op_text, renderers  # noqa: F401
from .rewriter import Rewriter  # noqa: F401
