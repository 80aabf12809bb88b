"""Pieces shared by the cross-case pages (agenda, deadlines, referrals, partners, accounts).

``RowsModel`` is a read-only table model over a list of rows described by ``Column``s;
each page's model is a handful of columns.  Rows live only in the model, which is a child
of its page: when the session ends the page calls ``clear()`` and the window that owns it
is deleted, so no record outlives the session (nothing is cached at module level).

``ROW_ROLE`` gives the row object behind an index, ``SORT_ROLE`` a value to sort by
(dates sort as dates, not as the text shown).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QFont, QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLayoutItem,
    QPushButton,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from shelter_app.errors import ValidationError

from ..widgets import MessageLabel, named

ROW_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    """One column: its translated header (asked when shown) and how a row reads in it."""

    header: Callable[[], str]
    text: Callable[[Any], str]
    sort: Callable[[Any], Any] | None = None
    tooltip: Callable[[Any], str] | None = None
    icon: Callable[[Any], QIcon | None] | None = None
    bold: Callable[[Any], bool] | None = None


class RowsModel(QAbstractTableModel):
    def __init__(self, columns: Sequence[Column], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._rows: list[Any] = []

    # -- the data ------------------------------------------------------------------
    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def clear(self) -> None:
        self.set_rows([])

    def rows(self) -> list[Any]:
        return list(self._rows)

    def row_at(self, index: Index) -> Any:
        if not index.isValid():
            return None
        source = index
        model = index.model()
        while isinstance(model, QSortFilterProxyModel):
            source = model.mapToSource(source)
            model = source.model()
        return self._rows[source.row()] if 0 <= source.row() < len(self._rows) else None

    # -- QAbstractItemModel ----------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)) or not (
                0 <= index.column() < len(self._columns)):
            return None
        row, column = self._rows[index.row()], self._columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return column.text(row)
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip is not None:
            return column.tooltip(row) or None
        if role == Qt.ItemDataRole.DecorationRole and column.icon is not None:
            return column.icon(row)
        if role == Qt.ItemDataRole.FontRole and column.bold is not None and column.bold(row):
            font = QFont()
            font.setBold(True)
            return font
        if role == ROW_ROLE:
            return row
        if role == SORT_ROLE:
            return column.sort(row) if column.sort is not None else column.text(row)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        if 0 <= section < len(self._columns):
            return self._columns[section].header()
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


def sorted_proxy(model: RowsModel) -> QSortFilterProxyModel:
    proxy = QSortFilterProxyModel(model)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    proxy.setSortLocaleAware(True)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    proxy.setFilterKeyColumn(-1)
    return proxy


def table(model: QAbstractTableModel | QSortFilterProxyModel, name: str,
          description: str = "") -> QTableView:
    """A read-only, row-selecting table named for screen readers; sorting by header."""
    view = QTableView()
    view.setModel(model)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setTabKeyNavigation(False)  # Tab leaves the table for the buttons
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    header.setHighlightSections(False)
    if isinstance(model, QSortFilterProxyModel):
        view.setSortingEnabled(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # the service's order first
    named(view, name, description)
    return view


def selected_row(view: QTableView) -> Any:
    """The row object selected in *view*, or None."""
    model = view.model()
    indexes = view.selectionModel().selectedRows() if view.selectionModel() else []
    if not indexes:
        return None
    return model.data(indexes[0], ROW_ROLE)


def button(text: str, description: str = "", slot: Callable[[], object] | None = None
           ) -> QPushButton:
    """A push button named for screen readers (its text without the mnemonic '&')."""
    widget = QPushButton(text)
    widget.setAutoDefault(False)
    named(widget, text.replace("&", ""), description)
    if description:
        widget.setToolTip(description)
    if slot is not None:
        widget.clicked.connect(lambda _checked=False: slot())
    return widget


def button_row(*widgets: QWidget, stretch_first: bool = False) -> QHBoxLayout:
    row = QHBoxLayout()
    if stretch_first:
        row.addStretch(1)
    for widget in widgets:
        row.addWidget(widget)
    if not stretch_first:
        row.addStretch(1)
    return row


class FlowLayout(QLayout):
    """Buttons in a row that wraps onto the next line when the window is narrow (long
    translations, 200 % scaling) instead of being clipped; mirrored right-to-left."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._place(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._place(rect, apply=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size

    def _spacing(self) -> int:
        spacing = self.spacing()
        if spacing >= 0:
            return spacing
        parent = self.parentWidget()
        return parent.style().pixelMetric(QStyle.PixelMetric.PM_LayoutHorizontalSpacing) \
            if parent is not None else 6

    def _place(self, rect: QRect, *, apply: bool) -> int:
        gap = max(self._spacing(), 6)
        x, y, line = rect.x(), rect.y(), 0
        parent = self.parentWidget()
        direction = parent.layoutDirection() if parent is not None else \
            Qt.LayoutDirection.LeftToRight
        for item in self._items:
            if item.isEmpty():
                continue
            hint = item.sizeHint()
            if x + hint.width() > rect.right() + 1 and x > rect.x():
                x, y, line = rect.x(), y + line + gap, 0
            if apply:
                item.setGeometry(QStyle.visualRect(direction, rect,
                                                   QRect(QPoint(x, y), hint)))
            x += hint.width() + gap
            line = max(line, hint.height())
        return y + line - rect.y()


