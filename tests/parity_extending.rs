//! Extending Alembic, alembic-rs against real Alembic (harness:
//! tests/support/online.rs): custom operations (`register_operation`,
//! `implementation_for`, `invoke`, the "Replaceable Objects" recipe,
//! `BatchOperations` registration, replacing a built-in implementation),
//! `op.run_async` over an async engine, and `context.configure()` keywords.
//!
//! Needs the oracle (scripts/test-env.sh) and PostgreSQL on 127.0.0.1;
//! missing ones skip locally and fail under CI.

mod support;
use support::online::{DbKind, Scenario, assert_parity, manifest_dir, mysql_allowed, ready};

/// tests/fixtures/online/extending: custom ops defined in the project's
/// `custom_ops.py`, used by four revisions; the last fails on request.
fn extending() -> Scenario {
    Scenario::fixture(
        "extending",
        &[
            &["upgrade", "1a2b3c4d5e01"],
            &["upgrade", "+1"],
            &["upgrade", "1a2b3c4d5e03"],
            &["-x", "fail=invoke", "upgrade", "head"],
            &["-x", "fail=async", "upgrade", "head"],
            &["-x", "fail=dup", "upgrade", "head"],
            &["-x", "fail=args", "upgrade", "head"],
            &["-x", "fail=kw", "upgrade", "head"],
            &["upgrade", "head"],
            &["downgrade", "-1"],
            &["downgrade", "-1"],
            &["downgrade", "-1"],
            &["current"],
            &["downgrade", "base"],
        ],
    )
}

#[test]
fn parity_extending_sqlite() {
    if ready(DbKind::Sqlite) {
        assert_parity(&extending(), DbKind::Sqlite);
    }
}

#[test]
fn parity_extending_postgres() {
    if ready(DbKind::Postgres) {
        assert_parity(&extending(), DbKind::Postgres);
    }
}

/// tests/fixtures/online/run_async: Alembic's `async` template env.py and a
/// revision using `op.run_async` (inside a batch too); its downgrade fails
/// inside the async function. alembic-rs runs with .venv-host-async
/// (SQLAlchemy + greenlet).
fn run_async(driver: &'static str) -> Scenario {
    async_fixture("run_async", driver)
}

/// An async fixture's up-and-down steps through `driver`, run with the
/// async host venv.
fn async_fixture(name: &str, driver: &'static str) -> Scenario {
    let mut s = Scenario::fixture(
        name,
        &[
            &["upgrade", "head"],
            &["current"],
            &["downgrade", "base"],
            &["current"],
        ],
    );
    s.driver = Some(driver);
    s.env.push((
        "VIRTUAL_ENV".into(),
        support::host_async_venv().display().to_string(),
    ));
    s
}

#[test]
fn parity_run_async_sqlite() {
    if ready(DbKind::Sqlite) {
        assert_parity(&run_async("aiosqlite"), DbKind::Sqlite);
    }
}

#[test]
fn parity_run_async_postgres() {
    if ready(DbKind::Postgres) {
        assert_parity(&run_async("asyncpg"), DbKind::Postgres);
    }
}

/// tests/fixtures/online/async_outer_context: the async template's env.py
/// starting the loop inside `except RuntimeError:` (skyvern's), and a
/// failing statement: aiosqlite's error carries no `__context__` (it comes
/// out of an asyncio future), so the traceback does not start with that
/// RuntimeError. (asyncpg's likewise, but its errors name asyncpg's classes:
/// docs/differences.md.)
#[test]
fn parity_async_outer_context_sqlite() {
    if ready(DbKind::Sqlite) {
        let mut s = Scenario::fixture("async_outer_context", &[&["upgrade", "head"], &["current"]]);
        s.driver = Some("aiosqlite");
        s.env.push((
            "VIRTUAL_ENV".into(),
            support::host_async_venv().display().to_string(),
        ));
        assert_parity(&s, DbKind::Sqlite);
    }
}

