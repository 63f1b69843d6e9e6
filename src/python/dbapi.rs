//! The raw connection under the Python DB-API wrapper (`alembic/_rs/dbapi.py`):
//! parameters in, rows out, the GIL released while the database works.

use std::sync::Arc;

use indexmap::IndexMap;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyTuple};

use super::convert::{Builders, to_value};
use super::module::DatabaseFailure;
use super::sqlite_udf::{PendingError, PyAggregateClass, PyCollation, PyFunction};
use crate::db::sqlite_udf::{Collation, Registration};
use crate::db::{self, Connection, DbError, Dialect, Params, Url, Value};

#[pyclass(module = "_alembic_rs")]
pub struct RawConnection {
    conn: Option<Connection>,
    dialect: Dialect,
    /// SQLite: what a user-defined collation raised during the statement
    /// (see `super::sqlite_udf`).
    pending: Arc<PendingError>,
}

fn failure(err: DbError) -> PyErr {
    let (message, code, kind) = err.python_parts();
    DatabaseFailure::new_err((message, code, kind))
}

/// `(name, type_code, type_name)` per column: the driver's type code
/// (psycopg2's type OID, pymysql's `FIELD_TYPE`; `None` for sqlite3), by
/// which SQLAlchemy's psycopg2 types choose their result processing
/// (`Numeric(asdecimal=False)`), and the type's name (PostgreSQL `typname`:
/// the shim hands `hstore` values out as dicts, as psycopg2 does once
/// SQLAlchemy registered its native hstore support).
type Description = Option<Vec<(String, Option<u32>, String)>>;

/// What `execute` hands the shim's cursor: (description or None, rows,
/// rowcount, lastrowid, the error to raise from a fetch or None: its
/// message, code and exception class as `DatabaseFailure` carries them).
type Executed<'py> = (
    Description,
    Bound<'py, PyList>,
    i64,
    Option<i64>,
    Option<(String, Option<String>, Option<&'static str>)>,
);

/// The identical tables' keys, and their `(schema, table, column, sequence
/// text)` columns that look like SERIALs (see
/// `crate::autogen::prefilter::serial_candidates`).
type IdenticalTables = (
    Vec<(Option<String>, String)>,
    Vec<(Option<String>, String, String, String)>,
);

#[pymethods]
impl RawConnection {
    #[new]
    fn new(py: Python<'_>, url: &str) -> PyResult<Self> {
        let url = Url::parse(url).map_err(|e| {
            DatabaseFailure::new_err((e.to_string(), None::<String>, None::<String>))
        })?;
        let conn = py.detach(|| Connection::open(&url)).map_err(failure)?;
        let dialect = conn.dialect();
        Ok(RawConnection {
            conn: Some(conn),
            dialect,
            pending: Arc::default(),
        })
    }

