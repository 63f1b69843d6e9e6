//! Parsed function bodies kept between runs, as `.pyc` files keep
//! Alembic's compiled revisions: parsing is most of the static path's
//! cost (~70 µs a file). One file per set of version directories beside
//! the metadata cache, keyed per revision file by the same stamp
//! (`script::Stamp`) and invalidated by a new build of alembic-rs; any
//! failure to read or write it only means parsing again.

use std::collections::HashMap;
use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::extract::{StaticModule, extract};
use crate::script::{self, Stamp};

#[derive(Serialize, Deserialize)]
struct CacheFile {
    build: u64,
    entries: Vec<Entry>,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    path: String,
    stamp: (u64, (i64, u32), (i64, u32), u64, u64),
    module: StaticModule,
}

fn key(s: &Stamp) -> (u64, (i64, u32), (i64, u32), u64, u64) {
    (s.size, s.mtime, s.ctime, s.ino, s.dev)
}

/// Whether the revision file at `path` must be imported to reproduce
/// Alembic, which imports every revision file when it loads its revision
/// map: an import that fails fails the command before anything ran, and a
/// revision may fill the models' metadata. A file whose module-level code
/// was read as inert can skip that; an unread one cannot.
pub fn needs_import(modules: &HashMap<String, StaticModule>, path: &str) -> bool {
    modules.get(path).is_none_or(|m| !m.inert)
}

/// The static reading of every file in `paths`, from the cache where the
/// file is unchanged.
pub fn load(paths: Vec<String>) -> HashMap<String, StaticModule> {
    let mut dirs: Vec<&str> = paths
        .iter()
        .map(|p| Path::new(p).parent().and_then(Path::to_str).unwrap_or(""))
        .collect();
    dirs.sort_unstable();
    dirs.dedup();
    let file = script::side_file("ops", dirs.join("\0").as_bytes());
    let build = script::build_id();
    let mut old: HashMap<String, Entry> = file
        .as_ref()
        .and_then(|f| std::fs::read(f).ok())
        .and_then(|b| bincode::deserialize::<CacheFile>(&b).ok())
        .filter(|c| c.build == build)
        .map(|c| c.entries.into_iter().map(|e| (e.path.clone(), e)).collect())
        .unwrap_or_default();

    let results: Vec<(String, Option<Entry>, Option<StaticModule>)> = paths
        .into_par_iter()
        .map(|path| {
            let stamp = script::stamp_of(Path::new(&path));
            let hit = old
                .get(&path)
                .is_some_and(|e| stamp.is_some_and(|(s, _)| key(&s) == e.stamp));
            if hit {
                return (path, None, None);
            }
            let module = match std::fs::read_to_string(&path) {
                Ok(src) => extract(&src),
                Err(e) => StaticModule::declined(format!("unreadable: {e}")),
            };
            match stamp {
                Some((s, true)) => {
                    let entry = Entry {
                        path: path.clone(),
                        stamp: key(&s),
                        module,
                    };
                    (path, Some(entry), None)
                }
                _ => (path, None, Some(module)),
            }
        })
        .collect();

    let mut out = HashMap::with_capacity(results.len());
    let mut changed = false;
    let mut unstored = Vec::new();
    for (path, entry, module) in results {
        match (entry, module) {
            (Some(e), _) => {
                changed = true;
                old.insert(path, e);
            }
            (None, Some(m)) => unstored.push((path, m)),
            (None, None) => {}
        }
    }
    if changed && let Some(f) = &file {
        let cache = CacheFile {
            build,
            entries: old.into_values().collect(),
        };
        if let Ok(bytes) = bincode::serialize(&cache) {
            let _ = script::write_side_file(f, &bytes);
        }
        old = cache
            .entries
            .into_iter()
            .map(|e| (e.path.clone(), e))
            .collect();
    }
    out.extend(unstored);
    out.extend(old.into_values().map(|e| (e.path, e.module)));
    out
}