/// tests/fixtures/online/async_server_side_cursor: a streamed read
/// (`stream_results`, the ORM's `yield_per`) through asyncpg leaves its
/// portal open until the transaction ends, so an ALTER of the table read
/// fails (SQLSTATE 55006) as under asyncpg; through aiosqlite it runs
/// (tiled's authn tree, `downgrade -8` on PostgreSQL).
fn async_server_side_cursor(driver: &'static str) -> Scenario {
    async_fixture("async_server_side_cursor", driver)
}

#[test]
fn parity_async_server_side_cursor() {
    if ready(DbKind::Postgres) {
        assert_parity(&async_server_side_cursor("asyncpg"), DbKind::Postgres);
    }
    if ready(DbKind::Sqlite) {
        assert_parity(&async_server_side_cursor("aiosqlite"), DbKind::Sqlite);
    }
}

/// tests/fixtures/online/rw_mysql_driver_warnings (found by
/// scripts/compare-tree.py in session 23 on PasarGuard's tree, whose naming
/// convention names every primary key): asyncmy logs the notes a statement
/// leaves on MariaDB (`WARNI [asyncmy] Name 'pk_notes' ignored for PRIMARY
/// key.`), and none that an earlier statement left; nothing when the
/// engine was made before env.py's fileConfig() disabled existing loggers
/// (fastapi_best_architecture's env.py). Needs asyncmy in the
/// oracle's virtualenv (scripts/test-env.sh).
#[test]
fn parity_rw_mysql_driver_warnings_mysql() {
    if !(mysql_allowed(DbKind::Mysql) && ready(DbKind::Mysql)) {
        return;
    }
    let python = support::oracle_python().expect("the oracle virtualenv");
    let has_driver = std::process::Command::new(&python)
        .args(["-c", "import asyncmy"])
        .status()
        .is_ok_and(|s| s.success());
    // Without it Alembic fails at the import and the comparison proves
    // nothing.
    assert!(
        has_driver,
        "{} lacks asyncmy; run scripts/test-env.sh",
        python.display()
    );
    let mut s = async_fixture("rw_mysql_driver_warnings", "asyncmy");
    s.steps.extend([
        vec!["upgrade".into(), "head".into()],
        vec!["downgrade".into(), "base".into()],
        // the engine made before fileConfig(): its logger disabled
        vec![
            "-x".into(),
            "early_engine=1".into(),
            "upgrade".into(),
            "head".into(),
        ],
        vec![
            "-x".into(),
            "early_engine=1".into(),
            "downgrade".into(),
            "base".into(),
        ],
    ]);
    assert_parity(&s, DbKind::Mysql);
}

/// The same async env.py given a synchronous driver's URL (`sqlite:///`,
/// `postgresql+psycopg2://`, `mysql+pymysql://`): SQLAlchemy's
/// `create_async_engine` refuses it ("The asyncio extension requires an
/// async driver to be used. The loaded 'pysqlite' is not async."), and so
/// must alembic-rs, although its one driver could serve it (open-webui's
/// models build an async engine from the same URL as its env.py, so a
/// `mysql+pymysql` URL fails there before any migration runs).
fn run_async_sync_driver() -> Scenario {
    let mut s = run_async("unused");
    s.name = "run_async".into();
    s.driver = None;
    s.steps = vec![
        vec!["upgrade".into(), "head".into()],
        vec!["current".into()],
    ];
    s
}

#[test]
fn parity_run_async_refuses_sync_drivers() {
    for kind in [DbKind::Sqlite, DbKind::Postgres, DbKind::Mysql] {
        if mysql_allowed(kind) && ready(kind) {
            assert_parity(&run_async_sync_driver(), kind);
        }
    }
}

