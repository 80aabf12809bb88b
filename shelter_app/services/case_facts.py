"""What the statistics and the anonymised exports know of one counted case: its codes and
dates, opened from the sealed columns once, and never a name, a text or an id that leaves
this process.

The cases are those in the temporary table ``temp.stat_counted`` (filled by the caller
inside one read transaction).  Each counted case's facts are also kept together in one
value sealed under the case key (``stat_facts``, schema version 12), so that counting a
year of a large vault opens one value a case rather than a dozen.  That value is a copy:
triggers delete it in the same transaction as any write it comes from, a case without one
is read from its own rows, and ``settle`` writes the missing ones before each count.  The
facts are grouped by site and by the months a case was opened and closed (``bucket``), and
each group's counts are kept sealed as well (``stat_buckets``, schema version 13), so that
a count of whole months adds a few hundred groups.  An age no one can have (a date typed
wrong) reads as not known.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NamedTuple, TypeVar

import sqlcipher3.dbapi2 as sqlcipher

from shelter_app.domain.key_classes import KeyName
from shelter_app.domain.records import age_on
from shelter_app.errors import EnvironmentFailure, PermissionDenied, VaultDamaged
from shelter_app.i18n import N_
from shelter_app.services.context import ServiceContext, keys_not_given
from shelter_app.store.db import Database
from shelter_app.vault import fields

log = logging.getLogger(__name__)


class Facts(NamedTuple):
    """One case's counted facts (a named tuple: tens of thousands are made at a time)."""

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


_paused = 0  # the counts running with the collector paused by this module
_pause_lock = threading.Lock()


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Python's cycle collector paused while a count makes and drops hundreds of thousands
    of small objects, none of them in a cycle (reference counting frees them): its passes
    over every live object took a quarter of the anonymised table's time on a large vault.
    Process-wide, so counted: it runs again when the last count that paused it ends, and
    is left alone if something else had turned it off."""
    global _paused
    with _pause_lock:
        mine = _paused > 0 or gc.isenabled()
        if mine:
            _paused += 1
            gc.disable()
    try:
        yield
    finally:
        if mine:
            with _pause_lock:
                _paused -= 1
                if _paused == 0:
                    gc.enable()


@contextmanager
def counting(ctx: ServiceContext, fill: Callable[[sqlcipher.Connection], object], *,
             activity: bool = False) -> Iterator[sqlcipher.Connection]:
    """A read snapshot in which ``temp.stat_counted`` holds the cases *fill* puts there (an
    INSERT into it).  The snapshot is a transaction that only reads; it is rolled back when
    the block ends, whatever happens, and the temporary table's rows (in memory) go with
    it.  Other threads of the session wait meanwhile (``Database.held``).  The stored facts
    of cases changed since they were last counted are written again first (``settle``),
    and with *activity* the groups' counts of their records (``case_activity``)."""
    settle(ctx)
    if activity and _has_table(ctx.db, "stat_activity"):
        from shelter_app.services.case_activity import settle_activity

        settle_activity(ctx)
    with ctx.db.held() as conn:
        if conn.in_transaction:
            raise RuntimeError("statistics are counted outside any other transaction")
        conn.execute("BEGIN")
        try:
            conn.execute("CREATE TEMP TABLE IF NOT EXISTS stat_counted"
                         " (id TEXT PRIMARY KEY) WITHOUT ROWID")
            fill(conn)
            yield conn
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")


def _codes(text: str) -> tuple[str, ...]:
    return tuple(json.loads(text)) if text else ()


def read_facts(ctx: ServiceContext) -> list[Facts]:
    """The facts of every case in ``temp.stat_counted``."""
    return list(facts_by_case(ctx).values())


