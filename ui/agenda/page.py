"""The Appointments page: a day or week agenda across the user's cases.

Previous / Today / Next and a date field move through the calendar; the table lists the
appointments of the day or week (``AppointmentService.between``), cases by code only.
New and Change open ``AppointmentDialog`` (parented here, so it goes when the window
goes); Status sets scheduled / confirmed / attended / did not attend / cancelled; Print
sends the day's list to the system print dialog (``printing.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from shelter_app.domain import vocab
from shelter_app.domain.roles import Action, Scope
from shelter_app.errors import ShelterError
from shelter_app.i18n import _, ngettext
from shelter_app.i18n.formatting import format_date
from shelter_app.services.appointments import Appointment
from shelter_app.services.registry import Services

from ..background import Background
from ..dates import DateField
from ..widgets import MessageLabel, heading, named, paragraph
from .common import (
    button,
    flow,
    name_combo_lists,
    select_row,
    selected_row,
    tab_order,
    table,
)
from .dialog import AppointmentDialog
from .model import AgendaModel, day_text
from .printing import AskPrinter, new_printer, print_day_list, system_print_dialog

CASE_SCOPES = (Scope.ASSIGNED, Scope.SHARED, Scope.OTHER)


def may_see_agenda(services: Services) -> bool:
    return any(services.ctx.allowed(Action.MANAGE_APPOINTMENTS, s) for s in CASE_SCOPES)


def week_start(day: dt.date) -> dt.date:
    first = QLocale().firstDayOfWeek().value  # Monday = 1 … Sunday = 7, as isoweekday
    return day - dt.timedelta(days=(day.isoweekday() - first) % 7)


class AgendaPage(QWidget):
    open_case = Signal(str)

    def __init__(self, services: Services, background: Background | None = None,
                 parent: QWidget | None = None, *, today: dt.date | None = None,
                 printer_factory: Callable[[], QPrinter] = new_printer,
                 ask_printer: AskPrinter = system_print_dialog) -> None:
        super().__init__(parent)
        self.setObjectName("agenda_page")
        self._services = services
        self._today = today
        self._printer_factory = printer_factory
        self._ask_printer = ask_printer
        self.day = self.today()
        self.mode = "day"
        self.model = AgendaModel(self)
        self.view = table(self.model, _("Appointments"),
                          _("Press Enter to change the selected appointment."))
        self.view.activated.connect(lambda _i: self.edit_selected())

        self.day_button = self._mode_button(_("&Day"))
        self.week_button = self._mode_button(_("&Week"))
        self.modes = QButtonGroup(self)
        self.modes.setExclusive(True)
        self.modes.addButton(self.day_button)
        self.modes.addButton(self.week_button)
        self.day_button.setChecked(True)
        self.day_button.toggled.connect(lambda on: self.set_mode("day") if on else None)
        self.week_button.toggled.connect(lambda on: self.set_mode("week") if on else None)
        self.previous_button = button(_("&Previous"), _("The day or week before"), self.previous)
        self.today_button = button(_("&Today"), _("Back to today"), self.go_today)
        self.next_button = button(_("&Next"), _("The day or week after"), self.next)
        self.date_edit = DateField(_("Go to date"), show_reading=False)
        self.date_edit.picked.connect(self._date_picked)
        self.range_label = heading("", scale=1.15)
        self.empty = paragraph("")
        self.message = MessageLabel()

        self.new_button = button(_("&New appointment…"), _("Book an appointment"),
                                 self.new_appointment)
        self.edit_button = button(_("&Change…"), _("Change the time, place or people"),
                                  self.edit_selected)
        self.status_button = QToolButton()
        self.status_button.setText(_("&Status"))
        self.status_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        named(self.status_button, _("Status"), _("Mark the selected appointment confirmed, "
                                                 "attended, not attended or cancelled"))
        self.status_menu = QMenu(self.status_button)
        self.status_actions: dict[str, QAction] = {}
        for code, label in vocab.APPOINTMENT_STATUS.choices():
            action = self.status_menu.addAction(label)
            action.triggered.connect(lambda _c=False, code=code: self.set_status(code))
            self.status_actions[code] = action
        self.status_button.setMenu(self.status_menu)
        self.open_button = button(_("&Open case"), _("Open the case of the selected "
                                                     "appointment"), self._open_case)
        self.print_button = button(_("&Print day list…"), "", self.print_day)

        nav = QHBoxLayout()
        for widget in (self.day_button, self.week_button, self.previous_button,
                       self.today_button, self.next_button, self.date_edit):
            nav.addWidget(widget)
        nav.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(_("Appointments")))
        layout.addLayout(nav)
        layout.addWidget(self.range_label)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.message)
        layout.addWidget(flow(self.new_button, self.edit_button, self.status_button,
                              self.open_button, self.print_button))
        self.view.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        name_combo_lists(self)
        tab_order(self.day_button, self.week_button, self.previous_button, self.today_button,
                  self.next_button, self.date_edit, self.view, self.new_button,
                  self.edit_button, self.status_button, self.open_button, self.print_button)
        self.refresh()

    def _mode_button(self, text: str) -> QToolButton:
        widget = QToolButton()
        widget.setText(text)
        widget.setCheckable(True)
        widget.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        named(widget, text.replace("&", ""))
        return widget

    # -- the calendar ----------------------------------------------------------------
    def today(self) -> dt.date:
        return self._today or dt.date.today()

    def span(self) -> tuple[dt.date, dt.date]:
        """First day shown and the day after the last."""
        if self.mode == "week":
            first = week_start(self.day)
            return first, first + dt.timedelta(days=7)
        return self.day, self.day + dt.timedelta(days=1)

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        (self.week_button if mode == "week" else self.day_button).setChecked(True)
        self.refresh()

    def go_to(self, day: dt.date) -> None:
        self.day = day
        self.refresh()

    def previous(self) -> None:
        self.go_to(self.day - dt.timedelta(days=7 if self.mode == "week" else 1))

    def next(self) -> None:
        self.go_to(self.day + dt.timedelta(days=7 if self.mode == "week" else 1))

    def go_today(self) -> None:
        self.go_to(self.today())

    def _date_picked(self) -> None:
        picked = self.date_edit.value()
        if picked is not None and picked != self.day:
            self.go_to(picked)
        if picked is not None:
            self.date_edit.set_value(picked)  # shown again in the one date format

    def refresh(self, select: str | None = None) -> None:
        first, after = self.span()
        start = dt.datetime.combine(first, dt.time()).astimezone()
        end = dt.datetime.combine(after, dt.time()).astimezone()
        self.message.clear_message()
        try:
            found = self._services.appointments.between(start, end)
            staff = {m.id: m.name for m in self._services.appointments.staff()}
        except ShelterError as exc:
            found, staff = [], {}
            self.message.show_message(exc.message)
        self.model.set_appointments(found, staff)
        self.view.setColumnHidden(AgendaModel.DAY, self.mode == "day")
        if self.date_edit.value() != self.day:
            self.date_edit.set_value(self.day)
        if self.mode == "week":
            last = after - dt.timedelta(days=1)
            self.range_label.setText(_("Week of {first} to {last}").format(
                first=format_date(first), last=format_date(last)))
            empty = _("No appointments this week.")
        else:
            self.range_label.setText(day_text(self.day, width="wide"))
            empty = _("No appointments on this day.")
        self.range_label.setAccessibleName(self.range_label.text())
        self.empty.setText(empty if not found else ngettext(
            "{n} appointment", "{n} appointments", len(found)).format(n=len(found)))
        self.print_button.setToolTip(_("Print the list of {date} (case codes only)").format(
            date=format_date(self.day)))
        self.print_button.setAccessibleDescription(self.print_button.toolTip())
        if select is not None:
            self.select(select)
        self._update_buttons()

    def select(self, appointment_id: str) -> None:
        for row, a in enumerate(self.model.rows()):
            if a.id == appointment_id:
                select_row(self.view, row)
                return

    def selected(self) -> Appointment | None:
        row = selected_row(self.view)
        return row if isinstance(row, Appointment) else None

    def _update_buttons(self) -> None:
        chosen = self.selected()
        for widget in (self.edit_button, self.status_button, self.open_button):
            widget.setEnabled(chosen is not None)
        for code, action in self.status_actions.items():
            action.setEnabled(chosen is not None and chosen.status != code)

    # -- actions ---------------------------------------------------------------------
    def new_appointment(self, case_id: str | None = None) -> AppointmentDialog:
        start = dt.datetime.combine(self.day, dt.time(9)) if self.day != self.today() else None
        return self._open_dialog(AppointmentDialog(self._services, start=start,
                                                   case_id=case_id, parent=self))

    def edit_selected(self) -> AppointmentDialog | None:
        chosen = self.selected()
        if chosen is None:
            return None
        return self._open_dialog(AppointmentDialog(self._services, appointment=chosen,
                                                   parent=self))

    def _open_dialog(self, dialog: AppointmentDialog) -> AppointmentDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda appointment_id: self.refresh(select=appointment_id))
        dialog.open()
        return dialog

    def set_status(self, status: str) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        try:
            self._services.appointments.set_status(chosen.id, status)
        except ShelterError as exc:
            self.message.show_message(exc.message)
            return
        self.refresh(select=chosen.id)

    def _open_case(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            self.open_case.emit(chosen.case_id)

    def print_day(self) -> bool:
        """Print the list of ``self.day``; False if the person cancelled the dialog."""
        printer = self._printer_factory()
        if not self._ask_printer(printer, self):
            return False
        try:
            lines = self._services.appointments.day_sheet(self.day)
            print_day_list(lines, self.day, printer)
        except ShelterError as exc:
            self.message.show_message(exc.message)
            return False
        self.empty.setText(ngettext("Printed {n} appointment.", "Printed {n} appointments.",
                                    len(lines)).format(n=len(lines)))
        return True

    # -- the end of the session ---------------------------------------------------------
    def end_session(self) -> None:
        """Drop every appointment this page or its dialogs hold."""
        for dialog in self.findChildren(QDialog):
            dialog.hide()
            dialog.deleteLater()
        self.model.clear()
        self.range_label.clear()
        self.empty.clear()
