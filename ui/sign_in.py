"""The sign-in screen: user name, passphrase, and what went wrong in plain words.

The window only collects what was typed and shows outcomes; the controller unlocks the
vault off the GUI thread and reports back with ``show_error`` or by closing this window.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shelter_app.i18n import _, ngettext

from .widgets import (
    NOTICE_STYLE,
    BusyBar,
    MessageLabel,
    heading,
    monospace_font,
    named,
    quick_exit_button,
)


class SignInWindow(QWidget):
    """Emits ``submitted(user name, passphrase)``; never unlocks anything itself."""

    submitted = Signal(str, str)
    quick_exit_requested = Signal()

    def __init__(self, title: str, *, demo_note: str = "", demo_credentials: str = "",
                 username: str = "", notice: str = "") -> None:
        super().__init__()
        self.setWindowTitle(title)
        self.setObjectName("sign_in")
        self._wait_timer = QTimer(self)
        self._wait_timer.setInterval(1000)
        self._wait_timer.timeout.connect(self._tick)
        self._wait_left = 0.0

        self.heading = heading(_("Sign in"))
        self.quick_exit = quick_exit_button(self)
        self.quick_exit.clicked.connect(self.quick_exit_requested)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.quick_exit, 0, Qt.AlignmentFlag.AlignTop)

        # The demo passphrase on a line of its own that never wraps: it is copied by eye.
        self.demo_note = QLabel(demo_note)
        self.demo_note.setWordWrap(True)
        self.demo_label = QLabel(demo_credentials)
        self.demo_label.setFont(monospace_font())
        self.demo_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        named(self.demo_label, _("Demo vault"), f"{demo_note} {demo_credentials}")
        demo_box = QFrame()
        demo_box.setObjectName("demo_box")
        demo_box.setStyleSheet(f"QFrame#demo_box {{ {NOTICE_STYLE} }}")
        demo_layout = QVBoxLayout(demo_box)
        demo_layout.setContentsMargins(4, 2, 4, 2)
        demo_layout.addWidget(self.demo_note)
        demo_layout.addWidget(self.demo_label)
        demo_box.setVisible(bool(demo_credentials))

        self.notice = MessageLabel(NOTICE_STYLE)
        self.notice.setAccessibleName(_("Notice"))
        self.notice.show_message(notice)

        self.username = QLineEdit(username)
        named(self.username, _("User name"))
        self.username.setMaxLength(64)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        named(self.passphrase, _("Passphrase"))
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(_("&User name:"), self.username)
        form.addRow(_("&Passphrase:"), self.passphrase)

        self.error = MessageLabel()
        self.error.setAccessibleName(_("Sign-in problem"))
        self.busy = BusyBar(_("Checking the passphrase…"))
        self.sign_in_button = QPushButton(_("Sign in"))
        self.sign_in_button.setDefault(True)
        named(self.sign_in_button, _("Sign in"))
        self.sign_in_button.clicked.connect(self._submit)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.sign_in_button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(demo_box)
        layout.addWidget(self.notice)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.busy)
        layout.addStretch(1)
        layout.addLayout(buttons)

        self.username.returnPressed.connect(self._username_entered)
        self.passphrase.returnPressed.connect(self._submit)
        self.username.textEdited.connect(self._name_changed)
        self.setTabOrder(self.username, self.passphrase)
        self.setTabOrder(self.passphrase, self.sign_in_button)
        self.setTabOrder(self.sign_in_button, self.quick_exit)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 34)
        self.resize(self.sizeHint().expandedTo(self.minimumSize()))
        (self.passphrase if username else self.username).setFocus()

    # -- what the user does --------------------------------------------------------
    def _username_entered(self) -> None:
        if self.passphrase.text():
            self._submit()
        else:
            self.passphrase.setFocus()

    def _submit(self) -> None:
        if not self.sign_in_button.isEnabled():
            return
        name = self.username.text().strip()
        if not name:
            self.show_error(_("Enter a user name."))
            self.username.setFocus()
            return
        if not self.passphrase.text():
            self.show_error(_("Enter your passphrase."))
            self.passphrase.setFocus()
            return
        self.error.clear_message()
        self.notice.clear_message()
        self.submitted.emit(name, self.passphrase.text())

    def _name_changed(self) -> None:
        # The wait applies to one account; another person may sign in meanwhile.
        if self._wait_timer.isActive():
            self._wait_timer.stop()
            self.error.clear_message()
            self.sign_in_button.setEnabled(True)

    # -- what the controller reports ------------------------------------------------
    def set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        for widget in (self.username, self.passphrase, self.sign_in_button):
            widget.setEnabled(not busy)

    def show_error(self, message: str, *, retry_after: float | None = None) -> None:
        """Show *message*, clear the passphrase and put the cursor back where it helps."""
        self.set_busy(False)
        self.passphrase.clear()
        if retry_after is not None and retry_after > 0:
            self._wait_left = math.ceil(retry_after)
            self.sign_in_button.setEnabled(False)
            self._wait_timer.start()
            self._show_wait()
        else:
            self.error.show_message(message)
        if self.username.text().strip():
            self.passphrase.setFocus()
        else:
            self.username.setFocus()

    def _tick(self) -> None:
        self._wait_left -= 1
        if self._wait_left <= 0:
            self._wait_timer.stop()
            self.sign_in_button.setEnabled(True)
            self.error.show_message(_("You can try again now."))
            return
        self._show_wait()

    def _show_wait(self) -> None:
        n = int(self._wait_left)
        self.error.show_message(ngettext(
            "Too many failed attempts. Try again in {n} second.",
            "Too many failed attempts. Try again in {n} seconds.", n).format(n=n))

    def closeEvent(self, event: QCloseEvent) -> None:
        self._wait_timer.stop()
        super().closeEvent(event)
