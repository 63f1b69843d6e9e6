//! `_alembic_rs`: what the shim calls into. Graph answers (steps, heads,
//! revision lookups) come from the loaded `Scripts`; DDL text from `ddl`;
//! the database from `db` through [`super::dbapi`].

use pyo3::exceptions::{PyAssertionError, PyException, PyIndexError, PyKeyError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use super::state::{self, EnvCommand};
use crate::commands::{Catch, CommandError, Scripts};
use crate::ddl;
use crate::revision::{RevArg, RevisionError, RevisionMap};
use crate::runtime::{Heads, Step, StepError, VersionOp};

pyo3::create_exception!(_alembic_rs, DatabaseFailure, PyException);

#[pymodule]
pub fn _alembic_rs(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("DatabaseFailure", m.py().get_type::<DatabaseFailure>())?;
    m.add_class::<super::dbapi::RawConnection>()?;
    m.add_class::<super::convert::QuotedSql>()?;
    m.add_class::<PyStep>()?;
    m.add_class::<HeadMaintainer>()?;
    m.add_class::<super::static_path::StaticPath>()?;
    m.add_function(wrap_pyfunction!(super::dbapi::sqlite_version, m)?)?;
    m.add_function(wrap_pyfunction!(super::dbapi::copy_direction, m)?)?;
    m.add_function(wrap_pyfunction!(plan, m)?)?;
    m.add_function(wrap_pyfunction!(set_version_locations, m)?)?;
    m.add_function(wrap_pyfunction!(current_lines, m)?)?;
    m.add_function(wrap_pyfunction!(display_lines, m)?)?;
    m.add_function(wrap_pyfunction!(as_revision_number, m)?)?;
    m.add_function(wrap_pyfunction!(get_revision, m)?)?;
    m.add_function(wrap_pyfunction!(script_links, m)?)?;
    m.add_function(wrap_pyfunction!(script_format, m)?)?;
    m.add_function(wrap_pyfunction!(get_revisions, m)?)?;
    m.add_function(wrap_pyfunction!(get_all_current, m)?)?;
    m.add_function(wrap_pyfunction!(iterate_revisions, m)?)?;
    m.add_function(wrap_pyfunction!(get_current_head, m)?)?;
    m.add_function(wrap_pyfunction!(get_bases, m)?)?;
    m.add_function(wrap_pyfunction!(revision_files_to_import, m)?)?;
    m.add_function(wrap_pyfunction!(open_in_editor, m)?)?;
    m.add_function(wrap_pyfunction!(ddl_add_column, m)?)?;
    m.add_function(wrap_pyfunction!(ddl_drop_column, m)?)?;
    m.add_function(wrap_pyfunction!(ddl_rename_table, m)?)?;
    m.add_function(wrap_pyfunction!(ddl_alter_column, m)?)?;
    m.add_function(wrap_pyfunction!(ddl_mysql_alter_column, m)?)?;
    Ok(())
}

/// A revision error as Alembic's `CommandError` (or the crash it would be).
pub(super) fn command_error(py: Python<'_>, err: CommandError) -> PyErr {
    match err {
        CommandError::Uncaught(line) => uncaught(py, &line),
        CommandError::Revision { message, cause } => {
            let chained = || -> PyResult<PyErr> {
                let exc = py
                    .import("alembic.util.exc")?
                    .getattr("CommandError")?
                    .call1((message.as_str(),))?;
                let cause = revision_error_object(py, &cause)?;
                let exc = py
                    .import("alembic._rs")?
                    .getattr("raised_from")?
                    .call1((exc, cause))?;
                Ok(PyErr::from_value(exc))
            };
            chained().unwrap_or_else(|e| e)
        }
        other => match py
            .import("alembic.util.exc")
            .and_then(|m| m.getattr("CommandError"))
        {
            Ok(cls) => PyErr::from_value(
                cls.call1((other.to_string(),))
                    .unwrap_or_else(|e| e.into_value(py).into_bound(py).into_any()),
            ),
            Err(e) => e,
        },
    }
}

/// The exception line Alembic dies with (`AssertionError`, `KeyError: 'x'`,
/// `TypeError: ...`) raised as that built-in exception, so the traceback
/// ends with the same line; any other line as an `Exception` saying it.
fn uncaught(py: Python<'_>, line: &str) -> PyErr {
    let (name, message) = match line.split_once(": ") {
        Some((name, message)) => (name, Some(message)),
        None => (line, None),
    };
    let builtin = || -> PyResult<Option<PyErr>> {
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Ok(None);
        }
        let Ok(cls) = py.import("builtins")?.getattr(name) else {
            return Ok(None);
        };
        let exception = py.get_type::<pyo3::exceptions::PyBaseException>();
        let Ok(cls) = cls.cast_into::<pyo3::types::PyType>() else {
            return Ok(None);
        };
        if !cls.is_subclass(&exception)? {
            return Ok(None);
        }
        let value = match message {
            None => cls.call0()?,
            // KeyError's line is the key's repr
            Some(m) if name == "KeyError" => {
                let key = py.import("ast")?.getattr("literal_eval")?.call1((m,));
                cls.call1((key.unwrap_or_else(|_| m.into_pyobject(py).unwrap().into_any()),))?
            }
            Some(m) => cls.call1((m,))?,
        };
        Ok(Some(PyErr::from_value(value)))
    };
    match builtin() {
        Ok(Some(err)) => err,
        _ => PyException::new_err(line.to_string()),
    }
}

