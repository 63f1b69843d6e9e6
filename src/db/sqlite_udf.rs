//! User-defined SQL functions, aggregates and collations on a SQLite
//! connection: what pysqlite's `create_function`, `create_aggregate` and
//! `create_collation` register (SQLAlchemy's pysqlite dialect registers
//! `regexp` and `floor` this way; oslo.db and others register their own in
//! a `connect` event).
//!
//! The callables are trait objects so this layer stays free of Python: the
//! driver (`crate::python::sqlite_udf`) implements the traits over Python
//! callables. SQLite owns each registered object from the moment it is
//! handed over: it calls the `xDestroy` below when the name is replaced or
//! (a collation) removed, when registration fails (functions only; a failed collation is
//! freed here, as SQLite's documentation asks), and when the database
//! closes, which may happen on sqlx's worker thread.
//!
//! SQLite calls back on the thread running `sqlite3_step`. Nothing may
//! unwind across that C frame, so every callback runs under
//! `catch_unwind`; a panic becomes the SQL error the callback would report
//! for a failure (a collation answers "equal").

use std::cmp::Ordering;
use std::ffi::{CString, c_int, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};

use super::error::{DbError, PyException};
use super::sqlite_ffi as ffi;
use super::value::Value;

/// Why a callback failed, as SQLite is told (pysqlite's `set_sqlite_error`:
/// `MemoryError` is "out of memory", `OverflowError` "string or blob too
/// big", anything else the message given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UdfError {
    Message(String),
    TooBig,
    NoMem,
}

/// A scalar SQL function.
pub trait ScalarFunction: Send {
    /// The result for one row's arguments (INTEGER, REAL, TEXT, BLOB or
    /// NULL values; TEXT that is not UTF-8 never gets here).
    fn call(&self, args: Vec<Value>) -> Result<Value, UdfError>;
}

/// An aggregate: a fresh [`AggregateState`] per group.
pub trait Aggregate: Send {
    /// Called on the group's first row.
    fn start(&self) -> Result<Box<dyn AggregateState>, UdfError>;
}

/// One group's running aggregate.
pub trait AggregateState {
    fn step(&mut self, args: Vec<Value>) -> Result<(), UdfError>;
    /// The group's result. SQLite also finalizes a group whose statement
    /// failed (its result is then ignored).
    fn finish(self: Box<Self>) -> Result<Value, UdfError>;
}

/// A collating sequence over UTF-8 text.
pub trait Collation: Send {
    fn compare(&self, a: &[u8], b: &[u8]) -> Ordering;
}

/// What to register under a name (`n_arg` -1: any number of arguments),
/// replacing what the name had. A collation given as `None` is removed;
/// functions and aggregates are not removable, as in pysqlite 3.11 (whose
/// `create_function(name, n, None)` registers `None`, failing when called).
pub enum Registration {
    Function {
        name: String,
        n_arg: i32,
        deterministic: bool,
        function: Box<dyn ScalarFunction>,
    },
    Aggregate {
        name: String,
        n_arg: i32,
        aggregate: Box<dyn Aggregate>,
    },
    Collation {
        name: String,
        collation: Option<Box<dyn Collation>>,
    },
}

/// Registers on `db`, the open handle of the calling thread.
pub(super) fn register(db: *mut ffi::Sqlite3, registration: Registration) -> Result<(), DbError> {
    match registration {
        Registration::Function {
            name,
            n_arg,
            deterministic,
            function,
        } => create_function(db, &name, n_arg, deterministic, function),
        Registration::Aggregate {
            name,
            n_arg,
            aggregate,
        } => create_aggregate(db, &name, n_arg, aggregate),
        Registration::Collation { name, collation } => create_collation(db, &name, collation),
    }
}

/// The failure reported when a callback panics or its arguments cannot be
/// read (pysqlite's wording for each kind of callback).
const FUNCTION_FAILED: &str = "user-defined function raised exception";
const STEP_FAILED: &str = "user-defined aggregate's 'step' method raised error";
const FINALIZE_FAILED: &str = "user-defined aggregate's 'finalize' method raised error";

