//! Mako's lexer rules (`mako/lexer.py`) for the subset alembic-rs renders,
//! and the Python source a template compiles to.
//!
//! The lexer keeps Mako's order of attempts (expression, control line,
//! `<%doc>`, tag, tag end, Python block, `%%`, text) because that order is
//! what decides where whitespace goes; the generated Python mirrors
//! Mako's `render_body` closely enough that name lookups (`context`,
//! undefined names, builtins) behave the same.

use std::sync::LazyLock;

use regex::Regex;

use crate::pyfmt::py_repr;

/// Why a template cannot be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// What Mako raises while lexing (`mako.exceptions.SyntaxException`),
    /// worded as Mako words it, position included.
    #[error("{0}")]
    Syntax(String),
    /// Valid Mako that alembic-rs does not render; names the construct so
    /// the user knows what to change.
    #[error(
        "{construct} in file '{file}' at line: {line} is not supported: alembic-rs renders script.py.mako without Mako and understands ${{...}} expressions (with filters), % control lines, ## comments, <%text>, <%doc>, <% %> and <%! %> blocks"
    )]
    Unsupported {
        construct: String,
        file: String,
        line: usize,
    },
}

/// A template turned into Python: module-level code (`<%! %>` blocks)
/// followed by `def render_body(context, __M_writer):`. Names the body
/// reads but never assigns are resolved at call time, as Mako does.
///
/// Mako checks each piece of Python as it lexes it, so which error a
/// broken template reports depends on document order: `snippets` are the
/// pieces before `error` (the first lexing error, if any), for Python to
/// check first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compiled {
    /// The module source; `None` when lexing failed.
    pub python: Option<String>,
    pub snippets: Vec<Snippet>,
    pub error: Option<TemplateError>,
}

/// One piece of Python Mako parses while lexing, with where it began.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    pub kind: SnippetKind,
    pub text: String,
    pub line: usize,
    pub col: usize,
}

/// Which of Mako's parsers a snippet goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnippetKind {
    /// `ast.PythonCode`: expressions and `<% %>` blocks.
    Code,
    /// `ast.ArgumentList`: the filters after `|`.
    Args,
    /// `ast.PythonFragment`: a control line's statement head.
    Fragment,
}

impl SnippetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SnippetKind::Code => "code",
            SnippetKind::Args => "args",
            SnippetKind::Fragment => "fragment",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Text(String),
    Expr { code: String, filters: String },
    Control { kind: Control, text: String },
    Code { code: String, module: bool },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Control {
    /// `for`, `if`, `while`, `try`, `with`: opens a block.
    Open,
    /// `elif`/`else`/`except`/`finally` of the enclosing block.
    Ternary,
    /// `endif`, `endfor`, ...
    End,
    /// Any other keyword line (`% break`): one Python statement.
    Plain,
}

/// `mako.lexer.Lexer._coding_re`, matched at the very start only.
static CODING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^#[^\n]*coding[:=]\s*[-\w.]+[^\n]*\r?\n").expect("valid regex"));

const PRIMARY: [&str; 5] = ["for", "if", "while", "try", "with"];

fn is_ternary(open: &str, keyword: &str) -> bool {
    matches!(
        (open, keyword),
        ("if", "else" | "elif") | ("try", "except" | "finally") | ("for", "else")
    )
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

struct Lexer<'a> {
    text: &'a str,
    file: &'a str,
    pos: usize,
    nodes: Vec<Node>,
    /// The template line each node of `nodes` began on.
    lines: Vec<usize>,
    /// Open control keywords with the (line, char) they began at.
    control: Vec<(String, usize, usize)>,
    /// Open tags (only `<%text>` can be open, and only briefly).
    tags: Vec<String>,
    /// Where the last construct began: Mako's `matched_lineno/charpos`.
    matched: (usize, usize),
    snippets: Vec<Snippet>,
}

/// Parses `source` (the template file's text) and compiles it to Python.
/// `file` is the path shown in messages, as Mako shows it.
pub fn compile(source: &str, file: &str) -> Compiled {
    let (result, snippets) = lex(source, file);
    match result {
        Ok((nodes, lines)) => Compiled {
            python: Some(generate(&nodes, &lines)),
            snippets,
            error: None,
        },
        Err(e) => Compiled {
            python: None,
            snippets,
            error: Some(e),
        },
    }
}

