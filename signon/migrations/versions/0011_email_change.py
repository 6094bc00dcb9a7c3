"""an account's new email waits for its link: users.pending_email

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 10:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('pending_email', sa.String(length=254), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('users') as batch:
        batch.drop_column('pending_email')
