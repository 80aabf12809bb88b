"""About Shelter App: opened with the keyboard, it names the version and the interface
language, and says when that language's translation is still machine-drafted."""

from __future__ import annotations

from importlib import metadata

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from shelter_app.i18n import _, is_machine_drafted, set_language
from shelter_app.i18n.formatting import language_name
from ui import app as app_module
from ui.about import AboutDialog
from ui.main_window import MainWindow
from ui.sign_in import SignInWindow

from .case_helpers import STAFF_PASS, staffed_vault
from .conftest import sign_in

DRAFT = "This translation was machine-drafted; review by a native speaker is welcome."


def open_about(qtbot, window) -> AboutDialog:
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: window.findChild(AboutDialog) is not None)
    dialog = window.findChild(AboutDialog)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    return dialog


def close_with_escape(qtbot, dialog: AboutDialog) -> None:
    assert dialog.isAncestorOf(QApplication.focusWidget())  # Close has the focus
    with qtbot.waitSignal(dialog.finished):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)


def signed_in_window(qtbot, make_controller, vault_dir) -> MainWindow:
    staffed_vault(vault_dir)
    controller = make_controller()
    sign_in(qtbot, controller, "coordinator", STAFF_PASS)
    assert isinstance(controller.window, MainWindow), controller.state
    return controller.window


def test_about_in_spanish_from_the_main_window_says_the_translation_is_a_draft(
        qtbot, qapp, make_controller, vault_dir):
    set_language("es")
    assert is_machine_drafted()  # the Spanish catalogue's header: "(draft, needs review)"
    with app_module.qt_language(qapp, "es"):
        window = signed_in_window(qtbot, make_controller, vault_dir)
        dialog = open_about(qtbot, window)
        texts = dialog.texts()
        assert texts[0] == _("Shelter App")
        assert metadata.version("shelter-app") in texts[1]
        assert language_name("es", language="es") in texts[2]  # "español"
        assert texts[3] == _(DRAFT) and dialog.draft.isVisible()
        close_with_escape(qtbot, dialog)


def test_about_in_english_has_no_draft_notice(qtbot, make_controller, vault_dir):
    window = signed_in_window(qtbot, make_controller, vault_dir)
    assert window.about_action.shortcut().toString() == "F1"
    dialog = open_about(qtbot, window)
    assert dialog.texts() == ["Shelter App", f"Version {metadata.version('shelter-app')}",
                              "Interface language: English"]
    assert not dialog.draft.isVisible()
    close_with_escape(qtbot, dialog)


@pytest.mark.parametrize("language", ["ar", "fr"])
def test_about_from_the_sign_in_screen(qtbot, qapp, make_controller, existing_vault,
                                       language):
    set_language(language)
    with app_module.qt_language(qapp, language):
        controller = make_controller()
        window = controller.window
        assert isinstance(window, SignInWindow)
        dialog = open_about(qtbot, window)
        assert dialog.draft.isVisible() == is_machine_drafted(language)
        assert language_name(language, language=language) in dialog.texts()[2]
        close_with_escape(qtbot, dialog)
