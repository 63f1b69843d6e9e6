//! The few SQLite C functions `sqlite` calls itself, on the caller's thread.
//!
//! They are the library sqlx-sqlite already links (`libsqlite3-sys`'s
//! bundled build): nothing new is compiled or linked, the symbols are only
//! declared here, with the signatures of <https://www.sqlite.org/c3ref/>.
//! `sqlite` reaches the connection's `sqlite3*` through sqlx's
//! `LockedSqliteHandle`, and every call below happens while that lock is
//! held.

use std::ffi::{c_char, c_double, c_int, c_uint, c_void};

/// `sqlite3` (opaque).
#[repr(C)]
pub(super) struct Sqlite3 {
    _private: [u8; 0],
}

/// `sqlite3_stmt` (opaque).
#[repr(C)]
pub(super) struct Stmt {
    _private: [u8; 0],
}

/// `sqlite3_context` (opaque): one call of a user-defined function.
#[repr(C)]
pub(super) struct Context {
    _private: [u8; 0],
}

/// `sqlite3_value` (opaque): one argument of a user-defined function.
#[repr(C)]
pub(super) struct SqlValue {
    _private: [u8; 0],
}

/// `xFunc`/`xStep` of `sqlite3_create_function_v2`.
pub(super) type XFunc = unsafe extern "C" fn(*mut Context, c_int, *mut *mut SqlValue);
/// `xFinal` of `sqlite3_create_function_v2`.
pub(super) type XFinal = unsafe extern "C" fn(*mut Context);
/// `xDestroy`: frees the application data SQLite held.
pub(super) type XDestroy = unsafe extern "C" fn(*mut c_void);
/// `xCompare` of `sqlite3_create_collation_v2`.
pub(super) type XCompare =
    unsafe extern "C" fn(*mut c_void, c_int, *const c_void, c_int, *const c_void) -> c_int;

pub(super) const SQLITE_OK: c_int = 0;
pub(super) const SQLITE_UTF8: c_int = 1;
pub(super) const SQLITE_DETERMINISTIC: c_int = 0x800;
pub(super) const SQLITE_ROW: c_int = 100;
pub(super) const SQLITE_DONE: c_int = 101;

pub(super) const SQLITE_INTEGER: c_int = 1;
pub(super) const SQLITE_FLOAT: c_int = 2;
pub(super) const SQLITE_BLOB: c_int = 4;
pub(super) const SQLITE_NULL: c_int = 5;

/// `SQLITE_TRANSIENT`: SQLite copies a bound text or blob before returning.
/// The destructor argument is declared as a pointer-sized integer so this
/// sentinel (`(sqlite3_destructor_type)-1`) can be passed as is.
pub(super) const SQLITE_TRANSIENT: isize = -1;

