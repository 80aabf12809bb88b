"""The Deadlines page: what is overdue or due soon across the user's cases.

Reflection periods ending, permits expiring, filings due and referral follow-ups come
from ``LegalService.due`` (legal deadlines of cases the user may read legally, follow-ups
of cases whose referrals they manage).  Overdue items come first and say "Overdue" in
words, with a warning icon and bold text, so nothing depends on colour.  A window of 7,
30 or 90 days chooses how far ahead to look.  Opening a row emits ``open_case(case_id)``;
the main window shows the case.  Cases are named by their code only.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QComboBox, QHBoxLayout, QStyle, QVBoxLayout, QWidget

from shelter_app.domain.roles import Action, Scope
from shelter_app.errors import ShelterError
from shelter_app.i18n import _, ngettext
from shelter_app.i18n.formatting import format_date
from shelter_app.services.legal import Deadline
from shelter_app.services.registry import Services

from .agenda.common import (
    Column,
    RowsModel,
    button,
    flow,
    name_combo_lists,
    selected_row,
    tab_order,
    table,
)
from .background import Background
from .day.lines import tab_for
from .widgets import MessageLabel, heading, named, paragraph

WINDOWS = (7, 30, 90)
DEFAULT_WINDOW = 30
CASE_SCOPES = (Scope.ASSIGNED, Scope.SHARED, Scope.OTHER)


def may_see_deadlines(services: Services) -> bool:
    ctx = services.ctx
    return any(ctx.allowed(action, s) for action in (Action.READ_LEGAL, Action.MANAGE_REFERRALS)
               for s in CASE_SCOPES)


def when_text(deadline: Deadline, today: dt.date) -> str:
    days = (deadline.due_on - today).days
    if days < 0:
        return ngettext("Overdue by {n} day", "Overdue by {n} days", -days).format(n=-days)
    if days == 0:
        return _("Due today")
    return ngettext("Due in {n} day", "Due in {n} days", days).format(n=days)


class DeadlinesModel(RowsModel):
    WHEN, DUE, CASE, WHAT = range(4)

    def __init__(self, today: dt.date, parent: QObject | None = None) -> None:
        self.today = today
        style = QApplication.style()
        warning = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        soon = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation)

        def icon(d: Deadline) -> QIcon | None:
            if d.overdue(self.today):
                return warning
            return soon if (d.due_on - self.today).days <= 7 else None

        super().__init__([
            Column(lambda: _("When"), lambda d: when_text(d, self.today),
                   sort=lambda d: d.due_on.toordinal(), icon=icon,
                   bold=lambda d: d.overdue(self.today)),
            Column(lambda: _("Due on"), lambda d: format_date(d.due_on),
                   sort=lambda d: d.due_on.toordinal()),
            Column(lambda: _("Case"), lambda d: d.case_code),
            Column(lambda: _("Deadline"), lambda d: d.label),
        ], parent)


class DeadlinesPage(QWidget):
    open_case = Signal(str, str, str)

    def __init__(self, services: Services, background: Background | None = None,
                 parent: QWidget | None = None, *, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("deadlines_page")
        self._services = services
        self._today = today
        self._shown = False
        self.model = DeadlinesModel(self.today(), self)
        self.view = table(self.model, _("Deadlines"),
                          _("Overdue first. Press Enter to open the case."))
        self.view.activated.connect(lambda _i: self.open_selected())
        self.window_combo = QComboBox()
        for days in WINDOWS:
            self.window_combo.addItem(ngettext("Next {n} day", "Next {n} days", days).format(
                n=days), days)
        self.window_combo.setCurrentIndex(WINDOWS.index(DEFAULT_WINDOW))
        named(self.window_combo, _("Show deadlines due within"))
        self.window_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.summary = paragraph("")
        self.message = MessageLabel()
        self.open_button = button(_("&Open case"), _("Open the case of the selected deadline"),
                                  self.open_selected)
        self.refresh_button = button(_("&Refresh"), _("Read the deadlines again"),
                                     self.refresh)

        top = QHBoxLayout()
        label = paragraph(_("Show:"))
        label.setBuddy(self.window_combo)
        top.addWidget(label)
        top.addWidget(self.window_combo)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(_("Deadlines")))
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.message)
        layout.addWidget(flow(self.open_button, self.refresh_button))
        self.view.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        name_combo_lists(self)
        tab_order(self.window_combo, self.view, self.open_button, self.refresh_button)
        self.refresh()

    def today(self) -> dt.date:
        return self._today or dt.date.today()

    def window_days(self) -> int:
        return int(self.window_combo.currentData())

    def set_window(self, days: int) -> None:
        self.window_combo.setCurrentIndex(WINDOWS.index(days))

    def refresh(self) -> None:
        today = self.today()
        self.message.clear_message()
        try:
            found = self._services.legal.due(within_days=self.window_days(), today=today)
        except ShelterError as exc:
            found = []
            self.message.show_message(exc.message)
        self.model.today = today
        self.model.set_rows(found)
        overdue = sum(1 for d in found if d.overdue(today))
        soon = len(found) - overdue
        if not found:
            text = ngettext("Nothing overdue and nothing due in the next {n} day.",
                            "Nothing overdue and nothing due in the next {n} days.",
                            self.window_days()).format(n=self.window_days())
        else:
            text = " ".join((
                ngettext("{n} overdue.", "{n} overdue.", overdue).format(n=overdue),
                ngettext("{n} due in the next {days} days.", "{n} due in the next {days} days.",
                         soon).format(n=soon, days=self.window_days())))
        self.summary.setText(text)
        self.summary.setAccessibleName(text)
        self._update_buttons()

    def selected(self) -> Deadline | None:
        row = selected_row(self.view)
        return row if isinstance(row, Deadline) else None

    def _update_buttons(self) -> None:
        self.open_button.setEnabled(self.selected() is not None)

    def open_selected(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            self.open_case.emit(chosen.case_id, tab_for(chosen.kind), chosen.source_id)

    def showEvent(self, event: object) -> None:
        """Coming back to the page reads the deadlines again: days pass, cases change."""
        super().showEvent(event)  # type: ignore[arg-type]
        if self._shown:
            self.refresh()
        self._shown = True

    def end_session(self) -> None:
        self.model.clear()
        self.summary.clear()
