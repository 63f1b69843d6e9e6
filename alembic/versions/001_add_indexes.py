"""add indexes for query optimization

Single column indexes (clerk_id, status, email, created_at), foreign key
indexes (consumer_id, provider_id, request_id) and composite indexes.

clerk_id indexes are unique: one account per Clerk user.

MySQL/MariaDB: InnoDB keeps an index on every foreign key column.  Revision
000 got one implicitly per foreign key (named after the constraint); the
indexes created here replace them, and InnoDB drops the implicit ones.
Dropping the last index a foreign key can use is an error there (1553), so
downgrade() drops those foreign keys around the index drops and re-creates
them, which brings back the implicit indexes of revision 000.

Revision ID: 001_add_indexes
Revises: 000_initial_schema
Create Date: 2026-11-24 09:10:00.000000

"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = '001_add_indexes'
down_revision: Union[str, Sequence[str], None] = '000_initial_schema'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# Foreign keys (as created by 000_initial_schema) whose columns have no
# other index than the ones dropped by downgrade().  quotes.request_id keeps
# uq_quotes_request_id_provider_id.
FOREIGN_KEYS_NEEDING_AN_INDEX = [
    ('fk_requests_consumer_id_consumers', 'requests', 'consumers', ['consumer_id'], 'CASCADE'),
    ('fk_requests_provider_id_providers', 'requests', 'providers', ['provider_id'], 'SET NULL'),
    ('fk_quotes_provider_id_providers', 'quotes', 'providers', ['provider_id'], 'CASCADE'),
]


def _is_mysql() -> bool:
    # op.get_context() rather than op.get_bind(): also works with --sql.
    return op.get_context().dialect.name in ('mysql', 'mariadb')


def upgrade() -> None:
    """Upgrade schema."""
    # Single column indexes
    op.create_index(op.f('idx_providers_clerk_id'), 'providers', ['clerk_id'], unique=True)
    op.create_index(op.f('idx_providers_status'), 'providers', ['status'], unique=False)
    op.create_index(op.f('idx_providers_email'), 'providers', ['email'], unique=False)
    op.create_index(op.f('idx_consumers_clerk_id'), 'consumers', ['clerk_id'], unique=True)
    op.create_index(op.f('idx_consumers_email'), 'consumers', ['email'], unique=False)
    op.create_index(op.f('idx_requests_status'), 'requests', ['status'], unique=False)
    op.create_index(op.f('idx_requests_created_at'), 'requests', ['created_at'], unique=False)
    # Foreign key indexes
    op.create_index(op.f('idx_requests_consumer_id'), 'requests', ['consumer_id'], unique=False)
    op.create_index(op.f('idx_requests_provider_id'), 'requests', ['provider_id'], unique=False)
    op.create_index(op.f('idx_quotes_request_id'), 'quotes', ['request_id'], unique=False)
    op.create_index(op.f('idx_quotes_provider_id'), 'quotes', ['provider_id'], unique=False)
    # Composite indexes
    op.create_index(op.f('idx_requests_consumer_status'), 'requests', ['consumer_id', 'status'], unique=False)
    op.create_index(op.f('idx_requests_provider_status'), 'requests', ['provider_id', 'status'], unique=False)
    op.create_index(op.f('idx_quotes_request_status'), 'quotes', ['request_id', 'status'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    mysql = _is_mysql()
    if mysql:
        for name, table, _, _, _ in FOREIGN_KEYS_NEEDING_AN_INDEX:
            op.drop_constraint(op.f(name), table, type_='foreignkey')

    op.drop_index(op.f('idx_quotes_request_status'), table_name='quotes')
    op.drop_index(op.f('idx_requests_provider_status'), table_name='requests')
    op.drop_index(op.f('idx_requests_consumer_status'), table_name='requests')
    op.drop_index(op.f('idx_quotes_provider_id'), table_name='quotes')
    op.drop_index(op.f('idx_quotes_request_id'), table_name='quotes')
    op.drop_index(op.f('idx_requests_provider_id'), table_name='requests')
    op.drop_index(op.f('idx_requests_consumer_id'), table_name='requests')
    op.drop_index(op.f('idx_requests_created_at'), table_name='requests')
    op.drop_index(op.f('idx_requests_status'), table_name='requests')
    op.drop_index(op.f('idx_consumers_email'), table_name='consumers')
    op.drop_index(op.f('idx_consumers_clerk_id'), table_name='consumers')
    op.drop_index(op.f('idx_providers_email'), table_name='providers')
    op.drop_index(op.f('idx_providers_status'), table_name='providers')
    op.drop_index(op.f('idx_providers_clerk_id'), table_name='providers')

    if mysql:
        for name, table, referent, columns, ondelete in FOREIGN_KEYS_NEEDING_AN_INDEX:
            op.create_foreign_key(
                op.f(name), table, referent, columns, ['id'], ondelete=ondelete
            )
