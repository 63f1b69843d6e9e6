//! Just enough SQL lexing to find statement boundaries.
//!
//! sqlx reports a statement's columns only through its rows, so a `SELECT`
//! that matched nothing would look like DDL (DB-API `description` `None`,
//! which makes SQLAlchemy refuse to iterate the result). When the last
//! statement of a call produced no rows and may return rows, the backends
//! ask the server to describe that statement. This module finds it: the text
//! after the last top-level `;`, skipping quoted strings, quoted
//! identifiers, dollar quotes and comments per dialect.

use super::Dialect;

/// Byte ranges of the non-empty statements in `sql` (comments and
/// whitespace alone do not make a statement).
pub(crate) fn statements(sql: &str, dialect: Dialect) -> Vec<&str> {
    let b = sql.as_bytes();
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut has_code = false;
    let mut i = 0usize;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied().unwrap_or(0);
        // Comments.
        if c == b'-' && next == b'-' && dash_comment_starts(dialect, b.get(i + 2).copied()) {
            i = skip_to_eol(b, i);
            continue;
        }
        if c == b'#' && dialect == Dialect::Mysql {
            i = skip_to_eol(b, i);
            continue;
        }
        if c == b'/' && next == b'*' {
            i = skip_block_comment(b, i, dialect == Dialect::Postgresql);
            continue;
        }
        if c == b';' {
            if has_code {
                out.push(sql[start..i].trim());
            }
            start = i + 1;
            has_code = false;
            i += 1;
            continue;
        }
        if !c.is_ascii_whitespace() {
            has_code = true;
        }
        i = match c {
            b'\'' => {
                let backslashes = match dialect {
                    Dialect::Mysql => true,
                    Dialect::Postgresql => is_escape_string_prefix(b, i),
                    Dialect::Sqlite => false,
                };
                skip_quoted(b, i, b'\'', backslashes)
            }
            b'"' => skip_quoted(b, i, b'"', dialect == Dialect::Mysql),
            b'`' if dialect != Dialect::Postgresql => skip_quoted(b, i, b'`', false),
            b'[' if dialect == Dialect::Sqlite => b[i..]
                .iter()
                .position(|&x| x == b']')
                .map_or(b.len(), |p| i + p + 1),
            b'$' if dialect == Dialect::Postgresql => skip_dollar_quote(sql, i),
            _ => i + 1,
        };
    }
    if has_code {
        out.push(sql[start..].trim());
    }
    out
}

/// The last non-empty statement.
pub(crate) fn last_statement(sql: &str, dialect: Dialect) -> Option<&str> {
    statements(sql, dialect).pop()
}

/// MySQL only treats `--` as a comment when followed by whitespace or a
/// control character.
fn dash_comment_starts(dialect: Dialect, third: Option<u8>) -> bool {
    match dialect {
        Dialect::Mysql => third.is_none_or(|t| t <= b' '),
        _ => true,
    }
}

fn skip_to_eol(b: &[u8], i: usize) -> usize {
    b[i..]
        .iter()
        .position(|&x| x == b'\n')
        .map_or(b.len(), |p| i + p + 1)
}

/// `/* ... */`; PostgreSQL nests them.
fn skip_block_comment(b: &[u8], mut i: usize, nested: bool) -> usize {
    let mut depth = 0usize;
    while i < b.len() {
        if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
            if depth == 0 || nested {
                depth += 1;
            }
            i += 2;
        } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    b.len()
}

/// PostgreSQL `E'...'` strings honour backslash escapes.
fn is_escape_string_prefix(b: &[u8], quote: usize) -> bool {
    quote > 0
        && matches!(b[quote - 1], b'e' | b'E')
        && (quote < 2 || !(b[quote - 2].is_ascii_alphanumeric() || b[quote - 2] == b'_'))
}

/// Past the closing `q` (a doubled `q` is an escaped one).
fn skip_quoted(b: &[u8], open: usize, q: u8, backslashes: bool) -> usize {
    let mut i = open + 1;
    while i < b.len() {
        if backslashes && b[i] == b'\\' {
            i += 2;
        } else if b[i] == q {
            if b.get(i + 1) == Some(&q) {
                i += 2;
            } else {
                return i + 1;
            }
        } else {
            i += 1;
        }
    }
    b.len()
}

/// `$tag$ ... $tag$`; a `$` that does not open a dollar quote (a `$1`
/// parameter, part of an identifier) is an ordinary character.
fn skip_dollar_quote(sql: &str, i: usize) -> usize {
    let b = sql.as_bytes();
    if i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_' || b[i - 1] >= 0x80) {
        return i + 1;
    }
    let mut j = i + 1;
    while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] >= 0x80) {
        j += 1;
    }
    if j >= b.len() || b[j] != b'$' || b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        return i + 1;
    }
    let tag = &sql[i..=j];
    match sql[j + 1..].find(tag) {
        Some(p) => j + 1 + p + tag.len(),
        None => b.len(),
    }
}

/// Whether a statement can return rows, judged by its first keyword (and a
/// `RETURNING` clause). Errs on the side of "maybe": the cost of a wrong
/// "maybe" is one describe round trip.
pub(crate) fn may_return_rows(statement: &str, dialect: Dialect) -> bool {
    let words = leading_words(statement, dialect);
    let Some(first) = words.first() else {
        return false;
    };
    let first = first.to_ascii_uppercase();
    let row_keywords: &[&str] = match dialect {
        Dialect::Postgresql => &[
            "SELECT", "WITH", "VALUES", "TABLE", "SHOW", "EXPLAIN", "FETCH", "CALL",
        ],
        Dialect::Sqlite => &["SELECT", "WITH", "VALUES", "PRAGMA", "EXPLAIN"],
        Dialect::Mysql => &[
            "SELECT", "WITH", "VALUES", "TABLE", "SHOW", "EXPLAIN", "DESCRIBE", "DESC", "CALL",
            "CHECK", "ANALYZE", "OPTIMIZE", "REPAIR", "CHECKSUM",
        ],
    };
    row_keywords.contains(&first.as_str())
        || words.iter().any(|w| w.eq_ignore_ascii_case("RETURNING"))
}

