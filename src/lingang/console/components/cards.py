"""Dashboard cards: a label, an icon and a number that a timer keeps current."""

from __future__ import annotations

from nicegui import ui


def count_card(label: str, icon: str, *, name: str) -> ui.label:
    """A card showing ``label``; returns the element holding the number (test id ``count-NAME``)."""
    with ui.card().classes("w-52 items-start gap-1"):
        with ui.row().classes("items-center gap-2 text-gray-600"):
            ui.icon(icon).classes("text-2xl text-blue-800")
            ui.label(label).classes("text-sm")
        value = ui.label("–").classes("text-3xl font-semibold text-gray-900")
        value.props(f"data-testid=count-{name}")
    return value
