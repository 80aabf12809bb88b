"""A case's legal casework and family in the exchange file (docs/IMPORT_EXPORT.md).

Two JSON columns beside the timeline's: ``legal``, an object whose lists hold the case's
legal matters (each with its evidence checklist), criminal proceedings, compensation claims
(with the payments received) and measures against the survivor (non-punishment); and
``family``, the list of her family members and dependants.  ``export cases`` writes
``legal`` only for the cases whose legal matters the exporting account may read, as every
other section.  What names the accounts of one vault stays in it: the log of when she was
told of each stage (its ``survivor_told`` travels), the documents linked to evidence (files
are not in the exchange file; an item keeps its state), status histories and who recorded
what.

Import reads both columns when the row is checked (the shape, and each record's values
through the same checks the services use), and writes the records through the services in
the import's transaction: each is sealed and audited as if typed, and its deadlines are set.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from shelter_app.domain import validate as v
from shelter_app.domain import vocab
from shelter_app.errors import ShelterError, ValidationError
from shelter_app.i18n import _
from shelter_app.i18n.formatting import fill
from shelter_app.services import family, non_punishment
from shelter_app.services.claims import ClaimsService, amount
from shelter_app.services.context import ServiceContext
from shelter_app.services.family import FamilyService
from shelter_app.services.legal import DATE_FIELDS, TEXTS, LegalService
from shelter_app.services.non_punishment import NonPunishmentService
from shelter_app.services.proceedings import ProceedingsService

MATTER_KEYS = {"type", "status", "dates", "evidence", *TEXTS}
EVIDENCE_KEYS = {"label", "required", "state", "reason", "holder"}
PROCEEDING_KEYS = {"authority_kind", "authority", "reference", "role", "stage", "stage_on",
                   "next_hearing", "requested", "granted", "notes", "survivor_told"}
CLAIM_KEYS = {"route", "against", "status", "currency", "claimed", "awarded", "filing_due",
              "notes", "payments"}
MEASURE_KEYS = {*non_punishment.DETAILS, "act_by"}
FAMILY_KEYS = set(family.DETAILS)
LISTS = {"matters": MATTER_KEYS, "proceedings": PROCEEDING_KEYS, "claims": CLAIM_KEYS,
         "non_punishment": MEASURE_KEYS}


@dataclass
class Casework:
    """The checked contents of one row's ``legal`` and ``family`` columns."""

    legal: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    family: list[dict[str, Any]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.family or any(self.legal.values()))


# -- export ------------------------------------------------------------------------------
def legal_to_exchange(ctx: ServiceContext, case_id: str) -> str:
    """The case's legal casework as the ``legal`` column's JSON text ("" for none)."""
    legal = LegalService(ctx)
    out: dict[str, list[dict[str, Any]]] = {
        "matters": [{"type": m.matter_type, "status": m.status, **m.texts(),
                     "dates": {k: d.isoformat() for k, d in m.dates.items() if d},
                     "evidence": [{"label": e.label, "required": e.required,
                                   "state": e.state, "reason": e.reason, "holder": e.holder}
                                  for e in legal.evidence(m.id)]}
                    for m in legal.list(case_id)],
        "proceedings": [{"authority_kind": p.authority_kind, "authority": p.authority,
                         "reference": p.reference, "role": p.role, "stage": p.stage,
                         "stage_on": _iso(p.stage_on), "next_hearing": _iso(p.next_hearing),
                         "requested": list(p.requested), "granted": list(p.granted),
                         "notes": p.notes, "survivor_told": p.survivor_told}
                        for p in ProceedingsService(ctx).list(case_id)],
        "claims": [{"route": c.route, "against": c.against, "status": c.status,
                    "currency": c.currency, "claimed": c.claimed, "awarded": c.awarded,
                    "filing_due": _iso(c.filing_due), "notes": c.notes,
                    "payments": [{"on": p.on.isoformat(), "amount": p.amount}
                                 for p in c.payments]}
                   for c in ClaimsService(ctx).list(case_id)],
        "non_punishment": [{"measure": r.measure, "offence": r.offence,
                            "authority": r.authority, "reference": r.reference,
                            "measure_on": _iso(r.measure_on), "status": r.status,
                            "link": r.link, "legal_basis": r.legal_basis, "notes": r.notes,
                            "act_by": _iso(r.act_by)}
                           for r in NonPunishmentService(ctx).list(case_id)],
    }
    kept = {k: items for k, items in out.items() if items}
    return json.dumps(kept, ensure_ascii=False) if kept else ""


