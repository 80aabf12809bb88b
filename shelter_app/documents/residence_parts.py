"""The generated parts of a residence-status packet (see ``residence``): each returns a story
for ``layout.render``.  Template texts are printed as written (they are in the authority's
language); the packet's own headings are translated into the packet's language."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from shelter_app.documents import blocks as b
from shelter_app.documents.layout import DocumentSpec, Styles, para, sentence, styles, text
from shelter_app.documents.packet_model import Relative, Words
from shelter_app.domain import vocab
from shelter_app.i18n import N_

if TYPE_CHECKING:
    from shelter_app.documents.residence import Exhibit, Placed, ResidencePacket


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _words(packet: ResidencePacket) -> Words:
    """The packet's words: its template's language, dates as its locale writes them."""
    return Words(packet.language, packet.template.formats)


def _width(spec: DocumentSpec) -> float:
    return float(spec.pagesize[0] - 2 * spec.margin)


def fill(packet: ResidencePacket, template_text: str) -> str:
    """A template text with its placeholders filled in."""
    w = _words(packet)
    t = packet.template
    born = w.date(packet.birth_date) if packet.birth_date else (
        w._("age about {n}").format(n=packet.estimated_age)
        if packet.estimated_age is not None else "—")
    values = _Blank(
        date=w.date(packet.today), authority=packet.authority,
        authority_address=t.authority_address,
        applicant=packet.applicant, applicant_label=t.applicant_label, birth_date=born,
        citizenship=w.join(w.country(c) for c in packet.citizenship) or "—",
        reference=packet.reference or "—", reference_label=t.reference_label,
        exhibit_count=str(len(packet.exhibits)), representative=packet.representative,
        organisation=packet.organisation, contact=packet.organisation_contact,
        jurisdiction=t.jurisdiction)
    if "{paragraphs}" in template_text:
        values["paragraphs"] = "\n\n".join(fill(packet, x) for x in paragraphs(packet))
    # labels may hold commas of their own: a list of them is kept apart by semicolons
    addressed = [e.label for e in t.evidenced if _enclosed(packet, e.requirements)]
    values["elements_enclosed"] = "; ".join(addressed) or "—"
    values["elements_missing"] = "; ".join(e.label for e in t.evidenced
                                           if e.label not in addressed) or "—"
    return template_text.format_map(values)


def _enclosed(packet: ResidencePacket, requirements: Any) -> bool:
    return any(x.requirement in set(requirements) for x in packet.exhibits)


def paragraphs(packet: ResidencePacket) -> list[str]:
    """The template's conditional paragraphs the evidence supports, in the template's
    order: a claim is made only for what is enclosed."""
    t = packet.template
    everything = bool(t.evidenced) and all(_enclosed(packet, e.requirements)
                                           for e in t.evidenced)
    out = []
    for x in t.paragraphs:
        kind, _sep, requirement = x.when.partition(":")
        reasons = [e.reason for e in packet.evidence
                   if e.requirement == requirement and e.status == "not_applicable"]
        if (x.when == "all_elements" and everything) or (
                x.when == "some_elements" and not everything) or (
                x.when == "minor" and packet.minor) or (x.when == "adult" and not packet.minor) \
                or (kind == "enclosed" and _enclosed(packet, [requirement])):
            out.append(x.text)
        elif kind == "not_applicable" and reasons:
            said = "; ".join(r for r in reasons if r) or "—"  # typed text: no placeholders
            out.append(x.text.replace("{reason}", said.replace("{", "{{").replace("}", "}}")))
    return out


def _letter_paragraphs(value: str, st: Styles) -> list[Flowable]:
    blocks = [chunk.strip("\n") for chunk in value.strip().split("\n\n")]
    return [para("<br/>".join(text(line) for line in chunk.splitlines()), st.body)
            for chunk in blocks if chunk.strip()]


def cover_letter(packet: ResidencePacket, spec: DocumentSpec) -> list[Flowable]:
    st = styles(packet.language)
    _ = _words(packet)._
    story: list[Flowable] = []
    if packet.draft:
        story.append(b.boxed([
            b.p(_("DRAFT: not ready for filing"), st.heading),
            b.p(_("Missing: {items}").format(items="; ".join(packet.missing)), st.small),
        ], width=_width(spec)))
    story += [b.p(packet.organisation, st.heading), b.gap(2)]
    story += _letter_paragraphs(fill(packet, packet.template.cover_letter), st)
    return story


def _pages(w: Words, first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"


def exhibit_index(packet: ResidencePacket, letters: list[str], placed: list[Placed],
                  spec: DocumentSpec) -> list[Flowable]:
    st = styles(packet.language)
    w = _words(packet)
    _ = w._
    rows = []
    for i, exhibit in enumerate(packet.exhibits):
        where = placed[i] if placed else None
        pages = _pages(w, where.first, where.last) if where else "000–000"
        bates = (f"{spec.bates(where.first)} – {spec.bates(where.last)}" if where and
                 spec.bates_prefix else ("—" if where else "XX-000000 – XX-000000"))
        translated = w.languages([exhibit.translated_from]) if exhibit.translated_from else ""
        rows.append([letters[i], exhibit.label, pages, bates, translated])
    width = _width(spec)
    story: list[Flowable] = [b.p(_("Exhibit index"), st.title),
                             b.p(packet.template.name, st.body)]
    if rows:
        story.append(b.grid([_("Exhibit"), _("Description"), _("Pages"), _("Bates numbers"),
                             _("Translated from")], rows, st, small=True,
                            widths=[16 * mm, width - 108 * mm, 20 * mm, 46 * mm, 26 * mm]))
    else:
        story.append(b.p(_("No exhibits are enclosed."), st.body))
    story.append(b.p(_("Page numbers are those printed at the foot of each page of this "
                       "packet."), st.small))
    return story


def _exhibits_for(packet: ResidencePacket, letters: list[str], requirement_ids: Any
                  ) -> list[str]:
    return [letters[i] for i, x in enumerate(packet.exhibits) if x.requirement in
            set(requirement_ids)]


def element_evidence(packet: ResidencePacket, letters: list[str], requirements: Any
                     ) -> list[str]:
    """What the evidence says of one element: the exhibits enclosed, the items still
    missing, those not applicable and why; never "none" for an element that does not apply."""
    _ = _words(packet)._
    wanted = set(requirements)
    if not wanted:
        return [_("No document shows this: it is argued in the letter, from the facts.")]
    lines = []
    found = _exhibits_for(packet, letters, wanted)
    if found:
        lines.append(_("Enclosed: Exhibit {letters}.").format(letters=", ".join(found)))
    missing = [e.label for e in packet.evidence if e.requirement in wanted
               and e.status == "missing"]
    if missing:
        lines.append(_("Still missing: {items}.").format(items="; ".join(missing)))
    lines += [_("Not applicable: {item} ({reason}).").format(item=e.label,
                                                             reason=e.reason or "—")
              for e in packet.evidence if e.requirement in wanted
              and e.status == "not_applicable"]
    return lines or [_("Nothing on the evidence checklist yet.")]


def elements_checklist(packet: ResidencePacket, letters: list[str], spec: DocumentSpec
                       ) -> list[Flowable]:
    st = styles(packet.language)
    _ = _words(packet)._
    t = packet.template
    rows = []
    for element in t.elements:
        said = element_evidence(packet, letters, element.requirements)
        rows.append([element.label, element.basis,
                     para("<br/>".join(text(x) for x in said), st.small), element.note])
    width = _width(spec)
    story: list[Flowable] = [b.p(_("Elements checklist"), st.title),
                             b.p(t.name, st.body)]
    if rows:
        story.append(b.grid([_("Element"), _("Legal basis"), _("Evidence"), _("Notes")], rows,
                            st, widths=[46 * mm, 36 * mm, 44 * mm, width - 126 * mm],
                            small=True))
    story += [b.p(_("Legal basis"), st.heading), *[b.p(x, st.small) for x in t.legal_basis]]
    return story


def _relative_cell(w: Words, relative: Relative, name: str) -> str:
    """One cell of a family worksheet, in the packet's language."""
    value = getattr(relative, name)
    if name == "relationship":
        return w.term(vocab.FAMILY_RELATIONSHIP, value)
    if name == "birth_date":
        return w.date(value)
    if name == "country":
        return w.country(value)
    if isinstance(value, bool):
        return w.yes_no(value)
    return str(value or "")