# -- the stored facts (stat_facts, schema version 12) ------------------------------------
TABLE, COLUMN = "stat_facts", "facts"
FORMAT = 1  # the first item of the stored list; another is read from the case's rows
_SETTLE_CHUNK = 2_000


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def encode(facts: Facts) -> str:
    """*facts* as the text stat_facts seals: a JSON list (docs/VAULT_FORMAT.md, section 7,
    "statistics' stored facts")."""
    return json.dumps([
        FORMAT, facts.opened.isoformat(), facts.closed, facts.identification,
        facts.identified_by, list(facts.exploitation), list(facts.means), facts.recruitment,
        facts.recruiter, facts.gender, list(facts.citizenship), list(facts.countries),
        facts.birth.isoformat() if facts.birth else None, facts.estimated_age,
        facts.exploited_on.isoformat() if facts.exploited_on else None],
        ensure_ascii=False, separators=(",", ":"))


def decode(text: str) -> Facts | None:
    """The facts of an ``encode``d text; None when it is of another format."""
    items = json.loads(text)
    if not isinstance(items, list) or len(items) != 15 or items[0] != FORMAT:
        return None
    (_f, opened, closed, identification, identified_by, exploitation, means, recruitment,
     recruiter, gender, citizenship, countries, birth, estimated_age, exploited_on) = items
    return Facts(dt.date.fromisoformat(opened), closed, identification, identified_by,
                 tuple(exploitation), tuple(means), recruitment, recruiter, gender,
                 tuple(citizenship), tuple(countries), _date(birth), estimated_age,
                 _date(exploited_on))


def facts_by_case(ctx: ServiceContext) -> dict[str, Facts]:
    """The facts of every case in ``temp.stat_counted``, by case id (kept in memory, for
    the caller's own use: never published).  Stored facts are used where there are some
    that open; any other case is read from its rows."""
    cipher = ctx.cipher(KeyName.CASE)
    if cipher is None:
        raise keys_not_given(reading=True)
    out: dict[str, Facts] = {}
    unread: list[str] = []
    for case_id, stored in ctx.db.raw.execute(
            "SELECT k.id, f.facts FROM temp.stat_counted k"
            " LEFT JOIN stat_facts f ON f.id = k.id"):
        facts = _opened(cipher, case_id, stored) if stored else None
        if facts is None:
            unread.append(case_id)
        else:
            out[case_id] = facts
    if unread:
        out.update(_from_rows(ctx, unread))
    return out


def stored_facts(ctx: ServiceContext, last: str) -> list[Facts] | None:
    """The stored facts of every case opened on or before *last* (an ISO date), read in
    one pass over stat_facts; None when one of them does not open."""
    cipher = ctx.cipher(KeyName.CASE)
    if cipher is None:
        raise keys_not_given(reading=True)
    out = []
    end = dt.date.fromisoformat(last)
    for case_id, stored in ctx.db.raw.execute("SELECT id, facts FROM stat_facts"):
        facts = _opened(cipher, case_id, stored)
        if facts is None:
            return None
        if facts.opened <= end:
            out.append(facts)
    return out


def _opened(cipher: fields.Key, case_id: str, stored: str) -> Facts | None:
    """Stored facts, or None when they do not open (edited outside the application: the
    case's own rows are read instead)."""
    try:
        return decode(fields.open_sealed(cipher, TABLE, case_id, COLUMN, stored))
    except (fields.FieldDamaged, ValueError, TypeError):
        return None


# The cases that may be counted (not drafts, their survivor agreed), through the index that
# holds the columns needed, ``c`` the case: a count adds its period to it.  The stored facts
# are never of other cases.
COUNTED = ("SELECT c.id FROM cases c INDEXED BY cases_period CROSS JOIN reporting_consent rc"
            " ON rc.case_id = c.id WHERE rc.answer = 'yes' AND c.is_draft = 0")
_WITHOUT = " AND NOT EXISTS (SELECT 1 FROM stat_facts f WHERE f.id = c.id)"


