//! The `db` seam against real servers: PostgreSQL on 127.0.0.1:5432 (trust
//! auth, user `root`, database `test`), MariaDB/MySQL on 127.0.0.1:3306
//! (`root`, no password, database `test`), SQLite in temporary files.
//! `scripts/test-env.sh` starts the servers. Every test creates and drops
//! its own database, so tests run in parallel.
//!
//! The oracle tests compare with SQLAlchemy's `make_url`, psycopg2's and
//! pymysql's `mogrify` from `.venv-oracle` (skipped, with a note, when that
//! virtualenv is absent).

use std::sync::atomic::{AtomicUsize, Ordering};

use indexmap::IndexMap;

use super::*;

mod mysql;
mod oracle;
mod postgres;
mod sqlite;

const PG_ADMIN: &str = "postgresql://root@127.0.0.1:5432/test";
const MY_ADMIN: &str = "mysql+pymysql://root@127.0.0.1:3306/test";

fn unique_name() -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "alembic_rs_db_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

fn open(url: &str) -> Connection {
    let url = Url::parse(url).expect("test URL parses");
    Connection::open(&url).unwrap_or_else(|e| {
        panic!("cannot connect to {url} ({e}); start the servers with `bash scripts/test-env.sh`")
    })
}

fn run(conn: &mut Connection, sql: &str) -> QueryResult {
    conn.execute(sql, &[])
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn ints(result: &QueryResult) -> Vec<i64> {
    result
        .rows
        .iter()
        .map(|r| match &r[0] {
            Value::Int(i) => *i,
            other => panic!("expected an int, got {other:?}"),
        })
        .collect()
}

/// A scratch database on a server, dropped at the end of the test.
struct TempDb {
    admin: Connection,
    name: String,
    url: String,
}

impl TempDb {
    fn postgres() -> TempDb {
        let mut admin = open(PG_ADMIN);
        let name = unique_name();
        run(&mut admin, &format!("CREATE DATABASE {name}"));
        let url = format!("postgresql://root@127.0.0.1:5432/{name}");
        TempDb { admin, name, url }
    }

    fn mysql() -> TempDb {
        let mut admin = open(MY_ADMIN);
        let name = unique_name();
        run(&mut admin, &format!("CREATE DATABASE {name}"));
        let url = format!("mysql+pymysql://root@127.0.0.1:3306/{name}?charset=utf8mb4");
        TempDb { admin, name, url }
    }

    fn connect(&self) -> Connection {
        open(&self.url)
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        let sql = match self.admin.dialect() {
            Dialect::Postgresql => format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
            _ => format!("DROP DATABASE IF EXISTS {}", self.name),
        };
        let _ = self.admin.execute(&sql, &[]);
    }
}

fn db_error(r: Result<QueryResult, DbError>) -> DbError {
    match r {
        Err(e) => e,
        Ok(r) => panic!("expected an error, got {r:?}"),
    }
}

/// The DB-API layer keeps a `Connection` in a `#[pyclass]` and releases the
/// GIL around calls, so it must move between threads.
#[test]
fn connection_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Connection>();
}
