"""The statistics' stored facts (stat_facts): one sealed value a case, kept current by
triggers, and never trusted over the case's own rows."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from shelter_app.domain.key_classes import KeyName
from shelter_app.domain.records import CaseInput, SurvivorInput
from shelter_app.domain.statistics import Statistics
from shelter_app.services import case_facts, row_seals
from shelter_app.store import erasure
from shelter_app.vault import fields
from tests.conftest import signed_in
from tests.records.conftest import STAFF_PASS, Org, organisation

TODAY = dt.date.today()
YEAR_AGO = TODAY - dt.timedelta(days=365)


def _case(org: Org, i: int, **survivor: object) -> str:
    record = org.new_case(f"Facts Person {i}", share=False, **{
        "gender": "woman", "citizenship": ["VN"], "birth_date": "1999-03-04",
        "case": CaseInput(exploitation_types=["sexual"], means_of_control=["debt_bondage"],
                          opened_on=TODAY - dt.timedelta(days=30)), **survivor})
    org.coordinator.consent.set_reporting(record.id, "yes")
    return record.id


def _stored(org: Org) -> dict[str, case_facts.Facts | None]:
    ctx = org.coordinator.ctx
    cipher = ctx.cipher(KeyName.CASE)
    assert cipher is not None
    return {r["id"]: case_facts.decode(fields.open_sealed(cipher, "stat_facts", r["id"], "facts",
                                                          r["facts"]))
            for r in ctx.db.all("SELECT id, facts FROM stat_facts")}


def _from_rows(org: Org) -> Statistics:
    """The statistics read from the cases' own rows alone (no stored facts, none written)."""
    db = org.coordinator.ctx.db
    with db.transaction():
        db.execute("DELETE FROM stat_facts")
    ctx = org.coordinator.ctx
    original = case_facts.settle
    case_facts.settle = lambda _ctx: 0  # type: ignore[assignment]
    try:
        return org.coordinator.statistics.produce(YEAR_AGO, TODAY)
    finally:
        case_facts.settle = original
        assert ctx is org.coordinator.ctx


def test_counting_writes_the_counted_cases_facts_once_and_they_equal_its_rows(
        org: Org) -> None:
    ids = [_case(org, i) for i in range(6)]
    declined = _case(org, 7)
    org.coordinator.consent.set_reporting(declined, "no")
    db = org.coordinator.ctx.db
    # a new case has no facts yet (no trigger on inserts): it is read from its rows
    assert not set(db.column("SELECT id FROM stat_facts")) & set(ids)
    first = org.coordinator.statistics.produce(YEAR_AGO, TODAY)
    stored = _stored(org)
    assert set(stored) == set(ids), "only the counted cases: not one whose survivor said no"
    with db.held() as conn:
        conn.execute("BEGIN")
        try:
            from_rows = case_facts._from_rows(org.coordinator.ctx, ids)
        finally:
            conn.execute("ROLLBACK")
    assert stored == from_rows
    assert from_rows[ids[0]].gender == "woman" and from_rows[ids[0]].citizenship == ("VN",)
    # a second count writes nothing and says the same
    before = db.scalar("SELECT count(*) FROM audit_events")
    assert case_facts.settle(org.coordinator.ctx) == 0
    assert org.coordinator.statistics.produce(YEAR_AGO, TODAY) == first
    assert db.scalar("SELECT count(*) FROM audit_events") == before + 1  # its own event only


def test_what_is_stored_is_sealed_under_the_case_key_and_bound_to_its_case(org: Org) -> None:
    a, b = _case(org, 1), _case(org, 2, gender="man")
    org.coordinator.statistics.produce(YEAR_AGO, TODAY)
    db = org.coordinator.ctx.db
    stored = {r["id"]: r["facts"] for r in db.all("SELECT id, facts FROM stat_facts")}
    assert fields.is_sealed(stored[a]) and "woman" not in stored[a]
    # b's value put in a's row (an edit outside the application) does not open there: a is
    # read from its rows, and still counted as a woman
    with db.transaction():
        db.execute("UPDATE stat_facts SET facts = :f WHERE id = :id", {"f": stored[b], "id": a})
    stats = org.coordinator.statistics.produce(YEAR_AGO, TODAY)
    assert stats == _from_rows(org)


