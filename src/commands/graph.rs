//! The read-only graph commands: `heads`, `branches`, `history`, `show`.
//! None of them starts Python unless the database is involved.

use super::format::Line;
use super::{Catch, CommandError, Scripts};
use crate::config::Config;
use crate::revision::{RevArg, Target, Walk};
use crate::ui::Ui;

/// `alembic heads`.
pub fn heads(
    config: &Config,
    ui: &mut Ui,
    verbose: bool,
    resolve_dependencies: bool,
) -> Result<(), CommandError> {
    let s = Scripts::load(config)?;
    let arg = if resolve_dependencies {
        RevArg::str("heads")
    } else {
        RevArg::Tuple(
            s.map
                .heads()
                .iter()
                .map(|&h| s.map.id(h).to_string())
                .collect(),
        )
    };
    let catch = Catch::default();
    let heads = s.map.get_revisions(&arg).map_err(|e| catch.error(e))?;
    let line = Line {
        include_branches: true,
        ..Line::default()
    };
    for t in heads {
        let node = printable(t)?;
        ui.print_stdout(&s.cmd_format(node, verbose, line, false));
    }
    exit_soon(s);
    Ok(())
}

/// `alembic branches`.
pub fn branches(config: &Config, ui: &mut Ui, verbose: bool) -> Result<(), CommandError> {
    let s = Scripts::load(config)?;
    for node in walk_revisions(&s, &RevArg::str("base"), &RevArg::str("heads"))? {
        let n = s.map.node(node);
        if !n.is_branch_point() {
            continue;
        }
        let header = s.cmd_format(
            node,
            verbose,
            Line {
                include_branches: true,
                tree_indicators: true,
                ..Line::default()
            },
            false,
        );
        let indent = " ".repeat(n.rev.revision.chars().count());
        let children: Vec<String> = n
            .nextrev
            .iter()
            .map(|&c| {
                let line = Line {
                    include_branches: true,
                    include_doc: verbose,
                    tree_indicators: true,
                    ..Line::default()
                };
                format!("{indent} -> {}", s.head_only(c, line, false))
            })
            .collect();
        ui.print_stdout(&format!("{header}\n{}\n", children.join("\n")));
    }
    exit_soon(s);
    Ok(())
}

/// `alembic history`.
pub fn history(
    config: &Config,
    ui: &mut Ui,
    host: &super::HostOptions,
    rev_range: Option<&str>,
    verbose: bool,
    indicate_current: bool,
) -> Result<(), CommandError> {
    // As `ScriptDirectory.from_config`: a missing directory fails first.
    crate::script::ScriptDirectory::new(config.script_settings()?)?;
    let (base, head) = match rev_range {
        None => (String::new(), String::new()),
        Some(r) => {
            if !r.contains(':') {
                return Err(CommandError::Failed(
                    "History range requires [start]:[end], [start]:, or :[end]".into(),
                ));
            }
            let parts: Vec<&str> = r.trim().split(':').collect();
            if parts.len() != 2 {
                return Err(CommandError::Uncaught(
                    "ValueError: too many values to unpack (expected 2)".into(),
                ));
            }
            (parts[0].to_string(), parts[1].to_string())
        }
    };
    if indicate_current || base == "current" || head == "current" || revision_environment(config)? {
        let command = crate::python::EnvCommand::History {
            base,
            head,
            verbose,
            indicate_current,
        };
        // The revision map is read inside env.py, where Alembic reads it:
        // a broken graph's error comes after env.py's log lines.
        let s = Scripts::load_on_demand(config)?;
        return super::migrate::display(config, host, s, command);
    }
    let s = Scripts::load(config)?;
    let base = if base.is_empty() { "base" } else { &base };
    let head = if head.is_empty() { "heads" } else { &head };
    each_history_line(
        &s,
        &RevArg::str(base),
        &RevArg::str(head),
        verbose,
        None,
        |line| ui.print_stdout(line),
    )?;
    exit_soon(s);
    Ok(())
}

/// `_display_history`: the lines of a walk, `(current)` marked when the
/// database heads are known.
pub(crate) fn history_lines(
    s: &Scripts,
    base: &RevArg,
    head: &RevArg,
    verbose: bool,
    currents: Option<&[String]>,
) -> Result<Vec<String>, CommandError> {
    let mut lines = Vec::new();
    each_history_line(s, base, head, verbose, currents, |line| {
        lines.push(line.to_string())
    })?;
    Ok(lines)
}

/// [`history_lines`], each handed to `f` as soon as it is formatted (the
/// walk, and so any error, comes first). One buffer serves every line.
fn each_history_line(
    s: &Scripts,
    base: &RevArg,
    head: &RevArg,
    verbose: bool,
    currents: Option<&[String]>,
    mut f: impl FnMut(&str),
) -> Result<(), CommandError> {
    let line = Line {
        include_branches: true,
        include_doc: true,
        include_parents: true,
        tree_indicators: true,
        ..Line::default()
    };
    let mut text = String::new();
    for node in walk_revisions(s, base, head)? {
        let current = currents.is_some_and(|c| c.iter().any(|r| r == s.map.id(node)));
        if verbose {
            f(&s.log_entry(node, current));
        } else {
            text.clear();
            s.push_head_only(&mut text, node, line, current);
            f(&text);
        }
    }
    Ok(())
}

/// `alembic show`.
pub fn show(
    config: &Config,
    ui: &mut Ui,
    host: &super::HostOptions,
    rev: &str,
) -> Result<(), CommandError> {
    if rev == "current" {
        let s = Scripts::load_on_demand(config)?;
        return super::migrate::display(config, host, s, crate::python::EnvCommand::ShowCurrent);
    }
    let s = Scripts::load(config)?;
    let catch = Catch::default();
    for t in s
        .map
        .get_revisions(&RevArg::str(rev))
        .map_err(|e| catch.error(e))?
    {
        let node = printable(t)?;
        ui.print_stdout(&s.log_entry(node, false));
    }
    exit_soon(s);
    Ok(())
}

/// The process ends right after a graph command: freeing every revision
/// one allocation at a time (milliseconds at 10,000 revisions) would buy
/// nothing, so the loaded scripts are left to the exit.
fn exit_soon(s: Scripts) {
    std::mem::forget(s);
}

/// `ScriptDirectory.walk_revisions`: everything between `base` and `head`,
/// newest first.
fn walk_revisions(s: &Scripts, base: &RevArg, head: &RevArg) -> Result<Vec<usize>, CommandError> {
    let (start, end) = (base.to_string(), head.to_string());
    let catch = Catch {
        start: Some(&start),
        end: Some(&end),
        ..Catch::default()
    };
    s.map
        .iterate_revisions(
            head,
            base,
            Walk {
                inclusive: true,
                assert_relative_length: false,
                ..Walk::default()
            },
        )
        .map_err(|e| catch.error(e))
}

/// Alembic prints whatever `get_revisions` returned; a walk that ended on
/// `"base"` or `None` makes it crash on the attribute lookup.
fn printable(t: Target) -> Result<usize, CommandError> {
    match t {
        Target::Rev(i) => Ok(i),
        Target::Base => Err(CommandError::Uncaught(
            "AttributeError: 'str' object has no attribute 'log_entry'".into(),
        )),
        Target::Null => Err(CommandError::Uncaught(
            "AttributeError: 'NoneType' object has no attribute 'log_entry'".into(),
        )),
    }
}

/// `revision_environment` makes `history` run env.py.
fn revision_environment(config: &Config) -> Result<bool, CommandError> {
    Ok(config.revision_environment()?)
}
