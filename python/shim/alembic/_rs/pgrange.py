"""PostgreSQL range and multirange values as each driver hands them out
and takes them.

The server sends ranges as text (``[1,5)``, ``["2020-01-01 00:00:00+00",)``,
``empty``); alembic-rs's driver passes that text on, and the cursor turns
it into the objects the driver named by the URL returns (the connection's
``_range_style``, set by the dialect at connect):

* ``psycopg2`` (and the bare ``postgresql://`` under SQLAlchemy 2.0):
  ``psycopg2.extras.NumericRange`` (int4range, int8range, numrange),
  ``DateRange``, ``DateTimeRange``, ``DateTimeTZRange``; arrays of ranges as
  lists of them; multiranges stay text (psycopg2 has no typecaster for
  them).
* ``asyncpg``: ``asyncpg.Range`` for every range type; ranges' arrays and
  multiranges as lists of them.
* ``psycopg`` (psycopg 3, also the bare ``postgresql://`` under SQLAlchemy
  2.1): ``psycopg.types.range.Range``; multiranges as
  ``psycopg.types.multirange.Multirange``, arrays as lists.
* ``None`` (pg8000): text, as before.

The classes are the driver's own when it is importable in the project's
venv (so ``isinstance`` and ``==`` against them hold in a migration), and
otherwise the small stand-ins below, which repeat the behaviour a migration
sees (constructor, attributes, ``repr``/``str``, equality, hashing, ``in``,
ordering where the driver has it) under the driver's module and class names:
alembic-rs needs no driver installed. The bounds are cast as the driver
casts a column of the range's subtype (``cast_bound``).

Parameters: psycopg2 adapts its range classes itself (``NumericRange`` as a
quoted literal ``'[1,5)'``, the others as ``daterange('2020-01-01'::date,
NULL, '[)')``); asyncpg and psycopg bind theirs typed by the server, which
a quoted literal in the range's text form reproduces. ``adapt_params``
rewrites them for the driver's interpolation.
"""

import datetime
import decimal
import re
import types
import uuid

# range OID -> subtype OID
RANGE_SUBTYPES = {3904: 23, 3926: 20, 3906: 1700, 3912: 1082, 3908: 1114, 3910: 1184}
# array of ranges OID -> range OID
RANGE_ARRAYS = {3905: 3904, 3927: 3926, 3907: 3906, 3913: 3912, 3909: 3908, 3911: 3910}
# multirange OID -> range OID
MULTIRANGES = {4451: 3904, 4536: 3926, 4532: 3906, 4535: 3912, 4533: 3908, 4534: 3910}
# array of multiranges OID -> multirange OID
MULTIRANGE_ARRAYS = {6150: 4451, 6157: 4536, 6151: 4532, 6155: 4535, 6152: 4533, 6153: 4534}


# -- bounds -------------------------------------------------------------------

_DT_MAX = datetime.datetime.max
_DT_MIN = datetime.datetime.min


def _tz_text(text):
    # PostgreSQL prints `+00`; fromisoformat wants `+00:00` (as
    # src/python/convert.rs normalises a timestamptz column's text)
    if len(text) >= 3 and text[-3] in "+-" and text[-2:].isdigit():
        return text + ":00"
    return text


def cast_bound(subtype, text, style="psycopg2"):
    """A bound's text as the driver reads a value of the subtype (the same
    reading src/python/convert.rs gives a column of that type). asyncpg
    reads ``-infinity`` dates as ``date.min`` and infinite ``timestamptz``
    values as the naive ``datetime.max``/``min``."""
    if text is None:
        return None
    if style == "asyncpg" and text in ("infinity", "-infinity") and subtype in (1082, 1184):
        if subtype == 1082:
            return datetime.date.max if text == "infinity" else datetime.date.min
        return _DT_MAX if text == "infinity" else _DT_MIN
    if subtype in (20, 23):
        return int(text)
    if subtype == 1700:
        return decimal.Decimal(text)
    if subtype == 1082:
        if text == "infinity":
            return datetime.date.max
        return datetime.date.fromisoformat(text)
    if subtype == 1114:
        if text == "infinity":
            return _DT_MAX
        if text == "-infinity":
            return _DT_MIN
        return datetime.datetime.fromisoformat(text)
    if subtype == 1184:
        if text == "infinity":
            return _DT_MAX.replace(tzinfo=datetime.timezone.utc)
        if text == "-infinity":
            return _DT_MIN.replace(tzinfo=datetime.timezone.utc)
        return datetime.datetime.fromisoformat(_tz_text(text))
    return text


