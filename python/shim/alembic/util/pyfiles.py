"""``alembic.util.pyfiles``: loading Python files as modules, locating
package resources and compiled files, rendering a Mako template to a file.

Projects use these outside of Alembic's commands: tests that load a
revision file the way Alembic does (``load_python_file(dir, name)``), CI
checks that resolve ``package:path`` locations
(``coerce_resource_to_filename``), plugins that load their own env.py
(``load_module_py``).
"""

import atexit
import importlib.machinery
import importlib.util
import os
import pathlib
import re
import tempfile
from contextlib import ExitStack
from importlib import resources

from .exc import CommandError


def _preserving_path_as_str(path):
    """``path`` as a string; a string is returned untouched."""
    if isinstance(path, str):
        return path
    return str(pathlib.Path(path))


def coerce_resource_to_filename(fname_or_resource):
    """A ``Path`` for a file name or a ``package:sub:path`` resource (a
    relative name containing a colon names a resource of an importable
    package)."""
    if os.path.isabs(fname_or_resource) or ":" not in fname_or_resource:
        return pathlib.Path(fname_or_resource)
    package, *parts = fname_or_resource.split(":")
    ref = resources.files(package)
    for part in parts:
        ref = ref / part
    # A resource inside a zip is extracted for as long as the process runs.
    stack = ExitStack()
    atexit.register(stack.close)
    return pathlib.Path(stack.enter_context(resources.as_file(ref)))


def pyc_file_from_path(path):
    """The compiled file of a Python source: the ``__pycache__`` one, else a
    sourceless ``.pyc`` beside it; None when there is none."""
    source = pathlib.Path(path)
    cached = pathlib.Path(importlib.util.cache_from_source(source.as_posix()))
    if cached.exists():
        return cached
    for suffix in importlib.machinery.BYTECODE_SUFFIXES:
        candidate = source.with_suffix(suffix)
        if candidate.exists():
            return candidate
    return None


def load_module_py(module_id, path):
    """Execute the file at ``path`` as a new module named ``module_id``
    (not added to ``sys.modules``)."""
    spec = importlib.util.spec_from_file_location(module_id, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_python_file(dir_, filename):
    """Load ``dir_/filename`` as a module named after the file (what Alembic
    does with env.py and each revision); a ``.py`` whose source is gone is
    loaded from its compiled file."""
    name = pathlib.Path(filename).name
    module_id = re.sub(r"\W", "_", name)
    path = pathlib.Path(dir_) / name
    suffix = path.suffix
    if suffix in (".pyc", ".pyo"):
        return load_module_py(module_id, path)
    if suffix != ".py":
        raise ImportError("Can't load %s: not a .py, .pyc or .pyo file" % path)
    if path.exists():
        return load_module_py(module_id, path)
    compiled = pyc_file_from_path(path)
    if compiled is None:
        raise ImportError("Can't find Python file %s" % path)
    return load_module_py(module_id, compiled)


def template_to_file(template_file, dest, output_encoding, *, append_with_newlines=False,
                     **kw):
    """Render a Mako template into ``dest``.

    alembic-rs renders its own ``script.py.mako`` files without Mako; this
    function renders arbitrary templates, so it uses Mako from the project's
    environment and says so when it is not installed."""
    try:
        from mako import exceptions
        from mako.template import Template
    except ImportError as err:
        raise CommandError(
            "alembic-rs: alembic.util.template_to_file() renders with Mako, "
            "which is not installed in this environment (alembic-rs renders "
            "script.py.mako itself; other templates need `pip install mako`)"
        ) from err
    template = Template(filename=_preserving_path_as_str(template_file))
    try:
        output = template.render_unicode(**kw).encode(output_encoding)
    except Exception:
        with tempfile.NamedTemporaryFile(suffix=".txt", delete=False) as ntf:
            ntf.write(exceptions.text_error_template().render_unicode().encode(output_encoding))
            fname = ntf.name
        raise CommandError(
            "Template rendering failed; see %s for a template-oriented traceback." % fname
        )
    with open(dest, "ab" if append_with_newlines else "wb") as f:
        if append_with_newlines:
            f.write("\n\n".encode(output_encoding))
        f.write(output)
