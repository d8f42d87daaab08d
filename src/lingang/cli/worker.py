"""``lingang worker``: long-running consumers of the bus."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from lingang.cli.common import platform_session

if TYPE_CHECKING:
    from lingang.bootstrap import Platform
    from lingang.bus.events import Event
    from lingang.bus.relay import SessionHandler

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

    Events come in batches (one transaction each); alerts go out as ``risk.alert_raised``
    through the outbox. Each event is handled once (idempotent consumer); a failing batch is
    retried event by event, and a failing event is redelivered, then dead-lettered.
    """
    from lingang.bus.relay import IdempotentConsumer
    from lingang.risk.assessments.events import EventSubmitted

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    handled = [0, time.monotonic()]
    with platform_session() as platform:
        version = platform.assessments.warm()
        service = platform.assessments
        consumer = IdempotentConsumer(platform.database, CONSUMER, service.handle_submitted,
                                      batch_handler=service.handle_submitted_many)  # fmt: skip

        def handle(events: Sequence[Event]) -> None:
            consumer.handle_many(events)
            handled[0] += len(events)
            handled[1] = time.monotonic()
            platform.relay.notify()  # once per batch: its alerts go out together

        platform.bus.subscribe_batch(CONSUMER, [EventSubmitted], handle)
        typer.echo(f"risk worker listening ({platform.settings.bus} bus, rule set v{version});"
                   " Ctrl-C stops", err=True)  # fmt: skip
        handled[1] = max(handled[1], time.monotonic())  # idle time counts from listening
        while not stop.wait(0.2):
            if idle_exit is not None and time.monotonic() - handled[1] > idle_exit:
                break
    typer.echo(f"risk worker stopped after {int(handled[0]):,} event(s)", err=True)


@app.command("cases")
def cases(
    idle_exit: Annotated[
        float | None,
        typer.Option(
            help="Exit after this many seconds without alerts (default: run until stopped)"
        ),
    ] = None,
) -> None:
    """Turn every ``risk.alert_raised`` event from the bus into a case (案件受理).

    Alerts are grouped into one open case per enterprise and scenario, duplicates and
    suppressed rules open nothing (docs/cases.md). Each event is handled once (idempotent
    consumer); a failing one is redelivered, then dead-lettered. With the embedded
    (in-process) bus a serving platform does this itself; run this worker with NATS.
    """
    from lingang.bootstrap import CASE_INTAKE
    from lingang.risk.assessments.events import AlertRaised

    _consume("case", CASE_INTAKE, AlertRaised, lambda p: p.cases.ingest_alert, idle_exit)


@app.command("credit")
def credit(
    idle_exit: Annotated[
        float | None,
        typer.Option(
            help="Exit after this many seconds without closings (default: run until stopped)"
        ),
    ] = None,
) -> None:
    """Turn every ``cases.case_closed`` event from the bus into credit records of the
    enterprise (信用记录; docs/credit.md) and every ``cases.case_reopened`` into their
    withdrawal, each event once. With the embedded bus a serving
    platform does this itself; run this worker with NATS."""
    from lingang.cases.events import CaseClosed, CaseReopened
    from lingang.credit.service import CREDIT_CONSUMER

    _consume("credit", CREDIT_CONSUMER, (CaseClosed, CaseReopened),
             lambda p: p.credit_records.record_case_event, idle_exit)  # fmt: skip


def _consume(
    what: str,
    consumer_name: str,
    event_type: type[Event] | tuple[type[Event], ...],
    handler_of: Callable[[Platform], SessionHandler],
    idle_exit: float | None,
) -> None:
    """Subscribe one idempotent consumer and handle events until stopped or idle."""
    from lingang.bus.relay import IdempotentConsumer

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    handled = [0, time.monotonic()]
    with platform_session(start=False) as platform:
        consumer = IdempotentConsumer(platform.database, consumer_name, handler_of(platform))

        def handle(event: Event) -> None:
            consumer(event)
            handled[0] += 1
            handled[1] = time.monotonic()

        types = list(event_type) if isinstance(event_type, tuple) else [event_type]
        platform.bus.subscribe(consumer_name, types, handle)
        platform.start()  # after subscribing: the platform's own consumer sees it is taken
        typer.echo(f"{what} worker listening ({platform.settings.bus} bus); Ctrl-C stops",
                   err=True)  # fmt: skip
        handled[1] = max(handled[1], time.monotonic())  # idle time counts from listening
        while not stop.wait(0.2):
            if idle_exit is not None and time.monotonic() - handled[1] > idle_exit:
                break
    typer.echo(f"{what} worker stopped after {int(handled[0]):,} event(s)", err=True)
