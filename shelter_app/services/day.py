"""The person's day: what needs her today, across the cases she may see, in one call.

``DayService.my_day(today)`` returns six groups, each with its lines and its count, up to
``COUNT_CAP`` (the action each needs on a line's case in brackets):

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

from shelter_app.domain import validate as v
from shelter_app.domain.roles import Action, Scope
from shelter_app.services.case_access import CaseAccess
from shelter_app.services.context import ServiceContext
from shelter_app.services.day_queries import DEADLINE_DAYS, FEW_CASES, Arm, arms
from shelter_app.services.tasks import open_what
from shelter_app.store.db import Row
from shelter_app.store.deadlines import LEGAL_SOURCES

# Counts stop at COUNT_CAP ("99+") and at most LIMIT lines of a group are read: nobody
# acts on a hundred lines of one kind in a day, and counting a 100,000-case organisation's
# every open task would cost a second at each change.
COUNT_CAP = 100
LIMIT = COUNT_CAP
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
    total: int  # may be more than the lines returned; at most COUNT_CAP
    capped: bool = False  # there are COUNT_CAP or more: "99+"


@dataclass(frozen=True)
class Day:
    today: dt.date
    everyone: bool
    groups: tuple[DayGroup, ...]

    @property
    def total(self) -> int:
        return sum(g.total for g in self.groups)

    @property
    def capped(self) -> bool:
        return any(g.capped for g in self.groups)

    def group(self, key: str) -> DayGroup | None:
        return next((g for g in self.groups if g.key == key), None)


@dataclass(frozen=True)
class DayCounts:
    """Each at most COUNT_CAP per group counted (the navigation shows "99+")."""

    my_day: int | None  # None: a count the roles do not have
    deadlines: int | None
    referrals: int | None


_DAWN = dt.datetime.min.replace(tzinfo=dt.UTC)


def _in_order(item: DayItem) -> tuple[object, ...]:
    """The day's order within a group: by time or date (undated tasks last), then code;
    lines alike keep the order they were read in (the order they were written)."""
    return (item.starts_at or _DAWN, item.on is None, item.on or dt.date.max, item.case_code)


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
        groups = self._require_some_group()
        few = not everyone and self._few_cases()
        return Day(today, everyone, tuple(self._group(key, today, everyone, few, limit)
                                          for key in groups))

    def _group(self, key: str, today: dt.date, everyone: bool, few: bool, limit: int
               ) -> DayGroup:
        """The first *limit* lines of group *key* in the day's order, and its count."""
        items: list[DayItem] = []
        cut = False
        for arm in self._arms(key, today, everyone, few):
            rows = self._ctx.db.all(arm.select(), {**arm.params, "limit_": max(limit, 0)})
            cut = cut or len(rows) >= limit
            items += (self._item(key, r) for r in rows)
        items.sort(key=_in_order)
        total = sum(self._count(a) for a in self._arms(key, today, everyone, few)) if cut \
            else len(items)
        return DayGroup(key, tuple(items[:max(limit, 0)]), min(total, COUNT_CAP),
                        total >= COUNT_CAP)

    def counts(self, today: dt.date | None = None) -> DayCounts:
        """The numbers beside "My day", "Deadlines" and "Referrals" in the navigation."""
        today = today or dt.date.today()
        groups = self._require_some_group()
        few = self._few_cases()
        mine = sum(min(COUNT_CAP, sum(self._count(a)
                                      for a in self._arms(key, today, False, few)))
                   for key in groups)
        return DayCounts(mine, self._attention_deadlines(today), self._awaiting(today))

    def _arms(self, key: str, today: dt.date, everyone: bool, few: bool) -> list[Arm]:
        visible, scoped = self._access.visible_sql("c", GROUP_ACTIONS[key])
        return arms(key, today, everyone, visible, {**scoped, "me": self._ctx.session.user_id},
                    few=few)

    def _few_cases(self) -> bool:
        """Whether her own cases (assigned or shared) are few enough to read one by one."""
        return int(self._ctx.db.scalar(  # each side counted no further than needed
            "SELECT (SELECT count(*) FROM (SELECT 1 FROM cases WHERE assigned_to = :me"
            " LIMIT :n)) + (SELECT count(*) FROM (SELECT 1 FROM case_shares"
            " WHERE user_id = :me LIMIT :n))",
            {"me": self._ctx.session.user_id, "n": FEW_CASES + 1})) <= FEW_CASES

    def _count(self, arm: Arm) -> int:
        """How many rows *arm* has, counting no further than COUNT_CAP."""
        return int(self._ctx.db.scalar(arm.count(), {**arm.params, "cap_": COUNT_CAP}))

    def _attention_deadlines(self, today: dt.date) -> int | None:
        """Deadlines overdue or due within 7 days, as the Deadlines page lists them."""
        legal = any(self._ctx.allowed(Action.READ_LEGAL, s) for s in CASE_SCOPES)
        referrals = any(self._ctx.allowed(Action.MANAGE_REFERRALS, s) for s in CASE_SCOPES)
        if not (legal or referrals):
            return None
        visible_legal, p1 = self._access.visible_sql("c", Action.READ_LEGAL)
        visible_ref, p2 = self._access.visible_sql("c", Action.MANAGE_REFERRALS)
        return int(self._ctx.db.scalar(
            "SELECT count(*) FROM (SELECT 1 FROM deadlines d JOIN cases c"  # noqa: S608
            " ON c.id = d.case_id WHERE d.done = 0 AND d.due_on <= :until"
            f" AND ((d.source IN {LEGAL_SOURCES} AND {visible_legal})"
            f" OR (d.source = 'referral' AND {visible_ref})) LIMIT :cap_)",
            {"until": (today + dt.timedelta(days=DEADLINE_DAYS)).isoformat(),
             "cap_": COUNT_CAP, **p1, **p2}))

    def _awaiting(self, today: dt.date) -> int | None:
        if not any(self._ctx.allowed(Action.MANAGE_REFERRALS, s) for s in CASE_SCOPES):
            return None
        return min(COUNT_CAP, sum(self._count(a)
                                  for a in self._arms("referrals", today, True, False)))

    def _item(self, key: str, r: Row) -> DayItem:
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
                       open_what(self._ctx, r), r["person"], r["assigned_to"])
