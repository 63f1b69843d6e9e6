//! `Config` as a whole: ini and toml files on disk, precedence, and the
//! settings `ScriptDirectory.from_config` derives from them.

use std::path::{Path, PathBuf};

use super::*;

/// A scratch project: an `alembic.ini` and/or a `pyproject.toml`.
struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new() -> Project {
        Project {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn with_ini(self, text: &str) -> Project {
        std::fs::write(self.ini(), text).unwrap();
        self
    }

    fn with_toml(self, text: &str) -> Project {
        std::fs::write(self.toml(), text).unwrap();
        self
    }

    fn root(&self) -> String {
        self.dir.path().to_string_lossy().into_owned()
    }

    fn ini(&self) -> PathBuf {
        self.dir.path().join("alembic.ini")
    }

    fn toml(&self) -> PathBuf {
        self.dir.path().join("pyproject.toml")
    }

    fn config(&self) -> Config {
        self.config_section("alembic")
    }

    fn config_section(&self, section: &str) -> Config {
        Config::load(&self.ini(), &self.toml(), section).unwrap()
    }
}

#[test]
fn missing_files_are_empty() {
    let p = Project::new();
    let c = p.config();
    assert_eq!(c.sections().unwrap(), Vec::<String>::new());
    let e = c.script_settings().unwrap_err();
    assert!(matches!(e, ConfigError::NoScriptLocation));
    assert_eq!(
        e.to_string(),
        "No 'script_location' key found in configuration."
    );
    assert!(e.is_command_error());
    // get_main_option needs the section to exist, as in Alembic.
    assert_eq!(
        c.get_main_option("x").unwrap_err().to_string(),
        format!(
            "No config file {} found, or file has no '[alembic]' section",
            crate::pyfmt::py_repr(&p.ini().to_string_lossy())
        )
    );
    assert_eq!(c.get_alembic_option("x").unwrap(), None);
    assert_eq!(c.here(), p.root());
}

#[test]
fn no_file_name_means_an_empty_main_section() {
    let c = Config::load(Path::new(""), Path::new(""), "alembic").unwrap();
    assert_eq!(c.sections().unwrap(), vec!["alembic"]);
    assert_eq!(c.get_main_option("x").unwrap(), None);
    assert_eq!(c.here(), ".");
    assert_eq!(
        c.get_section_option("other", "x").unwrap_err().to_string(),
        "No config file None found, or file has no '[other]' section"
    );
}

#[test]
fn main_option_is_interpolated_with_here() {
    let p = Project::new().with_ini(
        "[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = sqlite:///%(here)s/x.db\npw = p%%40ss\n",
    );
    let c = p.config();
    let root = p.root();
    assert_eq!(
        c.get_main_option("script_location").unwrap().unwrap(),
        format!("{root}/migrations")
    );
    assert_eq!(
        c.get_main_option("SQLAlchemy.URL").unwrap().unwrap(),
        format!("sqlite:///{root}/x.db")
    );
    assert_eq!(c.get_main_option("pw").unwrap().unwrap(), "p%40ss");
    assert_eq!(c.get_main_option("missing").unwrap(), None);
    assert_eq!(
        c.script_settings().unwrap().script_location,
        PathBuf::from(format!("{root}/migrations"))
    );
}

#[test]
fn name_selects_the_main_section() {
    let p = Project::new().with_ini(
        "[DEFAULT]\nscript_location = shared\n[alembic]\n[engine1]\nscript_location = one\n[engine2]\nurl = x\n",
    );
    assert_eq!(
        p.config_section("engine1")
            .script_settings()
            .unwrap()
            .script_location,
        PathBuf::from("one")
    );
    // DEFAULT is inherited.
    assert_eq!(
        p.config_section("engine2")
            .script_settings()
            .unwrap()
            .script_location,
        PathBuf::from("shared")
    );
    // An unknown section has no options at all, not even DEFAULT's.
    assert!(matches!(
        p.config_section("nope").script_settings(),
        Err(ConfigError::NoScriptLocation)
    ));
    let c = p.config();
    assert_eq!(c.sections().unwrap(), vec!["alembic", "engine1", "engine2"]);
    assert_eq!(
        c.get_section_option("engine2", "url").unwrap().as_deref(),
        Some("x")
    );
    let section = c.get_section("engine1").unwrap().unwrap();
    assert_eq!(
        section.keys().collect::<Vec<_>>(),
        vec!["here", "script_location"]
    );
    assert_eq!(c.get_section("nope").unwrap(), None);
}

#[test]
fn parse_errors_surface_on_use_with_configparser_text() {
    let p = Project::new().with_ini("[alembic]\nscript_location = a\n[alembic]\n");
    let c = p.config();
    let e = c.script_settings().unwrap_err();
    assert!(!e.is_command_error());
    let shown = crate::pyfmt::py_repr(&p.ini().to_string_lossy());
    assert_eq!(
        e.exception_line(),
        format!(
            "configparser.DuplicateSectionError: While reading from PosixPath({shown}) [line  3]: section 'alembic' already exists"
        )
    );
    let p = Project::new().with_ini("[alembic]\nscript_location\n");
    let shown = crate::pyfmt::py_repr(&p.ini().to_string_lossy());
    assert_eq!(
        p.config().get_main_option("x").unwrap_err().to_string(),
        format!(
            "Source contains parsing errors: PosixPath({shown})\n\t[line  2]: 'script_location\\n'"
        )
    );
}

#[test]
fn undecodable_ini_is_a_unicode_error() {
    let p = Project::new();
    std::fs::write(p.ini(), b"[alembic]\nx = \xff\n").unwrap();
    assert_eq!(
        p.config().sections().unwrap_err().exception_line(),
        "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 14: invalid start byte"
    );
}

#[test]
fn interpolation_errors_are_uncaught() {
    let p = Project::new().with_ini("[alembic]\nscript_location = %(nope)s\n");
    let e = p.config().script_settings().unwrap_err();
    assert_eq!(
        e.exception_line(),
        "configparser.InterpolationMissingOptionError: Bad value substitution: option 'script_location' in section 'alembic' contains an interpolation key 'nope' which is not a valid option name. Raw value: '%(nope)s'"
    );
}

#[test]
fn defaults_of_script_settings() {
    let p = Project::new().with_ini("[alembic]\nscript_location = ./migrations/\n");
    let s = p.config().script_settings().unwrap();
    assert_eq!(s.script_location, PathBuf::from("migrations"));
    assert_eq!(s.file_template, "%(rev)s_%(slug)s");
    assert_eq!(s.truncate_slug_length, 40);
    assert_eq!(s.output_encoding, AlembicValue::Str("utf-8".into()));
    assert_eq!(s.timezone, None);
    assert!(s.version_locations.is_empty());
    assert!(s.prepend_sys_path.is_empty());
    assert!(!s.sourceless && !s.recursive_version_locations && !s.revision_environment);
    assert!(s.hooks.is_empty());
    assert!(s.deprecation_warnings.is_empty());
}

#[test]
fn settings_from_the_ini() {
    let p = Project::new().with_ini(
        "[alembic]\nscript_location = m\nfile_template = %%(year)d_%%(rev)s\ntruncate_slug_length = 12\ntimezone = UTC\noutput_encoding = latin-1\nsourceless = true\nrecursive_version_locations = True\nrevision_environment = Yes\n",
    );
    let s = p.config().script_settings().unwrap();
    assert_eq!(s.file_template, "%(year)d_%(rev)s");
    assert_eq!(s.truncate_slug_length, 12);
    assert_eq!(s.timezone.as_deref(), Some("UTC"));
    assert_eq!(s.output_encoding, AlembicValue::Str("latin-1".into()));
    assert!(s.sourceless);
    // Only the exact string "true" counts for these.
    assert!(!s.recursive_version_locations);
    // revision_environment uses asbool.
    assert!(s.revision_environment);
}

#[test]
fn truncate_slug_length_parsing() {
    let tsl = |v: &str| {
        Project::new()
            .with_ini(&format!(
                "[alembic]\nscript_location = m\ntruncate_slug_length = {v}\n"
            ))
            .config()
            .script_settings()
            .map(|s| s.truncate_slug_length)
    };
    assert_eq!(tsl("0").unwrap(), 40);
    assert_eq!(tsl("1_0").unwrap(), 10);
    assert_eq!(
        tsl("x").unwrap_err().exception_line(),
        "ValueError: invalid literal for int() with base 10: 'x'"
    );
    assert_eq!(
        tsl("").unwrap_err().exception_line(),
        "ValueError: invalid literal for int() with base 10: ''"
    );
}

#[test]
fn revision_environment_is_strict_on_request() {
    let p =
        Project::new().with_ini("[alembic]\nscript_location = m\nrevision_environment = Maybe \n");
    let c = p.config();
    assert!(!c.script_settings().unwrap().revision_environment);
    assert_eq!(
        c.revision_environment().unwrap_err().exception_line(),
        "ValueError: String is not true/false: 'maybe'"
    );
    let p = Project::new().with_toml("[tool.alembic]\nrevision_environment = true\n");
    assert!(p.config().revision_environment().unwrap());
}

#[test]
fn path_separators() {
    let vl = |extra: &str, value: &str| {
        Project::new()
            .with_ini(&format!(
                "[alembic]\nscript_location = m\nversion_locations = {value}\n{extra}"
            ))
            .config()
            .get_version_locations_list()
    };
    let list = |v: &[&str]| Some(v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    assert_eq!(vl("", "a, b  c").unwrap(), list(&["a", "b", "c"]));
    assert_eq!(vl("", "a:b").unwrap(), list(&["a:b"]));
    assert_eq!(
        vl("path_separator = os\n", "a:b: :c").unwrap(),
        list(&["a", "b", "", "c"])
    );
    assert_eq!(
        vl("path_separator = ;\n", "a;b c").unwrap(),
        list(&["a", "b c"])
    );
    assert_eq!(
        vl("path_separator = space\n", "a  b").unwrap(),
        list(&["a", "b"])
    );
    assert_eq!(
        vl("path_separator = newline\n", "\n  a b\n  c").unwrap(),
        list(&["a b", "c"])
    );
    assert_eq!(
        vl("version_path_separator = ;\n", "a;b").unwrap(),
        list(&["a", "b"])
    );
    // path_separator wins over version_path_separator.
    assert_eq!(
        vl("path_separator = ;\nversion_path_separator = :\n", "a;b:c").unwrap(),
        list(&["a", "b:c"])
    );
    assert_eq!(
        vl("path_separator = comma\n", "a")
            .unwrap_err()
            .exception_line(),
        "ValueError: 'comma' is not a valid value for path_separator; expected 'space', 'newline', 'os', ':', ';'"
    );
    assert_eq!(
        vl("version_path_separator =\n", "a")
            .unwrap_err()
            .to_string(),
        "'' is not a valid value for version_path_separator; expected 'space', 'newline', 'os', ':', ';'"
    );
    // An empty value means "not set": the toml is consulted instead.
    assert_eq!(vl("path_separator = bogus\n", "").unwrap(), None);
}

#[test]
fn prepend_sys_path_splitting() {
    let ps = |extra: &str, value: &str| {
        Project::new()
            .with_ini(&format!(
                "[alembic]\nscript_location = m\nprepend_sys_path = {value}\n{extra}"
            ))
            .config()
            .get_prepend_sys_paths_list()
            .unwrap()
    };
    let list = |v: &[&str]| Some(v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    assert_eq!(ps("", "."), list(&["."]));
    assert_eq!(ps("", "a:b, c"), list(&["a", "b", "c"]));
    assert_eq!(ps("path_separator = os\n", "a:b, c"), list(&["a", "b, c"]));
    // version_path_separator does not apply to prepend_sys_path.
    assert_eq!(
        ps("version_path_separator = ;\n", "a;b:c"),
        list(&["a;b", "c"])
    );
}

#[test]
fn deprecation_warnings_are_collected() {
    let p = Project::new().with_ini(
        "[alembic]\nscript_location = m\nprepend_sys_path = .\nversion_locations = a\nversion_path_separator = os\n",
    );
    let s = p.config().script_settings().unwrap();
    assert_eq!(s.deprecation_warnings.len(), 2);
    assert!(s.deprecation_warnings[0].contains("prepend_sys_path"));
    assert!(
        s.deprecation_warnings[1]
            .starts_with("The version_path_separator configuration parameter is deprecated")
    );
}

#[test]
fn toml_settings() {
    let p = Project::new().with_toml(
        r#"[tool.alembic]
script_location = "%(here)s/migrations"
version_locations = ["%(here)s/v1", "pkgless/v2"]
prepend_sys_path = ["."]
file_template = "%%(rev)s_x"
truncate_slug_length = 20
sourceless = true
recursive_version_locations = true
timezone = "Europe/Paris"
output_encoding = "utf-16"

[[tool.alembic.post_write_hooks]]
name = "ruff"
type = "module"
module = "ruff"
options = "check --fix REVISION_SCRIPT_FILENAME"
"#,
    );
    let root = p.root();
    let s = p.config().script_settings().unwrap();
    assert_eq!(
        s.script_location,
        PathBuf::from(format!("{root}/migrations"))
    );
    assert_eq!(
        s.version_locations,
        vec![
            PathBuf::from(format!("{root}/v1")),
            PathBuf::from("pkgless/v2")
        ]
    );
    assert_eq!(s.prepend_sys_path, vec!["."]);
    assert_eq!(s.file_template, "%(rev)s_x");
    assert_eq!(s.truncate_slug_length, 20);
    assert!(s.sourceless && s.recursive_version_locations);
    assert_eq!(s.timezone.as_deref(), Some("Europe/Paris"));
    assert_eq!(s.output_encoding, AlembicValue::Str("utf-16".into()));
    assert_eq!(s.hooks.len(), 1);
    assert_eq!(s.hooks[0].name, "ruff");
    assert_eq!(s.hooks[0].options["module"], "ruff");
    assert!(!s.hooks[0].options.contains_key("name"));
    assert!(s.deprecation_warnings.is_empty());
}

#[test]
fn ini_wins_over_toml() {
    let p = Project::new()
        .with_ini("[alembic]\nscript_location = from_ini\nsourceless = false\nsqlalchemy.url = x\n")
        .with_toml(
            "[tool.alembic]\nscript_location = \"from_toml\"\nsourceless = true\ntimezone = \"UTC\"\n",
        );
    let c = p.config();
    let s = c.script_settings().unwrap();
    assert_eq!(s.script_location, PathBuf::from("from_ini"));
    assert!(!s.sourceless);
    assert_eq!(s.timezone.as_deref(), Some("UTC"));
    // -n does not apply to the toml side.
    let s = p.config_section("other").script_settings().unwrap();
    assert_eq!(s.script_location, PathBuf::from("from_toml"));
    // get_main_option never reads the toml.
    assert_eq!(c.get_main_option("timezone").unwrap(), None);
    assert_eq!(
        c.get_alembic_option("timezone").unwrap().as_deref(),
        Some("UTC")
    );
}

#[test]
fn toml_booleans_must_be_booleans() {
    let p = Project::new()
        .with_toml("[tool.alembic]\nscript_location = \"m\"\nsourceless = \"true\"\n");
    assert_eq!(
        p.config().script_settings().unwrap_err().to_string(),
        "boolean value expected for TOML parameter 'sourceless'"
    );
    let p = Project::new().with_toml("[tool.alembic]\nrecursive_version_locations = 1\n");
    let e = p
        .config()
        .get_alembic_boolean_option("recursive_version_locations")
        .unwrap_err();
    assert!(e.is_command_error());
}

#[test]
fn toml_scalar_quirks() {
    let p = Project::new().with_toml(
        "[tool.alembic]\nscript_location = \"m\"\ntruncate_slug_length = \"15\"\nfile_template = 5\n",
    );
    let s = p.config().script_settings().unwrap();
    assert_eq!(s.truncate_slug_length, 15);
    assert_eq!(s.file_template, "5");
    let p = Project::new().with_toml("[tool.alembic]\nscript_location = 5\n");
    assert_eq!(
        p.config().script_settings().unwrap_err().exception_line(),
        "TypeError: expected str, bytes or os.PathLike object, not int"
    );
    let p = Project::new()
        .with_toml("[tool.alembic]\nscript_location = \"m\"\ntruncate_slug_length = 1.5\n");
    assert_eq!(
        p.config().script_settings().unwrap_err().to_string(),
        "unsupported TOML value type for key: 'truncate_slug_length'"
    );
    // A string where a list is expected is iterated character by character.
    let p = Project::new().with_toml("[tool.alembic]\nversion_locations = \"ab\"\n");
    assert_eq!(
        p.config().get_version_locations_list().unwrap(),
        Some(vec!["a".to_string(), "b".to_string()])
    );
}

#[test]
fn toml_errors() {
    let p = Project::new()
        .with_ini("[alembic]\nscript_location = m\n")
        .with_toml("[tool]\nalembic = \"x\"\n");
    // The toml is read only when the ini lacks a setting.
    let c = p.config();
    assert_eq!(
        c.get_alembic_option("script_location").unwrap().as_deref(),
        Some("m")
    );
    let e = c.script_settings().unwrap_err();
    assert!(e.is_command_error());
    assert_eq!(e.to_string(), "Incorrect TOML format");
    let p = Project::new()
        .with_ini("[alembic]\n")
        .with_toml("[tool.alembic]\nscript_location = 1.5\n");
    assert_eq!(
        p.config().script_settings().unwrap_err().to_string(),
        "unsupported TOML value type for key: 'script_location'"
    );
}

#[test]
fn ini_hooks() {
    let p = Project::new().with_ini(
        "[alembic]\nscript_location = m\n[post_write_hooks]\nhooks = black, ruff\nblack.type = console_scripts\nblack.entrypoint = black\nblack.options = -l 79 REVISION_SCRIPT_FILENAME\nruff.type = exec\nruff.executable = %(here)s/ruff\n",
    );
    let hooks = p.config().get_hooks_list().unwrap();
    assert_eq!(hooks.len(), 2);
    assert_eq!(hooks[0].name, "black");
    assert_eq!(
        hooks[0]
            .options
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>(),
        vec![
            "type=console_scripts",
            "entrypoint=black",
            "options=-l 79 REVISION_SCRIPT_FILENAME"
        ]
    );
    assert_eq!(hooks[1].options["executable"], format!("{}/ruff", p.root()));
}

#[test]
fn package_resource_locations() {
    let p = Project::new().with_ini(
        "[alembic]\nscript_location = mypkg:migrations\nprepend_sys_path = %(here)s/src\npath_separator = os\nversion_locations = mypkg:versions other\n",
    );
    let root = p.root();
    std::fs::create_dir_all(format!("{root}/src/mypkg/migrations")).unwrap();
    std::fs::write(format!("{root}/src/mypkg/__init__.py"), "").unwrap();
    let s = p.config().script_settings().unwrap();
    assert_eq!(
        s.script_location,
        PathBuf::from(format!("{root}/src/mypkg/migrations"))
    );
    // `os` splits on ':' only, which breaks the resource notation apart.
    assert_eq!(
        s.version_locations,
        vec![PathBuf::from("mypkg"), PathBuf::from("versions other")]
    );
    let p = Project::new().with_ini(&format!(
        "[alembic]\nscript_location = mypkg:migrations\nprepend_sys_path = {root}/src\npath_separator = space\nversion_locations = mypkg:versions other\n"
    ));
    let s = p.config().script_settings().unwrap();
    assert_eq!(
        s.script_location,
        PathBuf::from(format!("{root}/src/mypkg/migrations"))
    );
    assert_eq!(
        s.version_locations,
        vec![
            PathBuf::from(format!("{root}/src/mypkg/versions")),
            PathBuf::from("other")
        ]
    );
    let p = Project::new().with_ini("[alembic]\nscript_location = surely_not_a_package_xyz:m\n");
    assert_eq!(
        p.config().script_settings().unwrap_err().exception_line(),
        "ModuleNotFoundError: No module named 'surely_not_a_package_xyz'"
    );
}
