"""add indexes for query optimization

Single column indexes (clerk_id, status, email, created_at), foreign key
indexes (consumer_id, provider_id, request_id) and composite indexes.

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

INDEXES = [
    ('idx_providers_clerk_id', 'providers', ['clerk_id']),
    ('idx_providers_status', 'providers', ['status']),
    ('idx_providers_email', 'providers', ['email']),
    ('idx_consumers_clerk_id', 'consumers', ['clerk_id']),
    ('idx_consumers_email', 'consumers', ['email']),
    ('idx_requests_status', 'requests', ['status']),
    ('idx_requests_created_at', 'requests', ['created_at']),
    ('idx_requests_consumer_id', 'requests', ['consumer_id']),
    ('idx_requests_provider_id', 'requests', ['provider_id']),
    ('idx_quotes_request_id', 'quotes', ['request_id']),
    ('idx_quotes_provider_id', 'quotes', ['provider_id']),
    ('idx_requests_consumer_status', 'requests', ['consumer_id', 'status']),
    ('idx_requests_provider_status', 'requests', ['provider_id', 'status']),
    ('idx_quotes_request_status', 'quotes', ['request_id', 'status']),
]


def upgrade() -> None:
    """Upgrade schema."""
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    """Downgrade schema."""
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
