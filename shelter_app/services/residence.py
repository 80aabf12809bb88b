"""Residence-status packets: the pre-flight check, then the packet through the documents
service's one path (permission, consent, build, encryption, record, audit)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shelter_app.documents import templates
from shelter_app.documents.assemble import problem
from shelter_app.documents.layout import new_packet_id
from shelter_app.documents.residence import Exhibit, ResidencePacket, letter
from shelter_app.domain import validate as v
from shelter_app.domain.roles import Action
from shelter_app.errors import NotFound, ValidationError
from shelter_app.i18n import N_, _, translator
from shelter_app.i18n.formatting import fill, language_name
from shelter_app.services.case_access import CaseAccess
from shelter_app.services.consent import ConsentMissing
from shelter_app.services.context import ServiceContext
from shelter_app.services.legal import LegalMatter
from shelter_app.services.packet_data import chosen_language, document_language
from shelter_app.services.residence_data import (
    Gathered,
    Missing,
    events,
    evidence_lines,
    exhibits,
    gather,
    is_minor,
    matter_dates,
    matters_for,
    relatives,
    translation_problems,
)

if TYPE_CHECKING:
    from shelter_app.services.documents import DocumentService, Produced

DRAFT = N_("DRAFT")


@dataclass(frozen=True)
class Preflight:
    """What a residence packet would be built from, and what is still missing."""

    matter: LegalMatter | None
    # (letter, the evidence item's label, its id), in order
    exhibits: tuple[tuple[str, str, str], ...]
    missing: tuple[str, ...]


class ResidenceMaker:
    def __init__(self, ctx: ServiceContext, services: Any, documents: DocumentService) -> None:
        self._ctx = ctx
        self._s = services
        self._docs = documents
        self._access = CaseAccess(ctx)

    def recipient(self, template: templates.Template, recipient_id: str | None,
                  matter: LegalMatter | None = None) -> Any:
        """The partner the packet goes to: the one named; else the directory entry named
        as the matter's authority (the office that decides: "Questura di Latina, Ufficio
        Immigrazione"), or as the template's."""
        if recipient_id:
            return self._s.partners.find(recipient_id)
        # the matter's office when it names one, never another in its place
        name = (matter.authority if matter else "") or template.authority
        try:
            return self._s.partners.find(name)
        except NotFound:
            pass
        raise ValidationError(fill(_(
            "Choose the recipient, or add {authority} to the partner directory and record "
            "the survivor's consent to share with it."),
            authority=name), "recipient")

    def _translations(self, translations: dict[str, str] | None
                      ) -> dict[str, tuple[str, str | None]]:
        """evidence item id → (the language its documents were translated from, the
        attachment holding the translation or None), from ``{item: "LANG[:ATTACHMENT]"}``."""
        clean: dict[str, tuple[str, str | None]] = {}
        for item, said in (translations or {}).items():
            key = item.strip()
            if not key or (key.isalpha() and len(key) <= 3):
                raise ValidationError(_(
                    "Name a translated document by its evidence item (its id in the matter's "
                    "checklist), not by an exhibit letter: letters move as evidence is added."),
                    "translations")
            language, _sep, attachment = said.partition(":")
            clean[key] = (v.language(language.strip(), "translations"),
                          attachment.strip() or None)
        return clean

    def _collect(self, case_id: str, template: templates.Template, *, matter_id: str | None,
                 recipient_id: str | None, translations: dict[str, tuple[str, str | None]],
                 on: dt.date, draft: bool = False
                 ) -> tuple[Any, Gathered, tuple[Exhibit, ...], list[str]]:
        """The case, its evidence and exhibits, and everything missing (recipient and consent
        included), read once."""
        record = self._s.cases.get(case_id)
        gathered = gather(legal=self._s.legal, attachments=self._s.attachments, record=record,
                          template=template, matter_id=matter_id,
                          aside={a for _l, a in translations.values() if a})
        found, problems = exhibits(self._s.attachments, gathered, translations)
        missing = [*gathered.missing, *problems, *translation_problems(
            gathered, translations, template, draft)]
        try:
            partner = self.recipient(template, recipient_id, gathered.matter)
            self._s.consent.check(case_id, partner.id, list(template.sections), on=on)
        except ValidationError as exc:
            missing.append(Missing(str(exc), exc.field or "recipient"))
        except ConsentMissing as exc:
            missing.append(Missing(str(exc), "consent"))
        usable = tuple(x for x in found if not problems or problem(x.media_type, x.data) is None)
        return record, gathered, usable, missing

    @staticmethod
    def language(template: templates.Template, asked: str | None) -> str:
        """The packet's language: the one its template's texts are written in.  Any other
        is refused rather than mixed (headings in one language, the letter in another), as
        is one whose catalogue is not installed."""
        lang = template.language
        if asked and chosen_language(asked) != document_language(lang, lang):
            raise ValidationError(fill(_(
                "The texts of the template {template} are written in {language} only, so "
                "its packet is produced in that language."),
                template=template.name, language=language_name(lang) or lang), "language")
        translator(lang)  # refuses a language whose catalogue is not installed
        return lang

    def matters(self, case_id: str, template_id: str) -> list[LegalMatter]:
        """The case's legal matters a packet from *template_id* may be built from (of its
        types and jurisdiction), open ones first."""
        self._access.require(case_id, Action.PRODUCE_PACKET)
        return matters_for(self._s.legal, case_id, templates.load(template_id))

    def offers(self, case_id: str) -> list[tuple[templates.Template, list[LegalMatter]]]:
        """The templates a packet of this case may be made from, each with the matters
        that fit it: those prepared with a template first, the blank one last."""
        self._access.require(case_id, Action.PRODUCE_PACKET)
        matters = self._s.legal.list(case_id)
        found = [(t, matters_for(self._s.legal, case_id, t, matters))
                 for t in templates.available()]
        return sorted(((t, m) for t, m in found if m), key=lambda offer: (
            offer[0].id == "blank", not any(x.template_id == offer[0].id for x in offer[1]),
            offer[0].name))

    def check(self, case_id: str, template_id: str, *, matter_id: str | None = None,
              recipient_id: str | None = None, translations: dict[str, str] | None = None,
              on: dt.date | None = None) -> Preflight:
        """The pre-flight check: the matter chosen, the exhibits by letter, and every item
        missing, in words for the user (none: ready)."""
        self._access.require(case_id, Action.PRODUCE_PACKET)
        _record, gathered, _usable, missing = self._collect(
            case_id, templates.load(template_id), matter_id=matter_id,
            recipient_id=recipient_id, translations=self._translations(translations),
            on=on or dt.date.today())
        return Preflight(gathered.matter,
                         tuple((letter(n), item.label, item.id)
                               for n, (item, _r, _a) in enumerate(gathered.items)),
                         tuple(missing))

    def preflight(self, case_id: str, template_id: str, *, matter_id: str | None = None,
                  recipient_id: str | None = None, translations: dict[str, str] | None = None,
                  on: dt.date | None = None) -> list[str]:
        """Every item missing for this packet, in words for the user (empty: ready)."""
        return list(self.check(case_id, template_id, matter_id=matter_id,
                               recipient_id=recipient_id, translations=translations,
                               on=on).missing)

    def produce(self, case_id: str, template_id: str, *, matter_id: str | None = None,
                recipient_id: str | None = None, language: str | None = None,
                translations: dict[str, str] | None = None, encrypt: bool = False,
                watermark: str | None = None, bates_prefix: str | None = None,
                draft: bool = False, on: dt.date | None = None, preview: bool = True,
                editable: bool = False, archival: bool = False) -> Produced:
        from shelter_app.services.documents import PreflightFailed

        if editable and encrypt:  # a Word document cannot carry the passphrase
            raise ValidationError(_(
                "Editable Word copies cannot be encrypted. Make the packet without "
                "encryption to have them, or without them to encrypt it."), "editable")
        today = on or dt.date.today()
        scope = self._access.require(case_id, Action.PRODUCE_PACKET)
        template = templates.load(template_id)
        lang = self.language(template, language)  # before anything is read
        sections = list(template.sections)
        self._docs.require_readable(case_id, scope, sections)
        record, gathered, usable, missing = self._collect(
            case_id, template, matter_id=matter_id, recipient_id=recipient_id,
            translations=self._translations(translations), on=today, draft=draft)
        partner = self.recipient(template, recipient_id, gathered.matter)
        consents = self._docs.check_consent(case_id, partner.id, sections, today)
        if missing and not draft:
            raise PreflightFailed(missing)
        s = record.survivor
        organisation, contact = self._docs.organisation()
        matter = gathered.matter
        packet_id = new_packet_id()
        packet = ResidencePacket(
            packet_id=packet_id, template=template, language=lang, today=today,
            organisation=organisation, organisation_contact=contact,
            representative=(matter.representative if matter and matter.representative
                            else self._ctx.session.display_name or self._ctx.session.username),
            applicant=s["legal_name"],
            birth_date=dt.date.fromisoformat(s["birth_date"]) if s.get("birth_date") else None,
            estimated_age=s.get("estimated_age"), citizenship=tuple(s.get("citizenship") or ()),
            reference=matter.authority_ref if matter else "",
            matter_type=matter.matter_type if matter else template.matter_types[0],
            matter_status=matter.status if matter else "preparing",
            dates=matter_dates(matter, self._s.legal), events=events(self._s.timeline, case_id),
            exhibits=usable, missing=tuple(missing), draft=bool(missing),
            watermark=watermark or (translator(lang)(DRAFT) if missing else None),
            bates_prefix=template.bates_prefix if bates_prefix is None else bates_prefix,
            recipient=partner.name,
            family=tuple(relatives(self._s.family, case_id)),
            evidence=evidence_lines(gathered),
            minor=is_minor(s.get("birth_date"), s.get("estimated_age"), today),
            editable=editable)
        return self._docs.produce_pdf(
            case_id=case_id, scope=scope, kind="residence", model=packet, packet_id=packet_id,
            recipient=partner.name, language=lang, sections=sections, consents=consents,
            partner_id=partner.id, template=template.id, template_version=template.version,
            encrypt=encrypt, preview=preview, archival=archival)

