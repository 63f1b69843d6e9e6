//! Post-write hook types registered in Python (`@write_hooks.register`),
//! the cookbook's custom hooks: `src/hooks` runs the built-in types itself;
//! a type a module registered while env.py ran (under `revision_environment`
//! or `--autogenerate`, before the file is written) is Python's to run.

use indexmap::IndexMap;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::{HostError, env, interp};

/// `write_hooks._invoke(kind, path, hook)` when this process's interpreter
/// is up and `kind` is in `alembic.script.write_hooks._registry`; `None`
/// otherwise. The hook gets Alembic's option dict: the hook's keys in
/// configuration order, then `_hook_name`.
pub fn invoke_registered(
    kind: &str,
    path: &str,
    name: &str,
    options: &IndexMap<String, String>,
) -> Option<Result<(), HostError>> {
    if !interp::started() {
        return None;
    }
    Python::attach(|py| {
        let module = py
            .import("sys")
            .and_then(|sys| sys.getattr("modules"))
            .and_then(|m| m.call_method1("get", ("alembic.script.write_hooks",)))
            .ok()
            .filter(|m| !m.is_none())?;
        let registered = module
            .getattr("_registry")
            .and_then(|r| r.contains(kind))
            .unwrap_or(false);
        if !registered {
            return None;
        }
        let called = (|| -> PyResult<()> {
            let hook = PyDict::new(py);
            for (key, value) in options {
                hook.set_item(key, value)?;
            }
            hook.set_item("_hook_name", name)?;
            module.call_method1("_invoke", (kind, path, hook))?;
            Ok(())
        })();
        Some(match called {
            Ok(()) => {
                env::flush(py);
                Ok(())
            }
            Err(e) => Err(env::report(py, e)),
        })
    })
}
