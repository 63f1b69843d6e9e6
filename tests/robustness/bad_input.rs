//! No panic on bad input: ini/pyproject files, templates, URLs, revision targets, the binary.

use std::path::Path;
use std::process::Command;

use alembic_rs::config::Config;
use alembic_rs::config::ini::IniFile;
use alembic_rs::db::Url;
use alembic_rs::revision::{RevArg, RevisionMap, Walk};

use super::mutation::*;
use super::revision_files::*;
use super::*;
use crate::support::Rng;

/// Files under `tests/fixtures` and `templates` whose name is `name`, sorted.
pub(crate) fn files_named(name: &str) -> Vec<String> {
    let named = |p: &Path| p.file_name().is_some_and(|n| n == name);
    ["tests/fixtures", "templates"]
        .into_iter()
        .flat_map(|dir| repo_files(dir, &named))
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect()
}

pub(crate) const INI_INSERTS: &[&str] = &[
    "[alembic]\n",
    "[",
    "]",
    "%(here)s",
    "%(",
    "%%",
    "%",
    "$",
    "${here}",
    "=",
    ":",
    "\n",
    "\r\n",
    "\n  ",
    ";",
    "#",
    "script_location = ",
    "version_locations = ",
    "path_separator = ",
    "path_separator = newline\n",
    "path_separator = space\n",
    "path_separator = os\n",
    "path_separator = bogus\n",
    "version_path_separator = ;\n",
    "%(here)s/alembic\n",
    "prepend_sys_path = .\n",
    "truncate_slug_length = x\n",
    "truncate_slug_length = -1\n",
    "revision_environment = maybe\n",
    "recursive_version_locations = 2\n",
    "sourceless = yes\n",
    "timezone = ?\n",
    "file_template = %%(rev)s_%%(slug\n",
    "output_encoding = nope\n",
    "[post_write_hooks]\nhooks = a, b\na.type = console_scripts\n",
    "hooks = ,,\n",
    "x.type = exec\nx.executable = \n",
    "sqlalchemy.url = ",
    "postgresql://u:p@h:99999/d\n",
    "[DEFAULT]\n",
    "[loggers]\nkeys = root\n",
    "é",
    "\u{feff}",
    "\t",
    "\\",
    "\"",
    "'",
    "package:",
    "pkg.mod:dir\n",
    "~/x\n",
    "..\n",
    "/\n",
    "\0",
];

pub(crate) fn check_config(dir: &Path, ini: &[u8], toml: Option<&[u8]>) {
    let ini_path = dir.join("alembic.ini");
    let toml_path = dir.join("pyproject.toml");
    std::fs::write(&ini_path, ini).unwrap();
    match toml {
        Some(t) => std::fs::write(&toml_path, t).unwrap(),
        None => {
            let _ = std::fs::remove_file(&toml_path);
        }
    }
    if let Ok(text) = std::str::from_utf8(ini) {
        let mut f = IniFile::new([("here", dir.to_str().unwrap())]);
        if f.read_str(text, "alembic.ini").is_ok() {
            for section in f.sections() {
                let _ = f.items(&section);
                for opt in f.options(&section).unwrap_or_default() {
                    let _ = f.get(&section, &opt);
                    let _ = f.get_raw(&section, &opt);
                }
            }
        }
    }
    for section in ["alembic", "other", ""] {
        let Ok(c) = Config::load(&ini_path, &toml_path, section) else {
            continue;
        };
        let _ = c.sections();
        let _ = c.get_section(section);
        let _ = c.get_main_option("script_location");
        let _ = c.get_main_option("sqlalchemy.url");
        let _ = c.script_settings();
        let _ = c.get_version_locations_list();
        let _ = c.get_prepend_sys_paths_list();
        let _ = c.get_hooks_list();
        let _ = c.revision_environment();
        for name in [
            "script_location",
            "version_locations",
            "path_separator",
            "truncate_slug_length",
            "recursive_version_locations",
            "sourceless",
            "revision_environment",
            "file_template",
            "timezone",
            "post_write_hooks",
            "prepend_sys_path",
            "output_encoding",
        ] {
            let _ = c.get_alembic_value(name);
            let _ = c.get_alembic_option(name);
            let _ = c.get_alembic_boolean_option(name);
        }
    }
}