def test_every_write_a_fact_comes_from_deletes_the_stored_facts(org: Org) -> None:
    case_id = _case(org, 1)
    other = _case(org, 2)
    s = org.coordinator
    db = s.ctx.db

    def kept() -> set[str]:
        return set(db.column("SELECT id FROM stat_facts"))

    def count() -> None:
        assert case_facts.settle(s.ctx) >= 0
        assert kept() == {case_id, other}

    count()
    record = s.cases.get(case_id)
    s.cases.update(case_id, survivor=SurvivorInput(legal_name="Facts Person 1", gender="man"),
                   versions=record.row_versions)
    assert kept() == {other}
    count()
    event = s.timeline.add(case_id, "exploitation", country="TH", date_from="2020-01-01")
    assert kept() == {other}
    count()
    s.timeline.update(event.id, stage="exploitation", country="MY", date_from="2020-02-01")
    assert kept() == {other}
    count()
    s.consent.set_reporting(other, "no")  # no longer counted: her facts go, and stay gone
    assert kept() == {case_id}
    assert case_facts.settle(s.ctx) == 0 and kept() == {case_id}
    s.consent.set_reporting(other, "yes")
    count()
    # any writer, the application or not: a survivor's counted column marks her cases
    with db.transaction():
        db.execute("UPDATE survivors SET gender = gender WHERE id ="
                   " (SELECT survivor_id FROM cases WHERE id = :id)", {"id": other})
    assert kept() == {case_id}
    count()
    with db.transaction():  # a column no fact comes from: nothing to do
        db.execute("UPDATE cases SET updated_at = updated_at WHERE id = :id", {"id": other})
    assert kept() == {case_id, other}
    with db.transaction():
        db.execute("DELETE FROM timeline_events WHERE id = :id", {"id": event.id})
    assert kept() == {other}


def test_facts_follow_the_edits_and_always_equal_the_rows(org: Org) -> None:
    """Random edits between counts: what the dashboard shows equals what the cases' own
    rows say, every time."""
    rng = random.Random(7)
    ids = [_case(org, i, gender=rng.choice(["woman", "man"])) for i in range(12)]
    s = org.coordinator
    for _round in range(6):
        for case_id in rng.sample(ids, 3):
            record = s.cases.get(case_id)
            choice = rng.randrange(4)
            if choice == 0:
                s.cases.update(case_id, survivor=SurvivorInput(
                    legal_name="Facts Person", gender=rng.choice(["woman", "man", "unknown"]),
                    citizenship=[rng.choice(["VN", "NG", "ER"])],
                    birth_date=f"{rng.randint(1960, 2010)}-01-02"),
                    versions=record.row_versions)
            elif choice == 1:
                s.cases.update(case_id, case=CaseInput(
                    exploitation_types=[rng.choice(["sexual", "forced_labour"])],
                    identification_status=rng.choice(["possible", "actual"]),
                    opened_on=TODAY - dt.timedelta(days=30)),
                    versions=record.row_versions)
            elif choice == 2:
                s.timeline.add(case_id, "exploitation", country=rng.choice(["TH", "MY"]),
                               date_from=f"{rng.randint(2015, 2024)}-05-01")
            else:
                s.consent.set_reporting(case_id, rng.choice(["yes", "no"]))
        shown = s.statistics.produce(YEAR_AGO, TODAY)
        assert shown == _from_rows(org)


def test_facts_lost_outside_the_application_are_written_again(org: Org) -> None:
    ids = [_case(org, i) for i in range(3)]
    db = org.coordinator.ctx.db
    org.coordinator.statistics.produce(YEAR_AGO, TODAY)
    with db.transaction():
        db.execute("DELETE FROM stat_facts WHERE id = :id", {"id": ids[0]})
    org.coordinator.statistics.produce(YEAR_AGO, TODAY)
    assert ids[0] in _stored(org)


def test_a_case_whose_rows_do_not_read_is_left_without_and_the_others_are_written(
        org: Org) -> None:
    good, damaged = _case(org, 1), _case(org, 2)
    db = org.coordinator.ctx.db
    with db.transaction():  # its sealed gender changed outside the application
        db.execute("UPDATE survivors SET gender = 'sf1:' || substr(gender, 5, 20) ||"
                   " 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' WHERE id ="
                   " (SELECT survivor_id FROM cases WHERE id = :id)", {"id": damaged})
    assert case_facts.settle(org.coordinator.ctx) == 1
    assert set(_stored(org)) == {good}


def test_a_removed_case_takes_its_facts_with_it(org: Org) -> None:
    case_id = _case(org, 1)
    db = org.coordinator.ctx.db
    org.coordinator.statistics.produce(YEAR_AGO, TODAY)
    assert db.scalar("SELECT count(*) FROM stat_facts WHERE id = :id", {"id": case_id}) == 1
    with db.transaction():  # what a purge and an erasure remove
        erasure.erase_cases(db, [case_id], erasure.Purged())
    assert db.scalar("SELECT count(*) FROM stat_facts WHERE id = :id", {"id": case_id}) == 0


def test_a_re_key_seals_the_facts_again_and_keeps_them(tmp_path: Path) -> None:
    with organisation(tmp_path) as org:
        org.admin.settings.set("statistics_threshold", 5)
        ids = [_case(org, i) for i in range(3)]
        org.coordinator.statistics.produce(YEAR_AGO, TODAY)
        folder = org.folder
    with signed_in(folder, "coordinator", STAFF_PASS) as coordinator:
        old = {r["id"]: r["facts"] for r in coordinator.ctx.db.all(
            "SELECT id, facts FROM stat_facts")}
        assert set(old) == set(ids)
        report = coordinator.vault_admin.rekey()
        assert "case" in report.content and report.left == 0
        db = coordinator.ctx.db
        cipher = coordinator.ctx.cipher(KeyName.CASE)
        assert cipher is not None
        rows = db.all("SELECT id, facts FROM stat_facts")
        assert {r["id"] for r in rows} == set(ids), "none to write again at the next count"
        for row in rows:
            assert row["facts"] != old[row["id"]]  # sealed again, under the new key
            facts = case_facts.decode(fields.open_sealed(cipher, "stat_facts", row["id"],
                                                         "facts", row["facts"]))
            assert facts is not None and facts.gender == "woman"


