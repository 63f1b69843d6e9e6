//! libpq's checks of the connection options, made where libpq makes them:
//! an unknown keyword when the options are parsed, a value outside an
//! option's words before connecting, a number that is not one during the
//! attempt. psycopg2 and psycopg refuse such a URL; without these checks a
//! typo (`?sslmod=require`, `?target_session_attrs=read_write`) was
//! ignored and the session opened anyway.
//!
//! The texts are libpq 17's (the libpq psycopg2-binary bundles).

use super::super::Url;
use super::super::error::DbError;
use super::service;

/// libpq 17's connection keywords (`PQconndefaults()`).
pub(super) const KEYWORDS: [&str; 41] = [
    "service",
    "user",
    "password",
    "passfile",
    "channel_binding",
    "connect_timeout",
    "dbname",
    "host",
    "hostaddr",
    "port",
    "client_encoding",
    "options",
    "application_name",
    "fallback_application_name",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "tcp_user_timeout",
    "sslmode",
    "sslnegotiation",
    "sslcompression",
    "sslcert",
    "sslkey",
    "sslcertmode",
    "sslpassword",
    "sslrootcert",
    "sslcrl",
    "sslcrldir",
    "sslsni",
    "requirepeer",
    "require_auth",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "gssencmode",
    "krbsrvname",
    "gsslib",
    "gssdelegation",
    "replication",
    "target_session_attrs",
    "load_balance_hosts",
];

/// The environment variable libpq reads for an option the URL leaves out.
fn env_var(option: &str) -> Option<&'static str> {
    Some(match option {
        "channel_binding" => "PGCHANNELBINDING",
        "connect_timeout" => "PGCONNECT_TIMEOUT",
        "passfile" => "PGPASSFILE",
        "sslmode" => "PGSSLMODE",
        "sslnegotiation" => "PGSSLNEGOTIATION",
        "sslcertmode" => "PGSSLCERTMODE",
        "sslrootcert" => "PGSSLROOTCERT",
        "require_auth" => "PGREQUIREAUTH",
        "ssl_min_protocol_version" => "PGSSLMINPROTOCOLVERSION",
        "ssl_max_protocol_version" => "PGSSLMAXPROTOCOLVERSION",
        "gssencmode" => "PGGSSENCMODE",
        "target_session_attrs" => "PGTARGETSESSIONATTRS",
        "load_balance_hosts" => "PGLOADBALANCEHOSTS",
        _ => return None,
    })
}

/// The URL's connection options as libpq would hold them.
pub(super) struct Conninfo {
    given: Vec<(String, String)>,
    /// The options of the service file's section the URL names.
    service: Vec<(String, String)>,
    /// psycopg2 asks libpq for the session's cancel key after connecting.
    psycopg2: bool,
}

