"""Walking the application's windows for mnemonics (Alt+letter) used twice in one window.

Qt gives an ambiguous mnemonic to neither control: Alt+A with "&Accounts" and "&Add
account…" both on screen only moves the focus between them.  A mnemonic counts where Qt
registers one: a button's text, a label's text when it has a buddy, a group box's title,
each tab of a tab bar — for every widget visible in its window, enabled or not (a disabled
button still makes the key ambiguous).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QDialog,
    QGroupBox,
    QLabel,
    QPushButton,
    QTabBar,
    QWidget,
)
from shiboken6 import isValid


def _key(text: str) -> str:
    sequence = QKeySequence.mnemonic(text)
    return "" if sequence.isEmpty() else sequence.toString()


def mnemonics(window: QWidget) -> dict[str, list[str]]:
    """Alt+key → the texts that claim it, among the widgets visible in *window*."""
    found: dict[str, list[str]] = {}
    for widget in [window, *window.findChildren(QWidget)]:
        if widget.window() is not window or not (widget is window
                                                  or widget.isVisibleTo(window)):
            continue
        texts: list[str] = []
        if isinstance(widget, QAbstractButton) or (
                isinstance(widget, QLabel) and widget.buddy() is not None):
            texts.append(widget.text())
        elif isinstance(widget, QGroupBox):
            texts.append(widget.title())
        elif isinstance(widget, QTabBar):
            texts += [widget.tabText(i) for i in range(widget.count()) if widget.isTabVisible(i)]
        for text in texts:
            key = _key(text)
            if key:
                found.setdefault(key, []).append(text)
    return found


def visible_windows() -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if w.isVisible()]


class Walk:
    """Collects every mnemonic used twice, with where it was seen."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.states = 0

    def check(self, where: str) -> None:
        self.states += 1
        for window in visible_windows():
            for key, texts in mnemonics(window).items():
                if len(texts) > 1:
                    name = window.objectName() or type(window).__name__
                    self.problems.append(f"{where} [{name}]: {key} for {texts}")

    def report(self) -> str:
        return "\n".join(dict.fromkeys(self.problems))


def dialog_buttons(page: QWidget) -> list[QPushButton]:
    """The visible, enabled buttons of *page* that open a window ("…" by convention)."""
    return [b for b in page.findChildren(QPushButton)
            if b.isVisibleTo(page.window()) and b.isEnabled()
            and b.text().rstrip().endswith(("…", "..."))]


def select_first_rows(page: QWidget) -> None:
    """Select a row in every list and table, so the buttons that act on it are enabled."""
    for view in page.findChildren(QAbstractItemView):
        model = view.model()
        if view.isVisibleTo(page.window()) and model is not None and model.rowCount() > 0:
            view.setCurrentIndex(model.index(0, 0))


@contextmanager
def opened_windows(settle: Callable[[], None]) -> Iterator[list[QWidget]]:
    """The windows that appear inside the block; each is closed (rejected) afterwards."""
    before = set(visible_windows())
    new: list[QWidget] = []
    try:
        yield new
    finally:
        settle()
        for window in [w for w in visible_windows() if w not in before]:
            if isinstance(window, QDialog):
                window.reject()
            else:
                window.close()
        settle()


def open_each(walk: Walk, where: str, page: QWidget, settle: Callable[[], None]) -> None:
    """Press each of *page*'s "…" buttons, check the window it opens, close it again."""
    for button in dialog_buttons(page):
        if not isValid(button) or not button.isVisible():
            continue  # a dialog opened before rebuilt this part of the page
        text = button.text().replace("&", "")
        with opened_windows(settle) as _new:
            button.click()
            settle()
            walk.check(f"{where} → {text}")
