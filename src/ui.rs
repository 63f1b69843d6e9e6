//! Alembic's messaging rules, in one place.
//!
//! Result lines (`heads`, `history`, ...) go through [`Ui::print_stdout`] and
//! are never reformatted. Status and failure messages go through
//! [`Ui::msg`], which — like Alembic's `util.msg` — word-wraps and indents by
//! two spaces when *stdin* is a terminal (Alembic probes fd 0, not stdout).
//! `-q` silences both.

use std::io::Write;
use std::sync::OnceLock;

mod encoding;

pub use encoding::OutputEncoding;

/// Where command output goes, and whether `-q` silenced it.
pub struct Ui {
    quiet: bool,
    out: std::io::BufWriter<std::io::Stdout>,
}

impl Ui {
    pub fn new(quiet: bool) -> Ui {
        Ui {
            quiet,
            out: std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout()),
        }
    }

    /// `Config.print_stdout`: the text and a newline, unless quiet.
    pub fn print_stdout(&mut self, text: &str) {
        if self.quiet {
            return;
        }
        // A closed pipe (`alembic-rs history | head`) is not an error, as in Alembic.
        let _ = self.out.write_all(&OutputEncoding::current().encode(text));
        let _ = self.out.write_all(b"\n");
    }

    /// `util.msg`: a status line, wrapped and indented on a terminal.
    pub fn msg(&mut self, text: &str) {
        if self.quiet {
            return;
        }
        self.write_msg(text, true);
    }

    /// `util.status(text)`: `text ...`, then the work, then `  done` (or
    /// `  FAILED` when it fails). Stdout is flushed before the work runs, so
    /// the output of a subprocess (a post-write hook) lands after the
    /// header, as in Alembic.
    pub fn status<T, E>(
        &mut self,
        text: &str,
        newline: bool,
        work: impl FnOnce(&mut Ui) -> Result<T, E>,
    ) -> Result<T, E> {
        let quiet = self.quiet;
        self.status_inner(text, newline, quiet, work)
    }

    /// [`Ui::status`] for the callers Alembic does not pass `quiet` to (the
    /// post-write hooks): printed even under `-q`.
    pub fn status_unquiet<T, E>(
        &mut self,
        text: &str,
        newline: bool,
        work: impl FnOnce(&mut Ui) -> Result<T, E>,
    ) -> Result<T, E> {
        self.status_inner(text, newline, false, work)
    }

    fn status_inner<T, E>(
        &mut self,
        text: &str,
        newline: bool,
        quiet: bool,
        work: impl FnOnce(&mut Ui) -> Result<T, E>,
    ) -> Result<T, E> {
        if !quiet {
            self.write_msg(&format!("{text} ..."), newline);
        }
        self.flush();
        let result = work(self);
        if !quiet {
            let end: &[u8] = if result.is_ok() {
                b"  done\n"
            } else {
                b"  FAILED\n"
            };
            let _ = self.out.write_all(end);
        }
        result
    }

    /// `util.msg` without `quiet` (Alembic omits it for a few messages).
    pub fn msg_unquiet(&mut self, text: &str) {
        self.write_msg(text, true);
    }

    fn write_msg(&mut self, text: &str, newline: bool) {
        let lines = match terminal_width() {
            None => vec![text.to_string()],
            Some(width) => wrap(text, width, "  "),
        };
        let last = lines.len().saturating_sub(1);
        for (i, line) in lines.iter().enumerate() {
            let _ = self.out.write_all(&OutputEncoding::current().encode(line));
            if i < last || newline {
                let _ = self.out.write_all(b"\n");
            }
        }
    }

    pub fn flush(&mut self) {
        let _ = self.out.flush();
    }
}

impl Drop for Ui {
    fn drop(&mut self) {
        self.flush();
    }
}

/// The width Alembic computes once at import: `TIOCGWINSZ` on fd 0.
fn terminal_width() -> Option<usize> {
    static WIDTH: OnceLock<Option<usize>> = OnceLock::new();
    *WIDTH.get_or_init(|| {
        // SAFETY: TIOCGWINSZ writes one `winsize` into the struct we pass.
        unsafe {
            let mut ws: libc::winsize = std::mem::zeroed();
            if libc::ioctl(0, libc::TIOCGWINSZ, &mut ws) != 0 || ws.ws_col == 0 {
                None
            } else {
                Some(ws.ws_col as usize)
            }
        }
    })
}

