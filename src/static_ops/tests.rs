//! What the extractor accepts and declines, and the statements around
//! column specifications. Byte parity with Alembic is checked by
//! tests/static_offline_parity.rs against the oracle.

use std::collections::HashSet;

use super::model::StaticBody;
use super::model::{ServerDefault, StaticOp};
use super::*;

const HEADER: &str = r#""""add things

Revision ID: a1
Revises:
Create Date: 2026-01-01 00:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = 'a1'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

"#;

fn module(upgrade: &str) -> StaticModule {
    extract(&format!(
        "{HEADER}\ndef upgrade() -> None:\n    \"\"\"Upgrade schema.\"\"\"\n{upgrade}\n\n\ndef downgrade() -> None:\n    pass\n"
    ))
}

fn declined(upgrade: &str) -> Decline {
    module(upgrade).upgrade.expect_err("expected a decline")
}

fn pg() -> Dialect {
    Dialect {
        family: Family::Postgresql,
        quote: '"',
        reserved: ["order", "user", "select"]
            .map(String::from)
            .into_iter()
            .collect::<HashSet<_>>(),
        max_name_length: 63,
    }
}

#[test]
fn autogenerate_style_bodies_are_read() {
    let m = module(
        "    op.create_table('account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), server_default=sa.text('x'), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_account_name'), 'account', ['name'], unique=False)
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_a'), 'other', ['other_id'], ['id'], ondelete='SET NULL')
    op.execute(\"UPDATE account SET name = 'y'\")",
    );
    let body = m.upgrade.unwrap();
    assert_eq!(body.ops.len(), 4);
    assert!(body.batch_copies_on_sqlite);
    match &body.ops[0] {
        StaticOp::CreateTable { name, items } => {
            assert_eq!(name, "account");
            assert_eq!(items.len(), 3);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(m.downgrade.unwrap().ops, vec![]);
}

#[test]
fn anything_else_is_declined_with_a_reason() {
    assert!(declined("    for t in ['a']:\n        op.drop_table(t)").contains("loop"));
    assert!(declined("    t = 'a'\n    op.drop_table(t)").contains("assignment"));
    assert!(declined("    op.drop_table('a', schema='s')").contains("schema"));
    assert!(declined("    op.execute('UPDATE t SET a = :x')").contains("':'"));
    assert!(
        declined("    op.add_column('t', sa.Column('c', sa.Integer(), sa.ForeignKey('u.id')))")
            .contains("positional")
    );
    assert!(declined("    op.add_column('t', sa.Column('c', sa.func.now()))").contains("type"));
    assert!(declined("    print('hi')").contains("not an op directive"));
}

#[test]
fn module_level_code_declines_both_functions() {
    let src = format!(
        "{HEADER}\nimport myapp.models\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n"
    );
    let m = extract(&src);
    assert!(m.upgrade.unwrap_err().contains("myapp"));
    assert!(m.downgrade.is_err());
}

#[test]
fn create_table_wraps_the_column_specifications() {
    let m = module(
        "    op.create_table('order',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('Name', sa.String(length=5), server_default='a', nullable=True),
    sa.ForeignKeyConstraint(['id'], ['s.user.id'], name='fk_o', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )",
    );
    let body = m.upgrade.unwrap();
    let keys = column_keys(&body);
    assert_eq!(keys.len(), 2);
    // the primary key column is in a foreign key: no SERIAL candidate
    assert!(!keys[0].sole_pk);
    assert_eq!(keys[1].server_default, Some(ServerDefault::Str("a".into())));
    let tails: Tails = keys
        .into_iter()
        .zip(["INTEGER NOT NULL", "VARCHAR(5) DEFAULT 'a'"])
        .map(|(k, t)| (k, Some(t.to_string())))
        .collect();
    let sql = render(&body, &pg(), &tails, &Pieces::new())
        .unwrap()
        .iter()
        .map(|(_, s)| finish(s))
        .collect::<Vec<_>>();
    assert_eq!(
        sql,
        vec![
            "CREATE TABLE \"order\" (\n    id INTEGER NOT NULL, \n    \"Name\" VARCHAR(5) DEFAULT 'a', \n    PRIMARY KEY (id), \n    CONSTRAINT fk_o FOREIGN KEY(id) REFERENCES s.\"user\" (id) ON DELETE CASCADE\n)"
        ]
    );
}

#[test]
fn names_past_the_dialect_limit_are_declined() {
    let long = "x".repeat(64);
    let body = module(&format!("    op.create_index('{long}', 't', ['a'])"))
        .upgrade
        .unwrap();
    assert!(
        render(&body, &pg(), &Tails::new(), &Pieces::new())
            .unwrap_err()
            .contains("identifier")
    );
}

#[test]
fn mysql_drop_index_names_its_table() {
    let body = module("    op.drop_index('ix_a', table_name='t')\n    op.drop_constraint('fk_a', 't', type_='foreignkey')")
        .upgrade
        .unwrap();
    let mysql = Dialect {
        family: Family::Mysql,
        quote: '`',
        ..pg()
    };
    assert_eq!(
        render(&body, &mysql, &Tails::new(), &Pieces::new())
            .unwrap()
            .iter()
            .map(|(_, s)| finish(s))
            .collect::<Vec<_>>(),
        vec![
            "DROP INDEX ix_a ON t",
            "ALTER TABLE t DROP FOREIGN KEY fk_a"
        ]
    );
    assert_eq!(
        render(&body, &pg(), &Tails::new(), &Pieces::new())
            .unwrap()
            .iter()
            .map(|(_, s)| finish(s))
            .collect::<Vec<_>>(),
        vec!["DROP INDEX ix_a", "ALTER TABLE t DROP CONSTRAINT fk_a"]
    );
}

/// How much of a real tree the static path takes, and why not the rest:
/// `ALEMBIC_RS_STATIC_SURVEY=<versions dir> cargo test --release --lib
/// static_ops::tests::survey -- --ignored --nocapture`.
#[test]
#[ignore]
fn survey() {
    let Some(dir) = std::env::var_os("ALEMBIC_RS_STATIC_SURVEY") else {
        return;
    };
    let mut reasons = std::collections::BTreeMap::<String, usize>::new();
    let mut files = 0;
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "py") {
            continue;
        }
        files += 1;
        let m = extract(&std::fs::read_to_string(&path).unwrap());
        for f in [&m.upgrade, &m.downgrade] {
            let key = match f {
                Ok(_) => "static".to_string(),
                Err(r) => r.clone(),
            };
            *reasons.entry(key).or_default() += 1;
        }
    }
    println!("{files} files, {} functions", files * 2);
    let mut by_count: Vec<_> = reasons.into_iter().collect();
    by_count.sort_by_key(|entry| std::cmp::Reverse(entry.1));
    for (reason, n) in by_count {
        println!("{n:>5}  {reason}");
    }
}

#[test]
fn names_imported_from_sqlalchemy_work_until_rebound() {
    let src = HEADER.replace(
        "import sqlalchemy as sa\n",
        "import logging\nimport sqlalchemy as sa\nfrom sqlalchemy import Column, Integer, text\n\n_logger = logging.getLogger(__name__)\n",
    );
    let body = "def upgrade():\n    op.add_column('t', Column('c', Integer(), server_default=text('0')))\n\ndef downgrade():\n    pass\n";
    let m = extract(&format!("{src}\n{body}"));
    assert_eq!(m.upgrade.unwrap().ops.len(), 1);
    let m = extract(&format!("{src}\ndef text(x):\n    return x\n\n{body}"));
    assert!(m.upgrade.unwrap_err().contains("text is rebound"));
}

fn mysql() -> Dialect {
    Dialect {
        family: Family::Mysql,
        quote: '`',
        ..pg()
    }
}

fn sql_of(body: &StaticBody, d: &Dialect, tails: &Tails, pieces: &Pieces) -> Vec<String> {
    render(body, d, tails, pieces)
        .unwrap()
        .iter()
        .map(|(_, s)| finish(s))
        .collect()
}

/// Pieces as the host would compile them for these spellings.
fn compiled(pairs: &[(Piece, &str, bool)]) -> Pieces {
    pairs
        .iter()
        .map(|(p, text, datetime)| {
            let c = Compiled {
                text: text.to_string(),
                datetime: *datetime,
            };
            (p.clone(), Some(c))
        })
        .collect()
}

#[test]
fn alter_column_is_read_and_composed_per_dialect() {
    let body = module(
        "    op.alter_column('account', 'name',
               existing_type=sa.String(length=50),
               type_=sa.String(length=80),
               server_default=None,
               existing_nullable=False)
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.alter_column('created', existing_type=sa.DateTime(), server_default=sa.text('now()'), new_column_name='created_at')",
    )
    .upgrade
    .unwrap();
    assert!(body.batch_copies_on_sqlite);
    let needed = pieces(&body);
    assert!(needed.contains(&Piece::Default(ServerDefault::Text("now()".into()))));
    let pieces = compiled(&[
        (
            Piece::Type("sa.String(length=50)".into()),
            "VARCHAR(50)",
            false,
        ),
        (
            Piece::Type("sa.String(length=80)".into()),
            "VARCHAR(80)",
            false,
        ),
        (Piece::Type("sa.DateTime()".into()), "DATETIME", true),
        (
            Piece::Default(ServerDefault::Text("now()".into())),
            "now()",
            false,
        ),
    ]);
    assert_eq!(
        sql_of(&body, &pg(), &Tails::new(), &pieces),
        vec![
            "ALTER TABLE account ALTER COLUMN name TYPE VARCHAR(80)",
            "ALTER TABLE account ALTER COLUMN name DROP DEFAULT",
            "ALTER TABLE account ALTER COLUMN created SET DEFAULT now()",
            "ALTER TABLE account RENAME created TO created_at",
        ]
    );
    // MySQL restates the column: MODIFY, and CHANGE for a date/time one
    assert_eq!(
        sql_of(&body, &mysql(), &Tails::new(), &pieces),
        vec![
            "ALTER TABLE account MODIFY name VARCHAR(80) NOT NULL",
            "ALTER TABLE account CHANGE created created_at DATETIME NULL DEFAULT now()",
        ]
    );
    let sqlite = Dialect {
        family: Family::Sqlite,
        ..pg()
    };
    assert!(
        render(&body, &sqlite, &Tails::new(), &pieces)
            .unwrap_err()
            .contains("SQLite")
    );
}

