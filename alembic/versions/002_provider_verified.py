"""add email verification to providers

Revision ID: 002_provider_verified
Revises: 001_add_indexes
Create Date: 2026-11-24 09:20:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '002_provider_verified'
down_revision: Union[str, Sequence[str], None] = '001_add_indexes'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    # Schema change
    op.add_column('providers', sa.Column('verified', sa.Boolean()))

    # Data migration
    connection = op.get_bind()
    connection.execute(
        sa.text("UPDATE providers SET verified = false WHERE verified IS NULL")
    )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('providers') as batch_op:
        batch_op.drop_column('verified')
