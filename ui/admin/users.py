"""The accounts tab: who may sign in, with which roles; add, disable, re-enable, reset.

Every change is one ``AccountService`` call (permission, keyslot and audit in one place).
Disabling destroys the account's keyslot, so it asks first; re-enabling and resetting set
a temporary passphrase the person must replace at their next sign-in.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDialog, QMessageBox, QVBoxLayout, QWidget

from shelter_app.domain.accounts import Account
from shelter_app.domain.roles import ROLE_LABELS
from shelter_app.domain.validate import parse_utc
from shelter_app.errors import ShelterError
from shelter_app.i18n import _, ngettext
from shelter_app.i18n.formatting import fill, format_datetime
from shelter_app.services.registry import Services

from ..agenda.common import (
    Column,
    RowsModel,
    button,
    flow,
    select_row,
    selected_row,
    sorted_proxy,
    table,
)
from ..background import Background
from ..widgets import NOTICE_STYLE, MessageLabel, named
from .user_dialogs import (
    AddAccountDialog,
    GiveKeysDialog,
    RolesDialog,
    TemporaryPassphraseDialog,
)


def status_text(account: Account) -> str:
    if account.status != "active":
        return _("Disabled")
    if account.must_change_passphrase:
        return _("Active, must choose a passphrase")
    return _("Active")


def keys_text(account: Account) -> str:
    """Whether the account holds the keys its roles allow (VAULT_FORMAT.md 3.6)."""
    if account.status != "active":
        return _("No keys")
    if account.keys == "upgrade":
        return _("Not signed in since the key file upgrade")
    if account.keys == "waiting":
        return _("At a coordinator's next sign-in")
    return _("All its roles allow")


def last_sign_in(account: Account) -> str:
    if not account.last_sign_in_at:
        return _("Never")
    moment = parse_utc(account.last_sign_in_at)
    return format_datetime(moment)


class AccountsModel(RowsModel):
    USERNAME, DISPLAY, ROLES, STATUS, KEYS, LAST = range(6)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__([
            Column(lambda: _("User name"), lambda a: a.username),
            Column(lambda: _("Display name"), lambda a: a.display_name),
            Column(lambda: _("Roles"), lambda a: ", ".join(
                _(ROLE_LABELS[r]) for r in sorted(a.roles))),
            Column(lambda: _("Status"), status_text, bold=lambda a: a.status != "active"),
            Column(lambda: _("Keys"), keys_text),
            Column(lambda: _("Last sign-in"), last_sign_in,
                   sort=lambda a: a.last_sign_in_at or ""),
        ], parent)


class AccountsTab(QWidget):
    def __init__(self, services: Services, background: Background,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("accounts_tab")
        self._services = services
        self._background = background
        self.model = AccountsModel(self)
        self.proxy = sorted_proxy(self.model)
        self.view = table(self.proxy, _("Accounts"), _("Staff accounts of this vault"))
        self.notice = MessageLabel(NOTICE_STYLE)
        self.error = MessageLabel()
        self.add_button = button(_("&Add account…"), _("Add a staff account"), self.add)
        self.roles_button = button(_("Change &roles…"), _("Change the selected account's "
                                                          "roles"), self.change_roles)
        self.reset_button = button(_("&Temporary passphrase…"),
                                   _("Set a temporary passphrase for someone who forgot "
                                     "theirs"), self.reset)
        self.disable_button = button(_("&Disable…"), _("Stop the account from signing in"),
                                     self.disable)
        self.enable_button = button(_("Re-&enable…"), _("Let a disabled account sign in "
                                                        "again"), self.enable)
        self.keys_button = button(_("Give &keys…"), _(
            "When no coordinator holding the keys to survivor records is left: give every "
            "account the keys its roles allow, with the recovery key"), self.give_keys)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.notice)
        layout.addWidget(flow(self.add_button, self.roles_button, self.reset_button,
                              self.disable_button, self.enable_button, self.keys_button))
        self.view.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        self.view.activated.connect(lambda _i: self.change_roles())
        self.refresh()

    def refresh(self, select: str | None = None) -> None:
        try:
            self.model.set_rows(self._services.accounts.list())
        except ShelterError as exc:
            self.model.clear()
            self.error.show_message(exc.message)
        if select is not None:
            for row in range(self.proxy.rowCount()):
                found = self.model.row_at(self.proxy.index(row, 0))
                if found is not None and found.username == select:
                    select_row(self.view, row)
        self._update_buttons()

    def selected(self) -> Account | None:
        row = selected_row(self.view)
        return row if isinstance(row, Account) else None

    def _update_buttons(self) -> None:
        chosen = self.selected()
        me = self._services.session.user_id
        active = chosen is not None and chosen.status == "active"
        self.roles_button.setEnabled(chosen is not None)
        self.reset_button.setEnabled(active and chosen is not None and chosen.id != me)
        self.disable_button.setEnabled(active and chosen is not None and chosen.id != me)
        self.enable_button.setEnabled(chosen is not None and not active)
        self.keys_button.setEnabled(any(a.keys == "waiting" for a in self.model.rows()))

    def _done(self, message: str) -> Callable[[str], None]:
        def show(username: str) -> None:
            if self._services.ctx.vault.closed:
                return  # finished after the session ended: nothing left to show it to
            self.error.clear_message()
            self.refresh(select=username)
            self.notice.show_message(fill(message, user=username))
        return show

    def _open(self, dialog: QDialog) -> QDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    # -- actions ---------------------------------------------------------------------
    def add(self) -> QDialog:
        dialog = AddAccountDialog(self._services.accounts.add, self._background, self)
        dialog.done_ok.connect(self._done(_(
            "Account {user} added. They must choose their own passphrase at first sign-in.")))
        return self._open(dialog)

    def change_roles(self) -> QDialog | None:
        chosen = self.selected()
        if chosen is None:
            return None
        dialog = RolesDialog(chosen.username, chosen.roles, self._services.accounts.set_roles,
                             self._background, self)
        dialog.done_ok.connect(self._done(_("Roles of {user} changed.")))
        return self._open(dialog)

    def reset(self) -> QDialog | None:
        chosen = self.selected()
        if (chosen is None or chosen.status != "active"
                or chosen.id == self._services.session.user_id):
            return None
        dialog = TemporaryPassphraseDialog(chosen.username, self._services.accounts.reset,
                                           self._background, enable=False, parent=self)
        dialog.done_ok.connect(self._done(_(
            "{user} has a temporary passphrase now and must change it at sign-in.")))
        return self._open(dialog)

    def enable(self) -> QDialog | None:
        chosen = self.selected()
        if chosen is None or chosen.status == "active":
            return None
        dialog = TemporaryPassphraseDialog(chosen.username, self._services.accounts.enable,
                                           self._background, enable=True, parent=self)
        dialog.done_ok.connect(self._done(_("{user} can sign in again with the temporary "
                                            "passphrase.")))
        return self._open(dialog)

    def give_keys(self) -> QDialog:
        dialog = GiveKeysDialog(self._services.accounts.give_keys_with_recovery,
                                self._background, self)

        def given(_name: str) -> None:
            if self._services.ctx.vault.closed:
                return
            self.error.clear_message()
            self.refresh()
            self.notice.show_message(ngettext("{n} account received keys.",
                                              "{n} accounts received keys.",
                                              dialog.given).format(n=dialog.given))
        dialog.done_ok.connect(given)
        return self._open(dialog)

    def disable(self) -> QMessageBox | None:
        chosen = self.selected()
        if chosen is None:
            return None
        username = chosen.username
        box = QMessageBox(QMessageBox.Icon.Warning, _("Disable account"), fill(_(
            "Disable the account {user}? They can no longer sign in; their passphrase stops "
            "working at once. Their records stay. You can re-enable the account later with "
            "a temporary passphrase. A copy of the key file made before still opens the vault "
            "until its keys are changed (Vault tab)."), user=username),
            QMessageBox.StandardButton.Cancel, self)
        confirm = box.addButton(_("&Disable account"), QMessageBox.ButtonRole.DestructiveRole)
        named(confirm, _("Disable account"))
        named(box, _("Disable account"))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda b: self._disable(username) if b is confirm else None)
        box.open()
        return box

    def _disable(self, username: str) -> None:
        self.notice.clear_message()
        self.error.clear_message()

        def failed(exc: BaseException) -> None:
            if not isinstance(exc, ShelterError):
                raise exc
            self.error.show_message(exc.message)

        self._background.run(lambda: self._services.accounts.disable(username),
                             lambda _r: self._done(_(
                                 "Account {user} disabled. Change the vault's keys in the "
                                 "Vault tab, so that copies of the key file made before stop "
                                 "opening the vault."))(username),
                             failed, context=self)

    def end_session(self) -> None:
        for child in self.findChildren(QDialog):
            child.hide()
            child.deleteLater()
        self.model.clear()
        self.notice.clear_message()
        self.error.clear_message()
