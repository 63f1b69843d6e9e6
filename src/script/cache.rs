//! A persistent cache of revision metadata, so that a run over an unchanged
//! project lists the directory, `stat`s each file and reads one cache file
//! instead of reading and parsing every revision file.
//!
//! * Per file, the key is its resolved path and [`Stamp`] (size, mtime and
//!   ctime in nanoseconds, inode, device); the value is exactly the
//!   [`Script`] that parsing gives (the path is the key's). Anything that
//!   does not match is read and parsed as without the cache. Only
//!   successes are stored: an error is reported afresh on every run.
//! * A file whose ctime or mtime is less than [`RACY_SECS`] old is not
//!   stored: a change within the same timestamp tick as our `stat` would
//!   not change its stamp (git's "racily clean" problem).
//! * One cache file per list of version locations, in
//!   `$ALEMBIC_RS_CACHE_DIR`, else `$XDG_CACHE_HOME/alembic-rs`, else
//!   `$HOME/.cache/alembic-rs`, named by a hash of the locations and the
//!   crate version; a file written by another version or build (see
//!   [`build_id`]) is ignored. `ALEMBIC_RS_NO_CACHE=1` turns the cache off,
//!   and it is off where there is no ctime (not Unix).
//! * It is rewritten (temporary file + rename) only when the set of stored
//!   entries changes; writing one deletes the cache files not written for
//!   30 days. Any failure to read or write it is ignored: the files are
//!   parsed as if there were no cache.
//!
//! The format (little endian; `str` is a `u32` length and bytes):
//!
//! ```text
//! "ALRSMETA" | format u32 | crate version str | build id u64
//!            | checksum u64 | body
//! body  = count u32, count x entry
//! entry = path str | size u64 | mtime s i64, ns u32 | ctime s i64, ns u32
//!         | ino u64 | dev u64 | revision str | down_revision list
//!         | depends_on list | branch_labels list | longdoc str
//! list  = n u32, n x str
//! ```

use std::collections::HashMap;
use std::ffi::OsString;
use std::fs;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use rayon::prelude::*;

use super::discover::RevisionFile;
use super::mapped::FileBytes;
use super::read::{self, Dirs, Stamp};
use super::{Script, ScriptError};
use crate::revision::Revision;

const MAGIC: &[u8; 8] = b"ALRSMETA";
/// Bumped whenever the layout or the meaning of a cached value changes.
const FORMAT: u32 = 1;
const VERSION: &str = env!("CARGO_PKG_VERSION");
/// Files changed less than this long before a run are not stored.
const RACY_SECS: i64 = 2;

/// Which build of alembic-rs wrote a cache file: the running executable's
/// size, mtime and inode. Development builds share a version number but
/// may parse differently; a rebuilt or reinstalled binary starts afresh.
pub(crate) fn build_id() -> u64 {
    static ID: OnceLock<u64> = OnceLock::new();
    *ID.get_or_init(|| {
        let mut h = Fnv::default();
        if let Some(m) = std::env::current_exe()
            .ok()
            .and_then(|exe| fs::metadata(exe).ok())
        {
            h.write(&m.len().to_le_bytes());
            if let Ok(t) = m.modified().map(|t| t.duration_since(UNIX_EPOCH)) {
                h.write(&t.unwrap_or_default().as_nanos().to_le_bytes());
            }
            #[cfg(unix)]
            h.write(&std::os::unix::fs::MetadataExt::ino(&m).to_le_bytes());
        }
        h.finish()
    })
}

/// What one load did with the cache (for tests and diagnostics).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheReport {
    /// The cache file, when the cache is on.
    pub path: Option<PathBuf>,
    /// Files whose metadata came from the cache.
    pub hits: usize,
    /// Files read and parsed (sourceless files excluded).
    pub parsed: usize,
    /// Whether the cache file was rewritten (or removed).
    pub written: bool,
}

/// The cache file of a list of version locations, read, with the current
/// stamps of the files it lists.
pub(crate) struct Cache {
    path: PathBuf,
    /// When the run started using the cache (before any `stat`).
    now: (i64, u32),
    /// Whether a file was there (even one we could not use).
    existed: bool,
    old: Option<Cached>,
}

