"""Key file version 2: who holds which key, the two-person rule, signed roles, migration.

Every check opens the key file the way docs/VAULT_FORMAT.md describes (keyring.open_account)
with the account's own passphrase, so what is asserted is what that passphrase yields.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from shelter_app.domain.key_classes import keys_for
from shelter_app.errors import VaultDamaged
from shelter_app.vault import crypto
from shelter_app.vault.keyring import open_account
from shelter_app.vault.keyslots import RECOVERY_ID, KeyslotFile, _digest, legacy_slot
from shelter_app.vault.vault import Vault
from tests.conftest import (
    ADMIN_PASS,
    FAST_KDF,
    TEMP_PASS,
    add_user,
    raw_connect,
    signed_in,
    unwrap_data_key,
)

ROLES = ("admin", "coordinator", "caseworker", "legal")
COMBINATIONS = [c for n in range(1, 5) for c in itertools.combinations(ROLES, n)]


def held(vault_dir: Path, username: str, passphrase: str = TEMP_PASS) -> set[str]:
    """The names of the keys *passphrase* opens in *username*'s slot."""
    slots = KeyslotFile.load(vault_dir / "keyslots.json")
    opened = open_account(slots, slots.find_user(username), passphrase, FAST_KDF.minimum)
    try:
        return set(opened.keyring.keys)
    finally:
        opened.keyring.wipe()


def events(vault_dir: Path, kind: str) -> list[dict[str, object]]:
    conn = raw_connect(vault_dir, unwrap_data_key(vault_dir))
    try:
        rows = conn.execute("SELECT target_id, details FROM audit_events WHERE action = ?"
                            " ORDER BY seq", (kind,)).fetchall()
    finally:
        conn.close()
    return [{"target": r[0], **json.loads(r[1])} for r in rows]


@pytest.fixture
def office(created, admin, vault_dir: Path) -> Path:
    """A vault with an administrator and a coordinator; the coordinator signed in once, so
    the content keys exist.  Every session is closed on return."""
    add_user(admin, "cora", "coordinator", temporary=False)
    admin.lock()
    created[0].close()
    with signed_in(vault_dir, "cora", TEMP_PASS):
        pass
    return vault_dir


def test_a_new_vault_gives_the_administrator_no_content_key(created, admin, vault_dir):
    admin.lock()
    created[0].close()
    assert held(vault_dir, "admin", ADMIN_PASS) == {"database", "administration"}
    body = json.loads((vault_dir / "keyslots.json").read_text())
    assert sorted(body["checks"]) == ["administration", "database"], "no content key yet"


@pytest.mark.parametrize("roles", COMBINATIONS, ids=["+".join(c) for c in COMBINATIONS])
def test_each_account_holds_exactly_what_its_roles_allow(office: Path, roles):
    with signed_in(office) as admin:
        add_user(admin, "someone", *roles, temporary=False)
    # the administrator alone gives content keys to nobody
    assert held(office, "someone") == ({"database", "administration"} if "admin" in roles
                                       else {"database"})
    with signed_in(office, "cora", TEMP_PASS):  # the coordinator's session gives them
        pass
    # the integrity key exists from the first re-key on (tests/records/test_rekey.py)
    assert held(office, "someone") == {str(k) for k in keys_for(roles)} - {"integrity"}


def test_the_coordinators_session_records_what_it_gave(office: Path):
    with signed_in(office) as admin:
        user_id = add_user(admin, "casey", "caseworker", temporary=False)
    with signed_in(office, "cora", TEMP_PASS):
        pass
    given = [e for e in events(office, "key.granted") if e["target"] == user_id]
    assert given == [{"target": user_id, "keys": ["case", "health", "legal"]}]
    made = events(office, "key.content_keys_made")
    assert [e["keys"] for e in made] == [["case", "health", "legal"]], "made once, not again"
    # and the recovery slot received every content key at the first coordinator session
    recovery = [e for e in events(office, "key.granted") if e["target"] == RECOVERY_ID]
    assert recovery and recovery[0]["keys"] == ["case", "health", "legal"]


def test_the_accounts_list_says_who_waits_for_keys(office: Path):
    with signed_in(office) as admin:
        add_user(admin, "casey", "caseworker", temporary=False)
        add_user(admin, "ada", "admin", temporary=False)
        states = {a.username: a.keys for a in admin.accounts.list()}
    assert states == {"admin": "ok", "ada": "ok", "cora": "ok", "casey": "waiting"}
    from ui.admin.users import keys_text
    with signed_in(office) as admin:
        [casey] = [a for a in admin.accounts.list() if a.username == "casey"]
        assert keys_text(casey) == "At a coordinator's next sign-in"
    with signed_in(office, "cora", TEMP_PASS):
        pass
    with signed_in(office) as admin:
        assert {a.keys for a in admin.accounts.list()} == {"ok"}


