"""Change one's own passphrase: current, new, repeat, with the reason for any refusal.

Used twice: required after signing in with a temporary passphrase (before any other
window opens), and on request from the main window.  The change itself is
``AccountService.change_own_passphrase``, run off the GUI thread (it derives two keys).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from shelter_app.domain.accounts import validate_passphrase
from shelter_app.errors import PassphraseRejected, ShelterError, ValidationError, WrongPassphrase
from shelter_app.i18n import _

from .background import Background
from .widgets import BusyBar, MessageLabel, heading, named, paragraph


class ChangePassphraseDialog(QDialog):
    """Emits ``changed`` once the new passphrase is in force, then closes."""

    changed = Signal()

    def __init__(self, change: Callable[[str, str], None], username: str,
                 background: Background, *, required: bool = False, title: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._change = change
        self._username = username
        self._background = background
        self.setWindowTitle(title or _("Change passphrase"))
        self.setObjectName("change_passphrase")

        intro = (_("Your account has a temporary passphrase. Choose your own passphrase "
                   "before you continue. Only you should know it.") if required else
                 _("Choose a new passphrase. It takes effect at once."))
        self.current = self._field(_("Current passphrase"))
        self.new = self._field(_("New passphrase"))
        self.repeat = self._field(_("Repeat the new passphrase"))
        self.current_msg, self.new_msg, self.repeat_msg = MessageLabel(), MessageLabel(), \
            MessageLabel()
        self.new_hint = paragraph(_("At least 12 characters. A few unrelated words are easy "
                                    "to remember and hard to guess."))
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(_("C&urrent passphrase:"), self.current)
        form.addRow("", self.current_msg)
        form.addRow(_("&New passphrase:"), self.new)
        form.addRow("", self.new_hint)
        form.addRow("", self.new_msg)
        form.addRow(_("&Repeat:"), self.repeat)
        form.addRow("", self.repeat_msg)

        self.error = MessageLabel()
        self.busy = BusyBar(_("Changing the passphrase…"))
        self.buttons = QDialogButtonBox()
        self.ok_button = self.buttons.addButton(_("Change passphrase"),
                                                QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(
            _("Sign out") if required else _("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        named(self.ok_button, _("Change passphrase"))
        named(self.cancel_button, self.cancel_button.text().replace("&", ""))
        self.ok_button.setDefault(True)
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading(_("Change your passphrase"), scale=1.2))
        layout.addWidget(paragraph(intro))
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.busy)
        layout.addWidget(self.buttons)
        self.new.textEdited.connect(lambda _t: self.new_msg.clear_message())
        self.repeat.textEdited.connect(lambda _t: self.repeat_msg.clear_message())
        self.current.textEdited.connect(lambda _t: self.current_msg.clear_message())
        self.setTabOrder(self.current, self.new)
        self.setTabOrder(self.new, self.repeat)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 36)
        self.current.setFocus()

    def _field(self, name: str) -> QLineEdit:
        field = QLineEdit()
        field.setEchoMode(QLineEdit.EchoMode.Password)
        named(field, name)
        return field

    def _submit(self) -> None:
        for label in (self.current_msg, self.new_msg, self.repeat_msg, self.error):
            label.clear_message()
        current, new, repeat = self.current.text(), self.new.text(), self.repeat.text()
        if not current:
            self._fail(self.current, self.current_msg, _("Enter your current passphrase."))
            return
        try:
            validate_passphrase(new, username=self._username)
        except PassphraseRejected as exc:
            self._fail(self.new, self.new_msg, exc.message)
            return
        if new != repeat:
            self._fail(self.repeat, self.repeat_msg, _("The two new passphrases are not the "
                                                       "same."))
            return
        self._set_busy(True)
        self._background.run(lambda: self._change(current, new), self._done, self._failed,
                             context=self)

    def _done(self, _result: object) -> None:
        self._set_busy(False)
        for field in (self.current, self.new, self.repeat):
            field.clear()
        self.changed.emit()
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, WrongPassphrase):
            self._fail(self.current, self.current_msg, exc.message)
        elif isinstance(exc, PassphraseRejected | ValidationError) and \
                getattr(exc, "field", "new") in (None, "new"):
            self._fail(self.new, self.new_msg, exc.message)
        elif isinstance(exc, ShelterError):
            self.error.show_message(exc.message)
        else:
            self.error.show_message(_("The passphrase could not be changed: an unexpected "
                                      "error. Nothing was changed."))
            raise exc

    def _fail(self, field: QLineEdit, label: MessageLabel, message: str) -> None:
        label.show_message(message)
        field.selectAll()
        field.setFocus()

    def _set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        for widget in (self.current, self.new, self.repeat, self.ok_button, self.cancel_button):
            widget.setEnabled(not busy)

    def reject(self) -> None:
        if self._background.busy and self.busy.isVisible():
            return  # the change is under way; closing now would hide its outcome
        super().reject()
