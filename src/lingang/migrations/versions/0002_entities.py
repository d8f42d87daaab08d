"""entities: enterprise profile fields, persons, shareholdings

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 20:11:29.653376
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lingang.db

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('persons',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('nationality', sa.String(length=2), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_persons')),
    sa.UniqueConstraint('id_number', name=op.f('uq_persons_id_number'))
    )
    op.create_table('shareholdings',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('holder_enterprise_id', sa.Integer(), nullable=True),
    sa.Column('holder_person_id', sa.Integer(), nullable=True),
    sa.Column('percent', sa.Float(), nullable=False),
    sa.CheckConstraint('(holder_enterprise_id IS NULL) <> (holder_person_id IS NULL)', name=op.f('ck_shareholdings_one_holder')),
    sa.CheckConstraint('percent > 0 AND percent <= 100', name=op.f('ck_shareholdings_percent_range')),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_shareholdings_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['holder_enterprise_id'], ['enterprises.id'], name=op.f('fk_shareholdings_holder_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['holder_person_id'], ['persons.id'], name=op.f('fk_shareholdings_holder_person_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shareholdings'))
    )
    with op.batch_alter_table('shareholdings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shareholdings_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shareholdings_holder_enterprise_id'), ['holder_enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shareholdings_holder_person_id'), ['holder_person_id'], unique=False)

    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registered_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('registered_capital_wan', sa.Float(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('legal_rep_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('address', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('phone', sa.String(length=40), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('industry_code', sa.String(length=5), nullable=True))
        batch_op.add_column(sa.Column('aeo_status', sa.String(length=10), nullable=False, server_default='none'))
        batch_op.create_index(batch_op.f('ix_enterprises_address'), ['address'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprises_industry_code'), ['industry_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprises_legal_rep_id'), ['legal_rep_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprises_name_zh'), ['name_zh'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprises_phone'), ['phone'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_enterprises_legal_rep_id_persons'), 'persons', ['legal_rep_id'], ['id'])




def downgrade() -> None:

    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_enterprises_legal_rep_id_persons'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_enterprises_phone'))
        batch_op.drop_index(batch_op.f('ix_enterprises_name_zh'))
        batch_op.drop_index(batch_op.f('ix_enterprises_legal_rep_id'))
        batch_op.drop_index(batch_op.f('ix_enterprises_industry_code'))
        batch_op.drop_index(batch_op.f('ix_enterprises_address'))
        batch_op.drop_column('aeo_status')
        batch_op.drop_column('industry_code')
        batch_op.drop_column('phone')
        batch_op.drop_column('address')
        batch_op.drop_column('legal_rep_id')
        batch_op.drop_column('registered_capital_wan')
        batch_op.drop_column('registered_on')

    with op.batch_alter_table('shareholdings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shareholdings_holder_person_id'))
        batch_op.drop_index(batch_op.f('ix_shareholdings_holder_enterprise_id'))
        batch_op.drop_index(batch_op.f('ix_shareholdings_enterprise_id'))

    op.drop_table('shareholdings')
    op.drop_table('persons')

