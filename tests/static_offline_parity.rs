//! The static path of offline migrations (`upgrade`/`downgrade ... --sql`
//! where alembic-rs renders plain autogenerate-style revisions itself instead
//! of running them through SQLAlchemy), against real Alembic.
//!
//! Every case runs three times: through `python -m alembic` (the oracle,
//! forked from a warm interpreter as in tests/offline_parity.rs), through the
//! alembic-rs binary with `ALEMBIC_RS_STATIC=0` (the Python path: proves the
//! fixture valid independently of the static path) and with
//! `ALEMBIC_RS_STATIC=1` (the static path), both with
//! `VIRTUAL_ENV=.venv-host`. Stdout, stderr and the exit code of each
//! alembic-rs run are compared byte for byte with the oracle's, normalised as
//! tests/offline_parity.rs does and nothing more: the temporary project path
//! (`<PROJECT>`), traceback bodies (the exception line that ends them is
//! compared) and `0x...` addresses.
//!
//! The static run also sets `ALEMBIC_RS_STATIC_LOG`, where the host appends
//! one line per step: `static <rev> <upgrade|downgrade>` or `python <rev>
//! <upgrade|downgrade> <reason>`. The steps expected are the ones the oracle
//! announces on stderr (`Running upgrade A -> B, <message>`), in order; a
//! step must be logged `python` when its revision's message contains
//! `[python]` (the fixture's near misses; see [`PYTHON_MARKER`] for the
//! per-dialect exception) and `static` otherwise. Output differences and log
//! mismatches are reported separately: the first are wrong SQL, the second
//! only a revision taking the other path than expected.
//!
//! The fixture, tests/fixtures/static_ops/project, is one linear chain of
//! autogenerate-style revisions (the generic template's env.py, reading
//! `OFFLINE_URL`). Not every dialect can run all of it offline, so each
//! dialect runs up to its own last revision ([`last_revision`]):
//! - PostgreSQL runs the whole chain (`upgrade head`, `downgrade head:base`);
//! - MySQL/MariaDB stop before `5e8b1d7f2aab`, which uses `sa.String()`
//!   without a length (SQLAlchemy: "VARCHAR requires a length on dialect
//!   mysql");
//! - SQLite stops at `e2b9d5c1a556`, before the revisions that use
//!   `create_foreign_key`/`drop_constraint` or batch blocks needing a table
//!   copy (Alembic's SQLite impl raises `NotImplementedError` for ALTER of
//!   constraints, and a copy needs reflection, impossible offline).
//!
//! The revisions after `5e8b1d7f2aab` (client-side defaults, then
//! `alter_column`) run on their own from there ([`LEDGER_ENTRY`]` ..`
//! [`tail_last`]): on MySQL/MariaDB to the head, on SQLite only through
//! `4a7c1e9b2d55` (its impl cannot ALTER a column; batch copies the table).
//!
//! The last test generates a 150-revision project with the benchmark
//! generator (`../shared/bench/gen_repo.py`) and expects every step of it to
//! be static.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use support::offline::difference;
use support::online::{OracleServer, Tool, manifest_dir, prepare_project, run_step};

/// The dialects and their URLs (as tests/offline_parity.rs; offline needs
/// no driver and no server).
const DIALECTS: &[(&str, &str)] = &[
    ("sqlite", "sqlite://"),
    ("postgresql", "postgresql://scott:tiger@localhost/test"),
    ("mysql", "mysql://scott:tiger@localhost/test"),
    ("mariadb", "mariadb://scott:tiger@localhost/test"),
];

