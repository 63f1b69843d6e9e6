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
    let mut s = Scenario::fixture(
        "run_async",
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
        manifest_dir()
            .join(".venv-host-async")
            .display()
            .to_string(),
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

/// tests/fixtures/online/connect_args: `engine_from_config(...,
/// connect_args=...)`; the revision prints the session settings they set.
fn connect_args() -> Scenario {
    Scenario::fixture(
        "connect_args",
        &[&["upgrade", "head"], &["downgrade", "base"]],
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
