"""What the statistics and the anonymised exports know of one counted case: its codes and
dates, opened from the sealed columns once, and never a name, a text or an id that leaves
this process.

The cases are those in the temporary table ``temp.stat_counted`` (filled by the caller
inside one read transaction).  Sealed values are opened here with the session's case key
directly (``vault/fields.py``'s format), as thousands of rows are read at once.
"""

from __future__ import annotations

import binascii
import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import sqlcipher3.dbapi2 as sqlcipher
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shelter_app.domain.key_classes import KeyName
from shelter_app.errors import VaultDamaged
from shelter_app.i18n import _
from shelter_app.services.context import ServiceContext, keys_not_given
from shelter_app.vault import fields


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


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def age_at_intake(facts: Facts) -> int | None:
    return age_on(facts.birth, facts.opened) if facts.birth else facts.estimated_age


def age_when_exploited(facts: Facts) -> int | None:
    began = facts.exploited_on
    if began is None:
        return None
    if facts.birth is not None:
        return age_on(facts.birth, began)
    if facts.estimated_age is not None:
        return facts.estimated_age - (facts.opened.year - began.year)
    return None


class _Opener:
    """Opens sealed values of one table under the case key."""

    def __init__(self, cipher: AESGCM, table: str) -> None:
        self._decrypt = cipher.decrypt
        self._head = b"\0".join((fields.LABEL, table.encode())) + b"\0"

    def __call__(self, row_id: str, column: str, value: str | None) -> str:
        if not value:
            return ""
        if not value.startswith(fields.PREFIX):
            return value  # written before its class was sealed
        try:
            raw = binascii.a2b_base64(value[4:], strict_mode=True)
            return self._decrypt(raw[:12], raw[12:], self._head + row_id.encode() + b"\0"
                                 + column.encode()).decode("utf-8")
        except (binascii.Error, InvalidTag, UnicodeDecodeError, ValueError) as exc:
            raise VaultDamaged(_(
                "A sealed field of this record does not open: the database was edited "
                "outside the application. Ask your administrator to run the vault check and "
                "restore the newest backup.")) from exc


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
    case_key = ctx.vault.keyring.key(KeyName.CASE)
    if case_key is None:
        raise keys_not_given(reading=True)
    cipher = AESGCM(case_key)
    case, survivor = _Opener(cipher, "cases"), _Opener(cipher, "survivors")
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