/// Revisions of the fixture chain the cases start or stop at.
const ORDER_LINE: &str = "5d8f3b2c9e47";
const INVOICE: &str = "9a1d4e8c2bad";
const ARCHIVE_FLAG: &str = "c8e4a2f6d445";
/// The last revision SQLite can run offline.
const DROP_LEGACY: &str = "e2b9d5c1a556";
const RELAX_SKU: &str = "3c9f7b1e4889";
/// The last revision MySQL/MariaDB can run offline from the base.
const REWORK_COUPON: &str = "9d2a6e4b0f9a";
/// Where the second stretch of the chain starts (see the module doc).
const LEDGER_ENTRY: &str = "5e8b1d7f2aab";
/// The last revision SQLite can run of the second stretch.
const TAG_DEFAULTS: &str = "4a7c1e9b2d55";

/// The marker of near-miss revisions (in the message, the docstring's first
/// line): every step of such a revision must fall back to Python, except on
/// a dialect named by a `[static on <dialect>]` marker in the same message
/// (a near miss only where the dialect makes it one, e.g. an index name over
/// PostgreSQL's and MySQL's identifier limits, which SQLite does not have).
const PYTHON_MARKER: &str = "[python]";

fn url(dialect: &str) -> &'static str {
    DIALECTS.iter().find(|(d, _)| *d == dialect).unwrap().1
}

fn fixture_project() -> PathBuf {
    manifest_dir().join("tests/fixtures/static_ops/project")
}

/// How far `dialect` can go through the fixture chain (see the module doc).
fn last_revision(dialect: &str) -> &'static str {
    match dialect {
        "sqlite" => DROP_LEGACY,
        "mysql" | "mariadb" => REWORK_COUPON,
        _ => "head",
    }
}

/// How far `dialect` can go through the stretch after [`LEDGER_ENTRY`].
fn tail_last(dialect: &str) -> &'static str {
    match dialect {
        "sqlite" => TAG_DEFAULTS,
        _ => "head",
    }
}

/// The command lines run on `dialect`.
fn fixture_cases(dialect: &str) -> Vec<Vec<String>> {
    let last = last_revision(dialect);
    let tail = tail_last(dialect);
    let mut cases = vec![
        args(&["upgrade", &format!("{LEDGER_ENTRY}:{tail}"), "--sql"]),
        args(&["downgrade", &format!("{tail}:{LEDGER_ENTRY}"), "--sql"]),
        args(&["upgrade", last, "--sql"]),
        args(&["downgrade", &format!("{last}:base"), "--sql"]),
        args(&["upgrade", &format!("{ORDER_LINE}:{INVOICE}"), "--sql"]),
    ];
    if dialect != "sqlite" {
        cases.push(args(&[
            "upgrade",
            &format!("{ARCHIVE_FLAG}:{RELAX_SKU}"),
            "--sql",
        ]));
        cases.push(args(&[
            "downgrade",
            &format!("{REWORK_COUPON}:{DROP_LEGACY}"),
            "--sql",
        ]));
    }
    cases
}

