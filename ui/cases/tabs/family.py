"""The Family tab: the survivor's family members and dependants.

The table lists each — name, relationship, date of birth, where they are, whether at risk,
whether included in an application.  Those who may record them (``case.family``) add one
with the form below or change one in place (``row_edit``).  Residence packets whose
template has a family worksheet list the members included in the application.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QFormLayout, QPushButton, QWidget

from shelter_app.domain import vocab
from shelter_app.domain.history import isolate
from shelter_app.domain.roles import Action, Scope
from shelter_app.errors import ShelterError
from shelter_app.i18n import N_, _
from shelter_app.i18n.formatting import country_name
from shelter_app.services.registry import Services

from ...background import Background
from ...widgets import named
from .. import form as f
from ..pickers import country_options
from .base import ListTab, day_text
from .row_edit import Loaded, RowEditor

FIELDS = ("name", "relationship", "birth_date", "place", "country", "at_risk", "included",
          "reason", "notes")


def _arguments(values: dict[str, Any]) -> dict[str, Any]:
    return {"name": values["name"], "relationship": values["relationship"],
            "birth_date": values["birth_date"] or None, "place": values["place"],
            "country": values["country"] or None, "at_risk": bool(values["at_risk"]),
            "included": bool(values["included"]), "reason": values["reason"],
            "notes": values["notes"]}


class FamilyTab(ListTab):

    def __init__(self, services: Services, background: Background, case_id: str,
                 scope: Scope, parent: QWidget | None = None) -> None:
        super().__init__(services, background, case_id,
                         [_("Name"), _("Relationship"), _("Date of birth"), _("Where"),
                          _("At risk"), _("In an application")], _("Family members"), parent)
        self.editor: FamilyEditor | None = None
        if services.ctx.allowed(Action.EDIT_FAMILY, scope):
            box = self.group(_("Add a family member"))
            layout = QFormLayout(box)
            layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            add = self.form.add
            add(layout, f.line("name", _("&Name:"), max_length=200))
            add(layout, f.choice("relationship", _("&Relationship:"),
                                 vocab.FAMILY_RELATIONSHIP, required=True))
            add(layout, f.date("birth_date", _("Date of &birth:")))
            add(layout, f.line("place", _("&Where they are:"), max_length=300))
            add(layout, f.code("country", _("Countr&y:"), country_options()))
            add(layout, f.flag("at_risk", _("At ris&k")))
            add(layout, f.flag("included", _("Included in an a&pplication")))
            add(layout, f.line("reason", _("W&hy:"), max_length=500,
                               placeholder=_("why included, or why at risk")))
            add(layout, f.note("notes", _("N&otes:"), rows=2))
            self.add_button = QPushButton(_("&Add family member"))
            named(self.add_button, _("Add family member"))
            self.add_button.clicked.connect(self.add_member)
            self.submit = self.add_member
            layout.addRow("", self.add_button)
            self.editor = FamilyEditor(self, layout, self.add_button, box)
        self.refresh()
        self.mark_clean()

    def refresh(self) -> None:
        try:
            members = self.services.family.list(self.case_id)
        except ShelterError as exc:
            self.fill([])
            self.message.show_message(exc.message)
            return
        self.fill([(m.id, [m.name, vocab.FAMILY_RELATIONSHIP.label(m.relationship),
                           day_text(m.birth_date),
                           ", ".join(x for x in (m.place, (country_name(m.country) or m.country)
                                                 if m.country else "") if x),
                           _("Yes") if m.at_risk else _("No"),
                           _("Yes") if m.included else _("No")]) for m in members])

    def add_member(self) -> None:
        values = self.form.values()
        if self.attempt(lambda: self.services.family.add(self.case_id, **_arguments(values)),
                        _("The family member was added.")):
            self.form.put(dict.fromkeys(FIELDS, ""))
            self.mark_clean()

    def forget(self) -> None:
        if self.editor is not None:
            self.editor.forget()
        super().forget()


class FamilyEditor(RowEditor):
    edit_text = N_("E&dit selected family member")
    edit_tip = N_("Load the selected family member into the form to change it (or "
                  "double-click the row, or press Enter on it)")
    editing_title = N_("Change a family member")
    select_first = N_("Select the family member to change first.")
    saved = N_("The family member was changed.")

    def load(self, row_id: str) -> Loaded:
        m = self.tab.services.family.get(row_id)
        values = {"name": m.name, "relationship": m.relationship,
                  "birth_date": m.birth_date.isoformat() if m.birth_date else "",
                  "place": m.place, "country": m.country or "", "at_risk": m.at_risk,
                  "included": m.included, "reason": m.reason, "notes": m.notes}
        return Loaded(m.id, m.row_version, values, _(
            "Changing {name}. Save changes or cancel.").format(name=isolate(m.name)), "name")

    def store(self, row: Loaded, values: dict[str, Any]) -> object:
        return self.tab.services.family.update(row.row_id, version=row.version,
                                               **_arguments(values))
