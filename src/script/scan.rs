//! A fast, string- and bracket-aware scan of Python source.
//!
//! Reading revision metadata must not cost a whole-file parse, so this
//! module walks the bytes once and finds only what the metadata needs:
//! the top-level statements (those starting at column 0 outside any
//! string, bracket or line continuation), split at `;`, with the places
//! where one of the watched names (`revision`, `down_revision`, ...)
//! occurs in them. Function and class bodies are skipped (their strings
//! and brackets are still tracked, so a `"""` block inside a function that
//! contains `revision = 'x'` at column 0 is not mistaken for code).
//!
//! The scan understands triple- and single-quoted strings with escapes,
//! string prefixes (`r`, `b`, `u`, `f`, `t` and combinations), f-string
//! replacement fields including Python 3.12's nested same-quote strings,
//! comments, `()[]{}`, backslash continuations, CRLF / CR line endings,
//! tabs and form feeds. A file that is structurally broken (unterminated
//! string, unclosed or unmatched bracket) is reported with Python's wording.

/// A module attribute whose binding matters to Alembic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Watch {
    Revision,
    DownRevision,
    BranchLabels,
    DependsOn,
    /// `__doc__` (explicitly assigned; the docstring is read separately).
    Doc,
    /// A module-level `__getattr__` changes what `hasattr`/`getattr` see.
    GetAttr,
}

impl Watch {
    pub(crate) const ALL: [Watch; 6] = [
        Watch::Revision,
        Watch::DownRevision,
        Watch::BranchLabels,
        Watch::DependsOn,
        Watch::Doc,
        Watch::GetAttr,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Watch::Revision => "revision",
            Watch::DownRevision => "down_revision",
            Watch::BranchLabels => "branch_labels",
            Watch::DependsOn => "depends_on",
            Watch::Doc => "__doc__",
            Watch::GetAttr => "__getattr__",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }

    pub(crate) fn from_ident(id: &[u8]) -> Option<Watch> {
        // cheap filter first: every watched name is 7..=13 bytes long
        if id.len() < 7 || id.len() > 13 {
            return None;
        }
        match id {
            b"revision" => Some(Watch::Revision),
            b"down_revision" => Some(Watch::DownRevision),
            b"branch_labels" => Some(Watch::BranchLabels),
            b"depends_on" => Some(Watch::DependsOn),
            b"__doc__" => Some(Watch::Doc),
            b"__getattr__" => Some(Watch::GetAttr),
            _ => None,
        }
    }

    pub(crate) fn from_str(id: &str) -> Option<Watch> {
        Watch::from_ident(id.as_bytes())
    }
}

/// What kind of top-level statement a [`Stmt`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A simple statement (`x = 1`, `import x`, an expression, ...).
    Simple,
    /// `if`/`for`/`while`/`try`/`with`/`match` with all of its clauses
    /// (`else`, `elif`, `except`, `finally`) and their indented bodies.
    Compound,
    /// The header line of `def`/`class`/`async def` (the body is skipped).
    DefClass,
    /// A decorator line.
    Decorator,
}

/// One occurrence of a watched name as a plain identifier (not an
/// attribute `x.revision`, not inside a string or comment).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Occ {
    pub name: Watch,
    pub pos: usize,
    /// Followed by `:=`.
    pub walrus: bool,
}

/// A top-level statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stmt {
    /// Byte offset of its first character (always at column 0, or just
    /// after a `;`).
    pub start: usize,
    /// Byte offset just past its last character (the terminating newline,
    /// `;` or end of file is not included).
    pub end: usize,
    /// 1-based line of `start`.
    pub line: u32,
    pub kind: Kind,
    /// Watched names in the statement (for `DefClass`: the defined name
    /// only), as a range of [`Scan::occs`].
    pub occs: std::ops::Range<usize>,
    /// The first assignment `=` at bracket depth 0 (simple statements only).
    pub eq: Option<usize>,
}

/// The file is structurally broken (Python would raise `SyntaxError`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ScanError {
    pub line: u32,
    pub message: String,
}

