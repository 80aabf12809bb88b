"""Date and time fields that read what people type, and say what they read.

``DateField`` is a text field with a calendar button: it accepts ISO (2026-12-04), the
language's numeric order (04/12/2026 in British English, 12/4/2026 in American English,
Arabic digits) and month names (4 Dec 2026), and shows beside itself, as the person types,
the date it read in words ("Read as 4 Dec 2026 (day/month/year)") or why it cannot read
it.  Nothing is guessed: text it cannot read is never a value (``shelter_app.i18n.parsing``).
``TimeField`` does the same for a time of day on the language's own clock; on a 12-hour
clock an hour without AM or PM is refused as ambiguous.  ``DateTimeField`` is the two side
by side.  The calendar opens with the button, F4 or Alt+Down; Up and Down move a readable
date by a day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, QEvent, QObject, QPoint, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QKeyEvent, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from shelter_app.i18n import _
from shelter_app.i18n.formatting import format_date, format_datetime, format_time, isolated
from shelter_app.i18n.parsing import (
    DateReading,
    TimeReading,
    date_example,
    order_words,
    read_date,
    read_time,
)

from .widgets import ERROR_STYLE, named

SAMPLE = dt.date(2026, 12, 31)


def _calendar_icon(palette: QPalette) -> QIcon:
    """A small calendar page drawn in the palette's text colour (no icon theme needed)."""
    pixmap = QPixmap(32, 32)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = palette.color(QPalette.ColorRole.ButtonText)
    painter.setPen(QPen(colour, 2.4))
    painter.drawRoundedRect(QRectF(4, 7, 24, 21), 3, 3)
    painter.fillRect(QRectF(4, 7, 24, 6), colour)
    painter.drawLine(10, 3, 10, 9)
    painter.drawLine(22, 3, 22, 9)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(colour))
    for row in range(2):
        for column in range(3):
            painter.drawRect(QRectF(8 + column * 6.5, 16 + row * 5.5, 3.5, 3.5))
    painter.end()
    return QIcon(pixmap)


def _fit(edit: QLineEdit, samples: list[str]) -> None:
    """Make *edit* wide enough for the longest of *samples* (as the language writes them),
    and no wider: the read-back beside it gets the rest of the row."""
    metrics = edit.fontMetrics()
    edit.setFixedWidth(max(metrics.horizontalAdvance(s) for s in samples)
                       + metrics.horizontalAdvance("MM") + 8)


class _Reading(QLabel):
    """What was read, or why not: plain text beside the field, red for a problem."""

    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setAlignment(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter)
        self.hide()

    def show_text(self, text: str, *, problem: bool) -> None:
        self.setStyleSheet(ERROR_STYLE if problem else "")
        self.setText(text)
        self.setAccessibleName(text)
        self.setVisible(bool(text))  # an empty line takes no room


def date_reading_text(reading: DateReading) -> str:
    """"Read as 4 Dec 2026 (day/month/year)" for a reading that has a value."""
    assert reading.value is not None
    shown = isolated(format_date(reading.value))
    if reading.order:
        return _("Read as {date} ({order})").format(date=shown,
                                                    order=order_words(reading.order))
    return _("Read as {date}").format(date=shown)


