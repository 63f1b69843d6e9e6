//! Real-world migration trees shipped in PyPI packages, alembic-rs against
//! real Alembic: optuna's (optuna/storages/_rdb/alembic/, 10 revisions),
//! mlflow's (mlflow/store/db_migrations/, 67 revisions) and jupyterhub's
//! (jupyterhub/alembic/, 19 revisions), each on SQLite and on a fresh
//! PostgreSQL database (optuna and jupyterhub also on MariaDB), through the
//! same command sequence,
//! including the steps where Alembic itself fails.
//!
//! Each scenario:
//! 1. builds a template project from the package installed in
//!    .venv-realworld/: a copy of its migration directory (env.py,
//!    script.py.mako, versions/) plus the alembic.ini the package ships
//!    beside it, with `script_location` pointed at the copy;
//! 2. copies the template once per tool and points `sqlalchemy.url` at that
//!    tool's own fresh database (tests/support/online.rs: FreshDb,
//!    prepare_project);
//! 3. optionally prepares each database the way the package does before its
//!    first upgrade (mlflow: `InitialBase.metadata.create_all`, as
//!    mlflow.store.db.utils._initialize_tables);
//! 4. runs every step through `python -m alembic` (the oracle, from
//!    .venv-realworld) and through the alembic-rs binary (with
//!    VIRTUAL_ENV=.venv-realworld), the two concurrently, and compares after
//!    each step: exit code, stdout, stderr, the `alembic_version` rows, the
//!    schema dump and the table data (tests/oracle/schema_dump.py).
//!
//! Normalised before comparing (see support::online::Normaliser): each
//! side's project directory and database name/path; the bodies of Python
//! tracebacks (the `Traceback (most recent call last):` line and the final
//! exception line(s) are kept); the order of `current`'s lines. Plus two
//! rules of this file: the `YYYY/MM/DD HH:MM:SS ` prefix mlflow's log
//! handler puts on every record (mlflow configures the `alembic` logger on
//! import), which differs between any two runs; and, on SQLite, the order
//! of the table-constraint lines (PRIMARY KEY, UNIQUE, FOREIGN KEY, CHECK,
//! CONSTRAINT) inside each CREATE TABLE of the schema dump: a table that
//! batch mode recreated gets its constraints in the iteration order of
//! SQLAlchemy's `Table.constraints`, a set of objects hashed by identity,
//! so two runs of Alembic itself write them in different orders (the lines
//! themselves are still compared).
//!
//! Steps marked `fails` are ones where Alembic itself exits non-zero; the
//! test checks that the oracle really does (so the failure paths stay
//! covered) and alembic-rs must fail the same way: same step, same exit
//! code, same final exception line, same database state afterwards.
//!
//! All steps run even after a mismatch; the test then fails listing every
//! mismatching step (later ones may follow from the first).
//!
//! Needs .venv-realworld (scripts/realworld-env.sh), PostgreSQL on
//! 127.0.0.1:5432 (user root) and MariaDB on 127.0.0.1:3306 (user root). Missing ones skip locally and fail under CI.
//!
//! Knobs:
//! - ALEMBIC_RS_ORACLE_SUBPROCESS=1: the oracle as a plain subprocess
//!   instead of the fork server (tests/oracle/schema_dump.py --serve);
//! - ALEMBIC_RS_REALWORLD_SELF=1: the harness's own check: the fork-server
//!   oracle against the subprocess oracle instead of against alembic-rs
//!   (proves the normalisation leaves nothing run-specific);
//! - ALEMBIC_RS_REALWORLD_TRACE=1: every step's normalised output, version
//!   rows and timings on stderr; =raw: each side's raw output instead.

mod support;

use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{LazyLock, Once};
use std::time::{Duration, Instant};

use regex::Regex;
use support::online::{
    DbKind, FreshDb, Normaliser, OracleServer, Outcome, Project, STEP_TIMEOUT, Tool, manifest_dir,
    prepare_project, ready, run_step, step_env, subcommand, unified_diff,
};

const VERSION_TABLE: &str = "alembic_version";

// ---------------------------------------------------------------------------
// The environment

fn venv() -> PathBuf {
    manifest_dir().join(".venv-realworld")
}

fn venv_python() -> PathBuf {
    venv().join("bin/python")
}

fn requirements() -> PathBuf {
    manifest_dir().join("tests/fixtures/realworld/requirements.txt")
}

