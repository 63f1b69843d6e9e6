//! The read-only commands through the built binary and through real
//! Alembic, on random projects written to disk: same stdout, stderr and exit
//! code for `heads`, `branches`, `history` (`-v`, `-r`) and `show` with many
//! identifier expressions, valid and invalid.
//!
//! Normalised, because Alembic takes these from Python's hash seed or its
//! own source paths: the order of ids on `Branches into:` lines and of the
//! child lines under a branch point in `branches`; the body of a traceback
//! when Alembic dies with an uncaught exception (only the final exception
//! line is compared); the order of several branch labels on a line and of
//! the revisions an overlap error lists (Python sets).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

mod support;
use support::{Rng, gen_graph, oracle_python};

use alembic_rs::revision::Revision;

/// Writes a project in one of several file styles Alembic users have.
fn write_project(dir: &Path, revs: &[Revision], rng: &mut Rng) {
    let versions = dir.join("migrations/versions");
    std::fs::create_dir_all(&versions).unwrap();
    std::fs::write(
        dir.join("alembic.ini"),
        "[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = sqlite://\n",
    )
    .unwrap();
    let lit = |v: &[String], rng: &mut Rng| -> String {
        let q = |s: &String| format!("'{s}'");
        match v {
            [] => "None".into(),
            [one] if rng.chance(80) => q(one),
            [one] => format!("({},)", q(one)),
            many if rng.chance(50) => {
                format!("({})", many.iter().map(q).collect::<Vec<_>>().join(", "))
            }
            many => format!("[{}]", many.iter().map(q).collect::<Vec<_>>().join(", ")),
        }
    };
    for (i, r) in revs.iter().enumerate() {
        let annotated = rng.chance(50);
        let ann = |t: &str| {
            if annotated {
                format!(": {t}")
            } else {
                String::new()
            }
        };
        let doc = match rng.below(4) {
            0 => String::new(),
            1 => format!("\"\"\"step {i}\"\"\"\n"),
            _ => format!(
                "\"\"\"step {i} of the history\n\nRevision ID: {}\nRevises: {}\nCreate Date: 2024-01-0{} 10:00:00\n\n\"\"\"\n",
                r.revision,
                r.down_revision.join(", "),
                1 + i % 9
            ),
        };
        let text = format!(
            "{doc}from typing import Sequence, Union\n\nfrom alembic import op\nimport sqlalchemy as sa\n\n# revision identifiers, used by Alembic.\nrevision{} = '{}'\ndown_revision{} = {}\nbranch_labels{} = {}\ndepends_on{} = {}\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n",
            ann("str"),
            r.revision,
            ann("Union[str, Sequence[str], None]"),
            lit(&r.down_revision, rng),
            ann("Union[str, Sequence[str], None]"),
            lit(&r.branch_labels, rng),
            ann("Union[str, Sequence[str], None]"),
            lit(&r.dependencies, rng),
        );
        std::fs::write(versions.join(format!("{}_step_{i}.py", r.revision)), text).unwrap();
    }
}

fn commands(revs: &[Revision], rng: &mut Rng) -> Vec<Vec<String>> {
    let ids: Vec<&str> = revs.iter().map(|r| r.revision.as_str()).collect();
    let labels: Vec<&str> = revs
        .iter()
        .flat_map(|r| r.branch_labels.iter().map(String::as_str))
        .collect();
    let mut c: Vec<Vec<&str>> = vec![
        vec!["heads"],
        vec!["heads", "-v"],
        vec!["heads", "--resolve-dependencies"],
        vec!["branches"],
        vec!["branches", "-v"],
        vec!["history"],
        vec!["history", "-v"],
        vec!["show", "head"],
        vec!["show", "heads"],
        vec!["show", "base"],
        vec!["show", "-1"],
        vec!["show", "nosuch"],
        vec!["history", "-r", "base:heads"],
        vec!["history", "--rev-range=-2:"],
        vec!["history", "-r", "nocolon"],
        // an empty identifier: Alembic's `assert resolved_id` (fuzz-cli.py)
        vec!["show", ""],
        vec!["history", "-r", "@:"],
    ];
    let mut owned: Vec<Vec<String>> = c
        .drain(..)
        .map(|v| v.iter().map(|s| s.to_string()).collect())
        .collect();
    for _ in 0..8 {
        let id = *rng.pick(&ids);
        owned.push(vec![
            "show".into(),
            id[..1 + rng.below(id.len())].to_string(),
        ]);
        let a = *rng.pick(&ids);
        let b = *rng.pick(&ids);
        owned.push(vec!["history".into(), "-r".into(), format!("{a}:{b}")]);
    }
    for l in labels {
        owned.push(vec!["show".into(), format!("{l}@head")]);
        owned.push(vec![
            "history".into(),
            "-r".into(),
            format!("{l}@base:{l}@head"),
        ]);
    }
    owned
}

