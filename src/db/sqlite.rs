//! SQLite through sqlx, behaving like pysqlite (`sqlite3.connect`).
//!
//! sqlx opens and closes the database; statements run on the calling
//! thread through SQLite's C API (`sqlite_ffi`), with the handle locked away
//! from sqlx's worker thread (see [`SqliteBackend`]).
//!
//! * The file comes from the URL as SQLAlchemy's pysqlite dialect computes
//!   it: `sqlite://` and `sqlite:///:memory:` are a private in-memory
//!   database; any other path is made absolute against the current
//!   directory; the file is created when missing. `?uri=true` passes the
//!   database as an SQLite URI with the remaining query parameters
//!   (`sqlite:///file:x.db?mode=ro&uri=true`). `?timeout=` is the busy
//!   timeout in seconds (default 5, as pysqlite).
//! * sqlx turns `PRAGMA foreign_keys` on by default; here it is off, as in
//!   pysqlite (Alembic's batch mode relies on that).
//! * Parameters bind positionally to `?` placeholders. A call from the
//!   DB-API driver, or any call with parameters, must hold a single
//!   statement: after it only whitespace and comments (pysqlite's "You can
//!   only execute one statement at a time.", raised before anything runs;
//!   `SELECT 1;;` counts as two). alembic-rs's own calls without
//!   parameters may send several statements at once. A DB-API call whose
//!   text holds a NUL fails first, with pysqlite's "the query contains a
//!   null character" (a ProgrammingError).
//! * Values are decoded by their storage class (INTEGER, REAL, TEXT, BLOB,
//!   NULL), as pysqlite does without `detect_types`.

use std::ffi::{CStr, c_char, c_int};
use std::path::{Component, Path, PathBuf};
use std::ptr::NonNull;
use std::time::Duration;

use indexmap::IndexMap;
use sqlx::Connection as _;
use sqlx::sqlite::{LockedSqliteHandle, SqliteConnectOptions, SqliteConnection};

use super::error::{DbError, ServerError};
use super::sqlite_ffi as ffi;
use super::sqlite_udf::{self as udf, Registration};
use super::value::{ColumnInfo, QueryResult, Value};
use super::{Dialect, Params, Url, split};

/// `sqlite3.sqlite_version`: the version of the SQLite library linked in
/// (sqlx's bundled build).
pub(super) fn library_version() -> String {
    // SAFETY: sqlite3_libversion returns a static NUL-terminated string.
    unsafe { CStr::from_ptr(ffi::sqlite3_libversion()) }
        .to_string_lossy()
        .into_owned()
}

/// An open database. sqlx opens (and closes) it, so the open flags, busy
/// timeout and PRAGMAs are sqlx's; in between, statements run on the
/// caller's thread through the C API rather than on sqlx-sqlite's worker
/// thread: each hand-off to that thread cost a context switch or two per
/// statement, which dominated runs made of many small statements (batch
/// mode's reflection) and grew with the machine's load.
pub(super) struct SqliteBackend {
    /// sqlx's connection, boxed so `locked` can borrow it for as long as
    /// the backend lives; `None` once released.
    conn: Option<NonNull<SqliteConnection>>,
    /// The handle, locked away from sqlx's worker thread (which waits,
    /// parked, until it is dropped).
    locked: Option<LockedSqliteHandle<'static>>,
    db: *mut ffi::Sqlite3,
    pub(super) server_version: String,
}

// SAFETY: the handle is opened without SQLite's own mutex (sqlx's default,
// SQLITE_OPEN_NOMUTEX), which allows use from any thread as long as one
// thread at a time uses it; every use goes through `&mut self` (a shared
// reference only reads `server_version`).
unsafe impl Send for SqliteBackend {}
unsafe impl Sync for SqliteBackend {}

/// pysqlite's own connect keywords, which never reach the SQLite URI.
const PYSQLITE_ARGS: [&str; 6] = [
    "uri",
    "timeout",
    "isolation_level",
    "detect_types",
    "check_same_thread",
    "cached_statements",
];

/// What one statement of a script left: columns, rows, `sqlite3_changes`,
/// `sqlite3_last_insert_rowid`.
type StatementResult = (Vec<ColumnInfo>, Vec<Vec<Value>>, u64, i64);

