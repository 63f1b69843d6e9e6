//! A small emulator of Python 3.11's `argparse`, driven by a declarative
//! table of Alembic's sub-commands (`alembic.config.CommandLine`).
//!
//! The goal is byte-identical behaviour with `alembic`'s CLI: the same
//! namespace, the same `usage:`/`error:` texts on stderr with exit code 2,
//! the same help on stdout. The algorithm follows
//! `ArgumentParser._parse_known_args` step by step rather than approximating
//! it, because its quirks are user-visible:
//!
//! * every argument string is first classified as option (`O`), argument
//!   (`A`) or `--` (`-`), by the parser that is parsing it; the top-level
//!   parser classifies the sub-command's arguments too (which is why
//!   `alembic-rs upgrade --=x` is a *top-level* "ambiguous option" error);
//! * options and positionals are then consumed by matching regular
//!   expressions over that pattern string (`-1` is an argument, `-1:` an
//!   option, so `history -r -1:` is "expected one argument");
//! * long options match unique prefixes (`--rev` for `--rev-range`) and
//!   take `--opt=value`; short options take `-mvalue`, `-m=value` and
//!   combine (`-vi`);
//! * arguments the sub-command did not recognise are reported by the
//!   top-level parser, with the top-level usage.
//!
//! Known, deliberate differences from Alembic:
//!
//! * `--version` prints `PROG <alembic-rs version> (alembic 1.20.1
//!   compatible)` where Alembic prints `PROG 1.20.1`.
//! * A value of exactly `--` attached to an option (`--tag=--`, `-r=--`,
//!   `-r--`, `-c=--`) is an empty *list* in Alembic's namespace (argparse's
//!   `_get_values` removes the first `--`); we store the empty string, which
//!   has the same truthiness and the same `":" not in` answer.

use indexmap::IndexMap;

use super::args::ParseOutcome;
use super::help;
use super::namespace::{cmd_opts, to_args};
use super::spec::*;
use crate::pyfmt::py_repr;

/// The Alembic release whose CLI this reproduces.
pub const ALEMBIC_VERSION: &str = "1.20.1";

// ---------------------------------------------------------------------------
// The parser model (what `add_argument` builds)
// ---------------------------------------------------------------------------

/// A value in the namespace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Value {
    None,
    Bool(bool),
    Str(String),
    List(Vec<String>),
}

/// An `argparse.Action`.
#[derive(Clone, Debug)]
pub(crate) struct Action {
    pub option_strings: Vec<&'static str>,
    /// `None` is `argparse.SUPPRESS`.
    pub dest: Option<&'static str>,
    pub kind: Kind,
    pub nargs: Nargs,
    pub default: Value,
    pub help: Option<&'static str>,
    pub required: bool,
    /// Sub-command names (the `_SubParsersAction` only).
    pub choices: Vec<&'static str>,
    /// Sub-command help lines (`_ChoicesPseudoAction`s).
    pub choice_helps: Vec<(&'static str, Option<&'static str>)>,
}

impl Action {
    fn option(def: &OptDef) -> Action {
        let (nargs, default) = match def.kind {
            Kind::StoreTrue => (Nargs::Zero, Value::Bool(false)),
            _ => (
                Nargs::Single,
                def.default
                    .map_or(Value::None, |d| Value::Str(d.to_string())),
            ),
        };
        Action {
            option_strings: def.flags.to_vec(),
            dest: Some(def.dest),
            kind: def.kind,
            nargs,
            default,
            help: Some(def.help),
            required: false,
            choices: Vec::new(),
            choice_helps: Vec::new(),
        }
    }

    fn positional(def: &PosDef) -> Action {
        Action {
            option_strings: Vec::new(),
            dest: Some(def.dest),
            kind: Kind::Store,
            nargs: def.nargs,
            default: Value::None,
            help: def.help,
            required: true,
            choices: Vec::new(),
            choice_helps: Vec::new(),
        }
    }

    fn help() -> Action {
        Action {
            option_strings: vec!["-h", "--help"],
            dest: None,
            kind: Kind::Help,
            nargs: Nargs::Zero,
            default: Value::None,
            help: Some("show this help message and exit"),
            required: false,
            choices: Vec::new(),
            choice_helps: Vec::new(),
        }
    }

