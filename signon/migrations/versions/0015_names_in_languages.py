"""a signatory's name in other languages or scripts (language -> name), which the
documents in those languages print

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 12:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('signatures', sa.Column('other_names', sa.JSON(), server_default='{}', nullable=False))


def downgrade():
    with op.batch_alter_table('signatures') as batch:
        batch.drop_column('other_names')
