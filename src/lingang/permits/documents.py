"""What an e-licence looks like to people: its QR code (SVG) and a one-page PDF.

The QR code encodes the public verify URL (:func:`lingang.permits.licences.qr_payload`), drawn
with reportlab's own QR widget (``reportlab.graphics.barcode.qr``, error correction M), so no
further package is needed. The PDF carries the certified fields, the QR code, the signature
and the platform's public key, so a reader can check it offline as well as by scanning.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from reportlab.graphics import renderSVG
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer

from lingang.pdf import grid, paragraph, styles

QR_SIZE_PT = 160.0

#: the certified fields, in the order the licence shows them: (payload key, zh, en)
FIELDS: tuple[tuple[str, str, str], ...] = (
    ("licence_id", "证照编号", "Licence number"),
    ("item_name", "许可事项", "Service item"),
    ("holder_uscc", "持证主体（统一社会信用代码）", "Holder (USCC)"),
    ("departments", "发证机关", "Issued by"),
    ("issued_on", "发证日期", "Issued on"),
    ("valid_until", "有效期至", "Valid until"),
    ("lane", "审批方式", "Approval lane"),
)
LANES = {"commitment": "告知承诺 commitment-based", "ordinary": "一般程序 ordinary"}


def qr_drawing(text: str, size: float = QR_SIZE_PT) -> Drawing:
    """A square drawing of the QR code of ``text``."""
    widget = QrCodeWidget(text, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    width, height = x1 - x0, y1 - y0
    drawing = Drawing(size, size, transform=[size / width, 0, 0, size / height, 0, 0])
    drawing.add(widget)
    return drawing


def qr_svg(text: str, size: float = QR_SIZE_PT) -> str:
    """The QR code of ``text`` as a standalone SVG document."""
    return str(renderSVG.drawToString(qr_drawing(text, size)))


def _value(payload: dict[str, Any], key: str) -> str:
    value = payload.get(key, "")
    if key == "departments" and isinstance(value, list):
        return " / ".join(str(v) for v in value)
    if key == "lane":
        return LANES.get(str(value), str(value))
    return str(value)


def licence_pdf(
    payload: dict[str, Any], signature: str, verify_url: str, public_key_hex: str,
    *, status_lines: Sequence[str] = (),
) -> bytes:  # fmt: skip
    """A one-page PDF of a signed licence: fields, QR code, signature and public key."""
    style = styles()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, title=str(payload.get("licence_id", "")),
                                 leftMargin=18 * mm, rightMargin=18 * mm)  # fmt: skip
    rows = [[f"{zh} {en}", _value(payload, key)] for key, zh, en in FIELDS]
    story: list[Any] = [
        paragraph("电子证照 Electronic licence", style["title"]),
        paragraph("中国（上海）自由贸易试验区临港新片区 · 一网通办", style["small"]),
        Spacer(1, 6 * mm),
        grid([["项目 Field", "内容 Value"], *rows], [62, 110], style["p"]),
        Spacer(1, 6 * mm),
        qr_drawing(verify_url, 42 * mm),
        paragraph(f"扫码核验 Scan to verify: {verify_url}", style["small"]),
        Spacer(1, 4 * mm),
        paragraph(f"Ed25519 签名 signature: {signature}", style["small"]),
        paragraph(f"平台公钥 platform public key: {public_key_hex}", style["small"]),
    ]
    story.extend(paragraph(line, style["p"]) for line in status_lines)
    document.build(story)
    return buffer.getvalue()
