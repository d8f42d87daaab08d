"""Sensor intake, end to end: MQTT (Mosquitto) → validation → rules → city events stored.

Issue #9 item 7: one node handles 200,000 sensors reporting once a minute, about 3,300
readings a second, with headroom. Two processes (no shared GIL):

- the **publisher** stamps each reading's ``read_at`` when it publishes it and sends
  ``--sensors`` distinct sensors' readings round-robin at ``--rate`` messages a second (0: as
  fast as it can) for ``--seconds``; ``--alarm-share`` of the sensors read above a threshold
  (water depth 0.42 m, the ``WL-CRIT`` rule), so their first reading files a city event;
- the **subscriber** is the production path: ``MqttIntake`` → ``SensorPipeline`` (the
  registry and dead letters on the database) → ``platform.city.file_sensor_alarms``, which
  stores the events in the platform's database (SQLite by default, ``--database-url`` for
  PostgreSQL).

Reported: readings consumed end to end per second, sustained (first message received to the
last batch stored), its ratio to the 3,300/s target; the latency from ``read_at`` to the event
stored (p50/p99 of the alarms), and from ``read_at`` to the reading's batch done (all
readings); events in the database; messages lost between publisher and subscriber.

    python benchmarks/bench_sensors.py --rate 5000 --seconds 60
    python benchmarks/bench_sensors.py --rate 0 --seconds 60
    python benchmarks/bench_sensors.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/lingang_bench
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import multiprocessing as mp
import multiprocessing.synchronize as mps
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET = 200_000 / 60  # readings a second: 200,000 sensors once a minute
KINDS = ("water_level", "manhole_tilt", "traffic_flow", "air_quality", "noise", "parking")
NORMAL = {"water_level": 0.01, "manhole_tilt": 1.0, "traffic_flow": 20.0, "air_quality": 35.0,
          "noise": 48.0, "parking": 50.0}  # fmt: skip
UNITS = {"water_level": "m", "manhole_tilt": "deg", "traffic_flow": "veh/min",
         "air_quality": "ug/m3", "noise": "dB(A)", "parking": "%"}  # fmt: skip


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run one measurement and print it (JSON with ``--json``)."""
    args = _parser().parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-sensors-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        if url.startswith("postgresql"):
            _fresh_postgres(url)
        result = _run(args, tmp, url)
    _print(result, args.json)
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=int, default=5000, help="messages/s (0: unthrottled)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to publish")
    parser.add_argument("--sensors", type=int, default=200_000, help="distinct sensors")
    parser.add_argument("--alarm-share", type=float, default=0.02, help="sensors in alarm")
    parser.add_argument("--qos", type=int, default=0, choices=(0, 1), help="publish QoS")
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temp dir")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1883)
    parser.add_argument("--flush-ms", type=int, default=100, help="intake batch interval")
    parser.add_argument(
        "--same-process",
        action="store_true",
        help="paho in the pipeline's process (default: a child receiver)",
    )
    parser.add_argument(
        "--no-warmup",
        action="store_true",
        help="measure from cold (every sensor new: registry inserts)",
    )
    parser.add_argument(
        "--warmup-rate",
        type=int,
        default=5000,
        help="messages/s of the warm-up (each sensor once, not measured)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    return parser


def _run(args: argparse.Namespace, tmp: str, url: str) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    ready, published, warm_sent, warmed = ctx.Event(), ctx.Event(), ctx.Event(), ctx.Event()
    results: mp.Queue[dict[str, Any]] = ctx.Queue()
    sent = ctx.Value("q", 0)
    config = {"tmp": tmp, "url": url, "host": args.host, "port": args.port,
              "qos": args.qos, "flush_ms": args.flush_ms,
              "process": not args.same_process, "warmup": not args.no_warmup,
              "sensors": args.sensors}  # fmt: skip
    events = (ready, published, sent, results, warm_sent, warmed)
    subscriber = ctx.Process(target=_subscribe, args=(config, *events))
    subscriber.start()
    if not ready.wait(180):
        subscriber.kill()
        raise SystemExit("the subscriber did not start (is Mosquitto at the host:port?)")
    options = {**vars(args), "warmup": not args.no_warmup}
    publisher = ctx.Process(target=_publish, args=(options, sent, results, warm_sent, warmed))
    publisher.start()
    publisher.join()
    published.set()
    out = {**results.get(timeout=30), **results.get(timeout=600)}
    subscriber.join(30)
    out["database"] = "postgresql" if url.startswith("postgresql") else "sqlite"
    out.update(rate=args.rate, seconds=args.seconds, sensors=args.sensors, qos=args.qos,
               alarm_share=args.alarm_share, cpus=os.cpu_count(), warmup=not args.no_warmup,
               receiver="same process" if args.same_process else "child process")  # fmt: skip
    out["ratio_to_target"] = round(out["sustained_per_s"] / TARGET, 2)
    out["lost"] = out["sent"] - out["received"]
    return out


# --- the publisher process ------------------------------------------------------------------


def _publish(options: dict[str, Any], sent: Any, results: Any, warm_sent: mps.Event,
             warmed: mps.Event) -> None:  # fmt: skip
    from lingang.city.sensors.mqtt import MqttPublisher

    sensors = options["sensors"]
    every = max(1, round(1 / options["alarm_share"])) if options["alarm_share"] > 0 else 0
    fleet = [_sensor(n, every) for n in range(sensors)]
    publisher = MqttPublisher(options["host"], options["port"], qos=options["qos"])
    if options["warmup"]:  # every sensor once, all normal: the node's steady state
        _send(publisher, [(t, normal) for t, normal, _ in fleet], options["warmup_rate"],
              float(sensors) / options["warmup_rate"], sensors)  # fmt: skip
        warm_sent.set()
        if not warmed.wait(600):
            raise SystemExit("the subscriber did not finish the warm-up")
    started = time.perf_counter()
    count = _send(publisher, [(t, measured) for t, _, measured in fleet], options["rate"],
                  options["seconds"], None)  # fmt: skip
    publisher.close(timeout=120)
    elapsed = time.perf_counter() - started
    sent.value = count
    results.put({"sent": count, "publish_seconds": round(elapsed, 2),
                 "publish_per_s": round(count / elapsed)})  # fmt: skip


def _send(publisher: Any, fleet: list[tuple[str, str]], rate: int, seconds: float,
          limit: int | None) -> int:  # fmt: skip
    """Publish round-robin at ``rate`` a second (0: as fast as possible) for ``seconds`` or
    ``limit`` messages; ``read_at`` is stamped at publishing."""
    started = time.perf_counter()
    count = 0
    while (elapsed := time.perf_counter() - started) < seconds and count != limit:
        if rate:
            due = int(elapsed * rate) + 1
            if count >= due:
                time.sleep(min(0.005, (count - due + 1) / rate))
                continue
            burst = min(due - count, 500)
        else:
            burst = 500
        if limit is not None:
            burst = min(burst, limit - count)
        stamp = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
        for _ in range(burst):
            topic, template = fleet[count % len(fleet)]
            publisher.publish(topic, template.replace("@T@", stamp).encode())
            count += 1
    return count


def _sensor(number: int, every: int) -> tuple[str, str, str]:
    """``(topic, normal payload, measured payload)``: an alarm sensor reads 0.42 m of water
    in the measured phase (WL-CRIT: a new city event); ``@T@`` is replaced by read_at."""
    kind = KINDS[number % len(KINDS)]
    alarm = kind == "water_level" and every and (number // len(KINDS)) % every == 0
    lat = 30.862 + (number * 7919 % 10_000) / 10_000 * 0.076
    lon = 121.872 + (number * 104_729 % 10_000) / 10_000 * 0.128
    sensor_id = f"B{number:06d}"
    unit = UNITS[kind]

    def payload(value: float) -> str:
        return (f'{{"sensor_id":"{sensor_id}","kind":"{kind}","value":{value},"unit":"{unit}",'
                f'"read_at":"@T@","lat":{lat:.6f},"lon":{lon:.6f}}}')  # fmt: skip

    normal = payload(NORMAL[kind])
    return f"lingang/sensors/{kind}/{sensor_id}", normal, payload(0.42) if alarm else normal


# --- the subscriber process -----------------------------------------------------------------


def _subscribe(config: dict[str, Any], ready: mps.Event, published: mps.Event, sent: Any,
               results: Any, warm_sent: mps.Event, warmed: mps.Event) -> None:  # fmt: skip
    from sqlalchemy import func, select

    from lingang.bootstrap import bootstrap
    from lingang.city.sensors import database_pipeline
    from lingang.city.sensors.mqtt import IntakeMetrics, MqttIntake
    from lingang.city.sensors.pipeline import PipelineMetrics, percentile
    from lingang.city.store import CityEventRow
    from lingang.config import Settings

    settings = Settings(data_dir=Path(config["tmp"]) / "data", database_url=config["url"],
                        bus="inprocess", console=False,
                        audit_key="bench-sensors-key-0123456789abcdef")  # type: ignore[arg-type]  # fmt: skip
    platform = bootstrap(settings)
    gc.collect()
    gc.freeze()  # the platform's objects are long-lived: keep them out of every collection
    stored: list[float] = []
    marks: dict[str, float] = {}

    def timed_sink(alarms: Any) -> Any:
        ids = platform.city.file_sensor_alarms(alarms)
        now = time.time()
        stored.extend(now - a.read_at.timestamp() for a in alarms)
        return ids

    pipeline = database_pipeline(platform.database, timed_sink)
    profiling: list[Any] = []
    if os.environ.get("BENCH_PROFILE"):  # profile the worker's flushes (diagnosis only)
        import cProfile

        profiler, flush = cProfile.Profile(), pipeline.flush

        def profiled() -> Any:
            profiler.enable()
            try:
                return flush()
            finally:
                profiler.disable()

        pipeline.flush = profiled  # type: ignore[method-assign]
        profiling.append(profiler)
    intake = MqttIntake(pipeline, config["host"], config["port"], qos=config["qos"],
                        flush_ms=config["flush_ms"], separate_process=config["process"],
                        on_flush=lambda _a: marks.__setitem__("last", time.time()))  # fmt: skip
    put = intake.put

    def first_mark(batch: Any) -> None:
        marks.setdefault("first", time.time())
        put(batch)

    intake.put = first_mark  # type: ignore[method-assign]
    intake.start()
    ready.set()

    def count_events() -> int:
        with platform.database.sessions() as session:
            return session.scalar(select(func.count()).select_from(CityEventRow)) or 0

    if config["warmup"]:
        warm_sent.wait()
        _wait_for(pipeline, config["sensors"])
        while intake.backlog or len(pipeline):  # the last warm-up batch is done
            time.sleep(0.05)
        time.sleep(0.5)
        pipeline.metrics = PipelineMetrics()  # measure from here
        intake.metrics = IntakeMetrics()
        stored.clear()
        marks.clear()
        warmed.set()
    before = count_events()
    _drain(intake, published, sent)
    intake.stop()
    for profiler in profiling:
        profiler.dump_stats(os.environ["BENCH_PROFILE"])
    m = pipeline.metrics
    events = count_events() - before
    platform.close()
    span = marks.get("last", 0.0) - marks.get("first", 0.0)
    results.put({
        "received": intake.metrics.received,
        "readings": m.readings,
        "rejected": m.rejected,
        "alarms": m.alarms,
        "events_stored": int(events),
        "sustained_per_s": round(m.messages / span) if span > 0 else 0,
        "span_seconds": round(span, 2),
        "batches": m.batches,
        "batch_seconds": round(m.batch_seconds, 2),
        "sink_seconds": round(m.sink_seconds, 2),
        "event_latency_p50_ms": round(percentile(stored, 50) * 1000, 1),
        "event_latency_p99_ms": round(percentile(stored, 99) * 1000, 1),
        "reading_latency_p50_ms": round(percentile(m.reading_latency, 50) * 1000, 1),
        "reading_latency_p99_ms": round(percentile(m.reading_latency, 99) * 1000, 1),
    })  # fmt: skip


def _wait_for(pipeline: Any, count: int) -> None:
    """Wait until ``count`` messages were processed, or none came for 10 seconds."""
    last, idle = -1, time.monotonic()
    while pipeline.metrics.messages < count and time.monotonic() - idle < 10:
        time.sleep(0.2)
        if pipeline.metrics.messages != last:
            last, idle = pipeline.metrics.messages, time.monotonic()


def _drain(intake: Any, published: mps.Event, sent: Any) -> None:
    """Wait for the publisher, then until every sent message is processed or none came for
    5 seconds (lost on the way)."""
    published.wait()
    last, idle = -1, time.monotonic()
    while intake.pipeline.metrics.messages < sent.value:
        time.sleep(0.2)
        seen = intake.pipeline.metrics.messages
        if seen != last:
            last, idle = seen, time.monotonic()
        elif time.monotonic() - idle > 5:
            break


def _fresh_postgres(url: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{parsed.database}"')


def _print(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(result, indent=2))
        return
    rate = result["rate"] or "unthrottled"
    print(f"sensor intake end to end ({result['database']}, {result['cpus']} CPUs, "
          f"rate {rate}/s, {result['seconds']} s, QoS {result['qos']})")  # fmt: skip
    for key, value in result.items():
        print(f"  {key:<24}{value}")


if __name__ == "__main__":
    main(sys.argv[1:])
