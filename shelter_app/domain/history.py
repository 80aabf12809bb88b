"""What a case's history is made of: its sections, the records it covers, field labels.

The history of a case is read from the audit chain (``services/history.py``): the events
whose target is the case or one of its records.  This module holds only the vocabulary that
turns such an event into a line a person reads: which section of the case it touched, which
record kinds belong to a case (and where their case is found), and the name of each field
in the interface language.  No event text is stored: labels are looked up when shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from babel import UnknownLocaleError
from babel.lists import format_list

from shelter_app.domain.audit import Event
from shelter_app.i18n import N_, _, current_language


class Section(StrEnum):
    CASE = "case"  # the case as a whole (created at intake)
    IDENTITY = "identity"
    CONTACT = "contact"
    SITUATION = "situation"
    RISK = "risk"
    HEALTH = "health"
    STATUS = "status"
    ASSIGNMENT = "assignment"
    SHARING = "sharing"
    CONSENT = "consent"
    SERVICES = "services"
    REFERRALS = "referrals"
    APPOINTMENTS = "appointments"
    LEGAL = "legal"
    DOCUMENTS = "documents"
    ATTACHMENTS = "attachments"
    TASKS = "tasks"


SECTION_LABELS: dict[Section, str] = {
    Section.CASE: N_("Case"),
    Section.IDENTITY: N_("Identity and languages"),
    Section.CONTACT: N_("Contact and safe contact"),
    Section.SITUATION: N_("Situation and exploitation"),
    Section.RISK: N_("Risk and immediate needs"),
    Section.HEALTH: N_("Health"),
    Section.STATUS: N_("Status"),
    Section.ASSIGNMENT: N_("Assignment"),
    Section.SHARING: N_("Sharing"),
    Section.CONSENT: N_("Consent"),
    Section.SERVICES: N_("Services"),
    Section.REFERRALS: N_("Referrals"),
    Section.APPOINTMENTS: N_("Appointments"),
    Section.LEGAL: N_("Legal matters"),
    Section.DOCUMENTS: N_("Documents produced"),
    Section.ATTACHMENTS: N_("Attachments"),
    Section.TASKS: N_("Tasks"),
}

# The audit events that change a case.  Everything else (opened, searched, drafts kept,
# refusals, sign-in…) is accountability, not history, and stays in the audit log only.
HISTORY_EVENTS = (Event.RECORD_CREATED, Event.RECORD_UPDATED, Event.EXPORT, Event.PRINT)

# The case's own fields (survivor and case columns, as the audit details name them).
CASE_FIELD_SECTIONS: dict[str, Section] = {
    **dict.fromkeys(("legal_name", "preferred_name", "aliases", "birth_date", "estimated_age",
                     "gender", "citizenship", "languages", "interpreter_needed",
                     "interpreter_language", "is_minor", "guardian"), Section.IDENTITY),
    **dict.fromkeys(("contact", "safe_contact"), Section.CONTACT),
    **dict.fromkeys(("referral_source", "identification_status", "identified_by",
                     "reasonable_grounds_date", "conclusive_grounds_date",
                     "exploitation_types", "means_of_control", "recruitment_method",
                     "recruiter_relationship", "identity_documents", "opened_on", "is_draft",
                     "code"), Section.SITUATION),
    **dict.fromkeys(("risk_level", "safety_plan"), Section.RISK),
    "access_needs": Section.HEALTH,
    **dict.fromkeys(("status", "closure_reason"), Section.STATUS),
    "assigned_to": Section.ASSIGNMENT,
    "site": Section.SITUATION,
    "shared_with": Section.SHARING,
}


@dataclass(frozen=True)
class RecordKind:
    """A kind of record that belongs to a case: where its rows are and how to find its case.

    *ids_sql* selects ``id`` (and ``health``: 1 when the record's notes are health) of the
    records of the case ``:case``; it is one branch of the history query."""

    target_type: str
    section: Section
    table: str
    ids_sql: str
    created: str  # what "created" reads as, e.g. "Recorded a service"
    changed: str  # what "changed" reads as, with {fields}


def _plain(target_type: str, section: Section, table: str, created: str, changed: str
           ) -> RecordKind:
    return RecordKind(target_type, section, table,
                      f"SELECT id, 0 AS health FROM {table} WHERE case_id = :case",  # noqa: S608
                      created, changed)


RECORD_KINDS: tuple[RecordKind, ...] = (
    RecordKind("service_entry", Section.SERVICES, "service_entries",
               "SELECT e.id, t.is_health AS health FROM service_entries e JOIN service_types t"
               " ON t.id = e.service_type_id WHERE e.case_id = :case",
               N_("Recorded a service"), N_("Corrected a service entry: {fields}")),
    _plain("consent", Section.CONSENT, "consents", N_("Recorded a consent"),
           N_("Changed a consent: {fields}")),
    _plain("referral", Section.REFERRALS, "referrals", N_("Made a referral"),
           N_("Updated a referral: {fields}")),
    _plain("appointment", Section.APPOINTMENTS, "appointments", N_("Booked an appointment"),
           N_("Changed an appointment: {fields}")),
    _plain("legal_matter", Section.LEGAL, "legal_matters", N_("Opened a legal matter"),
           N_("Changed a legal matter: {fields}")),
    RecordKind("evidence_item", Section.LEGAL, "evidence_items",
               "SELECT e.id, 0 AS health FROM evidence_items e JOIN legal_matters m"
               " ON m.id = e.matter_id WHERE m.case_id = :case",
               N_("Added an evidence item to a legal matter"),
               N_("Changed an evidence item: {fields}")),
    _plain("proceeding", Section.LEGAL, "proceedings",
           N_("Recorded criminal proceedings"), N_("Changed criminal proceedings: {fields}")),
    _plain("claim", Section.LEGAL, "claims", N_("Recorded a compensation claim"),
           N_("Changed a compensation claim: {fields}")),
    _plain("non_punishment", Section.LEGAL, "non_punishment",
           N_("Recorded a measure against her (non-punishment)"),
           N_("Changed a non-punishment record: {fields}")),
    _plain("family_member", Section.SITUATION, "family_members",
           N_("Added a family member"), N_("Changed a family member: {fields}")),
    _plain("attachment", Section.ATTACHMENTS, "attachments", N_("Added an attachment"),
           N_("Changed an attachment: {fields}")),
    _plain("timeline_event", Section.SITUATION, "timeline_events",
           N_("Added an event to the timeline"), N_("Changed a timeline event: {fields}")),
    # Tasks, where the vault has them (a case's task list).
    _plain("task", Section.TASKS, "tasks", N_("Added a task"), N_("Changed a task: {fields}")),
)

# Fields of health-type service entries that only roles reading health may see named.
HEALTH_ENTRY_FIELDS = frozenset({"outcome", "notes"})

FIELD_LABELS: dict[str, str] = {
    # identity
    "legal_name": N_("Legal name"), "preferred_name": N_("Preferred name"),
    "aliases": N_("Other names"), "birth_date": N_("Date of birth"),
    "estimated_age": N_("Estimated age"), "gender": N_("Gender"),
    "citizenship": N_("Citizenship"), "languages": N_("Languages spoken"),
    "interpreter_needed": N_("Needs an interpreter"),
    "interpreter_language": N_("Interpreter language"), "is_minor": N_("Minor"),
    "guardian": N_("Guardian"),
    # contact
    "contact": N_("Phone, email or address"), "safe_contact": N_("Safe-contact instructions"),
    # situation
    "referral_source": N_("Referred by"), "identification_status": N_("Identification status"),
    "identified_by": N_("Identification decided by"),
    "reasonable_grounds_date": N_("Reasonable-grounds decision"),
    "conclusive_grounds_date": N_("Conclusive-grounds decision"),
    "exploitation_types": N_("Exploitation types"), "means_of_control": N_("Means of control"),
    "recruitment_method": N_("Recruitment"),
    "recruiter_relationship": N_("Relationship to recruiter"),
    "identity_documents": N_("Identity documents"), "opened_on": N_("Date opened"),
    "is_draft": N_("Intake draft"), "code": N_("Case code"),
    # risk, health, status, people
    "risk_level": N_("Risk level"), "safety_plan": N_("Safety plan"),
    "access_needs": N_("Immediate needs and access needs"),
    "status": N_("Status"), "closure_reason": N_("Closure reason"),
    "assigned_to": N_("Assigned to"), "shared_with": N_("Shared with"), "site": N_("Site"),
    # records of the case
    "service": N_("Service"), "provided_on": N_("Date given"), "provider_kind": N_("Given by"),
    "partner_id": N_("Partner"), "duration_minutes": N_("Minutes"), "outcome": N_("Outcome"),
    "notes": N_("Notes"), "staff_id": N_("Staff member"),
    "withdrawn_on": N_("Withdrawal date"), "withdrawal_note": N_("Withdrawal note"),
    "priority": N_("Priority"), "services": N_("Services asked for"), "reason": N_("Reason"),
    "sent_on": N_("Date sent"), "follow_up_due": N_("Follow-up due"),
    "declined_reason": N_("Reason for declining"), "consent_id": N_("Consent used"),
    "appointment_type": N_("Type"), "starts_at": N_("Start"), "ends_at": N_("End"),
    "location": N_("Place"), "room": N_("Room"), "volunteer": N_("Volunteer"),
    "interpreter": N_("Interpreter"),
    "matter_type": N_("Matter"), "jurisdiction": N_("Jurisdiction"),
    "authority_ref": N_("Authority's reference"),
    "reflection_start": N_("Reflection period starts"),
    "reflection_end": N_("Reflection period ends"), "filing_due": N_("Filing due"),
    "filed_on": N_("Filed on"), "decision_on": N_("Decision on"),
    "permit_expiry": N_("Permit expires"), "attachment_id": N_("Attachment"),
    "authority": N_("Authority"), "representative": N_("Representative"),
    "decision": N_("Decision"), "template_id": N_("Template"),
    "permit_from": N_("Permit granted from"), "renewal_due": N_("Renewal due"),
    "attachments": N_("Documents"), "state": N_("State"), "holder": N_("Original held by"),
    "stage": N_("Stage"), "place": N_("Place"), "dates": N_("Dates"),
    "date_from": N_("From"), "date_to": N_("Until"), "approximate": N_("Approximate dates"),
    "country": N_("Country"), "source": N_("Source"),
    "authority_kind": N_("Run by"), "reference": N_("Reference"), "role": N_("Her role"),
    "stage_on": N_("Stage since"), "next_hearing": N_("Next hearing"),
    "requested": N_("Measures requested"), "granted": N_("Measures granted"),
    "survivor_informed": N_("Survivor informed"),
    "route": N_("Route"), "against": N_("Against"), "currency": N_("Currency"),
    "claimed": N_("Amount claimed"), "awarded": N_("Amount awarded"),
    "payments": N_("Payments received"),
    "measure": N_("Measure"), "offence": N_("Offence"), "measure_on": N_("Date of the measure"),
    "link": N_("Link to her exploitation"), "legal_basis": N_("Legal basis"),
    "act_by": N_("Act by"),
    "name": N_("Name"), "relationship": N_("Relationship"), "at_risk": N_("At risk"),
    "included": N_("Included in an application"),
    "description": N_("Description"), "label": N_("Label"),
    "what": N_("What"), "due_on": N_("Due"), "done_at": N_("Done"), "done_by": N_("Done by"),
}

DOCUMENT_LABELS: dict[str, str] = {
    "referral": N_("Referral packet"),
    "residence": N_("Residence-status packet"),
    "appointment_card": N_("Appointment card"),
}


def field_label(name: str) -> str:
    """A field's name in the interface language (an unknown field: its name, readable)."""
    label = FIELD_LABELS.get(name)
    return _(label) if label else name.replace("_", " ").capitalize()


def section_label(section: Section) -> str:
    return _(SECTION_LABELS[section])


def document_label(fmt: str) -> str:
    """"referral.pdf-aes256" → "Referral packet"."""
    kind = fmt.split(".", 1)[0]
    label = DOCUMENT_LABELS.get(kind)
    return _(label) if label else _("Document")


def join(items: list[str]) -> str:
    """*items* as a list in the interface language ("a, b and c")."""
    if not items:
        return ""
    try:
        return str(format_list(items, locale=current_language()))
    except (UnknownLocaleError, ValueError):  # the pseudo-locale
        return ", ".join(items)


def isolate(text: str) -> str:
    """*text* as a bidirectional isolate, for a name or a date put into a sentence: an
    Arabic name in an English sentence (or a Latin one in Arabic) keeps its own order and
    leaves the sentence's alone."""
    return f"\u2068{text}\u2069" if text else text
