"""``lingang lake``: import files into the data lake, list datasets, read the quarantine."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from lingang.cli.common import cli_actor, platform_session, print_json, print_table
from lingang.lake.model import DatasetStats, ImportSummary
from lingang.lake.service import ImportProgress

app = typer.Typer(help="Data lake · 综合信息数据湖", no_args_is_help=True)


@contextmanager
def progress_bar(enabled: bool) -> Iterator[ImportProgress | None]:
    """A rich progress bar on stderr when it is a terminal, else nothing."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    columns = (TextColumn("importing"), BarColumn(), TextColumn("{task.completed:,} rows"),
               TimeRemainingColumn())  # fmt: skip
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("import", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def summary_json(summary: ImportSummary) -> dict[str, Any]:
    """An import summary with its derived figures, ready for JSON."""
    return {**dataclasses.asdict(summary), "seconds": round(summary.seconds, 3),
            "rows_per_second": round(summary.rows_per_second)}  # fmt: skip


@app.command("import")
def import_file(
    dataset: Annotated[str, typer.Argument(help="Catalog dataset, e.g. declarations")],
    file: Annotated[Path, typer.Argument(help="CSV, JSON lines (.jsonl) or Parquet file")],
    mapping: Annotated[
        str | None, typer.Option(help="Shipped mapping name (kcs-declarations) or a file")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Validate and append a file; bad rows go to the quarantine, repeats are skipped."""
    with platform_session() as platform, progress_bar(not as_json) as progress:
        summary = platform.lake.import_file(
            dataset, file, actor=cli_actor(), mapping=mapping, progress=progress
        )
    if as_json:
        print_json(summary_json(summary))
        return
    typer.echo(
        f"{summary.dataset} ← {Path(summary.source).name}: {summary.rows:,} rows · "
        f"accepted {summary.accepted:,} · duplicates {summary.duplicates:,} · "
        f"rejected {summary.rejected:,} ({summary.seconds:.1f} s, "
        f"{summary.rows_per_second:,.0f} rows/s) · import {summary.import_id}"
    )
    for field, count in summary.rejected_by_field.items():
        typer.echo(f"  rejected on {field}: {count:,}")
    if summary.quarantine:
        typer.echo(f"quarantine: {summary.quarantine}")


def _dataset_row(stats: DatasetStats) -> list[Any]:
    stored = stats.stored
    return [
        stats.name, stats.label_zh, f"{stored.rows:,}", stored.files, stored.days,
        stored.last_day or "", stored.last_ingested_at.isoformat(timespec="seconds")
        if stored.last_ingested_at else "", f"{stats.quarantined_rows:,}", stats.imports,
    ]  # fmt: skip


@app.command("datasets")
def datasets(as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False) -> None:
    """Every dataset of the catalog: rows, files, freshness, quarantine."""
    with platform_session(start=False) as platform:
        found = platform.lake.list_datasets(actor=cli_actor())
    if as_json:
        print_json(found)
        return
    print_table(
        ["dataset", "名称", "rows", "files", "days", "last day", "last ingested", "quarantined",
         "imports"],
        [_dataset_row(s) for s in found],
    )  # fmt: skip


@app.command("quarantine")
def quarantine(
    dataset: Annotated[str, typer.Argument(help="Catalog dataset")],
    limit: Annotated[int, typer.Option(min=1, help="Rejects to show")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """The rejected rows of a dataset: file, line, field and reason."""
    with platform_session(start=False) as platform:
        view = platform.lake.quarantine(dataset, actor=cli_actor(), limit=limit)
    if as_json:
        print_json(view)
        return
    typer.echo(f"{view.dataset}: {view.total:,} rejected rows in {len(view.files)} files")
    print_table(
        ["import", "line", "field", "reason"],
        [[r.import_id, r.line, r.field, r.reason] for r in view.rejects],
    )
