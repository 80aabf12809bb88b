"""The statistics service on a real vault: who is counted, who may ask, what is audited,
and that every table it publishes passes the independent check."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from shelter_app.domain.records import CaseInput
from shelter_app.domain.statistics import Statistics
from shelter_app.domain.suppression import Mark
from shelter_app.errors import NotFound, PermissionDenied, ValidationError
from tests.records.conftest import Org
from tests.statistics import checker
from tests.statistics.test_suppression import published

TODAY = dt.date.today()
YEAR_AGO = TODAY - dt.timedelta(days=365)


def cases(org: Org, answer: str | None, n: int, **case: object) -> list[str]:
    made = []
    for i in range(n):
        record = org.new_case(f"Stat Person {answer} {i}", share=False, gender="woman",
                              case=CaseInput(**{"exploitation_types": ["sexual"], **case}))  # type: ignore[arg-type]
        if answer is not None:
            org.coordinator.consent.set_reporting(record.id, answer)
        made.append(record.id)
    return made


def all_safe(stats: Statistics) -> None:
    for table in stats.tables:
        found = checker.problems(published(table.counts), table.counts.total, stats.threshold,
                                 true_counts=[c.count for c in table.counts.cells])
        assert found == [], (table.key, found)


def test_only_cases_whose_survivor_agreed_are_counted(org: Org) -> None:
    cases(org, "yes", 7)
    cases(org, "no", 6)
    cases(org, None, 5)
    cases(org, "not_asked", 1)  # an answer taken back
    stats = org.coordinator.statistics.produce(YEAR_AGO, TODAY)
    assert stats.counted_cases == 7
    assert stats.left_out.cell("no").shown == 6
    assert stats.left_out.cell("not_asked").shown == 6
    gender = stats.table("gender").counts
    # 7 women and zeros: withholding 7 would leave the zeros at most 2, so all are hidden
    assert gender.total == 7 and gender.cell("woman").mark is Mark.HIDDEN
    assert stats.table("exploitation").counts.cell("sexual").shown == 7
    # each survivor once (the first citizenship recorded): the table adds up to the counted
    assert stats.table("citizenship").counts.total == 7 == stats.counted_cases
    all_safe(stats)


def test_a_survivor_who_says_no_later_is_no_longer_counted(org: Org) -> None:
    ids = cases(org, "yes", 6)
    org.caseworker.consent.set_reporting(ids[0], "no")
    assert org.coordinator.consent.reporting(ids[0]).answer == "no"
    stats = org.coordinator.statistics.produce(YEAR_AGO, TODAY)
    assert stats.counted_cases == 5
    assert stats.left_out.cell("no").mark is Mark.SUPPRESSED  # one, below the threshold


def test_cases_outside_the_period_and_drafts_are_not_counted(org: Org) -> None:
    cases(org, "yes", 6)
    cases(org, "yes", 5, opened_on=TODAY - dt.timedelta(days=800))
    cases(org, "yes", 2, is_draft=True)
    stats = org.coordinator.statistics.produce(YEAR_AGO, TODAY)
    # the old cases are still open, so they were open in the period too
    assert stats.counted_cases == 11
    new = stats.table("new").counts
    assert (new.cell("new").shown, new.cell("before").shown) == (6, 5)
    before = org.coordinator.statistics.produce(TODAY - dt.timedelta(days=900),
                                                TODAY - dt.timedelta(days=700))
    assert before.counted_cases == 5


def test_small_counts_are_never_published(org: Org) -> None:
    cases(org, "yes", 9)
    cases(org, "yes", 2, recruitment_method="online")
    stats = org.coordinator.statistics.produce(YEAR_AGO, TODAY)
    recruitment = stats.table("recruitment").counts
    assert recruitment.cell("online").mark is Mark.SUPPRESSED
    assert recruitment.cell("not_recorded").mark is Mark.WITHHELD
    for table in stats.tables:
        for cell in table.counts.cells:
            assert cell.shown is None or cell.shown >= 5
    all_safe(stats)


@pytest.mark.parametrize("who", ["caseworker", "legal", "admin"])
def test_only_coordinators_may_produce_statistics(org: Org, who: str) -> None:
    with pytest.raises(PermissionDenied):
        getattr(org, who).statistics.produce(YEAR_AGO, TODAY)


def test_the_threshold_has_a_floor_of_five(org: Org) -> None:
    with pytest.raises(ValidationError, match="Between 5 and 100"):
        org.admin.settings.set("statistics_threshold", 4)


def test_a_period_that_ends_before_it_starts_is_refused(org: Org) -> None:
    with pytest.raises(ValidationError, match="cannot end before"):
        org.coordinator.statistics.produce(TODAY, YEAR_AGO)


def test_producing_statistics_is_audited_with_counts_only(org: Org) -> None:
    cases(org, "yes", 6)
    org.coordinator.statistics.produce(YEAR_AGO, TODAY)
    event = org.audit("data.statistics")[-1]
    assert event["details"] == {"count": 6, "threshold": 5, "format": "dashboard"}
    assert event["actor_id"] == org.ids["coordinator"]


def test_reporting_consent_is_recorded_audited_and_checked(org: Org) -> None:
    case_id = cases(org, None, 1)[0]
    assert org.caseworker.consent.reporting(case_id).answer == "not_asked"
    answer = org.caseworker.consent.set_reporting(case_id, "yes",
                                                  on=TODAY - dt.timedelta(days=2))
    assert (answer.answer, answer.answered_on) == ("yes", TODAY - dt.timedelta(days=2))
    events = len(org.audit("record.updated"))
    again = org.caseworker.consent.set_reporting(case_id, "yes")  # the same answer again
    assert again.answered_on == TODAY - dt.timedelta(days=2)  # its day is kept
    assert len(org.audit("record.updated")) == events
    event = org.audit("record.updated")[-1]
    assert (event["target_type"], event["target_id"], event["details"]) == (
        "reporting_consent", case_id, {"status": "yes"})
    with pytest.raises(ValidationError, match="not a valid choice"):
        org.caseworker.consent.set_reporting(case_id, "maybe")
    with pytest.raises(NotFound):  # not her case: as if there were none
        org.other_caseworker.consent.set_reporting(case_id, "no")
    assert org.caseworker.consent.set_reporting(case_id, "not_asked").answered_on is None
    row = org.coordinator.ctx.db.one("SELECT answer, row_version FROM reporting_consent"
                                     " WHERE case_id = :c", {"c": case_id})
    assert row is not None and (row["answer"], row["row_version"]) == ("not_asked", 2)


def test_the_time_partners_take_to_answer_is_kept(org: Org) -> None:
    case_id = cases(org, "yes", 1)[0]
    partner = org.partner()
    org.coordinator.consent.record(case_id, sections=["identity"], purpose="Care",
                                   given_by="survivor", method="written",
                                   given_on=TODAY - dt.timedelta(days=10), partner_id=partner)
    referral = org.coordinator.referrals.create(case_id, partner)
    org.coordinator.referrals.move(referral.id, "sent", on=TODAY - dt.timedelta(days=4))
    org.coordinator.referrals.move(referral.id, "accepted")
    row = org.coordinator.ctx.db.one("SELECT sent_on, answered_on FROM referrals"
                                     " WHERE id = :id", {"id": referral.id})
    assert row is not None and dt.date.fromisoformat(row["answered_on"]) == TODAY
    stats = org.coordinator.statistics.produce(YEAR_AGO, TODAY)
    assert stats.answer_days is None  # one answer: fewer than the threshold


def test_nothing_published_names_anyone(org: Org) -> None:
    ids = cases(org, "yes", 6)
    stats = org.coordinator.statistics.produce(YEAR_AGO, TODAY)
    text = json.dumps([[t.key, t.title, t.labels, [c.shown for c in t.counts.cells]]
                       for t in stats.tables], ensure_ascii=False)
    assert "Stat Person" not in text and not any(i in text for i in ids)


def test_the_answer_travels_with_an_export_and_an_import(org: Org, tmp_path: Path) -> None:
    import csv

    [case_id] = cases(org, "no", 1)
    path = tmp_path / "cases.csv"
    org.coordinator.exchange.export_cases(path)
    [row] = list(csv.DictReader(path.read_text("utf-8-sig").splitlines()))
    assert row["reporting_consent"] == "no"
    row.update(case_code="", legal_name="Stat Person Imported", reporting_consent="yes")
    again = tmp_path / "again.csv"
    with again.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    assert org.coordinator.exchange.import_file(again).imported == 1
    imported = org.coordinator.ctx.db.scalar(
        "SELECT answer FROM reporting_consent WHERE case_id <> :c", {"c": case_id})
    assert imported == "yes"
    row.update(reporting_consent="perhaps")
    bad = tmp_path / "bad.csv"
    with bad.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    report = org.coordinator.exchange.import_file(bad, dry_run=True)
    assert [(p.row, p.field) for p in report.problems] == [(2, "reporting_consent")]

