"""The intake: steps, inline messages, the duplicate warning first, consent, drafts, keys."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QMessageBox
from shiboken6 import isValid

from shelter_app.i18n.formatting import language_name
from ui.background import Background
from ui.cases.intake import IntakeDialog

from .case_helpers import CANARY, drop_widgets, keep, session, staffed_vault, unnamed_controls
from .conftest import WAIT_MS


@pytest.fixture
def desk(vault_dir):
    """A coordinator's services, a Background, and one existing case (the canary)."""
    ids = staffed_vault(vault_dir)
    background = Background()
    with session(vault_dir, "coordinator") as services:
        from shelter_app.domain.records import CaseInput, SurvivorInput

        existing = services.cases.create(
            SurvivorInput(legal_name=CANARY, birth_date="1990-05-01", citizenship=["NG"]),
            CaseInput(assigned_to=ids["caseworker"]))
        partner = services.partners.add("Riverside Clinic (fictional)", "health").id
        yield services, background, existing, partner
        background.wait()
        drop_widgets()


def open_intake(qtbot, services, background) -> IntakeDialog:
    dialog = keep(IntakeDialog(services, background))
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def cases(services) -> int:
    return len(services.search.list_ids())


def press(qtbot, dialog: IntakeDialog, button) -> None:
    """Click *button* and wait for the duplicate check it may start."""
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not isValid(dialog) or not dialog.busy.isVisibleTo(dialog),
                    timeout=WAIT_MS)


def press_next(qtbot, dialog: IntakeDialog) -> None:
    press(qtbot, dialog, dialog.next_button)


def test_a_problem_is_shown_beside_its_field_and_the_step_stays(qtbot, desk):
    services, background, _existing, _partner = desk
    dialog = open_intake(qtbot, services, background)
    press_next(qtbot, dialog)  # nothing typed: the legal name is required
    assert dialog.current == 0
    message = dialog.form["legal_name"].message
    assert message.isVisibleTo(dialog) and message.text() == "This field is required."
    assert dialog.form["legal_name"].focus.hasFocus() or not dialog.isActiveWindow()

    qtbot.keyClicks(dialog.form["legal_name"].focus, "Mira Test")
    assert not message.isVisibleTo(dialog)  # typing clears it
    dialog.form["birth_date"].put("31/12/1990")  # day first, where dates are month first
    press_next(qtbot, dialog)
    assert dialog.current == 0
    assert "month/day/year" in dialog.form["birth_date"].message.text()
    dialog.form["birth_date"].put("1990-12-31")
    dialog.form["interpreter_needed"].put(True)
    press_next(qtbot, dialog)
    assert "interpreter" in dialog.form["interpreter_language"].message.text()
    dialog.form["interpreter_needed"].put(False)
    press_next(qtbot, dialog)
    assert dialog.current == 1
    # A problem on an earlier step, found later, brings that step back.
    dialog.form["estimated_age"].put("two hundred")
    press_next(qtbot, dialog)
    assert dialog.current == 0
    assert "whole years" in dialog.form["estimated_age"].message.text()
    assert cases(services) == 1


def test_possible_duplicates_are_shown_with_reasons_before_anything_is_created(qtbot, desk):
    services, background, existing, _partner = desk
    dialog = open_intake(qtbot, services, background)
    opened: list[str] = []
    dialog.open_requested.connect(opened.append)
    dialog.form["legal_name"].put("Zenobia Quilfeather")  # one letter different
    dialog.form["birth_date"].put("1990-05-01")
    press_next(qtbot, dialog)
    panel = dialog.duplicates
    assert dialog.current == 0 and panel.isVisibleTo(dialog)
    text = panel.matches.item(0).text()
    assert existing.code in text and "Same date of birth" in text
    assert cases(services) == 1  # nothing created
    qtbot.mouseClick(panel.continue_button, Qt.MouseButton.LeftButton)
    assert dialog.current == 1 and not panel.isVisibleTo(dialog)
    # Back and Next again with the same names: not asked twice.
    qtbot.mouseClick(dialog.back_button, Qt.MouseButton.LeftButton)
    press_next(qtbot, dialog)
    assert dialog.current == 1
    # Changing the name asks again; this time the person opens the match.
    dialog.show_step(0)
    dialog.form["legal_name"].put(CANARY)
    press_next(qtbot, dialog)
    assert panel.isVisibleTo(dialog)
    qtbot.mouseClick(panel.open_button, Qt.MouseButton.LeftButton)
    assert opened == [existing.id] and dialog.result() == QDialog.DialogCode.Rejected
    assert cases(services) == 1


