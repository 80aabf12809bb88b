"""The exchange columns: one row per case, survivor and case fields side by side.

Lists are joined with " | " (names) or ";" (codes); yes/no fields are "yes"/"no"; identity
documents are "type:status:withheld by" items joined with ";"; the timeline is a JSON list
of events (``services/timeline.py``).  ``export cases`` writes
exactly these columns and ``import`` reads them back unchanged.
"""

from __future__ import annotations

from typing import Any

from shelter_app.domain.records import (
    CaseInput,
    Guardian,
    IdentityDocument,
    SafeContact,
    SurvivorInput,
)
from shelter_app.domain.validate import parse_utc
from shelter_app.errors import ValidationError
from shelter_app.i18n import _

NAME_SEP = " | "
CODE_SEP = ";"

COLUMNS = [
    "case_code", "legal_name", "preferred_name", "aliases", "birth_date", "estimated_age",
    "gender", "citizenship", "languages", "interpreter_needed", "interpreter_language",
    "phone", "email", "address", "safe_to_call", "safe_to_leave_message",
    "accepts_withheld_numbers", "preferred_contact_method", "cover_story",
    "identity_documents", "is_minor", "guardian_name", "guardian_relationship",
    "guardian_contact", "access_needs", "referral_source", "identification_status",
    "identified_by", "reasonable_grounds_date", "conclusive_grounds_date",
    "exploitation_types", "means_of_control", "recruitment_method", "recruiter_relationship",
    "risk_level", "safety_plan", "status", "closure_reason", "closed_on", "opened_on",
    "assigned_to", "reporting_consent", "timeline", "legal", "family",
]
HEALTH_COLUMNS = frozenset({"access_needs"})


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _split(value: str, sep: str) -> list[str]:
    return [p.strip() for p in value.split(sep.strip()) if p.strip()] if value else []


def _flag(value: str, column: str) -> bool:
    text = value.strip().casefold()
    if text in ("", "no", "n", "false", "0"):
        return False
    if text in ("yes", "y", "true", "1", "x"):
        return True
    raise ValidationError(_("Use yes or no."), column)


def to_row(survivor: dict[str, Any], case: dict[str, Any], assigned_username: str,
           *, include_health: bool, timeline: str = "", legal: str = "",
           family: str = "", reporting: str = "not_asked") -> dict[str, str]:
    contact, safe, guardian = survivor["contact"], survivor["safe_contact"], survivor["guardian"]
    docs = CODE_SEP.join(
        ":".join(x for x in (d["type"], d["status"], d.get("withheld_by", "")) if x)
        for d in survivor["identity_documents"])
    row = {
        "case_code": case["code"], "legal_name": survivor["legal_name"],
        "preferred_name": survivor["preferred_name"],
        "aliases": NAME_SEP.join(survivor["aliases"]),
        "birth_date": survivor["birth_date"] or "",
        "estimated_age": ("" if survivor["estimated_age"] is None
                          else str(survivor["estimated_age"])),
        "gender": survivor["gender"], "citizenship": CODE_SEP.join(survivor["citizenship"]),
        "languages": CODE_SEP.join(survivor["languages"]),
        "interpreter_needed": yes_no(survivor["interpreter_needed"]),
        "interpreter_language": survivor["interpreter_language"] or "",
        "phone": contact.get("phone", ""), "email": contact.get("email", ""),
        "address": contact.get("address", ""),
        "safe_to_call": yes_no(safe.get("safe_to_call", False)),
        "safe_to_leave_message": yes_no(safe.get("safe_to_leave_message", False)),
        "accepts_withheld_numbers": yes_no(safe.get("accepts_withheld_numbers", False)),
        "preferred_contact_method": safe.get("preferred_method", ""),
        "cover_story": safe.get("cover_story", ""), "identity_documents": docs,
        "is_minor": yes_no(survivor["is_minor"]), "guardian_name": guardian.get("name", ""),
        "guardian_relationship": guardian.get("relationship", ""),
        "guardian_contact": guardian.get("contact", ""),
        "access_needs": survivor.get("access_needs", "") if include_health else "",
        "referral_source": case["referral_source"],
        "identification_status": case["identification_status"],
        "identified_by": case["identified_by"] or "",
        "reasonable_grounds_date": case["reasonable_grounds_date"] or "",
        "conclusive_grounds_date": case["conclusive_grounds_date"] or "",
        "exploitation_types": CODE_SEP.join(case["exploitation_types"]),
        "means_of_control": CODE_SEP.join(case["means_of_control"]),
        "recruitment_method": case["recruitment_method"] or "",
        "recruiter_relationship": case["recruiter_relationship"] or "",
        "risk_level": case["risk_level"] or "", "safety_plan": case["safety_plan"],
        "status": case["status"], "closure_reason": case["closure_reason"] or "",
        "closed_on": (parse_utc(case["closed_at"]).astimezone().date().isoformat()
                      if case["closed_at"] else ""),
        "opened_on": case["opened_on"], "assigned_to": assigned_username,
        "reporting_consent": reporting, "timeline": timeline, "legal": legal, "family": family,
    }
    return row


