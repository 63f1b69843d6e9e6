//! `alembic edit REV`: open revision files in the user's editor, chosen by
//! the rules of Alembic's `util/editor.py` (`EDITOR`, `VISUAL`, then a list
//! of common editors on `PATH`), so the same editor opens as with Alembic.

use std::path::Path;
use std::process::Command;

use super::{CommandError, HostOptions, Scripts};
use crate::config::Config;
use crate::pyfmt::py_repr;
use crate::python::EnvCommand;
use crate::revision::{RevArg, Target};
use crate::ui::Ui;

/// `alembic edit`. `current` asks the database through env.py, which then
/// calls back into [`open_in_editor`] for each current revision.
pub fn edit(
    config: &Config,
    ui: &mut Ui,
    host: &HostOptions,
    rev: &str,
) -> Result<(), CommandError> {
    if rev == "current" {
        let scripts = Scripts::load_on_demand(config)?;
        return super::migrate::display(config, host, scripts, EnvCommand::EditCurrent);
    }
    let scripts = Scripts::load(config)?;
    let targets = scripts
        .map
        .get_revisions(&RevArg::str(rev))
        .map_err(|e| super::Catch::default().error(e))?;
    if targets.is_empty() {
        return Err(CommandError::Failed(format!(
            "No revision files indicated by symbol '{rev}'"
        )));
    }
    ui.flush();
    for target in targets {
        match target {
            Target::Rev(i) => open_in_editor(&scripts.script(i).path.to_string_lossy())?,
            // `assert sc` passes for the string "base", then `sc.path` fails.
            Target::Base => {
                return Err(CommandError::Uncaught(
                    "AttributeError: 'str' object has no attribute 'path'".into(),
                ));
            }
            Target::Null => return Err(CommandError::Uncaught("AssertionError".into())),
        }
    }
    Ok(())
}

/// `util.open_in_editor`: find the editor, run it on `filename`, wait.
/// Every failure is Alembic's `Error executing editor (...)`.
pub fn open_in_editor(filename: &str) -> Result<(), CommandError> {
    let env = |k: &str| std::env::var_os(k).map(|v| v.to_string_lossy().into_owned());
    let failed =
        |detail: String| CommandError::Failed(format!("Error executing editor ({detail})"));
    let editor = find_editor(env("EDITOR"), env("VISUAL"), env("PATH")).map_err(failed)?;
    let argv = [editor.as_str(), filename];
    let status = Command::new(&editor)
        .arg(filename)
        .status()
        .map_err(|e| failed(spawn_error(&e, &editor)))?;
    if status.success() {
        return Ok(());
    }
    let cmd = format!(
        "[{}]",
        argv.iter()
            .map(|a| py_repr(a))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Err(failed(match status.code() {
        Some(code) => format!("Command '{cmd}' returned non-zero exit status {code}."),
        None => {
            #[cfg(unix)]
            let signal = std::os::unix::process::ExitStatusExt::signal(&status).unwrap_or(0);
            #[cfg(not(unix))]
            let signal = 0;
            format!("Command '{cmd}' died with {}.", signal_repr(signal))
        }
    }))
}

/// `_find_editor`: an `EDITOR`/`VISUAL` value that exists as a path is used
/// as is; a bare name is tried on `PATH` ahead of the defaults.
fn find_editor(
    editor: Option<String>,
    visual: Option<String>,
    path: Option<String>,
) -> Result<String, String> {
    let mut candidates: Vec<String> = ["sensible-editor", "editor", "nano", "vim", "code"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for (i, choice) in [editor, visual].into_iter().enumerate() {
        let Some(choice) = choice else { continue };
        if Path::new(&choice).exists() {
            return Ok(choice);
        }
        if !choice.contains('/') {
            candidates.insert(i, choice);
        }
    }
    let path = path.unwrap_or_default();
    for candidate in &candidates {
        for dir in path.split(':') {
            let value = if dir.is_empty() {
                candidate.clone()
            } else if dir.ends_with('/') {
                format!("{dir}{candidate}")
            } else {
                format!("{dir}/{candidate}")
            };
            if Path::new(&value).exists() {
                return Ok(value);
            }
        }
    }
    Err(
        "No suitable editor found. Please set the \"EDITOR\" or \"VISUAL\" environment variables"
            .to_string(),
    )
}

/// `str()` of the OSError `subprocess` raises when the program cannot start.
fn spawn_error(e: &std::io::Error, program: &str) -> String {
    match e.raw_os_error() {
        Some(_) => crate::pyfmt::py_os_error(e, program).1,
        None => e.to_string(),
    }
}

/// `repr(signal.Signals(n))`.
fn signal_repr(n: i32) -> String {
    const NAMES: &[&str] = &[
        "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE",
        "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM",
    ];
    match usize::try_from(n)
        .ok()
        .and_then(|i| NAMES.get(i.wrapping_sub(1)))
    {
        Some(name) => format!("<Signals.{name}: {n}>"),
        None => format!("unknown signal {n}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_choice_follows_alembic() {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().to_string_lossy().into_owned();
        std::fs::write(dir.path().join("nano"), "").unwrap();
        std::fs::write(dir.path().join("myed"), "").unwrap();
        let path = Some(format!("/nonexistent:{bin}"));
        assert_eq!(
            find_editor(None, None, path.clone()).unwrap(),
            format!("{bin}/nano")
        );
        assert_eq!(
            find_editor(Some("myed".into()), None, path.clone()).unwrap(),
            format!("{bin}/myed")
        );
        assert_eq!(
            find_editor(Some("/no/such".into()), Some("myed".into()), path.clone()).unwrap(),
            format!("{bin}/myed")
        );
        assert_eq!(
            find_editor(Some("/bin/sh".into()), None, path).unwrap(),
            "/bin/sh"
        );
        assert!(
            find_editor(None, None, Some("/nonexistent".into()))
                .unwrap_err()
                .starts_with("No suitable editor found.")
        );
    }

    #[test]
    fn signal_names() {
        assert_eq!(signal_repr(15), "<Signals.SIGTERM: 15>");
        assert_eq!(signal_repr(9), "<Signals.SIGKILL: 9>");
    }
}
