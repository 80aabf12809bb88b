"""Retention and erasure (services/retention.py) on real SQLCipher vaults: what the purge
list names, approval by fingerprint, erasure with a second coordinator, every row of a case
gone, and nothing of it left in the file (a raw scan of every page, decrypted with the key)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from shelter_app.demo_vault import DEMO_ACCOUNTS, create_demo_vault
from shelter_app.domain.records import CaseInput
from shelter_app.errors import NotFound, PermissionDenied, ShelterError, ValidationError
from shelter_app.services.registry import Services, build_services
from shelter_app.services.retention import Kind
from shelter_app.store.audit import now_utc
from shelter_app.store.erasure import CASE_TABLES, HANGING_TABLES
from shelter_app.vault import fields
from shelter_app.vault.vault import Vault
from tests.conftest import FAST_KDF, unwrap_data_key
from tests.records.conftest import STAFF_PASS, Org

DEMO_PASS = "demo pass phrase 2026"
PAGE, RESERVE = 4096, 80


def _pages(path: Path, data_key: bytes) -> bytes:
    """Every page of a SQLCipher file decrypted with the data key (docs/VAULT_FORMAT.md,
    section 10), joined: what someone holding the key could read from the file, free pages
    and all, whatever SQLite still links."""
    raw = path.read_bytes()
    out = []
    for start in range(0, len(raw) - PAGE + 1, PAGE):
        page = raw[start:start + PAGE]
        body = page[16 if start == 0 else 0:PAGE - RESERVE]
        iv = page[PAGE - RESERVE:PAGE - RESERVE + 16]
        decryptor = Cipher(algorithms.AES(data_key), modes.CBC(iv)).decryptor()
        out.append(decryptor.update(body) + decryptor.finalize())
    return b"".join(out)


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[Path, Services]]:
    folder = tmp_path / "demo"
    create_demo_vault(folder, {name: DEMO_PASS for name, _role in DEMO_ACCOUNTS},
                      kdf=FAST_KDF, survivors=20)
    vault = Vault.open(folder, kdf=FAST_KDF)
    opened, _report = vault.unlock("coordinator", DEMO_PASS)
    services = build_services(opened)
    try:
        yield folder, services
    finally:
        services.lock()
        vault.close()


def _fullest_case(services: Services) -> str:
    """The demo case with rows in the most tables, given a kept draft and a document
    record too."""
    db = services.ctx.db
    tables: dict[str, set[str]] = {}
    for table in CASE_TABLES:
        for case_id in db.column(f"SELECT DISTINCT case_id FROM {table}"):  # noqa: S608
            tables.setdefault(case_id, set()).add(table)
    case_id = max(tables, key=lambda c: (len(tables[c]), c))
    services.drafts.save("case_profile", {"survivor": {"access_needs": "ramp"}},
                         case_id=case_id)
    with db.transaction():
        db.execute("INSERT INTO generated_documents (id, case_id, packet_id, kind, recipient,"
                   " language, pages, size, sha256, created_at, updated_at) VALUES (:id, :c,"
                   " :p, 'referral', 'Clinic', 'en', 2, 100, '00', :now, :now)",
                   {"id": str(uuid.uuid4()), "c": case_id, "p": "PK-T35T0001",
                    "now": now_utc()})
    return case_id


def _case_rows(services: Services, case_id: str) -> dict[str, int]:
    db = services.ctx.db
    counts = {t: int(db.scalar(f"SELECT count(*) FROM {t} WHERE case_id = :c",  # noqa: S608
                               {"c": case_id})) for t in CASE_TABLES}
    counts["cases"] = int(db.scalar("SELECT count(*) FROM cases WHERE id = :c", {"c": case_id}))
    return counts


def _sealed_slices(services: Services, case_id: str) -> list[bytes]:
    """The first bytes of every sealed value of the case's rows, its survivor's and its
    attachments' contents: unique (each begins with a random nonce) and found in the file
    while the rows exist."""
    db = services.ctx.db.raw
    survivor = db.execute("SELECT survivor_id FROM cases WHERE id = ?", (case_id,)).fetchone()[0]
    queries = [("SELECT * FROM survivors WHERE id = ?", survivor),
               ("SELECT * FROM cases WHERE id = ?", case_id),
               *((f"SELECT * FROM {t} WHERE case_id = ?", case_id) for t in CASE_TABLES)]  # noqa: S608
    found = []
    for sql, value in queries:
        for row in db.execute(sql, (value,)).fetchall():
            for cell in row:
                if isinstance(cell, str) and fields.is_sealed(cell):
                    found.append(cell[len(fields.PREFIX):][:32].encode("ascii"))
                elif isinstance(cell, bytes) and len(cell) > 64:
                    found.append(bytes(cell[4:36]))
    return found


def test_erasure_removes_every_row_of_the_case_and_leaves_nothing_in_the_file(
        demo: tuple[Path, Services]) -> None:
    folder, coordinator = demo
    case_id = _fullest_case(coordinator)
    code = coordinator.ctx.db.scalar("SELECT code FROM cases WHERE id = :c", {"c": case_id})
    before = _case_rows(coordinator, case_id)
    assert sum(1 for n in before.values() if n) >= 15  # a case with most kinds of record
    slices = _sealed_slices(coordinator, case_id)
    other = coordinator.ctx.db.scalar("SELECT id FROM cases WHERE id != :c", {"c": case_id})
    kept = _sealed_slices(coordinator, other)
    data_key = unwrap_data_key(folder, "coordinator", DEMO_PASS)
    coordinator.ctx.db.raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    plain = _pages(folder / "cases.db", data_key)
    control = [s for s in slices if s in plain]
    assert len(control) >= 20 and len(control) >= len(slices) * 0.8  # the scan sees them
    assert code.encode() in plain

    outcome = coordinator.retention.erase(case_id, "survivor_request")

    assert outcome.erased and outcome.purged.cases == 1 and outcome.purged.survivors == 1
    assert outcome.purged.rows >= sum(before.values()) + 1  # hanging rows counted too
    assert not any(_case_rows(coordinator, case_id).values())
    assert coordinator.ctx.db.all("PRAGMA foreign_key_check") == []
    wal = folder / "cases.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0
    plain = _pages(folder / "cases.db", data_key)
    assert [s for s in control if s in plain] == []
    assert code.encode() not in plain
    assert sum(s in plain for s in kept) >= len(kept) * 0.8  # the other cases are all there
    assert coordinator.vault_admin.verify().ok


def test_the_freed_pages_go_back_to_the_disk(demo: tuple[Path, Services]) -> None:
    """A vault is made with incremental auto-vacuum, so an erasure cuts the file short
    without writing it all again; one made before that is vacuumed whole once and then
    keeps incremental auto-vacuum."""
    folder, coordinator = demo
    db = coordinator.ctx.db
    assert db.scalar("PRAGMA auto_vacuum") == 2
    with db.transaction():  # a few hundred pages to free, as a large purge leaves
        db.execute("CREATE TABLE filler (x BLOB)")
        db.execute_many("INSERT INTO filler VALUES (?)", [(bytes(3000),)] * 400)
    with db.transaction():
        db.execute("DROP TABLE filler")
    assert db.scalar("PRAGMA freelist_count") >= 400
    db.raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = (folder / "cases.db").stat().st_size
    coordinator.retention.erase(_fullest_case(coordinator), "survivor_request")
    assert db.scalar("PRAGMA freelist_count") < 8  # what the audit record freed since
    assert (folder / "cases.db").stat().st_size < size - 400 * 4096
    with db.held() as conn:  # as a vault of before would be
        conn.execute("PRAGMA auto_vacuum = NONE")
        conn.execute("VACUUM")
    assert db.scalar("PRAGMA auto_vacuum") == 0
    coordinator.retention.erase(_fullest_case(coordinator), "survivor_request")
    assert db.scalar("PRAGMA auto_vacuum") == 2 and db.scalar("PRAGMA freelist_count") < 8
    assert coordinator.vault_admin.verify().ok


def test_audit_keeps_that_and_why_never_what(demo: tuple[Path, Services]) -> None:
    _folder, coordinator = demo
    case_id = _fullest_case(coordinator)
    code = coordinator.ctx.db.scalar("SELECT code FROM cases WHERE id = :c", {"c": case_id})
    coordinator.retention.erase(case_id, "consent_withdrawn")
    row = coordinator.ctx.db.one("SELECT actor_id, target_type, target_id, details FROM"
                                 " audit_events WHERE action = 'retention.case_erased'")
    assert row is not None and row["target_id"] == case_id
    details = json.loads(row["details"])
    assert details["reason"] == "consent_withdrawn"
    assert details["purged"]["cases"] == 1 and details["purged"]["rows"] > 20
    assert code not in row["details"]
    assert coordinator.ctx.db.scalar("SELECT value FROM meta WHERE key = 'last_purge_at'")
    assert coordinator.ctx.db.scalar("SELECT 1 FROM meta WHERE key = 'compact_due'") is None


def test_every_table_of_a_case_is_in_the_erasure(demo: tuple[Path, Services]) -> None:
    """A table added later with a case_id column, or hanging from one, must be added to the
    erasure's lists, or this fails."""
    db = demo[1].ctx.db
    tables = db.column("SELECT name FROM sqlite_schema WHERE type = 'table'"
                       " AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'case_search%'"
                       " AND name NOT LIKE 'case_keys%'")
    with_case = {t for t in tables
                 if "case_id" in {c["name"] for c in db.all(f"PRAGMA table_info({t})")}}
    assert with_case == set(CASE_TABLES)
    covered = {"cases", "survivors", *CASE_TABLES, *HANGING_TABLES}
    for table in tables:
        for key in db.all(f"PRAGMA foreign_key_list({table})"):
            if key["table"] in covered - {"survivors"} and table not in covered:
                pytest.fail(f"{table} refers to {key['table']} and is not erased")


