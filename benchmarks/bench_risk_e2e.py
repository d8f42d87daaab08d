"""End-to-end online assessment sections of ``bench_risk.py``: ``end_to_end``, ``http``, ``nats``.

One simulated zone (the demo's 2,000 enterprises × 365 days by default) is loaded once per run
into a platform on the embedded defaults (SQLite, in-process bus) in a temporary data
directory. The events are declaration lines of the zone's last month (``replay_lines``),
renumbered and dated the day after the lake's last day, so their windowed features see a
year of history. Every path starts from the same warmed feature history (a copy of it), so
the same events must get the same outcome and score in process, over HTTP and through NATS:
any difference, and any event not stored exactly once, is a mismatch.

The sections import nothing from ``bench_risk.py``: they get its context (``Ctx``) and its
row constructor, and return rows.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import dataclasses
import datetime as dt
import gc
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice, pairwise
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import urlparse

from sqlalchemy import JSON, Column, Integer, MetaData, String, Table, delete, func, select
from sqlalchemy.engine import make_url

from lingang.bootstrap import Platform, bootstrap
from lingang.config import Settings
from lingang.demo import DEMO_SEED, DEMO_START
from lingang.risk.assessments.store import AssessmentRow
from lingang.risk.features import aggregate
from lingang.risk.features.provider import LakeFeatures
from lingang.risk.features.state import InProcessState
from lingang.risk.replay import renumbered, replay_lines
from lingang.simulate import Target, ZoneParams, plan_zone, run_simulation
from lingang.types import SYSTEM, Role

DATASET = "declarations"
BATCH = 100
R = TypeVar("R")
Verdicts = dict[str, tuple[str, float]]  # record_key → (outcome, score)


class Ctx(Protocol):
    """What the sections need of ``bench_risk.Bench``."""

    args: argparse.Namespace
    cache: dict[str, Any]
    closers: list[Callable[[], None]]


#: ``bench_risk.Row``'s constructor: (section, engine, n, seconds, unit, baseline=,
#: mismatches=, p50_us=, p99_us=, note=)
RowFactory = Callable[..., R]


# ---------------------------------------------------------------- the zone, once per run


@dataclass
class Zone:
    """The simulated zone, its platform on the embedded defaults, the events to assess."""

    root: Path
    settings: Settings
    platform: Platform
    records: list[dict[str, Any]]
    day: dt.date
    simulate_s: float
    warm_s: float
    warmed_rows: int
    history: LakeFeatures  # warmed once; every path assesses over a copy of it
    reference: Verdicts | None = None
    closers: list[Callable[[], None]] = field(default_factory=list)

    def fresh_features(self, platform: Platform) -> float:
        """Give ``platform`` a copy of the warmed history; returns the seconds it took."""
        started = time.perf_counter()
        platform.assessments.features = copy_features(self.history)
        return time.perf_counter() - started

    def close(self) -> None:
        """Close every platform, drop scratch databases and streams, remove the data dir."""
        for closer in reversed(self.closers):
            try:
                closer()
            except Exception as exc:  # a cleanup failure must not hide the results
                print(f"cleanup: {type(exc).__name__}: {exc}")
        self.platform.close()
        shutil.rmtree(self.root, ignore_errors=True)


def zone(ctx: Ctx) -> Zone:
    """The run's zone (simulated, loaded and warmed on first use)."""
    found = ctx.cache.get("zone")
    if found is None:
        found = ctx.cache["zone"] = build_zone(ctx.args)
        ctx.closers.append(found.close)
    assert isinstance(found, Zone)
    return found


