//! Help and usage texts, laid out exactly as Python 3.11's
//! `argparse.HelpFormatter` lays them out (and `textwrap` wraps them).
//!
//! Everything here is driven by the parser model of
//! [`super::argparse`], itself built from the declarative command table, so
//! the texts of every sub-command come from the same source as the parser.
//! Width follows argparse: `shutil.get_terminal_size().columns - 2`, i.e.
//! `$COLUMNS` when it is a positive integer, else the width of the terminal
//! on stdout, else 80 (see [`terminal_columns`]).

use super::argparse::{Action, Parser, command_parser, top_parser};
use super::spec::Nargs;

/// Python's `len()`: code points, not bytes.
fn clen(s: &str) -> i64 {
    s.chars().count() as i64
}

fn spaces(n: i64) -> String {
    " ".repeat(n.max(0) as usize)
}

// ---------------------------------------------------------------------------
// Terminal width
// ---------------------------------------------------------------------------

/// `shutil.get_terminal_size().columns` as Python 3.11 computes it: `$COLUMNS`
/// if it parses as a positive integer (Python `int()` syntax), else the
/// `TIOCGWINSZ` width of fd 1 if that is a terminal with a non-zero width,
/// else 80. argparse formats to this minus 2.
pub fn terminal_columns() -> i64 {
    if let Some(c) = std::env::var("COLUMNS").ok().and_then(|v| py_int(&v))
        && c > 0
    {
        return c;
    }
    // SAFETY: TIOCGWINSZ fills a `winsize` struct we own; fd 1 may be
    // anything (or closed), in which case ioctl just fails.
    unsafe {
        let mut ws: libc::winsize = std::mem::zeroed();
        if libc::ioctl(1, libc::TIOCGWINSZ, &mut ws) == 0 {
            if ws.ws_col > 0 {
                return i64::from(ws.ws_col);
            }
            return 80;
        }
    }
    80
}

/// Python's `int(str)` for base 10: surrounding whitespace, an optional
/// sign, digits with single underscores between them. Saturates instead of
/// growing without bound.
fn py_int(s: &str) -> Option<i64> {
    let t = s.trim();
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty() || digits.starts_with('_') || digits.ends_with('_') {
        return None;
    }
    let mut value: i64 = 0;
    let mut prev_underscore = false;
    for c in digits.chars() {
        if c == '_' {
            if prev_underscore {
                return None;
            }
            prev_underscore = true;
            continue;
        }
        prev_underscore = false;
        let d = c.to_digit(10)?;
        value = value.saturating_mul(10).saturating_add(i64::from(d));
    }
    // Keep later arithmetic (width - 2, * 4, ...) far from overflow.
    let value = value.min(1 << 40);
    Some(if neg { -value } else { value })
}

// ---------------------------------------------------------------------------
// textwrap
// ---------------------------------------------------------------------------

fn tw_is_ws(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\x0b' | '\x0c' | '\r' | ' ')
}

/// Python `\w` (Unicode).
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Python `[^\d\W]`.
fn is_letter(c: char) -> bool {
    is_word(c) && !c.is_numeric()
}

/// textwrap's `word_punct`: `[\w!"\'&.,?]`.
fn is_word_punct(c: char) -> bool {
    is_word(c) || matches!(c, '!' | '"' | '\'' | '&' | '.' | ',' | '?')
}

/// Length of a run of '-' starting at `i`.
fn hyphen_run(t: &[char], i: usize) -> usize {
    t[i.min(t.len())..]
        .iter()
        .take_while(|&&c| c == '-')
        .count()
}

