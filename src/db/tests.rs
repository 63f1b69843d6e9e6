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

// ---------------------------------------------------------------- PostgreSQL

#[test]
fn pg_values_round_trip() {
    let db = TempDb::postgres();
    let mut c = db.connect();
    assert_eq!(c.dialect(), Dialect::Postgresql);
    run(
        &mut c,
        "CREATE TYPE mood AS ENUM ('sad', 'happy');
         CREATE TABLE t (
            b bool, i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, n numeric(10, 3),
            s text, vc varchar(20), ch char(3), by bytea, d date, tm time, ttz timetz,
            ts timestamp, tstz timestamptz, iv interval, u uuid, j json, jb jsonb,
            arr int4[], m mood, inet inet)",
    );
    let values = [
        Value::Bool(true),
        Value::Int(-7),
        Value::Int(2_000_000_000),
        Value::Int(-9_000_000_000_000),
        Value::Float(1.5),
        Value::Float(-0.1),
        Value::Numeric("-12.500".into()),
        Value::Text("it's a \\ back'slash ✓".into()),
        Value::Text("vc".into()),
        Value::Text("ab".into()),
        Value::Bytes(vec![0, 1, 0x7f, 0xff]),
        Value::Date("2024-02-29".into()),
        Value::Time("13:14:15.5".into()),
        Value::Time("13:14:15+02:00".into()),
        Value::DateTime("2024-01-02T03:04:05.123456".into()),
        Value::DateTimeTz("2024-01-02T03:04:05+00:00".into()),
        Value::Interval("1 days 2.000003 seconds".into()),
        Value::Uuid("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11".into()),
        Value::Json("{\"a\": [1, 2]}".into()),
        Value::Json("{\"b\": null}".into()),
        Value::Array(vec![Value::Int(1), Value::Int(-2)]),
        Value::Text("happy".into()),
        Value::Text("10.0.0.1".into()),
    ];
    let placeholders = vec!["%s"; values.len()].join(", ");
    let sql = interpolate_pyformat(
        Dialect::Postgresql,
        &format!("INSERT INTO t VALUES ({placeholders})"),
        &Params::Positional(&values),
    )
    .unwrap();
    assert_eq!(run(&mut c, &sql).rows_affected, 1);
    run(&mut c, "INSERT INTO t (b) VALUES (NULL)");

    let r = run(&mut c, "SELECT * FROM t ORDER BY b NULLS LAST");
    let names: Vec<&str> = r.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names[..4], ["b", "i2", "i4", "i8"]);
    let types: Vec<&str> = r.columns.iter().map(|c| c.type_name.as_str()).collect();
    assert_eq!(
        types,
        [
            "bool",
            "int2",
            "int4",
            "int8",
            "float4",
            "float8",
            "numeric",
            "text",
            "varchar",
            "bpchar",
            "bytea",
            "date",
            "time",
            "timetz",
            "timestamp",
            "timestamptz",
            "interval",
            "uuid",
            "json",
            "jsonb",
            "_int4",
            "mood",
            "inet"
        ]
    );
    assert_eq!(r.columns[0].type_code, Some(16));
    let row = &r.rows[0];
    let expected = [
        Value::Bool(true),
        Value::Int(-7),
        Value::Int(2_000_000_000),
        Value::Int(-9_000_000_000_000),
        Value::Float(1.5),
        Value::Float(-0.1),
        Value::Numeric("-12.500".into()),
        Value::Text("it's a \\ back'slash ✓".into()),
        Value::Text("vc".into()),
        Value::Text("ab ".into()),
        Value::Bytes(vec![0, 1, 0x7f, 0xff]),
        Value::Date("2024-02-29".into()),
        Value::Time("13:14:15.5".into()),
        Value::Time("13:14:15+02".into()),
        Value::DateTime("2024-01-02 03:04:05.123456".into()),
        Value::DateTimeTz(String::new()), // checked below: depends on TimeZone
        Value::Interval("1 day 00:00:02.000003".into()),
        Value::Uuid("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11".into()),
        Value::Json("{\"a\": [1, 2]}".into()),
        Value::Json("{\"b\": null}".into()),
        // Built-in array types come back as lists, as psycopg2 gives them.
        Value::Array(vec![Value::Int(1), Value::Int(-2)]),
        Value::Other {
            type_name: "mood".into(),
            text: "happy".into(),
        },
        Value::Other {
            type_name: "inet".into(),
            text: "10.0.0.1".into(),
        },
    ];
    for (i, (got, want)) in row.iter().zip(&expected).enumerate() {
        if i == 15 {
            assert!(
                matches!(got, Value::DateTimeTz(s) if s.starts_with("2024-01-02")),
                "{got:?}"
            );
        } else {
            assert_eq!(got, want, "column {}", r.columns[i].name);
        }
    }
    assert!(r.rows[1].iter().all(|v| *v == Value::Null));

    // Special floats and numerics.
    let r = run(
        &mut c,
        "SELECT 'NaN'::float8, '-Infinity'::float4, 'NaN'::numeric, 1e300::float8",
    );
    assert!(matches!(r.rows[0][0], Value::Float(f) if f.is_nan()));
    assert_eq!(r.rows[0][1], Value::Float(f64::NEG_INFINITY));
    assert_eq!(r.rows[0][2], Value::Numeric("NaN".into()));
    assert_eq!(r.rows[0][3], Value::Float(1e300));
}