def _close(org: Org, case_id: str) -> None:
    org.coordinator.cases.set_status(case_id, "closed", closure_reason="goals_met")


def _org_case(org: Org, name: str) -> str:
    return org.new_case(name, case=CaseInput(assigned_to=org.ids["caseworker"])).id


def test_purge_list_names_what_each_period_reached(org: Org) -> None:
    closed, with_deadline, still_open = (_org_case(org, n) for n in
                                         ("Ana Test", "Bea Test", "Cleo Test"))
    for case_id in (closed, with_deadline):
        _close(org, case_id)
    org.caseworker.drafts.save("case_profile", {"survivor": {"access_needs": "x"}},
                               case_id=still_open)
    retention = org.coordinator.retention
    assert retention.review().items == ()
    in_six_years = dt.date.today() + dt.timedelta(days=6 * 366)
    found = retention.review(in_six_years)
    kinds = {(i.kind, i.case_id) for i in found.items}
    assert (Kind.CASE, closed) in kinds and (Kind.DRAFTS, still_open) in kinds
    assert all(i.case_id != still_open or i.kind is Kind.DRAFTS for i in found.items)
    assert found.fingerprint and len(found.fingerprint) == 9


def test_purge_needs_the_reviewed_list_and_keeps_what_is_held(org: Org) -> None:
    first, second = _org_case(org, "Ana Test"), _org_case(org, "Bea Test")
    for case_id in (first, second):
        _close(org, case_id)
    later = dt.date.today() + dt.timedelta(days=6 * 366)
    retention = org.coordinator.retention
    found = retention.review(later)
    with pytest.raises(ShelterError, match="changed since it was reviewed"):
        retention.purge("0000-0000", today=later)
    second_code = next(i.case_code for i in found.items if i.case_id == second)
    with pytest.raises(ValidationError, match="Not on the purge list"):
        retention.purge(found.fingerprint, keep=["SH-1999-0001"], today=later)
    assert org.count("cases") == 2  # refusals changed nothing
    purged = retention.purge(found.fingerprint, keep=[second_code], today=later)
    assert purged.cases == 1
    assert org.coordinator.ctx.db.column("SELECT id FROM cases") == [second]
    event = org.audit("retention.purged")[-1]
    assert event["details"]["list"] == found.fingerprint
    assert event["details"]["purged"]["cases"] == 1


