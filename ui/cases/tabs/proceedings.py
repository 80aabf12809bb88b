"""The Proceedings tab: criminal proceedings in which the survivor takes part, and the log
of when she was told of each stage.

The table lists each proceeding — who runs it, its reference, her role, its stage and since
when, the next hearing, and whether she has been told of the stage it is at.  Below it, the
selected proceeding's informed log: when she was told, of which stage, by whom, how and in
which language, with a form to record it ("Record that she was told"); while a stage she
has not been told of stands, the core keeps a reminder on the Deadlines page, in My day
and in the case header.  Those who may change legal matters record a proceeding with the
form at the bottom or change it in place (``row_edit``); the protection and special
measures asked for and granted are ticked in two lists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shelter_app.domain import vocab
from shelter_app.domain.history import isolate
from shelter_app.domain.roles import Action, Scope
from shelter_app.errors import ShelterError
from shelter_app.i18n import N_, _
from shelter_app.i18n.formatting import language_name
from shelter_app.services.registry import Services

from ...background import Background
from ...widgets import MessageLabel, named
from .. import form as f
from ..pickers import language_options
from .base import DONE_STYLE, ListTab, day_text, put_cells, record_table
from .row_edit import Loaded, RowEditor

TEXTS = ("authority_kind", "authority", "reference", "role", "stage", "requested", "granted",
         "notes", "stage_on", "next_hearing")


def _arguments(values: dict[str, Any]) -> dict[str, Any]:
    return {"authority_kind": values["authority_kind"], "authority": values["authority"],
            "reference": values["reference"], "role": values["role"],
            "stage": values["stage"], "requested": values["requested"],
            "granted": values["granted"], "notes": values["notes"],
            "stage_on": values["stage_on"] or None,
            "next_hearing": values["next_hearing"] or None}


class ProceedingsTab(ListTab):

    def __init__(self, services: Services, background: Background, case_id: str,
                 scope: Scope, parent: QWidget | None = None) -> None:
        super().__init__(services, background, case_id,
                         [_("Run by"), _("Reference"), _("Her role"), _("Stage"), _("Since"),
                          _("Next hearing"), _("Survivor told")],
                         _("Criminal proceedings"), parent)
        may_edit = services.ctx.allowed(Action.EDIT_LEGAL, scope)
        self.informed = InformedPanel(services, may_edit, told=self.refresh)
        self.layout_.addWidget(self.informed)
        self.table.selectionModel().selectionChanged.connect(
            lambda *_args: self.informed.show_proceeding(self.selected_id()))
        self.book: Callable[[dt.date], object] | None = None  # set by the workspace
        self.book_button = QPushButton(_("&Book the next hearing as an appointment…"))
        named(self.book_button, _("Book the next hearing as an appointment"), _(
            "Open the Appointments tab with a court hearing on the selected proceeding's "
            "next hearing day, to choose the time and book it"))
        self.book_button.clicked.connect(self.book_hearing)
        self.book_button.setVisible(services.ctx.allowed(Action.MANAGE_APPOINTMENTS, scope))
        row = QHBoxLayout()
        row.addWidget(self.book_button)
        row.addStretch(1)
        self.layout_.insertLayout(self.layout_.indexOf(self.table) + 1, row)
        self.editor: ProceedingEditor | None = None
        if may_edit:
            box = self.group(_("Record criminal proceedings"))
            layout = QFormLayout(box)
            layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            add = self.form.add
            add(layout, f.choice("authority_kind", _("&Run by:"), vocab.PROCEEDING_AUTHORITY,
                                 required=True))
            add(layout, f.line("authority", _("&Office:"), max_length=200,
                               placeholder=_("for example: the public prosecutor of the "
                                             "district")))
            add(layout, f.line("reference", _("Re&ference:"), max_length=100))
            add(layout, f.choice("role", _("&Her role:"), vocab.PROCEEDING_ROLE,
                                 required=True))
            add(layout, f.choice("stage", _("&Stage:"), vocab.PROCEEDING_STAGE, required=True))
            add(layout, f.date("stage_on", _("Stage since:")))
            add(layout, f.date("next_hearing", _("Next &hearing:")))
            add(layout, f.multi("requested", _("Measures re&quested:"),
                                vocab.PROTECTION_MEASURE))
            add(layout, f.multi("granted", _("Measures &granted:"), vocab.PROTECTION_MEASURE))
            add(layout, f.note("notes", _("&Notes:"), rows=2))
            add(layout, f.flag("survivor_told", _("She already knows of this stage")))
            self.form["survivor_told"].put(True)
            self.open_button = QPushButton(_("Record &proceedings"))
            named(self.open_button, _("Record proceedings"))
            self.open_button.clicked.connect(self.open_proceeding)
            self.submit = self.open_proceeding
            layout.addRow("", self.open_button)
            self.editor = ProceedingEditor(self, layout, self.open_button, box)
        self.refresh()

    def refresh(self) -> None:
        try:
            found = self.services.proceedings.list(self.case_id)
        except ShelterError as exc:
            self.fill([])
            self.informed.show_proceeding(None)
            self.message.show_message(exc.message)
            return
        rows = [(p.id, [vocab.PROCEEDING_AUTHORITY.label(p.authority_kind)
                        + (f" · {p.authority}" if p.authority else ""), p.reference,
                        vocab.PROCEEDING_ROLE.label(p.role),
                        vocab.PROCEEDING_STAGE.label(p.stage), day_text(p.stage_on),
                        day_text(p.next_hearing) if p.stage != "closed" else "",
                        _("Yes") if p.survivor_told else _("Not yet")])
                for p in found]
        self.informed.show_proceeding(self.fill_keeping(rows))

    def book_hearing(self) -> None:
        proceeding_id = self.selected_id()
        if proceeding_id is None:
            self.message.show_message(_("Select the proceeding whose hearing to book first."))
            self.table.setFocus()
            return
        try:
            hearing = self.services.proceedings.get(proceeding_id)
        except ShelterError as exc:
            self.message.show_message(exc.message)
            return
        if hearing.next_hearing is None or hearing.stage == "closed":
            self.message.show_message(_("No next hearing is recorded for these proceedings. "
                                        "Edit them to record its day first."))
            return
        self.message.clear_message()
        if self.book is not None:
            self.book(hearing.next_hearing)

    def open_proceeding(self) -> None:
        values = self.form.values()
        if self.attempt(lambda: self.services.proceedings.open(
                self.case_id, survivor_told=bool(values["survivor_told"]),
                **_arguments(values)), _("The proceedings were recorded.")):
            self.form.put({k: "" for k in TEXTS} | {"requested": [], "granted": [],
                                                     "survivor_told": True})
            self.mark_clean()

    def forget(self) -> None:
        if self.editor is not None:
            self.editor.forget()
        self.informed.show_proceeding(None)
        super().forget()


class ProceedingEditor(RowEditor):
    edit_text = N_("E&dit selected proceedings")
    edit_tip = N_("Load the selected proceedings into the form to move them to a new stage "
                  "or change anything else (or double-click the row, or press Enter on it)")
    editing_title = N_("Change criminal proceedings")
    select_first = N_("Select the proceedings to change first.")
    saved = N_("The proceedings were changed.")

    def load(self, row_id: str) -> Loaded:
        p = self.tab.services.proceedings.get(row_id)
        values = {"authority_kind": p.authority_kind, "authority": p.authority,
                  "reference": p.reference, "role": p.role, "stage": p.stage,
                  "requested": list(p.requested), "granted": list(p.granted),
                  "notes": p.notes, "stage_on": p.stage_on.isoformat() if p.stage_on else "",
                  "next_hearing": p.next_hearing.isoformat() if p.next_hearing else ""}
        return Loaded(p.id, p.row_version, values, _(
            "Changing the proceedings at the stage “{stage}”. A new stage reminds you to tell "
            "her of it. Save changes or cancel.").format(
                stage=isolate(vocab.PROCEEDING_STAGE.label(p.stage))), "stage")

    def store(self, row: Loaded, values: dict[str, Any]) -> object:
        return self.tab.services.proceedings.update(row.row_id, version=row.version,
                                                    **_arguments(values))

    def shown(self, editing: bool) -> None:
        # whether she knows is recorded in the informed log once the proceedings exist
        self.tab.form["survivor_told"].widget.setVisible(not editing)


class InformedPanel(QGroupBox):
    """The informed log of the selected proceeding, and recording a new entry."""

    def __init__(self, services: Services, may_edit: bool, *,
                 told: Callable[[], object]) -> None:
        super().__init__(_("When she was told (selected proceedings)"))
        self.services = services
        self.told = told  # the proceedings are read again: "Survivor told", the reminder
        self.proceeding_id: str | None = None
        layout = QVBoxLayout(self)
        self.table = record_table([_("Told on"), _("Of the stage"), _("How"), _("Language"),
                                   _("By"), _("Note")], _("When she was told"), 6)
        layout.addWidget(self.table)
        self.done = MessageLabel(DONE_STYLE)
        self.message = MessageLabel()
        layout.addWidget(self.done)
        layout.addWidget(self.message)
        self.editing: QWidget | None = None
        if may_edit:
            self.editing = QWidget()
            rows = QFormLayout(self.editing)
            rows.setContentsMargins(0, 0, 0, 0)
            self.stage = QComboBox()
            for code, text in vocab.PROCEEDING_STAGE.choices():
                self.stage.addItem(text, code)
            named(self.stage, _("Of the stage"))
            self.on = f.date("informed_on", _("Told o&n:"), required=True)
            self.method = QComboBox()
            for code, text in vocab.INFORM_METHOD.choices():
                self.method.addItem(text, code)
            named(self.method, _("How she was told"))
            self.language = f.code("language", _("In &language:"), language_options())
            self.note = QLineEdit()
            self.note.setMaxLength(500)
            named(self.note, _("Note"))
            self.inform_button = QPushButton(_("Record that she was &told"))
            named(self.inform_button, _("Record that she was told"))
            self.inform_button.clicked.connect(self.inform)
            for label, widget, focus in ((_("Of the &stage:"), self.stage, self.stage),
                                         (self.on.label, self.on.widget, self.on.focus),
                                         (_("Ho&w:"), self.method, self.method),
                                         (self.language.label, self.language.widget,
                                          self.language.focus),
                                         (_("N&ote:"), self.note, self.note)):
                shown = QLabel(label)
                shown.setBuddy(focus)
                rows.addRow(shown, widget)
            rows.addRow("", self.inform_button)
            layout.addWidget(self.editing)
        self.show_proceeding(None)

    def show_proceeding(self, proceeding_id: str | None) -> None:
        self.proceeding_id = proceeding_id
        self.table.setRowCount(0)
        if self.editing is not None:
            self.editing.setEnabled(proceeding_id is not None)
        if proceeding_id is None:
            return
        try:
            current = self.services.proceedings.get(proceeding_id)
            entries = self.services.proceedings.informed(proceeding_id)
        except ShelterError as exc:
            self.message.show_message(exc.message)
            return
        put_cells(self.table, [
            [day_text(e.informed_on), vocab.PROCEEDING_STAGE.label(e.stage),
             vocab.INFORM_METHOD.label(e.method),
             (language_name(e.language) or e.language) if e.language else "",
             e.informed_by or "", e.note] for e in entries])
        if self.editing is not None:
            self.stage.setCurrentIndex(max(self.stage.findData(current.stage), 0))
            self.on.put(dt.date.today().isoformat())

    def inform(self) -> None:
        proceeding_id = self.proceeding_id
        if proceeding_id is None:
            return
        self.message.clear_message()
        self.done.clear_message()
        if self.on.check is not None and (problem := self.on.check()):
            self.message.show_message(problem)
            return
        try:
            entry = self.services.proceedings.inform(
                proceeding_id, stage=self.stage.currentData(), informed_on=self.on.get(),
                method=self.method.currentData(), language=self.language.get() or None,
                note=self.note.text())
        except ShelterError as exc:
            self.message.show_message(exc.message)
            return
        self.note.clear()
        self.told()
        self.done.show_message(_("Recorded: she was told of the stage “{stage}”.").format(
            stage=isolate(vocab.PROCEEDING_STAGE.label(entry.stage))))
