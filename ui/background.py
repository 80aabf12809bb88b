"""Slow work (key derivation, unlocking, creating a vault) off the GUI thread.

``Background.run(fn, on_done, on_error)`` runs *fn* on a worker thread and calls one of the
callbacks on the GUI thread with its result or its exception.  Callbacks are bound to a
*context* QObject: when that object is deleted (a window closed on lock), its callbacks are
dropped instead of running against a half-destroyed window.

Tests wait for ``Background.idle`` (emitted when the last task has delivered its result)
with ``qtbot.waitSignal`` or poll ``Background.busy`` with ``qtbot.waitUntil``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot


class _Relay(QObject):
    """Lives on the GUI thread; its signals carry a worker's outcome back there."""

    succeeded = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn = fn
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._fn()
        except BaseException as exc:  # delivered to the GUI thread, never swallowed
            self._relay.failed.emit(exc)
        else:
            self._relay.succeeded.emit(result)


class _Delivery(QObject):
    """Receives the relay's signals; a child of the context, so it dies with it."""

    def __init__(self, relay: _Relay, context: QObject, on_done: Callable[[Any], None],
                 on_error: Callable[[BaseException], None]) -> None:
        super().__init__(context)
        self._on_done = on_done
        self._on_error = on_error
        relay.succeeded.connect(self._done)
        relay.failed.connect(self._error)

    @Slot(object)
    def _done(self, result: Any) -> None:
        self.deleteLater()
        self._on_done(result)

    @Slot(object)
    def _error(self, exc: BaseException) -> None:
        self.deleteLater()
        self._on_error(exc)


class Background(QObject):
    """Runs callables on a private thread pool; one per application controller."""

    idle = Signal()
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(2)
        self._pending: set[_Relay] = set()

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def run(self, fn: Callable[[], Any], on_done: Callable[[Any], None],
            on_error: Callable[[BaseException], None], *, context: QObject) -> None:
        """Run *fn* off the GUI thread; deliver to *on_done* / *on_error* on the GUI thread.

        Nothing is delivered if *context* was deleted in the meantime.
        """
        relay = _Relay(self)
        was_busy = self.busy
        self._pending.add(relay)
        _Delivery(relay, context, on_done, on_error)
        # Connected after the delivery, so "idle" follows the callbacks.
        relay.succeeded.connect(self._settled)
        relay.failed.connect(self._settled)
        if not was_busy:
            self.busy_changed.emit(True)
        self._pool.start(_Job(fn, relay))

    @Slot(object)
    def _settled(self, _outcome: object) -> None:
        relay = self.sender()
        if relay not in self._pending:
            return
        self._pending.discard(relay)
        relay.deleteLater()
        if not self._pending:
            self.busy_changed.emit(False)
            self.idle.emit()

    def wait(self, msecs: int = -1) -> bool:
        """Block until the worker threads are done (used when locking and shutting down)."""
        return bool(self._pool.waitForDone(msecs))
