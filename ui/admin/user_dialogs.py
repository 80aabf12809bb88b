"""Dialogs of the accounts tab: a new account, a temporary passphrase, roles.

A temporary passphrase is suggested (four groups of four characters without look-alikes,
about 79 bits) and can be replaced by one the administrator types; it must be handed over
in person and is replaced by the person at their first sign-in.  Adding an account and
setting a passphrase derive a key with Argon2 (about a second), so they run off the GUI
thread through ``Background``; the dialog stays open with a busy bar until the outcome
is known, and a refusal is shown under the field it concerns.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from shelter_app.domain.accounts import validate_passphrase, validate_username
from shelter_app.domain.roles import ROLE_LABELS, Role
from shelter_app.errors import PassphraseRejected, ShelterError, ValidationError
from shelter_app.i18n import _
from shelter_app.i18n.formatting import fill

from ..agenda.common import button, field_with
from ..background import Background
from ..widgets import BusyBar, MessageLabel, heading, monospace_font, named, paragraph

_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud, typed from paper


def temporary_passphrase(username: str = "") -> str:
    while True:
        candidate = "-".join("".join(secrets.choice(_ALPHABET) for _i in range(4))
                             for _g in range(4))
        try:
            return validate_passphrase(candidate, username=username or None)
        except PassphraseRejected:  # it happened to contain the user name
            continue


class RoleChecks(QWidget):
    """One check box per role."""

    def __init__(self, chosen: Iterable[Role] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.boxes: dict[Role, QCheckBox] = {}
        for role in Role:
            box = QCheckBox(_(ROLE_LABELS[role]))
            named(box, _(ROLE_LABELS[role]))
            box.setChecked(role in set(chosen))
            layout.addWidget(box)
            self.boxes[role] = box

    def value(self) -> list[str]:
        return [role.value for role, box in self.boxes.items() if box.isChecked()]


class _AccountDialog(QDialog):
    """Shared frame: a form, an error line, a busy bar, OK / Cancel."""

    done_ok = Signal(str)  # the user name, once the change is made

    def __init__(self, title: str, confirm: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        named(self, title)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.error = MessageLabel()
        self.busy = BusyBar(_("Working…"))
        self.buttons = QDialogButtonBox()
        self.ok_button = self.buttons.addButton(confirm, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        named(self.ok_button, confirm.replace("&", ""))
        named(self.cancel_button, _("Cancel"))
        self.ok_button.setDefault(True)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.layout_ = QVBoxLayout(self)
        self.layout_.addWidget(heading(title, scale=1.2))
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 32)

    def finish_layout(self) -> None:
        self.layout_.addLayout(self.form)
        self.layout_.addWidget(self.error)
        self.layout_.addWidget(self.busy)
        self.layout_.addWidget(self.buttons)

    def passphrase_row(self, username: str) -> QLineEdit:
        field = QLineEdit(temporary_passphrase(username))
        field.setFont(monospace_font(1.1))
        named(field, _("Temporary passphrase"))
        again = button(_("New &suggestion"), _("Suggest another temporary passphrase"),
                       lambda: field.setText(temporary_passphrase(username)))
        row = QHBoxLayout()
        row.addWidget(field, 1)
        row.addWidget(again)
        holder = QWidget()
        holder.setLayout(row)
        row.setContentsMargins(0, 0, 0, 0)
        self.passphrase_msg = MessageLabel()
        self.form.addRow(_("&Temporary passphrase:"), field_with(holder, paragraph(_(
            "Give it to the person in private, never by e-mail. They choose their own "
            "passphrase when they first sign in.")), self.passphrase_msg))
        holder.setFocusProxy(field)
        return field

    def submit(self) -> None:  # pragma: no cover - each dialog has its own
        raise NotImplementedError

    def run(self, background: Background, work: Callable[[], Any], username: str,
            fail: Callable[[BaseException], None]) -> None:
        self.error.clear_message()
        self.busy.show()
        self.ok_button.setEnabled(False)

        def done(_result: object) -> None:
            self.busy.hide()
            self.done_ok.emit(username)
            self.accept()

        def failed(exc: BaseException) -> None:
            self.busy.hide()
            self.ok_button.setEnabled(True)
            fail(exc)
            if not isinstance(exc, ShelterError):
                self.error.show_message(_("Something unexpected went wrong; nothing was "
                                          "changed."))
                raise exc

        background.run(work, done, failed, context=self)

    def reject(self) -> None:
        if self.busy.isVisible():
            return  # the change is under way; its outcome must be seen
        super().reject()


class AddAccountDialog(_AccountDialog):
    def __init__(self, add: Callable[..., Any], background: Background,
                 parent: QWidget | None = None) -> None:
        super().__init__(_("Add an account"), _("&Add account"), parent)
        self.setObjectName("add_account_dialog")
        self._add = add
        self._background = background
        self.username = QLineEdit()
        named(self.username, _("User name"))
        self.display_name = QLineEdit()
        named(self.display_name, _("Display name"))
        self.roles = RoleChecks()
        self.username_msg, self.roles_msg = MessageLabel(), MessageLabel()
        self.form.addRow(_("&User name:"), field_with(self.username, self.username_msg))
        self.form.addRow(_("&Display name:"), self.display_name)
        self.form.addRow(_("Roles:"), field_with(self.roles, self.roles_msg))
        self.passphrase = self.passphrase_row("")
        self.finish_layout()
        self.username.setFocus()

    def submit(self) -> None:
        for label in (self.username_msg, self.roles_msg, self.passphrase_msg):
            label.clear_message()
        username, roles, passphrase = (self.username.text(), self.roles.value(),
                                       self.passphrase.text())
        try:
            username = validate_username(username)
            if not roles:
                raise ValidationError(_("Give the account at least one role."), "roles")
            validate_passphrase(passphrase, username=username)
        except (ValidationError, PassphraseRejected) as exc:
            self._fail(exc)
            return
        display = self.display_name.text()
        self.run(self._background,
                 lambda: self._add(username, roles, passphrase, display_name=display),
                 username, self._fail)

    def _fail(self, exc: BaseException) -> None:
        if isinstance(exc, PassphraseRejected):
            self.passphrase_msg.show_message(exc.message)
            self.passphrase.setFocus()
        elif isinstance(exc, ValidationError) and exc.field == "roles":
            self.roles_msg.show_message(exc.message)
        elif isinstance(exc, ValidationError) and exc.field == "username":
            self.username_msg.show_message(exc.message)
            self.username.setFocus()
        elif isinstance(exc, ShelterError):
            self.error.show_message(exc.message)


class TemporaryPassphraseDialog(_AccountDialog):
    """Reset a passphrase (active account) or re-enable a disabled one."""

    def __init__(self, username: str, set_passphrase: Callable[[str, str], Any],
                 background: Background, *, enable: bool,
                 parent: QWidget | None = None) -> None:
        title = fill(_("Re-enable {user}") if enable else
                     _("New temporary passphrase for {user}"), user=username)
        super().__init__(title, _("&Re-enable") if enable else _("&Set passphrase"), parent)
        self.setObjectName("temporary_passphrase_dialog")
        self._username = username
        self._set = set_passphrase
        self._background = background
        self.layout_.addWidget(paragraph(
            _("The account gets a new keyslot with this passphrase.") if enable else
            _("The current passphrase stops working at once.")))
        self.passphrase = self.passphrase_row(username)
        self.finish_layout()
        self.passphrase.setFocus()

    def submit(self) -> None:
        passphrase = self.passphrase.text()
        try:
            validate_passphrase(passphrase, username=self._username)
        except PassphraseRejected as exc:
            self.error.show_message(exc.message)
            return
        self.run(self._background, lambda: self._set(self._username, passphrase),
                 self._username, self._fail)

    def _fail(self, exc: BaseException) -> None:
        if isinstance(exc, ShelterError):
            self.error.show_message(exc.message)


class RolesDialog(_AccountDialog):
    def __init__(self, username: str, current: Iterable[Role],
                 set_roles: Callable[[str, list[str]], Any], background: Background,
                 parent: QWidget | None = None) -> None:
        super().__init__(fill(_("Roles of {user}"), user=username), _("&Change roles"),
                         parent)
        self.setObjectName("roles_dialog")
        self._username = username
        self._set = set_roles
        self._background = background
        self.roles = RoleChecks(current)
        self.form.addRow(_("Roles:"), field_with(self.roles, paragraph(_(
            "An administrator alone sees no survivor records. Coordinators see every case; "
            "caseworkers their assigned cases; legal volunteers the cases shared with "
            "them."))))
        self.finish_layout()

    def submit(self) -> None:
        roles = self.roles.value()
        if not roles:
            self.error.show_message(_("Give the account at least one role."))
            return
        self.run(self._background, lambda: self._set(self._username, roles), self._username,
                 self._fail)

    def _fail(self, exc: BaseException) -> None:
        if isinstance(exc, ShelterError):
            self.error.show_message(exc.message)


class GiveKeysDialog(_AccountDialog):
    """The recovery key gives every account the keys its signed roles allow: the way back
    when no coordinator holding the content keys is left (VAULT_FORMAT.md, section 3.5)."""

    def __init__(self, give: Callable[[str], int], background: Background,
                 parent: QWidget | None = None) -> None:
        super().__init__(_("Give keys with the recovery key"), _("&Give keys"), parent)
        self.setObjectName("give_keys_dialog")
        self._give = give
        self._background = background
        self.given = 0
        self.layout_.addWidget(paragraph(_(
            "Accounts receive the keys to survivor records when a coordinator signs in. If "
            "no coordinator who holds them is left, the recovery key gives every account the "
            "keys its roles allow.")))
        self.key = QLineEdit()
        self.key.setFont(monospace_font(1.1))
        named(self.key, _("Recovery key"))
        self.form.addRow(_("&Recovery key:"), field_with(self.key, paragraph(_(
            "32 letters and digits, from the recovery sheet; dashes and spaces may be left "
            "out."))))
        self.finish_layout()
        self.key.setFocus()

    def submit(self) -> None:
        text = self.key.text()

        def work() -> None:
            self.given = self._give(text)

        self.run(self._background, work, "", self._fail)

    def _fail(self, exc: BaseException) -> None:
        if isinstance(exc, ShelterError):
            self.error.show_message(exc.message)
            self.key.selectAll()
            self.key.setFocus()
