//! Rust-owned database connections (DESIGN §2, "The host is the driver").
//!
//! alembic-rs is the database driver of the user's SQLAlchemy: one physical
//! connection per database, owned here and driven through sqlx, wrapped by
//! the PEP 249 module in `src/python/`. Everything is synchronous at this
//! seam: each [`Connection`] owns a current-thread tokio runtime and blocks
//! on it, so the Python layer only has to release the GIL around a call
//! (`py.detach`) and never sees a future. A private runtime per connection
//! keeps calls on the caller's thread (no hand-off to a pool), needs no
//! global state, and dies with the connection.
//!
//! The connection stays as close to what psycopg2, pysqlite and pymysql do
//! as sqlx allows:
//!
//! * statements go out as text (`sqlx::raw_sql`: PostgreSQL's simple query
//!   protocol, MySQL's `COM_QUERY`): no prepared statements, no statement
//!   cache, several statements per call allowed; parameters are interpolated
//!   client-side by the caller ([`literal`]), as psycopg2 and pymysql do;
//! * SQLite binds parameters to `?` placeholders (pysqlite's qmark style);
//! * nothing opens transactions behind the caller's back: the caller sends
//!   `BEGIN`/`COMMIT`/`ROLLBACK` like any other statement;
//! * session settings sqlx would impose are undone (see `postgres` and
//!   `mysql`), so SQL behaves as it does under the standard drivers.

mod error;
pub mod literal;
mod mysql;
mod postgres;
mod split;
pub use split::{CopyStdio, copy_stdio};
mod sqlite;
mod sqlite_ffi;
pub mod sqlite_udf;
#[cfg(test)]
mod tests;
mod url;
mod value;

pub use error::{DbError, PyException, ServerError};
pub use literal::{Params, interpolate_pyformat, render_literal};
pub use url::{Url, UrlError};
pub use value::{ColumnInfo, FetchError, QueryResult, Value};

/// `sqlite3.sqlite_version`: the SQLite library alembic-rs links (sqlx's
/// bundled build), without opening a database file.
pub fn sqlite_library_version() -> String {
    sqlite::library_version()
}

/// The SQL dialects alembic-rs connects to. `mysql://` and `mariadb://`
/// URLs are both [`Dialect::Mysql`]; [`Connection::is_mariadb`] tells the
/// server flavour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    Postgresql,
    Sqlite,
    Mysql,
}

impl Dialect {
    /// SQLAlchemy's dialect name.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Postgresql => "postgresql",
            Dialect::Sqlite => "sqlite",
            Dialect::Mysql => "mysql",
        }
    }
}

enum Backend {
    Postgres(postgres::PgBackend),
    Sqlite(sqlite::SqliteBackend),
    Mysql(mysql::MySqlBackend),
}

/// How often [`Connection::execute_dbapi_interruptible`] asks whether to
/// stop waiting: about as soon as Ctrl-C ends a pymysql read.
const INTERRUPT_POLL: std::time::Duration = std::time::Duration::from_millis(50);

/// `work`'s output, or `None` once `interrupted()` (asked every
/// [`INTERRUPT_POLL`] while `work` is pending) says to stop; `work` is then
/// dropped unfinished.
async fn until_interrupted<F: std::future::Future>(
    work: F,
    interrupted: &mut dyn FnMut() -> bool,
) -> Option<F::Output> {
    use std::task::Poll;

    let mut work = std::pin::pin!(work);
    loop {
        let mut tick = std::pin::pin!(tokio::time::sleep(INTERRUPT_POLL));
        let done = std::future::poll_fn(|cx| {
            if let Poll::Ready(out) = work.as_mut().poll(cx) {
                return Poll::Ready(Some(out));
            }
            tick.as_mut().poll(cx).map(|()| None)
        })
        .await;
        match done {
            Some(out) => return Some(out),
            None if interrupted() => return None,
            None => {}
        }
    }
}

/// A synchronous database connection.
pub struct Connection {
    /// `None` only while dropping, so the sqlx connection can be dropped
    /// inside the runtime it was created on.
    backend: Option<Backend>,
    runtime: tokio::runtime::Runtime,
    dialect: Dialect,
    /// The server ended the session (or the socket broke): every later
    /// call fails as the standard driver's do on a closed connection.
    lost: bool,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("dialect", &self.dialect)
            .field("server_version", &self.server_version())
            .finish()
    }
}

