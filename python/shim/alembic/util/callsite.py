"""Log records that say where Alembic would have logged them.

A logging format may name the call site: jupyterhub's alembic.ini formats
every record as ``[%(levelname)1.1s %(asctime)s %(name)s
%(module)s:%(lineno)d] %(message)s``. The shim logs Alembic's messages
from its own modules and lines, so each of Alembic's loggers makes the
call from a function compiled at the site of the call in Alembic 1.20.1
that logs the same message: the file (under the interpreter's
site-packages, where Alembic would be installed), line and function in the
table below (extracted from Alembic's sources with ``ast``). A record's
``pathname``, ``filename``, ``module``, ``lineno`` and ``funcName`` are
then Alembic's, and so is the calling frame that handlers reading the stack
see (loguru's ``InterceptHandler``).
"""

import contextlib
import logging
import os
import sysconfig
import threading

# logger name -> [(message format, or None for any; Alembic's file under
# alembic/, line, function)]. A message logged preformatted by the shim
# (the version-table debug lines) matches by the text before the first %.
_SITES = {
    "alembic.util.messaging": [(None, "util/messaging.py", 69, "err")],
    "alembic.runtime.plugins": [
        ("setup plugin %s", "runtime/plugins.py", 37, "__init__"),
        (
            "setting up autogenerate plugin %s",
            "runtime/plugins.py",
            121,
            "populate_autogenerate_priority_dispatch",
        ),
    ],
    "alembic.runtime.migration": [
        ("Context impl %s.", "runtime/migration.py", 205, "__init__"),
        ("Generating static SQL", "runtime/migration.py", 207, "__init__"),
        ("Will assume %s DDL.", "runtime/migration.py", 208, "__init__"),
        ("Running %s", "runtime/migration.py", 611, "run_migrations"),
        ("branch delete %s", "runtime/migration.py", 769, "update_to_step"),
        ("new branch insert %s", "runtime/migration.py", 773, "update_to_step"),
        ("merge, delete %s, update %s to %s", "runtime/migration.py", 782, "update_to_step"),
        ("unmerge, insert %s, update %s to %s", "runtime/migration.py", 797, "update_to_step"),
        ("update %s to %s", "runtime/migration.py", 808, "update_to_step"),
    ],
    "alembic.autogenerate.compare.server_defaults": [
        (
            "Detected server default on column '%s.%s': identity options attributes %s",
            "autogenerate/compare/server_defaults.py",
            155,
            "_compare_identity_default",
        ),
        (
            "User defined function %s detected server default on column '%s.%s'",
            "autogenerate/compare/server_defaults.py",
            210,
            "_user_compare_server_default",
        ),
        (
            "Dialect impl %s detected server default on column '%s.%s'",
            "autogenerate/compare/server_defaults.py",
            274,
            "_dialect_impl_compare_server_default",
        ),
    ],
    "alembic.autogenerate.compare.constraints": [
        ("Detected added index %r on '%s'", "autogenerate/compare/constraints.py", 261, "obj_added"),
        (
            "Detected added unique constraint %r on '%s'",
            "autogenerate/compare/constraints.py",
            280,
            "obj_added",
        ),
        ("Detected removed index %r on %r", "autogenerate/compare/constraints.py", 305, "obj_removed"),
        (
            "Detected removed unique constraint %r on %r",
            "autogenerate/compare/constraints.py",
            317,
            "obj_removed",
        ),
        (
            "Detected changed index %r on %r: %s",
            "autogenerate/compare/constraints.py",
            342,
            "obj_changed",
        ),
        (
            "Detected changed unique constraint %r on %r: %s",
            "autogenerate/compare/constraints.py",
            353,
            "obj_changed",
        ),
        (
            "Cannot compare %s %r, assuming equal and skipping. %s",
            "autogenerate/compare/constraints.py",
            422,
            "_compare_indexes_and_uniques",
        ),
        (
            "Detected added foreign key (%s)(%s) on table %s%s",
            "autogenerate/compare/constraints.py",
            705,
            "_add_fk",
        ),
        (
            "Detected removed foreign key (%s)(%s) on table %s%s",
            "autogenerate/compare/constraints.py",
            720,
            "_remove_fk",
        ),
        (
            "Ignoring nullable change on identity column '%s.%s'",
            "autogenerate/compare/constraints.py",
            779,
            "_compare_nullable",
        ),
        (
            "Detected %s on column '%s.%s'",
            "autogenerate/compare/constraints.py",
            786,
            "_compare_nullable",
        ),
    ],
    "alembic.autogenerate.compare.tables": [
        ("Detected added table %r", "autogenerate/compare/tables.py", 125, "_compare_tables"),
        ("Detected removed table %r", "autogenerate/compare/tables.py", 171, "_compare_tables"),
        ("Detected added column '%s.%s'", "autogenerate/compare/tables.py", 266, "_compare_columns"),
        ("Detected removed column '%s.%s'", "autogenerate/compare/tables.py", 303, "_compare_columns"),
    ],
    "alembic.autogenerate.compare.types": [
        (
            "Couldn't determine database type for column '%s.%s'",
            "autogenerate/compare/types.py",
            36,
            "_compare_type_setup",
        ),
        (
            "Column '%s.%s' has no type within the model; can't compare",
            "autogenerate/compare/types.py",
            43,
            "_compare_type_setup",
        ),
        # Also logged at line 85 (_user_compare_type) for a user's
        # compare_type: _VARIANTS["user_compare_type"].
        (
            "Detected type change from %r to %r on '%s.%s'",
            "autogenerate/compare/types.py",
            121,
            "_dialect_impl_compare_type",
        ),
    ],
    "alembic.autogenerate.compare.comments": [
        (
            "Detected column comment '%s.%s'",
            "autogenerate/compare/comments.py",
            53,
            "_compare_column_comment",
        ),
    ],
    "alembic.ddl.postgresql": [
        (
            "Detected sequence named '%s' as owned by integer column '%s(%s)', "
            "assuming SERIAL and omitting",
            "ddl/postgresql.py",
            235,
            "autogen_column_reflect",
        ),
    ],
    "alembic.ddl.impl": [(None, "ddl/impl.py", 798, "compare_indexes")],
    "alembic.ext.checkconstraint_byname": [
        (
            "Detected removed check constraint %r on table %r",
            "ext/checkconstraint_byname.py",
            137,
            "_compare_check_constraints",
        ),
        (
            "Detected changed check constraint %r on table %r: %s",
            "ext/checkconstraint_byname.py",
            159,
            "_compare_check_constraints",
        ),
        (
            "Cannot compare check constraint %r, assuming equal and skipping. %s",
            "ext/checkconstraint_byname.py",
            172,
            "_compare_check_constraints",
        ),
        (
            "Detected added check constraint %r on table %r",
            "ext/checkconstraint_byname.py",
            193,
            "_compare_check_constraints",
        ),
    ],
}


