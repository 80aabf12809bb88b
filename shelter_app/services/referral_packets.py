"""The referral packet, gathered from a case for the documents service's one path: the
right to produce documents from the case and to manage its referrals, an active partner,
an open referral to it, and the survivor's consent for that partner and every section."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from shelter_app.documents.layout import new_packet_id
from shelter_app.domain import vocab
from shelter_app.domain.roles import Action
from shelter_app.errors import ValidationError
from shelter_app.i18n import _
from shelter_app.services.case_access import CaseAccess
from shelter_app.services.context import ServiceContext
from shelter_app.services.packet_data import chosen_language, document_language, referral_model
from shelter_app.store import directory

if TYPE_CHECKING:
    from shelter_app.services.documents import DocumentService, Produced

REFERRAL_LAYOUT = "referral/1"


def referral_packet(docs: DocumentService, ctx: ServiceContext, services: Any, case_id: str,
                    partner_id: str, *, sections: list[str] | None, language: str | None,
                    encrypt: bool, watermark: str | None, referral_id: str | None,
                    on: dt.date | None, preview: bool, own_copy: bool = False,
                    archival: bool = False) -> Produced:
    today = on or dt.date.today()
    access = CaseAccess(ctx)
    scope = access.require(case_id, Action.PRODUCE_PACKET)
    access.require(case_id, Action.MANAGE_REFERRALS)
    partner = services.partners.get(partner_id)
    directory.require_partner(ctx.db, partner.id)  # no packet for an inactive one
    chosen = vocab.SECTIONS.check_many(
        sections if sections is not None else docs.consented_sections(
            case_id, partner_id, on=today), "sections")
    docs.require_readable(case_id, scope, chosen)
    consents = docs.check_consent(case_id, partner_id, chosen, today)
    referral = _referral(services, case_id, partner_id, referral_id)
    record = services.cases.get(case_id)
    lang = chosen_language(language) if language else document_language(
        partner.document_language,
        document_language(services.settings.get("document_language")))
    organisation, contact = docs.organisation()
    reply = str(services.settings.get("referral_return")).strip()
    packet_id = new_packet_id()
    model = referral_model(
        ctx, record=record, referral=referral, partner=partner, sections=chosen,
        consents=consents, care=services.care, legal=services.legal,
        timeline=services.timeline, language=lang, packet_id=packet_id, today=today,
        organisation=organisation, organisation_contact=contact, watermark=watermark,
        return_channel=reply, survivor_copy=own_copy)
    if not contact.strip() or not reply:  # (after the model: a missing key is said first)
        raise ValidationError(_(
            "A referral packet needs the organisation's contact and how partners return the "
            "feedback slip, so that the partner can answer. An administrator sets both in "
            "Administration, Settings."), "organisation_contact")
    return docs.produce_pdf(
        case_id=case_id, scope=scope, kind="referral", model=model,
        packet_id=packet_id, recipient=partner.name, language=lang, sections=chosen,
        consents=consents, partner_id=partner_id, template="referral",
        template_version=REFERRAL_LAYOUT, encrypt=encrypt, preview=preview,
        archival=archival)


def _referral(services: Any, case_id: str, partner_id: str, referral_id: str | None) -> Any:
    """The referral the packet goes with: the one named, else the open one to the partner."""
    candidates = [r for r in services.referrals.list(case_id) if r.partner_id == partner_id]
    if referral_id:
        found = next((r for r in candidates if r.id == referral_id), None)
    else:
        found = next((r for r in candidates if r.status in ("draft", "sent", "accepted")),
                     None)
    if found is None:
        raise ValidationError(_("There is no open referral to this partner in this case. "
                                "Record the referral (services and reasons) first."),
                              "referral")
    return found
