"""Opening a vault: the safe order, and every kind of bad input giving its own clear message.

Each failure case checks three things a user would notice: the exception type (so the
interface can say the right thing), that nothing on disk was changed or created, and that the
vault still opens normally once the damage is undone.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from shelter_app.errors import (
    AccountDisabled,
    UnknownUser,
    VaultDamaged,
    VaultExists,
    VaultInUse,
    VaultMissing,
    VaultTooNew,
    WrongPassphrase,
)
from shelter_app.vault.connection import APPLICATION_ID
from shelter_app.vault.migrate import latest_version
from shelter_app.vault.vault import OpenVault, Vault
from tests.conftest import (
    ADMIN_PASS,
    FAST_KDF,
    ORG,
    TEMP_PASS,
    add_user,
    raw_connect,
    signed_in,
    unwrap_data_key,
)


def _digest(folder: Path) -> dict[str, str]:
    """Every file under the vault folder (except the lock) with the hash of its bytes."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in ("vault.lock", "signin-attempts.json")
    }


def _unlock(vault_dir: Path, username: str = "admin", passphrase: str = ADMIN_PASS) -> None:
    """Unlock and close again; raises what unlocking raises."""
    with Vault.open(vault_dir, kdf=FAST_KDF) as vault:
        opened, _report = vault.unlock(username, passphrase)
        opened.close()


# -- the happy path ----------------------------------------------------------------
def test_new_vault_is_encrypted_and_opened_in_the_safe_order(closed_vault: Path) -> None:
    db = closed_vault / "cases.db"
    assert not db.read_bytes().startswith(b"SQLite format 3"), "cases.db must be encrypted"
    assert {p.name for p in closed_vault.iterdir()} >= {"cases.db", "keyslots.json", "backups"}
    with Vault.open(closed_vault, kdf=FAST_KDF) as vault:
        opened, report = vault.unlock("admin", ADMIN_PASS)
        try:
            raw = opened.db.raw
            assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert raw.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
            assert raw.execute("PRAGMA temp_store").fetchone()[0] == 2  # MEMORY
            assert raw.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
            assert raw.execute("PRAGMA user_version").fetchone()[0] == latest_version()
            assert raw.execute("PRAGMA cipher_memory_security").fetchone()[0] == "1"
            assert raw.execute("PRAGMA cache_size").fetchone()[0] == -65536
            assert (closed_vault / "cases.db-wal").exists()
        finally:
            opened.close()
    assert report.failed_attempts == 0
    assert report.must_change_passphrase is False


def test_stock_sqlite_cannot_read_the_database(closed_vault: Path) -> None:
    import sqlite3

    conn = sqlite3.connect(closed_vault / "cases.db")
    with pytest.raises(sqlite3.DatabaseError):
        conn.execute("SELECT * FROM users").fetchall()
    conn.close()


def test_create_refuses_a_folder_that_holds_a_vault(closed_vault: Path) -> None:
    before = _digest(closed_vault)
    with pytest.raises(VaultExists):
        Vault.create(closed_vault, organisation=ORG, admin_username="admin",
                     admin_passphrase=ADMIN_PASS, kdf=FAST_KDF)
    assert _digest(closed_vault) == before


def test_create_refuses_a_zero_length_database_left_in_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "v"
    folder.mkdir()
    (folder / "cases.db").write_bytes(b"")
    with pytest.raises(VaultExists):
        Vault.create(folder, organisation=ORG, admin_username="admin",
                     admin_passphrase=ADMIN_PASS, kdf=FAST_KDF)


# -- who is signing in -------------------------------------------------------------
def test_wrong_passphrase(closed_vault: Path) -> None:
    before = _digest(closed_vault)
    with pytest.raises(WrongPassphrase) as info:
        _unlock(closed_vault, passphrase=ADMIN_PASS + "!")
    assert "passphrase is not correct" in str(info.value)
    assert ADMIN_PASS not in str(info.value)
    assert _digest(closed_vault) == before
    _unlock(closed_vault)


def test_unknown_user(closed_vault: Path) -> None:
    with pytest.raises(UnknownUser) as info:
        _unlock(closed_vault, username="nobody")
    assert "no account" in str(info.value)


