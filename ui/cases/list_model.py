"""The case list's item model: ids only, rows fetched in blocks when the view asks.

In the manner of Anki's browser table: the model holds the ordered list of case ids (from
``SearchService.list_ids`` or a search) and nothing else until ``data()`` is asked for a
row.  It then fetches that row's whole block (``BLOCK`` rows) through
``SearchService.summaries`` and keeps the formatted rows in a small cache, least recently
used first out.  A view over 100,000 cases therefore holds 100,000 ids and a few hundred
rows.  ``clear()`` drops everything (at lock).
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from shelter_app.domain import vocab
from shelter_app.domain.names import display_safe
from shelter_app.domain.records import CaseSummary
from shelter_app.domain.validate import parse_utc
from shelter_app.i18n import _
from shelter_app.i18n.formatting import format_date, format_datetime

BLOCK = 100
MAX_BLOCKS = 20

# column key → header; "name" is left out when the organisation shows codes only
COLUMNS: dict[str, Callable[[], str]] = {
    "code": lambda: _("Case code"),
    "name": lambda: _("Name"),
    "status": lambda: _("Status"),
    "risk": lambda: _("Risk"),
    "assigned": lambda: _("Assigned to"),
    "opened": lambda: _("Opened"),
    "updated": lambda: _("Last changed"),
}
# column key → the sort list_ids understands (other columns are not sortable)
SORTS = {"code": "code", "name": "name", "opened": "opened", "updated": "updated"}

Index = QModelIndex | QPersistentModelIndex


def isolated(text: str) -> str:
    """*text* as a unit of its own direction, so a date stays readable in a mirrored
    (right-to-left) table: "11/26/26, 3:38 PM", not "PM 3:38 ,11/26/26"."""
    return f"\u2068{text}\u2069" if text else ""


def _day(text: str | None) -> str:
    if not text:
        return ""
    try:
        return isolated(format_date(dt.date.fromisoformat(text[:10])))
    except ValueError:
        return text


def _moment(text: str | None) -> str:
    if not text:
        return ""
    try:
        when = parse_utc(text)
    except ValueError:
        return text
    return isolated(format_datetime(when))


class CaseListModel(QAbstractTableModel):
    """Rows are cases; ``Qt.UserRole`` of any cell is the case id."""

    def __init__(self, fetch: Callable[[list[str]], Sequence[CaseSummary]], *, me: str,
                 show_names: bool = True, staff: dict[str, str] | None = None,
                 parent: Any = None) -> None:
        super().__init__(parent)
        self._fetch = fetch
        self._me = me
        self._staff = staff or {}
        self.columns = [k for k in COLUMNS if show_names or k != "name"]
        self._ids: list[str] = []
        # block number → {id: summary, or None when no longer visible}; rows are formatted
        # (dates, labels) only when painted, and those cells cached beside them
        self._blocks: OrderedDict[int, dict[str, CaseSummary | None]] = OrderedDict()
        self._cells_cache: dict[str, tuple[str, ...]] = {}
        self.fetches = 0  # blocks fetched (the benchmark and the tests read it)

    # -- contents ------------------------------------------------------------------
    def set_ids(self, ids: Sequence[str], known: Sequence[CaseSummary] = ()) -> None:
        """Show *ids* in this order; *known* rows (from a search) need no fetching."""
        self.beginResetModel()
        self._ids = list(ids)
        self._blocks.clear()
        self._cells_cache.clear()
        if known:
            rows = {s.id: s for s in known}
            for start in range(0, len(self._ids), BLOCK):
                chunk = self._ids[start:start + BLOCK]
                if all(i in rows for i in chunk):
                    self._blocks[start // BLOCK] = {i: rows[i] for i in chunk}
        self.endResetModel()

    def clear(self) -> None:
        self.set_ids([])
        self._staff = {}

    def ids(self) -> list[str]:
        return list(self._ids)

    def case_id(self, row: int) -> str | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, case_id: str) -> int:
        try:
            return self._ids.index(case_id)
        except ValueError:
            return -1

    def cached_rows(self) -> int:
        return sum(len(b) for b in self._blocks.values())

    def refresh_rows(self) -> None:
        """Forget the fetched rows (a case changed); the ids stay."""
        self._blocks.clear()
        self._cells_cache.clear()
        if self._ids:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._ids) - 1, len(self.columns) - 1))

    # -- fetching ------------------------------------------------------------------
    def _row(self, s: CaseSummary) -> tuple[str, ...]:
        if s.assigned_to is None:
            assigned = _("Nobody")
        elif s.assigned_to == self._me:
            assigned = _("You")
        else:
            assigned = self._staff.get(s.assigned_to) or _("Another staff member")
        cells = {"code": isolated(s.code), "name": display_safe(s.display_name),
                 "status": vocab.CASE_STATUS.label(s.status),
                 "risk": vocab.RISK_LEVEL.label(s.risk_level) if s.risk_level else "",
                 "assigned": assigned, "opened": _day(s.opened_on),
                 "updated": _moment(s.updated_at)}
        return tuple(cells[k] for k in self.columns)

    def _cells(self, row: int) -> tuple[str, ...] | None:
        number, case_id = row // BLOCK, self._ids[row]
        block = self._blocks.get(number)
        if block is None:
            ids = self._ids[number * BLOCK:(number + 1) * BLOCK]
            found = {s.id: s for s in self._fetch(ids)}
            self.fetches += 1
            block = {i: found.get(i) for i in ids}
            self._blocks[number] = block
            while len(self._blocks) > MAX_BLOCKS:
                for gone in self._blocks.popitem(last=False)[1]:
                    self._cells_cache.pop(gone, None)
        else:
            self._blocks.move_to_end(number)
        cells = self._cells_cache.get(case_id)
        if cells is None:
            summary = block.get(case_id)
            if summary is None:
                return None
            cells = self._cells_cache[case_id] = self._row(summary)
        return cells

    # -- QAbstractTableModel -------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids) or \
                not 0 <= index.column() < len(self.columns):
            return None
        if role == Qt.ItemDataRole.UserRole:
            return self._ids[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                    Qt.ItemDataRole.AccessibleTextRole):
            cells = self._cells(index.row())
            if cells is None:  # no longer visible to this user (reassigned meanwhile)
                return _("Not available") if index.column() == 0 else ""
            return cells[index.column()]
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            return COLUMNS[self.columns[section]]()
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self._ids):
            return str(section + 1)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort_key(self, column: int) -> str | None:
        """The ``list_ids`` sort for *column*, or None when it cannot be sorted."""
        if 0 <= column < len(self.columns):
            return SORTS.get(self.columns[column])
        return None