/// Whether the real-world venv is there and built from the current
/// requirements (scripts/realworld-env.sh leaves a copy of them as marker).
fn venv_problem() -> Option<String> {
    if !venv_python().exists() {
        return Some(format!("{} is missing", venv().display()));
    }
    let marker = std::fs::read(venv().join(".realworld-requirements")).ok();
    let wanted = std::fs::read(requirements()).ok();
    if marker.is_none() || marker != wanted {
        return Some(format!(
            "{} was not built from the current {}",
            venv().display(),
            requirements().display()
        ));
    }
    None
}

static ORACLE_PYTHON: Once = Once::new();

/// Whether a scenario on `kind` can run: skips locally (with a note) and
/// fails under CI when the venv or the database is missing. Makes the
/// real-world venv the oracle interpreter of support::online (its servers,
/// `run_step(Tool::Oracle)` and dumps all use ALEMBIC_RS_ORACLE_PYTHON).
fn realworld_ready(kind: DbKind) -> bool {
    if let Some(problem) = venv_problem() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{problem}; run scripts/realworld-env.sh"
        );
        eprintln!("SKIPPED: {problem}; run scripts/realworld-env.sh");
        return false;
    }
    ORACLE_PYTHON.call_once(|| {
        // SAFETY: set once, before this test starts any thread or child; every
        // test of this binary sets the same value, and std's own environment
        // accesses (Command spawning, env::var) are serialised with it.
        unsafe { std::env::set_var("ALEMBIC_RS_ORACLE_PYTHON", venv_python()) };
    });
    ready(kind)
}

fn site_packages() -> PathBuf {
    let lib = venv().join("lib");
    std::fs::read_dir(&lib)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", lib.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("site-packages"))
        .find(|p| p.is_dir())
        .unwrap_or_else(|| panic!("no lib/python*/site-packages in {}", venv().display()))
}

fn flag(var: &str) -> bool {
    std::env::var(var).as_deref() == Ok("1")
}

// ---------------------------------------------------------------------------
// The trees

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tree {
    Optuna,
    Mlflow,
    Jupyterhub,
}

impl Tree {
    fn label(self) -> &'static str {
        match self {
            Tree::Optuna => "optuna",
            Tree::Mlflow => "mlflow",
            Tree::Jupyterhub => "jupyterhub",
        }
    }

    /// The migration directory inside site-packages.
    fn migrations(self) -> &'static str {
        match self {
            Tree::Optuna => "optuna/storages/_rdb/alembic",
            Tree::Mlflow => "mlflow/store/db_migrations",
            Tree::Jupyterhub => "jupyterhub/alembic",
        }
    }

    /// The alembic.ini the package ships for it (each package builds its
    /// Config from this file, then overrides script_location and
    /// sqlalchemy.url).
    fn shipped_ini(self) -> &'static str {
        match self {
            Tree::Optuna => "optuna/storages/_rdb/alembic.ini",
            Tree::Mlflow => "mlflow/store/db_migrations/alembic.ini",
            // A template: jupyterhub.dbutil fills `{alembic_dir}` and
            // `{db_url}` with str.format; script_location and
            // sqlalchemy.url are replaced here anyway.
            Tree::Jupyterhub => "jupyterhub/alembic.ini",
        }
    }

    /// The copy's directory name in the project (= script_location).
    fn dir_name(self) -> &'static str {
        match self {
            Tree::Optuna => "alembic",
            Tree::Mlflow => "db_migrations",
            Tree::Jupyterhub => "alembic",
        }
    }
}

/// A template project for `tree`: alembic.ini + the migration directory.
/// Returned as the temp dir holding it (the project is `<dir>/project`).
fn template(tree: Tree) -> tempfile::TempDir {
    let site = site_packages();
    let tmp = tempfile::Builder::new()
        .prefix("alembic-realworld-template-")
        .tempdir()
        .unwrap();
    let root = tmp.path().join("project");
    copy_tree(&site.join(tree.migrations()), &root.join(tree.dir_name()));
    let ini = std::fs::read_to_string(site.join(tree.shipped_ini())).unwrap();
    let mut out = String::new();
    let mut found = false;
    for line in ini.split_inclusive('\n') {
        if line.starts_with("script_location") {
            out.push_str(&format!("script_location = {}\n", tree.dir_name()));
            found = true;
        } else {
            out.push_str(line);
        }
    }
    assert!(found, "no script_location in {}", tree.shipped_ini());
    std::fs::write(root.join("alembic.ini"), out).unwrap();
    tmp
}

