//! Running env.py for a command: Alembic's `EnvironmentContext(...)` +
//! `script.run_env()`, driven from Rust.

use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use super::state::{self, HostState};
use super::{HostError, PythonEnv, interp, shim};
use crate::commands::OnDemand;

pub use super::state::EnvCommand;

/// Everything `EnvironmentContext` is constructed with.
#[derive(Debug, Clone)]
pub struct EnvRun {
    pub command: EnvCommand,
    pub config_file: Option<PathBuf>,
    pub toml_file: Option<PathBuf>,
    pub ini_section: String,
    pub project_dir: PathBuf,
    pub as_sql: bool,
    pub tag: Option<String>,
    pub starting_rev: Option<String>,
    /// What `context.get_revision_argument()` resolves.
    pub destination_rev: Vec<String>,
    pub purge: bool,
    pub x: Vec<String>,
    pub quiet: bool,
    pub prepend_sys_path: Vec<String>,
    /// `config.cmd_opts`: the argparse `Namespace` of the command line, as
    /// Alembic's `CommandLine` hands it to `Config` (env.py files read
    /// `cmd_opts.autogenerate`, `cmd_opts.cmd[0].__name__`, `cmd_opts.sql`).
    /// Empty when alembic-rs was not started from its command line.
    pub cmd_opts: CmdOpts,
}

/// The attributes of `config.cmd_opts`, in the namespace's order.
pub type CmdOpts = Vec<(&'static str, CmdArg)>;

/// One attribute value of `config.cmd_opts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CmdArg {
    None,
    Bool(bool),
    Str(String),
    List(Vec<String>),
    /// `cmd`: the `alembic.command` function's name, its positional and its
    /// keyword parameter names (Python turns the name into the function).
    Command {
        name: &'static str,
        positional: Vec<&'static str>,
        keywords: Vec<&'static str>,
    },
}

/// Starts Python and runs env.py. A `CommandError` raised inside comes back
/// as [`HostError::Command`] (after being logged as Alembic's `util.err`
/// does); any other exception's traceback is printed here.
pub fn run_env(run: EnvRun, scripts: OnDemand) -> Result<(), HostError> {
    let python = PythonEnv::find(&run.project_dir)?;
    let script_dir = scripts.dir.dir().to_path_buf();
    state::set(HostState {
        scripts,
        command: run.command.clone(),
        project_dir: run.project_dir.clone(),
    });
    interp::ensure_started(&python)?;
    Python::attach(|py| -> Result<(), HostError> {
        prepare(py, &python, &run)?;
        let outcome = call_run_env(py, &run, &script_dir);
        let outcome = outcome.map_err(|e| report(py, e));
        flush(py);
        outcome
    })
}

fn prepare(py: Python<'_>, python: &PythonEnv, run: &EnvRun) -> Result<(), HostError> {
    prepend_paths(py, &run.prepend_sys_path).map_err(|e| report(py, e))?;
    shim::install(py).map_err(|e| report(py, e))?;
    let python_name = || python.executable.display().to_string();
    let sqlalchemy = py
        .import("sqlalchemy")
        .map_err(|e| HostError::NoSqlAlchemy {
            python: python_name(),
            detail: e.to_string(),
        })?;
    // Alembic 1.20 requires SQLAlchemy 2.0 too; under 1.4 the shim would
    // fail at some import deep inside env.py, with a traceback that names
    // neither the cause nor the fix.
    let version: String = sqlalchemy
        .getattr("__version__")
        .and_then(|v| v.extract())
        .unwrap_or_default();
    let major = version
        .split('.')
        .next()
        .and_then(|m| m.parse::<u32>().ok());
    if major.is_some_and(|m| m < 2) {
        return Err(HostError::OldSqlAlchemy {
            python: python_name(),
            version,
        });
    }
    Ok(())
}

/// `prepend_sys_path`, in order, ahead of everything (Alembic's
/// `sys.path[:0] = ...`); once per process.
pub(crate) fn prepend_paths(py: Python<'_>, paths: &[String]) -> PyResult<()> {
    static DONE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if DONE.swap(true, std::sync::atomic::Ordering::SeqCst) {
        return Ok(());
    }
    let path = py.import("sys")?.getattr("path")?.cast_into::<PyList>()?;
    for (i, p) in paths.iter().enumerate() {
        path.insert(i, p)?;
    }
    Ok(())
}

