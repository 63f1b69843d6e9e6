//! The differential harness for ONLINE migrations (DESIGN §4): the same
//! project and the same command sequence run through real Alembic (the
//! oracle) and through alembic-rs, each against its own fresh database, and
//! everything a user can see compared after every step: exit code, stdout,
//! stderr, the version table's rows, a normalised schema dump and the rows
//! of every other table (tests/oracle/schema_dump.py).
//!
//! Pieces, usable on their own:
//! - [`FreshDb`]: a uniquely named, empty database (SQLite file, PostgreSQL
//!   or MariaDB/MySQL database), dropped on `Drop`;
//! - [`prepare_project`]: a fixture project copied into a temporary
//!   directory with `sqlalchemy.url` pointed at one database (and
//!   `DATABASE_URL` in the step environment, for env.py files that read it);
//! - [`run_step`]: one command line through `python -m alembic` or the
//!   alembic-rs binary, as a subprocess;
//! - [`OracleServer`]: tests/oracle/schema_dump.py `--serve`, which dumps
//!   databases and runs the oracle by forking a warm interpreter (fast; see
//!   that file for why it behaves as a fresh `python -m alembic`);
//! - [`Normaliser`], [`unified_diff`];
//! - [`Scenario`] + [`assert_parity`] / [`compare`]: the runner.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

/// A step that runs longer than this is killed (and reported as a mismatch
/// or an error rather than hanging the suite).
pub const STEP_TIMEOUT: Duration = Duration::from_secs(300);

pub const PG_HOST: &str = "127.0.0.1";
pub const PG_PORT: u16 = 5432;
pub const PG_USER: &str = "root";
pub const MYSQL_HOST: &str = "127.0.0.1";
pub const MYSQL_PORT: u16 = 3306;
pub const MYSQL_USER: &str = "root";

/// The version-table marker when the table does not exist (distinct from an
/// existing, empty table).
pub const NO_VERSION_TABLE: &str = "<no version table>";

pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// tests/fixtures/online/<name>.
pub fn fixture(name: &str) -> PathBuf {
    manifest_dir().join("tests/fixtures/online").join(name)
}

/// The oracle interpreter; panics when it is missing (call [`ready`] first
/// to skip instead).
pub fn python() -> PathBuf {
    super::oracle_python().expect("the oracle virtualenv is missing; run scripts/test-env.sh")
}

fn schema_dump_py() -> PathBuf {
    manifest_dir().join("tests/oracle/schema_dump.py")
}

// ---------------------------------------------------------------------------
// Databases

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DbKind {
    Sqlite,
    Postgres,
    Mysql,
}

impl DbKind {
    pub fn label(self) -> &'static str {
        match self {
            DbKind::Sqlite => "sqlite",
            DbKind::Postgres => "postgresql",
            DbKind::Mysql => "mysql",
        }
    }

    /// `Ok` when databases of this kind can be created here.
    pub fn available(self) -> Result<(), String> {
        match self {
            DbKind::Sqlite => Ok(()),
            DbKind::Postgres => pg_admin("SELECT 1"),
            DbKind::Mysql => mysql_admin("SELECT 1"),
        }
    }
}

/// MySQL/MariaDB runs are on by default; `ALEMBIC_RS_MYSQL_PARITY=0` opts
/// out (a machine without MariaDB also skips them, through `ready`).
pub fn mysql_allowed(kind: DbKind) -> bool {
    if kind == DbKind::Mysql && std::env::var("ALEMBIC_RS_MYSQL_PARITY").as_deref() == Ok("0") {
        eprintln!("SKIPPED: ALEMBIC_RS_MYSQL_PARITY=0");
        return false;
    }
    true
}

/// Whether a test needing the oracle and `kind` can run. Missing pieces skip
/// the test locally (with a note on stderr) and fail it under CI.
pub fn ready(kind: DbKind) -> bool {
    if super::oracle_python().is_none() {
        return false;
    }
    match kind.available() {
        Ok(()) => true,
        Err(e) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "{} is not reachable: {e}",
                kind.label()
            );
            eprintln!(
                "SKIPPED: {} is not reachable ({e}); run scripts/test-env.sh",
                kind.label()
            );
            false
        }
    }
}

fn admin_output(mut cmd: Command) -> Result<(), String> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{cmd:?} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// One statement through `psql` against the `postgres` maintenance database.
fn pg_admin(sql: &str) -> Result<(), String> {
    admin_output(pg_command(sql))
}

