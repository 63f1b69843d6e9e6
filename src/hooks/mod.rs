//! Post-write hooks (`[post_write_hooks]`, reference §d.3): run over a
//! revision file right after `revision`/`merge` write it.
//!
//! The three hook types Alembic registers (`console_scripts`, `exec`,
//! `module`) run as Alembic runs them: one subprocess each, with the
//! options split as `shlex` splits them and the exit status ignored. The
//! two Python types use the project's interpreter (the one env.py runs
//! with) as a subprocess in place of Alembic's own `sys.executable`; the
//! lookups Alembic does in-process (`importlib.metadata`,
//! `importlib.util.find_spec`) are asked of that interpreter too, so what
//! is found is what is installed there. A type registered with
//! `write_hooks.register` while env.py ran first (`revision_environment`,
//! `--autogenerate`) is called in Python, ahead of the built-ins as Alembic's
//! registry has it; with no Python run, an unknown type fails as in Alembic.

mod shlex;

use std::path::Path;
use std::process::{Command, Stdio};

use crate::commands::{CommandError, os_error};
use crate::config::{Config, PostWriteHook};
use crate::pyfmt::py_repr;
use crate::python::PythonEnv;
use crate::ui::Ui;

/// Alembic's `REVISION_SCRIPT_TOKEN`.
const REVISION_SCRIPT_TOKEN: &str = "REVISION_SCRIPT_FILENAME";

/// Run every hook named in `[post_write_hooks] hooks = ...` over `path`,
/// in order, printing Alembic's `Running post write hook ...` lines.
pub fn run_post_write(config: &Config, path: &Path, ui: &mut Ui) -> Result<(), CommandError> {
    let hooks = config.get_hooks_list()?;
    if hooks.is_empty() {
        return Ok(());
    }
    let path = path.to_string_lossy();
    for hook in &hooks {
        let name = &hook.name;
        let Some(kind) = hook.options.get("type") else {
            return Err(CommandError::Failed(format!(
                "Key '{name}.type' (or 'type' in toml) is required for post write hook {}",
                py_repr(name)
            )));
        };
        // Alembic does not pass `quiet` here: the lines show under -q too.
        ui.status_unquiet(
            &format!("Running post write hook {}", py_repr(name)),
            true,
            |_| invoke(config, kind, &path, hook),
        )?;
    }
    Ok(())
}

/// `write_hooks._invoke`: the registered formatter for `kind`.
fn invoke(
    config: &Config,
    kind: &str,
    path: &str,
    hook: &PostWriteHook,
) -> Result<(), CommandError> {
    if let Some(done) =
        crate::python::invoke_registered_write_hook(kind, path, &hook.name, &hook.options)
    {
        return done.map_err(CommandError::from);
    }
    match kind {
        "console_scripts" => {
            let entrypoint = required(hook, "entrypoint")?;
            let python = interpreter(config)?;
            let found =
                lookup(config, &python, "console_scripts", entrypoint)?.ok_or_else(|| {
                    CommandError::Failed(format!(
                        "Could not find entrypoint console_scripts.{entrypoint}"
                    ))
                })?;
            let (module, attr) = found.split_once('\n').unwrap_or((found.as_str(), ""));
            let script = format!("import {module}; {module}.{attr}()");
            run_hook(path, hook, &[python, "-c".into(), script])
        }
        "exec" => {
            let executable = required(hook, "executable")?;
            run_hook(path, hook, &[executable.to_string()])
        }
        "module" => {
            let module = required(hook, "module")?;
            let python = interpreter(config)?;
            if lookup(config, &python, "module", module)?.is_none() {
                return Err(CommandError::Failed(format!(
                    "Could not find module {module}"
                )));
            }
            run_hook(path, hook, &[python, "-m".into(), module.to_string()])
        }
        other => Err(CommandError::Failed(format!(
            "No formatter with name '{other}' registered"
        ))),
    }
}

/// `_get_required_option`.
fn required<'a>(hook: &'a PostWriteHook, key: &str) -> Result<&'a str, CommandError> {
    hook.options.get(key).map(String::as_str).ok_or_else(|| {
        CommandError::Failed(format!(
            "Key {}.{key} is required for post write hook {}",
            hook.name,
            py_repr(&hook.name)
        ))
    })
}

