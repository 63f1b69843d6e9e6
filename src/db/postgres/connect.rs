//! What libpq would have been given from the URL and the environment, and
//! connecting with it as libpq does: the `sslmode` checks and TLS
//! negotiation (see the parent module's docs), and psycopg2's words for a
//! failed attempt.

use sqlx::Connection as _;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgDatabaseError, PgSslMode};

use super::super::Url;
use super::super::error::DbError;
use super::conninfo::{self, Conninfo};
use super::server_error;

/// What libpq would have been given, from the URL (SQLAlchemy's psycopg2
/// `create_connect_args`: URL parts, then query parameters overriding them).
pub(super) struct ConnectParams {
    host: Option<String>,
    port: Option<u16>,
    user: Option<String>,
    password: Option<String>,
    dbname: Option<String>,
    sslmode: Option<String>,
    sslrootcert: Option<String>,
    sslcert: Option<String>,
    sslkey: Option<String>,
    application_name: Option<String>,
    /// `-c name=value` switches from `options` (URL, else `PGOPTIONS`).
    options: Vec<(String, String)>,
    /// Every option, for libpq's checks of them.
    conninfo: Conninfo,
}

impl ConnectParams {
    /// Fails as libpq's parse of the options fails: on a keyword it does
    /// not know.
    pub(super) fn from_url(url: &Url) -> Result<ConnectParams, DbError> {
        let conninfo = Conninfo::from_url(url);
        conninfo.check_keywords(url)?;
        let nonempty = |v: Option<&str>| v.filter(|s| !s.is_empty()).map(str::to_string);
        let q = |k: &str| url.query_value(k);
        let options_text = q("options")
            .map(str::to_string)
            .or_else(|| std::env::var("PGOPTIONS").ok());
        Ok(ConnectParams {
            host: nonempty(q("host").or(url.host())),
            port: q("port").and_then(|p| p.trim().parse().ok()).or(url.port()),
            user: nonempty(q("user").or(url.username())),
            password: nonempty(q("password").or(url.password())),
            dbname: nonempty(q("dbname").or(url.database())),
            sslmode: q("sslmode")
                .map(str::to_string)
                .or_else(|| std::env::var("PGSSLMODE").ok()),
            sslrootcert: nonempty(q("sslrootcert")).or_else(|| std::env::var("PGSSLROOTCERT").ok()),
            sslcert: nonempty(q("sslcert")),
            sslkey: nonempty(q("sslkey")),
            application_name: q("application_name").map(str::to_string),
            options: options_text
                .as_deref()
                .map(parse_pg_options)
                .unwrap_or_default(),
            conninfo,
        })
    }

