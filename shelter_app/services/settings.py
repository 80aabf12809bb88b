"""Organisation settings: read by everyone signed in, changed by administrators."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shelter_app.domain.audit import Event
from shelter_app.domain.roles import Action
from shelter_app.errors import ValidationError
from shelter_app.i18n import N_, _
from shelter_app.i18n.formatting import fill
from shelter_app.services.context import ServiceContext
from shelter_app.store.audit import now_utc


@dataclass(frozen=True)
class Setting:
    key: str
    label: str
    default: Any
    check: Callable[[Any], Any]


def _minutes(value: Any) -> int:
    try:
        minutes = int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(_("Enter a whole number of minutes."), "auto_lock_minutes") from exc
    if not 1 <= minutes <= 240:
        raise ValidationError(_("Auto-lock must be between 1 and 240 minutes."),
                              "auto_lock_minutes")
    return minutes


def _text(key: str, limit: int, *, required: bool) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        text = str(value).strip()
        if required and not text:
            raise ValidationError(_("This setting cannot be empty."), key)
        if len(text) > limit:
            raise ValidationError(_("At most {n} characters.").format(n=limit), key)
        return text
    return check


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValidationError(_("Enter yes or no."))


def _language(value: Any) -> str:
    from shelter_app.i18n.formatting import language_name

    code = str(value).strip()
    if language_name(code.split("_")[0], language="en") is None:
        raise ValidationError(_("Unknown language code."), "document_language")
    return code


def _megabytes(value: Any) -> int:
    try:
        size = int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(_("Enter a whole number of megabytes."),
                              "attachment_limit_mb") from exc
    if not 1 <= size <= 500:
        raise ValidationError(_("The attachment limit must be between 1 and 500 MB."),
                              "attachment_limit_mb")
    return size


def _whole(key: str, low: int, high: int, message: str) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        try:
            number = int(value)
        except (TypeError, ValueError) as exc:
            raise ValidationError(_("Enter a whole number."), key) from exc
        if not low <= number <= high:
            raise ValidationError(_(message).format(low=low, high=high), key)
        return number
    return check


def _logo(value: Any) -> str:
    """PNG or JPEG bytes (or their base64 text) → base64 of the checked image without its
    metadata; empty clears the logo."""
    from shelter_app.domain.images import FIELD, MAX_LOGO_BYTES, clean_logo

    if value in (None, "", b""):
        return ""
    if isinstance(value, str):
        if len(value) > MAX_LOGO_BYTES * 2:
            raise ValidationError(_("The logo is too large: at most {n} KB.").format(
                n=MAX_LOGO_BYTES // 1024), FIELD)
        try:
            value = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValidationError(_("The logo must be a PNG or JPEG image."), FIELD) from exc
    if not isinstance(value, bytes | bytearray):
        raise ValidationError(_("The logo must be a PNG or JPEG image."), FIELD)
    return base64.b64encode(clean_logo(bytes(value))).decode("ascii")


_YEARS = N_("Between {low} and {high} years.")

SETTINGS: dict[str, Setting] = {
    s.key: s
    for s in (
        Setting("organisation", N_("Organisation name"), "",
                _text("organisation", 200, required=True)),
        Setting("organisation_contact", N_("Contact printed on documents"), "",
                _text("organisation_contact", 300, required=False)),
        Setting("referral_return", N_("How partners return feedback slips"), "",
                _text("referral_return", 300, required=False)),
        Setting("auto_lock_minutes", N_("Lock after idle minutes"), 5, _minutes),
        Setting("window_title", N_("Window title"), "Shelter App",
                _text("window_title", 60, required=True)),
        Setting("show_case_codes", N_("Show case codes instead of names"), False, _flag),
        Setting("document_language", N_("Default document language"), "en", _language),
        Setting("attachment_limit_mb", N_("Largest attachment (MB)"), 25, _megabytes),
        Setting("organisation_logo", N_("Organisation logo"), "", _logo),
        Setting("backup_every_days", N_("Automatic backup every (days)"), 1,
                _whole("backup_every_days", 0, 30,
                       N_("Between {low} (never) and {high} days."))),
        Setting("statistics_threshold", N_("Smallest count shown in statistics"), 11,
                _whole("statistics_threshold", 5, 100,
                       N_("Between {low} and {high}: smaller counts are shown as fewer "
                          "than this."))),
        Setting("backups_kept", N_("Backups kept"), 10,
                _whole("backups_kept", 2, 100, N_("Keep between {low} and {high} backups."))),
        Setting("retention_closed_years", N_("Closed cases kept for (years)"), 5,
                _whole("retention_closed_years", 1, 50, _YEARS)),
        Setting("retention_attachment_years", N_("Attachments of closed cases kept for "
                                                 "(years)"), 2,
                _whole("retention_attachment_years", 1, 50, _YEARS)),
        Setting("retention_document_years", N_("Records of documents produced kept for "
                                               "(years)"), 5,
                _whole("retention_document_years", 1, 50, _YEARS)),
        Setting("retention_draft_days", N_("Unsaved changes kept for (days)"), 90,
                _whole("retention_draft_days", 7, 3650,
                       N_("Between {low} and {high} days."))),
    )
}


class SettingsService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def get(self, key: str) -> Any:
        setting = SETTINGS[key]
        raw = self._ctx.db.scalar("SELECT value FROM settings WHERE key = :k", {"k": key})
        return setting.default if raw is None else json.loads(raw)

    def logo(self) -> bytes:
        """The organisation's logo (PNG or JPEG, already checked), or b"" when none is set."""
        return base64.b64decode(str(self.get("organisation_logo") or ""))

    def all(self) -> dict[str, Any]:
        return {key: self.get(key) for key in SETTINGS}

    def set(self, key: str, value: Any) -> Any:
        setting = SETTINGS.get(key)
        if setting is None:
            raise ValidationError(fill(_("Unknown setting '{key}'."), key=key))
        checked = setting.check(value)
        with self._ctx.write(Action.CHANGE_SETTINGS, Event.SETTING_CHANGED, target_type="setting",
                             target_id=key, details={"setting": key}) as db:
            db.execute(
                "INSERT INTO settings (key, value, updated_at, updated_by) VALUES (:k, :v, :now,"
                " :actor) ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
                " updated_at = excluded.updated_at, updated_by = excluded.updated_by,"
                " row_version = settings.row_version + 1",
                {"k": key, "v": json.dumps(checked), "now": now_utc(),
                 "actor": self._ctx.session.user_id},
            )
        return checked
