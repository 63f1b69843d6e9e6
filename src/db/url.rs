//! SQLAlchemy database URLs, parsed and rendered exactly as
//! `sqlalchemy.engine.make_url` and `URL.render_as_string` do.
//!
//! alembic-rs reads `sqlalchemy.url` from `alembic.ini` and prints it back in
//! places where Alembic does (e.g. `--sql` headers, log lines, error messages),
//! so both directions must be byte-identical to SQLAlchemy 2.x. The parser
//! ([`match_url`]) finds what SQLAlchemy's regular expression (`_parse_url`)
//! captures under Python's backtracking, written out by hand: compiling the
//! pattern cost every connecting command ~1 ms and half a megabyte of
//! regex-engine code pages (a unit test checks the two agree); the decoding
//! and quoting helpers follow `urllib.parse` (`unquote`, `quote`,
//! `quote_plus`, `parse_qsl`).

use std::fmt;

use super::Dialect;

/// Why a URL string could not be turned into a [`Url`]; the messages are the
/// ones SQLAlchemy (or Python underneath it) gives.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// `sqlalchemy.exc.ArgumentError`.
    #[error("Could not parse SQLAlchemy URL from given URL string")]
    Unparseable,
    /// Python's `int()` rejecting the port text (SQLAlchemy lets the
    /// `ValueError` through), or a port outside 0..=65535, which SQLAlchemy
    /// would accept but no server listens on.
    #[error("invalid literal for int() with base 10: '{0}'")]
    InvalidPort(String),
    /// `sqlalchemy.exc.NoSuchModuleError` for a backend alembic-rs cannot
    /// connect to (also `postgres://`, which SQLAlchemy 1.4+ rejects too).
    #[error("Can't load plugin: sqlalchemy.dialects:{0}")]
    NoSuchDialect(String),
}

/// A parsed SQLAlchemy URL: `dialect[+driver]://[user[:password]@][host][:port][/database][?query]`.
///
/// Components keep SQLAlchemy's distinction between absent (`None`) and
/// empty (`Some("")`), because rendering differs (`postgresql://@h/` keeps
/// its `@`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url {
    drivername: String,
    username: Option<String>,
    password: Option<String>,
    host: Option<String>,
    port: Option<u16>,
    database: Option<String>,
    /// Keys in first-seen order; a key given several times keeps all its
    /// values (SQLAlchemy turns those into a tuple).
    query: Vec<(String, Vec<String>)>,
}

/// What SQLAlchemy's `_parse_url` pattern captures:
///
/// ```text
/// (?P<name>[\w\+]+)://
/// (?:(?P<username>[^:/]*)(?::(?P<password>[^@]*))?@)?
/// (?:(?:\[(?P<ipv6host>[^/\?]+)\]|(?P<ipv4host>[^/:\?]+))?(?::(?P<port>[^/\?]*))?)?
/// (?:/(?P<database>[^\?]*))?
/// (?:\?(?P<query>.*))?
/// ```
#[derive(Debug, Default, PartialEq, Eq)]
struct Captures<'a> {
    name: &'a str,
    username: Option<&'a str>,
    password: Option<&'a str>,
    ipv6host: Option<&'a str>,
    ipv4host: Option<&'a str>,
    port: Option<&'a str>,
    database: Option<&'a str>,
    query: Option<&'a str>,
}

