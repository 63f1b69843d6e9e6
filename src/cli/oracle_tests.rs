//! Differential tests: the same argv vectors through Alembic's own argparse
//! layer (`tests/oracle/argparse_driver.py`) and through ours, comparing
//! stdout, stderr, exit code and the parsed values. Skipped (with a note on
//! stderr) when no oracle interpreter is installed: `.venv-oracle/bin/python`
//! in the repository root, else `/tmp/ovenv/bin/python`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{Value as Json, json};

use super::argparse::{command_parser, parse_args_with_columns, top_parser};
use super::args::{CommandArgs, GlobalOptions, ParseOutcome};
use super::help;
use super::spec::{Kind, Nargs, command_names};
use crate::python::CmdArg;

fn oracle_python() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        root.join(".venv-oracle/bin/python"),
        PathBuf::from("/tmp/ovenv/bin/python"),
    ]
    .into_iter()
    .find(|p| p.exists())
}

#[derive(Clone, Debug)]
struct Case {
    prog: String,
    argv: Vec<String>,
    /// `None`: COLUMNS unset (the oracle's stdout is a pipe: 80 columns).
    columns: Option<i64>,
}

fn case(prog: &str, argv: &[&str], columns: Option<i64>) -> Case {
    Case {
        prog: prog.to_string(),
        argv: argv.iter().map(|s| s.to_string()).collect(),
        columns,
    }
}

fn opt_list(v: &[String]) -> Json {
    if v.is_empty() { Json::Null } else { json!(v) }
}

/// Our parse result in the oracle's shape.
fn namespace(g: &GlobalOptions, c: &CommandArgs) -> Json {
    let mut ns = json!({
        "config": opt_list(&g.config),
        "name": g.name,
        "x": opt_list(&g.x),
        "raiseerr": g.raiseerr,
        "quiet": g.quiet,
        "cmd": c.name(),
    });
    let extra = match c {
        CommandArgs::Init {
            directory,
            template,
            package,
        } => {
            json!({"directory": directory, "template": template, "package": package})
        }
        CommandArgs::ListTemplates | CommandArgs::Check => json!({}),
        CommandArgs::Revision {
            message,
            autogenerate,
            sql,
            head,
            splice,
            branch_label,
            version_path,
            rev_id,
            depends_on,
        } => json!({
            "message": message, "autogenerate": autogenerate, "sql": sql, "head": head,
            "splice": splice, "branch_label": branch_label, "version_path": version_path,
            "rev_id": rev_id, "depends_on": opt_list(depends_on),
        }),
        CommandArgs::Merge {
            revisions,
            message,
            branch_label,
            rev_id,
            splice,
        } => json!({
            "revisions": revisions, "message": message, "branch_label": branch_label,
            "rev_id": rev_id, "splice": splice,
        }),
        CommandArgs::Upgrade { revision, sql, tag }
        | CommandArgs::Downgrade { revision, sql, tag } => {
            json!({"revision": revision, "sql": sql, "tag": tag})
        }
        CommandArgs::Current {
            check_heads,
            verbose,
        } => {
            json!({"check_heads": check_heads, "verbose": verbose})
        }
        CommandArgs::History {
            rev_range,
            verbose,
            indicate_current,
        } => {
            json!({"rev_range": rev_range, "verbose": verbose, "indicate_current": indicate_current})
        }
        CommandArgs::Heads {
            verbose,
            resolve_dependencies,
        } => {
            json!({"verbose": verbose, "resolve_dependencies": resolve_dependencies})
        }
        CommandArgs::Branches { verbose } => json!({"verbose": verbose}),
        CommandArgs::Show { rev } | CommandArgs::Edit { rev } => json!({"rev": rev}),
        CommandArgs::Stamp {
            revisions,
            sql,
            tag,
            purge,
        } => {
            json!({"revisions": revisions, "sql": sql, "tag": tag, "purge": purge})
        }
        CommandArgs::EnsureVersion { sql } => json!({"sql": sql}),
    };
    if let (Some(ns), Json::Object(extra)) = (ns.as_object_mut(), extra) {
        ns.extend(extra);
    }
    ns
}

