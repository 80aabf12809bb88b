""""Forgot passphrase?": an administrator sets a new passphrase with the recovery key.

The dialog collects the recovery key (from the recovery sheet printed at set-up), the
administrator account whose passphrase is replaced, and the new passphrase twice; it checks
what it can at once with the core's own rules (the key's form, the user name, the
passphrase policy).  The controller does the rest off the GUI thread — ``Vault.recover``,
audited exactly as ``shelter-admin recover`` — and reports with ``show_error`` or closes
the dialog; the person then signs in with the new passphrase.

Without the key there is no way round: the dialog says to ask another administrator (who
sets a temporary passphrase in Administration → Accounts), and that everyone who is not an
administrator asks an administrator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from shelter_app.domain.accounts import validate_passphrase, validate_username
from shelter_app.errors import (
    AccountDisabled,
    PassphraseRejected,
    PermissionDenied,
    ShelterError,
    TooManyAttempts,
    UnknownUser,
    ValidationError,
    WrongPassphrase,
)
from shelter_app.i18n import _
from shelter_app.i18n.formatting import fill
from shelter_app.services.registry import build_services
from shelter_app.vault.crypto import normalise_recovery_key
from shelter_app.vault.vault import Vault

from .background import Background
from .widgets import NOTICE_STYLE, BusyBar, MessageLabel, heading, monospace_font, named, paragraph

if TYPE_CHECKING:
    from .sign_in import SignInWindow


class RecoveryDialog(QDialog):
    """Emits ``recover_requested(recovery key, user name, new passphrase)``."""

    recover_requested = Signal(str, str, str)

    def __init__(self, username: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recovery_dialog")
        self.setWindowTitle(_("Forgot passphrase"))
        named(self, _("Forgot passphrase"))

        self.key = QLineEdit()
        self.key.setFont(monospace_font())
        self.key.setLayoutDirection(Qt.LayoutDirection.LeftToRight)  # Latin, also in Arabic
        self.key.setPlaceholderText("XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX")
        named(self.key, _("Recovery key"),
              _("32 letters and digits, from the recovery sheet; dashes and spaces may be left "
                "out."))
        self.username = QLineEdit(username)
        self.username.setMaxLength(64)
        named(self.username, _("Administrator account"),
              _("The user name of the administrator account whose passphrase is replaced."))
        self.new = self._secret(_("New passphrase"))
        self.repeat = self._secret(_("Repeat the new passphrase"))
        self.key_msg, self.username_msg, self.new_msg, self.repeat_msg = (
            MessageLabel(), MessageLabel(), MessageLabel(), MessageLabel())
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow(_("&Recovery key:"), self.key)
        form.addRow("", self.key_msg)
        form.addRow(_("&Administrator account:"), self.username)
        form.addRow("", self.username_msg)
        form.addRow(_("&New passphrase:"), self.new)
        form.addRow("", paragraph(_("At least 12 characters. A few unrelated words are easy "
                                    "to remember and hard to guess.")))
        form.addRow("", self.new_msg)
        form.addRow(_("R&epeat:"), self.repeat)
        form.addRow("", self.repeat_msg)
        for field, label in ((self.key, self.key_msg), (self.username, self.username_msg),
                             (self.new, self.new_msg), (self.repeat, self.repeat_msg)):
            field.textEdited.connect(lambda _t, label=label: label.clear_message())

        without_key = paragraph(_(
            "No recovery key? Ask another administrator to set a temporary passphrase for "
            "your account (Administration, Accounts, Temporary passphrase). Caseworkers, "
            "coordinators and legal volunteers: ask an administrator; the recovery key is "
            "only for administrators' accounts."))
        without_key.setStyleSheet(NOTICE_STYLE)
        self.error = MessageLabel()
        self.busy = BusyBar(_("Checking the recovery key and setting the new passphrase…"))
        self.buttons = QDialogButtonBox()
        self.ok_button = self.buttons.addButton(_("&Set new passphrase"),
                                                QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        named(self.ok_button, _("Set new passphrase"))
        named(self.cancel_button, _("Cancel"))
        self.ok_button.setDefault(True)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading(_("Set a new passphrase with the recovery key"), scale=1.2))
        layout.addWidget(paragraph(_(
            "For an administrator who has forgotten her passphrase. The recovery key is on "
            "the recovery sheet printed when this vault was set up, kept locked away. Only "
            "the passphrase of the account named here changes.")))
        layout.addLayout(form)
        layout.addWidget(without_key)
        layout.addWidget(self.error)
        layout.addWidget(self.busy)
        layout.addWidget(self.buttons)
        for first, second in ((self.key, self.username), (self.username, self.new),
                              (self.new, self.repeat), (self.repeat, self.ok_button),
                              (self.ok_button, self.cancel_button)):
            self.setTabOrder(first, second)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 40)
        self.key.setFocus()

    @staticmethod
    def _secret(name: str) -> QLineEdit:
        field = QLineEdit()
        field.setEchoMode(QLineEdit.EchoMode.Password)
        named(field, name)
        return field

    def submit(self) -> None:
        if self.busy.isVisible():
            return
        for label in (self.key_msg, self.username_msg, self.new_msg, self.repeat_msg,
                      self.error):
            label.clear_message()
        key = self.key.text()
        if normalise_recovery_key(key) is None:
            self._fail(self.key, self.key_msg, _(
                "That is not a recovery key: it has 32 letters and digits."))
            return
        try:
            username = validate_username(self.username.text())
        except ValidationError as exc:
            self._fail(self.username, self.username_msg, exc.message)
            return
        new = self.new.text()
        try:
            validate_passphrase(new, username=username)
        except PassphraseRejected as exc:
            self._fail(self.new, self.new_msg, exc.message)
            return
        if new != self.repeat.text():
            self._fail(self.repeat, self.repeat_msg, _("The two new passphrases are not the "
                                                       "same."))
            return
        self.set_busy(True)
        self.recover_requested.emit(key, username, new)

    def set_busy(self, busy: bool) -> None:
        """Fields read-only while the key is checked (the focus stays where it was)."""
        self.busy.setVisible(busy)
        for field in (self.key, self.username, self.new, self.repeat):
            field.setReadOnly(busy)
        self.ok_button.setEnabled(not busy)

    def show_error(self, exc: ShelterError) -> None:
        """The controller's refusal, shown beside the field it concerns."""
        self.set_busy(False)
        if isinstance(exc, WrongPassphrase):
            self._fail(self.key, self.key_msg, exc.message)
        elif isinstance(exc, UnknownUser | AccountDisabled | PermissionDenied):
            self._fail(self.username, self.username_msg, exc.message)
        elif isinstance(exc, PassphraseRejected):
            self._fail(self.new, self.new_msg, exc.message)
        elif isinstance(exc, TooManyAttempts):
            self.error.show_message(exc.message)
            self.key.setFocus()
        else:
            self.error.show_message(exc.message)

    def _fail(self, field: QLineEdit, label: MessageLabel, message: str) -> None:
        label.show_message(message)
        field.selectAll()
        field.setFocus()

    def reject(self) -> None:
        if self.busy.isVisible():
            return  # the change is under way; its outcome must be seen
        super().reject()

    def forget(self) -> None:
        for field in (self.key, self.new, self.repeat):
            field.clear()

    def done(self, result: int) -> None:
        super().done(result)
        self.forget()


