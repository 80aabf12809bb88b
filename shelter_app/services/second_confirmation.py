"""Erasure's two-person rule: who else could confirm an erasure, and who may not.

A coordinator asks for an erasure; where another coordinator could confirm it, the request
waits for that one (services/retention.py).  Read from the audit chain, so that an
administrator who is also a coordinator cannot clear the way to erase alone: by
disabling the other coordinator or taking the role away (from her own account or a second
administrator's), or by confirming from an account she made or reset and so holds the
passphrase of.  docs/VAULT_FORMAT.md 12.4.
"""

from __future__ import annotations

import datetime as dt
import json

from shelter_app.domain.audit import Event
from shelter_app.domain.roles import Role
from shelter_app.services.context import ServiceContext

# A coordinator disabled, or whose role was taken away, in this many days still counts as
# one who must confirm; an account the requester made, re-enabled, reset or gave roles to
# in this many days may not confirm.  Read from audit times: a clock set forward shortens it.
RECENT_DAYS = 30


def _since() -> str:
    """The audit time ``RECENT_DAYS`` ago, written as audit times are (store/audit.py)."""
    return (dt.datetime.now(dt.UTC) - dt.timedelta(days=RECENT_DAYS)).isoformat(
        timespec="microseconds").replace("+00:00", "Z")


def other_coordinators(ctx: ServiceContext) -> int:
    """How many others could confirm an erasure the session asks for: the other active
    coordinators, and every coordinator disabled or demoted, by anyone, lately."""
    db, me = ctx.db, ctx.session.user_id
    others = {row["id"] for row in db.all(
        "SELECT id, roles FROM users WHERE status = 'active' AND id != :me", {"me": me})
        if Role.COORDINATOR in json.loads(row["roles"])}
    for event in db.all(
            "SELECT seq, target_id FROM audit_events WHERE action IN (:disabled, :changed)"
            " AND target_type = 'user' AND occurred_at >= :since AND target_id != :me",
            {"me": me, "disabled": Event.USER_DISABLED, "changed": Event.ROLES_CHANGED,
             "since": _since()}):
        before = db.scalar(  # the roles it had: its previous statement of them
            "SELECT details FROM audit_events WHERE target_type = 'user'"
            " AND target_id = :t AND action IN (:added, :changed) AND seq < :seq"
            " ORDER BY seq DESC LIMIT 1",
            {"t": event["target_id"], "added": Event.USER_ADDED,
             "changed": Event.ROLES_CHANGED, "seq": event["seq"]})
        if before and Role.COORDINATOR in json.loads(before).get("roles", []):
            others.add(event["target_id"])
    return len(others)


def set_up_by(ctx: ServiceContext, requester: str) -> bool:
    """Whether *requester* made, re-enabled, reset or gave roles to the session's account
    lately, so that it may not confirm her request."""
    return ctx.db.scalar(
        "SELECT 1 FROM audit_events WHERE actor_id = :r AND target_type = 'user'"
        " AND target_id = :me AND action IN (:added, :enabled, :reset, :changed)"
        " AND occurred_at >= :since LIMIT 1",
        {"r": requester, "me": ctx.session.user_id, "added": Event.USER_ADDED,
         "enabled": Event.USER_ENABLED, "reset": Event.USER_RESET,
         "changed": Event.ROLES_CHANGED, "since": _since()}) is not None
