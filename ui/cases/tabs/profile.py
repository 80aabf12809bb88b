"""The Profile tab: the survivor and case fields, read-only until Edit.

Edits are explicit: Edit, then Save or Cancel.  Saving sends the row versions the edit
started from (``CaseService.update(..., versions=...)``), so a change someone else saved
meanwhile is refused with the core's own message instead of being overwritten.

Unsaved edits are never silently lost and never leave the vault: closing the case or
locking by hand asks first; auto-lock and quick exit keep them as a draft row inside the
vault (``services.drafts``), and the next time this person opens this case the draft is
applied again on top of the record as it is now (``merge_changes``): a field someone else
changed meanwhile keeps their value and is named, so nobody's work is overwritten unseen.
"""

from __future__ import annotations

import contextlib
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from shelter_app.domain.records import CaseRecord
from shelter_app.domain.roles import Action, Scope
from shelter_app.errors import ShelterError, ValidationError
from shelter_app.i18n import _
from shelter_app.i18n.formatting import format_datetime
from shelter_app.services.drafts import merge_changes
from shelter_app.services.registry import Services

from ...widgets import NOTICE_STYLE, MessageLabel, named
from .. import form as f
from ..carried import CarriedEdits
from ..record_fields import (
    SECTION_TITLES,
    build_section,
    case_input,
    survivor_input,
    values_from_record,
)

DRAFT_KIND = "case_profile"


class ProfileTab(QWidget):
    saved = Signal(object)  # the CaseRecord as saved
    editing_changed = Signal(bool)

    def __init__(self, services: Services, record: CaseRecord, scope: Scope,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("profile_tab")
        self._services = services
        self.record: CaseRecord | None = record
        self.editing = False
        ctx = services.ctx
        self.may_edit = ctx.allowed(Action.EDIT_CASE, scope)
        self.form = f.Form(self)

        self.notice = MessageLabel(NOTICE_STYLE)
        self.notice.setAccessibleName(_("Notice"))
        self.error = MessageLabel()
        self.error.setAccessibleName(_("Could not save"))
        self.edit_button = QPushButton(_("&Edit"))
        named(self.edit_button, _("Edit"), _("Change this case's profile"))
        self.save_button = QPushButton(_("&Save"))
        named(self.save_button, _("Save"), _("Save the changes (Ctrl+S)"))
        self.cancel_button = QPushButton(_("Cancel"))
        named(self.cancel_button, _("Cancel"), _("Forget the changes"))
        self.edit_button.clicked.connect(self.edit)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.cancel)
        save_key = QShortcut(QKeySequence.StandardKey.Save, self)
        save_key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        save_key.activated.connect(lambda: self.save() if self.editing else None)
        buttons = QHBoxLayout()
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)

        content = QWidget()
        column = QVBoxLayout(content)
        health = ctx.allowed(Action.READ_HEALTH, scope) and "access_needs" in record.survivor
        self.boxes: list[QGroupBox] = []
        for section in ("identity", "contact", "situation", "risk"):
            box = QGroupBox(SECTION_TITLES[section]())
            layout = QFormLayout(box)
            layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            build_section(self.form, layout, section, health=health)
            if section == "risk":
                self.form.add(layout, f.flag("is_draft", _("Intake not finished (d&raft)")))
            column.addWidget(box)
            self.boxes.append(box)
        column.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(content)
        named(self.scroll, _("Profile"))

        layout = QVBoxLayout(self)
        layout.addWidget(self.notice)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        layout.addWidget(self.scroll, 1)
        self.form.changed.connect(self.error.clear_message)
        self.load(record)

    # -- states --------------------------------------------------------------------
    def load(self, record: CaseRecord) -> None:
        self.record = record
        values = values_from_record(record)
        values["is_draft"] = bool(record.case.get("is_draft"))
        self.form.load(values)
        self._set_editing(False)

    def _set_editing(self, editing: bool) -> None:
        self.editing = editing
        self.form.set_read_only(not editing)
        self.edit_button.setVisible(self.may_edit and not editing)
        self.save_button.setVisible(editing)
        self.cancel_button.setVisible(editing)
        self.editing_changed.emit(editing)

    def edit(self) -> None:
        if not self.may_edit or self.record is None:
            return
        self.error.clear_message()
        self._set_editing(True)
        self.form["legal_name"].focus.setFocus()

    def has_unsaved(self) -> bool:
        return self.editing and bool(self.form.changes())

    # -- saving --------------------------------------------------------------------
    def save(self) -> bool:
        """Save the edits; False (with the reason shown) when they were refused."""
        if not self.editing or self.record is None:
            return True
        record = self.record
        values = self.form.values()
        self.error.clear_message()
        if not self.form.check_fields():  # a date that cannot be read, shown beside it
            return False
        try:
            saved = self._services.cases.update(
                record.id, survivor=survivor_input(values),
                case=case_input(values, is_draft=bool(values.get("is_draft"))),
                versions=record.row_versions)
        except ValidationError as exc:
            if not self.form.show_error(exc):
                self.error.show_message(exc.message)
            return False
        except ShelterError as exc:
            self.error.show_message(exc.message)
            return False
        self._discard_draft()
        self.notice.clear_message()
        self.load(saved)
        self.saved.emit(saved)
        return True

    def cancel(self) -> None:
        """Forget the edits (and any draft kept of them) and show the record again."""
        if self.record is None:
            return
        self._discard_draft()
        self.notice.clear_message()
        self.error.clear_message()
        self.load(self.record)

    # -- drafts --------------------------------------------------------------------
    def keep_draft(self, drafts: CarriedEdits | None = None) -> None:
        """Keep the unsaved edits inside the vault (auto-lock, quick exit), or in *drafts*
        (carried to the next window: ``ui/cases/carried.py``)."""
        if self.record is not None and self.has_unsaved():
            (self._services.drafts if drafts is None else drafts).save(
                DRAFT_KIND, self.form.changes(), case_id=self.record.id,
                base_versions=self.record.row_versions)

    def _discard_draft(self) -> None:
        if self.record is not None and self.may_edit:
            with contextlib.suppress(ShelterError):  # nothing kept, or no longer allowed
                self._services.drafts.discard(DRAFT_KIND, case_id=self.record.id)

    def restore_draft(self, drafts: CarriedEdits | None = None) -> bool:
        """Apply the edits kept at the last auto-lock or quick exit, if there are any (or
        those carried in *drafts*, without a word: they never left the screen)."""
        if self.record is None or not self.may_edit:
            return False
        draft = (self._services.drafts if drafts is None else drafts).get(
            DRAFT_KIND, case_id=self.record.id)
        if draft is None or not draft.changes:
            return False
        merged, conflicts = merge_changes(self.form.loaded(), draft.changes)
        self._set_editing(True)
        self.form.put(merged)
        if drafts is not None:  # never left the screen: nothing to explain
            self.notice.clear_message()
            return True
        text = _("Your unsaved changes from {when} were kept when the vault locked, and are "
                 "shown again. Save them, or Cancel to discard them.").format(
            when=format_datetime(draft.updated_at))
        if conflicts:
            labels = [f.plain(self.form[n].label) for n in conflicts if n in self.form]
            text += " " + _("Someone else changed these fields meanwhile; their values are "
                            "kept: {fields}.").format(fields=", ".join(labels))
        self.notice.show_message(text)
        return True

    def forget(self) -> None:
        self.record = None
        self.editing = False
        self.form.forget()
        self.notice.clear_message()
        self.error.clear_message()

    def values(self) -> dict[str, Any]:
        return self.form.values()
