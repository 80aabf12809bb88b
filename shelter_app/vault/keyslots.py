"""keyslots.json: each account's key pair and the keys granted to it, and the recovery slot.

The file is read whole, validated, and written atomically.  A damaged or edited file is
reported as such and never "repaired" silently.  Byte layout: docs/VAULT_FORMAT.md.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag

from shelter_app.errors import (
    AccountDisabled,
    UnknownUser,
    VaultDamaged,
    VaultMissing,
    VaultTooNew,
    WrongPassphrase,
)
from shelter_app.i18n import _
from shelter_app.vault import crypto, sealing
from shelter_app.vault.fileio import atomic_write

FORMAT = "shelter-app-keyslots"
FORMAT_VERSION = 2
RECOVERY_ID = "recovery"


def name_key(vault_id: str, username: str) -> str:
    """How a slot is found by user name without storing the name in clear."""
    folded = unicodedata.normalize("NFC", username).strip().casefold()
    material = b"\0".join((b"shelter-app user", vault_id.encode(), folded.encode("utf-8")))
    return hashlib.sha256(material).hexdigest()[:32]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not base64 text")
    return base64.b64decode(text.encode("ascii"), validate=True)


@dataclass(frozen=True)
class Keyslot:
    """One account's slot (or the recovery slot).  Version 2 slots hold the account's key
    pair and the keys granted to it; a slot not yet migrated from version 1 still holds
    ``nonce``/``ciphertext``, the database key wrapped under its passphrase (section 3.2)."""

    kind: str  # "user" or "recovery"
    user_id: str
    name_key: str | None
    status: str  # "active" or "disabled"
    params: crypto.KdfParams
    salt: bytes = b""
    nonce: bytes = b""  # version 1 wrap of the database key
    ciphertext: bytes = b""
    check: bytes = b""
    created_at: str = ""
    public_key: bytes = b""
    private_wrapped_by: str = ""  # "passphrase", or "database" until first sign-in
    private_nonce: bytes = b""
    private_ciphertext: bytes = b""
    grants: dict[str, dict[str, str]] = field(default_factory=dict)
    statement: dict[str, Any] | None = None  # {"roles", "signed_at", "signature"}

    @property
    def legacy(self) -> bool:
        """Still holds the version 1 wrap of the database key."""
        return bool(self.ciphertext)

    @property
    def has_pair(self) -> bool:
        return bool(self.public_key)

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "kind": self.kind,
            "user_id": self.user_id,
            "name_key": self.name_key,
            "status": self.status,
            "created_at": self.created_at,
        }
        if self.status == "active":
            body["kdf"] = {
                "algorithm": "argon2id",
                "version": crypto.ARGON2_VERSION,
                "memory_kib": self.params.memory_kib,
                "iterations": self.params.iterations,
                "parallelism": self.params.parallelism,
                "salt": _b64(self.salt),
            }
            body["check"] = _b64(self.check)
            if self.legacy:
                body["aead"] = {
                    "algorithm": "AES-256-GCM",
                    "nonce": _b64(self.nonce),
                    "ciphertext": _b64(self.ciphertext),
                }
            if self.has_pair:
                body["public_key"] = _b64(self.public_key)
                body["private_key"] = {
                    "wrapped_by": self.private_wrapped_by,
                    "algorithm": "AES-256-GCM",
                    "nonce": _b64(self.private_nonce),
                    "ciphertext": _b64(self.private_ciphertext),
                }
                body["grants"] = {name: dict(g) for name, g in sorted(self.grants.items())}
                if self.statement is not None:
                    body["statement"] = dict(self.statement)
        body["digest"] = _digest(body)
        return body

    @classmethod
    def from_json(cls, body: Any) -> Keyslot:
        if not isinstance(body, dict):
            raise ValueError("slot is not an object")
        if body.get("digest") != _digest(body):
            raise ValueError("slot digest mismatch")
        status = body["status"]
        if status not in ("active", "disabled") or body["kind"] not in ("user", "recovery"):
            raise ValueError("unknown slot kind or status")
        if status == "disabled":
            return cls(
                kind=body["kind"], user_id=str(body["user_id"]), name_key=body.get("name_key"),
                status=status, params=crypto.KdfParams(0, 0, 0), created_at=str(body["created_at"]),
            )
        kdf = body["kdf"]
        if kdf["algorithm"] != "argon2id" or kdf["version"] != crypto.ARGON2_VERSION:
            raise ValueError("unknown key derivation")
        numbers = (kdf["memory_kib"], kdf["iterations"], kdf["parallelism"])
        if not all(type(n) is int and n > 0 for n in numbers):
            raise ValueError("key derivation parameters are not positive whole numbers")
        fields: dict[str, Any] = {}
        aead = body.get("aead")
        if aead is not None:
            if aead["algorithm"] != "AES-256-GCM":
                raise ValueError("unknown cipher")
            fields.update(nonce=_unb64(aead["nonce"]), ciphertext=_unb64(aead["ciphertext"]))
            if (len(fields["nonce"]), len(fields["ciphertext"])) != (
                    crypto.NONCE_BYTES, crypto.DATA_KEY_BYTES + 16):
                raise ValueError("a keyslot field has the wrong length")
        if "public_key" in body:
            private = body["private_key"]
            if (private["algorithm"] != "AES-256-GCM"
                    or private["wrapped_by"] not in ("passphrase", "database")):
                raise ValueError("unknown private key wrapping")
            grants = body["grants"]
            if not isinstance(grants, dict) or not all(
                    isinstance(g, dict) and all(isinstance(v, str) for v in g.values())
                    for g in grants.values()):
                raise ValueError("grants are not objects")
            statement = body.get("statement")
            if statement is not None and not isinstance(statement, dict):
                raise ValueError("the statement is not an object")
            fields.update(
                public_key=_unb64(body["public_key"]), private_wrapped_by=private["wrapped_by"],
                private_nonce=_unb64(private["nonce"]),
                private_ciphertext=_unb64(private["ciphertext"]),
                grants={str(k): dict(v) for k, v in grants.items()}, statement=statement)
            if (len(fields["public_key"]), len(fields["private_nonce"]),
                    len(fields["private_ciphertext"])) != (32, crypto.NONCE_BYTES, 64 + 16):
                raise ValueError("a keyslot field has the wrong length")
        elif aead is None:
            raise ValueError("an active slot holds no key")
        slot = cls(
            kind=body["kind"],
            user_id=str(body["user_id"]),
            name_key=body.get("name_key"),
            status=status,
            params=crypto.KdfParams(*numbers),
            salt=_unb64(kdf["salt"]),
            check=_unb64(body["check"]),
            created_at=str(body["created_at"]),
            **fields,
        )
        if (len(slot.salt), len(slot.check)) != (crypto.SALT_BYTES, 16):
            raise ValueError("a keyslot field has the wrong length")
        return slot


def _digest(body: dict[str, Any]) -> str:
    content = {k: v for k, v in body.items() if k != "digest"}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()[:32]


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def legacy_slot(
    data_key: bytes, vault_id: str, user_id: str, secret: str, params: crypto.KdfParams,
    *, kind: str = "user", name: str | None = None,
) -> Keyslot:
    """A version 1 slot wrapping *data_key* under *secret* (for tests of the migration)."""
    salt = crypto.new_salt()
    keys = crypto.derive(secret, salt, params)
    nonce, ciphertext = crypto.wrap(keys.wrap_key, data_key, crypto.slot_aad(vault_id, user_id))
    return Keyslot(
        kind=kind, user_id=user_id,
        name_key=name_key(vault_id, name) if name is not None else None,
        status="active", params=params, salt=salt, nonce=nonce, ciphertext=ciphertext,
        check=keys.check, created_at=_now(),
    )


@dataclass
class KeyslotFile:
    vault_id: str
    # version 1: the database key's check value; version 2 keeps one per key in `checks`
    key_check: bytes
    slots: list[Keyslot] = field(default_factory=list)
    # The audit chain's anchor (vault/anchors.py) as stored; its MAC is checked by whoever
    # holds the data key, so here it is only carried through unchanged.
    audit_anchor: dict[str, Any] | None = None
    version: int = FORMAT_VERSION
    # The generation of each key: part of its check value and of every grant of it, so a
    # key replaced by a re-key (a new generation) leaves its old grants and checks useless.
    epochs: dict[str, int] = field(default_factory=dict)
    checks: dict[str, bytes] = field(default_factory=dict)
    verify_key: bytes = b""  # the administration key's public half, as last written
    # A re-key under way (vault/rekey.py): its state, the new database key's generation,
    # check value and grants, and the same for each content key it changes.
    rekey: dict[str, Any] | None = None
    # The ids of cases erased on request (services/retention.py): a restore of a copy made
    # before erases them again (vault/restore.py).  Ids only, which name nobody.
    erased: list[str] = field(default_factory=list)
    # HMAC of the vault id and ``erased`` under the anchor key (vault/anchors.py,
    # ``erased_mac``): a list added to or cut outside the application is found.
    erased_mac: str | None = None

    # -- reading and writing -------------------------------------------------------
    @classmethod
    def load(cls, path: Path) -> KeyslotFile:
        try:
            raw = path.read_bytes()
        except FileNotFoundError as exc:
            raise VaultMissing(
                _(
                    "The key file keyslots.json is missing from this vault. Restore it from the "
                    "vault's backups folder or from your off-site backup; without it the "
                    "database cannot be opened."
                )
            ) from exc
        try:
            body = json.loads(raw.decode("utf-8"))
            if not isinstance(body, dict) or body.get("format") != FORMAT:
                raise ValueError("not a keyslot file")
            version = body["version"]
            if type(version) is not int:
                raise ValueError("the format version is not a whole number")
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
            raise damaged_keyslots() from exc
        if version > FORMAT_VERSION:
            raise VaultTooNew(
                _(
                    "This vault's key file was written by a newer version of Shelter App. "
                    "Install the newer version to open it; nothing was changed."
                )
            )
        try:
            slots = [Keyslot.from_json(s) for s in body["slots"]]
            anchor = body.get("audit_anchor")
            if anchor is not None and not isinstance(anchor, dict):
                raise ValueError("the audit anchor is not an object")
            if version == 1:
                result = cls(str(body["vault_id"]), _unb64(body["key_check"]), slots, anchor,
                             version=1)
                if any(s.has_pair or (s.status == "active" and not s.legacy) for s in slots):
                    raise ValueError("a version 1 file with version 2 slots")
            else:
                checks, epochs = body["checks"], body["epochs"]
                if (not isinstance(checks, dict) or not isinstance(epochs, dict)
                        or set(epochs) != set(checks)
                        or not all(type(e) is int and e >= 1 for e in epochs.values())):
                    raise ValueError("checks or epochs malformed")
                result = cls(str(body["vault_id"]), b"", slots, anchor, version=version,
                             epochs={str(k): int(e) for k, e in epochs.items()},
                             checks={str(k): _unb64(v) for k, v in checks.items()},
                             verify_key=_unb64(body["verify_key"]))
                result.rekey = _rekey_record(body.get("rekey"), result.epochs)
                if "database" not in result.checks or any(
                        s.status == "active" and not s.has_pair for s in slots):
                    raise ValueError("a version 2 file without key pairs")
            erased = body.get("erased", [])
            if not isinstance(erased, list) or not all(isinstance(e, str) for e in erased):
                raise ValueError("erased is not a list of ids")
            result.erased = list(erased)
            erased_mac = body.get("erased_mac")
            if erased_mac is not None and not isinstance(erased_mac, str):
                raise ValueError("erased_mac is not text")
            result.erased_mac = erased_mac
        except (ValueError, KeyError, TypeError, binascii.Error) as exc:
            raise damaged_keyslots() from exc
        ids = [s.user_id for s in slots]
        names = [s.name_key for s in slots if s.name_key is not None]
        if len(ids) != len(set(ids)) or len(names) != len(set(names)):
            raise damaged_keyslots()
        return result

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"format": FORMAT, "version": self.version,
                                "vault_id": self.vault_id}
        if self.version == 1:
            body["key_check"] = _b64(self.key_check)
        else:
            body["epochs"] = dict(sorted(self.epochs.items()))
            body["checks"] = {k: _b64(v) for k, v in sorted(self.checks.items())}
            body["verify_key"] = _b64(self.verify_key)
            if self.rekey is not None:
                body["rekey"] = self.rekey
        body["slots"] = [s.to_json() for s in self.slots]
        if self.erased:
            body["erased"] = list(self.erased)
        if self.erased_mac is not None:
            body["erased_mac"] = self.erased_mac
        if self.audit_anchor is not None:
            body["audit_anchor"] = self.audit_anchor
        return body

    def save(self, path: Path) -> None:
        text = json.dumps(self.to_json(), indent=2, ensure_ascii=True) + "\n"
        atomic_write(path, text.encode("ascii"))

    def epoch_of(self, name: str) -> int:
        return self.epochs.get(name, 1)

    def add_key(self, name: str, key: bytes, epoch: int = 1) -> None:
        """Record the check value of a key of this vault (made now, generation *epoch*)."""
        self.epochs[name] = epoch
        self.checks[name] = sealing.key_check(key, self.vault_id, name, epoch)

    # -- finding and changing slots ------------------------------------------------
    def find_user(self, username: str) -> Keyslot:
        wanted = name_key(self.vault_id, username)
        for slot in self.slots:
            if slot.kind == "user" and slot.name_key == wanted:
                if slot.status == "disabled":
                    raise AccountDisabled(
                        _("This account is disabled. Ask an administrator to re-enable it.")
                    )
                return slot
        raise UnknownUser(_("There is no account with that user name in this vault."))

    def by_user_id(self, user_id: str) -> Keyslot | None:
        return next((s for s in self.slots if s.user_id == user_id), None)

    def put(self, slot: Keyslot) -> None:
        """Add *slot*, or replace the slot of the same user id where it stands."""
        if any(s.user_id == slot.user_id for s in self.slots):
            self.slots = [slot if s.user_id == slot.user_id else s for s in self.slots]
        else:
            self.slots = [*self.slots, slot]

    def disable(self, user_id: str) -> None:
        """Forget every key of the slot: a disabled account cannot open anything any more."""
        slot = self.by_user_id(user_id)
        if slot is not None:
            self.put(Keyslot(kind=slot.kind, user_id=slot.user_id, name_key=slot.name_key,
                             status="disabled", params=crypto.KdfParams(0, 0, 0),
                             created_at=slot.created_at))

    def check_kdf(self, slot: Keyslot, minimum: crypto.KdfParams) -> None:
        if not slot.params.at_least(minimum) or not slot.params.at_most(crypto.KDF_MAXIMUM):
            raise VaultDamaged(
                _(
                    "The key file's protection settings are outside what this application "
                    "allows. The file has been edited; restore keyslots.json from the copy "
                    "in the vault's backups folder."
                )
            )

    def derive(self, slot: Keyslot, secret: str, minimum: crypto.KdfParams) -> bytes:
        """The slot's wrap key from *secret*, or WrongPassphrase."""
        self.check_kdf(slot, minimum)
        keys = crypto.derive(secret, slot.salt, slot.params)
        if not hmac.compare_digest(keys.check, slot.check):
            raise WrongPassphrase(_("The passphrase is not correct."))
        return keys.wrap_key

    def open_legacy(self, slot: Keyslot, wrap_key: bytes) -> bytes:
        """The database key from a version 1 wrap."""
        try:
            data_key = crypto.unwrap(
                wrap_key, slot.nonce, slot.ciphertext,
                crypto.slot_aad(self.vault_id, slot.user_id),
            )
        except InvalidTag as exc:
            raise damaged_keyslots() from exc
        # A version 1 wrap holds the vault's first database key, which a re-key keeps
        # as the integrity key (section 3.10).
        first = "integrity" if "integrity" in self.checks else "database"
        expected = (self.key_check if self.version == 1 else self.checks.get(first, b""))
        actual = (crypto.key_check(data_key, self.vault_id) if self.version == 1 else
                  sealing.key_check(data_key, self.vault_id, first, self.epoch_of(first)))
        if not hmac.compare_digest(actual, expected):
            raise damaged_keyslots()
        return data_key


