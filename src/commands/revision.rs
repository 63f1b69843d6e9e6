//! `revision` and `merge`: Alembic's `command.revision`/`command.merge` and
//! `ScriptDirectory.generate_revision`, step for step, so that every error
//! comes out in the same order and words, and the file written is the one
//! Alembic's `script.py.mako` would give.

use std::path::{Component, Path, PathBuf};

use super::migrate::base_run;
use super::{Catch, CommandError, HostOptions, Scripts, os_error};
use crate::config::{Config, ScriptSettings};
use crate::pyfmt::py_path;
use crate::python::{
    ConfigSource, EnvCommand, PyOutcome, RevisionSpec, TemplateSession, TemplateValue,
};
use crate::revision::{RevArg, Target};
use crate::script::{Script, ScriptDirectory, ScriptError};
use crate::ui::{self, Ui};

const MULTIPLE_HEADS: &str = "Multiple heads are present; please specify the head revision on which the new revision should be based, or perform a merge.";

/// `alembic revision`'s arguments, as parsed.
#[derive(Debug, Clone, Default)]
pub struct RevisionArgs<'a> {
    pub message: Option<&'a str>,
    pub autogenerate: bool,
    pub sql: bool,
    pub head: Option<&'a str>,
    pub splice: bool,
    pub branch_label: Option<&'a str>,
    pub version_path: Option<&'a str>,
    pub rev_id: Option<&'a str>,
    pub depends_on: &'a [String],
}

/// `alembic revision`.
pub fn revision(
    config: &Config,
    ui: &mut Ui,
    host: &HostOptions,
    args: &RevisionArgs<'_>,
) -> Result<(), CommandError> {
    let settings = config.script_settings()?;
    ScriptDirectory::new(settings.clone())?;
    let environment = config.revision_environment()?;
    if args.autogenerate && args.sql {
        return Err(CommandError::Failed(
            "Using --sql with --autogenerate does not make any sense".into(),
        ));
    }
    if args.autogenerate || environment {
        return revision_with_environment(config, ui, host, &settings, args);
    } else if args.sql {
        return Err(CommandError::Failed(
            "Using --sql with the revision command when revision_environment is not configured does not make any sense".into(),
        ));
    }
    let rev_id = match args.rev_id.filter(|r| !r.is_empty()) {
        Some(r) => r.to_string(),
        None => new_rev_id()?,
    };
    generate(
        config,
        ui,
        &settings,
        &Generate {
            rev_id: &rev_id,
            message: args.message,
            head: RevArg::str(args.head.unwrap_or("head")),
            splice: args.splice,
            branch_label: args.branch_label,
            version_path: args.version_path,
            depends_on: args.depends_on,
            extra_template_args: None,
        },
    )
}

/// `revision` when env.py runs first: its RevisionContext (and any
/// `process_revision_directives` hook) decides which files to write.
fn revision_with_environment(
    config: &Config,
    ui: &mut Ui,
    host: &HostOptions,
    settings: &ScriptSettings,
    args: &RevisionArgs<'_>,
) -> Result<(), CommandError> {
    let spec = RevisionSpec {
        message: args.message.map(str::to_string),
        autogenerate: args.autogenerate,
        sql: args.sql,
        head: args.head.unwrap_or("head").to_string(),
        splice: args.splice,
        branch_label: args.branch_label.map(str::to_string),
        version_path: args.version_path.map(str::to_string),
        rev_id: args.rev_id.filter(|r| !r.is_empty()).map(str::to_string),
        depends_on: (!args.depends_on.is_empty()).then(|| args.depends_on.to_vec()),
    };
    // A broken graph fails where Alembic's does: inside env.py when the
    // RevisionContext asks for heads (autogenerate), else when the file is
    // generated after it, either way after env.py's logging is set up.
    let scripts = Scripts::load_on_demand(config)?;
    let mut run = base_run(config, host, EnvCommand::Revision(spec))?;
    run.as_sql = args.sql;
    super::migrate::run(run, scripts, host)?;
    let generated = crate::python::generated_scripts()?;
    for (index, script) in generated.iter().enumerate() {
        let head = match (script.head.as_slice(), script.head_is_tuple) {
            ([], _) => RevArg::str("head"),
            ([one], false) => RevArg::str(one.as_str()),
            (many, _) => RevArg::Tuple(many.to_vec()),
        };
        generate(
            config,
            ui,
            settings,
            &Generate {
                rev_id: &script.rev_id,
                message: script.message.as_deref(),
                head,
                splice: script.splice,
                branch_label: script.branch_labels.first().map(String::as_str),
                version_path: script.version_path.as_deref(),
                depends_on: &script.depends_on,
                extra_template_args: Some(index),
            },
        )?;
    }
    Ok(())
}

