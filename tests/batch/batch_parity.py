"""Batch mode ("move and copy") parity: the shim's ``op.batch_alter_table``
against real Alembic 1.20.1, on SQLite.

Every case builds a SQLite database, runs one batch block through real
Alembic (a worker process importing the installed ``alembic``) and through
the shim (a worker process with python/shim first on sys.path and the
``_alembic_rs`` stand-in of this directory), then compares:

  online   the statements sent (before_cursor_execute, with BEGIN/COMMIT
           events), the resulting ``sqlite_master`` rows, every table's
           rows, warnings and errors;
  copy     the same, online, with ``copy_from`` = a Table (no reflection);
  offline  the ``--sql`` text (as_sql=True, copy_from given), warnings and
           errors.

Usage (with the oracle venv's python, which has Alembic 1.20.1):
    python tests/batch/batch_parity.py [-v] [case ...]
"""

import json
import os
import subprocess
import sys
import tempfile
import traceback
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SHIM = os.path.join(ROOT, "python", "shim")

import sqlalchemy as sa  # noqa: E402

# -- the cases -----------------------------------------------------------------

CASES = {}


def case(name, setup, modes=("online", "copy", "offline"), target_metadata=None, table=None,
         xfail=None):
    """Register ``fn(op, copy_from)``; ``setup`` is a list of SQL strings;
    ``table(connection)`` builds the copy_from Table (default: reflect it);
    ``xfail`` maps a mode to why it is known to differ (outside batch mode)."""

    def register(fn):
        CASES[name] = dict(fn=fn, setup=setup, modes=modes, target_metadata=target_metadata,
                           table=table or _reflect("account"), xfail=xfail or {})
        return fn

    return register


def _reflect(name):
    def make(conn):
        return sa.Table(name, sa.MetaData(), autoload_with=conn)

    return make


USER = [
    "CREATE TABLE user (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50))",
    "INSERT INTO user (id, name) VALUES (1, 'ann'), (2, 'bob')",
]

ACCOUNT = USER + [
    """CREATE TABLE account (
        id INTEGER NOT NULL,
        name VARCHAR(50) NOT NULL,
        email VARCHAR(120),
        amount VARCHAR(20) DEFAULT '0',
        balance NUMERIC(10, 2) DEFAULT 0,
        created DATETIME DEFAULT (CURRENT_TIMESTAMP),
        active BOOLEAN DEFAULT 1,
        user_id INTEGER,
        note TEXT,
        PRIMARY KEY (id),
        CONSTRAINT fk_account_user FOREIGN KEY(user_id) REFERENCES user (id) ON DELETE CASCADE,
        CONSTRAINT uq_account_email UNIQUE (email),
        CONSTRAINT ck_account_balance CHECK (balance >= 0)
    )""",
    "CREATE INDEX ix_account_name ON account (name)",
    "CREATE UNIQUE INDEX ix_account_user_note ON account (user_id, note)",
    "INSERT INTO account (id, name, email, amount, balance, created, active, user_id, note) "
    "VALUES (1, 'a', 'a@x', '12', 3.5, '2024-01-02 03:04:05', 1, 1, 'n1'),"
    " (2, 'b', NULL, '7', 0, '2024-02-03 04:05:06', 0, 2, NULL),"
    " (3, 'c', 'c@x', '0042', 10, '2024-03-04 05:06:07', 1, NULL, 'n3')",
]

UNNAMED = USER + [
    """CREATE TABLE account (
        id INTEGER NOT NULL PRIMARY KEY,
        name VARCHAR(50),
        user_id INTEGER,
        code VARCHAR(10),
        qty INTEGER,
        FOREIGN KEY(user_id) REFERENCES user (id),
        UNIQUE (code),
        CHECK (qty > 0)
    )""",
    "INSERT INTO account VALUES (1, 'a', 1, 'A', 1), (2, 'b', 2, 'B', 5)",
]

NC = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


@case("drop_column", ACCOUNT)
def _(op, copy_from):
    with op.batch_alter_table("account", copy_from=copy_from) as b:
        b.drop_column("amount")


@case("drop_indexed_column_fails", USER + [
    "CREATE TABLE account (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(5), note TEXT)",
    "CREATE INDEX ix_account_note ON account (note)",
    "INSERT INTO account VALUES (1, 'a', 'x')",
])
def _(op, copy_from):
    # Alembic re-creates the index over the dropped column: the database refuses
    with op.batch_alter_table("account", copy_from=copy_from) as b:
        b.drop_column("note")


@case("drop_two_columns_and_index", ACCOUNT)
def _(op, copy_from):
    with op.batch_alter_table("account", copy_from=copy_from) as b:
        b.drop_index("ix_account_name")
        b.drop_column("amount")
        b.drop_column("created")


