//! From parsed arguments to a finished command: config discovery as
//! Alembic's `CommandLine.main` does it, dispatch, and the one place where
//! errors become what the user sees.

use std::path::{Path, PathBuf};

use super::args::{CommandArgs, GlobalOptions};
use crate::commands::{self, CommandError};
use crate::config::{Config, ConfigError};
use crate::python::{CmdOpts, HostError};
use crate::ui::Ui;

/// Exit status of `sys.exit(-1)`, Alembic's `FAILED:` path.
const EXIT_FAILED: i32 = 255;
/// Exit status of an uncaught Python exception (and of `--raiseerr`).
const EXIT_UNCAUGHT: i32 = 1;

/// Runs one parsed command line and returns the process exit status.
pub fn run(global: &GlobalOptions, command: &CommandArgs, cmd_opts: CmdOpts) -> i32 {
    let mut ui = Ui::new(global.quiet);
    let result = config_files(global)
        .and_then(|(toml, ini)| Ok(Config::load(&ini, &toml, &global.name)?))
        .and_then(|config| {
            let host = commands::HostOptions {
                x: global.x.clone(),
                quiet: global.quiet,
                raiseerr: global.raiseerr,
                cmd_opts,
            };
            dispatch(&config, &mut ui, &host, command)
        });
    // configparser, int() and friends raise outside Alembic's CommandError
    // handling: Alembic dies with a traceback there, and so do we (cleanly).
    let result = result.map_err(|e| match e {
        CommandError::Config(ConfigError::TomlDecode { path, message }) => {
            let message = crate::python::toml_decode_error(&path).unwrap_or(message);
            CommandError::Uncaught(format!("tomllib.TOMLDecodeError: {message}"))
        }
        CommandError::Config(c) if !c.is_command_error() => {
            CommandError::Uncaught(c.exception_line())
        }
        other => other,
    });
    let code = match result {
        Ok(()) => 0,
        // Python ended the run with sys.exit(): its status, as Alembic's.
        Err(CommandError::Host(HostError::Exit(status))) => {
            ui.flush();
            status
        }
        // The traceback was printed by Python itself.
        Err(CommandError::Host(HostError::Uncaught)) => {
            ui.flush();
            EXIT_UNCAUGHT
        }
        Err(CommandError::Uncaught(line)) => {
            ui.flush();
            crate::ui::eprint(&format!("{}\n", uncaught(&line)));
            EXIT_UNCAUGHT
        }
        Err(e) if global.raiseerr => {
            ui.flush();
            if let CommandError::Revision { cause, .. } = &e {
                crate::ui::eprint(&format!(
                    "{}\n\nThe above exception was the direct cause of the following exception:\n\n",
                    uncaught(&format!(
                        "alembic.script.revision.{}: {cause}",
                        cause.class_name()
                    ))
                ));
            }
            crate::ui::eprint(&format!(
                "{}\n",
                uncaught(&format!("alembic.util.exc.CommandError: {e}"))
            ));
            EXIT_UNCAUGHT
        }
        Err(e) => {
            // Alembic's util.err logs first; Python's own errors already were.
            if !matches!(e, CommandError::Host(HostError::Command(_))) {
                ui.flush();
                crate::python::log_failure(&e.to_string());
            }
            ui.msg(&format!("FAILED: {e}"));
            EXIT_FAILED
        }
    };
    ui.flush();
    code
}

/// Where Alembic would die with a Python traceback. alembic-rs has no Python
/// stack to show; it prints the exception line Alembic ends with, so scripts
/// that grep for it keep working.
fn uncaught(line: &str) -> String {
    format!(
        "Traceback (most recent call last):\n  (raised by Alembic's own code; alembic-rs reproduces the outcome)\n{line}"
    )
}

