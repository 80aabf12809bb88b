"""A re-key: a new database key for cases.db and every backup, sealed to every account.

After it, a key file copied before opens nothing of the vault; interrupted anywhere by the
process ending abruptly, the next sign-in finishes or undoes it and every account reads
what it read before.
"""

from __future__ import annotations

import json
import os
import random
import select
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from shelter_app.errors import NotFound, PermissionDenied, VaultDamaged
from shelter_app.services.registry import Services
from shelter_app.vault.connection import connect
from shelter_app.vault.keyring import open_account
from shelter_app.vault.keyslots import KeyslotFile
from tests.conftest import ADMIN_PASS, FAST_KDF, signed_in
from tests.records.conftest import STAFF_PASS, organisation

ROOT = Path(__file__).resolve().parents[2]
# The administrator comes last: after a crash, another account's sign-in finishes the re-key.
ACCOUNTS = {"coordinator": STAFF_PASS, "caseworker": STAFF_PASS, "legal": STAFF_PASS,
            "other_legal": STAFF_PASS, "admin": ADMIN_PASS}


def _populated(tmp_path: Path, backups: int = 2) -> tuple[Path, list[str]]:
    """A vault with cases, a health note's worth of content and *backups* copies; closed."""
    with organisation(tmp_path) as org:
        ids = [org.new_case(f"Rekey Person {i}", share=i % 2 == 0).id for i in range(4)]
        for _ in range(backups):
            org.admin.vault_admin.backup()
    return tmp_path / "vault", ids


def _reads(services: Services, ids: list[str]) -> dict[str, Any]:
    """What one account reads: the name of each case it may open, and the row counts."""
    names = {}
    for case_id in ids:
        try:
            names[case_id] = services.cases.get(case_id).survivor["legal_name"]
        except (PermissionDenied, NotFound):
            names[case_id] = None
    counts = {t: services.ctx.db.scalar(f"SELECT count(*) FROM {t}")  # noqa: S608
              for t in ("survivors", "cases", "users", "case_shares")}
    return {"names": names, "counts": counts}


def _everyone(folder: Path, ids: list[str]) -> dict[str, dict[str, Any]]:
    out = {}
    for name, passphrase in ACCOUNTS.items():
        with signed_in(folder, name, passphrase) as services:
            out[name] = _reads(services, ids) if name != "admin" else {
                "verify": services.vault_admin.verify().ok}
    return out


def _database_keys(key_file: Path) -> set[bytes]:
    """The database key each account's passphrase opens in *key_file*."""
    slots = KeyslotFile.load(key_file)
    keys = set()
    for name, passphrase in ACCOUNTS.items():
        opened = open_account(slots, slots.find_user(name), passphrase, FAST_KDF.minimum)
        keys.add(opened.keyring.data_key)
        opened.keyring.wipe()
    return keys


def _opens(path: Path, key: bytes) -> bool:
    try:
        connect(path, key).close()
    except VaultDamaged:
        return False
    return True


def _files(folder: Path) -> list[Path]:
    return [folder / "cases.db", *sorted((folder / "backups").glob("cases-*.db"))]


def test_a_rekey_keeps_every_record_and_an_old_key_file_opens_nothing(tmp_path: Path) -> None:
    folder, ids = _populated(tmp_path)
    before = _everyone(folder, ids)
    old_file = tmp_path / "keyslots-before.json"
    shutil.copy(folder / "keyslots.json", old_file)
    (old_key,) = _database_keys(old_file)

    seen: list[tuple[int, int]] = []
    with signed_in(folder) as admin:
        report = admin.vault_admin.rekey(lambda done, total: seen.append((done, total)))
        assert (report.epoch, report.files) == (2, 3)
        # the session goes on under the new key: it writes, and the check passes
        admin.settings.set("backups_kept", 5)
        assert admin.vault_admin.verify().ok
    assert seen and seen[-1][0] == seen[-1][1], "progress reaches the end"

    assert _everyone(folder, ids) == before
    (new_key,) = _database_keys(folder / "keyslots.json")
    assert new_key != old_key
    for path in _files(folder):
        assert _opens(path, new_key) and not _opens(path, old_key), path.name
    assert not list(folder.rglob("*.rekey"))
    body = json.loads((folder / "keyslots.json").read_text())
    assert "rekey" not in body and body["epochs"]["database"] == 2
    # an account made after the re-key holds the integrity key the audit chain is under
    with signed_in(folder) as admin:
        admin.accounts.add("newcomer", ["legal"], STAFF_PASS, temporary=False)
    with signed_in(folder, "newcomer", STAFF_PASS) as newcomer:
        assert newcomer.ctx.vault.keyring.holds("integrity")
    with signed_in(folder, "coordinator", STAFF_PASS) as coordinator:
        events = [r["details"] for r in coordinator.ctx.db.all(
            "SELECT details FROM audit_events WHERE action = 'key.rekeyed'")]
    assert [json.loads(d) for d in events] == [{"version": 2, "count": 2, "keys": ["database"]}]


def test_a_second_rekey_makes_the_first_key_file_and_the_second_useless(tmp_path: Path
                                                                         ) -> None:
    folder, ids = _populated(tmp_path, backups=1)
    before = _everyone(folder, ids)
    keys = []
    for _ in range(2):
        with signed_in(folder) as admin:
            admin.vault_admin.rekey()
        keys.append(next(iter(_database_keys(folder / "keyslots.json"))))
    assert _everyone(folder, ids) == before
    assert not _opens(folder / "cases.db", keys[0]) and _opens(folder / "cases.db", keys[1])


