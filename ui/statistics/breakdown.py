"""The breakdown of one figure of the dashboard: how the survivors (or records) behind it
divide by one characteristic of the survivors, counts only.

Opened from a card (Enter or a double click on a row, or its "Break down…" button), for
the period and site the dashboard shows.  The counts come from
``StatisticsService.breakdown`` off the GUI thread, protected as a two-way table; a figure
that cannot be broken down says why here.  Nothing in it names or lists anyone.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from shelter_app.domain.statistics import StatTable
from shelter_app.errors import ShelterError
from shelter_app.i18n import _
from shelter_app.i18n.formatting import fill, format_number
from shelter_app.services.registry import Services
from shelter_app.services.statistics_breakdown import Breakdown, choices

from ..background import Background
from ..documents.choices import Choices
from ..session_end import unexpected
from ..widgets import BusyBar, MessageLabel, named, paragraph
from .cards import counts_table


def breakdown_table(made: Breakdown) -> StatTable:
    """The breakdown as a table of the dashboard's kind (for the same counts widget)."""
    return StatTable(f"breakdown_{made.by}", made.by, made.unit, made.labels, made.counts)


class BreakdownDialog(QDialog):
    def __init__(self, services: Services, background: Background, period: tuple[
            dt.date, dt.date], site: str | None, table: StatTable, code: str,
            parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("breakdown")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._services = services
        self._background = background
        self._period = period
        self._site = site
        self._table = table
        self._code = code
        self.result: Breakdown | None = None
        label = dict(table.labels)[code]
        self.setWindowTitle(fill(_("Break down: {figure}"), figure=label))
        cell = table.counts.cell(code)
        heading = QLabel(fill(_("{table}: {figure}, {count}"), table=table.title, figure=label,
                              count=format_number(cell.count) if cell.shown is not None
                              else "\u2014"))
        heading.setWordWrap(True)
        named(heading, _("The figure broken down"))
        self.by = Choices(_("Break down by"))
        for key, title in choices(table.key):
            self.by.add(title, key)
        by_label = QLabel(_("Break down &by:"))
        by_label.setBuddy(self.by)
        row = QHBoxLayout()
        row.addWidget(by_label)
        row.addWidget(self.by, 1)
        self.busy = BusyBar(_("Counting…"))
        self.error = MessageLabel()
        self.holder = QVBoxLayout()
        self.counts: QWidget | None = None
        self.method = paragraph(fill(_(
            "Counts below {t} are shown as \u201c< {t}\u201d. Other counts are withheld "
            "where they would let one be worked out from this breakdown, from the "
            "breakdowns of the table's other rows or from the dashboard's figures. Nothing "
            "here lists or names anyone."), t=format_number(table.counts.threshold)))
        named(self.method, _("How small counts are protected"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setText(_("Close"))
        named(close, _("Close"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.method)
        layout.addLayout(row)
        layout.addWidget(self.busy)
        layout.addWidget(self.error)
        layout.addLayout(self.holder)
        layout.addStretch(1)
        layout.addWidget(buttons)
        em = self.fontMetrics().horizontalAdvance("M")
        self.setMinimumWidth(em * 36)
        self.by.currentIndexChanged.connect(self.count)
        self.count()

    def count(self, _index: int = 0) -> None:
        by = self.by.value()
        if by is None or self.busy.isVisibleTo(self):
            return
        self.error.clear_message()
        self.busy.show()
        self.by.setEnabled(False)
        start, end = self._period
        statistics, table, code, site = (self._services.statistics, self._table.key,
                                         self._code, self._site)
        self._background.run(
            lambda: statistics.breakdown(start, end, table=table, row=code, by=by, site=site),
            self._shown, self._failed, context=self)

    def _settle(self) -> None:
        self.busy.hide()
        self.by.setEnabled(True)
        self.by.setFocus()

    def _clear(self) -> None:
        if self.counts is not None:
            self.counts.hide()
            self.counts.setParent(None)  # type: ignore[call-overload]
            self.counts.deleteLater()
            self.counts = None

    def _failed(self, exc: BaseException) -> None:
        self._settle()
        self._clear()
        self.result = None
        self.error.show_message(exc.message if isinstance(exc, ShelterError)
                                else unexpected(exc))

    def _shown(self, made: Breakdown) -> None:
        self._settle()
        self._clear()
        self.result = made
        if made.counts.total is None:
            return
        self.counts = counts_table(breakdown_table(made), made.threshold)
        self.holder.addWidget(self.counts)
        QTimer.singleShot(0, self._fit)  # once the table has its size

    def _fit(self) -> None:
        """Grow to show the whole table and the button under it."""
        hint = self.sizeHint()
        self.resize(max(self.width(), hint.width()), max(self.height(), hint.height()))
