"""The keys one session holds, and how slots are opened, made and granted to.

Opening (docs/VAULT_FORMAT.md, section 4): the passphrase gives the wrap key; the wrap key
opens the account's private key and the administration verify key the account trusts; the
private key opens each key granted to the account; the verify key checks the statement of
the account's roles.  A slot migrated from version 1 whose owner has not signed in since
keeps its private key wrapped under the database key until that first sign-in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from cryptography.exceptions import InvalidTag

from shelter_app.domain.key_classes import (
    ALL_KEYS,
    CONTENT_KEYS,
    GRANTING_ROLES,
    KeyName,
    keys_for,
)
from shelter_app.errors import VaultDamaged
from shelter_app.i18n import _
from shelter_app.vault import crypto, sealing
from shelter_app.vault.keyslots import Keyslot, KeyslotFile, damaged_keyslots, name_key


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Keyring:
    """What one session holds; ``wipe()`` overwrites every key."""

    user_id: str
    pair: sealing.KeyPair | None
    verify_key: bytes
    keys: dict[str, bytearray] = field(default_factory=dict)
    # None for a keyring with no account behind it: the recovery slot's, or the one that
    # writes a new key file
    signed_roles: frozenset[str] | None = None

    @property
    def granting(self) -> bool:
        """Giving content keys is a coordinator's part (two-person rule), and the recovery
        key's, the organisation's last resort."""
        return self.signed_roles is None or bool(GRANTING_ROLES & self.signed_roles)

    def key(self, name: str) -> bytes | None:
        held = self.keys.get(name)
        return bytes(held) if held is not None else None

    def holds(self, name: str) -> bool:
        return name in self.keys

    @property
    def data_key(self) -> bytes:
        return bytes(self.keys[KeyName.DATABASE])

    @property
    def integrity_key(self) -> bytes:
        """The key of the audit chain and its anchors: the vault's first database key,
        which a re-key keeps as the integrity key (vault/rekey.py)."""
        return self.key(KeyName.INTEGRITY) or self.data_key

    def may_grant(self, name: str) -> bool:
        """Whether this session gives *name* to accounts entitled to it."""
        if not self.holds(name):
            return False
        if name in CONTENT_KEYS:
            return self.granting
        return True

    def wipe(self) -> None:
        for held in self.keys.values():
            for i in range(len(held)):
                held[i] = 0
        self.keys.clear()


def roles_statement_damaged() -> VaultDamaged:
    return VaultDamaged(_(
        "The key file's record of this account's roles does not carry a valid administrator's "
        "signature: the file has been edited. Restore keyslots.json from the copy in the "
        "vault's backups folder, and tell your administrator."))


# -- opening ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Opened:
    keyring: Keyring
    wrap_key: bytes  # from the passphrase: finishes a migrated slot at its first sign-in
    unfinished: bool  # the private key is still wrapped under the database key


def open_account(slots: KeyslotFile, slot: Keyslot, secret: str,
                 minimum: crypto.KdfParams) -> Opened:
    """The keys *secret* opens in *slot*, or WrongPassphrase / VaultDamaged."""
    wrap_key = slots.derive(slot, secret, minimum)
    if slots.version == 1:
        data_key = slots.open_legacy(slot, wrap_key)
        return Opened(Keyring(slot.user_id, None, b"", {KeyName.DATABASE: bytearray(data_key)}),
                      wrap_key, unfinished=True)
    aad = sealing.private_aad(slots.vault_id, slot.user_id)
    try:
        if slot.private_wrapped_by == "passphrase":
            pair, verify_key = sealing.unwrap_private(wrap_key, slot.private_nonce,
                                                      slot.private_ciphertext, aad)
        elif slot.legacy:
            interim = crypto.subkey(slots.open_legacy(slot, wrap_key), sealing.INTERIM_LABEL)
            pair, verify_key = sealing.unwrap_private(interim, slot.private_nonce,
                                                      slot.private_ciphertext, aad)
        else:
            raise damaged_keyslots()
    except InvalidTag as exc:
        raise damaged_keyslots() from exc
    if pair.public != slot.public_key:
        raise damaged_keyslots()
    keyring = Keyring(slot.user_id, pair, verify_key)
    try:
        for name, grant in slot.grants.items():
            keyring.keys[name] = bytearray(open_grant(slots, slot.user_id, pair, name, grant))
    except (ValueError, KeyError) as exc:
        keyring.wipe()
        raise damaged_keyslots() from exc
    if not keyring.holds(KeyName.DATABASE):
        raise damaged_keyslots()
    signing = keyring.key(KeyName.ADMINISTRATION)
    if signing is not None and sealing.verify_key_of(signing) != verify_key:
        raise damaged_keyslots()
    if slot.kind == "user":
        keyring.signed_roles = statement_roles(slots, slot, verify_key)
        if keyring.signed_roles is None:
            keyring.wipe()
            raise roles_statement_damaged()
    return Opened(keyring, wrap_key, unfinished=slot.private_wrapped_by != "passphrase")


def open_grant(slots: KeyslotFile, user_id: str, pair: sealing.KeyPair, name: str,
               grant: dict[str, str]) -> bytes:
    """One granted key, checked against the file's check value for that name."""
    if name not in set(KeyName) or name not in slots.checks:
        raise ValueError("a grant of an unknown key")
    epoch = slots.epoch_of(name)
    key = sealing.open_sealed(pair, grant, sealing.grant_aad(slots.vault_id, user_id, name,
                                                             epoch))
    if sealing.key_check(key, slots.vault_id, name, epoch) != slots.checks[name]:
        raise ValueError("a grant of another vault's key")
    return key


