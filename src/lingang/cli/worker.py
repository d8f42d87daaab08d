"""``lingang worker``: long-running consumers of the bus."""

from __future__ import annotations

import signal
import threading
import time
from typing import Annotated

import typer

from lingang.cli.common import platform_session

app = typer.Typer(help="Bus workers · 后台处理", no_args_is_help=True)
CONSUMER = "risk-worker"


@app.command("risk")
def risk(
    idle_exit: Annotated[
        float | None,
        typer.Option(
            help="Exit after this many seconds without events (default: run until stopped)"
        ),
    ] = None,
) -> None:
    """Assess every ``risk.event_submitted`` event from the bus with the published rule set.

    Alerts go out as ``risk.alert_raised`` through the outbox. Each event is handled once
    (idempotent consumer); a failure is redelivered, then dead-lettered.
    """
    from lingang.bus.events import Event
    from lingang.bus.relay import IdempotentConsumer
    from lingang.risk.assessments.events import EventSubmitted

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    handled = [0, time.monotonic()]
    with platform_session() as platform:
        version = platform.assessments.warm()
        consumer = IdempotentConsumer(platform.database, CONSUMER,
                                      platform.assessments.handle_submitted)  # fmt: skip

        def handle(event: Event) -> None:
            consumer(event)
            handled[0] += 1
            handled[1] = time.monotonic()
            platform.relay.notify()

        platform.bus.subscribe(CONSUMER, [EventSubmitted], handle)
        typer.echo(f"risk worker listening ({platform.settings.bus} bus, rule set v{version});"
                   " Ctrl-C stops", err=True)  # fmt: skip
        while not stop.wait(0.2):
            if idle_exit is not None and time.monotonic() - handled[1] > idle_exit:
                break
    typer.echo(f"risk worker stopped after {int(handled[0]):,} event(s)", err=True)