def test_an_administrator_who_is_also_coordinator_gives_keys_at_once(office: Path):
    with signed_in(office) as admin:
        add_user(admin, "both", "admin", "coordinator", temporary=False)
    with signed_in(office, "cora", TEMP_PASS):
        pass
    with signed_in(office, "both", TEMP_PASS) as both:
        add_user(both, "casey", "caseworker", temporary=False)
        assert held(office, "casey") == {"database", "case", "health", "legal"}


def test_a_removed_role_takes_its_keys_out_of_the_file(office: Path):
    with signed_in(office) as admin:
        add_user(admin, "casey", "caseworker", temporary=False)
    with signed_in(office, "cora", TEMP_PASS):
        pass
    with signed_in(office) as admin:
        admin.accounts.set_roles("casey", ["legal"])
    assert held(office, "casey") == {"database", "case", "legal"}
    with signed_in(office, "casey", TEMP_PASS) as casey:
        assert {r.value for r in casey.session.roles} == {"legal"}


def test_roles_edited_in_the_database_are_caught_and_not_obeyed(office: Path):
    with signed_in(office) as admin:
        user_id = add_user(admin, "lena", "legal", temporary=False)
    conn = raw_connect(office, unwrap_data_key(office))
    conn.execute("UPDATE users SET roles = '[\"coordinator\"]' WHERE id = ?", (user_id,))
    conn.commit()
    conn.close()
    with Vault.open(office, kdf=FAST_KDF) as vault:
        opened, report = vault.unlock("lena", TEMP_PASS)
        try:
            assert report.integrity_warning and "roles" in report.integrity_warning
            from shelter_app.services.registry import build_services
            services = build_services(opened)
            assert {r.value for r in services.session.roles} == {"legal"}
        finally:
            opened.close()
    failures = events(office, "vault.integrity_failure")
    assert failures[-1] == {"target": user_id, "reason": "roles"}
    with signed_in(office) as admin:
        report = admin.vault_admin.verify()
    assert not report.ok and report.accounts == 3
    [problem] = report.account_problems
    assert "lena" in problem and "Coordinator" in problem and "Legal volunteer" in problem
    assert any("Accounts: 3 checked, 1 problem(s)." in line for line in report.lines())


def test_verify_passes_and_says_the_roles_are_signed(office: Path):
    with signed_in(office) as admin:
        report = admin.vault_admin.verify()
    assert report.ok and report.account_problems == []
    assert "Accounts: 2 checked; every role is signed by an administrator." in report.lines()


def test_roles_edited_in_the_key_file_refuse_the_sign_in(office: Path):
    with signed_in(office) as admin:
        user_id = add_user(admin, "lena", "legal", temporary=False)
    path = office / "keyslots.json"
    body = json.loads(path.read_text())
    slot = next(s for s in body["slots"] if s["user_id"] == user_id)
    slot["statement"]["roles"] = ["coordinator"]
    slot["digest"] = _digest(slot)
    path.write_text(json.dumps(body))
    with Vault.open(office, kdf=FAST_KDF) as vault, pytest.raises(VaultDamaged) as info:
        vault.unlock("lena", TEMP_PASS)
    assert "signature" in str(info.value)


def test_a_grant_copied_into_another_slot_opens_nothing(office: Path):
    """Grants are bound to the account, the key's name and the epoch."""
    with signed_in(office) as admin:
        add_user(admin, "lena", "legal", temporary=False)
    path = office / "keyslots.json"
    body = json.loads(path.read_text())
    cora_id = next(s["user_id"] for s in body["slots"] if s.get("statement", {}).get("roles")
                   == ["coordinator"])
    cora = next(s for s in body["slots"] if s["user_id"] == cora_id)
    cora["grants"]["health"] = cora["grants"]["case"]  # another key's grant, same account
    cora["digest"] = _digest(cora)
    path.write_text(json.dumps(body))
    with Vault.open(office, kdf=FAST_KDF) as vault, pytest.raises(VaultDamaged):
        vault.unlock("cora", TEMP_PASS)


