"""The Non-punishment tab: measures taken against the survivor herself (an arrest, a charge,
a conviction, a fine, immigration detention, a removal order) for what she was compelled to
do while exploited, and where raising the non-punishment principle against each stands.

The table lists each record — the measure, the offence, the authority and its reference,
the status and the date to act by, which stands on the Deadlines page and in My day until
the authority has decided.  Those who may change legal matters record one with the form
below or change one in place (``row_edit``).  "Prepare the letter…" opens the document
window with the non-punishment letter for the selected record chosen (the Documents tab's
window: the recipient's consent is checked there, as for every document).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QPushButton, QWidget

from shelter_app.domain import vocab
from shelter_app.domain.history import isolate
from shelter_app.domain.roles import Action, Scope
from shelter_app.errors import ShelterError
from shelter_app.i18n import N_, _
from shelter_app.services.non_punishment import NonPunishment
from shelter_app.services.registry import Services

from ...background import Background
from ...widgets import named
from .. import form as f
from .base import ListTab, day_text
from .row_edit import Loaded, RowEditor

FIELDS = ("measure", "offence", "authority", "reference", "measure_on", "status", "link",
          "legal_basis", "act_by", "notes")


def _arguments(values: dict[str, Any]) -> dict[str, Any]:
    return {k: values[k] or (None if k in ("measure_on", "act_by") else "") for k in FIELDS}


class NonPunishmentTab(ListTab):

    def __init__(self, services: Services, background: Background, case_id: str,
                 scope: Scope, parent: QWidget | None = None) -> None:
        super().__init__(services, background, case_id,
                         [_("Measure"), _("Offence"), _("Authority"), _("Reference"),
                          _("Status"), _("Act by")], _("Measures against her"), parent)
        self.editor: NonPunishmentEditor | None = None
        self.letter: Callable[[str], object] | None = None  # set by the workspace
        self.letter_button = QPushButton(_("Prepare the &letter for the selected record…"))
        named(self.letter_button, _("Prepare the letter for the selected record"),
              _("Open the document window with the non-punishment letter for this record"))
        self.letter_button.clicked.connect(self.prepare_letter)
        self.letter_button.setVisible(services.ctx.allowed(Action.PRODUCE_PACKET, scope))
        row = QHBoxLayout()
        row.addWidget(self.letter_button)
        row.addStretch(1)
        self.layout_.insertLayout(self.layout_.indexOf(self.table) + 1, row)
        if services.ctx.allowed(Action.EDIT_LEGAL, scope):
            box = self.group(_("Record a measure against her"))
            layout = QFormLayout(box)
            layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            add = self.form.add
            add(layout, f.choice("measure", _("&Measure:"), vocab.NP_MEASURE, required=True))
            add(layout, f.line("offence", _("O&ffence:"), max_length=300,
                               placeholder=_("for example: use of a false identity document")))
            add(layout, f.line("authority", _("A&uthority:"), max_length=200))
            add(layout, f.line("reference", _("Re&ference:"), max_length=100))
            add(layout, f.date("measure_on", _("Date of the m&easure:")))
            add(layout, f.choice("status", _("S&tatus:"), vocab.NP_STATUS, required=True))
            add(layout, f.note("link", _("Lin&k to her exploitation:"), rows=3))
            add(layout, f.line("legal_basis", _("Legal &basis:"), max_length=300,
                               placeholder=_("the domestic provision relied on, if any")))
            add(layout, f.date("act_by", _("Act b&y:")))
            add(layout, f.note("notes", _("N&otes:"), rows=2))
            self.form["status"].put("open")
            self.add_button = QPushButton(_("&Record the measure"))
            named(self.add_button, _("Record the measure"))
            self.add_button.clicked.connect(self.add_record)
            self.submit = self.add_record
            layout.addRow("", self.add_button)
            self.editor = NonPunishmentEditor(self, layout, self.add_button, box)
        self.refresh()

    def refresh(self) -> None:
        try:
            found = self.services.non_punishment.list(self.case_id)
        except ShelterError as exc:
            self.fill([])
            self.message.show_message(exc.message)
            return
        self.fill_keeping([(r.id, self._cells(r)) for r in found])

    @staticmethod
    def _cells(r: NonPunishment) -> list[str]:
        return [vocab.NP_MEASURE.label(r.measure), r.offence, r.authority, r.reference,
                vocab.NP_STATUS.label(r.status), day_text(r.act_by)]

    def add_record(self) -> None:
        values = self.form.values()
        if self.attempt(lambda: self.services.non_punishment.add(self.case_id,
                                                                 **_arguments(values)),
                        _("The measure was recorded.")):
            self.form.put(dict.fromkeys(FIELDS, "") | {"status": "open"})
            self.mark_clean()

    def prepare_letter(self) -> None:
        record_id = self.selected_id()
        if record_id is None:
            self.message.show_message(_("Select the record the letter is about first."))
            self.table.setFocus()
            return
        self.message.clear_message()
        if self.letter is not None:
            self.letter(record_id)

    def forget(self) -> None:
        if self.editor is not None:
            self.editor.forget()
        super().forget()


class NonPunishmentEditor(RowEditor):
    edit_text = N_("E&dit selected record")
    edit_tip = N_("Load the selected record into the form to change its status, the date to "
                  "act by or anything else (or double-click the row, or press Enter on it)")
    editing_title = N_("Change a measure against her")
    select_first = N_("Select the record to change first.")
    saved = N_("The record was changed.")

    def load(self, row_id: str) -> Loaded:
        r = self.tab.services.non_punishment.get(row_id)
        values = {"measure": r.measure, "offence": r.offence, "authority": r.authority,
                  "reference": r.reference,
                  "measure_on": r.measure_on.isoformat() if r.measure_on else "",
                  "status": r.status, "link": r.link, "legal_basis": r.legal_basis,
                  "act_by": r.act_by.isoformat() if r.act_by else "", "notes": r.notes}
        return Loaded(r.id, r.row_version, values, _(
            "Changing the record of “{offence}”. Save changes or cancel.").format(
                offence=isolate(r.offence)), "status")

    def store(self, row: Loaded, values: dict[str, Any]) -> object:
        return self.tab.services.non_punishment.update(row.row_id, version=row.version,
                                                       **_arguments(values))
