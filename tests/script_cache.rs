//! The persistent metadata cache (`src/script/cache.rs`): a warm load gives
//! exactly what parsing gives, any change to a file is seen, and a missing,
//! damaged or unwritable cache is never an error.
//!
//! Every test keeps the cache in a temporary directory
//! (`ALEMBIC_RS_CACHE_DIR`), never the user's. Files changed less than two
//! seconds before a load are not stored (their stamp could still change
//! within the same timestamp tick), so tests that need cache hits wait for
//! their files to age first.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use alembic_rs::config::Config;
use alembic_rs::script::{CacheReport, Script, ScriptDirectory, ScriptError};

/// The cache directory of this test process, set before any load.
fn cache_root() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        // SAFETY: set once, inside `OnceLock` initialisation, before any
        // test of this process reads the environment (every test calls
        // `cache_root` first, directly or through `project`).
        unsafe {
            std::env::set_var("ALEMBIC_RS_CACHE_DIR", dir.path());
            std::env::remove_var("ALEMBIC_RS_NO_CACHE");
        }
        dir
    })
    .path()
}

/// Past the cache's two-second "changed too recently" window.
fn age() {
    std::thread::sleep(Duration::from_millis(2200));
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

const INI: &str =
    "[alembic]\nscript_location = %(here)s/scripts\nrecursive_version_locations = true\n";

/// Revision files of many shapes: tuples, dependencies, labels, a
/// multi-paragraph non-ASCII docstring, a legacy hex file name without a
/// `revision` variable, a sub-directory, and one file whose metadata is
/// computed (an error, which must never be cached).
const FILES: &[(&str, &str)] = &[
    (
        "1a2b3c_first.py",
        "\"\"\"First\n\nRevision ID: 1a2b3c\n\"\"\"\nrevision = '1a2b3c'\ndown_revision = None\nbranch_labels = ('core',)\n",
    ),
    (
        "aa01_second.py",
        "\"\"\"  Caf\u{e9} \u{2014} second  \n\nmore text\n\n\"\"\"\nrevision: str = 'aa01'\ndown_revision: str = '1a2b3c'\ndepends_on = ['1a2b3c']\n",
    ),
    (
        "bb02_third.py",
        "revision = 'bb02'\ndown_revision = ('aa01', '1a2b3c')\nbranch_labels = None\n",
    ),
    ("cc03.py", "'''legacy'''\ndown_revision = 'bb02'\n"),
    (
        "sub/dd04_nested.py",
        "\"\"\"nested\"\"\"\nrevision = 'dd04'\ndown_revision = 'cc03'\n",
    ),
    (
        "ee05_computed.py",
        "import os\nrevision = os.environ.get('REV', 'ee05')\ndown_revision = 'dd04'\n",
    ),
];

struct Project {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    versions: PathBuf,
}

fn project() -> Project {
    cache_root();
    let tmp = tempfile::tempdir().unwrap();
    let root = fs::canonicalize(tmp.path()).unwrap();
    write(&root.join("alembic.ini"), INI);
    let versions = root.join("scripts/versions");
    for (name, text) in FILES {
        write(&versions.join(name), text);
    }
    Project {
        _tmp: tmp,
        root,
        versions,
    }
}

impl Project {
    fn dir(&self) -> ScriptDirectory {
        let config = Config::load(
            &self.root.join("alembic.ini"),
            &self.root.join("pyproject.toml"),
            "alembic",
        )
        .unwrap();
        ScriptDirectory::new(config.script_settings().unwrap()).unwrap()
    }

    /// A load through the cache, rendered, and its report.
    fn load(&self) -> (Vec<String>, CacheReport) {
        let (results, warnings, report) = self.dir().load_scripts_report();
        assert!(warnings.is_empty());
        (render(&results), report)
    }

    /// What parsing each file one by one gives (no cache involved).
    fn parsed(&self) -> Vec<String> {
        let dir = self.dir();
        let results: Vec<_> = dir.discover().0.iter().map(Script::from_file).collect();
        render(&results)
    }
}

/// Every field of every result (the error's message too), comparable.
fn render(results: &[Result<Script, ScriptError>]) -> Vec<String> {
    results
        .iter()
        .map(|r| match r {
            Ok(s) => format!(
                "{:?} {:?} doc={:?} short={:?}",
                s.path,
                s.revision,
                s.longdoc,
                s.doc()
            ),
            Err(e) => format!("error {e} ({})", e.needs_python()),
        })
        .collect()
}

const OK_FILES: usize = 5;

#[test]
fn warm_load_is_identical_to_parsing() {
    let p = project();
    let expected = p.parsed();
    assert_eq!(expected.len(), FILES.len());
    // load order: the top directory's files sorted, then `sub/`
    assert!(expected[4].starts_with("error "), "{}", expected[4]);
    assert!(expected[5].contains("dd04"), "{}", expected[5]);

    // files just written: parsed, and not stored yet
    let (got, report) = p.load();
    assert_eq!(got, expected);
    assert_eq!((report.hits, report.parsed), (0, FILES.len()));
    let cache = report.path.clone().unwrap();
    assert!(cache.starts_with(cache_root()), "{}", cache.display());
    assert!(!report.written && !cache.exists());

    age();
    let (got, report) = p.load();
    assert_eq!(got, expected);
    assert_eq!((report.hits, report.parsed), (0, FILES.len()));
    assert!(report.written && cache.exists());

    // warm: only the file in error is parsed again, and nothing is written
    let modified = fs::metadata(&cache).unwrap().modified().unwrap();
    for _ in 0..2 {
        let (got, report) = p.load();
        assert_eq!(got, expected);
        assert_eq!((report.hits, report.parsed), (OK_FILES, 1));
        assert!(!report.written);
    }
    assert_eq!(fs::metadata(&cache).unwrap().modified().unwrap(), modified);
}

#[test]
fn same_size_change_with_restored_mtime_is_seen() {
    let p = project();
    age();
    p.load();
    let (_, report) = p.load();
    assert_eq!(report.hits, OK_FILES);

    // same length, other revision id, mtime put back: only the ctime differs
    let path = p.versions.join("bb02_third.py");
    let old = fs::metadata(&path).unwrap();
    let text = fs::read_to_string(&path).unwrap().replace("bb02", "bb99");
    fs::write(&path, &text).unwrap();
    fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(old.modified().unwrap())
        .unwrap();
    let new = fs::metadata(&path).unwrap();
    assert_eq!(
        (new.len(), new.modified().unwrap()),
        (old.len(), old.modified().unwrap())
    );

    let expected = p.parsed();
    assert!(expected[2].contains("\"bb99\""), "{}", expected[2]);
    let (got, report) = p.load();
    assert_eq!(got, expected);
    assert_eq!((report.hits, report.parsed), (OK_FILES - 1, 2));
    // changed just now: parsed again until it is old enough to be stored
    let (got, report) = p.load();
    assert_eq!(got, expected);
    assert_eq!(report.hits, OK_FILES - 1);
    age();
    p.load();
    let (got, report) = p.load();
    assert_eq!(got, expected);
    assert_eq!(report.hits, OK_FILES);
}

#[test]
fn deleted_and_added_files() {
    let p = project();
    age();
    p.load();

    fs::remove_file(p.versions.join("aa01_second.py")).unwrap();
    let expected = p.parsed();
    assert_eq!(expected.len(), FILES.len() - 1);
    assert!(!expected.iter().any(|r| r.contains("aa01_second")));
    let (got, report) = p.load();
    assert_eq!(got, expected);
    // the entry of the deleted file is dropped from the cache file
    assert_eq!((report.hits, report.parsed), (OK_FILES - 1, 1));
    assert!(report.written);
    let (got, report) = p.load();
    assert_eq!(got, expected);
    assert_eq!(
        (report.hits, report.parsed, report.written),
        (OK_FILES - 1, 1, false)
    );

    // a new file sorts in the middle; the others are still hits
    write(
        &p.versions.join("bb50_added.py"),
        "revision = 'bb50'\ndown_revision = 'bb02'\n",
    );
    let expected = p.parsed();
    assert!(expected[2].contains("bb50"), "{}", expected[2]);
    let (got, report) = p.load();
    assert_eq!(got, expected);
    assert_eq!((report.hits, report.parsed), (OK_FILES - 1, 2));
}

#[test]
fn damaged_cache_is_ignored() {
    let p = project();
    age();
    let (_, report) = p.load();
    let cache = report.path.unwrap();
    let good = fs::read(&cache).unwrap();
    let expected = p.parsed();

    let mut flipped = good.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x01;
    let damages: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"garbage".to_vec(),
        good[..good.len() - 3].to_vec(),
        flipped,
        // another format version
        [&good[..8], &[0xff, 0, 0, 0][..], &good[12..]].concat(),
    ];
    for bad in damages {
        fs::write(&cache, &bad).unwrap();
        let (got, report) = p.load();
        assert_eq!(got, expected);
        assert_eq!((report.hits, report.parsed), (0, FILES.len()));
        // replaced by a good one
        assert!(report.written);
        let (got, report) = p.load();
        assert_eq!(got, expected);
        assert_eq!(report.hits, OK_FILES);
    }

    // a directory where the cache file should be: never an error
    fs::remove_file(&cache).unwrap();
    fs::create_dir(&cache).unwrap();
    let (got, report) = p.load();
    assert_eq!(got, expected);
    assert_eq!((report.hits, report.written), (0, false));
}

