//! Reading `upgrade()` / `downgrade()` as data, from the syntax tree.
//!
//! Accepted is what `alembic revision --autogenerate` writes and nothing
//! that could behave differently when imported and run: module-level code
//! is limited to the docstring, the template's imports, the four
//! identifiers and function definitions; a function body to literal
//! `op.<directive>(...)` calls and `batch_alter_table` blocks of the same.
//! Anything else is a [`Decline`] naming why, and that function runs in
//! Python as it always did.

use std::collections::HashMap;

use rustpython_parser::ast::{self, Constant, Expr, Ranged, Stmt};
use rustpython_parser::{Mode, parse};

mod alter;
mod module;

use module::{Names, takes_nothing};

use super::model::{
    ColumnDef, ConstraintKind, ForeignKeyDef, ServerDefault, StaticBody, StaticOp, TableItem,
};

/// Why a function (or the whole module) is left to Python.
pub type Decline = String;

/// Both functions of one revision file.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct StaticModule {
    pub upgrade: Result<StaticBody, Decline>,
    pub downgrade: Result<StaticBody, Decline>,
    /// Whether the module-level code was read as inert (docstring, inert
    /// imports, metadata): importing such a file has no effect a run could
    /// observe, so it need not be imported ahead of the run.
    pub inert: bool,
}

impl StaticModule {
    pub fn declined(reason: Decline) -> StaticModule {
        StaticModule {
            upgrade: Err(reason.clone()),
            downgrade: Err(reason),
            inert: false,
        }
    }

    pub fn function(&self, name: &str) -> &Result<StaticBody, Decline> {
        if name == "downgrade" {
            &self.downgrade
        } else {
            &self.upgrade
        }
    }

    /// Whether the module was read and has no `def` of `name`: the host
    /// then imports it to see whether the attribute exists another way
    /// (Alembic takes every step's function before the first step runs).
    pub fn lacks_def(&self, name: &str) -> bool {
        self.function(name).as_ref().err() == Some(&no_def(name))
    }
}

/// The decline of a function the module does not define with `def`.
fn no_def(name: &str) -> Decline {
    format!("no {name}() function")
}

pub fn extract(source: &str) -> StaticModule {
    // The whole file's tree: walked and dropped with stack for its depth.
    crate::stack::for_source(source.len(), || extract_parsed(source))
        .unwrap_or_else(|| StaticModule::declined("too large to read without Python".into()))
}

fn extract_parsed(source: &str) -> StaticModule {
    let module = match parse(source, Mode::Module, "<revision>") {
        Ok(ast::Mod::Module(m)) => m,
        _ => return StaticModule::declined("does not parse".into()),
    };
    let (names, functions) = match module::read(&module.body) {
        Ok(read) => read,
        Err(reason) => return StaticModule::declined(reason),
    };
    let ctx = Ctx { src: source, names };
    let body = |name: &str| match functions.get(name) {
        None => Err(no_def(name)),
        Some(f) => ctx.function(f),
    };
    StaticModule {
        upgrade: body("upgrade"),
        downgrade: body("downgrade"),
        inert: true,
    }
}

fn is_str(e: &Expr) -> bool {
    matches!(e, Expr::Constant(c) if matches!(c.value, Constant::Str(_)))
}

fn is_literal(e: &Expr) -> bool {
    match e {
        Expr::Constant(c) => matches!(c.value, Constant::Str(_) | Constant::None),
        Expr::Tuple(t) => t.elts.iter().all(is_str),
        Expr::List(l) => l.elts.iter().all(is_str),
        _ => false,
    }
}

fn str_of(e: &Expr) -> Option<&str> {
    match e {
        Expr::Constant(c) => match &c.value {
            Constant::Str(s) => Some(s),
            _ => None,
        },
        _ => None,
    }
}

fn bool_of(e: &Expr) -> Option<bool> {
    match e {
        Expr::Constant(c) => match c.value {
            Constant::Bool(b) => Some(b),
            _ => None,
        },
        _ => None,
    }
}

fn is_none(e: &Expr) -> bool {
    matches!(e, Expr::Constant(c) if matches!(c.value, Constant::None))
}

fn str_list(e: &Expr) -> Option<Vec<String>> {
    let elts = match e {
        Expr::List(l) => &l.elts,
        Expr::Tuple(t) => &t.elts,
        _ => return None,
    };
    elts.iter().map(|x| str_of(x).map(str::to_string)).collect()
}