def test_user_name_is_matched_without_case_or_spaces(closed_vault: Path) -> None:
    _unlock(closed_vault, username="  ADMIN ")


def test_disabled_user_gets_its_own_message(created: tuple[Vault, OpenVault, str],
                                            admin: object, vault_dir: Path) -> None:
    from shelter_app.services.registry import Services

    assert isinstance(admin, Services)
    add_user(admin, "casey", "caseworker")
    admin.accounts.disable("casey")
    admin.lock()
    created[0].close()
    with pytest.raises(AccountDisabled) as info:
        _unlock(vault_dir, "casey", TEMP_PASS)
    assert "disabled" in str(info.value)


# -- the database file -------------------------------------------------------------
def test_missing_database_is_refused_and_never_recreated(closed_vault: Path) -> None:
    (closed_vault / "cases.db").unlink()
    with pytest.raises(VaultMissing) as info:
        _unlock(closed_vault)
    assert "missing" in str(info.value)
    assert not (closed_vault / "cases.db").exists()


def test_zero_length_database_is_refused_and_left_alone(closed_vault: Path) -> None:
    (closed_vault / "cases.db").write_bytes(b"")
    with pytest.raises(VaultMissing) as info:
        _unlock(closed_vault)
    assert "empty" in str(info.value)
    assert (closed_vault / "cases.db").stat().st_size == 0


def test_a_folder_named_cases_db_is_called_a_folder(closed_vault: Path) -> None:
    (closed_vault / "cases.db").rename(closed_vault / "kept.db")
    (closed_vault / "cases.db").mkdir()
    with pytest.raises(VaultDamaged) as info:
        _unlock(closed_vault)
    assert "is a folder, not the database file" in str(info.value)
    assert (closed_vault / "cases.db").is_dir() and not any((closed_vault / "cases.db").iterdir())


def test_an_unencrypted_sqlite_file_is_called_what_it_is(closed_vault: Path) -> None:
    import sqlite3

    (closed_vault / "cases.db").unlink()
    plain = sqlite3.connect(closed_vault / "cases.db")
    plain.execute("CREATE TABLE t (x)")
    plain.commit()
    plain.close()
    before = (closed_vault / "cases.db").read_bytes()
    with pytest.raises(VaultDamaged) as info:
        _unlock(closed_vault)
    assert "unencrypted SQLite database" in str(info.value)
    assert (closed_vault / "cases.db").read_bytes() == before


def test_folder_without_a_vault(tmp_path: Path) -> None:
    with pytest.raises(VaultMissing):
        Vault.open(tmp_path / "does-not-exist", kdf=FAST_KDF)
    (tmp_path / "empty").mkdir()
    with pytest.raises(VaultMissing):
        Vault.open(tmp_path / "empty", kdf=FAST_KDF)
    assert list((tmp_path / "empty").iterdir()) == []


