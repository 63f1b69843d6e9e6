"""``alembic.ddl.mysql``: ``MySQLImpl`` and ``MariaDBImpl``."""

import re

from sqlalchemy import String
from sqlalchemy import schema as sa_schema

import _alembic_rs

from ..util.exc import CommandError
from .impl import (
    DefaultImpl,
    _is_numeric_affinity,
    _normalize_expression_default,
    _strip_numeric_default,
)


class MySQLImpl(DefaultImpl):
    """Alembic's ``MySQLImpl``: MySQL alters a column by restating it
    whole (``MODIFY``/``CHANGE``, composed in Rust from SQLAlchemy's
    pieces); constraints are dropped by kind."""

    __dialect__ = "mysql"
    transactional_ddl = False

    def alter_column(
        self,
        table_name,
        column_name,
        *,
        nullable=None,
        server_default=False,
        name=None,
        type_=None,
        schema=None,
        existing_type=None,
        existing_server_default=None,
        existing_nullable=None,
        autoincrement=None,
        existing_autoincrement=None,
        comment=False,
        existing_comment=None,
        **kw,
    ):
        from sqlalchemy.sql import sqltypes

        if any(isinstance(d, (sa_schema.Computed, sa_schema.Identity))
               for d in (server_default, existing_server_default)):
            # Alembic hands these to DefaultImpl.alter_column (nullable=,
            # server_default=, type_=, in that order), whose MySQL compilers
            # refuse; what is left (a rename, a comment) goes on as usual.
            from sqlalchemy import exc as sa_exc

            if nullable is not None:
                raise NotImplementedError(
                    "Individual alter column constructs not supported by MySQL"
                )
            if server_default is not False:
                if any(isinstance(d, sa_schema.Computed)
                       for d in (server_default, existing_server_default)):
                    raise sa_exc.CompileError(
                        'Adding or removing a "computed" construct, e.g. GENERATED '
                        "ALWAYS AS, to or from an existing column is not supported."
                    )
                raise sa_exc.CompileError(
                    'Adding, removing or modifying an "identity" construct, '
                    "e.g. GENERATED AS IDENTITY, to or from an existing "
                    "column is not supported in this dialect."
                )
            if type_ is not None:
                raise NotImplementedError(
                    "Individual alter column constructs not supported by MySQL"
                )
        if (
            name is None
            and nullable is None
            and type_ is None
            and autoincrement is None
            and comment is False
            and server_default is False
        ):
            # No CHANGE, MODIFY or ALTER ... DEFAULT: Alembic emits nothing
            # and never renders the names (see DefaultImpl.alter_column).
            return
        effective = type_ if type_ is not None else existing_type
        # As Alembic: a type class (not instance) has no affinity here.
        datetime_affinity = (
            effective is not None
            and getattr(effective, "_type_affinity", None) is sqltypes.DateTime
        )

        def rendered_default(value):
            if value is False or value is None:
                return value
            return self._server_default(value)

        def rendered_comment(value):
            if value is False or value is None:
                return value
            return self.dialect.statement_compiler(self.dialect, None).render_literal_value(
                value, String()
            )

        # Alembic compiles one type, ``type_ if type_ is not None else
        # existing_type``, and only when the column is restated: an
        # ``existing_type`` MySQL cannot render (``sa.VARCHAR()`` without a
        # length, as autogenerate writes for SQLite) is harmless beside a
        # ``type_`` or for a default-only change.
        existing_error = None
        rendered_existing = None
        if type_ is None and existing_type is not None:
            try:
                rendered_existing = self._type(existing_type)
            except Exception as err:
                existing_error = err
        try:
            statement = _alembic_rs.ddl_mysql_alter_column(
                self._table(table_name, schema),
                self._quote(column_name),
                None if name is None else self._quote(name),
                None if type_ is None else self._type(type_),
                rendered_existing,
                datetime_affinity,
                nullable,
                existing_nullable,
                rendered_default(server_default),
                rendered_default(existing_server_default) or None,
                None if autoincrement is None else bool(autoincrement),
                None if existing_autoincrement is None else bool(existing_autoincrement),
                rendered_comment(comment),
                rendered_comment(existing_comment),
            )
        except CommandError:
            if existing_error is not None:
                # The statement restates the column with the type that
                # failed to compile: Alembic fails compiling it.
                raise existing_error from None
            raise
        if statement is not None:
            self._exec(
                _statement_element(
                    *statement,
                    table_name,
                    column_name,
                    schema=schema,
                    newname=name if name is not None else column_name,
                    nullable=(
                        nullable
                        if nullable is not None
                        else (existing_nullable if existing_nullable is not None else True)
                    ),
                    type_=type_ if type_ is not None else existing_type,
                    default=(
                        server_default if server_default is not False else existing_server_default
                    ),
                    autoincrement=(
                        autoincrement if autoincrement is not None else existing_autoincrement
                    ),
                    comment=comment if comment is not False else existing_comment,
                )
            )

    def drop_constraint(self, const, **kw):
        from sqlalchemy.sql.schema import CheckConstraint

        if isinstance(const, CheckConstraint) and getattr(const, "_type_bound", False):
            return
        # As Alembic: the keywords (if_exists) are not passed on, and a generic
        # constraint is refused by the compiler below (_mysql_drop_constraint),
        # so that a user's @compiles(DropConstraint, "mysql") applies first.
        super().drop_constraint(const)


    # -- autogenerate (Alembic's MySQLImpl comparison hooks) ------------

    type_synonyms = DefaultImpl.type_synonyms + ({"BOOL", "TINYINT"}, {"JSON", "LONGTEXT"})
    type_arg_extract = [r"character set ([\w\-_]+)", r"collate ([\w\-_]+)"]

    def compare_server_default(self, inspector_column, metadata_column,
                               rendered_metadata_default, rendered_inspector_default):
        from sqlalchemy import types as sqltypes

        if (
            metadata_column.type._type_affinity is sqltypes.Integer
            and inspector_column.primary_key
            and not inspector_column.autoincrement
            and not rendered_metadata_default
            and rendered_inspector_default == "'0'"
        ):
            return False  # MySQL's implicit default on a NOT NULL integer
        elif rendered_inspector_default and _is_numeric_affinity(inspector_column.type):
            if _strip_numeric_default(rendered_inspector_default) == _strip_numeric_default(
                rendered_metadata_default
            ):
                return False
        elif rendered_metadata_default and metadata_column.type._type_affinity is sqltypes.String:
            metadata_default = re.sub(r"^'|'$", "", rendered_metadata_default)
            return rendered_inspector_default != f"'{metadata_default}'"
        if rendered_inspector_default and rendered_metadata_default:
            # the MySQL dialect reports ON UPDATE as part of the default
            onupdate_ins = re.match(
                r"(.*) (on update.*?)(?:\(\))?$", rendered_inspector_default.lower()
            )
            onupdate_met = re.match(
                r"(.*) (on update.*?)(?:\(\))?$", rendered_metadata_default.lower()
            )
            if onupdate_ins:
                if not onupdate_met or onupdate_ins.group(2) != onupdate_met.group(2):
                    return True
                rendered_inspector_default = onupdate_ins.group(1)
                rendered_metadata_default = onupdate_met.group(1)
            return _normalize_expression_default(
                rendered_inspector_default
            ) != _normalize_expression_default(rendered_metadata_default)
        return rendered_inspector_default != rendered_metadata_default

    def correct_for_autogen_constraints(self, conn_unique_constraints, conn_indexes,
                                        metadata_unique_constraints, metadata_indexes):
        """MySQL indexes every foreign key implicitly (named after the
        column or the constraint): such indexes are not compared."""
        removed = set()
        for idx in list(conn_indexes):
            if idx.unique:
                continue
            for col in idx.columns:
                if idx.name == col.name:
                    conn_indexes.remove(idx)
                    removed.add(idx.name)
                    break
                for fk in col.foreign_keys:
                    if fk.name == idx.name:
                        conn_indexes.remove(idx)
                        removed.add(idx.name)
                        break
                if idx.name in removed:
                    break
        for idx in list(metadata_indexes):
            if idx.name in removed:
                metadata_indexes.remove(idx)

    def correct_for_autogen_foreignkeys(self, conn_fks, metadata_fks):
        """RESTRICT is MySQL's default and is not reported: take it from
        the model when the model says RESTRICT."""
        conn_by_sig = {
            self._create_reflected_constraint_sig(fk).unnamed_no_options: fk for fk in conn_fks
        }
        metadata_by_sig = {
            self._create_metadata_constraint_sig(fk).unnamed_no_options: fk for fk in metadata_fks
        }
        for sig in set(conn_by_sig).intersection(metadata_by_sig):
            mdfk = metadata_by_sig[sig]
            cnfk = conn_by_sig[sig]
            if mdfk.ondelete is not None and mdfk.ondelete.lower() == "restrict" \
                    and cnfk.ondelete is None:
                cnfk.ondelete = "RESTRICT"
            if mdfk.onupdate is not None and mdfk.onupdate.lower() == "restrict" \
                    and cnfk.onupdate is None:
                cnfk.onupdate = "RESTRICT"

    def compare_type(self, inspector_column, metadata_column):
        """Native ENUMs compare by their set of values."""
        from sqlalchemy import types as sqltypes

        metadata_type = metadata_column.type
        inspector_type = inspector_column.type
        if isinstance(metadata_type, sqltypes.Enum) and isinstance(inspector_type, sqltypes.Enum):
            return set(metadata_type.enums) != set(inspector_type.enums)
        return super().compare_type(inspector_column, metadata_column)


