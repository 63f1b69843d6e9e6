//! The fast path through code nothing is recorded from (function and
//! class bodies, untracked indented lines), which is most of a revision
//! file.
//!
//! It keeps its position in locals and jumps between the bytes that matter
//! with `find_any`; anything unusual (an f-string, a mismatched bracket) is
//! left to the general loop in `code`, which then reports it.

use super::ScanError;
use super::lex::{
    BASE, BASE_NEEDLES, MAX_NESTING, continuation, find_any, line_end, newline_len, opening,
    prefix_before, skip_string,
};
use super::statements::{Scanner, Step};

impl Scanner<'_> {
    /// The hot loop: untracked code outside f-strings (function bodies).
    /// `None`: an f-string starts at `self.i`; the general loop takes over.
    pub(super) fn body_fast(&mut self) -> Result<Option<Step>, ScanError> {
        let b = self.b;
        let n = b.len();
        let mut i = self.i;
        let mut line = self.line;
        let step = loop {
            i = find_any(b, i, BASE_NEEDLES, &BASE);
            if i >= n {
                break Some(Step::Eof);
            }
            let c = b[i];
            match c {
                b'\n' | b'\r' => {
                    let p = i;
                    i += newline_len(b, p);
                    line += 1;
                    if self.brackets.is_empty()
                        && !matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r'))
                    {
                        break Some(Step::Eol(p));
                    }
                }
                b'#' => i = line_end(b, i),
                b'\\' => i = continuation(b, i + 1, &mut line),
                b'\'' | b'"' => {
                    let (_, f) = prefix_before(b, i);
                    if f {
                        break None;
                    }
                    let triple = b.get(i + 1) == Some(&c) && b.get(i + 2) == Some(&c);
                    let start_line = line;
                    match skip_string(b, i + if triple { 3 } else { 1 }, c, triple, &mut line) {
                        Ok(j) => i = j,
                        Err(()) => {
                            self.line = line;
                            return Err(self.unterminated(triple, start_line));
                        }
                    }
                }
                b'(' | b'[' | b'{' => {
                    if self.brackets.len() >= MAX_NESTING {
                        // reported by the general loop
                        break None;
                    }
                    self.brackets.push((c, line));
                    i += 1;
                }
                _ => {
                    // a closing bracket
                    let open = opening(c);
                    match self.brackets.last() {
                        Some(&(o, _)) if o == open => {
                            self.brackets.pop();
                            i += 1;
                        }
                        // mismatches are reported by the general loop
                        _ => break None,
                    }
                }
            }
        };
        self.i = i;
        self.line = line;
        Ok(step)
    }
}
