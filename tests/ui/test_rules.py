"""The rules that keep the GUI a thin layer over the core, checked on the source."""

from __future__ import annotations

import re
import time
from pathlib import Path

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

from ui.idle import IdleWatcher

UI = Path(__file__).resolve().parents[2] / "ui"


def test_ui_runs_no_sql_and_builds_no_pdf():
    for path in UI.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert ".execute(" not in text, path.name
        assert not re.search(r"^\s*(from|import)\s+(sqlcipher3|sqlite3|reportlab|pypdf)",
                             text, re.M), path.name


def test_ui_modules_stay_readable_in_one_sitting():
    for path in UI.glob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 400, path.name


def test_input_after_the_computer_slept_locks_at_once(qtbot):
    watcher = IdleWatcher()
    watcher.start(60_000)
    try:
        # The monotonic clock stops during sleep; the wall clock says an hour went by.
        watcher._last_wall = time.time() - 3600
        with qtbot.waitSignal(watcher.timed_out, timeout=1000):
            event = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier,
                              "a")
            consumed = QApplication.sendEvent(QApplication.instance(), event)
        assert consumed  # the key press did not reach any window
        assert not watcher.active
    finally:
        watcher.stop()


def test_recent_input_keeps_the_session_open(qtbot):
    watcher = IdleWatcher()
    watcher.start(60_000)
    try:
        watcher._last_wall = time.time() - 30
        event = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier, "a")
        assert not QApplication.sendEvent(QApplication.instance(), event)
        assert watcher.active and watcher.idle_seconds() < 1
    finally:
        watcher.stop()


def unnamed_controls(window) -> list[str]:
    from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QLineEdit

    return [f"{type(w).__name__} {w.objectName() or getattr(w, 'text', lambda: '')()}"
            for w in window.findChildren(QWidget)
            if isinstance(w, QAbstractButton | QLineEdit | QAbstractItemView)
            and w.focusPolicy() != Qt.FocusPolicy.NoFocus
            and not w.objectName().startswith("qt_")
            and not w.accessibleName()]


def test_every_control_has_an_accessible_name(qtbot, make_controller, with_admin, tmp_path):
    from tests.conftest import ADMIN_PASS
    from ui.main_window import MainWindow
    from ui.vault_error import VaultErrorWindow

    from .conftest import sign_in

    first_run = make_controller(tmp_path / "empty")
    assert unnamed_controls(first_run.window) == []
    with_admin(lambda s: None)
    controller = make_controller()
    assert unnamed_controls(controller.window) == []
    second = make_controller()
    assert isinstance(second.window, VaultErrorWindow)
    assert unnamed_controls(second.window) == []
    sign_in(qtbot, controller, "admin", ADMIN_PASS)
    assert isinstance(controller.window, MainWindow)
    assert unnamed_controls(controller.window) == []
    assert unnamed_controls(controller.window.change_passphrase()) == []
