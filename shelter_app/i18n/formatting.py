"""Dates, numbers and country/language names from CLDR, in the language in force."""

from __future__ import annotations

import datetime as dt

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers

from shelter_app.i18n import current_language

# Region codes CLDR names that are not countries or territories: unknown, pseudo-locales,
# the EU, the eurozone, the UN, "outlying Oceania".
_NOT_COUNTRIES = frozenset({"ZZ", "XA", "XB", "EU", "EZ", "UN", "QO"})


def _locale(language: str | None) -> Locale:
    code = language or current_language()
    if code == "en_XA":  # the pseudo-locale formats like English
        code = "en"
    try:
        return Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def format_date(value: dt.date, *, length: str = "medium", language: str | None = None) -> str:
    return str(babel_dates.format_date(value, format=length, locale=_locale(language)))


def format_datetime(
    value: dt.datetime, *, length: str = "medium", language: str | None = None
) -> str:
    if value.tzinfo is not None:
        value = value.astimezone()
    return str(babel_dates.format_datetime(value, format=length, locale=_locale(language)))


def format_time(value: dt.datetime | dt.time, *, length: str = "short",
                language: str | None = None) -> str:
    """A time of day (local time for an aware value), as *language* writes it."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone()
    return str(babel_dates.format_time(value, format=length, locale=_locale(language)))


def format_number(value: int | float, *, language: str | None = None) -> str:
    return str(babel_numbers.format_decimal(value, locale=_locale(language)))


def country_name(code: str, *, language: str | None = None) -> str | None:
    """The CLDR name of ISO 3166 alpha-2 *code*, or None for an unknown code."""
    code = code.upper()
    if len(code) != 2 or not code.isalpha() or code in _NOT_COUNTRIES:
        return None
    name: str | None = _locale(language).territories.get(code)
    return name


def language_name(code: str, *, language: str | None = None) -> str | None:
    """The CLDR name of ISO 639 *code* (``uk``, ``vi``, ``ar``), or None when unknown."""
    names = _locale(language).languages
    return names.get(code.lower().replace("-", "_"))


def countries(*, language: str | None = None) -> dict[str, str]:
    """ISO 3166 alpha-2 codes of real countries and territories, with their names."""
    territories = _locale(language).territories
    return {
        code: name
        for code, name in territories.items()
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    }