/// A call's arguments bound to parameter names, Python-style.
struct Bound<'a> {
    args: HashMap<&'static str, &'a Expr>,
    /// Positional arguments beyond the named ones (`*columns`).
    rest: Vec<&'a Expr>,
}

impl<'a> Bound<'a> {
    fn get(&self, name: &str) -> Option<&'a Expr> {
        self.args.get(name).copied()
    }

    fn req(&self, name: &str) -> Result<&'a Expr, Decline> {
        self.get(name).ok_or_else(|| format!("missing {name}"))
    }

    fn str(&self, name: &str) -> Result<String, Decline> {
        str_of(self.req(name)?)
            .map(str::to_string)
            .ok_or_else(|| format!("{name} is not a string literal"))
    }

    fn opt_str(&self, name: &str) -> Result<Option<String>, Decline> {
        match self.get(name) {
            None => Ok(None),
            Some(e) if is_none(e) => Ok(None),
            Some(e) => str_of(e)
                .map(|s| Some(s.to_string()))
                .ok_or_else(|| format!("{name} is not a string literal")),
        }
    }

    fn bool(&self, name: &str, default: bool) -> Result<bool, Decline> {
        match self.get(name) {
            None => Ok(default),
            Some(e) => bool_of(e).ok_or_else(|| format!("{name} is not True/False")),
        }
    }

    /// A keyword accepted only at its default, `None`.
    fn none_only(&self, name: &str) -> Result<(), Decline> {
        match self.get(name) {
            Some(e) if !is_none(e) => Err(format!("{name}= given")),
            _ => Ok(()),
        }
    }
}

/// Binds `call`'s arguments to `positional` (in order) and `keywords`;
/// with `varargs`, extra positionals go to `rest`.
fn bind<'a>(
    call: &'a ast::ExprCall,
    positional: &[&'static str],
    keywords: &[&'static str],
    varargs: bool,
) -> Result<Bound<'a>, Decline> {
    let mut b = Bound {
        args: HashMap::new(),
        rest: Vec::new(),
    };
    for (i, a) in call.args.iter().enumerate() {
        if matches!(a, Expr::Starred(_)) {
            return Err("*args in a call".into());
        }
        match positional.get(i) {
            Some(name) => {
                b.args.insert(name, a);
            }
            None if varargs => b.rest.push(a),
            None => return Err("too many positional arguments".into()),
        }
    }
    for k in &call.keywords {
        let Some(arg) = &k.arg else {
            return Err("**kwargs in a call".into());
        };
        let Some(name) = positional
            .iter()
            .chain(keywords)
            .find(|n| **n == arg.as_str())
        else {
            return Err(format!("keyword {arg}="));
        };
        if b.args.insert(name, &k.value).is_some() {
            return Err(format!("{arg} given twice"));
        }
    }
    Ok(b)
}

struct Ctx<'s> {
    src: &'s str,
    names: Names,
}

/// Which object a directive is called on.
enum Target<'a> {
    Op,
    /// `batch_op` of `with op.batch_alter_table(table) as batch_op:`.
    Batch {
        alias: &'a str,
        table: &'a str,
        line: u32,
    },
}

