"""Work off the GUI thread: results and errors come back to the GUI thread, or not at all."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject

from shelter_app.errors import WrongPassphrase
from ui.background import Background

from .conftest import flush_deletes


def test_result_arrives_on_the_gui_thread(qtbot):
    background = Background()
    context = QObject()
    seen: list[tuple[object, bool]] = []
    with qtbot.waitSignal(background.idle, timeout=5000):
        background.run(lambda: threading.current_thread() is threading.main_thread(),
                       lambda r: seen.append((r, threading.current_thread()
                                              is threading.main_thread())),
                       lambda e: seen.append((e, False)), context=context)
        assert background.busy
    assert seen == [(False, True)]  # ran on a worker, delivered on the GUI thread
    assert not background.busy


def test_an_exception_is_delivered_not_lost(qtbot):
    background = Background()
    context = QObject()
    errors: list[BaseException] = []

    def fail() -> None:
        raise WrongPassphrase("no")

    with qtbot.waitSignal(background.idle, timeout=5000):
        background.run(fail, lambda r: None, errors.append, context=context)
    assert isinstance(errors[0], WrongPassphrase)


def test_nothing_is_delivered_to_a_deleted_context(qtbot):
    background = Background()
    context = QObject()
    gate = threading.Event()
    seen: list[object] = []
    with qtbot.waitSignal(background.idle, timeout=5000):
        background.run(lambda: gate.wait(5), seen.append, seen.append, context=context)
        context.deleteLater()
        flush_deletes()
        gate.set()
    assert seen == []