impl SqliteBackend {
    pub(super) async fn connect(url: &Url) -> Result<SqliteBackend, DbError> {
        let filename = filename_for(url)?;
        let timeout = url
            .query_value("timeout")
            .and_then(|t| t.trim().parse::<f64>().ok())
            .filter(|t| t.is_finite() && *t >= 0.0)
            .map_or(Duration::from_secs(5), Duration::from_secs_f64);
        let opts = SqliteConnectOptions::new()
            .filename(&filename)
            .create_if_missing(true)
            .foreign_keys(false)
            .busy_timeout(timeout)
            .statement_cache_capacity(0);
        let conn =
            SqliteConnection::connect_with(&opts)
                .await
                .map_err(|e| match sqlite_error(e) {
                    DbError::Database {
                        message,
                        code,
                        server,
                        ..
                    } => DbError::Connect {
                        message,
                        code,
                        server: Some(server),
                    },
                    other => other,
                })?;
        let conn = NonNull::from(Box::leak(Box::new(conn)));
        let mut backend = SqliteBackend {
            conn: Some(conn),
            locked: None,
            db: std::ptr::null_mut(),
            server_version: String::new(),
        };
        // SAFETY: the box stays allocated until `release`, which drops the
        // lock first; nothing else touches the connection meanwhile.
        let sqlx_conn: &'static mut SqliteConnection = unsafe { &mut *conn.as_ptr() };
        let mut locked = sqlx_conn
            .lock_handle()
            .await
            .map_err(super::postgres::driver_error)?;
        backend.db = locked.as_raw_handle().cast::<ffi::Sqlite3>().as_ptr();
        backend.locked = Some(locked);
        // The library's own version, not `select sqlite_version()`: compiling
        // any statement reads the schema, which waits for (and fails on) a
        // lock another process holds, where `sqlite3.connect` touches nothing.
        backend.server_version = library_version();
        Ok(backend)
    }

    /// Gives the handle back to sqlx and returns its connection.
    fn release(&mut self) -> Option<SqliteConnection> {
        self.locked.take();
        self.db = std::ptr::null_mut();
        // SAFETY: `conn` came from `Box::leak` and nothing borrows it any
        // more (the lock is gone).
        self.conn
            .take()
            .map(|conn| *unsafe { Box::from_raw(conn.as_ptr()) })
    }

    pub(super) async fn close(mut self) -> Result<(), DbError> {
        match self.release() {
            Some(conn) => conn.close().await.map_err(super::postgres::driver_error),
            None => Ok(()),
        }
    }

    /// Whether a transaction is open, as SQLite itself says
    /// (`sqlite3_get_autocommit`, pysqlite's `in_transaction`): besides
    /// `BEGIN`, a `SAVEPOINT` outside a transaction opens one, and a
    /// `ROLLBACK TO` leaves it open, so no statement text tells it reliably.
    pub(super) fn in_transaction(&self) -> bool {
        // SAFETY: `db` is the open, locked handle while not null.
        !self.db.is_null() && unsafe { ffi::sqlite3_get_autocommit(self.db) } == 0
    }

    /// The open, locked handle (registration runs on the caller's thread,
    /// like statements).
    fn handle(&self) -> *mut ffi::Sqlite3 {
        assert!(!self.db.is_null(), "SQLite handle used after release");
        self.db
    }

    /// Registers or removes a user-defined function, aggregate or
    /// collation (pysqlite's `create_function` and friends).
    pub(super) fn register(&mut self, registration: Registration) -> Result<(), DbError> {
        udf::register(self.handle(), registration)
    }

    /// pysqlite's `total_changes`: rows changed since the connection opened.
    pub(super) fn total_changes(&mut self) -> i64 {
        // SAFETY: the open, locked handle.
        i64::from(unsafe { ffi::sqlite3_total_changes(self.handle()) })
    }

    /// pysqlite's `enable_load_extension`: whether `load_extension` (and
    /// SQL's `load_extension()`) may load a shared library into this
    /// connection; off until a `connect` event turns it on, as in SQLite.
    pub(super) fn enable_load_extension(&mut self, on: bool) -> Result<(), DbError> {
        // SAFETY: the open, locked handle.
        let rc = unsafe { ffi::sqlite3_enable_load_extension(self.handle(), c_int::from(on)) };
        if rc != 0 {
            return Err(database_error("Error enabling load extension".into(), None));
        }
        Ok(())
    }

