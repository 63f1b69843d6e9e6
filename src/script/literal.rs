//! Literal values of revision metadata: a hand-written fast path for the
//! shapes Alembic's templates produce (strings, `None`, tuples and lists of
//! strings, type annotations such as `Union[str, Sequence[str], None]`),
//! and evaluation of a rustpython syntax tree for everything else.
//!
//! The fast path accepts a strict subset of Python's syntax and gives up
//! (`None`) on anything it does not fully understand; the caller then parses
//! the statement with rustpython, which is the authority.

use std::borrow::Cow;

use rustpython_parser::ast::{self, Constant, Expr};

use super::scan::{is_ident_char, line_end, newline_len};

/// A literal value, as far as revision metadata cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    None,
    Str(String),
    /// A tuple or list (`set == false`) or a set (`set == true`).
    Seq(Vec<Value>, bool),
    /// Any other literal; the Python type name.
    Other(&'static str),
}

impl Value {
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Value::None => "NoneType",
            Value::Str(_) => "str",
            Value::Seq(_, true) => "set",
            Value::Seq(_, false) => "tuple",
            Value::Other(t) => t,
        }
    }
}

/// Python's `str.isspace()` for one character.
pub(crate) fn py_isspace(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// Python's `str.strip()` (no arguments).
pub(crate) fn py_strip(s: &str) -> &str {
    s.trim_matches(py_isspace)
}

/// Python's universal newlines: `\r\n` and `\r` become `\n`.
pub(crate) fn normalize_newlines(s: &str) -> Cow<'_, str> {
    if !s.contains('\r') {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.replace("\r\n", "\n").replace('\r', "\n"))
}

/// Python's hard keywords other than `None`, `True`, `False`.
fn is_keyword(id: &[u8]) -> bool {
    matches!(
        id,
        b"and"
            | b"as"
            | b"assert"
            | b"async"
            | b"await"
            | b"break"
            | b"class"
            | b"continue"
            | b"def"
            | b"del"
            | b"elif"
            | b"else"
            | b"except"
            | b"finally"
            | b"for"
            | b"from"
            | b"global"
            | b"if"
            | b"import"
            | b"in"
            | b"is"
            | b"lambda"
            | b"nonlocal"
            | b"not"
            | b"or"
            | b"pass"
            | b"raise"
            | b"return"
            | b"try"
            | b"while"
            | b"with"
            | b"yield"
    )
}

/// The fast parser over a byte slice of source.
struct Fast<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    depth: usize,
}