@case("add_column_expr_default", ACCOUNT)
def _(op, copy_from):
    # an expression default can't be added by ALTER on SQLite: recreate
    with op.batch_alter_table("account", copy_from=copy_from) as b:
        b.add_column(sa.Column("updated", sa.DateTime(), server_default=sa.text("(abs(-7) || 'x')")))
        b.add_column(sa.Column("score", sa.Integer(), nullable=False, server_default="5"))


@case("add_column_plain_alter_path", ACCOUNT)
def _(op, copy_from):
    # only add_column/create_index: SQLite "auto" uses ALTER TABLE
    with op.batch_alter_table("account", copy_from=copy_from) as b:
        b.add_column(sa.Column("score", sa.Integer(), server_default="5"))
        b.create_index("ix_account_score", ["score"])
        b.add_column(sa.Column("label", sa.String(20)))


@case("alter_type_with_data", ACCOUNT)
def _(op, copy_from):
    with op.batch_alter_table("account", copy_from=copy_from) as b:
        b.alter_column("amount", type_=sa.Integer(), existing_type=sa.String(20))
        b.alter_column("balance", type_=sa.Float(), existing_type=sa.Numeric(10, 2))
        b.alter_column("note", type_=sa.String(200))


@case("alter_type_json_no_cast", ACCOUNT)
def _(op, copy_from):
    with op.batch_alter_table("account", copy_from=copy_from) as b:
        b.alter_column("note", type_=sa.JSON())


@case("rename_column", ACCOUNT)
def _(op, copy_from):
    with op.batch_alter_table("account", copy_from=copy_from) as b:
        b.alter_column("name", new_column_name="full_name", existing_type=sa.String(50))
        b.alter_column("email", new_column_name="mail")


@case("nullable_and_default", ACCOUNT)
def _(op, copy_from):
    with op.batch_alter_table("account", copy_from=copy_from) as b:
        b.alter_column("amount", nullable=False, existing_type=sa.String(20), server_default="none")
        b.alter_column("name", nullable=True)
        b.alter_column("amount", server_default=None)
        b.alter_column("balance", server_default=sa.text("1.5"))
        b.alter_column("id", autoincrement=False, comment="the id")


@case("drop_unnamed_with_naming_convention", UNNAMED, table=None)
def _(op, copy_from):
    nc = dict(NC)
    del nc["ck"]  # the unnamed CHECK would need %(constraint_name)s
    with op.batch_alter_table(
        "account", copy_from=copy_from, naming_convention=nc
    ) as b:
        b.drop_constraint("fk_account_user_id_user", type_="foreignkey")
        b.drop_constraint("uq_account_code", type_="unique")


@case("unnamed_check_warning", UNNAMED)
def _(op, copy_from):
    with op.batch_alter_table("account", copy_from=copy_from) as b:
        b.alter_column("name", nullable=False)


@case("unnamed_check_restated_in_table_args", UNNAMED)
def _(op, copy_from):
    with op.batch_alter_table(
        "account", copy_from=copy_from, table_args=(sa.CheckConstraint("qty > 0"),)
    ) as b:
        b.drop_column("name")


@case("create_foreign_key", ACCOUNT)
def _(op, copy_from):
    with op.batch_alter_table("account", copy_from=copy_from) as b:
        b.add_column(sa.Column("owner_id", sa.Integer()))
        b.create_foreign_key("fk_account_owner", "user", ["owner_id"], ["id"], ondelete="SET NULL")
        b.drop_constraint("fk_account_user", type_="foreignkey")


@case("create_unique_check_pk", USER + [
    "CREATE TABLE account (id INTEGER NOT NULL, code VARCHAR(10), qty INTEGER)",
    "INSERT INTO account VALUES (1, 'x', 3), (2, 'y', 4)",
])
def _(op, copy_from):
    with op.batch_alter_table("account", copy_from=copy_from) as b:
        b.create_primary_key("pk_account", ["id"])
        b.create_unique_constraint("uq_account_code", ["code"])
        b.create_check_constraint("ck_account_qty", sa.text("qty > 1"))
        b.create_index("ix_account_code_qty", ["code", "qty"], unique=True)


@case("drop_named_constraints", ACCOUNT)
def _(op, copy_from):
    with op.batch_alter_table("account", copy_from=copy_from) as b:
        b.drop_constraint("uq_account_email", type_="unique")
        b.drop_constraint("ck_account_balance", type_="check")


@case("recreate_always_indexes", ACCOUNT)
def _(op, copy_from):
    with op.batch_alter_table("account", recreate="always", copy_from=copy_from) as b:
        b.create_index("ix_account_email", ["email"])
        b.drop_index("ix_account_user_note")


@case("recreate_always_empty", ACCOUNT)
def _(op, copy_from):
    with op.batch_alter_table("account", recreate="always", copy_from=copy_from):
        pass


@case("insert_before_after", ACCOUNT)
def _(op, copy_from):
    with op.batch_alter_table("account", recreate="always", copy_from=copy_from) as b:
        b.add_column(sa.Column("first", sa.Integer()), insert_before="id")
        b.add_column(sa.Column("mid", sa.String(5)), insert_after="name")
        b.add_column(sa.Column("mid2", sa.String(5)), insert_after="mid")
        b.add_column(sa.Column("before_note", sa.Text()), insert_before="note")
        b.add_column(sa.Column("last", sa.Integer()))