#[test]
pub(crate) fn no_panic_config() {
    quiet_panics();
    let inis = files_named("alembic.ini");
    let mut tomls = files_named("pyproject.toml");
    tomls.extend(files_named("pyproject.toml.mako"));
    tomls.push(
        "[tool.alembic]\nscript_location = \"%(here)s/alembic\"\nversion_locations = [\"a\", \"b\"]\nprepend_sys_path = [\".\"]\n\n[[tool.alembic.post_write_hooks]]\nname = \"black\"\ntype = \"console_scripts\"\nentrypoint = \"black\"\noptions = \"-l 79\"\n".into(),
    );
    let toml_inserts: &[&str] = &[
        "[tool.alembic]\n",
        "[[tool.alembic.post_write_hooks]]\n",
        "= 1\n",
        "= [1, \"a\"]\n",
        "= {a = 1}\n",
        "= true\n",
        "= 1979-05-27\n",
        "\"",
        "'",
        "[",
        "]",
        "{",
        "}",
        ",",
        "script_location",
        "version_locations",
        "prepend_sys_path",
        "post_write_hooks",
        "truncate_slug_length = \"x\"\n",
        "sourceless = \"yes\"\n",
        "name = 3\n",
        "type = []\n",
        "\\u00e9",
        "\\",
        "\n",
        "#",
    ];
    let tmp = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut cases = 0;
    for seed in seeds(1..1001) {
        let mut rng = Rng(seed ^ 0xc0f1_9000);
        let base = rng.pick(&inis).clone();
        let ini = mutate(&mut rng, &base, INI_INSERTS);
        let toml = if rng.chance(50) {
            let base = rng.pick(&tomls).clone();
            Some(mutate(&mut rng, &base, toml_inserts))
        } else {
            None
        };
        cases += 1;
        if let Err(p) = no_panic(|| check_config(tmp.path(), &ini, toml.as_deref())) {
            failures.push(format!(
                "seed {seed}: PANIC {p}\n  ini: {}\n  toml: {}",
                show(&ini),
                toml.as_deref().map(show).unwrap_or_default()
            ));
        }
    }
    eprintln!("{cases} config cases");
    report_failures(&failures);
}

#[test]
pub(crate) fn no_panic_templates() {
    quiet_panics();
    let mut bases = files_named("script.py.mako");
    bases.extend(files_named("alembic.ini.mako"));
    let inserts: &[&str] = &[
        "${",
        "}",
        "${x}",
        "${x | h}",
        "${x | n, trim}",
        "${ x !r }",
        "${'}'}",
        "${\"a\" + b}",
        "% if x:\n",
        "% endif\n",
        "% for a in b:\n",
        "% endfor\n",
        "% else:\n",
        "% elif y:\n",
        "%% ",
        "## comment\n",
        "<%text>",
        "</%text>",
        "<%doc>",
        "</%doc>",
        "<%",
        "%>",
        "<%!",
        "<%def name=\"f()\">",
        "</%def>",
        "<%include file=\"x\"/>",
        "<%inherit file=\"x\"/>",
        "<%namespace name=\"n\" file=\"x\"/>",
        "<%block>",
        "</%block>",
        "<%call expr=\"f()\">",
        "${up_revision}",
        "${down_revision | comma,n}",
        "${imports if imports else \"\"}",
        "\\\n",
        "\\",
        "\r\n",
        "\r",
        "\t",
        "\u{feff}",
        "é",
        "$",
        "{",
        "%",
        "<",
        ">",
        "/",
        "\n",
        "% while x:\n",
        "% endwhile\n",
        "% try:\n",
        "% except:\n",
        "% endtry\n",
        "${x[",
        "${(}",
        "<%page args=\"x\"/>",
        "${x}\\\n",
        "% if x: # c\n",
    ];
    let mut failures = Vec::new();
    let mut cases = 0;
    for seed in seeds(1..5001) {
        let mut rng = Rng(seed ^ 0x7e3b_1a7e);
        let base = rng.pick(&bases).clone();
        let src = mutate(&mut rng, &base, inserts);
        let src = String::from_utf8_lossy(&src).into_owned();
        cases += 1;
        if let Err(p) = no_panic(|| alembic_rs::template::compile(&src, "script.py.mako")) {
            failures.push(format!(
                "seed {seed}: PANIC {p}\n  template: {}",
                show(src.as_bytes())
            ));
        }
    }
    eprintln!("{cases} template cases");
    report_failures(&failures);
}

