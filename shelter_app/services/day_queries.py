"""The SQL behind each group of the day: one or more *arms* per group, each an index range.

Why arms.  With ``cipher_memory_security`` on, SQLCipher wipes every block of memory it
frees, so a sort step or a window count in SQL costs milliseconds per few hundred rows.
Each arm is therefore written so that one index both finds its rows and gives them in
order (``INDEXED BY`` names it, so the plan never depends on table statistics), and is
read with ``LIMIT``; the service merges the arms' rows in Python and counts with a plain
``count(*)`` only when a limit cut an arm short.

Open tasks need four arms for "her own" day — given to her, or to nobody on a case
assigned to her, each dated (by due date) or undated — because the index keeps undated
tasks first and the day lists them last.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from shelter_app.domain import validate as v

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
        return f"SELECT count(*) {self.body}"


def arms(key: str, today: dt.date, everyone: bool, visible: str,
         params: dict[str, Any]) -> list[Arm]:
    """The arms of group *key*; *visible* limits ``c`` (cases) to what the roles allow."""
    params = {**params, "today": today.isoformat()}
    own = "" if everyone else f" AND {_MINE}"
    if key in ("today", "tomorrow"):
        day = today + dt.timedelta(days=1 if key == "tomorrow" else 0)
        start = dt.datetime.combine(day, dt.time()).astimezone()
        params |= {"start": v.iso(start), "end": v.iso(start + dt.timedelta(days=1))}
        own = "" if everyone else f" AND ({_MINE} OR a.staff_id = :me)"
        return [Arm(
            "a.id, a.case_id, c.code, a.appointment_type, a.starts_at, a.ends_at,"
            f" a.location, a.room, a.staff_id, {_NAME.format(u='u')} AS person",
            "FROM appointments a INDEXED BY appointments_time"
            " JOIN cases c ON c.id = a.case_id LEFT JOIN users u ON u.id = a.staff_id"
            " WHERE a.starts_at >= :start AND a.starts_at < :end"
            f" AND a.status IN ('scheduled', 'confirmed') AND {visible}{own}",
            "a.starts_at", params)]
    if key == "deadlines":
        params["until"] = (today + dt.timedelta(days=DEADLINE_DAYS)).isoformat()
        return [Arm(
            "d.source_id, d.case_id, c.code, d.kind, d.due_on",
            "FROM deadlines d INDEXED BY deadlines_due JOIN cases c ON c.id = d.case_id"
            " WHERE d.done = 0 AND d.due_on <= :until AND d.source = 'legal_matter'"
            f" AND {visible}{own}", "d.due_on", params)]
    if key == "referrals":
        return [Arm(
            "r.id, r.case_id, c.code, r.follow_up_due, p.name",
            "FROM referrals r INDEXED BY referrals_follow_up JOIN cases c ON c.id = r.case_id"
            " JOIN partners p ON p.id = r.partner_id"
            " WHERE r.status IN ('sent', 'accepted') AND r.follow_up_due <= :today"
            f" AND r.status = 'sent' AND {visible}{own}", "r.follow_up_due", params)]
    if key == "consents":
        params["until"] = (today + dt.timedelta(days=CONSENT_DAYS)).isoformat()
        return [Arm(
            "k.id, k.case_id, c.code, k.expires_on, k.any_referral, p.name",
            "FROM consents k INDEXED BY consents_expiry JOIN cases c ON c.id = k.case_id"  # noqa: S608
            " LEFT JOIN partners p ON p.id = k.partner_id WHERE k.withdrawn_on IS NULL"
            " AND k.expires_on >= :today AND k.expires_on <= :until"
            " AND k.given_on <= :today AND c.status != 'closed' AND NOT EXISTS (SELECT 1"
            " FROM consents n WHERE n.case_id = k.case_id AND n.id != k.id"
            " AND n.withdrawn_on IS NULL AND n.any_referral = k.any_referral"
            " AND n.partner_id IS k.partner_id"
            " AND (n.expires_on IS NULL OR n.expires_on > k.expires_on))"
            f" AND {visible}{own}", "k.expires_on", params)]
    assert key == "tasks", key
    columns = ("t.id, t.case_id, c.code, t.due_on, t.what, t.assigned_to,"
               f" {_NAME.format(u='u')} AS person")
    whose = [("tasks_open_due", "")] if everyone else [
        ("tasks_open_assignee", " AND t.assigned_to = :me"),
        ("tasks_open_assignee", " AND t.assigned_to IS NULL AND c.assigned_to = :me")]
    return [Arm(columns,
                f"FROM tasks t INDEXED BY {index} JOIN cases c ON c.id = t.case_id"
                " LEFT JOIN users u ON u.id = t.assigned_to"
                f" WHERE t.done_at IS NULL AND t.due_on IS {dated}NULL{who} AND {visible}",
                "t.due_on", params)
            for index, who in whose for dated in ("NOT ", "")]
