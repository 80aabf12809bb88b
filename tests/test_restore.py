"""Restoring a backup: checked in a folder of its own, swapped in, the replaced one kept;
refused without touching the live vault when the backup is not this vault's, too new,
damaged, or asked for by someone who is not an administrator."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
import sqlcipher3.dbapi2 as sqlcipher

from shelter_app.errors import AccountDisabled, PermissionDenied, UnknownUser, WrongPassphrase
from shelter_app.vault import restore as restore_module
from shelter_app.vault import restore_swap
from shelter_app.vault.backup import copies
from shelter_app.vault.restore import BackupRefused, restore
from shelter_app.vault.vault import Vault
from tests.conftest import ADMIN_PASS, FAST_KDF, add_user, unwrap_data_key
from tests.ui.case_helpers import STAFF_PASS, new_case, session, staffed_vault


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _codes(folder: Path) -> set[str]:
    with session(folder, "coordinator") as s:
        return {row.code for row in s.search.summaries(s.search.list_ids())}


def _run(folder: Path, backup: Path | None = None, *, user: str = "admin",
         passphrase: str = ADMIN_PASS, into: Path | None = None
         ) -> restore_module.RestoreReport:
    with Vault.open(folder, kdf=FAST_KDF) as vault:
        return restore(folder, user, passphrase, backup, into=into, minimum=FAST_KDF.minimum,
                       attempts=vault.attempts)


def _backup(folder: Path) -> Path:
    with session(folder, "admin") as admin:
        return admin.vault_admin.backup()


@pytest.fixture
def staffed(tmp_path: Path) -> tuple[Path, dict[str, str], str, str]:
    """A vault with one case in its backup and a second made after it."""
    folder = tmp_path / "vault"
    ids = staffed_vault(folder)
    with session(folder, "coordinator") as s:
        kept = new_case(s, ids).code
    _backup(folder)
    with session(folder, "coordinator") as s:
        later = new_case(s, ids, "Ottilie Marchbank").code
    return folder, ids, kept, later


def test_restore_puts_the_backup_back_and_keeps_what_it_replaced(
        staffed: tuple[Path, dict[str, str], str, str], run_cli: Any) -> None:
    folder, _ids, kept, later = staffed
    assert _codes(folder) == {kept, later}
    before = _digest(folder / "cases.db")
    code, out, err = run_cli("--vault", str(folder), "--as", "admin", "restore",
                             stdin=ADMIN_PASS + "\n", vault=False)
    assert code == 0, err
    assert "was restored" in out and "Checking every page" in err
    [aside] = restore_module.set_aside(folder)
    assert str(aside) in out
    assert _digest(aside / "cases.db") == before, "the replaced database is kept as it was"
    assert (aside / "keyslots.json").exists()
    assert not (folder / "restore.json").exists()
    assert not list(folder.glob("restoring-*"))
    assert _codes(folder) == {kept}
    with session(folder, "coordinator") as s:
        report = s.vault_admin.verify()
        assert report.ok, report.lines()
        assert report.rows is not None and report.rows.checked == 2  # survivor and case
        [event] = [e for e in s.ctx.audit.events() if e.action == "vault.restored"]
        assert event.details["version"] >= 10 and event.details["occurred_at"]
    with Vault.open(folder, kdf=FAST_KDF) as vault:
        opened, signed = vault.unlock("admin", ADMIN_PASS)
        opened.close()
    assert signed.integrity_warning is None, "the key file's anchor follows the restore"


def test_a_damaged_vault_gets_the_newest_backup_that_passes_its_check(
        staffed: tuple[Path, dict[str, str], str, str]) -> None:
    folder, _ids, kept, _later = staffed
    newest = _backup(folder)
    for damaged in (newest, folder / "cases.db"):
        with damaged.open("r+b") as f:
            f.seek(4096 * 2 + 100)
            f.write(b"\x00" * 64)
    report = _run(folder)
    assert report.skipped == [newest]
    assert report.replaced is not None and report.set_aside == 1, "the failed copy goes aside"
    assert _codes(folder) == {kept}, "the newest copy held both cases, but it is damaged"
    _verified_by_coordinator(folder)


def _verified_by_coordinator(folder: Path) -> None:
    with session(folder, "coordinator") as s:
        report = s.vault_admin.verify()
    assert report.ok, report.lines()


def _refused(folder: Path, backup: Path, expect: str, **kwargs: Any) -> None:
    live = _digest(folder / "cases.db")
    slots = _digest(folder / "keyslots.json")
    with pytest.raises(BackupRefused) as info:
        _run(folder, backup, **kwargs)
    assert expect in info.value.message and "Nothing was changed" in info.value.message
    assert _digest(folder / "cases.db") == live and _digest(folder / "keyslots.json") == slots
    assert not list(folder.glob("restoring-*")) and not list(folder.glob("replaced-*"))


def test_backups_that_cannot_be_restored_leave_the_live_vault_untouched(
        staffed: tuple[Path, dict[str, str], str, str], tmp_path: Path) -> None:
    folder, _ids, kept, later = staffed
    [(_made, _v, good)] = copies(folder)
    other = tmp_path / "other"
    staffed_vault(other, fresh=True)
    _refused(folder, _backup(other), "does not open with this vault's key")

    key = unwrap_data_key(folder)
    for name, sql, expect in (
            ("newer", "PRAGMA user_version = 999", "newer version"),
            ("foreign", "UPDATE meta SET value = 'x' WHERE key = 'vault_id'", "another vault"),
            ("cut", "DELETE FROM audit_events WHERE seq = 3", "audit chain is broken")):
        copy = tmp_path / f"{name}.db"
        copy.write_bytes(good.read_bytes())
        conn = sqlcipher.connect(str(copy), isolation_level=None)
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
        conn.execute(sql)
        conn.close()
        _refused(folder, copy, expect)
    damaged = tmp_path / "damaged.db"
    data = bytearray(good.read_bytes())
    data[4096 * 3 + 10: 4096 * 3 + 40] = bytes(30)
    damaged.write_bytes(bytes(data))
    _refused(folder, damaged, "pages are damaged")
    with pytest.raises(BackupRefused, match="is a folder"):
        _run(folder, tmp_path)
    with pytest.raises(PermissionDenied):
        _run(folder, good, user="coordinator", passphrase=STAFF_PASS)
    with pytest.raises(WrongPassphrase):
        _run(folder, good, passphrase="not the passphrase at all")
    assert _codes(folder) == {kept, later}


def test_accounts_follow_the_key_file_not_the_backup(
        staffed: tuple[Path, dict[str, str], str, str]) -> None:
    folder, _ids, _kept, _later = staffed
    with session(folder, "admin") as admin:
        add_user(admin, "newbie", "caseworker", passphrase=STAFF_PASS, temporary=False)
        admin.accounts.disable("caseworker")
        admin.accounts.set_roles("legal", ["legal", "caseworker"])
    [(_made, _v, backup)] = copies(folder)
    report = _run(folder, backup)
    assert (report.removed, report.disabled, report.roles) == (1, 1, 1)
    with Vault.open(folder, kdf=FAST_KDF) as vault:
        with pytest.raises(UnknownUser):
            vault.unlock("newbie", STAFF_PASS)
        with pytest.raises(AccountDisabled):
            vault.unlock("caseworker", STAFF_PASS)
    with session(folder, "legal") as legal:
        assert {r.value for r in legal.session.roles} == {"legal", "caseworker"}
    _verified_by_coordinator(folder)


def test_an_administrator_made_after_the_backup_cannot_restore_it(
        staffed: tuple[Path, dict[str, str], str, str]) -> None:
    folder, _ids, _kept, _later = staffed
    with session(folder, "admin") as admin:
        add_user(admin, "ada", "admin", passphrase=STAFF_PASS, temporary=False)
    [(_made, _v, backup)] = copies(folder)
    _refused(folder, backup, "made after this backup", user="ada", passphrase=STAFF_PASS)


def test_restoring_into_a_new_folder_leaves_the_vault_in_use(
        staffed: tuple[Path, dict[str, str], str, str], tmp_path: Path) -> None:
    folder, _ids, kept, later = staffed
    live = _digest(folder / "cases.db")
    report = _run(folder, into=tmp_path / "restored")
    assert report.replaced is None and report.folder == tmp_path / "restored"
    assert _digest(folder / "cases.db") == live
    assert _codes(folder) == {kept, later}
    assert _codes(tmp_path / "restored") == {kept}
    _verified_by_coordinator(tmp_path / "restored")
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "notes.txt").write_text("mine")
    with pytest.raises(Exception, match="not an empty folder"):
        _run(folder, into=taken)
    assert [p.name for p in taken.iterdir()] == ["notes.txt"]


class _Crash(BaseException):
    pass


@pytest.mark.parametrize("at", ["before the swap", "between the files"])
def test_a_restore_stopped_mid_swap_is_finished_at_the_next_opening(
        staffed: tuple[Path, dict[str, str], str, str], monkeypatch: pytest.MonkeyPatch,
        at: str) -> None:
    folder, _ids, kept, _later = staffed
    real_move = restore_swap._move
    calls = []

    def crash(source: Path, target: Path) -> None:
        calls.append(source.name)
        if at == "before the swap" and source.name == "keyslots.json":
            raise _Crash
        real_move(source, target)
        if at == "between the files" and source.name == "keyslots.json":
            raise _Crash

    monkeypatch.setattr(restore_swap, "_move", crash)
    with pytest.raises(_Crash):
        _run(folder)
    monkeypatch.setattr(restore_swap, "_move", real_move)
    assert (folder / "restore.json").exists()
    assert _codes(folder) == {kept}, "the next opening finishes the swap"
    assert not (folder / "restore.json").exists() and not list(folder.glob("restoring-*"))
    _verified_by_coordinator(folder)


def test_a_case_erased_after_the_backup_is_erased_again_by_its_restore(
        staffed: tuple[Path, dict[str, str], str, str]) -> None:
    """Restoring a copy made before an erasure must not bring the survivor's records
    back: the key file keeps the erased case's id, and the restore erases it again."""
    folder, _ids, kept, later = staffed
    with session(folder, "coordinator") as s:
        case_id = s.cases.id_for_code(kept)
        assert s.retention.erase(case_id, "survivor_request").erased
    assert _codes(folder) == {later}
    report = _run(folder, copies(folder)[0][2])
    assert report.erased == 1
    assert any("erased from it again" in line for line in restore_module.report_lines(report))
    assert _codes(folder) == set()  # the later case is not in the backup; the kept one erased
    with session(folder, "coordinator") as s:
        assert s.ctx.db.scalar("SELECT count(*) FROM survivors") == 0
        verified = s.vault_admin.verify()
        assert verified.ok, verified.lines()
        [event] = [e for e in s.ctx.audit.events() if e.action == "vault.restored"]
        assert event.details["purged"]["cases"] == 1
        # the backups made before now hold an erased case: rotation lets them go
        assert s.ctx.db.scalar("SELECT value FROM meta WHERE key = 'last_purge_at'")


