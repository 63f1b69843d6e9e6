//! The harness of tests/autogen_parity.rs: a [`Flow`] of [`Step`]s run
//! through two tools, each in its own copy of a project, on one database;
//! their outputs normalised and compared. The drift scenarios themselves
//! are data (tests/fixtures/autogen, read by [`scenarios`]).

pub mod scenarios;

use std::path::Path;

use crate::support::online::{
    DbKind, FreshDb, Normaliser, OracleServer, Outcome, Project, Runner, Tool, mysql_allowed,
    prepare_project, ready, run_step, subcommand, unified_diff,
};
use scenarios::{Drift, write_project};

/// The revision id of every generated migration.
const REV_ID: &str = "d1f7a9b3c5e2";
const CLEAN: &str = "No new upgrade operations detected.\n";

/// What one flow does, in order.
#[derive(Clone, Copy)]
pub enum Step {
    /// The oracle in the left copy, before any comparison (must succeed).
    Setup(&'static [&'static str]),
    /// Changes a file in both copies.
    Edit(fn(&Path)),
    /// Both tools, each in its copy: exit code, stdout, stderr compared.
    Both(&'static [&'static str]),
    /// `revision --autogenerate -m drift --rev-id REV_ID` through both, plus
    /// the files in each copy's versions directory.
    Autogenerate,
    /// `upgrade head` through the right-hand tool in its copy (must
    /// succeed).
    Apply,
    /// `check` through both: compared, and both must find nothing.
    CheckClean,
}

pub const DRIFT_STEPS: &[Step] = &[
    Step::Both(&["check"]),
    Step::Autogenerate,
    Step::Apply,
    Step::CheckClean,
];

/// One tool's copy of the project.
struct Side {
    runner: Runner,
    label: String,
    server: Option<OracleServer>,
    project: Project,
    norm: Normaliser,
    /// Where revision files live, relative to the project root.
    versions: &'static str,
}

/// A step's user-visible result, normalised.
struct Seen {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Side {
    fn new(
        runner: Runner,
        label: String,
        template: &Path,
        db: &FreshDb,
        versions: &'static str,
    ) -> Side {
        let server = match runner {
            Runner::Oracle => Some(OracleServer::acquire()),
            _ => None,
        };
        let project = prepare_project(template, &db.url());
        let norm = Normaliser::new(&project.root, db);
        Side {
            runner,
            label,
            server,
            project,
            norm,
            versions,
        }
    }

    fn raw(&mut self, args: &[String], env: &[(String, String)]) -> Outcome {
        let subprocess_oracle = std::env::var("ALEMBIC_RS_ORACLE_SUBPROCESS").as_deref() == Ok("1");
        let root = &self.project.root;
        match (self.runner, self.server.as_mut()) {
            (Runner::Oracle, Some(server)) if !subprocess_oracle => server.run(root, args, env),
            (Runner::AlembicRs, _) => run_step(Tool::AlembicRs, root, args, env),
            _ => run_step(Tool::Oracle, root, args, env),
        }
    }

    fn run(&mut self, args: &[String], env: &[(String, String)]) -> Seen {
        let o = self.raw(args, env);
        let sub = subcommand(args);
        Seen {
            code: o.code,
            stdout: mask_addresses(&self.norm.output(&o.stdout, sub, "stdout")),
            stderr: sort_serial_notes(&mask_addresses(&self.norm.output(&o.stderr, sub, "stderr"))),
        }
    }

    /// The revision files (name, text without `Create Date:`), sorted.
    fn revision_files(&self) -> Vec<(String, String)> {
        let dir = self.project.root.join(self.versions);
        let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "py"))
            .map(|p| {
                let text = std::fs::read_to_string(&p).unwrap();
                let kept: String = text
                    .split_inclusive('\n')
                    .filter(|l| !l.starts_with("Create Date:"))
                    .collect();
                (
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    self.norm.names(&kept),
                )
            })
            .collect();
        files.sort();
        files
    }
}

/// `check` prints the operations it found as Python reprs, some of which
/// name objects by address (`<... object at 0x7f...>`): the hex digits
/// become `0x?`.
pub fn mask_addresses(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(" at 0x") {
        let (head, tail) = rest.split_at(i + " at 0x".len());
        out.push_str(head);
        let digits = tail.len()
            - tail
                .trim_start_matches(|c: char| c.is_ascii_hexdigit())
                .len();
        if digits > 0 {
            out.push('?');
        }
        rest = &tail[digits..];
    }
    out.push_str(rest);
    out
}