impl Ctx<'_> {
    /// The 1-based line of byte `offset`.
    fn line(&self, offset: usize) -> u32 {
        1 + self.src.as_bytes()[..offset.min(self.src.len())]
            .iter()
            .filter(|&&c| c == b'\n')
            .count() as u32
    }

    fn function(&self, f: &ast::StmtFunctionDef) -> Result<StaticBody, Decline> {
        if !takes_nothing(&f.args) {
            return Err(format!("{}() takes arguments", f.name));
        }
        let mut body = StaticBody::default();
        self.stmts(&f.body, &Target::Op, &mut body)?;
        Ok(body)
    }

    fn stmts(&self, stmts: &[Stmt], target: &Target, out: &mut StaticBody) -> Result<(), Decline> {
        for stmt in stmts {
            match stmt {
                Stmt::Pass(_) => {}
                Stmt::Expr(e) if is_str(&e.value) => {}
                Stmt::Expr(e) => match &*e.value {
                    Expr::Call(call) => {
                        out.ops.push(self.directive(call, target)?);
                        out.lines.push(match target {
                            Target::Op => self.line(call.range.start().to_usize()),
                            Target::Batch { line, .. } => *line,
                        });
                        out.batch.push(matches!(target, Target::Batch { .. }));
                    }
                    _ => return Err("an expression that is not an op call".into()),
                },
                Stmt::With(w) if matches!(target, Target::Op) => {
                    let (alias, table) = self.batch_block(w)?;
                    let start = out.ops.len();
                    let line = self.line(w.range.start().to_usize());
                    self.stmts(&w.body, &Target::Batch { alias, table, line }, out)?;
                    // SQLiteImpl.requires_recreate_in_batch
                    out.batch_copies_on_sqlite |= out.ops[start..].iter().any(|op| match op {
                        StaticOp::AddColumn { column, .. } => {
                            matches!(column.server_default, Some(ServerDefault::Text(_)))
                        }
                        StaticOp::CreateIndex { .. } | StaticOp::DropIndex { .. } => false,
                        _ => true,
                    });
                }
                _ => return Err(format!("a {} statement", stmt_kind(stmt))),
            }
        }
        Ok(())
    }

    /// `with op.batch_alter_table('t'[, schema=None][, recreate='auto']) as b:`
    fn batch_block<'a>(&self, w: &'a ast::StmtWith) -> Result<(&'a str, &'a str), Decline> {
        let [item] = w.items.as_slice() else {
            return Err("a with statement of several items".into());
        };
        let Some(Expr::Name(alias)) = item.optional_vars.as_deref() else {
            return Err("a with statement without `as name`".into());
        };
        let Expr::Call(call) = &item.context_expr else {
            return Err("a with statement that is not batch_alter_table".into());
        };
        if self.op_method(&call.func) != Some("batch_alter_table") {
            return Err("a with statement that is not batch_alter_table".into());
        }
        let b = bind(call, &["table_name"], &["schema", "recreate"], false)?;
        b.none_only("schema")?;
        if let Some(r) = b.get("recreate")
            && str_of(r) != Some("auto")
        {
            return Err("batch_alter_table(recreate=...)".into());
        }
        let Some(table) = str_of(b.req("table_name")?) else {
            return Err("batch table name is not a literal".into());
        };
        Ok((alias.id.as_str(), table))
    }

    /// `op.<name>` (through any alias the module bound `op` to).
    fn op_method<'a>(&self, func: &'a Expr) -> Option<&'a str> {
        match func {
            Expr::Attribute(a) => match &*a.value {
                Expr::Name(n) if self.names.op.iter().any(|o| o == n.id.as_str()) => {
                    Some(a.attr.as_str())
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// `<alias>.<name>` for a module alias in `aliases`.
    fn attr_of<'a>(func: &'a Expr, aliases: &[String]) -> Option<&'a str> {
        match func {
            Expr::Attribute(a) => match &*a.value {
                Expr::Name(n) if aliases.iter().any(|s| s == n.id.as_str()) => {
                    Some(a.attr.as_str())
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// `sa.X(...)`, or `X(...)` after `from sqlalchemy import X`.
    fn sa_call<'a>(&self, e: &'a Expr) -> Option<(&'a str, &'a ast::ExprCall)> {
        match e {
            Expr::Call(c) => self.sa_name(&c.func).map(|n| (n, c)),
            _ => None,
        }
    }

    /// `sa.types.X` (the host evaluates the spelling with `sa` bound).
    fn sa_types_name<'a>(&self, f: &'a Expr) -> Option<&'a str> {
        match f {
            Expr::Attribute(a) => match &*a.value {
                Expr::Attribute(t) if t.attr.as_str() == "types" => {
                    Self::attr_of(&a.value, &self.names.sa).map(|_| a.attr.as_str())
                }
                _ => None,
            },
            _ => None,
        }
    }

    fn sa_name<'a>(&self, f: &'a Expr) -> Option<&'a str> {
        match f {
            Expr::Name(n) if self.names.sa_direct.iter().any(|d| d == n.id.as_str()) => {
                Some(n.id.as_str())
            }
            _ => Self::attr_of(f, &self.names.sa),
        }
    }

    fn directive(&self, call: &ast::ExprCall, target: &Target) -> Result<StaticOp, Decline> {
        match target {
            Target::Op => {
                let name = self
                    .op_method(&call.func)
                    .ok_or("a call that is not an op directive")?;
                self.op_directive(name, call)
            }
            Target::Batch { alias, table, .. } => {
                let name = match &*call.func {
                    Expr::Attribute(a) if matches!(&*a.value, Expr::Name(n) if n.id.as_str() == *alias) => {
                        a.attr.as_str()
                    }
                    _ => {
                        return Err(
                            "a call in a batch block that is not a batch_op directive".into()
                        );
                    }
                };
                self.batch_directive(name, call, table, alias)
            }
        }
    }

    fn op_directive(&self, name: &str, call: &ast::ExprCall) -> Result<StaticOp, Decline> {
        Ok(match name {
            "create_table" => {
                let b = bind(call, &["table_name"], &["schema"], true)?;
                b.none_only("schema")?;
                let items = b
                    .rest
                    .iter()
                    .map(|e| self.table_item(e))
                    .collect::<Result<Vec<_>, _>>()?;
                StaticOp::CreateTable {
                    name: b.str("table_name")?,
                    items,
                }
            }
            "drop_table" => {
                let b = bind(call, &["table_name"], &["schema", "if_exists"], false)?;
                b.none_only("schema")?;
                b.none_only("if_exists")?;
                StaticOp::DropTable {
                    name: b.str("table_name")?,
                }
            }
            "rename_table" => {
                let b = bind(
                    call,
                    &["old_table_name", "new_table_name"],
                    &["schema"],
                    false,
                )?;
                b.none_only("schema")?;
                StaticOp::RenameTable {
                    old: b.str("old_table_name")?,
                    new: b.str("new_table_name")?,
                }
            }
            "add_column" => {
                let b = bind(call, &["table_name", "column"], &["schema"], false)?;
                b.none_only("schema")?;
                StaticOp::AddColumn {
                    table: b.str("table_name")?,
                    column: self.column(b.req("column")?)?,
                }
            }
            "drop_column" => {
                let b = bind(call, &["table_name", "column_name"], &["schema"], false)?;
                b.none_only("schema")?;
                StaticOp::DropColumn {
                    table: b.str("table_name")?,
                    column: b.str("column_name")?,
                }
            }
            "create_index" => {
                let b = bind(
                    call,
                    &["index_name", "table_name", "columns"],
                    &["schema", "unique"],
                    false,
                )?;
                b.none_only("schema")?;
                StaticOp::CreateIndex {
                    name: self
                        .name(b.req("index_name")?, None)?
                        .ok_or("unnamed index")?,
                    table: b.str("table_name")?,
                    columns: index_columns(b.req("columns")?)?,
                    unique: b.bool("unique", false)?,
                }
            }
            "drop_index" => {
                let b = bind(call, &["index_name", "table_name"], &["schema"], false)?;
                b.none_only("schema")?;
                StaticOp::DropIndex {
                    name: self
                        .name(b.req("index_name")?, None)?
                        .ok_or("unnamed index")?,
                    table: b.opt_str("table_name")?,
                }
            }
            "create_foreign_key" => {
                let b = bind(
                    call,
                    &[
                        "constraint_name",
                        "source_table",
                        "referent_table",
                        "local_cols",
                        "remote_cols",
                    ],
                    &["onupdate", "ondelete", "source_schema", "referent_schema"],
                    false,
                )?;
                b.none_only("source_schema")?;
                StaticOp::CreateForeignKey {
                    table: b.str("source_table")?,
                    fk: self.fk_op(&b, "referent_table", None)?,
                }
            }
            "create_unique_constraint" => {
                let b = bind(
                    call,
                    &["constraint_name", "table_name", "columns"],
                    &["schema"],
                    false,
                )?;
                b.none_only("schema")?;
                StaticOp::CreateUnique {
                    table: b.str("table_name")?,
                    name: self.name(b.req("constraint_name")?, None)?,
                    columns: index_columns(b.req("columns")?)?,
                }
            }
            "drop_constraint" => {
                let b = bind(
                    call,
                    &["constraint_name", "table_name", "type_"],
                    &["schema"],
                    false,
                )?;
                b.none_only("schema")?;
                StaticOp::DropConstraint {
                    name: self
                        .name(b.req("constraint_name")?, None)?
                        .ok_or("unnamed constraint")?,
                    table: b.str("table_name")?,
                    kind: constraint_kind(b.get("type_"))?,
                }
            }
            "alter_column" => self.alter_column(call, None)?,
            "execute" => {
                let b = bind(call, &["sqltext"], &[], false)?;
                StaticOp::Execute(self.sql_text(b.req("sqltext")?)?)
            }
            other => return Err(format!("op.{other}")),
        })
    }

    fn batch_directive(
        &self,
        name: &str,
        call: &ast::ExprCall,
        table: &str,
        alias: &str,
    ) -> Result<StaticOp, Decline> {
        let table = table.to_string();
        let f = Some(alias);
        Ok(match name {
            "add_column" => {
                let b = bind(call, &["column"], &[], false)?;
                StaticOp::AddColumn {
                    table,
                    column: self.column(b.req("column")?)?,
                }
            }
            "drop_column" => {
                let b = bind(call, &["column_name"], &[], false)?;
                StaticOp::DropColumn {
                    table,
                    column: b.str("column_name")?,
                }
            }
            "create_index" => {
                let b = bind(call, &["index_name", "columns"], &["unique"], false)?;
                StaticOp::CreateIndex {
                    name: self.name(b.req("index_name")?, f)?.ok_or("unnamed index")?,
                    table,
                    columns: index_columns(b.req("columns")?)?,
                    unique: b.bool("unique", false)?,
                }
            }
            "drop_index" => {
                let b = bind(call, &["index_name"], &[], false)?;
                StaticOp::DropIndex {
                    name: self.name(b.req("index_name")?, f)?.ok_or("unnamed index")?,
                    table: Some(table),
                }
            }
            "create_foreign_key" => {
                let b = bind(
                    call,
                    &[
                        "constraint_name",
                        "referent_table",
                        "local_cols",
                        "remote_cols",
                    ],
                    &["onupdate", "ondelete", "referent_schema"],
                    false,
                )?;
                StaticOp::CreateForeignKey {
                    table,
                    fk: self.fk_op(&b, "referent_table", f)?,
                }
            }
            "create_unique_constraint" => {
                let b = bind(call, &["constraint_name", "columns"], &[], false)?;
                StaticOp::CreateUnique {
                    table,
                    name: self.name(b.req("constraint_name")?, f)?,
                    columns: index_columns(b.req("columns")?)?,
                }
            }
            "drop_constraint" => {
                let b = bind(call, &["constraint_name", "type_"], &[], false)?;
                StaticOp::DropConstraint {
                    name: self
                        .name(b.req("constraint_name")?, f)?
                        .ok_or("unnamed constraint")?,
                    table,
                    kind: constraint_kind(b.get("type_"))?,
                }
            }
            "alter_column" => self.alter_column(call, Some(&table))?,
            other => return Err(format!("batch_op.{other}")),
        })
    }

    fn fk_op(&self, b: &Bound, referent: &str, f: Option<&str>) -> Result<ForeignKeyDef, Decline> {
        let cols =
            |n: &str| str_list(b.req(n)?).ok_or_else(|| format!("{n} is not a list of names"));
        let fk = ForeignKeyDef {
            name: self.name(b.req("constraint_name")?, f)?,
            columns: cols("local_cols")?,
            referent: b.str(referent)?,
            referent_schema: b.opt_str("referent_schema")?,
            referent_columns: cols("remote_cols")?,
            ondelete: phrase(b.opt_str("ondelete")?)?,
            onupdate: phrase(b.opt_str("onupdate")?)?,
        };
        if fk.columns.is_empty() || fk.columns.len() != fk.referent_columns.len() {
            return Err("foreign key column counts differ".into());
        }
        Ok(fk)
    }

    /// A constraint or index name: a string, `op.f('...')` (or the batch
    /// alias's `.f`), or `None`.
    fn name(&self, e: &Expr, batch_alias: Option<&str>) -> Result<Option<String>, Decline> {
        if is_none(e) {
            return Ok(None);
        }
        if let Some(s) = str_of(e) {
            return Ok(Some(s.to_string()));
        }
        if let Expr::Call(c) = e
            && c.keywords.is_empty()
            && let [arg] = c.args.as_slice()
            && let Expr::Attribute(a) = &*c.func
            && a.attr.as_str() == "f"
            && let Expr::Name(n) = &*a.value
            && (self.names.op.iter().any(|o| o == n.id.as_str())
                || batch_alias == Some(n.id.as_str()))
            && let Some(s) = str_of(arg)
        {
            return Ok(Some(s.to_string()));
        }
        Err("a name that is not a literal".into())
    }

    /// A constraint's `name=` keyword, if given.
    fn name_kw(&self, b: &Bound) -> Result<Option<String>, Decline> {
        match b.get("name") {
            Some(n) => self.name(n, None),
            None => Ok(None),
        }
    }

    /// `op.execute`'s argument: a string or `sa.text('...')`, and only one
    /// that `text()` passes through unchanged.
    fn sql_text(&self, e: &Expr) -> Result<String, Decline> {
        let s = match (str_of(e), self.sa_call(e)) {
            (Some(s), _) => s,
            (None, Some(("text", c))) if c.keywords.is_empty() && c.args.len() == 1 => {
                str_of(&c.args[0]).ok_or("sa.text() of a non-literal")?
            }
            _ => return Err("execute() of something other than a string".into()),
        };
        plain_sql(s)?;
        Ok(s.to_string())
    }

    fn table_item(&self, e: &Expr) -> Result<TableItem, Decline> {
        let Some((kind, call)) = self.sa_call(e) else {
            return Err("a create_table argument that is not sa.Column/constraint".into());
        };
        Ok(match kind {
            "Column" => TableItem::Column(self.column(e)?),
            "PrimaryKeyConstraint" | "UniqueConstraint" => {
                let b = bind(call, &[], &["name"], true)?;
                let columns = b
                    .rest
                    .iter()
                    .map(|c| str_of(c).map(str::to_string))
                    .collect::<Option<Vec<_>>>()
                    .ok_or("constraint columns are not names")?;
                if columns.is_empty() {
                    return Err("a constraint without columns".into());
                }
                let name = self.name_kw(&b)?;
                if kind == "UniqueConstraint" {
                    TableItem::Unique { name, columns }
                } else {
                    TableItem::PrimaryKey { name, columns }
                }
            }
            "ForeignKeyConstraint" => {
                let b = bind(
                    call,
                    &["columns", "refcolumns"],
                    &["name", "ondelete", "onupdate"],
                    false,
                )?;
                let columns = str_list(b.req("columns")?).ok_or("fk columns are not names")?;
                let refs = str_list(b.req("refcolumns")?).ok_or("fk refcolumns are not names")?;
                let mut referent = None;
                let mut referent_columns = Vec::new();
                for r in &refs {
                    // `table.column` or `schema.table.column`
                    let parts: Vec<&str> = r.split('.').collect();
                    let (target, c) = match parts.as_slice() {
                        [t, c] => ((None, *t), *c),
                        [s, t, c] => ((Some(*s), *t), *c),
                        _ => {
                            return Err(
                                "a foreign key target that is not [schema.]table.column".into()
                            );
                        }
                    };
                    if referent.get_or_insert(target) != &target {
                        return Err("a foreign key to several tables".into());
                    }
                    referent_columns.push(c.to_string());
                }
                let (referent_schema, referent) = referent.unwrap_or_default();
                if columns.is_empty() || columns.len() != referent_columns.len() {
                    return Err("foreign key column counts differ".into());
                }
                TableItem::ForeignKey(ForeignKeyDef {
                    name: self.name_kw(&b)?,
                    columns,
                    referent: referent.to_string(),
                    referent_schema: referent_schema.map(str::to_string),
                    referent_columns,
                    ondelete: phrase(b.opt_str("ondelete")?)?,
                    onupdate: phrase(b.opt_str("onupdate")?)?,
                })
            }
            "CheckConstraint" => {
                let b = bind(call, &["sqltext"], &["name"], false)?;
                let sqltext = b.str("sqltext")?;
                plain_sql(&sqltext)?;
                TableItem::Check {
                    name: self.name_kw(&b)?,
                    sqltext,
                }
            }
            other => return Err(format!("sa.{other} in create_table")),
        })
    }

    fn column(&self, e: &Expr) -> Result<ColumnDef, Decline> {
        let Some(("Column", call)) = self.sa_call(e) else {
            return Err("a column that is not sa.Column(...)".into());
        };
        let b = bind(
            call,
            &["name", "type_"],
            &[
                "nullable",
                "server_default",
                "primary_key",
                "autoincrement",
                "comment",
                "default",
                "index",
                "unique",
            ],
            false,
        )?;
        b.none_only("comment")?;
        let type_ = b.req("type_")?;
        self.check_type(type_)?;
        let server_default = match b.get("server_default") {
            None => None,
            Some(d) => self.server_default(d)?,
        };
        let client_default = match b.get("default") {
            None => false,
            Some(d) => client_default(d)?,
        };
        let autoincrement = match b.get("autoincrement") {
            None => None,
            Some(a) if str_of(a) == Some("auto") => None,
            Some(a) => Some(bool_of(a).ok_or("autoincrement is not True/False/'auto'")?),
        };
        let nullable = match b.get("nullable") {
            None => None,
            Some(n) => Some(bool_of(n).ok_or("nullable is not True/False")?),
        };
        Ok(ColumnDef {
            name: b.str("name")?,
            type_src: self.src[type_.range()].to_string(),
            nullable,
            server_default,
            primary_key: b.bool("primary_key", false)?,
            autoincrement,
            client_default,
            index: opt_flag(b.get("index"), "index")?,
            unique: opt_flag(b.get("unique"), "unique")?,
        })
    }

    /// A `server_default=`: a string, `sa.text('...')` of plain SQL, or
    /// `None` (no default; for `alter_column`, "drop it").
    fn server_default(&self, d: &Expr) -> Result<Option<ServerDefault>, Decline> {
        if is_none(d) {
            return Ok(None);
        }
        Ok(Some(match (str_of(d), self.sa_call(d)) {
            (Some(s), _) => ServerDefault::Str(s.to_string()),
            (None, Some(("text", c))) if c.keywords.is_empty() && c.args.len() == 1 => {
                let s = str_of(&c.args[0]).ok_or("sa.text() of a non-literal")?;
                plain_sql(s)?;
                ServerDefault::Text(s.to_string())
            }
            _ => return Err("a server_default that is not a literal".into()),
        }))
    }

    /// A type is `sa.X`, `sa.X(...)`, `sa.types.X(...)` or a dialect module's, with literal
    /// arguments or other such types (`ARRAY(sa.Integer())`). Whether
    /// SQLAlchemy's type has DDL side effects (Enum, a CHECK) is decided by
    /// the host, which builds it.
    fn check_type(&self, e: &Expr) -> Result<(), Decline> {
        // Types are classes (`String`, `JSONB`); a lowercase name is a
        // function, which could do anything.
        let is_type_name = |f: &Expr| {
            self.sa_name(f)
                .or_else(|| Self::attr_of(f, &self.names.dialects))
                .or_else(|| self.sa_types_name(f))
                .is_some_and(|n| n.starts_with(|c: char| c.is_ascii_uppercase()))
        };
        match e {
            Expr::Attribute(_) | Expr::Name(_) if is_type_name(e) => Ok(()),
            Expr::Call(c) if is_type_name(&c.func) => {
                for a in c.args.iter().chain(c.keywords.iter().map(|k| &k.value)) {
                    self.type_arg(a)?;
                }
                if c.keywords.iter().any(|k| k.arg.is_none()) {
                    return Err("**kwargs in a type".into());
                }
                Ok(())
            }
            _ => Err("a column type that is not sa.<Type>(...)".into()),
        }
    }

    fn type_arg(&self, e: &Expr) -> Result<(), Decline> {
        match e {
            Expr::Constant(c) => match c.value {
                Constant::Str(_)
                | Constant::Int(_)
                | Constant::Bool(_)
                | Constant::None
                | Constant::Float(_) => Ok(()),
                _ => Err("a type argument that is not a literal".into()),
            },
            Expr::UnaryOp(u) if matches!(&*u.operand, Expr::Constant(_)) => Ok(()),
            Expr::List(l) => l.elts.iter().try_for_each(|x| self.type_arg(x)),
            Expr::Tuple(t) => t.elts.iter().try_for_each(|x| self.type_arg(x)),
            _ => self.check_type(e),
        }
    }
}

