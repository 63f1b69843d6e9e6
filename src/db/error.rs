//! Errors of the `db` seam.
//!
//! Every server error keeps its raw parts ([`ServerError`]) so the DB-API
//! layer can raise the exception the standard driver would, and also carries
//! a ready `message` that is already the driver's `str(exception)`:
//!
//! * PostgreSQL: psycopg2's `str(e)`, i.e. libpq's default-verbosity error
//!   text without the `ERROR:  ` prefix: the primary message, then `LINE n:`
//!   and a caret line when the server gave a position, then `DETAIL:  `,
//!   `HINT:  `, `QUERY:  `, `CONTEXT:  ` lines, each ending in `\n`
//!   ([`ServerError::libpq_text`] gives `e.pgerror`, with the prefix).
//! * SQLite: `sqlite3_errmsg()`, which is pysqlite's `str(e)`.
//! * MySQL/MariaDB: the server's message; pymysql's exception args are
//!   `(errno, message)`, so its `str(e)` is the Python tuple's repr, which the
//!   Python layer renders.

use super::Dialect;
use super::url::UrlError;

/// The parts of an error the server reported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerError {
    /// PostgreSQL severity as sent (`ERROR`, `FATAL`, `PANIC`); `None` elsewhere.
    pub severity: Option<String>,
    /// The primary message: PostgreSQL's `M` field, MySQL's message text,
    /// SQLite's `sqlite3_errmsg()`.
    pub primary: String,
    /// PostgreSQL SQLSTATE (`42P01`); MySQL's SQLSTATE from the ERR packet.
    pub sqlstate: Option<String>,
    /// MySQL error number (`1146`); SQLite extended result code (`1`,
    /// `2067` for a UNIQUE violation).
    pub errno: Option<i64>,
    /// PostgreSQL: 1-based character position of the error in the statement
    /// text that was sent.
    pub position: Option<usize>,
    /// PostgreSQL: position inside `internal_query` (an error raised in a
    /// query a function ran).
    pub internal_position: Option<usize>,
    pub internal_query: Option<String>,
    pub detail: Option<String>,
    pub hint: Option<String>,
    /// PostgreSQL `CONTEXT` (the `W` field).
    pub context: Option<String>,
    pub schema_name: Option<String>,
    pub table_name: Option<String>,
    pub column_name: Option<String>,
    pub constraint_name: Option<String>,
}