/// `alembic merge`'s arguments, as parsed.
#[derive(Debug, Clone, Copy)]
pub struct MergeArgs<'a> {
    pub revisions: &'a [String],
    pub message: Option<&'a str>,
    pub branch_label: Option<&'a str>,
    pub rev_id: Option<&'a str>,
    pub splice: bool,
}

/// `alembic merge`.
pub fn merge(
    config: &Config,
    ui: &mut Ui,
    host: &HostOptions,
    args: &MergeArgs<'_>,
) -> Result<(), CommandError> {
    let MergeArgs {
        revisions,
        message,
        branch_label,
        rev_id,
        splice,
    } = *args;
    let settings = config.script_settings()?;
    ScriptDirectory::new(settings.clone())?;
    let environment = config.revision_environment()?;
    if environment {
        let scripts = Scripts::load_on_demand(config)?;
        let run = base_run(config, host, EnvCommand::Merge)?;
        super::migrate::run(run, scripts, host)?;
    }
    let rev_id = match rev_id.filter(|r| !r.is_empty()) {
        Some(r) => r.to_string(),
        None => new_rev_id()?,
    };
    generate(
        config,
        ui,
        &settings,
        &Generate {
            rev_id: &rev_id,
            message,
            head: RevArg::Tuple(revisions.to_vec()),
            splice,
            branch_label,
            version_path: None,
            depends_on: &[],
            extra_template_args: environment.then_some(0),
        },
    )
}

