"""``lingang permits ratings``: 好差评 of applications — the ratings, the satisfaction
dashboard, and the rectification tasks of 差评 (contact, result, appeal decision). The CLI acts
as an administrator (``cli:<os user>``); JSON output has the API's shape. Rules in
docs/permits.md (好差评 ratings)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from lingang.api.schemas.permit_ratings import (
    RatingPublic,
    RectificationPublic,
    SatisfactionPublic,
)
from lingang.cli.common import cli_actor, platform_session, print_json, print_table
from lingang.permits.ratings import Rectification, SatisfactionRow

app = typer.Typer(help="好差评 ratings and rectification · 好差评与整改", no_args_is_help=True)
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON")]


def _pct(share: float | None) -> str:
    return "" if share is None else f"{share:.0%}"


def _print_task(task: Rectification, as_json: bool) -> None:
    if as_json:
        print_json(RectificationPublic.model_validate(task, from_attributes=True).model_dump(
            mode="json"))  # fmt: skip
        return
    typer.echo(f"task {task.id}: {task.status.value} ({task.status_label}), due {task.due_on}"
               + (", contact late" if task.contact_late else ""))  # fmt: skip


@app.command("list")
def list_ratings(
    item: Annotated[str | None, typer.Option(help="only this item id")] = None,
    department: Annotated[str | None, typer.Option(help="only this department")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Ratings, newest first (anonymous ones without the rater)."""
    with platform_session(start=False) as platform:
        found = platform.permit_ratings.ratings(actor=cli_actor(), item_id=item,
                                                department=department)  # fmt: skip
    if as_json:
        print_json([RatingPublic.model_validate(r, from_attributes=True).model_dump(mode="json")
                    for r in found])  # fmt: skip
        return
    print_table(["id", "application", "item 事项", "score 评价", "rater", "task 整改", "comment"],
                [[r.id, r.application_id, r.item_name, f"{r.score} {r.level_label}",
                  r.rater or "(匿名)", r.rectification.id if r.rectification else "",
                  r.comment[:40]] for r in found])  # fmt: skip


@app.command("satisfaction")
def satisfaction(
    since: Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"],
                                                      help="ratings on or after")] = None,
    as_json: JsonFlag = False,
) -> None:  # fmt: skip
    """Satisfaction by item and department: count, mean, satisfied, 差评, rectified on time."""
    with platform_session(start=False) as platform:
        board = platform.permit_ratings.satisfaction(
            actor=cli_actor(), since=since.date() if since else None
        )
    if as_json:
        print_json(SatisfactionPublic.model_validate(board, from_attributes=True).model_dump(
            mode="json"))  # fmt: skip
        return

    def line(kind: str, row: SatisfactionRow) -> list[object]:
        mean = "" if row.mean_score is None else f"{row.mean_score:.2f}"
        return [kind, row.label, row.count, mean, _pct(row.satisfied_share),
                _pct(row.negative_share), f"{row.rectified_on_time}/{row.negative}"]  # fmt: skip

    print_table(["by", "item / department 事项/部门", "count", "mean", "满意率 satisfied",
                 "差评率 negative", "按时整改 on time"],
                [line("all", board.overall),
                 *(line("item", r) for r in board.by_item),
                 *(line("department", r) for r in board.by_department)])  # fmt: skip


@app.command("rectifications")
def rectifications(
    all_tasks: Annotated[bool, typer.Option("--all", help="closed ones too")] = False,
    overdue: Annotated[bool, typer.Option(help="only tasks past their deadline")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Rectification tasks of 差评, earliest deadline first."""
    with platform_session(start=False) as platform:
        found = platform.permit_ratings.rectifications(actor=cli_actor(), open_only=not all_tasks,
                                                       overdue_only=overdue)  # fmt: skip
    if as_json:
        print_json([RectificationPublic.model_validate(t, from_attributes=True).model_dump(
            mode="json") for t in found])  # fmt: skip
        return
    print_table(["id", "application", "department 部门", "score 评价", "status 状态",
                 "contact due", "due 整改期限", "overdue"],
                [[t.id, t.application_id, t.department, f"{t.score} {t.level_label}",
                  f"{t.status.value} {t.status_label}", t.contact_due or "(匿名)", t.due_on,
                  "yes" if t.overdue else ""] for t in found])  # fmt: skip


@app.command("contact")
def contact(task_id: int, note: Annotated[str, typer.Option(help="what was said")],
            as_json: JsonFlag = False) -> None:  # fmt: skip
    """Record the contact with the rater (late after 1 working day)."""
    with platform_session() as platform:
        found = platform.permit_ratings.contact(task_id, note, actor=cli_actor())
    _print_task(found, as_json)


@app.command("resolve")
def resolve(task_id: int, result: Annotated[str, typer.Option(help="the published result")],
            as_json: JsonFlag = False) -> None:  # fmt: skip
    """Record the rectification result; it is published."""
    with platform_session() as platform:
        found = platform.permit_ratings.resolve(task_id, result, actor=cli_actor())
    _print_task(found, as_json)


@app.command("decide-appeal")
def decide_appeal(
    task_id: int,
    upheld: Annotated[bool, typer.Option("--uphold/--dismiss")],
    note: Annotated[str, typer.Option()],
    as_json: JsonFlag = False,
) -> None:
    """Decide the rater's appeal (not by the resolver): uphold reopens, dismiss closes."""
    with platform_session() as platform:
        found = platform.permit_ratings.decide_appeal(task_id, upheld, note, actor=cli_actor())
    _print_task(found, as_json)
