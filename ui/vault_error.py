"""Shown instead of the sign-in screen when the vault folder cannot be held or read.

Typical causes: the vault is open in another Shelter App window (``VaultInUse``), or the
folder has lost its database (``VaultMissing``).  The core's message says what to do; this
window shows it, offers "Try again" and "Close", and never shows a traceback.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from shelter_app.i18n import _
from shelter_app.i18n.formatting import fill

from .widgets import ERROR_STYLE, heading, named, paragraph


class VaultErrorWindow(QWidget):
    retry_requested = Signal()
    close_requested = Signal()

    def __init__(self, title: str, message: str, folder: str) -> None:
        super().__init__()
        self.setWindowTitle(title)
        self.setObjectName("vault_error")
        self.message = QLabel(message)
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        named(self.message, _("Problem"), message)
        location = paragraph(fill(_("Vault folder: {folder}"), folder=folder))
        location.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.retry_button = QPushButton(_("Try again"))
        named(self.retry_button, _("Try again"))
        self.retry_button.setDefault(True)
        self.retry_button.clicked.connect(self.retry_requested)
        self.close_button = QPushButton(_("Close"))
        named(self.close_button, _("Close"))
        self.close_button.clicked.connect(self.close_requested)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.retry_button)

        layout = QVBoxLayout(self)
        layout.addWidget(heading(_("The vault cannot be opened")))
        layout.addWidget(self.message)
        layout.addWidget(location)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 34)
        self.resize(self.sizeHint().expandedTo(self.minimumSize()))
        self.retry_button.setFocus()
