"""``lingang risk``: the risk engine's commands — named lists and the learned scorers."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from lingang.cli import amlsim, rulesets
from lingang.cli.common import cli_actor, platform_session, print_json, print_table
from lingang.config import Settings
from lingang.errors import Invalid, NotFound, Unavailable
from lingang.risk.backtest import BacktestReport
from lingang.risk.lists.model import ElementType, ListKind, RiskList
from lingang.risk.scorers import kcs as kcs_data
from lingang.risk.scorers.kcs import DEFAULT_SCORER

app = typer.Typer(help="Risk engine · 风险引擎", no_args_is_help=True)
lists = typer.Typer(help="Named risk lists · 风险名单", no_args_is_help=True)
app.add_typer(lists, name="lists")
app.add_typer(rulesets.app, name="rule-sets")
app.command("amlsim")(amlsim.amlsim)
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON")]
DataOption = Annotated[str, typer.Option("--data", help="Labelled data set (kcs, zone)")]
ValidOption = Annotated[Path, typer.Option("--valid", help="Validation (selection) CSV")]
LABEL_SOURCES = ("truth", "cases")


@app.command("train")
def train(
    data: DataOption = "kcs",
    train_path: Annotated[Path, typer.Option("--train", help="Training CSV")] = (
        kcs_data.DEFAULT_TRAIN
    ),
    valid_path: ValidOption = kcs_data.DEFAULT_VALID,
    name: Annotated[str, typer.Option(help="Scorer name")] = DEFAULT_SCORER,
    labels: Annotated[str, typer.Option(
        "--labels", help="zone labels: truth (the simulator's) or cases (case closures)",
    )] = "truth",
    min_labels: Annotated[int | None, typer.Option(
        "--min-labels", help="With --labels cases: fewest labels of each side (default 20)",
    )] = None,
    as_json: JsonFlag = False,
) -> None:  # fmt: skip
    """Train the plain baseline and the platform scorer; save the scorer; compare them.
    ``--data zone`` trains the zone scorer on the simulated zone in the data directory;
    ``--labels cases`` trains it on case-closure labels instead of the simulator's truth."""
    from lingang.risk.scorers import runs  # LightGBM loads only for the scorer commands

    if labels not in LABEL_SOURCES:
        raise Invalid("labels", f"unknown labels {labels!r}; known: {', '.join(LABEL_SOURCES)}")
    if data == "zone":
        _train_zone(as_json, labels, min_labels)
        return
    if labels != "truth":
        raise Invalid("labels", "case labels train the zone scorer: use --data zone")
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


def _train_zone(as_json: bool, labels: str = "truth", min_labels: int | None = None) -> None:
    from lingang.lake.store import LakeStore
    from lingang.risk.scorers import runs

    data_dir = Settings().data_dir
    examples = None
    if labels == "cases":
        with platform_session(start=False) as platform:
            found = platform.feedback.labelled_examples("declarations", actor=cli_actor())
        examples = [(example.record, example.label) for example in found]
    zone = runs.train_zone(data_dir, LakeStore(data_dir / "lake"), labels=examples,
                           min_labels=min_labels)  # fmt: skip
    if as_json:
        print_json(zone.to_json())
        return
    typer.echo(f"saved {zone.scorer} version {zone.version} in {zone.folder} "
               f"(labels: {zone.labels})")  # fmt: skip
    typer.echo(f"train {zone.train_start}–{zone.split}: {zone.train_rows} lines "
               f"({zone.train_positives} truth); valid to {zone.valid_end}: {zone.valid_rows} "
               f"lines ({zone.valid_positives} truth, base rate {zone.base_rate:.3%})")  # fmt: skip
    typer.echo(f"trees: {zone.trees} over {zone.features} features, {zone.seconds} s")
    print_table(runs.METRIC_HEADERS, runs.metric_rows({zone.scorer: zone.valid}))


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


