"""Referrals to partner organisations: draft, send (consent checked), answer, complete."""

from __future__ import annotations

import builtins
import datetime as dt
import json
import uuid
from dataclasses import dataclass

from shelter_app.domain import validate as v
from shelter_app.domain import vocab
from shelter_app.domain.audit import Event
from shelter_app.domain.key_classes import KeyName
from shelter_app.domain.roles import Action, Scope
from shelter_app.errors import NotFound, ValidationError
from shelter_app.i18n import _
from shelter_app.services.case_access import CaseAccess
from shelter_app.services.consent import ConsentService
from shelter_app.services.context import ServiceContext
from shelter_app.store import deadlines, directory
from shelter_app.store.audit import now_utc
from shelter_app.store.db import Row

FOLLOW_UP_DAYS = {"emergency": 1, "urgent": 3, "normal": 14}
# status → the statuses it may move to
TRANSITIONS = {
    "draft": {"sent", "revoked"},
    "sent": {"accepted", "declined", "revoked"},
    "accepted": {"completed", "revoked"},
    "declined": set(),
    "completed": set(),
    "revoked": set(),
}


@dataclass(frozen=True)
class Referral:
    id: str
    case_id: str
    partner_id: str
    priority: str
    services: tuple[str, ...]
    reason: str
    consent_id: str | None
    status: str
    declined_reason: str
    sent_on: str | None
    follow_up_due: str | None
    outcome: str
    row_version: int


@dataclass(frozen=True)
class VisibleReferral:
    """A referral with what a cross-case list shows: the case CODE and the partner's name."""

    referral: Referral
    case_code: str
    partner_name: str


OPEN_STATUSES = ("draft", "sent", "accepted")


SEALED = ("reason", "declined_reason", "outcome")  # under the case key (VAULT_FORMAT 7.1)


