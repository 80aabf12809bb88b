"""Application-wide keys: quick exit (Ctrl+Shift+Q), lock (Ctrl+L), Enter on a button.

They are caught by an event filter on the application rather than by ``QShortcut``: a
shortcut does not fire while a modal dialog blocks its window, and quick exit and lock
must work whatever is open.  The filter sees each key press before any widget does.

What happens next is the controller's business (``AppController.quick_exit`` and
``lock``): quick exit hides every top-level window first, then locks, then quits.

Mnemonics (Alt+letter) are kept unique in every window (``ui/mnemonics.py``), and Enter
(or Return) on a focused push button presses it, in every window.  Qt does that only
for a dialog's auto-default buttons: elsewhere (the main window, the sign-in and first-run
windows) and for buttons that are not auto-default (a picker's Add inside the intake) Enter
did nothing or pressed the dialog's default button instead.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QPushButton

from .mnemonics import MnemonicKeeper

QUICK_EXIT_KEYS = QKeySequence("Ctrl+Shift+Q")
LOCK_KEYS = QKeySequence("Ctrl+L")
_CTRL = Qt.KeyboardModifier.ControlModifier
_CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def _chord(event: QKeyEvent) -> tuple[int, Qt.KeyboardModifier]:
    return event.key(), event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier


def is_quick_exit(event: QKeyEvent) -> bool:
    return _chord(event) == (Qt.Key.Key_Q, _CTRL_SHIFT)


def is_lock(event: QKeyEvent) -> bool:
    return _chord(event) == (Qt.Key.Key_L, _CTRL)


def is_enter(event: QKeyEvent) -> bool:
    return event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
        event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier)


def press_focused_button(watched: QObject, event: QKeyEvent) -> bool:
    """Press *watched* if it is the focused, enabled push button and *event* is Enter."""
    if not (isinstance(watched, QPushButton) and is_enter(event)) or event.isAutoRepeat():
        return False
    if watched.window().focusWidget() is not watched or not (
            watched.isEnabled() and watched.isVisible()):
        return False
    watched.click()
    return True


def hide_all_windows() -> None:
    """Hide every visible top-level window of this application (dialogs too), right now."""
    for widget in QApplication.topLevelWidgets():
        if widget.isVisible():
            widget.hide()


class AppShortcuts(QObject):
    """Emits ``quick_exit`` or ``lock`` (synchronously) when their chord is pressed."""

    quick_exit = Signal()
    lock = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._installed = False
        self.mnemonics = MnemonicKeeper(self)  # unique Alt+letters in every window

    def install(self) -> None:
        app = QCoreApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True
        self.mnemonics.install()

    def remove(self) -> None:
        app = QCoreApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
        self._installed = False
        self.mnemonics.remove()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress:
            return False
        if is_quick_exit(event):  # type: ignore[arg-type]
            self.quick_exit.emit()
            return True
        if is_lock(event):  # type: ignore[arg-type]
            self.lock.emit()
            return True
        return press_focused_button(watched, event)  # type: ignore[arg-type]
