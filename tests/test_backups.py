"""Verified backups: kept within a number, made automatically when due, stopped at lock."""

from __future__ import annotations

import datetime as dt
import errno
import threading
from pathlib import Path

import pytest

from shelter_app.errors import PermissionDenied, StorageFailure, ValidationError
from shelter_app.services.registry import Services
from shelter_app.vault import backup as backup_module
from shelter_app.vault.backup import BackupCancel, BackupCancelled, copies, prune
from tests.conftest import add_user, signed_in

SAM_PASS = "lantern orchard pebble 7"


def _fake(folder: Path, stamp: str, version: int) -> Path:
    path = folder / "backups" / f"cases-{stamp}000000Z-v{version}.db"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(b"copy")
    return path


def test_prune_keeps_the_newest_and_the_last_copy_before_each_upgrade(tmp_path: Path) -> None:
    before_upgrades = [_fake(tmp_path, "20260101T090000", 2), _fake(tmp_path, "20260201T090000", 2),
                       _fake(tmp_path, "20260301T090000", 3)]
    recent = [_fake(tmp_path, f"202604{day:02d}T090000", 4) for day in range(1, 8)]
    (tmp_path / "backups" / "keyslots.json").write_text("{}")
    (tmp_path / "backups" / "notes.txt").write_text("left alone")
    deleted = prune(tmp_path, keep=3)
    assert sorted(deleted) == sorted([before_upgrades[0], *recent[:4]])
    assert [p for _m, _v, p in copies(tmp_path)] == [*before_upgrades[1:], *recent[4:]]
    assert (tmp_path / "backups" / "keyslots.json").exists()
    assert (tmp_path / "backups" / "notes.txt").exists()
    assert copies(tmp_path)[-1][0] == dt.datetime(2026, 4, 7, 9, tzinfo=dt.UTC)
    assert prune(tmp_path / "nowhere", keep=3) == []


def test_the_automatic_backup_is_made_when_due_by_whoever_signs_in(closed_vault: Path) -> None:
    vault_dir = closed_vault
    with signed_in(vault_dir) as admin:
        add_user(admin, "sam", "caseworker", passphrase=SAM_PASS, temporary=False)
        admin.settings.set("backups_kept", 2)
    with signed_in(vault_dir, "sam", SAM_PASS) as sam:
        with pytest.raises(PermissionDenied):
            sam.vault_admin.backup()  # making one on request is for administrators
        first = sam.vault_admin.backup_if_due()
        assert first is not None and first.exists(), "no backup yet: one is due"
        assert sam.vault_admin.backup_if_due() is None, "made a moment ago"
        now = dt.datetime.now(dt.UTC)
        assert sam.vault_admin.backup_if_due(now + dt.timedelta(hours=20)) is None
        second = sam.vault_admin.backup_if_due(now + dt.timedelta(hours=23))
        third = sam.vault_admin.backup_if_due(now + dt.timedelta(days=3))
        assert second is not None and third is not None
        assert [p for _m, _v, p in copies(vault_dir)] == [second, third], "two are kept"
        events = [e for e in sam.ctx.audit.events() if e.action == "vault.backup"]
        assert [e.details for e in events] == [{"reason": "scheduled"}] * 3
        assert {e.actor_id for e in events} == {sam.session.user_id}


def test_automatic_backups_can_be_turned_off_and_the_settings_are_checked(
        admin: Services, vault_dir: Path) -> None:
    admin.settings.set("backup_every_days", 0)
    assert admin.vault_admin.backup_if_due() is None
    assert copies(vault_dir) == []
    for key, value in (("backup_every_days", 31), ("backup_every_days", "daily"),
                       ("backups_kept", 1), ("backups_kept", 101)):
        with pytest.raises(ValidationError) as info:
            admin.settings.set(key, value)
        assert info.value.field == key
    admin.settings.set("backup_every_days", 7)
    assert admin.vault_admin.backup_if_due() is not None
    assert admin.vault_admin.backup_if_due(
        dt.datetime.now(dt.UTC) + dt.timedelta(days=6)) is None
    assert admin.vault_admin.last_backup() == copies(vault_dir)[-1][0]


