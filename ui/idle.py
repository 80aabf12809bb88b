"""Auto-lock after idle time: an application-wide event filter watching keyboard and mouse.

The filter only notes the time of the last input event (cheap enough for every mouse move);
a single-shot timer wakes up when the idle time could have run out, and either fires
``timed_out`` or sleeps again for the time that remains.

Idle time is measured on both the monotonic and the wall clock, whichever says more:
the monotonic clock stops while the computer sleeps, and a laptop opened after a night in
a bag must come back locked.  The first input after such a gap locks at once (the input
itself is swallowed, so no click lands on a window that is about to close).
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal

from shelter_app.errors import ShelterError

DEFAULT_AUTO_LOCK_MINUTES = 5

ACTIVITY = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseButtonRelease, QEvent.Type.MouseButtonDblClick, QEvent.Type.MouseMove,
    QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate,
    QEvent.Type.TabletPress, QEvent.Type.InputMethod,
})


def auto_lock_minutes(services: Any) -> int:
    """The organisation's ``auto_lock_minutes`` setting, or the default when it cannot be
    read (no session, or a value that is not a number)."""
    try:
        return int(services.settings.get("auto_lock_minutes"))
    except (AttributeError, TypeError, ValueError, ShelterError):
        return DEFAULT_AUTO_LOCK_MINUTES


class IdleWatcher(QObject):
    """Emits ``timed_out`` once after *msecs* without keyboard or mouse input."""

    timed_out = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._check)
        self._limit = 0.0
        self._last_input = time.monotonic()
        self._last_wall = time.time()
        self._installed = False

    @property
    def active(self) -> bool:
        return self._installed

    def start(self, msecs: int) -> None:
        """Start (or restart) watching with a limit of *msecs* of idle time."""
        app = QCoreApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True
        self._limit = msecs / 1000
        self._touch()
        self._timer.start(self._wake_after(self._limit))

    def stop(self) -> None:
        self._timer.stop()
        app = QCoreApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
        self._installed = False

    def idle_seconds(self) -> float:
        return max(time.monotonic() - self._last_input, time.time() - self._last_wall)

    def _touch(self) -> None:
        self._last_input = time.monotonic()
        self._last_wall = time.time()

    @staticmethod
    def _wake_after(seconds: float) -> int:
        # At least every 30 s, so that a jump of the wall clock (sleep, resume) is noticed.
        return max(1, min(int(seconds * 1000), 30_000))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in ACTIVITY and self._installed:
            if self.idle_seconds() >= self._limit:
                self._fire()
                return True
            self._touch()
        return False

    def _check(self) -> None:
        if not self._installed:
            return
        remaining = self._limit - self.idle_seconds()
        if remaining > 0.001:
            self._timer.start(self._wake_after(remaining))
            return
        self._fire()

    def _fire(self) -> None:
        self.stop()
        self.timed_out.emit()
