"""``lingang risk``: the risk engine's commands — named lists and the learned scorers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from lingang.cli.common import cli_actor, platform_session, print_json, print_table
from lingang.config import Settings
from lingang.risk.lists.model import ElementType, ListKind, RiskList
from lingang.risk.scorers import kcs as kcs_data
from lingang.risk.scorers.kcs import DEFAULT_SCORER

app = typer.Typer(help="Risk engine · 风险引擎", no_args_is_help=True)
lists = typer.Typer(help="Named risk lists · 风险名单", no_args_is_help=True)
app.add_typer(lists, name="lists")
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON")]
DataOption = Annotated[str, typer.Option("--data", help="Labelled data set (kcs)")]
ValidOption = Annotated[Path, typer.Option("--valid", help="Validation (selection) CSV")]


@app.command("train")
def train(
    data: DataOption = "kcs",
    train_path: Annotated[Path, typer.Option("--train", help="Training CSV")] = (
        kcs_data.DEFAULT_TRAIN
    ),
    valid_path: ValidOption = kcs_data.DEFAULT_VALID,
    name: Annotated[str, typer.Option(help="Scorer name")] = DEFAULT_SCORER,
    as_json: JsonFlag = False,
) -> None:
    """Train the plain baseline and the platform scorer; save the scorer; compare them."""
    from lingang.risk.scorers import runs  # LightGBM loads only for the scorer commands

    report = runs.train_kcs(train_path, valid_path, Settings().data_dir, name=name, data=data)
    if as_json:
        print_json(report.to_json())
        return
    typer.echo(f"saved {report.scorer} version {report.version} in {report.folder}")
    typer.echo(f"trees: baseline {report.baseline_trees}, platform {report.platform_trees}")
    print_table(
        runs.METRIC_HEADERS,
        runs.metric_rows({"baseline": report.baseline, "platform": report.platform}),
    )


@app.command("evaluate")
def evaluate(
    scorer: Annotated[str, typer.Option("--scorer", help="Saved scorer name")] = DEFAULT_SCORER,
    version: Annotated[int | None, typer.Option(help="Version; newest when left out")] = None,
    data: DataOption = "kcs",
    valid_path: ValidOption = kcs_data.DEFAULT_VALID,
    as_json: JsonFlag = False,
) -> None:
    """A saved scorer's precision, recall and recovered value at 1, 2, 5 and 10 %."""
    from lingang.risk.scorers import runs

    found, metrics = runs.evaluate_kcs(valid_path, Settings().data_dir, name=scorer,
                                       version=version, data=data)  # fmt: skip
    if as_json:
        print_json({"scorer": found.name, "version": found.version, "metrics": metrics})
        return
    print_table(runs.METRIC_HEADERS, runs.metric_rows({f"{found.name}-{found.version}": metrics}))


@lists.command("show")
def show(
    name: Annotated[str | None, typer.Argument(help="One list; all lists when left out")] = None,
    as_of: Annotated[
        dt.datetime | None, typer.Option(help="Values as they were then (UTC)")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Show every list, or one list's values (now or as of a moment)."""
    when = as_of.replace(tzinfo=dt.UTC) if as_of and as_of.tzinfo is None else as_of
    with platform_session(start=False) as platform:
        if name is None:
            found = platform.risk_lists.list_lists(actor=cli_actor())
        else:
            found = [platform.risk_lists.get_list(name, actor=cli_actor(), as_of=when)]
    if as_json:
        print_json([{**_summary(x), "values": sorted(x.values)} for x in found])
        return
    print_table(["name", "kind", "type", "version", "values", "说明"],
                [[x.name, x.kind.value, x.element_type.value, x.version,
                  ", ".join(sorted(x.values)[:12]) + (" …" if len(x.values) > 12 else ""),
                  x.description_zh] for x in found])  # fmt: skip


@lists.command("create")
def create(
    name: str,
    kind: Annotated[ListKind, typer.Option(help="block, allow or reference")],
    element_type: Annotated[ElementType, typer.Option("--type", help="What the list holds")],
    description_zh: Annotated[str, typer.Option(help="中文说明")] = "",
    description_en: Annotated[str, typer.Option(help="English description")] = "",
) -> None:
    """Create an empty list."""
    with platform_session() as platform:
        platform.risk_lists.create_list(name, kind, element_type, actor=cli_actor(),
                                        description_zh=description_zh,
                                        description_en=description_en)  # fmt: skip
    typer.echo(f"created risk list {name}")


@lists.command("add")
def add(name: str, values: list[str], note: Annotated[str, typer.Option()] = "") -> None:
    """Add values to a list."""
    with platform_session() as platform:
        changed = platform.risk_lists.add_values(name, values, actor=cli_actor(), note=note)
    typer.echo(f"{name}: {len(changed.values)} value(s), version {changed.version}")


@lists.command("remove")
def remove(name: str, values: list[str], note: Annotated[str, typer.Option()] = "") -> None:
    """Remove values from a list (the history keeps them)."""
    with platform_session() as platform:
        changed = platform.risk_lists.remove_values(name, values, actor=cli_actor(), note=note)
    typer.echo(f"{name}: {len(changed.values)} value(s), version {changed.version}")


@lists.command("history")
def history(name: str, as_json: JsonFlag = False) -> None:
    """Every addition and removal, oldest first."""
    with platform_session(start=False) as platform:
        changes = platform.risk_lists.history(name, actor=cli_actor())
    if as_json:
        print_json(changes)
        return
    print_table(["at (UTC)", "action", "value", "actor", "note"],
                [[c.at.strftime("%Y-%m-%d %H:%M:%S"), c.action, c.value, c.actor, c.note]
                 for c in changes])  # fmt: skip


def _summary(risk_list: RiskList) -> dict[str, object]:
    return {"name": risk_list.name, "kind": risk_list.kind.value,
            "element_type": risk_list.element_type.value, "version": risk_list.version,
            "description_zh": risk_list.description_zh,
            "description_en": risk_list.description_en}  # fmt: skip