def test_a_second_coordinator_confirms_an_erasure(org: Org) -> None:
    case_id = _org_case(org, "Ana Test")
    org.admin.accounts.add("coordinator2", ["coordinator"], STAFF_PASS, temporary=False)
    second_opened, _report = org.vault.unlock("coordinator2", STAFF_PASS)
    org.opened.append(second_opened)
    second = build_services(second_opened)
    outcome = org.coordinator.retention.erase(case_id, "survivor_request")
    assert not outcome.erased and org.count("cases") == 1
    with pytest.raises(ShelterError, match="already waiting"):
        org.coordinator.retention.erase(case_id, "survivor_request")
    with pytest.raises(PermissionDenied, match="Another coordinator"):
        org.coordinator.retention.confirm_erasure(case_id)
    pending = second.retention.requests()
    assert [(r.case_id, r.requested_by) for r in pending] == [(case_id, org.ids["coordinator"])]
    purged = second.retention.confirm_erasure(case_id)
    assert purged.cases == 1 and org.count("cases") == 0 and org.count("erasure_requests") == 0
    event = org.audit("retention.case_erased")[-1]
    assert event["actor_id"] == second.session.user_id
    assert event["details"]["user"] == org.ids["coordinator"]
    with pytest.raises(NotFound):
        second.retention.confirm_erasure(case_id)


