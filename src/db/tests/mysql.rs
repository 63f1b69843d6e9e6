//! MySQL/MariaDB through sqlx: values, DDL commits, the drivers' multi-statement rules.

use super::*;

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
    // ... unless their client_flag has CLIENT_MULTI_STATEMENTS (1 << 16), as
    // ichnaea's connect_args give pymysql (SQLAlchemy adds FOUND_ROWS, 2).
    let sep = if db.url.contains('?') { '&' } else { '?' };
    for (i, flag) in [(7, "65538"), (8, "2")] {
        let mut c = open(&format!("{}{sep}client_flag={flag}", db.url));
        let r = c.execute(&text.replace(" t ", &format!(" t{i} ")), &[]);
        if flag == "2" {
            assert_eq!(db_error(r).server().unwrap().errno, Some(1064));
        } else {
            r.expect("several statements with CLIENT_MULTI_STATEMENTS");
            let r = run(&mut c, &format!("SELECT v FROM t{i} ORDER BY v"));
            assert_eq!(ints(&r), [1, 2]);
        }
    }
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
