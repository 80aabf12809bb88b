"""Residence-status packet templates: one TOML file per jurisdiction in
``resources/templates/`` (and, for an organisation's own, in the folder named by the
``SHELTER_TEMPLATES`` environment variable).  The legal elements, the evidence each needs,
the cover letter and the worksheets are data, so a lawyer can correct or add a jurisdiction
without touching code; ``blank.toml`` documents every key.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shelter_app.documents.layout import PAGE_SIZES
from shelter_app.domain import vocab
from shelter_app.domain.names import fold
from shelter_app.errors import NotFound, ValidationError
from shelter_app.i18n import _
from shelter_app.resources import resource

# What a worksheet's family_fields may name (services/family.py keeps the same fields).
FAMILY_FIELDS = ("name", "relationship", "birth_date", "place", "country", "at_risk",
                 "included", "reason", "notes")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,40}$")


@dataclass(frozen=True)
class Requirement:
    id: str
    label: str
    match: tuple[str, ...]
    required: bool
    note: str

    def score(self, label: str) -> int:
        """How well an evidence item called *label* names this requirement: the length of
        the longest of the requirement's label and match words it contains (0: not at all),
        so "Form I-914 Supplement B" goes to Supplement B rather than to Form I-914."""
        folded = fold(label)
        return max((len(w) for w in (fold(x) for x in (self.label, *self.match))
                    if w and w in folded), default=0)


@dataclass(frozen=True)
class Element:
    id: str
    label: str
    basis: str
    requirements: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of the cover letter printed only when the evidence supports it (``when``,
    one of WHEN, ``enclosed:<requirement>`` or ``not_applicable:<requirement>``)."""

    when: str
    text: str


# what a conditional paragraph may depend on: every element has enclosed evidence, not every
# one has, the applicant is under 18 (her date of birth or estimated age)
WHEN = ("all_elements", "some_elements", "minor", "adult")


@dataclass(frozen=True)
class Worksheet:
    id: str
    title: str
    text: str
    columns: tuple[str, ...]
    rows: int
    status_of: str  # a requirement id: the sheet says whether its evidence is enclosed
    # with one field of services/family.py DETAILS per column: the table lists the case's
    # family members included in the application
    family: tuple[str, ...] = ()


@dataclass(frozen=True)
class StatementPart:
    heading: str
    stages: tuple[str, ...]
    prompt: str


@dataclass(frozen=True)
class DeadlineNote:
    label: str
    note: str


@dataclass(frozen=True)
class Template:
    id: str
    version: str
    name: str
    jurisdiction: str
    authority: str
    authority_address: str
    language: str
    page_size: str
    bates_prefix: str
    matter_types: tuple[str, ...]
    sections: tuple[str, ...]
    applicant_label: str
    reference_label: str
    legal_basis: tuple[str, ...]
    sources: tuple[str, ...]
    cover_letter: str
    statement_intro: str
    statement_closing: str
    statement: tuple[StatementPart, ...]
    elements: tuple[Element, ...]
    requirements: tuple[Requirement, ...]
    worksheets: tuple[Worksheet, ...]
    deadlines: tuple[DeadlineNote, ...]
    translation_target: str
    translation_rule: str
    path: Path
    paragraphs: tuple[Paragraph, ...] = ()  # printed at {paragraphs} in the cover letter
    # days before a granted permit expires that its renewal is due (services/legal.py)
    renewal_notice_days: int = 90
    # days from a refusal within which it can be appealed or reviewed; 0: none is given
    appeal_days: int = 0
    # how dates and numbers are written (CLDR: "en_GB", "en_CA"); the texts' language else
    locale: str = ""
    checked: dt.date | None = None  # the day the texts were last checked against sources
    # every page's confidentiality line, in the template's language; {recipient} is filled
    footer: str = ""

    @property
    def formats(self) -> str:
        return self.locale or self.language

    @property
    def evidenced(self) -> tuple[Element, ...]:
        """The elements shown by documents: one with no requirement (a child's best
        interests, no disqualification) is argued, never "missing"."""
        return tuple(e for e in self.elements if e.requirements)

    @property
    def pagesize(self) -> tuple[float, float]:
        return PAGE_SIZES[self.page_size]

    def requirement(self, requirement_id: str) -> Requirement:
        return next(r for r in self.requirements if r.id == requirement_id)

    def requirement_for(self, label: str) -> Requirement | None:
        """The requirement an evidence item called *label* meets best, if any."""
        best = max(self.requirements, key=lambda r: r.score(label), default=None)
        return best if best is not None and best.score(label) else None


