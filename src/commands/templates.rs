//! `alembic list_templates`: the templates Alembic ships, with the first
//! line of each README.

use crate::ui::Ui;

/// Name and synopsis of every template `init` knows. Alembic lists them in
/// directory order, which is filesystem-dependent; this is the order seen
/// on Linux/ext4 in the reference capture.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "pyproject_async",
        "pyproject configuration, with an async dbapi.",
    ),
    ("multidb", "Rudimentary multi-database configuration."),
    ("generic", "Generic single-database configuration."),
    (
        "pyproject",
        "pyproject configuration, based on the generic configuration.",
    ),
    (
        "async",
        "Generic single-database configuration with an async dbapi.",
    ),
];

pub fn list_templates(ui: &mut Ui) {
    ui.print_stdout("Available templates:\n");
    for (name, synopsis) in TEMPLATES {
        ui.print_stdout(&format!("{name} - {synopsis}"));
    }
    ui.print_stdout("\nTemplates are used via the 'init' command, e.g.:");
    ui.print_stdout("\n  alembic init --template generic ./scripts");
}
