//! Python's `configparser.ConfigParser` as Alembic constructs it: default
//! delimiters (`=`, `:`), whole-line `#`/`;` comments only, `strict=True`,
//! `allow_no_value=False`, `empty_lines_in_values=True`, `BasicInterpolation`.
//!
//! Values in `alembic.ini` reach env.py and the database URL unchanged, so
//! every parsing rule here (continuation lines, blank lines inside values,
//! which errors are fatal and when) follows configparser, including its
//! error texts, which users see verbatim in Alembic's tracebacks.

use std::collections::HashSet;

use indexmap::IndexMap;

use super::pystr;
use crate::pyfmt::py_repr;

/// The section every other section inherits from.
pub const DEFAULT_SECTION: &str = "DEFAULT";

/// configparser's `MAX_INTERPOLATION_DEPTH`.
const MAX_INTERPOLATION_DEPTH: usize = 10;

/// configparser's exceptions, worded as Python words them. `origin` is the
/// already-`repr()`ed source, e.g. `PosixPath('alembic.ini')`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IniError {
    #[error("While reading from {origin} [line {lineno:2}]: section {} already exists", py_repr(.section))]
    DuplicateSection {
        section: String,
        origin: String,
        lineno: usize,
    },
    #[error(
        "While reading from {origin} [line {lineno:2}]: option {} in section {} already exists",
        py_repr(.option),
        py_repr(.section)
    )]
    DuplicateOption {
        section: String,
        option: String,
        origin: String,
        lineno: usize,
    },
    #[error("File contains no section headers.\nfile: {origin}, line: {lineno}\n{}", py_repr(.line))]
    MissingSectionHeader {
        origin: String,
        lineno: usize,
        line: String,
    },
    #[error("Source contains parsing errors: {origin}{}", parsing_lines(.lines))]
    Parsing {
        origin: String,
        lines: Vec<(usize, String)>,
    },
    #[error("No section: {}", py_repr(.0))]
    NoSection(String),
    #[error("No option {} in section: {}", py_repr(.option), py_repr(.section))]
    NoOption { option: String, section: String },
    #[error(
        "Bad value substitution: option {} in section {} contains an interpolation key {} which is not a valid option name. Raw value: {}",
        py_repr(.option),
        py_repr(.section),
        py_repr(.reference),
        py_repr(.rawval)
    )]
    InterpolationMissingOption {
        option: String,
        section: String,
        rawval: String,
        reference: String,
    },
    #[error("{message}")]
    InterpolationSyntax {
        option: String,
        section: String,
        message: String,
    },
    #[error(
        "Recursion limit exceeded in value substitution: option {} in section {} contains an interpolation key which cannot be substituted in {MAX_INTERPOLATION_DEPTH} steps. Raw value: {}",
        py_repr(.option),
        py_repr(.section),
        py_repr(.rawval)
    )]
    InterpolationDepth {
        option: String,
        section: String,
        rawval: String,
    },
}

fn parsing_lines(lines: &[(usize, String)]) -> String {
    lines
        .iter()
        .map(|(n, line)| format!("\n\t[line {n:2}]: {}", py_repr(line)))
        .collect()
}

impl IniError {
    /// The exception's qualified name, as the last traceback line shows it.
    pub fn exception_name(&self) -> &'static str {
        match self {
            IniError::DuplicateSection { .. } => "configparser.DuplicateSectionError",
            IniError::DuplicateOption { .. } => "configparser.DuplicateOptionError",
            IniError::MissingSectionHeader { .. } => "configparser.MissingSectionHeaderError",
            IniError::Parsing { .. } => "configparser.ParsingError",
            IniError::NoSection(_) => "configparser.NoSectionError",
            IniError::NoOption { .. } => "configparser.NoOptionError",
            IniError::InterpolationMissingOption { .. } => {
                "configparser.InterpolationMissingOptionError"
            }
            IniError::InterpolationSyntax { .. } => "configparser.InterpolationSyntaxError",
            IniError::InterpolationDepth { .. } => "configparser.InterpolationDepthError",
        }
    }
}

