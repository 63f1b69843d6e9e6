//! link/python-phase.order keeps the code alembic-rs runs while Python runs
//! together, which is what holds its peak memory under Alembic's
//! (docs/performance.md, "Peak memory"). The linker skips names it does not
//! find without a word, so a file gone stale (functions renamed, moved,
//! dependencies upgraded) silently costs memory; this test says so instead.

use std::collections::HashSet;
use std::process::Command;

#[test]
fn the_order_files_names_are_the_binarys() {
    // build.rs sets this only where it passes the file to the linker; the
    // names are a release build's
    if option_env!("ALEMBIC_RS_LINK_ORDER").is_none() || cfg!(debug_assertions) {
        return;
    }
    let Ok(out) = Command::new("nm")
        .arg(env!("CARGO_BIN_EXE_alembic-rs"))
        .output()
    else {
        eprintln!("skipped: no `nm` on PATH");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let symbols: HashSet<&str> = text
        .lines()
        .filter_map(|l| l.split_whitespace().last())
        .collect();
    let order = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/link/python-phase.order"
    ))
    .unwrap();
    let names: Vec<&str> = order
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let missing = names.iter().filter(|n| !symbols.contains(*n)).count();
    // a few go with every edit; a fifth means the file no longer describes this code
    assert!(
        missing * 5 < names.len(),
        "{missing} of the {} names in link/python-phase.order are not in the binary: \
         regenerate it with scripts/link-order.sh",
        names.len()
    );
}
