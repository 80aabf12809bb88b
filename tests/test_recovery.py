"""The recovery key: it replaces a forgotten passphrase, and its sheet is a PDF read back with
pypdf and with poppler's pdftotext."""

from __future__ import annotations

import io
import json
import re
import stat
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pypdf
import pytest

from shelter_app.documents.recovery_sheet import build_recovery_sheet
from shelter_app.errors import (
    AccountDisabled,
    PassphraseRejected,
    PermissionDenied,
    UnknownUser,
    WrongPassphrase,
)
from shelter_app.services.registry import Services, build_services
from shelter_app.vault.crypto import new_recovery_key, normalise_recovery_key
from shelter_app.vault.vault import OpenVault, Vault
from tests.bidi import plain
from tests.conftest import ADMIN_PASS, FAST_KDF, ORG, add_user, signed_in

Created = tuple[Vault, OpenVault, str]
NEW_PASS = "chosen after recovery"
KEY_PATTERN = re.compile(r"\b([0-9A-HJKMNP-TV-Z]{4}(?:-[0-9A-HJKMNP-TV-Z]{4}){7})\b")


def _recover(vault_dir: Path, key: str, username: str = "admin",
             new: str = NEW_PASS) -> Any:
    with Vault.open(vault_dir, kdf=FAST_KDF) as vault:
        opened, report = vault.recover(key, username, new)
        events = [e.action for e in opened.audit.events(limit=5)]
        opened.close()
    return report, events


def _pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


# -- using the key -------------------------------------------------------------------
def test_recovery_key_sets_a_new_passphrase(created: Created, vault_dir: Path) -> None:
    _vault, _opened, key = created
    assert KEY_PATTERN.fullmatch(key)
    created[1].close()
    created[0].close()
    report, events = _recover(vault_dir, key)
    assert not report.must_change_passphrase
    assert events[:2] == ["key.passphrase_changed", "key.recovery_used"]
    with Vault.open(vault_dir, kdf=FAST_KDF) as vault:
        with pytest.raises(WrongPassphrase):
            vault.unlock("admin", ADMIN_PASS)
        opened, _report = vault.unlock("admin", NEW_PASS)
        opened.close()


def test_recovery_key_may_be_typed_loosely(created: Created, vault_dir: Path) -> None:
    key = created[2]
    created[1].close()
    created[0].close()
    loose = key.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert normalise_recovery_key(loose) == key
    _recover(vault_dir, loose)


def test_wrong_recovery_key(created: Created, vault_dir: Path) -> None:
    created[1].close()
    created[0].close()
    slots_before = (vault_dir / "keyslots.json").read_bytes()
    with pytest.raises(WrongPassphrase) as info:
        _recover(vault_dir, new_recovery_key())
    assert str(info.value) == "The recovery key is not correct."
    with pytest.raises(WrongPassphrase) as info:
        _recover(vault_dir, "not a key at all")
    assert "32 letters and digits" in str(info.value)
    assert (vault_dir / "keyslots.json").read_bytes() == slots_before
    # the failed tries reach the audit chain once the key is used successfully
    _report, _events = _recover(vault_dir, created[2])
    with signed_in(vault_dir, passphrase=NEW_PASS) as s:
        failed = [e for e in s.ctx.audit.events() if e.action == "session.sign_in_failed"]
        assert [(e.target_type, e.target_id) for e in failed] == [("keyslot", "recovery")]


def test_recovery_refuses_a_weak_passphrase_before_touching_anything(
    created: Created, vault_dir: Path,
) -> None:
    created[1].close()
    created[0].close()
    with signed_in(vault_dir) as s:
        earlier = sum(e.action == "session.sign_in" for e in s.ctx.audit.events())
    before = (vault_dir / "keyslots.json").read_bytes()
    with pytest.raises(PassphraseRejected):
        _recover(vault_dir, created[2], new="short")
    assert (vault_dir / "keyslots.json").read_bytes() == before
    with signed_in(vault_dir) as s:
        sign_ins = [e for e in s.ctx.audit.events() if e.action == "session.sign_in"]
        assert len(sign_ins) == earlier + 1, "the refused recovery did not sign anyone in"


