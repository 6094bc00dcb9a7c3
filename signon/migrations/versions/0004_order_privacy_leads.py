"""the agreed order, a live list only by choice, lead organisations

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 22:00:00

Invitations get the position their line had in the pasted list, so a partner's
signature takes its place in the agreed order whenever it arrives. Statements
name their lead organisations (one per line) and say whether their list is
public while signatures are collected (off: nothing of the list is public
before publication). Plain ADD COLUMN only, as in 0003.
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('invitations', sa.Column('position', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('statements', sa.Column('lead_organisations', sa.Text(), nullable=False, server_default=''))
    op.add_column('statements', sa.Column('live_list', sa.Boolean(), nullable=False, server_default=sa.false()))
    # Existing invitations keep the order they were made in, after the statement's
    # signatures (whose positions count from 1 per statement): an invitation's
    # signature keeps its own position; an unanswered one takes its place at the end.
    op.execute(
        'UPDATE invitations SET position = '
        '(SELECT COALESCE(MAX(s.position), 0) FROM signatures s '
        ' WHERE s.statement_id = invitations.statement_id) + '
        '(SELECT COUNT(*) FROM invitations i2 '
        ' WHERE i2.statement_id = invitations.statement_id AND i2.id <= invitations.id)'
    )


def downgrade():
    op.drop_column('statements', 'live_list')
    op.drop_column('statements', 'lead_organisations')
    op.drop_column('invitations', 'position')
