//! The fallback for revision files whose metadata is not a literal
//! (`down_revision = PREVIOUS`, a `.pyc` without source, syntax the Rust
//! parser does not know): execute just those files, as Alembic executes
//! every file, and read the attributes back.

use std::path::{Path, PathBuf};

use pyo3::prelude::*;

use super::{HostError, PythonEnv, interp, shim};
use crate::revision::Revision;

/// What executing one file gave: its revision and docstring, or why not.
pub type FileMetadata = Result<(Revision, String), FileFailure>;

/// An exception raised while executing a revision file.
#[derive(Debug, Clone)]
pub struct FileFailure {
    /// `<path>: NameError: ...`
    pub line: String,
    /// Python could not compile the file (`SyntaxError` and its subclasses),
    /// so a syntax error the Rust parser reported stands.
    pub syntax: bool,
}

const READER: &str = r#"
import importlib.util, re
from pathlib import Path

def _ids(value, name, path):
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, (tuple, list, set, frozenset)) and all(isinstance(v, str) for v in value):
        return list(value)
    raise TypeError("%s must be None, a string or a sequence of strings, not %r" % (name, value))

def read(paths):
    out = []
    for p in paths:
        path = Path(p)
        try:
            spec = importlib.util.spec_from_file_location(re.sub(r"\W", "_", path.name), path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            revision = getattr(module, "revision", None)
            if not isinstance(revision, str):
                raise TypeError("revision must be a string, not %r" % (revision,))
            down = _ids(module.down_revision, "down_revision", p)
            labels = _ids(getattr(module, "branch_labels", None), "branch_labels", p)
            deps = _ids(getattr(module, "depends_on", None), "depends_on", p)
            doc = (module.__doc__ or "").strip()
            out.append((True, (revision, down, deps, labels, doc)))
        except Exception as e:
            out.append((False, (isinstance(e, SyntaxError), "%s: %s: %s" % (p, type(e).__name__, e))))
    return out
"#;

/// Executes `files` in the project's Python and returns their metadata.
pub fn read_metadata(
    project_dir: &Path,
    prepend_sys_path: &[String],
    files: &[PathBuf],
) -> Result<Vec<FileMetadata>, HostError> {
    let python = PythonEnv::find(project_dir)?;
    interp::ensure_started(&python)?;
    Python::attach(|py| -> PyResult<Vec<FileMetadata>> {
        super::env::prepend_paths(py, prepend_sys_path)?;
        shim::install(py)?;
        let code = std::ffi::CString::new(READER).expect("no NUL");
        let module = PyModule::from_code(py, &code, c"<alembic-rs metadata>", c"_alembic_rs_meta")?;
        let paths: Vec<String> = files
            .iter()
            .map(|f| f.to_string_lossy().into_owned())
            .collect();
        let results: Vec<(bool, Bound<'_, PyAny>)> =
            module.getattr("read")?.call1((paths,))?.extract()?;
        results
            .into_iter()
            .map(|(ok, value)| {
                if ok {
                    let (revision, down_revision, dependencies, branch_labels, doc): (
                        String,
                        Vec<String>,
                        Vec<String>,
                        Vec<String>,
                        String,
                    ) = value.extract()?;
                    Ok(Ok((
                        Revision {
                            revision,
                            down_revision,
                            dependencies,
                            branch_labels,
                        },
                        doc,
                    )))
                } else {
                    let (syntax, line): (bool, String) = value.extract()?;
                    Ok(Err(FileFailure { line, syntax }))
                }
            })
            .collect()
    })
    .map_err(|e| HostError::Init(e.to_string()))
}