    /// pysqlite's `load_extension(path)`: SpatiaLite, sqlite-vec, ICU and
    /// the like, loaded by a `connect` event before migrations that use
    /// their functions and virtual tables. An extension calls SQLite
    /// through the routine table it is handed at load, so one built
    /// against any SQLite 3 loads into the bundled library. Refused, with
    /// SQLite's "not authorized", unless enabled first.
    pub(super) fn load_extension(&mut self, path: &str) -> Result<(), DbError> {
        let file = std::ffi::CString::new(path)
            .map_err(|_| DbError::Usage("embedded null character".into()))?;
        let mut message: *mut c_char = std::ptr::null_mut();
        // SAFETY: the open, locked handle; `file` outlives the call; SQLite
        // allocates `message` (or leaves it null), freed below.
        let rc = unsafe {
            ffi::sqlite3_load_extension(
                self.handle(),
                file.as_ptr(),
                std::ptr::null(),
                &mut message,
            )
        };
        if rc == 0 {
            return Ok(());
        }
        let text = if message.is_null() {
            "unknown error".to_string()
        } else {
            // SAFETY: a NUL-terminated string from SQLite's allocator.
            let text = unsafe { CStr::from_ptr(message) }
                .to_string_lossy()
                .into_owned();
            unsafe { ffi::sqlite3_free(message.cast()) };
            text
        };
        // pysqlite raises a plain OperationalError (no sqlite_errorcode)
        Err(database_error(text, None))
    }

    /// Runs the statements of `sql` one after the other (each is compiled
    /// only once the previous one has run, so a script may use what it
    /// creates) and returns the last one's result, as sqlx's `raw_sql`
    /// did. Parameters bind to a single statement.
    ///
    /// An error met after the statement produced rows comes back beside
    /// them: pysqlite steps only a statement's first row in `execute()`, so
    /// there it is the error of a later fetch (see
    /// `Connection::execute_dbapi`).
    pub(super) async fn execute(
        &mut self,
        sql: &str,
        params: Params<'_>,
        single: bool,
    ) -> Result<(QueryResult, Option<DbError>), DbError> {
        // pysqlite refuses the text before it prepares anything (SQLite
        // would stop reading at the NUL or call it an unrecognized token)
        if single && sql.contains('\0') {
            return Err(DbError::Usage("the query contains a null character".into()));
        }
        let any = match params {
            Params::Positional(p) => !p.is_empty(),
            Params::Named(p) => !p.is_empty(),
        };
        if any && split::statements(sql, Dialect::Sqlite).len() > 1 {
            return Err(DbError::Usage(
                "You can only execute one statement at a time.".into(),
            ));
        }
        let db = self.db;
        assert!(!db.is_null(), "SQLite handle used after release");
        // The text as given, as pysqlite passes it: SQLite keeps a CREATE
        // statement's trailing whitespace in sqlite_master.
        let mut tail = sql.as_bytes();
        let mut bound = 0;
        // The last statement's (columns, rows, changes, last row id).
        let mut last: Option<StatementResult> = None;
        let mut fetch_error = None;
        while let Some(stmt) = Statement::prepare_next(db, &mut tail)? {
            if single && last.is_none() && !only_whitespace_and_comments(tail) {
                return Err(DbError::Usage(
                    "You can only execute one statement at a time.".into(),
                ));
            }
            bound += match params {
                Params::Positional(p) if single => stmt.bind_sequence(p)?,
                Params::Positional(p) => stmt.bind(p, bound)?,
                Params::Named(p) => stmt.bind_named(p)?,
            };
            let mut rows = Vec::new();
            loop {
                match stmt.step() {
                    Ok(true) => rows.push(stmt.row()?),
                    Ok(false) => break,
                    // Past the first row pysqlite would be fetching: the
                    // error is the fetch's (`QueryResult::fetch_error`).
                    Err(e) if !rows.is_empty() => {
                        fetch_error = Some(e);
                        break;
                    }
                    Err(e) => return Err(e),
                }
            }
            // SAFETY: `db` is the open, locked handle.
            let (changes, rowid) =
                unsafe { (ffi::sqlite3_changes(db), ffi::sqlite3_last_insert_rowid(db)) };
            last = Some((stmt.columns(), rows, changes.max(0) as u64, rowid));
            if fetch_error.is_some() {
                break;
            }
        }
        let Some((columns, rows, rows_affected, rowid)) = last else {
            return Ok((QueryResult::default(), None));
        };
        // A statement that produced no rows has a description only when it
        // may return rows at all (a SELECT, PRAGMA with results, RETURNING).
        let columns = if rows.is_empty()
            && !split::last_statement(sql, Dialect::Sqlite)
                .is_some_and(|s| split::may_return_rows(s, Dialect::Sqlite))
        {
            Vec::new()
        } else {
            columns
        };
        let result = QueryResult {
            columns,
            rows,
            rows_affected,
            last_insert_id: Some(rowid),
            fetch_error: None,
        };
        Ok((result, fetch_error))
    }
}

