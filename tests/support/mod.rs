//! Shared by the differential tests: the oracle interpreter, a small PRNG,
//! and the random revision-graph generator.
#![allow(dead_code)]

use std::path::PathBuf;

pub mod offline;
pub mod online;
pub mod tls;
use alembic_rs::revision::Revision;

/// The oracle interpreter, or `None` (then the test is skipped locally and
/// fails under CI).
pub fn oracle_python() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("ALEMBIC_RS_ORACLE_PYTHON").map(PathBuf::from),
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv-oracle/bin/python")),
    ];
    let found = candidates.into_iter().flatten().find(|p| p.exists());
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "the oracle virtualenv is missing; run scripts/test-env.sh"
        );
        eprintln!("SKIPPED: no oracle python (run scripts/test-env.sh)");
    }
    found
}

/// The virtualenv alembic-rs runs with: `ALEMBIC_RS_HOST_VENV`, else
/// `.venv-host` (SQLAlchemy only). The variable lets the same tests run
/// with another SQLAlchemy (scripts/test-sqlalchemy-versions.sh).
pub fn host_venv() -> PathBuf {
    std::env::var_os("ALEMBIC_RS_HOST_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv-host"))
}

/// The virtualenv of the async tests: `ALEMBIC_RS_HOST_ASYNC_VENV`, else
/// `.venv-host-async` (SQLAlchemy and greenlet).
pub fn host_async_venv() -> PathBuf {
    std::env::var_os("ALEMBIC_RS_HOST_ASYNC_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv-host-async"))
}

/// splitmix64: small, deterministic, no dependency.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e3779b97f4a7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

pub fn gen_graph(rng: &mut Rng) -> Vec<Revision> {
    let n = 1 + rng.below(40);
    let mut revs: Vec<Revision> = Vec::new();
    let mut heads: Vec<usize> = Vec::new();
    let mut label_no = 0;
    for i in 0..n {
        // Ids of mixed shapes; some share prefixes on purpose.
        let id = loop {
            let len = *rng.pick(&[4usize, 5, 8, 12, 12]);
            let stem = if i > 0 && rng.chance(15) {
                revs[rng.below(revs.len())].revision[..3].to_string()
            } else {
                String::new()
            };
            let mut s = stem;
            while s.len() < len {
                s.push(*rng.pick(&['a', 'b', 'c', 'd', 'e', 'f', '0', '1', '2', '3', '9']));
            }
            if !revs.iter().any(|r| r.revision == s) {
                break s;
            }
        };
        let mut down: Vec<String> = Vec::new();
        if !revs.is_empty() && !rng.chance(12) {
            if heads.len() >= 2 && rng.chance(25) {
                let a = heads[rng.below(heads.len())];
                let b = heads[rng.below(heads.len())];
                if a != b {
                    down = vec![revs[a].revision.clone(), revs[b].revision.clone()];
                }
            }
            if down.is_empty() {
                let parent = if rng.chance(70) && !heads.is_empty() {
                    heads[rng.below(heads.len())]
                } else {
                    rng.below(revs.len())
                };
                down = vec![revs[parent].revision.clone()];
            }
        }
        let mut deps = Vec::new();
        if revs.len() > 2 && rng.chance(12) {
            let target = &revs[rng.below(revs.len())];
            if !down.contains(&target.revision) {
                deps.push(target.revision.clone());
            }
        }
        let mut labels = Vec::new();
        if rng.chance(12) {
            label_no += 1;
            labels.push(format!("lbl{label_no}"));
        }
        heads.retain(|h| !down.contains(&revs[*h].revision));
        heads.push(revs.len());
        revs.push(Revision {
            revision: id,
            down_revision: down,
            dependencies: deps,
            branch_labels: labels,
        });
    }
    revs
}
