"""``lingang risk rule-sets``: versions of the scenario library and their approval."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import yaml

from lingang.cli.common import cli_actor, platform_session, print_json, print_table
from lingang.errors import Invalid, NotFound
from lingang.risk.rulesets.service import STATUS_LABELS, RuleSetVersion
from lingang.yamltext import load_yaml

app = typer.Typer(help="Rule-set versions · 规则集版本", no_args_is_help=True)
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON")]


def _row(v: RuleSetVersion) -> list[object]:
    label = STATUS_LABELS.get(v.status, (v.status, v.status))[0]
    return [v.version, f"{v.status} {label}", v.author, v.created_at.strftime("%Y-%m-%d %H:%M"),
            v.decided_by or "", v.rule_count, "shadow" if v.shadow else "", v.note]  # fmt: skip


@app.command("list")
def list_versions(as_json: JsonFlag = False) -> None:
    """Every version, newest first."""
    with platform_session(start=False) as platform:
        versions = platform.rulesets.list_versions(actor=cli_actor())
    if as_json:
        print_json([{k: v for k, v in _public(x).items() if k != "document"} for x in versions])
        return
    print_table(["version", "status 状态", "author", "created (UTC)", "decided by", "rules",
                 "", "note"], [_row(v) for v in versions])  # fmt: skip


@app.command("export")
def export(version: int, out: Annotated[Path, typer.Argument(help="YAML file to write")]) -> None:
    """Write a version's document as YAML (edit it, then ``draft`` it)."""
    with platform_session(start=False) as platform:
        found = platform.rulesets.get(version, actor=cli_actor())
    text = yaml.safe_dump(found.document.to_data(), allow_unicode=True, sort_keys=False)
    out.write_text(text, encoding="utf-8")
    typer.echo(f"version {version} written to {out}")


@app.command("draft")
def draft(
    source: Annotated[Path, typer.Argument(help="YAML or JSON document")],
    note: Annotated[str, typer.Option(help="What changed and why")] = "",
    based_on: Annotated[int | None, typer.Option(help="The version it derives from")] = None,
) -> None:
    """Save a document as a new draft (every rule must compile)."""
    data = read_document(source)
    with platform_session() as platform:
        made = platform.rulesets.create_draft(data, actor=cli_actor(), note=note,
                                              based_on=based_on)  # fmt: skip
    typer.echo(f"draft version {made.version} saved ({made.rule_count} rules)")


@app.command("submit")
def submit(version: int) -> None:
    """Ask a second officer to approve a draft."""
    with platform_session() as platform:
        platform.rulesets.submit(version, actor=cli_actor())
    typer.echo(f"version {version} submitted for approval")


@app.command("approve")
def approve(version: int, note: Annotated[str, typer.Option()] = "") -> None:
    """Approve and publish a pending version (not its author)."""
    with platform_session() as platform:
        platform.rulesets.approve(version, actor=cli_actor(), note=note)
    typer.echo(f"version {version} published")


@app.command("reject")
def reject(version: int, note: Annotated[str, typer.Option(help="Why")] = "") -> None:
    """Send a pending version back, with the reason."""
    with platform_session() as platform:
        platform.rulesets.reject(version, actor=cli_actor(), note=note)
    typer.echo(f"version {version} rejected")


@app.command("shadow")
def shadow(
    version: Annotated[int | None, typer.Argument(help="Draft or pending version")] = None,
    stop: Annotated[bool, typer.Option("--stop", help="Stop the shadow run")] = False,
    report: Annotated[bool, typer.Option("--report", help="Show the differences")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Run a candidate in shadow beside the published version, stop it, or report on it."""
    with platform_session() as platform:
        if report:
            if version is None:
                raise Invalid("version", "name the version to report on")
            found = platform.assessments.shadow_report(version, actor=cli_actor())
            if as_json:
                print_json(found)
                return
            typer.echo(f"version {version}: {found.assessed} assessed in shadow, "
                       f"{found.changed_outcome} with another outcome")  # fmt: skip
            print_table(["transition", "events"], sorted(found.transitions.items()))
            return
        if stop == (version is not None):
            raise Invalid("version", "give a version, or --stop")
        platform.rulesets.set_shadow(None if stop else version, actor=cli_actor())
    typer.echo("shadow run stopped" if stop else f"version {version} runs in shadow")


def read_document(source: Path) -> object:
    """A rule-set document from a YAML or JSON file (``NotFound``/``Invalid`` when unreadable)."""
    if not source.is_file():
        raise NotFound(f"no file {source}")
    try:
        return load_yaml(source.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise Invalid("document", f"{source.name} is not YAML or JSON: {exc}") from exc


def _public(v: RuleSetVersion) -> dict[str, object]:
    return {"version": v.version, "status": v.status, "based_on": v.based_on,
            "author": v.author, "created_at": v.created_at, "decided_by": v.decided_by,
            "decided_at": v.decided_at, "published_at": v.published_at, "shadow": v.shadow,
            "rule_count": v.rule_count, "sha256": v.sha256, "note": v.note}  # fmt: skip