@case("insert_after_with_drop_auto", ACCOUNT)
def _(op, copy_from):
    # "auto" that recreates anyway (drop_column first) allows insert_after
    with op.batch_alter_table("account", copy_from=copy_from) as b:
        b.drop_column("amount")
        b.add_column(sa.Column("x", sa.Integer()), insert_after="id")


@case("partial_reordering", ACCOUNT)
def _(op, copy_from):
    with op.batch_alter_table(
        "account",
        recreate="always",
        copy_from=copy_from,
        partial_reordering=[("note", "email", "name"), ("active", "id")],
    ) as b:
        b.add_column(sa.Column("extra", sa.Integer()))


@case("table_comment", ACCOUNT)
def _(op, copy_from):
    with op.batch_alter_table("account", recreate="always", copy_from=copy_from) as b:
        b.create_table_comment("accounts", existing_comment=None)
        b.drop_table_comment(existing_comment="accounts")


@case("boolean_create_constraint", ACCOUNT, target_metadata=sa.MetaData(naming_convention=NC))
def _(op, copy_from):
    with op.batch_alter_table("account", copy_from=copy_from) as b:
        b.add_column(sa.Column("flag", sa.Boolean(create_constraint=True, name="flag")))
        b.add_column(sa.Column("kind", sa.Enum("a", "b", name="kind", create_constraint=True)))
        b.alter_column("active", type_=sa.Boolean(create_constraint=True, name="active"),
                       existing_type=sa.Boolean())


@case("boolean_unnamed_no_convention", ACCOUNT)
def _(op, copy_from):
    with op.batch_alter_table("account", copy_from=copy_from) as b:
        b.add_column(sa.Column("flag", sa.Boolean(create_constraint=True)))


def _bool_table(metadata):
    return sa.Table(
        "account",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False, index=True),
        sa.Column("active", sa.Boolean(create_constraint=True, name="active")),
        sa.Column("kind", sa.Enum("a", "b", name="kind", create_constraint=True)),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("user.id", name="fk_account_user")),
        sa.Column("qty", sa.Integer, sa.CheckConstraint("qty > 0", name="ck_qty")),
        sa.UniqueConstraint("name", name="uq_account_name"),
        sa.Index("ix_account_kind", "kind"),
    )


def _bool_copy_from(conn):
    return _bool_table(sa.MetaData(naming_convention=NC))


BOOL_SETUP = USER + [
    """CREATE TABLE account (
        id INTEGER NOT NULL,
        name VARCHAR(50) NOT NULL,
        active BOOLEAN,
        kind VARCHAR(1),
        user_id INTEGER,
        qty INTEGER CONSTRAINT ck_qty CHECK (qty > 0),
        PRIMARY KEY (id),
        CONSTRAINT uq_account_name UNIQUE (name),
        CONSTRAINT ck_account_active CHECK (active IN (0, 1)),
        CONSTRAINT ck_account_kind CHECK (kind IN ('a', 'b')),
        CONSTRAINT fk_account_user FOREIGN KEY(user_id) REFERENCES user (id)
    )""",
    "CREATE INDEX ix_account_name ON account (name)",
    "CREATE INDEX ix_account_kind ON account (kind)",
    "INSERT INTO account VALUES (1, 'a', 1, 'a', 1, 2), (2, 'b', 0, 'b', NULL, 3)",
]


@case("copy_from_boolean_enum_convention", BOOL_SETUP, table=_bool_copy_from,
      target_metadata=sa.MetaData(naming_convention=NC))
def _(op, copy_from):
    with op.batch_alter_table("account", copy_from=copy_from) as b:
        b.alter_column("active", new_column_name="is_active",
                       existing_type=sa.Boolean(create_constraint=True, name="active"))
        b.drop_constraint("ck_qty", type_="check")
        b.add_column(sa.Column("extra", sa.String(10)))


@case("copy_from_drop_enum_column", BOOL_SETUP, table=_bool_copy_from)
def _(op, copy_from):
    with op.batch_alter_table("account", copy_from=copy_from) as b:
        b.drop_column("kind", existing_type=sa.Enum("a", "b", name="kind", create_constraint=True))


@case("self_referential_fk", [
    """CREATE TABLE account (
        id INTEGER NOT NULL PRIMARY KEY,
        parent_id INTEGER,
        name VARCHAR(20),
        CONSTRAINT fk_parent FOREIGN KEY(parent_id) REFERENCES account (id)
    )""",
    "INSERT INTO account VALUES (1, NULL, 'root'), (2, 1, 'kid')",
])
def _(op, copy_from):
    with op.batch_alter_table("account", copy_from=copy_from) as b:
        b.alter_column("name", type_=sa.String(40))