pub(crate) const URLS: &[&str] = &[
    "sqlite:///foo.db",
    "sqlite://",
    "sqlite:////abs/path.db?mode=ro&uri=true",
    "postgresql://scott:tiger@localhost:5432/mydb",
    "postgresql+psycopg2://u:p%40ss@[::1]:5432/db?sslmode=require&options=-c%20x",
    "postgresql+asyncpg://u@/db?host=/var/run/postgresql",
    "mysql+pymysql://root@127.0.0.1:3306/db?charset=utf8mb4",
    "mysql://u:p@h/d?ssl_ca=/x&ssl_ca=/y",
    "mariadb+mariadbconnector://u:p@h:3307/d",
    "oracle+cx_oracle://u:p@h:1521/?service_name=x",
    "mssql+pyodbc://u:p@dsn",
    "postgresql://u:p@h1:1,h2:2/d",
    "driver://user:pass@host/dbname",
];

pub(crate) fn check_url(text: &str) {
    if let Ok(u) = Url::parse(text) {
        let _ = u.render(true);
        let _ = u.render(false);
        let _ = u.drivername();
        let _ = u.backend_name();
        let _ = u.driver_name();
        let _ = u.default_driver_name();
        let _ = u.dialect();
        let _ = (u.username(), u.password(), u.host(), u.port(), u.database());
        for (k, _) in u.query() {
            let _ = u.query_values(k);
            let _ = u.query_value(k);
        }
        // what is rendered parses again
        let _ = Url::parse(&u.render(false));
    }
}

#[test]
pub(crate) fn no_panic_urls() {
    quiet_panics();
    let inserts: &[&str] = &[
        "%",
        "%4",
        "%zz",
        "%40",
        "%2F",
        "@",
        ":",
        "::",
        "/",
        "//",
        "?",
        "&",
        "=",
        "#",
        "[",
        "]",
        "[::1]",
        "+",
        "é",
        "\u{1F600}",
        " ",
        "\\",
        "\0",
        "99999",
        "-1",
        "0",
        ":65536",
        "?a",
        "?a=&=b",
        "///",
        "sqlite",
        "postgresql",
        "+",
        "+x+y",
        ",",
        "%(here)s",
        "${x}",
    ];
    let mut failures = Vec::new();
    let mut cases = 0;
    for seed in seeds(1..10001) {
        let mut rng = Rng(seed ^ 0x0041_u64 << 32);
        let base = *rng.pick(URLS);
        let mut s: Vec<char> = base.chars().collect();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(s.len() + 1);
            match rng.below(4) {
                0 if at < s.len() => {
                    s.remove(at);
                }
                1 => {
                    let end = (at + rng.below(8)).min(s.len());
                    s.drain(at..end);
                }
                _ => {
                    let ins: Vec<char> = rng.pick(inserts).chars().collect();
                    s.splice(at..at, ins);
                }
            }
        }
        let text: String = s.into_iter().collect();
        cases += 1;
        if let Err(p) = no_panic(|| check_url(&text)) {
            failures.push(format!("seed {seed}: PANIC {p}\n  url: {text:?}"));
        }
    }
    eprintln!("{cases} URL cases");
    report_failures(&failures);
}