/// `TextWrapper.wordsep_re.split()` (break_on_hyphens=True), hand-compiled:
/// whitespace runs, em-dashes between words, and words split after hyphens
/// inside compound words.
fn split_chunks(text: &str) -> Vec<String> {
    let t: Vec<char> = text.chars().collect();
    let n = t.len();
    let mut chunks = Vec::new();
    let mut pos = 0;
    while pos < n {
        // any whitespace
        if tw_is_ws(t[pos]) {
            let mut end = pos;
            while end < n && tw_is_ws(t[end]) {
                end += 1;
            }
            chunks.push(t[pos..end].iter().collect());
            pos = end;
            continue;
        }
        // em-dash between words: (?<=wp) -{2,} (?=\w)
        if pos > 0 && is_word_punct(t[pos - 1]) {
            let k = hyphen_run(&t, pos);
            if k >= 2 && pos + k < n && is_word(t[pos + k]) {
                chunks.push(t[pos..pos + k].iter().collect());
                pos += k;
                continue;
            }
        }
        // word, possibly hyphenated: \S+? followed by one of the endings
        let mut end = pos + 1;
        let stop = loop {
            // hyphen inside a compound word (the hyphen is part of the chunk)
            if end < n && t[end] == '-' {
                let behind = (end >= 2 && is_letter(t[end - 2]) && is_letter(t[end - 1]))
                    || (end >= 3
                        && is_letter(t[end - 3])
                        && t[end - 2] == '-'
                        && is_letter(t[end - 1]));
                let ahead = end + 1 < n
                    && is_letter(t[end + 1])
                    && ((end + 2 < n && is_letter(t[end + 2]))
                        || (end + 3 < n && t[end + 2] == '-' && is_letter(t[end + 3])));
                if behind && ahead {
                    break end + 1;
                }
            }
            // end of word
            if end == n || tw_is_ws(t[end]) {
                break end;
            }
            // before an em-dash: (?<=wp) (?=-{2,}\w)
            if is_word_punct(t[end - 1]) {
                let k = hyphen_run(&t, end);
                if k >= 2 && end + k < n && is_word(t[end + k]) {
                    break end;
                }
            }
            end += 1;
        };
        chunks.push(t[pos..stop].iter().collect());
        pos = stop;
    }
    chunks
}

fn is_blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// `textwrap.wrap(text, width)` with the default `TextWrapper` settings
/// (expand tabs, replace whitespace, drop whitespace, break long words,
/// break on hyphens).
pub fn wrap(text: &str, width: i64) -> Vec<String> {
    let width = width.max(1);
    let munged: String = expand_tabs(text)
        .chars()
        .map(|c| if tw_is_ws(c) { ' ' } else { c })
        .collect();
    let mut chunks = split_chunks(&munged);
    chunks.reverse();
    let mut lines: Vec<String> = Vec::new();
    while !chunks.is_empty() {
        let mut cur_line: Vec<String> = Vec::new();
        let mut cur_len: i64 = 0;
        if !lines.is_empty() && chunks.last().is_some_and(|c| is_blank(c)) {
            chunks.pop();
        }
        while let Some(last) = chunks.last() {
            let l = clen(last);
            if cur_len + l <= width {
                cur_len += l;
                cur_line.push(chunks.pop().unwrap_or_default());
            } else {
                break;
            }
        }
        if chunks.last().is_some_and(|c| clen(c) > width) {
            handle_long_word(&mut chunks, &mut cur_line, cur_len, width);
        }
        if cur_line.last().is_some_and(|c| is_blank(c)) {
            cur_line.pop();
        }
        if !cur_line.is_empty() {
            lines.push(cur_line.concat());
        }
    }
    lines
}

fn handle_long_word(chunks: &mut [String], cur_line: &mut Vec<String>, cur_len: i64, width: i64) {
    let space_left = if width < 1 { 1 } else { width - cur_len };
    let Some(last) = chunks.last_mut() else {
        return;
    };
    let chunk: Vec<char> = last.chars().collect();
    let mut end = space_left.max(0) as usize;
    if chunk.len() as i64 > space_left {
        let limit = end.min(chunk.len());
        if let Some(hyphen) = chunk[..limit].iter().rposition(|&c| c == '-')
            && hyphen > 0
            && chunk[..hyphen].iter().any(|&c| c != '-')
        {
            end = hyphen + 1;
        }
    }
    let end = end.min(chunk.len());
    cur_line.push(chunk[..end].iter().collect());
    *last = chunk[end..].iter().collect();
}

