"""The person's day: what needs her today, across the cases she may see, in one call.

``DayService.my_day(today)`` returns six groups, each with its lines and its full count
(the action each needs on a line's case in brackets):

- ``today``, ``tomorrow``: appointments that start that day, scheduled or confirmed
  (``case.appointment``);
- ``deadlines``: legal deadlines overdue or due within 7 days (``case.read_legal``);
- ``referrals``: referrals sent and still awaiting an answer on or after their follow-up
  date (``case.referral``);
- ``consents``: active consents of open cases expiring within 30 days, unless a later
  consent for the same recipient outlasts them (``case.consent``);
- ``tasks``: open tasks, overdue first, undated last (``case.tasks``).

A group appears only when the roles allow its action on some case.  Every query is scoped
in SQL with ``CaseAccess.visible_sql`` like the other cross-case lists, and names the case by
its **code, never a name**.  *Her own* lines (the default) are those of the cases assigned to
or shared with her, appointments she is booked for, and tasks given to her (or to nobody, on
her cases); ``everyone=True`` (meant for coordinators) lists every case the roles reach.

``counts(today)`` gives the numbers the navigation shows: the lines of her day, the
deadlines needing attention (overdue or due within 7 days, follow-ups included, as the
Deadlines page lists them) and the referrals awaiting an answer.  Reading the day is not
recorded in the audit chain, like the other lists; opening a case from it is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from shelter_app.domain import validate as v
from shelter_app.domain.roles import Action, Scope
from shelter_app.services.case_access import CaseAccess
from shelter_app.services.context import ServiceContext
from shelter_app.store.db import Row

DEADLINE_DAYS = 7
CONSENT_DAYS = 30
LIMIT = 200
CASE_SCOPES = (Scope.ASSIGNED, Scope.SHARED, Scope.OTHER)
GROUP_ACTIONS: dict[str, Action] = {
    "today": Action.MANAGE_APPOINTMENTS,
    "tomorrow": Action.MANAGE_APPOINTMENTS,
    "deadlines": Action.READ_LEGAL,
    "referrals": Action.MANAGE_REFERRALS,
    "consents": Action.MANAGE_CONSENT,
    "tasks": Action.MANAGE_TASKS,
}
GROUPS = tuple(GROUP_ACTIONS)
_NAME = "coalesce(nullif({u}.display_name, ''), {u}.username, '')"


@dataclass(frozen=True)
class DayItem:
    """One line of the day.  *on* is the day it happens, falls due or expires (local)."""

    group: str
    case_id: str
    case_code: str
    record_id: str  # the appointment, legal matter, referral, consent or task
    on: dt.date | None
    kind: str = ""  # appointment type, deadline kind, consent: "partner" or "any_referral"
    text: str = ""  # appointment place, partner name, task text
    person: str = ""  # the staff member booked, the task's person ("" = nobody)
    person_id: str | None = None
    starts_at: dt.datetime | None = None  # appointments (UTC)
    ends_at: dt.datetime | None = None

    def overdue(self, today: dt.date) -> bool:
        return self.on is not None and self.on < today and self.group in (
            "deadlines", "referrals", "tasks")


@dataclass(frozen=True)
class DayGroup:
    key: str
    items: tuple[DayItem, ...]
    total: int  # may be more than the lines returned


@dataclass(frozen=True)
class Day:
    today: dt.date
    everyone: bool
    groups: tuple[DayGroup, ...]

    @property
    def total(self) -> int:
        return sum(g.total for g in self.groups)

    def group(self, key: str) -> DayGroup | None:
        return next((g for g in self.groups if g.key == key), None)


@dataclass(frozen=True)
class DayCounts:
    my_day: int | None  # None: a count the roles do not have
    deadlines: int | None
    referrals: int | None


@dataclass(frozen=True)
class _Query:
    columns: str
    body: str  # FROM … WHERE …
    order: str
    params: dict[str, Any]


def _day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


class DayService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._access = CaseAccess(ctx)

    # -- what the roles reach ------------------------------------------------------------
    def groups(self) -> tuple[str, ...]:
        """The groups this person's roles reach (in the order shown)."""
        return tuple(g for g in GROUPS if any(self._ctx.allowed(GROUP_ACTIONS[g], s)
                                              for s in CASE_SCOPES))

    def can_show_everyone(self) -> bool:
        """Whether "everyone's" day differs from her own: roles that reach every case."""
        return self._ctx.allowed(Action.READ_CASE, Scope.OTHER)

    def change_marker(self) -> int:
        """A number that changes whenever this session changes a row (no query, no wait):
        the ui compares it on a light timer to know when to count again."""
        return int(self._ctx.db.raw.total_changes)

    def _require_some_group(self) -> tuple[str, ...]:
        groups = self.groups()
        if not groups:  # an administrator alone: refused, and the refusal recorded
            self._ctx.require(Action.READ_CASE, Scope.OTHER)
        return groups

    # -- the day -------------------------------------------------------------------------
    def my_day(self, today: dt.date | None = None, *, everyone: bool = False,
               limit: int = LIMIT) -> Day:
        today = today or dt.date.today()
        found = []
        for key in self._require_some_group():
            query = self._query(key, today, everyone)
            rows = self._ctx.db.all(
                f"SELECT {query.columns}, count(*) OVER () AS total_ {query.body}"
                f" ORDER BY {query.order} LIMIT :limit_", {**query.params, "limit_": limit})
            total = int(rows[0]["total_"]) if rows else 0
            if not rows and limit <= 0:
                total = self._count(query)
            found.append(DayGroup(key, tuple(self._item(key, r) for r in rows), total))
        return Day(today, everyone, tuple(found))

    def counts(self, today: dt.date | None = None) -> DayCounts:
        """The numbers beside "My day", "Deadlines" and "Referrals" in the navigation."""
        today = today or dt.date.today()
        groups = self._require_some_group()
        mine = sum(self._count(self._query(key, today, False)) for key in groups)
        return DayCounts(mine, self._attention_deadlines(today), self._awaiting(today))

    def _count(self, query: _Query) -> int:
        return int(self._ctx.db.scalar(f"SELECT count(*) {query.body}", query.params))

    def _attention_deadlines(self, today: dt.date) -> int | None:
        """Deadlines overdue or due within 7 days, as the Deadlines page lists them."""
        legal = any(self._ctx.allowed(Action.READ_LEGAL, s) for s in CASE_SCOPES)
        referrals = any(self._ctx.allowed(Action.MANAGE_REFERRALS, s) for s in CASE_SCOPES)
        if not (legal or referrals):
            return None
        visible_legal, p1 = self._access.visible_sql("c", Action.READ_LEGAL)
        visible_ref, p2 = self._access.visible_sql("c", Action.MANAGE_REFERRALS)
        return int(self._ctx.db.scalar(
            "SELECT count(*) FROM deadlines d JOIN cases c ON c.id = d.case_id"  # noqa: S608
            " WHERE d.done = 0 AND d.due_on <= :until"
            f" AND ((d.source = 'legal_matter' AND {visible_legal})"
            f" OR (d.source = 'referral' AND {visible_ref}))",
            {"until": (today + dt.timedelta(days=DEADLINE_DAYS)).isoformat(), **p1, **p2}))

    def _awaiting(self, today: dt.date) -> int | None:
        if not any(self._ctx.allowed(Action.MANAGE_REFERRALS, s) for s in CASE_SCOPES):
            return None
        return self._count(self._query("referrals", today, True))

    # -- one query per group --------------------------------------------------------------
    def _query(self, key: str, today: dt.date, everyone: bool) -> _Query:
        visible, scoped = self._access.visible_sql("c", GROUP_ACTIONS[key])
        me = self._ctx.session.user_id
        mine = ("(c.assigned_to = :me OR EXISTS (SELECT 1 FROM case_shares s"
                " WHERE s.case_id = c.id AND s.user_id = :me))")
        params: dict[str, Any] = {**scoped, "me": me, "today": today.isoformat()}
        if key in ("today", "tomorrow"):
            day = today + dt.timedelta(days=1 if key == "tomorrow" else 0)
            start = dt.datetime.combine(day, dt.time()).astimezone()
            params |= {"start": v.iso(start), "end": v.iso(start + dt.timedelta(days=1))}
            own = "" if everyone else f" AND ({mine} OR a.staff_id = :me)"
            return _Query(
                "a.id, a.case_id, c.code, a.appointment_type, a.starts_at, a.ends_at,"
                f" a.location, a.room, a.staff_id, {_NAME.format(u='u')} AS person",
                "FROM appointments a JOIN cases c ON c.id = a.case_id"
                " LEFT JOIN users u ON u.id = a.staff_id WHERE a.starts_at >= :start"
                " AND a.starts_at < :end AND a.status IN ('scheduled', 'confirmed')"
                f" AND {visible}{own}", "a.starts_at, c.code", params)
        own = "" if everyone else f" AND {mine}"
        if key == "deadlines":
            params["until"] = (today + dt.timedelta(days=DEADLINE_DAYS)).isoformat()
            return _Query(
                "d.source_id, d.case_id, c.code, d.kind, d.due_on",
                "FROM deadlines d JOIN cases c ON c.id = d.case_id WHERE d.done = 0"
                " AND d.source = 'legal_matter' AND d.due_on <= :until"
                f" AND {visible}{own}", "d.due_on, c.code", params)
        if key == "referrals":
            return _Query(
                "r.id, r.case_id, c.code, r.follow_up_due, p.name",
                "FROM referrals r JOIN cases c ON c.id = r.case_id"
                " JOIN partners p ON p.id = r.partner_id"
                " WHERE r.status IN ('sent', 'accepted') AND r.status = 'sent'"
                f" AND r.follow_up_due <= :today AND {visible}{own}",
                "r.follow_up_due, c.code", params)
        if key == "consents":
            params["until"] = (today + dt.timedelta(days=CONSENT_DAYS)).isoformat()
            return _Query(
                "k.id, k.case_id, c.code, k.expires_on, k.any_referral, p.name",
                "FROM consents k JOIN cases c ON c.id = k.case_id"  # noqa: S608
                " LEFT JOIN partners p ON p.id = k.partner_id WHERE k.withdrawn_on IS NULL"
                " AND k.expires_on >= :today AND k.expires_on <= :until"
                " AND k.given_on <= :today AND c.status != 'closed' AND NOT EXISTS (SELECT 1"
                " FROM consents n WHERE n.case_id = k.case_id AND n.id != k.id"
                " AND n.withdrawn_on IS NULL AND n.any_referral = k.any_referral"
                " AND n.partner_id IS k.partner_id"
                " AND (n.expires_on IS NULL OR n.expires_on > k.expires_on))"
                f" AND {visible}{own}", "k.expires_on, c.code", params)
        assert key == "tasks", key
        columns = ("t.id, t.case_id, c.code, t.due_on, t.what, t.assigned_to,"
                   f" {_NAME.format(u='u')} AS person, t.created_at")
        base = ("FROM tasks t JOIN cases c ON c.id = t.case_id"
                " LEFT JOIN users u ON u.id = t.assigned_to"
                f" WHERE t.done_at IS NULL AND {visible}")
        if everyone:
            body = base
        else:  # given to her, or to nobody on a case assigned to her (two indexed reads)
            body = (f"FROM (SELECT {columns} {base} AND t.assigned_to = :me"
                    f" UNION ALL SELECT {columns} {base} AND t.assigned_to IS NULL"
                    " AND c.assigned_to = :me)")
            columns = "id, case_id, code, due_on, what, assigned_to, person, created_at"
            return _Query(columns, body, "due_on IS NULL, due_on, code, created_at", params)
        return _Query(columns, body, "t.due_on IS NULL, t.due_on, c.code, t.created_at",
                      params)

    @staticmethod
    def _item(key: str, r: Row) -> DayItem:
        if key in ("today", "tomorrow"):
            start, end = v.parse_utc(r["starts_at"]), v.parse_utc(r["ends_at"])
            place = " · ".join(p for p in (r["location"], r["room"]) if p)
            return DayItem(key, r["case_id"], r["code"], r["id"], start.astimezone().date(),
                           r["appointment_type"], place, r["person"], r["staff_id"],
                           start, end)
        if key == "deadlines":
            return DayItem(key, r["case_id"], r["code"], r["source_id"], _day(r["due_on"]),
                           r["kind"])
        if key == "referrals":
            return DayItem(key, r["case_id"], r["code"], r["id"], _day(r["follow_up_due"]),
                           "referral", r["name"])
        if key == "consents":
            kind = "any_referral" if r["any_referral"] else "partner"
            return DayItem(key, r["case_id"], r["code"], r["id"], _day(r["expires_on"]), kind,
                           r["name"] or "")
        return DayItem(key, r["case_id"], r["code"], r["id"], _day(r["due_on"]), "task",
                       r["what"], r["person"], r["assigned_to"])
