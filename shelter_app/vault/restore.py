"""Putting a backup back: checked in a folder of its own, then swapped in, with the database
it replaces kept aside.

The steps (docs/VAULT_FORMAT.md, "Restoring a backup"):

1. An administrator's passphrase opens her key slot; her signed roles must include the
   administrator's.  The key file is the authority on who may open what, so the backup is
   made to agree with it: accounts disabled since the backup stay disabled, roles are the
   signed ones, and key slots of accounts made since are removed (the replaced key file is
   kept aside with the database).
2. The backup is copied into a new folder and the copy is checked: it opens with this
   vault's key, belongs to this vault, was written by this version or an older one, every
   page is whole, and its audit chain is unbroken.  A backup that fails is refused and
   nothing of the live vault is touched.
3. A ``vault.restored`` event is added to the copy's chain and the key file's anchor moves to
   it, so the next sign-in finds the chain as the key file says.
4. The swap: a journal (``restore.json``) names the copy and the folder that keeps what it
   replaces; the live database with its log, its key file and the backups newer than the
   restored one move there; the copy moves into place.  A crash during the swap is finished
   at the next opening (``finish_interrupted``).

With ``into``, the restored vault is made in that folder instead and the live vault is left
as it is.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import sqlcipher3.dbapi2 as sqlcipher

from shelter_app.domain.audit import Event
from shelter_app.domain.roles import Role, stored_roles
from shelter_app.errors import (
    EnvironmentFailure,
    PermissionDenied,
    ShelterError,
    StorageFailure,
    VaultDamaged,
    WrongPassphrase,
)
from shelter_app.i18n import _, ngettext
from shelter_app.i18n.formatting import format_datetime, format_number, isolated
from shelter_app.store.audit import AuditLog, now_utc
from shelter_app.store.db import Database
from shelter_app.store.erasure import Purged, compact, erase_cases
from shelter_app.vault import crypto
from shelter_app.vault.anchors import Anchor, anchor_key, erased_list_holds
from shelter_app.vault.attempts import AttemptCounter
from shelter_app.vault.backup import (
    BACKUP_DIR,
    KEYSLOTS_MIRROR,
    copies,
    copy_made_at,
    mirror_keyslots,
    newest_audit_event,
)
from shelter_app.vault.connection import (
    connect,
    integrity_problems,
    load_schema,
    schema_version,
)
from shelter_app.vault.fileio import atomic_write, storage_error
from shelter_app.vault.key_file_anchor import anchor_now
from shelter_app.vault.keyring import Keyring, open_account, statement_roles
from shelter_app.vault.keyslots import RECOVERY_ID, KeyslotFile
from shelter_app.vault.restore_swap import (
    DB_NAME,
    JOURNAL,
    KEYSLOTS_NAME,
    STAGING_PREFIX,
    finish_interrupted,
)

REPLACED_PREFIX = "replaced-"

Step = Callable[[str], None]


class BackupRefused(ShelterError):
    """The backup cannot be restored (another vault's, too new, damaged); nothing changed."""


@dataclass(frozen=True)
class RestoreReport:
    """What a restore did, for the person who ran it."""

    backup: Path
    made_at: dt.datetime | None
    version: int
    events: int  # audit events in the backup's chain, the restore's own not counted
    folder: Path  # the vault folder now holding the restored database
    replaced: Path | None = None  # where the replaced database and key file are kept
    set_aside: int = 0  # backups newer than the restored one, moved there too
    skipped: list[Path] = field(default_factory=list)  # newer backups that failed the check
    disabled: int = 0  # accounts disabled since the backup, disabled in it too
    removed: int = 0  # key slots of accounts made since the backup, removed
    roles: int = 0  # accounts whose roles were set to the signed ones
    erased: int = 0  # cases erased since the backup was made, erased from it again


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")


# -- who may restore ----------------------------------------------------------------------
def _key_file(folder: Path) -> KeyslotFile:
    """The live key file, or its mirror in backups/ when the live one cannot be read."""
    try:
        return KeyslotFile.load(folder / KEYSLOTS_NAME)
    except ShelterError:
        mirror = folder / BACKUP_DIR / KEYSLOTS_MIRROR
        if not mirror.exists():
            raise
        return KeyslotFile.load(mirror)


def administrator_keys(slots: KeyslotFile, username: str, passphrase: str,
                       minimum: crypto.KdfParams, attempts: AttemptCounter | None = None
                       ) -> Keyring:
    """The keys of *username*'s slot, refused unless an administrator's signed roles.  With
    *attempts*, a wrong passphrase counts (and waits) like a failed sign-in."""
    slot = slots.find_user(username)
    if attempts is not None:
        attempts.check(slot.user_id)
    try:
        keyring = open_account(slots, slot, passphrase, minimum).keyring
    except WrongPassphrase:
        if attempts is not None:
            attempts.failed(slot.user_id)
        raise
    if keyring.signed_roles is None or Role.ADMIN.value not in keyring.signed_roles:
        keyring.wipe()
        raise PermissionDenied(_("Only an administrator can restore a backup."))
    if slots.rekey is not None:
        keyring.wipe()
        raise StorageFailure(_(
            "A change of the vault's keys was interrupted. Sign in once to finish it, then "
            "restore."))
    return keyring


# -- checking a copy ------------------------------------------------------------------------
def _refused(backup: Path, reason: str) -> BackupRefused:
    return BackupRefused(_("The backup {name} cannot be restored: {reason} Nothing was "
                           "changed.").format(name=backup.name, reason=reason))


def _open_copy(copy: Path, backup: Path, key: bytes) -> sqlcipher.Connection:
    try:
        conn = connect(copy, key)
    except VaultDamaged as exc:
        raise _refused(backup, _(
            "it does not open with this vault's key. It is a backup of another vault, was "
            "made before the vault's keys were changed, or is damaged.")) from exc
    except EnvironmentFailure as exc:  # empty, say
        raise _refused(backup, exc.message) from exc
    except ShelterError as exc:  # written by a newer version
        raise _refused(backup, exc.message) from exc
    return conn


def check_copy(copy: Path, backup: Path, keyring: Keyring, vault_id: str,
               step: Step) -> tuple[int, int]:
    """(schema version, audit events) of the database at *copy*, after checking that it
    belongs to this vault, has every page whole and an unbroken audit chain; else
    ``BackupRefused`` naming *backup*."""
    conn = _open_copy(copy, backup, keyring.data_key)  # refuses a newer version's too
    try:
        version = schema_version(conn)
        step(_("Checking every page…"))
        problems = integrity_problems(conn)
        if problems:
            raise _refused(backup, ngettext("{n} of its pages is damaged.",
                                            "{n} of its pages are damaged.",
                                            len(problems)).format(n=len(problems)))
        db = Database(conn)
        try:
            stored_id = db.scalar("SELECT value FROM meta WHERE key = 'vault_id'")
        except EnvironmentFailure as exc:
            raise _refused(backup, _("its pages cannot be read.")) from exc
        if stored_id != vault_id:
            raise _refused(backup, _("it belongs to another vault."))
        step(_("Checking the audit chain…"))
        chain = _audit(db, keyring).verify()
        if not chain.ok:
            raise _refused(backup, _("its audit chain is broken. {problem}").format(
                problem=chain.problem))
    finally:
        conn.close()
    return version, chain.events


def _audit(db: Database, keyring: Keyring) -> AuditLog:
    return AuditLog(db, crypto.subkey(keyring.integrity_key, "audit chain v1"))


# -- making the copy agree with the key file ------------------------------------------------
@dataclass
class _Agreement:
    disabled: int = 0
    enabled: int = 0
    roles: int = 0
    removed: list[str] = field(default_factory=list)  # user ids of slots removed
    erased: Purged = field(default_factory=Purged)  # cases erased since, erased again


def _agree(db: Database, slots: KeyslotFile, keyring: Keyring) -> _Agreement:
    """Accounts in the restored database as the key file has them (see the module's text)."""
    done = _Agreement()
    now = now_utc()
    rows = db.all("SELECT id, roles, status FROM users")
    known = {row["id"] for row in rows}
    for row in rows:
        slot = slots.by_user_id(row["id"])
        active = slot is not None and slot.status == "active"
        if row["status"] == "active" and not active:
            db.execute("UPDATE users SET status = 'disabled', updated_at = :now WHERE id = :id",
                       {"now": now, "id": row["id"]})
            done.disabled += 1
            continue
        if row["status"] != "active" and active:
            db.execute("UPDATE users SET status = 'active', updated_at = :now WHERE id = :id",
                       {"now": now, "id": row["id"]})
            done.enabled += 1
        if active and slot is not None:
            signed = statement_roles(slots, slot, keyring.verify_key)
            if signed is not None and set(signed) != set(stored_roles(row["roles"])):
                db.execute("UPDATE users SET roles = :roles, updated_at = :now WHERE id = :id",
                           {"roles": json.dumps(sorted(signed)), "now": now, "id": row["id"]})
                done.roles += 1
    for slot in list(slots.slots):
        if slot.user_id != RECOVERY_ID and slot.user_id not in known:
            done.removed.append(slot.user_id)
    slots.slots = [s for s in slots.slots if s.user_id not in set(done.removed)]
    return done


def _later_branch(folder: Path, audit: AuditLog, key: bytes) -> list[str]:
    """The backups in *folder* whose newest event the restored chain does not hold: made
    after the restored one (or unreadable), they would fail the vault check's anchors."""
    names = []
    for _made, _version, path in copies(folder):
        try:
            newest = newest_audit_event(path, key)
        except Exception:  # any copy that does not open goes aside too
            names.append(path.name)
            continue
        if newest is not None and audit.holds(*newest) is not None:
            names.append(path.name)
    return names


def _settle(copy: Path, slots: KeyslotFile, keyring: Keyring, made: dt.datetime | None,
            version: int, keyslots_out: Path) -> tuple[_Agreement, AuditLog, Database]:
    """Agree with the key file, record the restore, anchor the key file written to
    *keyslots_out* at that event, and fold the log into the database file (the copy
    becomes a live vault on its own).  Returns the open chain and database, for the
    caller to look at the backups with, then close."""
    conn = connect(copy, keyring.data_key)
    try:
        load_schema(conn)
        db = Database(conn)
        actor_id = keyring.user_id
        if db.scalar("SELECT 1 FROM users WHERE id = :id", {"id": actor_id}) is None:
            raise BackupRefused(_(
                "Your account was made after this backup, so the backup does not know it. An "
                "administrator whose account it holds can restore it. Nothing was changed."))
        audit = _audit(db, keyring)
        if not erased_list_holds(anchor_key(keyring.integrity_key), slots.vault_id,
                                 slots.erased, slots.erased_mac):
            raise BackupRefused(_(
                "The key file's list of cases erased on request was changed outside the "
                "application, so a restore could bring erased records back or erase others. "
                "Nothing was changed. Put back keyslots.json from the copy in the vault's "
                "backups folder, then restore again."))
        with db.transaction():
            done = _agree(db, slots, keyring)
            # Cases erased since the copy was made are erased from it again.
            erase_cases(db, [case_id for case_id in slots.erased if db.scalar(
                "SELECT 1 FROM cases WHERE id = :c", {"c": case_id})], done.erased)
            details: dict[str, Any] = {
                "version": version,
                "count": done.disabled + done.enabled + done.roles + len(done.removed),
                "occurred_at": made.strftime("%Y-%m-%dT%H:%M:%SZ") if made else None}
            if done.erased.cases:
                details["purged"] = done.erased.as_details()
                # backups made before are older than this erasure (services/retention.py)
                db.execute("INSERT INTO meta (key, value) VALUES ('last_purge_at', :v)"
                           " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                           {"v": now_utc()})
            audit.append(Event.RESTORED, actor_id=actor_id, target_type="vault",
                         target_id=slots.vault_id, details=details)
        if done.erased.cases:
            compact(db)
        newest = audit.newest()
        assert newest is not None  # the event just appended
        slots.audit_anchor = Anchor(newest[0], newest[1], anchor_now()).to_json(
            anchor_key(keyring.integrity_key), slots.vault_id)
        slots.save(keyslots_out)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except BaseException:
        conn.close()
        raise
    return done, audit, db


def _copy_file(source: Path, target: Path) -> None:
    with source.open("rb") as src, target.open("xb") as dst:
        shutil.copyfileobj(src, dst, 4 * 1024 * 1024)
        dst.flush()
        os.fsync(dst.fileno())
    target.chmod(0o600)


# -- restoring -----------------------------------------------------------------------------
def _into_folder(into: Path) -> Path:
    if into.exists() and (not into.is_dir() or any(into.iterdir())):
        raise StorageFailure(_("{name} is not an empty folder. Choose a new folder to restore "
                               "into.").format(name=into.name))
    if not into.parent.is_dir():
        raise StorageFailure(_("The folder {name} does not exist.").format(
            name=into.parent.name))
    return into


def restore(folder: Path, username: str, passphrase: str, backup: Path | None = None, *,
            into: Path | None = None, minimum: crypto.KdfParams = crypto.PRODUCTION_KDF.minimum,
            step: Step | None = None, attempts: AttemptCounter | None = None
            ) -> RestoreReport:
    """Restore *backup* (default: the newest copy in ``backups/`` that passes its check)
    into the vault *folder*, or into the new folder *into*.  The caller holds the vault
    (``Vault.open``) and has no connection of its own open on it."""
    step = step or (lambda _text: None)
    slots = _key_file(folder)
    keyring = administrator_keys(slots, username, passphrase, minimum, attempts)
    try:
        if backup is not None:
            return _restore_one(folder, slots, keyring, backup, into, step, [])
        candidates = [path for _made, _v, path in reversed(copies(folder))]
        if not candidates:
            raise BackupRefused(_("This vault has no backups to restore."))
        skipped: list[Path] = []
        for candidate in candidates[:-1]:
            try:
                return _restore_one(folder, slots, keyring, candidate, into, step, skipped)
            except BackupRefused:
                skipped.append(candidate)
        return _restore_one(folder, slots, keyring, candidates[-1], into, step, skipped)
    finally:
        keyring.wipe()


def _restore_one(folder: Path, slots: KeyslotFile, keyring: Keyring, backup: Path,
                 into: Path | None, step: Step, skipped: list[Path]) -> RestoreReport:
    if not backup.exists():
        raise BackupRefused(_("There is no file {name}.").format(name=backup.name))
    if not backup.is_file():
        raise BackupRefused(_("{name} is a folder, not a backup.").format(name=backup.name))
    made = copy_made_at(backup.name)  # None for a file from elsewhere
    target = _into_folder(into) if into is not None else folder
    staged = target if into is not None else folder / f"{STAGING_PREFIX}{_stamp()}"
    created = not staged.exists()
    try:
        staged.mkdir(mode=0o700, exist_ok=True)
        step(_("Copying the backup…"))
        _copy_file(backup, staged / DB_NAME)
        version, events = check_copy(staged / DB_NAME, backup, keyring, slots.vault_id, step)
        step(_("Putting it in place…"))
        own, audit, db = _settle(staged / DB_NAME, slots, keyring, made, version,
                                 staged / KEYSLOTS_NAME)
        try:
            later = [] if into is not None else _later_branch(folder, audit, keyring.data_key)
        finally:
            db.close()
        if into is not None:
            mirror_keyslots(staged / KEYSLOTS_NAME, staged)  # creates backups/ too
    except BaseException as exc:
        if created:
            shutil.rmtree(staged, ignore_errors=True)
        else:  # an empty folder given with --into: left empty again
            for child in staged.iterdir():
                if child.is_dir():
                    shutil.rmtree(child)
                else:
                    child.unlink()
        if isinstance(exc, OSError):
            raise storage_error(exc, backup.name) from exc
        raise
    report = RestoreReport(backup, made, version, events, target, skipped=skipped,
                           disabled=own.disabled, removed=len(own.removed), roles=own.roles,
                           erased=own.erased.cases)
    if into is not None:
        return report
    replaced = folder / f"{REPLACED_PREFIX}{_stamp()}"
    journal: dict[str, Any] = {"staged": staged.name, "replaced": replaced.name, "newer": later}
    try:
        atomic_write(folder / JOURNAL, json.dumps(journal).encode("utf-8"))
    except OSError as exc:
        raise storage_error(exc, DB_NAME) from exc
    finish_interrupted(folder)  # the swap, as a restart after a crash would do it
    return replace(report, replaced=replaced, set_aside=len(later))


def set_aside(folder: Path) -> list[Path]:
    """The folders keeping what restores replaced, oldest first."""
    with contextlib.suppress(FileNotFoundError):
        return sorted(p for p in folder.iterdir()
                      if p.is_dir() and p.name.startswith(REPLACED_PREFIX))
    return []


def report_lines(report: RestoreReport) -> list[str]:
    """What a restore did, in sentences for the administrator who ran it."""
    if report.made_at is not None:
        lines = [_("The backup of {when} was restored; every page and its audit chain were "
                   "checked (audit events: {n}).").format(when=format_datetime(report.made_at),
                                                          n=format_number(report.events))]
    else:
        lines = [_("The backup {name} was restored; every page and its audit chain were "
                   "checked (audit events: {n}).").format(name=isolated(report.backup.name),
                                                          n=format_number(report.events))]
    if report.replaced is None:
        lines.append(_("The restored vault is in {folder}; the vault in use was not changed.")
                     .format(folder=isolated(str(report.folder))))
    else:
        lines.append(_("The database it replaced and its key file are kept in {folder}.")
                     .format(folder=isolated(str(report.replaced))))
        if report.set_aside:
            lines.append(ngettext(
                "{n} backup made after the restored one was moved there too.",
                "{n} backups made after the restored one were moved there too.",
                report.set_aside).format(n=format_number(report.set_aside)))
    if report.skipped:
        lines.append(ngettext(
            "{n} newer backup failed its check and was skipped.",
            "{n} newer backups failed their check and were skipped.",
            len(report.skipped)).format(n=format_number(len(report.skipped))))
    if report.disabled:
        lines.append(ngettext(
            "{n} account disabled since the backup is disabled in it too.",
            "{n} accounts disabled since the backup are disabled in it too.",
            report.disabled).format(n=format_number(report.disabled)))
    if report.removed:
        lines.append(ngettext(
            "{n} account made since the backup is not in it: its key slot was removed. Add "
            "it again.",
            "{n} accounts made since the backup are not in it: their key slots were removed. "
            "Add them again.", report.removed).format(n=format_number(report.removed)))
    if report.erased:
        lines.append(ngettext(
            "{n} case erased since the backup was made was erased from it again.",
            "{n} cases erased since the backup was made were erased from it again.",
            report.erased).format(n=format_number(report.erased)))
    if report.roles:
        lines.append(ngettext(
            "{n} account has the roles an administrator signed since the backup.",
            "{n} accounts have the roles an administrator signed since the backup.",
            report.roles).format(n=format_number(report.roles)))
    lines.append(_("Records entered after the backup was made are not in the restored vault."))
    return lines
