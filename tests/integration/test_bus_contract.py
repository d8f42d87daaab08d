"""One contract for every bus adapter, and the outbox around it, on SQLite and PostgreSQL.

Each test that touches NATS gets its own JetStream stream and subject prefix (deleted after);
each test gets its own migrated database from tests/conftest.py (``database_url``). Unreachable
services skip the tests locally and fail them when ``CI`` is set.
"""

from __future__ import annotations

import asyncio
import functools
import os
import shutil
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import ClassVar, NoReturn
from urllib.parse import urlsplit

import nats
import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from environment import skip_or_fail
from lingang.bus import (
    Bus,
    Event,
    IdempotentConsumer,
    InProcessBus,
    OutboxRelay,
    register_event,
    write_outbox,
)
from lingang.bus.nats import NatsBus
from lingang.bus.outbox import OutboxRow, ProcessedEvent
from lingang.db import Database, UnitOfWorkFactory
from lingang.errors import Conflict, Invalid, Unavailable
from lingang.types import utcnow

NATS_URL = os.environ.get("LINGANG_TEST_NATS_URL", "nats://127.0.0.1:4222")
FAST_RETRIES = (0.01, 0.02)
WAIT_S = 5.0


@register_event
class SampleHappened(Event):
    """A test-only event."""

    name: ClassVar[str] = "bus_contract.sample_happened"
    n: int


@register_event
class OtherHappened(Event):
    """A second test-only event type."""

    name: ClassVar[str] = "bus_contract.other_happened"
    label: str


def unreachable(service: str, error: BaseException) -> NoReturn:
    """Skip locally, fail in CI: a missing service must not pass silently there."""
    skip_or_fail(f"{service} unreachable: {error!r}")


# -- databases: the migrated, per-test databases of tests/conftest.py -------------------------


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """The test's migrated database, on SQLite and on PostgreSQL (``database_url``)."""
    database = Database(database_url)
    yield database
    database.dispose()


ON_POSTGRES = pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
ON_SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


# -- buses ---------------------------------------------------------------------------------


@functools.cache
def nats_probe_error() -> OSError | None:
    """Whether NATS accepts TCP connections (asked once, so a missing server skips fast)."""
    url = urlsplit(NATS_URL)
    try:
        socket.create_connection((url.hostname, url.port or 4222), timeout=1.0).close()
    except OSError as exc:
        return exc
    return None


def require_nats() -> None:
    """Skip (fail under CI) when NATS does not accept connections."""
    error = nats_probe_error()
    if error is not None:
        unreachable("NATS", error)


def delete_stream(url: str, stream: str) -> None:
    """Delete a test stream (with its consumers)."""

    async def delete() -> None:
        client = await nats.connect(url, allow_reconnect=False)
        try:
            await client.jetstream().delete_stream(stream)
        finally:
            await client.close()

    asyncio.run(delete())


@pytest.fixture(params=["inprocess", pytest.param("nats", marks=pytest.mark.nats)])
def make_bus(request: pytest.FixtureRequest) -> Iterator[Callable[[], Bus]]:
    """Start buses of one kind; for NATS, all share one private stream, deleted after."""
    if request.param == "nats":
        require_nats()
    tag = uuid.uuid4().hex[:12]
    opened: list[Bus] = []

    def make() -> Bus:
        bus: Bus
        if request.param == "inprocess":
            bus = InProcessBus(retry_delays=FAST_RETRIES)
        else:
            bus = NatsBus(
                NATS_URL,
                f"LINGANG_TEST_{tag}",
                subject_prefix=f"lingang_test_{tag}",
                retry_delays=FAST_RETRIES,
            )
        try:
            bus.start()
        except Unavailable as exc:
            unreachable("NATS", exc)
        opened.append(bus)
        return bus

    yield make
    for bus in opened:
        bus.close()
    if request.param == "nats" and opened:
        delete_stream(NATS_URL, f"LINGANG_TEST_{tag}")


