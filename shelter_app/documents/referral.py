"""The referral packet: cover letter, referral form and consent summary in the partner's
document language and a feedback slip for the partner to return, in one PDF with one footer
numbering; and, only when she wants it, the survivor's own copy in her language: a document
of its own, numbered on its own, never part of what the partner receives.

The builder prints only what the packet model holds: sections not shared are absent from
it (``packet_model``).  When identity is not shared the case code stands for the person.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak

from shelter_app.documents import blocks as b
from shelter_app.documents.layout import DocumentSpec, Mark, Styles, render, rich, styles
from shelter_app.documents.packet_model import ReferralPacket, Words
from shelter_app.documents.referral_form import partner_kind, referral_form
from shelter_app.domain import vocab
from shelter_app.i18n import N_, translator


def build_referral(packet: ReferralPacket) -> bytes:
    spec = DocumentSpec(recipient=packet.partner_name, packet_id=packet.packet_id,
                        language=packet.language, watermark=packet.watermark)
    st = styles(packet.language)
    story: list[Flowable] = [Mark(packet.language, packet.partner_name)]
    story += cover_letter(packet, st)
    story += [PageBreak(), *referral_form(packet, st)]
    story += [PageBreak(), *consent_summary(packet, st)]
    story += [PageBreak(), *feedback_slip(packet, st)]
    return render(spec, story)


def build_survivor_copy(packet: ReferralPacket) -> bytes:
    """The person's own copy: in her language, addressed to her, its own pages."""
    _ = translator(packet.survivor_language)
    spec = DocumentSpec(recipient=_("the person referred"), packet_id=packet.packet_id,
                        language=packet.survivor_language, watermark=packet.watermark)
    return render(spec, survivor_copy(packet, styles(packet.survivor_language)))


def section_names(w: Words, codes: tuple[str, ...]) -> str:
    return w.terms(vocab.SECTIONS, codes)


def cover_letter(packet: ReferralPacket, st: Styles) -> list[Flowable]:
    w = Words(packet.language)
    _ = w._
    services = w.join(_(s) for s in packet.services) or _("the services named in the form")
    story: list[Flowable] = [
        b.p(packet.organisation, st.heading),
        b.p(w.date(packet.today), st.body), b.gap(),
        b.p(packet.partner_name, st.body),
        *[b.p(line, st.body) for line in packet.partner_address.splitlines() if line.strip()],
        b.gap(6),
        rich(_("Referral {reference}: priority {priority}"), st.heading,
             reference=packet.case_code, priority=w.term(vocab.PRIORITY, packet.priority)),
        b.p(_("Dear colleagues,"), st.body),
        b.p(_("We refer to you a person we support, for: {services}.").format(
            services=services), st.body),
        b.p(_("The enclosed referral form holds only the information the person agreed to "
              "share with you: {sections}. The consent summary shows when they agreed and "
              "until when.").format(sections=section_names(w, packet.sections)), st.body),
        b.p(_("Please treat this packet as confidential: keep it locked away, show it only to "
              "the staff who provide the service, and contact the person only in the ways the "
              "form allows."), st.body),
    ]
    if packet.priority == "emergency":
        story.append(b.p(_("This is an emergency referral: please answer within 24 hours."),
                         st.body))
    if packet.reply_by:
        story.append(b.p(_("Please return the feedback slip by {date}, so that we know the "
                           "person was received.").format(date=w.date(packet.reply_by)),
                         st.body))
    else:
        story.append(b.p(_("Please return the feedback slip, so that we know the person was "
                           "received."), st.body))
    if packet.return_channel:
        story.append(rich(_("How to return it: {channel}"), st.body,
                          channel=packet.return_channel))
    story += [b.gap(6), b.p(_("Yours sincerely,"), st.body), b.gap(8),
              b.p(packet.referrer, st.body), b.p(packet.organisation, st.body)]
    if packet.organisation_contact:
        story.append(b.p(packet.organisation_contact, st.body))
    return story


def consent_summary(packet: ReferralPacket, st: Styles) -> list[Flowable]:
    w = Words(packet.language)
    _ = w._
    story: list[Flowable] = [
        b.p(_("Consent summary"), st.title),
        rich(_("The person agreed to share the following with {partner}. Only these sections "
               "appear in this packet."), st.body, partner=packet.partner_name),
    ]
    rows = []
    for code in vocab.SECTIONS.codes():
        covering = [c for c in packet.consents if code in c.sections]
        included = code in packet.sections
        first = covering[0] if covering and included else None
        rows.append([w.term(vocab.SECTIONS, code), w.yes_no(included),
                     w.date(first.given_on) if first else "",
                     (w.date(first.expires_on) or _("No expiry date")) if first else ""])
    story.append(b.grid([_("Section"), _("Shared"), _("Consent given on"), _("Consent expires")],
                        rows, st, widths=[55 * mm, 29 * mm, 43 * mm, 43 * mm]))
    for consent in packet.consents:
        given_by = w.term(vocab.CONSENT_GIVEN_BY, consent.given_by)
        if consent.given_by == "guardian" and consent.guardian_name and packet.identity:
            given_by += f" ({consent.guardian_name})"
        facts = [
            (_("Sections"), section_names(w, consent.sections)),
            (_("Given by"), given_by),
            (_("How"), w.term(vocab.CONSENT_METHOD, consent.method)),
            (_("Interpreter"), w.languages([consent.interpreter_language])
             if consent.interpreter_language else _("None")),
            (_("Given on"), w.date(consent.given_on)),
            (_("Expires"), w.date(consent.expires_on) or _("No expiry date")),
            (_("Purpose"), consent.purpose),
        ]
        story += [b.p(_("Consent recorded on {date}").format(date=w.date(consent.given_on)),
                      st.heading), b.fields(facts, st)]
    story += [b.gap(), b.p(_("The person may withdraw this consent at any time. If we tell you "
                             "that they have, do not use the information further and tell us "
                             "what you hold."), st.small)]
    return story


