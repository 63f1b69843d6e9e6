//! The env.py of every template Alembic ships, unmodified, through both
//! tools: each test runs real Alembic's `init -t <template>` once, adds
//! revisions, and then runs the same command sequence through the oracle
//! and alembic-rs on fresh databases (tests/support/online.rs compares exit
//! codes, output, version rows, schema and data after every step).
//!
//! The async templates build an `AsyncEngine` (`sqlite+aiosqlite`,
//! `postgresql+asyncpg`): the oracle has the real async drivers, alembic-rs
//! runs with .venv-host-async (SQLAlchemy and greenlet only, no driver).
//! multidb points both engines at the same SQLite database, so the second
//! engine finds the version table already at head; what is compared is
//! that the env.py's per-engine loop, tokens and
//! `run_migrations(engine_name=...)` behave the same.
//!
//! Gate: ALEMBIC_RS_ONLINE_PARITY=0 skips them. Needs the oracle
//! (scripts/test-env.sh) and PostgreSQL; missing ones skip locally and fail
//! under CI.

mod support;
use std::path::{Path, PathBuf};
use std::process::Command;

use support::online::{DbKind, Scenario, assert_parity, manifest_dir, python, ready};

/// A project made by the oracle's `init`, plus revision files.
struct Generated {
    _tmp: tempfile::TempDir,
    root: PathBuf,
}

fn init_project(template: &str, revisions: &Path) -> Generated {
    let tmp = tempfile::Builder::new()
        .prefix("alembic-template-")
        .tempdir()
        .unwrap();
    let root = tmp.path().join("project");
    std::fs::create_dir_all(&root).unwrap();
    let out = Command::new(python())
        .args(["-m", "alembic", "init", "-t", template, "migrations"])
        .current_dir(&root)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "oracle init -t {template} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let versions = root.join("migrations").join("versions");
    for entry in std::fs::read_dir(revisions).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "py") {
            std::fs::copy(&path, versions.join(path.file_name().unwrap())).unwrap();
        }
    }
    Generated { _tmp: tmp, root }
}

fn scenario(name: &str, project: &Generated, steps: &[&[&str]]) -> Scenario {
    let mut s = Scenario::fixture(name, steps);
    s.project = project.root.clone();
    s
}

const STEPS: &[&[&str]] = &[
    &["upgrade", "head"],
    &["current"],
    &["downgrade", "-1"],
    &["current", "-v"],
    &["downgrade", "base"],
    &["upgrade", "+2"],
    &["stamp", "head"],
    &["history", "-i"],
    &["downgrade", "base"],
];

/// The async runs leave out the failing step (`stamp head` over a missing
/// column, then `downgrade base`): database errors raised through an async
/// driver name asyncpg's exception classes in Alembic's output and
/// psycopg2's in alembic-rs's (docs/differences.md).
const ASYNC_STEPS: &[&[&str]] = &[
    &["upgrade", "head"],
    &["current"],
    &["downgrade", "-1"],
    &["current", "-v"],
    &["downgrade", "base"],
    &["upgrade", "+2"],
    &["history", "-i"],
    &["upgrade", "head"],
    &["downgrade", "base"],
];

fn run(template: &str, kind: DbKind) {
    if std::env::var("ALEMBIC_RS_ONLINE_PARITY").as_deref() == Ok("0") {
        eprintln!("SKIPPED: ALEMBIC_RS_ONLINE_PARITY=0");
        return;
    }
    if !ready(kind) {
        return;
    }
    let is_async = template.ends_with("async") || template.starts_with("async_");
    let revisions = match template {
        "multidb" => manifest_dir().join("tests/fixtures/templates/multidb"),
        "async_driver_sql" => manifest_dir().join("tests/fixtures/templates/async_driver_sql"),
        "async_sync_engine" => manifest_dir().join("tests/fixtures/templates/async_sync_engine"),
        "async_error_context" => {
            manifest_dir().join("tests/fixtures/templates/async_error_context")
        }
        // The example project's revisions (the seed guide's Proxie schema).
        _ => manifest_dir().join("alembic/versions"),
    };
    // async_driver_sql: the async template with its own revision.
    let init_template = if template.starts_with("async_") {
        "async"
    } else {
        template
    };
    let project = init_project(init_template, &revisions);
    let steps: &[&[&str]] = if template == "async_sync_engine" {
        &[
            &["upgrade", "head", "--sql"],
            &["upgrade", "head"],
            &["current"],
        ]
    } else if template == "async_error_context" {
        &[&["upgrade", "head"], &["current"]]
    } else if template == "multidb" {
        &[
            &["upgrade", "head"],
            &["current"],
            &["downgrade", "base"],
            &["current"],
        ]
    } else if is_async {
        ASYNC_STEPS
    } else {
        STEPS
    };
    let mut s = scenario(&format!("template_{template}"), &project, steps);
    if is_async {
        s.driver = Some(match kind {
            DbKind::Sqlite => "aiosqlite",
            DbKind::Postgres => "asyncpg",
            DbKind::Mysql => "aiomysql",
        });
        s.env.push((
            "VIRTUAL_ENV".into(),
            support::host_async_venv().display().to_string(),
        ));
    }
    assert_parity(&s, kind);
}

macro_rules! template_tests {
    ($($template:literal => $sqlite:ident, $pg:ident;)*) => {$(
        #[test]
        fn $sqlite() {
            run($template, DbKind::Sqlite);
        }
        #[test]
        fn $pg() {
            run($template, DbKind::Postgres);
        }
    )*};
}

template_tests! {
    "generic" => generic_sqlite, generic_postgres;
    "async" => async_sqlite, async_postgres;
    "pyproject" => pyproject_sqlite, pyproject_postgres;
    "pyproject_async" => pyproject_async_sqlite, pyproject_async_postgres;
    // prefect's driver-level SQL under asyncpg (fixtures/templates/async_driver_sql).
    "async_driver_sql" => async_driver_sql_sqlite, async_driver_sql_postgres;
}

/// A revision building a synchronous engine on the async driver's URL
/// (agenta's first revision; fixtures/templates/async_sync_engine): under
/// `--sql` there is no SQLAlchemy greenlet, and connecting fails with
/// `MissingGreenlet` as the async driver's connect does. SQLite only: under
/// SQLAlchemy 2.1 asyncpg's connect also leaves a `RuntimeWarning` about its
/// coroutine (docs/differences.md).
#[test]
fn async_sync_engine_sqlite() {
    run("async_sync_engine", DbKind::Sqlite);
}

/// A statement failing while the migration handles an exception
/// (fixtures/templates/async_error_context): an async driver raises its
/// error on the event loop, so the traceback chains it to what the code
/// around the loop handles (skyvern's env.py calls asyncio.run() inside an
/// `except RuntimeError:`), not to the migration's own handled exception.
/// SQLite only: asyncpg's errors name its own classes (docs/differences.md).
#[test]
fn async_error_context_sqlite() {
    run("async_error_context", DbKind::Sqlite);
}

/// SQLite only: on PostgreSQL the two engines' transactions on one database
/// wait for each other's version-table lock until the step timeout, in
/// Alembic as in alembic-rs.
#[test]
fn multidb_sqlite() {
    run("multidb", DbKind::Sqlite);
}
