//! The drift scenarios, read from tests/fixtures/autogen (its README says
//! the layout), and the project each is written into.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::Deserialize;

use crate::support::online::{DbKind, manifest_dir, python};

/// One drift scenario.
pub struct Drift {
    pub name: String,
    pub dialects: Vec<DbKind>,
    /// base_models.py after prelude.py: the database state (defines
    /// `metadata`).
    pub before: String,
    /// models.py after prelude.py: what env.py compares with (defines
    /// `metadata`).
    pub after: String,
    /// SQL the first revision runs before `create_all` (schemas).
    pub setup_sql: Vec<String>,
    /// Python placed in env.py before `context.configure` (hooks).
    pub env_code: String,
    /// Module-level Python of the first revision, after its imports
    /// (Alembic imports every revision file when autogenerate first loads
    /// its revision map).
    pub revision_code: String,
    /// Keyword arguments added to `context.configure(connection=...,
    /// target_metadata=target_metadata, ...)`.
    pub configure: String,
    /// The `target_metadata` expression of env.py.
    pub target: String,
    /// Whether the first revision is applied before the comparisons.
    pub at_head: bool,
    /// Whether the final `check` must find nothing.
    pub ends_clean: bool,
    /// Whether the written migration is applied and checked again (not
    /// when it cannot run: an `include_name` that hides what exists).
    pub applies: bool,
}

/// A scenario's scenario.toml; every key optional.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Settings {
    /// Labels of [`DbKind`]; all three when absent.
    dialects: Option<Vec<String>>,
    /// A shared model of models/ by name, instead of the scenario's own
    /// before.py.
    before: Option<String>,
    /// The same for after.py.
    after: Option<String>,
    configure: Option<String>,
    /// Appends [`BATCH_ON_SQLITE`] to `configure`.
    #[serde(default)]
    batch_on_sqlite: bool,
    target: Option<String>,
    at_head: Option<bool>,
    ends_clean: Option<bool>,
    applies: Option<bool>,
}

/// Scenarios that alter columns use batch mode on SQLite, as Alembic's
/// documentation recommends (SQLite has no ALTER COLUMN).
const BATCH_ON_SQLITE: &str = "render_as_batch=connection.dialect.name == \"sqlite\"";

/// The model of a scenario that names none: models/users_posts.py.
const DEFAULT_MODEL: &str = "users_posts";

/// tests/fixtures/autogen.
pub fn fixtures() -> PathBuf {
    manifest_dir().join("tests/fixtures/autogen")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The file's text, or "" when it does not exist.
fn read_optional(path: &Path) -> String {
    if path.exists() {
        read(path)
    } else {
        String::new()
    }
}

/// The models of `role` (before, after): the scenario's own `<role>.py`,
/// else the shared model its scenario.toml names, else the default one.
fn model(dir: &Path, role: &str, shared: Option<&str>) -> String {
    let own = dir.join(format!("{role}.py"));
    match (own.exists(), shared) {
        (true, Some(_)) => panic!(
            "{}: both {role}.py and `{role}` in scenario.toml",
            dir.display()
        ),
        (true, None) => read(&own),
        (false, shared) => read(
            &fixtures()
                .join("models")
                .join(format!("{}.py", shared.unwrap_or(DEFAULT_MODEL))),
        ),
    }
}

/// The scenario in `dir` (named after the directory).
pub fn load(dir: &Path) -> Drift {
    let toml_path = dir.join("scenario.toml");
    let settings: Settings = toml::from_str(&read(&toml_path))
        .unwrap_or_else(|e| panic!("{}: {e}", toml_path.display()));
    let dialects = match &settings.dialects {
        None => vec![DbKind::Sqlite, DbKind::Postgres, DbKind::Mysql],
        Some(names) => names
            .iter()
            .map(|n| {
                [DbKind::Sqlite, DbKind::Postgres, DbKind::Mysql]
                    .into_iter()
                    .find(|k| k.label() == n)
                    .unwrap_or_else(|| panic!("{}: no dialect {n}", toml_path.display()))
            })
            .collect(),
    };
    // Statements, each ending in `;` at the end of a line.
    let setup_sql = read_optional(&dir.join("setup.sql"))
        .split_terminator(";\n")
        .map(str::to_string)
        .collect();
    let configure = settings.configure.unwrap_or_default();
    let configure = match (configure.is_empty(), settings.batch_on_sqlite) {
        (_, false) => configure,
        (true, true) => BATCH_ON_SQLITE.to_string(),
        (false, true) => format!("{configure}, {BATCH_ON_SQLITE}"),
    };
    Drift {
        name: dir.file_name().unwrap().to_string_lossy().into_owned(),
        dialects,
        before: model(dir, "before", settings.before.as_deref()),
        after: model(dir, "after", settings.after.as_deref()),
        setup_sql,
        env_code: read_optional(&dir.join("env_code.py")),
        revision_code: read_optional(&dir.join("revision_code.py")),
        configure,
        target: settings
            .target
            .unwrap_or_else(|| "models.metadata".to_string()),
        at_head: settings.at_head.unwrap_or(true),
        ends_clean: settings.ends_clean.unwrap_or(true),
        applies: settings.applies.unwrap_or(true),
    }
}

/// The scenarios of tests/fixtures/autogen/scenarios, by name.
pub fn scenarios() -> &'static [Drift] {
    static SCENARIOS: OnceLock<Vec<Drift>> = OnceLock::new();
    SCENARIOS.get_or_init(|| {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures().join("scenarios"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        dirs.sort();
        dirs.iter().map(|d| load(d)).collect()
    })
}

pub fn scenario(name: &str) -> &'static Drift {
    scenarios()
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no scenario {name}"))
}

