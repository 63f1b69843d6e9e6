//! The encoding Alembic's output goes out in: `sys.stdout.encoding`, which
//! Alembic's `write_outstream` encodes every message to with the `replace`
//! error handler (`?` for what the encoding cannot hold). alembic-rs prints
//! graph commands' output without starting Python, so it works out what
//! Python would pick, from the same environment.
//!
//! Python's rule (3.11, `PyConfig` defaults): `PYTHONIOENCODING`'s encoding
//! part; else UTF-8 in UTF-8 mode (`PYTHONUTF8=1`, or unset with a C/POSIX
//! `LC_CTYPE` locale); else the locale's codeset. Nearly every machine ends
//! at UTF-8; the others seen are ASCII (`PYTHONIOENCODING=ascii`,
//! `PYTHONUTF8=0` in the C locale) and latin-1 locales. An encoding outside
//! those three is written as UTF-8, as before.

use std::borrow::Cow;
use std::ffi::CStr;
use std::sync::OnceLock;

/// How text is turned into the bytes written to stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputEncoding {
    Utf8,
    /// Code points above 127 become `?`.
    Ascii,
    /// Code points up to 255 are one byte each; the rest become `?`.
    Latin1,
}

impl OutputEncoding {
    /// What this process's environment gives, worked out once.
    pub fn current() -> OutputEncoding {
        static CURRENT: OnceLock<OutputEncoding> = OnceLock::new();
        *CURRENT.get_or_init(|| {
            let var = |name: &str| std::env::var(name).ok();
            // PEP 538: a C locale is coerced to C.UTF-8 unless LC_ALL
            // overrides it or PYTHONCOERCECLOCALE=0 says not to
            let coerced = var("LC_ALL").is_none_or(|v| v.is_empty())
                && var("PYTHONCOERCECLOCALE").as_deref() != Some("0");
            choose(
                var("PYTHONIOENCODING").as_deref(),
                var("PYTHONUTF8").as_deref(),
                coerced,
                locale_codeset,
            )
        })
    }

    /// The highest code point written as one byte, or `None` when the
    /// text's UTF-8 bytes are already what goes out (UTF-8, or ASCII text).
    fn byte_limit(self, text: &str) -> Option<u32> {
        match self {
            OutputEncoding::Utf8 => None,
            _ if text.is_ascii() => None,
            OutputEncoding::Ascii => Some(0x7f),
            OutputEncoding::Latin1 => Some(0xff),
        }
    }

    /// `text.encode(encoding, "replace")`.
    pub fn encode<'a>(self, text: &'a str) -> Cow<'a, [u8]> {
        let Some(limit) = self.byte_limit(text) else {
            return Cow::Borrowed(text.as_bytes());
        };
        Cow::Owned(
            text.chars()
                .map(|c| {
                    u8::try_from(u32::from(c))
                        .ok()
                        .filter(|b| u32::from(*b) <= limit)
                })
                .map(|b| b.unwrap_or(b'?'))
                .collect(),
        )
    }

    /// `text.encode(encoding, "backslashreplace")`: how Python's
    /// `sys.stderr` writes (its error handler is always that one, whatever
    /// PYTHONIOENCODING says), so argparse's usage errors and tracebacks
    /// show `\xe9` where the encoding has no `é`.
    pub fn encode_stderr<'a>(self, text: &'a str) -> Cow<'a, [u8]> {
        let Some(limit) = self.byte_limit(text) else {
            return Cow::Borrowed(text.as_bytes());
        };
        let mut out = Vec::with_capacity(text.len() + 8);
        for c in text.chars() {
            let code = u32::from(c);
            if code <= limit {
                // code <= 0xff here
                out.push(code as u8);
            } else if code <= 0xff {
                out.extend_from_slice(format!("\\x{code:02x}").as_bytes());
            } else if code <= 0xffff {
                out.extend_from_slice(format!("\\u{code:04x}").as_bytes());
            } else {
                out.extend_from_slice(format!("\\U{code:08x}").as_bytes());
            }
        }
        Cow::Owned(out)
    }
}

