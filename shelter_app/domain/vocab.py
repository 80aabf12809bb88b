"""Controlled vocabularies, aligned with the Human Trafficking Case Data Standard (HTCDS
v2.0) and the CTDC data model, so exports line up with CTDC's variables.

Each vocabulary maps a stable code (stored in the database and in exports) to a label marked
for translation; the label is translated when shown, never stored.  The ``ctdc`` column
names the CTDC variable a code feeds, where there is one.
"""

from __future__ import annotations

from dataclasses import dataclass

from shelter_app.errors import ValidationError
from shelter_app.i18n import N_, _


@dataclass(frozen=True)
class Term:
    code: str
    label: str
    ctdc: str | None = None


class Vocabulary:
    def __init__(self, name: str, field_label: str, terms: list[Term]) -> None:
        self.name = name
        self.field_label = field_label
        self.terms = {t.code: t for t in terms}

    def __contains__(self, code: object) -> bool:
        return code in self.terms

    def codes(self) -> list[str]:
        return list(self.terms)

    def label(self, code: str) -> str:
        term = self.terms.get(code)
        return _(term.label) if term else code

    def choices(self) -> list[tuple[str, str]]:
        return [(t.code, _(t.label)) for t in self.terms.values()]

    def check(self, code: str, field: str | None = None) -> str:
        """*code* if it is one of the terms; a required choice left blank is refused with
        a message that says a choice is needed (never the list of codes)."""
        if not code:
            raise ValidationError(_("Choose one: {field}.").format(field=_(self.field_label)),
                                  field or self.name)
        if code not in self.terms:
            raise ValidationError(
                _("'{value}' is not a valid choice for {field}. Valid: {codes}.").format(
                    value=code, field=_(self.field_label), codes=", ".join(self.terms)),
                field or self.name,
            )
        return code

    def check_many(self, codes: list[str] | tuple[str, ...], field: str | None = None) -> list[str]:
        seen: list[str] = []
        for code in codes:
            if self.check(code, field) not in seen:
                seen.append(code)
        return seen


def _v(name: str, label: str, *terms: tuple[str, str] | tuple[str, str, str]) -> Vocabulary:
    return Vocabulary(name, label, [Term(*t) for t in terms])


GENDER = _v("gender", N_("Gender"),
            ("woman", N_("Woman / girl"), "Female"),
            ("man", N_("Man / boy"), "Male"),
            ("transgender", N_("Transgender / non-binary"), "Transgender"),
            ("unknown", N_("Not known or not disclosed"), "Unknown"))

EXPLOITATION = _v("exploitation_types", N_("Exploitation types"),
                  ("sexual", N_("Sexual exploitation"), "isSexualExploit"),
                  ("forced_labour", N_("Forced labour"), "isForcedLabour"),
                  ("forced_marriage", N_("Forced marriage"), "isForcedMarriage"),
                  ("forced_military", N_("Forced military service"), "isForcedMilitary"),
                  ("forced_criminality", N_("Forced criminal activity"), "isOtherExploit"),
                  ("forced_begging", N_("Forced begging"), "isOtherExploit"),
                  ("domestic_servitude", N_("Domestic servitude"), "isForcedLabour"),
                  ("organ_removal", N_("Organ removal"), "isOrganRemoval"),
                  ("slavery", N_("Slavery and similar practices"), "isSlaveryAndPractices"),
                  ("other", N_("Other exploitation"), "isOtherExploit"))