/// env.py in the generic template's shape (online only).
fn env_py(s: &Drift) -> String {
    let configure = if s.configure.is_empty() {
        String::new()
    } else {
        format!("\n            {},", s.configure)
    };
    format!(
        r#"from logging.config import fileConfig

from sqlalchemy import engine_from_config, pool

from alembic import context

import models

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)

target_metadata = {target}
{env_code}

def run_migrations_online() -> None:
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {{}}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,{configure}
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
"#,
        target = s.target,
        env_code = s.env_code,
    )
}

/// The first revision: the scenario's setup SQL, then `create_all` of
/// base_models.py.
fn base_revision(s: &Drift) -> String {
    let sql: String = s
        .setup_sql
        .iter()
        .map(|q| format!("    op.execute({q:?})\n"))
        .collect();
    format!(
        r#""""base

Revision ID: 0001base
Revises:
Create Date: 2026-01-01 00:00:00.000000

"""
from alembic import op
{revision_code}
revision = "0001base"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    import base_models

{sql}    base_models.metadata.create_all(op.get_bind())


def downgrade():
    pass
"#,
        revision_code = s.revision_code,
    )
}

/// The oracle's generic script.py.mako.
fn generic_mako() -> PathBuf {
    let out = std::process::Command::new(python())
        .args([
            "-c",
            "import alembic, os; print(os.path.join(os.path.dirname(alembic.__file__), 'templates', 'generic', 'script.py.mako'))",
        ])
        .output()
        .unwrap();
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

/// The scenario's project, written into a new temporary directory (the
/// template both sides' copies come from).
pub fn write_project(s: &Drift) -> tempfile::TempDir {
    let tmp = tempfile::Builder::new()
        .prefix("alembic-autogen-")
        .tempdir()
        .unwrap();
    let root = tmp.path();
    let versions = root.join("migrations/versions");
    std::fs::create_dir_all(&versions).unwrap();
    std::fs::copy(generic_mako(), root.join("migrations/script.py.mako")).unwrap();
    let prelude = read(&fixtures().join("prelude.py"));
    let files = [
        ("alembic.ini", read(&fixtures().join("alembic.ini"))),
        ("migrations/env.py", env_py(s)),
        ("migrations/versions/0001base_base.py", base_revision(s)),
        ("base_models.py", format!("{prelude}{}", s.before)),
        ("models.py", format!("{prelude}{}", s.after)),
    ];
    for (name, text) in files {
        std::fs::write(root.join(name), text).unwrap();
    }
    tmp
}
