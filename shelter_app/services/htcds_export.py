"""Cases as HTCDS 2.0 columns, for a partner that uses the Human Trafficking Case Data
Standard (IOM, github.com/UNMigration/HTCDS, "HTCDS Field Standards 2.0", 2021-12-24).

Only the fields this product holds, with the standard's field names and value names;
``DICTIONARY`` says for each how our codes were mapped and what is lost.  A case is
written only when an active consent covers the recipient for identity and situation;
the others are counted, not named.  The date of birth, the one identifying field, is
written only when asked for.  No name, contact, free text or code is ever in the file.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from shelter_app.domain.audit import Event
from shelter_app.domain.key_classes import KeyName
from shelter_app.domain.roles import Action
from shelter_app.exchange import tables
from shelter_app.i18n import N_, _
from shelter_app.services.case_access import CaseAccess
from shelter_app.services.case_facts import (
    Facts,
    age_when_exploited,
    counting,
    facts_by_case,
)
from shelter_app.services.consent import ConsentService
from shelter_app.services.context import ServiceContext, require_case_key
from shelter_app.store import directory

SECTIONS = ["identity", "situation"]
STATUS = {"closed": "Closed"}  # every other status of ours is Active
GENDER = {"woman": "Feminine", "man": "Masculine", "unknown": "NonSpecifiedUnknown",
          "transgender": ""}
TRAFFICKING_STATUS = {"possible": "PossibleVictimOfTrafficking",
                      "actual": "ActualVictimOfTrafficking",
                      "not_victim": "NotAVictimOfTrafficking"}
DECIDED_BY = {"police": "Police", "ngo": "NGO", "court": "CourtOrProsecution",
              "other_authority": "NonPoliceGovernmentalOrganization"}
EXPLOITATION = {"sexual": "SexualExploitation", "forced_labour": "ForcedLabour",
                "forced_marriage": "ForcedMarriage",
                "forced_military": "ForcedMilitaryByNonStateActors",
                "forced_criminality": "Other", "forced_begging": "ForcedBegging",
                "domestic_servitude": "Servitude", "organ_removal": "OrganRemoval",
                "slavery": "Servitude", "other": "Other"}
CONTROL = {"debt_bondage": "DebtBondage", "takes_earnings": "TakesEarnings",
           "threats": "PhysicalThreats", "psychological_abuse": "PsychologicalAbuse",
           "physical_abuse": "PhysicalAbuse", "sexual_abuse": "SexualAbuse",
           "false_promises": "FalsePromises", "drugs_alcohol": "PsychoactiveSubstance",
           "restricts_movement": "Other", "restricts_medical_care": "RestrictsMedicalCare",
           "excessive_hours": "ExcessiveWorkingHours", "threats_to_family":
           "ThreatensChildrenFamily", "withholds_documents": "WithholdsDocuments",
           "withholds_necessities": "WithholdsNecessities", "other": "Other"}
RECRUITMENT = {"family": "ThroughFamilyOrFamilyEvents", "online": "ThroughOnlineSocialNetworks",
               "job_offer": "Other", "romance": "Other", "abduction": "Other", "sold": "Other",
               "education_offer": "Other", "other": "Other", "unknown": ""}
RELATIONSHIP = {"family": "Familial", "intimate_partner": "Acquainted", "friend": "Acquainted",
                "employer": "Acquainted", "stranger": "Unaquainted", "other": "",
                "unknown": ""}

# (field, what it holds here): the data dictionary written beside the table
DICTIONARY: list[tuple[str, str]] = [
    ("cas_Status", N_("Active, or Closed for a closed case.")),
    ("prs_Gender", N_("Feminine, Masculine or NonSpecifiedUnknown. Our \u201ctransgender or "
                      "non-binary\u201d is left empty: the standard tells TransgenderFeminine, "
                      "TransgenderMasculine and NonConforming apart, which we do not record.")),
    ("prs_Birthdate", N_("YYYY-MM-DD; empty unless the export was asked to include "
                         "identifying fields.")),
    ("prs_Citizenship", N_("ISO 3166 two-letter codes, separated by \u201c;\u201d.")),
    ("prs_PrimaryLanguage", N_("ISO 639 code of the first language recorded.")),
    ("prs_SecondaryLanguage", N_("ISO 639 code of the second language recorded.")),
    ("vic_AgeWhenTrafficked", N_("Whole years on the first day of exploitation on the "
                                 "timeline, from the date of birth or the age estimated "
                                 "at intake.")),
    ("vic_TraffickingStatus", N_("PossibleVictimOfTrafficking, ActualVictimOfTrafficking or "
                                 "NotAVictimOfTrafficking.")),
    ("vic_TraffickingStatusDecisionMakingOrg", N_(
        "Police, NGO, CourtOrProsecution or NonPoliceGovernmentalOrganization.")),
    ("vic_TypeOfExploitation", N_("Separated by \u201c;\u201d. Forced criminal activity is "
                                  "Other; domestic servitude and slavery are Servitude.")),
    ("vic_MethodsOfControl", N_("Separated by \u201c;\u201d. Restricting movement, which the "
                                "standard has no value for, is Other.")),
    ("vic_MethodOfRecruitment", N_("Through family and online are mapped; every other "
                                   "recorded method is Other.")),
    ("vic_RelationshipToTrafficker", N_("The relationship to the recruiter: Familial, "
                                        "Acquainted (partner, friend, employer) or "
                                        "Unaquainted (a stranger), as the standard spells "
                                        "it.")),
    ("hte_Country", N_("Countries of the timeline's exploitation events (hte_Type "
                       "Exploitation), separated by \u201c;\u201d.")),
    ("con_Consent", N_("TRUE: a case is in the file only when an active consent covers this "
                       "recipient for identity and situation.")),
]
COLUMNS = [name for name, _meaning in DICTIONARY]


@dataclass(frozen=True)
class HtcdsExport:
    written: int
    without_consent: int


def _many(codes: tuple[str, ...] | list[str], mapping: dict[str, str]) -> str:
    return ";".join(dict.fromkeys(v for v in (mapping.get(c, "") for c in codes) if v))


def _row(facts: Facts, status: str, languages: list[str], *, identifying: bool
         ) -> dict[str, str]:
    age = age_when_exploited(facts)
    return {
        "cas_Status": STATUS.get(status, "Active"),
        "prs_Gender": GENDER.get(facts.gender, ""),
        "prs_Birthdate": facts.birth.isoformat() if identifying and facts.birth else "",
        "prs_Citizenship": ";".join(facts.citizenship),
        "prs_PrimaryLanguage": languages[0] if languages else "",
        "prs_SecondaryLanguage": languages[1] if len(languages) > 1 else "",
        "vic_AgeWhenTrafficked": "" if age is None else str(age),
        "vic_TraffickingStatus": TRAFFICKING_STATUS.get(facts.identification, ""),
        "vic_TraffickingStatusDecisionMakingOrg": DECIDED_BY.get(facts.identified_by, ""),
        "vic_TypeOfExploitation": _many(facts.exploitation, EXPLOITATION),
        "vic_MethodsOfControl": _many(facts.means, CONTROL),
        "vic_MethodOfRecruitment": RECRUITMENT.get(facts.recruitment, ""),
        "vic_RelationshipToTrafficker": RELATIONSHIP.get(facts.recruiter, ""),
        "hte_Country": ";".join(facts.countries),
        "con_Consent": "TRUE",
    }


class HtcdsExporter:
    def __init__(self, ctx: ServiceContext, consent: ConsentService) -> None:
        self._ctx = ctx
        self._consent = consent
        self._access = CaseAccess(ctx)

    def write(self, path: Path, partner_id: str, *, identifying: bool = False
              ) -> HtcdsExport:
        """The cases shared with *partner_id* as HTCDS columns at *path*, and the data
        dictionary beside it (``*-dictionary.csv``)."""
        self._ctx.require(Action.EXPORT_CASES)
        self._ctx.refuse_if_read_only()
        require_case_key(self._ctx)
        directory.require_partner(self._ctx.db, partner_id)
        dictionary = path.with_name(path.stem + "-dictionary.csv")
        tables.require_new(path, dictionary)  # both are new, or nothing is written
        db = self._ctx.db
        visible, params = self._access.visible_sql("c")
        shared: list[str] = []
        refused = 0
        today = dt.date.today()
        for row in db.all(f"SELECT c.id FROM cases c WHERE {visible} AND c.is_draft = 0"  # noqa: S608
                          " ORDER BY c.opened_on, c.id", params):
            # a consent naming this partner: one given "for any referral" is for referrals,
            # not for a dataset
            covered = {section for c in self._consent.list(row["id"])
                       if c.partner_id == partner_id and c.active_on(today)
                       for section in c.sections}
            if covered.issuperset(SECTIONS):
                shared.append(row["id"])
            else:
                refused += 1
        rows = []
        with counting(self._ctx, lambda conn: conn.executemany(
                "INSERT INTO temp.stat_counted (id) VALUES (?)", [(i,) for i in shared])):
            extra = {r["id"]: (r["status"], r["survivor_id"], r["languages"]) for r in db.all(
                "SELECT c.id, c.status, s.id AS survivor_id, s.languages"
                " FROM temp.stat_counted k CROSS JOIN cases c ON c.id = k.id"
                " JOIN survivors s ON s.id = c.survivor_id")}
            facts_of = facts_by_case(self._ctx)
        for case_id in shared:
            status, survivor_id, languages = extra[case_id]
            spoken = self._ctx.unseal(KeyName.CASE, "survivors", survivor_id, "languages",
                                      languages) or ""
            rows.append(_row(facts_of[case_id], status,
                             list(json.loads(spoken)) if spoken else [],
                             identifying=identifying))
        tables.write_csv(dictionary, ["field", "meaning"],
                         [{"field": name, "meaning": _(meaning)} for name, meaning in DICTIONARY])
        try:  # the cases last: a failure leaves no case data written and unaudited
            tables.write_csv(path, COLUMNS, rows)
        except BaseException:
            dictionary.unlink(missing_ok=True)
            raise
        self._ctx.record(Event.EXPORT, target_type="partner", target_id=partner_id,
                         details={"count": len(rows), "format": "htcds",
                                  "fields": ["prs_Birthdate"] if identifying else []})
        return HtcdsExport(len(rows), refused)