@pytest.mark.parametrize("change", ["an id added", "the list emptied",
                                    "an id added, the MAC removed"])
def test_a_list_of_erased_cases_changed_by_hand_stops_the_restore(
        staffed: tuple[Path, dict[str, str], str, str], change: str) -> None:
    """Someone who can write the vault folder edits the key file's list of erased cases: to
    have a restore erase another survivor's records, or bring erased ones back.  Verify
    names it, and the restore refuses, changing nothing."""
    folder, _ids, kept, later = staffed
    with session(folder, "coordinator") as s:
        erased = s.cases.id_for_code(kept)
        assert s.retention.erase(erased, "survivor_request").erased
        other = s.cases.id_for_code(later)
    path = folder / "keyslots.json"
    body = json.loads(path.read_text("utf-8"))
    assert body["erased"] == [erased] and body["erased_mac"]
    if change == "the list emptied":
        del body["erased"]
    else:
        body["erased"].append(other)
    if "MAC removed" in change:  # as a list of the release before: it is not signed now
        del body["erased_mac"]
    path.write_text(json.dumps(body), "utf-8")
    with session(folder, "admin") as admin:
        verified = admin.vault_admin.verify()
        assert not verified.ok
        assert any("list of cases erased on request was changed" in line
                   for line in verified.lines())
    live = (folder / "cases.db").read_bytes()
    _refused(folder, copies(folder)[0][2], "list of cases erased on request was changed")
    assert (folder / "cases.db").read_bytes() == live
    assert _codes(folder) == {later}


def test_a_list_changed_by_hand_is_not_signed_again_by_the_next_erasure(
        staffed: tuple[Path, dict[str, str], str, str]) -> None:
    """An id slipped into the list, then a real erasure: the list keeps failing its MAC
    (the new id waits in the database), so the id slipped in never gains a valid MAC."""
    folder, _ids, kept, later = staffed
    with session(folder, "coordinator") as s:
        first, second = s.cases.id_for_code(kept), s.cases.id_for_code(later)
        assert s.retention.erase(first, "survivor_request").erased
    path = folder / "keyslots.json"
    body = json.loads(path.read_text("utf-8"))
    body["erased"].append("a-case-nobody-asked-to-erase")
    path.write_text(json.dumps(body), "utf-8")
    with session(folder, "coordinator") as s:
        assert s.retention.erase(second, "survivor_request").erased
        waiting = s.ctx.db.scalar("SELECT value FROM meta WHERE key = 'erased_to_note'")
    assert waiting == second
    body = json.loads(path.read_text("utf-8"))
    assert second not in body["erased"]
    with session(folder, "admin") as admin:
        assert not admin.vault_admin.verify().ok
