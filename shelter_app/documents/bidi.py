"""Right-to-left text: the Unicode bidirectional algorithm, from python-bidi, for reportlab.

reportlab's own right-to-left support imports ``rlbidi`` (its optional "bidi" extra), which
is not published on the package index this project installs from.  This module provides a
compatible ``rlbidi.log2vis`` built on python-bidi, and registers it before reportlab looks
for it, so ``canvas.drawString(..., direction="RTL")`` orders mixed text correctly.

Paragraphs need more: reportlab 5 never reorders the words of a shaped paragraph (its
paragraph code has ``bidiSort = False`` on the shaping path).  ``visual_order`` gives the
order in which the words of one laid-out line are drawn; ``shaping.RtlParagraph`` uses it.

python-bidi 0.6 offers two implementations: a Rust one that returns only the reordered
string, and the pure-Python ``bidi.algorithm``, whose steps work on a list of characters.
``visual`` runs those steps with each character tagged by its logical index, which gives
the visual-to-logical map reportlab asks for.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any
from unicodedata import bidirectional

from bidi import algorithm as _uba

_LEVEL = {"LTR": 0, "L": 0, "RTL": 1, "R": 1}
# Isolates (Unicode 6.3) are older than the pure-Python algorithm; they are treated as the
# embeddings they replaced, which orders the common cases (an isolated name) the same way.
_ISOLATES = {"LRI": "LRE", "RLI": "RLE", "PDI": "PDF"}


def _first_strong(text: str, start: int) -> str:
    """The embedding an isolate starting at *start* stands for (rule P2: the first strong
    character, skipping nested isolates)."""
    depth = 0
    for ch in text[start:]:
        kind = bidirectional(ch)
        if kind in ("LRI", "RLI", "FSI"):
            depth += 1
        elif kind == "PDI":
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and kind in ("L", "R", "AL"):
            return "LRE" if kind == "L" else "RLE"
    return "LRE"


def base_level(text: str, direction: str | None = None) -> int:
    """0 for left to right, 1 for right to left: *direction* if given, else from the text."""
    if direction and direction.upper() in _LEVEL:
        return _LEVEL[direction.upper()]
    return 1 if _first_strong(text, 0) == "RLE" else 0  # rules P2 and P3


def visual(text: str, direction: str | None = None) -> tuple[str, list[int]]:
    """The display (visual, left to right) form of *text* and, for each character of it,
    the index of that character in *text*.  Explicit formatting characters (embeddings,
    isolates, zero-width joiners) are removed from the display form, as rule X9 says."""
    if not text:
        return "", []
    storage: dict[str, Any] = _uba.get_empty_storage()
    level = base_level(text, direction)
    storage["base_level"] = level
    storage["base_dir"] = ("L", "R")[level]
    _uba.get_embedding_levels(text, storage)
    for index, char in enumerate(storage["chars"]):
        char["idx"] = index
        kind = char["type"]
        if kind in _ISOLATES:
            char["type"] = char["orig"] = _ISOLATES[kind]
        elif kind == "FSI":
            char["type"] = char["orig"] = _first_strong(text, index + 1)
    _uba.explicit_embed_and_overrides(storage)
    _uba.resolve_weak_types(storage)
    _uba.resolve_neutral_types(storage, False)
    _uba.resolve_implicit_levels(storage, False)
    _uba.reorder_resolved_levels(storage, False)
    _uba.apply_mirroring(storage, False)
    chars = storage["chars"]
    return "".join(c["ch"] for c in chars), [int(c["idx"]) for c in chars]


def log2vis(text: str, base_direction: str | None = None, clean: bool = True,
            positions_V_to_L: list[int] | None = None, **_ignored: Any) -> str:
    """The ``rlbidi.log2vis`` reportlab calls: *text* in visual order; fills
    *positions_V_to_L* with the logical index of each visual character."""
    display, v2l = visual(str(text), base_direction)
    if positions_V_to_L is not None:
        positions_V_to_L[:] = v2l
    return display


# Word classes for ordering the words of a line (see visual_order).
RTL, LTR, NUMBER, NEUTRAL = "R", "L", "EN", "ON"
PROXY = {RTL: "\u05d0", LTR: "a", NUMBER: "1", NEUTRAL: "!"}


def word_class(text: str) -> str:
    """The direction a word takes in a line: its first strong character's, else a number's
    if it has digits, else neutral."""
    digits = False
    for ch in text:
        kind = bidirectional(ch)
        if kind in ("R", "AL"):
            return RTL
        if kind == "L":
            return LTR
        digits = digits or kind in ("EN", "AN")
    return NUMBER if digits else NEUTRAL


def visual_order(classes: list[str], direction: str = "RTL") -> list[int]:
    """The logical indexes of a line's words, in the order they are drawn left to right.

    Each word stands for one character of its class in a proxy line ("א a 1 !"), so the full
    algorithm (numbers after right-to-left words, neutrals between runs) decides the order
    of the words while the shaper keeps the order of the letters inside each word."""
    if not classes:
        return []
    proxy = " ".join(PROXY[c] for c in classes)
    _display, v2l = visual(proxy, direction)
    return [i // 2 for i in v2l if i % 2 == 0]


def _rebind_reportlab() -> None:
    """If reportlab's text module was imported before the adapter was registered, load it
    again and point the modules that copied its names at the new ones."""
    module = sys.modules.get("reportlab.pdfgen.textobject")
    if module is None or getattr(module, "rtlSupport", False):
        return
    module = importlib.reload(module)
    names = ("rtlSupport", "bidiText", "bidiWordList", "isBidiStr", "bidiStrWrap", "isBidiList",
             "BidiList", "bidiListWrap", "BidiIndex", "bidiFragWord", "innerBidiStrWrap",
             "bidiShapedText")
    for user in ("reportlab.platypus.paragraph", "reportlab.pdfgen.canvas",
                 "reportlab.graphics.renderPM"):
        loaded = sys.modules.get(user)
        for name in names:
            if loaded is not None and hasattr(loaded, name):
                setattr(loaded, name, getattr(module, name))


def install() -> None:
    """Register the ``rlbidi`` adapter (once per process)."""
    if "rlbidi" not in sys.modules:
        adapter = types.ModuleType("rlbidi", "python-bidi adapter for reportlab "
                                             "(shelter_app.documents.bidi)")
        adapter.log2vis = log2vis  # type: ignore[attr-defined]
        sys.modules["rlbidi"] = adapter
    _rebind_reportlab()