fn pg_command(sql: &str) -> Command {
    let mut cmd = Command::new("psql");
    cmd.args(["-h", PG_HOST, "-p", &PG_PORT.to_string(), "-U", PG_USER])
        .args([
            "-d",
            "postgres",
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            sql,
        ])
        .env("PGCONNECT_TIMEOUT", "5");
    cmd
}

/// One statement through the `mariadb` (or `mysql`) client.
fn mysql_admin(sql: &str) -> Result<(), String> {
    admin_output(mysql_command(sql))
}

fn mysql_command(sql: &str) -> Command {
    let client = if Path::new("/usr/bin/mariadb").exists() || which("mariadb") {
        "mariadb"
    } else {
        "mysql"
    };
    let mut cmd = Command::new(client);
    cmd.arg(format!("-h{MYSQL_HOST}"))
        .arg(format!("-P{MYSQL_PORT}"))
        .arg(format!("-u{MYSQL_USER}"))
        .arg("--connect-timeout=5")
        .args(["-e", sql]);
    cmd
}

fn which(prog: &str) -> bool {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(prog).is_file()))
        .unwrap_or(false)
}

/// SQLite files live in tmpfs when there is one: every commit fsyncs, and
/// on a disk that doubles the time of a step (the path is normalised away).
fn sqlite_dir() -> std::io::Result<tempfile::TempDir> {
    let mut b = tempfile::Builder::new();
    b.prefix("alembic-online-db-");
    let shm = Path::new("/dev/shm");
    if shm.is_dir()
        && let Ok(d) = b.tempdir_in(shm)
    {
        return Ok(d);
    }
    b.tempdir()
}

static DB_COUNTER: AtomicUsize = AtomicUsize::new(0);

fn unique_name() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "arsp_{}_{}_{:06}",
        std::process::id(),
        DB_COUNTER.fetch_add(1, Ordering::SeqCst),
        nanos % 1_000_000
    )
}

/// A fresh, empty, uniquely named database; dropped (server kinds) or
/// deleted (SQLite) on `Drop`.
pub struct FreshDb {
    kind: DbKind,
    name: String,
    /// SQLite: the directory holding the file (nothing else is in it).
    dir: Option<tempfile::TempDir>,
}

impl FreshDb {
    pub fn create(kind: DbKind) -> FreshDb {
        Self::try_create(kind)
            .unwrap_or_else(|e| panic!("cannot create a {} database: {e}", kind.label()))
    }

    pub fn try_create(kind: DbKind) -> Result<FreshDb, String> {
        let name = unique_name();
        let dir = match kind {
            DbKind::Sqlite => Some(sqlite_dir().map_err(|e| e.to_string())?),
            DbKind::Postgres => {
                pg_admin(&format!("CREATE DATABASE {name}"))?;
                None
            }
            DbKind::Mysql => {
                mysql_admin(&format!(
                    "CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci"
                ))?;
                None
            }
        };
        Ok(FreshDb { kind, name, dir })
    }

    pub fn kind(&self) -> DbKind {
        self.kind
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// SQLite: the database file (absent until something connects).
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        self.dir
            .as_ref()
            .map(|d| d.path().join(format!("{}.db", self.name)))
    }

    /// The SQLAlchemy URL. PostgreSQL names its driver: SQLAlchemy 2.1 (the
    /// oracle's) defaults `postgresql://` to psycopg 3, and the oracle
    /// environment has psycopg2.
    pub fn url(&self) -> String {
        match self.kind {
            DbKind::Sqlite => format!("sqlite:///{}", self.sqlite_path().unwrap().display()),
            DbKind::Postgres => format!(
                "postgresql+psycopg2://{PG_USER}@{PG_HOST}:{PG_PORT}/{}",
                self.name
            ),
            DbKind::Mysql => format!(
                "mysql+pymysql://{MYSQL_USER}@{MYSQL_HOST}:{MYSQL_PORT}/{}",
                self.name
            ),
        }
    }

    /// The strings naming this database in user-visible output, longest
    /// first: SQLite's file path (as given and canonical), then the name.
    fn identities(&self) -> Vec<String> {
        let mut v = Vec::new();
        if let Some(p) = self.sqlite_path() {
            v.push(p.display().to_string());
            if let Ok(dir) = self.dir.as_ref().unwrap().path().canonicalize() {
                v.push(dir.join(format!("{}.db", self.name)).display().to_string());
            }
        }
        v.push(self.name.clone());
        v
    }
}

