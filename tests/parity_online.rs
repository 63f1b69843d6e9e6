//! Online migrations, alembic-rs against real Alembic: the projects under
//! tests/fixtures/online run the same command sequence through both tools,
//! each on its own fresh database, and every step must leave the same exit
//! code, stdout, stderr, version rows, schema and table data (harness:
//! tests/support/online.rs, which documents the normalisations).
//!
//! Gates:
//! - `parity_*`: always; ALEMBIC_RS_ONLINE_PARITY=0 skips them all,
//!   ALEMBIC_RS_MYSQL_PARITY=0 only the MySQL/MariaDB ones.
//! - `harness_*`: always. Real Alembic against itself on SQLite,
//!   PostgreSQL and MariaDB (unless ALEMBIC_RS_MYSQL_PARITY=0): proves that the
//!   normalisation leaves nothing run-specific, so a parity failure is a
//!   real difference. Plus one check that the oracle's fork server gives
//!   what a plain `python -m alembic` subprocess gives.
//!
//! Needs the oracle (scripts/test-env.sh), PostgreSQL and MariaDB on
//! 127.0.0.1; missing ones skip locally and fail under CI.

mod support;
use support::online::{
    DbKind, OracleServer, Runner, Scenario, assert_parity, compare, manifest_dir, mysql_allowed,
    ready,
};

/// Four revisions building a small shop schema; everything a linear history
/// can do.
fn linear() -> Scenario {
    Scenario::fixture(
        "linear",
        &[
            &["current"],
            &["upgrade", "+2"],
            &["current"],
            &["upgrade", "head"],
            &["current", "-v"],
            &["upgrade", "head"],
            &["downgrade", "-1"],
            &["current"],
            &["downgrade", "base"],
            &["upgrade", "heads"],
            &["stamp", "base"],
            &["current"],
            &["stamp", "--purge", "c7a9e1f3b503"],
            &["current", "--check-heads"],
            &["stamp", "head"],
            &["downgrade", "8e4d6c5b2a02"],
            &["downgrade", "-5"],
            &["upgrade", "nosuchrev"],
            &["downgrade", "base"],
        ],
    )
}

/// Alembic's documentation graph: a branch point, a merge, an independent
/// labelled branch and a depends_on across the two.
fn branches() -> Scenario {
    Scenario::fixture(
        "branches",
        &[
            // an empty database: Alembic's assert (fuzz-cli.py seed 61)
            &["downgrade", "networking@-1"],
            &["upgrade", "1975ea83b712"],
            &["upgrade", "+1"],
            &["upgrade", "ae1027a6acf"],
            &["current"],
            &["upgrade", "networking@head"],
            &["current"],
            &["current", "-v"],
            &["downgrade", "-1"],
            &["downgrade", "networking@-1"],
            &["downgrade", "networking@base"],
            &["current"],
            &["downgrade", "ae1027a6acf"],
            &["current"],
            &["upgrade", "heads"],
            &["stamp", "--purge", "27c6a30d7c24"],
            &["current"],
            &["stamp", "networking@head"],
            &["current"],
            &["stamp", "heads"],
            &["downgrade", "base"],
            &["stamp", "3cac04ae8714", "ae1027a6acf"],
            &["upgrade", "heads"],
        ],
    )
}

/// An application's env.py (tests/fixtures/online/app_imports/migrations/README):
/// imports alembic.command, alembic.script and alembic.environment, asks
/// `ScriptDirectory.from_config` for the head, and logs (alembic at DEBUG)
/// with each record's call site (module:lineno funcName filename), which must
/// be Alembic's own. A branch and a merge give the version-table debug lines;
/// `downgrade -1` from two heads, Alembic's UserWarning.
fn app_imports() -> Scenario {
    Scenario::fixture(
        "app_imports",
        &[
            &["upgrade", "a1c2e3f40002"],
            &["upgrade", "a1c2e3f40003"],
            &["current"],
            // Two heads: Alembic warns, then walks from the first row.
            &["downgrade", "-1"],
            &["upgrade", "heads"],
            &["current"],
            &["downgrade", "base"],
            &["upgrade", "nosuchrev"],
            &["stamp", "heads"],
        ],
    )
}

/// galaxy's env.py (tests/fixtures/online/script_module_paths/migrations/
/// README): `alembic.script.base` / `.revision` / `.write_hooks` import, and
/// `config.cmd_opts` is the whole argparse namespace of every command,
/// with `cmd` (the `alembic.command` function and its argument names);
/// the cookbook's empty-autogenerate recipe reads `cmd_opts.autogenerate`.
fn script_module_paths() -> Scenario {
    Scenario::fixture(
        "script_module_paths",
        &[
            &["upgrade", "gxy@+1"],
            &["upgrade", "head", "--tag", "t"],
            &["current", "--check-heads"],
            &["downgrade", "-1"],
            &["stamp", "--purge", "gxy@head", "b7e1a0c20001"],
            &["stamp", "head"],
            &["ensure_version"],
            &["downgrade", "gxy@head:base", "--sql"],
            &["revision", "--autogenerate", "-m", "empty"],
            &[
                "revision",
                "-m",
                "plain",
                "--rev-id",
                "c0ffee000001",
                "--head",
                "gxy@head",
            ],
            &["history", "-i", "-r", "base:"],
            &["merge", "heads", "-m", "joined", "--rev-id", "c0ffee000002"],
            &["-x", "k=v", "check"],
        ],
    )
}

/// prefect's SQLite setup (tests/fixtures/online/sqlite_driver/migrations/
/// README): explicit BEGIN from the "begin" event, autocommit_block() DDL,
/// named parameters, op.execute() text ending in whitespace.
fn sqlite_driver() -> Scenario {
    Scenario::fixture(
        "sqlite_driver",
        &[
            &["upgrade", "head"],
            &["current"],
            &["downgrade", "-1"],
            &["upgrade", "head"],
            &["downgrade", "base"],
            &["upgrade", "head"],
        ],
    )
}

/// prefect's layout (tests/fixtures/online/env_version_locations/migrations/
/// README): env.py assigns `context.script.version_locations` per dialect;
/// `history` runs env.py too (revision_environment), and `revision` writes
/// into the directory env.py chose, revising its head.
fn env_version_locations() -> Scenario {
    Scenario::fixture(
        "env_version_locations",
        &[
            &["history"],
            &["upgrade", "head"],
            &["current"],
            &["downgrade", "-1"],
            &["history", "-i"],
            &["upgrade", "head"],
            &["upgrade", "nosuchrev"],
            &["downgrade", "base"],
            // Written where env.py points, on that directory's head.
            &["revision", "-m", "next step", "--rev-id", "e8f1a2b3abcd"],
            &["history"],
            &["upgrade", "head"],
            &["current"],
        ],
    )
}

/// `revision` under `revision_environment = true` with a `--version-path`
/// outside the version locations: the error comes after env.py configured
/// logging, so Alembic's util.err logs it (`ERROR [alembic.util.messaging]`)
/// before `FAILED:` (pgadmin4's tree under `revision --autogenerate`).
fn revision_write_failure() -> Scenario {
    Scenario::fixture(
        "revision_write_failure",
        &[
            &["upgrade", "head"],
            &[
                "revision",
                "-m",
                "next",
                "--rev-id",
                "a1b2c3d4e5f6",
                "--version-path",
                "elsewhere",
            ],
            &[
                "revision",
                "-m",
                "next",
                "--rev-id",
                "a1b2c3d4e5f6",
                "--version-path",
                "elsewhere",
                "--sql",
            ],
            &["current"],
        ],
    )
}

/// Revision 3 of 4 creates a table, adds a column, then raises.
fn failure_exception() -> Scenario {
    Scenario::fixture(
        "failure_exception",
        &[
            &["upgrade", "head"],
            &["current"],
            &["upgrade", "head"],
            &["downgrade", "base"],
            &["upgrade", "b41c0e7a1f02"],
            &["stamp", "head"],
            &["current"],
            &["downgrade", "b41c0e7a1f02"],
            &["current"],
        ],
    )
}

/// Revision 2 of 3 inserts a row, then sends invalid SQL via op.execute.
fn failure_sql() -> Scenario {
    Scenario::fixture(
        "failure_sql",
        &[
            &["upgrade", "head"],
            &["current"],
            &["upgrade", "d2e8a1c3f401"],
            &["upgrade", "+1"],
            &["current"],
            &["stamp", "head"],
            &["downgrade", "-1"],
            &["downgrade", "base"],
            &["current"],
        ],
    )
}

/// A statement that fails while the migration handles another failure
/// (alembic_utils' savepoint retry): the traceback's whole chain and the
/// driver error's `__context__` (tests/fixtures/online/failure_chained/
/// migrations/README).
fn failure_chained() -> Scenario {
    Scenario::fixture(
        "failure_chained",
        &[
            &["upgrade", "e5c1a7b2d302"],
            &["current"],
            &["upgrade", "head"],
            &["current"],
            &["downgrade", "base"],
        ],
    )
}

/// env.py overrides `alembic.ddl.base.RenameTable` with `@compiles`
/// (geoalchemy2's alembic_helpers): `op.rename_table` runs through it
/// (tests/fixtures/online/ddl_element_override/migrations/README).
fn ddl_element_override() -> Scenario {
    Scenario::fixture(
        "ddl_element_override",
        &[
            &["upgrade", "head", "--sql"],
            &["upgrade", "head"],
            &["current"],
            &["downgrade", "-1"],
            &["downgrade", "f7d2b9c4e502:f7d2b9c4e501", "--sql"],
            &["downgrade", "base"],
        ],
    )
}

