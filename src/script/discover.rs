//! Listing revision files as `Script._list_py_dir` and
//! `ScriptDirectory._load_revisions` do.
//!
//! Per version location: `os.walk` top-down; each directory's files in
//! sorted order; `__pycache__` directories skipped (with `sourceless`, the
//! `.pyc`/`.pyo` files of a directory's `__pycache__` whose stem is not one
//! of the directory's files are added); sub-directories only with
//! `recursive_version_locations`, sorted, depth first. Every listed path is
//! `resolve()`d; a resolved path seen twice is skipped with Alembic's
//! warning; then the file name must match Alembic's revision-file pattern.

use std::borrow::Cow;
use std::collections::HashSet;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::path::{Component, Path, PathBuf};

use super::LoadWarning;

/// A file Alembic would load as a revision module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionFile {
    /// The resolved path (symlinks followed), as Alembic prints it.
    pub path: PathBuf,
    /// A `.pyc`/`.pyo` file (only with `sourceless = true`).
    pub sourceless: bool,
}

/// Python's `Path.absolute()`: joined to the working directory when
/// relative; `.` components, doubled and trailing slashes dropped (as
/// `pathlib` does), `..` kept and symlinks not resolved.
pub(crate) fn absolute(p: &Path, cwd: &Path) -> PathBuf {
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        cwd.join(p)
    };
    joined
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect()
}

/// Python's `Path.resolve()` (non-strict `os.path.realpath`).
pub(crate) fn resolve(p: &Path) -> PathBuf {
    if let Ok(r) = fs::canonicalize(p) {
        return r;
    }
    // Resolve as far as possible, like posixpath.realpath(strict=False).
    let mut pending: Vec<OsString> = p
        .components()
        .rev()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_os_string()),
            Component::ParentDir => Some(OsString::from("..")),
            _ => None,
        })
        .collect();
    let mut out = PathBuf::from("/");
    let mut links = 0;
    while let Some(name) = pending.pop() {
        if name == ".." {
            out.pop();
            continue;
        }
        let candidate = out.join(&name);
        match fs::symlink_metadata(&candidate) {
            Ok(m) if m.file_type().is_symlink() && links < 40 => {
                links += 1;
                match fs::read_link(&candidate) {
                    Ok(target) => {
                        if target.is_absolute() {
                            out = PathBuf::from("/");
                        }
                        for c in target.components().rev() {
                            match c {
                                Component::Normal(s) => pending.push(s.to_os_string()),
                                Component::ParentDir => pending.push(OsString::from("..")),
                                _ => {}
                            }
                        }
                    }
                    Err(_) => out = candidate,
                }
            }
            _ => out = candidate,
        }
    }
    out
}

/// `re.match` of `(?!\.\#|__init__)(.*\.py)(c|o)?$` (or without the
/// `(c|o)?` group unless `sourceless`): `Some((group 1, group 2))`.
pub(crate) fn match_rev_file(name: &str, sourceless: bool) -> Option<(&str, Option<char>)> {
    if name.starts_with(".#") || name.starts_with("__init__") {
        return None;
    }
    // `.` does not match a newline; `$` matches before a final newline
    let body = name.strip_suffix('\n').unwrap_or(name);
    if body.contains('\n') {
        return None;
    }
    if body.ends_with(".py") {
        return Some((body, None));
    }
    if sourceless {
        for c in ['c', 'o'] {
            if let Some(stem) = body.strip_suffix(c)
                && stem.ends_with(".py")
            {
                return Some((stem, Some(c)));
            }
        }
    }
    None
}

/// `re.match` of `([a-f0-9]+)\.py$`: the legacy revision id from a file name.
pub(crate) fn legacy_rev(name: &str) -> Option<&str> {
    let hex_len = name
        .bytes()
        .take_while(|c| matches!(c, b'a'..=b'f' | b'0'..=b'9'))
        .count();
    if hex_len == 0 {
        return None;
    }
    let rest = &name[hex_len..];
    (rest == ".py" || rest == ".py\n").then(|| &name[..hex_len])
}

struct Entry {
    name: OsString,
    is_dir: bool,
    is_symlink: bool,
}

