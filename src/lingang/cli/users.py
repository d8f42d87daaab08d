"""``lingang users``: create and list accounts."""

from __future__ import annotations

from typing import Annotated

import typer

from lingang.cli.common import cli_actor, platform_session, print_json, print_table
from lingang.types import ROLE_LABELS, Role

app = typer.Typer(help="Users and roles · 用户与角色", no_args_is_help=True)


@app.command("create")
def create(
    username: Annotated[str, typer.Argument(help="Login name (a–z, 0–9, _ . -)")],
    role: Annotated[Role, typer.Option(help="Role of the DESIGN table")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True, hide_input=True, confirmation_prompt=True, help="≥ 10 characters"
        ),
    ],
    display_name: Annotated[str, typer.Option(help="Name shown in the console")] = "",
    enterprise_id: Annotated[int | None, typer.Option(help="Required for enterprise users")] = None,
    department: Annotated[
        str | None, typer.Option(help="Staff only: the department, e.g. 核查一处")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Create a user."""
    with platform_session() as platform:
        user = platform.auth.create_user(
            username,
            password,
            role,
            actor=cli_actor(),
            display_name=display_name,
            enterprise_id=enterprise_id,
            department=department,
        )
    if as_json:
        print_json(user)
    else:
        unit = f", department {user.department}" if user.department else ""
        typer.echo(f"created user {user.username} (id {user.id}, role {user.role.value}{unit})")


@app.command("list")
def list_users(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """List every user."""
    with platform_session() as platform:
        users = platform.auth.list_users(actor=cli_actor(), limit=10_000)
    if as_json:
        print_json(users)
        return
    print_table(
        ["id", "username", "role", "角色", "enterprise", "department 部门", "active"],
        [
            [
                u.id,
                u.username,
                u.role.value,
                ROLE_LABELS[u.role][0],
                u.enterprise_id or "",
                u.department or "",
                "yes" if u.is_active else "no",
            ]
            for u in users
        ],
    )
