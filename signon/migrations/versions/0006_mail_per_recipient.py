"""mail per recipient, and contact addresses that confirm themselves

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 21:20:00

queue_mail counts the mail queued to one mailbox in the last hour, across all
statements, and queues no more past MAIL_PER_RECIPIENT_PER_HOUR. The mailbox is
the address lowercased with any +tag dropped (ana+1@x and Ana@x reach one inbox).
Earlier rows get their address lowercased, close enough for an hour's window.

A signature's contact address receives mail only once it has confirmed itself
(signatures.contact_confirmed). Contacts already stored were mailed before this
rule existed and count as confirmed, but for open-call signatures still waiting
for their /v/ link: that link confirms them.
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('outbox_messages', sa.Column('recipient_key', sa.String(length=254), nullable=False, server_default=''))
    op.execute("UPDATE outbox_messages SET recipient_key = lower(to_address)")
    op.create_index('ix_outbox_messages_recipient', 'outbox_messages', ['recipient_key', 'created_at'])
    op.add_column('signatures', sa.Column('contact_confirmed', sa.String(length=254), nullable=False, server_default=''))
    op.execute(
        "UPDATE signatures SET contact_confirmed = lower(contact_email) WHERE state <> 'unverified'"
    )


def downgrade():
    with op.batch_alter_table('signatures') as batch:
        batch.drop_column('contact_confirmed')
    op.drop_index('ix_outbox_messages_recipient', table_name='outbox_messages')
    with op.batch_alter_table('outbox_messages') as batch:
        batch.drop_column('recipient_key')
