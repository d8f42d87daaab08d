"""``lingang policies``: the incentive-policy catalogue (惠企政策), each policy's verdict for an
enterprise with its trace, declared facts, re-matching and an enterprise's inbox. The CLI
acts as an administrator (``cli:<os user>``); JSON output has the API's shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from lingang.api.schemas.policies import (
    grant_public,
    match_public,
    message_public,
    policy_public,
)
from lingang.cli.common import cli_actor, platform_session, print_json, print_table
from lingang.errors import Invalid
from lingang.policies.service import RematchReport

app = typer.Typer(help="Incentive policies · 惠企政策一键直达", no_args_is_help=True)
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON")]


def _report(report: RematchReport) -> None:
    typer.echo(f"{report.enterprises} enterprise(s) matched: {report.new_eligibilities} new "
               f"eligibilit(ies) pushed to inboxes, {report.grants} 免申即享 grant(s)")  # fmt: skip


@app.command("list")
def list_policies(as_json: JsonFlag = False) -> None:
    """Every policy of the catalogue."""
    with platform_session(start=False) as platform:
        found = platform.policies.policies(actor=cli_actor())
    if as_json:
        print_json([policy_public(p).model_dump(mode="json") for p in found])
        return
    print_table(["id", "title 政策", "area", "免申即享", "until", "eligibility"],
                [[p.id, p.title_zh, p.area.value, "yes" if p.exempt_application else "",
                  p.valid_to or "—", p.eligibility] for p in found])  # fmt: skip


@app.command("load")
def load(
    directory: Annotated[Path | None, typer.Option(help="A folder of policies-*.yaml")] = None,
) -> None:
    """Load the shipped catalogue (or a folder's) and re-evaluate every enterprise."""
    with platform_session(start=False) as platform:
        report = platform.policies.load_catalogue(actor=cli_actor(), directory=directory)
    _report(report)


@app.command("match")
def match(uscc: str, as_json: JsonFlag = False) -> None:
    """Every policy's verdict for an enterprise, with the condition that decided it."""
    with platform_session(start=False) as platform:
        found = platform.policies.match(uscc, actor=cli_actor())
    if as_json:
        print_json([match_public(m).model_dump(mode="json") for m in found])
        return
    rows = [[m.policy_id, f"{m.verdict.value} {m.verdict.label()}",
             m.failed or ("missing: " + ", ".join(m.missing) if m.missing else "")]
            for m in found]  # fmt: skip
    print_table(["policy", "verdict 结论", "why 原因"], rows)


@app.command("declare")
def declare(
    uscc: str,
    fact: Annotated[list[str], typer.Option(help="name=value, e.g. employees=20; repeatable")],
) -> None:
    """Set an enterprise's self-declared facts and re-evaluate it."""
    facts: dict[str, Any] = {}
    for item in fact:
        name, sep, value = item.partition("=")
        if not sep:
            raise Invalid("fact", f"{item!r}: write name=value")
        facts[name.strip()] = json.loads(value) if value.strip() else None
    with platform_session(start=False) as platform:
        stored = platform.policies.declare(uscc, facts, actor=cli_actor())
    print_json(stored)


@app.command("rematch")
def rematch() -> None:
    """Re-evaluate every enterprise against every policy."""
    with platform_session(start=False) as platform:
        report = platform.policies.rematch_all()
    _report(report)


@app.command("inbox")
def inbox(uscc: str, as_json: JsonFlag = False) -> None:
    """An enterprise's policy inbox, newest first, and its 免申即享 grants."""
    with platform_session(start=False) as platform:
        found = platform.policies.inbox(actor=cli_actor(), uscc=uscc)
        granted = platform.policies.grants(uscc, actor=cli_actor())
    if as_json:
        messages = [message_public(m).model_dump(mode="json") for m in found]
        grants = [grant_public(g).model_dump(mode="json") for g in granted]
        print_json({"messages": messages, "grants": grants})
        return
    for message in found:
        typer.echo(f"[{message.created_at:%Y-%m-%d}] {message.policy_id}: {message.text}")
    for grant in granted:
        typer.echo(f"granted 免申即享 {grant.policy_id}: {grant.amount_wan or '—'} 万元")