#[cfg(test)]
fn parse(source: &str, file: &str) -> Result<Vec<Node>, TemplateError> {
    lex(source, file).0.map(|(nodes, _)| nodes)
}

/// The nodes and the template line each began on.
type Lexed = (Vec<Node>, Vec<usize>);

fn lex(source: &str, file: &str) -> (Result<Lexed, TemplateError>, Vec<Snippet>) {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let mut lx = Lexer {
        text: source,
        file,
        pos: 0,
        nodes: Vec::new(),
        lines: Vec::new(),
        control: Vec::new(),
        tags: Vec::new(),
        matched: (1, 1),
        snippets: Vec::new(),
    };
    if let Some(m) = CODING.find(source) {
        lx.pos = m.end();
    }
    let result = lx.run();
    let nodes = std::mem::take(&mut lx.nodes);
    let lines = std::mem::take(&mut lx.lines);
    (result.map(|()| (nodes, lines)), lx.snippets)
}

impl<'a> Lexer<'a> {
    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn position(&self, pos: usize) -> (usize, usize) {
        let before = &self.text[..pos];
        let line = before.matches('\n').count() + 1;
        let col = match before.rfind('\n') {
            Some(nl) => before[nl + 1..].chars().count() + 1,
            None => before.chars().count() + 1,
        };
        (line, col)
    }

    fn begin(&mut self) {
        self.matched = self.position(self.pos);
    }

    /// A node of the construct that began at `matched`.
    fn push(&mut self, node: Node) {
        self.nodes.push(node);
        self.lines.push(self.matched.0);
    }

    fn syntax(&self, message: String) -> TemplateError {
        self.syntax_at(message, self.matched)
    }

    fn syntax_at(&self, message: String, (line, col): (usize, usize)) -> TemplateError {
        TemplateError::Syntax(format!(
            "{message} in file '{}' at line: {line} char: {col}",
            self.file
        ))
    }

    fn snippet(&mut self, kind: SnippetKind, text: &str) {
        self.snippets.push(Snippet {
            kind,
            text: text.to_string(),
            line: self.matched.0,
            col: self.matched.1,
        });
    }

    fn at_line_start(&self) -> bool {
        self.pos == 0 || self.text.as_bytes()[self.pos - 1] == b'\n'
    }

    fn run(&mut self) -> Result<(), TemplateError> {
        while self.pos < self.text.len() {
            if self.expression()?
                || self.control_line()?
                || self.doc_comment()
                || self.tag_start()?
                || self.tag_end()?
                || self.python_block()?
                || self.percent()
            {
                continue;
            }
            self.plain_text();
        }
        if let Some(tag) = self.tags.last() {
            return Err(self.syntax(format!("Unclosed tag: <%{tag}>")));
        }
        if let Some((keyword, line, col)) = self.control.last() {
            return Err(self.syntax_at(
                format!("Unterminated control keyword: '{keyword}'"),
                (*line, *col),
            ));
        }
        Ok(())
    }

    fn expression(&mut self) -> Result<bool, TemplateError> {
        if !self.rest().starts_with("${") {
            return Ok(false);
        }
        self.begin();
        let start = self.matched;
        self.pos += 2;
        let (code, end) = self.until(true, &["|", "}"], start)?;
        let filters = if end == "|" {
            // Mako reports an unclosed filter list from its last match, the `|`.
            let bar = self.position(self.pos - 1);
            self.until(true, &["}"], bar)?.0
        } else {
            String::new()
        };
        let code = code.replace("\r\n", "\n");
        let filters = filters.trim().to_string();
        self.snippet(SnippetKind::Args, &filters);
        self.snippet(SnippetKind::Code, &code);
        self.push(Node::Expr { code, filters });
        Ok(true)
    }

