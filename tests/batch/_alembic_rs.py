"""Test stand-in for the Rust extension ``_alembic_rs``: the ``ddl_*``
functions the shim's impl calls, formatting strings as src/ddl/alter.rs
does (``ddl::add_column`` etc.). Only for tests/batch."""


def ddl_add_column(table, column_spec, if_not_exists):
    return "ALTER TABLE %s ADD COLUMN %s%s" % (
        table, "IF NOT EXISTS " if if_not_exists else "", column_spec
    )


def ddl_drop_column(table, column, if_exists):
    return "ALTER TABLE %s DROP COLUMN %s%s" % (table, "IF EXISTS " if if_exists else "", column)


def ddl_rename_table(table, new_table):
    return "ALTER TABLE %s RENAME TO %s" % (table, new_table)


def ddl_alter_column(dialect, table, column, nullable, server_default, type_, using, comment,
                     new_name):
    def tri(value):
        # False: not asked; None: drop; str: set
        if value is False:
            return (False, None)
        return (True, value)

    head = "ALTER TABLE %s ALTER COLUMN %s" % (table, column)
    out = []
    pg = dialect == "postgresql"
    if pg and type_ is not None:
        out.append("%s TYPE %s %s" % (head, type_, "USING %s" % using if using is not None else ""))
    if nullable is not None:
        out.append("%s %s" % (head, "DROP NOT NULL" if nullable else "SET NOT NULL"))
    asked, default = tri(server_default)
    if asked:
        out.append("%s SET DEFAULT %s" % (head, default) if default is not None else "%s DROP DEFAULT" % head)
    if not pg and type_ is not None:
        out.append("%s TYPE %s" % (head, type_))
    asked, value = tri(comment)
    if asked:
        out.append("COMMENT ON COLUMN %s.%s IS %s" % (table, column, value if value is not None else "NULL"))
    if new_name is not None:
        if dialect == "sqlite":
            out.append("ALTER TABLE %s RENAME COLUMN %s TO %s" % (table, column, new_name))
        else:
            out.append("ALTER TABLE %s RENAME %s TO %s" % (table, column, new_name))
    return out
