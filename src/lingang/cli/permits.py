"""``lingang permits``: the service catalogue, applications at the counter, officers' work
queue, the statutory steps, the sweep (deemed acceptance, escalation), and the e-licence check
(一网通办). The CLI acts as an administrator (``cli:<os user>``); JSON output has the API's
shape. Rules in docs/permits.md."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lingang.api.schemas.permits import (
    ApplicationDetailPublic,
    ApplicationPublic,
    LicencePublic,
    NoticePublic,
    ReceiptPublic,
    VerificationTaskPublic,
    item_public,
    verify_public,
)
from lingang.cli.common import cli_actor, platform_session, print_json, print_table
from lingang.cli.permit_ratings import app as ratings_app
from lingang.errors import Invalid
from lingang.permits.model import PauseKind
from lingang.permits.service import Application, MaterialUpload

app = typer.Typer(help="Online services · 一网通办", no_args_is_help=True)
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON")]
FileOption = Annotated[
    list[str] | None,
    typer.Option(
        "--file", help="MATERIAL=PATH, once per file (material ids: lingang permits items)"
    ),
]


def _uploads(specs: list[str] | None) -> list[MaterialUpload]:
    found: list[MaterialUpload] = []
    for spec in specs or []:
        material, sep, path = spec.partition("=")
        if not sep:
            raise Invalid("file", f"{spec!r}: expected MATERIAL=PATH")
        file = Path(path)
        if not file.is_file():
            raise Invalid("file", f"{path}: no such file")
        found.append(MaterialUpload(material.strip(), file.name, file.read_bytes()))
    return found


def _print_apps(found: list[Application], as_json: bool) -> None:
    if as_json:
        print_json([ApplicationPublic.model_validate(a, from_attributes=True).model_dump(
            mode="json") for a in found])  # fmt: skip
        return
    print_table(["id", "item 事项", "enterprise", "state 状态", "due", "clock"],
                [[a.id, a.item_name, a.enterprise_uscc, f"{a.state} {a.state_label}",
                  a.due_at.isoformat() if a.due_at else "", a.sla_status or ""]
                 for a in found])  # fmt: skip


@app.command("items")
def items(as_json: JsonFlag = False) -> None:
    """The 事项清单: legal basis, materials, time limits and whether 告知承诺 applies."""
    with platform_session(start=False) as platform:
        found = platform.permits.items()
    if as_json:
        print_json([item_public(i).model_dump(mode="json", by_alias=True) for i in found])
        return
    print_table(["id", "name 名称", "limit (WD)", "告知承诺", "departments 部门", "materials 材料"],
                [[i.id, i.name, i.statutory_working_days, "yes" if i.commitment_allowed else "",
                  " / ".join(i.departments), ", ".join(m.id for m in i.materials)]
                 for i in found])  # fmt: skip


@app.command("apply")
def apply(
    item_id: str,
    uscc: Annotated[str, typer.Option(help="the enterprise applied for (counter, 窗口)")],
    file: FileOption = None,
    commitment: Annotated[str | None, typer.Option(help="告知承诺 text instead of proofs")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Apply for an item at the counter; with --commitment the licence is issued at once."""
    with platform_session() as platform:
        made = platform.permits.apply(item_id, _uploads(file), actor=cli_actor(), uscc=uscc,
                                      commitment=commitment)  # fmt: skip
    public = ApplicationDetailPublic.model_validate(made, from_attributes=True)
    if as_json:
        print_json(public.model_dump(mode="json"))
        return
    typer.echo(f"application {made.application.id}: {made.application.state} "
               f"({made.application.state_label})")  # fmt: skip
    if made.licence is not None:
        typer.echo(f"licence {made.licence.id}\nQR: {made.licence.qr_payload}")


