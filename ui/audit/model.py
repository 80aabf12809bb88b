"""A table model that pages through the audit chain as the view scrolls, never loading it all.

Qt asks ``canFetchMore``/``fetchMore`` when the view reaches the last row loaded; each fetch
is one ``AuditLogService.page`` call (a bounded read of the chain, newest first).  When a
page finds nothing because the events asked for are rare, the model stops and says how far
back it has looked (``searched``); ``fetchMore`` again (the page's "Look further back")
goes on from there.  Rows live only in the model; ``clear`` drops them at the end of a
session.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QFont

from shelter_app.domain.audit import Outcome
from shelter_app.errors import ShelterError
from shelter_app.i18n import _
from shelter_app.i18n.formatting import format_datetime
from shelter_app.services.audit_log import OUTCOME_LABELS, AuditQuery, AuditRow
from shelter_app.services.registry import Services

from ..agenda.common import ROW_ROLE, Column, Index

PAGE = 100


def outcome_label(outcome: str) -> str:
    try:
        return _(OUTCOME_LABELS[Outcome(outcome)])
    except ValueError:
        return outcome


COLUMNS = [
    Column(lambda: _("When"), lambda r: format_datetime(r.occurred_at)),
    Column(lambda: _("Who"), lambda r: r.who),
    Column(lambda: _("What"), lambda r: r.what),
    Column(lambda: _("Outcome"), lambda r: outcome_label(r.outcome),
           bold=lambda r: r.outcome != Outcome.OK),
    Column(lambda: _("About"), lambda r: r.target),
    Column(lambda: _("Details"), lambda r: r.details, tooltip=lambda r: r.details),
]


class AuditLogModel(QAbstractTableModel):
    searched = Signal()  # after each fetch: see ``searched_to`` and ``canFetchMore``
    failed = Signal(str)

    def __init__(self, services: Services, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._rows: list[AuditRow] = []
        self.query = AuditQuery()
        self._before: int | None = None
        self._more = False
        self.searched_to: dt.datetime | None = None
        self._busy = False

    # -- paging --------------------------------------------------------------------------
    def reset(self, query: AuditQuery) -> None:
        """Start again from the newest event with *query*, and load the first page."""
        self._busy = True  # no fetch while a change is announced (a view may ask)
        self.beginResetModel()
        self.query = query
        self._rows = []
        self._before = None
        self._more = True
        self.searched_to = None
        self.endResetModel()
        self._busy = False
        self.fetchMore(QModelIndex())

    def clear(self) -> None:
        self.beginResetModel()
        self._rows = []
        self._more = False
        self._before = None
        self.searched_to = None
        self.endResetModel()

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008 - Qt's signature
        return not parent.isValid() and self._more and not self._busy

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        try:
            page = self._services.audit_log.page(self.query, before=self._before, limit=PAGE)
        except ShelterError as exc:
            self._more = False
            self.failed.emit(exc.message)
            return
        # Where to go on from is known before the rows are announced: a view may ask for
        # more while they are being inserted.
        self._before = page.next_before
        self._more = page.next_before is not None
        self.searched_to = page.searched_to
        if page.rows:
            first = len(self._rows)
            self._busy = True
            self.beginInsertRows(QModelIndex(), first, first + len(page.rows) - 1)
            self._rows += page.rows
            self.endInsertRows()
            self._busy = False
        self.searched.emit()

    # -- QAbstractItemModel ----------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)) or not (
                0 <= index.column() < len(COLUMNS)):
            return None
        row, column = self._rows[index.row()], COLUMNS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return column.text(row)
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip is not None:
            return column.tooltip(row) or None
        if role == Qt.ItemDataRole.FontRole and column.bold is not None and column.bold(row):
            font = QFont()
            font.setBold(True)
            return font
        if role == ROW_ROLE:
            return row
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(COLUMNS):
            return COLUMNS[section].header()
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