# The range output format: bound flags, each bound unquoted or
# double-quoted (`""` and `\x` inside), either one missing for infinity.
_RANGE_TEXT = re.compile(
    r"""([\[(])(?:"((?:[^"\\]|""|\\.)*)"|([^",]+))?,(?:"((?:[^"\\]|""|\\.)*)"|([^"\])]+))?([\])])\Z"""
)
_UNQUOTE = re.compile(r'""|\\(.)')


def _unquote(text):
    return _UNQUOTE.sub(lambda m: m.group(1) if m.group(1) is not None else '"', text)


def parse_range(text):
    """``(lower, upper, bounds)`` texts of a range, or None when empty."""
    if text == "empty":
        return None
    m = _RANGE_TEXT.match(text)
    if m is None:
        raise ValueError("failed to parse range: %r" % text)
    lower = m.group(3) if m.group(2) is None else _unquote(m.group(2))
    upper = m.group(5) if m.group(4) is None else _unquote(m.group(4))
    return lower, upper, m.group(1) + m.group(6)


def parse_array(text):
    """PostgreSQL's array text (``{a,"b c",NULL,{x}}``, maybe after
    ``[1:2]=``) as nested lists of item texts (None for NULL)."""
    if text.startswith("["):
        text = text[text.index("=") + 1 :]
    pos = 0

    def level():
        nonlocal pos
        assert text[pos] == "{"
        pos += 1
        items = []
        if text[pos] == "}":
            pos += 1
            return items
        while True:
            c = text[pos]
            if c == "{":
                items.append(level())
            elif c == '"':
                pos += 1
                out = []
                while text[pos] != '"':
                    if text[pos] == "\\":
                        pos += 1
                    out.append(text[pos])
                    pos += 1
                pos += 1
                items.append("".join(out))
            else:
                end = pos
                while text[end] not in ",}":
                    end += 1
                item = text[pos:end].strip()
                items.append(None if item == "NULL" else item)
                pos = end
            c = text[pos]
            pos += 1
            if c == "}":
                return items

    return level()


def _map_nested(items, convert):
    return [
        None if v is None else _map_nested(v, convert) if isinstance(v, list) else convert(v)
        for v in items
    ]


# -- psycopg2 -----------------------------------------------------------------


class _Psycopg2Range:
    """psycopg2's ``psycopg2.extras.Range`` (``psycopg2/_range.py``): bounds
    as a two-character string, None for an empty range; no ``bounds``
    attribute; equal to any ``Range`` with the same bounds whatever the
    subclass."""

    __slots__ = ("_lower", "_upper", "_bounds")

    def __init__(self, lower=None, upper=None, bounds="[)", empty=False):
        if empty:
            self._lower = self._upper = self._bounds = None
            return
        if bounds not in ("[)", "(]", "()", "[]"):
            raise ValueError("bound flags not valid: %r" % (bounds,))
        self._lower, self._upper, self._bounds = lower, upper, bounds

    def __repr__(self):
        name = type(self).__name__
        if not self._bounds:
            return "%s(empty=True)" % name
        return "%s(%r, %r, %r)" % (name, self._lower, self._upper, self._bounds)

    def __str__(self):
        if not self._bounds:
            return "empty"
        return "%s%s, %s%s" % (self._bounds[0], self._lower, self._upper, self._bounds[1])

    lower = property(lambda self: self._lower)
    upper = property(lambda self: self._upper)
    isempty = property(lambda self: not self._bounds)
    lower_inf = property(lambda self: bool(self._bounds) and self._lower is None)
    upper_inf = property(lambda self: bool(self._bounds) and self._upper is None)
    lower_inc = property(
        lambda self: bool(self._bounds) and self._lower is not None and self._bounds[0] == "["
    )
    upper_inc = property(
        lambda self: bool(self._bounds) and self._upper is not None and self._bounds[1] == "]"
    )

    def __contains__(self, x):
        if not self._bounds:
            return False
        lo, hi = self._lower, self._upper
        if lo is not None and (x < lo if self._bounds[0] == "[" else x <= lo):
            return False
        if hi is not None and (x > hi if self._bounds[1] == "]" else x >= hi):
            return False
        return True

    def __bool__(self):
        return bool(self._bounds)

    def _key(self):
        return (self._lower, self._upper, self._bounds)

    def __eq__(self, other):
        return isinstance(other, _Psycopg2Range) and self._key() == other._key()

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash(self._key())

    def __lt__(self, other):
        if not isinstance(other, _Psycopg2Range):
            return NotImplemented
        return self._order(other)

    def _order(self, other):
        # psycopg2's arbitrary but stable order: lower, upper, bounds, with
        # None first
        for mine, theirs in zip(self._key(), other._key()):
            if mine == theirs:
                continue
            if mine is None:
                return True
            if theirs is None:
                return False
            return mine < theirs
        return False

    def __le__(self, other):
        return self == other or self.__lt__(other)

    def __gt__(self, other):
        if isinstance(other, _Psycopg2Range):
            return other.__lt__(self)
        return NotImplemented

    def __ge__(self, other):
        return self == other or self.__gt__(other)

    def __getstate__(self):
        return {k: getattr(self, k) for k in self.__slots__ if hasattr(self, k)}

    def __setstate__(self, state):
        for k, v in state.items():
            setattr(self, k, v)