def build_zone(args: argparse.Namespace) -> Zone:
    """Simulate the zone into a fresh data dir, pick the events, warm the feature history."""
    hs = Settings().hs_nomenclature.resolve()
    if not hs.is_file():
        raise SystemExit(f"the HS nomenclature {hs} is missing (it is read from ../shared)")
    root = Path(tempfile.mkdtemp(prefix="lingang-bench-"))
    settings = Settings(data_dir=root, hs_nomenclature=hs, database_url=None, bus="inprocess",
                        redis_url=None, console=False)  # fmt: skip
    platform = bootstrap(settings)
    started = time.perf_counter()
    params = ZoneParams(enterprises=args.zone_enterprises, days=args.zone_days,
                        start=DEMO_START, seed=DEMO_SEED)  # fmt: skip
    run_simulation(plan_zone(params, hs), target=Target(platform.entities, platform.lake, root,
                                                        SYSTEM))  # fmt: skip
    platform.rulesets.ensure_shipped()
    simulate_s = time.perf_counter() - started
    lines = replay_lines(platform.lake.store)
    day = max(line["declared_on"] for line in lines) + dt.timedelta(days=1)
    records = [_plain(line) for line in islice(renumbered(lines, day), args.e2e)]
    features = platform.assessments.features
    assert isinstance(features, LakeFeatures)
    started = time.perf_counter()
    features.compute(DATASET, records[0])  # the first compute loads the history from the lake
    warm_s = time.perf_counter() - started
    history = copy_features(features)
    print(f"zone: {args.zone_enterprises:,} enterprises × {args.zone_days} days simulated and "
          f"loaded in {simulate_s:.1f}s; history warm-up {warm_s:.1f}s "
          f"({features.warmed_rows:,} lake rows); {len(records):,} events dated {day}")  # fmt: skip
    return Zone(root, settings, platform, records, day, simulate_s, warm_s,
                features.warmed_rows, history)  # fmt: skip


def _plain(line: Mapping[str, Any]) -> dict[str, Any]:
    """A lake line as JSON would carry it (dates as ISO strings), the same on every path."""
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in line.items()}


def _bucket_copier(cls: type[Any]) -> Callable[[Any], Any]:
    names = tuple(f.name for f in dataclasses.fields(cls))
    return lambda bucket: cls(*[_copied(getattr(bucket, n)) for n in names])


#: the per-day buckets of the feature state, copied field by field: ``copy.deepcopy`` (or
#: pickle) of a slotted dataclass goes through ``__reduce_ex__`` and is ~10× slower, which
#: matters for the ~1.4 million buckets of the demo zone's year
_BUCKETS: dict[type[Any], Callable[[Any], Any]] = {
    cls: _bucket_copier(cls) for cls in set(aggregate.BUCKETS.values())
}


def _copied(value: Any) -> Any:
    """A copy of the containers and buckets in ``value``; anything else (numbers, strings,
    tuples of them, features, compiled plans) is immutable here and shared."""
    kind = type(value)
    if kind is dict:
        return {k: _copied(v) for k, v in value.items()}
    if kind is set:
        return set(value)
    if kind is list:
        return [_copied(v) for v in value]
    copier = _BUCKETS.get(kind)
    return value if copier is None else copier(value)


def copy_features(warmed: LakeFeatures) -> LakeFeatures:
    """An independent copy of a warmed provider: its state's buckets and its caches are
    copied, the catalog, the lake and the compiled plans shared. Only the in-process state
    (the embedded default) can be copied."""
    if not isinstance(warmed.online.state, InProcessState):
        raise SystemExit("the end-to-end sections need the in-process feature state")
    collecting = gc.isenabled()
    gc.disable()  # a million new objects would trigger full collections over the heap
    try:
        fresh = copy.copy(warmed)
        online = copy.copy(warmed.online)
        fresh._online = online  # the copy's own online features (built: warmed already was)
        for name, value in vars(warmed.online).items():
            setattr(online, name, _copied(value))
        state = online.state = copy.copy(warmed.online.state)
        for name, value in vars(warmed.online.state).items():
            setattr(state, name, _copied(value))
    finally:
        if collecting:
            gc.enable()
    return fresh


# ---------------------------------------------------------------- measuring helpers


