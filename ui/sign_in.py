"""The sign-in screen: user name, passphrase, and what went wrong in plain words.

"Forgot passphrase?" opens the recovery with the recovery key (``ui/recovery_dialog.py``);
"About Shelter App…" (or F1) the version and the interface language (``ui/about.py``);
"Language" switches the interface language (``ui/language_switch.py``);
with a demo vault, its accounts are listed under the form (``ui/demo_box.py``).

The window only collects what was typed and shows outcomes; the controller unlocks the
vault off the GUI thread and reports back with ``show_error`` or by closing this window.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shelter_app.i18n import _, ngettext
from shelter_app.i18n.formatting import fill

from .about import AboutDialog, show_about
from .demo_box import DemoAccountsBox
from .language import LanguageChooser
from .widgets import NOTICE_STYLE, BusyBar, MessageLabel, heading, named, quick_exit_button


class SignInWindow(QWidget):
    """Emits ``submitted(user name, passphrase)``; never unlocks anything itself.

    ``forgot_requested`` asks the controller for the recovery dialog ("Forgot
    passphrase?").  A demo vault's accounts are listed in a box under the form
    (``demo_accounts``: role label, user name, passphrase), each with a button that fills
    in the fields.
    """

    submitted = Signal(str, str)
    quick_exit_requested = Signal()
    forgot_requested = Signal()
    language_chosen = Signal(str)  # a language code, from the list at the top
    restore_requested = Signal(str, str)  # an administrator's name and passphrase

    def __init__(self, title: str, *, demo_note: str = "",
                 demo_accounts: Sequence[tuple[str, str, str]] = (),
                 demo_recovery_key: str = "", username: str = "", notice: str = "") -> None:
        super().__init__()
        self.setWindowTitle(title)
        self.setObjectName("sign_in")
        self._wait_timer = QTimer(self)
        self._wait_timer.setInterval(1000)
        self._wait_timer.timeout.connect(self._tick)
        self._wait_left = 0.0
        self._busy = False
        self.recovery: QWidget | None = None  # the "Forgot passphrase?" dialog, when open

        self.heading = heading(_("Sign in"))
        self.quick_exit = quick_exit_button(self)
        self.quick_exit.clicked.connect(self.quick_exit_requested)
        # The languages each in its own words: found by someone who cannot read this one.
        self.language = LanguageChooser()
        self.language.chosen.connect(self.language_chosen)
        language_label = QLabel(_("&Language:"))
        language_label.setBuddy(self.language)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(language_label, 0, Qt.AlignmentFlag.AlignVCenter)
        top.addWidget(self.language, 0, Qt.AlignmentFlag.AlignVCenter)
        top.addWidget(self.quick_exit, 0, Qt.AlignmentFlag.AlignTop)

        self.demo_box = DemoAccountsBox(demo_note, demo_accounts)
        self.demo_box.set_recovery_key(demo_recovery_key)
        self.demo_box.chosen.connect(self.fill)
        self.demo_box.setVisible(bool(demo_accounts))

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
        # Offered when the database is damaged or missing and a backup exists (``offer_restore``)
        self.restore_note = MessageLabel(NOTICE_STYLE)
        self.restore_note.setAccessibleName(_("Backup"))
        self.restore_button = QPushButton(_("&Restore the newest backup"))
        named(self.restore_button, _("Restore the newest backup"), _(
            "An administrator's user name and passphrase: the newest backup that passes its "
            "check replaces the damaged database, which is kept aside"))
        self.restore_button.clicked.connect(self._restore)
        self.restore_button.hide()
        self.busy = BusyBar(_("Checking the passphrase…"))
        self.step = MessageLabel(NOTICE_STYLE)  # what a restore is doing now
        self.sign_in_button = QPushButton(_("Sign in"))
        self.sign_in_button.setDefault(True)
        named(self.sign_in_button, _("Sign in"))
        self.sign_in_button.clicked.connect(self._submit)
        self.forgot_button = QPushButton(_("&Forgot passphrase?"))
        self.forgot_button.setFlat(True)
        named(self.forgot_button, _("Forgot passphrase?"), _(
            "An administrator with the recovery key sets a new passphrase here. Everyone "
            "else: ask an administrator."))
        self.forgot_button.clicked.connect(self.forgot_requested)
        self.about_button = QPushButton(_("&About Shelter App…"))
        self.about_button.setFlat(True)
        named(self.about_button, _("About Shelter App"),
              _("The version and the interface language (F1)"))
        self.about_button.clicked.connect(self.show_about)
        QShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents), self, self.show_about)
        buttons = QHBoxLayout()
        buttons.addWidget(self.forgot_button)
        buttons.addWidget(self.about_button)
        buttons.addStretch(1)
        buttons.addWidget(self.sign_in_button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.notice)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.restore_note)
        layout.addWidget(self.restore_button, 0, Qt.AlignmentFlag.AlignLeading)
        layout.addWidget(self.busy)
        layout.addWidget(self.step)
        layout.addLayout(buttons)
        layout.addWidget(self.demo_box)
        layout.addStretch(1)  # room left over goes under everything, not between

        self.username.returnPressed.connect(self._username_entered)
        self.passphrase.returnPressed.connect(self._submit)
        self.username.textEdited.connect(self._name_changed)
        # What is seen, top to bottom; Quick exit last, so that no key lands on it by chance.
        for first, second in pairwise((self.username, self.passphrase, self.sign_in_button,
                                       self.restore_button, self.forgot_button, self.about_button,
                                       self.language, *self.demo_box.buttons,
                                       self.quick_exit)):
            self.setTabOrder(first, second)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 34)
        self.resize(self.sizeHint().expandedTo(self.minimumSize()))
        (self.passphrase if username else self.username).setFocus()

    def show_about(self) -> AboutDialog:
        return show_about(self)

    def fill(self, username: str, passphrase: str) -> None:
        """Put an account's user name and passphrase in the fields (the demo box's buttons);
        Enter then signs in."""
        if self._busy:
            return
        self.username.setText(username)
        self._name_changed()
        self.passphrase.setText(passphrase)
        self.error.clear_message()
        self.passphrase.setFocus(Qt.FocusReason.OtherFocusReason)

    def recovered(self, username: str) -> None:
        """A new passphrase was set with the recovery key: now sign in with it."""
        self.username.setText(username)
        self._name_changed()
        self.passphrase.clear()
        self.error.clear_message()
        self.notice.show_message(fill(_("A new passphrase was set for {user}. Sign in with it."),
                                 user=username))
        self.passphrase.setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot(int, int)
    def set_preparing(self, done: int, total: int) -> None:
        """The demo vault is still being made: nothing can be signed in to yet."""
        self.demo_box.set_progress(done, total)
        self.sign_in_button.setEnabled(False)
        self.forgot_button.setEnabled(False)
        self.language.setEnabled(False)

    def set_prepared(self) -> None:
        self.demo_box.set_ready()
        self.sign_in_button.setEnabled(not self._wait_timer.isActive())
        self.forgot_button.setEnabled(True)
        self.language.setEnabled(True)

    def busy_now(self) -> bool:
        """A passphrase is being checked, or the demo vault is still being made."""
        return self._busy or not self.language.isEnabled()

    def waiting(self) -> float:
        """Seconds left before the next attempt (after too many failed ones), or 0."""
        return self._wait_left if self._wait_timer.isActive() else 0.0

    # -- what the user does --------------------------------------------------------
    def _username_entered(self) -> None:
        if self.passphrase.text():
            self._submit()
        else:
            self.passphrase.setFocus()

    def _submit(self) -> None:
        if self._busy or not self.sign_in_button.isEnabled():
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

    def _restore(self) -> None:
        if self._busy:
            return
        if not self.username.text().strip() or not self.passphrase.text():
            self.show_error(_("Type an administrator's user name and passphrase, then choose "
                              "Restore the newest backup."))
            return
        self.error.clear_message()
        self.restore_requested.emit(self.username.text().strip(), self.passphrase.text())

    def offer_restore(self, newest: str) -> None:
        """The database cannot be opened and the vault has a backup, the newest made at
        *newest* (a date and time as shown to people)."""
        self.restore_note.show_message(fill(_(
            "The newest backup was made on {when}. An administrator can put it back: type "
            "your user name and passphrase above, then choose Restore the newest backup. It "
            "is checked first, and the database now in place is kept aside. Records entered "
            "after the backup was made will not be in it."), when=newest))
        self.restore_button.show()

    def restore_done(self) -> None:
        """The backup is back: the offer and the problem that led to it are gone, and the
        passphrase is typed again to sign in, as after any other wait."""
        self.passphrase.clear()
        self.error.clear_message()
        self.restore_note.clear_message()
        self.restore_button.hide()

    def set_restoring(self, step: str) -> None:
        """A restore is running: *step* says what it does now ("" when it is over)."""
        self.set_busy(bool(step))
        self.restore_button.setEnabled(not step)
        self.sign_in_button.setEnabled(not step)
        if step:
            self.step.show_message(step)
        else:
            self.step.clear_message()

    def _name_changed(self) -> None:
        # The wait applies to one account; another person may sign in meanwhile.
        if self._wait_timer.isActive():
            self._wait_timer.stop()
            self.error.clear_message()
            self.sign_in_button.setEnabled(True)

    # -- what the controller reports ------------------------------------------------
    def set_busy(self, busy: bool) -> None:
        """While the passphrase is checked the fields are read-only, not disabled: a
        disabled field would hand the keyboard focus on, as far as Quick exit."""
        self._busy = busy
        if busy:
            self.language.cancel_pending()
        self.busy.setVisible(busy)
        for field in (self.username, self.passphrase):
            field.setReadOnly(busy)
        for button in (self.forgot_button, self.language, *self.demo_box.buttons):
            button.setEnabled(not busy)

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