fn caught(py: Python<'_>, catch: Catch<'_>, err: RevisionError) -> PyErr {
    command_error(py, catch.error(err))
}

fn rev_arg(obj: &Bound<'_, PyAny>) -> PyResult<RevArg> {
    if obj.is_none() {
        return Ok(RevArg::None);
    }
    if let Ok(s) = obj.extract::<String>() {
        return Ok(RevArg::Str(s));
    }
    let items: Vec<String> = obj.extract()?;
    Ok(RevArg::Tuple(items))
}

fn map(py: Python<'_>) -> PyResult<&'static RevisionMap> {
    Ok(&state::scripts(py)?.map)
}

/// Alembic's `util.warn`: a Python `UserWarning` (warning filters apply).
pub(super) fn warn_user(py: Python<'_>, message: &str) -> PyResult<()> {
    let message = std::ffi::CString::new(message.replace('\0', "")).expect("NUL bytes removed");
    PyErr::warn(
        py,
        &py.get_type::<pyo3::exceptions::PyUserWarning>(),
        &message,
        1,
    )
}

/// One step for `MigrationContext.run_migrations`.
#[pyclass(name = "Step", frozen, module = "_alembic_rs")]
pub struct PyStep {
    step: Step,
    #[pyo3(get)]
    name: &'static str,
    #[pyo3(get)]
    is_upgrade: bool,
    #[pyo3(get)]
    is_stamp: bool,
    #[pyo3(get)]
    path: Option<String>,
    /// The file's place in Alembic's load order (the map's node), which is
    /// the order Alembic imports revision files in.
    #[pyo3(get)]
    load_index: Option<usize>,
    #[pyo3(get)]
    doc: Option<String>,
    #[pyo3(get)]
    short_log: String,
    #[pyo3(get)]
    up_revision_ids: Vec<String>,
    #[pyo3(get)]
    down_revision_ids: Vec<String>,
    text: String,
}

#[pymethods]
impl PyStep {
    fn __str__(&self) -> &str {
        &self.text
    }
    fn __repr__(&self) -> String {
        format!("<Step {}>", self.short_log)
    }
}

impl PyStep {
    fn new(s: &Scripts, step: Step) -> PyStep {
        let map = &s.map;
        let (path, doc) = match &step {
            Step::Revision { node, .. } => {
                let script = s.script(*node);
                (
                    Some(script.path.to_string_lossy().into_owned()),
                    Some(script.doc().to_string()),
                )
            }
            Step::Stamp(_) => (None, None),
        };
        let (up, down) = match &step {
            Step::Revision { node, .. } => (
                vec![map.id(*node).to_string()],
                map.node(*node)
                    .normalized_down()
                    .iter()
                    .map(|&d| map.id(d).to_string())
                    .collect(),
            ),
            Step::Stamp(st) if st.is_upgrade => (step.to_ids(map), step.from_ids(map)),
            Step::Stamp(_) => (step.from_ids(map), step.to_ids(map)),
        };
        PyStep {
            name: step.name(),
            is_upgrade: step.is_upgrade(),
            is_stamp: matches!(step, Step::Stamp(_)),
            short_log: step.short_log(map),
            text: step.describe(map, doc.as_deref()),
            path,
            load_index: match &step {
                Step::Revision { node, .. } => Some(*node),
                Step::Stamp(_) => None,
            },
            doc,
            up_revision_ids: up,
            down_revision_ids: down,
            step,
        }
    }
}

/// `HeadMaintainer`: rows of the version table, moved step by step.
#[pyclass(module = "_alembic_rs")]
pub struct HeadMaintainer {
    heads: Heads,
}

#[pymethods]
impl HeadMaintainer {
    #[new]
    fn new(heads: Vec<String>) -> Self {
        HeadMaintainer {
            heads: Heads::new(heads),
        }
    }

    #[getter]
    fn heads(&self) -> Vec<String> {
        self.heads.current().map(str::to_string).collect()
    }

    /// Returns (debug log text, [(kind, version[, to])], the exception to
    /// raise once those ops have run, or None).
    fn update_to_step<'py>(
        &mut self,
        py: Python<'py>,
        step: &PyStep,
    ) -> PyResult<(String, Bound<'py, PyList>, Option<Py<PyAny>>)> {
        let update = self
            .heads
            .update_to_step(map(py)?, &step.step)
            .map_err(step_error)?;
        let ops = PyList::empty(py);
        for op in update.ops {
            let item = match op {
                VersionOp::Insert(v) => PyTuple::new(py, ["insert", v.as_str()])?,
                VersionOp::Delete(v) => PyTuple::new(py, ["delete", v.as_str()])?,
                VersionOp::Update { from, to } => {
                    PyTuple::new(py, ["update", from.as_str(), to.as_str()])?
                }
            };
            ops.append(item)?;
        }
        let failure = update
            .failure
            .map(|e| step_error(e).into_value(py).into_any());
        Ok((update.log, ops, failure))
    }
}