impl Cache {
    /// Reads the cache file of these version locations and `stat`s the
    /// files it lists (meant to run while the directories are listed);
    /// `None` when the cache is off (or has no home).
    pub(crate) fn open(locations: &[PathBuf]) -> Option<Cache> {
        let path = cache_file(locations)?;
        let now = now();
        let bytes = FileBytes::open(&path).ok();
        let existed = bytes.is_some();
        let mut old = bytes.and_then(Cached::parse);
        if let Some(old) = &mut old {
            old.stat_all();
        }
        Some(Cache {
            path,
            now,
            existed,
            old,
        })
    }
}

/// Every file's parse result, in the order of `files`, through the cache
/// when there is one; `parse` is the read-and-parse step the cache
/// replaces. The files are consumed: a script from the cache takes its
/// file's path rather than a copy.
pub(crate) fn map_files<F>(
    cache: Option<Cache>,
    files: Vec<RevisionFile>,
    parse: F,
) -> (Vec<Result<Script, ScriptError>>, CacheReport)
where
    F: Fn(&RevisionFile, Option<io::Result<&[u8]>>) -> Result<Script, ScriptError> + Sync,
{
    let Some(cache) = cache else {
        let results = read::map_files(&files, parse);
        let parsed = files.iter().filter(|f| !f.sourceless).count();
        return (
            results,
            CacheReport {
                parsed,
                ..CacheReport::default()
            },
        );
    };
    let now = cache.now;
    let old = cache.old.as_ref();
    // Opened up front (one `open` per directory) for the files not in the
    // cache or changed since, as the paths move into the scripts below;
    // not when the cache holds every file unchanged (a warm run), which
    // spares a serial pass over every path. A file missed even so (one
    // renamed in place of another) opens its own directory.
    let all_cached = old.is_some_and(|o| {
        o.entries.len() == files.len() && o.unchanged.iter().all(|&unchanged| unchanged)
    });
    let dirs = (!all_cached).then(|| Dirs::open(files.iter().map(|f| f.path.as_path())));
    let (results, fates): (Vec<Result<Script, ScriptError>>, Vec<Fate>) = files
        .into_par_iter()
        .enumerate()
        .map(|(i, file)| {
            if file.sourceless {
                return (parse(&file, None), Fate::Skip);
            }
            if let Some(old) = old
                && let Some(j) = old.find(i, &file.path)
                && old.unchanged[j]
                && let Some((revision, longdoc)) = old.decode(j)
            {
                let script = Script {
                    revision,
                    path: file.path,
                    longdoc,
                };
                return (Ok(script), Fate::Hit(j));
            }
            let own;
            let (dirs, i) = match &dirs {
                Some(dirs) => (dirs, i),
                None => {
                    own = Dirs::open([file.path.as_path()]);
                    (&own, 0)
                }
            };
            let stamp = dirs.stat(i, &file.path).ok();
            let result = dirs.with_contents(i, &file, |c| parse(&file, c));
            let fate = match stamp {
                Some(s) if result.is_ok() && !racy(&s, now) => Fate::Store(Box::new(s)),
                _ => Fate::Parsed,
            };
            (result, fate)
        })
        .unzip();

    let mut report = CacheReport::default();
    let mut stored = 0;
    for fate in &fates {
        match fate {
            Fate::Hit(_) => report.hits += 1,
            Fate::Store(_) => {
                report.parsed += 1;
                stored += 1;
            }
            Fate::Parsed => report.parsed += 1,
            Fate::Skip => {}
        }
    }
    let old_len = old.map_or(0, |o| o.entries.len());
    // a new entry, a dropped entry, or a cache file we could not use
    let changed = stored > 0 || report.hits != old_len || (cache.existed && old.is_none());
    if changed {
        let kept = results
            .iter()
            .zip(&fates)
            .filter_map(|(r, fate)| match (r, fate) {
                (Ok(script), Fate::Hit(j)) => Some((old?.stamp(*j)?, script)),
                (Ok(script), Fate::Store(s)) => Some((**s, script)),
                _ => None,
            });
        report.written = match encode(kept) {
            Some(data) => write_atomic(&cache.path, &data).is_ok(),
            None => cache.existed && fs::remove_file(&cache.path).is_ok(),
        };
        if report.written {
            prune(&cache.path);
        }
    }
    report.path = Some(cache.path);
    (results, report)
}

enum Fate {
    /// Sourceless: neither read nor cached.
    Skip,
    /// From the cache: entry `j` of the file read (which keeps its stamp).
    Hit(usize),
    /// Parsed, to be stored (boxed, so that the list of 10,000 fates of a
    /// warm run, which has none, stays small).
    Store(Box<Stamp>),
    /// Parsed, not to be stored (an error, a racy or vanished file).
    Parsed,
}

