//! What env.py's RevisionContext decided to write (`revision --autogenerate`,
//! `revision_environment`, `process_revision_directives`), read back after
//! env.py has run. The template keywords stay in Python (they can be any
//! object); [`super::TemplateSession::render`] fetches them by index.

use pyo3::prelude::*;

use super::HostError;
use crate::autogen::metadata::{ModelColumn, ModelIndex, ModelTable, ModelUnique};
use crate::autogen::model::ForeignKey;

/// One `MigrationScript` to write.
#[derive(Debug, Clone, Default)]
pub struct GeneratedScript {
    pub rev_id: String,
    pub message: Option<String>,
    /// `head`: one identifier, or several (a tuple given by a hook).
    pub head: Vec<String>,
    pub head_is_tuple: bool,
    pub splice: bool,
    pub branch_labels: Vec<String>,
    pub version_path: Option<String>,
    pub depends_on: Vec<String>,
}

/// A string, a sequence of strings, or None, as a list.
fn strings(value: &Bound<'_, PyAny>) -> PyResult<(Vec<String>, bool)> {
    if value.is_none() {
        Ok((Vec::new(), false))
    } else if let Ok(s) = value.extract::<String>() {
        Ok((vec![s], false))
    } else {
        Ok((value.extract::<Vec<String>>()?, true))
    }
}

/// `RevisionContext.generated_revisions`, in order.
pub fn generated_scripts() -> Result<Vec<GeneratedScript>, HostError> {
    Python::attach(|py| -> PyResult<Vec<GeneratedScript>> {
        let list = py
            .import("alembic._rs.autogen")?
            .call_method0("generated")?;
        let mut out = Vec::new();
        for item in list.try_iter()? {
            let item = item?;
            let get = |k: &str| item.get_item(k);
            let (head, head_is_tuple) = strings(&get("head")?)?;
            out.push(GeneratedScript {
                rev_id: get("rev_id")?.str()?.to_string(),
                message: get("message")?.extract()?,
                head,
                head_is_tuple,
                splice: get("splice")?.extract()?,
                branch_labels: strings(&get("branch_label")?)?.0,
                version_path: get("version_path")?.extract()?,
                depends_on: strings(&get("depends_on")?)?.0,
            });
        }
        Ok(out)
    })
    .map_err(|e| Python::attach(|py| super::env::report(py, e)))
}

/// The host's summary of one metadata table (`alembic._rs.autogen`
/// `_summarise`): plain tuples, in the field order of the Rust structs.
pub(super) fn model_tables(items: &Bound<'_, PyAny>) -> PyResult<Vec<ModelTable>> {
    type Col = (String, Option<String>, bool, bool, Option<String>);
    type Ix = (Option<String>, Vec<String>, bool);
    type Uq = (Option<String>, Vec<String>);
    type Fk = (
        Option<String>,
        Vec<String>,
        Option<String>,
        String,
        Vec<String>,
        Option<String>,
        Option<String>,
        Option<bool>,
        Option<String>,
    );
    let mut out = Vec::new();
    for item in items.try_iter()? {
        let item = item?;
        #[allow(clippy::type_complexity)]
        let (schema, name, columns, indexes, uniques, fks, comment, opaque): (
            Option<String>,
            String,
            Vec<Col>,
            Vec<Ix>,
            Vec<Uq>,
            Vec<Fk>,
            Option<String>,
            bool,
        ) = item.extract()?;
        out.push(ModelTable {
            schema,
            name,
            columns: columns
                .into_iter()
                .map(
                    |(name, type_compiled, nullable, has_server_default, comment)| ModelColumn {
                        name,
                        type_compiled,
                        nullable,
                        has_server_default,
                        comment,
                    },
                )
                .collect(),
            indexes: indexes
                .into_iter()
                .map(|(name, columns, unique)| ModelIndex {
                    name,
                    columns,
                    unique,
                })
                .collect(),
            uniques: uniques
                .into_iter()
                .map(|(name, columns)| ModelUnique { name, columns })
                .collect(),
            foreign_keys: fks
                .into_iter()
                .map(|f| ForeignKey {
                    name: f.0,
                    columns: f.1,
                    referred_schema: f.2,
                    referred_table: f.3,
                    referred_columns: f.4,
                    ondelete: f.5,
                    onupdate: f.6,
                    deferrable: f.7,
                    initially: f.8,
                    ..ForeignKey::default()
                })
                .collect(),
            comment,
            opaque,
        });
    }
    Ok(out)
}
