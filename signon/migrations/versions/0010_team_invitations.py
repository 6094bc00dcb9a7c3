"""team invitations by email: nobody joins a statement's team without accepting

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 10:05:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'team_invitations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('statement_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('role', sa.Enum('owner', 'editor', 'viewer', name='role', native_enum=False, create_constraint=True, length=20), nullable=False),
        sa.Column('invited_by_id', sa.Integer(), nullable=True),
        sa.Column('nonce', sa.String(length=40), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('accepted_at', sa.DateTime(), nullable=True),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_team_invitations_invited_by_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_team_invitations_statement_id_statements'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_team_invitations')),
    )
    op.create_index(op.f('ix_team_invitations_statement_id'), 'team_invitations', ['statement_id'])


def downgrade():
    op.drop_index(op.f('ix_team_invitations_statement_id'), table_name='team_invitations')
    op.drop_table('team_invitations')
