"""The Referrals page: referrals in every case the user manages, and moving them along.

The list comes from ``ReferralService.list_visible`` (case code, partner, status, priority,
follow-up date); open referrals first.  The buttons follow the referral's life: send
(draft → sent; the service checks the survivor's consent for that partner and a refusal
is shown in full, with the way to fix it), accept, decline with the partner's reason,
complete with an optional outcome, revoke after a confirmation.  Only the moves the
selected referral allows are enabled.  ``open_case(case_id)`` asks the main window to
show the case (to record consent, say).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QCheckBox, QMessageBox, QVBoxLayout, QWidget

from shelter_app.domain import vocab
from shelter_app.domain.roles import Action, Scope
from shelter_app.errors import ShelterError
from shelter_app.i18n import _, ngettext
from shelter_app.i18n.formatting import fill, format_date
from shelter_app.services.consent import ConsentMissing
from shelter_app.services.referrals import TRANSITIONS, VisibleReferral
from shelter_app.services.registry import Services

from .agenda.common import (
    Column,
    RowsModel,
    button,
    flow,
    select_row,
    selected_row,
    sorted_proxy,
    tab_order,
    table,
)
from .background import Background
from .referrals_dialogs import TextStepDialog, complete_dialog, decline_dialog
from .widgets import NOTICE_STYLE, MessageLabel, heading, named, paragraph

CASE_SCOPES = (Scope.ASSIGNED, Scope.SHARED, Scope.OTHER)
OPEN = ("sent", "accepted")


def may_see_referrals(services: Services) -> bool:
    return any(services.ctx.allowed(Action.MANAGE_REFERRALS, s) for s in CASE_SCOPES)


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


class ReferralsModel(RowsModel):
    CASE, PARTNER, STATUS, PRIORITY, FOLLOW_UP, SENT = range(6)

    def __init__(self, today: dt.date, parent: QObject | None = None) -> None:
        self.today = today
        super().__init__([
            Column(lambda: _("Case"), lambda r: r.case_code),
            Column(lambda: _("Partner"), lambda r: r.partner_name),
            Column(lambda: _("Status"), lambda r: vocab.REFERRAL_STATUS.label(r.referral.status)),
            Column(lambda: _("Priority"), lambda r: vocab.PRIORITY.label(r.referral.priority),
                   sort=lambda r: ("emergency", "urgent", "normal").index(r.referral.priority)),
            Column(lambda: _("Follow-up due"), self._follow_up,
                   sort=lambda r: r.referral.follow_up_due or "9999",
                   bold=self.follow_up_overdue),
            Column(lambda: _("Sent on"),
                   lambda r: format_date(d) if (d := _date(r.referral.sent_on)) else "",
                   sort=lambda r: r.referral.sent_on or ""),
        ], parent)

    def follow_up_overdue(self, row: VisibleReferral) -> bool:
        due = _date(row.referral.follow_up_due)
        return due is not None and due < self.today and row.referral.status in OPEN

    def _follow_up(self, row: VisibleReferral) -> str:
        due = _date(row.referral.follow_up_due)
        if due is None:
            return ""
        if self.follow_up_overdue(row):
            return _("{date} (overdue)").format(date=format_date(due))
        return format_date(due)


class ReferralsPage(QWidget):
    open_case = Signal(str)

    def __init__(self, services: Services, background: Background | None = None,
                 parent: QWidget | None = None, *, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("referrals_page")
        self._services = services
        self._today = today  # fixed by tests; otherwise the calendar's day
        self.model = ReferralsModel(self.today(), self)
        self.proxy = sorted_proxy(self.model)
        self.view = table(self.proxy, _("Referrals"),
                          _("Referrals of your cases, open ones first."))
        self.show_closed = QCheckBox(_("Show &declined, completed and revoked referrals"))
        named(self.show_closed, self.show_closed.text().replace("&", ""))
        self.show_closed.toggled.connect(lambda _on: self.refresh())
        self.summary = paragraph("")
        self.error = MessageLabel()
        named(self.error, _("Why the referral was not moved"))
        self.notice = MessageLabel(NOTICE_STYLE)
        self.send_button = button(_("S&end"), _("Send the referral (checks the survivor's "
                                                "consent for this partner)"),
                                  lambda: self.move_to("sent"))
        self.accept_button = button(_("&Accepted"), _("The partner accepted the referral"),
                                    lambda: self.move_to("accepted"))
        self.decline_button = button(_("De&clined…"), _("The partner declined: record why"),
                                     self.decline)
        self.complete_button = button(_("Co&mpleted…"), _("The referral is done"),
                                      self.complete)
        self.revoke_button = button(_("&Revoke…"), _("Withdraw the referral"), self.revoke)
        self.open_button = button(_("&Open case"), _("Open the case of this referral"),
                                  self.open_selected)
        self._moves = {"sent": self.send_button, "accepted": self.accept_button,
                       "declined": self.decline_button, "completed": self.complete_button,
                       "revoked": self.revoke_button}
        layout = QVBoxLayout(self)
        layout.addWidget(heading(_("Referrals")))
        layout.addWidget(self.show_closed)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.notice)
        layout.addWidget(flow(self.send_button, self.accept_button, self.decline_button,
                              self.complete_button, self.revoke_button, self.open_button))
        self.view.activated.connect(lambda _i: self.open_selected())
        self.view.selectionModel().selectionChanged.connect(lambda *_a: self._selection())
        tab_order(self.show_closed, self.view, *self._moves.values(), self.open_button)
        self.refresh()

    def today(self) -> dt.date:
        return self._today or dt.date.today()

    # -- the list --------------------------------------------------------------------
    def refresh(self, select: str | None = None) -> None:
        self.model.today = self.today()
        try:
            rows = self._services.referrals.list_visible(
                open_only=not self.show_closed.isChecked())
        except ShelterError as exc:
            rows = []
            self.error.show_message(exc.message)
        self.model.set_rows(rows)
        late = sum(1 for r in rows if self.model.follow_up_overdue(r))
        text = ngettext("{n} referral", "{n} referrals", len(rows)).format(n=len(rows))
        if late:
            text = " ".join((text, ngettext("({n} follow-up overdue)",
                                            "({n} follow-ups overdue)", late).format(n=late)))
        self.summary.setText(text)
        self.summary.setAccessibleName(text)
        if select is not None:
            self.select(select)
        self._update_buttons()

    def select(self, referral_id: str) -> None:
        for row in range(self.proxy.rowCount()):
            found = self.model.row_at(self.proxy.index(row, 0))
            if found is not None and found.referral.id == referral_id:
                select_row(self.view, row)
                return

    def selected(self) -> VisibleReferral | None:
        row = selected_row(self.view)
        return row if isinstance(row, VisibleReferral) else None

    def _selection(self) -> None:
        self.error.clear_message()
        self.notice.clear_message()
        self._update_buttons()

    def _update_buttons(self) -> None:
        chosen = self.selected()
        allowed = TRANSITIONS[chosen.referral.status] if chosen else set()
        for status, widget in self._moves.items():
            widget.setEnabled(status in allowed)
        self.open_button.setEnabled(chosen is not None)

    # -- moving a referral along -----------------------------------------------------
    def move_to(self, status: str, *, reason: str = "", outcome: str = "") -> bool:
        chosen = self.selected()
        if chosen is None:
            return False
        self.error.clear_message()
        self.notice.clear_message()
        try:
            self._services.referrals.move(chosen.referral.id, status, reason=reason,
                                          outcome=outcome, on=self.today())
        except ConsentMissing as exc:
            self.error.show_message(" ".join((exc.message, _(
                "Open the case and record the consent, then send again."))))
            self.open_button.setFocus()
            return False
        except ShelterError as exc:
            self.error.show_message(exc.message)
            return False
        self.refresh(select=chosen.referral.id)
        self.notice.show_message(fill(_("Referral for {code} to {partner}: {status}."),
            code=chosen.case_code, partner=chosen.partner_name,
            status=vocab.REFERRAL_STATUS.label(status)))
        return True

    def _raise_if_refused(self, status: str, *, reason: str = "", outcome: str = "") -> None:
        if not self.move_to(status, reason=reason, outcome=outcome):
            raise ShelterError(self.error.text())

    def decline(self) -> TextStepDialog | None:
        if self.selected() is None:
            return None
        return self._open(decline_dialog(
            lambda reason: self._raise_if_refused("declined", reason=reason), self))

    def complete(self) -> TextStepDialog | None:
        if self.selected() is None:
            return None
        return self._open(complete_dialog(
            lambda outcome: self._raise_if_refused("completed", outcome=outcome), self))

    def revoke(self) -> QMessageBox | None:
        chosen = self.selected()
        if chosen is None:
            return None
        box = QMessageBox(QMessageBox.Icon.Warning, _("Revoke referral"), fill(_(
            "Revoke the referral of {code} to {partner}? The partner should no longer act "
            "on it; tell them through their secure contact. This cannot be undone."),
                code=chosen.case_code, partner=chosen.partner_name),
            QMessageBox.StandardButton.Cancel, self)
        confirm = box.addButton(_("&Revoke referral"), QMessageBox.ButtonRole.DestructiveRole)
        named(confirm, _("Revoke referral"))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        named(box, _("Revoke referral"))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda b: self.move_to("revoked") if b is confirm else None)
        box.open()
        return box

    def _open(self, dialog: TextStepDialog) -> TextStepDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def open_selected(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            self.open_case.emit(chosen.referral.case_id)

    def end_session(self) -> None:
        for child in self.findChildren(TextStepDialog) + self.findChildren(QMessageBox):
            child.hide()
            child.deleteLater()
        self.model.clear()
        self.summary.clear()
        self.error.clear_message()
        self.notice.clear_message()
