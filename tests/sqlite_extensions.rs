//! SQLite extensions loaded in a `connect` event (`enable_load_extension`,
//! `load_extension`: SpatiaLite, sqlite-vec, ICU), against real Alembic on a
//! Python whose sqlite3 can load them (`.venv-oracle-ext`, made by
//! scripts/test-env.sh from the distribution's python3; the pyenv build the
//! main oracle uses has no such methods). The extension is a small one
//! compiled here (`half(x)`), so the migration's SQL only works once it is
//! loaded. Skipped where the machine lacks that Python, gcc or sqlite3ext.h.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const EXTENSION: &str = r#"
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1
static void half(sqlite3_context *c, int n, sqlite3_value **v) {
  (void)n;
  sqlite3_result_double(c, sqlite3_value_double(v[0]) / 2.0);
}
int sqlite3_half_init(sqlite3 *db, char **err, const sqlite3_api_routines *api) {
  (void)err;
  SQLITE_EXTENSION_INIT2(api);
  return sqlite3_create_function(db, "half", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, 0, half, 0, 0);
}
"#;

/// The listener's modes: what a project's `connect` event does.
const ENV_PY: &str = r#"import os
from logging.config import fileConfig

from sqlalchemy import engine_from_config, event, pool

from alembic import context

config = context.config
fileConfig(config.config_file_name)


def on_connect(dbapi_conn, connection_record):
    mode, ext = os.environ["EXT_MODE"], os.environ["EXT_PATH"]
    print("has:", hasattr(dbapi_conn, "enable_load_extension"), hasattr(dbapi_conn, "load_extension"))
    if mode == "probe":
        for name, args in (
            ("enable_load_extension", ("yes",)),
            ("enable_load_extension", (1.5,)),
            ("enable_load_extension", ()),
            ("load_extension", (3,)),
            ("load_extension", ("a", "b")),
            ("load_extension", ("a\0b",)),
            ("no_such_attribute", ()),
        ):
            try:
                getattr(dbapi_conn, name)(*args)
            except Exception as exc:
                print("%s%r: %s: %s" % (name, args, type(exc).__name__, exc))
        dbapi_conn.enable_load_extension(False)
        try:
            dbapi_conn.load_extension(ext)
        except Exception as exc:
            print("disabled: %s: %s %r" % (type(exc).__name__, exc, getattr(exc, "sqlite_errorcode", None)))
        dbapi_conn.enable_load_extension(2)
        dbapi_conn.load_extension(ext)
    elif mode == "sql":
        dbapi_conn.execute("SELECT load_extension(?)", (ext,))
    elif mode == "unguarded":
        dbapi_conn.load_extension(ext)
    else:
        dbapi_conn.enable_load_extension(True)
        dbapi_conn.load_extension(ext)
        dbapi_conn.enable_load_extension(False)


def run_migrations_online():
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    event.listen(engine, "connect", on_connect)
    with engine.connect() as connection:
        context.configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
"#;

const REVISION: &str = r#""""half

Revision ID: a1
Revises:
Create Date: 2026-12-07 01:02:03

