"""The History tab: this case's audit events, for coordinators only.

The events say who did what and when, never what was written (the audit chain holds no
personal data).  Opening the tab is itself recorded.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from shelter_app.domain.audit import EVENT_LABELS, Event, Outcome
from shelter_app.domain.roles import Scope
from shelter_app.domain.validate import parse_utc
from shelter_app.errors import ShelterError
from shelter_app.i18n import _
from shelter_app.i18n.formatting import format_datetime
from shelter_app.services.registry import Services

from ...background import Background
from .base import ListTab


def event_label(action: str) -> str:
    try:
        return _(EVENT_LABELS[Event(action)])
    except ValueError:
        return action


class HistoryTab(ListTab):
    def __init__(self, services: Services, background: Background, case_id: str,
                 scope: Scope, parent: QWidget | None = None) -> None:
        super().__init__(services, background, case_id,
                         [_("When"), _("What"), _("Who"), _("Details")], _("History"), parent)
        try:
            self._staff = {s.id: s.name for s in services.appointments.staff()}
        except (ShelterError, AttributeError):
            self._staff = {}
        services.ctx.record(Event.SECTION_OPENED, target_type="case", target_id=case_id,
                            details={"section": "history"})
        self.refresh()

    def _who(self, actor: str | None) -> str:
        if actor == self.services.session.user_id:
            return _("You")
        return self._staff.get(actor or "", _("Another account"))

    def refresh(self) -> None:
        rows = []
        for e in self.services.ctx.audit.events(target_type="case", target_id=self.case_id):
            when = parse_utc(e.occurred_at)
            what = event_label(e.action)
            if e.outcome == Outcome.DENIED:
                what = _("{what} (refused)").format(what=what)
            details = []
            if "fields" in e.details:
                details.append(", ".join(str(x) for x in e.details["fields"]))
            for key in ("section", "action"):
                if key in e.details:
                    details.append(str(e.details[key]))
            rows.append((e.id, [format_datetime(when), what,
                                self._who(e.actor_id), "; ".join(details)]))
        self.fill(rows)