class ReferralService:
    def __init__(self, ctx: ServiceContext, consent: ConsentService) -> None:
        self._ctx = ctx
        self._access = CaseAccess(ctx)
        self._consent = consent

    def create(self, case_id: str, partner_id: str, *, priority: str = "normal",
               services: list[str] | None = None, reason: str = "",
               follow_up_due: dt.date | str | None = None) -> Referral:
        scope = self._access.require(case_id, Action.MANAGE_REFERRALS)
        directory.require_partner(self._ctx.db, partner_id)
        services = directory.check_service_codes(self._ctx.db, services or [])
        due = v.date(follow_up_due, "follow_up_due")
        referral_id, now, me = str(uuid.uuid4()), now_utc(), self._ctx.session.user_id
        with self._ctx.write(Action.MANAGE_REFERRALS, Event.RECORD_CREATED, scope=scope,
                             target_type="referral", target_id=referral_id,
                             details={"fields": ["partner_id", "priority", "services"]}) as db:
            db.execute(
                "INSERT INTO referrals (id, case_id, partner_id, priority, services, reason,"
                " declined_reason, outcome, status, follow_up_due, created_at, updated_at,"
                " created_by, updated_by) VALUES (:id, :case, :partner, :priority, :services,"
                " :reason, :declined, :outcome, 'draft', :due, :now, :now, :me, :me)",
                {"id": referral_id, "case": case_id, "partner": partner_id,
                 "priority": vocab.PRIORITY.check(priority, "priority"),
                 "services": json.dumps(services),
                 "reason": self._seal(referral_id, "reason", v.note(reason, "reason")),
                 "declined": self._seal(referral_id, "declined_reason", ""),
                 "outcome": self._seal(referral_id, "outcome", ""),
                 "due": v.iso(due), "now": now, "me": me})
        return self.get(referral_id)

    def get(self, referral_id: str) -> Referral:
        row = self._row(referral_id)
        self._access.require(row["case_id"], Action.MANAGE_REFERRALS)
        return self._referral(row)

    def _seal(self, referral_id: str, column: str, text: str) -> str:
        return self._ctx.seal(KeyName.CASE, "referrals", referral_id, column, text)

    def _referral(self, r: Row) -> Referral:
        """One referral, its reasons and outcome opened; empty while this account has not
        received the case key (writing them is refused then)."""
        opened = {c: self._ctx.unseal(KeyName.CASE, "referrals", r["id"], c, r[c]) or ""
                  for c in SEALED}
        return Referral(r["id"], r["case_id"], r["partner_id"], r["priority"],
                        tuple(json.loads(r["services"])), opened["reason"], r["consent_id"],
                        r["status"], opened["declined_reason"], r["sent_on"],
                        r["follow_up_due"], opened["outcome"], r["row_version"])

    def _row(self, referral_id: str) -> Row:
        row = self._ctx.db.one("SELECT * FROM referrals WHERE id = :id", {"id": referral_id})
        if row is None:
            raise NotFound(_("No such referral."))
        return row

    def list(self, case_id: str) -> list[Referral]:
        self._access.require(case_id, Action.MANAGE_REFERRALS)
        rows = self._ctx.db.all("SELECT * FROM referrals WHERE case_id = :c ORDER BY created_at"
                                " DESC", {"c": case_id})
        return [self._referral(r) for r in rows]

    def list_visible(self, *, open_only: bool = False) -> builtins.list[VisibleReferral]:
        """Referrals in every case the user may manage referrals for: open ones first (by
        follow-up date), then the rest, newest first."""
        if not any(self._ctx.allowed(Action.MANAGE_REFERRALS, s)
                   for s in (Scope.ASSIGNED, Scope.SHARED, Scope.OTHER)):
            self._ctx.require(Action.MANAGE_REFERRALS, Scope.OTHER)
        visible, params = self._access.visible_sql("c", Action.MANAGE_REFERRALS)
        only = " AND r.status IN ('draft', 'sent', 'accepted')" if open_only else ""
        rows = self._ctx.db.all(
            "SELECT r.*, c.code AS case_code, p.name AS partner_name FROM referrals r"  # noqa: S608
            " JOIN cases c ON c.id = r.case_id JOIN partners p ON p.id = r.partner_id"
            f" WHERE {visible}{only} ORDER BY r.status NOT IN ('draft', 'sent', 'accepted'),"
            " r.follow_up_due IS NULL, r.follow_up_due, r.created_at DESC", params)
        return [VisibleReferral(self._referral(r), r["case_code"], r["partner_name"])
                for r in rows]

    def move(self, referral_id: str, status: str, *, reason: str = "", outcome: str = "",
             sections: builtins.list[str] | None = None, on: dt.date | None = None) -> Referral:
        """Change status.  Sending checks consent for the partner (and *sections*, if given)."""
        row = self._row(referral_id)
        scope = self._access.require(row["case_id"], Action.MANAGE_REFERRALS)
        vocab.REFERRAL_STATUS.check(status, "status")
        if status not in TRANSITIONS[row["status"]]:
            raise ValidationError(
                _("A referral that is {current} cannot become {new}.").format(
                    current=vocab.REFERRAL_STATUS.label(row["status"]),
                    new=vocab.REFERRAL_STATUS.label(status)), "status")
        today = on or dt.date.today()
        changes: dict[str, object] = {"status": status}
        if status == "sent":
            directory.require_partner(self._ctx.db, row["partner_id"])
            used = self._consent.check(row["case_id"], row["partner_id"],
                                       sections or ["identity"], on=today)
            changes["consent_id"] = used[0].id
            changes["sent_on"] = today.isoformat()
            if not row["follow_up_due"]:
                days = FOLLOW_UP_DAYS[row["priority"]]
                changes["follow_up_due"] = (today + dt.timedelta(days=days)).isoformat()
        if row["status"] == "sent" and status in ("accepted", "declined"):
            changes["answered_on"] = today.isoformat()  # the partner's answer: statistics
        if status == "declined":
            if not reason.strip():
                raise ValidationError(_("Record the reason the partner gave for declining."),
                                      "reason")
            changes["declined_reason"] = self._seal(referral_id, "declined_reason",
                                                    v.text(reason, "reason", limit=2000))
        if status == "completed":
            changes["outcome"] = self._seal(referral_id, "outcome",
                                            v.text(outcome, "outcome", limit=2000))
        sets = ", ".join(f"{k} = :{k}" for k in changes)
        with self._ctx.write(Action.MANAGE_REFERRALS, Event.RECORD_UPDATED, scope=scope,
                             target_type="referral", target_id=referral_id,
                             details={"fields": sorted(changes)}) as db:
            db.execute(f"UPDATE referrals SET {sets}, updated_at = :now, updated_by = :me,"  # noqa: S608
                       " row_version = row_version + 1 WHERE id = :id",
                       {**changes, "now": now_utc(), "me": self._ctx.session.user_id,
                        "id": referral_id})
            fresh = db.one("SELECT * FROM referrals WHERE id = :id", {"id": referral_id})
            assert fresh is not None
            open_follow_up = fresh["status"] in ("sent", "accepted") and fresh["follow_up_due"]
            deadlines.sync(db, case_id=row["case_id"], source="referral", source_id=referral_id,
                           dates={"follow_up": fresh["follow_up_due"] if open_follow_up else None})
        return self.get(referral_id)
