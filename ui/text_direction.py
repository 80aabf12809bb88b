"""Text boxes take the direction of what is typed in them.

A single-line field (``QLineEdit``) already does: Qt lays its text out, and aligns it, by
its first strong character, in a right-to-left interface as in a left-to-right one.  A
box of several lines (``QPlainTextEdit``: notes, addresses, reasons) does not: it keeps
one direction and one alignment for its whole text, so an Arabic note typed in the English
interface starts at the left edge, and an English one in the Arabic interface at the
right.  One event filter on the application fixes it for every such box, in every window:

- when a box is first shown, it starts following its text;
- while it has text, the direction of its first strong character (the first letter of an
  alphabet with a direction) is the box's text direction, and it is aligned to that side;
- while it is empty (or holds only digits and punctuation), it follows the interface.

Passphrase fields are ``QLineEdit``s in password mode and never reveal anything here.
"""

from __future__ import annotations

import unicodedata

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import QPlainTextEdit

from .event_filters import install_once

_FOLLOWING = "_follows_its_text"


def content_direction(text: str) -> Qt.LayoutDirection | None:
    """The direction of *text*'s first strong character; None when it has none."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            return Qt.LayoutDirection.LeftToRight
        if kind in ("R", "AL"):
            return Qt.LayoutDirection.RightToLeft
    return None


def follow_text(box: QPlainTextEdit) -> None:
    """Make *box* take the direction of its text from now on (done for every box shown
    once ``install_text_direction`` has run; call it for one made otherwise)."""
    if box.property(_FOLLOWING):
        return
    box.setProperty(_FOLLOWING, True)
    box.textChanged.connect(lambda: _apply(box))
    _apply(box)


def _apply(box: QPlainTextEdit) -> None:
    direction = content_direction(box.toPlainText()) or box.layoutDirection()
    document = box.document()
    option = document.defaultTextOption()
    alignment = (Qt.AlignmentFlag.AlignRight if direction == Qt.LayoutDirection.RightToLeft
                 else Qt.AlignmentFlag.AlignLeft) | Qt.AlignmentFlag.AlignAbsolute
    if option.textDirection() == direction and option.alignment() == alignment:
        return  # unchanged: setting it lays the whole text out again
    option.setTextDirection(direction)
    option.setAlignment(alignment)
    document.setDefaultTextOption(option)


class TextDirection(QObject):
    """The application's event filter; see the module's description."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Polish and isinstance(watched, QPlainTextEdit):
            follow_text(watched)
        elif kind == QEvent.Type.LayoutDirectionChange and isinstance(watched, QPlainTextEdit) \
                and watched.property(_FOLLOWING):
            _apply(watched)  # an empty box follows the interface
        return False


def install_text_direction(app: QCoreApplication | None = None) -> TextDirection:
    """Install the filter on *app* (default: the running application) once; returns it."""
    return install_once(TextDirection, app)
