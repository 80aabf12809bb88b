"""keyslots.json: missing, corrupted or edited files are refused with a clear message.

The database is never touched by any of these failures, and restoring the file (from the
copy the application keeps in backups/) makes the vault open again.
"""

from __future__ import annotations

import base64
import json
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shelter_app.errors import (
    AccountDisabled,
    VaultDamaged,
    VaultMissing,
    VaultTooNew,
    WrongPassphrase,
)
from shelter_app.vault import crypto
from shelter_app.vault.keyslots import RECOVERY_ID, KeyslotFile, _digest
from shelter_app.vault.vault import Vault
from tests.conftest import ADMIN_PASS, FAST_KDF, TEMP_PASS, add_user


def _unlock(vault_dir: Path, username: str = "admin", passphrase: str = ADMIN_PASS) -> None:
    with Vault.open(vault_dir, kdf=FAST_KDF) as vault:
        opened, _report = vault.unlock(username, passphrase)
        opened.close()


def _load(vault_dir: Path) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((vault_dir / "keyslots.json").read_text())
    return body


def _save(vault_dir: Path, body: dict[str, Any], *, redigest: bool) -> None:
    if redigest:  # an editor who knows the format recomputes the per-slot digests
        for slot in body["slots"]:
            slot["digest"] = _digest(slot)
    (vault_dir / "keyslots.json").write_text(json.dumps(body, indent=2))


def _admin_slot(body: dict[str, Any]) -> dict[str, Any]:
    slot: dict[str, Any] = next(s for s in body["slots"] if s["kind"] == "user")
    return slot


def test_file_layout_holds_no_names_and_no_key(closed_vault: Path) -> None:
    raw = (closed_vault / "keyslots.json").read_bytes()
    body = json.loads(raw)
    assert body["format"] == "shelter-app-keyslots" and body["version"] == 2
    kinds = sorted(s["kind"] for s in body["slots"])
    assert kinds == ["recovery", "user"]
    slot = _admin_slot(body)
    assert slot["kdf"]["algorithm"] == "argon2id"
    assert (slot["kdf"]["memory_kib"], slot["kdf"]["iterations"]) == (1024, 2)
    assert slot["private_key"]["algorithm"] == "AES-256-GCM"
    assert slot["private_key"]["wrapped_by"] == "passphrase" and "aead" not in slot
    assert sorted(slot["grants"]) == ["administration", "database"]
    assert len(base64.b64decode(slot["kdf"]["salt"])) == crypto.SALT_BYTES
    # The user name "admin" is nowhere; the word appears only as a role in the signed
    # statement and in the administration key's name.
    def strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
        if isinstance(value, dict):
            for k, v in value.items():
                yield path, k
                yield from strings(v, f"{path}/{k}")
        elif isinstance(value, list):
            for v in value:
                yield from strings(v, f"{path}[]")
        elif isinstance(value, str):
            yield path, value
    found = {(p, text) for p, text in strings(body) if "admin" in text.lower()}
    assert found <= {("/checks", "administration"), ("/epochs", "administration"),
                     ("/slots[]/grants", "administration"),
                     ("/slots[]/statement/roles[]", "admin")}, found
    assert stat.S_IMODE((closed_vault / "keyslots.json").stat().st_mode) == 0o600


def test_production_parameters_are_the_documented_ones() -> None:
    params = crypto.PRODUCTION_KDF.default
    assert params.memory_kib == 64 * 1024 and params.iterations == 3
    assert crypto.PRODUCTION_KDF.minimum.memory_kib == 64 * 1024


def test_missing_keyslots_file(closed_vault: Path) -> None:
    db_before = (closed_vault / "cases.db").read_bytes()
    (closed_vault / "keyslots.json").unlink()
    with pytest.raises(VaultMissing) as info:
        _unlock(closed_vault)
    assert "keyslots.json is missing" in str(info.value)
    assert (closed_vault / "cases.db").read_bytes() == db_before
    assert not (closed_vault / "keyslots.json").exists()


@pytest.mark.parametrize("garbage", [b"", b"{", b"\xff\xfe\x00", b"[]", b'{"format": 1}',
                                     b'{"format": "shelter-app-keyslots", "version": 1}'])
def test_corrupted_keyslots_file(closed_vault: Path, garbage: bytes) -> None:
    good = (closed_vault / "keyslots.json").read_bytes()
    (closed_vault / "keyslots.json").write_bytes(garbage)
    with pytest.raises(VaultDamaged) as info:
        _unlock(closed_vault)
    assert "keyslots.json is damaged" in str(info.value)
    (closed_vault / "keyslots.json").write_bytes(good)
    _unlock(closed_vault)


