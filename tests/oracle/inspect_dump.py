"""The oracle for tests/reflect_parity.rs: SQLAlchemy's Inspector output
for every table of the given schemas, as one JSON document on stdout.

    inspect_dump.py URL [SCHEMA ...]

SCHEMA "" (or none given) is the default schema. The shape is the one the
Rust test builds from alembic-rs's `autogen::model::Schema`; both sides
are normalised only where the representation differs:

- types: ``str(type.compile(dialect))`` (the test maps the database's type
  text onto the same spelling; see ``sqla_type`` there);
- lists whose order SQLAlchemy does not define (foreign keys, unique
  constraints, indexes, checks) are sorted by name (then columns);
- dialect_options are flattened to the keys the Rust model has.
"""

import json
import sys

from sqlalchemy import create_engine, inspect


def type_text(t, dialect):
    try:
        return t.compile(dialect=dialect)
    except Exception:
        return str(t)


def dump_table(insp, dialect, schema, name):
    cols = []
    for c in insp.get_columns(name, schema=schema):
        ident = c.get("identity")
        comp = c.get("computed")
        cols.append(
            {
                "name": c["name"],
                "type": type_text(c["type"], dialect),
                "nullable": c["nullable"],
                "default": c.get("default"),
                "autoincrement": c.get("autoincrement"),
                "comment": c.get("comment"),
                "identity": (
                    {
                        k: ident.get(k)
                        for k in (
                            "always",
                            "start",
                            "increment",
                            "minvalue",
                            "maxvalue",
                            "cache",
                            "cycle",
                        )
                    }
                    if ident
                    else None
                ),
                "computed": (
                    {"sqltext": comp["sqltext"], "persisted": comp.get("persisted")}
                    if comp
                    else None
                ),
            }
        )
    pk = insp.get_pk_constraint(name, schema=schema)
    pk = (
        {"name": pk.get("name"), "columns": pk["constrained_columns"]}
        if pk and pk.get("constrained_columns")
        else None
    )
    fks = []
    for f in insp.get_foreign_keys(name, schema=schema):
        o = f.get("options") or {}
        fks.append(
            {
                "name": f.get("name"),
                "columns": f["constrained_columns"],
                "referred_schema": f.get("referred_schema"),
                "referred_table": f["referred_table"],
                "referred_columns": f["referred_columns"],
                "ondelete": o.get("ondelete"),
                "onupdate": o.get("onupdate"),
                "deferrable": o.get("deferrable"),
                "initially": o.get("initially"),
                "match": o.get("match"),
            }
        )
    uqs = []
    for u in insp.get_unique_constraints(name, schema=schema):
        do = u.get("dialect_options") or {}
        uqs.append(
            {
                "name": u.get("name"),
                "columns": u["column_names"],
                "include": list(do.get("postgresql_include") or []),
                "nulls_not_distinct": bool(do.get("postgresql_nulls_not_distinct")),
            }
        )
    idxs = []
    for i in insp.get_indexes(name, schema=schema):
        do = i.get("dialect_options") or {}
        where = do.get("postgresql_where") or do.get("sqlite_where")
        idxs.append(
            {
                "name": i.get("name"),
                "columns": i["column_names"],
                "expressions": i.get("expressions") or [],
                "unique": bool(i["unique"]),
                "duplicates_constraint": i.get("duplicates_constraint"),
                "sorting": {k: list(v) for k, v in (i.get("column_sorting") or {}).items()},
                "where": str(where) if where is not None else None,
                "include": list(do.get("postgresql_include") or []),
                "using": do.get("postgresql_using"),
                "ops": dict(do.get("postgresql_ops") or {}),
                "with": dict(do.get("postgresql_with") or {}),
                "nulls_not_distinct": bool(do.get("postgresql_nulls_not_distinct")),
                "prefix": do.get("mysql_prefix"),
                "length": dict(do.get("mysql_length") or {}),
            }
        )
    checks = [
        {"name": c.get("name"), "sqltext": c["sqltext"]}
        for c in insp.get_check_constraints(name, schema=schema)
    ]
    key = lambda d: (d["name"] or "", json.dumps(d.get("columns")))
    try:
        comment = insp.get_table_comment(name, schema=schema).get("text")
    except NotImplementedError:  # SQLite has no table comments
        comment = None
    return {
        "comment": comment,
        "columns": cols,
        "pk": pk,
        "fks": sorted(fks, key=key),
        "uniques": sorted(uqs, key=key),
        "indexes": sorted(idxs, key=key),
        "checks": sorted(checks, key=lambda d: (d["name"] or "", d["sqltext"])),
    }


def main():
    url = sys.argv[1]
    schemas = [s or None for s in sys.argv[2:]] or [None]
    engine = create_engine(url)
    out = {"tables": {}, "enums": []}
    with engine.connect() as conn:
        insp = inspect(conn)
        dialect = engine.dialect
        for schema in schemas:
            for name in sorted(insp.get_table_names(schema=schema)):
                out["tables"]["%s.%s" % (schema or "", name)] = dump_table(
                    insp, dialect, schema, name
                )
            if dialect.name == "postgresql":
                for e in insp.get_enums(schema=schema):
                    out["enums"].append(
                        {
                            "name": e["name"],
                            "schema": e["schema"],
                            "visible": e["visible"],
                            "labels": list(e["labels"]),
                        }
                    )
    out["enums"].sort(key=lambda e: (e["schema"], e["name"]))
    json.dump(out, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