/// Python exception types the DB-API layer raises for client-side failures
/// (interpolation and literal rendering), matching what psycopg2 or Python's
/// `%` operator raise in the same situation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PyException {
    ProgrammingError,
    TypeError,
    ValueError,
    IndexError,
    /// The message is the missing key.
    KeyError,
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(transparent)]
    Url(#[from] UrlError),

    /// The connection could not be established. `message` imitates the
    /// standard driver's text (psycopg2 `connection to server at "h", port 5432
    /// failed: ...`, pymysql `Can't connect to MySQL server on 'h' (...)`,
    /// pysqlite `unable to open database file`); `server` is set when the
    /// server itself refused (bad password, unknown database).
    #[error("{message}")]
    Connect {
        message: String,
        code: Option<String>,
        server: Option<Box<ServerError>>,
    },

    /// The server rejected a statement. `message` is the driver's
    /// `str(exception)` (see the module docs); `code` is the SQLSTATE
    /// (PostgreSQL), the errno (MySQL) or the extended result code (SQLite)
    /// as text; `detail` PostgreSQL's `DETAIL` line.
    #[error("{message}")]
    Database {
        dialect: Dialect,
        message: String,
        code: Option<String>,
        detail: Option<String>,
        server: Box<ServerError>,
    },

    /// Client-side parameter interpolation or literal rendering failed; the
    /// Python layer raises `exception` with `message`.
    #[error("{message}")]
    Interpolate {
        exception: PyException,
        message: String,
    },

    /// A caller mistake the drivers would also refuse (e.g. bound parameters
    /// for PostgreSQL/MySQL, which are interpolated client-side).
    #[error("{0}")]
    Usage(String),

    /// A value the server sent could not be decoded (e.g. SQLite text that is
    /// not UTF-8, pysqlite's `OperationalError: Could not decode to UTF-8`).
    #[error("{0}")]
    Decode(String),

    #[error(transparent)]
    Io(#[from] std::io::Error),

    /// The session ended under a statement (the server shut down, an
    /// administrator or a timeout terminated it, the socket broke): the
    /// standard driver's words for it, whatever the server said.
    #[error("{}", lost_text(*dialect, *tls))]
    ConnectionLost { dialect: Dialect, tls: bool },

    /// A call on a connection lost earlier.
    #[error("{}", closed_text(*dialect))]
    ConnectionClosed { dialect: Dialect },

    /// The connection broke or the driver failed for a reason that is not a
    /// server error (protocol error, closed socket, worker thread gone).
    #[error("{0}")]
    Driver(String),

    /// A file the driver reads before connecting is missing (pymysql's SSL
    /// context: `ssl_ca`, `ssl_cert`, `ssl_key`): Python's
    /// `FileNotFoundError`, which SQLAlchemy does not wrap.
    #[error("[Errno 2] No such file or directory")]
    FileNotFound,

    /// The caller gave up waiting for the statement
    /// ([`super::Connection::execute_dbapi_interruptible`]: Ctrl-C while a
    /// MySQL statement ran); the session is abandoned mid-reply.
    #[error("interrupted")]
    Interrupted,
}

impl DbError {
    pub(crate) fn interpolate(exception: PyException, message: impl Into<String>) -> DbError {
        DbError::Interpolate {
            exception,
            message: message.into(),
        }
    }

    /// What the Python layer raises: the message (the driver's
    /// `str(exception)` text, see the module docs), the code (SQLSTATE,
    /// MySQL errno, SQLite extended result code) and the exception class:
    /// a PEP 249 name from [`DbError::dbapi_exception`], or for client-side
    /// interpolation failures the Python built-in (`"TypeError"`,
    /// `"ValueError"`, `"IndexError"`, `"KeyError"`) or `"ProgrammingError"`,
    /// and `"FileNotFoundError"` for [`DbError::FileNotFound`].
    /// `None` for URL errors (SQLAlchemy's `ArgumentError` and friends).
    pub fn python_parts(&self) -> (String, Option<String>, Option<&'static str>) {
        let code = match self {
            DbError::Database { code, .. } | DbError::Connect { code, .. } => code.clone(),
            // pymysql's `(2013, ...)` and `InterfaceError(0, '')`
            DbError::ConnectionLost {
                dialect: Dialect::Mysql,
                ..
            } => Some("2013".into()),
            DbError::ConnectionClosed {
                dialect: Dialect::Mysql,
            } => Some("0".into()),
            _ => None,
        };
        let kind = match self {
            DbError::Interpolate { exception, .. } => Some(match exception {
                PyException::ProgrammingError => "ProgrammingError",
                PyException::TypeError => "TypeError",
                PyException::ValueError => "ValueError",
                PyException::IndexError => "IndexError",
                PyException::KeyError => "KeyError",
            }),
            DbError::FileNotFound => Some("FileNotFoundError"),
            other => other.dbapi_exception(),
        };
        (self.to_string(), code, kind)
    }

    /// The raw server error, for `Database` and server-refused `Connect`.
    pub fn server(&self) -> Option<&ServerError> {
        match self {
            DbError::Database { server, .. } => Some(server),
            DbError::Connect { server, .. } => server.as_deref(),
            _ => None,
        }
    }

    /// The PEP 249 exception class the standard driver raises for this
    /// error: `"ProgrammingError"`, `"IntegrityError"`, `"OperationalError"`,
    /// `"DataError"`, `"InternalError"`, `"NotSupportedError"`,
    /// `"DatabaseError"`, `"InterfaceError"`; plus psycopg2's
    /// `"TransactionRollbackError"`/`"QueryCanceledError"` (both
    /// `OperationalError` subclasses). `None` for client-side failures
    /// (see [`DbError::Interpolate`]).
    pub fn dbapi_exception(&self) -> Option<&'static str> {
        match self {
            DbError::Database {
                dialect, server, ..
            } => Some(match dialect {
                Dialect::Postgresql => psycopg2_exception(server.sqlstate.as_deref().unwrap_or("")),
                Dialect::Mysql => pymysql_exception(server.errno.unwrap_or(0)),
                Dialect::Sqlite => sqlite3_exception(server.errno.unwrap_or(1)),
            }),
            DbError::Connect { .. }
            | DbError::Io(_)
            | DbError::Driver(_)
            | DbError::ConnectionLost { .. } => Some("OperationalError"),
            DbError::ConnectionClosed { .. } => Some("InterfaceError"),
            DbError::Decode(_) => Some("OperationalError"),
            DbError::Usage(_) => Some("ProgrammingError"),
            DbError::Url(_)
            | DbError::Interpolate { .. }
            | DbError::FileNotFound
            | DbError::Interrupted => None,
        }
    }
}