def family_to_exchange(ctx: ServiceContext, case_id: str) -> str:
    """The case's family members as the ``family`` column's JSON text ("" for none)."""
    members = [{"name": m.name, "relationship": m.relationship,
                "birth_date": _iso(m.birth_date), "place": m.place, "country": m.country,
                "at_risk": m.at_risk, "included": m.included, "reason": m.reason,
                "notes": m.notes} for m in FamilyService(ctx).list(case_id)]
    return json.dumps(members, ensure_ascii=False) if members else ""


def _iso(day: Any) -> str | None:
    return day.isoformat() if day else None


# -- import ------------------------------------------------------------------------------
def from_exchange(legal_text: str, family_text: str) -> Casework:
    """Both columns read back and checked; a mistake is refused naming the column, the
    list and the item's number."""
    work = Casework()
    if legal_text.strip():
        raw = _json(legal_text, "legal", dict)
        unknown = set(raw) - set(LISTS)
        if unknown:
            raise ValidationError(fill(_("Legal casework: unknown keys: {keys}"),
                                       keys=", ".join(sorted(unknown))), "legal")
        for name, keys in LISTS.items():
            items = raw.get(name) or []
            if not isinstance(items, list):
                raise ValidationError(fill(_("Legal casework: {name} is a JSON list."),
                                           name=name), "legal")
            work.legal[name] = [_checked(name, n, item, keys, "legal")
                                for n, item in enumerate(items, start=1)]
    if family_text.strip():
        members = _json(family_text, "family", list)
        work.family = [_checked("family", n, item, FAMILY_KEYS, "family")
                       for n, item in enumerate(members, start=1)]
    return work


def _json(text: str, column: str, kind: type) -> Any:
    try:
        raw = json.loads(text)
    except ValueError:
        raw = None
    if not isinstance(raw, kind):
        raise ValidationError(_("The legal casework is a JSON object and the family a JSON "
                                "list, as 'export cases' writes them."), column)
    return raw


def _checked(name: str, n: int, item: Any, keys: set[str], column: str) -> dict[str, Any]:
    try:
        if not isinstance(item, dict):
            raise ValidationError(_("each item is a JSON object"))
        unknown = set(item) - keys
        if unknown:
            raise ValidationError(fill(_("unknown keys: {keys}"),
                                       keys=", ".join(sorted(unknown))))
        CHECKS[name](item)
    except ShelterError as exc:  # a template this vault has not is NotFound
        raise ValidationError(fill(_("{list}, item {n}: {problem}"), list=name, n=n,
                                   problem=exc.message), column) from None
    return item


def _check_matter(m: dict[str, Any]) -> None:
    dates = m.get("dates") or {}
    if not isinstance(dates, dict) or set(dates) - set(DATE_FIELDS):
        raise ValidationError(fill(_("dates: the keys are {keys}"),
                                   keys=", ".join(DATE_FIELDS)))
    # the service's own checks: the dates and their order, the texts, and the template,
    # which must be one this vault has
    LegalService._clean(str(m.get("type") or ""), str(m.get("status") or "preparing"),
                        {k: str(m.get(k) or "") for k in TEXTS}, dict(dates))
    _flags(m.get("evidence") or [], "required")
    for e in m.get("evidence") or []:
        if not isinstance(e, dict) or set(e) - EVIDENCE_KEYS or not str(e.get("label") or ""):
            raise ValidationError(_("evidence: each item has a label"))
        v.text(e.get("label"), "label", limit=500, required=True)
        state = vocab.EVIDENCE_STATE.check(str(e.get("state") or "needed"), "state")
        reason = v.text(e.get("reason"), "reason", limit=500)
        v.text(e.get("holder"), "holder", limit=200)
        if state == "not_applicable" and not reason:
            raise ValidationError(_("Say why this evidence is not applicable."), "reason")


def _flags(items: list[Any], *names: str) -> None:
    """The yes/no keys of *items* are JSON booleans (``true``, ``false``) when present: the
    text "false" is not taken for yes."""
    for item in items:
        if isinstance(item, dict) and any(
                k in item and not isinstance(item[k], bool) for k in names):
            raise ValidationError(fill(_("{keys} are true or false"), keys=", ".join(names)))


def _check_proceeding(p: dict[str, Any]) -> None:
    _flags([p], "survivor_told")
    ProceedingsService._clean(  # the service's own checks: they need no vault
        str(p.get("authority_kind") or ""), str(p.get("role") or ""),
        str(p.get("stage") or ""), authority=str(p.get("authority") or ""),
        reference=str(p.get("reference") or ""), requested=list(p.get("requested") or []),
        granted=list(p.get("granted") or []), notes=str(p.get("notes") or ""),
        stage_on=p.get("stage_on"), next_hearing=p.get("next_hearing"))


