//! Choosing and starting the interpreter (DESIGN §2): the user's virtualenv
//! (`VIRTUAL_ENV`, else the one this executable is installed in, else `.venv`
//! beside the config, else `python3` on PATH),
//! started through `PyConfig` with that `executable`, so its site-packages
//! and the standard library of the libpython we link are paired correctly.

use std::ffi::CString;
use std::path::{Path, PathBuf};

use pyo3::ffi;

use super::HostError;

/// The Python `major.minor` this binary was linked against.
pub const EMBEDDED_VERSION: &str = env!("ALEMBIC_RS_PYTHON_VERSION");

/// Where the interpreter comes from.
#[derive(Debug, Clone)]
pub struct PythonEnv {
    /// What `sys.executable` will be.
    pub executable: PathBuf,
    /// The virtualenv root, if it is one.
    pub venv: Option<PathBuf>,
    /// Site directories added after start-up: those of an installation on
    /// PATH that is not libpython's own (conda's, a distribution's), whose
    /// packages are wanted but whose standard library is not
    /// ([`own_installation`]).
    pub site_dirs: Vec<PathBuf>,
}

impl PythonEnv {
    /// Finds the environment for a project whose config lives in `config_dir`.
    pub fn find(config_dir: &Path) -> Result<PythonEnv, HostError> {
        if let Some(venv) = std::env::var_os("VIRTUAL_ENV").filter(|v| !v.is_empty()) {
            return PythonEnv::from_venv(PathBuf::from(venv));
        }
        // `venv/bin/alembic-rs` run without activating, as `venv/bin/alembic`
        // runs with that venv's Python (its script's shebang)
        if let Some(venv) = crate::config::installed_venv() {
            return PythonEnv::from_venv(venv);
        }
        let local = config_dir.join(".venv");
        if local.join("pyvenv.cfg").is_file() {
            return PythonEnv::from_venv(local);
        }
        if let Some(python) = on_path("python3") {
            let real = std::fs::canonicalize(&python).unwrap_or(python.clone());
            if let Some(venv) = real.parent().and_then(Path::parent)
                && venv.join("pyvenv.cfg").is_file()
            {
                return PythonEnv::from_venv(venv.to_path_buf());
            }
            if same_minor_install(&real) {
                let site_dirs = if is_own_installation(&real) {
                    Vec::new()
                } else {
                    site_packages_of(&python)
                };
                return Ok(PythonEnv {
                    executable: python,
                    venv: None,
                    site_dirs,
                });
            }
        }
        match option_env!("ALEMBIC_RS_BUILD_PYTHON") {
            Some(exe) if Path::new(exe).exists() => Ok(PythonEnv {
                executable: PathBuf::from(exe),
                venv: None,
                site_dirs: Vec::new(),
            }),
            _ => Err(HostError::NoPython(format!(
                "No Python {EMBEDDED_VERSION} environment found: activate the project's virtualenv (VIRTUAL_ENV) or create .venv beside the config file"
            ))),
        }
    }

    fn from_venv(venv: PathBuf) -> Result<PythonEnv, HostError> {
        let cfg = std::fs::read_to_string(venv.join("pyvenv.cfg")).map_err(|e| {
            HostError::NoPython(format!(
                "{} is not a virtualenv (no readable pyvenv.cfg: {e})",
                venv.display()
            ))
        })?;
        if let Some(found) = venv_version(&cfg)
            && found != EMBEDDED_VERSION
        {
            return Err(HostError::VersionMismatch {
                venv,
                found,
                embedded: EMBEDDED_VERSION.to_string(),
            });
        }
        let executable = ["bin/python", "bin/python3"]
            .iter()
            .map(|p| venv.join(p))
            .find(|p| p.exists())
            .unwrap_or_else(|| venv.join("bin/python"));
        // a venv that sees its base's packages sees them where that base's
        // own `site` puts them, as for a `python3` on PATH
        let system_site = cfg_value(&cfg, "include-system-site-packages")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        let site_dirs = match cfg_value(&cfg, "home") {
            Some(home) if system_site => [format!("python{EMBEDDED_VERSION}"), "python3".into()]
                .iter()
                .map(|name| Path::new(home).join(name))
                .find(|p| p.is_file())
                .filter(|p| !is_own_installation(p))
                .map(|p| site_packages_of(&p))
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        Ok(PythonEnv {
            executable,
            venv: Some(venv),
            site_dirs,
        })
    }
}

/// `version = 3.11.7` (venv) or `version_info = 3.11.7.final.0` (uv).
fn venv_version(cfg: &str) -> Option<String> {
    let value = cfg_value(cfg, "version").or_else(|| cfg_value(cfg, "version_info"))?;
    let mut parts = value.split('.');
    Some(format!("{}.{}", parts.next()?, parts.next()?))
}

/// A `key = value` line of pyvenv.cfg, as `site` reads it.
fn cfg_value<'a>(cfg: &'a str, wanted: &str) -> Option<&'a str> {
    cfg.lines().find_map(|line| {
        let (key, value) = line.split_once('=')?;
        (key.trim().eq_ignore_ascii_case(wanted)).then(|| value.trim())
    })
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// A non-venv interpreter is usable when its installation has the standard
/// library of our minor version.
fn same_minor_install(python: &Path) -> bool {
    python
        .parent()
        .and_then(Path::parent)
        .is_some_and(has_stdlib)
}