#[test]
fn alter_column_declines_what_it_cannot_render_exactly() {
    let base = "    op.alter_column('t', 'c', existing_type=sa.Integer(), ";
    for (args, reason) in [
        ("autoincrement=True)", "keyword autoincrement="),
        (
            "existing_autoincrement=True)",
            "keyword existing_autoincrement=",
        ),
        ("schema='s')", "schema="),
        ("comment=\"it's\")", "comment with quotes"),
        ("server_default=sa.false())", "server_default"),
        ("type_=make_type())", "column type"),
        ("nullable=flag)", "nullable"),
        (
            "postgresql_using='c::int')",
            "postgresql_using without type_",
        ),
    ] {
        let got = declined(&format!("{base}{args}"));
        assert!(got.contains(reason), "{args}: {got}");
    }
    assert!(declined("    op.alter_column('t', 'c', True)").contains("positional"));
    assert!(
        declined(
            "    with op.batch_alter_table('t') as b:\n        b.alter_column('c', insert_before='d')"
        )
        .contains("insert_before")
    );
    // MySQL must know the type to restate the column (Alembic raises)
    let body = module("    op.alter_column('t', 'c', nullable=False)")
        .upgrade
        .unwrap();
    assert!(
        render(&body, &mysql(), &Tails::new(), &Pieces::new())
            .unwrap_err()
            .contains("existing type")
    );
    // a type the host declined (an Enum) declines the function
    let body = module("    op.alter_column('t', 'c', type_=sa.Enum('a', name='e'))")
        .upgrade
        .unwrap();
    let mut pieces = Pieces::new();
    pieces.insert(Piece::Type("sa.Enum('a', name='e')".into()), None);
    assert!(render(&body, &pg(), &Tails::new(), &pieces).is_err());
}

