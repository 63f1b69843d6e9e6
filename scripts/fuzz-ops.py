#!/usr/bin/env python3
"""Randomized differential testing of `op.*` directives (DDL): Alembic against
alembic-rs, offline and online, on SQLite, PostgreSQL and MySQL/MariaDB.

The generator (stdlib only) writes a project: alembic.ini, the generic
template's env.py (URL from $FUZZ_URL), and a linear chain of revisions whose
`upgrade()` uses random but valid op directives the way real projects write
them (create_table with random columns, types, defaults, keys, constraints,
indexes, comments; add/drop/alter column, indexes, constraints, rename_table,
table comments, execute, batch_alter_table blocks, quoted/reserved/mixed-case
names, schema= on PostgreSQL) and whose `downgrade()` is the exact inverse,
so `downgrade base` works. Each dialect's chain keeps to what Alembic itself
can run there (no ALTER of constraints on SQLite outside batch mode, VARCHAR
lengths on MySQL, ...). A seed gives the same chain; the first K revisions of
a chain of N are the chain of K (`--revisions K` shrinks a failing case).

Per seed, besides the random choices: even seeds use SQLite batch directives
that copy the table and `recreate='always'` (both need reflection, so `--sql`
fails there, identically in both tools); every third seed's 12th revision
(FAIL_AT) has a directive that fails online (a duplicate table or column, a
missing index, column or table); seeds = 1 (mod 4) import SQLAlchemy's names
(`from sqlalchemy import Column, Integer`); seeds = 2 (mod 5) write type classes
without parentheses, = 3 (mod 5) `sa.types.X(...)`. Seeds from 5000 (EXTRA_FROM)
also use session 14's directives: create_primary_key (also in batch),
PostgreSQL create_exclude_constraint, CREATE INDEX in an autocommit_block
(CONCURRENTLY on PostgreSQL), and in blocks that copy the table
insert_before/insert_after, partial_reordering and (SQLite) naming_convention;
of those, seeds = 0 (mod 4) on SQLite give every copying block its table
(`copy_from=sa.Table(...)`), so their `--sql` scripts render the copies too
(compared with the copies' constraint lines and CREATE INDEX statements
sorted: Alembic takes both from sets, batch_copy_orders()). Seeds from 6000
(EXT_FROM) also write session 18's constructs: create_table with
if_not_exists=True, sa.Index items, column-level sa.ForeignKey(...) (with
ondelete/onupdate/deferrable/initially/name) and unnamed CHECKs; two-column
foreign keys to two-column primary keys (also in batch), onupdate= and
(PostgreSQL) match='FULL'/'SIMPLE' in create_foreign_key;
drop_constraint(..., if_exists=True) (PostgreSQL, MariaDB); deferrable and
postgresql_nulls_not_distinct unique constraints; indexes on
sa.text('lower(...)') / sa.func.lower(sa.column(...)), sa.text('x DESC') /
sa.column(x).desc(), MySQL FULLTEXT (mysql_prefix), sqlite_where,
postgresql_nulls_not_distinct and postgresql_with; op.execute(...,
execution_options=...); SQLite batch copies with table_kwargs=; PostgreSQL
alter_column(server_default=sa.Identity(...), existing_server_default=...)
to, between and from identities (d_identity).
Seeds from 7000 (DML_FROM) also write data migrations in Core (d_dml): a
table of their own (typed columns: Integer, String, Text, Boolean, Numeric,
Float, Date, DateTime, Time) filled through op.execute() of
sa.table()/sa.column() constructs (insert().values() of one row or many,
sa.insert(...).values(**kw), plain values, op.inline_literal() with and
without a type, None/sa.null(), sa.cast(); some columns untyped), then
changed: update()/sa.update() with arithmetic, COALESCE, upper/lower,
concatenation, CASE, NOT; delete(); insert().from_select() of the table
itself; filters of ==, IN/NOT IN (also of inline literals and empty),
BETWEEN, LIKE with %/_/backslash, startswith/contains(autoescape=True),
IS [NOT] NULL, OR/AND/NOT; sa.text() UPDATEs with .bindparams() (plain,
and typed sa.bindparam()); from 7020 (DML_RAW_FROM) also hand-written
UPDATE strings (op.execute(str) and sa.text(str)) with `%`, `%%`,
`%(x)s`, escaped colons, `::text`, quotes, tabs, CRLF, indentation, a
trailing `;` or `-- comment`, a leading `/* */`. The rows stay until
the downgrade drops the table, so the dump compares them after each step.
Seeds from 8000 (MYSQL_FROM) on MariaDB (`--dialects mysql`) also write
d_mysql: tables of MariaDB-specific columns (MY_TYPES: charsets and
collations on String/VARCHAR/CHAR/Text/TINYTEXT/ENUM, unsigned and zerofill
integers and DECIMAL, TINYINT(1), TIMESTAMP and DATETIME(fsp=3) with
CURRENT_TIMESTAMP[(3)] [ON UPDATE ...] and sa.func.current_timestamp()
defaults, Date, SET, BIT, YEAR, JSON, VARBINARY; comments with quotes,
`%`, backslashes, non-ASCII), a key of MY_ID_TYPES with AUTO_INCREMENT
(autoincrement=True or implied), table options (mysql_engine,
mysql_charset / mysql_default_charset, mysql_collate,
mysql_auto_increment, mysql_row_format, comment=) and a few rows; then
alter_column on them the way MySQLImpl restates a column: type changes
(lengths, charset/collation changes, TINYINT to and from
Boolean(create_constraint=True, name=...), ENUM/SET values, TIMESTAMP to
DATETIME, Date to DateTime), nullability, server_default set, changed or
dropped alone (ALTER COLUMN SET/DROP DEFAULT; a DateTime-affinity column
is always CHANGE), new_column_name (CHANGE), comment set/removed, with
each existing_type/existing_nullable/existing_server_default/
existing_comment left out now and then (the restated column then loses
that property, as in Alembic; the generator models it, and the
downgrade restates the old column completely); on the key, type_ with
autoincrement=True/False, existing_autoincrement=, or neither (MODIFY
drops AUTO_INCREMENT); add_column of such columns to the filled table.
From seed 8100 (MYSQL_TS_FROM) 40% of d_mysql's columns are date/time or
TINYINT(1) ones (so more CHANGEs for DateTime affinity, ON UPDATE
defaults, and TINYINT <-> Boolean(create_constraint=True) CHECKs), and a
DATETIME(fsp=3) may become TIMESTAMP(fsp=3).
From the same seed on PostgreSQL, env.py (env_source()) creates the schema
fz_sp and puts it first on the search_path before run_migrations, by
seed % 3: a SET on the migration's connection (committed), libpq's
`options=-csearch_path=...` in connect_args, or a SET from a "connect"
event listener; every table, type, index and the version table without
schema= then lives in fz_sp (found through the path by both tools' SQL and
SQLAlchemy's has_table), beside the schema= tables in fz_s.
Seeds from 8200 (MARIADB_FROM) on MariaDB also spell the MySQL dialect
keywords (table options, PrimaryKeyConstraint/index mysql_using, index
mysql_length and mysql_prefix, and a dialect keyword alter_column passes
on) as `mariadb_*`, `mysql_*` or both (my_spell(): SQLAlchemy's MySQL
compiler reads only the keywords of the URL's dialect name, so a table
option spelled for the other name is left out; lengths and prefixes the
DDL needs always carry the online URL's spelling), and odd seeds run
online under mariadb+pymysql:// (online_name()); d_mysql also indexes its
tables (my_index(): prefix lengths as an int or a per-column dict, USING
btree/hash, FULLTEXT, unique ones on empty tables) and puts 30% of them
in a second database, `schema=S2` on create_table/add_column/
alter_column/create_index/drop_* (the revision reads S2 from
$FUZZ_SCHEMA2: each tool's database name + `_s2` online, created and
dumped beside the first, `fz_s2` offline). And the revisions form a tree
(tree_plan()): runs of 1-3 revisions, each ending in a branch point whose
two branches (the second sometimes branching and merging again) meet in
a merge revision (60% with DDL of its own); the second branch starts on
tables of its own, so the walk order never decides whether a command
runs. Such seeds run `upgrade heads`, `downgrade <first branch point>`,
`upgrade <the second branch's first revision>` (two heads), `upgrade
heads`, `downgrade base`, `upgrade heads` online, and `upgrade heads`,
`downgrade heads:base`, `upgrade <branch point>:heads` with --sql.

Usage:
    # write one project (to look at it or run it by hand)
    scripts/fuzz-ops.py gen --seed 7 --dialect postgresql --revisions 12 --out /tmp/fzs-p

    # compare the tools on seeds 1..20 (run with the oracle's Python: the schema
    # dump needs psycopg2 and pymysql)
    .venv-oracle/bin/python scripts/fuzz-ops.py run --seeds 1-20 --revisions 14 \\
        [--dialects sqlite,postgresql,mysql] [--offline-only | --online-only] \\
        [--no-static0] [--keep] [--stop] [--minimise] [--oracle-only] [--project DIR]

  --minimise     bisect a differing seed to the shortest chain that differs
                 (prints that chain's last revision: where the difference is)
  --oracle-only  run only Alembic online and report where it fails: checks that a
                 change to the generator still writes chains Alembic can run
  --project DIR  compare a hand-written project (env.py reading $FUZZ_URL, e.g.
                 one written by `gen` and edited) instead of generated ones
  --no-static0   skip the ALEMBIC_RS_STATIC=0 runs (about a third faster)

`run` does, per seed and dialect (mysql = the MariaDB server online; offline,
both mysql:// and mariadb:// URLs):
  offline: `upgrade head --sql`, `downgrade head:base --sql` through Alembic
           (`python -m alembic` of .venv-oracle), alembic-rs with
           ALEMBIC_RS_STATIC=1 and with ALEMBIC_RS_STATIC=0;
  online:  `upgrade head`, `downgrade base`, `upgrade head`, each tool on its
           own fresh database (PostgreSQL/MariaDB databases `fzs_*`, SQLite
           files /tmp/fzs-*), dropped afterwards unless --keep;
and compares exit codes, stdout/stderr (project path, database name,
traceback bodies, 0x addresses normalised as tests/support/*.rs do) and,
online, the schema and data dump after each step (tests/oracle/schema_dump.py;
on SQLite, runs of constraint lines in a CREATE TABLE are compared sorted:
Alembic's batch copy takes them from `Table.constraints`, a set, so its own
order changes from run to run; on MariaDB, likewise the KEY and CONSTRAINT
lines of SHOW CREATE TABLE, which a `recreate='always'` copy or a
create_table with several indexes orders from sets). In `--sql` output,
the CREATE INDEX statements right after a CREATE TABLE (and its COMMENT ON
statements) are compared sorted on every dialect: create_table emits
`Table.indexes`, a set (create_table_index_orders()).
A difference prints the command, the revision the first differing line belongs
to, and a unified diff; the static path's per-step log (static/python and the
decline reason) is summarised at the end.

Runs so far (session 12, 2 cores shared with three other agents, load ~10:
a full seed x dialect run took 20-60 s, an offline-only one 5-15 s): 146 full
runs (seeds 1-8, 20-27, 60-63, 120-122, 500-501, 1000-1025; 10-14 revisions)
and 387 offline-only (seeds 100-117, 201-214, 261-269, 600-605, 2000-2085;
16 revisions), ~80 min in all. Found: Alembic's own constraint order in
SQLite batch copies (normalised, above); `_exec`'s default parameters
(fixed, fixture ops_exec_params); pymysql's multi-row executemany (seed 1008
mysql: "at row 2" vs "at row 1"); the bundled SQLite's error text (seed 1015
sqlite: "no such column: desc" vs `"desc" - should this be a string
literal...`). By hand with --project: pysqlite's "You can only execute one
statement at a time." and psycopg2's "can't execute an empty query" for
`op.execute()` are not reproduced by the driver. Later sessions (generator
extended from seed 5000): 5000-5027 (session 14), 5028-5045 (session 15),
5046-5055 with 14 revisions (session 16; 30 runs online and offline, static
path on and off): no divergence. Session 18 (generator extended from seed
6000): 6000-6011 with 14 revisions (36 runs online and offline, static path
on and off) and 6012-6021 (30 runs, --no-static0), both before d_identity
was added, then 6022-6031 on PostgreSQL (10 runs, static path on and off,
with d_identity: seed 6022 differs offline under the session's old shim,
ALEMBIC_RS_SHIM_DIR=<old checkout>/python/shim): no divergence once the
set orders above were normalised (a create_table with two indexes and a
MariaDB recreate='always' copy showed them); the generator's own slips it
fixed from 6000 on (a TINYINT value out of range, an UPDATE of a generated
column, a type change under a PostgreSQL generated column's source, MySQL
textual index elements Alembic's MySQL impl cannot read, DESC/expression
indexes before a SQLite batch copy, which Alembic's copy fails on).
Session 19: seeds 6032-6041 with 14 revisions (29 runs, --no-static0,
load ~14): one difference, seed 6033 sqlite, the SQLite library's message
for a drop_column a CHECK still names (3.41+ adds `- should this be a
string literal in single-quotes?`; docs/differences.md, now normalised).
Session 20 (--no-static0, load ~8): seeds 6042-6048 x 3 databases (21
runs): none. With d_dml, seeds 7000-7012 and 7020-7034 x 3 (84 runs,
online and offline): seeds 7008 sqlite, 7023 postgresql, 7024 sqlite and
postgresql differed online: two statements of one shape with different
op.inline_literal() values ran with the first one's SQL (a duplicate key,
or the first row's literal stored again), because the shim's
_literal_bindparam set inherit_cache = True and SQLAlchemy cached the
statement with the literal rendered in it; Alembic's class has no
inherit_cache, so such statements are never cached. Fixed, fixture
online/fz_inline_literal_cache. By hand (--project): op.execute() strings
with tabs, CRLF, trailing `;`/comments, form feeds, NBSP, U+2028, `%`,
`%%`, `%(x)s`, `\:` and `::`, as str and sa.text(), offline and online on
the three databases: identical.
Session 21 (fz4): with d_mysql, seeds 8000-8011 on MariaDB with 14
revisions (12 runs, online and offline under mysql:// and mariadb://
URLs, static path on and off; 27 d_mysql tables, 32 alter_column calls
on their columns in the upgrades (11 renames) and 8 on their keys, each
undone by the downgrade): identical. By hand
(--sql, both URLs, static path on and off): Boolean/Enum
create_constraint to and from, Interval (MODIFY, not CHANGE), empty
comment and default, TIMESTAMP defaults dropped alone and with other
changes, `autoincrement='auto'`, Time defaults, schema=, renames of
DATETIME(fsp) columns; create_table with every mysql.* type option
(national, ascii, binary, zerofill, retrieve_as_bitwise) and table
option, and index mysql_length/mysql_using/mysql_with_parser: identical.
Then 8012-8021 (10 runs, static path on and off) and 8022-8033 (12 runs,
--no-static0) on MariaDB, in all 34 seeds drawing 70 d_mysql tables, 75
alter_column calls on their columns (24 renames) and 14 on their keys:
identical; with MYSQL_TS_FROM, 8100-8115 (16 runs, --no-static0)
and 8100-8105 again with the static path off: identical. The search_path
env.py: 8000-8008 (9 runs, static path on and off) and 8009-8017 (9
runs, --no-static0) and 8018-8023 (6 runs, --no-static0) on PostgreSQL:
identical. By hand, a SET in env.py
and a URL `?options=-csearch_path%%3D...` (also a quoted
schema name libpq refuses, and a schema that does not exist), with the
version table first created in public and then found through the path,
upgrade/downgrade/stamp --purge/current: identical; online on MariaDB,
alter_column with schema= another database (CHANGE, AUTO_INCREMENT with a
type change, a TIMESTAMP(3) ON UPDATE default dropped, then NULL) and
the missing-existing_type CommandError: identical. Without the new
draws, 7035-7037 x 3 databases (9 runs, --no-static0): identical.
Session 22 (fz5): with MARIADB_FROM, seeds 8200-8205 on MariaDB with 16
revisions (6 runs, online and offline under both URLs, static path on
and off), 8206-8229 (24 runs, --no-static0) and 8230-8237 with 18
revisions (8 runs, --no-static0): in all 73 merge revisions, 39 d_mysql
tables in the second database, 301 `mariadb_*` keywords, 22 d_mysql
indexes. The one kind of difference was which parent a merge's --sql
downgrade INSERTs and which it UPDATEs to, Alembic's set order
(docs/differences.md), now accepted when Alembic gives alembic-rs's
script under another PYTHONHASHSEED (ORDER; 22 of the 38 seeds; 8210,
two merges in one walk, needed hash seed 14). Without the new draws,
8116-8123 x 3 databases (24 runs, --no-static0): identical. By hand
(--project, seeds 8300 under mysql+pymysql:// and 8301 under
mariadb+pymysql://, static path on and off): a second database whose name
has a dash, created by the revision, holding a table with both
spellings of the table options, a HASH primary key, FULLTEXT and
per-column prefix indexes, then CHANGE/MODIFY with schema=, a TIMESTAMP(3)
ON UPDATE column, a CHECK, a unique constraint, a table comment,
rename_table(schema=) and a foreign key into it from the first database:
identical.
Session 23 (sav), under other SQLAlchemy releases (ORACLE_PYTHON and
HOST_VENV both on the release, --no-static0, x 3 databases): 2.0.10
seeds 90-92, 96-97, 5066-5068, 5072, 6049-6051, 6055, 6057, 7038-7040,
7044, 8124-8126, 8130, 8238-8240, 8244 (78 runs); 2.0.59 93-94,
5069-5070, 6052-6053, 7041-7042, 8127-8128, 8241-8242 (36 runs); 2.0.25
95, 5071, 5073, 6054, 6056, 7043, 7045, 8129, 8131, 8243, 8245 (33
runs). SQLAlchemy 2.0.10 and 2.0.25 order MySQL table options by hash
(seeds 90, 8129: docs/differences.md), so under such a release both
tools now run under one PYTHONHASHSEED (set_ordered_table_options()).
Seed 95 sqlite, a batch copy's constraints in a failing statement's
text, is Alembic's set order under every release (documented). No
release-dependent divergence here; by hand, the static path rendered
any ON DELETE/UPDATE phrase 2.1 accepts where 2.0.10 raises
CompileError: fixed (fixture static_ops/fk_phrases).

Environment: ALEMBIC_RS (binary; default target/release/alembic-rs of this
checkout), ORACLE_PYTHON (default .venv-oracle/bin/python), HOST_VENV
(VIRTUAL_ENV for alembic-rs; default .venv-host), PG_URL / MYSQL_URL (server
URL prefixes; default postgresql+psycopg2://postgres@127.0.0.1:5432/ and
mysql+pymysql://root@127.0.0.1:3306/).
"""

import argparse
import difflib
import keyword
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# ---------------------------------------------------------------------------
# the generator
# ---------------------------------------------------------------------------

