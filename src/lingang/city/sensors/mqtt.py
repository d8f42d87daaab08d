"""The MQTT adapter of the sensor intake (paho-mqtt 2, Mosquitto), and a publisher.

:class:`MqttIntake` subscribes ``lingang/sensors/#`` and moves the messages from paho's network
thread (or, with ``separate_process``, from a child process running paho, in batches every
20 ms) into a bounded queue; one worker thread drains the queue into the pipeline and flushes
it every ``flush_ms`` milliseconds or ``flush_max`` messages, whichever comes first.

QoS: the intake subscribes with QoS 1 (the maximum it grants a publisher). A sensor that
publishes at QoS 1 (an alarm-grade sensor: manhole covers, flood gauges) gets at-least-once
delivery; redeliveries are dropped by the pipeline as duplicates (a reading not newer than the
sensor's last). A sensor that publishes periodic telemetry at QoS 0 stays QoS 0 end to end
(effective QoS is the lower of the two): losing one reading costs a minute, the next one
repeats the measurement, and the broker does no per-message acknowledgement work.

Back-pressure: when the worker falls behind and the queue is full, the network thread waits
for room instead of dropping, so TCP flow control pushes back to the broker (which queues QoS 1
messages for the session). The session is clean: after a restart the intake starts from live
data, and the trend state rebuilds within minutes. paho reconnects by itself after a lost
connection, waiting 1 s, then doubling up to 30 s; every (re)connection subscribes again.
"""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing as mp
import queue
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event as EventType
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode
from paho.mqtt.reasoncodes import ReasonCode

from lingang.city.contracts import SensorAlarm
from lingang.city.sensors.pipeline import SensorPipeline
from lingang.city.sensors.readings import TOPIC_PREFIX

log = logging.getLogger(__name__)

SUBSCRIPTION = f"{TOPIC_PREFIX}/#"
QOS = 1

Item = tuple[str, bytes, dt.datetime]
"""A received message: topic, payload, when it was received (aware UTC)."""


class BufferedClient(mqtt.Client):
    """paho's client, reading the socket 64 KiB at a time.

    paho reads one packet per ``select()`` wake-up while no QoS 1/2 exchange is in flight,
    and the fixed header a byte at a time: four system calls and a ``select()`` per sensor
    message. This client serves paho's small reads from a buffer filled by one large
    ``recv`` and goes on reading packets while the buffer holds any, so a burst of messages
    costs one system call per 64 KiB. The protocol handling stays paho's. (It relies on
    paho's ``_sock_recv`` / ``_sock_close`` / ``loop_read``, checked with paho-mqtt 2.1-2.2.)
    """

    READ_SIZE = 65536

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._rbuf = b""
        self._rpos = 0
        super().__init__(*args, **kwargs)

    def _sock_recv(self, bufsize: int) -> bytes:
        if self._rpos >= len(self._rbuf):
            chunk = super()._sock_recv(max(bufsize, self.READ_SIZE))
            if not chunk:
                return chunk  # the broker closed the connection
            self._rbuf, self._rpos = chunk, 0
        data = self._rbuf[self._rpos : self._rpos + bufsize]
        self._rpos += len(data)
        return data

    def _sock_close(self) -> None:
        self._rbuf, self._rpos = b"", 0  # a new connection starts with an empty buffer
        super()._sock_close()

    def loop_read(self, max_packets: int = 1) -> MQTTErrorCode:
        """Read packets until the socket would block and the buffer is empty."""
        rc = super().loop_read(max_packets)
        while rc == MQTTErrorCode.MQTT_ERR_SUCCESS and self._rpos < len(self._rbuf):
            rc = super().loop_read(max_packets)
        return rc


@dataclass
class IntakeMetrics:
    """What the adapter saw: messages from the broker, waits for room, connections."""

    received: int = 0
    waits: int = 0
    connects: int = 0
    disconnects: int = 0
    flushes: int = 0