/// The pattern's match (anchored at the start only, as `re.match`). Every
/// group after `://` is optional, so the first way each group can match
/// is the one taken and nothing after it can send the engine back; what is
/// left is where backtracking *within* a group lands, noted per group.
fn match_url(text: &str) -> Option<Captures<'_>> {
    // Python's `\w`: `str.isalnum()` or `_`.
    let name_len = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '+'))
        .unwrap_or(text.len());
    let mut rest = text[name_len..].strip_prefix("://")?;
    let mut caps = Captures {
        name: &text[..name_len],
        ..Captures::default()
    };
    if caps.name.is_empty() {
        return None;
    }

    // userinfo: the username stops at the first `:` or `/`; with a `:`
    // there, the password runs to the first `@` after it. Without one
    // (or with no `@` after the `:`), the username backs off to the last
    // `@` before that stop.
    let stop = rest.find([':', '/']).unwrap_or(rest.len());
    let with_password = rest[stop..]
        .strip_prefix(':')
        .and_then(|after| after.find('@').map(|at| (stop, stop + 1 + at)));
    if let Some((colon, at)) = with_password {
        caps.username = Some(&rest[..colon]);
        caps.password = Some(&rest[colon + 1..at]);
        rest = &rest[at + 1..];
    } else if let Some(at) = rest[..stop].rfind('@') {
        caps.username = Some(&rest[..at]);
        rest = &rest[at + 1..];
    }

    // host: `[...]` backs off to the last `]` before a `/` or `?` (at
    // least one character inside), else a run of anything but `/:?`.
    let ipv6 = rest.strip_prefix('[').and_then(|body| {
        let stop = body.find(['/', '?']).unwrap_or(body.len());
        body[..stop]
            .rfind(']')
            .filter(|&close| close > 0)
            .map(|close| (&body[..close], &body[close + 1..]))
    });
    if let Some((host, after)) = ipv6 {
        caps.ipv6host = Some(host);
        rest = after;
    } else {
        let len = rest.find(['/', ':', '?']).unwrap_or(rest.len());
        if len > 0 {
            caps.ipv4host = Some(&rest[..len]);
            rest = &rest[len..];
        }
    }
    if let Some(after) = rest.strip_prefix(':') {
        let len = after.find(['/', '?']).unwrap_or(after.len());
        caps.port = Some(&after[..len]);
        rest = &after[len..];
    }
    if let Some(after) = rest.strip_prefix('/') {
        let len = after.find('?').unwrap_or(after.len());
        caps.database = Some(&after[..len]);
        rest = &after[len..];
    }
    if let Some(after) = rest.strip_prefix('?') {
        // `.` stops at a newline
        caps.query = Some(&after[..after.find('\n').unwrap_or(after.len())]);
    }
    Some(caps)
}

