"""The timeline of a case: what happened to the survivor, dated and in order — recruitment,
travel, exploitation, escape, identification, the report to the police.

Each event has a stage, a place and a country, a first (and optionally a last) date with a
flag saying the dates are approximate (a survivor often remembers "the spring of 2023"),
the source of the account (a code), and a description.  Events are ordered by their first date;
undated ones come last, in the order they were added.  The personal-statement draft of a
residence packet is built from them.

Reading follows the case (the situation section: every role that reads the case);
recording and changing an event needs ``case.timeline``, which legal volunteers hold on
the cases shared with them, because the statement is theirs to prepare.  Place and
description are sealed under the case key (docs/VAULT_FORMAT.md, 7.1).  Events
are changed in place with the row-version check, never deleted: a wrong event is
corrected, and its history stays in the audit chain.
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
from shelter_app.errors import NotFound, ValidationError
from shelter_app.i18n import _
from shelter_app.i18n.formatting import fill
from shelter_app.services.case_access import CaseAccess
from shelter_app.services.case_facts import forget
from shelter_app.services.context import ServiceContext, keys_not_given, require_case_key
from shelter_app.store.audit import now_utc
from shelter_app.store.cases import update as versioned_update
from shelter_app.store.db import Database, Row

SEALED = ("place", "description")


@dataclass(frozen=True)
class TimelineEvent:
    id: str
    case_id: str
    stage: str
    place: str
    country: str | None
    date_from: dt.date | None
    date_to: dt.date | None
    description: str
    approximate: bool = False
    source: str = ""
    row_version: int = 1


def clean(stage: str, place: str, country: str | None, date_from: dt.date | str | None,
          date_to: dt.date | str | None, description: str, approximate: bool,
          source: str) -> dict[str, object]:
    """An event's columns, checked (a ValidationError names the field at fault)."""
    start = v.date(date_from, "date_from", not_future=True)
    end = v.date(date_to, "date_to", not_future=True)
    v.order(start, end, "date_to")
    if approximate and start is None:
        raise ValidationError(_("An approximate date needs a date: enter the nearest one you "
                                "know, such as the first of the month."), "date_from")
    return {"stage": vocab.TIMELINE_STAGE.check(stage, "stage"),
            "place": v.text(place, "place", limit=300),
            "country": v.country(country, "country") if country else None,
            "date_from": v.iso(start), "date_to": v.iso(end),
            "description": v.note(description, "description"),
            "approximate": int(bool(approximate)),
            "source": vocab.TIMELINE_SOURCE.check(source, "source") if source else ""}


# The exchange format (docs/IMPORT_EXPORT.md): the "timeline" column holds a JSON array of
# objects with these keys, in date order.
EXCHANGE_KEYS = ("stage", "from", "to", "approximate", "place", "country", "source",
                 "description")


def to_exchange(events: builtins.list[TimelineEvent]) -> str:
    """The events as the exchange column's JSON text ("" for none)."""
    if not events:
        return ""
    return json.dumps([{"stage": e.stage, "from": v.iso(e.date_from), "to": v.iso(e.date_to),
                        "approximate": e.approximate, "place": e.place,
                        "country": e.country, "source": e.source,
                        "description": e.description} for e in events], ensure_ascii=False)


def from_exchange(text: str) -> builtins.list[dict[str, object]]:
    """The exchange column read back: each event's columns, checked; a mistake is refused
    naming the column and the event's number."""
    if not text.strip():
        return []
    try:
        raw = json.loads(text)
    except ValueError:
        raw = None
    if not isinstance(raw, list) or not all(isinstance(e, dict) for e in raw):
        raise ValidationError(_("The timeline is a JSON list of events, as 'export cases' "
                                "writes it."), "timeline")
    events = []
    for n, event in enumerate(raw, start=1):
        unknown = set(event) - set(EXCHANGE_KEYS)
        try:
            if unknown:
                raise ValidationError(fill(_("unknown keys: {keys}"),
                                           keys=", ".join(sorted(unknown))))
            events.append(clean(
                str(event.get("stage") or ""), str(event.get("place") or ""),
                str(event.get("country") or "") or None, event.get("from") or None,
                event.get("to") or None, str(event.get("description") or ""),
                event.get("approximate") is True, str(event.get("source") or "")))
        except ValidationError as exc:
            raise ValidationError(fill(_("Timeline event {n}: {problem}"), n=n,
                                       problem=exc.message), "timeline") from None
    return events


def insert_events(ctx: ServiceContext, db: Database, case_id: str,
                  events: builtins.list[dict[str, object]]) -> None:
    """Write checked events (``from_exchange``) of a case being imported, inside the
    import's transaction, sealed as the service seals them.  (A new case has no stored
    statistics' facts for them to change.)"""
    now, me = now_utc(), ctx.session.user_id
    for values in events:
        event_id = str(uuid.uuid4())
        cols = list(values)
        db.execute(
            f"INSERT INTO timeline_events (id, case_id, {', '.join(cols)}, created_at,"  # noqa: S608
            f" updated_at, created_by, updated_by) VALUES (:id, :case,"
            f" {', '.join(':' + c for c in cols)}, :now, :now, :me, :me)",
            {"id": event_id, "case": case_id, "now": now, "me": me, **values,
             **{c: ctx.seal(KeyName.CASE, "timeline_events", event_id, c, str(values[c]))
                for c in SEALED}})


