"""The sensor pipeline: validate, keep each sensor's trend, evaluate the rules in batches,
debounce, and hand the alarms to the city-event service.

``feed`` only buffers a raw message; ``flush`` does the work for the whole buffer:

1. every message is parsed and validated (:mod:`.readings`); a refused one goes to the
   dead-letter store with its reason and field, and the rest of the batch goes on;
2. each reading gets its sensor's trend fields (``readings_10m``, ``mean_10m``, ``delta_10m``,
   ``rise_rate_per_h`` …) from a small in-memory history of the sensor's previous readings of
   the last 10 minutes (at most :data:`HISTORY` of them); a reading not newer than the sensor's
   last one (an MQTT redelivery, or out of order) is dropped and counted as a duplicate;
3. the rule set is evaluated over the batch in one polars plan (the risk engine's
   ``rule_set_batch``: one hit mask per reading);
4. debouncing, per sensor and rule: a rule fires when it *becomes* true for the sensor (the
   crossing); while it stays true it fires again at most once per ``repeat`` (30 minutes in
   ``rules-v1.yaml``), measured on the readings' own clocks; once a reading makes it false,
   the next crossing fires at once. (The event service, in turn, counts a repeat on the open
   event of the same sensor and category instead of filing a new one.)
5. the alarms go to the sink in one call; dead letters are written in one insert; the
   registry gets each sensor's latest reading, coalesced, every ``registry_interval`` seconds.

The pipeline is not thread-safe: one thread (the MQTT adapter's worker) feeds and flushes it.
A sink that fails keeps its alarms for the next flush (up to :data:`RETRY_LIMIT`).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import polars as pl

from lingang.city.contracts import AlarmSink, SensorAlarm
from lingang.city.sensors.readings import Reading, Rejected, parse
from lingang.city.sensors.rules import SENSOR_FIELDS, TREND_WINDOW, SensorRule, SensorRules
from lingang.city.sensors.store import DeadLetter, SensorState
from lingang.risk.rules.batch_polars import rule_set_batch
from lingang.risk.rules.types import Type

log = logging.getLogger(__name__)

HISTORY = 32
"""Previous readings kept per sensor at most (a sensor reporting faster keeps the newest)."""

RETRY_LIMIT = 10_000
"""Alarms kept for a failing sink at most; beyond it the oldest are dropped (and counted)."""

SAMPLES = 200_000
REGISTRY_REFRESH = 600.0
"""Seconds (of read_at) after which a sensor's registry row is refreshed even if unchanged."""

REGISTRY_STEP = {"water_level": 0.05, "air_quality": 25.0, "manhole_tilt": 2.0, "noise": 5.0,
                 "parking": 5.0, "traffic_flow": 10.0}  # fmt: skip
"""A change of value (in the kind's unit) that is written to the registry at once."""
"""Latency samples kept for the percentiles (the newest)."""

_WINDOW_S = TREND_WINDOW.total_seconds()
_LOCAL_OFFSET_S = 8 * 3600  # Asia/Shanghai, no daylight saving
_SCHEMA = {
    name: (pl.String if t is Type.STRING else pl.Float64) for name, t in SENSOR_FIELDS.items()
}


class DeadLetterSink(Protocol):
    """Where refused messages go (``DeadLetterStore`` on the database)."""

    def add_many(self, letters: Sequence[DeadLetter]) -> int:
        """Store the letters; returns how many were stored."""
        ...


class RegistrySink(Protocol):
    """Where each sensor's latest reading goes (``SensorRegistry`` on the database)."""

    def upsert(self, states: Sequence[SensorState]) -> int:
        """Upsert the states; returns how many were written."""
        ...


