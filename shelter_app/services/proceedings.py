"""Criminal proceedings in which the survivor takes part, and the log of when she was told.

A case has any number of proceedings: who runs them (police, prosecutor, court), their
reference, her role (witness, injured party, civil party), the stage they are at (report,
investigation, charge, trial, judgment, appeal, closed) and since when, the next hearing,
and the protection and special measures asked for and granted (screens, video testimony,
anonymity, escort, relocation).  Survivors are to be kept informed at each stage: every
time she is told of a stage the **informed log** records when, by whom, how and in which
language; while the current stage is one she has not been told of, the proceeding has a
deadline, "tell the survivor", a week from the day the stage began (or from the day it
was recorded, when that day is not known), on the Deadlines page, in My day and in the
case header, with the next hearing.

Everything about a proceeding but its dates is sealed under the legal key, in one JSON
column (``details``; docs/VAULT_FORMAT.md, 7.1): that a survivor is a witness in a trial,
or is to be relocated, is not for an account without that key to read.  Access follows
the legal matters: ``case.read_legal`` to read, ``case.edit_legal`` to record.
"""

from __future__ import annotations

import builtins
import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any

from shelter_app.domain import validate as v
from shelter_app.domain import vocab
from shelter_app.domain.audit import Event
from shelter_app.domain.key_classes import KeyName
from shelter_app.domain.roles import Action
from shelter_app.errors import NotFound
from shelter_app.i18n import _
from shelter_app.services.case_access import CaseAccess
from shelter_app.services.context import ServiceContext, keys_not_given
from shelter_app.store import deadlines
from shelter_app.store.audit import now_utc
from shelter_app.store.cases import update as versioned_update
from shelter_app.store.db import Row
from shelter_app.store.people import display_names

TELL_WITHIN_DAYS = 7  # the reminder to tell her of a new stage falls due after a week
# What details holds (sealed), and the plain columns beside it.
DETAILS = ("authority_kind", "authority", "reference", "role", "stage", "stage_recorded",
           "told_stage", "requested", "granted", "notes")
# What the creation's audit event names: every field, whatever is filled in (which ones are
# would tell, with the database key alone, that a measure was granted, say).
CREATED_FIELDS = sorted({*DETAILS, "stage_on", "next_hearing"} - {"stage_recorded",
                                                                  "told_stage"})
DATES = ("stage_on", "next_hearing")


@dataclass(frozen=True)
class Proceeding:
    id: str
    case_id: str
    authority_kind: str
    authority: str
    reference: str
    role: str
    stage: str
    stage_on: dt.date | None
    next_hearing: dt.date | None
    requested: tuple[str, ...]
    granted: tuple[str, ...]
    notes: str
    told_stage: str
    row_version: int
    stage_recorded: dt.date | None = None  # the day the current stage was recorded

    @property
    def survivor_told(self) -> bool:
        """Whether she has been told of the stage the proceeding is at."""
        return self.told_stage == self.stage


@dataclass(frozen=True)
class Informed:
    """One entry of the informed log."""

    id: str
    proceeding_id: str
    stage: str
    informed_on: dt.date
    informed_by: str | None  # the account's display name
    method: str
    language: str | None
    note: str