/// `str.expandtabs(8)`.
fn expand_tabs(text: &str) -> String {
    let mut out = String::new();
    let mut col = 0;
    for c in text.chars() {
        match c {
            '\t' => {
                let n = 8 - col % 8;
                out.push_str(&" ".repeat(n));
                col += n;
            }
            '\n' | '\r' => {
                out.push(c);
                col = 0;
            }
            _ => {
                out.push(c);
                col += 1;
            }
        }
    }
    out
}

/// argparse's `_whitespace_matcher.sub(' ', text).strip()`.
fn collapse_ws(text: &str) -> String {
    let mut out = String::new();
    let mut in_ws = false;
    for c in text.chars() {
        if c.is_ascii_whitespace() || c == '\x0b' {
            if !in_ws {
                out.push(' ');
            }
            in_ws = true;
        } else {
            out.push(c);
            in_ws = false;
        }
    }
    out.trim().to_string()
}

// ---------------------------------------------------------------------------
// HelpFormatter
// ---------------------------------------------------------------------------

/// One `argparse.HelpFormatter` for one parser (width already resolved).
struct Formatter<'a> {
    parser: &'a Parser,
    width: i64,
    max_help_position: i64,
    action_max_length: i64,
}

impl<'a> Formatter<'a> {
    fn new(parser: &'a Parser, columns: i64) -> Self {
        let width = columns - 2;
        Formatter {
            parser,
            width,
            max_help_position: 24.min((width - 20).max(4)),
            action_max_length: 0,
        }
    }

    /// `_metavar_formatter(...)(1)`: metavar, else `{choices}`, else the
    /// default (dest, upper-cased for optionals).
    fn metavar(&self, action: &Action) -> String {
        if !action.choices.is_empty() {
            return format!("{{{}}}", action.choices.join(","));
        }
        let dest = action.dest.unwrap_or("==SUPPRESS==");
        if action.option_strings.is_empty() {
            dest.to_string()
        } else {
            dest.to_uppercase()
        }
    }

    /// `_format_args`.
    fn format_args(&self, action: &Action) -> String {
        let m = self.metavar(action);
        match action.nargs {
            Nargs::Single => m,
            Nargs::Zero => String::new(),
            Nargs::OneOrMore => format!("{m} [{m} ...]"),
            Nargs::Parser => format!("{m} ..."),
        }
    }