    #[getter]
    fn backend(&self) -> &'static str {
        match self.dialect {
            Dialect::Postgresql => "postgresql",
            Dialect::Sqlite => "sqlite",
            Dialect::Mysql => "mysql",
        }
    }

    /// The server's version text, as `VERSION()` gives it (pymysql's
    /// `get_server_info()` adds MariaDB 10's handshake prefix to it).
    #[getter]
    fn server_version(&self) -> String {
        self.conn
            .as_ref()
            .map(|c| c.server_version().to_string())
            .unwrap_or_default()
    }

    /// PostgreSQL's `server_version_num` (psycopg2's
    /// `connection.server_version`); 0 elsewhere or once closed.
    #[getter]
    fn server_version_num(&self) -> u32 {
        self.conn
            .as_ref()
            .and_then(|c| c.server_version_num())
            .unwrap_or(0)
    }

    /// Whether the server ended the session under a statement (the driver
    /// then reports its connection closed, as psycopg2 and pymysql do).
    #[getter]
    fn lost(&self) -> bool {
        self.conn.as_ref().is_some_and(|c| c.is_lost())
    }

    /// SQLite: whether a transaction is open, as the library says (pysqlite's
    /// `in_transaction`); False once closed, None for the other backends.
    #[getter]
    fn sqlite_in_transaction(&self) -> Option<bool> {
        match &self.conn {
            Some(c) => c.sqlite_in_transaction(),
            None => (self.dialect == Dialect::Sqlite).then_some(false),
        }
    }

    /// Runs a statement (see [`Executed`]).
    #[pyo3(signature = (sql, params=None))]
    fn execute<'py>(
        &mut self,
        py: Python<'py>,
        sql: &str,
        params: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Executed<'py>> {
        let result = self.run(py, sql, params);
        // A collation's exception surfaces once the statement ran, unless
        // the statement failed anyway (pysqlite then reports SQLite's error).
        match (self.pending.take(), result) {
            (Some(raised), Ok(_)) => Err(raised),
            (_, result) => result,
        }
    }

    /// SQLite: pysqlite's `create_function` (`func` None is registered as
    /// is and fails when called, as in Python 3.11).
    #[pyo3(signature = (name, narg, func, deterministic=false))]
    fn sqlite_create_function(
        &mut self,
        name: String,
        narg: i32,
        func: Py<PyAny>,
        deterministic: bool,
    ) -> PyResult<()> {
        self.register(Registration::Function {
            name,
            n_arg: narg,
            deterministic,
            function: Box::new(PyFunction(func)),
        })
    }

    /// SQLite: pysqlite's `create_aggregate` (any object: it fails when a
    /// group starts if it cannot be called).
    fn sqlite_create_aggregate(
        &mut self,
        name: String,
        n_arg: i32,
        aggregate_class: Py<PyAny>,
    ) -> PyResult<()> {
        self.register(Registration::Aggregate {
            name,
            n_arg,
            aggregate: Box::new(PyAggregateClass(aggregate_class)),
        })
    }

    /// SQLite: pysqlite's `create_collation`; `callable` None removes it.
    fn sqlite_create_collation(
        &mut self,
        name: String,
        callable: Option<Py<PyAny>>,
    ) -> PyResult<()> {
        let pending = Arc::clone(&self.pending);
        self.register(Registration::Collation {
            name,
            collation: callable
                .map(|func| Box::new(PyCollation { func, pending }) as Box<dyn Collation>),
        })
    }

    /// SQLite: pysqlite's `total_changes`.
    fn sqlite_total_changes(&mut self) -> PyResult<i64> {
        self.open_sqlite()?.sqlite_total_changes().map_err(failure)
    }

    /// SQLite: the statements of pysqlite's `executescript`, each run to
    /// its end, nothing returned.
    fn sqlite_execute_script(&mut self, py: Python<'_>, sql: &str) -> PyResult<()> {
        let conn = self.open_sqlite()?;
        py.detach(|| conn.execute(sql, &[]))
            .map(drop)
            .map_err(failure)
    }

    /// SQLite: pysqlite's `enable_load_extension`.
    fn sqlite_enable_load_extension(&mut self, enabled: bool) -> PyResult<()> {
        self.open_sqlite()?
            .sqlite_enable_load_extension(enabled)
            .map_err(failure)
    }

    /// SQLite: pysqlite's `load_extension` (Python 3.11: a path only).
    fn sqlite_load_extension(&mut self, path: &str) -> PyResult<()> {
        self.open_sqlite()?
            .sqlite_load_extension(path)
            .map_err(failure)
    }

    /// Autogenerate's pre-pass on this connection (inside its open
    /// transaction): reflect `schemas` and return the keys of the `models`
    /// tables found identical (`crate::autogen::prefilter`).
    /// `type_names`: the dialect's `ischema_names` keys.
    fn autogen_identical_tables(
        &mut self,
        py: Python<'_>,
        models: &Bound<'_, PyAny>,
        schemas: Vec<Option<String>>,
        compare_type: bool,
        compare_server_default: bool,
        type_names: Vec<String>,
    ) -> PyResult<IdenticalTables> {
        use crate::autogen::{prefilter, reflect};
        let models = super::autogen::model_tables(models)?;
        let dialect = self.dialect;
        let conn = self
            .conn
            .as_mut()
            .ok_or_else(|| pyo3::exceptions::PyRuntimeError::new_err("connection is closed"))?;
        let options = prefilter::PrefilterOptions {
            compare_type,
            compare_server_default,
        };
        let schema = py
            .detach(|| reflect::reflect(conn, &reflect::ReflectOptions { schemas }))
            .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
        let known = crate::autogen::types::KnownTypes::new(type_names);
        let keys = prefilter::identical_tables(dialect, &schema, &models, options, &known);
        let serials = if dialect == Dialect::Postgresql {
            prefilter::serial_candidates(&schema, &keys)
        } else {
            Vec::new()
        };
        Ok((keys, serials))
    }

    /// psycopg2's `copy_expert` of a `COPY ... FROM STDIN` with the whole
    /// input: the rows copied.
    fn copy_in(&mut self, py: Python<'_>, sql: &str, data: &[u8]) -> PyResult<u64> {
        let conn = self.open()?;
        py.detach(|| conn.copy_in(sql, data)).map_err(failure)
    }

    /// psycopg2's `copy_expert` of a `COPY ... TO STDOUT`: the data
    /// messages (a row each in text and CSV formats).
    fn copy_out<'py>(&mut self, py: Python<'py>, sql: &str) -> PyResult<Vec<Bound<'py, PyBytes>>> {
        let conn = self.open()?;
        let chunks = py.detach(|| conn.copy_out(sql)).map_err(failure)?;
        Ok(chunks.iter().map(|c| PyBytes::new(py, c)).collect())
    }

    /// `cursor.mogrify(sql, params)` of psycopg2 / pymysql: the statement
    /// `execute` would send (`params` None: as given).
    #[pyo3(signature = (sql, params=None))]
    fn mogrify(&self, sql: &str, params: Option<&Bound<'_, PyAny>>) -> PyResult<String> {
        match params.filter(|p| !p.is_none()) {
            Some(p) if self.dialect != Dialect::Sqlite => interpolated(self.dialect, sql, p),
            _ => Ok(sql.to_string()),
        }
    }

    fn close(&mut self, py: Python<'_>) {
        if let Some(conn) = self.conn.take() {
            let _ = py.detach(|| conn.close());
        }
    }
}

