//! MySQL and MariaDB through sqlx, behaving like pymysql.
//!
//! * URL → connect options as SQLAlchemy's pymysql dialect passes them:
//!   `host` (default `localhost`, over TCP), `port` (3306), `user` (default
//!   the OS user, as pymysql), `password`, `database`, and the query
//!   parameters `charset` (default `utf8mb4`, pymysql's), `unix_socket`.
//!   TLS as pymysql 1.2 gets it from SQLAlchemy's `ssl_*` parameters
//!   ([`tls_options`]): none, TLS when the server offers it; any, TLS
//!   required (pymysql's `(2026, "SSL is required but the server doesn't
//!   support it")` otherwise), the server's certificate verified when
//!   `ssl_ca`/`ssl_capath` is given, and then its host name too unless
//!   `ssl_check_hostname=false`.
//! * sqlx would change the session (`sql_mode` gains `PIPES_AS_CONCAT` and
//!   `NO_ENGINE_SUBSTITUTION`, `time_zone='+00:00'`); that is switched off so
//!   `||`, `NOW()` and `TIMESTAMP` columns behave as under pymysql. Only
//!   `SET NAMES <charset>` is sent, which pymysql's handshake charset
//!   amounts to. sqlx's `CLIENT_IGNORE_SPACE` flag adds `IGNORE_SPACE` to the
//!   session's `sql_mode`; it is removed again. The URL's `sql_mode` and
//!   `init_command` are applied as pymysql does.
//! * sqlx negotiates `CLIENT_FOUND_ROWS` (UPDATE counts matched rows, what
//!   SQLAlchemy asks pymysql for) and `CLIENT_MULTI_STATEMENTS` (pymysql does
//!   not); a call's text that parses as several statements is refused with
//!   the server's syntax error as pymysql's is (`refuse_multi_statements`).
//!   mysqlclient (`mysql://`, `mysql+mysqldb://`) connects with
//!   `CLIENT_MULTI_STATEMENTS` (its `multi_statements` defaults to true), so
//!   for those URLs the text runs as the server splits it (airflow's MySQL
//!   revisions create, call and drop a procedure in one `op.execute`); so
//!   does pymysql when its `client_flag` connect argument (or the URL's
//!   `client_flag`) has that bit: ichnaea's base revision runs its whole
//!   `base.sql` in one `op.execute`.
//! * The session keeps the server's `autocommit` (normally on); pymysql
//!   switches it off at connect. The DB-API layer decides (it can send
//!   `SET autocommit=0`, or `BEGIN`).
//! * Values are decoded by column type as pymysql's converters do: integers,
//!   floats, `DECIMAL` as exact text, `DATE`/`DATETIME`/`TIMESTAMP` text,
//!   `TIME` as [`Value::Interval`] (pymysql returns `timedelta`), `JSON`,
//!   binary-collation strings and `BIT`/`GEOMETRY` as bytes, other strings
//!   (including `ENUM`/`SET`) as text.

use sqlx::mysql::{
    MySqlConnectOptions, MySqlConnection, MySqlDatabaseError, MySqlRow, MySqlSslMode, MySqlTypeInfo,
};
use sqlx::{
    AssertSqlSafe, Column, Connection as _, Decode, Executor, Row, SqlSafeStr, Statement, TypeInfo,
    ValueRef,
};

use super::error::{DbError, ServerError};
use super::value::{ColumnInfo, QueryResult, Value};
use super::{Dialect, Url, drain_last_statement, split};

/// The server's "You have an error in your SQL syntax" error number.
const ER_PARSE_ERROR: u16 = 1064;

/// pymysql's `CLIENT.MULTI_STATEMENTS` capability bit, which a
/// `client_flag` connect argument may carry (ichnaea's engine passes
/// `connect_args={"client_flag": MULTI_STATEMENTS}`).
const CLIENT_MULTI_STATEMENTS: i64 = 1 << 16;

pub(super) struct MySqlBackend {
    conn: MySqlConnection,
    pub(super) server_version: String,
    /// The URL's driver is mysqlclient's, which runs several statements
    /// in one call, or its `client_flag` asks for that; pymysql and the
    /// others otherwise do not.
    multi_statements: bool,
}

