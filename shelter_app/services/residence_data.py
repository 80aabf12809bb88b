"""Gathering a case into a residence-status packet, and the pre-flight check that lists
everything still missing before anything is produced."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shelter_app.documents import packet_model as m
from shelter_app.documents.assemble import problem
from shelter_app.documents.residence import Exhibit, letter
from shelter_app.documents.templates import Template
from shelter_app.domain import vocab
from shelter_app.domain.records import CaseRecord
from shelter_app.i18n import N_, _
from shelter_app.services.attachments import AttachmentService
from shelter_app.services.legal import DEADLINE_LABELS, EvidenceItem, LegalMatter, LegalService
from shelter_app.services.timeline import TimelineService

DATE_LABELS = {**DEADLINE_LABELS, "reflection_start": N_("Reflection period starts"),
               "filed_on": N_("Filed on"), "decision_on": N_("Decision on")}


class Missing(str):
    """One missing item, worded for any user of the application (no command-line syntax);
    ``field`` names the choice it concerns when there is one (``recipient``, ``consent``), so
    a front end can add its own hint, as the command line adds ``--to``."""

    field: str

    def __new__(cls, text: str, field: str = "") -> Missing:
        item = super().__new__(cls, text)
        item.field = field
        return item


@dataclass(frozen=True)
class Gathered:
    matter: LegalMatter | None
    items: tuple[tuple[EvidenceItem, str | None], ...]  # (item, requirement id), packet order
    missing: tuple[str, ...]


def choose_matter(legal: LegalService, case_id: str, template: Template,
                  matter_id: str | None) -> LegalMatter | None:
    matters = [x for x in legal.list(case_id) if x.matter_type in template.matter_types]
    if matter_id:
        return next((x for x in matters if x.id == matter_id), None)
    open_ones = [x for x in matters if x.status != "closed"]
    chosen = open_ones or matters
    return chosen[-1] if chosen else None


def gather(*, legal: LegalService, attachments: AttachmentService, record: CaseRecord,
           template: Template, matter_id: str | None) -> Gathered:
    """The evidence in packet order (the template's requirements first, in the template's
    order, then the other items of the checklist) and every missing item."""
    missing: list[str] = []
    survivor = record.survivor
    if not survivor.get("birth_date") and survivor.get("estimated_age") is None:
        missing.append(_("Date of birth or age of the applicant"))
    if not survivor.get("citizenship"):
        missing.append(_("Citizenship of the applicant"))
    matter = choose_matter(legal, record.id, template, matter_id)
    if matter is None:
        missing.append(_("A legal matter of type {types} in this case").format(
            types=" / ".join(vocab.LEGAL_MATTER_TYPE.label(t) for t in template.matter_types)))
        return Gathered(None, (), tuple(missing))
    checklist = legal.evidence(matter.id)
    assigned = [(item, template.requirement_for(item.label)) for item in checklist]
    for requirement in template.requirements:
        mine = [item for item, r in assigned if r is not None and r.id == requirement.id]
        if not requirement.required:
            continue
        if not mine:
            missing.append(_("Not on the evidence checklist: {label}").format(
                label=requirement.label))
        elif not any(item.attachment_id for item in mine):
            missing.append(_("No document attached: {label}").format(label=requirement.label))
    for item in legal.missing_evidence(matter.id):
        line = _("No document attached: {label}").format(label=item.label)
        best = template.requirement_for(item.label)
        covered = best is not None and best.required
        if line not in missing and not covered:
            missing.append(line)
    order = {r.id: n for n, r in enumerate(template.requirements)}
    ranked = sorted(((item, r.id if r else None) for item, r in assigned if item.attachment_id),
                    key=lambda pair: order.get(pair[1] or "", len(order)))
    return Gathered(matter, tuple(ranked), tuple(missing))


def exhibits(attachments: AttachmentService, gathered: Gathered,
             translations: dict[str, str]) -> tuple[tuple[Exhibit, ...], list[str]]:
    """The exhibits (content read from the vault) and the attachments that cannot be used."""
    out: list[Exhibit] = []
    problems: list[str] = []
    for n, (item, requirement) in enumerate(gathered.items):
        assert item.attachment_id is not None
        info, data = attachments.content(item.attachment_id)
        trouble = problem(info.media_type, data)
        if trouble:
            problems.append(_("Exhibit {letter} ({label}) cannot be used: {problem}").format(
                letter=letter(n), label=item.label, problem=trouble))
        out.append(Exhibit(item.label, info.media_type, data, requirement,
                           translations.get(letter(n))))
    return tuple(out), problems


def matter_dates(matter: LegalMatter | None) -> tuple[tuple[str, dt.date], ...]:
    if matter is None:
        return ()
    return tuple((DATE_LABELS[k], d) for k, d in matter.dates.items() if d and k in DATE_LABELS)


def events(timeline: TimelineService, case_id: str) -> tuple[m.Event, ...]:
    return tuple(m.Event(e.stage, e.place, e.country, e.date_from, e.date_to, e.description)
                 for e in timeline.list(case_id))