impl Conninfo {
    /// Fails as libpq's parse of the options fails: on a keyword it does
    /// not know, then on the service file.
    pub(super) fn from_url(url: &Url) -> Result<Conninfo, DbError> {
        let mut conninfo = Conninfo {
            given: url
                .query()
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), v.first()?.clone())))
                .collect(),
            service: Vec::new(),
            psycopg2: matches!(url.default_driver_name(), Some("psycopg2" | "psycopg2cffi")),
        };
        conninfo.check_keywords(url)?;
        let name = conninfo
            .given("service")
            .map(str::to_string)
            .or_else(|| std::env::var("PGSERVICE").ok());
        if let Some(name) = name.filter(|n| !n.is_empty()) {
            conninfo.service = service::lookup(&name).map_err(|message| DbError::Connect {
                message,
                code: None,
                server: None,
            })?;
        }
        Ok(conninfo)
    }

    /// The option as the URL gives it.
    pub(super) fn given(&self, option: &str) -> Option<&str> {
        self.given
            .iter()
            .find(|(k, _)| k == option)
            .map(|(_, v)| v.as_str())
    }

    /// The option as the service file gives it.
    pub(super) fn in_service(&self, option: &str) -> Option<&str> {
        self.service
            .iter()
            .find(|(k, _)| k == option)
            .map(|(_, v)| v.as_str())
    }

    /// The option's value: the URL's, else the service file's, else its
    /// environment variable's.
    pub(super) fn get(&self, option: &str) -> Option<String> {
        self.given(option)
            .or_else(|| self.in_service(option))
            .map(str::to_string)
            .or_else(|| std::env::var(env_var(option)?).ok())
    }

    /// The `sslmode` in force: the given one (URL, service file,
    /// `PGSSLMODE`), else `verify-full` under `sslrootcert=system`, else
    /// `prefer`.
    pub(super) fn sslmode(&self) -> String {
        self.get("sslmode").unwrap_or_else(|| {
            if self.get("sslrootcert").as_deref() == Some("system") {
                "verify-full".into()
            } else {
                "prefer".into()
            }
        })
    }

    /// libpq's parse of the options: the first keyword it does not know.
    /// Only for the drivers that hand the URL's query to libpq (psycopg2,
    /// psycopg); asyncpg's keywords are checked by the shim, as asyncpg's.
    fn check_keywords(&self, url: &Url) -> Result<(), DbError> {
        let driver = url.default_driver_name().unwrap_or_default();
        // psycopg's connect() keywords that are not libpq's
        let psycopg_own: &[&str] = match driver {
            "psycopg" | "psycopg_async" => &["autocommit", "prepare_threshold"],
            "psycopg2" | "psycopg2cffi" => &[],
            _ => return Ok(()),
        };
        match self
            .given
            .iter()
            .find(|(k, _)| !KEYWORDS.contains(&k.as_str()) && !psycopg_own.contains(&k.as_str()))
        {
            Some((key, _)) => Err(DbError::Usage(format!(
                "invalid dsn: invalid connection option \"{key}\"\n"
            ))),
            None => Ok(()),
        }
    }

    /// libpq's checks of the options' values before it connects, in its
    /// order; the text of the first that fails.
    pub(super) fn check_values(&self) -> Result<(), String> {
        let invalid = |name: &str, value: &str| format!("invalid {name} value: \"{value}\"\n");
        let one_of = |name: &str, words: &[&str]| match self.get(name) {
            Some(v) if !words.contains(&v.as_str()) => Err(invalid(name, &v)),
            _ => Ok(()),
        };
        if let Some(methods) = self.get("require_auth").filter(|m| !m.is_empty()) {
            check_require_auth(&methods)?;
        }
        one_of("channel_binding", &["disable", "prefer", "require"])?;
        one_of(
            "sslmode",
            &[
                "disable",
                "allow",
                "prefer",
                "require",
                "verify-ca",
                "verify-full",
            ],
        )?;
        one_of("sslnegotiation", &["postgres", "direct"])?;
        let rootcert_system = self.get("sslrootcert").as_deref() == Some("system");
        let mode = self.sslmode();
        if self.get("sslnegotiation").as_deref() == Some("direct")
            && !matches!(mode.as_str(), "require" | "verify-ca" | "verify-full")
        {
            return Err(format!(
                "weak sslmode \"{mode}\" may not be used with sslnegotiation=direct (use \
                 \"require\", \"verify-ca\", or \"verify-full\")\n"
            ));
        }
        if rootcert_system && mode != "verify-full" {
            return Err(format!(
                "weak sslmode \"{mode}\" may not be used with sslrootcert=system (use \
                 \"verify-full\")\n"
            ));
        }
        let min = self.get("ssl_min_protocol_version");
        let max = self.get("ssl_max_protocol_version");
        for (name, value) in [
            ("ssl_min_protocol_version", &min),
            ("ssl_max_protocol_version", &max),
        ] {
            if let Some(v) = value
                && tls_version(v).is_none()
            {
                return Err(format!("invalid \"{name}\" value: \"{v}\"\n"));
            }
        }
        let min = tls_version(min.as_deref().unwrap_or("TLSv1.2")).flatten();
        let max = max.as_deref().and_then(tls_version).flatten();
        if let (Some(min), Some(max)) = (min, max)
            && min > max
        {
            return Err("invalid SSL protocol version range\n".into());
        }
        one_of("sslcertmode", &["disable", "allow", "require"])?;
        one_of("gssencmode", &["disable", "prefer", "require"])?;
        one_of(
            "target_session_attrs",
            &[
                "any",
                "read-write",
                "read-only",
                "primary",
                "standby",
                "prefer-standby",
            ],
        )?;
        one_of("load_balance_hosts", &["disable", "random"])?;
        Ok(())
    }

    /// libpq's parse of the numeric options while it opens a socket to a
    /// host: the keepalive settings over TCP (the others only while
    /// `keepalives` is on) and `tcp_user_timeout`. A failure moves on to
    /// the next host.
    pub(super) fn check_socket_options(&self, over_socket: bool) -> Result<(), String> {
        if over_socket {
            return Ok(());
        }
        if self.number("keepalives")? != Some(0) {
            self.number("keepalives_idle")?;
            self.number("keepalives_interval")?;
            self.number("keepalives_count")?;
        }
        self.number("tcp_user_timeout")?;
        Ok(())
    }

    /// `connect_timeout`, parsed once the first socket is opening; a
    /// failure ends the walk over the hosts.
    pub(super) fn check_connect_timeout(&self) -> Result<(), String> {
        self.number("connect_timeout").map(|_| ())
    }

    /// How long libpq waits for each host: `connect_timeout` seconds when
    /// positive, else for ever.
    pub(super) fn connect_timeout(&self) -> Option<std::time::Duration> {
        match self.number("connect_timeout") {
            Ok(Some(seconds)) if seconds > 0 => {
                Some(std::time::Duration::from_secs(seconds as u64))
            }
            _ => None,
        }
    }

    fn number(&self, name: &str) -> Result<Option<i32>, String> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => parse_int(&v).map(Some).ok_or_else(|| {
                format!("invalid integer value \"{v}\" for connection option \"{name}\"\n")
            }),
        }
    }

    /// psycopg2's failure once connected: libpq parses every keepalive
    /// option for the cancel key psycopg2 asks for, over a socket or with
    /// `keepalives=0` too, where the attempt itself skipped them.
    pub(super) fn check_cancel_key(&self) -> Result<(), String> {
        let options = [
            "keepalives",
            "keepalives_idle",
            "keepalives_interval",
            "keepalives_count",
            "tcp_user_timeout",
        ];
        if self.psycopg2
            && options
                .iter()
                .any(|o| self.get(o).is_some_and(|v| parse_int(&v).is_none()))
        {
            return Err("can't get cancellation key".into());
        }
        Ok(())
    }
}

