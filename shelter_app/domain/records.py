"""Survivor and case records: the shapes the services accept and return, with validation.

Inputs are plain dataclasses a form or an import row can fill; ``clean_*`` returns the
checked, normalised values or raises ValidationError naming the field.

Nothing is assumed about a person: a field nobody filled in is stored as unknown — gender
``"unknown"`` (the schema's default and HTCDS's "Unknown"), an empty identification status,
and ``None`` or ``""`` for the other choices — never as a likely value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from typing import Any

from shelter_app.domain import validate as v
from shelter_app.domain import vocab
from shelter_app.errors import ValidationError
from shelter_app.i18n import _

MAX_ALIASES = 30


@dataclass
class SafeContact:
    safe_to_call: bool = False
    safe_to_leave_message: bool = False
    accepts_withheld_numbers: bool = False
    preferred_method: str = ""
    cover_story: str = ""


@dataclass
class IdentityDocument:
    type: str
    status: str
    withheld_by: str = ""


@dataclass
class Guardian:
    name: str = ""
    relationship: str = ""
    contact: str = ""


@dataclass
class SurvivorInput:
    legal_name: str
    preferred_name: str = ""
    aliases: list[str] = field(default_factory=list)
    birth_date: dt.date | str | None = None
    estimated_age: int | str | None = None
    gender: str = "unknown"
    citizenship: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    interpreter_needed: bool = False
    interpreter_language: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    safe_contact: SafeContact = field(default_factory=SafeContact)
    identity_documents: list[IdentityDocument] = field(default_factory=list)
    is_minor: bool = False
    guardian: Guardian = field(default_factory=Guardian)
    access_needs: str = ""


@dataclass
class CaseInput:
    referral_source: str = ""
    identification_status: str = ""  # not recorded until someone records it
    identified_by: str = ""
    reasonable_grounds_date: dt.date | str | None = None
    conclusive_grounds_date: dt.date | str | None = None
    exploitation_types: list[str] = field(default_factory=list)
    means_of_control: list[str] = field(default_factory=list)
    recruitment_method: str = ""
    recruiter_relationship: str = ""
    risk_level: str = ""
    safety_plan: str = ""
    assigned_to: str | None = None
    opened_on: dt.date | str | None = None
    is_draft: bool = False


def _optional(vocabulary: vocab.Vocabulary, value: str, name: str) -> str | None:
    value = (value or "").strip()
    return vocabulary.check(value, name) if value else None


def clean_survivor(s: SurvivorInput) -> dict[str, Any]:
    """Column values for the survivors table, checked."""
    legal_name = v.text(s.legal_name, "legal_name", required=True)
    aliases = [v.text(a, "aliases") for a in s.aliases if str(a).strip()]
    if len(aliases) > MAX_ALIASES:
        raise ValidationError(_("At most {n} aliases.").format(n=MAX_ALIASES), "aliases")
    birth = v.date(s.birth_date, "birth_date", not_future=True)
    age: int | None = None
    if s.estimated_age not in (None, ""):
        try:
            age = int(str(s.estimated_age).strip())
        except ValueError as exc:
            raise ValidationError(_("Enter the estimated age in whole years."),
                                  "estimated_age") from exc
        if not 0 <= age <= 120:
            raise ValidationError(_("The estimated age must be between 0 and 120."),
                                  "estimated_age")
    docs = []
    for d in s.identity_documents:
        docs.append({
            "type": vocab.DOCUMENT_TYPE.check(d.type, "identity_documents"),
            "status": vocab.DOCUMENT_STATUS.check(d.status, "identity_documents"),
            "withheld_by": v.text(d.withheld_by, "identity_documents") if d.status == "withheld"
            else "",
        })
    sc = s.safe_contact
    guardian = {"name": v.text(s.guardian.name, "guardian_name"),
                "relationship": v.text(s.guardian.relationship, "guardian_relationship"),
                "contact": v.text(s.guardian.contact, "guardian_contact")}
    age_now = age_on(birth, dt.date.today()) if birth is not None else age
    is_minor = bool(s.is_minor) or (age_now is not None and age_now < 18)
    if s.interpreter_needed and not s.interpreter_language:
        raise ValidationError(_("Say which language the interpreter should speak."),
                              "interpreter_language")
    return {
        "legal_name": legal_name,
        "preferred_name": v.text(s.preferred_name, "preferred_name"),
        "aliases": aliases,
        "birth_date": v.iso(birth),
        "estimated_age": age,
        "gender": vocab.GENDER.check(s.gender or "unknown", "gender"),
        "citizenship": sorted({v.country(c, "citizenship") for c in s.citizenship if c}),
        "languages": list(dict.fromkeys(v.language(c, "languages") for c in s.languages if c)),
        "interpreter_needed": bool(s.interpreter_needed),
        "interpreter_language": (v.language(s.interpreter_language, "interpreter_language")
                                 if s.interpreter_language else None),
        "contact": {"phone": v.text(s.phone, "phone", limit=60),
                    "email": v.text(s.email, "email", limit=200),
                    "address": v.text(s.address, "address", limit=500)},
        "safe_contact": {
            "safe_to_call": bool(sc.safe_to_call),
            "safe_to_leave_message": bool(sc.safe_to_leave_message),
            "accepts_withheld_numbers": bool(sc.accepts_withheld_numbers),
            "preferred_method": _optional(vocab.CONTACT_METHOD, sc.preferred_method,
                                          "preferred_method") or "",
            "cover_story": v.text(sc.cover_story, "cover_story", limit=1000),
        },
        "identity_documents": docs,
        "is_minor": is_minor,
        "guardian": guardian,
        "access_needs": v.text(s.access_needs, "access_needs", limit=2000),
    }


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def clean_case(c: CaseInput) -> dict[str, Any]:
    rg = v.date(c.reasonable_grounds_date, "reasonable_grounds_date")
    cg = v.date(c.conclusive_grounds_date, "conclusive_grounds_date")
    v.order(rg, cg, "conclusive_grounds_date",
            _("The conclusive-grounds decision cannot come before the reasonable-grounds one."))
    opened = v.date(c.opened_on, "opened_on") or dt.date.today()
    return {
        "referral_source": v.text(c.referral_source, "referral_source"),
        "identification_status": _optional(vocab.IDENTIFICATION_STATUS,
                                           c.identification_status, "identification_status")
        or "",
        "identified_by": _optional(vocab.IDENTIFIED_BY, c.identified_by, "identified_by"),
        "reasonable_grounds_date": v.iso(rg),
        "conclusive_grounds_date": v.iso(cg),
        "exploitation_types": vocab.EXPLOITATION.check_many(c.exploitation_types,
                                                             "exploitation_types"),
        "means_of_control": vocab.MEANS_OF_CONTROL.check_many(c.means_of_control,
                                                               "means_of_control"),
        "recruitment_method": _optional(vocab.RECRUITMENT, c.recruitment_method,
                                        "recruitment_method"),
        "recruiter_relationship": _optional(vocab.RECRUITER_RELATION, c.recruiter_relationship,
                                            "recruiter_relationship"),
        "risk_level": _optional(vocab.RISK_LEVEL, c.risk_level, "risk_level"),
        "safety_plan": v.note(c.safety_plan, "safety_plan"),
        "opened_on": v.iso(opened),
        "is_draft": bool(c.is_draft),
    }


SURVIVOR_FIELDS = [f.name for f in fields(SurvivorInput)]
CASE_FIELDS = [f.name for f in fields(CaseInput)]


@dataclass(frozen=True)
class CaseSummary:
    """One row of the case list: enough to show and sort, nothing from restricted sections."""

    id: str
    code: str
    display_name: str
    status: str
    risk_level: str | None
    assigned_to: str | None
    opened_on: str
    updated_at: str


@dataclass(frozen=True)
class CaseRecord:
    id: str
    code: str
    survivor_id: str
    survivor: dict[str, Any]
    case: dict[str, Any]
    row_versions: tuple[int, int]
    shared_with: tuple[str, ...] = ()