/// Server databases are dropped in the background (a PostgreSQL DROP
/// DATABASE takes about a second, mostly a checkpoint): the client runs
/// detached, with no stdio, and finishes even if this process exits first.
impl Drop for FreshDb {
    fn drop(&mut self) {
        let mut cmd = match self.kind {
            DbKind::Sqlite => return,
            DbKind::Postgres => pg_command(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            )),
            DbKind::Mysql => mysql_command(&format!("DROP DATABASE IF EXISTS {}", self.name)),
        };
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        match cmd.spawn() {
            Ok(mut child) => {
                std::thread::spawn(move || child.wait());
            }
            Err(e) => eprintln!("warning: could not drop database {}: {e}", self.name),
        }
    }
}

// ---------------------------------------------------------------------------
// Projects

/// A fixture project copied into its own temporary directory.
pub struct Project {
    _tmp: tempfile::TempDir,
    /// The copy (the directory holding alembic.ini); steps run here.
    pub root: PathBuf,
}

/// Copies `src` (without `__pycache__`) into a new temporary directory and
/// points every `sqlalchemy.url` line of its alembic.ini at `url`.
pub fn prepare_project(src: &Path, url: &str) -> Project {
    let tmp = tempfile::Builder::new()
        .prefix("alembic-online-")
        .tempdir()
        .unwrap();
    let root = tmp.path().join("project");
    copy_dir(src, &root);
    let ini = root.join("alembic.ini");
    if ini.exists() {
        let text = std::fs::read_to_string(&ini).unwrap();
        std::fs::write(&ini, rewrite_url(&text, url)).unwrap();
    }
    Project { _tmp: tmp, root }
}

/// Copies a directory tree, leaving out `__pycache__` directories.
pub fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    let entries = std::fs::read_dir(src)
        .unwrap_or_else(|e| panic!("cannot read fixture {}: {e}", src.display()));
    for entry in entries {
        let entry = entry.unwrap();
        let name = entry.file_name();
        let from = entry.path();
        let to = dst.join(&name);
        if entry.file_type().unwrap().is_dir() {
            if name != "__pycache__" {
                copy_dir(&from, &to);
            }
        } else {
            std::fs::copy(&from, &to).unwrap();
        }
    }
}

/// Replaces the value of every `sqlalchemy.url` key (configparser syntax:
/// `=` or `:`), escaping `%` for interpolation.
pub fn rewrite_url(ini: &str, url: &str) -> String {
    let mut out = String::new();
    for line in ini.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let key_end = body.find(['=', ':']);
        let is_url = !body.starts_with([' ', '\t', '#', ';'])
            && key_end.is_some_and(|i| body[..i].trim() == "sqlalchemy.url");
        if is_url {
            out.push_str(&format!("sqlalchemy.url = {}", url.replace('%', "%%")));
            out.push_str(&line[body.len()..]);
        } else {
            out.push_str(line);
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Running commands

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    /// `.venv-oracle/bin/python -m alembic`.
    Oracle,
    /// The alembic-rs binary under test.
    AlembicRs,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The exit status; minus the signal number when killed by one.
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// The environment of every step: this process's (UTF-8 variables only),
/// without ALEMBIC_CONFIG, with PYTHONDONTWRITEBYTECODE=1, then `extra`.
pub fn step_env(extra: &[(String, String)]) -> BTreeMap<String, String> {
    let mut env: BTreeMap<String, String> = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect();
    env.remove("ALEMBIC_CONFIG");
    env.insert("PYTHONDONTWRITEBYTECODE".into(), "1".into());
    for (k, v) in extra {
        env.insert(k.clone(), v.clone());
    }
    env
}

/// Runs one command line as a subprocess: cwd = `project_dir`, stdin from
/// /dev/null (no TTY), environment from [`step_env`].
pub fn run_step(
    tool: Tool,
    project_dir: &Path,
    args: &[String],
    env: &[(String, String)],
) -> Outcome {
    let mut cmd = match tool {
        Tool::Oracle => {
            let mut c = Command::new(python());
            c.args(["-m", "alembic"]);
            c
        }
        Tool::AlembicRs => {
            let mut c = Command::new(env!("CARGO_BIN_EXE_alembic-rs"));
            // The project's virtualenv: SQLAlchemy only (scripts/test-env.sh).
            c.env("VIRTUAL_ENV", super::host_venv());
            c
        }
    };
    let keep_venv = cmd
        .get_envs()
        .find(|(k, _)| *k == "VIRTUAL_ENV")
        .and_then(|(_, v)| v.map(|v| v.to_os_string()));
    cmd.args(args)
        .current_dir(project_dir)
        .env_clear()
        .envs(step_env(env));
    if let Some(venv) = keep_venv
        && !env.iter().any(|(k, _)| k == "VIRTUAL_ENV")
    {
        cmd.env("VIRTUAL_ENV", venv);
    }
    output_with_timeout(cmd, STEP_TIMEOUT)
}

fn output_with_timeout(mut cmd: Command, timeout: Duration) -> Outcome {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
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
    let deadline = Instant::now() + timeout;
    let mut timed_out = false;
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            timed_out = true;
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(3));
    };
    let stdout = String::from_utf8_lossy(&t_out.join().unwrap()).into_owned();
    let mut stderr = String::from_utf8_lossy(&t_err.join().unwrap()).into_owned();
    if timed_out {
        stderr.push_str(&format!("\n<killed by the harness after {timeout:?}>\n"));
    }
    let code = status
        .code()
        .unwrap_or_else(|| -status.signal().unwrap_or(0));
    Outcome {
        code,
        stdout,
        stderr,
    }
}