@dataclass
class PipelineMetrics:
    """Counters and timings since the pipeline was built."""

    messages: int = 0
    readings: int = 0
    rejected: int = 0
    duplicates: int = 0
    alarms: int = 0
    suppressed: int = 0
    batches: int = 0
    sink_errors: int = 0
    dropped_alarms: int = 0
    batch_seconds: float = 0.0
    sink_seconds: float = 0.0
    last_batch_seconds: float = 0.0
    max_batch_seconds: float = 0.0
    reading_latency: deque[float] = field(default_factory=lambda: deque(maxlen=SAMPLES))
    alarm_latency: deque[float] = field(default_factory=lambda: deque(maxlen=SAMPLES))

    def snapshot(self) -> dict[str, float]:
        """The counters and latency percentiles (seconds) as a flat mapping."""
        out: dict[str, float] = {
            name: float(getattr(self, name))
            for name in ("messages", "readings", "rejected", "duplicates", "alarms", "suppressed",
                         "batches", "sink_errors", "dropped_alarms", "batch_seconds",
                         "sink_seconds", "last_batch_seconds", "max_batch_seconds")
        }  # fmt: skip
        for name, samples in (("reading", self.reading_latency), ("alarm", self.alarm_latency)):
            for q in (50, 99):
                out[f"{name}_p{q}_s"] = percentile(samples, q)
        return out


def percentile(samples: Sequence[float] | deque[float], q: float) -> float:
    """The ``q``-th percentile (nearest rank) of ``samples``; 0 when there are none."""
    if not samples:
        return 0.0
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[rank]


class _Track:
    """One sensor's state: previous readings ``(epoch s, value)`` and active rules."""

    __slots__ = ("active", "history", "last", "written_at", "written_value")

    def __init__(self) -> None:
        self.history: list[tuple[float, float]] = []
        self.last = float("-inf")
        self.active: dict[int, float] | None = None  # rule index → when it last fired
        self.written_at = float("-inf")  # read_at of the state last sent to the registry
        self.written_value = 0.0


