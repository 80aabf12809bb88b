"""The one page layout every document uses.

Each page carries a confidentiality footer naming the recipient and the packet id, and
"Page X of Y", in the language of that page; an optional diagonal watermark; on packets for
an authority, a continuation-sheet header (pages 2 onwards) and a Bates number.  PDF
metadata stays neutral (no producer, no author, no title naming anyone).

Two ways onto paper, one drawing function (``decorate``):

- ``render(spec, story)``: a document laid out by reportlab in one pass; the canvas holds
  every page until the end, so it knows Y.
- ``overlay(spec, pages)``: the same decoration alone, one page per page of a packet
  assembled from several PDFs (exhibits), to be stamped onto them (``documents.assemble``).
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, A6, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate

from shelter_app.documents import fonts
from shelter_app.documents.shaping import RtlParagraph
from shelter_app.i18n import is_rtl, translator
from shelter_app.i18n.formatting import format_number

MARGIN = 20 * mm
FOOTER_Y = 10 * mm
HEADER_Y = 10 * mm  # from the top edge
FOOTER_SIZE = 7.5
PAGE_SIZES: dict[str, tuple[float, float]] = {"a4": A4, "letter": LETTER, "a6": A6}


def new_packet_id() -> str:
    """A short id printed on every page, linking a paper copy to its record."""
    return "PK-" + secrets.token_hex(4).upper()


@dataclass(frozen=True)
class DocumentSpec:
    """What every page of one document says about it."""

    recipient: str
    packet_id: str
    language: str = "en"
    watermark: str | None = None
    pagesize: tuple[float, float] = A4
    header: str = ""  # continuation-sheet header, from page *header_from* on
    header_from: int = 2
    bates_prefix: str = ""  # a Bates number on every page when set
    bates_start: int = 1
    margin: float = MARGIN
    # the confidentiality line of every page, already in the document's language, with
    # {recipient} where the recipient goes; empty: the standard line
    footer: str = ""

    def bates(self, number: int) -> str:
        return f"{self.bates_prefix}{self.bates_start + number - 1:06d}" if self.bates_prefix \
            else ""


@dataclass(frozen=True)
class PageInfo:
    """One page of an assembled packet: its size and whose language and recipient it has."""

    width: float
    height: float
    language: str
    recipient: str
    plain: bool = field(default=False)  # no header (a cover letter's first page)
    frame: tuple[float, float, float, float] | None = None  # an exhibit page's edges


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    mono: ParagraphStyle
    big: ParagraphStyle
    rtl: bool
    language: str


def styles(language: str = "en", *, scale: float = 1.0) -> Styles:
    """Paragraph styles for *language*.  The base font is always Noto Sans, which covers the
    Latin, Vietnamese and Cyrillic scripts; ``text()`` sets Arabic runs in Noto Naskh Arabic.
    (The Arabic font has no Latin letters: as a base font it turned a passport number or an
    English label in an Arabic document into empty boxes.)"""
    fonts.register()
    rtl = is_rtl(language)
    base = fonts.SANS
    align = TA_RIGHT if rtl else TA_LEFT
    common: dict[str, Any] = {"fontName": base, "alignment": align, "shaping": 1, "rtl": rtl}
    bold = {**common, "fontName": base + "-Bold"}
    s = scale
    return Styles(
        # a heading is never left alone at the foot of a page: it goes with what follows
        title=ParagraphStyle("title", fontSize=18 * s, leading=24 * s, spaceAfter=8 * s,
                             keepWithNext=1, **bold),
        heading=ParagraphStyle("heading", fontSize=12.5 * s, leading=17 * s, spaceBefore=10 * s,
                               spaceAfter=4 * s, keepWithNext=1, **bold),
        body=ParagraphStyle("body", fontSize=10.5 * s, leading=15 * s, spaceAfter=5 * s,
                            **common),
        small=ParagraphStyle("small", fontSize=8.5 * s, leading=11 * s,
                             textColor=colors.HexColor("#444444"), **common),
        mono=ParagraphStyle("mono", fontName=fonts.MONO, fontSize=17, leading=26,
                            alignment=TA_LEFT, spaceBefore=6, spaceAfter=6),
        big=ParagraphStyle("big", fontSize=34 * s, leading=42 * s, spaceAfter=12 * s,
                           **{**bold, "alignment": 1}),
        rtl=rtl, language=language,
    )


def text(value: object) -> str:
    """Escape user text for a Paragraph, setting each script run in a font that has it."""
    from xml.sax.saxutils import escape

    runs: list[str] = []
    for arabic, run in fonts.script_runs(str(value)):
        escaped = escape(run)
        runs.append(f'<font name="{fonts.ARABIC}">{escaped}</font>' if arabic else escaped)
    return "".join(runs)


ARABIC_SCALE = 1.15  # Naskh letters look smaller than Noto Sans at the same size


def value(data: object, *, rtl: bool) -> str:
    """Markup for a value printed in a document (a name, a phone number, an address).  In a
    right-to-left document a value with no Arabic letters is kept as one left-to-right run,
    as an isolate would keep it: "+34 955 000 000" does not come out "000 000 955 34+"."""
    from xml.sax.saxutils import escape

    data = str(data)
    if rtl and data.strip() and not fonts.has_arabic(data):
        return f'<font name="{fonts.SANS_LTR}">{escape(data)}</font>'
    return text(data)


def rich(template: str, style: ParagraphStyle, **values: object) -> Paragraph:
    """A paragraph of a translated sentence with ``{name}`` placeholders, each value set as
    ``value`` sets it."""
    import re

    rtl = bool(getattr(style, "rtl", False))
    pieces = re.split(r"\{(\w+)\}", template)
    for i in range(1, len(pieces), 2):  # a value that ends a sentence with its own full stop
        if pieces[i + 1].startswith(".") and str(values[pieces[i]]).endswith("."):
            pieces[i + 1] = pieces[i + 1][1:]  # ("… 2026 г." in Russian): not two
    markup = "".join(text(piece) if i % 2 == 0 else value(values[piece], rtl=rtl)
                     for i, piece in enumerate(pieces))
    return para(markup, style)


def sentence(words: str) -> str:
    """*words* ended with a full stop, unless they end with one already (a Russian or
    Ukrainian long date does: "6 декабря 2026 г.")."""
    return words if words.endswith(".") else words + "."


def para(markup: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of already-escaped *markup* (see ``text``): words of a right-to-left
    style are drawn in visual order (``shaping.RtlParagraph``); Arabic runs are set a little
    larger, and bold in a bold style."""
    arabic = f'<font name="{fonts.ARABIC}">'
    bold = style.fontName == fonts.SANS_BOLD
    if arabic in markup:
        name = fonts.ARABIC_BOLD if bold else fonts.ARABIC
        size = style.fontSize * ARABIC_SCALE
        markup = markup.replace(arabic, f'<font name="{name}" size="{size:.2f}">')
    if bold:  # the left-to-right copy of Noto Sans has a bold of its own
        markup = markup.replace(f'<font name="{fonts.SANS_LTR}">',
                                f'<font name="{fonts.SANS_LTR_BOLD}">')
    kind = RtlParagraph if getattr(style, "rtl", False) else Paragraph
    return kind(markup, style)