    /// `_get_action_name`.
    fn name(&self) -> Option<String> {
        if !self.option_strings.is_empty() {
            Some(self.option_strings.join("/"))
        } else if let Some(dest) = self.dest {
            Some(dest.to_string())
        } else if !self.choices.is_empty() {
            Some(format!("{{{}}}", self.choices.join(",")))
        } else {
            None
        }
    }
}

/// An `argparse.ArgumentParser` as Alembic configures it.
#[derive(Clone, Debug)]
pub(crate) struct Parser {
    pub prog: String,
    pub actions: Vec<Action>,
    /// Parsers of the sub-commands, parallel to the `SubParsers` action's
    /// `choices`.
    pub subparsers: Vec<Parser>,
    /// `set_defaults(cmd=...)`: the command this sub-parser selects.
    pub cmd: Option<&'static str>,
    /// The `--version` text (prog already substituted).
    pub version: Option<String>,
}

/// What `--version` prints (before wrapping).
pub fn version_text(prog: &str) -> String {
    format!(
        "{prog} {} (alembic {ALEMBIC_VERSION} compatible)",
        env!("CARGO_PKG_VERSION")
    )
}

/// `os.path.basename(sys.argv[0])`, argparse's default `prog`.
pub fn prog_name(argv0: &str) -> String {
    match argv0.rfind('/') {
        Some(i) => argv0[i + 1..].to_string(),
        None => argv0.to_string(),
    }
}

fn build_command(prefix: &str, def: &CommandDef) -> Parser {
    let mut actions = vec![Action::help()];
    actions.extend(def.options.iter().map(Action::option));
    actions.extend(def.positionals.iter().map(Action::positional));
    Parser {
        prog: format!("{prefix} {}", def.name),
        actions,
        subparsers: Vec::new(),
        cmd: Some(def.name),
        version: None,
    }
}

/// The top-level parser `CommandLine(prog=prog)` builds.
pub(crate) fn top_parser(prog: &str) -> Parser {
    let mut actions = vec![Action::help()];
    actions.push(Action {
        option_strings: vec!["--version"],
        dest: None,
        kind: Kind::Version,
        nargs: Nargs::Zero,
        default: Value::None,
        help: Some("show program's version number and exit"),
        required: false,
        choices: Vec::new(),
        choice_helps: Vec::new(),
    });
    actions.extend(GLOBAL_OPTIONS.iter().map(Action::option));
    // `add_subparsers()` names the sub-parsers after this parser's usage
    // with no options: just `prog`, stripped.
    let prefix = help::finish(&format!("\n{prog}\n\n\n")).trim().to_string();
    actions.push(Action {
        option_strings: Vec::new(),
        dest: None,
        kind: Kind::SubParsers,
        nargs: Nargs::Parser,
        default: Value::None,
        help: None,
        required: false,
        choices: COMMANDS.iter().map(|c| c.name).collect(),
        choice_helps: COMMANDS.iter().map(|c| (c.name, Some(c.help))).collect(),
    });
    Parser {
        prog: prog.to_string(),
        actions,
        subparsers: COMMANDS.iter().map(|c| build_command(&prefix, c)).collect(),
        cmd: None,
        version: Some(version_text(prog)),
    }
}

/// The parser of one sub-command, as built under `top_parser(prog)`.
pub(crate) fn command_parser(prog: &str, command: &str) -> Option<Parser> {
    let top = top_parser(prog);
    let i = COMMANDS.iter().position(|c| c.name == command)?;
    top.subparsers.into_iter().nth(i)
}

// ---------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------

pub(super) type Namespace = IndexMap<&'static str, Value>;

/// A finished run: what to print and the exit status.
#[derive(Debug)]
struct Exit {
    stdout: String,
    stderr: String,
    code: i32,
}

/// Why `_parse_known_args` stopped.
enum Fail {
    /// `ArgumentError` (or a direct `parser.error()`, which prints the
    /// same): reported by the parser being run.
    Arg {
        argument: Option<String>,
        message: String,
    },
    /// Already formatted (help, version, a sub-parser's error).
    Exit(Exit),
}

fn arg_error(action: &Action, message: String) -> Fail {
    Fail::Arg {
        argument: action.name(),
        message,
    }
}

/// `_parse_optional`'s answer: which action (`None`: looks like an option
/// this parser does not know), by which option string, with which
/// `=`/attached value.
#[derive(Clone, Debug)]
struct OptionTuple {
    action: Option<usize>,
    option_string: String,
    explicit: Option<String>,
}