#[test]
fn pg_transactions_are_the_callers() {
    let db = TempDb::postgres();
    let mut c = db.connect();
    run(&mut c, "BEGIN");
    run(&mut c, "CREATE TABLE gone (id int)");
    run(&mut c, "ROLLBACK");
    let r = run(&mut c, "SELECT to_regclass('gone')::text");
    assert_eq!(r.rows, vec![vec![Value::Null]]);

    run(&mut c, "CREATE TABLE kept (id int)");
    run(&mut c, "BEGIN; INSERT INTO kept VALUES (1); COMMIT");
    run(&mut c, "BEGIN");
    run(&mut c, "INSERT INTO kept VALUES (2)");
    // Another session does not see the uncommitted row.
    let mut other = db.connect();
    assert_eq!(
        ints(&run(&mut other, "SELECT id FROM kept ORDER BY id")),
        [1]
    );
    run(&mut c, "COMMIT");
    assert_eq!(
        ints(&run(&mut other, "SELECT id FROM kept ORDER BY id")),
        [1, 2]
    );

    // An error aborts the transaction until ROLLBACK, as in psycopg2.
    run(&mut c, "BEGIN");
    let e = db_error(c.execute("SELECT 1/0", &[]));
    assert_eq!(e.to_string(), "division by zero\n");
    assert_eq!(e.dbapi_exception(), Some("DataError"));
    let e = db_error(c.execute("SELECT 1", &[]));
    assert_eq!(
        e.to_string(),
        "current transaction is aborted, commands ignored until end of transaction block\n"
    );
    assert_eq!(e.python_parts().1.as_deref(), Some("25P02"));
    run(&mut c, "ROLLBACK");
    assert_eq!(ints(&run(&mut c, "SELECT 1")), [1]);
    c.close().unwrap();
}

#[test]
fn pg_multi_statement_and_descriptions() {
    let db = TempDb::postgres();
    let mut c = db.connect();
    let r = run(
        &mut c,
        "CREATE TABLE t (a int); INSERT INTO t VALUES (1), (2); SELECT a FROM t ORDER BY a",
    );
    assert_eq!(ints(&r), [1, 2]);
    assert_eq!(r.rows_affected, 2);
    let r = run(&mut c, "SELECT 1; UPDATE t SET a = a + 10");
    assert!(!r.returns_rows());
    assert_eq!(r.rows_affected, 2);

    // A SELECT with no rows still describes its columns, freshly.
    let r = run(&mut c, "SELECT a AS x, 'y'::text AS y FROM t WHERE false");
    assert!(r.rows.is_empty());
    let cols: Vec<(&str, &str)> = r
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.type_name.as_str()))
        .collect();
    assert_eq!(cols, [("x", "int4"), ("y", "text")]);
    run(&mut c, "ALTER TABLE t ADD COLUMN b text");
    let r = run(&mut c, "SELECT * FROM t WHERE false");
    assert_eq!(r.columns.len(), 2);
    let r = run(&mut c, "SELECT * FROM t WHERE false");
    assert_eq!(r.columns.len(), 2);
    let r = run(&mut c, "DELETE FROM t WHERE false RETURNING a");
    assert_eq!(r.columns.len(), 1);
    // No description for DDL, DML, transaction control, SELECT INTO.
    for sql in [
        "CREATE TABLE u (x int)",
        "INSERT INTO u VALUES (1)",
        "BEGIN",
        "COMMIT",
        "SELECT * INTO v FROM u WHERE false",
        "",
    ] {
        assert!(!run(&mut c, sql).returns_rows(), "{sql}");
    }
    // Describing leaves no prepared statements behind beyond the last one.
    for _ in 0..5 {
        run(&mut c, "SELECT 1 WHERE false");
    }
    let r = run(&mut c, "SELECT count(*)::int FROM pg_prepared_statements");
    assert!(ints(&r)[0] <= 1, "{r:?}");
}

