"""Account key pairs, keys sealed to an account, and signed account statements.

Format: docs/VAULT_FORMAT.md, sections 3.5 to 3.8.  Every account has an X25519 key pair;
a key is *granted* to it by sealing the key to its public key (ephemeral X25519, HKDF-SHA256,
AES-256-GCM), so anyone who holds a key can give it without knowing the receiver's
passphrase.  The administration key (Ed25519) signs what each account is: its public key
and its roles.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from shelter_app.vault.crypto import NONCE_BYTES

GRANT_LABEL = b"shelter-app grant v2"
PRIVATE_LABEL = b"shelter-app private key v2"
STATEMENT_LABEL = "shelter-app account v2"
KEY_CHECK_LABEL = b"shelter-app key check v2"
INTERIM_LABEL = "migration wrap v2"
_RAW = serialization.Encoding.Raw


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: Any, size: int | None = None) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not base64 text")
    data = base64.b64decode(text.encode("ascii"), validate=True)
    if size is not None and len(data) != size:
        raise ValueError("a key field has the wrong length")
    return data


# -- key pairs -----------------------------------------------------------------------
@dataclass(frozen=True)
class KeyPair:
    private: bytes  # 32 bytes, X25519
    public: bytes  # 32 bytes

    @classmethod
    def new(cls) -> KeyPair:
        return cls.from_private(X25519PrivateKey.generate().private_bytes_raw())

    @classmethod
    def from_private(cls, private: bytes) -> KeyPair:
        key = X25519PrivateKey.from_private_bytes(private)
        return cls(private, key.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw))


def new_signing_key() -> bytes:
    """A new administration key: the 32-byte Ed25519 private key."""
    return Ed25519PrivateKey.generate().private_bytes_raw()


def verify_key_of(signing_key: bytes) -> bytes:
    """The 32-byte Ed25519 public key of *signing_key*."""
    return Ed25519PrivateKey.from_private_bytes(signing_key).public_key().public_bytes(
        _RAW, serialization.PublicFormat.Raw)


def new_content_key() -> bytes:
    return secrets.token_bytes(32)


# -- grants: a key sealed to one account's public key -----------------------------------
def grant_aad(vault_id: str, user_id: str, name: str, epoch: int) -> bytes:
    return b"\0".join((GRANT_LABEL, vault_id.encode(), user_id.encode(), name.encode(),
                       str(epoch).encode()))


def _grant_key(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=ephemeral + recipient,
                info=GRANT_LABEL).derive(shared)


def seal(recipient: bytes, secret: bytes, aad: bytes) -> dict[str, str]:
    """*secret* sealed to the X25519 public key *recipient*."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient))
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(_grant_key(shared, ephemeral_public, recipient)).encrypt(nonce, secret, aad)
    return {"ephemeral": b64(ephemeral_public), "nonce": b64(nonce), "ciphertext": b64(sealed)}


def open_sealed(pair: KeyPair, grant: Any, aad: bytes) -> bytes:
    """The sealed key; raises ValueError when the grant is malformed or was altered."""
    if not isinstance(grant, dict):
        raise ValueError("a grant is not an object")
    ephemeral = unb64(grant.get("ephemeral"), 32)
    nonce = unb64(grant.get("nonce"), NONCE_BYTES)
    sealed = unb64(grant.get("ciphertext"), 48)
    shared = X25519PrivateKey.from_private_bytes(pair.private).exchange(
        X25519PublicKey.from_public_bytes(ephemeral))
    try:
        return AESGCM(_grant_key(shared, ephemeral, pair.public)).decrypt(nonce, sealed, aad)
    except InvalidTag as exc:
        raise ValueError("a grant does not open") from exc


def key_check(key: bytes, vault_id: str, name: str, epoch: int) -> bytes:
    """Tells whether an opened key is the vault's current key of that name."""
    message = b"\0".join((KEY_CHECK_LABEL, vault_id.encode(), name.encode(), str(epoch).encode()))
    return hmac.new(key, message, hashlib.sha256).digest()[:16]


# -- the private part of a keyslot ------------------------------------------------------
def private_aad(vault_id: str, user_id: str) -> bytes:
    return b"\0".join((PRIVATE_LABEL, vault_id.encode(), user_id.encode()))


def wrap_private(wrap_key: bytes, pair: KeyPair, verify_key: bytes, aad: bytes
                 ) -> tuple[bytes, bytes]:
    """The private key and the administration verify key it trusts, under *wrap_key*."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce, AESGCM(wrap_key).encrypt(nonce, pair.private + verify_key, aad)


def unwrap_private(wrap_key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes
                   ) -> tuple[KeyPair, bytes]:
    """(key pair, trusted verify key); raises InvalidTag when altered or the wrong key."""
    plain = AESGCM(wrap_key).decrypt(nonce, ciphertext, aad)
    if len(plain) != 64:
        raise InvalidTag
    return KeyPair.from_private(plain[:32]), plain[32:]


# -- account statements -----------------------------------------------------------------
def statement_bytes(vault_id: str, user_id: str, public_key: bytes, roles: Iterable[str],
                    signed_at: str) -> bytes:
    content = [STATEMENT_LABEL, vault_id, user_id, b64(public_key), sorted(set(roles)),
               signed_at]
    return json.dumps(content, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def sign(signing_key: bytes, message: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(signing_key).sign(message)


def signature_holds(verify_key: bytes, message: bytes, signature: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(verify_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True