@pytest.fixture
def bus(make_bus: Callable[[], Bus]) -> Bus:
    """One started bus of each kind."""
    return make_bus()


def ids(events: Sequence[Event]) -> list[uuid.UUID]:
    """The event ids, in order."""
    return [event.event_id for event in events]


# -- the bus contract ----------------------------------------------------------------------


def test_delivers_a_published_event_to_its_subscriber(bus: Bus) -> None:
    seen: list[Event] = []
    bus.subscribe("watcher", [SampleHappened], seen.append)
    event = SampleHappened(n=7)

    bus.publish(event)

    assert bus.wait_idle(WAIT_S)
    assert seen == [event]
    assert type(seen[0]) is SampleHappened


def test_delivers_several_event_types_to_one_consumer(bus: Bus) -> None:
    seen: list[Event] = []
    bus.subscribe("watcher", [SampleHappened, OtherHappened], seen.append)
    events = [SampleHappened(n=1), OtherHappened(label="x"), SampleHappened(n=2)]

    for event in events:
        bus.publish(event)

    assert bus.wait_idle(WAIT_S)
    assert sorted(ids(seen)) == sorted(ids(events))


def test_delivers_each_event_to_every_consumer(bus: Bus) -> None:
    first: list[Event] = []
    second: list[Event] = []
    bus.subscribe("first", [SampleHappened], first.append)
    bus.subscribe("second", [SampleHappened], second.append)
    events = [SampleHappened(n=n) for n in range(3)]

    for event in events:
        bus.publish(event)

    assert bus.wait_idle(WAIT_S)
    assert ids(first) == ids(events)
    assert ids(second) == ids(events)


def test_does_not_deliver_event_types_a_consumer_did_not_subscribe_to(bus: Bus) -> None:
    seen: list[Event] = []
    bus.subscribe("watcher", [OtherHappened], seen.append)

    bus.publish(SampleHappened(n=1))

    assert bus.wait_idle(WAIT_S)
    assert seen == []


def test_redelivers_an_event_whose_handler_failed(bus: Bus) -> None:
    attempts: list[Event] = []

    def fail_once(event: Event) -> None:
        attempts.append(event)
        if len(attempts) == 1:
            raise RuntimeError("transient")

    bus.subscribe("flaky", [SampleHappened], fail_once)
    event = SampleHappened(n=1)

    bus.publish(event)

    assert bus.wait_idle(WAIT_S)
    assert ids(attempts) == [event.event_id, event.event_id]


def test_gives_up_on_an_event_after_the_last_retry(bus: Bus) -> None:
    attempts: list[Event] = []

    def always_fail(event: Event) -> None:
        attempts.append(event)
        raise RuntimeError("permanent")

    bus.subscribe("broken", [SampleHappened], always_fail)

    bus.publish(SampleHappened(n=1))

    assert bus.wait_idle(WAIT_S)
    assert len(attempts) == len(FAST_RETRIES) + 1


def test_refuses_a_second_subscription_under_one_consumer_name(bus: Bus) -> None:
    bus.subscribe("watcher", [SampleHappened], lambda event: None)

    with pytest.raises(Conflict):
        bus.subscribe("watcher", [OtherHappened], lambda event: None)


def test_refuses_to_publish_an_unregistered_event_type(bus: Bus) -> None:
    class Unregistered(Event):
        name: ClassVar[str] = "bus_contract.unregistered"

    with pytest.raises(Invalid):
        bus.publish(Unregistered())


def test_answers_ping_while_open_and_refuses_after_close(bus: Bus) -> None:
    bus.ping()

    bus.close()
    bus.close()

    with pytest.raises(Unavailable):
        bus.ping()
    with pytest.raises(Unavailable):
        bus.publish(SampleHappened(n=1))


def test_publish_many_delivers_every_event_in_order(bus: Bus) -> None:
    seen: list[Event] = []
    bus.subscribe("watcher", [SampleHappened], seen.append)
    events = [SampleHappened(n=n) for n in range(30)]

    assert bus.publish_many(events) == len(events)

    assert bus.wait_idle(WAIT_S)
    assert ids(seen) == ids(events)


