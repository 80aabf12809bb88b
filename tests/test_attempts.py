"""Failed sign-in attempts: five free, then an exponential wait; counted outside the database,
moved into the audit chain at the next successful sign-in, and reported to the person."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from shelter_app.errors import StorageFailure, TooManyAttempts, WrongPassphrase
from shelter_app.services.registry import build_services
from shelter_app.store.audit import AuditLog
from shelter_app.vault.attempts import FILE_NAME, FREE_ATTEMPTS, MAX_DELAY
from shelter_app.vault.vault import OpenVault, Vault
from tests.conftest import ADMIN_PASS, FAST_KDF, TEMP_PASS, add_user

WRONG = "this is not it at all"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def _fail(vault: Vault, times: int, username: str = "admin") -> None:
    for _ in range(times):
        with pytest.raises(WrongPassphrase):
            vault.unlock(username, WRONG)


def _retry_after(vault: Vault, username: str = "admin", passphrase: str = ADMIN_PASS) -> float:
    with pytest.raises(TooManyAttempts) as info:
        vault.unlock(username, passphrase)
    return info.value.retry_after


def test_five_free_attempts_then_the_wait_doubles(closed_vault: Path) -> None:
    clock = Clock()
    with Vault.open(closed_vault, kdf=FAST_KDF, clock=clock) as vault:
        _fail(vault, FREE_ATTEMPTS - 1)
        _fail(vault, 1)  # the fifth is still answered at once
        waits = [_retry_after(vault)]  # even the right passphrase must wait now
        for _ in range(5):
            clock.now += waits[-1]
            _fail(vault, 1)
            waits.append(_retry_after(vault))
        assert waits == pytest.approx([1, 2, 4, 8, 16, 32])


def test_refused_attempts_while_waiting_are_not_counted(closed_vault: Path) -> None:
    clock = Clock()
    with Vault.open(closed_vault, kdf=FAST_KDF, clock=clock) as vault:
        _fail(vault, FREE_ATTEMPTS)
        assert _retry_after(vault, passphrase=WRONG) == pytest.approx(1)
        for _ in range(10):
            _retry_after(vault, passphrase=WRONG)
        clock.now += 0.5
        with pytest.raises(TooManyAttempts) as info:
            vault.unlock("admin", ADMIN_PASS)
        assert info.value.retry_after == pytest.approx(0.5)
        assert str(info.value) == "Too many failed attempts. Try again in 1 second."
        clock.now += 0.5
        _fail(vault, 1)  # the sixth counted failure, not the seventeenth
        with pytest.raises(TooManyAttempts) as info:
            vault.unlock("admin", ADMIN_PASS)
        assert info.value.retry_after == pytest.approx(2)
        assert str(info.value) == "Too many failed attempts. Try again in 2 seconds."


def test_the_wait_is_capped(closed_vault: Path) -> None:
    clock = Clock()
    with Vault.open(closed_vault, kdf=FAST_KDF, clock=clock) as vault:
        _fail(vault, FREE_ATTEMPTS)
        for _ in range(16):
            clock.now += MAX_DELAY
            _fail(vault, 1)
        assert _retry_after(vault) == pytest.approx(MAX_DELAY)
        assert MAX_DELAY == 15 * 60


def test_each_account_has_its_own_count(created: tuple[Vault, OpenVault, str], admin: Any,
                                        vault_dir: Path) -> None:
    add_user(admin, "casey", "caseworker")
    admin.lock()
    created[0].close()
    clock = Clock()
    with Vault.open(vault_dir, kdf=FAST_KDF, clock=clock) as vault:
        _fail(vault, FREE_ATTEMPTS, "casey")
        _retry_after(vault, "casey", TEMP_PASS)
        opened, report = vault.unlock("admin", ADMIN_PASS)
        assert report.failed_attempts == 0
        opened.close()


def test_counter_file_holds_no_names_and_failures_move_into_the_audit_chain(
    created: tuple[Vault, OpenVault, str], admin: Any, vault_dir: Path,
) -> None:
    casey_id = add_user(admin, "casey", "caseworker", display_name="Casey Whitfield")
    admin.lock()
    created[0].close()
    clock = Clock()
    with Vault.open(vault_dir, kdf=FAST_KDF, clock=clock) as vault:
        _fail(vault, 3, "casey")
        _fail(vault, FREE_ATTEMPTS)
        raw = (vault_dir / FILE_NAME).read_bytes()
        for name in (b"admin", b"casey", b"Casey", b"Whitfield", WRONG.encode()):
            assert name not in raw
        counted = json.loads(raw)
        assert counted[casey_id]["failures"] == 3
        assert len(counted) == 2

        clock.now += 1
        opened, report = vault.unlock("admin", ADMIN_PASS)
        assert report.failed_attempts == FREE_ATTEMPTS
        s = build_services(opened)
        events = [e for e in s.ctx.audit.events() if e.action == "session.sign_in_failed"]
        assert len(events) == FREE_ATTEMPTS
        assert {e.target_id for e in events} == {s.session.user_id}
        assert all(e.outcome == "failed" and set(e.details) == {"occurred_at"} for e in events)
        newest = s.ctx.audit.events(limit=1)[0]
        assert newest.action == "session.sign_in"
        s.lock()
        assert set(json.loads((vault_dir / FILE_NAME).read_text())) == {casey_id}

        opened, report = vault.unlock("admin", ADMIN_PASS)
        assert report.failed_attempts == 0, "reported once, not again"
        opened.close()
        opened, report = vault.unlock("casey", TEMP_PASS)
        assert report.failed_attempts == 3
        opened.close()


def test_failures_are_kept_when_the_sign_in_cannot_be_recorded(
    closed_vault: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    with Vault.open(closed_vault, kdf=FAST_KDF) as vault:
        _fail(vault, 3)
        real_append = AuditLog.append

        def full_disk(self: AuditLog, action: Any, **kwargs: Any) -> int:
            if action == "session.sign_in":
                raise StorageFailure("The disk is full.")
            return real_append(self, action, **kwargs)

        monkeypatch.setattr(AuditLog, "append", full_disk)
        with pytest.raises(StorageFailure):
            vault.unlock("admin", ADMIN_PASS)
        monkeypatch.undo()
        opened, report = vault.unlock("admin", ADMIN_PASS)
        assert report.failed_attempts == 3
        failed = [e for e in opened.audit.events() if e.action == "session.sign_in_failed"]
        assert len(failed) == 3
        opened.close()


def test_damaged_counter_file_only_loses_the_throttle(closed_vault: Path) -> None:
    with Vault.open(closed_vault, kdf=FAST_KDF) as vault:
        _fail(vault, FREE_ATTEMPTS)
        _retry_after(vault)
        (closed_vault / FILE_NAME).write_text("{ not json")
        opened, report = vault.unlock("admin", ADMIN_PASS)
        assert report.failed_attempts == 0
        opened.close()


def test_cli_tells_the_person_about_failed_attempts(closed_vault: Path, run_cli: Any) -> None:
    for _ in range(2):
        code, _out, err = run_cli("--as", "admin", "user", "list", stdin=WRONG + "\n")
        assert code == 1
    code, _out, err = run_cli("--as", "admin", "user", "list", stdin=ADMIN_PASS + "\n")
    assert code == 0
    assert "2 failed sign-in attempts on this account since its last sign-in" in err
    code, _out, err = run_cli("--as", "admin", "user", "list", stdin=WRONG + "\n")
    code, _out, err = run_cli("--as", "admin", "user", "list", stdin=ADMIN_PASS + "\n")
    assert "1 failed sign-in attempt on this account" in err
