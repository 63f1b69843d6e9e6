//! Reading the metadata of one revision file without running it.
//!
//! Alembic imports the module and reads `revision`, `down_revision`,
//! `branch_labels`, `depends_on` and `__doc__`. Here the source is decoded
//! as Python would (BOM, coding cookie), scanned for its top-level
//! statements ([`super::scan`]), and only the statements that bind one of
//! those names (plus the docstring) are evaluated: by the fast literal
//! reader when they have the usual shape, else by parsing that statement
//! alone with rustpython. The last top-level binding wins, as when the
//! module runs. A binding whose value cannot be known without running
//! Python (a name, a call, an assignment inside `if`/`try`, ...) is an
//! error the caller may answer by running Python.

use std::borrow::Cow;

use rustpython_parser::ast::{self, Expr, Ranged, Stmt as PyStmt};
use rustpython_parser::{Mode, parse};

use super::literal::{
    Value, docstring_of, eval, fast_annotation, fast_value, normalize_newlines, py_strip,
};
use super::scan::{Kind, Occ, Stmt, Watch, scan, skip_blanks};

/// What a revision file declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Meta {
    /// `None`: the module has no `revision` attribute.
    pub revision: Option<String>,
    /// `None`: the module has no `down_revision` attribute.
    pub down_revision: Option<Vec<String>>,
    pub branch_labels: Vec<String>,
    pub depends_on: Vec<String>,
    /// `__doc__`, stripped; empty when there is none.
    pub longdoc: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MetaErrorKind {
    /// Python would not compile this (or rustpython cannot parse it).
    Syntax(String),
    /// The name's value is only known by running the module.
    NotLiteral {
        name: &'static str,
        reason: &'static str,
    },
    /// A literal, but not one Alembic can use as it stands.
    BadValue {
        name: &'static str,
        expected: &'static str,
        got: &'static str,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MetaError {
    pub line: u32,
    pub kind: MetaErrorKind,
}

const R_COMPOUND: &str = "is assigned inside a compound statement (if/for/while/try/with/match)";
const R_UNPACK: &str = "is assigned by unpacking";
const R_AUG: &str = "is changed by an augmented assignment";
const R_IMPORT: &str = "is bound by an import";
const R_DEF: &str = "is bound by a def or class statement";
const R_DEL: &str = "is deleted";
const R_WALRUS: &str = "is assigned with ':='";
const R_STAR: &str = "may be bound by 'from ... import *'";
const R_NFKC: &str =
    "may be bound under a non-ASCII spelling of the name (Python normalises identifiers to NFKC)";
const R_GETATTR: &str = "is defined at module level (it changes how Alembic reads the module)";

#[derive(Debug, Clone)]
enum Bind {
    Lit(Value),
    Non(&'static str),
}

type State = [Option<(Bind, u32)>; 6];

fn set(state: &mut State, name: Watch, bind: Bind, line: u32) {
    let bind = match (name, bind) {
        (Watch::GetAttr, _) => Bind::Non(R_GETATTR),
        (_, b) => b,
    };
    state[name.index()] = Some((bind, line));
}

fn line_of(base: u32, text: &str, offset: usize) -> u32 {
    let upto = &text.as_bytes()[..offset.min(text.len())];
    base + upto.iter().filter(|&&c| c == b'\n').count() as u32
}

/// Parses one statement (or compound statement) cut out of the file.
fn parse_snippet(text: &str, line: u32) -> Result<Vec<PyStmt>, MetaError> {
    // A statement whose last line is a continuation went on to a blank line
    // (the scan ends it before that line's newline): give it that line.
    let joined;
    let text = if text.ends_with("\\\n") {
        joined = format!("{text}\n");
        &joined
    } else {
        text
    };
    match parse(text, Mode::Module, "<revision>") {
        Ok(ast::Mod::Module(m)) => Ok(m.body),
        Ok(_) => Ok(Vec::new()),
        Err(e) => Err(MetaError {
            line: line_of(line, text, e.offset.to_usize()),
            kind: MetaErrorKind::Syntax(e.error.to_string()),
        }),
    }
}

/// Parses one statement cut out of the file and hands its syntax tree to
/// `walk`; parsing, walking and dropping the tree get stack enough for how
/// deeply the text can nest ([`crate::stack`]).
fn with_snippet<T: Send>(
    text: &str,
    line: u32,
    walk: impl FnOnce(&[PyStmt]) -> T + Send,
) -> Result<T, MetaError> {
    crate::stack::for_source(text.len(), || {
        parse_snippet(text, line).map(|body| walk(&body))
    })
    .unwrap_or(Err(MetaError {
        line,
        kind: MetaErrorKind::NotLiteral {
            name: "revision",
            reason: "is in a statement too large to read without Python",
        },
    }))
}

/// Does this statement text start like a string expression?
fn looks_like_string(text: &str) -> bool {
    let b = text.as_bytes();
    let mut j = 0;
    while j < b.len() && j < 3 && b[j].is_ascii_alphabetic() {
        j += 1;
    }
    matches!(b.get(j), Some(b'\'' | b'"')) || (j == 0 && b.first() == Some(&b'('))
}

/// The module docstring, when the first statement is a string.
fn docstring(src: &str, st: &Stmt) -> Result<Option<String>, MetaError> {
    let text = &src[st.start..st.end];
    match fast_value(text) {
        Some(Value::Str(s)) => return Ok(Some(s)),
        Some(_) => return Ok(None),
        None => {}
    }
    if !looks_like_string(text) {
        return Ok(None);
    }
    let text = normalize_newlines(text);
    with_snippet(&text, st.line, |body| body.first().and_then(docstring_of))
}

/// Could this statement be (or hold) a `from ... import *`?
fn may_star_import(src: &str, st: &Stmt) -> bool {
    let text = &src[st.start..st.end];
    match st.kind {
        Kind::Simple => text.starts_with("from") && text.contains('*'),
        Kind::Compound => text.contains("import") && text.contains('*'),
        _ => false,
    }
}

/// The fast path for `NAME = <literal>` and `NAME: <annotation> = <literal>`.
fn fast_assign(src: &str, st: &Stmt, occs: &[Occ]) -> Option<(Watch, Value)> {
    let [occ] = occs else {
        return None;
    };
    let eq = st.eq?;
    if occ.pos != st.start || occ.walrus || occ.nfkc {
        return None;
    }
    let name_end = occ.pos + occ.name.name().len();
    let between = src[name_end..eq].trim_start_matches([' ', '\t', '\x0c']);
    if !between.is_empty() {
        let ann = between.strip_prefix(':')?;
        if !fast_annotation(ann) {
            return None;
        }
    }
    let value = fast_value(&src[eq + 1..st.end])?;
    Some((occ.name, value))
}

struct Collector<'s> {
    state: &'s mut State,
    text: &'s str,
    line: u32,
}

impl Collector<'_> {
    fn line_at(&self, node: &impl Ranged) -> u32 {
        line_of(self.line, self.text, node.start().to_usize())
    }

    fn bind_str(&mut self, id: &str, bind: Bind, line: u32) {
        if let Some(w) = Watch::from_str(id) {
            set(self.state, w, bind, line);
        }
    }

    /// Every name a target expression binds, all as `reason`.
    fn bind_target_names(&mut self, target: &Expr, reason: &'static str, line: u32) {
        match target {
            Expr::Name(n) => self.bind_str(&n.id, Bind::Non(reason), line),
            Expr::Tuple(t) => t
                .elts
                .iter()
                .for_each(|e| self.bind_target_names(e, reason, line)),
            Expr::List(l) => l
                .elts
                .iter()
                .for_each(|e| self.bind_target_names(e, reason, line)),
            Expr::Starred(s) => self.bind_target_names(&s.value, reason, line),
            _ => {}
        }
    }

    fn assign(&mut self, targets: &[Expr], value: &Expr, compound: bool, line: u32) {
        let watched = |e: &Expr| matches!(e, Expr::Name(n) if Watch::from_str(&n.id).is_some());
        let mut val: Option<Result<Value, &'static str>> = None;
        for t in targets {
            match t {
                Expr::Name(n) if watched(t) => {
                    let bind = if compound {
                        Bind::Non(R_COMPOUND)
                    } else {
                        match val.get_or_insert_with(|| eval(value)) {
                            Ok(v) => Bind::Lit(v.clone()),
                            Err(r) => Bind::Non(r),
                        }
                    };
                    self.bind_str(&n.id, bind, line);
                }
                Expr::Name(_) => {}
                other => {
                    let reason = if compound { R_COMPOUND } else { R_UNPACK };
                    self.bind_target_names(other, reason, line);
                }
            }
        }
    }

    fn pattern(&mut self, p: &ast::Pattern, line: u32) {
        use ast::Pattern as P;
        let name = |s: &Option<ast::Identifier>, c: &mut Self| {
            if let Some(id) = s {
                c.bind_str(id, Bind::Non(R_COMPOUND), line);
            }
        };
        match p {
            P::MatchAs(m) => {
                name(&m.name, self);
                if let Some(p) = &m.pattern {
                    self.pattern(p, line);
                }
            }
            P::MatchStar(m) => name(&m.name, self),
            P::MatchMapping(m) => {
                name(&m.rest, self);
                m.patterns.iter().for_each(|p| self.pattern(p, line));
            }
            P::MatchSequence(m) => m.patterns.iter().for_each(|p| self.pattern(p, line)),
            P::MatchClass(m) => {
                m.patterns.iter().for_each(|p| self.pattern(p, line));
                m.kwd_patterns.iter().for_each(|p| self.pattern(p, line));
            }
            P::MatchOr(m) => m.patterns.iter().for_each(|p| self.pattern(p, line)),
            P::MatchValue(_) | P::MatchSingleton(_) => {}
        }
    }

    fn body(&mut self, stmts: &[PyStmt]) {
        for s in stmts {
            self.stmt(s, true);
        }
    }

    /// The module-level names a statement binds.
    fn stmt(&mut self, s: &PyStmt, compound: bool) {
        let line = self.line_at(s);
        let r = |plain: &'static str| if compound { R_COMPOUND } else { plain };
        match s {
            PyStmt::Assign(a) => self.assign(&a.targets, &a.value, compound, line),
            PyStmt::AnnAssign(a) => {
                if let Some(v) = &a.value {
                    self.assign(std::slice::from_ref(&a.target), v, compound, line);
                }
            }
            PyStmt::AugAssign(a) => self.bind_target_names(&a.target, r(R_AUG), line),
            PyStmt::Delete(d) => {
                for t in &d.targets {
                    self.bind_target_names(t, r(R_DEL), line);
                }
            }
            PyStmt::Import(i) => {
                for a in &i.names {
                    let bound = match &a.asname {
                        Some(n) => n.as_str(),
                        None => a.name.split('.').next().unwrap_or(""),
                    };
                    self.bind_str(bound, Bind::Non(r(R_IMPORT)), line);
                }
            }
            PyStmt::ImportFrom(i) => {
                for a in &i.names {
                    let bound = a.asname.as_ref().unwrap_or(&a.name);
                    if bound.as_str() == "*" {
                        // may bind anything (dunder names aside)
                        for w in [
                            Watch::Revision,
                            Watch::DownRevision,
                            Watch::BranchLabels,
                            Watch::DependsOn,
                        ] {
                            set(self.state, w, Bind::Non(R_STAR), line);
                        }
                    } else {
                        self.bind_str(bound, Bind::Non(r(R_IMPORT)), line);
                    }
                }
            }
            PyStmt::FunctionDef(f) => self.bind_str(&f.name, Bind::Non(r(R_DEF)), line),
            PyStmt::AsyncFunctionDef(f) => self.bind_str(&f.name, Bind::Non(r(R_DEF)), line),
            PyStmt::ClassDef(c) => self.bind_str(&c.name, Bind::Non(r(R_DEF)), line),
            PyStmt::TypeAlias(t) => self.bind_target_names(&t.name, r(R_DEF), line),
            PyStmt::For(f) => {
                self.bind_target_names(&f.target, R_COMPOUND, line);
                self.body(&f.body);
                self.body(&f.orelse);
            }
            PyStmt::AsyncFor(f) => {
                self.bind_target_names(&f.target, R_COMPOUND, line);
                self.body(&f.body);
                self.body(&f.orelse);
            }
            PyStmt::While(w) => {
                self.body(&w.body);
                self.body(&w.orelse);
            }
            PyStmt::If(i) => {
                self.body(&i.body);
                self.body(&i.orelse);
            }
            PyStmt::With(w) => {
                for item in &w.items {
                    if let Some(v) = &item.optional_vars {
                        self.bind_target_names(v, R_COMPOUND, line);
                    }
                }
                self.body(&w.body);
            }
            PyStmt::AsyncWith(w) => {
                for item in &w.items {
                    if let Some(v) = &item.optional_vars {
                        self.bind_target_names(v, R_COMPOUND, line);
                    }
                }
                self.body(&w.body);
            }
            PyStmt::Try(t) => self.try_parts(&t.body, &t.handlers, &t.orelse, &t.finalbody),
            PyStmt::TryStar(t) => self.try_parts(&t.body, &t.handlers, &t.orelse, &t.finalbody),
            PyStmt::Match(m) => {
                for case in &m.cases {
                    self.pattern(&case.pattern, line);
                    self.body(&case.body);
                }
            }
            _ => {}
        }
    }

    fn try_parts(
        &mut self,
        body: &[PyStmt],
        handlers: &[ast::ExceptHandler],
        orelse: &[PyStmt],
        finalbody: &[PyStmt],
    ) {
        self.body(body);
        for ast::ExceptHandler::ExceptHandler(h) in handlers {
            if let Some(n) = &h.name {
                let line = self.line_at(h);
                self.bind_str(n, Bind::Non(R_COMPOUND), line);
            }
            self.body(&h.body);
        }
        self.body(orelse);
        self.body(finalbody);
    }
}