/// Whether a PostgreSQL statement is a plain query (`SELECT`, `VALUES`,
/// `TABLE`), which can stand as a subquery.
pub(crate) fn is_plain_query(statement: &str) -> bool {
    leading_words(statement, Dialect::Postgresql)
        .first()
        .is_some_and(|w| {
            ["SELECT", "VALUES", "TABLE"]
                .iter()
                .any(|k| w.eq_ignore_ascii_case(k))
        })
}

/// Which way a PostgreSQL `COPY` statement moves data over the connection
/// (`FROM STDIN`, `TO STDOUT`); `None` for any other statement, including a
/// `COPY` to or from a server-side file or program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyStdio {
    In,
    Out,
}

pub fn copy_stdio(statement: &str) -> Option<CopyStdio> {
    let words = leading_words(statement, Dialect::Postgresql);
    if !words.first()?.eq_ignore_ascii_case("COPY") {
        return None;
    }
    words.windows(2).find_map(|pair| {
        let [a, b] = pair else { return None };
        if a.eq_ignore_ascii_case("FROM") && b.eq_ignore_ascii_case("STDIN") {
            Some(CopyStdio::In)
        } else if a.eq_ignore_ascii_case("TO") && b.eq_ignore_ascii_case("STDOUT") {
            Some(CopyStdio::Out)
        } else {
            None
        }
    })
}

/// The bare words of a statement outside strings and comments (identifiers
/// and keywords), enough to spot keywords.
fn leading_words(statement: &str, dialect: Dialect) -> Vec<&str> {
    let b = statement.as_bytes();
    let mut words = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied().unwrap_or(0);
        let line_comment =
            (c == b'-' && next == b'-' && dash_comment_starts(dialect, b.get(i + 2).copied()))
                || (c == b'#' && dialect == Dialect::Mysql);
        if line_comment {
            i = skip_to_eol(b, i);
        } else if c == b'/' && next == b'*' {
            i = skip_block_comment(b, i, dialect == Dialect::Postgresql);
        } else if c == b'\'' {
            let bs = dialect == Dialect::Mysql
                || (dialect == Dialect::Postgresql && is_escape_string_prefix(b, i));
            i = skip_quoted(b, i, b'\'', bs);
        } else if c == b'"' || c == b'`' {
            i = skip_quoted(b, i, c, false);
        } else if c == b'$' && dialect == Dialect::Postgresql {
            i = skip_dollar_quote(statement, i);
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$') {
                i += 1;
            }
            words.push(&statement[start..i]);
        } else {
            i += 1;
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_directions() {
        assert_eq!(copy_stdio("COPY t FROM STDIN"), Some(CopyStdio::In));
        assert_eq!(
            copy_stdio("-- load\ncopy t (a) from stdin with csv"),
            Some(CopyStdio::In)
        );
        assert_eq!(
            copy_stdio("COPY (SELECT 'from stdin') TO STDOUT"),
            Some(CopyStdio::Out)
        );
        assert_eq!(copy_stdio("COPY t FROM '/tmp/stdin'"), None);
        assert_eq!(copy_stdio("COPY t TO PROGRAM 'cat'"), None);
        assert_eq!(copy_stdio("SELECT 'COPY t FROM STDIN'"), None);
    }

    #[test]
    fn plain_queries() {
        assert!(is_plain_query("/* c */ select 1"));
        assert!(is_plain_query("VALUES (1)"));
        assert!(is_plain_query("table t"));
        assert!(!is_plain_query(
            "with x as (delete from t returning *) select * from x"
        ));
        assert!(!is_plain_query("delete from t returning m"));
    }

    #[test]
    fn splits_outside_quotes_and_comments() {
        let sql =
            "select ';' as a; -- x; y\n/* ; /* nested ; */ */ select $f$;$f$, E'\\';', \"a;b\";\n";
        assert_eq!(
            statements(sql, Dialect::Postgresql),
            [
                "select ';' as a",
                "-- x; y\n/* ; /* nested ; */ */ select $f$;$f$, E'\\';', \"a;b\""
            ]
        );
        assert_eq!(
            statements("  ; -- only\n", Dialect::Postgresql),
            Vec::<&str>::new()
        );
        assert_eq!(
            statements(
                "insert into t values ('a\\'b;c'); select 1 # ; x",
                Dialect::Mysql
            ),
            ["insert into t values ('a\\'b;c')", "select 1 # ; x"]
        );
        assert_eq!(
            statements(
                "create trigger t after insert on x begin delete from y; end; select [a;b] from z",
                Dialect::Sqlite
            ),
            [
                "create trigger t after insert on x begin delete from y",
                "end",
                "select [a;b] from z"
            ]
        );
    }

    #[test]
    fn row_returning_statements() {
        let pg = Dialect::Postgresql;
        assert!(may_return_rows("SELECT 1", pg));
        assert!(may_return_rows("/* c */ (select 1)", pg));
        assert!(may_return_rows("with x as (select 1) select * from x", pg));
        assert!(may_return_rows("insert into t values (1) returning id", pg));
        assert!(!may_return_rows("insert into t values ('returning')", pg));
        assert!(!may_return_rows("create table t (id int)", pg));
        assert!(!may_return_rows("COMMIT", pg));
        assert!(may_return_rows("pragma table_info(x)", Dialect::Sqlite));
        assert!(may_return_rows("show tables", Dialect::Mysql));
    }
}
