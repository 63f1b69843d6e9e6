//! pysqlite's user-defined SQL functions, aggregates and collations over
//! Python callables: the `crate::db::sqlite_udf` traits, as
//! `sqlite3.Connection.create_function` and friends behave (Python 3.11).
//!
//! SQLite calls back on the thread stepping the statement, which released
//! the interpreter (`py.detach`) around the step, so each callback attaches
//! again. A callback that cannot attach (interpreter shutting down) fails
//! as a raising callable would. A failure never unwinds: it becomes the
//! SQL error pysqlite reports (`user-defined function raised exception`,
//! `user-defined aggregate's 'step' method raised error`, ...), the Python
//! exception itself being dropped, as pysqlite drops it without
//! `enable_callback_tracebacks`.
//!
//! A collation cannot fail in SQL: as in pysqlite, its first exception
//! stays pending (later comparisons answer "equal" without calling it) and
//! is raised by the statement once it has run ([`PendingError`]).
//!
//! SQLite owns the callables: a replaced, removed or closed-over callable
//! is released when SQLite destroys it, on the registering thread (attached)
//! or, when the database closes, on sqlx's worker thread, where pyo3 defers
//! the reference drop until a thread next attaches.

use std::cmp::Ordering;
use std::sync::{Arc, Mutex};

use pyo3::exceptions::{PyAttributeError, PyMemoryError, PyOverflowError, PyUnicodeDecodeError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyFloat, PyInt, PyString, PyTuple};

use crate::db::Value;
use crate::db::sqlite_udf::{Aggregate, AggregateState, Collation, ScalarFunction, UdfError};

const FUNCTION_FAILED: &str = "user-defined function raised exception";
const INIT_FAILED: &str = "user-defined aggregate's '__init__' method raised error";
const STEP_FAILED: &str = "user-defined aggregate's 'step' method raised error";
const STEP_MISSING: &str = "user-defined aggregate's 'step' method not defined";
const FINALIZE_FAILED: &str = "user-defined aggregate's 'finalize' method raised error";
const FINALIZE_MISSING: &str = "user-defined aggregate's 'finalize' method not defined";

/// A scalar function: `func(*args)`.
pub struct PyFunction(pub Py<PyAny>);

/// An aggregate: `cls()` per group, then `step(*args)` per row and
/// `finalize()`.
pub struct PyAggregateClass(pub Py<PyAny>);

struct PyAggregateInstance(Py<PyAny>);

/// A collation: `func(a, b)`, negative, zero or positive.
pub struct PyCollation {
    pub func: Py<PyAny>,
    pub pending: Arc<PendingError>,
}

/// The exception a collation raised during the current statement, raised
/// once the statement has run (pysqlite leaves it set on the thread).
#[derive(Default)]
pub struct PendingError(Mutex<Option<PyErr>>);

impl PendingError {
    /// Takes the pending exception, if any.
    pub fn take(&self) -> Option<PyErr> {
        self.0.lock().ok().and_then(|mut e| e.take())
    }

    fn is_set(&self) -> bool {
        self.0.lock().map(|e| e.is_some()).unwrap_or(true)
    }

    fn set(&self, err: PyErr) {
        if let Ok(mut slot) = self.0.lock() {
            slot.get_or_insert(err);
        }
    }
}

/// Runs `f` attached; a Python exception becomes the SQL error pysqlite
/// reports for it (`failed`, or `missing` for an `AttributeError` when
/// given).
fn attached<T>(
    failed: &'static str,
    missing: Option<&'static str>,
    f: impl for<'py> FnOnce(Python<'py>) -> PyResult<T>,
) -> Result<T, UdfError> {
    Python::try_attach(|py| {
        f(py).map_err(|e| {
            if e.is_instance_of::<PyMemoryError>(py) {
                UdfError::NoMem
            } else if e.is_instance_of::<PyOverflowError>(py) {
                UdfError::TooBig
            } else if let Some(missing) =
                missing.filter(|_| e.is_instance_of::<PyAttributeError>(py))
            {
                UdfError::Message(missing.into())
            } else {
                UdfError::Message(failed.into())
            }
        })
    })
    .unwrap_or_else(|| Err(UdfError::Message(failed.into())))
}

