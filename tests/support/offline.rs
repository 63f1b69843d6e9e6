//! Comparing an offline (`--sql`) run of alembic-rs with the oracle's:
//! what tests/offline_parity.rs normalises (its module doc) and nothing
//! more.

use std::path::Path;

use super::online::{Outcome, collapse_tracebacks, unified_diff};

/// The normalisations of the module doc.
pub fn normalise(s: &str, project: &Path) -> String {
    let mut s = s.to_string();
    let mut roots = vec![project.display().to_string()];
    if let Ok(c) = project.canonicalize() {
        roots.push(c.display().to_string());
    }
    roots.sort_by_key(|r| std::cmp::Reverse(r.len()));
    for r in roots {
        s = s.replace(&r, "<PROJECT>");
    }
    let s = collapse_tracebacks(&s);
    hide_addresses(&s)
}

/// `0x7f3a...` → `0xADDR`.
pub fn hide_addresses(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'0'
            && i + 2 < b.len()
            && b[i + 1] == b'x'
            && b[i + 2].is_ascii_hexdigit()
            && (i == 0 || !b[i - 1].is_ascii_alphanumeric())
        {
            out.push_str("0xADDR");
            i += 2;
            while i < b.len() && b[i].is_ascii_hexdigit() {
                i += 1;
            }
            continue;
        }
        let ch = s[i..].chars().next().unwrap();
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// What one comparison found: `None` when identical.
pub fn difference(oracle: &Outcome, ours: &Outcome, project: &Path) -> Option<String> {
    let mut report = String::new();
    if oracle.code != ours.code {
        report.push_str(&format!(
            "exit code: alembic {} vs alembic-rs {}\n",
            oracle.code, ours.code
        ));
    }
    for (stream, a, b) in [
        ("stdout", &oracle.stdout, &ours.stdout),
        ("stderr", &oracle.stderr, &ours.stderr),
    ] {
        let (a, b) = (normalise(a, project), normalise(b, project));
        if a != b {
            report.push_str(&format!("{stream}:\n"));
            report.push_str(&unified_diff(&a, &b, "alembic", "alembic-rs"));
        }
    }
    (!report.is_empty()).then_some(report)
}