impl Drop for SqliteBackend {
    fn drop(&mut self) {
        self.release();
    }
}

/// One compiled statement, finalized when dropped.
struct Statement {
    stmt: *mut ffi::Stmt,
    db: *mut ffi::Sqlite3,
}

impl Drop for Statement {
    fn drop(&mut self) {
        // SAFETY: `stmt` came from sqlite3_prepare_v3 and is finalized once.
        unsafe { ffi::sqlite3_finalize(self.stmt) };
    }
}

/// pysqlite's `lstrip_sql` found nothing: `rest` is whitespace and `--` /
/// `/* */` comments (an unterminated `/*` runs to the end).
fn only_whitespace_and_comments(mut rest: &[u8]) -> bool {
    loop {
        match rest {
            [] => return true,
            [b' ' | b'\t' | b'\n' | b'\r' | b'\x0c', tail @ ..] => rest = tail,
            [b'-', b'-', tail @ ..] => match tail.iter().position(|&b| b == b'\n') {
                Some(end) => rest = &tail[end + 1..],
                None => return true,
            },
            [b'/', b'*', tail @ ..] => match tail.windows(2).position(|w| w == b"*/") {
                Some(end) => rest = &tail[end + 2..],
                None => return true,
            },
            _ => return false,
        }
    }
}

impl Statement {
    /// Compiles the next statement of `tail` and advances past it; `None`
    /// when only whitespace and comments are left.
    fn prepare_next(db: *mut ffi::Sqlite3, tail: &mut &[u8]) -> Result<Option<Statement>, DbError> {
        while !tail.is_empty() {
            let len = c_int::try_from(tail.len())
                .map_err(|_| DbError::Driver("query string too large for SQLite3 API".into()))?;
            let mut stmt = std::ptr::null_mut();
            let mut rest: *const c_char = std::ptr::null();
            let start = tail.as_ptr().cast::<c_char>();
            // SAFETY: `tail` is valid for `len` bytes; SQLite sets `rest`
            // inside it (or to its end).
            let status =
                unsafe { ffi::sqlite3_prepare_v3(db, start, len, 0, &mut stmt, &mut rest) };
            if status != ffi::SQLITE_OK {
                return Err(last_error(db));
            }
            let used = (rest as usize)
                .saturating_sub(start as usize)
                .min(tail.len());
            *tail = &tail[used..];
            if !stmt.is_null() {
                return Ok(Some(Statement { stmt, db }));
            }
        }
        Ok(None)
    }

    /// Binds `:name`/`@name`/`$name` parameters from a mapping, as
    /// pysqlite does with a dict (the errors are its `ProgrammingError`s).
    fn bind_named(&self, params: &IndexMap<String, Value>) -> Result<usize, DbError> {
        // SAFETY (all calls below): `stmt` is a live statement of `db`.
        let count = unsafe { ffi::sqlite3_bind_parameter_count(self.stmt) };
        for index in 1..=count {
            let name = unsafe { ffi::sqlite3_bind_parameter_name(self.stmt, index) };
            if name.is_null() {
                return Err(DbError::Usage(format!(
                    "Binding {index} has no name, but you supplied a dictionary \
                     (which has only names)."
                )));
            }
            let name = unsafe { CStr::from_ptr(name) }.to_string_lossy();
            let Some(value) = params.get(&name[1..]) else {
                return Err(DbError::Usage(format!(
                    "You did not supply a value for binding parameter {name}."
                )));
            };
            let status = self.bind_value(index, value)?;
            if status != ffi::SQLITE_OK {
                return Err(last_error(self.db));
            }
        }
        Ok(0)
    }