class MariaDBImpl(MySQLImpl):
    __dialect__ = "mariadb"


# The DDL elements and helpers Alembic's dialect module imports from
# ``ddl.base`` (extensions import them from here: ``from
# alembic.ddl.mysql import ...``).
from .base import (  # noqa: E402,F401
    AlterColumn,
    ColumnDefault,
    ColumnName,
    ColumnNullable,
    ColumnType,
    alter_table,
    format_column_name,
    format_server_default,
)
from ..util.sqla_compat import _is_type_bound  # noqa: E402,F401
from ..util.sqla_compat import compiles  # noqa: E402


# --- Alembic's MySQL column elements ---------------------------------------
# alembic-rs composes the statement (``_sql``) and sends it as the element
# Alembic would have built, with Alembic's attributes: MySQL-derived dialects
# (StarRocks) register their own compilers for these classes.


class MySQLAlterDefault(AlterColumn):
    def __init__(self, name, column_name, default, schema=None):
        super(AlterColumn, self).__init__(name, schema=schema)
        self.column_name = column_name
        self.default = default


class MySQLChangeColumn(AlterColumn):
    def __init__(self, name, column_name, schema=None, newname=None, type_=None,
                 nullable=None, default=False, autoincrement=None, comment=False):
        super(AlterColumn, self).__init__(name, schema=schema)
        self.column_name = column_name
        self.nullable = nullable
        self.newname = newname
        self.default = default
        self.autoincrement = autoincrement
        self.comment = comment
        if type_ is None:
            raise CommandError(
                "All MySQL CHANGE/MODIFY COLUMN operations require the existing type."
            )
        from sqlalchemy.sql import sqltypes

        self.type_ = sqltypes.to_instance(type_)