fn dispatch(
    config: &Config,
    ui: &mut Ui,
    host: &commands::HostOptions,
    command: &CommandArgs,
) -> Result<(), CommandError> {
    match command {
        CommandArgs::Heads {
            verbose,
            resolve_dependencies,
        } => commands::heads(config, ui, *verbose, *resolve_dependencies),
        CommandArgs::Branches { verbose } => commands::branches(config, ui, *verbose),
        CommandArgs::History {
            rev_range,
            verbose,
            indicate_current,
        } => commands::history(
            config,
            ui,
            host,
            rev_range.as_deref(),
            *verbose,
            *indicate_current,
        ),
        CommandArgs::Show { rev } => commands::show(config, ui, host, rev),
        CommandArgs::ListTemplates => {
            commands::list_templates(ui);
            Ok(())
        }
        // Alembic builds the Config with the -c path but does not read it.
        CommandArgs::Init {
            directory,
            template,
            package,
        } => commands::init(config, ui, directory, template, *package),
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
        } => commands::revision(
            config,
            ui,
            host,
            &commands::RevisionArgs {
                message: message.as_deref(),
                autogenerate: *autogenerate,
                sql: *sql,
                head: head.as_deref(),
                splice: *splice,
                branch_label: branch_label.as_deref(),
                version_path: version_path.as_deref(),
                rev_id: rev_id.as_deref(),
                depends_on,
            },
        ),
        CommandArgs::Merge {
            revisions,
            message,
            branch_label,
            rev_id,
            splice,
        } => commands::merge(
            config,
            ui,
            host,
            &commands::MergeArgs {
                revisions,
                message: message.as_deref(),
                branch_label: branch_label.as_deref(),
                rev_id: rev_id.as_deref(),
                splice: *splice,
            },
        ),
        CommandArgs::Upgrade { revision, sql, tag } => {
            commands::upgrade(config, host, revision, *sql, tag.as_deref())
        }
        CommandArgs::Downgrade { revision, sql, tag } => {
            commands::downgrade(config, host, revision, *sql, tag.as_deref())
        }
        CommandArgs::Current {
            check_heads,
            verbose,
        } => commands::current(config, host, *verbose, *check_heads),
        CommandArgs::Stamp {
            revisions,
            sql,
            tag,
            purge,
        } => commands::stamp(config, host, revisions, *sql, tag.as_deref(), *purge),
        CommandArgs::Edit { rev } => commands::edit(config, ui, host, rev),
        CommandArgs::EnsureVersion { sql } => commands::ensure_version(config, host, *sql),
        CommandArgs::Check => commands::check(config, host),
    }
}

/// `CommandLine._inis_from_config`: which pyproject.toml and which ini file,
/// from `-c` (given at most once each) and `ALEMBIC_CONFIG`.
fn config_files(global: &GlobalOptions) -> Result<(PathBuf, PathBuf), CommandError> {
    let is_toml = |p: &str| {
        Path::new(p)
            .file_name()
            .is_some_and(|n| n == "pyproject.toml")
    };
    let (default_toml, default_ini) = match std::env::var("ALEMBIC_CONFIG")
        .ok()
        .filter(|v| !v.is_empty())
    {
        Some(env) if is_toml(&env) => (env, "alembic.ini".to_string()),
        Some(env) => ("pyproject.toml".to_string(), env),
        None => ("pyproject.toml".to_string(), "alembic.ini".to_string()),
    };
    let mut toml: Option<&str> = None;
    let mut ini: Option<&str> = None;
    for name in &global.config {
        let slot = if is_toml(name) { &mut toml } else { &mut ini };
        if slot.is_some() {
            // Raised outside Alembic's error handling: a traceback, exit 1.
            return Err(CommandError::Uncaught(format!(
                "alembic.util.exc.CommandError: {}",
                if is_toml(name) {
                    "pyproject.toml indicated more than once"
                } else {
                    "only one ini file may be indicated"
                }
            )));
        }
        *slot = Some(name);
    }
    Ok((
        PathBuf::from(toml.map(str::to_string).unwrap_or(default_toml)),
        PathBuf::from(ini.map(str::to_string).unwrap_or(default_ini)),
    ))
}