impl MySqlBackend {
    pub(super) async fn connect(url: &Url) -> Result<MySqlBackend, DbError> {
        let q = |k: &str| url.query_value(k);
        let host = q("host")
            .or(url.host())
            .filter(|h| !h.is_empty())
            .unwrap_or("localhost");
        let port = q("port")
            .and_then(|p| p.trim().parse().ok())
            .or(url.port())
            .unwrap_or(3306);
        let user = q("user")
            .or(url.username())
            .filter(|u| !u.is_empty())
            .map_or_else(super::os_username, str::to_string);
        let mut opts = MySqlConnectOptions::new()
            .host(host)
            .port(port)
            .username(&user)
            .charset(q("charset").unwrap_or("utf8mb4"))
            .pipes_as_concat(false)
            .no_engine_substitution(false)
            .timezone(None)
            .set_names(true)
            .statement_cache_capacity(0);
        opts = tls_options(opts, url)?;
        // An empty password is none, as pymysql and asyncmy take it (their
        // scramble of "" is empty): `mysql+asyncmy://root:@host/db`, the URL
        // fastapi_best_architecture's env.py renders for an empty
        // DATABASE_PASSWORD, logs in without one. sqlx would send the
        // scramble of "" ("using password: YES").
        if let Some(p) = q("passwd")
            .or(q("password"))
            .or(url.password())
            .filter(|p| !p.is_empty())
        {
            opts = opts.password(p);
        }
        if let Some(db) = q("db")
            .or(q("database"))
            .or(url.database())
            .filter(|d| !d.is_empty())
        {
            opts = opts.database(db);
        }
        if let Some(sock) = q("unix_socket") {
            opts = opts.socket(sock);
        }
        let mut conn = MySqlConnection::connect_with(&opts)
            .await
            .map_err(|e| connect_error(e, host))?;
        // sqlx announces CLIENT_IGNORE_SPACE, which makes the server add
        // IGNORE_SPACE to the session's sql_mode (function names become
        // reserved words: a column named `count` stops parsing). pymysql
        // does not, so it is taken out again unless the server's own mode
        // has it. `sql_mode` and `init_command` are pymysql connect
        // arguments SQLAlchemy passes through from the URL.
        let mut setup = match q("sql_mode") {
            Some(mode) => format!("SET sql_mode = {};", mysql_string(mode)),
            None => "SET SESSION sql_mode = IF(FIND_IN_SET('IGNORE_SPACE', @@GLOBAL.sql_mode), \
                     @@SESSION.sql_mode, TRIM(BOTH ',' FROM REPLACE(CONCAT(',', @@SESSION.sql_mode, ','), \
                     ',IGNORE_SPACE,', ',')));"
                .to_string(),
        };
        if let Some(init) = q("init_command") {
            setup.push_str(init);
            setup.push(';');
        }
        setup.push_str("SELECT VERSION()");
        let row = sqlx::raw_sql(AssertSqlSafe(setup))
            .fetch_one(&mut conn)
            .await
            .map_err(|e| connect_error(e, host))?;
        let server_version = row
            .try_get_raw(0)
            .ok()
            .and_then(|v| <String as Decode<sqlx::MySql>>::decode(v).ok())
            .unwrap_or_default();
        Ok(MySqlBackend {
            conn,
            server_version,
            multi_statements: url.default_driver_name() == Some("mysqldb")
                || q("client_flag")
                    .and_then(|f| f.trim().parse::<i64>().ok())
                    .is_some_and(|f| f & CLIENT_MULTI_STATEMENTS != 0),
        })
    }

    pub(super) async fn close(self) -> Result<(), DbError> {
        self.conn
            .close()
            .await
            .map_err(super::postgres::driver_error)
    }