MEANS_OF_CONTROL = _v("means_of_control", N_("Means of control"),
                      ("debt_bondage", N_("Debt bondage"), "meansDebtBondageEarnings"),
                      ("takes_earnings", N_("Takes earnings"), "meansDebtBondageEarnings"),
                      ("threats", N_("Threats"), "meansThreats"),
                      ("psychological_abuse", N_("Psychological abuse"), "meansAbusePsyPhySex"),
                      ("physical_abuse", N_("Physical abuse"), "meansAbusePsyPhySex"),
                      ("sexual_abuse", N_("Sexual abuse"), "meansAbusePsyPhySex"),
                      ("false_promises", N_("False promises"), "meansFalsePromises"),
                      ("drugs_alcohol", N_("Drugs or alcohol"), "meansDrugsAlcohol"),
                      ("restricts_movement", N_("Restricts movement"), "meansOther"),
                      ("restricts_medical_care", N_("Restricts medical care"),
                       "meansDenyBasicNeeds"),
                      ("excessive_hours", N_("Excessive working hours"), "meansExcessiveWorkHours"),
                      ("threats_to_family", N_("Threats to family"), "meansThreats"),
                      ("withholds_documents", N_("Withholds documents"), "meansWithholdDocs"),
                      ("withholds_necessities", N_("Withholds necessities"),
                       "meansDenyBasicNeeds"),
                      ("other", N_("Other means"), "meansOther"))

RECRUITMENT = _v("recruitment_method", N_("Recruitment method"),
                 ("job_offer", N_("Job offer")),
                 ("romance", N_("Romantic relationship")),
                 ("family", N_("Through family")),
                 ("online", N_("Online or social media")),
                 ("abduction", N_("Abduction")),
                 ("sold", N_("Sold by someone")),
                 ("education_offer", N_("Offer of education or travel")),
                 ("other", N_("Other")),
                 ("unknown", N_("Not known")))

RECRUITER_RELATION = _v("recruiter_relationship", N_("Relationship to recruiter"),
                        ("intimate_partner", N_("Intimate partner"),
                         "recruiterRelationIntimatePartner"),
                        ("friend", N_("Friend"), "recruiterRelationFriend"),
                        ("family", N_("Family member"), "recruiterRelationFamily"),
                        ("employer", N_("Employer"), "recruiterRelationOther"),
                        ("stranger", N_("Stranger"), "recruiterRelationOther"),
                        ("other", N_("Other"), "recruiterRelationOther"),
                        ("unknown", N_("Not known"), "recruiterRelationUnknown"))

IDENTIFICATION_STATUS = _v("identification_status", N_("Identification status"),
                           ("possible", N_("Possible victim")),
                           ("actual", N_("Identified victim")),
                           ("not_victim", N_("Not a victim of trafficking")))

IDENTIFIED_BY = _v("identified_by", N_("Identification decided by"),
                   ("police", N_("Police")),
                   ("ngo", N_("Non-governmental organisation")),
                   ("court", N_("Court or prosecution")),
                   ("other_authority", N_("Other authority")))

TIMELINE_STAGE = _v("stage", N_("Stage"),
                    ("recruitment", N_("Recruitment")),
                    ("transit", N_("Travel")),
                    ("exploitation", N_("Exploitation")),
                    ("escape", N_("Escape")),
                    ("identification", N_("Identification as a victim")),
                    ("police_report", N_("Report to the police")),
                    ("other", N_("Other event")))

# Where the account of a timeline event comes from.
TIMELINE_SOURCE = _v("source", N_("Source"),
                     ("survivor", N_("The survivor's own account")),
                     ("document", N_("A document")),
                     ("authority", N_("Police or another authority")),
                     ("witness", N_("A witness")),
                     ("organisation", N_("Our own or a partner's records")))

RISK_LEVEL = _v("risk_level", N_("Risk level"),
                ("low", N_("Low")), ("medium", N_("Medium")), ("high", N_("High")),
                ("critical", N_("Critical")))

CASE_STATUS = _v("status", N_("Case status"),
                 ("open", N_("Open")), ("assessment", N_("Assessment")),
                 ("case_plan", N_("Case plan")), ("services", N_("Services")),
                 ("closed", N_("Closed")))

CLOSURE_REASON = _v("closure_reason", N_("Closure reason"),
                    ("goals_met", N_("Goals met")), ("moved_away", N_("Moved away")),
                    ("returned_home", N_("Returned home")), ("transferred", N_("Transferred")),
                    ("lost_contact", N_("Lost contact")), ("declined", N_("Declined services")),
                    ("other", N_("Other")))

