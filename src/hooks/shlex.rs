//! Python's `shlex.split(s, posix=True)`, which Alembic applies to a hook's
//! `options`: the same words must reach the hook program.

/// What `shlex.split` raises (`ValueError`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShlexError {
    #[error("No closing quotation")]
    NoClosingQuotation,
    #[error("No escaped character")]
    NoEscapedCharacter,
}

/// Whitespace-separated words; `'...'` literal, `"..."` with `\` escaping
/// only `\` and `"`, a bare `\` escaping any character; an empty quoted
/// word is a word.
pub fn split(s: &str) -> Result<Vec<String>, ShlexError> {
    let mut words = Vec::new();
    let mut word = String::new();
    // A word is in progress (possibly empty, after `''`).
    let mut in_word = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            // shlex's whitespace: ' \t\r\n'.
            ' ' | '\t' | '\r' | '\n' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\\' => {
                let next = chars.next().ok_or(ShlexError::NoEscapedCharacter)?;
                word.push(next);
                in_word = true;
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        None => return Err(ShlexError::NoClosingQuotation),
                        Some('\'') => break,
                        Some(c) => word.push(c),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        None => return Err(ShlexError::NoClosingQuotation),
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            None => return Err(ShlexError::NoEscapedCharacter),
                            Some(c @ ('"' | '\\')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                        },
                        Some(c) => word.push(c),
                    }
                }
            }
            c => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<String> {
        split(s).unwrap()
    }

    #[test]
    fn like_python_shlex() {
        assert_eq!(
            w("-l 79  REVISION_SCRIPT_FILENAME"),
            ["-l", "79", "REVISION_SCRIPT_FILENAME"]
        );
        assert_eq!(w("a 'b c' \"d e\""), ["a", "b c", "d e"]);
        assert_eq!(w("a '' b"), ["a", "", "b"]);
        assert_eq!(
            w(r#"a\ b "x\"y" "p\q" 'r\s'"#),
            ["a b", "x\"y", "p\\q", "r\\s"]
        );
        assert_eq!(w("x'y'z"), ["xyz"]);
        assert_eq!(w(""), Vec::<String>::new());
        assert_eq!(w("a#b"), ["a#b"]);
        assert_eq!(split("'a"), Err(ShlexError::NoClosingQuotation));
        assert_eq!(split("a\\"), Err(ShlexError::NoEscapedCharacter));
        assert_eq!(split("\"a\\"), Err(ShlexError::NoEscapedCharacter));
    }
}
