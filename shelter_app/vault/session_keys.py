"""What a sign-in does with the keys it opened, before the session starts.

- A version 1 key file is upgraded (after a verified backup): key_migration.py.
- A slot migrated but not yet finished gets its private key under its own passphrase.
- The signed roles are compared with the database's; a difference is an integrity failure,
  and the session goes on with the signed roles.
- A coordinator's session makes the content keys if the vault has none yet, and gives
  every account the keys its signed roles entitle it to (the two-person rule).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shelter_app.domain.audit import Event
from shelter_app.domain.key_classes import KeyName
from shelter_app.domain.roles import stored_roles
from shelter_app.i18n import _
from shelter_app.vault import crypto, sealing
from shelter_app.vault.backup import make_backup
from shelter_app.vault.connection import read_only_unfinished
from shelter_app.vault.key_migration import migrate_keyslots
from shelter_app.vault.keyring import (
    Keyring,
    Opened,
    account_slot,
    ensure_content_keys,
    finished,
    session_keyring,
    top_up,
)
from shelter_app.vault.keyslots import RECOVERY_ID, KeyslotFile

if TYPE_CHECKING:
    from shelter_app.vault.vault import OpenVault

# (event, target type, target id, details): what a sign-in changed, recorded together
Change = tuple[Event, str, str, dict[str, object]]


def new_keyslot_file(vault_id: str, data_key: bytes, admin_id: str, admin_username: str,
                     admin_passphrase: str, recovery_key: str, params: crypto.KdfParams
                     ) -> tuple[KeyslotFile, Keyring]:
    """The key file of a new vault: the database and administration keys, the first
    administrator's slot and the recovery slot.  No content key yet: the first
    coordinator's session makes them (ensure_content_keys)."""
    signing = sealing.new_signing_key()
    verify = sealing.verify_key_of(signing)
    slots = KeyslotFile(vault_id, b"", [], version=2, verify_key=verify)
    slots.add_key(KeyName.DATABASE, data_key)
    slots.add_key(KeyName.ADMINISTRATION, signing)
    master = Keyring("", None, verify, {KeyName.DATABASE.value: bytearray(data_key),
                                        KeyName.ADMINISTRATION.value: bytearray(signing)})
    try:
        admin, pair = account_slot(master, slots, admin_id, admin_passphrase, params,
                                   ["admin"], username=admin_username)
        slots.put(admin)
        recovery, _pair = account_slot(master, slots, RECOVERY_ID, recovery_key, params, None)
        slots.put(recovery)
        keyring = session_keyring(admin_id, pair, verify, master, ["admin"])
    finally:
        master.wipe()
    return slots, keyring


def _check_signed_roles(opened: OpenVault, db_roles: list[str]) -> None:
    signed = opened.keyring.signed_roles
    if signed is not None and signed != frozenset(db_roles):
        opened.integrity_failure(_(
            "This account's roles in the database differ from the roles an administrator "
            "signed: the database was edited outside the application. This session uses "
            "the signed roles. Ask your administrator to run the vault check "
            "(Administration, Vault tab)."), "user", opened.user_id, "roles")


def settle_keys(opened: OpenVault, keys: Opened, db_roles: list[str], *,
                recovering: bool) -> None:
    """Run at every sign-in, after the database opened and before the session starts."""
    slots = opened.slots
    changed: list[Change] = []
    if opened.read_only:  # nothing can be granted or finished; the roles are still checked
        if slots.version == 1:
            raise read_only_unfinished()
        if not recovering:
            _check_signed_roles(opened, db_roles)
        return
    if slots.version == 1:
        make_backup(opened.db.raw, opened.data_key_copy(), opened.vault.folder,
                    opened.vault.keyslots_path)
        roles = {row["id"]: stored_roles(row["roles"]) for row in opened.db.all(
            "SELECT id, roles FROM users WHERE status = 'active'")}
        new, keyring = migrate_keyslots(slots, opened.data_key_copy(), keys.keyring.user_id,
                                        keys.wrap_key, roles)
        opened.replace_keys(new, keyring)
        changed.append((Event.KEYS_MIGRATED, "vault", opened.vault_id, {"version": 2}))
    elif keys.unfinished:
        slot = slots.by_user_id(keys.keyring.user_id)
        assert slot is not None
        slots.put(finished(opened.keyring, slots, slot, keys.wrap_key))
    keyring = opened.keyring
    if not recovering:  # the recovery key sets a passphrase and does nothing else
        _check_signed_roles(opened, db_roles)
        changed.extend(give_keys(opened))
    if changed or keys.unfinished:
        opened.save_slots()
    if changed:
        with opened.db.transaction():
            for event, target_type, target_id, details in changed:
                opened.audit.append(event, actor_id=opened.user_id, target_type=target_type,
                                    target_id=target_id, details=details)


def give_keys(opened: OpenVault) -> list[Change]:
    """A coordinator's session: make the content keys if there are none yet, and give every
    account what its signed roles entitle it to.  Returns the events to record."""
    events: list[Change] = []
    made = ensure_content_keys(opened.keyring, opened.slots)
    if made:
        events.append((Event.KEYS_MADE, "vault", opened.vault_id, {"keys": made}))
    for user_id, names in top_up(opened.keyring, opened.slots).items():
        target = "keyslot" if user_id == RECOVERY_ID else "user"
        events.append((Event.KEYS_GRANTED, target, user_id, {"keys": names}))
    return events
