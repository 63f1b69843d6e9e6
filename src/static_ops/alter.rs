//! The statements of `alter_column`, composed by the same functions the
//! Python path calls (`crate::ddl::alter_column`, `mysql_alter_column`)
//! from pieces SQLAlchemy compiles once per run: type DDL, `DEFAULT` text,
//! comment literals ([`Piece`]).

use std::collections::HashMap;

use super::extract::Decline;
use super::model::{AlterColumnDef, ServerDefault, StaticBody, StaticOp};
use super::render::{Dialect, Family};
use crate::ddl;

/// Something of an `alter_column` only SQLAlchemy can write.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Piece {
    /// A type spelling: `type_compiler.process(to_instance(type_))`.
    Type(String),
    /// `get_column_default_string` of a column with this server default.
    Default(ServerDefault),
    /// `render_literal_value(comment, String())`.
    Comment(String),
}

/// A compiled [`Piece`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compiled {
    pub text: String,
    /// For a type: `_type_affinity is DateTime` on the object as written
    /// (a type class has none), which makes MySQL restate the column.
    pub datetime: bool,
}

/// `None` where the host declined (a type with DDL side effects, one that
/// does not compile on the dialect).
pub type Pieces = HashMap<Piece, Option<Compiled>>;

/// The pieces `body`'s `alter_column`s need.
pub fn pieces(body: &StaticBody) -> Vec<Piece> {
    let mut out = Vec::new();
    for op in &body.ops {
        let StaticOp::AlterColumn(a) = op else {
            continue;
        };
        out.extend(
            [&a.type_src, &a.existing_type_src]
                .into_iter()
                .flatten()
                .map(|t| Piece::Type(t.clone())),
        );
        out.extend(
            [
                a.server_default.clone().flatten(),
                a.existing_server_default.clone(),
            ]
            .into_iter()
            .flatten()
            .map(Piece::Default),
        );
        out.extend(
            [a.comment.clone().flatten(), a.existing_comment.clone()]
                .into_iter()
                .flatten()
                .map(Piece::Comment),
        );
    }
    out
}

fn get(pieces: &Pieces, piece: Piece) -> Result<&Compiled, Decline> {
    match pieces.get(&piece) {
        Some(Some(c)) => Ok(c),
        Some(None) => Err(match piece {
            Piece::Type(t) => format!("column type {t}"),
            Piece::Default(_) => "a server_default the host did not compile".into(),
            Piece::Comment(_) => "a comment the host did not compile".into(),
        }),
        None => Err("alter_column piece not compiled".into()),
    }
}

/// The statements Alembic's impl sends for `a` (none, one or several).
pub fn render(a: &AlterColumnDef, d: &Dialect, pieces: &Pieces) -> Result<Vec<String>, Decline> {
    if d.family == Family::Sqlite {
        // SQLite's impl cannot ALTER a column; batch mode copies the table.
        return Err("alter_column on SQLite".into());
    }
    let text = |p: Piece| get(pieces, p).map(|c| c.text.clone());
    let type_ = a.type_src.clone().map(Piece::Type).map(&text).transpose()?;
    // Compiled on every dialect: a type with side effects (an Enum's
    // CHECK or CREATE TYPE) declines even where it is not written.
    let existing_type = a
        .existing_type_src
        .clone()
        .map(Piece::Type)
        .map(&text)
        .transpose()?;
    let server_default = match &a.server_default {
        None => None,
        Some(None) => Some(None),
        Some(Some(d)) => Some(Some(text(Piece::Default(d.clone()))?)),
    };
    let comment = match &a.comment {
        None => None,
        Some(None) => Some(None),
        Some(Some(c)) => Some(Some(text(Piece::Comment(c.clone()))?)),
    };
    let table = d.quote(&a.table)?;
    let column = d.quote(&a.column)?;
    let new_name = a.new_name.as_deref().map(|n| d.quote(n)).transpose()?;
    if d.family == Family::Postgresql {
        return Ok(ddl::alter_column(
            ddl::DdlDialect::Postgresql,
            &ddl::AlterColumn {
                table,
                column,
                nullable: a.nullable,
                server_default,
                type_,
                using: a.using.clone(),
                comment,
                new_name,
            },
        ));
    }
    // MySQL / MariaDB: the whole column restated from the `existing_*`.
    let effective = a.type_src.as_ref().or(a.existing_type_src.as_ref());
    let datetime_affinity = match effective {
        Some(t) => get(pieces, Piece::Type(t.clone()))?.datetime,
        None => false,
    };
    let existing_server_default = a
        .existing_server_default
        .clone()
        .map(|d| text(Piece::Default(d)))
        .transpose()?;
    let existing_comment = a
        .existing_comment
        .clone()
        .map(|c| text(Piece::Comment(c)))
        .transpose()?;
    let sql = ddl::mysql_alter_column(&ddl::MySqlAlterColumn {
        table,
        column,
        new_name,
        type_,
        existing_type,
        datetime_affinity,
        nullable: a.nullable,
        existing_nullable: a.existing_nullable,
        server_default,
        existing_server_default,
        autoincrement: None,
        existing_autoincrement: None,
        comment,
        existing_comment,
    })
    // Alembic's CommandError: the Python path raises it
    .map_err(|e| e.to_string())?;
    Ok(sql.into_iter().collect())
}
