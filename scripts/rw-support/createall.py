"""python createall.py URL MODULE:ATTR: MODULE's metadata (ATTR, dotted) create_all on URL.

The schema an application creates itself before stamping (scripts/compare-tree.py --setup
"python createall.py '{url}' app.models:Base.metadata && python -m alembic stamp head"):
step (c) of docs/real-world-trees.md's autogenerate runs where upgrading from empty fails."""
import importlib
import sys

import sqlalchemy as sa
mod, attr = sys.argv[2].split(":")
obj = importlib.import_module(mod)
for a in attr.split("."):
    obj = getattr(obj, a)
obj.create_all(sa.create_engine(sys.argv[1]))
