"""Reading dates and times as people type them, in the interface language (CLDR via babel).

A date may be typed as ISO (``2026-12-04``), in the language's numeric order
(``04/12/2026`` in British English, ``12/4/2026`` in American English, ``٤/١٢/٢٠٢٦`` in
Arabic) or with the month's name (``4 Dec 2026``, ``Dec 4, 2026``, ``4 déc. 2026``).  A
time may be typed on the 24-hour clock or with the language's AM/PM markers (``10:00 AM``,
``10:00 م``, ``10 SA``); English ``am``/``pm`` are understood everywhere.

Nothing is guessed.  Text that cannot be read gives a message saying why, never a value;
a time on a 12-hour clock without AM or PM is refused as ambiguous.  A numeric date whose
day and month could be swapped is read in the language's order and says so (``order``), so
that the form can show the date it read back in words before anything is saved.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from babel import Locale

from shelter_app.i18n import _, current_language
from shelter_app.i18n.formatting import format_date, format_time, locale_for, uses_24_hour_clock
from shelter_app.i18n.formatting import isolated as _run

# Marks that steer right-to-left text; CLDR puts them in Arabic dates ("4‏/12‏/2026").
_BIDI = dict.fromkeys(map(ord, "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e"
                                 "\u2066\u2067\u2068\u2069"))
_SPACES = dict.fromkeys(map(ord, "\u00a0\u202f\u2009\u3000"), " ")
_SAMPLE = dt.date(2026, 12, 31)  # a day above 12: nothing in an example can be swapped
_ENGLISH = Locale.parse("en")
_ORDINAL = re.compile(r"(?<=\d)(st|nd|rd|th)\b")
_WORD = re.compile(r"\d+|[^\W\d_]+")
_TIME = re.compile(r"(\d{1,2})(?:\s*[:.hH]\s*(\d{2})?(?:\s*[:.]\s*(\d{2}))?)?")


@dataclass(frozen=True)
class DateReading:
    """What a typed date was read as: a value, or a problem (neither for empty text).

    ``order`` is ``"dmy"`` or ``"mdy"`` when the text was numeric and its day and month
    could have been read the other way round; the form then says which way it read it."""

    value: dt.date | None = None
    problem: str = ""
    order: str = ""


@dataclass(frozen=True)
class TimeReading:
    value: dt.time | None = None
    problem: str = ""


def plain(text: str) -> str:
    """*text* with every kind of digit as ASCII, bidi marks dropped, spaces made plain,
    case folded: ``"٤‏/١٢"`` → ``"4/12"``."""
    out = []
    for ch in text.translate(_BIDI).translate(_SPACES):
        digit = unicodedata.decimal(ch, None)
        out.append(str(digit) if digit is not None else ch)
    return "".join(out).casefold().strip()


def numeric_order(language: str | None = None) -> str:
    """The order of day, month and year in the language's numeric dates: dmy, mdy or ymd."""
    return _numeric_order(_code(language))


def date_example(language: str | None = None) -> str:
    """A numeric example in the language's order with the year in full (31/12/2026)."""
    order = numeric_order(language)
    separator = _separator(_code(language))
    parts = {"d": "31", "m": "12", "y": "2026"}
    return separator.join(parts[k] for k in order)



def order_words(order: str) -> str:
    """"day/month/year", translated, for the order *order* (``dmy``, ``mdy``, ``ymd``)."""
    words = {"d": _("day"), "m": _("month"), "y": _("year")}
    return "/".join(words[k] for k in order)


def read_date(text: str, *, language: str | None = None) -> DateReading:
    """Read *text* as a date, as people write one in *language* (default: the interface's)."""
    typed = plain(text)
    if not typed:
        return DateReading()
    code = _code(language)
    iso = re.fullmatch(r"(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})", typed)
    if iso:
        return _made(typed, int(iso[1]), int(iso[2]), int(iso[3]), code)
    rest, month = _take_month(typed, code)
    rest = _ORDINAL.sub("", rest)
    words = _WORD.findall(_strip_words(rest, code))
    if any(not w.isdigit() for w in words):
        return DateReading(problem=_unreadable(text, code))
    numbers = [w for w in words if w.isdigit()]
    if month is not None:
        return _with_month_name(text, numbers, month, code)
    if len(numbers) == 2:
        return DateReading(problem=_("Add the year, for example {example}.").format(
            example=_run(date_example(code))))
    if len(numbers) != 3:
        return DateReading(problem=_unreadable(text, code))
    order = _numeric_order(code)
    parts = dict(zip(order, numbers, strict=True))
    if len(parts["y"]) not in (2, 4) or len(parts["d"]) > 2 or len(parts["m"]) > 2:
        return DateReading(problem=_wrong_order(text, code))
    day, month_number = int(parts["d"]), int(parts["m"])
    try:
        value = dt.date(_year(parts["y"]), month_number, day)
    except ValueError:
        return DateReading(problem=_wrong_order(text, code) if month_number > 12
                           else _("There is no such date: {text}.").format(
                               text=_run(text.strip())))
    swappable = day <= 12 and month_number <= 12 and day != month_number
    return DateReading(value, order=order if swappable else "")