/// Copies a directory tree without `__pycache__` (a copy small enough to
/// write here: support::online's is private).
fn copy_tree(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for entry in std::fs::read_dir(src).unwrap_or_else(|e| panic!("{}: {e}", src.display())) {
        let entry = entry.unwrap();
        let (from, to) = (entry.path(), dst.join(entry.file_name()));
        if entry.file_type().unwrap().is_dir() {
            if entry.file_name() != "__pycache__" {
                copy_tree(&from, &to);
            }
        } else {
            std::fs::copy(&from, &to).unwrap();
        }
    }
}

/// What is done to each fresh database before the first step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Setup {
    /// Nothing: the ini pointed at an empty database.
    Empty,
    /// mlflow's first revisions alter tables its initial ORM models create;
    /// mlflow itself runs `InitialBase.metadata.create_all(engine)` before
    /// `upgrade heads` (mlflow.store.db.utils._initialize_tables).
    MlflowInitialTables,
    /// jupyterhub creates a new database from its ORM models
    /// (`orm.Base.metadata.create_all`) and stamps it; its revisions only
    /// upgrade databases of older releases.
    JupyterhubTables,
}

const MLFLOW_INITIAL_TABLES: &str = "\
import sys
import sqlalchemy as sa
from mlflow.store.tracking.dbmodels.initial_models import Base as InitialBase
engine = sa.create_engine(sys.argv[1])
InitialBase.metadata.create_all(engine)
engine.dispose()
";

const JUPYTERHUB_TABLES: &str = "\
import sys
import sqlalchemy as sa
from jupyterhub import orm
engine = sa.create_engine(sys.argv[1])
orm.Base.metadata.create_all(engine)
engine.dispose()
";