#[test]
fn pg_errors_read_like_psycopg2() {
    let db = TempDb::postgres();
    let mut c = db.connect();
    let e = db_error(c.execute("SELECT * FROM nope", &[]));
    assert_eq!(
        e.to_string(),
        "relation \"nope\" does not exist\nLINE 1: SELECT * FROM nope\n                      ^\n"
    );
    assert_eq!(
        e.python_parts(),
        (
            e.to_string(),
            Some("42P01".into()),
            Some("ProgrammingError")
        )
    );
    let server = e.server().unwrap();
    assert_eq!(server.primary, "relation \"nope\" does not exist");
    assert_eq!(server.position, Some(15));
    assert_eq!(
        server.libpq_text("SELECT * FROM nope").lines().next(),
        Some("ERROR:  relation \"nope\" does not exist")
    );

    let e = db_error(c.execute("SELECT 1;\nSELEC 2", &[]));
    assert_eq!(
        e.to_string(),
        "syntax error at or near \"SELEC\"\nLINE 2: SELEC 2\n        ^\n"
    );
    assert!(matches!(&e, DbError::Database { code: Some(c), .. } if c == "42601"));

    run(
        &mut c,
        "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)",
    );
    let e = db_error(c.execute("INSERT INTO t VALUES (1)", &[]));
    assert_eq!(
        e.to_string(),
        "duplicate key value violates unique constraint \"t_pkey\"\nDETAIL:  Key (id)=(1) already exists.\n"
    );
    assert_eq!(e.dbapi_exception(), Some("IntegrityError"));
    assert!(
        matches!(&e, DbError::Database { detail: Some(d), .. } if d == "Key (id)=(1) already exists.")
    );

    let e = db_error(c.execute("SELECT 1", &[Value::Int(1)]));
    assert!(matches!(e, DbError::Usage(_)));
}

#[test]
fn pg_session_settings_match_libpq() {
    let db = TempDb::postgres();
    let mut c = db.connect();
    assert!(
        c.server_version()
            .chars()
            .next()
            .is_some_and(|ch| ch.is_ascii_digit())
    );
    assert!(c.server_version_num().is_some_and(|n| n >= 100000));
    // What a libpq session would get: the server's configured zone.
    let r = run(
        &mut c,
        "SELECT current_setting('TimeZone') = coalesce((SELECT setting FROM pg_file_settings \
         WHERE lower(name) = 'timezone' AND error IS NULL ORDER BY seqno DESC LIMIT 1), 'GMT')",
    );
    assert_eq!(r.rows, vec![vec![Value::Bool(true)]]);
    let r = run(&mut c, "SHOW extra_float_digits");
    assert_eq!(r.rows, vec![vec![Value::Text("1".into())]]);

    // A session time zone from the URL's options is kept.
    let mut tz = open(&format!("{}?options=-c%20timezone%3DAsia/Tokyo", db.url));
    let r = run(&mut tz, "SHOW TimeZone");
    assert_eq!(r.rows, vec![vec![Value::Text("Asia/Tokyo".into())]]);
}

#[test]
fn pg_connect_errors() {
    let name = unique_name();
    let url = Url::parse(&format!("postgresql://root@127.0.0.1:5432/{name}")).unwrap();
    let e = Connection::open(&url).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  database \"{name}\" does not exist\n"
        )
    );
    assert_eq!(e.dbapi_exception(), Some("OperationalError"));
    // psycopg2 gives connection failures no pgcode, so the Python layer
    // raises plain OperationalError, not psycopg2.errors.InvalidCatalogName
    assert_eq!(e.python_parts().1, None);
    let url = Url::parse("postgresql://root@127.0.0.1:1/test").unwrap();
    let e = Connection::open(&url).unwrap_err();
    assert_eq!(
        e.to_string(),
        "connection to server at \"127.0.0.1\", port 1 failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?\n"
    );
    // a name the resolver cannot find (`.invalid` never resolves): libpq's text
    let url = Url::parse("postgresql://root@nohost.invalid/test").unwrap();
    let e = Connection::open(&url).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("could not translate host name \"nohost.invalid\" to address: "),
        "{e}"
    );
}

// ---------------------------------------------------------------- SQLite

#[test]
fn sqlite_binding_and_storage_classes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub.db");
    let mut c = open(&format!("sqlite:///{}", path.display()));
    assert!(
        path.exists(),
        "the file is created like sqlite3.connect does"
    );
    assert_eq!(c.dialect(), Dialect::Sqlite);
    assert!(c.server_version().starts_with('3'));
    assert_eq!(sqlite_library_version(), c.server_version());
    run(
        &mut c,
        "CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n NUMERIC, flag BOOLEAN)",
    );
    let params = [
        Value::Int(-3),
        Value::Float(2.25),
        Value::Text("x'y".into()),
        Value::Bytes(vec![0, 255]),
        Value::Numeric("1.50".into()),
        Value::Bool(true),
    ];
    let r = c
        .execute("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)", &params)
        .unwrap();
    assert_eq!(r.rows_affected, 1);
    assert_eq!(r.last_insert_id, Some(1));
    assert!(!r.returns_rows());
    c.execute("INSERT INTO t (i) VALUES (?)", &[Value::Null])
        .unwrap();
    let r = c
        .execute(
            "SELECT * FROM t WHERE i = ? OR i IS NULL ORDER BY i IS NULL",
            &[Value::Int(-3)],
        )
        .unwrap();
    assert_eq!(
        r.rows[0],
        [
            Value::Int(-3),
            Value::Float(2.25),
            Value::Text("x'y".into()),
            Value::Bytes(vec![0, 255]),
            Value::Float(1.5), // NUMERIC affinity stores 1.50 as REAL
            Value::Int(1),
        ]
    );
    assert!(r.rows[1].iter().all(|v| *v == Value::Null));
    assert_eq!(
        r.columns
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        ["i", "r", "s", "b", "n", "flag"]
    );
    assert!(r.columns.iter().all(|c| c.type_code.is_none()));

    let e = db_error(c.execute("SELECT ?; SELECT ?", &[Value::Int(1), Value::Int(2)]));
    assert_eq!(
        e.to_string(),
        "You can only execute one statement at a time."
    );
}