/// `strtol` as libpq's option parser uses it: surrounding whitespace, a
/// sign, decimal digits, a value that fits an `int`.
pub(super) fn parse_int(text: &str) -> Option<i32> {
    let t = text.trim_matches(|c: char| c.is_ascii_whitespace());
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

/// A TLS protocol version's rank; `Some(None)` for the empty value (no
/// bound), `None` for a word libpq does not know.
fn tls_version(text: &str) -> Option<Option<u8>> {
    if text.is_empty() {
        return Some(None);
    }
    ["tlsv1", "tlsv1.1", "tlsv1.2", "tlsv1.3"]
        .iter()
        .position(|v| v.eq_ignore_ascii_case(text))
        .map(|i| Some(i as u8))
}

/// libpq's grammar of `require_auth`: a comma-separated list of methods,
/// all of them negated (`!password`) or none, each named once. `Ok(true)`
/// when the list requires the server to ask for some authentication
/// (refusing a server that lets the client in without, `trust`).
pub(super) fn check_require_auth(text: &str) -> Result<bool, String> {
    const ALL: u32 = u32::MAX;
    let mut required = true;
    let mut allowed = 0u32;
    let mut negated = false;
    for (i, raw) in text.split(',').enumerate() {
        let part = raw;
        let mut method = part;
        if let Some(rest) = part.strip_prefix('!') {
            if i == 0 {
                required = false;
                allowed = ALL;
            } else if !negated {
                return Err(format!(
                    "negative require_auth method \"{part}\" cannot be mixed with \
                     non-negative methods\n"
                ));
            }
            negated = true;
            method = rest;
        } else if negated {
            return Err(format!(
                "require_auth method \"{part}\" cannot be mixed with negative methods\n"
            ));
        }
        let duplicate = || format!("require_auth method \"{part}\" is specified more than once\n");
        // libpq's authentication request codes each method answers
        let bits: u32 = match method {
            "password" => 1 << 3,
            "md5" => 1 << 5,
            "gss" => (1 << 7) | (1 << 8),
            "sspi" => (1 << 9) | (1 << 8),
            "scram-sha-256" => (1 << 10) | (1 << 11) | (1 << 12),
            "none" => {
                // `none` allows a server that asks for nothing; `!none`
                // requires it to ask
                if negated == required {
                    return Err(duplicate());
                }
                required = negated;
                continue;
            }
            _ => return Err(format!("invalid require_auth value: \"{method}\"\n")),
        };
        if negated {
            if allowed & bits == 0 {
                return Err(duplicate());
            }
            allowed &= !bits;
        } else {
            if allowed & bits == bits {
                return Err(duplicate());
            }
            allowed |= bits;
        }
    }
    Ok(required)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_as_libpq_reads_them() {
        assert_eq!(parse_int(" 5 "), Some(5));
        assert_eq!(parse_int("-3"), Some(-3));
        assert_eq!(parse_int("+7"), Some(7));
        for bad in ["", " ", "1.5", "0x10", "abc", "99999999999", "5s", "- 1"] {
            assert_eq!(parse_int(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn require_auth_grammar() {
        for (ok, required) in [
            ("password", true),
            ("!password", false),
            ("password,md5", true),
            ("!gss,!sspi", false),
            ("gss,sspi", true),
            ("scram-sha-256,none", false),
            ("!password,!none", true),
            ("!none", true),
            ("none", false),
        ] {
            assert_eq!(check_require_auth(ok), Ok(required), "{ok}");
        }
        assert_eq!(
            check_require_auth(" password"),
            Err("invalid require_auth value: \" password\"\n".into())
        );
        assert_eq!(
            check_require_auth("password,"),
            Err("invalid require_auth value: \"\"\n".into())
        );
        assert_eq!(
            check_require_auth("x"),
            Err("invalid require_auth value: \"x\"\n".into())
        );
        assert_eq!(
            check_require_auth("password,!md5"),
            Err(
                "negative require_auth method \"!md5\" cannot be mixed with non-negative methods\n"
                    .into()
            )
        );
        assert_eq!(
            check_require_auth("!md5,password"),
            Err("require_auth method \"password\" cannot be mixed with negative methods\n".into())
        );
        assert_eq!(
            check_require_auth("md5,md5"),
            Err("require_auth method \"md5\" is specified more than once\n".into())
        );
        assert_eq!(
            check_require_auth("none,none"),
            Err("require_auth method \"none\" is specified more than once\n".into())
        );
        assert_eq!(
            check_require_auth("!none,!none"),
            Err("require_auth method \"!none\" is specified more than once\n".into())
        );
    }
}
