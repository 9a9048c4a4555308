"""points month totals: the ledger summed per month and kind, filled from the ledger

Revision ID: 0085_totals
Revises: 0080_feedback
"""
import sqlalchemy as sa
from alembic import op

revision = '0085_totals'
down_revision = '0080_feedback'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('points_month_totals',
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('credits', sa.BigInteger(), nullable=False),
    sa.Column('debits', sa.BigInteger(), nullable=False),
    sa.Column('entries', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('month', 'kind', name=op.f('pk_points_month_totals'))
    )
    month = ("to_char(created_at, 'YYYY-MM')" if op.get_bind().dialect.name == "postgresql"
             else "strftime('%Y-%m', created_at)")
    op.execute(
        "INSERT INTO points_month_totals (month, kind, credits, debits, entries) "
        f"SELECT {month}, kind, COALESCE(SUM(CASE WHEN amount > 0 THEN amount ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN amount < 0 THEN amount ELSE 0 END), 0), COUNT(id) "
        f"FROM points_ledger GROUP BY {month}, kind")


def downgrade():
    op.drop_table('points_month_totals')
