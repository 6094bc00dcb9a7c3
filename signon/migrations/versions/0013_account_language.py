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
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('language', sa.String(length=8), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('users') as batch:
        batch.drop_column('language')