/// Registers the scalar function `name`. The error is pysqlite's.
fn create_function(
    db: *mut ffi::Sqlite3,
    name: &str,
    n_arg: i32,
    deterministic: bool,
    function: Box<dyn ScalarFunction>,
) -> Result<(), DbError> {
    let flags = ffi::SQLITE_UTF8
        | if deterministic {
            ffi::SQLITE_DETERMINISTIC
        } else {
            0
        };
    let name = c_name(name)?;
    // SAFETY: `db` is the open, locked handle; the box is SQLite's from
    // here on (even when this fails) and comes back through
    // `destroy_function`.
    let status = unsafe {
        ffi::sqlite3_create_function_v2(
            db,
            name.as_ptr(),
            n_arg,
            flags,
            Box::into_raw(Box::new(function)).cast(),
            Some(call_function),
            None,
            None,
            Some(destroy_function),
        )
    };
    creation_result(status)
}

/// Registers the aggregate `name`.
fn create_aggregate(
    db: *mut ffi::Sqlite3,
    name: &str,
    n_arg: i32,
    aggregate: Box<dyn Aggregate>,
) -> Result<(), DbError> {
    let name = c_name(name)?;
    // SAFETY: as in `create_function`.
    let status = unsafe {
        ffi::sqlite3_create_function_v2(
            db,
            name.as_ptr(),
            n_arg,
            ffi::SQLITE_UTF8,
            Box::into_raw(Box::new(aggregate)).cast(),
            None,
            Some(step_aggregate),
            Some(finish_aggregate),
            Some(destroy_aggregate),
        )
    };
    creation_result(status)
}

/// Registers (`Some`) or removes (`None`) the collation `name`. A failure
/// is the database's own error, as pysqlite reports it.
fn create_collation(
    db: *mut ffi::Sqlite3,
    name: &str,
    collation: Option<Box<dyn Collation>>,
) -> Result<(), DbError> {
    let name = c_name(name)?;
    let status = match collation {
        Some(collation) => {
            let data: *mut Box<dyn Collation> = Box::into_raw(Box::new(collation));
            // SAFETY: `db` is the open, locked handle; on success the box is
            // SQLite's and comes back through `destroy_collation`.
            let status = unsafe {
                ffi::sqlite3_create_collation_v2(
                    db,
                    name.as_ptr(),
                    ffi::SQLITE_UTF8,
                    data.cast(),
                    Some(compare),
                    Some(destroy_collation),
                )
            };
            if status != ffi::SQLITE_OK {
                // SAFETY: SQLite does not call xDestroy when this fails.
                drop(unsafe { Box::from_raw(data) });
            }
            status
        }
        // SAFETY: `db` is the open, locked handle; no callback: removal.
        None => unsafe {
            ffi::sqlite3_create_collation_v2(
                db,
                name.as_ptr(),
                ffi::SQLITE_UTF8,
                std::ptr::null_mut(),
                None,
                None,
            )
        },
    };
    if status == ffi::SQLITE_OK {
        Ok(())
    } else {
        Err(super::sqlite::last_error(db))
    }
}

fn c_name(name: &str) -> Result<CString, DbError> {
    CString::new(name)
        .map_err(|_| DbError::interpolate(PyException::ValueError, "embedded null character"))
}

/// pysqlite reports any failure to register a function this way.
fn creation_result(status: c_int) -> Result<(), DbError> {
    if status == ffi::SQLITE_OK {
        Ok(())
    } else {
        Err(super::sqlite::database_error(
            "Error creating function".into(),
            None,
        ))
    }
}

/// The arguments as pysqlite hands them over; `None` when a TEXT value is
/// not UTF-8 (pysqlite fails to decode it).
///
/// # Safety
/// `argv` must hold `argc` values of the current call.
unsafe fn arguments(argc: c_int, argv: *mut *mut ffi::SqlValue) -> Option<Vec<Value>> {
    let count = usize::try_from(argc).unwrap_or(0);
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        // SAFETY: `i < argc`; each value is read before the next call on it.
        let value = unsafe { *argv.add(i) };
        out.push(unsafe {
            match ffi::sqlite3_value_type(value) {
                ffi::SQLITE_NULL => Value::Null,
                ffi::SQLITE_INTEGER => Value::Int(ffi::sqlite3_value_int64(value)),
                ffi::SQLITE_FLOAT => Value::Float(ffi::sqlite3_value_double(value)),
                ffi::SQLITE_BLOB => {
                    let ptr = ffi::sqlite3_value_blob(value).cast::<u8>();
                    Value::Bytes(value_bytes(value, ptr).to_vec())
                }
                _ => {
                    let ptr = ffi::sqlite3_value_text(value);
                    Value::Text(String::from_utf8(value_bytes(value, ptr).to_vec()).ok()?)
                }
            }
        });
    }
    Some(out)
}