    /// `parse_until_text`: Python source up to one of `terms`, skipping
    /// strings and comments and, with `watch_nesting`, brackets.
    fn until(
        &mut self,
        watch_nesting: bool,
        terms: &[&'static str],
        start: (usize, usize),
    ) -> Result<(String, &'static str), TemplateError> {
        let from = self.pos;
        let (mut brace, mut paren, mut bracket) = (0i64, 0i64, 0i64);
        let bytes = self.text.as_bytes();
        loop {
            if self.pos >= self.text.len() {
                return Err(self.syntax_at(
                    format!(
                        "Expected: {}; unterminated tag or expression beginning",
                        terms
                            .iter()
                            .map(|t| if *t == "|" { "\\|" } else { t })
                            .collect::<Vec<_>>()
                            .join(",")
                    ),
                    start,
                ));
            }
            let rest = self.rest();
            if rest.starts_with('#') {
                match rest.find('\n') {
                    Some(nl) => self.pos += nl + 1,
                    None => self.pos += 1,
                }
                continue;
            }
            if rest.starts_with('"') || rest.starts_with('\'') {
                match string_len(rest) {
                    Some(n) => self.pos += n,
                    None => self.pos += 1,
                }
                continue;
            }
            if let Some(term) = terms.iter().find(|t| rest.starts_with(**t)) {
                self.pos += term.len();
                if !(watch_nesting && (brace > 0 || paren > 0 || bracket > 0)) {
                    let code = self.text[from..self.pos - term.len()].to_string();
                    return Ok((code, term));
                }
                if *term == "}" {
                    brace -= 1;
                }
                continue;
            }
            let stop = (self.pos..self.text.len()).find(|&i| {
                self.text.is_char_boundary(i)
                    && (matches!(bytes[i], b'"' | b'\'' | b'#')
                        || terms.iter().any(|t| self.text[i..].starts_with(t)))
            });
            let Some(stop) = stop else {
                self.pos = self.text.len();
                continue;
            };
            for c in self.text[self.pos..stop].chars() {
                match c {
                    '{' => brace += 1,
                    '}' => brace -= 1,
                    '(' => paren += 1,
                    ')' => paren -= 1,
                    '[' => bracket += 1,
                    ']' => bracket -= 1,
                    _ => {}
                }
            }
            self.pos = stop;
        }
    }

    fn control_line(&mut self) -> Result<bool, TemplateError> {
        if !self.at_line_start() {
            return Ok(false);
        }
        let rest = self.rest();
        let indent = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        let after = &rest[indent..];
        let comment = after.starts_with("##");
        let percent = after.starts_with('%') && !after.starts_with("%%");
        if !comment && !percent {
            return Ok(false);
        }
        let op_len = if comment { 2 } else { 1 };
        let body = &after[op_len..];
        let body = body.trim_start_matches([' ', '\t']);
        // `((?:\\\r?\n|[^\r\n])*)(?:\r?\n|\Z)`
        let b = body.as_bytes();
        let mut i = 0;
        loop {
            if i >= b.len() {
                break;
            }
            if b[i] == b'\\' && b[i + 1..].starts_with(b"\n") {
                i += 2;
            } else if b[i] == b'\\' && b[i + 1..].starts_with(b"\r\n") {
                i += 3;
            } else if b[i] == b'\r' || b[i] == b'\n' {
                break;
            } else {
                i += 1;
            }
        }
        let text = &body[..i];
        let tail = &body[i..];
        let eol = if tail.starts_with("\r\n") {
            2
        } else if tail.starts_with('\n') || tail.is_empty() {
            tail.len().min(1)
        } else {
            return Ok(false);
        };
        self.begin();
        self.pos = self.text.len() - tail.len() + eol;
        if comment {
            return Ok(true);
        }
        let (is_end, keyword) = match control_keyword(text) {
            Some(k) => k,
            None => return Err(self.syntax(format!("Invalid control line: '{text}'"))),
        };
        if !is_end {
            self.snippet(SnippetKind::Fragment, text);
        }
        let kind = if is_end {
            match self.control.last() {
                None => {
                    return Err(
                        self.syntax(format!("No starting keyword '{keyword}' for '{text}'"))
                    );
                }
                Some((open, _, _)) if *open != keyword => {
                    return Err(
                        self.syntax(format!("Keyword '{text}' doesn't match keyword '{open}'"))
                    );
                }
                Some(_) => {
                    self.control.pop();
                    Control::End
                }
            }
        } else if PRIMARY.contains(&keyword.as_str()) {
            self.control
                .push((keyword.clone(), self.matched.0, self.matched.1));
            Control::Open
        } else if let Some((open, _, _)) = self.control.last() {
            if !is_ternary(open, &keyword) {
                return Err(self.syntax(format!(
                    "Keyword '{keyword}' not a legal ternary for keyword '{open}'"
                )));
            }
            Control::Ternary
        } else {
            Control::Plain
        };
        self.push(Node::Control {
            kind,
            text: text.to_string(),
        });
        Ok(true)
    }

    fn doc_comment(&mut self) -> bool {
        if !self.rest().starts_with("<%doc>") {
            return false;
        }
        match self.rest().find("</%doc>") {
            Some(end) => {
                self.begin();
                self.pos += end + "</%doc>".len();
                true
            }
            None => false,
        }
    }

    fn tag_start(&mut self) -> Result<bool, TemplateError> {
        let rest = self.rest();
        let Some(after) = rest.strip_prefix("<%") else {
            return Ok(false);
        };
        let keyword: String = after
            .chars()
            .take_while(|c| is_word(*c) || *c == '.' || *c == ':')
            .collect();
        if keyword.is_empty() {
            return Ok(false);
        }
        let Some(close) = tag_close(&after[keyword.len()..]) else {
            return Ok(false);
        };
        self.begin();
        if keyword != "text" {
            return Err(TemplateError::Unsupported {
                construct: format!("The Mako tag <%{keyword}>"),
                file: self.file.to_string(),
                line: self.matched.0,
            });
        }
        let (self_closing, len) = close;
        self.pos += 2 + keyword.len() + len;
        if self_closing {
            return Ok(true);
        }
        self.tags.push(keyword);
        match self.rest().find("</%text>") {
            Some(end) => {
                let text = self.rest()[..end].to_string();
                self.pos += end;
                if !text.is_empty() {
                    self.push(Node::Text(text));
                }
                self.tag_end()?;
                Ok(true)
            }
            None => Err(self.syntax("Unclosed tag: <%text>".to_string())),
        }
    }

    fn tag_end(&mut self) -> Result<bool, TemplateError> {
        let rest = self.rest();
        let Some(after) = rest.strip_prefix("</%") else {
            return Ok(false);
        };
        let inner = after.trim_start_matches([' ', '\t']);
        let name_len = inner.find([' ', '\t', '>']).unwrap_or(inner.len());
        let name = &inner[..name_len];
        let tail = inner[name_len..].trim_start_matches([' ', '\t']);
        if name.is_empty() || !tail.starts_with('>') {
            return Ok(false);
        }
        self.begin();
        self.pos = self.text.len() - tail.len() + 1;
        match self.tags.last() {
            None => Err(self.syntax(format!("Closing tag without opening tag: </%{name}>"))),
            Some(open) if open != name => Err(self.syntax(format!(
                "Closing tag </%{name}> does not match tag: <%{open}>"
            ))),
            Some(_) => {
                self.tags.pop();
                Ok(true)
            }
        }
    }

    fn python_block(&mut self) -> Result<bool, TemplateError> {
        if !self.rest().starts_with("<%") {
            return Ok(false);
        }
        self.begin();
        let start = self.matched;
        let module = self.rest()[2..].starts_with('!');
        self.pos += if module { 3 } else { 2 };
        let (code, _) = self.until(false, &["%>"], start)?;
        let code = dedent(&code);
        self.snippet(SnippetKind::Code, &code);
        self.push(Node::Code { code, module });
        Ok(true)
    }

    /// `(?<=^)(\s*)%%(%*)`: an escaped `%` at the start of a line.
    fn percent(&mut self) -> bool {
        if !self.at_line_start() {
            return false;
        }
        let rest = self.rest();
        let ws = rest.len() - rest.trim_start().len();
        let Some(after) = rest[ws..].strip_prefix("%%") else {
            return false;
        };
        let more = after.len() - after.trim_start_matches('%').len();
        self.begin();
        let text = format!("{}%{}", &rest[..ws], &after[..more]);
        self.pos += ws + 2 + more;
        self.push(Node::Text(text));
        true
    }

    /// Text up to the next construct; a backslash-newline is dropped.
    fn plain_text(&mut self) {
        self.begin();
        let bytes = self.text.as_bytes();
        let mut i = self.pos;
        let end;
        let mut skip = 0;
        loop {
            if i >= bytes.len() {
                end = i;
                break;
            }
            if i > 0 && bytes[i - 1] == b'\n' {
                let t = self.text[i..].trim_start_matches([' ', '\t']);
                if t.starts_with('%') || t.starts_with("##") {
                    end = i;
                    break;
                }
            }
            let r = &self.text[i..];
            if r.starts_with("${") || r.starts_with("<%") || r.starts_with("</%") {
                end = i;
                break;
            }
            if r.starts_with("\\\n") {
                end = i;
                skip = 2;
                break;
            }
            if r.starts_with("\\\r\n") {
                end = i;
                skip = 3;
                break;
            }
            i = next_char(self.text, i);
        }
        if end > self.pos {
            self.push(Node::Text(self.text[self.pos..end].to_string()));
        }
        // Mako advances one character past an empty match.
        self.pos = if end + skip == self.pos {
            next_char(self.text, self.pos)
        } else {
            end + skip
        };
    }
}

fn next_char(text: &str, pos: usize) -> usize {
    text[pos..]
        .chars()
        .next()
        .map_or(text.len(), |c| pos + c.len_utf8())
}

/// `(end)?(\w+)\s*(.*)` matched at the start of a control line's text.
fn control_keyword(text: &str) -> Option<(bool, String)> {
    let word: String = text.chars().take_while(|c| is_word(*c)).collect();
    if word.is_empty() {
        return None;
    }
    match word.strip_prefix("end") {
        Some(rest) if !rest.is_empty() => Some((true, rest.to_string())),
        _ => Some((false, word)),
    }
}

/// The attribute part and closing of a tag (`attr="v" ...>` or `/>`):
/// `(self_closing, length)` when it is well formed.
fn tag_close(s: &str) -> Option<(bool, usize)> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'>' => return Some((false, i + 1)),
            b'/' if b.get(i + 1) == Some(&b'>') => return Some((true, i + 2)),
            q @ (b'"' | b'\'') => {
                let close = s[i + 1..].find(q as char)?;
                i += close + 2;
            }
            c if c.is_ascii_whitespace() || c == b'=' || c == b',' || is_word(c as char) => i += 1,
            _ => return None,
        }
    }
    None
}

