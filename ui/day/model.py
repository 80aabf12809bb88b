"""The day as a two-level tree: one row per group ("Open tasks (3)"), its lines under it.

Columns: when, case (its code), what, who.  The rows live only here (a child of the page)
and in the plain Python list ``items``: an item's Qt data holds just its position in that
list, so no Python object is ever read back through Qt.  Overdue lines are said in words
and shown bold with a warning icon, so nothing depends on colour.  ``forget()`` empties both
at the end of a session.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QStyle

from shelter_app.i18n import _
from shelter_app.services.day import Day, DayItem

from .lines import EMPTY, describe, group_title, what_text, when_text, who_text

LINE_ROLE = Qt.ItemDataRole.UserRole + 1  # the line's position in ``items``; -1 for others
Index = QModelIndex | QPersistentModelIndex


class DayModel(QStandardItemModel):
    WHEN, CASE, WHAT, WHO = range(4)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.items: list[DayItem] = []
        self.day: Day | None = None
        self._headers()

    def _headers(self) -> None:
        self.setHorizontalHeaderLabels([_("When"), _("Case"), _("What"), _("Who")])

    def show_day(self, day: Day) -> None:
        """Put *day* in the tree, each group with its lines under it."""
        self.forget()
        self.day = day
        bold = QFont()
        bold.setBold(True)
        warning = QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        for group in day.groups:
            head = self._cell(group_title(group.key, group.total, group.capped))
            head.setData(group.key, Qt.ItemDataRole.UserRole)
            head.setFont(bold)
            for item in group.items:
                head.appendRow(self._line(item, day.today, bold, warning))
            if not group.items:
                head.appendRow([self._cell(_(EMPTY[group.key]))])
            elif group.capped:
                head.appendRow([self._cell(_("… and more"))])
            elif group.total > len(group.items):
                head.appendRow([self._cell(_("… and {n} more").format(
                    n=group.total - len(group.items)))])
            self.appendRow([head, self._cell(""), self._cell(""), self._cell("")])

    def _line(self, item: DayItem, today: dt.date, bold: QFont, warning: object
              ) -> list[QStandardItem]:
        position = len(self.items)
        self.items.append(item)
        cells = [self._cell(when_text(item, today)), self._cell(item.case_code),
                 self._cell(what_text(item)), self._cell(who_text(item))]
        whole = describe(item, today)
        for cell in cells:
            cell.setData(position, LINE_ROLE)
            cell.setToolTip(whole)
        cells[0].setData(whole, Qt.ItemDataRole.AccessibleTextRole)
        if item.overdue(today):
            cells[0].setFont(bold)
            cells[0].setIcon(warning)  # type: ignore[arg-type]
        return cells

    @staticmethod
    def _cell(text: str) -> QStandardItem:
        cell = QStandardItem(text)
        cell.setEditable(False)
        cell.setData(-1, LINE_ROLE)
        return cell

    def item_at(self, index: Index) -> DayItem | None:
        """The line behind *index* (any column), or None for a group or a note."""
        if not index.isValid():
            return None
        position = index.siblingAtColumn(0).data(LINE_ROLE)
        if not isinstance(position, int) or not 0 <= position < len(self.items):
            return None
        return self.items[position]

    def group_index(self, key: str) -> QModelIndex:
        for row in range(self.rowCount()):
            index = self.index(row, 0)
            if index.data(Qt.ItemDataRole.UserRole) == key:
                return index
        return QModelIndex()

    def forget(self) -> None:
        """Drop every line (a new day to show, or the end of the session)."""
        self.removeRows(0, self.rowCount())
        self.items = []
        self.day = None