/// Seconds and nanoseconds since the epoch, as stamps hold times.
fn now() -> (i64, u32) {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or((0, 0), |d| (d.as_secs() as i64, d.subsec_nanos()))
}

/// Changed too recently for its stamp to prove it unchanged later.
fn racy(s: &Stamp, now: (i64, u32)) -> bool {
    let latest = s.mtime.max(s.ctime);
    (latest.0.saturating_add(RACY_SECS), latest.1) >= now
}

fn disabled() -> bool {
    std::env::var_os("ALEMBIC_RS_NO_CACHE").is_some_and(|v| !v.is_empty() && v != "0")
}

fn non_empty(v: Option<OsString>) -> Option<PathBuf> {
    v.filter(|v| !v.is_empty()).map(PathBuf::from)
}

/// `$ALEMBIC_RS_CACHE_DIR`, `$XDG_CACHE_HOME/alembic-rs` (when absolute, as
/// the XDG spec asks) or `$HOME/.cache/alembic-rs`. The crate's own unit
/// tests only use the first, so they never touch the user's cache. Off
/// where there is no ctime (a change time the user cannot set): elsewhere
/// than on Unix.
fn cache_dir() -> Option<PathBuf> {
    if cfg!(not(unix)) {
        return None;
    }
    if let Some(d) = non_empty(std::env::var_os("ALEMBIC_RS_CACHE_DIR")) {
        return Some(d);
    }
    if cfg!(test) {
        return None;
    }
    if let Some(d) = non_empty(std::env::var_os("XDG_CACHE_HOME")).filter(|d| d.is_absolute()) {
        return Some(d.join("alembic-rs"));
    }
    non_empty(std::env::var_os("HOME")).map(|h| h.join(".cache").join("alembic-rs"))
}

/// Where the embedded Python shim keeps its compiled modules (one
/// directory per build of alembic-rs, since the shim is part of the
/// binary), or `None` when the cache is off.
pub(crate) fn shim_code_dir() -> Option<PathBuf> {
    if disabled() {
        return None;
    }
    let root = cache_dir()?;
    let dir = root.join(format!("shim-{:016x}", build_id()));
    if !dir.exists() {
        prune_shim_dirs(&root);
    }
    Some(dir)
}

/// Other builds' compiled shims, once nothing has been added to them for
/// [`PRUNE_AFTER`] (checked when a new build first runs Python).
fn prune_shim_dirs(root: &Path) {
    let Ok(entries) = fs::read_dir(root) else {
        return;
    };
    let now = SystemTime::now();
    for e in entries.flatten() {
        let stale = e.file_name().to_string_lossy().starts_with("shim-")
            && e.metadata().is_ok_and(|m| {
                m.is_dir()
                    && m.modified()
                        .ok()
                        .and_then(|t| now.duration_since(t).ok())
                        .is_some_and(|age| age > PRUNE_AFTER)
            });
        if stale {
            let _ = fs::remove_dir_all(e.path());
        }
    }
}

/// The cache file for these version locations, or `None` when the cache is off.
fn cache_file(locations: &[PathBuf]) -> Option<PathBuf> {
    if disabled() {
        return None;
    }
    let dir = cache_dir()?;
    let mut h = Fnv::default();
    h.write(MAGIC);
    h.write(&FORMAT.to_le_bytes());
    h.write(VERSION.as_bytes());
    for loc in locations {
        let canonical = fs::canonicalize(loc);
        let p = canonical.as_deref().unwrap_or(loc);
        h.write(&[0]);
        h.write(p.as_os_str().as_encoded_bytes());
    }
    Some(dir.join(format!("{:016x}.meta", h.finish())))
}

/// FNV-1a (64 bit), for the cache file name.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A fast checksum that catches a truncated or damaged cache file (four
/// independent multiply-xorshift lanes over 8-byte words).
fn checksum(b: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut lanes = [K, K ^ 1, K ^ 2, K ^ 3];
    let mut blocks = b.chunks_exact(32);
    for block in &mut blocks {
        for (lane, w) in lanes.iter_mut().zip(block.chunks_exact(8)) {
            let w = u64::from_le_bytes(w.try_into().unwrap_or_default());
            let x = (*lane ^ w).wrapping_mul(K);
            *lane = x ^ (x >> 29);
        }
    }
    let mut h = b.len() as u64;
    for lane in lanes {
        h = (h ^ lane).wrapping_mul(K).rotate_left(31);
    }
    for &c in blocks.remainder() {
        h = (h ^ u64::from(c)).wrapping_mul(K);
    }
    h ^ (h >> 32)
}

