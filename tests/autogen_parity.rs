//! `check` and `revision --autogenerate`, alembic-rs against real Alembic.
//!
//! Each scenario (a directory of tests/fixtures/autogen/scenarios, whose
//! README says the layout; read by tests/autogen/scenarios.rs) is a models
//! module, the database state it is compared with, and the
//! `context.configure` options of its env.py; the harness that runs them
//! (flows, normalisation, comparison) is tests/autogen/mod.rs. Per scenario
//! and database (SQLite file, PostgreSQL, MariaDB; fresh, uniquely named):
//!
//! 1. the database state: the oracle runs `upgrade head` on a first revision
//!    whose `upgrade()` runs the scenario's setup SQL and then
//!    `base_models.metadata.create_all(op.get_bind())` (the "not at head"
//!    scenario runs `stamp base` instead: an empty version table);
//! 2. `check` through both tools (exit code, stdout, stderr compared);
//! 3. `revision --autogenerate -m drift --rev-id <fixed>` through both, each
//!    in its own copy of the project: exit code, stdout, stderr, the names
//!    of the files in `versions/` and their text (without the `Create
//!    Date:` line) compared;
//! 4. `upgrade head` through alembic-rs in its copy (applying the file it
//!    wrote), then `check` again through both, in their copies (the version
//!    table says the fixed revision, which both copies have): compared, and
//!    both must print `No new upgrade operations detected.`
//!
//! The two copies share the one database: neither `check` nor `revision`
//! writes to it once it has a version table. Outputs are normalised as in tests/support/online.rs (each
//! copy's directory -> <PROJECT>, the database -> <DB>, traceback bodies).
//! A test reports every mismatch of its run, each with a unified diff.
//!
//! `example_project_*`: the repository's own project (alembic.ini, alembic/,
//! proxie/), edited as the seed guide's "Adding a Column" says: upgrade,
//! check, add a column to a model, check, autogenerate, upgrade, check.
//!
//! `harness_*`: real Alembic against itself, every scenario of a dialect:
//! proves that each scenario runs cleanly on the oracle side (its generated
//! migration applies and leaves no drift) and that the normalisation leaves
//! nothing run-specific.
//!
//! Gates as in tests/parity_online.rs: ALEMBIC_RS_ONLINE_PARITY=0 skips the
//! parity tests, ALEMBIC_RS_MYSQL_PARITY=0 the MariaDB ones. Needs the
//! oracle (scripts/test-env.sh), PostgreSQL and MariaDB on 127.0.0.1;
//! missing ones skip locally and fail under CI.

mod autogen;
mod support;
use std::path::Path;

use autogen::scenarios::{Drift, fixtures, load, scenario, scenarios, write_project};
use autogen::{
    DRIFT_STEPS, Flow, SERIAL_NOTE, Step, enabled, mask_addresses, report, run_drift, run_flow,
    sort_serial_notes,
};
use support::online::{DbKind, FreshDb, Runner, copy_dir, manifest_dir, mysql_allowed, ready};

/// The repository's example project (alembic.ini, alembic/, proxie/).
fn example_template() -> tempfile::TempDir {
    let tmp = tempfile::Builder::new()
        .prefix("alembic-autogen-example-")
        .tempdir()
        .unwrap();
    let root = manifest_dir();
    std::fs::copy(root.join("alembic.ini"), tmp.path().join("alembic.ini")).unwrap();
    copy_dir(&root.join("alembic"), &tmp.path().join("alembic"));
    copy_dir(&root.join("proxie"), &tmp.path().join("proxie"));
    tmp
}

/// The seed guide's "Adding a Column": a new model attribute on Provider.
fn add_provider_column(root: &Path) {
    let path = root.join("proxie/models.py");
    let text = std::fs::read_to_string(&path).unwrap();
    let anchor = "    bio: Mapped[Optional[str]] = mapped_column(Text)\n";
    assert_eq!(text.matches(anchor).count(), 1, "proxie/models.py changed");
    let added = "    website: Mapped[Optional[str]] = mapped_column(String(255))\n";
    std::fs::write(&path, text.replace(anchor, &format!("{anchor}{added}"))).unwrap();
}

