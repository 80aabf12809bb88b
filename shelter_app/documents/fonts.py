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
# Noto Sans again, under names that mark a left-to-right island inside a right-to-left line
# (a phone number, a Latin name): the paragraph keeps such a run in one piece.
SANS_LTR = "NotoSans-LTR"
SANS_LTR_BOLD = "NotoSans-LTR-Bold"
LTR_FONTS = frozenset({SANS_LTR, SANS_LTR_BOLD})

_FILES = {
    SANS: "NotoSans-Regular.ttf",
    SANS_BOLD: "NotoSans-Bold.ttf",
    ARABIC: "NotoNaskhArabic-Regular.ttf",
    ARABIC_BOLD: "NotoNaskhArabic-Bold.ttf",
    MONO: "NotoSansMono-Regular.ttf",
    SANS_LTR: "NotoSans-Regular.ttf",
    SANS_LTR_BOLD: "NotoSans-Bold.ttf",
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
    addMapping(SANS_LTR, 0, 0, SANS_LTR)
    addMapping(SANS_LTR, 1, 0, SANS_LTR_BOLD)
    addMapping(SANS_LTR, 0, 1, SANS_LTR)
    addMapping(SANS_LTR, 1, 1, SANS_LTR_BOLD)


def has_arabic(text: str) -> bool:
    return any("ARABIC" in unicodedata.name(ch, "") for ch in text)


@cache
def _arabic_font_has(ch: str) -> bool:
    register()
    face = pdfmetrics.getFont(ARABIC).face
    return ord(ch) in face.charToGlyph


def script_runs(text: str) -> list[tuple[bool, str]]:
    """Split *text* into (is_arabic, run) pieces.  Arabic-script characters (letters, and
    punctuation such as the Arabic comma) go in Arabic runs; spaces, digits and other
    punctuation join the run before when its font has them (Noto Naskh has no middle dot)."""
    runs: list[tuple[bool, str]] = []
    for ch in text:
        arabic = "ARABIC" in unicodedata.name(ch, "")
        if arabic:
            joins = bool(runs) and runs[-1][0]
        elif ch.isalpha():
            joins = bool(runs) and not runs[-1][0]
        else:
            joins = bool(runs) and (not runs[-1][0] or ch.isspace() or _arabic_font_has(ch))
        if joins:
            runs[-1] = (runs[-1][0], runs[-1][1] + ch)
        else:
            runs.append((arabic if (arabic or ch.isalpha()) else False, ch))
    return runs


def font_for(text: str, *, bold: bool = False) -> str:
    if has_arabic(text):
        return ARABIC_BOLD if bold else ARABIC
    return SANS_BOLD if bold else SANS