/// Length of the Python string literal at the start of `s`, escapes
/// included, or `None` when it is not closed. As with Mako's regex
/// (`("""|'''|"|')...\1`), an unclosed triple quote falls back to the
/// one-character quote, which closes at once (`''`, `""`).
fn string_len(s: &str) -> Option<usize> {
    ["\"\"\"", "'''"]
        .into_iter()
        .find(|q| s.starts_with(q))
        .and_then(|q| closing(s, q))
        .or_else(|| closing(s, &s[..1]))
}

/// Where the literal `quote` opens at the start of `s` ends.
fn closing(s: &str, quote: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = quote.len();
    while i < b.len() {
        if b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i..].starts_with(quote.as_bytes()) {
            return Some(i + quote.len());
        }
        i += 1;
    }
    None
}

/// Python code from a `<% %>` block moved to column zero, by Mako's rule
/// (`pygen.adjust_whitespace`): the indentation of the first line that is
/// neither blank nor a comment is removed from every line that starts with
/// it; lines continuing a backslash or a triple-quoted string stay as they
/// are.
fn dedent(code: &str) -> String {
    let mut strip: Option<String> = None;
    let mut backslashed = false;
    let mut triple: Option<&str> = None;
    let mut out: Vec<String> = Vec::new();
    for line in code.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let continued = backslashed || triple.is_some();
        backslashed = line.ends_with('\\');
        triple = scan_triple(line, triple);
        if continued {
            out.push(line.to_string());
            continue;
        }
        let line = expand_tabs(line);
        if strip.is_none() {
            let body = line.trim_start_matches([' ', '\t']);
            if !body.is_empty() && !body.starts_with('#') {
                strip = Some(line[..line.len() - body.len()].to_string());
            }
        }
        let kept = match &strip {
            Some(prefix) => line.strip_prefix(prefix.as_str()).unwrap_or(&line),
            None => &line,
        };
        out.push(kept.to_string());
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}

