"""Gathering a case into a referral packet model: only the sections chosen (already checked
against consent by the caller), and, without the identity section, every name in free text
replaced by the case code."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from shelter_app.documents import packet_model as m
from shelter_app.domain import names
from shelter_app.domain.key_classes import KeyName
from shelter_app.domain.records import CaseRecord
from shelter_app.services.care import CareService
from shelter_app.services.consent import Consent
from shelter_app.services.context import ServiceContext, keys_not_given
from shelter_app.services.legal import DEADLINE_LABELS, LegalService
from shelter_app.services.referrals import Referral
from shelter_app.services.timeline import TimelineService

_WORD = re.compile(r"\w+", re.UNICODE)
DOCUMENT_LANGUAGES = ("en", "es", "fr", "it", "ar", "ru", "uk", "ro", "vi")


def chosen_language(code: str) -> str:
    """A language asked for by the user: one documents are written in, or a refusal that
    lists them."""
    language = document_language(code, "")
    if not language:
        from shelter_app.errors import ValidationError
        from shelter_app.i18n import _

        raise ValidationError(_("Documents can be written in: {languages}.").format(
            languages=", ".join(DOCUMENT_LANGUAGES)), "language")
    return language


def document_language(code: str | None, fallback: str = "en") -> str:
    """*code* if documents can be written in it (by its base language), else *fallback*."""
    base = (code or "").replace("-", "_").split("_")[0].lower()
    return base if base in DOCUMENT_LANGUAGES else fallback


class Redactor:
    """Replaces any word of the survivor's names (and the guardian's) with the case code.
    Words are compared folded (case, accents, invisible characters), so "ANA" and "Aná"
    go too.  Adjacent names collapse into one code."""

    def __init__(self, record: CaseRecord, *, active: bool) -> None:
        s = record.survivor
        sources = [s.get("legal_name", ""), s.get("preferred_name", ""),
                   *s.get("aliases", []), (s.get("guardian") or {}).get("name", "")]
        self.code = record.code
        self.active = active
        self.words = {t for source in sources for t in names.tokens(source or "") if len(t) > 2}

    def __call__(self, value: str | None) -> str:
        text = value or ""
        if not self.active or not self.words or not text:
            return text
        pieces: list[str] = []
        last = 0
        replaced_last = False
        for match in _WORD.finditer(text):
            hit = names.fold(match.group(0)) in self.words
            between = text[last:match.start()]
            if hit and replaced_last and not between.strip():
                last = match.end()
                continue
            pieces.append(between)
            pieces.append(self.code if hit else match.group(0))
            replaced_last = hit
            last = match.end()
        pieces.append(text[last:])
        return "".join(pieces)


def _labels(ctx: ServiceContext) -> dict[str, tuple[str, bool]]:
    """Service type code → (label: a catalogue msgid or a custom label, is health)."""
    return {r["code"]: (r["label"], bool(r["is_health"]))
            for r in ctx.db.all("SELECT code, label, is_health FROM service_types")}


def survivor_language(record: CaseRecord, fallback: str) -> str:
    for code in record.survivor.get("languages") or []:
        if document_language(code, ""):
            return document_language(code)
    return fallback


def referral_model(ctx: ServiceContext, *, record: CaseRecord, referral: Referral,
                   partner: Any, sections: list[str], consents: Iterable[Consent],
                   care: CareService, legal: LegalService, timeline: TimelineService,
                   language: str, packet_id: str, today: dt.date, organisation: str,
                   organisation_contact: str, watermark: str | None,
                   return_channel: str = "", survivor_copy: bool = False) -> m.ReferralPacket:
    if not ctx.vault.keyring.holds(KeyName.CASE):  # the referral's reason would be empty
        raise keys_not_given(reading=True)
    s, c = record.survivor, record.case
    shared = set(sections)
    clean = Redactor(record, active="identity" not in shared)
    labels = _labels(ctx)
    guardian = s.get("guardian") or {}
    identity = None
    if "identity" in shared:
        identity = m.Identity(
            name=s["legal_name"], preferred_name=s.get("preferred_name") or "",
            aliases=tuple(s.get("aliases") or ()),
            birth_date=dt.date.fromisoformat(s["birth_date"]) if s.get("birth_date") else None,
            estimated_age=s.get("estimated_age"), gender=s.get("gender") or "unknown",
            citizenship=tuple(s.get("citizenship") or ()),
            documents=tuple((d["type"], d["status"]) for d in s.get("identity_documents") or ()),
            guardian_name=guardian.get("name", ""),
            guardian_relationship=guardian.get("relationship", ""))
    contact = None
    if "contact" in shared:
        sc = s.get("safe_contact") or {}
        reach = s.get("contact") or {}
        contact = m.Contact(
            phone=reach.get("phone", ""), email=reach.get("email", ""),
            address=clean(reach.get("address", "")),
            safe_to_call=bool(sc.get("safe_to_call")),
            safe_to_leave_message=bool(sc.get("safe_to_leave_message")),
            accepts_withheld_numbers=bool(sc.get("accepts_withheld_numbers")),
            preferred_method=sc.get("preferred_method") or "",
            instructions=clean(sc.get("cover_story", "")),
            languages=tuple(s.get("languages") or ()),
            interpreter_needed=bool(s.get("interpreter_needed")),
            interpreter_language=s.get("interpreter_language") or "",
            guardian_contact=guardian.get("contact", "") if identity else "")
    situation = None
    if "situation" in shared:
        situation = m.Situation(
            identification_status=c.get("identification_status") or "",
            exploitation_types=tuple(c.get("exploitation_types") or ()),
            means_of_control=tuple(c.get("means_of_control") or ()),
            risk_level=c.get("risk_level"),
            events=tuple(m.Event(e.stage, clean(e.place), e.country, e.date_from, e.date_to,
                                 clean(e.description), e.approximate)
                         for e in timeline.list(record.id)))
    entries = care.list(record.id) if shared & {"health", "services"} else []
    health_codes = {code for code, (_label, health) in labels.items() if health}
    if "health" in shared and any(e.waiting_for_key and e.service_code in health_codes
                                  for e in entries):  # never left out of a packet unsaid
        raise keys_not_given(reading=True)
    partners = {r["id"]: r["name"] for r in ctx.db.all("SELECT id, name FROM partners")}

    def entry(e: Any, *, notes: bool) -> m.Entry:
        label = labels.get(e.service_code, (e.service_code, False))[0]
        provider = partners.get(e.partner_id, "") if e.partner_id else organisation
        return m.Entry(label, e.provided_on, provider, clean(e.outcome) if notes else "",
                       clean(e.notes) if notes else "")

    health = services_received = None
    access_needs = None
    if "health" in shared:
        access_needs = clean(s.get("access_needs", ""))
        health = tuple(entry(e, notes=True) for e in entries
                       if labels.get(e.service_code, ("", False))[1] and not e.restricted)
    if "services" in shared:
        services_received = tuple(entry(e, notes=False) for e in entries
                                  if not labels.get(e.service_code, ("", False))[1])
    matters = None
    if "legal" in shared:
        matters = tuple(m.Matter(x.matter_type, x.status, x.jurisdiction, tuple(
            (DEADLINE_LABELS[k], d) for k, d in x.dates.items() if k in DEADLINE_LABELS and d))
            for x in legal.list(record.id))
    used = tuple(m.ConsentLine(tuple(x.sections), x.given_on, x.expires_on, x.given_by,
                               x.guardian_name if identity else "", x.method,
                               x.interpreter_language, clean(x.purpose)) for x in consents)
    return m.ReferralPacket(
        packet_id=packet_id, language=language,
        survivor_language=survivor_language(record, language), today=today,
        organisation=organisation, organisation_contact=organisation_contact,
        referrer=ctx.session.display_name or ctx.session.username,
        partner_name=partner.name, partner_address=partner.address,
        partner_contact=partner.secure_contact, case_code=record.code,
        priority=referral.priority,
        services=tuple(labels.get(code, (code, False))[0] for code in referral.services),
        reason=clean(referral.reason),
        reply_by=dt.date.fromisoformat(referral.follow_up_due) if referral.follow_up_due
        else None,
        sections=tuple(sections), is_minor=bool(s.get("is_minor")), consents=used,
        identity=identity, contact=contact, situation=situation, access_needs=access_needs,
        health=health, legal=matters, services_received=services_received,
        watermark=watermark, return_channel=return_channel, survivor_copy=survivor_copy,
        partner_type=partner.partner_type)
