//! The Python half of `revision`/`merge`: the create date, the file name
//! and rendering a compiled `script.py.mako` (the compiler is
//! `crate::template`). Python does these because each is defined by Python
//! semantics Alembic inherits: zoneinfo, `%`-formatting with `%(year)04d`
//! style tokens, `\w` and `str.lower()` for the slug, `repr()` and `str()`
//! of whatever the template prints.

use std::path::{Path, PathBuf};

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use super::{HostError, PythonEnv, interp, shim};
use crate::config::AlembicValue;

/// A value passed to the template as Alembic passes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateValue {
    None,
    Str(String),
    Tuple(Vec<String>),
    List(Vec<String>),
}

/// How the `config` template argument is built (`alembic.config.Config`).
#[derive(Debug, Clone)]
pub struct ConfigSource {
    pub config_file: Option<PathBuf>,
    pub toml_file: Option<PathBuf>,
    pub ini_section: String,
}

/// Something Python decided went wrong, classified the way Alembic's
/// caller sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PyOutcome {
    /// Alembic raises `CommandError` with this message (`FAILED:`).
    Command(String),
    /// Alembic dies with this exception line (exit 1).
    Uncaught(String),
    /// Mako would refuse the template while compiling it: the exception
    /// line Alembic dies with (exit 1).
    Compile(String),
    /// Only the lexing error the template compiler already reported.
    Lex,
}

/// The session: the interpreter is up, the shim is installed, and the
/// create date is kept as the Python `datetime` the template will print.
pub struct TemplateSession {
    create_date: Py<PyAny>,
}

fn helper(py: Python<'_>) -> PyResult<Bound<'_, PyModule>> {
    py.import("alembic._rs.template")
}

fn host(e: PyErr) -> HostError {
    Python::attach(|py| {
        e.print(py);
    });
    HostError::Uncaught
}

/// A configuration value as the Python object Alembic would hold.
fn alembic_value<'py>(py: Python<'py>, v: &AlembicValue) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        AlembicValue::Str(s) => s.into_pyobject(py)?.into_any(),
        AlembicValue::Int(i) => i.into_pyobject(py)?.into_any(),
        AlembicValue::Bool(b) => b.into_pyobject(py)?.to_owned().into_any(),
        AlembicValue::List(l) => PyList::new(py, l)?.into_any(),
        AlembicValue::Table(t) => {
            let d = PyDict::new(py);
            for (k, v) in t {
                d.set_item(k, v)?;
            }
            d.into_any()
        }
        AlembicValue::Tables(ts) => {
            let l = PyList::empty(py);
            for t in ts {
                l.append(alembic_value(py, &AlembicValue::Table(t.clone()))?)?;
            }
            l.into_any()
        }
    })
}

impl TemplateSession {
    /// Starts Python (once) and takes the create date, as
    /// `_generate_create_date` does.
    pub fn start(
        project_dir: &Path,
        prepend_sys_path: &[String],
        timezone: Option<&str>,
    ) -> Result<Result<TemplateSession, PyOutcome>, HostError> {
        let python = PythonEnv::find(project_dir)?;
        interp::ensure_started(&python)?;
        Python::attach(|py| -> PyResult<Result<TemplateSession, PyOutcome>> {
            super::env::prepend_paths(py, prepend_sys_path)?;
            shim::install(py)?;
            let (err, date): (Option<(String, String)>, Py<PyAny>) = helper(py)?
                .call_method1("create_date", (timezone,))?
                .extract()?;
            Ok(match err {
                Some((kind, message)) if kind == "command" => Err(PyOutcome::Command(message)),
                Some((_, line)) => Err(PyOutcome::Uncaught(line)),
                None => Ok(TemplateSession { create_date: date }),
            })
        })
        .map_err(host)
    }

