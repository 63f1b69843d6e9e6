"""add email verification to providers

providers.verified: whether the provider's email address is verified.

Schema change and data migration, as in the guide.  The column is added NOT
NULL with a server default of false, which fills in the existing rows and
keeps inserts from code that predates the column working (the guide's
"UPDATE ... SET verified = false WHERE verified IS NULL" is what the default
does).  Then the data migration: providers already 'active' went through
onboarding, which verified their email, so they are marked verified.

The UPDATE is written with SQLAlchemy Core through op.execute(), so that
booleans render right on every backend and it also works with --sql.
Downgrade uses batch mode: SQLite recreates the table to drop the column.

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
    op.add_column('providers', sa.Column('verified', sa.Boolean(), server_default=sa.false(), nullable=False))

    # Data migration (an ad-hoc table: the migration must not depend on
    # proxie.models, which follow the latest schema)
    providers = sa.table(
        'providers',
        sa.column('status', sa.String(length=32)),
        sa.column('verified', sa.Boolean()),
    )
    op.execute(
        providers.update()
        .where(providers.c.status == op.inline_literal('active'))
        .values(verified=op.inline_literal(True, sa.Boolean()))
    )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('providers') as batch_op:
        batch_op.drop_column('verified')
