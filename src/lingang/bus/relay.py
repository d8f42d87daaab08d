"""The transactional outbox, its relay to the bus, and idempotent consumers.

A unit of work stores its events in ``outbox`` in the same transaction as its changes
(``write_outbox``); after the commit, ``OutboxRelay`` publishes the rows in id order and marks
them published. A broker outage only delays events: the rows wait, and the relay's background
thread retries. Consumers that write are wrapped in ``IdempotentConsumer``, whose ledger
(``processed_events``) commits together with the handler's writes, so an event id that was
handled is never handled again.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from typing import NamedTuple

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lingang.bus.base import Bus
from lingang.bus.events import Event, parse_event
from lingang.bus.outbox import OutboxRow, ProcessedEvent
from lingang.db import Database
from lingang.errors import Invalid, Unavailable
from lingang.types import utcnow

log = logging.getLogger(__name__)

SessionHandler = Callable[[Session, Event], None]
"""A consumer's handler: writes through the session it is given and never commits."""

SessionBatchHandler = Callable[[Session, Sequence[Event]], None]
"""A consumer's batch handler: writes for all the events through one session, never commits."""

_ERROR_CHARS = 500


class _Batch(NamedTuple):
    published: int
    last_id: int
    more: bool


def write_outbox(session: Session, events: Sequence[Event]) -> None:
    """Store ``events`` in the outbox as part of the session's transaction.

    This is the ``before_commit`` hook of ``UnitOfWork``.
    """
    now = utcnow()
    session.add_all(
        OutboxRow(
            event_id=event.event_id,
            name=event.name,
            payload=event.model_dump(mode="json"),
            created_at=now,
            attempts=0,
        )
        for event in events
    )