#[test]
fn sqlite_transactions_multi_statements_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:///{}", dir.path().join("x.db").display());
    let mut c = open(&url);
    let r = run(
        &mut c,
        "CREATE TABLE t (a INTEGER UNIQUE); INSERT INTO t VALUES (1); SELECT a FROM t",
    );
    assert_eq!(ints(&r), [1]);
    // No implicit transaction: another connection sees the insert at once.
    let mut other = open(&url);
    assert_eq!(ints(&run(&mut other, "SELECT a FROM t")), [1]);
    run(&mut c, "BEGIN");
    run(&mut c, "INSERT INTO t VALUES (2)");
    run(&mut c, "ROLLBACK");
    assert_eq!(ints(&run(&mut c, "SELECT a FROM t")), [1]);

    let r = run(&mut c, "SELECT a, a + 1 AS b FROM t WHERE 0");
    assert_eq!(
        r.columns
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        ["a", "b"]
    );
    assert!(!run(&mut c, "PRAGMA foreign_keys = ON").returns_rows());
    assert!(run(&mut c, "PRAGMA table_info(t)").returns_rows());

    let e = db_error(c.execute("SELECT * FROM foo", &[]));
    assert_eq!(e.to_string(), "no such table: foo");
    assert_eq!(
        e.python_parts(),
        (
            "no such table: foo".into(),
            Some("1".into()),
            Some("OperationalError")
        )
    );
    let e = db_error(c.execute("SELEC 1", &[]));
    assert_eq!(e.to_string(), "near \"SELEC\": syntax error");
    let e = db_error(c.execute("INSERT INTO t VALUES (1)", &[]));
    assert_eq!(e.to_string(), "UNIQUE constraint failed: t.a");
    assert_eq!(e.dbapi_exception(), Some("IntegrityError"));
    c.close().unwrap();
}

#[test]
fn sqlite_memory_and_foreign_keys_off() {
    for url in ["sqlite://", "sqlite:///:memory:"] {
        let mut c = open(url);
        assert_eq!(ints(&run(&mut c, "PRAGMA foreign_keys")), [0], "{url}");
        run(&mut c, "CREATE TABLE m (x)");
        assert!(run(&mut c, "SELECT * FROM m").returns_rows());
    }
}

/// The `sqlite_udf` seam without Python: values in and out, an aggregate
/// per group (NULL for none), a collation, and a panicking callback turned
/// into pysqlite's SQL error instead of unwinding through SQLite.
#[test]
fn sqlite_user_defined_functions() {
    use sqlite_udf::{
        Aggregate, AggregateState, Collation, Registration, ScalarFunction, UdfError,
    };

    struct Twice;
    impl ScalarFunction for Twice {
        fn call(&self, args: Vec<Value>) -> Result<Value, UdfError> {
            match &args[0] {
                Value::Int(i) => Ok(Value::Int(i * 2)),
                Value::Text(s) if s == "boom" => panic!("boom"),
                Value::Text(s) => Ok(Value::Text(s.repeat(2))),
                Value::Null => Err(UdfError::TooBig),
                other => Ok(other.clone()),
            }
        }
    }
    struct Count;
    struct Counting(i64);
    impl Aggregate for Count {
        fn start(&self) -> Result<Box<dyn AggregateState>, UdfError> {
            Ok(Box::new(Counting(0)))
        }
    }
    impl AggregateState for Counting {
        fn step(&mut self, _args: Vec<Value>) -> Result<(), UdfError> {
            self.0 += 1;
            Ok(())
        }
        fn finish(self: Box<Self>) -> Result<Value, UdfError> {
            Ok(Value::Int(self.0))
        }
    }
    struct Reverse;
    impl Collation for Reverse {
        fn compare(&self, a: &[u8], b: &[u8]) -> std::cmp::Ordering {
            b.cmp(a)
        }
    }

    let mut c = open("sqlite://");
    c.sqlite_register(Registration::Function {
        name: "twice".into(),
        n_arg: 1,
        deterministic: true,
        function: Box::new(Twice),
    })
    .unwrap();
    c.sqlite_register(Registration::Aggregate {
        name: "n".into(),
        n_arg: 1,
        aggregate: Box::new(Count),
    })
    .unwrap();
    c.sqlite_register(Registration::Collation {
        name: "rev".into(),
        collation: Some(Box::new(Reverse)),
    })
    .unwrap();
    let r = run(
        &mut c,
        "SELECT twice(21), twice('ab'), twice(x'01'), twice(1.5)",
    );
    assert_eq!(
        r.rows,
        [vec![
            Value::Int(42),
            Value::Text("abab".into()),
            Value::Bytes(vec![1]),
            Value::Float(1.5)
        ]]
    );
    run(&mut c, "CREATE TABLE t (x)");
    run(&mut c, "INSERT INTO t VALUES ('a'), ('c'), ('b')");
    run(&mut c, "CREATE INDEX ix_t ON t (twice(x))");
    assert_eq!(ints(&run(&mut c, "SELECT n(x) FROM t")), [3]);
    assert_eq!(
        run(&mut c, "SELECT n(x) FROM t WHERE 0").rows,
        [vec![Value::Null]]
    );
    let sorted = run(&mut c, "SELECT x FROM t ORDER BY x COLLATE rev");
    assert_eq!(
        sorted.rows,
        ["c", "b", "a"].map(|s| vec![Value::Text(s.into())])
    );
    let err = |c: &mut Connection, sql: &str| c.execute(sql, &[]).unwrap_err().to_string();
    assert_eq!(
        err(&mut c, "SELECT twice('boom')"),
        "user-defined function raised exception"
    );
    assert_eq!(err(&mut c, "SELECT twice(NULL)"), "string or blob too big");
    // Past the first row the error belongs to the fetch.
    assert_eq!(
        err(&mut c, "INSERT INTO t VALUES ('boom')"),
        "user-defined function raised exception",
        "the index calls the function"
    );
    run(&mut c, "DROP INDEX ix_t");
    run(&mut c, "INSERT INTO t VALUES ('boom')");
    let late_sql = "SELECT twice(x) FROM t ORDER BY rowid";
    assert_eq!(
        err(&mut c, late_sql),
        "user-defined function raised exception",
        "outside the DB-API an error is an error"
    );
    let late = c.execute_dbapi(late_sql, Params::Positional(&[])).unwrap();
    assert_eq!(late.rows.len(), 3);
    assert_eq!(
        late.fetch_error.map(|e| e.message).as_deref(),
        Some("user-defined function raised exception")
    );
    c.sqlite_register(Registration::Collation {
        name: "rev".into(),
        collation: None,
    })
    .unwrap();
    assert_eq!(
        err(&mut c, "SELECT x FROM t ORDER BY x COLLATE rev"),
        "no such collation sequence: rev"
    );
    c.close().unwrap();
}