/// The built-in exception Alembic's `HeadMaintainer` dies with.
fn step_error(e: StepError) -> PyErr {
    match e {
        StepError::Key(version) => PyKeyError::new_err(version),
        StepError::Index(message) => PyIndexError::new_err(message),
        StepError::Assertion(None) => PyAssertionError::new_err(()),
        StepError::Assertion(Some(message)) => PyAssertionError::new_err(message),
    }
}

/// `context.script.version_locations = [...]` in env.py: the scripts are
/// loaded again from those directories (absolute paths; none = the
/// default `versions/`), if the map has not been used yet (Alembic builds
/// it on first use). Returns whether it was.
#[pyfunction]
fn set_version_locations(locations: Vec<String>) -> PyResult<bool> {
    let state = state::get();
    let mut settings = state.scripts.dir.settings.clone();
    settings.version_locations = locations
        .into_iter()
        .map(std::path::PathBuf::from)
        .collect();
    state::replace_scripts(|| Scripts::from_settings(&state.project_dir, settings))
        .map_err(|e| PyException::new_err(e.to_string()))
}

/// The command's `fn(heads, context)`: the steps to run from `heads`.
#[pyfunction]
fn plan(py: Python<'_>, heads: Vec<String>) -> PyResult<Vec<PyStep>> {
    crate::revision::take_warnings();
    let steps = plan_steps(py, heads);
    // Alembic's `util.warn` during planning: a Python UserWarning (warning
    // filters apply), shown before the steps run or the planning error.
    for message in crate::revision::take_warnings() {
        warn_user(py, &message)?;
    }
    let steps = steps?;
    let s = state::scripts(py)?;
    Ok(steps.into_iter().map(|step| PyStep::new(s, step)).collect())
}