/// Word-at-a-time hashing of the path keys.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0 = (self.0 ^ checksum(bytes)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Where one entry lies in the body (its stamp follows the path).
struct Entry {
    /// The path's bytes: `body[path.0..path.1]`.
    path: (usize, usize),
    /// Where the value (`revision` onwards) starts.
    value: usize,
}

/// The stored stamp: size, mtime (s, ns), ctime (s, ns), inode, device.
const STAMP_LEN: usize = 8 + 12 + 12 + 8 + 8;

type PathIndex = HashMap<Box<[u8]>, usize, BuildHasherDefault<KeyHasher>>;

/// A loaded cache file: entries indexed, values decoded on a hit.
struct Cached {
    bytes: FileBytes,
    /// Where the body starts in `bytes`.
    body: usize,
    entries: Vec<Entry>,
    by_path: OnceLock<PathIndex>,
    /// Whether each entry's file still has the stored stamp, as
    /// [`Cached::stat_all`] found it (`false` until then, or when the
    /// `stat` failed).
    unchanged: Vec<bool>,
}

impl Cached {
    /// `None` for a file of another format or version, or a damaged one.
    fn parse(bytes: FileBytes) -> Option<Cached> {
        let mut r = Reader { b: &bytes, i: 0 };
        if r.take(8)? != MAGIC
            || r.u32()? != FORMAT
            || r.bytes()? != VERSION.as_bytes()
            || r.u64()? != build_id()
        {
            return None;
        }
        let sum = r.u64()?;
        let body_at = r.i;
        let body = &bytes[body_at..];
        if checksum(body) != sum {
            return None;
        }
        let mut r = Reader { b: body, i: 0 };
        let count = r.u32()? as usize;
        // every entry takes more than 64 bytes
        if count > body.len() / 64 {
            return None;
        }
        let mut entries = Vec::with_capacity(count);
        for _ in 0..count {
            let len = r.u32()? as usize;
            let path = (r.i, r.i.checked_add(len)?);
            r.take(len)?;
            r.take(STAMP_LEN)?;
            let value = r.i;
            r.bytes()?;
            for _ in 0..3 {
                for _ in 0..r.u32()? {
                    r.bytes()?;
                }
            }
            r.bytes()?;
            entries.push(Entry { path, value });
        }
        if r.i != body.len() {
            return None;
        }
        Some(Cached {
            bytes,
            body: body_at,
            unchanged: vec![false; entries.len()],
            entries,
            by_path: OnceLock::new(),
        })
    }

    /// `stat`s every entry's file, in parallel. Taking the stamps before
    /// the directory listing is finished is as good as after: a file
    /// changed later is seen by the next run, as with any `stat`.
    fn stat_all(&mut self) {
        #[cfg(unix)]
        {
            use std::ffi::OsStr;
            use std::os::unix::ffi::OsStrExt;

            let path = |j: usize| Path::new(OsStr::from_bytes(self.path_of(&self.entries[j])));
            let dirs = Dirs::open((0..self.entries.len()).map(path));
            self.unchanged = (0..self.entries.len())
                .into_par_iter()
                .map(|j| {
                    dirs.stat(j, path(j))
                        .ok()
                        .is_some_and(|s| Some(s) == self.stamp(j))
                })
                .collect();
        }
    }

    fn body(&self) -> &[u8] {
        &self.bytes[self.body..]
    }

    fn path_of(&self, e: &Entry) -> &[u8] {
        &self.body()[e.path.0..e.path.1]
    }

    /// The stamp stored with entry `j` (read where [`Cached::parse`] found
    /// its bytes).
    fn stamp(&self, j: usize) -> Option<Stamp> {
        let mut r = Reader {
            b: self.body(),
            i: self.entries[j].path.1,
        };
        Some(Stamp {
            size: r.u64()?,
            mtime: (r.u64()? as i64, r.u32()?),
            ctime: (r.u64()? as i64, r.u32()?),
            ino: r.u64()?,
            dev: r.u64()?,
        })
    }