def flow(*widgets: QWidget) -> QWidget:
    """A widget holding *widgets* in a wrapping row."""
    holder = QWidget()
    layout = FlowLayout(holder)
    for widget in widgets:
        layout.addWidget(widget)
    return holder


def field_with(widget: QWidget, *below: QWidget, grow: bool = True) -> QWidget:
    """*widget* with its hint and message labels under it, as one form field: a hidden
    message then takes no room (an empty form row would still add spacing)."""
    holder = QWidget()
    box = QVBoxLayout(holder)
    box.setContentsMargins(0, 0, 0, 0)
    box.setSpacing(2)
    if grow:
        box.addWidget(widget, 0, Qt.AlignmentFlag.AlignTop)
    else:
        box.addWidget(widget, 0, Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignTop)
    for extra in below:
        if isinstance(extra, QLabel):  # a wrapped hint starts at the top of its room
            extra.setAlignment(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignTop)
        box.addWidget(extra)
    holder.setFocusProxy(widget)
    return holder


class FieldForm:
    """A form whose every row carries a message under its field.

    ``show_refusal`` puts a ``ValidationError`` under the field it names and moves the focus
    there; a refusal naming no field of the form goes to *error*, under the whole form."""

    def __init__(self, rows: Sequence[tuple[str, str, QWidget]], error: MessageLabel) -> None:
        self.layout = QFormLayout()
        self.layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.error = error
        self.widgets: dict[str, QWidget] = {}
        self.messages: dict[str, MessageLabel] = {}
        for field, label, widget in rows:
            self.widgets[field] = widget
            self.messages[field] = MessageLabel()
            self.layout.addRow(label, field_with(widget, self.messages[field]))

    def clear(self) -> None:
        for message in (*self.messages.values(), self.error):
            message.clear_message()

    def show_refusal(self, exc: ValidationError) -> None:
        field = exc.field or ""
        self.messages.get(field, self.error).show_message(exc.message)
        widget = self.widgets.get(field)
        if widget is not None:
            widget.setFocus()


def name_combo_parts(combo: QComboBox, name: str) -> None:
    """Name an editable combo box's text field and its drop-down list for screen readers
    (Qt leaves both unnamed; a screen reader would announce "edit" and "list")."""
    edit = combo.lineEdit()
    if edit is not None:
        named(edit, name)
    named(combo.view(), name)


def name_combo_lists(root: QWidget) -> None:
    """Give every combo box's drop-down list under *root* its combo box's name."""
    for combo in root.findChildren(QComboBox):
        if not combo.view().accessibleName() and combo.accessibleName():
            named(combo.view(), combo.accessibleName())


def select_row(view: QTableView, row: int) -> None:
    """Select *row* of *view* whole.  (``QTableView.selectRow`` selects nothing when the
    visually first column is hidden, as the agenda's Day column is in right-to-left.)"""
    model = view.model()
    if not 0 <= row < model.rowCount():
        return
    column = next((c for c in range(model.columnCount()) if not view.isColumnHidden(c)), 0)
    view.selectionModel().setCurrentIndex(
        model.index(row, column),
        QItemSelectionModel.SelectionFlag.ClearAndSelect
        | QItemSelectionModel.SelectionFlag.Rows)


def tab_order(*widgets: QWidget) -> None:
    """Tab moves through *widgets* in the order given (the order they are seen in)."""
    for first, second in pairwise(widgets):
        QWidget.setTabOrder(first, second)


def date_range(fields: Sequence[Any], on_return: Callable[[], object]) -> QWidget:
    """A From / To pair of date fields (``cases.form.date``), each with its message under
    it; Return in either runs *on_return*."""
    holder = QWidget()
    form = QFormLayout(holder)
    form.setContentsMargins(0, 0, 0, 0)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
    for field in fields:
        label = QLabel(field.label)
        label.setBuddy(field.focus)
        form.addRow(label, field.widget)
        form.addRow("", field.message)
        field.focus.returnPressed.connect(on_return)
    return holder