    pub(super) async fn execute(&mut self, sql: &str) -> Result<QueryResult, DbError> {
        self.refuse_multi_statements(sql).await?;
        let drained = {
            let stream = sqlx::raw_sql(AssertSqlSafe(sql.to_string())).fetch_many(&mut self.conn);
            drain_last_statement!(stream)
        };
        let last = drained.map_err(statement_error)?;
        let Some((rows, done)) = last else {
            return Ok(QueryResult::default());
        };
        let (mut rows_affected, last_insert_id) =
            done.map_or((0, 0), |d| (d.rows_affected(), d.last_insert_id()));
        let columns: Vec<(ColumnInfo, Kind)> = match rows.first() {
            Some(first) => first
                .columns()
                .iter()
                .map(|c| column_info(c.name(), c.type_info()))
                .collect(),
            None => self.describe(sql).await,
        };
        if !columns.is_empty() {
            // pymysql's rowcount for a result set is its length.
            rows_affected = rows.len() as u64;
        }
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(decode_row(row, &columns)?);
        }
        Ok(QueryResult {
            columns: columns.into_iter().map(|(c, _)| c).collect(),
            rows: out,
            rows_affected,
            last_insert_id: Some(last_insert_id as i64),
            fetch_error: None,
        })
    }

    /// pymysql connects without `CLIENT_MULTI_STATEMENTS`, so the server
    /// parses a call's whole text as one statement and a second statement
    /// is a syntax error (1064, "... near '<the rest>' at line N"), run
    /// before anything of the text. sqlx always negotiates the flag (and no
    /// `COM_SET_OPTION` can be sent through it), so a text that looks like
    /// several statements is first prepared: `COM_STMT_PREPARE` parses
    /// without multi-statements, gives the same 1064 error for the same
    /// text, and runs nothing. Any other outcome (a `CREATE PROCEDURE`
    /// whose body holds `;`, a statement the prepared protocol refuses)
    /// goes on to run the text as before.
    async fn refuse_multi_statements(&mut self, sql: &str) -> Result<(), DbError> {
        if self.multi_statements || split::statements(sql, Dialect::Mysql).len() < 2 {
            return Ok(());
        }
        match (&mut self.conn)
            .prepare(AssertSqlSafe(sql.to_string()).into_sql_str())
            .await
        {
            Err(sqlx::Error::Database(db))
                if db
                    .try_downcast_ref::<MySqlDatabaseError>()
                    .is_some_and(|my| my.number() == ER_PARSE_ERROR) =>
            {
                Err(statement_error(sqlx::Error::Database(db)))
            }
            _ => Ok(()),
        }
    }

    /// Columns of the last statement when it produced no rows: a
    /// `COM_STMT_PREPARE` (closed right away; a failed prepare changes
    /// nothing on the server).
    async fn describe(&mut self, sql: &str) -> Vec<(ColumnInfo, Kind)> {
        let Some(stmt) = split::last_statement(sql, Dialect::Mysql) else {
            return Vec::new();
        };
        if !split::may_return_rows(stmt, Dialect::Mysql) {
            return Vec::new();
        }
        match (&mut self.conn)
            .prepare(AssertSqlSafe(stmt.to_string()).into_sql_str())
            .await
        {
            Ok(statement) => statement
                .columns()
                .iter()
                .map(|c| column_info(c.name(), c.type_info()))
                .collect(),
            Err(_) => Vec::new(),
        }
    }
}

/// How a column's text is turned into a [`Value`].
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Int,
    Float,
    Decimal,
    Date,
    DateTime,
    Time,
    Json,
    Bytes,
    Text,
    Null,
}

/// The protocol type, its `FIELD_TYPE` number and the column's collation,
/// read from `MySqlTypeInfo`'s `Debug` form: sqlx keeps them crate-private,
/// and pymysql's bytes-vs-str rule needs the collation (63 = binary), which
/// the `BINARY` flag sqlx's type names use does not tell (a `utf8mb4_bin`
/// column has that flag too).
fn protocol_type(t: &MySqlTypeInfo) -> (String, u32, u16) {
    let debug = format!("{t:?}");
    let field = |key: &str| -> Option<String> {
        let start = debug.find(key)? + key.len();
        let rest = &debug[start..];
        let end = rest.find([',', ' ', '}', ')'])?;
        Some(rest[..end].to_string())
    };
    let variant = field("type: ").unwrap_or_default();
    let collation = field("Collation(")
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let code = match variant.as_str() {
        "Decimal" => 0,
        "Tiny" => 1,
        "Short" => 2,
        "Long" => 3,
        "Float" => 4,
        "Double" => 5,
        "Null" => 6,
        "Timestamp" => 7,
        "LongLong" => 8,
        "Int24" => 9,
        "Date" => 10,
        "Time" => 11,
        "Datetime" => 12,
        "Year" => 13,
        "VarChar" => 15,
        "Bit" => 16,
        "Json" => 245,
        "NewDecimal" => 246,
        "Enum" => 247,
        "Set" => 248,
        "TinyBlob" => 249,
        "MediumBlob" => 250,
        "LongBlob" => 251,
        "Blob" => 252,
        "VarString" => 253,
        "String" => 254,
        "Geometry" => 255,
        _ => 253,
    };
    (variant, code, collation)
}