def _case_by_case(org: Org, first: dt.date, last: dt.date, site: str | None) -> Statistics:
    """The statistics counted case by case, without the groups' counts."""
    from shelter_app.services import statistics

    original = statistics.People.from_groups
    statistics.People.from_groups = classmethod(  # type: ignore[method-assign, assignment]
        lambda cls, *a, **k: None)
    try:
        return org.coordinator.statistics.produce(first, last, site=site)
    finally:
        statistics.People.from_groups = original  # type: ignore[method-assign]


def test_the_groups_counts_equal_counting_case_by_case(org: Org, monkeypatch) -> None:
    """Cases opened and closed over two years, at two sites or none, edited, moved and
    withdrawn between counts: whole months, cut months and single days give the same
    figures from the groups' counts as case by case, and whole months open no case."""
    from shelter_app.services import statistics

    rng = random.Random(13)
    north = org.admin.sites.add("North").id
    south = org.admin.sites.add("South").id
    ids = []
    for i in range(40):
        opened = TODAY - dt.timedelta(days=rng.randrange(0, 700))
        record = org.coordinator.cases.create(
            SurvivorInput(legal_name=f"Group Person {i}", gender=rng.choice(["woman", "man"]),
                          citizenship=[rng.choice(["VN", "NG"])],
                          birth_date=f"{rng.randint(1970, 2008)}-06-0{rng.randint(1, 9)}"),
            CaseInput(exploitation_types=rng.sample(["sexual", "forced_labour", "other"], 2),
                      opened_on=opened, identification_status=rng.choice(["possible", ""]),
                      assigned_to=org.ids["caseworker"]),
            site_id=rng.choice([north, south, None]))
        org.coordinator.consent.set_reporting(record.id, rng.choice(["yes", "yes", "no"]))
        if rng.random() < 0.5:  # closed on a day of its own, since it was opened
            closed = opened + dt.timedelta(days=rng.randrange(0, (TODAY - opened).days + 1))
            org.coordinator.cases.set_status(record.id, "closed", closure_reason="goals_met")
            ctx = org.coordinator.ctx
            with ctx.db.transaction() as db:
                db.execute("UPDATE cases SET closed_at = :c WHERE id = :id",
                           {"c": f"{closed.isoformat()}T12:00:00Z", "id": record.id})
                row_seals.stamp_case(ctx, db, record.id)
        ids.append(record.id)
    used: list[bool] = []
    real = statistics.People.from_groups.__func__  # type: ignore[attr-defined]

    def spy(cls, *args, **kwargs):  # type: ignore[no-untyped-def]
        made = real(cls, *args, **kwargs)
        used.append(made is not None)
        return made

    monkeypatch.setattr(statistics.People, "from_groups", classmethod(spy))
    month = TODAY.replace(day=1)

    def months_ago(n: int) -> dt.date:
        return dt.date(month.year + (month.month - 1 - n) // 12, (month.month - 1 - n) % 12 + 1, 1)

    periods = [(months_ago(12), month - dt.timedelta(days=1)),
               (months_ago(9), months_ago(3) - dt.timedelta(days=1)),
               (months_ago(4), months_ago(3) - dt.timedelta(days=1)),
               (months_ago(20), months_ago(14) + dt.timedelta(days=9)),
               (YEAR_AGO, TODAY), (TODAY - dt.timedelta(days=40), TODAY - dt.timedelta(days=3)),
               (month, TODAY), (TODAY, TODAY)]
    for round_ in range(4):
        for first, last in periods:
            for site in (None, north, south):
                shown = org.coordinator.statistics.produce(first, last, site=site)
                assert used[-1], (round_, first, last, site)
                monkeypatch.setattr(statistics.People, "from_groups", classmethod(
                    lambda cls, *a, **k: None))
                assert shown == _case_by_case(org, first, last, site), (first, last, site)
                monkeypatch.setattr(statistics.People, "from_groups", classmethod(spy))
        for case_id in rng.sample(ids, 6):  # edits between counts
            choice = rng.randrange(3)
            if choice == 0:
                org.caseworker.sites.move(case_id, rng.choice([north, south, None]))
            elif choice == 1:
                org.coordinator.consent.set_reporting(case_id, rng.choice(["yes", "no"]))
            else:
                record = org.coordinator.cases.get(case_id)
                org.coordinator.cases.update(case_id, survivor=SurvivorInput(
                    legal_name="Group Person", gender=rng.choice(["woman", "man", "unknown"])),
                    versions=record.row_versions)
    groups = org.coordinator.ctx.db.scalar("SELECT count(*) FROM stat_buckets")
    assert 0 < groups < 40
