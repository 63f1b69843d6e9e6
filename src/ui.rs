//! Alembic's messaging rules, in one place.
//!
//! Result lines (`heads`, `history`, ...) go through [`Ui::print_stdout`] and
//! are never reformatted. Status and failure messages go through
//! [`Ui::msg`], which — like Alembic's `util.msg` — word-wraps and indents by
//! two spaces when *stdin* is a terminal (Alembic probes fd 0, not stdout).
//! `-q` silences both.

use std::io::Write;
use std::sync::OnceLock;

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
        let _ = self.out.write_all(text.as_bytes());
        let _ = self.out.write_all(b"\n");
    }

    /// `util.msg`: a status line, wrapped and indented on a terminal.
    pub fn msg(&mut self, text: &str) {
        if self.quiet {
            return;
        }
        match terminal_width() {
            None => {
                let _ = self.out.write_all(text.as_bytes());
                let _ = self.out.write_all(b"\n");
            }
            Some(width) => {
                for line in wrap(text, width, "  ") {
                    let _ = self.out.write_all(line.as_bytes());
                    let _ = self.out.write_all(b"\n");
                }
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
/// subsequent_indent=indent)` for the plain text Alembic wraps: whitespace
/// becomes single break points, words longer than a line are split.
fn wrap(text: &str, width: usize, indent: &str) -> Vec<String> {
    let avail = width.saturating_sub(indent.chars().count()).max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut len = 0usize;
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        loop {
            let need = if len == 0 {
                word.len()
            } else {
                len + 1 + word.len()
            };
            if need <= avail {
                if len > 0 {
                    line.push(' ');
                }
                line.extend(word.iter());
                len = need;
                break;
            }
            if len > 0 {
                lines.push(format!("{indent}{line}"));
                line.clear();
                len = 0;
                continue;
            }
            let rest = word.split_off(avail);
            lines.push(format!("{indent}{}", word.iter().collect::<String>()));
            word = rest;
        }
    }
    if len > 0 || lines.is_empty() {
        lines.push(format!("{indent}{line}"));
    }
    lines
}

/// Prints a warning the way Python's `warnings` module would show Alembic's
/// `UserWarning` (without the Alembic source location, which alembic-rs
/// does not have).
pub fn warn(message: &str) {
    eprintln!("UserWarning: {message}");
}

#[cfg(test)]
mod tests {
    use super::wrap;

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