/// Reads the bindings of one statement that needs the full syntax tree.
fn collect(state: &mut State, text: &str, st: &Stmt) -> Result<(), MetaError> {
    with_snippet(text, st.line, |body| {
        let mut c = Collector {
            state,
            text,
            line: st.line,
        };
        for s in body {
            c.stmt(s, st.kind == Kind::Compound);
        }
    })
}

/// Reads the metadata from decoded source text.
pub(crate) fn extract(src: &str) -> Result<Meta, MetaError> {
    let scanned = scan(src).map_err(|e| MetaError {
        line: e.line,
        kind: MetaErrorKind::Syntax(e.message),
    })?;
    let mut state: State = Default::default();

    let stmts = &scanned.stmts;
    if let Some(first) = stmts.first()
        && first.kind == Kind::Simple
        && let Some(doc) = docstring(src, first)?
    {
        set(
            &mut state,
            Watch::Doc,
            Bind::Lit(Value::Str(doc)),
            first.line,
        );
    }

    for st in stmts {
        let occs = scanned.occs(st);
        if occs.is_empty() {
            if may_star_import(src, st) {
                collect(&mut state, &normalize_newlines(&src[st.start..st.end]), st)?;
            }
            continue;
        }
        for occ in occs.iter().filter(|o| o.walrus) {
            set(&mut state, occ.name, Bind::Non(R_WALRUS), st.line);
        }
        for occ in occs.iter().filter(|o| o.nfkc) {
            set(&mut state, occ.name, Bind::Non(R_NFKC), st.line);
        }
        match st.kind {
            Kind::Decorator => {}
            Kind::DefClass => {
                for occ in occs {
                    set(&mut state, occ.name, Bind::Non(R_DEF), st.line);
                }
            }
            Kind::Simple | Kind::Compound => {
                if st.kind == Kind::Simple
                    && let Some((name, value)) = fast_assign(src, st, occs)
                {
                    set(&mut state, name, Bind::Lit(value), st.line);
                    continue;
                }
                collect(&mut state, &normalize_newlines(&src[st.start..st.end]), st)?;
            }
        }
    }

    // A binding we cannot read decides nothing only if a later one replaced it.
    if let Some((w, line, reason)) = Watch::ALL
        .iter()
        .filter_map(|&w| match &state[w.index()] {
            Some((Bind::Non(r), line)) => Some((w, *line, *r)),
            _ => None,
        })
        .min_by_key(|(_, line, _)| *line)
    {
        return Err(MetaError {
            line,
            kind: MetaErrorKind::NotLiteral {
                name: w.name(),
                reason,
            },
        });
    }

    let mut lit = |w: Watch| match state[w.index()].take() {
        Some((Bind::Lit(v), line)) => Some((v, line)),
        _ => None,
    };
    let bad =
        |name: &'static str, expected: &'static str, got: &'static str, line: u32| MetaError {
            line,
            kind: MetaErrorKind::BadValue {
                name,
                expected,
                got,
            },
        };
    const IDS: &str = "a string, a tuple or list of strings, or None";

    let revision = match lit(Watch::Revision) {
        None => None,
        Some((Value::Str(s), _)) => Some(s),
        Some((v, line)) => return Err(bad("revision", "a string", v.type_name(), line)),
    };
    let mut ids = |w: Watch| -> Result<Option<Vec<String>>, MetaError> {
        match lit(w) {
            None => Ok(None),
            Some((v, line)) => to_ids(v)
                .map(Some)
                .map_err(|got| bad(w.name(), IDS, got, line)),
        }
    };
    let down_revision = ids(Watch::DownRevision)?;
    let branch_labels = ids(Watch::BranchLabels)?.unwrap_or_default();
    let depends_on = ids(Watch::DependsOn)?.unwrap_or_default();
    let longdoc = match lit(Watch::Doc) {
        None | Some((Value::None, _)) => String::new(),
        Some((Value::Str(s), _)) => {
            let stripped = py_strip(&s);
            if stripped.len() == s.len() {
                s
            } else {
                stripped.to_string()
            }
        }
        Some((v, line)) => return Err(bad("__doc__", "a string or None", v.type_name(), line)),
    };
    Ok(Meta {
        revision,
        down_revision,
        branch_labels,
        depends_on,
        longdoc,
    })
}

