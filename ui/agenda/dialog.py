"""Booking or changing an appointment, with double bookings shown before anything is saved.

While the form is filled in, a short timer asks ``AppointmentService.conflicts`` and lists
what would clash (the survivor, the staff member, the volunteer, the interpreter, the
room) under the form.  Saving asks the service without ``allow_conflicts``: a clash stops
the save with ``AppointmentConflict``, its ``describe()`` lines are shown, and the button
"Save anyway" appears; only that button books despite the clash.  A clash in a case the
user cannot see is described without naming it (the service sees to that).

Times are typed on the language's own clock (``ui/dates.py``): "10:00 AM" is 10:00, and an
hour without AM or PM on a 12-hour clock is refused beside the field, never guessed.  A
time outside the usual hours (``shelter_app.domain.hours``: before 08:00, after 19:00, at
the weekend) is pointed out under the form before saving; it can still be saved.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from shelter_app.domain import vocab
from shelter_app.domain.hours import hours_notice, next_slot
from shelter_app.errors import ShelterError, ValidationError
from shelter_app.i18n import _
from shelter_app.services.appointments import Appointment, AppointmentConflict, Conflict
from shelter_app.services.registry import Services

from ..cases.pickers import CodeCombo, language_options
from ..dates import DateTimeField
from ..widgets import NOTICE_STYLE, MessageLabel, heading, named
from .case_picker import CasePicker
from .common import FieldForm, name_combo_lists, name_combo_parts

CHECK_DELAY_MS = 300


def _local(moment: dt.datetime) -> dt.datetime:
    """*moment* as local wall-clock time, without a time zone (what the fields show)."""
    return moment.astimezone().replace(tzinfo=None, second=0, microsecond=0) \
        if moment.tzinfo else moment.replace(second=0, microsecond=0)


class AppointmentDialog(QDialog):
    """``saved(appointment_id)`` is emitted once the appointment is booked or changed."""

    saved = Signal(str)

    def __init__(self, services: Services, *, appointment: Appointment | None = None,
                 start: dt.datetime | None = None, case_id: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._appointment = appointment
        self.conflicts: list[Conflict] = []
        self.setObjectName("appointment_dialog")
        title = _("Change appointment") if appointment else _("New appointment")
        self.setWindowTitle(title)
        named(self, title)

        self.case = CasePicker(services)
        self.type = QComboBox()
        self.type.addItem(_("Choose… (required)"), "")
        for code, label in vocab.APPOINTMENT_TYPE.choices():
            self.type.addItem(label, code)
        named(self.type, _("Type of appointment"), _("Required"))
        self.starts = DateTimeField(_("Starts"))
        self.ends = DateTimeField(_("Ends"))
        self.location = self._line(_("Location"), _("Building or address, e.g. Main office"))
        self.room = self._line(_("Room"))
        self.staff = QComboBox()
        self.staff.addItem(_("Nobody in particular"), "")
        named(self.staff, _("Staff member"))
        self.volunteer = self._line(_("Volunteer"))
        self.interpreter = self._line(_("Interpreter"), _("The interpreter's name"))
        self.language = CodeCombo(language_options(), _("Interpreter's language"))
        name_combo_parts(self.language, _("Interpreter's language"))
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.notes.setMaximumHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        named(self.notes, _("Notes"))
        self._staff_ids: set[str] = set()
        for member in services.appointments.staff():
            if member.active:
                self.staff.addItem(member.name, member.id)
                self._staff_ids.add(member.id)

        self.error = MessageLabel()
        self.form = FieldForm((
            ("case_id", _("&Case:"), self.case), ("appointment_type", _("&Type:"), self.type),
            ("starts_at", _("&Starts:"), self.starts), ("ends_at", _("&Ends:"), self.ends),
            ("location", _("&Location:"), self.location), ("room", _("&Room:"), self.room),
            ("staff_id", _("Staff &member:"), self.staff),
            ("volunteer", _("&Volunteer:"), self.volunteer),
            ("interpreter", _("&Interpreter:"), self.interpreter),
            ("interpreter_language", _("Interpreter's lan&guage:"), self.language),
            ("notes", _("&Notes:"), self.notes)), self.error)
        self.messages = self.form.messages

        self.conflict_box = MessageLabel(NOTICE_STYLE)
        named(self.conflict_box, _("Double bookings"))
        self.hours_box = MessageLabel(NOTICE_STYLE)
        named(self.hours_box, _("Outside the usual hours"))
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton(_("Save"),
                                                  QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_anyway_button = self.buttons.addButton(
            _("Save anyway"), QDialogButtonBox.ButtonRole.ActionRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        named(self.save_button, _("Save"))
        named(self.save_anyway_button, _("Save anyway"),
              _("Book it even though someone or the room is already booked at that time"))
        named(self.cancel_button, _("Cancel"))
        self.save_anyway_button.hide()
        self.save_button.setDefault(True)
        self.buttons.accepted.connect(lambda: self.save(allow_conflicts=False))
        self.save_anyway_button.clicked.connect(lambda: self.save(allow_conflicts=True))
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading(title, scale=1.2))
        layout.addLayout(self.form.layout)
        layout.addWidget(self.hours_box)
        layout.addWidget(self.conflict_box)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(CHECK_DELAY_MS)
        self._timer.timeout.connect(self.check_conflicts)
        self._fill(appointment, start, case_id)
        for signal in (self.case.changed, self.starts.changed, self.ends.changed,
                       self.location.textEdited, self.room.textEdited, self.volunteer.textEdited,
                       self.interpreter.textEdited, self.staff.currentIndexChanged):
            signal.connect(self._changed)
        self.starts.changed.connect(self._keep_duration)
        self.starts.changed.connect(self.messages["starts_at"].clear_message)
        self.ends.changed.connect(self.messages["ends_at"].clear_message)
        self._last_start = self.starts.value()
        self._check_hours()
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 34)
        name_combo_lists(self)

    # -- building ------------------------------------------------------------------
    def _line(self, name: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit()
        edit.setPlaceholderText(placeholder)
        named(edit, name)
        return edit

    def _fill(self, a: Appointment | None, start: dt.datetime | None,
              case_id: str | None) -> None:
        if a is None:
            begin = start or next_slot(dt.datetime.now())
            self.starts.set_value(_local(begin))
            self.ends.set_value(_local(begin) + dt.timedelta(hours=1))
            if case_id is not None:
                self.case.set_fixed(case_id, self._code_for(case_id))
            else:
                self.case.load_recent()
            self.case.setFocus()
            return
        self.case.set_fixed(a.case_id, a.case_code)
        self.type.setCurrentIndex(max(self.type.findData(a.appointment_type), 0))
        self.starts.set_value(_local(a.starts_at))
        self.ends.set_value(_local(a.ends_at))
        self.location.setText(a.location)
        self.room.setText(a.room)
        if a.staff_id and a.staff_id not in self._staff_ids:  # booked, since disabled
            self.staff.addItem(_("(account disabled)"), a.staff_id)
        self.staff.setCurrentIndex(max(self.staff.findData(a.staff_id or ""), 0))
        self.volunteer.setText(a.volunteer)
        self.interpreter.setText(a.interpreter)
        self.language.set_value(a.interpreter_language or "")
        self.notes.setPlainText(a.notes)
        self.type.setFocus()

    def _code_for(self, case_id: str) -> str:
        found = self._services.search.summaries([case_id])
        return found[0].code if found else case_id

    # -- values and the conflict check ----------------------------------------------
    def values(self) -> dict[str, Any]:
        return {
            "appointment_type": str(self.type.currentData() or ""),
            "starts_at": self.starts.value(),
            "ends_at": self.ends.value(),
            "location": self.location.text(), "room": self.room.text(),
            "staff_id": str(self.staff.currentData() or "") or None,
            "volunteer": self.volunteer.text(), "interpreter": self.interpreter.text(),
            "interpreter_language": self.language.value() or None,
            "notes": self.notes.toPlainText(),
        }

    def _keep_duration(self) -> None:
        """Moving the start moves the end with it, keeping the length (only between two
        times that could both be read: nothing is moved on a guess)."""
        new_start, end = self.starts.value(), self.ends.value()
        if new_start is None:
            return
        previous, self._last_start = self._last_start, new_start
        if previous is not None and end is not None and end > previous \
                and new_start != previous:
            self.ends.set_value(new_start + (end - previous))

    def _changed(self, *_args: object) -> None:
        self.save_anyway_button.hide()
        self._check_hours()
        self._timer.start()

    def _check_hours(self) -> None:
        start, end = self.starts.value(), self.ends.value()
        notice = hours_notice(start, end) if start is not None and end is not None and \
            end > start else ""
        if notice != self.hours_box.text():
            self.hours_box.show_message(notice)

    def check_conflicts(self) -> list[Conflict]:
        """Ask the service what the form's time, people and room would clash with."""
        values = self.values()
        if values["starts_at"] is None or values["ends_at"] is None:
            self._show_conflicts([])
            return []
        try:
            found = self._services.appointments.conflicts(
                case_id=self.case.case_id() or "", starts_at=values["starts_at"],
                ends_at=values["ends_at"], staff_id=values["staff_id"],
                volunteer=values["volunteer"], interpreter=values["interpreter"],
                room=values["room"], location=values["location"],
                ignore_id=self._appointment.id if self._appointment else None)
        except ShelterError:
            found = []
        self._show_conflicts(found)
        return found

    def _show_conflicts(self, found: list[Conflict]) -> None:
        self.conflicts = found
        if not found:
            self.conflict_box.clear_message()
            return
        lines = [c.describe() for c in found]
        self.conflict_box.show_message("\n".join(
            [_("Double booking — check before saving:"), *(f"• {line}" for line in lines)]))

    # -- saving --------------------------------------------------------------------
    def save(self, *, allow_conflicts: bool) -> None:
        self.form.clear()
        for name, field in (("starts_at", self.starts), ("ends_at", self.ends)):
            problem = field.problem()
            if problem:  # a time that cannot be read, or is ambiguous: said beside it
                self.form.messages[name].show_message(problem)
                field.quiet()
                field.problem_widget().setFocus()
                return
        values = self.values()
        service = self._services.appointments
        try:
            if self._appointment is None:
                case_id = self.case.case_id()
                if case_id is None:
                    raise ValidationError(_("Choose the case first: type its code or a name "
                                            "and press Enter."), "case_id")
                saved = service.schedule(case_id, allow_conflicts=allow_conflicts, **values)
            else:
                saved = service.update(self._appointment.id,
                                       row_version=self._appointment.row_version,
                                       allow_conflicts=allow_conflicts, **values)
        except AppointmentConflict as exc:
            self._show_conflicts(exc.conflicts)
            self.save_anyway_button.show()
            self.save_anyway_button.setFocus()
            return
        except ValidationError as exc:
            self.form.show_refusal(exc)
            return
        except ShelterError as exc:
            self.error.show_message(exc.message)
            return
        self.saved.emit(saved.id)
        self.accept()

    def done(self, result: int) -> None:
        self._timer.stop()
        super().done(result)

    def keyPressEvent(self, event: Any) -> None:
        # Enter in the case search box searches (returnPressed); it must not also save.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.case.query.hasFocus():
            return
        super().keyPressEvent(event)
