"""a session generation per user, so logging out ends the session on the server

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 23:15:00

A session cookie carries the generation its user had at login; a request whose
generation is not the user's current one is anonymous. Logging out and "log out
everywhere" raise the number, so a copied cookie stops working. Plain ADD
COLUMN only, as in 0003 and 0004.
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('session_generation', sa.Integer(), nullable=False, server_default='0'))


def downgrade():
    op.drop_column('users', 'session_generation')