class SensorPipeline:
    """Readings in, alarms out: see the module's description of a flush."""

    def __init__(
        self,
        sink: AlarmSink,
        dead_letters: DeadLetterSink,
        rules: SensorRules,
        *,
        registry: RegistrySink | None = None,
        registry_interval: float = 5.0,
        grid_of: Callable[[float, float], str | None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.sink = sink
        self.dead_letters = dead_letters
        self.rules = rules
        self.registry = registry
        self.registry_interval = registry_interval
        self.grid_of = grid_of
        self.clock = clock
        self.metrics = PipelineMetrics()
        self._compiled = [rule.compiled for rule in rules.rules]
        self._repeat_s = rules.repeat.total_seconds()
        self._buffer: list[tuple[str, bytes, dt.datetime]] = []
        self._tracks: dict[str, _Track] = {}
        self._retry: list[SensorAlarm] = []
        self._latest: dict[str, SensorState] = {}
        self._grids: dict[str, str | None] = {}
        self._registry_due = clock() + registry_interval

    def __len__(self) -> int:
        """Messages buffered and not yet flushed."""
        return len(self._buffer)

    @property
    def sensors(self) -> int:
        """Sensors the pipeline keeps a trend for."""
        return len(self._tracks)

    def feed(self, topic: str, payload: bytes, received_at: dt.datetime | None = None) -> None:
        """Buffer one raw message (validated at the next flush)."""
        self._buffer.append((topic, payload, received_at or dt.datetime.now(dt.UTC)))

    def flush(self) -> list[SensorAlarm]:
        """Process the buffer; returns the alarms handed to the sink."""
        started = time.perf_counter()
        batch, self._buffer = self._buffer, []
        readings, letters = self._validate(batch)
        readings, rows = self._trend(readings)
        alarms = self._alarms(readings, self._evaluate(rows)) if readings else []
        filed = self._file(alarms)
        self._store_letters(letters)
        self._remember(readings)
        self._record(readings, started)
        return filed

    def close(self) -> None:
        """Flush what is buffered and write the registry's pending states."""
        self.flush()
        self._write_registry(force=True)

    # --- the steps of a flush ---

    def _validate(
        self, batch: list[tuple[str, bytes, dt.datetime]]
    ) -> tuple[list[Reading], list[DeadLetter]]:
        readings: list[Reading] = []
        letters: list[DeadLetter] = []
        for topic, payload, received_at in batch:
            parsed = parse(topic, payload, received_at)
            if isinstance(parsed, Rejected):
                letters.append(_letter(parsed))
            else:
                readings.append(parsed)
        self.metrics.messages += len(batch)
        self.metrics.rejected += len(letters)
        return readings, letters

    def _trend(self, readings: list[Reading]) -> tuple[list[Reading], dict[str, list[object]]]:
        """The readings kept (duplicates dropped) and the rule frame's columns."""
        kept: list[Reading] = []
        rows: dict[str, list[object]] = {name: [] for name in SENSOR_FIELDS}
        for reading in readings:
            track = self._tracks.get(reading.sensor_id)
            if track is None:
                track = self._tracks[reading.sensor_id] = _Track()
            at = reading.read_at.timestamp()
            if at <= track.last:
                self.metrics.duplicates += 1
                continue
            _append_row(rows, reading, at, track)
            kept.append(reading)
        return kept, rows

    def _evaluate(self, rows: dict[str, list[object]]) -> list[int]:
        frame = pl.DataFrame(rows, schema=_SCHEMA)
        table = rule_set_batch(self._compiled, frame.to_arrow())
        masks = [table.column(name).to_pylist() for name in table.column_names]
        if len(masks) == 1:
            return [int(m or 0) for m in masks[0]]
        width = 63  # MASK_BITS: rules per mask column
        return [
            sum(int(m or 0) << (k * width) for k, m in enumerate(row))
            for row in zip(*masks, strict=True)
        ]

    def _alarms(self, readings: list[Reading], masks: list[int]) -> list[SensorAlarm]:
        alarms: list[SensorAlarm] = []
        for reading, mask in zip(readings, masks, strict=True):
            track = self._tracks[reading.sensor_id]
            if mask == 0 and track.active is None:
                continue
            at = reading.read_at.timestamp()
            for index in self._debounced(track, mask, at):
                alarms.append(_alarm(reading, self.rules.rules[index]))
        return alarms

    def _debounced(self, track: _Track, mask: int, at: float) -> list[int]:
        """The rule indexes of ``mask`` that fire now; updates the sensor's active rules."""
        active = track.active or {}
        for index in [i for i in active if not mask >> i & 1]:
            del active[index]  # false again: the next crossing fires at once
        firing: list[int] = []
        index = 0
        while mask:
            if mask & 1:
                last = active.get(index)
                if last is None or at - last >= self._repeat_s:
                    active[index] = at
                    firing.append(index)
                else:
                    self.metrics.suppressed += 1
            mask >>= 1
            index += 1
        track.active = active or None
        return firing

    def _file(self, alarms: list[SensorAlarm]) -> list[SensorAlarm]:
        pending = self._retry + alarms
        if not pending:
            return []
        started = time.perf_counter()
        try:
            self.sink(pending)
        except Exception:
            log.exception(
                "the alarm sink failed; %d alarm(s) kept for the next flush", len(pending)
            )
            self.metrics.sink_errors += 1
            self._keep_for_retry(pending)
            return []
        finally:
            self.metrics.sink_seconds += time.perf_counter() - started
        self._retry = []
        now = self.clock()
        self.metrics.alarms += len(pending)
        self.metrics.alarm_latency.extend(now - a.read_at.timestamp() for a in pending)
        return pending

    def _keep_for_retry(self, pending: list[SensorAlarm]) -> None:
        overflow = len(pending) - RETRY_LIMIT
        if overflow > 0:
            self.metrics.dropped_alarms += overflow
            pending = pending[overflow:]
        self._retry = pending

    def _store_letters(self, letters: list[DeadLetter]) -> None:
        if not letters:
            return
        try:
            self.dead_letters.add_many(letters)
        except Exception:
            log.exception("the dead-letter store failed; %d letter(s) lost", len(letters))

    def _remember(self, readings: list[Reading]) -> None:
        """Queue registry writes: a new sensor, a value that moved by its kind's step, or a
        row not refreshed for :data:`REGISTRY_REFRESH` seconds (the map's markers and
        "last seen" stay current without rewriting 200,000 rows a minute)."""
        if self.registry is None:
            return
        for reading in readings:
            track = self._tracks[reading.sensor_id]
            at = reading.read_at.timestamp()
            moved = abs(reading.value - track.written_value) >= REGISTRY_STEP[reading.kind]
            if moved or at - track.written_at >= REGISTRY_REFRESH:
                track.written_at, track.written_value = at, reading.value
                self._latest[reading.sensor_id] = self._state(reading)
        self._write_registry(force=False)

    def _state(self, reading: Reading) -> SensorState:
        grid = None
        if self.grid_of is not None:
            if reading.sensor_id not in self._grids:
                self._grids[reading.sensor_id] = self.grid_of(reading.lat, reading.lon)
            grid = self._grids[reading.sensor_id]
        return SensorState(reading.sensor_id, reading.kind, reading.lat, reading.lon,
                           reading.unit, reading.value, reading.read_at, reading.battery,
                           grid)  # fmt: skip

    def _write_registry(self, *, force: bool) -> None:
        if self.registry is None or not self._latest:
            return
        if not force and self.clock() < self._registry_due:
            return
        states, self._latest = list(self._latest.values()), {}
        self._registry_due = self.clock() + self.registry_interval
        try:
            self.registry.upsert(states)
        except Exception:
            log.exception("the sensor registry failed; %d state(s) not written", len(states))

    def _record(self, readings: list[Reading], started: float) -> None:
        elapsed = time.perf_counter() - started
        metrics = self.metrics
        metrics.batches += 1
        metrics.readings += len(readings)
        metrics.batch_seconds += elapsed
        metrics.last_batch_seconds = elapsed
        metrics.max_batch_seconds = max(metrics.max_batch_seconds, elapsed)
        now = self.clock()
        metrics.reading_latency.extend(now - r.read_at.timestamp() for r in readings)


def _append_row(rows: dict[str, list[object]], reading: Reading, at: float, track: _Track) -> None:
    """Add the reading's rule fields to ``rows`` and the reading to the sensor's history."""
    history = [(t, v) for t, v in track.history if at - t <= _WINDOW_S]
    values = [v for _, v in history]
    rows["kind"].append(reading.kind)
    rows["value"].append(reading.value)
    rows["hour"].append(float((int(at) + _LOCAL_OFFSET_S) // 3600 % 24))
    rows["battery"].append(reading.battery)
    rows["readings_10m"].append(float(len(values)))
    if values:
        span_h = (at - history[0][0]) / 3600
        delta = reading.value - values[0]
        rows["mean_10m"].append(sum(values) / len(values))
        rows["min_10m"].append(min(values))
        rows["max_10m"].append(max(values))
        rows["delta_10m"].append(delta)
        rows["rise_rate_per_h"].append(delta / span_h if span_h > 0 else None)
    else:
        for name in ("mean_10m", "min_10m", "max_10m", "delta_10m", "rise_rate_per_h"):
            rows[name].append(None)
    history.append((at, reading.value))
    track.history = history[-HISTORY:]
    track.last = at


def _alarm(reading: Reading, rule: SensorRule) -> SensorAlarm:
    return SensorAlarm(
        sensor_id=reading.sensor_id,
        kind=reading.kind,
        rule_id=rule.id,
        rule_name=rule.name_zh,
        category=rule.category,
        value=reading.value,
        lat=reading.lat,
        lon=reading.lon,
        read_at=reading.read_at,
        received_at=reading.received_at,
        severity=rule.severity,
        detail=f"{rule.name_en}: {reading.value:g} {reading.unit}",
    )


def _letter(rejected: Rejected) -> DeadLetter:
    return DeadLetter(
        topic=rejected.topic,
        payload=rejected.raw,
        reason=rejected.reason,
        field=rejected.field,
        received_at=rejected.received_at,
    )
