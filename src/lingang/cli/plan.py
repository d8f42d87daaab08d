"""``lingang plan``: the plan's indicator registry, observations (CSV/XLSX import,
corrections), progress and forecasts (规划指标监测评估, issue #7). The CLI acts as an
administrator (``cli:<os user>``); JSON output has the API's shape. Formulas in
docs/plan.md."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated, Any

import typer

from lingang.api.schemas.plan import forecast_public, indicator_public, progress_public
from lingang.cli.common import cli_actor, platform_session, print_json, print_table
from lingang.errors import Invalid
from lingang.plan.evaluation import EvaluationKind
from lingang.plan.service import ObservationDraft

app = typer.Typer(help="Plan indicators · 规划指标监测评估", no_args_is_help=True)
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON")]
Source = Annotated[str, typer.Option("--source", help="Where the value comes from (来源)")]


@app.command("load")
def load(
    file: Annotated[Path | None, typer.Argument(help="default: LINGANG_PLAN_INDICATORS")] = None,
) -> None:
    """Load (or reload) the indicator registry; a bad row loads nothing."""
    with platform_session(start=False) as platform:
        done = platform.plan.load_registry(file, actor=cli_actor())
    typer.echo(f"{done.total} indicators in {done.path}: {done.added} added, "
               f"{done.updated} updated, {done.unchanged} unchanged")  # fmt: skip


@app.command("indicators")
def indicators(
    area: Annotated[str | None, typer.Option(help="Only this area")] = None,
    department: Annotated[str | None, typer.Option(help="Only this department")] = None,
    as_json: JsonFlag = False,
) -> None:
    """The indicators in plan order."""
    with platform_session(start=False) as platform:
        found = platform.plan.indicators(actor=cli_actor(), area=area, department=department)
    if as_json:
        print_json([indicator_public(i).model_dump(mode="json") for i in found])
        return
    print_table(["id", "指标 indicator", "目标 target", "kind", "area", "department"],
                [[i.id, i.name_zh, i.target_text(), i.kind.value, i.area, i.department]
                 for i in found])  # fmt: skip


@app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(help="CSV or XLSX: indicator_id,year,value,source…")],
) -> None:
    """Import observations, all or nothing; an error names the row and the field (row 1 is
    the first row under the header)."""
    rows = read_rows(file)
    with platform_session(start=False) as platform:
        added = platform.plan.import_observations(rows, actor=cli_actor(),
                                                  source=f"import {file.name}")  # fmt: skip
    typer.echo(f"{added} observation(s) imported from {file.name}")


@app.command("observe")
def observe(
    indicator_id: str, year: int, value: float, source: Source,
    quarter: Annotated[int | None, typer.Option(help="1–4 for a quarterly value")] = None,
) -> None:  # fmt: skip
    """Record one value."""
    with platform_session(start=False) as platform:
        done = platform.plan.add_observation(
            ObservationDraft(indicator_id, year, value, source, quarter), actor=cli_actor()
        )
    typer.echo(f"observation {done.id}: {done.indicator_id} {done.year} = {done.value} "
               f"{done.unit}")  # fmt: skip


@app.command("correct")
def correct(observation_id: int, value: float, source: Source) -> None:
    """Correct a value; the old one is kept."""
    with platform_session(start=False) as platform:
        done = platform.plan.correct_observation(observation_id, value, source,
                                                 actor=cli_actor())  # fmt: skip
    typer.echo(f"observation {done.id} replaces {done.replaces}: {done.indicator_id} "
               f"{done.year} = {done.value} {done.unit}")  # fmt: skip


@app.command("progress")
def progress(
    year: Annotated[int | None, typer.Option(help="default: last year")] = None,
    area: Annotated[str | None, typer.Option(help="Only this area")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Every indicator's status in a year (UN SDG progress measure)."""
    with platform_session(start=False) as platform:
        as_of = year or platform.plan.this_year() - 1
        found = platform.plan.progress(as_of, actor=cli_actor(), area=area)
    if as_json:
        print_json([progress_public(p).model_dump(mode="json") for p in found])
        return
    print_table(["id", "status 状态", "ratio", "说明"],
                [[p.indicator_id, p.status.label(), "" if p.ratio is None else f"{p.ratio:.2f}",
                  p.explanation] for p in found])  # fmt: skip


@app.command("forecast")
def forecast(indicator_id: str, as_json: JsonFlag = False) -> None:
    """The target year's value from the trend, with a 95 % prediction interval."""
    with platform_session(start=False) as platform:
        found = platform.plan.forecast(indicator_id, actor=cli_actor())
    if as_json:
        print_json(forecast_public(found).model_dump(mode="json"))
        return
    band = "" if found.low is None else f" (95 %: {found.low:,.2f} – {found.high:,.2f})"
    value = "—" if found.value is None else f"{found.value:,.2f}"
    typer.echo(f"{indicator_id} {found.year}: {value}{band} · {found.method}, "
               f"{found.points} point(s)")  # fmt: skip


def read_rows(file: Path) -> list[dict[str, Any]]:
    """The rows of a CSV (UTF-8, header first) or XLSX file (first sheet, header first)."""
    if not file.is_file():
        raise Invalid("file", f"{file} does not exist")
    suffix = file.suffix.lower()
    if suffix == ".csv":
        text = file.read_text(encoding="utf-8-sig")
        return [dict(row) for row in csv.DictReader(text.splitlines())]
    if suffix == ".xlsx":
        return _xlsx_rows(file)
    raise Invalid("file", "expected a .csv or .xlsx file")


def _xlsx_rows(file: Path) -> list[dict[str, Any]]:
    from openpyxl import load_workbook

    book = load_workbook(file, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        lines = list(sheet.iter_rows(values_only=True))
    finally:
        book.close()
    if not lines:
        raise Invalid("file", f"{file.name} is empty")
    header = [str(cell).strip() if cell is not None else "" for cell in lines[0]]
    return [dict(zip(header, line, strict=False)) for line in lines[1:]
            if any(cell is not None for cell in line)]  # fmt: skip


@app.command("report")
def report(
    kind: Annotated[EvaluationKind, typer.Argument(help="annual, midterm or final")],
    out: Annotated[Path, typer.Option(help="Where to write the PDF")],
    year: Annotated[int | None, typer.Option(help="Default: 2023 mid-term, 2025 final")] = None,
) -> None:
    """An evaluation (年度跟踪监测 / 中期评估 / 末期全面评估) as a Chinese PDF."""
    with platform_session(start=False) as platform:
        pdf = platform.plan.evaluation_pdf(kind, year, actor=cli_actor())
    out.write_bytes(pdf)
    typer.echo(f"{kind.value} evaluation written to {out} ({len(pdf):,} bytes)")
