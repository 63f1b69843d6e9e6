"""psycopg2's typecasters on alembic-rs's connections.

``psycopg2.extensions.register_type(caster, scope)`` takes only psycopg2's
own connection or cursor as its scope, and ``psycopg2.extras``'
``register_uuid``, ``register_hstore``, ``register_default_json``,
``register_ipaddress`` and ``register_composite`` all go through it: given
ours, ``register_type`` here records the caster on that connection or
cursor. Casters registered globally count too when psycopg2 has no such
caster by default (an application's ``register_uuid()`` at import, the
``DEC2FLOAT`` recipe), as they would on psycopg2's connections.

psycopg2 hands a caster the value's text as the server sent it; this
driver has decoded the value already, so the text is written back from it
(``_pg_text``): exact for text, numbers, booleans, ``bytea``, dates and
times and arrays of those; ``json``/``jsonb`` as ``json.dumps`` writes them
(``jsonb``'s own format). psycopg2's built-in casters (``UNICODE``,
``DATETIME``, ...) are implemented in C against its own cursor; the driver
already decodes as they do, so registering one changes nothing here.
"""

import datetime
import decimal
import json
import sys

# psycopg2 2.9's casters by OID, as importing psycopg2.extensions leaves
# them: a global caster of another name, or at another OID, is the user's
_DEFAULTS = {
    16: "BOOLEAN", 17: "BINARY", 18: "STRING", 19: "STRING", 20: "LONGINTEGER", 21: "INTEGER",
    23: "INTEGER", 25: "STRING", 26: "ROWID", 114: "JSON", 199: "JSONARRAY", 651: "CIDRARRAY",
    700: "FLOAT", 701: "FLOAT", 704: "INTERVAL", 705: "UNKNOWN", 1000: "BOOLEANARRAY",
    1001: "BINARYARRAY", 1002: "STRINGARRAY", 1003: "STRINGARRAY", 1005: "INTEGERARRAY",
    1006: "INTEGERARRAY", 1007: "INTEGERARRAY", 1009: "STRINGARRAY", 1013: "ROWIDARRAY",
    1014: "STRINGARRAY", 1015: "STRINGARRAY", 1016: "LONGINTEGERARRAY", 1021: "FLOATARRAY",
    1022: "FLOATARRAY", 1028: "ROWIDARRAY", 1040: "MACADDRARRAY", 1041: "INETARRAY",
    1042: "STRING", 1043: "STRING", 1082: "DATE", 1083: "TIME", 1114: "DATETIME",
    1115: "DATETIMEARRAY", 1182: "DATEARRAY", 1183: "TIMEARRAY", 1184: "DATETIMETZ",
    1185: "DATETIMETZARRAY", 1186: "INTERVAL", 1187: "INTERVALARRAY", 1231: "DECIMALARRAY",
    1266: "TIME", 1270: "TIMEARRAY", 1700: "DECIMAL", 3802: "JSONB", 3807: "JSONBARRAY",
    3904: "type", 3905: "typeARRAY", 3906: "type", 3907: "typeARRAY", 3908: "tsrange",
    3909: "tsrangeARRAY", 3910: "tstzrange", 3911: "tstzrangeARRAY", 3912: "daterange",
    3913: "daterangeARRAY", 3926: "type", 3927: "typeARRAY",
}

_JSON_OIDS = frozenset((114, 3802, 199, 3807))
_MODULES = ("psycopg2.extensions", "psycopg2._json", "psycopg2._range", "psycopg2._ipaddress")


def teach_register_type(patch_on_import):
    """Patches ``register_type`` where psycopg2's modules bound it: those
    imported now, and (through ``patch_on_import(name, patch)``) those
    imported later."""
    for name in _MODULES:
        module = sys.modules.get(name)
        if module is not None:
            _patch(module)
        else:
            patch_on_import(name, _patch)