@case("table_kwargs_and_reflect_args", ACCOUNT)
def _(op, copy_from):
    with op.batch_alter_table(
        "account",
        copy_from=copy_from,
        table_kwargs={"sqlite_autoincrement": True},
        reflect_args=[sa.Column("note", sa.String(30))],
    ) as b:
        b.alter_column("name", type_=sa.String(60))


@case("execute_runs_at_once", ACCOUNT, modes=("online", "copy"))
def _(op, copy_from):
    with op.batch_alter_table("account", copy_from=copy_from) as b:
        b.drop_column("amount")
        b.execute("UPDATE account SET name = name || '!'")
        b.alter_column("name", new_column_name="title")


@case("errors_no_such_index", ACCOUNT)
def _(op, copy_from):
    with op.batch_alter_table("account", copy_from=copy_from) as b:
        b.drop_column("amount")
        b.drop_index("ix_nope")


@case("errors_no_such_constraint", ACCOUNT)
def _(op, copy_from):
    with op.batch_alter_table("account", copy_from=copy_from) as b:
        b.drop_constraint("uq_nope", type_="unique")


@case("errors_insert_before_alter", ACCOUNT)
def _(op, copy_from):
    with op.batch_alter_table("account", copy_from=copy_from) as b:
        b.add_column(sa.Column("x", sa.Integer()), insert_before="id")


@case("errors_unnamed_constraint", ACCOUNT)
def _(op, copy_from):
    with op.batch_alter_table("account", copy_from=copy_from) as b:
        b.create_unique_constraint(None, ["name"])


@case("offline_without_copy_from", ACCOUNT, modes=("offline_nocopy",))
def _(op, copy_from):
    with op.batch_alter_table("account") as b:
        b.drop_column("amount")


@case("nested_batch_and_alter_insert_before", ACCOUNT)
def _(op, copy_from):
    with op.batch_alter_table("account", copy_from=copy_from) as b:
        b.alter_column("email", type_=sa.String(200), insert_before="id")
    with op.batch_alter_table("user") as b2:
        b2.add_column(sa.Column("nick", sa.String(10)))


@case("recreate_never_drop_column", ACCOUNT)
def _(op, copy_from):
    with op.batch_alter_table("account", recreate="never", copy_from=copy_from) as b:
        b.drop_column("amount")
        b.alter_column("note", new_column_name="remark")


@case("batch_op_f_keeps_name", BOOL_SETUP, table=_bool_copy_from,
      target_metadata=sa.MetaData(naming_convention=NC))
def _(op, copy_from):
    with op.batch_alter_table("account", copy_from=copy_from) as b:
        b.drop_constraint(b.f("ck_qty"), type_="check")
        b.create_check_constraint("positive", sa.text("qty >= 0"))


@case("add_column_with_fk", ACCOUNT)
def _(op, copy_from):
    with op.batch_alter_table("account", copy_from=copy_from) as b:
        b.add_column(sa.Column("owner_id", sa.Integer, sa.ForeignKey("user.id", name="fk_owner")))
        b.add_column(sa.Column("boss_id", sa.Integer, sa.ForeignKey("user.id", name="fk_boss")),
                     inline_references=True)


@case("create_index_if_not_exists_recreate", ACCOUNT)
def _(op, copy_from):
    with op.batch_alter_table("account", copy_from=copy_from) as b:
        b.drop_column("amount")
        b.create_index("ix_account_email", ["email"], if_not_exists=True)


@case("drop_pk_column", USER + [
    "CREATE TABLE account (a INTEGER NOT NULL, b INTEGER NOT NULL, c TEXT, PRIMARY KEY (a, b))",
    "INSERT INTO account VALUES (1, 1, 'x'), (1, 2, 'y')",
])
def _(op, copy_from):
    with op.batch_alter_table("account", copy_from=copy_from) as b:
        b.drop_column("b")


def _listener_seen(inspector, table, column_info):
    if column_info["name"] == "note":
        column_info["type"] = sa.String(99)


@case("reflect_listeners", ACCOUNT, modes=("online",))
def _(op, copy_from):
    with op.batch_alter_table(
        "account", reflect_kwargs={"listeners": [("column_reflect", _listener_seen)]}
    ) as b:
        b.alter_column("name", nullable=True)


@case("enum_type_change_with_convention", ACCOUNT, target_metadata=sa.MetaData(naming_convention=NC))
def _(op, copy_from):
    with op.batch_alter_table("account", copy_from=copy_from) as b:
        b.alter_column("amount", type_=sa.Enum("0", "7", "12", "0042", name="amt", create_constraint=True),
                       existing_type=sa.String(20))


def _unnamed_bool_copy_from(conn):
    return sa.Table(
        "account",
        sa.MetaData(naming_convention=NC),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("active", sa.Boolean(create_constraint=True)),
        sa.Column("kind", sa.String(1)),
        sa.Column("user_id", sa.Integer),
        sa.Column("qty", sa.Integer),
    )


