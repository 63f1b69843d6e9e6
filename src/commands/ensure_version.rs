//! `alembic ensure_version [--sql]`: env.py runs with a `fn` that only
//! creates the version table (`CREATE TABLE` printed under `--sql`).
//! Alembic reads no revision file for it, so a broken one fails only if
//! env.py itself asks for the revision map.

use super::migrate::{base_run, run};
use super::{CommandError, HostOptions, Scripts};
use crate::config::Config;
use crate::python::EnvCommand;

pub fn ensure_version(config: &Config, opts: &HostOptions, sql: bool) -> Result<(), CommandError> {
    let scripts = Scripts::load_on_demand(config)?;
    let mut r = base_run(config, opts, EnvCommand::EnsureVersion)?;
    r.as_sql = sql;
    run(r, scripts, opts)
}