def settle(ctx: ServiceContext) -> int:
    """Write the facts of the counted cases that have none (new, changed since, or never
    written), a few thousand a transaction; returns how many were written.  Nothing on a
    read-only vault, nor without the case key.  A case whose rows do not read (a damaged
    field) is left without, and read from its rows, so it fails only a count that needs it;
    a failure to write (a full disk) leaves the others so too."""
    if ctx.vault.read_only or not ctx.vault.keyring.holds(KeyName.CASE):
        return 0
    db = ctx.db
    written = 0
    try:
        if db.scalar(f"SELECT count(*) FROM ({COUNTED})") <= db.scalar(  # noqa: S608
                "SELECT count(*) FROM stat_facts"):
            if _has_buckets(db):
                settle_buckets(ctx)
            return 0
        missing = db.column(COUNTED + _WITHOUT)
        for start in range(0, len(missing), _SETTLE_CHUNK):
            chunk = missing[start:start + _SETTLE_CHUNK]
            with db.transaction():
                # still counted and still without facts, in this transaction
                ids = db.column(COUNTED + " AND c.id IN (SELECT value FROM json_each(:ids))"  # noqa: S608
                                + _WITHOUT, {"ids": json.dumps(chunk)})
                sites = _sites(db, ids)
                stale: set[str] = set()
                for case_id, facts in _readable(ctx, ids).items():
                    group = bucket(sites.get(case_id), facts)
                    db.execute("INSERT INTO stat_facts (id, facts, bucket) VALUES (:id, :f, :b)",
                               {"id": case_id, "f": ctx.seal(KeyName.CASE, TABLE, case_id,
                                                             COLUMN, encode(facts)),
                                "b": group})
                    stale.add(group)
                    written += 1
                db.execute("DELETE FROM stat_buckets WHERE id IN"
                           " (SELECT value FROM json_each(:b))", {"b": json.dumps(sorted(stale))})
        if _has_buckets(db):
            settle_buckets(ctx)
    except (EnvironmentFailure, PermissionDenied) as exc:
        log.warning("the statistics' stored facts were not all written (%s); the cases"
                    " without are read from their rows", type(exc).__name__)
    return written


# -- the groups' counts (stat_buckets, schema version 13) ----------------------------------
OPEN_MONTH = "9999-99"  # the closing month of a case still open
BUCKETS = "stat_buckets"
# The survivor tables whose figures do not depend on the period counted (the others, opened
# in the period or before it and closed in it or not, follow from the group's months).
STEADY = ("identification", "identified_by", "exploitation", "means", "recruitment",
          "recruiter", "gender", "citizenship", "exploitation_country", "age", "exploited_age")
_BUCKET_CHUNK = 200


def bucket(site: str | None, facts: Facts) -> str:
    """The group of a case: its site (or none), the month it was opened and the month it
    was closed (OPEN_MONTH while open), as ``stat_facts.bucket`` holds it."""
    return f"{site or ''}|{facts.opened.isoformat()[:7]}|{(facts.closed or OPEN_MONTH)[:7]}"


def _sites(db: Database, ids: list[str]) -> dict[str, str]:
    return {r[0]: r[1] for r in db.all(
        "SELECT case_id, site_id FROM case_sites WHERE case_id IN"
        " (SELECT value FROM json_each(:ids))", {"ids": json.dumps(ids)})}


def _has_buckets(db: Database) -> bool:
    return _has_table(db, "stat_buckets")


def _has_table(db: Database, name: str) -> bool:
    """Whether the vault's schema has table *name* (one opened by a test at an earlier
    schema version may not)."""
    found = db.schema_cache.get(name)
    if found is None:
        found = bool(db.scalar("SELECT 1 FROM sqlite_master WHERE name = :n", {"n": name}))
        db.schema_cache[name] = found
    return bool(found)


