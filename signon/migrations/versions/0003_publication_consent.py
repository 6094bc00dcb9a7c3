"""publication, editions, re-confirmation, list revision, contact purges

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 18:00:00

Plain ADD COLUMN only on existing tables: a batch (copy and rename) of
statements would, with SQLite's foreign keys on, cascade the drop of the old
table into versions and signatures.
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('statements', sa.Column('list_revision', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('statements', sa.Column('closed_at', sa.DateTime(), nullable=True))
    op.add_column('statements', sa.Column('published_at', sa.DateTime(), nullable=True))
    op.add_column('statements', sa.Column('published_by', sa.String(length=300), nullable=False, server_default=''))
    op.add_column('statements', sa.Column('embargo_until', sa.DateTime(), nullable=True))
    op.add_column('statements', sa.Column('contacts_purged_at', sa.DateTime(), nullable=True))
    op.add_column('signatures', sa.Column('reconfirm_sent_at', sa.DateTime(), nullable=True))
    op.add_column('signatures', sa.Column('reconfirm_reminded_at', sa.DateTime(), nullable=True))
    op.add_column('signatures', sa.Column('reconfirm_reminders', sa.Integer(), nullable=False, server_default='0'))
    op.create_table('editions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=300), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_editions_statement_id_statements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['versions.id'], name=op.f('fk_editions_version_id_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_editions')),
    sa.UniqueConstraint('statement_id', 'number', name=op.f('uq_editions_statement_id'))
    )
    op.create_index(op.f('ix_editions_statement_id'), 'editions', ['statement_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_editions_statement_id'), table_name='editions')
    op.drop_table('editions')
    for column in ('reconfirm_reminders', 'reconfirm_reminded_at', 'reconfirm_sent_at'):
        op.drop_column('signatures', column)
    for column in ('contacts_purged_at', 'embargo_until', 'published_by', 'published_at', 'closed_at', 'list_revision'):
        op.drop_column('statements', column)