class _Sites:
    """The Alembic call site of a message logged to one logger."""

    def __init__(self, sites):
        self.exact = {fmt: site for fmt, *site in sites if fmt is not None}
        # Longest static prefix first ("update %s" must not take "unmerge, ...").
        self.prefixes = sorted(
            ((fmt.split("%", 1)[0], site) for fmt, *site in sites if fmt and "%" in fmt),
            key=lambda p: -len(p[0]),
        )
        self.any = next((site for fmt, *site in sites if fmt is None), None)

    def site(self, msg):
        if not isinstance(msg, str):
            return self.any
        site = self.exact.get(msg)
        if site is None:
            site = next((s for p, s in self.prefixes if p and msg.startswith(p)), self.any)
        return site


# A message Alembic logs from two sites: the caller names the other one
# (``with variant("user_compare_type"): log.info(...)``).
_VARIANTS = {
    ("alembic.autogenerate.compare.types", "user_compare_type"): (
        "autogenerate/compare/types.py",
        85,
        "_user_compare_type",
    ),
}
_variant = threading.local()


@contextlib.contextmanager
def variant(name):
    """Records logged inside take the site ``_VARIANTS`` gives ``name``."""
    outer = getattr(_variant, "name", None)
    _variant.name = name
    try:
        yield
    finally:
        _variant.name = outer


def _log(self, level, msg, args, **kw):
    """``Logger._log`` of Alembic's loggers: called from a function compiled
    at the Alembic call site, so the frame that logs is Alembic's (file,
    line, function, module name) for ``findCaller`` and for handlers that
    read the stack themselves (loguru's ``InterceptHandler`` recipe: skyline-
    apiserver prints ``{name}:{function}:{line}`` from the calling frame)."""
    base = super(self._alembic_rs_class, self)._log
    name = getattr(_variant, "name", None)
    site = _VARIANTS.get((self.name, name)) if name else None
    if site is None:
        site = self._alembic_rs_sites.site(msg)
    if site is None:
        return base(level, msg, args, **kw)
    return _trampoline(self.name, *site)(base, level, msg, args, kw)


def _trampoline(module, rel, line, func, _cache={}):
    key = (module, rel, line, func)
    fn = _cache.get(key)
    if fn is None:
        src = "\n" * (line - 2) + "def %s(_log, level, msg, args, kw):\n    _log(level, msg, args, **kw)\n" % func
        namespace = {"__name__": module}
        exec(compile(src, _paths(rel)[0], "exec"), namespace)
        fn = _cache[key] = namespace[func]
    return fn


def _callsite_class(cls, _cache={}):
    sub = _cache.get(cls)
    if sub is None:
        sub = _cache[cls] = type(cls.__name__, (cls,), {"_log": _log})
        sub._alembic_rs_class = sub
    return sub


def _paths(rel, _cache={}):
    """``pathname``, ``filename`` and ``module`` of a file under alembic/,
    computed once per file (a 10,000-step run logs a record per step)."""
    paths = _cache.get(rel)
    if paths is None:
        pathname = os.path.join(_alembic_dir(), *rel.split("/"))
        filename = os.path.basename(pathname)
        paths = _cache[rel] = (pathname, filename, os.path.splitext(filename)[0])
    return paths


def _alembic_dir():
    global _ALEMBIC_DIR
    if _ALEMBIC_DIR is None:
        _ALEMBIC_DIR = os.path.join(sysconfig.get_paths()["purelib"], "alembic")
    return _ALEMBIC_DIR


_ALEMBIC_DIR = None
_installed = False


def install():
    """Gives each of Alembic's loggers the ``_log`` above (once)."""
    global _installed
    if not _installed:
        _installed = True
        for name, sites in _SITES.items():
            logger = logging.getLogger(name)
            logger._alembic_rs_sites = _Sites(sites)
            logger.__class__ = _callsite_class(type(logger))
