"""Switching the interface language while the program runs: on the sign-in screen (what
was typed and the notice stay) and from the main window's Language menu (the open cases,
their tabs and a profile being edited come back in the new window, nothing written to the
vault; a half-typed add form is asked about first); the choice is kept for the next
start."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox, QToolButton, QWidget

from shelter_app.domain.records import CaseInput, SurvivorInput
from shelter_app.i18n import _, current_language, set_language
from shelter_app.i18n.preference import FILE_NAME, saved_language
from tests.bidi import plain
from tests.conftest import ADMIN_PASS
from ui import app as app_module
from ui.cases.workspace import CaseWorkspace
from ui.language import LanguageChooser, offered
from ui.main_window import MainWindow
from ui.sign_in import SignInWindow

from .case_helpers import STAFF_PASS, session, staffed_vault
from .conftest import WAIT_MS, sign_in
from .journeys import box_button, click, key, open_tab, retype, type_text

SURVIVOR = "Nadia Haddad"
NEW_PHONE = "+1 555 0199"
SERVICE_NOTE = "Interpreter booked for Thursday"


@pytest.fixture
def office(vault_dir: Path) -> dict[str, str]:
    ids = staffed_vault(vault_dir)
    with session(vault_dir, "coordinator") as coordinator:
        record = coordinator.cases.create(SurvivorInput(legal_name=SURVIVOR),
                                          CaseInput(assigned_to=ids["caseworker"]))
        ids["case"], ids["code"] = record.id, record.code
    return ids


def marked(text: str) -> bool:
    """Passed through the pseudo-locale's catalogue (long, accented, in ⟦ ⟧)."""
    return text.startswith("⟦") and text.endswith("⟧")


def choose_in_menu(qtbot, window: MainWindow, name: str) -> None:
    """Open the Language menu with its key and pick *name* with the arrow keys and Enter,
    as a person does (the menu runs its own event loop while it is open)."""
    picked: list[str] = []

    def pick() -> None:
        menu = QApplication.activePopupWidget()
        if not isinstance(menu, QMenu):
            QTimer.singleShot(50, pick)
            return
        for _n in range(len(menu.actions()) + 1):
            if menu.activeAction() is not None and menu.activeAction().text() == name:
                break
            qtbot.keyClick(menu, Qt.Key.Key_Down)
        picked.append(menu.activeAction().text())
        qtbot.keyClick(menu, Qt.Key.Key_Return)

    QTimer.singleShot(0, pick)
    button = window.language_button()
    assert isinstance(button, QToolButton) and button.isVisible()
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)
    assert picked == [name]


def test_the_languages_are_offered_each_in_its_own_words():
    from shelter_app.i18n.formatting import language_name
    from ui.language import OWN_NAMES

    for code, name in OWN_NAMES.items():  # as CLDR writes them, capitalised for a list
        cldr = language_name(code, language=code)
        assert cldr is not None and name == cldr[:1].upper() + cldr[1:], code
    names = dict(offered())
    assert names["en"] == "English" and names["es"] == "Español"
    assert names["ar"] == "العربية" and names["uk"] == "Українська"
    assert set(names) == {"en", "ar", "es", "fr", "it", "ro", "ru", "uk", "vi"}


