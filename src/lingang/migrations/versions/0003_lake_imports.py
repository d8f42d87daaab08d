"""lake: the import journal (lake_imports)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 21:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lingang.db

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('lake_imports',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('import_id', sa.String(length=32), nullable=False),
    sa.Column('dataset', sa.String(length=40), nullable=False),
    sa.Column('source', sa.String(length=500), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('mapping', sa.String(length=200), nullable=True),
    sa.Column('rows', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('accepted', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('duplicates', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('rejected', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('started_at', lingang.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', lingang.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lake_imports'))
    )
    with op.batch_alter_table('lake_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lake_imports_dataset'), ['dataset'], unique=False)
        batch_op.create_index(batch_op.f('ix_lake_imports_finished_at'), ['finished_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_lake_imports_import_id'), ['import_id'], unique=False)


def downgrade() -> None:

    with op.batch_alter_table('lake_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lake_imports_import_id'))
        batch_op.drop_index(batch_op.f('ix_lake_imports_finished_at'))
        batch_op.drop_index(batch_op.f('ix_lake_imports_dataset'))

    op.drop_table('lake_imports')