/// A `True`/`False`/`None` keyword (absent or `None`: false).
fn opt_flag(e: Option<&Expr>, name: &str) -> Result<bool, Decline> {
    match e {
        None => Ok(false),
        Some(e) if is_none(e) => Ok(false),
        Some(e) => bool_of(e).ok_or_else(|| format!("{name} is not True/False/None")),
    }
}

/// `sa.Column(default=...)`: whether a literal client-side default is
/// given (it has no DDL; anything else, such as a callable or a
/// `Sequence`, could).
fn client_default(e: &Expr) -> Result<bool, Decline> {
    match e {
        Expr::Constant(c) => match c.value {
            Constant::None => Ok(false),
            Constant::Str(_) | Constant::Int(_) | Constant::Float(_) | Constant::Bool(_) => {
                Ok(true)
            }
            _ => Err("a default= that is not a literal".into()),
        },
        Expr::UnaryOp(u)
            if matches!(u.op, ast::UnaryOp::USub)
                && matches!(&*u.operand, Expr::Constant(c)
                    if matches!(c.value, Constant::Int(_) | Constant::Float(_))) =>
        {
            Ok(true)
        }
        _ => Err("a default= that is not a literal".into()),
    }
}

fn index_columns(e: &Expr) -> Result<Vec<String>, Decline> {
    match str_list(e) {
        Some(c) if !c.is_empty() => Ok(c),
        _ => Err("index columns that are not a list of names".into()),
    }
}