PLAIN_TABLES = ["account", "invoice", "product", "shipment", "widget", "ledger",
                "audit_log", "coupon", "region", "tag_map", "t1_data", "review"]
RESERVED_TABLES = ["order", "user", "group", "select", "table", "check"]
MIXED_TABLES = ["UserProfile", "OrderLine", "BillingInfo", "XRef"]
PLAIN_COLS = ["name", "value", "amount", "created_at", "status", "code", "note",
              "qty", "price", "flag", "payload", "ref_no", "score", "label", "kind"]
RESERVED_COLS = ["key", "order", "desc", "default", "limit", "from", "column", "index"]
MIXED_COLS = ["CamelCol", "UpperValue", "mixedName"]
ODD_COLS = ["my col", "a-b"]

SCHEMA = "fz_s"


def sql_quote(name, dialect):
    """How a hand-written SQL string names an identifier (always quoted)."""
    if dialect == "mysql":
        return "`%s`" % name
    return '"%s"' % name


class Col:
    def __init__(self, name, t, nullable=True, default=None, comment=None):
        self.name = name
        self.t = t  # TypeSpec
        self.nullable = nullable
        self.default = default  # source text or None
        self.comment = comment
        self.autoinc = None  # None (omitted) / "True" / "False"
        self.client_default = None
        self.extra = []  # positional sources after the type: sa.Identity(), sa.Computed()

    def render(self, pk=False, index=False, unique=False, more=()):
        parts = [repr(self.name), self.t.src] + self.extra + list(more)
        if self.autoinc is not None:
            parts.append("autoincrement=%s" % self.autoinc)
        if self.client_default is not None:
            parts.append("default=%s" % self.client_default)
        if self.default is not None:
            parts.append("server_default=%s" % self.default)
        if pk:
            parts.append("primary_key=True")
        if self.comment is not None:
            parts.append("comment=%r" % self.comment)
        if index:
            parts.append("index=True")
        if unique:
            parts.append("unique=True")
        parts.append("nullable=%s" % self.nullable)
        return "sa.Column(%s)" % ", ".join(parts)


class TypeSpec:
    def __init__(self, src, kind, indexable=True, text_like=False, defaults=(),
                 widen=(), enum_name=None):
        self.src = src
        self.kind = kind
        self.indexable = indexable
        self.text_like = text_like
        self.defaults = list(defaults)
        self.widen = list(widen)
        self.enum_name = enum_name


class Table:
    def __init__(self, name, schema):
        self.name = name
        self.schema = schema
        self.cols = []
        self.pk = []
        self.pk_name = None
        self.fks = []  # dicts: name, cols, ref (Table name), ref_schema, refcols, ondelete, ...
        self.uniques = []  # (name, cols)
        self.checks = []  # (name, sqltext, col)
        self.indexes = []  # dicts: name, cols, unique, kw (source), pinned
        self.comment = None
        self.kw = []  # table keyword sources
        self.enums = []
        self.excludes = []  # (name, col): PostgreSQL EXCLUDE constraints

    def col(self, name):
        for c in self.cols:
            if c.name == name:
                return c
        raise KeyError(name)

    def constrained(self):
        """Columns in a key, constraint or index (not droppable/renamable)."""
        out = set(self.pk)
        for fk in self.fks:
            out.update(fk["cols"])
        for _, cols in self.uniques:
            out.update(cols)
        for _, _, c in self.checks:
            out.add(c)
        for _, c in self.excludes:
            out.add(c)
        for ix in self.indexes:
            out.update(ix["cols"])
            out.update(ix.get("pin_cols", ()))
            if ix.get("pinned"):
                out.add(ix["pinned"])
        return out


#: The first seed whose chains also use session 14's directives: create_primary_key,
#: create_exclude_constraint, autocommit_block (CREATE INDEX CONCURRENTLY),
#: batch partial_reordering / insert_before / insert_after / naming_convention /
#: copy_from.
EXTRA_FROM = 5000

#: The first seed whose chains also use session 18's constructs: create_table
#: with if_not_exists=, sa.Index items, column-level sa.ForeignKey and unnamed
#: CHECKs; composite and MATCH FULL foreign keys, onupdate= in create_foreign_key;
#: drop_constraint(if_exists=); deferrable / NULLS NOT DISTINCT unique keys;
#: expression, DESC, FULLTEXT, sqlite_where, NULLS NOT DISTINCT and WITH (...)
#: indexes; execute(execution_options=); batch table_kwargs=; PostgreSQL
#: alter_column to, between and from sa.Identity().
EXT_FROM = 6000

#: The first seed whose chains also write Core DML through op.execute (d_dml):
#: a table of their own filled, changed and thinned by sa.table()/sa.column()
#: insert/update/delete constructs (plain and op.inline_literal values,
#: expressions, IN/NOT IN/BETWEEN/LIKE/startswith/empty-IN filters, CASE,
#: COALESCE, string concatenation, insert().from_select, sa.text() with
#: bindparams), its rows kept until the downgrade drops the table, so the
#: data after each step is compared too.
DML_FROM = 7000

#: ... and from this one also hand-written UPDATE strings (dml_raw).
DML_RAW_FROM = 7020

#: The first seed whose MariaDB chains also write d_mysql: tables of
#: MariaDB-specific columns and table options, filled, then altered the way
#: MySQLImpl restates a column (MODIFY/CHANGE/ALTER COLUMN ... DEFAULT).
MYSQL_FROM = 8000

#: ... and from this one d_mysql draws date/time columns and TINYINT(1)
#: (Boolean) columns for 40% of its columns, and DATETIME(fsp=3) may become
#: TIMESTAMP(fsp=3) (MySQLImpl's CHANGE for DateTime affinity, defaults
#: with ON UPDATE, CHECKs of Boolean(create_constraint=True)).
MYSQL_TS_FROM = 8100

#: The first seed whose MariaDB chains (`--dialects mysql`) also spell the
#: dialect keywords `mariadb_*` as well as `mysql_*` (or both; each tool then
#: honours only the URL's dialect name's), put some d_mysql tables in a second
#: database (`schema=S2`, the revision reading $FUZZ_SCHEMA2), index the
#: d_mysql tables (lengths, USING, FULLTEXT), and draw a revision tree with
#: branch points and merges (tree_plan()); odd seeds run online under a
#: mariadb+pymysql:// URL.
MARIADB_FROM = 8200

#: (type, kind, server defaults, types alter_column may change it to, a SQL value)
MY_TYPES = [
    ("mysql.TINYINT(display_width=1)", "int", ["'0'", "sa.text('1')"],
     ["mysql.SMALLINT()", "sa.Boolean(create_constraint=True, name='{n}')"], "1"),
    ("mysql.SMALLINT(unsigned=True)", "uint", ["'5'"],
     ["mysql.INTEGER(unsigned=True)", "mysql.MEDIUMINT(unsigned=True)"], "7"),
    ("mysql.INTEGER(display_width=11, zerofill=True)", "uint", ["sa.text('42')"],
     ["mysql.BIGINT(zerofill=True)", "sa.Integer()"], "8"),
    ("sa.String(length=40, collation='utf8mb4_bin')", "str", ["'abc'", "sa.text(\"'x'\")"],
     ["sa.String(length=80, collation='utf8mb4_bin')",
      "mysql.VARCHAR(length=40, charset='utf8mb4', collation='utf8mb4_unicode_ci')",
      "sa.String(length=40)"], "'ab'"),
    ("mysql.VARCHAR(length=30, charset='latin1', collation='latin1_general_ci')", "str",
     ["'l1'"], ["mysql.VARCHAR(length=60, charset='latin1')",
                "mysql.VARCHAR(length=30, charset='utf8mb4', collation='utf8mb4_bin')"], "'Ab'"),
    ("mysql.CHAR(length=2, charset='ascii', collation='ascii_bin')", "str", ["'AB'"],
     ["mysql.CHAR(length=3, charset='ascii')", "mysql.NCHAR(length=2)"], "'XY'"),
    ("sa.Text(collation='utf8mb4_unicode_ci')", "text", ["'t'"],
     ["mysql.MEDIUMTEXT(collation='utf8mb4_bin')", "mysql.TEXT(charset='utf8mb4')",
      "mysql.LONGTEXT()"], "'some text'"),
    ("mysql.TINYTEXT(charset='utf8mb4')", "text", [], ["mysql.TEXT()"], "'tiny'"),
    ("mysql.DECIMAL(precision=10, scale=2, unsigned=True)", "dec", ["'0.00'", "sa.text('1.5')"],
     ["mysql.DECIMAL(precision=14, scale=2, unsigned=True)",
      "sa.Numeric(precision=12, scale=3)"], "'12.34'"),
    ("mysql.DATETIME(fsp=3)", "dt", ["sa.text('CURRENT_TIMESTAMP(3)')",
                                     "sa.text('CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)')",
                                     "'2020-01-02 03:04:05.000'"],
     [], "'2021-05-06 07:08:09.123'"),
    ("mysql.TIMESTAMP()", "ts", ["sa.text('CURRENT_TIMESTAMP')",
                                 "sa.text('CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP')",
                                 "sa.func.current_timestamp()",
                                 "sa.text(\"'2001-02-03 04:05:06'\")"],
     ["mysql.DATETIME()", "sa.DateTime()"], "'2021-05-06 07:08:09'"),
    ("sa.Date()", "date", ["'2020-01-01'"], ["sa.DateTime()"], "'2020-02-02'"),
    ("mysql.ENUM('x', 'y', 'z', charset='utf8mb4', collation='utf8mb4_bin')", "enum", ["'x'"],
     ["mysql.ENUM('x', 'y', 'z', 'w')", "sa.Enum('x', 'y', 'z', name='e')"], "'y'"),
    ("mysql.SET('p', 'q')", "set", ["'p'"], ["mysql.SET('p', 'q', 'r')"], "'p,q'"),
    ("mysql.BIT(8)", "bit", ["sa.text(\"b'101'\")"], ["mysql.BIT(16)"], "b'1010'"),
    ("mysql.YEAR()", "year", ["'2024'"], [], "2023"),
    ("mysql.JSON()", "json", [], [], "'{\"a\": 1}'"),
    ("mysql.VARBINARY(length=16)", "bin", [], ["mysql.VARBINARY(length=32)", "mysql.BLOB()"],
     "X'0102'"),
]

#: (key type, types alter_column may change it to)
MY_ID_TYPES = [
    ("mysql.INTEGER(unsigned=True)", ["mysql.BIGINT(unsigned=True)"]),
    ("sa.Integer()", ["sa.BigInteger()", "mysql.MEDIUMINT()"]),
    ("mysql.BIGINT()", ["sa.Integer()"]),
    ("mysql.SMALLINT(unsigned=True)", ["mysql.INTEGER(unsigned=True)"]),
]

MY_COMMENTS = ["the column", "it's", "50% off", "ünïcode", "back\\slash", "a \"quote\""]

NAMING_CONVENTION = {
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
}