impl RawConnection {
    /// `execute`'s statement: (description or None, rows, rowcount,
    /// lastrowid).
    fn run<'py>(
        &mut self,
        py: Python<'py>,
        sql: &str,
        params: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Executed<'py>> {
        let dialect = self.dialect;
        let conn = self.open()?;
        let params = params.filter(|p| !p.is_none());
        // pysqlite binds a dict by name (SQLAlchemy's paramstyle="named").
        let mut named = IndexMap::new();
        if dialect == Dialect::Sqlite
            && let Some(d) = params.and_then(|p| p.cast::<PyDict>().ok())
        {
            for (k, v) in d.iter() {
                named.insert(k.extract::<String>()?, to_value(&v)?);
            }
            let result = py
                .detach(|| conn.execute_dbapi(sql, Params::Named(&named)))
                .map_err(failure)?;
            return finish(py, dialect, result);
        }
        let (sql, bound): (String, Vec<Value>) = match (dialect, params) {
            (_, None) => (sql.to_string(), Vec::new()),
            (Dialect::Sqlite, Some(p)) => (sql.to_string(), positional(p)?),
            (_, Some(p)) => (interpolated(dialect, sql, p)?, Vec::new()),
        };
        // Ctrl-C while the server works: pymysql raises the
        // KeyboardInterrupt from its socket read at once; psycopg2 waits
        // for the reply (execute_dbapi_interruptible asks only for MySQL).
        let mut raised = None;
        let result = py.detach(|| {
            let mut interrupted = || {
                Python::attach(|py| py.check_signals())
                    .map_err(|e| raised = Some(e))
                    .is_err()
            };
            conn.execute_dbapi_interruptible(&sql, Params::Positional(&bound), &mut interrupted)
        });
        if let (Err(DbError::Interrupted), Some(err)) = (&result, raised) {
            return Err(err);
        }
        finish(py, dialect, result.map_err(failure)?)
    }

    /// Registers on the SQLite connection, the interpreter attached (a
    /// replaced callable is released here).
    fn register(&mut self, registration: Registration) -> PyResult<()> {
        self.open_sqlite()?
            .sqlite_register(registration)
            .map_err(failure)
    }

    /// The connection, or psycopg2's and pymysql's error for a closed one.
    fn open(&mut self) -> PyResult<&mut Connection> {
        self.conn.as_mut().ok_or_else(|| {
            DatabaseFailure::new_err((
                "connection already closed",
                None::<String>,
                Some("InterfaceError"),
            ))
        })
    }

    /// The connection, or pysqlite's error for a closed one.
    fn open_sqlite(&mut self) -> PyResult<&mut Connection> {
        self.conn.as_mut().ok_or_else(|| {
            DatabaseFailure::new_err((
                "Cannot operate on a closed database.",
                None::<String>,
                Some("ProgrammingError"),
            ))
        })
    }
}

