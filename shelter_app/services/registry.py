"""The composition root of the core: every service of one signed-in session, built once."""

from __future__ import annotations

from dataclasses import dataclass

from shelter_app.domain.audit import Event
from shelter_app.services.accounts import AccountService
from shelter_app.services.context import ServiceContext, Session
from shelter_app.services.settings import SettingsService
from shelter_app.services.vault_admin import VaultAdminService
from shelter_app.vault.vault import OpenVault


@dataclass
class Services:
    ctx: ServiceContext
    accounts: AccountService
    settings: SettingsService
    vault_admin: VaultAdminService

    @property
    def session(self) -> Session:
        return self.ctx.session

    def lock(self, event: Event = Event.LOCK) -> None:
        """Record why the session ended, then forget the key and close the database."""
        if self.ctx.vault.closed:
            return
        try:
            self.ctx.record(event, target_type="user", target_id=self.ctx.session.user_id)
        finally:
            self.ctx.vault.close()


def build_services(opened: OpenVault) -> Services:
    ctx = ServiceContext(opened)
    return Services(ctx, AccountService(ctx), SettingsService(ctx), VaultAdminService(ctx))
