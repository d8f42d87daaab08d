"""Read-only tables with translated column headers, and the console's time format."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from nicegui import ui

from lingang.console.i18n import Language, t

CHINA_TIME = dt.timezone(dt.timedelta(hours=8), "CST")  # no daylight saving in China


def data_table(
    lang: Language,
    columns: Sequence[tuple[str, str]],
    rows: Sequence[Mapping[str, Any]],
    *,
    row_key: str,
) -> ui.table:
    """A table whose columns are ``(field, label key)`` pairs."""
    specs = [
        {"name": field, "field": field, "label": t(key, lang), "align": "left", "sortable": True}
        for field, key in columns
    ]
    table = (
        ui.table(columns=specs, rows=[dict(row) for row in rows], row_key=row_key, pagination=25)
        .classes("w-full")
        .props("flat bordered dense")
    )
    table.props["rows-per-page-label"] = t("table.rows_per_page", lang)
    table.props["no-data-label"] = t("table.no_data", lang)
    return table


def local_time(moment: dt.datetime) -> str:
    """A timestamp as Shanghai wall-clock time, to the second."""
    return moment.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M:%S")


def page_title(text: str) -> None:
    """The heading of a page."""
    ui.label(text).classes("text-2xl font-semibold text-gray-900")
