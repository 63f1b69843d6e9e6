//! tomllib's own words for a pyproject.toml that does not parse.
//!
//! pyproject.toml is read by the `toml` crate, so graph commands never start
//! Python; but Alembic reads it with Python's `tomllib`, whose error messages
//! are worded differently (and sometimes placed differently). A traceback's
//! last line is what users compare, so when the Rust parse fails the
//! interpreter is started (cost is no concern on this path) and tomllib is
//! asked for its message.

use std::path::Path;

use pyo3::prelude::*;

use super::interp::{PythonEnv, ensure_started};

/// `str(TOMLDecodeError)` for the file's text, or `None` when tomllib
/// parses it or Python cannot be started (the caller keeps its own message).
/// The interpreter is the project's, as for any command (a `.venv` beside
/// the file counts); any of the same minor version words it alike.
pub fn decode_error(path: &Path) -> Option<String> {
    let text = std::fs::read(path).ok()?;
    let text = String::from_utf8(text).ok()?;
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
    let env = PythonEnv::find(dir.unwrap_or(Path::new("."))).ok()?;
    ensure_started(&env).ok()?;
    Python::attach(|py| {
        let tomllib = py.import("tomllib").ok()?;
        let err = tomllib.call_method1("loads", (text,)).err()?;
        let decode_error = tomllib.getattr("TOMLDecodeError").ok()?;
        if !err.value(py).is_instance(&decode_error).ok()? {
            return None;
        }
        err.value(py).str().ok().map(|s| s.to_string())
    })
}
