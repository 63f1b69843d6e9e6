//! Ctrl-C (SIGINT) in the middle of `upgrade head`, alembic-rs against real
//! Alembic: each runs on its own fresh database, gets SIGINT while a
//! revision waits (on the server or in Python), and must end the same way
//! (exit status, last stderr line, the traceback's frames in the project's
//! files, whether it ended at once or only once the statement finished)
//! and leave the same database (version rows, schema, data): the open
//! transaction rolled back, `alembic_version` true.
//!
//! PostgreSQL: one slow revision waiting in the database (`pg_sleep`, the
//! driver call in progress when the signal comes; psycopg2 waits for it),
//! one in Python (`time.sleep`), and one the static path runs (literal op
//! calls only, rendered in Rust: the traceback still shows the revision's
//! line; scripts/fuzz-signal.py seed 1). MariaDB: `SELECT SLEEP(n)`, which
//! pymysql's socket read gives up at once (fuzz-signal seed 11).

mod support;

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::Duration;

use support::online::{
    DbKind, FreshDb, Snapshot, dump_db, fixture, mysql_allowed, prepare_project, python, ready,
};

/// What one interrupted run left.
#[derive(Debug, PartialEq)]
struct Ended {
    /// Exit code, or minus the signal number.
    code: i32,
    last_stderr_line: String,
    /// The traceback's frames in the project's files, with their source
    /// lines (the tools' own frames differ, docs/differences.md).
    project_frames: Vec<String>,
    /// Whether the process ended within two seconds of the signal (rather
    /// than once the blocking statement was done).
    prompt: bool,
    versions: Option<Vec<String>>,
    schema: String,
    data: String,
}

/// A slow revision after the fixture's head.
struct Slow {
    kind: DbKind,
    /// Module-level imports of the slow revision.
    imports: &'static str,
    /// The statement in upgrade() that waits.
    wait: &'static str,
    /// Whether alembic-rs must run the revision on the static path.
    plain: bool,
}

fn interrupted(oracle: bool, slow: &Slow) -> Ended {
    use std::os::unix::process::ExitStatusExt;

    let db = FreshDb::create(slow.kind);
    let project = prepare_project(&fixture("linear"), &db.url());
    let head = "5d2b8f0e6c04";
    std::fs::write(
        project.root.join("migrations/versions/ffff0000_slow.py"),
        format!(
            "\"\"\"slow\n\nRevision ID: ffff0000\nRevises: {head}\n\"\"\"\n\
             {imports}from alembic import op\nimport sqlalchemy as sa\n\n\
             revision = 'ffff0000'\ndown_revision = '{head}'\nbranch_labels = None\ndepends_on = None\n\n\
             def upgrade():\n    op.create_table('slow_marker', sa.Column('id', sa.Integer, primary_key=True))\n\
             \x20   {wait}\n    op.execute('CREATE TABLE after_sleep (id INTEGER)')\n\n\
             def downgrade():\n    op.drop_table('slow_marker')\n",
            imports = slow.imports,
            wait = slow.wait,
        ),
    )
    .unwrap();
    let static_log = project.root.join("static.log");
    let mut cmd = if oracle {
        let mut c = Command::new(python());
        c.args(["-m", "alembic"]);
        c
    } else {
        let mut c = Command::new(env!("CARGO_BIN_EXE_alembic-rs"));
        c.env("VIRTUAL_ENV", support::host_venv());
        c.env("ALEMBIC_RS_STATIC_LOG", &static_log);
        c
    };
    let mut child = cmd
        .args(["upgrade", "head"])
        .current_dir(&project.root)
        .env_remove("ALEMBIC_CONFIG")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = Vec::new();
    loop {
        let mut line = String::new();
        if stderr.read_line(&mut line).unwrap() == 0 {
            break;
        }
        let reached = line.contains("-> ffff0000");
        seen.push(line.trim_end().to_string());
        if reached {
            break;
        }
    }
    assert!(
        seen.last().is_some_and(|l| l.contains("-> ffff0000")),
        "the slow revision never started:\n{}",
        seen.join("\n")
    );
    std::thread::sleep(Duration::from_millis(700));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the upgrade ended by itself"
    );
    // SAFETY: kill(2) on our own child's pid, which has not been reaped.
    let rc = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    assert_eq!(rc, 0);
    let signalled = std::time::Instant::now();
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    let status = child.wait().unwrap();
    let prompt = signalled.elapsed() < Duration::from_secs(2);
    seen.extend(rest.lines().map(str::to_string));
    if !oracle {
        // a step declined by the static path logs `python <rev> ...`
        let log = std::fs::read_to_string(&static_log).unwrap_or_default();
        assert_eq!(
            log.contains("python ffff0000"),
            !slow.plain,
            "the static path log:\n{log}"
        );
    }
    let root = project.root.display().to_string();
    let mut project_frames = Vec::new();
    for (i, line) in seen.iter().enumerate() {
        if line.trim_start().starts_with("File \"") && line.contains(&root) {
            project_frames.push(line.replace(&root, "<PROJECT>"));
            project_frames.extend(seen.get(i + 1).cloned());
        }
    }
    let snap: Snapshot = dump_db(&db, "alembic_version");
    Ended {
        code: status
            .code()
            .unwrap_or_else(|| -status.signal().unwrap_or(0)),
        last_stderr_line: seen
            .iter()
            .rev()
            .find(|l| !l.trim().is_empty())
            .cloned()
            .unwrap_or_default(),
        project_frames,
        prompt,
        versions: snap.versions,
        schema: snap.schema,
        data: snap.data,
    }
}

fn compare(slow: Slow) {
    if !ready(slow.kind) || !mysql_allowed(slow.kind) {
        return;
    }
    let (alembic, rs) = std::thread::scope(|s| {
        let a = s.spawn(|| interrupted(true, &slow));
        let r = interrupted(false, &slow);
        (a.join().unwrap(), r)
    });
    assert_eq!(alembic, rs, "left: alembic, right: alembic-rs");
}

#[test]
fn sigint_while_the_database_works() {
    compare(Slow {
        kind: DbKind::Postgres,
        imports: "",
        wait: "op.get_bind().execute(sa.text('SELECT pg_sleep(3)'))",
        plain: false,
    });
}

#[test]
fn sigint_while_python_works() {
    compare(Slow {
        kind: DbKind::Postgres,
        imports: "import time\n",
        wait: "time.sleep(3)",
        plain: false,
    });
}

/// The revision runs on the static path; Alembic's traceback shows its
/// `op.execute(...)` line, and so must alembic-rs's.
#[test]
fn sigint_while_a_static_revision_waits() {
    compare(Slow {
        kind: DbKind::Postgres,
        imports: "",
        wait: "op.execute('SELECT pg_sleep(3)')",
        plain: true,
    });
}

/// pymysql's socket read raises the KeyboardInterrupt at once: the run
/// ends before the server's `SLEEP` does, and the transaction is rolled
/// back when the abandoned session ends.
#[test]
fn sigint_while_mariadb_works() {
    compare(Slow {
        kind: DbKind::Mysql,
        imports: "",
        wait: "op.execute('SELECT SLEEP(5)')",
        plain: true,
    });
}

#[test]
fn sigint_while_mariadb_works_in_python() {
    compare(Slow {
        kind: DbKind::Mysql,
        imports: "",
        wait: "op.get_bind().execute(sa.text('SELECT SLEEP(5)'))",
        plain: false,
    });
}
