"""The SQLite header of cases.db, read from the encrypted first page (docs/VAULT_FORMAT.md § 6.4).

SQLite answers ``PRAGMA page_count`` only after parsing the whole schema.  With SQLCipher's
memory security on, every allocation SQLite makes is locked and wiped one system call at a
time, so that parse costs several milliseconds.  The opening check that the file is not cut
short reads the page count here instead, from page 1 decrypted with the data key.  The page
is authenticated first, exactly as SQLCipher does (§ 6.2 and § 14), so a damaged page is
never believed.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

PAGE_SIZE = 4096
RESERVE = 80  # 16-byte IV, then the 64-byte HMAC-SHA512
SALT_BYTES = 16
HMAC_SALT_MASK = 0x3A
WAL_VERSION = 2


class HeaderUnreadable(ValueError):
    """Page 1 is short, or its HMAC does not match the data key."""


@dataclass(frozen=True)
class Header:
    page_size: int
    write_version: int
    read_version: int
    page_count: int  # 0 when the header's own count is not valid
    application_id: int
    user_version: int

    @property
    def wal(self) -> bool:
        return self.write_version == WAL_VERSION and self.read_version == WAL_VERSION


def read_header(path: Path, data_key: bytes) -> Header:
    with path.open("rb") as handle:
        page = handle.read(PAGE_SIZE)
    if len(page) < PAGE_SIZE:
        raise HeaderUnreadable("page 1 is short")
    salt = page[:SALT_BYTES]
    body = page[SALT_BYTES:PAGE_SIZE - RESERVE]
    iv = page[PAGE_SIZE - RESERVE:PAGE_SIZE - 64]
    tag = page[PAGE_SIZE - 64:]
    hmac_key = _hmac_key(data_key, salt)
    expected = hmac.new(hmac_key, body + iv + struct.pack("<I", 1), hashlib.sha512).digest()
    if not hmac.compare_digest(expected, tag):
        raise HeaderUnreadable("page 1 does not authenticate")
    # Only the first block of the header is needed; CBC decrypts it without the rest.
    decryptor = Cipher(algorithms.AES(data_key), modes.CBC(iv)).decryptor()
    plain = b"SQLite format 3\0" + decryptor.update(body[:96]) + decryptor.finalize()
    page_size = struct.unpack(">H", plain[16:18])[0]
    change_counter, page_count = struct.unpack(">II", plain[24:32])
    valid_for = struct.unpack(">I", plain[92:96])[0]
    return Header(
        page_size=65536 if page_size == 1 else page_size,
        write_version=plain[18],
        read_version=plain[19],
        # SQLite trusts its in-header size only when written by a version that keeps it.
        page_count=page_count if change_counter == valid_for else 0,
        application_id=struct.unpack(">I", plain[68:72])[0],
        user_version=struct.unpack(">I", plain[60:64])[0],
    )


BTREE_PAGE_TYPES = frozenset({0x02, 0x05, 0x0A, 0x0D})
PAGES_TRIED = 16


def _hmac_key(data_key: bytes, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha512", data_key, bytes(b ^ HMAC_SALT_MASK for b in salt), 2, 32)


def _reads_as_btree(page: bytes, data_key: bytes) -> bool:
    """Whether *page* decrypts under *data_key* to a b-tree page header that holds together.

    Under another key the first block decrypts to noise, which passes these checks about
    once in a hundred million pages."""
    iv = page[PAGE_SIZE - RESERVE:PAGE_SIZE - 64]
    decryptor = Cipher(algorithms.AES(data_key), modes.CBC(iv)).decryptor()
    plain = decryptor.update(page[:16]) + decryptor.finalize()
    usable = PAGE_SIZE - RESERVE
    freeblock, cells, content = struct.unpack(">HHH", plain[1:7])
    header = 8 if plain[0] in (0x0A, 0x0D) else 12
    return (plain[0] in BTREE_PAGE_TYPES and (freeblock == 0 or header <= freeblock < usable)
            and header + 2 * cells <= usable and (content == 0 or header <= content <= usable)
            and plain[7] <= 60)


def key_fits(path: Path, data_key: bytes) -> bool | None:
    """Whether *path* is encrypted under *data_key*, judged from pages 2 to 17 when page 1
    does not open: True if any of them authenticates (with the file's salt) or decrypts to
    a sound b-tree page; False if none does (another vault's database, or one from before a
    re-key); None when the file is too short to tell or those pages are all zeros.  A
    damaged page 1, salt included, still leaves the file's other pages readable, so damage
    is never taken for another key."""
    try:
        with path.open("rb") as handle:
            salt = handle.read(SALT_BYTES)
            handle.seek(PAGE_SIZE)
            rest = handle.read(PAGE_SIZE * PAGES_TRIED)
    except OSError:
        return None
    pages = [rest[i:i + PAGE_SIZE] for i in range(0, len(rest) - PAGE_SIZE + 1, PAGE_SIZE)]
    if not pages:
        return None
    hmac_key = _hmac_key(data_key, salt) if len(salt) == SALT_BYTES else None
    tried = 0
    for number, page in enumerate(pages, start=2):
        if not any(page):
            continue  # zeroed: damage, and no sign of any key
        tried += 1
        body, tag = page[:PAGE_SIZE - 64], page[PAGE_SIZE - 64:]
        if hmac_key is not None and hmac.compare_digest(
                hmac.new(hmac_key, body + struct.pack("<I", number), hashlib.sha512).digest(),
                tag):
            return True
        if _reads_as_btree(page, data_key):
            return True
    return False if tried else None