def test_publish_many_refuses_an_unregistered_event_type_before_publishing(bus: Bus) -> None:
    class Unregistered(Event):
        name: ClassVar[str] = "bus_contract.unregistered_many"

    seen: list[Event] = []
    bus.subscribe("watcher", [SampleHappened], seen.append)

    with pytest.raises(Invalid):
        bus.publish_many([SampleHappened(n=1), Unregistered()])

    assert bus.wait_idle(WAIT_S)
    assert seen == []


def test_publish_many_raises_unavailable_when_nothing_was_taken(bus: Bus) -> None:
    bus.close()

    with pytest.raises(Unavailable):
        bus.publish_many([SampleHappened(n=1), SampleHappened(n=2)])


def test_subscribe_batch_delivers_every_event_in_order(bus: Bus) -> None:
    batches: list[list[Event]] = []
    bus.subscribe_batch("batcher", [SampleHappened], lambda events: batches.append(list(events)))
    events = [SampleHappened(n=n) for n in range(40)]

    bus.publish_many(events)

    assert bus.wait_idle(WAIT_S)
    assert ids([event for batch in batches for event in batch]) == ids(events)
    assert all(type(event) is SampleHappened for batch in batches for event in batch)


def test_a_failing_event_of_a_batch_is_retried_alone_and_the_others_are_handled(
    bus: Bus,
) -> None:
    calls: list[list[uuid.UUID]] = []
    handled: list[uuid.UUID] = []
    events = [SampleHappened(n=n) for n in range(20)]
    poison = events[7]

    def handle(batch: Sequence[Event]) -> None:
        calls.append(ids(batch))
        if poison.event_id in ids(batch):
            raise RuntimeError("poison")
        handled.extend(ids(batch))

    bus.subscribe_batch("batcher", [SampleHappened], handle)

    bus.publish_many(events)

    assert bus.wait_idle(WAIT_S)
    assert sorted(handled) == sorted(ids(events[:7] + events[8:]))
    assert calls.count([poison.event_id]) == len(FAST_RETRIES) + 1


NATS_ONLY = pytest.mark.parametrize(
    "make_bus", [pytest.param("nats", marks=pytest.mark.nats)], indirect=True
)
"""For what only a broker offers: the in-process bus keeps nothing across instances."""


@NATS_ONLY
def test_a_durable_consumer_gets_what_was_published_while_it_was_away(
    make_bus: Callable[[], Bus],
) -> None:
    publisher, first = make_bus(), make_bus()
    first.subscribe("keeper", [SampleHappened], lambda event: None)
    first.close()
    event = SampleHappened(n=1)

    publisher.publish(event)
    seen: list[Event] = []
    second = make_bus()
    second.subscribe("keeper", [SampleHappened], seen.append)

    assert second.wait_idle(WAIT_S)
    assert seen == [event]


@NATS_ONLY
def test_a_batch_consumer_gets_a_backlog_in_batches(make_bus: Callable[[], Bus]) -> None:
    publisher = make_bus()
    publisher.subscribe_batch("backlog", [SampleHappened], lambda events: None)
    publisher.close()  # the durable consumer exists; the backlog waits for it
    events = [SampleHappened(n=n) for n in range(60)]
    make_bus().publish_many(events)
    sizes: list[int] = []
    worker = make_bus()

    worker.subscribe_batch("backlog", [SampleHappened], lambda events: sizes.append(len(events)))

    assert worker.wait_idle(WAIT_S)
    assert sum(sizes) == len(events)
    assert max(sizes) > 1


@NATS_ONLY
def test_instances_of_one_consumer_share_its_work(make_bus: Callable[[], Bus]) -> None:
    publisher = make_bus()
    left: list[Event] = []
    right: list[Event] = []
    make_bus().subscribe("shared", [SampleHappened], left.append)
    worker = make_bus()
    worker.subscribe("shared", [SampleHappened], right.append)
    events = [SampleHappened(n=n) for n in range(20)]

    for event in events:
        publisher.publish(event)

    assert worker.wait_idle(WAIT_S)
    assert sorted(ids(left + right)) == sorted(ids(events))


