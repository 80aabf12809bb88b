"""Survivor fields sealed under a content key (docs/VAULT_FORMAT.md, section 7.1).

A sealed field is stored as text in its ordinary column::

    "sf1:" || base64(nonce (12 bytes) || AES-256-GCM ciphertext with its 16-byte tag)

under the content key of the field's class, with ``table``, the row's id and the column
bound as associated data, so a value copied to another row or column does not open.  A
value without the prefix is plain text written before its class was sealed; it is read
as it is and sealed the next time the row is written.  An empty text is stored empty: the
length of its sealed form (44 characters, the least there is) would say it was empty.
"""

from __future__ import annotations

import binascii
import re
import secrets
from typing import overload

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "sf1:"
LABEL = b"shelter-app field v1"
_NONCE = 12
Key = bytes | AESGCM


class FieldDamaged(ValueError):
    """A sealed value that does not open with the key it names: edited or moved."""


def aad(table: str, row_id: str, column: str) -> bytes:
    return b"\0".join((LABEL, table.encode(), row_id.encode(), column.encode()))


_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_SHORTEST = 4 + 40  # the prefix and base64 of a nonce and tag around an empty text


def is_sealed(value: object) -> bool:
    """Whether *value* has the sealed form: the prefix, then base64 of at least a nonce and
    a tag.  Plain text an earlier version wrote that merely starts with the prefix is not.
    A BLOB goes by ``is_sealed_blob``."""
    if isinstance(value, bytes | bytearray | memoryview):
        return is_sealed_blob(value)
    if not isinstance(value, str) or not value.startswith(PREFIX) or len(value) < _SHORTEST:
        return False
    body = value[len(PREFIX):]
    return len(body) % 4 == 0 and _BASE64.fullmatch(body) is not None


@overload
def seal(key: Key, table: str, row_id: str, column: str, value: str) -> str: ...
@overload
def seal(key: Key, table: str, row_id: str, column: str, value: bytes) -> bytes: ...
def seal(key: Key, table: str, row_id: str, column: str, value: str | bytes) -> str | bytes:
    """*value* sealed for one column: text as text, a BLOB (a file) as bytes.  *key* is the
    content key, or a cipher made from it (kept by a session that seals many)."""
    if isinstance(value, bytes):
        return seal_blob(key, table, row_id, column, value)
    if not value:  # an empty text is stored as it is: its sealed form's length says as much
        return value
    return _seal_text(key, table, row_id, column, value)


def _cipher(key: Key) -> AESGCM:
    return key if isinstance(key, AESGCM) else AESGCM(key)


def _seal_text(key: Key, table: str, row_id: str, column: str, text: str) -> str:
    nonce = secrets.token_bytes(_NONCE)
    sealed = _cipher(key).encrypt(nonce, text.encode("utf-8"), aad(table, row_id, column))
    return PREFIX + binascii.b2a_base64(nonce + sealed, newline=False).decode("ascii")


@overload
def open_value(key: Key, table: str, row_id: str, column: str, value: str) -> str: ...
@overload
def open_value(key: Key, table: str, row_id: str, column: str, value: bytes) -> bytes: ...
def open_value(key: Key, table: str, row_id: str, column: str, value: str | bytes
               ) -> str | bytes:
    """The text (or the bytes of a BLOB) of a sealed *value*; a plain one as it is."""
    if isinstance(value, bytes):
        return open_blob(key, table, row_id, column, value)
    if not is_sealed(value):
        return value
    return open_sealed(key, table, row_id, column, value)


def open_sealed(key: Key, table: str, row_id: str, column: str, value: str) -> str:
    """The text of a *value* already known to have the sealed form (``is_sealed``)."""
    try:
        raw = binascii.a2b_base64(value[len(PREFIX):], strict_mode=True)
        plain = _cipher(key).decrypt(raw[:_NONCE], raw[_NONCE:], aad(table, row_id, column))
        return plain.decode("utf-8")
    except (binascii.Error, InvalidTag, UnicodeDecodeError, ValueError) as exc:
        raise FieldDamaged(f"{table}.{column} of one row does not open") from exc


# -- files (attachments' content): the same sealing, as bytes ---------------------------
BLOB_PREFIX = b"sf1\0"


def is_sealed_blob(value: object) -> bool:
    """Whether a BLOB is sealed: the prefix, then at least a nonce and a tag.  No PDF or
    image (what attachments may hold) starts with the prefix."""
    return isinstance(value, bytes | bytearray | memoryview) and bytes(value[:4]) == BLOB_PREFIX \
        and len(value) >= len(BLOB_PREFIX) + _NONCE + 16


def seal_blob(key: Key, table: str, row_id: str, column: str, data: bytes) -> bytes:
    nonce = secrets.token_bytes(_NONCE)
    return BLOB_PREFIX + nonce + _cipher(key).encrypt(nonce, bytes(data),
                                                     aad(table, row_id, column))


def open_blob(key: Key, table: str, row_id: str, column: str, value: bytes) -> bytes:
    """The bytes of a sealed BLOB; a plain one is returned as it is."""
    if not is_sealed_blob(value):
        return bytes(value)
    raw = bytes(value)[len(BLOB_PREFIX):]
    try:
        return _cipher(key).decrypt(raw[:_NONCE], raw[_NONCE:], aad(table, row_id, column))
    except (InvalidTag, ValueError) as exc:
        raise FieldDamaged(f"{table}.{column} of one row does not open") from exc