class MqttIntake:
    """Broker → queue → worker → :class:`SensorPipeline`; start, then stop to flush and close.

    With ``separate_process`` the paho client runs in a child process that sends the
    messages to this one in batches every 20 ms, so receiving and evaluating do not share one
    interpreter lock (the benchmark's configuration; see docs/city.md); otherwise paho's
    network thread shares this process with the worker."""

    def __init__(
        self,
        pipeline: SensorPipeline,
        host: str = "127.0.0.1",
        port: int = 1883,
        *,
        qos: int = QOS,
        flush_ms: int = 100,
        flush_max: int = 5000,
        queue_max: int = 10_000,
        separate_process: bool = False,
        on_flush: Callable[[Sequence[SensorAlarm]], None] | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.host, self.port, self.qos = host, port, qos
        self.flush_s = flush_ms / 1000
        self.flush_max = flush_max
        self.on_flush = on_flush
        self.metrics = IntakeMetrics()
        self._queue: queue.Queue[list[Item] | None] = queue.Queue(queue_max)
        self._worker = threading.Thread(target=self._work, name="sensor-intake", daemon=True)
        self._receiver: _Receiver | _ProcessReceiver
        if separate_process:
            self._receiver = _ProcessReceiver(self)
        else:
            self._receiver = _Receiver(self)

    @property
    def client(self) -> mqtt.Client | None:
        """The paho client, when it runs in this process."""
        return self._receiver.client if isinstance(self._receiver, _Receiver) else None

    def start(self, timeout: float = 10.0) -> None:
        """Connect, subscribe and start the worker; raises ``TimeoutError`` when the broker
        does not accept the connection within ``timeout`` seconds."""
        self._worker.start()
        if not self._receiver.start(timeout):
            self.stop()
            raise TimeoutError(f"MQTT broker at {self.host}:{self.port} did not answer")

    def stop(self) -> None:
        """Disconnect, then flush what was received and close the pipeline."""
        self._receiver.stop()
        if self._worker.is_alive():
            self._queue.put(None)
            self._worker.join()

    @property
    def backlog(self) -> int:
        """Batches received and not yet handed to the pipeline."""
        return self._queue.qsize()

    def put(self, batch: list[Item]) -> None:
        """Hand received messages to the worker (waits for room: back-pressure)."""
        self.metrics.received += len(batch)
        try:
            self._queue.put_nowait(batch)
        except queue.Full:
            self.metrics.waits += 1
            self._queue.put(batch)

    # --- the worker thread ---

    def _work(self) -> None:
        deadline = time.monotonic() + self.flush_s
        while True:
            try:
                batch = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                batch = []
            if batch is None or (batch and self._feed(batch)):
                self._flush()
                self.pipeline.close()
                return
            if len(self.pipeline) >= self.flush_max or time.monotonic() >= deadline:
                self._flush()
                deadline = time.monotonic() + self.flush_s

    def _feed(self, batch: list[Item]) -> bool:
        """Feed ``batch`` and what else is queued (up to ``flush_max``); True on stop."""
        while True:
            for item in batch:
                self.pipeline.feed(*item)
            if len(self.pipeline) >= self.flush_max:
                return False
            try:
                next_batch = self._queue.get_nowait()
            except queue.Empty:
                return False
            if next_batch is None:
                return True
            batch = next_batch

    def _flush(self) -> None:
        if not len(self.pipeline):
            return
        try:
            alarms = self.pipeline.flush()
        except Exception:
            log.exception("a sensor batch failed; the intake goes on")
            return
        self.metrics.flushes += 1
        if self.on_flush is not None:
            self.on_flush(alarms)


def _client(prefix: str) -> BufferedClient:
    client = BufferedClient(
        CallbackAPIVersion.VERSION2, client_id=f"{prefix}-{uuid.uuid4().hex[:8]}"
    )
    client.reconnect_delay_set(min_delay=1, max_delay=30)
    return client


def _topic(message: mqtt.MQTTMessage) -> str:
    try:
        return message.topic
    except UnicodeDecodeError:  # refused by the pipeline: a topic must be UTF-8
        return "<topic not UTF-8>"


class _Receiver:
    """paho's network thread in this process: each message goes to the intake's queue."""

    def __init__(self, intake: MqttIntake) -> None:
        self.intake = intake
        self.connected = threading.Event()
        self.client = _client("lingang-intake")
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message

    def start(self, timeout: float) -> bool:
        self.client.connect_async(self.intake.host, self.intake.port, keepalive=30)
        self.client.loop_start()
        return self.connected.wait(timeout)

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def _on_connect(self, client: mqtt.Client, _userdata: Any, _flags: Any,
                    reason: ReasonCode, _properties: Any) -> None:  # fmt: skip
        if reason.is_failure:
            log.warning("MQTT connection refused: %s", reason)
            return
        client.subscribe(SUBSCRIPTION, qos=self.intake.qos)
        self.intake.metrics.connects += 1

    def _on_subscribe(self, _client: mqtt.Client, _userdata: Any, _mid: int,
                      reasons: list[ReasonCode], _properties: Any) -> None:  # fmt: skip
        if any(reason.is_failure for reason in reasons):
            log.warning("MQTT subscription refused: %s", reasons)
            return
        self.connected.set()  # ready once the broker has acknowledged the subscription
        log.info("subscribed %s (QoS %d)", SUBSCRIPTION, self.intake.qos)

    def _on_disconnect(self, _client: mqtt.Client, _userdata: Any, _flags: Any,
                       reason: ReasonCode, _properties: Any) -> None:  # fmt: skip
        self.intake.metrics.disconnects += 1
        self.connected.clear()
        if reason.is_failure:
            log.warning("MQTT connection lost (%s); reconnecting with backoff", reason)

    def _on_message(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        self.intake.put([(_topic(message), bytes(message.payload), dt.datetime.now(dt.UTC))])


class _ProcessReceiver:
    """paho in a child process; a relay thread here turns its batches into queue items."""

    def __init__(self, intake: MqttIntake) -> None:
        self.intake = intake
        ctx = mp.get_context("spawn")
        self.stopping = ctx.Event()
        self.connected = ctx.Event()
        self.receive, self._send = ctx.Pipe(duplex=False)
        self.process = ctx.Process(
            target=receive_in_child,
            args=(intake.host, intake.port, intake.qos, self._send, self.stopping, self.connected),
            name="sensor-mqtt-receiver",
            daemon=True,
        )
        self.relay = threading.Thread(target=self._relay, name="sensor-relay", daemon=True)

    def start(self, timeout: float) -> bool:
        self.process.start()
        self._send.close()  # the child holds the sending end: its exit ends the relay (EOF)
        self.relay.start()
        if not self.connected.wait(timeout):
            return False
        self.intake.metrics.connects += 1
        return True

    def stop(self) -> None:
        self.stopping.set()
        self.relay.join(30)
        self.process.join(10)
        if self.process.is_alive():
            self.process.kill()

    def _relay(self) -> None:
        utc = dt.UTC
        stamp = dt.datetime.fromtimestamp
        while True:
            try:
                batch: list[tuple[str, bytes, float]] | None = self.receive.recv()
            except EOFError:
                return
            if batch is None:
                return
            self.intake.put([(topic, payload, stamp(at, utc)) for topic, payload, at in batch])


def receive_in_child(host: str, port: int, qos: int, send: Connection, stopping: EventType,
                     connected: EventType, every: float = 0.02) -> None:  # fmt: skip
    """The child process of a separate receiver: subscribe, and send what arrives to the
    parent every ``every`` seconds as one batch of ``(topic, payload, epoch seconds)``."""
    pending: list[tuple[str, bytes, float]] = []
    client = _client("lingang-intake")

    def on_connect(c: mqtt.Client, _u: Any, _f: Any, reason: ReasonCode, _p: Any) -> None:
        if not reason.is_failure:
            c.subscribe(SUBSCRIPTION, qos=qos)

    def on_subscribe(_c: mqtt.Client, _u: Any, _m: int, reasons: list[ReasonCode], _p: Any
                     ) -> None:  # fmt: skip
        if not any(reason.is_failure for reason in reasons):
            connected.set()

    client.on_connect = on_connect
    client.on_subscribe = on_subscribe
    client.on_message = lambda _c, _u, m: pending.append((_topic(m), bytes(m.payload), time.time()))
    client.connect_async(host, port, keepalive=30)
    client.loop_start()
    try:
        while not stopping.wait(every):
            _send(pending, send)
    finally:
        client.disconnect()
        client.loop_stop()
        _send(pending, send)
        send.send(None)
        send.close()


def _send(pending: list[tuple[str, bytes, float]], send: Connection) -> None:
    if pending:
        batch = pending[:]  # the network thread appends meanwhile: take what is there
        del pending[: len(batch)]
        send.send(batch)


class MqttPublisher:
    """A plain publisher (the simulator's and the benchmark's): connect, publish, close."""

    def __init__(self, host: str = "127.0.0.1", port: int = 1883, *, qos: int = 0) -> None:
        self.qos = qos
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=f"lingang-sim-{uuid.uuid4().hex[:8]}"
        )  # a plain client: publishing is not the bottleneck paho's reads are
        self.client.max_inflight_messages_set(1000)
        self.client.max_queued_messages_set(0)  # unbounded: publish() never refuses
        self.client.connect(host, port, keepalive=30)
        self.client.loop_start()
        self._last: mqtt.MQTTMessageInfo | None = None

    def publish(self, topic: str, payload: bytes) -> None:
        """Queue one message for sending."""
        self._last = self.client.publish(topic, payload, qos=self.qos)

    def close(self, timeout: float = 30.0) -> None:
        """Wait until everything published has left, then disconnect."""
        if self._last is not None:
            self._last.wait_for_publish(timeout)
        self.client.disconnect()
        self.client.loop_stop()

    def __enter__(self) -> MqttPublisher:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