/// Sorts what Alembic orders by Python's hash seed; keeps only the last line
/// of a traceback.
fn normalise(out: &str, code: i64) -> String {
    if code == 1 && out.starts_with("Traceback") {
        return out.trim_end().lines().last().unwrap_or("").to_string();
    }
    let mut lines: Vec<String> = Vec::new();
    let mut children: Vec<String> = Vec::new();
    for line in out.split('\n') {
        if line.trim_start().starts_with("-> ") {
            children.push(sort_groups(line));
            continue;
        }
        if !children.is_empty() {
            children.sort();
            lines.append(&mut children);
        }
        let mut sorted = false;
        for prefix in ["Branches into: ", "Branch names: "] {
            if let Some(rest) = line.strip_prefix(prefix) {
                let mut ids: Vec<&str> = rest.split(", ").collect();
                ids.sort();
                lines.push(format!("{prefix}{}", ids.join(", ")));
                sorted = true;
            }
        }
        const OVERLAP: &str = " overlaps with other requested revisions ";
        if let Some(i) = line.find(OVERLAP) {
            let mut revs: Vec<&str> = line[i + OVERLAP.len()..].split(", ").collect();
            revs.sort();
            lines.push(format!("{}{OVERLAP}{}", &line[..i], revs.join(", ")));
            sorted = true;
        }
        if !sorted {
            lines.push(sort_groups(line));
        }
    }
    children.sort();
    lines.append(&mut children);
    lines.join("\n")
}

