"""Small building blocks shared by the windows: messages, busy bar, headings, buttons."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import (
    QAccessible,
    QAccessibleAnnouncementEvent,
    QAccessibleEvent,
    QFont,
    QFontDatabase,
)
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QSizePolicy, QWidget

from shelter_app.i18n import _

ERROR_STYLE = "color: #a1000e; font-weight: 600;"
SUCCESS_STYLE = "color: #145a32; font-weight: 600;"  # done as asked: saved, sent, added
NOTICE_STYLE = ("background: #fff4ce; color: #3b2f00; border: 1px solid #d8b600;"
                " border-radius: 4px; padding: 6px 10px;")
QUICK_EXIT_STYLE = (
    "QPushButton { background: #b3261e; color: white; font-weight: 700;"
    " border: 1px solid #7a1610; border-radius: 4px; padding: 6px 14px; }"
    " QPushButton:hover { background: #8c1d17; }"
    " QPushButton:focus { border: 2px solid #1a1a1a; }"
)


def fit_window(widget: QWidget) -> None:
    """Grow *widget*'s window so that new content (a message, a page) is not clipped.

    Windows never shrink here, so the window does not jump while someone types; word-wrapped
    labels need the height-for-width calculation, which a plain size hint leaves out.
    """
    window = widget.window()
    layout = window.layout()
    if layout is None:
        return
    layout.activate()
    hint = window.sizeHint().expandedTo(window.minimumSizeHint())
    width = max(window.width(), hint.width())
    height = hint.height()
    if window.hasHeightForWidth():
        height = max(height, window.heightForWidth(width))
    if width > window.width() or height > window.height():
        window.resize(width, max(height, window.height()))


def named(widget: QWidget, name: str, description: str = "") -> QWidget:
    """Give *widget* its accessible name (and description), both already translated."""
    widget.setAccessibleName(name)
    if description:
        widget.setAccessibleDescription(description)
    return widget


class MessageLabel(QLabel):
    """A message under a field or a form: hidden while empty, announced when shown.

    Qt has no "alert" role for a label, so showing a message sends an accessibility Alert
    event and an assertive announcement: screen readers read it out at once, as they would
    an ARIA ``role=alert``.
    """

    def __init__(self, style: str = ERROR_STYLE, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setStyleSheet(style)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.setAccessibleName(_("Message"))
        self.hide()

    def show_message(self, text: str) -> None:
        self.setText(text)
        self.setAccessibleDescription(text)
        self.setVisible(bool(text))
        if text:
            fit_window(self)
        if text and QAccessible.isActive():
            QAccessible.updateAccessibility(QAccessibleEvent(self, QAccessible.Event.Alert))
            announcement = QAccessibleAnnouncementEvent(self, text)
            announcement.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive)
            QAccessible.updateAccessibility(announcement)

    def clear_message(self) -> None:
        self.show_message("")


def notice(name: str, text: str | None) -> MessageLabel:
    """A notice in the window (``NOTICE_STYLE``), named *name*, showing *text* if given."""
    label = MessageLabel(NOTICE_STYLE)
    label.setObjectName(name)
    if text:
        label.show_message(text)
    return label


class BusyBar(QProgressBar):
    """An indeterminate progress bar shown while slow work runs off the GUI thread."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(0, 0)
        self.setTextVisible(False)
        self.setAccessibleName(text)
        self.setMaximumHeight(8)
        self.hide()


def heading(text: str, *, scale: float = 1.4) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setWeight(QFont.Weight.DemiBold)
    label.setFont(font)
    label.setWordWrap(True)
    label.setAccessibleName(text)
    return label


def paragraph(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setAccessibleName(text)
    return label


def monospace_font(scale: float = 1.0) -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    if scale != 1.0:
        font.setPointSizeF(font.pointSizeF() * scale)
    return font


def quick_exit_button(parent: QWidget | None = None) -> QPushButton:
    """The clearly styled button that hides everything at once and locks the vault."""
    button = QPushButton(_("Quick exit"), parent)
    button.setStyleSheet(QUICK_EXIT_STYLE)
    button.setToolTip(_("Hide every window at once, lock the vault and close the program "
                        "(Ctrl+Shift+Q, from any window)"))
    named(button, _("Quick exit"),
          _("Hides every window at once, locks the vault and closes the program. From the "
            "keyboard: Ctrl+Shift+Q, in any window or dialog."))
    button.setAutoDefault(False)
    # Never in the keyboard focus: Qt hands the focus to the next control in the chain
    # whenever the focused one is hidden (a tab switched, a page rebuilt), and from there a
    # stray Space or Enter would close the program.  The keyboard has its own chords.
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return button
