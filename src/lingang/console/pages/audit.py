"""Audit log: the newest records, and a button that verifies the whole hash chain."""

from __future__ import annotations

from nicegui import run, ui

from lingang.audit.model import AuditEntry, VerifyReport
from lingang.bootstrap import Platform
from lingang.console.components.nav import AUDIT
from lingang.console.components.table import data_table, local_time, page_title
from lingang.console.i18n import Language, t
from lingang.console.pages.guard import console_page
from lingang.errors import LingangError
from lingang.types import Actor

NEWEST = 100
COLUMNS = (
    ("seq", "col.seq"),
    ("at", "col.at"),
    ("actor", "col.actor"),
    ("action", "col.action"),
    ("object", "col.object"),
    ("detail", "col.detail"),
)


def register(platform: Platform) -> None:
    """Register the audit page."""

    @console_page(platform, AUDIT)
    def audit(actor: Actor, lang: Language) -> None:
        with platform.uow.read() as db:
            records = platform.audit.list_records(db, actor=actor, limit=NEWEST)
        with ui.row().classes("w-full items-center gap-4"):
            page_title(t("audit.title", lang))
            ui.space()
            button = ui.button(t("audit.verify", lang), icon="verified").props("no-caps")
        findings = ui.column().classes("w-full gap-1")
        button.on_click(lambda: verify(platform, actor, lang, findings))
        ui.label(t("audit.newest", lang).format(count=len(records))).classes("text-gray-600")
        data_table(lang, COLUMNS, [record_row(r) for r in records], row_key="seq")


def record_row(entry: AuditEntry) -> dict[str, object]:
    """One table row."""
    return {
        "seq": entry.seq,
        "at": local_time(entry.at),
        "actor": entry.actor,
        "action": entry.action,
        "object": f"{entry.object_type} {entry.object_id}",
        "detail": entry.detail,
    }


async def verify(platform: Platform, actor: Actor, lang: Language, target: ui.column) -> None:
    """Verify the chain off the event loop and show the report in ``target``."""
    try:
        report = await run.io_bound(verify_chain, platform, actor)
    except LingangError as exc:
        ui.notify(exc.message, type="negative")
        return
    if report is not None:
        show_report(report, lang, target)


def verify_chain(platform: Platform, actor: Actor) -> VerifyReport:
    """One call to the audit service in its own read session."""
    with platform.uow.read() as db:
        return platform.audit.verify(db, actor=actor)


def show_report(report: VerifyReport, lang: Language, target: ui.column) -> None:
    """An intact chain in green; otherwise every finding, naming its row."""
    target.clear()
    with target:
        if report.ok:
            ui.label(t("audit.intact", lang).format(checked=report.checked)).classes(
                "text-green-800 font-medium"
            ).props("data-testid=audit-verdict")
            return
        ui.label(t("audit.broken", lang).format(count=len(report.findings))).classes(
            "text-red-800 font-medium"
        ).props("data-testid=audit-verdict")
        for finding in report.findings:
            ui.label(f"#{finding.seq} {finding.kind.value}: {finding.message}").classes(
                "text-red-700 text-sm font-mono"
            )