    pub(super) fn options(&self) -> PgConnectOptions {
        let mut opts = PgConnectOptions::new_without_pgpass()
            .statement_cache_capacity(1)
            .extra_float_digits(None);
        if let Some(h) = &self.host {
            opts = opts.host(h);
        }
        if let Some(p) = self.port {
            opts = opts.port(p);
        }
        if let Some(u) = &self.user {
            opts = opts.username(u);
        }
        if let Some(d) = &self.dbname {
            opts = opts.database(d);
        }
        if let Ok(mode) = self.mode().parse::<PgSslMode>() {
            opts = opts.ssl_mode(match mode {
                PgSslMode::Require => self.tls_mode(),
                other => other,
            });
        }
        if let Some(cert) = self.root_cert_file() {
            opts = opts.ssl_root_cert(cert);
        }
        if let Some((cert, key)) = self.client_cert_files()
            && std::path::Path::new(&key).exists()
        {
            opts = opts.ssl_client_cert(cert).ssl_client_key(key);
        }
        if let Some(app) = &self.application_name {
            opts = opts.application_name(app);
        }
        if !self.options.is_empty() {
            opts = opts.options(self.options.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        }
        if let Some(p) = self.password_for(&opts) {
            opts = opts.password(&p);
        }
        opts
    }

    /// The password libpq would send: the URL's, else `PGPASSWORD`, else
    /// the password file's for this host, port, database and user.
    fn password_for(&self, opts: &PgConnectOptions) -> Option<String> {
        self.password
            .clone()
            .or_else(|| std::env::var("PGPASSWORD").ok())
            .or_else(|| {
                let host = if opts.get_socket().is_some() || opts.get_host().starts_with('/') {
                    "localhost"
                } else {
                    opts.get_host()
                };
                let user = opts.get_username().to_string();
                let db = opts.get_database().unwrap_or(&user).to_string();
                pgpass_lookup(host, opts.get_port(), &db, &user)
            })
    }

    /// The checks once connected. libpq's `require_auth` where alembic-rs
    /// can make it: a session opened without a password was let in without
    /// authentication (`trust`, `peer`, a certificate), which a list naming
    /// only methods refuses (with a password, which method the server asked
    /// for is sqlx's to know, not ours: docs/differences.md). Then
    /// psycopg2's cancel key ([`Conninfo::check_cancel_key`]).
    pub(super) fn check_connected(
        &self,
        opts: &PgConnectOptions,
        target: &str,
    ) -> Result<(), DbError> {
        let refuse = |message: String| DbError::Connect {
            message,
            code: None,
            server: None,
        };
        if let Some(methods) = self.conninfo.get("require_auth").filter(|m| !m.is_empty())
            && conninfo::check_require_auth(&methods) == Ok(true)
            && self.password_for(opts).is_none()
        {
            return Err(refuse(format!(
                "connection to server {target} failed: authentication method requirement \
                 \"{methods}\" failed: server did not complete authentication\n"
            )));
        }
        self.conninfo.check_cancel_key().map_err(refuse)
    }

    /// The root certificate file libpq would read: `sslrootcert`
    /// (`PGSSLROOTCERT`), else `~/.postgresql/root.crt` when it exists;
    /// `None` for `system`, whose store is the one TLS always trusts here.
    fn root_cert_file(&self) -> Option<String> {
        match self.sslrootcert.as_deref() {
            Some("system") => None,
            Some(path) => Some(path.to_string()),
            None => {
                let default = default_root_cert();
                std::path::Path::new(&default).is_file().then_some(default)
            }
        }
    }

    /// The `sslmode` in force: the given one (URL, else `PGSSLMODE`), else
    /// `verify-full` under `sslrootcert=system`, else `prefer`.
    fn mode(&self) -> &str {
        match self.sslmode.as_deref() {
            Some(mode) => mode,
            None if self.sslrootcert.as_deref() == Some("system") => "verify-full",
            None => "prefer",
        }
    }

    /// The check of a TLS attempt under `prefer`/`require`: libpq checks the
    /// certificate as `verify-ca` does when a root certificate file exists
    /// (`sslrootcert`, `~/.postgresql/root.crt`), else not at all.
    fn tls_mode(&self) -> PgSslMode {
        if self
            .root_cert_file()
            .is_some_and(|f| std::path::Path::new(&f).is_file())
        {
            PgSslMode::VerifyCa
        } else {
            PgSslMode::Require
        }
    }

    /// The client certificate and key files libpq would offer: `sslcert`
    /// (else `~/.postgresql/postgresql.crt`) when that file exists, with
    /// `sslkey` (else `~/.postgresql/postgresql.key`); libpq goes without a
    /// certificate when its file is missing.
    fn client_cert_files(&self) -> Option<(String, String)> {
        let home = || std::env::var("HOME").unwrap_or_default();
        let cert = self
            .sslcert
            .clone()
            .unwrap_or_else(|| format!("{}/.postgresql/postgresql.crt", home()));
        if !std::path::Path::new(&cert).is_file() {
            return None;
        }
        let key = self
            .sslkey
            .clone()
            .unwrap_or_else(|| format!("{}/.postgresql/postgresql.key", home()));
        Some((cert, key))
    }

    /// libpq's refusal to start TLS with a client certificate whose key
    /// file is missing, not a regular file, or readable by others (a
    /// root-owned key may be `0640`, any other `0600`).
    fn missing_key(&self, target: &str) -> Option<DbError> {
        use std::os::unix::fs::MetadataExt;
        let (_, key) = self.client_cert_files()?;
        let problem = match std::fs::metadata(&key) {
            Err(_) => format!("certificate present, but not private key file \"{key}\""),
            Ok(m) if !m.is_file() => format!("key file \"{key}\" is not a regular file"),
            Ok(m)
                if (m.uid() == 0 && m.mode() & 0o037 != 0)
                    || (m.uid() != 0 && m.mode() & 0o077 != 0) =>
            {
                format!(
                    "private key file \"{key}\" has group or world access; file must have \
                     permissions u=rw (0600) or less if owned by the current user, or \
                     permissions u=rw,g=r (0640) or less if owned by root"
                )
            }
            Ok(_) => return None,
        };
        Some(DbError::Connect {
            message: format!("connection to server {target} failed: {problem}\n"),
            code: None,
            server: None,
        })
    }

    /// Connects as libpq negotiates TLS: `prefer` (the default) tries TLS
    /// and, when that attempt fails in the TLS setup or the server refuses
    /// it (a `hostssl ... cert` line without a certificate, say), once more
    /// in clear text, reporting both failures if that fails too;
    /// `require`/`verify-*` fail without a key for the certificate; the
    /// others are sqlx's.
    pub(super) async fn connect(
        &self,
        opts: PgConnectOptions,
        target: &str,
        host: &str,
    ) -> Result<PgConnection, DbError> {
        // libpq never negotiates TLS over a Unix-domain socket, whatever
        // `sslmode` says: only the option checks apply there.
        let over_socket = opts.get_socket().is_some() || opts.get_host().starts_with('/');
        self.check_options(target, over_socket)?;
        if over_socket {
            return PgConnection::connect_with(&opts.ssl_mode(PgSslMode::Disable))
                .await
                .map_err(|e| connect_error(e, target, host));
        }
        let attempt = |opts: PgConnectOptions| async move {
            PgConnection::connect_with(&opts)
                .await
                .map_err(|e| (connect_error_kind(&e), connect_error(e, target, host)))
        };
        match self.mode() {
            "prefer" => {
                let first = match self.missing_key(target) {
                    Some(e) => e,
                    None => match attempt(opts.clone().ssl_mode(self.tls_mode())).await {
                        Ok(conn) => return Ok(conn),
                        Err((ConnectFailure::NoTls, _)) => {
                            return attempt(opts.ssl_mode(PgSslMode::Disable))
                                .await
                                .map_err(|(_, e)| e);
                        }
                        Err((ConnectFailure::Other, e)) => return Err(e),
                        Err((ConnectFailure::OverTls, e)) => e,
                    },
                };
                match attempt(opts.ssl_mode(PgSslMode::Disable)).await {
                    Ok(conn) => Ok(conn),
                    Err((
                        _,
                        DbError::Connect {
                            message,
                            code,
                            server,
                        },
                    )) => Err(DbError::Connect {
                        message: format!("{first}{message}"),
                        code,
                        server,
                    }),
                    Err((_, e)) => Err(e),
                }
            }
            "require" | "verify-ca" | "verify-full" => match self.missing_key(target) {
                Some(e) => Err(e),
                None => attempt(opts).await.map_err(|(_, e)| e),
            },
            _ => attempt(opts).await.map_err(|(_, e)| e),
        }
    }

    /// libpq's checks before and while it connects: the options' values
    /// ([`Conninfo::check_values`]), what alembic-rs's client cannot do,
    /// the numeric options, and for the verifying modes a root certificate
    /// file that exists (not over a Unix-domain socket, where no TLS is
    /// tried). `target` is [`connect_target`]'s text.
    fn check_options(&self, target: &str, over_socket: bool) -> Result<(), DbError> {
        let refuse = |message: String| DbError::Connect {
            message,
            code: None,
            server: None,
        };
        let failed =
            |problem: String| refuse(format!("connection to server {target} failed: {problem}"));
        self.conninfo.check_values().map_err(refuse)?;
        // sqlx's SCRAM never binds the channel, and it has no GSSAPI: refuse
        // before any password is sent, as libpq would refuse the server
        // that authenticated this client (trust) without binding
        if self.conninfo.get("channel_binding").as_deref() == Some("require") {
            return Err(failed(
                "channel binding required, but server authenticated client without channel \
                 binding\n"
                    .into(),
            ));
        }
        if self.conninfo.get("gssencmode").as_deref() == Some("require") {
            return Err(refuse(
                "GSSAPI encryption required but no credential cache\n".into(),
            ));
        }
        self.conninfo.check_numbers(over_socket).map_err(failed)?;
        let Some(mode) = self.sslmode.as_deref() else {
            return Ok(());
        };
        if mode.starts_with("verify-")
            && !over_socket
            && self.sslrootcert.as_deref() != Some("system")
        {
            let file = self.sslrootcert.clone().unwrap_or_else(default_root_cert);
            if !std::path::Path::new(&file).exists() {
                return Err(refuse(format!(
                    "connection to server {target} failed: root certificate file \"{file}\" \
                     does not exist\nEither provide the file, use the system's trusted roots \
                     with sslrootcert=system, or change sslmode to disable server certificate \
                     verification.\n"
                )));
            }
        }
        Ok(())
    }

    /// A session setting the client asked for (libpq environment, then
    /// `-c` options), which the server must not override.
    pub(super) fn client_setting(&self, name: &str) -> Option<String> {
        let env = match name {
            "timezone" => "PGTZ",
            "datestyle" => "PGDATESTYLE",
            _ => return None,
        };
        std::env::var(env).ok().or_else(|| {
            self.options
                .iter()
                .rev()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        })
    }
}

/// libpq's `options` string: whitespace-separated switches with `\`
/// escapes; `-c name=value`, `-cname=value` and `--name=value` set GUCs.
fn parse_pg_options(text: &str) -> Vec<(String, String)> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut chars = text.chars();
    let mut in_word = false;
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                cur.push(n);
            }
            in_word = true;
        } else if c.is_whitespace() {
            if in_word {
                words.push(std::mem::take(&mut cur));
                in_word = false;
            }
        } else {
            cur.push(c);
            in_word = true;
        }
    }
    if in_word {
        words.push(cur);
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let setting = if words[i] == "-c" {
            i += 1;
            words.get(i).cloned()
        } else if let Some(rest) = words[i].strip_prefix("-c") {
            Some(rest.to_string())
        } else {
            words[i].strip_prefix("--").map(str::to_string)
        };
        if let Some((k, v)) = setting.as_deref().and_then(|s| s.split_once('=')) {
            out.push((k.replace('-', "_"), v.to_string()));
        }
        i += 1;
    }
    out
}