def test_truncated_keyslots_file(closed_vault: Path) -> None:
    good = (closed_vault / "keyslots.json").read_bytes()
    (closed_vault / "keyslots.json").write_bytes(good[: len(good) // 2])
    with pytest.raises(VaultDamaged):
        _unlock(closed_vault)


def test_flipped_byte_in_the_salt(closed_vault: Path) -> None:
    body = _load(closed_vault)
    slot = _admin_slot(body)
    salt = bytearray(base64.b64decode(slot["kdf"]["salt"]))
    salt[3] ^= 0x01
    slot["kdf"]["salt"] = base64.b64encode(bytes(salt)).decode()
    _save(closed_vault, body, redigest=False)
    with pytest.raises(VaultDamaged) as info:
        _unlock(closed_vault)
    assert "damaged or has been edited" in str(info.value)


def test_flipped_byte_in_the_file_text(closed_vault: Path) -> None:
    raw = bytearray((closed_vault / "keyslots.json").read_bytes())
    at = raw.index(b'"salt": "') + len(b'"salt": "') + 2
    raw[at] = ord("A") if raw[at] != ord("A") else ord("B")
    (closed_vault / "keyslots.json").write_bytes(bytes(raw))
    with pytest.raises(VaultDamaged):
        _unlock(closed_vault)


def test_salt_edited_by_someone_who_fixes_the_digest(closed_vault: Path) -> None:
    """Without the passphrase nobody can tell a changed salt from a wrong passphrase; what
    matters is that it never opens and never passes for a damaged database."""
    body = _load(closed_vault)
    slot = _admin_slot(body)
    salt = bytearray(base64.b64decode(slot["kdf"]["salt"]))
    salt[0] ^= 0x01
    slot["kdf"]["salt"] = base64.b64encode(bytes(salt)).decode()
    _save(closed_vault, body, redigest=True)
    with pytest.raises(WrongPassphrase):
        _unlock(closed_vault)


@pytest.mark.parametrize("field,value", [("memory_kib", 8), ("iterations", 1)])
def test_argon2_parameters_lowered_below_the_minimum(closed_vault: Path, field: str,
                                                     value: int) -> None:
    for redigest in (False, True):
        body = _load(closed_vault)
        _admin_slot(body)["kdf"][field] = value
        original = (closed_vault / "keyslots.json").read_bytes()
        _save(closed_vault, body, redigest=redigest)
        with pytest.raises(VaultDamaged) as info:
            _unlock(closed_vault)
        message = str(info.value)
        assert "edited" in message
        (closed_vault / "keyslots.json").write_bytes(original)
    _unlock(closed_vault)


def test_user_ids_swapped_between_slots(created: tuple[Any, Any, str], admin: Any,
                                        vault_dir: Path) -> None:
    add_user(admin, "casey", "caseworker")
    admin.lock()
    created[0].close()
    for redigest in (False, True):
        body = _load(vault_dir)
        users = [s for s in body["slots"] if s["kind"] == "user"]
        users[0]["user_id"], users[1]["user_id"] = users[1]["user_id"], users[0]["user_id"]
        original = (vault_dir / "keyslots.json").read_bytes()
        _save(vault_dir, body, redigest=redigest)
        for name, passphrase in (("admin", ADMIN_PASS), ("casey", TEMP_PASS)):
            with pytest.raises(VaultDamaged):
                _unlock(vault_dir, name, passphrase)
        (vault_dir / "keyslots.json").write_bytes(original)
    _unlock(vault_dir)
    _unlock(vault_dir, "casey", TEMP_PASS)


def test_slot_from_another_vault_does_not_open_this_one(tmp_path: Path) -> None:
    folders = []
    for name in ("one", "two"):
        vault, opened, _key = Vault.create(tmp_path / name, organisation="Org",
                                           admin_username="admin", admin_passphrase=ADMIN_PASS,
                                           kdf=FAST_KDF)
        opened.close()
        vault.close()
        folders.append(tmp_path / name)
    one, two = (_load(f) for f in folders)
    _admin_slot(one).update({k: v for k, v in _admin_slot(two).items()
                             if k not in ("user_id", "name_key")})
    _save(folders[0], one, redigest=True)
    with pytest.raises(VaultDamaged):
        _unlock(folders[0])


def test_newer_keyslot_format_is_refused(closed_vault: Path) -> None:
    body = _load(closed_vault)
    body["version"] = 3
    _save(closed_vault, body, redigest=False)
    with pytest.raises(VaultTooNew):
        _unlock(closed_vault)


def test_writes_are_atomic_and_leave_no_temporary_files(created: tuple[Any, Any, str],
                                                         admin: Any, vault_dir: Path) -> None:
    for i in range(3):
        add_user(admin, f"user{i}", "legal")
    leftovers = [p.name for p in vault_dir.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []
    KeyslotFile.load(vault_dir / "keyslots.json")  # whole and valid
    assert stat.S_IMODE((vault_dir / "keyslots.json").stat().st_mode) == 0o600


def test_mirror_in_backups_restores_a_broken_key_file_and_holds_no_revoked_slot(
    created: tuple[Any, Any, str], admin: Any, vault_dir: Path,
) -> None:
    add_user(admin, "casey", "caseworker")
    add_user(admin, "gone", "caseworker")
    admin.accounts.disable("gone")
    admin.lock()
    created[0].close()
    backups = vault_dir / "backups"
    assert sorted(p.name for p in backups.glob("keyslots*")) == ["keyslots.json"]
    mirror = backups / "keyslots.json"
    assert mirror.read_bytes() == (vault_dir / "keyslots.json").read_bytes()
    assert stat.S_IMODE(mirror.stat().st_mode) == 0o600
    # the disabled account's wrapped key is gone from the mirror too
    with pytest.raises(AccountDisabled):
        KeyslotFile.load(mirror).find_user("gone")
    (vault_dir / "keyslots.json").write_text("{ broken")
    with pytest.raises(VaultDamaged):
        _unlock(vault_dir)
    (vault_dir / "keyslots.json").write_bytes(mirror.read_bytes())
    _unlock(vault_dir)


def test_recovery_slot_is_distinct(closed_vault: Path) -> None:
    slots = KeyslotFile.load(closed_vault / "keyslots.json")
    recovery = slots.by_user_id(RECOVERY_ID)
    assert recovery is not None and recovery.kind == "recovery" and recovery.name_key is None


# -- an edited file is refused as damage, never crashes or hangs -------------------------
def _edit_admin_kdf(vault_dir: Path, field: str, value: Any) -> None:
    body = _load(vault_dir)
    _admin_slot(body)["kdf"][field] = value
    _save(vault_dir, body, redigest=True)


@pytest.mark.parametrize(("field", "value"), [
    ("memory_kib", 64 * 1024 * 1024),  # 64 GiB would exhaust the machine
    ("iterations", 10_000),  # would hang sign-in for hours
    ("parallelism", 1_000),
    ("memory_kib", "1024"),  # numbers must be numbers
    ("iterations", 2.0),
])
def test_argon2_parameters_raised_or_mistyped_are_damage(closed_vault: Path, field: str,
                                                         value: Any) -> None:
    _edit_admin_kdf(closed_vault, field, value)
    with pytest.raises(VaultDamaged):
        _unlock(closed_vault)


@pytest.mark.parametrize("field", ["salt", "nonce", "ciphertext", "check"])
def test_fields_of_the_wrong_length_are_damage(closed_vault: Path, field: str) -> None:
    body = _load(closed_vault)
    slot = _admin_slot(body)
    short = base64.b64encode(b"\x01\x02\x03").decode()
    if field in ("salt",):
        slot["kdf"][field] = short
    elif field in ("nonce", "ciphertext"):
        slot["private_key"][field] = short
    else:
        slot[field] = short
    _save(closed_vault, body, redigest=True)
    with pytest.raises(VaultDamaged):
        _unlock(closed_vault)


def test_format_version_must_be_a_whole_number(closed_vault: Path) -> None:
    body = _load(closed_vault)
    body["version"] = "1"
    _save(closed_vault, body, redigest=False)
    with pytest.raises(VaultDamaged):
        _unlock(closed_vault)


def test_two_slots_for_one_name_are_damage(closed_vault: Path) -> None:
    body = _load(closed_vault)
    twin = dict(_admin_slot(body))
    twin["user_id"] = "00000000-0000-4000-8000-00000000abcd"
    body["slots"].append(twin)
    _save(closed_vault, body, redigest=True)
    with pytest.raises(VaultDamaged):
        _unlock(closed_vault)


@pytest.mark.parametrize("mangle", [
    lambda k: k.lower(),
    lambda k: k.replace("-", " ") + "\r\n",
    lambda k: k.replace("-", "\u2013"),  # typographic dashes from a word processor
    lambda k: "\u00a0" + k.replace("-", "\u00a0"),  # non-breaking spaces
    lambda k: k.replace("0", "O").replace("1", "l"),
])
def test_recovery_key_typed_loosely_is_still_read(mangle: Any) -> None:
    key = crypto.new_recovery_key()
    assert crypto.normalise_recovery_key(mangle(key)) == key
