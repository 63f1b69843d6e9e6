"""alembic-rs's own ``alembic`` package, served from inside the binary.

env.py files and revisions import ``alembic``; they get this package, never
an installed Alembic (docs/architecture.md, "The Python host"). The work is
done in Rust (``_alembic_rs``); these modules keep Alembic's Python
signatures.
"""

__version__ = "1.20.1"

from . import context  # noqa: E402,F401
from . import op  # noqa: E402,F401
