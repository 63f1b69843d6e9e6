//! The module around `upgrade()` / `downgrade()`: only what the template
//! writes (docstring, imports of `alembic.op`, SQLAlchemy and inert standard
//! library modules, the revision identifiers, literal constants, a logger,
//! plain function definitions).

use std::collections::HashMap;

use rustpython_parser::ast::{self, Constant, Expr, Stmt};

use super::{Decline, is_literal, is_str};

/// Modules whose import has no effect a migration could observe
/// (standard library modules revisions import for their own use).
const INERT_MODULES: &[&str] = &[
    "__future__",
    "collections",
    "collections.abc",
    "datetime",
    "decimal",
    "enum",
    "functools",
    "itertools",
    "json",
    "logging",
    "os",
    "re",
    "sys",
    "textwrap",
    "time",
    "typing",
    "typing_extensions",
    "uuid",
];
/// The identifiers Alembic reads; their values must be literals.
const IDENTIFIERS: &[&str] = &["revision", "down_revision", "branch_labels", "depends_on"];
/// SQLAlchemy's dialect packages a type may come from.
const DIALECT_MODULES: &[&str] = &["postgresql", "mysql", "sqlite", "mssql", "oracle"];

/// What the module's imports bound.
#[derive(Default)]
pub(super) struct Names {
    pub op: Vec<String>,
    pub sa: Vec<String>,
    /// Names imported unrenamed with `from sqlalchemy import ...`.
    pub sa_direct: Vec<String>,
    pub dialects: Vec<String>,
}

/// What the module-level statements bind and define, or why the module is
/// left to Python: each statement must be one the template writes, and no
/// definition or constant may rebind what the bodies rely on (`def
/// text(...)` after `from sqlalchemy import text`).
pub(super) fn read(
    body: &[Stmt],
) -> Result<(Names, HashMap<&str, &ast::StmtFunctionDef>), Decline> {
    let mut names = Names::default();
    let mut functions: HashMap<&str, &ast::StmtFunctionDef> = HashMap::new();
    for stmt in body {
        module_stmt(stmt, &mut names, &mut functions)?;
    }
    let rebound = body.iter().find_map(|stmt| {
        let bound = match stmt {
            Stmt::FunctionDef(f) => f.name.as_str(),
            Stmt::Assign(a) => match a.targets.as_slice() {
                [Expr::Name(n)] => n.id.as_str(),
                _ => return None,
            },
            Stmt::AnnAssign(a) => match &*a.target {
                Expr::Name(n) => n.id.as_str(),
                _ => return None,
            },
            _ => return None,
        };
        [&names.op, &names.sa, &names.sa_direct, &names.dialects]
            .iter()
            .any(|list| list.iter().any(|n| n == bound))
            .then(|| format!("{bound} is rebound"))
    });
    match rebound {
        Some(reason) => Err(reason),
        None => Ok((names, functions)),
    }
}

fn module_stmt<'a>(
    stmt: &'a Stmt,
    names: &mut Names,
    functions: &mut HashMap<&'a str, &'a ast::StmtFunctionDef>,
) -> Result<(), Decline> {
    match stmt {
        Stmt::Expr(e) if is_str(&e.value) => Ok(()),
        Stmt::Import(i) => {
            for a in &i.names {
                let name = a.name.as_str();
                // The host evaluates type spellings with `sa`/`sqlalchemy`
                // bound, so only those spellings are accepted.
                if name == "sqlalchemy" && matches!(a.asname.as_deref(), None | Some("sa")) {
                    names
                        .sa
                        .push(a.asname.as_deref().unwrap_or("sqlalchemy").to_string());
                } else if !INERT_MODULES.contains(&name) {
                    return Err(format!("imports {name}"));
                }
            }
            Ok(())
        }
        Stmt::ImportFrom(i) => {
            if i.level.is_some_and(|l| l.to_u32() != 0) {
                return Err("relative import".into());
            }
            let module = i.module.as_deref().unwrap_or("");
            for a in &i.names {
                let bound = a.asname.as_deref().unwrap_or(a.name.as_str()).to_string();
                match (module, a.name.as_str()) {
                    (_, "*") => return Err(format!("from {module} import *")),
                    ("alembic", "op") => names.op.push(bound),
                    ("sqlalchemy.dialects", d) if DIALECT_MODULES.contains(&d) && bound == d => {
                        names.dialects.push(bound)
                    }
                    ("sqlalchemy", n) => {
                        if bound == n {
                            names.sa_direct.push(bound)
                        }
                    }
                    (m, _) if INERT_MODULES.contains(&m) => {}
                    (m, n) => return Err(format!("from {m} import {n}")),
                }
            }
            Ok(())
        }
        Stmt::Assign(a) => match a.targets.as_slice() {
            [Expr::Name(n)] if IDENTIFIERS.contains(&n.id.as_str()) && is_literal(&a.value) => {
                Ok(())
            }
            // module constants and loggers, for the revision's own use
            [Expr::Name(_)] if is_constant(&a.value) || is_get_logger(&a.value) => Ok(()),
            _ => Err("module-level assignment".into()),
        },
        Stmt::AnnAssign(a) => match (&*a.target, &a.value) {
            (Expr::Name(n), Some(v)) if IDENTIFIERS.contains(&n.id.as_str()) && is_literal(v) => {
                Ok(())
            }
            _ => Err("module-level assignment".into()),
        },
        Stmt::FunctionDef(f) => {
            let plain_returns = match f.returns.as_deref() {
                None | Some(Expr::Name(_)) => true,
                Some(Expr::Constant(c)) => matches!(c.value, Constant::None),
                _ => false,
            };
            if !f.decorator_list.is_empty() || !plain_returns || has_defaults(&f.args) {
                return Err(format!("def {} has decorators or defaults", f.name));
            }
            if functions.insert(f.name.as_str(), f).is_some() {
                return Err(format!("{} is defined twice", f.name));
            }
            Ok(())
        }
        _ => Err("module-level code".into()),
    }
}

fn has_defaults(args: &ast::Arguments) -> bool {
    args.posonlyargs
        .iter()
        .chain(&args.args)
        .chain(&args.kwonlyargs)
        .any(|a| a.default.is_some())
}

pub(super) fn takes_nothing(args: &ast::Arguments) -> bool {
    args.posonlyargs.is_empty()
        && args.args.is_empty()
        && args.kwonlyargs.is_empty()
        && args.vararg.is_none()
        && args.kwarg.is_none()
}

/// A literal of any plain type (or a tuple/list of them).
fn is_constant(e: &Expr) -> bool {
    match e {
        Expr::Constant(c) => !matches!(c.value, Constant::Ellipsis),
        Expr::Tuple(t) => t.elts.iter().all(is_constant),
        Expr::List(l) => l.elts.iter().all(is_constant),
        _ => false,
    }
}

/// `logging.getLogger(__name__)` or `logging.getLogger('...')`.
fn is_get_logger(e: &Expr) -> bool {
    let Expr::Call(c) = e else { return false };
    let callee = matches!(&*c.func, Expr::Attribute(a)
        if a.attr.as_str() == "getLogger"
            && matches!(&*a.value, Expr::Name(n) if n.id.as_str() == "logging"));
    callee
        && c.keywords.is_empty()
        && c.args.len() <= 1
        && c.args
            .iter()
            .all(|a| is_str(a) || matches!(a, Expr::Name(n) if n.id.as_str() == "__name__"))
}