/// `_parse_cmdline_options`: the token is prepended when absent, the
/// string split as `shlex.split` does, then the token replaced by the path
/// in each word.
fn cmdline_options(options: &str, path: &str) -> Result<Vec<String>, CommandError> {
    let options = if options.contains(REVISION_SCRIPT_TOKEN) {
        options.to_string()
    } else {
        format!("{REVISION_SCRIPT_TOKEN} {options}")
    };
    let words =
        shlex::split(&options).map_err(|e| CommandError::Uncaught(format!("ValueError: {e}")))?;
    Ok(words
        .into_iter()
        .map(|w| w.replace(REVISION_SCRIPT_TOKEN, path))
        .collect())
}

/// `_run_hook`: `subprocess.run([*command, *options], cwd=cwd)`, output not
/// captured, exit status not checked.
fn run_hook(path: &str, hook: &PostWriteHook, command: &[String]) -> Result<(), CommandError> {
    let options = cmdline_options(
        hook.options
            .get("options")
            .map(String::as_str)
            .unwrap_or(""),
        path,
    )?;
    let mut cmd = Command::new(&command[0]);
    cmd.args(&command[1..]).args(&options);
    if let Some(cwd) = hook.options.get("cwd") {
        // subprocess names the directory when it cannot change into it.
        if let Err(e) = std::fs::read_dir(cwd) {
            return Err(os_error(&e, cwd));
        }
        cmd.current_dir(cwd);
    }
    cmd.status().map_err(|e| os_error(&e, &command[0]))?;
    Ok(())
}

/// The project's interpreter, as env.py gets it.
fn interpreter(config: &Config) -> Result<String, CommandError> {
    let env = PythonEnv::find(Path::new(config.here()))?;
    Ok(env.executable.to_string_lossy().into_owned())
}

/// What Alembic looks up in its own process before running a Python hook,
/// asked of `python` with `prepend_sys_path` on its `sys.path` (Alembic's
/// process has it there too).
const LOOKUP: &str = r#"
import sys
if sys.path and sys.path[0] == "":
    del sys.path[0]
kind, name = sys.argv[1], sys.argv[2]
sys.path[:0] = sys.argv[3:]
try:
    if kind == "console_scripts":
        from importlib import metadata
        for ep in metadata.entry_points().select(group="console_scripts"):
            if ep.name == name:
                sys.stdout.write(ep.module + "\n" + ep.attr)
                break
        else:
            sys.exit(3)
    else:
        import importlib.util
        if importlib.util.find_spec(name) is None:
            sys.exit(3)
except Exception as e:
    import traceback
    sys.stderr.write(traceback.format_exception_only(type(e), e)[-1])
    sys.exit(4)
"#;

/// `Some(answer)` when found (`module\nattr` for an entry point), `None`
/// when Alembic would say it could not find it; a lookup that raises is
/// the traceback Alembic would end with.
fn lookup(
    config: &Config,
    python: &str,
    kind: &str,
    name: &str,
) -> Result<Option<String>, CommandError> {
    let prepend = config.script_settings()?.prepend_sys_path;
    let out = Command::new(python)
        .args(["-c", LOOKUP, kind, name])
        .args(&prepend)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| os_error(&e, python))?;
    match out.status.code() {
        Some(0) => Ok(Some(String::from_utf8_lossy(&out.stdout).into_owned())),
        Some(3) => Ok(None),
        _ => {
            let err = String::from_utf8_lossy(&out.stderr);
            let line = err.trim_end().lines().last().unwrap_or("").to_string();
            Err(CommandError::Uncaught(if line.is_empty() {
                format!("RuntimeError: {python} failed to look up {kind} {name}")
            } else {
                line
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_get_the_path() {
        assert_eq!(
            cmdline_options("-l 79", "/p/a b.py").unwrap(),
            ["/p/a b.py", "-l", "79"]
        );
        assert_eq!(
            cmdline_options("check --fix REVISION_SCRIPT_FILENAME", "/x.py").unwrap(),
            ["check", "--fix", "/x.py"]
        );
        assert_eq!(
            cmdline_options("--file=REVISION_SCRIPT_FILENAME", "/x.py").unwrap(),
            ["--file=/x.py"]
        );
        assert_eq!(cmdline_options("", "/x.py").unwrap(), ["/x.py"]);
    }
}
