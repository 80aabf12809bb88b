"""Erasing one survivor's records on request, from the case's header (coordinators).

The coordinator chooses the reason from a fixed list and types the case's code.  Where the
organisation has another active coordinator, the request waits for that coordinator's
confirmation in the Retention section; otherwise the records are erased now, off the GUI
thread (the database is vacuumed afterwards, which takes a while on a large vault), with
the step shown.  ``erased`` carries the case id once its records are gone, ``requested``
once a request waits.  Refusals are shown in the dialog and nothing changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from shelter_app.domain.records import CaseRecord
from shelter_app.domain.roles import Action
from shelter_app.errors import ShelterError
from shelter_app.i18n import _
from shelter_app.i18n.formatting import fill
from shelter_app.services.registry import Services
from shelter_app.services.retention import REASON_LABELS, ErasureOutcome, summary

from ..background import Background
from ..cases.case_actions import CaseActionDialog
from ..widgets import BusyBar, named, paragraph

if TYPE_CHECKING:
    from ..cases.workspace import CaseWorkspace


class Steps(QObject):
    """Carries the step a worker thread reached to the GUI thread."""

    step = Signal(str)


class EraseDialog(CaseActionDialog):
    erased = Signal(str, str)  # case id, what was removed (in words)
    requested = Signal(str)  # case id

    def __init__(self, services: Services, record: CaseRecord, background: Background,
                 parent: QWidget | None = None) -> None:
        waits = services.retention.needs_confirmation()
        super().__init__(fill(_("Erase the records of {code}"), code=record.code),
                         _("&Ask for erasure") if waits else _("&Erase the records"), parent)
        self._waits = waits
        self._services = services
        self._background = background
        self._case_id = record.id
        self._code = record.code
        self.form.addRow(paragraph(fill(_(
            "Everything recorded in case {code} is removed from this vault: the survivor's "
            "identity (unless another case is hers), consent, services, referrals, "
            "appointments, legal matters, evidence, attachments, the records of documents "
            "produced and unsaved changes. It cannot be undone. Backups made before keep it "
            "until they are rotated out."), code=record.code)))
        if self._waits:
            self.form.addRow(paragraph(_(
                "Another coordinator must confirm it in the Retention section before "
                "anything is removed.")))
        self.reason = QComboBox()
        self.reason.addItem(_("(choose a reason)"), "")
        for code, label in REASON_LABELS.items():
            self.reason.addItem(_(label), str(code))
        named(self.reason, _("Reason"))
        reason_label = QLabel(_("&Reason:"))
        reason_label.setBuddy(self.reason)
        self.typed = QLineEdit()
        named(self.typed, _("Case code, typed to confirm"))
        typed_label = QLabel(fill(_("&Type {code} to confirm:"), code=record.code))
        typed_label.setBuddy(self.typed)
        self.form.addRow(reason_label, self.reason)
        self.form.addRow(typed_label, self.typed)
        self.busy = BusyBar(_("Erasing…"))
        self.step = QLabel()
        self.step.hide()
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(layout.indexOf(self.buttons), self.step)
        layout.insertWidget(layout.indexOf(self.buttons), self.busy)
        self.steps = Steps(self)
        self.steps.step.connect(self._show_step)

    def _show_step(self, text: str) -> None:
        self.step.setText(text)
        self.step.setVisible(bool(text))

    def apply(self) -> None:
        self.error.clear_message()
        reason = str(self.reason.currentData() or "")
        if not reason:
            self.error.show_message(_("Choose why the records are erased."))
            self.reason.setFocus()
            return
        if self.typed.text().strip().upper() != self._code.upper():
            self.error.show_message(fill(_("Type {code} exactly to confirm."),
                                         code=self._code))
            self.typed.setFocus()
            return
        if not self._waits:
            self._erase_now(reason)
            return
        try:
            outcome = self._services.retention.erase(self._case_id, reason)
        except ShelterError as exc:
            self.error.show_message(exc.message)
            return
        self._finished(outcome)

    def _erase_now(self, reason: str) -> None:
        retention, steps = self._services.retention, self.steps
        self.buttons.setEnabled(False)
        self.reason.setEnabled(False)
        self.typed.setEnabled(False)
        self.busy.show()
        self._show_step(_("Removing the records…"))

        def work() -> ErasureOutcome:
            return retention.erase(self._case_id, reason, progress=steps.step.emit)

        self._background.run(work, self._finished, self._failed, context=self)

    def _finished(self, outcome: ErasureOutcome) -> None:
        self.busy.hide()
        if outcome.erased:
            self.erased.emit(self._case_id, summary(outcome.purged))
        else:
            self.requested.emit(self._case_id)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.busy.hide()
        self._show_step("")
        self.buttons.setEnabled(True)
        self.reason.setEnabled(True)
        self.typed.setEnabled(True)
        if not isinstance(exc, ShelterError):
            raise exc
        self.error.show_message(exc.message)

    def reject(self) -> None:
        """Escape and the window's close button do nothing while the records are being
        erased: the dialog reports the outcome."""
        if self.buttons.isEnabled():
            super().reject()


def erase_button(workspace: CaseWorkspace) -> QPushButton:
    """The case header's "Erase records…", shown to those who may erase (coordinators)."""
    button = QPushButton(_("&Erase records…"))
    named(button, _("Erase records"), _("Erase this survivor's records on request"))
    button.setVisible(workspace.services.ctx.allowed(Action.PURGE_RECORDS))
    button.clicked.connect(lambda _checked=False: open_erase(workspace))
    return button


def open_erase(workspace: CaseWorkspace) -> EraseDialog | None:
    """The erasure dialog for the workspace's case; its outcome goes to the workspace:
    ``erased`` when the records are gone, a notice when a request waits."""
    record = workspace.profile.record
    if record is None:
        return None
    workspace.error.clear_message()
    workspace.notice.clear_message()
    dialog = EraseDialog(workspace.services, record, workspace.background, workspace)
    dialog.erased.connect(workspace.erased)
    dialog.requested.connect(lambda _id: workspace.notice.show_message(_(
        "Erasure asked for. Another coordinator must confirm it in the Retention section.")))
    dialog.finished.connect(lambda _r: setattr(workspace, "dialog", None))
    workspace.dialog = dialog
    dialog.open()
    return dialog