def paragraphs(lines: Sequence[str], style: ParagraphStyle) -> list[Flowable]:
    return [para(text(line), style) for line in lines]


# -- the decoration ---------------------------------------------------------------------
_FOOTER = {False: ParagraphStyle("footer", fontName=fonts.SANS, fontSize=FOOTER_SIZE,
                                 leading=FOOTER_SIZE * 1.25, shaping=1),
           True: ParagraphStyle("footer-rtl", fontName=fonts.SANS, fontSize=FOOTER_SIZE,
                                leading=FOOTER_SIZE * 1.25, shaping=1, alignment=TA_RIGHT,
                                rtl=True)}


def decorate(canvas: Canvas, spec: DocumentSpec, number: int, total: int, *,
             width: float, height: float, language: str | None = None,
             recipient: str | None = None, plain: bool = False) -> None:
    """Draw the watermark, header, footer and Bates number of page *number* of *total*."""
    fonts.register()
    language = language or spec.language
    _ = translator(language)
    rtl = is_rtl(language)
    margin = min(spec.margin, width * 0.08)
    canvas.saveState()
    if spec.watermark:
        canvas.saveState()
        canvas.setFillColor(colors.Color(0.6, 0.6, 0.6, alpha=0.18))
        canvas.setFont(fonts.font_for(spec.watermark, bold=True), min(54, width / 11))
        canvas.translate(width / 2, height / 2)
        canvas.rotate(45)
        canvas.drawCentredString(0, 0, spec.watermark, shaping=1,
                                 direction="RTL" if fonts.has_arabic(spec.watermark) else None)
        canvas.restoreState()
    if spec.header and number >= spec.header_from and not plain:
        _band(canvas, spec.header, margin, width, height - HEADER_Y, rtl, rule_below=True)
    footer = (spec.footer or _("Confidential: for {recipient} only. Do not copy or pass on.")
              ).replace("{recipient}", recipient or spec.recipient)
    page = _("Page {x} of {y}").format(x=format_number(number, language=language),
                                       y=format_number(total, language=language))
    canvas.setFillColor(colors.HexColor("#333333"))
    # (a middle dot between a Latin id and Arabic words sends pdftotext's reordering astray)
    ident = f"{spec.packet_id}   {page}" if rtl else f"{spec.packet_id}  ·  {page}"
    ident_width = pdfmetrics.stringWidth(ident, fonts.font_for(page), FOOTER_SIZE) + 4
    room = width - 2 * margin - ident_width - 12
    notice = para(text(footer), _FOOTER[rtl])
    _w, h = notice.wrapOn(canvas, room, FOOTER_Y)
    # the notice hangs from the footer line; on a small page it may take several lines,
    # and then it grows upwards rather than off the paper
    bottom = max(FOOTER_Y + FOOTER_SIZE - h, 6 * mm)
    top = bottom + h
    notice.drawOn(canvas, width - margin - room if rtl else margin, bottom)
    # the packet id and page sit at the end of the first line: the right, or the left when
    # the page reads from the right
    side = ParagraphStyle("ident", parent=_FOOTER[rtl], alignment=TA_LEFT if rtl else TA_RIGHT)
    label = para(text(ident), side)
    _w, lh = label.wrapOn(canvas, ident_width, FOOTER_Y)
    label.drawOn(canvas, margin if rtl else width - margin - ident_width, top - lh)
    rule = top + 1.5
    canvas.setStrokeColor(colors.HexColor("#888888"))
    canvas.setLineWidth(0.5)
    canvas.line(margin, rule, width - margin, rule)
    bates = spec.bates(number)
    if bates:
        canvas.setFont(fonts.MONO, 9)
        canvas.setFillColor(colors.black)
        canvas.drawRightString(width - margin, rule + 4, bates)
    canvas.restoreState()