impl DbError {
    /// Whether the session is gone after this error: a broken socket, or a
    /// PostgreSQL FATAL/PANIC report (the server closes the connection
    /// after sending one). MySQL's "Connection was killed" (1927) is an
    /// ordinary error: pymysql learns of the loss at the next call.
    pub(crate) fn loses_connection(&self) -> bool {
        match self {
            DbError::Io(_) => true,
            DbError::Database {
                dialect: Dialect::Postgresql,
                server,
                ..
            } => matches!(server.severity.as_deref(), Some("FATAL" | "PANIC")),
            _ => false,
        }
    }
}

/// What psycopg2 (its libpq) and pymysql say when the server goes away
/// under a statement; SQLite has no session to lose.
fn lost_text(dialect: Dialect, tls: bool) -> &'static str {
    match dialect {
        Dialect::Postgresql if tls => "SSL connection has been closed unexpectedly\n",
        Dialect::Postgresql => {
            "server closed the connection unexpectedly\n\tThis probably means the server \
             terminated abnormally\n\tbefore or while processing the request.\n"
        }
        Dialect::Mysql => "Lost connection to MySQL server during query",
        // never raised: `Connection::run` loses no SQLite session
        Dialect::Sqlite => "database connection lost",
    }
}

/// psycopg2's `connection already closed`; pymysql's `InterfaceError(0, '')`.
fn closed_text(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Postgresql | Dialect::Sqlite => "connection already closed",
        Dialect::Mysql => "",
    }
}

/// psycopg2's `exception_from_sqlstate`.
fn psycopg2_exception(sqlstate: &str) -> &'static str {
    let b = sqlstate.as_bytes();
    let (c0, c1) = (
        b.first().copied().unwrap_or(0),
        b.get(1).copied().unwrap_or(0),
    );
    match (c0, c1) {
        (b'0', b'A') => "NotSupportedError",
        (b'2', b'0' | b'1') => "ProgrammingError",
        (b'2', b'2') => "DataError",
        (b'2', b'3') => "IntegrityError",
        (b'2', b'4' | b'5' | b'B' | b'D' | b'F') => "InternalError",
        (b'2', b'6' | b'7' | b'8') => "OperationalError",
        (b'3', b'4') => "OperationalError",
        (b'3', b'8' | b'9' | b'B') => "InternalError",
        (b'3', b'D' | b'F') => "ProgrammingError",
        (b'4', b'0') => "TransactionRollbackError",
        (b'4', b'2' | b'4') => "ProgrammingError",
        (b'5', _) if sqlstate == "57014" => "QueryCanceledError",
        (b'5', _) => "OperationalError",
        (b'F' | b'P' | b'X', _) => "InternalError",
        (b'H', _) => "OperationalError",
        _ => "DatabaseError",
    }
}

/// pymysql's `err.error_map` (and its fallback for unlisted numbers).
fn pymysql_exception(errno: i64) -> &'static str {
    match errno {
        1007 | 1149 | 1064 | 1146 | 1102 | 1103 | 1110 | 1111 | 1112 | 1113 | 1179 | 1166 => {
            "ProgrammingError"
        }
        1265 | 1263 | 1264 | 1230 | 1171 | 1406 | 1441 | 1366 | 1367 => "DataError",
        1062 | 1216 | 1452 | 1217 | 1451 | 1215 | 1048 => "IntegrityError",
        1196 | 1235 | 1289 | 1286 => "NotSupportedError",
        1044 | 1045 | 1040 | 1142 | 1143 | 4025 | 1213 => "OperationalError",
        n if n < 1000 => "InternalError",
        _ => "OperationalError",
    }
}

