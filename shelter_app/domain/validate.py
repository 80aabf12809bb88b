"""Field checks shared by every record: dates, codes, lengths.  Messages name the field."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from shelter_app.errors import ValidationError
from shelter_app.i18n import _

MAX_SHORT = 200
MAX_NOTE = 100_000  # a page of typed notes is ~3,000 characters; 100,000 is generous


def text(value: Any, field: str, *, limit: int = MAX_SHORT, required: bool = False) -> str:
    out = "" if value is None else str(value)
    out = out.strip()
    if required and not out:
        raise ValidationError(_("This field is required."), field)
    if len(out) > limit:
        raise ValidationError(
            _("Too long: at most {limit} characters (this has {n}).").format(
                limit=f"{limit:,}", n=f"{len(out):,}"), field)
    return out


def note(value: Any, field: str) -> str:
    return text(value, field, limit=MAX_NOTE)


def date(value: Any, field: str, *, required: bool = False, not_future: bool = False,
         earliest: dt.date = dt.date(1900, 1, 1)) -> dt.date | None:
    if value in (None, ""):
        if required:
            raise ValidationError(_("Enter a date."), field)
        return None
    result: dt.date
    if isinstance(value, dt.datetime):
        result = value.date()
    elif isinstance(value, dt.date):
        result = value
    else:
        try:
            result = dt.date.fromisoformat(str(value).strip())
        except ValueError as exc:
            raise ValidationError(
                _("'{value}' is not a date. Use the form YYYY-MM-DD, for example 2026-03-31.")
                .format(value=str(value)[:40]), field) from exc
    if result < earliest:
        raise ValidationError(_("That date is too far in the past."), field)
    if not_future and result > dt.date.today():
        raise ValidationError(_("That date is in the future."), field)
    return result


def datetime_utc(value: Any, field: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        result = value
    else:
        try:
            result = dt.datetime.fromisoformat(str(value).strip())
        except ValueError as exc:
            raise ValidationError(
                _("'{value}' is not a date and time. Use the form YYYY-MM-DD HH:MM.")
                .format(value=str(value)[:40]), field) from exc
    if result.tzinfo is None:
        result = result.astimezone()  # local wall-clock time as typed
    return result.astimezone(dt.UTC)


def order(first: dt.date | dt.datetime | None, second: dt.date | dt.datetime | None,
          field: str, message: str | None = None) -> None:
    if first is not None and second is not None and second < first:
        raise ValidationError(message or _("The end is before the start."), field)


def parse_utc(text: str) -> dt.datetime:
    """A stored UTC timestamp ("2026-11-26T14:33:00Z", with or without fractions) as an
    aware datetime: the inverse of ``iso`` and of ``store.audit.now_utc``."""
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def iso(value: dt.date | dt.datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in (None, ""):
        return False
    text_value = str(value).strip().casefold()
    if text_value in ("1", "true", "yes", "y", "on", "x"):
        return True
    if text_value in ("0", "false", "no", "n", "off"):
        return False
    raise ValidationError(_("Enter yes or no."))


@cache
def _country_codes() -> frozenset[str]:
    from shelter_app.i18n.formatting import countries

    return frozenset(countries(language="en"))


@cache
def _language_codes() -> frozenset[str]:
    from babel import Locale

    return frozenset(c for c in Locale.parse("en").languages
                     if isinstance(c, str) and c.isalpha() and 2 <= len(c) <= 3)


def country(code: Any, field: str) -> str:
    value = str(code).strip().upper()
    if value not in _country_codes():
        raise ValidationError(
            _("'{code}' is not an ISO 3166 country code (two letters, such as NG or VN).")
            .format(code=str(code)[:20]), field)
    return value


def language(code: Any, field: str) -> str:
    value = str(code).strip().lower()
    if value not in _language_codes():
        raise ValidationError(
            _("'{code}' is not an ISO 639 language code (such as ar, ro or vi).")
            .format(code=str(code)[:20]), field)
    return value