fn constraint_kind(e: Option<&Expr>) -> Result<ConstraintKind, Decline> {
    Ok(match e.map(|e| (is_none(e), str_of(e))) {
        None | Some((true, _)) => ConstraintKind::Unspecified,
        Some((_, Some("foreignkey"))) => ConstraintKind::ForeignKey,
        Some((_, Some("unique"))) => ConstraintKind::Unique,
        Some((_, Some("check"))) => ConstraintKind::Check,
        Some((_, Some("primary"))) => ConstraintKind::Primary,
        _ => return Err("an unknown constraint type_".into()),
    })
}

/// `ON DELETE`/`ON UPDATE` phrases: the five actions SQL defines, in any
/// case. Every SQLAlchemy release renders those as written; other phrases
/// depend on the release (2.1 and late 2.0 take any sequence of words, 2.0
/// up to at least 2.0.25 only these five, raising `CompileError` for the
/// rest), so they go to Python, where the installed SQLAlchemy decides.
fn phrase(p: Option<String>) -> Result<Option<String>, Decline> {
    const ACTIONS: [&str; 5] = [
        "RESTRICT",
        "CASCADE",
        "SET NULL",
        "NO ACTION",
        "SET DEFAULT",
    ];
    match &p {
        Some(s) if !ACTIONS.iter().any(|a| a.eq_ignore_ascii_case(s)) => {
            Err("an unusual ON DELETE/UPDATE phrase".into())
        }
        _ => Ok(p),
    }
}

