//! Ctrl-C (SIGINT) in the middle of `upgrade head` on PostgreSQL, alembic-rs
//! against real Alembic: each runs on its own fresh database, gets SIGINT
//! while a revision waits on the server, and must end the same way (exit
//! status, last stderr line) and leave the same database (version rows,
//! schema, data): the open transaction rolled back, `alembic_version` true.
//!
//! Two slow revisions: one waiting in the database (`pg_sleep`, the
//! driver call in progress when the signal comes) and one in Python
//! (`time.sleep`).

mod support;

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::Duration;

use support::online::{
    DbKind, FreshDb, Snapshot, dump_db, fixture, prepare_project, python, ready,
};

/// What one interrupted run left.
#[derive(Debug, PartialEq)]
struct Ended {
    /// Exit code, or minus the signal number.
    code: i32,
    last_stderr_line: String,
    versions: Option<Vec<String>>,
    schema: String,
    data: String,
}

fn interrupted(oracle: bool, slow: &str) -> Ended {
    use std::os::unix::process::ExitStatusExt;

    let db = FreshDb::create(DbKind::Postgres);
    let project = prepare_project(&fixture("linear"), &db.url());
    let head = "5d2b8f0e6c04";
    std::fs::write(
        project.root.join("migrations/versions/ffff0000_slow.py"),
        format!(
            "\"\"\"slow\n\nRevision ID: ffff0000\nRevises: {head}\n\"\"\"\n\
             import time\nfrom alembic import op\nimport sqlalchemy as sa\n\n\
             revision = 'ffff0000'\ndown_revision = '{head}'\nbranch_labels = None\ndepends_on = None\n\n\
             def upgrade():\n    op.create_table('slow_marker', sa.Column('id', sa.Integer, primary_key=True))\n\
             \x20   {slow}\n    op.execute('CREATE TABLE after_sleep (id INTEGER)')\n\n\
             def downgrade():\n    op.drop_table('slow_marker')\n"
        ),
    )
    .unwrap();
    let mut cmd = if oracle {
        let mut c = Command::new(python());
        c.args(["-m", "alembic"]);
        c
    } else {
        let mut c = Command::new(env!("CARGO_BIN_EXE_alembic-rs"));
        c.env("VIRTUAL_ENV", support::host_venv());
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
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    let status = child.wait().unwrap();
    seen.extend(rest.lines().map(str::to_string));
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
        versions: snap.versions,
        schema: snap.schema,
        data: snap.data,
    }
}

fn compare(slow: &str) {
    if !ready(DbKind::Postgres) {
        return;
    }
    let (alembic, rs) = std::thread::scope(|s| {
        let a = s.spawn(|| interrupted(true, slow));
        let r = interrupted(false, slow);
        (a.join().unwrap(), r)
    });
    assert_eq!(alembic, rs, "left: alembic, right: alembic-rs");
}

#[test]
fn sigint_while_the_database_works() {
    compare("op.execute('SELECT pg_sleep(3)')");
}

#[test]
fn sigint_while_python_works() {
    compare("time.sleep(3)");
}