fn plan_steps(py: Python<'_>, heads: Vec<String>) -> PyResult<Vec<Step>> {
    if let EnvCommand::Downgrade { destination } = &state::get().command
        && let Some(e) = crate::revision::early_downgrade_error(destination, &heads)
    {
        return Err(caught(py, Catch::default(), e));
    }
    let map = map(py)?;
    let steps: Vec<Step> = match &state::get().command {
        EnvCommand::Upgrade { destination } => {
            let catch = Catch {
                ancestor: Some(
                    "Destination %(end)s is not a valid upgrade target from current head(s)",
                ),
                end: Some(destination),
                ..Catch::default()
            };
            map.upgrade_plan(destination, &heads)
                .map_err(|e| caught(py, catch, e))?
                .into_iter()
                .map(|node| Step::Revision {
                    node,
                    is_upgrade: true,
                })
                .collect()
        }
        EnvCommand::Downgrade { destination } => {
            let catch = Catch {
                ancestor: Some(
                    "Destination %(end)s is not a valid downgrade target from current head(s)",
                ),
                end: Some(destination),
                ..Catch::default()
            };
            map.downgrade_plan(destination, &heads)
                .map_err(|e| caught(py, catch, e))?
                .into_iter()
                .map(|node| Step::Revision {
                    node,
                    is_upgrade: false,
                })
                .collect()
        }
        EnvCommand::Stamp { destinations } => {
            let catch = Catch {
                multiple_heads: Some(
                    "Multiple heads are present; please specify a single target revision",
                ),
                ..Catch::default()
            };
            map.stamp_plan(destinations, &heads)
                .map_err(|e| caught(py, catch, e))?
                .into_iter()
                .map(Step::Stamp)
                .collect()
        }
        EnvCommand::Current { .. }
        | EnvCommand::History { .. }
        | EnvCommand::ShowCurrent
        | EnvCommand::EditCurrent
        | EnvCommand::EnsureVersion
        | EnvCommand::Revision(_)
        | EnvCommand::Merge
        | EnvCommand::Check => Vec::new(),
    };
    Ok(steps)
}

/// `current`'s lines: `script.get_all_current(heads)` in `cmd_format`.
#[pyfunction]
fn current_lines(py: Python<'_>, heads: Vec<String>, verbose: bool) -> PyResult<Vec<String>> {
    let s = state::scripts(py)?;
    let nodes = s
        .map
        .get_all_current(&heads)
        .map_err(|e| caught(py, Catch::default(), e))?;
    let line = crate::commands::Line {
        tree_indicators: true,
        ..Default::default()
    };
    Ok(nodes
        .into_iter()
        .map(|n| s.cmd_format(n, verbose, line, false))
        .collect())
}

