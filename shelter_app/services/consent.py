"""Consent records and the one consent check every sharing path uses.

Nothing leaves the vault (packet, export, transfer) unless active consent covers the
recipient and every section included.  A refusal names what is missing.
"""

from __future__ import annotations

import builtins
import datetime as dt
import json
import uuid
from dataclasses import dataclass

from shelter_app.domain import validate as v
from shelter_app.domain import vocab
from shelter_app.domain.audit import Event
from shelter_app.domain.key_classes import KeyName
from shelter_app.domain.roles import Action
from shelter_app.errors import ShelterError, ValidationError
from shelter_app.i18n import _
from shelter_app.i18n.formatting import fill
from shelter_app.services.case_access import CaseAccess
from shelter_app.services.context import ServiceContext, require_case_key
from shelter_app.store import directory
from shelter_app.store.audit import now_utc
from shelter_app.store.db import Row


class ConsentMissing(ShelterError):
    """Sharing refused: no active consent covers the recipient and sections asked for."""

    def __init__(self, message: str, missing_sections: tuple[str, ...]) -> None:
        super().__init__(message)
        self.missing_sections = missing_sections


@dataclass(frozen=True)
class Consent:
    id: str
    case_id: str
    sections: tuple[str, ...]
    partner_id: str | None
    any_referral: bool
    purpose: str
    given_by: str
    guardian_name: str
    method: str
    interpreter_used: bool
    interpreter_language: str | None
    given_on: dt.date
    expires_on: dt.date | None
    withdrawn_on: dt.date | None

    def active_on(self, day: dt.date) -> bool:
        return (self.given_on <= day and (self.expires_on is None or day <= self.expires_on)
                and (self.withdrawn_on is None or day < self.withdrawn_on))

    def covers(self, partner_id: str) -> bool:
        return self.any_referral or self.partner_id == partner_id


@dataclass(frozen=True)
class ReportingConsent:
    """Whether the survivor may be counted in anonymised statistics: ``yes``, ``no`` or
    ``not_asked``, and the day she answered (None while not asked)."""

    case_id: str
    answer: str
    answered_on: dt.date | None


SEALED = ("purpose", "guardian_name", "withdrawal_note")  # case key (VAULT_FORMAT 7.1)


def _consent(row: Row, opened: dict[str, str]) -> Consent:
    def day(value: str | None) -> dt.date | None:
        return dt.date.fromisoformat(value) if value else None

    given = day(row["given_on"])
    assert given is not None
    return Consent(row["id"], row["case_id"], tuple(json.loads(row["sections"])),
                   row["partner_id"], bool(row["any_referral"]), opened["purpose"],
                   row["given_by"], opened["guardian_name"], row["method"],
                   bool(row["interpreter_used"]), row["interpreter_language"], given,
                   day(row["expires_on"]), day(row["withdrawn_on"]))