    /// Binds a DB-API sequence as pysqlite (Python 3.11) does: exactly one
    /// value per placeholder, the n-th value to the n-th parameter whatever
    /// its spelling (`?`, `?NNN`, `:name`); another count is its
    /// `ProgrammingError`.
    fn bind_sequence(&self, params: &[Value]) -> Result<usize, DbError> {
        // SAFETY (all calls below): `stmt` is a live statement of `db`.
        let count = unsafe { ffi::sqlite3_bind_parameter_count(self.stmt) };
        if usize::try_from(count).ok() != Some(params.len()) {
            return Err(DbError::Usage(format!(
                "Incorrect number of bindings supplied. The current statement uses {count}, \
                 and there are {} supplied.",
                params.len()
            )));
        }
        for (index, value) in (1..=count).zip(params) {
            let status = self.bind_value(index, value)?;
            if status != ffi::SQLITE_OK {
                return Err(last_error(self.db));
            }
        }
        Ok(params.len())
    }

    /// Binds `params[offset..]` to this statement's placeholders as sqlx
    /// did: `?` takes the next value, `?NNN`/`$NNN` the numbered one, a
    /// placeholder past the values stays NULL. Returns how many `?` it used.
    fn bind(&self, params: &[Value], offset: usize) -> Result<usize, DbError> {
        if params.is_empty() {
            return Ok(0);
        }
        let mut next = offset;
        // SAFETY (all calls below): `stmt` is a live statement of `db`.
        let count = unsafe { ffi::sqlite3_bind_parameter_count(self.stmt) };
        for index in 1..=count {
            let name = unsafe { ffi::sqlite3_bind_parameter_name(self.stmt, index) };
            let n = if name.is_null() {
                next += 1;
                next
            } else {
                let name = unsafe { CStr::from_ptr(name) }.to_string_lossy();
                let number = name
                    .strip_prefix('?')
                    .or_else(|| name.strip_prefix('$'))
                    .and_then(|digits| digits.parse::<usize>().ok());
                match number {
                    Some(number) => number,
                    None if name.starts_with('?') || name.starts_with('$') => {
                        return Err(DbError::Driver(format!(
                            "encountered unexpected or invalid data: parameters with \
                             non-integer names are not currently supported: {}",
                            &name[1..]
                        )));
                    }
                    None => {
                        return Err(DbError::Driver(format!(
                            "encountered unexpected or invalid data: unsupported SQL \
                             parameter format: {name}"
                        )));
                    }
                }
            };
            let Some(value) = n.checked_sub(1).and_then(|i| params.get(i)) else {
                break;
            };
            let status = self.bind_value(index, value)?;
            if status != ffi::SQLITE_OK {
                return Err(last_error(self.db));
            }
        }
        Ok(next - offset)
    }

    /// pysqlite's adaptation: bool as int, everything textual as text.
    fn bind_value(&self, index: c_int, value: &Value) -> Result<c_int, DbError> {
        let too_big = || DbError::Driver("value too large to bind".into());
        // SAFETY: `stmt` is live; text and blobs are copied by SQLite
        // (SQLITE_TRANSIENT) before the call returns.
        Ok(unsafe {
            match value {
                Value::Null => ffi::sqlite3_bind_null(self.stmt, index),
                Value::Bool(b) => ffi::sqlite3_bind_int64(self.stmt, index, i64::from(*b)),
                Value::Int(i) => ffi::sqlite3_bind_int64(self.stmt, index, *i),
                // results only (MySQL); bound the way SQLite keeps such a number
                Value::UInt(i) => ffi::sqlite3_bind_double(self.stmt, index, *i as f64),
                Value::Float(f) => ffi::sqlite3_bind_double(self.stmt, index, *f),
                Value::Bytes(b) => ffi::sqlite3_bind_blob(
                    self.stmt,
                    index,
                    b.as_ptr().cast(),
                    c_int::try_from(b.len()).map_err(|_| too_big())?,
                    ffi::SQLITE_TRANSIENT,
                ),
                // sqlite3's ProgrammingError, numbered as it numbers them.
                Value::Array(_) | Value::Tuple(_) => {
                    let kind = if matches!(value, Value::Array(_)) {
                        "list"
                    } else {
                        "tuple"
                    };
                    return Err(DbError::Usage(format!(
                        "Error binding parameter {index}: type '{kind}' is not supported"
                    )));
                }
                Value::Numeric(s)
                | Value::Text(s)
                | Value::Date(s)
                | Value::Time(s)
                | Value::DateTime(s)
                | Value::DateTimeTz(s)
                | Value::Uuid(s)
                | Value::Json(s)
                | Value::Sql(s)
                | Value::Interval(s)
                | Value::Other { text: s, .. } => ffi::sqlite3_bind_text(
                    self.stmt,
                    index,
                    s.as_ptr().cast(),
                    c_int::try_from(s.len()).map_err(|_| too_big())?,
                    ffi::SQLITE_TRANSIENT,
                ),
            }
        })
    }

