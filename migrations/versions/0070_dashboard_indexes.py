"""indexes for the dashboard's member and household counts (issue 15)

Revision ID: 0070_dashboard_indexes
Revises: 0069_bench_thread_list
Create Date: 2026-12-03 18:00:00

At 100,000 members (bench/results/2026-12-03-sqlite.md) the verified-household count
went from 290 to 14 ms with `ix_ownerships_status_unit`, and new members by month from
133 to 47 ms with `ix_users_role_active_created`, which replaces `ix_users_role` (its
first column serves every lookup by role).
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0070_dashboard_indexes'
down_revision = '0069_bench_thread_list'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_ownerships_status_unit', 'ownerships', ['status', 'unit_id'])
    op.create_index('ix_users_role_active_created', 'users', ['role', 'is_active_account', 'created_at'])
    op.drop_index('ix_users_role', table_name='users')


def downgrade():
    op.create_index('ix_users_role', 'users', ['role'])
    op.drop_index('ix_users_role_active_created', table_name='users')
    op.drop_index('ix_ownerships_status_unit', table_name='ownerships')