/// `history -i` / `show current`: the lines, given the database heads.
#[pyfunction]
fn display_lines(py: Python<'_>, heads: Vec<String>) -> PyResult<Vec<String>> {
    // `script.get_revisions(())` answers without building the map, so an
    // empty database shows nothing even when a revision file is broken.
    if heads.is_empty() && matches!(state::get().command, EnvCommand::ShowCurrent) {
        return Ok(Vec::new());
    }
    let s = state::scripts(py)?;
    let or = |given: &str, heads: &[String], default: &str| -> RevArg {
        // Python's `x or "default"`: an empty string or tuple is falsy.
        if given == "current" {
            if heads.is_empty() {
                RevArg::str(default)
            } else {
                RevArg::Tuple(heads.to_vec())
            }
        } else if given.is_empty() {
            RevArg::str(default)
        } else {
            RevArg::str(given)
        }
    };
    match &state::get().command {
        EnvCommand::History {
            base,
            head,
            verbose,
            indicate_current,
        } => {
            let (b, h) = if head == "current" {
                (or(base, &[], "base"), or(head, &heads, "heads"))
            } else if base == "current" {
                (or(base, &heads, "base"), or(head, &[], "heads"))
            } else {
                (or(base, &[], "base"), or(head, &[], "heads"))
            };
            let currents = indicate_current.then_some(heads.as_slice());
            crate::commands::history_lines(s, &b, &h, *verbose, currents)
                .map_err(|e| command_error(py, e))
        }
        EnvCommand::ShowCurrent => {
            let targets = s
                .map
                .get_revisions(&RevArg::Tuple(heads))
                .map_err(|e| caught(py, Catch::default(), e))?;
            Ok(targets
                .into_iter()
                .filter_map(crate::revision::Target::rev)
                .map(|n| s.log_entry(n, false))
                .collect())
        }
        _ => Ok(Vec::new()),
    }
}

/// `ScriptDirectory.as_revision_number`.
#[pyfunction]
fn as_revision_number<'py>(py: Python<'py>, id: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let arg = rev_arg(id)?;
    let (revs, _) = map(py)?
        .resolve_revision_number(&arg)
        .map_err(|e| caught(py, Catch::default(), e))?;
    if revs.is_empty() {
        return Ok(py.None().into_bound(py));
    }
    if matches!(&arg, RevArg::Str(s) if s == "heads") {
        return Ok(PyTuple::new(py, &revs)?.into_any());
    }
    Ok(revs[0].clone().into_pyobject(py)?.into_any())
}

type RevisionInfo = (
    String,
    Option<Vec<String>>,
    Vec<String>,
    Vec<String>,
    String,
    String,
);

/// The fields of one revision env.py reads (the shim's `Script`).
fn revision_info(s: &Scripts, n: usize) -> RevisionInfo {
    let script = s.script(n);
    let rev = &s.map.node(n).rev;
    (
        rev.revision.clone(),
        (!rev.down_revision.is_empty()).then(|| rev.down_revision.clone()),
        s.map.node(n).branch_labels.iter().cloned().collect(),
        rev.dependencies.clone(),
        script.doc().to_string(),
        script.path.to_string_lossy().into_owned(),
    )
}

/// A planning error as the Python caller expects it: `ScriptDirectory`'s
/// methods turn them into `CommandError`s (`_catch_revision_errors`, with
/// the `start`/`end` they pass), `RevisionMap`'s raise Alembic's
/// `RevisionError` classes.
fn query_error(py: Python<'_>, err: RevisionError, catch: Option<(&str, &str)>) -> PyErr {
    if let Some((start, end)) = catch {
        let catch = Catch {
            start: (!start.is_empty()).then_some(start),
            end: (!end.is_empty()).then_some(end),
            ..Catch::default()
        };
        return caught(py, catch, err);
    }
    if let RevisionError::Crash(line) = &err {
        return uncaught(py, line);
    }
    revision_error_object(py, &err)
        .map(PyErr::from_value)
        .unwrap_or_else(|e| e)
}

/// Alembic's `RevisionError` (or the subclass) for `err`, not yet raised.
/// A `Crash` has no class there; it is a plain `RevisionError` here.
fn revision_error_object<'py>(py: Python<'py>, err: &RevisionError) -> PyResult<Bound<'py, PyAny>> {
    let m = py.import("alembic.script.revision")?;
    match err {
        RevisionError::RangeNotAncestor { lower, upper } => m
            .getattr("RangeNotAncestorError")?
            .call1((rev_arg_object(py, lower)?, rev_arg_object(py, upper)?)),
        RevisionError::MultipleHeads { heads, argument } => m
            .getattr("MultipleHeads")?
            .call1((PyTuple::new(py, heads)?, argument)),
        RevisionError::Resolution { message, argument } => {
            m.getattr("ResolutionError")?.call1((message, argument))
        }
        RevisionError::Other(message) | RevisionError::Crash(message) => {
            m.getattr("RevisionError")?.call1((message,))
        }
    }
}