# -- the outbox and idempotent consumers across a bus ---------------------------------------


def test_handles_a_duplicate_publish_once_through_an_idempotent_consumer(
    bus: Bus, database: Database
) -> None:
    handled: list[uuid.UUID] = []
    consumer = IdempotentConsumer(database, "ledger", lambda s, e: handled.append(e.event_id))
    bus.subscribe("ledger", [SampleHappened], consumer)
    event = SampleHappened(n=1)

    bus.publish(event)
    bus.publish(event)
    assert bus.wait_idle(WAIT_S)
    consumer(event)  # a redelivery the broker cannot de-duplicate

    assert handled == [event.event_id]
    assert count(database, ProcessedEvent) == 1


def test_never_publishes_the_events_of_an_uncommitted_unit_of_work(
    bus: Bus, database: Database
) -> None:
    seen: list[Event] = []
    bus.subscribe("watcher", [SampleHappened], seen.append)
    relay = OutboxRelay(database, bus)
    units = UnitOfWorkFactory(database, write_outbox, relay.notify)

    with units() as work:
        work.emit(SampleHappened(n=1))

    assert relay.flush() == 0
    assert bus.wait_idle(WAIT_S)
    assert seen == []
    assert count(database, OutboxRow) == 0


def test_publishes_the_events_of_a_unit_of_work_only_after_it_commits(
    bus: Bus, database: Database
) -> None:
    rows_seen: list[OutboxRow | None] = []

    def look_for_committed_row(event: Event) -> None:
        with database.sessions() as session:
            query = select(OutboxRow).where(OutboxRow.event_id == event.event_id)
            rows_seen.append(session.scalars(query).one_or_none())

    bus.subscribe("reader", [SampleHappened], look_for_committed_row)
    relay = OutboxRelay(database, bus)
    units = UnitOfWorkFactory(database, write_outbox, relay.notify)
    event = SampleHappened(n=1)

    with units() as work:
        work.emit(event)
        assert relay.flush() == 0
        assert bus.wait_idle(WAIT_S)
        assert rows_seen == []
        work.commit()

    assert bus.wait_idle(WAIT_S)
    assert [row.event_id for row in rows_seen if row is not None] == [event.event_id]
    assert relay.flush() == 0


def count(database: Database, table: type[OutboxRow] | type[ProcessedEvent]) -> int:
    """How many rows ``table`` holds."""
    with database.sessions() as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


# -- the relay --------------------------------------------------------------------------------


class RecordingBus(InProcessBus):
    """A bus that records what is published and can be switched off, at once or after
    taking ``limit`` events in all."""

    def __init__(self) -> None:
        super().__init__()
        self.published: list[Event] = []
        self.batches: list[int] = []
        self.down = False
        self.limit: int | None = None

    def publish(self, event: Event) -> None:
        if self.down or (self.limit is not None and len(self.published) >= self.limit):
            raise Unavailable("broker down")
        self.published.append(event)

    def publish_many(self, events: Sequence[Event]) -> int:
        self.batches.append(len(events))
        return super().publish_many(events)


def commit_events(database: Database, events: list[Event]) -> None:
    """Commit ``events`` through a unit of work whose after-commit hook does nothing."""
    with UnitOfWorkFactory(database, write_outbox, lambda: None)() as work:
        for event in events:
            work.emit(event)
        work.commit()


def test_relay_publishes_pending_rows_in_id_order_once(database: Database) -> None:
    bus = RecordingBus()
    events: list[Event] = [SampleHappened(n=n) for n in range(5)]
    commit_events(database, events[:3])
    commit_events(database, events[3:])
    relay = OutboxRelay(database, bus, batch_size=2)

    assert relay.flush() == 5
    assert relay.flush() == 0
    assert ids(bus.published) == ids(events)
    with database.sessions() as session:
        assert all(row.published_at for row in session.scalars(select(OutboxRow)))


