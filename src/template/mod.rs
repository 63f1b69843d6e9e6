//! `script.py.mako` without Mako: the subset of Mako that Alembic's shipped
//! templates and typical customisations use, parsed here and compiled into
//! one Python function (as Mako itself compiles templates to Python), which
//! the embedded interpreter runs with the arguments Alembic passes.
//!
//! Whitespace follows Mako's lexer rule for rule (a `%` line and a `##`
//! line take their newline with them, `\` before a newline joins lines),
//! because the rendered file must be byte-identical to Alembic's.

mod mako;

pub use mako::{Compiled, Snippet, SnippetKind, TemplateError, compile};
