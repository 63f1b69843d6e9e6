//! The commands that run env.py: `upgrade`, `downgrade`, `stamp`, `current`.
//! Each builds what Alembic's `EnvironmentContext` gets and hands it to the
//! Python host; the steps are planned in Rust when env.py asks for them.

use std::path::PathBuf;

use super::{CommandError, OnDemand, Scripts};
use crate::config::Config;
use crate::python::{self, CmdOpts, EnvCommand, EnvRun};

/// Options every env.py command passes through (`-x`, `-q`, `--raiseerr`,
/// and the whole command line as `config.cmd_opts`).
#[derive(Debug, Clone, Default)]
pub struct HostOptions {
    pub x: Vec<String>,
    pub quiet: bool,
    pub raiseerr: bool,
    pub cmd_opts: CmdOpts,
}

pub(super) fn base_run(
    config: &Config,
    opts: &HostOptions,
    command: EnvCommand,
) -> Result<EnvRun, CommandError> {
    let settings = config.script_settings()?;
    let ini = &config.config_file_name;
    let toml = &config.toml_file_name;
    Ok(EnvRun {
        command,
        config_file: (!ini.as_os_str().is_empty()).then(|| ini.clone()),
        toml_file: (!toml.as_os_str().is_empty()).then(|| toml.clone()),
        ini_section: config.config_ini_section.clone(),
        project_dir: PathBuf::from(config.here()),
        as_sql: false,
        tag: None,
        starting_rev: None,
        destination_rev: Vec::new(),
        purge: false,
        x: opts.x.clone(),
        quiet: opts.quiet,
        prepend_sys_path: settings.prepend_sys_path.clone(),
        cmd_opts: opts.cmd_opts.clone(),
    })
}

pub(super) fn run(
    run: EnvRun,
    scripts: impl Into<OnDemand>,
    opts: &HostOptions,
) -> Result<(), CommandError> {
    python::set_raiseerr(opts.raiseerr);
    python::run_env(run, scripts.into()).map_err(CommandError::from)
}

/// `alembic upgrade`.
pub fn upgrade(
    config: &Config,
    opts: &HostOptions,
    revision: &str,
    sql: bool,
    tag: Option<&str>,
) -> Result<(), CommandError> {
    let scripts = Scripts::load_on_demand(config)?;
    let (starting, destination) = split_range(revision, sql)?;
    let mut r = base_run(
        config,
        opts,
        EnvCommand::Upgrade {
            destination: destination.clone(),
        },
    )?;
    r.as_sql = sql;
    r.tag = tag.map(str::to_string);
    r.starting_rev = starting;
    r.destination_rev = vec![destination];
    run(r, scripts, opts)
}

/// `alembic downgrade`.
pub fn downgrade(
    config: &Config,
    opts: &HostOptions,
    revision: &str,
    sql: bool,
    tag: Option<&str>,
) -> Result<(), CommandError> {
    let scripts = Scripts::load_on_demand(config)?;
    if sql && !revision.contains(':') {
        return Err(CommandError::Failed(
            "downgrade with --sql requires <fromrev>:<torev>".into(),
        ));
    }
    let (starting, destination) = split_range(revision, sql)?;
    let mut r = base_run(
        config,
        opts,
        EnvCommand::Downgrade {
            destination: destination.clone(),
        },
    )?;
    r.as_sql = sql;
    r.tag = tag.map(str::to_string);
    r.starting_rev = starting;
    r.destination_rev = vec![destination];
    run(r, scripts, opts)
}

/// `revision.split(":", 2)` unpacked into two names, as Alembic does.
fn split_range(revision: &str, sql: bool) -> Result<(Option<String>, String), CommandError> {
    if !revision.contains(':') {
        return Ok((None, revision.to_string()));
    }
    if !sql {
        return Err(CommandError::Failed("Range revision not allowed".into()));
    }
    let parts: Vec<&str> = revision.splitn(3, ':').collect();
    match parts.as_slice() {
        [start, end] => Ok((Some(start.to_string()), end.to_string())),
        _ => Err(CommandError::Uncaught(
            "ValueError: too many values to unpack (expected 2)".into(),
        )),
    }
}

/// `alembic stamp`.
pub fn stamp(
    config: &Config,
    opts: &HostOptions,
    revisions: &[String],
    sql: bool,
    tag: Option<&str>,
    purge: bool,
) -> Result<(), CommandError> {
    let scripts = Scripts::load_on_demand(config)?;
    let mut destinations = Vec::new();
    let mut starting: Option<String> = None;
    for rev in revisions {
        let mut rev = rev.clone();
        if sql && rev.contains(':') {
            let parts: Vec<&str> = rev.splitn(3, ':').collect();
            let [srev, target] = parts.as_slice() else {
                return Err(CommandError::Uncaught(
                    "ValueError: too many values to unpack (expected 2)".into(),
                ));
            };
            match &starting {
                None => starting = Some(srev.to_string()),
                Some(s) if s != srev => {
                    return Err(CommandError::Failed(
                        "Stamp operation with --sql only supports a single starting revision at a time".into(),
                    ));
                }
                Some(_) => {}
            }
            rev = target.to_string();
        }
        destinations.push(rev);
    }
    let mut r = base_run(
        config,
        opts,
        EnvCommand::Stamp {
            destinations: destinations.clone(),
        },
    )?;
    r.as_sql = sql;
    r.tag = tag.map(str::to_string);
    r.starting_rev = if sql { starting } else { None };
    r.destination_rev = destinations;
    r.purge = purge;
    run(r, scripts, opts)
}

/// `alembic current`.
pub fn current(
    config: &Config,
    opts: &HostOptions,
    verbose: bool,
    check_heads: bool,
) -> Result<(), CommandError> {
    let scripts = Scripts::load_on_demand(config)?;
    let r = base_run(
        config,
        opts,
        EnvCommand::Current {
            verbose,
            check_heads,
        },
    )?;
    run(r, scripts, opts)
}

/// `alembic check`: autogenerate in memory; differences are a failure.
pub fn check(config: &Config, opts: &HostOptions) -> Result<(), CommandError> {
    let scripts = Scripts::load_on_demand(config)?;
    let r = base_run(config, opts, EnvCommand::Check)?;
    run(r, scripts, opts)
}

/// Commands that only read the database heads (`history -i`, `show
/// current`, `history` under `revision_environment`): env.py runs, the
/// lines are printed from Rust's answer.
pub(crate) fn display(
    config: &Config,
    opts: &HostOptions,
    scripts: impl Into<OnDemand>,
    command: EnvCommand,
) -> Result<(), CommandError> {
    let r = base_run(config, opts, command)?;
    run(r, scripts, opts)
}
