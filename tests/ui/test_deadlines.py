"""The Deadlines page: overdue first and said in words, the 7/30/90-day window, scope,
and opening the case."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from tests.ui.org_pages import Org, days, org_fixture, texts, unnamed  # noqa: F401 - the org fixture
from ui.deadlines import DeadlinesModel, DeadlinesPage, may_see_deadlines

TODAY = dt.date.today()


@pytest.fixture
def setup(org: Org) -> dict[str, str]:
    case = org.new_case("Dana Deadline")
    hidden = org.new_case("Hidden Deadline", by=org.other_caseworker, share=False)
    org.legal.legal.open(case.id, "residence_permit", dates={
        "filing_due": days(-3), "permit_expiry": days(20), "reflection_end": days(60),
        "reflection_start": days(-30)})
    org.coordinator.legal.open(hidden.id, "asylum", dates={"filing_due": days(1)})
    clinic = org.partner()
    org.caseworker.consent.record(case.id, sections=["identity"], purpose="Referral",
                                  given_by="survivor", method="written", given_on=TODAY,
                                  partner_id=clinic)
    referral = org.caseworker.referrals.create(case.id, clinic, follow_up_due=days(5))
    org.caseworker.referrals.move(referral.id, "sent")
    return {"case": case.id, "code": case.code, "hidden": hidden.code}


def test_overdue_first_in_words_and_the_window(qtbot, qtmodeltester, org: Org, setup):
    page = DeadlinesPage(org.caseworker, today=TODAY)
    qtbot.addWidget(page)
    qtmodeltester.check(page.model)
    rows = texts(page.model)
    assert [r[DeadlinesModel.WHEN] for r in rows] == [
        "Overdue by 3 days", "Due in 5 days", "Due in 20 days"]
    assert [r[DeadlinesModel.WHAT] for r in rows] == [
        "Filing due", "Referral follow-up due", "Permit expires"]
    assert {r[DeadlinesModel.CASE] for r in rows} == {setup["code"]}
    assert not any("Dana" in cell for row in rows for cell in row)
    overdue = page.model.index(0, DeadlinesModel.WHEN)
    assert overdue.data(Qt.ItemDataRole.FontRole).bold()
    assert overdue.data(Qt.ItemDataRole.DecorationRole) is not None, "an icon, not colour alone"
    later = page.model.index(2, DeadlinesModel.WHEN)
    assert later.data(Qt.ItemDataRole.FontRole) is None
    assert later.data(Qt.ItemDataRole.DecorationRole) is None
    assert page.summary.text() == "1 overdue. 2 due in the next 30 days."

    page.set_window(7)
    assert [r[DeadlinesModel.WHEN] for r in texts(page.model)] == [
        "Overdue by 3 days", "Due in 5 days"]
    page.set_window(90)
    assert page.model.rowCount() == 4
    assert texts(page.model)[-1][DeadlinesModel.WHAT] == "Reflection period ends"
    qtmodeltester.check(page.model)


def test_each_role_sees_its_own_cases(qtbot, org: Org, setup):
    legal = DeadlinesPage(org.legal, today=TODAY)
    qtbot.addWidget(legal)
    # legal volunteers: the legal deadlines of shared cases, not referral follow-ups
    assert [r[DeadlinesModel.WHAT] for r in texts(legal.model)] == ["Filing due",
                                                                    "Permit expires"]
    coordinator = DeadlinesPage(org.coordinator, today=TODAY)
    qtbot.addWidget(coordinator)
    assert setup["hidden"] in {r[DeadlinesModel.CASE] for r in texts(coordinator.model)}
    other = DeadlinesPage(org.other_legal, today=TODAY)
    qtbot.addWidget(other)
    assert other.model.rowCount() == 0
    assert other.summary.text() == "Nothing overdue and nothing due in the next 30 days."
    assert may_see_deadlines(org.legal) and may_see_deadlines(org.caseworker)
    assert not may_see_deadlines(org.admin)


def test_open_case_and_end_of_session(qtbot, org: Org, setup):
    page = DeadlinesPage(org.caseworker, today=TODAY)
    qtbot.addWidget(page)
    assert not page.open_button.isEnabled()
    page.view.selectRow(0)
    assert page.open_button.isEnabled()
    with qtbot.waitSignal(page.open_case) as opened:
        page.open_button.click()
    # at the tab where the deadline is met, its record selected (the matter's filing)
    assert opened.args[:2] == [setup["case"], "legal"]
    matters = org.caseworker.legal.list(setup["case"])
    assert opened.args[2] == matters[0].id
    assert unnamed(page) == []
    page.end_session()
    assert page.model.rowCount() == 0 and page.summary.text() == ""
