"""The non-punishment letter, gathered from a case for the documents service's one path.

The letter names the survivor and the measure against her, so it is a document that leaves
the vault like any packet: the user must be allowed to produce documents from the case and
to read its identity and legal sections, the recipient must be an active partner, and the
survivor's consent must cover that partner for both sections (checked here, and again when
it is saved or printed).  A record that does not say how the offence is linked to her
exploitation makes no letter: that link is what the letter asks the authority to weigh.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from shelter_app.documents.layout import new_packet_id
from shelter_app.documents.non_punishment import NonPunishmentLetter, Recognition
from shelter_app.domain.roles import Action
from shelter_app.errors import ValidationError
from shelter_app.i18n import _
from shelter_app.services.case_access import CaseAccess
from shelter_app.services.context import ServiceContext
from shelter_app.services.packet_data import chosen_language, document_language
from shelter_app.store import directory

if TYPE_CHECKING:
    from shelter_app.services.documents import DocumentService, Produced

LETTER_LAYOUT = "non-punishment-letter/1"
SECTIONS = ["identity", "legal"]
# The legal matters that tell an authority how she has been recognised as a victim, once
# they have reached it (an application still being prepared, refused or closed says nothing
# the letter should).
RECOGNITION = ("nrm", "reflection_period", "t_visa", "residence_permit", "criminal_witness")
RECOGNISED = ("filed", "pending", "granted", "appeal")


def non_punishment_letter(docs: DocumentService, ctx: ServiceContext, services: Any,
                          record_id: str, partner_id: str, *, language: str | None,
                          encrypt: bool, watermark: str | None, on: dt.date | None,
                          preview: bool) -> Produced:
    record = services.non_punishment.get(record_id)
    case_id = record.case_id
    scope = CaseAccess(ctx).require(case_id, Action.PRODUCE_PACKET)
    docs.require_readable(case_id, scope, SECTIONS)
    partner = services.partners.get(partner_id)
    directory.require_partner(ctx.db, partner.id)  # no letter to an inactive one
    today = on or dt.date.today()
    consents = docs.check_consent(case_id, partner.id, SECTIONS, today)
    if not record.link.strip():
        raise ValidationError(_("Write how the offence is linked to her exploitation (in the "
                                "Non-punishment tab) before preparing the letter."), "link")
    case = services.cases.get(case_id)
    s = case.survivor
    lang = chosen_language(language) if language else document_language(
        partner.document_language, document_language(services.settings.get("document_language")))
    organisation, contact = docs.organisation()
    packet_id = new_packet_id()
    letter = NonPunishmentLetter(
        packet_id=packet_id, language=lang, today=today, organisation=organisation,
        organisation_contact=contact,
        representative=ctx.session.display_name or ctx.session.username,
        recipient=partner.name, authority=record.authority, reference=record.reference,
        applicant=s["legal_name"],
        birth_date=dt.date.fromisoformat(s["birth_date"]) if s.get("birth_date") else None,
        citizenship=tuple(s.get("citizenship") or ()), measure=record.measure,
        offence=record.offence, measure_on=record.measure_on, link=record.link,
        legal_basis=record.legal_basis,
        recognition=tuple(Recognition(m.matter_type, m.status, m.dates.get("decision_on"))
                          for m in services.legal.list(case_id)
                          if m.matter_type in RECOGNITION and m.status in RECOGNISED),
        watermark=watermark)
    return docs.produce_pdf(
        case_id=case_id, scope=scope, kind="non_punishment", model=letter,
        packet_id=packet_id, recipient=partner.name, language=lang, sections=SECTIONS,
        consents=consents, partner_id=partner.id, template="non-punishment-letter",
        template_version=LETTER_LAYOUT, encrypt=encrypt, preview=preview)
