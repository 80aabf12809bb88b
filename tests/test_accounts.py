"""Staff accounts: add, disable, re-enable, reset, roles, and changing one's own passphrase."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from shelter_app.domain.accounts import MAX_PASSPHRASE, validate_passphrase
from shelter_app.domain.roles import Role
from shelter_app.errors import (
    AccountDisabled,
    NotFound,
    PassphraseRejected,
    ValidationError,
    WrongPassphrase,
)
from shelter_app.services.registry import Services, build_services
from shelter_app.vault.vault import OpenVault, Vault
from tests.conftest import (
    ADMIN_PASS,
    FAST_KDF,
    TEMP_PASS,
    add_user,
    raw_connect,
    signed_in,
    unwrap_data_key,
)

Created = tuple[Vault, OpenVault, str]


def _slots(vault_dir: Path) -> dict[str, dict[str, Any]]:
    body = json.loads((vault_dir / "keyslots.json").read_text())
    return {s["user_id"]: s for s in body["slots"]}


def _events(s: Services, action: str) -> list[Any]:
    return [e for e in s.ctx.audit.events() if e.action == action]


def _done(created: Created, s: Services) -> None:
    """Sign the administrator out and release the folder so another session can start."""
    s.lock()
    created[0].close()


# -- adding ------------------------------------------------------------------------
def test_added_account_must_change_its_temporary_passphrase(
    created: Created, admin: Services, vault_dir: Path,
) -> None:
    user_id = add_user(admin, "casey", "caseworker", display_name="Casey W.")
    listed = {a.username: a for a in admin.accounts.list()}
    assert set(listed) == {"admin", "casey"}
    casey = listed["casey"]
    assert casey.id == user_id
    assert casey.roles == frozenset({Role.CASEWORKER})
    assert casey.must_change_passphrase and casey.status == "active"
    assert casey.display_name == "Casey W."
    assert user_id in {e.target_id for e in _events(admin, "user.added")}
    _done(created, admin)

    with Vault.open(vault_dir, kdf=FAST_KDF) as vault:
        opened, report = vault.unlock("casey", TEMP_PASS)
        assert report.must_change_passphrase
        casey_s = build_services(opened)
        casey_s.accounts.change_own_passphrase(TEMP_PASS, "my own secret words")
        assert not casey_s.accounts.current().must_change_passphrase
        casey_s.lock()
    with Vault.open(vault_dir, kdf=FAST_KDF) as vault:
        opened, report = vault.unlock("casey", "my own secret words")
        assert not report.must_change_passphrase
        opened.close()


def test_one_person_may_hold_several_roles(created: Created, admin: Services,
                                           vault_dir: Path) -> None:
    add_user(admin, "dana", "coordinator", "legal")
    _done(created, admin)
    with signed_in(vault_dir, "dana", TEMP_PASS) as dana:
        assert dana.session.roles == frozenset({Role.COORDINATOR, Role.LEGAL})


@pytest.mark.parametrize("name", ["casey", "CASEY", " Casey "])
def test_duplicate_user_name_is_refused(admin: Services, vault_dir: Path, name: str) -> None:
    add_user(admin, "casey", "caseworker")
    before = (vault_dir / "keyslots.json").read_bytes()
    with pytest.raises(ValidationError) as info:
        add_user(admin, name, "legal")
    assert info.value.field == "username"
    assert (vault_dir / "keyslots.json").read_bytes() == before
    assert len(admin.accounts.list()) == 2


@pytest.mark.parametrize("name", ["", "   ", "two words", "a/b", "x" * 65, "tab\tname"])
def test_bad_user_names_are_refused(admin: Services, name: str) -> None:
    with pytest.raises(ValidationError):
        add_user(admin, name, "legal")
    assert len(admin.accounts.list()) == 1


@pytest.mark.parametrize(("name", "expect"), [
    ("\u0430dmin", "different alphabets"),  # Cyrillic а, then Latin
    ("p\u0430ss", "different alphabets"),
    ("ADM\u0399N", "different alphabets"),  # Greek capital iota among Latin letters
    ("\u0430\u0501min", "different alphabets"),
    ("casey1", "looks like the existing account"),  # "l" and "1" are confusable
    ("casey\uff4c", "looks like the existing account"),  # fullwidth l: one script, same look
])
def test_user_names_that_look_like_another_are_refused(admin: Services, vault_dir: Path,
                                                        name: str, expect: str) -> None:
    add_user(admin, "caseyl", "caseworker")
    before = (vault_dir / "keyslots.json").read_bytes()
    with pytest.raises(ValidationError) as info:
        add_user(admin, name, "legal")
    assert expect in info.value.message and info.value.field == "username"
    assert (vault_dir / "keyslots.json").read_bytes() == before
    assert len(admin.accounts.list()) == 2


@pytest.mark.parametrize("name", ["мария", "محمد", "ana.lopez-2", "maría", "nguyễn"])
def test_names_in_one_alphabet_are_accepted(admin: Services, name: str) -> None:
    add_user(admin, name, "legal")
    assert name in {a.username for a in admin.accounts.list()}


def test_roles_must_be_known_and_at_least_one(admin: Services) -> None:
    with pytest.raises(ValidationError) as info:
        admin.accounts.add("erin", [], TEMP_PASS)
    assert info.value.field == "roles"
    with pytest.raises(ValidationError) as info:
        admin.accounts.add("erin", ["superuser"], TEMP_PASS)
    assert "superuser" in str(info.value)
    assert [a.username for a in admin.accounts.list()] == ["admin"]


# -- disabling and re-enabling ---------------------------------------------------------
def test_disable_destroys_the_keyslot(created: Created, admin: Services,
                                      vault_dir: Path) -> None:
    user_id = add_user(admin, "casey", "caseworker")
    assert "private_key" in _slots(vault_dir)[user_id]
    admin.accounts.disable("casey")
    slot = _slots(vault_dir)[user_id]
    assert slot["status"] == "disabled"
    assert not {"aead", "kdf", "check", "private_key", "grants", "public_key"} & set(slot)
    assert [a.status for a in admin.accounts.list() if a.username == "casey"] == ["disabled"]
    assert _events(admin, "user.disabled")[0].target_id == user_id
    _done(created, admin)
    with Vault.open(vault_dir, kdf=FAST_KDF) as vault, pytest.raises(AccountDisabled) as info:
        vault.unlock("casey", TEMP_PASS)
    assert "Ask an administrator to re-enable it" in str(info.value)


def test_enable_needs_a_new_temporary_passphrase(created: Created, admin: Services,
                                                 vault_dir: Path) -> None:
    add_user(admin, "casey", "caseworker")
    admin.accounts.disable("casey")
    with pytest.raises(ValidationError):
        admin.accounts.disable("casey")  # already disabled
    admin.accounts.enable("casey", "a fresh temporary one")
    with pytest.raises(ValidationError):
        admin.accounts.enable("casey", "another temporary one")  # already active
    _done(created, admin)
    with Vault.open(vault_dir, kdf=FAST_KDF) as vault:
        with pytest.raises(WrongPassphrase):
            vault.unlock("casey", TEMP_PASS)  # the destroyed slot's passphrase
        opened, report = vault.unlock("casey", "a fresh temporary one")
        assert report.must_change_passphrase
        opened.close()


def test_reset_sets_a_temporary_passphrase(created: Created, admin: Services,
                                           vault_dir: Path) -> None:
    add_user(admin, "casey", "caseworker")
    admin.accounts.reset("casey", "reset by the administrator")
    assert len(_events(admin, "user.passphrase_reset")) == 1
    admin.accounts.disable("casey")
    with pytest.raises(ValidationError):
        admin.accounts.reset("casey", "cannot reset a disabled one")
    admin.accounts.enable("casey", "reset by the administrator")
    _done(created, admin)
    with Vault.open(vault_dir, kdf=FAST_KDF) as vault:
        with pytest.raises(WrongPassphrase):
            vault.unlock("casey", TEMP_PASS)
        opened, report = vault.unlock("casey", "reset by the administrator")
        assert report.must_change_passphrase
        opened.close()


def test_unknown_account_names(admin: Services) -> None:
    for call in (lambda: admin.accounts.disable("ghost"),
                 lambda: admin.accounts.reset("ghost", TEMP_PASS),
                 lambda: admin.accounts.set_roles("ghost", ["legal"])):
        with pytest.raises(NotFound):
            call()


def test_cannot_disable_self(admin: Services) -> None:
    with pytest.raises(ValidationError) as info:
        admin.accounts.disable("admin")
    assert "your own account" in str(info.value)
    assert admin.accounts.current().status == "active"


def test_no_temporary_passphrase_for_oneself(admin: Services) -> None:
    """An administrator who set a temporary passphrase on their own account would sign
    out into a passphrase they may not have noted: they change their own instead."""
    with pytest.raises(ValidationError) as info:
        admin.accounts.reset("admin", TEMP_PASS)
    assert "your own" in str(info.value)
    assert admin.accounts.current().must_change_passphrase is False


def test_the_last_administrator_cannot_be_removed(admin: Services) -> None:
    with pytest.raises(ValidationError) as info:
        admin.accounts.set_roles("admin", ["coordinator"])
    assert "last active administrator" in str(info.value)
    assert admin.session.roles == frozenset({Role.ADMIN})
    # with a second administrator it can
    add_user(admin, "root2", "admin")
    admin.accounts.set_roles("admin", ["admin", "coordinator"])
    assert admin.session.roles == frozenset({Role.ADMIN, Role.COORDINATOR})
    admin.accounts.disable("root2")
    with pytest.raises(ValidationError):
        admin.accounts.set_roles("admin", ["coordinator"])


def test_roles_change_is_recorded_without_names(admin: Services) -> None:
    user_id = add_user(admin, "casey", "caseworker")
    admin.accounts.set_roles("casey", ["caseworker", "legal"])
    [event] = _events(admin, "user.roles_changed")
    assert event.target_id == user_id
    assert event.details == {"roles": ["caseworker", "legal"]}
    assert "casey" not in json.dumps([e.details for e in admin.ctx.audit.events()])


# -- changing one's own passphrase -----------------------------------------------------
def test_change_own_passphrase_rewrites_only_that_keyslot(created: Created, admin: Services,
                                                         vault_dir: Path) -> None:
    add_user(admin, "casey", "caseworker")
    add_user(admin, "dana", "legal")
    key_before = unwrap_data_key(vault_dir)
    before = json.loads((vault_dir / "keyslots.json").read_text())
    admin.accounts.change_own_passphrase(ADMIN_PASS, "a brand new passphrase")
    after = json.loads((vault_dir / "keyslots.json").read_text())

    own = admin.session.user_id
    assert [s["user_id"] for s in after["slots"]] == [s["user_id"] for s in before["slots"]]
    assert after["vault_id"] == before["vault_id"]
    assert after["checks"] == before["checks"]
    for old, new in zip(before["slots"], after["slots"], strict=True):
        if old["user_id"] == own:
            assert old["kdf"]["salt"] != new["kdf"]["salt"]
            assert old["private_key"] != new["private_key"]
            assert old["public_key"] == new["public_key"] and old["grants"] == new["grants"]
        else:
            assert old == new, "another account's keyslot changed"
    assert len(_events(admin, "key.passphrase_changed")) == 1
    _done(created, admin)

    # the database was not re-keyed: the same data key opens it, from the new slot too
    assert unwrap_data_key(vault_dir, passphrase="a brand new passphrase") == key_before
    conn = raw_connect(vault_dir, key_before)
    assert conn.execute("SELECT count(*) FROM users").fetchone()[0] == 3
    conn.close()
    with Vault.open(vault_dir, kdf=FAST_KDF) as vault:
        with pytest.raises(WrongPassphrase):
            vault.unlock("admin", ADMIN_PASS)
        opened, _report = vault.unlock("admin", "a brand new passphrase")
        opened.close()
        opened, _report = vault.unlock("casey", TEMP_PASS)
        opened.close()


def test_change_own_passphrase_checks_the_current_one(admin: Services, vault_dir: Path) -> None:
    before = (vault_dir / "keyslots.json").read_bytes()
    with pytest.raises(WrongPassphrase) as info:
        admin.accounts.change_own_passphrase("not my passphrase", "a brand new passphrase")
    assert "current passphrase" in str(info.value)
    with pytest.raises(ValidationError):
        admin.accounts.change_own_passphrase(ADMIN_PASS, ADMIN_PASS)
    with pytest.raises(PassphraseRejected):
        admin.accounts.change_own_passphrase(ADMIN_PASS, "short")
    assert (vault_dir / "keyslots.json").read_bytes() == before


def test_new_passphrase_in_another_normal_form_is_the_same_passphrase(tmp_path: Path) -> None:
    nfc = unicodedata.normalize("NFC", "Mật khẩu của tôi")
    vault, opened, _key = Vault.create(tmp_path / "v", organisation="Org",
                                       admin_username="admin", admin_passphrase=nfc,
                                       kdf=FAST_KDF)
    s = build_services(opened)
    with pytest.raises(ValidationError) as info:
        s.accounts.change_own_passphrase(nfc, unicodedata.normalize("NFD", nfc))
    assert "different" in str(info.value)
    s.lock()
    vault.close()


# -- the passphrase policy -------------------------------------------------------------
@pytest.mark.parametrize("passphrase,accepted", [
    ("eleven char", False),
    ("twelve chars", True),
    ("aaaaaaaaaaaaaaaa", False),  # too few different characters
    ("my name is admin ok", False),  # contains the user name
    ("كلمة مرور طويلة", True),
    ("mật khẩu dài ơi", True),
    ("🐢🐇🦊🐻🐼🐨🐯🦁🐮🐷🐸🐵", True),  # twelve characters, all emoji
    ("x1y2" * 256, True),  # 1,024 characters
    ("x1y2" * (MAX_PASSPHRASE // 4), True),
    ("x1y2" * 250_000, False),  # one million characters
])
def test_passphrase_policy(passphrase: str, accepted: bool) -> None:
    if accepted:
        assert validate_passphrase(passphrase, username="admin") == unicodedata.normalize(
            "NFC", passphrase)
    else:
        with pytest.raises(PassphraseRejected):
            validate_passphrase(passphrase, username="admin")


def test_policy_counts_characters_after_nfc_normalisation() -> None:
    # eleven Vietnamese characters that are 20 code points in NFD still count as eleven
    nfd = unicodedata.normalize("NFD", "ệệệệệlàmgì")
    assert len(nfd) > 12
    with pytest.raises(PassphraseRejected):
        validate_passphrase(nfd)
    assert validate_passphrase(unicodedata.normalize("NFD", "ệệệệệlàmgìnhé")) == (
        unicodedata.normalize("NFC", "ệệệệệlàmgìnhé"))


def test_long_passphrase_round_trip(tmp_path: Path) -> None:
    long_one = "Đây là một câu rất dài 🌊 " * 40  # about a thousand characters
    vault, opened, _key = Vault.create(tmp_path / "v", organisation="Org",
                                       admin_username="admin", admin_passphrase=long_one,
                                       kdf=FAST_KDF)
    opened.close()
    vault.close()
    with signed_in(tmp_path / "v", passphrase=long_one) as s:
        assert s.session.username == "admin"
