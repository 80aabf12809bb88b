"""Vault care: the integrity check, verified backups, and recovery-key rotation."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from shelter_app.domain.audit import Event, Outcome
from shelter_app.domain.key_classes import KeyName
from shelter_app.domain.roles import Action
from shelter_app.domain.validate import parse_utc
from shelter_app.errors import (
    EnvironmentFailure,
    StorageFailure,
    ValidationError,
)
from shelter_app.i18n import _, ngettext
from shelter_app.i18n.formatting import fill, format_number, isolated
from shelter_app.services import anchor_checks, key_rotation, row_seals
from shelter_app.services.account_check import account_problems
from shelter_app.services.anchor_checks import AnchorCheck
from shelter_app.services.context import ServiceContext
from shelter_app.services.retention import LAST_PURGE_KEY
from shelter_app.services.settings import SettingsService
from shelter_app.store.audit import ChainReport
from shelter_app.vault import crypto
from shelter_app.vault.anchors import (
    fingerprint_code,
    format_fingerprint,
)
from shelter_app.vault.backup import (
    BackupCancel,
    prune,
)
from shelter_app.vault.backup import copies as backup_copies
from shelter_app.vault.connection import integrity_problems
from shelter_app.vault.keyslots import RECOVERY_ID, KeyslotFile
from shelter_app.vault.rekey import Progress, RekeyReport, change_keys
from shelter_app.vault.restore import administrator_keys

log = logging.getLogger(__name__)


# A daily backup made at 9:05 is due again at a sign-in at 9:00 the next day.
SLACK = dt.timedelta(hours=2)


@dataclass(frozen=True)
class Fingerprint:
    """A short code for one audit event, to write down or file (see ``fingerprint``)."""

    seq: int
    code: str
    issued_at: dt.datetime

    @property
    def text(self) -> str:
        return format_fingerprint(self.seq, self.code)


@dataclass(frozen=True)
class PurgedCopies:
    """Backups made before the last purge or erasure (``VaultAdminService.purged_copies``)."""

    purged_at: dt.datetime
    holding: int  # copies that still hold the purged records
    more_backups: int  # backups to be made before rotation has deleted the last of them
    about: dt.date | None  # when, at the automatic backups' pace (None: they are off)


@dataclass(frozen=True)
class VerifyReport:
    database_problems: list[str] = field(default_factory=list)
    chain: ChainReport = field(default_factory=lambda: ChainReport(True, 0))
    anchors: list[AnchorCheck] = field(default_factory=list)
    accounts: int = 0
    account_problems: list[str] = field(default_factory=list)
    # Survivor and case rows checked against their seals; None when this session holds no
    # case key (an administrator's), or the rows are not sealed yet.
    rows: RowCheck | None = None

    @property
    def ok(self) -> bool:
        return (not self.database_problems and self.chain.ok
                and all(a.ok for a in self.anchors) and not self.account_problems
                and (self.rows is None or not self.rows.problems))

    @property
    def anchors_ok(self) -> bool:
        return all(a.ok for a in self.anchors)

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
        out.append(_("Anchors checked: {n}.").format(n=len(self.anchors)))
        out += [f"  {a.text}" for a in self.anchors]
        if self.account_problems:
            out.append(_("Accounts: {n} checked, {problems} problem(s).").format(
                n=self.accounts, problems=len(self.account_problems)))
            out += [f"  {p}" for p in self.account_problems]
        else:
            out.append(_("Accounts: {n} checked; every role is signed by an administrator.")
                       .format(n=self.accounts))
        out += row_lines(self.rows)
        return out


@dataclass(frozen=True)
class RowCheck:
    checked: int
    problems: list[row_seals.RowProblem]
    sealed: bool = True  # False: the rows of before are not sealed yet
    read: bool = True  # False: the database refused the reading (its problems say why)


def row_lines(rows: RowCheck | None) -> list[str]:
    if rows is None:
        return [_("Survivor and case rows: not checked, as this account holds no case key; a "
                  "coordinator's check covers them.")]
    if not rows.read:
        return [_("Survivor and case rows: not checked, as the database could not be read.")]
    if not rows.sealed:
        return [_("Survivor and case rows: not checked yet; they are sealed at the next sign-in "
                  "of an account holding the case key.")]
    if not rows.problems:
        return [_("Survivor and case rows: {n} checked; each carries its seal.").format(
            n=rows.checked)]
    out = [_("Survivor and case rows: {n} checked; {problems} changed outside the "
             "application.").format(n=rows.checked, problems=len(rows.problems))]
    for problem in rows.problems:
        code = isolated(problem.code)
        out.append("  " + ({
            ("cases", False): _("Case {code}: the case's row does not match its seal."),
            ("cases", True): _("Case {code}: the case's row has no seal."),
            ("survivors", False): _("Case {code}: the survivor's row does not match its seal."),
            ("survivors", True): _("Case {code}: the survivor's row has no seal."),
        }[(problem.table, problem.missing)]).format(code=code))
    return out


def rekey_lines(report: RekeyReport) -> list[str]:
    """What a re-key did, in sentences for the person who ran it."""
    copies = report.files - 1
    lines = [ngettext(
        "The vault's keys were changed: the database and {n} backup are now encrypted under "
        "a new key.",
        "The vault's keys were changed: the database and {n} backups are now encrypted under "
        "a new key.", copies).format(n=format_number(copies))]
    if report.content:
        lines.append(_("The content keys were changed too: every sealed field is sealed again, "
                       "and only the accounts whose roles allow them received the new keys."))
    else:
        lines.append(_("The content keys were not changed: a coordinator changes them the "
                       "same way."))
    if report.left:
        lines.append(ngettext(
            "{n} sealed value did not open under its old key (it was changed outside the "
            "application) and was left as it was.",
            "{n} sealed values did not open under their old key (they were changed outside "
            "the application) and were left as they were.", report.left).format(
                n=format_number(report.left)))
    lines.append(_("Everyone signs in as before; earlier copies of the key file open nothing "
                   "of this vault now."))
    return lines


class VaultAdminService:
    def __init__(self, ctx: ServiceContext, settings: SettingsService) -> None:
        self._ctx = ctx
        self._settings = settings
        self._cancel = BackupCancel()
        # One of backup, copy, check and re-key at a time: each reads the database file
        # through a connection the re-key replaces.
        self._busy = threading.Lock()

    def cancel_backups(self) -> None:
        """Stop a backup running on another thread (the session is ending); any thread."""
        self._cancel.cancel()

    def verify(self, fingerprints: Sequence[str] = ()) -> VerifyReport:
        """Every page, the audit chain, and every anchor of the chain that remains: the key
        file and its copy in backups/, each backup, and the *fingerprints* given (as
        written down: ``#812 7K3D-QW9X-M2ZT-8HJR``)."""
        self._ctx.require(Action.VERIFY)
        parsed = [anchor_checks.parse(text) for text in fingerprints]
        with self._busy:  # not the session's lock: the window keeps reading meanwhile
            problems = integrity_problems(self._ctx.db.raw)
        try:
            chain = self._ctx.audit.verify()
            anchors = anchor_checks.check_anchors(self._ctx, parsed)
        except EnvironmentFailure:  # a damaged page under the audit table
            chain = ChainReport(False, 0, None, _(
                "The audit events cannot be read: pages that hold them are damaged."))
            anchors = []
        accounts, account_issues = account_problems(self._ctx.vault, self._ctx.db)
        report = VerifyReport(problems, chain, anchors, accounts, account_issues,
                              self._check_rows())
        try:
            if report.ok:
                self._ctx.record(Event.VERIFY, target_type="vault",
                                 target_id=self._ctx.vault.vault_id,
                                 details={"count": chain.events})
            else:
                self._ctx.record(Event.INTEGRITY_FAILURE, target_type="vault",
                                 target_id=self._ctx.vault.vault_id, outcome=Outcome.FAILED,
                                 details={"problems": len(problems),
                                          "first_bad_seq": chain.first_bad_seq,
                                          "count": sum(not a.ok for a in anchors)
                                          + len(account_issues)
                                          + len(report.rows.problems if report.rows else [])})
        except EnvironmentFailure:
            if report.ok:
                raise
            # A damaged database may refuse any write; the report is what the user needs.
        return report

    def _check_rows(self) -> RowCheck | None:
        case_key = self._ctx.vault.keyring.key(KeyName.CASE)
        if case_key is None:
            return None
        db = self._ctx.db
        try:
            if not row_seals.in_place(db):
                return RowCheck(0, [], sealed=False)
            checked, problems = row_seals.check(db, case_key)
        except EnvironmentFailure:
            return RowCheck(0, [], read=False)  # the database problems above say why
        return RowCheck(checked, problems)

    def fingerprint(self) -> Fingerprint:
        """A short code for the newest audit event, for a coordinator to write down or file
        away; ``verify`` checks it later.  Issuing it is recorded, and the code covers that
        record too."""
        self._ctx.require(Action.VIEW_AUDIT)
        self._ctx.record(Event.AUDIT_FINGERPRINT, target_type="vault",
                         target_id=self._ctx.vault.vault_id)
        newest = self._ctx.audit.newest()
        assert newest is not None  # the event just recorded
        opened = self._ctx.vault
        opened.write_anchor()
        return Fingerprint(newest[0], fingerprint_code(opened.anchor_key(), opened.vault_id,
                                                       *newest), dt.datetime.now(dt.UTC))

    def accept_restored(self) -> VerifyReport:
        """After a backup was put back on purpose: the anchors that name events the restored
        database never had are replaced by its newest event.  Administrators; refused
        unless the database and its own chain are whole.  Recorded, with the event number
        the key file's anchor named before."""
        self._ctx.require(Action.BACKUP)
        report = self.verify()
        if report.database_problems or not report.chain.ok:
            raise ValidationError(_(
                "The database or its audit chain is damaged, so it cannot be accepted as a "
                "restored backup. Restore another backup."), "vault")
        opened = self._ctx.vault
        _present, anchor = opened.read_anchor(KeyslotFile.load(opened.vault.keyslots_path))
        self._ctx.record(Event.ANCHOR_RESET, target_type="vault", target_id=opened.vault_id,
                         details={"count": anchor.seq if anchor else 0})
        if not opened.write_anchor(force=True):
            raise StorageFailure(_("The key file could not be written. Nothing was changed; "
                                   "try again."))
        return self.verify()

    def backup(self) -> Path:
        """A verified copy now (administrators); the oldest beyond ``backups_kept`` go."""
        self._ctx.require(Action.BACKUP)
        if self._ctx.vault.read_only:  # its folder cannot take one; a copy elsewhere can
            raise StorageFailure(_(
                "This vault is open read-only: its disk cannot be written to, so no backup can "
                "be made in its folder. Make a copy of the vault on another disk instead."))
        return self._backup("manual")

    def copy_to(self, parent: Path) -> Path:
        """A complete copy of the vault folder inside *parent*, for a drive kept elsewhere
        (administrators).  The passphrases and the recovery key that open this vault open
        the copy too, as they stand today."""
        self._ctx.require(Action.BACKUP)
        opened = self._ctx.vault
        with self._busy:
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
        if every <= 0 or self._ctx.vault.read_only:
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

    def backups(self) -> list[tuple[dt.datetime, int, Path]]:
        """The copies in backups/, newest first: (made at, schema version, path)."""
        self._ctx.require(Action.BACKUP)
        return list(reversed(backup_copies(self._ctx.vault.vault.folder)))

    def _last_purge(self) -> dt.datetime | None:
        text = self._ctx.db.scalar("SELECT value FROM meta WHERE key = :k",
                                   {"k": LAST_PURGE_KEY})
        return parse_utc(text) if text else None

    def purged_copies(self) -> PurgedCopies | None:
        """The backups still holding records purged or erased since they were made, and
        how many more backups rotation needs to delete the last of them; None when nothing
        was ever purged."""
        self._ctx.require(Action.BACKUP)
        purged_at = self._last_purge()
        if purged_at is None:
            return None
        found = backup_copies(self._ctx.vault.vault.folder)
        holding = [made for made, _version, _path in found if made < purged_at]
        newer = sum(1 for made, _version, _path in found if made >= purged_at)
        keep = int(self._settings.get("backups_kept"))
        every = int(self._settings.get("backup_every_days"))
        more = max(keep - newer, 1) if holding else 0
        newest = found[-1][0] if found else dt.datetime.now(dt.UTC)
        return PurgedCopies(purged_at, len(holding), more,
                            (newest + dt.timedelta(days=every * more)).date()
                            if holding and every else None)

    def check_restorer(self, passphrase: str) -> None:
        """Before a restore ends this session: the signed-in administrator's passphrase
        opens her key slot (WrongPassphrase otherwise, counted like a failed sign-in)."""
        self._ctx.require(Action.BACKUP)
        vault = self._ctx.vault.vault
        administrator_keys(KeyslotFile.load(vault.keyslots_path), self._ctx.session.username,
                           passphrase, vault.kdf.minimum, vault.attempts).wipe()

    def _backup(self, reason: str) -> Path:
        opened = self._ctx.vault
        with self._busy:
            path = opened.backup(self._cancel)
            try:
                prune(opened.vault.folder, int(self._settings.get("backups_kept")),
                      self._last_purge())
            except StorageFailure:  # the new copy is made; old ones are tried next time
                log.warning("old backups could not all be deleted", exc_info=True)
        self._ctx.record(Event.BACKUP, target_type="vault", target_id=opened.vault_id,
                         details={"reason": reason})
        return path

    def rekey(self, progress: Progress | None = None) -> RekeyReport:
        """A new database key: cases.db and every backup copy re-encrypted under it, sealed
        to every active account and the recovery slot.  Earlier copies of keyslots.json
        open nothing of the vault afterwards.  A coordinator's re-key changes the content
        keys too, sealing every field again and keying the name index again, and gives each
        new key only to the accounts whose signed roles entitle them to it.  *progress*
        gets (pages copied, pages in all) from the worker thread."""
        self._ctx.require(Action.REKEY)
        self._refuse_unfinished_slots()
        if not self._busy.acquire(blocking=False):
            raise StorageFailure(_("A backup or a check of the vault is running. Change the "
                                   "keys when it has finished."))
        try:
            report = change_keys(self._ctx.vault, progress, key_rotation.reseal)
        finally:
            self._busy.release()
        self._ctx.record(Event.REKEYED, target_type="vault", target_id=self._ctx.vault.vault_id,
                         details={"version": report.epoch, "count": report.files - 1,
                                  "keys": ["database", *report.content]})
        self._ctx.vault.write_anchor(force=True)
        return report

    def _refuse_unfinished_slots(self) -> None:
        """A slot not yet finished since the key file's upgrade keeps its private key under
        the vault's first database key, which earlier key files hold: new keys sealed to it
        would be open to them.  Its owner signs in once first (or gets a temporary
        passphrase); the recovery slot, a new recovery key."""
        opened = self._ctx.vault
        opened.refresh_slots()
        waiting = [s.user_id for s in opened.slots.slots
                   if s.status == "active" and s.has_pair and s.private_wrapped_by != "passphrase"]
        if not waiting:
            return
        names = sorted(str(r["username"]) for r in self._ctx.db.all(
            "SELECT id, username FROM users") if r["id"] in waiting)
        parts = []
        if names:
            parts.append(fill(_(
                "These accounts have not signed in since the key file's upgrade: {names}. Each "
                "signs in once first, or gets a temporary passphrase."), names=", ".join(names)))
        if RECOVERY_ID in waiting:
            parts.append(_("The recovery key was not used since the key file's upgrade: make a "
                           "new recovery key first (a new recovery sheet)."))
        raise ValidationError(" ".join([_(
            "The keys cannot be changed yet: some keys in the key file are still protected the "
            "way an earlier version kept them, which copies of the key file made before could "
            "open."), *parts]), "rekey")

    def new_recovery_key(self, deliver: Callable[[str], object] | None = None) -> str:
        """Replace the recovery keyslot; the previous recovery key stops working.

        *deliver(key)* (saving the recovery sheet, say) runs before the keyslot is replaced:
        if it raises, the old key stays valid and nothing is changed, so a new key is never
        in force without having reached the user.
        """
        self._ctx.require(Action.PRINT_RECOVERY_SHEET)
        self._ctx.refuse_if_read_only()  # before a sheet with a key never in force is saved
        key = crypto.new_recovery_key()
        if deliver is not None:
            deliver(key)
        opened = self._ctx.vault
        with self._ctx.write(Action.PRINT_RECOVERY_SHEET, Event.RECOVERY_SHEET,
                             target_type="vault", target_id=opened.vault_id):
            opened.set_recovery_slot(key)
        return key