/// Whether `prefix` holds the standard library of our minor version.
fn has_stdlib(prefix: &Path) -> bool {
    prefix
        .join(format!("lib/python{EMBEDDED_VERSION}/os.py"))
        .is_file()
}

/// Whether `python` (symlinks resolved) belongs to the installation
/// libpython came from; unknown counts as yes (nothing is recorded to
/// compare with).
fn is_own_installation(python: &Path) -> bool {
    let Some(own) = option_env!("ALEMBIC_RS_BUILD_PREFIX") else {
        return true;
    };
    let real = std::fs::canonicalize(python).unwrap_or_else(|_| python.to_path_buf());
    real.parent()
        .and_then(Path::parent)
        .is_some_and(|prefix| same_dir(prefix, Path::new(own)))
}

/// The site directories another installation's own `site` module lists
/// (conda's `lib/python3.X/site-packages`, Debian's `dist-packages`
/// directories), asked of that interpreter once: the running interpreter
/// takes its standard library, and so its `site` rules, from libpython's
/// installation and would look in the wrong places.
fn site_packages_of(python: &Path) -> Vec<PathBuf> {
    let out = std::process::Command::new(python)
        .args([
            "-S",
            "-c",
            "import site; print('\\n'.join(site.getsitepackages()))",
        ])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output();
    match out {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.is_empty())
            .map(PathBuf::from)
            .collect(),
        _ => Vec::new(),
    }
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

static STARTED: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();

/// Whether this process started the interpreter (and it came up).
pub(crate) fn started() -> bool {
    matches!(STARTED.get(), Some(Ok(())))
}

/// Starts the interpreter unless this process already did. `sys.argv` is
/// this process's command line, as under Alembic's `alembic` script (env.py
/// files read it: monasca-api's checks `basename(sys.argv[0]) == 'alembic'`,
/// oslo.config's `CONF()` parses `sys.argv[1:]`).
pub fn ensure_started(env: &PythonEnv) -> Result<(), HostError> {
    STARTED
        .get_or_init(|| {
            let argv: Vec<String> = std::env::args_os()
                .map(|a| a.to_string_lossy().into_owned())
                .collect();
            start(env, &argv).map_err(|e| e.to_string())
        })
        .clone()
        .map_err(HostError::Init)
}