/// Python's `textwrap.wrap(text, width, initial_indent=indent,
/// subsequent_indent=indent)` with its defaults: whitespace runs kept inside
/// a line and dropped at line breaks, words split after hyphens between
/// letters, a word longer than a line split to fill the current one.
fn wrap(text: &str, width: usize, indent: &str) -> Vec<String> {
    let text = expand_tabs(text);
    let mut chunks: Vec<Vec<char>> = split_chunks(&text);
    chunks.reverse();
    let width = width.saturating_sub(indent.chars().count());
    let blank = |c: &[char]| c.iter().all(|&ch| ch == ' ');
    let mut lines: Vec<String> = Vec::new();
    while !chunks.is_empty() {
        let mut line: Vec<Vec<char>> = Vec::new();
        let mut len = 0usize;
        if !lines.is_empty() && chunks.last().is_some_and(|c| blank(c)) {
            chunks.pop();
        }
        while let Some(c) = chunks.last() {
            if len + c.len() <= width {
                len += c.len();
                line.push(chunks.pop().unwrap_or_default());
            } else {
                break;
            }
        }
        if chunks.last().is_some_and(|c| c.len() > width) {
            // `_handle_long_word`.
            let space_left = if width < 1 { 1 } else { width - len };
            let last = chunks.len() - 1;
            let chunk = &chunks[last];
            let mut end = space_left.min(chunk.len());
            if chunk.len() > space_left
                && let Some(h) = chunk[..space_left].iter().rposition(|&c| c == '-')
                && h > 0
                && chunk[..h].iter().any(|&c| c != '-')
            {
                end = h + 1;
            }
            let rest = chunk[end..].to_vec();
            line.push(chunk[..end].to_vec());
            chunks[last] = rest;
        }
        if line.last().is_some_and(|c| blank(c)) {
            line.pop();
        }
        if !line.is_empty() {
            let body: String = line.iter().flatten().collect();
            lines.push(format!("{indent}{body}"));
        }
    }
    if lines.is_empty() {
        lines.push(indent.to_string());
    }
    lines
}

/// `str.expandtabs()` then every whitespace character as a space
/// (`replace_whitespace`).
fn expand_tabs(text: &str) -> Vec<char> {
    let mut out = Vec::new();
    let mut col = 0usize;
    for c in text.chars() {
        match c {
            '\t' => {
                let n = 8 - col % 8;
                out.extend(std::iter::repeat_n(' ', n));
                col += n;
            }
            '\n' | '\r' => {
                out.push(' ');
                col = 0;
            }
            '\x0b' | '\x0c' => {
                out.push(' ');
                col += 1;
            }
            c => {
                out.push(c);
                col += 1;
            }
        }
    }
    out
}

/// `TextWrapper.wordsep_re.split`: runs of spaces, `--` dashes after a word,
/// and words, a word ending after a hyphen between letters.
fn split_chunks(t: &[char]) -> Vec<Vec<char>> {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let letter = |c: char| word(c) && !c.is_numeric();
    let wp = |c: char| word(c) || "!\"'&.,?".contains(c);
    let at = |i: usize| t.get(i).copied();
    // `-{2,}(?=\w)` at `i`: the end of the dashes.
    let dashes = |i: usize| -> Option<usize> {
        let mut j = i;
        while at(j) == Some('-') {
            j += 1;
        }
        (j - i >= 2 && at(j).is_some_and(word)).then_some(j)
    };
    let mut chunks = Vec::new();
    let mut i = 0;
    while i < t.len() {
        let start = i;
        if t[i] == ' ' {
            while at(i) == Some(' ') {
                i += 1;
            }
        } else if i > 0 && wp(t[i - 1]) && dashes(i).is_some() {
            i = dashes(i).unwrap_or(i + 1);
        } else {
            let mut j = i + 1;
            loop {
                let hyphen_break = at(j) == Some('-')
                    && ((j >= 2 && letter(t[j - 2]) && letter(t[j - 1]))
                        || (j >= 3 && letter(t[j - 3]) && t[j - 2] == '-' && letter(t[j - 1])))
                    && at(j + 1).is_some_and(letter)
                    && (at(j + 2).is_some_and(letter)
                        || (at(j + 2) == Some('-') && at(j + 3).is_some_and(letter)));
                if hyphen_break {
                    j += 1;
                    break;
                }
                if j >= t.len() || t[j] == ' ' || (wp(t[j - 1]) && dashes(j).is_some()) {
                    break;
                }
                j += 1;
            }
            i = j;
        }
        chunks.push(t[start..i].to_vec());
    }
    chunks
}