"""
from alembic import op
import sqlalchemy as sa

revision = "a1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE TABLE t (x INTEGER, h REAL)")
    op.execute("INSERT INTO t VALUES (3, half(3))")
    bind = op.get_bind()
    print("rows:", bind.execute(sa.text("SELECT x, h, half(h) FROM t")).all())


def downgrade():
    print("half(9):", op.get_bind().execute(sa.text("SELECT half(9)")).scalar())
    op.execute("DROP TABLE t")
"#;

const INI: &str = "[alembic]\nscript_location = %(here)s/migrations\n\
sqlalchemy.url = sqlite:///%(here)s/db.sqlite\n\n\
[loggers]\nkeys = root,sqlalchemy,alembic\n\n[handlers]\nkeys = console\n\n\
[formatters]\nkeys = generic\n\n[logger_root]\nlevel = WARNING\nhandlers = console\n\
qualname =\n\n[logger_sqlalchemy]\nlevel = WARNING\nhandlers =\nqualname = sqlalchemy.engine\n\n\
[logger_alembic]\nlevel = INFO\nhandlers =\nqualname = alembic\n\n\
[handler_console]\nclass = StreamHandler\nargs = (sys.stderr,)\nlevel = NOTSET\n\
formatter = generic\n\n[formatter_generic]\nformat = %(levelname)-5.5s [%(name)s] %(message)s\n";

/// The oracle on a Python that loads extensions, if this machine has it.
fn extension_oracle() -> Option<PathBuf> {
    let python = support::online::manifest_dir().join(".venv-oracle-ext/bin/python");
    python.exists().then_some(python)
}

fn compile_extension(dir: &Path) -> Option<PathBuf> {
    if !Path::new("/usr/include/sqlite3ext.h").exists() {
        return None;
    }
    let source = dir.join("half.c");
    std::fs::write(&source, EXTENSION).unwrap();
    let library = dir.join("half.so");
    let status = Command::new("gcc")
        .args(["-shared", "-fPIC", "-o"])
        .arg(&library)
        .arg(&source)
        .status()
        .ok()?;
    status.success().then_some(library)
}

fn project(dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir.join("migrations/versions")).unwrap();
    std::fs::write(dir.join("alembic.ini"), INI).unwrap();
    std::fs::write(dir.join("migrations/env.py"), ENV_PY).unwrap();
    std::fs::write(dir.join("migrations/versions/a1_half.py"), REVISION).unwrap();
    dir.to_path_buf()
}

/// What a user sees of a run: exit code, stdout, and stderr's last line
/// (the tracebacks' frames differ in where each tool's own code lives).
fn seen(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last = stderr.lines().last().unwrap_or("");
    let logged: Vec<&str> = stderr.lines().filter(|l| l.starts_with("INFO ")).collect();
    format!(
        "exit {:?}\n{}--- log\n{}\n--- last\n{last}\n",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        logged.join("\n")
    )
}

#[test]
fn extensions_loaded_in_a_connect_event() {
    let Some(oracle) = extension_oracle() else {
        eprintln!("skipped: no .venv-oracle-ext (a Python whose sqlite3 loads extensions)");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let Some(library) = compile_extension(tmp.path()) else {
        eprintln!("skipped: cannot compile a SQLite extension here (gcc, sqlite3ext.h)");
        return;
    };
    let library = library.to_str().unwrap();
    let missing = tmp.path().join("no_such_extension");
    let cases: [(&str, &str, &[&[&str]]); 5] = [
        (
            "enabled",
            library,
            &[&["upgrade", "head"], &["current"], &["downgrade", "base"]],
        ),
        ("probe", library, &[&["upgrade", "head"]]),
        ("sql", library, &[&["upgrade", "head"]]),
        ("unguarded", library, &[&["upgrade", "head"]]),
        (
            "enabled",
            missing.to_str().unwrap(),
            &[&["upgrade", "head"]],
        ),
    ];
    let mut failures = Vec::new();
    for (n, (mode, path, steps)) in cases.iter().enumerate() {
        let ours = project(&tmp.path().join(format!("ours{n}")));
        let theirs = project(&tmp.path().join(format!("theirs{n}")));
        for args in *steps {
            let run = |mut cmd: Command, dir: &Path| {
                cmd.args(*args)
                    .current_dir(dir)
                    .env("EXT_MODE", mode)
                    .env("EXT_PATH", path)
                    .env_remove("ALEMBIC_CONFIG")
                    .env("PYTHONDONTWRITEBYTECODE", "1")
                    .stdin(Stdio::null());
                cmd.output().unwrap()
            };
            let mut alembic = Command::new(&oracle);
            alembic.args(["-m", "alembic"]);
            let want = seen(&run(alembic, &theirs)).replace(theirs.to_str().unwrap(), "<dir>");
            let mut rs = Command::new(env!("CARGO_BIN_EXE_alembic-rs"));
            rs.env("VIRTUAL_ENV", support::host_venv());
            let got = seen(&run(rs, &ours)).replace(ours.to_str().unwrap(), "<dir>");
            if want != got {
                failures.push(format!(
                    "{mode} {path} {args:?}\n--- alembic\n{want}--- alembic-rs\n{got}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
