"""Migrations: numbered SQL files applied in one transaction each, after a verified backup."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from shelter_app.errors import MigrationFailed, StorageFailure
from shelter_app.vault import migrate as migrate_module
from shelter_app.vault import vault as vault_module
from shelter_app.vault.connection import connect, integrity_problems, schema_version
from shelter_app.vault.migrate import latest_version, migrations
from shelter_app.vault.vault import Vault
from tests.conftest import ADMIN_PASS, FAST_KDF, signed_in, unwrap_data_key

SHIPPED = migrations()

GOOD_0002 = """
CREATE TABLE migration_probe (id TEXT PRIMARY KEY, name TEXT NOT NULL) STRICT;
INSERT INTO meta (key, value) VALUES ('migrated_by_test', 'yes');
"""
# The first statements succeed; the last one fails half-way through the file.
BAD_0002 = """
CREATE TABLE migration_probe (id TEXT PRIMARY KEY, name TEXT NOT NULL) STRICT;
INSERT INTO meta (key, value) VALUES ('migrated_by_test', 'yes');
INSERT INTO no_such_table VALUES (1);
"""


def _with(sql: str) -> Callable[[], list[tuple[int, str, str]]]:
    return lambda: [*SHIPPED, (len(SHIPPED) + 1, f"{len(SHIPPED) + 1:04d}_test.sql", sql)]


def _version_and_tables(vault_dir: Path) -> tuple[int, set[str]]:
    conn = connect(vault_dir / "cases.db", unwrap_data_key(vault_dir))
    try:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        return schema_version(conn), names
    finally:
        conn.close()


def test_shipped_migrations_are_numbered_from_one() -> None:
    assert [n for n, _name, _sql in SHIPPED] == list(range(1, len(SHIPPED) + 1))
    assert SHIPPED[0][1] == "0001_foundation.sql"
    assert latest_version() == len(SHIPPED)


def test_new_vault_is_at_the_latest_version_without_a_backup(closed_vault: Path) -> None:
    assert _version_and_tables(closed_vault)[0] == latest_version()
    assert not list((closed_vault / "backups").glob("cases-*.db"))


def test_older_vault_is_migrated_after_a_verified_backup(
    closed_vault: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    old = latest_version()
    monkeypatch.setattr(migrate_module, "migrations", _with(GOOD_0002))
    seen_at_backup: list[int] = []
    real_backup = vault_module.make_backup

    def watched_backup(conn: object, *args: object) -> Path:
        seen_at_backup.append(schema_version(conn))  # type: ignore[arg-type]
        return real_backup(conn, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(vault_module, "make_backup", watched_backup)
    with Vault.open(closed_vault, kdf=FAST_KDF) as vault:
        opened, report = vault.unlock("admin", ADMIN_PASS)
        assert report.migrated_to == old + 1
        migrated = [e for e in opened.audit.events() if e.action == "vault.migrated"]
        assert [e.details for e in migrated] == [{"to_version": old + 1}]
        opened.close()
    assert seen_at_backup == [old], "the backup is taken before the migration, once"

    version, tables = _version_and_tables(closed_vault)
    assert version == old + 1 and "migration_probe" in tables

    [backup] = (closed_vault / "backups").glob("cases-*.db")
    assert backup.name.endswith(f"-v{old}.db")
    copy = connect(backup, unwrap_data_key(closed_vault))
    try:
        assert schema_version(copy) == old
        assert integrity_problems(copy) == []
        assert copy.execute("SELECT count(*) FROM users").fetchone()[0] == 1
    finally:
        copy.close()

    with signed_in(closed_vault) as s:  # nothing pending the second time
        assert s.vault_admin.verify().ok
    assert len(list((closed_vault / "backups").glob("cases-*.db"))) == 1


def test_failing_migration_rolls_back_completely(
    closed_vault: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    old = latest_version()
    before_version, before_tables = _version_and_tables(closed_vault)
    monkeypatch.setattr(migrate_module, "migrations", _with(BAD_0002))
    with Vault.open(closed_vault, kdf=FAST_KDF) as vault, \
            pytest.raises(MigrationFailed) as info:
        vault.unlock("admin", ADMIN_PASS)
    assert f"database version {old + 1}" in str(info.value)
    assert f"left at version {old}" in str(info.value)
    version, tables = _version_and_tables(closed_vault)
    assert (version, tables) == (before_version, before_tables)
    assert "migration_probe" not in tables
    monkeypatch.undo()
    with signed_in(closed_vault) as s:
        assert s.ctx.db.scalar("SELECT value FROM meta WHERE key = 'migrated_by_test'") is None
        assert s.vault_admin.verify().ok


def test_no_migration_without_a_backup(closed_vault: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(migrate_module, "migrations", _with(GOOD_0002))

    def no_space(*_args: object) -> Path:
        raise StorageFailure("The disk is full: the backup could not be saved.")

    monkeypatch.setattr(vault_module, "make_backup", no_space)
    with Vault.open(closed_vault, kdf=FAST_KDF) as vault, pytest.raises(StorageFailure):
        vault.unlock("admin", ADMIN_PASS)
    assert _version_and_tables(closed_vault)[0] == len(SHIPPED)


def test_backup_that_does_not_verify_is_deleted(admin: object, vault_dir: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from shelter_app.services.registry import Services
    from shelter_app.vault import backup as backup_module

    assert isinstance(admin, Services)
    monkeypatch.setattr(backup_module, "integrity_problems", lambda _conn, **_kw: ["page 3 is bad"])
    with pytest.raises(StorageFailure, match="integrity check"):
        admin.vault_admin.backup()
    assert not list((vault_dir / "backups").glob("cases-*.db"))
    monkeypatch.undo()
    path = admin.vault_admin.backup()
    assert path.exists() and path.parent == vault_dir / "backups"
