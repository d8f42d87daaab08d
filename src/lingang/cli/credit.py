"""``lingang credit``: grades with their factors, history, effects, the zone's distribution, a
zone-wide regrade, record imports, broker profiles and credit repair (信用分级分类, 信用修复).
The CLI acts as an administrator (``cli:<os user>``); JSON output has the API's shape."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from lingang.api.schemas.credit import (
    credit_record_public,
    distribution_public,
    effects_public,
    grade_public,
    objection_public,
    repair_public,
)
from lingang.cli.common import cli_actor, platform_session, print_json, print_table
from lingang.credit.effects import flag_label
from lingang.credit.grading import CreditGrade
from lingang.credit.objections import Objection
from lingang.credit.repairs import Repair
from lingang.credit.service import RecordDraft
from lingang.errors import Invalid

app = typer.Typer(help="Enterprise credit · 信用分级分类", no_args_is_help=True)
repair_app = typer.Typer(help="Credit repair · 信用修复", no_args_is_help=True)
app.add_typer(repair_app, name="repair")
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON")]
Progress_ = Callable[[int, int], None]


def _print_grade(graded: CreditGrade) -> None:
    typer.echo(f"{graded.uscc} as of {graded.as_of} ({graded.instrument}): "
               f"class {graded.zone_class.value} {graded.zone_class.label()}, score "
               f"{graded.score}, customs {graded.customs_category.label()}"
               + (f", 失信 causes: {', '.join(graded.dishonest_reasons)}"
                  if graded.dishonest_reasons else ""))  # fmt: skip
    rows = [["base 基础分", graded.base, ""]]
    rows += [[f"{f.label_zh} {f.label_en}", f"{f.points:+d}", f.detail] for f in graded.factors]
    print_table(["factor 因素", "points", "detail 说明"], rows)


@app.command("grade")
def grade(
    uscc: str,
    as_of: Annotated[str | None, typer.Option(help="Grade as of YYYY-MM-DD")] = None,
    as_json: JsonFlag = False,
) -> None:
    """An enterprise's grade, factor by factor (today, or as of a past day)."""
    day = _date(as_of, "as_of") if as_of else None
    with platform_session(start=False) as platform:
        graded = platform.credit.grade(uscc, actor=cli_actor(), as_of=day)
    if as_json:
        print_json(grade_public(graded).model_dump(mode="json"))
        return
    _print_grade(graded)


@app.command("history")
def history(uscc: str, as_json: JsonFlag = False) -> None:
    """Every stored change of an enterprise's grade, oldest first."""
    with platform_session(start=False) as platform:
        found = platform.credit.history(uscc, actor=cli_actor())
    if as_json:
        print_json([grade_public(g).model_dump(mode="json") for g in found])
        return
    print_table(["as of", "class", "score", "customs", "trigger"],
                [[g.as_of, g.zone_class.value, g.score, g.customs_category.label(), g.trigger]
                 for g in found])  # fmt: skip


@app.command("effects")
def effects(uscc: str, as_json: JsonFlag = False) -> None:
    """What an enterprise's grade decides: sampling weight, 告知承诺, fast tracks, policies."""
    with platform_session(start=False) as platform:
        found = platform.credit.effects(uscc, actor=cli_actor())
    if as_json:
        print_json(effects_public(found).model_dump(mode="json"))
        return
    print_table(["effect 结果运用", "value"], [
        ["class 信用等级", f"{found.zone_class.value} {found.zone_class.label()}"],
        ["双随机 sampling rate / weight", f"{found.sampling_rate:.0%} / {found.sampling_weight:g}"],
        ["告知承诺 commitment approval",
         "yes 可适用" if found.commitment_approval else "no 不适用"],
        ["fast tracks 便利措施", "、".join(flag_label(f) for f in found.fast_track) or "—"],
        ["restrictions 惩戒措施", "、".join(flag_label(f) for f in found.restrictions) or "—"],
        ["policies 惠企政策", f"{found.policy.value} {found.policy.label()}"],
    ])  # fmt: skip