@case("copy_from_unnamed_boolean_convention_warning", BOOL_SETUP, table=_unnamed_bool_copy_from,
      modes=("copy", "offline"))
def _(op, copy_from):
    with op.batch_alter_table("account", copy_from=copy_from) as b:
        b.alter_column("name", nullable=True)


def _main_schema_copy_from(conn):
    return sa.Table("account", sa.MetaData(), autoload_with=conn, schema="main")


@case("schema_main", ACCOUNT, table=_main_schema_copy_from)
def _(op, copy_from):
    with op.batch_alter_table("account", schema="main", copy_from=copy_from) as b:
        b.drop_column("amount")


PG_MODES = ("offline_pg", "offline_mysql")


@case("other_dialects_always", BOOL_SETUP, table=_bool_copy_from, modes=PG_MODES,
      target_metadata=sa.MetaData(naming_convention=NC))
def _(op, copy_from):
    with op.batch_alter_table("account", recreate="always", copy_from=copy_from) as b:
        b.alter_column("name", type_=sa.String(80), existing_type=sa.String(50))
        b.add_column(sa.Column("extra", sa.Integer, comment="more"), insert_after="name")
        b.create_index("ix_account_extra", ["extra"])


@case("other_dialects_auto_alters", BOOL_SETUP, table=_bool_copy_from, modes=PG_MODES)
def _(op, copy_from):
    with op.batch_alter_table("account", copy_from=copy_from) as b:
        b.alter_column("name", type_=sa.String(80), existing_type=sa.String(50),
                       nullable=True, server_default="x", new_column_name="title")
        b.add_column(sa.Column("extra", sa.Integer, comment="more"))
        b.drop_column("qty")
        b.create_unique_constraint("uq_extra", ["extra"])
        b.drop_constraint("uq_account_name", type_="unique")
        b.create_index("ix_account_extra", ["extra"])
        b.drop_index("ix_account_kind")
        b.create_table_comment("tbl")


# -- worker: run one case with one alembic (real or shim) ----------------------


def _setup_db(path, setup):
    engine = sa.create_engine("sqlite:///" + path)
    with engine.begin() as conn:
        for stmt in setup:
            conn.exec_driver_sql(stmt)
    engine.dispose()


def _snapshot(conn):
    master = [
        list(r)
        for r in conn.exec_driver_sql(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
        )
    ]
    data = {}
    for (name,) in conn.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"
    ).fetchall():
        rows = conn.exec_driver_sql('SELECT * FROM "%s" ORDER BY rowid' % name).fetchall()
        data[name] = [[repr(v) for v in r] for r in rows]
    return master, data


def _error(e):
    return "%s: %s" % (type(e).__name__, e)


def run_worker(which, name, mode, workdir):
    if which == "shim":
        sys.path.insert(0, SHIM)
    else:
        sys.path[:] = [p for p in sys.path if os.path.abspath(p) != SHIM]
    import alembic
    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext

    assert (os.path.dirname(os.path.dirname(alembic.__file__)) == SHIM) == (which == "shim")
    c = CASES[name]
    db = os.path.join(workdir, "%s-%s-%s.db" % (which, name, mode))
    if os.path.exists(db):
        os.unlink(db)
    _setup_db(db, c["setup"])
    out = {"warnings": [], "error": None}
    opts = {}
    if c["target_metadata"] is not None:
        opts["target_metadata"] = c["target_metadata"]

    engine = sa.create_engine("sqlite:///" + db)
    log = []

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _stmt(conn, cursor, statement, parameters, context, executemany):
        log.append([statement, repr(parameters)])

    for ev in ("begin", "commit", "rollback"):
        sa.event.listen(engine, ev, (lambda ev: lambda conn: log.append([ev.upper()]))(ev))

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if mode in ("online", "copy"):
            with engine.connect() as conn:
                copy_from = None
                if mode == "copy":
                    with engine.connect() as c2:
                        copy_from = c["table"](c2)
                    log.clear()
                ctx = MigrationContext.configure(connection=conn, opts=dict(opts))
                try:
                    with Operations.context(ctx) as op:
                        c["fn"](op, copy_from)
                except Exception as e:
                    out["error"] = _error(e)
                    if os.environ.get("BATCH_TRACE"):
                        traceback.print_exc()
                if conn.in_transaction():
                    conn.commit()
            with engine.connect() as conn:
                out["master"], out["data"] = _snapshot(conn)
            out["statements"] = log
        else:
            import io

            buf = io.StringIO()
            copy_from = None
            if mode != "offline_nocopy":
                with engine.connect() as c2:
                    copy_from = c["table"](c2)
            dialect = {"offline_pg": "postgresql", "offline_mysql": "mysql"}.get(mode, "sqlite")
            ctx = MigrationContext.configure(
                dialect_name=dialect, opts=dict(opts, as_sql=True, output_buffer=buf)
            )
            try:
                with Operations.context(ctx) as op:
                    c["fn"](op, copy_from)
            except Exception as e:
                out["error"] = _error(e)
                if os.environ.get("BATCH_TRACE"):
                    traceback.print_exc()
            out["sql"] = buf.getvalue()
    engine.dispose()
    out["warnings"] = ["%s: %s" % (w.category.__name__, w.message) for w in caught]
    return out


