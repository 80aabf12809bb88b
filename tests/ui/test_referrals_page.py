"""The Referrals page: the cross-case list, consent-checked sending, and each move."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tests.bidi import plain
from tests.ui.org_pages import Org, days, org_fixture, texts, unnamed  # noqa: F401 - the org fixture
from ui.referrals_page import ReferralsModel, ReferralsPage, may_see_referrals

TODAY = dt.date.today()


@pytest.fixture
def setup(org: Org) -> dict[str, str]:
    case = org.new_case("Rita Referral")
    clinic, legal_aid = org.partner("Riverside Clinic"), org.partner("Harbour Legal")
    draft = org.caseworker.referrals.create(case.id, clinic, priority="urgent")
    other = org.caseworker.referrals.create(case.id, legal_aid, follow_up_due=days(-2))
    org.caseworker.consent.record(case.id, sections=["identity"], purpose="Legal advice",
                                  given_by="survivor", method="written", given_on=TODAY,
                                  partner_id=legal_aid)
    org.caseworker.referrals.move(other.id, "sent")
    return {"case": case.id, "code": case.code, "draft": draft.id, "sent": other.id}


@pytest.fixture
def page(qtbot, org: Org, setup) -> ReferralsPage:
    widget = ReferralsPage(org.caseworker, today=TODAY)
    qtbot.addWidget(widget)
    widget.resize(1000, 600)
    widget.show()
    return widget


def test_list_shows_codes_partners_and_overdue_follow_ups(qtmodeltester, org: Org, setup,
                                                          page):
    qtmodeltester.check(page.model)
    qtmodeltester.check(page.proxy)
    rows = texts(page.model)
    assert [(r[ReferralsModel.CASE], r[ReferralsModel.PARTNER], r[ReferralsModel.STATUS])
            for r in rows] == [(setup["code"], "Harbour Legal", "Sent"),
                               (setup["code"], "Riverside Clinic", "Draft")]
    assert rows[0][ReferralsModel.FOLLOW_UP].endswith("(overdue)")
    assert rows[1][ReferralsModel.PRIORITY] == "Urgent (72 hours)"
    assert not any("Rita" in cell for row in rows for cell in row)
    assert page.summary.text() == "2 referrals (1 follow-up overdue)"
    assert unnamed(page) == []


def test_sending_without_consent_says_what_is_missing(qtbot, org: Org, setup, page):
    page.select(setup["draft"])
    assert page.send_button.isEnabled() and not page.accept_button.isEnabled()
    page.send_button.click()
    message = plain(page.error.text())
    assert page.error.isVisible()
    assert "no active consent to share anything with Riverside Clinic" in message
    assert "record the consent" in message
    assert org.caseworker.referrals.get(setup["draft"]).status == "draft"
    with qtbot.waitSignal(page.open_case) as opened:
        page.open_button.click()
    assert opened.args == [setup["case"]]

    org.caseworker.consent.record(setup["case"], sections=["identity"], purpose="Health",
                                  given_by="survivor", method="verbal", given_on=TODAY,
                                  any_referral=True)
    page.send_button.click()
    assert not page.error.isVisible()
    assert org.caseworker.referrals.get(setup["draft"]).status == "sent"
    assert "Sent" in page.notice.text() and setup["code"] in plain(page.notice.text())
    assert page.selected().referral.id == setup["draft"], "the row stays selected"


def test_accept_then_complete_with_outcome(qtbot, org: Org, setup, page):
    page.select(setup["sent"])
    page.accept_button.click()
    assert org.caseworker.referrals.get(setup["sent"]).status == "accepted"
    assert page.complete_button.isEnabled() and not page.send_button.isEnabled()
    dialog = page.complete()
    qtbot.addWidget(dialog)
    dialog.text.setPlainText("Advice given; appeal filed.")
    dialog.ok_button.click()
    done = org.caseworker.referrals.get(setup["sent"])
    assert (done.status, done.outcome) == ("completed", "Advice given; appeal filed.")
    assert page.model.rowCount() == 1, "closed referrals leave the open list"
    page.show_closed.setChecked(True)
    assert page.model.rowCount() == 2


def test_declining_needs_the_partners_reason(qtbot, org: Org, setup, page):
    page.select(setup["sent"])
    dialog = page.decline()
    qtbot.addWidget(dialog)
    dialog.ok_button.click()
    assert dialog.isVisible() and dialog.message.text() == "This field is required."
    assert org.caseworker.referrals.get(setup["sent"]).status == "sent"
    dialog.text.setPlainText("No capacity this month")
    dialog.ok_button.click()
    assert not dialog.isVisible()
    declined = org.caseworker.referrals.get(setup["sent"])
    assert (declined.status, declined.declined_reason) == ("declined", "No capacity this month")


def test_revoking_asks_first(qtbot, org: Org, setup, page):
    page.select(setup["draft"])
    box = page.revoke()
    assert isinstance(box, QMessageBox) and box.parent() is page
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert org.caseworker.referrals.get(setup["draft"]).status == "draft"
    page.select(setup["draft"])
    box = page.revoke()
    confirm = next(b for b in box.buttons() if b.text() == "&Revoke referral")
    confirm.click()
    assert org.caseworker.referrals.get(setup["draft"]).status == "revoked"


def test_scope_visibility_and_end_of_session(qtbot, org: Org, setup, page):
    other = ReferralsPage(org.other_caseworker, today=TODAY)
    qtbot.addWidget(other)
    assert other.model.rowCount() == 0
    assert may_see_referrals(org.coordinator) and may_see_referrals(org.caseworker)
    assert not may_see_referrals(org.legal) and not may_see_referrals(org.admin)
    page.select(setup["sent"])
    page.decline()
    page.end_session()
    assert page.model.rowCount() == 0
    assert not any(w.isVisible() for w in page.findChildren(QMessageBox))
    assert page.proxy.rowCount() == 0 and page.view.model().rowCount() == 0
    assert page.model.index(0, 0).data(Qt.ItemDataRole.DisplayRole) is None
