"""Bad input, one case per class, in one place: each is refused with a message that says what
happened, and afterwards the vault check passes with every record there.

The classes: file names that name the survivor or hide what they are, look-alike user names,
imports that repeat a column or would exhaust the machine, a database that is a folder, an
unencrypted file, another vault's, damaged or truncated, a key file asking for terabytes of
memory, a second program writing at once, a wrong passphrase, and a disk that fills up
(where the test can make a small one).  Each class is tested more closely in its own module;
here they meet one real vault with real cases.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from shelter_app.errors import (
    ShelterError,
    StorageFailure,
    ValidationError,
    VaultDamaged,
    VaultInUse,
    WrongPassphrase,
)
from shelter_app.vault.vault import Vault
from tests.conftest import ADMIN_PASS, FAST_KDF, ORG
from tests.test_keyslots import _digest
from tests.ui.case_helpers import new_case, session, staffed_vault

NAMES = ("Zqxcanary Mariam", "Ottilie Marchbank", "Rosa Delgado")


@pytest.fixture
def vault(tmp_path: Path) -> tuple[Path, str, set[str]]:
    """A vault with three cases: its folder, the first case's code (its survivor is named
    Zqxcanary Mariam), every code."""
    folder = tmp_path / "vault"
    ids = staffed_vault(folder)
    with session(folder, "coordinator") as s:
        codes = [new_case(s, ids, name).code for name in NAMES]
    return folder, codes[0], set(codes)


def intact(folder: Path, codes: set[str]) -> None:
    """The vault check passes, and every case is there."""
    with session(folder, "admin") as admin:
        report = admin.vault_admin.verify()
        assert report.ok, report.lines()
    with session(folder, "coordinator") as s:
        assert {row.code for row in s.search.summaries(s.search.list_ids())} == codes


def _open(folder: Path, username: str = "admin", passphrase: str = ADMIN_PASS) -> None:
    with Vault.open(folder, kdf=FAST_KDF) as vault:
        opened, _report = vault.unlock(username, passphrase)
        opened.close()


@pytest.mark.parametrize("name", ["Zqxcanary_Mariam.pdf", "forZqxcanary.pdf", "zqxcanary2.pdf",
                                  "Zqxcanary Mariam/document.pdf", "MARIAM-zqxcanary.pdf"])
def test_a_file_name_that_names_her_is_refused(vault, tmp_path: Path, name: str) -> None:
    folder, first, codes = vault
    path = tmp_path / "out" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with session(folder, "coordinator") as s:
        case_id = s.cases.id_for_code(first)
        with pytest.raises(ValidationError, match="neutral file name"):
            s.documents.check_target(case_id, path)
    assert not path.exists()
    intact(folder, codes)


@pytest.mark.parametrize("character", ["\u202e", "\u200b", "\u2066"])
def test_a_file_name_with_invisible_or_direction_characters_is_refused(
        vault, tmp_path: Path, character: str) -> None:
    folder, first, codes = vault
    with session(folder, "coordinator") as s:
        case_id = s.cases.id_for_code(first)
        with pytest.raises(ValidationError, match="invisible") as refused:
            s.documents.check_target(case_id, tmp_path / f"report{character}fdp.pdf")
    assert f"U+{ord(character):04X}" in str(refused.value)
    intact(folder, codes)


@pytest.mark.parametrize("name", ["\u0430dmin", "c\u043eordinator"])
def test_a_look_alike_user_name_is_refused(vault, name: str) -> None:
    folder, _first, codes = vault
    with session(folder, "admin") as admin:
        before = len(admin.accounts.list())
        with pytest.raises(ValidationError):
            admin.accounts.add(name, ["caseworker"], "another lantern orchard 7",
                               temporary=True)
        assert len(admin.accounts.list()) == before
    intact(folder, codes)


def test_an_import_that_repeats_a_column_is_refused_by_name(vault, tmp_path: Path) -> None:
    folder, _first, codes = vault
    path = tmp_path / "twice.csv"
    path.write_text("legal_name,gender,gender\nZqxtwice Person,woman,man\n", "utf-8")
    with session(folder, "coordinator") as s, \
            pytest.raises(ValidationError, match=r"the column .*gender.* more than once"):
        s.exchange.import_file(path)
    intact(folder, codes)


def test_an_import_that_would_fill_the_memory_is_refused_unread(vault, tmp_path: Path) -> None:
    folder, _first, codes = vault
    path = tmp_path / "bomb.xlsx"
    row = b'<row><c t="inlineStr"><is><t>Zqxbomb</t></is></c></row>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as packed:
        packed.writestr("[Content_Types].xml", "<Types/>")
        packed.writestr("xl/worksheets/sheet1.xml",
                        b"<worksheet><sheetData>" + row * 400_000 + b"</sheetData></worksheet>")
    with session(folder, "coordinator") as s, \
            pytest.raises(ValidationError, match="times its size"):
        s.exchange.import_file(path)
    intact(folder, codes)


@pytest.mark.parametrize("what", ["folder", "plain", "other vault", "truncated", "damaged",
                                  "damaged salt", "zeroed start"])
def test_a_database_that_is_not_this_vaults_is_named_for_what_it_is(
        vault, tmp_path: Path, what: str) -> None:
    folder, _first, codes = vault
    kept, target = tmp_path / "kept.db", folder / "cases.db"
    shutil.move(target, kept)
    expected = {"folder": "folder", "plain": "unencrypted", "other vault": "another key",
                "truncated": "damaged", "damaged": "damaged", "damaged salt": "damaged",
                "zeroed start": "damaged"}[what]
    try:
        if what == "folder":
            target.mkdir()
        elif what == "plain":
            subprocess.run([sys.executable, "-c", "import sqlite3, sys; c = sqlite3.connect("
                            "sys.argv[1]); c.execute('CREATE TABLE t (x)'); c.commit()",
                            str(target)], check=True)
        elif what == "other vault":
            other = tmp_path / "other"
            made, opened, _key = Vault.create(other, organisation=ORG, admin_username="admin",
                                              admin_passphrase=ADMIN_PASS, kdf=FAST_KDF)
            opened.close()
            made.close()
            shutil.copyfile(other / "cases.db", target)
        elif what == "truncated":
            data = kept.read_bytes()
            target.write_bytes(data[:len(data) // 2])
        elif what == "damaged":
            data = bytearray(kept.read_bytes())
            data[4096 * 3 + 100] ^= 0xFF
            target.write_bytes(bytes(data))
        elif what == "damaged salt":  # page 1 overwritten from its start, salt included
            data = bytearray(kept.read_bytes())
            data[:200] = bytes(200)
            target.write_bytes(bytes(data))
        else:  # the first 17 pages zeroed: nothing says which key, so it is damage
            data = bytearray(kept.read_bytes())
            data[:4096 * 17] = bytes(4096 * 17)
            target.write_bytes(bytes(data))
        with pytest.raises(ShelterError) as refused:
            _open(folder)
        message = str(refused.value).lower()
        assert expected in message, message
    finally:
        if target.is_dir():
            target.rmdir()
        else:
            target.unlink(missing_ok=True)
        shutil.move(kept, target)
    intact(folder, codes)


def test_a_key_file_asking_for_terabytes_is_refused_at_once(vault) -> None:
    folder, _first, codes = vault
    path = folder / "keyslots.json"
    original = path.read_bytes()
    body = json.loads(original)
    for slot in body["slots"]:
        if slot.get("kdf"):
            slot["kdf"]["memory_kib"] = 4 * 1024 ** 3  # 4 TiB
            slot["digest"] = _digest(slot)  # as an editor who knows the format would
    path.write_text(json.dumps(body), encoding="ascii")
    with pytest.raises(VaultDamaged, match="protection settings"):
        _open(folder)
    path.write_bytes(original)
    intact(folder, codes)


def test_a_second_program_writing_at_once_is_refused(vault) -> None:
    folder, _first, codes = vault
    with Vault.open(folder, kdf=FAST_KDF), pytest.raises(VaultInUse):
        Vault.open(folder, kdf=FAST_KDF)
    intact(folder, codes)


def test_a_wrong_passphrase_is_said_and_counted(vault) -> None:
    folder, _first, codes = vault
    with pytest.raises(WrongPassphrase, match="not correct"):
        _open(folder, "coordinator", "not her passphrase at all")
    with Vault.open(folder, kdf=FAST_KDF) as opened_vault:
        _opened, report = opened_vault.unlock("coordinator", "plain orchard lantern 42")
        _opened.close()
    assert report.failed_attempts == 1
    intact(folder, codes)


def test_a_full_disk_loses_nothing(tmp_path: Path) -> None:
    """A vault on a small file system filled up: the write that does not fit is refused with
    a message that says so, and what was saved before stays."""
    mount = tmp_path / "small"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mount)],
                          capture_output=True)
    if made.returncode != 0:
        pytest.skip("this machine does not let the test make a small file system")
    try:
        folder = mount / "vault"
        ids = staffed_vault(folder)
        with session(folder, "coordinator") as s:
            codes = {new_case(s, ids, NAMES[0]).code}
            with (mount / "filler").open("ab") as filler:
                try:
                    while True:
                        filler.write(b"\0" * 65536)
                        filler.flush()
                except OSError:
                    pass
            with pytest.raises((StorageFailure, ShelterError)) as refused:
                for i in range(50):
                    codes.add(new_case(s, ids, f"Zqxfull Person {i}").code)
            assert "disk is full" in str(refused.value)
            (mount / "filler").unlink()  # room again, before the session ends
        with session(folder, "admin") as admin:
            assert admin.vault_admin.verify().ok
        with session(folder, "coordinator") as s:
            found = {row.code for row in s.search.summaries(s.search.list_ids())}
        assert found == codes
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)