/// SQL text SQLAlchemy's `text()` would emit unchanged: no bind markers,
/// no percent signs (doubled for some paramstyles), and no characters
/// Python's `str.strip()` and Rust's `trim()` disagree on.
fn plain_sql(s: &str) -> Result<(), Decline> {
    if s.contains([':', '%']) {
        return Err("SQL text with ':' or '%'".into());
    }
    plain_chars(s)
}

/// No characters Python's `str.strip()` and Rust's `trim()` disagree on
/// (for text written into a statement as is, such as `USING`).
fn plain_chars(s: &str) -> Result<(), Decline> {
    if s.chars().any(|c| {
        (c < ' ' && !matches!(c, '\n' | '\r' | '\t')) || !c.is_ascii() && c.is_whitespace()
    }) {
        return Err("SQL text with control characters".into());
    }
    Ok(())
}

fn stmt_kind(s: &Stmt) -> &'static str {
    match s {
        Stmt::Assign(_) | Stmt::AnnAssign(_) | Stmt::AugAssign(_) => "assignment",
        Stmt::For(_) | Stmt::AsyncFor(_) | Stmt::While(_) => "loop",
        Stmt::If(_) => "if",
        Stmt::With(_) | Stmt::AsyncWith(_) => "with",
        Stmt::Try(_) | Stmt::TryStar(_) => "try",
        Stmt::Import(_) | Stmt::ImportFrom(_) => "import",
        Stmt::Return(_) => "return",
        _ => "non-directive",
    }
}