/// `os.scandir` of a directory, in directory order; `None` when it cannot
/// be listed (`os.walk` then silently skips it).
fn list_dir(dir: &Path) -> Option<Vec<Entry>> {
    let rd = fs::read_dir(dir).ok()?;
    let mut out = Vec::new();
    for e in rd {
        let Ok(e) = e else { continue };
        let ft = e.file_type().ok();
        let is_symlink = ft.is_some_and(|t| t.is_symlink());
        let is_dir = match ft {
            Some(t) if t.is_symlink() => fs::metadata(e.path()).is_ok_and(|m| m.is_dir()),
            Some(t) => t.is_dir(),
            None => false,
        };
        out.push(Entry {
            name: e.file_name(),
            is_dir,
            is_symlink,
        });
    }
    Some(out)
}

/// A listed path: `dirs[dir].join(name)`.
struct Listed {
    dir: usize,
    name: OsString,
    /// Its resolved path is `real_dirs[dir].join(name)` (a plain file in a
    /// directory whose resolution is known); else it needs `resolve()`.
    plain: bool,
}

struct Walk {
    recursive: bool,
    sourceless: bool,
    /// Listed directories and their resolved paths (when known).
    dirs: Vec<(PathBuf, Option<PathBuf>)>,
    out: Vec<Listed>,
}

impl Walk {
    /// One `os.walk` step and its sub-directories; `false` stops the walk
    /// (the `break` of a non-recursive listing).
    fn visit(&mut self, root: PathBuf, real_root: Option<PathBuf>) -> bool {
        let Some(mut files) = list_dir(&root) else {
            return true;
        };
        // the few directories out, the files left in place
        let mut dirs: Vec<Entry> = files.extract_if(.., |e| e.is_dir).collect();
        let in_pycache = root
            .file_name()
            .is_some_and(|n| n.to_string_lossy().ends_with("__pycache__"));
        let here = self.dirs.len();
        self.dirs.push((root, real_root));
        if !in_pycache {
            files.sort_unstable_by(|a, b| a.name.cmp(&b.name));
            let known = self.dirs[here].1.is_some();
            if self.sourceless {
                let cache = self.dirs[here].0.join("__pycache__");
                if cache.exists() {
                    let stem = |n: &OsStr| {
                        let n = n.to_string_lossy();
                        n.split('.').next().unwrap_or("").to_string()
                    };
                    let names: HashSet<String> = files.iter().map(|f| stem(&f.name)).collect();
                    let cached: Vec<OsString> = fs::read_dir(&cache)
                        .map(|rd| {
                            rd.flatten()
                                .map(|e| e.file_name())
                                .filter(|n| !names.contains(&stem(n)))
                                .collect()
                        })
                        .unwrap_or_default();
                    self.push_files(here, files, known);
                    if !cached.is_empty() {
                        let c = self.dirs.len();
                        self.dirs.push((cache, None));
                        self.out.extend(cached.into_iter().map(|name| Listed {
                            dir: c,
                            name,
                            plain: false,
                        }));
                    }
                } else {
                    self.push_files(here, files, known);
                }
            } else {
                self.push_files(here, files, known);
            }
            if !self.recursive {
                return false;
            }
            dirs.sort_unstable_by(|a, b| a.name.cmp(&b.name));
        }
        for d in dirs {
            // os.walk(followlinks=False) lists but does not enter symlinks
            if d.is_symlink {
                continue;
            }
            let sub = self.dirs[here].0.join(&d.name);
            let real_sub = self.dirs[here].1.as_ref().map(|r| r.join(&d.name));
            if !self.visit(sub, real_sub) {
                return false;
            }
        }
        true
    }

    fn push_files(&mut self, dir: usize, files: Vec<Entry>, known: bool) {
        self.out.extend(files.into_iter().map(|f| Listed {
            dir,
            plain: known && !f.is_symlink,
            name: f.name,
        }));
    }
}

/// `dir.join(name)` for a name without separators, in one allocation
/// (`join` copies `dir`, then grows the copy): 10,000 paths per listing.
fn join(dir: &Path, name: &OsStr) -> PathBuf {
    let mut path = PathBuf::with_capacity(dir.as_os_str().len() + 1 + name.len());
    path.push(dir);
    path.push(name);
    path
}

