"""A vault on a disk that cannot be written (a read-only share, a locked stick, an archive
disc) opens for reading, says so, refuses every change and everything that would leave the
vault unrecorded, and is the same vault afterwards.

The disk is a real read-only file system: a small tmpfs the test mounts, fills and remounts
read-only (skipped where the machine does not let a test mount one).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from shelter_app.domain.records import CaseInput, SurvivorInput
from shelter_app.errors import NotFound, StorageFailure, WrongPassphrase
from shelter_app.vault.vault import Vault
from tests.conftest import FAST_KDF, audit_count, remount
from tests.ui.case_helpers import STAFF_PASS, new_case, session, staffed_vault

NAMES = ("Ottilie Marchbank",)


def test_it_opens_for_reading_and_refuses_every_change(read_only_vault) -> None:
    folder, codes, events = read_only_vault
    with session(folder, "coordinator") as s:
        assert s.ctx.vault.read_only
        found = s.search.summaries(s.search.list_ids())
        assert {row.code for row in found} == codes
        case = s.cases.get(found[0].id)
        with pytest.raises(StorageFailure, match="read-only"):
            s.cases.update(case.id, survivor=SurvivorInput(legal_name="Zqxchanged Name"))
        with pytest.raises(StorageFailure, match="read-only"):
            s.cases.create(SurvivorInput(legal_name="Zqxnew Person"), CaseInput())
    # a wrong passphrase is still only that
    with pytest.raises(WrongPassphrase), Vault.open(folder, kdf=FAST_KDF) as vault:
        vault.unlock("coordinator", "not the passphrase at all")
    remount(folder.parent, "rw")
    assert audit_count(folder) == events  # nothing was recorded, nothing changed
    with session(folder, "admin") as admin:
        assert admin.vault_admin.verify().ok
    with session(folder, "coordinator") as s:
        assert {row.code for row in s.search.summaries(s.search.list_ids())} == codes
        assert not s.ctx.vault.read_only


def test_nothing_leaves_it_unrecorded(read_only_vault, tmp_path: Path) -> None:
    folder, _codes, _events = read_only_vault
    out = tmp_path / "cases.csv"
    with session(folder, "coordinator") as s:
        with pytest.raises(StorageFailure, match="read-only"):
            s.exchange.export_cases(out)
        with pytest.raises(StorageFailure, match="read-only"):
            s.vault_admin.fingerprint()
        with pytest.raises(StorageFailure, match="read-only"):
            s.statistics.monitoring_report(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
        [case_id] = [c.id for c in s.search.summaries(s.search.list_ids())
                     if s.attachments.list(c.id)]
        [attachment] = s.attachments.list(case_id)
        assert s.attachments.content(attachment.id)[1]  # shown in the application
        with pytest.raises(StorageFailure, match="read-only"):  # a copy saved outside it
            s.attachments.content(attachment.id, leaving=True)
    assert not out.exists()
    with session(folder, "coordinator") as s:
        unshared = next(c.id for c in s.search.summaries(s.search.list_ids()) if c.id != case_id)
    # a refusal is still the refusal it would be, saying no more (no "read-only" here)
    with session(folder, "legal") as legal, pytest.raises(NotFound):
        legal.cases.get(unshared)
    with session(folder, "admin") as admin, pytest.raises(StorageFailure, match="read-only"):
        admin.vault_admin.new_recovery_key(lambda _key: pytest.fail("a sheet was made"))
    with session(folder, "admin") as admin:
        with pytest.raises(StorageFailure, match="no backup can be made in its folder"):
            admin.vault_admin.backup()
        assert admin.vault_admin.backup_if_due() is None
        verified = admin.vault_admin.verify()  # the backup on the read-only disk is read too
        assert verified.ok, verified.lines()
        assert any(line.strip().startswith("Backup of") for line in verified.lines())


def test_a_copy_on_another_disk_is_a_whole_vault(read_only_vault, tmp_path: Path) -> None:
    """The way out that the banner names: copy the vault where it can be written."""
    folder, codes, _events = read_only_vault
    with session(folder, "admin") as admin:
        copy = admin.vault_admin.copy_to(tmp_path)
    with session(copy, "admin") as admin:
        assert admin.vault_admin.verify().ok
    with session(copy, "coordinator") as s:
        assert not s.ctx.vault.read_only
        assert {row.code for row in s.search.summaries(s.search.list_ids())} == codes


def test_a_vault_left_open_on_a_read_only_disk_is_refused_clearly(disk: Path,
                                                                  tmp_path: Path) -> None:
    """Its log holds changes not yet in cases.db, which reading the file alone would miss."""
    source = tmp_path / "vault"
    ids = staffed_vault(source)
    with session(source, "coordinator") as s:
        new_case(s, ids, NAMES[0])
        assert (source / "cases.db-wal").stat().st_size > 0
        shutil.copytree(source, disk / "vault")
    remount(disk, "ro")
    try:
        with pytest.raises(StorageFailure, match="not closed properly"), \
                Vault.open(disk / "vault", kdf=FAST_KDF) as vault:
            vault.unlock("coordinator", STAFF_PASS)
    finally:
        remount(disk, "rw")

