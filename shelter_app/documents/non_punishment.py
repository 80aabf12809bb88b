"""The non-punishment letter: what a lawyer sends a prosecutor, a court or an immigration
authority that has taken a measure against a victim of trafficking for an offence she was
compelled to commit.

One letter, in the document language chosen: who writes and about whom, the measure and
the offence, how the offence is linked to the exploitation (as the record words it), how
the person has been recognised as a victim so far (the case's legal matters), the
principle and where it is written, the request, and the representative's signature.  The
international sources are cited as published; the domestic provision is the record's
``legal_basis``, written by the lawyer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether

from shelter_app.documents import blocks as b
from shelter_app.documents.layout import DocumentSpec, Mark, para, render, styles, text
from shelter_app.documents.packet_model import Words
from shelter_app.domain import vocab

# Where the principle is written (cited, not quoted).
SOURCES = (
    "Council of Europe Convention on Action against Trafficking in Human Beings "
    "(CETS No. 197, 2005), Article 26",
    "Directive 2011/36/EU of the European Parliament and of the Council, Article 8",
    "Protocol to Prevent, Suppress and Punish Trafficking in Persons (2000), read with the "
    "OHCHR Recommended Principles and Guidelines on Human Rights and Human Trafficking "
    "(2002), Principle 7",
)


@dataclass(frozen=True)
class Recognition:
    """One step in recognising her as a victim: a legal matter, its status and decision."""

    matter_type: str
    status: str
    decided_on: dt.date | None


@dataclass(frozen=True)
class NonPunishmentLetter:
    packet_id: str
    language: str
    today: dt.date
    organisation: str
    organisation_contact: str
    representative: str
    recipient: str  # the partner it is addressed to
    authority: str  # the authority that took the measure, as recorded
    reference: str
    applicant: str
    birth_date: dt.date | None
    citizenship: tuple[str, ...]
    measure: str
    offence: str
    measure_on: dt.date | None
    link: str
    legal_basis: str
    recognition: tuple[Recognition, ...] = ()
    watermark: str | None = None


def _paragraphs(value: str, style: ParagraphStyle) -> list[Flowable]:
    """*value*'s paragraphs (split at blank lines), its line breaks kept."""
    return [para("<br/>".join(text(line) for line in chunk.splitlines()), style)
            for chunk in value.strip().split("\n\n") if chunk.strip()]


def build_non_punishment_letter(letter: NonPunishmentLetter) -> bytes:
    w = Words(letter.language)
    _ = w._
    st = styles(letter.language, scale=0.95)
    spec = DocumentSpec(recipient=letter.recipient, packet_id=letter.packet_id,
                        language=letter.language, watermark=letter.watermark)
    to = [letter.recipient]
    if letter.authority and letter.authority != letter.recipient:
        to.append(letter.authority)
    story: list[Flowable] = [Mark(letter.language, letter.recipient),
                             b.p(letter.organisation, st.heading)]
    if letter.organisation_contact:
        story.append(b.p(letter.organisation_contact, st.small))
    story += [b.gap(4), *_paragraphs("\n".join(to), st.body), b.p(w.date(letter.today), st.body)]
    if letter.reference:
        story.append(b.p(_("Your reference: {reference}").format(reference=letter.reference),
                         st.body))
    story += [b.gap(2),
              b.p(_("Non-punishment of a victim of trafficking in human beings"), st.title)]
    born = w.date(letter.birth_date)
    about: list[tuple[str, object]] = [(_("Name"), letter.applicant)]
    if born:
        about.append((_("Date of birth"), born))
    if letter.citizenship:
        about.append((_("Citizenship"), w.join(w.country(c) for c in letter.citizenship)))
    about += [(_("Measure"), w.term(vocab.NP_MEASURE, letter.measure)),
              (_("Offence"), letter.offence)]
    if letter.measure_on:
        about.append((_("Date of the measure"), w.date(letter.measure_on)))
    story += [b.fields(about, st), b.gap(3),
              b.p(_("We represent the person named above, whom we assist as a victim of "
                    "trafficking in human beings. We write about the measure taken against "
                    "our client for the offence named above, which our client was compelled "
                    "to commit as a direct consequence of being trafficked."), st.body),
              b.p(_("How the offence is linked to the exploitation"), st.heading)]
    story += _paragraphs(letter.link, st.body) or [b.p(_("not recorded"), st.body)]
    if letter.recognition:
        story.append(b.p(_("Recognition as a victim"), st.heading))
        for step in letter.recognition:
            line = "{matter}: {status}".format(matter=w.term(vocab.LEGAL_MATTER_TYPE,
                                                             step.matter_type),
                                               status=w.term(vocab.LEGAL_MATTER_STATUS,
                                                             step.status))
            if step.decided_on:
                line += " (" + _("decided on {day}").format(day=w.date(step.decided_on)) + ")"
            story.append(b.p("• " + line, st.body))
    story += [b.p(_("The principle of non-punishment"), st.heading),
              b.p(_("Victims of trafficking should not be prosecuted, punished or detained "
                    "for offences they were compelled to commit as a direct consequence of "
                    "being trafficked. The principle is set out in:"), st.body)]
    story += [b.p("• " + source, st.small) for source in SOURCES]
    if letter.legal_basis:
        story += [b.gap(2), b.p(_("In domestic law: {provision}").format(
            provision=letter.legal_basis), st.body)]
    story += [b.p(_("Our request"), st.heading),
              b.p(_("We ask you to take our client's situation as a victim of trafficking into "
                    "account, to refrain from prosecuting, punishing or detaining our client "
                    "for this offence, or to discontinue the measure, and to let us know "
                    "your decision. We will gladly provide any further information."),
                  st.body),
              KeepTogether([b.gap(3), b.p(_("Yours faithfully,"), st.body),
                            b.signature([letter.representative], st, width=80 * mm, at_start=True),
                            b.p(letter.organisation, st.small)])]
    return render(spec, story)