/// CPython `_sqlite`'s `get_exception_class`, by primary result code.
fn sqlite3_exception(extended_code: i64) -> &'static str {
    match extended_code & 0xff {
        2 | 12 => "InternalError",
        1 | 3 | 4 | 5 | 6 | 8 | 9 | 10 | 13 | 14 | 15 | 16 | 17 => "OperationalError",
        11 => "DatabaseError",
        18 => "DataError",
        19 | 20 => "IntegrityError",
        21 | 25 => "InterfaceError",
        _ => "DatabaseError",
    }
}

impl ServerError {
    /// libpq's `PQresultErrorMessage` at default verbosity (psycopg2's
    /// `e.pgerror`): `SEVERITY:  primary`, the position display, `DETAIL`,
    /// `HINT`, `QUERY`, `CONTEXT` lines. `query` is the text that was sent.
    pub fn libpq_text(&self, query: &str) -> String {
        let mut msg = String::new();
        if let Some(sev) = &self.severity {
            msg.push_str(sev);
            msg.push_str(":  ");
        }
        msg.push_str(&self.psycopg2_text(query));
        msg
    }

    /// psycopg2's `str(e)`: [`ServerError::libpq_text`] without the
    /// `ERROR:  `/`FATAL:  `/`PANIC:  ` prefix (psycopg2 strips those three).
    pub fn psycopg2_text(&self, query: &str) -> String {
        let mut msg = String::new();
        let stripped = matches!(self.severity.as_deref(), Some("ERROR" | "FATAL" | "PANIC"));
        if !stripped && let Some(sev) = &self.severity {
            msg.push_str(sev);
            msg.push_str(":  ");
        }
        msg.push_str(&self.primary);
        let (display_query, display_pos) = match (self.position, self.internal_position) {
            (Some(pos), _) => (Some(query), pos),
            (None, Some(pos)) => (self.internal_query.as_deref(), pos),
            (None, None) => (None, 0),
        };
        msg.push('\n');
        if let Some(q) = display_query
            && display_pos > 0
        {
            report_error_position(&mut msg, q, display_pos);
        }
        for (label, value) in [
            ("DETAIL", &self.detail),
            ("HINT", &self.hint),
            ("QUERY", &self.internal_query),
            ("CONTEXT", &self.context),
        ] {
            if let Some(v) = value {
                msg.push_str(label);
                msg.push_str(":  ");
                msg.push_str(v);
                msg.push('\n');
            }
        }
        msg
    }
}

/// Screen width of a character the way libpq counts it (`pg_encoding_dsplen`
/// for UTF-8, with zero/negative widths counted as one): East Asian wide
/// characters take two columns.
fn display_width(c: char) -> usize {
    let u = c as u32;
    let wide = (0x1100..=0x115f).contains(&u)
        || ((0x2e80..=0xa4cf).contains(&u) && u != 0x303f)
        || (0xac00..=0xd7a3).contains(&u)
        || (0xf900..=0xfaff).contains(&u)
        || (0xfe30..=0xfe6f).contains(&u)
        || (0xff00..=0xff5f).contains(&u)
        || (0xffe0..=0xffe6).contains(&u)
        || (0x20000..=0x2fffd).contains(&u)
        || (0x30000..=0x3fffd).contains(&u);
    if wide { 2 } else { 1 }
}