# -- end to end: a project run by the alembic-rs binary and by real Alembic -----

E2E_INI = """[alembic]
script_location = %(here)s/migrations
path_separator = os
sqlalchemy.url = sqlite:///%(here)s/app.db

[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console
qualname =

[logger_sqlalchemy]
level = WARNING
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
"""

E2E_ENV = """from logging.config import fileConfig

from sqlalchemy import engine_from_config, pool

from alembic import context

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)
target_metadata = None


def run_migrations_offline():
    context.configure(url=config.get_main_option("sqlalchemy.url"),
                      target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    connectable = engine_from_config(config.get_section(config.config_ini_section, {}),
                                     prefix="sqlalchemy.", poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
"""

E2E_R1 = """revision = "a1"
down_revision = None
branch_labels = None
depends_on = None

import sqlalchemy as sa
from alembic import op


def upgrade():
    op.create_table("user", sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("name", sa.String(50)))
    t = op.create_table(
        "account",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("email", sa.String(120)),
        sa.Column("amount", sa.String(20), server_default="0"),
        sa.Column("active", sa.Boolean(create_constraint=True, name="ck_active"),
                  server_default=sa.text("1")),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("user.id", name="fk_account_user")),
        sa.Column("note", sa.Text),
        sa.UniqueConstraint("email", name="uq_account_email"),
        sa.CheckConstraint("user_id > 0", name="ck_account_user"),
    )
    op.create_index("ix_account_name", "account", ["name"])
    op.bulk_insert(sa.table("user", sa.column("id", sa.Integer), sa.column("name", sa.String)),
                   [{"id": 1, "name": "ann"}, {"id": 2, "name": "bob"}])
    op.bulk_insert(t, [
        {"id": 1, "name": "a", "email": "a@x", "amount": "12", "user_id": 1, "note": "n1"},
        {"id": 2, "name": "b", "email": None, "amount": "7", "user_id": 2, "note": None},
    ])


def downgrade():
    op.drop_table("account")
    op.drop_table("user")
"""

E2E_R2 = """revision = "b2"
down_revision = "a1"
branch_labels = None
depends_on = None

import sqlalchemy as sa
from alembic import op


def _copy_from():
    if not op.get_context().as_sql:
        return None
    return sa.Table(
        "account", sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("email", sa.String(120)),
        sa.Column("amount", sa.String(20), server_default="0"),
        sa.Column("active", sa.Boolean(create_constraint=True, name="ck_active"),
                  server_default=sa.text("1")),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("user.id", name="fk_account_user")),
        sa.Column("note", sa.Text),
        sa.UniqueConstraint("email", name="uq_account_email"),
        sa.CheckConstraint("user_id > 0", name="ck_account_user"),
        sa.Index("ix_account_name", "name"),
    )


def _copy_from_upgraded():
    if not op.get_context().as_sql:
        return None
    return sa.Table(
        "account", sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.String(50), nullable=False),
        sa.Column("score", sa.Integer(), server_default=sa.text("(2 + 3)")),
        sa.Column("email", sa.String(120)),
        sa.Column("amount", sa.Integer, server_default="0"),
        sa.Column("active", sa.Boolean(create_constraint=True, name="ck_active"),
                  server_default=sa.text("1")),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("user.id", name="fk_account_user")),
        sa.CheckConstraint("user_id > 0", name="ck_account_user"),
        sa.Index("ix_account_name", "title"),
        sa.Index("ix_account_email", "email", unique=True),
    )


def upgrade():
    with op.batch_alter_table("account", copy_from=_copy_from()) as batch_op:
        batch_op.alter_column("amount", type_=sa.Integer(), existing_type=sa.String(20))
        batch_op.alter_column("name", new_column_name="title", existing_type=sa.String(50))
        batch_op.drop_column("note")
        batch_op.add_column(sa.Column("score", sa.Integer(), server_default=sa.text("(2 + 3)")),
                            insert_after="name")
        batch_op.drop_constraint("uq_account_email", type_="unique")
        batch_op.create_index("ix_account_email", ["email"], unique=True)
    with op.batch_alter_table("user") as batch_op:
        batch_op.add_column(sa.Column("nick", sa.String(10)))


def downgrade():
    with op.batch_alter_table("account", recreate="always", copy_from=_copy_from_upgraded(),
                              partial_reordering=[("id", "name", "email", "amount")]) as batch_op:
        batch_op.drop_index("ix_account_email")
        batch_op.create_unique_constraint("uq_account_email", ["email"])
        batch_op.drop_column("score")
        batch_op.add_column(sa.Column("note", sa.Text()))
        batch_op.alter_column("title", new_column_name="name", existing_type=sa.String(50))
        batch_op.alter_column("amount", type_=sa.String(20), existing_type=sa.Integer())
    with op.batch_alter_table("user", recreate="always",
                              copy_from=sa.Table("user", sa.MetaData(),
                                                 sa.Column("id", sa.Integer, primary_key=True),
                                                 sa.Column("name", sa.String(50)),
                                                 sa.Column("nick", sa.String(10)))
                              if op.get_context().as_sql else None) as batch_op:
        batch_op.drop_column("nick")
"""


