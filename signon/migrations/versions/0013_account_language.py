"""the interface language an account chose ("" follows the browser)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 11:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN: a batch copy of `users` would drop the table, and SQLite's
    # foreign keys would take every membership with it.
    op.add_column('users', sa.Column('language', sa.String(length=8), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('users') as batch:
        batch.drop_column('language')