/// tests/oracle/schema_dump.py `--serve`: database dumps, and the oracle by
/// fork (one warm interpreter per server; requests are answered in order).
pub struct OracleServer {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

/// Idle servers of this test process (see [`OracleServer::acquire`]).
static IDLE_SERVERS: Mutex<Vec<OracleServer>> = Mutex::new(Vec::new());

impl OracleServer {
    /// An idle server of this process, or a new one. A server never runs
    /// Alembic in its own interpreter (only in forked children), so one
    /// that served a scenario is as good as new for the next.
    pub fn acquire() -> OracleServer {
        let idle = IDLE_SERVERS.lock().unwrap_or_else(|e| e.into_inner()).pop();
        idle.unwrap_or_else(OracleServer::start)
    }

    /// Gives a server back for [`OracleServer::acquire`] (only after a
    /// request/answer cycle completed; a server dropped instead is stopped).
    pub fn release(self) {
        IDLE_SERVERS
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(self);
    }

    /// Stops the idle servers (waiting for them). Call when done with
    /// [`compare`]: a server left running past the test makes nextest
    /// report the test as leaky.
    pub fn stop_idle() {
        let idle = std::mem::take(&mut *IDLE_SERVERS.lock().unwrap_or_else(|e| e.into_inner()));
        drop(idle);
    }

    pub fn start() -> OracleServer {
        let mut child = Command::new(python())
            .arg(schema_dump_py())
            .arg("--serve")
            .env_clear()
            .envs(step_env(&[]))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("cannot start tests/oracle/schema_dump.py --serve");
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        OracleServer {
            child,
            stdin,
            stdout,
        }
    }

    fn request(&mut self, req: Value) -> Value {
        let stdin = self.stdin.as_mut().unwrap();
        writeln!(stdin, "{req}").expect("the oracle server died");
        stdin.flush().unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        assert!(!line.is_empty(), "the oracle server died on {req}");
        let v: Value = serde_json::from_str(&line).unwrap();
        if let Some(e) = v.get("error") {
            panic!("the oracle server failed on {req}: {e}");
        }
        v
    }

    /// `python -m alembic ARGS` in a forked child: same contract as
    /// [`run_step`] with [`Tool::Oracle`].
    pub fn run(
        &mut self,
        project_dir: &Path,
        args: &[String],
        env: &[(String, String)],
    ) -> Outcome {
        let v = self.request(json!({
            "op": "run",
            "cwd": project_dir,
            "argv": args,
            "env": step_env(env),
            "timeout": STEP_TIMEOUT.as_secs(),
        }));
        Outcome {
            code: v["code"].as_i64().unwrap() as i32,
            stdout: v["stdout"].as_str().unwrap().to_string(),
            stderr: v["stderr"].as_str().unwrap().to_string(),
        }
    }