/// A revision target argument of one of the forms the commands accept, mutated.
pub(crate) fn gen_target(rng: &mut Rng, map_ids: &[String], labels: &[String]) -> String {
    let id = if map_ids.is_empty() {
        "abc".to_string()
    } else {
        rng.pick(map_ids).clone()
    };
    let part = |rng: &mut Rng, id: &str| -> String {
        let n = 1 + rng.below(id.len().max(1));
        id.chars().take(n).collect()
    };
    let label = if labels.is_empty() {
        "lbl1".to_string()
    } else {
        rng.pick(labels).clone()
    };
    let n = rng.below(20) as i64 - 5;
    let t = match rng.below(22) {
        0 => "heads".into(),
        1 => "head".into(),
        2 => "base".into(),
        3 => format!("+{n}"),
        4 => format!("-{n}"),
        5 => format!("{label}@-{n}"),
        6 => format!("{label}@+{n}"),
        7 => format!("{label}@head"),
        8 => format!("{label}@base"),
        9 => format!("{}:{}", part(rng, &id), part(rng, &id)),
        10 => format!("{}@{}", label, part(rng, &id)),
        11 => format!("{}+{n}", part(rng, &id)),
        12 => format!("{}-{n}", part(rng, &id)),
        13 => format!("heads@{n}"),
        14 => format!("base+{n}"),
        15 => format!("head-{n}"),
        16 => format!("{id}@{id}@{id}"),
        17 => format!(":{}", part(rng, &id)),
        18 => format!("{}:", part(rng, &id)),
        19 => "current".into(),
        20 => format!("heads-{n}:base+{n}"),
        _ => part(rng, &id),
    };
    if rng.chance(30) {
        let mut s: Vec<char> = t.chars().collect();
        let at = rng.below(s.len() + 1);
        let ins = *rng.pick(&[
            "@",
            ":",
            "+",
            "-",
            "0",
            "99999999999999999999",
            "é",
            " ",
            "",
            "-+",
            "@@",
        ]);
        s.splice(at..at, ins.chars());
        s.into_iter().collect()
    } else {
        t
    }
}

pub(crate) fn check_target(map: &RevisionMap, target: &str, current: &[String]) {
    let arg = RevArg::str(target);
    let _ = map.get_revisions(&arg);
    let _ = map.get_revision(&arg);
    let _ = map.resolve_revision_number(&arg);
    let _ = map.upgrade_plan(target, current);
    let _ = map.downgrade_plan(target, current);
    let _ = map.stamp_plan(&[target.to_string()], current);
    if let Some((a, b)) = target.split_once(':') {
        for walk in [
            Walk::default(),
            Walk {
                inclusive: true,
                ..Walk::default()
            },
            Walk {
                select_for_downgrade: true,
                assert_relative_length: true,
                ..Walk::default()
            },
        ] {
            let _ = map.iterate_revisions(&RevArg::str(b), &RevArg::str(a), walk);
        }
    }
}

#[test]
pub(crate) fn no_panic_revision_targets() {
    quiet_panics();
    let mut failures = Vec::new();
    let mut cases = 0;
    for seed in seeds(1..1001) {
        let mut rng = Rng(seed ^ 0x7a29_e700);
        let revs = support::gen_graph(&mut rng);
        let ids: Vec<String> = revs.iter().map(|r| r.revision.clone()).collect();
        let labels: Vec<String> = revs.iter().flat_map(|r| r.branch_labels.clone()).collect();
        let Ok(map) = RevisionMap::new(revs) else {
            continue;
        };
        for _ in 0..10 {
            let target = gen_target(&mut rng, &ids, &labels);
            let current: Vec<String> = match rng.below(4) {
                0 => vec![],
                1 => vec![rng.pick(&ids).clone()],
                2 => map.heads().iter().map(|&h| map.id(h).to_string()).collect(),
                _ => vec![rng.pick(&ids).clone(), rng.pick(&ids).clone()],
            };
            cases += 1;
            if let Err(p) = no_panic(|| check_target(&map, &target, &current)) {
                failures.push(format!(
                    "seed {seed}: PANIC {p}\n  target: {target:?}, current: {current:?}, graph: {:?}",
                    ids
                ));
            }
        }
    }
    eprintln!("{cases} revision target cases");
    report_failures(&failures);
}