NOT_RECORDED = "not_recorded"
# Age bands: (code, label, lowest age, highest age)
AGE_BANDS = (("0-17", N_("Under 18"), 0, 17), ("18-24", N_("18 to 24"), 18, 24),
             ("25-34", N_("25 to 34"), 25, 34), ("35-44", N_("35 to 44"), 35, 44),
             ("45-59", N_("45 to 59"), 45, 59), ("60+", N_("60 or over"), 60, 200))
EXPLOITED_AGE = (("minor", N_("Under 18")), ("adult", N_("18 or over")))
# The survivor tables, in the order ``case_codes`` gives a case's codes; a case counts under
# each of its codes in the MULTI ones (a table without a total), under one in the others.
PEOPLE_KEYS = ("new", "closed", *STEADY)
MULTI = frozenset({"exploitation", "means"})
Codes = tuple[str | tuple[str, ...], ...]


def age_band(age: int | None) -> str:
    if age is None:
        return NOT_RECORDED
    return next(code for code, _label, low, high in AGE_BANDS if low <= age <= high)


def steady_codes(one: Facts) -> Codes:
    """Where a case is counted in each STEADY table."""
    when = age_when_exploited(one)
    return (
        one.identification or NOT_RECORDED, one.identified_by or NOT_RECORDED,
        one.exploitation, one.means,
        one.recruitment or NOT_RECORDED, one.recruiter or NOT_RECORDED, one.gender,
        # the first recorded, so that each survivor is counted once and the table adds up
        # (and is protected as a table that adds up)
        one.citizenship[0] if one.citizenship else NOT_RECORDED,
        one.countries[0] if one.countries else NOT_RECORDED,
        age_band(age_at_intake(one)),
        NOT_RECORDED if when is None else "minor" if when < 18 else "adult")


def case_codes(one: Facts, first: dt.date, last_day: str) -> Codes:
    """Where one counted case is counted in each survivor table (PEOPLE_KEYS' order), for
    the period from *first* to *last_day* (an ISO date)."""
    return ("new" if one.opened >= first else "before",
            "closed" if one.closed and one.closed <= last_day else "open", *steady_codes(one))


def tally_of(facts: list[Facts]) -> dict[str, object]:
    """The counts of a group: how many cases, and each STEADY table's counts of them."""
    counts: dict[str, int] = {}
    for one in facts:
        for key, code in zip(STEADY, steady_codes(one), strict=True):
            for each in (code if isinstance(code, tuple) else (code,)):
                name = f"{key}\x1f{each}"
                counts[name] = counts.get(name, 0) + 1
    return {"n": len(facts), "c": counts}


def settle_buckets(ctx: ServiceContext) -> int:
    """Write the counts of the groups that have facts and no counts (in transactions of a
    few hundred groups); returns how many were written.  A group whose facts do not all
    open is left without: a count of it reads its cases one by one."""
    db = ctx.db
    cipher = ctx.cipher(KeyName.CASE)
    if cipher is None:
        return 0
    # the groups first, then those without counts: a probe a case into stat_buckets, whose
    # rows are large, would read it whole a few hundred times over
    have = set(db.column("SELECT id FROM stat_buckets"))
    missing = [group for group in db.column("SELECT DISTINCT bucket FROM stat_facts"
                                            " INDEXED BY stat_facts_bucket")
               if group not in have]
    written = 0
    for start in range(0, len(missing), _BUCKET_CHUNK):
        chunk = missing[start:start + _BUCKET_CHUNK]
        with db.transaction():
            members: dict[str, list[Facts | None]] = {}
            for group, case_id, stored in db.all(
                    "SELECT bucket, id, facts FROM stat_facts WHERE bucket IN"
                    " (SELECT value FROM json_each(:b))"
                    " AND bucket NOT IN (SELECT id FROM stat_buckets)",
                    {"b": json.dumps(chunk)}):
                members.setdefault(group, []).append(_opened(cipher, case_id, stored))
            for group, facts in members.items():
                if any(one is None for one in facts):
                    continue
                text = json.dumps(tally_of([one for one in facts if one is not None]),
                                  separators=(",", ":"), ensure_ascii=False)
                db.execute("INSERT INTO stat_buckets (id, tally) VALUES (:id, :t)",
                           {"id": group, "t": ctx.seal(KeyName.CASE, BUCKETS, group,
                                                       "tally", text)})
                written += 1
    return written