DOCUMENT_STATUS = _v("document_status", N_("Document status"),
                     ("held", N_("Held by the survivor")),
                     ("missing", N_("Missing or lost")),
                     ("withheld", N_("Withheld by someone else")))

DOCUMENT_TYPE = _v("document_type", N_("Identity document"),
                   ("passport", N_("Passport")), ("national_id", N_("National identity card")),
                   ("residence_permit", N_("Residence permit")), ("visa", N_("Visa")),
                   ("birth_certificate", N_("Birth certificate")),
                   ("driving_licence", N_("Driving licence")), ("other", N_("Other document")))

CONTACT_METHOD = _v("preferred_method", N_("Preferred contact method"),
                    ("phone", N_("Phone call")), ("sms", N_("Text message")),
                    ("messaging_app", N_("Messaging app")), ("email", N_("Email")),
                    ("in_person", N_("In person only")), ("through_caseworker",
                                                          N_("Only through the caseworker")))

SECTIONS = _v("sections", N_("Sections"),
              ("identity", N_("Identity")), ("contact", N_("Contact and safe contact")),
              ("situation", N_("Situation and exploitation")), ("health", N_("Health")),
              ("legal", N_("Legal")), ("services", N_("Services")))

CONSENT_GIVEN_BY = _v("given_by", N_("Consent given by"),
                      ("survivor", N_("Survivor")), ("guardian", N_("Guardian")))

# Whether the survivor may be counted in anonymised statistics (the statistics count only
# "yes"; a case never asked has no answer recorded and reads as "not_asked").
REPORTING_CONSENT = _v("reporting_consent", N_("May be counted in anonymised statistics"),
                       ("yes", N_("Yes")), ("no", N_("No")),
                       ("not_asked", N_("Not asked yet")))

CONSENT_METHOD = _v("method", N_("How consent was given"),
                    ("written", N_("Written")), ("verbal", N_("Verbal")))

PRIORITY = _v("priority", N_("Priority"),
              ("emergency", N_("Emergency (24 hours)")), ("urgent", N_("Urgent (72 hours)")),
              ("normal", N_("Normal (2 weeks)")))

REFERRAL_STATUS = _v("referral_status", N_("Referral status"),
                     ("draft", N_("Draft")), ("sent", N_("Sent")), ("accepted", N_("Accepted")),
                     ("declined", N_("Declined")), ("completed", N_("Completed")),
                     ("revoked", N_("Revoked")))

APPOINTMENT_TYPE = _v("appointment_type", N_("Appointment type"),
                      ("legal_consultation", N_("Legal consultation")),
                      ("court_hearing", N_("Court hearing")),
                      ("authority_interview", N_("Interview with authorities")),
                      ("medical", N_("Medical")), ("other", N_("Other")))

APPOINTMENT_STATUS = _v("appointment_status", N_("Appointment status"),
                        ("scheduled", N_("Scheduled")), ("confirmed", N_("Confirmed")),
                        ("attended", N_("Attended")), ("no_show", N_("Did not attend")),
                        ("cancelled", N_("Cancelled")))

LEGAL_MATTER_TYPE = _v("matter_type", N_("Legal matter"),
                       ("residence_permit", N_("Residence permit")), ("t_visa", N_("T visa")),
                       ("reflection_period", N_("Reflection and recovery period")),
                       ("nrm", N_("National Referral Mechanism")), ("asylum", N_("Asylum")),
                       ("criminal_witness", N_("Criminal proceedings (witness)")),
                       ("compensation", N_("Compensation claim")), ("other", N_("Other")))

LEGAL_MATTER_STATUS = _v("matter_status", N_("Legal matter status"),
                         ("preparing", N_("Preparing")), ("filed", N_("Filed")),
                         ("pending", N_("Pending decision")), ("granted", N_("Granted")),
                         ("refused", N_("Refused")), ("appeal", N_("Under appeal")),
                         ("closed", N_("Closed")))

