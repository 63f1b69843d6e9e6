//! Client-side parameter interpolation, as psycopg2 and pymysql do it.
//!
//! PostgreSQL and MySQL statements are sent as plain text (no server-side
//! binding), so parameters become SQL literals here, with the drivers' exact
//! quoting rules and `%s` / `%(name)s` / `%%` substitution rules, including
//! their error behaviour:
//!
//! * PostgreSQL follows psycopg2 2.9: `_mogrify` (which adapts the values
//!   and decides between positional and named style) followed by its
//!   private `Bytes_Format` (which only knows `%s` and `%%`). So `%d` is a
//!   `ValueError: unsupported format character 'd' (0x64) at index N`, a lone
//!   `%` at the end is `ValueError: incomplete format`, mixing styles is
//!   `ProgrammingError: argument formats can't be mixed`, a missing key is a
//!   `KeyError`, too few positional values an `IndexError: tuple index out of
//!   range`. A statement without any `%` is left as it is, however many
//!   values come with it (psycopg2 only formats when there is a `%`).
//! * MySQL follows pymysql: `query % escaped_args`, Python's `%` operator on
//!   `str` with every value already escaped to `str`. `%s`, `%(name)s` and
//!   `%%` work; numeric conversions (`%d`, `%x`, `%f`, ...) fail with the
//!   `TypeError` text Python gives for a `str` argument, and like every
//!   `TypeError` of `%` (too few or too many values) pymysql raises it as a
//!   `ProgrammingError`; `%r`, `%a`, `%c` and
//!   width/precision, which Python would format, are refused with a
//!   `ValueError` naming the character.

use indexmap::IndexMap;

use super::Dialect;
use super::error::{DbError, PyException};
use super::value::Value;

