"""The audit chain: append-only, HMAC-linked, and verification names the first bad event.

Tampering is done the way someone with the database would do it: a bare sqlcipher3
connection keyed with the data key (unwrapped from a keyslot exactly as the application does),
dropping the append-only triggers first.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlcipher3.dbapi2 as sqlcipher

from shelter_app.domain.audit import ALLOWED_DETAIL_KEYS, Event
from shelter_app.services.registry import Services
from shelter_app.store.audit import GENESIS
from tests.conftest import ADMIN_PASS, TEMP_PASS, add_user, raw_connect, signed_in, unwrap_data_key

Tamper = Callable[[sqlcipher.Connection, int], None]


def _session(vault_dir: Path) -> int:
    """A short scripted session; returns how many events the chain then holds."""
    with signed_in(vault_dir) as s:
        add_user(s, "casey", "caseworker")
        add_user(s, "dana", "legal", "coordinator")
        s.accounts.set_roles("dana", ["legal"])
        s.accounts.reset("casey", "another temporary one")
        s.settings.set("auto_lock_minutes", 10)
        s.vault_admin.backup()
        report = s.vault_admin.verify()
        assert report.ok, report.lines()
        events = report.chain.events
    return events + 2  # the verify event and the lock event


def _tamper(vault_dir: Path, change: Callable[[sqlcipher.Connection], None]) -> None:
    conn = raw_connect(vault_dir, unwrap_data_key(vault_dir))
    conn.execute("DROP TRIGGER audit_events_no_update")
    conn.execute("DROP TRIGGER audit_events_no_delete")
    conn.execute("BEGIN")
    change(conn)
    conn.execute("COMMIT")
    conn.close()


def _edit(conn: sqlcipher.Connection, seq: int) -> None:
    conn.execute("UPDATE audit_events SET details = :d WHERE seq = :s",
                 {"d": '{"count":99}', "s": seq})


def _edit_time(conn: sqlcipher.Connection, seq: int) -> None:
    conn.execute("UPDATE audit_events SET occurred_at = '2020-01-01T00:00:00.000000Z'"
                 " WHERE seq = :s", {"s": seq})


def _delete(conn: sqlcipher.Connection, seq: int) -> None:
    conn.execute("DELETE FROM audit_events WHERE seq = :s", {"s": seq})


def _swap(conn: sqlcipher.Connection, seq: int) -> None:
    """Events seq and seq+1 change places (each keeps its own content and hmac)."""
    cols = "id, occurred_at, actor_id, action, target_type, target_id, outcome, details," \
           " prev_hmac, hmac"
    a = conn.execute(f"SELECT {cols} FROM audit_events WHERE seq = ?", (seq,)).fetchone()  # noqa: S608
    b = conn.execute(f"SELECT {cols} FROM audit_events WHERE seq = ?", (seq + 1,)).fetchone()  # noqa: S608
    conn.execute("DELETE FROM audit_events WHERE seq IN (?, ?)", (seq, seq + 1))
    marks = ", ".join("?" * 11)
    conn.execute(f"INSERT INTO audit_events (seq, {cols}) VALUES ({marks})", (seq, *b))  # noqa: S608
    conn.execute(f"INSERT INTO audit_events (seq, {cols}) VALUES ({marks})", (seq + 1, *a))  # noqa: S608


def _verify(vault_dir: Path) -> Any:
    with signed_in(vault_dir) as s:
        return s.vault_admin.verify()


# -- appending -----------------------------------------------------------------------
def test_events_record_who_what_which_and_when(admin: Services) -> None:
    user_id = add_user(admin, "casey", "caseworker", display_name="Casey Whitfield")
    newest = admin.ctx.audit.events(limit=1)[0]
    assert newest.action == Event.USER_ADDED
    assert newest.actor_id == admin.session.user_id
    assert (newest.target_type, newest.target_id) == ("user", user_id)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", newest.occurred_at)
    assert newest.details == {"roles": ["caseworker"]}
    texts = [repr(e) for e in admin.ctx.audit.events()]
    assert not any("Whitfield" in t or "casey" in t for t in texts)


def test_details_refuse_unknown_keys(admin: Services) -> None:
    before = len(admin.ctx.audit.events())
    for key in ("name", "note", "query", "display_name", "passphrase"):
        assert key not in ALLOWED_DETAIL_KEYS
        with pytest.raises(ValueError, match=key):
            admin.ctx.audit.append(Event.SEARCH, actor_id=admin.session.user_id,
                                   details={key: "Jane Doe", "count": 1})
    assert len(admin.ctx.audit.events()) == before
    assert admin.vault_admin.verify().ok


def test_events_cannot_be_changed_or_deleted_through_the_database(admin: Services) -> None:
    for sql in ("UPDATE audit_events SET outcome = 'ok'", "DELETE FROM audit_events"):
        with pytest.raises(sqlcipher.IntegrityError, match="append-only"):
            admin.ctx.db.execute(sql)
    assert admin.vault_admin.verify().ok


def test_chain_is_linked_from_genesis(admin: Services) -> None:
    rows = admin.ctx.db.all("SELECT seq, prev_hmac, hmac FROM audit_events ORDER BY seq")
    assert rows[0]["seq"] == 1 and bytes(rows[0]["prev_hmac"]) == GENESIS
    for before, after in itertools.pairwise(rows):
        assert after["seq"] == before["seq"] + 1
        assert bytes(after["prev_hmac"]) == bytes(before["hmac"])
    assert len({bytes(r["hmac"]) for r in rows}) == len(rows)


# -- verification --------------------------------------------------------------------
def test_untouched_chain_verifies(closed_vault: Path) -> None:
    events = _session(closed_vault)
    report = _verify(closed_vault)
    assert report.ok
    assert report.chain.events == events + 1  # this session's sign-in
    lines = report.lines()
    assert lines[:3] == ["Database: every page is intact.",
                         f"Audit chain: {events + 1} events, unbroken.",
                         f"Anchors checked: {len(report.anchors)}."]
    assert [line.split(":")[0].strip() for line in lines[3:5]] == [
        "Key file", "Copy of the key file in backups"]
    assert all(a.ok for a in report.anchors)


@pytest.mark.parametrize("tamper,expect", [
    (_edit, "was changed after it was written"),
    (_edit_time, "was changed after it was written"),
    (_delete, "is missing"),
    (_swap, "does not follow the event before it"),
], ids=["edited", "time-edited", "deleted", "swapped"])
def test_tampering_in_the_middle_names_the_first_bad_event(closed_vault: Path, tamper: Tamper,
                                                           expect: str) -> None:
    _session(closed_vault)
    _tamper(closed_vault, lambda conn: tamper(conn, 4))
    report = _verify(closed_vault)
    assert not report.ok
    assert report.chain.first_bad_seq == 4
    assert "#4 " in report.chain.problem
    assert expect in report.chain.problem
    assert not report.database_problems
    # it stays found: later sessions append after it without hiding it
    report = _verify(closed_vault)
    assert report.chain.first_bad_seq == 4


def test_deleting_the_newest_events_is_found_and_stays_found(closed_vault: Path) -> None:
    events = _session(closed_vault)
    _tamper(closed_vault, lambda conn: _delete(conn, events))
    # The next sign-in appends an event: it must not paper over the gap.
    for _ in range(2):
        report = _verify(closed_vault)
        assert not report.ok
        assert report.chain.first_bad_seq == events
        assert f"#{events} is missing" in report.chain.problem


def test_deleting_the_newest_event_is_found_before_anything_is_appended(
    admin: Services,
) -> None:
    events = admin.ctx.audit.events()
    newest = events[0].seq
    conn = admin.ctx.db.raw
    conn.execute("DROP TRIGGER audit_events_no_delete")
    conn.execute("DELETE FROM audit_events WHERE seq = :s", {"s": newest})
    report = admin.ctx.audit.verify()
    assert not report.ok and report.first_bad_seq == newest
    assert f"#{newest - 1}" in report.problem


def test_a_failed_check_is_itself_recorded(closed_vault: Path) -> None:
    _session(closed_vault)
    _tamper(closed_vault, lambda conn: _edit(conn, 3))
    with signed_in(closed_vault) as s:
        s.vault_admin.verify()
        newest = s.ctx.audit.events(limit=1)[0]
        assert newest.action == Event.INTEGRITY_FAILURE
        assert newest.details == {"problems": 0, "first_bad_seq": 3, "count": 0}


# -- the same through shelter-admin ----------------------------------------------------
@pytest.mark.parametrize("tamper,seq_of", [
    (_edit, lambda n: 3),
    (_delete, lambda n: 5),
    (_delete, lambda n: n),
    (_swap, lambda n: 6),
], ids=["edited", "middle-deleted", "newest-deleted", "swapped"])
def test_shelter_admin_verify(vault_dir: Path, run_cli: Any, tamper: Tamper,
                              seq_of: Callable[[int], int]) -> None:
    admin = ("--as", "admin")
    assert run_cli("init", "--organisation", "Harbour House", "--admin", "admin",
                   stdin=ADMIN_PASS + "\n")[0] == 0
    assert run_cli(*admin, "user", "add", "casey", "--role", "caseworker",
                   stdin=f"{ADMIN_PASS}\n{TEMP_PASS}\n")[0] == 0
    assert run_cli(*admin, "user", "roles", "casey", "--role", "caseworker", "--role", "legal",
                   stdin=ADMIN_PASS + "\n")[0] == 0
    assert run_cli(*admin, "user", "list", stdin=ADMIN_PASS + "\n")[0] == 0
    code, out, err = run_cli(*admin, "verify", stdin=ADMIN_PASS + "\n")
    assert (code, err) == (0, "")
    assert "Audit chain:" in out and "unbroken" in out
    events = int(re.search(r"(\d+) events", out).group(1)) + 2  # type: ignore[union-attr]

    seq = seq_of(events)
    _tamper(vault_dir, lambda conn: tamper(conn, seq))
    code, out, err = run_cli(*admin, "verify", stdin=ADMIN_PASS + "\n")
    assert code == 1
    *warning, last = err.splitlines()
    assert last.startswith("shelter-admin: ") and f"#{seq}" in last, err
    # Losing the newest event also takes it away from the key file's anchor: sign-in says so
    assert warning == ([] if seq < events else [
        line for line in err.splitlines() if line.startswith("This vault's audit record")])
    assert "broken" in out


def test_events_appended_in_one_transaction_chain_and_move_the_head_once(admin: Services
                                                                         ) -> None:
    audit, db = admin.ctx.audit, admin.ctx.db
    actor = admin.session.user_id
    start = audit.events(limit=1)[0].seq
    with db.transaction():
        seqs = [audit.append(Event.SEARCH, actor_id=actor, details={"count": n})
                for n in range(5)]
        # the head still names the event before the transaction until it commits
        assert db.scalar("SELECT value FROM meta WHERE key = 'audit_head'").startswith(
            f"{start}:")
    assert seqs == list(range(start + 1, start + 6))
    newest = db.one("SELECT seq, hmac FROM audit_events ORDER BY seq DESC LIMIT 1")
    assert db.scalar("SELECT value FROM meta WHERE key = 'audit_head'") == (
        f"{newest['seq']}:{bytes(newest['hmac']).hex()}")
    assert audit.verify().ok

    # events of a transaction that rolled back are not followed by the next one
    with pytest.raises(RuntimeError), db.transaction():
        audit.append(Event.SEARCH, actor_id=actor, details={"count": 9})
        raise RuntimeError("stop")
    assert audit.append(Event.SEARCH, actor_id=actor, details={"count": 1}) == start + 6
    assert audit.verify().ok and admin.vault_admin.verify().ok
