"""docs/VAULT_FORMAT.md is right: a vault made by Shelter App opens with stock libraries.

Only the writing side (making a vault to read) uses ``shelter_app``.  The reading side is the
Python code of the document itself: its fenced ``python`` blocks are extracted from the
Markdown and executed, so the document cannot drift from the code without a failing test.
Those blocks may import argon2, cryptography, sqlcipher3 and the standard library only.
"""

from __future__ import annotations

import ast
import base64
import getpass
import hashlib
import hmac
import json
import os
import re
import shutil
import sqlite3
import struct
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from shelter_app.errors import WrongPassphrase
from shelter_app.services.registry import build_services
from shelter_app.vault.migrate import latest_version
from shelter_app.vault.vault import OpenVault, Vault
from tests.conftest import ADMIN_PASS, FAST_KDF, ORG

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "VAULT_FORMAT.md"
MIGRATIONS = ROOT / "shelter_app" / "vault" / "migrations"
STOCK_LIBRARIES = {"argon2", "cryptography", "sqlcipher3"}

ZOE = "Zoë"  # a non-ASCII user name: NFC, case folding and UTF-8 all matter
ZOE_PASS = "temporary passphrase 1"
GONE = "dismissed"
GONE_PASS = "temporary passphrase 2"

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
SECONDS_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
MICROS_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
DB_BACKUP = re.compile(r"^cases-(\d{8}T\d{12})Z-v(\d+)\.db$")