fn rev_arg_object<'py>(py: Python<'py>, arg: &RevArg) -> PyResult<Bound<'py, PyAny>> {
    Ok(match arg {
        RevArg::None => py.None().into_bound(py),
        RevArg::Str(s) => s.into_pyobject(py)?.into_any(),
        RevArg::Tuple(t) => PyTuple::new(py, t)?.into_any(),
    })
}

/// `ScriptDirectory.get_revision`, as the fields env.py reads.
#[pyfunction]
fn get_revision(py: Python<'_>, id: &Bound<'_, PyAny>) -> PyResult<Option<RevisionInfo>> {
    let s = state::scripts(py)?;
    let node = s
        .map
        .get_revision(&rev_arg(id)?)
        .map_err(|e| caught(py, Catch::default(), e))?;
    Ok(node.map(|n| revision_info(s, n)))
}

/// The node of a revision id the shim's `Script` already holds.
fn script_node(py: Python<'_>, revision: &str) -> PyResult<usize> {
    state::scripts(py)?
        .map
        .get_revision(&RevArg::str(revision))
        .map_err(|e| caught(py, Catch::default(), e))?
        .ok_or_else(|| pyo3::exceptions::PyKeyError::new_err(revision.to_string()))
}

/// What a `Script` knows from the whole map, not its own file: `nextrev`,
/// `_all_nextrev`, `_resolved_dependencies`,
/// `_normalized_resolved_dependencies`, `_orig_branch_labels`, `longdoc`.
#[pyfunction]
fn script_links(py: Python<'_>, revision: &str) -> PyResult<ScriptLinks> {
    let node = script_node(py, revision)?;
    let s = state::scripts(py)?;
    let n = s.map.node(node);
    let ids = |nodes: &[usize]| -> Vec<String> {
        nodes.iter().map(|&i| s.map.id(i).to_string()).collect()
    };
    Ok((
        ids(&n.nextrev),
        ids(&n.all_nextrev),
        ids(&n.resolved_deps),
        ids(&n.normalized_deps),
        n.rev.branch_labels.clone(),
        s.script(node).longdoc.clone(),
    ))
}

type ScriptLinks = (
    Vec<String>,
    Vec<String>,
    Vec<String>,
    Vec<String>,
    Vec<String>,
    String,
);

/// `Script.cmd_format` / `_head_only` / `log_entry` (`verbose`), as
/// `history` prints them.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn script_format(
    py: Python<'_>,
    revision: &str,
    verbose: bool,
    include_branches: bool,
    include_doc: bool,
    include_parents: bool,
    tree_indicators: bool,
    head_indicators: bool,
) -> PyResult<String> {
    let node = script_node(py, revision)?;
    let line = crate::commands::Line {
        include_branches,
        include_doc,
        include_parents,
        tree_indicators,
        no_head_indicators: !(head_indicators || tree_indicators),
    };
    Ok(state::scripts(py)?.cmd_format(node, verbose, line, false))
}

/// `RevisionMap.get_revisions` (`catch` false) / `ScriptDirectory.get_revisions`.
#[pyfunction]
fn get_revisions(
    py: Python<'_>,
    id: &Bound<'_, PyAny>,
    catch: bool,
) -> PyResult<Vec<Option<RevisionInfo>>> {
    let s = state::scripts(py)?;
    let targets = s
        .map
        .get_revisions(&rev_arg(id)?)
        .map_err(|e| query_error(py, e, catch.then_some(("", ""))))?;
    Ok(targets
        .into_iter()
        .map(|t| t.rev().map(|n| revision_info(s, n)))
        .collect())
}

