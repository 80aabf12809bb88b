"""The Appointments tab: this case's appointments, and booking a new one.

A clash with another booking (the survivor, the staff member, the interpreter, the room)
is refused with the core's description, which never names another case; the person may
then tick "Book it anyway" and book again.  A time outside the usual hours (before 08:00,
after 19:00, at the weekend) is pointed out under the form before booking, not refused.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QCheckBox, QFormLayout, QPushButton, QWidget

from shelter_app.domain import vocab
from shelter_app.domain.hours import hours_notice, next_slot
from shelter_app.domain.roles import Scope
from shelter_app.errors import ShelterError
from shelter_app.i18n import _
from shelter_app.i18n.formatting import format_datetime
from shelter_app.services.appointments import AppointmentConflict
from shelter_app.services.registry import Services

from ...background import Background
from ...dates import DateTimeField
from ...widgets import NOTICE_STYLE, MessageLabel, named
from .. import form as f
from ..pickers import language_options
from .base import ListTab

DURATIONS = (30, 45, 60, 90, 120, 180, 240)


def next_hour() -> dt.datetime:
    """A new booking's start: the next full hour within the usual hours of a working day."""
    return next_slot(dt.datetime.now())


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
                                       required=True))
        self.starts = DateTimeField(_("Starts at"))
        self.starts.set_value(next_hour())
        starts = f.Field("starts_at", _("&Starts at:"), self.starts, self.starts,
                         self.starts.value, lambda v: self.starts.set_value(next_hour()),
                         lambda _ro: None, self.starts.changed, f.MessageLabel(),
                         check=self.starts.problem)
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
        self.hours = MessageLabel(NOTICE_STYLE)
        named(self.hours, _("Outside the usual hours"))
        layout.addRow("", self.hours)
        for name in ("starts_at", "minutes"):
            self.form[name].changed.connect(self._check_hours)
        self.anyway = QCheckBox(_("Book it &anyway despite the clash"))
        named(self.anyway, _("Book it anyway despite the clash"))
        self.anyway.hide()
        layout.addRow("", self.anyway)
        self.book_button = QPushButton(_("&Book appointment"))
        named(self.book_button, _("Book appointment"))
        self.book_button.clicked.connect(self.book)
        self.submit = self.book
        layout.addRow("", self.book_button)
        self._check_hours()
        self.refresh()

    def prefill_hearing(self, day: dt.date) -> None:
        """The form set for a court hearing on *day*; its time, which nobody recorded, is
        left for the user to enter (the focus waits in it)."""
        self.form.put({"appointment_type": "court_hearing"})
        self.starts.date.set_value(day)
        self.starts.time.edit.clear()
        self.done.show_message(_("Enter the time of the hearing and where it is, then book "
                                 "the appointment."))
        self.starts.time.edit.setFocus()

    def refresh(self) -> None:
        rows = []
        for a in self.services.appointments.list_for_case(self.case_id):
            where = " · ".join(p for p in (a.location, a.room) if p)
            rows.append((a.id, [format_datetime(a.starts_at),
                                vocab.APPOINTMENT_TYPE.label(a.appointment_type), where,
                                a.interpreter, vocab.APPOINTMENT_STATUS.label(a.status)]))
        self.fill(rows)

    def _check_hours(self, *_args: object) -> None:
        start = self.starts.value()
        end = start + dt.timedelta(minutes=int(self.form["minutes"].get() or 60)) \
            if start is not None else None
        notice = hours_notice(start, end) if start and end else ""
        if notice != self.hours.text():
            self.hours.show_message(notice)

    def book(self) -> None:
        if not self.form.check_fields(["starts_at"]):
            return
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
