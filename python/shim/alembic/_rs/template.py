"""What ``revision`` and ``merge`` need from Python: the create date (so
``timezone`` means what zoneinfo says), the file name (``file_template`` is
a Python %-format), and running a ``script.py.mako`` that alembic-rs
compiled to Python (see ``src/template/``) the way Mako runs its own
compiled templates: names the template reads come from the arguments,
then builtins, else ``UNDEFINED``.
"""

import ast
import builtins
import datetime
import html
import html.entities
import re
import tempfile
import traceback
import urllib.parse

_slug_re = re.compile(r"\w+")


def _exception_line(exc):
    return traceback.format_exception_only(type(exc), exc)[-1].rstrip("\n")


def create_date(timezone):
    """``ScriptDirectory._generate_create_date``; returns (error, date)."""
    if timezone is None:
        return None, datetime.datetime.now()
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        try:
            tzinfo = ZoneInfo(timezone)
        except ZoneInfoNotFoundError:
            tzinfo = None
        if tzinfo is None:
            try:
                tzinfo = ZoneInfo(timezone.upper())
            except ZoneInfoNotFoundError:
                return ("command", "Can't locate timezone: %s" % timezone), None
    except Exception as exc:
        return ("uncaught", _exception_line(exc)), None
    now = datetime.datetime.now(tz=datetime.timezone.utc).astimezone(tzinfo)
    return None, now


def file_name(file_template, truncate_slug_length, rev_id, message, create_date):
    """``ScriptDirectory._rev_path`` without the directory; returns
    (error line, name)."""
    epoch = int(create_date.timestamp())
    slug = "_".join(_slug_re.findall(message or "")).lower()
    if len(slug) > truncate_slug_length:
        slug = slug[:truncate_slug_length].rsplit("_", 1)[0] + "_"
    try:
        name = "%s.py" % (
            file_template
            % {
                "rev": rev_id,
                "slug": slug,
                "epoch": epoch,
                "year": create_date.year,
                "month": create_date.month,
                "day": create_date.day,
                "hour": create_date.hour,
                "minute": create_date.minute,
                "second": create_date.second,
            }
        )
    except Exception as exc:
        return _exception_line(exc), None
    return None, name


def format_as_comma(value):
    if value is None:
        return ""
    elif isinstance(value, str):
        return value
    elif hasattr(value, "__iter__"):
        return ", ".join(value)
    else:
        raise ValueError("Don't know how to comma-format %r" % value)


class Undefined:
    """Mako's ``UNDEFINED``: false, and an error once printed."""

    def __str__(self):
        raise NameError("Undefined")

    def __bool__(self):
        return False


UNDEFINED = Undefined()


class _CallerStack(list):
    """Mako's ``caller``: empty outside a ``<%call>``, so false, and an
    attribute read fails as Mako's does (``IndexError``)."""

    def __bool__(self):
        return bool(len(self))

    def __getattr__(self, key):
        return getattr(self[-1], key)


class _Namespace:
    """Stands for Mako's ``self``/``local`` namespace, which only
    ``<%def>``s (refused) would populate."""

    def __init__(self, name):
        self.name = name
        self.uri = name


class Context:
    """The parts of Mako's ``Context`` templates use: ``get``, ``[]``,
    ``keys``, ``kwargs``. Like Mako's, it has no ``__contains__``: ``'x' in
    context`` falls back to ``context[0]`` and raises ``KeyError: 0``. The
    names Mako adds to a rendering's context (``capture``, ``caller``,
    ``self``, ``local``) are there too, in Mako's order."""

    def __init__(self, data, uri):
        self._kwargs = dict(data)
        self._data = dict(data)
        self._data["capture"] = self._capture
        self._data["caller"] = _CallerStack()
        self._data["self"] = self._data["local"] = _Namespace("self:%s" % uri)

    @staticmethod
    def _capture(callable_, *args, **kwargs):
        if not callable(callable_):
            raise RuntimeError(
                "capture() function expects a callable as "
                "its argument (i.e. capture(func, *args, **kwargs))"
            )
        callable_(*args, **kwargs)
        return ""

    @property
    def kwargs(self):
        return dict(self._kwargs)

    def keys(self):
        return list(self._data.keys())

    def __getitem__(self, key):
        if key in self._data:
            return self._data[key]
        return builtins.__dict__[key]

    def get(self, key, default=None):
        return self._data.get(key, builtins.__dict__.get(key, default))


_XML_ESCAPES = {"&": "&amp;", ">": "&gt;", "<": "&lt;", '"': "&#34;", "'": "&#39;"}
_ENTITIES = {c: "&%s;" % n for c, n in html.entities.codepoint2name.items()}


