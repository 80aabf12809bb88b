"""The settings tab: organisation name, neutral window title, auto-lock, case codes, default
document language, attachment limit, the organisation's logo, how often an automatic
backup is made and how many are kept, and the retention periods.

Each value is saved with ``SettingsService.set``, which checks it and records the change;
a refusal is shown under its field.  Only changed values are saved.  The logo is read from
a file the administrator picks (at most 256 KB), must open as an image here, and is stored
by the service without its metadata (see ``shelter_app/domain/images.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from shelter_app.domain.images import MAX_LOGO_BYTES
from shelter_app.errors import ShelterError, ValidationError
from shelter_app.i18n import _
from shelter_app.services.registry import Services
from shelter_app.services.settings import SETTINGS

from ..agenda.common import button, field_with, flow, name_combo_lists, name_combo_parts
from ..cases.pickers import CodeCombo, language_options
from ..file_dialogs import Kind, open_file
from ..widgets import NOTICE_STYLE, MessageLabel, named, paragraph

# The retention periods, lowest and highest (the unit is in each label).
RETENTION: dict[str, tuple[int, int]] = {
    "retention_closed_years": (1, 50), "retention_attachment_years": (1, 50),
    "retention_document_years": (1, 50), "retention_draft_days": (7, 3650),
}

# (parent) → a chosen file, or None; the default asks with the system file dialog.
ChooseFile = Callable[[QWidget], Path | None]
LOGO_PREVIEW_EM = 4


def scrolled(tab: QWidget) -> QScrollArea:
    """*tab* in a frameless area that scrolls when the window is shorter than the form."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setWidget(tab)
    return area


def system_file_dialog(parent: QWidget) -> Path | None:
    name = open_file(parent, Kind.LOGO, _("Choose the organisation's logo"),
                     _("Images (*.png *.jpg *.jpeg)"))
    return Path(name) if name else None