/// libpq's `reportErrorPosition`: the `LINE n: ...` line (the offending line,
/// cut to about 60 columns around the error with `...` marks) and a caret
/// under the error. `loc` is the server's 1-based character position.
fn report_error_position(msg: &mut String, query: &str, loc: usize) {
    const DISPLAY_SIZE: usize = 60;
    const MIN_RIGHT_CUT: usize = 10;
    let loc = loc - 1;
    let chars: Vec<char> = query
        .chars()
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect();
    let orig: Vec<char> = query.chars().collect();
    // scr[i]: starting screen column of character i; filled up to iend.
    let mut scr: Vec<usize> = Vec::with_capacity(chars.len() + 1);
    let mut scroffset = 0usize;
    let mut loc_line = 1usize;
    let mut ibeg = 0usize;
    let mut iend: Option<usize> = None;
    let mut cno = 0usize;
    while cno < chars.len() {
        let ch = orig[cno];
        scr.push(scroffset);
        if ch == '\r' || ch == '\n' {
            if cno < loc {
                if ch == '\r' || cno == 0 || orig[cno - 1] != '\r' {
                    loc_line += 1;
                }
                ibeg = cno + 1;
            } else {
                iend = Some(cno);
                break;
            }
        }
        scroffset += if ch == '\t' { 1 } else { display_width(ch) };
        cno += 1;
    }
    let mut iend = match iend {
        Some(e) => e,
        None => {
            scr.push(scroffset);
            cno
        }
    };
    if loc > cno {
        return;
    }
    let mut beg_trunc = false;
    let mut end_trunc = false;
    if scr[iend] - scr[ibeg] > DISPLAY_SIZE {
        if scr[ibeg] + DISPLAY_SIZE >= scr[loc] + MIN_RIGHT_CUT {
            while scr[iend] - scr[ibeg] > DISPLAY_SIZE {
                iend -= 1;
            }
            end_trunc = true;
        } else {
            while scr[loc] + MIN_RIGHT_CUT < scr[iend] {
                iend -= 1;
                end_trunc = true;
            }
            while scr[iend] - scr[ibeg] > DISPLAY_SIZE {
                ibeg += 1;
                beg_trunc = true;
            }
        }
    }
    let mut prefix = format!("LINE {loc_line}: ");
    if beg_trunc {
        prefix.push_str("...");
    }
    let prefix_width: usize = prefix.chars().map(display_width).sum();
    msg.push_str(&prefix);
    msg.extend(&chars[ibeg..iend]);
    if end_trunc {
        msg.push_str("...");
    }
    msg.push('\n');
    let caret_col = prefix_width + scr[loc] - scr[ibeg];
    msg.extend(std::iter::repeat_n(' ', caret_col));
    msg.push_str("^\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pg(primary: &str, position: Option<usize>) -> ServerError {
        ServerError {
            severity: Some("ERROR".into()),
            primary: primary.into(),
            position,
            ..Default::default()
        }
    }

    #[test]
    fn caret_under_the_error() {
        let e = pg("relation \"foo\" does not exist", Some(15));
        assert_eq!(
            e.psycopg2_text("select * from foo"),
            "relation \"foo\" does not exist\nLINE 1: select * from foo\n                      ^\n"
        );
        assert_eq!(
            e.libpq_text("select * from foo"),
            "ERROR:  relation \"foo\" does not exist\nLINE 1: select * from foo\n                      ^\n"
        );
    }

    #[test]
    fn second_line_and_detail() {
        let mut e = pg("syntax error at or near \"frm\"", Some(17));
        e.detail = Some("d".into());
        e.hint = Some("h".into());
        assert_eq!(
            e.psycopg2_text("select 1\nselect frm\nx"),
            "syntax error at or near \"frm\"\nLINE 2: select frm\n               ^\nDETAIL:  d\nHINT:  h\n"
        );
    }

    #[test]
    fn long_lines_are_cut() {
        let q = format!("select {} from nowhere_at_all", "a, ".repeat(40));
        let pos = q.find("nowhere").unwrap() + 1;
        let text = pg("relation \"nowhere_at_all\" does not exist", Some(pos)).psycopg2_text(&q);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[1].starts_with("LINE 1: ..."), "{text}");
        let caret = lines[2].find('^').unwrap();
        assert_eq!(&lines[1][caret..caret + 7], "nowhere");
    }

    #[test]
    fn no_position_no_line() {
        let e = pg("division by zero", None);
        assert_eq!(e.psycopg2_text("select 1/0"), "division by zero\n");
    }

    #[test]
    fn exception_classes() {
        assert_eq!(psycopg2_exception("42P01"), "ProgrammingError");
        assert_eq!(psycopg2_exception("23505"), "IntegrityError");
        assert_eq!(psycopg2_exception("40P01"), "TransactionRollbackError");
        assert_eq!(psycopg2_exception("25P02"), "InternalError");
        assert_eq!(pymysql_exception(1146), "ProgrammingError");
        assert_eq!(pymysql_exception(1050), "OperationalError");
        assert_eq!(sqlite3_exception(2067), "IntegrityError");
        assert_eq!(sqlite3_exception(1), "OperationalError");
    }
}