def test_relay_publishes_each_batch_of_rows_with_one_publish_many(database: Database) -> None:
    bus = RecordingBus()
    events: list[Event] = [SampleHappened(n=n) for n in range(5)]
    commit_events(database, events)

    assert OutboxRelay(database, bus, batch_size=2).flush() == 5

    assert bus.batches == [2, 2, 1]
    assert ids(bus.published) == ids(events)


def test_relay_marks_the_rows_taken_before_the_bus_failed_and_keeps_the_rest(
    database: Database,
) -> None:
    bus = RecordingBus()
    events: list[Event] = [SampleHappened(n=n) for n in range(5)]
    commit_events(database, events)
    relay = OutboxRelay(database, bus)

    bus.limit = 3
    assert relay.flush() == 3
    with database.sessions() as session:
        rows = session.scalars(select(OutboxRow).order_by(OutboxRow.id)).all()
        assert [row.published_at is not None for row in rows] == [True] * 3 + [False] * 2
        assert [(row.attempts, row.last_error) for row in rows[3:]] == [
            (1, "broker down"),
            (0, None),
        ]
    bus.limit = None

    assert relay.flush() == 2
    assert ids(bus.published) == ids(events)


def test_relay_publishes_through_the_bus_to_its_subscribers(bus: Bus, database: Database) -> None:
    seen: list[Event] = []
    bus.subscribe("watcher", [SampleHappened], seen.append)
    events: list[Event] = [SampleHappened(n=n) for n in range(25)]
    commit_events(database, events)

    assert OutboxRelay(database, bus, batch_size=10).flush() == len(events)

    assert bus.wait_idle(WAIT_S)
    assert ids(seen) == ids(events)
    with database.sessions() as session:
        assert all(row.published_at for row in session.scalars(select(OutboxRow)))


def test_relay_keeps_rows_for_later_while_the_bus_is_unavailable(database: Database) -> None:
    bus = RecordingBus()
    events: list[Event] = [SampleHappened(n=n) for n in range(3)]
    commit_events(database, events)
    relay = OutboxRelay(database, bus)

    bus.down = True
    assert relay.flush() == 0
    with database.sessions() as session:
        first = session.scalars(select(OutboxRow).order_by(OutboxRow.id)).first()
        assert first is not None
        assert (first.attempts, first.last_error, first.published_at) == (1, "broker down", None)
    bus.down = False

    assert relay.flush() == 3
    assert ids(bus.published) == ids(events)


def test_relay_skips_a_row_whose_event_type_is_unknown(database: Database) -> None:
    bus = RecordingBus()
    with database.sessions() as session:
        session.add(stray_row())
        session.commit()
    event = SampleHappened(n=1)
    commit_events(database, [event])

    assert OutboxRelay(database, bus).flush() == 1
    assert bus.published == [event]
    with database.sessions() as session:
        row = session.scalars(select(OutboxRow).where(OutboxRow.name == "gone.away")).one()
        assert row.published_at is None
        assert row.last_error is not None
        assert row.last_error.startswith("unpublishable")


def stray_row() -> OutboxRow:
    """An outbox row of an event type nobody registers."""
    return OutboxRow(
        event_id=uuid.uuid4(),
        name="gone.away",
        payload={},
        created_at=utcnow(),
        attempts=0,
    )


def test_background_relay_publishes_soon_after_a_commit(database: Database) -> None:
    bus = RecordingBus()
    relay = OutboxRelay(database, bus)
    relay.start_background(interval_s=60.0)
    try:
        with UnitOfWorkFactory(database, write_outbox, relay.notify)() as work:
            work.emit(SampleHappened(n=1))
            work.commit()
        deadline = time.monotonic() + WAIT_S
        while not bus.published and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        relay.stop()

    assert len(bus.published) == 1


