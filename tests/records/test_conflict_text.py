"""A double booking is described in the interface language's date and time format."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from shelter_app.i18n import current_language, set_language
from shelter_app.i18n.formatting import format_time
from shelter_app.services.appointments import Conflict

START = dt.datetime(2026, 3, 31, 12, 0).astimezone()
CONFLICT = Conflict("room", "a1", START, START + dt.timedelta(hours=1, minutes=30))


@pytest.fixture
def language() -> Iterator[None]:
    before = current_language()
    yield
    set_language(before)


def test_english_uses_cldr_formats(language: None) -> None:
    set_language("en")
    text = CONFLICT.describe().replace("\u2068", "").replace("\u2069", "")
    assert text.startswith("The room is already booked from Mar 31, 2026, 12:00")
    assert "2026-03-31" not in text and "1:30" in text and "PM" in text


def test_british_english_writes_day_month_year_and_24_hours(language: None) -> None:
    set_language("en_GB")
    text = CONFLICT.describe()
    assert text.count("\u2068") == 2, "each time keeps its own direction in a sentence"
    assert "31 Mar 2026, 12:00" in text and "13:30" in text and "PM" not in text


def test_format_time_follows_the_language() -> None:
    assert format_time(dt.time(13, 30), language="en") == "1:30\u202fPM"
    assert format_time(dt.time(13, 30), language="en_GB") == "13:30"
