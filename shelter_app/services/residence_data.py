"""Gathering a case into a residence-status packet, and the pre-flight check that lists
everything still missing before anything is produced."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shelter_app.documents import packet_model as m
from shelter_app.documents.assemble import problem
from shelter_app.documents.residence import EvidenceLine, Exhibit, letter
from shelter_app.documents.templates import Template
from shelter_app.domain import vocab
from shelter_app.domain.records import CaseRecord
from shelter_app.i18n import N_, _, current_language, is_rtl
from shelter_app.i18n.formatting import isolated, join_list
from shelter_app.services.attachments import AttachmentService
from shelter_app.services.evidence import EvidenceItem
from shelter_app.services.family import FamilyService
from shelter_app.services.legal import DEADLINE_LABELS, LegalMatter, LegalService
from shelter_app.services.timeline import TimelineService

DATE_LABELS = {**DEADLINE_LABELS, "reflection_start": N_("Reflection period starts"),
               "filed_on": N_("Filed on"), "decision_on": N_("Decision on"),
               "permit_from": N_("Permit granted from")}


class Missing(str):
    """One missing item, worded for any user of the application (no command-line syntax);
    ``field`` names the choice it concerns when there is one (``recipient``, ``consent``), so
    a front end can add its own hint, as the command line adds ``--to``; for the evidence,
    ``field`` is ``evidence`` (``ref``: the checklist item to complete) or ``checklist``
    (``ref``: the matter whose checklist lacks it), so a front end can open it."""

    field: str
    ref: str

    def __new__(cls, text: str, field: str = "", ref: str = "") -> Missing:
        item = super().__new__(cls, text)
        item.field = field
        item.ref = ref
        return item


@dataclass(frozen=True)
class Gathered:
    matter: LegalMatter | None
    # (item, requirement id, attachment id): one per document, in packet order
    items: tuple[tuple[EvidenceItem, str | None, str], ...]
    missing: tuple[str, ...]
    # every item of the checklist with the requirement it meets (for the letter's claims)
    checklist: tuple[tuple[EvidenceItem, str | None], ...] = ()


def _place(text: str) -> str:
    return " ".join(text.casefold().split())


def fits(matter: LegalMatter, template: Template) -> bool:
    """Whether a packet from *template* may be built from *matter*: one of its types,
    prepared with it or with no template, and recorded for its jurisdiction (or for none).
    A matter prepared with the template fits whatever jurisdiction it names."""
    if matter.matter_type not in template.matter_types:
        return False
    if matter.template_id:
        return matter.template_id == template.id
    return not matter.jurisdiction.strip() or _place(matter.jurisdiction) == _place(
        template.jurisdiction)


def matters_for(legal: LegalService, case_id: str, template: Template,
                matters: list[LegalMatter] | None = None) -> list[LegalMatter]:
    """The case's matters (*matters* if read already) a packet from *template* may be
    built from, open ones first."""
    found = [x for x in (legal.list(case_id) if matters is None else matters)
             if fits(x, template)]
    return [x for x in found if x.status != "closed"] + [x for x in found
                                                         if x.status == "closed"]


def describe(matter: LegalMatter) -> str:
    """One line naming a matter for a person choosing it (never the survivor's name)."""
    parts = [vocab.LEGAL_MATTER_TYPE.label(matter.matter_type), matter.jurisdiction.strip(),
             matter.authority_ref.strip(), vocab.LEGAL_MATTER_STATUS.label(matter.status)]
    if is_rtl(current_language()):  # each part kept whole beside Latin ones
        parts = [isolated(p) if p else p for p in parts]
    return join_list(parts)


def choose_matter(legal: LegalService, case_id: str, template: Template,
                  matter_id: str | None) -> tuple[LegalMatter | None, str]:
    """The matter a packet is built from, and what is wrong with the choice ("" if nothing).

    The one the volunteer chose (*matter_id*), if it fits the template (``fits``);
    otherwise the only open matter prepared with this template, or else the only open one
    that fits, or else the only closed one.  Where two or more are equally likely the choice
    is refused with the candidates named (``field`` ``matter``): a UK packet is never filled
    with the Italian matter's evidence, nor with the wrong one of two UK matters."""
    matters = legal.list(case_id)
    if matter_id:
        chosen = next((x for x in matters if x.id == matter_id), None)
        if chosen is None:
            return None, _("The chosen legal matter is not one of this case's.")
        if chosen.matter_type not in template.matter_types:
            return None, _("The chosen legal matter is a {kind}, not one this template is "
                           "for.").format(kind=vocab.LEGAL_MATTER_TYPE.label(chosen.matter_type))
        if chosen.template_id and chosen.template_id != template.id:
            return None, _("The chosen legal matter is prepared with another template "
                           "({template}).").format(template=chosen.template_id)
        if not fits(chosen, template):
            return None, Missing(_(
                "The chosen legal matter is recorded for {place}; this template is for "
                "{jurisdiction}. Choose the template for the matter in its Legal matters tab "
                "if it applies there.").format(place=chosen.jurisdiction.strip(),
                                               jurisdiction=template.jurisdiction),
                "matter", chosen.id)
        return chosen, ""
    fitting = matters_for(legal, case_id, template)
    open_ = [x for x in fitting if x.status != "closed"]
    for group in ([x for x in open_ if x.template_id == template.id], open_, fitting):
        if len(group) == 1:
            return group[0], ""
        if group:
            return None, Missing(_(
                "More than one legal matter fits this template; choose one: {matters}."
            ).format(matters="; ".join(describe(x) for x in group)), "matter",
                ",".join(x.id for x in group))
    return None, ""


def gather(*, legal: LegalService, attachments: AttachmentService, record: CaseRecord,
           template: Template, matter_id: str | None, aside: set[str] | None = None
           ) -> Gathered:
    """The evidence in packet order (the template's requirements first, in the template's
    order, then the other items of the checklist) and every missing item.  Attachments
    *aside* (translations, placed after what they translate) are no exhibits of their own."""
    missing: list[str] = []
    survivor = record.survivor
    if not survivor.get("birth_date") and survivor.get("estimated_age") is None:
        missing.append(_("Date of birth or age of the applicant"))
    if not survivor.get("citizenship"):
        missing.append(_("Citizenship of the applicant"))
    matter, wrong = choose_matter(legal, record.id, template, matter_id)
    if matter is None:
        missing.append(wrong or _("A legal matter of type {types} in this case").format(
            types=" / ".join(vocab.LEGAL_MATTER_TYPE.label(t) for t in template.matter_types)))
        return Gathered(None, (), tuple(missing))
    checklist = legal.evidence(matter.id)
    assigned = [(item, template.requirement_for(item.label)) for item in checklist]
    covered: set[str] = set()
    for requirement in template.requirements:
        mine = [item for item, r in assigned if r is not None and r.id == requirement.id]
        if not requirement.required:
            continue
        covered.update(item.id for item in mine)
        if not mine:
            missing.append(Missing(_("Not on the evidence checklist: {label}").format(
                label=requirement.label), "checklist", matter.id))
        elif all(item.missing for item in mine):
            asked = next((item for item in mine if item.state == "requested"), mine[0])
            missing.append(Missing((_("Requested, not yet received: {label}")
                                    if asked.state == "requested" else
                                    _("No document attached: {label}")).format(
                label=requirement.label), "evidence", asked.id))
    for item in checklist:
        if item.missing and item.id not in covered:
            missing.append(Missing((_("Requested, not yet received: {label}")
                                    if item.state == "requested" else
                                    _("No document attached: {label}")).format(
                label=item.label), "evidence", item.id))
    order = {r.id: n for n, r in enumerate(template.requirements)}
    ranked = sorted(((item, r.id if r else None, attachment) for item, r in assigned
                     for attachment in item.attachment_ids
                     if attachment not in (aside or set())),
                    key=lambda entry: order.get(entry[1] or "", len(order)))
    return Gathered(matter, tuple(ranked), tuple(missing),
                    tuple((item, r.id if r else None) for item, r in assigned))


def exhibits(attachments: AttachmentService, gathered: Gathered,
             translations: dict[str, tuple[str, str | None]]
             ) -> tuple[tuple[Exhibit, ...], list[str]]:
    """The exhibits (content read from the vault, with the translations named for their
    evidence items) and the attachments that cannot be used."""
    out: list[Exhibit] = []
    problems: list[str] = []
    item_case = gathered.matter.case_id if gathered.matter else ""
    case_documents: set[str] | None = None
    for n, (item, requirement, attachment) in enumerate(gathered.items):
        info, data = attachments.content(attachment)
        trouble = problem(info.media_type, data)
        if trouble:
            problems.append(_("Exhibit {letter} ({label}) cannot be used: {problem}").format(
                letter=letter(n), label=item.label, problem=trouble))
        language, translated = translations.get(item.id, (None, None))
        translation = None
        if translated:
            if case_documents is None:  # read once, and only when a translation is named
                case_documents = {a.id for a in attachments.list(item_case)}
            if translated not in case_documents:  # never read another case's document
                problems.append(_("The translation named for {label} is not a document of "
                                  "this case.").format(label=item.label))
            else:
                t_info, t_data = attachments.content(translated)
                trouble = problem(t_info.media_type, t_data)
                if trouble:
                    problems.append(_("The translation of exhibit {letter} cannot be used: "
                                      "{problem}").format(letter=letter(n), problem=trouble))
                translation = (t_info.label or t_info.file_name, t_info.media_type, t_data)
        out.append(Exhibit(item.label, info.media_type, data, requirement, language,
                           translation))
    return tuple(out), problems


def evidence_lines(gathered: Gathered) -> tuple[EvidenceLine, ...]:
    """The checklist as the letter and the elements checklist read it."""
    def status(item: EvidenceItem) -> str:
        if item.attachment_ids:
            return "enclosed"
        if item.state == "not_applicable":
            return "not_applicable"
        return "missing" if item.missing else "pending"
    return tuple(EvidenceLine(requirement, item.label, status(item), item.reason)
                 for item, requirement in gathered.checklist)


def is_minor(birth_date: str | None, estimated_age: int | None, on: dt.date) -> bool:
    """Under 18 on *on*, by the date of birth, else by the estimated age."""
    if birth_date:
        born = dt.date.fromisoformat(birth_date)
        return (on.year - born.year - ((on.month, on.day) < (born.month, born.day))) < 18
    return estimated_age is not None and estimated_age < 18


def translation_problems(gathered: Gathered, translations: dict[str, tuple[str, str | None]],
                         template: Template, draft: bool) -> list[str]:
    """What is wrong with the documents marked as translated: one not in the matter's
    evidence, one "translated" from the packet's own language (no certificate is wanted),
    and, unless a draft, one whose translation is not attached."""
    items = {item.id: item for item, _r, _a in gathered.items}
    out: list[str] = []
    for key, (language, attachment) in translations.items():
        item = items.get(key)
        if item is None:
            out.append(_("The document marked as translated is not in this matter's evidence "
                         "(item {id}).").format(id=key))
        elif language.split("-")[0].split("_")[0] == template.language:
            out.append(Missing(_(
                "{label} is marked as translated from the packet's own language: no "
                "translator's certificate is wanted for it.").format(label=item.label),
                "evidence", item.id))
        elif attachment is None and not draft:
            out.append(Missing(_("The translation of {label} is not named: add it to the "
                                 "case's documents and name it as the translation, or make a "
                                 "draft.").format(label=item.label), "evidence", item.id))
    return out


def matter_dates(matter: LegalMatter | None, legal: LegalService | None = None
                 ) -> tuple[tuple[str, dt.date], ...]:
    """The matter's dates, and the deadlines computed from them (the renewal before the
    permit expires, the appeal window after a refusal) when *legal* is given."""
    if matter is None:
        return ()
    dates = [(DATE_LABELS[k], d) for k, d in matter.dates.items() if d and k in DATE_LABELS]
    if legal is not None:
        entered = {(DATE_LABELS[k], d) for k, d in matter.dates.items() if d}
        dates += [(DATE_LABELS[x.kind], x.due_on) for x in legal.open_deadlines(matter.id)
                  if x.kind in DATE_LABELS and (DATE_LABELS[x.kind], x.due_on) not in entered]
    return tuple(dates)


def events(timeline: TimelineService, case_id: str) -> tuple[m.Event, ...]:
    return tuple(m.Event(e.stage, e.place, e.country, e.date_from, e.date_to, e.description,
                         e.approximate) for e in timeline.list(case_id))


def relatives(family: FamilyService, case_id: str) -> list[m.Relative]:
    """The case's family members included in an application, for the worksheets."""
    return [m.Relative(r.name, r.relationship, r.birth_date, r.place, r.country, r.at_risk,
                       r.included, r.reason, r.notes)
            for r in family.list(case_id) if r.included]
