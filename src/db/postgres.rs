//! PostgreSQL through sqlx, behaving like psycopg2 (libpq).
//!
//! * URL → connect options as SQLAlchemy's psycopg2 dialect passes them to
//!   libpq: `host`, `port`, `user`, `password`, `dbname`, and the query
//!   parameters `host` (a socket directory when it starts with `/`), `port`,
//!   `dbname`, `user`, `password`, `sslmode`, `application_name`, `options`
//!   (`-c name=value` switches). Missing parts come from the libpq
//!   environment (`PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE`,
//!   `PGSSLMODE`, `PGOPTIONS`), then `~/.pgpass` (`PGPASSFILE`); the default
//!   host is the local socket directory (`/var/run/postgresql`) when a
//!   server listens there, else `localhost`, and the default user the OS
//!   user. A `service` (`PGSERVICE`) fills in from `pg_service.conf`
//!   (`service`). Every option is checked as libpq checks it (`conninfo`);
//!   `host`/`port` may be lists, tried in turn for a session of the kind
//!   `target_session_attrs` asks for, each within `connect_timeout`
//!   (`hosts`).
//! * TLS as libpq negotiates it (rustls; `sslmode` `prefer` by default, so
//!   a server that offers TLS gets it, as psycopg2's connections do):
//!   `sslmode` is checked as libpq checks it; `verify-ca`/`verify-full`
//!   need the root certificate libpq would read (`sslrootcert`, else
//!   `PGSSLROOTCERT`, else `~/.postgresql/root.crt`; `system` for the
//!   system's store) and fail with libpq's words when it is missing;
//!   `sslcert`/`sslkey` (else `~/.postgresql/postgresql.crt`/`.key`) are
//!   the client certificate when its file exists; `prefer` retries in
//!   clear text after a failed TLS setup or a refusal during authentication
//!   over TLS; never over a Unix-domain socket (`connect::ConnectParams`).
//! * sqlx sends `TimeZone=UTC` and `DateStyle=ISO, MDY` in the startup
//!   packet, overriding the server's, the database's and the role's
//!   settings (and `-c` options). psycopg2 sends neither, so after connecting
//!   the session is put back to what libpq would have got (`PGTZ`/
//!   `PGDATESTYLE`, then `-c` options, then `ALTER ROLE/DATABASE ... SET`,
//!   then `postgresql.conf` when the user may read `pg_file_settings`).
//!   `extra_float_digits` is not sent at all, as with libpq.
//! * Statements use the simple query protocol (text results); results are
//!   decoded by column type OID into [`Value`]s.

use std::collections::HashMap;

use sqlx::postgres::{PgConnection, PgDatabaseError, PgErrorPosition, PgRow, PgSeverity};
use sqlx::{
    AssertSqlSafe, Column, Connection as _, Executor, Row, SqlSafeStr, Statement, ValueRef,
};

use super::error::{DbError, PyException, ServerError};
use super::value::{ColumnInfo, QueryResult, Value};
use super::{Dialect, Url, drain_last_statement, split};

mod connect;
mod conninfo;
mod hosts;
mod service;
use connect::{ConnectParams, connect_error};

pub(super) struct PgBackend {
    conn: PgConnection,
    pub(super) server_version: String,
    pub(super) server_version_num: Option<u32>,
    /// `pg_type.typname` of OIDs seen in results and not in [`builtin_type_name`].
    type_names: HashMap<u32, String>,
    /// Makes each describe's statement text unique, so sqlx's one-entry
    /// statement cache never serves stale columns and closes the previous
    /// server-side statement instead of leaking it.
    describe_seq: u64,
    /// Whether the session runs over TLS (libpq words a lost session
    /// differently then).
    pub(super) tls: bool,
}

impl PgBackend {
    pub(super) async fn connect(url: &Url) -> Result<PgBackend, DbError> {
        let params = ConnectParams::from_url(url)?;
        let hosts::Opened { conn, target, host } = hosts::open(&params).await?;
        let mut backend = PgBackend {
            server_version_num: conn.server_version_num(),
            conn,
            server_version: String::new(),
            type_names: HashMap::new(),
            describe_seq: 0,
            tls: false,
        };
        backend
            .init_session(&params)
            .await
            .map_err(|e| connect_error(e, &target, &host))?;
        Ok(backend)
    }

    pub(super) async fn close(self) -> Result<(), DbError> {
        self.conn.close().await.map_err(driver_error)
    }