/// bulk_insert, op.execute(sa.text(...).bindparams(...)), op.get_bind(),
/// sa.inspect(bind) in a condition, print() from a migration.
fn data_migration() -> Scenario {
    Scenario::fixture(
        "data_migration",
        &[
            &["upgrade", "head"],
            &["current"],
            &["downgrade", "-1"],
            &["downgrade", "-1"],
            &["upgrade", "head"],
            &["downgrade", "6a0f3e9d2c01"],
            &["upgrade", "+1"],
            &["downgrade", "base"],
            &["current"],
        ],
    )
}

/// `autocommit_block()` in the middle of a run: what came before it is
/// committed, the block runs outside a transaction, and what follows runs
/// in a new one (on PostgreSQL a `LOCK TABLE`, valid only in a transaction,
/// and a failing revision whose rollback keeps the block's work only).
fn autocommit_block() -> Scenario {
    Scenario::fixture(
        "autocommit_block",
        &[
            &["upgrade", "head"],
            &["current"],
            &["stamp", "e1a0c0b0a001"],
            &["upgrade", "e1a0c0b0a002"],
            &["current"],
            &["downgrade", "base"],
            &["current"],
        ],
    )
}

/// Found by scripts/fuzz-fail.py: `autocommit_block()` under an env.py that
/// began the connection's transaction itself (`with engine.begin() as
/// connection:`) fails on Alembic's bare assert
/// (tests/fixtures/online/fzf_autocommit_outer_begin/migrations/README).
fn fzf_autocommit_outer_begin() -> Scenario {
    Scenario::fixture(
        "fzf_autocommit_outer_begin",
        &[
            &["upgrade", "head"],
            &["current"],
            &["upgrade", "f2a0c0b0a001"],
            &["upgrade", "head"],
            &["current"],
            &["upgrade", "head", "--sql"],
        ],
    )
}

/// A revision whose import fails (an application module that is missing),
/// after revisions that would run, with `transaction_per_migration=True`:
/// Alembic imports the revision files before the first migration, so
/// nothing is migrated, online or with `--sql`.
fn import_failure() -> Scenario {
    Scenario::fixture(
        "import_failure",
        &[&["upgrade", "head"], &["upgrade", "head", "--sql"]],
    )
}

/// A script directory without env.py (tests/fixtures/online/env_missing/
/// migrations/README): Alembic's "Can't find Python file" ImportError for
/// every command that runs env.py; the graph commands need none.
fn env_missing() -> Scenario {
    Scenario::fixture(
        "env_missing",
        &[
            &["upgrade", "head"],
            &["current"],
            &["upgrade", "head", "--sql"],
            &["check"],
            &["heads"],
        ],
    )
}

/// `alembic.op`'s names as module functions (tests/fixtures/online/
/// op_module_functions/migrations/README): taken by name before any
/// migration runs, called during one, before and after.
fn op_module_functions() -> Scenario {
    Scenario::fixture(
        "op_module_functions",
        &[
            &["upgrade", "head"],
            &["downgrade", "base"],
            &["upgrade", "head", "--sql"],
        ],
    )
}

/// Revisions with import-time effects whose file names sort in another
/// order than the plan's: Alembic imports every revision file in its load
/// order (file names sorted), so the second revision's file, which removes
/// the root logger's handlers, silences what the first's logs when imported
/// (agenta's revisions; tests/fixtures/online/import_order/migrations/README).
/// Plans that cover every file: alembic-rs imports only the plan's.
fn import_order() -> Scenario {
    Scenario::fixture(
        "import_order",
        &[
            &["upgrade", "head"],
            &["downgrade", "base"],
            &["upgrade", "head"],
            &["upgrade", "head", "--sql"],
        ],
    )
}

/// Revisions lacking the function a step calls (OpenStack's trees have no
/// `downgrade()`; a misnamed `upgrade()`) behind steps that would run:
/// Alembic builds every step, taking each revision's function, before the
/// first runs, so the `AttributeError` leaves the database untouched, with
/// `transaction_per_migration` and in `--sql`; a plan that avoids them runs.
fn missing_function() -> Scenario {
    Scenario::fixture(
        "missing_function",
        &[
            &["upgrade", "c1d2e3f40003"],
            &["upgrade", "head"],
            &["current"],
            &["upgrade", "c1d2e3f40004"],
            &["downgrade", "base"],
            &["current"],
            &["upgrade", "c1d2e3f40003:head", "--sql"],
            &["downgrade", "c1d2e3f40004:base", "--sql"],
            &["downgrade", "c1d2e3f40002"],
            &["current"],
        ],
    )
}

/// A revision id present twice: the warning comes when env.py first uses
/// the revision map, after its logging set-up (tests/fixtures/online/
/// map_on_first_use/migrations/README).
fn map_on_first_use() -> Scenario {
    Scenario::fixture(
        "map_on_first_use",
        &[
            &["current"],
            &["upgrade", "head"],
            &["current", "-v"],
            &["downgrade", "base"],
            &["upgrade", "head", "--sql"],
            &["stamp", "head"],
        ],
    )
}

/// A revision directory Alembic cannot load: every command fails when env.py
/// first uses the map, not before env.py runs (tests/fixtures/online/
/// map_error_on_first_use/migrations/README).
fn map_error_on_first_use() -> Scenario {
    Scenario::fixture(
        "map_error_on_first_use",
        &[
            &["downgrade", "-1"],
            &["downgrade", "+1"],
            &["current"],
            &["upgrade", "head"],
            &["stamp", "head"],
            &["downgrade", "head", "--sql"],
            &["upgrade", "head", "--sql"],
        ],
    )
}

/// `alembic.util`'s messaging helpers in an application's code (neutron's
/// migration CLI binds `util.err`/`warn`/`msg` at import, and its revisions
/// take their branch label from it): `util.status` around the run in env.py,
/// `util.msg`/`warn` in a revision, then `util.err` ending the command
/// (`FAILED:`, exit 255, the transaction rolled back), online and `--sql`.
fn util_messaging() -> Scenario {
    Scenario::fixture(
        "util_messaging",
        &[
            &["upgrade", "d1e2f3a4b001"],
            &["current"],
            &["heads"],
            &["upgrade", "head"],
            &["current"],
            &["upgrade", "head", "--sql"],
            &["downgrade", "base"],
        ],
    )
}

/// What extensions, dialect packages and applications import from Alembic
/// beyond `op`/`context` (tests/fixtures/online/alembic_api_surface/
/// migrations/README): every public module of Alembic 1.20.1 imports, and
/// `alembic.util` (`load_python_file`, `pyfiles`, `compat`, `editor`),
/// `util.sqla_compat`, `operations.schemaobj.SchemaObjects`, `ddl._autogen`,
/// the `autogenerate.compare` submodules and the dialect modules' names work
/// as they do in Alembic; env.py queries the revision graph through
/// `ScriptDirectory` and `script.revision_map` (results and errors).
fn alembic_api_surface() -> Scenario {
    Scenario::fixture(
        "alembic_api_surface",
        &[
            &["upgrade", "e5f6a7b8c001"],
            &["current"],
            &["upgrade", "head"],
            &["downgrade", "base"],
        ],
    )
}

/// ironic's utf8mb4 migration binds a tuple to `IN :tables` (tests/fixtures/
/// online/sequence_params/migrations/README): tuple and list parameters as
/// each dialect's driver adapts or refuses them.
fn sequence_params() -> Scenario {
    Scenario::fixture(
        "sequence_params",
        &[
            &["upgrade", "head"],
            &["downgrade", "base"],
            &["upgrade", "head"],
        ],
    )
}

/// manila's `op.alter_column(table, Column(...))` with nothing to alter
/// (tests/fixtures/online/noop_alter_column/migrations/README): no SQL, and
/// the name is never rendered.
fn noop_alter_column() -> Scenario {
    Scenario::fixture(
        "noop_alter_column",
        &[
            &["upgrade", "head"],
            &["downgrade", "base"],
            &["upgrade", "head", "--sql"],
        ],
    )
}

/// ihatemoney's decorated `upgrade()` (tests/fixtures/online/
/// rw_step_function_name/migrations/README): a step is named after its
/// function's `__name__` (`Running wrapper a -> b`), online and `--sql`.
fn rw_step_function_name() -> Scenario {
    Scenario::fixture(
        "rw_step_function_name",
        &[
            &["upgrade", "head"],
            &["downgrade", "base"],
            &["upgrade", "head", "--sql"],
            &["downgrade", "head:base", "--sql"],
        ],
    )
}

/// mage-ai's batch block failing (tests/fixtures/online/rw_batch_failure_frames/
/// migrations/README; found by scripts/compare-tree.py in session 17): a
/// batch directive's failure passes through contextlib's `__exit__`, as
/// Alembic's generator-based `batch_alter_table` does.
fn rw_batch_failure_frames() -> Scenario {
    Scenario::fixture(
        "rw_batch_failure_frames",
        &[
            &["upgrade", "head"],
            &["upgrade", "b9a1c2d3e001"],
            &["upgrade", "head"],
            &["downgrade", "base"],
        ],
    )
}

