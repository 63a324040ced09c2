"""channels: ZNS and SMS beside email, consent per channel and purpose, templates, status history

Revision ID: bee511870a0b
Revises: 5c2d8e1f4a90
Create Date: 2026-11-24 10:00:00

Customers get a consent per channel (zns, sms, email) and purpose (care, advertising) and the
time they opted out; care consents start granted (as consent_contact was), advertising ones
refused (Decree 91/2020: advertising needs the subscriber's agreement). The outbox row gets its
purpose, fallback channels, templates, cost and budget line, the provider's message id and the
delivery worker's lease; message_events keeps each row's status history.
"""
import sqlalchemy as sa
from alembic import op

import models.base

# revision identifiers, used by Alembic.
revision = 'bee511870a0b'
down_revision = '5c2d8e1f4a90'
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
MONEY = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
CONSENTS = [
    ('consent_care_zns', True), ('consent_care_sms', True), ('consent_care_email', True),
    ('consent_ads_zns', False), ('consent_ads_sms', False), ('consent_ads_email', False),
]


def upgrade():
    op.create_table('message_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('purpose', sa.String(length=12), nullable=False),
    sa.Column('provider_template_id', sa.String(length=64), nullable=True),
    sa.Column('subject', sa.String(length=200), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('params', sa.String(length=400), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', models.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_templates'))
    )
    with op.batch_alter_table('message_templates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_templates_channel'), ['channel'], unique=False)
        batch_op.create_index(batch_op.f('ix_message_templates_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_message_templates_status'), ['status'], unique=False)

    op.create_table('provider_tokens',
    sa.Column('name', sa.String(length=20), nullable=False),
    sa.Column('access_token', sa.Text(), nullable=False),
    sa.Column('refresh_token', sa.Text(), nullable=True),
    sa.Column('expires_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('updated_at', models.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_provider_tokens'))
    )

    with op.batch_alter_table('customers', schema=None) as batch_op:
        for name, granted in CONSENTS:
            batch_op.add_column(sa.Column(name, sa.Boolean(), nullable=False,
                                          server_default=sa.true() if granted else sa.false()))
        batch_op.add_column(sa.Column('opted_out_at', models.base.UTCDateTime(), nullable=True))

    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purpose', sa.String(length=12), nullable=False, server_default='care'))
        batch_op.add_column(sa.Column('channel_order', sa.String(length=40), nullable=True))
        for channel in ('zns', 'sms', 'email'):
            batch_op.add_column(sa.Column(f'{channel}_template_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                batch_op.f(f'fk_campaigns_{channel}_template_id_message_templates'),
                'message_templates', [f'{channel}_template_id'], ['id'],
            )

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purpose', sa.String(length=12), nullable=False, server_default='care'))
        batch_op.add_column(sa.Column('fallback', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('templates', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('params', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('cost', MONEY, nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('budget_line_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('provider_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('segments', sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column('lease_until', models.base.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('delivered_at', models.base.UTCDateTime(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_outbox_messages_budget_line_id_budget_lines'), 'budget_lines', ['budget_line_id'], ['id']
        )
        batch_op.create_index(batch_op.f('ix_outbox_messages_budget_line_id'), ['budget_line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_messages_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index('ix_outbox_messages_due', ['status', 'next_attempt_at', 'id'], unique=False)
        # the two single-column indexes are prefixes of the one above: fewer indexes to keep per queued row
        batch_op.drop_index('ix_outbox_messages_status')
        batch_op.drop_index('ix_outbox_messages_next_attempt_at')
        batch_op.create_index(
            'ix_outbox_messages_customer_purpose', ['customer_id', 'purpose', 'sent_at'], unique=False
        )

    op.create_table('message_events',
    sa.Column('id', BIG, nullable=False),
    sa.Column('message_id', BIG, nullable=False),
    sa.Column('at', models.base.UTCDateTime(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['message_id'], ['outbox_messages.id'],
                            name=op.f('fk_message_events_message_id_outbox_messages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_events'))
    )
    with op.batch_alter_table('message_events', schema=None) as batch_op:
        batch_op.create_index('ix_message_events_message_at', ['message_id', 'at'], unique=False)

    op.create_table('survey_invites',
    sa.Column('id', BIG, nullable=False),
    sa.Column('customer_id', BIG, nullable=False),
    sa.Column('complaint_id', BIG, nullable=True),
    sa.Column('kind', sa.String(length=4), nullable=False),
    sa.Column('dedupe_key', sa.String(length=80), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(), nullable=False),
    sa.Column('expires_at', models.base.UTCDateTime(), nullable=False),
    sa.Column('used_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('answer_id', BIG, nullable=True),
    sa.ForeignKeyConstraint(['answer_id'], ['survey_answers.id'], name=op.f('fk_survey_invites_answer_id_survey_answers')),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_survey_invites_complaint_id_complaints')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_survey_invites_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_invites')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_survey_invites_dedupe_key'))
    )
    with op.batch_alter_table('survey_invites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_invites_complaint_id'), ['complaint_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_invites_customer_id'), ['customer_id'], unique=False)


def downgrade():
    op.drop_table('survey_invites')
    op.drop_table('message_events')
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbox_messages_budget_line_id_budget_lines'), type_='foreignkey')
        batch_op.drop_index('ix_outbox_messages_customer_purpose')
        batch_op.create_index('ix_outbox_messages_status', ['status'], unique=False)
        batch_op.create_index('ix_outbox_messages_next_attempt_at', ['next_attempt_at'], unique=False)
        batch_op.drop_index('ix_outbox_messages_due')
        batch_op.drop_index(batch_op.f('ix_outbox_messages_provider_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_messages_budget_line_id'))
        for name in ('delivered_at', 'claimed_by', 'lease_until', 'segments', 'provider_id', 'budget_line_id',
                     'cost', 'params', 'templates', 'fallback', 'purpose'):
            batch_op.drop_column(name)
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        for channel in ('zns', 'sms', 'email'):
            batch_op.drop_constraint(
                batch_op.f(f'fk_campaigns_{channel}_template_id_message_templates'), type_='foreignkey'
            )
            batch_op.drop_column(f'{channel}_template_id')
        batch_op.drop_column('channel_order')
        batch_op.drop_column('purpose')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_column('opted_out_at')
        for name, _granted in reversed(CONSENTS):
            batch_op.drop_column(name)
    op.drop_table('provider_tokens')
    with op.batch_alter_table('message_templates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_templates_status'))
        batch_op.drop_index(batch_op.f('ix_message_templates_created_at'))
        batch_op.drop_index(batch_op.f('ix_message_templates_channel'))
    op.drop_table('message_templates')