    pub fn dump(&mut self, url: &str, version_table: &str) -> Snapshot {
        let v = self.request(json!({
            "op": "dump",
            "url": url,
            "version_table": version_table,
        }));
        Snapshot {
            versions: v["versions"].as_array().map(|a| {
                a.iter()
                    .map(|x| x.as_str().unwrap_or("<non-text>").to_string())
                    .collect()
            }),
            schema: v["schema"].as_str().unwrap().to_string(),
            data: v["data"].as_str().unwrap().to_string(),
        }
    }
}

impl Drop for OracleServer {
    fn drop(&mut self) {
        drop(self.stdin.take()); // EOF: the server's loop ends
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the database looks like after a step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// Version-table rows, sorted; `None` when the table does not exist.
    pub versions: Option<Vec<String>>,
    pub schema: String,
    pub data: String,
}

impl Snapshot {
    pub fn versions_text(&self) -> String {
        match &self.versions {
            None => NO_VERSION_TABLE.to_string(),
            Some(v) if v.is_empty() => "<no rows>".to_string(),
            Some(v) => v.join("\n"),
        }
    }
}

/// One-shot dump through a `python schema_dump.py URL` subprocess.
pub fn dump_db(db: &FreshDb, version_table: &str) -> Snapshot {
    let out = Command::new(python())
        .arg(schema_dump_py())
        .arg(db.url())
        .args(["--version-table", version_table])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "schema_dump.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    Snapshot {
        versions: v["versions"].as_array().map(|a| {
            a.iter()
                .map(|x| x.as_str().unwrap_or("").to_string())
                .collect()
        }),
        schema: v["schema"].as_str().unwrap().to_string(),
        data: v["data"].as_str().unwrap().to_string(),
    }
}

// ---------------------------------------------------------------------------
// Normalisation
//
// Only what legitimately differs between two runs of the same tool is
// rewritten; everything else must match byte for byte:
//  1. each side's project directory (as given and canonical) -> <PROJECT>:
//     it appears in `current -v` Path: lines and in error messages;
//  2. each side's database -> <DB>: the SQLite file path, or the
//     PostgreSQL/MySQL database name (in URLs `current -v` prints, in driver
//     error messages, and in MySQL's SHOW CREATE output for cross-references);
//  3. the body of a Python traceback (the indented `File ...`/source/`^^^`
//     lines between "Traceback (most recent call last):" and the exception
//     line, which starts in column 0) -> one `  <traceback body>` line: it
//     names interpreter frames and source paths alembic-rs cannot and need
//     not reproduce; the exception line(s) and chaining messages are kept;
//  4. stdout of `current`: its lines (or, with -v, its `Rev:` blocks) are
//     sorted, because Alembic prints them from a set of Script objects
//     hashed by identity, in an order that changes from run to run;
//  5. a Python warning's location: `<file>:<line>: UserWarning: <msg>`
//     and the indented source line after it -> `UserWarning: <msg>`:
//     Alembic's points into its own modules (alembic/script/revision.py),
//     alembic-rs's into its shim (docs/differences.md); the category and
//     message are compared;
//  6. timestamps: none are rewritten in stdout/stderr (the generic logging
//     format has no time and `Create Date:` comes from the fixtures); in
//     the data dump, date/time values print as <timestamp> (schema_dump.py)
//     since server defaults like now() differ between runs;
//  7. a Python object's address in its default repr (` at 0x7f...>`, in
//     an exception message that shows a `ColumnCollection`) -> ` at 0x?>`.

/// The rewrites of one side.
pub struct Normaliser {
    replacements: Vec<(String, &'static str)>,
}

impl Normaliser {
    pub fn new(project_root: &Path, db: &FreshDb) -> Normaliser {
        let mut replacements: Vec<(String, &'static str)> = Vec::new();
        let mut add = |s: String, to: &'static str| {
            if !s.is_empty() && !replacements.iter().any(|(x, _)| *x == s) {
                replacements.push((s, to));
            }
        };
        add(project_root.display().to_string(), "<PROJECT>");
        if let Ok(c) = project_root.canonicalize() {
            add(c.display().to_string(), "<PROJECT>");
        }
        for id in db.identities() {
            add(id, "<DB>");
        }
        replacements.sort_by_key(|r| std::cmp::Reverse(r.0.len()));
        Normaliser { replacements }
    }

    /// Rule 1 and 2.
    pub fn names(&self, s: &str) -> String {
        let mut s = s.to_string();
        for (from, to) in &self.replacements {
            s = s.replace(from.as_str(), to);
        }
        s
    }

