//! Values between Python and the database layer: what psycopg2 / sqlite3
//! accept as parameters and return in rows.

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyFloat, PyInt, PyString};

use crate::db::Value;

/// A bound parameter as `db` understands it.
pub fn to_value(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if obj.is_instance_of::<PyBool>() {
        return Ok(Value::Bool(obj.extract()?));
    }
    if obj.is_instance_of::<PyInt>() {
        return match obj.extract::<i64>() {
            Ok(i) => Ok(Value::Int(i)),
            Err(_) => Ok(Value::Numeric(obj.str()?.to_string())),
        };
    }
    if obj.is_instance_of::<PyFloat>() {
        return Ok(Value::Float(obj.extract()?));
    }
    if obj.is_instance_of::<PyString>() {
        return Ok(Value::Text(obj.extract()?));
    }
    if obj.is_instance_of::<PyBytes>() || obj.is_instance_of::<PyByteArray>() {
        return Ok(Value::Bytes(obj.extract()?));
    }
    let type_name = obj.get_type().name()?.to_string();
    match type_name.as_str() {
        "memoryview" => Ok(Value::Bytes(obj.call_method0("tobytes")?.extract()?)),
        "Decimal" => Ok(Value::Numeric(obj.str()?.to_string())),
        "datetime" => {
            let iso: String = obj.call_method1("isoformat", (" ",))?.extract()?;
            if obj.getattr("tzinfo")?.is_none() {
                Ok(Value::DateTime(iso))
            } else {
                Ok(Value::DateTimeTz(iso))
            }
        }
        "date" => Ok(Value::Date(obj.call_method0("isoformat")?.extract()?)),
        "time" => Ok(Value::Time(obj.call_method0("isoformat")?.extract()?)),
        "timedelta" => {
            let secs: f64 = obj.call_method0("total_seconds")?.extract()?;
            Ok(Value::Interval(format!("{secs} seconds")))
        }
        "UUID" => Ok(Value::Uuid(obj.str()?.to_string())),
        _ => Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "can't adapt type '{type_name}'"
        ))),
    }
}

/// Python modules whose constructors rebuild typed values.
pub struct Builders<'py> {
    decimal: Bound<'py, PyAny>,
    datetime: Bound<'py, PyAny>,
    date: Bound<'py, PyAny>,
    time: Bound<'py, PyAny>,
}

impl<'py> Builders<'py> {
    pub fn new(py: Python<'py>) -> PyResult<Self> {
        let dt = py.import("datetime")?;
        Ok(Builders {
            decimal: py.import("decimal")?.getattr("Decimal")?,
            datetime: dt.getattr("datetime")?.getattr("fromisoformat")?,
            date: dt.getattr("date")?.getattr("fromisoformat")?,
            time: dt.getattr("time")?.getattr("fromisoformat")?,
        })
    }

    /// A result value as psycopg2 / sqlite3 would return it.
    pub fn to_py(&self, py: Python<'py>, v: Value) -> PyResult<Bound<'py, PyAny>> {
        Ok(match v {
            Value::Null => py.None().into_bound(py),
            Value::Bool(b) => PyBool::new(py, b).to_owned().into_any(),
            Value::Int(i) => i.into_pyobject(py)?.into_any(),
            Value::Float(f) => f.into_pyobject(py)?.into_any(),
            Value::Numeric(s) => self.decimal.call1((s,))?,
            Value::Text(s) => s.into_pyobject(py)?.into_any(),
            Value::Bytes(b) => PyBytes::new(py, &b).into_any(),
            Value::Date(s) => self.date.call1((s,))?,
            Value::Time(s) => self.time.call1((s,))?,
            Value::DateTime(s) | Value::DateTimeTz(s) => {
                self.datetime.call1((normalize_tz(&s),))?
            }
            Value::Uuid(s) | Value::Json(s) | Value::Interval(s) => s.into_pyobject(py)?.into_any(),
            Value::Other { text, .. } => text.into_pyobject(py)?.into_any(),
            Value::Array(items) => {
                let items: Vec<Bound<'py, PyAny>> = items
                    .into_iter()
                    .map(|v| self.to_py(py, v))
                    .collect::<PyResult<_>>()?;
                pyo3::types::PyList::new(py, items)?.into_any()
            }
        })
    }
}

/// PostgreSQL prints `+00` offsets; `fromisoformat` wants `+00:00`.
fn normalize_tz(s: &str) -> String {
    let bytes = s.as_bytes();
    let n = bytes.len();
    if n >= 3
        && (bytes[n - 3] == b'+' || bytes[n - 3] == b'-')
        && s[n - 2..].bytes().all(|b| b.is_ascii_digit())
    {
        format!("{s}:00")
    } else {
        s.to_string()
    }
}