impl Connection {
    /// Connects as the standard driver would for this URL (see each
    /// backend's module for the URL parts and query parameters honoured).
    pub fn open(url: &Url) -> Result<Connection, DbError> {
        let dialect = url.dialect()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let backend = runtime.block_on(async {
            Ok::<_, DbError>(match dialect {
                Dialect::Postgresql => Backend::Postgres(postgres::PgBackend::connect(url).await?),
                Dialect::Sqlite => Backend::Sqlite(sqlite::SqliteBackend::connect(url).await?),
                Dialect::Mysql => Backend::Mysql(mysql::MySqlBackend::connect(url).await?),
            })
        })?;
        Ok(Connection {
            backend: Some(backend),
            runtime,
            dialect,
            lost: false,
        })
    }

    /// Runs `sql` and returns the last statement's result.
    ///
    /// `params` must be empty for PostgreSQL and MySQL (interpolate with
    /// [`interpolate_pyformat`] first); for SQLite they are bound to the `?`
    /// placeholders of a single statement, as pysqlite does.
    pub fn execute(&mut self, sql: &str, params: &[Value]) -> Result<QueryResult, DbError> {
        self.execute_params(sql, Params::Positional(params))
    }

    /// [`Connection::execute`] with SQLite's named parameters too
    /// (`:name`, `@name`, `$name` bound from a mapping, as pysqlite binds a
    /// dict: SQLAlchemy's `paramstyle="named"`).
    pub fn execute_params(
        &mut self,
        sql: &str,
        params: Params<'_>,
    ) -> Result<QueryResult, DbError> {
        match self.run(sql, params, false, None)? {
            (_, Some(late)) => Err(late),
            (result, None) => Ok(result),
        }
    }

    /// [`Connection::execute_params`] for the DB-API driver: an SQLite error
    /// met after the statement produced rows is returned in
    /// [`QueryResult::fetch_error`] with those rows, for the driver to raise
    /// from a fetch as pysqlite does.
    pub fn execute_dbapi(&mut self, sql: &str, params: Params<'_>) -> Result<QueryResult, DbError> {
        let (mut result, late) = self.run(sql, params, true, None)?;
        result.fetch_error = late.as_ref().map(FetchError::from);
        Ok(result)
    }

    /// [`Connection::execute_dbapi`] that stops waiting for a MySQL server
    /// once `interrupted()` (asked every [`INTERRUPT_POLL`] while the
    /// server works) says so: pymysql waits in a Python socket read, so
    /// Ctrl-C raises there at once, leaving the session mid-reply, which
    /// SQLAlchemy then invalidates. The connection is lost from then on
    /// ([`DbError::Interrupted`]; closing it drops the socket and the
    /// server rolls the transaction back). psycopg2 and pysqlite wait for
    /// the statement to end, so PostgreSQL and SQLite do too.
    pub fn execute_dbapi_interruptible(
        &mut self,
        sql: &str,
        params: Params<'_>,
        interrupted: &mut dyn FnMut() -> bool,
    ) -> Result<QueryResult, DbError> {
        let (mut result, late) = self.run(sql, params, true, Some(interrupted))?;
        result.fetch_error = late.as_ref().map(FetchError::from);
        Ok(result)
    }

    /// PostgreSQL `COPY ... FROM STDIN` fed with `data` (psycopg2's
    /// `copy_expert`): the rows copied.
    pub fn copy_in(&mut self, sql: &str, data: &[u8]) -> Result<u64, DbError> {
        let (b, runtime) = self.postgres()?;
        let tls = b.tls;
        let result = runtime.block_on(b.copy_in(sql, data));
        self.note_lost(result, tls)
    }

    /// PostgreSQL `COPY ... TO STDOUT` (psycopg2's `copy_expert`): the
    /// data messages.
    pub fn copy_out(&mut self, sql: &str) -> Result<Vec<Vec<u8>>, DbError> {
        let (b, runtime) = self.postgres()?;
        let tls = b.tls;
        let result = runtime.block_on(b.copy_out(sql));
        self.note_lost(result, tls)
    }

    /// The PostgreSQL backend of a live session.
    fn postgres(
        &mut self,
    ) -> Result<(&mut postgres::PgBackend, &tokio::runtime::Runtime), DbError> {
        if self.lost {
            return Err(DbError::ConnectionClosed {
                dialect: self.dialect,
            });
        }
        match self.backend.as_mut() {
            Some(Backend::Postgres(b)) => Ok((b, &self.runtime)),
            _ => Err(DbError::Usage(
                "COPY over the connection is PostgreSQL's".into(),
            )),
        }
    }

