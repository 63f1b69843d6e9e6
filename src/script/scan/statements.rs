//! The scanner's state, and the logic at the start of each line.
//!
//! Whether a line starts a statement is decided only at its first
//! non-blank byte (its indentation and first word), so that decision is
//! made here once per logical line, and the per-byte loops (`code`, `body`,
//! `fstring`) need not know about statements beyond recording into `cur`.

use super::fstring::Frame;
use super::lex::{continuation, is_ident_char, line_end, newline_len, skip_blanks};
use super::{Kind, Occ, ScanError, Stmt, Watch};

/// How a per-byte loop stopped, so that `logical_line` knows whether to
/// end the line, end the file, or switch to the loop of another mode.
pub(super) enum Step {
    /// End of the logical line: the offset of its newline.
    Eol(usize),
    Eof,
    /// The f-string state changed; dispatch again.
    Switch,
}

/// One pass over a module's bytes. The fields are shared with the modes'
/// loops in the sibling modules, which are methods of this type.
pub(super) struct Scanner<'a> {
    pub(super) b: &'a [u8],
    pub(super) i: usize,
    pub(super) line: u32,
    /// Open brackets and their lines, for Python's error messages.
    pub(super) brackets: Vec<(u8, u32)>,
    /// The f-strings being read, innermost last.
    pub(super) fstack: Vec<Frame>,
    pub(super) stmts: Vec<Stmt>,
    pub(super) occs: Vec<Occ>,
    /// The statement being filled (a simple statement, or a compound
    /// statement until the next top-level line that does not continue it).
    pub(super) cur: Option<Stmt>,
    /// Record watched names (and `=`/`;` when `simple`) in `cur`.
    pub(super) track: bool,
    pub(super) simple: bool,
    /// Where the last comment began: a `match` line is a statement header
    /// only if it ends with `:` before any comment.
    pub(super) last_comment: usize,
}

impl<'a> Scanner<'a> {
    pub(super) fn new(src: &'a str) -> Self {
        Scanner {
            b: src.as_bytes(),
            i: 0,
            line: 1,
            brackets: Vec::new(),
            fstack: Vec::new(),
            stmts: Vec::with_capacity(16),
            occs: Vec::with_capacity(8),
            cur: None,
            track: false,
            simple: false,
            last_comment: usize::MAX,
        }
    }

    pub(super) fn err(&self, line: u32, message: impl Into<String>) -> ScanError {
        ScanError {
            line,
            message: message.into(),
        }
    }

    fn flush(&mut self) {
        if let Some(st) = self.cur.take() {
            self.stmts.push(st);
        }
    }

    pub(super) fn new_stmt(&self, start: usize, kind: Kind) -> Stmt {
        Stmt {
            start,
            end: start,
            line: self.line,
            kind,
            occs: self.occs.len()..self.occs.len(),
            eq: None,
        }
    }