    /// Reads the version and undoes sqlx's forced `TimeZone`/`DateStyle`
    /// (see the module docs).
    async fn init_session(&mut self, params: &ConnectParams) -> Result<(), sqlx::Error> {
        const ROLE_DB_SETTING: &str = "(SELECT pg_catalog.substr(c, pg_catalog.length('{name}') + 2) \
             FROM pg_catalog.pg_db_role_setting s, pg_catalog.unnest(s.setconfig) AS c \
             WHERE s.setdatabase IN (0, (SELECT oid FROM pg_catalog.pg_database \
                                         WHERE datname = pg_catalog.current_database())) \
               AND s.setrole IN (0, (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = session_user)) \
               AND pg_catalog.lower(c) LIKE '{name}=%' \
             ORDER BY s.setdatabase <> 0 AND s.setrole <> 0 DESC, s.setrole <> 0 DESC LIMIT 1)";
        let sql = format!(
            "SELECT pg_catalog.current_setting('server_version'), \
                    pg_catalog.current_setting('TimeZone'), \
                    pg_catalog.current_setting('DateStyle'), {}, {}, \
                    pg_catalog.has_table_privilege('pg_catalog.pg_file_settings', 'SELECT')::text, \
                    (SELECT ssl FROM pg_catalog.pg_stat_ssl \
                     WHERE pid = pg_catalog.pg_backend_pid())::text",
            ROLE_DB_SETTING.replace("{name}", "timezone"),
            ROLE_DB_SETTING.replace("{name}", "datestyle"),
        );
        let row = sqlx::raw_sql(AssertSqlSafe(sql))
            .fetch_one(&mut self.conn)
            .await?;
        let text = |i: usize| -> Option<String> {
            let v = row.try_get_raw(i).ok()?;
            if v.is_null() {
                None
            } else {
                v.as_str().ok().map(str::to_string)
            }
        };
        self.server_version = text(0).unwrap_or_default();
        let current = [text(1).unwrap_or_default(), text(2).unwrap_or_default()];
        let mut wanted = [text(3), text(4)];
        let may_read_files = text(5).as_deref() == Some("true");
        self.tls = text(6).as_deref() == Some("true");

        if may_read_files && wanted.iter().any(Option::is_none) {
            let rows = sqlx::raw_sql(
                "SELECT pg_catalog.lower(name), setting FROM pg_catalog.pg_file_settings \
                 WHERE pg_catalog.lower(name) IN ('timezone', 'datestyle') AND error IS NULL \
                 ORDER BY seqno",
            )
            .fetch_all(&mut self.conn)
            .await?;
            let mut from_file: [Option<String>; 2] = [None, None];
            for r in &rows {
                let name: Option<&str> = r.try_get_raw(0).ok().and_then(|v| v.as_str().ok());
                let value = r
                    .try_get_raw(1)
                    .ok()
                    .and_then(|v| v.as_str().ok())
                    .map(str::to_string);
                match name {
                    Some("timezone") => from_file[0] = value,
                    Some("datestyle") => from_file[1] = value,
                    _ => {}
                }
            }
            // Unset in the file: the server's built-in defaults.
            let builtin = ["GMT", "ISO, MDY"];
            for i in 0..2 {
                if wanted[i].is_none() {
                    wanted[i] = Some(
                        from_file[i]
                            .take()
                            .unwrap_or_else(|| builtin[i].to_string()),
                    );
                }
            }
        }
        // Client-side settings win over the server's, as in libpq.
        for (i, name) in ["timezone", "datestyle"].iter().enumerate() {
            if let Some(v) = params.client_setting(name) {
                wanted[i] = Some(v);
            }
        }
        let mut sets = String::new();
        for (i, guc) in ["TimeZone", "DateStyle"].iter().enumerate() {
            if let Some(v) = &wanted[i]
                && !v.eq_ignore_ascii_case(&current[i])
            {
                sets.push_str(&format!("SET {guc} TO '{}';", v.replace('\'', "''")));
            }
        }
        if !sets.is_empty() {
            // Best effort: an unknown zone name in a role setting must not
            // make the connection fail.
            let _ = sqlx::raw_sql(AssertSqlSafe(sets))
                .execute(&mut self.conn)
                .await;
        }
        Ok(())
    }

