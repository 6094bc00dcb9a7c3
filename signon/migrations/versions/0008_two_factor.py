"""two-factor authentication: a TOTP secret per user and hashed recovery codes

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 09:55:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('totp_secret', sa.String(length=64), nullable=False, server_default=''))
    op.add_column('users', sa.Column('totp_last_step', sa.Integer(), nullable=False, server_default='0'))
    op.create_table(
        'recovery_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recovery_codes_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes')),
    )
    op.create_index(op.f('ix_recovery_codes_user_id'), 'recovery_codes', ['user_id'])


def downgrade():
    op.drop_index(op.f('ix_recovery_codes_user_id'), table_name='recovery_codes')
    op.drop_table('recovery_codes')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('totp_last_step')
        batch.drop_column('totp_secret')