/// Whether a triple-quoted string is open after `line`, given the one
/// open before it.
fn scan_triple<'q>(line: &str, mut open: Option<&'q str>) -> Option<&'q str> {
    let mut rest = line;
    loop {
        match open {
            Some(q) => match rest.find(q) {
                Some(i) => {
                    rest = &rest[i + 3..];
                    open = None;
                }
                None => return open,
            },
            None => {
                let next = ["\"\"\"", "'''", "#"]
                    .iter()
                    .filter_map(|t| rest.find(t).map(|i| (i, *t)))
                    .min();
                match next {
                    None | Some((_, "#")) => return None,
                    Some((i, q)) => {
                        rest = &rest[i + 3..];
                        open = Some(if q == "\"\"\"" { "\"\"\"" } else { "'''" });
                    }
                }
            }
        }
    }
}

/// `str.expandtabs()` with the default tab size of 8.
fn expand_tabs(line: &str) -> String {
    let mut out = String::new();
    let mut col = 0;
    for c in line.chars() {
        if c == '\t' {
            let n = 8 - col % 8;
            out.extend(std::iter::repeat_n(' ', n));
            col += n;
        } else {
            out.push(c);
            col += 1;
        }
    }
    out
}

/// Mako's `filters.DEFAULT_ESCAPES`.
fn filter_name(name: &str) -> String {
    match name {
        "x" => "__M_filters.xml_escape".into(),
        "h" => "__M_filters.html_escape".into(),
        "u" => "__M_filters.url_escape".into(),
        "trim" => "__M_filters.trim".into(),
        "entity" => "__M_filters.html_entities_escape".into(),
        "unicode" | "str" => "str".into(),
        other => other.into(),
    }
}

