"""The timeline of trafficking events in a case: recruitment, transit, exploitation."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from shelter_app.domain import validate as v
from shelter_app.domain import vocab
from shelter_app.domain.audit import Event
from shelter_app.domain.key_classes import KeyName
from shelter_app.domain.roles import Action
from shelter_app.services.case_access import CaseAccess
from shelter_app.services.context import ServiceContext, require_case_key
from shelter_app.store.audit import now_utc
from shelter_app.store.db import Row


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


class TimelineService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._access = CaseAccess(ctx)

    def add(self, case_id: str, stage: str, *, place: str = "", country: str | None = None,
            date_from: dt.date | str | None = None, date_to: dt.date | str | None = None,
            description: str = "") -> TimelineEvent:
        scope = self._access.require(case_id, Action.EDIT_CASE)
        start = v.date(date_from, "date_from", not_future=True)
        end = v.date(date_to, "date_to", not_future=True)
        v.order(start, end, "date_to")
        require_case_key(self._ctx)
        event_id, now, me = str(uuid.uuid4()), now_utc(), self._ctx.session.user_id
        with self._ctx.write(Action.EDIT_CASE, Event.RECORD_CREATED, scope=scope,
                             target_type="timeline_event", target_id=event_id,
                             details={"fields": ["stage", "place", "dates", "description"]}) as db:
            db.execute(
                "INSERT INTO timeline_events (id, case_id, stage, place, country, date_from,"
                " date_to, description, created_at, updated_at, created_by, updated_by) VALUES"
                " (:id, :case, :stage, :place, :country, :start, :end, :text, :now, :now, :me,"
                " :me)",
                {"id": event_id, "case": case_id, "stage": vocab.TIMELINE_STAGE.check(stage),
                 "place": self._seal(event_id, "place", v.text(place, "place", limit=300)),
                 "country": v.country(country, "country") if country else None,
                 "start": v.iso(start), "end": v.iso(end),
                 "text": self._seal(event_id, "description", v.note(description,
                                                                    "description")),
                 "now": now, "me": me})
        return next(e for e in self.list(case_id) if e.id == event_id)

    def list(self, case_id: str) -> list[TimelineEvent]:
        self._access.require(case_id, Action.READ_CASE)
        rows = self._ctx.db.all(
            "SELECT * FROM timeline_events WHERE case_id = :c ORDER BY date_from IS NULL,"
            " date_from, created_at", {"c": case_id})

        def day(text: str | None) -> dt.date | None:
            return dt.date.fromisoformat(text) if text else None

        return [TimelineEvent(r["id"], r["case_id"], r["stage"], self._open(r, "place"),
                              r["country"], day(r["date_from"]), day(r["date_to"]),
                              self._open(r, "description"))
                for r in rows]

    def _seal(self, event_id: str, column: str, text: str) -> str:
        """Place and description are sealed under the case key (VAULT_FORMAT.md, 7.1)."""
        return self._ctx.seal(KeyName.CASE, "timeline_events", event_id, column, text)

    def _open(self, row: Row, column: str) -> str:
        """Empty while this account has not received the case key."""
        return self._ctx.unseal(KeyName.CASE, "timeline_events", row["id"], column,
                                row[column]) or ""