/// # Safety
/// `ptr` must be what sqlite3_value_text/blob just returned for `value`.
unsafe fn value_bytes<'a>(value: *mut ffi::SqlValue, ptr: *const u8) -> &'a [u8] {
    let len = unsafe { ffi::sqlite3_value_bytes(value) };
    if ptr.is_null() || len <= 0 {
        &[]
    } else {
        unsafe { std::slice::from_raw_parts(ptr, len as usize) }
    }
}

/// Hands `result` to SQLite as the call's value or error.
///
/// # Safety
/// `ctx` must be the current call's context.
unsafe fn set_result(ctx: *mut ffi::Context, result: Result<Value, UdfError>) {
    let too_big = |len: usize| c_int::try_from(len).ok();
    // SAFETY: `ctx` is live; text and blobs are copied (SQLITE_TRANSIENT).
    unsafe {
        match result {
            Ok(Value::Null) => ffi::sqlite3_result_null(ctx),
            Ok(Value::Bool(b)) => ffi::sqlite3_result_int64(ctx, i64::from(b)),
            Ok(Value::Int(i)) => ffi::sqlite3_result_int64(ctx, i),
            Ok(Value::Float(f)) => ffi::sqlite3_result_double(ctx, f),
            Ok(Value::Bytes(b)) => match too_big(b.len()) {
                Some(n) => {
                    ffi::sqlite3_result_blob(ctx, b.as_ptr().cast(), n, ffi::SQLITE_TRANSIENT)
                }
                None => ffi::sqlite3_result_error_toobig(ctx),
            },
            Ok(Value::Text(s)) => match too_big(s.len()) {
                Some(n) => {
                    ffi::sqlite3_result_text(ctx, s.as_ptr().cast(), n, ffi::SQLITE_TRANSIENT)
                }
                None => ffi::sqlite3_result_error_toobig(ctx),
            },
            Ok(_) => set_error(ctx, &UdfError::Message(FUNCTION_FAILED.into())),
            Err(e) => set_error(ctx, &e),
        }
    }
}

/// # Safety
/// `ctx` must be the current call's context.
unsafe fn set_error(ctx: *mut ffi::Context, error: &UdfError) {
    // SAFETY: `ctx` is live; SQLite copies the message.
    unsafe {
        match error {
            UdfError::TooBig => ffi::sqlite3_result_error_toobig(ctx),
            UdfError::NoMem => ffi::sqlite3_result_error_nomem(ctx),
            UdfError::Message(message) => {
                let n = c_int::try_from(message.len()).unwrap_or(c_int::MAX);
                ffi::sqlite3_result_error(ctx, message.as_ptr().cast(), n)
            }
        }
    }
}

/// `xFunc` of a scalar function.
unsafe extern "C" fn call_function(
    ctx: *mut ffi::Context,
    argc: c_int,
    argv: *mut *mut ffi::SqlValue,
) {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: the user data is the `Box<dyn ScalarFunction>` registered
        // in `create_function`, alive until `destroy_function`.
        let function = unsafe { &*ffi::sqlite3_user_data(ctx).cast::<Box<dyn ScalarFunction>>() };
        match unsafe { arguments(argc, argv) } {
            Some(args) => function.call(args),
            None => Err(UdfError::Message(FUNCTION_FAILED.into())),
        }
    }));
    let result = outcome.unwrap_or_else(|_| Err(UdfError::Message(FUNCTION_FAILED.into())));
    // SAFETY: `ctx` is this call's context.
    unsafe { set_result(ctx, result) };
}

/// The group's state in SQLite's aggregate context: a pointer to the boxed
/// state, null until the first row started it (or when starting failed).
type StateSlot = *mut Box<dyn AggregateState>;