    /// The entry for `path`, file `i` of this run: files usually come in
    /// the order they were stored.
    fn find(&self, i: usize, path: &Path) -> Option<usize> {
        let key = path.as_os_str().as_encoded_bytes();
        match self.entries.get(i) {
            Some(e) if self.path_of(e) == key => Some(i),
            _ => {
                let map = self.by_path.get_or_init(|| {
                    let mut m = PathIndex::with_capacity_and_hasher(
                        self.entries.len(),
                        BuildHasherDefault::default(),
                    );
                    for (j, e) in self.entries.iter().enumerate() {
                        m.insert(self.path_of(e).into(), j);
                    }
                    m
                });
                map.get(key).copied()
            }
        }
    }

    /// The metadata and docstring entry `j` holds.
    fn decode(&self, j: usize) -> Option<(Revision, String)> {
        let mut r = Reader {
            b: self.body(),
            i: self.entries[j].value,
        };
        let revision = r.string()?;
        let down_revision = r.strings()?;
        let dependencies = r.strings()?;
        let branch_labels = r.strings()?;
        let longdoc = r.string()?;
        let revision = Revision {
            revision,
            down_revision,
            dependencies,
            branch_labels,
        };
        Some((revision, longdoc))
    }
}

struct Reader<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.i.checked_add(n)?;
        let s = self.b.get(self.i..end)?;
        self.i = end;
        Some(s)
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.u32()? as usize;
        self.take(n)
    }
    fn string(&mut self) -> Option<String> {
        Some(std::str::from_utf8(self.bytes()?).ok()?.to_owned())
    }
    /// A list, in a vector of its exact size (collecting into an `Option`
    /// would start at four elements: 10,000 `down_revision` lists of one).
    fn strings(&mut self) -> Option<Vec<String>> {
        let n = self.u32()? as usize;
        // every string takes at least its 4-byte length
        let mut v = Vec::with_capacity(n.min(self.b.len().saturating_sub(self.i) / 4));
        for _ in 0..n {
            v.push(self.string()?);
        }
        Some(v)
    }
}

#[derive(Default)]
struct Writer(Vec<u8>);

impl Writer {
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    /// `false` when too long for the format.
    fn bytes(&mut self, b: &[u8]) -> bool {
        let Ok(n) = u32::try_from(b.len()) else {
            return false;
        };
        self.u32(n);
        self.0.extend_from_slice(b);
        true
    }
    fn strings(&mut self, v: &[String]) -> bool {
        let Ok(n) = u32::try_from(v.len()) else {
            return false;
        };
        self.u32(n);
        v.iter().all(|s| self.bytes(s.as_bytes()))
    }
}

/// The cache file for these entries (keyed by each script's path, its
/// file's), or `None` when there is nothing to store (or something does
/// not fit the format).
fn encode<'a>(entries: impl Iterator<Item = (Stamp, &'a Script)>) -> Option<Vec<u8>> {
    let mut body = Writer::default();
    body.u32(0);
    let mut count: u32 = 0;
    for (s, script) in entries {
        let rev = &script.revision;
        let ok = body.bytes(script.path.as_os_str().as_encoded_bytes()) && {
            body.u64(s.size);
            body.u64(s.mtime.0 as u64);
            body.u32(s.mtime.1);
            body.u64(s.ctime.0 as u64);
            body.u32(s.ctime.1);
            body.u64(s.ino);
            body.u64(s.dev);
            body.bytes(rev.revision.as_bytes())
                && body.strings(&rev.down_revision)
                && body.strings(&rev.dependencies)
                && body.strings(&rev.branch_labels)
                && body.bytes(script.longdoc.as_bytes())
        };
        if !ok {
            return None;
        }
        count = count.checked_add(1)?;
    }
    if count == 0 {
        return None;
    }
    let mut body = body.0;
    body[..4].copy_from_slice(&count.to_le_bytes());
    let mut out = Writer(Vec::with_capacity(body.len() + 64));
    out.0.extend_from_slice(MAGIC);
    out.u32(FORMAT);
    out.bytes(VERSION.as_bytes());
    out.u64(build_id());
    out.u64(checksum(&body));
    out.0.extend_from_slice(&body);
    Some(out.0)
}

/// Cache files (and leftover temporary files) not written for this long
/// are deleted when another one is written: projects that are gone (test
/// projects in temporary directories, say) do not pile up forever.
const PRUNE_AFTER: std::time::Duration = std::time::Duration::from_secs(30 * 24 * 3600);