def test_a_colleague_s_case_is_mentioned_without_its_details(qtbot, vault_dir):
    """A caseworker who cannot open the existing case is told to ask a coordinator; the
    panel shows no code, name or reason of that case, and she can still go on."""
    staffed_vault(vault_dir)
    with session(vault_dir, "coordinator") as coordinator:
        from shelter_app.domain.records import CaseInput, SurvivorInput

        hidden = coordinator.cases.create(
            SurvivorInput(legal_name=CANARY, birth_date="1990-05-01"), CaseInput())
    background = Background()
    with session(vault_dir, "caseworker") as services:
        dialog = open_intake(qtbot, services, background)
        dialog.form["legal_name"].put(CANARY)
        dialog.form["birth_date"].put("1990-05-01")
        press_next(qtbot, dialog)
        panel = dialog.duplicates
        assert dialog.current == 0 and panel.isVisibleTo(dialog)
        assert panel.elsewhere.isVisibleTo(dialog)
        assert "Ask a coordinator" in panel.elsewhere.text()
        assert not panel.matches.isVisibleTo(dialog) and not panel.open_button.isVisibleTo(dialog)
        assert panel.matches.count() == 0
        shown = " ".join(w.text() for w in panel.findChildren(QLabel))
        assert hidden.code not in shown
        qtbot.mouseClick(panel.continue_button, Qt.MouseButton.LeftButton)
        assert dialog.current == 1 and not panel.isVisibleTo(dialog)
        background.wait()
        drop_widgets()


def fill_identity(dialog: IntakeDialog) -> None:
    dialog.form["legal_name"].put("Mira Okonkwo")
    dialog.form["citizenship"].put(["NG"])
    dialog.form["languages"].put(["en", "ig"])


def test_create_with_consent_in_sensible_order(qtbot, desk):
    services, background, _existing, partner = desk
    dialog = open_intake(qtbot, services, background)
    created: list[str] = []
    dialog.created.connect(created.append)
    fill_identity(dialog)
    for _step in range(4):
        press_next(qtbot, dialog)
    assert dialog.current == 4 and dialog.create_button.isVisible()
    dialog.form["risk_level"].put("high")
    dialog.record_consent.click()
    dialog.consent["sections"].put(["identity", "contact"])
    dialog.consent["partner_id"].put(partner)
    dialog.consent["purpose"].put("Medical referral")
    dialog.consent["given_by"].put("survivor")
    dialog.consent["method"].put("written")
    press(qtbot, dialog, dialog.create_button)
    assert len(created) == 1 and dialog.result() == QDialog.DialogCode.Accepted
    record = services.cases.get(created[0])
    assert record.survivor["citizenship"] == ["NG"] and record.case["risk_level"] == "high"
    assert record.case["is_draft"] is False
    [consent] = services.consent.list(created[0])
    assert consent.partner_id == partner and consent.sections == ("identity", "contact")
    # nobody asked about statistics: nothing is guessed
    assert services.consent.reporting(created[0]).answer == "not_asked"


def test_the_answer_about_statistics_is_recorded_with_the_case(qtbot, desk):
    services, background, _existing, _partner = desk
    dialog = open_intake(qtbot, services, background)
    created: list[str] = []
    dialog.created.connect(created.append)
    fill_identity(dialog)
    dialog.show_step(4)
    field = dialog.consent["reporting_consent"]
    assert field.get() == "not_asked" and field.widget.isVisibleTo(dialog)
    field.put("yes")  # without consent to share: the two are separate
    press(qtbot, dialog, dialog.create_button)
    assert len(created) == 1 and services.consent.list(created[0]) == []
    answer = services.consent.reporting(created[0])
    assert answer.answer == "yes" and answer.answered_on is not None


def test_a_refused_consent_leaves_the_case_and_says_so(qtbot, desk):
    services, background, _existing, _partner = desk
    dialog = open_intake(qtbot, services, background)
    created: list[str] = []
    dialog.created.connect(created.append)
    fill_identity(dialog)
    dialog.show_step(4)
    dialog.record_consent.setChecked(True)
    dialog.consent["purpose"].put("Shelter referral")  # but no section chosen
    dialog.consent["partner_id"].put("*any*")
    dialog.consent["given_by"].put("survivor")
    dialog.consent["method"].put("verbal")
    press(qtbot, dialog, dialog.create_button)
    assert cases(services) == 2 and dialog.isVisible()
    assert dialog.consent["sections"].message.isVisibleTo(dialog)
    case = dialog.case
    assert "was created" in dialog.notice.text() and case.code in dialog.notice.text()
    assert dialog.create_button.text() == "&Record consent"
    dialog.consent["sections"].put(["identity"])
    press(qtbot, dialog, dialog.create_button)
    assert created == [case.id] and cases(services) == 2
    assert len(services.consent.list(created[0])) == 1


