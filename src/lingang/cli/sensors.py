"""``lingang sensors``: the 一网统管 sensor intake — listen to Mosquitto and file alarms as
city events, simulate a fleet (a storm floods some grids), list the dead letters. The CLI acts
as an administrator (``cli:<os user>``)."""

from __future__ import annotations

import datetime as dt
import gc
import time
from collections.abc import Sequence
from typing import Annotated

import typer

from lingang.city.contracts import SensorAlarm
from lingang.city.sensors import database_pipeline
from lingang.city.sensors.mqtt import MqttIntake, MqttPublisher
from lingang.city.sensors.simulate import (
    Scenario,
    SimulationReport,
    place_fleet,
    publish,
    run_in_process,
)
from lingang.cli.common import cli_actor, platform_session, print_json, print_table

app = typer.Typer(help="City sensors · 一网统管 sensor intake (MQTT)", no_args_is_help=True)
Host = Annotated[str, typer.Option(help="MQTT broker host")]
Port = Annotated[int, typer.Option(help="MQTT broker port")]


@app.command()
def listen(
    host: Host = "127.0.0.1",
    port: Port = 1883,
    qos: Annotated[int, typer.Option(help="Subscription QoS (0 or 1)")] = 1,
    every: Annotated[float, typer.Option(help="Seconds between throughput lines")] = 5.0,
    seconds: Annotated[float, typer.Option(help="Stop after this long (0: until Ctrl-C)")] = 0,
    separate: Annotated[
        bool, typer.Option("--separate-receiver/--same-process", help="paho in a child process")
    ] = True,
) -> None:
    """Subscribe lingang/sensors/# and file alarms as city events until Ctrl-C."""
    with platform_session() as platform:
        gc.collect()
        gc.freeze()  # the platform's objects live as long as the process: skip them in GC
        pipeline = database_pipeline(platform.database, platform.city.file_sensor_alarms)
        intake = MqttIntake(pipeline, host, port, qos=qos, separate_process=separate)
        intake.start()
        typer.echo(f"listening on {host}:{port} lingang/sensors/# (QoS {qos}); Ctrl-C stops")
        started, last, seen = time.monotonic(), time.monotonic(), 0
        try:
            while not seconds or time.monotonic() - started < seconds:
                time.sleep(min(every, 0.5) if seconds else every)
                if time.monotonic() - last >= every:
                    m = pipeline.metrics
                    rate = (m.messages - seen) / (time.monotonic() - last)
                    typer.echo(
                        f"{rate:8.0f} msg/s · {m.readings} readings · {m.rejected} dead "
                        f"letters · {m.alarms} alarms · backlog {intake.backlog}"
                    )
                    last, seen = time.monotonic(), m.messages
        except KeyboardInterrupt:
            typer.echo("stopping")
        finally:
            intake.stop()
        typer.echo(f"done: {pipeline.metrics.snapshot()}")


@app.command()
def simulate(
    storm: Annotated[bool, typer.Option("--storm", help="Flood the storm grids")] = False,
    sensors: Annotated[int, typer.Option(help="How many sensors")] = 500,
    minutes: Annotated[int, typer.Option(help="Simulated minutes (one reading each)")] = 30,
    mqtt: Annotated[
        bool, typer.Option("--mqtt/--in-process", help="Publish to the broker, or feed in process")
    ] = False,
    bad_share: Annotated[float, typer.Option(help="Share of malformed messages")] = 0.0,
    seed: Annotated[int, typer.Option(help="Random seed of the fleet")] = 7,
    host: Host = "127.0.0.1",
    port: Port = 1883,
) -> None:
    """Simulate a sensor fleet's last minutes (a storm: water rises in some grids).

    In process, the readings go through the pipeline into the platform's city events; with
    --mqtt they are published to the broker for a running ``lingang sensors listen``."""
    if sensors < 1 or not 1 <= minutes <= 1440:
        raise typer.BadParameter("--sensors must be at least 1 and --minutes 1-1440")
    scenario = Scenario(minutes=minutes, storm=storm, bad_share=bad_share, seed=seed)
    fleet = place_fleet(sensors, scenario)
    if mqtt:
        with MqttPublisher(host, port, qos=1) as publisher:
            count = publish(publisher.publish, fleet, scenario)
        typer.echo(f"published {count} reading(s) of {sensors} sensor(s) to {host}:{port}")
        return
    events: set[int] = set()
    with platform_session() as platform:

        def file(alarms: Sequence[SensorAlarm]) -> list[int]:
            ids = platform.city.file_sensor_alarms(alarms)
            events.update(ids)
            return ids

        pipeline = database_pipeline(platform.database, file)
        report = run_in_process(pipeline, fleet, scenario, dt.datetime.now(dt.UTC))
    _summary(report, sensors, minutes)
    typer.echo(f"city events opened or counted on: {len(events)} (one per sensor and category)")


def _summary(report: SimulationReport, sensors: int, minutes: int) -> None:
    alarms = sum(report.alarms.values())
    typer.echo(
        f"{report.messages} reading(s) of {sensors} sensor(s) over {minutes} min; "
        f"{report.malformed} dead letter(s); {alarms} alarm(s)"
    )
    for rule_id, count in sorted(report.alarms.items()):
        typer.echo(f"  {rule_id:<14}{count}")
    typer.echo(f"water-level alarms from {len(report.water_sensors)} gauge(s)")


@app.command("dead-letters")
def dead_letters(
    limit: Annotated[int, typer.Option(help="How many, newest first")] = 20,
    field: Annotated[str | None, typer.Option(help="Only this field at fault")] = None,
    purge_days: Annotated[int | None, typer.Option(help="Delete those older than N days")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Malformed sensor messages: counts per field and the newest, with the reason."""
    with platform_session(start=False) as platform:
        sensors = platform.sensors
        if purge_days is not None:
            purged = sensors.purge_dead_letters(actor=cli_actor(), older_than_days=purge_days)
            typer.echo(f"purged {purged} dead letter(s)")
            return
        counts = sensors.dead_letter_counts(actor=cli_actor())
        letters = sensors.dead_letters(actor=cli_actor(), limit=limit, field=field)
    if as_json:
        print_json({"counts": counts, "letters": [
            {"id": x.id, "topic": x.topic, "field": x.field, "reason": x.reason,
             "received_at": x.received_at, "payload": x.payload.decode("utf-8", "replace")}
            for x in letters]})  # fmt: skip
        return
    typer.echo(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "no dead letters")
    print_table(["id", "received", "field", "reason", "topic"],
                [[x.id, x.received_at.isoformat(timespec="seconds"), x.field, x.reason[:60],
                  x.topic] for x in letters])  # fmt: skip