PROCEEDING_AUTHORITY = _v("authority_kind", N_("Run by"),
                          ("police", N_("Police")), ("prosecutor", N_("Prosecutor")),
                          ("court", N_("Court")), ("other", N_("Other authority")))

PROCEEDING_ROLE = _v("role", N_("Her role"),
                     ("witness", N_("Witness")), ("injured_party", N_("Injured party")),
                     ("civil_party", N_("Civil party")), ("other", N_("Other role")))

PROCEEDING_STAGE = _v("stage", N_("Stage"),
                      ("report", N_("Report")), ("investigation", N_("Investigation")),
                      ("charge", N_("Charge")), ("trial", N_("Trial")),
                      ("judgment", N_("Judgment")), ("appeal", N_("Appeal")),
                      ("closed", N_("Closed")))

PROTECTION_MEASURE = _v("measure", N_("Protection and special measures"),
                        ("screens", N_("Screens in the courtroom")),
                        ("video_testimony", N_("Testimony by video link")),
                        ("anonymity", N_("Anonymity")), ("escort", N_("Escort")),
                        ("relocation", N_("Relocation")),
                        ("closed_hearing", N_("Hearing in private")),
                        ("other", N_("Other measure")))

INFORM_METHOD = _v("method", N_("How she was told"),
                   ("in_person", N_("In person")), ("phone", N_("By phone")),
                   ("letter", N_("By letter")), ("through_lawyer", N_("Through her lawyer")),
                   ("message", N_("By message")))

FAMILY_RELATIONSHIP = _v("relationship", N_("Relationship"),
                         ("spouse", N_("Spouse or partner")), ("child", N_("Child")),
                         ("parent", N_("Parent")), ("sibling", N_("Brother or sister")),
                         ("other", N_("Other relative or dependant")))

CLAIM_ROUTE = _v("route", N_("Route"),
                 ("criminal_court", N_("Criminal court")), ("civil_court", N_("Civil court")),
                 ("state_fund", N_("State compensation fund")),
                 ("labour_tribunal", N_("Labour tribunal")), ("other", N_("Other route")))

CLAIM_STATUS = _v("claim_status", N_("Claim status"),
                  ("preparing", N_("Preparing")), ("filed", N_("Filed")),
                  ("awarded", N_("Awarded")), ("refused", N_("Refused")),
                  ("paid", N_("Paid in full")), ("withdrawn", N_("Withdrawn")))

NP_MEASURE = _v("np_measure", N_("Measure against her"),
                ("investigation", N_("Investigation or arrest")),
                ("charge", N_("Charge or prosecution")), ("conviction", N_("Conviction")),
                ("fine", N_("Fine or penalty")), ("detention", N_("Immigration detention")),
                ("removal_order", N_("Removal or deportation order")),
                ("entry_ban", N_("Entry ban")), ("other", N_("Other measure against her")))

NP_STATUS = _v("np_status", N_("Non-punishment status"),
               ("open", N_("Not raised yet")), ("raised", N_("Raised with the authority")),
               ("accepted", N_("Accepted: not punished")), ("refused", N_("Refused")),
               ("closed", N_("Closed")))

EVIDENCE_STATE = _v("evidence_state", N_("Evidence state"),
                    ("needed", N_("Still needed")), ("requested", N_("Requested")),
                    ("obtained", N_("Obtained")), ("not_applicable", N_("Not applicable")))

PARTNER_TYPE = _v("partner_type", N_("Partner type"),
                  ("shelter", N_("Shelter")), ("health", N_("Health service")),
                  ("legal", N_("Legal service")), ("government", N_("Government agency")),
                  ("law_enforcement", N_("Law enforcement")),
                  ("labour_inspection", N_("Labour inspection")),
                  ("ngo", N_("Non-governmental organisation")),
                  ("international", N_("International organisation")), ("other", N_("Other")))