def test_recovery_gives_an_administrator_back_the_keys_of_their_roles(office: Path, created):
    with signed_in(office) as admin:
        add_user(admin, "both", "admin", "coordinator", temporary=False)
    with signed_in(office, "cora", TEMP_PASS):
        pass
    with Vault.open(office, kdf=FAST_KDF) as vault:
        opened, _report = vault.recover(created[2], "both", "a passphrase found again")
        opened.close()
    assert held(office, "both", "a passphrase found again") == {
        "database", "administration", "case", "health", "legal"}


# -- the upgrade from version 1 ------------------------------------------------------------
def _make_version_1(vault_dir: Path, accounts: dict[str, str], recovery_key: str) -> None:
    """Rewrite the key file as version 1 wrapped the same database key: the file an earlier
    release wrote for these accounts."""
    data_key = unwrap_data_key(vault_dir)
    current = KeyslotFile.load(vault_dir / "keyslots.json")
    conn = raw_connect(vault_dir, data_key)
    ids = dict(conn.execute("SELECT username, id FROM users").fetchall())
    conn.close()
    old = KeyslotFile(current.vault_id, crypto.key_check(data_key, current.vault_id),
                      audit_anchor=current.audit_anchor, version=1)
    for name, passphrase in accounts.items():
        old.put(legacy_slot(data_key, current.vault_id, ids[name], passphrase,
                            FAST_KDF.default, name=name))
    old.put(legacy_slot(data_key, current.vault_id, RECOVERY_ID, recovery_key,
                        FAST_KDF.default, kind="recovery"))
    old.save(vault_dir / "keyslots.json")


def test_a_version_1_key_file_is_upgraded_at_the_first_sign_in(created, admin, vault_dir):
    add_user(admin, "casey", "caseworker", temporary=False)
    add_user(admin, "lena", "legal", temporary=False)
    admin.lock()
    created[0].close()
    data_key = unwrap_data_key(vault_dir)
    _make_version_1(vault_dir, {"admin": ADMIN_PASS, "casey": TEMP_PASS, "lena": TEMP_PASS},
                    created[2])
    backups_before = set((vault_dir / "backups").glob("*.db"))

    with signed_in(vault_dir, "casey", TEMP_PASS) as casey:
        assert {r.value for r in casey.session.roles} == {"caseworker"}
    body = json.loads((vault_dir / "keyslots.json").read_text())
    assert body["version"] == 2
    assert set((vault_dir / "backups").glob("*.db")) - backups_before, "a backup came first"
    assert events(vault_dir, "key.file_migrated")
    assert unwrap_data_key(vault_dir, "casey", TEMP_PASS) == data_key
    assert held(vault_dir, "casey") == {"database", "case", "health", "legal"}
    with signed_in(vault_dir, "admin", ADMIN_PASS) as admin_session:
        states = {a.username: a.keys for a in admin_session.accounts.list()}
    assert states == {"admin": "ok", "casey": "ok", "lena": "upgrade"}
    body = json.loads((vault_dir / "keyslots.json").read_text())
    slots = {s["user_id"]: s for s in body["slots"]}
    waiting = [s for s in slots.values() if s["private_key"]["wrapped_by"] == "database"]
    assert len(waiting) == 2, "lena and the recovery slot finish at their own sign-in"
    assert all("aead" in s for s in waiting)

    with signed_in(vault_dir, "lena", TEMP_PASS):
        pass
    assert held(vault_dir, "lena") == {"database", "case", "legal"}
    assert held(vault_dir, "admin", ADMIN_PASS) == {"database", "administration"}
    body = json.loads((vault_dir / "keyslots.json").read_text())
    finished = [s for s in body["slots"] if s["private_key"]["wrapped_by"] == "passphrase"]
    assert len(finished) == 3 and not any("aead" in s for s in finished)
    assert [s["kind"] for s in body["slots"] if s not in finished] == ["recovery"]
    # every record is still there, under the same database key
    conn = raw_connect(vault_dir, data_key)
    assert conn.execute("SELECT count(*) FROM users").fetchone()[0] == 3
    conn.close()


def test_the_recovery_key_still_works_after_the_upgrade(created, admin, vault_dir):
    admin.lock()
    created[0].close()
    _make_version_1(vault_dir, {"admin": ADMIN_PASS}, created[2])
    with Vault.open(vault_dir, kdf=FAST_KDF) as vault:
        opened, _report = vault.recover(created[2], "admin", "a passphrase found again")
        opened.close()
    assert held(vault_dir, "admin", "a passphrase found again") == {"database",
                                                                      "administration"}
    with signed_in(vault_dir, "admin", "a passphrase found again") as again:
        assert again.session.username == "admin"


