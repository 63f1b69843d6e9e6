//! `str % mapping` for the strings of `[tool.alembic]`: Alembic formats each
//! one with `toml_args` (just `here`), so toml users write `%%` for a literal
//! percent sign and get Python's exceptions for anything else.

use crate::pyfmt::py_repr;

/// A Python exception: class name and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyException {
    pub class: &'static str,
    pub message: String,
}

fn exc(class: &'static str, message: impl Into<String>) -> PyException {
    PyException {
        class,
        message: message.into(),
    }
}

/// `fmt % dict(args)`, where every value of the mapping is a `str`.
pub fn format(fmt: &str, args: &[(&str, &str)]) -> Result<String, PyException> {
    let chars: Vec<char> = fmt.chars().collect();
    let n = chars.len();
    let incomplete = || exc("ValueError", "incomplete format");
    let mut out = String::new();
    let mut i = 0;
    // A mapping is one positional argument: the first spec without a key
    // formats the whole dict, the next one finds nothing left.
    let mut positional_used = false;
    while i < n {
        if chars[i] != '%' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        i += 1;
        if i >= n {
            return Err(incomplete());
        }
        if chars[i] == '%' {
            out.push('%');
            i += 1;
            continue;
        }
        let mut key: Option<String> = None;
        if chars[i] == '(' {
            let start = i + 1;
            let mut depth = 1;
            i += 1;
            while i < n && depth > 0 {
                match chars[i] {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                i += 1;
            }
            if depth > 0 {
                return Err(exc("ValueError", "incomplete format key"));
            }
            key = Some(chars[start..i - 1].iter().collect());
        }
        let mut left_align = false;
        while i < n && "-+ #0".contains(chars[i]) {
            left_align |= chars[i] == '-';
            i += 1;
        }
        let mut width = 0usize;
        if i < n && chars[i] == '*' {
            return Err(exc("TypeError", "* wants int"));
        }
        while i < n && chars[i].is_ascii_digit() {
            width = width * 10 + chars[i].to_digit(10).unwrap_or(0) as usize;
            i += 1;
        }
        let mut precision: Option<usize> = None;
        if i < n && chars[i] == '.' {
            i += 1;
            if i < n && chars[i] == '*' {
                return Err(exc("TypeError", "* wants int"));
            }
            let mut p = 0usize;
            while i < n && chars[i].is_ascii_digit() {
                p = p * 10 + chars[i].to_digit(10).unwrap_or(0) as usize;
                i += 1;
            }
            precision = Some(p);
        }
        if i < n && "hlL".contains(chars[i]) {
            i += 1;
        }
        if i >= n {
            return Err(incomplete());
        }
        let conv = chars[i];
        let conv_index = i;
        i += 1;

        // The argument: a `str` from the mapping, or the mapping itself.
        let (arg_str, arg_type): (Option<&str>, &str) = match &key {
            Some(k) => match args.iter().find(|(name, _)| name == k) {
                Some((_, v)) => (Some(*v), "str"),
                None => return Err(exc("KeyError", py_repr(k))),
            },
            None if positional_used => {
                return Err(exc("TypeError", "not enough arguments for format string"));
            }
            None => (None, "dict"),
        };
        positional_used = true;
        let dict_str = || {
            let items: Vec<String> = args
                .iter()
                .map(|(k, v)| format!("{}: {}", py_repr(k), py_repr(v)))
                .collect();
            format!("{{{}}}", items.join(", "))
        };
        let text = match conv {
            's' => arg_str.map(str::to_string).unwrap_or_else(dict_str),
            'r' => arg_str.map(py_repr).unwrap_or_else(dict_str),
            'a' => ascii(&arg_str.map(py_repr).unwrap_or_else(dict_str)),
            'c' => match arg_str {
                Some(s) if s.chars().count() == 1 => s.to_string(),
                _ => return Err(exc("TypeError", "%c requires int or char")),
            },
            'd' | 'i' | 'u' => {
                return Err(exc(
                    "TypeError",
                    format!("%{conv} format: a real number is required, not {arg_type}"),
                ));
            }
            'o' | 'x' | 'X' => {
                return Err(exc(
                    "TypeError",
                    format!("%{conv} format: an integer is required, not {arg_type}"),
                ));
            }
            'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
                return Err(exc(
                    "TypeError",
                    format!("must be real number, not {arg_type}"),
                ));
            }
            c => {
                let shown = if (' '..='~').contains(&c) { c } else { '?' };
                return Err(exc(
                    "ValueError",
                    format!(
                        "unsupported format character '{shown}' (0x{:x}) at index {conv_index}",
                        c as u32
                    ),
                ));
            }
        };
        let text: String = match precision {
            Some(p) if conv != 'c' => text.chars().take(p).collect(),
            _ => text,
        };
        let pad = width.saturating_sub(text.chars().count());
        if left_align {
            out.push_str(&text);
            out.extend(std::iter::repeat_n(' ', pad));
        } else {
            out.extend(std::iter::repeat_n(' ', pad));
            out.push_str(&text);
        }
    }
    Ok(out)
}

