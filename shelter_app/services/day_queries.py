"""The SQL behind each group of the day: one or more *arms* per group, each an index range.

Why arms.  With ``cipher_memory_security`` on, SQLCipher wipes every block of memory it
frees, so a sort step or a window count in SQL costs milliseconds per few hundred rows.
Each arm is therefore written so that one index both finds its rows and gives them in
order (``INDEXED BY`` names it, so the plan never depends on table statistics), and is
read with ``LIMIT``; the service merges the arms' rows in Python and counts with a plain
``count(*)`` only when a limit cut an arm short.

Her own day (not everyone's) has two ways: when she has few cases of her own, each arm
walks an index on ``case_id`` for just those cases (a small sort then costs little); with
many, the organisation's date-ordered index is walked and filtered.  Open tasks given to
her are read by the index on the person; the index keeps undated tasks first and the day
lists them last, so dated and undated ones are two arms.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from shelter_app.domain import validate as v
from shelter_app.store.deadlines import LEGAL_SOURCES

DEADLINE_DAYS = 7
CONSENT_DAYS = 30
_NAME = "coalesce(nullif({u}.display_name, ''), {u}.username, '')"
# the person's own cases: assigned to her, or shared with her
_MINE = ("(c.assigned_to = :me OR EXISTS (SELECT 1 FROM case_shares s"
         " WHERE s.case_id = c.id AND s.user_id = :me))")


@dataclass(frozen=True)
class Arm:
    columns: str
    body: str  # FROM … WHERE …
    order: str  # the order its index gives
    params: dict[str, Any]

    def select(self) -> str:
        return f"SELECT {self.columns} {self.body} ORDER BY {self.order} LIMIT :limit_"

    def count(self) -> str:
        """How many rows, counting no further than ``:cap_``."""
        return f"SELECT count(*) FROM (SELECT 1 {self.body} LIMIT :cap_)"  # noqa: S608


# her own cases, as a list of ids an index on case_id can walk
MINE_IDS = ("SELECT id FROM cases WHERE assigned_to = :me"
            " UNION SELECT case_id FROM case_shares WHERE user_id = :me")
# Up to this many cases of her own, her day is read case by case; with more, along the
# organisation's date-ordered indexes (she has then a good part of all cases anyway).
FEW_CASES = 500


@dataclass(frozen=True)
class _Source:
    columns: str
    table: str  # "appointments a"
    joins: str
    where: str
    order: str  # the column the org-wide index orders by
    by_time: str  # that index
    by_case: str  # an index on (case_id, …)
    case: str  # the case id column


def _arm(src: _Source, index: str, extra: str, visible: str, params: dict[str, Any],
         order: str | None = None) -> Arm:
    return Arm(src.columns, f"FROM {src.table} INDEXED BY {index}{src.joins}"
               f" WHERE {src.where}{extra} AND {visible}", order or src.order, params)


def arms(key: str, today: dt.date, everyone: bool, visible: str, params: dict[str, Any],
         *, few: bool = False) -> list[Arm]:
    """The arms of group *key*; *visible* limits ``c`` (cases) to what the roles allow;
    *few*: her own cases are few enough to be read one by one."""
    params = {**params, "today": today.isoformat()}
    if key == "tasks":
        return _task_arms(everyone, visible, params, few=few)
    src = _source(key, today, params)
    if everyone:
        return [_arm(src, src.by_time, "", visible, params)]
    staff = key in ("today", "tomorrow")  # appointments she is booked for are hers too
    if not few:
        own = f" AND ({_MINE} OR a.staff_id = :me)" if staff else f" AND {_MINE}"
        return [_arm(src, src.by_time, own, visible, params)]
    found = [_arm(src, src.by_case, f" AND {src.case} IN ({MINE_IDS})", visible, params)]
    if staff:
        found.append(_arm(src, "appointments_staff",
                          f" AND a.staff_id = :me AND a.case_id NOT IN ({MINE_IDS})",
                          visible, params))
    return found


def _source(key: str, today: dt.date, params: dict[str, Any]) -> _Source:
    if key in ("today", "tomorrow"):
        day = today + dt.timedelta(days=1 if key == "tomorrow" else 0)
        start = dt.datetime.combine(day, dt.time()).astimezone()
        params |= {"start": v.iso(start), "end": v.iso(start + dt.timedelta(days=1))}
        return _Source(
            "a.id, a.case_id, c.code, a.appointment_type, a.starts_at, a.ends_at,"
            f" a.location, a.room, a.staff_id, {_NAME.format(u='u')} AS person",
            "appointments a", " JOIN cases c ON c.id = a.case_id"
            " LEFT JOIN users u ON u.id = a.staff_id",
            "a.starts_at >= :start AND a.starts_at < :end"
            " AND a.status IN ('scheduled', 'confirmed')",
            "a.starts_at", "appointments_time", "appointments_case", "a.case_id")
    if key == "deadlines":
        params["until"] = (today + dt.timedelta(days=DEADLINE_DAYS)).isoformat()
        return _Source(
            "d.source_id, d.case_id, c.code, d.kind, d.due_on", "deadlines d",
            " JOIN cases c ON c.id = d.case_id",
            f"d.done = 0 AND d.due_on <= :until AND d.source IN {LEGAL_SOURCES}",
            "d.due_on", "deadlines_due", "deadlines_case", "d.case_id")
    if key == "referrals":
        return _Source(
            "r.id, r.case_id, c.code, r.follow_up_due, p.name", "referrals r",
            " JOIN cases c ON c.id = r.case_id JOIN partners p ON p.id = r.partner_id",
            "r.status IN ('sent', 'accepted') AND r.follow_up_due <= :today"
            " AND r.status = 'sent'",
            "r.follow_up_due", "referrals_follow_up", "referrals_case", "r.case_id")
    assert key == "consents", key
    params["until"] = (today + dt.timedelta(days=CONSENT_DAYS)).isoformat()
    return _Source(
        "k.id, k.case_id, c.code, k.expires_on, k.any_referral, p.name", "consents k",
        " JOIN cases c ON c.id = k.case_id LEFT JOIN partners p ON p.id = k.partner_id",
        "k.withdrawn_on IS NULL AND k.expires_on >= :today AND k.expires_on <= :until"
        " AND k.given_on <= :today AND c.status != 'closed' AND NOT EXISTS (SELECT 1"
        " FROM consents n WHERE n.case_id = k.case_id AND n.id != k.id"
        " AND n.withdrawn_on IS NULL AND n.any_referral = k.any_referral"
        " AND n.partner_id IS k.partner_id"
        " AND (n.expires_on IS NULL OR n.expires_on > k.expires_on))",
        "k.expires_on", "consents_expiry", "consents_case", "k.case_id")


def _task_arms(everyone: bool, visible: str, params: dict[str, Any], *, few: bool
               ) -> list[Arm]:
    src = _Source("t.id, t.case_id, c.code, t.due_on, t.what, t.assigned_to,"
                  f" {_NAME.format(u='u')} AS person", "tasks t",
                  " JOIN cases c ON c.id = t.case_id LEFT JOIN users u ON u.id = t.assigned_to",
                  "t.done_at IS NULL", "t.due_on", "tasks_open_due", "tasks_case", "t.case_id")
    whose = [("tasks_open_due", "")] if everyone else [
        ("tasks_open_assignee", " AND t.assigned_to = :me")]
    if not everyone and not few:
        whose.append(("tasks_open_assignee", " AND t.assigned_to IS NULL"
                                             " AND c.assigned_to = :me"))
    found = [_arm(src, index, f" AND t.due_on IS {dated}NULL{who}", visible, params)
             for index, who in whose for dated in ("NOT ", "")]
    if not everyone and few:  # nobody's, on her few cases: read case by case, then sorted
        found.append(_arm(src, "tasks_case", " AND t.assigned_to IS NULL AND t.case_id IN"
                          " (SELECT id FROM cases WHERE assigned_to = :me)", visible, params,
                          order="t.due_on IS NULL, t.due_on"))
    return found