fn ours(case: &Case) -> Json {
    let columns = match case.columns {
        Some(c) if c > 0 => c,
        _ => 80,
    };
    match parse_args_with_columns(&case.prog, &case.argv, columns) {
        ParseOutcome::Run(g, c, cmd_opts) => {
            let mut ns = namespace(&g, &c);
            let order: Vec<&str> = cmd_opts.iter().map(|(k, _)| *k).collect();
            let signature = cmd_opts.iter().find_map(|(_, v)| match v {
                CmdArg::Command {
                    positional,
                    keywords,
                    ..
                } => Some(json!([positional, keywords])),
                _ => None,
            });
            ns["@order"] = json!(order);
            ns["@signature"] = json!(signature);
            json!({"stdout": "", "stderr": "", "code": 0, "ns": ns})
        }
        ParseOutcome::Exit {
            stdout,
            stderr,
            code,
        } => {
            json!({"stdout": stdout, "stderr": stderr, "code": code, "ns": null})
        }
    }
}

fn run_oracle(python: &Path, request: &Json) -> Json {
    let driver = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/argparse_driver.py");
    let mut child = Command::new(python)
        .arg(&driver)
        .env_remove("COLUMNS")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the oracle");
    let input = serde_json::to_vec(request).unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().expect("run the oracle");
    writer.join().unwrap().unwrap();
    assert!(
        out.status.success(),
        "oracle failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("oracle output is JSON")
}

/// The one documented difference in parsed values: argparse stores an
/// empty list for `--opt=--` (a single-valued option whose only value is
/// the removed `--`); alembic-rs stores `""`.
fn normalise_empty_lists(result: &Json) -> Json {
    let mut result = result.clone();
    let empty = |v: &Json| v.as_array().is_some_and(|a| a.is_empty());
    if let Some(ns) = result.get_mut("ns").and_then(Json::as_object_mut) {
        for (key, value) in ns.iter_mut() {
            let list_valued = matches!(key.as_str(), "revisions" | "config" | "x" | "depends_on");
            if !list_valued && empty(value) {
                *value = json!("");
            }
            if list_valued && let Some(items) = value.as_array_mut() {
                for item in items.iter_mut().filter(|i| empty(i)) {
                    *item = json!("");
                }
            }
        }
    }
    result
}

/// Values to give options that take one.
const VALUES: &[&str] = &[
    "val", "-1", "-1:", "--", "", "a b", "-x y", "=v", "héllo", "-", "1:2",
];

fn command_cases(cases: &mut Vec<Case>, name: &str) {
    let p = command_parser("alembic-rs", name).unwrap();
    let positional: Vec<&str> = p
        .actions
        .iter()
        .filter(|a| a.option_strings.is_empty())
        .flat_map(|a| match a.nargs {
            Nargs::OneOrMore => vec!["a", "b"],
            _ => vec!["x"],
        })
        .collect();
    let mut base = vec![name];
    base.extend(&positional);
    let with = |extra: &[&str]| -> Vec<String> {
        base.iter()
            .chain(extra.iter())
            .map(|s| s.to_string())
            .collect()
    };
    let push = |cases: &mut Vec<Case>, argv: Vec<String>| {
        cases.push(Case {
            prog: "alembic-rs".into(),
            argv,
            columns: None,
        });
    };
    let simple: &[&[&str]] = &[
        &[],
        &["-h"],
        &["--help"],
        &["--h"],
        &["--he"],
        &["--bogus"],
        &["--bogus=1"],
        &["-Z"],
        &["extra"],
        &["extra", "more"],
        &["-1"],
        &["-1:"],
        &["-1.5"],
        &["-.5"],
        &["-1e3"],
        &["--", "-z"],
        &["--", "--"],
        &["-"],
        &[""],
        &["--sql"],
        &["-x", "a"],
        &["-c", "a"],
        &["--version"],
        &["-q"],
        &["--="],
        &["--=x"],
        &["-h", "--bogus"],
        &["--bogus", "-h"],
    ];
    for extra in simple {
        push(cases, with(extra));
        let mut alone = vec![name.to_string()];
        alone.extend(extra.iter().map(|s| s.to_string()));
        push(cases, alone);
    }
    push(cases, vec![name.into(), "--".into(), "-1:".into()]);
    push(
        cases,
        vec![
            name.into(),
            "--".into(),
            "a".into(),
            "--".into(),
            "b".into(),
        ],
    );
    push(
        cases,
        vec![name.into(), "a".into(), "--".into(), "b".into()],
    );

    let options: Vec<_> = p
        .actions
        .iter()
        .filter(|a| !a.option_strings.is_empty())
        .collect();
    for a in &options {
        let takes_value = a.nargs == Nargs::Single;
        for os in &a.option_strings {
            if takes_value {
                push(cases, with(&[os]));
                for v in VALUES {
                    push(cases, with(&[os, v]));
                    push(cases, with(&[&format!("{os}={v}")]));
                    if !os.starts_with("--") {
                        push(cases, with(&[&format!("{os}{v}")]));
                    }
                }
                push(cases, with(&[os, "a", os, "b"]));
                // options before the positional
                let mut before = vec![name.to_string(), os.to_string(), "v".into()];
                before.extend(positional.iter().map(|s| s.to_string()));
                push(cases, before);
            } else {
                for extra in [
                    vec![os.to_string()],
                    vec![format!("{os}=1")],
                    vec![format!("{os}=")],
                    vec![os.to_string(), os.to_string()],
                ] {
                    let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
                    push(cases, with(&extra));
                }
            }
            if let Some(long) = os.strip_prefix("--") {
                for k in 1..long.len() {
                    let prefix = format!("--{}", &long[..k]);
                    if takes_value {
                        push(cases, with(&[&prefix, "v"]));
                        push(cases, with(&[&format!("{prefix}=v")]));
                    } else {
                        push(cases, with(&[&prefix]));
                    }
                }
            }
        }
    }
    // combined short options
    let shorts: Vec<(&str, bool)> = options
        .iter()
        .flat_map(|a| {
            a.option_strings
                .iter()
                .filter(|o| !o.starts_with("--"))
                .map(|o| (&o[1..], a.nargs == Nargs::Single))
        })
        .collect();
    for (s1, _) in &shorts {
        for (s2, v2) in &shorts {
            push(cases, with(&[&format!("-{s1}{s2}")]));
            push(cases, with(&[&format!("-{s1}{s2}z")]));
            if *v2 {
                push(cases, with(&[&format!("-{s1}{s2}"), "v"]));
                push(cases, with(&[&format!("-{s1}{s2}=v")]));
            }
        }
        push(cases, with(&[&format!("-{s1}Z")]));
    }
    // every option at once, and the positional in different places
    let mut all: Vec<String> = vec![name.into()];
    for a in &options {
        if a.kind == Kind::Help {
            continue;
        }
        all.push(a.option_strings.last().unwrap().to_string());
        if a.nargs == Nargs::Single {
            all.push("v".into());
        }
    }
    let mut first = all.clone();
    first.extend(positional.iter().map(|s| s.to_string()));
    push(cases, first);
    let mut mid = vec![name.to_string()];
    mid.extend(positional.iter().map(|s| s.to_string()));
    mid.extend(all[1..].iter().cloned());
    push(cases, mid);
    if positional.len() == 2 {
        push(
            cases,
            vec![name.into(), "a".into(), "--sql".into(), "b".into()],
        );
        push(cases, vec![name.into(), "a".into(), "b".into(), "c".into()]);
    }
}

fn global_cases(cases: &mut Vec<Case>) {
    let argvs: &[&[&str]] = &[
        &[],
        &["-h"],
        &["--help"],
        &["--he"],
        &["--h"],
        &["--version"],
        &["--v"],
        &["--vers"],
        &["--version=1"],
        &["-h", "upgrade"],
        &["upgrade", "-h"],
        &["foo"],
        &["UPGRADE"],
        &["up"],
        &["--", "upgrade", "x"],
        &["--", "-q"],
        &["--"],
        &["--="],
        &["--=x"],
        &["--=x", "upgrade", "x"],
        &["upgrade", "x", "--=x"],
        &["upgrade", "x", "--", "--=x"],
        &["-q"],
        &["-c"],
        &["-c", "x"],
        &["-c", "heads"],
        &["-n"],
        &["-x"],
        &["-x", "-1", "heads"],
        &["-x", "-1:", "heads"],
        &["-x=-1:", "heads"],
        &["-x-1:", "heads"],
        &["-qc=foo", "heads"],
        &["-qcfoo", "heads"],
        &["-qc", "foo", "heads"],
        &["-qv", "heads"],
        &["-qq", "heads"],
        &["-hq"],
        &["-qh"],
        &["--conf", "a", "heads"],
        &["--config=a", "-c", "b", "heads"],
        &["--config", "a", "--config", "b", "--config", "c", "heads"],
        &["--name=x", "heads"],
        &["--na", "x", "heads"],
        &["-n", "x", "-n", "y", "heads"],
        &["-nfoo", "heads"],
        &["-n=foo", "heads"],
        &["--raiseerr=1", "heads"],
        &["--raiseerr", "--raiseerr", "heads"],
        &["--quiet", "heads"],
        &["--q", "heads"],
        &["--r", "heads"],
        &["--bogus", "heads"],
        &["--bogus", "upgrade"],
        &["--bogus", "upgrade", "x", "--bogus2"],
        &["-Z", "heads"],
        &["heads", "-x", "a"],
        &["heads", "-c", "a"],
        &["current", "-c"],
        &["-c", "a", "current", "-c"],
        &["--version", "foo"],
        &["foo", "--version"],
        &["heads", "--version"],
        &["heads", "--help", "--bogus"],
        &["--bogus", "heads", "-h"],
        &["", "heads"],
        &["-", "heads"],
        &["heads", "-"],
        &["-1"],
        &["-1", "heads"],
        &["heads", "heads"],
        &["a b"],
        &["-a b"],
        &["-c", "a b", "heads"],
        &["-x", "-a b", "heads"],
        &["upgrade", "it's"],
        &["upgrade", "x", "it's \"q\""],
        &["upgrade", "x", "tab\there"],
        &["upgrade", "x", "\u{a0}"],
        &["history", "-r", "-1:"],
        &["history", "-r=-1:"],
        &["history", "-r-1:"],
        &["history", "--rev-range=-1:"],
        &["history", "--rev", "-1:"],
        &["history", "--rev=-1:"],
        &["history", "-r", "-1"],
        &["history", "-r", "--", "x"],
        &["history", "-vir", "x"],
        &["history", "-vri"],
        &["history", "-vr=x"],
        &["downgrade", "-1"],
        &["downgrade", "--sql", "-1"],
        &["downgrade", "--sql", "-1:-2"],
        &["downgrade", "--sql", "a:-1"],
        &["revision", "-m", "-1"],
        &["revision", "-m", "-hello"],
        &["revision", "-m", "hello world", "--autogenerate"],
        &[
            "revision",
            "--depends-on",
            "a",
            "--depends-on",
            "b",
            "--dep",
            "c",
        ],
        &["revision", "--head", "base", "--head=x"],
        &["stamp", "a", "b", "--purge", "--sql", "--tag", "t"],
        &["stamp", "--sql", "a:b", "c"],
        &["merge", "heads", "-m", "merge it"],
        &["merge", "-m"],
        &["init", "-t", "async", "--package", "dir"],
        &["init", "dir", "-tpyproject"],
        &["init", "dir", "other"],
        &["-v\u{e9}"],
        &["heads", "-v\u{e9}"],
        &["heads", "--verbose=\u{e9}"],
        &["upgrade", "--tag=a=b", "x"],
        &["upgrade", "x", "--ta", "t"],
        &["stamp"],
        &["merge", "--splice"],
        &["-x", "a", "-x=b", "-xc", "heads"],
        &["-cn"],
        &["-qn", "x"],
        &["upgrade", "-1\n"],
        &["upgrade", "-1\n\n"],
        &["upgrade", "x", "--tag", "-1\n"],
        &["upgrade", "-\n"],
        &["upgrade", "-1 "],
        &["upgrade", "-\u{661}"],
        &["upgrade", "--tag", "\u{1F600}", "\u{200b}"],
        &["upgrade", "x", "\u{1F600}\u{7f}\u{85}\u{ad}"],
        &["-h", "-h"],
        &["--help", "--version"],
        &["--version", "--help"],
        &["-c", "--", "heads"],
        &["heads", "--", "--", "-v"],
    ];
    for argv in argvs {
        cases.push(case("alembic-rs", argv, None));
    }
}

/// Help, usage and version texts at several widths and program names.
fn width_cases(cases: &mut Vec<Case>) {
    let progs = [
        "alembic-rs",
        "a",
        "alembic",
        "",
        "my prog",
        "a-really-long-program-name-for-wrapping-tests",
        "p\u{e9}",
    ];
    let columns = [
        None,
        Some(0),
        Some(-3),
        Some(1),
        Some(5),
        Some(10),
        Some(20),
        Some(30),
        Some(40),
        Some(50),
        Some(60),
        Some(70),
        Some(79),
        Some(81),
        Some(100),
        Some(120),
        Some(200),
        Some(400),
    ];
    let mut argvs: Vec<Vec<String>> = vec![
        vec!["--help".into()],
        vec!["--version".into()],
        vec![],
        vec!["foo".into()],
    ];
    for name in command_names() {
        argvs.push(vec![name.into(), "-h".into()]);
        argvs.push(vec![name.into(), "--bogus-option".into()]);
        argvs.push(vec![name.into(), "--help=1".into()]);
    }
    for prog in progs {
        for c in columns {
            for argv in &argvs {
                cases.push(Case {
                    prog: prog.into(),
                    argv: argv.clone(),
                    columns: c,
                });
            }
        }
    }
}

/// Deterministic pseudo-random strings for the textwrap comparison.
fn textwrap_cases() -> Vec<(String, i64)> {
    let pieces = [
        "a", "bc", "-", "--", " ", "  ", "x1", ".", "'", "\u{e9}", "abc", "---", "1", "\t", "_",
        "!",
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut out = Vec::new();
    for _ in 0..600 {
        let len = 1 + next() % 14;
        let text: String = (0..len)
            .map(|_| pieces[(next() % pieces.len() as u64) as usize])
            .collect();
        let width = 1 + (next() % 12) as i64;
        out.push((text, width));
    }
    out
}

#[test]
fn parser_matches_alembic_argparse() {
    let Some(python) = oracle_python() else {
        eprintln!("skipped: no oracle python (.venv-oracle/bin/python or /tmp/ovenv/bin/python)");
        return;
    };
    let mut cases = Vec::new();
    global_cases(&mut cases);
    for name in command_names() {
        command_cases(&mut cases, name);
    }
    width_cases(&mut cases);
    assert!(cases.len() > 1000, "{} cases", cases.len());

    let wraps = textwrap_cases();
    let request = json!({
        "version": super::argparse::version_text("%(prog)s"),
        "cases": cases.iter().map(|c| json!({"prog": c.prog, "argv": c.argv, "columns": c.columns})).collect::<Vec<_>>(),
        "textwrap": wraps.iter().map(|(t, w)| json!([t, w])).collect::<Vec<_>>(),
    });
    let response = run_oracle(&python, &request);

    let expected: Vec<Json> = response["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(normalise_empty_lists)
        .collect();
    assert_eq!(expected.len(), cases.len());
    let mut failures = Vec::new();
    for (case, want) in cases.iter().zip(&expected) {
        let got = ours(case);
        if &got != want {
            failures.push(format!(
                "prog={:?} argv={:?} columns={:?}\n--- oracle\n{}\n--- ours\n{}",
                case.prog,
                case.argv,
                case.columns,
                serde_json::to_string_pretty(want).unwrap(),
                serde_json::to_string_pretty(&got).unwrap()
            ));
        }
    }

    let wrapped = response["textwrap"].as_array().unwrap();
    for ((text, width), want) in wraps.iter().zip(wrapped) {
        let got = json!(help::wrap(text, *width));
        if &got != want {
            failures.push(format!(
                "textwrap.wrap({text:?}, {width}): oracle {want}, ours {got}"
            ));
        }
    }

    let total = cases.len() + wraps.len();
    assert!(
        failures.is_empty(),
        "{} of {total} differ; first ones:\n{}",
        failures.len(),
        failures
            .iter()
            .take(8)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n\n")
    );
    eprintln!("{total} cases agree with the oracle");
}

#[test]
fn table_has_every_alembic_command() {
    let top = top_parser("alembic-rs");
    let sub = top
        .actions
        .iter()
        .find(|a| a.kind == Kind::SubParsers)
        .unwrap();
    assert_eq!(sub.choices.len(), 15);
    assert_eq!(sub.choices, command_names());
}