def test_an_erasure_request_can_be_withdrawn(org: Org) -> None:
    case_id = _org_case(org, "Ana Test")
    org.admin.accounts.add("coordinator2", ["coordinator"], STAFF_PASS, temporary=False)
    assert org.coordinator.retention.needs_confirmation()
    org.coordinator.retention.erase(case_id, "entered_in_error")
    org.coordinator.retention.withdraw_erasure(case_id)
    assert org.coordinator.retention.requests() == [] and org.count("cases") == 1
    assert org.audit("retention.erasure_withdrawn")


def test_erasure_needs_a_listed_reason_and_a_coordinator(org: Org) -> None:
    case_id = _org_case(org, "Ana Test")
    with pytest.raises(ValidationError, match="why"):
        org.coordinator.retention.erase(case_id, "she phoned")
    for services in (org.caseworker, org.legal, org.admin):
        with pytest.raises(PermissionDenied):
            services.retention.erase(case_id, "survivor_request")
        with pytest.raises(PermissionDenied):
            services.retention.review()
    assert org.count("cases") == 1


def test_an_erasure_the_key_file_missed_is_named_there_at_the_next_sign_in(
        org: Org, monkeypatch: pytest.MonkeyPatch) -> None:
    from shelter_app.errors import StorageFailure
    from shelter_app.vault.keyslots import KeyslotFile

    case_id = _org_case(org, "Ana Test")

    def full(_ids: list[str]) -> None:
        raise StorageFailure("The disk is full.")

    monkeypatch.setattr(org.coordinator.ctx.vault, "note_erased", full)
    assert org.coordinator.retention.erase(case_id, "survivor_request").erased
    keyslots = org.folder / "keyslots.json"
    assert case_id not in KeyslotFile.load(keyslots).erased
    assert org.coordinator.ctx.db.scalar("SELECT value FROM meta WHERE key ="
                                         " 'erased_to_note'") == case_id
    opened, _report = org.vault.unlock("coordinator", STAFF_PASS)
    org.opened.append(opened)
    build_services(opened)  # signing in names it
    assert KeyslotFile.load(keyslots).erased == [case_id]
    assert org.coordinator.ctx.db.scalar("SELECT value FROM meta WHERE key ="
                                         " 'erased_to_note'") is None


