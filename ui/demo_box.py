"""The demo vault's box on the sign-in screen: every account, its role, and a button per role.

A button fills in that account's user name and passphrase and leaves the cursor in the
passphrase field, so trying the application as a caseworker and then as a legal volunteer
is one click (or Tab and Enter) and Enter.  While the vault is still being made, a progress
bar says so and the buttons wait.  Everything shown here is fictional.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shelter_app.i18n import _
from shelter_app.i18n.formatting import fill

from .widgets import NOTICE_STYLE, fit_window, monospace_font, named, paragraph


class DemoAccountsBox(QFrame):
    """Emits ``chosen(user name, passphrase)`` when a role's button is pressed."""

    chosen = Signal(str, str)

    def __init__(self, note: str, accounts: Sequence[tuple[str, str, str]]) -> None:
        """*accounts*: (role label, user name, passphrase) for each account."""
        super().__init__()
        self.setObjectName("demo_box")
        self.setStyleSheet(f"QFrame#demo_box {{ {NOTICE_STYLE} }}")
        named(self, _("Demo vault"), note)
        self.note = paragraph(note)
        self.buttons: list[QPushButton] = []
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(QLabel(_("Role")), 0, 0)
        grid.addWidget(QLabel(_("User name")), 0, 1)
        grid.addWidget(QLabel(_("Passphrase")), 0, 2)
        for row, (role, username, passphrase) in enumerate(accounts, start=1):
            button = QPushButton(role)
            named(button, _("Sign in as {role}").format(role=role),
                  fill(_("Fills in the user name {user} and its passphrase; then press Enter."),
                  user=username))
            button.setToolTip(button.accessibleDescription())
            button.clicked.connect(
                lambda _c=False, u=username, p=passphrase: self.chosen.emit(u, p))
            self.buttons.append(button)
            grid.addWidget(button, row, 0)
            for column, text in ((1, username), (2, passphrase)):
                label = QLabel(text)
                label.setFont(monospace_font())
                label.setLayoutDirection(Qt.LayoutDirection.LeftToRight)  # Latin, also in Arabic
                label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                grid.addWidget(label, row, column)
        grid.setColumnStretch(2, 1)
        self.recovery_key = QLabel()
        self.recovery_key.setFont(monospace_font())
        self.recovery_key.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self.recovery_key.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        named(self.recovery_key, _("Recovery key"),
              _("To try \u201cForgot passphrase?\u201d with the administrator's account."))
        self.recovery_row = QWidget()
        row = QVBoxLayout(self.recovery_row)
        row.setContentsMargins(0, 4, 0, 0)
        row.setSpacing(2)
        row.addWidget(paragraph(_("The recovery key, to try \u201cForgot passphrase?\u201d with "
                                  "the administrator's account:")))
        row.addWidget(self.recovery_key)
        self.recovery_row.hide()
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        named(self.progress, _("Preparing the demo vault"))
        self.status = paragraph("")
        self.status.hide()
        self.progress.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self.note)
        layout.addLayout(grid)
        layout.addWidget(self.recovery_row)
        layout.addWidget(self.status)
        layout.addWidget(self.progress)

    @Slot(int, int)
    def set_progress(self, done: int, total: int) -> None:
        """The vault is being made: show how far, and keep the buttons waiting."""
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.progress.show()
        self.status.setText(_("Preparing the demo vault: fictional cases and an account for "
                              "each role…"))
        self.status.show()
        for button in self.buttons:
            button.setEnabled(False)

    def set_recovery_key(self, key: str) -> None:
        self.recovery_key.setText(key)
        self.recovery_row.setVisible(bool(key))
        if key:
            fit_window(self)

    def set_ready(self) -> None:
        self.progress.hide()
        self.status.hide()
        for button in self.buttons:
            button.setEnabled(True)
