"""complaint tickets: ticket numbers and the homeowner's escalation reason

Revision ID: 0065_ticket
Revises: 0085_totals
Create Date: 2026-12-03 06:00:00

Every complaint gets its ticket number ("C-<year in the club's time zone>-<id>",
portal/forum/complaints/tickets.py); complaints raised before are numbered here.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0065_ticket'
down_revision = '0085_totals'
branch_labels = None
depends_on = None


def upgrade():
    from portal.forum.complaints.tickets import format_ticket

    with op.batch_alter_table('forum_complaints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ticket_number', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('escalation_note', sa.String(length=500), nullable=False,
                                      server_default=''))
        # A unique index, not a constraint: SQLite adds it in place (a constraint would
        # recreate the table, which the complaint events' foreign keys forbid).
        batch_op.create_index(batch_op.f('ix_forum_complaints_ticket_number'), ['ticket_number'],
                              unique=True)

    complaints = sa.table('forum_complaints', sa.column('id', sa.Integer),
                          sa.column('created_at', sa.DateTime),
                          sa.column('ticket_number', sa.String))
    connection = op.get_bind()
    rows = connection.execute(sa.select(complaints.c.id, complaints.c.created_at)
                              .where(complaints.c.ticket_number.is_(None))).all()
    for complaint_id, created_at in rows:
        connection.execute(complaints.update().where(complaints.c.id == complaint_id)
                           .values(ticket_number=format_ticket(complaint_id, created_at)))


def downgrade():
    with op.batch_alter_table('forum_complaints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forum_complaints_ticket_number'))
    # In place (see above): SQLite 3.35+ and PostgreSQL drop columns without a copy.
    op.drop_column('forum_complaints', 'escalation_note')
    op.drop_column('forum_complaints', 'ticket_number')
