"""A whole demo vault: every role's account, fictional cases, and a week of work to look at.

Used by ``shelter-admin demo`` and ``shelter-app --demo``.  The cases and their records come
from ``shelter_app.demo.populate``; this module makes the accounts around them (an
administrator, a coordinator, a caseworker and a legal volunteer, each with the passphrase
the caller chose) and adds what a newcomer needs to see a working week rather than only
history: appointments today and over the next working days, for the caseworker and for the
legal volunteer on the cases ``populate`` shared with her.

Legal casework comes last (``demo_casework``): for every residence template meant to be
filed, a case whose packet passes pre-flight, with its timeline and evidence.

Time: one key derivation per account and one for the recovery key, one sign-in as the
coordinator, then two bulk transactions (``populate`` and ``this_week``) and the casework
through the services (a few hundred small writes).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from shelter_app.demo import populate
from shelter_app.demo_casework import casework
from shelter_app.domain import validate as v
from shelter_app.domain.audit import Event
from shelter_app.domain.key_classes import KeyName
from shelter_app.domain.roles import Action, Role
from shelter_app.i18n import _
from shelter_app.services.registry import Services, build_services
from shelter_app.store.audit import now_utc
from shelter_app.vault.crypto import KdfPolicy
from shelter_app.vault.vault import Vault

DEMO_SURVIVORS = 36
# (user name, role); the administrator comes first: it is made with the vault.
DEMO_ACCOUNTS: tuple[tuple[str, Role], ...] = (
    ("admin", Role.ADMIN), ("coordinator", Role.COORDINATOR),
    ("caseworker", Role.CASEWORKER), ("legal", Role.LEGAL),
)
# (days from today, local time, appointment type, who: "caseworker" or "legal")
WEEK: tuple[tuple[int, dt.time, str, str], ...] = (
    (0, dt.time(9, 30), "other", "caseworker"),
    (0, dt.time(11, 0), "legal_consultation", "legal"),
    (0, dt.time(14, 0), "medical", "caseworker"),
    (0, dt.time(15, 30), "legal_consultation", "legal"),
    (1, dt.time(10, 0), "authority_interview", "caseworker"),
    (1, dt.time(13, 30), "legal_consultation", "legal"),
    (2, dt.time(9, 0), "medical", "caseworker"),
    (3, dt.time(11, 30), "court_hearing", "legal"),
    (3, dt.time(15, 0), "other", "caseworker"),
    (4, dt.time(10, 30), "legal_consultation", "legal"),
)
# the vault, each further account, signing in, cases, week, casework
STEPS = len(DEMO_ACCOUNTS) + 4

Progress = Callable[[int, int], None]  # (steps done, steps in all)


def display_name(role: Role) -> str:
    return {Role.ADMIN: _("Demo administrator"), Role.COORDINATOR: _("Demo coordinator"),
            Role.CASEWORKER: _("Demo caseworker"), Role.LEGAL: _("Demo legal volunteer")}[role]


@dataclass(frozen=True)
class DemoMade:
    recovery_key: str
    counts: dict[str, int]


def create_demo_vault(folder: Path, passphrases: Mapping[str, str], *, kdf: KdfPolicy,
                      survivors: int = DEMO_SURVIVORS, progress: Progress | None = None,
                      cases_progress: Progress | None = None) -> DemoMade:
    """A new vault at *folder* with every ``DEMO_ACCOUNTS`` account (passphrases by user
    name, none temporary) and *survivors* fictional cases.  Slow: run it off the GUI
    thread.  *progress* is called after each of ``STEPS`` steps, *cases_progress* as
    ``populate`` writes cases (both from this thread)."""
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, STEPS)

    admin_name, admin_role = DEMO_ACCOUNTS[0]
    vault, opened, recovery_key = Vault.create(
        folder, organisation=_("Demo shelter (fictional)"), admin_username=admin_name,
        admin_passphrase=passphrases[admin_name], admin_display_name=display_name(admin_role),
        kdf=kdf)
    step()
    try:
        admin = build_services(opened)
        try:
            for username, role in DEMO_ACCOUNTS[1:]:
                admin.accounts.add(username, [role.value], passphrases[username],
                                   temporary=False, display_name=display_name(role))
                step()
            # how partners reach the demo shelter: a referral packet needs both
            admin.settings.set("organisation_contact",
                               "Front desk (fictional): +00 0000 000000, 9:00-17:00")
            admin.settings.set("referral_return",
                               "Secure e-mail to referrals@demo.invalid (fictional)")
        finally:
            admin.lock()
        coordinator_vault, _report = vault.unlock("coordinator", passphrases["coordinator"])
        coordinator = build_services(coordinator_vault)
        step()
        try:
            counts = populate(coordinator, survivors=survivors, progress=cases_progress)
            step()
            counts.update(this_week(coordinator))
            step()
            counts.update(casework(coordinator))
            step()
        finally:
            coordinator.lock()
    finally:
        vault.close()
    return DemoMade(recovery_key, counts)


def this_week(services: Services, *, today: dt.date | None = None) -> dict[str, int]:
    """Book ``WEEK``'s appointments on open demo cases (the caseworker's, and those
    ``populate`` shared with the legal volunteer), in one transaction.  Returns how many
    were written."""
    ctx = services.ctx
    today = today or dt.date.today()
    me = ctx.session.user_id
    users = ctx.db.all("SELECT id, roles FROM users WHERE status = 'active'")
    legal = [u["id"] for u in users if Role.LEGAL.value in json.loads(u["roles"])]
    workers = [u["id"] for u in users if Role.CASEWORKER.value in json.loads(u["roles"])]
    cases = ctx.db.all(
        "SELECT c.id, c.assigned_to, s.id AS sid, s.interpreter_needed, s.interpreter_language,"
        " EXISTS (SELECT 1 FROM case_shares h WHERE h.case_id = c.id) AS legal"
        " FROM cases c JOIN survivors s ON s.id = c.survivor_id"
        " WHERE c.code LIKE 'DEMO-%' AND c.status != 'closed' ORDER BY c.code")
    with_matter = [c for c in cases if c["legal"]]
    counts = {"appointments_this_week": 0}
    now = now_utc()
    meta = {"created_at": now, "updated_at": now, "created_by": me, "updated_by": me}
    with ctx.write(Action.IMPORT_CASES, Event.IMPORT, target_type="demo",
                   details={"count": len(WEEK)}) as db:
        pools = {"caseworker": [c for c in cases if c["assigned_to"] in workers] or cases,
                 "legal": with_matter if legal else []}
        staff = {"caseworker": workers[0] if workers else None,
                 "legal": legal[0] if legal else None}
        days = _working_days(today, 1 + max(d for d, *_rest in WEEK))
        for n, (offset, time, kind, who) in enumerate(WEEK):
            pool = pools[who]
            if not pool:
                continue
            case = pool[n % len(pool)]
            starts = dt.datetime.combine(days[offset], time).astimezone(dt.UTC)
            language = ctx.unseal(KeyName.CASE, "survivors", case["sid"], "interpreter_language",
                                  case["interpreter_language"]) if case["interpreter_needed"] \
                else None
            aid = str(uuid.uuid4())
            db.execute(
                "INSERT INTO appointments (id, case_id, appointment_type, starts_at, ends_at,"
                " location, room, staff_id, interpreter, interpreter_language, status, notes,"
                " created_at, updated_at, created_by, updated_by) VALUES (:id, :case, :kind,"
                " :starts, :ends, :location, :room, :staff, :interpreter, :language,"
                " 'scheduled', :notes, :created_at, :updated_at, :created_by, :updated_by)",
                {"id": aid, "case": case["id"], "kind": kind,
                 "notes": ctx.seal(KeyName.CASE, "appointments", aid, "notes", ""),
                 "starts": v.iso(starts), "ends": v.iso(starts + dt.timedelta(hours=1)),
                 "location": "Main office", "room": f"Room {3 + n % 2}",
                 "staff": staff[who], "language": language,
                 "interpreter": "Interpreters Network (fictional)" if language else "",
                 **meta})
            counts["appointments_this_week"] += 1
    return counts


def _working_days(first: dt.date, count: int) -> list[dt.date]:
    """*first* (whatever day it is: the demo starts today), then the next working days."""
    days = [first]
    day = first
    while len(days) < count:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    return days
