"""The thin SQL layer, file writes and settings: what the user notices when things fail."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import pytest
import sqlcipher3.dbapi2 as sqlcipher

from shelter_app.errors import StorageFailure, ValidationError, VaultDamaged
from shelter_app.services.registry import Services
from shelter_app.store.db import environment_failure
from shelter_app.vault.fileio import atomic_write, storage_error
from shelter_app.vault.lock import LOCK_NAME, VaultLock


# -- transactions ----------------------------------------------------------------------
def test_transaction_rolls_back_everything_on_error(admin: Services) -> None:
    db = admin.ctx.db
    with pytest.raises(RuntimeError), db.transaction():
        db.execute("INSERT INTO meta (key, value) VALUES ('a', '1')")
        with db.transaction():  # nested: joins the outer one
            db.execute("INSERT INTO meta (key, value) VALUES ('b', '2')")
        raise RuntimeError("stop")
    assert db.scalar("SELECT count(*) FROM meta WHERE key IN ('a', 'b')") == 0
    assert not db.in_transaction and not db.raw.in_transaction


def test_nested_failure_rolls_back_the_outer_work_too(admin: Services) -> None:
    db = admin.ctx.db
    with pytest.raises(sqlcipher.IntegrityError), db.transaction():
        db.execute("INSERT INTO meta (key, value) VALUES ('a', '1')")
        with db.transaction():
            db.execute("INSERT INTO meta (key, value) VALUES ('a', 'duplicate')")
    assert db.scalar("SELECT count(*) FROM meta WHERE key = 'a'") == 0


def test_named_parameters_keep_input_as_data(admin: Services) -> None:
    db = admin.ctx.db
    nasty = "x'); DROP TABLE users; --"
    db.execute("INSERT INTO meta (key, value) VALUES (:k, :v)", {"k": "nasty", "v": nasty})
    assert db.scalar("SELECT value FROM meta WHERE key = :k", {"k": "nasty"}) == nasty
    assert db.scalar("SELECT count(*) FROM users") == 1


@pytest.mark.parametrize("text,kind", [
    ("database or disk is full", StorageFailure),
    ("disk I/O error", StorageFailure),
    ("attempt to write a readonly database", StorageFailure),
    ("file is not a database", VaultDamaged),
    ("database disk image is malformed", VaultDamaged),
])
def test_environment_failures_get_clear_messages(text: str, kind: type) -> None:
    failure = environment_failure(sqlcipher.OperationalError(text))
    assert isinstance(failure, kind)
    assert text not in str(failure)


def test_our_own_bugs_are_not_dressed_up(admin: Services) -> None:
    assert environment_failure(sqlcipher.OperationalError("no such table: nope")) is None
    with pytest.raises(sqlcipher.OperationalError):
        admin.ctx.db.execute("SELECT * FROM nope")


# -- files -----------------------------------------------------------------------------
def test_atomic_write_replaces_whole_or_not_at_all(tmp_path: Path) -> None:
    target = tmp_path / "keyslots.json"
    atomic_write(target, b"first")
    atomic_write(target, b"second")
    assert target.read_bytes() == b"second"
    assert [p.name for p in tmp_path.iterdir()] == ["keyslots.json"]
    with pytest.raises(StorageFailure) as info:
        atomic_write(tmp_path / "missing-folder" / "keyslots.json", b"x")
    assert "keyslots.json could not be written" in str(info.value)
    assert "Nothing was changed" in str(info.value)


def test_full_disk_message() -> None:
    message = str(storage_error(OSError(errno.ENOSPC, "No space"), "cases.db"))
    assert message == "The disk is full: cases.db could not be saved. Nothing was changed."
    assert "No permission" in str(storage_error(OSError(errno.EACCES, "x"), "a.pdf"))


def test_lock_file_is_released(tmp_path: Path) -> None:
    first = VaultLock(tmp_path)
    first.acquire()
    assert first.held
    assert (tmp_path / LOCK_NAME).read_text().strip().isdigit()
    first.release()
    first.release()  # twice is harmless
    second = VaultLock(tmp_path)
    second.acquire()
    second.release()


# -- settings --------------------------------------------------------------------------
def test_settings_defaults_and_changes(admin: Services) -> None:
    assert admin.settings.all() == {
        "organisation": "Harbour House", "organisation_contact": "", "referral_return": "",
        "auto_lock_minutes": 5,
        "window_title": "Shelter App",
        "show_case_codes": False, "document_language": "en", "attachment_limit_mb": 25,
        "organisation_logo": "", "backup_every_days": 1, "backups_kept": 10,
        "statistics_threshold": 11, "retention_closed_years": 5,
        "retention_attachment_years": 2, "retention_document_years": 5,
        "retention_draft_days": 90,
    }
    assert admin.settings.set("auto_lock_minutes", "15") == 15
    assert admin.settings.set("show_case_codes", "yes") is True
    assert admin.settings.set("document_language", "vi") == "vi"
    assert admin.settings.set("organisation", "  Safe Harbour  ") == "Safe Harbour"
    assert admin.settings.get("auto_lock_minutes") == 15
    events = [e for e in admin.ctx.audit.events() if e.action == "settings.changed"]
    assert events[0].details == {"setting": "organisation"}  # newest first
    assert all("Safe Harbour" not in repr(e) for e in admin.ctx.audit.events())


@pytest.mark.parametrize("key,value", [
    ("auto_lock_minutes", 0), ("auto_lock_minutes", 241), ("auto_lock_minutes", "soon"),
    ("window_title", "x" * 61), ("organisation", "   "), ("document_language", "xx"),
    ("show_case_codes", "perhaps"), ("no_such_setting", 1),
])
def test_bad_settings_are_refused(admin: Services, key: str, value: Any) -> None:
    before = admin.settings.all()
    with pytest.raises(ValidationError):
        admin.settings.set(key, value)
    assert admin.settings.all() == before


def test_work_before_commit_runs_once_last_and_only_if_it_commits(admin: Services) -> None:
    db = admin.ctx.db
    assert db.transaction_id is None
    done: list[str] = []

    def note(value: str) -> None:
        done.append(value)
        db.execute("INSERT INTO meta (key, value) VALUES ('last', :v)"
                   " ON CONFLICT (key) DO UPDATE SET value = excluded.value", {"v": value})

    with db.transaction():
        first = db.transaction_id
        for value in ("1", "2", "3"):
            with db.transaction():  # nested: the same transaction
                assert db.transaction_id == first
                db.before_commit("last", lambda v=value: note(v))  # type: ignore[misc]
        db.before_commit("other", lambda: done.append("other"))
        assert done == []
    assert done == ["3", "other"]  # replaced per key, in the order first asked
    assert db.scalar("SELECT value FROM meta WHERE key = 'last'") == "3"
    assert db.transaction_id is None

    with pytest.raises(RuntimeError), db.transaction():
        assert db.transaction_id not in (None, first)
        db.before_commit("last", lambda: note("rolled back"))
        raise RuntimeError("stop")
    with db.transaction():
        pass  # nothing left over from the transaction that rolled back
    assert done == ["3", "other"]
    assert db.scalar("SELECT value FROM meta WHERE key = 'last'") == "3"


def test_a_failure_in_work_before_commit_rolls_everything_back(admin: Services) -> None:
    db = admin.ctx.db

    def fail() -> None:
        raise OSError(errno.ENOSPC, "full")

    with pytest.raises(OSError), db.transaction():
        db.execute("INSERT INTO meta (key, value) VALUES ('kept', 'no')")
        db.before_commit("x", fail)
    assert db.scalar("SELECT count(*) FROM meta WHERE key = 'kept'") == 0
    assert not db.in_transaction and not db.raw.in_transaction
    with pytest.raises(AssertionError):
        db.before_commit("outside", lambda: None)
