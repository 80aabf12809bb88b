"""A vault folder: create it, hold it (one process at a time), unlock it with a keyslot.

``Vault`` is the folder held by this process; ``OpenVault`` is what an unlocked vault gives
the services: the database, the audit chain, and the keyslot operations, for one account.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import time
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher

from shelter_app.domain.accounts import (
    MAX_PASSPHRASE,
    username_key,
    validate_passphrase,
    validate_username,
)
from shelter_app.domain.audit import Event, Outcome
from shelter_app.domain.roles import Role, stored_roles
from shelter_app.errors import (
    AccountDisabled,
    UnknownUser,
    VaultDamaged,
    VaultExists,
    VaultMissing,
    WrongPassphrase,
)
from shelter_app.i18n import _
from shelter_app.store.audit import AuditLog, now_utc
from shelter_app.store.db import Database
from shelter_app.vault import crypto, rekey
from shelter_app.vault.anchors import Anchor, anchor_key
from shelter_app.vault.attempts import AttemptCounter
from shelter_app.vault.backup import (
    BACKUP_DIR,
    BackupCancel,
    copy_vault,
    make_backup,
    mirror_keyslots,
)
from shelter_app.vault.connection import (
    connect,
    load_schema,
    mismatched_vault,
    read_only_unfinished,
    schema_version,
)
from shelter_app.vault.key_file_anchor import KeyFileAnchor, anchor_now
from shelter_app.vault.keyring import (
    Keyring,
    Opened,
    open_account,
)
from shelter_app.vault.keyslots import RECOVERY_ID, KeyslotFile
from shelter_app.vault.lock import VaultLock
from shelter_app.vault.migrate import latest_version, migrate
from shelter_app.vault.process import core_dumps
from shelter_app.vault.restore_swap import DB_NAME, KEYSLOTS_NAME, finish_interrupted
from shelter_app.vault.session_keys import new_keyslot_file, settle_keys
from shelter_app.vault.slot_operations import KeyslotOperations


def read_only_text() -> str:
    """What a session on a read-only vault is told, in the window and on the command line."""
    return _(
        "Read only: this vault is on a disk that cannot be written to. You can read and "
        "search its records, but nothing can be changed, printed or exported, and this "
        "session is not recorded in the audit log. To work in it, copy the whole vault "
        "folder to a disk that can be written to.")


@dataclass(frozen=True)
class SignInReport:
    """What the person signing in should be told."""

    user_id: str
    failed_attempts: int
    must_change_passphrase: bool
    migrated_to: int | None = None
    # Set when the key file's audit anchor is not in the chain (see OpenVault.sign_in_check).
    integrity_warning: str | None = None


class Vault:
    """A vault folder held by this process (see ``VaultLock``)."""

    def __init__(self, folder: Path, *, kdf: crypto.KdfPolicy = crypto.PRODUCTION_KDF,
                 clock: Callable[[], float] = time.time) -> None:
        self.folder = Path(folder)
        self.kdf = kdf
        self.db_path = self.folder / DB_NAME
        self.keyslots_path = self.folder / KEYSLOTS_NAME
        self.attempts = AttemptCounter(self.folder, clock)
        self._lock = VaultLock(self.folder)
        # On a disk that cannot be written (a read-only share, a locked USB stick, an
        # archive disc) the vault opens for reading: nothing is written, sign-ins and reads
        # go unrecorded, and the application says so (docs/VAULT_FORMAT.md 12.5).
        self.read_only = False

    def _writable(self) -> bool:
        return os.access(self.folder, os.W_OK) and (
            not self.db_path.exists() or os.access(self.db_path, os.W_OK))

    # -- holding the folder --------------------------------------------------------
    @staticmethod
    def exists(folder: Path) -> bool:
        folder = Path(folder)
        return (folder / DB_NAME).exists() or (folder / KEYSLOTS_NAME).exists()

    @classmethod
    def open(cls, folder: Path, **kwargs: object) -> Vault:
        """Hold an existing vault folder; refuses a folder with no vault in it."""
        vault = cls(folder, **kwargs)  # type: ignore[arg-type]
        if not vault.folder.is_dir():
            raise VaultMissing(
                _("There is no vault at this location. Check the folder, or create a new vault.")
            )
        if not vault.db_path.exists() and not vault.keyslots_path.exists():
            raise VaultMissing(
                _("This folder holds no vault (no cases.db and no keyslots.json). Nothing was "
                  "created.")
            )
        vault._hold()

        try:
            finish_interrupted(vault.folder, read_only=vault.read_only)
        except BaseException:
            vault.close()
            raise
        return vault

    def _hold(self) -> None:
        """Take the single-instance lock if this object does not hold it yet."""
        if not self._lock.held:
            self.read_only = not self._writable()
            self._lock.acquire(shared=self.read_only)

    def close(self) -> None:
        self._lock.release()

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- creating ------------------------------------------------------------------
    @classmethod
    def create(
        cls, folder: Path, *, organisation: str, admin_username: str, admin_passphrase: str,
        admin_display_name: str = "", kdf: crypto.KdfPolicy = crypto.PRODUCTION_KDF,
        clock: Callable[[], float] = time.time,
    ) -> tuple[Vault, OpenVault, str]:
        """A new vault with its first administrator; returns it unlocked and the recovery key.

        Anything half-made is removed if a step fails, so a retry starts clean.
        """
        organisation = organisation.strip()
        if not organisation:
            from shelter_app.errors import ValidationError

            raise ValidationError(_("Enter the organisation's name."), "organisation")
        admin_username = validate_username(admin_username)
        admin_passphrase = validate_passphrase(admin_passphrase, username=admin_username)
        vault = cls(folder, kdf=kdf, clock=clock)
        if Vault.exists(vault.folder):
            raise VaultExists(
                _("A vault already exists in this folder. Open it, or choose an empty folder.")
            )
        try:
            vault.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            vault.folder.chmod(0o700)  # also a folder the user made beforehand
            (vault.folder / BACKUP_DIR).mkdir(mode=0o700, exist_ok=True)
        except OSError as exc:
            from shelter_app.vault.fileio import storage_error

            raise storage_error(exc, str(vault.folder.name)) from exc
        vault._lock.acquire()
        core_dumps.acquire()  # released by OpenVault.close(), or below if a step fails
        data_key = crypto.new_data_key()
        vault_id = str(uuid.uuid4())
        admin_id = str(uuid.uuid4())
        recovery_key = crypto.new_recovery_key()
        conn: sqlcipher.Connection | None = None
        keyring: Keyring | None = None
        try:
            conn = connect(vault.db_path, data_key, create=True)
            vault.db_path.chmod(0o600)  # SQLite gives the -wal and -shm files the same mode
            migrate(conn, backup=lambda _v: None)
            load_schema(conn)
            slots, keyring = new_keyslot_file(vault_id, data_key, admin_id, admin_username,
                                              admin_passphrase, recovery_key, kdf.default)
            db = Database(conn)
            audit = AuditLog(db, crypto.subkey(data_key, "audit chain v1"))
            now = now_utc()
            with db.transaction():
                for key, value in (("vault_id", vault_id), ("created_at", now)):
                    db.execute("INSERT INTO meta (key, value) VALUES (:k, :v)",
                               {"k": key, "v": value})
                db.execute("INSERT INTO settings (key, value, updated_at, updated_by)"
                           " VALUES ('organisation', :v, :now, :id)",
                           {"v": json.dumps(organisation), "now": now, "id": admin_id})
                db.execute(
                    "INSERT INTO users (id, username, username_key, display_name, roles, status,"
                    " must_change_passphrase, created_at, updated_at, created_by, updated_by)"
                    " VALUES (:id, :name, :key, :display, :roles, 'active', 0, :now, :now,"
                    " :id, :id)",
                    {"id": admin_id, "name": admin_username, "key": username_key(admin_username),
                     "display": admin_display_name.strip(), "roles": json.dumps([Role.ADMIN.value]),
                     "now": now},
                )
                audit.append(Event.VAULT_CREATED, actor_id=admin_id, target_type="vault",
                             target_id=vault_id)
                audit.append(Event.USER_ADDED, actor_id=admin_id, target_type="user",
                             target_id=admin_id, details={"roles": [Role.ADMIN.value]})
                newest = audit.newest()
                assert newest is not None
                slots.audit_anchor = Anchor(newest[0], newest[1], anchor_now()).to_json(
                    anchor_key(data_key), vault_id)
                slots.save(vault.keyslots_path)
                mirror_keyslots(vault.keyslots_path, vault.folder)
            opened = OpenVault(vault, db, keyring, slots, admin_id)
        except BaseException:
            if keyring is not None:
                keyring.wipe()
            if conn is not None:
                conn.close()
            for leftover in (vault.db_path, vault.keyslots_path,
                             vault.folder / (DB_NAME + "-wal"), vault.folder / (DB_NAME + "-shm")):
                with contextlib.suppress(OSError):
                    leftover.unlink()
            core_dumps.release()
            vault.close()
            raise
        return vault, opened, recovery_key

    # -- unlocking -----------------------------------------------------------------
    def load_keyslots(self) -> KeyslotFile:
        slots = KeyslotFile.load(self.keyslots_path)
        if not self.db_path.exists():
            connect(self.db_path, bytes(32))  # raises the clear "missing" message
        return slots

    def unlock(self, username: str, passphrase: str) -> tuple[OpenVault, SignInReport]:
        """Sign *username* in.  Raises WrongPassphrase, UnknownUser, AccountDisabled,
        TooManyAttempts, VaultDamaged, VaultMissing or VaultTooNew, each with its own message."""
        self._hold()
        slots = self.load_keyslots()
        slot = slots.find_user(username)
        self.attempts.check(slot.user_id)
        try:
            if len(unicodedata.normalize("NFC", passphrase)) > MAX_PASSPHRASE:
                raise WrongPassphrase(_("The passphrase is not correct."))
            keys = open_account(slots, slot, passphrase, self.kdf.minimum)
        except WrongPassphrase:
            self.attempts.failed(slot.user_id)
            raise
        return self._open(keys, slots, slot.user_id)

    def recover(self, recovery_key: str, username: str, new_passphrase: str
                ) -> tuple[OpenVault, SignInReport]:
        """Set a new passphrase for *username* with the recovery key (a forgotten passphrase)."""
        self._hold()
        new_passphrase = validate_passphrase(new_passphrase, username=username)
        slots = self.load_keyslots()
        normalised = crypto.normalise_recovery_key(recovery_key)
        slot = slots.by_user_id(RECOVERY_ID)
        if slot is None:
            raise VaultDamaged(_("This vault's key file has no recovery keyslot."))
        self.attempts.check(RECOVERY_ID)
        if normalised is None:
            raise WrongPassphrase(_("That is not a recovery key: it has 32 letters and digits."))
        try:
            keys = open_account(slots, slot, normalised, self.kdf.minimum)
        except WrongPassphrase as exc:
            self.attempts.failed(RECOVERY_ID)
            raise WrongPassphrase(_("The recovery key is not correct.")) from exc
        opened, report = self._open(keys, slots, None, recover_username=username)
        try:
            opened.reset_own_passphrase_with_recovery(new_passphrase)
        except BaseException:
            opened.close()
            raise
        return opened, report

    def _open(self, keys: Opened, slots: KeyslotFile, user_id: str | None, *,
              recover_username: str | None = None) -> tuple[OpenVault, SignInReport]:
        core_dumps.acquire()
        keyring: Keyring | None = keys.keyring
        data_key = keys.keyring.data_key
        conn: sqlcipher.Connection | None = None
        opened: OpenVault | None = None
        reported: list[str] = []  # whose failed attempts move into the audit chain
        try:
            if self.read_only and slots.rekey is not None:
                raise read_only_unfinished()
            # A re-key a crash interrupted is finished or undone first (vault/rekey.py).
            resumed = rekey.resume(self.db_path, self.keyslots_path, slots, keys.keyring)
            data_key = keys.keyring.data_key
            conn = connect(self.db_path, data_key, read_only=self.read_only)
            load_schema(conn, read_only=self.read_only)
            if self.read_only and schema_version(conn) < latest_version():
                raise read_only_unfinished()
            applied = migrate(
                conn, backup=lambda _v: make_backup(conn, data_key, self.folder, self.keyslots_path)
            )
            db = Database(conn)
            stored_id = db.scalar("SELECT value FROM meta WHERE key = 'vault_id'")
            if stored_id != slots.vault_id:
                raise mismatched_vault()
            if recover_username is not None:
                reported.append(RECOVERY_ID)
                user_id = db.scalar("SELECT id FROM users WHERE username_key = :k",
                                    {"k": username_key(recover_username)})
                if user_id is None:
                    raise UnknownUser(_("There is no account with that user name in this vault."))
            assert user_id is not None
            user = db.one("SELECT status, must_change_passphrase, roles FROM users"
                          " WHERE id = :id", {"id": user_id})
            if user is None:
                raise VaultDamaged(
                    _("The key file names an account the database does not know. Restore "
                      "keyslots.json from the vault's backups folder.")
                )
            if user["status"] != "active":
                raise AccountDisabled(
                    _("This account is disabled. Ask an administrator to re-enable it.")
                )
            opened = OpenVault(self, db, keys.keyring, slots, user_id)
            conn = None  # owned by `opened` from here on
            keyring = None
            if recover_username is not None:
                signed = opened.signed_roles_of(user_id)
                if Role.ADMIN.value not in (signed if signed is not None
                                            else stored_roles(user["roles"])):
                    opened.refuse_recovery()
            settle_keys(opened, keys, stored_roles(user["roles"]),
                        recovering=recover_username is not None)
            if resumed:
                with db.transaction():
                    opened.audit.append(Event.REKEYED, actor_id=user_id, target_type="vault",
                                        target_id=slots.vault_id,
                                        details={"version": slots.epoch_of("database"),
                                                 "reason": "sign_in"})
            failures = opened.record_sign_in(applied, [user_id, *reported])
        except BaseException:
            if keyring is not None:
                keyring.wipe()
            if opened is not None:
                opened.close()  # closes the connection and releases the guard
            else:
                if conn is not None:
                    conn.close()
                core_dumps.release()
            raise
        return opened, SignInReport(user_id, failures, bool(user["must_change_passphrase"]),
                                    applied[-1] if applied else None, opened.integrity_warning)


class OpenVault(KeyslotOperations):
    """An unlocked vault for one account.  ``close()`` forgets the key and the connection."""

    def __init__(self, vault: Vault, db: Database, keyring: Keyring, slots: KeyslotFile,
                 user_id: str) -> None:
        self.vault = vault
        self.db = db
        self.keyring = keyring
        self._slots = slots
        self.user_id = user_id
        integrity = keyring.integrity_key
        self.audit = AuditLog(db, crypto.subkey(integrity, "audit chain v1"))
        self.closed = False
        self.integrity_warning: str | None = None
        self._anchor = KeyFileAnchor(anchor_key(integrity), slots.vault_id,
                                     vault.keyslots_path, vault.folder, db, self.audit)
        self._anchored_at = -math.inf  # time.monotonic() of the last anchor written

    @property
    def vault_id(self) -> str:
        return self._slots.vault_id

    @property
    def read_only(self) -> bool:
        """Opened from a disk that cannot be written (``Vault.read_only``)."""
        return self.vault.read_only

    def record_sign_in(self, migrated: list[int], counted: list[str] | None = None) -> int:
        """Move failed attempts into the chain and log the sign-in; returns how many failed.

        *counted* are the keyslot ids whose failures move (the account's own, and the
        recovery slot's when the recovery key was used).  They are cleared from
        signin-attempts.json only after the chain has them, so a failed write loses none.
        """
        counted = counted or [self.user_id]
        pending = {uid: self.vault.attempts.pending(uid) for uid in counted}
        if self.read_only:  # nothing can be recorded; the failures stay counted in the file
            self.sign_in_check()
            own_times, own_untimed = pending.get(self.user_id, ([], 0))
            return len(own_times) + own_untimed
        with self.db.transaction():
            self._failed_attempts(pending)
            for version in migrated:
                self.audit.append(Event.MIGRATED, actor_id=self.user_id, target_type="vault",
                                  target_id=self.vault_id, details={"to_version": version})
            self.audit.append(Event.SIGN_IN, actor_id=self.user_id, target_type="user",
                              target_id=self.user_id)
            self.db.execute("UPDATE users SET last_sign_in_at = :now WHERE id = :id",
                            {"now": now_utc(), "id": self.user_id})
        for uid in pending:
            self.vault.attempts.clear(uid)
        self.sign_in_check()
        own_times, own_untimed = pending.get(self.user_id, ([], 0))
        return len(own_times) + own_untimed

    # -- the audit chain's anchor in the key file (vault/key_file_anchor.py) ----------
    def anchor_key(self) -> bytes:
        return self._anchor.key

    def read_anchor(self, slots: KeyslotFile) -> tuple[bool, Anchor | None]:
        """(present, anchor) of *slots*: present but None means its MAC does not check out."""
        return self._anchor.read(slots)

    def sign_in_check(self) -> None:
        """At sign-in: the key file's anchor must be in the chain.  If it is, it moves up to
        the newest event; if not, it stays as it is for ``verify`` to name, the failure is
        recorded, and ``integrity_warning`` tells the person signing in."""
        if self._anchor.holds(self._slots):
            if not self.read_only:
                self.write_anchor()
            return
        self.integrity_failure(_(
            "This vault's audit record is shorter than, or different from, what its key file "
            "recorded: audit events were deleted, or the database was replaced by an older "
            "copy. Ask your administrator to run the vault check (Administration, Vault tab). "
            "If a backup was restored on purpose, the administrator confirms it there."),
            "vault", self.vault_id, "anchor")

    def integrity_failure(self, warning: str, target_type: str, target_id: str,
                          reason: str) -> None:
        """Record an integrity failure found at sign-in and add *warning* to what the person
        signing in is told (one banner may carry more than one)."""
        self.integrity_warning = (warning if self.integrity_warning is None
                                  else f"{self.integrity_warning}\n\n{warning}")
        if self.read_only:
            return
        with self.db.transaction():
            self.audit.append(Event.INTEGRITY_FAILURE, actor_id=self.user_id,
                              target_type=target_type, target_id=target_id,
                              outcome=Outcome.FAILED, details={"reason": reason})

    def write_anchor(self, *, force: bool = False) -> bool:
        """Record the chain's newest event in the key file (``KeyFileAnchor.write``)."""
        if self.closed or self.read_only:
            return False
        stored = self._anchor.write(force=force)
        if stored is None:
            return False
        self._slots.audit_anchor = stored
        self._anchored_at = time.monotonic()
        return True

    ANCHOR_EVERY = 60.0  # seconds: how often a change moves the key file's anchor

    def anchor_if_due(self) -> None:
        """After a change: move the anchor if the last one is a minute old or older."""
        if time.monotonic() - self._anchored_at >= self.ANCHOR_EVERY:
            self.write_anchor()

    def backup(self, cancel: BackupCancel | None = None) -> Path:
        """A verified copy in ``backups/``, read through a connection of its own: the copy
        is one consistent snapshot, and the session's connection stays free meanwhile
        (WAL lets a reader and the session's writes go on together)."""
        source = connect(self.vault.db_path, self.data_key_copy())
        try:
            path = make_backup(source, self.data_key_copy(), self.vault.folder,
                               self.vault.keyslots_path, cancel)
        finally:
            source.close()
        self.write_anchor()
        return path

    def copy_to(self, parent: Path, cancel: BackupCancel | None = None) -> Path:
        """A complete, checked vault folder inside *parent*, read like ``backup``."""
        source = connect(self.vault.db_path, self.data_key_copy(),
                         read_only=self.vault.read_only)
        try:
            return copy_vault(source, self.data_key_copy(), self.vault.keyslots_path, parent,
                              cancel)
        finally:
            source.close()

    def close(self) -> None:
        """Close the database and overwrite the key in memory.  Safe to call twice."""
        if self.closed:
            return
        with contextlib.suppress(Exception):  # a damaged database must not keep the key open
            self.write_anchor()
        self.closed = True
        self.keyring.wipe()
        with contextlib.suppress(sqlcipher.Error):
            self.db.close()
        core_dumps.release()
