"""The Appointments tab: this case's appointments, and booking a new one.

A clash with another booking (the survivor, the staff member, the interpreter, the room)
is refused with the core's description, which never names another case; the person may
then tick "Book it anyway" and book again.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDateTime, QTime
from PySide6.QtWidgets import QCheckBox, QDateTimeEdit, QFormLayout, QPushButton, QWidget

from shelter_app.domain import vocab
from shelter_app.domain.roles import Scope
from shelter_app.errors import ShelterError
from shelter_app.i18n import _
from shelter_app.i18n.formatting import format_datetime
from shelter_app.services.appointments import AppointmentConflict
from shelter_app.services.registry import Services

from ...background import Background
from ...widgets import named
from .. import form as f
from ..pickers import language_options
from .base import ListTab

DURATIONS = (30, 45, 60, 90, 120, 180, 240)


def next_hour() -> QDateTime:
    now = QDateTime.currentDateTime().addSecs(3600)
    return QDateTime(now.date(), QTime(now.time().hour(), 0))


class AppointmentsTab(ListTab):

    draft_kind = "appointment_form"
    def __init__(self, services: Services, background: Background, case_id: str,
                 scope: Scope, parent: QWidget | None = None) -> None:
        super().__init__(services, background, case_id,
                         [_("When"), _("Type"), _("Where"), _("Interpreter"), _("Status")],
                         _("Appointments"), parent)
        try:
            staff = [(s.id, s.name) for s in services.appointments.staff() if s.active]
        except (ShelterError, AttributeError):
            staff = []
        box = self.group(_("Book an appointment"))
        layout = QFormLayout(box)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.add(layout, f.choice("appointment_type", _("T&ype:"), vocab.APPOINTMENT_TYPE,
                                       blank=False))
        self.starts = QDateTimeEdit(next_hour())
        self.starts.setCalendarPopup(True)
        named(self.starts, _("Starts at"))
        starts = f.Field("starts_at", _("&Starts at:"), self.starts, self.starts,
                         lambda: self.starts.dateTime().toPython(),
                         lambda v: self.starts.setDateTime(next_hour()),
                         self.starts.setReadOnly, self.starts.dateTimeChanged, f.MessageLabel())
        self.form.add(layout, starts)
        self.form.add(layout, f.options("minutes", _("&Duration:"),
                                        [(str(m), _("{n} minutes").format(n=m))
                                         for m in DURATIONS]))
        self.form["minutes"].put("60")
        self.form.add(layout, f.line("location", _("&Location:"), max_length=300))
        self.form.add(layout, f.line("room", _("&Room:"), max_length=100))
        self.form.add(layout, f.options("staff_id", _("Staff &member:"),
                                        [("", _("(none)")), *staff]))
        self.form.add(layout, f.line("interpreter", _("&Interpreter:")))
        self.form.add(layout, f.code("interpreter_language", _("Interpreter's lan&guage:"),
                                     language_options()))
        self.form.add(layout, f.note("notes", _("&Notes:"), rows=2))
        self.anyway = QCheckBox(_("Book it &anyway despite the clash"))
        named(self.anyway, _("Book it anyway despite the clash"))
        self.anyway.hide()
        layout.addRow("", self.anyway)
        self.book_button = QPushButton(_("&Book appointment"))
        named(self.book_button, _("Book appointment"))
        self.book_button.clicked.connect(self.book)
        self.submit = self.book
        layout.addRow("", self.book_button)
        self.refresh()

    def refresh(self) -> None:
        rows = []
        for a in self.services.appointments.list_for_case(self.case_id):
            where = " · ".join(p for p in (a.location, a.room) if p)
            rows.append((a.id, [format_datetime(a.starts_at, length="short"),
                                vocab.APPOINTMENT_TYPE.label(a.appointment_type), where,
                                a.interpreter, vocab.APPOINTMENT_STATUS.label(a.status)]))
        self.fill(rows)

    def book(self) -> None:
        v = self.form.values()
        start: dt.datetime = v["starts_at"]
        end = start + dt.timedelta(minutes=int(v["minutes"]))
        anyway = not self.anyway.isHidden() and self.anyway.isChecked()
        try:
            done = self.attempt(lambda: self._schedule(v, start, end, anyway),
                                _("The appointment was booked."))
        finally:
            self.anyway.setChecked(False)
        if done:
            self.anyway.hide()
            self.form.put({"notes": "", "interpreter": "", "room": ""})
            self.mark_clean()

    def _schedule(self, v: dict[str, object], start: dt.datetime, end: dt.datetime,
                  anyway: bool) -> object:
        try:
            return self.services.appointments.schedule(
                self.case_id, str(v["appointment_type"]), start, end,
                location=str(v["location"]), room=str(v["room"]),
                staff_id=str(v["staff_id"]) or None, interpreter=str(v["interpreter"]),
                interpreter_language=str(v["interpreter_language"]) or None,
                notes=str(v["notes"]), allow_conflicts=anyway)
        except AppointmentConflict:
            self.anyway.show()
            raise
