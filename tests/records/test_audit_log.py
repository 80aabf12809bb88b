"""The full audit log: coordinators and administrators only, cases by code, filters, pages
through a long chain, and reading it is itself recorded."""

from __future__ import annotations

import datetime as dt

import pytest

from shelter_app.domain.audit import Event
from shelter_app.errors import PermissionDenied
from shelter_app.services import audit_log
from shelter_app.services.audit_log import AuditQuery
from shelter_app.services.registry import Services
from tests.bidi import plain
from tests.records.conftest import Org, days


def everything(services: Services, query: AuditQuery, *, limit: int = 7) -> list[int]:
    """Every matching seq, page by page as the lazy model asks for them."""
    seqs: list[int] = []
    before = None
    for _step in range(10_000):
        page = services.audit_log.page(query, before=before, limit=limit)
        seqs += [r.seq for r in page.rows]
        if page.next_before is None:
            return seqs
        before = page.next_before
    raise AssertionError("the pages never ended")


def test_who_may_read_the_audit_log(org: Org) -> None:
    for services in (org.coordinator, org.admin):
        services.audit_log.open()
        assert services.audit_log.page(AuditQuery()).rows
    opened = [e for e in org.audit(Event.SECTION_OPENED) if e["details"] == {"section": "audit"}]
    assert [e["actor_id"] for e in opened] == [org.ids["coordinator"], org.ids["admin"]]
    for services in (org.caseworker, org.legal):
        with pytest.raises(PermissionDenied):
            services.audit_log.open()
        with pytest.raises(PermissionDenied):
            services.audit_log.page(AuditQuery())
        with pytest.raises(PermissionDenied):
            services.audit_log.people()
    assert len(org.audit(Event.PERMISSION_DENIED)) == 6


def test_cases_are_named_by_code_never_by_name(org: Org) -> None:
    record = org.new_case("Zenobia Quillfeather", phone="+1 555 0100")
    entry = org.caseworker.care.record(record.id, "safe_shelter", provided_on=days(-1))
    org.caseworker.care.update(entry.id, row_version=entry.row_version, service="safe_shelter",
                               provided_on=days(-2))
    org.caseworker.cases.get(record.id)
    org.caseworker.history.for_case(record.id)
    rows = org.admin.audit_log.page(AuditQuery()).rows
    text = " ".join(f"{r.who} {r.what} {r.target} {r.details}" for r in rows)
    assert "Zenobia" not in text and "Quillfeather" not in text and "555" not in text
    targets = {plain(r.target) for r in rows}
    assert f"Case {record.code}" in targets
    corrected = next(r for r in rows if r.what == "Record changed" and r.who == "caseworker")
    assert plain(corrected.target) == f"Case {record.code}"  # a service entry, named by its case
    assert corrected.details == "Fields: Date given"
    assert any(plain(r.target) == "Account: coordinator" for r in rows)
    details = {plain(r.details) for r in rows}
    assert "Fields: Shared with; Added: legal" in details  # org.new_case shares it
    assert "Section: History" in details
    assert rows[0].seq > rows[-1].seq


def test_filters_by_person_kind_outcome_and_period(org: Org) -> None:
    record = org.new_case("Ana Filter")
    org.caseworker.cases.get(record.id)
    with pytest.raises(PermissionDenied):
        org.legal.care.record(record.id, "safe_shelter", provided_on=days(0))
    log = org.coordinator.audit_log
    mine = log.page(AuditQuery(actor_id=org.ids["caseworker"])).rows
    assert mine and {r.who for r in mine} == {"caseworker"}
    opened = log.page(AuditQuery(kind="reading")).rows
    assert opened and {r.what for r in opened} <= {"Record opened", "Section opened", "Search"}
    refused = log.page(AuditQuery(outcome="denied")).rows
    assert refused and {r.outcome for r in refused} == {"denied"}
    assert {r.who for r in refused} == {"legal"}
    today = dt.date.today()
    assert log.page(AuditQuery(since=today, until=today)).rows
    assert log.page(AuditQuery(since=today + dt.timedelta(days=1))).rows == []
    assert log.page(AuditQuery(until=today - dt.timedelta(days=1))).rows == []
    both = log.page(AuditQuery(actor_id=org.ids["legal"], outcome="denied", kind="refusals"))
    assert [r.what for r in both.rows] == ["Action refused"]


def test_a_long_chain_is_read_in_bounded_windows(org: Org,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    record = org.new_case("Ana Window")
    for _n in range(30):
        org.caseworker.cases.get(record.id)
    total = int(org.coordinator.ctx.db.scalar("SELECT max(seq) FROM audit_events"))
    monkeypatch.setattr(audit_log, "WINDOW", 5)
    monkeypatch.setattr(audit_log, "BUDGET", 12)
    seqs = everything(org.coordinator, AuditQuery())
    assert seqs == list(range(total, 0, -1))
    # A rare kind: each call reads at most BUDGET seqs, finds what is there, says where
    # it got to, and the next call goes on from there.
    created = everything(org.coordinator, AuditQuery(kind="changes"), limit=50)
    expected = [int(r["seq"]) for r in org.coordinator.ctx.db.all(
        "SELECT seq FROM audit_events WHERE action IN ('record.created', 'record.updated')"
        " AND seq <= :t ORDER BY seq DESC", {"t": total})]
    assert created == expected
    page = org.coordinator.audit_log.page(AuditQuery(kind="accounts"), limit=50)
    assert page.rows == [] and page.next_before == total + 1 - 15  # whole windows of 5
    assert page.searched_to is not None


def test_people_include_disabled_accounts(org: Org) -> None:
    org.admin.accounts.disable("other_legal")
    people = dict(org.coordinator.audit_log.people())
    assert people[org.ids["other_legal"]] == "other_legal"
    assert people[org.ids["admin"]] == "admin"


def test_key_events_name_the_keys_and_their_generation() -> None:
    text = audit_log.describe_details({"version": 2, "count": 1,
                                       "keys": ["database", "case", "health"]}, {})
    assert text == "Keys: database, case, and health; Count: 1; Version: 2"