def test_sign_in_screen_switches_language_keeping_what_was_typed(
        qtbot, qapp, make_controller, existing_vault):
    controller = make_controller()
    window = controller.window
    assert isinstance(window, SignInWindow)
    window.username.setText("admin")
    window.passphrase.setText("half a passphrase")
    window.notice.show_message("Locked after 5 minutes without activity.")
    with qtbot.waitActive(window):
        window.activateWindow()

    # The list, reached with its key, picks Spanish by typing its first letters.
    key(qtbot, window.username, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)
    assert window.focusWidget() is window.language
    type_text(window.language, "Esp")
    qtbot.waitUntil(lambda: controller.window is not window, timeout=WAIT_MS)
    spanish = controller.window
    assert isinstance(spanish, SignInWindow) and spanish.isVisible()
    assert current_language() == "es" and saved_language() == "es"
    assert spanish.sign_in_button.text() == _("Sign in") != "Sign in"
    assert spanish.username.text() == "admin"
    assert spanish.passphrase.text() == "half a passphrase"
    assert spanish.notice.text() == "Locked after 5 minutes without activity."
    assert spanish.focusWidget() is spanish.language
    assert spanish.language.currentText() == "Español"
    assert qapp.layoutDirection() == Qt.LayoutDirection.LeftToRight

    # Arabic mirrors the screen and brings Qt's own strings in Arabic.
    type_text(spanish.language, "ال")
    qtbot.waitUntil(lambda: controller.window is not spanish, timeout=WAIT_MS)
    arabic = controller.window
    assert current_language() == "ar" and saved_language() == "ar"
    assert qapp.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert arabic.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert QApplication.translate("QPlatformTheme", "Cancel") != "Cancel"
    assert arabic.username.text() == "admin"

    # Signing in from there opens the main window in Arabic.
    sign_in(qtbot, controller, "admin", ADMIN_PASS)
    assert isinstance(controller.window, MainWindow)
    assert controller.window.lock_action.text() == _("&Lock") != "&Lock"
    controller.shutdown()
    assert qapp.layoutDirection() == Qt.LayoutDirection.LeftToRight  # put back at the end
    assert QApplication.translate("QPlatformTheme", "Cancel") == "Cancel"


