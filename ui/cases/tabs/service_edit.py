"""Correcting a logged service in the Services tab (the shared editing of ``row_edit``).

Saving calls ``CareService.update`` with the version the form was filled from.  A service
whose notes are health information the account may not read, or that waits for a key, is
not loaded: the tab says why.
"""

from __future__ import annotations

from typing import Any

from shelter_app.domain.history import isolate
from shelter_app.errors import PermissionDenied
from shelter_app.i18n import N_, _
from shelter_app.services.context import keys_not_given

from .base import day_text
from .row_edit import Loaded, RowEditor


class EntryEditor(RowEditor):
    edit_text = N_("&Edit selected service")
    edit_tip = N_("Load the selected service into the form to correct it (or double-click "
                 "the row, or press Enter on it)")
    editing_title = N_("Correct a service")
    select_first = N_("Select the service to correct first.")
    saved = N_("The service was corrected.")

    def load(self, row_id: str) -> Loaded:
        entry = self.tab.services.care.get(row_id)
        if entry.waiting_for_key:
            raise keys_not_given(reading=False)
        if entry.restricted:
            raise PermissionDenied(_("This service's notes are health information your roles "
                                     "do not allow you to change."))
        return Loaded(entry.id, entry.row_version, {
            "service": entry.service_code, "provided_on": entry.provided_on.isoformat(),
            "provider_kind": entry.provider_kind, "partner_id": entry.partner_id or "",
            "duration_minutes": "" if entry.duration_minutes is None
            else str(entry.duration_minutes),
            "outcome": entry.outcome or "", "notes": entry.notes or ""},
            _("Correcting the service given on {day}. Save changes or cancel.").format(
                day=isolate(day_text(entry.provided_on))), "service")

    def store(self, row: Loaded, values: dict[str, Any]) -> object:
        return self.tab.services.care.update(
            row.row_id, row_version=row.version, service=values["service"],
            provided_on=values["provided_on"], provider_kind=values["provider_kind"],
            partner_id=values["partner_id"] or None,
            duration_minutes=values["duration_minutes"] or None, outcome=values["outcome"],
            notes=values["notes"])
