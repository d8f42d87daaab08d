"""Rule-set versions: the list, one version's scenarios and rules, and the moves between states.

A draft is edited in place by its author, with every change compiled as it is typed (the
same compiler the rule-set service uses on save). A second officer approves or rejects a
pending version. A draft or pending version can run in shadow; its report shows how its
verdicts on live events differ from the published version's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from nicegui import ui
from nicegui.elements.mixins.validation_element import ValidationElement

from lingang.bootstrap import Platform
from lingang.console.components.nav import RULE_SETS
from lingang.console.components.table import data_table, local_time, page_title
from lingang.console.i18n import LANGUAGES, Language, t
from lingang.console.pages.guard import console_detail_page, console_page
from lingang.errors import Invalid, LingangError
from lingang.risk.assessments.service import ShadowReport
from lingang.risk.rulesets.service import STATUS_LABELS, RuleSetVersion
from lingang.risk.scenarios.model import OUTCOME_LABELS, Outcome, load_document
from lingang.types import Actor

T = TypeVar("T")
COLUMNS = (
    ("version", "col.version"),
    ("status", "col.status"),
    ("author", "col.author"),
    ("created", "col.created"),
    ("decided_by", "col.decided_by"),
    ("rules", "col.rule_count"),
    ("shadow", "col.shadow"),
    ("note", "col.note"),
)
RULE_COLUMNS = (
    ("id", "col.rule"),
    ("expression", "col.expression"),
    ("weight", "col.weight"),
    ("reason", "col.reason"),
)
STATUS_COLOURS = {
    "draft": "grey-7",
    "pending": "orange-8",
    "published": "green-8",
    "retired": "blue-grey-5",
    "rejected": "red-8",
}
SHADOW_STATES = ("draft", "pending")


def register(platform: Platform) -> None:
    """Register ``/risk/rule-sets`` and ``/risk/rule-sets/{version}``."""

    @console_page(platform, RULE_SETS)
    def rule_sets(actor: Actor, lang: Language) -> None:
        versions = platform.rulesets.list_versions(actor=actor)
        page_title(t("rulesets.title", lang))
        ui.label(t("rulesets.hint", lang)).classes("text-gray-600")
        table = data_table(
            lang, COLUMNS, [version_row(v, lang) for v in versions], row_key="version"
        )
        table.props("data-testid=rule-set-versions")
        table.on("rowClick", lambda e: ui.navigate.to(f"/risk/rule-sets/{e.args[1]['version']}"))

    @console_detail_page(platform, RULE_SETS, "/risk/rule-sets/{item_id}")
    def rule_set(actor: Actor, lang: Language, item_id: int) -> None:
        VersionView(platform, actor, lang, platform.rulesets.get(item_id, actor=actor)).render()


def status_label(status: str, lang: Language) -> str:
    """A version status in ``lang`` (from the service's ``STATUS_LABELS``)."""
    pair = STATUS_LABELS.get(status)
    return pair[LANGUAGES.index(lang)] if pair else status


def version_row(version: RuleSetVersion, lang: Language) -> dict[str, object]:
    """One row of the version list."""
    return {
        "version": version.version,
        "status": status_label(version.status, lang),
        "author": version.author,
        "created": local_time(version.created_at),
        "decided_by": version.decided_by or "",
        "rules": version.rule_count,
        "shadow": t("common.yes", lang) if version.shadow else "",
        "note": version.note,
    }


def compact(table: ui.table) -> ui.table:
    """A short table: every row on one page, cells wrapped, no pagination footer."""
    table.pagination = {"rowsPerPage": 0}
    table.props("wrap-cells hide-bottom")
    return table


def attempt(action: Callable[[], T]) -> T | None:
    """Run one service call; a platform error becomes a notification and ``None``."""
    try:
        return action()
    except LingangError as exc:
        ui.notify(exc.message, type="negative", multi_line=True)
        return None


class VersionView:
    """One version: its facts, the actions its state allows, its scenarios and shadow report."""

    def __init__(
        self, platform: Platform, actor: Actor, lang: Language, version: RuleSetVersion
    ) -> None:
        self.platform = platform
        self.actor = actor
        self.lang = lang
        self.version = version
        self.data: dict[str, Any] = version.document.to_data()
        self.editable = version.status == "draft" and version.author == actor.username
        self.fields: dict[str, ValidationElement[Any]] = {}
        self.verdict: ui.label | None = None

    # --- layout ----------------------------------------------------------------------------

    def render(self) -> None:
        """The whole page."""
        self._heading()
        self._actions()
        if self.version.status == "pending":
            self._decision()
        if self.editable:
            ui.label(t("rulesets.editable", self.lang)).classes("text-gray-600")
            self.verdict = ui.label().props("data-testid=draft-verdict")
        self._shadow_report()
        for index, scenario in enumerate(self.data["scenarios"]):
            self._scenario(index, scenario)
        self.validate()

    def _heading(self) -> None:
        version, lang = self.version, self.lang
        with ui.row().classes("items-center gap-3"):
            ui.link(t("rulesets.back", lang), "/risk/rule-sets").classes("text-blue-800")
        with ui.row().classes("items-center gap-3"):
            page_title(t("rulesets.version_title", lang).format(version=version.version))
            ui.badge(
                status_label(version.status, lang), color=STATUS_COLOURS.get(version.status, "grey")
            ).props("data-testid=rule-set-status").classes("text-base")
            if version.shadow:
                ui.badge(t("col.shadow", lang), color="purple-7").classes("text-base")
        based_on = f"v{version.based_on}" if version.based_on else "—"
        ui.label(
            t("rulesets.facts", lang).format(
                author=version.author,
                created=local_time(version.created_at),
                based_on=based_on,
            )
        ).classes("text-gray-600")
        if version.note:
            ui.label(version.note).classes("text-gray-800")
        if version.decided_by and version.decided_at:
            ui.label(
                t("rulesets.decision", lang).format(
                    by=version.decided_by,
                    at=local_time(version.decided_at),
                    note=version.decision_note or "—",
                )
            ).classes("text-gray-600")

    def _actions(self) -> None:
        version, lang = self.version, self.lang
        with ui.row().classes("items-center gap-2"):
            ui.button(
                t("rulesets.new_draft", lang), icon="content_copy", on_click=self.new_draft
            ).props("outline no-caps")
            ui.button(
                t("rulesets.backtest", lang),
                icon="query_stats",
                on_click=lambda: ui.navigate.to(f"/risk/backtest?version={version.version}"),
            ).props("outline no-caps")
            if version.status in SHADOW_STATES:
                key = "rulesets.shadow_off" if version.shadow else "rulesets.shadow_on"
                ui.button(t(key, lang), icon="visibility", on_click=self.toggle_shadow).props(
                    "outline no-caps"
                )
            if self.editable:
                ui.button(t("rulesets.save", lang), icon="save", on_click=self.save).props(
                    "no-caps"
                )
                ui.button(t("rulesets.submit", lang), icon="send", on_click=self.submit).props(
                    "no-caps color=orange-9"
                )

    def _decision(self) -> None:
        lang = self.lang
        if self.version.author == self.actor.username:
            ui.label(t("rulesets.pending_own", lang)).classes("text-orange-800")
            return
        with ui.card().classes("w-full"), ui.row().classes("w-full items-end gap-4"):
            note = ui.input(t("rulesets.decision_note", lang)).classes("w-96")
            note.props("data-testid=decision-note")
            ui.button(
                t("rulesets.approve", lang),
                icon="verified",
                on_click=lambda: self.approve(note.value or ""),
            ).props("no-caps color=green-8")
            ui.button(
                t("rulesets.reject", lang),
                icon="undo",
                on_click=lambda: self.reject(note.value or ""),
            ).props("no-caps outline color=red-8")

    def _scenario(self, index: int, scenario: dict[str, Any]) -> None:
        lang = self.lang
        title = scenario["title_zh"] if lang == "zh-CN" else scenario["title_en"]
        with ui.card().classes("w-full").props(f"data-testid=scenario-{scenario['id']}"):
            with ui.row().classes("items-center gap-3"):
                ui.label(title).classes("text-lg font-semibold")
                ui.label(f"{scenario['id']} · {scenario['dataset']}").classes("text-gray-500")
            self._thresholds(index, scenario["thresholds"])
            if self.editable:
                for position, rule in enumerate(scenario["rules"]):
                    self._rule_editor(f"scenarios[{index}].rules[{position}]", rule)
                ui.button(
                    t("rulesets.add_rule", lang),
                    icon="add",
                    on_click=lambda: self.add_rule_dialog(scenario),
                ).props("flat no-caps")
            else:
                rows = [rule_row(r, lang) for r in scenario["rules"]]
                compact(data_table(lang, RULE_COLUMNS, rows, row_key="id"))

    def _thresholds(self, index: int, thresholds: dict[str, Any]) -> None:
        lang = self.lang
        with ui.row().classes("items-center gap-4"):
            ui.label(t("rulesets.thresholds", lang)).classes("text-gray-600")
            for key in ("review", "hold"):
                label = t(f"rulesets.{key}", lang)
                if not self.editable:
                    ui.label(f"{label} {thresholds[key]:g}")
                    continue
                box = ui.number(
                    label,
                    value=thresholds[key],
                    min=0,
                    max=100,
                    on_change=self._setter(thresholds, key),
                ).classes("w-36")
                self.fields[f"scenarios[{index}].thresholds.{key}"] = box.without_auto_validation()

    def _rule_editor(self, path: str, rule: dict[str, Any]) -> None:
        lang = self.lang
        with (
            ui.row()
            .classes("w-full items-start gap-3 no-wrap")
            .props(f"data-testid=rule-{rule['id']}")
        ):
            ui.label(rule["id"]).classes("w-16 pt-4 font-mono font-semibold")
            with ui.column().classes("grow gap-1"):
                source = ui.textarea(
                    t("col.expression", lang),
                    value=rule["expression"],
                    on_change=self._setter(rule, "expression"),
                )
                source.classes("w-full font-mono").props("outlined autogrow dense")
                with ui.row().classes("w-full gap-3 no-wrap"):
                    weight = ui.number(
                        t("col.weight", lang),
                        value=rule["weight"],
                        min=0,
                        max=100,
                        on_change=self._setter(rule, "weight"),
                    )
                    weight.classes("w-28")
                    zh = ui.input(
                        t("col.reason_zh", lang),
                        value=rule["reason_zh"],
                        on_change=self._setter(rule, "reason_zh"),
                    ).classes("grow")
                    en = ui.input(
                        t("col.reason_en", lang),
                        value=rule["reason_en"],
                        on_change=self._setter(rule, "reason_en"),
                    ).classes("grow")
        for key, element in (
            ("expression", source),
            ("weight", weight),
            ("reason_zh", zh),
            ("reason_en", en),
        ):
            self.fields[f"{path}.{key}"] = element.without_auto_validation()

    def _setter(self, target: dict[str, Any], key: str) -> Callable[[Any], None]:
        def change(event: Any) -> None:
            target[key] = event.value
            self.validate()

        return change

    def _shadow_report(self) -> None:
        version = self.version
        if version.status not in (*SHADOW_STATES, "rejected") and not version.shadow:
            return
        report = attempt(
            lambda: self.platform.assessments.shadow_report(version.version, actor=self.actor)
        )
        if report is None or (not version.shadow and not report.assessed):
            return
        show_shadow_report(report, self.lang)

    # --- checking --------------------------------------------------------------------------

    def validate(self) -> bool:
        """Compile the edited document; show the verdict and mark the field at fault."""
        if not self.editable or self.verdict is None:
            return True
        for element in self.fields.values():
            element.error = None
        try:
            self.platform.assessments.compile(load_document(self.data))
        except Invalid as exc:
            self.verdict.set_text(exc.message)
            self.verdict.classes(replace="text-red-700 font-mono whitespace-pre-wrap")
            self._mark(exc)
            return False
        except LingangError as exc:
            self.verdict.set_text(exc.message)
            self.verdict.classes(replace="text-red-700 font-mono whitespace-pre-wrap")
            return False
        self.verdict.set_text("✓ " + t("rulesets.valid", self.lang))
        self.verdict.classes(replace="text-green-700")
        return True

    def _mark(self, exc: Invalid) -> None:
        for path, element in self.fields.items():
            if exc.field == path or exc.field.startswith(path + "."):
                element.error = exc.reason
                return

    # --- actions ---------------------------------------------------------------------------

    def new_draft(self) -> None:
        """Copy this version's document into a new draft of the signed-in officer."""
        number = self.version.version
        created = attempt(
            lambda: self.platform.rulesets.create_draft(
                self.version.document.to_data(),
                actor=self.actor,
                note=t("rulesets.copied", self.lang).format(version=number),
                based_on=number,
            )
        )
        if created is not None:
            ui.notify(
                t("rulesets.draft_created", self.lang).format(version=created.version),
                type="positive",
            )
            ui.navigate.to(f"/risk/rule-sets/{created.version}")

    def save(self) -> bool:
        """Store the edited document (the service compiles it again)."""
        saved = attempt(
            lambda: self.platform.rulesets.update_draft(
                self.version.version, self.data, actor=self.actor
            )
        )
        if saved is not None:
            ui.notify(t("rulesets.saved", self.lang), type="positive")
        return saved is not None

    def submit(self) -> None:
        """Save, then ask a second officer for approval."""
        if not self.save():
            return
        done = attempt(
            lambda: self.platform.rulesets.submit(self.version.version, actor=self.actor)
        )
        if done is not None:
            ui.notify(t("rulesets.submitted", self.lang), type="positive")
            ui.navigate.reload()

    def approve(self, note: str) -> None:
        """Publish this pending version (a second officer only; the service checks)."""
        done = attempt(
            lambda: self.platform.rulesets.approve(
                self.version.version, actor=self.actor, note=note
            )
        )
        if done is not None:
            ui.notify(
                t("rulesets.approved", self.lang).format(version=done.version), type="positive"
            )
            ui.navigate.reload()

    def reject(self, note: str) -> None:
        """Send this pending version back; the service requires the note."""
        done = attempt(
            lambda: self.platform.rulesets.reject(self.version.version, actor=self.actor, note=note)
        )
        if done is not None:
            ui.notify(t("rulesets.rejected", self.lang), type="positive")
            ui.navigate.reload()

    def toggle_shadow(self) -> None:
        """Start or stop running this version in shadow."""
        wanted = None if self.version.shadow else self.version.version
        service = self.platform.rulesets
        if attempt(lambda: service.set_shadow(wanted, actor=self.actor) or True) is None:
            return
        key = "rulesets.shadow_started" if wanted else "rulesets.shadow_stopped"
        ui.notify(t(key, self.lang), type="positive")
        ui.navigate.reload()

    def add_rule_dialog(self, scenario: dict[str, Any]) -> None:
        """A dialog for a new rule of ``scenario``; it is saved with the draft when valid."""
        lang = self.lang
        with ui.dialog() as dialog, ui.card().classes("w-[40rem]"):
            ui.label(t("rulesets.add_rule", lang)).classes("text-lg font-semibold")
            rule_id = ui.input(t("col.rule", lang)).props("data-testid=new-rule-id")
            source = ui.textarea(t("col.expression", lang)).classes("w-full font-mono")
            weight = ui.number(t("col.weight", lang), value=10, min=0, max=100)
            zh = ui.input(t("col.reason_zh", lang)).classes("w-full")
            en = ui.input(t("col.reason_en", lang)).classes("w-full")
            problem = ui.label().classes("text-red-700 font-mono whitespace-pre-wrap")

            def add() -> None:
                rule = {
                    "id": (rule_id.value or "").strip(),
                    "expression": source.value or "",
                    "weight": weight.value,
                    "reason_zh": zh.value or "",
                    "reason_en": en.value or "",
                    "enabled": True,
                }
                scenario["rules"].append(rule)
                if not self._check_or_report(problem):
                    scenario["rules"].pop()
                    return
                if self.save():
                    dialog.close()
                    ui.navigate.reload()

            with ui.row().classes("gap-2"):
                ui.button(t("rulesets.add_rule", lang), icon="add", on_click=add)
                ui.button("✕", on_click=dialog.close).props("flat")
        dialog.open()

    def _check_or_report(self, target: ui.label) -> bool:
        try:
            self.platform.assessments.compile(load_document(self.data))
        except LingangError as exc:
            target.set_text(exc.message)
            return False
        return True


def rule_row(rule: dict[str, Any], lang: Language) -> dict[str, object]:
    """One read-only rule row; the reason follows the language."""
    return {
        "id": rule["id"],
        "expression": rule["expression"],
        "weight": f"{rule['weight']:g}",
        "reason": rule["reason_zh"] if lang == "zh-CN" else rule["reason_en"],
    }


def show_shadow_report(report: ShadowReport, lang: Language) -> None:
    """How the candidate's verdicts differ from the published version's on live events."""
    with ui.card().classes("w-full").props("data-testid=shadow-report"):
        ui.label(t("rulesets.shadow_report", lang)).classes("text-lg font-semibold")
        if not report.assessed:
            ui.label(t("rulesets.no_shadow_data", lang)).classes("text-gray-500")
            return
        ui.label(
            t("rulesets.shadow_summary", lang).format(
                assessed=f"{report.assessed:,}", changed=f"{report.changed_outcome:,}"
            )
        )
        with ui.row().classes("w-full gap-4 items-start no-wrap"):
            _counts(t("rulesets.transitions", lang), "col.change", report.transitions, lang)
            _counts(t("rulesets.only_shadow", lang), "col.rule", report.rules_only_in_shadow, lang)
            _counts(
                t("rulesets.only_published", lang), "col.rule", report.rules_only_in_published, lang
            )


def _counts(title: str, what: str, counts: dict[str, int], lang: Language) -> None:
    """One column of the shadow report: a count per transition or per rule, or —."""
    with ui.column().classes("grow"):
        ui.label(title).classes("font-medium")
        if not counts:
            ui.label("—").classes("text-gray-500")
            return
        rows = [{"key": _change_label(k, lang), "count": v} for k, v in sorted(counts.items())]
        compact(data_table(lang, (("key", what), ("count", "col.count")), rows, row_key="key"))


def _change_label(key: str, lang: Language) -> str:
    """``pass→review`` in words of ``lang``; a rule id is shown as it is."""
    if "→" not in key:
        return key
    return "→".join(outcome_label(part, lang) for part in key.split("→"))


def outcome_label(value: str | None, lang: Language) -> str:
    """An outcome (``pass``/``review``/``hold``) in ``lang``; anything else as it is."""
    if value is None or value not in {o.value for o in Outcome}:
        return value or "—"
    return OUTCOME_LABELS[Outcome(value)][LANGUAGES.index(lang)]
