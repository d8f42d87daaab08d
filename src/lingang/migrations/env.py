"""Alembic environment: migrates the connection handed over by ``Database.upgrade``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from lingang.models import metadata

config = context.config


def run_migrations() -> None:
    """Run online against the given connection, or one made from the configured URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as fresh:
        _run(fresh)


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]  # alembic types this loosely
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
