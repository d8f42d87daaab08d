"""``lingang simulate``: generate a zone, write it as Parquet and/or load it into the platform."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lingang.cli.common import cli_actor, platform_session, print_json, print_table
from lingang.config import Settings
from lingang.errors import Conflict, Invalid

if TYPE_CHECKING:  # numpy, pyarrow and rich load only when the command runs
    from lingang.simulate import Report
    from lingang.simulate.zone import Plan

DEFAULT_SEED = 20250101  # = lingang.simulate.params.DEFAULT_SEED
DEFAULT_START = dt.date(2025, 1, 1)  # = lingang.simulate.params.DEFAULT_START

STAGES = {"register": "registering enterprises", "simulate": "simulating activity"}


def simulate(
    enterprises: Annotated[int, typer.Option(help="Enterprises in the zone")] = 2000,
    days: Annotated[int, typer.Option(help="Days of activity")] = 365,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same bytes")] = (
        DEFAULT_SEED
    ),
    start: Annotated[str, typer.Option(help="First day, YYYY-MM-DD")] = DEFAULT_START.isoformat(),
    declarations: Annotated[
        int | None, typer.Option(help="Total declaration lines (default: 60 per firm-year)")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Write Parquet, truth and manifest here")] = None,
    no_load: Annotated[bool, typer.Option("--no-load", help="Do not load the platform")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON")] = False,
) -> None:
    """Simulate a Lingang zone (all data simulated) with labelled risk patterns."""
    from lingang.simulate import ZoneParams, plan_zone, run_simulation, simulation_dir
    from lingang.simulate.load import MANIFEST

    params = ZoneParams(enterprises, days, _date(start), seed, declarations).validated()
    if no_load and out is None:
        raise Invalid("out", "nothing to do: give --out DIR, or leave out --no-load")
    settings = Settings()
    if not no_load and (simulation_dir(settings.data_dir) / MANIFEST).exists():
        raise Conflict(
            f"{settings.data_dir} already holds a simulation; use a fresh LINGANG_DATA_DIR "
            "or --no-load --out DIR"
        )
    began = time.perf_counter()
    plan = plan_zone(params, settings.hs_nomenclature)
    with _bars(enabled=not as_json) as progress:
        if no_load:
            report = run_simulation(plan, out_dir=out, progress=progress)
        else:
            report = _load(plan, settings, out, progress)
    seconds = time.perf_counter() - began
    _print(report, seconds, out, as_json)


def _load(plan: Plan, settings: Settings, out: Path | None, progress: Any) -> Report:
    from lingang.simulate import Target, run_simulation

    with platform_session() as platform:
        target = Target(platform.entities, platform.lake, settings.data_dir, cli_actor())
        return run_simulation(plan, out_dir=out, target=target, progress=progress)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise Invalid("start", f"{text!r} is not a date (YYYY-MM-DD)") from None


@contextmanager
def _bars(*, enabled: bool) -> Iterator[Any]:
    """A progress callback drawing rich bars on a terminal (stderr); None elsewhere."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    if not enabled or not console.is_terminal:
        with nullcontext():
            yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, console=console) as bars:
        tasks: dict[str, Any] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bars.add_task(STAGES.get(stage, stage), total=total)
            bars.update(tasks[stage], completed=done, total=total)

        yield update


def _print(report: Report, seconds: float, out: Path | None, as_json: bool) -> None:
    counts = report.as_json()
    rows = sum(counts["datasets"].values())
    if as_json:
        print_json({**counts, "seconds": round(seconds, 2), "out": str(out) if out else None})
        return
    loaded = counts.get("loaded", {})
    print_table(
        ["dataset", "rows", "accepted", "rejected"],
        [[name, f"{n:,}", f"{loaded[name]['accepted']:,}" if name in loaded else "-",
          f"{loaded[name]['rejected']:,}" if name in loaded else "-"]
         for name, n in counts["datasets"].items()],
    )  # fmt: skip
    typer.echo("")
    print_table(
        ["risk pattern (truth)", "rows"], [[p, f"{n:,}"] for p, n in counts["truth"].items()]
    )
    register = counts["register"]
    typer.echo(
        f"\n{register['enterprises']:,} enterprises, {register['persons']:,} persons, "
        f"{register['holdings']:,} holdings; {rows:,} rows in {seconds:.1f} s"
        + (f"; files in {out}" if out else "")
    )