fn call_run_env(py: Python<'_>, run: &EnvRun, script_dir: &std::path::Path) -> PyResult<()> {
    let spec = PyDict::new(py);
    let command = match &run.command {
        EnvCommand::Upgrade { .. } => "upgrade",
        EnvCommand::Downgrade { .. } => "downgrade",
        EnvCommand::Stamp { .. } => "stamp",
        EnvCommand::Current { .. } => "current",
        EnvCommand::History { .. } | EnvCommand::ShowCurrent => "display",
        EnvCommand::EditCurrent => "edit_current",
        EnvCommand::EnsureVersion => "ensure_version",
        EnvCommand::Revision(_) => "revision",
        EnvCommand::Merge => "merge",
        EnvCommand::Check => "check",
    };
    if let EnvCommand::Revision(r) = &run.command {
        spec.set_item("message", &r.message)?;
        spec.set_item("autogenerate", r.autogenerate)?;
        spec.set_item("sql", r.sql)?;
        spec.set_item("head", &r.head)?;
        spec.set_item("splice", r.splice)?;
        spec.set_item("branch_label", &r.branch_label)?;
        spec.set_item("version_path", &r.version_path)?;
        spec.set_item("rev_id", &r.rev_id)?;
        spec.set_item("depends_on", &r.depends_on)?;
    }
    spec.set_item("command", command)?;
    spec.set_item(
        "config_file",
        run.config_file
            .as_ref()
            .map(|p| p.to_string_lossy().into_owned()),
    )?;
    spec.set_item(
        "toml_file",
        run.toml_file
            .as_ref()
            .map(|p| p.to_string_lossy().into_owned()),
    )?;
    spec.set_item("ini_section", &run.ini_section)?;
    spec.set_item("script_dir", script_dir.to_string_lossy().into_owned())?;
    if let EnvCommand::Current {
        verbose,
        check_heads,
    } = run.command
    {
        spec.set_item("verbose", verbose)?;
        spec.set_item("check_heads", check_heads)?;
    }
    let cmd_opts = PyDict::new(py);
    if run.cmd_opts.is_empty() {
        // not from the command line: what `get_x_argument()` and the quiet
        // flag read
        cmd_opts.set_item("x", (!run.x.is_empty()).then(|| run.x.clone()))?;
        cmd_opts.set_item("quiet", run.quiet)?;
    }
    for (key, value) in &run.cmd_opts {
        match value {
            CmdArg::None => cmd_opts.set_item(key, py.None())?,
            CmdArg::Bool(v) => cmd_opts.set_item(key, v)?,
            CmdArg::Str(v) => cmd_opts.set_item(key, v)?,
            CmdArg::List(v) => cmd_opts.set_item(key, v)?,
            CmdArg::Command {
                name,
                positional,
                keywords,
            } => cmd_opts.set_item(key, (name, positional, keywords))?,
        }
    }
    spec.set_item("cmd_opts", cmd_opts)?;
    // The keywords each Alembic command gives `EnvironmentContext` (env.py
    // and extensions see them in `context_opts` / `get_context().opts`):
    // upgrade, downgrade and stamp the revision range, `current` only
    // `dont_mutate`, `ensure_version` only `as_sql`.
    let env_kw = PyDict::new(py);
    let ranged = matches!(
        run.command,
        EnvCommand::Upgrade { .. } | EnvCommand::Downgrade { .. } | EnvCommand::Stamp { .. }
    );
    if ranged || matches!(run.command, EnvCommand::EnsureVersion) {
        env_kw.set_item("as_sql", run.as_sql)?;
    }
    if ranged {
        env_kw.set_item("starting_rev", &run.starting_rev)?;
        match run.destination_rev.as_slice() {
            [] => env_kw.set_item("destination_rev", py.None())?,
            [one] if !matches!(run.command, EnvCommand::Stamp { .. }) => {
                env_kw.set_item("destination_rev", one)?
            }
            many => env_kw.set_item("destination_rev", pyo3::types::PyTuple::new(py, many)?)?,
        }
        env_kw.set_item("tag", &run.tag)?;
    }
    if matches!(run.command, EnvCommand::Stamp { .. }) {
        env_kw.set_item("purge", run.purge)?;
    }
    if matches!(run.command, EnvCommand::Current { .. }) {
        env_kw.set_item("dont_mutate", true)?;
    }
    spec.set_item("env_kw", env_kw)?;
    py.import("alembic._rs.host")?
        .call_method1("run_env", (spec,))?;
    Ok(())
}