def run_e2e(binary):
    import shutil

    base = tempfile.mkdtemp(prefix="batch-e2e-")
    results = {}
    for which in ("real", "shim"):
        proj = os.path.join(base, which)
        os.makedirs(os.path.join(proj, "migrations", "versions"))
        with open(os.path.join(proj, "alembic.ini"), "w") as f:
            f.write(E2E_INI)
        with open(os.path.join(proj, "migrations", "env.py"), "w") as f:
            f.write(E2E_ENV)
        for name, src in (("a1_create.py", E2E_R1), ("b2_batch.py", E2E_R2)):
            with open(os.path.join(proj, "migrations", "versions", name), "w") as f:
                f.write(src)
        env = dict(os.environ)
        if which == "real":
            cmd = [os.path.join(os.path.dirname(sys.executable), "alembic")]
            env.pop("VIRTUAL_ENV", None)
        else:
            cmd = [os.path.abspath(binary)]
            env["VIRTUAL_ENV"] = os.path.join(ROOT, ".venv-host")
        out = {}
        for label, args in (
            ("upgrade", ["upgrade", "head"]),
            ("downgrade", ["downgrade", "a1"]),
            ("upgrade_again", ["upgrade", "head"]),
            ("sql", ["upgrade", "head", "--sql"]),
            ("sql_down", ["downgrade", "b2:a1", "--sql"]),
        ):
            p = subprocess.run(cmd + args, cwd=proj, env=env, capture_output=True, text=True)
            # traceback frames differ by construction (the shim is not
            # Alembic's module layout): compare everything else
            text_out = "\n".join(
                line
                for line in (p.stdout + "\n--stderr--\n" + p.stderr).replace(proj, "<proj>").split("\n")
                if not line.startswith(" ")
            )
            out[label] = {"rc": p.returncode, "output": text_out}
            if label in ("upgrade", "downgrade", "upgrade_again"):
                engine = sa.create_engine("sqlite:///" + os.path.join(proj, "app.db"))
                with engine.connect() as conn:
                    out[label]["master"], out[label]["data"] = _snapshot(conn)
                engine.dispose()
        results[which] = out
    failed = 0
    for label in results["real"]:
        real, shim = normalize(results["real"][label]), normalize(results["shim"][label])
        for r in (real, shim):
            r["output"] = normalize({"sql": r["output"]})["sql"]
        if os.environ.get("BATCH_E2E_SHOW"):
            print(json.dumps(results["real"][label], indent=1))
        if real == shim:
            print("ok    e2e %-12s rc=%s" % (label, real["rc"]))
        else:
            failed += 1
            print("DIFF  e2e %s" % label)
            for line in _diff(real, shim):
                print(line)
    shutil.rmtree(base, ignore_errors=True)
    return 1 if failed else 0


# -- driver ----------------------------------------------------------------------


def _run(which, name, workdir):
    """All modes of one case, in one worker process: {mode: result}."""
    proc = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--worker", which, name, workdir],
        capture_output=True,
        text=True,
        cwd=HERE,
        env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"),
    )
    crash = None
    if proc.returncode != 0:
        crash = {"crash": proc.stderr[-4000:]}
    else:
        try:
            return json.loads(proc.stdout.splitlines()[-1])
        except (ValueError, IndexError):
            crash = {"crash": proc.stdout[-2000:] + proc.stderr[-2000:]}
    return {mode: crash for mode in CASES[name]["modes"]}


# Alembic copies the table's constraints and indexes by iterating sets
# (Table.constraints, Table.indexes), so the order of the CONSTRAINT lines
# in CREATE TABLE and of the trailing CREATE INDEX statements changes from
# one run of real Alembic to the next.  Both sides are compared with those
# two orders normalized; everything else must be byte-identical.

_CONSTRAINT_STARTS = ("CONSTRAINT ", "PRIMARY KEY", "UNIQUE ", "UNIQUE(", "CHECK ", "CHECK(",
                      "FOREIGN KEY")


def _norm_create_table(sql):
    if not isinstance(sql, str) or "CREATE TABLE" not in sql:
        return sql
    start = sql.find("(\n")
    end = sql.rfind("\n)")
    if start < 0 or end < start:
        return sql
    body = sql[start + 2:end].split(", \n")
    cols = [x for x in body if not x.strip().startswith(_CONSTRAINT_STARTS)]
    consts = sorted(x for x in body if x.strip().startswith(_CONSTRAINT_STARTS))
    return sql[:start + 2] + ", \n".join(cols + consts) + sql[end:]