/// Starts CPython once for this process. The GIL is released on return;
/// callers attach with `Python::attach`.
fn start(env: &PythonEnv, argv: &[String]) -> Result<(), HostError> {
    super::residency::release_startup_pages();
    pyo3::append_to_inittab!(_alembic_rs);
    let exe = CString::new(env.executable.to_string_lossy().as_bytes())
        .map_err(|e| HostError::Init(e.to_string()))?;
    let args: Vec<CString> = argv
        .iter()
        .map(|a| CString::new(a.as_bytes()).unwrap_or_default())
        .collect();
    // SAFETY: the PyConfig API is used as documented (init, set, initialize,
    // clear) on one thread before any other Python call.
    unsafe {
        let mut config = std::mem::MaybeUninit::<ffi::PyConfig>::uninit();
        ffi::PyConfig_InitPythonConfig(config.as_mut_ptr());
        let mut config = config.assume_init();
        config.parse_argv = 0;
        let check = |status: ffi::PyStatus, config: &mut ffi::PyConfig| {
            if ffi::PyStatus_Exception(status) != 0 {
                ffi::PyConfig_Clear(config);
                return Err(HostError::Init(status_message(&status)));
            }
            Ok(())
        };
        let status =
            ffi::PyConfig_SetBytesString(&mut config, &mut config.executable, exe.as_ptr());
        check(status, &mut config)?;
        let status =
            ffi::PyConfig_SetBytesString(&mut config, &mut config.program_name, exe.as_ptr());
        check(status, &mut config)?;
        if !env.site_dirs.is_empty() {
            // `site` runs after start-up, given the other installation's
            // directories instead of our installation's ([`add_site_dirs`])
            config.site_import = 0;
        }
        if let Some((prefix, exec_prefix)) = own_installation() {
            let status =
                ffi::PyConfig_SetBytesString(&mut config, &mut config.prefix, prefix.as_ptr());
            check(status, &mut config)?;
            let status = ffi::PyConfig_SetBytesString(
                &mut config,
                &mut config.exec_prefix,
                exec_prefix.as_ptr(),
            );
            check(status, &mut config)?;
        }
        let mut ptrs: Vec<*const std::ffi::c_char> = args.iter().map(|a| a.as_ptr()).collect();
        let status = ffi::PyConfig_SetBytesArgv(&mut config, ptrs.len() as _, ptrs.as_mut_ptr());
        check(status, &mut config)?;
        let status = ffi::Py_InitializeFromConfig(&config);
        ffi::PyConfig_Clear(&mut config);
        if ffi::PyStatus_Exception(status) != 0 {
            return Err(HostError::Init(status_message(&status)));
        }
        ffi::PyEval_SaveThread();
    }
    tune_gc();
    add_site_dirs(&env.site_dirs);
    Ok(())
}

/// [`PythonEnv::site_dirs`] in place of our installation's site-packages:
/// `site.main()` with no prefixes (the user site, `sitecustomize`, the
/// builtins `site` adds), then each directory through `site.addsitedir` so
/// its `.pth` files count, in the order that installation's `site` gives.
fn add_site_dirs(dirs: &[PathBuf]) {
    use pyo3::prelude::*;
    if dirs.is_empty() {
        return;
    }
    Python::attach(|py| {
        let added = py.import("site").and_then(|site| {
            site.getattr("PREFIXES")?.call_method0("clear")?;
            site.call_method0("main")?;
            dirs.iter()
                .filter(|d| d.is_dir())
                .try_for_each(|d| site.call_method1("addsitedir", (d,)).map(drop))
        });
        if let Err(e) = added {
            e.print(py);
        }
    });
}

/// The installation libpython belongs to, as `prefix`/`exec_prefix` for
/// `PyConfig`, when its standard library is still there. Python's own path
/// calculation would take the standard library from the venv's base
/// interpreter (`home` in pyvenv.cfg), which for a venv made by another build
/// of the same minor version (Debian's `/usr/bin/python3`, a uv-managed
/// Python) is a standard library written for another libpython: modules
/// that build compiled in (Debian's `math`) are missing from it, and the
/// interpreter dies while importing. Set this way, the venv is still the venv
/// (`site` reads its pyvenv.cfg from `executable` and adds its
/// site-packages) and `PYTHONPATH` still counts; only the standard library
/// comes from where libpython came from. The same prefixes the path
/// calculation finds when the venv was made by the build interpreter.
fn own_installation() -> Option<(CString, CString)> {
    let prefix = option_env!("ALEMBIC_RS_BUILD_PREFIX")?;
    let exec_prefix = option_env!("ALEMBIC_RS_BUILD_EXEC_PREFIX")?;
    if !has_stdlib(Path::new(prefix)) {
        return None;
    }
    Some((CString::new(prefix).ok()?, CString::new(exec_prefix).ok()?))
}

/// The young generation collected every 7,000 container allocations
/// instead of 700. Importing SQLAlchemy and a project's models allocates
/// millions of long-lived objects and next to no garbage, and with the
/// default threshold the collector spent ~20% of a 1,000-model import
/// re-examining them (docs/performance.md). Garbage cycles are still
/// collected, a little later; nothing else changes.
fn tune_gc() {
    use pyo3::prelude::*;
    Python::attach(|py| {
        let tuned = py
            .import("gc")
            .and_then(|gc| gc.call_method1("set_threshold", (7000, 10, 10)));
        if let Err(e) = tuned {
            e.print(py);
        }
    });
}

fn status_message(status: &ffi::PyStatus) -> String {
    if status.err_msg.is_null() {
        return "unknown error".into();
    }
    // SAFETY: err_msg is a static C string set by CPython.
    unsafe { std::ffi::CStr::from_ptr(status.err_msg) }
        .to_string_lossy()
        .into_owned()
}

use super::module::_alembic_rs;