/// The note Alembic's PostgreSQL implementation logs for each SERIAL column
/// while it reflects a table.
pub const SERIAL_NOTE: &str = "INFO  [alembic.ddl.postgresql] Detected sequence named ";

/// Alembic reflects the tables it compares in the order of a set of names
/// (hash-seed dependent), so its SERIAL notes come in that order: each run
/// of consecutive notes is sorted.
pub fn sort_serial_notes(s: &str) -> String {
    let mut lines: Vec<&str> = s.split('\n').collect();
    let mut i = 0;
    while i < lines.len() {
        let n = lines[i..]
            .iter()
            .take_while(|l| l.starts_with(SERIAL_NOTE))
            .count();
        lines[i..i + n].sort_unstable();
        i += n.max(1);
    }
    lines.join("\n")
}

fn args(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

fn both(l: &mut Side, r: &mut Side, a: &[String], env: &[(String, String)]) -> (Seen, Seen) {
    std::thread::scope(|s| {
        let h = s.spawn(|| l.run(a, env));
        let b = r.run(a, env);
        (h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)), b)
    })
}

/// Differences between the two sides' results of one step.
fn diff_seen(what: &str, l: &Side, r: &Side, a: &Seen, b: &Seen) -> Vec<String> {
    let mut out = Vec::new();
    let pairs = [
        ("exit code", a.code.to_string(), b.code.to_string()),
        ("stdout", a.stdout.clone(), b.stdout.clone()),
        ("stderr", a.stderr.clone(), b.stderr.clone()),
    ];
    for (artifact, x, y) in pairs {
        if x != y {
            out.push(format!(
                "{what}: {artifact} differs\n{}",
                unified_diff(&x, &y, &l.label, &r.label)
            ));
        }
    }
    if a.code != b.code {
        for (label, o) in [(&l.label, a), (&r.label, b)] {
            out.push(format!(
                "{what}: {label} exited {}\n-- stdout:\n{}\n-- stderr:\n{}",
                o.code, o.stdout, o.stderr
            ));
        }
    }
    out
}

/// One run of [`Step`]s on a project and a database.
pub struct Flow<'a> {
    pub title: String,
    /// The project both sides copy.
    pub template: &'a Path,
    /// Where revision files live, relative to the project root.
    pub versions: &'static str,
    pub db: &'a FreshDb,
    /// Extra environment of every step.
    pub env: Vec<(String, String)>,
    pub steps: Vec<Step>,
    /// Whether [`Step::CheckClean`] requires `No new upgrade operations
    /// detected.`
    pub ends_clean: bool,
}

