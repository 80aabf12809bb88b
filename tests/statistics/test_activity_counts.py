"""The groups' counts of the counted cases' records (stat_activity, schema version 14):
adding them up for whole months gives what reading every record gives, every write to a
record deletes its group's counts, and they are sealed like the rest."""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any

import pytest

from shelter_app.domain.key_classes import KeyName
from shelter_app.domain.records import CaseInput, SurvivorInput
from shelter_app.domain.statistics import Statistics
from shelter_app.errors import VaultDamaged
from shelter_app.services import case_activity, statistics
from shelter_app.vault import fields
from tests.records.conftest import Org

TODAY = dt.date.today()
MONTH = TODAY.replace(day=1)
SERVICES = ("safe_shelter", "legal_aid", "interpreting", "education")


def months_ago(n: int) -> dt.date:
    return dt.date(MONTH.year + (MONTH.month - 1 - n) // 12, (MONTH.month - 1 - n) % 12 + 1, 1)


def _day(rng: random.Random, since: dt.date, ahead: int = 40) -> dt.date:
    return since + dt.timedelta(days=rng.randrange(0, (TODAY - since).days + ahead))


def _records(org: Org, rng: random.Random, case_id: str, opened: dt.date, partner: str
             ) -> None:
    """Services, referrals, appointments, legal matters and deadlines, and proceedings of
    one case, dated anywhere from its opening to a month ahead."""
    c = org.coordinator
    db = c.ctx.db
    for _i in range(rng.randrange(0, 7)):
        kind = rng.choice(["internal", "partner"])
        c.care.record(case_id, rng.choice(SERVICES), provided_on=_day(rng, opened, 1),
                      provider_kind=kind, partner_id=partner if kind == "partner" else None)
    for _i in range(rng.randrange(0, 3)):
        referral = c.referrals.create(case_id, partner)
        if rng.random() < 0.7:  # sent (and answered) on days of their own
            sent = _day(rng, opened)
            answered = rng.random() < 0.6
            with db.transaction():
                db.execute("UPDATE referrals SET status = :s, sent_on = :d, answered_on = :a"
                           " WHERE id = :id",
                           {"s": rng.choice(["accepted", "declined"]) if answered else "sent",
                            "d": sent.isoformat(), "id": referral.id,
                            "a": (sent + dt.timedelta(days=rng.randrange(0, 50))).isoformat()
                            if answered else None})
    for _i in range(rng.randrange(0, 3)):
        at = dt.datetime.combine(_day(rng, opened), dt.time(9 + rng.randrange(8)))
        kind = rng.choice(["medical", "legal_consultation", "other"])
        booked = c.appointments.schedule(case_id, kind, at, at + dt.timedelta(minutes=30),
                                         allow_conflicts=True)
        if rng.random() < 0.6:
            c.appointments.set_status(booked.id, rng.choice(["attended", "no_show"]))
    for _i in range(rng.randrange(0, 2)):
        matter = c.legal.create(case_id, rng.choice(["residence_permit", "nrm", "asylum"]),
                                dates={"filing_due": _day(rng, opened)})
        with db.transaction():
            db.execute("UPDATE legal_matters SET created_at = :c WHERE id = :id",
                       {"c": f"{_day(rng, opened).isoformat()}T10:00:00Z", "id": matter})
    if rng.random() < 0.5:  # a deadline met
        with db.transaction():
            db.execute("UPDATE deadlines SET done = 1 WHERE id = (SELECT id FROM deadlines"
                       " WHERE case_id = :c AND done = 0 LIMIT 1)", {"c": case_id})
    if rng.random() < 0.3:
        made = c.proceedings.open(case_id, authority_kind="police", role="witness",
                                  stage=rng.choice(["report", "investigation", "trial"]),
                                  survivor_told=rng.random() < 0.5)
        with db.transaction():
            db.execute("UPDATE proceedings SET created_at = :c WHERE id = :id",
                       {"c": f"{_day(rng, opened).isoformat()}T10:00:00Z", "id": made.id})


def _from_records(org: Org, first: dt.date, last: dt.date, site: str | None) -> Statistics:
    """The statistics with every record read one by one (no groups' counts of them)."""
    original = statistics.read_counts
    statistics.read_counts = lambda *_a, **_k: None  # type: ignore[assignment]
    try:
        return org.coordinator.statistics.produce(first, last, site=site)
    finally:
        statistics.read_counts = original


@pytest.fixture
def busy(org: Org) -> tuple[Org, list[str], list[str | None], random.Random]:
    """Forty cases over two years at two sites or none, with their records."""
    rng = random.Random(29)
    sites: list[str | None] = [org.admin.sites.add("North").id, org.admin.sites.add("South").id,
                               None]
    partner = org.partner()
    ids = []
    for i in range(40):
        opened = TODAY - dt.timedelta(days=rng.randrange(0, 700))
        record = org.coordinator.cases.create(
            SurvivorInput(legal_name=f"Busy Person {i}", gender=rng.choice(["woman", "man"])),
            CaseInput(exploitation_types=["forced_labour"], opened_on=opened,
                      assigned_to=org.ids["caseworker"]),
            site_id=rng.choice(sites))
        org.coordinator.consent.set_reporting(record.id, rng.choice(["yes", "yes", "yes", "no"]))
        _records(org, rng, record.id, opened, partner)
        ids.append(record.id)
    db = org.coordinator.ctx.db
    with db.transaction():  # an answer's date typed wrong outside the application: not counted
        db.execute("UPDATE referrals SET answered_on = '2026-1-5' WHERE id = (SELECT id"
                   " FROM referrals WHERE answered_on IS NOT NULL LIMIT 1)")
    return org, ids, sites, rng


def test_whole_months_added_up_equal_every_record_read(busy: Any, monkeypatch) -> None:
    """Periods of whole months, for all sites and each, through rounds of new, changed and
    removed records, moved cases and withdrawn consent: the groups' counts and the
    records read one by one give the same figures, and the groups are what was used."""
    org, ids, sites, rng = busy
    used: list[bool] = []
    real = case_activity.add_up

    def spy(*args: Any, **kwargs: Any) -> case_activity.Activity:
        used.append(True)
        return real(*args, **kwargs)

    monkeypatch.setattr(statistics, "add_up", spy)
    after = (MONTH + dt.timedelta(days=32)).replace(day=1)
    periods = [(months_ago(11), after - dt.timedelta(days=1)),  # the dashboard's default
               (months_ago(12), MONTH - dt.timedelta(days=1)),
               (months_ago(23), months_ago(12) - dt.timedelta(days=1)),
               (months_ago(3), months_ago(2) - dt.timedelta(days=1)),
               (months_ago(30), after - dt.timedelta(days=1))]
    c = org.coordinator
    for round_ in range(3):
        for first, last in periods:
            for site in sites:
                used.clear()
                shown = c.statistics.produce(first, last, site=site)
                # every count added up from the groups: all sites' and, for one site, each
                # site's too (one site's figures are protected with theirs)
                assert len(used) == (1 if site is None else 3), (round_, first, site)
                assert shown == _from_records(org, first, last, site), (round_, first, site)
        # between counts: records added, changed and removed, cases moved and withdrawn
        partner = org.partner(f"Partner {round_}")
        for case_id in rng.sample(ids, 8):
            _records(org, rng, case_id, months_ago(20), partner)
        for entry in rng.sample(c.ctx.db.column("SELECT id FROM service_entries"), 5):
            with c.ctx.db.transaction():
                c.ctx.db.execute("UPDATE service_entries SET provided_on = :d WHERE id = :id",
                                 {"d": _day(rng, months_ago(24)).isoformat(), "id": entry})
        for table in ("service_entries", "appointments", "deadlines"):
            gone = rng.choice(c.ctx.db.column(f"SELECT id FROM {table}"))  # noqa: S608
            with c.ctx.db.transaction():
                c.ctx.db.execute(f"DELETE FROM {table} WHERE id = :id", {"id": gone})  # noqa: S608
        for case_id in rng.sample(ids, 3):
            c.sites.move(case_id, rng.choice(sites))
        c.consent.set_reporting(rng.choice(ids), rng.choice(["yes", "no"]))
    # periods that cut a month are read record by record, and agree too
    used.clear()
    cut = (TODAY - dt.timedelta(days=364), TODAY)
    assert c.statistics.produce(*cut) == _from_records(org, *cut, None)
    assert used == []


def _rows(org: Org) -> dict[str, tuple[str, str]]:
    return {r["id"]: (r["tally"], r["legal"])
            for r in org.coordinator.ctx.db.all("SELECT id, tally, legal FROM stat_activity")}


@pytest.mark.parametrize("table", ["service_entries", "referrals", "appointments",
                                   "legal_matters", "deadlines", "proceedings"])
def test_every_write_to_a_record_deletes_its_groups_counts(busy: Any, table: str) -> None:
    org, _ids, _sites, _rng = busy
    c = org.coordinator
    db = c.ctx.db
    c.statistics.produce(months_ago(11), TODAY)
    groups = _rows(org)
    assert groups
    row = db.one(f"SELECT x.id, x.case_id, f.bucket FROM {table} x JOIN stat_facts f"  # noqa: S608
                 " ON f.id = x.case_id LIMIT 1")
    assert row is not None and row["bucket"] in groups
    column = {"service_entries": "provided_on", "referrals": "status",
              "appointments": "status", "legal_matters": "status", "deadlines": "done",
              "proceedings": "details"}[table]
    value = db.scalar(f"SELECT {column} FROM {table} WHERE id = :id", {"id": row["id"]})  # noqa: S608
    everything = db.one(f"SELECT * FROM {table} WHERE id = :id", {"id": row["id"]})  # noqa: S608
    assert everything is not None
    names = list(everything.keys())
    # a change of a counted column, a removal and an addition: each deletes the group's row
    for statement, params in (
            (f"UPDATE {table} SET {column} = :v WHERE id = :id", {"v": value, "id": row["id"]}),  # noqa: S608
            (f"DELETE FROM {table} WHERE id = :id", {"id": row["id"]}),  # noqa: S608
            (f"INSERT INTO {table} ({', '.join(names)}) VALUES"  # noqa: S608
             f" ({', '.join(':' + k for k in names)})", dict(everything))):
        c.statistics.produce(months_ago(11), TODAY)
        assert row["bucket"] in _rows(org)
        with db.transaction():
            db.execute(statement, params)
        after = _rows(org)
        assert row["bucket"] not in after, statement
        assert set(after) == set(groups) - {row["bucket"]}


def test_a_change_of_a_groups_cases_deletes_its_counts(busy: Any) -> None:
    org, ids, sites, _rng = busy
    c = org.coordinator
    c.statistics.produce(months_ago(11), TODAY)
    case_id = next(i for i in ids if c.ctx.db.scalar(
        "SELECT 1 FROM stat_facts WHERE id = :id", {"id": i}))
    group = c.ctx.db.scalar("SELECT bucket FROM stat_facts WHERE id = :id", {"id": case_id})
    assert group in _rows(org)
    c.sites.move(case_id, next(s for s in sites if s is None or s not in group))
    assert group not in _rows(org)


def test_the_counts_are_sealed_under_the_case_and_legal_keys_bound_to_their_group(
        busy: Any) -> None:
    org, _ids, _sites, _rng = busy
    ctx = org.coordinator.ctx
    org.coordinator.statistics.produce(months_ago(11), TODAY)
    rows = _rows(org)
    case_key, legal_key = ctx.cipher(KeyName.CASE), ctx.cipher(KeyName.LEGAL)
    assert case_key is not None and legal_key is not None
    (group, (tally, legal)), (other, _o) = list(rows.items())[:2]
    assert fields.is_sealed(tally) and fields.is_sealed(legal)
    opened = json.loads(fields.open_sealed(case_key, "stat_activity", group, "tally", tally))
    assert set(opened) == {"v", "s", "p", "r", "a", "lt", "ls", "d", "w"}
    assert set(json.loads(fields.open_sealed(legal_key, "stat_activity", group, "legal",
                                             legal))) == {"v", "g", "i"}
    for key, name, column, value in ((case_key, other, "tally", tally),
                                     (legal_key, group, "tally", legal),
                                     (case_key, group, "legal", legal)):
        with pytest.raises(fields.FieldDamaged):
            fields.open_sealed(key, "stat_activity", name, column, value)


def test_counts_that_do_not_open_are_read_from_the_records(busy: Any) -> None:
    org, _ids, _sites, _rng = busy
    c = org.coordinator
    period = (months_ago(11), (MONTH + dt.timedelta(days=32)).replace(day=1)
              - dt.timedelta(days=1))
    right = c.statistics.produce(*period)
    db = c.ctx.db
    group = db.scalar("SELECT id FROM stat_activity ORDER BY id LIMIT 1")
    with db.transaction():  # another group's value in its place: bound to its id, refused
        db.execute("UPDATE stat_activity SET tally = (SELECT tally FROM stat_activity"
                   " WHERE id <> :g LIMIT 1) WHERE id = :g", {"g": group})
    assert c.statistics.produce(*period) == right


def test_a_group_whose_records_do_not_read_is_left_without_and_the_others_kept(
        busy: Any) -> None:
    """A proceeding's sealed value replaced by another's (bound to its own row, so it no
    longer opens): its group is counted from its records, every other group's counts are
    kept."""
    org, _ids, _sites, _rng = busy
    c = org.coordinator
    db = c.ctx.db
    period = (months_ago(30), (MONTH + dt.timedelta(days=32)).replace(day=1)
              - dt.timedelta(days=1))
    c.statistics.produce(*period)  # every group's counts kept
    with db.transaction():
        db.execute("DELETE FROM stat_activity")
        row = db.one("SELECT p.id, f.bucket FROM proceedings p JOIN stat_facts f"
                     " ON f.id = p.case_id LIMIT 1")
        assert row is not None
        db.execute("UPDATE proceedings SET details = (SELECT details FROM proceedings"
                   " WHERE id <> :id LIMIT 1) WHERE id = :id", {"id": row["id"]})
    groups = db.scalar("SELECT count(*) FROM stat_buckets")
    with pytest.raises(VaultDamaged):  # a count that needs it fails, saying so
        c.statistics.produce(*period)
    kept = set(db.column("SELECT id FROM stat_activity"))
    assert row["bucket"] not in kept and len(kept) == groups - 1