impl<'a> Fast<'a> {
    fn new(s: &'a str) -> Self {
        Fast {
            s,
            b: s.as_bytes(),
            i: 0,
            depth: 0,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// Skips blanks, comments, continuations (and newlines inside brackets).
    fn ws(&mut self) {
        while let Some(c) = self.peek() {
            match c {
                b' ' | b'\t' | b'\x0c' => self.i += 1,
                b'\n' | b'\r' if self.depth > 0 => self.i += 1,
                b'\\' if matches!(self.b.get(self.i + 1), Some(b'\n' | b'\r')) => {
                    self.i += 1 + newline_len(self.b, self.i + 1);
                }
                b'#' => self.i = line_end(self.b, self.i),
                _ => break,
            }
        }
    }

    fn at_end(&mut self) -> bool {
        self.ws();
        self.i == self.b.len()
    }

    fn is_string_start(&self) -> bool {
        match self.peek() {
            Some(b'\'' | b'"') => true,
            Some(b'u' | b'U' | b'r' | b'R') => matches!(self.b.get(self.i + 1), Some(b'\'' | b'"')),
            _ => false,
        }
    }

    /// One string literal with no prefix or a `u`/`r` prefix; gives up on
    /// escapes in non-raw strings.
    fn string(&mut self, out: &mut String) -> Option<()> {
        let mut raw = false;
        match self.peek()? {
            b'r' | b'R' => {
                raw = true;
                self.i += 1;
            }
            b'u' | b'U' => self.i += 1,
            _ => {}
        }
        let q = self.peek()?;
        let triple = self.b.get(self.i + 1) == Some(&q) && self.b.get(self.i + 2) == Some(&q);
        self.i += if triple { 3 } else { 1 };
        let start = self.i;
        let b = self.b;
        let mut i = self.i;
        loop {
            let c = *b.get(i)?;
            match c {
                b'\\' => {
                    if !raw || i + 1 >= b.len() {
                        return None;
                    }
                    i += 2;
                }
                b'\n' | b'\r' if !triple => return None,
                _ if c == q => {
                    if !triple || (b.get(i + 1) == Some(&q) && b.get(i + 2) == Some(&q)) {
                        break;
                    }
                    i += 1;
                }
                _ => i += 1,
            }
        }
        self.i = i;
        out.push_str(&normalize_newlines(&self.s[start..self.i]));
        self.i += if triple { 3 } else { 1 };
        Some(())
    }

    fn strings(&mut self) -> Option<Value> {
        let mut s = String::new();
        self.string(&mut s)?;
        loop {
            let save = self.i;
            self.ws();
            if self.is_string_start() {
                self.string(&mut s)?;
            } else {
                self.i = save;
                return Some(Value::Str(s));
            }
        }
    }

    fn value(&mut self) -> Option<Value> {
        self.ws();
        match self.peek()? {
            b'(' => {
                self.i += 1;
                self.depth += 1;
                self.ws();
                if self.peek()? == b')' {
                    self.i += 1;
                    self.depth -= 1;
                    return Some(Value::Seq(Vec::new(), false));
                }
                let first = self.value()?;
                self.ws();
                match self.peek()? {
                    b')' => {
                        self.i += 1;
                        self.depth -= 1;
                        Some(first)
                    }
                    b',' => {
                        let items = self.items(first, b')')?;
                        Some(Value::Seq(items, false))
                    }
                    _ => None,
                }
            }
            b'[' => {
                self.i += 1;
                self.depth += 1;
                self.ws();
                if self.peek()? == b']' {
                    self.i += 1;
                    self.depth -= 1;
                    return Some(Value::Seq(Vec::new(), false));
                }
                let first = self.value()?;
                self.ws();
                match self.peek()? {
                    b']' => {
                        self.i += 1;
                        self.depth -= 1;
                        Some(Value::Seq(vec![first], false))
                    }
                    b',' => {
                        let items = self.items(first, b']')?;
                        Some(Value::Seq(items, false))
                    }
                    _ => None,
                }
            }
            b'N' => {
                if self.b[self.i..].starts_with(b"None")
                    && !self.b.get(self.i + 4).is_some_and(|&c| is_ident_char(c))
                {
                    self.i += 4;
                    Some(Value::None)
                } else {
                    None
                }
            }
            _ if self.is_string_start() => self.strings(),
            _ => None,
        }
    }

    /// After `first` and a `,`: the rest of the items up to `close`.
    fn items(&mut self, first: Value, close: u8) -> Option<Vec<Value>> {
        let mut items = vec![first];
        loop {
            // at a ','
            self.i += 1;
            self.ws();
            if self.peek()? == close {
                break;
            }
            items.push(self.value()?);
            self.ws();
            match self.peek()? {
                b',' => continue,
                c if c == close => break,
                _ => return None,
            }
        }
        self.i += 1;
        self.depth -= 1;
        Some(items)
    }

    fn ident(&mut self) -> Option<&'a [u8]> {
        let s = self.i;
        if !self.peek()?.is_ascii_alphabetic() && self.peek()? != b'_' {
            return None;
        }
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
        {
            self.i += 1;
        }
        Some(&self.b[s..self.i])
    }

    /// A type annotation: `T`, `a.b.T`, `T[...]`, `A | B`, `"T"`, `None`.
    fn annotation(&mut self) -> Option<()> {
        self.ann_term()?;
        loop {
            self.ws();
            if self.peek() == Some(b'|') {
                self.i += 1;
                self.ann_term()?;
            } else {
                return Some(());
            }
        }
    }

    fn ann_term(&mut self) -> Option<()> {
        self.ws();
        if self.is_string_start() {
            return self.strings().map(|_| ());
        }
        let id = self.ident()?;
        if is_keyword(id) {
            return None;
        }
        if matches!(id, b"None" | b"True" | b"False") {
            return Some(());
        }
        loop {
            self.ws();
            match self.peek() {
                Some(b'.') => {
                    self.i += 1;
                    self.ws();
                    let id = self.ident()?;
                    if is_keyword(id) || matches!(id, b"None" | b"True" | b"False") {
                        return None;
                    }
                }
                Some(b'[') => {
                    self.i += 1;
                    self.depth += 1;
                    self.annotation()?;
                    loop {
                        self.ws();
                        match self.peek()? {
                            b',' => {
                                self.i += 1;
                                self.ws();
                                if self.peek()? == b']' {
                                    break;
                                }
                                self.annotation()?;
                            }
                            b']' => break,
                            _ => return None,
                        }
                    }
                    self.i += 1;
                    self.depth -= 1;
                }
                _ => return Some(()),
            }
        }
    }
}

/// Fast path: the value of the source text `s` (the right-hand side of an
/// assignment, up to the end of the statement), when it is a simple literal.
pub(crate) fn fast_value(s: &str) -> Option<Value> {
    let mut p = Fast::new(s);
    let v = p.value()?;
    p.at_end().then_some(v)
}

/// Fast path: is `s` a simple, valid type annotation?
pub(crate) fn fast_annotation(s: &str) -> bool {
    // what Alembic's templates write, checked first
    if matches!(
        s.trim_matches([' ', '\t']),
        "str" | "Union[str, Sequence[str], None]" | "Union[str, None]" | "Optional[str]"
    ) {
        return true;
    }
    let mut p = Fast::new(s);
    p.annotation().is_some() && p.at_end()
}

/// Why an expression is not a value we can read.
pub(crate) const NOT_LITERAL: &str = "is not a literal";

/// Evaluates a literal expression from the syntax tree.
pub(crate) fn eval(e: &Expr) -> Result<Value, &'static str> {
    match e {
        Expr::Constant(c) => Ok(constant(&c.value)),
        Expr::Tuple(t) => seq(&t.elts, false),
        Expr::List(l) => seq(&l.elts, false),
        Expr::Set(s) => seq(&s.elts, true),
        Expr::Dict(d) => {
            for k in d.keys.iter().flatten() {
                eval(k)?;
            }
            for v in &d.values {
                eval(v)?;
            }
            Ok(Value::Other("dict"))
        }
        _ => Err(NOT_LITERAL),
    }
}