    /// Runs to the next row: `true` with a row, `false` when done.
    fn step(&self) -> Result<bool, DbError> {
        // SAFETY: `stmt` is live.
        match unsafe { ffi::sqlite3_step(self.stmt) } {
            ffi::SQLITE_ROW => Ok(true),
            ffi::SQLITE_DONE => Ok(false),
            _ => Err(last_error(self.db)),
        }
    }

    /// The result columns: name, and the declared type's class as sqlx
    /// named it (`NULL` for an expression).
    fn columns(&self) -> Vec<ColumnInfo> {
        // SAFETY: `stmt` is live; the returned strings are NUL-terminated
        // and read before the next call on the statement.
        let count = unsafe { ffi::sqlite3_column_count(self.stmt) };
        (0..count)
            .map(|i| {
                let name = unsafe { ffi::sqlite3_column_name(self.stmt, i) };
                let decl = unsafe { ffi::sqlite3_column_decltype(self.stmt, i) };
                ColumnInfo {
                    name: if name.is_null() {
                        String::new()
                    } else {
                        unsafe { CStr::from_ptr(name) }
                            .to_string_lossy()
                            .into_owned()
                    },
                    type_name: declared_type_class(if decl.is_null() {
                        None
                    } else {
                        Some(unsafe { CStr::from_ptr(decl) }.to_string_lossy())
                    })
                    .to_string(),
                    type_code: None,
                }
            })
            .collect()
    }

    /// The current row, each value by its storage class (INTEGER, REAL,
    /// TEXT, BLOB, NULL), as pysqlite does without `detect_types`.
    fn row(&self) -> Result<Vec<Value>, DbError> {
        // SAFETY: `stmt` is live and positioned on a row; a text or blob
        // pointer is read before the next call on the statement, with the
        // length sqlite3_column_bytes gives after it.
        let count = unsafe { ffi::sqlite3_column_count(self.stmt) };
        let mut values = Vec::with_capacity(count.max(0) as usize);
        for i in 0..count {
            let value = match unsafe { ffi::sqlite3_column_type(self.stmt, i) } {
                ffi::SQLITE_NULL => Value::Null,
                ffi::SQLITE_INTEGER => {
                    Value::Int(unsafe { ffi::sqlite3_column_int64(self.stmt, i) })
                }
                ffi::SQLITE_FLOAT => {
                    Value::Float(unsafe { ffi::sqlite3_column_double(self.stmt, i) })
                }
                ffi::SQLITE_BLOB => {
                    let ptr = unsafe { ffi::sqlite3_column_blob(self.stmt, i) };
                    Value::Bytes(unsafe { self.bytes(ptr.cast(), i) }.to_vec())
                }
                _ => {
                    let ptr = unsafe { ffi::sqlite3_column_text(self.stmt, i) };
                    let bytes = unsafe { self.bytes(ptr, i) };
                    let text = std::str::from_utf8(bytes).map_err(|e| {
                        let name = unsafe { ffi::sqlite3_column_name(self.stmt, i) };
                        let column = if name.is_null() {
                            String::new()
                        } else {
                            unsafe { CStr::from_ptr(name) }
                                .to_string_lossy()
                                .into_owned()
                        };
                        DbError::Decode(format!("Could not decode column '{column}': {e}"))
                    })?;
                    Value::Text(text.to_string())
                }
            };
            values.push(value);
        }
        Ok(values)
    }

    /// The bytes of column `i`'s text or blob at `ptr`.
    ///
    /// # Safety
    /// `ptr` must be what sqlite3_column_text/blob just returned for `i`.
    unsafe fn bytes(&self, ptr: *const u8, i: c_int) -> &[u8] {
        let len = unsafe { ffi::sqlite3_column_bytes(self.stmt, i) };
        if ptr.is_null() || len <= 0 {
            &[]
        } else {
            unsafe { std::slice::from_raw_parts(ptr, len as usize) }
        }
    }
}