/// The project of tests/fixtures/autogen/entry_point_plugin: a scenario
/// whose project also holds a third-party plugin published under the
/// `alembic.plugins` entry point group (acme_plugin.py and its
/// `*.dist-info`, found through `sys.path`), set up at start-up, before the
/// built-in plugins, and enabled by the `acme.*` wildcard. Its table
/// comparison sees every existing table.
fn entry_point_template() -> (Drift, tempfile::TempDir) {
    let src = fixtures().join("entry_point_plugin");
    let s = load(&src);
    let template = write_project(&s);
    let root = template.path();
    std::fs::copy(src.join("acme_plugin.py"), root.join("acme_plugin.py")).unwrap();
    let dist = "acme_plugin-0.1.dist-info";
    copy_dir(&src.join(dist), &root.join(dist));
    (s, template)
}

/// [`entry_point_template`] through real Alembic as a fresh `python -m
/// alembic` (the fork server imported Alembic, and read the entry points,
/// before it saw the project) and alembic-rs.
fn entry_point_plugin(kind: DbKind) {
    if !enabled(kind) {
        return;
    }
    let (s, template) = entry_point_template();
    let root = template.path();
    let db = FreshDb::create(kind);
    let mut steps = vec![Step::Setup(&["upgrade", "head"])];
    steps.extend_from_slice(DRIFT_STEPS);
    let flow = Flow {
        title: format!("scenario `{}` on {}", s.name, kind.label()),
        template: root,
        versions: "migrations/versions",
        db: &db,
        env: Vec::new(),
        steps,
        ends_clean: s.ends_clean,
    };
    let problems = run_flow(&flow, (Runner::OracleSubprocess, Runner::AlembicRs));
    report(&flow.title, problems);
}

#[test]
fn entry_point_plugin_sqlite() {
    entry_point_plugin(DbKind::Sqlite);
}

#[test]
fn entry_point_plugin_postgres() {
    entry_point_plugin(DbKind::Postgres);
}

#[test]
fn entry_point_plugin_mysql() {
    entry_point_plugin(DbKind::Mysql);
}

/// The oracle against alembic-rs on one scenario and dialect.
fn parity(name: &str, kind: DbKind) {
    if !enabled(kind) {
        return;
    }
    let problems = run_drift(scenario(name), kind, (Runner::Oracle, Runner::AlembicRs));
    report(&format!("scenario `{name}` on {}", kind.label()), problems);
}

/// The oracle against itself on every scenario of `kind` and the example
/// project, two at a time.
fn self_test(kind: DbKind) {
    if !(mysql_allowed(kind) && ready(kind)) {
        return;
    }
    let queue = std::sync::Mutex::new(
        scenarios()
            .iter()
            .filter(|s| s.dialects.contains(&kind))
            .map(Some)
            .chain([None])
            .collect::<Vec<_>>(),
    );
    let problems = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|sc| {
        for _ in 0..2 {
            sc.spawn(|| {
                loop {
                    let Some(s) = queue.lock().unwrap().pop() else {
                        break;
                    };
                    let runners = (Runner::Oracle, Runner::Oracle);
                    let found = match s {
                        Some(s) => run_drift(s, kind, runners),
                        None => run_example_project(kind, runners),
                    };
                    problems.lock().unwrap().extend(found);
                }
            });
        }
    });
    report(
        &format!("Alembic against itself on {}", kind.label()),
        problems.into_inner().unwrap(),
    );
}