/// `_get_nargs_pattern`.
fn nargs_pattern(action: &Action) -> String {
    let p = match action.nargs {
        Nargs::Single => "(-*A-*)",
        Nargs::Zero => "(-*-*)",
        Nargs::OneOrMore => "(-*A[A-]*)",
        Nargs::Parser => "(-*A[-AO]*)",
    };
    if action.option_strings.is_empty() {
        p.to_string()
    } else {
        // options never take '--'
        p.replace("-*", "").replace('-', "")
    }
}

/// `re.match(pattern, s)`: the lengths of the groups, if it matches.
fn match_groups(pattern: &str, s: &str) -> Option<Vec<usize>> {
    thread_local! {
        static CACHE: std::cell::RefCell<std::collections::HashMap<String, regex::Regex>> =
            Default::default();
    }
    let re = CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(re) = cache.get(pattern) {
            return Some(re.clone());
        }
        let re = regex::Regex::new(&format!("^(?:{pattern})")).ok()?;
        cache.insert(pattern.to_string(), re.clone());
        Some(re)
    })?;
    let caps = re.captures(s)?;
    Some(
        caps.iter()
            .skip(1)
            .map(|m| m.map_or(0, |m| m.as_str().len()))
            .collect(),
    )
}

/// argparse's `_negative_number_matcher` (`$` also matches before a final
/// newline in Python).
fn looks_negative(s: &str) -> bool {
    static RE: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    RE.get_or_init(|| regex::Regex::new(r"^(?:-\d+|-\d*\.\d+)\n?\z").ok())
        .as_ref()
        .is_some_and(|re| re.is_match(s))
}

