"""translations of a statement bound to the master version they translate; what
a signer read (translation version and its hash); an invitation's language

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 12:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

CHANGE_KIND = sa.Enum('initial', 'minor', 'substantive', name='change_kind', native_enum=False,
                      create_constraint=True, length=20)


def upgrade():
    op.create_table(
        'translations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('statement_id', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=20), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('dropped_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_translations_statement_id_statements'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_translations')),
        sa.UniqueConstraint('statement_id', 'language', name=op.f('uq_translations_statement_id')),
    )
    op.create_index(op.f('ix_translations_statement_id'), 'translations', ['statement_id'])
    op.create_table(
        'translation_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('translation_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('master_version_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('intro', sa.Text(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('translator_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('change_kind', CHANGE_KIND, nullable=False),
        sa.Column('note', sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(['translation_id'], ['translations.id'], name=op.f('fk_translation_versions_translation_id_translations'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['master_version_id'], ['versions.id'], name=op.f('fk_translation_versions_master_version_id_versions'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['translator_id'], ['users.id'], name=op.f('fk_translation_versions_translator_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_translation_versions')),
        sa.UniqueConstraint('translation_id', 'number', name=op.f('uq_translation_versions_translation_id')),
    )
    op.create_index(op.f('ix_translation_versions_translation_id'), 'translation_versions', ['translation_id'])
    # Plain ADD COLUMNs: a batch copy drops the table, and SQLite's foreign keys would
    # take every row that references it (signatures, invitations...) with it.
    fk = 'fk_signatures_translation_version_id_translation_versions'
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite adds a column's foreign key inline, or not at all.
        op.execute(
            'ALTER TABLE signatures ADD COLUMN translation_version_id INTEGER '
            f'CONSTRAINT {fk} REFERENCES translation_versions (id) ON DELETE SET NULL'
        )
    else:
        op.add_column('signatures', sa.Column('translation_version_id', sa.Integer(), nullable=True))
        op.create_foreign_key(fk, 'signatures', 'translation_versions',
                              ['translation_version_id'], ['id'], ondelete='SET NULL')
    op.add_column('signatures', sa.Column('translation_sha256', sa.String(length=64), server_default='', nullable=False))
    op.add_column('invitations', sa.Column('language', sa.String(length=20), server_default='', nullable=False))
    op.add_column('statements', sa.Column('all_languages_authoritative', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('statements') as batch:
        batch.drop_column('all_languages_authoritative')
    with op.batch_alter_table('invitations') as batch:
        batch.drop_column('language')
    with op.batch_alter_table('signatures') as batch:
        batch.drop_constraint(op.f('fk_signatures_translation_version_id_translation_versions'), type_='foreignkey')
        batch.drop_column('translation_sha256')
        batch.drop_column('translation_version_id')
    op.drop_index(op.f('ix_translation_versions_translation_id'), table_name='translation_versions')
    op.drop_table('translation_versions')
    op.drop_index(op.f('ix_translations_statement_id'), table_name='translations')
    op.drop_table('translations')
