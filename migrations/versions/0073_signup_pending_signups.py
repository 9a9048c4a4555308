"""pending sign-ups: registrations waiting for their e-mail link (issue 14, hardening)

Revision ID: 0073_signup
Revises: 0072_search_grams_fts
Create Date: 2026-12-04 19:30:00

The register form no longer creates the account: it keeps the details here (the password
hashed, the link's token as its SHA-256) until the link is followed; an hourly job deletes
the rows whose link has expired.
"""
import sqlalchemy as sa
from alembic import op

revision = '0073_signup'
down_revision = '0072_search_grams_fts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pending_signups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('display_name', sa.String(length=80), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('locale', sa.String(length=10), nullable=False),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_signups')),
    sa.UniqueConstraint('email', name=op.f('uq_pending_signups_email')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_pending_signups_token_hash'))
    )
    with op.batch_alter_table('pending_signups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_signups_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('pending_signups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_signups_created_at'))
    op.drop_table('pending_signups')