class ProceedingsService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._access = CaseAccess(ctx)

    # -- checking ----------------------------------------------------------------------
    @staticmethod
    def _clean(authority_kind: str, role: str, stage: str, *, authority: str,
               reference: str, requested: list[str] | tuple[str, ...],
               granted: list[str] | tuple[str, ...], notes: str,
               stage_on: dt.date | str | None, next_hearing: dt.date | str | None
               ) -> tuple[dict[str, Any], dict[str, str | None]]:
        details = {
            "authority_kind": vocab.PROCEEDING_AUTHORITY.check(authority_kind,
                                                               "authority_kind"),
            "authority": v.text(authority, "authority", limit=200),
            "reference": v.text(reference, "reference", limit=100),
            "role": vocab.PROCEEDING_ROLE.check(role, "role"),
            "stage": vocab.PROCEEDING_STAGE.check(stage, "stage"),
            "requested": sorted(vocab.PROTECTION_MEASURE.check_many(list(requested),
                                                                    "requested")),
            "granted": sorted(vocab.PROTECTION_MEASURE.check_many(list(granted), "granted")),
            "notes": v.note(notes, "notes"),
        }
        dates = {"stage_on": v.iso(v.date(stage_on, "stage_on", not_future=True)),
                 "next_hearing": v.iso(v.date(next_hearing, "next_hearing"))}
        return details, dates

    # -- writing -----------------------------------------------------------------------
    def open(self, case_id: str, *, authority_kind: str, role: str, stage: str,
             authority: str = "", reference: str = "", requested: list[str] | None = None,
             granted: list[str] | None = None, notes: str = "",
             stage_on: dt.date | str | None = None, next_hearing: dt.date | str | None = None,
             survivor_told: bool = True) -> Proceeding:
        """Record a proceeding as it stands.  *survivor_told*: she already knows of its
        current stage (as when she made the report herself); otherwise she is to be
        told, and the reminder is set."""
        scope = self._access.require(case_id, Action.EDIT_LEGAL)
        details, dates = self._clean(authority_kind, role, stage, authority=authority,
                                     reference=reference, requested=requested or [],
                                     granted=granted or [], notes=notes, stage_on=stage_on,
                                     next_hearing=next_hearing)
        details["told_stage"] = details["stage"] if survivor_told else ""
        pid, now, me = str(uuid.uuid4()), now_utc(), self._ctx.session.user_id
        details["stage_recorded"] = now[:10]
        with self._ctx.write(Action.EDIT_LEGAL, Event.RECORD_CREATED, scope=scope,
                             target_type="proceeding", target_id=pid,
                             details={"fields": CREATED_FIELDS}) as db:
            db.execute("INSERT INTO proceedings (id, case_id, details, stage_on, next_hearing,"
                       " created_at, updated_at, created_by, updated_by) VALUES (:id, :case,"
                       " :details, :stage_on, :next_hearing, :now, :now, :me, :me)",
                       {"id": pid, "case": case_id, "details": self._seal(pid, details),
                        **dates, "now": now, "me": me})
            self._sync(db, case_id, pid, details, dates, now)
        return self.get(pid)

    def update(self, proceeding_id: str, *, authority_kind: str, role: str, stage: str,
               authority: str = "", reference: str = "", requested: list[str] | None = None,
               granted: list[str] | None = None, notes: str = "",
               stage_on: dt.date | str | None = None,
               next_hearing: dt.date | str | None = None,
               version: int | None = None) -> Proceeding:
        """Replace the proceeding's fields (refused if it changed since *version* was
        read).  A new stage, until she is told of it, sets the reminder."""
        current = self.get(proceeding_id)
        scope = self._access.require(current.case_id, Action.EDIT_LEGAL)
        details, dates = self._clean(authority_kind, role, stage, authority=authority,
                                     reference=reference, requested=requested or [],
                                     granted=granted or [], notes=notes, stage_on=stage_on,
                                     next_hearing=next_hearing)
        details["told_stage"] = current.told_stage
        details["stage_recorded"] = v.iso(current.stage_recorded)
        if details["stage"] != current.stage:
            details["stage_recorded"] = now_utc()[:10]
            if dates["stage_on"] and dates["stage_on"] == v.iso(current.stage_on):
                dates["stage_on"] = None  # the date was the stage before's
        was = {**self._details(current), "stage_on": v.iso(current.stage_on),
               "next_hearing": v.iso(current.next_hearing)}
        changed = sorted(k for k, x in {**details, **dates}.items()
                         if was[k] != x and k != "stage_recorded")
        from shelter_app.services.cases import concurrent_change

        if version is not None and version != current.row_version:
            raise concurrent_change()
        if not changed:
            return current
        # The audit chain names what changed, never the stage itself: it is sealed in the
        # row, and the log is readable with the database key alone.
        audit: dict[str, object] = {"fields": changed}
        now = now_utc()
        with self._ctx.write(Action.EDIT_LEGAL, Event.RECORD_UPDATED, scope=scope,
                             target_type="proceeding", target_id=proceeding_id,
                             details=audit) as db:
            if not versioned_update(db, "proceedings", proceeding_id, {
                    "details": self._seal(proceeding_id, details), **dates,
                    "updated_at": now, "updated_by": self._ctx.session.user_id}, version):
                raise concurrent_change()
            self._sync(db, current.case_id, proceeding_id, details, dates, now)
        return self.get(proceeding_id)

    def inform(self, proceeding_id: str, *, informed_on: dt.date | str, method: str,
               stage: str | None = None, language: str | None = None,
               note: str = "") -> Informed:
        """Log that the survivor was told of *stage* (the current one unless named): when,
        how, in which language; the one who records it is the one who told her."""
        current = self.get(proceeding_id)
        scope = self._access.require(current.case_id, Action.EDIT_LEGAL)
        day = v.date(informed_on, "informed_on", required=True, not_future=True)
        assert day is not None
        told = vocab.PROCEEDING_STAGE.check(stage or current.stage, "stage")
        details = {"stage": told, "method": vocab.INFORM_METHOD.check(method, "method"),
                   "language": v.language(language, "language") if language else None,
                   "note": v.note(note, "note")}
        entry_id, now, me = str(uuid.uuid4()), now_utc(), self._ctx.session.user_id
        with self._ctx.write(Action.EDIT_LEGAL, Event.RECORD_UPDATED, scope=scope,
                             target_type="proceeding", target_id=proceeding_id,
                             details={"fields": ["survivor_informed"]}) as db:
            db.execute("INSERT INTO proceeding_updates (id, proceeding_id, details,"
                       " informed_on, informed_by, created_at, created_by) VALUES (:id, :p,"
                       " :details, :day, :me, :now, :me)",
                       {"id": entry_id, "p": proceeding_id,
                        "details": self._ctx.seal(KeyName.LEGAL, "proceeding_updates",
                                                  entry_id, "details", json.dumps(details)),
                        "day": day.isoformat(), "me": me, "now": now})
            if told == current.stage:
                from shelter_app.services.cases import concurrent_change

                kept = {**self._details(current), "told_stage": told}
                done = db.execute(
                    "UPDATE proceedings SET details = :d, updated_at = :now, updated_by = :me,"
                    " row_version = row_version + 1 WHERE id = :id AND row_version = :v",
                    {"d": self._seal(proceeding_id, kept), "now": now, "me": me,
                     "id": proceeding_id, "v": current.row_version})
                if not done.rowcount:  # moved on meanwhile: told of a stage no longer current
                    raise concurrent_change()
                self._sync(db, current.case_id, proceeding_id, kept,
                           {"stage_on": v.iso(current.stage_on),
                            "next_hearing": v.iso(current.next_hearing)}, now)
        return next(e for e in self.informed(proceeding_id) if e.id == entry_id)

    def _sync(self, db: Any, case_id: str, proceeding_id: str, details: dict[str, Any],
              dates: dict[str, str | None], now: str) -> None:
        """The proceeding's deadlines: the next hearing while it is not closed, and the
        reminder to tell her of a stage she has not been told of."""
        closed = details["stage"] == "closed"
        told = details["told_stage"] == details["stage"]
        since = dt.date.fromisoformat(dates["stage_on"] or details["stage_recorded"]
                                      or now[:10])
        deadlines.sync(db, case_id=case_id, source="proceeding", source_id=proceeding_id,
                       dates={"hearing": None if closed else dates["next_hearing"],
                              "inform_survivor": None if told else
                              (since + dt.timedelta(days=TELL_WITHIN_DAYS)).isoformat()})

    # -- reading -----------------------------------------------------------------------
    def get(self, proceeding_id: str) -> Proceeding:
        row = self._ctx.db.one("SELECT * FROM proceedings WHERE id = :id", {"id": proceeding_id})
        if row is None:
            raise NotFound(_("No such proceeding."))
        self._access.require(row["case_id"], Action.READ_LEGAL)
        return self._proceeding(row)

    def list(self, case_id: str) -> builtins.list[Proceeding]:
        self._access.require(case_id, Action.READ_LEGAL)
        return [self._proceeding(r) for r in self._ctx.db.all(
            "SELECT * FROM proceedings WHERE case_id = :c ORDER BY created_at", {"c": case_id})]

    def informed(self, proceeding_id: str) -> builtins.list[Informed]:
        """The informed log, the latest first."""
        self.get(proceeding_id)
        rows = self._ctx.db.all("SELECT * FROM proceeding_updates WHERE proceeding_id = :p"
                                " ORDER BY informed_on DESC, created_at DESC",
                                {"p": proceeding_id})
        names = display_names(self._ctx.db, [r["informed_by"] for r in rows if r["informed_by"]])
        out = []
        for r in rows:
            opened = self._ctx.unseal(KeyName.LEGAL, "proceeding_updates", r["id"], "details",
                                      r["details"])
            if opened is None:
                raise keys_not_given(reading=True)
            d = json.loads(opened)
            out.append(Informed(r["id"], r["proceeding_id"], d["stage"],
                                dt.date.fromisoformat(r["informed_on"]),
                                names.get(r["informed_by"]) if r["informed_by"] else None,
                                d["method"], d.get("language"), d.get("note", "")))
        return out

    # -- rows --------------------------------------------------------------------------
    def _seal(self, proceeding_id: str, details: dict[str, Any]) -> str:
        return self._ctx.seal(KeyName.LEGAL, "proceedings", proceeding_id, "details",
                              json.dumps({k: details[k] for k in DETAILS}, ensure_ascii=False))

    @staticmethod
    def _details(p: Proceeding) -> dict[str, Any]:
        return {"authority_kind": p.authority_kind, "authority": p.authority,
                "reference": p.reference, "role": p.role, "stage": p.stage,
                "stage_recorded": v.iso(p.stage_recorded), "told_stage": p.told_stage,
                "requested": list(p.requested),
                "granted": list(p.granted), "notes": p.notes}

    def _proceeding(self, r: Row) -> Proceeding:
        opened = self._ctx.unseal(KeyName.LEGAL, "proceedings", r["id"], "details",
                                  r["details"])
        if opened is None:  # refused, not shown empty (a save would write that back)
            raise keys_not_given(reading=True)
        d = json.loads(opened)

        def day(text: str | None) -> dt.date | None:
            return dt.date.fromisoformat(text) if text else None

        return Proceeding(r["id"], r["case_id"], d["authority_kind"], d["authority"],
                          d["reference"], d["role"], d["stage"], day(r["stage_on"]),
                          day(r["next_hearing"]), tuple(d["requested"]), tuple(d["granted"]),
                          d["notes"], d["told_stage"], r["row_version"],
                          day(d.get("stage_recorded")))

