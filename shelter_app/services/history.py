"""A case's history: what changed in it, who changed it and when, section by section.

Derived from the audit chain rather than kept in a table of its own: every change to a case
already appends an event naming who, when, the record and the fields changed (never their
content), in the transaction that makes the change.  The history is those events whose
target is the case or one of its records (``domain/history.py: RECORD_KINDS``), limited to
the kinds that change something (``HISTORY_EVENTS``: no "Record opened", searches, kept
drafts, refusals or sessions).  One event may become several lines, one per section it
touched; a line is shown only when the reader's roles may read its section on this case,
so a legal volunteer never learns that a health note or a service changed.

The query is one ``UNION ALL`` with a branch per record kind the reader may see, each an
index look-up: the case's records through their ``case_id`` index, then their events
through ``audit_events_target`` (``target_type, target_id``).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from shelter_app.domain import vocab
from shelter_app.domain.audit import Event
from shelter_app.domain.history import (
    CASE_FIELD_SECTIONS,
    HEALTH_ENTRY_FIELDS,
    HISTORY_EVENTS,
    RECORD_KINDS,
    RecordKind,
    Section,
    document_label,
    field_label,
    isolate,
    join,
)
from shelter_app.domain.roles import Action, Scope
from shelter_app.domain.validate import parse_utc
from shelter_app.domain.vocab import SECTIONS
from shelter_app.i18n import _
from shelter_app.services.case_access import CaseAccess
from shelter_app.services.context import ServiceContext
from shelter_app.store.db import Row
from shelter_app.store.people import display_names

# What a reader needs on the case to see a section's changes.
SECTION_ACTION: dict[Section, Action] = {
    **dict.fromkeys((Section.CASE, Section.IDENTITY, Section.CONTACT, Section.SITUATION,
                     Section.RISK, Section.STATUS, Section.ASSIGNMENT, Section.SHARING,
                     Section.CONSENT, Section.TASKS), Action.READ_CASE),
    Section.HEALTH: Action.READ_HEALTH,
    Section.SERVICES: Action.RECORD_SERVICE,
    Section.REFERRALS: Action.MANAGE_REFERRALS,
    Section.APPOINTMENTS: Action.MANAGE_APPOINTMENTS,
    Section.LEGAL: Action.READ_LEGAL,
    Section.DOCUMENTS: Action.PRODUCE_PACKET,
    Section.ATTACHMENTS: Action.MANAGE_DOCUMENTS,
}
# The document sections a packet may hold, and who may read each (as DocumentService).
PACKET_SECTION_ACTION = {"identity": Action.READ_CASE, "contact": Action.READ_CASE,
                         "situation": Action.READ_CASE, "health": Action.READ_HEALTH,
                         "legal": Action.READ_LEGAL, "services": Action.RECORD_SERVICE}
PAGE = 200
Line = tuple[Section, str, tuple[str, ...]]  # section, sentence, field names


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a case's history: a change to one section, by one person."""

    seq: int  # the audit event's sequence number (several lines may share one)
    occurred_at: dt.datetime  # UTC
    actor_id: str | None
    actor: str  # the account's shown name ("" when unknown)
    section: Section
    text: str  # a plain sentence without its subject: "Changed: Risk level, Safety plan"
    fields: tuple[str, ...] = ()  # field names in the interface language


@dataclass(frozen=True)
class HistoryPage:
    entries: list[HistoryEntry]
    older: int | None  # *before* for the next page; None when the case's first event is in


