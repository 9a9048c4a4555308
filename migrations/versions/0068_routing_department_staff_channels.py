"""complaints reach the right person: department staff, staff e-mail settings, channels

Revision ID: 0068_routing
Revises: 0067_money
Create Date: 2026-12-03 09:00:00

- `forum_department_staff`: complaint handlers who belong to a department (told when one
  of its complaints arrives, is escalated or is reopened).
- `notification_settings`: each user's choice of staff alerts by e-mail.
- `forum_complaints.channel` (every existing complaint was posted online) and
  `recorded_by_id` (staff who recorded a complaint for the homeowner).

On SQLite the two columns are added in place with their constraints inline: recreating
`forum_complaints` (batch mode) would break the foreign keys of its events and threads.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0068_routing'
down_revision = '0067_money'
branch_labels = None
depends_on = None

DEPARTMENTS = "'customer_service', 'engineering', 'property', 'sales', 'design'"
CHANNELS = "'online', 'phone', 'walk_in', 'email', 'on_site'"
STAFF_EMAILS = "'all', 'urgent', 'none'"
RECORDED = "(channel = 'online') = (recorded_by_id IS NULL)"


def upgrade():
    op.create_table('forum_department_staff',
    sa.Column('department', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint(f'department IN ({DEPARTMENTS})',
                       name=op.f('ck_forum_department_staff_department_known')),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'],
                            name=op.f('fk_forum_department_staff_added_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                            name=op.f('fk_forum_department_staff_user_id_users')),
    sa.PrimaryKeyConstraint('department', 'user_id', name=op.f('pk_forum_department_staff'))
    )
    op.create_index('ix_forum_department_staff_user_id', 'forum_department_staff', ['user_id'])
    op.create_table('notification_settings',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('staff_emails', sa.String(length=16), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint(f'staff_emails IN ({STAFF_EMAILS})',
                       name=op.f('ck_notification_settings_staff_emails_known')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                            name=op.f('fk_notification_settings_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notification_settings'))
    )
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("ALTER TABLE forum_complaints ADD COLUMN channel VARCHAR(16) DEFAULT 'online' "
                   "NOT NULL CONSTRAINT ck_forum_complaints_channel_known "
                   f"CHECK (channel IN ({CHANNELS}))")
        op.execute("ALTER TABLE forum_complaints ADD COLUMN recorded_by_id INTEGER "
                   "CONSTRAINT fk_forum_complaints_recorded_by_id_users REFERENCES users (id) "
                   f"CONSTRAINT ck_forum_complaints_recorded_iff_offline CHECK ({RECORDED})")
    else:
        op.add_column('forum_complaints', sa.Column('channel', sa.String(length=16),
                                                    server_default='online', nullable=False))
        op.add_column('forum_complaints', sa.Column('recorded_by_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_forum_complaints_recorded_by_id_users'), 'forum_complaints',
                              'users', ['recorded_by_id'], ['id'])
        op.create_check_constraint(op.f('ck_forum_complaints_channel_known'), 'forum_complaints',
                                   f'channel IN ({CHANNELS})')
        op.create_check_constraint(op.f('ck_forum_complaints_recorded_iff_offline'),
                                   'forum_complaints', RECORDED)


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        # In place: each column takes its own inline constraints with it (recorded_by_id
        # first: its CHECK names channel).
        op.execute("ALTER TABLE forum_complaints DROP COLUMN recorded_by_id")
        op.execute("ALTER TABLE forum_complaints DROP COLUMN channel")
    else:
        op.drop_constraint(op.f('ck_forum_complaints_recorded_iff_offline'), 'forum_complaints',
                           type_='check')
        op.drop_constraint(op.f('ck_forum_complaints_channel_known'), 'forum_complaints',
                           type_='check')
        op.drop_constraint(op.f('fk_forum_complaints_recorded_by_id_users'), 'forum_complaints',
                           type_='foreignkey')
        op.drop_column('forum_complaints', 'recorded_by_id')
        op.drop_column('forum_complaints', 'channel')
    op.drop_table('notification_settings')
    op.drop_index('ix_forum_department_staff_user_id', table_name='forum_department_staff')
    op.drop_table('forum_department_staff')
