"""Compensation and restitution claims of a case.

Each claim has a route (criminal court, civil court, state compensation fund, labour
tribunal, other), whom it is against, a status, the amounts claimed and awarded in one
currency (ISO 4217), the payments received, and a filing deadline: while the claim is
being prepared, the deadline is on the Deadlines page, in My day and in the case header.

Everything but the filing deadline is sealed under the legal key in one JSON column
(``details``; docs/VAULT_FORMAT.md, 7.1).  Amounts are kept as decimal text with at most
two decimals ("1250.50"), never as binary floating point.  Access follows the legal
matters: ``case.read_legal`` to read, ``case.edit_legal`` to record.
"""

from __future__ import annotations

import builtins
import datetime as dt
import json
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from babel.numbers import is_currency

from shelter_app.domain import validate as v
from shelter_app.domain import vocab
from shelter_app.domain.audit import Event
from shelter_app.domain.key_classes import KeyName
from shelter_app.domain.roles import Action
from shelter_app.errors import NotFound, ValidationError
from shelter_app.i18n import _
from shelter_app.services.case_access import CaseAccess
from shelter_app.services.context import ServiceContext, keys_not_given
from shelter_app.store import deadlines
from shelter_app.store.audit import now_utc
from shelter_app.store.cases import update as versioned_update
from shelter_app.store.db import Row

DETAILS = ("route", "against", "status", "currency", "claimed", "awarded", "payments", "notes")
# What the creation's audit event names: every field, whatever is filled in.
CREATED_FIELDS = sorted({*DETAILS, "filing_due"} - {"payments"})
OPEN_STATUSES = frozenset({"preparing"})  # the filing deadline stands while preparing
_AMOUNT = re.compile(r"^\d{1,12}(\.\d{1,2})?$")


def amount(value: Any, field: str, *, required: bool = False) -> str:
    """*value* as decimal text ("1250.50"); "" when empty and not required."""
    text = str(value or "").strip().replace(" ", "").replace("\u00a0", "")
    if not text:
        if required:
            raise ValidationError(_("Enter an amount."), field)
        return ""
    if "," in text and "." not in text:
        text = text.replace(",", ".")  # a decimal comma, as most of Europe writes it
    if not _AMOUNT.match(text):
        raise ValidationError(_("Write an amount as digits, with at most two decimals, "
                                "for example 1250.50."), field)
    return str(Decimal(text).quantize(Decimal("0.01")))  # the pattern admits only numbers


@dataclass(frozen=True)
class Payment:
    on: dt.date
    amount: str


@dataclass(frozen=True)
class Claim:
    id: str
    case_id: str
    route: str
    against: str
    status: str
    currency: str
    claimed: str
    awarded: str
    payments: tuple[Payment, ...]
    notes: str
    filing_due: dt.date | None
    row_version: int

    @property
    def received(self) -> str:
        """The total of the payments received, as decimal text."""
        return str(sum((Decimal(p.amount) for p in self.payments), Decimal("0.00")))


