"""invitations, outbox, audit events, signature states

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 15:10:51.959855

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('actor', sa.String(length=300), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_audit_events_statement_id_statements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_statement_id'), ['statement_id'], unique=False)

    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('organisation', sa.String(length=300), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('contact_name', sa.String(length=200), nullable=False),
    sa.Column('nonce', sa.String(length=32), nullable=False, server_default=''),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('opened_at', sa.DateTime(), nullable=True),
    sa.Column('responded_at', sa.DateTime(), nullable=True),
    sa.Column('reminded_at', sa.DateTime(), nullable=True),
    sa.Column('reminder_count', sa.Integer(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_invitations_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_invitations_statement_id_statements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations'))
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_statement_id'), ['statement_id'], unique=False)
    op.create_index(
        'uq_invitations_statement_email', 'invitations',
        ['statement_id', sa.text('lower(email)')], unique=True,
    )

    op.create_table('outbox_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('text_body', sa.Text(), nullable=False),
    sa.Column('html_body', sa.Text(), nullable=False),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('message_id', sa.String(length=200), nullable=False),
    sa.Column('state', sa.Enum('pending', 'sending', 'sent', 'failed', name='mail_state', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('claimed_until', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('statement_id', sa.Integer(), nullable=True),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitations.id'], name=op.f('fk_outbox_messages_invitation_id_invitations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_outbox_messages_statement_id_statements'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages'))
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_messages_due', ['state', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_messages_invitation_id'), ['invitation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_messages_statement_id'), ['statement_id'], unique=False)

    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invitation_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('nonce', sa.String(length=32), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('authoriser_title', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('verified_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('decided_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('decided_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('rejection_reason', sa.String(length=500), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_signatures_invitation_id'), ['invitation_id'])
        batch_op.create_foreign_key(batch_op.f('fk_signatures_invitation_id_invitations'), 'invitations', ['invitation_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_signatures_decided_by_id_users'), 'users', ['decided_by_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('link_grace_hours', sa.Integer(), nullable=False, server_default='0'))



def downgrade():
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.drop_column('link_grace_hours')

    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_signatures_decided_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_signatures_invitation_id_invitations'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_signatures_invitation_id'), type_='unique')
        batch_op.drop_column('withdrawn_at')
        batch_op.drop_column('rejection_reason')
        batch_op.drop_column('decided_by_id')
        batch_op.drop_column('decided_at')
        batch_op.drop_column('verified_at')
        batch_op.drop_column('authoriser_title')
        batch_op.drop_column('nonce')
        batch_op.drop_column('invitation_id')

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_messages_statement_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_messages_invitation_id'))
        batch_op.drop_index('ix_outbox_messages_due')

    op.drop_table('outbox_messages')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_statement_id'))
    op.drop_index('uq_invitations_statement_email', table_name='invitations')
    op.drop_table('invitations')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_statement_id'))

    op.drop_table('audit_events')
