//! `_alembic_rs.StaticPath`: the static path's state for one run (see
//! `crate::static_ops`): the parsed revision files of the plan, the
//! dialect's quoting, and the column specifications SQLAlchemy compiled.

use std::collections::{HashMap, HashSet};

use pyo3::prelude::*;
use pyo3::types::{PyList, PyString};

use crate::static_ops::model::ServerDefault;
use crate::static_ops::{
    self, ColumnKey, Compiled, Dialect, Family, Piece, Pieces, StaticModule, Tails,
};

#[pyclass(module = "_alembic_rs")]
pub struct StaticPath {
    dialect: Dialect,
    tails: Tails,
    pieces: Pieces,
    modules: HashMap<String, StaticModule>,
    /// `compile(keys) -> [spec or None]` (`_rs/static.py`).
    compile: Py<PyAny>,
    /// `compile_pieces(pieces) -> [(text, datetime) or None]`, for
    /// `alter_column` (`_rs/static.py`).
    compile_pieces: Py<PyAny>,
}

/// `server_default` as the host receives it: `(kind, value)`.
fn default_arg(d: &ServerDefault) -> (&'static str, &str) {
    match d {
        ServerDefault::Text(s) => ("text", s.as_str()),
        ServerDefault::Str(s) => ("str", s.as_str()),
    }
}

#[pymethods]
impl StaticPath {
    #[new]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        family: &str,
        quote: char,
        reserved: Vec<String>,
        max_name_length: usize,
        compile: Py<PyAny>,
        compile_pieces: Py<PyAny>,
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
            pieces: Pieces::new(),
            modules,
            compile,
            compile_pieces,
        })
    }

    /// Whether the revision file at `path` must be imported before the run
    /// starts (the static path may never import it otherwise).
    fn needs_import(&self, path: &str) -> bool {
        static_ops::cache::needs_import(&self.modules, path)
    }

    /// Whether the file at `path` was read and defines no `function` with
    /// `def` (so the host must import it to know whether the attribute
    /// exists at all).
    fn lacks_def(&self, path: &str, function: &str) -> bool {
        self.modules
            .get(path)
            .is_some_and(|m| m.lacks_def(function))
    }

    /// The statements of `function` in the file at `path`: a list of
    /// `(sql, line, is_execute, in_batch)`, or a str saying why it must run in Python.
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
                keys.append((
                    k.type_src.as_str(),
                    k.nullable,
                    k.server_default.as_ref().map(default_arg),
                    k.sole_pk,
                    k.autoincrement,
                    k.client_default,
                ))?;
            }
            let specs: Vec<Option<String>> = self.compile.bind(py).call1((keys,))?.extract()?;
            for (k, spec) in missing.into_iter().zip(specs) {
                self.tails.insert(k, spec);
            }
        }
        compile_pieces(py, &self.compile_pieces, &mut self.pieces, body)?;
        Ok(
            match static_ops::render(body, &self.dialect, &self.tails, &self.pieces) {
                // (sql, source line, whether it is `op.execute`'s text,
                // whether it is a batch block's directive)
                Ok(stmts) => PyList::new(
                    py,
                    stmts.into_iter().map(|(i, sql)| {
                        let sql = if as_sql {
                            static_ops::finish(&sql)
                        } else {
                            sql
                        };
                        (
                            sql,
                            body.lines[i],
                            matches!(body.ops[i], static_ops::StaticOp::Execute(_)),
                            body.batch[i],
                        )
                    }),
                )?
                .into_any(),
                Err(reason) => PyString::new(py, &reason).into_any(),
            },
        )
    }
}

/// Has the host (`compile`) compile the `alter_column` pieces of `body`
/// not seen yet in this run.
fn compile_pieces(
    py: Python<'_>,
    compile: &Py<PyAny>,
    pieces: &mut Pieces,
    body: &static_ops::StaticBody,
) -> PyResult<()> {
    let mut seen = HashSet::new();
    let missing: Vec<Piece> = static_ops::pieces(body)
        .into_iter()
        .filter(|p| !pieces.contains_key(p) && seen.insert(p.clone()))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let items = PyList::empty(py);
    for p in &missing {
        match p {
            Piece::Type(src) => items.append(("type", src.as_str(), py.None()))?,
            Piece::Default(d) => {
                let (kind, value) = default_arg(d);
                items.append(("default", kind, value))?
            }
            Piece::Comment(c) => items.append(("comment", c.as_str(), py.None()))?,
        }
    }
    let compiled: Vec<Option<(String, bool)>> = compile.bind(py).call1((items,))?.extract()?;
    for (p, c) in missing.into_iter().zip(compiled) {
        pieces.insert(p, c.map(|(text, datetime)| Compiled { text, datetime }));
    }
    Ok(())
}
