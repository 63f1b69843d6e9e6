//! The parts of an f-string that are not code: the literal text and the
//! format spec of a replacement field.
//!
//! F-strings nest (a field may hold another f-string, and since Python
//! 3.12 one with the same quotes), so the scanner keeps a stack of
//! [`Frame`]s instead of skipping the string in one go as `lex::skip_string`
//! does for the others; the replacement fields themselves are read by `code`.

use super::ScanError;
use super::lex::{FSTR, newline_len, skip_escape};
use super::statements::{Scanner, Step};

/// One level of f-string nesting.
#[derive(Debug, Clone, Copy)]
pub(super) enum Frame {
    /// The literal part of an f-string.
    Str {
        quote: u8,
        triple: bool,
        raw: bool,
        line: u32,
    },
    /// A replacement field's expression; `base` is the bracket depth at `{`.
    Expr { base: usize },
    /// A replacement field's format spec (after `:`).
    Spec,
}

impl Scanner<'_> {
    /// The literal part of an f-string (the top frame is `Frame::Str`).
    pub(super) fn fstring_literal(&mut self) -> Result<Step, ScanError> {
        let b = self.b;
        let n = b.len();
        let Some(&Frame::Str {
            quote,
            triple,
            raw,
            line,
        }) = self.fstack.last()
        else {
            unreachable!("fstring_literal without a string frame");
        };
        loop {
            let Some(c) = self.next_marked(&FSTR) else {
                return Ok(Step::Eof);
            };
            match c {
                b'\\' => {
                    self.i += 1;
                    if !raw && b.get(self.i) == Some(&b'N') && b.get(self.i + 1) == Some(&b'{') {
                        // \N{NAME}: the braces are not a replacement field
                        while self.i < n && b[self.i] != b'}' && b[self.i] != quote {
                            self.i += 1;
                        }
                        if self.i < n && b[self.i] == b'}' {
                            self.i += 1;
                        }
                        continue;
                    }
                    // `\{` does not escape the brace: it still opens a field
                    if !matches!(b.get(self.i), Some(b'{' | b'}')) {
                        self.i = skip_escape(b, self.i, &mut self.line);
                    }
                }
                b'\n' | b'\r' => self.string_newline(triple, line)?,
                b'{' => {
                    if b.get(self.i + 1) == Some(&b'{') {
                        self.i += 2;
                    } else {
                        self.i += 1;
                        self.fstack.push(Frame::Expr {
                            base: self.brackets.len(),
                        });
                        return Ok(Step::Switch);
                    }
                }
                b'}' => {
                    self.i += if b.get(self.i + 1) == Some(&b'}') {
                        2
                    } else {
                        1
                    };
                }
                _ if c == quote => {
                    if !triple {
                        self.i += 1;
                        self.fstack.pop();
                        return Ok(Step::Switch);
                    }
                    if b.get(self.i + 1) == Some(&quote) && b.get(self.i + 2) == Some(&quote) {
                        self.i += 3;
                        self.fstack.pop();
                        return Ok(Step::Switch);
                    }
                    self.i += 1;
                }
                _ => self.i += 1,
            }
        }
    }

    /// A format spec inside a replacement field (the top frame is `Frame::Spec`).
    pub(super) fn fstring_spec(&mut self) -> Result<Step, ScanError> {
        let b = self.b;
        let n = b.len();
        // the enclosing string decides whether newlines are allowed
        let (triple, line) = self
            .fstack
            .iter()
            .rev()
            .find_map(|f| match *f {
                Frame::Str { triple, line, .. } => Some((triple, line)),
                _ => None,
            })
            .unwrap_or((true, self.line));
        while self.i < n {
            match b[self.i] {
                b'{' => {
                    self.i += 1;
                    self.fstack.push(Frame::Expr {
                        base: self.brackets.len(),
                    });
                    return Ok(Step::Switch);
                }
                b'}' => {
                    self.i += 1;
                    self.fstack.pop();
                    return Ok(Step::Switch);
                }
                b'\\' => self.i = skip_escape(b, self.i + 1, &mut self.line),
                b'\n' | b'\r' => self.string_newline(triple, line)?,
                _ => self.i += 1,
            }
        }
        Ok(Step::Eof)
    }

    /// A line break inside an f-string: the next line in a triple-quoted
    /// one, the end of the line (an error) in any other.
    fn string_newline(&mut self, triple: bool, line: u32) -> Result<(), ScanError> {
        if !triple {
            return Err(self.unterminated(false, line));
        }
        self.i += newline_len(self.b, self.i);
        self.line += 1;
        Ok(())
    }
}
