"""The Legal matters tab: residence permits, T visas, reflection periods… and their dates.

The dates that are deadlines (reflection period end, filing due, permit expiry) feed the
organisation's deadline list through the core; this tab only records them.  A matter is
changed in place (``row_edit``): its status as the case moves on — filed, pending,
granted, refused, under appeal, closed, and back again — its reference, dates and notes;
the deadlines follow at once.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import QFormLayout, QPushButton, QWidget

from shelter_app.domain import vocab
from shelter_app.domain.history import isolate
from shelter_app.domain.roles import Action, Scope
from shelter_app.errors import ShelterError
from shelter_app.i18n import N_, _
from shelter_app.services.registry import Services

from ...background import Background
from ...widgets import named
from .. import form as f
from .base import ListTab, day_text, select_row
from .evidence import EvidencePanel
from .row_edit import Loaded, RowEditor

DATES = ("reflection_start", "reflection_end", "filing_due", "filed_on", "decision_on",
         "permit_expiry")


class LegalTab(ListTab):

    draft_kind = "legal_form"
    def __init__(self, services: Services, background: Background, case_id: str,
                 scope: Scope, parent: QWidget | None = None) -> None:
        super().__init__(services, background, case_id,
                         [_("Matter"), _("Status"), _("Jurisdiction"), _("Reference"),
                          _("Filing due"), _("Reflection period ends"), _("Permit expires")],
                         _("Legal matters"), parent)
        may_edit = services.ctx.allowed(Action.EDIT_LEGAL, scope)
        self.evidence = EvidencePanel(services, case_id, may_edit)
        self.layout_.addWidget(self.evidence)
        self.table.selectionModel().selectionChanged.connect(
            lambda *_args: self.evidence.show_matter(self.selected_id()))
        if may_edit:
            box = self.group(_("Open a legal matter"))
            layout = QFormLayout(box)
            layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            add = self.form.add
            add(layout, f.choice("matter_type", _("&Matter:"), vocab.LEGAL_MATTER_TYPE,
                                 required=True))
            add(layout, f.choice("status", _("S&tatus:"), vocab.LEGAL_MATTER_STATUS,
                                 required=True))
            add(layout, f.line("jurisdiction", _("&Jurisdiction:"), max_length=100))
            add(layout, f.line("authority_ref", _("Authority's re&ference:"), max_length=100))
            labels = {"reflection_start": _("Reflection period starts:"),
                      "reflection_end": _("Reflection period &ends:"),
                      "filing_due": _("F&iling due:"), "filed_on": _("Filed on:"),
                      "decision_on": _("Decision on:"), "permit_expiry": _("&Permit expires:")}
            for name in DATES:
                add(layout, f.date(name, labels[name]))
            add(layout, f.note("notes", _("&Notes:"), rows=3))
            self.open_button = QPushButton(_("&Open legal matter"))
            named(self.open_button, _("Open legal matter"))
            self.open_button.clicked.connect(self.open_matter)
            self.submit = self.open_matter
            layout.addRow("", self.open_button)
            self.editor: MatterEditor | None = MatterEditor(self, layout, self.open_button, box)
        else:
            self.editor = None
        self.refresh()

    def refresh(self) -> None:
        rows = []
        try:
            matters = self.services.legal.list(self.case_id)
        except ShelterError as exc:  # the legal key not given yet: said, not shown empty
            self.fill([])
            self.evidence.show_matter(None)
            self.message.show_message(exc.message)
            return
        for m in matters:
            rows.append((m.id, [vocab.LEGAL_MATTER_TYPE.label(m.matter_type),
                                vocab.LEGAL_MATTER_STATUS.label(m.status), m.jurisdiction,
                                m.authority_ref, day_text(m.dates.get("filing_due")),
                                day_text(m.dates.get("reflection_end")),
                                day_text(m.dates.get("permit_expiry"))]))
        chosen = self.selected_id() or (rows[0][0] if rows else None)
        with QSignalBlocker(self.table.selectionModel()):  # one reading of the checklist
            self.fill(rows)
            if chosen in self.ids:  # the checklist shown is always the selected matter's
                select_row(self.table, self.ids.index(chosen))
        self.evidence.show_matter(self.selected_id())

    def open_matter(self) -> None:
        v = self.form.values()
        if self.attempt(lambda: self.services.legal.open(
                self.case_id, v["matter_type"], status=v["status"],
                jurisdiction=v["jurisdiction"], authority_ref=v["authority_ref"],
                notes=v["notes"], dates={k: v[k] or None for k in DATES}),
                _("The legal matter was opened.")):
            self.form.put({k: "" for k in (*DATES, "notes", "authority_ref")})
            self.mark_clean()

    def forget(self) -> None:
        if self.editor is not None:
            self.editor.forget()
        super().forget()


class MatterEditor(RowEditor):
    edit_text = N_("E&dit selected matter")
    edit_tip = N_("Load the selected legal matter into the form to change its status, "
                  "reference, dates or notes (or double-click the row, or press Enter on it)")
    editing_title = N_("Change a legal matter")
    select_first = N_("Select the legal matter to change first.")
    saved = N_("The legal matter was changed.")

    def load(self, row_id: str) -> Loaded:
        matter = self.tab.services.legal.get(row_id)
        values = {"matter_type": matter.matter_type, "status": matter.status,
                  "jurisdiction": matter.jurisdiction, "authority_ref": matter.authority_ref,
                  "notes": matter.notes,
                  **{k: (d.isoformat() if (d := matter.dates.get(k)) else "") for k in DATES}}
        return Loaded(matter.id, matter.row_version, values, _(
            "Changing the matter “{matter}”. Save changes or cancel.").format(
                matter=isolate(vocab.LEGAL_MATTER_TYPE.label(matter.matter_type))), "status")

    def store(self, row: Loaded, values: dict[str, Any]) -> object:
        return self.tab.services.legal.update(
            row.row_id, matter_type=values["matter_type"], status=values["status"],
            jurisdiction=values["jurisdiction"], authority_ref=values["authority_ref"],
            notes=values["notes"], dates={k: values[k] or None for k in DATES},
            version=row.version)