/// Python's choice, from `PYTHONIOENCODING`, `PYTHONUTF8`, whether a C
/// locale would be coerced to C.UTF-8, and the locale's codeset (`None`
/// when the `LC_CTYPE` locale is C/POSIX).
fn choose(
    io_encoding: Option<&str>,
    utf8_mode: Option<&str>,
    coerced: bool,
    codeset: impl FnOnce() -> Option<String>,
) -> OutputEncoding {
    if let Some(name) = io_encoding
        .map(|v| v.split(':').next().unwrap_or(""))
        .filter(|n| !n.is_empty())
    {
        return by_name(name);
    }
    match utf8_mode {
        Some("1") => OutputEncoding::Utf8,
        // the C locale with UTF-8 mode off: ASCII, unless coerced
        Some("0") => match codeset() {
            Some(c) => by_name(&c),
            None if coerced => OutputEncoding::Utf8,
            None => OutputEncoding::Ascii,
        },
        _ => codeset().map_or(OutputEncoding::Utf8, |c| by_name(&c)),
    }
}

/// Python's codec lookup for the names that matter here (case, `-`/`_`
/// and the locale spellings `nl_langinfo` gives).
fn by_name(name: &str) -> OutputEncoding {
    let key: String = name
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | ' '))
        .flat_map(char::to_lowercase)
        .collect();
    match key.as_str() {
        "ascii" | "usascii" | "ansix3.41968" | "646" | "us" | "iso646us" => OutputEncoding::Ascii,
        "latin1" | "latin" | "l1" | "iso88591" | "iso8859" | "8859" | "cp819" | "iso885911987" => {
            OutputEncoding::Latin1
        }
        _ => OutputEncoding::Utf8,
    }
}

/// The `LC_CTYPE` codeset Python would see after `setlocale(LC_CTYPE, "")`,
/// or `None` for the C/POSIX locale (Python's UTF-8 mode). The previous
/// locale is put back: Python sets its own when it starts.
fn locale_codeset() -> Option<String> {
    // SAFETY: setlocale/nl_langinfo are called on one thread before any
    // other code of ours reads the locale; the returned strings are copied
    // before the locale is restored.
    unsafe {
        let previous = libc::setlocale(libc::LC_CTYPE, std::ptr::null());
        let previous = (!previous.is_null()).then(|| CStr::from_ptr(previous).to_owned());
        let name = libc::setlocale(libc::LC_CTYPE, c"".as_ptr());
        let name = (!name.is_null()).then(|| CStr::from_ptr(name).to_string_lossy().into_owned());
        let codeset = CStr::from_ptr(libc::nl_langinfo(libc::CODESET))
            .to_string_lossy()
            .into_owned();
        if let Some(previous) = previous {
            libc::setlocale(libc::LC_CTYPE, previous.as_ptr());
        }
        match name.as_deref() {
            None | Some("C") | Some("POSIX") => None,
            _ => Some(codeset),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_io_encoding_wins() {
        let utf8 = || Some("UTF-8".to_string());
        assert_eq!(
            choose(Some("ascii"), None, true, utf8),
            OutputEncoding::Ascii
        );
        assert_eq!(
            choose(Some("latin-1:strict"), Some("1"), true, utf8),
            OutputEncoding::Latin1
        );
        assert_eq!(
            choose(Some(":replace"), None, false, || None),
            OutputEncoding::Utf8
        );
    }

    #[test]
    fn utf8_mode_and_the_locale() {
        assert_eq!(choose(None, None, false, || None), OutputEncoding::Utf8);
        assert_eq!(
            choose(None, Some("0"), false, || None),
            OutputEncoding::Ascii
        );
        assert_eq!(choose(None, Some("0"), true, || None), OutputEncoding::Utf8);
        assert_eq!(
            choose(None, None, true, || Some("ISO-8859-1".into())),
            OutputEncoding::Latin1
        );
        assert_eq!(
            choose(None, Some("1"), true, || Some("ISO-8859-1".into())),
            OutputEncoding::Utf8
        );
    }

    #[test]
    fn replace_as_python_does() {
        let text = "añadir café €";
        assert_eq!(&*OutputEncoding::Ascii.encode(text), b"a?adir caf? ?");
        assert_eq!(
            &*OutputEncoding::Latin1.encode(text),
            b"a\xf1adir caf\xe9 ?"
        );
        assert_eq!(&*OutputEncoding::Utf8.encode(text), text.as_bytes());
    }

    /// Expected bytes from Python 3.11's
    /// `"ñ € 😀".encode(enc, "backslashreplace")`.
    #[test]
    fn backslashreplace_as_python_does() {
        let text = "ñ € 😀";
        assert_eq!(
            &*OutputEncoding::Ascii.encode_stderr(text),
            br"\xf1 \u20ac \U0001f600"
        );
        assert_eq!(
            &*OutputEncoding::Latin1.encode_stderr(text),
            b"\xf1 \\u20ac \\U0001f600"
        );
        assert_eq!(&*OutputEncoding::Utf8.encode_stderr(text), text.as_bytes());
    }
}