    pub(super) async fn execute(&mut self, sql: &str) -> Result<QueryResult, DbError> {
        if mentions_copy(sql) {
            let statements = split::statements(sql, Dialect::Postgresql);
            if statements.iter().any(|s| split::copy_stdio(s).is_some()) {
                return self.execute_around_copy(&statements).await;
            }
        }
        self.execute_plain(sql).await
    }

    /// A text holding a `COPY ... FROM STDIN`/`TO STDOUT`, which psycopg2's
    /// `execute()` refuses once the server starts the copy (its
    /// `copy_expert` is the way to feed or read one). The statements before
    /// the copy have run by then; a `COPY FROM` is failed, which aborts the
    /// transaction and ends the text there, as the server does; the rows of
    /// a `COPY TO` are read and dropped and the rest of the text still runs,
    /// as libpq drains it.
    async fn execute_around_copy(&mut self, statements: &[&str]) -> Result<QueryResult, DbError> {
        let mut pending: Vec<&str> = Vec::new();
        for statement in statements {
            let Some(direction) = split::copy_stdio(statement) else {
                pending.push(statement);
                continue;
            };
            if !pending.is_empty() {
                self.execute_plain(&pending.join(";\n")).await?;
                pending.clear();
            }
            match direction {
                split::CopyStdio::In => {
                    let copy = self
                        .conn
                        .copy_in_raw(statement)
                        .await
                        .map_err(|e| statement_error(e, statement))?;
                    copy.abort(COPY_FROM_REFUSED)
                        .await
                        .map_err(|e| statement_error(e, statement))?;
                    return Err(DbError::interpolate(
                        PyException::ProgrammingError,
                        COPY_FROM_REFUSED,
                    ));
                }
                split::CopyStdio::Out => {
                    self.copy_out(statement).await?;
                }
            }
        }
        if !pending.is_empty() {
            self.execute_plain(&pending.join(";\n")).await?;
        }
        // (only `COPY ... TO STDOUT` statements reach the end)
        Err(DbError::interpolate(
            PyException::ProgrammingError,
            COPY_TO_REFUSED,
        ))
    }

    /// psycopg2's `copy_expert` of a `COPY ... FROM STDIN`: `data` is the
    /// whole input; the rows copied.
    pub(super) async fn copy_in(&mut self, sql: &str, data: &[u8]) -> Result<u64, DbError> {
        let mut copy = self
            .conn
            .copy_in_raw(sql)
            .await
            .map_err(|e| statement_error(e, sql))?;
        if !data.is_empty()
            && let Err(e) = copy.send(data).await
        {
            return Err(statement_error(e, sql));
        }
        copy.finish().await.map_err(|e| statement_error(e, sql))
    }

    /// psycopg2's `copy_expert` of a `COPY ... TO STDOUT`: the data
    /// messages as the server sent them (a row each, in text and CSV).
    pub(super) async fn copy_out(&mut self, sql: &str) -> Result<Vec<Vec<u8>>, DbError> {
        let mut stream = self
            .conn
            .copy_out_raw(sql)
            .await
            .map_err(|e| statement_error(e, sql))?;
        let mut chunks = Vec::new();
        while let Some(chunk) = std::future::poll_fn(|cx| stream.as_mut().poll_next(cx)).await {
            chunks.push(chunk.map_err(|e| statement_error(e, sql))?.to_vec());
        }
        Ok(chunks)
    }