def _text(raw: dict[str, Any], key: str, where: str, *, required: bool = True) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise ValidationError(_("Template {file}: '{key}' must be a text.").format(
            file=where, key=key), "template")
    return value.strip()


def _texts(raw: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(_("Template {file}: '{key}' must be a list of texts.").format(
            file=where, key=key), "template")
    return tuple(v.strip() for v in value)


def _tables(raw: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ValidationError(_("Template {file}: '{key}' must be a list of tables ([[{key}]]).")
                              .format(file=where, key=key), "template")
    return value


def _days(raw: dict[str, Any], key: str, default: int, where: str) -> int:
    value = raw.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 3660:
        raise ValidationError(_("Template {file}: '{key}' must be a number of days from 0 to "
                                "3660.").format(file=where, key=key), "template")
    return value


def _checked(raw: dict[str, Any], where: str) -> dt.date | None:
    value = raw.get("checked")
    if value is not None and (not isinstance(value, dt.date) or isinstance(value, dt.datetime)):
        raise ValidationError(_("Template {file}: 'checked' must be a date (2026-12-06), the "
                                "day its texts were checked against their sources.").format(
            file=where), "template")
    return value


def _locale_problem(template: Template) -> str | None:
    """Why *template*'s locale cannot format its dates, if it cannot: unknown to CLDR, or
    of another language than its texts."""
    if not template.locale:
        return None
    from babel import Locale, UnknownLocaleError

    try:
        same = Locale.parse(template.locale).language == Locale.parse(template.language).language
    except (UnknownLocaleError, ValueError):
        same = False
    return None if same else _("locale must be a CLDR locale of the template's language, such "
                               "as en_GB for English, not '{locale}'").format(
        locale=template.locale)


def parse(path: Path) -> Template:
    """Read and check one template file; a mistake is a ValidationError naming the file."""
    where = path.name
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ValidationError(_("Template {file} cannot be read: {reason}").format(
            file=where, reason=exc), "template") from exc
    requirements = tuple(
        Requirement(_text(r, "id", where), _text(r, "label", where), _texts(r, "match", where),
                    bool(r.get("required", True)), _text(r, "note", where, required=False))
        for r in _tables(raw, "requirements", where))
    known = {r.id for r in requirements}
    elements = tuple(
        Element(_text(e, "id", where), _text(e, "label", where), _text(e, "basis", where),
                _texts(e, "requirements", where), _text(e, "note", where, required=False))
        for e in _tables(raw, "elements", where))
    worksheets = tuple(
        Worksheet(_text(w, "id", where), _text(w, "title", where), _text(w, "text", where),
                  _texts(w, "columns", where), int(w.get("rows", 0)),
                  _text(w, "status_of", where, required=False),
                  _texts(w, "family_fields", where))
        for w in _tables(raw, "worksheets", where))
    template = Template(
        id=_text(raw, "id", where), version=_text(raw, "version", where),
        name=_text(raw, "name", where), jurisdiction=_text(raw, "jurisdiction", where),
        authority=_text(raw, "authority", where),
        authority_address=_text(raw, "authority_address", where, required=False),
        language=_text(raw, "language", where), page_size=_text(raw, "page_size", where),
        bates_prefix=_text(raw, "bates_prefix", where, required=False),
        matter_types=_texts(raw, "matter_types", where),
        sections=_texts(raw, "sections", where),
        applicant_label=_text(raw, "applicant_label", where),
        reference_label=_text(raw, "reference_label", where),
        legal_basis=_texts(raw, "legal_basis", where), sources=_texts(raw, "sources", where),
        cover_letter=_text(raw, "cover_letter", where),
        statement_intro=_text(raw, "statement_intro", where),
        statement_closing=_text(raw, "statement_closing", where, required=False),
        statement=tuple(StatementPart(_text(s, "heading", where), _texts(s, "stages", where),
                                      _text(s, "prompt", where))
                        for s in _tables(raw, "statement", where)),
        elements=elements, requirements=requirements, worksheets=worksheets,
        deadlines=tuple(DeadlineNote(_text(d, "label", where), _text(d, "note", where))
                        for d in _tables(raw, "deadlines", where)),
        translation_target=_text(raw, "translation_target", where),
        translation_rule=_text(raw, "translation_rule", where, required=False),
        path=path, renewal_notice_days=_days(raw, "renewal_notice_days", 90, where),
        appeal_days=_days(raw, "appeal_days", 0, where),
        locale=_text(raw, "locale", where, required=False), checked=_checked(raw, where),
        footer=_text(raw, "footer", where, required=False),
        paragraphs=tuple(Paragraph(_text(x, "when", where), _text(x, "text", where))
                         for x in _tables(raw, "paragraphs", where)))
    problems = [x for x in (_locale_problem(template),) if x]
    if template.footer and set(re.findall(r"{(\w*)}", template.footer)) - {"recipient"}:
        problems.append(_("the footer may hold one placeholder only: {recipient}"))
    if not _ID.match(template.id):
        problems.append(_("the id must be lower-case letters, digits and dashes"))
    if template.page_size not in PAGE_SIZES:
        problems.append(_("page_size must be one of: {sizes}").format(
            sizes=", ".join(PAGE_SIZES)))
    problems += [_("unknown matter type '{code}'").format(code=c)
                 for c in template.matter_types if c not in vocab.LEGAL_MATTER_TYPE]
    problems += [_("unknown section '{code}'").format(code=c)
                 for c in template.sections if c not in vocab.SECTIONS]
    problems += [_("element '{element}' names an unknown requirement '{code}'").format(
        element=e.id, code=r) for e in template.elements for r in e.requirements
        if r not in known]
    problems += [_("worksheet '{sheet}' names an unknown requirement '{code}'").format(
        sheet=w.id, code=w.status_of) for w in template.worksheets
        if w.status_of and w.status_of not in known]
    problems += [_("worksheet '{sheet}': family_fields names one field per column, from: "
                   "{fields}").format(sheet=w.id, fields=", ".join(FAMILY_FIELDS))
                 for w in template.worksheets if w.family and (
                     len(w.family) != len(w.columns) or set(w.family) - set(FAMILY_FIELDS))]
    for paragraph in template.paragraphs:
        kind, _sep, requirement = paragraph.when.partition(":")
        if not (paragraph.when in WHEN or (kind in ("enclosed", "not_applicable")
                                           and requirement in known)):
            problems.append(_("a paragraph's 'when' must be one of {kinds}, or enclosed: or "
                              "not_applicable: and a requirement's id, not '{when}'").format(
                kinds=", ".join(WHEN), when=paragraph.when))
    if template.paragraphs and "{paragraphs}" not in template.cover_letter:
        problems.append(_("the cover letter must say where its paragraphs go: {paragraphs}"))
    if len(known) != len(requirements):
        problems.append(_("two requirements have the same id"))
    problems += [_("unknown timeline stage '{code}'").format(code=stage)
                 for part in template.statement for stage in part.stages
                 if stage not in vocab.TIMELINE_STAGE]
    if problems:
        raise ValidationError(_("Template {file}: {problems}.").format(
            file=where, problems="; ".join(problems)), "template")
    return template


def folders() -> list[Path]:
    extra = os.environ.get("SHELTER_TEMPLATES")
    return [resource("templates"), *([Path(extra)] if extra else [])]


def available() -> list[Template]:
    """Every template, sorted by id; an organisation's own file replaces a shipped one
    with the same id."""
    found: dict[str, Template] = {}
    for folder in folders():
        if folder.is_dir():
            for path in sorted(folder.glob("*.toml")):
                template = parse(path)
                found[template.id] = template
    return [found[k] for k in sorted(found)]


def load(template_id: str) -> Template:
    for template in available():
        if template.id == template_id.strip().lower():
            return template
    raise NotFound(_("No residence template called '{name}'. List them with: shelter-admin "
                     "templates").format(name=template_id))