fn args(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

// ---------------------------------------------------------------------------
// Comparing outputs

// ---------------------------------------------------------------------------
// The static log

/// The lines `ALEMBIC_RS_STATIC_LOG` should get on `dialect` for the steps
/// the oracle announced on stderr, without the reason:
/// `static|python <rev> <upgrade|downgrade>`.
fn expected_log(stderr: &str, dialect: &str) -> Vec<String> {
    let static_here = format!("[static on {dialect}]");
    stderr
        .lines()
        .filter_map(|line| {
            let (direction, rest) = ["upgrade", "downgrade"].iter().find_map(|d| {
                let marker = format!("Running {d} ");
                line.split_once(&marker).map(|(_, rest)| (*d, rest))
            })?;
            let (from, tail) = rest.split_once(" -> ")?;
            let (to, message) = tail.split_once(", ").unwrap_or((tail, ""));
            let revision = if direction == "upgrade" { to } else { from };
            let kind = if message.contains(PYTHON_MARKER) && !message.contains(&static_here) {
                "python"
            } else {
                "static"
            };
            Some(format!("{kind} {} {direction}", revision.trim()))
        })
        .collect()
}

/// Checks the log a static run wrote against the steps the oracle ran;
/// `None` when every step was logged as expected.
fn log_mismatch(log: &Path, expected: &[String]) -> Option<String> {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let logged: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    if logged.is_empty() {
        return Some(format!(
            "nothing logged at {} (ALEMBIC_RS_STATIC_LOG): the static path is not built yet, \
             or the host ignores the variable; {} step(s) expected, the first `{}`\n",
            log.display(),
            expected.len(),
            expected.first().map_or("", String::as_str)
        ));
    }
    let mut report = String::new();
    for i in 0..expected.len().max(logged.len()) {
        let want = expected.get(i).map_or("<nothing>", String::as_str);
        let got = logged.get(i).copied().unwrap_or("<nothing>");
        let got_key: Vec<&str> = got.split_whitespace().take(3).collect();
        if got_key.join(" ") != want {
            report.push_str(&format!(
                "  step {}: expected `{want}`, logged `{got}`\n",
                i + 1
            ));
        }
    }
    if logged.len() != expected.len() {
        report.push_str(&format!(
            "  {} step(s) expected, {} logged\n",
            expected.len(),
            logged.len()
        ));
    }
    (!report.is_empty()).then_some(report)
}

// ---------------------------------------------------------------------------
// The runner

/// Runs each case through the oracle and both alembic-rs paths; returns the
/// failures (output differences of either path, static-log mismatches).
/// `alembic_may_fail`: a case Alembic fails part way under some SQLAlchemy
/// releases is still compared (the failure is then the behaviour to match).
fn run_cases(
    dialect: &str,
    label: &str,
    root: &Path,
    cases: &[Vec<String>],
    base_env: &[(String, String)],
    alembic_may_fail: bool,
) -> Vec<String> {
    let mut server = OracleServer::acquire();
    let mut failures = Vec::new();
    for case in cases {
        let name = format!("{label}: {}", case.join(" "));
        let oracle = server.run(root, case, base_env);
        let expected = expected_log(&oracle.stderr, dialect);
        if (oracle.code != 0 && !alembic_may_fail) || expected.is_empty() {
            failures.push(format!(
                "{name}: Alembic itself failed or ran no step (exit {}); \
                 the case is invalid:\n{}",
                oracle.code, oracle.stderr
            ));
            continue;
        }

        let python_log = log_path(root, "python");
        let python = with_env(base_env, &[("ALEMBIC_RS_STATIC", "0")], &python_log);
        let ours = run_step(Tool::AlembicRs, root, case, &python);
        match difference(&oracle, &ours, root) {
            None => eprintln!("ok      {name} (Python path)"),
            Some(d) => failures.push(format!("{name}: the Python path differs\n{d}")),
        }

        let static_log = log_path(root, "static");
        let statik = with_env(base_env, &[("ALEMBIC_RS_STATIC", "1")], &static_log);
        let ours = run_step(Tool::AlembicRs, root, case, &statik);
        match difference(&oracle, &ours, root) {
            None => eprintln!("ok      {name} (static path)"),
            Some(d) => failures.push(format!("{name}: the static path differs\n{d}")),
        }
        match log_mismatch(&static_log, &expected) {
            None => eprintln!("ok      {name} (static log: {} steps)", expected.len()),
            Some(d) => failures.push(format!("{name}: static log\n{d}")),
        }
    }
    server.release();
    OracleServer::stop_idle();
    failures
}

/// A new file name beside the project for one run's `ALEMBIC_RS_STATIC_LOG`
/// (the host appends, so every run gets its own).
fn log_path(root: &Path, kind: &str) -> PathBuf {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let n = RUNS.fetch_add(1, Ordering::Relaxed);
    root.parent().unwrap().join(format!("{kind}-{n}.log"))
}

/// `base` plus `extra` plus `ALEMBIC_RS_STATIC_LOG=log`.
fn with_env(
    base: &[(String, String)],
    extra: &[(&str, &str)],
    log: &Path,
) -> Vec<(String, String)> {
    let mut all = base.to_vec();
    all.extend(env(extra));
    all.push(("ALEMBIC_RS_STATIC_LOG".into(), log.display().to_string()));
    all
}

fn assert_no_failures(failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{} failure(s):\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn fixture_matrix(dialect: &str) {
    if support::oracle_python().is_none() {
        return;
    }
    let project = prepare_project(&fixture_project(), "sqlite://");
    let failures = run_cases(
        dialect,
        dialect,
        &project.root,
        &fixture_cases(dialect),
        &env(&[("OFFLINE_URL", url(dialect))]),
        false,
    );
    assert_no_failures(failures);
}

/// Foreign key `ondelete`/`onupdate` phrases (tests/fixtures/static_ops/
/// fk_phrases): the five standard actions in any case stay static; any
/// other phrase goes to Python, because whether SQLAlchemy accepts it
/// depends on the release (2.1 renders any words, 2.0.10 raises
/// `CompileError: Unexpected SQL phrase`, which the static path used to
/// miss). Run under SQLAlchemy 2.0 too (scripts/test-sqlalchemy-versions.sh).
fn fk_phrases(dialect: &str) {
    if support::oracle_python().is_none() {
        return;
    }
    let project = prepare_project(
        &manifest_dir().join("tests/fixtures/static_ops/fk_phrases"),
        "sqlite://",
    );
    let cases = [
        args(&["upgrade", "head", "--sql"]),
        args(&["downgrade", "head:base", "--sql"]),
    ];
    let failures = run_cases(
        dialect,
        dialect,
        &project.root,
        &cases,
        &env(&[("OFFLINE_URL", url(dialect))]),
        true,
    );
    assert_no_failures(failures);
}

#[test]
fn static_fk_phrases_postgresql() {
    fk_phrases("postgresql");
}

#[test]
fn static_fk_phrases_mysql() {
    fk_phrases("mysql");
}

#[test]
fn static_ops_postgresql() {
    fixture_matrix("postgresql");
}

#[test]
fn static_ops_mysql() {
    fixture_matrix("mysql");
}

#[test]
fn static_ops_mariadb() {
    fixture_matrix("mariadb");
}

#[test]
fn static_ops_sqlite() {
    fixture_matrix("sqlite");
}

/// A 150-revision project from the benchmark generator
/// (`../shared/bench/gen_repo.py`, outside this repository): `upgrade head`
/// and `downgrade head:base` on PostgreSQL and MySQL, both paths compared
/// with the oracle, and every step expected static (the generator writes
/// only autogenerate-style revisions, none marked `[python]`).
#[test]
fn static_generated_150() {
    if support::oracle_python().is_none() {
        return;
    }
    let generator = manifest_dir()
        .parent()
        .unwrap()
        .join("shared/bench/gen_repo.py");
    if !generator.exists() {
        eprintln!(
            "SKIPPED: no {} (the benchmark generator)",
            generator.display()
        );
        return;
    }
    let tmp = tempfile::Builder::new()
        .prefix("alembic-static-gen-")
        .tempdir()
        .unwrap();
    let root = tmp.path().join("project");
    let out = Command::new("python3")
        .arg(&generator)
        .arg("--out")
        .arg(&root)
        .args(["--n", "150", "--seed", "7"])
        .output()
        .expect("cannot run python3");
    assert!(
        out.status.success(),
        "gen_repo.py failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut failures = Vec::new();
    for dialect in ["postgresql", "mysql"] {
        let cases = [
            args(&["upgrade", "head", "--sql"]),
            args(&["downgrade", "head:base", "--sql"]),
        ];
        let base_env = env(&[("DATABASE_URL", url(dialect))]);
        failures.extend(run_cases(
            dialect,
            &format!("generated {dialect}"),
            &root,
            &cases,
            &base_env,
            false,
        ));
    }
    assert_no_failures(failures);
}