#[test]
fn errors_are_reported_every_time() {
    let p = project();
    age();
    let broken = p.versions.join("ff06_broken.py");
    write(&broken, "revision = 'ff06'\ndown_revision = ('ee05'\n");
    write(&p.versions.join("gg07_nodown.py"), "revision = 'gg07'\n");
    let expected = p.parsed();
    assert!(expected[5].contains("syntax error"), "{}", expected[5]);
    assert!(expected[6].contains("has no attribute 'down_revision'"));
    age();
    let (got, report) = p.load();
    assert_eq!(got, expected);
    assert!(report.written);
    for _ in 0..3 {
        let (got, report) = p.load();
        assert_eq!(got, expected);
        assert_eq!((report.hits, report.parsed), (OK_FILES, 3));
    }
    // and the first error in load order is what load_scripts returns
    let err = p.dir().load_scripts().unwrap_err();
    assert_eq!(format!("error {err} ({})", err.needs_python()), expected[4]);
}

#[test]
fn stale_cache_files_are_pruned_on_write() {
    let p = project();
    let root = cache_root();
    let old = std::time::SystemTime::now() - Duration::from_secs(40 * 24 * 3600);
    let stale = root.join("00000000deadbeef.meta");
    let stale_tmp = root.join("00000000deadbeef.meta.1.2.tmp");
    let other = root.join("not-ours.txt");
    let fresh = root.join("00000000cafef00d.meta");
    for f in [&stale, &stale_tmp, &other, &fresh] {
        fs::write(f, "x").unwrap();
        if f != &fresh {
            fs::File::options()
                .write(true)
                .open(f)
                .unwrap()
                .set_modified(old)
                .unwrap();
        }
    }
    age();
    let (got, report) = p.load();
    assert_eq!(got, p.parsed());
    assert!(report.written);
    assert!(!stale.exists() && !stale_tmp.exists());
    assert!(other.exists() && fresh.exists());
    fs::remove_file(&other).unwrap();
    fs::remove_file(&fresh).unwrap();
}

