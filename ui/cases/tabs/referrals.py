"""The Referrals tab: this case's referrals to partners, a new referral, and its progress.

Sending a referral is where consent is checked (``ReferralService.move(..., "sent")``): a
missing consent is refused with the core's message naming the partner and the sections.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLineEdit, QPushButton, QWidget

from shelter_app.domain import vocab
from shelter_app.domain.roles import Scope
from shelter_app.errors import ShelterError
from shelter_app.i18n import _
from shelter_app.services.registry import Services

from ...background import Background
from ...widgets import named
from .. import form as f
from .base import ListTab, day_text
from .consent import partner_choices, partner_names


def catalogue_vocabulary(services: Services) -> vocab.Vocabulary:
    try:
        types = services.care.catalogue()
    except ShelterError:
        types = []
    return vocab.Vocabulary("services", "", [vocab.Term(t.code, t.label) for t in types])


class ReferralsTab(ListTab):

    draft_kind = "referral_form"
    def __init__(self, services: Services, background: Background, case_id: str,
                 scope: Scope, parent: QWidget | None = None) -> None:
        super().__init__(services, background, case_id,
                         [_("Partner"), _("Priority"), _("Services"), _("Status"),
                          _("Sent on"), _("Follow up by")], _("Referrals"), parent)
        self._partners = partner_names(services)
        self._catalogue = catalogue_vocabulary(services)
        self.status = f.options("move_status", _("Status"),
                                vocab.REFERRAL_STATUS.choices()[1:])
        self.form.fields["move_status"] = self.status
        self.note = QLineEdit()
        self.note.setPlaceholderText(_("Reason (declined) or outcome (completed)"))
        named(self.note, _("Reason or outcome"))
        self.move_button = QPushButton(_("Set s&tatus of selected referral"))
        named(self.move_button, _("Set status of selected referral"),
              _("Sending checks that the survivor's consent covers this partner"))
        self.move_button.clicked.connect(self.move)
        row = QHBoxLayout()
        row.addWidget(self.status.widget)
        row.addWidget(self.note, 1)
        row.addWidget(self.move_button)
        self.layout_.insertLayout(1, row)
        self.layout_.insertWidget(2, self.status.message)

        box = self.group(_("New referral"))
        layout = QFormLayout(box)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.add(layout, f.options("partner_id", _("&Partner:"),
                                        partner_choices(services), required=True))
        self.form.add(layout, f.choice("priority", _("P&riority:"), vocab.PRIORITY,
                                       required=True))
        self.form.add(layout, f.multi("services", _("Ser&vices asked for:"), self._catalogue))
        self.form.add(layout, f.note("reason", _("Reas&on:"), rows=3))
        self.form.add(layout, f.date("follow_up_due", _("&Follow up by (optional):")))
        self.create_button = QPushButton(_("&Create referral"))
        named(self.create_button, _("Create referral"), _("Saved as a draft until it is sent"))
        self.create_button.clicked.connect(self.create)
        self.submit = self.create
        layout.addRow("", self.create_button)
        self.refresh()

    def refresh(self) -> None:
        rows = []
        for r in self.services.referrals.list(self.case_id):
            rows.append((r.id, [self._partners.get(r.partner_id, _("A partner")),
                                vocab.PRIORITY.label(r.priority),
                                ", ".join(self._catalogue.label(s) for s in r.services),
                                vocab.REFERRAL_STATUS.label(r.status), day_text(r.sent_on),
                                day_text(r.follow_up_due)]))
        self.fill(rows)

    def create(self) -> None:
        v = self.form.values()
        if self.attempt(lambda: self.services.referrals.create(
                self.case_id, v["partner_id"], priority=v["priority"], services=v["services"],
                reason=v["reason"], follow_up_due=v["follow_up_due"] or None),
                _("The referral was saved as a draft. Send it when it is ready.")):
            self.form.put({"services": [], "reason": "", "follow_up_due": ""})
            self.mark_clean()

    def move(self) -> None:
        referral_id = self.selected_id()
        if referral_id is None:
            self.message.show_message(_("Choose a referral in the list first."))
            return
        status, note = self.status.get(), self.note.text()
        if self.attempt(lambda: self.services.referrals.move(
                referral_id, status, reason=note, outcome=note),
                _("The referral is now: {status}.").format(
                    status=vocab.REFERRAL_STATUS.label(status)), prefix="move_"):
            self.note.clear()