/// A PostgreSQL or MySQL statement with its parameters written in, as
/// psycopg2 and pymysql send it (and their `cursor.mogrify` returns it).
fn interpolated(dialect: Dialect, sql: &str, p: &Bound<'_, PyAny>) -> PyResult<String> {
    let text = if let Ok(d) = p.cast::<PyDict>() {
        let mut named = IndexMap::new();
        for (k, v) in d.iter() {
            named.insert(k.extract::<String>()?, to_value(&v)?);
        }
        db::interpolate_pyformat(dialect, sql, &Params::Named(&named))
    } else {
        let values = positional(p)?;
        // pymysql formats with `%` whenever args is not None,
        // so `%%` becomes `%` even with an empty tuple.
        if values.is_empty() && dialect != Dialect::Mysql {
            Ok(sql.to_string())
        } else {
            db::interpolate_pyformat(dialect, sql, &Params::Positional(&values))
        }
    };
    text.map_err(failure)
}

fn positional(p: &Bound<'_, PyAny>) -> PyResult<Vec<Value>> {
    p.try_iter()?.map(|v| to_value(&v?)).collect()
}

/// A statement's result as `execute` hands it to the shim's cursor
/// ([`Executed`]).
fn finish<'py>(
    py: Python<'py>,
    dialect: Dialect,
    result: db::QueryResult,
) -> PyResult<Executed<'py>> {
    let builders = Builders::new(py)?;

    let rows = PyList::empty(py);
    for row in result.rows {
        let items: Vec<Bound<'py, PyAny>> = row
            .into_iter()
            .map(|v| builders.to_py(py, v))
            .collect::<PyResult<_>>()?;
        rows.append(PyTuple::new(py, items)?)?;
    }
    let description = (!result.columns.is_empty()).then(|| {
        result
            .columns
            .into_iter()
            .map(|c| (c.name, c.type_code, c.type_name))
            .collect()
    });
    let rowcount = if description.is_some() && dialect != Dialect::Sqlite {
        rows.len() as i64
    } else if description.is_some() {
        -1
    } else {
        result.rows_affected as i64
    };
    let fetch_error = result.fetch_error.map(|e| (e.message, e.code, e.kind));
    Ok((
        description,
        rows,
        rowcount,
        result.last_insert_id,
        fetch_error,
    ))
}

/// Which way a PostgreSQL statement copies over the connection (`"in"`
/// for `COPY ... FROM STDIN`, `"out"` for `TO STDOUT`, None for anything
/// else): the drivers' `copy_expert`/`copy()` learn it before they read
/// the user's file, as libpq learns it from the server's reply.
#[pyfunction]
pub fn copy_direction(sql: &str) -> Option<&'static str> {
    db::copy_stdio(sql).map(|d| match d {
        db::CopyStdio::In => "in",
        db::CopyStdio::Out => "out",
    })
}

/// `sqlite3.sqlite_version` of the SQLite we link.
#[pyfunction]
pub fn sqlite_version() -> String {
    db::sqlite_library_version()
}
