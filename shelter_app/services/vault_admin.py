"""Vault care: the integrity check, verified backups, and recovery-key rotation."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from shelter_app.domain.audit import Event, Outcome
from shelter_app.domain.roles import Action
from shelter_app.errors import EnvironmentFailure, StorageFailure
from shelter_app.i18n import _
from shelter_app.services.context import ServiceContext
from shelter_app.services.settings import SettingsService
from shelter_app.store.audit import ChainReport
from shelter_app.vault import crypto
from shelter_app.vault.backup import BackupCancel, prune
from shelter_app.vault.backup import copies as backup_copies
from shelter_app.vault.connection import integrity_problems
from shelter_app.vault.keyslots import RECOVERY_ID, seal

log = logging.getLogger(__name__)

# A daily backup made at 9:05 is due again at a sign-in at 9:00 the next day.
SLACK = dt.timedelta(hours=2)


@dataclass(frozen=True)
class VerifyReport:
    database_problems: list[str] = field(default_factory=list)
    chain: ChainReport = field(default_factory=lambda: ChainReport(True, 0))

    @property
    def ok(self) -> bool:
        return not self.database_problems and self.chain.ok

    def lines(self) -> list[str]:
        out = []
        if self.database_problems:
            out.append(_("Database: {n} problem(s) found. The file is damaged; restore the newest "
                         "backup.").format(n=len(self.database_problems)))
            out += [f"  {p}" for p in self.database_problems[:20]]
        else:
            out.append(_("Database: every page is intact."))
        if self.chain.ok:
            out.append(_("Audit chain: {n} events, unbroken.").format(n=self.chain.events))
        else:
            out.append(_("Audit chain: broken. {problem}").format(problem=self.chain.problem))
        return out


class VaultAdminService:
    def __init__(self, ctx: ServiceContext, settings: SettingsService) -> None:
        self._ctx = ctx
        self._settings = settings
        self._cancel = BackupCancel()

    def cancel_backups(self) -> None:
        """Stop a backup running on another thread (the session is ending); any thread."""
        self._cancel.cancel()

    def verify(self) -> VerifyReport:
        self._ctx.require(Action.VERIFY)
        problems = integrity_problems(self._ctx.db.raw)
        try:
            chain = self._ctx.audit.verify()
        except EnvironmentFailure as exc:  # a damaged page under the audit table
            chain = ChainReport(False, 0, None, str(exc))
        report = VerifyReport(problems, chain)
        try:
            if report.ok:
                self._ctx.record(Event.VERIFY, target_type="vault",
                                 target_id=self._ctx.vault.vault_id,
                                 details={"count": chain.events})
            else:
                self._ctx.record(Event.INTEGRITY_FAILURE, target_type="vault",
                                 target_id=self._ctx.vault.vault_id, outcome=Outcome.FAILED,
                                 details={"problems": len(problems),
                                          "first_bad_seq": chain.first_bad_seq})
        except EnvironmentFailure:
            if report.ok:
                raise
            # A damaged database may refuse any write; the report is what the user needs.
        return report

    def backup(self) -> Path:
        """A verified copy now (administrators); the oldest beyond ``backups_kept`` go."""
        self._ctx.require(Action.BACKUP)
        return self._backup("manual")

    def copy_to(self, parent: Path) -> Path:
        """A complete copy of the vault folder inside *parent*, for a drive kept elsewhere
        (administrators).  The passphrases and the recovery key that open this vault open
        the copy too, as they stand today."""
        self._ctx.require(Action.BACKUP)
        opened = self._ctx.vault
        path = opened.copy_to(parent, self._cancel)
        self._ctx.record(Event.BACKUP, target_type="vault", target_id=opened.vault_id,
                         details={"reason": "copy"})
        return path

    def backup_if_due(self, now: dt.datetime | None = None) -> Path | None:
        """The automatic backup, run by the application at sign-in whoever signs in.

        A verified copy is made when the newest one is ``backup_every_days`` old or older
        (0 turns this off).  It asks for no role: it reads nothing a person sees and writes
        only an encrypted copy into the vault's own folder, and it is recorded like any
        backup.  Failures raise as ``backup`` does, for the application to report."""
        every = int(self._settings.get("backup_every_days"))
        if every <= 0:
            return None
        found = backup_copies(self._ctx.vault.vault.folder)
        now = now or dt.datetime.now(dt.UTC)
        if found and now - found[-1][0] < dt.timedelta(days=every) - SLACK:
            return None
        return self._backup("scheduled")

    def last_backup(self) -> dt.datetime | None:
        self._ctx.require(Action.BACKUP)
        found = backup_copies(self._ctx.vault.vault.folder)
        return found[-1][0] if found else None

    def _backup(self, reason: str) -> Path:
        opened = self._ctx.vault
        path = opened.backup(self._cancel)
        try:
            prune(opened.vault.folder, int(self._settings.get("backups_kept")))
        except StorageFailure:  # the new copy is made; old ones are tried again next time
            log.warning("old backups could not all be deleted", exc_info=True)
        self._ctx.record(Event.BACKUP, target_type="vault", target_id=opened.vault_id,
                         details={"reason": reason})
        return path

    def new_recovery_key(self, deliver: Callable[[str], object] | None = None) -> str:
        """Replace the recovery keyslot; the previous recovery key stops working.

        *deliver(key)* (saving the recovery sheet, say) runs before the keyslot is replaced:
        if it raises, the old key stays valid and nothing is changed, so a new key is never
        in force without having reached the user.
        """
        self._ctx.require(Action.PRINT_RECOVERY_SHEET)
        key = crypto.new_recovery_key()
        if deliver is not None:
            deliver(key)
        opened = self._ctx.vault
        with self._ctx.write(Action.PRINT_RECOVERY_SHEET, Event.RECOVERY_SHEET,
                             target_type="vault", target_id=opened.vault_id):
            opened.put_slot(seal(opened.data_key_copy(), opened.vault_id, RECOVERY_ID, key,
                                 opened.vault.kdf.default, kind="recovery"))
        return key