def test_only_an_administrator_or_a_coordinator_changes_the_keys(tmp_path: Path) -> None:
    folder, _ids = _populated(tmp_path, backups=0)
    for name in ("caseworker", "legal"):
        with signed_in(folder, name, STAFF_PASS) as services, pytest.raises(PermissionDenied):
            services.vault_admin.rekey()
    assert json.loads((folder / "keyslots.json").read_text())["epochs"]["database"] == 1


def _child(folder: Path, point: str, nth: int = 1, user: str = "admin"
           ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tests.records.rekey_child", str(folder), point, str(nth), user],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})


def _after_a_crash(folder: Path, ids: list[str], before: dict[str, Any], old_key: bytes,
                   ) -> bool:
    """The next sign-ins: everyone reads what they read before, nothing staged is left.
    Returns whether the vault is now under a new key."""
    assert _everyone(folder, ids) == before
    assert not list(folder.rglob("*.rekey"))
    assert "rekey" not in json.loads((folder / "keyslots.json").read_text())
    (key,) = _database_keys(folder / "keyslots.json")
    for path in _files(folder):
        assert _opens(path, key), path.name
    return key != old_key


# (point, n-th time it is reached, whether the new key is in place afterwards)
CRASHES = [("prepared", 1, False), ("copying", 1, False), ("copying", 2, False),
           ("copied", 1, True), ("swapping", 1, True), ("swapping", 2, True),
           ("swapped", 1, True), ("promoted", 1, True)]


@pytest.mark.parametrize(("point", "nth", "rekeyed"), CRASHES,
                         ids=[f"{p}-{n}" for p, n, _r in CRASHES])
def test_a_crash_at_any_step_loses_nothing(tmp_path: Path, point: str, nth: int,
                                           rekeyed: bool) -> None:
    folder, ids = _populated(tmp_path)
    before = _everyone(folder, ids)
    (old_key,) = _database_keys(folder / "keyslots.json")
    result = _child(folder, point, nth)
    assert result.returncode == 9, result.stderr
    # the first to sign in afterwards is not the administrator who started it
    assert _after_a_crash(folder, ids, before, old_key) is rekeyed


CONTENT_CRASHES = [("copying", 2, False), ("copied", 1, True), ("swapping", 2, True),
                   ("promoted", 1, True)]


@pytest.mark.parametrize(("point", "nth", "rekeyed"), CONTENT_CRASHES,
                         ids=[f"{p}-{n}" for p, n, _r in CONTENT_CRASHES])
def test_a_crash_while_the_content_keys_change_loses_nothing(
        tmp_path: Path, point: str, nth: int, rekeyed: bool) -> None:
    folder, ids = _populated(tmp_path)
    before = _everyone(folder, ids)
    (old_key,) = _database_keys(folder / "keyslots.json")
    old_case = _content_key(folder)
    result = _child(folder, point, nth, "coordinator")
    assert result.returncode == 9, result.stderr
    # a legal volunteer signs in first: she finishes it, holding no health key herself
    with signed_in(folder, "legal", STAFF_PASS):
        pass
    assert _after_a_crash(folder, ids, before, old_key) is rekeyed
    assert (_content_key(folder) != old_case) is rekeyed


def _content_key(folder: Path) -> bytes:
    slots = KeyslotFile.load(folder / "keyslots.json")
    opened = open_account(slots, slots.find_user("coordinator"), STAFF_PASS, FAST_KDF.minimum)
    key = opened.keyring.key("case")
    opened.keyring.wipe()
    assert key is not None
    return key


def test_killed_at_random_moments_the_vault_always_opens(tmp_path: Path) -> None:
    rng = random.Random(int.from_bytes(os.urandom(4), "big"))
    folder, ids = _populated(tmp_path, backups=3)
    before = _everyone(folder, ids)
    outcomes = []
    for _round in range(3):
        (old_key,) = _database_keys(folder / "keyslots.json")
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.records.rekey_child", str(folder), "ready", "1"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            ready, _w, _x = select.select([proc.stdout], [], [], 60)
            assert ready, "the child signed in"
            proc.stdout.readline()  # type: ignore[union-attr]
            try:
                proc.wait(timeout=rng.uniform(0, 0.15))
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
        finally:
            proc.kill()
            proc.wait(30)
        outcomes.append((proc.returncode, _after_a_crash(folder, ids, before, old_key)))
    print("random kills (exit code, re-keyed):", outcomes)


def test_shelter_admin_rekey(tmp_path: Path, run_cli) -> None:
    folder, ids = _populated(tmp_path, backups=1)
    before = _everyone(folder, ids)
    (old_key,) = _database_keys(folder / "keyslots.json")
    code, out, err = run_cli("--as", "legal", "rekey", stdin=STAFF_PASS + "\n")
    assert code != 0 and "roles do not allow" in err and not out
    code, out, err = run_cli("--as", "admin", "rekey", stdin=ADMIN_PASS + "\n")
    assert code == 0, err
    assert "the database and 1 backup are now encrypted under a new key" in out
    assert "100 %" in err and "The content keys were not changed" in out
    assert _after_a_crash(folder, ids, before, old_key) is True
    code, out, err = run_cli("--as", "coordinator", "rekey", stdin=STAFF_PASS + "\n")
    assert code == 0, err
    assert "The content keys were changed too" in out
    assert _everyone(folder, ids) == before