class Gen:
    def __init__(self, seed, dialect):
        self.rng = random.Random("%s-%s" % (seed, dialect))
        self.seed = seed
        self.dialect = dialect
        self.tables = {}
        self.used = set()
        self.counter = 0
        # SQLite batch directives that copy the table cannot run offline:
        # only every other seed uses them
        self.sqlite_copy = dialect == "sqlite" and seed % 2 == 0
        self.imports = set()
        # seeds from EXTRA_FROM also use the directives added in session 14
        # (older seeds keep generating the chains they always did)
        self.extra = seed >= EXTRA_FROM
        # ... and half of those SQLite copy seeds give every copying batch its
        # table (copy_from=), so they render offline too
        self.copy_from = self.sqlite_copy and self.extra and seed % 4 == 0
        self.ext = seed >= EXT_FROM
        self.dml = seed >= DML_FROM
        self.my = seed >= MYSQL_FROM and dialect == "mysql"
        self.my_tables = []
        self.mdb = seed >= MARIADB_FROM and dialect == "mysql"
        # the dialect name online (the URL's), which a required option's
        # spelling must include
        self.online = online_name(seed, dialect)

    # -- names ---------------------------------------------------------------
    def fresh(self, pool_kind):
        r = self.rng.random()
        self.counter += 1
        if pool_kind == "table":
            if r < 0.2:
                for n in self.rng.sample(RESERVED_TABLES, len(RESERVED_TABLES)):
                    if n not in self.used:
                        self.used.add(n)
                        return n
            pool = MIXED_TABLES if r < 0.35 else PLAIN_TABLES
            n = "%s%d" % (self.rng.choice(pool), self.counter)
            self.used.add(n)
            return n
        return None

    def col_name(self, table, prefix=None):
        taken = {c.name for c in table.cols} if table else set()
        for _ in range(50):
            r = self.rng.random()
            if prefix:
                n = "%s_%d" % (prefix, self.rng.randint(1, 99))
            elif r < 0.15:
                n = self.rng.choice(RESERVED_COLS)
            elif r < 0.25:
                n = self.rng.choice(MIXED_COLS)
            elif r < 0.28:
                n = self.rng.choice(ODD_COLS)
            else:
                n = self.rng.choice(PLAIN_COLS)
                if self.rng.random() < 0.5:
                    n += str(self.rng.randint(1, 9))
            if n not in taken:
                return n
        self.counter += 1
        return "c%d" % self.counter

    def obj_name(self, prefix):
        self.counter += 1
        n = "%s_fz%d" % (prefix, self.counter)
        if self.rng.random() < 0.15:
            n = "%s_Fz%d" % (prefix.upper(), self.counter)
        if self.rng.random() < 0.3:
            return n, "op.f(%r)" % n
        return n, repr(n)

    # -- types ---------------------------------------------------------------
    def type_spec(self, purpose="any"):
        d, rng = self.dialect, self.rng
        mysql = d == "mysql"
        sdef = lambda s: ["'%s'" % s, "sa.text(\"'%s'\")" % s]  # noqa: E731
        n = rng.choice([10, 20, 32, 50, 100, 255])
        choices = [
            lambda: TypeSpec("sa.Integer()", "int", defaults=["sa.text('0')", "'7'"],
                             widen=["sa.BigInteger()"]),
            lambda: TypeSpec("sa.BigInteger()", "bigint", defaults=["sa.text('1')"]),
            lambda: TypeSpec("sa.SmallInteger()", "int", defaults=["'3'"],
                             widen=["sa.Integer()"]),
            lambda: TypeSpec("sa.String(length=%d)" % n, "str", defaults=sdef("abc"),
                             widen=["sa.String(length=%d)" % (n + 40), "sa.Text()"]),
            lambda: TypeSpec("sa.Text()", "text", indexable=not mysql, text_like=True,
                             defaults=[] if mysql else sdef("t"),
                             widen=["sa.String(length=300)"]),
            lambda: TypeSpec("sa.Boolean()", "bool", defaults=(
                ["sa.text('0')", "'0'"] if d == "sqlite" else
                ["sa.false()", "sa.true()", "sa.text('false')"])),
            lambda: TypeSpec("sa.DateTime(timezone=%s)" % rng.choice(["True", "False"]),
                             "datetime", defaults=["sa.func.now()", "sa.text('CURRENT_TIMESTAMP')"]
                             if d != "sqlite" else ["sa.text('(CURRENT_TIMESTAMP)')"]),
            lambda: TypeSpec("sa.Date()", "date", defaults=sdef("2020-01-01")),
            lambda: TypeSpec("sa.Time()", "time"),
            lambda: TypeSpec("sa.Numeric(precision=%d, scale=2)" % rng.choice([8, 10, 12]),
                             "numeric", defaults=["sa.text('0')", "'1.5'"],
                             widen=["sa.Numeric(precision=16, scale=2)"]),
            lambda: TypeSpec("sa.Float()", "float", defaults=["sa.text('0')"]),
            lambda: TypeSpec("sa.LargeBinary()", "binary", indexable=not mysql and d != "postgresql",
                             text_like=True),
            lambda: TypeSpec("sa.JSON()", "json", indexable=False, text_like=True),
            lambda: TypeSpec("sa.Uuid()", "uuid"),
            lambda: TypeSpec("sa.Interval()", "interval"),
            self.enum_type,
        ]
        if d == "postgresql":
            self.imports.add("postgresql")
            choices += [
                lambda: TypeSpec("postgresql.JSONB(astext_type=sa.Text())", "jsonb",
                                 text_like=True, defaults=["sa.text(\"'{}'::jsonb\")"]),
                lambda: TypeSpec("postgresql.ARRAY(sa.Integer())", "array"),
                lambda: TypeSpec("postgresql.INET()", "inet"),
                lambda: TypeSpec("postgresql.TIMESTAMP(timezone=True)", "datetime",
                                 defaults=["sa.text('now()')"]),
                lambda: TypeSpec("postgresql.DOUBLE_PRECISION()", "float"),
                lambda: TypeSpec("postgresql.UUID(as_uuid=True)", "uuid"),
                lambda: TypeSpec("postgresql.BYTEA()", "binary", indexable=False),
            ]
        elif mysql:
            self.imports.add("mysql")
            choices += [
                lambda: TypeSpec("mysql.TINYINT(display_width=1)", "int", defaults=["'0'"]),
                lambda: TypeSpec("mysql.INTEGER(unsigned=True)", "uint"),
                lambda: TypeSpec("mysql.MEDIUMTEXT()", "text", indexable=False, text_like=True),
                lambda: TypeSpec("mysql.VARCHAR(length=40, charset='utf8mb4')", "str",
                                 defaults=sdef("v")),
                lambda: TypeSpec("mysql.DOUBLE()", "float"),
                lambda: TypeSpec("mysql.DATETIME(fsp=6)", "datetime",
                                 defaults=["sa.text('CURRENT_TIMESTAMP(6)')"]),
                lambda: TypeSpec("mysql.SET('a', 'b')", "set"),
                lambda: TypeSpec("mysql.YEAR()", "year"),
            ]
        else:
            self.imports.add("sqlite")
            choices += [
                lambda: TypeSpec("sqlite.JSON()", "json", indexable=False, text_like=True),
                lambda: TypeSpec("sqlite.DATETIME()", "datetime"),
            ]
        while True:
            t = rng.choice(choices)()
            if t is None:
                continue
            if purpose == "pk" and t.kind not in ("int", "bigint", "str"):
                continue
            if purpose == "index" and not t.indexable:
                continue
            return t

    def enum_type(self):
        d, rng = self.dialect, self.rng
        self.counter += 1
        name = "fz_enum%d" % self.counter
        vals = "'a', 'b', 'c'"
        if d == "postgresql":
            if rng.random() < 0.3:
                return TypeSpec("sa.Enum(%s, name=%r, native_enum=False)" % (vals, name), "enum",
                                defaults=["'a'"])
            return TypeSpec("sa.Enum(%s, name=%r)" % (vals, name), "enum", defaults=["'b'"],
                            enum_name=name)
        r = rng.random()
        if r < 0.3:
            return TypeSpec("sa.Enum(%s)" % vals, "enum", defaults=["'a'"])
        if r < 0.5:
            return TypeSpec("sa.Enum(%s, name=%r, create_constraint=True)" % (vals, name), "enum")
        return TypeSpec("sa.Enum(%s, name=%r)" % (vals, name), "enum", defaults=["'c'"])

    def new_col(self, table, purpose="any", nullable=None, prefix=None):
        t = self.type_spec(purpose)
        c = Col(self.col_name(table, prefix), t)
        c.nullable = self.rng.random() < 0.6 if nullable is None else nullable
        if t.defaults and self.rng.random() < 0.35:
            c.default = self.rng.choice(t.defaults)
        if self.dialect != "sqlite" and self.rng.random() < 0.15:
            c.comment = self.rng.choice(["a comment", "it's here", "100% sure", "naïve"])
        if self.rng.random() < 0.05:
            c.client_default = self.rng.choice(["0", "'x'", "None"])
        return c

    # -- rendering -----------------------------------------------------------
    def schema_kw(self, t, first=False):
        if t.schema is None:
            return ""
        return ", schema=%r" % t.schema

    def create_table_lines(self, t, index_flag=None, unique_flags=(), more_items=()):
        items = []
        single_pk = len(t.pk) == 1 and t.pk_name is None and self.rng.random() < 0.5
        inline = {fk["cols"][0]: self.inline_fk(fk) for fk in t.fks if fk.get("inline")}
        for c in t.cols:
            items.append(c.render(pk=single_pk and c.name in t.pk,
                                  index=c.name == index_flag,
                                  unique=c.name in unique_flags,
                                  more=[inline[c.name]] if c.name in inline else ()))
        for fk in t.fks:
            if fk.get("inline"):
                continue
            refs = [("%s.%s.%s" % (fk["ref_schema"], fk["ref"], r)) if fk["ref_schema"]
                    else "%s.%s" % (fk["ref"], r) for r in fk["refcols"]]
            extra = "".join(", %s=%r" % (k, fk[k]) for k in ("ondelete", "onupdate", "initially")
                            if fk.get(k))
            if fk.get("deferrable"):
                extra += ", deferrable=True"
            items.append("sa.ForeignKeyConstraint(%r, %r, name=%s%s)" % (
                fk["cols"], refs, fk["name_src"], extra))
        if t.pk and not single_pk:
            name = ", name=%s" % t.pk_name[1] if t.pk_name else ""
            items.append("sa.PrimaryKeyConstraint(%s%s)" % (", ".join(map(repr, t.pk)), name))
        for name, cols in t.uniques:
            nm = ", name=%s" % name[1] if name else ""
            items.append("sa.UniqueConstraint(%s%s)" % (", ".join(map(repr, cols)), nm))
        for name, sql, _ in t.checks:
            if sql is None:
                continue
            items.append("sa.CheckConstraint(%r, name=%s)" % (sql, name[1]))
        items += list(more_items)
        kw = [k for k in t.kw]
        if t.schema is not None:
            kw.insert(0, "schema=%r" % t.schema)
        if t.comment is not None:
            kw.append("comment=%r" % t.comment)
        lines = ["op.create_table(%r," % t.name]
        lines += ["    %s," % i for i in items + kw]
        lines[-1] = lines[-1][:-1] + ")"
        return lines

    def inline_fk(self, fk):
        """A column-level `sa.ForeignKey(...)` for a one-column key."""
        target = ("%s.%s.%s" % (fk["ref_schema"], fk["ref"], fk["refcols"][0])
                  if fk["ref_schema"] else "%s.%s" % (fk["ref"], fk["refcols"][0]))
        extra = "".join(", %s=%r" % (k, fk[k]) for k in ("ondelete", "onupdate", "initially")
                        if fk.get(k))
        if fk.get("deferrable"):
            extra += ", deferrable=True"
        if fk["name"]:
            extra += ", name=%s" % fk["name_src"]
        return "sa.ForeignKey(%r%s)" % (target, extra)

    def if_exists(self, batch=None):
        """`, if_exists=True` on some drop_constraint calls (seeds from EXT_FROM)."""
        if self.ext and not batch and self.dialect != "sqlite" and self.rng.random() < 0.2:
            return ", if_exists=True"
        return ""

    def index_line(self, t, ix, batch=None):
        kw = "".join(", " + k for k in ix["kw"])
        cols = ix.get("src") or repr(ix["cols"])
        if batch:
            return "%s.create_index(%s, %s, unique=%s%s)" % (
                batch, ix["name"][1].replace("op.f", batch + ".f"), cols, ix["unique"], kw)
        if self.rng.random() < 0.08:
            kw += ", if_not_exists=True"
        return "op.create_index(%s, %r, %s, unique=%s%s%s)" % (
            ix["name"][1], t.name, cols, ix["unique"], self.schema_kw(t), kw)

    def drop_index_line(self, t, ix, batch=None):
        if batch:
            return "%s.drop_index(%s)" % (batch, ix["name"][1].replace("op.f", batch + ".f"))
        ie = ", if_exists=True" if self.rng.random() < 0.08 else ""
        return "op.drop_index(%s, table_name=%r%s%s)" % (ix["name"][1], t.name,
                                                        self.schema_kw(t), ie)

    # -- directives: each returns (up_lines, down_lines) ---------------------
    def table_candidates(self, pred=lambda t: True):
        return [t for t in self.tables.values() if pred(t)]

    def referenced(self, t):
        return any(fk["ref"] == t.name and fk["ref_schema"] == t.schema
                   for o in self.tables.values() for fk in o.fks)

    def d_create_table(self):
        rng, d = self.rng, self.dialect
        schema = SCHEMA if d == "postgresql" and rng.random() < 0.25 else None
        t = Table(self.fresh("table"), schema)
        # primary key
        r = rng.random()
        if r < 0.6:
            c = Col("id", self.type_spec("pk") if rng.random() < 0.3 else
                    TypeSpec("sa.Integer()", "int"), nullable=False)
            if c.t.kind == "str" and d == "mysql" and "Text" in c.t.src:
                c.t = TypeSpec("sa.String(length=32)", "str")
            if c.t.kind == "str":
                c.t = TypeSpec(c.t.src, "str")
            if rng.random() < 0.3 and c.t.kind == "int":
                c.autoinc = rng.choice(["True", "False"])
            elif d == "postgresql" and c.t.kind == "int" and rng.random() < 0.2:
                c.extra.append(rng.choice(["sa.Identity()", "sa.Identity(always=True)",
                                           "sa.Identity(start=10, increment=5)"]))
            t.cols.append(c)
            t.pk = ["id"]
        elif r < 0.8:
            for nm in ("a_id", "b_id"):
                t.cols.append(Col(nm, TypeSpec(rng.choice(["sa.Integer()", "sa.String(length=20)"]),
                                               "pk"), nullable=False))
            t.pk = ["a_id", "b_id"]
        if t.pk and rng.random() < 0.3:
            t.pk_name = self.obj_name("pk")
        for _ in range(rng.randint(1, 5)):
            t.cols.append(self.new_col(t))
        ints = [c for c in t.cols if c.t.src == "sa.Integer()" and c.name not in t.pk]
        if ints and rng.random() < 0.15:
            c = Col(self.col_name(t, "calc"), TypeSpec("sa.Integer()", "calc", indexable=False),
                    nullable=True)
            persisted = "" if d == "sqlite" else rng.choice(["", ", persisted=True"])
            c.extra.append("sa.Computed(%r%s)" % ("%s * 2" % sql_quote(ints[0].name, d),
                                                  persisted))
            t.cols.append(c)
            t.checks.append((None, None, ints[0].name))  # pins the source column
        # foreign keys to existing tables (or to itself)
        targets = [o for o in self.tables.values() if len(o.pk) == 1
                   and o.col(o.pk[0]).t.kind in ("int", "bigint", "str")]
        if t.pk == ["id"] and rng.random() < 0.1:
            targets.append(t)
        for o in rng.sample(targets, min(len(targets), rng.randint(0, 2))):
            ref = o.col(o.pk[0])
            c = Col(self.col_name(t, "ref"), TypeSpec(ref.t.src, "fk"), nullable=True)
            t.cols.append(c)
            fk = {"cols": [c.name], "ref": o.name, "ref_schema": o.schema, "refcols": [ref.name]}
            nm = self.obj_name("fk")
            fk["name"], fk["name_src"] = nm if rng.random() < 0.8 else (None, "None")
            if rng.random() < 0.4:
                fk["ondelete"] = rng.choice(["CASCADE", "SET NULL", "RESTRICT", "NO ACTION"])
            if rng.random() < 0.2:
                fk["onupdate"] = rng.choice(["CASCADE", "RESTRICT"])
            if d != "mysql" and rng.random() < 0.15:
                fk["deferrable"] = True
                fk["initially"] = rng.choice(["DEFERRED", "IMMEDIATE"])
            t.fks.append(fk)
        others = [c for c in t.cols if c.name not in t.pk and c.t.indexable and not c.t.text_like]
        if others and rng.random() < 0.3:
            c = rng.choice(others)
            t.uniques.append((self.obj_name("uq") if rng.random() < 0.7 else None, [c.name]))
        ints = [c for c in t.cols if c.t.kind == "int" and c.name not in t.pk]
        if ints and rng.random() < 0.3:
            c = rng.choice(ints)
            name = self.obj_name("ck")
            if self.ext and rng.random() < 0.3:
                name = (None, "None")
            t.checks.append((name, "%s >= 0" % sql_quote(c.name, d), c.name))
        if self.ext:
            for fk in t.fks:
                if rng.random() < 0.35:
                    fk["inline"] = True
        if d != "sqlite" and rng.random() < 0.2:
            t.comment = rng.choice(["table comment", "the 'table'"])
        if d == "mysql" and rng.random() < 0.2:
            t.kw += self.my_spell("mysql_engine='InnoDB'")
        if d == "sqlite" and t.pk == ["id"] and t.cols[0].t.kind == "int" and rng.random() < 0.1:
            t.kw.append("sqlite_autoincrement=True")
        # index=True / unique=True columns
        free = [c for c in t.cols if c.name not in t.constrained() and c.t.indexable
                and not c.t.text_like and t.schema is None]
        index_flag = None
        unique_flags = ()
        if free and rng.random() < 0.3:
            c = rng.choice(free)
            index_flag = c.name
            ix = {"name": ("ix_%s_%s" % (t.name, c.name), repr("ix_%s_%s" % (t.name, c.name))),
                  "cols": [c.name], "unique": rng.random() < 0.3, "kw": [], "implicit": True}
            t.indexes.append(ix)
        elif free and rng.random() < 0.2:
            c = rng.choice(free)
            unique_flags = (c.name,)
            t.uniques.append((None, [c.name]))
        t.enums = [c.t.enum_name for c in t.cols if c.t.enum_name]
        more = []
        if self.ext:
            free = [c for c in t.cols if c.name not in t.constrained() and c.t.indexable
                    and not c.t.text_like and c.name != index_flag]
            if free and rng.random() < 0.2:
                c = rng.choice(free)
                name = self.obj_name("ix")
                t.indexes.append({"name": name, "cols": [c.name], "unique": False, "kw": []})
                more.append("sa.Index(%r, %r)" % (name[0], c.name))
        up = self.create_table_lines(t, index_flag, unique_flags, more)
        if index_flag and t.indexes[-1 - len(more)]["unique"]:
            up = self.create_table_lines(t, index_flag, (index_flag,), more)
        if self.ext:
            if rng.random() < 0.1:
                up[-1] = up[-1][:-1] + ", if_not_exists=True)"
        self.tables[(t.name, t.schema)] = t
        ie = ", if_exists=True" if rng.random() < 0.08 else ""
        down = ["op.drop_table(%r%s%s)" % (t.name, self.schema_kw(t), ie)]
        down += ["op.execute('DROP TYPE %s')" % e for e in t.enums]
        # an explicit index too
        extra_up, extra_down = [], []
        cands = [c for c in t.cols if c.t.indexable and not c.t.text_like]
        if cands and rng.random() < 0.4:
            made = self.d_create_index(t)  # None: no column MySQL can index
            if made:
                extra_up, extra_down = made
        return up + extra_up, extra_down + down

    def recreate_lines(self, t):
        """create_table + create_index lines rebuilding `t` as modelled."""
        lines = self.create_table_lines(t)
        for ix in t.indexes:
            lines.append(self.index_line(t, ix))
        return lines

    def d_drop_table(self):
        cands = self.table_candidates(lambda t: not self.referenced(t) and not t.enums
                                      and not t.excludes
                                      and not any(fk["ref"] == t.name for fk in t.fks))
        if not cands:
            return None
        t = self.rng.choice(cands)
        up = [self.drop_index_line(t, ix) for ix in t.indexes if not ix.get("implicit")]
        up.append("op.drop_table(%r%s)" % (t.name, self.schema_kw(t)))
        for ix in t.indexes:
            ix.pop("implicit", None)
        down = self.recreate_lines(t)
        del self.tables[(t.name, t.schema)]
        return up, down

    def d_rename_table(self):
        cands = self.table_candidates()
        if not cands:
            return None
        t = self.rng.choice(cands)
        old = t.name
        new = self.fresh("table")
        for o in self.tables.values():
            for fk in o.fks:
                if fk["ref"] == old and fk["ref_schema"] == t.schema:
                    fk["ref"] = new
        del self.tables[(old, t.schema)]
        t.name = new
        self.tables[(new, t.schema)] = t
        s = self.schema_kw(t)
        return (["op.rename_table(%r, %r%s)" % (old, new, s)],
                ["op.rename_table(%r, %r%s)" % (new, old, s)])

    def can_add_sqlite(self, c):
        if self.dialect != "sqlite":
            return True
        if c.default is not None and ("func" in c.default or "CURRENT" in c.default):
            return False
        return c.nullable or c.default is not None

    def d_add_column(self, t=None, batch=None):
        cands = self.table_candidates() if t is None else [t]
        if not cands:
            return None
        t = self.rng.choice(cands)
        for _ in range(10):
            c = self.new_col(t)
            if self.dialect == "postgresql" and c.t.enum_name:
                continue
            if self.can_add_sqlite(c):
                break
        else:
            return None
        t.cols.append(c)
        if batch:
            return ["%s.add_column(%s)" % (batch, c.render())], \
                ["%s.drop_column(%r)" % (batch, c.name)]
        s = self.schema_kw(t)
        # SQLite has no ADD/DROP COLUMN IF [NOT] EXISTS
        ok = self.dialect != "sqlite"
        ine = ", if_not_exists=True" if ok and self.rng.random() < 0.08 else ""
        ie = ", if_exists=True" if ok and self.rng.random() < 0.08 else ""
        # index=True / unique=True: Alembic follows the ADD COLUMN with a CREATE
        # INDEX / ADD UNIQUE (which SQLite's impl refuses)
        flag, pre_down = "", []
        indexable = c.t.indexable and not c.t.text_like and t.schema is None
        r = self.rng.random()
        if indexable and r < 0.1:
            name = "ix_%s_%s" % (t.name, c.name)
            t.indexes.append({"name": (name, repr(name)), "cols": [c.name], "unique": False,
                              "kw": [], "implicit": True})
            rendered = c.render(index=True)
            pre_down = ["op.drop_index(op.f(%r), table_name=%r)" % (name, t.name)]
            t.indexes[-1]["implicit"] = False
        elif indexable and r < 0.18 and ok:
            t.uniques.append((None, [c.name]))
            rendered = c.render(unique=True)
        else:
            rendered = c.render()
        return (["op.add_column(%r, %s%s%s)" % (t.name, rendered, s, ine)],
                pre_down + ["op.drop_column(%r, %r%s%s)" % (t.name, c.name, s, ie)])

    def d_drop_column(self, t=None, batch=None):
        pred = lambda t: len(t.cols) > 1 and any(  # noqa: E731
            c.name not in t.constrained() and c.t.kind != "calc" and self.can_add_sqlite(c) and not (
                self.dialect == "postgresql" and c.t.enum_name) for c in t.cols)
        cands = self.table_candidates(pred) if t is None else ([t] if pred(t) else [])
        if not cands:
            return None
        t = self.rng.choice(cands)
        c = self.rng.choice([c for c in t.cols if c.name not in t.constrained()
                             and c.t.kind != "calc" and self.can_add_sqlite(c)
                             and not (self.dialect == "postgresql" and c.t.enum_name)])
        t.cols.remove(c)
        if batch:
            return ["%s.drop_column(%r)" % (batch, c.name)], \
                ["%s.add_column(%s)" % (batch, c.render())]
        s = self.schema_kw(t)
        return (["op.drop_column(%r, %r%s)" % (t.name, c.name, s)],
                ["op.add_column(%r, %s%s)" % (t.name, c.render(), s)])

    def d_create_index(self, t=None, batch=None):
        rng, d = self.rng, self.dialect
        cands = self.table_candidates() if t is None else [t]
        if not cands:
            return None
        t = rng.choice(cands)
        cols = [c for c in t.cols if c.t.indexable and (not c.t.text_like or d == "sqlite")]
        if d == "mysql":
            # an index on a foreign key column can take over the key's own
            fkcols = {x for fk in t.fks for x in fk["cols"]}
            cols = [c for c in t.cols if c.t.kind not in ("json", "binary")
                    and c.name not in fkcols]
        if not cols:
            return None
        chosen = rng.sample(cols, min(len(cols), rng.choice([1, 1, 2])))
        ix = {"name": self.obj_name("ix"), "cols": [c.name for c in chosen],
              "unique": rng.random() < 0.25, "kw": []}
        texty = [c.name for c in chosen if c.t.text_like]
        if d == "mysql" and texty:
            every = len(texty) == len(chosen) and rng.random() < 0.5
            ix["kw"].append("mysql_length=%r" % (10 if every else {n: 10 for n in texty}))
            ix["unique"] = False
        if d == "postgresql" and rng.random() < 0.2:
            ints = [c for c in t.cols if c.t.kind == "int"]
            if ints:
                ix["kw"].append("postgresql_where=sa.text(%r)" % (
                    "%s > 0" % sql_quote(ints[0].name, d)))
                ix["pinned"] = ints[0].name
        if d == "postgresql" and rng.random() < 0.1:
            ix["kw"].append("postgresql_using='btree'")
        others = [c.name for c in t.cols if c.name not in ix["cols"] and c.t.indexable]
        if d == "postgresql" and others and rng.random() < 0.1:
            ix["pin_cols"] = [rng.choice(others)]
            ix["kw"].append("postgresql_include=%r" % ix["pin_cols"])
        strs = [c.name for c in chosen if c.t.kind == "str" and "String" in c.t.src]
        if d == "postgresql" and strs and rng.random() < 0.2:
            ix["kw"].append("postgresql_ops={%r: 'varchar_pattern_ops'}" % strs[0])
        if d == "mysql" and rng.random() < 0.1:
            ix["kw"].append("mysql_using='btree'")
        if self.ext:
            self.index_extras(t, ix, chosen)
        if self.mdb:
            ix["kw"] = [y for k in ix["kw"] for y in self.my_spell(
                k, required=k.startswith(("mysql_length", "mysql_prefix")))]
        t.indexes.append(ix)
        return [self.index_line(t, ix, batch)], [self.drop_index_line(t, ix, batch)]

    def index_extras(self, t, ix, chosen):
        """Session 18's index forms (seeds from EXT_FROM)."""
        rng, d = self.rng, self.dialect
        r = rng.random()
        c = chosen[0]
        if d == "mysql":
            if all(x.t.text_like and x.t.kind == "text" for x in chosen) and r < 0.4:
                ix["kw"] = [k for k in ix["kw"] if not k.startswith("mysql_length")]
                ix["kw"].append("mysql_prefix='FULLTEXT'")
                ix["unique"] = False
            # (a textual or expression element fails in Alembic's MySQL impl:
            # '_textual_index_element' object has no attribute 'name')
            return
        if self.sqlite_copy:
            # (Alembic's SQLite table copy fails on a reflected DESC or expression
            # index: KeyError: '"col" DESC')
            r = 1
        if r < 0.15 and c.t.kind == "str" and "String" in c.t.src:
            q = sql_quote(c.name, d)
            ix["src"] = rng.choice(["[sa.text(%r)]" % ("lower(%s)" % q),
                                    "[sa.func.lower(sa.column(%r))]" % c.name])
            ix["cols"], ix["pinned"] = [c.name], c.name
            ix["kw"] = [k for k in ix["kw"] if not k.startswith("postgresql_ops")]
        elif r < 0.3 and not c.t.text_like:
            ix["src"] = rng.choice(["[sa.text(%r)]" % ("%s DESC" % sql_quote(c.name, d)),
                                    "[sa.column(%r).desc()]" % c.name])
            if len(chosen) > 1:
                ix["src"] = ix["src"][:-1] + ", %r]" % chosen[1].name
            ix["cols"], ix["pinned"] = [x.name for x in chosen], c.name
            ix["kw"] = [k for k in ix["kw"] if not k.startswith("postgresql_ops")]
        if d == "sqlite" and rng.random() < 0.15:
            ix["kw"].append("sqlite_where=sa.text(%r)" % ("%s IS NOT NULL" % sql_quote(c.name, d)))
            ix["pinned"] = c.name
        if d == "postgresql" and ix["unique"] and rng.random() < 0.3:
            ix["kw"].append("postgresql_nulls_not_distinct=True")
        if d == "postgresql" and rng.random() < 0.1:
            ix["kw"].append("postgresql_with={'fillfactor': 70}")

    def d_drop_index(self, t=None, batch=None):
        pred = lambda t: any(not ix.get("implicit") for ix in t.indexes)  # noqa: E731
        cands = self.table_candidates(pred) if t is None else ([t] if pred(t) else [])
        if not cands:
            return None
        t = self.rng.choice(cands)
        ix = self.rng.choice([ix for ix in t.indexes if not ix.get("implicit")])
        if self.dialect == "mysql" and any(set(ix["cols"]) & set(fk["cols"]) for fk in t.fks):
            return None  # the index may serve a foreign key
        t.indexes.remove(ix)
        return [self.drop_index_line(t, ix, batch)], [self.index_line(t, ix, batch)]

    def d_create_fk(self, t=None, batch=None):
        rng, d = self.rng, self.dialect
        if d == "sqlite" and not (batch and self.sqlite_copy):
            return None
        cands = self.table_candidates() if t is None else [t]
        targets = [o for o in self.tables.values() if len(o.pk) == 1
                   and o.col(o.pk[0]).t.kind in ("int", "bigint", "str")]
        if not cands or not targets:
            return None
        t = rng.choice(cands)
        if self.ext:
            multi = [o for o in self.tables.values() if len(o.pk) == 2]
            if multi and rng.random() < 0.35:
                return self.composite_fk(t, rng.choice(multi), batch)
        o = rng.choice(targets)
        ref = o.col(o.pk[0])
        c = Col(self.col_name(t, "lnk"), TypeSpec(ref.t.src, "fk"), nullable=True)
        t.cols.append(c)
        name = self.obj_name("fk")
        fk = {"cols": [c.name], "ref": o.name, "ref_schema": o.schema, "refcols": [ref.name],
              "name": name[0], "name_src": name[1]}
        kw = ""
        if rng.random() < 0.4:
            fk["ondelete"] = rng.choice(["CASCADE", "SET NULL"])
            kw += ", ondelete=%r" % fk["ondelete"]
        if d == "postgresql" and rng.random() < 0.15:
            fk["deferrable"] = True
            fk["initially"] = "DEFERRED"
            kw += ", deferrable=True, initially='DEFERRED'"
        if self.ext and rng.random() < 0.25:
            kw += ", onupdate=%r" % rng.choice(["CASCADE", "RESTRICT", "NO ACTION"])
        if self.ext and d == "postgresql" and rng.random() < 0.15:
            kw += ", match='FULL'"
        if o.schema:
            kw += ", referent_schema=%r" % o.schema
        t.fks.append(fk)
        if batch:
            up = ["%s.add_column(%s)" % (batch, c.render()),
                  "%s.create_foreign_key(%s, %r, [%r], [%r]%s)" % (
                      batch, name[1].replace("op.f", batch + ".f"), o.name, c.name, ref.name, kw)]
            down = ["%s.drop_constraint(%s, type_='foreignkey')" % (
                batch, name[1].replace("op.f", batch + ".f")),
                "%s.drop_column(%r)" % (batch, c.name)]
            return up, down
        s = self.schema_kw(t)
        if t.schema:
            kw += ", source_schema=%r" % t.schema
        up = ["op.add_column(%r, %s%s)" % (t.name, c.render(), s),
              "op.create_foreign_key(%s, %r, %r, [%r], [%r]%s)" % (
                  name[1], t.name, o.name, c.name, ref.name, kw)]
        down = ["op.drop_constraint(%s, %r, type_='foreignkey'%s%s)" % (
                    name[1], t.name, s, self.if_exists()),
                "op.drop_column(%r, %r%s)" % (t.name, c.name, s)]
        return up, down

    def composite_fk(self, t, o, batch):
        """A two-column foreign key to a table with a two-column primary key."""
        rng, d = self.rng, self.dialect
        if o is t:
            return None
        cols = []
        for rc in o.pk:
            cols.append(Col(self.col_name(t, "lnk"), TypeSpec(o.col(rc).t.src, "fk"),
                            nullable=True))
            t.cols.append(cols[-1])
        name = self.obj_name("fk")
        fk = {"cols": [c.name for c in cols], "ref": o.name, "ref_schema": o.schema,
              "refcols": list(o.pk), "name": name[0], "name_src": name[1]}
        kw = ""
        if rng.random() < 0.4:
            fk["ondelete"] = rng.choice(["CASCADE", "SET NULL"])
            kw += ", ondelete=%r" % fk["ondelete"]
        if rng.random() < 0.3:
            kw += ", onupdate='CASCADE'"
        if d == "postgresql" and rng.random() < 0.2:
            kw += ", match=%r" % rng.choice(["FULL", "SIMPLE"])
        if o.schema:
            kw += ", referent_schema=%r" % o.schema
        t.fks.append(fk)
        names = [c.name for c in cols]
        if batch:
            b = name[1].replace("op.f", batch + ".f")
            up = ["%s.add_column(%s)" % (batch, c.render()) for c in cols]
            up.append("%s.create_foreign_key(%s, %r, %r, %r%s)" % (
                batch, b, o.name, names, list(o.pk), kw))
            down = ["%s.drop_constraint(%s, type_='foreignkey')" % (batch, b)]
            down += ["%s.drop_column(%r)" % (batch, n) for n in names]
            return up, down
        s = self.schema_kw(t)
        if t.schema:
            kw += ", source_schema=%r" % t.schema
        up = ["op.add_column(%r, %s%s)" % (t.name, c.render(), s) for c in cols]
        up.append("op.create_foreign_key(%s, %r, %r, %r, %r%s)" % (
            name[1], t.name, o.name, names, list(o.pk), kw))
        down = ["op.drop_constraint(%s, %r, type_='foreignkey'%s%s)" % (
            name[1], t.name, s, self.if_exists())]
        down += ["op.drop_column(%r, %r%s)" % (t.name, n, s) for n in names]
        return up, down

    def d_create_unique(self, t=None, batch=None):
        rng, d = self.rng, self.dialect
        if d == "sqlite" and not (batch and self.sqlite_copy):
            return None
        cands = self.table_candidates() if t is None else [t]
        if not cands:
            return None
        t = rng.choice(cands)
        fkcols = {x for fk in t.fks for x in fk["cols"]} if d == "mysql" else ()
        cols = [c for c in t.cols if c.t.indexable and not c.t.text_like
                and c.t.kind not in ("array",) and c.name not in fkcols]
        if not cols:
            return None
        chosen = [c.name for c in rng.sample(cols, min(len(cols), rng.choice([1, 2])))]
        if self.extra and any(set(cs) == set(chosen) for _, cs in t.uniques):
            return None  # SQLAlchemy's Table keeps one of two equal unique keys
        name = self.obj_name("uq")
        t.uniques.append((name, chosen))
        kw = ""
        if self.ext and d == "postgresql" and rng.random() < 0.3:
            kw = rng.choice([", deferrable=True", ", deferrable=True, initially='DEFERRED'",
                             ", postgresql_nulls_not_distinct=True"])
        if batch:
            b = name[1].replace("op.f", batch + ".f")
            return (["%s.create_unique_constraint(%s, %r%s)" % (batch, b, chosen, kw)],
                    ["%s.drop_constraint(%s, type_='unique')" % (batch, b)])
        s = self.schema_kw(t)
        return (["op.create_unique_constraint(%s, %r, %r%s%s)" % (name[1], t.name, chosen, s, kw)],
                ["op.drop_constraint(%s, %r, type_='unique'%s%s)" % (
                    name[1], t.name, s, self.if_exists())])

    def d_create_check(self, t=None, batch=None):
        rng, d = self.rng, self.dialect
        if d == "sqlite" and not (batch and self.sqlite_copy):
            return None
        cands = self.table_candidates() if t is None else [t]
        if not cands:
            return None
        t = rng.choice(cands)
        ints = [c for c in t.cols if c.t.kind == "int" and c.name not in t.pk]
        if not ints:
            return None
        c = rng.choice(ints)
        name = self.obj_name("ck")
        sql = "%s < 1000000" % sql_quote(c.name, d)
        t.checks.append((name, sql, c.name))
        if batch:
            b = name[1].replace("op.f", batch + ".f")
            return (["%s.create_check_constraint(%s, %r)" % (batch, b, sql)],
                    ["%s.drop_constraint(%s, type_='check')" % (batch, b)])
        s = self.schema_kw(t)
        return (["op.create_check_constraint(%s, %r, %r%s)" % (name[1], t.name, sql, s)],
                ["op.drop_constraint(%s, %r, type_='check'%s%s)" % (
                    name[1], t.name, s, self.if_exists())])

    def d_alter_column(self, t=None, batch=None):
        rng, d = self.rng, self.dialect
        if d == "sqlite" and not (batch and self.sqlite_copy):
            return None
        fkcols = set()
        for o in self.tables.values():
            for fk in o.fks:
                fkcols.update((o.name, o.schema, x) for x in fk["cols"])
                fkcols.update((fk["ref"], fk["ref_schema"], x) for x in fk["refcols"])
        ok = lambda t, c: (c.name not in t.pk and (t.name, t.schema, c.name) not in fkcols  # noqa
                           and c.t.kind != "calc"
                           and not (d == "postgresql" and c.t.enum_name)
                           # Alembic's SQLite batch fails on an Interval existing_type
                           and not (d == "sqlite" and c.t.kind == "interval"))
        cands = self.table_candidates(lambda t: any(ok(t, c) for c in t.cols)) \
            if t is None else ([t] if any(ok(t, c) for c in t.cols) else [])
        if not cands:
            return None
        t = rng.choice(cands)
        c = rng.choice([c for c in t.cols if ok(t, c)])
        indexed = c.name in t.constrained()
        pinned = any(ix.get("pinned") == c.name for ix in t.indexes)
        up, down = {}, {}
        old = {"type": c.t, "nullable": c.nullable, "default": c.default,
               "comment": c.comment, "name": c.name}
        changes = rng.sample(["nullable", "type", "default", "rename", "comment"],
                             rng.randint(1, 2))
        for ch in changes:
            if ch == "nullable":
                up["nullable"] = str(not c.nullable)
                down["nullable"] = str(c.nullable)
                c.nullable = not c.nullable
            elif ch == "type" and c.t.widen and not (indexed and d != "postgresql") \
                    and not (indexed and "Text" in c.t.widen[0]) and not (
                        # PostgreSQL: a generated column's source keeps its type
                        self.ext and any(x[1] is None and x[2] == c.name for x in t.checks)):
                new = rng.choice(c.t.widen)
                if d == "mysql" and indexed and "Text" in new:
                    continue
                up["type_"] = new
                down["type_"] = c.t.src
                nt = TypeSpec(new, c.t.kind if "Text" not in new else "text",
                              indexable=c.t.indexable, text_like="Text" in new,
                              defaults=c.t.defaults)
                if d == "mysql" and "Text" in new:
                    nt.defaults = []
                    if c.default is not None:
                        continue
                c.t = nt
            elif ch == "default" and c.t.defaults:
                if c.default is None:
                    new = rng.choice(c.t.defaults)
                else:
                    new = rng.choice([None, rng.choice(c.t.defaults)])
                if new == c.default:
                    continue
                up["server_default"] = str(new)
                down["server_default"] = str(c.default)
                c.default = new
            elif ch == "rename" and not pinned and not any(x[2] == c.name for x in t.checks):
                new = self.col_name(t)
                up["new_column_name"] = repr(new)
                down["new_column_name"] = repr(c.name)
                t.rename_col = None
                for ix in t.indexes:
                    ix["cols"] = [new if x == c.name else x for x in ix["cols"]]
                t.uniques = [(n, [new if x == c.name else x for x in cols])
                             for n, cols in t.uniques]
                c.name = new
            elif ch == "comment" and d != "sqlite":
                new = rng.choice(["new comment", None, "it's new"])
                if new == c.comment:
                    continue
                up["comment"] = repr(new)
                down["comment"] = repr(c.comment)
                c.comment = new
        if not up:
            return None
        mysql = d == "mysql"

        def existing(kw, state):
            out = []
            if "type_" not in kw and (mysql or rng.random() < 0.5):
                out.append("existing_type=%s" % state["type"].src)
            if "nullable" not in kw and (mysql or rng.random() < 0.5):
                out.append("existing_nullable=%s" % state["nullable"])
            if "server_default" not in kw and state["default"] is not None and (
                    mysql or rng.random() < 0.5):
                out.append("existing_server_default=%s" % state["default"])
            if "comment" not in kw and state["comment"] is not None and (mysql or rng.random() < .5):
                out.append("existing_comment=%r" % state["comment"])
            if "comment" in kw and state["comment"] is not None:
                out.append("existing_comment=%r" % state["comment"])
            return out

        new_state = {"type": c.t, "nullable": c.nullable, "default": c.default,
                     "comment": c.comment, "name": c.name}
        up_args = ["%s=%s" % kv for kv in up.items()] + existing(up, old)
        down_args = ["%s=%s" % kv for kv in down.items()] + existing(down, new_state)
        if "type_" in up and d == "postgresql" and rng.random() < 0.2 and any(
                x in up["type_"] for x in ("BigInteger", "String", "Text")):
            up_args.append("postgresql_using=%r" % ("%s::%s" % (
                sql_quote(old["name"], d), "bigint" if "BigInteger" in up["type_"] else "text")))
        if batch:
            return (["%s.alter_column(%r, %s)" % (batch, old["name"], ", ".join(up_args))],
                    ["%s.alter_column(%r, %s)" % (batch, c.name, ", ".join(down_args))])
        s = self.schema_kw(t)
        return (["op.alter_column(%r, %r, %s%s)" % (t.name, old["name"], ", ".join(up_args), s)],
                ["op.alter_column(%r, %r, %s%s)" % (t.name, c.name, ", ".join(down_args), s)])

    def d_table_comment(self):
        if self.dialect == "sqlite":
            return None
        cands = self.table_candidates()
        if not cands:
            return None
        t = self.rng.choice(cands)
        s = self.schema_kw(t)
        old = t.comment
        new = self.rng.choice(["tables' comment", "plain", None])
        if new == old:
            return None
        ex = ", existing_comment=%r" % old if old is not None else ""
        exn = ", existing_comment=%r" % new if new is not None else ""
        up = ("op.create_table_comment(%r, %r%s%s)" % (t.name, new, ex, s) if new is not None
              else "op.drop_table_comment(%r%s%s)" % (t.name, ex, s))
        down = ("op.create_table_comment(%r, %r%s%s)" % (t.name, old, exn, s) if old is not None
                else "op.drop_table_comment(%r%s%s)" % (t.name, exn, s))
        t.comment = new
        return [up], [down]

    def d_execute(self):
        cands = self.table_candidates()
        if not cands:
            return None
        t = self.rng.choice(cands)
        q = sql_quote(t.name, self.dialect)
        if t.schema:
            q = sql_quote(t.schema, self.dialect) + "." + q
        col = sql_quote(t.cols[-1].name, self.dialect)
        if self.ext:
            # not a generated column (cannot UPDATE generated column)
            col = sql_quote([c for c in t.cols if c.t.kind != "calc"][-1].name, self.dialect)
        r = self.rng.random()
        if r < 0.4:
            sql = "DELETE FROM %s WHERE 1 = 0" % q
        elif r < 0.8:
            sql = "UPDATE %s SET %s = %s WHERE 1 = 0" % (q, col, col)
        else:
            sql = "SELECT count(*) FROM %s" % q
        wrap = "op.execute(sa.text(%r))" if self.rng.random() < 0.3 else "op.execute(%r)"
        if self.ext and self.rng.random() < 0.3:
            wrap = wrap[:-1] + ", execution_options=%s)" % self.rng.choice([
                "{'no_parameters': True}", "{'stream_results': False}",
                "dict(compiled_cache=None)"])
        return [wrap % sql], [wrap % sql]

    def value(self, c, i):
        """A Python literal for column `c` in row `i`, None where the kind has none."""
        k, rng = c.t.kind, self.rng
        if k in ("pk", "fk"):
            k = "str" if "String" in c.t.src else "int"
        if k in ("int", "bigint", "uint", "year"):
            if k == "year":
                return str(2000 + i)
            v = i + rng.randint(1, 50) * 3
            if self.ext and "TINYINT" in c.t.src:
                v %= 100  # (older seeds could overflow a TINYINT: 1264 Out of range)
            return str(v)
        if k in ("str", "text"):
            return repr(rng.choice(["it's %d", "v%d", "x y %d", "naïve %d"]) % i)
        if k == "bool":
            return str(i % 2 == 0)
        if k == "datetime":
            return "datetime.datetime(2021, 3, %d, 5, 6, 7)" % (i + 1)
        if k == "date":
            return "datetime.date(2020, 1, %d)" % (i + 1)
        if k == "time":
            return "datetime.time(1, 2, %d)" % i
        if k == "numeric":
            return "decimal.Decimal('%d.25')" % i
        if k == "float":
            return "%d.5" % i
        if k in ("json", "jsonb"):
            return "{'k': %d, 'l': [1, 'two']}" % i
        if k == "uuid":
            return "uuid.UUID('12345678-1234-5678-1234-56781234567%d')" % i
        if k == "enum":
            return repr("ab"[i % 2])
        if k == "array":
            return "[1, %d]" % i
        if k == "inet":
            return "'10.0.0.%d'" % (i + 1)
        return None

    def d_bulk_insert(self):
        """op.bulk_insert of 1-2 rows, deleted again in the same revision."""
        rng = self.rng
        # (PostgreSQL: deleting rows under a DEFERRABLE foreign key leaves trigger
        # events pending, and the next ALTER of the table fails)
        cands = self.table_candidates(lambda t: not self.referenced(t) and not any(
            fk.get("deferrable") for fk in t.fks))
        if not cands:
            return None
        t = rng.choice(cands)
        rows = [{}, {}][:rng.randint(1, 2)]
        cols = []
        for c in t.cols:
            if c.t.kind == "calc" or "always=True" in "".join(c.extra):
                continue
            vals = [self.value(c, i) for i in range(len(rows))]
            if vals[0] is None or (c.nullable and c.name not in t.pk and rng.random() < 0.3):
                if not c.nullable and c.default is None:
                    return None
                continue
            if c.t.kind == "fk":
                continue
            cols.append(c)
            for r, v in zip(rows, vals):
                r[c.name] = v
        if not cols:
            return None
        tbl = "sa.table(%r, %s%s)" % (t.name, ", ".join(
            "sa.column(%r, %s)" % (c.name, c.t.src) for c in cols), self.schema_kw(t))
        body = ", ".join("{%s}" % ", ".join("%r: %s" % (k, v) for k, v in r.items())
                         for r in rows)
        mi = ", multiinsert=False" if rng.random() < 0.3 else ""
        q = sql_quote(t.name, self.dialect)
        if t.schema:
            q = sql_quote(t.schema, self.dialect) + "." + q
        return (["op.bulk_insert(%s, [%s]%s)" % (tbl, body, mi), "op.execute(%r)" % (
            "DELETE FROM %s" % q)], [])

    def d_update(self):
        """A data migration the way offline-capable ones are written: a Core
        UPDATE of literal values (op.inline_literal)."""
        rng = self.rng
        kinds = ("int", "str", "text", "bool", "date", "datetime", "numeric", "float")
        cands = self.table_candidates(lambda t: sum(c.t.kind in kinds for c in t.cols) >= 2)
        if not cands:
            return None
        t = rng.choice(cands)
        a, b = rng.sample([c for c in t.cols if c.t.kind in kinds], 2)
        tbl = "sa.table(%r, sa.column(%r, %s), sa.column(%r, %s)%s)" % (
            t.name, a.name, a.t.src, b.name, b.t.src, self.schema_kw(t))
        lines = ["fz_t = %s" % tbl]
        where = "fz_t.c[%r] == op.inline_literal(%s)" % (a.name, self.value(a, 1))
        if rng.random() < 0.3:
            where = "sa.and_(%s, fz_t.c[%r].is_(None))" % (where, b.name)
        lines.append("op.execute(fz_t.update().where(%s).values({%r: op.inline_literal(%s)}))" % (
            where, b.name, self.value(b, 2)))
        if rng.random() < 0.3:
            lines.append("op.execute(fz_t.delete().where(fz_t.c[%r] != op.inline_literal(%s)))" % (
                a.name, self.value(a, 3)))
        return lines, list(lines)

    def d_batch(self):
        rng, d = self.rng, self.dialect
        # Alembic's table copy INSERTs into computed columns: not for those
        calc = lambda t: any(c.t.kind == "calc" for c in t.cols)  # noqa: E731
        cands = self.table_candidates(lambda t: t.schema is None and not (
            self.sqlite_copy and calc(t)))
        if not cands:
            return None
        t = rng.choice(cands)
        fns = [self.d_add_column, self.d_create_index, self.d_drop_index]
        if d != "sqlite" or self.sqlite_copy:
            fns += [self.d_drop_column, self.d_alter_column, self.d_create_unique,
                    self.d_create_check, self.d_create_fk]
            if self.extra:
                fns.append(self.d_primary_key)
        up, down = [], []
        before = self.copy_from_table(t) if self.copy_from else None
        names_before = [c.name for c in t.cols]
        # one directive per kind of object: a block does not drop what it creates
        picked = rng.sample(fns, min(len(fns), rng.randint(1, 3)))
        if self.d_create_index in picked and self.d_drop_index in picked:
            picked.remove(self.d_drop_index)
        if self.d_add_column in picked and self.d_drop_column in picked:
            picked.remove(self.d_drop_column)
        for fn in picked:
            r = fn(t, "batch_op")
            if r:
                up += r[0]
                down = r[1] + down
        if not up:
            return None
        recreate = ""
        # recreate='always' copies the table on every dialect; offline it needs
        # reflection (so only every other seed, as SQLite's copies)
        if self.seed % 2 == 0 and rng.random() < 0.4 and not self.referenced(t) and not calc(t) and (
                d != "postgresql" or not (t.enums or t.pk_name or t.excludes or any(
                    n for n, _ in t.uniques))) and (
                d != "mysql" or not any(fk["name"] for fk in t.fks)) and (
                # MySQL reflects a unique constraint as a unique index: a copy
                # cannot drop it by constraint (only session 14's seeds check)
                d != "mysql" or not self.extra or not any(n for n, _ in t.uniques)):
            recreate = ", recreate='always'"
        copies = bool(recreate) or self.sqlite_copy
        kw_up = kw_down = recreate
        if self.extra and copies:
            # (Alembic refuses insert_before/insert_after unless recreate='always';
            # a reordering together with them could ask for a cycle)
            if recreate and rng.random() < 0.5:
                up, down = self.batch_placement(t, up), self.batch_placement(t, down)
            elif rng.random() < 0.3:
                kw_up += self.batch_reorder([c.name for c in t.cols if c.name in names_before])
            if d == "sqlite" and rng.random() < 0.4:
                kw_up += ", naming_convention=%r" % NAMING_CONVENTION
        if self.ext and copies and d == "sqlite" and rng.random() < 0.3 and t.pk == ["id"] \
                and t.col("id").t.src == "sa.Integer()":
            kw_up += ", table_kwargs={'sqlite_autoincrement': True}"
        if before is None:
            head = "with op.batch_alter_table(%r, schema=None%s) as batch_op:" % (t.name, kw_up)
            head_down = "with op.batch_alter_table(%r, schema=None%s) as batch_op:" % (
                t.name, kw_down)
            return [head] + ["    " + x for x in up], [head_down] + ["    " + x for x in down]
        after = self.copy_from_table(t)
        return (self.batch_head(t, kw_up, before) + ["    " + x for x in up],
                self.batch_head(t, kw_down, after) + ["    " + x for x in down])

    def batch_head(self, t, kw, table_lines):
        """`with op.batch_alter_table(..., copy_from=sa.Table(...)) as batch_op:`"""
        lines = ["with op.batch_alter_table(%r, schema=None%s," % (t.name, kw)]
        lines += ["        " + x for x in table_lines]
        lines[-1] += ") as batch_op:"
        return lines

    def batch_placement(self, t, lines):
        """insert_before= / insert_after= on some of a copying block's add_column."""
        out = []
        for x in lines:
            m = re.match(r"batch_op\.add_column\(sa\.Column\('([^']*)'", x)
            others = [c.name for c in t.cols if m and c.name != m.group(1)]
            if m and others and self.rng.random() < 0.5:
                kw = self.rng.choice(["insert_before", "insert_after"])
                x = x[:-1] + ", %s=%r)" % (kw, self.rng.choice(others))
            out.append(x)
        return out

    def d_primary_key(self, t=None, batch=None):
        """create_primary_key on a table made without one (its rows are always
        deleted in the revision that inserts them, so the key cannot clash)."""
        rng, d = self.rng, self.dialect
        if d == "sqlite" and not (batch and self.sqlite_copy):
            return None
        ok = lambda t, c: (not c.nullable and c.t.indexable and not c.t.text_like  # noqa: E731
                           and c.t.kind in ("int", "bigint", "str") and not c.t.enum_name)
        pred = lambda t: not t.pk and any(ok(t, c) for c in t.cols)  # noqa: E731
        cands = self.table_candidates(pred) if t is None else ([t] if pred(t) else [])
        if not cands:
            return None
        t = rng.choice(cands)
        c = rng.choice([c for c in t.cols if ok(t, c)])
        name = self.obj_name("pk")
        t.pk, t.pk_name = [c.name], name
        if batch:
            b = name[1].replace("op.f", batch + ".f")
            return (["%s.create_primary_key(%s, [%r])" % (batch, b, c.name)],
                    ["%s.drop_constraint(%s, type_='primary')" % (batch, b)])
        s = self.schema_kw(t)
        return (["op.create_primary_key(%s, %r, [%r]%s)" % (name[1], t.name, c.name, s)],
                ["op.drop_constraint(%s, %r, type_='primary'%s)" % (name[1], t.name, s)])

    def d_exclude(self):
        """PostgreSQL create_exclude_constraint (btree, `=`: a unique key by another
        name), sometimes with a WHERE."""
        rng = self.rng
        if self.dialect != "postgresql":
            return None
        ok = lambda c: c.t.kind in ("int", "bigint", "str") and not c.t.text_like  # noqa: E731
        cands = self.table_candidates(lambda t: any(ok(c) for c in t.cols))
        if not cands:
            return None
        t = rng.choice(cands)
        c = rng.choice([c for c in t.cols if ok(c)])
        name, _ = self.obj_name("ex")
        t.excludes.append((name, c.name))
        kw = self.schema_kw(t)
        if rng.random() < 0.4:
            kw += ", where=%r" % ("%s IS NOT NULL" % sql_quote(c.name, "postgresql"))
        if rng.random() < 0.3:
            kw += ", deferrable=True, initially='DEFERRED'"
        up = "op.create_exclude_constraint(%r, %r, (%r, '='), using='btree'%s)" % (
            name, t.name, c.name, kw)
        down = "op.drop_constraint(%r, %r%s)" % (name, t.name, self.schema_kw(t))
        return [up], [down]

    def d_identity(self):
        """PostgreSQL alter_column to, between and from sa.Identity(...) (what
        autogenerate writes for a changed Identity): ADD / SET / DROP IDENTITY."""
        rng = self.rng
        if self.dialect != "postgresql":
            return None
        fkcols = {(o.name, o.schema, x) for o in self.tables.values() for fk in o.fks
                  for x in fk["cols"]}
        fkcols |= {(fk["ref"], fk["ref_schema"], x) for o in self.tables.values()
                   for fk in o.fks for x in fk["refcols"]}
        ok = lambda t, c: (c.t.src in ("sa.Integer()", "sa.BigInteger()")  # noqa: E731
                           and not c.nullable and c.default is None
                           and (t.name, t.schema, c.name) not in fkcols
                           and not any("Computed" in x for x in c.extra))
        cands = [(t, c) for t in self.tables.values() for c in t.cols if ok(t, c)]
        if not cands:
            return None
        t, c = rng.choice(cands)
        old = next((x for x in c.extra if x.startswith("sa.Identity(")), None)
        new = rng.choice(["sa.Identity()", "sa.Identity(start=50, increment=2)",
                          "sa.Identity(always=True, start=7)", "sa.Identity(cycle=True)",
                          None if old else "sa.Identity(start=3)"])
        if new == old:
            return None
        s = self.schema_kw(t)

        def line(to, frm):
            kw = "server_default=%s" % to
            if frm is not None:
                kw += ", existing_server_default=%s" % frm
            return "op.alter_column(%r, %r, existing_type=%s, %s%s)" % (
                t.name, c.name, c.t.src, kw, s)
        c.extra = [x for x in c.extra if not x.startswith("sa.Identity(")] + (
            [new] if new else [])
        return [line(new, old)], [line(old, new)]

    def d_autocommit(self):
        """A CREATE INDEX outside the migration's transaction (on PostgreSQL
        CONCURRENTLY), the way such revisions are written."""
        r = self.d_create_index()
        if not r:
            return None
        up, down = r
        if self.dialect == "postgresql" and self.rng.random() < 0.7:
            up = [up[0][:-1] + ", postgresql_concurrently=True)"]
            down = [down[0][:-1] + ", postgresql_concurrently=True)"]
        head = "with op.get_context().autocommit_block():"
        return [head, "    " + up[0]], [head, "    " + down[0]]

    # -- Core DML (seeds from DML_FROM) ----------------------------------------
    DML_KINDS = {
        # kind: (type source, values as Python source)
        "int": ("sa.Integer()", ["0", "-7", "42", "2147483", "-1000"]),
        "str": ("sa.String(length=40)", [
            repr("it's"), repr("50% off"), repr("a%%b"), repr("back\\slash"),
            repr("naïve"), repr(""), repr(":name ?"), repr("tab\there"),
            repr('say "hi"'), repr("%(x)s"), repr("{}")]),
        "text": ("sa.Text()", [repr("line\nbreak"), repr("€ and ✓"), repr("%s %d")]),
        "bool": ("sa.Boolean()", ["True", "False"]),
        "numeric": ("sa.Numeric(precision=10, scale=2)", [
            "decimal.Decimal('12.34')", "decimal.Decimal('-0.50')", "3",
            "decimal.Decimal('9999.99')"]),
        "float": ("sa.Float()", ["1.5", "-0.25", "1e10", "0.0"]),
        "date": ("sa.Date()", ["datetime.date(2020, 2, 29)", "datetime.date(1999, 12, 31)"]),
        "datetime": ("sa.DateTime()", [
            "datetime.datetime(2021, 1, 2, 3, 4, 5)", "datetime.datetime(2000, 1, 1, 0, 0)"]),
        "time": ("sa.Time()", ["datetime.time(1, 2, 3)", "datetime.time(23, 59, 59)"]),
    }

    def dml_value(self, kind, col=None, untyped=False):
        """A value for a column of `kind` as Python source: a plain value, an
        op.inline_literal(), None, or (with `col`) an expression over it."""
        rng = self.rng
        v = rng.choice(self.DML_KINDS[kind][1])
        r = rng.random()
        if untyped or r < 0.35:
            if rng.random() < 0.25 and kind in ("int", "str", "numeric"):
                return "op.inline_literal(%s, %s)" % (v, self.DML_KINDS[kind][0])
            return "op.inline_literal(%s)" % v
        if r < 0.45:
            return "None"
        if r < 0.5:
            return "sa.null()"
        if col is not None and r < 0.8:
            if kind == "int":
                return rng.choice(["%s + %s" % (col, v), "%s * 2" % col, "-%s" % col,
                                  "sa.func.coalesce(%s, %s)" % (col, v),
                                  "sa.func.abs(%s)" % col])
            if kind in ("str", "text"):
                return rng.choice(["%s + %s" % (col, v), "sa.func.upper(%s)" % col,
                                  "sa.func.coalesce(%s, %s)" % (col, v),
                                  "sa.func.lower(%s)" % col,
                                  "sa.func.concat(%s, %s)" % (col, v) if self.dialect != "sqlite"
                                  else "sa.literal(%s) + %s" % (v, col)])
            if kind == "numeric":
                return rng.choice(["%s * 2" % col, "%s + %s" % (col, v),
                                   "sa.func.coalesce(%s, %s)" % (col, v)])
            if kind == "float":
                return rng.choice(["%s / 2" % col, "%s - %s" % (col, v)])
            if kind == "bool":
                return rng.choice(["sa.not_(%s)" % col, "sa.true()", "sa.false()"])
            if kind in ("date", "datetime", "time"):
                return "sa.func.coalesce(%s, %s)" % (col, v)
        if r < 0.85:
            return "sa.cast(op.inline_literal(%s), %s)" % (v, self.DML_KINDS[kind][0]) \
                if kind in ("int", "str", "numeric") else v
        return v

    def dml_where(self, fz, cols, ids):
        """A filter on the data table: Python source."""
        rng = self.rng
        idc = "%s.c.id" % fz
        a, b = rng.sample(ids, 2) if len(ids) > 1 else (ids[0], ids[0])
        choices = [
            lambda: "%s == %d" % (idc, a),
            lambda: "%s.in_([%d, %d])" % (idc, a, b),
            lambda: "%s.in_([op.inline_literal(%d), op.inline_literal(%d)])" % (idc, a, b),
            lambda: "%s.not_in([%d])" % (idc, a),
            lambda: "%s.in_([])" % idc,
            lambda: "%s.not_in([])" % idc,
            lambda: "%s.between(%d, %d)" % (idc, min(a, b), max(a, b)),
            lambda: "sa.or_(%s == %d, %s > op.inline_literal(%d))" % (idc, a, idc, b),
            lambda: "~(%s != %d)" % (idc, a),
            lambda: "%s >= %d" % (idc, max(ids)),
        ]
        strs = [c for c, k in cols if k in ("str", "text")]
        if strs:
            sc = "%s.c[%r]" % (fz, rng.choice(strs))
            pat = rng.choice(["'it%'", "'50%% off'", "'%a%'", "'n_ve'", "'x\\\\%'"])
            choices += [
                lambda: "%s.like(%s)" % (sc, pat),
                lambda: "sa.or_(%s.like(%s), %s == %d)" % (sc, pat, idc, a),
                lambda: "%s.startswith(%r)" % (sc, rng.choice(["it", "50%", "a_b", "'"])),
                lambda: "%s.contains(%r, autoescape=True)" % (sc, rng.choice(["%", "_", "e"])),
                lambda: "%s.is_(None)" % sc,
                lambda: "%s.is_not(None)" % sc,
            ]
        nulls = [c for c, k in cols]
        if nulls:
            nc = "%s.c[%r]" % (fz, rng.choice(nulls))
            choices.append(lambda: "sa.and_(%s.is_(None), %s < %d)" % (nc, idc, a))
        return rng.choice(choices)()

    def dml_raw(self, name, schema, cols, ids):
        """op.execute() of a hand-written UPDATE as a string (or sa.text()), in
        the spellings real revisions have: triple-quoted and indented, tabs,
        CRLF, a trailing semicolon or comment, quotes, backslashes, non-ASCII,
        `%`, escaped colons, PostgreSQL `::` casts."""
        rng, d = self.rng, self.dialect
        q = sql_quote(name, d)
        if schema:
            q = sql_quote(schema, d) + "." + q
        strs = [n for n, k in cols if k in ("str", "text")]
        if strs:
            c = sql_quote(rng.choice(strs), d)
            lit = rng.choice(["'it''s'", "'naïve ✓'", "'50% off'", "'a%%b'", "'10\\:30'",
                              "'tab\there'", "''", "'%(x)s'", "'{x}'", "'semi;colon'",
                              "'--not a comment'", "'back\\\\slash'" if d != "mysql" else "'x'"])
            if d == "postgresql" and rng.random() < 0.3:
                lit += "::text"
            sets = "%s = %s" % (c, lit)
        else:
            c = None
            sets = "id = id"
        where = rng.choice(["id = %d" % rng.choice(ids), "id IN (%s)" % ", ".join(
            str(i) for i in ids[:2]), "1 = 0", "id > 0 AND id < 3"])
        sql = "UPDATE %s SET %s WHERE %s" % (q, sets, where)
        r = rng.random()
        if r < 0.2:
            sql = "\n        %s\n    " % sql.replace(" SET ", "\n        SET ").replace(
                " WHERE ", "\n        WHERE ")
        elif r < 0.3:
            sql = sql.replace(" SET ", "\tSET\t").replace(" WHERE ", "\r\nWHERE ")
        elif r < 0.4:
            sql += ";"
        elif r < 0.5:
            sql += " -- trailing comment"
        elif r < 0.55:
            sql = "  /* lead */ " + sql + "  "
        if rng.random() < 0.3:
            return "op.execute(sa.text(%r))" % sql
        return "op.execute(%r)" % sql

    def d_dml(self):
        """A data migration over a table of its own, written with Core
        constructs through op.execute; the rows stay until the downgrade."""
        rng, d = self.rng, self.dialect
        schema = SCHEMA if d == "postgresql" and rng.random() < 0.25 else None
        name = self.fresh("table")
        kinds = list(self.DML_KINDS)
        cols = []
        taken = {"id"}
        for _ in range(rng.randint(2, 4)):
            k = rng.choice(kinds)
            for _ in range(20):
                n = self.col_name(None)
                if n not in taken:
                    break
            taken.add(n)
            cols.append((n, k))
        s = ", schema=%r" % schema if schema else ""
        up = ["op.create_table(%r," % name,
              "    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),"]
        for n, k in cols:
            up.append("    sa.Column(%r, %s, nullable=True)," % (n, self.DML_KINDS[k][0]))
        up.append("    sa.PrimaryKeyConstraint('id')%s)" % s)
        self.counter += 1
        fz = "fz_d%d" % self.counter
        untyped = {n for n, k in cols if k in ("int", "str") and rng.random() < 0.2}
        up.append("%s = sa.table(%r, sa.column('id', sa.Integer())%s%s)" % (
            fz, name, "".join(", sa.column(%r)" % n if n in untyped else
                              ", sa.column(%r, %s)" % (n, self.DML_KINDS[k][0])
                              for n, k in cols), s))
        # inserts: ids 1..N (multi-row values, single rows, keywords)
        ids = list(range(1, rng.randint(2, 5) + 1))
        rows = []
        for i in ids:
            row = {"id": str(i) if rng.random() < 0.7 else "op.inline_literal(%d)" % i}
            for n, k in cols:
                if rng.random() < 0.85:
                    row[n] = self.dml_value(k, untyped=n in untyped)
            rows.append(row)
        r = rng.random()
        fmt = lambda row: "{%s}" % ", ".join("%r: %s" % kv for kv in row.items())  # noqa: E731
        if r < 0.4:
            # one multi-row VALUES needs the same keys in every row
            keys = list(rows[0])
            for row in rows[1:]:
                for key in keys:
                    row.setdefault(key, "None")
            rows = [{k2: row[k2] for k2 in keys} for row in rows]
            up.append("op.execute(%s.insert().values([%s]))" % (fz, ", ".join(map(fmt, rows))))
        else:
            for row in rows:
                if rng.random() < 0.5 and all(
                        k2.isidentifier() and not keyword.iskeyword(k2) for k2 in row):
                    up.append("op.execute(sa.insert(%s).values(%s))" % (fz, ", ".join(
                        "%s=%s" % kv for kv in row.items())))
                else:
                    up.append("op.execute(%s.insert().values(%s))" % (fz, fmt(row)))
        # then 1-4 changes
        for _ in range(rng.randint(1, 4)):
            r = rng.random()
            if r < 0.4:
                n, k = rng.choice(cols)
                c = "%s.c[%r]" % (fz, n)
                val = self.dml_value(k, col=None if n in untyped else c, untyped=n in untyped)
                if rng.random() < 0.2 and n not in untyped:
                    val = "sa.case((%s, %s), else_=%s)" % (
                        self.dml_where(fz, cols, ids), self.dml_value(k, untyped=n in untyped), c)
                stmt = rng.choice(["%s.update()", "sa.update(%s)"]) % fz
                where = "" if rng.random() < 0.15 else ".where(%s)" % self.dml_where(fz, cols, ids)
                up.append("op.execute(%s%s.values({%r: %s}))" % (stmt, where, n, val))
            elif r < 0.6:
                stmt = rng.choice(["%s.delete()", "sa.delete(%s)"]) % fz
                up.append("op.execute(%s.where(%s))" % (stmt, self.dml_where(fz, cols, ids)))
            elif r < 0.75:
                # copies of the rows under new ids (INSERT ... SELECT from itself)
                n, k = rng.choice(cols)
                off = 100 * (1 + sum("from_select" in x for x in up))
                up.append("op.execute(%s.insert().from_select(['id', %r], sa.select(%s.c.id + %d, "
                          "%s.c[%r]).where(%s)))" % (fz, n, fz, off, fz, n,
                                                      self.dml_where(fz, cols, ids)))
            elif r < 0.9 and self.seed >= DML_RAW_FROM:
                up.append(self.dml_raw(name, schema, cols, ids))
            else:
                # hand-written SQL with bound parameters
                q = sql_quote(name, d)
                if schema:
                    q = sql_quote(schema, d) + "." + q
                n, k = rng.choice(cols)
                v = rng.choice(self.DML_KINDS[k][1])
                typ = "" if rng.random() < 0.5 else ", type_=%s" % self.DML_KINDS[k][0]
                bp = ("sa.bindparam('v', %s%s), sa.bindparam('i', %d)" % (v, typ, rng.choice(ids))
                      if typ else "v=%s, i=%d" % (v, rng.choice(ids)))
                up.append("op.execute(sa.text(%r).bindparams(%s))" % (
                    "UPDATE %s SET %s = :v WHERE id = :i" % (q, sql_quote(n, d)), bp))
        return up, ["op.drop_table(%r%s)" % (name, s)]

    def copy_from_table(self, t):
        """`sa.Table(...)` source lines of `t` as modelled, indexes included (the
        copy recreates only the indexes it is given)."""
        lines = self.create_table_lines(t)
        lines[0] = "copy_from=sa.Table(%r, sa.MetaData()," % t.name
        for ix in t.indexes:
            kw = ", unique=True" if ix["unique"] else ""
            lines[-1] = lines[-1][:-1] + ","
            lines.append("    sa.Index(%r, %s%s))" % (
                ix["name"][0], ", ".join(map(repr, ix["cols"])), kw))
        return lines

    def batch_reorder(self, names):
        """partial_reordering of two columns the block leaves alone (a copy only)."""
        if len(names) < 3:
            return ""
        a, b = self.rng.sample(names, 2)
        return ", partial_reordering=[(%r, %r)]" % (a, b)

    def failing(self, up):
        """`up` with a directive that fails online inserted at a top-level
        position (every third seed's revision FAIL_AT): the error, the
        traceback's last line and what the failure leaves behind are compared."""
        rng = self.rng
        t = rng.choice(list(self.tables.values())) if self.tables else None
        s = self.schema_kw(t) if t else ""
        choices = ["op.execute('SELECT * FROM fz_no_such_table')"]
        if t:
            choices += [
                "op.create_table(%r, sa.Column('id', sa.Integer())%s)" % (t.name, s),
                "op.drop_index('ix_fz_missing', table_name=%r%s)" % (t.name, s),
                "op.add_column(%r, sa.Column(%r, sa.Integer())%s)" % (t.name, t.cols[0].name, s),
                "op.drop_column(%r, 'fz_missing'%s)" % (t.name, s),
            ]
        spots = [k for k, line in enumerate(up) if not line.startswith(" ")] + [len(up)]
        k = rng.choice(spots)
        return up[:k] + [rng.choice(choices)] + up[k:]

    # -- MariaDB column options (seeds from MYSQL_FROM, mysql only) ------------
    def d_mysql(self):
        """A table of MariaDB-specific columns (charsets, collations, unsigned,
        zerofill, TIMESTAMP/DATETIME(fsp) with CURRENT_TIMESTAMP and ON UPDATE
        defaults, ENUM/SET/BIT/YEAR, AUTO_INCREMENT) and table options, with
        rows, then alter_column on it as MySQLImpl restates a column: every
        `existing_*` keyword sometimes left out (so the MODIFY/CHANGE drops
        that property, as in Alembic), autoincrement/existing_autoincrement on
        the key, new_column_name (CHANGE), DateTime-affinity columns (always
        CHANGE), a default alone (ALTER COLUMN SET/DROP DEFAULT), Boolean
        with create_constraint (its CHECK dropped and added); add_column of
        such columns to the filled table."""
        rng = self.rng
        if not self.my_tables or (len(self.my_tables) < 3 and rng.random() < 0.3):
            return self.my_create()
        t = rng.choice(self.my_tables)
        r = rng.random()
        if self.mdb and rng.random() < 0.2:
            return self.my_index(t)
        if r < 0.15:
            return self.my_alter_id(t)
        if r < 0.3:
            return self.my_add(t)
        return self.my_alter(t)

    def my_spell(self, src, required=False):
        """A `mysql_X=...` keyword source as `mysql_X`, `mariadb_X` or both
        (seeds from MARIADB_FROM): SQLAlchemy's MySQL compiler reads only the
        keywords of the dialect's name, so a `required` one (an index length
        or prefix the DDL cannot do without) always has the online one."""
        if not self.mdb or not src.startswith("mysql_"):
            return [src]
        rest = src[len("mysql_"):]
        pick = self.rng.choice([self.online, "both"] if required
                               else ["mysql", "mariadb", "both"])
        if pick == "both":
            both = ["mysql_" + rest, "mariadb_" + rest]
            return both if self.rng.random() < 0.5 else both[::-1]
        return ["%s_%s" % (pick, rest)]

    def my_schema(self, t):
        """`, schema=S2` for a d_mysql table in the second database."""
        return ", schema=S2" if t.get("schema") else ""

    def my_index(self, t):
        """An index on a d_mysql table: a prefix length (an int, or a dict
        naming the string columns) on string columns (required on TEXT),
        USING BTREE/HASH, or FULLTEXT on string columns, each keyword
        spelled mysql_, mariadb_ or both; unique only on an empty table."""
        rng = self.rng
        cols = [c for c in t["cols"] if c["kind"] in (
            "int", "uint", "str", "text", "dec", "dt", "ts", "date", "enum", "year")]
        if not cols:
            return None
        chosen = rng.sample(cols, min(len(cols), rng.choice([1, 1, 2])))
        self.counter += 1
        name = "ix_my%d" % self.counter
        texty = [c for c in chosen if c["kind"] in ("str", "text")]
        kw = []
        if texty and len(texty) == len(chosen) and rng.random() < 0.3:
            kw.append("mysql_prefix='FULLTEXT'")
        else:
            # (a prefix must not be longer than a CHAR(2) column)
            lens = {c["name"]: 2 if "CHAR(length=2" in c["src"] else 8 for c in texty
                    if c["kind"] == "text" or rng.random() < 0.5}
            if lens:
                if len(lens) == len(chosen) and len(set(lens.values())) == 1 \
                        and rng.random() < 0.5:
                    kw.append("mysql_length=%d" % list(lens.values())[0])
                else:
                    kw.append("mysql_length=%r" % lens)
            if rng.random() < 0.4:
                kw.append("mysql_using=%r" % rng.choice(["btree", "hash"]))
        unique = not t["rows"] and not kw[:1] == ["mysql_prefix='FULLTEXT'"] \
            and rng.random() < 0.3
        kw = [y for k in kw for y in self.my_spell(
            k, required=k.startswith(("mysql_length", "mysql_prefix")))]
        s = self.my_schema(t)
        return (["op.create_index(%r, %r, %r, unique=%s%s%s)" % (
            name, t["name"], [c["name"] for c in chosen], unique, s,
            "".join(", " + k for k in kw))],
                ["op.drop_index(%r, table_name=%r%s)" % (name, t["name"], s)])

    def my_type(self, kinds=None):
        rng = self.rng
        if kinds is None and self.seed >= MYSQL_TS_FROM and rng.random() < 0.4:
            kinds = ("dt", "ts", "date", "bool1")
        while True:
            spec = rng.choice(MY_TYPES)
            kind = spec[1]
            if kind == "int" and spec[0].startswith("mysql.TINYINT"):
                kind = "bool1" if kinds and "bool1" in kinds else kind
            if kinds is None or kind in kinds:
                alts = list(spec[3])
                if spec[1] == "dt" and self.seed >= MYSQL_TS_FROM:
                    alts.append("mysql.TIMESTAMP(fsp=3)")
                return {"src": spec[0], "kind": spec[1], "defaults": list(spec[2]),
                        "alts": alts, "value": spec[4]}

    def my_col_src(self, c):
        parts = [repr(c["name"]), c["src"]]
        if c.get("default") is not None:
            parts.append("server_default=%s" % c["default"])
        if c.get("comment") is not None:
            parts.append("comment=%r" % c["comment"])
        parts.append("nullable=%s" % c["nullable"])
        return "sa.Column(%s)" % ", ".join(parts)

    def my_create(self):
        rng = self.rng
        self.counter += 1
        name = "%s_my%d" % (rng.choice(["mtab", "Mixed", "order", "acct"]), self.counter)
        idt = rng.choice(MY_ID_TYPES)
        t = {"name": name, "id": {"name": "id", "src": idt[0], "alts": list(idt[1]),
                                  "autoinc": True, "comment": None},
             "cols": [], "rows": rng.random() < 0.7}
        if self.mdb and rng.random() < 0.3:
            t["schema"] = True
        taken = {"id"}
        for _ in range(rng.randint(2, 6)):
            c = self.my_type()
            nm = self.col_name(None)
            while nm in taken:
                nm = self.col_name(None) + "_%d" % rng.randint(1, 9)
            taken.add(nm)
            c["name"] = nm
            c["nullable"] = rng.random() < 0.6
            c["default"] = rng.choice(c["defaults"]) if c["defaults"] and rng.random() < 0.5 \
                else None
            c["comment"] = rng.choice(MY_COMMENTS) if rng.random() < 0.25 else None
            c["has_nulls"] = False
            t["cols"].append(c)
        idparts = [repr("id"), idt[0]]
        if rng.random() < 0.5:
            idparts.append("autoincrement=True")
        idparts.append("nullable=False")
        lines = ["op.create_table(%r," % name, "    sa.Column(%s)," % ", ".join(idparts)]
        lines += ["    %s," % self.my_col_src(c) for c in t["cols"]]
        pk_kw = "".join(", " + k for k in self.my_spell("mysql_using='btree'")) \
            if self.mdb and rng.random() < 0.2 else ""
        lines.append("    sa.PrimaryKeyConstraint('id'%s)," % pk_kw)
        charset, collate = rng.choice([("utf8mb4", "utf8mb4_unicode_ci"), ("utf8mb4", None),
                                       ("latin1", "latin1_swedish_ci"), (None, None),
                                       ("utf8mb4", "utf8mb4_bin")])
        kw = []
        if rng.random() < 0.7:
            kw.append("mysql_engine='InnoDB'")
        if charset:
            kw.append("%s=%r" % (rng.choice(["mysql_charset", "mysql_default_charset"]),
                                 charset))
        if collate:
            kw.append("mysql_collate=%r" % collate)
        if rng.random() < 0.3:
            kw.append("mysql_auto_increment='1000'")
        if rng.random() < 0.3:
            kw.append("mysql_row_format=%r" % rng.choice(["DYNAMIC", "COMPACT"]))
        if rng.random() < 0.2:
            kw.append("comment=%r" % rng.choice(MY_COMMENTS))
        if self.mdb:
            kw = [y for k in kw for y in self.my_spell(k)]
            if t.get("schema"):
                kw.insert(rng.randint(0, len(kw)), "schema=S2")
        lines += ["    %s," % k for k in kw]
        lines[-1] = lines[-1][:-1] + ")"
        up = lines
        if t["rows"]:
            cols = ["id"] + [c["name"] for c in t["cols"]]
            vals = []
            for i in range(1, rng.randint(2, 4)):
                vals.append("(%d, %s)" % (i, ", ".join(c["value"] for c in t["cols"])))
            sql = "%s (%s) VALUES %s" % (
                sql_quote(name, "mysql"), ", ".join(sql_quote(x, "mysql") for x in cols),
                ", ".join(vals))
            if t.get("schema"):
                up.append("op.execute('INSERT INTO `' + S2 + %r)" % ("`." + sql))
            else:
                up.append("op.execute(%r)" % ("INSERT INTO " + sql))
        self.my_tables.append(t)
        return up, ["op.drop_table(%r%s)" % (name, self.my_schema(t))]

    def my_existing(self, st, given, complete):
        """existing_* keywords for the state `st`, leaving each out now and
        then unless `complete`; returns (sources, the state MySQL is left
        with when the column is restated)."""
        rng = self.rng
        keep = lambda: complete or rng.random() < 0.8  # noqa: E731
        out, left = [], {}
        if "type_" not in given and (complete or rng.random() < 0.98):
            out.append("existing_type=%s" % st["src"])
        if "nullable" not in given:
            if keep():
                out.append("existing_nullable=%s" % st["nullable"])
                left["nullable"] = st["nullable"]
            else:
                left["nullable"] = True
        if "server_default" not in given:
            if st["default"] is not None and keep():
                out.append("existing_server_default=%s" % st["default"])
                left["default"] = st["default"]
            else:
                left["default"] = None
        if "comment" not in given:
            if st["comment"] is not None and keep():
                out.append("existing_comment=%r" % st["comment"])
                left["comment"] = st["comment"]
            else:
                left["comment"] = None
        elif st["comment"] is not None and rng.random() < 0.7:
            out.append("existing_comment=%r" % st["comment"])
        return out, left

    def my_alter(self, t):
        rng = self.rng
        c = rng.choice(t["cols"])
        old = {k: c[k] for k in ("name", "src", "nullable", "default", "comment")}
        up = {}
        for ch in rng.sample(["type", "nullable", "default", "rename", "comment"],
                             rng.randint(1, 2)):
            if ch == "type" and c["alts"]:
                new = rng.choice(c["alts"])
                if "create_constraint" in new:
                    new = new.replace("{n}", "ck_%s_%d" % (t["name"], self.counter))
                    self.counter += 1
                up["type_"] = new
            elif ch == "nullable" and not (c["nullable"] and c["has_nulls"]):
                up["nullable"] = str(not c["nullable"])
            elif ch == "default" and c["defaults"]:
                new = rng.choice(c["defaults"] + [None])
                if new != c["default"]:
                    up["server_default"] = str(new)
            elif ch == "rename" and "create_constraint" not in c["src"]:
                nm = self.col_name(None)
                if nm not in {x["name"] for x in t["cols"]} | {"id"}:
                    up["new_column_name"] = repr(nm)
            elif ch == "comment":
                new = rng.choice(MY_COMMENTS + [None])
                if new != c["comment"]:
                    up["comment"] = repr(new)
        if not up:
            return None
        ex, left = self.my_existing(old, up, False)
        up_args = ["%s=%s" % kv for kv in up.items()] + ex
        if self.mdb and rng.random() < 0.15:
            # alter_column's dialect keywords, which MySQLImpl takes and leaves
            up_args += self.my_spell("mysql_fz_option=%r" % rng.choice(["x", "1"]))
        # what the column is now
        affinity = lambda src: "DATETIME" in src or "TIMESTAMP" in src or "DateTime" in src  # noqa
        restated = set(up) - {"server_default"} or (
            affinity(up.get("type_", old["src"])) and up.get("server_default") != "None")
        if "type_" in up:
            c["alts"] = [a for a in c["alts"] if a != up["type_"]] + [old["src"]]
            c["src"] = up["type_"]
        if "nullable" in up:
            c["nullable"] = up["nullable"] == "True"
        elif restated:
            c["nullable"] = left["nullable"]
        if "server_default" in up:
            c["default"] = None if up["server_default"] == "None" else up["server_default"]
        elif restated:
            c["default"] = left["default"]
        if "comment" in up:
            c["comment"] = eval(up["comment"])
        elif restated:
            c["comment"] = left["comment"]
        if "new_column_name" in up:
            c["name"] = eval(up["new_column_name"])
        # the downgrade restates the old column completely
        down = {}
        if old["src"] != c["src"]:
            down["type_"] = old["src"]
        if old["nullable"] != c["nullable"]:
            down["nullable"] = str(old["nullable"])
        if old["default"] != c["default"]:
            down["server_default"] = str(old["default"])
        if old["comment"] != c["comment"]:
            down["comment"] = repr(old["comment"])
        if old["name"] != c["name"]:
            down["new_column_name"] = repr(old["name"])
        if not down:
            down_line = []
        else:
            ex, _ = self.my_existing(c, down, True)
            down_line = ["op.alter_column(%r, %r, %s%s)" % (
                t["name"], c["name"], ", ".join(["%s=%s" % kv for kv in down.items()] + ex),
                self.my_schema(t))]
        return (["op.alter_column(%r, %r, %s%s)" % (t["name"], old["name"], ", ".join(up_args),
                                                    self.my_schema(t))],
                down_line)

    def my_alter_id(self, t):
        rng = self.rng
        c = t["id"]
        up = []
        new_src = c["src"]
        if c["alts"] and rng.random() < 0.6:
            new_src = rng.choice(c["alts"])
            up.append("type_=%s" % new_src)
        up.append("existing_type=%s" % c["src"])
        up.append("existing_nullable=False")
        r = rng.random()
        autoinc = c["autoinc"]
        if r < 0.35:
            up.append("autoincrement=%s" % (not c["autoinc"]))
            autoinc = not c["autoinc"]
        elif r < 0.7:
            up.append("existing_autoincrement=%s" % c["autoinc"])
        else:
            autoinc = False  # MODIFY without AUTO_INCREMENT drops it
        new_comment = c["comment"]
        if rng.random() < 0.3 or len(up) == 3 and r >= 0.7 and not c["autoinc"]:
            new_comment = rng.choice(MY_COMMENTS)
            up.append("comment=%r" % new_comment)
        elif c["comment"] is not None:
            if rng.random() < 0.7:
                up.append("existing_comment=%r" % c["comment"])
            else:
                new_comment = None
        if not any(x.startswith(("type_", "autoincrement", "comment")) for x in up):
            up.append("comment=%r" % "the key")
            new_comment = "the key"
        down = ["existing_type=%s" % new_src, "existing_nullable=False"]
        if new_src != c["src"]:
            down.append("type_=%s" % c["src"])
        down.append("autoincrement=%s" % c["autoinc"])
        if new_comment != c["comment"]:
            down.append("comment=%r" % c["comment"])
            if new_comment is not None:
                down.append("existing_comment=%r" % new_comment)
        elif c["comment"] is not None:
            down.append("existing_comment=%r" % c["comment"])
        if new_src != c["src"]:
            c["alts"] = [a for a in c["alts"] if a != new_src] + [c["src"]]
        c["src"], c["autoinc"], c["comment"] = new_src, autoinc, new_comment
        s = self.my_schema(t)
        return (["op.alter_column(%r, 'id', %s%s)" % (t["name"], ", ".join(up), s)],
                ["op.alter_column(%r, 'id', %s%s)" % (t["name"], ", ".join(down), s)])

    def my_add(self, t):
        rng = self.rng
        c = self.my_type([k for k in ("int", "uint", "str", "text", "dec", "enum", "set",
                                      "bit", "year", "bool", "bin", "date")])
        nm = self.col_name(None)
        if nm in {x["name"] for x in t["cols"]} | {"id"}:
            return None
        c["name"] = nm
        c["comment"] = rng.choice(MY_COMMENTS) if rng.random() < 0.3 else None
        c["default"] = None
        c["nullable"] = True
        if c["defaults"] and rng.random() < 0.5:
            c["default"] = rng.choice(c["defaults"])
            c["nullable"] = rng.random() < 0.5
        c["has_nulls"] = t["rows"] and c["default"] is None
        t["cols"].append(c)
        s = self.my_schema(t)
        return (["op.add_column(%r, %s%s)" % (t["name"], self.my_col_src(c), s)],
                ["op.drop_column(%r, %r%s)" % (t["name"], nm, s)])

    def revision_ops(self):
        rng = self.rng
        weights = [
            (self.d_create_table, 4 if len(self.tables) < 3 else 2),
            (self.d_add_column, 3), (self.d_drop_column, 1), (self.d_create_index, 2),
            (self.d_drop_index, 1), (self.d_create_fk, 1), (self.d_create_unique, 1),
            (self.d_create_check, 1), (self.d_alter_column, 3), (self.d_rename_table, 1),
            (self.d_drop_table, 1), (self.d_table_comment, 1), (self.d_execute, 1),
            (self.d_batch, 2), (self.d_bulk_insert, 1), (self.d_update, 1),
        ]
        if self.extra:
            weights += [(self.d_primary_key, 1), (self.d_exclude, 1), (self.d_autocommit, 1)]
        if self.ext:
            weights += [(self.d_identity, 1)]
        if self.dml:
            weights += [(self.d_dml, 2)]
        if self.my:
            weights += [(self.d_mysql, 6)]
        fns = [f for f, w in weights for _ in range(w)]
        up, down = [], []
        tries = 0
        while len(up) < rng.randint(1, 4) and tries < 30:
            tries += 1
            r = rng.choice(fns)()
            if r:
                up += r[0]
                down = r[1] + down
        return up, down