fn run_setup(setup: Setup, url: &str) {
    let code = match setup {
        Setup::Empty => return,
        Setup::MlflowInitialTables => MLFLOW_INITIAL_TABLES,
        Setup::JupyterhubTables => JUPYTERHUB_TABLES,
    };
    let out = Command::new(venv_python())
        .args(["-c", code, url])
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "setup {setup:?} failed on {url}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// ---------------------------------------------------------------------------
// Scenarios

struct Step {
    args: Vec<String>,
    /// Alembic itself exits non-zero here (checked).
    fails: bool,
}

fn ok(args: &str) -> Step {
    Step {
        args: args.split_whitespace().map(str::to_string).collect(),
        fails: false,
    }
}

fn fails(args: &str) -> Step {
    Step {
        fails: true,
        ..ok(args)
    }
}

struct Scenario {
    name: String,
    tree: Tree,
    setup: Setup,
    steps: Vec<Step>,
}

/// optuna: the whole tree up, one step down and up again, then `downgrade
/// base`, where Alembic fails in v3.0.0.c's downgrade (AttributeError:
/// IntermediateValueModel has no FloatTypeEnum): on SQLite (non-transactional
/// DDL) after v3.2.0.a and v3.0.0.d were undone, on PostgreSQL rolled back
/// whole. Then up again and the stamps.
fn optuna(kind: DbKind) -> Scenario {
    Scenario {
        name: format!("optuna on {}", kind.label()),
        tree: Tree::Optuna,
        setup: Setup::Empty,
        steps: vec![
            ok("upgrade head"),
            ok("current"),
            ok("downgrade -1"),
            ok("current"),
            ok("upgrade head"),
            fails("downgrade base"),
            ok("current"),
            ok("upgrade head"),
            ok("stamp base"),
            ok("current"),
            ok("stamp head"),
            ok("current"),
        ],
    }
}

/// optuna on MariaDB, where Alembic itself cannot upgrade the tree: a
/// revision's `ALTER TABLE trial_values DROP COLUMN step` fails with 1072
/// ("Key column 'step' doesn't exist in table": MariaDB refuses to drop a
/// column a composite unique key still names). DDL is not transactional,
/// so each retry fails further on what the last one left; every step must
/// still end the same way in both tools, database state included.
fn optuna_mariadb() -> Scenario {
    Scenario {
        name: "optuna on mysql".to_string(),
        tree: Tree::Optuna,
        setup: Setup::Empty,
        steps: vec![
            fails("upgrade head"),
            ok("current"),
            ok("downgrade -1"),
            ok("current"),
            fails("upgrade head"),
            fails("downgrade base"),
            ok("current"),
            fails("upgrade head"),
            ok("stamp base"),
            ok("current"),
            ok("stamp head"),
            ok("current"),
        ],
    }
}

/// mlflow as mlflow runs it: initial tables, then the whole tree up (67
/// revisions); one step down and up again; the stamps.
fn mlflow(kind: DbKind) -> Scenario {
    Scenario {
        name: format!("mlflow on {}", kind.label()),
        tree: Tree::Mlflow,
        setup: Setup::MlflowInitialTables,
        steps: vec![
            ok("upgrade head"),
            ok("current"),
            ok("downgrade -1"),
            ok("current"),
            ok("upgrade head"),
            ok("stamp base"),
            ok("current"),
            ok("stamp head"),
            ok("current"),
        ],
    }
}

/// mlflow's `downgrade base`, where Alembic fails: on SQLite in revision
/// c8d9e0f1a2b3's downgrade (batch drop_column on `spans`: the table copy's
/// INSERT ... SELECT hits `cannot INSERT into generated column
/// "duration_ns"`), after the revisions above it were undone and committed;
/// on PostgreSQL at DROP TABLE registered_models
/// (DependentObjectsStillExist), the whole downgrade rolled back. Then up
/// again from wherever that left the database.
fn mlflow_failed_downgrade(kind: DbKind) -> Scenario {
    Scenario {
        name: format!("mlflow failed downgrade on {}", kind.label()),
        tree: Tree::Mlflow,
        setup: Setup::MlflowInitialTables,
        steps: vec![
            ok("upgrade head"),
            fails("downgrade base"),
            ok("current"),
            ok("upgrade head"),
            ok("current"),
        ],
    }
}

/// mlflow's tree pointed at an empty database, as a user following "point
/// an ini at the directory" would: Alembic fails in the first revision
/// (451aebb31d03: ALTER TABLE metrics, which does not exist); a relative
/// downgrade then has nothing to walk; stamps still work.
fn mlflow_empty(kind: DbKind) -> Scenario {
    Scenario {
        name: format!("mlflow (empty database) on {}", kind.label()),
        tree: Tree::Mlflow,
        setup: Setup::Empty,
        steps: vec![
            fails("upgrade head"),
            ok("current"),
            fails("downgrade -1"),
            ok("stamp head"),
            ok("current"),
            ok("stamp base"),
            ok("current"),
        ],
    }
}

/// jupyterhub as jupyterhub runs it: the ORM's tables, `stamp head`
/// (jupyterhub.orm.check_db_revision); then down and up through its
/// revisions, where `downgrade base` fails in Alembic itself on every
/// database, in 3c2384c5aae1's downgrade (`op.drop_column('services',
/// sa.Column('from_config'))`: SQLAlchemy 2.1 raises `TypeError:
/// Column._set_parent() missing 2 required keyword-only arguments`), after
/// the revisions above it were undone. jupyterhub's alembic.ini
/// formats every log record as `[I <time> <logger> <module>:<lineno>]`:
/// the call sites must be Alembic's own.
fn jupyterhub(kind: DbKind) -> Scenario {
    Scenario {
        name: format!("jupyterhub on {}", kind.label()),
        tree: Tree::Jupyterhub,
        setup: Setup::JupyterhubTables,
        steps: vec![
            ok("stamp head"),
            ok("current"),
            fails("downgrade base"),
            ok("current"),
            ok("upgrade head"),
            ok("downgrade -3"),
            ok("current -v"),
            ok("upgrade head"),
            fails("upgrade nosuchrev"),
        ],
    }
}

// ---------------------------------------------------------------------------
// The runner

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Runner {
    /// `python -m alembic` from .venv-realworld through the fork server (a
    /// subprocess with ALEMBIC_RS_ORACLE_SUBPROCESS=1).
    Oracle,
    /// `python -m alembic` from .venv-realworld, always a subprocess.
    OracleSubprocess,
    /// target/release/alembic-rs with VIRTUAL_ENV=.venv-realworld.
    AlembicRs,
}

impl Runner {
    fn label(self) -> &'static str {
        match self {
            Runner::Oracle => "alembic",
            Runner::OracleSubprocess => "alembic (subprocess)",
            Runner::AlembicRs => "alembic-rs",
        }
    }
}

/// mlflow's log records start with `%Y/%m/%d %H:%M:%S `.
static MLFLOW_TIMESTAMP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?m)^\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2} ").unwrap());

