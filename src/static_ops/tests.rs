//! What the extractor accepts and declines, and the statements around
//! column specifications. Byte parity with Alembic is checked by
//! tests/static_offline_parity.rs against the oracle.

use std::collections::HashSet;

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
    assert!(declined("    op.alter_column('t', 'c', nullable=True)").contains("op.alter_column"));
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
    let sql = render(&body, &pg(), &tails)
        .unwrap()
        .iter()
        .map(|s| finish(s))
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
        render(&body, &pg(), &Tails::new())
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
        render(&body, &mysql, &Tails::new())
            .unwrap()
            .iter()
            .map(|s| finish(s))
            .collect::<Vec<_>>(),
        vec![
            "DROP INDEX ix_a ON t",
            "ALTER TABLE t DROP FOREIGN KEY fk_a"
        ]
    );
    assert_eq!(
        render(&body, &pg(), &Tails::new())
            .unwrap()
            .iter()
            .map(|s| finish(s))
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
