"""The one page layout every document uses.

Each page carries a confidentiality footer naming the recipient and the packet id, and
"Page X of Y"; an optional diagonal watermark; neutral PDF metadata (no producer, no
author, no title naming anyone).  Documents are built in memory and returned as bytes.
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate

from shelter_app.documents import fonts
from shelter_app.i18n import _, is_rtl

MARGIN = 20 * mm
FOOTER_Y = 10 * mm
FOOTER_SIZE = 7.5
_FOOTER_STYLE = ParagraphStyle("footer", fontName=fonts.SANS, fontSize=FOOTER_SIZE,
                               leading=FOOTER_SIZE * 1.25, shaping=1)


def new_packet_id() -> str:
    """A short id printed on every page, linking a paper copy to its audit record."""
    return "PK-" + secrets.token_hex(4).upper()


@dataclass(frozen=True)
class DocumentSpec:
    recipient: str
    packet_id: str
    language: str = "en"
    watermark: str | None = None


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    mono: ParagraphStyle


def styles(language: str = "en") -> Styles:
    """Paragraph styles for *language*.  The base font is always Noto Sans, which covers the
    Latin, Vietnamese and Cyrillic scripts; ``text()`` sets Arabic runs in Noto Naskh Arabic.
    (The Arabic font has no Latin letters: as a base font it turned a passport number or an
    English label in an Arabic document into empty boxes.)"""
    fonts.register()
    rtl = is_rtl(language)
    base = fonts.SANS
    align = TA_RIGHT if rtl else TA_LEFT
    common: dict[str, Any] = {"fontName": base, "alignment": align, "shaping": 1}
    return Styles(
        title=ParagraphStyle("title", fontSize=18, leading=24, spaceAfter=8,
                             **{**common, "fontName": base + "-Bold"}),
        heading=ParagraphStyle("heading", fontSize=12.5, leading=17, spaceBefore=10, spaceAfter=4,
                               **{**common, "fontName": base + "-Bold"}),
        body=ParagraphStyle("body", fontSize=10.5, leading=15, spaceAfter=5, **common),
        small=ParagraphStyle("small", fontSize=8.5, leading=11,
                             textColor=colors.HexColor("#444444"), **common),
        mono=ParagraphStyle("mono", fontName=fonts.MONO, fontSize=17, leading=26, alignment=TA_LEFT,
                            spaceBefore=6, spaceAfter=6),
    )


def text(value: str) -> str:
    """Escape user text for a Paragraph, setting each script run in a font that has it."""
    runs: list[str] = []
    for arabic, run in fonts.script_runs(value):
        escaped = escape(run)
        runs.append(f'<font name="{fonts.ARABIC}">{escaped}</font>' if arabic else escaped)
    return "".join(runs)


class _NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab has no type hints
    """Holds every page until the end so the footer can say "Page X of Y"."""

    spec: DocumentSpec

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._decorate(number, total)
            super().showPage()
        super().save()

    def _decorate(self, number: int, total: int) -> None:
        spec = self.spec
        width, _height = self._pagesize
        if spec.watermark:
            self.saveState()
            self.setFillColor(colors.Color(0.6, 0.6, 0.6, alpha=0.18))
            self.setFont(fonts.font_for(spec.watermark, bold=True), 54)
            self.translate(width / 2, self._pagesize[1] / 2)
            self.rotate(45)
            self.drawCentredString(0, 0, spec.watermark)
            self.restoreState()
        self.saveState()
        footer = _("Confidential: for {recipient} only. Do not copy or pass on.").format(
            recipient=spec.recipient)
        page = _("Page {x} of {y}").format(x=number, y=total)
        self.setStrokeColor(colors.HexColor("#888888"))
        self.line(MARGIN, FOOTER_Y + 9, width - MARGIN, FOOTER_Y + 9)
        self.setFillColor(colors.HexColor("#333333"))
        right = f"{spec.packet_id}  ·  {page}"
        self.setFont(fonts.SANS, FOOTER_SIZE)
        self.drawRightString(width - MARGIN, FOOTER_Y, right)
        # The recipient may be written in any script: set the notice as a paragraph, so each
        # script run gets a font that has its letters and Arabic is shaped like body text.
        notice = Paragraph(text(footer), _FOOTER_STYLE)
        room = width - 2 * MARGIN - pdfmetrics.stringWidth(right, fonts.SANS, FOOTER_SIZE) - 12
        _w, h = notice.wrapOn(self, room, FOOTER_Y)
        notice.drawOn(self, MARGIN, FOOTER_Y - h + FOOTER_SIZE)
        self.restoreState()


def render(spec: DocumentSpec, story: Sequence[Flowable]) -> bytes:
    """Lay out *story* on A4 pages with the shared footer; returns the PDF bytes."""
    fonts.register()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=MARGIN + 8 * mm, title="", author="", subject="", creator="", producer="",
        keywords="", invariant=1, lang=spec.language.replace("_", "-"),
    )

    def maker(*args: Any, **kwargs: Any) -> _NumberedCanvas:
        canvas = _NumberedCanvas(*args, **kwargs)
        canvas.spec = spec
        canvas.setProducer("")
        canvas.setCreator("")
        return canvas

    doc.build(list(story), canvasmaker=maker)
    return neutral_comments(buffer.getvalue())


_GENERATOR_COMMENTS = (b"ReportLab Generated PDF document (opensource)",
                       b"ReportLab generated PDF document -- digest (opensource)")


def neutral_comments(pdf: bytes) -> bytes:
    """Blank reportlab's name out of the two PDF comments it writes.  Same length, so every
    byte offset in the cross-reference table stays right."""
    for comment in _GENERATOR_COMMENTS:
        pdf = pdf.replace(comment, b" " * len(comment))
    return pdf


def paragraphs(lines: Sequence[str], style: ParagraphStyle) -> list[Flowable]:
    return [Paragraph(text(line), style) for line in lines]