def statement_roles(slots: KeyslotFile, slot: Keyslot, verify_key: bytes
                    ) -> frozenset[str] | None:
    """The roles *slot*'s statement gives, or None unless the administration key signed it."""
    statement = slot.statement
    if not isinstance(statement, dict):
        return None
    try:
        roles = statement["roles"]
        signed_at = statement["signed_at"]
        signature = sealing.unb64(statement["signature"], 64)
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            return None
        message = sealing.statement_bytes(slots.vault_id, slot.user_id, slot.public_key, roles,
                                          str(signed_at))
    except (KeyError, ValueError, TypeError):
        return None
    if not sealing.signature_holds(verify_key, message, signature):
        return None
    return frozenset(roles)


# -- making slots ----------------------------------------------------------------------
def signed_statement(keyring: Keyring, vault_id: str, user_id: str, public_key: bytes,
                     roles: Iterable[str]) -> dict[str, object]:
    signing = keyring.key(KeyName.ADMINISTRATION)
    if signing is None:
        raise VaultDamaged(_("This session does not hold the administration key, so it "
                             "cannot sign an account's roles."))
    roles = sorted(set(roles))
    signed_at = _now()
    message = sealing.statement_bytes(vault_id, user_id, public_key, roles, signed_at)
    return {"roles": roles, "signed_at": signed_at,
            "signature": sealing.b64(sealing.sign(signing, message))}


def grants_for(keyring: Keyring, slots: KeyslotFile, user_id: str, public_key: bytes,
               entitled: Iterable[str], already: dict[str, dict[str, str]] | None = None
               ) -> dict[str, dict[str, str]]:
    """*already*'s grants that *entitled* still covers, plus what this session can add."""
    entitled = set(entitled)
    grants = {n: g for n, g in (already or {}).items() if n in entitled}
    for name in sorted(entitled - set(grants)):
        held = keyring.key(name)
        if held is not None and keyring.may_grant(name):
            grants[name] = sealing.seal(public_key, held, sealing.grant_aad(
                slots.vault_id, user_id, name, slots.epoch_of(name)))
    return grants


def account_slot(keyring: Keyring, slots: KeyslotFile, user_id: str, secret: str,
                 params: crypto.KdfParams, roles: Iterable[str] | None, *,
                 username: str | None = None) -> tuple[Keyslot, sealing.KeyPair]:
    """A new slot with a new key pair under *secret*: signed *roles* for an account, every
    key this session may give for the recovery slot (``roles`` None)."""
    pair = sealing.KeyPair.new()
    salt = crypto.new_salt()
    derived = crypto.derive(secret, salt, params)
    nonce, ciphertext = sealing.wrap_private(derived.wrap_key, pair, keyring.verify_key,
                                             sealing.private_aad(slots.vault_id, user_id))
    entitled = ALL_KEYS if roles is None else keys_for(roles)
    return Keyslot(
        kind="recovery" if roles is None else "user", user_id=user_id,
        name_key=name_key(slots.vault_id, username) if username is not None else None,
        status="active", params=params, salt=salt, check=derived.check, created_at=_now(),
        public_key=pair.public, private_wrapped_by="passphrase", private_nonce=nonce,
        private_ciphertext=ciphertext,
        grants=grants_for(keyring, slots, user_id, pair.public, {str(k) for k in entitled}),
        statement=(None if roles is None else
                   signed_statement(keyring, slots.vault_id, user_id, pair.public, roles)),
    ), pair