/// sqlx's name for a declared column type (its `DataType` parse).
fn declared_type_class(decl: Option<std::borrow::Cow<'_, str>>) -> &'static str {
    let Some(decl) = decl else { return "NULL" };
    let s = decl.to_ascii_lowercase();
    match s.as_str() {
        "int4" | "int8" => "INTEGER",
        "boolean" | "bool" => "BOOLEAN",
        "date" => "DATE",
        "time" => "TIME",
        "datetime" | "timestamp" => "DATETIME",
        _ if s.contains("int") => "INTEGER",
        _ if s.contains("char") || s.contains("clob") || s.contains("text") => "TEXT",
        _ if s.contains("blob") => "BLOB",
        _ if s.contains("real") || s.contains("floa") || s.contains("doub") => "REAL",
        _ => "NULL",
    }
}

/// pysqlite reports `sqlite3_errmsg()`; the code is the extended result code.
pub(super) fn last_error(db: *mut ffi::Sqlite3) -> DbError {
    // SAFETY: `db` is the open handle; errmsg returns a NUL-terminated
    // string owned by SQLite, copied at once.
    let (errno, message) = unsafe {
        (
            i64::from(ffi::sqlite3_extended_errcode(db)),
            CStr::from_ptr(ffi::sqlite3_errmsg(db))
                .to_string_lossy()
                .into_owned(),
        )
    };
    database_error(message, Some(errno))
}

pub(super) fn database_error(message: String, errno: Option<i64>) -> DbError {
    let server = ServerError {
        primary: message.clone(),
        errno,
        ..Default::default()
    };
    DbError::Database {
        dialect: Dialect::Sqlite,
        message,
        code: errno.map(|n| n.to_string()),
        detail: None,
        server: Box::new(server),
    }
}

/// The path (or URI) `sqlite3.connect` receives from SQLAlchemy.
fn filename_for(url: &Url) -> Result<String, DbError> {
    let database = url.database().unwrap_or_default();
    let uri = url
        .query_value("uri")
        .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "1" | "yes" | "on"));
    if uri {
        let mut extra: Vec<(&str, &str)> = url
            .query()
            .iter()
            .filter(|(k, _)| !PYSQLITE_ARGS.contains(&k.as_str()))
            .filter_map(|(k, v)| v.first().map(|v| (k.as_str(), v.as_str())))
            .collect();
        extra.sort();
        let mut filename = database.to_string();
        if !extra.is_empty() {
            let pairs: Vec<String> = extra.iter().map(|(k, v)| format!("{k}={v}")).collect();
            filename.push('?');
            filename.push_str(&pairs.join("&"));
        }
        return Ok(filename);
    }
    if database.is_empty() || database == ":memory:" {
        return Ok(":memory:".into());
    }
    let cwd = std::env::current_dir()?;
    Ok(abspath(&cwd, Path::new(database))
        .to_string_lossy()
        .into_owned())
}

/// Python's `os.path.abspath`: joined to the current directory and
/// normalised lexically (`.` and `..` removed, no symlink resolution).
fn abspath(cwd: &Path, path: &Path) -> PathBuf {
    let joined = cwd.join(path);
    let mut out = PathBuf::new();
    for part in joined.components() {
        match part {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// An error from sqlx (opening the database): its SQLite error as pysqlite
/// reports it.
fn sqlite_error(e: sqlx::Error) -> DbError {
    if let sqlx::Error::Database(db) = &e {
        let errno: Option<i64> = db.code().and_then(|c| c.parse().ok());
        return database_error(db.message().to_string(), errno);
    }
    super::postgres::driver_error(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filenames() {
        let f = |u: &str| filename_for(&Url::parse(u).unwrap()).unwrap();
        assert_eq!(f("sqlite://"), ":memory:");
        assert_eq!(f("sqlite:///:memory:"), ":memory:");
        assert_eq!(f("sqlite:////abs/x.db"), "/abs/x.db");
        assert_eq!(f("sqlite:////abs/../y/./x.db"), "/y/x.db");
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(f("sqlite:///rel.db"), cwd.join("rel.db").to_string_lossy());
        assert_eq!(
            f("sqlite:///file:x.db?uri=true&mode=ro&timeout=3"),
            "file:x.db?mode=ro"
        );
    }
}