    async fn execute_plain(&mut self, sql: &str) -> Result<QueryResult, DbError> {
        let drained = {
            let stream = sqlx::raw_sql(AssertSqlSafe(sql.to_string())).fetch_many(&mut self.conn);
            drain_last_statement!(stream)
        };
        let last = drained.map_err(|e| statement_error(e, sql))?;
        let Some((rows, done)) = last else {
            return Ok(QueryResult::default());
        };
        let rows_affected = done.map_or(rows.len() as u64, |d| d.rows_affected());
        let columns: Vec<(String, u32)> = match rows.first() {
            Some(first) => first
                .columns()
                .iter()
                .map(|c| (c.name().to_string(), oid_of(c.type_info())))
                .collect(),
            None => self.describe(sql).await,
        };
        self.resolve_type_names(columns.iter().map(|c| c.1)).await?;

        let mut out_rows = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut values = Vec::with_capacity(columns.len());
            for (i, (_, oid)) in columns.iter().enumerate() {
                values.push(self.decode(row, i, *oid)?);
            }
            out_rows.push(values);
        }
        let columns = columns
            .into_iter()
            .map(|(name, oid)| ColumnInfo {
                name,
                type_name: self.type_name(oid),
                type_code: Some(oid),
            })
            .collect();
        Ok(QueryResult {
            columns,
            rows: out_rows,
            rows_affected,
            last_insert_id: None,
            fetch_error: None,
        })
    }

    /// Columns of the last statement of `sql`, which ran but produced no
    /// rows: a Parse/Describe of that statement (no execution).
    async fn describe(&mut self, sql: &str) -> Vec<(String, u32)> {
        let Some(stmt) = split::last_statement(sql, Dialect::Postgresql) else {
            return Vec::new();
        };
        if !split::may_return_rows(stmt, Dialect::Postgresql) {
            return Vec::new();
        }
        self.describe_seq += 1;
        let text = format!("{stmt}\n/* alembic-rs describe {} */", self.describe_seq);
        match (&mut self.conn)
            .prepare(AssertSqlSafe(text).into_sql_str())
            .await
        {
            Ok(statement) => statement
                .columns()
                .iter()
                .map(|c| (c.name().to_string(), oid_of(c.type_info())))
                .collect(),
            // sqlx cannot describe some result types (it knows no
            // multirange types: `typtype` 'm'); a plain query is asked
            // again as the nullable side of a join that never matches.
            Err(_) if split::is_plain_query(stmt) => self.describe_by_null_row(stmt).await,
            // The statement itself succeeded a moment ago; if describing it
            // fails anyway, report it as returning no rows.
            Err(_) => Vec::new(),
        }
    }

    /// A plain query's columns from one row of NULLs: `SELECT s.* FROM
    /// (SELECT 1) AS o LEFT JOIN (<query>) AS s ON false`, whose inner side
    /// the planner never runs (no function in it is called). The simple
    /// protocol reports column types without resolving them. Inside a
    /// transaction it runs under a savepoint, so a failure leaves the
    /// transaction as it was; outside one the `SAVEPOINT` itself fails,
    /// harmlessly.
    async fn describe_by_null_row(&mut self, stmt: &str) -> Vec<(String, u32)> {
        let savepoint = sqlx::raw_sql("SAVEPOINT alembic_rs_describe")
            .execute(&mut self.conn)
            .await
            .is_ok();
        let probe = format!("SELECT s.* FROM (SELECT 1) AS o LEFT JOIN ({stmt}\n) AS s ON false");
        let rows = sqlx::raw_sql(AssertSqlSafe(probe))
            .fetch_all(&mut self.conn)
            .await;
        if savepoint {
            let end = if rows.is_ok() {
                "RELEASE SAVEPOINT alembic_rs_describe"
            } else {
                "ROLLBACK TO SAVEPOINT alembic_rs_describe; RELEASE SAVEPOINT alembic_rs_describe"
            };
            let _ = sqlx::raw_sql(end).execute(&mut self.conn).await;
        }
        match rows {
            Ok(rows) => rows.first().map_or_else(Vec::new, |row| {
                row.columns()
                    .iter()
                    .map(|c| (c.name().to_string(), oid_of(c.type_info())))
                    .collect()
            }),
            Err(_) => Vec::new(),
        }
    }

    /// Looks up `typname` for OIDs outside the built-in table, once each.
    async fn resolve_type_names(&mut self, oids: impl Iterator<Item = u32>) -> Result<(), DbError> {
        let mut missing: Vec<u32> = oids
            .filter(|o| builtin_type_name(*o).is_none() && !self.type_names.contains_key(o))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        if missing.is_empty() {
            return Ok(());
        }
        let list: Vec<String> = missing.iter().map(u32::to_string).collect();
        let sql = format!(
            "SELECT oid::pg_catalog.text, typname::pg_catalog.text FROM pg_catalog.pg_type \
             WHERE oid IN ({})",
            list.join(", ")
        );
        let rows = sqlx::raw_sql(AssertSqlSafe(sql.clone()))
            .fetch_all(&mut self.conn)
            .await
            .map_err(|e| statement_error(e, &sql))?;
        for r in &rows {
            let oid = r
                .try_get_raw(0)
                .ok()
                .and_then(|v| v.as_str().ok())
                .and_then(|s| s.parse().ok());
            let name = r.try_get_raw(1).ok().and_then(|v| v.as_str().ok());
            if let (Some(oid), Some(name)) = (oid, name) {
                self.type_names.insert(oid, name.to_string());
            }
        }
        for oid in missing {
            self.type_names
                .entry(oid)
                .or_insert_with(|| oid.to_string());
        }
        Ok(())
    }

    fn type_name(&self, oid: u32) -> String {
        builtin_type_name(oid)
            .map(str::to_string)
            .or_else(|| self.type_names.get(&oid).cloned())
            .unwrap_or_else(|| oid.to_string())
    }

    /// One text-format value, by column type OID (psycopg2's typecasters).
    fn decode(&self, row: &PgRow, i: usize, oid: u32) -> Result<Value, DbError> {
        let raw = row.try_get_raw(i).map_err(driver_error)?;
        if raw.is_null() {
            return Ok(Value::Null);
        }
        let text = raw
            .as_str()
            .map_err(|e| DbError::Decode(format!("column {i}: {e}")))?;
        match array_element_oid(oid) {
            Some(element) => parse_array(text, &|item| self.decode_text(item, element))
                .ok_or_else(|| {
                    DbError::Decode(format!("invalid array value from server: {text:?}"))
                })?,
            None => self.decode_text(text, oid),
        }
    }

    fn decode_text(&self, text: &str, oid: u32) -> Result<Value, DbError> {
        let bad =
            |what: &str| DbError::Decode(format!("invalid {what} value from server: {text:?}"));
        Ok(match oid {
            16 => Value::Bool(text == "t"),
            20 | 21 | 23 | 26 => Value::Int(text.parse().map_err(|_| bad("integer"))?),
            700 | 701 => Value::Float(parse_pg_float(text).ok_or_else(|| bad("float"))?),
            1700 => Value::Numeric(text.to_string()),
            17 => Value::Bytes(decode_bytea(text).ok_or_else(|| bad("bytea"))?),
            1082 => Value::Date(text.to_string()),
            1083 | 1266 => Value::Time(text.to_string()),
            1114 => Value::DateTime(text.to_string()),
            1184 => Value::DateTimeTz(text.to_string()),
            1186 => Value::Interval(text.to_string()),
            2950 => Value::Uuid(text.to_string()),
            114 | 3802 => Value::Json(text.to_string()),
            18 | 19 | 25 | 705 | 1042 | 1043 => Value::Text(text.to_string()),
            _ => Value::Other {
                type_name: self.type_name(oid),
                text: text.to_string(),
            },
        })
    }
}