impl Parser {
    /// `_option_string_actions`, in insertion order.
    fn option_strings(&self) -> impl Iterator<Item = (&'static str, usize)> + '_ {
        self.actions
            .iter()
            .enumerate()
            .flat_map(|(i, a)| a.option_strings.iter().map(move |&o| (o, i)))
    }

    fn lookup(&self, option_string: &str) -> Option<usize> {
        self.option_strings()
            .find(|&(o, _)| o == option_string)
            .map(|(_, i)| i)
    }

    fn has_negative_number_optionals(&self) -> bool {
        self.option_strings().any(|(o, _)| looks_negative(o))
    }

    /// `parser.error(message)`: usage and `PROG: error: MESSAGE` on stderr,
    /// exit status 2.
    fn error(&self, message: &str, columns: i64) -> Exit {
        Exit {
            stdout: String::new(),
            stderr: format!(
                "{}{}: error: {message}\n",
                help::parser_usage(self, columns),
                self.prog
            ),
            code: 2,
        }
    }

    /// `_parse_optional`.
    fn parse_optional(&self, arg: &str) -> Result<Option<OptionTuple>, Fail> {
        if !arg.starts_with('-') {
            return Ok(None);
        }
        if let Some(i) = self.lookup(arg) {
            return Ok(Some(OptionTuple {
                action: Some(i),
                option_string: arg.to_string(),
                explicit: None,
            }));
        }
        if arg.chars().count() == 1 {
            return Ok(None);
        }
        if let Some((option_string, explicit)) = arg.split_once('=')
            && let Some(i) = self.lookup(option_string)
        {
            return Ok(Some(OptionTuple {
                action: Some(i),
                option_string: option_string.to_string(),
                explicit: Some(explicit.to_string()),
            }));
        }
        let tuples = self.option_tuples(arg);
        if tuples.len() > 1 {
            let matches: Vec<&str> = tuples.iter().map(|t| t.option_string.as_str()).collect();
            return Err(Fail::Arg {
                argument: None,
                message: format!("ambiguous option: {arg} could match {}", matches.join(", ")),
            });
        }
        if let Some(t) = tuples.into_iter().next() {
            return Ok(Some(t));
        }
        if looks_negative(arg) && !self.has_negative_number_optionals() {
            return Ok(None);
        }
        if arg.contains(' ') {
            return Ok(None);
        }
        Ok(Some(OptionTuple {
            action: None,
            option_string: arg.to_string(),
            explicit: None,
        }))
    }

    /// `_get_option_tuples` (with `allow_abbrev=True`).
    fn option_tuples(&self, arg: &str) -> Vec<OptionTuple> {
        let mut result = Vec::new();
        if arg.starts_with("--") {
            let (prefix, explicit) = match arg.split_once('=') {
                Some((p, e)) => (p, Some(e.to_string())),
                None => (arg, None),
            };
            for (o, i) in self.option_strings() {
                if o.starts_with(prefix) {
                    result.push(OptionTuple {
                        action: Some(i),
                        option_string: o.to_string(),
                        explicit: explicit.clone(),
                    });
                }
            }
        } else {
            let split = arg.char_indices().nth(2).map_or(arg.len(), |(i, _)| i);
            let (short, short_explicit) = arg.split_at(split);
            for (o, i) in self.option_strings() {
                if o == short {
                    result.push(OptionTuple {
                        action: Some(i),
                        option_string: o.to_string(),
                        explicit: Some(short_explicit.to_string()),
                    });
                } else if o.starts_with(arg) {
                    result.push(OptionTuple {
                        action: Some(i),
                        option_string: o.to_string(),
                        explicit: None,
                    });
                }
            }
        }
        result
    }

    /// `_match_argument`.
    fn match_argument(&self, action: &Action, pattern: &str) -> Result<usize, Fail> {
        match match_groups(&nargs_pattern(action), pattern) {
            Some(groups) => Ok(groups.first().copied().unwrap_or(0)),
            None => {
                let message = match action.nargs {
                    Nargs::Single | Nargs::Parser => "expected one argument",
                    Nargs::OneOrMore => "expected at least one argument",
                    Nargs::Zero => "expected 0 arguments",
                };
                Err(arg_error(action, message.to_string()))
            }
        }
    }

    /// `_match_arguments_partial`.
    fn match_partial(&self, actions: &[usize], pattern: &str) -> Vec<usize> {
        for i in (1..=actions.len()).rev() {
            let p: String = actions[..i]
                .iter()
                .map(|&a| nargs_pattern(&self.actions[a]))
                .collect();
            if let Some(groups) = match_groups(&p, pattern) {
                return groups;
            }
        }
        Vec::new()
    }

    /// The namespace before parsing: action defaults, then `set_defaults`.
    fn defaults(&self) -> Namespace {
        let mut ns = Namespace::new();
        for a in &self.actions {
            if let Some(dest) = a.dest {
                ns.entry(dest).or_insert_with(|| a.default.clone());
            }
        }
        if let Some(cmd) = self.cmd {
            ns.insert("cmd", Value::Str(cmd.to_string()));
        }
        ns
    }

    /// `parse_known_args`: the namespace and the strings not recognised
    /// (this parser's first, then those its sub-parser passed up).
    fn parse_known_args(
        &self,
        args: &[String],
        columns: i64,
    ) -> Result<(Namespace, Vec<String>), Exit> {
        let mut run = Run {
            parser: self,
            args,
            columns,
            pattern: String::new(),
            option_indices: IndexMap::new(),
            extras: Vec::new(),
            unrecognized: Vec::new(),
            seen: Vec::new(),
            positionals: Vec::new(),
            ns: self.defaults(),
        };
        match run.parse() {
            Ok(()) => {
                let mut extras = run.extras;
                extras.extend(run.unrecognized);
                Ok((run.ns, extras))
            }
            Err(Fail::Exit(exit)) => Err(exit),
            Err(Fail::Arg { argument, message }) => {
                let text = match argument {
                    Some(name) => format!("argument {name}: {message}"),
                    None => message,
                };
                Err(self.error(&text, columns))
            }
        }
    }
}

/// The state of one `_parse_known_args` call.
struct Run<'a> {
    parser: &'a Parser,
    args: &'a [String],
    columns: i64,
    /// One of `O`, `A`, `-` per argument string.
    pattern: String,
    option_indices: IndexMap<usize, OptionTuple>,
    extras: Vec<String>,
    /// `_UNRECOGNIZED_ARGS_ATTR`: what a sub-parser left over.
    unrecognized: Vec<String>,
    seen: Vec<usize>,
    /// Positionals not consumed yet.
    positionals: Vec<usize>,
    ns: Namespace,
}