// ---------------------------------------------------------------- MySQL / MariaDB

#[test]
fn mysql_values_round_trip() {
    let db = TempDb::mysql();
    let mut c = db.connect();
    assert_eq!(c.dialect(), Dialect::Mysql);
    run(
        &mut c,
        "CREATE TABLE t (
            ti TINYINT, bi BIGINT, ubi BIGINT UNSIGNED, f FLOAT, d DOUBLE, n DECIMAL(10, 3),
            vc VARCHAR(50), tx TEXT, bin_ci VARCHAR(10) COLLATE utf8mb4_bin, bl BLOB, vb VARBINARY(8),
            dt DATE, dtm DATETIME(6), tsm TIMESTAMP NULL, tm TIME, j JSON, e ENUM('a', 'b'), bt BIT(8)
         )",
    );
    let values = [
        Value::Int(-5),
        Value::Int(i64::MIN),
        Value::Numeric("18446744073709551615".into()),
        Value::Float(1.5),
        Value::Float(-0.1),
        Value::Numeric("1E+2".into()),
        Value::Text("it's \"q\" \\ ✓\n".into()),
        Value::Text("text".into()),
        Value::Text("bin".into()),
        Value::Bytes(vec![0, 0x27, 0x5c, 0xff]),
        Value::Bytes(vec![1, 2]),
        Value::Date("2024-02-29".into()),
        Value::DateTime("2024-01-02 03:04:05.123456".into()),
        Value::DateTime("2024-01-02 03:04:05".into()),
        Value::Interval("-01:02:03".into()),
        Value::Json("{\"a\": 1}".into()),
        Value::Text("b".into()),
        Value::Bytes(vec![0x81]),
    ];
    let placeholders = vec!["%s"; values.len()].join(", ");
    let sql = interpolate_pyformat(
        Dialect::Mysql,
        &format!("INSERT INTO t VALUES ({placeholders})"),
        &Params::Positional(&values),
    )
    .unwrap();
    assert_eq!(run(&mut c, &sql).rows_affected, 1);
    let r = run(&mut c, "SELECT * FROM t");
    assert_eq!(r.rows_affected, 1);
    let expected = [
        Value::Int(-5),
        Value::Int(i64::MIN),
        // pymysql: an int, however large
        Value::UInt(u64::MAX),
        Value::Float(1.5),
        Value::Float(-0.1),
        Value::Numeric("100.000".into()),
        Value::Text("it's \"q\" \\ ✓\n".into()),
        Value::Text("text".into()),
        Value::Text("bin".into()),
        Value::Bytes(vec![0, 0x27, 0x5c, 0xff]),
        Value::Bytes(vec![1, 2]),
        Value::Date("2024-02-29".into()),
        Value::DateTime("2024-01-02 03:04:05.123456".into()),
        Value::DateTime("2024-01-02 03:04:05".into()),
        Value::Interval("-01:02:03".into()),
        Value::Json(String::new()), // MariaDB's JSON is LONGTEXT: checked below
        Value::Text("b".into()),
        Value::Bytes(vec![0x81]),
    ];
    for (i, (got, want)) in r.rows[0].iter().zip(&expected).enumerate() {
        if i == 15 {
            assert!(
                matches!(got, Value::Json(s) | Value::Text(s) if s == "{\"a\": 1}"),
                "{got:?}"
            );
        } else {
            assert_eq!(got, want, "column {}", r.columns[i].name);
        }
    }
    let codes: Vec<Option<u32>> = r.columns.iter().map(|c| c.type_code).collect();
    assert_eq!(
        codes[..6],
        [Some(1), Some(8), Some(8), Some(4), Some(5), Some(246)]
    );
    let r = run(&mut c, "SELECT NULL, 1.5, 'x'");
    assert_eq!(
        r.rows[0],
        [
            Value::Null,
            Value::Numeric("1.5".into()),
            Value::Text("x".into())
        ]
    );
}