/// jupyterhub's: `[I 2026-12-05 02:00:00.123 alembic...`.
static JUPYTERHUB_TIMESTAMP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^\[([A-Z]) \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} ").unwrap()
});

/// A table-constraint line of a SQLite CREATE TABLE (as SQLAlchemy renders
/// it: one tab of indent).
static SQLITE_CONSTRAINT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\t(CONSTRAINT |PRIMARY KEY|UNIQUE|FOREIGN KEY|CHECK)").unwrap());

/// Sorts each run of consecutive table-constraint lines (without their
/// trailing commas, which depend on the position).
fn sort_sqlite_constraints(schema: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut run: Vec<String> = Vec::new();
    let flush = |run: &mut Vec<String>, out: &mut Vec<String>| {
        run.sort();
        out.append(run);
    };
    for line in schema.split('\n') {
        if SQLITE_CONSTRAINT.is_match(line) {
            run.push(line.trim_end().trim_end_matches(',').to_string());
        } else {
            flush(&mut run, &mut out);
            out.push(line.to_string());
        }
    }
    flush(&mut run, &mut out);
    out.join("\n")
}

struct Observed {
    code: i32,
    stdout: String,
    stderr: String,
    versions: String,
    schema: String,
    data: String,
    elapsed: Duration,
}

struct Side {
    runner: Runner,
    // Dropped in this order: the server (and its connections) before the
    // database.
    server: Option<OracleServer>,
    project: Project,
    db: FreshDb,
    norm: Normaliser,
    env: Vec<(String, String)>,
    total: Duration,
}

impl Side {
    fn new(runner: Runner, template: &Path, kind: DbKind, setup: Setup) -> Side {
        let server = Some(OracleServer::acquire());
        let db = FreshDb::create(kind);
        let url = db.url();
        run_setup(setup, &url);
        let project = prepare_project(template, &url);
        let norm = Normaliser::new(&project.root, &db);
        let env = vec![
            ("VIRTUAL_ENV".to_string(), venv().display().to_string()),
            ("DATABASE_URL".to_string(), url),
        ];
        Side {
            runner,
            server,
            project,
            db,
            norm,
            env,
            total: Duration::ZERO,
        }
    }

    fn server(&mut self) -> &mut OracleServer {
        self.server.as_mut().unwrap()
    }

    fn snapshot(&mut self) -> (String, String, String) {
        let url = self.db.url();
        let snap = self.server().dump(&url, VERSION_TABLE);
        let mut schema = self.norm.names(&snap.schema);
        if self.db.kind() == DbKind::Sqlite {
            schema = sort_sqlite_constraints(&schema);
        }
        (
            self.norm.names(&snap.versions_text()),
            schema,
            self.norm.names(&snap.data),
        )
    }

    fn step(&mut self, args: &[String]) -> Observed {
        let started = Instant::now();
        let raw = match self.runner {
            Runner::Oracle if !flag("ALEMBIC_RS_ORACLE_SUBPROCESS") => {
                let root = self.project.root.clone();
                let env = self.env.clone();
                self.server().run(&root, args, &env)
            }
            Runner::Oracle | Runner::OracleSubprocess => {
                run_step(Tool::Oracle, &self.project.root, args, &self.env)
            }
            Runner::AlembicRs => run_alembic_rs(&self.project.root, args, &self.env),
        };
        let elapsed = started.elapsed();
        self.total += elapsed;
        if std::env::var("ALEMBIC_RS_REALWORLD_TRACE").as_deref() == Ok("raw") {
            eprintln!(
                "== raw {} `{}` in {}: exit {}\n-- stdout:\n{}\n-- stderr:\n{}",
                self.runner.label(),
                args.join(" "),
                self.project.root.display(),
                raw.code,
                raw.stdout,
                raw.stderr
            );
        }
        let (versions, schema, data) = self.snapshot();
        let sub = subcommand(args);
        let text = |s: &str, stream| {
            let s = self.norm.output(s, sub, stream);
            let s = MLFLOW_TIMESTAMP.replace_all(&s, "<timestamp> ");
            JUPYTERHUB_TIMESTAMP
                .replace_all(&s, "[$1 <timestamp> ")
                .into_owned()
        };
        Observed {
            code: raw.code,
            stdout: text(&raw.stdout, "stdout"),
            stderr: text(&raw.stderr, "stderr"),
            versions,
            schema,
            data,
            elapsed,
        }
    }
}