def read_time(text: str, *, language: str | None = None) -> TimeReading:
    """Read *text* as a time of day.  On a 12-hour clock an hour from 1 to 12 needs AM or
    PM (a leading zero, ``09:00``, or an hour past 12 reads as the 24-hour clock)."""
    typed = plain(text)
    if not typed:
        return TimeReading()
    code = _code(language)
    compact = re.fullmatch(r"(\d{1,2})(\d{2})(\D*)", typed)  # "1030", "930 pm"
    if compact:
        typed = f"{compact[1]}:{compact[2]}{compact[3]}"
    found = _TIME.search(typed)
    if found is None:
        return TimeReading(problem=_time_unreadable(text, code))
    marker = (typed[:found.start()] + " " + typed[found.end():]).strip()
    period = _period(marker, code) if marker else ""
    if period is None:
        return TimeReading(problem=_time_unreadable(text, code))
    hour_text, minute = found[1], int(found[2] or 0)
    hour = int(hour_text)
    if minute > 59:
        return TimeReading(problem=_time_unreadable(text, code))
    if period:
        if not 1 <= hour <= 12:
            return TimeReading(problem=_("{hour} does not go with {marker}: type a time such "
                                         "as {example}.").format(
                hour=hour, marker=marker.upper(), example=_run(_time_example(code))))
        hour = hour % 12 + (12 if period == "pm" else 0)
    elif hour > 23:
        return TimeReading(problem=_time_unreadable(text, code))
    elif not uses_24_hour_clock(code) and 1 <= hour <= 12 and not hour_text.startswith("0"):
        am, pm = _markers(code)
        return TimeReading(problem=_(
            "Is that {am} or {pm}? Add {am} or {pm}, or type the time on the 24-hour clock "
            "(for example {example}).").format(am=_run(am), pm=_run(pm), example=_run("21:30")))
    return TimeReading(dt.time(hour, minute))


# -- the pieces ---------------------------------------------------------------------------
def _code(language: str | None) -> str:
    code = language or current_language()
    return "en" if code == "en_XA" else code


@cache
def _numeric_order(code: str) -> str:
    pattern = locale_for(code).date_formats["short"].pattern
    seen = ""
    for ch in pattern:
        key = {"d": "d", "M": "m", "L": "m", "y": "y"}.get(ch)
        if key and key not in seen:
            seen += key
    return seen if sorted(seen) == ["d", "m", "y"] else "mdy"


@cache
def _separator(code: str) -> str:
    pattern = str(locale_for(code).date_formats["short"].pattern).translate(_BIDI)
    found = re.search(r"[dMLy]+([^dMLy]+)[dMLy]", pattern)
    return found[1] if found and found[1].strip() else "/"


@cache
def _month_names(code: str) -> tuple[tuple[str, int], ...]:
    """Every wide and abbreviated month name of *code* and of English, longest first; an
    abbreviation is also known without its full stop ("déc." and "déc")."""
    names: dict[str, int] = {}
    for locale in (locale_for(code), _ENGLISH):
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in locale.months[context][width].items():
                    folded = plain(str(name))
                    names.setdefault(folded, number)
                    names.setdefault(folded.rstrip("."), number)
    return tuple(sorted(names.items(), key=lambda item: -len(item[0])))


@cache
def _other_words(code: str) -> tuple[str, ...]:
    """Words a written date may hold besides the month: weekday names, and the words of the
    language's own date patterns ("de" in Spanish, "г." in Russian)."""
    words: set[str] = set()
    for locale in (locale_for(code), _ENGLISH):
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for name in locale.days[context][width].values():
                    words.add(plain(str(name)))
        for length in ("medium", "long", "full"):
            sample, _month = _take_month(plain(format_date(_SAMPLE, length=length,
                                                           language=str(locale))), code)
            for name in locale.days["format"]["wide"].values():
                sample = sample.replace(plain(str(name)), " ")
            words.update(w for w in re.split(r"[\s\d,/.\-]+", sample) if w)
    words.discard("")
    return tuple(sorted(words, key=len, reverse=True))