    /// [`Connection::run`]'s handling of a session the server ended.
    fn note_lost<T>(&mut self, result: Result<T, DbError>, tls: bool) -> Result<T, DbError> {
        match result {
            Err(e) if e.loses_connection() => {
                self.lost = true;
                Err(DbError::ConnectionLost {
                    dialect: self.dialect,
                    tls,
                })
            }
            other => other,
        }
    }

    /// The statement's result, and the SQLite error met after it produced
    /// rows (see `SqliteBackend::execute`). `dbapi`: the call comes from
    /// the DB-API driver, which holds SQLite to pysqlite's one statement
    /// per `execute()`.
    fn run(
        &mut self,
        sql: &str,
        params: Params<'_>,
        dbapi: bool,
        interrupted: Option<&mut dyn FnMut() -> bool>,
    ) -> Result<(QueryResult, Option<DbError>), DbError> {
        if self.lost {
            return Err(DbError::ConnectionClosed {
                dialect: self.dialect,
            });
        }
        let outcome = self.run_on_backend(sql, params, dbapi, interrupted);
        match outcome {
            Err(DbError::Interrupted) => {
                self.lost = true;
                Err(DbError::Interrupted)
            }
            // SQLite has no session to lose: an I/O error there is the file's
            Err(e) if self.dialect != Dialect::Sqlite => {
                let tls = matches!(&self.backend, Some(Backend::Postgres(b)) if b.tls);
                self.note_lost(Err(e), tls)
            }
            other => other,
        }
    }

    fn run_on_backend(
        &mut self,
        sql: &str,
        params: Params<'_>,
        dbapi: bool,
        interrupted: Option<&mut dyn FnMut() -> bool>,
    ) -> Result<(QueryResult, Option<DbError>), DbError> {
        let backend = self.backend.as_mut().expect("backend present until drop");
        self.runtime.block_on(async {
            match backend {
                Backend::Postgres(b) => {
                    refuse_params(Dialect::Postgresql, params)?;
                    // libpq takes the query as a C string: psycopg2 sends the
                    // text up to its first NUL
                    let sql = sql.split('\0').next().unwrap_or_default();
                    // libpq's empty-query result, which psycopg2 refuses
                    // (whitespace, comments and `;` only)
                    if dbapi && split::statements(sql, Dialect::Postgresql).is_empty() {
                        return Err(DbError::Usage("can't execute an empty query".into()));
                    }
                    Ok((b.execute(sql).await?, None))
                }
                Backend::Mysql(b) => {
                    refuse_params(Dialect::Mysql, params)?;
                    let result = match interrupted {
                        Some(check) => until_interrupted(b.execute(sql), check)
                            .await
                            .ok_or(DbError::Interrupted)??,
                        None => b.execute(sql).await?,
                    };
                    Ok((result, None))
                }
                Backend::Sqlite(b) => b.execute(sql, params, dbapi).await,
            }
        })
    }

    /// Closes the connection politely (PostgreSQL `Terminate`, MySQL
    /// `COM_QUIT`). An open transaction is rolled back by the server, as
    /// when a DB-API connection is closed without commit.
    pub fn close(mut self) -> Result<(), DbError> {
        let backend = self.backend.take().expect("backend present until drop");
        if self.lost {
            // nothing to say goodbye to; the socket is dropped
            let _guard = self.runtime.enter();
            drop(backend);
            return Ok(());
        }
        self.runtime.block_on(async {
            match backend {
                Backend::Postgres(b) => b.close().await,
                Backend::Mysql(b) => b.close().await,
                Backend::Sqlite(b) => b.close().await,
            }
        })
    }

