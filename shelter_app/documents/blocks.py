"""Building blocks for document stories: labelled fields, tables, check boxes, signature
lines.  Right-to-left documents get their columns mirrored, so a label stays at the start
of its line as the reader reads it."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from shelter_app.documents import fonts
from shelter_app.documents.layout import Styles, para, text, value


def table_style(commands: list[tuple[object, ...]]) -> TableStyle:
    """A table's style over an embedded font: a table's cells start in reportlab's
    Helvetica, which every page would then name without embedding it."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), fonts.SANS), *commands])


GRID = colors.HexColor("#999999")
SHADE = colors.HexColor("#EEEEEE")


def p(data: object, style: ParagraphStyle) -> Flowable:
    """A paragraph of plain *data* (escaped, each script in its font; in a right-to-left
    document a value with no Arabic stays one left-to-right run)."""
    return para(value(data, rtl=bool(getattr(style, "rtl", False))), style)


def heading(value: str, st: Styles) -> Flowable:
    return p(value, st.heading)


def _row(cells: list[Flowable], st: Styles) -> list[Flowable]:
    return cells[::-1] if st.rtl else cells


def _widths(widths: Sequence[float], st: Styles) -> list[float]:
    return list(widths)[::-1] if st.rtl else list(widths)


def fields(rows: Sequence[tuple[str, object]], st: Styles, *, width: float = 170 * mm,
           label_share: float = 0.34) -> Flowable:
    """Label / value pairs in two columns; an empty value shows a line to write on."""
    label_w = width * label_share
    data = [_row([para("<b>" + text(label) + "</b>", st.body), p(value, st.body)], st)
            for label, value in rows]
    if not data:
        return Spacer(1, 0)
    table = Table(data, colWidths=_widths([label_w, width - label_w], st), hAlign="CENTER")
    table.setStyle(table_style([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, GRID),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))
    return table


def fitted(widths: Sequence[float], cells: Sequence[Sequence[str]], font: str,
           size: float, padding: float = 8) -> list[float]:
    """*widths* changed so that each column is at least as wide as the longest word in it
    (a word too long for its column would be broken in the middle), taking the room from
    the columns that have some to spare; as given when the words cannot all fit."""
    need = [max((stringWidth(word, font, size) for row in cells for word in
                 str(row[i]).split()), default=0.0) + padding for i in range(len(widths))]
    total = sum(widths)
    if sum(need) >= total:
        return list(widths)
    short = {i for i, w in enumerate(widths) if w < need[i]}
    if not short:
        return list(widths)
    missing = sum(need[i] - widths[i] for i in short)
    spare = {i: widths[i] - need[i] for i in range(len(widths)) if i not in short}
    room = sum(spare.values())
    return [need[i] if i in short else widths[i] - missing * spare[i] / room
            for i in range(len(widths))]


def grid(header: Sequence[str], rows: Sequence[Sequence[object]], st: Styles, *,
         widths: Sequence[float], small: bool = False, repeat: bool = True,
         fill_height: float | None = None) -> Flowable:
    """A table with a shaded header row, repeated on every page it runs onto; columns are
    never narrower than their longest word.  *fill_height*: the height of each row, for
    rows left blank to be written on by hand."""
    style = st.small if small else st.body
    texts = [list(header), *[[str(c) for c in row] for row in rows
                             if not any(isinstance(c, Flowable) for c in row)]]
    widths = fitted(widths, texts, fonts.SANS_BOLD, style.fontSize)
    data = [_row([para("<b>" + text(h) + "</b>", style) for h in header], st)]
    data += [_row([c if isinstance(c, Flowable) else p(c, style) for c in row], st)
             for row in rows]
    table = Table(data, colWidths=_widths(widths, st), repeatRows=1 if repeat else 0,
                  hAlign="CENTER",
                  rowHeights=[None] + [fill_height] * len(rows) if fill_height else None)
    table.setStyle(table_style([
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table


def checkbox(checked: bool | None) -> str:
    """Markup of a box to tick on paper (□), or ticked (■): one glyph (from the monospaced
    font, which has them), so no bracket can be mirrored in a right-to-left line."""
    return f'<font name="{fonts.MONO}">{"■" if checked else "□"}</font>'


def choices(options: Sequence[str], st: Styles, *, chosen: str | None = None) -> Flowable:
    """Boxes to tick, on one line: □ Accepted   □ Declined."""
    rtl = bool(getattr(st.body, "rtl", False))
    marked = "&nbsp;&nbsp;&nbsp; ".join(f"{checkbox(o == chosen)} {value(o, rtl=rtl)}"
                                       for o in options)
    return para(marked, st.body)


def write_lines(count: int, *, width: float = 170 * mm) -> Flowable:
    """Ruled lines to write on."""
    table = Table([[""] for _i in range(count)], colWidths=[width], rowHeights=[8 * mm] * count)
    table.setStyle(table_style([("LINEBELOW", (0, 0), (-1, -1), 0.4, GRID)]))
    return table


def signature(labels: Sequence[str], st: Styles, *, width: float = 170 * mm,
              at_start: bool = False) -> Flowable:
    """Signature and date lines, side by side, each with its label under the line; centred,
    or *at_start* of the line (left, or right in a right-to-left document)."""
    cell = width / len(labels)
    data = [[""] * len(labels), _row([p(label, st.small) for label in labels], st)]
    table = Table(data, colWidths=[cell] * len(labels), rowHeights=[12 * mm, None],
                  hAlign=("RIGHT" if st.rtl else "LEFT") if at_start else "CENTER")
    table.setStyle(table_style([
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
        ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 10),
    ]))
    return KeepTogether([Spacer(1, 4 * mm), table])


def boxed(flowables: list[Flowable], *, width: float = 170 * mm) -> Flowable:
    """Flowables inside a ruled box (a notice the reader must not miss)."""
    table = Table([[flowables]], colWidths=[width])
    table.setStyle(table_style([
        ("BOX", (0, 0), (-1, -1), 0.8, colors.black),
        ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#F6F6F6")),
        ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        ("LEFTPADDING", (0, 0), (-1, -1), 8), ("RIGHTPADDING", (0, 0), (-1, -1), 8),
    ]))
    return table


def gap(height_mm: float = 4) -> Flowable:
    return Spacer(1, height_mm * mm)