/// `xStep` of an aggregate.
unsafe extern "C" fn step_aggregate(
    ctx: *mut ffi::Context,
    argc: c_int,
    argv: *mut *mut ffi::SqlValue,
) {
    let outcome = catch_unwind(AssertUnwindSafe(|| -> Result<(), UdfError> {
        // SAFETY: SQLite zero-fills the context on first use and keeps it
        // for the group; it is large enough and aligned for a pointer.
        let slot = unsafe {
            ffi::sqlite3_aggregate_context(ctx, std::mem::size_of::<StateSlot>() as c_int)
        }
        .cast::<StateSlot>();
        if slot.is_null() {
            return Err(UdfError::NoMem);
        }
        // SAFETY: `slot` is this group's context (see above).
        if unsafe { *slot }.is_null() {
            // SAFETY: the user data is the `Box<dyn Aggregate>` registered in
            // `create_aggregate`, alive until `destroy_aggregate`.
            let aggregate = unsafe { &*ffi::sqlite3_user_data(ctx).cast::<Box<dyn Aggregate>>() };
            let state = aggregate.start()?;
            unsafe { *slot = Box::into_raw(Box::new(state)) };
        }
        // SAFETY: a non-null slot holds the state boxed above.
        let state = unsafe { &mut **slot };
        match unsafe { arguments(argc, argv) } {
            Some(args) => state.step(args),
            None => Err(UdfError::Message(STEP_FAILED.into())),
        }
    }));
    let result = outcome.unwrap_or_else(|_| Err(UdfError::Message(STEP_FAILED.into())));
    if let Err(e) = result {
        // SAFETY: `ctx` is this call's context.
        unsafe { set_error(ctx, &e) };
    }
}

/// `xFinal` of an aggregate: the group's result, NULL when no row started
/// it (or starting it failed), as pysqlite gives.
unsafe extern "C" fn finish_aggregate(ctx: *mut ffi::Context) {
    let outcome = catch_unwind(AssertUnwindSafe(|| -> Option<Result<Value, UdfError>> {
        // SAFETY: with 0 bytes SQLite returns the group's context, or null
        // when `step_aggregate` never allocated it.
        let slot = unsafe { ffi::sqlite3_aggregate_context(ctx, 0) }.cast::<StateSlot>();
        if slot.is_null() || unsafe { *slot }.is_null() {
            return None;
        }
        // SAFETY: the slot holds the state `step_aggregate` boxed; taken
        // once, and the slot cleared.
        let state = unsafe { Box::from_raw(*slot) };
        unsafe { *slot = std::ptr::null_mut() };
        Some((*state).finish())
    }));
    let result = match outcome {
        Ok(None) => return,
        Ok(Some(result)) => result,
        Err(_) => Err(UdfError::Message(FINALIZE_FAILED.into())),
    };
    // SAFETY: `ctx` is this call's context.
    unsafe { set_result(ctx, result) };
}

/// `xCompare` of a collation.
unsafe extern "C" fn compare(
    data: *mut c_void,
    n1: c_int,
    p1: *const c_void,
    n2: c_int,
    p2: *const c_void,
) -> c_int {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: `data` is the `Box<dyn Collation>` registered in
        // `create_collation`; the texts are valid for their lengths.
        let collation = unsafe { &*data.cast::<Box<dyn Collation>>() };
        let text = |p: *const c_void, n: c_int| -> &[u8] {
            if p.is_null() || n <= 0 {
                &[]
            } else {
                unsafe { std::slice::from_raw_parts(p.cast::<u8>(), n as usize) }
            }
        };
        collation.compare(text(p1, n1), text(p2, n2))
    }));
    match outcome {
        Ok(Ordering::Less) => -1,
        Ok(Ordering::Greater) => 1,
        Ok(Ordering::Equal) | Err(_) => 0,
    }
}

/// `xDestroy` of a scalar function.
unsafe extern "C" fn destroy_function(data: *mut c_void) {
    // SAFETY: `data` is the box `create_function` leaked, freed once.
    let _ = catch_unwind(AssertUnwindSafe(|| {
        drop(unsafe { Box::from_raw(data.cast::<Box<dyn ScalarFunction>>()) })
    }));
}

/// `xDestroy` of an aggregate.
unsafe extern "C" fn destroy_aggregate(data: *mut c_void) {
    // SAFETY: `data` is the box `create_aggregate` leaked, freed once.
    let _ = catch_unwind(AssertUnwindSafe(|| {
        drop(unsafe { Box::from_raw(data.cast::<Box<dyn Aggregate>>()) })
    }));
}

/// `xDestroy` of a collation.
unsafe extern "C" fn destroy_collation(data: *mut c_void) {
    // SAFETY: `data` is the box `create_collation` leaked, freed once.
    let _ = catch_unwind(AssertUnwindSafe(|| {
        drop(unsafe { Box::from_raw(data.cast::<Box<dyn Collation>>()) })
    }));
}