#[test]
fn literal_client_defaults_are_accepted_and_keyed() {
    let body = module(
        "    op.create_table('t',
    sa.Column('id', sa.Integer(), default=1, nullable=False),
    sa.Column('a', sa.Float(), default=-0.5),
    sa.Column('b', sa.String(length=5), default=None),
    sa.PrimaryKeyConstraint('id')
    )",
    )
    .upgrade
    .unwrap();
    let keys = column_keys(&body);
    // a client default keeps the column from SERIAL/AUTO_INCREMENT
    assert!(keys[0].client_default && keys[0].sole_pk);
    assert!(keys[1].client_default);
    assert!(!keys[2].client_default);
    for bad in [
        "sa.Sequence('s')",
        "sa.func.now()",
        "sa.text('0')",
        "make_default",
    ] {
        let got = declined(&format!(
            "    op.add_column('t', sa.Column('c', sa.Integer(), default={bad}))"
        ));
        assert!(
            got.contains("default= that is not a literal"),
            "{bad}: {got}"
        );
    }
}

#[test]
fn index_and_unique_columns_in_create_table() {
    let body = module(
        "    op.create_table('Item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=5), unique=True, nullable=False),
    sa.Column('name', sa.String(length=5), index=True, unique=True),
    sa.UniqueConstraint('id', 'code', name='uq_item'),
    sa.PrimaryKeyConstraint('id')
    )",
    )
    .upgrade
    .unwrap();
    let tails: Tails = column_keys(&body)
        .into_iter()
        .zip(["SERIAL NOT NULL", "VARCHAR(5) NOT NULL", "VARCHAR(5)"])
        .map(|(k, t)| (k, Some(t.to_string())))
        .collect();
    assert_eq!(
        sql_of(&body, &pg(), &tails, &Pieces::new()),
        vec![
            "CREATE TABLE \"Item\" (\n    id SERIAL NOT NULL, \n    code VARCHAR(5) NOT NULL, \n    name VARCHAR(5), \n    PRIMARY KEY (id), \n    CONSTRAINT uq_item UNIQUE (id, code), \n    UNIQUE (code)\n)",
            "CREATE UNIQUE INDEX \"ix_Item_name\" ON \"Item\" (name)",
        ]
    );
    // Table.indexes is a set: the order of several is not Alembic's to keep
    let body = module(
        "    op.create_table('t',
    sa.Column('a', sa.Integer(), index=True),
    sa.Column('b', sa.Integer(), index=True)
    )",
    )
    .upgrade
    .unwrap();
    assert!(
        render(&body, &pg(), &Tails::new(), &Pieces::new())
            .unwrap_err()
            .contains("several")
    );
    let body = module("    op.add_column('t', sa.Column('a', sa.Integer(), unique=True))")
        .upgrade
        .unwrap();
    assert!(
        render(&body, &pg(), &Tails::new(), &Pieces::new())
            .unwrap_err()
            .contains("index=/unique=")
    );
}
