"""The NATS JetStream bus: durable pull consumers, explicit acks, de-duplicated publishes.

The adapter owns an asyncio loop on a daemon thread and offers the synchronous ``Bus`` API
on top of it. One stream (``LINGANG`` by default) holds every subject under the prefix
(``lingang.>``). Each subscription of a consumer to an event type is one durable pull consumer
named ``<consumer>__<event_name with . as _>``; several processes that subscribe the same
consumer share its work. A message is acked only after its handler returns; a handler that
raises is nak'ed with a growing delay and, after its last attempt, terminated (dead-lettered).
Publishes carry ``Nats-Msg-Id`` = the event id, so JetStream drops replays within its
duplicate window.

Batching: ``publish_many`` sends its publishes concurrently and waits for the acks together;
a batch consumer (``subscribe_batch``) gets every fetched message (up to ``max_batch``) in one
handler call and acks them together. When that call raises, each message is handled alone,
so only the failing event is nak'ed (and, after its last attempt, terminated).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import nats
import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StreamConfig

from lingang.bus.base import (
    RETRY_DELAYS_S,
    BatchHandler,
    Handler,
    check_consumer_name,
    check_event_types,
    check_registered,
    one_at_a_time,
    retry_delay,
)
from lingang.bus.events import SUBJECT_PREFIX, Event, parse_event
from lingang.config import Settings
from lingang.errors import Conflict, Invalid, Unavailable

log = logging.getLogger(__name__)

T = TypeVar("T")
_NATS_FAILURES = (nats.errors.Error, OSError, TimeoutError)
_IDLE_WAIT_S = 1.0
_BURST_WAIT_S = 0.05
_POLL_S = 0.02


@dataclass(eq=False)
class _Worker:
    """One durable pull consumer and the task that drains it."""

    durable: str
    subject: str
    handler: Handler
    batch_handler: BatchHandler | None = None
    task: asyncio.Task[None] | None = None
    busy: bool = False


class NatsBus:
    """A ``Bus`` on NATS JetStream; see the module docstring for the naming and the acks."""

    def __init__(
        self,
        url: str = "nats://127.0.0.1:4222",
        stream: str = "LINGANG",
        *,
        subject_prefix: str = SUBJECT_PREFIX,
        retry_delays: Sequence[float] = RETRY_DELAYS_S,
        timeout_s: float = 2.0,
        ack_wait_s: float = 30.0,
        max_age_s: float = 7 * 24 * 3600.0,
        batch: int = 16,
        max_batch: int = 100,
    ) -> None:
        self.url, self.stream, self.subject_prefix = url, stream, subject_prefix
        self._retry_delays = tuple(retry_delays)
        self._timeout_s, self._ack_wait_s, self._max_age_s = timeout_s, ack_wait_s, max_age_s
        self._batch, self._max_batch = batch, max_batch
        self._lock = threading.Lock()
        self._consumers: dict[str, list[_Worker]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._nc: Client | None = None
        self._js: JetStreamContext | None = None
        self._closing = False
        self._in_flight = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> NatsBus:
        """The bus that ``settings`` describe (``nats_url``, ``nats_stream``)."""
        return cls(settings.nats_url, settings.nats_stream)

    def subject_of(self, event_type: type[Event]) -> str:
        """The subject of an event type: ``Event.subject()`` under this bus's prefix."""
        if self.subject_prefix == SUBJECT_PREFIX:
            return event_type.subject()
        return f"{self.subject_prefix}.{event_type.name}"

    def name_of(self, subject: str) -> str:
        """The event name a subject carries (the inverse of ``subject_of``)."""
        return subject.removeprefix(f"{self.subject_prefix}.")

    # -- the Bus API (called from any thread) -------------------------------------------

    def start(self) -> None:
        """Connect (reconnecting forever later), ensure the stream, start the consumers."""
        if self._loop is not None:
            return
        if self._closing:
            raise Unavailable("NATS bus is closed")
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="nats-bus")
        self._thread.daemon = True
        self._thread.start()
        try:
            self._call(self._connect(), self._timeout_s * 2)
            for workers in list(self._consumers.values()):
                self._call(self._start_workers(workers), self._timeout_s * 2)
        except Unavailable:
            self._stop(final=False)
            raise

    def publish(self, event: Event) -> None:
        """Publish and wait for JetStream's ack; ``Unavailable`` when it does not come."""
        check_registered(event)
        js = self._jetstream()
        headers = {"Nats-Msg-Id": str(event.event_id)}
        subject = self.subject_of(type(event))
        publishing = js.publish(
            subject, event.to_json(), timeout=self._timeout_s, stream=self.stream, headers=headers
        )
        ack = self._call(publishing, self._timeout_s + 1.0)
        if ack.duplicate:
            log.debug("duplicate publish of %s dropped by JetStream", event.event_id)

    def publish_many(self, events: Sequence[Event]) -> int:
        """Publish ``events`` concurrently and wait for their acks together.

        Returns how many leading events JetStream acked (see ``Bus.publish_many``);
        ``Unavailable`` when the first one was not.
        """
        for event in events:
            check_registered(event)
        if not events:
            return 0
        acks = self._call(self._publish_all(events), self._timeout_s + 1.0)
        for taken, (event, ack) in enumerate(zip(events, acks, strict=True)):
            if isinstance(ack, BaseException):
                return self._short(taken, len(events), ack)
            if ack.duplicate:
                log.debug("duplicate publish of %s dropped by JetStream", event.event_id)
        return len(events)

    def subscribe(
        self, consumer: str, event_types: Sequence[type[Event]], handler: Handler
    ) -> None:
        """Create (or join) the durable consumers of ``consumer``, one per event type."""
        self._subscribe(consumer, event_types, handler, None)

    def subscribe_batch(
        self, consumer: str, event_types: Sequence[type[Event]], handler: BatchHandler
    ) -> None:
        """Like ``subscribe``; ``handler`` gets every fetched message (up to ``max_batch``)."""
        self._subscribe(consumer, event_types, one_at_a_time(handler), handler)

    def _subscribe(
        self,
        consumer: str,
        event_types: Sequence[type[Event]],
        handler: Handler,
        batch_handler: BatchHandler | None,
    ) -> None:
        check_consumer_name(consumer)
        workers = [
            _Worker(
                f"{consumer}__{t.name.replace('.', '_')}",
                self.subject_of(t),
                handler,
                batch_handler,
            )
            for t in check_event_types(event_types)
        ]
        with self._lock:
            if consumer in self._consumers:
                raise Conflict(f"consumer {consumer!r} is already subscribed on this bus")
            self._consumers[consumer] = workers
        if self._js is not None:
            try:
                self._call(self._start_workers(workers), self._timeout_s * 2)
            except Unavailable:
                with self._lock:
                    del self._consumers[consumer]
                raise

    def ping(self) -> None:
        """Raise ``Unavailable`` unless connected and the server answers a PING within 1 s."""
        if self._nc is None or not self._nc.is_connected:
            raise Unavailable("NATS is not connected")
        self._call(self._nc.flush(timeout=1), 1.5)

    def wait_idle(self, timeout: float) -> bool:
        """Poll until no consumer of this bus has pending or unacked messages."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self._call(self._is_idle(), self._timeout_s):
                    return True
            except Unavailable:
                log.debug("NATS unavailable while waiting for idle")
            if time.monotonic() >= deadline:
                return False
            time.sleep(_POLL_S)

    def close(self) -> None:
        """Finish the handlers in flight, nak what was fetched but not handled, disconnect."""
        self._stop(final=True)

    # -- bridging to the loop ------------------------------------------------------------

    def _call(self, coro: Coroutine[Any, Any, T], timeout: float) -> T:
        """Run ``coro`` on the bus loop and wait; NATS failures become ``Unavailable``."""
        if self._loop is None:
            coro.close()
            raise Unavailable("NATS bus is not started")
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return future.result(timeout)
        except _NATS_FAILURES as exc:
            future.cancel()
            raise Unavailable(f"NATS: {type(exc).__name__} {exc}".strip()) from exc

    def _stop(self, *, final: bool) -> None:
        """Shut the consumers and the connection down and end the loop thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            self._closing = self._closing or final
            return
        try:
            self._call(self._shutdown(), 10.0)
        except Unavailable as exc:
            log.warning("NATS bus did not shut down cleanly: %s", exc.message)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=5.0)
            loop.close()
            self._loop = self._thread = None
            self._nc = self._js = None
            self._closing = final
            for worker in (w for ws in self._consumers.values() for w in ws):
                worker.task, worker.busy = None, False

    @staticmethod
    def _short(taken: int, total: int, error: BaseException) -> int:
        """The count of a ``publish_many`` cut short by ``error`` (raised if nothing was taken)."""
        message = f"NATS: {type(error).__name__} {error}".strip()
        if taken == 0:
            raise Unavailable(message) from error
        log.warning("JetStream acked %d of %d publishes, the rest wait: %s", taken, total, message)
        return taken

    def _jetstream(self) -> JetStreamContext:
        if self._js is None or self._closing:
            raise Unavailable("NATS bus is not started")
        return self._js

    # -- on the loop -----------------------------------------------------------------------

    async def _connect(self) -> None:
        self._nc = await nats.connect(
            self.url,
            name="lingang",
            connect_timeout=max(1, int(self._timeout_s)),
            reconnect_time_wait=1,
            max_reconnect_attempts=-1,
            error_cb=_on_error,
            disconnected_cb=_on_disconnected,
            reconnected_cb=self._on_reconnected,
        )
        self._js = self._nc.jetstream(timeout=self._timeout_s)
        await self._ensure_stream(self._js)

    async def _on_reconnected(self) -> None:
        """After a reconnect, re-create the stream if the server came back without it."""
        log.info("NATS reconnected")
        if self._js is not None and not self._closing:
            try:
                await self._ensure_stream(self._js)
            except Exception:
                log.exception("could not ensure stream %s after reconnect", self.stream)

    async def _ensure_stream(self, js: JetStreamContext) -> None:
        try:
            await js.stream_info(self.stream)
        except nats.js.errors.NotFoundError:
            config = StreamConfig(
                name=self.stream,
                subjects=[f"{self.subject_prefix}.>"],
                max_age=self._max_age_s,
                duplicate_window=120.0,
            )
            await js.add_stream(config)
            log.info("created JetStream stream %s", self.stream)

    async def _publish_all(self, events: Sequence[Event]) -> list[Any]:
        """Publish ``events`` concurrently; their acks, or the exception of each failure."""
        js = self._jetstream()
        publishes = [
            js.publish(
                self.subject_of(type(event)),
                event.to_json(),
                timeout=self._timeout_s,
                stream=self.stream,
                headers={"Nats-Msg-Id": str(event.event_id)},
            )
            for event in events
        ]
        return await asyncio.gather(*publishes, return_exceptions=True)

    async def _start_workers(self, workers: list[_Worker]) -> None:
        """Create or join every durable consumer first, then start draining them."""
        idle = [worker for worker in workers if worker.task is None]
        subs = [await self._pull_subscribe(worker) for worker in idle]
        loop = asyncio.get_running_loop()
        for worker, sub in zip(idle, subs, strict=True):
            worker.task = loop.create_task(self._drain(worker, sub))

    async def _pull_subscribe(self, worker: _Worker) -> JetStreamContext.PullSubscription:
        return await self._jetstream().pull_subscribe(
            worker.subject, durable=worker.durable, stream=self.stream, config=self._config()
        )

    def _config(self) -> ConsumerConfig:
        return ConsumerConfig(
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            ack_wait=self._ack_wait_s,
            max_deliver=len(self._retry_delays) + 1,
        )

    async def _drain(self, worker: _Worker, sub: JetStreamContext.PullSubscription) -> None:
        """Fetch and settle messages until closing.

        When idle, wait for one message (a batch fetch would hold a lone message back until
        its timeout); after a message, fetch in batches with a short wait to drain a backlog.
        """
        size, wait = 1, _IDLE_WAIT_S
        burst = self._batch if worker.batch_handler is None else self._max_batch
        while not self._closing:
            try:
                messages = await sub.fetch(size, timeout=wait)
            except TimeoutError:
                size, wait = 1, _IDLE_WAIT_S
                continue
            except _NATS_FAILURES as exc:
                log.warning("fetch for %s failed: %r; retrying", worker.durable, exc)
                await asyncio.sleep(_IDLE_WAIT_S)
                continue
            worker.busy = True
            try:
                if worker.batch_handler is None or len(messages) == 1:
                    for message in messages:
                        await self._settle(worker, message)
                else:
                    await self._settle_batch(worker, worker.batch_handler, messages)
            finally:
                worker.busy = False
            size, wait = burst, _BURST_WAIT_S

    async def _settle(self, worker: _Worker, message: Msg) -> None:
        """Handle one message and ack, nak or terminate it."""
        self._in_flight += 1
        try:
            if self._closing:
                await message.nak()
                return
            event = self._decode(message)
            if event is None:
                await message.term()
                return
            await self._handle_alone(worker, message, event)
        except _NATS_FAILURES as exc:
            log.warning("could not settle a message for %s: %r", worker.durable, exc)
        finally:
            self._in_flight -= 1

    async def _handle_alone(self, worker: _Worker, message: Msg, event: Event) -> None:
        """Run the one-event handler on ``event``, then ack, or nak/terminate on failure."""
        try:
            await asyncio.to_thread(worker.handler, event)
        except Exception as exc:
            await self._retry_later(worker, message, event, exc)
            return
        await message.ack()

    async def _settle_batch(
        self, worker: _Worker, handler: BatchHandler, messages: list[Msg]
    ) -> None:
        """Handle the decodable ``messages`` in one call and ack them all; when the call
        raises, handle each alone (so only a failing one is retried)."""
        self._in_flight += len(messages)
        try:
            if self._closing:
                await asyncio.gather(*(m.nak() for m in messages))
                return
            decoded = await self._decode_all(messages)
            if not decoded:
                return
            try:
                await asyncio.to_thread(handler, [event for _, event in decoded])
            except Exception as exc:
                log.warning("batch of %d failed for %s: %r; handling each alone",
                            len(decoded), worker.durable, exc)  # fmt: skip
                for message, event in decoded:
                    await self._handle_alone(worker, message, event)
                return
            await asyncio.gather(*(message.ack() for message, _ in decoded))
        except _NATS_FAILURES as exc:
            log.warning("could not settle a batch for %s: %r", worker.durable, exc)
        finally:
            self._in_flight -= len(messages)

    async def _decode_all(self, messages: list[Msg]) -> list[tuple[Msg, Event]]:
        """The decodable messages with their events; the others are terminated."""
        decoded: list[tuple[Msg, Event]] = []
        for message in messages:
            event = self._decode(message)
            if event is None:
                await message.term()
            else:
                decoded.append((message, event))
        return decoded

    def _decode(self, message: Msg) -> Event | None:
        try:
            return parse_event(self.name_of(message.subject), message.data)
        except Invalid as exc:
            log.error("dropping undecodable message on %s: %s", message.subject, exc.message)
            return None

    async def _retry_later(
        self, worker: _Worker, message: Msg, event: Event, error: Exception
    ) -> None:
        attempt = message.metadata.num_delivered
        delay = retry_delay(attempt, self._retry_delays)
        if delay is None:
            what = (event.name, event.event_id, worker.durable)
            log.error("dead-lettered %s %s for %s", *what, exc_info=error)
            await message.term()
            return
        log.warning("retrying %s for %s in %.2fs: %r", event.event_id, worker.durable, delay, error)
        await message.nak(delay=delay)

    async def _is_idle(self) -> bool:
        if self._in_flight:
            return False
        js = self._jetstream()
        for workers in list(self._consumers.values()):
            for worker in workers:
                info = await js.consumer_info(self.stream, worker.durable)
                if info.num_pending or info.num_ack_pending:
                    return False
        return True

    async def _shutdown(self) -> None:
        self._closing = True
        tasks = [w.task for ws in self._consumers.values() for w in ws if w.task is not None]
        for workers in self._consumers.values():
            for worker in workers:
                if worker.task is not None and not worker.busy:
                    worker.task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=5.0)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        if self._nc is not None:
            await self._nc.close()


async def _on_error(exc: Exception) -> None:
    log.warning("NATS error: %r", exc)


async def _on_disconnected() -> None:
    log.warning("NATS disconnected")