/// `ascii()` applied to an existing `repr()`: non-ASCII escaped.
fn ascii(repr: &str) -> String {
    let mut out = String::new();
    for c in repr.chars() {
        let n = c as u32;
        if n < 0x80 {
            out.push(c);
        } else if n < 0x100 {
            out.push_str(&format!("\\x{n:02x}"));
        } else if n < 0x10000 {
            out.push_str(&format!("\\u{n:04x}"));
        } else {
            out.push_str(&format!("\\U{n:08x}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARGS: &[(&str, &str)] = &[("here", "/tmp/x")];

    fn ok(f: &str) -> String {
        format(f, ARGS).unwrap()
    }

    fn err(f: &str) -> String {
        let e = format(f, ARGS).unwrap_err();
        format!("{}: {}", e.class, e.message)
    }

    #[test]
    fn formats_like_python() {
        assert_eq!(ok("%(here)s/migrations"), "/tmp/x/migrations");
        assert_eq!(ok("%%(rev)s_%%(slug)s"), "%(rev)s_%(slug)s");
        assert_eq!(ok("plain"), "plain");
        assert_eq!(ok("%s"), "{'here': '/tmp/x'}");
        assert_eq!(ok("% s"), "{'here': '/tmp/x'}");
        assert_eq!(ok("%s %(here)s"), "{'here': '/tmp/x'} /tmp/x");
        assert_eq!(ok("%(here)-10.3s|"), "/tm       |");
        assert_eq!(ok("%(here)10.3r|"), "       '/t|");
        assert_eq!(ok("%(here)ls"), "/tmp/x");
        assert_eq!(ok("%(here)#05s"), "/tmp/x");
        assert_eq!(ok("%(here)a"), "'/tmp/x'");
        assert_eq!(
            format("%(a)a", &[("a", "\u{e9}\x01\u{1F600}\u{1234}")]).unwrap(),
            "'\\xe9\\x01\\U0001f600\\u1234'"
        );
    }

    #[test]
    fn errors_like_python() {
        assert_eq!(
            err("%(here)d"),
            "TypeError: %d format: a real number is required, not str"
        );
        assert_eq!(
            err("%(here)x"),
            "TypeError: %x format: an integer is required, not str"
        );
        assert_eq!(err("%(here)f"), "TypeError: must be real number, not str");
        assert_eq!(err("%(here)c"), "TypeError: %c requires int or char");
        assert_eq!(
            err("%(here)q"),
            "ValueError: unsupported format character 'q' (0x71) at index 7"
        );
        assert_eq!(
            err("%(here)%"),
            "ValueError: unsupported format character '%' (0x25) at index 7"
        );
        assert_eq!(
            err("%\u{e9}"),
            "ValueError: unsupported format character '?' (0xe9) at index 1"
        );
        assert_eq!(err("%(here"), "ValueError: incomplete format key");
        assert_eq!(err("%(here)"), "ValueError: incomplete format");
        assert_eq!(err("abc%"), "ValueError: incomplete format");
        assert_eq!(err("%(here)5"), "ValueError: incomplete format");
        assert_eq!(
            err("%s %s"),
            "TypeError: not enough arguments for format string"
        );
        assert_eq!(
            err("%(here)s %s"),
            "TypeError: not enough arguments for format string"
        );
        assert_eq!(err("%(missing)s"), "KeyError: 'missing'");
        assert_eq!(err("%(he(r)e)s"), "KeyError: 'he(r)e'");
        assert_eq!(err("%(here)*s"), "TypeError: * wants int");
        assert_eq!(
            err("%d"),
            "TypeError: %d format: a real number is required, not dict"
        );
    }
}
