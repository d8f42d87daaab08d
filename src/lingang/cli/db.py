"""``lingang db``: migrations."""

from __future__ import annotations

from typing import Annotated

import typer

from lingang.cli.common import print_json
from lingang.config import Settings
from lingang.db import Database

app = typer.Typer(help="Database migrations · 数据库迁移", no_args_is_help=True)


@app.command("upgrade")
def upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision")] = "head",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    settings = Settings()
    settings.ensure_data_dir()
    database = Database(settings.resolved_database_url())
    try:
        before = database.current_revision()
        database.upgrade(revision)
        after = database.current_revision()
    finally:
        database.dispose()
    if as_json:
        print_json(
            {
                "database": database.engine.url.render_as_string(hide_password=True),
                "from": before,
                "to": after,
            }
        )
    else:
        typer.echo(f"database at revision {after} (was {before or 'empty'})")