class SettingsTab(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None, *,
                 choose_file: ChooseFile = system_file_dialog) -> None:
        super().__init__(parent)
        self.setObjectName("settings_tab")
        self._services = services
        self._choose_file = choose_file
        self._logo: bytes = b""

        def label(key: str) -> str:
            return _(SETTINGS[key].label)

        self.organisation = QLineEdit()
        self.contact = QLineEdit()
        self.referral_return = QLineEdit()
        self.window_title = QLineEdit()
        self.auto_lock = QSpinBox()
        self.auto_lock.setRange(1, 240)
        self.show_codes = QCheckBox(label("show_case_codes"))
        self.document_language = CodeCombo(language_options(), label("document_language"))
        name_combo_parts(self.document_language, label("document_language"))
        self.attachment_limit = QSpinBox()
        self.attachment_limit.setRange(1, 500)
        self.backup_every = QSpinBox()
        self.backup_every.setRange(0, 30)
        self.backup_every.setSpecialValueText(_("Never"))
        self.backups_kept = QSpinBox()
        self.backups_kept.setRange(2, 100)
        self.threshold = QSpinBox()
        self.threshold.setRange(5, 100)
        self.retention = {key: QSpinBox() for key in RETENTION}
        for key, (low, high) in RETENTION.items():
            self.retention[key].setRange(low, high)
        self.logo_preview = QLabel()
        self.choose_logo_button = button(_("C&hoose logo…"), _("A PNG or JPEG file of at most "
                                                               "256 KB"), self.choose_logo)
        self.remove_logo_button = button(_("Remo&ve logo"), _("Print documents without a "
                                                              "logo"), self.remove_logo)
        self.fields: dict[str, QWidget] = {
            "organisation": self.organisation, "organisation_contact": self.contact,
            "referral_return": self.referral_return,
            "window_title": self.window_title, "auto_lock_minutes": self.auto_lock,
            "show_case_codes": self.show_codes,
            "document_language": self.document_language,
            "attachment_limit_mb": self.attachment_limit,
            "organisation_logo": self.logo_preview,
            "backup_every_days": self.backup_every, "backups_kept": self.backups_kept,
            "statistics_threshold": self.threshold, **self.retention}
        for key, widget in self.fields.items():
            named(widget, label(key))
        self.messages = {key: MessageLabel() for key in self.fields}
        hints = {
            "window_title": _("Shown in the task bar and when sharing a screen: keep it "
                              "neutral, never a person's or the shelter's name."),
            "show_case_codes": _("Lists show SH-2026-0042 instead of a survivor's name."),
            "auto_lock_minutes": _("Applies from the next sign-in."),
            "organisation_contact": _("How partners reach you about a referral: printed on "
                                      "packets and feedback slips."),
            "referral_return": _("Printed on every feedback slip, for example a secure "
                                 "e-mail address or a postal address. Referral packets need "
                                 "it and the contact above."),
            "backup_every_days": _("Made in the background at sign-in, into the vault's "
                                   "backups folder. Also copy the whole vault folder to a "
                                   "drive kept elsewhere."),
            "backups_kept": _("Older copies are deleted, except the last one before each "
                              "upgrade."),
            "statistics_threshold": _("Statistics, reports and anonymised tables show a "
                                      "smaller count as \u201cfewer than\u201d this number, "
                                      "and the anonymised table groups at least this many "
                                      "people. 11 is usual; never below 5."),
            "retention_closed_years": _("When a closed case's period ends, it appears on the "
                                        "purge list, and goes once a coordinator approves "
                                        "the list (the Retention section)."),
            "retention_attachment_years": _("Scans and files of a closed case can go before "
                                            "the case itself."),
            "retention_document_years": _("The record of each packet or letter produced: "
                                          "for whom, under which consent."),
        }
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.logo_preview.setAlignment(Qt.AlignmentFlag.AlignLeading
                                       | Qt.AlignmentFlag.AlignVCenter)
        for key, widget in self.fields.items():
            below: list[QWidget] = [paragraph(hints[key])] if key in hints else []
            if key == "organisation_logo":
                below.append(flow(self.choose_logo_button, self.remove_logo_button))
            field = field_with(widget, *below, self.messages[key],
                               grow=key in ("organisation", "organisation_contact",
                                            "referral_return", "window_title"))
            form.addRow(_("Case lists:") if key == "show_case_codes" else label(key) + ":",
                        field)
        self.error = MessageLabel()
        self.notice = MessageLabel(NOTICE_STYLE)
        self.save_button = button(_("&Save settings"), _("Save the changed settings"),
                                  self.save)
        self.revert_button = button(_("&Undo changes"), _("Show the saved settings again"),
                                    self.load)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.notice)
        layout.addWidget(flow(self.save_button, self.revert_button))
        layout.addStretch(1)
        name_combo_lists(self)
        self.load()

    # -- reading and showing ---------------------------------------------------------
    def saved(self) -> dict[str, Any]:
        return self._services.settings.all()

    def load(self) -> None:
        values = self.saved()
        self.organisation.setText(str(values["organisation"]))
        self.contact.setText(str(values["organisation_contact"]))
        self.referral_return.setText(str(values["referral_return"]))
        self.window_title.setText(str(values["window_title"]))
        self.auto_lock.setValue(int(values["auto_lock_minutes"]))
        self.show_codes.setChecked(bool(values["show_case_codes"]))
        self.document_language.set_value(str(values["document_language"]))
        self.attachment_limit.setValue(int(values["attachment_limit_mb"]))
        self.backup_every.setValue(int(values["backup_every_days"]))
        self.backups_kept.setValue(int(values["backups_kept"]))
        self.threshold.setValue(int(values["statistics_threshold"]))
        for key, box in self.retention.items():
            box.setValue(int(values[key]))
        self._set_logo(self._services.settings.logo())
        for message in (*self.messages.values(), self.error):
            message.clear_message()
        self._shown = self.values()

    def values(self) -> dict[str, Any]:
        return {"organisation": self.organisation.text(),
                "organisation_contact": self.contact.text(),
                "referral_return": self.referral_return.text(),
                "window_title": self.window_title.text(),
                "auto_lock_minutes": self.auto_lock.value(),
                "show_case_codes": self.show_codes.isChecked(),
                "document_language": self.document_language.value(),
                "attachment_limit_mb": self.attachment_limit.value(),
                "organisation_logo": self._logo,
                "backup_every_days": self.backup_every.value(),
                "backups_kept": self.backups_kept.value(),
                "statistics_threshold": self.threshold.value(),
                **{key: box.value() for key, box in self.retention.items()}}

    def _set_logo(self, data: bytes) -> None:
        self._logo = data
        image = QImage.fromData(data) if data else QImage()
        self.remove_logo_button.setEnabled(bool(data))
        if image.isNull():
            self.logo_preview.setPixmap(QPixmap())
            self.logo_preview.setText(_("No logo"))
            return
        height = self.fontMetrics().height() * LOGO_PREVIEW_EM
        self.logo_preview.setPixmap(QPixmap.fromImage(image).scaledToHeight(
            height, Qt.TransformationMode.SmoothTransformation))

    # -- the logo --------------------------------------------------------------------
    def choose_logo(self) -> None:
        path = self._choose_file(self)
        if path is not None:
            self.use_logo_file(path)

    def use_logo_file(self, path: Path) -> bool:
        message = self.messages["organisation_logo"]
        message.clear_message()
        try:
            if path.stat().st_size > MAX_LOGO_BYTES:
                message.show_message(_("The logo is too large: at most {n} KB.").format(
                    n=MAX_LOGO_BYTES // 1024))
                return False
            data = path.read_bytes()
        except OSError:
            message.show_message(_("That file could not be read."))
            return False
        if QImage.fromData(data).isNull() or not data.startswith((b"\x89PNG", b"\xff\xd8")):
            message.show_message(_("The logo must be a PNG or JPEG image."))
            return False
        self._set_logo(data)
        return True

    def remove_logo(self) -> None:
        self._set_logo(b"")

    # -- saving ----------------------------------------------------------------------
    def has_unsaved(self) -> bool:
        """A setting changed on screen since it was shown and not saved (a lock by hand
        and a language switch ask about it)."""
        return bool(self._shown) and self.values() != self._shown

    def save(self) -> bool:
        for message in (*self.messages.values(), self.error):
            message.clear_message()
        self.notice.clear_message()
        saved = self.saved()
        saved["organisation_logo"] = self._services.settings.logo()
        changed = [key for key, value in self.values().items() if value != saved[key]]
        failed = False
        for key in changed:
            try:
                self._services.settings.set(key, self.values()[key])
            except ValidationError as exc:
                self.messages.get(exc.field or key, self.error).show_message(exc.message)
                failed = True
            except ShelterError as exc:
                self.error.show_message(exc.message)
                return False
        if failed:
            return False
        self.load()
        self.notice.show_message(_("Settings saved. The window title and auto-lock take "
                                   "effect at the next sign-in.") if changed else
                                 _("Nothing to save: no setting was changed."))
        return True

    def end_session(self) -> None:
        self._shown = {}
        self._logo = b""
        self.logo_preview.clear()
        for field in (self.organisation, self.contact, self.window_title):
            field.clear()
