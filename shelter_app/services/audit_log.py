"""The full audit log for coordinators and administrators: every event, filtered, in pages.

Cases are named by their code, never by a person's name; accounts by their shown name.
Reading the log is itself recorded (``open``).

A large chain is never read whole.  ``page`` walks back from a sequence number in windows of
the primary key (``seq``), so each call reads a bounded slice of the table however rare the
events asked for are: it returns what it found and where to go on from.  A period becomes a
range of sequence numbers first (the chain is written in time order, so a binary search over
``seq`` finds where a day starts); the times are still checked row by row.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from shelter_app.domain.audit import EVENT_LABELS, Event, Outcome
from shelter_app.domain.history import RECORD_KINDS, SECTION_LABELS, Section, field_label, join
from shelter_app.domain.roles import ROLE_LABELS, Action, Role
from shelter_app.domain.validate import parse_utc
from shelter_app.domain.vocab import SECTIONS
from shelter_app.i18n import N_, _
from shelter_app.i18n.formatting import fill
from shelter_app.services.context import ServiceContext
from shelter_app.store.db import Row
from shelter_app.store.people import display_names

E = Event
# Kinds of event a person filters by, in the order offered.
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "changes": (N_("Records created or changed"), (E.RECORD_CREATED, E.RECORD_UPDATED)),
    "reading": (N_("Records opened and searches"),
                (E.RECORD_OPENED, E.SECTION_OPENED, E.SEARCH)),
    # "document.previewed": a document made to be looked at (where the vault records it)
    "documents": (N_("Documents, exports and imports"),
                  (E.EXPORT, E.IMPORT, E.PRINT, "document.previewed")),
    "drafts": (N_("Unsaved changes kept or discarded"), (E.DRAFT_SAVED, E.DRAFT_DISCARDED)),
    "sessions": (N_("Sign-in, lock and quick exit"),
                 (E.SIGN_IN, E.SIGN_IN_FAILED, E.LOCK, E.UNLOCK, E.QUICK_EXIT, E.AUTO_LOCK,
                  E.SIGN_OUT)),
    "accounts": (N_("Accounts, passphrases and keys"),
                 (E.USER_ADDED, E.USER_DISABLED, E.USER_ENABLED, E.USER_RESET,
                  E.ROLES_CHANGED, E.PASSPHRASE_CHANGED, E.RECOVERY_USED, E.RECOVERY_SHEET)),
    "vault": (N_("Vault, backups and settings"),
              (E.VAULT_CREATED, E.SETTING_CHANGED, E.BACKUP, E.MIGRATED, E.VERIFY,
               E.INTEGRITY_FAILURE)),
    "refusals": (N_("Refused actions"), (E.PERMISSION_DENIED,)),
}
OUTCOME_LABELS = {Outcome.OK: N_("Done"), Outcome.DENIED: N_("Refused"),
                  Outcome.FAILED: N_("Failed")}
TARGET_LABELS = {"user": N_("Account"), "vault": N_("Vault"), "setting": N_("Setting"),
                 "partner": N_("Partner organisation"), "service_type": N_("Service catalogue"),
                 "cases": N_("Cases"), "appointments": N_("Appointments"),
                 "demo": N_("Demonstration records"), "draft": N_("Unsaved changes")}
# Sections named by "section opened" and kept drafts, beyond those of a case's history.
READ_SECTIONS = {"history": N_("History"), "audit": N_("Audit log"),
                 "case_profile": N_("Profile"), "intake": N_("Intake"),
                 "consent_form": N_("Consent"), "service_form": N_("Services"),
                 "referral_form": N_("Referrals"), "appointment_form": N_("Appointments"),
                 "legal_form": N_("Legal matters")}
WINDOW = 20_000  # sequence numbers read per step
BUDGET = 400_000  # sequence numbers read per call at most (about 45 ms on 1.2 million)


@dataclass(frozen=True)
class AuditQuery:
    since: dt.date | None = None  # local days, inclusive
    until: dt.date | None = None
    actor_id: str | None = None
    kind: str | None = None  # a key of KINDS
    outcome: str | None = None  # an Outcome value


@dataclass(frozen=True)
class AuditRow:
    seq: int
    occurred_at: dt.datetime  # UTC
    who: str
    what: str
    outcome: str  # Outcome value
    target: str  # "Case SH-2026-0042", "Account: Casey Worker"…
    details: str


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow] = field(default_factory=list)
    next_before: int | None = None  # continue from here (None: the start of the chain)
    searched_to: dt.datetime | None = None  # how far back this page looked (UTC)


def event_label(action: str) -> str:
    try:
        return _(EVENT_LABELS[Event(action)])
    except ValueError:
        return action


class AuditLogService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def open(self) -> None:
        """Check that the log may be read, and record that it was."""
        self._ctx.require(Action.VIEW_AUDIT)
        self._ctx.record(Event.SECTION_OPENED, details={"section": "audit"})

    def people(self) -> list[tuple[str, str]]:
        """Every account that may appear in the log, by shown name (disabled ones too)."""
        self._ctx.require(Action.VIEW_AUDIT)
        return sorted(display_names(self._ctx.db).items(), key=lambda p: p[1].casefold())

    @staticmethod
    def kinds() -> list[tuple[str, str]]:
        return [(key, _(label)) for key, (label, _events) in KINDS.items()]

    # -- paging --------------------------------------------------------------------------
    def page(self, query: AuditQuery, *, before: int | None = None, limit: int = 100
             ) -> AuditPage:
        """Up to *limit* events matching *query*, newest first, older than *before*."""
        self._ctx.require(Action.VIEW_AUDIT)
        db = self._ctx.db
        low, high = self._bounds(query)
        top = min(high, before) if before is not None else high
        where, params = self._filters(query)
        found: list[Row] = []
        scanned = 0
        while top > low and len(found) < limit and scanned < BUDGET:
            bottom = max(low, top - WINDOW)
            found += db.all(
                # NOT INDEXED: walk the primary key's window, not the actor index (which
                # would read every event of that person to sort them)
                f"SELECT * FROM audit_events NOT INDEXED WHERE seq < :top AND seq >= :bottom"  # noqa: S608
                f"{where}"
                " ORDER BY seq DESC LIMIT :n",
                {**params, "top": top, "bottom": bottom, "n": limit - len(found)})
            scanned += top - bottom
            top = bottom
        if len(found) >= limit:
            top = int(found[-1]["seq"])
        reached = db.scalar("SELECT occurred_at FROM audit_events WHERE seq >= :s ORDER BY seq"
                            " LIMIT 1", {"s": top}) if top > low else None
        return AuditPage(self._describe(found), top if top > low else None,
                         parse_utc(reached) if reached else None)

    def _filters(self, query: AuditQuery) -> tuple[str, dict[str, Any]]:
        parts, params = [], {}
        if query.actor_id:
            parts.append("actor_id = :actor")
            params["actor"] = query.actor_id
        if query.kind:
            events = KINDS[query.kind][1]
            names = [f"k{i}" for i in range(len(events))]
            parts.append(f"action IN ({', '.join(':' + n for n in names)})")
            params.update({n: str(e) for n, e in zip(names, events, strict=True)})
        if query.outcome:
            parts.append("outcome = :outcome")
            params["outcome"] = str(Outcome(query.outcome))
        if query.since:
            parts.append("occurred_at >= :since")
            params["since"] = _utc_text(query.since)
        if query.until:
            parts.append("occurred_at < :until")
            params["until"] = _utc_text(query.until + dt.timedelta(days=1))
        return "".join(" AND " + p for p in parts), params

    def _bounds(self, query: AuditQuery) -> tuple[int, int]:
        """The sequence numbers [low, high) a query's period can lie in."""
        last = int(self._ctx.db.scalar("SELECT max(seq) FROM audit_events") or 0)
        low = self._first_at(_utc_text(query.since), last) if query.since else 1
        high = self._first_at(_utc_text(query.until + dt.timedelta(days=1)), last) \
            if query.until else last + 1
        return low, high

    def _first_at(self, when: str, last: int) -> int:
        """The first seq written at or after *when* (binary search over the primary key)."""
        lo, hi = 1, last + 1
        while lo < hi:
            mid = (lo + hi) // 2
            at = self._ctx.db.scalar("SELECT occurred_at FROM audit_events WHERE seq >= :s"
                                     " ORDER BY seq LIMIT 1", {"s": mid})
            if at is None or at >= when:
                hi = mid
            else:
                lo = mid + 1
        return lo

    # -- rows into text ------------------------------------------------------------------
    def _describe(self, rows: list[Row]) -> list[AuditRow]:
        names = display_names(self._ctx.db)
        codes = self._case_codes(rows)
        out = []
        for r in rows:
            details = json.loads(r["details"])
            out.append(AuditRow(int(r["seq"]), parse_utc(r["occurred_at"]),
                                names.get(r["actor_id"] or "", _("(no account)")),
                                event_label(r["action"]), str(r["outcome"]),
                                self._target(r, codes, names), describe_details(details, names)))
        return out

    def _case_codes(self, rows: list[Row]) -> dict[tuple[str, str], str]:
        """The case code of each event's target, for cases and the records of a case."""
        wanted: dict[str, set[str]] = {}
        for r in rows:
            if r["target_id"]:
                wanted.setdefault(str(r["target_type"]), set()).add(str(r["target_id"]))
        codes: dict[tuple[str, str], str] = {}
        tables = {str(t) for t in self._ctx.db.column(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        for target_type, ids in wanted.items():
            sql = _code_sql(target_type, tables)
            if sql is None:
                continue
            names = [f"i{n}" for n in range(len(ids))]
            params = dict(zip(names, sorted(ids), strict=True))
            for row in self._ctx.db.all(sql.format(ids=", ".join(":" + n for n in names)),
                                        params):
                codes[(target_type, str(row["id"]))] = str(row["code"])
        return codes

    def _target(self, r: Row, codes: dict[tuple[str, str], str], names: dict[str, str]) -> str:
        target_type, target_id = r["target_type"], r["target_id"]
        if not target_type:
            return ""
        code = codes.get((target_type, target_id or ""))
        if code is not None:
            return fill(_("Case {code}"), code=code)
        if target_type == "user":
            return fill(_("Account: {name}"), name=names.get(target_id or "", "?"))
        if target_type in TARGET_LABELS:
            return _(TARGET_LABELS[target_type])
        if any(k.target_type == target_type for k in RECORD_KINDS) or target_type == "case":
            return _("A record no longer in the vault")
        return str(target_type)


def _code_sql(target_type: str, tables: set[str]) -> str | None:
    """SQL giving (id, code) for targets of *target_type* among ``{ids}``."""
    if target_type == "case":
        return "SELECT id, code FROM cases WHERE id IN ({ids})"
    if target_type == "evidence_item":
        return ("SELECT e.id, c.code FROM evidence_items e JOIN legal_matters m ON"
                " m.id = e.matter_id JOIN cases c ON c.id = m.case_id WHERE e.id IN ({ids})")
    kind = next((k for k in RECORD_KINDS if k.target_type == target_type), None)
    if kind is None or kind.table not in tables:
        return None
    return (f"SELECT r.id, c.code FROM {kind.table} r JOIN cases c ON c.id = r.case_id"  # noqa: S608
            " WHERE r.id IN ({ids})")


# The vault's keys by name (domain/key_classes.py), as the audit log names them.
KEY_LABELS = {"database": N_("database"), "administration": N_("administration"),
              "integrity": N_("integrity"), "case": N_("case"), "health": N_("health"),
              "legal": N_("legal")}


def describe_details(details: dict[str, Any], names: dict[str, str]) -> str:
    """An event's details in words: fields, sections, counts… (never content: the chain
    holds none)."""
    parts = []
    if details.get("fields"):
        parts.append(_("Fields: {fields}").format(
            fields=join([field_label(str(f)) for f in details["fields"]])))
    if details.get("sections"):
        parts.append(_("Sections: {sections}").format(
            sections=join([SECTIONS.label(str(s)) for s in details["sections"]])))
    if details.get("section"):
        section = str(details["section"])
        label = READ_SECTIONS.get(section)
        if label is None and section in set(Section):
            label = SECTION_LABELS[Section(section)]
        parts.append(_("Section: {section}").format(section=_(label) if label else section))
    if details.get("roles"):
        parts.append(_("Roles: {roles}").format(roles=join(
            [_(ROLE_LABELS[Role(r)]) if r in set(Role) else str(r) for r in details["roles"]])))
    if details.get("user"):
        name = names.get(details["user"], "?")
        parts.append(fill({"added": _("Added: {name}"), "removed": _("Removed: {name}")}.get(
            str(details.get("change")), _("Account: {name}")), name=name))
    if details.get("keys"):
        parts.append(_("Keys: {keys}").format(keys=join(
            [_(KEY_LABELS[str(k)]) if str(k) in KEY_LABELS else str(k)
             for k in details["keys"]])))
    worded = {"count": N_("Count: {value}"), "format": N_("Format: {value}"),
              "action": N_("Action: {value}"), "setting": N_("Setting: {value}"),
              "reason": N_("Reason: {value}"), "version": N_("Version: {value}")}
    for key in ("format", "count", "action", "setting", "reason", "version", "from_version",
                "to_version", "occurred_at", "first_bad_seq", "scope"):
        if key in details and details[key] not in (None, ""):
            parts.append(fill(_(worded[key]), value=details[key]) if key in worded
                         else f"{key}: {details[key]}")
    return "; ".join(parts)


def _utc_text(day: dt.date) -> str:
    """The start of local *day* as the chain writes times (UTC, ISO, "Z")."""
    start = dt.datetime.combine(day, dt.time()).astimezone(dt.UTC)
    return start.isoformat(timespec="microseconds").replace("+00:00", "Z")