class HistoryService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._access = CaseAccess(ctx)
        self._tables: set[str] | None = None
        self._names: dict[str, str] = {}

    def for_case(self, case_id: str, *, before: int | None = None, limit: int = PAGE
                 ) -> list[HistoryEntry]:
        """The lines of one page of the case's history (see ``page``)."""
        return self.page(case_id, before=before, limit=limit).entries

    def page(self, case_id: str, *, before: int | None = None, limit: int = PAGE,
             record: bool = True) -> HistoryPage:
        """The case's history, newest first: events older than *before* (a seq), at most
        *limit* of them (one event may give several lines).  Reading the first page
        (*before* None) is recorded, unless *record* is False (the same reader's view
        refreshed)."""
        scope = self._access.require(case_id, Action.READ_CASE)
        readable = {s for s, action in SECTION_ACTION.items()
                    if self._ctx.allowed(action, scope)}
        rows = self._rows(case_id, readable, before, limit)
        if before is None and record:
            self._ctx.record(Event.SECTION_OPENED, target_type="case", target_id=case_id,
                             details={"section": "history"})
        self._names = display_names(self._ctx.db)
        may_read_health = Section.HEALTH in readable
        out: list[HistoryEntry] = []
        for row in rows:
            for section, text, fields in self._lines(row, scope, may_read_health):
                if section in readable:
                    out.append(HistoryEntry(
                        int(row["seq"]), parse_utc(row["occurred_at"]), row["actor_id"],
                        self._names.get(row["actor_id"] or "", ""), section, text, fields))
        older = int(rows[-1]["seq"]) if len(rows) >= limit else None
        return HistoryPage(out, older)

    # -- the query -----------------------------------------------------------------------
    def _existing_tables(self) -> set[str]:
        if self._tables is None:
            self._tables = {str(t) for t in self._ctx.db.column(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
        return self._tables

    def _kinds(self, readable: set[Section]) -> list[RecordKind]:
        tables = self._existing_tables()
        return [k for k in RECORD_KINDS if k.section in readable and k.table in tables]

    def _rows(self, case_id: str, readable: set[Section], before: int | None, limit: int
              ) -> list[Row]:
        actions = ", ".join(f"'{e}'" for e in HISTORY_EVENTS)
        columns = ("a.seq, a.occurred_at, a.actor_id, a.action, a.target_type, a.details")
        where = f"a.action IN ({actions}) AND a.outcome = 'ok'" + (
            " AND a.seq < :before" if before is not None else "")
        branches = [f"SELECT {columns}, 0 AS health FROM audit_events a"  # noqa: S608
                    f" WHERE a.target_type = 'case' AND a.target_id = :case AND {where}"]
        for kind in self._kinds(readable):
            branches.append(
                f"SELECT {columns}, r.health FROM ({kind.ids_sql}) r"  # noqa: S608
                f" CROSS JOIN audit_events a ON a.target_type = '{kind.target_type}'"
                f" AND a.target_id = r.id WHERE {where}")
        sql = " UNION ALL ".join(branches) + " ORDER BY seq DESC LIMIT :limit"
        params: dict[str, Any] = {"case": case_id, "limit": limit}
        if before is not None:
            params["before"] = before
        return self._ctx.db.all(sql, params)

    # -- events into lines ---------------------------------------------------------------
    def _lines(self, row: Row, scope: Scope, may_read_health: bool
               ) -> list[Line]:
        details: dict[str, Any] = json.loads(row["details"])
        action, target = row["action"], row["target_type"]
        fields = [str(f) for f in details.get("fields", [])]
        if target == "case":
            if action in (Event.EXPORT, Event.PRINT):
                return [self._document(action, details, scope)]
            if action == Event.RECORD_CREATED:
                shown = tuple(field_label(f) for f in fields
                              if may_read_health or CASE_FIELD_SECTIONS.get(f) != Section.HEALTH)
                return [(Section.CASE, _("Created the case at intake"), shown)]
            return self._case_change(fields, details)
        kind = next((k for k in RECORD_KINDS if k.target_type == target), None)
        if kind is None:
            return []
        if row["health"] and not may_read_health:
            fields = [f for f in fields if f not in HEALTH_ENTRY_FIELDS]
            if action == Event.RECORD_UPDATED and not fields:
                return []
        labels = tuple(field_label(f) for f in fields)
        if action == Event.RECORD_CREATED:
            return [(kind.section, _(kind.created), ())]
        if target == "consent" and "withdrawn_on" in fields:
            return [(kind.section, _("Recorded that a consent was withdrawn"), labels)]
        if target == "task" and set(fields) == {"done_at", "done_by"}:
            return [(kind.section, _("Changed whether a task is done"), labels)]
        if target == "proceeding" and fields == ["survivor_informed"]:
            return [(kind.section, _("Recorded that the survivor was told of the proceedings"),
                     labels)]
        moved = details.get("status")
        if target == "legal_matter" and isinstance(moved, list) and len(moved) == 2:
            before, after = (isolate(vocab.LEGAL_MATTER_STATUS.label(str(s))) for s in moved)
            text = _("Changed a legal matter's status from {before} to {after}").format(
                before=before, after=after)
            rest = [f for f in fields if f != "status"]
            if rest:
                text = _("{change}; also changed: {fields}").format(
                    change=text, fields=join([field_label(f) for f in rest]))
            return [(kind.section, text, labels)]
        return [(kind.section, _(kind.changed).format(fields=join(list(labels))), labels)]

    def _case_change(self, fields: list[str], details: dict[str, Any]
                     ) -> list[Line]:
        by_section: dict[Section, list[str]] = {}
        for name in fields:
            by_section.setdefault(CASE_FIELD_SECTIONS.get(name, Section.SITUATION),
                                  []).append(name)
        lines: list[Line] = []
        for section, names in by_section.items():
            labels = tuple(field_label(f) for f in names)
            if section == Section.ASSIGNMENT:
                lines.append((section, self._assignment(details), labels))
            elif section == Section.SHARING:
                lines.append((section, self._sharing(details), labels))
            elif section == Section.STATUS:
                text = _("Closed the case") if "closure_reason" in names else \
                    _("Changed the status of the case")
                lines.append((section, text, labels))
            else:
                lines.append((section, _("Changed: {fields}").format(fields=join(list(labels))),
                              labels))
        return lines

    def _person(self, details: dict[str, Any]) -> str:
        user = details.get("user")
        return isolate(self._names.get(str(user), "")) if user else ""

    def _assignment(self, details: dict[str, Any]) -> str:
        who = self._person(details)
        return _("Assigned the case to {name}").format(name=who) if who else \
            _("Changed who the case is assigned to")

    def _sharing(self, details: dict[str, Any]) -> str:
        who = self._person(details)
        if not who:
            return _("Changed whom the case is shared with")
        if details.get("change") == "removed":
            return _("Stopped sharing the case with {name}").format(name=who)
        return _("Shared the case with {name}").format(name=who)

    def _document(self, action: str, details: dict[str, Any], scope: Scope
                  ) -> Line:
        document = document_label(str(details.get("format", "")))
        shown = tuple(SECTIONS.label(s) for s in details.get("sections", [])
                      if s in PACKET_SECTION_ACTION
                      and self._ctx.allowed(PACKET_SECTION_ACTION[s], scope))
        if action == Event.PRINT:
            return (Section.DOCUMENTS, _("Printed: {document}").format(document=document),
                    shown)
        return (Section.DOCUMENTS, _("Produced: {document}").format(document=document), shown)
