"""What the statistics and the anonymised exports know of one counted case: its codes and
dates, opened from the sealed columns once, and never a name, a text or an id that leaves
this process.

The cases are those in the temporary table ``temp.stat_counted`` (filled by the caller
inside one read transaction).  Sealed values are opened as everywhere, through the
session (``ServiceContext.unseal``); an age no one can have (a date typed wrong) reads as
not known.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import sqlcipher3.dbapi2 as sqlcipher

from shelter_app.domain.key_classes import KeyName
from shelter_app.domain.records import age_on
from shelter_app.services.context import ServiceContext, keys_not_given


@dataclass(frozen=True, slots=True)
class Facts:
    opened: dt.date
    closed: str | None  # ISO date
    identification: str  # "" when not recorded
    identified_by: str
    exploitation: tuple[str, ...]
    means: tuple[str, ...]
    recruitment: str
    recruiter: str
    gender: str
    citizenship: tuple[str, ...]
    countries: tuple[str, ...]  # of exploitation, from the timeline
    birth: dt.date | None
    estimated_age: int | None
    exploited_on: dt.date | None  # the first day of exploitation the timeline records


def _plausible(age: int | None) -> int | None:
    """*age*, or None when it cannot be one (a typing error in a date: not known)."""
    return age if age is not None and 0 <= age <= 130 else None


def age_at_intake(facts: Facts) -> int | None:
    return _plausible(age_on(facts.birth, facts.opened) if facts.birth
                      else facts.estimated_age)


def age_when_exploited(facts: Facts) -> int | None:
    began = facts.exploited_on
    if began is None:
        return None
    if facts.birth is not None:
        return _plausible(age_on(facts.birth, began))
    if facts.estimated_age is not None:
        return _plausible(facts.estimated_age - (facts.opened.year - began.year))
    return None


@contextmanager
def counting(ctx: ServiceContext, fill: Callable[[sqlcipher.Connection], object]
             ) -> Iterator[None]:
    """A read snapshot in which ``temp.stat_counted`` holds the cases *fill* puts there (an
    INSERT into it).  The snapshot is a transaction that only reads; it is rolled back when
    the block ends, whatever happens, and the temporary table's rows (in memory) go with
    it.  Other threads of the session wait meanwhile (``Database.held``)."""
    with ctx.db.held() as conn:
        if conn.in_transaction:
            raise RuntimeError("statistics are counted outside any other transaction")
        conn.execute("BEGIN")
        try:
            conn.execute("CREATE TEMP TABLE IF NOT EXISTS stat_counted"
                         " (id TEXT PRIMARY KEY) WITHOUT ROWID")
            fill(conn)
            yield
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")


def _codes(text: str) -> tuple[str, ...]:
    return tuple(json.loads(text)) if text else ()


def read_facts(ctx: ServiceContext) -> list[Facts]:
    """The facts of every case in ``temp.stat_counted``."""
    return list(facts_by_case(ctx).values())


def facts_by_case(ctx: ServiceContext) -> dict[str, Facts]:
    """The facts of every case in ``temp.stat_counted``, by case id (kept in memory, for
    the caller's own use: never published)."""
    if not ctx.vault.keyring.holds(KeyName.CASE):
        raise keys_not_given(reading=True)

    def case(row_id: str, column: str, value: str | None) -> str:
        return ctx.unseal(KeyName.CASE, "cases", row_id, column, value or "") or ""

    def survivor(row_id: str, column: str, value: str | None) -> str:
        return ctx.unseal(KeyName.CASE, "survivors", row_id, column, value or "") or ""
    db = ctx.db
    began: dict[str, str] = {}
    countries: dict[str, list[str]] = {}
    for row in db.all("SELECT t.case_id, t.date_from, t.country FROM timeline_events t"
                      " WHERE t.stage = 'exploitation' AND t.case_id IN temp.stat_counted"
                      " ORDER BY t.case_id, t.date_from"):
        if row["date_from"] and row["case_id"] not in began:
            began[row["case_id"]] = row["date_from"]
        if row["country"]:
            found = countries.setdefault(row["case_id"], [])
            if row["country"] not in found:
                found.append(row["country"])
    out: dict[str, Facts] = {}
    for row in db.all(
            "SELECT c.id, c.opened_on, c.closed_at, c.identification_status,"
            " c.identified_by, c.exploitation_types, c.means_of_control,"
            " c.recruitment_method, c.recruiter_relationship,"
            " s.id AS survivor_id, s.birth_date, s.estimated_age, s.gender, s.citizenship"
            " FROM temp.stat_counted k CROSS JOIN cases c ON c.id = k.id"
            " JOIN survivors s ON s.id = c.survivor_id"):
        cid, sid = row["id"], row["survivor_id"]
        birth = survivor(sid, "birth_date", row["birth_date"])
        exploited = began.get(cid)
        out[cid] = Facts(
            opened=dt.date.fromisoformat(row["opened_on"]),
            closed=row["closed_at"][:10] if row["closed_at"] else None,
            identification=row["identification_status"] or "",
            identified_by=case(cid, "identified_by", row["identified_by"]),
            exploitation=_codes(case(cid, "exploitation_types", row["exploitation_types"])),
            means=_codes(case(cid, "means_of_control", row["means_of_control"])),
            recruitment=case(cid, "recruitment_method", row["recruitment_method"]),
            recruiter=case(cid, "recruiter_relationship", row["recruiter_relationship"]),
            gender=survivor(sid, "gender", row["gender"]) or "unknown",
            citizenship=_codes(survivor(sid, "citizenship", row["citizenship"])),
            countries=tuple(countries.get(cid, ())),
            birth=dt.date.fromisoformat(birth) if birth else None,
            estimated_age=row["estimated_age"],
            exploited_on=dt.date.fromisoformat(exploited) if exploited else None)
    return out