def from_row(row: dict[str, str]) -> tuple[SurvivorInput, CaseInput, dict[str, str]]:
    """Inputs for the services, and the extra values (code, status, assignee) to apply."""
    g = {c: (row.get(c) or "").strip() for c in COLUMNS}
    docs = []
    for item in _split(g["identity_documents"], CODE_SEP):
        parts = item.split(":", 2)
        if len(parts) < 2:
            raise ValidationError(_("Identity documents are written type:status, for example "
                                    "passport:withheld:employer."), "identity_documents")
        docs.append(IdentityDocument(parts[0].strip(), parts[1].strip(),
                                     parts[2].strip() if len(parts) > 2 else ""))
    survivor = SurvivorInput(
        legal_name=row.get("legal_name") or "", preferred_name=row.get("preferred_name") or "",
        aliases=[a for a in (row.get("aliases") or "").split(NAME_SEP) if a.strip()],
        birth_date=g["birth_date"] or None, estimated_age=g["estimated_age"] or None,
        gender=g["gender"] or "unknown", citizenship=_split(g["citizenship"], CODE_SEP),
        languages=_split(g["languages"], CODE_SEP),
        interpreter_needed=_flag(g["interpreter_needed"], "interpreter_needed"),
        interpreter_language=g["interpreter_language"], phone=g["phone"], email=g["email"],
        address=g["address"],
        safe_contact=SafeContact(_flag(g["safe_to_call"], "safe_to_call"),
                                 _flag(g["safe_to_leave_message"], "safe_to_leave_message"),
                                 _flag(g["accepts_withheld_numbers"], "accepts_withheld_numbers"),
                                 g["preferred_contact_method"], g["cover_story"]),
        identity_documents=docs, is_minor=_flag(g["is_minor"], "is_minor"),
        guardian=Guardian(g["guardian_name"], g["guardian_relationship"], g["guardian_contact"]),
        access_needs=g["access_needs"],
    )
    case = CaseInput(
        referral_source=g["referral_source"],
        identification_status=g["identification_status"] or "",
        identified_by=g["identified_by"],
        reasonable_grounds_date=g["reasonable_grounds_date"] or None,
        conclusive_grounds_date=g["conclusive_grounds_date"] or None,
        exploitation_types=_split(g["exploitation_types"], CODE_SEP),
        means_of_control=_split(g["means_of_control"], CODE_SEP),
        recruitment_method=g["recruitment_method"],
        recruiter_relationship=g["recruiter_relationship"], risk_level=g["risk_level"],
        safety_plan=row.get("safety_plan") or "", opened_on=g["opened_on"] or None,
    )
    extra = {"case_code": g["case_code"], "status": g["status"] or "open",
             "closure_reason": g["closure_reason"], "closed_on": g["closed_on"],
             "assigned_to": g["assigned_to"],
             "reporting_consent": g["reporting_consent"] or "not_asked",
             "timeline": row.get("timeline") or "",
             "legal": row.get("legal") or "", "family": row.get("family") or ""}
    return survivor, case, extra