def worksheets(packet: ResidencePacket, letters: list[str], spec: DocumentSpec
               ) -> list[Flowable]:
    st = styles(packet.language)
    w = _words(packet)
    _ = w._
    story: list[Flowable] = []
    for sheet in packet.template.worksheets:
        story += [b.p(sheet.title, st.heading), *_letter_paragraphs(sheet.text, st)]
        if sheet.status_of:
            found = _exhibits_for(packet, letters, [sheet.status_of])
            status = (_("Enclosed: Exhibit {letters}.").format(letters=", ".join(found))
                      if found else _("Not enclosed."))
            story.append(b.boxed([b.p(status, st.body)], width=_width(spec)))
        if sheet.columns:
            width = _width(spec)
            rows = [[_relative_cell(w, r, name) for name in sheet.family]
                    for r in packet.family] if sheet.family else []
            story.append(b.grid(list(sheet.columns),
                                rows or [[""] * len(sheet.columns)] * sheet.rows,
                                st, widths=[width / len(sheet.columns)] * len(sheet.columns),
                                small=True, fill_height=None if rows else 9 * mm))
        story.append(b.gap(6))
    return story


def exhibit_cover(packet: ResidencePacket, where: Placed, spec: DocumentSpec
                  ) -> list[Flowable]:
    st = styles(packet.language)
    w = _words(packet)
    _ = w._
    exhibit = next(x for x in packet.exhibits if x.label == where.label)
    story: list[Flowable] = [b.gap(60), b.p(_("Exhibit {letter}").format(letter=where.letter),
                                            st.big), b.p(where.label, st.heading)]
    facts: list[tuple[str, object]] = []
    if exhibit.requirement:
        facts.append((_("Evidence for"), packet.template.requirement(exhibit.requirement).label))
    facts.append((_("Pages"), _pages(w, where.first, where.last)))
    if spec.bates_prefix:
        facts.append((_("Bates numbers"), f"{spec.bates(where.first)} – {spec.bates(where.last)}"))
    if where.translated_from:
        facts.append((_("Translation"), _("Translated from {language}: the translator's "
                                          "certificate follows the exhibit.").format(
            language=w.languages([where.translated_from]))))
    story += [b.gap(), b.fields(facts, st, width=_width(spec))]
    return story