def _bounded(text: str, start: int, end: int) -> bool:
    """True when text[start:end] is a whole word (not inside a longer word or number)."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() and text[start].isalnum()) and \
        not (after.isalnum() and text[end - 1].isalnum())


def _take_month(text: str, code: str) -> tuple[str, int | None]:
    for name, number in _month_names(code):
        start = text.find(name)
        while start >= 0:
            end = start + len(name)
            if _bounded(text, start, end):
                return text[:start] + " " + text[end:], number
            start = text.find(name, start + 1)
    return text, None


def _strip_words(text: str, code: str) -> str:
    for word in _other_words(code):
        start = text.find(word)
        while start >= 0:
            end = start + len(word)
            if _bounded(text, start, end):
                text = text[:start] + " " + text[end:]
                start = text.find(word, start + 1)
            else:
                start = text.find(word, start + 1)
    return text


def _with_month_name(text: str, numbers: list[str], month: int, code: str) -> DateReading:
    if len(numbers) == 1:
        return DateReading(problem=_("Write the day, the month and the year, for example "
                                     "{example}.").format(
            example=_run(format_date(_SAMPLE, language=code))))
    if len(numbers) != 2:
        return DateReading(problem=_unreadable(text, code))
    first, second = numbers
    if len(first) > 2 and len(second) <= 2:
        first, second = second, first  # "2026 Dec 4"
    if len(first) > 2 or len(second) not in (2, 4):
        return DateReading(problem=_unreadable(text, code))
    try:
        return DateReading(dt.date(_year(second), month, int(first)))
    except ValueError:
        return DateReading(problem=_("There is no such date: {text}.").format(
            text=_run(text.strip())))


def _made(text: str, year: int, month: int, day: int, code: str) -> DateReading:
    try:
        return DateReading(dt.date(year, month, day))
    except ValueError:
        return DateReading(problem=_("There is no such date: {text}.").format(
            text=_run(text)))


def _year(digits: str) -> int:
    """A year typed in full, or two digits read as the nearest year no more than 20 years
    ahead (26 → 2026, 90 → 1990)."""
    year = int(digits)
    if len(digits) > 2:
        return year
    this = dt.date.today().year
    candidate = this - this % 100 + year
    return candidate - 100 if candidate > this + 20 else candidate


def _unreadable(text: str, code: str) -> str:
    return _("Cannot read “{text}” as a date. Type it as {example}, {medium} or {iso}, or "
             "pick it from the calendar.").format(
        text=_run(text.strip()[:40]), example=_run(date_example(code)),
        medium=_run(format_date(_SAMPLE, language=code)), iso=_run(_SAMPLE.isoformat()))


def _wrong_order(text: str, code: str) -> str:
    return _("Cannot read “{text}”: dates are typed here as {order}, for example {example} "
             "(or {iso}).").format(text=_run(text.strip()[:40]),
                                   order=order_words(_numeric_order(code)),
                                   example=_run(date_example(code)),
                                   iso=_run(_SAMPLE.isoformat()))


@cache
def _markers(code: str) -> tuple[str, str]:
    periods = locale_for(code).day_periods["format"]["abbreviated"]
    return str(periods.get("am", "AM")), str(periods.get("pm", "PM"))


@cache
def _periods(code: str) -> dict[str, str]:
    """Each way of writing AM or PM in *code* and in English, without dots or spaces."""
    found: dict[str, str] = {}
    for locale in (locale_for(code), _ENGLISH):
        for context in ("format", "stand-alone"):
            for width in ("abbreviated", "wide", "narrow"):
                names = locale.day_periods.get(context, {}).get(width, {})
                for key in ("am", "pm"):
                    if key in names:
                        found.setdefault(_squeeze(plain(str(names[key]))), key)
    return found


def _squeeze(text: str) -> str:
    return re.sub(r"[\s.]", "", text)


def _period(marker: str, code: str) -> str | None:
    """"am", "pm", or None for a marker that is neither."""
    return _periods(code).get(_squeeze(marker))


def _time_example(code: str) -> str:
    return format_time(dt.time(10, 0), language=code)


def _time_unreadable(text: str, code: str) -> str:
    return _("Cannot read “{text}” as a time. Type it as {example} or {other}.").format(
        text=_run(text.strip()[:20]), example=_run(_time_example(code)),
        other=_run(format_time(dt.time(21, 30), language=code)))