class TimelineService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._access = CaseAccess(ctx)

    def add(self, case_id: str, stage: str, *, place: str = "", country: str | None = None,
            date_from: dt.date | str | None = None, date_to: dt.date | str | None = None,
            description: str = "", approximate: bool = False,
            source: str = "") -> TimelineEvent:
        scope = self._access.require(case_id, Action.EDIT_TIMELINE)
        require_case_key(self._ctx)
        values = clean(stage, place, country, date_from, date_to, description, approximate,
                       source)
        event_id, now, me = str(uuid.uuid4()), now_utc(), self._ctx.session.user_id
        cols = list(values)
        with self._ctx.write(Action.EDIT_TIMELINE, Event.RECORD_CREATED, scope=scope,
                             target_type="timeline_event", target_id=event_id,
                             details={"fields": sorted(k for k, x in values.items() if x)}
                             ) as db:
            db.execute(
                f"INSERT INTO timeline_events (id, case_id, {', '.join(cols)}, created_at,"  # noqa: S608
                f" updated_at, created_by, updated_by) VALUES (:id, :case,"
                f" {', '.join(':' + c for c in cols)}, :now, :now, :me, :me)",
                {"id": event_id, "case": case_id, **self._sealed(event_id, values),
                 "now": now, "me": me})
            forget(db, case_id)  # its statistics' facts may name this event
        return self.get(event_id)

    def update(self, event_id: str, *, stage: str, place: str = "",
               country: str | None = None, date_from: dt.date | str | None = None,
               date_to: dt.date | str | None = None, description: str = "",
               approximate: bool = False, source: str = "",
               version: int | None = None) -> TimelineEvent:
        """Change an event in place; refused if it changed since *version* was read."""
        current = self.get(event_id)
        scope = self._access.require(current.case_id, Action.EDIT_TIMELINE)
        require_case_key(self._ctx)
        values = clean(stage, place, country, date_from, date_to, description, approximate,
                       source)
        was = {"stage": current.stage, "place": current.place, "country": current.country,
               "date_from": v.iso(current.date_from), "date_to": v.iso(current.date_to),
               "description": current.description, "approximate": int(current.approximate),
               "source": current.source}
        from shelter_app.services.cases import concurrent_change

        if version is not None and version != current.row_version:
            raise concurrent_change()
        changed = sorted(k for k, x in values.items() if was[k] != x)
        if not changed:
            return current
        with self._ctx.write(Action.EDIT_TIMELINE, Event.RECORD_UPDATED, scope=scope,
                             target_type="timeline_event", target_id=event_id,
                             details={"fields": changed}) as db:
            if not versioned_update(db, "timeline_events", event_id, {
                    **self._sealed(event_id, values), "updated_at": now_utc(),
                    "updated_by": self._ctx.session.user_id}, version):
                raise concurrent_change()
        return self.get(event_id)

    def get(self, event_id: str) -> TimelineEvent:
        row = self._ctx.db.one("SELECT * FROM timeline_events WHERE id = :id",
                               {"id": event_id})
        if row is None:
            raise NotFound(_("No such timeline event."))
        self._access.require(row["case_id"], Action.READ_CASE)
        if any(self._ctx.unseal(KeyName.CASE, "timeline_events", row["id"], c, row[c]) is None
               for c in SEALED):
            raise keys_not_given(reading=True)  # never loaded empty into a form and saved
        return self._event(row)

    def list(self, case_id: str) -> builtins.list[TimelineEvent]:
        self._access.require(case_id, Action.READ_CASE)
        return [self._event(r) for r in self._ctx.db.all(
            "SELECT * FROM timeline_events WHERE case_id = :c ORDER BY date_from IS NULL,"
            " date_from, created_at", {"c": case_id})]

    def _event(self, r: Row) -> TimelineEvent:
        def day(text: str | None) -> dt.date | None:
            return dt.date.fromisoformat(text) if text else None

        return TimelineEvent(r["id"], r["case_id"], r["stage"], self._open(r, "place"),
                             r["country"], day(r["date_from"]), day(r["date_to"]),
                             self._open(r, "description"), bool(r["approximate"]),
                             r["source"], r["row_version"])

    def _sealed(self, event_id: str, values: dict[str, object]) -> dict[str, object]:
        """Place and description are sealed under the case key (VAULT_FORMAT.md, 7.1)."""
        return {**values, **{c: self._ctx.seal(KeyName.CASE, "timeline_events", event_id, c,
                                               str(values[c])) for c in SEALED}}

    def _open(self, row: Row, column: str) -> str:
        """Empty while this account has not received the case key."""
        return self._ctx.unseal(KeyName.CASE, "timeline_events", row["id"], column,
                                row[column]) or ""