/// Runs the binary; a panic (exit status 101, `panicked at`) is a failure.
pub(crate) fn run_binary(dir: &Path, args: &[&str], failures: &mut Vec<String>, what: &str) {
    let out = Command::new(env!("CARGO_BIN_EXE_alembic-rs"))
        .args(args)
        .current_dir(dir)
        .env("VIRTUAL_ENV", support::host_venv())
        .env("ALEMBIC_RS_CACHE_DIR", dir.join(".cache"))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code() == Some(101) || stderr.contains("panicked at") {
        failures.push(format!(
            "{what}: alembic-rs {args:?}: {}\n{stderr}",
            out.status
        ));
    }
}

pub(crate) fn write_project(dir: &Path, revs: &[alembic_rs::revision::Revision]) {
    let versions = dir.join("alembic/versions");
    std::fs::create_dir_all(&versions).unwrap();
    std::fs::write(
        dir.join("alembic.ini"),
        "[alembic]\nscript_location = %(here)s/alembic\nsqlalchemy.url = sqlite:///x.db\n",
    )
    .unwrap();
    let tuple = |v: &[String]| match v {
        [] => "None".to_string(),
        [one] => format!("{one:?}"),
        many => format!(
            "({},)",
            many.iter()
                .map(|s| format!("{s:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    for r in revs {
        std::fs::write(
            versions.join(format!("{}_m.py", r.revision)),
            format!(
                "\"\"\"rev {}\"\"\"\nrevision = {:?}\ndown_revision = {}\nbranch_labels = {}\ndepends_on = {}\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n",
                r.revision,
                r.revision,
                tuple(&r.down_revision),
                tuple(&r.branch_labels),
                tuple(&r.dependencies)
            ),
        )
        .unwrap();
    }
}

#[test]
pub(crate) fn no_panic_binary_sample() {
    quiet_panics();
    let mut failures = Vec::new();
    let mut runs = 0;
    let seeds = seeds(1..9);
    for seed in seeds.clone() {
        let mut rng = Rng(seed ^ 0xb1_0a7e);
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let revs = support::gen_graph(&mut rng);
        let ids: Vec<String> = revs.iter().map(|r| r.revision.clone()).collect();
        let labels: Vec<String> = revs.iter().flat_map(|r| r.branch_labels.clone()).collect();
        write_project(dir, &revs);
        for _ in 0..6 {
            let target = gen_target(&mut rng, &ids, &labels);
            let range = format!("{}:{}", gen_target(&mut rng, &ids, &labels), target);
            let cmd: Vec<&str> = match rng.below(4) {
                0 => vec!["history", "-r", &range],
                1 => vec!["show", &target],
                2 => vec!["history", "-v", "-r", &target],
                _ => vec!["heads", "--verbose"],
            };
            runs += 1;
            run_binary(
                dir,
                &cmd,
                &mut failures,
                &format!("seed {seed} target {target:?}"),
            );
        }
        // a broken ini, then a broken revision file
        let ini = std::fs::read_to_string(dir.join("alembic.ini")).unwrap();
        std::fs::write(dir.join("alembic.ini"), mutate(&mut rng, &ini, INI_INSERTS)).unwrap();
        runs += 1;
        run_binary(
            dir,
            &["heads"],
            &mut failures,
            &format!("seed {seed} mutated ini"),
        );
        write_project(dir, &revs);
        let bad = gen_revision(&mut rng);
        let bad = mutate(&mut rng, &String::from_utf8_lossy(&bad), &[]);
        std::fs::write(dir.join("alembic/versions/zz_bad.py"), &bad).unwrap();
        runs += 1;
        run_binary(
            dir,
            &["history"],
            &mut failures,
            &format!("seed {seed} mutated revision {}", show(&bad)),
        );
    }
    eprintln!("{runs} runs of the binary");
    report_failures(&failures);
}