/// Alembic's `util.err` logs a `CommandError`'s message (`alembic.util.messaging`,
/// ERROR) before `FAILED:` is printed; the line shows when env.py configured
/// logging. Errors raised in Python are logged by [`report`]; this does it for
/// one alembic-rs raises in Rust after env.py ran (`revision --autogenerate`
/// writing to a `--version-path` outside the version locations). Without the
/// shim's host module loaded, env.py did not run and nothing is logged.
pub fn log_failure(message: &str) {
    if !super::interp::started() {
        return;
    }
    Python::attach(|py| {
        let loaded = py
            .import("sys")
            .and_then(|sys| sys.getattr("modules"))
            .and_then(|modules| modules.contains("alembic._rs.host"))
            .unwrap_or(false);
        if loaded {
            let _ = py
                .import("alembic._rs.host")
                .and_then(|m| m.call_method1("report_failure", (message,)));
            flush(py);
        }
    });
}

/// Turns a Python exception into the host's error, printing what Alembic
/// would have printed.
pub(super) fn report(py: Python<'_>, err: PyErr) -> HostError {
    let value = err.value(py);
    let is_command_error = py
        .import("alembic.util.exc")
        .and_then(|m| m.getattr("CommandError"))
        .map(|cls| value.is_instance(&cls).unwrap_or(false))
        .unwrap_or(false);
    if is_command_error && !crate::python::env::raiseerr_requested() {
        let message = value.str().map(|s| s.to_string()).unwrap_or_default();
        let _ = py
            .import("alembic._rs.host")
            .and_then(|m| m.call_method1("report_failure", (message.as_str(),)));
        flush(py);
        return HostError::Command(message);
    }
    if err.is_instance_of::<pyo3::exceptions::PySystemExit>(py) {
        let status = system_exit_status(py, value.as_any());
        flush(py);
        return HostError::Exit(status);
    }
    err.print(py);
    flush(py);
    if err.is_instance_of::<pyo3::exceptions::PyKeyboardInterrupt>(py) {
        die_of_sigint();
    }
    HostError::Uncaught
}

/// The exit status CPython gives an uncaught `SystemExit` (`Py_RunMain`'s
/// `handle_system_exit`): `code` None is 0, an int is that int (the
/// system keeps its low 8 bits: `util.err`'s `sys.exit(-1)` is 255), and
/// anything else is printed to stderr and exits 1.
fn system_exit_status(py: Python<'_>, value: &Bound<'_, PyAny>) -> i32 {
    let code = match value.getattr("code") {
        Ok(code) => code,
        Err(_) => return 1,
    };
    if code.is_none() {
        return 0;
    }
    if let Ok(n) = code.extract::<i64>() {
        return (n & 0xff) as i32;
    }
    let _ = py.import("sys").and_then(|sys| {
        let stderr = sys.getattr("stderr")?;
        stderr.call_method1("write", (code.str()?,))?;
        stderr.call_method1("write", ("\n",))
    });
    1
}

/// Ends the process as CPython does after an uncaught `KeyboardInterrupt`
/// (Ctrl-C; `Py_RunMain`'s `exit_sigint`): the default SIGINT disposition
/// restored and the signal sent to ourselves, so the parent (a shell, a
/// CI runner, `make`) sees death by SIGINT, as with Alembic, and stops too.
/// By then the traceback is printed and every `with` block of env.py has
/// rolled its transaction back on the way out.
fn die_of_sigint() -> ! {
    // SAFETY: plain signal(2)/kill(2) calls on our own process.
    unsafe {
        libc::signal(libc::SIGINT, libc::SIG_DFL);
        libc::kill(libc::getpid(), libc::SIGINT);
    }
    // Only if the signal is blocked: the status a shell gives for it.
    std::process::exit(130)
}

static RAISEERR: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// `--raiseerr`: a CommandError then shows its traceback, as Alembic does.
pub fn set_raiseerr(on: bool) {
    RAISEERR.store(on, std::sync::atomic::Ordering::Relaxed);
}

fn raiseerr_requested() -> bool {
    RAISEERR.load(std::sync::atomic::Ordering::Relaxed)
}

pub(super) fn flush(py: Python<'_>) {
    let _ = py.import("sys").and_then(|sys| {
        sys.getattr("stdout")?.call_method0("flush")?;
        sys.getattr("stderr")?.call_method0("flush")
    });
}
