"""A version 1 key file becomes version 2 at the first sign-in after the upgrade.

Version 1 wrapped the database key under each passphrase; version 2 gives every account a
key pair and grants it the keys its roles entitle it to (docs/VAULT_FORMAT.md, section 11.1).
The account signing in knows only its own passphrase, so every other account's new private
key is wrapped for now under a key derived from the database key, next to its version 1
wrap; each finishes its part at its own first sign-in (keyring.finished).  Until then those
accounts' keys are no better protected than in version 1: the Accounts tab's Keys column
and ``user list`` name them (docs/VAULT_FORMAT.md, section 11.1).
"""

from __future__ import annotations

from dataclasses import replace

from shelter_app.domain.key_classes import ALL_KEYS, CONTENT_KEYS, KeyName, keys_for
from shelter_app.vault import crypto, sealing
from shelter_app.vault.keyring import (
    Keyring,
    grants_for,
    session_keyring,
    signed_statement,
)
from shelter_app.vault.keyslots import KeyslotFile


def migrate_keyslots(old: KeyslotFile, data_key: bytes, user_id: str, wrap_key: bytes,
                     roles_by_user: dict[str, list[str]]) -> tuple[KeyslotFile, Keyring]:
    """The version 2 file, and the keyring of *user_id* (the slot *wrap_key* opened)."""
    signing = sealing.new_signing_key()
    verify = sealing.verify_key_of(signing)
    keys = {KeyName.DATABASE: data_key, KeyName.ADMINISTRATION: signing}
    keys.update({name: sealing.new_content_key() for name in CONTENT_KEYS})
    new = KeyslotFile(old.vault_id, b"", [], old.audit_anchor, version=2, verify_key=verify)
    for name, key in keys.items():
        new.add_key(name, key)
    master = Keyring("", None, verify, {str(n): bytearray(k) for n, k in keys.items()})
    interim = crypto.subkey(data_key, sealing.INTERIM_LABEL)
    own: Keyring | None = None
    for slot in old.slots:
        if slot.status != "active":
            new.put(slot)
            continue
        pair = sealing.KeyPair.new()
        mine = slot.user_id == user_id
        nonce, ciphertext = sealing.wrap_private(
            wrap_key if mine else interim, pair, verify,
            sealing.private_aad(old.vault_id, slot.user_id))
        roles = None if slot.kind == "recovery" else roles_by_user.get(slot.user_id, [])
        entitled = ALL_KEYS if roles is None else keys_for(roles)
        new.put(replace(
            slot, public_key=pair.public,
            private_wrapped_by="passphrase" if mine else "database",
            private_nonce=nonce, private_ciphertext=ciphertext,
            nonce=b"" if mine else slot.nonce, ciphertext=b"" if mine else slot.ciphertext,
            grants=grants_for(master, new, slot.user_id, pair.public,
                              {str(k) for k in entitled}),
            statement=(None if roles is None else
                       signed_statement(master, old.vault_id, slot.user_id, pair.public, roles)),
        ))
        if mine:
            own = (session_keyring(user_id, pair, verify, master, roles) if roles is not None
                   else Keyring(user_id, pair, verify,
                                {n: bytearray(k) for n, k in master.keys.items()}))
    master.wipe()
    assert own is not None, "the slot that was opened is in the file"
    return new, own