/// libpq's password file lookup (`PGPASSFILE`, else `~/.pgpass`; ignored
/// when group- or world-readable, as libpq does).
fn pgpass_lookup(host: &str, port: u16, db: &str, user: &str) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PGPASSFILE")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".pgpass")))?;
    let meta = std::fs::metadata(&path).ok()?;
    if !meta.is_file() || meta.permissions().mode() & 0o077 != 0 {
        return None;
    }
    let content = std::fs::read_to_string(&path).ok()?;
    let port = port.to_string();
    for line in content.lines() {
        if line.starts_with('#') {
            continue;
        }
        let mut fields = Vec::new();
        let mut cur = String::new();
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    if let Some(n) = chars.next() {
                        cur.push(n);
                    }
                }
                ':' if fields.len() < 4 => fields.push(std::mem::take(&mut cur)),
                c => cur.push(c),
            }
        }
        fields.push(cur);
        if fields.len() != 5 {
            continue;
        }
        let matches = |pattern: &str, value: &str| pattern == "*" || pattern == value;
        if matches(&fields[0], host)
            && matches(&fields[1], &port)
            && matches(&fields[2], db)
            && matches(&fields[3], user)
        {
            return Some(fields[4].clone());
        }
    }
    None
}

/// libpq's way of naming the server in connection errors.
/// libpq's `~/.postgresql/root.crt`.
fn default_root_cert() -> String {
    let home = std::env::var("HOME").unwrap_or_default();
    format!("{home}/.postgresql/root.crt")
}

