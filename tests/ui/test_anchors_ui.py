"""Anchors of the audit chain on screen: a coordinator issues a fingerprint from the Audit
log and checks it in the Vault tab; an administrator sees a cut-back chain named and, after
restoring a backup on purpose, accepts it; a warning at sign-in reaches the main window."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from shelter_app.vault.anchors import Anchor, parse_fingerprint
from tests.bidi import plain
from tests.ui.org_pages import Org, org_fixture  # noqa: F401 - the org fixture
from ui.admin.vault_tab import VaultTab
from ui.background import Background
from ui.main_window import MainWindow

from .test_audit_page import open_section

WAIT_MS = 20_000


@pytest.fixture
def background(qtbot) -> Background:
    worker = Background()
    yield worker
    worker.wait()


def _anchor_past_the_chain(org: Org) -> int:
    """Write the key file's anchor for an event the database does not have, as after an
    older cases.db was put back (signed with the anchor key, as the application would)."""
    opened = org.opened[0]
    newest = opened.audit.newest()
    assert newest is not None
    path = org.folder / "keyslots.json"
    body = json.loads(path.read_text())
    body["audit_anchor"] = Anchor(newest[0] + 40, bytes(32), "2026-12-01T09:00:00Z").to_json(
        opened.anchor_key(), opened.vault_id)
    path.write_text(json.dumps(body, indent=2) + "\n")
    return newest[0] + 40


def test_a_coordinator_issues_a_fingerprint_and_checks_it_later(qtbot, org: Org, background):
    _window, page = open_section(qtbot, org.coordinator)
    page.fingerprint_button.setFocus()
    qtbot.keyClick(page.fingerprint_button, Qt.Key.Key_Space)
    box = page.fingerprint_box
    assert box is not None and box.isVisible()
    shown = box.text().strip("\u2068\u2069")
    parsed = parse_fingerprint(shown)
    assert parsed is not None and shown.startswith(f"#{parsed[0]} ")
    assert "Write this fingerprint down" in box.informativeText()
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert page.fingerprint_box is None

    tab = VaultTab(org.coordinator, background)
    qtbot.addWidget(tab)
    tab.show()
    tab.fingerprints.setFocus()
    qtbot.keyClicks(tab.fingerprints, shown.lower())  # typed back from paper
    with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
        qtbot.keyClick(tab.fingerprints, Qt.Key.Key_Return)
    assert tab.report is not None and tab.report.ok, tab.report.lines()
    assert any(f"Fingerprint #{parsed[0]}" in plain(line) and "matches" in line
               for line in tab.lines.toPlainText().splitlines())
    assert not tab.accept_button.isVisible()

    tab.fingerprints.setText("#3 nonsense")
    with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
        tab.verify_button.click()
    assert "is not an audit fingerprint" in tab.error.text()


def test_an_administrator_accepts_a_restored_backup(qtbot, org: Org, background, monkeypatch):
    anchored = _anchor_past_the_chain(org)
    tab = VaultTab(org.admin, background)
    qtbot.addWidget(tab)
    tab.show()
    with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
        tab.verify_button.click()
    assert tab.report is not None and not tab.report.ok and tab.report.chain.ok
    assert f"Key file: event #{anchored} is no longer in the audit chain" \
        in tab.lines.toPlainText()
    assert "older copy of the database was put back" in tab.error.text()
    assert tab.accept_button.isVisible()

    monkeypatch.setattr(QMessageBox, "question",
                        lambda *_a, **_k: QMessageBox.StandardButton.Cancel)
    tab.accept_button.click()
    assert not background.busy and tab.accept_button.isVisible()
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
        tab.accept_button.click()
    assert tab.report.ok, tab.report.lines()
    assert tab.result.text() == "The vault is intact." and not tab.accept_button.isVisible()
    assert "vault.anchor_reset" in [e.action for e in org.opened[0].audit.events(limit=10)]


def test_a_coordinator_cannot_accept_a_restored_backup(qtbot, org: Org, background):
    _anchor_past_the_chain(org)
    tab = VaultTab(org.coordinator, background)
    qtbot.addWidget(tab)
    tab.show()
    with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
        tab.verify_button.click()
    assert tab.report is not None and not tab.report.ok
    assert not tab.accept_button.isVisible()


def test_the_sign_in_warning_is_shown_in_the_main_window(qtbot, org: Org):
    window = MainWindow(org.caseworker, Background(),
                        integrity_warning="This vault's audit record is shorter…")
    qtbot.addWidget(window)
    window.show()
    assert window.integrity_banner.isVisible()
    assert window.integrity_banner.text().startswith("This vault's audit record")
    plain = MainWindow(org.caseworker, Background())
    qtbot.addWidget(plain)
    plain.show()
    assert not plain.integrity_banner.isVisible()


def test_rows_changed_outside_the_application_are_named_in_the_vault_tab(qtbot, org: Org,
                                                                         background):
    from tests.conftest import raw_connect, unwrap_data_key

    case = org.new_case("Hana Tampered")
    conn = raw_connect(org.folder, unwrap_data_key(org.folder))
    conn.execute("UPDATE cases SET assigned_to = NULL WHERE id = ?", (case.id,))
    conn.close()
    tab = VaultTab(org.coordinator, background)
    qtbot.addWidget(tab)
    tab.show()
    with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
        tab.verify_button.click()
    assert tab.report is not None and not tab.report.ok
    assert "were changed outside the application" in tab.error.text()
    assert f"Case {case.code}: the case's row does not match its seal." in plain(
        tab.lines.toPlainText())
    assert not tab.accept_button.isVisible()