/// Alembic's `to_tuple` of a metadata value, as a list of ids.
fn to_ids(v: Value) -> Result<Vec<String>, &'static str> {
    match v {
        Value::None => Ok(Vec::new()),
        Value::Str(s) => Ok(vec![s]),
        Value::Seq(items, set) => {
            let mut out: Vec<String> = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Value::Str(s) => {
                        if !(set && out.contains(&s)) {
                            out.push(s);
                        }
                    }
                    other => return Err(other.type_name()),
                }
            }
            Ok(out)
        }
        Value::Other(t) => Err(t),
    }
}

/// Why the bytes of a file cannot be turned into source text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DecodeError {
    /// Python would fail too.
    Invalid(String),
    /// A coding cookie naming an encoding we do not decode.
    Unsupported(String),
}

enum Encoding {
    Utf8,
    Latin1,
    Ascii,
}

/// `tokenize.cookie_re` on one line: `^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)`.
fn find_cookie(line: &[u8]) -> Option<&[u8]> {
    let j = skip_blanks(line, 0);
    if line.get(j) != Some(&b'#') {
        return None;
    }
    let rest = &line[j + 1..];
    let mut k = 0;
    while k + 7 <= rest.len() {
        // `.` matches anything but a newline (a lone `\r` included)
        if rest[k] == b'\n' {
            return None;
        }
        if &rest[k..k + 6] == b"coding" && matches!(rest[k + 6], b':' | b'=') {
            let mut m = k + 7;
            while m < rest.len() && matches!(rest[m], b' ' | b'\t') {
                m += 1;
            }
            let s = m;
            while m < rest.len()
                && (rest[m].is_ascii_alphanumeric() || matches!(rest[m], b'-' | b'_' | b'.'))
            {
                m += 1;
            }
            if m > s {
                return Some(&rest[s..m]);
            }
        }
        k += 1;
    }
    None
}