/// `RevisionMap._get_all_current` / `ScriptDirectory.get_all_current`.
#[pyfunction]
fn get_all_current(py: Python<'_>, ids: Vec<String>, catch: bool) -> PyResult<Vec<RevisionInfo>> {
    let s = state::scripts(py)?;
    let nodes = s
        .map
        .get_all_current(&ids)
        .map_err(|e| query_error(py, e, catch.then_some(("", ""))))?;
    Ok(nodes.into_iter().map(|n| revision_info(s, n)).collect())
}

/// `RevisionMap.iterate_revisions`, newest first; `catch_range` =
/// `(start, end)` for `ScriptDirectory.walk_revisions`, which reports
/// errors as `CommandError`s naming them.
#[pyfunction]
#[pyo3(signature = (upper, lower, implicit_base=false, inclusive=false,
    assert_relative_length=true, select_for_downgrade=false, catch_range=None))]
#[allow(clippy::too_many_arguments)]
fn iterate_revisions(
    py: Python<'_>,
    upper: &Bound<'_, PyAny>,
    lower: &Bound<'_, PyAny>,
    implicit_base: bool,
    inclusive: bool,
    assert_relative_length: bool,
    select_for_downgrade: bool,
    catch_range: Option<(String, String)>,
) -> PyResult<Vec<RevisionInfo>> {
    let s = state::scripts(py)?;
    let walk = crate::revision::Walk {
        implicit_base,
        inclusive,
        assert_relative_length,
        select_for_downgrade,
    };
    let nodes = s
        .map
        .iterate_revisions(&rev_arg(upper)?, &rev_arg(lower)?, walk)
        .map_err(|e| {
            let catch = catch_range.as_ref().map(|(a, b)| (a.as_str(), b.as_str()));
            query_error(py, e, catch)
        })?;
    Ok(nodes.into_iter().map(|n| revision_info(s, n)).collect())
}

/// `ScriptDirectory.get_current_head` (`catch`) / `RevisionMap.get_current_head`.
#[pyfunction]
#[pyo3(signature = (branch_label=None, catch=true))]
fn get_current_head(
    py: Python<'_>,
    branch_label: Option<String>,
    catch: bool,
) -> PyResult<Option<String>> {
    let map = map(py)?;
    let head = map.get_current_head(branch_label.as_deref()).map_err(|e| {
        if catch {
            caught(py, Catch::default(), e)
        } else {
            query_error(py, e, None)
        }
    })?;
    Ok(head.map(|h| map.id(h).to_string()))
}

/// The revision files Alembic's first load of its revision map imports
/// (every file, in load order), less those whose module-level code the
/// static path reads as inert: importing those can have no effect.
/// Autogenerate loads the map before it compares, so what the imports do
/// (a revision importing the application's models fills `target_metadata`:
/// mlflow) is seen by the comparison.
#[pyfunction]
fn revision_files_to_import(py: Python<'_>) -> PyResult<Vec<String>> {
    let paths: Vec<String> = state::scripts(py)?
        .scripts
        .iter()
        .map(|f| f.path.to_string_lossy().into_owned())
        .collect();
    let modules = py.detach(|| crate::static_ops::cache::load(paths.clone()));
    Ok(paths
        .into_iter()
        .filter(|p| crate::static_ops::cache::needs_import(&modules, p))
        .collect())
}

#[pyfunction]
fn get_bases(py: Python<'_>) -> PyResult<Vec<String>> {
    let map = map(py)?;
    Ok(map.bases().iter().map(|&b| map.id(b).to_string()).collect())
}

#[pyfunction]
fn ddl_add_column(
    table: &str,
    column_spec: &str,
    constraints: Vec<String>,
    if_not_exists: bool,
) -> String {
    ddl::add_column(table, column_spec, &constraints, if_not_exists)
}

#[pyfunction]
fn ddl_drop_column(table: &str, column: &str, if_exists: bool) -> String {
    ddl::drop_column(table, column, if_exists)
}

#[pyfunction]
fn ddl_rename_table(table: &str, new_table: &str) -> String {
    ddl::rename_table(table, new_table)
}

