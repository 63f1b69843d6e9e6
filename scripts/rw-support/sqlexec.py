"""python sqlexec.py URL STMT...: run each statement in its own transaction (SQLAlchemy).
A statement prefixed with 'pg:', 'my:' or 'lite:' runs only on that dialect (several: 'pg,my:').
'dropfk:TABLE:COLUMN' drops the foreign key constraint on TABLE(COLUMN) whatever its name.

The hand edits of step (c) in docs/real-world-trees.md's autogenerate runs (the SQLEXEC of
scripts/compare-tree.py --setup "python -m alembic upgrade head && python SQLEXEC '{url}' STMT...")."""
import sys

import sqlalchemy as sa

url = sys.argv[1]
eng = sa.create_engine(url)
d = {"postgresql": "pg", "mysql": "my", "mariadb": "my", "sqlite": "lite"}[eng.dialect.name]
for stmt in sys.argv[2:]:
    head, sep, rest = stmt.partition(":")
    if sep and head and all(h in ("pg", "my", "lite") for h in head.split(",")):
        if d not in head.split(","):
            continue
        stmt = rest
    if stmt.startswith("dropfk:"):
        _, table, col = stmt.split(":")
        fks = [fk for fk in sa.inspect(eng).get_foreign_keys(table) if fk["constrained_columns"] == [col]]
        q = eng.dialect.identifier_preparer.quote
        kw = "FOREIGN KEY" if d == "my" else "CONSTRAINT"
        stmt = "ALTER TABLE %s DROP %s %s" % (q(table), kw, q(fks[0]["name"]))
    with eng.begin() as c:
        c.exec_driver_sql(stmt)
    print("ok:", stmt, file=sys.stderr)