/// The `multidb` template's env.py (engine1 on the flow's database, engine2
/// on a second one, each comparing only its own tables): one revision file with
/// `engine1_upgrades` / `engine2_upgrades` bodies.
fn multidb_template() -> tempfile::TempDir {
    let tmp = tempfile::Builder::new()
        .prefix("alembic-autogen-multidb-")
        .tempdir()
        .unwrap();
    let root = tmp.path();
    let src = manifest_dir().join("templates/multidb");
    std::fs::create_dir_all(root.join("migrations/versions")).unwrap();
    let ini = std::fs::read_to_string(src.join("alembic.ini.mako"))
        .unwrap()
        .replace("${script_location}", "%(here)s/migrations");
    std::fs::write(root.join("alembic.ini"), ini).unwrap();
    std::fs::copy(
        src.join("script.py.mako"),
        root.join("migrations/script.py.mako"),
    )
    .unwrap();
    let env = std::fs::read_to_string(src.join("env.py"))
        .unwrap()
        .replace(
            "target_metadata = {}",
            "import models\ntarget_metadata = {\"engine1\": models.m1, \"engine2\": models.m2}",
        )
        // engine2 on its own database (two engines in one database would
        // wait on each other's open transaction, under Alembic too).
        .replace(
            "            context.config.get_section(name, {}),\n",
            "            dict(context.config.get_section(name, {}), **({\"sqlalchemy.url\": __import__(\"os\").environ[\"ENGINE2_URL\"]} if name == \"engine2\" else {})),\n",
        )
        .replace(
            "                target_metadata=target_metadata.get(name),\n            )\n            context.run_migrations(engine_name=name)",
            "                target_metadata=target_metadata.get(name),\n                include_name=lambda n, t, p: t != \"table\" or n.startswith(\"t\" + name[-1]),\n            )\n            context.run_migrations(engine_name=name)",
        );
    assert!(
        env.contains("include_name") && env.contains("ENGINE2_URL"),
        "multidb env.py changed shape"
    );
    std::fs::write(root.join("migrations/env.py"), env).unwrap();
    std::fs::write(
        root.join("models.py"),
        "import sqlalchemy as sa\n\
         m1 = sa.MetaData()\n\
         sa.Table(\"t1_a\", m1, sa.Column(\"id\", sa.Integer, primary_key=True), sa.Column(\"x\", sa.String(20)))\n\
         m2 = sa.MetaData()\n\
         sa.Table(\"t2_b\", m2, sa.Column(\"id\", sa.Integer, primary_key=True), sa.Column(\"y\", sa.Text, index=True))\n",
    )
    .unwrap();
    tmp
}

fn multidb(kind: DbKind) {
    if !enabled(kind) {
        return;
    }
    let template = multidb_template();
    let db = FreshDb::create(kind);
    let db2 = FreshDb::create(kind);
    let flow = Flow {
        title: format!("multidb template on {}", kind.label()),
        template: template.path(),
        versions: "migrations/versions",
        db: &db,
        env: vec![("ENGINE2_URL".to_string(), db2.url())],
        // `stamp base` first: `check` creates a missing version table, and
        // the two tools run on the same databases.
        steps: vec![
            Step::Setup(&["stamp", "base"]),
            Step::Both(&["check"]),
            Step::Autogenerate,
            Step::Apply,
            Step::CheckClean,
        ],
        ends_clean: true,
    };
    let problems = run_flow(&flow, (Runner::Oracle, Runner::AlembicRs));
    report(&flow.title, problems);
}

#[test]
fn multidb_sqlite() {
    multidb(DbKind::Sqlite);
}

#[test]
fn multidb_postgres() {
    multidb(DbKind::Postgres);
}

/// The example project: upgrade, check, the seed guide's "Adding a Column",
/// check, autogenerate, upgrade, check; the mismatches found.
fn run_example_project(kind: DbKind, runners: (Runner, Runner)) -> Vec<String> {
    let template = example_template();
    let db = FreshDb::create(kind);
    // env.py takes the URL from the application's settings (DATABASE_URL).
    let env = vec![("DATABASE_URL".to_string(), db.url())];
    let steps = vec![
        Step::Setup(&["upgrade", "head"]),
        Step::Both(&["check"]),
        Step::Edit(add_provider_column),
        Step::Both(&["check"]),
        Step::Autogenerate,
        Step::Apply,
        Step::CheckClean,
    ];
    let flow = Flow {
        title: format!("example project on {}", kind.label()),
        template: template.path(),
        versions: "alembic/versions",
        db: &db,
        env,
        steps,
        ends_clean: true,
    };
    run_flow(&flow, runners)
}