#: The revision (0-based) that fails online in every third seed: a fixed place,
#: so a chain's first K revisions stay the chain of K.
FAIL_AT = 11


def spell(seed, lines):
    """Other spellings real revisions use, per seed: type classes without
    parentheses (`sa.Integer`), `sa.types.X`."""
    if seed % 5 == 2:
        lines = [re.sub(r"\b(sa\.(?:Integer|BigInteger|Text|Boolean|Date|Time|Float|JSON|"
                        r"Uuid|Interval|SmallInteger|LargeBinary))\(\)", r"\1", x) for x in lines]
    if seed % 5 == 3:
        lines = [re.sub(r"\bsa\.(String|Integer|Numeric|DateTime)\(", r"sa.types.\1(", x)
                 for x in lines]
    return lines


def online_name(seed, dialect):
    """The dialect name of the online URL: from MARIADB_FROM, odd seeds run
    MariaDB under mariadb+pymysql://."""
    if dialect != "mysql":
        return dialect
    return "mariadb" if seed >= MARIADB_FROM and seed % 2 else "mysql"


def branched(seed, dialect):
    """Whether the seed draws a revision tree (tree_plan()) instead of a chain."""
    return dialect == "mysql" and seed >= MARIADB_FROM


_SET_ORDERED_OPTIONS = {}