@ON_POSTGRES
def test_relay_skips_rows_another_relay_has_locked(database: Database) -> None:
    bus = RecordingBus()
    commit_events(database, [SampleHappened(n=1)])

    with database.sessions() as other, other.begin():
        other.scalars(select(OutboxRow).with_for_update()).all()
        assert OutboxRelay(database, bus).flush() == 0

    assert OutboxRelay(database, bus).flush() == 1


# -- idempotent consumers ---------------------------------------------------------------------


def record_handled(session: Session, event: Event) -> None:
    """A handler whose write shows whether its transaction committed."""
    session.add(
        ProcessedEvent(consumer="side-effect", event_id=event.event_id, processed_at=utcnow())
    )


def test_idempotent_consumer_rolls_back_the_handler_writes_when_it_fails(
    database: Database,
) -> None:
    def write_then_fail(session: Session, event: Event) -> None:
        record_handled(session, event)
        raise RuntimeError("boom")

    event = SampleHappened(n=1)

    with pytest.raises(RuntimeError):
        IdempotentConsumer(database, "worker", write_then_fail)(event)
    assert count(database, ProcessedEvent) == 0

    IdempotentConsumer(database, "worker", record_handled)(event)
    assert count(database, ProcessedEvent) == 2


def test_idempotent_consumer_keeps_one_ledger_per_consumer_name(database: Database) -> None:
    calls: list[str] = []
    event = SampleHappened(n=1)

    def recorder(name: str) -> Callable[[Session, Event], None]:
        return lambda session, event: calls.append(name)

    for name in ["alpha", "beta", "alpha"]:
        IdempotentConsumer(database, name, recorder(name))(event)

    assert calls == ["alpha", "beta"]


def test_idempotent_consumer_treats_a_concurrent_duplicate_as_handled(
    database: Database,
) -> None:
    entered, release = threading.Event(), threading.Event()
    calls: list[uuid.UUID] = []

    def slow(session: Session, event: Event) -> None:
        calls.append(event.event_id)
        entered.set()
        release.wait(WAIT_S)

    consumer = IdempotentConsumer(database, "worker", slow)
    event = SampleHappened(n=1)
    first = threading.Thread(target=consumer, args=(event,))
    second = threading.Thread(target=consumer, args=(event,))
    first.start()
    assert entered.wait(WAIT_S)
    second.start()
    wait_until_blocked(database)
    release.set()
    first.join(WAIT_S)
    second.join(WAIT_S)

    assert calls == [event.event_id]
    assert count(database, ProcessedEvent) == 1


def count_commits(database: Database) -> list[int]:
    """A one-item list counting the commits on ``database`` from now on."""
    commits = [0]

    def counted(connection: object) -> None:
        commits[0] += 1

    sa_event.listen(database.engine, "commit", counted)
    return commits


def test_idempotent_consumer_handles_a_batch_in_one_commit_skipping_handled_ids(
    database: Database,
) -> None:
    batches: list[list[uuid.UUID]] = []

    def write_all(session: Session, events: Sequence[Event]) -> None:
        batches.append(ids(events))
        for event in events:
            record_handled(session, event)

    consumer = IdempotentConsumer(database, "worker", record_handled, batch_handler=write_all)
    old, new, newer = SampleHappened(n=1), SampleHappened(n=2), SampleHappened(n=3)
    consumer(old)
    commits = count_commits(database)

    consumer.handle_many([old, new, newer, new])

    assert batches == [[new.event_id, newer.event_id]]
    assert commits == [1]
    assert count(database, ProcessedEvent) == 6  # 3 ledger rows, 3 side effects
    consumer.handle_many([old, newer])
    assert batches == [[new.event_id, newer.event_id]]
    assert commits == [1]


def test_idempotent_consumer_runs_the_one_event_handler_without_a_batch_handler(
    database: Database,
) -> None:
    events = [SampleHappened(n=n) for n in range(3)]

    IdempotentConsumer(database, "worker", record_handled).handle_many(events)

    with database.sessions() as session:
        ledger = session.scalars(select(ProcessedEvent.consumer, ProcessedEvent.event_id)).all()
        assert len(ledger) == 6