def test_a_draft_goes_on_the_last_day_of_its_period_not_a_day_later(org: Org) -> None:
    case_id = _org_case(org, "Ana Test")
    org.caseworker.drafts.save("case_profile", {"survivor": {"access_needs": "x"}},
                               case_id=case_id)
    saved = dt.date.fromisoformat(org.coordinator.ctx.db.scalar(
        "SELECT updated_at FROM drafts")[:10])
    days = org.coordinator.retention.policy().draft_days
    on_time = saved + dt.timedelta(days=days)
    assert [i.kind for i in org.coordinator.retention.review(on_time).items] == [Kind.DRAFTS]
    assert org.coordinator.retention.review(on_time).items[0].due_since == on_time
    assert org.coordinator.retention.review(on_time - dt.timedelta(days=1)).items == ()


def test_space_a_crash_left_is_cleared_at_the_next_sign_in(org: Org) -> None:
    """The rows went in a commit, then the process stopped before the space was cleared:
    whoever signs in next clears it."""
    org.new_case("Zqxgone Person")
    with org.coordinator.ctx.db.transaction() as db:
        db.execute("INSERT INTO meta (key, value) VALUES ('compact_due', '1')")
    opened, _report = org.vault.unlock("caseworker", STAFF_PASS)
    services = build_services(opened)
    try:
        assert services.ctx.db.scalar("SELECT 1 FROM meta WHERE key = 'compact_due'") is None
        assert services.ctx.db.scalar("PRAGMA auto_vacuum") == 2
    finally:
        services.lock()


@pytest.mark.parametrize("how", ["disabled", "role taken away"])
def test_removing_the_other_coordinator_does_not_clear_the_way(org: Org, how: str) -> None:
    """An administrator who is also a coordinator takes the only other coordinator out of
    the way: an erasure still waits for a second coordinator (for 30 days)."""
    case_id = _org_case(org, "Ana Test")
    org.admin.accounts.add("boss", ["admin", "coordinator"], STAFF_PASS, temporary=False)
    boss_opened, _report = org.vault.unlock("boss", STAFF_PASS)
    org.opened.append(boss_opened)
    boss = build_services(boss_opened)
    if how == "disabled":
        boss.accounts.disable("coordinator")
    else:
        boss.accounts.set_roles("coordinator", ["caseworker"])
    assert boss.retention.needs_confirmation()
    outcome = boss.retention.erase(case_id, "survivor_request")
    assert not outcome.erased and org.count("cases") == 1
    with pytest.raises(PermissionDenied, match="Another coordinator"):
        boss.retention.confirm_erasure(case_id)


def test_an_account_the_requester_set_up_cannot_confirm(org: Org) -> None:
    """An administrator who is also a coordinator resets another coordinator's passphrase
    (or makes a coordinator account) and confirms her own request from it: refused."""
    case_id = _org_case(org, "Ana Test")
    org.admin.accounts.add("boss", ["admin", "coordinator"], STAFF_PASS, temporary=False)
    boss_opened, _report = org.vault.unlock("boss", STAFF_PASS)
    org.opened.append(boss_opened)
    boss = build_services(boss_opened)
    assert not boss.retention.erase(case_id, "survivor_request").erased
    boss.accounts.add("puppet", ["coordinator"], STAFF_PASS, temporary=False)
    puppet_opened, _report = org.vault.unlock("puppet", STAFF_PASS)
    org.opened.append(puppet_opened)
    puppet = build_services(puppet_opened)
    with pytest.raises(PermissionDenied, match="made, re-enabled or reset this account"):
        puppet.retention.confirm_erasure(case_id)
    assert org.count("cases") == 1
    assert org.coordinator.retention.confirm_erasure(case_id).cases == 1  # set up by no one


def test_a_coordinator_removed_by_a_second_administrator_still_counts(org: Org) -> None:
    org.admin.accounts.add("boss", ["coordinator"], STAFF_PASS, temporary=False)
    boss_opened, _report = org.vault.unlock("boss", STAFF_PASS)
    org.opened.append(boss_opened)
    boss = build_services(boss_opened)
    org.admin.accounts.disable("coordinator")  # another account's doing
    assert boss.retention.needs_confirmation()