REKEY_STATES = ("prepared", "copied")


def _rekey_record(record: Any, epochs: dict[str, int]) -> dict[str, Any] | None:
    """The re-key record as stored, after checking its shape (section 3.10): the next
    generation of the database key and of each content key it changes, each with its
    16-byte check value and its grants as objects."""
    if record is None:
        return None
    if not isinstance(record, dict) or record.get("state") not in REKEY_STATES:
        raise ValueError("a malformed re-key record")
    _next_generation(record, epochs.get("database", 1))
    content = record.get("content", {})
    if not isinstance(content, dict) or not set(content) <= {"case", "health", "legal"}:
        raise ValueError("a malformed re-key record")
    for name, entry in content.items():
        if not isinstance(entry, dict) or name not in epochs:
            raise ValueError("a malformed re-key record")
        _next_generation(entry, epochs[name])
    return record


def _next_generation(entry: dict[str, Any], current_epoch: int) -> None:
    if (type(entry.get("epoch")) is not int or entry["epoch"] != current_epoch + 1
            or not isinstance(entry.get("grants"), dict)
            or len(_unb64(entry["check"])) != 16
            or not all(isinstance(g, dict) for g in entry["grants"].values())):
        raise ValueError("a malformed re-key record")


def damaged_keyslots() -> VaultDamaged:
    return VaultDamaged(
        _(
            "The key file keyslots.json is damaged or has been edited, so it cannot be trusted. "
            "Restore it from the vault's backups folder; the database itself was not changed."
        )
    )
