//! Token-level and byte-level mutations of a text.

use crate::support::Rng;

/// A rough Python-ish tokenisation: words, numbers, strings (one quote
/// char, no escapes across lines), runs of blanks, newlines, single
/// punctuation. Only used to cut the text at plausible places.
pub(crate) fn tokens(s: &str) -> Vec<&str> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        let c = b[i];
        if c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80 {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] >= 0x80) {
                i += 1;
            }
        } else if c == b' ' || c == b'\t' || c == b'\x0c' {
            while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\x0c') {
                i += 1;
            }
        } else if c == b'\'' || c == b'"' {
            i += 1;
            while i < b.len() && b[i] != c && b[i] != b'\n' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i = (i + 1).min(b.len());
        } else {
            i += 1;
        }
        while !s.is_char_boundary(i) {
            i += 1;
        }
        out.push(&s[start..i.min(s.len())]);
    }
    out
}

pub(crate) const INSERTS: &[&str] = &[
    "#",
    "# revision = 'zz'\n",
    "\n",
    "\r\n",
    "\r",
    "\\\n",
    "\\",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "'",
    "\"",
    "'''",
    "\"\"\"",
    ",",
    ";",
    ":",
    "=",
    ":=",
    " ",
    "\t",
    "\x0c",
    "\n    ",
    "\n\t",
    "revision",
    "down_revision",
    "branch_labels",
    "depends_on",
    "__doc__",
    "None",
    "r",
    "b",
    "f",
    "u",
    "rb",
    "if",
    "else",
    "del ",
    "import *",
    "from x import *\n",
    "def",
    "class",
    "lambda",
    "@",
    "*",
    "+",
    "+=",
    ".",
    "\u{feff}",
    "é",
    "\u{ff52}",
    "\\N{DIGIT ONE}",
    "\\x",
    "\\u12",
    "'a' 'b'",
    "{x}",
    "{",
    "!r",
    "=}",
    "async ",
    "await ",
    "match ",
    "case ",
    "type ",
];

/// Token-level and byte-level mutations, 1 to 4 of them.
pub(crate) fn mutate(rng: &mut Rng, text: &str, extra: &[&str]) -> Vec<u8> {
    let mut cur: Vec<u8> = text.as_bytes().to_vec();
    for _ in 0..1 + rng.below(4) {
        let s = String::from_utf8_lossy(&cur).into_owned();
        let toks = tokens(&s);
        if toks.is_empty() {
            cur.extend_from_slice(rng.pick(INSERTS).as_bytes());
            continue;
        }
        let k = rng.below(toks.len());
        let mut parts: Vec<String> = toks.iter().map(|t| t.to_string()).collect();
        match rng.below(12) {
            0 => {
                parts.remove(k);
            }
            1 => {
                let t = parts[k].clone();
                parts.insert(k, t);
            }
            2 => {
                let j = rng.below(parts.len());
                parts.swap(k, j);
            }
            3 | 4 => {
                let ins = if !extra.is_empty() && rng.chance(30) {
                    rng.pick(extra)
                } else {
                    rng.pick(INSERTS)
                };
                parts.insert(k, ins.to_string());
            }
            5 => {
                // change quotes
                let t = &parts[k];
                let q = rng.pick::<&str>(&["'", "\"", "'''", "\"\"\"", "r'", "b'", "f'", "u\""]);
                let mut inner = t.chars();
                if t.starts_with(['\'', '"']) && t.len() >= 2 {
                    inner.next();
                    inner.next_back();
                    parts[k] = format!(
                        "{q}{}{}",
                        inner.as_str(),
                        q.trim_start_matches(['r', 'b', 'f', 'u'])
                    );
                } else {
                    parts.insert(k, q.to_string());
                }
            }
            6 => {
                // copy a token from elsewhere
                let j = rng.below(parts.len());
                let t = parts[j].clone();
                parts.insert(k, t);
            }
            7 => {
                // truncate
                let at = rng.below(cur.len() + 1);
                cur.truncate(at);
                continue;
            }
            8 => {
                // a few random bytes
                for _ in 0..1 + rng.below(3) {
                    if cur.is_empty() {
                        break;
                    }
                    let at = rng.below(cur.len());
                    cur[at] = *rng.pick::<u8>(&[
                        b'\'', b'"', b'\\', b'\n', b'\r', b'(', b')', b'#', b' ', b'\t', 0, 0x80,
                        0xc3, 0xff, b'=', b':', b';', b'x',
                    ]);
                }
                continue;
            }
            9 => {
                // change the indentation of a line
                let at = rng.below(cur.len() + 1);
                let line_start = cur[..at]
                    .iter()
                    .rposition(|&c| c == b'\n')
                    .map_or(0, |p| p + 1);
                let ins: &[u8] = rng.pick::<&[u8]>(&[b" ", b"    ", b"\t", b"\x0c"]);
                if rng.chance(50) {
                    cur.splice(line_start..line_start, ins.iter().copied());
                } else {
                    let end = (line_start..cur.len())
                        .find(|&i| !matches!(cur[i], b' ' | b'\t'))
                        .unwrap_or(cur.len());
                    cur.drain(line_start..end);
                }
                continue;
            }
            10 => {
                // line endings of the whole file
                let nl = *rng.pick::<&str>(&["\r\n", "\r", "\n"]);
                let s = s
                    .replace("\r\n", "\n")
                    .replace('\r', "\n")
                    .replace('\n', nl);
                cur = s.into_bytes();
                continue;
            }
            _ => {
                // delete a line
                let at = rng.below(cur.len() + 1);
                let ls = cur[..at]
                    .iter()
                    .rposition(|&c| c == b'\n')
                    .map_or(0, |p| p + 1);
                let le = cur[at..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(cur.len(), |p| at + p + 1);
                cur.drain(ls..le);
                continue;
            }
        }
        cur = parts.concat().into_bytes();
    }
    cur
}