@app.command("backtest")
def backtest(
    start: Annotated[dt.datetime, typer.Option("--from", help="First day (YYYY-MM-DD)")],
    end: Annotated[dt.datetime, typer.Option("--to", help="Last day (YYYY-MM-DD)")],
    version: Annotated[
        int | None, typer.Option(help="Rule-set version (default: published)")
    ] = None,
    source: Annotated[
        Path | None, typer.Option("--file", help="A YAML/JSON document instead")
    ] = None,
    capacity: Annotated[
        float | None,
        typer.Option(
            help="Inspection capacity as a share, e.g. 0.03: tune the review threshold to it"
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Run a rule set over the lake: hits per rule, overlap, precision vs truth, alerts per day."""
    from lingang.cli.rulesets import read_document

    document = read_document(source) if source is not None else None
    with platform_session(start=False) as platform:
        report = platform.risk.backtest(actor=cli_actor(), start=start.date(), end=end.date(),
                                        version=version, document=document,
                                        capacity=capacity)  # fmt: skip
    if as_json:
        print_json(report)
        return
    _print_backtest(report)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _print_backtest(report: BacktestReport) -> None:
    rows = ", ".join(f"{d} {n:,}" for d, n in report.rows.items())
    typer.echo(f"rule set {report.version}, {report.start} – {report.end}: {rows} rows "
               f"in {report.seconds:.1f} s")  # fmt: skip
    print_table(["scenario", "dataset", "review", "hold", "truth rows", "precision", "recall"],
                [[s.scenario, s.dataset, s.review, s.hold,
                  "—" if s.truth_rows is None else s.truth_rows, _pct(s.precision),
                  _pct(s.recall)] for s in report.scenarios])  # fmt: skip
    typer.echo("")
    print_table(["rule", "scenario", "hits", "hit rate", "precision"],
                [[r.rule, r.scenario, r.hits, f"{r.hit_rate:.3%}", _pct(r.precision)]
                 for r in report.rules])  # fmt: skip
    alerts = [d.review + d.hold for d in report.days]
    if alerts:
        typer.echo(f"\nalerts per day: mean {sum(alerts) / len(alerts):.1f}, max {max(alerts)} "
                   f"over {len(alerts)} days")  # fmt: skip
    for t in report.tuning:
        typer.echo(
            f"capacity {t.capacity:.1%} of {t.dataset}: review threshold {t.threshold:g} → "
            f"{t.alerts:,} alerts ({t.alert_rate:.2%}), precision {_pct(t.precision)}"
        )


@app.command("assess")
def assess(
    dataset: Annotated[str, typer.Option(help="Lake dataset of the events")],
    source: Annotated[Path, typer.Argument(help="JSON Lines file, one event per line")],
    bus: Annotated[bool, typer.Option("--bus", help="Publish for `lingang worker risk`")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Assess events now (in batches of 1,000), or publish them to the bus for the worker."""
    from lingang.risk.assessments.events import EventSubmitted
    from lingang.risk.assessments.record import check_record, dataset_of

    records = _read_jsonl(source)
    with platform_session() as platform:
        if bus:
            if platform.settings.bus != "nats":
                raise Unavailable("the in-process bus does not reach a worker in another "
                                  "process; set LINGANG_BUS=nats")  # fmt: skip
            spec = dataset_of(dataset)
            for index, raw in enumerate(records):
                try:
                    check_record(spec, raw)
                except Invalid as exc:
                    raise Invalid(f"line {index + 1}: {exc.field}", exc.reason) from exc
            with platform.uow() as uow:
                for raw in records:
                    uow.emit(EventSubmitted(dataset=dataset, record=raw))
                uow.commit()
            typer.echo(f"{len(records):,} event(s) published to the bus")
            return
        done = []
        for first in range(0, len(records), 1000):
            done += platform.assessments.assess_many(dataset, records[first:first + 1000],
                                                     actor=cli_actor(), source="cli")  # fmt: skip
    if as_json:
        print_json(done)
        return
    print_table(["record", "outcome", "score", "scenario", "rules"],
                [[a.record_key, a.outcome.value, f"{a.score:g}", a.top_scenario or "",
                  ", ".join(h["rule"] for h in a.hits)] for a in done])  # fmt: skip


def _read_jsonl(source: Path) -> list[dict[str, Any]]:
    if not source.is_file():
        raise NotFound(f"no file {source}")
    records: list[dict[str, Any]] = []
    for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise Invalid(f"line {number}", f"not JSON: {exc.msg}") from exc
        if not isinstance(value, dict):
            raise Invalid(f"line {number}", "must be a JSON object")
        records.append(value)
    if not records:
        raise Invalid("file", f"{source.name} holds no events")
    return records
