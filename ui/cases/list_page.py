"""The case list: search as you type, filters, sorting, and opening a case.

Searching and listing run off the GUI thread (``Background``); every request carries a
generation number and a result whose number is no longer current (the person kept typing,
changed a filter, or the session ended) is dropped.  Typing restarts a 250 ms timer, so
the search runs once the person pauses, not at every key.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from shelter_app.domain import vocab
from shelter_app.domain.records import CaseSummary
from shelter_app.domain.roles import Action, Role, Scope
from shelter_app.errors import ShelterError
from shelter_app.i18n import _, ngettext
from shelter_app.i18n.formatting import format_date, format_datetime, format_number
from shelter_app.services.registry import Services
from shelter_app.services.search import CaseFilter

from ..background import Background
from ..widgets import NOTICE_STYLE, BusyBar, MessageLabel, named
from .list_model import CaseListModel
from .pickers import collator

SEARCH_DELAY_MS = 250
SEARCH_LIMIT = 200
DUE_SOON_DAYS = 30
NATURAL_DESCENDING = {"updated", "opened"}  # the order list_ids returns these in


def may_see_cases(services: Services) -> bool:
    ctx = services.ctx
    return any(ctx.allowed(Action.READ_CASE, s) for s in (Scope.ASSIGNED, Scope.SHARED,
                                                          Scope.OTHER))


def _combo(name: str, first: str, choices: list[tuple[str, str]]) -> QComboBox:
    combo = QComboBox()
    # Long (translated) labels must not make the window wider than the screen.
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(12)
    combo.addItem(first, "")
    for code, label in choices:
        combo.addItem(label, code)
    named(combo, name)
    return combo


class CaseListPage(QWidget):
    open_requested = Signal(str)
    new_case_requested = Signal()

    def __init__(self, services: Services, background: Background,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("case_list")
        self._services = services
        self._background = background
        self._generation = 0
        self._results: list[CaseSummary] | None = None  # search results, when searching
        self._sort = ("updated", True)  # (list_ids sort, descending)
        ctx, session = services.ctx, services.session
        show_names = not bool(services.settings.get("show_case_codes"))
        try:  # staff names, never survivor data; empty if the roles allow no appointments
            staff = {s.id: s.name for s in services.appointments.staff()}
        except ShelterError:
            staff = {}
        self.model = CaseListModel(services.search.summaries, me=session.user_id,
                                   show_names=show_names, staff=staff, parent=self)

        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(_("Search by name, alias or case code"))
        named(self.search, _("Search cases"),
              _("Results appear as you type. Press Down to go to the list."))
        self.search.textEdited.connect(self._typed)
        self.search.returnPressed.connect(self._search_now)
        self.search.installEventFilter(self)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._run_search)
        # Made with their parent: shown while parentless (the list is built after the
        # window is on screen), each would flash up as a window of its own and take the
        # keyboard focus away from the main window.
        self.new_button = QPushButton(_("&New case…"), self)
        named(self.new_button, _("New case"), _("Start the intake of a new survivor"))
        self.new_button.clicked.connect(self.new_case_requested)
        self.new_button.setVisible(ctx.allowed(Action.CREATE_CASE))
        if ctx.vault.read_only:  # an intake typed there could not be saved (the banner says)
            self.new_button.setEnabled(False)
            self.new_button.setToolTip(_("Not on a vault whose disk cannot be written to"))
        top = QHBoxLayout()
        search_label = QLabel(_("&Search:"))
        search_label.setBuddy(self.search)
        top.addWidget(search_label)
        top.addWidget(self.search, 1)

        statuses = [("", _("All statuses")), ("_active", _("Not closed"))]
        self.status = _combo(_("Status"), statuses[0][1],
                             [statuses[1], *vocab.CASE_STATUS.choices()])
        self.mine = QCheckBox(_("Assigned to &me"), self)
        named(self.mine, _("Assigned to me"))
        self.mine.setVisible(session.has(Role.COORDINATOR))
        self.exploitation = _combo(_("Exploitation type"), _("Any exploitation"),
                                   vocab.EXPLOITATION.choices())
        self.legal = _combo(_("Legal matter"), _("Any legal matter"),
                            vocab.LEGAL_MATTER_TYPE.choices())
        self.legal.setParent(self)
        self.legal.setVisible(any(ctx.allowed(Action.READ_LEGAL, s)
                                  for s in (Scope.ASSIGNED, Scope.SHARED, Scope.OTHER)))
        self.due = QCheckBox(_("&Due within {n} days").format(n=DUE_SOON_DAYS))
        named(self.due, self.due.text().replace("&", ""),
              _("Cases with a deadline in the next {n} days, or overdue").format(n=DUE_SOON_DAYS))
        filters = QHBoxLayout()
        filter_label = QLabel(_("&Filter:"))
        filter_label.setBuddy(self.status)
        filters.addWidget(filter_label)
        for widget in (self.status, self.exploitation, self.legal):
            filters.addWidget(widget)
            widget.currentIndexChanged.connect(self.reload)
        for box in (self.mine, self.due):
            filters.addWidget(box)
            box.toggled.connect(self.reload)
        filters.addStretch(1)
        filters.addWidget(self.new_button)

        self.table = QTableView()
        named(self.table, _("Cases"), _("Press Enter to open the selected case."))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        vertical = self.table.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setStretchLastSection(False)
        header.sectionClicked.connect(self._header_clicked)
        self._size_columns()
        self.table.activated.connect(self._activated)
        self.table.doubleClicked.connect(self._activated)  # whatever the style says

        self.count = QLabel()
        named(self.count, _("Number of cases"))
        self.empty = QLabel()
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.hide()
        self.error = MessageLabel()
        self.notice = MessageLabel(NOTICE_STYLE)  # what an erasure removed
        self.notice.setAccessibleName(_("Done"))
        self.busy = BusyBar(_("Loading cases…"))
        # Its room is kept while hidden: showing it must not re-lay out (and repaint) the
        # whole table at every search, which would stall typing.
        policy = self.busy.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.busy.setSizePolicy(policy)
        # Filters above the search, the results right under it: Tab from the search goes
        # to the results, in the order they are seen.
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addLayout(top)
        layout.addWidget(self.error)
        layout.addWidget(self.notice)
        layout.addWidget(self.busy)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.count)
        self.setTabOrder(self.status, self.exploitation)
        self.setTabOrder(self.exploitation, self.legal)
        self.setTabOrder(self.legal, self.mine)
        self.setTabOrder(self.mine, self.due)
        self.setTabOrder(self.due, self.new_button)
        self.setTabOrder(self.new_button, self.search)
        self.setTabOrder(self.search, self.table)
        self._show_sort()
        self.reload()

    def _size_columns(self) -> None:
        header = self.table.horizontalHeader()
        em = self.fontMetrics().horizontalAdvance("M")
        widths = {"name": 14, "status": 7, "risk": 5, "assigned": 10, "opened": 7, "updated": 11}
        metrics = self.table.fontMetrics()
        for column, key in enumerate(self.model.columns):
            title = str(self.model.headerData(column, Qt.Orientation.Horizontal))
            texts = {"code": ["DEMO-2026-000000"],
                     "opened": [format_date(dt.date(2026, 9, 30))],
                     "updated": [format_datetime(dt.datetime(2026, 12, 30, 23, 59))],
                     "status": [label for _c, label in vocab.CASE_STATUS.choices()],
                     "risk": [label for _c, label in vocab.RISK_LEVEL.choices()]}.get(key)
            wanted = (max(metrics.horizontalAdvance(t) for t in texts) + em if texts
                      else widths[key] * em)
            width = max(wanted, self.fontMetrics().horizontalAdvance(title) + 2 * em)
            header.resizeSection(column, width)
            if key == "name" or (key == "code" and "name" not in self.model.columns):
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)

    # -- what the user does ----------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search and event.type() == QEvent.Type.KeyPress and \
                isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Down:
            self.focus_list()
            return True
        return super().eventFilter(watched, event)

    def start_control(self) -> QWidget:
        """Where the keyboard starts on this page (``MainWindow.focus_content``).  Not a
        focus proxy: Qt would then skip the filters, which come before it, on Tab."""
        return self.search

    def focus_list(self) -> None:
        if self.model.rowCount():
            if not self.table.currentIndex().isValid():
                self.table.setCurrentIndex(self.model.index(0, 0))
            self.table.setFocus()

    def _typed(self, _text: str) -> None:
        self._generation += 1  # whatever was on its way is now out of date
        self._timer.start()

    def _search_now(self) -> None:
        if self._timer.isActive():
            self._timer.stop()
            self._run_search()
        else:
            self.focus_list()

    def _activated(self, index: QModelIndex) -> None:
        case_id = self.model.case_id(index.row())
        if case_id:
            self.open_requested.emit(case_id)

    def _header_clicked(self, column: int) -> None:
        key = self.model.sort_key(column)
        if key is None:
            self._show_sort()
            return
        current, descending = self._sort
        self._sort = (key, not descending if key == current else key in NATURAL_DESCENDING)
        self._show_sort()
        if self._results is not None:
            self._show_results(self._results)
        else:
            self.reload()

    def _show_sort(self) -> None:
        key, descending = self._sort
        column = next((i for i, k in enumerate(self.model.columns) if k == key), -1)
        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        self.table.horizontalHeader().setSortIndicator(column, order)

    # -- loading -------------------------------------------------------------------
    def case_filter(self) -> CaseFilter:
        status = str(self.status.currentData() or "")
        return CaseFilter(
            statuses=[status] if status and status != "_active" else [],
            include_closed=status != "_active", assigned_to_me=self.mine.isChecked(),
            exploitation_type=str(self.exploitation.currentData() or "") or None,
            legal_matter_type=str(self.legal.currentData() or "") or None,
            due_within_days=DUE_SOON_DAYS if self.due.isChecked() else None)

    def filtered(self) -> bool:
        return self.case_filter() != CaseFilter()

    def reload(self) -> None:
        """List every case matching the filters, or search again if text is typed."""
        if self.search.text().strip():
            self._run_search()
            return
        self._results = None
        self._generation += 1
        generation, search = self._generation, self._services.search
        flt, (key, descending) = self.case_filter(), self._sort

        def work() -> list[str]:
            # names sort in the interface language's collation (QCollator is not a widget,
            # so it may be made on the worker thread)
            name_key = collator().sortKey if key == "name" else None
            ids = search.list_ids(flt, sort=key, name_key=name_key)
            return ids[::-1] if descending != (key in NATURAL_DESCENDING) else ids

        self._start(generation, work, lambda ids: self.model.set_ids(ids))

    def _run_search(self) -> None:
        text = self.search.text().strip()
        if not text:
            self.reload()
            return
        self._generation += 1
        generation, search = self._generation, self._services.search
        flt = self.case_filter() if self.filtered() else None

        def work() -> list[CaseSummary]:
            found = search.search(text, limit=SEARCH_LIMIT)
            if flt is not None:
                allowed = set(search.list_ids(flt))
                found = [s for s in found if s.id in allowed]
            return found

        def done(found: list[CaseSummary]) -> None:
            self._results = found
            self._show_results(found)

        self._start(generation, work, done)

    def _start(self, generation: int, work: Any, show: Any) -> None:
        self.busy.show()

        def done(result: Any) -> None:
            if generation != self._generation:
                return  # superseded: a newer request is on its way or the list was cleared
            self.busy.hide()
            self.error.clear_message()
            show(result)
            self._update_count()

        def failed(exc: BaseException) -> None:
            if generation != self._generation:
                return
            self.busy.hide()
            if not isinstance(exc, ShelterError):
                raise exc
            self.error.show_message(exc.message)

        self._background.run(work, done, failed, context=self)

    def _show_results(self, found: list[CaseSummary]) -> None:
        key, descending = self._sort
        if key != "updated" or not descending:  # otherwise keep the search's own ranking
            order = collator()
            field = {"code": "code", "name": "display_name", "opened": "opened_on",
                     "updated": "updated_at"}[key]
            found = sorted(found, key=lambda s: order.sortKey(str(getattr(s, field) or "")),
                           reverse=descending)
        self.model.set_ids([s.id for s in found], found)

    def _update_count(self) -> None:
        n = self.model.rowCount()
        if self._results is not None:
            text = ngettext("{n} case found", "{n} cases found", n).format(n=format_number(n))
            if n >= SEARCH_LIMIT:
                text += " " + _("(the best {n} matches; type more to narrow the search)").format(
                    n=SEARCH_LIMIT)
        else:
            text = ngettext("{n} case", "{n} cases", n).format(n=format_number(n))
        self.count.setText(text)
        self.count.setAccessibleDescription(text)
        self.empty.setText(_("No case matches your search or filters.") if self.filtered()
                           or self._results is not None else _("There are no cases yet."))
        self.empty.setVisible(n == 0)

    @property
    def loading(self) -> bool:
        return self.busy.isVisibleTo(self)

    def forget(self) -> None:
        """Drop every case id, row and search text (the session is ending)."""
        self._generation += 1
        self._timer.stop()
        self._results = None
        self.search.clear()
        self.model.clear()
        self.count.clear()
        self.empty.hide()