impl Url {
    /// `sqlalchemy.engine.make_url(text)`.
    pub fn parse(text: &str) -> Result<Url, UrlError> {
        let caps = match_url(text).ok_or(UrlError::Unparseable)?;

        let mut query: Vec<(String, Vec<String>)> = Vec::new();
        if let Some(q) = caps.query {
            for (key, value) in parse_qsl(q) {
                match query.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, values)) => values.push(value),
                    None => query.push((key, vec![value])),
                }
            }
        }

        // SQLAlchemy converts a non-empty port with `int()`, and `URL.create`
        // runs `int()` on an empty one too, so `h:/db` is an error as well.
        let port = caps.port.map(parse_port).transpose()?;

        Ok(Url {
            drivername: caps.name.to_string(),
            username: caps.username.map(unquote),
            password: caps.password.map(unquote),
            host: caps.ipv4host.or(caps.ipv6host).map(str::to_string),
            port,
            database: caps.database.map(unquote),
            query,
        })
    }

    /// `URL.drivername`, e.g. `postgresql+psycopg2`.
    pub fn drivername(&self) -> &str {
        &self.drivername
    }

    /// `URL.get_backend_name()`: the part before `+`.
    pub fn backend_name(&self) -> &str {
        self.drivername.split('+').next().unwrap_or_default()
    }

    /// The explicit driver (`URL.get_driver_name()` when the URL names one);
    /// `None` for a bare `postgresql://`, where SQLAlchemy would load the
    /// dialect's default driver (see [`Url::default_driver_name`]).
    pub fn driver_name(&self) -> Option<&str> {
        self.drivername.split('+').nth(1)
    }

    /// `URL.get_driver_name()`: the explicit driver, else the default driver
    /// of SQLAlchemy's dialect for this backend (`None` for backends whose
    /// dialect alembic-rs does not know).
    pub fn default_driver_name(&self) -> Option<&str> {
        self.driver_name().or(match self.backend_name() {
            "postgresql" => Some("psycopg2"),
            "sqlite" => Some("pysqlite"),
            "mysql" | "mariadb" => Some("mysqldb"),
            _ => None,
        })
    }

    /// The dialect alembic-rs connects with, or SQLAlchemy's
    /// `NoSuchModuleError` text for anything else.
    pub fn dialect(&self) -> Result<Dialect, UrlError> {
        match self.backend_name() {
            "postgresql" => Ok(Dialect::Postgresql),
            "sqlite" => Ok(Dialect::Sqlite),
            "mysql" | "mariadb" => Ok(Dialect::Mysql),
            _ => Err(UrlError::NoSuchDialect(self.drivername.replace('+', "."))),
        }
    }

    pub fn username(&self) -> Option<&str> {
        self.username.as_deref()
    }

    pub fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }

    /// The host without IPv6 brackets.
    pub fn host(&self) -> Option<&str> {
        self.host.as_deref()
    }

    pub fn port(&self) -> Option<u16> {
        self.port
    }

    pub fn database(&self) -> Option<&str> {
        self.database.as_deref()
    }

    /// All query parameters, keys in first-seen order.
    pub fn query(&self) -> &[(String, Vec<String>)] {
        &self.query
    }

    /// Every value given for `key`.
    pub fn query_values(&self, key: &str) -> &[String] {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_slice())
            .unwrap_or_default()
    }

    /// The first value given for `key`.
    pub fn query_value(&self, key: &str) -> Option<&str> {
        self.query_values(key).first().map(String::as_str)
    }

    /// `URL.render_as_string(hide_password)`: the password as `***` when
    /// hidden; query keys sorted; `str(url)` is `render(true)`.
    pub fn render(&self, hide_password: bool) -> String {
        let mut s = format!("{}://", self.drivername);
        if let Some(user) = &self.username {
            s.push_str(&quote(user, b" +"));
            if let Some(password) = &self.password {
                s.push(':');
                if hide_password {
                    s.push_str("***");
                } else {
                    s.push_str(&quote(password, b" +"));
                }
            }
            s.push('@');
        }
        if let Some(host) = &self.host {
            if host.contains(':') {
                s.push('[');
                s.push_str(host);
                s.push(']');
            } else {
                s.push_str(host);
            }
        }
        if let Some(port) = self.port {
            s.push(':');
            s.push_str(&port.to_string());
        }
        if let Some(database) = &self.database {
            s.push('/');
            s.push_str(&quote(database, b" +/"));
        }
        if !self.query.is_empty() {
            let mut keys: Vec<&(String, Vec<String>)> = self.query.iter().collect();
            keys.sort_by(|a, b| a.0.cmp(&b.0));
            let pairs: Vec<String> = keys
                .iter()
                .flat_map(|(k, values)| {
                    values
                        .iter()
                        .map(move |v| format!("{}={}", quote_plus(k), quote_plus(v)))
                })
                .collect();
            s.push('?');
            s.push_str(&pairs.join("&"));
        }
        s
    }
}

impl fmt::Display for Url {
    /// Like Python's `str(url)`: the password hidden.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(true))
    }
}

impl std::str::FromStr for Url {
    type Err = UrlError;

    fn from_str(s: &str) -> Result<Url, UrlError> {
        Url::parse(s)
    }
}

/// Python's `int(text)` for the port group: surrounding whitespace, a sign
/// and `_` between digits are accepted.
fn parse_port(text: &str) -> Result<u16, UrlError> {
    let invalid = || UrlError::InvalidPort(text.to_string());
    let t = text.trim();
    let (negative, digits) = match t.as_bytes().first() {
        Some(b'+') => (false, &t[1..]),
        Some(b'-') => (true, &t[1..]),
        _ => (false, t),
    };
    let valid_underscores = !digits.starts_with('_')
        && !digits.ends_with('_')
        && !digits.contains("__")
        && digits.chars().all(|c| c.is_ascii_digit() || c == '_');
    if digits.is_empty() || !valid_underscores {
        return Err(invalid());
    }
    let value: u64 = digits.replace('_', "").parse().map_err(|_| invalid())?;
    if negative && value != 0 {
        return Err(invalid());
    }
    u16::try_from(value).map_err(|_| invalid())
}