/// The top-level statements of a module, in source order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Scan {
    pub stmts: Vec<Stmt>,
    pub occs: Vec<Occ>,
}

impl Scan {
    pub(crate) fn occs(&self, st: &Stmt) -> &[Occ] {
        &self.occs[st.occs.clone()]
    }
}

/// Scans `src` and returns its top-level statements in source order.
pub(crate) fn scan(src: &str) -> Result<Scan, ScanError> {
    let mut s = Scanner {
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
    };
    s.run()?;
    Ok(Scan {
        stmts: s.stmts,
        occs: s.occs,
    })
}

const fn table(chars: &[u8], idents: bool) -> [bool; 256] {
    let mut t = [false; 256];
    let mut k = 0;
    while k < chars.len() {
        t[chars[k] as usize] = true;
        k += 1;
    }
    if idents {
        let mut c = 0;
        while c < 256 {
            let b = c as u8;
            if b.is_ascii_alphabetic() || b == b'_' || b >= 0x80 {
                t[c] = true;
            }
            c += 1;
        }
    }
    t
}

/// Bytes that matter in code that is not being tracked (function bodies).
static BASE: [bool; 256] = table(b"'\"#\\()[]{}\n\r", false);
/// Bytes that matter in tracked top-level code.
static TRACK: [bool; 256] = table(b"'\"#\\()[]{}\n\r=;", true);
/// Bytes that matter inside an f-string replacement field.
static FEXPR: [bool; 256] = table(b"'\"#\\()[]{}\n\r:!", false);
/// Bytes that matter inside a plain string.
static STR: [bool; 256] = table(b"'\"\\\n\r", false);
/// Bytes that matter inside the literal part of an f-string.
static FSTR: [bool; 256] = table(b"'\"\\\n\r{}", false);

#[inline]
pub(crate) fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

/// Length of the line ending at `i` (`\r\n` counts as one), 0 if none.
#[inline]
pub(crate) fn newline_len(b: &[u8], i: usize) -> usize {
    match b.get(i) {
        Some(b'\n') => 1,
        Some(b'\r') => {
            if b.get(i + 1) == Some(&b'\n') {
                2
            } else {
                1
            }
        }
        _ => 0,
    }
}

/// The string prefix of the quote at `q`, read backwards: `(raw, fstring)`.
/// Letters that are not a valid prefix (which Python would reject anyway)
/// are treated as no prefix.
fn prefix_before(b: &[u8], q: usize) -> (bool, bool) {
    let mut j = q;
    while j > 0 && q - j < 3 && b[j - 1].is_ascii_alphabetic() {
        j -= 1;
    }
    if j > 0 && is_ident_char(b[j - 1]) {
        return (false, false);
    }
    let mut raw = false;
    let mut f = false;
    let mut bytes = false;
    let mut u = false;
    for &c in &b[j..q] {
        match c.to_ascii_lowercase() {
            b'r' if !raw => raw = true,
            b'f' | b't' if !f && !bytes && !u => f = true,
            b'b' if !bytes && !f && !u => bytes = true,
            b'u' if !raw && !f && !bytes && q - j == 1 => u = true,
            _ => return (false, false),
        }
    }
    (raw, f)
}

/// The first offset at or after `i` holding one of `needles` (which
/// `table` marks too), or `b.len()`. SSE2 on x86_64, 16 bytes at a time.
#[inline(always)]
fn find_any<const K: usize>(
    b: &[u8],
    mut i: usize,
    needles: [u8; K],
    table: &[bool; 256],
) -> usize {
    let n = b.len();
    if i < n && table[b[i] as usize] {
        return i;
    }
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{
            __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128,
            _mm_set1_epi8,
        };
        // SAFETY: SSE2 is part of the x86_64 baseline; every load reads 16
        // bytes at `i` with `i + 16 <= n`.
        unsafe {
            let vs: [__m128i; K] = needles.map(|c| _mm_set1_epi8(c as i8));
            while i + 16 <= n {
                let v = _mm_loadu_si128(b.as_ptr().add(i).cast());
                let mut m = _mm_cmpeq_epi8(v, vs[0]);
                for v2 in &vs[1..] {
                    m = _mm_or_si128(m, _mm_cmpeq_epi8(v, *v2));
                }
                let mask = _mm_movemask_epi8(m);
                if mask != 0 {
                    return i + mask.trailing_zeros() as usize;
                }
                i += 16;
            }
        }
    }
    while i < n && !table[b[i] as usize] {
        i += 1;
    }
    i
}