class ClaimsService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._access = CaseAccess(ctx)

    @staticmethod
    def _clean(route: str, status: str, currency: str, *, against: str, claimed: Any,
               awarded: Any, notes: str, filing_due: dt.date | str | None
               ) -> tuple[dict[str, Any], str | None]:
        code = str(currency or "").strip().upper()
        if not (len(code) == 3 and is_currency(code)):
            raise ValidationError(_("Give the currency as its three-letter code, for example "
                                    "EUR, GBP or USD."), "currency")
        details = {"route": vocab.CLAIM_ROUTE.check(route, "route"),
                   "against": v.text(against, "against", limit=200),
                   "status": vocab.CLAIM_STATUS.check(status, "status"),
                   "currency": code, "claimed": amount(claimed, "claimed"),
                   "awarded": amount(awarded, "awarded"), "notes": v.note(notes, "notes")}
        return details, v.iso(v.date(filing_due, "filing_due"))

    def open(self, case_id: str, *, route: str, currency: str, status: str = "preparing",
             against: str = "", claimed: Any = "", awarded: Any = "", notes: str = "",
             filing_due: dt.date | str | None = None) -> Claim:
        scope = self._access.require(case_id, Action.EDIT_LEGAL)
        details, due = self._clean(route, status, currency, against=against, claimed=claimed,
                                   awarded=awarded, notes=notes, filing_due=filing_due)
        details["payments"] = []
        claim_id, now, me = str(uuid.uuid4()), now_utc(), self._ctx.session.user_id
        with self._ctx.write(Action.EDIT_LEGAL, Event.RECORD_CREATED, scope=scope,
                             target_type="claim", target_id=claim_id,
                             details={"fields": CREATED_FIELDS}) as db:
            db.execute("INSERT INTO claims (id, case_id, details, filing_due, created_at,"
                       " updated_at, created_by, updated_by) VALUES (:id, :case, :details,"
                       " :due, :now, :now, :me, :me)",
                       {"id": claim_id, "case": case_id, "details": self._seal(claim_id, details),
                        "due": due, "now": now, "me": me})
            self._sync(db, case_id, claim_id, details, due)
        return self.get(claim_id)

    def update(self, claim_id: str, *, route: str, currency: str, status: str,
               against: str = "", claimed: Any = "", awarded: Any = "", notes: str = "",
               filing_due: dt.date | str | None = None,
               version: int | None = None) -> Claim:
        """Replace the claim's fields (its payments stay); refused if it changed since
        *version* was read."""
        current = self.get(claim_id)
        scope = self._access.require(current.case_id, Action.EDIT_LEGAL)
        details, due = self._clean(route, status, currency, against=against, claimed=claimed,
                                   awarded=awarded, notes=notes, filing_due=filing_due)
        details["payments"] = _payments_out(current.payments)
        was = {**_details(current), "filing_due": v.iso(current.filing_due)}
        changed = sorted(k for k, x in {**details, "filing_due": due}.items() if was[k] != x)
        from shelter_app.services.cases import concurrent_change

        if version is not None and version != current.row_version:
            raise concurrent_change()
        if not changed:
            return current
        with self._ctx.write(Action.EDIT_LEGAL, Event.RECORD_UPDATED, scope=scope,
                             target_type="claim", target_id=claim_id,
                             details={"fields": changed}) as db:
            if not versioned_update(db, "claims", claim_id, {
                    "details": self._seal(claim_id, details), "filing_due": due,
                    "updated_at": now_utc(), "updated_by": self._ctx.session.user_id},
                    version):
                raise concurrent_change()
            self._sync(db, current.case_id, claim_id, details, due)
        return self.get(claim_id)

    def add_payment(self, claim_id: str, *, on: dt.date | str, paid: Any) -> Claim:
        """Record a payment received on the claim."""
        current = self.get(claim_id)
        scope = self._access.require(current.case_id, Action.EDIT_LEGAL)
        day = v.date(on, "on", required=True, not_future=True)
        assert day is not None
        value = amount(paid, "amount", required=True)
        if Decimal(value) <= 0:
            raise ValidationError(_("A payment must be more than zero."), "amount")
        details = _details(current)
        details["payments"] = [*details["payments"], {"on": day.isoformat(), "amount": value}]
        from shelter_app.services.cases import concurrent_change

        with self._ctx.write(Action.EDIT_LEGAL, Event.RECORD_UPDATED, scope=scope,
                             target_type="claim", target_id=claim_id,
                             details={"fields": ["payments"]}) as db:
            done = db.execute(
                "UPDATE claims SET details = :d, updated_at = :now, updated_by = :me,"
                " row_version = row_version + 1 WHERE id = :id AND row_version = :v",
                {"d": self._seal(claim_id, details), "now": now_utc(),
                 "me": self._ctx.session.user_id, "id": claim_id, "v": current.row_version})
            if not done.rowcount:  # changed meanwhile: nothing of it is overwritten
                raise concurrent_change()
        return self.get(claim_id)

    def _sync(self, db: Any, case_id: str, claim_id: str, details: dict[str, Any],
              due: str | None) -> None:
        deadlines.sync(db, case_id=case_id, source="claim", source_id=claim_id,
                       dates={"claim_filing": due if details["status"] in OPEN_STATUSES
                              else None})

    def get(self, claim_id: str) -> Claim:
        row = self._ctx.db.one("SELECT * FROM claims WHERE id = :id", {"id": claim_id})
        if row is None:
            raise NotFound(_("No such claim."))
        self._access.require(row["case_id"], Action.READ_LEGAL)
        return self._claim(row)

    def list(self, case_id: str) -> builtins.list[Claim]:
        self._access.require(case_id, Action.READ_LEGAL)
        return [self._claim(r) for r in self._ctx.db.all(
            "SELECT * FROM claims WHERE case_id = :c ORDER BY created_at", {"c": case_id})]

    def _seal(self, claim_id: str, details: dict[str, Any]) -> str:
        return self._ctx.seal(KeyName.LEGAL, "claims", claim_id, "details",
                              json.dumps({k: details[k] for k in DETAILS}, ensure_ascii=False))

    def _claim(self, r: Row) -> Claim:
        opened = self._ctx.unseal(KeyName.LEGAL, "claims", r["id"], "details", r["details"])
        if opened is None:
            raise keys_not_given(reading=True)
        d = json.loads(opened)
        return Claim(r["id"], r["case_id"], d["route"], d["against"], d["status"],
                     d["currency"], d["claimed"], d["awarded"],
                     tuple(Payment(dt.date.fromisoformat(p["on"]), p["amount"])
                           for p in d["payments"]), d["notes"],
                     dt.date.fromisoformat(r["filing_due"]) if r["filing_due"] else None,
                     r["row_version"])


def _payments_out(payments: tuple[Payment, ...]) -> list[dict[str, str]]:
    return [{"on": p.on.isoformat(), "amount": p.amount} for p in payments]


def _details(c: Claim) -> dict[str, Any]:
    return {"route": c.route, "against": c.against, "status": c.status,
            "currency": c.currency, "claimed": c.claimed, "awarded": c.awarded,
            "payments": _payments_out(c.payments), "notes": c.notes}
