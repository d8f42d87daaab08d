"""The lake page: datasets, row counts, freshness, imports and quarantine."""

from __future__ import annotations

from nicegui import ui

from lingang.bootstrap import Platform
from lingang.console.components.nav import LAKE
from lingang.console.components.table import data_table, local_time, page_title
from lingang.console.i18n import Language, t
from lingang.console.pages.guard import console_page
from lingang.errors import LingangError
from lingang.lake.model import DatasetStats
from lingang.types import Actor

DATASET_COLUMNS = (
    ("name", "col.dataset"), ("label", "col.label"), ("rows", "col.rows"), ("files", "col.files"),
    ("first_day", "col.first_day"), ("last_day", "col.last_day"),
    ("ingested", "col.last_ingested"), ("quarantined", "col.quarantined"),
    ("imports", "col.imports"),
)  # fmt: skip
REJECT_COLUMNS = (
    ("import_id", "col.import_id"), ("line", "col.line"), ("field", "col.field"),
    ("reason", "col.reason"),
)  # fmt: skip


def register(platform: Platform) -> None:
    """Register ``/lake``."""

    @console_page(platform, LAKE)
    def lake(actor: Actor, lang: Language) -> None:
        stats = platform.lake.list_datasets(actor=actor)
        page_title(t("lake.title", lang))
        ui.label(t("lake.subtitle", lang)).classes("text-gray-600")
        data_table(lang, DATASET_COLUMNS, [dataset_row(s, lang) for s in stats], row_key="name")
        ui.label(t("lake.quarantine", lang)).classes("text-lg font-semibold mt-6")
        rejects = data_table(lang, REJECT_COLUMNS, [], row_key="key")

        def show(dataset: str) -> None:
            try:
                view = platform.lake.quarantine(dataset, actor=actor, limit=200)
            except LingangError as exc:
                ui.notify(exc.message, type="negative")
                return
            rejects.rows = [{"key": f"{r.import_id}:{r.line}", "import_id": r.import_id,
                             "line": r.line, "field": r.field, "reason": r.reason}
                            for r in view.rejects]  # fmt: skip

        names = [s.name for s in stats]
        picker = ui.select(names, label=t("col.dataset", lang), on_change=lambda e: show(e.value))
        picker.classes("w-64").move(target_index=4)


def dataset_row(stats: DatasetStats, lang: Language) -> dict[str, object]:
    """One row of the datasets table."""
    stored = stats.stored
    return {
        "name": stats.name,
        "label": stats.label_zh if lang == "zh-CN" else stats.label_en,
        "rows": f"{stored.rows:,}",
        "files": stored.files,
        "first_day": stored.first_day.isoformat() if stored.first_day else "",
        "last_day": stored.last_day.isoformat() if stored.last_day else "",
        "ingested": local_time(stored.last_ingested_at) if stored.last_ingested_at else "",
        "quarantined": f"{stats.quarantined_rows:,}",
        "imports": stats.imports,
    }
