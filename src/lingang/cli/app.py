"""The ``lingang`` command: one entry point, platform errors mapped to exit codes once."""

from __future__ import annotations

import logging
import sys
import threading
from typing import TYPE_CHECKING, Annotated

import typer

from lingang.cli import (
    audit,
    cases,
    city,
    credit,
    db,
    inspections,
    lake,
    permits,
    plan,
    policies,
    risk,
    sensors,
    simulate,
    users,
    worker,
)
from lingang.cli.common import print_json, print_table
from lingang.config import Settings
from lingang.demo import DemoCredential, DemoZone
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

if TYPE_CHECKING:
    from lingang.bootstrap import Platform

log = logging.getLogger(__name__)
#: how often a serving platform escalates breached case SLAs (``CaseService.escalate_overdue``)
ESCALATE_EVERY_S = 60.0

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
app.add_typer(lake.app, name="lake")
app.add_typer(risk.app, name="risk")
app.add_typer(worker.app, name="worker")
app.add_typer(cases.app, name="cases")
app.add_typer(credit.app, name="credit")
app.add_typer(inspections.app, name="inspections")
app.add_typer(plan.app, name="plan")
app.add_typer(permits.app, name="permits")
app.add_typer(policies.app, name="policies")
app.add_typer(city.app, name="city")
app.add_typer(sensors.app, name="sensors")
app.command("simulate")(simulate.simulate)


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
    enterprises: Annotated[int, typer.Option(help="Simulated enterprises (first run)")] = 2000,
    days: Annotated[int, typer.Option(help="Simulated days of activity (first run)")] = 365,
    live: Annotated[
        bool,
        typer.Option(
            "--live/--no-live", help="Replay simulated declarations as live traffic while serving"
        ),
    ] = True,
) -> None:
    """Build the demo zone, print one login per role, and serve API and console."""
    from lingang.bootstrap import bootstrap
    from lingang.demo import build_demo_zone

    settings = Settings()
    platform = bootstrap(settings)
    try:
        zone, credentials = build_demo_zone(platform, enterprises=enterprises, days=days)
    finally:
        platform.close()
    if as_json:
        print_json(
            {
                "data_dir": str(settings.data_dir.resolve()),
                "enterprises": zone.enterprises,
                "enterprise_user_firm": zone.enterprise_user_firm,
                "simulation": zone.manifest,
                "scorer": zone.scorer,
                "credit": zone.credit,
                "plan": zone.plan,
                "policies": zone.policies,
                "city": zone.city,
                "logins": credentials,
            }
        )
    else:
        _print_demo(settings, zone, credentials)
    if not no_serve:
        _serve(settings, host, port, live=live)


def _print_demo(settings: Settings, zone: DemoZone, credentials: list[DemoCredential]) -> None:
    lines = zone.manifest.get("datasets", {}).get("declarations", 0)
    days = zone.manifest.get("params", {}).get("days", 0)
    reused = ", reused" if zone.reused else ""
    typer.echo(
        f"demo zone ready in {settings.data_dir.resolve()} ({zone.enterprises:,} simulated "
        f"enterprises, {lines:,} declaration lines over {days} days{reused}; "
        f"enterprise user → {zone.enterprise_user_firm.name_zh}; zone scorer: {zone.scorer})"
    )
    typer.echo(f"credit classes today: {zone.credit}")
    typer.echo(f"plan indicators (simulated observations 2020–2023): {zone.plan}")
    typer.echo(f"incentive policies: {zone.policies}")
    typer.echo(f"一网统管 (simulated): {zone.city}")
    print_table(
        ["role", "角色", "username", "password", "department 部门"],
        [[c.role.value, ROLE_LABELS[c.role][0], c.username, c.password, c.department or ""]
         for c in credentials],
    )


def _serve(settings: Settings, host: str, port: int, *, live: bool = False) -> None:
    import uvicorn

    from lingang.api.app import create_app
    from lingang.bootstrap import bootstrap
    from lingang.risk.replay import LiveReplay
    from lingang.types import SYSTEM

    # the QR codes of e-licences carry the address this server answers on, unless configured
    platform = bootstrap(settings.model_copy(update={"host": host, "port": port}))
    application = create_app(platform, console=settings.console)
    replay = LiveReplay(platform.assessments, platform.lake.store, SYSTEM) if live else None
    if replay is not None:
        replay.start()
        typer.echo(
            "live traffic: 3 simulated declaration lines assessed every 2 s (--no-live stops it)"
        )
    escalation = escalate_periodically(platform, ESCALATE_EVERY_S)
    typer.echo(f"console: http://{host}:{port}/console/   API docs: http://{host}:{port}/api/docs")
    try:
        uvicorn.run(application, host=host, port=port, log_level="warning")
    finally:
        escalation.set()
        if replay is not None:
            replay.stop()
        platform.close()


def escalate_periodically(platform: Platform, every_s: float) -> threading.Event:
    """Run the deadline jobs now and every ``every_s`` seconds (a daemon thread) until the
    returned event is set: escalate breached case SLAs; deem accepted, escalate and remind
    (licence renewals) on the permit side."""
    from lingang.types import utcnow

    stop = threading.Event()
    jobs = (
        ("case SLA escalation", lambda: platform.cases.escalate_overdue(utcnow())),
        ("permit sweep", lambda: platform.permits.sweep(utcnow())),
        ("licence renewal reminders", lambda: platform.permits.remind_renewals(utcnow())),
        ("city event escalation", lambda: platform.city.escalate_overdue(utcnow())),
    )

    def loop() -> None:
        while not stop.is_set():
            for name, job in jobs:
                try:
                    job()
                except Exception:  # a database hiccup must not end the loop
                    log.exception("%s failed; retrying in %.0f s", name, every_s)
            stop.wait(every_s)

    threading.Thread(target=loop, name="case-sla-escalation", daemon=True).start()
    return stop


def main() -> None:
    """Console-script entry point: run the app, turning platform errors into exit codes."""
    try:
        app()
    except LingangError as exc:
        code = next((c for cls, c in EXIT_CODES.items() if isinstance(exc, cls)), 1)
        typer.echo(f"error: {exc.message}", err=True)
        sys.exit(code)
