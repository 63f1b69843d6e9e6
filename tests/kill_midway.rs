//! A process killed in the middle of `upgrade head` on PostgreSQL: the
//! server rolls the open transaction back, so the database is left at a
//! revision whose schema matches `alembic_version` (here: where it started,
//! since PostgreSQL runs the whole command in one transaction).

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use support::online::{DbKind, FreshDb, dump_db, fixture, prepare_project, ready};

#[test]
fn killed_upgrade_leaves_a_consistent_database() {
    if !ready(DbKind::Postgres) {
        return;
    }
    let db = FreshDb::create(DbKind::Postgres);
    let project = prepare_project(&fixture("linear"), &db.url());
    let venv = support::host_venv();
    let run = |args: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_alembic-rs"));
        c.args(args)
            .current_dir(&project.root)
            .env("VIRTUAL_ENV", &venv)
            .env_remove("ALEMBIC_CONFIG")
            .env("DATABASE_URL", db.url());
        c
    };
    let heads = run(&["heads"]).output().unwrap();
    let head = String::from_utf8_lossy(&heads.stdout)
        .split_whitespace()
        .next()
        .expect("a head")
        .to_string();
    std::fs::write(
        project.root.join("migrations/versions/ffff0000_slow.py"),
        format!(
            "\"\"\"slow\n\nRevision ID: ffff0000\nRevises: {head}\n\"\"\"\n\
             import os\nfrom alembic import op\nimport sqlalchemy as sa\n\n\
             revision = 'ffff0000'\ndown_revision = '{head}'\nbranch_labels = None\ndepends_on = None\n\n\
             def upgrade():\n    op.create_table('slow_marker', sa.Column('id', sa.Integer, primary_key=True))\n\
             \x20   if os.environ.get('SLOW'):\n        op.execute('SELECT pg_sleep(8)')\n\n\
             def downgrade():\n    op.drop_table('slow_marker')\n"
        ),
    )
    .unwrap();

    let mut child = run(&["upgrade", "head"])
        .env("SLOW", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = Vec::new();
    for line in stderr.lines() {
        let line = line.unwrap();
        let reached = line.contains("-> ffff0000");
        seen.push(line);
        if reached {
            break;
        }
    }
    assert!(
        seen.last().is_some_and(|l| l.contains("-> ffff0000")),
        "the slow revision never started:\n{}",
        seen.join("\n")
    );
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the upgrade ended by itself"
    );
    child.kill().unwrap();
    child.wait().unwrap();

    // The server rolls back when the sleeping backend notices the dead
    // client; until then nothing of the run is visible to others.
    let mut snapshot = dump_db(&db, "alembic_version");
    for _ in 0..50 {
        if !snapshot.schema.contains("slow_marker") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        snapshot = dump_db(&db, "alembic_version");
    }
    assert_eq!(snapshot.versions, None, "{}", snapshot.schema);
    assert!(
        !snapshot.schema.contains("CREATE TABLE"),
        "{}",
        snapshot.schema
    );

    // And the next run completes from there.
    let out = run(&["upgrade", "head"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
