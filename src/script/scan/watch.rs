//! The module attributes the scan records occurrences of.
//!
//! Alembic reads only a handful of names from a revision module, so the
//! scan can afford to notice nothing else: an identifier that is not one of
//! these is skipped without being looked at twice. Kept apart from the
//! scanner because `metadata` also maps names from rustpython's syntax tree
//! onto the same set, and indexes its bindings by them.

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

    /// The watched names a non-ASCII identifier may stand for. Python
    /// NFKC-normalises identifiers, so `ｒevision` (fullwidth r) or
    /// `ʳevision` (modifier letter) binds `revision`. Without the Unicode
    /// tables this over-approximates: every non-ASCII character becomes at
    /// least one ASCII character (nothing else normalises into a watched
    /// name), so the identifier has at most as many characters as the name
    /// and its ASCII characters are a subsequence of the name's. Letters of
    /// the common scripts that NFKC leaves as they are (`é`, `ü`, Greek,
    /// Cyrillic, CJK, ...) rule a name out: they stay non-ASCII.
    pub(crate) fn nfkc_candidates(id: &[u8]) -> impl Iterator<Item = Watch> + '_ {
        let id = match std::str::from_utf8(id) {
            Ok(id) if !id.is_ascii() && !id.chars().any(nfkc_stable) => id,
            _ => "",
        };
        let chars = id.chars().count();
        Watch::ALL.into_iter().filter(move |w| {
            let name = w.name().as_bytes();
            if id.is_empty() || chars > name.len() {
                return false;
            }
            let mut rest = name.iter();
            id.bytes()
                .filter(u8::is_ascii)
                .all(|c| rest.any(|&n| n == c))
        })
    }
}

/// A non-ASCII character NFKC maps to itself (so to no ASCII text): the
/// letters of Latin-1 and Latin Extended-A (but the `ĳ` ligatures and the
/// long s), Greek and Coptic letters, Cyrillic, Hebrew, Arabic, CJK
/// ideographs, Hangul syllables.
fn nfkc_stable(c: char) -> bool {
    matches!(c as u32,
        0xC0..=0xD6 | 0xD8..=0xF6 | 0xF8..=0x131 | 0x134..=0x13E | 0x141..=0x148
        | 0x14A..=0x17E | 0x391..=0x3A9 | 0x3B1..=0x3C9 | 0x400..=0x4FF
        | 0x5D0..=0x5EA | 0x620..=0x64A | 0x4E00..=0x9FFF | 0xAC00..=0xD7A3)
}