def _psycopg2_standins():
    def cls(name, base):
        return type(name, (base,), {"__slots__": (), "__module__": "psycopg2._range"})

    base = cls("Range", _Psycopg2Range)
    return types.SimpleNamespace(
        Range=base,
        NumericRange=cls("NumericRange", base),
        DateRange=cls("DateRange", base),
        DateTimeRange=cls("DateTimeRange", base),
        DateTimeTZRange=cls("DateTimeTZRange", base),
    )


_classes = {}


def psycopg2_classes():
    """``psycopg2.extras``' range classes: psycopg2's own if installed."""
    ns = _classes.get("psycopg2")
    if ns is None:
        try:
            from psycopg2 import _range as ns
        except Exception:
            ns = _psycopg2_standins()
        _classes["psycopg2"] = ns
    return ns


_PSYCOPG2_CLASS = {3904: "NumericRange", 3926: "NumericRange", 3906: "NumericRange",
                   3912: "DateRange", 3908: "DateTimeRange", 3910: "DateTimeTZRange"}
# psycopg2's adapters: the SQL function a non-numeric range is built with
_PSYCOPG2_SQL_NAME = {"DateRange": "daterange", "DateTimeRange": "tsrange",
                      "DateTimeTZRange": "tstzrange"}


def _psycopg2_value(oid, text):
    parts = parse_range(text)
    cls = getattr(psycopg2_classes(), _PSYCOPG2_CLASS[oid])
    if parts is None:
        return cls(empty=True)
    sub = RANGE_SUBTYPES[oid]
    return cls(cast_bound(sub, parts[0]), cast_bound(sub, parts[1]), parts[2])


# -- asyncpg ------------------------------------------------------------------


class _AsyncpgRange:
    """asyncpg's ``asyncpg.Range`` (``asyncpg/types.py``): inclusive flags,
    keyword-only; ``<Range [1, 5)>`` for both repr and str."""

    __slots__ = ("_lower", "_upper", "_lower_inc", "_upper_inc", "_empty")

    def __init__(self, lower=None, upper=None, *, lower_inc=True, upper_inc=False, empty=False):
        self._empty = empty
        if empty:
            self._lower = self._upper = None
            self._lower_inc = self._upper_inc = False
        else:
            self._lower, self._upper = lower, upper
            self._lower_inc = lower is not None and lower_inc
            self._upper_inc = upper is not None and upper_inc

    lower = property(lambda self: self._lower)
    upper = property(lambda self: self._upper)
    lower_inc = property(lambda self: self._lower_inc)
    upper_inc = property(lambda self: self._upper_inc)
    lower_inf = property(lambda self: self._lower is None and not self._empty)
    upper_inf = property(lambda self: self._upper is None and not self._empty)
    isempty = property(lambda self: self._empty)

    def _below_ok(self, other):
        if other._lower is None:
            return True
        if self._lower is None:
            return False
        return self._lower > other._lower or (
            self._lower == other._lower and (other._lower_inc or not self._lower_inc)
        )

    def _above_ok(self, other):
        if other._upper is None:
            return True
        if self._upper is None:
            return False
        return self._upper < other._upper or (
            self._upper == other._upper and (other._upper_inc or not self._upper_inc)
        )

    def issubset(self, other):
        if self._empty:
            return True
        if other._empty:
            return False
        return self._below_ok(other) and self._above_ok(other)

    def issuperset(self, other):
        return other.issubset(self)

    def __bool__(self):
        return not self._empty

    def _key(self):
        return (self._lower, self._upper, self._lower_inc, self._upper_inc, self._empty)

    def __eq__(self, other):
        if not isinstance(other, _AsyncpgRange):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        if self._empty:
            return "<Range empty>"
        lower = "[" if self._lower is not None and self._lower_inc else "("
        if self._lower is not None:
            lower += repr(self._lower)
        upper = "" if self._upper is None else repr(self._upper)
        upper += "]" if self._upper is not None and self._upper_inc else ")"
        return "<Range %s, %s>" % (lower, upper)

    __str__ = __repr__


