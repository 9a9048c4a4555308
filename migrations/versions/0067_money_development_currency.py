"""development currency: the ISO 4217 code prices of a development are in (CNY so far)

Revision ID: 0067_money
Revises: 0066_search
"""
import sqlalchemy as sa
from alembic import op

revision = '0067_money'
down_revision = '0066_search'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('developments') as batch_op:
        batch_op.add_column(sa.Column('currency', sa.String(length=3), server_default='CNY',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('developments') as batch_op:
        batch_op.drop_column('currency')
