"""risk lists: named lists and their item history

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 21:17:49.099883
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lingang.db

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('risk_lists',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('element_type', sa.String(length=16), nullable=False),
    sa.Column('description_zh', sa.String(length=200), nullable=False),
    sa.Column('description_en', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', lingang.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_lists')),
    sa.UniqueConstraint('name', name=op.f('uq_risk_lists_name'))
    )
    op.create_table('risk_list_items',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('added_at', lingang.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('added_by', sa.String(length=120), nullable=False),
    sa.Column('removed_at', lingang.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('removed_by', sa.String(length=120), nullable=True),
    sa.Column('removal_note', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['list_id'], ['risk_lists.id'], name=op.f('fk_risk_list_items_list_id_risk_lists')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_list_items'))
    )
    with op.batch_alter_table('risk_list_items', schema=None) as batch_op:
        batch_op.create_index('ix_risk_list_items_list_value', ['list_id', 'value'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('risk_list_items', schema=None) as batch_op:
        batch_op.drop_index('ix_risk_list_items_list_value')

    op.drop_table('risk_list_items')
    op.drop_table('risk_lists')
