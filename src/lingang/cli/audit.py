"""``lingang audit``: verify the chain, read the log."""

from __future__ import annotations

from typing import Annotated

import typer

from lingang.cli.common import cli_actor, platform_session, print_json, print_table

app = typer.Typer(help="Audit log · 审计日志", no_args_is_help=True)


@app.command("verify")
def verify(as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False) -> None:
    """Check every record of the chain; exit 1 and name each bad row when it was tampered with."""
    with platform_session(start=False) as platform, platform.uow.read() as session:
        report = platform.audit.verify(session, actor=cli_actor())
    if as_json:
        print_json(
            {
                "ok": report.ok,
                "checked": report.checked,
                "head_seq": report.head_seq,
                "findings": report.findings,
            }
        )
    elif report.ok:
        typer.echo(f"audit chain intact: {report.checked} records, head at {report.head_seq}")
    else:
        typer.echo(
            f"audit chain BROKEN: {len(report.findings)} finding(s) in {report.checked} records",
            err=True,
        )
        for finding in report.findings:
            typer.echo(f"  [{finding.kind.value}] {finding.message}", err=True)
    if not report.ok:
        raise typer.Exit(1)


@app.command("list")
def list_records(
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """The newest records."""
    with platform_session(start=False) as platform, platform.uow.read() as session:
        entries = platform.audit.list_records(session, actor=cli_actor(), limit=limit)
    if as_json:
        print_json(entries)
        return
    print_table(
        ["seq", "at (UTC)", "actor", "action", "object", "detail"],
        [
            [
                e.seq,
                e.at.strftime("%Y-%m-%d %H:%M:%S"),
                e.actor,
                e.action,
                f"{e.object_type}:{e.object_id}",
                e.detail,
            ]
            for e in entries
        ],
    )
