//! PostgreSQL through sqlx: values, transactions, errors and session settings as psycopg2 gives them.

use super::*;

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