/// tests/fixtures/online/connect_args: `engine_from_config(...,
/// connect_args=...)`; the revision prints the session settings they set.
/// Then a connection to a database that does not exist: psycopg2 raises a
/// plain `OperationalError` (no `pgcode`) for any connection failure.
/// Query parameters no driver knows fail as each driver fails (libpq's
/// `invalid dsn`, pymysql's TypeError), or are warned about (pysqlite,
/// SQLAlchemy 2.1); SQLAlchemy's coercion of a value fails as it does;
/// so do `connect_args` keywords sqlite3 does not know or cannot take.
fn connect_args() -> Scenario {
    Scenario::fixture(
        "connect_args",
        &[
            &["upgrade", "head"],
            &["downgrade", "base"],
            &["-x", "missing_db=1", "current"],
            &["-x", "query=foo=bar", "current"],
            &["-x", "query=timeout=abc", "current"],
            &["-x", "query=compress=maybe", "current"],
            // a mistyped keyword and a value of the wrong type in
            // connect_args: sqlite3.connect's TypeError (libpq's invalid
            // dsn, pymysql's TypeError)
            &["-x", "extra={'check_same_threads': False}", "current"],
            &["-x", "extra={'timeout': 'x'}", "current"],
        ],
    )
}

#[test]
fn parity_connect_args() {
    for kind in [DbKind::Sqlite, DbKind::Postgres, DbKind::Mysql] {
        if mysql_allowed(kind) && ready(kind) {
            assert_parity(&connect_args(), kind);
        }
    }
}

/// tests/fixtures/online/dialect_kw: `engine_from_config(...,
/// executemany_mode=..., ...)`, the psycopg2 dialect's own keywords (as
/// Airflow passes them); the revision bulk-inserts and counts the rows.
fn dialect_kw() -> Scenario {
    Scenario::fixture(
        "dialect_kw",
        &[&["upgrade", "head"], &["downgrade", "base"]],
    )
}

#[test]
fn parity_dialect_kw() {
    for kind in [DbKind::Sqlite, DbKind::Postgres] {
        if ready(kind) {
            assert_parity(&dialect_kw(), kind);
        }
    }
}

/// tests/fixtures/online/configure_kw: `context.configure()` with most of
/// Alembic's keywords and an unknown one; the revision prints the options
/// it sees (`op.get_context().opts`).
fn configure_kw() -> Scenario {
    let mut s = Scenario::fixture(
        "configure_kw",
        &[&["upgrade", "head"], &["current"], &["downgrade", "base"]],
    );
    s.version_table = "kw_version".into();
    s
}

#[test]
fn parity_configure_kw_sqlite() {
    if ready(DbKind::Sqlite) {
        assert_parity(&configure_kw(), DbKind::Sqlite);
    }
}

#[test]
fn parity_configure_kw_postgres() {
    if ready(DbKind::Postgres) {
        assert_parity(&configure_kw(), DbKind::Postgres);
    }
}

/// tests/fixtures/online/batch_dispatch: `implementation_for(...,
/// replace=True)` on AddColumnOp, DropColumnOp and CreateUniqueConstraintOp
/// (and CreateCheckConstraintOp without `replace`), which must apply to
/// `batch_op.<directive>` (SQLite: move and copy; PostgreSQL: ALTERs) as to
/// `op.<directive>`; a user directive registered on `BatchOperations`;
/// `op.create_index` / `batch_op.create_index` on Column objects of another
/// Table; wrong calls of batch directives (`-x fail=...`); a directive that
/// extends the move-and-copy itself (`ApplyBatchImpl.<name> = ...`, as
/// TrueNAS's env.py does); `--sql` (the batches copy from a given Table
/// there).
fn batch_dispatch() -> Scenario {
    Scenario::fixture(
        "batch_dispatch",
        &[
            &["upgrade", "head", "--sql"],
            &["downgrade", "head:base", "--sql"],
            &["upgrade", "2b3c4d5e6f01"],
            &["upgrade", "+1"],
            &["upgrade", "+1"],
            &["-x", "fail=args", "upgrade", "head"],
            &["-x", "fail=kw", "upgrade", "head"],
            &["-x", "fail=schema", "upgrade", "head"],
            &["-x", "fail=insert_after", "upgrade", "head"],
            &["-x", "fail=no_create_table", "upgrade", "head"],
            &["-x", "fail=fk_args", "upgrade", "head"],
            &["-x", "fail=audit_args", "upgrade", "head"],
            &["upgrade", "head"],
            &["downgrade", "-1"],
            &["downgrade", "-1"],
            &["downgrade", "-1"],
            &["current"],
            &["downgrade", "base"],
        ],
    )
}

