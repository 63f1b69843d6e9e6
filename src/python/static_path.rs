//! `_alembic_rs.StaticPath`: the static path's state for one run (see
//! `crate::static_ops`): the parsed revision files of the plan, the
//! dialect's quoting, and the column specifications SQLAlchemy compiled.

use std::collections::{HashMap, HashSet};

use pyo3::prelude::*;
use pyo3::types::{PyList, PyString};

use crate::static_ops::{self, ColumnKey, Dialect, Family, StaticModule, Tails};

#[pyclass(module = "_alembic_rs")]
pub struct StaticPath {
    dialect: Dialect,
    tails: Tails,
    modules: HashMap<String, StaticModule>,
    /// `compile(keys) -> [spec or None]` (`_rs/static.py`).
    compile: Py<PyAny>,
}

#[pymethods]
impl StaticPath {
    #[new]
    fn new(
        py: Python<'_>,
        family: &str,
        quote: char,
        reserved: Vec<String>,
        max_name_length: usize,
        compile: Py<PyAny>,
        paths: Vec<String>,
    ) -> PyResult<StaticPath> {
        let family = match family {
            "postgresql" => Family::Postgresql,
            "sqlite" => Family::Sqlite,
            "mysql" => Family::Mysql,
            "mariadb" => Family::Mariadb,
            other => {
                return Err(pyo3::exceptions::PyValueError::new_err(format!(
                    "no static path for {other}"
                )));
            }
        };
        let unique: Vec<String> = paths
            .into_iter()
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let modules = py.detach(|| static_ops::cache::load(unique));
        Ok(StaticPath {
            dialect: Dialect {
                family,
                quote,
                reserved: reserved
                    .into_iter()
                    .map(|w| w.to_ascii_lowercase())
                    .collect(),
                max_name_length: if max_name_length == 0 {
                    usize::MAX
                } else {
                    max_name_length
                },
            },
            tails: Tails::new(),
            modules,
            compile,
        })
    }

    /// The statements of `function` in the file at `path`: a list of
    /// `(sql, line, is_execute)`, or a str saying why it must run in Python.
    fn statements<'py>(
        &mut self,
        py: Python<'py>,
        path: &str,
        function: &str,
        as_sql: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let body = match self.modules.get(path).map(|m| m.function(function)) {
            Some(Ok(body)) => body,
            Some(Err(reason)) => return Ok(PyString::new(py, reason).into_any()),
            None => return Ok(PyString::new(py, "not parsed").into_any()),
        };
        let missing: Vec<ColumnKey> = {
            let mut seen = HashSet::new();
            static_ops::column_keys(body)
                .into_iter()
                .filter(|k| !self.tails.contains_key(k) && seen.insert(k.clone()))
                .collect()
        };
        if !missing.is_empty() {
            let keys = PyList::empty(py);
            for k in &missing {
                let default = k.server_default.as_ref().map(|d| match d {
                    static_ops::model::ServerDefault::Text(s) => ("text", s.as_str()),
                    static_ops::model::ServerDefault::Str(s) => ("str", s.as_str()),
                });
                keys.append((
                    k.type_src.as_str(),
                    k.nullable,
                    default,
                    k.sole_pk,
                    k.autoincrement,
                ))?;
            }
            let specs: Vec<Option<String>> = self.compile.bind(py).call1((keys,))?.extract()?;
            for (k, spec) in missing.into_iter().zip(specs) {
                self.tails.insert(k, spec);
            }
        }
        Ok(match static_ops::render(body, &self.dialect, &self.tails) {
            // (sql, source line, whether it is `op.execute`'s text)
            Ok(stmts) => PyList::new(
                py,
                stmts
                    .into_iter()
                    .zip(&body.lines)
                    .zip(&body.ops)
                    .map(|((sql, line), op)| {
                        let sql = if as_sql {
                            static_ops::finish(&sql)
                        } else {
                            sql
                        };
                        (sql, *line, matches!(op, static_ops::StaticOp::Execute(_)))
                    }),
            )?
            .into_any(),
            Err(reason) => PyString::new(py, &reason).into_any(),
        })
    }
}