class _Filters:
    """Mako's built-in escape filters (``h``, ``x``, ``u``, ``trim``,
    ``entity``), with the same results and the same failures for a value
    that is not a string (after ``n``)."""

    @staticmethod
    def html_escape(s):
        # markupsafe.escape: anything with __html__ as it says, else str()
        if hasattr(s, "__html__"):
            return s.__html__()
        return html.escape(str(s), quote=True).replace("&quot;", "&#34;").replace(
            "&#x27;", "&#39;"
        )

    @staticmethod
    def xml_escape(s):
        return re.sub(r'([&<"\'>])', lambda m: _XML_ESCAPES[m.group()], s)

    @staticmethod
    def url_escape(s):
        return urllib.parse.quote_plus(s.encode("utf8"))

    @staticmethod
    def trim(s):
        return s.strip()

    @staticmethod
    def html_entities_escape(s):
        # only the characters HTML names (`&eacute;`, `&amp;`); the rest stay
        return str(s).translate(_ENTITIES)


class LoopContext:
    """Mako's ``loop`` inside a ``% for`` that uses it."""

    def __init__(self, iterable):
        self._iterable = iterable
        self.index = 0
        self.parent = None
        self._length = None

    def __iter__(self):
        for item in self._iterable:
            yield item
            self.index += 1

    def __len__(self):
        if self._length is None:
            self._length = len(self._iterable)
        return self._length

    @property
    def reverse_index(self):
        return len(self) - self.index - 1

    @property
    def first(self):
        return self.index == 0

    @property
    def last(self):
        return self.index == len(self) - 1

    @property
    def even(self):
        return not self.odd

    @property
    def odd(self):
        return bool(self.index % 2)

    def cycle(self, *values):
        if not values:
            raise ValueError("You must provide values to cycle through")
        return values[self.index % len(values)]


class LoopStack:
    def __init__(self):
        self.stack = []

    def _enter(self, iterable):
        new = LoopContext(iterable)
        if self.stack:
            new.parent = self.stack[-1]
        self.stack.append(new)
        return new

    def _exit(self):
        self.stack.pop()
        return self.stack[-1] if self.stack else self


def _uses_loop(nodes):
    return any(
        isinstance(n, ast.Name) and n.id == "loop"
        for top in nodes
        for n in ast.walk(top)
    )


class _LoopRewriter(ast.NodeTransformer):
    """Gives each ``for`` whose body reads ``loop`` its loop context, as
    Mako's code generator does."""

    def visit_For(self, node):
        self.generic_visit(node)
        if not _uses_loop(node.body):
            return node
        enter = ast.parse("loop = __M_loop._enter(None)").body[0]
        enter.value.args = [node.iter]
        node.iter = ast.Name(id="loop", ctx=ast.Load())
        exit_ = ast.parse("loop = __M_loop._exit()").body[0]
        return [enter, ast.Try(body=[node], handlers=[], orelse=[], finalbody=[exit_])]


_RESERVED = {"context", "__M_writer", "UNDEFINED", "__M_filters", "__M_loop", "__M_LoopStack"}


def _bound(nodes):
    names = set()
    for top in nodes:
        for node in ast.walk(top):
            if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
                names.add(node.id)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    names.add((alias.asname or alias.name).split(".")[0])
            elif isinstance(
                node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
            ):
                names.add(node.name)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
    return names


def _compile(source, filename):
    tree = ast.parse(source, filename)
    body = tree.body[-1]
    module_names = _bound(tree.body[:-1])
    loaded = set()
    for node in ast.walk(body):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            loaded.add(node.id)
    if _uses_loop(body.body):
        _LoopRewriter().visit(body)
        body.body.insert(0, ast.parse("__M_loop = __M_LoopStack()").body[0])
    local = _bound(body.body)
    pulled = sorted(loaded - local - module_names - _RESERVED)
    body.body[0:0] = [
        ast.parse("%s = context.get(%r, UNDEFINED)" % (name, name)).body[0]
        for name in pulled
    ]
    ast.fix_missing_locations(tree)
    _to_template_lines(tree, _source_lines(source))
    return compile(tree, filename, "exec")


_SOURCE_LINE = re.compile(r"\s*# SOURCE LINE (\d+)$")


def _source_lines(source):
    """Line of the generated module -> line of the template, from the
    ``# SOURCE LINE n`` comment before each node's code (a ``<% %>`` block's
    lines follow one another, as in the template)."""
    mapping = {}
    current = None
    for number, text in enumerate(source.split("\n"), 1):
        m = _SOURCE_LINE.match(text)
        if m:
            current = (int(m.group(1)), number)
        elif current is not None:
            mapping[number] = current[0] + number - current[1] - 1
    return mapping