/// Runs the binary in `dir` with only the given cache variables set.
fn run(dir: &Path, env: &[(&str, &Path)]) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_alembic-rs"));
    cmd.arg("heads")
        .current_dir(dir)
        .env_remove("ALEMBIC_CONFIG")
        .env_remove("ALEMBIC_RS_CACHE_DIR")
        .env_remove("ALEMBIC_RS_NO_CACHE")
        .env_remove("XDG_CACHE_HOME")
        .env_remove("HOME");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

fn entries(dir: &Path) -> Vec<PathBuf> {
    match fs::read_dir(dir) {
        Ok(rd) => rd.map(|e| e.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    }
}

#[test]
fn binary_cache_location_and_switch() {
    cache_root();
    let tmp = tempfile::tempdir().unwrap();
    let root = fs::canonicalize(tmp.path()).unwrap();
    write(&root.join("alembic.ini"), INI);
    let versions = root.join("scripts/versions");
    for (name, text) in &FILES[..5] {
        write(&versions.join(name), text);
    }
    age();
    let own = root.join("own");
    let home = root.join("home");
    let xdg = root.join("xdg");
    // ALEMBIC_RS_NO_CACHE=1 wins over everything
    let one = Path::new("1");
    let expected = run(
        &root,
        &[
            ("ALEMBIC_RS_NO_CACHE", one),
            ("ALEMBIC_RS_CACHE_DIR", &own),
            ("HOME", &home),
        ],
    );
    assert!(expected.contains("dd04"), "{expected}");
    assert!(entries(&own).is_empty() && entries(&home).is_empty());

    // ALEMBIC_RS_CACHE_DIR, then $XDG_CACHE_HOME/alembic-rs, then
    // $HOME/.cache/alembic-rs
    assert_eq!(
        run(&root, &[("ALEMBIC_RS_CACHE_DIR", &own), ("HOME", &home)]),
        expected
    );
    assert_eq!(entries(&own).len(), 1);
    assert!(entries(&home).is_empty());
    assert_eq!(
        run(&root, &[("XDG_CACHE_HOME", &xdg), ("HOME", &home)]),
        expected
    );
    assert_eq!(entries(&xdg.join("alembic-rs")).len(), 1);
    assert!(entries(&home).is_empty());
    assert_eq!(run(&root, &[("HOME", &home)]), expected);
    let cached = entries(&home.join(".cache/alembic-rs"));
    assert_eq!(cached.len(), 1);
    assert!(cached[0].extension().is_some_and(|e| e == "meta"));
    // warm, same answer
    assert_eq!(run(&root, &[("HOME", &home)]), expected);

    // a cache directory that cannot be created is not an error
    let file = root.join("a-file");
    fs::write(&file, "x").unwrap();
    assert_eq!(
        run(&root, &[("ALEMBIC_RS_CACHE_DIR", &file.join("sub"))]),
        expected
    );
    // nor is having nowhere to put it
    assert_eq!(run(&root, &[]), expected);
}

/// The embedded shim's compiled modules live beside the metadata cache
/// (`shim-<build>/<python magic>/`): written by the first command that
/// runs env.py, read by the next, ignored when damaged, never written
/// with the cache off.
#[test]
fn shim_code_is_cached_beside_the_metadata() {
    cache_root();
    let tmp = tempfile::tempdir().unwrap();
    let root = fs::canonicalize(tmp.path()).unwrap();
    write(
        &root.join("alembic.ini"),
        "[alembic]\nscript_location = %(here)s/scripts\n",
    );
    write(
        &root.join("scripts/env.py"),
        "from alembic import context, op\nprint('env ran', context.is_offline_mode())\n",
    );
    fs::create_dir_all(root.join("scripts/versions")).unwrap();
    let own = root.join("own");
    let python = |env: &[(&str, &Path)]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_alembic-rs"));
        cmd.arg("current")
            .current_dir(&root)
            .env(
                "VIRTUAL_ENV",
                Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv-host"),
            )
            .env_remove("ALEMBIC_CONFIG")
            .env_remove("ALEMBIC_RS_CACHE_DIR")
            .env_remove("ALEMBIC_RS_NO_CACHE")
            .env_remove("ALEMBIC_RS_SHIM_DIR");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let code_files = || -> Vec<PathBuf> {
        entries(&own)
            .into_iter()
            .filter(|d| {
                d.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("shim-")
            })
            .flat_map(|d| entries(&d))
            .flat_map(|d| entries(&d))
            .collect()
    };

    let one = Path::new("1");
    let expected = python(&[("ALEMBIC_RS_NO_CACHE", one), ("ALEMBIC_RS_CACHE_DIR", &own)]);
    assert_eq!(expected, "env ran False\n");
    assert!(entries(&own).is_empty());

    assert_eq!(python(&[("ALEMBIC_RS_CACHE_DIR", &own)]), expected);
    let written = code_files();
    let host = written
        .iter()
        .find(|p| p.file_name().unwrap() == "alembic._rs.host.code")
        .expect("the host module is compiled and kept")
        .clone();
    assert!(
        written.iter().all(|p| p.extension().unwrap() == "code"),
        "{written:?}"
    );

    assert_eq!(python(&[("ALEMBIC_RS_CACHE_DIR", &own)]), expected);
    fs::write(&host, b"not marshal data").unwrap();
    assert_eq!(python(&[("ALEMBIC_RS_CACHE_DIR", &own)]), expected);
    assert_ne!(fs::read(&host).unwrap(), b"not marshal data", "rewritten");
}
