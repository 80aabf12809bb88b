"""The Retention section (coordinators): erasures waiting for a second coordinator, and the
purge list of what the organisation's retention periods have reached.

The purge list comes from ``RetentionService.review`` (off the GUI thread) with its
fingerprint; every line is ticked except those held (a closed case with an open deadline).
Unticking a line keeps that case's lines for now.  "Purge the ticked records…" asks once,
then ``purge`` runs with the fingerprint shown, so a list that changed meanwhile (a case
closed at another desk) is refused and shown again.  Confirming or withdrawing another
coordinator's erasure request is done here too.  After records go, ``records_removed`` tells
the main window, which closes the workspaces of cases that no longer exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from shelter_app.domain.roles import Action
from shelter_app.domain.validate import parse_utc
from shelter_app.errors import ShelterError
from shelter_app.i18n import _, ngettext
from shelter_app.i18n.formatting import fill, format_date, format_number
from shelter_app.services.registry import Services
from shelter_app.services.retention import (
    KIND_LABELS,
    REASON_LABELS,
    Kind,
    Policy,
    PurgeList,
    Request,
    count_text,
    describe,
    summary,
)
from shelter_app.store.erasure import Purged

from ..agenda.common import button, flow, tab_order
from ..background import Background
from ..widgets import NOTICE_STYLE, BusyBar, MessageLabel, heading, named, paragraph
from .erase_dialog import Steps


def may_see_retention(services: Services) -> bool:
    return services.ctx.allowed(Action.PURGE_RECORDS)


def policy_text(policy: Policy) -> str:
    return fill(_(
        "Closed cases are kept {cases} after closing, and their attachments {attachments}; "
        "records of documents produced {documents}; unsaved changes kept as drafts {drafts}. "
        "An administrator sets these periods in Administration, Settings. Nothing goes "
        "until a coordinator approves the list below."), **policy.periods())


def _table(headers: list[str], name: str) -> QTableWidget:
    view = QTableWidget(0, len(headers))
    view.setHorizontalHeaderLabels(headers)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setTabKeyNavigation(False)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    named(view, name)
    return view


def _cell(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    return item


class RetentionPage(QWidget):
    records_removed = Signal()

    def __init__(self, services: Services, background: Background,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("retention_page")
        self._services = services
        self._background = background
        self._stale = True
        self.found: PurgeList | None = None
        self.pending: list[Request] = []
        self.policy = paragraph("")
        named(self.policy, _("Retention periods"))
        self.error = MessageLabel()
        self.notice = MessageLabel(NOTICE_STYLE)
        self.notice.setAccessibleName(_("Done"))
        self.step = QLabel()
        self.busy = BusyBar(_("Working…"))
        self.steps = Steps(self)
        self.steps.step.connect(self.step.setText)

        self.requests = _table([_("Case"), _("Reason"), _("Asked for by"), _("On")],
                               _("Erasures waiting for confirmation"))
        self.confirm_button = button(_("&Confirm erasure…"), _(
            "Erase the selected case's records, as another coordinator asked"),
                                     self.confirm_selected)
        self.withdraw_button = button(_("&Withdraw request"), _(
            "Keep the selected case's records; the request is withdrawn"),
                                      self.withdraw_selected)
        self.requests.itemSelectionChanged.connect(self._request_chosen)
        self.requests_note = paragraph("")
        waiting = QGroupBox(_("Erasures waiting for a second coordinator"))
        box = QVBoxLayout(waiting)
        box.addWidget(self.requests_note)
        box.addWidget(self.requests)
        box.addWidget(flow(self.confirm_button, self.withdraw_button))

        self.summary = paragraph("")
        named(self.summary, _("Purge list"))
        self.items = _table([_("Purge"), _("Case"), _("What"), _("How many"), _("Due since"),
                             _("Kept because")], _("Purge list"))
        self.today: Callable[[], dt.date] = dt.date.today  # the day the list is made for
        self.items.itemChanged.connect(self._ticked)
        self.items.installEventFilter(self)
        self.review_button = button(_("&Review the list again"), _(
            "Look again at what the retention periods have reached"), self.review)
        self.purge_button = button(_("&Purge the ticked records…"), _(
            "Remove the ticked records for good, once you confirm"), self.ask_purge)
        listed = QGroupBox(_("Purge list"))
        box = QVBoxLayout(listed)
        box.addWidget(self.summary)
        box.addWidget(self.items, 1)
        box.addWidget(flow(self.review_button, self.purge_button))

        layout = QVBoxLayout(self)
        layout.addWidget(heading(_("Retention and erasure")))
        layout.addWidget(self.policy)
        layout.addWidget(self.error)
        layout.addWidget(self.notice)
        layout.addWidget(self.step)
        layout.addWidget(self.busy)
        layout.addWidget(waiting)
        layout.addWidget(listed, 1)
        tab_order(self.requests, self.confirm_button, self.withdraw_button, self.items,
                  self.review_button, self.purge_button)
        self.box: QMessageBox | None = None

    def start_control(self) -> QWidget:
        return self.items

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def data_changed(self) -> None:
        self._stale = True
        if self.isVisible():
            self.refresh()

    # -- reading -------------------------------------------------------------------------
    def review(self) -> None:
        """The Review button: the list read again, what was said before cleared."""
        self.notice.clear_message()
        self.refresh()

    def refresh(self) -> None:
        if self.busy.isVisible():
            return
        self._stale = False
        self.error.clear_message()
        retention = self._services.retention
        policy = retention.policy()
        self.policy.setText(policy_text(policy))
        self._working(_("Reading the purge list…"))

        today = self.today()

        def work() -> tuple[PurgeList, list[Request]]:
            return retention.review(today), retention.requests()

        self._background.run(work, self._show, self._failed, context=self)

    def _show(self, result: tuple[PurgeList, list[Request]]) -> None:
        self._idle()
        self.found, self.pending = result
        self._show_requests()
        found = self.found
        self.items.blockSignals(True)
        self.items.setRowCount(0)
        for item in found.items:
            row = self.items.rowCount()
            self.items.insertRow(row)
            tick = QTableWidgetItem()
            flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            if not item.held and item.case_code:
                flags |= Qt.ItemFlag.ItemIsUserCheckable
            tick.setFlags(flags)
            tick.setCheckState(Qt.CheckState.Unchecked if item.held else Qt.CheckState.Checked)
            tick.setData(Qt.ItemDataRole.UserRole, item.case_code)
            tick.setData(Qt.ItemDataRole.AccessibleTextRole,
                         _("Kept") if item.held else _("Purge"))
            self.items.setItem(row, 0, tick)
            for column, text in enumerate(
                    (item.case_code or _("(no case)"), _(KIND_LABELS[item.kind]),
                     count_text(item.kind, item.count), format_date(item.due_since),
                     item.held), 1):
                self.items.setItem(row, column, _cell(text))
        self.items.blockSignals(False)
        due = len(found.due)
        if due:
            text = fill(ngettext("As of {day}: {n} item may be purged (list {fingerprint}).",
                                 "As of {day}: {n} items may be purged (list {fingerprint}).",
                                 due), day=format_date(found.as_of), n=format_number(due),
                        fingerprint=found.fingerprint)
        elif found.items:
            text = fill(_("As of {day}, nothing may be purged: what has reached its period "
                          "is kept for the reason shown."), day=format_date(found.as_of))
        else:
            text = fill(_("As of {day}, nothing has reached its retention period."),
                        day=format_date(found.as_of))
        self.summary.setText(text)
        self.purge_button.setEnabled(bool(self.ticked_items()))

    def _show_requests(self) -> None:
        me = self._services.session.user_id
        self.requests.setRowCount(0)
        for request in self.pending:
            row = self.requests.rowCount()
            self.requests.insertRow(row)
            when = parse_utc(request.requested_at).astimezone().date()
            for column, text in enumerate((request.case_code, _(REASON_LABELS[request.reason]),
                                           request.requested_by_name
                                           + (_(" (you)") if request.requested_by == me
                                              else ""), format_date(when))):
                self.requests.setItem(row, column, _cell(text))
        self.requests_note.setText(_(
            "None. An erasure is asked for from the case (Erase records…); where there is "
            "another coordinator, that coordinator confirms it here.") if not self.pending
            else _("An erasure you asked for waits for another coordinator; you can "
                   "withdraw it."))
        has = bool(self.pending)
        self.requests.setVisible(has)
        if has and not self.requests.selectedItems():
            self.requests.selectRow(0)
        self._request_chosen()

    def _request_chosen(self) -> None:
        """Confirm is for another coordinator's request; withdrawing is for any."""
        request = self.selected_request()
        self.confirm_button.setEnabled(request is not None and not self.busy.isVisible()
                                       and request.requested_by != self._services.session.user_id)
        self.withdraw_button.setEnabled(request is not None and not self.busy.isVisible())

    def ticked_items(self) -> list[int]:
        return [row for row in range(self.items.rowCount())
                if self.items.item(row, 0).checkState() == Qt.CheckState.Checked]

    def _ticked(self, changed: QTableWidgetItem) -> None:
        """Unticking (or ticking) a line does the same to the other lines of its case: a
        case is kept or purged as a whole."""
        if changed.column() != 0 or self.found is None:
            return
        code = changed.data(Qt.ItemDataRole.UserRole)
        self.items.blockSignals(True)
        for row in range(self.items.rowCount()):
            tick = self.items.item(row, 0)
            if tick is not changed and code and tick.data(Qt.ItemDataRole.UserRole) == code \
                    and tick.flags() & Qt.ItemFlag.ItemIsUserCheckable:
                tick.setCheckState(changed.checkState())
        self.items.blockSignals(False)
        self.purge_button.setEnabled(bool(self.ticked_items()))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Space ticks or unticks the current line of the purge list, whichever column
        the keyboard is in."""
        if watched is self.items and event.type() == QEvent.Type.KeyPress \
                and isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Space:
            row = self.items.currentRow()
            tick = self.items.item(row, 0) if row >= 0 else None
            if tick is not None and tick.flags() & Qt.ItemFlag.ItemIsUserCheckable:
                tick.setCheckState(Qt.CheckState.Unchecked
                                   if tick.checkState() == Qt.CheckState.Checked
                                   else Qt.CheckState.Checked)
            return True
        return super().eventFilter(watched, event)

    def kept_codes(self) -> list[str]:
        if self.found is None:
            return []
        return sorted({self.found.items[row].case_code for row in range(self.items.rowCount())
                       if self.items.item(row, 0).checkState() != Qt.CheckState.Checked
                       and not self.found.items[row].held and self.found.items[row].case_code})

    # -- purging -------------------------------------------------------------------------
    def ask_purge(self) -> QMessageBox | None:
        found = self.found
        rows = self.ticked_items()
        if found is None or not rows:
            return None
        counts = dict.fromkeys(Kind, 0)
        for row in rows:
            counts[found.items[row].kind] += found.items[row].count
        return self._ask(fill(_(
            "Remove {what} for good? A case goes with everything recorded in it. This cannot "
            "be undone; backups made before today keep them until they are rotated out."),
            what=describe(counts)), _("&Purge"), self.purge)

    def _ask(self, text: str, yes: str, then: Callable[[], None]) -> QMessageBox:
        """A warning with *yes* and Cancel, Cancel the default (Enter removes nothing);
        *then* runs when *yes* is chosen."""
        box = QMessageBox(QMessageBox.Icon.Warning, self.window().windowTitle(), text,
                          QMessageBox.StandardButton.NoButton, self)
        chosen = box.addButton(yes, QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(_("Cancel"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        named(box, box.text())
        box.buttonClicked.connect(lambda clicked: then() if clicked is chosen else None)
        box.finished.connect(lambda _r: setattr(self, "box", None))
        self.box = box
        box.open()
        return box

    def purge(self) -> None:
        found = self.found
        if found is None:
            return
        retention, keep, steps = self._services.retention, self.kept_codes(), self.steps
        self.notice.clear_message()
        self._working(_("Removing the records…"))

        def work() -> Purged:
            return retention.purge(found.fingerprint, keep=keep, today=found.as_of,
                                   progress=steps.step.emit)

        self._background.run(work, self._removed, self._failed, context=self)

    # -- another coordinator's erasure ---------------------------------------------------
    def selected_request(self) -> Request | None:
        rows = self.requests.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.pending):
            return None
        return self.pending[rows[0].row()]

    def confirm_selected(self) -> QMessageBox | None:
        request = self.selected_request()
        if request is None:
            return None
        return self._ask(fill(_(
            "Erase every record of case {code} for good? {reason}. It cannot be undone."),
            code=request.case_code, reason=_(REASON_LABELS[request.reason])), _("&Erase"),
            lambda: self.confirm(request))

    def confirm(self, request: Request) -> None:
        retention, steps = self._services.retention, self.steps
        self.notice.clear_message()
        self._working(_("Removing the records…"))
        self._background.run(
            lambda: retention.confirm_erasure(request.case_id, progress=steps.step.emit),
            self._removed, self._failed, context=self)

    def withdraw_selected(self) -> None:
        request = self.selected_request()
        if request is None:
            return
        self.error.clear_message()
        try:
            self._services.retention.withdraw_erasure(request.case_id)
        except ShelterError as exc:
            self.error.show_message(exc.message)
            return
        self.notice.show_message(fill(_("The erasure of {code} was withdrawn; nothing was "
                                        "removed."), code=request.case_code))
        self.refresh()

    # -- the outcome ---------------------------------------------------------------------
    def _working(self, text: str) -> None:
        self.step.setText(text)
        self.busy.show()
        for widget in (self.purge_button, self.review_button, self.confirm_button,
                       self.withdraw_button):
            widget.setEnabled(False)

    def _idle(self) -> None:
        self.busy.hide()
        self.step.clear()
        self.review_button.setEnabled(True)

    def _removed(self, purged: Purged) -> None:
        self._idle()
        self.records_removed.emit()
        self.refresh()
        self.notice.show_message(summary(purged))

    def _failed(self, exc: BaseException) -> None:
        self._idle()
        self.records_removed.emit()  # the rows may be gone though clearing the space failed
        if not isinstance(exc, ShelterError):
            raise exc
        self.error.show_message(exc.message)
        if self.found is not None:
            self.purge_button.setEnabled(bool(self.ticked_items()))
        self._request_chosen()