def _to_template_lines(tree, mapping):
    """Gives the compiled template the template's line numbers, so a render
    error's traceback names the line of script.py.mako (with its text, read
    from the file), as Mako's template-oriented traceback does. Code with no
    template line (the header, the names read from the context) gets 1."""
    if not mapping:
        return
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) is None:
            continue
        node.lineno = mapping.get(node.lineno, 1)
        end = getattr(node, "end_lineno", None)
        if end is None:
            continue
        node.end_lineno = max(mapping.get(end, 1), node.lineno)
        # Lines that collapsed into one must still be a valid column range.
        if node.end_lineno == node.lineno and (node.end_col_offset or 0) < node.col_offset:
            node.end_col_offset = node.col_offset


def _template_traceback(exc):
    """The text of Mako's ``text_error_template()`` for a render error:
    every frame with its source line, no column markers, then the
    exception's class name and message."""
    out = ["", "", "Traceback (most recent call last):"]
    for frame in traceback.extract_tb(exc.__traceback__):
        out.append('  File "%s", line %s, in %s' % (frame.filename, frame.lineno, frame.name or "?"))
        out.append("    %s" % (frame.line or "").strip())
    out.append("%s: %s" % (type(exc).__name__, exc))
    return "\n".join(out) + "\n"


def _where(filename, line, col):
    return " in file '%s' at line: %d char: %d" % (filename, line, col)


def _fragment(text):
    """``mako.ast.PythonFragment``: a control line completed into a
    statement; returns (code, line offset) or raises ValueError."""
    m = re.match(r"^(\w+)(?:\s+(.*?))?:\s*(#|$)", text.strip(), re.S)
    if not m:
        raise ValueError("Fragment '%s' is not a partial control statement" % text)
    code = text
    if m.group(3):
        code = code[: m.start(3)]
    keyword = m.group(1)
    if keyword in ("for", "if", "while", "with"):
        return code + "pass", 0
    if keyword == "try":
        return code + "pass\nexcept:pass", 0
    if keyword in ("elif", "else"):
        return "if False:pass\n" + code + "pass", -1
    if keyword == "except":
        return "try:pass\n" + code + "pass", -1
    raise ValueError("Unsupported control keyword: '%s'" % keyword)


def check(snippets, filename):
    """The Python checks Mako makes while lexing, in document order: the
    first failure as Mako's exception line, or None."""
    for kind, text, line, col in snippets:
        offset = 0
        if kind == "fragment":
            try:
                code, offset = _fragment(text)
            except ValueError as exc:
                return "mako.exceptions.CompileException: %s%s" % (
                    exc,
                    _where(filename, line, col),
                )
        elif kind == "args":
            code = text
            if re.match(r"\S", code) and not re.match(r",\s*$", code):
                code += ","
        else:
            code = text
        if kind != "args":
            stripped = code.lstrip()
            offset += code[: len(code) - len(stripped)].count("\n")
            code = stripped
        try:
            compile(code, "<unknown>", "exec", ast.PyCF_ONLY_AST)
        except Exception as exc:
            exc_line = getattr(exc, "lineno", None)
            at = line if exc_line is None else line + offset + exc_line - 1
            return "mako.exceptions.SyntaxException: (%s) %s (%r)%s" % (
                type(exc).__name__,
                exc,
                code[0:50],
                _where(filename, at, col),
            )
    return None


def render(source, snippets, filename, kwargs, output_encoding):
    """Returns (kind, value): ("ok", bytes); ("compile", line) where Mako
    would fail building the template; ("lex", None) when only the lexing
    error Rust found remains; ("uncaught", line) for an exception Alembic
    does not catch; ("command", message) for Alembic's "Template rendering
    failed" error."""
    failure = check(snippets, filename)
    if failure is not None:
        return "compile", failure
    if source is None:
        return "lex", None
    try:
        code = _compile(source, filename)
    except SyntaxError as exc:
        return "compile", "SyntaxError: %s" % (exc.msg,)
    namespace = {
        "__name__": "_alembic_rs_template",
        "UNDEFINED": UNDEFINED,
        "__M_filters": _Filters,
        "__M_LoopStack": LoopStack,
    }
    try:
        exec(code, namespace)
    except Exception as exc:
        return "uncaught", _exception_line(exc)
    data = dict(kwargs)
    data.setdefault("comma", format_as_comma)
    buf = []
    try:
        namespace["render_body"](Context(data, filename), buf.append)
        output = "".join(buf).encode(output_encoding)
    except Exception as exc:
        with tempfile.NamedTemporaryFile(suffix=".txt", delete=False) as ntf:
            ntf.write(_template_traceback(exc).encode(output_encoding, "replace"))
            fname = ntf.name
        return "command", (
            "Template rendering failed; see %s for a "
            "template-oriented traceback." % fname
        )
    return "ok", output


def make_config(config_file, toml_file, ini_section):
    from alembic.config import Config

    return Config(file_=config_file, toml_file=toml_file, ini_section=ini_section)
