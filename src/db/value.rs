//! Values crossing the driver boundary, and what a statement returns.
//!
//! The DB-API layer in `src/python/` turns these into Python objects (and
//! back), choosing what the standard driver of each dialect would hand out
//! (psycopg2, pysqlite, pymysql). Temporal, decimal and other
//! textual-by-nature values therefore travel as the server's own text, so no
//! precision or formatting is lost on the way and the Python side can build
//! exactly the object the real driver would.

/// A parameter or result value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    /// A result's integer above `i64::MAX` (MySQL `BIGINT UNSIGNED`);
    /// pymysql returns a Python `int` like any other. Parameters never use
    /// it (a Python int beyond `i64` binds as [`Value::Numeric`]).
    UInt(u64),
    Float(f64),
    /// Exact decimal text (`"-1.50"`, `"NaN"`); a Python `Decimal`.
    Numeric(String),
    Text(String),
    Bytes(Vec<u8>),
    /// ISO date text as the server prints it (`2024-01-02`).
    Date(String),
    /// Time of day; PostgreSQL `timetz` values carry their offset
    /// (`03:04:05+02`).
    Time(String),
    /// Naive timestamp (`2024-01-02 03:04:05.123456`).
    DateTime(String),
    /// Timestamp with an offset (`2024-01-02 03:04:05+00`).
    DateTimeTz(String),
    Uuid(String),
    /// JSON document text. psycopg2 hands out parsed objects for
    /// `json`/`jsonb`; pymysql hands out the text of MySQL `JSON` columns.
    Json(String),
    /// PostgreSQL `interval` text in the session's `IntervalStyle`
    /// (`1 day 02:03:04`); MySQL `TIME` values (`-838:59:59`), which pymysql
    /// returns as `datetime.timedelta`.
    Interval(String),
    /// A PostgreSQL list parameter (psycopg2 adapts a Python list to
    /// `ARRAY[...]`). Results never use it: arrays come back as
    /// [`Value::Other`] with their text and a `_`-prefixed type name.
    Array(Vec<Value>),
    /// A Python tuple parameter: psycopg2 adapts it to `(a, b)` (the
    /// right-hand side of `IN :names`, as ironic's utf8mb4 migration binds
    /// it), pymysql to the same parenthesised sequence as a list; sqlite3
    /// refuses it.
    Tuple(Vec<Value>),
    /// SQL written into a PostgreSQL statement as is: what a psycopg2
    /// adapter's `getquoted()` returns (`AsIs`, a user's `ISQLQuote`
    /// adapter). Parameters only.
    Sql(String),
    /// Anything else, as the server's text: arrays, ranges, network types,
    /// enums and other user-defined types.
    Other {
        type_name: String,
        text: String,
    },
}

/// One result column, for DB-API `cursor.description`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnInfo {
    pub name: String,
    /// PostgreSQL: the `pg_type.typname` (`int4`, `_text`, `mood`).
    /// MySQL: the SQL type name (`VARCHAR`, `BIGINT UNSIGNED`, `BLOB`).
    /// SQLite: the declared type's class as sqlx sees it (`TEXT`, `INTEGER`,
    /// `NULL` for expressions); pysqlite reports no type at all.
    pub type_name: String,
    /// What the standard driver puts in `description[i][1]`: the type OID
    /// for psycopg2, the `FIELD_TYPE` number for pymysql, `None` for
    /// pysqlite.
    pub type_code: Option<u32>,
}

/// What one [`super::Connection::execute`] call produced. For a string
/// holding several statements this is the last statement's result, as
/// psycopg2 reports it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueryResult {
    /// Empty when the statement returns no rows (DDL, plain DML), so DB-API
    /// `cursor.description` is `None`; filled for a `SELECT` (or `RETURNING`,
    /// `SHOW`, `PRAGMA`, ...) even when it produced zero rows.
    pub columns: Vec<ColumnInfo>,
    pub rows: Vec<Vec<Value>>,
    /// The server's count for the last statement: rows changed by DML, rows
    /// returned by a `SELECT` (PostgreSQL, MySQL), `0` for DDL.
    pub rows_affected: u64,
    /// MySQL: the OK packet's `insert_id` (pymysql `lastrowid`).
    /// SQLite: `sqlite3_last_insert_rowid()` after the statement (pysqlite
    /// `lastrowid`). PostgreSQL: `None`.
    pub last_insert_id: Option<i64>,
    /// SQLite: the error the statement hit after producing `rows`.
    /// pysqlite steps only a statement's first row in `execute()` and each
    /// next one as the previous is fetched, so such an error comes out of
    /// a fetch, in place of the last row produced.
    pub fetch_error: Option<FetchError>,
}

/// A deferred driver error, as the Python layer raises it (see
/// [`super::DbError::python_parts`]).
#[derive(Debug, Clone, PartialEq)]
pub struct FetchError {
    pub message: String,
    pub code: Option<String>,
    pub kind: Option<&'static str>,
}

impl From<&super::DbError> for FetchError {
    fn from(err: &super::DbError) -> FetchError {
        let (message, code, kind) = err.python_parts();
        FetchError {
            message,
            code,
            kind,
        }
    }
}

impl QueryResult {
    /// Whether the statement returns rows at all (DB-API `description` is
    /// not `None`).
    pub fn returns_rows(&self) -> bool {
        !self.columns.is_empty()
    }
}
