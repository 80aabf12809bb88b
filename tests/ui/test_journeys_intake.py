"""Journey 2, intake to consent, services and appointment: a caseworker signs in, starts
New case…, goes through the five steps with the keyboard (Enter is Next), is warned that a
record with a similar name exists and continues with a new one, records the consent at the
last step; the case opens.  She records a service (the service must be chosen), corrects
it, books an appointment for tomorrow by typing the date and "10:00 AM", sees it on My day,
and reads the case's History.  At the end the vault is read again."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from shelter_app.domain import vocab
from shelter_app.domain.history import Section, field_label, section_label
from shelter_app.domain.records import CaseInput, SurvivorInput
from shelter_app.i18n.formatting import format_time
from ui.cases.intake import IntakeDialog
from ui.cases.section import CasesSection
from ui.cases.workspace import CaseWorkspace
from ui.day.page import MyDayPage
from ui.main_window import MainWindow

from .case_helpers import STAFF_PASS, session, staffed_vault
from .conftest import WAIT_MS, sign_in
from .journeys import (
    LANGUAGES,
    choose,
    click,
    click_row,
    clipped_buttons,
    enter,
    focus_name,
    gone,
    interface,
    key,
    open_tab,
    retype,
    shown,
    tab_to,
    tr,
)

EXISTING = "Tiwatope Oyelaran"  # already has a case, assigned to the same caseworker
SIMILAR = "Tiwatope Oyelarran"  # the same person? The intake asks before creating anything
PARTNER = "Riverside Clinic (fictional)"


@pytest.fixture
def office(vault_dir: Path) -> dict[str, str]:
    """Accounts, a health partner, and the case of someone with a similar name."""
    ids = staffed_vault(vault_dir)
    with session(vault_dir, "coordinator") as coordinator:
        existing = coordinator.cases.create(
            SurvivorInput(legal_name=EXISTING, citizenship=["NG"]),
            CaseInput(assigned_to=ids["caseworker"]))
        ids["partner"] = coordinator.partners.add(PARTNER, "health").id
        ids["existing"] = existing.id
        ids["existing_code"] = existing.code
    return ids


def intake_by_keyboard(qtbot, section: CasesSection, ids: dict[str, str]) -> CaseWorkspace:
    click(qtbot, section.list_page.new_button)
    dialog = shown(IntakeDialog, qtbot=qtbot)
    assert dialog.step.text() == tr("Step {n} of {total}: {title}").format(
        n=1, total=5, title=tr("Identity and languages"))
    name = dialog.form["legal_name"].focus
    assert dialog.focusWidget() is name
    qtbot.keyClicks(name, SIMILAR)
    picker = dialog.form["citizenship"].widget
    tab_to(qtbot, dialog, picker.combo)
    qtbot.keyClicks(picker.combo.lineEdit(), "Nigeria")
    enter(qtbot, picker.combo.lineEdit())  # Enter in a picker adds, and stays
    assert picker.value() == ["NG"] and dialog.current == 0
    name.setFocus(Qt.FocusReason.MouseFocusReason)
    enter(qtbot, name)  # Next: the duplicate check runs before anything is created
    panel = dialog.duplicates
    qtbot.waitUntil(lambda: panel.isVisibleTo(dialog), timeout=WAIT_MS)
    assert dialog.current == 0 and panel.intro.isVisible()
    assert dialog.focusWidget() is panel.matches  # the warning is where the keyboard is
    assert ids["existing_code"] in panel.matches.currentItem().text()
    tab_to(qtbot, dialog, panel.continue_button)
    enter(qtbot, panel.continue_button)  # "Continue with a new record"
    assert dialog.current == 1 and not panel.isVisibleTo(dialog)
    # Back to add the name she is called by: the answer is remembered, not asked again.
    click(qtbot, dialog.back_button)
    assert dialog.current == 0 and dialog.focusWidget() is name
    qtbot.keyClicks(dialog.form["preferred_name"].focus, "Tiwa")
    enter(qtbot, dialog.form["preferred_name"].focus)
    qtbot.waitUntil(lambda: dialog.current == 1, timeout=WAIT_MS)
    assert not panel.isVisibleTo(dialog)

    # Contact, situation, risk: Enter is Next.
    assert dialog.focusWidget() is dialog.form["phone"].focus
    qtbot.keyClicks(dialog.form["phone"].focus, "+234 800 000 0000")
    enter(qtbot, dialog.focusWidget())
    assert dialog.current == 2 and dialog.focusWidget() is dialog.form["referral_source"].focus
    qtbot.keyClicks(dialog.focusWidget(), "Outreach team")
    enter(qtbot, dialog.focusWidget())
    assert dialog.current == 3
    risk = dialog.form["risk_level"].focus
    assert dialog.focusWidget() is risk
    choose(qtbot, risk, tr("High"))
    enter(qtbot, risk)
    assert dialog.current == 4 and dialog.create_button.isVisible()
    assert not dialog.next_button.isVisible()

    # Consent, recorded at the last step.
    assert dialog.focusWidget() is dialog.record_consent
    key(qtbot, dialog.record_consent, Qt.Key.Key_Space)
    sections = dialog.consent["sections"].widget
    tab_to(qtbot, dialog, sections)
    for wanted in ("identity", "contact", "services"):  # Down to each, Space ticks it
        for _press in range(sections.count()):
            current = sections.currentItem()
            if current is not None and current.data(Qt.ItemDataRole.UserRole) == wanted:
                break
            key(qtbot, sections, Qt.Key.Key_Down)
        key(qtbot, sections, Qt.Key.Key_Space)
    assert sections.value() == ["identity", "contact", "services"]
    key(qtbot, sections, Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.consent["partner_id"].focus
    choose(qtbot, dialog.consent["partner_id"].focus, PARTNER)
    key(qtbot, dialog.focusWidget(), Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.focusWidget(), "Health check at the clinic")  # the purpose
    key(qtbot, dialog.focusWidget(), Qt.Key.Key_Tab)
    choose(qtbot, dialog.consent["given_by"].focus, tr("Survivor"))
    tab_to(qtbot, dialog, dialog.consent["method"].focus)
    choose(qtbot, dialog.consent["method"].focus, tr("Verbal"))
    assert clipped_buttons(dialog) == []
    enter(qtbot, dialog.consent["method"].focus)  # Enter is Create case on the last step
    qtbot.waitUntil(lambda: isinstance(section.currentWidget(), CaseWorkspace),
                    timeout=WAIT_MS)
    assert gone(dialog)
    return section.currentWidget()


@pytest.mark.parametrize("language", LANGUAGES)
def test_intake_consent_service_correction_appointment_and_history(
        qtbot, make_controller, vault_dir, office, language):
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    with interface(language):
        controller = make_controller()
        sign_in(qtbot, controller, "caseworker", STAFF_PASS)
        window = controller.window
        assert isinstance(window, MainWindow) and window.current_key() == "my_day"
        key(qtbot, window.focusWidget(), Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
        section = window.page("cases")
        assert window.current_key() == "cases" and window.focusWidget() is \
            section.list_page.search
        qtbot.waitUntil(lambda: section.list_page.model.rowCount() == 1, timeout=WAIT_MS)

        workspace = intake_by_keyboard(qtbot, section, office)
        code = workspace.code
        assert section.tabText(section.currentIndex()) == code  # a code, never a name
        assert workspace.profile.isVisible()
        assert workspace.profile.form["legal_name"].get() == SIMILAR
        gender = workspace.profile.form["gender"].widget  # nobody asked: stored as unknown
        assert gender.currentText() == vocab.GENDER.label("unknown") and not gender.isEnabled()
        assert "services" in workspace.keys

        # Services: the service must be chosen; then recorded; then corrected.
        services = open_tab(qtbot, workspace, "services")
        click(qtbot, services.record_button)
        assert services.form["service"].message.isVisible()  # "Choose one: …", beside it
        assert services.table.rowCount() == 0
        choose(qtbot, services.form["service"].focus, tr("Interpreting"))
        choose(qtbot, services.form["provider_kind"].focus, tr("This organisation"))
        retype(qtbot, services.form["duration_minutes"].focus, "45")
        click(qtbot, services.record_button)
        assert services.done.text() == tr("The service was recorded.")
        assert services.table.rowCount() == 1
        assert services.table.item(0, 3).text() == "45"
        click_row(qtbot, services.table, 0)
        enter(qtbot, services.table)  # Enter on the row: correct it
        assert services.editor.editing and services.editor.save_button.isVisible()
        assert services.focusWidget() is services.form["service"].focus
        retype(qtbot, services.form["duration_minutes"].focus, "60")
        retype(qtbot, services.form["outcome"].focus, "Session held with an interpreter")
        click(qtbot, services.editor.save_button)
        assert services.done.text() == tr("The service was corrected.")
        assert services.table.rowCount() == 1 and services.table.item(0, 3).text() == "60"
        assert not services.editor.editing and services.record_button.isVisible()

        # Appointments: tomorrow at "10:00 AM", typed.
        appointments = open_tab(qtbot, workspace, "appointments")
        choose(qtbot, appointments.form["appointment_type"].focus, tr("Medical"))
        retype(qtbot, appointments.starts.date.edit,
               f"{tomorrow.month}/{tomorrow.day}/{tomorrow.year}")
        retype(qtbot, appointments.starts.time.edit, "10:00 AM")
        assert appointments.starts.value() == dt.datetime.combine(tomorrow, dt.time(10))
        assert appointments.starts.reading.isVisible()  # "Read as …, 10:00 AM"
        click(qtbot, appointments.book_button)
        assert appointments.done.text() == tr("The appointment was booked.")
        assert appointments.table.rowCount() == 1
        assert appointments.table.item(0, 0).text().endswith(format_time(dt.time(10)))
        assert clipped_buttons(window) == []

        # My day shows it, under tomorrow; Enter on the line opens the case at it.
        key(qtbot, window.focusWidget(), Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
        day = window.page("my_day")
        assert isinstance(day, MyDayPage) and window.current_key() == "my_day"
        qtbot.waitUntil(lambda: not day.loading and day.model.day is not None, timeout=WAIT_MS)
        tomorrow_group = day.model.group_index("tomorrow")
        assert day.model.rowCount(tomorrow_group) == 1
        line = day.model.index(0, 0, tomorrow_group)
        assert day.model.index(0, 1, tomorrow_group).data() == code
        assert format_time(dt.time(10)) in day.model.index(0, 0, tomorrow_group).data()
        assert focus_name(window) == tr("My day")
        day.tree.setCurrentIndex(line)
        enter(qtbot, day.tree)
        assert window.current_key() == "cases" and section.currentWidget() is workspace
        assert workspace.tabs.currentWidget() is appointments
        assert appointments.table.currentRow() == 0

        # History: what changed, by section, newest first; no "Record opened" in it.
        history = open_tab(qtbot, workspace, "history")
        said = [history.table.item(r, 2).text() for r in range(history.table.rowCount())]
        what = [history.table.item(r, 3).text() for r in range(history.table.rowCount())]
        assert all(field_label(f) in what[1] for f in ("duration_minutes", "outcome"))
        assert "Session held" not in " ".join(what)  # fields are named, never their content
        assert said == [section_label(s) for s in (  # newest first
            Section.APPOINTMENTS, Section.SERVICES, Section.SERVICES, Section.CONSENT,
            Section.CASE)]
        whos = {history.table.item(r, 1).text() for r in range(history.table.rowCount())}
        assert whos == {tr("You")}
        controller.shutdown()

    # What the vault holds.
    with session(vault_dir, "coordinator") as coordinator:
        found = [c for c in coordinator.search.list_ids() if c != office["existing"]]
        assert len(found) == 1, "one new case: the similar name did not become a merge"
        record = coordinator.cases.get(found[0])
        assert record.code == code and record.survivor["legal_name"] == SIMILAR
        assert record.survivor["citizenship"] == ["NG"]
        assert record.survivor["preferred_name"] == "Tiwa"
        assert record.survivor["gender"] == "unknown"  # nobody asked: not guessed
        assert record.case["risk_level"] == "high"
        assert record.case["assigned_to"] == office["caseworker"]
        [consent] = coordinator.consent.list(record.id)
        assert consent.partner_id == office["partner"] and consent.given_by == "survivor"
        assert consent.sections == ("identity", "contact", "services")
        [entry] = coordinator.care.list(record.id)
        assert (entry.service_code, entry.duration_minutes, entry.outcome) == (
            "interpreting", 60, "Session held with an interpreter")
        [booked] = coordinator.appointments.list_for_case(record.id)
        local = booked.starts_at.astimezone()
        assert (local.date(), local.hour, local.minute) == (tomorrow, 10, 0)
        assert booked.appointment_type == "medical"