    /// `_format_action_invocation`.
    fn invocation(&self, action: &Action) -> String {
        if action.option_strings.is_empty() {
            return self.metavar(action);
        }
        if action.nargs == Nargs::Zero {
            return action.option_strings.join(", ");
        }
        let args = self.format_args(action);
        action
            .option_strings
            .iter()
            .map(|o| format!("{o} {args}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `_format_actions_usage` (no mutually exclusive groups).
    fn actions_usage(&self, actions: &[&Action]) -> String {
        let parts: Vec<String> = actions
            .iter()
            .map(|a| {
                if a.option_strings.is_empty() {
                    self.format_args(a)
                } else {
                    let part = if a.nargs == Nargs::Zero {
                        a.option_strings[0].to_string()
                    } else {
                        format!("{} {}", a.option_strings[0], self.format_args(a))
                    };
                    if a.required {
                        part
                    } else {
                        format!("[{part}]")
                    }
                }
            })
            .collect();
        let text = parts.join(" ");
        // clean up separators for mutually exclusive groups
        let text = regex_replace(&text, r"([\[(]) ", "$1");
        let text = regex_replace(&text, r" ([\])])", "$1");
        let text = regex_replace(&text, r"[\[(] *[\])]", "");
        text.trim().to_string()
    }

    /// `_format_usage` with the default prefix; returns `usage: ...\n\n`.
    fn usage(&self) -> String {
        let prefix = "usage: ";
        let prog = self.parser.prog.as_str();
        let optionals: Vec<&Action> = self
            .parser
            .actions
            .iter()
            .filter(|a| !a.option_strings.is_empty())
            .collect();
        let positionals: Vec<&Action> = self
            .parser
            .actions
            .iter()
            .filter(|a| a.option_strings.is_empty())
            .collect();
        let all: Vec<&Action> = optionals
            .iter()
            .chain(positionals.iter())
            .copied()
            .collect();
        let action_usage = self.actions_usage(&all);
        let mut usage = [prog, action_usage.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        let text_width = self.width;
        if clen(prefix) + clen(&usage) > text_width {
            let opt_parts = usage_parts(&self.actions_usage(&optionals));
            let pos_parts = usage_parts(&self.actions_usage(&positionals));
            let get_lines = |parts: &[String], indent: &str, prefix: Option<&str>| {
                let mut lines: Vec<String> = Vec::new();
                let mut line: Vec<&str> = Vec::new();
                let mut line_len = match prefix {
                    Some(p) => clen(p) - 1,
                    None => clen(indent) - 1,
                };
                for part in parts {
                    if line_len + 1 + clen(part) > text_width && !line.is_empty() {
                        lines.push(format!("{indent}{}", line.join(" ")));
                        line.clear();
                        line_len = clen(indent) - 1;
                    }
                    line.push(part);
                    line_len += clen(part) + 1;
                }
                if !line.is_empty() {
                    lines.push(format!("{indent}{}", line.join(" ")));
                }
                if prefix.is_some()
                    && let Some(first) = lines.first_mut()
                {
                    *first = first.chars().skip(indent.chars().count()).collect();
                }
                lines
            };
            let lines: Vec<String>;
            // if prog is short, follow it with optionals or positionals
            if 4 * (clen(prefix) + clen(prog)) <= 3 * text_width {
                let indent = spaces(clen(prefix) + clen(prog) + 1);
                let with_prog = |parts: &[String]| {
                    let mut v = vec![prog.to_string()];
                    v.extend(parts.iter().cloned());
                    v
                };
                if !opt_parts.is_empty() {
                    let mut l = get_lines(&with_prog(&opt_parts), &indent, Some(prefix));
                    l.extend(get_lines(&pos_parts, &indent, None));
                    lines = l;
                } else if !pos_parts.is_empty() {
                    lines = get_lines(&with_prog(&pos_parts), &indent, Some(prefix));
                } else {
                    lines = vec![prog.to_string()];
                }
            } else {
                // if prog is long, put it on its own line
                let indent = spaces(clen(prefix));
                let parts: Vec<String> =
                    opt_parts.iter().chain(pos_parts.iter()).cloned().collect();
                let mut l = get_lines(&parts, &indent, None);
                if l.len() > 1 {
                    l = get_lines(&opt_parts, &indent, None);
                    l.extend(get_lines(&pos_parts, &indent, None));
                }
                let mut v = vec![prog.to_string()];
                v.extend(l);
                lines = v;
            }
            usage = lines.join("\n");
        }
        format!("{prefix}{usage}\n\n")
    }

    /// `add_argument` bookkeeping: the widest invocation (sub-actions are
    /// measured with the section's indent, as argparse does).
    fn measure(&mut self, action: &Action, indent: i64) {
        let mut len = clen(&self.invocation(action));
        for (name, _) in &action.choice_helps {
            len = len.max(clen(name));
        }
        self.action_max_length = self.action_max_length.max(len + indent);
    }

    /// `_format_action` for a real action or a sub-command pseudo-action
    /// (`header` is the invocation, `help` its help text).
    fn format_entry(&self, header: &str, help: Option<&str>, indent: i64) -> String {
        let help_position = (self.action_max_length + 2).min(self.max_help_position);
        let help_width = (self.width - help_position).max(11);
        let action_width = help_position - indent - 2;
        let help = help.filter(|h| !h.is_empty());
        let mut out = String::new();
        let mut indent_first = 0;
        match help {
            None => {
                out.push_str(&format!("{}{header}\n", spaces(indent)));
            }
            Some(_) if clen(header) <= action_width => {
                let pad = spaces(action_width - clen(header));
                out.push_str(&format!("{}{header}{pad}  ", spaces(indent)));
            }
            Some(_) => {
                out.push_str(&format!("{}{header}\n", spaces(indent)));
                indent_first = help_position;
            }
        }
        if let Some(h) = help
            && !h.trim().is_empty()
        {
            let lines = wrap(&collapse_ws(h), help_width);
            let mut it = lines.iter();
            if let Some(first) = it.next() {
                out.push_str(&format!("{}{first}\n", spaces(indent_first)));
            }
            for line in it {
                out.push_str(&format!("{}{line}\n", spaces(help_position)));
            }
        } else if !out.ends_with('\n') {
            out.push('\n');
        }
        out
    }

    fn format_action(&self, action: &Action, indent: i64) -> String {
        let mut out = self.format_entry(&self.invocation(action), action.help, indent);
        for (name, help) in &action.choice_helps {
            out.push_str(&self.format_entry(name, *help, indent + 2));
        }
        out
    }

    /// `ArgumentParser.format_help`.
    fn help(mut self) -> String {
        let parser = self.parser;
        let groups: [(&str, Vec<&Action>); 2] = [
            (
                "positional arguments",
                parser
                    .actions
                    .iter()
                    .filter(|a| a.option_strings.is_empty())
                    .collect(),
            ),
            (
                "options",
                parser
                    .actions
                    .iter()
                    .filter(|a| !a.option_strings.is_empty())
                    .collect(),
            ),
        ];
        for (_, actions) in &groups {
            for a in actions {
                self.measure(a, 2);
            }
        }
        let mut body = self.usage();
        for (title, actions) in &groups {
            let items: String = actions.iter().map(|a| self.format_action(a, 2)).collect();
            if !items.is_empty() {
                body.push_str(&format!("\n{title}:\n{items}\n"));
            }
        }
        finish(&format!("\n{body}\n"))
    }
}

/// `HelpFormatter.format_help`'s final clean-up (`re.sub('\n\n\n+', '\n\n', ...)`).
/// Without a regex: every command builds its parser, which calls this, and
/// compiling the pattern was ~0.35 ms of a 26 ms `heads`.
pub(crate) fn finish(text: &str) -> String {
    let mut collapsed = String::with_capacity(text.len());
    let mut newlines = 0;
    for c in text.chars() {
        newlines = if c == '\n' { newlines + 1 } else { 0 };
        if newlines <= 2 {
            collapsed.push(c);
        }
    }
    if collapsed.is_empty() {
        return String::new();
    }
    format!("{}\n", collapsed.trim_matches('\n'))
}

fn regex_replace(text: &str, pattern: &'static str, rep: &str) -> String {
    thread_local! {
        static CACHE: std::cell::RefCell<std::collections::HashMap<&'static str, regex::Regex>> =
            Default::default();
    }
    let re = CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(re) = cache.get(pattern) {
            return Some(re.clone());
        }
        let re = regex::Regex::new(pattern).ok()?;
        cache.insert(pattern, re.clone());
        Some(re)
    });
    match re {
        Some(re) => re.replace_all(text, rep).into_owned(),
        None => text.to_string(),
    }
}

/// `re.findall(r'\(.*?\)+(?=\s|$)|\[.*?\]+(?=\s|$)|\S+', text)`.
fn usage_parts(text: &str) -> Vec<String> {
    let t: Vec<char> = text.chars().collect();
    let n = t.len();
    // `(?=\s|$)` at position i (`$` also matches before a final newline)
    let boundary = |i: usize| i == n || t[i].is_whitespace() || (i + 1 == n && t[i] == '\n');
    let bracketed = |i: usize, open: char, close: char| -> Option<usize> {
        if t[i] != open {
            return None;
        }
        let mut j = i + 1;
        loop {
            if j < n && t[j] == close {
                let mut k = j;
                while k < n && t[k] == close {
                    k += 1;
                }
                if boundary(k) {
                    return Some(k);
                }
            }
            if j >= n || t[j] == '\n' {
                return None;
            }
            j += 1;
        }
    };
    let mut parts = Vec::new();
    let mut i = 0;
    while i < n {
        let end = bracketed(i, '(', ')')
            .or_else(|| bracketed(i, '[', ']'))
            .or_else(|| {
                if t[i].is_whitespace() {
                    None
                } else {
                    let mut k = i;
                    while k < n && !t[k].is_whitespace() {
                        k += 1;
                    }
                    Some(k)
                }
            });
        match end {
            Some(e) => {
                parts.push(t[i..e].iter().collect());
                i = e;
            }
            None => i += 1,
        }
    }
    parts
}

// ---------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------

/// `parser.format_help()`.
pub(crate) fn parser_help(parser: &Parser, columns: i64) -> String {
    Formatter::new(parser, columns).help()
}

/// `parser.format_usage()`: the usage line(s) printed before
/// `PROG: error: ...`, ending with one newline.
pub(crate) fn parser_usage(parser: &Parser, columns: i64) -> String {
    finish(&format!("\n{}\n", Formatter::new(parser, columns).usage()))
}

/// The `--version` action's output: the text filled by the top-level
/// parser's formatter (`_format_text`).
pub(crate) fn version_output(text: &str, columns: i64) -> String {
    let width = (columns - 2).max(11);
    let filled = wrap(&collapse_ws(text), width).join("\n");
    finish(&format!("\n{filled}\n\n\n"))
}

/// `alembic-rs --help` for program name `prog`.
pub fn top_level_help(prog: &str, columns: i64) -> String {
    parser_help(&top_parser(prog), columns)
}

/// `alembic-rs COMMAND --help`; `None` for an unknown command.
pub fn command_help(prog: &str, command: &str, columns: i64) -> Option<String> {
    command_parser(prog, command).map(|p| parser_help(&p, columns))
}

/// The top-level usage as printed before `PROG: error: ...`.
pub fn top_level_usage(prog: &str, columns: i64) -> String {
    parser_usage(&top_parser(prog), columns)
}

/// A sub-command's usage as printed before `PROG COMMAND: error: ...`.
pub fn command_usage(prog: &str, command: &str, columns: i64) -> Option<String> {
    command_parser(prog, command).map(|p| parser_usage(&p, columns))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_follow_textwrap() {
        assert_eq!(
            split_chunks("Look, goof-ball -- use the -b option!"),
            vec![
                "Look,", " ", "goof-", "ball", " ", "--", " ", "use", " ", "the", " ", "-b", " ",
                "option!"
            ]
        );
        assert_eq!(split_chunks("non-head x"), vec!["non-", "head", " ", "x"]);
        assert_eq!(split_chunks("a--b"), vec!["a", "--", "b"]);
        assert_eq!(
            split_chunks("ab-c a-b-c ab-cd abc--def x-- -- a---b"),
            vec![
                "ab-c", " ", "a-b-c", " ", "ab-", "cd", " ", "abc", "--", "def", " ", "x--", " ",
                "--", " ", "a", "---", "b"
            ]
        );
    }

    #[test]
    fn wrap_breaks_long_words_at_hyphens() {
        assert_eq!(
            wrap("aaaa-bbbbbbbbbbbbb", 11),
            vec!["aaaa-bbbbbb", "bbbbbbb"]
        );
        assert_eq!(
            wrap("x aaaa-bbbbbbbbbbbbb", 11),
            vec!["x aaaa-bbbb", "bbbbbbbbb"]
        );
        assert_eq!(wrap("one two three", 7), vec!["one two", "three"]);
    }

    #[test]
    fn python_int() {
        assert_eq!(py_int(" 60 "), Some(60));
        assert_eq!(py_int("1_20"), Some(120));
        assert_eq!(py_int("1__20"), None);
        assert_eq!(py_int("-3"), Some(-3));
        assert_eq!(py_int("x"), None);
        assert_eq!(py_int(""), None);
    }

    #[test]
    fn usage_part_regexp() {
        assert_eq!(
            usage_parts("[-h] [-c CONFIG] revisions [revisions ...]"),
            vec!["[-h]", "[-c CONFIG]", "revisions", "[revisions ...]"]
        );
    }

    #[test]
    fn upgrade_help_matches_capture() {
        let expected = "usage: alembic upgrade [-h] [--sql] [--tag TAG] revision

positional arguments:
  revision    revision identifier

options:
  -h, --help  show this help message and exit
  --sql       Don't emit SQL to database - dump to standard output/file
              instead. See docs on offline mode.
  --tag TAG   Arbitrary 'tag' name - can be used by custom env.py scripts.
";
        assert_eq!(command_help("alembic", "upgrade", 80).unwrap(), expected);
    }
}