    /// Rules 1-3 and 5 (and 4 when `subcommand` is `current`) on
    /// stdout/stderr.
    pub fn output(&self, s: &str, subcommand: Option<&str>, stream: &str) -> String {
        let s = hide_addresses(&hide_warning_locations(&collapse_tracebacks(
            &self.names(s),
        )));
        if subcommand == Some("current") && stream == "stdout" {
            sort_current(&s)
        } else {
            s
        }
    }
}

/// Rule 7: ` at 0x<hex>>` -> ` at 0x?>`.
pub fn hide_addresses(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(" at 0x") {
        let (head, tail) = rest.split_at(i + " at 0x".len());
        out.push_str(head);
        let hex = tail.len()
            - tail
                .trim_start_matches(|c: char| c.is_ascii_hexdigit())
                .len();
        if hex > 0 && tail[hex..].starts_with('>') {
            out.push('?');
            rest = &tail[hex..];
        } else {
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

pub const TRACEBACK_HEAD: &str = "Traceback (most recent call last):";

/// Rule 3.
pub fn collapse_tracebacks(s: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let mut in_body = false;
    for line in s.split('\n') {
        if in_body {
            if line.starts_with([' ', '\t']) {
                continue;
            }
            in_body = false;
        }
        out.push(line);
        if line == TRACEBACK_HEAD {
            out.push("  <traceback body>");
            in_body = true;
        }
    }
    out.join("\n")
}

/// Rule 5: `path:12: SomeWarning: msg` plus its indented source line
/// (if any) -> `SomeWarning: msg`.
pub fn hide_warning_locations(s: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let mut lines = s.split('\n').peekable();
    while let Some(line) = lines.next() {
        if let Some(rest) = warning_after_location(line) {
            out.push(rest);
            if lines.peek().is_some_and(|l| l.starts_with("  ")) {
                lines.next();
            }
        } else {
            out.push(line);
        }
    }
    out.join("\n")
}

/// `SomeWarning: msg` of a `<file>:<line>: SomeWarning: msg` line.
fn warning_after_location(line: &str) -> Option<&str> {
    let mut from = 0;
    while let Some(i) = line[from..].find(": ").map(|i| from + i) {
        let (head, rest) = (&line[..i], &line[i + 2..]);
        let category = rest.split(": ").next().unwrap_or("");
        let is_category = category.ends_with("Warning")
            && category
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
            && rest.len() > category.len();
        let has_line = head.rsplit_once(':').is_some_and(|(file, n)| {
            !file.is_empty() && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())
        });
        if is_category && has_line {
            return Some(rest);
        }
        from = i + 2;
    }
    None
}

/// Rule 4: sorts the entries `current` prints, keeping a `Current
/// revision(s) for` header first.
pub fn sort_current(s: &str) -> String {
    let (body, nl) = match s.strip_suffix('\n') {
        Some(b) => (b, "\n"),
        None => (s, ""),
    };
    let lines: Vec<&str> = body.split('\n').collect();
    let verbose = lines.iter().any(|l| l.starts_with("Rev: "));
    let mut head: Vec<&str> = Vec::new();
    let mut entries: Vec<Vec<&str>> = Vec::new();
    for line in lines {
        let starts_entry = if verbose {
            line.starts_with("Rev: ")
        } else {
            !line.starts_with("Current revision(s) for ")
        };
        if starts_entry {
            entries.push(vec![line]);
        } else if let Some(e) = entries.last_mut() {
            e.push(line);
        } else {
            head.push(line);
        }
    }
    entries.sort();
    let mut all = head;
    for e in entries {
        all.extend(e);
    }
    all.join("\n") + nl
}

/// The sub-command of a command line (skipping global options and their
/// values).
pub fn subcommand(args: &[String]) -> Option<&str> {
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        match a {
            "-c" | "--config" | "-n" | "--name" | "-x" => i += 2,
            _ if a.starts_with('-') => i += 1,
            _ => return Some(a),
        }
    }
    None
}

// ---------------------------------------------------------------------------
// Diffs

/// A unified-style line diff (3 lines of context), `-` for `left`, `+` for
/// `right`.
pub fn unified_diff(left: &str, right: &str, left_label: &str, right_label: &str) -> String {
    let a: Vec<&str> = left.split('\n').collect();
    let b: Vec<&str> = right.split('\n').collect();
    let mut out = format!("--- {left_label}\n+++ {right_label}\n");
    if a.len().saturating_mul(b.len()) > 25_000_000 {
        let i = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
        out.push_str(&format!(
            "(too long to diff; first difference at line {})\n-{}\n+{}\n",
            i + 1,
            a.get(i).unwrap_or(&"<end>"),
            b.get(i).unwrap_or(&"<end>")
        ));
        return out;
    }
    // LCS lengths of suffixes.
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![0u32; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[at(i, j)] = if a[i] == b[j] {
                lcs[at(i + 1, j + 1)] + 1
            } else {
                lcs[at(i + 1, j)].max(lcs[at(i, j + 1)])
            };
        }
    }
    let mut ops: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[at(i + 1, j)] >= lcs[at(i, j + 1)]) {
            ops.push(('-', a[i]));
            i += 1;
        } else {
            ops.push(('+', b[j]));
            j += 1;
        }
    }
    const CONTEXT: usize = 3;
    let changed: Vec<usize> = (0..ops.len()).filter(|&k| ops[k].0 != ' ').collect();
    let mut k = 0;
    while k < changed.len() {
        let start = changed[k].saturating_sub(CONTEXT);
        let mut end = changed[k];
        while k < changed.len() && changed[k] <= end + 2 * CONTEXT + 1 {
            end = changed[k];
            k += 1;
        }
        let end = (end + CONTEXT + 1).min(ops.len());
        let la = ops[..start].iter().filter(|o| o.0 != '+').count();
        let lb = ops[..start].iter().filter(|o| o.0 != '-').count();
        let ca = ops[start..end].iter().filter(|o| o.0 != '+').count();
        let cb = ops[start..end].iter().filter(|o| o.0 != '-').count();
        out.push_str(&format!("@@ -{},{} +{},{} @@\n", la + 1, ca, lb + 1, cb));
        for (tag, line) in &ops[start..end] {
            out.push(*tag);
            out.push_str(line);
            out.push('\n');
        }
    }
    let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    if squash(left) == squash(right) {
        out.push_str("(the two differ only in whitespace)\n");
    }
    out
}