@pytest.mark.parametrize("keep", [0.5, 0.9, 4096 / 1e9])
def test_truncated_database(closed_vault: Path, keep: float) -> None:
    db = closed_vault / "cases.db"
    whole = db.read_bytes()
    cut = whole[: max(4096, int(len(whole) * keep)) // 4096 * 4096 - (100 if keep < 1 else 0)]
    db.write_bytes(cut)
    with pytest.raises(VaultDamaged) as info:
        _unlock(closed_vault)
    assert "damaged" in str(info.value)
    assert "passphrase was accepted" in str(info.value)
    assert db.read_bytes() == cut, "a failed open must not write to the file"
    db.write_bytes(whole)
    _unlock(closed_vault)


@pytest.mark.parametrize("offset", [0, 5, 100, 1000])
def test_flipped_byte_in_the_first_page(closed_vault: Path, offset: int) -> None:
    db = closed_vault / "cases.db"
    whole = db.read_bytes()
    damaged = bytearray(whole)
    damaged[offset] ^= 0x01
    db.write_bytes(bytes(damaged))
    with pytest.raises(VaultDamaged) as info:
        _unlock(closed_vault)
    assert "cases.db is damaged" in str(info.value)
    assert db.read_bytes() == bytes(damaged)
    db.write_bytes(whole)
    _unlock(closed_vault)


def test_flipped_byte_in_every_page_is_found(closed_vault: Path) -> None:
    """Wherever the byte is, either unlocking says the file is damaged or verify does."""
    with signed_in(closed_vault) as s:
        for i in range(40):  # a few more pages
            s.settings.set("window_title", f"Shelter {i:03d}")
    db = closed_vault / "cases.db"
    whole = db.read_bytes()
    pages = len(whole) // 4096
    assert pages >= 8
    for page in range(pages):
        damaged = bytearray(whole)
        damaged[page * 4096 + 2048] ^= 0x80
        db.write_bytes(bytes(damaged))
        try:
            with signed_in(closed_vault) as s:
                report = s.vault_admin.verify()
            found = not report.ok
        except VaultDamaged:
            found = True
        assert found, f"a flipped byte in page {page + 1} went unnoticed"
    db.write_bytes(whole)
    with signed_in(closed_vault) as s:
        report = s.vault_admin.verify()
    assert not report.database_problems and report.chain.ok
    # The sessions on the damaged copies moved the key file's anchor past what the file put
    # back holds: that is a database put back from an older copy, and it is named.
    assert not report.anchors_ok
    assert any(line.strip().startswith("Key file: event #") for line in report.lines())


def test_damaged_page_is_reported_by_verify_not_as_a_read_only_folder(
    closed_vault: Path,
) -> None:
    """A page that fails authentication makes SQLCipher refuse writes as "readonly"; the user
    must hear that the file is damaged, not that the folder cannot be written."""
    with signed_in(closed_vault) as s:
        for i in range(40):
            s.settings.set("window_title", f"Shelter {i:03d}")
    db = closed_vault / "cases.db"
    whole = db.read_bytes()
    messages = []
    for page in range(1, len(whole) // 4096):
        damaged = bytearray(whole)
        damaged[page * 4096 + 2048] ^= 0x80
        db.write_bytes(bytes(damaged))
        try:
            with signed_in(closed_vault) as s:
                report = s.vault_admin.verify()
                messages.append(" ".join(report.lines()))
        except VaultDamaged as exc:
            messages.append(str(exc))
    assert messages
    assert not any("read-only" in m for m in messages), messages
    assert all("damaged" in m for m in messages), messages


def test_database_from_another_vault_is_refused(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    for folder in (one, two):
        vault, opened, _key = Vault.create(folder, organisation=ORG, admin_username="admin",
                                           admin_passphrase=ADMIN_PASS, kdf=FAST_KDF)
        opened.close()
        vault.close()
    shutil.copyfile(two / "cases.db", one / "cases.db")
    with pytest.raises(VaultDamaged):
        _unlock(one)


@pytest.mark.parametrize("journal", ["wal", "delete"])
def test_newer_schema_version_is_refused_unchanged(closed_vault: Path, journal: str) -> None:
    """Also in rollback-journal mode, and with a schema this version cannot even parse:
    the version is read from the header before anything parses the schema or writes."""
    conn = raw_connect(closed_vault, unwrap_data_key(closed_vault))
    conn.execute(f"PRAGMA journal_mode = {journal}")
    conn.execute("CREATE TABLE later (id INTEGER PRIMARY KEY, g TEXT AS (id) VIRTUAL)")
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_schema SET sql = 'CREATE TABLE later (id INTEGER PRIMARY KEY,"
                 " g TEXT FROM THE FUTURE)' WHERE name = 'later'")
    conn.execute("PRAGMA writable_schema = OFF")
    conn.execute(f"PRAGMA user_version = {latest_version() + 1}")
    conn.close()
    before = _digest(closed_vault)
    with pytest.raises(VaultTooNew) as info:
        _unlock(closed_vault)
    assert f"database version {latest_version() + 1}" in str(info.value)
    assert _digest(closed_vault) == before
    assert not list((closed_vault / "backups").glob("cases-*.db")), "no backup, no migration"


def test_wrong_passphrase_damaged_and_too_new_are_three_different_errors(
    tmp_path: Path,
) -> None:
    def fresh(name: str) -> Path:
        vault, opened, _key = Vault.create(tmp_path / name, organisation=ORG,
                                           admin_username="admin", admin_passphrase=ADMIN_PASS,
                                           kdf=FAST_KDF)
        opened.close()
        vault.close()
        return tmp_path / name

    caught: list[Exception] = []
    wrong = fresh("wrong")
    damaged = fresh("damaged")
    data = bytearray((damaged / "cases.db").read_bytes())
    data[50] ^= 1
    (damaged / "cases.db").write_bytes(bytes(data))
    newer = fresh("newer")
    conn = raw_connect(newer, unwrap_data_key(newer))
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    for folder, passphrase in ((wrong, "not the passphrase"), (damaged, ADMIN_PASS),
                               (newer, ADMIN_PASS)):
        with pytest.raises(Exception) as info:
            _unlock(folder, passphrase=passphrase)
        caught.append(info.value)
    assert [type(e) for e in caught] == [WrongPassphrase, VaultDamaged, VaultTooNew]
    assert len({str(e) for e in caught}) == 3
    assert not isinstance(caught[0], VaultDamaged | VaultTooNew)
    assert not isinstance(caught[1], WrongPassphrase | VaultTooNew)


# -- one process at a time ---------------------------------------------------------
def test_second_instance_in_this_process_is_refused(closed_vault: Path) -> None:
    with Vault.open(closed_vault, kdf=FAST_KDF):
        with pytest.raises(VaultInUse) as info:
            Vault.open(closed_vault, kdf=FAST_KDF)
        assert "already open" in str(info.value)
        # building a Vault by hand does not get round the lock either
        with pytest.raises(VaultInUse):
            Vault(closed_vault, kdf=FAST_KDF).unlock("admin", ADMIN_PASS)
    _unlock(closed_vault)  # released on close


def test_second_instance_in_another_process_is_refused(closed_vault: Path) -> None:
    script = (
        "import sys\n"
        "from shelter_app.errors import VaultInUse\n"
        "from shelter_app.vault.vault import Vault\n"
        "try:\n"
        "    Vault.open(sys.argv[1])\n"
        "except VaultInUse:\n"
        "    sys.exit(3)\n"
    )
    with Vault.open(closed_vault, kdf=FAST_KDF):
        held = subprocess.run([sys.executable, "-c", script, str(closed_vault)], check=False)
    assert held.returncode == 3
    free = subprocess.run([sys.executable, "-c", script, str(closed_vault)], check=False)
    assert free.returncode == 0


# -- passphrases in every language ------------------------------------------------
VIETNAMESE = "Tôi yêu tiếng Việt lắm"
PASSPHRASES = {
    "arabic": "كلمة المرور السرية للملجأ",
    "vietnamese": VIETNAMESE,
    "emoji": "🏠🔑 safe harbour 🌊🕊️",
}


@pytest.mark.parametrize("language", sorted(PASSPHRASES))
def test_unicode_passphrases_work(tmp_path: Path, language: str) -> None:
    passphrase = PASSPHRASES[language]
    vault, opened, _key = Vault.create(tmp_path / "v", organisation=ORG, admin_username="admin",
                                       admin_passphrase=passphrase, kdf=FAST_KDF)
    opened.close()
    vault.close()
    _unlock(tmp_path / "v", passphrase=passphrase)
    with pytest.raises(WrongPassphrase):
        _unlock(tmp_path / "v", passphrase=passphrase[:-1])


def test_nfc_and_nfd_forms_of_the_same_passphrase_open_the_slot(tmp_path: Path) -> None:
    nfc = unicodedata.normalize("NFC", VIETNAMESE)
    nfd = unicodedata.normalize("NFD", VIETNAMESE)
    assert nfc != nfd and len(nfd) > len(nfc)
    vault, opened, _key = Vault.create(tmp_path / "v", organisation=ORG, admin_username="admin",
                                       admin_passphrase=nfd, kdf=FAST_KDF)
    opened.close()
    vault.close()
    _unlock(tmp_path / "v", passphrase=nfc)
    _unlock(tmp_path / "v", passphrase=nfd)


def test_one_megabyte_passphrase_is_refused_quickly(closed_vault: Path) -> None:
    import time

    huge = "x" * 1_000_000
    start = time.perf_counter()
    with pytest.raises(WrongPassphrase):
        _unlock(closed_vault, passphrase=huge)
    assert time.perf_counter() - start < 2.0
    _unlock(closed_vault)