unsafe extern "C" {
    pub(super) fn sqlite3_libversion() -> *const c_char;

    pub(super) fn sqlite3_prepare_v3(
        db: *mut Sqlite3,
        sql: *const c_char,
        n_byte: c_int,
        prep_flags: c_uint,
        stmt: *mut *mut Stmt,
        tail: *mut *const c_char,
    ) -> c_int;
    pub(super) fn sqlite3_finalize(stmt: *mut Stmt) -> c_int;
    pub(super) fn sqlite3_step(stmt: *mut Stmt) -> c_int;

    pub(super) fn sqlite3_bind_parameter_count(stmt: *mut Stmt) -> c_int;
    pub(super) fn sqlite3_bind_parameter_name(stmt: *mut Stmt, index: c_int) -> *const c_char;
    pub(super) fn sqlite3_bind_null(stmt: *mut Stmt, index: c_int) -> c_int;
    pub(super) fn sqlite3_bind_int64(stmt: *mut Stmt, index: c_int, value: i64) -> c_int;
    pub(super) fn sqlite3_bind_double(stmt: *mut Stmt, index: c_int, value: c_double) -> c_int;
    pub(super) fn sqlite3_bind_text(
        stmt: *mut Stmt,
        index: c_int,
        value: *const c_char,
        n_byte: c_int,
        destructor: isize,
    ) -> c_int;
    pub(super) fn sqlite3_bind_blob(
        stmt: *mut Stmt,
        index: c_int,
        value: *const c_void,
        n_byte: c_int,
        destructor: isize,
    ) -> c_int;

    pub(super) fn sqlite3_column_count(stmt: *mut Stmt) -> c_int;
    pub(super) fn sqlite3_column_name(stmt: *mut Stmt, index: c_int) -> *const c_char;
    pub(super) fn sqlite3_column_decltype(stmt: *mut Stmt, index: c_int) -> *const c_char;
    pub(super) fn sqlite3_column_type(stmt: *mut Stmt, index: c_int) -> c_int;
    pub(super) fn sqlite3_column_int64(stmt: *mut Stmt, index: c_int) -> i64;
    pub(super) fn sqlite3_column_double(stmt: *mut Stmt, index: c_int) -> c_double;
    pub(super) fn sqlite3_column_text(stmt: *mut Stmt, index: c_int) -> *const u8;
    pub(super) fn sqlite3_column_blob(stmt: *mut Stmt, index: c_int) -> *const c_void;
    pub(super) fn sqlite3_column_bytes(stmt: *mut Stmt, index: c_int) -> c_int;

    pub(super) fn sqlite3_changes(db: *mut Sqlite3) -> c_int;
    pub(super) fn sqlite3_total_changes(db: *mut Sqlite3) -> c_int;
    pub(super) fn sqlite3_get_autocommit(db: *mut Sqlite3) -> c_int;
    pub(super) fn sqlite3_last_insert_rowid(db: *mut Sqlite3) -> i64;
    pub(super) fn sqlite3_extended_errcode(db: *mut Sqlite3) -> c_int;
    pub(super) fn sqlite3_errmsg(db: *mut Sqlite3) -> *const c_char;
    pub(super) fn sqlite3_free(ptr: *mut c_void);

    pub(super) fn sqlite3_enable_load_extension(db: *mut Sqlite3, onoff: c_int) -> c_int;
    pub(super) fn sqlite3_load_extension(
        db: *mut Sqlite3,
        file: *const c_char,
        entry_point: *const c_char,
        err_msg: *mut *mut c_char,
    ) -> c_int;

    pub(super) fn sqlite3_create_function_v2(
        db: *mut Sqlite3,
        name: *const c_char,
        n_arg: c_int,
        text_rep: c_int,
        app: *mut c_void,
        x_func: Option<XFunc>,
        x_step: Option<XFunc>,
        x_final: Option<XFinal>,
        x_destroy: Option<XDestroy>,
    ) -> c_int;
    pub(super) fn sqlite3_create_collation_v2(
        db: *mut Sqlite3,
        name: *const c_char,
        text_rep: c_int,
        arg: *mut c_void,
        x_compare: Option<XCompare>,
        x_destroy: Option<XDestroy>,
    ) -> c_int;
    pub(super) fn sqlite3_user_data(ctx: *mut Context) -> *mut c_void;
    pub(super) fn sqlite3_aggregate_context(ctx: *mut Context, n_bytes: c_int) -> *mut c_void;

    pub(super) fn sqlite3_value_type(value: *mut SqlValue) -> c_int;
    pub(super) fn sqlite3_value_int64(value: *mut SqlValue) -> i64;
    pub(super) fn sqlite3_value_double(value: *mut SqlValue) -> c_double;
    pub(super) fn sqlite3_value_text(value: *mut SqlValue) -> *const u8;
    pub(super) fn sqlite3_value_blob(value: *mut SqlValue) -> *const c_void;
    pub(super) fn sqlite3_value_bytes(value: *mut SqlValue) -> c_int;

    pub(super) fn sqlite3_result_null(ctx: *mut Context);
    pub(super) fn sqlite3_result_int64(ctx: *mut Context, value: i64);
    pub(super) fn sqlite3_result_double(ctx: *mut Context, value: c_double);
    pub(super) fn sqlite3_result_text(
        ctx: *mut Context,
        value: *const c_char,
        n_byte: c_int,
        destructor: isize,
    );
    pub(super) fn sqlite3_result_blob(
        ctx: *mut Context,
        value: *const c_void,
        n_byte: c_int,
        destructor: isize,
    );
    pub(super) fn sqlite3_result_error(ctx: *mut Context, message: *const c_char, n_byte: c_int);
    pub(super) fn sqlite3_result_error_toobig(ctx: *mut Context);
    pub(super) fn sqlite3_result_error_nomem(ctx: *mut Context);
}