/// `urllib.parse.unquote`: `%XX` escapes decoded as UTF-8 with
/// `errors="replace"`; a `%` not followed by two hex digits stays.
pub(crate) fn unquote(text: &str) -> String {
    if !text.contains('%') {
        return text.to_string();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex_val(bytes[i + 1]), hex_val(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_val(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// `urllib.parse.quote(text, safe=...)`: UTF-8 bytes outside the
/// always-safe set (`A-Za-z0-9_.-~`) and `safe` become `%XX` (upper case).
pub(crate) fn quote(text: &str, safe: &[u8]) -> String {
    let mut out = String::with_capacity(text.len());
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || b"_.-~".contains(&b) || safe.contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `urllib.parse.quote_plus(text)`: like [`quote`] with nothing extra safe,
/// spaces becoming `+`.
pub(crate) fn quote_plus(text: &str) -> String {
    if text.contains(' ') {
        quote(text, b" ").replace(' ', "+")
    } else {
        quote(text, b"")
    }
}

/// `urllib.parse.parse_qsl(qs)` with its defaults: `&`-separated, pairs
/// without `=` or with an empty value dropped, `+` meaning space.
fn parse_qsl(qs: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if qs.is_empty() {
        return out;
    }
    for field in qs.split('&') {
        if field.is_empty() {
            continue;
        }
        let Some((name, value)) = field.split_once('=') else {
            continue;
        };
        if value.is_empty() {
            continue;
        }
        out.push((
            unquote(&name.replace('+', " ")),
            unquote(&value.replace('+', " ")),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    type Parts<'a> = (
        Option<&'a str>,
        Option<&'a str>,
        Option<&'a str>,
        Option<u16>,
        Option<&'a str>,
    );

    fn parts(u: &Url) -> Parts<'_> {
        (u.username(), u.password(), u.host(), u.port(), u.database())
    }

    /// `match_url` captures what SQLAlchemy's pattern does under a
    /// leftmost-first engine (the `regex` crate picks the same captures as
    /// Python's backtracking here), on strings made mostly of the
    /// characters the pattern cares about.
    #[test]
    fn match_url_agrees_with_sqlalchemys_pattern() {
        let pattern = regex::Regex::new(concat!(
            r"^(?P<name>[\w\+]+)://",
            r"(?:(?P<username>[^:/]*)(?::(?P<password>[^@]*))?@)?",
            r"(?:(?:\[(?P<ipv6host>[^/\?]+)\]|(?P<ipv4host>[^/:\?]+))?(?::(?P<port>[^/\?]*))?)?",
            r"(?:/(?P<database>[^\?]*))?",
            r"(?:\?(?P<query>.*))?",
        ))
        .unwrap();
        let alphabet: Vec<char> = "a1_+:/@[]?\n%-".chars().collect();
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for _ in 0..200_000 {
            let mut text = String::new();
            if next(4) != 0 {
                text.push_str(["pg", "a+b", "", "_"][next(4)]);
                text.push_str("://");
            }
            for _ in 0..next(14) {
                text.push(alphabet[next(alphabet.len())]);
            }
            let expected = pattern.captures(&text).map(|c| {
                let g = |n: &str| c.name(n).map(|m| m.as_str());
                Captures {
                    name: g("name").unwrap(),
                    username: g("username"),
                    password: g("password"),
                    ipv6host: g("ipv6host"),
                    ipv4host: g("ipv4host"),
                    port: g("port"),
                    database: g("database"),
                    query: g("query"),
                }
            });
            assert_eq!(match_url(&text), expected, "{text:?}");
        }
    }

    #[test]
    fn full_postgres_url() {
        let u =
            Url::parse("postgresql+psycopg2://scott:ti%40ger@db.example:5433/app?sslmode=disable")
                .unwrap();
        assert_eq!(u.backend_name(), "postgresql");
        assert_eq!(u.driver_name(), Some("psycopg2"));
        assert_eq!(u.dialect().unwrap(), Dialect::Postgresql);
        assert_eq!(
            parts(&u),
            (
                Some("scott"),
                Some("ti@ger"),
                Some("db.example"),
                Some(5433),
                Some("app")
            )
        );
        assert_eq!(u.query_value("sslmode"), Some("disable"));
        assert_eq!(
            u.render(true),
            "postgresql+psycopg2://scott:***@db.example:5433/app?sslmode=disable"
        );
        assert_eq!(
            u.render(false),
            "postgresql+psycopg2://scott:ti%40ger@db.example:5433/app?sslmode=disable"
        );
    }

    #[test]
    fn sqlite_forms() {
        let mem = Url::parse("sqlite://").unwrap();
        assert_eq!(parts(&mem), (None, None, None, None, None));
        assert_eq!(mem.render(true), "sqlite://");
        assert_eq!(
            Url::parse("sqlite:///relative.db").unwrap().database(),
            Some("relative.db")
        );
        assert_eq!(
            Url::parse("sqlite:////abs/path.db").unwrap().database(),
            Some("/abs/path.db")
        );
        assert_eq!(
            Url::parse("sqlite:///:memory:").unwrap().database(),
            Some(":memory:")
        );
        let ro = Url::parse("sqlite+pysqlite:///x.db?mode=ro").unwrap();
        assert_eq!(ro.driver_name(), Some("pysqlite"));
        assert_eq!(ro.database(), Some("x.db"));
        assert_eq!(ro.query_value("mode"), Some("ro"));
        assert_eq!(ro.render(false), "sqlite+pysqlite:///x.db?mode=ro");
    }

    #[test]
    fn ipv6_and_multivalued_query() {
        let u = Url::parse("mysql+pymysql://u@[::1]:3306/d?b=2&a=1&b=3&c=&d").unwrap();
        assert_eq!(u.host(), Some("::1"));
        assert_eq!(u.dialect().unwrap(), Dialect::Mysql);
        assert_eq!(u.query_values("b"), ["2", "3"]);
        assert_eq!(u.query_value("c"), None);
        assert_eq!(u.render(true), "mysql+pymysql://u@[::1]:3306/d?a=1&b=2&b=3");
    }

    #[test]
    fn quoting_on_render() {
        let u = Url::parse("postgresql://us%20er:p%2Bw%3A@h/my%20db?k+1=v%26+x").unwrap();
        assert_eq!(u.username(), Some("us er"));
        assert_eq!(u.password(), Some("p+w:"));
        assert_eq!(u.database(), Some("my db"));
        assert_eq!(u.query_value("k 1"), Some("v& x"));
        assert_eq!(
            u.render(false),
            "postgresql://us er:p+w%3A@h/my db?k+1=v%26+x"
        );
    }

    #[test]
    fn empty_components_are_kept() {
        let u = Url::parse("postgresql://@/").unwrap();
        assert_eq!(parts(&u), (Some(""), None, None, None, Some("")));
        assert_eq!(u.render(true), "postgresql://@/");
        let u = Url::parse("postgresql://u:@h").unwrap();
        assert_eq!(u.password(), Some(""));
        assert_eq!(u.render(true), "postgresql://u:***@h");
    }

    #[test]
    fn errors() {
        assert_eq!(Url::parse("not a url"), Err(UrlError::Unparseable));
        assert_eq!(
            Url::parse("postgresql://h:abc/db").unwrap_err().to_string(),
            "invalid literal for int() with base 10: 'abc'"
        );
        assert_eq!(
            Url::parse("postgresql://h:/db").unwrap_err().to_string(),
            "invalid literal for int() with base 10: ''"
        );
        assert_eq!(
            Url::parse("postgres://h/db")
                .unwrap()
                .dialect()
                .unwrap_err()
                .to_string(),
            "Can't load plugin: sqlalchemy.dialects:postgres"
        );
        assert_eq!(
            Url::parse("oracle+cx_oracle://h/db")
                .unwrap()
                .dialect()
                .unwrap_err()
                .to_string(),
            "Can't load plugin: sqlalchemy.dialects:oracle.cx_oracle"
        );
    }

    #[test]
    fn unquote_matches_python() {
        assert_eq!(unquote("a%2"), "a%2");
        assert_eq!(unquote("%zz%41"), "%zzA");
        assert_eq!(unquote("%C3%A9"), "é");
        assert_eq!(unquote("%FF"), "\u{FFFD}");
    }
}