def translator_certificate(packet: ResidencePacket, exhibit: Exhibit, exhibit_letter: str,
                           spec: DocumentSpec) -> list[Flowable]:
    st = styles(packet.language)
    w = _words(packet)
    _ = w._
    source = w.languages([exhibit.translated_from or ""])
    story: list[Flowable] = [
        b.p(_("Translator's certificate"), st.title),
        b.fields([(_("Exhibit"), exhibit_letter), (_("Document"), exhibit.label),
                  (_("Translation"), exhibit.translation[0] if exhibit.translation else
                   _("to be inserted before this certificate")),
                  (_("Translated from"), source),
                  (_("Translated into"), packet.template.translation_target)],
                 st, width=_width(spec)),
        b.gap(6),
        b.p(_("I, ______________________________ (translator's name), certify that I am "
              "competent to translate from {source} into {target}, and that the translation "
              "of Exhibit {letter} is complete and accurate to the best of my knowledge and "
              "ability.").format(source=source, target=packet.template.translation_target,
                                 letter=exhibit_letter), st.body),
        b.signature([_("Signature"), _("Date")], st, width=_width(spec)),
        b.fields([(_("Name"), ""), (_("Address"), ""), (_("Telephone or email"), "")], st,
                 width=_width(spec)),
    ]
    if packet.template.translation_rule:
        story += [b.gap(6), b.p(packet.template.translation_rule, st.small)]
    return story


def translation_placeholder(packet: ResidencePacket, exhibit: Exhibit, exhibit_letter: str,
                            spec: DocumentSpec) -> list[Flowable]:
    """In a draft, where an exhibit's translation is still to go."""
    st = styles(packet.language)
    _ = _words(packet)._
    return [b.gap(60), b.boxed([
        b.p(_("Translation of exhibit {letter}").format(letter=exhibit_letter), st.title),
        b.p(_("The translation of \u201c{label}\u201d into {target} goes here, before the "
              "translator's certificate. Attach it to the evidence item and name it when the "
              "packet is made.").format(label=exhibit.label,
                                        target=packet.template.translation_target),
            st.body)], width=_width(spec))]


