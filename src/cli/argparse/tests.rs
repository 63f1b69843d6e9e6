use super::*;
use crate::cli::args::{CommandArgs, GlobalOptions};

fn parse(args: &[&str]) -> ParseOutcome {
    let argv: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    parse_args_with_columns("alembic-rs", &argv, 80)
}

fn run(args: &[&str]) -> (GlobalOptions, CommandArgs) {
    match parse(args) {
        ParseOutcome::Run(g, c, _) => (g, c),
        other => panic!("{args:?}: {other:?}"),
    }
}

fn stderr(args: &[&str]) -> String {
    match parse(args) {
        ParseOutcome::Exit {
            stderr, code: 2, ..
        } => stderr,
        other => panic!("{args:?}: {other:?}"),
    }
}

fn last_line(s: &str) -> &str {
    s.trim_end().lines().last().unwrap_or("")
}

#[test]
fn globals_before_command() {
    let (g, c) = run(&[
        "-c",
        "a.ini",
        "--config=pyproject.toml",
        "-n",
        "db2",
        "-xa=1",
        "-x",
        "b",
        "--raiseerr",
        "-q",
        "heads",
    ]);
    assert_eq!(g.config, vec!["a.ini", "pyproject.toml"]);
    assert_eq!(g.name, "db2");
    assert_eq!(g.x, vec!["a=1", "b"]);
    assert!(g.raiseerr && g.quiet);
    assert_eq!(
        c,
        CommandArgs::Heads {
            verbose: false,
            resolve_dependencies: false
        }
    );
}

#[test]
fn defaults() {
    let (g, c) = run(&["revision"]);
    assert_eq!(g, GlobalOptions::default());
    assert_eq!(
        c,
        CommandArgs::Revision {
            message: None,
            autogenerate: false,
            sql: false,
            head: None,
            splice: false,
            branch_label: None,
            version_path: None,
            rev_id: None,
            depends_on: vec![],
        }
    );
    let (_, c) = run(&["init", "migrations"]);
    assert_eq!(
        c,
        CommandArgs::Init {
            directory: "migrations".into(),
            template: "generic".into(),
            package: false
        }
    );
}

#[test]
fn short_long_prefix_and_combined_forms() {
    let (_, c) = run(&["history", "--rev", "a:b", "-vi"]);
    assert_eq!(
        c,
        CommandArgs::History {
            rev_range: Some("a:b".into()),
            verbose: true,
            indicate_current: true
        }
    );
    let (_, c) = run(&["history", "-r=-1:"]);
    assert_eq!(
        c,
        CommandArgs::History {
            rev_range: Some("-1:".into()),
            verbose: false,
            indicate_current: false
        }
    );
    let (_, c) = run(&["history", "-r-1:"]);
    assert!(matches!(c, CommandArgs::History { rev_range: Some(r), .. } if r == "-1:"));
    let (_, c) = run(&["history", "--rev-range=-2:"]);
    assert!(matches!(c, CommandArgs::History { rev_range: Some(r), .. } if r == "-2:"));
    let (_, c) = run(&[
        "revision",
        "-mhello",
        "--depends-on",
        "a",
        "--dep=b",
        "--head=base",
    ]);
    assert!(
        matches!(&c, CommandArgs::Revision { message: Some(m), depends_on, head: Some(h), .. }
        if m == "hello" && depends_on == &["a", "b"] && h == "base")
    );
    // last one wins for store
    let (_, c) = run(&["upgrade", "--tag", "a", "--tag", "b", "x"]);
    assert!(matches!(c, CommandArgs::Upgrade { tag: Some(t), .. } if t == "b"));
}

#[test]
fn negative_numbers_and_dashes() {
    let (_, c) = run(&["downgrade", "-1"]);
    assert!(matches!(c, CommandArgs::Downgrade { revision, .. } if revision == "-1"));
    let (_, c) = run(&["downgrade", "--", "-1:"]);
    assert!(matches!(c, CommandArgs::Downgrade { revision, .. } if revision == "-1:"));
    let (_, c) = run(&["stamp", "a", "--", "b"]);
    assert!(matches!(c, CommandArgs::Stamp { revisions, .. } if revisions == ["a", "b"]));
    assert_eq!(
        last_line(&stderr(&["history", "-r", "-1:"])),
        "alembic-rs history: error: argument -r/--rev-range: expected one argument"
    );
}

#[test]
fn errors() {
    assert_eq!(
        last_line(&stderr(&[])),
        "alembic-rs: error: too few arguments"
    );
    assert_eq!(
        last_line(&stderr(&["upgrade"])),
        "alembic-rs upgrade: error: the following arguments are required: revision"
    );
    assert_eq!(
        last_line(&stderr(&["upgrade", "head", "-x", "a"])),
        "alembic-rs: error: unrecognized arguments: -x a"
    );
    assert_eq!(
        last_line(&stderr(&["revision", "--s"])),
        "alembic-rs revision: error: ambiguous option: --s could match --sql, --splice"
    );
    assert_eq!(
        last_line(&stderr(&["current", "-vx"])),
        "alembic-rs current: error: argument -v/--verbose: ignored explicit argument 'x'"
    );
    assert_eq!(
        last_line(&stderr(&["heads", "--verbose=1"])),
        "alembic-rs heads: error: argument -v/--verbose: ignored explicit argument '1'"
    );
    assert!(last_line(&stderr(&["foo"])).starts_with(
        "alembic-rs: error: argument {branches,check,current,downgrade,edit,ensure_version,heads,history,init,list_templates,merge,revision,show,stamp,upgrade}: invalid choice: 'foo' (choose from 'branches', 'check', "
    ));
    assert_eq!(
        stderr(&["stamp", "a", "--sql", "b"])
            .lines()
            .next()
            .unwrap(),
        "usage: alembic-rs [-h] [--version] [-c CONFIG] [-n NAME] [-x X] [--raiseerr]"
    );
}

#[test]
fn help_and_version() {
    match parse(&["upgrade", "--bogus", "-h"]) {
        ParseOutcome::Exit {
            stdout,
            stderr,
            code,
        } => {
            assert_eq!(code, 0);
            assert!(stderr.is_empty());
            assert!(stdout.starts_with("usage: alembic-rs upgrade [-h]"));
        }
        other => panic!("{other:?}"),
    }
    match parse(&["--vers"]) {
        ParseOutcome::Exit { stdout, code, .. } => {
            assert_eq!(code, 0);
            assert_eq!(stdout, format!("{}\n", version_text("alembic-rs")));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn repr_like_python() {
    assert_eq!(py_repr("a"), "'a'");
    assert_eq!(py_repr("it's"), "\"it's\"");
    assert_eq!(py_repr("'\""), "'\\'\"'");
    assert_eq!(py_repr("a\\b\n\x01"), "'a\\\\b\\n\\x01'");
    assert_eq!(py_repr("é\u{a0}"), "'é\\xa0'");
}

#[test]
fn prog_is_basename() {
    assert_eq!(prog_name("/usr/bin/alembic-rs"), "alembic-rs");
    assert_eq!(prog_name("alembic-rs"), "alembic-rs");
}