def set_ordered_table_options(oracle_py):
    """Whether the oracle's SQLAlchemy writes MySQL table options (ENGINE,
    COMMENT, CHARSET...) in Python set order: 2.0 took them from a `set`
    until after 2.0.52 (sqlalchemy issue 13523), so `CREATE TABLE
    ...)ENGINE=... COMMENT=...` follows PYTHONHASHSEED in Alembic and in
    alembic-rs's embedded Python alike (docs/differences.md); 2.0.59 and
    2.1 keep the keywords' order. Under such a release both tools run
    under one PYTHONHASHSEED, 0 unless a rerun names another (Tools.run),
    and so agree. Asked once per oracle, from the compiler's source."""
    if oracle_py not in _SET_ORDERED_OPTIONS:
        probe = ("import inspect\n"
                 "from sqlalchemy.dialects.mysql.base import MySQLDDLCompiler as c\n"
                 "print('OrderedSet' not in inspect.getsource(c.post_create_table))")
        out = subprocess.run([oracle_py, "-c", probe], capture_output=True, text=True)
        _SET_ORDERED_OPTIONS[oracle_py] = out.stdout.strip() == "True"
    return _SET_ORDERED_OPTIONS[oracle_py]


def tree_plan(seed, n):
    """The revision tree of a branched seed: a list of (parent indexes,
    event) for revisions 0..n-1, drawn from the seed alone so the first K
    revisions are the tree of K. Runs of 1-3 revisions, each followed by a
    branch point whose two branches (1-3 revisions each; event "a" and "b"
    on their first) meet in a merge revision (event "merge"); the second
    branch sometimes branches again, merged into it before the outer merge.
    Each branch works on tables of its own (gen_project()), so the order
    in which a command walks the branches never decides whether it runs."""
    trng = random.Random("tree-%d" % seed)
    plan = []

    def add(parents, event=None):
        plan.append((parents, event))
        return len(plan) - 1

    def diamond(bp, depth):
        a = bp
        for k in range(trng.randint(1, 3)):
            a = add([a], "a" if k == 0 else None)
        b = add([bp], "b")
        if depth == 0 and trng.random() < 0.3:
            b = diamond(b, 1)
        for _ in range(trng.randint(0, 2)):
            b = add([b])
        return add([a, b], "merge")

    prev = None
    while len(plan) < n:
        for _ in range(trng.randint(1, 3)):
            prev = add([] if prev is None else [prev])
        prev = diamond(prev, 0)
    return plan[:n]