def working_notes(packet: ResidencePacket, letters: list[str], spec: DocumentSpec
                  ) -> list[Flowable]:
    """The first page of the working papers: what they are, the matter and template the
    bundle was made from, its exhibits, and what is still missing for filing."""
    st = styles(packet.language)
    w = _words(packet)
    _ = w._
    t = packet.template
    width = _width(spec)
    story: list[Flowable] = [
        b.p(_("Working papers for the legal representative"), st.title),
        b.boxed([b.p(_("Not for filing. These pages are kept apart from the filing bundle: "
                       "they are not part of it and carry no Bates numbers. The personal "
                       "statement is a draft for the applicant to correct in her own words."),
                     st.body)], width=width),
        b.gap(),
        b.fields([(_("Matter"), w.term(vocab.LEGAL_MATTER_TYPE, packet.matter_type)),
                  (_("Status"), w.term(vocab.LEGAL_MATTER_STATUS, packet.matter_status)),
                  (_("Template"), f"{t.name} ({t.version})"),
                  (_("Recipient"), packet.authority),
                  (_("Packet"), packet.packet_id),
                  (_("As of"), w.date(packet.today))], st, width=width),
        b.gap(),
        b.p(_("Exhibits in the filing bundle"), st.heading),
    ]
    story += [b.p(f"{x}: {e.label}", st.body) for x, e in zip(letters, packet.exhibits,
                                                              strict=True)] or [
        b.p(_("None."), st.body)]
    story.append(b.p(_("Still missing for filing"), st.heading))
    story += [b.p(f"• {x}", st.body) for x in packet.missing] or [
        b.p(_("Nothing is missing."), st.body)]
    story.append(b.p(_("The template's sources"), st.heading))
    story.append(b.p(_("Its texts were checked against these on {date}: check them again "
                       "for changes since.").format(date=w.date(t.checked)) if t.checked
                     else _("The template does not say when its texts were checked: check "
                            "them against these before filing."), st.body))
    story += [b.p(x, st.small) for x in t.sources]
    return story


def statement_parts(packet: ResidencePacket) -> list[tuple[str, list[tuple[str, str]]]]:
    """The statement draft's parts: each heading with its lines, (lead, text) — the dates
    and place of a timeline event and what happened, or no lead and the part's prompt in
    brackets when the timeline has nothing for it.  The PDF and the editable copy share it."""
    w = _words(packet)
    parts = []
    for part in packet.template.statement:
        lines = []
        for e in (e for e in packet.events if e.stage in part.stages):
            lead = "; ".join(x for x in (w.when(e), w.join((e.place, w.country(e.country))))
                             if x)
            lines.append((sentence(lead) if lead else "", e.description or "[…]"))
        parts.append((part.heading, lines or [("", f"[{part.prompt}]")]))
    return parts


STATEMENT_NOTE = N_("Prepared from the case timeline for the applicant and their "
                    "representative to check, correct and complete in the applicant's own "
                    "words. Not for filing as it is.")


def statement_draft(packet: ResidencePacket, spec: DocumentSpec) -> list[Flowable]:
    st = styles(packet.language)
    w = _words(packet)
    _ = w._
    t = packet.template
    story: list[Flowable] = [
        b.p(_("Personal statement: draft for review"), st.title),
        b.boxed([b.p(_(STATEMENT_NOTE), st.small)], width=_width(spec)),
        b.gap(), b.p(fill(packet, t.statement_intro), st.body),
    ]
    for heading, lines in statement_parts(packet):
        story.append(b.p(heading, st.heading))
        story += [para((f"<b>{text(lead)}</b> " if lead else "") + text(said), st.body)
                  for lead, said in lines]
    if t.statement_closing:
        story += [b.gap(), b.p(fill(packet, t.statement_closing), st.body)]
    return story


def deadlines_summary(packet: ResidencePacket, spec: DocumentSpec) -> list[Flowable]:
    st = styles(packet.language)
    w = _words(packet)
    _ = w._
    rows = []
    for label, day in sorted(packet.dates, key=lambda x: x[1]):
        left = (day - packet.today).days
        status = (_("Overdue by {n} days").format(n=-left) if left < 0 else
                  _("Today") if left == 0 else _("In {n} days").format(n=left))
        rows.append([_(label), w.date(day), status])
    width = _width(spec)
    story: list[Flowable] = [
        b.p(_("Deadlines summary"), st.title),
        b.fields([(_("Matter"), w.term(vocab.LEGAL_MATTER_TYPE, packet.matter_type)),
                  (_("Status"), w.term(vocab.LEGAL_MATTER_STATUS, packet.matter_status)),
                  (_("As of"), w.date(packet.today))], st, width=width),
        b.gap(),
        b.grid([_("Deadline"), _("Date"), _("Time left")], rows, st,
               widths=[width * 0.45, width * 0.3, width * 0.25])
        if rows else b.p(_("No dated deadlines are recorded for this matter."), st.body),
    ]
    if packet.template.deadlines:
        story += [b.p(_("Time limits in this jurisdiction"), st.heading),
                  b.fields([(d.label, d.note) for d in packet.template.deadlines], st,
                           width=width)]
    return story
