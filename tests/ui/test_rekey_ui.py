"""Changing the vault's keys from the Vault tab: asked first, shown with progress, and the
session goes on under the new key."""

from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QMessageBox

from tests.ui.org_pages import Org, org_fixture  # noqa: F401 - the org fixture
from ui.admin.vault_tab import VaultTab
from ui.background import Background

WAIT_MS = 20_000


@pytest.fixture
def background(qtbot) -> Background:
    worker = Background()
    yield worker
    worker.wait()


def _epoch(org: Org) -> int:
    return int(json.loads((org.folder / "keyslots.json").read_text())["epochs"]["database"])


def test_an_administrator_changes_the_keys_with_progress(qtbot, org: Org, background):
    org.admin.vault_admin.backup()
    tab = VaultTab(org.admin, background)
    qtbot.addWidget(tab)
    tab.show()
    assert tab.rekey_button.isVisible()
    box = tab.rekey()
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert not background.busy and _epoch(org) == 1

    values: list[int] = []
    tab.busy.valueChanged.connect(values.append)
    tab.rekey_button.click()
    box = tab.rekey_box
    (confirm,) = [b for b in box.buttons()
                  if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole]
    assert confirm.text() == "&Change the keys"
    with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
        confirm.click()
        assert not tab.rekey_button.isEnabled() and not tab.backup_button.isEnabled()
    assert _epoch(org) == 2
    assert "the database and 1 backup are now encrypted under a new key" in tab.result.text()
    assert "The content keys were not changed" in tab.result.text()
    assert values and values[-1] == 100
    assert tab.rekey_button.isEnabled() and tab.busy.isHidden()
    with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
        tab.verify_button.click()
    assert tab.report is not None and tab.report.ok, tab.report.lines()


def test_the_button_is_an_administrators_and_a_coordinators(qtbot, org: Org, background):
    for services, shown in ((org.coordinator, True), (org.caseworker, False),
                            (org.legal, False)):
        tab = VaultTab(services, background)
        qtbot.addWidget(tab)
        assert tab.rekey_button.isVisibleTo(tab) is shown
