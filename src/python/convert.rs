//! Values between Python and the database layer: what psycopg2 / sqlite3
//! accept as parameters and return in rows.

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyFloat, PyInt, PyList, PyString, PyTuple};

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
    // psycopg2 adapts a list to `ARRAY[...]` (an `ARRAY` column's value),
    // pymysql to a parenthesised sequence; sqlite3 refuses it
    if let Ok(list) = obj.cast::<PyList>() {
        return Ok(Value::Array(
            list.iter()
                .map(|item| to_value(&item))
                .collect::<PyResult<_>>()?,
        ));
    }
    if let Ok(tuple) = obj.cast::<PyTuple>() {
        return Ok(Value::Tuple(
            tuple
                .iter()
                .map(|item| to_value(&item))
                .collect::<PyResult<_>>()?,
        ));
    }
    if let Ok(sql) = obj.cast::<QuotedSql>() {
        return Ok(Value::Sql(sql.get().text.clone()));
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
        // psycopg2's text for it (`'1 days 3723.000005 seconds'::interval`);
        // the MySQL literal turns it into pymysql's `'25:02:03.000005'`
        "timedelta" => {
            let days: i64 = obj.getattr("days")?.extract()?;
            let seconds: i64 = obj.getattr("seconds")?.extract()?;
            let micros: i64 = obj.getattr("microseconds")?.extract()?;
            Ok(Value::Interval(format!(
                "{days} days {seconds}.{micros:06} seconds"
            )))
        }
        "UUID" => Ok(Value::Uuid(obj.str()?.to_string())),
        _ => Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "can't adapt type '{type_name}'"
        ))),
    }
}

/// A parameter the shim had a psycopg2 adapter quote
/// (`adapter.getquoted()`): written into the statement as is.
#[pyclass(frozen, module = "_alembic_rs")]
pub struct QuotedSql {
    text: String,
}

#[pymethods]
impl QuotedSql {
    #[new]
    fn new(text: String) -> Self {
        QuotedSql { text }
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
            Value::UInt(i) => i.into_pyobject(py)?.into_any(),
            Value::Float(f) => f.into_pyobject(py)?.into_any(),
            Value::Numeric(s) => self.decimal.call1((s,))?,
            Value::Text(s) => s.into_pyobject(py)?.into_any(),
            Value::Bytes(b) => PyBytes::new(py, &b).into_any(),
            Value::Date(s) => match infinite(&s, "9999-12-31", None) {
                Some(iso) => self.date.call1((iso,))?,
                None => self.date_or_text(py, &self.date, s)?,
            },
            Value::Time(s) => self.time.call1((s,))?,
            Value::DateTime(s) => match infinite(&s, DT_MAX, Some(DT_MIN)) {
                Some(iso) => self.datetime.call1((iso,))?,
                None => self.date_or_text(py, &self.datetime, s)?,
            },
            Value::DateTimeTz(s) => match infinite(&s, DT_MAX, Some(DT_MIN)) {
                Some(iso) => self.datetime.call1((format!("{iso}+00:00"),))?,
                None => self.date_or_text(py, &self.datetime, normalize_tz(&s))?,
            },
            // psycopg2 under SQLAlchemy, which always calls `register_uuid`
            Value::Uuid(s) => py.import("uuid")?.getattr("UUID")?.call1((s,))?,
            // psycopg2's and pymysql's typecasters: `datetime.timedelta`
            Value::Interval(s) => match timedelta_parts(&s) {
                Some((days, micros)) => py
                    .import("datetime")?
                    .getattr("timedelta")?
                    .call1((days, 0, micros))?,
                None => s.into_pyobject(py)?.into_any(),
            },
            Value::Json(s) | Value::Sql(s) => s.into_pyobject(py)?.into_any(),
            Value::Other { text, .. } => text.into_pyobject(py)?.into_any(),
            Value::Array(items) => {
                let items: Vec<Bound<'py, PyAny>> = items
                    .into_iter()
                    .map(|v| self.to_py(py, v))
                    .collect::<PyResult<_>>()?;
                pyo3::types::PyList::new(py, items)?.into_any()
            }
            // Parameters only; never in a result row.
            Value::Tuple(items) => {
                let items: Vec<Bound<'py, PyAny>> = items
                    .into_iter()
                    .map(|v| self.to_py(py, v))
                    .collect::<PyResult<_>>()?;
                PyTuple::new(py, items)?.into_any()
            }
        })
    }
}