pub(super) fn connect_target(opts: &PgConnectOptions) -> String {
    let port = opts.get_port();
    match opts.get_socket() {
        Some(dir) => format!("on socket \"{}/.s.PGSQL.{port}\"", dir.display()),
        None if opts.get_host().starts_with('/') => {
            format!("on socket \"{}/.s.PGSQL.{port}\"", opts.get_host())
        }
        None => format!("at \"{}\", port {port}", opts.get_host()),
    }
}

/// How a connection attempt over TLS failed, for `sslmode=prefer`'s retry.
enum ConnectFailure {
    /// The server does not offer TLS.
    NoTls,
    /// The TLS setup failed, or the server refused the client during
    /// authentication (libpq retries in clear text then).
    OverTls,
    /// Anything else: no server there, or a refusal after authentication
    /// (`database "x" does not exist`), which libpq does not retry.
    Other,
}

fn connect_error_kind(e: &sqlx::Error) -> ConnectFailure {
    match e {
        sqlx::Error::Tls(tls) if tls.to_string().contains("server does not support TLS") => {
            ConnectFailure::NoTls
        }
        sqlx::Error::Tls(_) | sqlx::Error::Configuration(_) => ConnectFailure::OverTls,
        // rustls's refusal of the server's certificate comes through the
        // socket's I/O
        sqlx::Error::Io(io) if io.kind() == std::io::ErrorKind::InvalidData => {
            ConnectFailure::OverTls
        }
        // The server's authentication failures are class 28; of those,
        // only `role "x" does not exist` / `... is not permitted to log in`
        // come after authentication succeeded.
        sqlx::Error::Database(db) => match db.try_downcast_ref::<PgDatabaseError>() {
            Some(pg) if pg.code().starts_with("28") && !pg.message().starts_with("role \"") => {
                ConnectFailure::OverTls
            }
            _ => ConnectFailure::Other,
        },
        _ => ConnectFailure::Other,
    }
}

