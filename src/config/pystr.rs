//! The few Python built-in text behaviours that decide what Alembic reads
//! from its config files. Rust's own notions differ in small ways (which
//! characters are whitespace, how text files split into lines, what `int()`
//! accepts), and each difference would change a value or a message.

use crate::pyfmt::py_repr;

/// `str.isspace()`: Rust's `char::is_whitespace` lacks `\x1c`-`\x1f`.
pub fn is_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n'
            | '\x0b'
            | '\x0c'
            | '\r'
            | '\x1c'..='\x1f'
            | ' '
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

/// `str.strip()` with no argument.
pub fn strip(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// `str.rstrip()` with no argument.
pub fn rstrip(s: &str) -> &str {
    s.trim_end_matches(is_space)
}

/// The lines a Python text file yields when iterated (universal newlines:
/// `\r\n` and a lone `\r` both become `\n`; each line keeps its `\n`).
pub fn text_file_lines(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                cur.push('\n');
                lines.push(std::mem::take(&mut cur));
            }
            '\n' => {
                cur.push('\n');
                lines.push(std::mem::take(&mut cur));
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

/// Decodes bytes as Python's strict UTF-8 codec does, or returns the text
/// of the `UnicodeDecodeError` it would raise.
pub fn decode_utf8(bytes: &[u8]) -> Result<String, String> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => {
            let start = e.valid_up_to();
            let (len, reason) = match e.error_len() {
                None => (bytes.len() - start, "unexpected end of data"),
                Some(n) => {
                    let b = bytes[start];
                    let bad_start = (0x80..0xc2).contains(&b) || b > 0xf4;
                    let reason = if bad_start {
                        "invalid start byte"
                    } else {
                        "invalid continuation byte"
                    };
                    (n, reason)
                }
            };
            let what = if len == 1 {
                format!("byte 0x{:02x} in position {start}", bytes[start])
            } else {
                format!("bytes in position {start}-{}", start + len - 1)
            };
            Err(format!("'utf-8' codec can't decode {what}: {reason}"))
        }
    }
}

/// `int(s)` for a `str`, base 10. Out-of-range values saturate (Python's
/// ints are unbounded; nothing downstream can use more than `i128`).
/// The error is the text of the `ValueError`.
pub fn parse_int(s: &str) -> Result<i128, String> {
    let err = || format!("invalid literal for int() with base 10: {}", py_repr(s));
    let t = strip(s);
    let (negative, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return Err(err());
    }
    let mut value: i128 = 0;
    for c in digits.chars() {
        if c == '_' {
            continue;
        }
        let d = c.to_digit(10).ok_or_else(err)?;
        value = value.saturating_mul(10).saturating_add(d as i128);
    }
    Ok(if negative { -value } else { value })
}

/// SQLAlchemy's `asbool` for a string; the error is the `ValueError` text.
pub fn asbool(s: &str) -> Result<bool, String> {
    let v = strip(s).to_lowercase();
    match v.as_str() {
        "true" | "yes" | "on" | "y" | "t" | "1" => Ok(true),
        "false" | "no" | "off" | "n" | "f" | "0" => Ok(false),
        _ => Err(format!("String is not true/false: {}", py_repr(&v))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_is_pythons() {
        assert_eq!(strip("\x1c a \u{3000}"), "a");
        assert_eq!(rstrip(" a \t\n"), " a");
        assert!(!is_space('\u{feff}'));
    }

    #[test]
    fn universal_newlines() {
        assert_eq!(
            text_file_lines("a\r\nb\rc\nd"),
            vec!["a\n", "b\n", "c\n", "d"]
        );
        assert_eq!(text_file_lines(""), Vec::<String>::new());
        assert_eq!(text_file_lines("\n\n"), vec!["\n", "\n"]);
    }

    #[test]
    fn decode_errors_match_python() {
        assert_eq!(
            decode_utf8(b"ab\xff").unwrap_err(),
            "'utf-8' codec can't decode byte 0xff in position 2: invalid start byte"
        );
        assert_eq!(
            decode_utf8(b"\xe2\x28\xa1").unwrap_err(),
            "'utf-8' codec can't decode byte 0xe2 in position 0: invalid continuation byte"
        );
        assert_eq!(
            decode_utf8(b"\xf0\x90\x28").unwrap_err(),
            "'utf-8' codec can't decode bytes in position 0-1: invalid continuation byte"
        );
        assert_eq!(
            decode_utf8(b"x\xe2\x82").unwrap_err(),
            "'utf-8' codec can't decode bytes in position 1-2: unexpected end of data"
        );
    }

    #[test]
    fn int_like_python() {
        assert_eq!(parse_int(" 42\n"), Ok(42));
        assert_eq!(parse_int("-1_000"), Ok(-1000));
        assert_eq!(parse_int("007"), Ok(7));
        assert_eq!(
            parse_int("x"),
            Err("invalid literal for int() with base 10: 'x'".to_string())
        );
        assert!(parse_int("1__0").is_err());
        assert!(parse_int("_1").is_err());
        assert!(parse_int("").is_err());
        assert!(parse_int("1.0").is_err());
    }

    #[test]
    fn asbool_like_sqlalchemy() {
        assert_eq!(asbool(" Yes "), Ok(true));
        assert_eq!(asbool("0"), Ok(false));
        assert_eq!(
            asbool(" Maybe "),
            Err("String is not true/false: 'maybe'".to_string())
        );
    }
}
