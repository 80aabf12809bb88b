"""One card of the dashboard: a table's counts as published, in words and numbers, and a bar
chart of the counts that are shown.

The table is the record: every row with its published value ("< 11", "withheld" and
"hidden" in words).  The chart beside it draws only shown counts and says how many rows
it leaves out, so a bar never stands for a hidden number.  Charts follow the layout
direction (bars grow from the right in Arabic) and write numbers with the table's digits.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from shelter_app.domain.statistics import StatTable, cell_text, total_text
from shelter_app.domain.suppression import Mark
from shelter_app.i18n import _, ngettext
from shelter_app.i18n.formatting import fill
from shelter_app.services.statistics_breakdown import choices

from ..widgets import named

MAX_BARS = 12  # a longer list is read in the table; the chart keeps the largest


def counts_table(table: StatTable, threshold: int) -> QTableWidget:
    """Label and published value, one row each, then the total when the table has one."""
    rows = [(label, cell_text(cell, threshold)) for label, cell in table.rows()]
    total = total_text(table.counts)
    if total:
        rows.append((_("Total"), total))
    widget = QTableWidget(len(rows), 2)
    widget.setHorizontalHeaderLabels([_("Category"), table.unit])
    widget.verticalHeader().setVisible(False)
    widget.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    widget.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    widget.setTabKeyNavigation(False)
    widget.setWordWrap(True)
    header = widget.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
    for r, (label, value) in enumerate(rows):
        first = QTableWidgetItem(label)
        first.setToolTip(label)
        count = QTableWidgetItem(value)
        count.setTextAlignment(Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter)
        if r == len(table.labels):  # the total
            font = first.font()
            font.setBold(True)
            first.setFont(font)
            count.setFont(font)
        widget.setItem(r, 0, first)
        widget.setItem(r, 1, count)
    widget.resizeRowsToContents()
    height = widget.horizontalHeader().height() + sum(
        widget.rowHeight(r) for r in range(widget.rowCount())) + 2 * widget.frameWidth()
    widget.setFixedHeight(height)
    named(widget, table.title, _("Counts as published; small counts are not shown"))
    return widget


def counts_chart(table: StatTable) -> tuple[QChartView | None, str]:
    """A horizontal bar chart of the shown counts (largest first, at most MAX_BARS), and a
    line saying what it leaves out."""
    shown = [(label, cell.count) for label, cell in table.rows() if cell.mark is Mark.SHOWN]
    hidden = len(table.labels) - len(shown)
    shown.sort(key=lambda pair: -pair[1])
    dropped = max(0, len(shown) - MAX_BARS)
    shown = shown[:MAX_BARS]
    notes = []
    if hidden:
        notes.append(ngettext("{n} row is not drawn: its count is not shown.",
                              "{n} rows are not drawn: their counts are not shown.",
                              hidden).format(n=hidden))
    if dropped:
        notes.append(fill(_("The {n} largest of the shown counts are drawn."), n=MAX_BARS))
    if not shown:
        return None, " ".join(notes)
    shown.reverse()  # the chart draws its first category at the bottom
    bars = QBarSet(table.unit or table.title)
    for _label, count in shown:
        bars.append(count)
    bars.setLabelColor(QApplication.palette().text().color())
    series = QHorizontalBarSeries()
    series.append(bars)
    series.setLabelsVisible(True)
    series.setLabelsPosition(QHorizontalBarSeries.LabelsPosition.LabelsOutsideEnd)
    chart = QChart()
    chart.addSeries(series)
    chart.setLocalizeNumbers(False)  # the digits of the table beside it (CLDR's, by babel)
    chart.legend().hide()
    chart.setBackgroundVisible(False)
    chart.setMargins(QMargins(0, 0, 0, 0))
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    categories = QBarCategoryAxis()
    categories.append([label for label, _count in shown])
    categories.setTruncateLabels(False)  # the table beside it has them too, but whole
    values = QValueAxis()
    values.setRange(0, max(count for _label, count in shown) * 1.15)
    values.setLabelFormat("%d")
    values.setTickCount(3)
    for axis in (categories, values):
        axis.setLabelsColor(QApplication.palette().text().color())
    rtl = QApplication.layoutDirection() == Qt.LayoutDirection.RightToLeft
    chart.addAxis(categories, Qt.AlignmentFlag.AlignRight if rtl else Qt.AlignmentFlag.AlignLeft)
    chart.addAxis(values, Qt.AlignmentFlag.AlignBottom)
    values.setReverse(rtl)
    series.attachAxis(categories)
    series.attachAxis(values)
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(50 + 30 * len(shown))
    view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    view.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the table beside it holds the same
    named(view, fill(_("Chart: {title}"), title=table.title),
          _("The shown counts as bars; the table beside it has every row"))
    return view, " ".join(notes)


Open = Callable[[StatTable, str], None]  # a table and one of its rows' codes


class Card(QGroupBox):
    """One table of the dashboard; with *breakdown*, a row is broken down (Enter or a
    double click on it, or the card's "Break down…" button for the chosen row)."""

    def __init__(self, table: StatTable, threshold: int, parent: QWidget | None = None, *,
                 breakdown: Open | None = None) -> None:
        super().__init__(table.title, parent)
        self.setObjectName(f"card_{table.key}")
        self.data = table
        self.table = counts_table(table, threshold)
        self.chart, note = counts_chart(table)
        row = QHBoxLayout()
        row.addWidget(self.table, 2)
        if self.chart is not None:
            row.addWidget(self.chart, 3)
        column = QVBoxLayout(self)
        column.addLayout(row)
        self.note = QLabel(note)
        self.note.setWordWrap(True)
        self.note.setVisible(bool(note))
        column.addWidget(self.note)
        self.break_button: QPushButton | None = None
        if breakdown is not None and choices(table.key):
            self._open = breakdown
            self.break_button = QPushButton(_("Break down…"))
            named(self.break_button, fill(_("Break down a figure of {title}"),
                                          title=table.title),
                  _("How the chosen row divides by gender, age or another characteristic: "
                    "counts only"))
            self.break_button.setAutoDefault(False)
            self.break_button.clicked.connect(lambda: self.break_down())
            self.table.cellActivated.connect(lambda r, _c: self.break_down(r))
            self.table.setAccessibleDescription(_(
                "Counts as published; small counts are not shown. Press Enter on a row to "
                "break it down."))
            column.addWidget(self.break_button, 0, Qt.AlignmentFlag.AlignLeading)

    def break_down(self, row: int | None = None) -> None:
        """Break down the table's row *row* (the chosen one by default; the first when
        none is)."""
        index = self.table.currentRow() if row is None else row
        index = max(index, 0)
        if index < len(self.data.labels):  # not the total
            self._open(self.data, self.data.labels[index][0])