def _unordered_kind(sql):
    """Statements Alembic emits while iterating a set: runs of the same
    kind are compared sorted."""
    if not isinstance(sql, str):
        return None
    sql = sql.lstrip()
    if sql.startswith(("CREATE INDEX", "CREATE UNIQUE INDEX")):
        return "index"
    if sql.startswith("ALTER TABLE") and " DROP CONSTRAINT " in sql:
        return "drop_constraint"  # PostgreSQL's prep_table_for_batch
    return None


def _sort_index_runs(items, key):
    out, run, kind = [], [], None
    for item in items:
        k = _unordered_kind(key(item))
        if k is not None and (k == kind or not run):
            run.append(item)
            kind = k
            continue
        out.extend(sorted(run, key=lambda i: json.dumps(i)))
        run, kind = [], None
        if k is not None:
            run, kind = [item], k
        else:
            out.append(item)
    out.extend(sorted(run, key=lambda i: json.dumps(i)))
    return out


def normalize(result):
    result = dict(result)
    if "statements" in result:
        stmts = [[_norm_create_table(s[0])] + s[1:] for s in result["statements"]]
        result["statements"] = _sort_index_runs(stmts, lambda s: s[0])
    if "master" in result:
        result["master"] = [r[:3] + [_norm_create_table(r[3])] for r in result["master"]]
    if result.get("sql"):
        blocks = [_norm_create_table(b) for b in result["sql"].split(";\n\n")]
        result["sql"] = ";\n\n".join(_sort_index_runs(blocks, lambda b: b))
    if "warnings" in result:
        result["warnings"] = sorted(result["warnings"])
    if result.get("error"):
        result["error"] = _norm_create_table(result["error"])
    return result


def _diff(real, shim):
    lines = []
    for key in sorted(set(real) | set(shim)):
        a, b = real.get(key), shim.get(key)
        if a == b:
            continue
        lines.append("  [%s]" % key)
        if isinstance(a, list) and isinstance(b, list):
            import difflib

            lines.extend(
                "    " + line
                for line in difflib.unified_diff(
                    [json.dumps(x) for x in a], [json.dumps(x) for x in b],
                    "real", "shim", lineterm="", n=1,
                )
            )
        elif isinstance(a, str) and isinstance(b, str):
            import difflib

            lines.extend(
                "    " + line
                for line in difflib.unified_diff(
                    a.splitlines(), b.splitlines(), "real", "shim", lineterm="", n=2
                )
            )
        else:
            lines.append("    real: %r" % (a,))
            lines.append("    shim: %r" % (b,))
    return lines


def main(argv):
    verbose = "-v" in argv
    names = [a for a in argv if not a.startswith("-")] or list(CASES)
    workdir = tempfile.mkdtemp(prefix="batch-parity-")
    failed = 0
    total = 0
    xfailed = 0
    from concurrent.futures import ThreadPoolExecutor

    runs = [(name, mode) for name in names for mode in CASES[name]["modes"]]
    with ThreadPoolExecutor(max_workers=int(os.environ.get("BATCH_JOBS", "4"))) as pool:
        futures = {
            (name, which): pool.submit(_run, which, name, workdir)
            for name in names
            for which in ("real", "shim")
        }
    for name, mode in runs:
        if True:
            total += 1
            real = normalize(futures[(name, "real")].result()[mode])
            shim = normalize(futures[(name, "shim")].result()[mode])
            if real == shim and "crash" not in real:
                if mode in CASES[name]["xfail"]:
                    failed += 1
                    print("XPASS %-42s %-8s (now matches: drop its xfail)" % (name, mode))
                    continue
                status = "ok"
                if real.get("error"):
                    status += " (both raise %s)" % real["error"].split("\n")[0][:90]
                if real.get("warnings"):
                    status += " (%d warning(s) alike)" % len(real["warnings"])
                print("ok    %-42s %-8s%s" % (name, mode, status[2:]))
                if verbose:
                    print(json.dumps(real, indent=1))
            elif mode in CASES[name]["xfail"]:
                xfailed += 1
                print("xfail %-42s %-8s known: %s" % (name, mode, CASES[name]["xfail"][mode]))
                if verbose:
                    for line in _diff(real, shim):
                        print(line)
            else:
                failed += 1
                print("DIFF  %-42s %s" % (name, mode))
                for line in _diff(real, shim):
                    print(line)
    if not os.environ.get("BATCH_KEEP"):
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)
    print("\n%d of %d case/mode runs match real Alembic%s" % (
        total - failed - xfailed, total,
        " (%d known difference(s) outside batch mode)" % xfailed if xfailed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--e2e":
        sys.exit(run_e2e(sys.argv[2]))
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        which, name, workdir = sys.argv[2:5]
        result = {mode: run_worker(which, name, mode, workdir) for mode in CASES[name]["modes"]}
        sys.stdout.write("\n" + json.dumps(result) + "\n")
    else:
        sys.exit(main(sys.argv[1:]))