/// The alembic-rs binary with the step environment of support::online
/// (`step_env`) as is: support's `run_step` pins VIRTUAL_ENV to .venv-host
/// (SQLAlchemy only), and these trees need their package importable.
/// Killed after support's STEP_TIMEOUT.
fn run_alembic_rs(project: &Path, args: &[String], env: &[(String, String)]) -> Outcome {
    let mut child = Command::new(env!("CARGO_BIN_EXE_alembic-rs"))
        .args(args)
        .current_dir(project)
        .env_clear()
        .envs(step_env(env))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot run alembic-rs");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let t_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let deadline = Instant::now() + STEP_TIMEOUT;
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Outcome {
        code: status
            .code()
            .unwrap_or_else(|| -status.signal().unwrap_or(0)),
        stdout: String::from_utf8_lossy(&t_out.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&t_err.join().unwrap()).into_owned(),
    }
}

fn join<T>(h: std::thread::ScopedJoinHandle<'_, T>) -> T {
    h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))
}

/// The final exception line of normalised stderr: the first line after the
/// last collapsed traceback body (an exception message may go on over more
/// lines; its first line is taken), else the last non-blank line (a
/// CommandError's `FAILED: ...`).
fn exception_line(stderr: &str) -> &str {
    let lines: Vec<&str> = stderr.lines().collect();
    if let Some(i) = lines.iter().rposition(|l| *l == "  <traceback body>")
        && let Some(l) = lines.get(i + 1)
    {
        return l;
    }
    lines
        .iter()
        .rev()
        .find(|l| !l.trim().is_empty())
        .copied()
        .unwrap_or("")
}

/// At most `max` characters of a diff (whole lines).
fn clip(s: String, max: usize) -> String {
    if s.len() <= max {
        return s;
    }
    let mut cut = max;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    let cut = s[..cut].rfind('\n').map_or(cut, |i| i + 1);
    format!(
        "{}... ({} more characters of diff)\n",
        &s[..cut],
        s.len() - cut
    )
}

