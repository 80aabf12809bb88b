"""A seeded monkey: random but valid actions on the real application, as a person might.

``Monkey(qtbot, controller, rng, username, passphrase).run(n)`` performs *n* actions on
whatever window is in front: clicks on enabled buttons, typing (Latin, Arabic, Vietnamese,
emoji, long and empty text) into fields, choices in drop-down lists, tab and section
switches, rows opened with Enter or a double click, keys (Tab, Enter, Escape, Space,
arrows), the mouse wheel, dialogs closed, and lock followed by signing in again.

"Valid" means what a person can do with mouse and keyboard: only visible, enabled widgets
of the window in front are touched.  Two things are never pressed at random, because they
end the run rather than test a screen: Quick exit (tested on its own at the end) and
"Change passphrase…" (it would change the passphrase the monkey signs in with).

Modal loops: a button may open a dialog or a menu with ``exec()`` (file and print dialogs,
message boxes, a calendar's month list), which runs a nested event loop until it closes.  A
watchdog timer closes such a window when it is still open while an action is running, as a
person would press Cancel or click elsewhere; everything opened with ``open()`` or ``show()``
stays for the monkey to use.

Every action is logged in ``self.log`` and, line by line, in ``log_file`` (kind, widget
class and name — never the text of a record), so that even a crash of the whole process
leaves the steps that led to it; the seed is printed, so a failure can be replayed.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QWheelEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QTabBar,
    QTabWidget,
    QWidget,
)
from shiboken6 import isValid

from ui.controller import AppController
from ui.main_window import MainWindow
from ui.sign_in import SignInWindow

TEXTS = (
    "Mariam", "مريم الحسن", "Nguyễn Thị Lan", "Олена Шевченко", "O'Brien; DROP TABLE x",
    "😀👍🏽 ok", "2026-12-04", "4 Dec 2026", "10:00 AM", "42", "", "   ", "a" * 120,
    "\u202eevil.pdf", "Ana María de la Cruz", "فاطمة 123 Main St", "x",
)
KEYS = (Qt.Key.Key_Tab, Qt.Key.Key_Backtab, Qt.Key.Key_Return, Qt.Key.Key_Escape,
        Qt.Key.Key_Space, Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_Right,
        Qt.Key.Key_Left, Qt.Key.Key_Delete)
# Buttons the monkey never presses at random (by accessible name).
NEVER = ("Quick exit", "Change passphrase…", "Change passphrase")


def usable(widget: QWidget) -> bool:
    return isValid(widget) and widget.isVisible() and widget.isEnabled() and \
        widget.window().isVisible()


@dataclass
class Monkey:
    qtbot: object
    controller: AppController
    rng: random.Random
    username: str
    passphrase: str
    log: list[str] = field(default_factory=list)
    log_file: Path | None = None  # each action is also written here at once (a crash ends all)
    in_action: bool = False
    sign_ins: int = 0

    # -- the loop ------------------------------------------------------------------
    def run(self, actions: int) -> None:
        watchdog = QTimer()
        watchdog.setInterval(40)
        watchdog.timeout.connect(self._close_nested_modal)
        watchdog.start()
        try:
            for number in range(actions):
                self.step(number)
        finally:
            watchdog.stop()

    def step(self, number: int) -> None:
        window = self.front()
        if isinstance(window, SignInWindow) or self.controller.state == "sign_in":
            self.sign_in()
            return
        choices: list[tuple[int, Callable[[], None]]] = [
            (30, self.click_button), (14, self.type_text), (8, self.choose),
            (8, self.switch_tab), (6, self.switch_section), (10, self.open_row),
            (10, self.press_key), (5, self.wheel), (4, self.close_dialog), (1, self.lock),
        ]
        weights = [w for w, _f in choices]
        action = self.rng.choices([f for _w, f in choices], weights)[0]
        self.in_action = True
        try:
            action()
        finally:
            self.in_action = False
        self.settle()
        if number % 25 == 24:
            self.wait_background()

    def front(self) -> QWidget | None:
        modal = QApplication.activeModalWidget()
        if modal is not None and modal.isVisible():
            return modal
        popup = QApplication.activePopupWidget()
        if popup is not None:
            popup.hide()  # a drop-down list left open: close it as a click elsewhere would
        windows = [w for w in QApplication.topLevelWidgets()
                   if w.isVisible() and not w.isMinimized() and isinstance(w, QWidget)
                   and not w.objectName().startswith("qt_")]
        dialogs = [w for w in windows if isinstance(w, QDialog)]
        if dialogs:
            return dialogs[-1]
        return self.controller.window

    def settle(self) -> None:
        QApplication.processEvents()
        self.qtbot.wait(self.rng.choice((0, 1, 5, 20)))

    def wait_background(self) -> None:
        self.qtbot.waitUntil(lambda: not self.controller.background.busy, timeout=30_000)
        QApplication.processEvents()

    def note(self, kind: str, widget: QWidget | None = None) -> None:
        name = ""
        if widget is not None and isValid(widget):
            name = widget.accessibleName() or widget.objectName()
        line = f"{len(self.log)}: {kind} {type(widget).__name__ if widget else ''} {name!r}"
        self.log.append(line)
        if self.log_file is not None:
            with self.log_file.open("a", encoding="utf-8") as out:
                out.write(line + "\n")

    # -- what a person can touch -------------------------------------------------------
    def widgets(self, kind: type | tuple[type, ...]) -> list[QWidget]:
        window = self.front()
        if window is None or not isValid(window):
            return []
        return [w for w in window.findChildren(QWidget) if isinstance(w, kind) and usable(w)]

    def pick(self, kind: type | tuple[type, ...]) -> QWidget | None:
        found = self.widgets(kind)
        return self.rng.choice(found) if found else None

    # -- the actions -----------------------------------------------------------------
    def click_button(self) -> None:
        buttons = [b for b in self.widgets(QAbstractButton)
                   if b.accessibleName() not in NEVER and b.text().replace("&", "")
                   not in NEVER and not isinstance(b.parentWidget(), QTabBar)]
        if not buttons:
            return
        button = self.rng.choice(buttons)
        self.note("click", button)
        self.qtbot.mouseClick(button, Qt.MouseButton.LeftButton,
                              pos=button.rect().center())

    def type_text(self) -> None:
        edit = self.pick((QLineEdit, QPlainTextEdit))
        if edit is None or (isinstance(edit, QLineEdit) and edit.isReadOnly()):
            return
        self.note("type", edit)
        edit.setFocus()
        if self.rng.random() < 0.5:
            edit.selectAll()
            self.qtbot.keyClick(edit, Qt.Key.Key_Delete)
        self.type_into(edit, self.rng.choice(TEXTS))
        if self.rng.random() < 0.3:
            self.qtbot.keyClick(edit, Qt.Key.Key_Return)

    def type_into(self, widget: QWidget, text: str) -> None:
        """Type *text* key by key; characters beyond ASCII arrive as an input method
        would send them (QTest can only name ASCII keys)."""
        for char in text:
            if not isValid(widget):
                return
            if char.isascii() and char.isprintable():
                self.qtbot.keyClick(widget, char)
                continue
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier,
                                                         char))

    def choose(self) -> None:
        combo = self.pick(QComboBox)
        if not isinstance(combo, QComboBox) or combo.count() == 0:
            return
        self.note("choose", combo)
        combo.setFocus()
        if self.rng.random() < 0.5:
            combo.setCurrentIndex(self.rng.randrange(combo.count()))
        else:
            self.qtbot.keyClick(combo, self.rng.choice((Qt.Key.Key_Down, Qt.Key.Key_Up)))

    def switch_tab(self) -> None:
        tabs = self.pick(QTabWidget)
        if not isinstance(tabs, QTabWidget) or tabs.count() < 2:
            return
        index = self.rng.randrange(tabs.count())
        if not tabs.isTabEnabled(index):
            return
        self.note("tab", tabs)
        bar = tabs.tabBar()
        self.qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())

    def switch_section(self) -> None:
        window = self.controller.window
        if not isinstance(window, MainWindow) or self.front() is not window:
            return
        keys = window.section_keys()
        if not keys:
            return
        row = self.rng.randrange(len(keys))
        self.note(f"section {keys[row]}", window.nav)
        item = window.nav.item(row)
        rect = window.nav.visualItemRect(item)
        self.qtbot.mouseClick(window.nav.viewport(), Qt.MouseButton.LeftButton,
                              pos=rect.center())

    def open_row(self) -> None:
        views = [v for v in self.widgets(QAbstractItemView)
                 if v.model() is not None and v.model().rowCount() > 0
                 and not isinstance(v.parentWidget(), QComboBox)]
        if not views:
            return
        view = self.rng.choice(views)
        model = view.model()
        row = self.rng.randrange(min(model.rowCount(), 50))
        index = model.index(row, 0)
        view.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)
        rect = view.visualRect(index)
        if rect.isEmpty():
            return
        self.note("row", view)
        if self.rng.random() < 0.5:
            self.qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
            if isinstance(view, QListWidget) and self.rng.random() < 0.5:
                self.qtbot.keyClick(view, Qt.Key.Key_Space)
            else:
                self.qtbot.keyClick(view, Qt.Key.Key_Return)
        else:
            self.qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    def press_key(self) -> None:
        app_focus = QApplication.focusWidget()
        target = app_focus if app_focus is not None and usable(app_focus) else self.front()
        if target is None:
            return
        key = self.rng.choice(KEYS)
        if key == Qt.Key.Key_Space and isinstance(target, QAbstractButton) and (
                target.accessibleName() in NEVER):
            return  # Space on Quick exit is tested on its own
        if key == Qt.Key.Key_Return and isinstance(target, QAbstractButton) and (
                target.accessibleName() in NEVER):
            return
        self.note(f"key {int(key)}", target)
        self.qtbot.keyClick(target, key)

    def wheel(self) -> None:
        widget = self.pick((QComboBox, QAbstractSpinBox, QAbstractItemView, QCheckBox,
                            QLineEdit))
        if widget is None:
            return
        self.note("wheel", widget)
        target = widget.viewport() if isinstance(widget, QAbstractItemView) else widget
        centre = QPointF(target.rect().center())
        delta = QPoint(0, self.rng.choice((-120, 120)))
        event = QWheelEvent(centre, QPointF(target.mapToGlobal(centre.toPoint())), QPoint(),
                            delta, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                            Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(target, event)

    def close_dialog(self) -> None:
        window = self.front()
        if isinstance(window, QDialog) and isValid(window):
            self.note("escape", window)
            self.qtbot.keyClick(window, Qt.Key.Key_Escape)

    def lock(self) -> None:
        window = self.controller.window
        if not isinstance(window, MainWindow):
            return
        self.note("lock", window)
        self.qtbot.keyClick(self.front() or window, Qt.Key.Key_L,
                            Qt.KeyboardModifier.ControlModifier)
        self.settle()
        box = window.unsaved_box if isValid(window) else None
        if box is not None and isValid(box):  # "Save your changes before locking?"
            choice = self.rng.choice((QMessageBox.StandardButton.Save,
                                      QMessageBox.StandardButton.Discard,
                                      QMessageBox.StandardButton.Cancel))
            self.note(f"answer {int(choice.value)}", box)
            self.qtbot.mouseClick(box.button(choice), Qt.MouseButton.LeftButton)
        self.wait_background()

    def sign_in(self) -> None:
        window = self.controller.window
        if not isinstance(window, SignInWindow):
            return
        self.wait_background()
        self.note("sign in", window)
        window.username.setText(self.username)
        window.passphrase.setText(self.passphrase)
        self.qtbot.keyClick(window.passphrase, Qt.Key.Key_Return)
        self.qtbot.waitUntil(lambda: self.controller.state != "sign_in"
                             or not self.controller.background.busy, timeout=30_000)
        self.wait_background()
        self.sign_ins += 1

    # -- nested modal loops ------------------------------------------------------------
    def _close_nested_modal(self) -> None:
        """While an action runs, a modal dialog can only be a nested exec() loop: cancel."""
        if not self.in_action:
            return
        popup = QApplication.activePopupWidget()  # a menu run with exec(), like a month list
        if popup is not None and isValid(popup):
            self.log.append(f"{len(self.log)}: close nested {type(popup).__name__}")
            popup.close()
            return
        modal = QApplication.activeModalWidget()
        if modal is None or not isValid(modal):
            return
        self.log.append(f"{len(self.log)}: cancel nested {type(modal).__name__}")
        if isinstance(modal, QFileDialog | QDialog):
            modal.reject()
        else:
            modal.close()
