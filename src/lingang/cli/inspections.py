"""``lingang inspections``: 双随机、一公开 — the catalogue, the inspector library, plans,
draws, results, and ``verify-draw``, which checks a published draw without any database.

The CLI acts as an administrator (``cli:<os user>``). JSON output has the API's shape.
Rules in docs/inspections.md.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from lingang.api.schemas.inspections import (
    detail_public,
    inspector_public,
    item_public,
    plan_public,
    result_public,
)
from lingang.cli.common import cli_actor, platform_session, print_json, print_table
from lingang.errors import Invalid
from lingang.inspections import draw as drawing
from lingang.inspections.model import InspectionOutcome, reason_label
from lingang.inspections.service import Plan, PlanDetail

app = typer.Typer(help="Random inspections · 双随机、一公开", no_args_is_help=True)
items_app = typer.Typer(help="Inspection items · 抽查事项清单", no_args_is_help=True)
inspectors_app = typer.Typer(help="Inspectors · 执法检查人员名录库", no_args_is_help=True)
plan_app = typer.Typer(help="Draw plans · 抽查计划", no_args_is_help=True)
app.add_typer(items_app, name="items")
app.add_typer(inspectors_app, name="inspectors")
app.add_typer(plan_app, name="plan")
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON")]


def read_rows(path: Path) -> list[dict[str, Any]]:
    """Rows from a JSON list of objects, or a CSV file with a header line (UTF-8)."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".csv":
        return [dict(row) for row in csv.DictReader(text.splitlines())]
    try:
        data = json.loads(text)
    except ValueError:
        raise Invalid("file", f"{path} is neither CSV nor JSON") from None
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        raise Invalid("file", "must hold a JSON list of objects")
    return data


