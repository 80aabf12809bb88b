"""Administration, settings and vault tabs: saving settings, the logo, check and backup."""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage

from tests.bidi import plain
from tests.ui.conftest import WAIT_MS
from tests.ui.org_pages import Org, org_fixture, unnamed  # noqa: F401 - the org fixture
from ui.admin.settings_tab import SettingsTab
from ui.admin.vault_tab import VaultTab
from ui.background import Background


@pytest.fixture
def background(qtbot) -> Background:
    worker = Background()
    yield worker
    worker.wait()


@pytest.fixture
def tab(qtbot, org: Org) -> SettingsTab:
    widget = SettingsTab(org.admin)
    qtbot.addWidget(widget)
    return widget


def image_file(path: Path, fmt: str, *, text: str = "") -> Path:
    image = QImage(40, 20, QImage.Format.Format_RGB32)
    image.fill(QColor("teal"))
    if text:
        image.setText("Author", text)
    assert image.save(str(path), fmt)
    return path


def test_settings_are_shown_saved_and_checked(qtbot, org: Org, tab):
    before = len(org.audit("settings.changed"))  # the fixture's own
    assert tab.organisation.text() == "Harbour House"
    assert tab.auto_lock.value() == 5 and not tab.show_codes.isChecked()
    assert tab.document_language.value() == "en"
    assert unnamed(tab) == []
    tab.save_button.click()
    assert tab.notice.text() == "Nothing to save: no setting was changed."

    tab.organisation.setText("Harbour House Legal Clinic")
    tab.window_title.setText("Office notes")
    tab.auto_lock.setValue(12)
    tab.show_codes.setChecked(True)
    tab.document_language.set_value("fr")
    tab.attachment_limit.setValue(40)
    tab.contact.setText("Intake desk, +44 20 7946 0000")
    assert tab.referral_return.text() == "Secure e-mail to referrals@example.org"
    tab.referral_return.setText("By post to PO Box 12, or hand it to the person")
    assert tab.backup_every.value() == 1 and tab.backups_kept.value() == 10
    tab.backup_every.setValue(0)
    assert tab.backup_every.text() == "Never"
    tab.backups_kept.setValue(30)
    assert tab.threshold.value() == 11 and tab.threshold.minimum() == 5  # never below 5
    tab.threshold.setValue(15)
    assert tab.save()
    assert org.admin.settings.all() | {"organisation_logo": ""} == {
        "organisation": "Harbour House Legal Clinic", "window_title": "Office notes",
        "auto_lock_minutes": 12, "show_case_codes": True, "document_language": "fr",
        "attachment_limit_mb": 40, "organisation_logo": "",
        "organisation_contact": "Intake desk, +44 20 7946 0000", "backup_every_days": 0,
        "backups_kept": 30, "referral_return": "By post to PO Box 12, or hand it to the person",
        "statistics_threshold": 15, "retention_closed_years": 5,
        "retention_attachment_years": 2, "retention_document_years": 5,
        "retention_draft_days": 90}
    assert "next sign-in" in tab.notice.text()
    changed = [e["details"]["setting"] for e in org.audit("settings.changed")][before:]
    assert sorted(changed) == ["attachment_limit_mb", "auto_lock_minutes", "backup_every_days",
                               "backups_kept", "document_language", "organisation",
                               "organisation_contact", "referral_return", "show_case_codes",
                               "statistics_threshold", "window_title"]

    tab.organisation.setText("   ")
    assert not tab.save()
    assert tab.messages["organisation"].text() == "This setting cannot be empty."
    assert org.admin.settings.get("organisation") == "Harbour House Legal Clinic"
    tab.revert_button.click()
    assert tab.organisation.text() == "Harbour House Legal Clinic"