fn blank_line(line: &[u8]) -> bool {
    let j = skip_blanks(line, 0);
    matches!(line.get(j), None | Some(b'#' | b'\r' | b'\n'))
}

fn encoding_of(name: &[u8]) -> Result<Encoding, DecodeError> {
    let name = String::from_utf8_lossy(name);
    // `tokenize._get_normal_name`, then the codec registry's aliases
    let low: String = name
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c == '-' || c == ' ' { '_' } else { c })
        .collect();
    let head: String = low.chars().take(12).collect();
    if head == "utf_8" || head.starts_with("utf_8_") {
        return Ok(Encoding::Utf8);
    }
    if ["latin_1", "iso_8859_1", "iso_latin_1"]
        .iter()
        .any(|p| head == *p || head.starts_with(&format!("{p}_")))
    {
        return Ok(Encoding::Latin1);
    }
    match low.as_str() {
        "utf8" | "u8" | "utf" | "utf8_ucs2" | "utf8_ucs4" | "cp65001" => Ok(Encoding::Utf8),
        "latin1" | "l1" | "iso8859_1" | "8859" | "cp819" | "latin" | "iso_ir_100"
        | "csisolatin1" | "ibm819" | "iso8859" => Ok(Encoding::Latin1),
        "ascii" | "us_ascii" | "646" | "us" | "ansi_x3.4_1968" | "ansi_x3_4_1968"
        | "ansi_x3.4_1986" | "cp367" | "csascii" | "ibm367" | "iso646_us" | "iso_646.irv_1991"
        | "iso_ir_6" => Ok(Encoding::Ascii),
        _ => Err(DecodeError::Unsupported(format!(
            "the file declares the encoding '{name}', which alembic-rs does not decode"
        ))),
    }
}