def gen_project(seed, dialect, revisions, out):
    g = Gen(seed, dialect)
    if os.path.exists(out):
        shutil.rmtree(out)
    versions = os.path.join(out, "migrations", "versions")
    os.makedirs(versions)
    with open(os.path.join(out, "alembic.ini"), "w") as f:
        f.write(INI)
    with open(os.path.join(out, "migrations", "env.py"), "w") as f:
        f.write(env_source(seed, dialect))
    with open(os.path.join(out, "migrations", "script.py.mako"), "w") as f:
        f.write("")
    prev = None
    revs = []
    plan = tree_plan(seed, revisions) if branched(seed, dialect) else None
    # a branch's own tables: (tables, my_tables) of the branches open, innermost last
    stack = []
    for i in range(revisions):
        rev = "%04x%08x" % (seed % 0xFFFF, (i + 1) * 0x1f3a7)
        g.imports = set()
        if plan:
            parents, event = plan[i]
            prev = None if not parents else (
                revs[parents[0]] if len(parents) == 1 else tuple(revs[p] for p in parents))
            if event == "b":
                # the first branch keeps the state it had; the second starts empty
                stack.append((g.tables, g.my_tables))
                g.tables, g.my_tables = {}, []
            elif event == "merge":
                a_tables, a_my = stack.pop()
                g.tables = {**a_tables, **g.tables}
                g.my_tables = a_my + g.my_tables
        if i == 0 and dialect == "postgresql":
            up = ["op.execute('CREATE SCHEMA %s')" % SCHEMA]
            down = ["op.execute('DROP SCHEMA %s')" % SCHEMA]
            u2, d2 = g.revision_ops()
            up, down = up + u2, d2 + down
        elif plan and plan[i][1] == "merge" and g.rng.random() < 0.4:
            up, down = [], []  # a merge revision of its own, no DDL
        else:
            up, down = g.revision_ops()
        if i == FAIL_AT and seed % 3 == 0:
            up = g.failing(up)
        up, down, direct = spell(seed, up), spell(seed, down), ""
        if seed % 4 == 1:
            # `from sqlalchemy import Column, Integer` and bare names
            names = sorted({n for line in up + down for n in re.findall(
                r"\bsa\.([A-Z]\w*)\b", line)})
            if names:
                direct = "from sqlalchemy import %s\n" % ", ".join(names)
                sub = lambda line: re.sub(r"\bsa\.([A-Z]\w*)\b", r"\1", line)  # noqa: E731
                up, down = [sub(x) for x in up], [sub(x) for x in down]
        imports = direct + "".join("from sqlalchemy.dialects import %s\n" % m
                          for m in ("mysql", "postgresql", "sqlite")
                          if any(re.search(r"\b%s\." % m, line) for line in up + down))
        std = "".join("import %s\n" % m for m in ("datetime", "decimal", "uuid")
                      if any(m + "." in line for line in up + down))
        if any(re.search(r"\bS2\b", line) for line in up + down):
            std = "import os\n" + std
            imports += ("\n# the second database (scripts/fuzz-ops.py sets it per tool)\n"
                        "S2 = os.environ.get('FUZZ_SCHEMA2', 'fz_s2')\n")
        msg = "fuzz %d step %d" % (seed, i + 1)
        body = REVISION.format(
            msg=msg, rev=rev, prev=repr(prev), imports=std, dialects=imports,
            up="\n".join("    " + x for x in up) or "    pass",
            down="\n".join("    " + x for x in down) or "    pass")
        name = "%s_fuzz_%d.py" % (rev, i + 1)
        with open(os.path.join(versions, name), "w") as f:
            f.write(body)
        revs.append(rev)
        prev = rev
    return revs


