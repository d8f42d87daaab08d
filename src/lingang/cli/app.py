"""The ``lingang`` command: one entry point, platform errors mapped to exit codes once."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from lingang.cli import audit, db, users
from lingang.cli.common import print_json, print_table
from lingang.config import Settings
from lingang.demo import DemoCredential
from lingang.errors import (
    Conflict,
    Forbidden,
    Invalid,
    LingangError,
    NotFound,
    Throttled,
    Unauthenticated,
    Unavailable,
)
from lingang.types import ROLE_LABELS

EXIT_CODES: dict[type[LingangError], int] = {
    Invalid: 2,
    NotFound: 3,
    Conflict: 4,
    Unauthenticated: 5,
    Forbidden: 6,
    Throttled: 7,
    Unavailable: 8,
}

app = typer.Typer(
    help="Lingang Platform · 临港新片区一体化信息管理服务平台",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db.app, name="db")
app.add_typer(users.app, name="users")
app.add_typer(audit.app, name="audit")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address")] = None,
    port: Annotated[int | None, typer.Option(help="Port")] = None,
) -> None:
    """Serve the API and the console (migrates the database first)."""
    settings = Settings()
    _serve(settings, host or settings.host, port or settings.port)


@app.command()
def demo(
    host: Annotated[str, typer.Option(help="Bind address")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Build the zone, then exit")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the zone and logins as JSON")
    ] = False,
) -> None:
    """Build the demo zone, print one login per role, and serve API and console."""
    from lingang.bootstrap import bootstrap
    from lingang.demo import build_demo_zone

    settings = Settings()
    platform = bootstrap(settings)
    try:
        enterprises, credentials = build_demo_zone(platform)
    finally:
        platform.close()
    if as_json:
        print_json(
            {
                "data_dir": str(settings.data_dir.resolve()),
                "enterprises": enterprises,
                "logins": credentials,
            }
        )
    else:
        _print_demo(settings, len(enterprises), credentials)
    if not no_serve:
        _serve(settings, host, port)


def _print_demo(settings: Settings, enterprises: int, credentials: list[DemoCredential]) -> None:
    typer.echo(
        f"demo zone ready in {settings.data_dir.resolve()} ({enterprises} simulated enterprises)"
    )
    print_table(
        ["role", "角色", "username", "password"],
        [[c.role.value, ROLE_LABELS[c.role][0], c.username, c.password] for c in credentials],
    )


def _serve(settings: Settings, host: str, port: int) -> None:
    import uvicorn

    from lingang.api.app import create_app
    from lingang.bootstrap import bootstrap

    platform = bootstrap(settings)
    application = create_app(platform, console=settings.console)
    typer.echo(f"console: http://{host}:{port}/console/   API docs: http://{host}:{port}/api/docs")
    try:
        uvicorn.run(application, host=host, port=port, log_level="warning")
    finally:
        platform.close()


def main() -> None:
    """Console-script entry point: run the app, turning platform errors into exit codes."""
    try:
        app()
    except LingangError as exc:
        code = next((c for cls, c in EXIT_CODES.items() if isinstance(exc, cls)), 1)
        typer.echo(f"error: {exc.message}", err=True)
        sys.exit(code)
