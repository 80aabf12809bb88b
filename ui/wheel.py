"""The mouse wheel scrolls the page, not the value of a field the pointer passes over.

Qt gives a drop-down list, a spin box or a date field the wheel whenever the pointer is
over it, and takes the focus with it: scrolling down a long form then changes whatever
field passes under the pointer ("Gender" became "Transgender / non-binary", "Citizenship"
"American Samoa" while someone scrolled the intake).  One event filter on the application
fixes it for every window:

- such a field takes the wheel only while it has the keyboard focus (clicked or tabbed
  into); otherwise the event is left unaccepted, and Qt passes it on to the widgets under
  it, so the page scrolls exactly as it would over a label;
- the wheel no longer gives these fields the focus (``WheelFocus`` becomes
  ``StrongFocus`` when a widget is first shown), so scrolling past one does not arm it.

An open drop-down list is a window of its own and still scrolls with the wheel.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QWidget

from .event_filters import install_once

GUARDED = (QComboBox, QAbstractSpinBox)  # spin boxes include date and time edits


def _guarded(widget: QWidget) -> QWidget | None:
    """The drop-down or spin box *widget* belongs to (itself, or the text field inside an
    editable one), without leaving *widget*'s window; None for anything else."""
    current: QWidget | None = widget
    while current is not None:
        if isinstance(current, GUARDED):
            return current
        if current.isWindow():
            return None
        current = current.parentWidget()
    return None


def _has_focus(widget: QWidget) -> bool:
    focused = QApplication.focusWidget()
    return focused is not None and (focused is widget or widget.isAncestorOf(focused))


class WheelGuard(QObject):
    """The application's event filter; see the module's description."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Polish:
            if isinstance(watched, GUARDED) and \
                    watched.focusPolicy() == Qt.FocusPolicy.WheelFocus:
                watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            return False
        if kind != QEvent.Type.Wheel or not isinstance(watched, QWidget):
            return False
        field = _guarded(watched)
        if field is None or _has_focus(field):
            return False
        # Not for this field: unaccepted, Qt offers the event to the widgets beneath it,
        # up to the scroll area of the page.
        event.ignore()
        return True


def install_wheel_guard(app: QCoreApplication | None = None) -> WheelGuard:
    """Install the guard on *app* (default: the running application) once; returns it."""
    return install_once(WheelGuard, app)