/// Comma-separated filter expressions, split outside brackets and strings.
fn split_filters(filters: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut chars = filters.chars();
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            cur.push(c);
            if c == '\\' {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' => {
                quote = Some(c);
                cur.push(c);
            }
            '(' | '[' | '{' => {
                depth += 1;
                cur.push(c);
            }
            ')' | ']' | '}' => {
                depth -= 1;
                cur.push(c);
            }
            ',' if depth == 0 => out.push(std::mem::take(&mut cur).trim().to_string()),
            _ => cur.push(c),
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

/// `create_filter_callable`: the default `str` first unless `n` is given,
/// then each filter, innermost first.
fn apply_filters(filters: &str, target: String) -> String {
    let mut args = split_filters(filters);
    if !args.iter().any(|a| a == "n") {
        args.insert(0, "str".into());
    }
    let mut target = target;
    for e in args {
        if e == "n" {
            continue;
        }
        let callable = match e.find('(') {
            Some(i) if i > 0 && e.ends_with(')') => {
                format!("{}{}", filter_name(&e[..i]), &e[i..])
            }
            _ => filter_name(&e),
        };
        target = format!("{callable}({target})");
    }
    target
}

/// The Python module of a template. Each node's code follows a
/// `# SOURCE LINE n` comment naming the template line it came from, for the
/// host to give the compiled code the template's line numbers (a render
/// error's traceback then points into script.py.mako, as Mako's does).
fn generate(nodes: &[Node], lines: &[usize]) -> String {
    let mut module = String::new();
    let mut body = String::new();
    let mut indent = 2usize;
    let pad = |n: usize| "    ".repeat(n);
    for (node, line) in nodes.iter().zip(lines) {
        let marker = format!("# SOURCE LINE {line}\n");
        match node {
            Node::Code { module: true, .. } => module.push_str(&marker),
            Node::Control {
                kind: Control::End, ..
            } => {}
            _ => body.push_str(&marker),
        }
        match node {
            Node::Text(t) => {
                body.push_str(&format!("{}__M_writer({})\n", pad(indent), py_repr(t)));
            }
            Node::Expr { code, filters } => {
                let target = apply_filters(filters, format!("({code}\n)"));
                body.push_str(&format!("{}__M_writer({target})\n", pad(indent)));
            }
            Node::Control { kind, text } => match kind {
                Control::Open => {
                    body.push_str(&format!("{}{text}\n{}pass\n", pad(indent), pad(indent + 1)));
                    indent += 1;
                }
                Control::Ternary => {
                    let outer = indent.saturating_sub(1).max(2);
                    body.push_str(&format!("{}{text}\n{}pass\n", pad(outer), pad(indent)));
                }
                Control::End => indent = indent.saturating_sub(1).max(2),
                // Mako's printer dedents these keywords wherever they are.
                Control::Plain
                    if ["elif", "else", "except", "finally"]
                        .iter()
                        .any(|k| control_keyword(text).is_some_and(|(_, w)| w == *k)) =>
                {
                    body.push_str(&format!("{}{text}\n{}pass\n", pad(indent - 1), pad(indent)));
                }
                Control::Plain => body.push_str(&format!("{}{text}\n", pad(indent))),
            },
            Node::Code { code, module: true } => module.push_str(code),
            Node::Code { code, .. } => {
                for line in code.lines() {
                    if line.trim().is_empty() {
                        body.push('\n');
                    } else {
                        body.push_str(&format!("{}{line}\n", pad(indent)));
                    }
                }
            }
        }
    }
    // Mako's body sits in `try:`/`finally:` too, which decides Python's
    // wording for a stray `% elif`.
    format!(
        "{module}\ndef render_body(context, __M_writer):\n    try:\n        pass\n{body}    finally:\n        pass\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str) -> Vec<Node> {
        parse(src, "t.mako").expect("parses")
    }

    #[test]
    fn control_line_takes_its_newline() {
        let nodes = texts("a\n% if x:\nb\n% endif\nc");
        assert_eq!(
            nodes,
            vec![
                Node::Text("a\n".into()),
                Node::Control {
                    kind: Control::Open,
                    text: "if x:".into()
                },
                Node::Text("b\n".into()),
                Node::Control {
                    kind: Control::End,
                    text: "endif".into()
                },
                Node::Text("c".into()),
            ]
        );
    }

    #[test]
    fn comment_lines_and_continuations_vanish() {
        let nodes = texts("a\\\nb\n  ## note\nc\n");
        assert_eq!(
            nodes,
            vec![
                Node::Text("a".into()),
                Node::Text("b\n".into()),
                Node::Text("c\n".into()),
            ]
        );
    }

    #[test]
    fn expressions_with_filters_and_nesting() {
        let nodes = texts("${down_revision | comma,n} ${ {'a': 1}['a'] } ${'}'}");
        assert_eq!(
            nodes[0],
            Node::Expr {
                code: "down_revision ".into(),
                filters: "comma,n".into()
            }
        );
        assert_eq!(
            nodes[2],
            Node::Expr {
                code: " {'a': 1}['a'] ".into(),
                filters: String::new()
            }
        );
        assert_eq!(
            nodes[4],
            Node::Expr {
                code: "'}'".into(),
                filters: String::new()
            }
        );
        assert_eq!(apply_filters("comma,n", "x".into()), "comma(x)".to_string());
        assert_eq!(
            apply_filters("h", "x".into()),
            "__M_filters.html_escape(str(x))"
        );
    }

    #[test]
    fn text_tag_and_percent_escape() {
        let nodes = texts("<%text>${raw}\n% no</%text>\n%% literal\n");
        assert_eq!(
            nodes,
            vec![
                Node::Text("${raw}\n% no".into()),
                Node::Text("\n".into()),
                Node::Text("%".into()),
                Node::Text(" literal\n".into()),
            ]
        );
    }

    #[test]
    fn python_blocks() {
        let nodes = texts("<%!\nimport re\n\n%>x<%\n    y = 1\n%>\n");
        assert_eq!(
            nodes[0],
            Node::Code {
                code: "\nimport re\n\n\n".into(),
                module: true
            }
        );
        assert_eq!(
            nodes[2],
            Node::Code {
                code: "\ny = 1\n\n".into(),
                module: false
            }
        );
    }

    #[test]
    fn mako_syntax_errors_are_worded_as_mako() {
        let e = parse("% if x:\n% endfor\n", "f").unwrap_err();
        assert_eq!(
            e.to_string(),
            "Keyword 'endfor' doesn't match keyword 'if' in file 'f' at line: 2 char: 1"
        );
        let e = parse("a\n% for x in y:\n", "f").unwrap_err();
        assert_eq!(
            e.to_string(),
            "Unterminated control keyword: 'for' in file 'f' at line: 2 char: 1"
        );
        let e = parse("${x", "f").unwrap_err();
        assert!(e.to_string().starts_with("Expected: \\|,}; unterminated"));
        let e = parse("% endif\n", "f").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("No starting keyword 'if' for 'endif'")
        );
    }

    #[test]
    fn unsupported_tags_are_named() {
        let e = parse("a\n<%def name=\"x()\">y</%def>", "f").unwrap_err();
        assert_eq!(
            e,
            TemplateError::Unsupported {
                construct: "The Mako tag <%def>".into(),
                file: "f".into(),
                line: 2
            }
        );
    }

    #[test]
    fn non_ascii_text_and_code() {
        let nodes = texts("Ünï ${'é' + \"ß\" | trim} ç\\\n% if 'ü':\nø\n% endif\n");
        assert_eq!(nodes[0], Node::Text("Ünï ".into()));
        assert_eq!(
            nodes[1],
            Node::Expr {
                code: "'é' + \"ß\" ".into(),
                filters: "trim".into()
            }
        );
        assert_eq!(nodes[2], Node::Text(" ç".into()));
        assert_eq!(nodes[4], Node::Text("ø\n".into()));
    }

    /// Whatever the input, lexing ends with nodes or an error, never a
    /// panic (no slicing inside a multi-byte character, no endless loop).
    #[test]
    fn arbitrary_input_never_panics() {
        let pieces = [
            "${",
            "}",
            "|",
            "<%",
            "%>",
            "</%",
            "<%text>",
            "</%text>",
            "<%doc>",
            "</%doc>",
            "%",
            "%%",
            "##",
            "#",
            "\\",
            "\n",
            "\r\n",
            " ",
            "\t",
            "'",
            "\"",
            "\"\"\"",
            "(",
            ")",
            "[",
            "]",
            "{",
            "if x:",
            "endif",
            "for a in b:",
            "endfor",
            "else:",
            "é",
            "ß",
            "Ü",
            "x",
            "<%!",
            "/>",
            ">",
            "=",
            "\u{feff}",
        ];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..20000 {
            let mut src = String::new();
            for _ in 0..(state % 40) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                src.push_str(pieces[(state % pieces.len() as u64) as usize]);
            }
            let _ = compile(&src, "f");
        }
    }

    #[test]
    fn generates_python() {
        let c = compile("% for a in b:\n${a}\n% endfor\n", "f");
        assert_eq!(
            c.python.unwrap(),
            "\ndef render_body(context, __M_writer):\n    try:\n        pass\n# SOURCE LINE 1\n        for a in b:\n            pass\n# SOURCE LINE 2\n            __M_writer(str((a\n)))\n# SOURCE LINE 2\n            __M_writer('\\n')\n    finally:\n        pass\n"
        );
        let kinds: Vec<_> = c.snippets.iter().map(|s| (s.kind, s.line)).collect();
        assert_eq!(
            kinds,
            vec![
                (SnippetKind::Fragment, 1),
                (SnippetKind::Args, 2),
                (SnippetKind::Code, 2)
            ]
        );
        let broken = compile("${a}\n% if x:\n", "f");
        assert!(broken.python.is_none());
        assert_eq!(broken.snippets.len(), 3);
    }
}
