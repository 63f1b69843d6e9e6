//! SQLite through sqlx, behaving like pysqlite (`sqlite3.connect`).
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
//! * Parameters bind positionally to `?` placeholders; a call with
//!   parameters must hold a single statement (pysqlite's "You can only
//!   execute one statement at a time."). Without parameters several
//!   statements may be sent at once.
//! * Values are decoded by their storage class (INTEGER, REAL, TEXT, BLOB,
//!   NULL), as pysqlite does without `detect_types`.

use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use sqlx::sqlite::{SqliteArguments, SqliteConnectOptions, SqliteConnection, SqliteRow};
use sqlx::{
    AssertSqlSafe, Column, Connection as _, Decode, Executor, Row, SqlSafeStr, Statement, TypeInfo,
    ValueRef,
};

use super::error::{DbError, ServerError};
use super::value::{ColumnInfo, QueryResult, Value};
use super::{Dialect, Url, drain_last_statement, split};

/// `sqlite3.sqlite_version`: the version of the SQLite library linked in
/// (sqlx's bundled build), asked once from a throwaway in-memory database.
pub(super) fn library_version() -> String {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION
        .get_or_init(|| {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return String::new();
            };
            rt.block_on(async {
                let opts = SqliteConnectOptions::new().filename(":memory:");
                let Ok(mut conn) = SqliteConnection::connect_with(&opts).await else {
                    return String::new();
                };
                let version = sqlx::raw_sql("select sqlite_version()")
                    .fetch_one(&mut conn)
                    .await
                    .ok()
                    .and_then(|row| row.try_get::<String, _>(0).ok())
                    .unwrap_or_default();
                let _ = conn.close().await;
                version
            })
        })
        .clone()
}

pub(super) struct SqliteBackend {
    conn: SqliteConnection,
    pub(super) server_version: String,
}

/// pysqlite's own connect keywords, which never reach the SQLite URI.
const PYSQLITE_ARGS: [&str; 6] = [
    "uri",
    "timeout",
    "isolation_level",
    "detect_types",
    "check_same_thread",
    "cached_statements",
];

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
        let mut conn =
            SqliteConnection::connect_with(&opts)
                .await
                .map_err(|e| match sqlite_error(e, "") {
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
        let row = sqlx::raw_sql("select sqlite_version()")
            .fetch_one(&mut conn)
            .await
            .map_err(|e| sqlite_error(e, ""))?;
        let server_version = row.try_get::<String, _>(0).unwrap_or_default();
        Ok(SqliteBackend {
            conn,
            server_version,
        })
    }

    pub(super) async fn close(self) -> Result<(), DbError> {
        self.conn
            .close()
            .await
            .map_err(super::postgres::driver_error)
    }

    pub(super) async fn execute(
        &mut self,
        sql: &str,
        params: &[Value],
    ) -> Result<QueryResult, DbError> {
        let drained = if params.is_empty() {
            let stream = sqlx::raw_sql(AssertSqlSafe(sql.to_string())).fetch_many(&mut self.conn);
            drain_last_statement!(stream)
        } else {
            if split::statements(sql, Dialect::Sqlite).len() > 1 {
                return Err(DbError::Usage(
                    "You can only execute one statement at a time.".into(),
                ));
            }
            let mut args = SqliteArguments::default();
            for p in params {
                bind(&mut args, p)?;
            }
            let query = sqlx::query_with(AssertSqlSafe(sql.to_string()), args).persistent(false);
            let stream = (&mut self.conn).fetch_many(query);
            drain_last_statement!(stream)
        };
        let last = drained.map_err(|e| sqlite_error(e, sql))?;
        let Some((rows, done)) = last else {
            return Ok(QueryResult::default());
        };
        let (rows_affected, last_insert_id) = done.map_or((0, None), |d| {
            (d.rows_affected(), Some(d.last_insert_rowid()))
        });
        let columns: Vec<ColumnInfo> = match rows.first() {
            Some(first) => first.columns().iter().map(column_info).collect(),
            None => self.describe(sql).await,
        };
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(decode_row(row, columns.len())?);
        }
        Ok(QueryResult {
            columns,
            rows: out,
            rows_affected,
            last_insert_id,
        })
    }

    /// Columns of the last statement when it produced no rows (a prepare,
    /// which SQLite does locally, without running anything).
    async fn describe(&mut self, sql: &str) -> Vec<ColumnInfo> {
        let Some(stmt) = split::last_statement(sql, Dialect::Sqlite) else {
            return Vec::new();
        };
        if !split::may_return_rows(stmt, Dialect::Sqlite) {
            return Vec::new();
        }
        match (&mut self.conn)
            .prepare(AssertSqlSafe(stmt.to_string()).into_sql_str())
            .await
        {
            Ok(statement) => statement.columns().iter().map(column_info).collect(),
            Err(_) => Vec::new(),
        }
    }
}

