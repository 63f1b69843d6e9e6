//! Code within a logical line: brackets, strings, comments, and (at the
//! top level) the watched names, `=` and `;` a statement is known by.
//!
//! This loop also reads f-string replacement fields, which are code too:
//! a field ends at its `}` or `:` only at the bracket depth it began at,
//! which only this loop knows.

use super::fstring::Frame;
use super::lex::{
    BASE, FEXPR, MAX_NESTING, TRACK, continuation, is_ident_char, line_end, newline_len, opening,
    prefix_before, skip_blanks, skip_string,
};
use super::statements::{Scanner, Step};
use super::{Kind, Occ, ScanError, Watch};

impl Scanner<'_> {
    /// Tracked code, untracked code `body` cannot take, or a replacement
    /// field (the top frame is `Frame::Expr`, or there is none).
    pub(super) fn code(&mut self) -> Result<Step, ScanError> {
        let b = self.b;
        let n = b.len();
        let in_field = !self.fstack.is_empty();
        let tracking = self.track && !in_field;
        let table = if in_field {
            &FEXPR
        } else if tracking {
            &TRACK
        } else {
            &BASE
        };
        if !in_field
            && !tracking
            && let Some(step) = self.body_fast()?
        {
            return Ok(step);
        }
        loop {
            let Some(c) = self.next_marked(table) else {
                return Ok(Step::Eof);
            };
            match c {
                b'\n' | b'\r' => {
                    let p = self.i;
                    self.i += newline_len(b, p);
                    self.line += 1;
                    if self.brackets.is_empty() && !in_field {
                        // An untracked body goes on while lines are indented
                        // or blank: stay in this loop (the common case).
                        if !tracking && matches!(b.get(self.i), Some(b' ' | b'\t' | b'\n' | b'\r'))
                        {
                            continue;
                        }
                        return Ok(Step::Eol(p));
                    }
                }
                b'#' => {
                    if !in_field {
                        self.last_comment = self.i;
                    }
                    self.i = line_end(b, self.i);
                }
                b'\\' => self.i = continuation(b, self.i + 1, &mut self.line),
                b'\'' | b'"' => {
                    let (raw, f) = prefix_before(b, self.i);
                    let triple = b.get(self.i + 1) == Some(&c) && b.get(self.i + 2) == Some(&c);
                    let line = self.line;
                    self.i += if triple { 3 } else { 1 };
                    if f {
                        self.fstack.push(Frame::Str {
                            quote: c,
                            triple,
                            raw,
                            line,
                        });
                        return Ok(Step::Switch);
                    }
                    self.plain_string(c, triple, line)?;
                }
                b'(' | b'[' | b'{' => {
                    // CPython's tokenizer stops at MAXLEVEL open brackets;
                    // 3.11 tokenizes each f-string field apart, so the count
                    // starts again there (and the fields' quotes cannot nest
                    // more than four deep, hence the overall cap)
                    let floor = match self.fstack.last() {
                        Some(&Frame::Expr { base }) => base,
                        _ => 0,
                    };
                    if self.brackets.len() - floor >= MAX_NESTING
                        || self.brackets.len() >= 5 * MAX_NESTING
                    {
                        return Err(self.err(self.line, "too many nested parentheses"));
                    }
                    self.brackets.push((c, self.line));
                    self.i += 1;
                }
                b')' | b']' | b'}' => {
                    if c == b'}'
                        && let Some(&Frame::Expr { base }) = self.fstack.last()
                        && self.brackets.len() == base
                    {
                        // end of a replacement field
                        self.fstack.pop();
                        self.i += 1;
                        return Ok(Step::Switch);
                    }
                    let open = opening(c);
                    let floor = match self.fstack.last() {
                        Some(&Frame::Expr { base }) => base,
                        _ => 0,
                    };
                    match self.brackets.last() {
                        Some(&(o, _)) if o == open && self.brackets.len() > floor => {
                            self.brackets.pop();
                        }
                        Some(&(o, line)) if self.brackets.len() > floor => {
                            let mut msg = format!(
                                "closing parenthesis '{}' does not match opening parenthesis '{}'",
                                c as char, o as char
                            );
                            if line != self.line {
                                msg.push_str(&format!(" on line {line}"));
                            }
                            return Err(self.err(self.line, msg));
                        }
                        _ => {
                            return Err(self.err(self.line, format!("unmatched '{}'", c as char)));
                        }
                    }
                    self.i += 1;
                }
                b':' => {
                    // only reached inside a replacement field
                    if let Some(&Frame::Expr { base }) = self.fstack.last()
                        && self.brackets.len() == base
                    {
                        self.fstack.pop();
                        self.fstack.push(Frame::Spec);
                        self.i += 1;
                        return Ok(Step::Switch);
                    }
                    self.i += 1;
                }
                b'!' => {
                    // conversion (`!r`) or `!=`: nothing to do either way
                    self.i += 1;
                }
                b'=' => {
                    // only reached when tracking
                    let next_eq = b.get(self.i + 1) == Some(&b'=');
                    if self.simple && self.brackets.is_empty() && !next_eq {
                        let prev = if self.i > 0 { b[self.i - 1] } else { b' ' };
                        if !b"=!<>:+-*/%&|^@~".contains(&prev)
                            && let Some(st) = self.cur.as_mut()
                            && st.eq.is_none()
                        {
                            st.eq = Some(self.i);
                        }
                    }
                    self.i += if next_eq { 2 } else { 1 };
                }
                b';' => {
                    // only reached when tracking
                    let p = self.i;
                    self.i += 1;
                    if self.simple && self.brackets.is_empty() {
                        let start = skip_blanks(b, self.i);
                        if let Some(mut st) = self.cur.take() {
                            st.end = p;
                            self.stmts.push(st);
                        }
                        self.cur = Some(self.new_stmt(start, Kind::Simple));
                    }
                }
                _ => {
                    // an identifier (only reached when tracking)
                    let s = self.i;
                    let mut j = s + 1;
                    while j < n && is_ident_char(b[j]) {
                        j += 1;
                    }
                    self.i = j;
                    if j < n && (b[j] == b'\'' || b[j] == b'"') {
                        // a string prefix; the quote is handled next
                        continue;
                    }
                    if let Some(name) = Watch::from_ident(&b[s..j]) {
                        let mut k = s;
                        while k > 0 && matches!(b[k - 1], b' ' | b'\t' | b'\x0c') {
                            k -= 1;
                        }
                        let attr = k > 0 && b[k - 1] == b'.';
                        if !attr {
                            let k = skip_blanks(b, j);
                            let walrus = b.get(k) == Some(&b':') && b.get(k + 1) == Some(&b'=');
                            if let Some(st) = self.cur.as_mut() {
                                self.occs.push(Occ {
                                    name,
                                    pos: s,
                                    walrus,
                                    nfkc: false,
                                });
                                st.occs.end = self.occs.len();
                            }
                        }
                    } else if !b[s..j].is_ascii()
                        && let Some(st) = self.cur.as_mut()
                    {
                        for name in Watch::nfkc_candidates(&b[s..j]) {
                            self.occs.push(Occ {
                                name,
                                pos: s,
                                walrus: false,
                                nfkc: true,
                            });
                            st.occs.end = self.occs.len();
                        }
                    }
                }
            }
        }
    }

    /// Skips the body of a string that is not an f-string (`self.i` is
    /// just past the opening quote).
    fn plain_string(&mut self, quote: u8, triple: bool, line: u32) -> Result<(), ScanError> {
        let mut cur = self.line;
        match skip_string(self.b, self.i, quote, triple, &mut cur) {
            Ok(i) => {
                self.i = i;
                self.line = cur;
                Ok(())
            }
            Err(()) => {
                self.line = cur;
                Err(self.unterminated(triple, line))
            }
        }
    }
}