def test_the_chosen_language_is_the_next_start(tmp_path, monkeypatch):
    for name in ("SHELTER_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    assert app_module.starting_language(None) == "en"
    from shelter_app.i18n.preference import save_language

    assert save_language("uk")
    assert app_module.starting_language(None) == "uk"
    assert app_module.starting_language("fr") == "fr"  # --lang is asked for by name
    monkeypatch.setenv("SHELTER_LANG", "ro")
    assert app_module.starting_language(None) == "ro"


def test_a_damaged_or_unwritable_choice_is_no_choice(tmp_path):
    (tmp_path / FILE_NAME).write_text("{not json")
    assert saved_language(tmp_path) is None
    (tmp_path / FILE_NAME).write_text('{"language": "../../etc"}')
    assert saved_language(tmp_path) is None
    from shelter_app.i18n.preference import save_language

    blocked = tmp_path / "file"
    blocked.write_text("")
    assert save_language("es", blocked / "sub") is False  # a file where the folder goes
    with pytest.raises(ValueError):
        save_language("es/../x", tmp_path)


def test_main_window_switch_keeps_open_cases_and_a_profile_being_edited(
        qtbot, qapp, make_controller, vault_dir, office):
    controller = make_controller()
    sign_in(qtbot, controller, "caseworker", STAFF_PASS)
    window = controller.window
    assert isinstance(window, MainWindow)
    assert plain(window.language_action.text()) == "Lan&guage: English"

    # An open case, its profile edited (a typed field and a choice) and not saved, the
    # Services tab in front.
    section = window.show_page("cases")
    workspace = section.open_case(office["case"])
    assert isinstance(workspace, CaseWorkspace)
    versions = controller.services.cases.get(office["case"]).row_versions
    click(qtbot, workspace.profile.edit_button)
    retype(qtbot, workspace.profile.form["phone"].focus, NEW_PHONE)
    workspace.profile.form["gender"].put("woman")
    open_tab(qtbot, workspace, "services")
    assert workspace.has_unsaved()

    choose_in_menu(qtbot, window, "Español")
    qtbot.waitUntil(lambda: controller.window is not window, timeout=WAIT_MS)
    spanish = controller.window
    assert isinstance(spanish, MainWindow) and spanish.isVisible()
    assert controller.state == "main" and current_language() == "es"
    assert saved_language() == "es"
    assert spanish.lock_action.text() == _("&Lock") != "&Lock"
    assert plain(spanish.language_action.text()).endswith("Español")

    # The same case, at the same tab, with every edit, in edit mode, and no word of a lock.
    assert spanish.current_key() == "cases"
    again = spanish.page("cases").currentWidget()
    assert isinstance(again, CaseWorkspace) and again.case_id == office["case"]
    assert again.keys[again.tabs.currentIndex()] == "services"
    profile = again.profile
    assert profile.editing and profile.form["phone"].get() == NEW_PHONE
    assert profile.form["gender"].get() == "woman"
    assert profile.notice.text() == ""
    assert again.has_unsaved()

    # Nothing was written: no draft in the vault, and the record is as it was.
    services = controller.services
    assert services.drafts.get("case_profile", case_id=office["case"]) is None
    assert services.cases.get(office["case"]).row_versions == versions

    # Saving in the new language saves what was typed in the old one.
    assert profile.save()
    assert services.cases.get(office["case"]).row_versions != versions
    assert profile.form.loaded()["phone"] == NEW_PHONE


def with_a_service_typed(qtbot, make_controller, office) -> tuple[Any, MainWindow, Any]:
    """The caseworker's window, with a service's note typed in the case and not recorded."""
    controller = make_controller()
    sign_in(qtbot, controller, "caseworker", STAFF_PASS)
    window = controller.window
    workspace = window.show_page("cases").open_case(office["case"])
    services_tab = open_tab(qtbot, workspace, "services")
    retype(qtbot, services_tab.form["notes"].focus, SERVICE_NOTE)
    return controller, window, services_tab


def test_a_half_typed_add_form_is_asked_about_before_the_switch(
        qtbot, qapp, make_controller, vault_dir, office):
    controller, window, services_tab = with_a_service_typed(qtbot, make_controller, office)
    services_tab.form["service"].put(next(iter(services_tab._types)))
    services_tab.form["provider_kind"].put("internal")

    # Cancel: nothing changes, the text stays, the language too.
    choose_in_menu(qtbot, window, "Español")
    qtbot.waitUntil(lambda: window.unsaved_box is not None, timeout=WAIT_MS)
    box = window.unsaved_box
    assert box.text() == "Save your changes before the language changes?"
    click(qtbot, box_button(box, QMessageBox.StandardButton.Cancel))
    assert controller.window is window and current_language() == "en"
    assert services_tab.form["notes"].get() == SERVICE_NOTE
    assert saved_language() is None

    # Save: the service is recorded, then the window comes back in Spanish.
    choose_in_menu(qtbot, window, "Español")
    qtbot.waitUntil(lambda: window.unsaved_box is not None, timeout=WAIT_MS)
    click(qtbot, box_button(window.unsaved_box, QMessageBox.StandardButton.Save))
    qtbot.waitUntil(lambda: controller.window is not window, timeout=WAIT_MS)
    assert current_language() == "es"
    notes = [entry.notes for entry in controller.services.care.list(office["case"])]
    assert SERVICE_NOTE in notes


def work_held(controller: Any, delivered: list[object]) -> threading.Event:
    """Work running in the background until the returned event is set; its result goes to
    *delivered* through the window in front."""
    started, release = threading.Event(), threading.Event()

    def long_work() -> str:
        started.set()
        release.wait(10)
        return "done"

    controller.background.run(long_work, delivered.append, lambda _e: None,
                              context=controller.window)
    assert started.wait(10)
    return release


def test_the_switch_waits_for_work_running_in_the_background(
        qtbot, qapp, make_controller, vault_dir, office):
    controller = make_controller()
    sign_in(qtbot, controller, "caseworker", STAFF_PASS)
    window = controller.window
    delivered: list[object] = []
    release = work_held(controller, delivered)
    try:
        choose_in_menu(qtbot, window, "Español")
        qtbot.wait(50)
        assert controller.window is window and current_language() == "en"
        assert "background" in window.statusBar().currentMessage()
    finally:
        release.set()
    qtbot.waitUntil(lambda: controller.window is not window, timeout=WAIT_MS)
    assert delivered == ["done"]  # the result reached the window that asked for it
    assert current_language() == "es" and isinstance(controller.window, MainWindow)


def test_typing_in_the_list_chooses_once_the_typing_pauses(qtbot, qapp, monkeypatch):
    interval = qapp.keyboardInputInterval()
    qapp.setKeyboardInputInterval(3000)  # a busy test machine types slowly
    set_language("fr")
    chooser = LanguageChooser()
    qapp.setKeyboardInputInterval(interval)
    qtbot.addWidget(chooser)
    chosen: list[str] = []
    chooser.chosen.connect(chosen.append)
    chooser.setFocus()
    type_text(chooser, "E")  # "English" for a moment, on the way to "Español"
    qtbot.wait(50)
    assert chosen == [] and chooser.currentText() == "English"
    type_text(chooser, "sp")
    qtbot.waitUntil(lambda: chosen != [], timeout=WAIT_MS)
    assert chosen == ["es"]


def test_a_setting_changed_and_not_saved_is_asked_about(
        qtbot, qapp, make_controller, vault_dir, office):
    controller = make_controller()
    sign_in(qtbot, controller, "admin", ADMIN_PASS)
    window = controller.window
    page = window.show_page("admin")
    settings = page.settings
    page.tabs.setCurrentWidget(settings)
    retype(qtbot, settings.organisation, "Renamed House")
    assert window.has_unsaved()

    # A lock by hand asks about it now, as about a case.
    controller.lock()
    assert window.unsaved_box is not None
    click(qtbot, box_button(window.unsaved_box, QMessageBox.StandardButton.Cancel))

    # So does a switch; Discard puts the saved setting back, then the language changes.
    choose_in_menu(qtbot, window, "Español")
    qtbot.waitUntil(lambda: window.unsaved_box is not None, timeout=WAIT_MS)
    click(qtbot, box_button(window.unsaved_box, QMessageBox.StandardButton.Discard))
    qtbot.waitUntil(lambda: controller.window is not window, timeout=WAIT_MS)
    assert current_language() == "es"
    assert controller.services.settings.get("organisation") != "Renamed House"
    assert controller.window.current_key() == "admin"



def test_the_wheel_over_the_list_chooses_once_it_stops(qtbot):
    chooser = LanguageChooser()
    qtbot.addWidget(chooser)
    chosen: list[str] = []
    chooser.chosen.connect(chosen.append)
    with qtbot.waitActive(chooser):
        chooser.show()
        chooser.activateWindow()
    chooser.setFocus()
    start = chooser.currentIndex()
    for _notch in range(3):
        event = QWheelEvent(QPointF(5, 5), chooser.mapToGlobal(QPointF(5, 5)), QPoint(0, 0),
                            QPoint(0, -120), Qt.MouseButton.NoButton,
                            Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
                            False)
        QApplication.sendEvent(chooser, event)
    assert chooser.currentIndex() == start + 3
    assert chosen == []  # not one rebuild per notch
    qtbot.waitUntil(lambda: chosen != [], timeout=WAIT_MS)
    assert chosen == [chooser.currentData()] and len(chosen) == 1


def test_an_open_window_keeps_the_language_and_says_why(
        qtbot, qapp, make_controller, vault_dir, office):
    controller = make_controller()
    sign_in(qtbot, controller, "caseworker", STAFF_PASS)
    window = controller.window
    viewer = QWidget()  # a window of its own (an attachment, a document), not modal
    qtbot.addWidget(viewer)
    viewer.setWindowFlag(Qt.WindowType.Window)
    viewer.show()
    choose_in_menu(qtbot, window, "Español")
    qtbot.wait(50)
    assert controller.window is window and current_language() == "en"
    assert "another window" in window.statusBar().currentMessage()
    viewer.close()
    choose_in_menu(qtbot, window, "Español")
    qtbot.waitUntil(lambda: controller.window is not window, timeout=WAIT_MS)
    assert current_language() == "es"


def test_a_lock_takes_over_the_question_before_a_switch(
        qtbot, qapp, make_controller, vault_dir, office):
    controller, window, services_tab = with_a_service_typed(qtbot, make_controller, office)
    choose_in_menu(qtbot, window, "Español")
    qtbot.waitUntil(lambda: window.unsaved_box is not None, timeout=WAIT_MS)
    assert window.unsaved_box.text() == "Save your changes before the language changes?"
    key(qtbot, services_tab.form["notes"].focus, Qt.Key.Key_L,
        Qt.KeyboardModifier.ControlModifier)  # Ctrl+L, someone walks in
    box = window.unsaved_box
    assert box is not None and box.text() == "Save your changes before locking?"
    click(qtbot, box_button(box, QMessageBox.StandardButton.Discard))
    assert controller.state == "sign_in" and current_language() == "en"


def test_a_waiting_switch_is_taken_back_by_choosing_the_language_in_force(
        qtbot, qapp, make_controller, vault_dir, office):
    controller = make_controller()
    sign_in(qtbot, controller, "caseworker", STAFF_PASS)
    window = controller.window
    release = work_held(controller, [])
    try:
        choose_in_menu(qtbot, window, "Español")
        qtbot.wait(50)
        choose_in_menu(qtbot, window, "English")  # the menu shows English still in force
        qtbot.wait(50)
        assert window.statusBar().currentMessage() == "The language stays as it is."
    finally:
        release.set()
    qtbot.waitUntil(lambda: not controller.background.busy, timeout=WAIT_MS)
    qtbot.wait(50)
    assert controller.window is window and current_language() == "en"


def test_the_sign_in_screen_does_not_carry_the_old_language_s_notice(
        qtbot, qapp, make_controller, existing_vault):
    controller = make_controller(language_notice="The catalogue for Ukrainian is missing.")
    window = controller.window
    assert "Ukrainian" in window.notice.text()
    window.notice.show_message("Locked after 5 minutes without activity.\n\n"
                               + controller.language_notice)
    controller.switch_language("es")
    qtbot.waitUntil(lambda: controller.window is not window, timeout=WAIT_MS)
    assert controller.window.notice.text() == "Locked after 5 minutes without activity."


def test_a_choice_still_pausing_when_sign_in_begins_is_forgotten(
        qtbot, make_controller, existing_vault):
    controller = make_controller()
    window = controller.window
    window.language.setFocus()
    type_text(window.language, "Esp")  # typed, not yet chosen: the typing has not paused
    assert window.language.currentText() == "Español"
    window.username.setText("admin")
    window.passphrase.setText(ADMIN_PASS)
    window.set_busy(True)  # Enter pressed: the passphrase is being checked
    assert window.language.currentText() == "English"  # what is in force, shown again
    qtbot.wait(QApplication.keyboardInputInterval() + 500)
    assert controller.window is window and current_language() == "en"
    window.set_busy(False)


def test_the_new_window_is_as_wide_as_its_language_needs(qtbot, make_controller,
                                                          existing_vault):
    controller = make_controller()
    window = controller.window
    window.resize(window.minimumWidth(), window.height())  # as narrow as English allows
    controller.switch_language("en_XA")  # every string longer
    qtbot.waitUntil(lambda: controller.window is not window, timeout=WAIT_MS)
    longer = controller.window
    assert longer.width() >= longer.sizeHint().width() > window.width()


def test_a_profile_opened_for_editing_stays_open_for_editing(
        qtbot, qapp, make_controller, vault_dir, office):
    controller = make_controller()
    sign_in(qtbot, controller, "caseworker", STAFF_PASS)
    window = controller.window
    workspace = window.show_page("cases").open_case(office["case"])
    click(qtbot, workspace.profile.edit_button)  # Edit, nothing typed yet
    choose_in_menu(qtbot, window, "Español")
    qtbot.waitUntil(lambda: controller.window is not window, timeout=WAIT_MS)
    again = controller.window.page("cases").currentWidget()
    assert again.profile.editing and again.profile.save_button.isVisible()