fn example_project(kind: DbKind) {
    if !enabled(kind) {
        return;
    }
    let problems = run_example_project(kind, (Runner::Oracle, Runner::AlembicRs));
    report(&format!("example project on {}", kind.label()), problems);
}

// ---------------------------------------------------------------------------
// Tests

macro_rules! drift_tests {
    ($($scenario:literal: $($test:ident = $kind:ident),+;)*) => {
        $($(
            #[test]
            fn $test() {
                parity($scenario, DbKind::$kind);
            }
        )+)*
        /// Every (scenario, dialect) with a test above.
        const TESTED: &[(&str, DbKind)] = &[$($(($scenario, DbKind::$kind)),+),*];
    };
}

drift_tests! {
    "no_changes": no_changes_sqlite = Sqlite, no_changes_postgres = Postgres, no_changes_mysql = Mysql;
    "debug_logging": debug_logging_sqlite = Sqlite, debug_logging_postgres = Postgres,
        debug_logging_mysql = Mysql;
    "new_table": new_table_sqlite = Sqlite, new_table_postgres = Postgres, new_table_mysql = Mysql;
    "dropped_table": dropped_table_sqlite = Sqlite, dropped_table_postgres = Postgres,
        dropped_table_mysql = Mysql;
    "add_column": add_column_sqlite = Sqlite, add_column_postgres = Postgres, add_column_mysql = Mysql;
    "drop_column": drop_column_sqlite = Sqlite, drop_column_postgres = Postgres,
        drop_column_mysql = Mysql;
    "nullable_change": nullable_change_sqlite = Sqlite, nullable_change_postgres = Postgres,
        nullable_change_mysql = Mysql;
    "type_change": type_change_sqlite = Sqlite, type_change_postgres = Postgres,
        type_change_mysql = Mysql;
    "server_default_change": server_default_change_sqlite = Sqlite,
        server_default_change_postgres = Postgres, server_default_change_mysql = Mysql;
    "column_comment": column_comment_sqlite = Sqlite, column_comment_postgres = Postgres,
        column_comment_mysql = Mysql;
    "table_comment": table_comment_sqlite = Sqlite, table_comment_postgres = Postgres,
        table_comment_mysql = Mysql;
    "indexes": indexes_sqlite = Sqlite, indexes_postgres = Postgres, indexes_mysql = Mysql;
    "indexes_expression_partial": indexes_expression_partial_postgres = Postgres;
    "unique_constraints": unique_constraints_sqlite = Sqlite, unique_constraints_postgres = Postgres,
        unique_constraints_mysql = Mysql;
    "foreign_keys": foreign_keys_sqlite = Sqlite, foreign_keys_postgres = Postgres,
        foreign_keys_mysql = Mysql;
    "foreign_key_ondelete": foreign_key_ondelete_sqlite = Sqlite,
        foreign_key_ondelete_postgres = Postgres, foreign_key_ondelete_mysql = Mysql;
    "pg_enum": pg_enum_postgres = Postgres;
    "pg_unrecognised_type": pg_unrecognised_type_postgres = Postgres;
    "pg_schema_fk_target": pg_schema_fk_target_postgres = Postgres;
    "unique_renamed_beside_unnamed": unique_renamed_beside_unnamed_sqlite = Sqlite,
        unique_renamed_beside_unnamed_postgres = Postgres,
        unique_renamed_beside_unnamed_mysql = Mysql;
    "expression_index_dropped": expression_index_dropped_sqlite = Sqlite,
        expression_index_dropped_postgres = Postgres;
    "pg_schemas": pg_schemas_postgres = Postgres;
    "naming_convention": naming_convention_sqlite = Sqlite, naming_convention_postgres = Postgres,
        naming_convention_mysql = Mysql;
    "include_object": include_object_sqlite = Sqlite, include_object_postgres = Postgres,
        include_object_mysql = Mysql;
    "include_name_identical": include_name_identical_sqlite = Sqlite,
        include_name_identical_postgres = Postgres, include_name_identical_mysql = Mysql;
    "render_as_batch": render_as_batch_sqlite = Sqlite, render_as_batch_postgres = Postgres,
        render_as_batch_mysql = Mysql;
    "models_from_revision_import": models_from_revision_import_sqlite = Sqlite,
        models_from_revision_import_postgres = Postgres,
        models_from_revision_import_mysql = Mysql;
    "declarative": declarative_sqlite = Sqlite, declarative_postgres = Postgres,
        declarative_mysql = Mysql;
    "not_at_head": not_at_head_sqlite = Sqlite, not_at_head_postgres = Postgres,
        not_at_head_mysql = Mysql;
    "no_target_metadata": no_target_metadata_sqlite = Sqlite, no_target_metadata_postgres = Postgres,
        no_target_metadata_mysql = Mysql;
    "check_constraints_plugin": check_constraints_plugin_sqlite = Sqlite,
        check_constraints_plugin_postgres = Postgres, check_constraints_plugin_mysql = Mysql;
    "check_constraints_legacy_name": check_constraints_legacy_name_sqlite = Sqlite,
        check_constraints_legacy_name_postgres = Postgres,
        check_constraints_legacy_name_mysql = Mysql;
    "check_constraints_plugin_off": check_constraints_plugin_off_sqlite = Sqlite,
        check_constraints_plugin_off_postgres = Postgres,
        check_constraints_plugin_off_mysql = Mysql;
    "check_constraints_plugin_excluded": check_constraints_plugin_excluded_sqlite = Sqlite,
        check_constraints_plugin_excluded_postgres = Postgres,
        check_constraints_plugin_excluded_mysql = Mysql;
    "check_constraints_unknown_plugin": check_constraints_unknown_plugin_sqlite = Sqlite,
        check_constraints_unknown_plugin_postgres = Postgres,
        check_constraints_unknown_plugin_mysql = Mysql;
    "sqlite_type_affinity": sqlite_type_affinity_sqlite = Sqlite;
    "sqlite_constraint_text": sqlite_constraint_text_sqlite = Sqlite;
    "custom_plugin": custom_plugin_sqlite = Sqlite, custom_plugin_postgres = Postgres,
        custom_plugin_mysql = Mysql;
}