fn seq(elts: &[Expr], set: bool) -> Result<Value, &'static str> {
    let items = elts.iter().map(eval).collect::<Result<Vec<_>, _>>()?;
    Ok(Value::Seq(items, set))
}

fn constant(c: &Constant) -> Value {
    match c {
        Constant::None => Value::None,
        Constant::Str(s) => Value::Str(s.clone()),
        Constant::Bool(_) => Value::Other("bool"),
        Constant::Bytes(_) => Value::Other("bytes"),
        Constant::Int(_) => Value::Other("int"),
        Constant::Float(_) => Value::Other("float"),
        Constant::Complex { .. } => Value::Other("complex"),
        Constant::Ellipsis => Value::Other("ellipsis"),
        Constant::Tuple(items) => Value::Seq(items.iter().map(constant).collect(), false),
    }
}

/// Is this statement's expression a docstring (a string constant)?
pub(crate) fn docstring_of(stmt: &ast::Stmt) -> Option<String> {
    if let ast::Stmt::Expr(e) = stmt
        && let Expr::Constant(c) = e.value.as_ref()
        && let Constant::Str(s) = &c.value
    {
        return Some(s.clone());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::Str(x.into())
    }

    fn t(items: Vec<Value>) -> Value {
        Value::Seq(items, false)
    }

    #[test]
    fn fast_values() {
        assert_eq!(fast_value(" 'abc'"), Some(s("abc")));
        assert_eq!(fast_value(" \"abc\"  # comment"), Some(s("abc")));
        assert_eq!(fast_value(" None"), Some(Value::None));
        assert_eq!(fast_value(" ('a', 'b')"), Some(t(vec![s("a"), s("b")])));
        assert_eq!(fast_value(" ('a',)"), Some(t(vec![s("a")])));
        assert_eq!(fast_value(" ('a')"), Some(s("a")));
        assert_eq!(fast_value(" ()"), Some(t(vec![])));
        assert_eq!(fast_value(" []"), Some(t(vec![])));
        assert_eq!(fast_value(" ['a']"), Some(t(vec![s("a")])));
        assert_eq!(
            fast_value(" [\n  'a',  # x\n  'b',\n]"),
            Some(t(vec![s("a"), s("b")]))
        );
        assert_eq!(fast_value(" ('a' 'b')"), Some(s("ab")));
        assert_eq!(fast_value(" 'a' \\\n 'b'"), Some(s("ab")));
        assert_eq!(fast_value(" r'a\\b'"), Some(s("a\\b")));
        assert_eq!(fast_value(" u'a'"), Some(s("a")));
        assert_eq!(fast_value(" '''a\r\nb'''"), Some(s("a\nb")));
        assert_eq!(fast_value(" (None)"), Some(Value::None));
        assert_eq!(fast_value(" ((('x')))"), Some(s("x")));
    }

    #[test]
    fn fast_gives_up() {
        for v in [
            " 'a\\n'",
            " b'a'",
            " f'a'",
            " x",
            " 'a' + 'b'",
            " ('a',,)",
            " ('a' None)",
            " 'a' 'b' x",
            " None.x",
            " Nonex",
            " 'a' if x else 'b'",
            " ('a', 'b'",
            " 'a'\n'b'",
            " ['a'] ['b']",
            " x = 'a'",
            " {'a'}",
        ] {
            assert_eq!(fast_value(v), None, "{v:?}");
        }
    }

    #[test]
    fn annotations() {
        for a in [
            " str ",
            " Union[str, Sequence[str], None] ",
            " Optional[Union[str, typing.Sequence[str]]]",
            " str | tuple[str, ...] | None",
            " 'Foo'",
            " Tuple[str,]",
        ] {
            let ok = fast_annotation(a);
            // `...` is not in the fast grammar
            assert_eq!(ok, !a.contains("..."), "{a:?}");
        }
        for a in [
            " ",
            " if",
            " Union[",
            " x y",
            " Union[str,,]",
            " x[]",
            " f(x)",
        ] {
            assert!(!fast_annotation(a), "{a:?}");
        }
    }

    #[test]
    fn strip_like_python() {
        assert_eq!(py_strip("\u{1c} a\u{3000}\u{85}"), "a");
        assert_eq!(py_strip("\u{200b}a"), "\u{200b}a");
    }
}