#[test]
fn parity_batch_dispatch_sqlite() {
    if ready(DbKind::Sqlite) {
        assert_parity(&batch_dispatch(), DbKind::Sqlite);
    }
}

#[test]
fn parity_batch_dispatch_postgres() {
    if ready(DbKind::Postgres) {
        assert_parity(&batch_dispatch(), DbKind::Postgres);
    }
}

/// tests/fixtures/online/exclude_constraint: `op.create_exclude_constraint`
/// and `batch_op.create_exclude_constraint` (PostgreSQL), online and
/// `--sql`, through an implementation replaced for Alembic's
/// `alembic.ddl.postgresql.CreateExcludeConstraintOp`; wrong calls of both.
fn exclude_constraint() -> Scenario {
    Scenario::fixture(
        "exclude_constraint",
        &[
            &["upgrade", "head", "--sql"],
            &["downgrade", "head:base", "--sql"],
            &["-x", "fail=batch_args", "upgrade", "head"],
            &["-x", "fail=op_args", "upgrade", "head"],
            &["upgrade", "head"],
            &["downgrade", "base"],
        ],
    )
}

#[test]
fn parity_exclude_constraint_postgres() {
    if ready(DbKind::Postgres) {
        assert_parity(&exclude_constraint(), DbKind::Postgres);
    }
}

/// tests/fixtures/online/impl_modules: env.py imports the impls from
/// Alembic's module paths (`alembic.ddl.impl`, `.sqlite`, `.postgresql`,
/// ...) and replaces them with subclasses registered under the same
/// `__dialect__`, which must then do the revision's work (the static path
/// declines a replaced impl).
fn impl_modules() -> Scenario {
    Scenario::fixture(
        "impl_modules",
        &[&["upgrade", "head"], &["current"], &["downgrade", "base"]],
    )
}

#[test]
fn parity_impl_modules_sqlite() {
    if ready(DbKind::Sqlite) {
        assert_parity(&impl_modules(), DbKind::Sqlite);
    }
}

#[test]
fn parity_impl_modules_postgres() {
    if ready(DbKind::Postgres) {
        assert_parity(&impl_modules(), DbKind::Postgres);
    }
}

/// tests/fixtures/online/derived_dialects: third-party dialects derived
/// from PostgreSQL's and MySQL's (their Alembic impls subclass
/// `PostgresqlImpl` / `MySQLImpl`, as sqlalchemy-cockroachdb and StarRocks
/// register them) get their family's `alter_column` elements, compiled by
/// what they register (or failing where they register nothing, as under
/// Alembic), online and with --sql; a dialect without an impl is Alembic's
/// `KeyError`. These dialects import the real psycopg2/pymysql (alembic-rs's
/// driver serves SQLAlchemy's own dialect names only), so alembic-rs runs
/// with the oracle's virtualenv.
fn derived_dialects() -> Scenario {
    let mut scenario = Scenario::fixture(
        "derived_dialects",
        &[
            &["upgrade", "head", "--sql"],
            &["-x", "dialect=pgbare", "upgrade", "head", "--sql"],
            &["-x", "dialect=pgnoimpl", "upgrade", "head", "--sql"],
            &["-x", "dialect=myfork", "upgrade", "head", "--sql"],
            &["-x", "dialect=myfork", "downgrade", "head:base", "--sql"],
            &["upgrade", "head"],
            &["downgrade", "base"],
        ],
    );
    let venv = manifest_dir().join(".venv-oracle");
    scenario
        .env
        .push(("VIRTUAL_ENV".into(), venv.to_string_lossy().into_owned()));
    scenario
}

#[test]
fn parity_derived_dialects_postgres() {
    if ready(DbKind::Postgres) {
        assert_parity(&derived_dialects(), DbKind::Postgres);
    }
}