/// The element type of the built-in array types psycopg2 turns into
/// lists. Arrays of other types (enums, domains, `int2vector`) stay
/// strings, as psycopg2 leaves them; SQLAlchemy's PostgreSQL reflection
/// relies on exactly this split.
fn array_element_oid(oid: u32) -> Option<u32> {
    Some(match oid {
        1000 => 16,
        1001 => 17,
        1002 => 18,
        1003 => 19,
        1005 => 21,
        1007 => 23,
        1009 => 25,
        1014 => 1042,
        1015 => 1043,
        1016 => 20,
        1021 => 700,
        1022 => 701,
        1028 => 26,
        1115 => 1114,
        1182 => 1082,
        1183 => 1083,
        1185 => 1184,
        1187 => 1186,
        1231 => 1700,
        1270 => 1266,
        199 => 114,
        2951 => 2950,
        3807 => 3802,
        _ => return None,
    })
}

/// PostgreSQL's array text format (`{a,"b c",NULL,{1,2}}`, optionally
/// preceded by `[1:2]=` bounds) into nested lists; `None` when malformed.
fn parse_array(
    text: &str,
    element: &dyn Fn(&str) -> Result<Value, DbError>,
) -> Option<Result<Value, DbError>> {
    let body = match text.find("={") {
        Some(eq) if text.starts_with('[') => &text[eq + 1..],
        _ => text,
    };
    let mut chars = body.chars().peekable();
    let value = parse_array_level(&mut chars, element)?;
    if chars.next().is_some() {
        return None;
    }
    Some(value)
}

