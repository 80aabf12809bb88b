"""Dates and times as people read and type them, in several languages (CLDR via babel).

One medium date format and the language's own clock for display; reading accepts ISO, the
language's numeric order, month names and other digits, and refuses — with a reason —
whatever it cannot read, instead of guessing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from shelter_app.domain.hours import CLOSES, OPENS, hours_notice, next_slot, outside_hours
from shelter_app.i18n import current_language, set_language
from shelter_app.i18n.formatting import (
    format_date,
    format_datetime,
    format_time,
    uses_24_hour_clock,
    weekday_name,
    weekend_days,
)
from shelter_app.i18n.parsing import date_example, numeric_order, read_date, read_time

DAY = dt.date(2026, 12, 4)  # a Friday
EVENING = dt.datetime(2026, 12, 4, 22, 0)
LANGUAGES = ("en", "en_US", "en_GB", "fr", "ar", "vi", "es", "ru", "uk", "ro", "it")


def unmarked(text: str) -> str:
    """A message without the marks that keep each example in its own direction."""
    assert text.count("\u2068") == text.count("\u2069")
    return text.replace("\u2068", "").replace("\u2069", "")


@pytest.fixture
def interface_language() -> Iterator[None]:
    before = current_language()
    yield
    set_language(before)


# -- showing ------------------------------------------------------------------------------
@pytest.mark.parametrize(("language", "date", "when"), [
    ("en", "Dec 4, 2026", "Dec 4, 2026, 10:00\u202fPM"),
    ("en_US", "Dec 4, 2026", "Dec 4, 2026, 10:00\u202fPM"),
    ("en_GB", "4 Dec 2026", "4 Dec 2026, 22:00"),
    ("fr", "4 déc. 2026", "4 déc. 2026, 22:00"),
    ("vi", "4 thg 12, 2026", "22:00 4 thg 12, 2026"),
    ("ar", "04\u200f/12\u200f/2026", "04\u200f/12\u200f/2026، 10:00 م"),
])
def test_one_medium_date_and_the_languages_own_clock(language: str, date: str,
                                                     when: str) -> None:
    assert format_date(DAY, language=language) == date
    assert format_datetime(EVENING, language=language) == when
    assert ":00:00" not in format_datetime(EVENING, language=language), "never seconds"


def test_the_clock_follows_the_language() -> None:
    assert not uses_24_hour_clock("en_US") and not uses_24_hour_clock("ar")
    assert uses_24_hour_clock("en_GB") and uses_24_hour_clock("fr")
    assert uses_24_hour_clock("vi")
    assert format_time(dt.time(22, 0), language="en_GB") == "22:00"
    assert format_time(dt.time(22, 0), language="en_US") == "10:00\u202fPM"


def test_the_interface_language_is_the_default(interface_language: None) -> None:
    set_language("en_GB")
    assert format_datetime(EVENING) == "4 Dec 2026, 22:00"
    assert read_date("4/12/2026").value == DAY
    set_language("en_US")
    assert format_datetime(EVENING) == "Dec 4, 2026, 10:00\u202fPM"
    assert read_date("4/12/2026").value == dt.date(2026, 4, 12)


def test_weekends_and_weekday_names_come_from_cldr() -> None:
    assert weekend_days("en") == frozenset({5, 6})  # Saturday, Sunday
    assert weekend_days("ar_EG") == frozenset({4, 5})  # Friday, Saturday
    assert weekday_name(DAY, language="fr") == "ven."
    assert weekday_name(DAY, width="wide", language="en") == "Friday"


# -- reading dates ------------------------------------------------------------------------
@pytest.mark.parametrize(("language", "typed"), [
    ("en", "2026-12-04"), ("en", "Dec 4, 2026"), ("en", "4 December 2026"),
    ("en", "Friday, December 4, 2026"), ("en", "4th Dec 2026"), ("en_US", "12/4/2026"),
    ("en_US", "12/4/26"), ("en_GB", "04/12/2026"), ("en_GB", "4 Dec 2026"),
    ("fr", "04/12/2026"), ("fr", "4 déc. 2026"), ("fr", "4 dec 2026"), ("fr", "4 décembre 2026"),
    ("ar", "٤/١٢/٢٠٢٦"), ("ar", "04\u200f/12\u200f/2026"), ("ar", "٤ ديسمبر ٢٠٢٦"),
    ("ar", "۴/۱۲/۲۰۲۶"),  # Persian-style digits, also typed on Arabic keyboards
    ("vi", "4/12/2026"), ("vi", "4 thg 12, 2026"), ("vi", "4 tháng 12, 2026"),
    ("ru", "04.12.2026"), ("ru", "4 дек. 2026 г."), ("es", "4 de diciembre de 2026"),
    ("uk", "4 груд. 2026 р."), ("ro", "04.12.2026"), ("it", "4 dic 2026"),
])
def test_what_people_type_is_read(language: str, typed: str) -> None:
    assert read_date(typed, language=language).value == DAY


def test_the_same_digits_are_read_in_the_languages_order() -> None:
    gb, us = read_date("4/12/2026", language="en_GB"), read_date("4/12/2026", language="en_US")
    assert gb.value == dt.date(2026, 12, 4) and gb.order == "dmy"
    assert us.value == dt.date(2026, 4, 12) and us.order == "mdy"
    assert read_date("31/12/2026", language="en_GB").order == "", "cannot be swapped"
    assert read_date("4 Dec 2026", language="en_US").order == "", "a month name is not"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_date_shown_reads_back_as_itself(language: str) -> None:
    days = [dt.date(2026, month, 17) for month in range(1, 13)]  # every month's name
    for day in (*days, dt.date(2026, 1, 1), dt.date(2026, 5, 9), dt.date(1990, 12, 31)):
        for length in ("short", "medium", "long", "full"):
            shown = format_date(day, length=length, language=language)  # type: ignore[arg-type]
            assert read_date(shown, language=language).value == day, (language, shown)


@pytest.mark.parametrize(("language", "typed", "says"), [
    ("en_US", "31/12/1990", "month/day/year, for example 12/31/2026"),
    ("en_GB", "12/31/1990", "day/month/year, for example 31/12/2026"),
    ("en", "31 Feb 2026", "There is no such date"),
    ("en", "4/12", "Add the year"),
    ("en", "Dec 2026", "the day, the month and the year"),
    ("en", "soon", "Cannot read “soon” as a date"),
    ("fr", "4 frob 2026", "Cannot read"),
])
def test_what_cannot_be_read_is_refused_with_the_reason(language: str, typed: str,
                                                        says: str) -> None:
    reading = read_date(typed, language=language)
    assert reading.value is None and says in unmarked(reading.problem)


def test_empty_is_neither_a_value_nor_a_problem() -> None:
    assert read_date("  ") == read_date("")
    assert read_date("").value is None and read_date("").problem == ""


def test_two_digit_years_are_read_near_today() -> None:
    this_year = dt.date.today().year
    assert read_date(f"1/2/{this_year % 100:02d}", language="en").value.year == this_year
    assert read_date("1/2/90", language="en").value == dt.date(1990, 1, 2)


def test_numeric_order_and_examples() -> None:
    assert (numeric_order("en_US"), numeric_order("en_GB"), numeric_order("ar")) == (
        "mdy", "dmy", "dmy")
    assert date_example("en_US") == "12/31/2026"
    assert date_example("ru") == "31.12.2026"


# -- reading times ------------------------------------------------------------------------
@pytest.mark.parametrize(("language", "typed", "time"), [
    ("en_US", "10:00 AM", dt.time(10)), ("en_US", "10:00 am", dt.time(10)),
    ("en_US", "10 a.m.", dt.time(10)), ("en_US", "10:00 PM", dt.time(22)),
    ("en_US", "12 AM", dt.time(0)), ("en_US", "12:30 pm", dt.time(12, 30)),
    ("en_US", "21:30", dt.time(21, 30)), ("en_US", "09:00", dt.time(9)),
    ("en_US", "930 pm", dt.time(21, 30)),
    ("en_GB", "9", dt.time(9)), ("en_GB", "10:00 AM", dt.time(10)),
    ("en_GB", "2130", dt.time(21, 30)),
    ("fr", "10h30", dt.time(10, 30)), ("fr", "21:30", dt.time(21, 30)),
    ("ar", "١٠:٠٠ ص", dt.time(10)), ("ar", "10:00 م", dt.time(22)),
    ("vi", "10:00 SA", dt.time(10)), ("vi", "22:00", dt.time(22)),
    ("es", "10 p. m.", dt.time(22)),
])
def test_times_are_read_on_the_languages_clock(language: str, typed: str,
                                               time: dt.time) -> None:
    assert read_time(typed, language=language).value == time


@pytest.mark.parametrize(("language", "typed", "says"), [
    ("en_US", "9", "Is that AM or PM?"),
    ("en_US", "10:00", "Is that AM or PM?"),
    ("ar", "9", "Is that ص or م?"),
    ("en_US", "13:00 PM", "13 does not go with PM"),
    ("en_GB", "25:00", "Cannot read “25:00” as a time"),
    ("en_GB", "10:61", "Cannot read"),
    ("en_GB", "noon", "Cannot read"),
])
def test_an_ambiguous_or_unreadable_time_is_refused(language: str, typed: str,
                                                    says: str) -> None:
    reading = read_time(typed, language=language)
    assert reading.value is None and says in unmarked(reading.problem)


# -- usual hours --------------------------------------------------------------------------
def reasons(start: dt.datetime, end: dt.datetime, language: str) -> list[str]:
    return [unmarked(r) for r in outside_hours(start, end, language=language)]


def test_within_the_usual_hours_there_is_no_notice() -> None:
    monday = dt.datetime(2026, 12, 7, 9, 0)
    assert outside_hours(monday, monday + dt.timedelta(hours=1), language="en") == []
    assert hours_notice(dt.datetime.combine(monday, OPENS),
                        dt.datetime.combine(monday, CLOSES), language="en") == ""


def test_early_late_and_weekend_appointments_are_pointed_out() -> None:
    late = dt.datetime(2026, 12, 7, 21, 30)
    text = unmarked(hours_notice(late, late + dt.timedelta(hours=1), language="en_GB"))
    assert "08:00–19:00" in text and "starts after 19:00" in text
    evening = dt.datetime(2026, 12, 7, 18, 30)
    assert reasons(evening, evening + dt.timedelta(hours=1), "en_GB") == ["it ends after 19:00"]
    early = dt.datetime(2026, 12, 7, 7, 0)
    assert reasons(early, early + dt.timedelta(hours=2), "en_GB") == ["it starts before 08:00"]
    saturday = dt.datetime(2026, 12, 5, 10, 0)
    assert outside_hours(saturday, saturday + dt.timedelta(hours=1), language="en") == [
        "it is on a Saturday, at the weekend"]
    friday = dt.datetime(2026, 12, 4, 10, 0)
    assert outside_hours(friday, friday + dt.timedelta(hours=1), language="en") == []
    assert outside_hours(friday, friday + dt.timedelta(hours=1), language="ar_EG") != []


def test_an_aware_time_is_judged_in_local_time() -> None:
    local = dt.datetime(2026, 12, 7, 10, 0).astimezone()
    assert outside_hours(local.astimezone(dt.UTC), local.astimezone(dt.UTC)
                         + dt.timedelta(hours=1), language="en") == []


@pytest.mark.parametrize(("now", "expected"), [
    ("2026-12-03 10:20", "2026-12-03 11:00"),  # Thursday morning: the next full hour
    ("2026-12-03 06:05", "2026-12-03 09:00"),  # before opening: the first slot that day
    ("2026-12-03 17:30", "2026-12-03 18:00"),  # ends at closing time: still that day
    ("2026-12-03 18:10", "2026-12-04 09:00"),  # would end after 19:00: the next working day
    ("2026-12-04 18:40", "2026-12-07 09:00"),  # Friday evening: Monday
    ("2026-12-05 11:00", "2026-12-07 09:00"),  # Saturday: Monday
])
def test_a_new_appointment_starts_within_the_usual_hours(now, expected):
    set_language("en_GB")
    moment = dt.datetime.fromisoformat(now)
    assert next_slot(moment) == dt.datetime.fromisoformat(expected)
    assert not outside_hours(next_slot(moment), next_slot(moment) + dt.timedelta(hours=1))