impl Run<'_> {
    fn parse(&mut self) -> Result<(), Fail> {
        let parser = self.parser;
        // classify the argument strings
        let mut after_dashes = false;
        for (i, arg) in self.args.iter().enumerate() {
            if after_dashes {
                self.pattern.push('A');
            } else if arg == "--" {
                self.pattern.push('-');
                after_dashes = true;
            } else {
                match parser.parse_optional(arg)? {
                    None => self.pattern.push('A'),
                    Some(t) => {
                        self.option_indices.insert(i, t);
                        self.pattern.push('O');
                    }
                }
            }
        }

        self.positionals = (0..parser.actions.len())
            .filter(|&i| parser.actions[i].option_strings.is_empty())
            .collect();

        // consume positionals and optionals alternately
        let max_option_index = self.option_indices.keys().copied().max();
        let mut start = 0;
        while let Some(max) = max_option_index
            && start <= max
        {
            let next_option = self
                .option_indices
                .keys()
                .copied()
                .filter(|&i| i >= start)
                .min()
                .unwrap_or(max);
            if start != next_option {
                let end = self.consume_positionals(start)?;
                if end > start {
                    start = end;
                    continue;
                }
                start = end;
            }
            if !self.option_indices.contains_key(&start) {
                self.extras
                    .extend(self.args[start..next_option].iter().cloned());
                start = next_option;
            }
            start = self.consume_optional(start)?;
        }
        let stop = self.consume_positionals(start)?;
        self.extras.extend(self.args[stop..].iter().cloned());

        let missing: Vec<String> = parser
            .actions
            .iter()
            .enumerate()
            .filter(|(i, a)| a.required && !self.seen.contains(i))
            .filter_map(|(_, a)| a.name())
            .collect();
        if !missing.is_empty() {
            return Err(Fail::Arg {
                argument: None,
                message: format!(
                    "the following arguments are required: {}",
                    missing.join(", ")
                ),
            });
        }
        Ok(())
    }

    /// `consume_optional`.
    fn consume_optional(&mut self, start: usize) -> Result<usize, Fail> {
        let parser = self.parser;
        let OptionTuple {
            action,
            mut option_string,
            mut explicit,
        } = self.option_indices[&start].clone();
        let Some(mut action) = action else {
            self.extras.push(self.args[start].clone());
            return Ok(start + 1);
        };
        let mut tuples: Vec<(usize, Vec<String>, String)> = Vec::new();
        let stop;
        loop {
            let a = &parser.actions[action];
            if let Some(exp) = explicit.take() {
                let arg_count = parser.match_argument(a, "A")?;
                let second = option_string.chars().nth(1);
                if arg_count == 0 && second != Some('-') && !exp.is_empty() {
                    // -xyz: more single-dash flags in the same string
                    tuples.push((action, Vec::new(), option_string.clone()));
                    let mut rest = exp.chars();
                    let first = rest.next().unwrap_or_default();
                    let prefix = option_string.chars().next().unwrap_or('-');
                    option_string = format!("{prefix}{first}");
                    let remaining: String = rest.collect();
                    match parser.lookup(&option_string) {
                        Some(next) => {
                            action = next;
                            explicit = (!remaining.is_empty()).then_some(remaining);
                        }
                        None => {
                            return Err(arg_error(
                                a,
                                format!("ignored explicit argument {}", py_repr(&exp)),
                            ));
                        }
                    }
                } else if arg_count == 1 {
                    stop = start + 1;
                    tuples.push((action, vec![exp], option_string.clone()));
                    break;
                } else {
                    return Err(arg_error(
                        a,
                        format!("ignored explicit argument {}", py_repr(&exp)),
                    ));
                }
            } else {
                let from = start + 1;
                let arg_count = parser.match_argument(a, &self.pattern[from..])?;
                stop = from + arg_count;
                tuples.push((
                    action,
                    self.args[from..stop].to_vec(),
                    option_string.clone(),
                ));
                break;
            }
        }
        for (action, args, _) in tuples {
            self.take_action(action, args)?;
        }
        Ok(stop)
    }

    /// `consume_positionals`.
    fn consume_positionals(&mut self, mut start: usize) -> Result<usize, Fail> {
        let counts = self
            .parser
            .match_partial(&self.positionals, &self.pattern[start..]);
        let taken: Vec<usize> = self.positionals[..counts.len()].to_vec();
        for (action, count) in taken.into_iter().zip(counts.iter()) {
            let args = self.args[start..start + count].to_vec();
            start += count;
            self.take_action(action, args)?;
        }
        self.positionals.drain(..counts.len());
        Ok(start)
    }

    /// `take_action`: convert the strings, then run the action.
    fn take_action(&mut self, index: usize, mut strings: Vec<String>) -> Result<(), Fail> {
        let parser = self.parser;
        let action = &parser.actions[index];
        self.seen.push(index);
        // _get_values
        if action.nargs != Nargs::Parser
            && let Some(p) = strings.iter().position(|s| s == "--")
        {
            strings.remove(p);
        }
        let value = match action.nargs {
            Nargs::Single if strings.len() == 1 => Value::Str(strings.remove(0)),
            // `--tag=--`, `-r--`: argparse drops the `--` and stores an
            // empty *list*; the typed result says `""` (see module docs).
            Nargs::Single if strings.is_empty() => Value::Str(String::new()),
            Nargs::Parser => {
                let name = strings.first().cloned().unwrap_or_default();
                if !action.choices.iter().any(|&c| c == name) {
                    let choices: Vec<String> = action.choices.iter().map(|c| py_repr(c)).collect();
                    return Err(arg_error(
                        action,
                        format!(
                            "invalid choice: {} (choose from {})",
                            py_repr(&name),
                            choices.join(", ")
                        ),
                    ));
                }
                Value::List(strings)
            }
            _ => Value::List(strings),
        };
        match action.kind {
            Kind::Store => {
                if let Some(dest) = action.dest {
                    self.ns.insert(dest, value);
                }
            }
            Kind::StoreTrue => {
                if let Some(dest) = action.dest {
                    self.ns.insert(dest, Value::Bool(true));
                }
            }
            Kind::Append => {
                if let (Some(dest), Value::Str(s)) = (action.dest, value) {
                    let mut items = match self.ns.get(dest) {
                        Some(Value::List(v)) => v.clone(),
                        _ => Vec::new(),
                    };
                    items.push(s);
                    self.ns.insert(dest, Value::List(items));
                }
            }
            Kind::Help => {
                return Err(Fail::Exit(Exit {
                    stdout: help::parser_help(parser, self.columns),
                    stderr: String::new(),
                    code: 0,
                }));
            }
            Kind::Version => {
                let text = parser.version.clone().unwrap_or_default();
                return Err(Fail::Exit(Exit {
                    stdout: help::version_output(&text, self.columns),
                    stderr: String::new(),
                    code: 0,
                }));
            }
            Kind::SubParsers => {
                let Value::List(values) = value else {
                    return Ok(());
                };
                let Some(i) = action.choices.iter().position(|&c| c == values[0]) else {
                    return Ok(());
                };
                let sub = &parser.subparsers[i];
                let (sub_ns, sub_extras) = sub
                    .parse_known_args(&values[1..], self.columns)
                    .map_err(Fail::Exit)?;
                for (k, v) in sub_ns {
                    self.ns.insert(k, v);
                }
                self.unrecognized.extend(sub_extras);
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------

/// Parses `argv` (without the program name) as `alembic` does, formatting
/// any help or error text for the current terminal width
/// ([`help::terminal_columns`]).
pub fn parse_args(prog: &str, argv: &[String]) -> ParseOutcome {
    parse_args_with_columns(prog, argv, help::terminal_columns())
}

/// [`parse_args`] with an explicit terminal width (the `COLUMNS` value;
/// argparse formats to `columns - 2`).
pub fn parse_args_with_columns(prog: &str, argv: &[String], columns: i64) -> ParseOutcome {
    let top = top_parser(prog);
    let exit = |e: Exit| ParseOutcome::Exit {
        stdout: e.stdout,
        stderr: e.stderr,
        code: e.code,
    };
    let (ns, extras) = match top.parse_known_args(argv, columns) {
        Ok(r) => r,
        Err(e) => return exit(e),
    };
    if !extras.is_empty() {
        let message = format!("unrecognized arguments: {}", extras.join(" "));
        return exit(top.error(&message, columns));
    }
    match to_args(&ns) {
        Some((global, command)) => ParseOutcome::Run(global, command, cmd_opts(&ns)),
        // `CommandLine.main`: no sub-command given
        None => exit(top.error("too few arguments", columns)),
    }
}

#[cfg(test)]
mod tests;