#[test]
fn mysql_transactions_ddl_and_errors() {
    let db = TempDb::mysql();
    let mut c = db.connect();
    assert!(c.is_mariadb() == c.server_version().contains("MariaDB"));
    // DDL commits implicitly on MySQL/MariaDB.
    run(&mut c, "BEGIN");
    run(
        &mut c,
        "CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB",
    );
    run(&mut c, "ROLLBACK");
    let r = run(&mut c, "SHOW TABLES");
    assert_eq!(r.rows, vec![vec![Value::Text("t".into())]]);

    let r = run(&mut c, "INSERT INTO t (v) VALUES (10)");
    assert_eq!(r.last_insert_id, Some(1));
    run(&mut c, "BEGIN");
    run(&mut c, "INSERT INTO t (v) VALUES (20)");
    run(&mut c, "ROLLBACK");
    assert_eq!(ints(&run(&mut c, "SELECT v FROM t")), [10]);
    // UPDATE counts matched rows (CLIENT_FOUND_ROWS), like SQLAlchemy's pymysql.
    assert_eq!(run(&mut c, "UPDATE t SET v = 10").rows_affected, 1);

    // Several statements in one call: pymysql's server parses the text as
    // one statement (no CLIENT_MULTI_STATEMENTS) and runs none of it.
    let e = db_error(c.execute(
        "INSERT INTO t (v) VALUES (30); SELECT v FROM t ORDER BY v",
        &[],
    ));
    assert_eq!(e.server().unwrap().errno, Some(1064));
    assert!(
        e.to_string()
            .ends_with("near 'SELECT v FROM t ORDER BY v' at line 1")
    );
    // A procedure body holding `;` is one statement.
    run(
        &mut c,
        "CREATE PROCEDURE p30() BEGIN INSERT INTO t (v) VALUES (30); SELECT 1; END",
    );
    run(&mut c, "CALL p30()");
    run(&mut c, "DROP PROCEDURE p30");
    let r = run(&mut c, "SELECT v FROM t ORDER BY v;");
    assert_eq!(ints(&r), [10, 30]);
    let r = run(&mut c, "SELECT v, id FROM t WHERE 1 = 0");
    assert_eq!(
        r.columns
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        ["v", "id"]
    );
    assert!(!run(&mut c, "UPDATE t SET v = v WHERE 1 = 0").returns_rows());

    let e = db_error(c.execute("SELECT * FROM nope", &[]));
    assert_eq!(
        e.to_string(),
        format!("Table '{}.nope' doesn't exist", db.name)
    );
    assert_eq!(e.python_parts().1.as_deref(), Some("1146"));
    assert_eq!(e.dbapi_exception(), Some("ProgrammingError"));
    let e = db_error(c.execute("SELEC 1", &[]));
    assert_eq!(e.server().unwrap().errno, Some(1064));
    let e = db_error(c.execute("INSERT INTO t (id, v) VALUES (1, 1)", &[]));
    assert_eq!(e.to_string(), "Duplicate entry '1' for key 'PRIMARY'");
    assert_eq!(e.dbapi_exception(), Some("IntegrityError"));
}

