"""The residence-status packet, assembled from a jurisdiction template (``templates``):

the filing bundle — cover letter · exhibit index · elements checklist · worksheets · for
each exhibit a cover sheet, its pages and (when translated) a translator's certificate —
and, as a separate PDF never sent to the authority, the working papers for the legal
representative: what is still missing, a personal-statement draft made from the case
timeline, and a deadlines summary, marked "not for filing" on every page.

Every page of the bundle is stamped after assembly with the footer, the continuation-sheet
header (the applicant's name and the authority's reference) and a Bates number continuous
across the bundle; the working papers have their own page numbers and no Bates numbers.
The exhibit index gives the page each exhibit starts on; as the index's own length moves
those pages, it is laid out again until its page count settles.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from shelter_app.documents import packet_model as m
from shelter_app.documents.assemble import Part, assemble, attachment_pdf
from shelter_app.documents.layout import DocumentSpec, render
from shelter_app.documents.residence_parts import (
    cover_letter,
    deadlines_summary,
    elements_checklist,
    exhibit_cover,
    exhibit_index,
    statement_draft,
    translation_placeholder,
    translator_certificate,
    working_notes,
    worksheets,
)
from shelter_app.documents.templates import Template
from shelter_app.i18n import translator


@dataclass(frozen=True)
class Exhibit:
    label: str
    media_type: str
    data: bytes
    requirement: str | None = None  # the template requirement it meets
    translated_from: str | None = None  # a language code: its translation and a certificate follow
    # the translation itself (an attachment); None: a page saying where it goes (a draft)
    translation: tuple[str, str, bytes] | None = None  # (its label, media type, content)


@dataclass(frozen=True)
class EvidenceLine:
    """One item of the matter's evidence checklist, as the letter and the elements checklist
    need it: the requirement it meets, and whether it is enclosed, still missing or not
    applicable (with the reason)."""

    requirement: str | None
    label: str
    status: str  # enclosed, missing, not_applicable, pending (optional, nothing yet)
    reason: str = ""


@dataclass(frozen=True)
class ResidencePacket:
    packet_id: str
    template: Template
    language: str
    today: dt.date
    organisation: str
    organisation_contact: str
    representative: str
    applicant: str
    birth_date: dt.date | None
    estimated_age: int | None
    citizenship: tuple[str, ...]
    reference: str
    matter_type: str
    matter_status: str
    dates: tuple[tuple[str, dt.date], ...]  # (label msgid, date) of the legal matter
    events: tuple[m.Event, ...]
    exhibits: tuple[Exhibit, ...]
    missing: tuple[str, ...] = ()  # printed on the first page of a draft
    draft: bool = False
    watermark: str | None = None
    bates_prefix: str = ""
    recipient: str = ""  # the authority's office as in the partner directory (else the template's)
    family: tuple[m.Relative, ...] = ()  # those included in the application
    evidence: tuple[EvidenceLine, ...] = ()  # the checklist, item by item
    minor: bool = False  # the applicant is under 18 (date of birth, or estimated age)
    editable: bool = False  # also the letter and the statement draft as Word documents

    @property
    def authority(self) -> str:
        return self.recipient or self.template.authority


@dataclass(frozen=True)
class Placed:
    """Where an exhibit landed: its letter and first and last packet pages."""

    letter: str
    label: str
    first: int
    last: int
    translated_from: str | None = None


@dataclass(frozen=True)
class ResidenceResult:
    pdf: bytes  # the filing bundle
    pages: int
    exhibits: tuple[Placed, ...] = field(default=())
    working: bytes = field(default=b"", repr=False)  # the working papers, never filed
    working_pages: int = 0


def letter(index: int) -> str:
    """A, B, … Z, AA, AB, …"""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


def spec_for(packet: ResidencePacket) -> DocumentSpec:
    t = packet.template
    reference = packet.reference or "—"
    return DocumentSpec(
        recipient=packet.authority, packet_id=packet.packet_id, language=packet.language,
        watermark=packet.watermark, pagesize=t.pagesize,
        header=f"{t.applicant_label}: {packet.applicant}  ·  {t.reference_label}: {reference}",
        bates_prefix=packet.bates_prefix, footer=t.footer)


def working_spec(packet: ResidencePacket) -> DocumentSpec:
    """The working papers' pages: for the representative's eyes, marked on every page as
    not for filing, numbered on their own, without Bates numbers."""
    _ = translator(packet.language)
    spec = spec_for(packet)
    marker = _("Working papers, not for filing")
    return replace(spec, recipient=packet.representative or packet.organisation,
                   watermark=_("NOT FOR FILING"), bates_prefix="", header_from=1,
                   header=f"{marker}  ·  {spec.header}")


def build_residence(packet: ResidencePacket) -> ResidenceResult:
    spec = spec_for(packet)
    lang, recipient = packet.language, packet.authority
    _ = translator(lang)

    def part(story: list[Any], title: str = "") -> Part:
        return Part(render(spec, story, decorated=False), lang, recipient, title=title)

    letters = [letter(i) for i in range(len(packet.exhibits))]
    cover = part(cover_letter(packet, spec), _("Cover letter"))
    after_index = [part(elements_checklist(packet, letters, spec), _("Elements checklist")),
                   *([part(worksheets(packet, letters, spec), _("Worksheets"))]
                     if packet.template.worksheets else [])]
    bodies = [Part(attachment_pdf(x.media_type, x.data, spec.pagesize), lang, recipient,
                   fit=True) for x in packet.exhibits]
    translations: list[Part | None] = [
        None if not x.translated_from else
        Part(attachment_pdf(x.translation[1], x.translation[2], spec.pagesize), lang,
             recipient, fit=True, title=_("Translation of exhibit {letter}").format(
                 letter=letters[i])) if x.translation else
        part(translation_placeholder(packet, x, letters[i], spec),
             _("Translation of exhibit {letter}").format(letter=letters[i]))
        for i, x in enumerate(packet.exhibits)]
    certificates: list[Part | None] = [
        part(translator_certificate(packet, x, letters[i], spec),
             _("Translator's certificate, exhibit {letter}").format(letter=letters[i]))
        if x.translated_from else None for i, x in enumerate(packet.exhibits)]
    working = working_spec(packet)
    back = [Part(render(working, story, decorated=False), lang, working.recipient, title=title)
            for story, title in (
                (working_notes(packet, letters, working), _("Still missing for filing")),
                (statement_draft(packet, working), _("Personal statement: draft for review")),
                (deadlines_summary(packet, working), _("Deadlines summary")))]

    placed: list[Placed] = []
    covers: list[Part] = []
    settled: tuple[int, ...] = ()
    for _attempt in range(5):  # the index's length moves the pages it lists (and so on)
        index = part(exhibit_index(packet, letters, placed, spec), _("Exhibit index"))
        lengths = (index.pages, *(c.pages for c in covers))
        if placed and lengths == settled:
            break
        settled = lengths
        page = 1 + cover.pages + index.pages + sum(p.pages for p in after_index)
        placed = []
        for i, exhibit in enumerate(packet.exhibits):
            certificate, translation = certificates[i], translations[i]
            length = (covers[i].pages if covers else 1) + bodies[i].pages + (
                certificate.pages if certificate else 0) + (
                translation.pages if translation else 0)
            placed.append(Placed(letters[i], exhibit.label, page, page + length - 1,
                                 exhibit.translated_from))
            page += length
        covers = [part(exhibit_cover(packet, p, spec),
                       _("Exhibit {letter}: {label}").format(letter=p.letter, label=p.label))
                  for p in placed]
        if not placed:
            break
    else:
        raise RuntimeError("the exhibit index did not settle")
    parts = [cover, index, *after_index]
    for i in range(len(packet.exhibits)):  # each exhibit, its translation, the certificate
        parts += [covers[i], bodies[i], *(x for x in (translations[i], certificates[i]) if x)]
    return ResidenceResult(assemble(spec, parts), sum(p.pages for p in parts), tuple(placed),
                           assemble(working, back), sum(p.pages for p in back))