/// solum's downgrade calls a directive Alembic lacks (tests/fixtures/online/
/// rw_op_missing_directive/migrations/README; found by scripts/compare-tree.py
/// in session 17): `op` and `context` fail as modules do.
fn rw_op_missing_directive() -> Scenario {
    Scenario::fixture(
        "rw_op_missing_directive",
        &[&["upgrade", "head"], &["downgrade", "base"]],
    )
}

/// A hand-made version table with a NULL row, then a row naming no revision
/// (tests/fixtures/online/version_row_null/migrations/README; found probing
/// by hand in session 18): the NULL row resolves to no revision and is never
/// touched; `check` resolves the rows before comparing them with the heads.
/// Also `--raiseerr` tracebacks of revision errors, chained as Alembic's.
fn version_row_null() -> Scenario {
    Scenario::fixture(
        "version_row_null",
        &[
            &["-x", "row=NULL", "current"],
            &["check"],
            &["upgrade", "head"],
            &["current"],
            &["check"],
            &["downgrade", "base"],
            &["stamp", "a1"],
            &["current", "--check-heads"],
            &["upgrade", "head"],
            // `--raiseerr`: the revision map's error, then the CommandError
            // raised from it (env.py's commands and Rust-only ones)
            &["--raiseerr", "upgrade", "zz"],
            &["--raiseerr", "show", "zz"],
            &["--raiseerr", "history", "-r", "b2:a1"],
            &["-x", "row=zz", "check"],
        ],
    )
}

/// The same project with an INTEGER version column: a row that is not text
/// fails every command but `history -i` with Alembic's "revision identifier
/// 7 is not a string" (alembic-rs raised a TypeError).
fn version_row_not_text() -> Scenario {
    Scenario::fixture(
        "version_row_null",
        &[
            &["-x", "vtype=INTEGER", "-x", "row=7", "current"],
            &["upgrade", "head"],
            &["stamp", "head"],
            &["downgrade", "base"],
            &["check"],
            &["history", "-i"],
        ],
    )
}

/// `alter_column`'s `autoincrement=`/`existing_autoincrement=` outside
/// MySQL (tests/fixtures/online/rw_alter_autoincrement_warning/migrations/
/// README; found on ihatemoney): Alembic's UserWarning comes after
/// PostgreSQL's type change, so none when the type change fails.
fn rw_alter_autoincrement_warning() -> Scenario {
    Scenario::fixture(
        "rw_alter_autoincrement_warning",
        &[
            &["upgrade", "a2a2a2a2a2a2"],
            &["upgrade", "head"],
            &["current"],
            &["upgrade", "a1a1a1a1a1a1:head", "--sql"],
        ],
    )
}

/// Alembic's `@compiles(DropConstraint, "mysql", "mariadb")`, registered on
/// import (tests/fixtures/online/rw_drop_constraint_compile/migrations/README;
/// found by scripts/compare-tree.py in session 21 on mwdb-core): a
/// migration's own DropConstraint of a generic constraint is refused on
/// MySQL instead of dropping the column of that name, and the ext.compiler
/// dispatcher's frames are in a traceback on every dialect; env.py's own
/// `@compiles(DropConstraint, "postgresql")` applies to `op.drop_constraint`
/// online and in --sql (where the static rendering steps aside).
fn rw_drop_constraint_compile() -> Scenario {
    Scenario::fixture(
        "rw_drop_constraint_compile",
        &[
            &["upgrade", "head"],
            &["downgrade", "base"],
            &["upgrade", "c41d7e0a9b01:head", "--sql"],
        ],
    )
}

/// ichnaea's engine asks pymysql for CLIENT_MULTI_STATEMENTS through
/// `connect_args={"client_flag": ...}` (tests/fixtures/online/
/// rw_pymysql_client_flag/migrations/README; found by scripts/compare-tree.py
/// in session 18): one `op.execute` runs several statements on MySQL, as
/// pymysql does with that flag.
fn rw_pymysql_client_flag() -> Scenario {
    Scenario::fixture(
        "rw_pymysql_client_flag",
        &[
            &["upgrade", "head"],
            &["downgrade", "base"],
            &["upgrade", "d1e2f3a4b501"],
        ],
    )
}

/// fastapi_best_architecture's env.py renders its URL with an empty
/// password (`root:@host`; tests/fixtures/online/rw_mysql_empty_password/
/// migrations/README; found in session 23): pymysql logs in without one, as
/// must alembic-rs.
fn rw_mysql_empty_password() -> Scenario {
    Scenario::fixture(
        "rw_mysql_empty_password",
        &[&["upgrade", "head"], &["current"], &["downgrade", "base"]],
    )
}

/// Core statements of one shape through `op.execute()` with different
/// `op.inline_literal()` values (tests/fixtures/online/fz_inline_literal_cache/
/// migrations/README; found by scripts/fuzz-ops.py's d_dml in session 20):
/// such a statement is compiled each time, as in Alembic, never taken from
/// SQLAlchemy's cache with the first statement's literals in it.
fn fz_inline_literal_cache() -> Scenario {
    Scenario::fixture(
        "fz_inline_literal_cache",
        &[
            &["upgrade", "head"],
            &["downgrade", "base"],
            &["upgrade", "head", "--sql"],
        ],
    )
}

/// `op.alter_column()` with `server_default=sa.Identity(...)` /
/// `sa.Computed(...)` (tests/fixtures/online/fz_alter_identity/migrations/
/// README; found by scripts/fuzz-autogen.py in session 18): Alembic's
/// identity elements (PostgreSQL ADD / SET / DROP IDENTITY) and its
/// CompileErrors elsewhere, online and `--sql`.
fn fz_alter_identity() -> Scenario {
    Scenario::fixture(
        "fz_alter_identity",
        &[
            &["upgrade", "head"],
            &["downgrade", "base"],
            &["upgrade", "head", "--sql"],
        ],
    )
}

/// monasca-api's env.py reads `sys.argv` (tests/fixtures/online/rw_sys_argv/
/// migrations/README; found by scripts/compare-tree.py in session 13): env.py
/// sees the command line, `-x` and `--sql` included, as under Alembic.
fn rw_sys_argv() -> Scenario {
    Scenario::fixture(
        "rw_sys_argv",
        &[
            &["upgrade", "head"],
            &["current"],
            &["-x", "tenant=a", "downgrade", "base"],
            &["upgrade", "head", "--sql"],
        ],
    )
}

/// skyline-apiserver's loguru `InterceptHandler` (tests/fixtures/online/
/// rw_log_call_frame/migrations/README; found by scripts/compare-tree.py in
/// session 13): the frame that logs Alembic's messages is at Alembic's call
/// site (module, function, line), as the record is.
fn rw_log_call_frame() -> Scenario {
    Scenario::fixture(
        "rw_log_call_frame",
        &[
            &["upgrade", "head"],
            &["current"],
            &["downgrade", "base"],
            &["upgrade", "head", "--sql"],
        ],
    )
}

/// dagster's env.py passes a list holding a MetaData and storage classes as
/// `target_metadata` (tests/fixtures/online/rw_target_metadata_items/
/// migrations/README; found by scripts/compare-tree.py in session 14): `check`
/// fails on the class where Alembic does (`sorted_tables`), and a set of
/// MetaData is a sequence, as `util.to_list` reads it.
fn rw_target_metadata_items() -> Scenario {
    Scenario::fixture(
        "rw_target_metadata_items",
        &[
            &["upgrade", "head"],
            &["check"],
            &["-x", "meta=set", "check"],
            &["-x", "meta=classes", "check"],
        ],
    )
}

/// Found by scripts/fuzz-env.py (tests/fixtures/online/env_api/migrations/
/// README): `get_x_argument(as_dictionary=True)` with `-x flag`, every
/// `MigrationInfo` field `on_version_apply` gets (the Revision objects too),
/// and the bare `KeyError` / `AssertionError` Alembic's planner and head
/// maintainer die with (`stamp` of two parents from their merge,
/// `downgrade alpha@-1` on an empty version table).
fn env_api() -> Scenario {
    Scenario::fixture(
        "env_api",
        &[
            &["-x", "flag", "-x", "k=v=w", "upgrade", "heads"],
            &["downgrade", "e4a1c0de0001"],
            &["stamp", "heads"],
            &["stamp", "e4a1c0de0003", "e4a1c0de0002"],
            &["downgrade", "base"],
            &["downgrade", "alpha@-1"],
        ],
    )
}

/// Found by scripts/fuzz-cli.py: a merge that also `depends_on` a common
/// ancestor (tests/fixtures/online/merge_depends_on_ancestor/migrations/
/// README): Alembic's `HeadMaintainer` deletes both parents' rows, then
/// dies with `KeyError` updating the ancestor, which is not a head; the
/// DELETEs before it are executed (written, with `--sql`).
fn merge_depends_on_ancestor() -> Scenario {
    Scenario::fixture(
        "merge_depends_on_ancestor",
        &[
            &["upgrade", "heads", "--sql"],
            &["upgrade", "d0e1a0000002:heads", "--sql"],
            &["upgrade", "heads"],
            &["current"],
        ],
    )
}

/// Found by running invenio-accounts' tree: `depends_on = ""` (and `[""]`)
/// depends on nothing under Alembic (tests/fixtures/online/rw_empty_depends_on/
/// migrations/README); alembic-rs looked for a revision named "".
fn rw_empty_depends_on() -> Scenario {
    Scenario::fixture(
        "rw_empty_depends_on",
        &[
            &["history", "--verbose"],
            &["heads"],
            &["upgrade", "heads"],
            &["current", "--verbose"],
            &["downgrade", "base"],
        ],
    )
}