/// The revision files of the given (absolute) version locations, in
/// Alembic's load order, and the warnings Alembic would emit.
pub(crate) fn discover(
    locations: &[PathBuf],
    recursive: bool,
    sourceless: bool,
) -> (Vec<RevisionFile>, Vec<LoadWarning>) {
    let mut walk = Walk {
        recursive,
        sourceless,
        dirs: Vec::new(),
        out: Vec::new(),
    };
    let mut roots = 0;
    for loc in locations.iter().filter(|l| l.exists()) {
        roots += 1;
        walk.visit(loc.clone(), fs::canonicalize(loc).ok());
    }
    // Plain files of distinct real directories cannot resolve to the same
    // path; only several locations or symlinks can make duplicates.
    let check_dupes = roots > 1 || walk.out.iter().any(|l| !l.plain);
    let mut seen: HashSet<PathBuf> = HashSet::new();
    let mut files = Vec::with_capacity(walk.out.len());
    let mut warnings = Vec::new();
    for listed in walk.out {
        let (dir, real_dir) = &walk.dirs[listed.dir];
        let listed_name = match listed.name.to_str() {
            Some(name) => Cow::Borrowed(name),
            None => listed.name.to_string_lossy(),
        };
        // the name can only change through a symlink
        if listed.plain && !check_dupes && match_rev_file(&listed_name, sourceless).is_none() {
            continue;
        }
        let real = match (listed.plain, real_dir) {
            (true, Some(r)) => join(r, &listed.name),
            _ => resolve(&dir.join(&listed.name)),
        };
        if check_dupes {
            if seen.contains(&real) {
                warnings.push(LoadWarning(format!(
                    "File {} loaded twice! ignoring. Please ensure version_locations is unique.",
                    real.display()
                )));
                continue;
            }
            seen.insert(real.clone());
        }
        let name = if listed.plain {
            listed_name
        } else {
            real.file_name().unwrap_or_default().to_string_lossy()
        };
        let Some((py_name, suffix)) = match_rev_file(&name, sourceless) else {
            continue;
        };
        if let Some(c) = suffix {
            // prefer .py over .pyc, .pyc over .pyo
            let dir = real.parent().unwrap_or(Path::new("/"));
            let py_exists = dir.join(py_name).exists();
            let pyc_exists = dir.join(format!("{py_name}c")).exists();
            if py_exists || (c == 'o' && pyc_exists) {
                continue;
            }
        }
        let sourceless = suffix.is_some();
        drop(name);
        files.push(RevisionFile {
            path: real,
            sourceless,
        });
    }
    (files, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_name_pattern() {
        assert_eq!(match_rev_file("abc_x.py", false), Some(("abc_x.py", None)));
        assert_eq!(match_rev_file("__init__.py", false), None);
        assert_eq!(match_rev_file("__init__x.py", false), None);
        assert_eq!(match_rev_file(".#abc.py", false), None);
        assert_eq!(match_rev_file("#abc.py", false), Some(("#abc.py", None)));
        assert_eq!(match_rev_file("abc.pyc", false), None);
        assert_eq!(match_rev_file("abc.py~", false), None);
        assert_eq!(match_rev_file("abc.py\n", false), Some(("abc.py", None)));
        assert_eq!(match_rev_file("a\nb.py", false), None);
        assert_eq!(match_rev_file(".py", false), Some((".py", None)));
        assert_eq!(match_rev_file("abc.pyc", true), Some(("abc.py", Some('c'))));
        assert_eq!(match_rev_file("abc.pyo", true), Some(("abc.py", Some('o'))));
        assert_eq!(
            match_rev_file("abc.cpython-311.pyc", true),
            Some(("abc.cpython-311.py", Some('c')))
        );
        assert_eq!(match_rev_file("abc.pyx", true), None);
    }

    #[test]
    fn legacy_names() {
        assert_eq!(legacy_rev("1a2b.py"), Some("1a2b"));
        assert_eq!(legacy_rev("1a2b_x.py"), None);
        assert_eq!(legacy_rev("1A2B.py"), None);
        assert_eq!(legacy_rev(".py"), None);
    }

    #[test]
    fn absolute_paths() {
        let cwd = Path::new("/w/d");
        assert_eq!(
            absolute(Path::new("a/./b/"), cwd),
            PathBuf::from("/w/d/a/b")
        );
        assert_eq!(absolute(Path::new("../x"), cwd), PathBuf::from("/w/d/../x"));
        assert_eq!(absolute(Path::new("/abs//p"), cwd), PathBuf::from("/abs/p"));
    }
}
