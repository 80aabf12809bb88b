"""Names in any script: folding for search, keys for duplicate detection, safe display.

Names are stored exactly as typed (zero-width and bidi controls included); these functions
make the forms used for matching and the forms safe to show.
"""

from __future__ import annotations

import re
import unicodedata

# Letters that Unicode decomposition does not reduce to a base letter.
_EXTRA_FOLD = str.maketrans({
    "đ": "d", "ð": "d", "ħ": "h", "ı": "i", "ł": "l", "ø": "o", "œ": "oe", "æ": "ae",
    "ß": "ss", "þ": "th", "ŧ": "t", "ŋ": "n",
    # Arabic: alef and hamza carriers, teh marbuta, alef maksura, tatweel
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ؤ": "و", "ئ": "ي", "ى": "ي", "ة": "ه", "ـ": "",
    # Persian/Urdu letter forms that match Arabic ones
    "ک": "ك", "ی": "ي",
    # Cyrillic: yo and short i are matched as their base letters
    "ё": "е", "й": "и",
})

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "є": "ye", "ж": "zh",
    "з": "z", "и": "i", "і": "i", "ї": "yi", "к": "k", "л": "l", "м": "m", "н": "n",
    "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "ă": "a",
}
_ARABIC = {
    "ا": "a", "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d",
    "ذ": "dh", "ر": "r", "ز": "z", "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t",
    "ظ": "z", "ع": "", "غ": "gh", "ف": "f", "ق": "q", "ك": "k", "ل": "l", "م": "m", "ن": "n",
    "ه": "h", "و": "w", "ي": "y", "ء": "", "پ": "p", "چ": "ch", "ژ": "zh", "گ": "g",
}
_TRANSLIT = str.maketrans({**_CYRILLIC, **_ARABIC})
_WORD = re.compile(r"\w+", re.UNICODE)


def strip_invisible(text: str) -> str:
    """Drop format characters (zero-width, bidi controls) and other controls."""
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Cc", "Co", "Cs"))


def fold(text: str) -> str:
    """Case-, accent- and invisible-insensitive form: "Nguyễn" → "nguyen", "María" → "maria"."""
    if text.isascii() and text.isprintable():  # no control, accent or letter to decompose
        return text.lower()
    text = strip_invisible(text).casefold().translate(_EXTRA_FOLD)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def latin(text: str) -> str:
    """A rough Latin transliteration of Cyrillic and Arabic, for matching only."""
    if text.isascii() and text.isprintable():
        return text.lower()
    return fold(text).translate(_TRANSLIT)


def skeleton(word: str) -> str:
    """A spelling-tolerant key: transliterated, vowels and doubled letters dropped after the
    first letter ("Mohammed", "Muhammad", "محمد" → "mhmd"; "Olena", "Олена" → "oln")."""
    w = latin(word)
    w = w.replace("ph", "f").replace("kh", "h").replace("ck", "k").replace("q", "k")
    w = "".join(ch for ch in w if ch.isalpha())
    if not w:
        return ""
    head, rest = w[0], w[1:]
    rest = "".join(ch for ch in rest if ch not in "aeiouyw")
    out = head
    for ch in rest:
        if ch != out[-1]:
            out += ch
    return out


# Words many unrelated people share as a separate word of their names, in folded form:
# particles and kinship words ("de", "van", "bin", "ibn", "abu", "al"), the Vietnamese
# middle words that mark gender ("Thị", "Văn"), and the Marian and Josephine parts of
# Spanish compound names ("María", "José").  Two records that share only such words have
# nothing in common; next to a shared name that is not one of them they still count.
COMMON_NAME_WORDS = frozenset({
    # Vietnamese
    "thi", "van",
    # Arabic, in Latin letters and in Arabic script (as ``fold`` leaves it)
    "bin", "binti", "bint", "ibn", "ibnu", "abu", "abou", "abo", "umm", "um", "al", "el",
    "ul", "ould", "bou", "abd", "abdel", "abdul", "abdoul",
    "بن", "ابن", "بنت", "ابو", "ام", "ال", "عبد",
    # Spanish, Portuguese, Italian, French, Dutch, German, Scandinavian
    "de", "del", "della", "dela", "la", "las", "los", "le", "les", "lo", "y", "e", "da",
    "das", "do", "dos", "di", "du", "des", "von", "der", "den", "ter", "ten", "zu",
    "af", "av", "maria", "ma", "jose",
})


def common_word(token: str) -> bool:
    """True for a word of a name that says nothing on its own about who someone is: one of
    ``COMMON_NAME_WORDS`` (in any case, accents or script) or a single letter (an initial).
    *token* is a word as ``tokens`` gives it."""
    folded = fold(token)
    return len(folded) < 2 or folded in COMMON_NAME_WORDS or latin(folded) in COMMON_NAME_WORDS


def distinctive(words: list[str] | set[str]) -> set[str]:
    """The words of *words* that are not ``common_word``s."""
    return {w for w in words if not common_word(w)}


def display_safe(text: str) -> str:
    """Text to show inside a longer line: bidi controls removed and the whole isolated, so
    a name cannot reorder the text around it."""
    cleaned = "".join(ch for ch in text if unicodedata.category(ch) != "Cf" or ch in "\u200c\u200d")
    return "\u2068" + cleaned + "\u2069"


def file_name_safe(text: str, *, limit: int = 60) -> str:
    """ASCII letters, digits, dot, dash and underscore only; never a path."""
    folded = latin(text)
    cleaned = re.sub(r"[^a-z0-9._-]+", "-", folded).strip(".-_")
    return cleaned[:limit] or "file"