#[test]
fn harness_mask_addresses() {
    assert_eq!(
        mask_addresses("(<X object at 0x7f63b53f6ed0>, <now at 0xab; now>, at 0x)"),
        "(<X object at 0x?>, <now at 0x?; now>, at 0x)"
    );
}

#[test]
fn harness_sort_serial_notes() {
    let b = format!("{SERIAL_NOTE}'b_id_seq'");
    let a = format!("{SERIAL_NOTE}'a_id_seq'");
    let text = format!("x\n{b}\n{a}\ny\n{b}\n");
    assert_eq!(sort_serial_notes(&text), format!("x\n{a}\n{b}\ny\n{b}\n"));
}

/// The test list above and the scenarios' dialects agree.
#[test]
fn every_scenario_and_dialect_has_a_test() {
    let mut wanted: Vec<(&str, &str)> = scenarios()
        .iter()
        .flat_map(|s| s.dialects.iter().map(move |k| (s.name.as_str(), k.label())))
        .collect();
    let mut tested: Vec<(&str, &str)> = TESTED.iter().map(|(n, k)| (*n, k.label())).collect();
    wanted.sort();
    tested.sort();
    assert_eq!(wanted, tested);
}

#[test]
fn example_project_sqlite() {
    example_project(DbKind::Sqlite);
}

#[test]
fn example_project_postgres() {
    example_project(DbKind::Postgres);
}

#[test]
fn example_project_mysql() {
    example_project(DbKind::Mysql);
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
