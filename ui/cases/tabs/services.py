"""The Services tab: what was given to the survivor, and recording a new entry.

Entries of health types keep their notes and outcome from roles that may not read health;
the core returns them as restricted and the table says so.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QPushButton, QWidget

from shelter_app.domain.roles import Scope
from shelter_app.errors import ShelterError
from shelter_app.i18n import _
from shelter_app.services.registry import Services

from ...background import Background
from ...widgets import named
from .. import form as f
from .base import ListTab, day_text
from .consent import partner_choices, partner_names
from .service_edit import EntryEditor


class ServicesTab(ListTab):

    draft_kind = "service_form"
    def __init__(self, services: Services, background: Background, case_id: str,
                 scope: Scope, parent: QWidget | None = None) -> None:
        super().__init__(services, background, case_id,
                         [_("Date"), _("Service"), _("Provider"), _("Minutes"), _("Outcome"),
                          _("Notes")], _("Services given"), parent)
        try:
            self._types = {t.code: t.label for t in services.care.catalogue()}
        except ShelterError:
            self._types = {}
        self._partners = partner_names(services)
        box = self.group(_("Record a service"))
        layout = QFormLayout(box)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.add(layout, f.options("service", _("Ser&vice:"), list(self._types.items()),
                                        required=True))
        self.form.add(layout, f.day("provided_on", _("&Given on:")))
        self.form.add(layout, f.options("provider_kind", _("Given &by:"),
                                        [("internal", _("This organisation")),
                                         ("partner", _("A partner"))], required=True))
        self.form.add(layout, f.options("partner_id", _("&Partner:"),
                                        [("", _("(none)")), *partner_choices(services)]))
        self.form.add(layout, f.line("duration_minutes", _("&Minutes:"), max_length=6))
        self.form.add(layout, f.line("outcome", _("&Outcome:"), max_length=2000))
        self.form.add(layout, f.note("notes", _("&Notes:"), rows=3))
        self.record_button = QPushButton(_("&Record service"))
        named(self.record_button, _("Record service"))
        self.record_button.clicked.connect(self.record)
        self.submit = self.record
        layout.addRow("", self.record_button)
        self.editor = EntryEditor(self, layout, self.record_button, box)
        self.refresh()

    def refresh(self) -> None:
        rows = []
        for e in self.services.care.list(self.case_id):
            provider = _("This organisation") if e.provider_kind == "internal" else \
                self._partners.get(e.partner_id or "", _("A partner"))
            restricted = (_("(waiting for keys)") if e.waiting_for_key
                          else _("(restricted: health)"))
            rows.append((e.id, [day_text(e.provided_on),
                                self._types.get(e.service_code, e.service_code), provider,
                                "" if e.duration_minutes is None else str(e.duration_minutes),
                                restricted if e.restricted else (e.outcome or ""),
                                restricted if e.restricted else (e.notes or "")]))
        self.fill(rows)

    def record(self) -> None:
        v = self.form.values()
        if self.attempt(lambda: self.services.care.record(
                self.case_id, v["service"], provided_on=v["provided_on"],
                provider_kind=v["provider_kind"], partner_id=v["partner_id"] or None,
                duration_minutes=v["duration_minutes"] or None, outcome=v["outcome"],
                notes=v["notes"]), _("The service was recorded.")):
            self.form.put({"duration_minutes": "", "outcome": "", "notes": ""})
            self.mark_clean()

    def forget(self) -> None:
        self.editor.forget()
        super().forget()
