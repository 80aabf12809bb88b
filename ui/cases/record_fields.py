"""The survivor and case fields, in the sections the intake and the profile both show.

Field names are the core's own (``SurvivorInput``, ``CaseInput`` and the names its
``ValidationError.field`` uses), so a refusal is shown beside the field it is about.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QFormLayout

from shelter_app.domain import vocab
from shelter_app.domain.records import (
    CaseInput,
    CaseRecord,
    Guardian,
    IdentityDocument,
    SafeContact,
    SurvivorInput,
)
from shelter_app.i18n import _
from shelter_app.services.sites import Site

from . import form as f
from .pickers import country_options, language_options

# section → [(name, factory)], in the order shown
Factory = Callable[[], f.Field]


def _sections() -> dict[str, list[tuple[str, Factory]]]:
    return {
        "identity": [
            ("legal_name", lambda: f.line("legal_name", _("&Legal name:"))),
            ("preferred_name", lambda: f.line("preferred_name", _("&Preferred name:"))),
            ("aliases", lambda: f.aliases("aliases", _("Other names (&aliases):"))),
            ("birth_date", lambda: f.date("birth_date", _("Date of bi&rth:"))),
            ("estimated_age", lambda: f.line("estimated_age", _("Estimated a&ge:"),
                                             max_length=3)),
            ("gender", lambda: f.choice("gender", _("G&ender:"), vocab.GENDER)),
            ("citizenship", lambda: f.codes("citizenship", _("Citi&zenship:"),
                                            country_options())),
            ("languages", lambda: f.codes("languages", _("Lang&uages spoken:"),
                                          language_options())),
            ("interpreter_needed", lambda: f.flag("interpreter_needed",
                                                  _("Needs an in&terpreter"))),
            ("interpreter_language", lambda: f.code("interpreter_language",
                                                    _("&Interpreter language:"),
                                                    language_options())),
            ("is_minor", lambda: f.flag("is_minor", _("Is a &minor (under 18)"))),
            ("guardian_name", lambda: f.line("guardian_name", _("Guardian's name:"))),
            ("guardian_relationship", lambda: f.line("guardian_relationship",
                                                     _("Guardian's relationship:"))),
            ("guardian_contact", lambda: f.line("guardian_contact", _("Guardian's contact:"))),
        ],
        "contact": [
            ("phone", lambda: f.line("phone", _("&Phone:"), max_length=60)),
            ("email", lambda: f.line("email", _("&Email:"))),
            ("address", lambda: f.line("address", _("&Address:"), max_length=500)),
            ("safe_to_call", lambda: f.flag("safe_to_call", _("Safe to &call"))),
            ("safe_to_leave_message", lambda: f.flag("safe_to_leave_message",
                                                     _("Safe to leave a &message"))),
            ("accepts_withheld_numbers", lambda: f.flag("accepts_withheld_numbers",
                                                        _("Accepts calls from &withheld "
                                                          "numbers"))),
            ("preferred_method", lambda: f.choice("preferred_method",
                                                  _("P&referred way to contact:"),
                                                  vocab.CONTACT_METHOD)),
            ("cover_story", lambda: f.note("cover_story", _("C&over story:"), rows=3)),
        ],
        "situation": [
            ("referral_source", lambda: f.line("referral_source", _("&Referred by:"))),
            ("identification_status", lambda: f.choice(
                "identification_status", _("&Identification status:"),
                vocab.IDENTIFICATION_STATUS)),
            ("identified_by", lambda: f.choice("identified_by", _("Identification decided b&y:"),
                                               vocab.IDENTIFIED_BY)),
            ("reasonable_grounds_date", lambda: f.date("reasonable_grounds_date",
                                                       _("Reasonable-grounds decision:"))),
            ("conclusive_grounds_date", lambda: f.date("conclusive_grounds_date",
                                                       _("Conclusive-grounds decision:"))),
            ("exploitation_types", lambda: f.multi("exploitation_types",
                                                   _("E&xploitation types:"),
                                                   vocab.EXPLOITATION)),
            ("means_of_control", lambda: f.multi("means_of_control", _("Means of &control:"),
                                                 vocab.MEANS_OF_CONTROL)),
            ("recruitment_method", lambda: f.choice("recruitment_method",
                                                    _("Recr&uitment:"), vocab.RECRUITMENT)),
            ("recruiter_relationship", lambda: f.choice(
                "recruiter_relationship", _("Rela&tionship to recruiter:"),
                vocab.RECRUITER_RELATION)),
            ("identity_documents", lambda: f.documents("identity_documents",
                                                       _("Identity d&ocuments:"))),
        ],
        "risk": [
            ("risk_level", lambda: f.choice("risk_level", _("&Risk level:"), vocab.RISK_LEVEL)),
            ("safety_plan", lambda: f.note("safety_plan", _("&Safety plan:"), rows=5)),
            ("access_needs", lambda: f.note("access_needs",
                                            _("&Immediate needs and access needs (health):"),
                                            rows=3)),
        ],
    }


SECTION_TITLES: dict[str, Callable[[], str]] = {
    "identity": lambda: _("Identity and languages"),
    "contact": lambda: _("Contact and safe contact"),
    "situation": lambda: _("Situation and exploitation"),
    "risk": lambda: _("Risk and immediate needs"),
}
HEALTH_FIELDS = frozenset({"access_needs"})
# A field shown only while the box it depends on is ticked (profile and intake alike).
SHOWN_WHEN = {"guardian_name": "is_minor", "guardian_relationship": "is_minor",
              "guardian_contact": "is_minor", "interpreter_language": "interpreter_needed"}


def section_fields(section: str) -> list[str]:
    return [name for name, _factory in _sections()[section]]


def build_section(form: f.Form, layout: QFormLayout, section: str, *, health: bool = True
                  ) -> list[f.Field]:
    """Add *section*'s fields to *layout*; health fields only when *health* is allowed."""
    made = []
    for name, factory in _sections()[section]:
        if name in HEALTH_FIELDS and not health:
            continue
        made.append(form.add(layout, factory()))
    names = {field.name for field in made}
    for name, flag_name in SHOWN_WHEN.items():
        if name in names and flag_name in names:
            _show_when(form, layout, form[name], form[flag_name])
    return made


