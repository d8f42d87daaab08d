"""Chinese PDF building blocks shared by the platform's reports (reportlab).

Text is set in reportlab's built-in CID font ``STSong-Light`` (Adobe-GB1; the PDF reader
supplies the glyphs), so no font file ships. ``styles()`` gives the title, heading, body and
small paragraph styles in that font; ``grid`` a table with a light header row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, Table, TableStyle

CJK_FONT = "STSong-Light"
_registered: list[bool] = []


def cjk_font() -> str:
    """Register the CID font once per process; its name."""
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
        _registered.append(True)
    return CJK_FONT


def styles() -> dict[str, ParagraphStyle]:
    """``title``, ``h`` (section), ``p`` (body) and ``small`` in the CJK font."""
    font = cjk_font()
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=18, leading=24, alignment=1),
        "h": ParagraphStyle(
            "h", fontName=font, fontSize=13, leading=18, spaceBefore=8, spaceAfter=4
        ),
        "p": ParagraphStyle("p", fontName=font, fontSize=9.5, leading=13),
        "small": ParagraphStyle(
            "small", fontName=font, fontSize=8, leading=11, textColor=colors.grey
        ),
    }


def paragraph(text: object, style: ParagraphStyle) -> Paragraph:
    """Plain text (escaped) as a paragraph."""
    return Paragraph(escape(str(text)), style)


def grid(
    rows: Sequence[Sequence[object]], widths_mm: Sequence[float], style: ParagraphStyle,
    *, header: bool = True,
) -> Table:  # fmt: skip
    """A bordered table of paragraphs; the first row shaded when ``header``."""
    cells = [[paragraph(cell, style) for cell in row] for row in rows]
    made = Table(cells, colWidths=[w * mm for w in widths_mm], repeatRows=1 if header else 0)
    commands: list[Any] = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")))
    made.setStyle(TableStyle(commands))
    return made