/// Sorts the items of every `(a, b)` group on a line: several branch labels
/// come from a Python set.
fn sort_groups(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(open) = rest.find('(') {
        let Some(close) = rest[open..].find(')') else {
            break;
        };
        out.push_str(&rest[..=open]);
        let mut items: Vec<&str> = rest[open + 1..open + close].split(", ").collect();
        items.sort();
        out.push_str(&items.join(", "));
        out.push(')');
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

fn run_seeds(seeds: std::ops::Range<u64>) {
    let Some(python) = oracle_python() else {
        return;
    };
    let runner = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/run_oracle.py");
    let mut failures = Vec::new();
    for seed in seeds {
        let mut rng = Rng(seed * 104729 + 3);
        let revs = gen_graph(&mut rng);
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        write_project(dir, &revs, &mut rng);
        let cmds = commands(&revs, &mut rng);
        let mut child = Command::new(&python)
            .arg(&runner)
            .env("PYTHONHASHSEED", "0")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let req = json!({"cwd": dir, "prog": "alembic-rs", "commands": cmds});
        child
            .stdin
            .take()
            .unwrap()
            .write_all(req.to_string().as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "oracle runner failed");
        let expected: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
        for (cmd, want) in cmds.iter().zip(expected) {
            let got = Command::new(env!("CARGO_BIN_EXE_alembic-rs"))
                .args(cmd)
                .current_dir(dir)
                .env_remove("ALEMBIC_CONFIG")
                .stdin(Stdio::null())
                .output()
                .unwrap();
            let code = got.status.code().unwrap_or(-1) as i64;
            let want_code = want["code"].as_i64().unwrap();
            let pairs = [
                (
                    "stdout",
                    want["stdout"].as_str().unwrap().to_string(),
                    String::from_utf8_lossy(&got.stdout).to_string(),
                ),
                (
                    "stderr",
                    want["stderr"].as_str().unwrap().to_string(),
                    String::from_utf8_lossy(&got.stderr).to_string(),
                ),
            ];
            if code != want_code {
                failures.push(format!("seed {seed}: {cmd:?}: exit {code}, alembic {want_code}\n  alembic: {:?}\n  ours: {:?}", pairs[0].1.clone() + &pairs[1].1, pairs[0].2.clone() + &pairs[1].2));
                continue;
            }
            for (what, w, g) in pairs {
                if normalise(&w, want_code) != normalise(&g, code) {
                    failures.push(format!(
                        "seed {seed}: {cmd:?}: {what} differs\n--- alembic\n{w}\n--- ours\n{g}"
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures
            .iter()
            .take(6)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn projects_000_to_050() {
    run_seeds(0..50);
}

#[test]
fn projects_050_to_100() {
    run_seeds(50..100);
}

#[test]
fn projects_100_to_150() {
    run_seeds(100..150);
}

#[test]
fn projects_150_to_200() {
    run_seeds(150..200);
}

/// Output in an encoding other than UTF-8 (`PYTHONIOENCODING=ascii`, a
/// latin-1 one, `PYTHONUTF8=0` in the C locale): Alembic encodes every
/// message to `sys.stdout.encoding` with `?` for what it cannot hold, and
/// so must the graph commands alembic-rs prints without Python, and
/// `Config.print_stdout` from env.py. Compared byte for byte.
#[test]
fn output_in_the_stdout_encoding() {
    let Some(python) = oracle_python() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let versions = dir.join("migrations/versions");
    std::fs::create_dir_all(&versions).unwrap();
    std::fs::write(
        dir.join("alembic.ini"),
        "[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = sqlite://\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("migrations/env.py"),
        "from alembic import context\ncontext.config.print_stdout('env: café € %s', 'ü')\n",
    )
    .unwrap();
    std::fs::write(
        versions.join("a1_cafe.py"),
        "\"\"\"añadir café €\n\nRevision ID: a1\nRevises:\nCreate Date: 2026-12-07 01:02:03\n\n\
         Más detalles: ñ ü ß 😀\n\"\"\"\nrevision = 'a1'\ndown_revision = None\n\
         branch_labels = ('ñame',)\n",
    )
    .unwrap();
    let settings: [&[(&str, &str)]; 4] = [
        &[("PYTHONIOENCODING", "ascii")],
        &[("PYTHONIOENCODING", "latin-1:strict")],
        &[("PYTHONUTF8", "0"), ("LC_ALL", "C")],
        &[("PYTHONUTF8", "0"), ("LANG", "C")],
    ];
    let commands: [&[&str]; 6] = [
        &["history"],
        &["history", "-v"],
        &["show", "a1"],
        &["branches", "-v"],
        &["current"],
        // argparse's usage error, on stderr (backslash escapes there)
        &["heads", "--bogus-é€😀"],
    ];
    // argparse names the program after argv[0]: ours runs as `alembic`
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_alembic-rs"), bin.join("alembic")).unwrap();
    let mut failures = Vec::new();
    for env in settings {
        for args in commands {
            // Python decodes argv in the locale's encoding: not UTF-8
            // there (docs/differences.md)
            if args.last().is_some_and(|a| a.starts_with("--bogus"))
                && env.contains(&("LC_ALL", "C"))
            {
                continue;
            }
            let run = |mut cmd: Command| {
                cmd.args(args)
                    .current_dir(dir)
                    .env_remove("ALEMBIC_CONFIG")
                    .env_remove("PYTHONIOENCODING")
                    .env_remove("PYTHONUTF8")
                    .env_remove("LC_ALL")
                    .env_remove("LC_CTYPE")
                    .env_remove("LANG")
                    .envs(env.iter().copied())
                    .stdin(Stdio::null());
                cmd.output().unwrap()
            };
            let mut oracle = Command::new(&python);
            oracle.args(["-m", "alembic"]);
            let want = run(oracle);
            let mut ours = Command::new(bin.join("alembic"));
            ours.env("VIRTUAL_ENV", support::host_venv());
            let got = run(ours);
            let seen =
                |o: &std::process::Output| (o.status.code(), o.stdout.clone(), o.stderr.clone());
            if seen(&want) != seen(&got) {
                failures.push(format!(
                    "{env:?} {args:?}:\n--- alembic {:?}\n{:?}\n{:?}\n--- ours {:?}\n{:?}\n{:?}",
                    want.status.code(),
                    String::from_utf8_lossy(&want.stdout),
                    String::from_utf8_lossy(&want.stderr),
                    got.status.code(),
                    String::from_utf8_lossy(&got.stdout),
                    String::from_utf8_lossy(&got.stderr)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
