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
    "alembic/util/__init__.py",
    "alembic/util/callsite.py",
    "alembic/util/exc.py",
    "alembic/util/proxy.py",
    "alembic/util/messaging.py",
    "alembic/util/langhelpers.py",
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
    "alembic/ddl/__init__.py",
    "alembic/ddl/base.py",
    "alembic/ddl/impl.py",
    "alembic/ddl/mssql.py",
    "alembic/ddl/mysql.py",
    "alembic/ddl/oracle.py",
    "alembic/ddl/postgresql.py",
    "alembic/ddl/sqlite.py",
    "alembic/_rs/__init__.py",
    "alembic/_rs/aio.py",
    "alembic/_rs/dbapi.py",
    "alembic/_rs/dialects.py",
    "alembic/_rs/dialect_mysql.py",
    "alembic/_rs/dialect_pg.py",
    "alembic/_rs/dialect_sqlite.py",
    "alembic/_rs/host.py",
    "alembic/_rs/io.py",
    "alembic/_rs/pgerrors.py",
    "alembic/_rs/template.py",
    "alembic/_rs/autogen.py",
    "alembic/_rs/static.py",
    "alembic/autogenerate/__init__.py",
    "alembic/autogenerate/api.py",
    "alembic/autogenerate/compare.py",
    "alembic/autogenerate/compare_constraints.py",
    "alembic/autogenerate/render.py",
    "alembic/autogenerate/rewriter.py",
    "alembic/ext/__init__.py",
    "alembic/ext/checkconstraint_byname.py",
);

const FINDER: &str = r#"
import importlib.abc, importlib.util, linecache, marshal, os, sys

class AlembicRsFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves alembic-rs's own ``alembic`` package from memory."""

    def __init__(self, sources, code_dir):
        self.sources = sources
        # Compiling the shim's modules was ~60 ms of every command that runs
        # env.py; their code objects are kept per build and Python version.
        if code_dir is not None:
            code_dir = os.path.join(code_dir, importlib.util.MAGIC_NUMBER.hex())
        self.code_dir = code_dir

    def _code(self, name, source, filename):
        path = self.code_dir and os.path.join(self.code_dir, name + ".code")
        if path:
            try:
                with open(path, "rb") as f:
                    return marshal.loads(f.read())
            except (OSError, EOFError, ValueError, TypeError):
                pass
        code = compile(source, filename, "exec")
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
        entry = self.sources.get(name)
        if entry is None:
            return None
        return importlib.util.spec_from_loader(
            name, self, origin=entry[2], is_package=entry[0]
        )

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        is_pkg, source, filename = self.sources[module.__name__]
        module.__file__ = filename
        if is_pkg:
            module.__path__ = []
        # Tracebacks through the shim show its lines, as Alembic's would.
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        exec(self._code(module.__name__, source, filename), module.__dict__)

for name in [m for m in sys.modules if m == "alembic" or m.startswith("alembic.")]:
    del sys.modules[name]
sys.meta_path.insert(0, AlembicRsFinder(SOURCES, CODE_DIR))
"#;

/// Installs the finder (once); `alembic` imports resolve to the shim from
/// now on.
pub fn install(py: Python<'_>) -> PyResult<()> {
    static DONE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if DONE.swap(true, std::sync::atomic::Ordering::SeqCst) {
        return Ok(());
    }
    let sources = PyDict::new(py);
    // Development: `ALEMBIC_RS_SHIM_DIR=python/shim` serves the sources from
    // disk, so a change to the Python side needs no rebuild.
    let shim_dir = std::env::var_os("ALEMBIC_RS_SHIM_DIR").map(std::path::PathBuf::from);
    for (path, embedded) in FILES {
        let from_disk = shim_dir
            .as_ref()
            .and_then(|dir| std::fs::read_to_string(dir.join(path)).ok());
        let source = from_disk.as_deref().unwrap_or(embedded);
        let is_pkg = path.ends_with("/__init__.py");
        let module = path
            .trim_end_matches(".py")
            .trim_end_matches("/__init__")
            .replace('/', ".");
        let filename = format!("<alembic-rs>/{path}");
        sources.set_item(module, (is_pkg, source, filename))?;
    }
    let globals = PyDict::new(py);
    globals.set_item("SOURCES", sources)?;
    // Sources read from disk change without a rebuild: no compiled copies.
    let code_dir = match shim_dir {
        Some(_) => None,
        None => crate::script::shim_code_dir(),
    };
    globals.set_item("CODE_DIR", code_dir)?;
    let code = std::ffi::CString::new(FINDER).expect("no NUL in finder source");
    py.run(&code, Some(&globals), None)
}
