"""Dates, numbers and country/language names from CLDR, in the language in force.

Dates shown to people have one form throughout the interface: CLDR's *medium* date of the
language ("4 Dec 2026", "Dec 4, 2026", "4 déc. 2026").  Times use the language's own clock
(CLDR's short time: "22:00" where people use the 24-hour clock, "10:00 PM" where they do
not) and never show seconds.  Reading what people type is ``i18n/parsing.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers

from shelter_app.i18n import _, current_language

# Region codes CLDR names that are not countries or territories: unknown, pseudo-locales,
# the EU, the eurozone, the UN, "outlying Oceania".
_NOT_COUNTRIES = frozenset({"ZZ", "XA", "XB", "EU", "EZ", "UN", "QO"})
Length = Literal["full", "long", "medium", "short"]


def locale_for(language: str | None = None) -> Locale:
    """The CLDR locale of *language* (default: the interface language); English when unknown."""
    code = language or current_language()
    if code == "en_XA":  # the pseudo-locale formats like English
        code = "en"
    try:
        return Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def format_date(value: dt.date, *, length: Length = "medium", language: str | None = None) -> str:
    """*value* as *language* writes a date (``medium`` in the interface; ``long`` and
    ``full`` in documents)."""
    return str(babel_dates.format_date(value, format=length, locale=locale_for(language)))


def format_datetime(
    value: dt.datetime, *, length: Length = "medium", language: str | None = None
) -> str:
    """A date (at *length*) and the time of day on the language's own clock, joined the
    way the language joins them; local time for an aware value, never seconds."""
    if value.tzinfo is not None:
        value = value.astimezone()
    locale = locale_for(language)
    joined = str(babel_dates.get_datetime_format(length, locale=locale)).replace("'", "")
    return joined.replace("{1}", format_date(value.date(), length=length, language=language)) \
        .replace("{0}", format_time(value, language=language))


def format_time(value: dt.datetime | dt.time, *, length: Length = "short",
                language: str | None = None) -> str:
    """A time of day (local time for an aware value), as *language* writes it."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone()
    return str(babel_dates.format_time(value, format=length, locale=locale_for(language)))


def weekday_name(value: dt.date, *, width: str = "abbreviated",
                 language: str | None = None) -> str:
    """The day of the week of *value* ("Fri", or "Friday" with ``width="wide"``)."""
    days = locale_for(language).days["format"][width]
    return str(days[value.weekday()])


def uses_24_hour_clock(language: str | None = None) -> bool:
    """True where people write 22:00 rather than 10:00 PM (CLDR's short time pattern)."""
    pattern = locale_for(language).time_formats["short"].pattern
    return "H" in pattern or "k" in pattern


def weekend_days(language: str | None = None) -> frozenset[int]:
    """The days of the weekend where *language* is spoken (Monday = 0), from CLDR: Saturday
    and Sunday in most places, Friday and Saturday in Egypt or Saudi Arabia."""
    locale = locale_for(language)
    start, end = locale.weekend_start, locale.weekend_end
    return frozenset(range(start, end + 1) if start <= end else
                     [*range(start, 7), *range(end + 1)])


def join_list(items: Iterable[str], *, language: str | None = None) -> str:
    """The non-empty *items* as a list the language writes (Arabic script has its own
    comma)."""
    arabic_script = (language or current_language()).split("_")[0] in ("ar", "fa", "ur")
    return ("، " if arabic_script else ", ").join(x for x in items if x)


def isolated(text: str) -> str:
    """*text* (a date, a time) as a run of its own direction inside a sentence, so that it
    reads the same in a right-to-left one ("from 04/12/2026، 9:30 م", not scrambled)."""
    return f"\u2068{text}\u2069"


# Explicit direction controls (embeddings, overrides, isolates) that text people typed may
# carry; inside a sentence they could end an isolate early or turn the sentence around.
_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
_OPENERS = ("\u2066", "\u2067", "\u2068")


def fill(template: str, /, **values: object) -> str:
    """*template* (a translated sentence) with its ``{placeholders}`` filled in, every
    piece of text among *values* isolated, so that a value of the other direction keeps
    its own order and leaves its neighbours alone: "SH-2026-0042" or "Maria Lopez" inside
    an Arabic sentence, "مريم حسن" inside an English one, with the full stop, the
    parentheses and the colon still where the sentence puts them.

    The one way a value — a name, a user name, a case code, a partner, a file name or path,
    anything people typed — goes into a sentence shown to people::

        fill(_("Case {code} is now shared with {names}."), code=code, names=names)

    - text, and anything else shown as text (a path), is isolated (U+2068 … U+2069, as
      ``isolated``), with any direction control it carries removed; text that is already
      isolated is left as it is;
    - numbers (``int``, ``float``) are left to ``str.format``, exactly as ``.format`` shows
      them;
    - sentences that carry only numbers, dates formatted by babel (``format_date``) and
      translated words keep plain ``.format``: those are in the sentence's own language and
      direction, already written the way it writes them.

    Not for text other programs read (CSV, logs): isolation marks would become part of it.
    """
    return template.format(**{key: _isolated_value(value) for key, value in values.items()})


def _isolated_value(value: object) -> object:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    value = str(value)
    if value.startswith(_OPENERS) and value.endswith("\u2069"):
        return value
    return isolated(value.translate(_CONTROLS))


def format_number(value: int | float, *, language: str | None = None) -> str:
    return str(babel_numbers.format_decimal(value, locale=locale_for(language)))


def format_megabytes(size: int) -> str:
    """A file's size in megabytes, one decimal, as the interface language writes numbers."""
    return _("{size} MB").format(size=format_number(round(size / 1e6, 1)))


def country_name(code: str, *, language: str | None = None) -> str | None:
    """The CLDR name of ISO 3166 alpha-2 *code*, or None for an unknown code."""
    code = code.upper()
    if len(code) != 2 or not code.isalpha() or code in _NOT_COUNTRIES:
        return None
    name: str | None = locale_for(language).territories.get(code)
    return name


def language_name(code: str, *, language: str | None = None) -> str | None:
    """The CLDR name of ISO 639 *code* (``uk``, ``vi``, ``ar``), or None when unknown."""
    names = locale_for(language).languages
    return names.get(code.lower().replace("-", "_"))


def countries(*, language: str | None = None) -> dict[str, str]:
    """ISO 3166 alpha-2 codes of real countries and territories, with their names."""
    territories = locale_for(language).territories
    return {
        code: name
        for code, name in territories.items()
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    }
