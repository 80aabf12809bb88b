"""The referral form: what is asked for and why, and the sections the survivor agreed to
share.  Without the identity section the case code stands in every place a name would be."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from shelter_app.documents import blocks as b
from shelter_app.documents.layout import Styles
from shelter_app.documents.packet_model import ReferralPacket, Words
from shelter_app.domain import vocab


def referral_form(packet: ReferralPacket, st: Styles) -> list[Flowable]:
    w = Words(packet.language)
    _ = w._
    story: list[Flowable] = [
        b.p(_("Referral form"), st.title),
        b.fields([
            (_("Reference"), packet.case_code),
            (_("Date of referral"), w.date(packet.today)),
            (_("Priority"), w.term(vocab.PRIORITY, packet.priority)),
            (_("Services requested"), w.join(_(s) for s in packet.services)),
            (_("Reasons"), packet.reason),
            (_("Answer expected by"), w.date(packet.reply_by)),
        ], st),
    ]
    story += needs(packet, w, st)
    story += _person(packet, w, st)
    if packet.contact is not None:
        story += _contact(packet, w, st)
    if packet.situation is not None:
        story += _situation(packet, w, st)
    if packet.access_needs is not None or packet.health is not None:
        story.append(b.heading(_("Health"), st))
        if packet.access_needs:
            story.append(b.fields([(_("Access needs"), packet.access_needs)], st))
        rows = [[w.date(e.day), _(e.label), e.outcome, e.notes] for e in packet.health or ()]
        if rows:
            story.append(b.grid([_("Date"), _("Service"), _("Outcome"), _("Notes")], rows, st,
                                widths=[28 * mm, 40 * mm, 45 * mm, 57 * mm], small=True))
    if packet.legal is not None:
        story.append(b.heading(_("Legal"), st))
        rows = [[w.term(vocab.LEGAL_MATTER_TYPE, m.matter_type),
                 w.term(vocab.LEGAL_MATTER_STATUS, m.status), m.jurisdiction,
                 "; ".join(f"{_(k)}: {w.date(d)}"
                           for k, d in m.deadlines)] for m in packet.legal]
        story.append(b.grid([_("Matter"), _("Status"), _("Jurisdiction"), _("Deadlines")], rows,
                            st, widths=[40 * mm, 30 * mm, 35 * mm, 65 * mm], small=True)
                     if rows else b.p(_("No legal matters recorded."), st.body))
    if packet.services_received is not None:
        story.append(b.heading(_("Services received"), st))
        rows = [[w.date(e.day), _(e.label), e.provider] for e in packet.services_received]
        story.append(b.grid([_("Date"), _("Service"), _("Provided by")], rows, st,
                            widths=[35 * mm, 80 * mm, 55 * mm], small=True)
                     if rows else b.p(_("No services recorded."), st.body))
    story += [
        b.heading(_("Referred by"), st),
        b.fields([(_("Name"), packet.referrer), (_("Organisation"), packet.organisation),
                  (_("Contact"), packet.organisation_contact)], st),
    ]
    return story


# What each kind of partner needs first, from what the person agreed to share.
KINDS = {"health": "health", "legal": "legal", "labour_inspection": "labour",
         "shelter": "shelter"}


def partner_kind(partner_type: str) -> str:
    """The kind of answer a partner gives: health, legal, labour, shelter or other."""
    return KINDS.get(partner_type, "other")


def needs(packet: ReferralPacket, w: Words, st: Styles) -> list[Flowable]:
    """The few facts this kind of partner needs first, each from a shared section; one from
    a section not shared says so, so that the partner knows to ask the person."""
    _ = w._
    kind = partner_kind(packet.partner_type)
    if kind == "other":
        return []
    not_shared = _("Not shared ({section})")

    def shared(section: str, value: str) -> str:
        if section in packet.sections:
            return value or _("not recorded")
        return not_shared.format(section=w.term(vocab.SECTIONS, section))

    person, contact, situation = packet.identity, packet.contact, packet.situation
    interpreter = shared("contact", (_("Yes: {language}").format(
        language=w.languages([contact.interpreter_language])) if contact.interpreter_needed
        else _("No")) if contact else "")
    minor = w.yes_no(packet.is_minor)
    rows: list[tuple[str, str]]
    if kind == "health":
        rows = [(_("Interpreter needed"), interpreter),
                (_("Access needs"), shared("health", packet.access_needs or "")),
                (_("Minor"), minor),
                (_("Guardian"), shared("identity", w.join(
                    (person.guardian_name, person.guardian_relationship)) if person else ""))]
        title = _("For the health service")
    elif kind == "legal":
        matters = "; ".join(f"{w.term(vocab.LEGAL_MATTER_TYPE, m.matter_type)}: "
                            f"{w.term(vocab.LEGAL_MATTER_STATUS, m.status)}"
                            for m in packet.legal or ())
        deadlines = "; ".join(f"{_(k)}: {w.date(d)}" for m in packet.legal or ()
                              for k, d in m.deadlines)
        rows = [(_("Legal matters"), shared("legal", matters)),
                (_("Next deadlines"), shared("legal", deadlines)),
                (_("Identity documents"), shared("identity", "; ".join(
                    f"{w.term(vocab.DOCUMENT_TYPE, t)}: {w.term(vocab.DOCUMENT_STATUS, s)}"
                    for t, s in person.documents) if person else "")),
                (_("Identification"), shared("situation", w.recorded(
                    vocab.IDENTIFICATION_STATUS, situation.identification_status)
                    if situation else ""))]
        title = _("For the legal service")
    elif kind == "labour":
        worked = [e for e in (situation.events if situation else ()) if e.stage == "exploitation"]
        rows = [(_("Exploitation"), shared("situation", w.terms(
                    vocab.EXPLOITATION, situation.exploitation_types) if situation else "")),
                (_("Means of control"), shared("situation", w.terms(
                    vocab.MEANS_OF_CONTROL, situation.means_of_control) if situation else "")),
                (_("Where and when"), shared("situation", "; ".join(
                    f"{w.join((e.place, w.country(e.country)))} ({w.when(e)})"
                    for e in worked))),
                (_("Interpreter needed"), interpreter)]
        title = _("For the labour inspection")
    else:
        rows = [(_("Risk level"), shared("situation", w.recorded(
                    vocab.RISK_LEVEL, situation.risk_level) if situation else "")),
                (_("Gender"), shared("identity", w.recorded(vocab.GENDER, person.gender)
                                     if person else "")),
                (_("Minor"), minor),
                (_("Access needs"), shared("health", packet.access_needs or "")),
                (_("Interpreter needed"), interpreter)]
        title = _("For the shelter")
    return [b.heading(title, st), b.fields(rows, st)]


def _person(packet: ReferralPacket, w: Words, st: Styles) -> list[Flowable]:
    _ = w._
    story: list[Flowable] = [b.heading(_("The person"), st)]
    person = packet.identity
    if person is None:
        story.append(b.boxed([b.p(_("Identity not shared: the person is referred to only by the "
                                    "reference {code}.").format(code=packet.case_code),
                                  st.body)]))
        story.append(b.fields([(_("Minor"), w.yes_no(packet.is_minor))], st))
        return story
    age = w.date(person.birth_date) if person.birth_date else (
        _("about {n} years").format(n=person.estimated_age)
        if person.estimated_age is not None else "")
    rows: list[tuple[str, object]] = [
        (_("Name"), person.name),
        (_("Preferred name"), person.preferred_name),
        (_("Other names"), w.join(person.aliases)),
        (_("Date of birth or age"), age),
        (_("Gender"), w.recorded(vocab.GENDER, person.gender)),
        (_("Citizenship"), w.join(w.country(c) for c in person.citizenship)),
        (_("Identity documents"), "; ".join(
            f"{w.term(vocab.DOCUMENT_TYPE, t)}: {w.term(vocab.DOCUMENT_STATUS, s)}"
            for t, s in person.documents)),
        (_("Minor"), w.yes_no(packet.is_minor)),
    ]
    if person.guardian_name:
        rows.append((_("Guardian"), w.join((person.guardian_name,
                                            person.guardian_relationship))))
    story.append(b.fields([r for r in rows if r[1] or r[0] == _("Minor")], st))
    return story


def _contact(packet: ReferralPacket, w: Words, st: Styles) -> list[Flowable]:
    _ = w._
    c = packet.contact
    assert c is not None
    interpreter = (_("Yes: {language}").format(language=w.languages([c.interpreter_language]))
                   if c.interpreter_needed else _("No"))
    rows = [
        (_("Languages"), w.languages(c.languages)),
        (_("Interpreter needed"), interpreter),
    ]
    safe = [
        (_("Safe to call"), w.yes_no(c.safe_to_call)),
        (_("Safe to leave a message"), w.yes_no(c.safe_to_leave_message)),
        (_("Answers withheld numbers"), w.yes_no(c.accepts_withheld_numbers)),
        (_("Preferred way to make contact"), w.term(vocab.CONTACT_METHOD, c.preferred_method)),
        (_("Instructions"), c.instructions),
        (_("Phone"), c.phone), (_("Email"), c.email), (_("Address"), c.address),
        (_("Guardian's contact"), c.guardian_contact),
    ]
    return [
        b.heading(_("Languages"), st), b.fields(rows, st),
        b.heading(_("Safe contact: read before contacting the person"), st),
        b.boxed([b.fields([r for r in safe if r[1]], st, width=154 * mm)]),
    ]


def _situation(packet: ReferralPacket, w: Words, st: Styles) -> list[Flowable]:
    _ = w._
    s = packet.situation
    assert s is not None
    story: list[Flowable] = [
        b.heading(_("Situation"), st),
        b.fields([
            (_("Identification"), w.recorded(vocab.IDENTIFICATION_STATUS,
                                              s.identification_status)),
            (_("Exploitation"), w.terms(vocab.EXPLOITATION, s.exploitation_types)),
            (_("Means of control"), w.terms(vocab.MEANS_OF_CONTROL, s.means_of_control)),
            (_("Risk level"), w.recorded(vocab.RISK_LEVEL, s.risk_level)),
        ], st),
    ]
    if s.events:
        rows = [[w.term(vocab.TIMELINE_STAGE, e.stage), w.when(e),
                 w.join((e.place, w.country(e.country))), e.description]
                for e in s.events]
        story.append(b.grid([_("Stage"), _("When"), _("Where"), _("What happened")], rows, st,
                            widths=[25 * mm, 40 * mm, 40 * mm, 65 * mm], small=True))
    return story