// ---------------------------------------------------------------------------
// Scenarios

/// A project and the command lines to run on it, in order.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: String,
    /// The project directory (holding alembic.ini); copied, never modified.
    pub project: PathBuf,
    pub steps: Vec<Vec<String>>,
    /// Name of the version table to read after each step.
    pub version_table: String,
    /// Extra environment variables for every step (a `VIRTUAL_ENV` here
    /// replaces alembic-rs's default project virtualenv).
    pub env: Vec<(String, String)>,
    /// The driver the URL names instead of the default one (`asyncpg`,
    /// `aiosqlite`, ...), for env.py files that build an async engine.
    pub driver: Option<&'static str>,
}

/// `url` with its driver replaced: `sqlite:///x` -> `sqlite+aiosqlite:///x`.
pub fn with_driver(url: &str, driver: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let backend = scheme.split('+').next().unwrap();
    format!("{backend}+{driver}://{rest}")
}

impl Scenario {
    /// The project tests/fixtures/online/<name> with `steps`.
    pub fn fixture(name: &str, steps: &[&[&str]]) -> Scenario {
        Scenario {
            name: name.to_string(),
            project: fixture(name),
            steps: steps
                .iter()
                .map(|s| s.iter().map(|a| a.to_string()).collect())
                .collect(),
            version_table: "alembic_version".into(),
            env: Vec::new(),
            driver: None,
        }
    }
}

/// Who executes one side of a comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Runner {
    /// Real Alembic through the fork server (or as a subprocess when
    /// ALEMBIC_RS_ORACLE_SUBPROCESS=1).
    Oracle,
    /// Real Alembic, always `python -m alembic` as a subprocess.
    OracleSubprocess,
    /// The alembic-rs binary, as a subprocess.
    AlembicRs,
}

impl Runner {
    pub fn label(self) -> &'static str {
        match self {
            Runner::Oracle => "alembic",
            Runner::OracleSubprocess => "alembic (subprocess)",
            Runner::AlembicRs => "alembic-rs",
        }
    }
}

/// One tool's project, database and helper process.
struct Side {
    runner: Runner,
    label: String,
    // Dropped in this order: the server (and its connections) before the
    // database. `None` once given back to the pool.
    server: Option<OracleServer>,
    project: Project,
    db: FreshDb,
    norm: Normaliser,
    env: Vec<(String, String)>,
}

/// One side's view of one step, normalised.
struct Observed {
    code: String,
    stdout: String,
    stderr: String,
    versions: String,
    schema: String,
    data: String,
}

impl Side {
    fn new(runner: Runner, label: String, scenario: &Scenario, kind: DbKind) -> Side {
        let server = Some(OracleServer::acquire());
        let db = FreshDb::create(kind);
        let url = match scenario.driver {
            Some(driver) => with_driver(&db.url(), driver),
            None => db.url(),
        };
        let project = prepare_project(&scenario.project, &url);
        let norm = Normaliser::new(&project.root, &db);
        let mut env = vec![("DATABASE_URL".to_string(), url)];
        env.extend(scenario.env.iter().cloned());
        Side {
            runner,
            label,
            server,
            project,
            db,
            norm,
            env,
        }
    }

    fn server(&mut self) -> &mut OracleServer {
        self.server.as_mut().unwrap()
    }

