#!/usr/bin/env bash
# Prepares .venv-realworld/ for tests/parity_realworld.rs, idempotently and
# without prompts: real Alembic 1.20.1 (the oracle, `python -m alembic`),
# SQLAlchemy 2, psycopg2-binary, optuna, mlflow-skinny and jupyterhub, at the exact
# versions of tests/fixtures/realworld/requirements.txt. The same virtualenv
# is alembic-rs's VIRTUAL_ENV in that test: the packages' migrations import
# their own modules, so the package must be importable where env.py runs.
#
# A venv whose marker (a copy of the requirements it was built from) matches
# the requirements file and whose trees are in place is left alone (~1 s);
# otherwise it is (re)built (~2-3 min, mostly downloads).
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv-realworld
req=tests/fixtures/realworld/requirements.txt
marker=$venv/.realworld-requirements

# $1 = full: also import the modules the migrations import (slow: ~5 s).
check() {
    "$venv/bin/python" - "${1:-}" <<'EOF' 2>/dev/null
import importlib.util, os, sys
import alembic, sqlalchemy, psycopg2  # noqa: F401
if sys.argv[1:] == ["full"]:
    import optuna.storages._rdb.models, mlflow.store.db.utils, jupyterhub.orm  # noqa: F401
assert alembic.__version__ == "1.20.1", alembic.__version__
for mod, sub in (("optuna", "storages/_rdb/alembic/env.py"), ("mlflow", "store/db_migrations/env.py"),
                 ("jupyterhub", "alembic/env.py")):
    root = os.path.dirname(importlib.util.find_spec(mod).origin)
    assert os.path.exists(os.path.join(root, sub)), (mod, sub)
EOF
}

if [ -x "$venv/bin/python" ] && cmp -s "$req" "$marker" && check; then
    echo "realworld environment ready: $venv (unchanged)"
    exit 0
fi

if [ ! -x "$venv/bin/python" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv"
fi
rm -f "$marker"
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$req"
if ! check full; then
    echo "realworld-env.sh: $venv was installed but its imports fail" >&2
    exit 1
fi
cp "$req" "$marker"
echo "realworld environment ready: $venv ($("$venv/bin/python" -c '
import alembic, sqlalchemy, optuna
from importlib.metadata import version
print("alembic", alembic.__version__, "sqlalchemy", sqlalchemy.__version__,
      "optuna", optuna.__version__, "mlflow-skinny", version("mlflow-skinny"),
      "jupyterhub", version("jupyterhub"))'))"
