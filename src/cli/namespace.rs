//! From argparse's namespace to what the commands take: the typed
//! [`CommandArgs`] the Rust side dispatches on, and `config.cmd_opts` as
//! Alembic's `Config` exposes the namespace to env.py.

use super::argparse::{Namespace, Value};
use super::args::{CommandArgs, GlobalOptions};
use super::spec::COMMANDS;
use crate::python::{CmdArg, CmdOpts};

/// The namespace as `config.cmd_opts` gets it: every attribute in
/// argparse's order, `cmd` as the command function's signature.
pub(super) fn cmd_opts(ns: &Namespace) -> CmdOpts {
    ns.iter()
        .map(|(&key, value)| {
            let value = match value {
                Value::Str(name) if key == "cmd" => command_signature(name),
                Value::None => CmdArg::None,
                Value::Bool(b) => CmdArg::Bool(*b),
                Value::Str(s) => CmdArg::Str(s.clone()),
                Value::List(v) => CmdArg::List(v.clone()),
            };
            (key, value)
        })
        .collect()
}

/// `(fn, positional, kwarg)` as Alembic's `set_defaults(cmd=...)` has it:
/// the names come from the function's signature, not only its options.
fn command_signature(name: &str) -> CmdArg {
    match COMMANDS.iter().find(|c| c.name == name) {
        Some(def) => CmdArg::Command {
            name: def.name,
            positional: def.positionals.iter().map(|p| p.dest).collect(),
            keywords: def
                .options
                .iter()
                .map(|o| o.dest)
                .chain(def.hidden_kwargs.iter().copied())
                .collect(),
        },
        None => CmdArg::Str(name.to_string()),
    }
}

fn get_str(ns: &Namespace, key: &str) -> Option<String> {
    match ns.get(key) {
        Some(Value::Str(s)) => Some(s.clone()),
        _ => None,
    }
}

fn get_bool(ns: &Namespace, key: &str) -> bool {
    matches!(ns.get(key), Some(Value::Bool(true)))
}

fn get_list(ns: &Namespace, key: &str) -> Vec<String> {
    match ns.get(key) {
        Some(Value::List(v)) => v.clone(),
        _ => Vec::new(),
    }
}

/// The namespace as typed arguments; `None` without a sub-command.
pub(super) fn to_args(ns: &Namespace) -> Option<(GlobalOptions, CommandArgs)> {
    let global = GlobalOptions {
        config: get_list(ns, "config"),
        name: get_str(ns, "name").unwrap_or_else(|| "alembic".to_string()),
        x: get_list(ns, "x"),
        raiseerr: get_bool(ns, "raiseerr"),
        quiet: get_bool(ns, "quiet"),
    };
    let s = |k| get_str(ns, k);
    let req = |k| get_str(ns, k).unwrap_or_default();
    let b = |k| get_bool(ns, k);
    let l = |k| get_list(ns, k);
    let command = match get_str(ns, "cmd")?.as_str() {
        "branches" => CommandArgs::Branches {
            verbose: b("verbose"),
        },
        "check" => CommandArgs::Check,
        "current" => CommandArgs::Current {
            check_heads: b("check_heads"),
            verbose: b("verbose"),
        },
        "downgrade" => CommandArgs::Downgrade {
            revision: req("revision"),
            sql: b("sql"),
            tag: s("tag"),
        },
        "edit" => CommandArgs::Edit { rev: req("rev") },
        "ensure_version" => CommandArgs::EnsureVersion { sql: b("sql") },
        "heads" => CommandArgs::Heads {
            verbose: b("verbose"),
            resolve_dependencies: b("resolve_dependencies"),
        },
        "history" => CommandArgs::History {
            rev_range: s("rev_range"),
            verbose: b("verbose"),
            indicate_current: b("indicate_current"),
        },
        "init" => CommandArgs::Init {
            directory: req("directory"),
            template: s("template").unwrap_or_else(|| "generic".to_string()),
            package: b("package"),
        },
        "list_templates" => CommandArgs::ListTemplates,
        "merge" => CommandArgs::Merge {
            revisions: l("revisions"),
            message: s("message"),
            branch_label: s("branch_label"),
            rev_id: s("rev_id"),
            splice: b("splice"),
        },
        "revision" => CommandArgs::Revision {
            message: s("message"),
            autogenerate: b("autogenerate"),
            sql: b("sql"),
            head: s("head"),
            splice: b("splice"),
            branch_label: s("branch_label"),
            version_path: s("version_path"),
            rev_id: s("rev_id"),
            depends_on: l("depends_on"),
        },
        "show" => CommandArgs::Show { rev: req("rev") },
        "stamp" => CommandArgs::Stamp {
            revisions: l("revisions"),
            sql: b("sql"),
            tag: s("tag"),
            purge: b("purge"),
        },
        "upgrade" => CommandArgs::Upgrade {
            revision: req("revision"),
            sql: b("sql"),
            tag: s("tag"),
        },
        _ => return None,
    };
    Some((global, command))
}