/// Found by scripts/fuzz-cli.py seed 238: a revision id in two files, the
/// one Alembic's map drops carrying a branch label
/// (tests/fixtures/online/fz_duplicate_id_label/migrations/README): Alembic
/// still spreads the label down from it by id, to the revisions below.
fn fz_duplicate_id_label() -> Scenario {
    Scenario::fixture(
        "fz_duplicate_id_label",
        &[
            &["history"],
            &["history", "--verbose"],
            &["heads", "--verbose"],
            &["branches"],
            &["show", "nolabel"],
            &["show", "nolabel@d0d0a0000001"],
        ],
    )
}

/// Found by scripts/fuzz-ops.py: a bind SQLAlchemy cannot process (SQLite's
/// Date given a string), in a batch copy's INSERT and in `op.execute`, fails
/// with the parameters Alembic's `_exec` passes, `[immutabledict({})]`
/// (tests/fixtures/online/ops_exec_params/migrations/README); PostgreSQL and
/// MariaDB run it.
fn ops_exec_params() -> Scenario {
    Scenario::fixture(
        "ops_exec_params",
        &[
            &["upgrade", "+1"],
            &["upgrade", "+1"],
            &["stamp", "a1e0c0de0002"],
            &["upgrade", "head"],
            &["current"],
        ],
    )
}

/// Found by scripts/fuzz-ops.py: one `execute()` holding two statements or
/// none, as pysqlite, psycopg2 and the MySQL server take or refuse them, and
/// pymysql's multi-row `executemany` INSERT (tests/fixtures/online/
/// ops_statement_count/migrations/README).
fn ops_statement_count() -> Scenario {
    Scenario::fixture(
        "ops_statement_count",
        &[
            &["-x", "sql=two", "upgrade", "head"],
            &["downgrade", "base"],
            &["-x", "sql=doubled", "upgrade", "head"],
            &["downgrade", "base"],
            &["-x", "sql=empty", "upgrade", "head"],
            &["downgrade", "base"],
            &["-x", "sql=trailing", "upgrade", "head"],
            &["downgrade", "base"],
            &["-x", "sql=bulk_overflow", "upgrade", "head"],
            &["downgrade", "base"],
            &["-x", "sql=bulk", "upgrade", "head"],
            &["downgrade", "base"],
        ],
    )
}

/// mistral's models: `check` on tables referencing each other, where
/// SQLAlchemy's "Cannot correctly sort tables" warning is located in env.py
/// (tests/fixtures/online/autogen_warning_location/migrations/README).
fn autogen_warning_location() -> Scenario {
    Scenario::fixture(
        "autogen_warning_location",
        &[&["upgrade", "head"], &["check"], &["downgrade", "base"]],
    )
}

/// Found on apache-airflow-core's models (scripts/compare-tree.py
/// --copy-versions, MariaDB): a `compare_type` callable's "Detected type
/// change" is logged from Alembic's `_user_compare_type` (types.py:85), the
/// dialect's from `_dialect_impl_compare_type` (types.py:121)
/// (tests/fixtures/online/autogen_user_compare_type_site/migrations/README).
fn autogen_user_compare_type_site() -> Scenario {
    Scenario::fixture(
        "autogen_user_compare_type_site",
        &[&["upgrade", "head"], &["check"], &["downgrade", "base"]],
    )
}

/// Found by scripts/fuzz-ops.py (seed 5011, PostgreSQL's `Computed` warning):
/// a SQLAlchemy warning raised while an op builds its objects is located at
/// the migration's line, not at alembic-rs's op function
/// (tests/fixtures/online/op_warning_location/migrations/README).
fn op_warning_location() -> Scenario {
    Scenario::fixture(
        "op_warning_location",
        &[&["upgrade", "head"], &["downgrade", "base"]],
    )
}

/// aim's `op.drop_constraint(None, ...)` in a downgrade: Alembic's
/// CompileError (SQLite's NotImplementedError), whose message shows the
/// placeholder table, and the database left as the failure leaves it.
fn unnamed_constraint() -> Scenario {
    Scenario::fixture(
        "unnamed_constraint",
        &[&["upgrade", "head"], &["downgrade", "base"], &["current"]],
    )
}

/// MySQL only: `MODIFY`/`CHANGE` restating columns, `ALTER COLUMN ... SET
/// DEFAULT`, drops by constraint kind, `mysql_*` kwargs, then a revision
/// that adds a column and inserts a row before failing with Alembic's
/// "require the existing type" `CommandError`: MySQL DDL is not
/// transactional, so the column stays, the row is rolled back and the
/// version row stays behind; the retry fails on the duplicate column.
fn mysql_ddl() -> Scenario {
    Scenario::fixture(
        "mysql_ddl",
        &[
            &["upgrade", "+1"],
            &["upgrade", "+1"],
            &["current"],
            &["upgrade", "head"],
            &["current"],
            &["downgrade", "-1"],
            &["upgrade", "head"],
            &["current"],
            &["downgrade", "base"],
            &["current"],
        ],
    )
}

/// The same project as `mariadb+pymysql://` (MariaDBImpl, MariaDB's `DROP
/// CONSTRAINT` for checks), failing mid-revision on a server error
/// (`pymysql.err.OperationalError` 1050, table exists).
fn mysql_ddl_mariadb_sql_failure() -> Scenario {
    let mut s = mysql_ddl();
    s.env = vec![
        ("FIXTURE_DIALECT".into(), "mariadb".into()),
        ("FIXTURE_FAIL".into(), "sql".into()),
    ];
    s
}

/// The same project running a `CREATE PROCEDURE` whose body holds `;`,
/// `CALL` and `DROP PROCEDURE` one per call (fine under pymysql), then one
/// call holding several statements, as Airflow's
/// `mysql_drop_foreignkey_if_exists` does: pymysql connects without
/// `CLIENT_MULTI_STATEMENTS`, so the server fails it with a 1064 syntax
/// error near the second statement, having run none of it.
fn mysql_ddl_multi_statement_failure() -> Scenario {
    let mut s = mysql_ddl();
    s.env = vec![("FIXTURE_FAIL".into(), "multi".into())];
    s
}

/// The same project failing on a column restated with an `existing_type`
/// MySQL cannot compile (`sa.VARCHAR()`): SQLAlchemy's `CompileError`, where
/// the revision before it used such types harmlessly.
fn mysql_ddl_compile_failure() -> Scenario {
    let mut s = mysql_ddl();
    s.env = vec![("FIXTURE_FAIL".into(), "compile".into())];
    s
}

/// tests/fixtures/offline/project, online: revisions using every `op`
/// directive (dialect-specific ones guarded by the dialect), a branch and a
/// merge, `autocommit_block`, the connection used in a migration. Not on
/// PostgreSQL: there its `bulk_insert` of a NULL into a NOT NULL column
/// fails (as intended offline), and the error prints the parameters in
/// Python's hash order, which differs between any two runs of Alembic.
fn every_op() -> Scenario {
    let mut s = Scenario::fixture(
        "every_op",
        &[
            &["upgrade", "heads"],
            &["current"],
            &["downgrade", "base"],
            &["upgrade", "heads"],
        ],
    );
    s.project = manifest_dir().join("tests/fixtures/offline/project");
    s
}

#[test]
fn parity_every_op_sqlite() {
    parity(every_op(), DbKind::Sqlite);
}

#[test]
fn parity_every_op_mysql() {
    parity(every_op(), DbKind::Mysql);
}

/// The oracle against alembic-rs.
fn parity(scenario: Scenario, kind: DbKind) {
    if std::env::var("ALEMBIC_RS_ONLINE_PARITY").as_deref() == Ok("0") {
        eprintln!("SKIPPED: ALEMBIC_RS_ONLINE_PARITY=0");
        return;
    }
    if mysql_allowed(kind) && ready(kind) {
        assert_parity(&scenario, kind);
    }
}

/// The oracle against itself on every scenario: the harness's own check.
/// Two scenarios run at a time (a step mostly waits for the database's
/// fsync), sharing the oracle servers; all failures are reported.
fn self_test(kind: DbKind) {
    if !(mysql_allowed(kind) && ready(kind)) {
        return;
    }
    // Longest first, for balance.
    let mut scenarios = vec![
        data_migration(),
        failure_sql(),
        failure_chained(),
        failure_exception(),
        linear(),
        branches(),
        autocommit_block(),
    ];
    if kind == DbKind::Mysql {
        scenarios.insert(0, mysql_ddl());
        scenarios.insert(0, mysql_ddl_mariadb_sql_failure());
        scenarios.insert(0, mysql_ddl_compile_failure());
        scenarios.insert(0, mysql_ddl_multi_statement_failure());
    }
    let queue = std::sync::Mutex::new(scenarios);
    let failures = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let Some(scenario) = queue.lock().unwrap().pop() else {
                        break;
                    };
                    let run = std::panic::AssertUnwindSafe(|| {
                        compare(&scenario, kind, Runner::Oracle, Runner::Oracle)
                    });
                    if let Err(e) = std::panic::catch_unwind(run) {
                        let msg = e
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                            .unwrap_or_else(|| "(non-text panic)".into());
                        failures.lock().unwrap().push(msg);
                    }
                }
            });
        }
    });
    OracleServer::stop_idle();
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} scenario(s) differ between two runs of Alembic:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