@app.command("show")
def show(application_id: int, as_json: JsonFlag = False) -> None:
    """One application with its steps."""
    with platform_session(start=False) as platform:
        found = platform.permits.get(application_id, actor=cli_actor())
    if as_json:
        print_json(ApplicationDetailPublic.model_validate(found, from_attributes=True)
                   .model_dump(mode="json"))  # fmt: skip
        return
    _print_apps([found.application], False)
    print_table(["at", "actor", "action", "to", "detail"],
                [[s.at.isoformat(), s.actor, s.action, s.to_state, s.detail]
                 for s in found.steps])  # fmt: skip


@app.command("queue")
def queue(
    overdue: Annotated[bool, typer.Option(help="only breached clocks")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Officers' work queue, earliest deadline first (or the overdue list)."""
    with platform_session(start=False) as platform:
        actor = cli_actor()
        found = platform.permits.overdue(actor=actor) if overdue else platform.permits.queue(
            actor=actor)  # fmt: skip
    _print_apps(found, as_json)


@app.command("correct")
def correct(
    application_id: int,
    missing: Annotated[list[str] | None, typer.Option(help="a missing material id")] = None,
    note: str = "",
) -> None:
    """List every missing item once (default: the materials with no file)."""
    with platform_session() as platform:
        found = platform.permits.request_correction(application_id, actor=cli_actor(),
                                                    missing=missing, note=note)  # fmt: skip
    typer.echo(f"application {found.id}: missing {', '.join(found.missing)}")


@app.command("accept")
def accept(application_id: int, as_json: JsonFlag = False) -> None:
    """Accept (受理) and print the receipt."""
    with platform_session() as platform:
        receipt = platform.permits.accept(application_id, actor=cli_actor())
    if as_json:
        print_json(ReceiptPublic.model_validate(receipt, from_attributes=True).model_dump(
            mode="json"))  # fmt: skip
        return
    typer.echo(f"{receipt.number}: {receipt.text}")


@app.command("reject")
def reject(application_id: int, reason: Annotated[str, typer.Option()]) -> None:
    """Refuse to accept (不予受理) with the reason; prints the receipt."""
    with platform_session() as platform:
        receipt = platform.permits.reject(application_id, reason, actor=cli_actor())
    typer.echo(f"{receipt.number}: {receipt.text}")


@app.command("pause")
def pause(application_id: int, kind: PauseKind, note: str = "") -> None:
    """Stop the review clock (hearing, testing, expert review…: Art. 45)."""
    with platform_session() as platform:
        found = platform.permits.pause(application_id, kind, note, actor=cli_actor())
    typer.echo(f"application {found.id}: clock {found.sla_status}")


@app.command("resume")
def resume(application_id: int) -> None:
    """Run the review clock again."""
    with platform_session() as platform:
        found = platform.permits.resume(application_id, actor=cli_actor())
    typer.echo(f"application {found.id}: clock {found.sla_status}, due {found.due_at}")


@app.command("decide")
def decide(
    application_id: int,
    grant: Annotated[bool, typer.Option("--grant/--refuse")],
    reason: str = "",
) -> None:
    """Grant or refuse after review."""
    with platform_session() as platform:
        found = platform.permits.decide(application_id, grant, reason, actor=cli_actor())
    typer.echo(f"application {found.id}: {found.state} ({found.state_label})")


@app.command("issue")
def issue(application_id: int, as_json: JsonFlag = False) -> None:
    """Issue the signed e-licence of a granted application."""
    with platform_session() as platform:
        licence = platform.permits.issue(application_id, actor=cli_actor())
    if as_json:
        print_json(LicencePublic.model_validate(licence, from_attributes=True).model_dump(
            mode="json"))  # fmt: skip
        return
    typer.echo(f"licence {licence.id}, valid until {licence.valid_until}\nQR: {licence.qr_payload}")


@app.command("revoke")
def revoke(licence_id: str, reason: Annotated[str, typer.Option()]) -> None:
    """Revoke a licence with the reason."""
    with platform_session() as platform:
        platform.permits.revoke(licence_id, reason, actor=cli_actor())
    typer.echo(f"licence {licence_id} revoked")


@app.command("sweep")
def sweep() -> None:
    """Deem accepted the applications left over 5 WD, escalate breached clocks once, and
    remind the holders of licences expiring within 30 days (once per licence)."""
    with platform_session() as platform:
        touched = platform.permits.sweep()
        reminded = platform.permits.remind_renewals()
    typer.echo(f"{len(touched)} application(s): {', '.join(map(str, touched)) or '-'}")
    typer.echo(f"{len(reminded)} renewal reminder(s): {', '.join(reminded) or '-'}")


@app.command("licence-pdf")
def licence_pdf(
    licence_id: str,
    out: Annotated[Path, typer.Option(help="where to write the PDF")],
) -> None:
    """Write a licence as a PDF (fields, QR code, signature, public key)."""
    with platform_session(start=False) as platform:
        pdf = platform.permits.licence_pdf(licence_id, actor=cli_actor())
    out.write_bytes(pdf)
    typer.echo(f"{out} ({len(pdf):,} bytes)")


@app.command("qr")
def qr(
    licence_id: str,
    out: Annotated[Path, typer.Option(help="where to write the SVG")],
) -> None:
    """Write a licence's QR code (its public verify URL) as SVG."""
    with platform_session(start=False) as platform:
        svg = platform.permits.licence_qr_svg(licence_id, actor=cli_actor())
        url = platform.permits.licence(licence_id, actor=cli_actor()).qr_payload
    out.write_text(svg, "utf-8")
    typer.echo(f"{out}: {url}")


@app.command("notices")
def notices(uscc: str, as_json: JsonFlag = False) -> None:
    """An enterprise's notices (renewal reminders), newest first."""
    with platform_session(start=False) as platform:
        found = platform.permits.notices(actor=cli_actor(), uscc=uscc)
    if as_json:
        print_json([NoticePublic.model_validate(n, from_attributes=True).model_dump(mode="json")
                    for n in found])  # fmt: skip
        return
    print_table(["id", "kind", "licence", "sent", "notice 通知"],
                [[n.id, n.kind, n.licence_id, n.created_at.date().isoformat(), n.text()]
                 for n in found])  # fmt: skip


@app.command("verifications")
def verifications(as_json: JsonFlag = False) -> None:
    """Open post-issue 告知承诺 checks, earliest due first, with the plan that took them."""
    with platform_session(start=False) as platform:
        found = platform.permits.verification_tasks(actor=cli_actor())
    if as_json:
        print_json([VerificationTaskPublic.model_validate(t, from_attributes=True).model_dump(
            mode="json") for t in found])  # fmt: skip
        return
    print_table(["id", "application", "licence", "enterprise", "department 部门", "due",
                 "inspection plan"],
                [[t.id, t.application_id, t.licence_id, t.enterprise_uscc, t.department,
                  t.due_on.isoformat(), t.plan_id or ""] for t in found])  # fmt: skip


@app.command("verified")
def verified(
    task_id: int,
    kept: Annotated[bool, typer.Option("--kept/--false", help="was the commitment true?")],
    result: Annotated[str, typer.Option(help="what the check found")],
) -> None:
    """Record a check's result; a false commitment revokes the licence (and a credit record)."""
    with platform_session() as platform:
        done = platform.permits.complete_verification(task_id, kept, result, actor=cli_actor())
    typer.echo(f"verification {done.id}: {done.status}")


@app.command("verify")
def verify(licence_id: str, sig: Annotated[str, typer.Option(help="the QR code's sig")],
           as_json: JsonFlag = False) -> None:  # fmt: skip
    """Check a licence as anyone would: valid, revoked, expired or forged (exit 1 unless
    valid)."""
    with platform_session(start=False) as platform:
        found = platform.permits.verify(licence_id, sig)
    if as_json:
        print_json(verify_public(found).model_dump(mode="json"))
    else:
        typer.echo(f"{found.verdict.value} ({found.verdict.label()}): {found.reason}")
    if found.verdict.value != "valid":
        raise typer.Exit(1)


app.add_typer(ratings_app, name="ratings")  # 好差评: lingang permits ratings …