/// Decodes a source file as `importlib` does (`tokenize.detect_encoding`):
/// a UTF-8 byte-order mark, or a coding cookie on one of the first two
/// lines; UTF-8 by default.
pub(crate) fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, DecodeError> {
    let (body, bom) = match bytes.strip_prefix(b"\xef\xbb\xbf") {
        Some(rest) => (rest, true),
        None => (bytes, false),
    };
    let first_end = body
        .iter()
        .position(|&c| c == b'\n')
        .map_or(body.len(), |p| p + 1);
    let first = &body[..first_end];
    let mut cookie = None;
    // the cookie search only matters if a line holds a comment
    if first.contains(&b'#') {
        cookie = find_cookie(first);
    }
    if cookie.is_none() && blank_line(first) && first_end < body.len() {
        let rest = &body[first_end..];
        let second_end = rest
            .iter()
            .position(|&c| c == b'\n')
            .map_or(rest.len(), |p| p + 1);
        cookie = find_cookie(&rest[..second_end]);
    }
    let encoding = match cookie {
        None => Encoding::Utf8,
        Some(name) => {
            let enc = encoding_of(name)?;
            if bom && !matches!(enc, Encoding::Utf8) {
                return Err(DecodeError::Invalid("encoding problem: utf-8".into()));
            }
            enc
        }
    };
    match encoding {
        Encoding::Utf8 => match std::str::from_utf8(body) {
            Ok(text) => Ok(Cow::Borrowed(text)),
            Err(e) => invalid_only_in_comments(body)
                .map(Cow::Owned)
                .ok_or_else(|| {
                    DecodeError::Invalid(format!(
                        "'utf-8' codec can't decode byte 0x{:02x} in position {}",
                        body[e.valid_up_to()],
                        e.valid_up_to()
                    ))
                }),
        },
        Encoding::Ascii => match body.iter().position(|&c| c >= 0x80) {
            None => Ok(Cow::Borrowed(std::str::from_utf8(body).unwrap_or_default())),
            Some(p) => Err(DecodeError::Invalid(format!(
                "'ascii' codec can't decode byte 0x{:02x} in position {p}",
                body[p]
            ))),
        },
        Encoding::Latin1 => Ok(Cow::Owned(body.iter().map(|&c| c as char).collect())),
    }
}