INI = """[alembic]
script_location = %(here)s/migrations
prepend_sys_path = .
path_separator = os
sqlalchemy.url = sqlite://

[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console
qualname =

[logger_sqlalchemy]
level = WARNING
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
datefmt = %H:%M:%S
"""

ENV = '''import os
from logging.config import fileConfig

from sqlalchemy import engine_from_config
from sqlalchemy import pool

from alembic import context

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)
target_metadata = None
# scripts/fuzz-ops.py sets FUZZ_URL per dialect and database.
config.set_main_option("sqlalchemy.url", os.environ["FUZZ_URL"])


def run_migrations_offline() -> None:
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )

    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )

    with connectable.connect() as connection:
        context.configure(
            connection=connection, target_metadata=target_metadata
        )

        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
'''

#: The first seed whose PostgreSQL env.py sets a search_path (env_source()).
SEARCH_PATH_FROM = 8000

#: How env.py puts the schema fz_sp first on the search_path: a SET on the
#: migration's connection, libpq's `options` in connect_args, or a SET from
#: a "connect" event listener on every DBAPI connection.
SEARCH_PATH_SET = [
    ('''        connection.exec_driver_sql("SET search_path TO fz_sp, public")
        connection.commit()
''', "", ""),
    ("", '''        connect_args={"options": "-csearch_path=fz_sp,public"},
''', ""),
    ("", "", '''
    from sqlalchemy import event

    @event.listens_for(connectable, "connect")
    def _search_path(dbapi_connection, connection_record):
        cursor = dbapi_connection.cursor()
        cursor.execute("SET search_path TO fz_sp, public")
        cursor.close()
'''),
]


def env_source(seed, dialect):
    """env.py: the generic one, and from SEARCH_PATH_FROM on PostgreSQL one
    that creates the schema fz_sp and puts it first on the search_path
    (seed % 3 picks SEARCH_PATH_SET's way), so every table, type, index and
    the version table without schema= live there, found through the path."""
    if dialect != "postgresql" or seed < SEARCH_PATH_FROM:
        return ENV
    in_conn, connect_args, listener = SEARCH_PATH_SET[seed % 3]
    old = """    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )

    with connectable.connect() as connection:
"""
    new = """    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
%s    )
    with connectable.connect() as connection:
        connection.exec_driver_sql("CREATE SCHEMA IF NOT EXISTS fz_sp")
        connection.commit()
%s
    with connectable.connect() as connection:
%s""" % (connect_args, listener, in_conn)
    assert old in ENV
    return ENV.replace(old, new)


REVISION = '''"""{msg}

Revision ID: {rev}
Revises: {prev}
Create Date: 2024-01-01 00:00:00.000000

"""
from typing import Sequence, Union

{imports}from alembic import op
import sqlalchemy as sa
{dialects}

# revision identifiers, used by Alembic.
revision: str = '{rev}'
down_revision: Union[str, Sequence[str], None] = {prev}
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
{up}


def downgrade() -> None:
    """Downgrade schema."""
{down}
'''

# ---------------------------------------------------------------------------
# the runner
# ---------------------------------------------------------------------------

OFFLINE_URLS = {
    "sqlite": "sqlite://",
    "postgresql": "postgresql://scott:tiger@localhost/test",
    "mysql": "mysql://scott:tiger@localhost/test",
    "mariadb": "mariadb://scott:tiger@localhost/test",
}

_TB = "Traceback (most recent call last):"


def normalise(s, project, db=None):
    s = s.replace(os.path.realpath(project), "<PROJECT>").replace(project, "<PROJECT>")
    if db:
        s = s.replace(db, "<DB>")
    out, body = [], False
    for line in s.split("\n"):
        if body:
            if line.startswith((" ", "\t")):
                continue
            body = False
        out.append(line)
        if line == _TB:
            out.append("  <traceback body>")
            body = True
    s = "\n".join(out)
    s = re.sub(r"(?<![0-9A-Za-z])0x[0-9a-fA-F]+", "0xADDR", s)
    # warning locations (tests/support/online.rs rule 5)
    # (the shim's have no source line: Python finds none for <alembic-rs> files)
    s = re.sub(r"(?m)^\S+:\d+: (\w+Warning: .*)\n(?:  .*\n)?", r"\1\n", s)
    # SQLite 3.41+ (the library alembic-rs links) adds a hint to an unknown
    # double-quoted name that Python's older SQLite does not print
    # (docs/differences.md; seeds 1015, 6033 sqlite)
    s = SQLITE_DQS_HINT.sub(r"no such column: \1", s)
    return s


SQLITE_DQS_HINT = re.compile(
    r'no such column: "([^"]*)" - should this be a string literal in single-quotes\?')


