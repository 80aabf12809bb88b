"""The Timeline tab: what happened to the survivor, in order — recruitment, travel,
exploitation, escape, identification, the report to the police.

The table lists the events by their first date (approximate dates marked "about"), undated
ones last.  Those who may record the timeline (``case.timeline``: coordinators, the
caseworker of the case, a legal volunteer it is shared with) add an event with the form
below, or change one in place (``row_edit``: Edit, Save changes, with the row-version
check).  The personal-statement draft of every residence packet is written from these
events, so the tab says so above the form.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QFormLayout, QLabel, QPushButton, QWidget

from shelter_app.domain import vocab
from shelter_app.domain.history import isolate
from shelter_app.domain.roles import Action, Scope
from shelter_app.errors import ShelterError
from shelter_app.i18n import N_, _
from shelter_app.i18n.formatting import country_name
from shelter_app.services.registry import Services
from shelter_app.services.timeline import TimelineEvent

from ...background import Background
from ...widgets import named
from .. import form as f
from ..pickers import country_options
from .base import ListTab, day_text
from .row_edit import Loaded, RowEditor

FIELDS = ("stage", "date_from", "date_to", "approximate", "place", "country", "source",
          "description")


def when(event: TimelineEvent) -> str:
    """The event's dates as a person reads them: "about 3 Mar 2024", "1 Mar – 30 Sep"."""
    if event.date_from is None:
        return _("(no date)")
    text = day_text(event.date_from)
    if event.date_to is not None and event.date_to != event.date_from:
        text = _("{start} – {end}").format(start=text, end=day_text(event.date_to))
    return _("about {dates}").format(dates=text) if event.approximate else text


class TimelineTab(ListTab):

    draft_kind = "timeline_form"

    def __init__(self, services: Services, background: Background, case_id: str,
                 scope: Scope, parent: QWidget | None = None) -> None:
        super().__init__(services, background, case_id,
                         [_("When"), _("Stage"), _("Place"), _("Country"), _("Source"),
                          _("What happened")], _("Timeline"), parent)
        self.editor: TimelineEditor | None = None
        if services.ctx.allowed(Action.EDIT_TIMELINE, scope):
            box = self.group(_("Add an event"))
            layout = QFormLayout(box)
            layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            about = QLabel(_("The personal statement in residence packets is drafted from "
                             "these events, in this order."))
            about.setWordWrap(True)
            layout.addRow(about)
            add = self.form.add
            add(layout, f.choice("stage", _("&Stage:"), vocab.TIMELINE_STAGE, required=True))
            add(layout, f.date("date_from", _("&From:")))
            add(layout, f.date("date_to", _("&Until:")))
            add(layout, f.flag("approximate", _("The dates are appro&ximate")))
            add(layout, f.line("place", _("&Place:"), max_length=300))
            add(layout, f.code("country", _("Countr&y:"), country_options()))
            add(layout, f.choice("source", _("So&urce:"), vocab.TIMELINE_SOURCE))
            add(layout, f.note("description", _("&What happened:"), rows=4))
            self.add_button = QPushButton(_("&Add event"))
            named(self.add_button, _("Add event"))
            self.add_button.clicked.connect(self.add_event)
            self.submit = self.add_event
            layout.addRow("", self.add_button)
            self.editor = TimelineEditor(self, layout, self.add_button, box)
        self.refresh()
        self.mark_clean()

    def refresh(self) -> None:
        try:
            events = self.services.timeline.list(self.case_id)
        except ShelterError as exc:
            self.fill([])
            self.message.show_message(exc.message)
            return
        self.fill([(e.id, [when(e), vocab.TIMELINE_STAGE.label(e.stage), e.place,
                           (country_name(e.country) or e.country) if e.country else "",
                           vocab.TIMELINE_SOURCE.label(e.source) if e.source else "",
                           e.description.splitlines()[0] if e.description else ""])
                   for e in events])

    def add_event(self) -> None:
        values = self.form.values()
        if self.attempt(lambda: self.services.timeline.add(self.case_id, **_arguments(values)),
                        _("The event was added to the timeline.")):
            self.form.put({name: "" for name in FIELDS})
            self.mark_clean()

    def forget(self) -> None:
        if self.editor is not None:
            self.editor.forget()
        super().forget()


def _arguments(values: dict[str, Any]) -> dict[str, Any]:
    return {"stage": values["stage"], "date_from": values["date_from"] or None,
            "date_to": values["date_to"] or None, "approximate": bool(values["approximate"]),
            "place": values["place"], "country": values["country"] or None,
            "source": values["source"], "description": values["description"]}


class TimelineEditor(RowEditor):
    edit_text = N_("&Edit selected event")
    edit_tip = N_("Load the selected event into the form to correct it (or double-click the "
                  "row, or press Enter on it)")
    editing_title = N_("Change an event")
    select_first = N_("Select the event to change first.")
    saved = N_("The event was changed.")

    def load(self, row_id: str) -> Loaded:
        event = self.tab.services.timeline.get(row_id)
        values = {"stage": event.stage, "date_from": event.date_from.isoformat()
                  if event.date_from else "",
                  "date_to": event.date_to.isoformat() if event.date_to else "",
                  "approximate": event.approximate, "place": event.place,
                  "country": event.country or "", "source": event.source,
                  "description": event.description}
        return Loaded(event.id, event.row_version, values, _(
            "Changing the event “{stage}” of {dates}. Save changes or cancel.").format(
                stage=isolate(vocab.TIMELINE_STAGE.label(event.stage)),
                dates=isolate(when(event))), "stage")

    def store(self, row: Loaded, values: dict[str, Any]) -> object:
        return self.tab.services.timeline.update(row.row_id, version=row.version,
                                                 **_arguments(values))