def read_buckets(ctx: ServiceContext) -> dict[str, dict[str, object] | None]:
    """Every group's counts, by group (None for counts that do not open)."""
    cipher = ctx.cipher(KeyName.CASE)
    if cipher is None:
        raise keys_not_given(reading=True)
    out: dict[str, dict[str, object] | None] = {}
    for group, sealed in ctx.db.raw.execute("SELECT id, tally FROM stat_buckets"):
        try:
            out[group] = json.loads(fields.open_sealed(cipher, BUCKETS, group, "tally",
                                                       sealed))
        except (fields.FieldDamaged, ValueError, TypeError):
            out[group] = None
    return out


def facts_of_buckets(ctx: ServiceContext, groups: list[str]) -> list[Facts] | None:
    """The facts of the cases of *groups* (None when one of them does not open)."""
    cipher = ctx.cipher(KeyName.CASE)
    if cipher is None:
        raise keys_not_given(reading=True)
    out: list[Facts] = []
    for case_id, stored in ctx.db.all(
            "SELECT id, facts FROM stat_facts WHERE bucket IN (SELECT value FROM json_each(:b))",
            {"b": json.dumps(groups)}):
        one = _opened(cipher, case_id, stored)
        if one is None:
            return None
        out.append(one)
    return out


def _readable(ctx: ServiceContext, ids: list[str]) -> dict[str, Facts]:
    """The facts of *ids* from their rows; those that do not read are left out."""
    return readable(lambda some: _from_rows(ctx, some), ids,
                    "%d cases' rows do not read; their statistics' facts are not written")


T = TypeVar("T")


def readable(read: Callable[[list[str]], dict[str, T]], keys: list[str], warning: str
             ) -> dict[str, T]:
    """*read* of *keys* at once; when one of them does not read (a damaged sealed value),
    each alone, leaving out those that do not read (*warning*, with how many, is logged)."""
    try:
        return read(keys)
    except (VaultDamaged, ValueError, TypeError):
        pass
    out: dict[str, T] = {}
    for key in keys:
        try:
            out.update(read([key]))
        except (VaultDamaged, ValueError, TypeError):
            continue
    if len(out) < len(keys):
        log.warning(warning, len(keys) - len(out))
    return out


def forget(db: Database, case_id: str) -> None:
    """Delete a case's stored facts after a write that changes them and that no trigger
    sees (a timeline event added), inside the writer's transaction."""
    db.execute("DELETE FROM stat_facts WHERE id = :id", {"id": case_id})


def _from_rows(ctx: ServiceContext, ids: list[str]) -> dict[str, Facts]:
    """The facts of the cases *ids*, read from their own rows (those that exist)."""

    def case(row_id: str, column: str, value: str | None) -> str:
        return ctx.unseal(KeyName.CASE, "cases", row_id, column, value or "") or ""

    def survivor(row_id: str, column: str, value: str | None) -> str:
        return ctx.unseal(KeyName.CASE, "survivors", row_id, column, value or "") or ""
    db = ctx.db
    wanted = {"ids": json.dumps(ids)}
    began: dict[str, str] = {}
    countries: dict[str, list[str]] = {}
    for row in db.all("SELECT t.case_id, t.date_from, t.country FROM timeline_events t"
                      " WHERE t.stage = 'exploitation'"
                      " AND t.case_id IN (SELECT value FROM json_each(:ids))"
                      " ORDER BY t.case_id, t.date_from", wanted):
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
            " FROM cases c JOIN survivors s ON s.id = c.survivor_id"
            " WHERE c.id IN (SELECT value FROM json_each(:ids))", wanted):
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