class OutboxRelay:
    """Publishes committed outbox rows to the bus, oldest first, each at least once."""

    def __init__(self, database: Database, bus: Bus, batch_size: int = 100) -> None:
        self._database = database
        self._bus = bus
        self._batch_size = batch_size
        self._flushing = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def flush(self) -> int:
        """Publish every pending row; return how many were published.

        Stops at the first row the bus cannot take (``Unavailable``): that row records the
        attempt and the error, and it and the rows after it wait for the next flush. A row
        whose event cannot be rebuilt (unknown type) records the error and is skipped.
        """
        published, after_id = 0, 0
        with self._flushing:
            while True:
                batch = self._flush_batch(after_id)
                published += batch.published
                if not batch.more:
                    return published
                after_id = batch.last_id

    def notify(self) -> None:
        """Ask for a flush after a commit: wake the background thread, or flush here.

        This is the ``after_commit`` hook of ``UnitOfWork``; it never raises, because the
        transaction has already committed and its events are safe in the outbox.
        """
        if self._thread is not None and self._thread.is_alive():
            self._wake.set()
            return
        try:
            self.flush()
        except Exception:
            log.exception("outbox flush after commit failed; the relay will retry")

    def start_background(self, interval_s: float = 1.0) -> None:
        """Flush on a daemon thread every ``interval_s`` seconds and whenever notified."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stopping.clear()
        self._thread = threading.Thread(
            target=self._run, args=(interval_s,), name="outbox-relay", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop the background thread after its current flush."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10.0)
            self._thread = None

    def _run(self, interval_s: float) -> None:
        while not self._stopping.is_set():
            self._wake.wait(interval_s)
            self._wake.clear()
            if self._stopping.is_set():
                return
            try:
                self.flush()
            except Exception:
                log.exception("outbox flush failed; retrying in %.1fs", interval_s)

    def _flush_batch(self, after_id: int) -> _Batch:
        """Publish the next batch of pending rows after ``after_id`` in one transaction."""
        with self._database.sessions() as session, session.begin():
            rows = session.scalars(self._pending_rows(after_id)).all()
            ready = [(row, event) for row in rows if (event := self._event_of(row)) is not None]
            taken = self._publish_rows(ready)
            if taken < len(ready):
                return _Batch(taken, ready[taken][0].id, more=False)
            last_id = rows[-1].id if rows else after_id
            return _Batch(taken, last_id, more=len(rows) == self._batch_size)

    def _pending_rows(self, after_id: int) -> Select[OutboxRow]:
        query = (
            select(OutboxRow)
            .where(OutboxRow.published_at.is_(None), OutboxRow.id > after_id)
            .order_by(OutboxRow.id)
            .limit(self._batch_size)
        )
        if self._database.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return query

    def _event_of(self, row: OutboxRow) -> Event | None:
        """The event a row holds, or None (the attempt and the error recorded on the row)."""
        try:
            return parse_event(row.name, row.payload)
        except Invalid as exc:
            row.attempts += 1
            row.last_error = f"unpublishable: {exc.message}"[:_ERROR_CHARS]
            log.error("outbox row %s cannot be published: %s", row.id, exc.message)
            return None

    def _publish_rows(self, ready: Sequence[tuple[OutboxRow, Event]]) -> int:
        """Publish the rows' events in order with ``publish_many`` and mark those taken.

        A short count is followed by another ``publish_many`` of the rest, until the bus
        raises ``Unavailable``: that error is recorded on the first row not taken, and it and
        the rows after it wait. Returns how many rows were published.
        """
        taken = 0
        while taken < len(ready):
            rest = ready[taken:]
            try:
                count = self._bus.publish_many([event for _, event in rest])
                if count < 1:  # the port promises Unavailable; never loop on a broken adapter
                    raise Unavailable("the bus took none of the events")
            except Unavailable as exc:
                row = rest[0][0]
                row.attempts += 1
                row.last_error = exc.message[:_ERROR_CHARS]
                log.warning("bus unavailable; outbox row %s waits: %s", row.id, exc.message)
                return taken
            now = utcnow()
            for row, _ in rest[:count]:
                row.attempts += 1
                row.published_at, row.last_error = now, None
            taken += count
        return taken


class IdempotentConsumer:
    """Wraps a ``SessionHandler`` so each event id is handled once per consumer name.

    The ledger row is written first (so a concurrent duplicate waits on its key), then the
    handler runs, and both commit together. An event already in the ledger, or one whose
    ledger insert conflicts with a concurrent duplicate, is skipped without error. A handler
    that raises rolls everything back and re-raises, so the bus redelivers the event.
    ``handle_many`` does the same for a batch of events in one transaction.
    """

    def __init__(
        self,
        database: Database,
        consumer_name: str,
        handler: SessionHandler,
        batch_handler: SessionBatchHandler | None = None,
    ) -> None:
        self._database = database
        self.consumer_name = consumer_name
        self._handler = handler
        self._batch_handler = batch_handler or self._each

    def __call__(self, event: Event) -> None:
        """Handle ``event`` unless this consumer has handled its id before."""
        with self._database.sessions() as session:
            if not self._claim(session, event):
                log.debug("%s already handled %s", self.consumer_name, event.event_id)
                return
            self._handler(session, event)
            session.commit()

    def handle_many(self, events: Sequence[Event]) -> None:
        """Handle the events this consumer has not handled before, in one transaction.

        The already-handled ids are looked up at once, the ledger rows of the others written,
        and the batch handler (or, without one, the handler for each event) runs on them;
        everything commits together. When a ledger insert conflicts with a concurrent
        duplicate, the batch falls back to handling each event on its own.
        """
        with self._database.sessions() as session:
            fresh = self._claim_many(session, events)
            if fresh is None:
                log.debug(
                    "%s: a concurrent duplicate; handling each event alone", self.consumer_name
                )
                for event in events:
                    self(event)
                return
            if fresh:
                self._batch_handler(session, fresh)
                session.commit()

    def _each(self, session: Session, events: Sequence[Event]) -> None:
        """The batch handler made of the one-event handler."""
        for event in events:
            self._handler(session, event)

    def _claim_many(self, session: Session, events: Sequence[Event]) -> list[Event] | None:
        """Insert the ledger rows of the events not handled yet and return those events;
        None (rolled back) when an insert conflicts with a concurrent duplicate."""
        done = set(
            session.scalars(
                select(ProcessedEvent.event_id).where(
                    ProcessedEvent.consumer == self.consumer_name,
                    ProcessedEvent.event_id.in_({event.event_id for event in events}),
                )
            )
        )
        fresh: dict[uuid.UUID, Event] = {}
        for event in events:
            if event.event_id not in done:
                fresh.setdefault(event.event_id, event)
        if not fresh:
            session.rollback()
            return []
        now = utcnow()
        session.add_all(
            ProcessedEvent(consumer=self.consumer_name, event_id=event_id, processed_at=now)
            for event_id in fresh
        )
        try:
            session.flush()
        except IntegrityError:
            session.rollback()
            return None
        return list(fresh.values())

    def _claim(self, session: Session, event: Event) -> bool:
        """Insert the ledger row; False when this consumer already has one for the event."""
        key = (self.consumer_name, event.event_id)
        if session.get(ProcessedEvent, key) is not None:
            session.rollback()
            return False
        session.add(
            ProcessedEvent(
                consumer=self.consumer_name, event_id=event.event_id, processed_at=utcnow()
            )
        )
        try:
            session.flush()
        except IntegrityError:
            session.rollback()
            return False
        return True
