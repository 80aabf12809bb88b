"""Values put into translated sentences keep their own direction (i18n.formatting.fill)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from shelter_app.i18n.formatting import fill, format_date, isolated

FSI, PDI = "\u2068", "\u2069"


def test_text_values_are_isolated_and_numbers_are_not() -> None:
    shown = fill("Case {code}: {n} tasks for {name}", code="SH-2026-0042", n=3,
                 name="مريم حسن")
    assert shown == f"Case {FSI}SH-2026-0042{PDI}: 3 tasks for {FSI}مريم حسن{PDI}"


def test_a_latin_code_in_an_arabic_sentence_is_one_isolated_run() -> None:
    shown = fill("تم إنشاء الحالة {code}.", code="DEMO-2026-0007")
    assert shown == f"تم إنشاء الحالة {FSI}DEMO-2026-0007{PDI}."


def test_a_path_is_shown_as_text_and_isolated() -> None:
    assert fill("Saved as {path}.", path=Path("/tmp/a.pdf")) == f"Saved as {FSI}/tmp/a.pdf{PDI}."


def test_what_is_already_isolated_is_not_isolated_again() -> None:
    names = f"{isolated('Ana')}, {isolated('Ben')}"
    assert fill("Shared with {names}", names=names) == f"Shared with {names}"


def test_direction_controls_typed_into_a_value_cannot_escape_it() -> None:
    # An override or a stray end of isolate in a name would turn the rest of the sentence
    # around, or close the isolate early.
    shown = fill("Assigned to {name}.", name="\u202eevil\u2069 x")
    assert shown == f"Assigned to {FSI}evil x{PDI}."
    assert shown.count(FSI) == shown.count(PDI) == 1


def test_number_formatting_is_left_to_format() -> None:
    assert fill("{n:>3} of {total}", n=7, total=10.5) == "  7 of 10.5"
    assert fill("Due {date}", date=format_date(dt.date(2026, 12, 4))) \
        == f"Due {FSI}Dec 4, 2026{PDI}"