def test_save_as_draft_creates_a_draft_case(qtbot, desk):
    services, background, _existing, _partner = desk
    dialog = open_intake(qtbot, services, background)
    created: list[str] = []
    dialog.created.connect(created.append)
    fill_identity(dialog)
    press_next(qtbot, dialog)
    press(qtbot, dialog, dialog.draft_button)
    assert services.cases.get(created[0]).case["is_draft"] is True


def test_the_keyboard_alone_is_enough(qtbot, desk):
    services, background, _existing, _partner = desk
    dialog = open_intake(qtbot, services, background)
    assert unnamed_controls(dialog) == []
    name = dialog.form["legal_name"].focus
    qtbot.keyClicks(name, "Kalinda Reyes")
    qtbot.keyClick(name, Qt.Key.Key_Return)  # Enter is Next
    qtbot.waitUntil(lambda: dialog.current == 1, timeout=WAIT_MS)
    qtbot.keyClick(dialog.form["phone"].focus, Qt.Key.Key_Return)
    assert dialog.current == 2
    # Enter in a picker adds the entry instead of going on.
    dialog.show_step(0)
    picker = dialog.form["citizenship"].widget
    qtbot.keyClicks(picker.combo.lineEdit(), "Philippines")
    qtbot.keyClick(picker.combo.lineEdit(), Qt.Key.Key_Return)
    assert picker.value() == ["PH"] and dialog.current == 0
    # Escape with something typed asks before throwing it away.
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    box = dialog.confirm_box
    assert isinstance(box, QMessageBox) and dialog.isVisible()
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Discard), Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and cases(services) == 1


def test_country_and_language_pickers_show_cldr_names_and_keep_codes(qtbot, desk):
    services, background, _existing, _partner = desk
    dialog = open_intake(qtbot, services, background)
    picker = dialog.form["languages"].widget
    index = picker.combo.findData("uk")
    assert picker.combo.itemText(index) == language_name("uk") == "Ukrainian"
    picker.combo.setCurrentIndex(index)
    picker.add_current()
    assert picker.value() == ["uk"] and picker.chosen.item(0).text() == "Ukrainian"
    countries = dialog.form["citizenship"].widget.combo
    assert countries.itemText(countries.findData("VN")) == "Vietnam"
    # Sorted by name with the locale's collation, not by code.
    names = [countries.itemText(i) for i in range(1, countries.count())]
    assert names.index("Åland Islands") < names.index("Albania")


def test_an_unfinished_intake_is_kept_in_the_vault_and_offered_again(qtbot, desk):
    services, background, _existing, _partner = desk
    dialog = open_intake(qtbot, services, background)
    dialog.form["legal_name"].put("Teodora Ilic")
    dialog.form["safety_plan"].put("Stays with her aunt")
    dialog.keep_draft()  # what auto-lock and quick exit do
    dialog.forget()
    assert dialog.form.values()["legal_name"] == ""
    again = open_intake(qtbot, services, background)
    assert again.form["legal_name"].get() == "Teodora Ilic"
    assert again.form["safety_plan"].get() == "Stays with her aunt"
    assert "kept when the vault locked" in again.notice.text()
    again.form["legal_name"].put("Teodora Ilic")
    press(qtbot, again, again.draft_button)
    qtbot.waitUntil(lambda: not isValid(again) or not again.isVisible(), timeout=WAIT_MS)
    assert services.drafts.get("intake") is None


def test_guardian_and_interpreter_fields_appear_only_when_ticked(qtbot, desk):
    services, background, _existing, _partner = desk
    dialog = open_intake(qtbot, services, background)
    form = dialog.form
    assert not form["guardian_name"].widget.isVisibleTo(dialog)
    assert not form["interpreter_language"].widget.isVisibleTo(dialog)
    form["is_minor"].widget.click()
    form["interpreter_needed"].widget.click()
    assert form["guardian_name"].widget.isVisibleTo(dialog)
    assert form["interpreter_language"].widget.isVisibleTo(dialog)
