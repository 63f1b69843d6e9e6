//! SQLite (the bundled library): storage classes, transactions, user-defined functions.

use super::*;

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
