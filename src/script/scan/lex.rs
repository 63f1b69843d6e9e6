//! Byte-level rules of Python's lexer that need no scanner state.
//!
//! They are free functions over `&[u8]` so that each caller can keep its
//! position in a local (the hot loops in `body` work on locals, not on
//! `self`), and so that `literal` and `metadata` read identifiers, line
//! endings and blanks exactly as the scan does.

/// CPython's `MAXLEVEL`: more open brackets than this is a `SyntaxError`
/// ("too many nested parentheses"); it also bounds the recursion of the
/// parser that reads the statement afterwards.
pub(super) const MAX_NESTING: usize = 200;

/// A byte-class lookup table, built at compile time so that the loops pay
/// one load per byte instead of a chain of comparisons.
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
pub(super) static BASE: [bool; 256] = table(b"'\"#\\()[]{}\n\r", false);
/// Bytes that matter in tracked top-level code.
pub(super) static TRACK: [bool; 256] = table(b"'\"#\\()[]{}\n\r=;", true);
/// Bytes that matter inside an f-string replacement field.
pub(super) static FEXPR: [bool; 256] = table(b"'\"#\\()[]{}\n\r:!", false);
/// Bytes that matter inside a plain string.
pub(super) static STR: [bool; 256] = table(b"'\"\\\n\r", false);
/// Bytes that matter inside the literal part of an f-string.
pub(super) static FSTR: [bool; 256] = table(b"'\"\\\n\r{}", false);

/// Python identifiers may contain any non-ASCII letter; every byte of a
/// multi-byte UTF-8 character is taken as one, which is enough to find
/// where an identifier ends.
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

/// Blanks inside a line: space, tab and form feed (Python's indentation
/// whitespace), never a line ending.
#[inline]
pub(crate) fn skip_blanks(b: &[u8], mut j: usize) -> usize {
    while j < b.len() && matches!(b[j], b' ' | b'\t' | b'\x0c') {
        j += 1;
    }
    j
}

/// The end of a comment starting at or before `i`: the offset of the next
/// `\n` or `\r` (a lone `\r` ends a line too), or `b.len()`.
#[inline]
pub(crate) fn line_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i] != b'\n' && b[i] != b'\r' {
        i += 1;
    }
    i
}

/// Past a backslash at `i - 1` that may be a line continuation: the start
/// of the next line (with `line` advanced), or `i` when no line break
/// follows. Python counts the continued lines in its error messages.
#[inline]
pub(super) fn continuation(b: &[u8], i: usize, line: &mut u32) -> usize {
    let nl = newline_len(b, i);
    if nl > 0 {
        *line += 1;
    }
    i + nl
}

/// Past an escape in a string, `i` just after the backslash: an escaped
/// line break is a continuation, any other byte is skipped so that an
/// escaped quote does not end the string.
#[inline]
pub(super) fn skip_escape(b: &[u8], i: usize, line: &mut u32) -> usize {
    let j = continuation(b, i, line);
    if j == i && i < b.len() { i + 1 } else { j }
}

/// The opening bracket a closing one must match.
#[inline]
pub(super) fn opening(close: u8) -> u8 {
    match close {
        b')' => b'(',
        b']' => b'[',
        _ => b'{',
    }
}

/// The string prefix of the quote at `q`, read backwards: `(raw, fstring)`.
/// Letters that are not a valid prefix (which Python would reject anyway)
/// are treated as no prefix.
pub(super) fn prefix_before(b: &[u8], q: usize) -> (bool, bool) {
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
pub(super) fn find_any<const K: usize>(
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

/// The bytes `BASE` and `STR` mark, as `find_any` compares them 16 at a
/// time (a lookup table cannot be read that way).
pub(super) const BASE_NEEDLES: [u8; 12] = *b"'\"#\\()[]{}\n\r";
const STR_NEEDLES: [u8; 5] = *b"'\"\\\n\r";

/// Skips a string body that is not an f-string, from just past the opening
/// quote; returns the offset just past the closing quote, or `Err` at an
/// unterminated string. `line` is advanced over the newlines crossed.
#[inline]
pub(super) fn skip_string(
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
            b'\\' => i = skip_escape(b, i + 1, line),
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