#[test]
fn mysql_mysqldb_urls_run_several_statements_in_one_call() {
    // mysqlclient connects with CLIENT_MULTI_STATEMENTS: airflow's MySQL
    // revisions create, call and drop a procedure in one op.execute().
    let db = TempDb::mysql();
    let rest = db.url.split_once("://").unwrap().1;
    let text = "CREATE TABLE t (v INT);\n\
                CREATE PROCEDURE fill() BEGIN INSERT INTO t (v) VALUES (1); END;\n\
                CALL fill();\n\
                DROP PROCEDURE fill;\n\
                INSERT INTO t (v) VALUES (2)";
    for (i, scheme) in ["mysql", "mysql+mysqldb", "mariadb+mysqldb"]
        .iter()
        .enumerate()
    {
        let mut c = open(&format!("{scheme}://{rest}"));
        let sql = text.replace(" t ", &format!(" t{i} "));
        run(&mut c, &sql);
        let r = run(&mut c, &format!("SELECT v FROM t{i} ORDER BY v"));
        assert_eq!(ints(&r), [1, 2], "{scheme}");
        // A failing statement after the first stops the text, as the server does.
        let e = db_error(c.execute(
            &format!("INSERT INTO t{i} (v) VALUES (3); SELECT * FROM nope; INSERT INTO t{i} (v) VALUES (4)"),
            &[],
        ));
        assert_eq!(e.server().unwrap().errno, Some(1146), "{scheme}");
        let r = run(&mut c, &format!("SELECT v FROM t{i} ORDER BY v"));
        assert_eq!(ints(&r), [1, 2, 3], "{scheme}");
    }
    // pymysql (and the drivers that follow it) still refuse the text whole.
    let mut c = db.connect();
    let e = db_error(c.execute(&text.replace(" t ", " t9 "), &[]));
    assert_eq!(e.server().unwrap().errno, Some(1064));
    assert!(
        db_error(c.execute("SELECT * FROM t9", &[]))
            .to_string()
            .contains("doesn't exist")
    );
}

#[test]
fn mysql_session_is_not_altered() {
    let db = TempDb::mysql();
    let mut c = db.connect();
    let r = run(
        &mut c,
        "SELECT @@session.sql_mode = @@global.sql_mode, @@session.time_zone = @@global.time_zone, 'a' || 'b'",
    );
    assert_eq!(r.rows[0][0], Value::Int(1));
    assert_eq!(r.rows[0][1], Value::Int(1));
    assert_ne!(
        r.rows[0][2],
        Value::Text("ab".into()),
        "|| is OR unless the server says otherwise"
    );
    // A column named like a built-in function parses (no IGNORE_SPACE).
    run(&mut c, "CREATE TABLE counts (count INT, now INT)");
    let r = run(&mut c, "SELECT @@character_set_client");
    assert_eq!(r.rows[0][0], Value::Text("utf8mb4".into()));
}

// ---------------------------------------------------------------- oracles

fn oracle_python() -> Option<std::path::PathBuf> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv-oracle/bin/python");
    if path.exists() {
        Some(path)
    } else {
        eprintln!("skipped: no .venv-oracle (run `bash scripts/test-env.sh`)");
        None
    }
}

fn run_python(python: &std::path::Path, script: &str, input: &str) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new(python)
        .arg("-c")
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "oracle script failed");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn url_oracle_sqlalchemy_make_url() {
    let Some(python) = oracle_python() else {
        return;
    };
    let urls = [
        "postgresql://scott:tiger@localhost/test",
        "postgresql+psycopg2://us%40er:p%3Ass%2Fw%20d@db.example.com:5433/my%20db?sslmode=require&application_name=x+y",
        "mysql+pymysql://root@127.0.0.1:3306/test?charset=utf8mb4&b=2&a=1&b=1",
        "mariadb://u:@[2001:db8::1]:3306/d",
        "sqlite://",
        "sqlite:///relative.db",
        "sqlite:////abs/path.db",
        "sqlite:///:memory:",
        "sqlite+pysqlite:///x.db?mode=ro&uri=true",
        "postgresql://@/",
        "postgresql://u@h:5432",
        "postgresql://u:p@w@h/d",
        "postgresql://h/d?k=&x=%E2%9C%93&e",
        "postgresql://h/%F0%9F%98%80%zz",
        "postgresql://[::1]/d",
        "oracle+cx_oracle://u:p@h:1521/?service_name=x",
        "postgresql://u:p%40@h/d#frag",
        "postgresql://h:01234/d",
    ];
    let script = r#"
import sys
from sqlalchemy.engine import make_url
for line in sys.stdin.read().splitlines():
    u = make_url(line)
    print(repr((u.drivername, u.username, u.password, u.host, u.port, u.database,
                sorted((k, list(v) if isinstance(v, tuple) else [v]) for k, v in u.query.items()),
                u.render_as_string(hide_password=True), u.render_as_string(hide_password=False),
                u.get_backend_name())))
"#;
    let expected = run_python(&python, script, &urls.join("\n"));
    let py_str = |s: Option<&str>| match s {
        None => "None".to_string(),
        Some(s) => python_repr(s),
    };
    for (url, want) in urls.iter().zip(expected.lines()) {
        let u = Url::parse(url).unwrap();
        let mut query: Vec<(String, Vec<String>)> = u.query().to_vec();
        query.sort();
        let query_repr: Vec<String> = query
            .iter()
            .map(|(k, v)| {
                let vs: Vec<String> = v.iter().map(|s| python_repr(s)).collect();
                format!("({}, [{}])", python_repr(k), vs.join(", "))
            })
            .collect();
        let got = format!(
            "({}, {}, {}, {}, {}, {}, [{}], {}, {}, {})",
            python_repr(u.drivername()),
            py_str(u.username()),
            py_str(u.password()),
            py_str(u.host()),
            u.port().map_or("None".to_string(), |p| p.to_string()),
            py_str(u.database()),
            query_repr.join(", "),
            python_repr(&u.render(true)),
            python_repr(&u.render(false)),
            python_repr(u.backend_name()),
        );
        assert_eq!(got, want, "{url}");
    }
}