/// Alembic's tri-state keyword arguments (`server_default`, `comment`):
/// `False` means "not given", `None` means "remove", a string is the new
/// value.
fn given_or_removed(obj: &Bound<'_, PyAny>) -> PyResult<Option<Option<String>>> {
    if obj.is_instance_of::<pyo3::types::PyBool>() && !obj.extract::<bool>()? {
        return Ok(None);
    }
    if obj.is_none() {
        return Ok(Some(None));
    }
    Ok(Some(Some(obj.extract()?)))
}

/// `server_default` and `comment` use `False` for "not given" and `None`
/// for "remove", as Alembic's signature does.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn ddl_alter_column(
    dialect: &str,
    table: &str,
    column: &str,
    nullable: Option<bool>,
    server_default: &Bound<'_, PyAny>,
    type_: Option<String>,
    using: Option<String>,
    comment: &Bound<'_, PyAny>,
    new_name: Option<String>,
) -> PyResult<Vec<String>> {
    let spec = ddl::AlterColumn {
        table: table.to_string(),
        column: column.to_string(),
        nullable,
        server_default: given_or_removed(server_default)?,
        type_,
        using,
        comment: given_or_removed(comment)?,
        new_name,
    };
    Ok(ddl::alter_column(
        ddl::DdlDialect::from_name(dialect),
        &spec,
    ))
}

/// MySQL's `alter_column` (see [`ddl::mysql_alter_column`]): the one
/// statement to send with its kind (`change`, `modify`, `default`: the
/// element the shim wraps it in), or `None`. `server_default` and `comment` use
/// `False` for "not given" and `None` for "remove"; the `existing_*`
/// pieces are rendered, `None` when not given. A column that must be
/// restated without a known type raises Alembic's `CommandError`.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (table, column, new_name, type_, existing_type, datetime_affinity, nullable,
    existing_nullable, server_default, existing_server_default, autoincrement,
    existing_autoincrement, comment, existing_comment))]
fn ddl_mysql_alter_column(
    py: Python<'_>,
    table: &str,
    column: &str,
    new_name: Option<String>,
    type_: Option<String>,
    existing_type: Option<String>,
    datetime_affinity: bool,
    nullable: Option<bool>,
    existing_nullable: Option<bool>,
    server_default: &Bound<'_, PyAny>,
    existing_server_default: Option<String>,
    autoincrement: Option<bool>,
    existing_autoincrement: Option<bool>,
    comment: &Bound<'_, PyAny>,
    existing_comment: Option<String>,
) -> PyResult<Option<(&'static str, String)>> {
    let spec = ddl::MySqlAlterColumn {
        table: table.to_string(),
        column: column.to_string(),
        new_name,
        type_,
        existing_type,
        datetime_affinity,
        nullable,
        existing_nullable,
        server_default: given_or_removed(server_default)?,
        existing_server_default,
        autoincrement,
        existing_autoincrement,
        comment: given_or_removed(comment)?,
        existing_comment,
    };
    let kind = match spec.kind() {
        Some(ddl::MySqlAlterKind::Change) => "change",
        Some(ddl::MySqlAlterKind::Modify) => "modify",
        _ => "default",
    };
    let sql = ddl::mysql_alter_column(&spec).map_err(|message| {
        match py
            .import("alembic.util.exc")
            .and_then(|m| m.getattr("CommandError"))
        {
            Ok(cls) => match cls.call1((message,)) {
                Ok(exc) => PyErr::from_value(exc),
                Err(e) => e,
            },
            Err(e) => e,
        }
    })?;
    Ok(sql.map(|sql| (kind, sql)))
}

/// `util.open_in_editor`, for `edit current` (called while env.py runs, as
/// in Alembic).
#[pyfunction]
fn open_in_editor(py: Python<'_>, path: &str) -> PyResult<()> {
    crate::commands::open_in_editor(path).map_err(|e| command_error(py, e))
}