def _read_json(path: Path, field: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise Invalid(field, f"cannot read {path}: {error}") from None
    if not isinstance(data, dict):
        raise Invalid(field, "must be a JSON object")
    return data


# --- items and inspectors -----------------------------------------------------------------


@items_app.command("add")
def add_item(
    code: str,
    name_zh: Annotated[str, typer.Option("--name-zh", help="名称")],
    name_en: Annotated[str, typer.Option("--name-en", help="English name")],
    department: Annotated[str, typer.Option(help="Department 检查部门")],
    key: Annotated[bool, typer.Option("--key", help="A key item 重点检查事项")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Add an item to the catalogue."""
    with platform_session(start=False) as platform:
        item = platform.inspections.add_item(code, name_zh, name_en, department, key=key,
                                             actor=cli_actor())  # fmt: skip
    if as_json:
        print_json(item_public(item).model_dump(mode="json"))
        return
    typer.echo(f"item {item.code} added: {item.name_zh} / {item.name_en}")


@items_app.command("import")
def import_items(file: Path, as_json: JsonFlag = False) -> None:
    """Import items from CSV or JSON (code, name_zh, name_en, department, key)."""
    with platform_session(start=False) as platform:
        found = platform.inspections.import_items(read_rows(file), actor=cli_actor())
    if as_json:
        print_json([item_public(i).model_dump(mode="json") for i in found])
        return
    typer.echo(f"{len(found)} item(s) imported 已导入")


@items_app.command("list")
def list_items(as_json: JsonFlag = False) -> None:
    """The catalogue of items."""
    with platform_session(start=False) as platform:
        found = platform.inspections.list_items(actor=cli_actor())
    if as_json:
        print_json([item_public(i).model_dump(mode="json") for i in found])
        return
    print_table(["code", "名称", "name", "department 部门", "key 重点"],
                [[i.code, i.name_zh, i.name_en, i.department, "是" if i.key else "否"]
                 for i in found])  # fmt: skip


@inspectors_app.command("add")
def add_inspector(
    inspector_id: str,
    name: Annotated[str, typer.Option(help="Name 姓名")],
    department: Annotated[str, typer.Option(help="Department 部门")],
    qualification: Annotated[
        list[str] | None, typer.Option(help="A qualification (repeatable) 资格")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Add an inspector to the library."""
    with platform_session(start=False) as platform:
        made = platform.inspections.add_inspector(
            inspector_id, name, department, qualification or [], actor=cli_actor()
        )
    if as_json:
        print_json(inspector_public(made).model_dump(mode="json"))
        return
    typer.echo(f"inspector {made.id} added: {made.name} ({made.department})")


@inspectors_app.command("import")
def import_inspectors(file: Path, as_json: JsonFlag = False) -> None:
    """Import inspectors from CSV or JSON (id, name, department, qualifications, conflicts;
    lists separated by ``;``)."""
    with platform_session(start=False) as platform:
        found = platform.inspections.import_inspectors(read_rows(file), actor=cli_actor())
    if as_json:
        print_json([inspector_public(i).model_dump(mode="json") for i in found])
        return
    typer.echo(f"{len(found)} inspector(s) imported 已导入")


@inspectors_app.command("list")
def list_inspectors(
    department: Annotated[str | None, typer.Option(help="Only this department")] = None,
    as_json: JsonFlag = False,
) -> None:
    """The inspector library."""
    with platform_session(start=False) as platform:
        found = platform.inspections.list_inspectors(actor=cli_actor(), department=department)
    if as_json:
        print_json([inspector_public(i).model_dump(mode="json") for i in found])
        return
    print_table(["id", "name 姓名", "department 部门", "qualifications 资格", "conflicts 回避"],
                [[i.id, i.name, i.department, ";".join(sorted(i.qualifications)),
                  ";".join(sorted(i.conflicts))] for i in found])  # fmt: skip


@inspectors_app.command("conflict")
def declare_conflict(
    inspector_id: str,
    uscc: str,
    reason: Annotated[str, typer.Option(help="Why 回避理由")],
) -> None:
    """Record an inspector's conflict of interest with an enterprise (回避)."""
    with platform_session(start=False) as platform:
        platform.inspections.declare_conflict(inspector_id, uscc, reason, actor=cli_actor())
    typer.echo(f"inspector {inspector_id} recused from {uscc} 已登记回避")


# --- plans --------------------------------------------------------------------------------


def _rates(values: list[str] | None) -> dict[str, float] | None:
    if not values:
        return None
    rates: dict[str, float] = {}
    for value in values:
        key, _, number = value.partition("=")
        try:
            rates[key.strip().upper()] = float(number)
        except ValueError:
            raise Invalid(f"rates.{key.strip()}", f"write CLASS=RATE, got {value!r}") from None
    return rates


def _print_plan(plan: Plan, as_json: bool, done: str) -> None:
    if as_json:
        print_json(plan_public(plan).model_dump(mode="json"))
        return
    typer.echo(f"plan {plan.id}: {done} — {plan.status.value} ({plan.status.label()})")
    announced = plan.announcement()
    if announced is not None:
        typer.echo(f"seed commitment 种子承诺值: {announced['seed_commitment']}")
        typer.echo(f"inputs digest 输入摘要:    {announced['inputs_digest']}")
    if plan.seed is not None:
        typer.echo(f"seed 随机种子:            {plan.seed}")
    if plan.publish_by is not None:
        typer.echo(f"publish results by 结果公示截止: {plan.publish_by}")


@plan_app.command("create")
def create_plan(
    year: Annotated[int, typer.Option(help="Plan year 年度")],
    item: Annotated[str, typer.Option(help="Item code 抽查事项")],
    rate: Annotated[
        list[str] | None, typer.Option(help="CLASS=RATE, e.g. A=0.05 (all four, or none)")
    ] = None,
    per_target: Annotated[int, typer.Option(help="Inspectors per target (≥ 2)")] = 2,
    qualification: Annotated[str | None, typer.Option(help="Required qualification")] = None,
    department: Annotated[str | None, typer.Option(help="Default: the item's")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Create a draft plan."""
    with platform_session(start=False) as platform:
        plan = platform.inspections.create_plan(
            year, item, actor=cli_actor(), rates=_rates(rate), inspectors_per_target=per_target,
            required_qualification=qualification, department=department,
        )  # fmt: skip
    _print_plan(plan, as_json, "created 已创建")


@plan_app.command("list")
def list_plans(
    year: Annotated[int | None, typer.Option(help="Only this year")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Plans, newest first."""
    with platform_session(start=False) as platform:
        found = platform.inspections.list_plans(actor=cli_actor(), year=year)
    if as_json:
        print_json([plan_public(p).model_dump(mode="json") for p in found])
        return
    print_table(["plan", "year", "item 事项", "status 状态", "publish by 公示截止"],
                [[p.id, p.year, f"{p.item_code} {p.item_name_zh}", p.status.label(),
                  p.publish_by or ""] for p in found])  # fmt: skip


@plan_app.command("commit")
def commit_plan(plan_id: str, as_json: JsonFlag = False) -> None:
    """Freeze the inputs and commit to a secret seed; publish the commitment and digest."""
    with platform_session(start=False) as platform:
        plan = platform.inspections.commit_plan(plan_id, actor=cli_actor())
    _print_plan(plan, as_json, f"committed 已公布承诺 ({plan.ungraded} ungraded 未评级 → B)")


@plan_app.command("draw")
def run_draw(plan_id: str, as_json: JsonFlag = False) -> None:
    """Draw targets and inspectors; the seed is revealed."""
    with platform_session(start=False) as platform:
        plan = platform.inspections.run_draw(plan_id, actor=cli_actor())
        detail = platform.inspections.get_plan(plan_id, actor=cli_actor())
    _print_plan(plan, as_json, "drawn 已抽取")
    if not as_json:
        _print_targets(detail)


def _print_targets(detail: PlanDetail) -> None:
    print_table(["uscc", "name 名称", "class 信用分类", "inspectors 检查人员"],
                [[t.uscc, t.name, t.credit_class, ",".join(t.inspector_ids) or "未配齐 unstaffed"]
                 for t in detail.targets])  # fmt: skip
    result = detail.plan.result
    if result is None:
        return
    for recusal in result.recusals:
        typer.echo(f"recusal 回避: {recusal.inspector_id} × {recusal.uscc} "
                   f"({reason_label(recusal.reason)})")  # fmt: skip
    for skip in result.skipped:
        typer.echo(f"skipped 跳过: {skip.uscc} ({reason_label(skip.reason)})")


@plan_app.command("show")
def show_plan(plan_id: str, as_json: JsonFlag = False) -> None:
    """One plan with its drawn targets and results."""
    with platform_session(start=False) as platform:
        detail = platform.inspections.get_plan(plan_id, actor=cli_actor())
    if as_json:
        print_json(detail_public(detail).model_dump(mode="json"))
        return
    _print_plan(detail.plan, False, f"{detail.plan.year} {detail.plan.item_name_zh}")
    if detail.overdue:
        typer.echo("结果公示已超期 results are overdue")
    _print_targets(detail)


@plan_app.command("results")
def results(plan_id: str, as_json: JsonFlag = False) -> None:
    """The plan's recorded results."""
    with platform_session(start=False) as platform:
        detail = platform.inspections.get_plan(plan_id, actor=cli_actor())
    if as_json:
        print_json([result_public(r).model_dump(mode="json") for r in detail.results])
        return
    print_table(["uscc", "outcome 结果", "finding 发现", "published 公示"],
                [[r.uscc, r.outcome.label(), r.finding, r.published_at or ""]
                 for r in detail.results])  # fmt: skip


@plan_app.command("record")
def record_result(
    plan_id: str,
    uscc: str,
    outcome: InspectionOutcome,
    finding: Annotated[str, typer.Option(help="What was found 检查发现")] = "",
) -> None:
    """Record the result for one drawn enterprise."""
    with platform_session(start=False) as platform:
        made = platform.inspections.record_result(plan_id, uscc, outcome, finding,
                                                  actor=cli_actor())  # fmt: skip
    typer.echo(f"{made.uscc}: {made.outcome.label()} ({made.outcome.label('en')}) recorded 已记录")


@plan_app.command("publish")
def publish(plan_id: str, as_json: JsonFlag = False) -> None:
    """Publish the recorded results; each becomes a credit record of its enterprise."""
    with platform_session(start=False) as platform:
        detail = platform.inspections.publish_results(plan_id, actor=cli_actor())
    if as_json:
        print_json(detail_public(detail).model_dump(mode="json"))
        return
    shown = sum(1 for r in detail.results if r.published_at is not None)
    typer.echo(f"plan {plan_id}: {shown} result(s) published 已公示")


@plan_app.command("overdue")
def overdue(as_json: JsonFlag = False) -> None:
    """Drawn plans past their publication deadline."""
    with platform_session(start=False) as platform:
        found = platform.inspections.overdue_plans(actor=cli_actor())
    if as_json:
        print_json([detail_public(d).model_dump(mode="json") for d in found])
        return
    print_table(["plan", "item 事项", "publish by 公示截止"],
                [[d.plan.id, d.plan.item_name_zh, d.plan.publish_by] for d in found])  # fmt: skip


# --- the public record ----------------------------------------------------------------------


@app.command("published")
def published(
    plan_id: str, out: Annotated[Path, typer.Option("--out", help="Where to write the JSON")]
) -> None:
    """Write the public record of a drawn plan (as GET /api/public/inspections/{id})."""
    with platform_session(start=False) as platform:
        record = platform.inspections.published(plan_id)
    out.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    typer.echo(f"public record of plan {plan_id} written to {out}")


@app.command("verify-draw")
def verify_draw(
    file: Path,
    seed: Annotated[str | None, typer.Option(help="The seed (default: the file's)")] = None,
    announcement: Annotated[
        Path | None, typer.Option(help="The announcement saved before the draw")
    ] = None,
) -> None:
    """Check a published draw without any database: the seed matches the commitment, the
    inputs match the digest, and drawing again gives the published result."""
    record = _read_json(file, "file")
    chosen = seed or record.get("seed")
    if not isinstance(chosen, str) or not chosen:
        raise Invalid("seed", "the record holds no seed; pass --seed")
    announced = _read_json(announcement, "announcement") if announcement else None
    if announced is None and isinstance(record.get("announcement"), dict):
        announced = record["announcement"]
    verdict = drawing.verify_draw(record, chosen, announced)
    if verdict.ok:
        typer.echo(f"✔ {verdict.message_zh}\n  {verdict.message_en}")
        return
    failed = verdict.failed.value if verdict.failed else "?"
    typer.echo(f"✘ 核验失败（{failed}）：{verdict.message_zh}\n"
               f"  Verification FAILED ({failed}): {verdict.message_en}", err=True)  # fmt: skip
    raise typer.Exit(1)