/// A parsed ini file plus the constructor defaults (`here`), with values
/// stored raw; interpolation happens on every read, as in configparser.
#[derive(Debug, Clone, Default)]
pub struct IniFile {
    defaults: IndexMap<String, String>,
    sections: IndexMap<String, IndexMap<String, String>>,
}

impl IniFile {
    /// `ConfigParser(defaults)`: keys go through `optionxform`; values are
    /// stored as given (configparser does not validate `%` in them).
    pub fn new<'a>(defaults: impl IntoIterator<Item = (&'a str, &'a str)>) -> IniFile {
        IniFile {
            defaults: defaults
                .into_iter()
                .map(|(k, v)| (optionxform(k), v.to_string()))
                .collect(),
            sections: IndexMap::new(),
        }
    }

    /// `add_section`, as Alembic does when it has no file name at all.
    pub fn add_section(&mut self, name: &str) {
        self.sections.entry(name.to_string()).or_default();
    }

    /// `RawConfigParser._read` over already decoded text. Fatal errors stop
    /// at their line; unparsable lines are collected and reported after the
    /// whole text has been read (the values read so far are kept, as in
    /// Python, but the caller sees the error).
    pub fn read_str(&mut self, text: &str, origin: &str) -> Result<(), IniError> {
        let mut sections_seen: HashSet<String> = HashSet::new();
        let mut options_seen: HashSet<(String, String)> = HashSet::new();
        // `None` until the first section header; the name is DEFAULT_SECTION
        // for the defaults, which can never be a regular section's name.
        let mut current: Option<String> = None;
        let mut optname: Option<String> = None;
        let mut indent_level = 0usize;
        let mut bad_lines: Vec<(usize, String)> = Vec::new();
        // Value lines per (section, option), joined once the text is read.
        let mut pending: IndexMap<(String, String), Vec<String>> = IndexMap::new();

        for (idx, line) in pystr::text_file_lines(text).into_iter().enumerate() {
            let lineno = idx + 1;
            let stripped = pystr::strip(&line);
            let is_comment = stripped.starts_with('#') || stripped.starts_with(';');
            let value = if is_comment { "" } else { stripped };
            if value.is_empty() {
                // A blank line may belong to a multi-line value; a comment
                // line never does (and never ends one).
                if !is_comment
                    && let (Some(sect), Some(opt)) = (&current, &optname)
                    && !opt.is_empty()
                    && let Some(lines) = pending.get_mut(&(sect.clone(), opt.clone()))
                {
                    lines.push(String::new());
                }
                continue;
            }
            let cur_indent = line.chars().take_while(|c| pystr::is_space(*c)).count();
            if let (Some(sect), Some(opt)) = (&current, &optname)
                && !opt.is_empty()
                && cur_indent > indent_level
            {
                if let Some(lines) = pending.get_mut(&(sect.clone(), opt.clone())) {
                    lines.push(value.to_string());
                }
                continue;
            }
            indent_level = cur_indent;
            if let Some(header) = section_header(value) {
                if self.sections.contains_key(header) {
                    if sections_seen.contains(header) {
                        return Err(IniError::DuplicateSection {
                            section: header.to_string(),
                            origin: origin.to_string(),
                            lineno,
                        });
                    }
                    sections_seen.insert(header.to_string());
                } else if header != DEFAULT_SECTION {
                    self.sections.insert(header.to_string(), IndexMap::new());
                    sections_seen.insert(header.to_string());
                }
                current = Some(header.to_string());
                optname = None;
                continue;
            }
            let Some(sect) = current.clone() else {
                return Err(IniError::MissingSectionHeader {
                    origin: origin.to_string(),
                    lineno,
                    line,
                });
            };
            let Some((name, val)) = option_line(value) else {
                bad_lines.push((lineno, line));
                continue;
            };
            if name.is_empty() {
                bad_lines.push((lineno, line.clone()));
            }
            let name = optionxform(pystr::rstrip(name));
            if !options_seen.insert((sect.clone(), name.clone())) {
                return Err(IniError::DuplicateOption {
                    section: sect,
                    option: name,
                    origin: origin.to_string(),
                    lineno,
                });
            }
            // Reserve the key's position now; the joined value comes later.
            self.section_mut(&sect).insert(name.clone(), String::new());
            pending.insert((sect, name.clone()), vec![pystr::strip(val).to_string()]);
            optname = Some(name);
        }

        for ((sect, name), lines) in pending {
            let joined = pystr::rstrip(&lines.join("\n")).to_string();
            self.section_mut(&sect).insert(name, joined);
        }
        if bad_lines.is_empty() {
            Ok(())
        } else {
            Err(IniError::Parsing {
                origin: origin.to_string(),
                lines: bad_lines,
            })
        }
    }

    fn section_mut(&mut self, name: &str) -> &mut IndexMap<String, String> {
        if name == DEFAULT_SECTION {
            &mut self.defaults
        } else {
            self.sections.entry(name.to_string()).or_default()
        }
    }

    /// `sections()`: file order, without DEFAULT.
    pub fn sections(&self) -> Vec<String> {
        self.sections.keys().cloned().collect()
    }

    /// `has_section`: DEFAULT is not acknowledged.
    pub fn has_section(&self, name: &str) -> bool {
        self.sections.contains_key(name)
    }

    /// `has_option`: a section sees DEFAULT's options; an empty name or
    /// DEFAULT means the defaults alone; an unknown section has none.
    pub fn has_option(&self, section: &str, option: &str) -> bool {
        let option = optionxform(option);
        if section.is_empty() || section == DEFAULT_SECTION {
            return self.defaults.contains_key(&option);
        }
        match self.sections.get(section) {
            None => false,
            Some(s) => s.contains_key(&option) || self.defaults.contains_key(&option),
        }
    }

    /// `options(section)`: the section's own keys, then inherited ones.
    pub fn options(&self, section: &str) -> Result<Vec<String>, IniError> {
        let own = self
            .sections
            .get(section)
            .ok_or_else(|| IniError::NoSection(section.to_string()))?;
        let mut keys: IndexMap<&String, ()> = own.keys().map(|k| (k, ())).collect();
        keys.extend(self.defaults.keys().map(|k| (k, ())));
        Ok(keys.into_keys().cloned().collect())
    }

    /// The defaults, raw (`defaults()`).
    pub fn defaults(&self) -> &IndexMap<String, String> {
        &self.defaults
    }

    /// `get(section, option, raw=True)`.
    pub fn get_raw(&self, section: &str, option: &str) -> Result<&str, IniError> {
        let own = self.section_view(section)?;
        let option = optionxform(option);
        own.and_then(|s| s.get(&option))
            .or_else(|| self.defaults.get(&option))
            .map(String::as_str)
            .ok_or_else(|| IniError::NoOption {
                option,
                section: section.to_string(),
            })
    }

    /// `get(section, option)`, interpolated.
    pub fn get<'a>(&'a self, section: &str, option: &str) -> Result<String, IniError> {
        let raw = self.get_raw(section, option)?;
        let own = self.section_view(section)?;
        let lookup: &dyn Fn(&str) -> Option<&'a str> = &|key| {
            own.and_then(|s| s.get(key))
                .or_else(|| self.defaults.get(key))
                .map(String::as_str)
        };
        interpolate(section, &optionxform(option), raw, lookup)
    }

    /// `get(section, option, fallback=None)`: a missing section or option is
    /// `None`, interpolation errors still surface.
    pub fn get_fallback(&self, section: &str, option: &str) -> Result<Option<String>, IniError> {
        match self.get(section, option) {
            Ok(v) => Ok(Some(v)),
            Err(IniError::NoSection(_) | IniError::NoOption { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `items(section)`: defaults first (overridden in place), then the
    /// section's own keys; every value interpolated.
    pub fn items<'a>(&'a self, section: &str) -> Result<Vec<(String, String)>, IniError> {
        let own = self.section_view(section)?;
        let mut merged: IndexMap<&'a str, &'a str> = self
            .defaults
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        if let Some(own) = own {
            merged.extend(own.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        }
        let lookup: &dyn Fn(&str) -> Option<&'a str> = &|key| merged.get(key).copied();
        merged
            .iter()
            .map(|(k, v)| Ok((k.to_string(), interpolate(section, k, v, lookup)?)))
            .collect()
    }

    /// The section's own options (`None` for DEFAULT), or `NoSectionError`.
    fn section_view(&self, section: &str) -> Result<Option<&IndexMap<String, String>>, IniError> {
        match self.sections.get(section) {
            Some(s) => Ok(Some(s)),
            None if section == DEFAULT_SECTION => Ok(None),
            None => Err(IniError::NoSection(section.to_string())),
        }
    }
}

/// configparser's `optionxform`: `str.lower()`.
pub fn optionxform(s: &str) -> String {
    s.to_lowercase()
}

/// `SECTCRE` (`\[(?P<header>.+)\]` matched at the start): everything up to
/// the last `]`, so `[a] trailing` is section `a` and `[a]b]` is `a]b`.
fn section_header(value: &str) -> Option<&str> {
    let rest = value.strip_prefix('[')?;
    let end = rest.rfind(']')?;
    (end > 0).then(|| &rest[..end])
}

/// `OPTCRE`: the first `=` or `:` splits name from value.
fn option_line(value: &str) -> Option<(&str, &str)> {
    let p = value.find(['=', ':'])?;
    Some((&value[..p], &value[p + 1..]))
}

/// `BasicInterpolation.before_get`: `%%` is `%`, `%(name)s` is the
/// (interpolated) value of `name` in this section or DEFAULT.
fn interpolate<'a>(
    section: &str,
    option: &str,
    value: &str,
    lookup: &dyn Fn(&str) -> Option<&'a str>,
) -> Result<String, IniError> {
    let mut out = String::new();
    // The raw value Python quotes in errors is always the top-level one.
    interpolate_some(section, option, value, value, lookup, 1, &mut out)?;
    Ok(out)
}

fn interpolate_some<'a>(
    section: &str,
    option: &str,
    rawval: &str,
    mut rest: &str,
    lookup: &dyn Fn(&str) -> Option<&'a str>,
    depth: usize,
    out: &mut String,
) -> Result<(), IniError> {
    if depth > MAX_INTERPOLATION_DEPTH {
        return Err(IniError::InterpolationDepth {
            option: option.to_string(),
            section: section.to_string(),
            rawval: rawval.to_string(),
        });
    }
    let syntax = |message: String| IniError::InterpolationSyntax {
        option: option.to_string(),
        section: section.to_string(),
        message,
    };
    while !rest.is_empty() {
        let Some(p) = rest.find('%') else {
            out.push_str(rest);
            return Ok(());
        };
        out.push_str(&rest[..p]);
        rest = &rest[p..];
        match rest.as_bytes().get(1) {
            Some(b'%') => {
                out.push('%');
                rest = &rest[2..];
            }
            Some(b'(') => {
                // `%\(([^)]+)\)s`
                let close = rest[2..].find(')').map(|i| i + 2);
                let name_end = match close {
                    Some(c) if c > 2 && rest.as_bytes().get(c + 1) == Some(&b's') => c,
                    _ => {
                        return Err(syntax(format!(
                            "bad interpolation variable reference {}",
                            py_repr(rest)
                        )));
                    }
                };
                let var = optionxform(&rest[2..name_end]);
                rest = &rest[name_end + 2..];
                let Some(v) = lookup(&var) else {
                    return Err(IniError::InterpolationMissingOption {
                        option: option.to_string(),
                        section: section.to_string(),
                        rawval: rawval.to_string(),
                        reference: var,
                    });
                };
                if v.contains('%') {
                    interpolate_some(section, option, rawval, v, lookup, depth + 1, out)?;
                } else {
                    out.push_str(v);
                }
            }
            _ => {
                return Err(syntax(format!(
                    "'%' must be followed by '%' or '(', found: {}",
                    py_repr(rest)
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<IniFile, IniError> {
        let mut ini = IniFile::new([("here", "/H")]);
        ini.read_str(text, "'S'")?;
        Ok(ini)
    }

    fn raw(ini: &IniFile, s: &str, k: &str) -> String {
        ini.get_raw(s, k).unwrap().to_string()
    }

    #[test]
    fn sections_and_defaults() {
        let ini = parse("[DEFAULT]\nshared = 1\n[a]\nk = v\n[b]\nshared = 2\n").unwrap();
        assert_eq!(ini.sections(), vec!["a", "b"]);
        assert_eq!(ini.get("a", "shared").unwrap(), "1");
        assert_eq!(ini.get("b", "shared").unwrap(), "2");
        assert_eq!(ini.get("a", "here").unwrap(), "/H");
        assert!(ini.has_option("a", "HERE"));
        assert!(!ini.has_option("zzz", "here"));
        assert!(ini.has_option("DEFAULT", "shared"));
        assert!(!ini.has_section("DEFAULT"));
        assert_eq!(ini.options("a").unwrap(), vec!["k", "here", "shared"]);
        assert_eq!(
            ini.get("zzz", "k").unwrap_err().to_string(),
            "No section: 'zzz'"
        );
        assert_eq!(
            ini.get("a", "Nope").unwrap_err().to_string(),
            "No option 'nope' in section: 'a'"
        );
        assert_eq!(ini.get_fallback("zzz", "k"), Ok(None));
        assert_eq!(ini.get("DEFAULT", "shared").unwrap(), "1");
    }

    #[test]
    fn keys_lowercased_and_delimiters() {
        let ini = parse("[a]\nKey One = x\nb: c = d\nc = e:f\nd\t=\t v \t\n").unwrap();
        assert_eq!(raw(&ini, "a", "key one"), "x");
        assert_eq!(raw(&ini, "a", "b"), "c = d");
        assert_eq!(raw(&ini, "a", "c"), "e:f");
        assert_eq!(raw(&ini, "a", "d"), "v");
    }

    #[test]
    fn comments_are_whole_line_only() {
        let ini =
            parse("# top\n[a]\n  ; indented comment\nk = 1 ; not a comment\nj = 2 # nor this\n")
                .unwrap();
        assert_eq!(raw(&ini, "a", "k"), "1 ; not a comment");
        assert_eq!(raw(&ini, "a", "j"), "2 # nor this");
    }

    #[test]
    fn continuation_lines() {
        let ini =
            parse("[a]\nk = v\n\n  cont\n\n\n# c\n  more\n\nz=1\nempty =\n  x\n  [b]\n").unwrap();
        assert_eq!(raw(&ini, "a", "k"), "v\n\ncont\n\n\nmore");
        assert_eq!(raw(&ini, "a", "z"), "1");
        assert_eq!(raw(&ini, "a", "empty"), "\nx\n[b]");
        assert!(!ini.has_section("b"));
    }

    #[test]
    fn indentation_is_relative_to_the_key() {
        let ini = parse("  [a]\n  k = 1\n  j = 2\n    cont\n").unwrap();
        assert_eq!(raw(&ini, "a", "k"), "1");
        assert_eq!(raw(&ini, "a", "j"), "2\ncont");
    }

    #[test]
    fn section_header_quirks() {
        let ini = parse("[a] trailing\nk=1\n[b]c]\n[A]\n").unwrap();
        assert_eq!(ini.sections(), vec!["a", "b]c", "A"]);
    }

    #[test]
    fn universal_newlines_in_files() {
        let ini = parse("[a]\r\nk = 1\r\n  2\rj=3").unwrap();
        assert_eq!(raw(&ini, "a", "k"), "1\n2");
        assert_eq!(raw(&ini, "a", "j"), "3");
    }

    #[test]
    fn default_section_may_override_here() {
        let ini = parse("[DEFAULT]\nhere = /elsewhere\n[a]\n").unwrap();
        assert_eq!(ini.get("a", "here").unwrap(), "/elsewhere");
    }

    #[test]
    fn duplicate_errors() {
        assert_eq!(
            parse("[a]\n[b]\n[a]\n").unwrap_err().to_string(),
            "While reading from 'S' [line  3]: section 'a' already exists"
        );
        assert_eq!(
            parse("[a]\nK = 1\nk = 2\n").unwrap_err().to_string(),
            "While reading from 'S' [line  3]: option 'k' in section 'a' already exists"
        );
        assert_eq!(
            parse("[DEFAULT]\nx=1\n[DEFAULT]\nx=2\n")
                .unwrap_err()
                .exception_name(),
            "configparser.DuplicateOptionError"
        );
        // DEFAULT itself may repeat.
        assert!(parse("[DEFAULT]\n[DEFAULT]\n").is_ok());
    }

    #[test]
    fn missing_header_and_parse_errors() {
        assert_eq!(
            parse("\u{feff}[a]\n").unwrap_err().to_string(),
            "File contains no section headers.\nfile: 'S', line: 1\n'\\ufeff[a]\\n'"
        );
        let e = parse("[a]\nk = 1\nnovalue\n  cont\n= x\n[]\n").unwrap_err();
        assert_eq!(e.exception_name(), "configparser.ParsingError");
        assert_eq!(
            e.to_string(),
            "Source contains parsing errors: 'S'\n\t[line  3]: 'novalue\\n'\n\t[line  5]: '= x\\n'\n\t[line  6]: '[]\\n'"
        );
    }

    #[test]
    fn interpolation() {
        let ini = parse(
            "[DEFAULT]\nroot = /r\n[a]\nb = %(root)s/b\nc = %(B)s/c\npct = 100%%\nurl = x%%y\n",
        )
        .unwrap();
        assert_eq!(ini.get("a", "c").unwrap(), "/r/b/c");
        assert_eq!(ini.get("a", "pct").unwrap(), "100%");
        assert_eq!(ini.get("a", "url").unwrap(), "x%y");
        assert_eq!(ini.get("a", "here").unwrap(), "/H");
    }

    #[test]
    fn interpolation_errors() {
        let ini = parse(
            "[a]\nm = %(nope)s\ns1 = %(x)d\ns2 = 5%\ns3 = %()s\nloop = %(loop)s\nd = %(m)s\n",
        )
        .unwrap();
        assert_eq!(
            ini.get("a", "m").unwrap_err().to_string(),
            "Bad value substitution: option 'm' in section 'a' contains an interpolation key 'nope' which is not a valid option name. Raw value: '%(nope)s'"
        );
        assert_eq!(
            ini.get("a", "d").unwrap_err().to_string(),
            "Bad value substitution: option 'd' in section 'a' contains an interpolation key 'nope' which is not a valid option name. Raw value: '%(m)s'"
        );
        assert_eq!(
            ini.get("a", "s1").unwrap_err().to_string(),
            "bad interpolation variable reference '%(x)d'"
        );
        assert_eq!(
            ini.get("a", "s2").unwrap_err().to_string(),
            "'%' must be followed by '%' or '(', found: '%'"
        );
        assert_eq!(
            ini.get("a", "s3").unwrap_err().to_string(),
            "bad interpolation variable reference '%()s'"
        );
        let e = ini.get("a", "loop").unwrap_err();
        assert_eq!(e.exception_name(), "configparser.InterpolationDepthError");
        assert_eq!(
            e.to_string(),
            "Recursion limit exceeded in value substitution: option 'loop' in section 'a' contains an interpolation key which cannot be substituted in 10 steps. Raw value: '%(loop)s'"
        );
        // get_fallback does not hide interpolation errors.
        assert!(ini.get_fallback("a", "m").is_err());
    }

    #[test]
    fn depth_limit_is_ten_levels() {
        let mut text = String::from("[a]\nv0 = end%%\n");
        for i in 1..=10 {
            text.push_str(&format!("v{i} = %(v{})s\n", i - 1));
        }
        let ini = parse(&text).unwrap();
        assert_eq!(ini.get("a", "v9").unwrap(), "end%");
        assert!(matches!(
            ini.get("a", "v10"),
            Err(IniError::InterpolationDepth { .. })
        ));
    }

    #[test]
    fn items_merge_defaults_first() {
        let ini = parse("[DEFAULT]\nx = 1\n[a]\nk = %(x)s\nx = 2\n").unwrap();
        assert_eq!(
            ini.items("a").unwrap(),
            vec![
                ("here".to_string(), "/H".to_string()),
                ("x".to_string(), "2".to_string()),
                ("k".to_string(), "2".to_string()),
            ]
        );
        assert!(ini.items("nope").is_err());
        assert_eq!(ini.items("DEFAULT").unwrap().len(), 2);
    }
}
