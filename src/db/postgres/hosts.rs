//! libpq's walk over the host list (`host=h1,h2&port=p1,p2`, SQLAlchemy's
//! multi-host URLs): each host in turn until one gives a session of the
//! kind `target_session_attrs` asks for. A host that cannot be reached, or
//! refuses TLS, or is of the wrong kind, adds its line to the error and the
//! next is tried; so does one that does not answer within `connect_timeout`
//! seconds. A server's refusal (a bad password, an unknown database) ends
//! the walk, as libpq documents. The error names every host tried.

use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{Connection as _, Row as _};

use super::super::error::DbError;
use super::connect::{ConnectParams, Target, connect_error};

/// The session opened, and the words errors about it use.
pub(super) struct Opened {
    pub(super) conn: PgConnection,
    pub(super) target: Target,
    pub(super) host: String,
}

/// What `target_session_attrs` asks of a host.
#[derive(Clone, Copy, PartialEq)]
enum Wanted {
    Any,
    ReadWrite,
    ReadOnly,
    Primary,
    Standby,
}

pub(super) async fn open(params: &ConnectParams) -> Result<Opened, DbError> {
    let refuse = |message: String| DbError::Connect {
        message,
        code: None,
        server: None,
    };
    let endpoints = params.endpoints().map_err(refuse)?;
    let at = |i: usize| -> PgConnectOptions {
        let (host, port) = &endpoints[i];
        params.options_at(host.as_deref(), *port)
    };
    params.check_before(&Target::of(&at(0)))?;
    // `prefer-standby` walks the list for a standby, then again for any
    let passes: &[Wanted] = match params.conninfo().get("target_session_attrs").as_deref() {
        Some("read-write") => &[Wanted::ReadWrite],
        Some("read-only") => &[Wanted::ReadOnly],
        Some("primary") => &[Wanted::Primary],
        Some("standby") => &[Wanted::Standby],
        Some("prefer-standby") => &[Wanted::Standby, Wanted::Any],
        _ => &[Wanted::Any],
    };
    let mut failed = String::new();
    let mut timeout_checked = false;
    for &wanted in passes {
        for i in 0..endpoints.len() {
            let opts = at(i);
            let target = Target::of(&opts);
            let host = opts.get_host().to_string();
            let over_socket = opts.get_socket().is_some() || host.starts_with('/');
            if let Err(problem) = params.conninfo().check_socket_options(over_socket) {
                failed.push_str(&format!("connection to server {target} failed: {problem}"));
                continue;
            }
            if !timeout_checked {
                timeout_checked = true;
                if let Err(problem) = params.conninfo().check_connect_timeout() {
                    return Err(refuse(format!(
                        "{failed}connection to server {target} failed: {problem}"
                    )));
                }
            }
            let attempt = params.connect(opts.clone(), &target, &host);
            let attempted = match params.conninfo().connect_timeout() {
                Some(limit) => tokio::time::timeout(limit, attempt)
                    .await
                    .unwrap_or_else(|_| {
                        Err(refuse(format!(
                            "connection to server {target} failed: timeout expired\n"
                        )))
                    }),
                None => attempt.await,
            };
            let mut conn = match attempted {
                Ok(conn) => conn,
                Err(DbError::Connect {
                    message,
                    server: None,
                    ..
                }) => {
                    failed.push_str(&message);
                    continue;
                }
                Err(e) => return Err(after(failed, e)),
            };
            params
                .check_required_auth(&opts, &target)
                .map_err(|e| after(failed.clone(), e))?;
            match mismatch(&mut conn, wanted).await {
                Ok(None) => {
                    params.conninfo().check_cancel_key().map_err(refuse)?;
                    return Ok(Opened { conn, target, host });
                }
                Ok(Some(problem)) => {
                    failed.push_str(&format!(
                        "connection to server {target} failed: {problem}\n"
                    ));
                    let _ = conn.close().await;
                }
                Err(e) => return Err(after(failed, connect_error(e, &target, &host))),
            }
        }
    }
    Err(refuse(failed))
}

/// `e` with the lines of the hosts tried before it.
fn after(failed: String, e: DbError) -> DbError {
    match e {
        DbError::Connect {
            message,
            code,
            server,
        } => DbError::Connect {
            message: failed + &message,
            code,
            server,
        },
        other => other,
    }
}

/// Why the session is not of the kind wanted, in libpq's words: a
/// read-only session is one whose transactions default to read-only or
/// whose server is a standby in recovery.
async fn mismatch(
    conn: &mut PgConnection,
    wanted: Wanted,
) -> Result<Option<&'static str>, sqlx::Error> {
    if wanted == Wanted::Any {
        return Ok(None);
    }
    let row = sqlx::raw_sql(sqlx::AssertSqlSafe(
        "SELECT pg_catalog.current_setting('default_transaction_read_only'), \
                pg_catalog.pg_is_in_recovery()::text",
    ))
    .fetch_one(&mut *conn)
    .await?;
    let default_read_only = row.try_get::<String, _>(0)? == "on";
    let standby = row.try_get::<String, _>(1)? == "true";
    Ok(match wanted {
        Wanted::ReadWrite if default_read_only || standby => Some("session is read-only"),
        Wanted::ReadOnly if !(default_read_only || standby) => Some("session is not read-only"),
        Wanted::Primary if standby => Some("server is in hot standby mode"),
        Wanted::Standby if !standby => Some("server is not in hot standby mode"),
        _ => None,
    })
}
