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

/// One host of libpq's list and its port; `None` for libpq's defaults.
pub(super) type Endpoint = (Option<String>, Option<u16>);

/// What libpq would have been given, from the URL (SQLAlchemy's psycopg2
/// `create_connect_args`: URL parts, then query parameters overriding them).
pub(super) struct ConnectParams {
    /// libpq's host list: comma-separated names, addresses or socket
    /// directories (SQLAlchemy's multi-host URLs become one).
    host: Option<String>,
    /// libpq's port list: one port for every host, or one each.
    port: Option<String>,
    user: Option<String>,
    password: Option<String>,
    dbname: Option<String>,
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
    /// Fails as libpq's parse of the options fails (see
    /// [`Conninfo::from_url`]).
    pub(super) fn from_url(url: &Url) -> Result<ConnectParams, DbError> {
        let conninfo = Conninfo::from_url(url)?;
        let nonempty = |v: Option<String>| v.filter(|s| !s.is_empty());
        // what SQLAlchemy passes libpq: the URL's parts, overridden by its
        // query; then the service file's
        let given = |k: &str, part: Option<&str>| -> Option<String> {
            conninfo
                .given(k)
                .or(part)
                .or_else(|| conninfo.in_service(k))
                .map(str::to_string)
        };
        let q = |k: &str| given(k, None);
        let options_text = q("options").or_else(|| std::env::var("PGOPTIONS").ok());
        // `hostaddr` is where libpq connects, the host name aside
        let host = nonempty(q("hostaddr")).or_else(|| nonempty(given("host", url.host())));
        let port = url.port().map(|p| p.to_string());
        Ok(ConnectParams {
            host,
            port: given("port", port.as_deref()),
            user: nonempty(given("user", url.username())),
            password: nonempty(given("password", url.password())),
            dbname: nonempty(given("dbname", url.database())),
            sslrootcert: nonempty(q("sslrootcert")).or_else(|| std::env::var("PGSSLROOTCERT").ok()),
            sslcert: nonempty(q("sslcert")),
            sslkey: nonempty(q("sslkey")),
            application_name: q("application_name"),
            options: options_text
                .as_deref()
                .map(parse_pg_options)
                .unwrap_or_default(),
            conninfo,
        })
    }

    /// The hosts libpq tries, in order, each with its port (`None`: the
    /// default, the environment's or libpq's). The lists must pair up and
    /// the ports be numbers; libpq's words when they do not.
    pub(super) fn endpoints(&self) -> Result<Vec<Endpoint>, String> {
        let list = |text: &Option<String>| -> Vec<Option<String>> {
            match text {
                Some(t) => t
                    .split(',')
                    .map(|s| (!s.is_empty()).then(|| s.to_string()))
                    .collect(),
                None => vec![None],
            }
        };
        let hosts = list(&self.host);
        let ports = list(&self.port);
        if ports.len() != 1 && ports.len() != hosts.len() {
            return Err(format!(
                "could not match {} port numbers to {} hosts\n",
                ports.len(),
                hosts.len()
            ));
        }
        let mut numbers = Vec::with_capacity(ports.len());
        for port in &ports {
            numbers.push(match port {
                None => None,
                Some(text) => match conninfo::parse_int(text) {
                    Some(n) => Some(
                        u16::try_from(n)
                            .ok()
                            .filter(|n| *n > 0)
                            .ok_or_else(|| format!("invalid port number: \"{text}\"\n"))?,
                    ),
                    None => {
                        return Err(format!(
                            "invalid integer value \"{text}\" for connection option \"port\"\n"
                        ));
                    }
                },
            });
        }
        Ok(hosts
            .into_iter()
            .enumerate()
            .map(|(i, h)| (h, numbers[if numbers.len() == 1 { 0 } else { i }]))
            .collect())
    }

