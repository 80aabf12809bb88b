"""Embedded fonts (OFL, in resources/fonts) and which one sets a given piece of text."""

from __future__ import annotations

import unicodedata
from functools import cache

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from shelter_app.resources import resource

SANS = "NotoSans"
SANS_BOLD = "NotoSans-Bold"
ARABIC = "NotoNaskhArabic"
ARABIC_BOLD = "NotoNaskhArabic-Bold"
MONO = "NotoSansMono"

_FILES = {
    SANS: "NotoSans-Regular.ttf",
    SANS_BOLD: "NotoSans-Bold.ttf",
    ARABIC: "NotoNaskhArabic-Regular.ttf",
    ARABIC_BOLD: "NotoNaskhArabic-Bold.ttf",
    MONO: "NotoSansMono-Regular.ttf",
}


@cache
def register() -> None:
    """Register every font once per process; reportlab embeds only the glyphs used."""
    for name, file in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(resource("fonts", file))))
    addMapping(SANS, 0, 0, SANS)
    addMapping(SANS, 1, 0, SANS_BOLD)
    addMapping(SANS, 0, 1, SANS)
    addMapping(SANS, 1, 1, SANS_BOLD)
    addMapping(ARABIC, 0, 0, ARABIC)
    addMapping(ARABIC, 1, 0, ARABIC_BOLD)
    addMapping(ARABIC, 0, 1, ARABIC)
    addMapping(ARABIC, 1, 1, ARABIC_BOLD)


def has_arabic(text: str) -> bool:
    return any("ARABIC" in unicodedata.name(ch, "") for ch in text)


def script_runs(text: str) -> list[tuple[bool, str]]:
    """Split *text* into (is_arabic, run) pieces; spaces and digits join the run before."""
    runs: list[tuple[bool, str]] = []
    for ch in text:
        arabic = "ARABIC" in unicodedata.name(ch, "")
        neutral = not ch.isalpha()
        if runs and (neutral or runs[-1][0] == arabic):
            runs[-1] = (runs[-1][0], runs[-1][1] + ch)
        else:
            runs.append((arabic, ch))
    return runs


def font_for(text: str, *, bold: bool = False) -> str:
    if has_arabic(text):
        return ARABIC_BOLD if bold else ARABIC
    return SANS_BOLD if bold else SANS