fn parse_array_level(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    element: &dyn Fn(&str) -> Result<Value, DbError>,
) -> Option<Result<Value, DbError>> {
    if chars.next()? != '{' {
        return None;
    }
    let mut items = Vec::new();
    if chars.peek() == Some(&'}') {
        chars.next();
        return Some(Ok(Value::Array(items)));
    }
    loop {
        match chars.peek()? {
            '{' => match parse_array_level(chars, element)? {
                Ok(v) => items.push(v),
                Err(e) => return Some(Err(e)),
            },
            '"' => {
                chars.next();
                let mut s = String::new();
                loop {
                    match chars.next()? {
                        '\\' => s.push(chars.next()?),
                        '"' => break,
                        c => s.push(c),
                    }
                }
                match element(&s) {
                    Ok(v) => items.push(v),
                    Err(e) => return Some(Err(e)),
                }
            }
            _ => {
                let mut s = String::new();
                while let Some(&c) = chars.peek() {
                    if c == ',' || c == '}' {
                        break;
                    }
                    s.push(c);
                    chars.next();
                }
                let s = s.trim();
                if s == "NULL" {
                    items.push(Value::Null);
                } else {
                    match element(s) {
                        Ok(v) => items.push(v),
                        Err(e) => return Some(Err(e)),
                    }
                }
            }
        }
        match chars.next()? {
            ',' => continue,
            '}' => return Some(Ok(Value::Array(items))),
            _ => return None,
        }
    }
}

/// psycopg2's refusals of a `COPY` through `execute()`.
const COPY_FROM_REFUSED: &str = "can't execute COPY FROM: use the copy_from() method instead";
const COPY_TO_REFUSED: &str = "can't execute COPY TO: use the copy_to() method instead";

/// A cheap test before lexing: only a text with `COPY` and `STD` in it can
/// hold a copy over the connection.
fn mentions_copy(sql: &str) -> bool {
    let b = sql.as_bytes();
    let has = |word: &[u8]| b.windows(word.len()).any(|w| w.eq_ignore_ascii_case(word));
    has(b"copy") && has(b"std")
}

fn oid_of(t: &sqlx::postgres::PgTypeInfo) -> u32 {
    t.oid().map_or(0, |o| o.0)
}

/// PostgreSQL prints `NaN`, `Infinity`, `-Infinity`.
fn parse_pg_float(text: &str) -> Option<f64> {
    match text {
        "NaN" => Some(f64::NAN),
        "Infinity" => Some(f64::INFINITY),
        "-Infinity" => Some(f64::NEG_INFINITY),
        _ => text.parse().ok(),
    }
}

/// `bytea` output in either `bytea_output` format: `\x0a0b` (hex) or
/// escape (`\\`, `\ooo` octal, other bytes literal).
fn decode_bytea(text: &str) -> Option<Vec<u8>> {
    let b = text.as_bytes();
    if let Some(hex) = text.strip_prefix("\\x") {
        let h = hex.as_bytes();
        if h.len() % 2 != 0 {
            return None;
        }
        return h
            .chunks(2)
            .map(|p| {
                let hi = (p[0] as char).to_digit(16)?;
                let lo = (p[1] as char).to_digit(16)?;
                Some((hi * 16 + lo) as u8)
            })
            .collect();
    }
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' {
            if b.get(i + 1) == Some(&b'\\') {
                out.push(b'\\');
                i += 2;
            } else {
                let oct = b.get(i + 1..i + 4)?;
                let s = std::str::from_utf8(oct).ok()?;
                out.push(u8::from_str_radix(s, 8).ok()?);
                i += 4;
            }
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(out)
}

/// `pg_type.typname` of the built-in types psycopg2 knows, and their arrays.
fn builtin_type_name(oid: u32) -> Option<&'static str> {
    Some(match oid {
        16 => "bool",
        17 => "bytea",
        18 => "char",
        19 => "name",
        20 => "int8",
        21 => "int2",
        22 => "int2vector",
        23 => "int4",
        24 => "regproc",
        25 => "text",
        26 => "oid",
        27 => "tid",
        28 => "xid",
        29 => "cid",
        30 => "oidvector",
        114 => "json",
        142 => "xml",
        194 => "pg_node_tree",
        650 => "cidr",
        700 => "float4",
        701 => "float8",
        705 => "unknown",
        790 => "money",
        829 => "macaddr",
        869 => "inet",
        1033 => "aclitem",
        1042 => "bpchar",
        1043 => "varchar",
        1082 => "date",
        1083 => "time",
        1114 => "timestamp",
        1184 => "timestamptz",
        1186 => "interval",
        1266 => "timetz",
        1560 => "bit",
        1562 => "varbit",
        1700 => "numeric",
        1790 => "refcursor",
        2205 => "regclass",
        2206 => "regtype",
        2249 => "record",
        2278 => "void",
        2950 => "uuid",
        3802 => "jsonb",
        3904 => "int4range",
        3906 => "numrange",
        3908 => "tsrange",
        3910 => "tstzrange",
        3912 => "daterange",
        3926 => "int8range",
        143 => "_xml",
        199 => "_json",
        651 => "_cidr",
        791 => "_money",
        1000 => "_bool",
        1001 => "_bytea",
        1002 => "_char",
        1003 => "_name",
        1005 => "_int2",
        1006 => "_int2vector",
        1007 => "_int4",
        1009 => "_text",
        1014 => "_bpchar",
        1015 => "_varchar",
        1016 => "_int8",
        1021 => "_float4",
        1022 => "_float8",
        1028 => "_oid",
        1034 => "_aclitem",
        1040 => "_macaddr",
        1041 => "_inet",
        1115 => "_timestamp",
        1182 => "_date",
        1183 => "_time",
        1185 => "_timestamptz",
        1187 => "_interval",
        1231 => "_numeric",
        1270 => "_timetz",
        2951 => "_uuid",
        3807 => "_jsonb",
        _ => return None,
    })
}