/// psycopg2's `OperationalError` text for a failed connection attempt.
pub(super) fn connect_error(e: sqlx::Error, target: &str, host: &str) -> DbError {
    let prefix = format!("connection to server {target} failed: ");
    match e {
        sqlx::Error::Database(db) => match db.try_downcast_ref::<PgDatabaseError>() {
            // libpq reports a server's refusal as text: psycopg2 raises a
            // plain `OperationalError` without `pgcode`, whatever the SQLSTATE
            // (`database "x" does not exist` is not `InvalidCatalogName` here)
            Some(pg) => {
                let server = server_error(pg);
                DbError::Connect {
                    message: format!("{prefix}{}", server.libpq_text("")),
                    code: None,
                    server: Some(Box::new(server)),
                }
            }
            None => DbError::Connect {
                message: format!("{prefix}{db}\n"),
                code: None,
                server: None,
            },
        },
        sqlx::Error::Io(io)
            if let Some(reason) = io
                .to_string()
                .strip_prefix("failed to lookup address information: ") =>
        {
            // the resolver's failure, worded as libpq words it
            DbError::Connect {
                message: format!(
                    "could not translate host name \"{host}\" to address: {}\n",
                    strip_os_error(reason)
                ),
                code: None,
                server: None,
            }
        }
        sqlx::Error::Io(io) => {
            let socket = target.starts_with("on socket");
            let text = match io.kind() {
                std::io::ErrorKind::ConnectionRefused => "Connection refused".to_string(),
                std::io::ErrorKind::NotFound => "No such file or directory".to_string(),
                _ => strip_os_error(&io.to_string()),
            };
            let hint = match io.kind() {
                std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::NotFound if socket => {
                    "\n\tIs the server running locally and accepting connections on that socket?"
                }
                std::io::ErrorKind::ConnectionRefused => {
                    "\n\tIs the server running on that host and accepting TCP/IP connections?"
                }
                _ => "",
            };
            DbError::Connect {
                message: format!("{prefix}{text}{hint}\n"),
                code: None,
                server: None,
            }
        }
        other => DbError::Connect {
            message: format!("{prefix}{other}\n"),
            code: None,
            server: None,
        },
    }
}

fn strip_os_error(text: &str) -> String {
    match text.find(" (os error") {
        Some(i) => text[..i].to_string(),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_switches() {
        assert_eq!(
            parse_pg_options(
                "-c search_path=a,b -ctimezone=Europe/Paris --statement-timeout=5 -c x=a\\ b"
            ),
            vec![
                ("search_path".to_string(), "a,b".to_string()),
                ("timezone".to_string(), "Europe/Paris".to_string()),
                ("statement_timeout".to_string(), "5".to_string()),
                ("x".to_string(), "a b".to_string()),
            ]
        );
    }
}
