"""The timeline of trafficking events in a case: recruitment, transit, exploitation."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from shelter_app.domain import validate as v
from shelter_app.domain import vocab
from shelter_app.domain.audit import Event
from shelter_app.domain.roles import Action
from shelter_app.services.case_access import CaseAccess
from shelter_app.services.context import ServiceContext
from shelter_app.store.audit import now_utc


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
                 "place": v.text(place, "place", limit=300),
                 "country": v.country(country, "country") if country else None,
                 "start": v.iso(start), "end": v.iso(end),
                 "text": v.note(description, "description"), "now": now, "me": me})
        return next(e for e in self.list(case_id) if e.id == event_id)

    def list(self, case_id: str) -> list[TimelineEvent]:
        self._access.require(case_id, Action.READ_CASE)
        rows = self._ctx.db.all(
            "SELECT * FROM timeline_events WHERE case_id = :c ORDER BY date_from IS NULL,"
            " date_from, created_at", {"c": case_id})

        def day(text: str | None) -> dt.date | None:
            return dt.date.fromisoformat(text) if text else None

        return [TimelineEvent(r["id"], r["case_id"], r["stage"], r["place"], r["country"],
                              day(r["date_from"]), day(r["date_to"]), r["description"])
                for r in rows]
