"""The keyslot side of an unlocked vault: the account operations the services call.

Each operation changes ``keyslots.json`` (and its mirror) inside the caller's database
transaction; the services put the file back if that transaction fails (accounts.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from shelter_app.domain.accounts import validate_passphrase
from shelter_app.domain.audit import Event, Outcome
from shelter_app.domain.key_classes import KeyName, keys_for
from shelter_app.domain.roles import Role
from shelter_app.errors import (
    AccountDisabled,
    PermissionDenied,
    ShelterError,
    VaultDamaged,
    WrongPassphrase,
)
from shelter_app.i18n import _
from shelter_app.store.audit import AuditLog, now_utc
from shelter_app.store.db import Database
from shelter_app.vault import crypto
from shelter_app.vault.anchors import erased_list_holds, erased_mac
from shelter_app.vault.backup import mirror_keyslots
from shelter_app.vault.keyring import (
    Keyring,
    account_slot,
    finished,
    open_account,
    rewrapped,
    session_keyring,
    statement_roles,
    top_up,
    with_roles,
)
from shelter_app.vault.keyslots import RECOVERY_ID, Keyslot, KeyslotFile

if TYPE_CHECKING:
    from shelter_app.vault.vault import Vault


class KeyslotOperations:
    """Mixed into ``OpenVault``, which sets these attributes."""

    vault: Vault
    db: Database
    audit: AuditLog
    keyring: Keyring
    user_id: str
    _slots: KeyslotFile

    def anchor_key(self) -> bytes:
        raise NotImplementedError  # OpenVault's

    def _failed_attempts(self, pending: dict[str, tuple[list[str], int]]) -> None:
        """Append the failed attempts *pending* (per keyslot id) to the chain; the caller
        clears them from signin-attempts.json once its transaction committed."""
        for uid, (times, untimed) in pending.items():
            target = ("user", uid) if uid != RECOVERY_ID else ("keyslot", RECOVERY_ID)
            for stamp in times:
                self.audit.append(Event.SIGN_IN_FAILED, actor_id=self.user_id,
                                  target_type=target[0], target_id=target[1],
                                  outcome=Outcome.FAILED, details={"occurred_at": stamp})
            if untimed:
                self.audit.append(Event.SIGN_IN_FAILED, actor_id=self.user_id,
                                  target_type=target[0], target_id=target[1],
                                  outcome=Outcome.FAILED, details={"count": untimed})

    def replace_keys(self, slots: KeyslotFile, keyring: Keyring) -> None:
        """A new keyring for this session (the key file's upgrade, a recovery): the old one
        is overwritten."""
        previous = self.keyring
        self._slots, self.keyring = slots, keyring
        if previous is not keyring:
            previous.wipe()

    def save_slots(self) -> None:
        """Write keyslots.json atomically, then its mirror in backups/ (see mirror_keyslots)."""
        self._slots.save(self.vault.keyslots_path)
        mirror_keyslots(self.vault.keyslots_path, self.vault.folder)

    def data_key_copy(self) -> bytes:
        """The database key; 32 zero bytes once the session ended (it opens nothing)."""
        return bytes(self.keyring.keys.get(KeyName.DATABASE, bytearray(32)))

    def refresh_slots(self) -> None:
        """Read keyslots.json again: another session of this vault (the command line, say)
        may have given keys since this one signed in.  A file that cannot be read now
        leaves the copy in memory as it was."""
        try:
            fresh = KeyslotFile.load(self.vault.keyslots_path)
        except ShelterError:
            return
        if fresh.vault_id == self._slots.vault_id and fresh.version == self._slots.version:
            self._slots = fresh

    def _change_slots(self, change: Callable[[], None]) -> None:
        """Apply *change* to the slots as they are on disk and write them; undone if
        writing fails."""
        self.refresh_slots()
        previous = list(self._slots.slots)
        change()
        try:
            self.save_slots()
        except BaseException:
            self._slots.slots = previous
            raise

    def note_erased(self, case_ids: list[str]) -> None:
        """Add erased cases' ids to the key file, which a restore reads (vault/restore.py),
        with the list's MAC.  A list whose MAC fails (changed outside the application) is
        never signed again: the ids wait in ``meta.erased_to_note`` and verify names it."""
        self.refresh_slots()
        if not erased_list_holds(self.anchor_key(), self._slots.vault_id, self._slots.erased,
                                 self._slots.erased_mac):
            raise VaultDamaged(_(
                "The key file's list of cases erased on request was changed outside the "
                "application, so it was not signed again. Ask your administrator to run the "
                "vault check."))
        before, before_mac = list(self._slots.erased), self._slots.erased_mac
        self._slots.erased.extend(i for i in case_ids if i not in set(before))
        self._slots.erased_mac = erased_mac(self.anchor_key(), self._slots.vault_id,
                                            self._slots.erased)
        try:
            self.save_slots()
        except BaseException:
            self._slots.erased, self._slots.erased_mac = before, before_mac
            raise

    def put_slot(self, slot: Keyslot) -> None:
        """Replace one keyslot (same user id) and write the file; no other slot changes."""
        self._change_slots(lambda: self._slots.put(slot))

    @property
    def slots(self) -> KeyslotFile:
        return self._slots

    def set_account_slot(self, user_id: str, username: str, passphrase: str,
                         roles: list[str]) -> None:
        """A new key pair for *user_id* under a temporary *passphrase*, its roles signed by
        this session's administration key, and the keys this session may give it."""
        slot, _pair = account_slot(self.keyring, self._slots, user_id, passphrase,
                                   self.vault.kdf.default, roles, username=username)
        self.put_slot(slot)

    def set_recovery_slot(self, recovery_key: str) -> None:
        slot, _pair = account_slot(self.keyring, self._slots, RECOVERY_ID, recovery_key,
                                   self.vault.kdf.default, None)
        self.put_slot(slot)

    def sign_roles(self, user_id: str, roles: list[str]) -> None:
        """A new signed statement of *user_id*'s roles; keys they no longer cover leave."""
        slot = self._slots.by_user_id(user_id)
        if slot is None or slot.status != "active":
            return
        self.put_slot(with_roles(self.keyring, self._slots, slot, roles))
        if user_id == self.user_id:
            self.keyring.signed_roles = frozenset(roles)

    def key_state(self, user_id: str) -> str:
        """"upgrade", "waiting" or "ok" for *user_id* (``Account.keys``)."""
        slot = self._slots.by_user_id(user_id)
        roles = self.signed_roles_of(user_id)
        if slot is None or roles is None:
            return "ok"
        if slot.private_wrapped_by != "passphrase":
            return "upgrade"
        wanted = {str(k) for k in keys_for(roles)}
        if KeyName.INTEGRITY not in self._slots.checks:  # made by the first re-key
            wanted.discard(KeyName.INTEGRITY)
        if wanted - set(slot.grants):
            return "waiting"
        return "ok"

    def signed_roles_of(self, user_id: str) -> frozenset[str] | None:
        slot = self._slots.by_user_id(user_id)
        if slot is None or slot.status != "active" or not slot.has_pair:
            return None
        return statement_roles(self._slots, slot, self.keyring.verify_key)

    def set_own_passphrase(self, passphrase: str) -> None:
        """This account's private key under *passphrase*; its keys stay as they are."""
        slot = self._slots.by_user_id(self.user_id)
        assert slot is not None
        self.put_slot(rewrapped(self.keyring, self._slots, slot, passphrase,
                                self.vault.kdf.default))

    def disable_slot(self, user_id: str) -> None:
        self._change_slots(lambda: self._slots.disable(user_id))

    def restore_slots(self) -> None:
        """Undo keyslot changes after the database transaction that went with them failed."""
        self._slots = KeyslotFile.load(self.vault.keyslots_path)

    def verify_passphrase(self, passphrase: str) -> None:
        slot = self._slots.by_user_id(self.user_id)
        if slot is None or slot.status != "active":
            raise AccountDisabled(
                _("This account is disabled. Ask an administrator to re-enable it.")
            )
        self._slots.derive(slot, passphrase, self.vault.kdf.minimum)

    def refuse_recovery(self) -> None:
        """The recovery key restores an administrator's access only: anyone else asks an
        administrator for a temporary passphrase.  The refusal is recorded, then raised."""
        if not self.vault.read_only:
            with self.db.transaction():
                self.audit.append(Event.PERMISSION_DENIED, actor_id=self.user_id,
                                  target_type="keyslot", target_id=RECOVERY_ID,
                                  outcome=Outcome.DENIED, details={"action": "recover"})
        raise PermissionDenied(_(
            "The recovery key sets a new passphrase for an administrator's account only. "
            "Whoever uses this account asks an administrator for a temporary passphrase."))

    def reset_own_passphrase_with_recovery(self, new_passphrase: str) -> None:
        username = self.db.scalar("SELECT username FROM users WHERE id = :id", {"id": self.user_id})
        new_passphrase = validate_passphrase(new_passphrase, username=username)
        with self.db.transaction():
            self.audit.append(Event.RECOVERY_USED, actor_id=self.user_id, target_type="user",
                              target_id=self.user_id)
            self.audit.append(Event.PASSPHRASE_CHANGED, actor_id=self.user_id,
                              target_type="user", target_id=self.user_id)
            self.db.execute("UPDATE users SET must_change_passphrase = 0, updated_at = :now,"
                            " updated_by = :id, row_version = row_version + 1 WHERE id = :id",
                            {"now": now_utc(), "id": self.user_id})
            recovered = self._slots.by_user_id(self.user_id)
            roles = (statement_roles(self._slots, recovered, self.keyring.verify_key)
                     if recovered is not None and recovered.status == "active" else None)
            if roles is None:  # its statement is gone or was edited: an administrator's
                roles = frozenset({Role.ADMIN.value})
            slot, pair = account_slot(self.keyring, self._slots, self.user_id, new_passphrase,
                                      self.vault.kdf.default, sorted(roles), username=username)
            self.put_slot(slot)
        self.replace_keys(self._slots, session_keyring(self.user_id, pair,
                                                       self.keyring.verify_key, self.keyring,
                                                       roles))

    def give_keys_with_recovery(self, recovery_key: str) -> dict[str, list[str]]:
        """Open the recovery slot with *recovery_key* and give every active account the keys
        its signed roles entitle it to: the way back when no coordinator holds the content
        keys any more.  Inside the caller's transaction: records the use of the recovery
        key (and the failed attempts before it) and returns {user id: names given}."""
        normalised = crypto.normalise_recovery_key(recovery_key)
        if normalised is None:
            raise WrongPassphrase(_("That is not a recovery key: it has 32 letters and digits."))
        self.refresh_slots()
        slot = self._slots.by_user_id(RECOVERY_ID)
        if slot is None or slot.status != "active":
            raise VaultDamaged(_("This vault's key file has no recovery keyslot."))
        self.vault.attempts.check(RECOVERY_ID)
        try:
            opened = open_account(self._slots, slot, normalised, self.vault.kdf.minimum)
        except WrongPassphrase as exc:
            self.vault.attempts.failed(RECOVERY_ID)
            raise WrongPassphrase(_("The recovery key is not correct.")) from exc
        try:
            if opened.unfinished:  # still wrapped as the key file's upgrade left it
                self._slots.put(finished(opened.keyring, self._slots, slot, opened.wrap_key))
            given = top_up(opened.keyring, self._slots)
            self.save_slots()
        finally:
            opened.keyring.wipe()
        self._failed_attempts({RECOVERY_ID: self.vault.attempts.pending(RECOVERY_ID)})
        self.audit.append(Event.RECOVERY_USED, actor_id=self.user_id, target_type="keyslot",
                          target_id=RECOVERY_ID, details={"action": "give_keys"})
        return given
