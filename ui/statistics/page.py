"""The Statistics page: anonymised counts for a period, for coordinators.

Figures come from ``StatisticsService.produce`` (off the GUI thread: on a large vault it
takes seconds) already protected: counts below the organisation's threshold read "< 11",
and others are withheld where a total would give them away.  Every card has the numbers
in a table and, beside it, a chart of the counts that are shown.  Nothing on the page
lists or names a person, and nothing leads from a figure to the cases behind it.
Producing the figures is recorded in the audit log (how many cases, the threshold).
"""

from __future__ import annotations

import datetime as dt
import logging

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from shelter_app.domain import validate as v
from shelter_app.domain.roles import Action
from shelter_app.domain.statistics import Statistics, StatTable
from shelter_app.errors import ShelterError, ValidationError
from shelter_app.i18n import _
from shelter_app.i18n.formatting import fill
from shelter_app.services.registry import Services

from ..agenda.common import button, date_range, flow, tab_order
from ..background import Background
from ..cases import form as f
from ..session_end import unexpected
from ..widgets import BusyBar, MessageLabel, heading, named, paragraph

# (key, label); the dates each stands for are worked out on the day (``period_of``)
PERIODS = [("year", lambda: _("Last 12 months")), ("this_year", lambda: _("This year")),
           ("last_year", lambda: _("Last year")), ("dates", lambda: _("Between dates…"))]


log = logging.getLogger(__name__)

def may_see_statistics(services: Services) -> bool:
    return services.ctx.allowed(Action.VIEW_STATISTICS)


