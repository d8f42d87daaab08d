"""Policy pages (惠企政策一键直达): for an enterprise user, its inbox of new eligibilities and
every policy with its verdict and the trace of why (``/policies``); for staff, the catalogue
and a USCC box that opens an enterprise's verdicts (``/policies/{uscc}``)."""

from __future__ import annotations

from nicegui import ui

from lingang.bootstrap import Platform
from lingang.console.components.nav import POLICIES
from lingang.console.components.table import data_table, local_time, page_title
from lingang.console.i18n import Language, t
from lingang.console.pages.guard import console_detail_page, console_page
from lingang.policies.model import Match, Policy, Verdict
from lingang.types import Actor

VERDICT_COLOURS = {
    Verdict.ELIGIBLE: "#1b7837",
    Verdict.MAYBE: "#f1a340",
    Verdict.NOT_ELIGIBLE: "#999999",
}
CATALOGUE_COLUMNS = (
    ("id", "col.id"),
    ("title", "col.title"),
    ("issuer", "col.issuer"),
    ("area", "col.area"),
    ("benefit", "col.description"),
    ("exempt", "col.exempt"),
)


def register(platform: Platform) -> None:
    """Register ``/policies`` and ``/policies/{uscc}``."""

    @console_page(platform, POLICIES)
    def policies(actor: Actor, lang: Language) -> None:
        page_title(t("policies.title", lang))
        if actor.is_enterprise:
            uscc = platform.credit.own_uscc(actor)
            show_inbox(platform, actor, lang)
            if uscc is not None:
                show_matches(platform, actor, lang, uscc)
            return
        found = platform.policies.policies(actor=actor)
        data_table(
            lang, CATALOGUE_COLUMNS, [_policy_row(p, lang) for p in found], row_key="id"
        ).props("data-testid=policy-catalogue")
        with ui.row().classes("items-center gap-2 mt-4"):
            box = ui.input(t("credit.search", lang)).classes("w-72")
            box.props("data-testid=policy-uscc")
            ui.button(
                t("policies.open", lang),
                on_click=lambda: ui.navigate.to(f"/policies/{box.value.strip()}"),
            )

    @console_detail_page(platform, POLICIES, "/policies/{item_id}", text_id=True)
    def enterprise(actor: Actor, lang: Language, uscc: str) -> None:
        page_title(f"{t('policies.title', lang)} · {uscc}")
        show_matches(platform, actor, lang, uscc)


def show_inbox(platform: Platform, actor: Actor, lang: Language) -> None:
    """The enterprise's inbox: policies it newly qualifies for, newest first."""
    found = platform.policies.inbox(actor=actor)
    ui.label(t("policies.inbox", lang)).classes("text-lg font-medium mt-2")
    rows = [
        {
            "id": m.id,
            "at": local_time(m.created_at),
            "policy": m.policy_id,
            "text": m.text,
            "read": "" if m.read_at is None else t("policies.read", lang),
        }
        for m in found
    ]
    columns = (
        ("at", "col.time"),
        ("policy", "col.id"),
        ("text", "col.description"),
        ("read", "col.status"),
    )
    data_table(lang, columns, rows, row_key="id").props("data-testid=policy-inbox")


def show_matches(platform: Platform, actor: Actor, lang: Language, uscc: str) -> None:
    """Every policy with its verdict, and under it the trace of each condition."""
    titles = {p.id: p for p in platform.policies.policies(actor=actor)}
    found = platform.policies.match(uscc, actor=actor)
    ui.label(t("policies.verdicts", lang)).classes("text-lg font-medium mt-4")
    with ui.column().classes("w-full gap-2").props("data-testid=policy-verdicts"):
        for match in found:
            _verdict_card(match, titles.get(match.policy_id), lang)


def _verdict_card(match: Match, policy: Policy | None, lang: Language) -> None:
    colour = VERDICT_COLOURS[match.verdict]
    title = (
        match.policy_id
        if policy is None
        else (policy.title_en if lang == "en" else policy.title_zh)
    )
    reason = match.failed or "、".join(match.missing) or ""
    with (
        ui.card()
        .classes("w-full p-3")
        .style(f"border-left: 6px solid {colour}")
        .props(f"data-testid=verdict-{match.policy_id}")
    ):
        ui.label(f"{title} — {match.verdict.label(lang)}").classes("font-medium").style(
            f"color: {colour}"
        )
        if reason:
            ui.label(reason).classes("text-gray-700")
        with ui.expansion(t("policies.trace", lang)).classes("w-full"):
            for step in match.trace:
                mark = {True: "✔", False: "✘", None: "?"}[step.result]
                missing = (
                    f"（{t('policies.missing', lang)}：{'、'.join(step.missing)}）"
                    if (step.missing)
                    else ""
                )
                ui.label(f"{mark} {step.source}{missing}").classes("font-mono text-sm")


def _policy_row(policy: Policy, lang: Language) -> dict[str, object]:
    return {
        "id": policy.id,
        "title": policy.title_en if lang == "en" else policy.title_zh,
        "issuer": policy.issuer,
        "area": policy.area.value,
        "benefit": policy.benefit_en if lang == "en" else policy.benefit_zh,
        "exempt": t("policies.exempt", lang) if policy.exempt_application else "",
    }
