"""The Compensation tab: the survivor's compensation and restitution claims.

The table lists each claim — its route, whom it is against, its status, the amounts
claimed, awarded and received so far (in the claim's currency, written as the interface
language writes money), and the filing deadline, which stands on the Deadlines page and in
My day while the claim is being prepared.  Under the table, a payment received on the
selected claim is recorded; below, those who may change legal matters record a claim or
change it in place (``row_edit``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from babel.numbers import format_currency
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from shelter_app.domain import vocab
from shelter_app.domain.history import isolate
from shelter_app.domain.roles import Action, Scope
from shelter_app.errors import ShelterError
from shelter_app.i18n import N_, _
from shelter_app.i18n.formatting import locale_for
from shelter_app.services.claims import Claim
from shelter_app.services.registry import Services

from ...background import Background
from ...widgets import named
from .. import form as f
from .base import ListTab, day_text
from .row_edit import Loaded, RowEditor

FIELDS = ("route", "against", "status", "currency", "claimed", "awarded", "filing_due", "notes")


def money(text: str, currency: str) -> str:
    """*text* (decimal text) as the interface language writes an amount of *currency*."""
    if not text:
        return ""
    try:
        return str(format_currency(Decimal(text), currency, locale=locale_for()))
    except (ValueError, ArithmeticError):  # the pseudo-locale
        return f"{text} {currency}"


def _arguments(values: dict[str, Any]) -> dict[str, Any]:
    return {"route": values["route"], "against": values["against"],
            "status": values["status"], "currency": values["currency"],
            "claimed": values["claimed"], "awarded": values["awarded"],
            "filing_due": values["filing_due"] or None, "notes": values["notes"]}


class ClaimsTab(ListTab):

    def __init__(self, services: Services, background: Background, case_id: str,
                 scope: Scope, parent: QWidget | None = None) -> None:
        super().__init__(services, background, case_id,
                         [_("Route"), _("Against"), _("Status"), _("Claimed"), _("Awarded"),
                          _("Received"), _("Filing due")], _("Compensation claims"), parent)
        self.editor: ClaimEditor | None = None
        if services.ctx.allowed(Action.EDIT_LEGAL, scope):
            row = QHBoxLayout()
            self.paid = QLineEdit()
            self.paid.setPlaceholderText(_("amount, for example 1250.50"))
            named(self.paid, _("Amount received"))
            self.paid_on = f.date("paid_on", _("Rece&ived on:"), required=True)
            self.paid_on.put(dt.date.today().isoformat())
            self.pay_button = QPushButton(_("Record a &payment on the selected claim"))
            named(self.pay_button, _("Record a payment on the selected claim"))
            self.pay_button.clicked.connect(self.add_payment)
            label = QLabel(self.paid_on.label)
            label.setBuddy(self.paid_on.focus)
            amount_label = QLabel(_("A&mount:"))
            amount_label.setBuddy(self.paid)
            for widget in (amount_label, self.paid, label, self.paid_on.widget,
                           self.pay_button):
                row.addWidget(widget, 1 if widget is self.paid else 0)
            self.layout_.insertLayout(self.layout_.indexOf(self.table) + 1, row)
            box = self.group(_("Record a compensation claim"))
            layout = QFormLayout(box)
            layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            add = self.form.add
            add(layout, f.choice("route", _("&Route:"), vocab.CLAIM_ROUTE, required=True))
            add(layout, f.line("against", _("A&gainst:"), max_length=200))
            add(layout, f.choice("status", _("S&tatus:"), vocab.CLAIM_STATUS, required=True))
            add(layout, f.line("currency", _("C&urrency:"), max_length=3,
                               placeholder=_("EUR, GBP, USD…")))
            add(layout, f.line("claimed", _("Amount c&laimed:"), max_length=20))
            add(layout, f.line("awarded", _("Amount a&warded:"), max_length=20))
            add(layout, f.date("filing_due", _("F&iling due:")))
            add(layout, f.note("notes", _("&Notes:"), rows=2))
            self.form["status"].put("preparing")
            self.open_button = QPushButton(_("Record the &claim"))
            named(self.open_button, _("Record the claim"))
            self.open_button.clicked.connect(self.open_claim)
            self.submit = self.open_claim
            layout.addRow("", self.open_button)
            self.editor = ClaimEditor(self, layout, self.open_button, box)
        self.refresh()

    def refresh(self) -> None:
        try:
            found = self.services.claims.list(self.case_id)
        except ShelterError as exc:
            self.fill([])
            self.message.show_message(exc.message)
            return
        self.fill_keeping([(c.id, self._cells(c)) for c in found])

    @staticmethod
    def _cells(c: Claim) -> list[str]:
        return [vocab.CLAIM_ROUTE.label(c.route), c.against, vocab.CLAIM_STATUS.label(c.status),
                money(c.claimed, c.currency), money(c.awarded, c.currency),
                money(c.received, c.currency) if c.payments else "",
                day_text(c.filing_due)]

    def open_claim(self) -> None:
        values = self.form.values()
        if self.attempt(lambda: self.services.claims.open(self.case_id, **_arguments(values)),
                        _("The claim was recorded.")):
            self.form.put({k: "" for k in FIELDS} | {"status": "preparing"})
            self.mark_clean()

    def add_payment(self) -> None:
        claim_id = self.selected_id()
        if claim_id is None:
            self.message.show_message(_("Select the claim the payment is for first."))
            self.table.setFocus()
            return
        problem = self.paid_on.check() if self.paid_on.check else ""
        if problem:
            self.message.show_message(problem)
            return
        paid, on = self.paid.text(), self.paid_on.get()
        self.message.clear_message()
        self.done.clear_message()
        try:  # not through attempt: the claim form below has nothing to do with it
            claim = self.services.claims.add_payment(claim_id, on=on, paid=paid)
        except ShelterError as exc:
            self.message.show_message(exc.message)
            return
        self.refresh()
        if claim:
            self.paid.clear()
            self.done.show_message(_("Payment recorded: {amount} received so far.").format(
                amount=isolate(money(claim.received, claim.currency))))

    def forget(self) -> None:
        if self.editor is not None:
            self.editor.forget()
        super().forget()


class ClaimEditor(RowEditor):
    edit_text = N_("E&dit selected claim")
    edit_tip = N_("Load the selected claim into the form to change its status, amounts or "
                  "anything else (or double-click the row, or press Enter on it)")
    editing_title = N_("Change a compensation claim")
    select_first = N_("Select the claim to change first.")
    saved = N_("The claim was changed.")

    def load(self, row_id: str) -> Loaded:
        c = self.tab.services.claims.get(row_id)
        values = {"route": c.route, "against": c.against, "status": c.status,
                  "currency": c.currency, "claimed": c.claimed, "awarded": c.awarded,
                  "filing_due": c.filing_due.isoformat() if c.filing_due else "",
                  "notes": c.notes}
        return Loaded(c.id, c.row_version, values, _(
            "Changing the claim by the route “{route}”. Save changes or cancel.").format(
                route=isolate(vocab.CLAIM_ROUTE.label(c.route))), "status")

    def store(self, row: Loaded, values: dict[str, Any]) -> object:
        return self.tab.services.claims.update(row.row_id, version=row.version,
                                               **_arguments(values))