# what each kind of partner can answer (referral_form.partner_kind), and what it says next
OUTCOMES: dict[str, tuple[tuple[str, ...], str]] = {
    "health": ((N_("Appointment given"), N_("Declined")), N_("First appointment")),
    "legal": ((N_("Case taken on"), N_("Advice given, case not taken on"), N_("Declined")),
              N_("Lawyer or adviser")),
    "labour": ((N_("Inspection or complaint opened"), N_("Not within our remit")),
               N_("Inspection reference")),
    "shelter": ((N_("Place offered"), N_("No place available")), N_("Date of arrival")),
    "other": ((N_("Accepted"), N_("Declined")), N_("First appointment")),
}


def feedback_slip(packet: ReferralPacket, st: Styles) -> list[Flowable]:
    w = Words(packet.language)
    _ = w._
    outcomes, first = OUTCOMES[partner_kind(packet.partner_type)]
    return [
        b.p(_("Feedback slip"), st.title),
        rich(_("Please fill in and return to {organisation}."), st.body,
             organisation=packet.organisation),
        b.fields([(_("Packet"), packet.packet_id), (_("Reference"), packet.case_code),
                  (_("From"), packet.partner_name)], st),
        b.gap(),
        b.p(_("Outcome"), st.heading),
        b.choices([*[_(x) for x in outcomes], _("Could not reach the person")], st),
        b.gap(2),
        b.fields([(_("Received on"), ""), (_(first), ""),
                  (_("Contact person"), ""), (_("If declined, why"), "")], st),
        b.write_lines(3),
        b.signature([_("Signature"), _("Date")], st),
        b.gap(6),
        b.boxed([rich(_("Return to: {referrer}, {organisation}"), st.body,
                      referrer=packet.referrer, organisation=packet.organisation),
                 b.p(packet.organisation_contact, st.body),
                 *([rich(_("How to return it: {channel}"), st.body,
                         channel=packet.return_channel)] if packet.return_channel else []),
                 b.p(_("Do not write the person's name on this slip: the reference is "
                       "enough."), st.small)]),
    ]


def _when(packet: ReferralPacket, w: Words, st: Styles) -> list[Flowable]:
    """When she will hear: from them only if they were given a way to reach her."""
    _ = w._
    if "contact" in packet.sections:
        said = _("They may contact you in the ways you agreed to, or your contact person will "
                 "tell you the day and time.")
    else:
        said = _("They do not have your address or telephone number: your contact person "
                 "will tell you the day and time.")
    story = [b.p(said, st.body)]
    if packet.reply_by:
        story.append(rich(_("We expect their answer by {date}."), st.body,
                          date=w.date(packet.reply_by)))
    return story


def survivor_copy(packet: ReferralPacket, st: Styles) -> list[Flowable]:
    """The person's own page, in their language.  Deliberately discreet: no name and no word
    that says what the help is for, in case someone else finds it."""
    w = Words(packet.survivor_language)
    _ = w._
    used = [c for c in packet.consents if set(c.sections) & set(packet.sections)]
    expires = [c.expires_on for c in used if c.expires_on]
    story: list[Flowable] = [
        b.p(_("Your referral"), st.title),
        b.fields([(_("Reference"), packet.case_code), (_("Date"), w.date(packet.today))], st),
        b.p(_("Where to go"), st.heading),
        b.p(packet.partner_name, st.body),
        *[b.p(line, st.body) for line in packet.partner_address.splitlines() if line.strip()],
        b.p(_("When"), st.heading),
        *_when(packet, w, st),
        b.p(_("Who to contact"), st.heading),
        b.p(packet.referrer, st.body), b.p(packet.organisation, st.body),
    ]
    if packet.organisation_contact:
        story.append(b.p(packet.organisation_contact, st.body))
    story += [
        b.p(_("What we shared"), st.heading),
        b.p(_("With your agreement we gave them: {sections}. Nothing else.").format(
            sections=section_names(w, packet.sections)), st.body),
    ]
    if "identity" not in packet.sections:
        story.append(b.p(_("They do not know your name: show them the reference above."),
                         st.body))
    if "health" in packet.sections:
        story.append(b.p(_("They know about your health needs, as you agreed, so that they "
                           "can help with them."), st.body))
    if used:
        story.append(rich(_("You agreed on {given}; your agreement lasts until {until}."),
                          st.body, given=w.date(min(c.given_on for c in used)),
                          until=w.date(min(expires)) if expires else _("you withdraw it")))
    story += [
        b.p(_("How to withdraw your consent"), st.heading),
        rich(_("You can withdraw your consent at any time, for any reason, by telling {person} "
               "or anyone at {organisation}. From that day we share nothing more. Withdrawing "
               "does not change the help you receive from us."), st.body,
             person=packet.referrer, organisation=packet.organisation),
        b.gap(),
        b.boxed([b.p(_("Keep this page in a safe place."), st.body)]),
    ]
    return story