/// The text of a UTF-8 file whose undecodable bytes all sit in comments,
/// each run replaced by U+FFFD; `None` if any is elsewhere.
///
/// CPython 3.11 compiles such a file (its tokenizer skips a comment's bytes
/// without decoding them), so Alembic imports it: files edited on Windows
/// often carry a cp1252 byte in a comment. The same byte in a string or in
/// code is a `SyntaxError` there, and stays a decode error here.
fn invalid_only_in_comments(body: &[u8]) -> Option<String> {
    let mut text = String::with_capacity(body.len() + 8);
    let mut replaced = Vec::new();
    for chunk in body.utf8_chunks() {
        text.push_str(chunk.valid());
        if !chunk.invalid().is_empty() {
            replaced.push(text.len());
            text.push(char::REPLACEMENT_CHARACTER);
        }
    }
    // The lexer drops comments and rejects U+FFFD in code, so a replacement
    // that lexes and lies in no token is in a comment.
    let mut tokens = Vec::new();
    for token in rustpython_parser::lexer::lex(&text, rustpython_parser::Mode::Module) {
        let (_, range) = token.ok()?;
        tokens.push(range.start().to_usize()..range.end().to_usize());
    }
    replaced
        .iter()
        .all(|at| !tokens.iter().any(|t| t.contains(at)))
        .then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(src: &str) -> Meta {
        extract(src).unwrap_or_else(|e| panic!("{src:?}: {e:?}"))
    }

    fn err(src: &str) -> MetaError {
        extract(src).expect_err(src)
    }

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    const TEMPLATE: &str = r#""""add thing

Revision ID: 1a2b3c
Revises: 0f0f0f
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '1a2b3c'
down_revision: Union[str, Sequence[str], None] = '0f0f0f'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    revision = 'not this'
    op.execute("""
revision = 'nor this'
""")


def downgrade() -> None:
    pass
"#;

    #[test]
    fn template() {
        let m = meta(TEMPLATE);
        assert_eq!(m.revision.as_deref(), Some("1a2b3c"));
        assert_eq!(m.down_revision, Some(ids(&["0f0f0f"])));
        assert!(m.branch_labels.is_empty());
        assert!(m.depends_on.is_empty());
        assert_eq!(
            m.longdoc,
            "add thing\n\nRevision ID: 1a2b3c\nRevises: 0f0f0f\nCreate Date: 2024-01-01 00:00:00.000000"
        );
    }

    #[test]
    fn values() {
        let m = meta(
            "revision = 'a'\ndown_revision = ('b', 'c',)\nbranch_labels = ['x']\ndepends_on = 'd'\n",
        );
        assert_eq!(m.down_revision, Some(ids(&["b", "c"])));
        assert_eq!(m.branch_labels, ids(&["x"]));
        assert_eq!(m.depends_on, ids(&["d"]));
        let m = meta("revision = 'a'\ndown_revision = ()\nbranch_labels = ('x')\n");
        assert_eq!(m.down_revision, Some(vec![]));
        assert_eq!(m.branch_labels, ids(&["x"]));
        let m = meta("revision = 'a'\ndown_revision = ('a1'\n  'b2')\n");
        assert_eq!(m.down_revision, Some(ids(&["a1b2"])));
        let m = meta("revision = 'a'\ndown_revision = ''\n");
        assert_eq!(m.down_revision, Some(ids(&[""])));
        // slow path: escapes, sets
        let m = meta("revision = 'a\\x62'\ndown_revision = {'x', 'y', 'x'}\n");
        assert_eq!(m.revision.as_deref(), Some("ab"));
        assert_eq!(m.down_revision, Some(ids(&["x", "y"])));
    }

    #[test]
    fn last_assignment_wins() {
        let m = meta("revision = 'a'\ndown_revision = None\nrevision = 'b'\n");
        assert_eq!(m.revision.as_deref(), Some("b"));
        // a later literal replaces a binding we cannot read
        let m = meta("revision = make()\ndown_revision = None\nrevision = 'b'\n");
        assert_eq!(m.revision.as_deref(), Some("b"));
        let m =
            meta("if TYPE_CHECKING:\n    revision = 'x'\nrevision = 'b'\ndown_revision = None\n");
        assert_eq!(m.revision.as_deref(), Some("b"));
    }

    #[test]
    fn annotated_and_chained() {
        let m = meta(
            "revision: str = 'a'\ndown_revision: Optional[Union[str, Tuple[str, ...]]] = ('b',)\n",
        );
        assert_eq!(m.down_revision, Some(ids(&["b"])));
        let m = meta("revision = down_revision = 'a'\n");
        assert_eq!(m.revision.as_deref(), Some("a"));
        assert_eq!(m.down_revision, Some(ids(&["a"])));
        // an annotation without a value binds nothing
        let m = meta("revision: str\nrevision = 'x'\ndown_revision: str\ndown_revision = None\n");
        assert_eq!(m.revision.as_deref(), Some("x"));
    }

    #[test]
    fn missing_names() {
        let m = meta("\"\"\"doc\"\"\"\n");
        assert_eq!(m.revision, None);
        assert_eq!(m.down_revision, None);
        assert_eq!(m.longdoc, "doc");
    }

    #[test]
    fn docstrings() {
        assert_eq!(meta("'''  x  '''").longdoc, "x");
        assert_eq!(meta("('a'\n 'b')\n").longdoc, "ab");
        assert_eq!(meta("\"a\\tb\"\n").longdoc, "a\tb");
        assert_eq!(meta("r'a\\tb'\n").longdoc, "a\\tb");
        assert_eq!(meta("b'x'\n").longdoc, "");
        assert_eq!(meta("f'x'\n").longdoc, "");
        assert_eq!(meta("'a' + 'b'\n").longdoc, "");
        assert_eq!(meta("import x\n'doc'\n").longdoc, "");
        assert_eq!(meta("# comment\n\n'doc'; x = 1\n").longdoc, "doc");
        assert_eq!(meta("'doc'\n__doc__ = 'other'\n").longdoc, "other");
        assert_eq!(meta("'doc'\n__doc__ = None\n").longdoc, "");
        assert_eq!(meta("\"\"\"a\r\n\r\nb\r\n\"\"\"\r\n").longdoc, "a\n\nb");
    }

    #[test]
    fn not_literal() {
        for (src, name, line) in [
            (
                "revision = 'a'\ndown_revision = other.X\n",
                "down_revision",
                2,
            ),
            ("revision = make()\n", "revision", 1),
            ("revision = f'a'\n", "revision", 1),
            ("revision = 'a' if x else 'b'\n", "revision", 1),
            ("x = 1\nif x:\n    revision = 'a'\n", "revision", 3),
            (
                "try:\n    pass\nexcept E:\n    down_revision = None\n",
                "down_revision",
                4,
            ),
            ("revision += 'a'\n", "revision", 1),
            ("revision, down_revision = 'a', None\n", "revision", 1),
            ("from x import revision\n", "revision", 1),
            ("import revision.sub\n", "revision", 1),
            ("def depends_on(): pass\n", "depends_on", 1),
            ("print((branch_labels := 'x'))\n", "branch_labels", 1),
            ("revision = 'a'\ndel revision\n", "revision", 2),
            ("for revision in x:\n    pass\n", "revision", 1),
            ("with x as revision:\n    pass\n", "revision", 1),
            (
                "def __getattr__(name):\n    return None\n",
                "__getattr__",
                1,
            ),
            ("revision = 'a'\nfrom x import *\n", "revision", 2),
            // Python normalises identifiers (NFKC): these bind the names
            ("revision = 'a'\n\u{ff52}evision = 'b'\n", "revision", 2),
            ("\u{2b3}evision = 'b'\n", "revision", 1),
            // (a name it might be: the guess is conservative)
            ("\u{2b3}evision = 'b'\nrevision = 'a'\n", "down_revision", 1),
            ("__doc\u{ff3f}_ = 'x'\n", "__doc__", 1),
            ("def depends\u{ff3f}on(): pass\n", "depends_on", 1),
            (
                "if x:\n    down\u{ff3f}revision = 'x'\n",
                "down_revision",
                1,
            ),
            (
                "try:\n    from x import *\nexcept ImportError:\n    pass\n",
                "revision",
                2,
            ),
        ] {
            let e = err(src);
            match e.kind {
                MetaErrorKind::NotLiteral { name: n, .. } => {
                    assert_eq!((n, e.line), (name, line), "{src:?}")
                }
                other => panic!("{src:?}: {other:?}"),
            }
        }
    }

    /// Non-ASCII names that cannot normalise to a watched one are plain names.
    #[test]
    fn non_ascii_names() {
        let m = meta(
            "\u{e9}t\u{e9} = 'x'\nna\u{ef}ve = 1\nr\u{e9}vision = 2\n\u{3b1} = 3\nrevision = 'a'\ndown_revision = None\n",
        );
        assert_eq!(m.revision.as_deref(), Some("a"));
        // a later plain binding replaces one we cannot read
        let m = meta("\u{ff52}evision = 'b'\nrevision = 'a'\ndown_revision = None\n");
        assert_eq!(m.revision.as_deref(), Some("a"));
    }

    #[test]
    fn star_import_then_assignments() {
        let m = meta(
            "from sqlalchemy import *\nrevision = 'a'\ndown_revision = None\nbranch_labels = None\ndepends_on = None\n",
        );
        assert_eq!(m.revision.as_deref(), Some("a"));
        // a star import that is not one: `*` elsewhere
        let m = meta("from x import (a)  # *\nrevision = 'a'\ndown_revision = None\n");
        assert_eq!(m.revision.as_deref(), Some("a"));
    }

    #[test]
    fn uses_are_not_bindings() {
        let m = meta(
            "revision = 'a'\ndown_revision = None\nprint(revision)\nx = down_revision\nif TYPE_CHECKING:\n    from typing import Sequence\n\ndef f(revision='x'):\n    return revision\nf(revision=1)\n",
        );
        assert_eq!(m.revision.as_deref(), Some("a"));
    }

    #[test]
    fn bad_values() {
        let e = err("revision = None\n");
        assert_eq!(
            e.kind,
            MetaErrorKind::BadValue {
                name: "revision",
                expected: "a string",
                got: "NoneType"
            }
        );
        let e = err("revision = 'a'\ndown_revision = 5\n");
        assert!(matches!(e.kind, MetaErrorKind::BadValue { got: "int", .. }));
        let e = err("revision = 'a'\ndown_revision = (None,)\n");
        assert!(matches!(
            e.kind,
            MetaErrorKind::BadValue {
                got: "NoneType",
                ..
            }
        ));
    }

    /// Backslash continuations at the edges of a statement (found by
    /// tests/robustness.rs, seeds 16745 and 34623).
    #[test]
    fn continuation_lines() {
        for src in [
            "revision = 'a'\nif True:\n    down_revision = (\n    'b',\n)\\\n\nbranch_labels = None\n",
            "revision = 'a'\n\\\ntry:\n    down_revision = None\nexcept E:\n    pass\n",
            "revision = 'a'\r\\\r\ntry:\r\n    down_revision = None\r\nexcept E:\r\n    pass\r\n",
        ] {
            let e = extract(src).expect_err(src);
            assert!(
                matches!(
                    e.kind,
                    MetaErrorKind::NotLiteral {
                        name: "down_revision",
                        ..
                    }
                ),
                "{src:?}: {e:?}"
            );
        }
        let m = meta("revision = 'a'\n\\\ndown_revision = None\n");
        assert_eq!(m.down_revision, Some(vec![]));
        let m = meta("revision = 'a'\n\\\n\\\ndown_revision = None\\\n\nbranch_labels = 'x'\n");
        assert_eq!(m.down_revision, Some(vec![]));
        assert_eq!(m.branch_labels, ids(&["x"]));
        let m = meta("revision = 'a'\ndown_revision = 'b'\\\n\n");
        assert_eq!(m.down_revision, Some(ids(&["b"])));
    }

    #[test]
    fn syntax_errors() {
        let e = err("revision = 'a'\ndown_revision = ('a',,)\n");
        assert_eq!(e.line, 2);
        assert!(matches!(e.kind, MetaErrorKind::Syntax(_)));
        let e = err("revision = 'a'\nx = \"\"\"\n");
        assert_eq!(e.line, 2);
        // errors elsewhere are Python's business
        meta("revision = 'a'\ndown_revision = None\ndef f(:)\n  pass\n");
    }

    #[test]
    fn decoding() {
        assert_eq!(decode(b"\xef\xbb\xbfx = 1").unwrap(), "x = 1");
        assert_eq!(
            decode(b"# -*- coding: utf-8 -*-\nx").unwrap(),
            "# -*- coding: utf-8 -*-\nx"
        );
        assert_eq!(
            decode(b"#!/usr/bin/python\n# vim: set fileencoding=latin-1 :\nx = '\xe9'").unwrap(),
            "#!/usr/bin/python\n# vim: set fileencoding=latin-1 :\nx = '\u{e9}'"
        );
        // the cookie on line 2 only counts when line 1 is blank or a comment
        assert!(decode(b"x = 1\n# coding: latin-1\n'\xe9'").is_err());
        assert!(matches!(
            decode(b"# coding: cp1252\n"),
            Err(DecodeError::Unsupported(_))
        ));
        assert!(matches!(
            decode(b"\xef\xbb\xbf# coding: latin-1\n"),
            Err(DecodeError::Invalid(_))
        ));
        assert!(matches!(
            decode(b"x = '\xff'"),
            Err(DecodeError::Invalid(_))
        ));
    }

    /// Python 3.11 compiles undecodable bytes in a comment, not elsewhere.
    #[test]
    fn undecodable_bytes_in_comments_only() {
        let src = decode(b"# caf\xe9\nrevision = 'a'  # na\xefve \xff\xfe\ndown_revision = None\n")
            .unwrap();
        let m = meta(&src);
        assert_eq!(m.revision.as_deref(), Some("a"));
        for bad in [
            &b"\"\"\"caf\xe9\"\"\"\nrevision = 'a'\n"[..],
            b"revision = 'a\xe9'  # x\n",
            b"\"\"\"doc\n# caf\xe9\n\"\"\"\nrevision = 'a'\n",
            b"x = 1\xe9\n",
        ] {
            assert!(
                matches!(decode(bad), Err(DecodeError::Invalid(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn bom_and_crlf() {
        let src =
            decode(b"\xef\xbb\xbf\"\"\"doc\"\"\"\r\nrevision = 'a'\r\ndown_revision = None\r\n")
                .unwrap();
        let m = meta(&src);
        assert_eq!(m.revision.as_deref(), Some("a"));
        assert_eq!(m.longdoc, "doc");
    }
}