def test_recovery_for_unknown_or_disabled_accounts(created: Created, admin: Services,
                                                   vault_dir: Path) -> None:
    add_user(admin, "casey", "caseworker")
    admin.accounts.disable("casey")
    admin.lock()
    created[0].close()
    with pytest.raises(UnknownUser):
        _recover(vault_dir, created[2], username="ghost")
    with pytest.raises(AccountDisabled):
        _recover(vault_dir, created[2], username="casey")


def test_recovery_key_is_for_administrators_accounts_only(created: Created, admin: Services,
                                                           vault_dir: Path) -> None:
    """Someone holding the sheet cannot take over a coordinator's or caseworker's account
    with it; the refusal is recorded, and nothing changes."""
    add_user(admin, "casey", "caseworker", temporary=False)
    add_user(admin, "ada", "admin", "coordinator", temporary=False)
    admin.lock()
    created[0].close()
    before = json.loads((vault_dir / "keyslots.json").read_bytes())["slots"]
    with pytest.raises(PermissionDenied) as info:
        _recover(vault_dir, created[2], username="casey")
    assert "administrator's account only" in str(info.value)
    # No keyslot changed; only the audit anchor moved past the recorded refusal.
    assert json.loads((vault_dir / "keyslots.json").read_bytes())["slots"] == before
    _report, events = _recover(vault_dir, created[2], username="ada")  # admin and more: yes
    assert events[:2] == ["key.passphrase_changed", "key.recovery_used"]
    with signed_in(vault_dir, passphrase=ADMIN_PASS) as s:
        denied = [e for e in s.ctx.audit.events() if e.action == "access.denied"]
        assert [(e.target_type, e.target_id, e.details) for e in denied] == [
            ("keyslot", "recovery", {"action": "recover"})]


def test_new_recovery_key_replaces_the_old_one(created: Created, admin: Services,
                                               vault_dir: Path) -> None:
    old = created[2]
    new = admin.vault_admin.new_recovery_key()
    assert new != old
    admin.lock()
    created[0].close()
    with pytest.raises(WrongPassphrase):
        _recover(vault_dir, old)
    _recover(vault_dir, new)


def test_recovery_key_is_not_replaced_when_it_cannot_be_delivered(created: Created,
                                                                  admin: Services,
                                                                  vault_dir: Path) -> None:
    def printer_jammed(_key: str) -> None:
        raise OSError("the sheet could not be saved")

    with pytest.raises(OSError):
        admin.vault_admin.new_recovery_key(deliver=printer_jammed)
    admin.lock()
    created[0].close()
    _recover(vault_dir, created[2])


# -- the sheet -----------------------------------------------------------------------
def test_recovery_sheet_pdf_reads_back(tmp_path: Path) -> None:
    key = new_recovery_key()
    pdf = build_recovery_sheet(organisation="Harbour House", vault_id="0f2c-vault",
                               recovery_key=key)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = unicodedata.normalize("NFKC", reader.pages[0].extract_text())  # "ﬁ" → "fi"
    assert key in text
    assert "Page 1 of 1" in text
    packet = re.search(r"PK-[0-9A-F]{8}", text)
    assert packet, text
    assert "Harbour House" in text and "0f2c-vault" in text
    assert "Confidential: for the vault's administrators only" in text

    path = tmp_path / "sheet.pdf"
    path.write_bytes(pdf)
    poppler = _pdftotext(path)
    assert key in poppler
    assert "Page 1 of 1" in poppler
    assert packet.group(0) in poppler

    info = reader.metadata or {}
    for field in ("/Producer", "/Author", "/Title", "/Creator", "/Subject", "/Keywords"):
        assert not info.get(field), (field, info.get(field))
    fonts = {str(f["/BaseFont"]) for f in _fonts(reader)}
    assert any("NotoSans" in f for f in fonts), fonts
    assert all("/FontFile2" in f["/FontDescriptor"] for f in _fonts(reader))


def test_recovery_sheet_says_how_to_use_the_key(tmp_path: Path) -> None:
    """Both ways, in the order a person meets them: the sign-in screen, then the command."""
    path = tmp_path / "sheet.pdf"
    path.write_bytes(build_recovery_sheet(organisation=ORG, vault_id="v",
                                          recovery_key=new_recovery_key()))
    text = " ".join(_pdftotext(path).split())
    screen = text.index("On the sign-in screen of Shelter App, choose "
                        "\u201cForgot passphrase?\u201d")
    command = text.index("shelter-admin recover USER")
    assert screen < command
    assert "Sign in with the new passphrase" in text
    assert "Anyone else who has forgotten a passphrase asks an administrator" in text