@pytest.mark.parametrize("stage", ["copy", "check"])
def test_a_backup_stopped_from_another_thread_leaves_no_copy(
        admin: Services, vault_dir: Path, monkeypatch: pytest.MonkeyPatch, stage: str) -> None:
    """Locking stops a long backup instead of waiting for it."""
    for i in range(60):  # a few megabytes, so that the copy takes several steps
        admin.settings.set("organisation_contact", f"line {i} " + "x" * 200)
    monkeypatch.setattr(BackupCancel, "STEP_PAGES", 1)
    started, stopped = threading.Event(), threading.Event()
    real_check = backup_module.integrity_problems

    def slow_check(conn: object, **kw: bool) -> list[str]:
        started.set()
        stopped.wait(10)  # the stop comes while the copy is being checked
        return real_check(conn, **kw)  # type: ignore[arg-type]

    if stage == "copy":
        real_step = BackupCancel.check

        def stepping(self: BackupCancel, *progress: object) -> None:
            if progress:
                started.set()
            real_step(self, *progress)

        monkeypatch.setattr(BackupCancel, "check", stepping)
    else:
        monkeypatch.setattr(backup_module, "integrity_problems", slow_check)
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            admin.vault_admin.backup()
        except BaseException as exc:  # handed to the test thread
            outcome.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    assert started.wait(10)
    admin.vault_admin.cancel_backups()
    stopped.set()
    worker.join(20)
    assert not worker.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], BackupCancelled), outcome
    assert copies(vault_dir) == []
    assert not list((vault_dir / "backups").glob("cases-*.db-*")), "no journal left behind"


def test_a_copy_elsewhere_that_fails_leaves_nothing_behind(
        closed_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    drive = tmp_path / "drive"
    drive.mkdir()
    with signed_in(closed_vault) as admin:
        add_user(admin, "sam", "caseworker", passphrase=SAM_PASS, temporary=False)

        def full(*_args: object) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(backup_module, "atomic_write", full)
        with pytest.raises(StorageFailure, match="The disk is full"):
            admin.vault_admin.copy_to(drive)
        assert list(drive.iterdir()) == [], "the half-made folder is removed"
        monkeypatch.undo()
        copy = admin.vault_admin.copy_to(drive)
        assert copy.parent == drive and (copy / "cases.db").stat().st_size > 0
        assert (copy / "keyslots.json").read_bytes() == (
            closed_vault / "keyslots.json").read_bytes()
        events = [e.details for e in admin.ctx.audit.events() if e.action == "vault.backup"]
        assert events == [{"reason": "copy"}]
    with signed_in(closed_vault, "sam", SAM_PASS) as sam:
        with pytest.raises(PermissionDenied):
            sam.vault_admin.copy_to(drive)
        assert len(list(drive.iterdir())) == 1


def test_a_backup_is_kept_when_old_copies_cannot_be_deleted(
        admin: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    from shelter_app.services import vault_admin

    def stuck(*_args: object) -> list[Path]:
        raise StorageFailure("No permission to write cases-old.db. Nothing was changed.")

    monkeypatch.setattr(vault_admin, "prune", stuck)
    path = admin.vault_admin.backup()
    assert path.exists()
    assert [e.details for e in admin.ctx.audit.events() if e.action == "vault.backup"] == [
        {"reason": "manual"}]


@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_a_copy_written_wrong_is_found_by_its_check_and_deleted(
        closed_vault: Path, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    """The check of a fresh copy (quick_check alone) reads every page in use, each one
    authenticated as it is read: one bit changed on the way to the disk, in the schema's
    page, a table's or the last page, and the copy is refused, deleted, nothing changed."""
    real_write = backup_module.write_copy

    def write_then_damage(conn: object, key: bytes, target: Path, cancel: BackupCancel
                          ) -> None:
        real_write(conn, key, target, cancel)  # type: ignore[arg-type]
        data = bytearray(target.read_bytes())
        pages = len(data) // 4096
        page = {"first": 0, "middle": pages // 2, "last": pages - 1}[where]
        data[page * 4096 + 2000] ^= 0x10
        target.write_bytes(bytes(data))

    with signed_in(closed_vault) as admin:
        before = copies(closed_vault)
        monkeypatch.setattr(backup_module, "write_copy", write_then_damage)
        with pytest.raises(StorageFailure, match=r"could not be read back|integrity check"):
            admin.ctx.vault.backup()
        assert copies(closed_vault) == before, "the damaged copy is deleted"
        monkeypatch.undo()
        made = admin.ctx.vault.backup()
        assert made.exists(), "an undamaged copy passes the same check"
