"""Per-dialect implementations (Alembic's ``DefaultImpl`` subclasses), one
module per dialect as in Alembic, so that ``from alembic.ddl.impl import
DefaultImpl`` or ``from alembic.ddl.postgresql import PostgresqlImpl`` in
an env.py finds them.
"""

from . import mssql, mysql, oracle, postgresql, sqlite  # noqa: F401  (registers the impls)
from .impl import DefaultImpl, impl_for  # noqa: F401
from .mssql import MSSQLImpl  # noqa: F401
from .mysql import MariaDBImpl, MySQLImpl  # noqa: F401
from .oracle import OracleImpl  # noqa: F401
from .postgresql import PostgresqlImpl  # noqa: F401
from .sqlite import SQLiteImpl  # noqa: F401