    /// What sqlx is given for one host of the list.
    pub(super) fn options_at(&self, host: Option<&str>, port: Option<u16>) -> PgConnectOptions {
        let mut opts = PgConnectOptions::new_without_pgpass()
            .statement_cache_capacity(1)
            .extra_float_digits(None);
        if let Some(h) = host {
            opts = opts.host(h);
        }
        if let Some(p) = port {
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
                pgpass_lookup(
                    self.conninfo.get("passfile"),
                    host,
                    opts.get_port(),
                    &db,
                    &user,
                )
            })
    }

    /// libpq's `require_auth` where alembic-rs can check it: a session
    /// opened without a password was let in without authentication
    /// (`trust`, `peer`, a certificate), which a list naming only methods
    /// refuses. With a password, which method the server asked for is
    /// sqlx's to know, not ours (docs/differences.md).
    pub(super) fn check_required_auth(
        &self,
        opts: &PgConnectOptions,
        target: &Target,
    ) -> Result<(), DbError> {
        if let Some(methods) = self.conninfo.get("require_auth").filter(|m| !m.is_empty())
            && conninfo::check_require_auth(&methods) == Ok(true)
            && self.password_for(opts).is_none()
        {
            return Err(DbError::Connect {
                message: format!(
                    "connection to server {target} failed: authentication method requirement \
                     \"{methods}\" failed: server did not complete authentication\n"
                ),
                code: None,
                server: None,
            });
        }
        Ok(())
    }

    pub(super) fn conninfo(&self) -> &Conninfo {
        &self.conninfo
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

    /// The `sslmode` in force ([`Conninfo::sslmode`]).
    fn mode(&self) -> String {
        self.conninfo.sslmode()
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
    fn missing_key(&self, target: &Target) -> Option<DbError> {
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
        target: &Target,
        host: &str,
    ) -> Result<PgConnection, DbError> {
        // libpq never negotiates TLS over a Unix-domain socket, whatever
        // `sslmode` says: only the option checks apply there.
        let over_socket = opts.get_socket().is_some() || opts.get_host().starts_with('/');
        self.check_root_cert(target, over_socket)?;
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
        match self.mode().as_str() {
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

    /// libpq's checks of the options before it tries any host
    /// ([`Conninfo::check_values`]), then what alembic-rs's client cannot
    /// do: sqlx's SCRAM never binds the channel and it has no GSSAPI, so
    /// those are refused before any password is sent, in libpq's words for
    /// the server that let this client in without binding (trust). `target`
    /// names the first host.
    pub(super) fn check_before(&self, target: &Target) -> Result<(), DbError> {
        let refuse = |message: String| DbError::Connect {
            message,
            code: None,
            server: None,
        };
        self.conninfo.check_values().map_err(refuse)?;
        if self.conninfo.get("channel_binding").as_deref() == Some("require") {
            return Err(refuse(format!(
                "connection to server {target} failed: channel binding required, but server \
                 authenticated client without channel binding\n"
            )));
        }
        if self.conninfo.get("gssencmode").as_deref() == Some("require") {
            return Err(refuse(
                "GSSAPI encryption required but no credential cache\n".into(),
            ));
        }
        Ok(())
    }

    /// The checks of one attempt before TLS: for the verifying modes a root
    /// certificate file that exists (not over a Unix-domain socket, where
    /// no TLS is tried).
    fn check_root_cert(&self, target: &Target, over_socket: bool) -> Result<(), DbError> {
        let refuse = |message: String| DbError::Connect {
            message,
            code: None,
            server: None,
        };
        if self.mode().starts_with("verify-")
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

/// libpq's password file lookup (`passfile`, else `PGPASSFILE`, else
/// `~/.pgpass`; ignored when group- or world-readable, as libpq does).
fn pgpass_lookup(
    passfile: Option<String>,
    host: &str,
    port: u16,
    db: &str,
    user: &str,
) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let path = passfile
        .filter(|p| !p.is_empty())
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

/// libpq's `~/.postgresql/root.crt`.
fn default_root_cert() -> String {
    let home = std::env::var("HOME").unwrap_or_default();
    format!("{home}/.postgresql/root.crt")
}

/// libpq's way of naming the server in connection errors: the socket's
/// path, or the host as given, with the address a name resolved to (`at
/// "localhost" (127.0.0.1), port 5432`). The name is resolved when an error
/// is worded, not before every connection.
pub(super) struct Target {
    socket: Option<String>,
    host: String,
    port: u16,
}

impl Target {
    pub(super) fn of(opts: &PgConnectOptions) -> Target {
        let socket = match opts.get_socket() {
            Some(dir) => Some(dir.display().to_string()),
            None if opts.get_host().starts_with('/') => Some(opts.get_host().to_string()),
            None => None,
        };
        Target {
            socket,
            host: opts.get_host().to_string(),
            port: opts.get_port(),
        }
    }

    pub(super) fn is_socket(&self) -> bool {
        self.socket.is_some()
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use std::net::ToSocketAddrs;
        let (host, port) = (&self.host, self.port);
        if let Some(dir) = &self.socket {
            return write!(f, "on socket \"{dir}/.s.PGSQL.{port}\"");
        }
        let resolved = match host.parse::<std::net::IpAddr>() {
            Ok(_) => None,
            Err(_) => (host.as_str(), port)
                .to_socket_addrs()
                .ok()
                .and_then(|mut addrs| addrs.next()),
        };
        match resolved {
            Some(addr) => write!(f, "at \"{host}\" ({}), port {port}", addr.ip()),
            None => write!(f, "at \"{host}\", port {port}"),
        }
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
pub(super) fn connect_error(e: sqlx::Error, target: &Target, host: &str) -> DbError {
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
            let socket = target.is_socket();
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