fn column_info(name: &str, t: &MySqlTypeInfo) -> (ColumnInfo, Kind) {
    let (_, code, collation) = protocol_type(t);
    let kind = match code {
        1 | 2 | 3 | 8 | 9 | 13 => Kind::Int,
        4 | 5 => Kind::Float,
        0 | 246 => Kind::Decimal,
        10 => Kind::Date,
        7 | 12 => Kind::DateTime,
        11 => Kind::Time,
        245 => Kind::Json,
        16 | 255 => Kind::Bytes,
        6 => Kind::Null,
        _ if collation == 63 => Kind::Bytes,
        _ => Kind::Text,
    };
    let info = ColumnInfo {
        name: name.to_string(),
        type_name: t.name().to_string(),
        type_code: Some(code),
    };
    (info, kind)
}

fn decode_row(row: &MySqlRow, columns: &[(ColumnInfo, Kind)]) -> Result<Vec<Value>, DbError> {
    let mut values = Vec::with_capacity(columns.len());
    for (i, (info, kind)) in columns.iter().enumerate() {
        let raw = row.try_get_raw(i).map_err(super::postgres::driver_error)?;
        if raw.is_null() {
            values.push(Value::Null);
            continue;
        }
        let bytes: &[u8] = <&[u8] as Decode<sqlx::MySql>>::decode(raw)
            .map_err(|e| DbError::Decode(format!("column {}: {e}", info.name)))?;
        let text = || -> Result<String, DbError> {
            String::from_utf8(bytes.to_vec())
                .map_err(|e| DbError::Decode(format!("column {}: {e}", info.name)))
        };
        let other = |text: String| Value::Other {
            type_name: info.type_name.clone(),
            text,
        };
        values.push(match kind {
            Kind::Int => {
                let t = text()?;
                match (t.parse::<i64>(), t.parse::<u64>()) {
                    (Ok(n), _) => Value::Int(n),
                    (_, Ok(n)) => Value::UInt(n),
                    _ => other(t),
                }
            }
            Kind::Float => {
                let t = text()?;
                match t.parse::<f64>() {
                    Ok(f) => Value::Float(f),
                    Err(_) => other(t),
                }
            }
            Kind::Decimal => Value::Numeric(text()?),
            Kind::Date => Value::Date(text()?),
            Kind::DateTime => Value::DateTime(text()?),
            Kind::Time => Value::Interval(text()?),
            Kind::Json => Value::Json(text()?),
            Kind::Bytes => Value::Bytes(bytes.to_vec()),
            Kind::Text => Value::Text(text()?),
            Kind::Null => Value::Null,
        });
    }
    Ok(values)
}

fn server_error(my: &MySqlDatabaseError) -> ServerError {
    ServerError {
        primary: my.message().to_string(),
        sqlstate: my.code().map(str::to_string),
        errno: Some(i64::from(my.number())),
        ..Default::default()
    }
}