    fn step(&mut self, args: &[String], version_table: &str) -> Observed {
        let subprocess_oracle = std::env::var("ALEMBIC_RS_ORACLE_SUBPROCESS").as_deref() == Ok("1");
        let raw = match self.runner {
            Runner::Oracle if !subprocess_oracle => {
                let server = self.server.as_mut().unwrap();
                server.run(&self.project.root, args, &self.env)
            }
            Runner::Oracle | Runner::OracleSubprocess => {
                run_step(Tool::Oracle, &self.project.root, args, &self.env)
            }
            Runner::AlembicRs => run_step(Tool::AlembicRs, &self.project.root, args, &self.env),
        };
        let url = self.db.url();
        let snap = self.server().dump(&url, version_table);
        let sub = subcommand(args);
        Observed {
            code: format!("exit {}", raw.code),
            stdout: self.norm.output(&raw.stdout, sub, "stdout"),
            stderr: self.norm.output(&raw.stderr, sub, "stderr"),
            versions: self.norm.names(&snap.versions_text()),
            schema: self.norm.names(&snap.schema),
            data: self.norm.names(&snap.data),
        }
    }
}

fn join<T>(h: std::thread::ScopedJoinHandle<'_, T>) -> T {
    h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))
}

/// The oracle against alembic-rs (see [`compare`]).
pub fn assert_parity(scenario: &Scenario, kind: DbKind) {
    compare(scenario, kind, Runner::Oracle, Runner::AlembicRs);
    OracleServer::stop_idle();
}

/// Runs `scenario` through `left` and `right`, each on its own fresh
/// database of `kind`, the two sides of each step concurrently, and panics
/// at the first step where any artifact differs after normalisation, with a
/// diff of that artifact. ALEMBIC_RS_ONLINE_TRACE=1 prints every step's
/// normalised left-hand artifacts to stderr. On success the two helper
/// servers go back to this process's pool for the next call (end with
/// [`OracleServer::stop_idle`]).
pub fn compare(scenario: &Scenario, kind: DbKind, left: Runner, right: Runner) {
    let started = Instant::now();
    let (mut l_label, mut r_label) = (left.label().to_string(), right.label().to_string());
    if l_label == r_label {
        l_label.push_str(" #1");
        r_label.push_str(" #2");
    }
    let (mut l, mut r) = std::thread::scope(|s| {
        let h = s.spawn(|| Side::new(left, l_label.clone(), scenario, kind));
        let r = Side::new(right, r_label.clone(), scenario, kind);
        (join(h), r)
    });
    let vt = scenario.version_table.as_str();
    let trace = std::env::var("ALEMBIC_RS_ONLINE_TRACE").as_deref() == Ok("1");
    for (n, args) in scenario.steps.iter().enumerate() {
        let (a, b) = std::thread::scope(|s| {
            let h = s.spawn(|| l.step(args, vt));
            let b = r.step(args, vt);
            (join(h), b)
        });
        if trace {
            eprintln!(
                "== {} / {} step {}: alembic {}\n{}\n-- stdout:\n{}\n-- stderr:\n{}\n-- versions: {}\n-- schema:\n{}\n-- data:\n{}\n",
                scenario.name,
                kind.label(),
                n + 1,
                args.join(" "),
                a.code,
                a.stdout,
                a.stderr,
                a.versions,
                a.schema,
                a.data
            );
        }
        let artifacts = [
            ("exit code", &a.code, &b.code),
            ("stdout", &a.stdout, &b.stdout),
            ("stderr", &a.stderr, &b.stderr),
            ("version table rows", &a.versions, &b.versions),
            ("schema dump", &a.schema, &b.schema),
            ("table data", &a.data, &b.data),
        ];
        if let Some((what, x, y)) = artifacts.iter().find(|(_, x, y)| x != y) {
            let mut msg = format!(
                "online parity mismatch: scenario `{}` on {}, step {} of {}: `alembic {}`\n\
                 {what} differs (normalised)\n{}",
                scenario.name,
                kind.label(),
                n + 1,
                scenario.steps.len(),
                args.join(" "),
                unified_diff(x, y, &l.label, &r.label)
            );
            if *what == "exit code" {
                for (label, o) in [(&l.label, &a), (&r.label, &b)] {
                    msg.push_str(&format!(
                        "\n== {label}: {}\n-- stdout:\n{}\n-- stderr:\n{}\n",
                        o.code, o.stdout, o.stderr
                    ));
                }
            }
            if n > 0 {
                msg.push_str("\n(earlier steps matched: ");
                let done: Vec<String> = scenario.steps[..n].iter().map(|s| s.join(" ")).collect();
                msg.push_str(&done.join("; "));
                msg.push(')');
            }
            panic!("{msg}");
        }
    }
    for side in [&mut l, &mut r] {
        side.server.take().unwrap().release();
    }
    eprintln!(
        "{} on {}: {} steps identical ({} vs {}) in {:.1?}",
        scenario.name,
        kind.label(),
        scenario.steps.len(),
        l.label,
        r.label,
        started.elapsed()
    );
}