/// Prints a warning the way Python's `warnings` module would show Alembic's
/// `UserWarning` (without the Alembic source location, which alembic-rs
/// does not have).
pub fn warn(message: &str) {
    eprint(&format!("UserWarning: {message}\n"));
}

/// Writes to stderr as Python's `sys.stderr` would: in the output
/// encoding, with backslash escapes for what it cannot hold.
pub fn eprint(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(&OutputEncoding::current().encode_stderr(text));
    let _ = err.flush();
}

#[cfg(test)]
mod tests {
    use super::wrap;

    /// Expected lines from Python 3.11's `textwrap.wrap(text, width,
    /// initial_indent="  ", subsequent_indent="  ")`.
    #[test]
    fn wraps_exactly_like_textwrap() {
        let cases: &[(&str, usize, &[&str])] = &[
            (
                "Generating /tmp/tt/a/migrations_directory_long/script.py.mako ...",
                50,
                &[
                    "  Generating /tmp/tt/a/migrations_directory_long/s",
                    "  cript.py.mako ...",
                ],
            ),
            (
                "Creating directory /tmp/tt/a/migrations_directory_long ...",
                50,
                &[
                    "  Creating directory",
                    "  /tmp/tt/a/migrations_directory_long ...",
                ],
            ),
            (
                "Please edit configuration settings in /tmp/x/pyproject.toml and configuration/connection/logging settings in /tmp/x/alembic.ini before proceeding.",
                50,
                &[
                    "  Please edit configuration settings in",
                    "  /tmp/x/pyproject.toml and",
                    "  configuration/connection/logging settings in",
                    "  /tmp/x/alembic.ini before proceeding.",
                ],
            ),
            (
                "Adding /tmp/.tmpAb-cd_ef/well-known-dir/versions/__init__.py ...",
                30,
                &[
                    "  Adding /tmp/.tmpAb-",
                    "  cd_ef/well-known-",
                    "  dir/versions/__init__.py ...",
                ],
            ),
            ("a  b   c", 80, &["  a  b   c"]),
            (
                "tab\there and-hyphenated-words-go here",
                12,
                &[
                    "  tab",
                    "  here and-h",
                    "  yphenated-",
                    "  words-go",
                    "  here",
                ],
            ),
            (
                "FAILED: Can't locate revision identified by 'zz--yy'",
                20,
                &[
                    "  FAILED: Can't",
                    "  locate revision",
                    "  identified by 'zz",
                    "  --yy'",
                ],
            ),
            (
                "co-operate non--stop well--known e-mail a-b-c",
                10,
                &[
                    "  co-",
                    "  operate",
                    "  non--",
                    "  stop",
                    "  well--",
                    "  known",
                    "  e-mail",
                    "  a-b-c",
                ],
            ),
            (
                "Running post write hook 'black' ...",
                20,
                &["  Running post write", "  hook 'black' ..."],
            ),
            (" leading space", 10, &["   leading", "  space"]),
        ];
        for (text, width, expected) in cases {
            assert_eq!(wrap(text, *width, "  "), *expected, "{text:?} at {width}");
        }
        let long = "x".repeat(100);
        let x28 = format!("  {}", "x".repeat(28));
        let x16 = format!("  {}", "x".repeat(16));
        assert_eq!(
            wrap(&long, 30, "  "),
            vec![x28.clone(), x28.clone(), x28, x16]
        );
    }

    #[test]
    fn wraps_like_textwrap() {
        assert_eq!(wrap("FAILED: short", 80, "  "), vec!["  FAILED: short"]);
        let long = "FAILED: Multiple head revisions are present for given argument 'head'; please specify a specific target revision";
        assert_eq!(
            wrap(long, 40, "  "),
            vec![
                "  FAILED: Multiple head revisions are",
                "  present for given argument 'head';",
                "  please specify a specific target",
                "  revision",
            ]
        );
    }
}
