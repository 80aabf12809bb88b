"""Migration 0005 on a vault made before it: cases kept, a backup first, tasks usable."""

from __future__ import annotations

from pathlib import Path

import pytest

from shelter_app.vault import migrate as migrate_module
from shelter_app.vault.migrate import migrations
from shelter_app.vault.vault import Vault
from tests.conftest import ADMIN_PASS, FAST_KDF, ORG, signed_in
from tests.records.conftest import STAFF_PASS

TASKS = next(n for n, name, _sql in migrations() if name == "0005_tasks.sql")


def test_a_version_4_vault_gains_tasks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "vault"
    before = [m for m in migrations() if m[0] < TASKS]
    monkeypatch.setattr(migrate_module, "migrations", lambda: before)
    vault, opened, _key = Vault.create(folder, organisation=ORG, admin_username="admin",
                                       admin_passphrase=ADMIN_PASS, kdf=FAST_KDF)
    try:
        from shelter_app.services.registry import build_services

        admin = build_services(opened)
        admin.accounts.add("cora", ["coordinator"], STAFF_PASS, temporary=False)
        admin.lock()
        coordinator = build_services(vault.unlock("cora", STAFF_PASS)[0])
        tables = {r[0] for r in coordinator.ctx.db.all("SELECT name FROM sqlite_master")}
        assert "tasks" not in tables and "consents_expiry" not in tables
        # a case as the version before wrote it: plain names and a plain search index
        with coordinator.ctx.db.transaction() as db:
            db.execute("INSERT INTO survivors (id, legal_name, created_at, updated_at)"
                       " VALUES ('s-1', 'Mira Migrated', '2026-01-01T00:00:00Z',"
                       " '2026-01-01T00:00:00Z')")
            db.execute("INSERT INTO cases (id, code, search_id, survivor_id, opened_on,"
                       " created_at, updated_at) VALUES ('c-1', 'SH-2026-0001', 1, 's-1',"
                       " '2026-01-01', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')")
            db.execute("INSERT INTO case_search (rowid, terms) VALUES (1, 'mira migrated')")
            # (the flags of this version's one-time passes: that version had none)
            db.execute("DELETE FROM meta WHERE key IN ('name_index', 'fields_sealed')")
        coordinator.lock()
    finally:
        vault.close()
    monkeypatch.undo()

    with signed_in(folder, "cora", STAFF_PASS) as coordinator:
        assert coordinator.ctx.db.scalar("PRAGMA user_version") == len(migrations())
        assert list((folder / "backups").glob(f"cases-*-v{TASKS - 1}.db"))
        assert coordinator.cases.get("c-1").survivor["legal_name"] == "Mira Migrated"
        assert [c.code for c in coordinator.search.search("mira")] == ["SH-2026-0001"]
        case = coordinator.cases.get("c-1")
        task = coordinator.tasks.create(case.id, "First task after the upgrade")
        assert coordinator.tasks.list_for_case(case.id) == [task]
        assert coordinator.day.my_day().group("tasks") is not None
        indexes = {r[0] for r in coordinator.ctx.db.all(
            "SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"tasks_case", "tasks_open_assignee", "tasks_open_due",
                "consents_expiry", "deadlines_case", "appointments_staff"} <= indexes
        assert coordinator.vault_admin.verify().ok