/// `util.rev_id()`: the last 12 hex digits of a uuid4, all random bits.
fn new_rev_id() -> Result<String, CommandError> {
    use std::io::Read;
    let mut bytes = [0u8; 6];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| CommandError::Failed(format!("cannot generate a revision id: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// What `generate_revision` is called with.
struct Generate<'a> {
    rev_id: &'a str,
    message: Option<&'a str>,
    head: RevArg,
    splice: bool,
    branch_label: Option<&'a str>,
    version_path: Option<&'a str>,
    depends_on: &'a [String],
    /// Index of the template keywords env.py's RevisionContext left in
    /// Python (`alembic._rs.autogen`), when env.py ran.
    extra_template_args: Option<usize>,
}

fn outcome(o: PyOutcome) -> CommandError {
    match o {
        PyOutcome::Command(m) => CommandError::Failed(m),
        PyOutcome::Uncaught(line) => CommandError::Uncaught(line),
        PyOutcome::Compile(line) => CommandError::Uncaught(line),
        PyOutcome::Lex => CommandError::Uncaught("mako.exceptions.SyntaxException".into()),
    }
}

/// `Revision.verify_rev_id`.
fn verify_rev_id(rev: &str) -> Result<(), CommandError> {
    let mut illegal: Vec<char> = ['+', '-', ':', '@']
        .into_iter()
        .filter(|c| rev.contains(*c))
        .collect();
    illegal.sort_unstable();
    if illegal.is_empty() {
        return Ok(());
    }
    let chars: Vec<String> = illegal.iter().map(|c| c.to_string()).collect();
    Err(CommandError::Failed(format!(
        "Character(s) '{}' not allowed in revision identifier '{rev}'",
        chars.join(", ")
    )))
}

fn cwd() -> Result<PathBuf, CommandError> {
    std::env::current_dir()
        .map_err(|e| CommandError::Failed(format!("cannot determine the current directory: {e}")))
}

/// `pathlib.Path(p)` as Python prints it: `.` parts and repeated or
/// trailing slashes dropped, `..` kept.
fn pathlib(p: &Path) -> PathBuf {
    let out: PathBuf = p
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect();
    if out.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        out
    }
}

/// `Path.absolute()`: joined to the working directory, not resolved.
fn absolute(p: &Path) -> Result<PathBuf, CommandError> {
    let p = pathlib(p);
    Ok(if p.is_absolute() {
        p
    } else if p == Path::new(".") {
        cwd()?
    } else {
        cwd()?.join(p)
    })
}

/// `ScriptDirectory._ensure_directory`.
fn ensure_directory(ui: &mut Ui, path: &Path) -> Result<(), CommandError> {
    let path = absolute(path)?;
    if path.exists() {
        return Ok(());
    }
    match std::fs::create_dir_all(&path) {
        Ok(()) => {
            ui.msg(&format!("Creating directory {} ...  done", py_path(&path)));
            Ok(())
        }
        Err(e) => {
            ui.msg(&format!(
                "Creating directory {} ...  FAILED",
                py_path(&path)
            ));
            Err(os_error(&e, &path.to_string_lossy()))
        }
    }
}

fn generate(
    config: &Config,
    ui: &mut Ui,
    settings: &ScriptSettings,
    g: &Generate<'_>,
) -> Result<(), CommandError> {
    verify_rev_id(g.rev_id)?;
    // After env.py ran (`revision_environment`), the scripts as env.py left
    // them: an assignment to `context.script.version_locations` there
    // (prefect's per-dialect directories) moves where Alembic writes the
    // file and which heads it revises.
    let loaded;
    let scripts: &Scripts = match crate::python::reloaded_scripts() {
        Some(s) => s,
        None => {
            loaded = Scripts::load(config)?;
            &loaded
        }
    };
    let map = &scripts.map;
    let catch = Catch {
        multiple_heads: Some(MULTIPLE_HEADS),
        ..Catch::default()
    };
    let targets = map.get_revisions(&g.head).map_err(|e| catch.error(e))?;
    let mut heads: Vec<Option<usize>> = Vec::with_capacity(targets.len());
    for t in targets {
        match t {
            Target::Rev(i) => heads.push(Some(i)),
            Target::Null => heads.push(None),
            Target::Base => return Err(CommandError::Uncaught("AssertionError".into())),
        }
    }
    let mut seen = std::collections::HashSet::new();
    if !heads.iter().all(|h| seen.insert(*h)) {
        return Err(CommandError::Failed(
            "Duplicate head revisions specified".into(),
        ));
    }

    let session = TemplateSession::start(
        Path::new(config.here()),
        &settings.prepend_sys_path,
        settings.timezone.as_deref(),
    )?
    .map_err(outcome)?;

    let locations = scripts.dir.version_locations();
    let version_path: PathBuf = match g.version_path {
        None if locations.len() > 1 => match heads.iter().flatten().next() {
            // the first file declaring the head's id
            Some(&i) => (0..map.len())
                .find(|&j| map.id(j) == map.id(i))
                .and_then(|j| scripts.script(j).path.parent().map(Path::to_path_buf))
                .unwrap_or_else(|| locations[0].clone()),
            None => {
                return Err(CommandError::Failed(
                    "Multiple version locations present, please specify --version-path".into(),
                ));
            }
        },
        None => locations[0].clone(),
        Some(p) => pathlib(Path::new(p)),
    };
    let norm = absolute(&version_path)?;
    if !locations.contains(&norm) {
        return Err(CommandError::Failed(format!(
            "Path {} is not represented in current version locations",
            py_path(&version_path)
        )));
    }
    if !scripts.dir.settings.version_locations.is_empty() {
        ensure_directory(ui, &version_path)?;
    }
    let name = session
        .file_name(
            &settings.file_template,
            settings.truncate_slug_length,
            g.rev_id,
            g.message,
        )?
        .map_err(outcome)?;
    let path = pathlib(&version_path.join(&name));
    if let Some(parent) = path.parent() {
        ensure_directory(ui, parent)?;
    }

    if !g.splice {
        for &h in heads.iter().flatten() {
            if !map.node(h).is_head() {
                return Err(CommandError::Failed(format!(
                    "Revision {} is not a head revision; please specify --splice to create a new branch from this revision",
                    map.id(h)
                )));
            }
        }
    }

    let mut depends_on = Vec::new();
    for dep in g.depends_on {
        let rev = map
            .get_revision(&RevArg::str(dep.as_str()))
            .map_err(|e| Catch::default().error(e))?
            .ok_or_else(|| CommandError::Uncaught("AssertionError".into()))?;
        if map.node(rev).branch_labels.contains(dep.as_str()) {
            depends_on.push(dep.clone());
        } else {
            depends_on.push(map.id(rev).to_string());
        }
    }

    let down: Vec<String> = heads
        .iter()
        .map(|h| h.map_or_else(|| "None".to_string(), |i| map.id(i).to_string()))
        .collect();
    let down_revision = match heads.as_slice() {
        [] | [None] => TemplateValue::None,
        [Some(i)] => TemplateValue::Str(map.id(*i).to_string()),
        _ => TemplateValue::Tuple(down),
    };
    let depends_value = match depends_on.as_slice() {
        [] => TemplateValue::None,
        [one] => TemplateValue::Str(one.clone()),
        many => TemplateValue::List(many.to_vec()),
    };
    let labels = match g.branch_label {
        None => TemplateValue::None,
        Some(l) => TemplateValue::Tuple(vec![l.to_string()]),
    };
    let template_args = [
        ("up_revision", TemplateValue::Str(g.rev_id.to_string())),
        ("down_revision", down_revision),
        ("branch_labels", labels),
        ("depends_on", depends_value),
        (
            "message",
            TemplateValue::Str(g.message.unwrap_or("empty message").to_string()),
        ),
    ];

    let dest = absolute(&path)?;
    let status = format!("Generating {} ...", py_path(&dest));
    let rendered = render(
        config,
        settings,
        &session,
        &scripts.dir,
        &template_args,
        g.extra_template_args,
    )
    .and_then(|bytes| {
        std::fs::write(&path, bytes).map_err(|e| os_error(&e, &path.to_string_lossy()))
    });
    match rendered {
        Ok(()) => ui.msg(&format!("{status}  done")),
        Err(e) => {
            ui.msg(&format!("{status}  FAILED"));
            return Err(e);
        }
    }

    crate::hooks::run_post_write(config, &path, ui)?;
    check_written(scripts, &path, g)
}

/// `util.template_to_file` over the project's `script.py.mako`.
fn render(
    config: &Config,
    settings: &ScriptSettings,
    session: &TemplateSession,
    dir: &ScriptDirectory,
    args: &[(&str, TemplateValue)],
    extra: Option<usize>,
) -> Result<Vec<u8>, CommandError> {
    let template = dir.dir().join("script.py.mako");
    outside_root(&template)?;
    let bytes = std::fs::read(&template).map_err(|e| os_error(&e, &template.to_string_lossy()))?;
    let source = String::from_utf8(bytes).map_err(|e| {
        CommandError::Uncaught(format!(
            "UnicodeDecodeError: 'utf-8' codec can't decode byte 0x{:02x} in position {}: invalid start byte",
            e.as_bytes()[e.utf8_error().valid_up_to()],
            e.utf8_error().valid_up_to()
        ))
    })?;
    let file = template.to_string_lossy();
    let compiled = crate::template::compile(&source, &file);
    let lex_error = |e: &crate::template::TemplateError| match e {
        crate::template::TemplateError::Syntax(m) => {
            CommandError::Uncaught(format!("mako.exceptions.SyntaxException: {m}"))
        }
        other => CommandError::Failed(other.to_string()),
    };
    let non_empty = |p: &Path| (!p.as_os_str().is_empty()).then(|| p.to_path_buf());
    let source_config = ConfigSource {
        config_file: non_empty(&config.config_file_name),
        toml_file: non_empty(&config.toml_file_name),
        ini_section: config.config_ini_section.clone(),
    };
    session
        .render(
            &compiled,
            &template,
            args,
            &source_config,
            &settings.output_encoding,
            extra,
        )?
        .map_err(|o| match (o, &compiled.error) {
            (PyOutcome::Lex, Some(e)) => lex_error(e),
            (o, _) => outcome(o),
        })
}

/// Mako's `Template(filename=...)` refuses a relative file name that climbs
/// out of the working directory (a relative `script_location` such as
/// `../migrations`) before reading it.
fn outside_root(template: &Path) -> Result<(), CommandError> {
    if template.is_absolute() {
        return Ok(());
    }
    let uri = normpath_relative(&template.to_string_lossy());
    if uri.starts_with("..") {
        return Err(CommandError::Uncaught(format!(
            "mako.exceptions.TemplateLookupException: Template uri \"{uri}\" is invalid - it cannot be relative outside of the root path."
        )));
    }
    Ok(())
}

/// `os.path.normpath` of a relative POSIX path: `.` and empty parts
/// dropped, `..` cancelling the part before it (kept at the start).
fn normpath_relative(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." if parts.last().is_some_and(|l| *l != "..") => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

/// What `generate_revision` does after writing: read the file back
/// (`Script._from_path`) and add it to the map (`add_revision`), which is
/// where a reused id or label shows up.
fn check_written(scripts: &Scripts, path: &Path, g: &Generate<'_>) -> Result<(), CommandError> {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if file_name.starts_with(".#") || file_name.starts_with("__init__") {
        return Ok(());
    }
    let bytes = std::fs::read(path).map_err(|e| os_error(&e, &path.to_string_lossy()))?;
    // Alembic imports the file here; whatever fails is a traceback.
    // A module without `revision` (an empty template) is Alembic's
    // `CommandError`, not a traceback.
    let script = Script::from_source(path, &bytes).map_err(|e| match e {
        ScriptError::NoRevisionId { .. } => CommandError::Failed(e.to_string()),
        e => CommandError::Uncaught(e.to_string()),
    })?;
    let rev = &script.revision;
    if rev.down_revision.contains(&rev.revision) {
        return Err(CommandError::Failed(format!(
            "Self-loop is detected in revisions ({})",
            rev.revision
        )));
    }
    if rev.dependencies.contains(&rev.revision) {
        return Err(CommandError::Failed(format!(
            "Dependency self-loop is detected in revisions ({})",
            rev.revision
        )));
    }
    verify_rev_id(&rev.revision)?;
    if let Some(label) = g.branch_label
        && rev.branch_labels.is_empty()
    {
        return Err(CommandError::Failed(format!(
            "Version {} specified branch_labels {label}, however the migration file {} does not have them; have you upgraded your script.py.mako to include the 'branch_labels' section?",
            rev.revision,
            py_path(path)
        )));
    }
    let map = &scripts.map;
    if map.lookup(&rev.revision).is_some() {
        ui::warn(&format!(
            "Revision {} is present more than once",
            rev.revision
        ));
    }
    for label in &rev.branch_labels {
        let owner = if *label == rev.revision {
            Some(rev.revision.clone())
        } else {
            map.lookup(label).map(|i| map.id(i).to_string())
        };
        if let Some(owner) = owner {
            return Err(CommandError::Uncaught(format!(
                "alembic.script.revision.RevisionError: Branch name '{label}' in revision {} already used by revision {owner}",
                rev.revision
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normpath_like_python() {
        assert_eq!(
            normpath_relative("../m/script.py.mako"),
            "../m/script.py.mako"
        );
        assert_eq!(normpath_relative("a/../../m"), "../m");
        assert_eq!(normpath_relative("./a//b/./c/.."), "a/b");
        assert_eq!(normpath_relative("a/.."), ".");
        assert_eq!(normpath_relative("../../x/../y"), "../../y");
    }

    #[test]
    fn rev_id_rules() {
        assert!(verify_rev_id("abc_123").is_ok());
        assert_eq!(
            verify_rev_id("a-b:c").unwrap_err().to_string(),
            "Character(s) '-, :' not allowed in revision identifier 'a-b:c'"
        );
        let id = new_rev_id().unwrap();
        assert_eq!(id.len(), 12);
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn pathlib_forms() {
        assert_eq!(pathlib(Path::new("a/./b/")), PathBuf::from("a/b"));
        assert_eq!(pathlib(Path::new("./")), PathBuf::from("."));
    }
}