macro_rules! parity_tests {
    ($($scenario:ident: $sqlite:ident, $pg:ident, $mysql:ident;)*) => {$(
        #[test]
        fn $sqlite() {
            parity($scenario(), DbKind::Sqlite);
        }
        #[test]
        fn $pg() {
            parity($scenario(), DbKind::Postgres);
        }
        #[test]
        fn $mysql() {
            parity($scenario(), DbKind::Mysql);
        }
    )*};
}

parity_tests! {
    linear: parity_linear_sqlite, parity_linear_postgres, parity_linear_mysql;
    branches: parity_branches_sqlite, parity_branches_postgres, parity_branches_mysql;
    failure_exception: parity_failure_exception_sqlite, parity_failure_exception_postgres,
        parity_failure_exception_mysql;
    failure_sql: parity_failure_sql_sqlite, parity_failure_sql_postgres, parity_failure_sql_mysql;
    version_row_not_text: parity_version_row_not_text_sqlite,
        parity_version_row_not_text_postgres, parity_version_row_not_text_mysql;
    version_row_null: parity_version_row_null_sqlite, parity_version_row_null_postgres,
        parity_version_row_null_mysql;
    failure_chained: parity_failure_chained_sqlite, parity_failure_chained_postgres,
        parity_failure_chained_mysql;
    ddl_element_override: parity_ddl_element_override_sqlite,
        parity_ddl_element_override_postgres, parity_ddl_element_override_mysql;
    data_migration: parity_data_migration_sqlite, parity_data_migration_postgres,
        parity_data_migration_mysql;
    app_imports: parity_app_imports_sqlite, parity_app_imports_postgres,
        parity_app_imports_mysql;
    sqlite_driver: parity_sqlite_driver_sqlite, parity_sqlite_driver_postgres,
        parity_sqlite_driver_mysql;
    env_version_locations: parity_env_version_locations_sqlite,
        parity_env_version_locations_postgres, parity_env_version_locations_mysql;
    autocommit_block: parity_autocommit_block_sqlite, parity_autocommit_block_postgres,
        parity_autocommit_block_mysql;
    import_failure: parity_import_failure_sqlite, parity_import_failure_postgres,
        parity_import_failure_mysql;
    env_missing: parity_env_missing_sqlite, parity_env_missing_postgres,
        parity_env_missing_mysql;
    op_module_functions: parity_op_module_functions_sqlite,
        parity_op_module_functions_postgres, parity_op_module_functions_mysql;
    import_order: parity_import_order_sqlite, parity_import_order_postgres,
        parity_import_order_mysql;
    missing_function: parity_missing_function_sqlite, parity_missing_function_postgres,
        parity_missing_function_mysql;
    util_messaging: parity_util_messaging_sqlite, parity_util_messaging_postgres,
        parity_util_messaging_mysql;
    unnamed_constraint: parity_unnamed_constraint_sqlite, parity_unnamed_constraint_postgres,
        parity_unnamed_constraint_mysql;
    script_module_paths: parity_script_module_paths_sqlite,
        parity_script_module_paths_postgres, parity_script_module_paths_mysql;
    revision_write_failure: parity_revision_write_failure_sqlite,
        parity_revision_write_failure_postgres, parity_revision_write_failure_mysql;
    result_types: parity_result_types_sqlite, parity_result_types_postgres,
        parity_result_types_mysql;
    alembic_api_surface: parity_alembic_api_surface_sqlite,
        parity_alembic_api_surface_postgres, parity_alembic_api_surface_mysql;
    map_on_first_use: parity_map_on_first_use_sqlite, parity_map_on_first_use_postgres,
        parity_map_on_first_use_mysql;
    map_error_on_first_use: parity_map_error_on_first_use_sqlite,
        parity_map_error_on_first_use_postgres, parity_map_error_on_first_use_mysql;
    sequence_params: parity_sequence_params_sqlite, parity_sequence_params_postgres,
        parity_sequence_params_mysql;
    noop_alter_column: parity_noop_alter_column_sqlite, parity_noop_alter_column_postgres,
        parity_noop_alter_column_mysql;
    ops_exec_params: parity_ops_exec_params_sqlite, parity_ops_exec_params_postgres,
        parity_ops_exec_params_mysql;
    ops_statement_count: parity_ops_statement_count_sqlite,
        parity_ops_statement_count_postgres, parity_ops_statement_count_mysql;
    autogen_warning_location: parity_autogen_warning_location_sqlite,
        parity_autogen_warning_location_postgres, parity_autogen_warning_location_mysql;
    autogen_user_compare_type_site: parity_autogen_user_compare_type_site_sqlite,
        parity_autogen_user_compare_type_site_postgres,
        parity_autogen_user_compare_type_site_mysql;
    rw_step_function_name: parity_rw_step_function_name_sqlite,
        parity_rw_step_function_name_postgres, parity_rw_step_function_name_mysql;
    rw_sys_argv: parity_rw_sys_argv_sqlite, parity_rw_sys_argv_postgres,
        parity_rw_sys_argv_mysql;
    rw_log_call_frame: parity_rw_log_call_frame_sqlite,
        parity_rw_log_call_frame_postgres, parity_rw_log_call_frame_mysql;
    rw_target_metadata_items: parity_rw_target_metadata_items_sqlite,
        parity_rw_target_metadata_items_postgres, parity_rw_target_metadata_items_mysql;
    env_api: parity_env_api_sqlite, parity_env_api_postgres, parity_env_api_mysql;
    merge_depends_on_ancestor: parity_merge_depends_on_ancestor_sqlite,
        parity_merge_depends_on_ancestor_postgres, parity_merge_depends_on_ancestor_mysql;
    rw_empty_depends_on: parity_rw_empty_depends_on_sqlite,
        parity_rw_empty_depends_on_postgres, parity_rw_empty_depends_on_mysql;
    fz_duplicate_id_label: parity_fz_duplicate_id_label_sqlite,
        parity_fz_duplicate_id_label_postgres, parity_fz_duplicate_id_label_mysql;
    op_warning_location: parity_op_warning_location_sqlite,
        parity_op_warning_location_postgres, parity_op_warning_location_mysql;
    data_driver_values: parity_data_driver_values_sqlite,
        parity_data_driver_values_postgres, parity_data_driver_values_mysql;
    fz_driver_param_values: parity_fz_driver_param_values_sqlite,
        parity_fz_driver_param_values_postgres, parity_fz_driver_param_values_mysql;
    fz_query_nul: parity_fz_query_nul_sqlite, parity_fz_query_nul_postgres,
        parity_fz_query_nul_mysql;
    fzf_autocommit_outer_begin: parity_fzf_autocommit_outer_begin_sqlite,
        parity_fzf_autocommit_outer_begin_postgres, parity_fzf_autocommit_outer_begin_mysql;
    rw_batch_failure_frames: parity_rw_batch_failure_frames_sqlite,
        parity_rw_batch_failure_frames_postgres, parity_rw_batch_failure_frames_mysql;
    rw_op_missing_directive: parity_rw_op_missing_directive_sqlite,
        parity_rw_op_missing_directive_postgres, parity_rw_op_missing_directive_mysql;
    rw_pymysql_client_flag: parity_rw_pymysql_client_flag_sqlite,
        parity_rw_pymysql_client_flag_postgres, parity_rw_pymysql_client_flag_mysql;
    rw_mysql_empty_password: parity_rw_mysql_empty_password_sqlite,
        parity_rw_mysql_empty_password_postgres, parity_rw_mysql_empty_password_mysql;
    fz_alter_identity: parity_fz_alter_identity_sqlite,
        parity_fz_alter_identity_postgres, parity_fz_alter_identity_mysql;
    fz_inline_literal_cache: parity_fz_inline_literal_cache_sqlite,
        parity_fz_inline_literal_cache_postgres, parity_fz_inline_literal_cache_mysql;
    rw_drop_constraint_compile: parity_rw_drop_constraint_compile_sqlite,
        parity_rw_drop_constraint_compile_postgres, parity_rw_drop_constraint_compile_mysql;
    rw_alter_autoincrement_warning: parity_rw_alter_autoincrement_warning_sqlite,
        parity_rw_alter_autoincrement_warning_postgres, parity_rw_alter_autoincrement_warning_mysql;
}

/// Found by scripts/fuzz-data.py: what a data migration reads from the
/// driver (tests/fixtures/online/data_driver_values/migrations/README):
/// psycopg2's `pgerror` and `diag`, pymysql's tuples from a raw cursor's
/// fetches, MySQL `BIGINT UNSIGNED` values above `i64::MAX` as int.
fn data_driver_values() -> Scenario {
    Scenario::fixture(
        "data_driver_values",
        &[&["upgrade", "head"], &["downgrade", "base"]],
    )
}

/// Python values through the driver's own parameter adaptation, and an
/// aware datetime into a DATETIME column (tests/fixtures/online/
/// fz_driver_param_values/migrations/README): pymysql's str() of a
/// memoryview, its literals without a UTC offset, its refusal of a
/// non-finite Decimal.
fn fz_driver_param_values() -> Scenario {
    Scenario::fixture(
        "fz_driver_param_values",
        &[&["upgrade", "head"], &["downgrade", "base"]],
    )
}