def open_recovery(window: SignInWindow, vault: Vault | None, background: Background
                  ) -> RecoveryDialog | None:
    """Open the dialog over the sign-in *window*; on success the window is told (its user
    name filled in, the cursor in the passphrase field) and the dialog closes.

    The recovery runs on *background* as ``shelter-admin recover`` does: ``Vault.recover``
    records the use of the key and the new passphrase, and the session it opens is locked
    again at once.  The results are bound to the dialog, which dies with the window if the
    vault locks meanwhile.  Nothing opens while no vault is held."""
    if vault is None:
        return None
    dialog = RecoveryDialog(window.username.text().strip(), window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.recovery = dialog

    def recover(key: str, username: str, new_passphrase: str) -> None:
        def work() -> None:
            opened, _report = vault.recover(key, username, new_passphrase)
            build_services(opened).lock()

        def done(_result: None) -> None:
            dialog.set_busy(False)
            dialog.accept()
            window.recovered(username)

        def failed(exc: BaseException) -> None:
            dialog.show_error(exc if isinstance(exc, ShelterError) else ShelterError(fill(_(
                "Something unexpected went wrong ({kind}). Nothing was changed."),
                    kind=type(exc).__name__)))
            if not isinstance(exc, ShelterError):
                raise exc

        background.run(work, done, failed, context=dialog)

    dialog.recover_requested.connect(recover)
    dialog.open()
    return dialog