def percentiles(seconds: Sequence[float]) -> tuple[float | None, float | None]:
    """p50 and p99 in µs."""
    if not seconds:
        return None, None
    ordered = sorted(seconds)
    p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)]
    return ordered[len(ordered) // 2] * 1e6, p99 * 1e6


def batches(records: Sequence[dict[str, Any]], size: int = BATCH) -> Iterator[list[Any]]:
    """``records`` in slices of ``size``."""
    for start in range(0, len(records), size):
        yield list(records[start : start + size])


def key_of(record: Mapping[str, Any]) -> str:
    """The record key the platform gives a declaration line."""
    return f"{record['declaration_id']}/{record['item_no']}"


def compare(got: Verdicts, want: Verdicts | None) -> int:
    """Keys of ``got`` whose outcome or score differs from ``want`` (or that it lacks)."""
    if want is None:
        return 0
    bad = 0
    for key, (outcome, score) in got.items():
        other = want.get(key)
        if other is None or other[0] != outcome or abs(other[1] - score) > 1e-9:
            bad += 1
    return bad


def stored(platform: Platform, source: str) -> tuple[int, int]:
    """(rows, distinct record keys) in risk_assessments from ``source``."""
    with platform.uow.read() as session:
        rows, keys = session.execute(
            select(func.count(), func.count(AssessmentRow.record_key.distinct())).where(
                AssessmentRow.source == source
            )
        ).one()
    return int(rows), int(keys)


def once_each(platform: Platform, source: str, expected: int) -> int:
    """How far the rows of ``source`` are from ``expected`` events stored exactly once."""
    rows, keys = stored(platform, source)
    return abs(rows - expected) + abs(keys - expected)


def reference(z: Zone) -> Verdicts:
    """The in-process ``assess_many`` verdicts of every event (computed here if no section
    did yet); the other paths must agree with them."""
    if z.reference is None:
        z.fresh_features(z.platform)
        verdicts: Verdicts = {}
        for batch in batches(z.records):
            for a in z.platform.assessments.assess_many(DATASET, batch, actor=SYSTEM,
                                                        source="bench-ref"):  # fmt: skip
                verdicts[a.record_key] = (a.outcome.value, a.score)
        z.reference = verdicts
    return z.reference


# ---------------------------------------------------------------- end_to_end (in process)


def bench_end_to_end(ctx: Ctx, row: RowFactory[R]) -> list[R]:
    """Raw storage vs ``assess_many`` vs ``assess``: embedded, and on PostgreSQL with --pg."""
    z = zone(ctx)
    rows = _in_process(ctx, z, z.platform, "end_to_end, embedded (SQLite, in-process bus)", row)
    if ctx.args.pg:
        pg = pg_platform(ctx, z)
        rows += _in_process(ctx, z, pg, "end_to_end, PostgreSQL (in-process bus)", row)
    return rows


def _in_process(ctx: Ctx, z: Zone, platform: Platform, section: str, row: RowFactory[R]
                ) -> list[R]:  # fmt: skip
    n, records = len(z.records), z.records
    base_s, base_lat, base_bad = _store_raw(platform, records)
    rows = [row(section, "baseline: raw JSON insert, no scoring", n, base_s, "events/s",
                baseline=True, mismatches=base_bad, p50_us=base_lat[0], p99_us=base_lat[1],
                note=f"SQLAlchemy executemany, 1 tx per {BATCH}; p50/p99 per batch")]  # fmt: skip

    copy_s = z.fresh_features(platform)
    platform.assessments.warm()
    verdicts: Verdicts = {}
    latencies: list[float] = []
    alerts = 0
    started = time.perf_counter()
    for batch in batches(records):
        t0 = time.perf_counter()
        done = platform.assessments.assess_many(DATASET, batch, actor=SYSTEM,
                                                source="bench-many")  # fmt: skip
        latencies.append(time.perf_counter() - t0)
        for a in done:
            verdicts[a.record_key] = (a.outcome.value, a.score)
            alerts += a.outcome.value != "pass"
    seconds = time.perf_counter() - started
    if platform is z.platform and z.reference is None:
        z.reference = dict(verdicts)
    bad = compare(verdicts, reference(z)) + once_each(platform, "bench-many", n)
    p50, p99 = percentiles(latencies)
    note = (f"features+rules+storage+outbox+alerts ({alerts:,} alerts); p50/p99 per batch; "
            f"history warm-up {z.warm_s:.1f}s ({z.warmed_rows:,} lake rows), "
            f"copied per path in {copy_s:.1f}s")  # fmt: skip
    rows.append(row(section, f"ours: assess_many, batches of {BATCH}", n, seconds, "events/s",
                    mismatches=bad, p50_us=p50, p99_us=p99, note=note))  # fmt: skip

    sample = records[: min(n, ctx.args.e2e_sample)]
    z.fresh_features(platform)
    platform.assessments.warm()
    one: Verdicts = {}
    latencies = []
    started = time.perf_counter()
    for record in sample:
        t0 = time.perf_counter()
        a = platform.assessments.assess(DATASET, record, actor=SYSTEM, source="bench-one")
        latencies.append(time.perf_counter() - t0)
        one[a.record_key] = (a.outcome.value, a.score)
    seconds = time.perf_counter() - started
    bad = compare(one, reference(z)) + once_each(platform, "bench-one", len(sample))
    p50, p99 = percentiles(latencies)
    rows.append(row(section, "ours: assess, one at a time", len(sample), seconds, "events/s",
                    mismatches=bad, p50_us=p50, p99_us=p99,
                    note="the first events, 1 tx each; p50/p99 per call"))  # fmt: skip
    return rows


def _store_raw(platform: Platform, records: Sequence[dict[str, Any]]
               ) -> tuple[float, tuple[float | None, float | None], int]:  # fmt: skip
    """Insert the raw records into a scratch table; (seconds, p50/p99 per batch, bad count)."""
    table = Table(f"bench_raw_{uuid.uuid4().hex[:8]}", MetaData(),
                  Column("id", Integer, primary_key=True, autoincrement=True),
                  Column("record_key", String(80), nullable=False),
                  Column("record", JSON, nullable=False))  # fmt: skip
    engine = platform.database.engine
    table.create(engine)
    try:
        latencies = []
        started = time.perf_counter()
        for batch in batches(records):
            t0 = time.perf_counter()
            values = [{"record_key": key_of(r), "record": r} for r in batch]
            with engine.begin() as connection:
                connection.execute(table.insert(), values)
            latencies.append(time.perf_counter() - t0)
        seconds = time.perf_counter() - started
        with engine.connect() as connection:
            count = connection.execute(select(func.count()).select_from(table)).scalar_one()
    finally:
        table.drop(engine)
    return seconds, percentiles(latencies), abs(int(count) - len(records))


def pg_platform(ctx: Ctx, z: Zone) -> Platform:
    """A platform on a scratch PostgreSQL database over the same lake (dropped at the end)."""
    found = ctx.cache.get("pg")
    if isinstance(found, Platform):
        return found
    import psycopg

    admin = make_url(ctx.args.pg_url)
    name = f"lingang_bench_{uuid.uuid4().hex[:10]}"
    dsn = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    z.closers.append(drop)
    url = admin.set(drivername="postgresql+psycopg", database=name)
    settings = z.settings.model_copy(
        update={"database_url": url.render_as_string(hide_password=False)}
    )
    platform = bootstrap(settings)
    z.closers.append(platform.close)
    platform.rulesets.ensure_shipped()
    ctx.cache["pg"] = platform
    return platform


# ---------------------------------------------------------------- http


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Server:
    """uvicorn serving an app on a background thread."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.port = free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                access_log=False, lifespan="off")  # fmt: skip
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="bench-uvicorn", daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def client_process(base: str, token: str, records: Sequence[dict[str, Any]], detail: str
                   ) -> tuple[float, list[float], Verdicts]:  # fmt: skip
    """Run benchmarks/http_client.py on ``records`` in batches; (seconds, latencies, verdicts)."""
    job = {"base": base, "token": token, "dataset": DATASET, "detail": detail,
           "batches": list(batches(records))}  # fmt: skip
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "http_client.py")
    done = subprocess.run([sys.executable, script], input=json.dumps(job, default=str),
                          capture_output=True, text=True, check=True)  # fmt: skip
    out = json.loads(done.stdout)
    got = {key: (outcome, score) for key, (outcome, score) in out["verdicts"].items()}
    return float(out["seconds"]), list(out["latencies"]), got


def clear(platform: Platform, source: str) -> None:
    """Delete the stored assessments of ``source`` (between runs of the same events)."""
    with platform.database.sessions() as session, session.begin():
        session.execute(delete(AssessmentRow).where(AssessmentRow.source == source))


def bench_http(ctx: Ctx, row: RowFactory[R]) -> list[R]:
    """POST /api/assessments over a real socket (uvicorn + httpx), batches and single records;
    baseline: GET /healthz round trips."""
    import httpx

    from lingang.api.app import create_app

    z = zone(ctx)
    platform, n, section = z.platform, len(z.records), "http, POST /api/assessments (uvicorn)"
    username, password = f"bench-{secrets.token_hex(4)}", f"Bench-{secrets.token_urlsafe(16)}"
    platform.auth.create_user(username, password, Role.RISK_OFFICER, actor=SYSTEM)
    want = reference(z)
    sample = z.records[: min(n, ctx.args.e2e_sample)]
    rows = []
    with (
        Server(create_app(platform, console=False)) as base,
        httpx.Client(base_url=base, timeout=120) as client,
    ):
        answer = client.post("/api/auth/token", json={"username": username,
                                                       "password": password})  # fmt: skip
        answer.raise_for_status()
        client.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"

        pings = len(sample)
        latencies = []
        started = time.perf_counter()
        for _ in range(pings):
            t0 = time.perf_counter()
            client.get("/healthz").raise_for_status()
            latencies.append(time.perf_counter() - t0)
        seconds = time.perf_counter() - started
        p50, p99 = percentiles(latencies)
        rows.append(row(section, "baseline: GET /healthz round trip", pings, seconds,
                        "requests/s", baseline=True, mismatches=0, p50_us=p50, p99_us=p99,
                        note="keep-alive connection, one at a time"))  # fmt: skip

        token = str(client.headers["Authorization"]).removeprefix("Bearer ")
        for detail in ("full", "summary"):
            clear(platform, "api")
            z.fresh_features(platform)
            platform.assessments.warm()
            seconds, latencies, got = client_process(base, token, z.records, detail)
            bad = compare(got, want) + abs(len(got) - n) + once_each(platform, "api", n)
            p50, p99 = percentiles(latencies)
            rows.append(row(section, f"ours: POST batches of {BATCH}, detail={detail}", n,
                            seconds, "events/s", mismatches=bad, p50_us=p50, p99_us=p99,
                            note="client in its own process; p50/p99 per request"))  # fmt: skip
        clear(platform, "api")

        rows_before, _ = stored(platform, "api")
        z.fresh_features(platform)
        platform.assessments.warm()
        got = {}
        latencies = []
        started = time.perf_counter()
        for record in sample:
            t0 = time.perf_counter()
            answer = client.post("/api/assessments", json={"dataset": DATASET, "record": record})
            answer.raise_for_status()
            latencies.append(time.perf_counter() - t0)
            a = answer.json()["assessments"][0]
            got[a["record_key"]] = (a["outcome"], float(a["score"]))
        seconds = time.perf_counter() - started
        rows_after, _ = stored(platform, "api")
        bad = compare(got, want) + abs(len(got) - len(sample))
        bad += abs(rows_after - rows_before - len(sample))
        p50, p99 = percentiles(latencies)
        rows.append(row(section, "ours: POST one record at a time", len(sample), seconds,
                        "events/s", mismatches=bad, p50_us=p50, p99_us=p99,
                        note="the first events; p50/p99 per request"))  # fmt: skip
    return rows


# ---------------------------------------------------------------- nats


def nats_up(url: str) -> bool:
    """Whether the NATS server answers on its TCP port."""
    parsed = urlparse(url)
    try:
        socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 4222),
                                 timeout=1.0).close()  # fmt: skip
    except OSError:
        return False
    return True


def bench_nats(ctx: Ctx, row: RowFactory[R]) -> list[R]:
    """EventSubmitted through the outbox (``publish_many``) and NATS JetStream to an
    in-process risk worker: batched as ``lingang worker risk`` runs (``subscribe_batch`` →
    ``handle_many``), and, on the first events, the former one-event-per-transaction path."""
    if not nats_up(ctx.args.nats_url):
        print(f"nats: skipped — no NATS server at {ctx.args.nats_url}")
        return []
    z = zone(ctx)
    reference(z)
    n, section = len(z.records), "nats, outbox → JetStream → worker"
    seconds, lags, missing = _nats_noop(ctx, z)
    p50, p99 = percentiles(lags)
    rows = [row(section, "baseline: bus alone, no-op idempotent handler", n, seconds,
                "events/s", baseline=True, mismatches=missing, p50_us=p50, p99_us=p99,
                note="batched like ours (handle_many, 1 tx per batch); first publish → "
                "last handled; p50/p99 occurred_at → handled")]  # fmt: skip
    run = _nats_worker(ctx, z, z.records, batched=True)
    p50, p99 = percentiles(run.lags)
    rows.append(row(section, "ours: risk worker, batches (subscribe_batch → handle_many)", n,
                    run.seconds, "events/s", mismatches=run.bad, p50_us=p50, p99_us=p99,
                    note=f"rule set v{run.version}; {run.batches:,} batches, "
                    f"{run.mean_batch:.0f} events each on average; first publish → last "
                    "stored; p50/p99 occurred_at → assessed_at"))  # fmt: skip
    sample = z.records[: min(n, ctx.args.e2e_sample)]
    run = _nats_worker(ctx, z, sample, batched=False)
    p50, p99 = percentiles(run.lags)
    rows.append(row(section, "ours: risk worker, assess + store per event", len(sample),
                    run.seconds, "events/s", mismatches=run.bad, p50_us=p50, p99_us=p99,
                    note="the former path on the first events: subscribe → 1 tx and 1 relay "
                    "notify per event; p50/p99 occurred_at → assessed_at"))  # fmt: skip
    return rows


def _nats_noop(ctx: Ctx, z: Zone) -> tuple[float, list[float], int]:
    """The bus alone: a batch consumer whose idempotent handler writes only its ledger rows.
    Returns (seconds, occurred_at → handled lags, events not handled)."""
    from lingang.bus.events import Event
    from lingang.bus.relay import IdempotentConsumer
    from lingang.risk.assessments.events import EventSubmitted

    n = len(z.records)
    noop = nats_platform(ctx, z, "noop")
    lags: list[float] = []
    seen = threading.Event()
    consumer = IdempotentConsumer(noop.database, "bench-noop", lambda session, event: None,
                                  batch_handler=lambda session, events: None)  # fmt: skip
    noop_ids: set[uuid.UUID] = set()

    def handle_noop(events: Sequence[Event]) -> None:
        consumer.handle_many(events)
        now = dt.datetime.now(dt.UTC)
        for event in events:
            if event.event_id not in noop_ids:  # a redelivery is skipped by the ledger
                noop_ids.add(event.event_id)
                lags.append((now - event.occurred_at).total_seconds())
        if len(noop_ids) >= n:
            seen.set()

    noop.bus.subscribe_batch("bench-noop", [EventSubmitted], handle_noop)
    seconds, _ = _publish(noop, z.records, seen, EventSubmitted)
    return seconds, lags, abs(len(lags) - n)


@dataclass
class WorkerRun:
    """What one run of the risk worker through NATS gave."""

    seconds: float
    version: int
    bad: int
    lags: list[float]
    batches: int
    mean_batch: float


def _nats_worker(ctx: Ctx, z: Zone, records: Sequence[dict[str, Any]], *, batched: bool
                 ) -> WorkerRun:  # fmt: skip
    """Publish ``records`` through the outbox and NATS to the risk worker of cli/worker.py
    (``batched``) or to its former one-event handler; check every verdict against the
    in-process reference and that each event is stored exactly once."""
    from lingang.bus.events import Event
    from lingang.bus.relay import IdempotentConsumer
    from lingang.risk.assessments.events import EventSubmitted

    n = len(records)
    ours = nats_platform(ctx, z, "batch" if batched else "single")
    z.fresh_features(ours)
    version = ours.assessments.warm()
    service = ours.assessments
    worker = IdempotentConsumer(ours.database, "risk-worker", service.handle_submitted,
                                batch_handler=service.handle_submitted_many)  # fmt: skip
    handled: set[str] = set()  # record keys handled (a redelivery is skipped by the ledger)
    order: list[str] = []  # record keys in the order the worker took them
    sizes: list[int] = []
    failed: list[str] = []
    all_done = threading.Event()

    def handle_many(events: Sequence[Event]) -> None:
        keys = [key_of(e.record) for e in events if isinstance(e, EventSubmitted)]
        order.extend(keys)
        try:
            if batched:
                worker.handle_many(events)
            else:
                worker(events[0])
        except Exception as exc:
            failed.append(f"{type(exc).__name__}: {exc}"[:200])
            raise
        sizes.append(len(events))
        handled.update(keys)
        if len(handled) >= n:
            all_done.set()
        ours.relay.notify()

    if batched:
        ours.bus.subscribe_batch("risk-worker", [EventSubmitted], handle_many)
    else:
        ours.bus.subscribe("risk-worker", [EventSubmitted], lambda event: handle_many([event]))
    seconds, occurred = _publish(ours, records, all_done, EventSubmitted)
    got, lags = _stored_verdicts(ours, occurred)
    want = reference(z)
    differ, not_once = compare(got, want), abs(len(got) - n) + once_each(ours, "bus", n)
    if differ + not_once:
        _explain(z, got, want, differ, not_once, failed, order)
    mean = sum(sizes) / len(sizes) if sizes else 0.0
    return WorkerRun(seconds, version, differ + not_once, lags, len(sizes), mean)


def _stored_verdicts(platform: Platform, occurred: Mapping[str, dt.datetime]
                     ) -> tuple[Verdicts, list[float]]:  # fmt: skip
    """The verdicts the worker stored, and each one's occurred_at → assessed_at lag."""
    with platform.uow.read() as session:
        found = session.execute(
            select(AssessmentRow.record_key, AssessmentRow.outcome, AssessmentRow.score,
                   AssessmentRow.assessed_at).where(AssessmentRow.source == "bus")
        ).all()  # fmt: skip
    got: Verdicts = {key: (outcome, score) for key, outcome, score, _ in found}
    lags = [(at - occurred[key]).total_seconds() for key, _, _, at in found if key in occurred]
    return got, lags


def _explain(z: Zone, got: Verdicts, want: Verdicts, differ: int, not_once: int,
             failed: Sequence[str], order: Sequence[str]) -> None:  # fmt: skip
    """Print why a run of the worker had mismatches."""
    position = {key_of(r): i for i, r in enumerate(z.records)}
    taken = [position[k] for k in order]
    late = sum(1 for a, b in pairwise(taken) if b < a)
    print(
        f"nats: {differ} verdicts differ, {not_once} not stored exactly once; "
        f"{len(failed)} handler failures {list(failed[:3])}; {late} taken out of order"
    )
    for key, verdict in got.items():
        if compare({key: verdict}, want):
            print(f"  {key} (event #{position.get(key)}): bus {verdict}, "
                  f"in process {want.get(key)}")  # fmt: skip


def nats_platform(ctx: Ctx, z: Zone, tag: str) -> Platform:
    """A platform on NATS (its own stream, subject prefix and SQLite file; all removed at the
    end) over the zone's lake."""
    unique = uuid.uuid4().hex[:10]
    stream, prefix = f"B{unique}{tag.upper()}", f"b{unique}{tag}"
    settings = z.settings.model_copy(update={
        "bus": "nats", "nats_url": ctx.args.nats_url, "nats_stream": stream,
        "nats_subject_prefix": prefix,
        "database_url": f"sqlite:///{(z.root / f'nats-{tag}.db').resolve()}",
    })  # fmt: skip
    z.closers.append(lambda: delete_stream(ctx.args.nats_url, stream))
    platform = bootstrap(settings)
    z.closers.append(platform.close)
    platform.rulesets.ensure_shipped()
    return platform


def _publish(platform: Platform, records: Sequence[dict[str, Any]], done: threading.Event,
             kind: Any) -> tuple[float, dict[str, dt.datetime]]:  # fmt: skip
    """Emit one ``kind`` event per record through the outbox, {BATCH} per transaction; wait
    until ``done`` (at most 60 s + 50 ms an event: what is not handled by then shows up as
    mismatches). Returns (seconds from the first emit, occurred_at by record key)."""
    occurred: dict[str, dt.datetime] = {}
    limit = 60.0 + len(records) * 0.05
    started = time.perf_counter()
    for batch in batches(records):
        with platform.uow() as uow:
            for record in batch:
                event = kind(dataset=DATASET, record=record)
                occurred[key_of(record)] = event.occurred_at
                uow.emit(event)
            uow.commit()
    if not done.wait(limit):
        print(f"nats: the worker did not finish {len(records):,} events in {limit:.0f}s")
    return time.perf_counter() - started, occurred


def delete_stream(url: str, stream: str) -> None:
    """Delete a JetStream stream (the run's scratch stream)."""
    import nats

    async def delete() -> None:
        client = await nats.connect(url, connect_timeout=2, max_reconnect_attempts=0)
        try:
            await client.jetstream().delete_stream(stream)
        finally:
            await client.close()

    asyncio.run(delete())


#: the sections, registered by ``bench_risk.SECTIONS``
SECTIONS: dict[str, Callable[[Ctx, RowFactory[Any]], list[Any]]] = {
    "end_to_end": bench_end_to_end,
    "http": bench_http,
    "nats": bench_nats,
}
