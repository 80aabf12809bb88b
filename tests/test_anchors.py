"""Anchors of the audit chain: what a person holding the database key can do with plain SQL
to the audit table, or by putting back an older cases.db, is found by ``verify`` (and at
sign-in) as long as one anchor remains — the key file, its mirror, a backup or a
fingerprint written down — and ``verify`` says which anchors it checked."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from shelter_app.errors import PermissionDenied, ValidationError
from shelter_app.vault.anchors import parse_fingerprint
from shelter_app.vault.vault import Vault

from .bidi import plain
from .conftest import (
    ADMIN_PASS,
    FAST_KDF,
    TEMP_PASS,
    add_user,
    raw_connect,
    signed_in,
    unwrap_data_key,
)


def _some_work(vault_dir: Path, times: int = 3) -> None:
    for _ in range(times):
        with signed_in(vault_dir) as s:
            s.settings.get("backups_kept")


def _cut(vault_dir: Path, sql: str) -> None:
    """Plain SQL with the data key, as someone covering their tracks would run it: the
    append-only triggers dropped, events deleted, the head set to what is left."""
    conn = raw_connect(vault_dir, unwrap_data_key(vault_dir))
    try:
        conn.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
        conn.execute(sql)
        conn.execute("DELETE FROM meta WHERE key = 'audit_head'")
        last = conn.execute("SELECT seq, hmac FROM audit_events ORDER BY seq DESC LIMIT 1"
                            ).fetchone()
        if last:
            conn.execute("INSERT INTO meta (key, value) VALUES ('audit_head', ?)",
                         (f"{last[0]}:{bytes(last[1]).hex()}",))
    finally:
        conn.close()


def _verify(vault_dir: Path, *fingerprints: str) -> tuple[bool, list[str], bool]:
    """(ok, lines, chain ok) of a check run by the administrator."""
    with signed_in(vault_dir) as s:
        report = s.vault_admin.verify(fingerprints)
        return report.ok, report.lines(), report.chain.ok


def _anchor(vault_dir: Path) -> dict[str, object]:
    return json.loads((vault_dir / "keyslots.json").read_text())["audit_anchor"]


@pytest.fixture
def vault(closed_vault: Path) -> Path:
    _some_work(closed_vault)
    return closed_vault


def test_an_untouched_vault_passes_and_names_its_anchors(vault: Path) -> None:
    with signed_in(vault) as s:
        s.vault_admin.backup()
    ok, lines, _chain = _verify(vault)
    assert ok, lines
    text = "\n".join(lines)
    assert "Anchors checked: 3." in text
    assert "Key file: event #" in text and "is in the audit chain" in text
    assert "Copy of the key file in backups: event #" in text
    assert "Backup of " in text and "its newest event" in text


def test_the_key_files_anchor_follows_the_chain(vault: Path) -> None:
    before = _anchor(vault)["seq"]
    _some_work(vault, 1)
    after = _anchor(vault)
    assert isinstance(after["seq"], int) and isinstance(before, int) and after["seq"] > before
    mirror = json.loads((vault / "backups" / "keyslots.json").read_text())["audit_anchor"]
    assert mirror == after
    with signed_in(vault) as s:  # the anchor names the newest event once a session ends
        pass
    conn = raw_connect(vault, unwrap_data_key(vault))
    try:
        newest = conn.execute("SELECT max(seq) FROM audit_events").fetchone()[0]
    finally:
        conn.close()
    assert _anchor(vault)["seq"] == newest
    assert s.ctx.vault.closed


@pytest.mark.parametrize("sql", [
    "DELETE FROM audit_events WHERE seq > (SELECT max(seq) - 4 FROM audit_events)",
    "DELETE FROM audit_events",
], ids=["tail", "whole-table"])
def test_a_cut_chain_is_caught_at_sign_in_and_by_verify(vault: Path, sql: str) -> None:
    anchored = _anchor(vault)
    _cut(vault, sql)
    with Vault.open(vault, kdf=FAST_KDF) as held:
        opened, report = held.unlock("admin", ADMIN_PASS)
        opened.close()
    assert report.integrity_warning and "audit record is shorter" in report.integrity_warning
    assert _anchor(vault) == anchored  # the evidence is kept, not written over
    _some_work(vault, 2)  # sessions go on; the chain grows again past the old place
    ok, lines, chain_ok = _verify(vault)
    assert chain_ok  # what is left is a whole chain: only the anchor can tell
    assert not ok
    text = "\n".join(lines)
    assert f"Key file: event #{anchored['seq']}" in text
    assert ("is no longer in the audit chain" in text
            or "is not the event this anchor recorded" in text)


def test_an_older_database_put_back_is_caught(vault: Path, tmp_path: Path) -> None:
    old = tmp_path / "old-cases.db"
    shutil.copyfile(vault / "cases.db", old)
    _some_work(vault, 2)
    with signed_in(vault) as s:
        s.vault_admin.backup()  # a backup newer than the copy put back
    shutil.copyfile(old, vault / "cases.db")
    ok, lines, chain_ok = _verify(vault)
    assert chain_ok and not ok
    text = "\n".join(lines)
    assert "Key file: event #" in text and "no longer in the audit chain" in text
    assert "Backup of " in text and "older copy" in text


def test_backups_still_catch_a_rollback_when_the_key_files_anchor_is_removed(
        vault: Path, tmp_path: Path) -> None:
    old = tmp_path / "old-cases.db"
    shutil.copyfile(vault / "cases.db", old)
    _some_work(vault, 2)
    with signed_in(vault) as s:
        s.vault_admin.backup()
    shutil.copyfile(old, vault / "cases.db")
    for path in (vault / "keyslots.json", vault / "backups" / "keyslots.json"):
        body = json.loads(path.read_text())
        del body["audit_anchor"]
        path.write_text(json.dumps(body, indent=2) + "\n")
    ok, lines, _chain = _verify(vault)
    assert not ok
    text = "\n".join(lines)
    assert "Backup of " in text and "is no longer in the audit chain" in text


def test_a_forged_anchor_is_named(vault: Path) -> None:
    path = vault / "keyslots.json"
    body = json.loads(path.read_text())
    body["audit_anchor"]["seq"] = 1
    path.write_text(json.dumps(body, indent=2) + "\n")
    ok, lines, _chain = _verify(vault)
    assert not ok
    assert any("Key file: its audit anchor was changed" in line for line in lines)


def test_fingerprints_match_until_the_chain_is_rewritten(vault: Path) -> None:
    with signed_in(vault) as s:
        made = s.vault_admin.fingerprint()
        events = [e.action for e in s.ctx.audit.events(limit=3)]
    assert "vault.audit_fingerprint" in events
    assert parse_fingerprint(made.text) == (made.seq, made.code)
    typed = f"{made.seq}  {made.code.lower().replace('-', ' ')}"  # as a person types it back
    ok, lines, _chain = _verify(vault, typed)
    assert ok, lines
    assert any(plain(line).strip().startswith(f"Fingerprint #{made.seq}") and "matches" in line
               for line in lines)
    # the key file and every backup lost, the chain cut back past the fingerprint and
    # regrown: only the code on paper is left, and it no longer matches
    _cut(vault, f"DELETE FROM audit_events WHERE seq >= {made.seq - 1:d}")  # noqa: S608
    for path in (vault / "keyslots.json", vault / "backups" / "keyslots.json"):
        body = json.loads(path.read_text())
        del body["audit_anchor"]
        path.write_text(json.dumps(body, indent=2) + "\n")
    _some_work(vault, 3)
    ok, lines, chain_ok = _verify(vault, made.text)
    assert chain_ok and not ok
    assert any(f"Fingerprint #{made.seq}" in plain(line) and "does not match" in line
               for line in lines)


def test_a_fingerprint_that_is_not_one_is_refused_clearly(vault: Path) -> None:
    with signed_in(vault) as s, pytest.raises(ValidationError, match="not an audit fingerprint"):
        s.vault_admin.verify(["#12 not-a-code"])


def test_an_administrator_accepts_a_backup_restored_on_purpose(
        vault: Path, tmp_path: Path) -> None:
    with signed_in(vault) as s:
        add_user(s, "cora", "coordinator", temporary=False)
    old = tmp_path / "old-cases.db"
    shutil.copyfile(vault / "cases.db", old)
    _some_work(vault, 2)
    shutil.copyfile(old, vault / "cases.db")
    with signed_in(vault, "cora", TEMP_PASS) as s, pytest.raises(
            PermissionDenied):
        s.vault_admin.accept_restored()
    with signed_in(vault) as s:
        report = s.vault_admin.accept_restored()
        assert report.ok, report.lines()
        reset = [e for e in s.ctx.audit.events(limit=5) if e.action == "vault.anchor_reset"]
    assert reset and reset[0].details["count"] > 0
    ok, lines, _chain = _verify(vault)
    assert ok, lines


def test_the_cli_checks_anchors_and_fingerprints(vault: Path,
                                                 run_cli: Callable[..., tuple[int, str, str]]
                                                 ) -> None:
    code, out, _err = run_cli("--as", "admin", "fingerprint", stdin=ADMIN_PASS + "\n")
    assert code == 0
    printed = next(line for line in out.splitlines() if line.startswith("Audit fingerprint:"))
    fingerprint = printed.split(":", 1)[1].strip()
    code, out, _err = run_cli("--as", "admin", "verify", "--fingerprint", fingerprint,
                              stdin=ADMIN_PASS + "\n")
    assert code == 0, out
    assert "Anchors checked: 3." in out and "matches the audit chain" in out
    _cut(vault, "DELETE FROM audit_events WHERE seq > (SELECT max(seq) - 3 FROM audit_events)")
    code, out, err = run_cli("--as", "admin", "verify", stdin=ADMIN_PASS + "\n")
    assert code != 0
    assert "audit record is shorter" in err  # told at sign-in
    assert "The vault check failed: Key file: event #" in err
