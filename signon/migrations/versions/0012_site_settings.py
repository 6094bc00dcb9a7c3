"""settings an administrator changes on a page (two-factor for every account)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 10:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'site_settings',
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('value', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_site_settings')),
    )


def downgrade():
    op.drop_table('site_settings')