const BASE_NEEDLES: [u8; 12] = *b"'\"#\\()[]{}\n\r";
const STR_NEEDLES: [u8; 5] = *b"'\"\\\n\r";

/// Skips a string body that is not an f-string, from just past the opening
/// quote; returns the offset just past the closing quote, or `Err` at an
/// unterminated string. `line` is advanced over the newlines crossed.
#[inline]
fn skip_string(
    b: &[u8],
    mut i: usize,
    quote: u8,
    triple: bool,
    line: &mut u32,
) -> Result<usize, ()> {
    let n = b.len();
    loop {
        i = find_any(b, i, STR_NEEDLES, &STR);
        if i >= n {
            return Err(());
        }
        let c = b[i];
        match c {
            b'\\' => {
                i += 1;
                let nl = newline_len(b, i);
                if nl > 0 {
                    i += nl;
                    *line += 1;
                } else if i < n {
                    i += 1;
                }
            }
            b'\n' | b'\r' => {
                if !triple {
                    return Err(());
                }
                i += newline_len(b, i);
                *line += 1;
            }
            _ if c == quote => {
                if !triple {
                    return Ok(i + 1);
                }
                if b.get(i + 1) == Some(&quote) && b.get(i + 2) == Some(&quote) {
                    return Ok(i + 3);
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Frame {
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

enum Step {
    /// End of the logical line: the offset of its newline.
    Eol(usize),
    Eof,
    /// The f-string state changed; dispatch again.
    Switch,
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
    line: u32,
    brackets: Vec<(u8, u32)>,
    fstack: Vec<Frame>,
    stmts: Vec<Stmt>,
    occs: Vec<Occ>,
    /// The statement being filled (a simple statement, or a compound
    /// statement until the next top-level line that does not continue it).
    cur: Option<Stmt>,
    /// Record watched names (and `=`/`;` when `simple`) in `cur`.
    track: bool,
    simple: bool,
    last_comment: usize,
}

impl<'a> Scanner<'a> {
    fn err(&self, line: u32, message: impl Into<String>) -> ScanError {
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

    fn new_stmt(&self, start: usize, kind: Kind) -> Stmt {
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

    fn skip_blanks(&self, mut j: usize) -> usize {
        while j < self.b.len() && matches!(self.b[j], b' ' | b'\t' | b'\x0c') {
            j += 1;
        }
        j
    }

    fn run(&mut self) -> Result<(), ScanError> {
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
                b'#' => {
                    while self.i < n && b[self.i] != b'\n' && b[self.i] != b'\r' {
                        self.i += 1;
                    }
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
                        let j = self.skip_blanks(start + word.len());
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
                        let j = self.skip_blanks(j);
                        if let Some(name) = Watch::from_ident(self.read_word(j)) {
                            self.occs.push(Occ {
                                name,
                                pos: j,
                                walrus: false,
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

    fn unterminated(&self, triple: bool, line: u32) -> ScanError {
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

    fn code(&mut self) -> Result<Step, ScanError> {
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
            while self.i < n && !table[b[self.i] as usize] {
                self.i += 1;
            }
            if self.i >= n {
                return Ok(Step::Eof);
            }
            let c = b[self.i];
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
                    while self.i < n && b[self.i] != b'\n' && b[self.i] != b'\r' {
                        self.i += 1;
                    }
                }
                b'\\' => {
                    self.i += 1;
                    let nl = newline_len(b, self.i);
                    if nl > 0 {
                        self.i += nl;
                        self.line += 1;
                    }
                }
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
                    let open = match c {
                        b')' => b'(',
                        b']' => b'[',
                        _ => b'{',
                    };
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
                        let start = self.skip_blanks(self.i);
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
                            let k = self.skip_blanks(j);
                            let walrus = b.get(k) == Some(&b':') && b.get(k + 1) == Some(&b'=');
                            if let Some(st) = self.cur.as_mut() {
                                self.occs.push(Occ {
                                    name,
                                    pos: s,
                                    walrus,
                                });
                                st.occs.end = self.occs.len();
                            }
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

    /// The hot loop: untracked code outside f-strings (function bodies).
    /// `None`: an f-string starts at `self.i`; the general loop takes over.
    fn body_fast(&mut self) -> Result<Option<Step>, ScanError> {
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
                b'#' => {
                    while i < n && b[i] != b'\n' && b[i] != b'\r' {
                        i += 1;
                    }
                }
                b'\\' => {
                    i += 1;
                    let nl = newline_len(b, i);
                    if nl > 0 {
                        i += nl;
                        line += 1;
                    }
                }
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
                    self.brackets.push((c, line));
                    i += 1;
                }
                _ => {
                    // a closing bracket
                    let open = match c {
                        b')' => b'(',
                        b']' => b'[',
                        _ => b'{',
                    };
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

    /// The literal part of an f-string (the top frame is `Frame::Str`).
    fn fstring_literal(&mut self) -> Result<Step, ScanError> {
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
            while self.i < n && !FSTR[b[self.i] as usize] {
                self.i += 1;
            }
            if self.i >= n {
                return Ok(Step::Eof);
            }
            let c = b[self.i];
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
                    let nl = newline_len(b, self.i);
                    if nl > 0 {
                        self.i += nl;
                        self.line += 1;
                    } else if self.i < n && b[self.i] != b'{' && b[self.i] != b'}' {
                        self.i += 1;
                    }
                }
                b'\n' | b'\r' => {
                    if !triple {
                        return Err(self.unterminated(false, line));
                    }
                    self.i += newline_len(b, self.i);
                    self.line += 1;
                }
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
    fn fstring_spec(&mut self) -> Result<Step, ScanError> {
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
                b'\\' => {
                    self.i += 1;
                    let nl = newline_len(b, self.i);
                    if nl > 0 {
                        self.i += nl;
                        self.line += 1;
                    } else if self.i < n {
                        self.i += 1;
                    }
                }
                b'\n' | b'\r' => {
                    if !triple {
                        return Err(self.unterminated(false, line));
                    }
                    self.i += newline_len(b, self.i);
                    self.line += 1;
                }
                _ => self.i += 1,
            }
        }
        Ok(Step::Eof)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str) -> Vec<(String, Kind, Vec<&'static str>, u32)> {
        let sc = scan(src).unwrap();
        sc.stmts
            .iter()
            .map(|s| {
                (
                    src[s.start..s.end].to_string(),
                    s.kind,
                    sc.occs(s).iter().map(|o| o.name.name()).collect(),
                    s.line,
                )
            })
            .collect()
    }

    fn simple_with_names(src: &str) -> Vec<String> {
        let sc = scan(src).unwrap();
        sc.stmts
            .iter()
            .filter(|s| !s.occs.is_empty())
            .map(|s| src[s.start..s.end].to_string())
            .collect()
    }

    #[test]
    fn plain_module() {
        let src = "\"\"\"doc\n\nrevision = 'no'\n\"\"\"\nimport x\n\nrevision = 'abc'\ndown_revision = None\n\ndef upgrade():\n    revision = 'inner'\n";
        let t = texts(src);
        assert_eq!(t[0].0, "\"\"\"doc\n\nrevision = 'no'\n\"\"\"");
        assert_eq!(t[0].1, Kind::Simple);
        assert_eq!(t[1].0, "import x");
        assert_eq!(
            t[2],
            ("revision = 'abc'".into(), Kind::Simple, vec!["revision"], 7)
        );
        assert_eq!(
            t[3],
            (
                "down_revision = None".into(),
                Kind::Simple,
                vec!["down_revision"],
                8
            )
        );
        assert_eq!(t[4].1, Kind::DefClass);
        assert!(t[4].2.is_empty());
        assert_eq!(t.len(), 5);
    }

    #[test]
    fn strings_containing_assignments() {
        let src = "x = 'revision = 1'\ny = \"down_revision = 2\"\nz = '''\nrevision = 3\n'''\nw = r'\\'revision = 4'\nrevision = 'real'\n";
        assert_eq!(simple_with_names(src), vec!["revision = 'real'"]);
    }

    #[test]
    fn docstring_with_quotes() {
        let src = "\"\"\"It's a \"quoted\" doc \\\"\"\" with escaped quote\nrevision = 'x'\n\"\"\"\nrevision = 'y'\n";
        let t = texts(src);
        assert_eq!(t.len(), 2);
        assert_eq!(t[1].0, "revision = 'y'");
        assert_eq!(t[1].3, 4);
    }

    #[test]
    fn brackets_span_lines() {
        let src =
            "down_revision = (\n    'a',  # comment )\n    'b',\n)\nbranch_labels = [\n'x',\n]\n";
        let t = texts(src);
        assert_eq!(
            t[0].0,
            "down_revision = (\n    'a',  # comment )\n    'b',\n)"
        );
        assert_eq!(t[1].0, "branch_labels = [\n'x',\n]");
        assert_eq!(t[1].3, 5);
    }

    #[test]
    fn function_body_string_at_column_zero() {
        let src = "def upgrade():\n    op.execute(\n\"\"\"\nrevision = 'fake'\n\"\"\")\n    x = (\nrevision)\nrevision = 'real'\n";
        assert_eq!(simple_with_names(src), vec!["revision = 'real'"]);
    }

    #[test]
    fn comments_and_continuations() {
        let src = "# revision = 'c'\nrevision \\\n  = 'a' # trailing\nx = 1 \\\nrevision = 2\n";
        let t = texts(src);
        assert_eq!(t[0].0, "revision \\\n  = 'a' # trailing");
        assert_eq!(t[0].2, vec!["revision"]);
        assert_eq!(t[1].0, "x = 1 \\\nrevision = 2");
        assert_eq!(t[1].2, vec!["revision"]);
        assert_eq!(t[1].3, 4);
    }

    #[test]
    fn crlf_and_cr() {
        let src = "\"\"\"doc\r\n\r\n\"\"\"\r\nrevision = 'a'\r\ndown_revision = None\rbranch_labels = None\r\n";
        let t = texts(src);
        assert_eq!(t[1].0, "revision = 'a'");
        assert_eq!(t[1].3, 4);
        assert_eq!(t[2].0, "down_revision = None");
        assert_eq!(t[3].0, "branch_labels = None");
        assert_eq!(t[3].3, 6);
    }

    #[test]
    fn tabs_and_indentation() {
        let src = "def f():\n\trevision = 1\nif x:\n\tpass\nrevision\t=\t'a'\n";
        let t = texts(src);
        assert_eq!(t[0].1, Kind::DefClass);
        assert_eq!(t[1].1, Kind::Compound);
        assert!(t[1].2.is_empty());
        assert_eq!(t[2].0, "revision\t=\t'a'");
    }

    #[test]
    fn semicolons_split() {
        let src = "import x; revision = 'a';down_revision = None\n";
        let t = texts(src);
        assert_eq!(t[0].0, "import x");
        assert_eq!(t[1].0, "revision = 'a'");
        assert_eq!(t[2].0, "down_revision = None");
        let st = scan(src).unwrap().stmts;
        assert_eq!(&src[st[1].eq.unwrap()..st[1].eq.unwrap() + 1], "=");
    }

    #[test]
    fn eq_detection() {
        for (src, eq) in [
            ("revision = 'a'", Some(9)),
            ("revision: Union[str, Sequence[str], None] = 'a'", Some(42)),
            ("revision == 'a'", None),
            ("revision += 'a'", None),
            ("f(revision='a')", None),
            ("revision <= x", None),
        ] {
            let st = scan(src).unwrap().stmts;
            assert_eq!(st[0].eq, eq, "{src}");
        }
    }

    #[test]
    fn compound_statements_grouped() {
        let src = "if TYPE_CHECKING:\n    from x import y\nelse:\n    revision = 'b'\nrevision = 'a'\ntry:\n    pass\nexcept ImportError:\n    pass\n";
        let t = texts(src);
        assert_eq!(t.len(), 3);
        assert_eq!(t[0].1, Kind::Compound);
        assert_eq!(t[0].2, vec!["revision"]);
        assert!(t[0].0.ends_with("revision = 'b'"));
        assert_eq!(t[1].0, "revision = 'a'");
        assert_eq!(t[2].1, Kind::Compound);
        assert!(t[2].2.is_empty());
    }

    #[test]
    fn attribute_access_ignored() {
        let src = "x = context.revision\ny = foo . down_revision\nz = revision\n";
        assert_eq!(simple_with_names(src), vec!["z = revision"]);
    }

    #[test]
    fn walrus_flag() {
        let sc = scan("print((revision := 'a'))\n").unwrap();
        assert!(sc.occs(&sc.stmts[0])[0].walrus);
    }

    #[test]
    fn def_class_names() {
        let t = texts(
            "def revision():\n    pass\nclass depends_on:\n    x = 1\nasync def __getattr__(n): pass\n@dec\ndef f(): pass\n",
        );
        assert_eq!(t[0].2, vec!["revision"]);
        assert_eq!(t[1].2, vec!["depends_on"]);
        assert_eq!(t[2].2, vec!["__getattr__"]);
        assert_eq!(t[3].1, Kind::Decorator);
        assert_eq!(t[4].1, Kind::DefClass);
    }

    #[test]
    fn match_statement() {
        let t = texts("match x:\n    case revision:\n        pass\nmatch = 1\n");
        assert_eq!(t[0].1, Kind::Compound);
        assert_eq!(t[0].2, vec!["revision"]);
        assert_eq!(t[1].0, "match = 1");
        assert_eq!(t[1].1, Kind::Simple);
    }

    #[test]
    fn fstrings() {
        // 3.12 nested same quotes, format specs, doubled braces, \N{...}
        let src = "x = f\"{d[\"k\"]}\"\ny = f'{a:>{w}} {{revision}}'\nz = f\"\\N{DASH} {x!r}\"\nw = rf'\\{x}'\nrevision = 'a'\n";
        assert_eq!(simple_with_names(src), vec!["revision = 'a'"]);
        let src = "x = f'''\n{ {'a': 1}['a'] }\nrevision = 'no'\n'''\nrevision = 'yes'\n";
        assert_eq!(simple_with_names(src), vec!["revision = 'yes'"]);
    }

    #[test]
    fn string_prefixes() {
        let src = "a = rb'\\''\nb = Rb\"x\"\nc = U'x'\nd = br'''x'''\nrevision = u'a'\n";
        assert_eq!(simple_with_names(src), vec!["revision = u'a'"]);
    }

    #[test]
    fn broken_files() {
        let e = scan("x = 'abc\nrevision = 'a'\n").unwrap_err();
        assert_eq!(e.line, 1);
        assert_eq!(
            e.message,
            "unterminated string literal (detected at line 1)"
        );
        let e = scan("x = 1\ny = \"\"\"abc\n\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert_eq!(
            e.message,
            "unterminated triple-quoted string literal (detected at line 4)"
        );
        let e = scan("x = (\n1,\n").unwrap_err();
        assert_eq!((e.line, e.message.as_str()), (1, "'(' was never closed"));
        let e = scan("x = 1)\n").unwrap_err();
        assert_eq!((e.line, e.message.as_str()), (1, "unmatched ')'"));
        let e = scan("x = (\n1]\n").unwrap_err();
        assert_eq!(
            e.message,
            "closing parenthesis ']' does not match opening parenthesis '(' on line 1"
        );
        let e = scan("x = f'{a\n").unwrap_err();
        assert_eq!(e.line, 1);
    }

    #[test]
    fn no_trailing_newline() {
        let src = "revision = 'a'";
        let t = texts(src);
        assert_eq!(t[0].0, "revision = 'a'");
    }

    #[test]
    fn form_feed_resets_indent() {
        let t = texts("\x0crevision = 'a'\n");
        assert_eq!(t[0].0, "revision = 'a'");
    }
}