/// SQLAlchemy's `ssl_*` query parameters as pymysql 1.2 applies them
/// (SQLAlchemy moves `ssl_ca`, `ssl_capath`, `ssl_cert`, `ssl_key`,
/// `ssl_cipher` and `ssl_check_hostname` into pymysql's `ssl` dictionary and
/// hands any other parameter, as text, to `pymysql.connect`):
/// * `ssl_disabled` (any non-empty text, even `false`): no TLS;
/// * `ssl_verify_cert` / `ssl_verify_identity` (non-empty): pymysql replaces
///   the dictionary with one of its keywords `ssl_ca`/`ssl_cert`/`ssl_key`
///   (none from a URL): TLS required, the certificate checked against the
///   system's roots when `ssl_verify_identity` is given or `ssl_verify_cert`
///   says `true`/`1`/`yes`/`required`/`optional`, never the host name;
/// * the dictionary: TLS required, the certificate checked when it names
///   `ca`/`capath`, and then the host name unless `check_hostname` is false;
///   a missing `ssl_ca`, `ssl_cert` or `ssl_key` file is Python's
///   `FileNotFoundError` before connecting;
/// * nothing: TLS when the server offers it, unchecked (pymysql 1.2's
///   preferred mode).
fn tls_options(opts: MySqlConnectOptions, url: &Url) -> Result<MySqlConnectOptions, DbError> {
    let q = |k: &str| url.query_value(k).filter(|v| !v.is_empty());
    if q("ssl_disabled").is_some() {
        return Ok(opts.ssl_mode(MySqlSslMode::Disabled));
    }
    let (verify_cert, verify_identity) = (q("ssl_verify_cert"), q("ssl_verify_identity"));
    if verify_cert.is_some() || verify_identity.is_some() {
        let checked = verify_identity.is_some()
            || verify_cert.is_some_and(|v| {
                matches!(
                    v.to_ascii_lowercase().as_str(),
                    "true" | "1" | "yes" | "required" | "optional"
                )
            });
        return Ok(opts.ssl_mode(if checked {
            MySqlSslMode::VerifyCa
        } else {
            MySqlSslMode::Required
        }));
    }
    let dictionary = [
        "ssl_ca",
        "ssl_capath",
        "ssl_cert",
        "ssl_key",
        "ssl_cipher",
        "ssl_check_hostname",
    ];
    if !dictionary.iter().any(|k| url.query_value(k).is_some()) {
        return Ok(opts.ssl_mode(MySqlSslMode::Preferred));
    }
    // pymysql's SSL context: the CA file is read first, then the client
    // certificate and its key (a key without a certificate is ignored)
    let cert = q("ssl_cert");
    let key = cert.and(q("ssl_key"));
    for file in [q("ssl_ca"), cert, key].into_iter().flatten() {
        if !std::path::Path::new(file).exists() {
            return Err(DbError::FileNotFound);
        }
    }
    let mut opts = opts.ssl_mode(match q("ssl_ca").or(q("ssl_capath")) {
        None => MySqlSslMode::Required,
        Some(_) => {
            // SQLAlchemy's `asbool`
            let check = q("ssl_check_hostname").is_none_or(|v| {
                !matches!(
                    v.trim().to_ascii_lowercase().as_str(),
                    "false" | "0" | "no" | "off" | "n" | "f"
                )
            });
            if check {
                MySqlSslMode::VerifyIdentity
            } else {
                MySqlSslMode::VerifyCa
            }
        }
    });
    if let Some(ca) = q("ssl_ca") {
        opts = opts.ssl_ca(ca);
    }
    if let (Some(cert), Some(key)) = (cert, key) {
        opts = opts.ssl_client_cert(cert).ssl_client_key(key);
    }
    Ok(opts)
}

/// pymysql raises `(errno, message)`; the message is the server's text.
fn statement_error(e: sqlx::Error) -> DbError {
    if let sqlx::Error::Database(db) = &e
        && let Some(my) = db.try_downcast_ref::<MySqlDatabaseError>()
    {
        let server = server_error(my);
        return DbError::Database {
            dialect: Dialect::Mysql,
            message: server.primary.clone(),
            code: Some(my.number().to_string()),
            detail: None,
            server: Box::new(server),
        };
    }
    super::postgres::driver_error(e)
}

/// pymysql's connect failures: the server's `(errno, message)`, or
/// `(2003, "Can't connect to MySQL server on 'host' (...)")`.
fn connect_error(e: sqlx::Error, host: &str) -> DbError {
    if let sqlx::Error::Database(db) = &e
        && let Some(my) = db.try_downcast_ref::<MySqlDatabaseError>()
    {
        let server = server_error(my);
        return DbError::Connect {
            message: server.primary.clone(),
            code: Some(my.number().to_string()),
            server: Some(Box::new(server)),
        };
    }
    if let sqlx::Error::Tls(tls) = &e
        && tls.to_string().contains("server does not support TLS")
    {
        return DbError::Connect {
            message: "SSL is required but the server doesn't support it".into(),
            code: Some("2026".into()),
            server: None,
        };
    }
    let reason = match &e {
        sqlx::Error::Io(io) => match io.raw_os_error() {
            Some(n) => format!("[Errno {n}] {}", strip_os_error(&io.to_string())),
            None => io.to_string(),
        },
        other => other.to_string(),
    };
    DbError::Connect {
        message: format!("Can't connect to MySQL server on '{host}' ({reason})"),
        code: Some("2003".into()),
        server: None,
    }
}

/// A MySQL string literal with pymysql's escaping.
fn mysql_string(text: &str) -> String {
    super::literal::render_literal(Dialect::Mysql, &Value::Text(text.to_string()))
        .unwrap_or_else(|_| "''".to_string())
}

fn strip_os_error(text: &str) -> String {
    match text.find(" (os error") {
        Some(i) => text[..i].to_string(),
        None => text.to_string(),
    }
}