/// mlflow's full upgrade holds ~900 PostgreSQL locks in its one transaction,
/// per side; two such scenarios at once beside other suites once exhausted
/// the server's shared lock table (max_locks_per_transaction 64 x 100
/// connections: "out of shared memory"). nextest runs each test in its own
/// process, so they take turns through an exclusive file lock (released on
/// drop).
fn heavy_pg_turn(scenario: &Scenario, kind: DbKind) -> Option<std::fs::File> {
    if kind != DbKind::Postgres || scenario.tree != Tree::Mlflow {
        return None;
    }
    let path = std::env::temp_dir().join("alembic-rs-realworld-postgres.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
    file.lock()
        .unwrap_or_else(|e| panic!("cannot lock {}: {e}", path.display()));
    Some(file)
}

fn run(scenario: Scenario, kind: DbKind) {
    if !realworld_ready(kind) {
        return;
    }
    let right = if flag("ALEMBIC_RS_REALWORLD_SELF") {
        Runner::OracleSubprocess
    } else {
        Runner::AlembicRs
    };
    let (l_label, r_label) = (Runner::Oracle.label(), right.label());
    let trace = flag("ALEMBIC_RS_REALWORLD_TRACE");
    let _pg_turn = heavy_pg_turn(&scenario, kind);
    let started = Instant::now();
    let tmpl = template(scenario.tree);
    let tmpl_root = tmpl.path().join("project");
    let (mut l, mut r) = std::thread::scope(|s| {
        let h = s.spawn(|| Side::new(Runner::Oracle, &tmpl_root, kind, scenario.setup));
        let r = Side::new(right, &tmpl_root, kind, scenario.setup);
        (join(h), r)
    });
    let mut mismatches: Vec<String> = Vec::new();

    // The databases as set up (must already agree).
    let (a, b) = (l.snapshot(), r.snapshot());
    if a != b {
        mismatches.push(format!(
            "the databases differ after setup {:?}:\n{}",
            scenario.setup,
            clip(unified_diff(&a.1, &b.1, l_label, r_label), 4000)
        ));
    }

    let n_steps = scenario.steps.len();
    let mut timings = String::new();
    for (n, step) in scenario.steps.iter().enumerate() {
        let args = &step.args;
        let cmd = args.join(" ");
        let (a, b) = std::thread::scope(|s| {
            let h = s.spawn(|| l.step(args));
            let b = r.step(args);
            (join(h), b)
        });
        timings.push_str(&format!(
            "  step {:>2} `alembic {cmd}`: {l_label} {:.1?}, {r_label} {:.1?} (exit {})\n",
            n + 1,
            a.elapsed,
            b.elapsed,
            a.code
        ));
        if trace {
            eprintln!(
                "== {} step {}: alembic {cmd}  [{l_label} {:.1?}, {r_label} {:.1?}]\n\
                 exit {}\n-- stdout:\n{}\n-- stderr:\n{}\n-- versions: {}\n",
                scenario.name,
                n + 1,
                a.elapsed,
                b.elapsed,
                a.code,
                a.stdout,
                a.stderr,
                a.versions
            );
        }
        let where_ = format!(
            "{}: step {} of {n_steps}: `alembic {cmd}`",
            scenario.name,
            n + 1
        );
        if step.fails != (a.code != 0) {
            mismatches.push(format!(
                "{where_}: the scenario expects Alembic to {}, but it exited {}\n\
                 -- stdout:\n{}\n-- stderr:\n{}",
                if step.fails { "fail" } else { "succeed" },
                a.code,
                a.stdout,
                a.stderr
            ));
        }
        let (ac, bc) = (format!("exit {}", a.code), format!("exit {}", b.code));
        let (al, bl) = (
            exception_line(&a.stderr).to_string(),
            exception_line(&b.stderr).to_string(),
        );
        let artifacts = [
            ("exit code", &ac, &bc),
            ("final exception line", &al, &bl),
            ("stdout", &a.stdout, &b.stdout),
            ("stderr", &a.stderr, &b.stderr),
            ("version table rows", &a.versions, &b.versions),
            ("schema dump", &a.schema, &b.schema),
            ("table data", &a.data, &b.data),
        ];
        let differing: Vec<_> = artifacts.iter().filter(|(_, x, y)| x != y).collect();
        if differing.is_empty() {
            continue;
        }
        let mut msg = format!(
            "{where_}: {} differ(s)\n",
            differing
                .iter()
                .map(|(w, _, _)| *w)
                .collect::<Vec<_>>()
                .join(", ")
        );
        for (what, x, y) in &differing {
            if *what == "final exception line" {
                msg.push_str(&format!(
                    "-- final exception line:\n   {l_label}: {x}\n   {r_label}: {y}\n"
                ));
                continue;
            }
            msg.push_str(&format!("-- {what}:\n"));
            msg.push_str(&clip(unified_diff(x, y, l_label, r_label), 6000));
        }
        mismatches.push(msg);
    }

    for side in [&mut l, &mut r] {
        side.server.take().unwrap().release();
    }
    let summary = format!(
        "{}: {n_steps} steps in {:.1?} ({l_label} {:.1?} total, {r_label} {:.1?} total)\n{timings}",
        scenario.name,
        started.elapsed(),
        l.total,
        r.total
    );
    drop((l, r));
    OracleServer::stop_idle();
    eprint!("{summary}");
    assert!(
        mismatches.is_empty(),
        "real-world parity: {} mismatch(es) ({l_label} vs {r_label}, normalised)\n\n{}\n\n{summary}",
        mismatches.len(),
        mismatches.join("\n\n")
    );
}

// ---------------------------------------------------------------------------
// The tests

#[test]
fn optuna_sqlite() {
    run(optuna(DbKind::Sqlite), DbKind::Sqlite);
}

#[test]
fn optuna_postgres() {
    run(optuna(DbKind::Postgres), DbKind::Postgres);
}

/// MariaDB (`mysql+pymysql://`): non-transactional DDL, as on SQLite.
/// ALEMBIC_RS_MYSQL_PARITY=0 skips it, as in tests/parity_online.rs.
#[test]
fn optuna_mysql() {
    if std::env::var("ALEMBIC_RS_MYSQL_PARITY").as_deref() == Ok("0") {
        eprintln!("SKIPPED: ALEMBIC_RS_MYSQL_PARITY=0");
        return;
    }
    run(optuna_mariadb(), DbKind::Mysql);
}

#[test]
fn mlflow_sqlite() {
    run(mlflow(DbKind::Sqlite), DbKind::Sqlite);
}

#[test]
fn mlflow_postgres() {
    run(mlflow(DbKind::Postgres), DbKind::Postgres);
}

#[test]
fn mlflow_failed_downgrade_sqlite() {
    run(mlflow_failed_downgrade(DbKind::Sqlite), DbKind::Sqlite);
}

#[test]
fn mlflow_failed_downgrade_postgres() {
    run(mlflow_failed_downgrade(DbKind::Postgres), DbKind::Postgres);
}

#[test]
fn mlflow_empty_database_sqlite() {
    run(mlflow_empty(DbKind::Sqlite), DbKind::Sqlite);
}

#[test]
fn mlflow_empty_database_postgres() {
    run(mlflow_empty(DbKind::Postgres), DbKind::Postgres);
}

#[test]
fn jupyterhub_sqlite() {
    run(jupyterhub(DbKind::Sqlite), DbKind::Sqlite);
}

#[test]
fn jupyterhub_postgres() {
    run(jupyterhub(DbKind::Postgres), DbKind::Postgres);
}

/// ALEMBIC_RS_MYSQL_PARITY=0 skips it, as optuna_mysql.
#[test]
fn jupyterhub_mysql() {
    if std::env::var("ALEMBIC_RS_MYSQL_PARITY").as_deref() == Ok("0") {
        eprintln!("SKIPPED: ALEMBIC_RS_MYSQL_PARITY=0");
        return;
    }
    run(jupyterhub(DbKind::Mysql), DbKind::Mysql);
}

#[test]
fn sqlite_constraint_order_is_normalised() {
    let a = "x|t|t|CREATE TABLE t (\n\tid INTEGER NOT NULL, \n\tPRIMARY KEY (id), \n\tUNIQUE (a, b), \n\tFOREIGN KEY(a) REFERENCES u (id)\n)\nindex|i|t|CREATE INDEX i ON t (a)";
    let b = "x|t|t|CREATE TABLE t (\n\tid INTEGER NOT NULL, \n\tFOREIGN KEY(a) REFERENCES u (id), \n\tPRIMARY KEY (id), \n\tUNIQUE (a, b)\n)\nindex|i|t|CREATE INDEX i ON t (a)";
    assert_eq!(sort_sqlite_constraints(a), sort_sqlite_constraints(b));
    assert_eq!(
        sort_sqlite_constraints(a),
        "x|t|t|CREATE TABLE t (\n\tid INTEGER NOT NULL, \n\tFOREIGN KEY(a) REFERENCES u (id)\n\tPRIMARY KEY (id)\n\tUNIQUE (a, b)\n)\nindex|i|t|CREATE INDEX i ON t (a)"
    );
    // A different constraint is still a difference.
    assert_ne!(
        sort_sqlite_constraints(a),
        sort_sqlite_constraints(&a.replace("UNIQUE (a, b)", "UNIQUE (a)"))
    );
}

#[test]
fn exception_line_is_the_line_after_the_traceback_body() {
    let tb = "INFO  [x] Running downgrade\nTraceback (most recent call last):\n  <traceback body>\nsqlite3.OperationalError: bad\n\nThe above exception was the direct cause of the following exception:\n\nTraceback (most recent call last):\n  <traceback body>\nsqlalchemy.exc.OperationalError: (sqlite3.OperationalError) bad\n[SQL: INSERT ...]\n(Background on this error at: https://sqlalche.me/e/21/e3q8)\n";
    assert_eq!(
        exception_line(tb),
        "sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) bad"
    );
    assert_eq!(
        exception_line("<timestamp> ERROR alembic.util.messaging: x\nFAILED: x\n\n"),
        "FAILED: x"
    );
    assert_eq!(exception_line(""), "");
}

/// The template projects: the package's own ini,
/// script_location at the copy, the copy complete (no database needed).
#[test]
fn templates_point_at_the_copied_trees() {
    if venv_problem().is_some() {
        // realworld_ready reports (and fails under CI).
        realworld_ready(DbKind::Sqlite);
        return;
    }
    for tree in [Tree::Optuna, Tree::Mlflow, Tree::Jupyterhub] {
        let t = template(tree);
        let root = t.path().join("project");
        let ini = std::fs::read_to_string(root.join("alembic.ini")).unwrap();
        assert!(
            ini.contains(&format!("\nscript_location = {}\n", tree.dir_name())),
            "{ini}"
        );
        let dir = root.join(tree.dir_name());
        assert!(dir.join("env.py").is_file());
        let copied = std::fs::read_dir(dir.join("versions")).unwrap().count();
        let shipped = std::fs::read_dir(site_packages().join(tree.migrations()).join("versions"))
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name() != "__pycache__")
            .count();
        assert_eq!(copied, shipped, "{}", tree.label());
        assert!(copied >= 10, "{}: only {copied} files", tree.label());
    }
}
