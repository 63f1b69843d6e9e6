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
//!
//! The scanner is one state machine; its modules follow the modes it can
//! be in, because each mode has its own bytes that matter and its own loop
//! over them:
//!
//! * `statements`: where a statement starts is decided once per line, by
//!   its indentation and first word, so the per-byte loops need not know;
//! * `code`: only top-level code is worth recording names, `=` and `;`
//!   from, and f-string replacement fields are code too;
//! * `body`: most of a revision file is function bodies nothing is
//!   recorded from, so they get a vectorised loop of their own;
//! * `fstring`: f-strings nest, so they need a stack where other strings
//!   are skipped in one call;
//! * `lex`: stateless byte rules, shared with `literal` and `metadata` so
//!   that they read source exactly as the scan does;
//! * `watch`: the few names Alembic reads, the only ones recorded.

mod body;
mod code;
mod fstring;
mod lex;
mod statements;
mod watch;

#[cfg(test)]
mod tests;

pub(crate) use lex::{is_ident_char, line_end, newline_len, skip_blanks};
pub(crate) use watch::Watch;

use statements::Scanner;

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
    /// A non-ASCII identifier that Python's NFKC normalisation may turn
    /// into the watched name ([`Watch::nfkc_candidates`]).
    pub nfkc: bool,
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
    let mut s = Scanner::new(src);
    s.run()?;
    Ok(Scan {
        stmts: s.stmts,
        occs: s.occs,
    })
}