fn column_info(c: &sqlx::sqlite::SqliteColumn) -> ColumnInfo {
    ColumnInfo {
        name: c.name().to_string(),
        type_name: c.type_info().name().to_string(),
        type_code: None,
    }
}

/// pysqlite's adaptation: bool as int, everything textual as text.
fn bind(args: &mut SqliteArguments, value: &Value) -> Result<(), DbError> {
    use sqlx::Arguments;
    let result = match value {
        Value::Null => Arguments::add(args, None::<i64>),
        Value::Bool(b) => Arguments::add(args, i64::from(*b)),
        Value::Int(i) => Arguments::add(args, *i),
        Value::Float(f) => Arguments::add(args, *f),
        Value::Bytes(b) => Arguments::add(args, b.clone()),
        Value::Array(_) => {
            return Err(DbError::Usage(
                "Error binding parameter: type 'list' is not supported".into(),
            ));
        }
        Value::Numeric(s)
        | Value::Text(s)
        | Value::Date(s)
        | Value::Time(s)
        | Value::DateTime(s)
        | Value::DateTimeTz(s)
        | Value::Uuid(s)
        | Value::Json(s)
        | Value::Interval(s)
        | Value::Other { text: s, .. } => Arguments::add(args, s.clone()),
    };
    result.map_err(|e| DbError::Driver(e.to_string()))
}

fn decode_row(row: &SqliteRow, width: usize) -> Result<Vec<Value>, DbError> {
    let mut values = Vec::with_capacity(width);
    for i in 0..width {
        let raw = row.try_get_raw(i).map_err(super::postgres::driver_error)?;
        if raw.is_null() {
            values.push(Value::Null);
            continue;
        }
        let storage = raw.type_info().name().to_string();
        let decode_err = |e: sqlx::error::BoxDynError| {
            let column = row
                .columns()
                .get(i)
                .map(|c| c.name().to_string())
                .unwrap_or_default();
            DbError::Decode(format!("Could not decode column '{column}': {e}"))
        };
        values.push(match storage.as_str() {
            "INTEGER" => {
                Value::Int(<i64 as Decode<sqlx::Sqlite>>::decode(raw).map_err(decode_err)?)
            }
            "REAL" => Value::Float(<f64 as Decode<sqlx::Sqlite>>::decode(raw).map_err(decode_err)?),
            "BLOB" => {
                Value::Bytes(<Vec<u8> as Decode<sqlx::Sqlite>>::decode(raw).map_err(decode_err)?)
            }
            _ => Value::Text(<String as Decode<sqlx::Sqlite>>::decode(raw).map_err(decode_err)?),
        });
    }
    Ok(values)
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

/// pysqlite reports `sqlite3_errmsg()`; the code is the extended result code.
fn sqlite_error(e: sqlx::Error, _sql: &str) -> DbError {
    if let sqlx::Error::Database(db) = &e {
        let message = db.message().to_string();
        let errno: Option<i64> = db.code().and_then(|c| c.parse().ok());
        let server = ServerError {
            primary: message.clone(),
            errno,
            ..Default::default()
        };
        return DbError::Database {
            dialect: Dialect::Sqlite,
            message,
            code: errno.map(|n| n.to_string()),
            detail: None,
            server: Box::new(server),
        };
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
