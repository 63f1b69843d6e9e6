"""``alembic.ddl.sqlite``: ``SQLiteImpl``. SQLite has almost no ALTER;
what it lacks goes through batch mode's move-and-copy (operations/recreate.py)."""

import re

from sqlalchemy.sql.elements import ClauseElement

from .impl import DefaultImpl


class SQLiteImpl(DefaultImpl):
    __dialect__ = "sqlite"
    transactional_ddl = False

    def requires_recreate_in_batch(self, batch_op):
        from sqlalchemy.sql.schema import DefaultClause

        for op in batch_op.batch:
            if op[0] == "add_column":
                col = op[1][1]
                default = col.server_default
                if isinstance(default, DefaultClause) and isinstance(default.arg, ClauseElement):
                    return True
                if getattr(default, "persisted", False):
                    return True
            elif op[0] not in ("create_index", "drop_index"):
                return True
        return False

    def add_constraint(self, const):
        if const._create_rule is None:
            raise NotImplementedError(
                "No support for ALTER of constraints in SQLite dialect. "
                "Please refer to the batch mode feature which allows for "
                "SQLite migrations using a copy-and-move strategy."
            )
        elif const._create_rule(self):
            import warnings

            warnings.warn(
                "Skipping unsupported ALTER for creation of implicit constraint. "
                "Please refer to the batch mode feature which allows for "
                "SQLite migrations using a copy-and-move strategy."
            )

    def drop_constraint(self, const, **kw):
        if const._create_rule is None:
            raise NotImplementedError(
                "No support for ALTER of constraints in SQLite dialect. "
                "Please refer to the batch mode feature which allows for "
                "SQLite migrations using a copy-and-move strategy."
            )


    # -- autogenerate (Alembic's SQLiteImpl comparison hooks) -----------

    def compare_server_default(self, inspector_column, metadata_column,
                               rendered_metadata_default, rendered_inspector_default):
        """Compared without one level of parentheses and quotes."""

        def bare(value):
            if value is None:
                return None
            value = re.sub(r"^\((.+)\)$", r"\1", value)
            return re.sub(r"^\"?'(.+)'\"?$", r"\1", value)

        return bare(rendered_inspector_default) != bare(rendered_metadata_default)

    def _guess_if_default_is_unparenthesized_sql_expr(self, expr):
        if not expr:
            return False
        if re.match(r"^[0-9\.]$", expr) or re.match(r"^'.+'$", expr) or re.match(r"^\(.+\)$", expr):
            return False
        return True

    def autogen_column_reflect(self, inspector, table, column_info):
        # expression defaults need their parentheses when sent as DDL
        if self._guess_if_default_is_unparenthesized_sql_expr(column_info.get("default", None)):
            column_info["default"] = "(%s)" % (column_info["default"],)

    def correct_for_autogen_constraints(self, conn_unique_constraints, conn_indexes,
                                        metadata_unique_constraints, metadata_indexes):
        self._skip_functional_indexes(metadata_indexes, conn_indexes)


# The DDL elements and helpers Alembic's dialect module imports from
# ``ddl.base`` (extensions import them from here: ``from
# alembic.ddl.sqlite import ...``).
from .base import (  # noqa: E402,F401
    ColumnName,
    RenameTable,
    alter_table,
    format_column_name,
    format_table_name,
)
from .base import _rename_table_unqualified as visit_rename_table  # noqa: E402,F401
