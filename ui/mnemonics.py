"""Mnemonics (Alt+letter) kept unique in every window, whatever is on screen, in any language.

Qt gives a mnemonic claimed twice in one window to neither control: Alt+A with "&Accounts"
and "&Add account…" both on screen only moves the focus between them.  The letters are
chosen where each string is written, but what is on screen together is decided elsewhere
(a case's tabs, its header, the form of the current tab; a translation picks its own
letters), and a form of thirty fields cannot have thirty letters of its own.  So, as KDE's
accelerator manager does, the application settles them each time something is shown or
hidden: in each window, among the visible controls,

1. buttons keep their letter first, then tabs, then group boxes, then field labels (a
   label's letter only moves the focus; a button's acts), each in the order they were made;
2. a control whose letter is taken gets a free letter of its own text (the start of a word
   first), or none if every letter is taken;
3. the text as written is remembered (a Qt property on the widget), so a control gets its
   own letter back as soon as the one that took it is hidden, and a text the code changes
   later is taken as the new original.

``MnemonicKeeper`` watches Show and Hide events application-wide and settles each window
once per turn of the event loop; ``settle(window)`` does it at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QGroupBox,
    QLabel,
    QTabBar,
    QWidget,
)
from shiboken6 import isValid

ORIGINAL = "mnemonic_original"  # the text as the code set it
ASSIGNED = "mnemonic_assigned"  # the text as it was settled


def mnemonic_of(text: str) -> str | None:
    """The letter after a single '&' (upper case), or None ('&&' is a literal '&')."""
    i = 0
    while i < len(text) - 1:
        if text[i] == "&":
            if text[i + 1] == "&":
                i += 2
                continue
            return text[i + 1].upper()
        i += 1
    return None


def without_mnemonic(text: str) -> str:
    """*text* with its single '&' removed ('&&' kept)."""
    out, i = [], 0
    while i < len(text):
        if text[i] == "&" and i + 1 < len(text) and text[i + 1] == "&":
            out.append("&&")
            i += 2
            continue
        if text[i] != "&":
            out.append(text[i])
        i += 1
    return "".join(out)


def with_free_letter(text: str, taken: set[str]) -> str:
    """*text* with a mnemonic on a letter not in *taken*: the start of a word first, then
    any letter or digit; without one if none is free."""
    plain = without_mnemonic(text)
    starts = [i for i, ch in enumerate(plain)
              if ch.isalnum() and (i == 0 or not plain[i - 1].isalnum())]
    positions = starts + [i for i, ch in enumerate(plain) if ch.isalnum() and i not in starts]
    for i in positions:
        if plain[i].upper() not in taken:
            return plain[:i] + "&" + plain[i:]
    return plain


@dataclass
class _Claim:
    widget: QWidget
    index: int  # the tab's index for a tab bar, -1 otherwise
    rank: int

    def text(self) -> str:
        if isinstance(self.widget, QTabBar):
            return self.widget.tabText(self.index)
        if isinstance(self.widget, QGroupBox):
            return self.widget.title()
        return self.widget.text()  # type: ignore[attr-defined, no-any-return]

    def set_text(self, text: str) -> None:
        if isinstance(self.widget, QTabBar):
            self.widget.setTabText(self.index, text)
        elif isinstance(self.widget, QGroupBox):
            self.widget.setTitle(text)
        else:
            self.widget.setText(text)  # type: ignore[attr-defined]

    def _key(self, name: str) -> str:
        return name if self.index < 0 else f"{name}_{self.index}"

    def original(self) -> str:
        current = self.text()
        stored = self.widget.property(self._key(ORIGINAL))
        if isinstance(stored, str) and current == self.widget.property(self._key(ASSIGNED)):
            return stored
        self.widget.setProperty(self._key(ORIGINAL), current)  # new, or changed by the code
        return current

    def settle(self, text: str) -> None:
        if text != self.text():
            self.set_text(text)
        self.widget.setProperty(self._key(ASSIGNED), text)


def _claims(window: QWidget) -> list[_Claim]:
    claims = []
    for widget in window.findChildren(QWidget):
        if widget.window() is not window or not widget.isVisibleTo(window):
            continue
        if isinstance(widget, QAbstractButton):
            claims.append(_Claim(widget, -1, 0))
        elif isinstance(widget, QTabBar):
            claims += [_Claim(widget, i, 1) for i in range(widget.count())
                       if widget.isTabVisible(i)]
        elif isinstance(widget, QGroupBox):
            claims.append(_Claim(widget, -1, 2))
        elif isinstance(widget, QLabel) and widget.buddy() is not None and \
                widget.textFormat() != Qt.TextFormat.RichText:
            claims.append(_Claim(widget, -1, 3))
    return sorted(claims, key=lambda c: c.rank)  # stable: creation order within a rank


def settle(window: QWidget) -> None:
    """Give each visible control of *window* a mnemonic no other one has."""
    taken: set[str] = set()
    for claim in _claims(window):
        text = claim.original()
        letter = mnemonic_of(text)
        if letter is not None and letter in taken:
            text = with_free_letter(text, taken)
            letter = mnemonic_of(text)
        if letter is not None:
            taken.add(letter)
        claim.settle(text)


class MnemonicKeeper(QObject):
    """Settles the mnemonics of every window in which something was shown or hidden."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pending: dict[int, QWidget] = {}
        self._all = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._settle_pending)
        self._installed = False

    def install(self) -> None:
        app = QApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True

    def remove(self) -> None:
        app = QApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
        self._installed = False
        self._pending.clear()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Show and isinstance(watched, QWidget):
            window = watched.window()
            self._pending[id(window)] = window
            self._timer.start()
        elif kind == QEvent.Type.HideToParent:
            # The widget may be on its way to deletion: it is not touched; every window
            # is looked at instead (a hidden control may give a letter back).
            self._all = True
            self._timer.start()
        return False

    def _settle_pending(self) -> None:
        pending, self._pending = list(self._pending.values()), {}
        if self._all:
            self._all = False
            pending = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
        for window in dict.fromkeys(w for w in pending if isValid(w)):
            if window.isVisible():
                settle(window)
