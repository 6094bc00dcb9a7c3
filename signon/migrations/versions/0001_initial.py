"""accounts, statements, versions, signatures

Revision ID: 0001
Revises:
Create Date: 2026-11-28 15:03:46.562178

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('statements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('language', sa.String(length=20), nullable=False),
    sa.Column('status', sa.Enum('draft', 'open', 'closed', 'published', name='status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('date', sa.String(length=10), nullable=True),
    sa.Column('time_zone', sa.String(length=64), nullable=False),
    sa.Column('deadline', sa.DateTime(), nullable=True),
    sa.Column('signatories_intro', sa.Text(), nullable=False),
    sa.Column('signatory_order', sa.Enum('alphabetical', 'as-listed', 'signed-at', name='signatory_order', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('open_call', sa.Boolean(), nullable=False),
    sa.Column('current_version_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statements')),
    sa.UniqueConstraint('slug', name=op.f('uq_statements_slug'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('is_admin', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users'))
    )
    op.create_index('uq_users_email_lower', 'users', [sa.text('lower(email)')], unique=True)
    op.create_table('memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('owner', 'editor', 'viewer', name='role', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_memberships_statement_id_statements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_memberships_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_memberships')),
    sa.UniqueConstraint('user_id', 'statement_id', name=op.f('uq_memberships_user_id'))
    )
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_memberships_statement_id'), ['statement_id'], unique=False)

    op.create_table('versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('change_kind', sa.Enum('initial', 'minor', 'substantive', name='change_kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_versions_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_versions_statement_id_statements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_versions')),
    sa.UniqueConstraint('statement_id', 'number', name=op.f('uq_versions_statement_id'))
    )
    # statements and versions point at each other: the second key comes once both exist.
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.create_foreign_key(
            op.f('fk_statements_current_version_id_versions'), 'versions',
            ['current_version_id'], ['id'], ondelete='SET NULL',
        )
    op.create_table('signatures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=True),
    sa.Column('text_sha256', sa.String(length=64), nullable=False),
    sa.Column('source', sa.Enum('import', 'invitation', 'open-call', 'team', name='source', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('state', sa.Enum('unverified', 'pending', 'signed', 'rejected', 'withdrawn', name='state', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('acronym', sa.String(length=50), nullable=False),
    sa.Column('country', sa.String(length=100), nullable=False),
    sa.Column('website', sa.String(length=300), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('kind', sa.Enum('organisation', 'individual', name='kind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('listed_publicly', sa.Boolean(), nullable=False),
    sa.Column('authorised_by', sa.String(length=300), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=False),
    sa.Column('name_key', sa.String(length=300), nullable=False),
    sa.Column('signed_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_signatures_statement_id_statements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['versions.id'], name=op.f('fk_signatures_version_id_versions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signatures'))
    )
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signatures_name_key'), ['name_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_signatures_statement_id'), ['statement_id'], unique=False)



def downgrade():
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signatures_statement_id'))
        batch_op.drop_index(batch_op.f('ix_signatures_name_key'))

    op.drop_table('signatures')
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_statements_current_version_id_versions'), type_='foreignkey')
    op.drop_table('versions')
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_memberships_statement_id'))

    op.drop_table('memberships')
    op.drop_index('uq_users_email_lower', table_name='users')
    op.drop_table('users')
    op.drop_table('statements')