class ConsentService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._access = CaseAccess(ctx)

    def record(self, case_id: str, *, sections: list[str], purpose: str, given_by: str,
               method: str, given_on: dt.date | str, partner_id: str | None = None,
               any_referral: bool = False, expires_on: dt.date | str | None = None,
               interpreter_used: bool = False, interpreter_language: str | None = None,
               guardian_name: str = "") -> Consent:
        scope = self._access.require(case_id, Action.MANAGE_CONSENT)
        if not sections:
            raise ValidationError(_("Choose at least one section the survivor agreed to share."),
                                  "sections")
        clean_sections = vocab.SECTIONS.check_many(sections, "sections")
        if bool(partner_id) == bool(any_referral):
            raise ValidationError(_("Choose one recipient: a named partner, or any referral."),
                                  "partner_id")
        if partner_id:
            directory.require_partner(self._ctx.db, partner_id)
        given = v.date(given_on, "given_on", required=True, not_future=True)
        expires = v.date(expires_on, "expires_on")
        v.order(given, expires, "expires_on", _("The consent cannot expire before it was given."))
        who = vocab.CONSENT_GIVEN_BY.check(given_by, "given_by")
        if who == "guardian" and not guardian_name.strip():
            raise ValidationError(_("Name the guardian who gave consent."), "guardian_name")
        if interpreter_used and not interpreter_language:
            raise ValidationError(_("Say which language the interpreter used."),
                                  "interpreter_language")
        require_case_key(self._ctx)
        consent_id = str(uuid.uuid4())
        now, me = now_utc(), self._ctx.session.user_id
        with self._ctx.write(Action.MANAGE_CONSENT, Event.RECORD_CREATED, scope=scope,
                             target_type="consent", target_id=consent_id,
                             details={"sections": clean_sections}) as db:
            db.execute(
                "INSERT INTO consents (id, case_id, sections, partner_id, any_referral, purpose,"
                " given_by, guardian_name, method, interpreter_used, interpreter_language,"
                " given_on, expires_on, withdrawal_note, created_at, updated_at, created_by,"
                " updated_by) VALUES (:id, :case, :sections, :partner, :anyref, :purpose,"
                " :given_by, :guardian, :method, :interp, :interp_lang, :given, :expires,"
                " :note, :now, :now, :me, :me)",
                {"id": consent_id, "case": case_id, "sections": json.dumps(clean_sections),
                 "partner": partner_id, "anyref": int(bool(any_referral)),
                 "purpose": self._seal(consent_id, "purpose",
                                       v.text(purpose, "purpose", required=True, limit=500)),
                 "given_by": who,
                 "guardian": self._seal(consent_id, "guardian_name",
                                        v.text(guardian_name, "guardian_name")),
                 "note": self._seal(consent_id, "withdrawal_note", ""),
                 "method": vocab.CONSENT_METHOD.check(method, "method"),
                 "interp": int(bool(interpreter_used)),
                 "interp_lang": (v.language(interpreter_language, "interpreter_language")
                                 if interpreter_language else None),
                 "given": v.iso(given), "expires": v.iso(expires), "now": now, "me": me})
        return self.get(consent_id)

    def get(self, consent_id: str) -> Consent:
        row = self._ctx.db.one("SELECT * FROM consents WHERE id = :id", {"id": consent_id})
        if row is None:
            raise ValidationError(_("No such consent record."))
        self._access.require(row["case_id"], Action.READ_CASE)
        return self._consent(row)

    def _seal(self, consent_id: str, column: str, text: str) -> str:
        return self._ctx.seal(KeyName.CASE, "consents", consent_id, column, text)

    def _consent(self, row: Row) -> Consent:
        """One consent, its texts opened; empty while this account has not received the
        case key (a consent's sections, recipient and dates are plain, so checks work)."""
        return _consent(row, {c: self._ctx.unseal(KeyName.CASE, "consents", row["id"], c,
                                                  row[c]) or "" for c in SEALED})

    def list(self, case_id: str) -> list[Consent]:
        self._access.require(case_id, Action.READ_CASE)
        rows = self._ctx.db.all("SELECT * FROM consents WHERE case_id = :c ORDER BY given_on DESC",
                                {"c": case_id})
        return [self._consent(r) for r in rows]

    def withdraw(self, consent_id: str, *, on: dt.date | str | None = None, note: str = "") -> None:
        row = self._ctx.db.one("SELECT case_id, given_on, withdrawn_on FROM consents"
                               " WHERE id = :id", {"id": consent_id})
        if row is None:
            raise ValidationError(_("No such consent record."))
        scope = self._access.require(row["case_id"], Action.MANAGE_CONSENT)
        if row["withdrawn_on"]:
            raise ValidationError(_("This consent was already withdrawn."))
        day = v.date(on, "withdrawn_on") or dt.date.today()
        if day < dt.date.fromisoformat(row["given_on"]):
            raise ValidationError(_("Consent cannot be withdrawn before it was given."),
                                  "withdrawn_on")
        sealed_note = self._seal(consent_id, "withdrawal_note",
                                 v.text(note, "withdrawal_note", limit=1000))
        with self._ctx.write(Action.MANAGE_CONSENT, Event.RECORD_UPDATED, scope=scope,
                             target_type="consent", target_id=consent_id,
                             details={"fields": ["withdrawn_on", "withdrawal_note"]}) as db:
            db.execute("UPDATE consents SET withdrawn_on = :d, withdrawal_note = :n,"
                       " updated_at = :now, updated_by = :me, row_version = row_version + 1"
                       " WHERE id = :id",
                       {"d": day.isoformat(), "n": sealed_note,
                        "now": now_utc(), "me": self._ctx.session.user_id, "id": consent_id})

    def check(self, case_id: str, partner_id: str,
              sections: builtins.list[str] | tuple[str, ...], *,
              on: dt.date | None = None) -> builtins.list[Consent]:
        """The active consents that together cover *partner_id* and every section, or
        ConsentMissing naming the recipient and the sections still missing."""
        self._access.require(case_id, Action.READ_CASE)
        day = on or dt.date.today()
        wanted = vocab.SECTIONS.check_many(list(sections), "sections")
        partner = self._ctx.db.scalar("SELECT name FROM partners WHERE id = :p", {"p": partner_id})
        if partner is None:
            raise ValidationError(_("That partner is not in the directory."), "partner_id")
        rows = self._ctx.db.all("SELECT * FROM consents WHERE case_id = :c", {"c": case_id})
        usable = [c for c in map(self._consent, rows)
                  if c.active_on(day) and c.covers(partner_id)]
        covered = {s for c in usable for s in c.sections}
        missing = tuple(s for s in wanted if s not in covered)
        if not usable:
            raise ConsentMissing(
                fill(_("There is no active consent to share anything with {partner}. Record the "
                  "survivor's consent for this recipient first."), partner=partner),
                tuple(wanted))
        if missing:
            raise ConsentMissing(
                fill(_("The active consent for {partner} does not cover: {sections}. Ask the "
                  "survivor, record the consent, or leave those sections out."),
                    partner=partner,
                    sections=", ".join(vocab.SECTIONS.label(s) for s in missing)),
                missing)
        return [c for c in usable if set(c.sections) & set(wanted)]

    # -- counting in anonymised statistics --------------------------------------------
    def reporting(self, case_id: str) -> ReportingConsent:
        """The survivor's answer about anonymised statistics (``not_asked`` when none is
        recorded)."""
        self._access.require(case_id, Action.READ_CASE)
        row = self._ctx.db.one("SELECT answer, answered_on FROM reporting_consent"
                               " WHERE case_id = :c", {"c": case_id})
        if row is None:
            return ReportingConsent(case_id, "not_asked", None)
        answered = row["answered_on"]
        return ReportingConsent(case_id, row["answer"],
                                dt.date.fromisoformat(answered) if answered else None)

    def set_reporting(self, case_id: str, answer: str, *,
                      on: dt.date | str | None = None) -> ReportingConsent:
        """Record whether she may be counted in anonymised statistics, answered *on* (today
        by default); ``not_asked`` takes a recorded answer back.  Audited like every consent,
        with the answer and never anything about her."""
        scope = self._access.require(case_id, Action.MANAGE_CONSENT)
        choice = vocab.REPORTING_CONSENT.check(answer, "reporting_consent")
        current = self.reporting(case_id)
        if current.answer == choice and on is None:  # the same answer: its day stays
            return current
        day = None if choice == "not_asked" else (
            v.date(on, "answered_on", not_future=True) or dt.date.today())
        now, me = now_utc(), self._ctx.session.user_id
        with self._ctx.write(Action.MANAGE_CONSENT, Event.RECORD_UPDATED, scope=scope,
                             target_type="reporting_consent", target_id=case_id,
                             details={"status": choice}) as db:
            db.execute(
                "INSERT INTO reporting_consent (case_id, answer, answered_on, created_at,"
                " updated_at, created_by, updated_by) VALUES (:c, :a, :d, :now, :now, :me, :me)"
                " ON CONFLICT (case_id) DO UPDATE SET answer = excluded.answer,"
                " answered_on = excluded.answered_on, updated_at = excluded.updated_at,"
                " updated_by = excluded.updated_by,"
                " row_version = reporting_consent.row_version + 1",
                {"c": case_id, "a": choice, "d": v.iso(day), "now": now, "me": me})
        return self.reporting(case_id)
