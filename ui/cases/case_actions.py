"""The case header's dialogs: change the status, assign the case, choose its site, share
it with legal.

Each dialog calls one ``CaseService`` method and closes only when it was accepted; a
refusal (``ValidationError`` and the like) is shown in the dialog and nothing changes.
The lists of people come from ``CaseService.assignable_staff`` and ``legal_volunteers``,
which those who may assign or share can read (the account list is administrators' only).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from shelter_app.domain import vocab
from shelter_app.domain.history import isolate, join
from shelter_app.domain.records import CaseRecord
from shelter_app.domain.roles import Action
from shelter_app.errors import ShelterError
from shelter_app.i18n import N_, _
from shelter_app.i18n.formatting import fill
from shelter_app.services.cases import STATUS_ORDER
from shelter_app.services.registry import Services

from ..widgets import MessageLabel, named
from .tabs.base import day_text


def next_statuses(current: str) -> list[str]:
    """Where a case may go from *current*: forward, or (when closed) reopened."""
    if current == "closed":
        return [s for s in STATUS_ORDER if s != "closed"]
    if current not in STATUS_ORDER:
        return []
    return STATUS_ORDER[STATUS_ORDER.index(current) + 1:]


class CaseActionDialog(QDialog):
    """A small dialog with a form, a message line and OK / Cancel."""

    def __init__(self, title: str, ok_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.error = MessageLabel()
        self.error.setAccessibleName(_("Could not save"))
        self.form = QFormLayout()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text)
        named(self.ok_button, ok_text.replace("&", ""))
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(_("Cancel"))
        named(cancel, _("Cancel"))
        self.buttons.accepted.connect(self.apply)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def attempt(self, action: Callable[[], object]) -> bool:
        self.error.clear_message()
        try:
            action()
        except ShelterError as exc:
            self.error.show_message(exc.message)
            return False
        self.accept()
        return True

    def apply(self) -> None:
        raise NotImplementedError


class StatusDialog(CaseActionDialog):
    def __init__(self, services: Services, record: CaseRecord,
                 parent: QWidget | None = None) -> None:
        super().__init__(fill(_("Change the status of {code}"), code=record.code),
                         _("C&hange status"), parent)
        self._services = services
        self._case_id = record.id
        current = str(record.case["status"])
        self.status = QComboBox()
        for code in next_statuses(current):
            self.status.addItem(vocab.CASE_STATUS.label(code), code)
        named(self.status, _("New status"))
        self.reason = QComboBox()
        self.reason.addItem(_("(choose a reason)"), "")
        for code, label in vocab.CLOSURE_REASON.choices():
            self.reason.addItem(label, code)
        named(self.reason, _("Closure reason"))
        self.reason_label = QLabel(_("Closure &reason:"))
        self.reason_label.setBuddy(self.reason)
        status_label = QLabel(_("New &status:"))
        status_label.setBuddy(self.status)
        now = QLabel(_("Now: {status}").format(status=vocab.CASE_STATUS.label(current)))
        self.form.addRow(now)
        self.form.addRow(status_label, self.status)
        self.form.addRow(self.reason_label, self.reason)
        self.status.currentIndexChanged.connect(self._status_changed)
        self._status_changed()

    def _status_changed(self) -> None:
        closing = self.status.currentData() == "closed"
        self.reason_label.setVisible(closing)
        self.reason.setVisible(closing)

    def apply(self) -> None:
        status = str(self.status.currentData() or "")
        reason = str(self.reason.currentData() or "") or None
        self.attempt(lambda: self._services.cases.set_status(
            self._case_id, status, closure_reason=reason if status == "closed" else None))


class AssignDialog(CaseActionDialog):
    def __init__(self, services: Services, record: CaseRecord,
                 parent: QWidget | None = None) -> None:
        super().__init__(fill(_("Assign {code}"), code=record.code), _("&Assign"), parent)
        self._services = services
        self._case_id = record.id
        self.person = QComboBox()
        for user_id, name in services.cases.assignable_staff():
            self.person.addItem(name, user_id)
        self.person.setCurrentIndex(max(self.person.findData(record.case.get("assigned_to")),
                                        0))
        named(self.person, _("Assign to"))
        label = QLabel(_("Assign &to:"))
        label.setBuddy(self.person)
        self.form.addRow(label, self.person)

    def apply(self) -> None:
        user_id = str(self.person.currentData() or "")
        if not user_id:
            self.error.show_message(_("Choose the person to assign the case to."))
            return
        self.attempt(lambda: self._services.cases.assign(self._case_id, user_id))


class SiteDialog(CaseActionDialog):
    """The site at which the case is handled: one of the organisation's sites in use, or
    none (its present one is offered too, even when retired)."""

    def __init__(self, services: Services, record: CaseRecord,
                 parent: QWidget | None = None) -> None:
        super().__init__(fill(_("Site of {code}"), code=record.code), _("&Save"), parent)
        self._services = services
        self._case_id = record.id
        current = services.sites.of_case(record.id)
        self.site = QComboBox()
        self.site.addItem(_("(no site)"), "")
        for site in services.sites.all():
            if not site.retired or (current is not None and site.id == current.id):
                self.site.addItem(fill(_("{name} (retired)"), name=site.name) if site.retired
                                  else site.name, site.id)
        self.site.setCurrentIndex(max(self.site.findData(current.id if current else ""), 0))
        named(self.site, _("Site"))
        label = QLabel(_("&Handled at:"))
        label.setBuddy(self.site)
        self.form.addRow(label, self.site)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 26)

    def apply(self) -> None:
        site_id = str(self.site.currentData() or "") or None
        self.attempt(lambda: self._services.sites.move(self._case_id, site_id))


class ShareDialog(CaseActionDialog):
    """Legal volunteers, ticked when the case is shared with them."""

    def __init__(self, services: Services, record: CaseRecord,
                 parent: QWidget | None = None) -> None:
        super().__init__(fill(_("Share {code} with legal volunteers"), code=record.code),
                         _("&Save sharing"), parent)
        self._services = services
        self._case_id = record.id
        self._shared = set(record.shared_with)
        self.people = QListWidget()
        named(self.people, _("Legal volunteers"),
              _("Tick the legal volunteers who may see this case"))
        for user_id, name in services.cases.legal_volunteers():
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, user_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if user_id in self._shared
                               else Qt.CheckState.Unchecked)
            self.people.addItem(item)
        if not self.people.count():
            self.error.show_message(_("There are no active legal volunteers."))
        label = QLabel(_("&Legal volunteers:"))
        label.setBuddy(self.people)
        self.form.addRow(label)
        self.form.addRow(self.people)

    def ticked(self) -> set[str]:
        return {str(item.data(Qt.ItemDataRole.UserRole))
                for item in (self.people.item(i) for i in range(self.people.count()))
                if item.checkState() == Qt.CheckState.Checked}

    def apply(self) -> None:
        ticked = self.ticked()

        def share() -> None:
            cases = self._services.cases
            for user_id in sorted(ticked - self._shared):
                cases.share(self._case_id, user_id)
            for user_id in sorted(self._shared - ticked):
                cases.share(self._case_id, user_id, shared=False)

        self.attempt(share)


Team = tuple[str | None, list[str]]  # who the case is assigned to, whom it is shared with


def site_name(services: Services, case_id: str) -> str | None:
    """The name of the case's site (None when it has none, or it cannot be read)."""
    try:
        site = services.sites.of_case(case_id)
    except ShelterError:
        return None
    return site.name if site is not None else None


