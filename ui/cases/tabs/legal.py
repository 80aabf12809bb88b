"""The Legal matters tab: residence permits, T visas, reflection periods… through their
whole life: preparing, filed, decided, granted or refused, appealed, closed, reopened.

The table shows each matter with its next open deadline.  The form records who decides
(jurisdiction, authority and its reference), who represents the survivor, the template the
application is prepared with (so a packet is built from this matter), the dates (filing,
decision, the permit's first and last day, the renewal) and the decision in words.  The
deadlines follow in the core: the renewal falls due before the permit expires, and a
refusal opens the template's appeal window.  A matter is changed in place (``row_edit``).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QFormLayout, QPushButton, QWidget

from shelter_app.documents.templates import available as available_templates
from shelter_app.domain import vocab
from shelter_app.domain.history import isolate
from shelter_app.domain.roles import Action, Scope
from shelter_app.errors import ShelterError
from shelter_app.i18n import N_, _
from shelter_app.services.registry import Services

from ...background import Background
from ...widgets import named
from .. import form as f
from .base import ListTab, day_text
from .evidence import EvidencePanel
from .row_edit import Loaded, RowEditor

DATES = ("reflection_start", "reflection_end", "filing_due", "filed_on", "decision_on",
         "permit_from", "permit_expiry", "renewal_due")
TEXTS = ("jurisdiction", "authority", "authority_ref", "representative", "template_id",
         "decision", "notes")


def template_choices() -> list[tuple[str, str]]:
    """(id, name) of the residence templates; none when one of them cannot be read (the
    Documents tab names the broken file)."""
    try:
        return [(t.id, t.name) for t in available_templates()]
    except ShelterError:
        return []


class LegalTab(ListTab):

    draft_kind = "legal_form"
    def __init__(self, services: Services, background: Background, case_id: str,
                 scope: Scope, parent: QWidget | None = None) -> None:
        super().__init__(services, background, case_id,
                         [_("Matter"), _("Status"), _("Jurisdiction"), _("Reference"),
                          _("Next deadline"), _("Permit until"), _("Template")],
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
            add(layout, f.line("authority", _("Aut&hority:"), max_length=200))
            add(layout, f.line("authority_ref", _("Authority's re&ference:"), max_length=100))
            add(layout, f.line("representative", _("Re&presentative:"), max_length=200))
            add(layout, f.options("template_id", _("Temp&late:"), [
                ("", _("(none)")), *template_choices()]))
            labels = {"reflection_start": _("Reflection period starts:"),
                      "reflection_end": _("Reflection period &ends:"),
                      "filing_due": _("F&iling due:"), "filed_on": _("Filed on:"),
                      "decision_on": _("Decision on:"), "permit_from": _("Permit granted from:"),
                      "permit_expiry": _("Permit granted &until:"),
                      "renewal_due": _("Renewal due:")}
            for name in DATES:
                add(layout, f.date(name, labels[name]))
            add(layout, f.note("decision", _("Decisi&on:"), rows=2))
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
            ahead = self.services.legal.open_deadlines(m.id)
            rows.append((m.id, [vocab.LEGAL_MATTER_TYPE.label(m.matter_type),
                                vocab.LEGAL_MATTER_STATUS.label(m.status), m.jurisdiction,
                                m.authority_ref, _("{what}: {day}").format(
                                    what=ahead[0].label, day=day_text(ahead[0].due_on))
                                if ahead else "",
                                day_text(m.dates.get("permit_expiry")), m.template_id]))
        # one reading of the checklist, always the selected matter's
        self.evidence.show_matter(self.fill_keeping(rows))

    def open_matter(self) -> None:
        v = self.form.values()
        if self.attempt(lambda: self.services.legal.open(
                self.case_id, v["matter_type"], status=v["status"],
                dates={k: v[k] or None for k in DATES}, **{k: v[k] for k in TEXTS}),
                _("The legal matter was opened.")):
            self.form.put({k: "" for k in (*DATES, *TEXTS)})
            self.mark_clean()

    def forget(self) -> None:
        if self.editor is not None:
            self.editor.forget()
        super().forget()


class MatterEditor(RowEditor):
    edit_text = N_("E&dit selected matter")
    edit_tip = N_("Load the selected legal matter into the form to change its status, "
                  "dates, decision or any other field (or double-click the row, or press "
                  "Enter on it)")
    editing_title = N_("Change a legal matter")
    select_first = N_("Select the legal matter to change first.")
    saved = N_("The legal matter was changed.")

    def load(self, row_id: str) -> Loaded:
        matter = self.tab.services.legal.get(row_id)
        combo = self.tab.form["template_id"].widget
        if matter.template_id and combo.findData(matter.template_id) < 0:
            # a template removed since, or one that cannot be read now: kept, not dropped
            combo.addItem(matter.template_id, matter.template_id)
        values = {"matter_type": matter.matter_type, "status": matter.status,
                  **matter.texts(),
                  **{k: (d.isoformat() if (d := matter.dates.get(k)) else "") for k in DATES}}
        return Loaded(matter.id, matter.row_version, values, _(
            "Changing the matter “{matter}”. Save changes or cancel.").format(
                matter=isolate(vocab.LEGAL_MATTER_TYPE.label(matter.matter_type))), "status")

    def store(self, row: Loaded, values: dict[str, Any]) -> object:
        return self.tab.services.legal.update(
            row.row_id, matter_type=values["matter_type"], status=values["status"],
            dates={k: values[k] or None for k in DATES}, version=row.version,
            **{k: values[k] for k in TEXTS})


def open_missing(workspace: Any, field: str, ref: str) -> None:
    """A line of a packet's "Still missing" list, opened in the case *workspace*: the Legal
    matters tab on the matter and its checklist item (``evidence``: the item's id) or on the
    matter whose checklist lacks a requirement (``checklist``: the matter's id), where the
    template's checklist is added; the window raised."""
    try:
        matter_id = (workspace.services.legal.evidence_item(ref).matter_id
                     if field == "evidence" else ref)
    except ShelterError as exc:
        workspace.error.show_message(exc.message)
        return
    tab = workspace.show_tab("legal", matter_id)
    window = workspace.window()
    window.raise_()
    window.activateWindow()
    panel = tab.evidence
    panel.refresh()  # attachments added since the tab was built can be linked
    if field == "evidence":
        if not panel.show_item(ref):
            panel.message.show_message(_("That evidence item is no longer on the checklist."))
    elif panel.editing is not None:
        panel.templates.setFocus()
    else:
        panel.table.setFocus()
