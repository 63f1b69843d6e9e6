"""Test stand-in for the Rust extension ``_alembic_rs``: the ``ddl_*``
functions the shim's impl calls, formatting strings as src/ddl/alter.rs
does (``ddl::add_column`` etc.). Only for tests/batch."""


def ddl_add_column(table, column_spec, constraints, if_not_exists):
    return "ALTER TABLE %s ADD COLUMN %s%s" % (
        table, "IF NOT EXISTS " if if_not_exists else "", column_spec
    ) + "".join(" " + c for c in constraints)


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


def ddl_mysql_alter_column(table, column, new_name, type_, existing_type, datetime_affinity,
                           nullable, existing_nullable, server_default, existing_server_default,
                           autoincrement, existing_autoincrement, comment, existing_comment):
    """As src/ddl/alter.rs ``mysql_alter_column``, with the statement's kind
    (src/python/module.rs ``ddl_mysql_alter_column``)."""
    type_eff = type_ if type_ is not None else existing_type
    functional = type_eff is not None and datetime_affinity and server_default is not None
    change = new_name is not None or functional
    modify = (nullable is not None or type_ is not None or autoincrement is not None
              or comment is not False)
    if not change and not modify:
        if server_default is False:
            return None
        action = "SET DEFAULT %s" % server_default if server_default is not None else "DROP DEFAULT"
        return "default", "ALTER TABLE %s ALTER COLUMN %s %s" % (table, column, action)
    if type_eff is None:
        from alembic.util.exc import CommandError

        raise CommandError("All MySQL CHANGE/MODIFY COLUMN operations require the existing type.")
    null = nullable if nullable is not None else (
        existing_nullable if existing_nullable is not None else True)
    spec = "%s %s" % (type_eff, "NULL" if null else "NOT NULL")
    if (autoincrement if autoincrement is not None else existing_autoincrement):
        spec += " AUTO_INCREMENT"
    default = server_default if server_default is not False else existing_server_default
    if default is not None:
        spec += " DEFAULT %s" % default
    text = comment if comment is not False else existing_comment
    if text is not None:
        spec += " COMMENT %s" % text
    if change:
        return "change", "ALTER TABLE %s CHANGE %s %s %s" % (
            table, column, new_name if new_name is not None else column, spec)
    return "modify", "ALTER TABLE %s MODIFY %s %s" % (table, column, spec)