fn server_error(pg: &PgDatabaseError) -> ServerError {
    let severity = match pg.severity() {
        PgSeverity::Panic => "PANIC",
        PgSeverity::Fatal => "FATAL",
        PgSeverity::Error => "ERROR",
        PgSeverity::Warning => "WARNING",
        PgSeverity::Notice => "NOTICE",
        PgSeverity::Debug => "DEBUG",
        PgSeverity::Info => "INFO",
        PgSeverity::Log => "LOG",
    };
    let (position, internal_position, internal_query) = match pg.position() {
        Some(PgErrorPosition::Original(p)) => (Some(p), None, None),
        Some(PgErrorPosition::Internal { position, query }) => {
            (None, Some(position), Some(query.to_string()))
        }
        None => (None, None, None),
    };
    let own = |v: Option<&str>| v.map(str::to_string);
    ServerError {
        severity: Some(severity.to_string()),
        primary: pg.message().to_string(),
        sqlstate: Some(pg.code().to_string()),
        errno: None,
        position,
        internal_position,
        internal_query,
        detail: own(pg.detail()),
        hint: own(pg.hint()),
        context: own(pg.r#where()),
        schema_name: own(pg.schema()),
        table_name: own(pg.table()),
        column_name: own(pg.column()),
        constraint_name: own(pg.constraint()),
    }
}

/// A failed statement as psycopg2 reports it.
fn statement_error(e: sqlx::Error, sql: &str) -> DbError {
    if let sqlx::Error::Database(db) = &e
        && let Some(pg) = db.try_downcast_ref::<PgDatabaseError>()
    {
        let server = server_error(pg);
        return DbError::Database {
            dialect: Dialect::Postgresql,
            message: server.psycopg2_text(sql),
            code: server.sqlstate.clone(),
            detail: server.detail.clone(),
            server: Box::new(server),
        };
    }
    driver_error(e)
}

pub(super) fn driver_error(e: sqlx::Error) -> DbError {
    match e {
        sqlx::Error::Io(io) => DbError::Io(io),
        other => DbError::Driver(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_items(text: &str) -> Option<Value> {
        parse_array(text, &|s| Ok(Value::Text(s.to_string()))).map(|r| r.unwrap())
    }

    #[test]
    fn array_text_format() {
        let t = |s: &str| Value::Text(s.to_string());
        assert_eq!(text_items("{}"), Some(Value::Array(vec![])));
        assert_eq!(
            text_items(r#"{a,"b c",NULL,"NULL","q\"x\\"}"#),
            Some(Value::Array(vec![
                t("a"),
                t("b c"),
                Value::Null,
                t("NULL"),
                t("q\"x\\"),
            ]))
        );
        assert_eq!(
            text_items("[0:1]={{1,2},{3,4}}"),
            Some(Value::Array(vec![
                Value::Array(vec![t("1"), t("2")]),
                Value::Array(vec![t("3"), t("4")]),
            ]))
        );
        assert_eq!(text_items("{a,b"), None);
        assert_eq!(text_items("{a}x"), None);
    }

    #[test]
    fn bytea_formats() {
        assert_eq!(decode_bytea("\\x00ff10"), Some(vec![0, 255, 16]));
        assert_eq!(decode_bytea("\\x"), Some(vec![]));
        assert_eq!(
            decode_bytea("a\\\\b\\001"),
            Some(vec![b'a', b'\\', b'b', 1])
        );
    }
}