class MySQLModifyColumn(MySQLChangeColumn):
    pass


@compiles(MySQLAlterDefault, "mysql", "mariadb")
@compiles(MySQLChangeColumn, "mysql", "mariadb")
@compiles(MySQLModifyColumn, "mysql", "mariadb")
def _mysql_composed(element, compiler, **kw):
    return element._sql


@compiles(sa_schema.DropConstraint, "mysql", "mariadb")
def _mysql_drop_constraint(element, compiler, **kw):
    """Alembic registers this compiler when ``alembic.ddl.mysql`` is
    imported, so it applies to application code that compiles or executes a
    ``DropConstraint`` itself, and it puts SQLAlchemy's ``ext.compiler``
    dispatcher (its frames show in tracebacks) on ``DropConstraint`` for
    every dialect. A constraint of no particular kind is refused: SQLAlchemy
    alone would emit ``ALTER TABLE t DROP name``, which drops a column."""
    constraint = element.element
    keyed = (
        sa_schema.ForeignKeyConstraint,
        sa_schema.PrimaryKeyConstraint,
        sa_schema.UniqueConstraint,
    )
    if isinstance(constraint, keyed):
        return compiler.visit_drop_constraint(element)
    if isinstance(constraint, sa_schema.CheckConstraint):
        # MySQL says DROP CHECK, MariaDB DROP CONSTRAINT
        word = "CONSTRAINT" if compiler.dialect.is_mariadb else "CHECK"
        return "ALTER TABLE %s DROP %s %s" % (
            compiler.preparer.format_table(constraint.table),
            word,
            compiler.preparer.format_constraint(constraint),
        )
    raise NotImplementedError(
        "No generic 'DROP CONSTRAINT' in MySQL - please specify constraint type"
    )


def _statement_element(kind, sql, table_name, column_name, **kw):
    """The element Alembic's MySQLImpl.alter_column builds for the statement
    alembic-rs composed (CHANGE, MODIFY or ALTER COLUMN ... DEFAULT)."""
    if kind == "change":
        element = MySQLChangeColumn(table_name, column_name, **kw)
    elif kind == "modify":
        element = MySQLModifyColumn(table_name, column_name, **kw)
    else:
        element = MySQLAlterDefault(table_name, column_name, kw["default"], schema=kw["schema"])
    element._sql = sql
    return element