/// Found by scripts/fuzz-data.py seed 398: a NUL in a statement's text
/// (tests/fixtures/online/fz_query_nul/migrations/README): pysqlite's
/// ProgrammingError before anything runs, psycopg2's text cut at the NUL.
fn fz_query_nul() -> Scenario {
    Scenario::fixture(
        "fz_query_nul",
        &[&["upgrade", "head"], &["downgrade", "base"]],
    )
}

/// Every common column type written and read back in a data migration, and
/// the result surface data migrations use (tests/fixtures/online/
/// result_types/migrations/README).
fn result_types() -> Scenario {
    Scenario::fixture(
        "result_types",
        &[
            &["upgrade", "head"],
            &["downgrade", "base"],
            &["upgrade", "head"],
        ],
    )
}

/// json/jsonb (and arrays of them) read back in a data migration, raw and
/// through typed columns (tests/fixtures/online/pg_json_results/migrations/
/// README): the values are parsed documents, as psycopg2 returns them.
fn pg_json_results() -> Scenario {
    Scenario::fixture(
        "pg_json_results",
        &[
            &["upgrade", "b7e2c4a10001"],
            &["upgrade", "head"],
            &["current"],
            &["downgrade", "-1"],
            &["upgrade", "head"],
            &["downgrade", "base"],
        ],
    )
}

#[test]
fn parity_pg_json_results_postgres() {
    parity(pg_json_results(), DbKind::Postgres);
}

/// hstore read back raw and typed, on the connection that created the
/// extension (text raw) and on later ones (dicts), as psycopg2 under
/// SQLAlchemy gives them (tests/fixtures/online/pg_hstore_results/
/// migrations/README).
fn pg_hstore_results() -> Scenario {
    Scenario::fixture(
        "pg_hstore_results",
        &[
            &["upgrade", "c4d5e6f70001"],
            &["upgrade", "head"],
            &["downgrade", "-1"],
            &["upgrade", "head"],
            &["downgrade", "base"],
            &["upgrade", "head"],
        ],
    )
}

#[test]
fn parity_pg_hstore_results_postgres() {
    parity(pg_hstore_results(), DbKind::Postgres);
}

/// Third-party plugins that hook into Alembic's modules (alembic_utils'
/// replaceable entities and operations, alembic-postgresql-enum's
/// comparator and operations): online, `check`, `revision --autogenerate`
/// (the file written is printed by `-x dump=1`), a failing downgrade and
/// `--sql` (tests/fixtures/online/pg_plugins/migrations/README). Both run
/// from .venv-oracle, which has them (scripts/test-env.sh).
fn pg_plugins() -> Scenario {
    let python = support::oracle_python().expect("the oracle virtualenv");
    let has_plugins = std::process::Command::new(&python)
        .args(["-c", "import alembic_utils, alembic_postgresql_enum"])
        .status()
        .is_ok_and(|s| s.success());
    // Without them both tools would fail alike at the import and the
    // comparison would prove nothing.
    assert!(
        has_plugins,
        "{} lacks the plugins; run scripts/test-env.sh",
        python.display()
    );
    in_oracle_venv(Scenario::fixture(
        "pg_plugins",
        &[
            &["upgrade", "head"],
            &["-x", "v=1", "check"],
            &["-x", "v=2", "check"],
            &[
                "-x",
                "v=2",
                "revision",
                "--autogenerate",
                "-m",
                "two",
                "--rev-id",
                "bbb2",
            ],
            &["-x", "dump=1", "current"],
            &["-x", "v=2", "upgrade", "head"],
            &["-x", "v=2", "check"],
            &["-x", "v=2", "downgrade", "-1"],
            &["current"],
            &["-x", "v=2", "upgrade", "aaa0:head", "--sql"],
            &["-x", "v=2", "downgrade", "head:aaa0", "--sql"],
            &["downgrade", "base"],
        ],
    ))
}

#[test]
fn parity_pg_plugins_postgres() {
    parity(pg_plugins(), DbKind::Postgres);
}

/// psycopg2's own API on the raw connection in data migrations
/// (`execute_values`, `psycopg2.sql`, adapters, `copy_expert`, cursor
/// factories) and a `COPY` through `execute()`
/// (tests/fixtures/online/pg_psycopg2_api/migrations/README). Both run from
/// .venv-oracle, which has psycopg2.
fn pg_psycopg2_api() -> Scenario {
    in_oracle_venv(Scenario::fixture(
        "pg_psycopg2_api",
        &[
            &["upgrade", "d1e2f3a40001"],
            &["upgrade", "head"],
            &["current"],
            &["downgrade", "base"],
            &["current"],
        ],
    ))
}

/// The scenario run by alembic-rs from .venv-oracle too (the drivers'
/// packages its migrations import are there).
fn in_oracle_venv(mut scenario: Scenario) -> Scenario {
    let python = support::oracle_python().expect("the oracle virtualenv");
    let venv = python.parent().and_then(|bin| bin.parent()).unwrap();
    scenario
        .env
        .push(("VIRTUAL_ENV".into(), venv.display().to_string()));
    scenario
}

#[test]
fn parity_pg_psycopg2_api_postgres() {
    parity(pg_psycopg2_api(), DbKind::Postgres);
}

/// psycopg2's typecasters registered on the raw connection, a cursor or
/// globally (`register_uuid`, `register_hstore`, `register_composite`, ...),
/// `connection.info` (tests/fixtures/online/pg_psycopg2_types/migrations/README).
fn pg_psycopg2_types() -> Scenario {
    in_oracle_venv(Scenario::fixture(
        "pg_psycopg2_types",
        &[
            &["upgrade", "head"],
            &["downgrade", "base"],
            &["upgrade", "head"],
        ],
    ))
}

#[test]
fn parity_pg_psycopg2_types_postgres() {
    parity(pg_psycopg2_types(), DbKind::Postgres);
}

/// sqlite3's own API on the raw connection in data migrations
/// (`executescript`, `row_factory`, `text_factory`, `iterdump`)
/// (tests/fixtures/online/sqlite_sqlite3_api/migrations/README).
fn sqlite_sqlite3_api() -> Scenario {
    Scenario::fixture(
        "sqlite_sqlite3_api",
        &[
            &["upgrade", "head"],
            &["downgrade", "base"],
            &["upgrade", "head"],
        ],
    )
}

#[test]
fn parity_sqlite_sqlite3_api_sqlite() {
    parity(sqlite_sqlite3_api(), DbKind::Sqlite);
}

/// psycopg 3's own API on the raw connection in data migrations
/// (`connection.execute`, `psycopg.sql`, `Jsonb`, `cursor.copy`)
/// (tests/fixtures/online/pg_psycopg_api/migrations/README).
fn pg_psycopg_api() -> Scenario {
    let mut scenario = in_oracle_venv(Scenario::fixture(
        "pg_psycopg_api",
        &[&["upgrade", "head"], &["downgrade", "base"]],
    ));
    scenario.driver = Some("psycopg");
    scenario
}

#[test]
fn parity_pg_psycopg_api_postgres() {
    parity(pg_psycopg_api(), DbKind::Postgres);
}

/// pymysql's own API on the raw connection in data migrations (`with`
/// cursors, cursor classes, `insert_id()`, `escape()`)
/// (tests/fixtures/online/mysql_pymysql_api/migrations/README).
fn mysql_pymysql_api() -> Scenario {
    in_oracle_venv(Scenario::fixture(
        "mysql_pymysql_api",
        &[&["upgrade", "head"], &["downgrade", "base"]],
    ))
}

#[test]
fn parity_mysql_pymysql_api_mysql() {
    parity(mysql_pymysql_api(), DbKind::Mysql);
}

/// PostgreSQL ranges and multiranges read and written through each driver's
/// classes (tests/fixtures/online/pg_range_values/migrations/README).
fn pg_range_values() -> Scenario {
    Scenario::fixture(
        "pg_range_values",
        &[&["upgrade", "head"], &["downgrade", "base"]],
    )
}

#[test]
fn parity_pg_range_values_postgres() {
    parity(pg_range_values(), DbKind::Postgres);
}

/// The same through `postgresql+asyncpg` (an async engine; `asyncpg.Range`).
#[test]
fn parity_pg_range_values_asyncpg_postgres() {
    let mut s = pg_range_values();
    s.driver = Some("asyncpg");
    s.env.push((
        "VIRTUAL_ENV".into(),
        support::host_async_venv().display().to_string(),
    ));
    parity(s, DbKind::Postgres);
}

/// tests/fixtures/online/connection_lost: the server ends the session under
/// a migration; the driver's error, the disconnect SQLAlchemy sees, what
/// later calls raise (connection_lost/migrations/README).
fn connection_lost() -> Scenario {
    Scenario::fixture(
        "connection_lost",
        &[
            &["-x", "mode=self", "upgrade", "head"],
            &["current"],
            &["-x", "mode=other", "upgrade", "head"],
            &["-x", "mode=catch", "upgrade", "head"],
            &[
                "-x",
                "sslmode=disable",
                "-x",
                "mode=self",
                "upgrade",
                "head",
            ],
            &[
                "-x",
                "sslmode=disable",
                "-x",
                "mode=other",
                "upgrade",
                "head",
            ],
            &[
                "-x",
                "sslmode=disable",
                "-x",
                "mode=catch",
                "upgrade",
                "head",
            ],
            &["current"],
        ],
    )
}

#[test]
fn parity_connection_lost_postgres() {
    parity(connection_lost(), DbKind::Postgres);
}