def asyncpg_range_class():
    cls = _classes.get("asyncpg")
    if cls is None:
        try:
            from asyncpg.types import Range as cls
        except Exception:
            cls = type("Range", (_AsyncpgRange,), {"__slots__": (), "__module__": "asyncpg.types"})
        _classes["asyncpg"] = cls
    return cls


def _asyncpg_value(oid, text):
    parts = parse_range(text)
    cls = asyncpg_range_class()
    if parts is None:
        return cls(empty=True)
    sub = RANGE_SUBTYPES[oid]
    bounds = parts[2]
    return cls(cast_bound(sub, parts[0], "asyncpg"), cast_bound(sub, parts[1], "asyncpg"),
               lower_inc=bounds[0] == "[", upper_inc=bounds[1] == "]")


# -- psycopg (3) --------------------------------------------------------------


class _PsycopgRange:
    """psycopg 3's ``psycopg.types.range.Range``: psycopg2's, plus a
    ``bounds`` attribute ("" when empty), an infinite bound never inclusive,
    and equality only with its own ``Range``."""

    __slots__ = ("_lower", "_upper", "_bounds")

    def __init__(self, lower=None, upper=None, bounds="[)", empty=False):
        if empty:
            self._lower = self._upper = None
            self._bounds = ""
            return
        if bounds not in ("[)", "(]", "()", "[]"):
            raise ValueError("bound flags not valid: %r" % (bounds,))
        if lower is None:
            bounds = "(" + bounds[1]
        if upper is None:
            bounds = bounds[0] + ")"
        self._lower, self._upper, self._bounds = lower, upper, bounds

    bounds = property(lambda self: self._bounds)

    # the rest reads as psycopg2's ("" where psycopg2 has None)
    __repr__ = _Psycopg2Range.__repr__
    __str__ = _Psycopg2Range.__str__
    lower = _Psycopg2Range.lower
    upper = _Psycopg2Range.upper
    isempty = _Psycopg2Range.isempty
    lower_inf = _Psycopg2Range.lower_inf
    upper_inf = _Psycopg2Range.upper_inf
    lower_inc = _Psycopg2Range.lower_inc
    upper_inc = _Psycopg2Range.upper_inc
    __contains__ = _Psycopg2Range.__contains__
    __bool__ = _Psycopg2Range.__bool__
    _key = _Psycopg2Range._key
    __hash__ = _Psycopg2Range.__hash__
    __le__ = _Psycopg2Range.__le__
    __ge__ = _Psycopg2Range.__ge__
    __getstate__ = _Psycopg2Range.__getstate__
    __setstate__ = _Psycopg2Range.__setstate__

    def __eq__(self, other):
        return isinstance(other, _PsycopgRange) and self._key() == other._key()

    def __lt__(self, other):
        if not isinstance(other, _PsycopgRange):
            return NotImplemented
        return _Psycopg2Range._order(self, other)

    def __gt__(self, other):
        if isinstance(other, _PsycopgRange):
            return other.__lt__(self)
        return NotImplemented