    /// Whether the server ended the session (psycopg2's `closed == 2`,
    /// pymysql's `open` turning false).
    pub fn is_lost(&self) -> bool {
        self.lost
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The server's version text: PostgreSQL `server_version` (`15.20
    /// (Debian 15.20-0+deb12u1)`), MySQL/MariaDB `VERSION()`
    /// (`10.11.19-MariaDB-0+deb12u1`), SQLite `sqlite_version()`.
    pub fn server_version(&self) -> &str {
        match self.backend.as_ref() {
            Some(Backend::Postgres(b)) => &b.server_version,
            Some(Backend::Mysql(b)) => &b.server_version,
            Some(Backend::Sqlite(b)) => &b.server_version,
            None => "",
        }
    }

    /// PostgreSQL's `server_version_num` (psycopg2's
    /// `connection.server_version`, e.g. `150020`); `None` elsewhere.
    pub fn server_version_num(&self) -> Option<u32> {
        match self.backend.as_ref() {
            Some(Backend::Postgres(b)) => b.server_version_num,
            _ => None,
        }
    }

    /// SQLite: whether a transaction is open (see
    /// `SqliteBackend::in_transaction`); `None` for the other backends.
    pub fn sqlite_in_transaction(&self) -> Option<bool> {
        match self.backend.as_ref() {
            Some(Backend::Sqlite(b)) => Some(b.in_transaction()),
            _ => None,
        }
    }

    /// SQLite: registers or removes a user-defined function, aggregate or
    /// collation on this connection (pysqlite's `create_function`,
    /// `create_aggregate`, `create_collation`). Other backends refuse.
    pub fn sqlite_register(
        &mut self,
        registration: sqlite_udf::Registration,
    ) -> Result<(), DbError> {
        self.sqlite("user-defined functions")?
            .register(registration)
    }

    /// SQLite: pysqlite's `enable_load_extension`. Other backends refuse.
    pub fn sqlite_enable_load_extension(&mut self, on: bool) -> Result<(), DbError> {
        self.sqlite("extensions")?.enable_load_extension(on)
    }

    /// SQLite: pysqlite's `load_extension`. Other backends refuse.
    pub fn sqlite_load_extension(&mut self, path: &str) -> Result<(), DbError> {
        self.sqlite("extensions")?.load_extension(path)
    }

    /// SQLite: pysqlite's `total_changes`. Other backends refuse.
    pub fn sqlite_total_changes(&mut self) -> Result<i64, DbError> {
        Ok(self.sqlite("change counts")?.total_changes())
    }

    /// The SQLite backend, for what exists only there (`what`, in the
    /// refusal on other backends).
    fn sqlite(&mut self, what: &str) -> Result<&mut sqlite::SqliteBackend, DbError> {
        match self.backend.as_mut() {
            Some(Backend::Sqlite(b)) => Ok(b),
            _ => Err(DbError::Usage(format!(
                "{what} exist only on SQLite connections"
            ))),
        }
    }

    /// Whether a MySQL-protocol server is MariaDB (its version says so).
    pub fn is_mariadb(&self) -> bool {
        matches!(self.backend.as_ref(), Some(Backend::Mysql(b)) if b.server_version.contains("MariaDB"))
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        // Drop the sqlx connection inside its runtime: its socket is
        // registered with this runtime's reactor.
        let _guard = self.runtime.enter();
        self.backend.take();
    }
}

fn refuse_params(dialect: Dialect, params: Params<'_>) -> Result<(), DbError> {
    let empty = match params {
        Params::Positional(p) => p.is_empty(),
        Params::Named(p) => p.is_empty(),
    };
    if empty {
        Ok(())
    } else {
        Err(DbError::Usage(format!(
            "{} statements take no bound parameters: interpolate them with \
             db::interpolate_pyformat first",
            dialect.name()
        )))
    }
}

/// Drains a sqlx `fetch_many` stream into the last statement's rows and
/// result. The stream is a `BoxStream` (a boxed `dyn Stream`), whose
/// `poll_next` can be called without naming the `Stream` trait.
macro_rules! drain_last_statement {
    ($stream:expr) => {{
        let mut stream = $stream;
        let mut current = Vec::new();
        let mut last = None;
        loop {
            let item = std::future::poll_fn(|cx| stream.as_mut().poll_next(cx)).await;
            match item {
                None => break Ok(()),
                Some(Err(e)) => break Err(e),
                Some(Ok(sqlx::Either::Right(row))) => current.push(row),
                Some(Ok(sqlx::Either::Left(done))) => {
                    last = Some((std::mem::take(&mut current), Some(done)));
                }
            }
        }
        .map(|()| {
            if !current.is_empty() {
                last = Some((current, None));
            }
            last
        })
    }};
}
pub(crate) use drain_last_statement;

/// The login name of the current OS user: libpq's and pymysql's default
/// user name.
pub(crate) fn os_username() -> String {
    for var in ["USER", "LOGNAME"] {
        if let Ok(name) = std::env::var(var)
            && !name.is_empty()
        {
            return name;
        }
    }
    // SAFETY: getpwuid returns a pointer to static storage or null; the
    // name is copied out before any other call could overwrite it.
    unsafe {
        let pw = libc::getpwuid(libc::geteuid());
        if !pw.is_null() && !(*pw).pw_name.is_null() {
            return std::ffi::CStr::from_ptr((*pw).pw_name)
                .to_string_lossy()
                .into_owned();
        }
    }
    "root".to_string()
}
