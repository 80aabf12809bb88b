"""The header of cases.db read from its encrypted first page, against what SQLite reports."""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from shelter_app.errors import VaultDamaged
from shelter_app.vault import connection
from shelter_app.vault.connection import APPLICATION_ID, connect
from shelter_app.vault.header import PAGE_SIZE, RESERVE, HeaderUnreadable, read_header
from shelter_app.vault.migrate import latest_version
from shelter_app.vault.vault import OpenVault
from tests.conftest import add_user, raw_connect, signed_in, unwrap_data_key

BODY = slice(16, PAGE_SIZE - RESERVE)


def _rewrite_page_one(db: Path, key: bytes, change: dict[int, bytes]) -> None:
    """Decrypt page 1, overwrite header bytes, encrypt it again with a fresh IV and HMAC."""
    data = bytearray(db.read_bytes())
    page = data[:PAGE_SIZE]
    iv = bytes(page[PAGE_SIZE - RESERVE:PAGE_SIZE - 64])
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    plain = bytearray(b"SQLite format 3\0" + decryptor.update(bytes(page[BODY])))
    for offset, value in change.items():
        plain[offset:offset + len(value)] = value
    new_iv = os.urandom(16)
    encryptor = Cipher(algorithms.AES(key), modes.CBC(new_iv)).encryptor()
    body = encryptor.update(bytes(plain[16:])) + encryptor.finalize()
    salt = bytes(page[:16])
    hmac_key = hashlib.pbkdf2_hmac("sha512", key, bytes(b ^ 0x3A for b in salt), 2, 32)
    tag = hmac.new(hmac_key, body + new_iv + struct.pack("<I", 1), hashlib.sha512).digest()
    data[:PAGE_SIZE] = salt + body + new_iv + tag
    db.write_bytes(bytes(data))


def test_header_agrees_with_sqlite(closed_vault: Path) -> None:
    with signed_in(closed_vault) as services:  # grow the file past its first pages
        for number in range(5):
            add_user(services, f"worker{number}", "caseworker")
    key = unwrap_data_key(closed_vault)
    header = read_header(closed_vault / "cases.db", key)
    raw = raw_connect(closed_vault, key)
    try:
        assert header.page_size == int(raw.execute("PRAGMA page_size").fetchone()[0]) == 4096
        assert header.page_count == raw.execute("PRAGMA page_count").fetchone()[0]
        assert header.page_count * 4096 == (closed_vault / "cases.db").stat().st_size
        assert header.wal and raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert header.application_id == APPLICATION_ID
        assert header.user_version == latest_version()
    finally:
        raw.close()


def test_wrong_key_damage_and_short_file_are_unreadable(closed_vault: Path) -> None:
    db = closed_vault / "cases.db"
    key = unwrap_data_key(closed_vault)
    with pytest.raises(HeaderUnreadable):
        read_header(db, bytes(32))
    whole = db.read_bytes()
    for offset in (0, 20, 2000, PAGE_SIZE - RESERVE + 3, PAGE_SIZE - 1):
        damaged = bytearray(whole)
        damaged[offset] ^= 0x40
        db.write_bytes(bytes(damaged))
        with pytest.raises(HeaderUnreadable):
            read_header(db, key)
    db.write_bytes(whole[:PAGE_SIZE - 1])
    with pytest.raises(HeaderUnreadable):
        read_header(db, key)
    db.write_bytes(whole)
    assert read_header(db, key).application_id == APPLICATION_ID


def test_a_copy_in_rollback_mode_is_unlocked_in_wal_mode(closed_vault: Path) -> None:
    key = unwrap_data_key(closed_vault)
    raw = raw_connect(closed_vault, key)
    assert raw.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
    raw.close()
    db = closed_vault / "cases.db"
    assert not read_header(db, key).wal
    conn = connect(db, key)  # opening alone checks; it does not write
    conn.close()
    assert not read_header(db, key).wal
    with signed_in(closed_vault) as services:
        raw = services.ctx.db.raw
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert read_header(db, key).wal


def test_a_header_without_its_own_page_count_asks_sqlite(closed_vault: Path) -> None:
    """Old writers leave the in-header size invalid; the length check must still work."""
    db = closed_vault / "cases.db"
    key = unwrap_data_key(closed_vault)
    _rewrite_page_one(db, key, {92: b"\xff\xff\xff\xfe"})  # "version-valid-for" no longer matches
    assert read_header(db, key).page_count == 0
    connect(db, key).close()
    whole = db.read_bytes()
    db.write_bytes(whole[:len(whole) // 2 // PAGE_SIZE * PAGE_SIZE])
    with pytest.raises(VaultDamaged):
        connect(db, key)


def test_a_header_naming_another_application_is_refused(closed_vault: Path) -> None:
    db = closed_vault / "cases.db"
    key = unwrap_data_key(closed_vault)
    _rewrite_page_one(db, key, {68: b"ABCD"})
    with pytest.raises(VaultDamaged):
        connect(db, key)


def _statements_of_opening(db: Path, key: bytes, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    real = connection.sqlcipher.connect

    def traced(*args: Any, **kwargs: Any) -> Any:
        conn = real(*args, **kwargs)
        conn.set_trace_callback(seen.append)
        return conn

    with monkeypatch.context() as patch:
        patch.setattr(connection.sqlcipher, "connect", traced)
        connect(db, key).close()
    return [s for s in seen if not s.startswith("PRAGMA key")]


# Statements that make SQLite parse the whole schema before they act.
PARSING = ("PRAGMA journal_mode", "PRAGMA page_count", "PRAGMA synchronous",
           "PRAGMA cache_size", "SELECT")


def test_opening_leaves_the_schema_unparsed(closed_vault: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    key = unwrap_data_key(closed_vault)
    seen = _statements_of_opening(closed_vault / "cases.db", key, monkeypatch)
    assert seen[:4] == ["PRAGMA cipher_memory_security = ON", "PRAGMA cipher_log_level = NONE",
                        "PRAGMA cipher_compatibility = 4", "PRAGMA application_id"]
    if connection._synchronous_full_by_default():
        assert not [s for s in seen if s.startswith(PARSING)], seen


def test_a_build_without_full_sync_by_default_gets_the_pragma(
        closed_vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = unwrap_data_key(closed_vault)
    monkeypatch.setattr(connection, "_synchronous_full_by_default", lambda: False)
    seen = _statements_of_opening(closed_vault / "cases.db", key, monkeypatch)
    assert "PRAGMA synchronous = FULL" in seen
    conn = connect(closed_vault / "cases.db", key)
    try:
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2
    finally:
        conn.close()


def test_the_session_that_creates_a_vault_is_set_up_like_any_other(
        created: tuple[object, OpenVault, str]) -> None:
    raw = created[1].db.raw
    assert raw.execute("PRAGMA cache_size").fetchone()[0] == -65536
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert raw.execute("PRAGMA synchronous").fetchone()[0] == 2
    assert raw.execute("PRAGMA cipher_memory_security").fetchone()[0] == "1"