@app.command("distribution")
def distribution(as_json: JsonFlag = False) -> None:
    """How the zone's current grades spread over classes and customs categories."""
    with platform_session(start=False) as platform:
        found = platform.credit.distribution(actor=cli_actor())
    if as_json:
        print_json(distribution_public(found).model_dump(mode="json"))
        return
    rows: list[list[object]] = [[f"class {c.value} {c.label()}", n]
                                for c, n in found.by_class.items()]  # fmt: skip
    rows += [[f"customs {k.label()}", n] for k, n in found.by_category.items()]
    rows.append(["ungraded 未评级", found.ungraded])
    print_table(["group", "enterprises"], rows)


@contextmanager
def _bar(label: str) -> Iterator[Progress_ | None]:
    if not sys.stderr.isatty():
        yield None
        return
    columns = (TextColumn(label), BarColumn(), TextColumn("{task.completed:,}/{task.total:,}"),
               TimeRemainingColumn())  # fmt: skip
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


@app.command("regrade")
def regrade(as_json: JsonFlag = False) -> None:
    """Grade every enterprise today (a progress bar on a terminal)."""
    with platform_session() as platform, _bar("grading") as progress:
        report = platform.credit.regrade_all(actor=cli_actor(), progress=progress)
    by_class = {c.value: n for c, n in report.by_class.items()}
    if as_json:
        print_json({"as_of": report.as_of, "graded": report.graded, "changed": report.changed,
                    "by_class": by_class})  # fmt: skip
        return
    spread = " · ".join(f"{c} {n:,}" for c, n in by_class.items())
    typer.echo(f"{report.graded:,} enterprises graded as of {report.as_of}; "
               f"{report.changed:,} grades changed; {spread}")  # fmt: skip


@app.command("import")
def import_records(
    file: Annotated[Path, typer.Argument(help="CSV (details as JSON text) or JSON lines")],
    as_json: JsonFlag = False,
) -> None:
    """Add credit records from a file, all or nothing; an error names the line and field."""
    rows = _read_rows(file)
    drafts = [RecordDraft.from_data(row, where=f"line {n}: ") for n, row in rows]
    with platform_session() as platform:
        added = platform.credit_records.add_records(
            drafts, actor=cli_actor(), trigger=f"import {file.name}",
            where=[f"line {n}: " for n, _ in rows],
        )  # fmt: skip
    if as_json:
        print_json([credit_record_public(r).model_dump(mode="json") for r in added])
        return
    typer.echo(f"{len(added):,} credit record(s) added from {file.name}; their enterprises "
               "were regraded")  # fmt: skip


def _read_rows(file: Path) -> list[tuple[int, dict[str, Any]]]:
    if not file.is_file():
        raise Invalid("file", f"{file} does not exist")
    text = file.read_text(encoding="utf-8-sig")
    if file.suffix.lower() == ".csv":
        reader = csv.DictReader(text.splitlines())
        return [(n, dict(row)) for n, row in enumerate(reader, start=2)]
    rows: list[tuple[int, dict[str, Any]]] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise Invalid(f"line {n}", f"not JSON: {exc.msg}") from None
        if not isinstance(value, dict):
            raise Invalid(f"line {n}", "expected an object")
        rows.append((n, value))
    if not rows:
        raise Invalid("file", f"{file.name} holds no record")
    return rows


@app.command("settle")
def settle(
    record_id: int,
    paid_on: Annotated[str, typer.Option(help="The day it was paid, YYYY-MM-DD")],
) -> None:
    """Record that an unpaid duty or fine was paid; the enterprise is regraded."""
    with platform_session() as platform:
        done = platform.credit_records.settle_debt(record_id, _date(paid_on, "paid_on"),
                                                   actor=cli_actor())  # fmt: skip
    typer.echo(f"record {done.id} ({done.kind.label()}) settled on {paid_on}")


@app.command("broker")
def broker(
    uscc: str,
    is_broker: Annotated[bool, typer.Option("--yes/--no", help="A customs broker (报关企业)?")],
) -> None:
    """Mark an enterprise a customs broker (lower 失信 thresholds) or not, and regrade it."""
    with platform_session() as platform:
        graded = platform.credit.set_broker(uscc, is_broker, actor=cli_actor())
    _print_grade(graded)


# --- repair -----------------------------------------------------------------------------------


def _print_repairs(found: list[Repair], as_json: bool) -> None:
    if as_json:
        print_json([repair_public(r).model_dump(mode="json") for r in found])
        return
    print_table(["id", "enterprise", "cause", "status", "eligible from", "publicity until",
                 "decided by"],
                [[r.id, r.enterprise_uscc, r.cause, f"{r.status.value} {r.status.label()}",
                  r.eligible_from, r.publicity_until or "", r.decided_by or ""]
                 for r in found])  # fmt: skip


