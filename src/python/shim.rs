//! The injected `alembic` package: Python sources compiled into the binary
//! and served by a meta-path finder placed first on `sys.meta_path`, so an
//! installed Alembic is never imported.

use pyo3::prelude::*;
use pyo3::types::PyDict;

macro_rules! shim_files {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_str!(concat!("../../python/shim/", $path)))),*]
    };
}

/// (path under python/shim, source).
const FILES: &[(&str, &str)] = shim_files!(
    "alembic/__init__.py",
    "alembic/context.py",
    "alembic/op.py",
    "alembic/command.py",
    "alembic/config.py",
    "alembic/environment.py",
    "alembic/migration.py",
    "alembic/script/__init__.py",
    "alembic/script/base.py",
    "alembic/script/revision.py",
    "alembic/script/write_hooks.py",
    "alembic/util/__init__.py",
    "alembic/util/callsite.py",
    "alembic/util/exc.py",
    "alembic/util/proxy.py",
    "alembic/util/messaging.py",
    "alembic/util/langhelpers.py",
    "alembic/util/compat.py",
    "alembic/util/editor.py",
    "alembic/util/pyfiles.py",
    "alembic/util/sqla_compat.py",
    "alembic/runtime/__init__.py",
    "alembic/runtime/environment.py",
    "alembic/runtime/migration.py",
    "alembic/runtime/plugins.py",
    "alembic/operations/__init__.py",
    "alembic/operations/ops.py",
    "alembic/operations/toimpl.py",
    "alembic/operations/base.py",
    "alembic/operations/batch.py",
    "alembic/operations/recreate.py",
    "alembic/operations/schemaobj.py",
    "alembic/ddl/__init__.py",
    "alembic/ddl/_autogen.py",
    "alembic/ddl/base.py",
    "alembic/ddl/impl.py",
    "alembic/ddl/mssql.py",
    "alembic/ddl/mysql.py",
    "alembic/ddl/oracle.py",
    "alembic/ddl/postgresql.py",
    "alembic/ddl/sqlite.py",
    "alembic/_rs/__init__.py",
    "alembic/_rs/aio.py",
    "alembic/_rs/connect_args.py",
    "alembic/_rs/dbapi.py",
    "alembic/_rs/dialects.py",
    "alembic/_rs/dialect_mysql.py",
    "alembic/_rs/dialect_pg.py",
    "alembic/_rs/dialect_sqlite.py",
    "alembic/_rs/host.py",
    "alembic/_rs/io.py",
    "alembic/_rs/pgerrors.py",
    "alembic/_rs/pgrange.py",
    "alembic/_rs/psycopg2_api.py",
    "alembic/_rs/psycopg2_types.py",
    "alembic/_rs/psycopg_api.py",
    "alembic/_rs/pymysql_api.py",
    "alembic/_rs/sqlite3_api.py",
    "alembic/_rs/sqliteerrors.py",
    "alembic/_rs/revision.py",
    "alembic/_rs/template.py",
    "alembic/_rs/autogen.py",
    "alembic/_rs/static.py",
    "alembic/autogenerate/__init__.py",
    "alembic/autogenerate/api.py",
    "alembic/autogenerate/compare/__init__.py",
    "alembic/autogenerate/compare/comments.py",
    "alembic/autogenerate/compare/constraints.py",
    "alembic/autogenerate/compare/schema.py",
    "alembic/autogenerate/compare/server_defaults.py",
    "alembic/autogenerate/compare/tables.py",
    "alembic/autogenerate/compare/types.py",
    "alembic/autogenerate/compare/util.py",
    "alembic/autogenerate/compare_constraints.py",
    "alembic/autogenerate/render.py",
    "alembic/autogenerate/rewriter.py",
    "alembic/ext/__init__.py",
    "alembic/ext/checkconstraint_byname.py",
);

const FINDER: &str = r#"
import importlib.abc, importlib.util, marshal, os, sys

class AlembicRsFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves alembic-rs's own ``alembic`` package from memory."""

    def __init__(self, modules, source_of, code_dir):
        # name -> (is_package, filename); the text comes from `source_of`
        # only when needed (below)
        self.modules = modules
        self.source_of = source_of
        # Compiling the shim's modules was ~60 ms of every command that runs
        # env.py; their code objects are kept per build and Python version.
        if code_dir is not None:
            code_dir = os.path.join(code_dir, importlib.util.MAGIC_NUMBER.hex())
        self.code_dir = code_dir

    def _code(self, name, filename):
        path = self.code_dir and os.path.join(self.code_dir, name + ".code")
        if path:
            try:
                with open(path, "rb") as f:
                    return marshal.loads(f.read())
            except (OSError, EOFError, ValueError, TypeError):
                pass
        code = compile(self.get_source(name), filename, "exec")
        if path:
            try:
                os.makedirs(self.code_dir, exist_ok=True)
                tmp = "%s.%d.tmp" % (path, os.getpid())
                with open(tmp, "wb") as f:
                    f.write(marshal.dumps(code))
                os.replace(tmp, path)
            except OSError:
                pass
        return code

    def find_spec(self, name, path=None, target=None):
        entry = self.modules.get(name)
        if entry is None:
            return None
        return importlib.util.spec_from_loader(
            name, self, origin=entry[1], is_package=entry[0]
        )

    def create_module(self, spec):
        return None

    # Tracebacks and warnings through the shim show its lines, as Alembic's
    # would: linecache and the warnings module ask the module's loader.
    def get_source(self, name):
        return self.source_of(name)

    def exec_module(self, module):
        is_pkg, filename = self.modules[module.__name__]
        module.__file__ = filename
        if is_pkg:
            module.__path__ = []
        exec(self._code(module.__name__, filename), module.__dict__)

for name in [m for m in sys.modules if m == "alembic" or m.startswith("alembic.")]:
    del sys.modules[name]
sys.meta_path.insert(0, AlembicRsFinder(MODULES, SOURCE_OF, CODE_DIR))
"#;

/// Installs the finder (once); `alembic` imports resolve to the shim from
/// now on.
pub fn install(py: Python<'_>) -> PyResult<()> {
    static DONE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if DONE.swap(true, std::sync::atomic::Ordering::SeqCst) {
        return Ok(());
    }
    let modules = PyDict::new(py);
    for (path, _) in FILES {
        let filename = format!("<alembic-rs>/{path}");
        modules.set_item(
            module_name(path),
            (path.ends_with("/__init__.py"), filename),
        )?;
    }
    let globals = PyDict::new(py);
    globals.set_item("MODULES", modules)?;
    globals.set_item("SOURCE_OF", wrap_pyfunction!(source_of, py)?)?;
    // Sources read from disk change without a rebuild: no compiled copies.
    let code_dir = match shim_dir() {
        Some(_) => None,
        None => crate::script::shim_code_dir(),
    };
    globals.set_item("CODE_DIR", code_dir)?;
    let code = std::ffi::CString::new(FINDER).expect("no NUL in finder source");
    py.run(&code, Some(&globals), None)
}

/// `alembic/ddl/impl.py` -> `alembic.ddl.impl`; `alembic/__init__.py` -> `alembic`.
fn module_name(path: &str) -> String {
    path.trim_end_matches(".py")
        .trim_end_matches("/__init__")
        .replace('/', ".")
}

/// Development: `ALEMBIC_RS_SHIM_DIR=python/shim` serves the sources from
/// disk, so a change to the Python side needs no rebuild.
fn shim_dir() -> Option<std::path::PathBuf> {
    std::env::var_os("ALEMBIC_RS_SHIM_DIR").map(std::path::PathBuf::from)
}

/// The source of a shim module, asked for only to compile it (no code
/// object cached yet) or to show its lines in a traceback or warning.
/// Handing every module's text to Python up front, and splitting each
/// imported one into linecache, kept ~1 MB of strings alive at the peak of
/// every command that runs env.py.
#[pyfunction]
fn source_of(name: &str) -> Option<String> {
    let (path, embedded) = FILES.iter().find(|(path, _)| module_name(path) == name)?;
    let from_disk = shim_dir().and_then(|dir| std::fs::read_to_string(dir.join(path)).ok());
    Some(from_disk.unwrap_or_else(|| (*embedded).to_string()))
}