class _PsycopgMultirange:
    """psycopg 3's ``Multirange``: a mutable sequence of ranges (not a
    list), ``repr`` ``Multirange([...])``, ``str`` ``{...}``."""

    def __init__(self, items=()):
        self._ranges = list(items)

    def __repr__(self):
        return "%s(%r)" % (type(self).__name__, self._ranges)

    def __str__(self):
        return "{%s}" % ", ".join(map(str, self._ranges))

    def __getitem__(self, index):
        if isinstance(index, int):
            return self._ranges[index]
        return type(self)(self._ranges[index])

    def __len__(self):
        return len(self._ranges)

    def __iter__(self):
        return iter(self._ranges)

    def __eq__(self, other):
        return isinstance(other, _PsycopgMultirange) and self._ranges == other._ranges

    def __lt__(self, other):
        if not isinstance(other, _PsycopgMultirange):
            return NotImplemented
        return self._ranges < other._ranges

    __hash__ = None


def psycopg_classes():
    ns = _classes.get("psycopg")
    if ns is None:
        try:
            from psycopg.types.multirange import Multirange
            from psycopg.types.range import Range
        except Exception:
            Range = type("Range", (_PsycopgRange,), {"__slots__": (), "__module__": "psycopg.types.range"})
            Multirange = type("Multirange", (_PsycopgMultirange,),
                              {"__slots__": (), "__module__": "psycopg.types.multirange"})
        ns = _classes["psycopg"] = types.SimpleNamespace(Range=Range, Multirange=Multirange)
    return ns


def _psycopg_value(oid, text):
    parts = parse_range(text)
    cls = psycopg_classes().Range
    if parts is None:
        return cls(empty=True)
    sub = RANGE_SUBTYPES[oid]
    return cls(cast_bound(sub, parts[0]), cast_bound(sub, parts[1]), parts[2])


# -- results ------------------------------------------------------------------

_VALUE = {"psycopg2": _psycopg2_value, "asyncpg": _asyncpg_value, "psycopg": _psycopg_value}


def _multirange_items(text):
    """A multirange's text ``{[1,5), [7,9)}`` as its ranges' texts."""
    body = text.strip()[1:-1].strip()
    if not body:
        return []
    out, depth, start, quoted, i = [], 0, 0, False, 0
    while i < len(body):
        c = body[i]
        if quoted:
            if c == "\\":
                i += 1
            elif c == '"':
                quoted = False
        elif c == '"':
            quoted = True
        elif c == "," and depth == 0:
            out.append(body[start:i].strip())
            start = i + 1
        elif c in "[(":
            depth += 1
        elif c in "])":
            depth -= 1
        i += 1
    out.append(body[start:].strip())
    return out


def converter(style, oid):
    """The function turning a column's text into the driver's value, or
    None where the driver leaves the text as it is."""
    value = _VALUE.get(style)
    if value is None:
        return None
    if oid in RANGE_SUBTYPES:
        return lambda text: value(oid, text)
    if oid in RANGE_ARRAYS:
        rng = RANGE_ARRAYS[oid]
        return lambda text: _map_nested(parse_array(text), lambda t: value(rng, t))
    if style == "psycopg2":
        return None  # psycopg2 has no multirange typecaster: text
    if oid in MULTIRANGES:
        rng = MULTIRANGES[oid]
        if style == "psycopg":
            wrap = psycopg_classes().Multirange
        else:
            wrap = list
        return lambda text: wrap(value(rng, t) for t in _multirange_items(text))
    if oid in MULTIRANGE_ARRAYS:
        multi = converter(style, MULTIRANGE_ARRAYS[oid])
        return lambda text: _map_nested(parse_array(text), multi)
    return None


def is_range_oid(oid):
    return oid in RANGE_SUBTYPES or oid in RANGE_ARRAYS or oid in MULTIRANGES or oid in MULTIRANGE_ARRAYS


# -- parameters -----------------------------------------------------------------


def _range_kind(value):
    """'psycopg2:<ClassName>' / 'asyncpg' / 'psycopg' for a driver range
    object (real or stand-in), else None."""
    for klass in type(value).__mro__:
        module = klass.__dict__.get("__module__")
        if module == "psycopg2._range" and klass.__name__ != "Range":
            return "psycopg2:" + klass.__name__
        if module == "psycopg2._range":
            return "psycopg2:Range"
        if module == "asyncpg.types" and klass.__name__ == "Range":
            return "asyncpg"
        if module == "psycopg.types.range" and klass.__name__ == "Range":
            return "psycopg"
        if module == "psycopg.types.multirange" and klass.__name__ == "Multirange":
            return "psycopg-multi"
    return None