def _check_claim(c: dict[str, Any]) -> None:
    ClaimsService._clean(
        str(c.get("route") or ""), str(c.get("status") or "preparing"),
        str(c.get("currency") or ""), against=str(c.get("against") or ""),
        claimed=c.get("claimed"), awarded=c.get("awarded"), notes=str(c.get("notes") or ""),
        filing_due=c.get("filing_due"))
    for p in c.get("payments") or []:
        if not isinstance(p, dict) or not p.get("on"):
            raise ValidationError(_("payments: each has a date (on) and an amount"))
        v.date(p.get("on"), "on", required=True, not_future=True)
        if Decimal(amount(p.get("amount"), "amount", required=True)) <= 0:
            raise ValidationError(_("A payment must be more than zero."), "amount")


def _check_measure(r: dict[str, Any]) -> None:
    non_punishment.clean(**_measure_arguments(r))


def _check_member(m: dict[str, Any]) -> None:
    _flags([m], "at_risk", "included")
    family.clean(**_member_arguments(m))


CHECKS = {"matters": _check_matter, "proceedings": _check_proceeding, "claims": _check_claim,
          "non_punishment": _check_measure, "family": _check_member}


def _measure_arguments(r: dict[str, Any]) -> dict[str, Any]:
    return {"measure": str(r.get("measure") or ""), "offence": str(r.get("offence") or ""),
            "status": str(r.get("status") or "open"),
            **{k: str(r.get(k) or "") for k in ("authority", "reference", "link",
                                                 "legal_basis", "notes")},
            "measure_on": r.get("measure_on"), "act_by": r.get("act_by")}


def _member_arguments(m: dict[str, Any]) -> dict[str, Any]:
    return {"name": str(m.get("name") or ""), "relationship": str(m.get("relationship") or ""),
            "birth_date": m.get("birth_date"), "place": str(m.get("place") or ""),
            "country": m.get("country") or None, "at_risk": m.get("at_risk") is True,
            "included": m.get("included") is True, "reason": str(m.get("reason") or ""),
            "notes": str(m.get("notes") or "")}


def insert(ctx: ServiceContext, case_id: str, work: Casework) -> None:
    """Write *work* (checked by ``from_exchange``) for the case just imported, through the
    services, inside the import's transaction."""
    legal = LegalService(ctx)
    for m in work.legal.get("matters", []):
        texts = {k: str(m.get(k) or "") for k in TEXTS}
        matter_id = legal.create(case_id, str(m["type"]),
                                 status=str(m.get("status") or "preparing"),
                                 dates=dict(m.get("dates") or {}), **texts)
        for e in m.get("evidence") or []:
            item = legal.add_evidence(matter_id, str(e["label"]),
                                      required=e.get("required") is not False)
            if (e.get("state") or "needed") != "needed" or e.get("holder"):
                legal.set_evidence_state(item.id, str(e.get("state") or "needed"),
                                         reason=str(e.get("reason") or ""),
                                         holder=str(e.get("holder") or ""))
    proceedings = ProceedingsService(ctx)
    for p in work.legal.get("proceedings", []):
        proceedings.open(case_id, authority_kind=str(p["authority_kind"]),
                         role=str(p["role"]), stage=str(p["stage"]),
                         authority=str(p.get("authority") or ""),
                         reference=str(p.get("reference") or ""),
                         requested=list(p.get("requested") or []),
                         granted=list(p.get("granted") or []), notes=str(p.get("notes") or ""),
                         stage_on=p.get("stage_on"), next_hearing=p.get("next_hearing"),
                         survivor_told=p.get("survivor_told") is not False)
    claims = ClaimsService(ctx)
    for c in work.legal.get("claims", []):
        claim = claims.open(case_id, route=str(c["route"]), currency=str(c["currency"]),
                            status=str(c.get("status") or "preparing"),
                            against=str(c.get("against") or ""), claimed=c.get("claimed"),
                            awarded=c.get("awarded"), notes=str(c.get("notes") or ""),
                            filing_due=c.get("filing_due"))
        for paid in c.get("payments") or []:
            claims.add_payment(claim.id, on=paid["on"], paid=paid["amount"])
    measures = NonPunishmentService(ctx)
    for r in work.legal.get("non_punishment", []):
        measures.add(case_id, **_measure_arguments(r))
    members = FamilyService(ctx)
    for m in work.family:
        args = _member_arguments(m)
        members.add(case_id, args.pop("name"), args.pop("relationship"), **args)