#[test]
fn parity_connection_lost_mysql() {
    parity(connection_lost(), DbKind::Mysql);
}

/// tests/fixtures/online/tls_params: the drivers' TLS parameters
/// (tls_params/migrations/README).
fn tls_params_postgres() -> Scenario {
    Scenario::fixture(
        "tls_params",
        &[
            &["current"],
            &["-x", "sslmode=disable", "current"],
            &["-x", "sslmode=allow", "current"],
            &["-x", "sslmode=prefer", "current"],
            &["-x", "sslmode=require", "current"],
            &["-x", "sslmode=bogus", "current"],
            &[
                "-x",
                "sslmode=verify-ca",
                "-x",
                "sslrootcert=/nonexistent/root.crt",
                "current",
            ],
            &[
                "-x",
                "sslmode=verify-full",
                "-x",
                "sslrootcert=/nonexistent/root.crt",
                "current",
            ],
            &[
                "-x",
                "sslmode=disable",
                "-x",
                "sslrootcert=/nonexistent/root.crt",
                "current",
            ],
            // libpq never tries TLS over a Unix-domain socket: `require`
            // and `verify-*` (even without a root file) connect in clear.
            &[
                "-x",
                "host=/var/run/postgresql",
                "-x",
                "sslmode=require",
                "current",
            ],
            &[
                "-x",
                "host=/var/run/postgresql",
                "-x",
                "sslmode=verify-full",
                "-x",
                "sslrootcert=/nonexistent/root.crt",
                "current",
            ],
            // libpq's checks of the other options: a keyword it does not
            // know, values outside an option's words, numbers that are not
            // (psycopg2's cancel key reads the keepalives an attempt over a
            // socket skips), what the client cannot do
            &["-x", "sslmod=require", "current"],
            &["-x", "target_session_attrs=read_write", "current"],
            &[
                "-x",
                "target_session_attrs=read-write",
                "-x",
                "connect_timeout=5",
                "current",
            ],
            &["-x", "sslmode=bogus", "-x", "channel_binding=x", "current"],
            &["-x", "ssl_max_protocol_version=TLSv1.1", "current"],
            &["-x", "require_auth=password,!md5", "current"],
            &["-x", "require_auth=scram-sha-256", "current"],
            &["-x", "require_auth=!password", "current"],
            &["-x", "keepalives_idle=1.5", "current"],
            &["-x", "connect_timeout=abc", "current"],
            &["-x", "keepalives=0", "-x", "keepalives_idle=x", "current"],
            &[
                "-x",
                "host=/var/run/postgresql",
                "-x",
                "keepalives=x",
                "current",
            ],
            &["-x", "channel_binding=require", "current"],
            &["-x", "gssencmode=require", "current"],
        ],
    )
}

/// asyncpg's TLS keyword, `ssl` (a mode name), through an async engine;
/// asyncpg refuses libpq's `sslmode` as an unknown keyword.
fn tls_params_asyncpg() -> Scenario {
    let mut s = Scenario::fixture(
        "tls_params",
        &[
            &["current"],
            &["-x", "ssl=disable", "current"],
            &["-x", "ssl=allow", "current"],
            &["-x", "ssl=prefer", "current"],
            &["-x", "ssl=require", "current"],
            &["-x", "sslmode=require", "current"],
            // asyncpg's keywords: server_settings sent at start-up, its own
            // client's tuning left out, libpq's names refused as asyncpg
            // refuses them
            &[
                "-x",
                "connect_args={'server_settings': {'application_name': 'migrator x', 'jit': 'off', 'statement_timeout': '5s', 'search_path': 'public,\"my schema\"'}}",
                "current",
            ],
            &[
                "-x",
                "connect_args={'statement_cache_size': 0, 'prepared_statement_cache_size': 0, 'command_timeout': 60, 'timeout': 5}",
                "-x",
                "name_func=1",
                "current",
            ],
            &["-x", "prepared_statement_cache_size=0", "current"],
            &["-x", "application_name=x", "current"],
            &["-x", "connect_args={'options': '-c jit=off'}", "current"],
            // SQLAlchemy's asyncpg multi-host form: asyncpg tries the hosts
            // in turn, as libpq does
            &[
                "-x",
                "host=127.0.0.1,127.0.0.1",
                "-x",
                "port=1,5432",
                "current",
            ],
            // asyncpg's checks of its client's numbers (the real-world
            // `statement_cache_size=0` given as text, from the URL too)
            &[
                "-x",
                "connect_args={'statement_cache_size': '0'}",
                "current",
            ],
            &["-x", "statement_cache_size=0", "current"],
            &["-x", "connect_args={'command_timeout': 0}", "current"],
            &["-x", "connect_args={'command_timeout': '30'}", "current"],
        ],
    );
    s.driver = Some("asyncpg");
    s.env.push((
        "VIRTUAL_ENV".into(),
        support::host_async_venv().display().to_string(),
    ));
    s
}

/// inet/cidr/macaddr values and arrays as psycopg2, psycopg 3 and asyncpg
/// hand them out and take them back.
fn pg_network_values(driver: Option<&'static str>) -> Scenario {
    let mut s = Scenario::fixture(
        "pg_network_values",
        &[&["upgrade", "head"], &["downgrade", "base"]],
    );
    s.driver = driver;
    if driver == Some("asyncpg") {
        s.env.push((
            "VIRTUAL_ENV".into(),
            support::host_async_venv().display().to_string(),
        ));
    }
    s
}

#[test]
fn parity_pg_network_values_postgres() {
    parity(pg_network_values(None), DbKind::Postgres);
}

#[test]
fn parity_pg_network_values_psycopg_postgres() {
    parity(pg_network_values(Some("psycopg")), DbKind::Postgres);
}

#[test]
fn parity_pg_network_values_asyncpg_postgres() {
    parity(pg_network_values(Some("asyncpg")), DbKind::Postgres);
}

/// psycopg 3's `autocommit` connect argument: what a failing revision did
/// stays, version table included (the session never opened a transaction).
fn psycopg_autocommit() -> Scenario {
    let mut s = Scenario::fixture(
        "psycopg_autocommit",
        &[
            &["-x", "fail=1", "upgrade", "head"],
            &["current"],
            &["-x", "autocommit=1", "-x", "fail=1", "upgrade", "head"],
            &["current"],
            &["-x", "autocommit=1", "stamp", "head"],
            &["-x", "autocommit=1", "downgrade", "base"],
            &["-x", "autocommit=1", "upgrade", "head"],
            &["current"],
        ],
    );
    s.driver = Some("psycopg");
    s
}

#[test]
fn parity_psycopg_autocommit_postgres() {
    parity(psycopg_autocommit(), DbKind::Postgres);
}

fn tls_params_mysql() -> Scenario {
    Scenario::fixture(
        "tls_params",
        &[
            &["current"],
            &["-x", "ssl_check_hostname=false", "current"],
            &["-x", "ssl_ca=/etc/ssl/certs/ca-certificates.crt", "current"],
            // pymysql takes the text's truth: "0" is on too
            &["-x", "autocommit=1", "current"],
            &["-x", "autocommit=0", "current"],
            // pymysql refuses a keyword it does not know
            &["-x", "charst=utf8mb4", "current"],
            // pymysql's `ssl` dictionary with keys it does not read (as
            // PlanetScale's examples write it): TLS asked for, unchecked;
            // `ssl=True`, which pymysql cannot read; an empty one
            &[
                "-x",
                "connect_args={'ssl': {'ssl_ca': '/etc/ssl/certs/ca-certificates.crt'}}",
                "current",
            ],
            &["-x", "connect_args={'ssl': True}", "current"],
            &["-x", "connect_args={'ssl': {}}", "current"],
            // character sets pymysql does not know (the server's utf16
            // among them), in any case
            &["-x", "connect_args={'charset': 'utf16'}", "current"],
            &["-x", "connect_args={'charset': 'UTF8MB4'}", "current"],
            &["-x", "charset=utf8mb5", "current"],
        ],
    )
}

/// tests/fixtures/online/pg_multihost: libpq's host lists and
/// `target_session_attrs` (pg_multihost/migrations/README).
fn pg_multihost() -> Scenario {
    Scenario::fixture(
        "pg_multihost",
        &[
            &["-x", "hosts=DEAD,LIVE", "current"],
            &["-x", "form=lists", "-x", "hosts=DEAD,SOCKET", "current"],
            &["-x", "hosts=DEAD,DEAD", "current"],
            &[
                "-x",
                "hosts=NAME",
                "-x",
                "target_session_attrs=read-write",
                "current",
            ],
            &[
                "-x",
                "hosts=LIVE,DEAD",
                "-x",
                "target_session_attrs=read-only",
                "current",
            ],
            &[
                "-x",
                "hosts=DEAD,SOCKET",
                "-x",
                "target_session_attrs=read-write",
                "-x",
                "options=-c default_transaction_read_only=on",
                "current",
            ],
            &[
                "-x",
                "hosts=NAME,LIVE",
                "-x",
                "target_session_attrs=standby",
                "current",
            ],
            &[
                "-x",
                "hosts=DEAD,LIVE",
                "-x",
                "target_session_attrs=prefer-standby",
                "current",
            ],
            &[
                "-x",
                "hosts=LIVE",
                "-x",
                "target_session_attrs=primary",
                "current",
            ],
            &["-x", "hosts=DEAD,LIVE", "-x", "port=5432", "current"],
            &[
                "-x",
                "form=lists",
                "-x",
                "hosts=LIVE,LIVE",
                "-x",
                "keepalives=x",
                "current",
            ],
            // `connect_timeout` is per host: the next one is tried
            &[
                "-x",
                "hosts=SILENT,LIVE",
                "-x",
                "connect_timeout=1",
                "current",
            ],
            // libpq's service file (`PGSERVICEFILE`) gives host and port
            &["-x", "service=live", "current"],
            &["-x", "service=dead", "current"],
            &["-x", "service=broken", "current"],
            &["-x", "service=missing", "current"],
        ],
    )
}