/// Parameters for [`interpolate_pyformat`]: a DB-API sequence or mapping.
#[derive(Debug, Clone, Copy)]
pub enum Params<'a> {
    Positional(&'a [Value]),
    Named(&'a IndexMap<String, Value>),
}

/// The SQL literal for `value`, as the dialect's standard driver writes it:
///
/// * PostgreSQL (psycopg2, `standard_conforming_strings` on): `'it''s'`
///   (backslashes kept), `'\x00ff'::bytea`, `true`/`false`, `NULL`, numbers
///   with a leading space when negative (` -5`, so `1-%s` never becomes a
///   `--` comment), `'NaN'::float`, `'2024-01-02'::date`,
///   `'...'::timestamp`/`timestamptz`/`time`/`timetz`/`interval`/`uuid`,
///   `ARRAY[1,2]` (`'{}'` when empty). A NUL character is a `ValueError`.
/// * MySQL (pymysql): backslash escaping (`\0 \\ \n \r \Z \" \'`), booleans as
///   `1`/`0`, floats as `repr()` plus `e0`, NaN/inf refused. Bytes become
///   `X'00ff'`: pymysql writes the raw bytes between quotes, which a UTF-8
///   Rust string cannot hold; the hex literal is the same value.
/// * SQLite: standard SQL (`'it''s'`, `X'00ff'`, `1`/`0`).
pub fn render_literal(dialect: Dialect, value: &Value) -> Result<String, DbError> {
    match dialect {
        Dialect::Postgresql => pg_literal(value),
        Dialect::Mysql => mysql_literal(value),
        Dialect::Sqlite => sqlite_literal(value),
    }
}

fn pg_quote(text: &str) -> Result<String, DbError> {
    if text.contains('\0') {
        return Err(DbError::interpolate(
            PyException::ValueError,
            "A string literal cannot contain NUL (0x00) characters.",
        ));
    }
    Ok(format!("'{}'", text.replace('\'', "''")))
}

/// psycopg2 puts a space before negative numbers.
fn pg_number(text: String) -> String {
    if text.starts_with('-') {
        format!(" {text}")
    } else {
        text
    }
}

fn pg_literal(value: &Value) -> Result<String, DbError> {
    Ok(match value {
        Value::Null => "NULL".into(),
        Value::Bool(b) => if *b { "true" } else { "false" }.into(),
        Value::Int(i) => pg_number(i.to_string()),
        Value::UInt(i) => pg_number(i.to_string()),
        Value::Float(f) => {
            if f.is_nan() {
                "'NaN'::float".into()
            } else if f.is_infinite() {
                if *f > 0.0 {
                    "'Infinity'::float".into()
                } else {
                    "'-Infinity'::float".into()
                }
            } else {
                pg_number(python_float_repr(*f))
            }
        }
        Value::Numeric(text) => {
            let t = text.trim();
            let lower = t.trim_start_matches(['+', '-']).to_ascii_lowercase();
            // psycopg2 2.9 renders every non-finite Decimal as NaN.
            if lower.starts_with("nan") || lower.starts_with("snan") || lower.starts_with("inf") {
                "'NaN'::numeric".into()
            } else {
                pg_number(t.to_string())
            }
        }
        Value::Text(s) => pg_quote(s)?,
        Value::Bytes(b) => format!("'\\x{}'::bytea", hex(b)),
        Value::Date(s) => format!("{}::date", pg_quote(s)?),
        Value::Time(s) => {
            let cast = if has_utc_offset(s) { "timetz" } else { "time" };
            format!("{}::{cast}", pg_quote(s)?)
        }
        Value::DateTime(s) => format!("{}::timestamp", pg_quote(s)?),
        Value::DateTimeTz(s) => format!("{}::timestamptz", pg_quote(s)?),
        Value::Interval(s) => format!("{}::interval", pg_quote(s)?),
        Value::Uuid(s) => format!("{}::uuid", pg_quote(s)?),
        Value::Json(s) => pg_quote(s)?,
        Value::Sql(s) => s.clone(),
        Value::Array(items) => {
            if items.is_empty() {
                "'{}'".into()
            } else {
                let parts = items
                    .iter()
                    .map(pg_literal)
                    .collect::<Result<Vec<_>, _>>()?;
                format!("ARRAY[{}]", parts.join(","))
            }
        }
        // psycopg2's SQL_IN adapter (an empty tuple is `()` there too).
        Value::Tuple(items) => {
            let parts = items
                .iter()
                .map(pg_literal)
                .collect::<Result<Vec<_>, _>>()?;
            format!("({})", parts.join(", "))
        }
        Value::Other { text, .. } => pg_quote(text)?,
    })
}

/// Whether a time-of-day text ends with a UTC offset (`03:04:05+00:00`).
fn has_utc_offset(time: &str) -> bool {
    time.char_indices()
        .skip(1)
        .any(|(_, c)| c == '+' || c == '-' || c == 'Z')
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// pymysql's `escape_string` translation table.
fn mysql_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        match c {
            '\0' => out.push_str("\\0"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\x1a' => out.push_str("\\Z"),
            '"' => out.push_str("\\\""),
            '\'' => out.push_str("\\'"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

fn mysql_literal(value: &Value) -> Result<String, DbError> {
    Ok(match value {
        Value::Null => "NULL".into(),
        Value::Bool(b) => if *b { "1" } else { "0" }.into(),
        Value::Int(i) => i.to_string(),
        Value::UInt(i) => i.to_string(),
        Value::Float(f) => {
            if !f.is_finite() {
                let repr = if f.is_nan() {
                    "nan"
                } else if *f > 0.0 {
                    "inf"
                } else {
                    "-inf"
                };
                return Err(DbError::interpolate(
                    PyException::ProgrammingError,
                    format!("{repr} can not be used with MySQL"),
                ));
            }
            let mut s = python_float_repr(*f);
            if !s.contains('e') {
                s.push_str("e0");
            }
            s
        }
        // pymysql: format(Decimal, "f"), and a ProgrammingError for a
        // NaN or an infinity, named by `str(value).lower()`.
        Value::Numeric(text) => {
            let t = text.trim();
            let lower = t.to_ascii_lowercase();
            let unsigned = lower.trim_start_matches(['+', '-']);
            if unsigned.starts_with("nan")
                || unsigned.starts_with("snan")
                || unsigned.starts_with("inf")
            {
                return Err(DbError::interpolate(
                    PyException::ProgrammingError,
                    format!("{lower} can not be used with MySQL"),
                ));
            }
            decimal_to_fixed(t)
        }
        Value::Bytes(b) => format!("X'{}'", hex(b)),
        Value::Array(items) | Value::Tuple(items) => {
            // pymysql escapes a list/tuple as a parenthesised sequence.
            let parts = items
                .iter()
                .map(mysql_literal)
                .collect::<Result<Vec<_>, _>>()?;
            format!("({})", parts.join(","))
        }
        Value::Interval(s) => match pymysql_timedelta(s) {
            Some(clock) => format!("'{clock}'"),
            None => mysql_escape(s),
        },
        // pymysql's escape_datetime / escape_time write the fields and drop
        // an aware value's tzinfo: the wall-clock time, no UTC offset
        Value::DateTimeTz(s) => mysql_escape(without_utc_offset(s, 10)),
        Value::Time(s) => mysql_escape(without_utc_offset(s, 0)),
        Value::Text(s)
        | Value::Date(s)
        | Value::DateTime(s)
        | Value::Uuid(s)
        | Value::Json(s)
        | Value::Sql(s)
        | Value::Other { text: s, .. } => mysql_escape(s),
    })
}

/// An isoformat text up to its UTC offset (the first `+`/`-` at or after
/// byte `from`: past a datetime's date), or the whole text.
fn without_utc_offset(text: &str, from: usize) -> &str {
    match text.get(from..).and_then(|rest| rest.find(['+', '-'])) {
        Some(i) => &text[..from + i],
        None => text,
    }
}

/// A `timedelta` parameter (psycopg2's `D days S.UUUUUU seconds`, as
/// `python::convert` writes it) as pymysql escapes it: a signed
/// `H:MM:SS[.ffffff]` clock with the days folded into the hours.
fn pymysql_timedelta(text: &str) -> Option<String> {
    let (days, rest) = text.split_once(" days ")?;
    let (secs, micros) = rest.strip_suffix(" seconds")?.split_once('.')?;
    let days: i64 = days.parse().ok()?;
    let (secs, micros): (i64, i64) = (secs.parse().ok()?, micros.parse().ok()?);
    let total = days.checked_mul(86_400_000_000)? + secs * 1_000_000 + micros;
    let (sign, abs) = if total < 0 {
        ("-", -total)
    } else {
        ("", total)
    };
    let (whole, frac) = (abs / 1_000_000, abs % 1_000_000);
    let clock = format!(
        "{sign}{:02}:{:02}:{:02}",
        whole / 3600,
        whole / 60 % 60,
        whole % 60
    );
    Some(if frac == 0 {
        clock
    } else {
        format!("{clock}.{frac:06}")
    })
}

fn sqlite_literal(value: &Value) -> Result<String, DbError> {
    Ok(match value {
        Value::Null => "NULL".into(),
        Value::Bool(b) => if *b { "1" } else { "0" }.into(),
        Value::Int(i) => i.to_string(),
        Value::UInt(i) => i.to_string(),
        Value::Float(f) => {
            if f.is_nan() {
                "NULL".into()
            } else if f.is_infinite() {
                if *f > 0.0 { "9e999" } else { "-9e999" }.into()
            } else {
                python_float_repr(*f)
            }
        }
        Value::Numeric(t) => t.trim().to_string(),
        Value::Bytes(b) => format!("X'{}'", hex(b)),
        Value::Array(items) | Value::Tuple(items) => {
            let parts = items
                .iter()
                .map(sqlite_literal)
                .collect::<Result<Vec<_>, _>>()?;
            format!("({})", parts.join(", "))
        }
        Value::Text(s)
        | Value::Date(s)
        | Value::Time(s)
        | Value::DateTime(s)
        | Value::DateTimeTz(s)
        | Value::Interval(s)
        | Value::Uuid(s)
        | Value::Json(s)
        | Value::Sql(s)
        | Value::Other { text: s, .. } => format!("'{}'", s.replace('\'', "''")),
    })
}

/// Python's `repr(float)` for a finite value: the shortest round-tripping
/// digits, positional for exponents -4..16, else `1e+16` / `1.5e-05`.
pub fn python_float_repr(f: f64) -> String {
    debug_assert!(f.is_finite());
    // `{:e}` gives the shortest round-tripping digits: "-1.2345e-5".
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').expect("`{:e}` has an exponent");
    let exp: i32 = exp.parse().expect("exponent is an integer");
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let sign = if negative { "-" } else { "" };
    if (-4..16).contains(&exp) {
        let n = digits.len() as i32;
        let body = if exp < 0 {
            format!("0.{}{}", "0".repeat((-exp - 1) as usize), digits)
        } else if exp + 1 >= n {
            format!("{}{}.0", digits, "0".repeat((exp + 1 - n) as usize))
        } else {
            let (int, frac) = digits.split_at((exp + 1) as usize);
            format!("{int}.{frac}")
        };
        format!("{sign}{body}")
    } else {
        let (first, rest) = digits.split_at(1);
        let mant = if rest.is_empty() {
            first.to_string()
        } else {
            format!("{first}.{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{mant}e{esign}{:02}", exp.abs())
    }
}

/// `format(Decimal(text), "f")`: scientific notation written out.
fn decimal_to_fixed(text: &str) -> String {
    let Some(epos) = text.find(['e', 'E']) else {
        return text.to_string();
    };
    let (mant, exp) = (&text[..epos], &text[epos + 1..]);
    let Ok(exp) = exp.parse::<i64>() else {
        return text.to_string();
    };
    let (sign, mant) = match mant.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mant.strip_prefix('+').unwrap_or(mant)),
    };
    let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
    let digits = format!("{int}{frac}");
    let point = int.len() as i64 + exp;
    let body = if point <= 0 {
        format!("0.{}{}", "0".repeat((-point) as usize), digits)
    } else if point as usize >= digits.len() {
        format!("{}{}", digits, "0".repeat(point as usize - digits.len()))
    } else {
        let (a, b) = digits.split_at(point as usize);
        format!("{a}.{b}")
    };
    let body = body.trim_start_matches('0');
    let body = if body.is_empty() || body.starts_with('.') {
        format!("0{body}")
    } else {
        body.to_string()
    };
    format!("{sign}{body}")
}

/// Substitutes `params` into `sql` the way the dialect's standard driver
/// does (`%s`, `%(name)s`, `%%`; see the module docs for the exact rules and
/// errors). SQLite uses qmark binding, not this; it is treated like MySQL.
pub fn interpolate_pyformat(
    dialect: Dialect,
    sql: &str,
    params: &Params<'_>,
) -> Result<String, DbError> {
    let params = *params;
    match dialect {
        Dialect::Postgresql => psycopg2_format(sql, params),
        // pymysql re-raises the `TypeError`s of `%` as `ProgrammingError`.
        Dialect::Mysql | Dialect::Sqlite => {
            python_percent_format(dialect, sql, params).map_err(|e| match e {
                DbError::Interpolate {
                    exception: PyException::TypeError,
                    message,
                } => DbError::Interpolate {
                    exception: PyException::ProgrammingError,
                    message,
                },
                other => other,
            })
        }
    }
}

/// The adapted arguments `_mogrify` hands to `Bytes_Format`.
enum Converted {
    Tuple(Vec<String>),
    Dict(IndexMap<String, String>),
}

fn psycopg2_format(sql: &str, params: Params<'_>) -> Result<String, DbError> {
    let converted = mogrify(sql, params)?;
    match converted {
        None => Ok(sql.to_string()),
        Some(args) => bytes_format(sql, &args),
    }
}

/// psycopg2's `_mogrify`: walks the placeholders, adapts each referenced
/// value once, and returns `None` when nothing needs formatting.
fn mogrify(sql: &str, params: Params<'_>) -> Result<Option<Converted>, DbError> {
    use PyException::*;
    let b = sql.as_bytes();
    let mut c = 0usize;
    let mut kind = 0u8; // 1 named, 2 positional
    let mut force = false;
    let mut index = 0usize;
    let mut out: Option<Converted> = None;
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    while c < b.len() {
        let ch = b[c];
        c += 1;
        if ch != b'%' {
            continue;
        }
        match at(c) {
            b'%' => {
                c += 1;
                force = true;
            }
            b'(' => {
                if kind == 2 {
                    return Err(DbError::interpolate(
                        ProgrammingError,
                        "argument formats can't be mixed",
                    ));
                }
                kind = 1;
                let mut d = c + 1;
                while d < b.len() && b[d] != b')' && b[d] != b'%' {
                    d += 1;
                }
                if at(d) != b')' {
                    return Err(DbError::interpolate(
                        ProgrammingError,
                        "incomplete placeholder: '%(' without ')'",
                    ));
                }
                let key = &sql[c + 1..d];
                let map = match params {
                    Params::Named(m) => m,
                    Params::Positional(_) => {
                        return Err(DbError::interpolate(
                            TypeError,
                            "tuple indices must be integers or slices, not str",
                        ));
                    }
                };
                let value = map
                    .get(key)
                    .ok_or_else(|| DbError::interpolate(KeyError, key))?;
                let dict = match out.get_or_insert_with(|| Converted::Dict(IndexMap::new())) {
                    Converted::Dict(d) => d,
                    Converted::Tuple(_) => unreachable!("kind guards the style"),
                };
                if !dict.contains_key(key) {
                    dict.insert(key.to_string(), pg_literal(value)?);
                }
                c = d + 1;
            }
            _ => {
                if kind == 1 {
                    return Err(DbError::interpolate(
                        ProgrammingError,
                        "argument formats can't be mixed",
                    ));
                }
                kind = 2;
                let values = match params {
                    Params::Positional(v) => v,
                    Params::Named(_) => {
                        return Err(DbError::interpolate(TypeError, "dict is not a sequence"));
                    }
                };
                let value = values
                    .get(index)
                    .ok_or_else(|| DbError::interpolate(IndexError, "tuple index out of range"))?;
                let literal = pg_literal(value)?;
                match out.get_or_insert_with(|| Converted::Tuple(Vec::new())) {
                    Converted::Tuple(t) => t.push(literal),
                    Converted::Dict(_) => unreachable!("kind guards the style"),
                }
                index += 1;
            }
        }
    }
    // `_mogrify` builds a tuple as long as the whole sequence, so unused
    // trailing values count for "not all arguments converted".
    if let (Some(Converted::Tuple(t)), Params::Positional(values)) = (&mut out, params) {
        for v in &values[t.len()..] {
            t.push(pg_literal(v)?);
        }
    }
    if force && out.is_none() {
        out = Some(Converted::Tuple(Vec::new()));
    }
    Ok(out)
}

/// psycopg2's `Bytes_Format` over already-quoted arguments.
fn bytes_format(sql: &str, args: &Converted) -> Result<String, DbError> {
    use PyException::*;
    let b = sql.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len() + 64);
    let (arglen, mut argidx): (isize, isize) = match args {
        Converted::Tuple(t) => (t.len() as isize, 0),
        Converted::Dict(_) => (-1, -2),
    };
    let mut arglen = arglen;
    let dict = match args {
        Converted::Dict(d) => Some(d),
        Converted::Tuple(_) => None,
    };
    // The current argument source: the tuple, or one dict value.
    let mut current: Option<&str> = None;
    let mut fmtcnt = b.len() as isize;
    let mut p = 0usize;
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    loop {
        fmtcnt -= 1;
        if fmtcnt < 0 {
            break;
        }
        if b[p] != b'%' {
            out.push(b[p]);
            p += 1;
            continue;
        }
        p += 1;
        if at(p) == b'(' {
            let Some(d) = dict else {
                return Err(DbError::interpolate(TypeError, "format requires a mapping"));
            };
            p += 1;
            fmtcnt -= 1;
            let keystart = p;
            let mut pcount = 1;
            while pcount > 0 {
                fmtcnt -= 1;
                if fmtcnt < 0 {
                    break;
                }
                if b[p] == b')' {
                    pcount -= 1;
                } else if b[p] == b'(' {
                    pcount += 1;
                }
                p += 1;
            }
            if fmtcnt < 0 || pcount > 0 {
                return Err(DbError::interpolate(ValueError, "incomplete format key"));
            }
            let key = &sql[keystart..p - 1];
            current = Some(
                d.get(key)
                    .map(String::as_str)
                    .ok_or_else(|| DbError::interpolate(KeyError, key))?,
            );
            arglen = -1;
            argidx = -2;
        }
        fmtcnt -= 1;
        if fmtcnt < 0 {
            return Err(DbError::interpolate(ValueError, "incomplete format"));
        }
        let c = b[p];
        p += 1;
        match c {
            b'%' => out.push(b'%'),
            b's' => {
                if argidx >= arglen {
                    return Err(DbError::interpolate(
                        ProgrammingError,
                        "not enough arguments for format string",
                    ));
                }
                let value = if arglen < 0 {
                    // A dict value selected by `%(key)`; a bare `%s` with a
                    // dict cannot reach here (`_mogrify` refuses it).
                    current.unwrap_or_default()
                } else {
                    match args {
                        Converted::Tuple(t) => t[argidx as usize].as_str(),
                        Converted::Dict(_) => unreachable!("tuple arguments have arglen >= 0"),
                    }
                };
                argidx += 1;
                out.extend_from_slice(value.as_bytes());
            }
            _ => {
                let ch = sql[p - 1..].chars().next().unwrap_or('\0');
                return Err(DbError::interpolate(
                    ValueError,
                    format!(
                        "unsupported format character '{}' (0x{:x}) at index {}",
                        ch,
                        c,
                        p - 1
                    ),
                ));
            }
        }
        if dict.is_some() && argidx < arglen && c != b'%' {
            return Err(DbError::interpolate(
                TypeError,
                "not all arguments converted during string formatting",
            ));
        }
    }
    if argidx < arglen && dict.is_none() {
        return Err(DbError::interpolate(
            TypeError,
            "not all arguments converted during string formatting",
        ));
    }
    Ok(String::from_utf8(out).expect("only whole UTF-8 sequences are copied"))
}

/// pymysql's `query % escaped_args` (Python `str % tuple|dict`), for `%s`,
/// `%(name)s` and `%%`.
fn python_percent_format(
    dialect: Dialect,
    sql: &str,
    params: Params<'_>,
) -> Result<String, DbError> {
    use PyException::*;
    let render = |v: &Value| render_literal(dialect, v);
    let chars: Vec<char> = sql.chars().collect();
    let mut out = String::with_capacity(sql.len() + 64);
    let mut argidx = 0usize;
    let mut i = 0usize;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut named: Option<&Value> = None;
        if chars.get(i) == Some(&'(') {
            let map = match params {
                Params::Named(m) => m,
                Params::Positional(_) => {
                    return Err(DbError::interpolate(TypeError, "format requires a mapping"));
                }
            };
            i += 1;
            let start = i;
            let mut depth = 1;
            while i < chars.len() && depth > 0 {
                match chars[i] {
                    ')' => depth -= 1,
                    '(' => depth += 1,
                    _ => {}
                }
                i += 1;
            }
            if depth > 0 {
                return Err(DbError::interpolate(ValueError, "incomplete format key"));
            }
            let key: String = chars[start..i - 1].iter().collect();
            named = Some(
                map.get(&key)
                    .ok_or_else(|| DbError::interpolate(KeyError, key.clone()))?,
            );
        }
        let Some(&conv) = chars.get(i) else {
            return Err(DbError::interpolate(ValueError, "incomplete format"));
        };
        i += 1;
        match conv {
            '%' => out.push('%'),
            's' => {
                let value = match (named, params) {
                    (Some(v), _) => v,
                    (None, Params::Positional(values)) => {
                        let v = values.get(argidx).ok_or_else(|| {
                            DbError::interpolate(
                                TypeError,
                                "not enough arguments for format string",
                            )
                        })?;
                        argidx += 1;
                        v
                    }
                    (None, Params::Named(_)) => {
                        return Err(DbError::interpolate(TypeError, "format requires a mapping"));
                    }
                };
                out.push_str(&render(value)?);
            }
            // Python's `%` would reach these with a `str` argument (pymysql
            // escapes every value to `str` first) and refuse it.
            'd' | 'i' | 'u' => {
                return Err(DbError::interpolate(
                    TypeError,
                    format!("%{conv} format: a real number is required, not str"),
                ));
            }
            'x' | 'X' | 'o' => {
                return Err(DbError::interpolate(
                    TypeError,
                    format!("%{conv} format: an integer is required, not str"),
                ));
            }
            'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
                return Err(DbError::interpolate(
                    TypeError,
                    "must be real number, not str",
                ));
            }
            other => {
                let index = i - 1;
                return Err(DbError::interpolate(
                    ValueError,
                    format!(
                        "unsupported format character '{other}' (0x{:x}) at index {index}",
                        other as u32
                    ),
                ));
            }
        }
    }
    if let Params::Positional(values) = params
        && argidx < values.len()
    {
        return Err(DbError::interpolate(
            TypeError,
            "not all arguments converted during string formatting",
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(sql: &str, values: &[Value]) -> Result<String, DbError> {
        interpolate_pyformat(Dialect::Postgresql, sql, &Params::Positional(values))
    }

    fn named(sql: &str, values: &[(&str, Value)]) -> Result<String, DbError> {
        let map: IndexMap<String, Value> = values
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        interpolate_pyformat(Dialect::Postgresql, sql, &Params::Named(&map))
    }

    fn err(r: Result<String, DbError>) -> (PyException, String) {
        match r {
            Err(DbError::Interpolate { exception, message }) => (exception, message),
            other => panic!("expected an interpolation error, got {other:?}"),
        }
    }

    #[test]
    fn float_repr() {
        for (f, s) in [
            (1.5, "1.5"),
            (1e16, "1e+16"),
            (1e-5, "1e-05"),
            (0.0001, "0.0001"),
            (123456789012345.0, "123456789012345.0"),
            (1234567890123456.0, "1234567890123456.0"),
            (0.1, "0.1"),
            (-2.5, "-2.5"),
            (1.0, "1.0"),
            (0.0, "0.0"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
        ] {
            assert_eq!(python_float_repr(f), s, "{f}");
        }
    }

    #[test]
    fn psycopg2_literals() {
        let lit = |v: Value| render_literal(Dialect::Postgresql, &v).unwrap();
        assert_eq!(lit(Value::Text("a'b\\c".into())), "'a''b\\c'");
        assert_eq!(lit(Value::Bytes(vec![0, 1, 255])), "'\\x0001ff'::bytea");
        assert_eq!(lit(Value::Bytes(vec![])), "'\\x'::bytea");
        assert_eq!(lit(Value::Bool(true)), "true");
        assert_eq!(lit(Value::Null), "NULL");
        assert_eq!(lit(Value::Int(-5)), " -5");
        assert_eq!(lit(Value::Float(f64::NAN)), "'NaN'::float");
        assert_eq!(lit(Value::Float(f64::NEG_INFINITY)), "'-Infinity'::float");
        assert_eq!(lit(Value::Float(-2.5)), " -2.5");
        assert_eq!(lit(Value::Numeric("-1.50".into())), " -1.50");
        assert_eq!(lit(Value::Numeric("-Infinity".into())), "'NaN'::numeric");
        assert_eq!(
            lit(Value::Array(vec![
                Value::Int(1),
                Value::Int(2),
                Value::Int(3)
            ])),
            "ARRAY[1,2,3]"
        );
        assert_eq!(
            lit(Value::Array(vec![
                Value::Array(vec![Value::Int(1), Value::Int(2)]),
                Value::Array(vec![Value::Int(3), Value::Int(4)])
            ])),
            "ARRAY[ARRAY[1,2],ARRAY[3,4]]"
        );
        assert_eq!(lit(Value::Array(vec![])), "'{}'");
        assert_eq!(
            lit(Value::Array(vec![Value::Text("a".into()), Value::Null])),
            "ARRAY['a',NULL]"
        );
        assert_eq!(
            lit(Value::DateTime("2024-01-02T03:04:05".into())),
            "'2024-01-02T03:04:05'::timestamp"
        );
        assert_eq!(
            lit(Value::Time("03:04:05+00:00".into())),
            "'03:04:05+00:00'::timetz"
        );
        assert_eq!(lit(Value::Time("03:04:05".into())), "'03:04:05'::time");
        assert_eq!(
            lit(Value::Interval("1 days 2.000003 seconds".into())),
            "'1 days 2.000003 seconds'::interval"
        );
        let (e, m) = err(render_literal(
            Dialect::Postgresql,
            &Value::Text("a\0b".into()),
        ));
        assert_eq!(e, PyException::ValueError);
        assert_eq!(m, "A string literal cannot contain NUL (0x00) characters.");
    }

    #[test]
    fn psycopg2_substitution() {
        let one = [Value::Int(1)];
        assert_eq!(pos("select %s", &one).unwrap(), "select 1");
        assert_eq!(pos("select 100%% %s", &one).unwrap(), "select 100% 1");
        assert_eq!(pos("select 100%%", &[]).unwrap(), "select 100%");
        assert_eq!(pos("select x", &[]).unwrap(), "select x");
        assert_eq!(pos("select x %%", &[]).unwrap(), "select x %");
        assert_eq!(
            pos("select x", &[Value::Int(1), Value::Int(2)]).unwrap(),
            "select x"
        );
        assert_eq!(named("select %%", &[]).unwrap(), "select %");
        assert_eq!(
            named("select %(a)s %(a)s", &[("a", Value::Text("x".into()))]).unwrap(),
            "select 'x' 'x'"
        );
        assert_eq!(
            named(
                "select %(a)s",
                &[("a", Value::Int(1)), ("b", Value::Int(2))]
            )
            .unwrap(),
            "select 1"
        );
    }

    #[test]
    fn psycopg2_errors() {
        use PyException::*;
        let one = [Value::Int(1)];
        let cases: Vec<(Result<String, DbError>, PyException, &str)> = vec![
            (
                pos("select %d", &one),
                ValueError,
                "unsupported format character 'd' (0x64) at index 8",
            ),
            (
                pos("select %s %s", &one),
                IndexError,
                "tuple index out of range",
            ),
            (
                pos("select %s", &[Value::Int(1), Value::Int(2)]),
                TypeError,
                "not all arguments converted during string formatting",
            ),
            (
                named("select %(a)s %s", &[("a", Value::Int(1))]),
                ProgrammingError,
                "argument formats can't be mixed",
            ),
            (
                pos("select %s %(a)s", &one),
                ProgrammingError,
                "argument formats can't be mixed",
            ),
            (
                named("select %(a)s %(b)s", &[("a", Value::Int(1))]),
                KeyError,
                "b",
            ),
            (pos("select 100%", &one), ValueError, "incomplete format"),
            (
                pos("select 100%", &[]),
                IndexError,
                "tuple index out of range",
            ),
            (
                named("select %(a", &[("a", Value::Int(1))]),
                ProgrammingError,
                "incomplete placeholder: '%(' without ')'",
            ),
            (
                named("select %(a)d", &[("a", Value::Int(1))]),
                ValueError,
                "unsupported format character 'd' (0x64) at index 11",
            ),
            (
                named("select %(a)", &[("a", Value::Int(1))]),
                ValueError,
                "incomplete format",
            ),
            (named("select %", &[]), TypeError, "dict is not a sequence"),
            (
                named("select %(a%)s", &[("a%", Value::Int(1))]),
                ProgrammingError,
                "incomplete placeholder: '%(' without ')'",
            ),
            (
                named("select %(a(b)s", &[("a(b", Value::Int(1))]),
                ValueError,
                "incomplete format key",
            ),
            (
                named("select %(a(b))s", &[("a(b)", Value::Int(1))]),
                KeyError,
                "a(b",
            ),
            (
                pos("select %5s", &one),
                ValueError,
                "unsupported format character '5' (0x35) at index 8",
            ),
        ];
        for (result, exception, message) in cases {
            assert_eq!(err(result), (exception, message.to_string()));
        }
    }

    #[test]
    fn pymysql_literals_and_substitution() {
        let lit = |v: Value| render_literal(Dialect::Mysql, &v).unwrap();
        assert_eq!(
            lit(Value::Text("a'b\"c\\d\n\r\0\x1a".into())),
            "'a\\'b\\\"c\\\\d\\n\\r\\0\\Z'"
        );
        assert_eq!(lit(Value::Bool(true)), "1");
        assert_eq!(lit(Value::Float(1.5)), "1.5e0");
        assert_eq!(lit(Value::Float(1e16)), "1e+16");
        assert_eq!(lit(Value::Numeric("1E+2".into())), "100");
        assert_eq!(lit(Value::Numeric("-1.5E-3".into())), "-0.0015");
        assert_eq!(lit(Value::Bytes(vec![0xde, 0xad])), "X'dead'");
        assert_eq!(lit(Value::Int(-5)), "-5");
        let values = [Value::Text("x".into()), Value::Int(2)];
        assert_eq!(
            interpolate_pyformat(
                Dialect::Mysql,
                "a=%s and b=%s and c like 'z%%'",
                &Params::Positional(&values)
            )
            .unwrap(),
            "a='x' and b=2 and c like 'z%'"
        );
        let map: IndexMap<String, Value> = [("k".to_string(), Value::Null)].into_iter().collect();
        assert_eq!(
            interpolate_pyformat(Dialect::Mysql, "x=%(k)s", &Params::Named(&map)).unwrap(),
            "x=NULL"
        );
        let (e, m) = err(interpolate_pyformat(
            Dialect::Mysql,
            "%s %s",
            &Params::Positional(&values[..1]),
        ));
        assert_eq!(
            (e, m.as_str()),
            (
                PyException::ProgrammingError,
                "not enough arguments for format string"
            )
        );
        let (e, _) = err(interpolate_pyformat(
            Dialect::Mysql,
            "%s",
            &Params::Positional(&values),
        ));
        assert_eq!(e, PyException::ProgrammingError);
        let (e, m) = err(render_literal(Dialect::Mysql, &Value::Float(f64::NAN)));
        assert_eq!(
            (e, m.as_str()),
            (
                PyException::ProgrammingError,
                "nan can not be used with MySQL"
            )
        );
    }

    #[test]
    fn mysql_like_pymysql_escape() {
        // a non-finite Decimal: pymysql's Decimal2Literal refuses it
        for (text, name) in [("NaN", "nan"), ("-Infinity", "-infinity"), ("sNaN", "snan")] {
            let (e, m) = err(render_literal(Dialect::Mysql, &Value::Numeric(text.into())));
            assert_eq!(e, PyException::ProgrammingError);
            assert_eq!(m, format!("{name} can not be used with MySQL"));
        }
        // an aware datetime or time: the fields, without the UTC offset
        let lit = |v: Value| render_literal(Dialect::Mysql, &v).unwrap();
        assert_eq!(
            lit(Value::DateTimeTz("2024-01-02 03:04:05.000006+05:30".into())),
            "'2024-01-02 03:04:05.000006'"
        );
        assert_eq!(
            lit(Value::DateTimeTz("0001-01-02 03:04:05-01:00".into())),
            "'0001-01-02 03:04:05'"
        );
        assert_eq!(
            lit(Value::Time("01:02:03.000400+05:30".into())),
            "'01:02:03.000400'"
        );
        assert_eq!(lit(Value::Time("01:02:03".into())), "'01:02:03'");
        // PostgreSQL keeps the offset (psycopg2's timestamptz/timetz)
        assert_eq!(
            render_literal(Dialect::Postgresql, &Value::Time("01:02:03+00:00".into())).unwrap(),
            "'01:02:03+00:00'::timetz"
        );
    }

    #[test]
    fn timedelta_as_pymysql_escapes_it() {
        for (psycopg2, pymysql) in [
            ("1 days 3723.000005 seconds", "'25:02:03.000005'"),
            ("7 days 0.000000 seconds", "'168:00:00'"),
            ("-1 days 86399.000000 seconds", "'-00:00:01'"),
            ("-2 days 0.000001 seconds", "'-47:59:59.999999'"),
        ] {
            assert_eq!(
                mysql_literal(&Value::Interval(psycopg2.into())).unwrap(),
                pymysql
            );
        }
    }
}