@repair_app.command("list")
def repair_list(
    uscc: Annotated[str | None, typer.Argument(help="One enterprise (default: open ones)")] = None,
    as_json: JsonFlag = False,
) -> None:
    """An enterprise's applications, or every open one."""
    with platform_session(start=False) as platform:
        repairs = platform.credit_repairs
        found = (repairs.repairs(uscc, actor=cli_actor()) if uscc
                 else repairs.open_applications(actor=cli_actor()))  # fmt: skip
    _print_repairs(found, as_json)


@repair_app.command("apply")
def repair_apply(
    uscc: str,
    cause: Annotated[str, typer.Option(help="The 失信 cause, e.g. unpaid_duty")],
    statement: Annotated[str, typer.Option(help="The credit commitment (信用承诺)")],
    as_json: JsonFlag = False,
) -> None:
    """Apply, for an enterprise, to repair one 失信 cause."""
    with platform_session() as platform:
        done = platform.credit_repairs.apply(uscc, cause, statement, actor=cli_actor())
    _print_repairs([done], as_json)


@repair_app.command("publicize")
def repair_publicize(repair_id: int, as_json: JsonFlag = False) -> None:
    """Publish an application (公示) for the policy's number of working days."""
    with platform_session() as platform:
        done = platform.credit_repairs.start_publicity(repair_id, actor=cli_actor())
    _print_repairs([done], as_json)


@repair_app.command("decide")
def repair_decide(
    repair_id: int,
    approve: Annotated[bool, typer.Option("--approve/--reject")],
    note: Annotated[str, typer.Option(help="The reason (required to reject)")] = "",
    as_json: JsonFlag = False,
) -> None:
    """Approve after the publicity period, or reject with a reason."""
    with platform_session() as platform:
        done = platform.credit_repairs.decide(repair_id, approve, note, actor=cli_actor())
    _print_repairs([done], as_json)


# --- objections ------------------------------------------------------------------------------


objection_app = typer.Typer(help="Objections to credit records · 异议申诉", no_args_is_help=True)
app.add_typer(objection_app, name="objection")


def _print_objections(found: list[Objection], as_json: bool) -> None:
    if as_json:
        print_json([objection_public(o).model_dump(mode="json") for o in found])
        return
    print_table(["id", "enterprise", "record", "status", "due", "overdue", "decided by"],
                [[o.id, o.enterprise_uscc, o.record_id, f"{o.status.value} {o.status.label()}",
                  o.due_on, "yes 超期" if o.overdue else "", o.decided_by or ""]
                 for o in found])  # fmt: skip


@objection_app.command("list")
def objection_list(
    uscc: Annotated[str | None, typer.Argument(help="One enterprise (default: open ones)")] = None,
    as_json: JsonFlag = False,
) -> None:
    """An enterprise's objections, or every open one."""
    with platform_session(start=False) as platform:
        service = platform.credit_objections
        found = (service.objections(uscc, actor=cli_actor()) if uscc
                 else service.open_objections(actor=cli_actor()))  # fmt: skip
    _print_objections(found, as_json)


@objection_app.command("file")
def objection_file(
    uscc: str,
    record_id: int,
    reason: Annotated[str, typer.Option(help="Why the record is wrong")],
    as_json: JsonFlag = False,
) -> None:
    """Dispute a credit record for an enterprise."""
    with platform_session() as platform:
        done = platform.credit_objections.file(uscc, record_id, reason, actor=cli_actor())
    _print_objections([done], as_json)


@objection_app.command("decide")
def objection_decide(
    objection_id: int,
    uphold: Annotated[bool, typer.Option("--uphold/--dismiss")],
    note: Annotated[str, typer.Option(help="The reason")],
    as_json: JsonFlag = False,
) -> None:
    """Uphold (the record is withdrawn) or dismiss an objection."""
    with platform_session() as platform:
        done = platform.credit_objections.decide(objection_id, uphold, note, actor=cli_actor())
    _print_objections([done], as_json)


def _date(text: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise Invalid(field, f"{text!r} is not a date YYYY-MM-DD") from None
