"""The Consent tab, and the consent form the intake's last page uses too.

A consent names what may be shared (sections), with whom (a partner, or any referral),
why, who gave it and how, when, and until when.  ``ConsentService.record`` checks it all;
its refusals are shown beside the field they name.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shelter_app.domain import vocab
from shelter_app.domain.roles import Action, Scope
from shelter_app.errors import ShelterError, ValidationError
from shelter_app.i18n import _
from shelter_app.i18n.formatting import fill
from shelter_app.services.registry import Services

from ...background import Background
from ...widgets import named
from .. import form as f
from ..pickers import language_options
from .base import ListTab, day_text

ANY_REFERRAL = "*any*"  # "With whom": any partner, chosen on purpose (a blank is no choice)


def partner_choices(services: Services) -> list[tuple[str, str]]:
    """The partners a new consent, referral or service may name: the active ones."""
    try:
        return [(p.id, p.name) for p in services.partners.list()]
    except ShelterError:
        return []


def partner_names(services: Services) -> dict[str, str]:
    """Every partner's name by id, for records made before a partner was deactivated."""
    try:
        return {p.id: p.label for p in services.partners.list(include_inactive=True)}
    except ShelterError:
        return {}


class ConsentForm(QWidget):
    """The fields of one consent; ``arguments()`` gives ``ConsentService.record``'s."""

    def __init__(self, services: Services, form: f.Form, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = form
        layout = QFormLayout(self)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.add(layout, f.multi("sections", _("What may be &shared:"), vocab.SECTIONS))
        form.add(layout, f.options("partner_id", _("&With whom:"),
                                   [(ANY_REFERRAL, _("Any referral (any partner)")),
                                    *partner_choices(services)], required=True))
        form.add(layout, f.line("purpose", _("&Purpose:"), max_length=500))
        form.add(layout, f.choice("given_by", _("&Given by:"), vocab.CONSENT_GIVEN_BY,
                                  required=True))
        form.add(layout, f.line("guardian_name", _("Guardian's na&me:")))
        form.add(layout, f.choice("method", _("&How:"), vocab.CONSENT_METHOD, required=True))
        form.add(layout, f.flag("interpreter_used", _("An &interpreter was used")))
        form.add(layout, f.code("interpreter_language", _("Interpreter's &language:"),
                                language_options()))
        form.add(layout, f.day("given_on", _("Given o&n:")))
        form.add(layout, f.date("expires_on", _("E&xpires on (optional):")))
        self.form["given_by"].changed.connect(self._given_by_changed)
        self.form["interpreter_used"].changed.connect(self._given_by_changed)
        self._given_by_changed()

    def _given_by_changed(self) -> None:
        guardian = self.form["given_by"].get() == "guardian"
        self.form["guardian_name"].widget.setEnabled(guardian)
        self.form["interpreter_language"].widget.setEnabled(bool(self.form["interpreter_used"]
                                                                 .get()))

    def arguments(self) -> dict[str, Any]:
        for name, problem in self.form.problems().items():  # a date that cannot be read
            raise ValidationError(problem, name)
        v = self.form.values()
        partner = v["partner_id"] if v["partner_id"] != ANY_REFERRAL else ""
        return {"sections": v["sections"], "purpose": v["purpose"], "given_by": v["given_by"],
                "method": v["method"], "given_on": v["given_on"], "partner_id": partner or None,
                "any_referral": v["partner_id"] == ANY_REFERRAL,
                "expires_on": v["expires_on"] or None,
                "interpreter_used": bool(v["interpreter_used"]),
                "interpreter_language": v["interpreter_language"] or None,
                "guardian_name": v["guardian_name"] if v["given_by"] == "guardian" else ""}


def consent_state(consent: Any, today: dt.date) -> str:
    if consent.withdrawn_on is not None and consent.withdrawn_on <= today:
        return _("Withdrawn")
    if consent.expires_on is not None and consent.expires_on < today:
        return _("Expired")
    return _("Active") if consent.given_on <= today else _("Not yet in force")


def reporting_field() -> f.Field:
    """Whether the survivor may be counted in anonymised statistics: "not asked yet" first
    (a form never guesses an answer), then yes and no."""
    choices = vocab.REPORTING_CONSENT.choices()
    return f.options("reporting_consent", _("Co&unted in anonymised statistics:"),
                     sorted(choices, key=lambda c: c[0] != "not_asked"))


class ConsentTab(ListTab):

    draft_kind = "consent_form"
    def __init__(self, services: Services, background: Background, case_id: str,
                 scope: Scope, parent: QWidget | None = None) -> None:
        super().__init__(services, background, case_id,
                         [_("State"), _("Sections"), _("With whom"), _("Purpose"),
                          _("Given by"), _("Given on"), _("Expires")], _("Consents"), parent)
        self._partners = partner_names(services)
        self._reporting_box(services.ctx.allowed(Action.MANAGE_CONSENT, scope))
        if services.ctx.allowed(Action.MANAGE_CONSENT, scope):
            self.withdraw_button = QPushButton(_("&Withdraw selected consent"))
            named(self.withdraw_button, _("Withdraw selected consent"),
                  _("Record that the survivor withdrew the selected consent today"))
            self.withdraw_button.clicked.connect(self.withdraw)
            self.layout_.insertWidget(1, self.withdraw_button)
            box = self.group(_("Record a consent"))
            inner = QVBoxLayout(box)
            self.consent_form = ConsentForm(services, self.form)
            inner.addWidget(self.consent_form)
            self.record_button = QPushButton(_("&Record consent"))
            named(self.record_button, _("Record consent"))
            self.record_button.clicked.connect(self.record)
            self.submit = self.record
            inner.addWidget(self.record_button)
        self.refresh()

    def _reporting_box(self, may_change: bool) -> None:
        """Above the list: her answer about anonymised statistics, and a button to record a
        new one (the statistics count only those who said yes)."""
        box = QGroupBox(_("Anonymised statistics"))
        self.layout_.insertWidget(0, box)
        layout = QFormLayout(box)
        self.reporting = f.Form(self)
        self.reporting.add(layout, reporting_field())
        self.reporting_state = QLabel()
        self.reporting_state.setWordWrap(True)
        layout.addRow(self.reporting_state)
        self.reporting.set_read_only(not may_change)
        if may_change:
            self.reporting_button = QPushButton(_("Record this &answer"))
            named(self.reporting_button, _("Record this answer"),
                  _("Record whether the survivor may be counted in anonymised statistics"))
            self.reporting_button.clicked.connect(self.record_reporting)
            layout.addRow(self.reporting_button)

    def _show_reporting(self) -> None:
        answer = self.services.consent.reporting(self.case_id)
        self.reporting.load({"reporting_consent": answer.answer})
        self.reporting_state.setText(
            _("Not asked yet: this case is not counted in the statistics.")
            if answer.answered_on is None else
            fill(_("Answered on {day}."), day=day_text(answer.answered_on)))

    def record_reporting(self) -> None:
        answer = self.reporting.values()["reporting_consent"]
        self.attempt(lambda: self.services.consent.set_reporting(self.case_id, answer),
                     _("The answer about anonymised statistics was recorded."))

    def refresh(self) -> None:
        self._show_reporting()
        today = dt.date.today()
        rows = []
        for c in self.services.consent.list(self.case_id):
            recipient = _("Any referral") if c.any_referral else \
                self._partners.get(c.partner_id or "", _("A partner"))
            rows.append((c.id, [consent_state(c, today),
                                ", ".join(vocab.SECTIONS.label(s) for s in c.sections),
                                recipient, c.purpose, vocab.CONSENT_GIVEN_BY.label(c.given_by),
                                day_text(c.given_on), day_text(c.expires_on)]))
        self.fill(rows)

    def record(self) -> None:
        if self.attempt(lambda: self.services.consent.record(
                self.case_id, **self.consent_form.arguments()), _("The consent was recorded.")):
            self.form.load({"sections": [], "purpose": "", "expires_on": ""})
            self.mark_clean()

    def withdraw(self) -> None:
        consent_id = self.selected_id()
        if consent_id is None:
            self.message.show_message(_("Choose the consent to withdraw in the list first."))
            return
        self.attempt(lambda: self.services.consent.withdraw(consent_id),
                     _("The consent was withdrawn."))
