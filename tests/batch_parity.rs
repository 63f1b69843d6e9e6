//! Batch mode ("move and copy") against Alembic, case by case: runs
//! `tests/batch/run.sh` (each case through real Alembic and through the
//! injected `alembic` package, in separate processes) and fails on any
//! difference.

use std::process::Command;

#[test]
fn batch_mode_matches_alembic() {
    let root = env!("CARGO_MANIFEST_DIR");
    let oracle = std::path::Path::new(root).join(".venv-oracle/bin/python");
    if !oracle.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "the oracle venv is missing under CI; run scripts/test-env.sh"
        );
        eprintln!("SKIPPED: no .venv-oracle (run scripts/test-env.sh)");
        return;
    }
    let out = Command::new("bash")
        .arg(format!("{root}/tests/batch/run.sh"))
        .current_dir(root)
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "batch parity failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