_PLAIN = frozenset((type(None), bool, int, float, str, bytes, decimal.Decimal, datetime.date,
                    datetime.datetime, datetime.time, datetime.timedelta, uuid.UUID, dict))


def _needs_adapting(value):
    if type(value) in _PLAIN:
        return False
    if isinstance(value, (list, tuple)):
        return any(map(_needs_adapting, value))
    return _range_kind(value) is not None


def has_ranges(parameters):
    """Whether a statement's parameters hold a driver range object."""
    if isinstance(parameters, dict):
        return any(map(_needs_adapting, parameters.values()))
    if isinstance(parameters, (list, tuple)):
        return any(map(_needs_adapting, parameters))
    return False


def _plain_bound(value):
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)


def _range_text(value, lower_inc, upper_inc):
    lower = "" if value.lower is None else _plain_bound(value.lower)
    upper = "" if value.upper is None else _plain_bound(value.upper)
    return "%s%s,%s%s" % ("[" if lower_inc else "(", lower, upper, "]" if upper_inc else ")")


def _text_form(value, kind):
    """A range's text form, as the server reads it back."""
    if value.isempty:
        return "empty"
    if kind == "asyncpg":
        return _range_text(value, value.lower_inc, value.upper_inc)
    bounds = value._bounds
    return _range_text(value, bounds[0] == "[", bounds[1] == "]")


def _psycopg_cast(bounds, suffix):
    """psycopg 3 dumps a range typed by its first bound's Python type
    (Decimal: numrange, date: daterange, datetime: tsrange or tstzrange)
    and any other one (ints, floats, empty, unbounded) as text of unknown
    type, which the server casts where the context says."""
    for bound in bounds:
        if bound is None:
            continue
        if isinstance(bound, decimal.Decimal):
            return "::num" + suffix
        if isinstance(bound, datetime.datetime):
            return "::tstz" + suffix if bound.tzinfo is not None else "::ts" + suffix
        if isinstance(bound, datetime.date):
            return "::date" + suffix
        return ""
    return ""


def adapt_params(parameters, literal, marker):
    """``parameters`` with each driver range object replaced by a marker
    string, and ``{marker: SQL literal}`` for the caller to write into the
    interpolated statement. ``literal(value)`` is the driver's literal of a
    plain value (a bound)."""
    found = {}

    def sql_for(value):
        kind = _range_kind(value)
        if kind is None:
            return None
        if kind == "psycopg2:Range":
            raise TypeError("can't adapt type '%s'" % type(value).__name__)
        if kind.startswith("psycopg2:"):
            name = kind.split(":", 1)[1]
            sql_name = _PSYCOPG2_SQL_NAME.get(name)
            if sql_name is None:  # NumericRange: the text form, quoted
                if value.isempty:
                    return "'empty'"
                lower = "" if value.lower_inf else literal(value.lower)
                upper = "" if value.upper_inf else literal(value.upper)
                return "'%s%s,%s%s'" % (value._bounds[0], lower, upper, value._bounds[1])
            if value.isempty:
                return "'empty'::" + sql_name
            lower = "NULL" if value.lower is None else literal(value.lower)
            upper = "NULL" if value.upper is None else literal(value.upper)
            return "%s(%s, %s, '%s')" % (sql_name, lower, upper, value._bounds)
        if kind == "psycopg-multi":
            text = "'{%s}'" % ",".join(_text_form(r, "psycopg") for r in value).replace("'", "''")
            return text + _psycopg_cast([b for r in value for b in (r.lower, r.upper)], "multirange")
        text = "'%s'" % _text_form(value, kind).replace("'", "''")
        if kind == "psycopg":
            text += _psycopg_cast([value.lower, value.upper], "range")
        return text

    def walk(value):
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, tuple):
            return tuple(walk(v) for v in value)
        sql = sql_for(value)
        if sql is None:
            return value
        key = "%s-%d" % (marker, len(found))
        found["'%s'" % key] = sql
        return key

    if isinstance(parameters, dict):
        return {k: walk(v) for k, v in parameters.items()}, found
    return type(parameters)(walk(v) for v in parameters), found


def new_marker():
    return "alembic-rs-range-" + uuid.uuid4().hex