/// An interval's text as `(days, microseconds)`: PostgreSQL's default
/// `IntervalStyle` (`1 year 2 mons -3 days +04:05:06.5`; a year is 365 days
/// and a month 30, as psycopg2 counts them) or MySQL's `TIME`
/// (`-838:59:59.000000`). The sign of a clock part covers all of it, as
/// pymysql and psycopg2 read it. `None` for anything else.
fn timedelta_parts(text: &str) -> Option<(i64, i64)> {
    let (mut days, mut micros) = (0i64, 0i64);
    let mut words = text.split_whitespace();
    while let Some(word) = words.next() {
        if word.contains(':') {
            micros = micros.checked_add(clock_micros(word)?)?;
            continue;
        }
        let n: i64 = word.parse().ok()?;
        let per = match words.next()?.trim_end_matches('s') {
            "year" => 365,
            "mon" => 30,
            "day" => 1,
            _ => return None,
        };
        days = days.checked_add(n.checked_mul(per)?)?;
    }
    Some((days, micros))
}

/// `[+-]H:MM:SS[.ffffff]` in microseconds.
fn clock_micros(clock: &str) -> Option<i64> {
    let (sign, clock) = match clock.as_bytes().first()? {
        b'-' => (-1, &clock[1..]),
        b'+' => (1, &clock[1..]),
        _ => (1, clock),
    };
    let mut parts = clock.split(':');
    let hours: i64 = parts.next()?.parse().ok()?;
    let minutes: i64 = parts.next()?.parse().ok()?;
    let seconds = parts.next()?;
    let (secs, frac) = seconds.split_once('.').unwrap_or((seconds, ""));
    if parts.next().is_some() || frac.len() > 6 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let secs: i64 = secs.parse().ok()?;
    let frac: i64 = format!("{frac:0<6}").parse().ok()?;
    let total = ((hours.checked_mul(60)? + minutes) * 60 + secs).checked_mul(1_000_000)? + frac;
    Some(sign * total)
}

const DT_MAX: &str = "9999-12-31 23:59:59.999999";
const DT_MIN: &str = "0001-01-01 00:00:00";

/// PostgreSQL's `infinity` / `-infinity` as psycopg2 reads them: the
/// largest and smallest `datetime` (in UTC for `timestamptz`), `date.max`;
/// `None` for any other text (and for a `-infinity` date, which psycopg2
/// cannot read either).
fn infinite(text: &str, max: &'static str, min: Option<&'static str>) -> Option<&'static str> {
    match text {
        "infinity" => Some(max),
        "-infinity" => min,
        _ => None,
    }
}

impl<'py> Builders<'py> {
    /// A date or timestamp; one `fromisoformat` cannot read (MySQL's
    /// `0000-00-00` and other zero dates) is handed out as its text, as
    /// pymysql's converters do.
    fn date_or_text(
        &self,
        py: Python<'py>,
        build: &Bound<'py, PyAny>,
        text: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        match build.call1((text.as_str(),)) {
            Ok(value) => Ok(value),
            Err(e)
                if e.is_instance_of::<pyo3::exceptions::PyValueError>(py)
                    && (text.starts_with("0000-") || text.contains("-00")) =>
            {
                Ok(text.into_pyobject(py)?.into_any())
            }
            Err(e) => Err(e),
        }
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

#[cfg(test)]
mod tests {
    use super::{DT_MAX, DT_MIN, infinite, timedelta_parts};

    #[test]
    fn infinite_timestamps_as_psycopg2_reads_them() {
        assert_eq!(infinite("infinity", DT_MAX, Some(DT_MIN)), Some(DT_MAX));
        assert_eq!(infinite("-infinity", DT_MAX, Some(DT_MIN)), Some(DT_MIN));
        // psycopg2 cannot read a `-infinity` date either
        assert_eq!(infinite("-infinity", "9999-12-31", None), None);
        assert_eq!(infinite("2024-01-02", DT_MAX, Some(DT_MIN)), None);
    }

    #[test]
    fn intervals_as_the_drivers_read_them() {
        let day = 86_400_000_000i64;
        let cases: &[(&str, Option<(i64, i64)>)] = &[
            ("00:00:00", Some((0, 0))),
            (
                "838:59:59",
                Some((0, ((838 * 60 + 59) * 60 + 59) * 1_000_000)),
            ),
            ("-00:00:01.5", Some((0, -1_500_000))),
            ("12:00:00.000001", Some((0, day / 2 + 1))),
            ("1 day", Some((1, 0))),
            (
                "-1 days +02:03:04",
                Some((-1, ((2 * 60 + 3) * 60 + 4) * 1_000_000)),
            ),
            (
                "1 year 2 mons 3 days 04:05:06.789",
                Some((365 + 60 + 3, ((4 * 60 + 5) * 60 + 6) * 1_000_000 + 789_000)),
            ),
            ("-2 years", Some((-730, 0))),
            ("P1D", None),
            ("1 fortnight", None),
            ("1:2:3:4", None),
            ("", Some((0, 0))),
        ];
        for (text, want) in cases {
            assert_eq!(timedelta_parts(text), *want, "{text}");
        }
    }
}