def _patch(module):
    stock = getattr(module, "register_type", None)
    if stock is None or getattr(stock, "_alembic_rs", False):
        return

    def register_type(obj, scope=None):
        if scope is None or not hasattr(type(scope), "_casters"):
            return stock(obj, scope)  # global, or psycopg2's own connection
        if type(obj).__name__ != "type" or not hasattr(obj, "values"):
            raise TypeError("argument 1 must be psycopg2._psycopg.type, not %s" % type(obj).__name__)
        if _builtin(obj):
            return None  # decoded so already
        if scope._casters is None:
            scope._casters = {}
        for oid in obj.values:
            scope._casters[oid] = obj
        return None

    register_type._alembic_rs = True
    module.register_type = register_type


def _builtin(caster):
    """One of psycopg2's casters written in C (its module's own)."""
    core = sys.modules.get("psycopg2._psycopg")
    return core is not None and getattr(core, caster.name, None) is caster


def casters_for(cursor, columns):
    """``[(index, caster)]`` for the result's columns that have one."""
    own = cursor._casters or {}
    conn = cursor.connection._casters or {}
    ext = sys.modules.get("psycopg2.extensions")
    found = []
    for i, (_, oid, _) in enumerate(columns):
        caster = own.get(oid) or conn.get(oid)
        if caster is None and ext is not None:
            caster = ext.string_types.get(oid)
            if caster is not None and (_DEFAULTS.get(oid) == caster.name or _builtin(caster)):
                caster = None
        if caster is not None:
            found.append((i, caster))
    return found


def cast_rows(cursor, rows, casters):
    out = []
    for row in rows:
        row = list(row)
        for i, caster in casters:
            value = row[i]
            if isinstance(value, dict) and caster.name == "HSTORE":
                continue  # the dialect's own hstore decoding did it
            row[i] = caster(_pg_text(value), cursor)
        out.append(tuple(row))
    return out


def cast(cursor, oid, text):
    """psycopg2's ``cursor.cast(oid, s)`` (composite casters parse their
    attributes with it): a registered caster, else the built-in types'
    decoding, else the text."""
    found = casters_for(cursor, [(None, oid, None)])
    if found:
        return found[0][1](text, cursor)
    if text is None:
        return None
    if oid in (20, 21, 23, 26):
        return int(text)
    if oid in (700, 701):
        return float(text)
    if oid == 1700:
        return decimal.Decimal(text)
    if oid == 16:
        return text == "t"
    if oid == 1082:
        return datetime.date.fromisoformat(text)
    if oid in (1083, 1266):
        return datetime.time.fromisoformat(_iso_offset(text))
    if oid in (1114, 1184):
        return datetime.datetime.fromisoformat(_iso_offset(text))
    return text


def _iso_offset(text):
    """PostgreSQL's ``+02`` offset as Python's ISO parser takes it."""
    if len(text) > 3 and text[-3] in "+-" and text[-2:].isdigit():
        return text + ":00"
    return text


def _pg_text(value):
    """The text PostgreSQL would have sent for a value the driver decoded."""
    if value is None or type(value) is str:
        return value
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (int, decimal.Decimal)):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return "NaN"
        if value in (float("inf"), float("-inf")):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "\\x" + bytes(value).hex()
    if isinstance(value, datetime.datetime):
        return _with_offset(value.isoformat(sep=" "))
    if isinstance(value, (datetime.date, datetime.time)):
        return _with_offset(value.isoformat())
    if isinstance(value, list):
        return "{%s}" % ",".join(_array_item(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)


def _with_offset(text):
    """PostgreSQL writes a whole-hour UTC offset as ``+02``."""
    if len(text) > 6 and text[-6] in "+-" and text.endswith(":00"):
        return text[:-3]
    return text


def _array_item(value):
    if value is None:
        return "NULL"
    if isinstance(value, list):
        return _pg_text(value)
    text = _pg_text(value)
    if text == "" or text.upper() == "NULL" or any(c in text for c in '{}," \\\t\n'):
        return '"%s"' % text.replace("\\", "\\\\").replace('"', '\\"')
    return text