    /// `file_template % tokens + ".py"`, slug and epoch included.
    pub fn file_name(
        &self,
        file_template: &str,
        truncate_slug_length: usize,
        rev_id: &str,
        message: Option<&str>,
    ) -> Result<Result<String, PyOutcome>, HostError> {
        Python::attach(|py| -> PyResult<Result<String, PyOutcome>> {
            let (err, name): (Option<String>, Option<String>) = helper(py)?
                .call_method1(
                    "file_name",
                    (
                        file_template,
                        truncate_slug_length,
                        rev_id,
                        message,
                        self.create_date.bind(py),
                    ),
                )?
                .extract()?;
            Ok(match (err, name) {
                (Some(line), _) => Err(PyOutcome::Uncaught(line)),
                (None, Some(name)) => Ok(name),
                (None, None) => Err(PyOutcome::Uncaught("TypeError".into())),
            })
        })
        .map_err(host)
    }

    /// Runs a compiled template with `args` plus `create_date`, `comma`
    /// and `config`; returns the encoded bytes.
    pub fn render(
        &self,
        compiled: &crate::template::Compiled,
        template_path: &Path,
        args: &[(&str, TemplateValue)],
        config: &ConfigSource,
        output_encoding: &AlembicValue,
        extra: Option<usize>,
    ) -> Result<Result<Vec<u8>, PyOutcome>, HostError> {
        Python::attach(|py| -> PyResult<Result<Vec<u8>, PyOutcome>> {
            let module = helper(py)?;
            // In the order `generate_revision` passes them (a template can
            // list `context.kwargs`): the revision's own values with
            // `create_date` and `comma` before `message`, then `refresh`,
            // then the RevisionContext's keywords (`config`, what env.py
            // put in `template_args`, the rendered `upgrades`/`downgrades`/
            // `imports`).
            let kwargs = PyDict::new(py);
            for (name, value) in args {
                if *name == "message" {
                    kwargs.set_item("create_date", self.create_date.bind(py))?;
                    kwargs.set_item("comma", module.getattr("format_as_comma")?)?;
                }
                let v: Bound<'_, PyAny> = match value {
                    TemplateValue::None => py.None().into_bound(py),
                    TemplateValue::Str(s) => s.into_pyobject(py)?.into_any(),
                    TemplateValue::Tuple(items) => PyTuple::new(py, items)?.into_any(),
                    TemplateValue::List(items) => PyList::new(py, items)?.into_any(),
                };
                kwargs.set_item(*name, v)?;
            }
            if !kwargs.contains("comma")? {
                kwargs.set_item("create_date", self.create_date.bind(py))?;
                kwargs.set_item("comma", module.getattr("format_as_comma")?)?;
            }
            kwargs.set_item("refresh", true)?;
            if let Some(index) = extra {
                let more = py
                    .import("alembic._rs.autogen")?
                    .call_method1("extra_template_args", (index,))?;
                for (k, v) in more.cast::<PyDict>()?.iter() {
                    if !kwargs.contains(&k)? {
                        kwargs.set_item(k, v)?;
                    }
                }
            }
            let path_str =
                |p: &Option<PathBuf>| p.as_ref().map(|p| p.to_string_lossy().into_owned());
            if !kwargs.contains("config")? {
                let cfg = module.call_method1(
                    "make_config",
                    (
                        path_str(&config.config_file),
                        path_str(&config.toml_file),
                        &config.ini_section,
                    ),
                )?;
                kwargs.set_item("config", cfg)?;
            }
            let snippets: Vec<(&str, &str, usize, usize)> = compiled
                .snippets
                .iter()
                .map(|s| (s.kind.as_str(), s.text.as_str(), s.line, s.col))
                .collect();
            let (kind, value): (String, Bound<'_, PyAny>) = module
                .call_method1(
                    "render",
                    (
                        compiled.python.as_deref(),
                        snippets,
                        template_path.to_string_lossy().into_owned(),
                        kwargs,
                        alembic_value(py, output_encoding)?,
                    ),
                )?
                .extract()?;
            Ok(match kind.as_str() {
                "ok" => Ok(value.extract::<Vec<u8>>()?),
                "compile" => Err(PyOutcome::Compile(value.extract()?)),
                "command" => Err(PyOutcome::Command(value.extract()?)),
                "lex" => Err(PyOutcome::Lex),
                _ => Err(PyOutcome::Uncaught(value.extract()?)),
            })
        })
        .map_err(host)
    }
}