# -- the document ------------------------------------------------------------------------
def _blocks(language: str) -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```$", text, flags=re.MULTILINE | re.DOTALL)


def _python_block(marker: str) -> str:
    found = [b for b in _blocks("python") if marker in b]
    assert len(found) == 1, f"expected one python block containing {marker!r}"
    return found[0]


RECIPE = _python_block("def unwrap_data_key")
PAGE_READER = _python_block("def decrypt_database")


def _run(source: str, name: str) -> dict[str, Any]:
    """Execute a block of the document as its own module and return its namespace."""
    namespace: dict[str, Any] = {"__name__": name}
    exec(compile(source, f"docs/VAULT_FORMAT.md ({name})", "exec"), namespace)  # noqa: S102
    return namespace


@pytest.fixture(scope="module")
def recipe() -> dict[str, Any]:
    return _run(RECIPE, "open_vault")


@pytest.fixture(scope="module")
def page_reader() -> dict[str, Any]:
    return _run(PAGE_READER, "decrypt_pages")


def b64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


# -- a vault made by the application -----------------------------------------------------
@dataclass(frozen=True)
class Made:
    folder: Path
    recovery_key: str
    admin_id: str
    zoe_id: str
    gone_id: str


@pytest.fixture
def made(created: tuple[Vault, OpenVault, str], vault_dir: Path) -> Made:
    """A closed vault with three accounts (one disabled), a backup and failed sign-ins."""
    vault, opened, recovery_key = created
    services = build_services(opened)
    zoe = services.accounts.add(ZOE, ["caseworker"], ZOE_PASS)
    gone = services.accounts.add(GONE, ["legal"], GONE_PASS)
    services.accounts.disable(GONE)
    services.vault_admin.backup()
    admin_id = opened.user_id
    services.lock()
    vault.close()

    again = Vault.open(vault_dir, kdf=FAST_KDF)
    with pytest.raises(WrongPassphrase):
        again.unlock("admin", "not the passphrase at all")
    signed_in, _report = again.unlock("admin", ADMIN_PASS)  # moves the failure into the chain
    signed_in.close()
    with pytest.raises(WrongPassphrase):
        again.unlock(ZOE, "not her passphrase either")  # stays in signin-attempts.json
    again.close()
    return Made(vault_dir, recovery_key, admin_id, zoe.id, gone.id)


def _keyslots(made: Made) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((made.folder / "keyslots.json").read_text(encoding="ascii"))
    return body


def _data_key(made: Made, recipe: dict[str, Any]) -> bytes:
    keyslots = recipe["load_keyslots"](made.folder)
    data_key: bytes = recipe["unwrap_data_key"](
        keyslots, recipe["find_slot"](keyslots, "admin"), ADMIN_PASS
    )
    return data_key


# -- the code of the document uses stock libraries only ----------------------------------
@pytest.mark.parametrize("source", [RECIPE, PAGE_READER], ids=["recipe", "page-reader"])
def test_document_code_imports_only_stock_libraries(source: str) -> None:
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0 and node.module is not None
            imported.add(node.module.split(".")[0])
    foreign = {m for m in imported if m not in STOCK_LIBRARIES | sys.stdlib_module_names}
    assert not foreign
    assert "shelter_app" not in source


# -- test vectors (section 15) -----------------------------------------------------------
def test_example_keyslot_file_is_a_valid_test_vector(recipe: dict[str, Any], tmp_path: Path
                                                      ) -> None:
    example = next(b for b in _blocks("json") if '"shelter-app-keyslots"' in b)
    (tmp_path / "keyslots.json").write_text(example, encoding="ascii")
    keyslots = recipe["load_keyslots"](tmp_path)  # every digest recomputes
    assert keyslots["vault_id"] == "0b6f5a8e-4c2d-4f7a-9e1b-3d5c7a9f2e10"
    assert recipe["name_key"](keyslots["vault_id"], "admin") == "70d3d95dd8d9ab4865171fd7922023b0"
    admin = recipe["find_slot"](keyslots, "ADMIN")
    assert admin["user_id"] == "5d2c9b1e-7a3f-4e8d-b6c4-1f0a2e3d4c5b"
    assert admin["kdf"]["memory_kib"] == 65536 and admin["kdf"]["iterations"] == 3
    expected = bytes(range(32))
    assert recipe["unwrap_data_key"](keyslots, admin, "correct horse battery staple") == expected
    typed = recipe["normalise_recovery_key"]("7k3d qw9x m2zt 8hjr c4vn p6yb osae lfg5")
    assert typed == "7K3D-QW9X-M2ZT-8HJR-C4VN-P6YB-0SAE-1FG5"
    assert recipe["unwrap_data_key"](keyslots, recipe["find_slot"](keyslots), typed) == expected


def test_audit_chain_test_vector() -> None:
    block = next(b for b in _blocks("text") if b.startswith("audit key"))
    lines = [line.split(None, 2) for line in block.splitlines()]
    values = {f"{words[0]} {words[1]}": words[2] for words in lines if len(words) == 3}
    audit_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                     info=b"shelter-app audit chain v1").derive(bytes(range(32)))
    assert audit_key.hex() == values["audit key"]
    prev = bytes(32)
    for n in (1, 2):
        text = values[f"content {n}"]
        content = json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))
        assert content == text  # the printed content is canonical
        mac = hmac.new(audit_key, prev + content.encode("utf-8"), hashlib.sha256).digest()
        assert mac.hex() == values[f"hmac {n}"]
        prev = mac
    head = next(words for words in lines if words[0] == "audit_head")
    assert head[1] == f"2:{prev.hex()}"


def test_anchor_test_vector() -> None:
    """Section 15's anchor and fingerprint, recomputed from section 8.6's words and by the
    application's own code."""
    block = next(b for b in _blocks("text") if b.startswith("anchor key"))
    values = {f"{w[0]} {w[1]}": w[2] for w in (line.split() for line in block.splitlines())}
    vault_id = "0b6f5a8e-4c2d-4f7a-9e1b-3d5c7a9f2e10"
    event_hmac = bytes.fromhex(
        "07ab318b03c707852417b5ade35f434140f9b7b950f6000c1de4f88fef6612ab")
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=b"shelter-app audit anchor v1").derive(bytes(range(32)))
    assert key.hex() == values["anchor key"]
    message = b"\0".join([b"shelter-app audit anchor v1", vault_id.encode(), b"2",
                          event_hmac.hex().encode(), b"2026-04-02T10:15:01Z"])
    assert hmac.new(key, message, hashlib.sha256).hexdigest() == values["anchor mac"]
    digest = hmac.new(key, b"\0".join([b"shelter-app audit fingerprint v1",
                                       vault_id.encode(), b"2", event_hmac]),
                      hashlib.sha256).digest()
    bits = int.from_bytes(digest[:10], "big")
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    chars = "".join(alphabet[(bits >> (5 * i)) & 31] for i in reversed(range(16)))
    written = "#2 " + "-".join(chars[i:i + 4] for i in range(0, 16, 4))
    assert values["fingerprint #2"] == written.removeprefix("#2 ")
    # and the application computes the same
    from shelter_app.vault import anchors

    assert anchors.anchor_key(bytes(range(32))) == key
    made = anchors.Anchor(2, event_hmac, "2026-04-02T10:15:01Z").to_json(key, vault_id)
    assert made["mac"] == values["anchor mac"]
    assert anchors.format_fingerprint(
        2, anchors.fingerprint_code(key, vault_id, 2, event_hmac)) == written


# -- the folder --------------------------------------------------------------------------
def test_folder_layout(made: Made) -> None:
    names = {p.name for p in made.folder.iterdir()}
    assert names == {"cases.db", "keyslots.json", "signin-attempts.json", "vault.lock", "backups"}
    assert (made.folder / "vault.lock").read_bytes() == b""  # emptied on a clean close
    raw = (made.folder / "cases.db").read_bytes()
    assert not raw.startswith(b"SQLite format 3\0")  # the first 16 bytes are the salt
    assert len(raw) % 4096 == 0
    backups = sorted(p.name for p in (made.folder / "backups").iterdir())
    databases = [DB_BACKUP.match(n) for n in backups if n.startswith("cases-")]
    assert len(databases) == 1 and all(databases)
    assert [n for n in backups if n.startswith("keyslots")] == ["keyslots.json"]
    mirror = made.folder / "backups" / "keyslots.json"
    assert mirror.read_bytes() == (made.folder / "keyslots.json").read_bytes()
    if os.name == "posix":
        assert made.folder.stat().st_mode & 0o777 == 0o700
        assert (made.folder / "backups").stat().st_mode & 0o777 == 0o700
        for name in ("keyslots.json", "signin-attempts.json", "vault.lock"):
            assert (made.folder / name).stat().st_mode & 0o777 == 0o600


def test_wal_files_exist_only_while_open(made: Made) -> None:
    vault = Vault.open(made.folder, kdf=FAST_KDF)
    opened, _report = vault.unlock("admin", ADMIN_PASS)
    try:
        assert (made.folder / "cases.db-wal").exists()
        assert (made.folder / "cases.db-shm").exists()
    finally:
        opened.close()
        vault.close()
    assert not (made.folder / "cases.db-wal").exists()
    assert not (made.folder / "cases.db-shm").exists()


@pytest.mark.skipif(os.name != "posix", reason="flock is the POSIX lock")
def test_lock_file(made: Made) -> None:
    import fcntl

    lock = made.folder / "vault.lock"
    vault = Vault.open(made.folder, kdf=FAST_KDF)
    try:
        assert lock.read_text(encoding="ascii") == f"{os.getpid()}\n"
        with lock.open("rb") as other, pytest.raises(BlockingIOError):
            fcntl.flock(other.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        vault.close()
    assert lock.read_bytes() == b""
    with lock.open("rb") as other:
        fcntl.flock(other.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # free again


# -- keyslots.json -----------------------------------------------------------------------
def test_keyslot_file_fields(made: Made, recipe: dict[str, Any]) -> None:
    raw = (made.folder / "keyslots.json").read_bytes()
    body = json.loads(raw.decode("ascii"))
    assert raw.decode("ascii") == json.dumps(body, indent=2, ensure_ascii=True) + "\n"
    assert list(body) == ["format", "version", "vault_id", "key_check", "slots", "audit_anchor"]
    assert body["format"] == "shelter-app-keyslots" and body["version"] == 1
    assert UUID4.match(body["vault_id"])
    assert len(b64(body["key_check"])) == 16

    slots = {s["user_id"]: s for s in body["slots"]}
    assert set(slots) == {made.admin_id, made.zoe_id, made.gone_id, "recovery"}
    active_fields = ["kind", "user_id", "name_key", "status", "created_at", "kdf", "aead",
                     "check", "digest"]
    for slot in body["slots"]:
        assert slot["digest"] == recipe["slot_digest"](slot)
        assert re.fullmatch(r"[0-9a-f]{32}", slot["digest"])
        assert SECONDS_UTC.match(slot["created_at"])
        if slot["status"] == "disabled":
            assert list(slot) == ["kind", "user_id", "name_key", "status", "created_at", "digest"]
            continue
        assert slot["status"] == "active" and list(slot) == active_fields
        assert slot["kdf"] == {
            "algorithm": "argon2id", "version": 19,
            "memory_kib": FAST_KDF.default.memory_kib,
            "iterations": FAST_KDF.default.iterations,
            "parallelism": FAST_KDF.default.parallelism,
            "salt": slot["kdf"]["salt"],
        }
        assert len(b64(slot["kdf"]["salt"])) == 16
        assert slot["aead"]["algorithm"] == "AES-256-GCM"
        assert len(b64(slot["aead"]["nonce"])) == 12
        assert len(b64(slot["aead"]["ciphertext"])) == 32 + 16
        assert len(b64(slot["check"])) == 16

    vault_id = body["vault_id"]
    name_key = recipe["name_key"]
    assert slots[made.admin_id]["kind"] == "user"
    assert slots[made.admin_id]["name_key"] == name_key(vault_id, "admin")
    assert slots[made.admin_id]["name_key"] == name_key(vault_id, "  ADMIN ")
    decomposed = unicodedata.normalize("NFD", "ZOË")
    assert slots[made.zoe_id]["name_key"] == name_key(vault_id, decomposed)
    assert slots[made.gone_id]["status"] == "disabled"
    assert slots[made.gone_id]["name_key"] == name_key(vault_id, GONE)
    assert slots["recovery"]["kind"] == "recovery" and slots["recovery"]["name_key"] is None

    # section 3.3 spelled out once more, byte by byte
    material = b"shelter-app user\0" + vault_id.encode() + b"\0admin"
    assert slots[made.admin_id]["name_key"] == hashlib.sha256(material).hexdigest()[:32]


def test_a_damaged_slot_is_found_by_its_digest(made: Made, recipe: dict[str, Any],
                                               tmp_path: Path) -> None:
    body = _keyslots(made)
    body["slots"][0]["created_at"] = "2000-01-01T00:00:00Z"
    (tmp_path / "keyslots.json").write_text(json.dumps(body), encoding="ascii")
    with pytest.raises(ValueError, match="damaged"):
        recipe["load_keyslots"](tmp_path)


def test_admin_slot_unwraps_with_the_passphrase(made: Made, recipe: dict[str, Any]) -> None:
    keyslots = recipe["load_keyslots"](made.folder)
    slot = recipe["find_slot"](keyslots, "admin")
    assert slot["user_id"] == made.admin_id

    wrap_key, check = recipe["derive"](ADMIN_PASS, slot["kdf"])
    assert check == b64(slot["check"])
    assert recipe["derive"]("a different passphrase", slot["kdf"])[1] != b64(slot["check"])

    data_key = recipe["unwrap_data_key"](keyslots, slot, ADMIN_PASS)
    assert len(data_key) == 32
    mac = hmac.new(data_key, b"shelter-app key check v1" + keyslots["vault_id"].encode(),
                   hashlib.sha256)
    assert mac.digest()[:16] == b64(keyslots["key_check"])

    # the associated data binds the slot to its vault and its account
    nonce, wrapped = b64(slot["aead"]["nonce"]), b64(slot["aead"]["ciphertext"])
    vault_id, user_id = keyslots["vault_id"].encode(), made.admin_id.encode()
    aad = b"shelter-app keyslot v1\0" + vault_id + b"\0" + user_id
    assert AESGCM(wrap_key).decrypt(nonce, wrapped, aad) == data_key
    with pytest.raises(InvalidTag):
        AESGCM(wrap_key).decrypt(nonce, wrapped, aad.replace(made.admin_id.encode(), b"recovery"))

    with pytest.raises(PermissionError):
        recipe["unwrap_data_key"](keyslots, slot, ADMIN_PASS + " ")


def test_every_active_slot_gives_the_same_data_key(made: Made, recipe: dict[str, Any]) -> None:
    keyslots = recipe["load_keyslots"](made.folder)
    data_key = _data_key(made, recipe)
    # typed with a combining diaeresis and in capitals: NFC and case folding find and open it
    zoe = recipe["find_slot"](keyslots, unicodedata.normalize("NFD", "ZOË"))
    assert zoe["user_id"] == made.zoe_id
    assert recipe["unwrap_data_key"](keyslots, zoe, unicodedata.normalize("NFD", ZOE_PASS)) \
        == data_key
    gone = recipe["find_slot"](keyslots, GONE)
    with pytest.raises(PermissionError, match="disabled"):
        recipe["unwrap_data_key"](keyslots, gone, GONE_PASS)


def test_recovery_slot_unwraps_with_the_recovery_key(made: Made, recipe: dict[str, Any]) -> None:
    assert re.fullmatch(r"([0-9A-HJKMNP-TV-Z]{4}-){7}[0-9A-HJKMNP-TV-Z]{4}", made.recovery_key)
    keyslots = recipe["load_keyslots"](made.folder)
    sloppy = made.recovery_key.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    normalised = recipe["normalise_recovery_key"](sloppy)
    assert normalised == made.recovery_key
    slot = recipe["find_slot"](keyslots)
    assert slot["user_id"] == "recovery"
    assert recipe["unwrap_data_key"](keyslots, slot, normalised) == _data_key(made, recipe)
    with pytest.raises(ValueError, match="32 letters"):
        recipe["normalise_recovery_key"](made.recovery_key[:-1])


# -- cases.db ----------------------------------------------------------------------------
def test_database_opens_with_the_raw_key(made: Made, recipe: dict[str, Any]) -> None:
    data_key = _data_key(made, recipe)
    conn = recipe["open_database"](made.folder / "cases.db", data_key)
    try:
        def pragma(name: str) -> Any:
            return conn.execute(f"PRAGMA {name}").fetchone()[0]

        shipped = [p for p in MIGRATIONS.iterdir() if re.match(r"^\d{4}_[a-z0-9_]+\.sql$", p.name)]
        assert pragma("application_id") == 0x53484C54 == 1397247060
        assert pragma("user_version") == len(shipped) >= 1
        assert pragma("journal_mode") == "wal"
        assert str(pragma("cipher_page_size")) == "4096"
        assert pragma("cipher_hmac_algorithm") == "HMAC_SHA512"
        assert pragma("cipher_kdf_algorithm") == "PBKDF2_HMAC_SHA512"
        assert str(pragma("kdf_iter")) == "256000"
        assert str(pragma("cipher_plaintext_header_size")) == "0"
        assert conn.execute("PRAGMA cipher_integrity_check").fetchall() == []

        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"meta", "users", "settings", "audit_events"} <= tables
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        assert meta["vault_id"] == _keyslots(made)["vault_id"]
        assert MICROS_UTC.match(meta["created_at"])
        assert re.fullmatch(r"\d+:[0-9a-f]{64}", meta["audit_head"])

        users = {r[0]: r[1:] for r in conn.execute(
            "SELECT id, username, username_key, roles, status, must_change_passphrase"
            " FROM users")}
        assert users[made.admin_id] == ("admin", "admin", '["admin"]', "active", 0)
        assert users[made.zoe_id] == (ZOE, "zoë", '["caseworker"]', "active", 1)
        assert users[made.gone_id][3] == "disabled"
        organisation = conn.execute("SELECT value FROM settings WHERE key = 'organisation'")
        assert json.loads(organisation.fetchone()[0]) == ORG
    finally:
        conn.close()


def test_a_wrong_key_does_not_open_the_database(made: Made, recipe: dict[str, Any]) -> None:
    with pytest.raises(recipe["sqlcipher"].DatabaseError, match="not a database"):
        recipe["open_database"](made.folder / "cases.db", bytes(32))
    with pytest.raises(FileNotFoundError):
        recipe["open_database"](made.folder / "nothing-here.db", bytes(32))
    assert not (made.folder / "nothing-here.db").exists()


# -- the audit chain ---------------------------------------------------------------------
def test_audit_chain_recomputes_from_first_to_last(made: Made, recipe: dict[str, Any]) -> None:
    data_key = _data_key(made, recipe)
    conn = recipe["open_database"](made.folder / "cases.db", data_key)
    try:
        rows = conn.execute("SELECT seq, occurred_at, action, outcome, details, hmac"
                            " FROM audit_events ORDER BY seq").fetchall()
        assert recipe["verify_audit_chain"](conn, data_key) == len(rows)
        head = conn.execute("SELECT value FROM meta WHERE key = 'audit_head'").fetchone()[0]
    finally:
        conn.close()
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    assert head == f"{len(rows)}:{bytes(rows[-1][5]).hex()}"
    assert all(MICROS_UTC.match(r[1]) for r in rows)
    actions = [r[2] for r in rows]
    assert actions[:2] == ["vault.created", "user.added"]
    for expected in ("user.disabled", "vault.backup", "session.lock", "session.sign_in_failed",
                     "session.sign_in"):
        assert expected in actions
    failed = next(r for r in rows if r[2] == "session.sign_in_failed")
    assert failed[3] == "failed"
    assert SECONDS_UTC.match(json.loads(failed[4])["occurred_at"])
    assert actions.index("session.sign_in_failed") < len(actions) - 1 - actions[::-1].index(
        "session.sign_in")


def test_audit_verification_finds_changes(made: Made, recipe: dict[str, Any],
                                          tmp_path: Path) -> None:
    data_key = _data_key(made, recipe)
    for problem, sql in (
        ("was changed", "UPDATE audit_events SET details = '{\"count\":9}' WHERE seq = 2"),
        ("newest audit events are missing",
         "DELETE FROM audit_events WHERE seq = (SELECT max(seq) FROM audit_events)"),
        ("is missing", "DELETE FROM audit_events WHERE seq = 2"),
    ):
        copy = tmp_path / f"copy-{len(problem)}.db"
        shutil.copyfile(made.folder / "cases.db", copy)
        conn = recipe["open_database"](copy, data_key)
        try:
            conn.execute("DROP TRIGGER audit_events_no_update")
            conn.execute("DROP TRIGGER audit_events_no_delete")
            conn.execute(sql)
            conn.commit()
            with pytest.raises(ValueError, match=problem):
                recipe["verify_audit_chain"](conn, data_key)
        finally:
            conn.close()


def test_the_key_files_anchor_catches_a_cut_tail(made: Made, recipe: dict[str, Any],
                                                 tmp_path: Path) -> None:
    """Section 8.6 as a reader of the docs would check it: the key file's anchor is in the
    chain; deleting the newest events together with the head, or every event, is found."""
    data_key = _data_key(made, recipe)
    keyslots = recipe["load_keyslots"](made.folder)
    conn = recipe["open_database"](made.folder / "cases.db", data_key)
    try:
        assert recipe["check_anchor"](keyslots, conn, data_key) is None
        newest = conn.execute("SELECT max(seq) FROM audit_events").fetchone()[0]
    finally:
        conn.close()
    assert keyslots["audit_anchor"]["seq"] == newest
    assert SECONDS_UTC.match(keyslots["audit_anchor"]["at"])
    for problem, sql in (
        ("is missing", "DELETE FROM audit_events WHERE seq >= (SELECT max(seq) - 2"
                       " FROM audit_events)"),
        ("is missing", "DELETE FROM audit_events"),
    ):
        copy = tmp_path / f"cut-{len(sql)}.db"
        shutil.copyfile(made.folder / "cases.db", copy)
        conn = recipe["open_database"](copy, data_key)
        try:
            conn.execute("DROP TRIGGER audit_events_no_delete")
            conn.execute(sql)
            conn.execute("DELETE FROM meta WHERE key = 'audit_head'")
            last = conn.execute("SELECT seq, hmac FROM audit_events ORDER BY seq DESC"
                                " LIMIT 1").fetchone()
            if last:  # the head set to what is left, as someone covering the cut would
                conn.execute("INSERT INTO meta (key, value) VALUES ('audit_head', ?)",
                             (f"{last[0]}:{bytes(last[1]).hex()}",))
            conn.commit()
            recipe["verify_audit_chain"](conn, data_key)  # what is left is a whole chain
            assert problem in recipe["check_anchor"](keyslots, conn, data_key)
        finally:
            conn.close()
    forged = dict(keyslots, audit_anchor=dict(keyslots["audit_anchor"], seq=1))
    conn = recipe["open_database"](made.folder / "cases.db", data_key)
    try:
        assert "was changed" in recipe["check_anchor"](forged, conn, data_key)
    finally:
        conn.close()


# -- the recipe as a program -------------------------------------------------------------
@pytest.mark.parametrize("use_recovery_key", [False, True], ids=["passphrase", "recovery-key"])
def test_recipe_runs_as_a_program(made: Made, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str], use_recovery_key: bool
                                  ) -> None:
    answers = iter([""] if use_recovery_key else ["admin"])
    secret = made.recovery_key.lower() if use_recovery_key else ADMIN_PASS
    monkeypatch.setattr(sys, "argv", ["open_vault.py", str(made.folder)])
    monkeypatch.setattr("builtins.input", lambda _prompt="": next(answers))
    monkeypatch.setattr(getpass, "getpass", lambda _prompt="": secret)
    _run(RECIPE, "__main__")
    out = capsys.readouterr().out
    assert f"Schema version: {latest_version()}" in out
    assert re.search(r"^Audit chain intact: \d+ events$", out, flags=re.MULTILINE)
    for table in ("audit_events", "meta", "settings"):
        assert re.search(rf"^{table}: \d+ rows$", out, flags=re.MULTILINE)
    assert "users: 3 rows" in out
    assert "WARNING" not in out


# -- the pages, without SQLCipher (section 14) -------------------------------------------
@pytest.mark.skipif(sqlite3.sqlite_version_info < (3, 37, 0), reason="STRICT tables")
def test_pages_decrypt_without_sqlcipher(made: Made, recipe: dict[str, Any],
                                         page_reader: dict[str, Any], tmp_path: Path) -> None:
    data_key = _data_key(made, recipe)
    plain_path = tmp_path / "plain.db"
    page_reader["decrypt_database"](made.folder / "cases.db", plain_path, data_key)
    plain = plain_path.read_bytes()
    assert plain[:16] == b"SQLite format 3\0"
    assert struct.unpack(">H", plain[16:18])[0] == 4096
    assert plain[20] == 80
    assert struct.unpack(">I", plain[60:64])[0] == latest_version()
    assert struct.unpack(">I", plain[68:72])[0] == 0x53484C54

    conn = sqlite3.connect(plain_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        names = {r[0] for r in conn.execute("SELECT username FROM users")}
        assert names == {"admin", ZOE, GONE}
        assert recipe["verify_audit_chain"](conn, data_key) > 0
    finally:
        conn.close()

    damaged = bytearray((made.folder / "cases.db").read_bytes())
    damaged[4096 + 100] ^= 1  # one bit of page 2
    (tmp_path / "damaged.db").write_bytes(damaged)
    with pytest.raises(ValueError, match="page 2"):
        page_reader["decrypt_database"](tmp_path / "damaged.db", tmp_path / "out.db", data_key)


# -- backups -----------------------------------------------------------------------------
def test_backups_open_with_the_same_key(made: Made, recipe: dict[str, Any]) -> None:
    data_key = _data_key(made, recipe)
    live = _keyslots(made)
    backups = made.folder / "backups"
    for path in backups.glob("cases-*.db"):
        version = int(DB_BACKUP.match(path.name).group(2))  # type: ignore[union-attr]
        assert path.read_bytes()[:16] != (made.folder / "cases.db").read_bytes()[:16]
        conn = recipe["open_database"](path, data_key)
        try:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == version
            assert recipe["verify_audit_chain"](conn, data_key) > 0
        finally:
            conn.close()
    for path in [backups / "keyslots.json"]:
        copy = recipe["load_keyslots"](path)
        assert copy["vault_id"] == live["vault_id"]
        assert copy["key_check"] == live["key_check"]
        admin = recipe["find_slot"](copy, "admin")
        assert recipe["unwrap_data_key"](copy, admin, ADMIN_PASS) == data_key


def test_keyslot_mirror_holds_no_way_in_for_a_disabled_account(made: Made,
                                                               recipe: dict[str, Any]) -> None:
    """Section 12.2: the one mirror in backups/ follows the live file, revocations included."""
    mirror = recipe["load_keyslots"](made.folder / "backups" / "keyslots.json")
    gone = [s for s in mirror["slots"] if s["user_id"] == made.gone_id]
    assert [s["status"] for s in gone] == ["disabled"]
    assert "aead" not in gone[0] and "kdf" not in gone[0]


# -- signin-attempts.json ----------------------------------------------------------------
def test_signin_attempts_file(made: Made) -> None:
    text = (made.folder / "signin-attempts.json").read_text(encoding="utf-8")
    body = json.loads(text)
    assert text == json.dumps(body, indent=1)
    assert list(body) == [made.zoe_id]  # the admin's entry went into the chain at sign-in
    record = body[made.zoe_id]
    assert list(record) == ["failures", "last_failure", "unreported", "dropped"]
    assert record["failures"] == 1 and record["dropped"] == 0
    assert isinstance(record["last_failure"], float)
    assert len(record["unreported"]) == 1 and SECONDS_UTC.match(record["unreported"][0])
