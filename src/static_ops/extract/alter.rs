//! `op.alter_column(...)` and `batch_op.alter_column(...)` as data.
//!
//! Accepted are the arguments autogenerate writes, as literals: the
//! `existing_*` context MySQL restates, `nullable=`, `type_=`,
//! `server_default=` (a string, `sa.text('...')`, `None` to drop),
//! `new_column_name=`, simple comments and `postgresql_using=`. Anything
//! else (`autoincrement=`, `existing_autoincrement=`, dialect keywords,
//! `insert_before=`, expressions) declines: those warn, change the
//! statement or only matter to a table copy.

use rustpython_parser::ast::{self, Expr, Ranged};

use super::{Ctx, Decline, bind, bool_of, is_none, plain_chars, str_of};
use crate::static_ops::model::{AlterColumnDef, StaticOp};

/// The keyword-only arguments both spellings share.
const KEYWORDS: &[&str] = &[
    "nullable",
    "comment",
    "server_default",
    "new_column_name",
    "type_",
    "existing_type",
    "existing_server_default",
    "existing_nullable",
    "existing_comment",
    "postgresql_using",
];

impl Ctx<'_> {
    /// `batch_table` is the block's table for `batch_op.alter_column`.
    pub(super) fn alter_column(
        &self,
        call: &ast::ExprCall,
        batch_table: Option<&str>,
    ) -> Result<StaticOp, Decline> {
        let positional: &[&'static str] = match batch_table {
            None => &["table_name", "column_name"],
            Some(_) => &["column_name"],
        };
        let mut keywords = KEYWORDS.to_vec();
        if batch_table.is_none() {
            keywords.push("schema");
        }
        // Alembic's signature is keyword-only after the names.
        if call.args.len() > positional.len() {
            return Err("alter_column with positional options".into());
        }
        let b = bind(call, positional, &keywords, false)?;
        b.none_only("schema")?;
        let table = match batch_table {
            Some(t) => t.to_string(),
            None => b.str("table_name")?,
        };
        let opt_bool = |name: &str| match b.get(name) {
            None => Ok(None),
            Some(e) if is_none(e) => Ok(None),
            Some(e) => bool_of(e)
                .map(Some)
                .ok_or_else(|| format!("{name} is not True/False/None")),
        };
        let type_src = |name: &str| -> Result<Option<String>, Decline> {
            match b.get(name) {
                None => Ok(None),
                Some(e) if is_none(e) => Ok(None),
                Some(e) => {
                    self.check_type(e)?;
                    Ok(Some(self.src[e.range()].to_string()))
                }
            }
        };
        let server_default = match b.get("server_default") {
            None => None,
            Some(d) => Some(self.server_default(d)?),
        };
        let existing_server_default = match b.get("existing_server_default") {
            None => None,
            Some(d) => self.server_default(d)?,
        };
        let comment = match b.get("comment") {
            None => None,
            Some(c) if is_none(c) => Some(None),
            Some(c) => Some(Some(simple_comment(c)?)),
        };
        let existing_comment = match b.get("existing_comment") {
            None => None,
            Some(c) if is_none(c) => None,
            Some(c) => Some(simple_comment(c)?),
        };
        let using = b.opt_str("postgresql_using")?;
        if let Some(u) = &using {
            // written into the DDL as is, sent as DDL (no bind parsing):
            // `::` casts are fine
            plain_chars(u)?;
        }
        let def = AlterColumnDef {
            table,
            column: b.str("column_name")?,
            nullable: opt_bool("nullable")?,
            existing_nullable: opt_bool("existing_nullable")?,
            type_src: type_src("type_")?,
            existing_type_src: type_src("existing_type")?,
            server_default,
            existing_server_default,
            new_name: b.opt_str("new_column_name")?,
            comment,
            existing_comment,
            using,
        };
        if def.using.is_some() && def.type_src.is_none() {
            // Alembic's CommandError, raised by the Python path
            return Err("postgresql_using without type_".into());
        }
        Ok(StaticOp::AlterColumn(def))
    }
}

/// A comment rendered as a plain SQL string literal on every dialect:
/// no quote, backslash, `%` or `:` (escaped or doubled differently by
/// dialect and paramstyle), printable ASCII only.
fn simple_comment(e: &Expr) -> Result<String, Decline> {
    let s = str_of(e).ok_or("a comment that is not a string literal")?;
    if s.chars().all(|c| c.is_ascii_graphic() || c == ' ')
        && !s.contains(['\'', '\\', '%', ':', '"'])
    {
        Ok(s.to_string())
    } else {
        Err("a comment with quotes or special characters".into())
    }
}
