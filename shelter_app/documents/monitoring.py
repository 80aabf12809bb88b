"""The monitoring report: the dashboard's figures on paper, for funders, national
rapporteurs and referral mechanisms, in the reader's language.

Every table as published (the same protected counts the dashboard and ``shelter-admin
stats`` show: "< 11", "withheld", "hidden" in words) with a bar beside each shown count,
then the method: who is counted, who was left out and why, the threshold and the
suppression.  The report names nobody, so it carries no survivor's data; it is still
marked for its recipient on every page, like every document.
"""

from __future__ import annotations

import datetime as dt

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from shelter_app.documents import blocks as b
from shelter_app.documents.layout import (
    DocumentSpec,
    new_packet_id,
    para,
    render,
    rich,
    styles,
    text,
)
from shelter_app.domain.statistics import (
    Statistics,
    cell_text,
    counted_parts,
    method_parts,
    total_text,
)
from shelter_app.domain.suppression import Mark
from shelter_app.i18n import translator
from shelter_app.i18n.formatting import format_date, format_number

WIDTH = 170 * mm
BAR_WIDTH = 52 * mm


class Bar(Flowable):  # type: ignore[misc]  # reportlab has no type hints
    """A bar of *fraction* of its cell's width, from the start of the line (the right in a
    right-to-left report); nothing for a count that is not shown."""

    def __init__(self, fraction: float, *, rtl: bool, width: float = BAR_WIDTH) -> None:
        super().__init__()
        self.fraction = max(0.0, min(1.0, fraction))
        self.rtl = rtl
        self.width, self.height = width, 3.2 * mm

    def draw(self) -> None:
        length = self.width * self.fraction
        if length <= 0:
            return
        canvas = self.canv
        canvas.setFillColor(colors.HexColor("#2F6DB5"))
        canvas.setStrokeColor(colors.HexColor("#2F6DB5"))
        start = self.width - length if self.rtl else 0
        canvas.rect(start, 0.4 * mm, length, self.height - 0.8 * mm, fill=1, stroke=0)


def build_monitoring_report(stats: Statistics, *, organisation: str, recipient: str,
                            language: str, made_on: dt.date | None = None) -> bytes:
    """The report of *stats* (made in *language*, as its titles and labels are)."""
    _ = translator(language)
    st = styles(language)
    made_on = made_on or dt.date.today()
    spec = DocumentSpec(recipient=recipient, packet_id=new_packet_id(), language=language,
                        header=_("Monitoring report"))
    t = stats.threshold
    counted = counted_parts(stats, language)
    story: list[Flowable] = [
        para(text(_("Monitoring report")), st.title),
        b.fields([(_("Organisation"), organisation),
                  *([(_("Site"), stats.site)] if stats.site else []),
                  (_("Period"), _("{start} to {end}").format(
                      start=format_date(stats.start, language=language),
                      end=format_date(stats.end, language=language))),
                  (_("Made on"), format_date(made_on, length="long", language=language)),
                  (_("Smallest count shown"), format_number(t, language=language))], st),
        b.gap(3),
        rich(counted[0], st.body, **counted[1]),
    ]
    for table in stats.tables:
        shown = [cell.count for _label, cell in table.rows() if cell.mark is Mark.SHOWN]
        top = max(shown, default=0)
        rows: list[list[object]] = [
            [label, cell_text(cell, t, language),
             Bar(cell.count / top if cell.mark is Mark.SHOWN and top else 0.0, rtl=st.rtl)]
            for label, cell in table.rows()]
        total = total_text(table.counts, language)
        if total:
            rows.append([_("Total"), total, ""])
        story += [b.heading(table.title, st),
                  b.grid([_("Category"), table.unit, ""], rows, st,
                         widths=[WIDTH - 28 * mm - BAR_WIDTH - 6 * mm, 28 * mm,
                                 BAR_WIDTH + 6 * mm], small=True)]
    story += [b.heading(_("Method"), st),
              *[rich(template, st.body, **values)
                for template, values in method_parts(stats, language)]]
    return render(spec, story)