def test_the_recovery_key_gives_keys_no_coordinator_holds_any_more(office: Path, created):
    """The only coordinator who held the content keys leaves; the next one receives them
    from the recovery slot, through an administrator who has the recovery key."""
    from shelter_app.errors import WrongPassphrase
    with signed_in(office) as admin:
        admin.accounts.disable("cora")
        add_user(admin, "nina", "coordinator", temporary=False)
    with signed_in(office, "nina", TEMP_PASS):
        pass
    assert held(office, "nina") == {"database"}, "nobody left who could give them"
    with signed_in(office) as admin:
        with pytest.raises(WrongPassphrase):
            admin.accounts.give_keys_with_recovery("0000-0000-0000-0000-0000-0000-0000-0000")
        assert admin.accounts.give_keys_with_recovery(created[2].lower()) == 1
        assert admin.accounts.give_keys_with_recovery(created[2]) == 0, "nothing left to give"
    assert held(office, "nina") == {"database", "case", "health", "legal"}
    [given] = [e for e in events(office, "key.granted") if e.get("reason") == "recovery"]
    assert given["keys"] == ["case", "health", "legal"]


def test_give_keys_from_the_command_line(office: Path, created, run_cli):
    with signed_in(office) as admin:
        admin.accounts.disable("cora")
        add_user(admin, "nina", "coordinator", temporary=False)
    code, out, err = run_cli("--as", "admin", "user", "give-keys",
                             stdin=f"{ADMIN_PASS}\nnot a recovery key\n")
    assert code == 1 and "not a recovery key" in err and out == ""
    code, out, err = run_cli("--as", "admin", "user", "give-keys",
                             stdin=f"{ADMIN_PASS}\n{created[2]}\n")
    assert (code, err) == (0, "")
    assert "1 account received keys." in out
    assert held(office, "nina") == {"database", "case", "health", "legal"}


def test_giving_keys_with_the_recovery_key_is_recorded_even_when_nobody_lacks_any(
        office: Path, created):
    from shelter_app.errors import WrongPassphrase
    with signed_in(office) as admin:
        with pytest.raises(WrongPassphrase):
            admin.accounts.give_keys_with_recovery("7K3D-QW9X-M2ZT-8HJR-C4VN-P6YB-0SAE-1FG5")
        assert admin.accounts.give_keys_with_recovery(created[2]) == 0
    used = [e for e in events(office, "key.recovery_used") if e.get("action") == "give_keys"]
    assert len(used) == 1
    failed = [e for e in events(office, "session.sign_in_failed") if e["target"] == RECOVERY_ID]
    assert len(failed) == 1, "the wrong key before it is in the chain, and the throttle clear"
    with Vault.open(office, kdf=FAST_KDF) as vault:
        assert vault.attempts.pending(RECOVERY_ID) == ([], 0)


def test_giving_keys_finishes_a_recovery_slot_left_by_the_upgrade(created, admin, vault_dir):
    admin.lock()
    created[0].close()
    _make_version_1(vault_dir, {"admin": ADMIN_PASS}, created[2])
    with signed_in(vault_dir) as again:  # the upgrade: the recovery slot waits
        again.accounts.give_keys_with_recovery(created[2])
    body = json.loads((vault_dir / "keyslots.json").read_text())
    [recovery] = [s for s in body["slots"] if s["kind"] == "recovery"]
    assert recovery["private_key"]["wrapped_by"] == "passphrase" and "aead" not in recovery


def test_a_rekey_waits_for_slots_not_finished_since_the_upgrade(created, admin, vault_dir):
    """Their private keys are still under the vault's first database key, which key files
    from before hold: new keys sealed to them would be open to those files."""
    from shelter_app.errors import ValidationError

    add_user(admin, "lena", "legal", temporary=False)
    admin.lock()
    created[0].close()
    _make_version_1(vault_dir, {"admin": ADMIN_PASS, "lena": TEMP_PASS}, created[2])
    with signed_in(vault_dir) as first, pytest.raises(ValidationError) as refused:
        first.vault_admin.rekey()
    assert "lena" in refused.value.message and "recovery key" in refused.value.message
    with signed_in(vault_dir, "lena", TEMP_PASS):
        pass
    with signed_in(vault_dir) as again:
        with pytest.raises(ValidationError) as refused:
            again.vault_admin.rekey()
        assert "lena" not in refused.value.message
        again.vault_admin.new_recovery_key()
        assert again.vault_admin.rekey().epoch == 2
    assert held(vault_dir, "lena") == {"database", "integrity", "case", "legal"}