/// Deletes the stale files of the cache directory holding `path`.
fn prune(path: &Path) {
    let Some(dir) = path.parent() else { return };
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        if ![".meta", ".ops", ".tmp"]
            .iter()
            .any(|ext| name.ends_with(ext))
        {
            continue;
        }
        let stale = e.metadata().is_ok_and(|m| {
            m.is_file()
                && m.modified()
                    .ok()
                    .and_then(|t| now.duration_since(t).ok())
                    .is_some_and(|age| age > PRUNE_AFTER)
        });
        if stale {
            let _ = fs::remove_file(e.path());
        }
    }
}

/// Writes `data` to `path` through a temporary file in the same directory
/// and a rename, so that readers see the old file or the new one.
fn write_atomic(path: &Path, data: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{}.{nanos}.tmp", std::process::id()));
    let tmp = dir.join(name);
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let result = options
        .open(&tmp)
        .and_then(|mut f| f.write_all(data))
        .and_then(|()| fs::rename(&tmp, path));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// A cache file for something else derived from revision files (the
/// static path's parsed function bodies): in the metadata cache's
/// directory, named by `key` and ending in `.ext`, off when the cache is.
pub(crate) fn side_file(ext: &str, key: &[u8]) -> Option<PathBuf> {
    if disabled() {
        return None;
    }
    let mut h = Fnv::default();
    h.write(VERSION.as_bytes());
    h.write(key);
    Some(cache_dir()?.join(format!("{:016x}.{ext}", h.finish())))
}

/// Writes a [`side_file`] atomically, then prunes the directory as
/// writing a metadata cache does. Failures are the caller's to ignore.
pub(crate) fn write_side_file(path: &Path, data: &[u8]) -> io::Result<()> {
    write_atomic(path, data)?;
    prune(path);
    Ok(())
}

/// The stamp of the file at `path` and whether it is old enough to be
/// stored (see [`RACY_SECS`]); `None` when it cannot be `stat`ed.
pub(crate) fn stamp_of(path: &Path) -> Option<(Stamp, bool)> {
    let stamp = read::stat_path(path).ok()?;
    let now = now();
    Some((stamp, !racy(&stamp, now)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(rev: &str) -> Script {
        Script {
            revision: Revision {
                revision: rev.into(),
                down_revision: vec!["a".into(), "b\u{e9}".into()],
                dependencies: vec![],
                branch_labels: vec!["x".into()],
            },
            path: PathBuf::from(format!("/v/{rev}.py")),
            longdoc: "doc\n\nmore".into(),
        }
    }

    #[test]
    fn round_trip_and_damage() {
        let files: Vec<RevisionFile> = ["r1", "r2"]
            .iter()
            .map(|r| RevisionFile {
                path: PathBuf::from(format!("/v/{r}.py")),
                sourceless: false,
            })
            .collect();
        let scripts = [script("r1"), script("r2")];
        let stamp = Stamp {
            size: 10,
            mtime: (-5, 7),
            ctime: (1_700_000_000, 999_999_999),
            ino: 42,
            dev: 3,
        };
        let data = encode(scripts.iter().map(|s| (stamp, s))).unwrap();
        let cached = Cached::parse(data.clone().into()).unwrap();
        assert_eq!(cached.entries.len(), 2);
        // by position, then by path
        assert_eq!(cached.find(0, &files[0].path), Some(0));
        assert_eq!(cached.find(0, &files[1].path), Some(1));
        assert_eq!(cached.find(5, &files[1].path), Some(1));
        assert_eq!(cached.find(0, Path::new("/v/r3.py")), None);
        for (j, script) in scripts.iter().enumerate() {
            let (revision, longdoc) = cached.decode(j).unwrap();
            assert_eq!(revision, script.revision);
            assert_eq!(longdoc, script.longdoc);
        }
        // any damaged byte or a truncation is detected
        for i in [0, 9, 20, data.len() / 2, data.len() - 1] {
            let mut bad = data.clone();
            bad[i] ^= 0x20;
            assert!(Cached::parse(bad.into()).is_none(), "byte {i}");
        }
        assert!(Cached::parse(data[..data.len() - 1].to_vec().into()).is_none());
        assert!(Cached::parse(Vec::new().into()).is_none());
        // nothing to store
        assert!(encode(std::iter::empty()).is_none());
    }

    #[test]
    fn racy_stamps() {
        let s = |secs| Stamp {
            size: 0,
            mtime: (100, 0),
            ctime: (secs, 5),
            ino: 0,
            dev: 0,
        };
        assert!(racy(&s(100), (101, 0)));
        assert!(racy(&s(100), (102, 5)));
        assert!(!racy(&s(100), (102, 6)));
        assert!(racy(&s(200), (102, 0))); // from the future
    }
}