def test_logo_is_checked_previewed_and_stored_without_metadata(qtbot, org: Org, tab,
                                                               tmp_path: Path):
    png = image_file(tmp_path / "logo.png", "PNG", text="Maria, 12 Rose Street")
    assert b"Rose Street" in png.read_bytes()
    tab._choose_file = lambda parent: png
    tab.choose_logo_button.click()
    assert not tab.logo_preview.pixmap().isNull()
    assert tab.save()
    stored = org.admin.settings.logo()
    assert stored.startswith(b"\x89PNG") and b"Rose Street" not in stored
    assert not QImage.fromData(stored).isNull(), "the cleaned logo is still an image"
    assert base64.b64decode(org.admin.settings.get("organisation_logo")) == stored

    jpeg = image_file(tmp_path / "logo.jpg", "JPEG")
    assert tab.use_logo_file(jpeg) and tab.save()
    assert not QImage.fromData(org.admin.settings.logo()).isNull()

    fake = tmp_path / "logo.png.exe"
    fake.write_bytes(b"MZ not an image")
    assert not tab.use_logo_file(fake)
    assert tab.messages["organisation_logo"].text() == "The logo must be a PNG or JPEG image."
    big = tmp_path / "big.png"
    big.write_bytes(b"\x89PNG" + b"\0" * 300_000)
    assert not tab.use_logo_file(big)
    assert "too large" in tab.messages["organisation_logo"].text()

    tab.remove_logo_button.click()
    assert tab.save() and org.admin.settings.logo() == b""
    assert tab.logo_preview.text() == "No logo"


def test_vault_check_and_backup_run_in_the_background(qtbot, org: Org, background):
    tab = VaultTab(org.admin, background)
    qtbot.addWidget(tab)
    tab.show()
    assert tab.last_backup.text() == "There is no backup yet."
    with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
        tab.verify_button.click()
        assert not tab.verify_button.isEnabled() and tab.busy.isVisible()
    assert tab.report is not None and tab.report.ok
    lines = tab.lines.toPlainText().splitlines()
    assert lines == tab.report.lines()
    assert lines[0] == "Database: every page is intact."
    assert lines[1].startswith("Audit chain:") and lines[1].endswith("events, unbroken.")
    assert tab.result.text() == "The vault is intact." and tab.verify_button.isEnabled()
    with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
        tab.backup_button.click()
    path = plain(tab.result.text()).removeprefix("Backup saved and checked: ")
    assert Path(path).is_file() and Path(path).parent.name == "backups"
    assert tab.last_backup.text().startswith("Newest backup: ")
    assert str(dt.date.today().year) in tab.last_backup.text()
    assert unnamed(tab) == []
    tab.end_session()
    assert tab.lines.toPlainText() == "" and tab.report is None


def test_the_vault_is_copied_to_another_drive_in_the_background(qtbot, org: Org, background,
                                                                tmp_path: Path):
    drive = tmp_path / "drive"
    drive.mkdir()
    chosen: list[Path | None] = [None, drive, tmp_path / "unplugged"]
    tab = VaultTab(org.admin, background, choose_folder=lambda _parent: chosen.pop(0))
    qtbot.addWidget(tab)
    tab.show()
    tab.copy_button.click()  # the dialog was cancelled: nothing happens
    assert not background.busy and list(drive.iterdir()) == []
    with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
        tab.copy_button.click()
        assert not tab.copy_button.isEnabled() and tab.busy.isVisible()
    [copy] = drive.iterdir()
    said = plain(tab.result.text())
    assert str(copy) in said and "keep the drive locked away" in said
    with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
        tab.copy_button.click()
    assert "does not exist" in tab.error.text() and tab.copy_button.isEnabled()


def test_coordinator_may_check_but_not_back_up(qtbot, org: Org, background):
    tab = VaultTab(org.coordinator, background)
    qtbot.addWidget(tab)
    assert tab.verify_button.isVisibleTo(tab) and not tab.backup_button.isVisibleTo(tab)
    assert not tab.last_backup.isVisibleTo(tab) and not tab.copy_button.isVisibleTo(tab)