#[test]
fn parity_pg_multihost_postgres() {
    parity(pg_multihost(), DbKind::Postgres);
}

#[test]
fn parity_tls_params_postgres() {
    parity(tls_params_postgres(), DbKind::Postgres);
}

#[test]
fn parity_tls_params_mysql() {
    parity(tls_params_mysql(), DbKind::Mysql);
}

#[test]
fn parity_tls_params_asyncpg_postgres() {
    parity(tls_params_asyncpg(), DbKind::Postgres);
}

/// tests/fixtures/online/sqlite_locked: another connection holds a lock on
/// the database; the connect succeeds and the first statement that needs
/// the lock fails, as under pysqlite (alembic-rs's connect read the schema).
fn sqlite_locked() -> Scenario {
    Scenario::fixture(
        "sqlite_locked",
        &[
            &["-x", "lock=EXCLUSIVE", "upgrade", "head"],
            &["-x", "lock=IMMEDIATE", "upgrade", "head"],
            &["-x", "lock=EXCLUSIVE", "current"],
            &["-x", "lock=IMMEDIATE", "current"],
            &["upgrade", "head"],
            &["-x", "lock=IMMEDIATE", "downgrade", "base"],
            &["-x", "lock=EXCLUSIVE", "stamp", "base"],
            &["current"],
        ],
    )
}

#[test]
fn parity_sqlite_locked_sqlite() {
    parity(sqlite_locked(), DbKind::Sqlite);
}

/// Python functions, aggregates and collations registered on the SQLite
/// connection in a `connect` event, and SQLAlchemy's own `regexp`/`floor`,
/// used in DDL and DML; a raising function, collation and aggregate fail
/// their migrations as under pysqlite (tests/fixtures/online/
/// sqlite_functions/migrations/README). SQLite only.
fn sqlite_functions() -> Scenario {
    Scenario::fixture(
        "sqlite_functions",
        &[
            &["upgrade", "f1a2b3c4d501"],
            &["current"],
            &["upgrade", "f1a2b3c4d502"],
            &["upgrade", "fussy@head"],
            &["upgrade", "nofinal@head"],
            &["current"],
            &["downgrade", "base"],
            &["upgrade", "f1a2b3c4d501"],
        ],
    )
}

#[test]
fn parity_sqlite_functions_sqlite() {
    parity(sqlite_functions(), DbKind::Sqlite);
}

/// The `sqlite_errorcode`/`sqlite_errorname` attributes of the exceptions
/// Python 3.11+'s sqlite3 raises for errors SQLite reports (constraints,
/// mismatches, syntax, a raising function, a failed connect) and their
/// absence on pysqlite's own errors (tests/fixtures/online/
/// rw_sqlite_error_codes/migrations/README; found on tiled). SQLite only.
fn rw_sqlite_error_codes() -> Scenario {
    Scenario::fixture(
        "rw_sqlite_error_codes",
        &[&["upgrade", "head"], &["current"]],
    )
}

#[test]
fn parity_rw_sqlite_error_codes_sqlite() {
    parity(rw_sqlite_error_codes(), DbKind::Sqlite);
}

#[test]
fn parity_mysql_ddl_mysql() {
    parity(mysql_ddl(), DbKind::Mysql);
}

#[test]
fn parity_mysql_ddl_mariadb_sql_failure() {
    parity(mysql_ddl_mariadb_sql_failure(), DbKind::Mysql);
}

#[test]
fn parity_mysql_ddl_multi_statement_failure() {
    parity(mysql_ddl_multi_statement_failure(), DbKind::Mysql);
}

#[test]
fn parity_mysql_ddl_compile_failure() {
    parity(mysql_ddl_compile_failure(), DbKind::Mysql);
}

#[test]
fn harness_sqlite() {
    self_test(DbKind::Sqlite);
}

#[test]
fn harness_postgres() {
    self_test(DbKind::Postgres);
}

#[test]
fn harness_mysql() {
    self_test(DbKind::Mysql);
}

/// The fork server gives what `python -m alembic` gives: an uncaught
/// exception (traceback, exit 1), a CommandError (exit 255), `current -v`,
/// print() output from a migration.
#[test]
fn harness_fork_server_matches_subprocess() {
    if !ready(DbKind::Sqlite) {
        return;
    }
    let mut failing = failure_exception();
    failing.steps = [
        &["upgrade", "head"][..],
        &["upgrade", "nosuch"],
        &["current", "-v"],
    ]
    .iter()
    .map(|s| s.iter().map(|a| a.to_string()).collect())
    .collect();
    compare(
        &failing,
        DbKind::Sqlite,
        Runner::OracleSubprocess,
        Runner::Oracle,
    );
    let mut data = data_migration();
    data.steps.truncate(1);
    compare(
        &data,
        DbKind::Sqlite,
        Runner::OracleSubprocess,
        Runner::Oracle,
    );
    OracleServer::stop_idle();
}

/// The normalisation and diff helpers on fixed text (no database).
#[test]
fn harness_normalisation_helpers() {
    use support::online::{
        collapse_tracebacks, hide_warning_locations, rewrite_url, sort_current, subcommand,
        unified_diff,
    };

    let tb = "INFO  [x] Running upgrade\nTraceback (most recent call last):\n  File \"/a/env.py\", line 3, in <module>\n    run()\n    ^^^^^\nsqlite3.OperationalError: bad\n\nThe above exception was the direct cause of the following exception:\n\nTraceback (most recent call last):\n  File \"/b.py\", line 1\nsqlalchemy.exc.ProgrammingError: (x) syntax error\nLINE 1: UPDATE t WHERE\n                     ^\n[SQL: UPDATE t WHERE]\n";
    assert_eq!(
        collapse_tracebacks(tb),
        "INFO  [x] Running upgrade\nTraceback (most recent call last):\n  <traceback body>\nsqlite3.OperationalError: bad\n\nThe above exception was the direct cause of the following exception:\n\nTraceback (most recent call last):\n  <traceback body>\nsqlalchemy.exc.ProgrammingError: (x) syntax error\nLINE 1: UPDATE t WHERE\n                     ^\n[SQL: UPDATE t WHERE]\n"
    );

    let warned = "INFO  [x] Will assume\n/v/site-packages/alembic/script/revision.py:1168: UserWarning: downgrade -1 from multiple heads is ambiguous; x: y\n  util.warn(\nINFO  [x] Running\n";
    assert_eq!(
        hide_warning_locations(warned),
        "INFO  [x] Will assume\nUserWarning: downgrade -1 from multiple heads is ambiguous; x: y\nINFO  [x] Running\n"
    );
    let shim = "<alembic-rs>/alembic/_rs/host.py:138: UserWarning: m\n  return plan()\n";
    assert_eq!(hide_warning_locations(shim), "UserWarning: m\n");
    // Not a warning location: kept.
    let plain = "FAILED: a: UserWarning: b\nINFO  [alembic] x: 1: SAWarning\n";
    assert_eq!(hide_warning_locations(plain), plain);

    assert_eq!(sort_current("b (head)\na\n"), "a\nb (head)\n");
    let verbose = "Current revision(s) for sqlite:///<DB>:\nRev: b (head)\nParent: x\n\n    b\n\nRev: a (head)\nParent: y\n\n    a\n\n";
    assert_eq!(
        sort_current(verbose),
        "Current revision(s) for sqlite:///<DB>:\nRev: a (head)\nParent: y\n\n    a\n\nRev: b (head)\nParent: x\n\n    b\n\n"
    );
    assert_eq!(sort_current(""), "");

    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        subcommand(&args(&["-c", "x.ini", "--raiseerr", "current", "-v"])),
        Some("current")
    );
    assert_eq!(
        subcommand(&args(&["-x", "a=b", "-n", "db2", "upgrade", "head"])),
        Some("upgrade")
    );

    let ini = "[alembic]\nscript_location = m\nsqlalchemy.url = driver://u@h/db\n# sqlalchemy.url = no\n[other]\nsqlalchemy.url: y\r\n";
    assert_eq!(
        rewrite_url(ini, "sqlite:////t/100%.db"),
        "[alembic]\nscript_location = m\nsqlalchemy.url = sqlite:////t/100%%.db\n# sqlalchemy.url = no\n[other]\nsqlalchemy.url = sqlite:////t/100%%.db\r\n"
    );

    let d = unified_diff("a\nb\nc\n", "a\nB\nc\n", "left", "right");
    assert!(
        d.contains("--- left\n+++ right\n@@ -1,4 +1,4 @@\n a\n-b\n+B\n c\n"),
        "{d}"
    );
    let d = unified_diff("x \n", "x\n", "l", "r");
    assert!(d.ends_with("(the two differ only in whitespace)\n"), "{d}");
}