/// Python's `repr()` of a `str` (enough for the oracle comparisons).
fn python_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::new();
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// The same statements and parameters through psycopg2's and pymysql's
/// `cursor.mogrify` (live connections) and through [`interpolate_pyformat`].
#[test]
fn interpolation_oracle_psycopg2_and_pymysql() {
    let Some(python) = oracle_python() else {
        return;
    };
    // (sql, named?, params as (name, kind, text)); kinds: i f s b n none bool dec list
    type Case<'a> = (&'a str, bool, Vec<(&'a str, &'a str, &'a str)>);
    let cases: Vec<Case> = vec![
        (
            "select %s, %s, %s",
            false,
            vec![("", "s", "a'b\\c\"d\n"), ("", "i", "-5"), ("", "f", "-2.5")],
        ),
        (
            "select %s, %s, %s",
            false,
            vec![("", "none", ""), ("", "bool", "1"), ("", "f", "1e16")],
        ),
        (
            "select %s, %s",
            false,
            vec![("", "f", "1e-05"), ("", "dec", "-1.50")],
        ),
        (
            "select %(a)s, %(b)s, %(a)s",
            true,
            vec![("a", "s", "x%y"), ("b", "i", "3")],
        ),
        ("select 100%% %s", false, vec![("", "i", "1")]),
        ("select 100%%", false, vec![]),
        ("select %s", false, vec![("", "s", "✓ unicode")]),
        ("select %s", false, vec![("", "f", "0.1")]),
        ("select %s %s", false, vec![("", "i", "1")]),
        ("select %d", false, vec![("", "i", "1")]),
        ("select %(a)s %(b)s", true, vec![("a", "i", "1")]),
        ("select %s", false, vec![("", "i", "1"), ("", "i", "2")]),
    ];
    let mut lines = Vec::new();
    for (sql, named, params) in &cases {
        let ps: Vec<String> = params
            .iter()
            .map(|(n, k, v)| format!("[{},{},{}]", json_str(n), json_str(k), json_str(v)))
            .collect();
        lines.push(format!("[{},{},[{}]]", json_str(sql), named, ps.join(",")));
    }
    let script = r#"
import sys, json, decimal
import psycopg2, pymysql
pg = psycopg2.connect(host="127.0.0.1", dbname="test", user="root").cursor()
my = pymysql.connect(host="127.0.0.1", user="root", database="test").cursor()
def conv(kind, text):
    return {"i": int, "f": float, "s": str, "none": lambda t: None,
            "bool": lambda t: t == "1", "dec": decimal.Decimal}[kind](text)
for line in sys.stdin.read().splitlines():
    sql, named, params = json.loads(line)
    args = {n: conv(k, v) for n, k, v in params} if named else tuple(conv(k, v) for _, k, v in params)
    out = []
    for cur in (pg, my):
        try:
            r = cur.mogrify(sql, args)
            out.append(["ok", r.decode() if isinstance(r, bytes) else r])
        except Exception as e:
            out.append(["err", type(e).__name__])
    print(json.dumps(out))
"#;
    let expected = run_python(&python, script, &lines.join("\n"));
    for ((sql, named, params), want) in cases.iter().zip(expected.lines()) {
        let values: Vec<(String, Value)> = params
            .iter()
            .map(|(n, k, v)| {
                let value = match *k {
                    "i" => Value::Int(v.parse().unwrap()),
                    "f" => Value::Float(v.parse().unwrap()),
                    "s" => Value::Text(v.to_string()),
                    "none" => Value::Null,
                    "bool" => Value::Bool(*v == "1"),
                    "dec" => Value::Numeric(v.to_string()),
                    _ => unreachable!(),
                };
                (n.to_string(), value)
            })
            .collect();
        let mut got = Vec::new();
        for dialect in [Dialect::Postgresql, Dialect::Mysql] {
            let result = if *named {
                let map: IndexMap<String, Value> = values.iter().cloned().collect();
                interpolate_pyformat(dialect, sql, &Params::Named(&map))
            } else {
                let list: Vec<Value> = values.iter().map(|(_, v)| v.clone()).collect();
                interpolate_pyformat(dialect, sql, &Params::Positional(&list))
            };
            got.push(match result {
                Ok(s) => format!("[\"ok\", {}]", json_str(&s)),
                Err(e) => format!("[\"err\", {}]", json_str(e.python_parts().2.unwrap_or("?"))),
            });
        }
        assert_eq!(format!("[{}]", got.join(", ")), want, "{sql}");
    }
}

/// JSON string literal as Python's `json.dumps` writes it (ASCII-escaped).
fn json_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The DB-API layer keeps a `Connection` in a `#[pyclass]` and releases the
/// GIL around calls, so it must move between threads.
#[test]
fn connection_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Connection>();
}