class DateField(QWidget):
    """A date typed or picked; ``value()`` is a ``datetime.date`` or None."""

    changed = Signal()
    picked = Signal()  # a day chosen in the calendar, or Enter on a date that can be read

    def __init__(self, name: str, *, show_reading: bool = True,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit()
        self.edit.setMaxLength(40)
        self.edit.returnPressed.connect(lambda: self.picked.emit() if self.value() else None)
        self.edit.setPlaceholderText(isolated(format_date(SAMPLE)))  # an example, greyed
        tip = _("Type a date such as {medium}, {numeric} or {iso}. F4 or Alt+Down opens a "
                "calendar; Up and Down change the day.").format(
            medium=format_date(SAMPLE), numeric=date_example(), iso=SAMPLE.isoformat())
        self.edit.setToolTip(tip)
        named(self.edit, name, tip)
        _fit(self.edit, [format_date(dt.date(2026, month, 28)) for month in range(1, 13)]
             + [date_example()])
        self.button = QToolButton()
        self.button.setIcon(_calendar_icon(self.palette()))
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # F4 / Alt+Down from the field
        self.button.setToolTip(_("Pick the date from a calendar (F4)"))
        named(self.button, _("Calendar for {field}").format(field=name))
        self.button.clicked.connect(self.open_calendar)
        self.reading = _Reading()
        self._show_reading = show_reading
        self._menu: QMenu | None = None
        self._calendar: QCalendarWidget | None = None
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit)
        row.addWidget(self.button)
        row.addWidget(self.reading, 1)
        row.addStretch(0)  # takes the room while nothing is said
        self.setFocusProxy(self.edit)
        self.edit.installEventFilter(self)
        self.edit.textChanged.connect(self._typed)

    # -- values ----------------------------------------------------------------------
    def read(self) -> DateReading:
        return read_date(self.edit.text())

    def value(self) -> dt.date | None:
        return self.read().value

    def form_value(self) -> str:
        """ISO text for a date read, "" when empty, the text itself when it cannot be read
        (so that the core refuses it rather than taking it as empty)."""
        reading = self.read()
        if reading.value is not None:
            return reading.value.isoformat()
        return "" if not self.edit.text().strip() else self.edit.text().strip()

    def problem(self, *, required: bool) -> str:
        """Why what is typed cannot be saved ("" when it can)."""
        reading = self.read()
        if reading.problem:
            return reading.problem
        if required and reading.value is None:
            return _("Enter a date.")
        return ""

    def set_value(self, value: Any) -> None:
        """Show *value* (a date, ISO text, or nothing) in the interface's medium form."""
        day: dt.date | None
        if isinstance(value, dt.datetime):
            day = value.date()
        elif isinstance(value, dt.date):
            day = value
        else:
            try:
                day = dt.date.fromisoformat(str(value)[:10]) if value else None
            except ValueError:
                self.edit.setText(str(value))
                return
        self.edit.setText(format_date(day) if day else "")

    def quiet(self) -> None:
        """Stop saying a problem beside the field (the form says it under the field)."""
        if self.value() is None:
            self.reading.show_text("", problem=False)

    def problem_widget(self) -> QWidget:
        return self.edit

    def set_read_only(self, read_only: bool) -> None:
        self.edit.setReadOnly(read_only)
        self.button.setVisible(not read_only)
        # the example date is for typing: in a record only read, it would pass for one
        self.edit.setPlaceholderText("" if read_only else isolated(format_date(SAMPLE)))
        self._say_reading()

    # -- as the person types ------------------------------------------------------------
    def _typed(self, *_args: object) -> None:
        self._say_reading()
        self.changed.emit()

    def _say_reading(self) -> None:
        reading = self.read()
        text = self.edit.text().strip()
        if not self._show_reading or self.edit.isReadOnly() or not text:
            self.reading.show_text("", problem=False)
        elif reading.value is None:
            self.reading.show_text(reading.problem, problem=True)
        elif text == format_date(reading.value):
            self.reading.show_text("", problem=False)  # it already says it in words
        else:
            self.reading.show_text(date_reading_text(reading), problem=False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and event.type() == QEvent.Type.KeyPress and \
                isinstance(event, QKeyEvent) and not self.edit.isReadOnly():
            key, alt = event.key(), bool(event.modifiers() & Qt.KeyboardModifier.AltModifier)
            if key == Qt.Key.Key_F4 or (alt and key == Qt.Key.Key_Down):
                self.open_calendar()
                return True
            if key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and not alt:
                value = self.value()
                if value is not None:
                    step = 1 if key == Qt.Key.Key_Up else -1
                    self.set_value(value + dt.timedelta(days=step))
                    return True
        return super().eventFilter(watched, event)

    # -- the calendar ----------------------------------------------------------------
    def open_calendar(self) -> None:
        if self.edit.isReadOnly():
            return
        if self._menu is None or self._calendar is None:
            self._menu, self._calendar = self._make_calendar()
        start = self.value() or dt.date.today()
        self._calendar.setSelectedDate(QDate(start.year, start.month, start.day))
        self._menu.popup(self.edit.mapToGlobal(QPoint(0, self.edit.height())))
        self._calendar.setFocus()

    def _make_calendar(self) -> tuple[QMenu, QCalendarWidget]:
        """The calendar's pop-up, made once and kept with the field.  (Deleting it when it
        closed crashed the program: its month list is a menu of its own, still running when
        a click elsewhere closes both.)"""
        menu = QMenu(self)
        calendar = QCalendarWidget()
        calendar.setGridVisible(True)
        named(calendar, self.edit.accessibleName())
        action = QWidgetAction(menu)
        action.setDefaultWidget(calendar)
        menu.addAction(action)

        def picked(day: QDate) -> None:
            self.set_value(day.toPython())
            menu.close()
            self.edit.setFocus()
            self.picked.emit()

        calendar.clicked.connect(picked)
        calendar.activated.connect(picked)
        return menu, calendar


class TimeField(QWidget):
    """A time of day typed on the language's clock; ``value()`` is a ``datetime.time``."""

    changed = Signal()

    def __init__(self, name: str, *, show_reading: bool = True,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit()
        self.edit.setMaxLength(20)
        example = format_time(dt.time(14, 30))
        self.edit.setPlaceholderText(isolated(example))  # an example, greyed
        tip = _("Type a time such as {example} or {other}.").format(
            example=example, other=format_time(dt.time(9, 0)))
        self.edit.setToolTip(tip)
        named(self.edit, name, tip)
        _fit(self.edit, [format_time(dt.time(hour, 58)) for hour in (0, 10, 12, 22)])
        self.reading = _Reading()
        self._show_reading = show_reading
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit)
        row.addWidget(self.reading, 1)
        row.addStretch(0)  # takes the room while nothing is said
        self.setFocusProxy(self.edit)
        self.edit.textChanged.connect(self._typed)

    def read(self) -> TimeReading:
        return read_time(self.edit.text())

    def value(self) -> dt.time | None:
        return self.read().value

    def problem(self) -> str:
        reading = self.read()
        if reading.problem:
            return reading.problem
        return _("Enter a time.") if reading.value is None else ""

    def set_value(self, value: dt.time | None) -> None:
        self.edit.setText(format_time(value) if value is not None else "")

    def _typed(self, *_args: object) -> None:
        reading, text = self.read(), self.edit.text().strip()
        if not self._show_reading or not text:
            self.reading.show_text("", problem=False)
        elif reading.value is None:
            self.reading.show_text(reading.problem, problem=True)
        elif text == format_time(reading.value):
            self.reading.show_text("", problem=False)
        else:
            self.reading.show_text(_("Read as {time}").format(
                time=isolated(format_time(reading.value))),
                                   problem=False)
        self.changed.emit()


class DateTimeField(QWidget):
    """A day and a time of day, side by side, with one line under them saying what was
    read ("Read as Dec 4, 2026, 10:00 AM") or why it cannot be."""

    changed = Signal()

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.date = DateField(_("{field}: date").format(field=name), show_reading=False)
        self.time = TimeField(_("{field}: time").format(field=name), show_reading=False)
        self.reading = _Reading()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.date)
        row.addWidget(self.time)
        row.addStretch(1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addLayout(row)
        column.addWidget(self.reading)
        self.setFocusProxy(self.date)
        self.date.changed.connect(self._typed)
        self.time.changed.connect(self._typed)

    def value(self) -> dt.datetime | None:
        day, time = self.date.value(), self.time.value()
        return dt.datetime.combine(day, time) if day is not None and time is not None else None

    def problem(self) -> str:
        return self.date.problem(required=True) or self.time.problem()

    def problem_widget(self) -> QWidget:
        """The part to put the focus in when there is a problem."""
        return self.date.edit if self.date.problem(required=True) else self.time.edit

    def quiet(self) -> None:
        """Stop saying a problem under the fields (the form's message says it)."""
        if self.value() is None:
            self.reading.show_text("", problem=False)

    def set_value(self, value: dt.datetime) -> None:
        self.date.set_value(value.date())
        self.time.set_value(value.time())

    def _typed(self) -> None:
        value = self.value()
        typed = self.date.edit.text().strip() and self.time.edit.text().strip()
        if value is not None:
            when = isolated(format_datetime(value))
            self.reading.show_text(_("Read as {when}").format(when=when), problem=False)
        elif typed or self.date.read().problem or self.time.read().problem:
            self.reading.show_text(self.problem(), problem=True)
        else:
            self.reading.show_text("", problem=False)
        self.changed.emit()