/// Runs the flow through `left` and `right` (each in its own copy of the
/// template, both on the flow's database) and returns every mismatch,
/// described.
pub fn run_flow(flow: &Flow, (left, right): (Runner, Runner)) -> Vec<String> {
    let (title, template, versions, db) = (&flow.title, flow.template, flow.versions, flow.db);
    let (env, steps, ends_clean) = (&flow.env, &flow.steps, flow.ends_clean);
    let (mut l_label, mut r_label) = (left.label().to_string(), right.label().to_string());
    if l_label == r_label {
        l_label.push_str(" #1");
        r_label.push_str(" #2");
    }
    let mut l = Side::new(left, l_label, template, db, versions);
    let mut r = Side::new(right, r_label, template, db, versions);
    let mut problems: Vec<String> = Vec::new();
    for (n, step) in steps.iter().enumerate() {
        let at = format!("{title}, step {} of {}", n + 1, steps.len());
        match *step {
            Step::Setup(a) => {
                let o = l.raw(&args(a), env);
                assert_eq!(
                    o.code,
                    0,
                    "{at}: setup `alembic {}` failed in the oracle:\n{}{}",
                    a.join(" "),
                    o.stdout,
                    o.stderr
                );
            }
            Step::Edit(f) => {
                f(&l.project.root);
                f(&r.project.root);
            }
            Step::Both(a) => {
                let (x, y) = both(&mut l, &mut r, &args(a), env);
                problems.extend(diff_seen(
                    &format!("{at}: `alembic {}`", a.join(" ")),
                    &l,
                    &r,
                    &x,
                    &y,
                ));
            }
            Step::Autogenerate => {
                let a = args(&[
                    "revision",
                    "--autogenerate",
                    "-m",
                    "drift",
                    "--rev-id",
                    REV_ID,
                ]);
                let (x, y) = both(&mut l, &mut r, &a, env);
                let what = format!("{at}: `alembic {}`", a.join(" "));
                problems.extend(diff_seen(&what, &l, &r, &x, &y));
                let (fx, fy) = (l.revision_files(), r.revision_files());
                let names = |f: &[(String, String)]| {
                    f.iter()
                        .map(|(n, _)| n.clone())
                        .collect::<Vec<_>>()
                        .join("\n")
                };
                if names(&fx) != names(&fy) {
                    problems.push(format!(
                        "{what}: the revision files differ\n{}",
                        unified_diff(&names(&fx), &names(&fy), &l.label, &r.label)
                    ));
                }
                for ((name, tx), (_, ty)) in fx.iter().zip(&fy) {
                    if tx != ty {
                        problems.push(format!(
                            "{what}: {name} differs (without its Create Date line)\n{}",
                            unified_diff(tx, ty, &l.label, &r.label)
                        ));
                    }
                }
            }
            Step::Apply => {
                let a = args(&["upgrade", "head"]);
                let o = r.run(&a, env);
                if o.code != 0 {
                    problems.push(format!(
                        "{at}: `alembic upgrade head` through {} exited {}\n-- stdout:\n{}\n-- stderr:\n{}",
                        r.label, o.code, o.stdout, o.stderr
                    ));
                }
            }
            Step::CheckClean => {
                let a = args(&["check"]);
                let (x, y) = both(&mut l, &mut r, &a, env);
                let what = format!("{at}: `alembic check` after the upgrade");
                problems.extend(diff_seen(&what, &l, &r, &x, &y));
                if ends_clean {
                    for (side, o) in [(&l, &x), (&r, &y)] {
                        if o.code != 0 || o.stdout != CLEAN {
                            problems.push(format!(
                                "{what}: {} still finds drift (exit {})\n-- stdout:\n{}\n-- stderr:\n{}",
                                side.label, o.code, o.stdout, o.stderr
                            ));
                        }
                    }
                }
            }
        }
    }
    // Every request/answer cycle completed: the servers can serve again.
    for side in [&mut l, &mut r] {
        if let Some(server) = side.server.take() {
            server.release();
        }
    }
    problems
}

/// One scenario on one dialect; the mismatches found.
pub fn run_drift(s: &Drift, kind: DbKind, runners: (Runner, Runner)) -> Vec<String> {
    assert!(
        s.dialects.contains(&kind),
        "scenario {} does not run on {}",
        s.name,
        kind.label()
    );
    let template = write_project(s);
    let db = FreshDb::create(kind);
    let mut steps: Vec<Step> = Vec::new();
    // Without any version row, `check` and `revision` create the version
    // table (Alembic's run_migrations does): the not-at-head database gets an
    // empty one first, so that the two sides' runs do not race to create it.
    steps.push(Step::Setup(if s.at_head {
        &["upgrade", "head"]
    } else {
        &["stamp", "base"]
    }));
    steps.extend_from_slice(if s.applies {
        DRIFT_STEPS
    } else {
        &DRIFT_STEPS[..2]
    });
    let flow = Flow {
        title: format!("scenario `{}` on {}", s.name, kind.label()),
        template: template.path(),
        versions: "migrations/versions",
        db: &db,
        env: Vec::new(),
        steps,
        ends_clean: s.ends_clean,
    };
    run_flow(&flow, runners)
}

/// Whether the parity tests run on `kind` here (the gates of the module
/// documentation of tests/autogen_parity.rs).
pub fn enabled(kind: DbKind) -> bool {
    if std::env::var("ALEMBIC_RS_ONLINE_PARITY").as_deref() == Ok("0") {
        eprintln!("SKIPPED: ALEMBIC_RS_ONLINE_PARITY=0");
        return false;
    }
    mysql_allowed(kind) && ready(kind)
}

/// Stops the idle oracle servers, then fails with every problem found.
pub fn report(title: &str, problems: Vec<String>) {
    OracleServer::stop_idle();
    assert!(
        problems.is_empty(),
        "{title}: {} mismatch(es):\n\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}