def _band(canvas: Canvas, value: str, margin: float, width: float, y: float, rtl: bool, *,
          rule_below: bool) -> None:
    style = ParagraphStyle("band", parent=_FOOTER[rtl], fontSize=8, leading=10,
                           textColor=colors.HexColor("#222222"))
    band = para(text(value), style)
    _w, h = band.wrapOn(canvas, width - 2 * margin, 30)
    band.drawOn(canvas, margin, y - h + 8)
    if rule_below:
        canvas.setStrokeColor(colors.HexColor("#888888"))
        canvas.setLineWidth(0.5)
        canvas.line(margin, y - h + 4, width - margin, y - h + 4)


class Mark(Flowable):  # type: ignore[misc]  # reportlab has no type hints
    """Placed at the top of a part of a document: the pages from here on have their footer
    in *language* and name *recipient* (a survivor's copy inside a referral packet)."""

    width = height = 0

    def __init__(self, language: str, recipient: str) -> None:
        super().__init__()
        self.language = language
        self.recipient = recipient

    def wrap(self, *_args: Any) -> tuple[int, int]:
        return 0, 0

    def draw(self) -> None:
        self.canv._page_mark = (self.language, self.recipient)


class _NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab has no type hints
    """Holds every page until the end so the footer can say "Page X of Y"."""

    spec: DocumentSpec
    decorated: bool = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []
        self._page_mark: tuple[str, str] | None = None

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            if self.decorated:
                language, recipient = self._page_mark or (self.spec.language,
                                                          self.spec.recipient)
                width, height = self._pagesize
                decorate(self, self.spec, number, total, width=width, height=height,
                         language=language, recipient=recipient)
            super().showPage()
        super().save()