def rewrapped(keyring: Keyring, slots: KeyslotFile, slot: Keyslot, secret: str,
              params: crypto.KdfParams) -> Keyslot:
    """*slot* with its own private key under a new *secret*; its keys stay as they are."""
    assert keyring.pair is not None
    salt = crypto.new_salt()
    derived = crypto.derive(secret, salt, params)
    return finished(keyring, slots, replace(slot, salt=salt, params=params,
                                            check=derived.check), derived.wrap_key)


def finished(keyring: Keyring, slots: KeyslotFile, slot: Keyslot, wrap_key: bytes) -> Keyslot:
    """*slot* with the private key under *wrap_key* and the version 1 wrap dropped."""
    assert keyring.pair is not None
    nonce, ciphertext = sealing.wrap_private(wrap_key, keyring.pair, keyring.verify_key,
                                             sealing.private_aad(slots.vault_id, slot.user_id))
    return replace(slot, private_wrapped_by="passphrase", private_nonce=nonce,
                   private_ciphertext=ciphertext, nonce=b"", ciphertext=b"")


def with_roles(keyring: Keyring, slots: KeyslotFile, slot: Keyslot, roles: Iterable[str]
               ) -> Keyslot:
    """*slot* under a new statement of *roles*: keys the roles no longer cover are dropped
    from this file (a re-key makes old copies useless), new ones given if this session can."""
    roles = list(roles)
    return replace(slot, statement=signed_statement(keyring, slots.vault_id, slot.user_id,
                                                    slot.public_key, roles),
                   grants=grants_for(keyring, slots, slot.user_id, slot.public_key,
                                     {str(k) for k in keys_for(roles)}, slot.grants))


def top_up(keyring: Keyring, slots: KeyslotFile) -> dict[str, list[str]]:
    """Give every active account the keys its signed roles entitle it to and this session
    may give (and the recovery slot every key).  Returns {user id: names given}."""
    given: dict[str, list[str]] = {}
    for slot in list(slots.slots):
        if slot.status != "active" or not slot.has_pair:
            continue
        if slot.kind == "recovery":
            entitled: set[str] = {str(k) for k in ALL_KEYS}
        else:
            roles = statement_roles(slots, slot, keyring.verify_key)
            if roles is None:
                continue  # an unsigned or edited statement earns nothing
            entitled = {str(k) for k in keys_for(roles)}
        grants = grants_for(keyring, slots, slot.user_id, slot.public_key, entitled,
                            slot.grants)
        added = sorted(set(grants) - set(slot.grants))
        if added:
            slots.put(replace(slot, grants=grants))
            given[slot.user_id] = added
    return given


def ensure_content_keys(keyring: Keyring, slots: KeyslotFile) -> list[str]:
    """A coordinator's first session makes the content keys (a new vault has none: the
    administrator who creates it holds no survivor content).  Returns the names made."""
    made: list[str] = []
    if not keyring.granting:
        return made
    for name in CONTENT_KEYS:
        if name not in slots.checks:
            key = sealing.new_content_key()
            slots.add_key(name, key)
            keyring.keys[name] = bytearray(key)
            made.append(str(name))
    return made


def session_keyring(user_id: str, pair: sealing.KeyPair, verify_key: bytes,
                    source: Keyring, roles: Iterable[str]) -> Keyring:
    """The keyring of an account whose slot this session just made from *source*'s keys."""
    roles = frozenset(roles)
    held = {str(name): bytearray(source.keys[name]) for name in keys_for(roles)
            if name in source.keys}
    return Keyring(user_id, pair, verify_key, held, roles)