def _fonts(reader: pypdf.PdfReader) -> list[Any]:
    found = []
    for font in reader.pages[0]["/Resources"]["/Font"].values():
        font = font.get_object()
        if "/DescendantFonts" in font:
            font = font["/DescendantFonts"][0].get_object()
        if "/FontDescriptor" in font:
            found.append(font)
    return found


def test_each_sheet_has_its_own_packet_id() -> None:
    ids = set()
    for _ in range(3):
        pdf = build_recovery_sheet(organisation=ORG, vault_id="v", recovery_key=new_recovery_key())
        text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
        ids.add(re.search(r"PK-[0-9A-F]{8}", text).group(0))  # type: ignore[union-attr]
    assert len(ids) == 3


def test_recovery_sheet_with_an_arabic_organisation_name(tmp_path: Path) -> None:
    pdf = build_recovery_sheet(organisation="دار الأمان", vault_id="v",
                               recovery_key=new_recovery_key())
    path = tmp_path / "ar.pdf"
    path.write_bytes(pdf)
    text = _pdftotext(path)
    assert "Organisation" in text and "Page 1 of 1" in text
    assert any("\u0600" <= ch <= "\u06ff" or "\ufe70" <= ch <= "\ufeff" for ch in text)


def test_shelter_admin_recovery_sheet(created: Created, admin: Services, vault_dir: Path,
                                      run_cli: Any, tmp_path: Path) -> None:
    old_key = created[2]
    admin.lock()
    created[0].close()
    out = tmp_path / "sheet.pdf"
    code, stdout, err = run_cli("--as", "admin", "recovery-sheet", "--out", str(out),
                                stdin=ADMIN_PASS + "\n")
    assert (code, err) == (0, "")
    assert "previous one no longer works" in stdout
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    [new_key] = KEY_PATTERN.findall(_pdftotext(out))
    assert new_key not in stdout, "the key is on the sheet, not on the screen"
    with pytest.raises(WrongPassphrase):
        _recover(vault_dir, old_key)
    _recover(vault_dir, new_key)
    with signed_in(vault_dir, passphrase=NEW_PASS) as s:
        assert any(e.action == "key.recovery_sheet_printed" for e in s.ctx.audit.events())


def test_shelter_admin_recovery_sheet_never_overwrites(created: Created, vault_dir: Path,
                                                       run_cli: Any, tmp_path: Path) -> None:
    created[1].close()
    created[0].close()
    out = tmp_path / "taken.pdf"
    out.write_bytes(b"someone else's document")
    code, _out, err = run_cli("--as", "admin", "recovery-sheet", "--out", str(out),
                              stdin=ADMIN_PASS + "\n")
    assert code == 1
    assert err == "shelter-admin: taken.pdf already exists. Choose another file name.\n"
    assert out.read_bytes() == b"someone else's document"
    _recover(vault_dir, created[2])  # the old key was not replaced


def test_shelter_admin_recovery_sheet_into_a_missing_folder_keeps_the_old_key(
    created: Created, vault_dir: Path, run_cli: Any, tmp_path: Path,
) -> None:
    created[1].close()
    created[0].close()
    code, _out, err = run_cli("--as", "admin", "recovery-sheet", "--out",
                              str(tmp_path / "no" / "such" / "folder.pdf"),
                              stdin=ADMIN_PASS + "\n")
    assert code == 1 and err.count("\n") == 1
    assert "could not be written" in err
    _recover(vault_dir, created[2])


def test_shelter_admin_recover(created: Created, vault_dir: Path, run_cli: Any) -> None:
    created[1].close()
    created[0].close()
    code, out, err = run_cli("recover", "admin", stdin=f"{created[2]}\n{NEW_PASS}\n")
    assert (code, err) == (0, "")
    assert "New passphrase set for admin" in plain(out)
    with Vault.open(vault_dir, kdf=FAST_KDF) as vault:
        opened, _report = vault.unlock("admin", NEW_PASS)
        build_services(opened).lock()
    code, _out, err = run_cli("recover", "admin", stdin=f"{new_recovery_key()}\n{NEW_PASS}2\n")
    assert code == 1 and err == "shelter-admin: The recovery key is not correct.\n"