def _show_when(form: f.Form, layout: QFormLayout, field: f.Field, flag: f.Field) -> None:
    """Show *field* (its row and its message row) only while *flag* is ticked."""
    def follow(*_args: object) -> None:
        shown = bool(flag.get())
        layout.setRowVisible(field.widget, shown)
        layout.setRowVisible(field.message, shown)

    flag.changed.connect(follow)
    follow()


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def values_from_record(record: CaseRecord) -> dict[str, Any]:
    """The form's values for a stored case (None becomes "", numbers become text)."""
    s, c = record.survivor, record.case
    contact, safe, guardian = s.get("contact") or {}, s.get("safe_contact") or {}, \
        s.get("guardian") or {}
    values: dict[str, Any] = {
        "legal_name": s["legal_name"], "preferred_name": s["preferred_name"],
        "aliases": list(s["aliases"]), "birth_date": _text(s["birth_date"]),
        "estimated_age": _text(s["estimated_age"]), "gender": s["gender"],
        "citizenship": list(s["citizenship"]), "languages": list(s["languages"]),
        "interpreter_needed": bool(s["interpreter_needed"]),
        "interpreter_language": _text(s["interpreter_language"]),
        "is_minor": bool(s["is_minor"]), "guardian_name": guardian.get("name", ""),
        "guardian_relationship": guardian.get("relationship", ""),
        "guardian_contact": guardian.get("contact", ""),
        "phone": contact.get("phone", ""), "email": contact.get("email", ""),
        "address": contact.get("address", ""),
        "safe_to_call": bool(safe.get("safe_to_call")),
        "safe_to_leave_message": bool(safe.get("safe_to_leave_message")),
        "accepts_withheld_numbers": bool(safe.get("accepts_withheld_numbers")),
        "preferred_method": safe.get("preferred_method", ""),
        "cover_story": safe.get("cover_story", ""),
        "identity_documents": [dict(d) for d in s["identity_documents"]],
    }
    if "access_needs" in s:
        values["access_needs"] = s["access_needs"]
    for name in ("referral_source", "identification_status", "identified_by",
                 "reasonable_grounds_date", "conclusive_grounds_date", "recruitment_method",
                 "recruiter_relationship", "risk_level", "safety_plan"):
        values[name] = _text(c.get(name))
    values["exploitation_types"] = list(c["exploitation_types"])
    values["means_of_control"] = list(c["means_of_control"])
    return values


def survivor_input(values: dict[str, Any]) -> SurvivorInput:
    g = values.get
    return SurvivorInput(
        legal_name=g("legal_name", ""), preferred_name=g("preferred_name", ""),
        aliases=list(g("aliases") or []), birth_date=g("birth_date") or None,
        estimated_age=g("estimated_age") or None,
        gender=g("gender") or "unknown",  # "(not asked)": saved as unknown, never a guess
        citizenship=list(g("citizenship") or []), languages=list(g("languages") or []),
        interpreter_needed=bool(g("interpreter_needed")),
        interpreter_language=g("interpreter_language", "") if g("interpreter_needed") else "",
        phone=g("phone", ""), email=g("email", ""), address=g("address", ""),
        safe_contact=SafeContact(bool(g("safe_to_call")), bool(g("safe_to_leave_message")),
                                 bool(g("accepts_withheld_numbers")),
                                 g("preferred_method", ""), g("cover_story", "")),
        identity_documents=[IdentityDocument(d["type"], d["status"], d.get("withheld_by", ""))
                            for d in g("identity_documents") or []],
        is_minor=bool(g("is_minor")),
        guardian=Guardian(g("guardian_name", ""), g("guardian_relationship", ""),
                          g("guardian_contact", "")),
        access_needs=g("access_needs", ""),
    )


def case_input(values: dict[str, Any], *, is_draft: bool = False) -> CaseInput:
    g = values.get
    return CaseInput(
        referral_source=g("referral_source", ""),
        identification_status=g("identification_status", ""),
        identified_by=g("identified_by", ""),
        reasonable_grounds_date=g("reasonable_grounds_date") or None,
        conclusive_grounds_date=g("conclusive_grounds_date") or None,
        exploitation_types=list(g("exploitation_types") or []),
        means_of_control=list(g("means_of_control") or []),
        recruitment_method=g("recruitment_method", ""),
        recruiter_relationship=g("recruiter_relationship", ""),
        risk_level=g("risk_level", ""), safety_plan=g("safety_plan", ""), is_draft=is_draft)


def survivor_field_names() -> frozenset[str]:
    return frozenset(section_fields("identity") + section_fields("contact")
                     + ["identity_documents", "access_needs"])


def site_field(sites: list[Site]) -> f.Field | None:
    """Where a new case is handled, when the organisation has sites in use: the only one
    chosen already, else none until one is chosen."""
    if not sites:
        return None
    items = [(site.id, site.name) for site in sites]
    return f.options("site", _("&Handled at (site):"),
                     items if len(items) == 1 else [("", _("(no site)")), *items])
