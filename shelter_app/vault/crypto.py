"""Key derivation and key wrapping for keyslots (format: docs/VAULT_FORMAT.md)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

DATA_KEY_BYTES = 32
SALT_BYTES = 16
NONCE_BYTES = 12
ARGON2_VERSION = 19
CHECK_LABEL = b"shelter-app keyslot check v1"
KEY_CHECK_LABEL = b"shelter-app key check v1"
SLOT_AAD_LABEL = b"shelter-app keyslot v1"


@dataclass(frozen=True)
class KdfParams:
    memory_kib: int
    iterations: int
    parallelism: int

    def at_most(self, maximum: KdfParams) -> bool:
        return (
            self.memory_kib <= maximum.memory_kib
            and self.iterations <= maximum.iterations
            and self.parallelism <= maximum.parallelism
        )

    def at_least(self, minimum: KdfParams) -> bool:
        return (
            self.memory_kib >= minimum.memory_kib
            and self.iterations >= minimum.iterations
            and self.parallelism >= minimum.parallelism
        )


# An edited key file must not make sign-in take all memory or hang: anything above this is
# refused as damage (16 times the production memory, 10 times its passes).
KDF_MAXIMUM = KdfParams(memory_kib=1024 * 1024, iterations=32, parallelism=16)


@dataclass(frozen=True)
class KdfPolicy:
    """Parameters for new keyslots, and the floor below which a keyslot is refused."""

    default: KdfParams
    minimum: KdfParams


PRODUCTION_KDF = KdfPolicy(
    default=KdfParams(memory_kib=64 * 1024, iterations=3, parallelism=4),
    minimum=KdfParams(memory_kib=64 * 1024, iterations=3, parallelism=1),
)


def normalise_passphrase(passphrase: str) -> bytes:
    """NFC-normalised UTF-8: the same passphrase typed on any keyboard gives the same key."""
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


@dataclass(frozen=True)
class DerivedKeys:
    wrap_key: bytes
    check: bytes


def derive(passphrase: str, salt: bytes, params: KdfParams) -> DerivedKeys:
    """Argon2id → 64 bytes: the first 32 wrap the data key, the last 32 give the check value."""
    raw = hash_secret_raw(
        secret=normalise_passphrase(passphrase),
        salt=salt,
        time_cost=params.iterations,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=64,
        type=Type.ID,
        version=ARGON2_VERSION,
    )
    check = hmac.new(raw[32:], CHECK_LABEL, hashlib.sha256).digest()[:16]
    return DerivedKeys(wrap_key=raw[:32], check=check)


def slot_aad(vault_id: str, user_id: str) -> bytes:
    return b"\0".join((SLOT_AAD_LABEL, vault_id.encode("utf-8"), user_id.encode("utf-8")))


def wrap(wrap_key: bytes, data_key: bytes, aad: bytes) -> tuple[bytes, bytes]:
    """AES-256-GCM; returns (nonce, ciphertext with its 16-byte tag appended)."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce, AESGCM(wrap_key).encrypt(nonce, data_key, aad)


def unwrap(wrap_key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes:
    """Raises cryptography's InvalidTag when the slot was altered."""
    return AESGCM(wrap_key).decrypt(nonce, ciphertext, aad)


def key_check(data_key: bytes, vault_id: str) -> bytes:
    """A value that tells whether an unwrapped key belongs to this vault's database."""
    return hmac.new(data_key, KEY_CHECK_LABEL + vault_id.encode("utf-8"), hashlib.sha256).digest()[
        :16
    ]


def subkey(data_key: bytes, purpose: str) -> bytes:
    """A 32-byte key for *purpose* (the audit chain, attachments…) derived with HKDF-SHA256."""
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=f"shelter-app {purpose}".encode()
    ).derive(data_key)


def new_data_key() -> bytes:
    return secrets.token_bytes(DATA_KEY_BYTES)


def new_salt() -> bytes:
    return secrets.token_bytes(SALT_BYTES)


# -- recovery keys -----------------------------------------------------------------
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECOVERY_KEY_BITS = 160


def new_recovery_key() -> str:
    """160 random bits as 32 Crockford base-32 characters in eight groups of four."""
    value = secrets.randbits(RECOVERY_KEY_BITS)
    chars = "".join(_CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(32)))
    return "-".join(chars[i : i + 4] for i in range(0, 32, 4))


def normalise_recovery_key(text: str) -> str | None:
    """Accepts any case, spaces or dashes and the usual look-alikes; None if it cannot be one."""
    text = unicodedata.normalize("NFKC", text).upper()
    cleaned = "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch) != "Pd")
    cleaned = cleaned.translate(str.maketrans("OIL", "011"))
    if len(cleaned) != 32 or any(ch not in _CROCKFORD for ch in cleaned):
        return None
    return "-".join(cleaned[i : i + 4] for i in range(0, 32, 4))
