//! The command line, parsed the way Alembic's argparse CLI parses it.

pub mod argparse;
pub mod args;
pub mod help;
mod namespace;
#[cfg(test)]
mod oracle_tests;
mod run;
mod spec;

pub use argparse::{parse_args, parse_args_with_columns, prog_name, version_text};
pub use args::{CommandArgs, GlobalOptions, ParseOutcome};

/// The program: parse argv like argparse, run the command, return the exit
/// status. Usage errors and help are printed verbatim as argparse would.
pub fn main() -> i32 {
    let mut argv = std::env::args_os().map(|a| a.to_string_lossy().into_owned());
    let prog = prog_name(&argv.next().unwrap_or_default());
    let argv: Vec<String> = argv.collect();
    match parse_args(&prog, &argv) {
        ParseOutcome::Run(global, command, cmd_opts) => run::run(&global, &command, cmd_opts),
        ParseOutcome::Exit {
            stdout,
            stderr,
            code,
        } => {
            print!("{stdout}");
            crate::ui::eprint(&stderr);
            code
        }
    }
}