class Tools:
    def __init__(self, args):
        self.oracle_py = os.environ.get("ORACLE_PYTHON",
                                        os.path.join(ROOT, ".venv-oracle/bin/python"))
        self.rs = os.environ.get("ALEMBIC_RS", os.path.join(ROOT, "target/release/alembic-rs"))
        self.host = os.environ.get("HOST_VENV", os.path.join(ROOT, ".venv-host"))
        self.log_dir = tempfile.mkdtemp(prefix="fzs-log-")
        self.declines = {}
        self.static_steps = [0, 0]
        self.runs = self.failed = 0
        self.order = []  # differences Alembic itself gives under another PYTHONHASHSEED
        # under an SQLAlchemy that orders MySQL table options by hash, both
        # tools run under one PYTHONHASHSEED (then they agree on that order)
        self.fixed_hash = set_ordered_table_options(self.oracle_py)

    def run(self, tool, project, argv, url, schema2=None, hash_seed=None):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("ALEMBIC_RS_STATIC", "VIRTUAL_ENV", "FUZZ_SCHEMA2"))}
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        if hash_seed is None and self.fixed_hash:
            hash_seed = 0
        if hash_seed is not None:
            env["PYTHONHASHSEED"] = str(hash_seed)
        env["FUZZ_URL"] = url
        if schema2:
            env["FUZZ_SCHEMA2"] = schema2
        env.pop("PYTHONPATH", None)
        log = None
        if tool == "oracle":
            cmd = [self.oracle_py, "-m", "alembic"] + argv
        else:
            cmd = [self.rs] + argv
            env["VIRTUAL_ENV"] = self.host
            env["ALEMBIC_RS_STATIC"] = "1" if tool == "static1" else "0"
            if tool == "static1":
                log = os.path.join(self.log_dir, "static.log")
                if os.path.exists(log):
                    os.unlink(log)
                env["ALEMBIC_RS_STATIC_LOG"] = log
        p = subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True,
                           timeout=600)
        if log and os.path.exists(log):
            for line in open(log):
                parts = line.split(" ", 3)
                if parts[0] == "static":
                    self.static_steps[0] += 1
                else:
                    self.static_steps[1] += 1
                    reason = parts[3].strip() if len(parts) > 3 else "?"
                    self.declines[reason] = self.declines.get(reason, 0) + 1
        return p.returncode, p.stdout, p.stderr


def revision_of_line(text, lineno):
    """The revision a line of --sql output belongs to."""
    rev = "(header)"
    for line in text.split("\n")[:lineno + 1]:
        m = re.match(r"(?:-- |INFO  \[alembic\.runtime\.migration\] )"
                     r"Running (?:upgrade|downgrade) (\S*) -> (\S+)", line)
        if m:
            rev = "%s -> %s" % (m.group(1) or "base", m.group(2))
    return rev


def diff_report(label, a, b, what):
    al, bl = a.split("\n"), b.split("\n")
    first = next((i for i, (x, y) in enumerate(zip(al, bl)) if x != y), min(len(al), len(bl)))
    d = "".join(difflib.unified_diff([x + "\n" for x in al], [x + "\n" for x in bl],
                                     "alembic", label, n=2))
    return "  %s differs at line %d (%s):\n%s" % (what, first + 1, revision_of_line(a, first),
                                                  "\n".join("    " + x for x in d.split("\n")[:60]))


def compare_outputs(name, ref, got, project, db=None, sqlite=False):
    problems = []
    if ref[0] != got[0]:
        problems.append("  exit code: alembic %s vs %s %s" % (ref[0], name, got[0]))
    for i, stream in ((1, "stdout"), (2, "stderr")):
        a, b = normalise(ref[i], project, db and db[0]), normalise(got[i], project, db and db[1])
        if sqlite and i == 1:
            a, b = batch_copy_orders(a), batch_copy_orders(b)
        if i == 1:
            a, b = create_table_index_orders(a), create_table_index_orders(b)
        if a != b:
            problems.append(diff_report(name, a, b, stream))
    return problems


# -- databases -----------------------------------------------------------------

def server_url(dialect):
    if dialect == "postgresql":
        return os.environ.get("PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/")
    return os.environ.get("MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/")


def fresh_db(dialect, name, prefix="fzs"):
    """An empty database `<prefix>_<name>` (SQLite: /tmp/<prefix>-<name>.db):
    its URL and what drop_db() takes. $FUZZ_DB_PREFIX, when set, is put
    before the prefix (an agent's own namespace on a shared server)."""
    prefix = os.environ.get("FUZZ_DB_PREFIX", "") + prefix
    if dialect == "sqlite":
        path = "/tmp/%s-%s.db" % (prefix, name)
        if os.path.exists(path):
            os.unlink(path)
        return "sqlite:///" + path, path
    db = prefix + "_" + name.replace("-", "_")
    if dialect == "postgresql":
        import psycopg2

        c = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
        c.autocommit = True
        c.cursor().execute("DROP DATABASE IF EXISTS %s" % db)
        c.cursor().execute("CREATE DATABASE %s" % db)
        c.close()
    else:
        import pymysql

        c = pymysql.connect(host="127.0.0.1", user="root", password="")
        c.cursor().execute("DROP DATABASE IF EXISTS %s" % db)
        c.cursor().execute("CREATE DATABASE %s" % db)
        c.close()
    return server_url(dialect) + db, db


def drop_db(dialect, ident):
    if dialect == "sqlite":
        if os.path.exists(ident):
            os.unlink(ident)
    elif dialect == "postgresql":
        import psycopg2

        c = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
        c.autocommit = True
        c.cursor().execute("DROP DATABASE IF EXISTS %s" % ident)
        c.close()
    else:
        import pymysql

        c = pymysql.connect(host="127.0.0.1", user="root", password="")
        c.cursor().execute("DROP DATABASE IF EXISTS %s" % ident)
        c.close()


_CONSTRAINT_LINE = re.compile(r"^\t(CONSTRAINT |FOREIGN KEY|UNIQUE |CHECK )")
# MariaDB's SHOW CREATE TABLE: a table batch mode recreates (recreate='always')
# gets its indexes and constraints from sets too
_MYSQL_CONSTRAINT_LINE = re.compile(r"^  (CONSTRAINT |KEY |UNIQUE KEY |FULLTEXT KEY )")


def batch_copy_orders(script):
    """A SQLite `--sql` script's batch copies (copy_from=), with Alembic's set
    orders compared sorted: the new table's constraint lines (as in
    sort_constraints) and the CREATE INDEX statements after the rename, which
    Alembic takes from `Table.indexes`, a set."""
    out, run, after_rename = [], [], False
    # (`--sql` indents with four spaces where sqlite_master has a tab)
    for line in sort_constraints(script.replace("\n    ", "\n\t")).split("\n"):
        if after_rename and line.startswith(("CREATE INDEX ", "CREATE UNIQUE INDEX ")):
            run.append(line)
            continue
        if after_rename and line == "":
            continue
        if run:
            out += [x for ix in sorted(run) for x in (ix, "")]
            run = []
        after_rename = bool(re.match(r'ALTER TABLE "?_alembic_tmp_.* RENAME TO ', line))
        out.append(line)
    out += [x for ix in sorted(run) for x in (ix, "")]
    return "\n".join(out)


def create_table_index_orders(script):
    """A `--sql` script with the CREATE INDEX statements that follow a CREATE
    TABLE (after its COMMENT ON statements) compared sorted: `op.create_table`
    with several indexes (`index=True` columns, `sa.Index` items) emits them
    from `Table.indexes`, a set."""
    out, run, state = [], [], None
    for line in script.split("\n"):
        if state == "after":
            if line.startswith(("CREATE INDEX ", "CREATE UNIQUE INDEX ")):
                run.append(line)
                continue
            if line == "" and run:
                continue
        if run:
            out += [x for ix in sorted(run) for x in (ix, "")]
            run = []
        if line.startswith("CREATE TABLE "):
            state = "table"
        elif state == "table" and line.rstrip().endswith(";"):
            state = "after"
        elif state == "after" and (line == "" or line.startswith("COMMENT ON")):
            pass
        elif state != "table":
            state = None
        out.append(line)
    out += [x for ix in sorted(run) for x in (ix, "")]
    return "\n".join(out)


def sort_constraints(schema, pattern=_CONSTRAINT_LINE):
    """SQLite batch mode copies the table's constraints from `Table.constraints`,
    a set: Alembic's own order there changes from run to run (the objects'
    ids), so runs of consecutive constraint lines are compared sorted (on
    MariaDB, with _MYSQL_CONSTRAINT_LINE, the index and constraint lines of
    a table that `recreate='always'` copied)."""
    out, run = [], []
    for line in schema.split("\n"):
        if pattern.match(line):
            run.append(line.rstrip(", "))
            continue
        out += sorted(run)
        run = []
        out.append(line)
    return "\n".join(out + sorted(run))


def dump(url, version_table="alembic_version", version_schema=None):
    sys.path.insert(0, os.path.join(ROOT, "tests", "oracle"))
    import schema_dump

    return schema_dump.dump(url, version_table, version_schema)


# -- one seed --------------------------------------------------------------------

def tree_commands(seed, dialect, revs):
    """The commands of a seed: a chain's `head`, or for a branched seed
    (tree_plan()) `heads`, and with a branch point among the revisions
    also a downgrade to it (undoing both branches and the merges above),
    an upgrade of the second branch's first revision alone (two heads),
    and `<branch point>:heads --sql`. Returns (offline argvs, online steps)."""
    if not branched(seed, dialect):
        return ([["upgrade", "head", "--sql"], ["downgrade", "head:base", "--sql"]],
                [["upgrade", "head"], ["downgrade", "base"], ["upgrade", "head"]])
    plan = tree_plan(seed, len(revs))
    offline = [["upgrade", "heads", "--sql"], ["downgrade", "heads:base", "--sql"]]
    online = [["upgrade", "heads"]]
    b = next((i for i, (_, ev) in enumerate(plan) if ev == "b"), None)
    if b is not None:
        bp = revs[plan[b][0][0]]
        offline.append(["upgrade", "%s:heads" % bp, "--sql"])
        online += [["downgrade", bp], ["upgrade", revs[b]], ["upgrade", "heads"]]
    online += [["downgrade", "base"], ["upgrade", "heads"]]
    return offline, online


def run_seed(tools, seed, dialect, args):
    project = tempfile.mkdtemp(prefix="fzs-proj-%d-%s-" % (seed, dialect))
    if args.project:
        shutil.rmtree(project)
        shutil.copytree(args.project, project)
        revs = []
    else:
        revs = gen_project(seed, dialect, args.revisions, project)
    offline_argvs, steps = tree_commands(seed, dialect, revs)
    # seeds from MARIADB_FROM: the second database (S2) of each tool, and the
    # online URL's dialect name
    second = dialect == "mysql" and seed >= MARIADB_FROM
    scheme = online_name(seed, dialect)
    problems = []
    rs_tools = ["static1"] + ([] if args.no_static0 else ["static0"])
    if args.oracle_only:
        rs_tools = []
    if not args.online_only:
        for url_key in (("mysql", "mariadb") if dialect == "mysql" else (dialect,)):
            url = OFFLINE_URLS[url_key]
            for argv in offline_argvs:
                ref = tools.run("oracle", project, argv, url)
                reruns = {}
                for t in rs_tools:
                    got = tools.run(t, project, argv, url)
                    found = compare_outputs(t, ref, got, project, sqlite=dialect == "sqlite")
                    if found and branched(seed, dialect):
                        # which parent a merge's step keeps, inserts or updates to is
                        # Alembic's set order (docs/differences.md): accepted when
                        # Alembic gives alembic-rs's output under another hash seed
                        # (each merge its own set: up to 31 seeds, for
                        # several merges in one walk; seed 8210 needed 14);
                        # alembic-rs reruns under that seed too where the
                        # table options follow it (Tools.fixed_hash)
                        for hs in range(1, 32):
                            if hs not in reruns:
                                reruns[hs] = tools.run("oracle", project, argv, url,
                                                       hash_seed=hs)
                            mine = (tools.run(t, project, argv, url, hash_seed=hs)
                                    if tools.fixed_hash else got)
                            if not compare_outputs(t, reruns[hs], mine, project,
                                                   sqlite=dialect == "sqlite"):
                                tools.order.append("%d %s %s `%s` %s: PYTHONHASHSEED=%d" % (
                                    seed, dialect, url_key, " ".join(argv), t, hs))
                                found = []
                                break
                    for p in found:
                        problems.append("offline %s `%s` %s:\n%s" % (url_key, " ".join(argv), t, p))
    if not args.offline_only:
        dbs, dbs2 = {}, {}
        try:
            for t in ["oracle"] + rs_tools:
                url, ident = fresh_db(dialect, "%d_%s_%s" % (seed, dialect[:2], t))
                if scheme == "mariadb":
                    url = "mariadb" + url[len("mysql"):]
                dbs[t] = url, ident
                if second:
                    dbs2[t] = fresh_db(dialect, "%d_%s_%s_s2" % (seed, dialect[:2], t))
            s2 = lambda t: dbs2[t][1] if second else None  # noqa: E731
            for argv in steps:
                ref = tools.run("oracle", project, argv, dbs["oracle"][0], s2("oracle"))
                ref_dump = dump(dbs["oracle"][0])
                if second:
                    d2 = dump(dbs2["oracle"][0])
                    ref_dump["schema2"], ref_dump["data2"] = d2["schema"], d2["data"]
                for t in rs_tools:
                    got = tools.run(t, project, argv, dbs[t][0], s2(t))
                    ids = (dbs["oracle"][1], dbs[t][1])
                    for p in compare_outputs(t, ref, got, project, ids):
                        problems.append("online `%s` %s:\n%s" % (" ".join(argv), t, p))
                    got_dump = dump(dbs[t][0])
                    if second:
                        d2 = dump(dbs2[t][0])
                        got_dump["schema2"], got_dump["data2"] = d2["schema"], d2["data"]
                    for key in ("versions", "schema", "data") + (
                            ("schema2", "data2") if second else ()):
                        a = str(ref_dump[key]).replace(ids[0], "<DB>")
                        b = str(got_dump[key]).replace(ids[1], "<DB>")
                        if key == "schema" and dialect == "sqlite":
                            a, b = sort_constraints(a), sort_constraints(b)
                        elif key in ("schema", "schema2") and dialect == "mysql":
                            a = sort_constraints(a, _MYSQL_CONSTRAINT_LINE)
                            b = sort_constraints(b, _MYSQL_CONSTRAINT_LINE)
                        if a != b:
                            problems.append("online `%s` %s: %s after the step:\n%s" % (
                                " ".join(argv), t, key, diff_report(t, a, b, key)))
                if ref[0] != 0:
                    if args.oracle_only:
                        problems.append("oracle `%s` failed:\n%s" % (
                            " ".join(argv), "\n".join(ref[2].strip().split("\n")[-3:])))
                    break
        finally:
            if not args.keep:
                for url, ident in list(dbs.values()) + list(dbs2.values()):
                    drop_db(dialect, ident)
    if not problems and not args.keep:
        shutil.rmtree(project)
    return project, problems


def minimise(tools, seed, dialect, args):
    """The shortest prefix of the seed's chain that still differs (the chain's
    first K revisions are the chain of K), by bisection; prints its last
    revision, where the difference is."""
    lo, hi = 1, args.revisions
    keep, args.keep = args.keep, False
    try:
        while lo < hi:
            mid = (lo + hi) // 2
            saved, args.revisions = args.revisions, mid
            _, problems = run_seed(tools, seed, dialect, args)
            args.revisions = saved
            if problems:
                hi = mid
            else:
                lo = mid + 1
    finally:
        args.keep = keep
    out = tempfile.mkdtemp(prefix="fzs-min-%d-%s-" % (seed, dialect))
    gen_project(seed, dialect, lo, out)
    last = sorted(os.listdir(os.path.join(out, "migrations", "versions")),
                  key=lambda n: int(n.rsplit("_", 1)[1][:-3]))[-1]
    print("  minimised: the first %d revisions differ (%s), %s" % (
        lo, os.path.join(out, "migrations", "versions", last),
        "`--revisions %d` reproduces it" % lo), flush=True)


def parse_seeds(spec):
    out = []
    for part in spec.split(","):
        if "-" in part:
            a, b = part.split("-")
            out += list(range(int(a), int(b) + 1))
        else:
            out.append(int(part))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("--seed", type=int, required=True)
    g.add_argument("--dialect", choices=["sqlite", "postgresql", "mysql"], required=True)
    g.add_argument("--revisions", type=int, default=10)
    g.add_argument("--out", required=True)
    r = sub.add_parser("run")
    r.add_argument("--seeds", default="1-5")
    r.add_argument("--revisions", type=int, default=10)
    r.add_argument("--dialects", default="sqlite,postgresql,mysql")
    r.add_argument("--offline-only", action="store_true")
    r.add_argument("--online-only", action="store_true")
    r.add_argument("--no-static0", action="store_true")
    r.add_argument("--keep", action="store_true")
    r.add_argument("--oracle-only", action="store_true",
                   help="only run Alembic online (checks the generator: every chain must run)")
    r.add_argument("--stop", action="store_true", help="stop at the first difference")
    r.add_argument("--minimise", action="store_true",
                   help="bisect each differing seed down to the shortest chain that differs")
    r.add_argument("--project", help="compare this project (its env.py reading $FUZZ_URL) "
                   "instead of generated ones; --seeds then only names the databases")
    args = ap.parse_args()
    if args.cmd == "gen":
        revs = gen_project(args.seed, args.dialect, args.revisions, args.out)
        print("%s: %d revisions, head %s" % (args.out, len(revs), revs[-1]))
        return 0
    tools = Tools(args)
    start = time.time()
    try:
        failed, runs = run_all(tools, args)
    except KeyboardInterrupt:  # Ctrl-C: the summary of what ran
        failed, runs = tools.failed, tools.runs
        print("\ninterrupted")
    print("\n%d runs, %d with differences, %.0fs; static path: %d steps static, %d in Python"
          % (runs, failed, time.time() - start, *tools.static_steps))
    for reason, n in sorted(tools.declines.items(), key=lambda x: -x[1]):
        print("  %4d  %s" % (n, reason))
    if tools.order:
        print("ORDER (Alembic's own set order, matched under another hash seed):")
        for line in tools.order:
            print("  " + line)
    return 1 if failed else 0


def run_all(tools, args):
    failed = tools.failed = 0
    runs = tools.runs = 0
    for seed in parse_seeds(args.seeds):
        for dialect in args.dialects.split(","):
            project, problems = run_seed(tools, seed, dialect, args)
            runs = tools.runs = runs + 1
            status = "ok" if not problems else "DIFF (%s)" % project
            print("seed %d %s: %s" % (seed, dialect, status), flush=True)
            for p in problems:
                print(p, flush=True)
            if problems:
                failed = tools.failed = failed + 1
                if args.minimise and not args.project:
                    minimise(tools, seed, dialect, args)
                if args.stop:
                    break
        if failed and args.stop:
            break
    return failed, runs


if __name__ == "__main__":
    sys.exit(main())