    fn read_word(&self, from: usize) -> &'a [u8] {
        let b = self.b;
        let mut j = from;
        while j < b.len() && is_ident_char(b[j]) {
            j += 1;
        }
        &b[from..j]
    }

    pub(super) fn run(&mut self) -> Result<(), ScanError> {
        let b = self.b;
        let n = b.len();
        loop {
            // Start of a physical line that starts a logical line.
            let mut col = 0usize;
            while self.i < n {
                match b[self.i] {
                    b' ' | b'\t' => col += 1,
                    b'\x0c' => col = 0,
                    _ => break,
                }
                self.i += 1;
            }
            if self.i >= n {
                break;
            }
            match b[self.i] {
                // `\` alone at column 0, then an unindented line: that line
                // is the statement (CPython 3.11 compiles `\`, `try:` on the
                // next line, as a `try` statement). Indentation around such
                // a line is left to the general case.
                b'\\'
                    if col == 0
                        && newline_len(b, self.i + 1) > 0
                        && !matches!(
                            b.get(self.i + 1 + newline_len(b, self.i + 1)),
                            Some(b' ' | b'\t' | b'\x0c') | None
                        ) =>
                {
                    self.i = continuation(b, self.i + 1, &mut self.line);
                    continue;
                }
                b'#' => {
                    self.i = line_end(b, self.i);
                    continue;
                }
                b'\n' | b'\r' => {
                    self.i += newline_len(b, self.i);
                    self.line += 1;
                    continue;
                }
                _ => {}
            }
            let start = self.i;
            let mut match_header = false;
            if col > 0 {
                // An indented line: part of the current compound
                // statement, or of a body we do not look into.
                let compound = matches!(&self.cur, Some(st) if st.kind == Kind::Compound);
                self.track = compound;
                self.simple = false;
            } else {
                let word = self.read_word(start);
                let continues = matches!(word, b"else" | b"elif" | b"except" | b"finally")
                    && matches!(&self.cur, Some(st) if st.kind == Kind::Compound);
                if !continues {
                    self.flush();
                }
                let (kind, def_name) = match word {
                    _ if b[start] == b'@' => (Kind::Decorator, None),
                    b"def" | b"class" => (Kind::DefClass, Some(start + word.len())),
                    b"async" => {
                        let j = skip_blanks(b, start + word.len());
                        match self.read_word(j) {
                            b"def" => (Kind::DefClass, Some(j + 3)),
                            b"for" | b"with" => (Kind::Compound, None),
                            _ => (Kind::Simple, None),
                        }
                    }
                    b"if" | b"for" | b"while" | b"try" | b"with" | b"else" | b"elif"
                    | b"except" | b"finally" => (Kind::Compound, None),
                    _ => {
                        match_header = word == b"match";
                        (Kind::Simple, None)
                    }
                };
                if !continues {
                    let mut st = self.new_stmt(start, kind);
                    if let Some(j) = def_name {
                        let j = skip_blanks(b, j);
                        let word = self.read_word(j);
                        if let Some(name) = Watch::from_ident(word) {
                            self.occs.push(Occ {
                                name,
                                pos: j,
                                walrus: false,
                                nfkc: false,
                            });
                            st.occs.end = self.occs.len();
                        }
                        for name in Watch::nfkc_candidates(word) {
                            self.occs.push(Occ {
                                name,
                                pos: j,
                                walrus: false,
                                nfkc: true,
                            });
                            st.occs.end = self.occs.len();
                        }
                    }
                    self.cur = Some(st);
                }
                self.track = matches!(kind, Kind::Simple | Kind::Compound);
                self.simple = kind == Kind::Simple;
            }
            let eol = self.logical_line()?;
            if col > 0 && !self.track {
                continue;
            }
            let colon = match_header
                && self
                    .cur
                    .as_ref()
                    .is_some_and(|st| self.ends_with_colon(st.start, eol));
            if let Some(st) = self.cur.as_mut() {
                st.end = eol;
                if col == 0 && st.kind != Kind::Compound {
                    if colon {
                        st.kind = Kind::Compound;
                        st.eq = None;
                    } else {
                        self.flush();
                    }
                }
            }
        }
        self.flush();
        Ok(())
    }

    /// Does the logical line `[start, eol)` end with `:` (before any comment)?
    fn ends_with_colon(&self, start: usize, eol: usize) -> bool {
        let mut e = eol;
        if self.last_comment >= start && self.last_comment < eol {
            e = self.last_comment;
        }
        while e > start && matches!(self.b[e - 1], b' ' | b'\t' | b'\x0c') {
            e -= 1;
        }
        e > start && self.b[e - 1] == b':'
    }

    /// Scans one logical line from `self.i`; returns the offset of its
    /// terminating newline (or the end of the file), which is consumed.
    fn logical_line(&mut self) -> Result<usize, ScanError> {
        loop {
            let step = match self.fstack.last() {
                None | Some(Frame::Expr { .. }) => self.code()?,
                Some(Frame::Str { .. }) => self.fstring_literal()?,
                Some(Frame::Spec) => self.fstring_spec()?,
            };
            match step {
                Step::Eol(p) => return Ok(p),
                Step::Switch => continue,
                Step::Eof => {
                    for f in self.fstack.iter().rev() {
                        if let Frame::Str { triple, line, .. } = *f {
                            return Err(self.unterminated(triple, line));
                        }
                    }
                    if let Some(&(c, line)) = self.brackets.last() {
                        return Err(self.err(line, format!("'{}' was never closed", c as char)));
                    }
                    return Ok(self.b.len());
                }
            }
        }
    }

    /// Moves to the next byte `table` marks and returns it, `None` at the
    /// end of the file: the skeleton of every mode's loop, each with the
    /// table of the bytes that matter in that mode.
    #[inline]
    pub(super) fn next_marked(&mut self, table: &[bool; 256]) -> Option<u8> {
        let b = self.b;
        while self.i < b.len() && !table[b[self.i] as usize] {
            self.i += 1;
        }
        b.get(self.i).copied()
    }

    pub(super) fn unterminated(&self, triple: bool, line: u32) -> ScanError {
        if triple {
            self.err(
                line,
                format!(
                    "unterminated triple-quoted string literal (detected at line {})",
                    self.line
                ),
            )
        } else {
            self.err(
                line,
                format!(
                    "unterminated string literal (detected at line {})",
                    self.line
                ),
            )
        }
    }
}
