//! Seeded robustness and differential harness: bad input must give a clear
//! error, never a panic, and revision metadata must be read as CPython
//! (Alembic's import) reads it.
//!
//! * `revision_files_vs_cpython`: revision files (the fixtures' and the
//!   example project's `versions/*.py`, and files generated here with the
//!   metadata written every way Python allows), mutated at the token and
//!   byte level, read by [`Script::from_source`] and by the oracle
//!   interpreter (`tests/robustness/oracle.py`: `compile()`, then the module
//!   executed in a fresh namespace, as Alembic imports it). The outcomes
//!   must agree: the same `revision`/`down_revision`/`branch_labels`/
//!   `depends_on` and docstring; alembic-rs's "not literal"/"bad value"
//!   answers are allowed (the Python fallback answers them); a syntax error
//!   alembic-rs reports must be one CPython reports too, unless
//!   rustpython-parser rejects the whole file as well (a known parser gap,
//!   counted and printed); a syntax error CPython reports outside the
//!   metadata statements is not seen by alembic-rs (docs/differences.md).
//! * `no_panic_*`: alembic.ini files, pyproject.toml `[tool.alembic]`
//!   sections, script.py.mako templates, database URLs and revision target
//!   arguments, mutated and fed to the library's parsers inside
//!   `catch_unwind`; `no_panic_binary_sample` runs the built binary on a
//!   sample (exit status 101 or `panicked at` is a failure).
//!
//! Every case is drawn from a seed (splitmix64, `support::Rng`), so a
//! failure names the seed that reproduces it. The default seed lists keep
//! the whole file under 30 s in release on one core. For a longer run:
//!
//! ```text
//! ALEMBIC_RS_ROBUSTNESS_SEEDS=1-20000 ALEMBIC_RS_ORACLE_PYTHON=$PWD/.venv-oracle/bin/python \
//!   cargo nextest run --release --test robustness --no-capture
//! ```
//!
//! (`A-B` or a single number; the seeds replace each test's default list.)
//! `ALEMBIC_RS_ROBUSTNESS_KEEP=<dir>` keeps the revision files and the
//! oracle's answers there.

mod support;

use std::panic::{AssertUnwindSafe, catch_unwind};

/// The seeds to run: `ALEMBIC_RS_ROBUSTNESS_SEEDS` (`A-B` or `N`), else `default`.
fn seeds(default: std::ops::Range<u64>) -> std::ops::Range<u64> {
    match std::env::var("ALEMBIC_RS_ROBUSTNESS_SEEDS") {
        Ok(s) => match s.split_once('-') {
            Some((a, b)) => a.trim().parse().unwrap()..b.trim().parse::<u64>().unwrap() + 1,
            None => {
                let n: u64 = s.trim().parse().unwrap();
                n..n + 1
            }
        },
        Err(_) => default,
    }
}

/// Runs `f`, turning a panic into its message.
fn no_panic<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|e| {
        e.downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "<non-string panic>".into())
    })
}

fn quiet_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::env::var_os("ALEMBIC_RS_ROBUSTNESS_VERBOSE").is_some() {
                default(info);
            }
        }));
    });
}

/// The files under the repository's `dir` that `keep` accepts, depth first
/// in name order (so a seed's corpus is the same on every machine).
fn repo_files(dir: &str, keep: &dyn Fn(&std::path::Path) -> bool) -> Vec<std::path::PathBuf> {
    fn walk(
        dir: &std::path::Path,
        keep: &dyn Fn(&std::path::Path) -> bool,
        out: &mut Vec<std::path::PathBuf>,
    ) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, keep, out);
            } else if keep(&p) {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir),
        keep,
        &mut out,
    );
    out
}

/// Prints the failures (the panic hook is quiet) and fails the test.
fn report_failures(failures: &[String]) {
    if failures.is_empty() {
        return;
    }
    eprintln!("{} FAILURES:", failures.len());
    for f in failures.iter().take(40) {
        eprintln!("FAIL {f}");
    }
    panic!("{} failures (printed above)", failures.len());
}

#[path = "robustness/bad_input.rs"]
mod bad_input;
#[path = "robustness/mutation.rs"]
mod mutation;
#[path = "robustness/revision_files.rs"]
mod revision_files;
