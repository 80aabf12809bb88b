"""The Administration page: tabs for accounts, settings, sites and vault care.

Present for administrators, and for coordinators with the Vault tab alone (its check and
changing the keys) (``may_see_admin``); each tab appears only when its action is allowed,
and each service refuses anyway.  Nobody sees survivor content here: accounts, settings
and the vault.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from shelter_app.domain.roles import Action
from shelter_app.i18n import _
from shelter_app.services.registry import Services

from ..background import Background
from ..widgets import heading, named
from .settings_tab import ChooseFile, SettingsTab, scrolled, system_file_dialog
from .sites_tab import SitesTab
from .users import AccountsTab
from .vault_tab import VaultTab


def may_see_admin(services: Services) -> bool:
    """Administrators, and coordinators for the Vault tab: the check, and changing the
    content keys with the database key."""
    return any(services.ctx.allowed(a) for a in (Action.MANAGE_USERS, Action.VERIFY,
                                                 Action.REKEY))


class AdminPage(QWidget):
    restore_requested = Signal(str, object)  # passphrase, backup file (VaultTab)

    def __init__(self, services: Services, background: Background,
                 parent: QWidget | None = None, *,
                 choose_file: ChooseFile = system_file_dialog) -> None:
        super().__init__(parent)
        self.setObjectName("admin_page")
        ctx = services.ctx
        self.tabs = QTabWidget()
        named(self.tabs, _("Administration"))
        self.accounts: AccountsTab | None = None
        self.settings: SettingsTab | None = None
        self.vault: VaultTab | None = None
        self.sites: SitesTab | None = None
        if ctx.allowed(Action.MANAGE_USERS):
            self.accounts = AccountsTab(services, background)
            self.tabs.addTab(self.accounts, _("&Accounts"))
        if ctx.allowed(Action.CHANGE_SETTINGS):
            self.settings = SettingsTab(services, choose_file=choose_file)
            self.tabs.addTab(scrolled(self.settings), _("&Settings"))  # taller than a laptop
            self.sites = SitesTab(services)
            self.tabs.addTab(self.sites, _("Sit&es"))
        if any(ctx.allowed(a) for a in (Action.VERIFY, Action.BACKUP, Action.REKEY)):
            self.vault = VaultTab(services, background)
            self.vault.restore_requested.connect(self.restore_requested)
            self.tabs.addTab(self.vault, _("&Vault"))
        layout = QVBoxLayout(self)
        layout.addWidget(heading(_("Administration")))
        layout.addWidget(self.tabs, 1)

    # -- the main window's questions (ui/pages.py) ---------------------------------------
    def has_unsaved(self) -> bool:
        return self.settings is not None and self.settings.has_unsaved()

    def unsaved_titles(self) -> list[str]:
        return [_("Settings")] if self.has_unsaved() else []

    def save_all(self) -> bool:
        return self.settings is None or not self.settings.has_unsaved() or self.settings.save()

    def discard_all(self) -> None:
        if self.settings is not None:
            self.settings.load()

    def end_session(self) -> None:
        for tab in (self.accounts, self.settings, self.sites, self.vault):
            if tab is not None:
                tab.end_session()
