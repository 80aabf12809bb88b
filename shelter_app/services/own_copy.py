"""The survivor's own copy of her records (her right of access): everything held about her
in one case, in her language, with what left the vault about her, for whom, and under which
consent.

Only an account that may read all of it makes it (her caseworker or a coordinator: the case,
health and legal records, ``READ_HEALTH`` and ``READ_LEGAL`` in the case's scope); a copy
with parts left out would tell her less than she is owed without saying so.  It goes
through the documents' one path (``DocumentService.produce_pdf``): encrypted unless asked
otherwise, recorded and audited when saved or printed like every document, with kind
``own_copy`` and no partner.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from shelter_app.documents.layout import new_packet_id
from shelter_app.documents.own_copy import OwnCopy, Part, recipient
from shelter_app.documents.packet_model import Words
from shelter_app.domain import vocab
from shelter_app.domain.audit import Event, Outcome
from shelter_app.domain.roles import Action
from shelter_app.errors import PermissionDenied
from shelter_app.i18n import _
from shelter_app.services.case_access import CaseAccess
from shelter_app.services.context import ServiceContext
from shelter_app.services.legal import DEADLINE_LABELS
from shelter_app.services.packet_data import chosen_language, document_language, survivor_language

if TYPE_CHECKING:
    from shelter_app.services.documents import DocumentService, Produced

LAYOUT = "own-copy/1"


def own_copy(docs: DocumentService, ctx: ServiceContext, s: Any, case_id: str, *,
             language: str | None = None, encrypt: bool = True, watermark: str | None = None,
             preview: bool = True, today: dt.date | None = None) -> Produced:
    scope = CaseAccess(ctx).require(case_id, Action.PRODUCE_PACKET)
    if not all(ctx.allowed(a, scope) for a in (Action.READ_CASE, Action.READ_HEALTH,
                                                 Action.READ_LEGAL)):
        ctx.record(Event.PERMISSION_DENIED, target_type="case", target_id=case_id,
                   outcome=Outcome.DENIED, details={"action": "own_copy"})
        raise PermissionDenied(_(
            "Her own copy holds everything recorded about her, health and legal records "
            "included: her caseworker or a coordinator makes it."))
    record = s.cases.get(case_id)
    default = document_language(s.settings.get("document_language"))
    lang = chosen_language(language) if language else survivor_language(record, default)
    organisation, contact = docs.organisation()
    packet_id = new_packet_id()
    model = OwnCopy(packet_id=packet_id, language=lang, organisation=organisation,
                    organisation_contact=contact, case_code=record.code,
                    made_on=today or dt.date.today(),
                    parts=tuple(_Parts(ctx, s, record, Words(lang), organisation).all()),
                    watermark=watermark)
    return docs.produce_pdf(
        case_id=case_id, scope=scope, kind="own_copy", model=model, packet_id=packet_id,
        recipient=recipient(lang), language=lang, sections=list(vocab.SECTIONS.codes()),
        consents=[], partner_id=None, template="own-copy", template_version=LAYOUT,
        encrypt=encrypt, preview=preview)


def _day(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.astimezone().date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


class _Parts:
    """Each part of the copy, worded in the document's language (*w*)."""

    def __init__(self, ctx: ServiceContext, s: Any, record: Any, w: Words,
                 organisation: str) -> None:
        self.ctx, self.s, self.record, self.w = ctx, s, record, w
        self._ = w._
        self.organisation = organisation
        self.partners = {r["id"]: r["name"] for r in ctx.db.all("SELECT id, name FROM partners")}
        self.service_labels = {r["code"]: r["label"] for r in ctx.db.all(
            "SELECT code, label FROM service_types")}

    def all(self) -> list[Part]:
        makers: list[Callable[[], Part]] = [
            self.identity, self.contact, self.situation, self.timeline, self.consents,
            self.services, self.referrals, self.appointments, self.legal, self.proceedings,
            self.claims, self.non_punishment, self.family, self.attachments, self.tasks,
            self.shared]
        return [make() for make in makers]

    def _table(self, title: str, header: Sequence[str], rows: Sequence[Sequence[str]],
               note: str = "") -> Part:
        return Part(title, header=tuple(header), rows=tuple(tuple(r) for r in rows), note=note)

    # -- the person ----------------------------------------------------------------------
    def identity(self) -> Part:
        w, _ = self.w, self._
        v = self.record.survivor
        guardian = v.get("guardian") or {}
        documents = [f"{w.term(vocab.DOCUMENT_TYPE, d.get('type'))}: "
                     f"{w.term(vocab.DOCUMENT_STATUS, d.get('status'))}"
                     + (" (" + _("withheld by {who}").format(who=d["withheld_by"]) + ")"
                        if d.get("withheld_by") else "")
                     for d in v.get("identity_documents") or ()]
        rows = [(_("Name"), v.get("legal_name") or ""),
                (_("Preferred name"), v.get("preferred_name") or ""),
                (_("Other names"), w.join(v.get("aliases") or ())),
                (_("Date of birth"), w.date(_day(v.get("birth_date")))),
                (_("Estimated age"), str(v.get("estimated_age") or "")),
                (_("Gender"), w.term(vocab.GENDER, v.get("gender"))),
                (_("Citizenship"), w.join(w.country(c) for c in v.get("citizenship") or ())),
                (_("Languages"), w.languages(v.get("languages") or ())),
                (_("Interpreter"), w.languages([v["interpreter_language"]])
                 if v.get("interpreter_needed") and v.get("interpreter_language")
                 else w.yes_no(bool(v.get("interpreter_needed")))),
                (_("Identity documents"), w.join(documents)),
                (_("Under 18"), w.yes_no(bool(v.get("is_minor")))),
                (_("Guardian"), " · ".join(x for x in (guardian.get("name", ""),
                                                       guardian.get("relationship", ""),
                                                       guardian.get("contact", "")) if x)),
                (_("Access needs"), v.get("access_needs") or "")]
        return Part(_("About you"), fields=tuple((k, x) for k, x in rows if x))

    def contact(self) -> Part:
        w, _ = self.w, self._
        v = self.record.survivor
        reach, safe = v.get("contact") or {}, v.get("safe_contact") or {}
        rows = [(_("Phone"), reach.get("phone", "")), (_("E-mail"), reach.get("email", "")),
                (_("Address"), reach.get("address", "")),
                (_("Safe to call"), w.yes_no(bool(safe.get("safe_to_call")))),
                (_("Safe to leave a message"), w.yes_no(bool(
                    safe.get("safe_to_leave_message")))),
                (_("Preferred way to reach you"),
                 w.term(vocab.CONTACT_METHOD, safe.get("preferred_method"))),
                (_("What to say if someone else answers"), safe.get("cover_story", ""))]
        return Part(_("How we reach you"), fields=tuple((k, x) for k, x in rows if x))

    def situation(self) -> Part:
        w, _ = self.w, self._
        c = self.record.case
        rows = [(_("Case"), self.record.code),
                (_("Opened on"), w.date(_day(c.get("opened_on")))),
                (_("Status"), w.term(vocab.CASE_STATUS, c.get("status"))),
                (_("Closed on"), w.date(_day(c.get("closed_at")))),
                (_("Closure reason"), w.term(vocab.CLOSURE_REASON, c.get("closure_reason"))),
                (_("Identification"), w.term(vocab.IDENTIFICATION_STATUS,
                                             c.get("identification_status"))),
                (_("Decided by"), w.term(vocab.IDENTIFIED_BY, c.get("identified_by"))),
                (_("Reasonable-grounds decision"),
                 w.date(_day(c.get("reasonable_grounds_date")))),
                (_("Conclusive-grounds decision"),
                 w.date(_day(c.get("conclusive_grounds_date")))),
                (_("Exploitation"), w.terms(vocab.EXPLOITATION,
                                            c.get("exploitation_types") or ())),
                (_("Means of control"), w.terms(vocab.MEANS_OF_CONTROL,
                                                c.get("means_of_control") or ())),
                (_("How you were recruited"), w.term(vocab.RECRUITMENT,
                                                     c.get("recruitment_method"))),
                (_("Who recruited you"), w.term(vocab.RECRUITER_RELATION,
                                                c.get("recruiter_relationship"))),
                (_("Risk"), w.term(vocab.RISK_LEVEL, c.get("risk_level"))),
                (_("Safety plan"), c.get("safety_plan") or ""),
                (_("Referred to us by"), c.get("referral_source") or "")]
        return Part(_("Your case"), fields=tuple((k, x) for k, x in rows if x))

    def timeline(self) -> Part:
        w, _ = self.w, self._
        rows = []
        for e in self.s.timeline.list(self.record.id):
            dates = " – ".join(x for x in (w.date(e.date_from), w.date(e.date_to)) if x)
            if dates and e.approximate:
                dates = _("about {dates}").format(dates=dates)
            rows.append((dates, w.term(vocab.TIMELINE_STAGE, e.stage),
                         ", ".join(x for x in (e.place, w.country(e.country)) if x),
                         e.description))
        return self._table(_("What happened, as you told us"),
                           (_("When"), _("Stage"), _("Where"), _("What")), rows)

    # -- consent and what was shared -----------------------------------------------------
    def consents(self) -> Part:
        w, _ = self.w, self._
        rows = []
        for c in self.s.consent.list(self.record.id):
            to = _("any partner we refer you to") if c.any_referral else self.partners.get(
                c.partner_id or "", "")
            until = (_("withdrawn on {day}").format(day=w.date(c.withdrawn_on))
                     if c.withdrawn_on else w.date(c.expires_on) or _("until withdrawn"))
            rows.append((w.date(c.given_on), to, w.terms(vocab.SECTIONS, c.sections),
                         c.purpose, until))
        answer = self.s.consent.reporting(self.record.id)
        note = _("Counted in anonymised statistics: {answer}.").format(
            answer=w.term(vocab.REPORTING_CONSENT, answer.answer))
        return self._table(_("What you agreed we may share"),
                           (_("Given on"), _("With"), _("What"), _("Why"), _("Until")), rows,
                           note=note)

    def shared(self) -> Part:
        w, _ = self.w, self._
        given = {c.id: c for c in self.s.consent.list(self.record.id)}
        rows = []
        for doc in self.s.documents.history(self.record.id):
            consents = [given[i] for i in doc.consent_ids if i in given]
            under = w.join(_("consent of {day}").format(day=w.date(c.given_on))
                           for c in consents)
            if not under:
                under = _("consent no longer recorded") if doc.consent_ids else _("none needed")
            rows.append((w.date(_day(doc.created_at)), doc.recipient,
                         w.terms(vocab.SECTIONS, doc.sections), under, doc.packet_id))
        return self._table(_("What left our records about you, and for whom"),
                           (_("On"), _("For"), _("What"), _("Under"), _("Reference")), rows,
                           note=_("Every document saved or printed from your case."))

    # -- the work done -------------------------------------------------------------------
    def services(self) -> Part:
        w, _ = self.w, self._
        rows = []
        for e in self.s.care.list(self.record.id):
            label = self.service_labels.get(e.service_code, e.service_code)
            provider = self.partners.get(e.partner_id or "", "") or self.organisation
            rows.append((w.date(e.provided_on), _(label), provider,
                         " ".join(x for x in (e.outcome or "", e.notes or "") if x)))
        return self._table(_("Services you received"),
                           (_("On"), _("Service"), _("From"), _("Notes")), rows)

    def referrals(self) -> Part:
        w, _ = self.w, self._
        rows = [(w.date(_day(r.sent_on)), self.partners.get(r.partner_id, ""),
                 w.term(vocab.REFERRAL_STATUS, r.status),
                 w.join(_(self.service_labels.get(code, code)) for code in r.services),
                 r.reason) for r in self.s.referrals.list(self.record.id)]
        return self._table(_("Where we referred you"),
                           (_("Sent on"), _("To"), _("Status"), _("For"), _("Why")), rows)

    def appointments(self) -> Part:
        w, _ = self.w, self._
        rows = [(w.date(_day(a.starts_at)), w.term(vocab.APPOINTMENT_TYPE, a.appointment_type),
                 ", ".join(x for x in (a.location, a.room) if x),
                 w.term(vocab.APPOINTMENT_STATUS, a.status), a.notes)
                for a in self.s.appointments.list_for_case(self.record.id)]
        return self._table(_("Appointments"),
                           (_("On"), _("What"), _("Where"), _("Status"), _("Notes")), rows)

    def legal(self) -> Part:
        w, _ = self.w, self._
        rows = []
        for m in self.s.legal.list(self.record.id):
            dates = w.join(f"{_(DEADLINE_LABELS[k])}: {w.date(d)}" for k, d in m.dates.items()
                           if k in DEADLINE_LABELS and d)
            evidence = w.join(f"{e.label} ({w.term(vocab.EVIDENCE_STATE, e.state)})"
                              for e in self.s.legal.evidence(m.id))
            rows.append((w.term(vocab.LEGAL_MATTER_TYPE, m.matter_type),
                         w.term(vocab.LEGAL_MATTER_STATUS, m.status),
                         " ".join(x for x in (m.authority, m.authority_ref, m.jurisdiction)
                                  if x), dates, evidence,
                         " ".join(x for x in (m.decision, m.notes) if x)))
        return self._table(_("Legal matters"),
                           (_("Matter"), _("Status"), _("Authority"), _("Dates"),
                            _("Evidence"), _("Notes")), rows)

    def proceedings(self) -> Part:
        w, _ = self.w, self._
        rows = [(w.term(vocab.PROCEEDING_AUTHORITY, p.authority_kind),
                 " ".join(x for x in (p.authority, p.reference) if x),
                 w.term(vocab.PROCEEDING_ROLE, p.role), w.term(vocab.PROCEEDING_STAGE, p.stage),
                 w.date(p.next_hearing), p.notes)
                for p in self.s.proceedings.list(self.record.id)]
        return self._table(_("Criminal and other proceedings"),
                           (_("Authority"), _("Reference"), _("Your role"), _("Stage"),
                            _("Next hearing"), _("Notes")), rows)

    def claims(self) -> Part:
        w, _ = self.w, self._
        rows = [(w.term(vocab.CLAIM_ROUTE, c.route), c.against,
                 w.term(vocab.CLAIM_STATUS, c.status),
                 " ".join(x for x in (c.claimed, c.currency) if x),
                 " ".join(x for x in (c.awarded, c.currency) if c.awarded and x), c.notes)
                for c in self.s.claims.list(self.record.id)]
        return self._table(_("Compensation claims"),
                           (_("Route"), _("Against"), _("Status"), _("Claimed"), _("Awarded"),
                            _("Notes")), rows)

    def non_punishment(self) -> Part:
        w, _ = self.w, self._
        rows = [(w.term(vocab.NP_MEASURE, n.measure), n.offence,
                 " ".join(x for x in (n.authority, n.reference) if x),
                 w.term(vocab.NP_STATUS, n.status), n.notes)
                for n in self.s.non_punishment.list(self.record.id)]
        return self._table(_("Measures taken against you"),
                           (_("Measure"), _("Offence"), _("Authority"), _("Status"),
                            _("Notes")), rows)

    def family(self) -> Part:
        w, _ = self.w, self._
        rows = [(f.name, w.term(vocab.FAMILY_RELATIONSHIP, f.relationship),
                 w.date(f.birth_date), ", ".join(x for x in (f.place, w.country(f.country))
                                                 if x),
                 w.yes_no(f.at_risk), f.notes)
                for f in self.s.family.list(self.record.id)]
        return self._table(_("Your family"),
                           (_("Name"), _("Relationship"), _("Born"), _("Where"), _("At risk"),
                            _("Notes")), rows)

    def attachments(self) -> Part:
        w, _ = self.w, self._
        rows = [(w.date(_day(a.created_at)), a.label or a.file_name, a.file_name)
                for a in self.s.attachments.list(self.record.id)]
        return self._table(_("Documents and files we keep"),
                           (_("Added on"), _("What"), _("File")), rows,
                           note=_("Ask us for a copy of any of these files.") if rows else "")

    def tasks(self) -> Part:
        w, _ = self.w, self._
        rows = [(task.what, w.date(task.due_on),
                 _("done") if task.done else _("open"))
                for task in self.s.tasks.list_for_case(self.record.id)]
        return self._table(_("What our staff noted to do for you"),
                           (_("What"), _("Due on"), _("State")), rows)