def next_deadline(services: Services, case_id: str) -> tuple[str, bool]:
    """The case's soonest open legal deadline in words, and whether it is overdue."""
    try:
        ahead = services.legal.case_deadlines(case_id)
    except ShelterError:
        ahead = []
    if not ahead:
        return _("No open legal deadline"), False
    soonest = ahead[0]
    return fill(_("Next legal deadline: {what}, {day}") if not soonest.overdue()
                else _("Overdue legal deadline: {what}, {day}"),
                what=soonest.label, day=isolate(day_text(soonest.due_on))), soonest.overdue()


def confirmation(code: str, record: CaseRecord | None, status: str, before: Team,
                 after: Team, sites: tuple[str | None, str | None] = (None, None)) -> str:
    """What a status, assignment, site or sharing dialog just changed in case *code*, and
    how to change it back (*status*, *before*: as they were; *after*: the team now;
    *sites*: the names of its site before and after)."""
    assigned = isolate(after[0]) if after[0] else after[0]
    shared = [isolate(n) for n in after[1]]
    was = (isolate(before[0]) if before[0] else before[0], [isolate(n) for n in before[1]])
    said = []
    if sites[0] != sites[1]:
        said.append(fill(_("Case {code} is now handled at {site}."), code=code,
                         site=isolate(sites[1])) if sites[1] else
                    fill(_("Case {code} no longer has a site."), code=code))
    if record is not None and record.case["status"] != status:
        said.append(fill(_("Case {code} is now {status}."),
            code=code, status=vocab.CASE_STATUS.label(record.case["status"])))
    if assigned != was[0] and assigned:
        said.append(fill(_("Case {code} is now assigned to {name}. To assign it to someone "
                      "else, use Assign… again."), code=code, name=assigned))
    added = [n for n in shared if n not in was[1]]
    removed = [n for n in was[1] if n not in shared]
    if added:
        said.append(fill(_("Case {code} is now shared with {names}."),
            code=code, names=join(added)))
    if removed:
        said.append(fill(_("Case {code} is no longer shared with {names}."),
            code=code, names=join(removed)))
    if added or removed:
        said.append(_("To change whom it is shared with, use Share with legal "
                      "volunteer… again."))
    return " ".join(said) or _("Nothing was changed.")


# The case header's buttons: text, name and description (to translate), the dialog each
# opens and what it needs on the case to be shown.
HEADER_ACTIONS: tuple[tuple[str, str, str, type[CaseActionDialog], Action], ...] = (
    (N_("Change s&tatus…"), N_("Change status"), N_("Move the case on, close or reopen it"),
     StatusDialog, Action.EDIT_CASE),
    (N_("Ass&ign…"), N_("Assign"), N_("Choose who works on this case"), AssignDialog,
     Action.ASSIGN_CASE),
    (N_("&Change site…"), N_("Change site"), N_("Choose the site where the case is handled"),
     SiteDialog, Action.EDIT_CASE),
    (N_("Share with legal &volunteer…"), N_("Share with legal volunteer"),
     N_("Choose the legal volunteers who may see this case"), ShareDialog, Action.SHARE_CASE),
)