def render(spec: DocumentSpec, story: Sequence[Flowable], *, decorated: bool = True) -> bytes:
    """Lay out *story* on pages of ``spec.pagesize`` with the shared decoration (or, when
    *decorated* is False, with the same margins and nothing else: a part of a packet that
    is decorated after assembly); returns the PDF bytes."""
    fonts.register()
    buffer = io.BytesIO()
    margin = spec.margin
    doc = SimpleDocTemplate(
        buffer, pagesize=spec.pagesize, leftMargin=margin, rightMargin=margin,
        topMargin=margin + (4 * mm if spec.header else 0), bottomMargin=margin + 8 * mm,
        title="", author="", subject="", creator="", producer="", keywords="", invariant=1,
        lang=spec.language.replace("_", "-"), initialFontName=fonts.SANS,
    )

    def maker(*args: Any, **kwargs: Any) -> _NumberedCanvas:
        canvas = _NumberedCanvas(*args, **kwargs)
        canvas.spec = spec
        canvas.decorated = decorated
        canvas.setProducer("")
        canvas.setCreator("")
        return canvas

    doc.build(list(story), canvasmaker=maker)
    return neutral_comments(buffer.getvalue())


def overlay(spec: DocumentSpec, pages: Sequence[PageInfo]) -> bytes:
    """The decoration of every page of an assembled packet, alone, one page each."""
    fonts.register()
    buffer = io.BytesIO()
    # every canvas starts in an embedded font: the default (Helvetica) would be named in
    # each page without being embedded
    canvas = Canvas(buffer, pagesize=spec.pagesize, invariant=1, pageCompression=1,
                    initialFontName=fonts.SANS)
    canvas.setProducer("")
    canvas.setCreator("")
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        canvas.setPageSize((page.width, page.height))
        if page.frame:  # the edges of an exhibit's own page, scaled onto the packet's
            canvas.setStrokeColor(colors.HexColor("#BBBBBB"))
            canvas.setLineWidth(0.4)
            canvas.rect(*page.frame)
        decorate(canvas, spec, number, total, width=page.width, height=page.height,
                 language=page.language, recipient=page.recipient, plain=page.plain)
        canvas.showPage()
    canvas.save()
    return neutral_comments(buffer.getvalue())


_GENERATOR_COMMENTS = (b"ReportLab Generated PDF document (opensource)",
                       b"ReportLab generated PDF document -- digest (opensource)")


def neutral_comments(pdf: bytes) -> bytes:
    """Blank reportlab's name out of the two PDF comments it writes.  Same length, so every
    byte offset in the cross-reference table stays right."""
    for comment in _GENERATOR_COMMENTS:
        pdf = pdf.replace(comment, b" " * len(comment))
    return pdf