def period_of(key: str, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """The first and last day of a named period; None for typed dates.  The last 12 months
    are the twelve whole months before this one: figures that stay the same all month, that
    funders compare month by month, and that a large vault adds up fastest (the groups'
    counts, ``services/case_activity.py``); this year runs to today."""
    if key == "year":
        end = today.replace(day=1) - dt.timedelta(days=1)
        return end.replace(day=1, year=end.year - (end.month < 12),
                           month=end.month % 12 + 1), end
    if key == "this_year":
        return dt.date(today.year, 1, 1), today
    if key == "last_year":
        return dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
    return None


class StatisticsPage(QWidget):
    def __init__(self, services: Services, background: Background,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statistics_page")
        self._services = services
        self._background = background
        self._stale = True  # nothing shown yet, or records changed since
        self.result: Statistics | None = None
        self._counting_site: str | None = None  # the site of the count running
        self._shown_site: str | None = None  # the site of the figures shown
        self.breakdown: QDialog | None = None  # the breakdown open, if one is
        self.error = MessageLabel()
        self.period = QComboBox()
        for key, label in PERIODS:
            self.period.addItem(label(), key)
        named(self.period, _("Period"))
        from ..documents.choices import Choices

        self.site = Choices(_("Site"))
        self.site_label = QLabel(_("S&ite:"))
        self.site_label.setBuddy(self.site)
        self.since = f.date("since", _("&From:"))
        self.until = f.date("until", _("&To:"))
        self.show_button = button(_("&Show figures"), _(
            "Count the cases of the period whose survivor agreed to be counted"), self.apply)
        self.busy = BusyBar(_("Counting…"))
        self.dates = date_range((self.since, self.until), self.apply)
        period_label = QLabel(_("&Period:"))
        period_label.setBuddy(self.period)
        holder = QWidget()
        period_row = QHBoxLayout(holder)
        period_row.setContentsMargins(0, 0, 0, 0)
        period_row.addWidget(period_label)
        period_row.addWidget(self.period)
        period_row.addWidget(self.site_label)
        period_row.addWidget(self.site)
        self.counted = paragraph("")
        named(self.counted, _("Who is counted"))
        self.method = paragraph("")
        named(self.method, _("How small counts are protected"))
        self.cards = QWidget()
        self.cards_layout = QVBoxLayout(self.cards)
        self.cards_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.cards)
        self.scroll = scroll

        layout = QVBoxLayout(self)
        layout.addWidget(heading(_("Statistics")))
        layout.addWidget(paragraph(_(
            "Anonymised counts for a period, for reports to funders and authorities and "
            "to plan services. Only cases whose survivor agreed to be counted are "
            "included; small counts are never shown.")))
        layout.addWidget(flow(holder, self.dates, self.show_button))
        from .exports import Outputs

        self.outputs = Outputs(services, background, self._period_or_none, self.site.value,
                               self)
        layout.addWidget(self.outputs)
        layout.addWidget(self.busy)
        layout.addWidget(self.error)
        layout.addWidget(self.counted)
        layout.addWidget(self.method)
        layout.addWidget(scroll, 1)
        tab_order(self.period, self.site, self.since.focus, self.until.focus, self.show_button,
                  self.outputs.language, self.outputs.encrypt, self.outputs.report_button,
                  self.outputs.ctdc_button,
                  self.outputs.partner, self.outputs.htcds_button)
        self.period.currentIndexChanged.connect(self._period_changed)
        self._period_changed(first=True)
        self.fill_sites()
        self.site.currentIndexChanged.connect(self._site_changed)

    # -- the site ------------------------------------------------------------------------
    def fill_sites(self) -> None:
        """"All sites" and each of the organisation's sites (the retired ones too: their
        cases are still counted), keeping the one chosen; none shown when it has none."""
        chosen = self.site.value()
        self.site.blockSignals(True)
        try:
            self.site.clear()
            self.site.add(_("All sites"), None)
            for one in self._services.sites.all():
                self.site.add(fill(_("{name} (retired)"), name=one.name) if one.retired
                              else one.name, one.id)
            self.site.select(chosen)
        finally:
            self.site.blockSignals(False)
        many = self.site.count() > 1
        self.site.setVisible(many)
        self.site_label.setVisible(many)

    def _site_changed(self, _index: int = 0) -> None:
        self.apply()

    # -- the period --------------------------------------------------------------------
    def _period_changed(self, _index: int = 0, *, first: bool = False) -> None:
        typed = self.period.currentData() == "dates"
        self.dates.setVisible(typed)
        if typed:
            chosen = period_of("year", dt.date.today())
            assert chosen is not None
            if not self.since.get():
                self.since.put(chosen[0])
                self.until.put(chosen[1])
            self.since.focus.setFocus()
        elif not first:
            self.apply()

    def chosen(self) -> tuple[dt.date, dt.date]:
        """The period asked for (ValidationError naming ``since`` or ``until``)."""
        named_period = period_of(self.period.currentData(), dt.date.today())
        if named_period is not None:
            return named_period
        since = v.date(self.since.get(), "since", required=True)
        until = v.date(self.until.get(), "until", required=True)
        assert since is not None and until is not None
        v.order(since, until, "until", _("The end of the period is before its start."))
        return since, until

    def _period_or_none(self) -> tuple[dt.date, dt.date] | None:
        """The chosen period for a report; None after saying what is wrong with it."""
        try:
            return self.chosen()
        except ValidationError as exc:
            field = self.since if exc.field == "since" else self.until
            field.message.show_message(exc.message)
            field.focus.setFocus()
            return None

    # -- counting ----------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.outputs.fill_partners()  # the directory may have changed meanwhile
        self.fill_sites()
        if self._stale and not self._background_busy():
            self.apply()

    def _background_busy(self) -> bool:
        return self.busy.isVisibleTo(self)

    def data_changed(self) -> None:
        """Records changed: count again when the page is next shown (not at once: each
        count is recorded in the audit log)."""
        self._stale = True

    def apply(self) -> None:
        if self._background_busy():
            return
        self.error.clear_message()
        for field in (self.since, self.until):
            field.message.clear_message()
        chosen = self._period_or_none()
        if chosen is None:
            return
        start, end = chosen
        self._stale = False
        self.busy.show()
        self.show_button.setEnabled(False)
        statistics = self._services.statistics
        site = self.site.value()
        self._counting_site = site
        self._background.run(lambda: statistics.produce(start, end, site=site), self._shown,
                             self._failed, context=self)

    def _settle(self) -> None:
        self.busy.hide()
        self.show_button.setEnabled(True)

    def _failed(self, exc: BaseException) -> None:
        self._settle()
        self._stale = True
        if isinstance(exc, ShelterError):
            self.error.show_message(exc.message)
            return
        # said on the page, not only on standard error: the figures are not shown
        log.error("the statistics could not be counted (%s)", type(exc).__name__)
        self.error.show_message(unexpected(exc))

    def _shown(self, stats: Statistics) -> None:
        from shelter_app.domain.statistics import counted_text, method_text

        from .cards import Card

        self._settle()
        self.result = stats
        self._shown_site = self._counting_site
        self.counted.setText(counted_text(stats))
        self.method.setText("\n".join(method_text(stats)))
        self._clear_cards()
        for table in stats.tables:
            self.cards_layout.insertWidget(self.cards_layout.count() - 1,
                                           Card(table, stats.threshold, self.cards,
                                                # one site's figures are not broken down
                                                breakdown=None if self._shown_site
                                                else self.break_down))

    def break_down(self, table: StatTable, code: str) -> None:
        """Open the breakdown of one figure, for the period and site shown."""
        from .breakdown import BreakdownDialog

        if self.result is None:
            return
        dialog = BreakdownDialog(self._services, self._background,
                                 (self.result.start, self.result.end), self._shown_site,
                                 table, code, self)
        dialog.finished.connect(lambda _r: setattr(self, "breakdown", None))
        self.breakdown = dialog
        dialog.open()

    def _clear_cards(self) -> None:
        while self.cards_layout.count() > 1:
            item = self.cards_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:  # gone from the page at once, deleted soon after
                widget.hide()
                widget.setParent(None)  # type: ignore[call-overload]
                widget.deleteLater()

    # -- the end of the session --------------------------------------------------------
    def end_session(self) -> None:
        """Drop every figure (nothing of them is kept once the session ends)."""
        if self.breakdown is not None:
            self.breakdown.reject()
        self.result = None
        self._clear_cards()
        self.counted.clear()
        self.method.clear()
        self.outputs.forget()
        self.outputs.partner.clear()
