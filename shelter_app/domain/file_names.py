"""What a file name the user types may not hold: a survivor's name, or characters that hide
or reorder what is shown.

A name is read as the words a person would see in it: split at every character that is
not a letter (``_``, digits, dots, spaces), at a change from lower to upper case
("forMariam"), and at folder separators — the file's own name and the folder it goes in
are both read, as "Mariam L/document.pdf" names her as plainly as "Mariam L.pdf".  Words
are compared folded (case, accents, invisible characters: ``names.fold``).

Invisible and direction characters (Unicode's format and control characters: the
right-to-left override U+202E, zero-width spaces and joiners, bidi isolates) are refused
outright: "gpj.exe" shown as "exe.jpg" is how a name hides what it is.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePath

from shelter_app.domain import names

_LETTERS = re.compile(r"[^\W\d_]+")  # runs of letters
_CASE_STEP = re.compile(r"(?<=[a-zà-ÿ])(?=[A-ZÀ-Þ])")  # "forMariam" → "for" "Mariam"


def hidden_characters(text: str) -> list[str]:
    """The invisible or direction characters in *text*, as U+XXXX."""
    return [f"U+{ord(ch):04X}" for ch in text
            if unicodedata.category(ch) in ("Cf", "Cc", "Co", "Cs", "Zl", "Zp")]


def words(path: PurePath | str) -> set[str]:
    """The folded words of a path's file name (without its extension) and of the folder it
    is in."""
    path = PurePath(path)
    found: set[str] = set()
    for part in (path.stem, path.parent.name):
        for piece in _CASE_STEP.split(part):
            found.update(names.fold(run) for run in _LETTERS.findall(piece))
    return {word for word in found if word}


def names_someone(path: PurePath | str, their_words: set[str]) -> bool:
    """Whether a word of *path* (``words``) is one of *their_words* (folded words of a
    person's names)."""
    return bool(words(path) & their_words)