/// The arguments as pysqlite passes them: int, float, str, bytes, None.
fn arguments<'py>(py: Python<'py>, args: Vec<Value>) -> PyResult<Bound<'py, PyTuple>> {
    let items = args.into_iter().map(|v| -> PyResult<Bound<'py, PyAny>> {
        Ok(match v {
            Value::Int(i) => i.into_pyobject(py)?.into_any(),
            Value::Float(f) => PyFloat::new(py, f).into_any(),
            Value::Text(s) => PyString::new(py, &s).into_any(),
            Value::Bytes(b) => PyBytes::new(py, &b).into_any(),
            _ => py.None().into_bound(py),
        })
    });
    PyTuple::new(py, items.collect::<PyResult<Vec<_>>>()?)
}

/// A returned object as SQLite's value, as pysqlite converts it: None,
/// int (bool included; past 64 bits an `OverflowError`), float, str, any
/// buffer as a blob; anything else fails.
fn result(value: &Bound<'_, PyAny>) -> PyResult<Value> {
    let py = value.py();
    if value.is_none() {
        Ok(Value::Null)
    } else if value.is_instance_of::<PyInt>() {
        Ok(Value::Int(value.extract::<i64>()?))
    } else if value.is_instance_of::<PyFloat>() {
        Ok(Value::Float(value.extract::<f64>()?))
    } else if let Ok(s) = value.cast::<PyString>() {
        Ok(Value::Text(s.to_str()?.to_string()))
    } else if let Ok(b) = value.cast::<PyBytes>() {
        Ok(Value::Bytes(b.as_bytes().to_vec()))
    } else if unsafe { pyo3::ffi::PyObject_CheckBuffer(value.as_ptr()) } != 0 {
        // SAFETY (above): `value` is a live object; the check only reads
        // its type. bytes() copies any buffer's contents.
        let bytes = py.get_type::<PyBytes>().call1((value,))?;
        Ok(Value::Bytes(bytes.cast::<PyBytes>()?.as_bytes().to_vec()))
    } else {
        Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "User-defined functions cannot return '{}' values to SQLite",
            value.get_type().name()?
        )))
    }
}

impl ScalarFunction for PyFunction {
    fn call(&self, args: Vec<Value>) -> Result<Value, UdfError> {
        attached(FUNCTION_FAILED, None, |py| {
            let args = arguments(py, args)?;
            result(&self.0.bind(py).call1(args)?)
        })
    }
}

impl Aggregate for PyAggregateClass {
    fn start(&self) -> Result<Box<dyn AggregateState>, UdfError> {
        attached(INIT_FAILED, None, |py| {
            let instance = self.0.bind(py).call0()?.unbind();
            Ok(Box::new(PyAggregateInstance(instance)) as Box<dyn AggregateState>)
        })
    }
}

impl AggregateState for PyAggregateInstance {
    fn step(&mut self, args: Vec<Value>) -> Result<(), UdfError> {
        attached(STEP_FAILED, Some(STEP_MISSING), |py| {
            let args = arguments(py, args)?;
            self.0.bind(py).call_method1("step", args).map(drop)
        })
    }

    fn finish(self: Box<Self>) -> Result<Value, UdfError> {
        attached(FINALIZE_FAILED, Some(FINALIZE_MISSING), |py| {
            result(&self.0.bind(py).call_method0("finalize")?)
        })
    }
}

impl Collation for PyCollation {
    fn compare(&self, a: &[u8], b: &[u8]) -> Ordering {
        Python::try_attach(|py| {
            if self.pending.is_set() {
                return Ordering::Equal;
            }
            self.call(py, a, b).unwrap_or_else(|e| {
                self.pending.set(e);
                Ordering::Equal
            })
        })
        .unwrap_or(Ordering::Equal)
    }
}

impl PyCollation {
    /// pysqlite's reading of the answer: an int's sign (however large);
    /// anything else is "equal".
    fn call(&self, py: Python<'_>, a: &[u8], b: &[u8]) -> PyResult<Ordering> {
        let text = |bytes: &[u8]| -> PyResult<Bound<'_, PyString>> {
            match std::str::from_utf8(bytes) {
                Ok(s) => Ok(PyString::new(py, s)),
                Err(e) => Err(PyErr::from_value(
                    PyUnicodeDecodeError::new_utf8(py, bytes, e)?.into_any(),
                )),
            }
        };
        let answer = self.func.bind(py).call1((text(a)?, text(b)?))?;
        if !answer.is_instance_of::<PyInt>() {
            return Ok(Ordering::Equal);
        }
        answer.compare(0)
    }
}