def test_idempotent_consumer_rolls_back_a_failing_batch(database: Database) -> None:
    def write_then_fail(session: Session, events: Sequence[Event]) -> None:
        for event in events:
            record_handled(session, event)
        raise RuntimeError("boom")

    consumer = IdempotentConsumer(database, "worker", record_handled, write_then_fail)
    events = [SampleHappened(n=n) for n in range(3)]

    with pytest.raises(RuntimeError):
        consumer.handle_many(events)

    assert count(database, ProcessedEvent) == 0


def test_idempotent_consumer_handles_a_batch_alone_after_a_concurrent_duplicate(
    database: Database,
) -> None:
    entered, release = threading.Event(), threading.Event()
    calls: list[uuid.UUID] = []

    def slow(session: Session, event: Event) -> None:
        calls.append(event.event_id)
        entered.set()
        release.wait(WAIT_S)

    def in_batch(session: Session, events: Sequence[Event]) -> None:
        calls.extend(ids(events))

    consumer = IdempotentConsumer(database, "worker", slow, batch_handler=in_batch)
    first_event, other = SampleHappened(n=1), SampleHappened(n=2)
    first = threading.Thread(target=consumer, args=(first_event,))
    second = threading.Thread(target=consumer.handle_many, args=([first_event, other],))
    first.start()
    assert entered.wait(WAIT_S)
    second.start()
    wait_until_blocked(database)
    release.set()
    first.join(WAIT_S)
    second.join(WAIT_S)

    assert calls == [first_event.event_id, other.event_id]
    assert count(database, ProcessedEvent) == 2


def wait_until_blocked(database: Database) -> None:
    """Let the second claimant reach the ledger insert and wait on the first one's lock."""
    if database.dialect != "postgresql":
        time.sleep(0.1)  # SQLite: the insert waits on the write lock; nothing to observe
        return
    query = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE wait_event_type = 'Lock' AND datname = current_database()"
    )
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        with database.engine.connect() as connection:  # a new snapshot of the view each time
            if connection.execute(query).scalar():
                return
        time.sleep(0.01)


# -- NATS against a server of our own, restarted mid-test -------------------------------------


class PrivateNats:
    """A nats-server with JetStream on a free port, storing in a temporary directory."""

    def __init__(self, store: Path) -> None:
        binary = shutil.which("nats-server")
        if binary is None:
            unreachable("nats-server (binary)", FileNotFoundError("nats-server"))
        self.binary, self.store = binary, store
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"nats://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        args = [self.binary, "-a", "127.0.0.1", "-p", str(self.port), "-js", "-sd", str(self.store)]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.02)
        pytest.fail("private nats-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(WAIT_S)
            self.process = None


@pytest.mark.nats
@ON_SQLITE
def test_nats_bus_and_outbox_recover_when_the_server_restarts(
    database: Database, tmp_path: Path
) -> None:
    server = PrivateNats(tmp_path / "jetstream")
    server.start()
    bus = NatsBus(server.url, "RESTART", retry_delays=FAST_RETRIES, timeout_s=0.5)
    try:
        bus.start()
        seen: list[Event] = []
        bus.subscribe("survivor", [SampleHappened], seen.append)
        relay = OutboxRelay(database, bus)
        event = SampleHappened(n=1)

        server.stop()
        with UnitOfWorkFactory(database, write_outbox, relay.notify)() as work:
            work.emit(event)
            work.commit()
        with pytest.raises(Unavailable):
            bus.ping()
        server.start()
        wait_for_ping(bus)

        assert relay.flush() == 1
        assert bus.wait_idle(WAIT_S)
        assert seen == [event]
    finally:
        bus.close()
        server.stop()


def wait_for_ping(bus: Bus) -> None:
    """Wait until the bus answers ``ping`` again (after a reconnect)."""
    deadline = time.monotonic() + WAIT_S
    while True:
        try:
            bus.ping()
            return
        except Unavailable:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
