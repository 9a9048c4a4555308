"""users: a partial index of the accounts that are not members' (issue 13, benchmarks)

Revision ID: 0074_users_non_members
Revises: 0073_signup
Create Date: 2026-12-04 21:40:00

The complaint queue lists the staff who may be assigned a complaint on every request. With
100,000 members the planner's statistics give "half the rows per role" and it scanned
the table (37 ms a request); this index holds only the staff and partners.
"""
import sqlalchemy as sa
from alembic import op

revision = '0074_users_non_members'
down_revision = '0073_signup'
branch_labels = None
depends_on = None

NON_MEMBER = sa.text("role <> 'member'")


def upgrade():
    op.create_index('ix_users_non_members', 'users', ['display_name', 'id'], unique=False,
                    sqlite_where=NON_MEMBER, postgresql_where=NON_MEMBER)


def downgrade():
    op.drop_index('ix_users_non_members', table_name='users')
