"""My day: the first page after sign-in for caseworkers, coordinators and legal volunteers.

What needs the person today, in groups with their counts (``DayService.my_day``): today's
and tomorrow's appointments, deadlines overdue or due within a week, referrals awaiting an
answer past their follow-up date, consents expiring within 30 days, open tasks.  Cases are
named by their code only.  A coordinator sees her own day, and everyone's with one tick.

The day is read on the worker thread (``ui/background.py``); every request carries a
generation number and a late answer is dropped.  It is read again when the page is shown
again, when something changed (the main window calls ``data_changed``, see
``ui/day/nav_counts.py``) and when the day turns.

Enter or a double click on a line (or "Open case") emits ``open_case(case_id, tab,
record_id)``: the main window shows that case at the line's tab (appointment →
Appointments, deadline → Legal matters, referral → Referrals, consent → Consent, task →
Tasks) with the record selected.  Enter on a group folds or unfolds it.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from shelter_app.errors import ShelterError
from shelter_app.i18n import _, ngettext
from shelter_app.i18n.formatting import format_date
from shelter_app.services.day import COUNT_CAP, Day, DayItem
from shelter_app.services.registry import Services

from ..agenda.common import button, flow, tab_order
from ..background import Background
from ..widgets import BusyBar, MessageLabel, heading, named, paragraph
from .lines import TABS, tab_for
from .model import DayModel


def may_see_my_day(services: Services) -> bool:
    """Roles that reach some case (an administrator alone does not)."""
    return bool(services.day.groups())


def summary_text(day: Day) -> str:
    total = day.total
    if day.capped:
        text = (_("More than {n} items on everyone's day.") if day.everyone
                else _("More than {n} items on your day."))
        return text.format(n=COUNT_CAP - 1)
    if day.everyone:
        return ngettext("{n} item on everyone's day.", "{n} items on everyone's day.",
                        total).format(n=total)
    if not total:
        return _("Nothing on your day.")
    return ngettext("{n} item on your day.", "{n} items on your day.", total).format(n=total)


class MyDayPage(QWidget):
    open_case = Signal(str, str, str)  # case id, workspace tab, record id

    def __init__(self, services: Services, background: Background,
                 parent: QWidget | None = None, *, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("my_day_page")
        self._services = services
        self._background = background
        self._today = today
        self._generation = 0
        self._shown = False
        self._stale = False
        self.loading = False
        self.model = DayModel(self)
        self.title = heading(_("My day"))
        self.date = paragraph("")
        self.summary = paragraph("")
        self.everyone = QCheckBox(_("Show &everyone's day (all cases)"))
        named(self.everyone, _("Show everyone's day (all cases)"),
              _("Every case, not only yours and the tasks given to you"))
        self.everyone.setVisible(services.day.can_show_everyone())
        self.everyone.toggled.connect(lambda _on: self.refresh())
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setAllColumnsShowFocus(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        for column in range(4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(DayModel.WHAT, QHeaderView.ResizeMode.Stretch)
        named(self.tree, _("My day"),
              _("Groups with their counts; press Enter on a line to open its case."))
        # Enter (read by eventFilter) and a double click, whatever the style says about
        # "activating"; a double click on a group folds it by itself (the tree's own).
        self.tree.installEventFilter(self)
        self.tree.doubleClicked.connect(self._double_clicked)
        self.tree.selectionModel().currentRowChanged.connect(lambda *_a: self._update_buttons())
        self.busy = BusyBar(_("Reading your day"))
        self.message = MessageLabel()
        self.open_button = button(_("&Open case"), _("Open the case of the selected line at "
                                                     "the right place"), self.open_selected)
        self.refresh_button = button(_("&Refresh"), _("Read your day again"), self.refresh)

        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.everyone)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.date)
        layout.addWidget(self.summary)
        layout.addWidget(self.busy)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.message)
        layout.addWidget(flow(self.open_button, self.refresh_button))
        tab_order(self.everyone, self.tree, self.open_button, self.refresh_button)
        self.setFocusProxy(self.tree)
        self.refresh()

    def today(self) -> dt.date:
        return self._today or dt.date.today()

    def start_control(self) -> QWidget:
        """Where the keyboard starts on this page: the day's lines."""
        return self.tree

    # -- reading the day ---------------------------------------------------------------
    def refresh(self) -> None:
        """Read the day again, off the GUI thread."""
        self._generation += 1
        generation = self._generation
        today = self.today()
        everyone = self.everyone.isChecked()
        services = self._services
        if services.ctx.vault.closed:
            return
        self.loading = True
        self._stale = False
        self.busy.show()
        self._background.run(lambda: services.day.my_day(today, everyone=everyone),
                             lambda day: self._show(generation, day),
                             lambda exc: self._failed(generation, exc), context=self)

    def _show(self, generation: int, day: Day) -> None:
        if generation != self._generation:
            return
        self.loading = False
        self.busy.hide()
        self.message.clear_message()
        chosen = self.selected()
        had_focus = self.tree.hasFocus()
        self.model.show_day(day)
        self.tree.expandAll()
        for row in range(self.model.rowCount()):
            self.tree.setFirstColumnSpanned(row, QModelIndex(), True)
        self.date.setText(_("Today: {date}").format(date=format_date(day.today)))
        self.date.setAccessibleName(self.date.text())
        self.summary.setText(summary_text(day))
        self.summary.setAccessibleName(self.summary.text())
        self._reselect(chosen)
        if had_focus:
            self.tree.setFocus()
        self._update_buttons()

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self.loading = False
        self.busy.hide()
        if self._services.ctx.vault.closed:
            return  # the session ended while the day was being read: nothing to show
        if not isinstance(exc, ShelterError):
            raise exc
        self.message.show_message(exc.message)

    def _lines(self) -> list[QModelIndex]:
        return [self.model.index(child, 0, group)
                for group in (self.model.index(r, 0) for r in range(self.model.rowCount()))
                for child in range(self.model.rowCount(group))
                if self.model.item_at(self.model.index(child, 0, group)) is not None]

    def _reselect(self, chosen: DayItem | None) -> None:
        """Keep the line that was selected (by its group and record), else the first line."""
        def same(index: QModelIndex) -> bool:
            item = self.model.item_at(index)
            return item is not None and chosen is not None and (
                item.group, item.record_id) == (chosen.group, chosen.record_id)

        lines = self._lines()
        target = ([i for i in lines if same(i)] or lines or [self.model.index(0, 0)])[0]
        if target.isValid():
            self.tree.setCurrentIndex(target)

    # -- opening ---------------------------------------------------------------------------
    def selected(self) -> DayItem | None:
        return self.model.item_at(self.tree.currentIndex())

    def _update_buttons(self) -> None:
        self.open_button.setEnabled(self.selected() is not None)

    def open_index(self, index: QModelIndex) -> None:
        item = self.model.item_at(index)
        if item is not None:
            tab = tab_for(item.kind) if item.group == "deadlines" else TABS[item.group]
            self.open_case.emit(item.case_id, tab, item.record_id)
            return
        group = index.siblingAtColumn(0)
        if self.model.rowCount(group):  # Enter on a group folds or unfolds it
            self.tree.setExpanded(group, not self.tree.isExpanded(group))

    def _double_clicked(self, index: QModelIndex) -> None:
        if self.model.item_at(index) is not None:
            self.open_index(index)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.tree and isinstance(event, QKeyEvent) and \
                event.type() == QEvent.Type.KeyPress and \
                event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.open_index(self.tree.currentIndex())
            return True
        return super().eventFilter(watched, event)

    def open_selected(self) -> None:
        self.open_index(self.tree.currentIndex())

    # -- kept up to date -------------------------------------------------------------------
    def data_changed(self) -> None:
        """Something changed (a record, or the date): read again now if shown, else later."""
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event: object) -> None:
        """Coming back to the page reads the day again: it may have changed meanwhile."""
        super().showEvent(event)  # type: ignore[arg-type]
        if self._shown and (self._stale or not self.loading):
            self.refresh()
        self._shown = True

    def end_session(self) -> None:
        self._generation += 1  # an answer still on its way is dropped
        self.model.forget()
        self.date.clear()
        self.summary.clear()
        self.message.clear_message()
