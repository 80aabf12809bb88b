"""Shaped right-to-left paragraphs, and text that reads back as the letters that were typed.

Two gaps in reportlab 5 with HarfBuzz shaping, closed here and proved by the tests with
``pdftotext``:

1. **Word order.**  A shaped paragraph is broken into lines in logical order and each word
   is shaped on its own (HarfBuzz puts the letters of an Arabic word right to left), but the
   words of a line are then drawn in logical order, left to right.  ``RtlParagraph`` reorders
   the words of each line at drawing time with the bidirectional algorithm
   (``bidi.visual_order``), after line breaking, as the algorithm requires.
2. **Extractable text.**  Contextual forms and ligatures (lam-alef) have no character of
   their own: reportlab gives them private-use code points, so copying the text or running
   ``pdftotext`` gave private-use characters instead of Arabic letters.  ``install`` records,
   for every such glyph, the characters it was shaped from, and writes them (and the base
   letters of presentation forms) into the font's ToUnicode map.
"""

from __future__ import annotations

import copy
import unicodedata
from collections.abc import Iterator
from typing import Any

from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfgen.textobject import PDFTextObject
from reportlab.platypus import paragraph as rl_paragraph
from reportlab.platypus.paragraph import Paragraph

from shelter_app.documents import bidi

# (font face name, private-use code) → the characters the glyph was shaped from
_SOURCES: dict[tuple[bytes, int], str] = {}
_PRIVATE = range(0xE000, 0xF900)
_PRESENTATION = (range(0xFB50, 0xFE00), range(0xFE70, 0xFF00))
_installed = False


def _face(font_name: str) -> bytes:
    face = pdfmetrics.getFont(font_name).face
    return bytes(face.name)


def _note_sources(original: Any, shaped: Any) -> None:
    """Remember the source characters of every private-use glyph in *shaped*."""
    if shaped is original or not isinstance(shaped, ttfonts.ShapedFragWord):
        return
    text = "".join(s for f, s in original[1:] if not hasattr(f, "cbDefn"))
    pieces = [(f, s) for f, s in shaped[1:] if isinstance(s, ttfonts.ShapedStr)]
    clusters = sorted({d.cluster for _f, s in pieces for d in s.__shapeData__
                       if 0 <= d.cluster < len(text)})
    following = dict(zip(clusters, [*clusters[1:], len(text)], strict=True))
    for frag, piece in pieces:
        face = None
        for ch, data in zip(piece, piece.__shapeData__, strict=False):
            code = ord(ch)
            if code in _PRIVATE and data.cluster in following:
                face = face or _face(frag.fontName)
                _SOURCES.setdefault((face, code), text[data.cluster:following[data.cluster]])


def _font_runs(w: Any) -> list[list[Any]]:
    runs: list[list[Any]] = []
    for piece in w[1:]:
        frag = piece[0]
        if runs and (hasattr(frag, "cbDefn") or runs[-1][-1][0].fontName == frag.fontName):
            runs[-1].append(piece)
        else:
            runs.append([piece])
    return runs


def _shape_and_note(original_shape: Any) -> Any:
    """reportlab shapes a word with the font of its first piece; a word set in two fonts
    ("Sevilla،": Noto Sans, then the Arabic comma in Noto Naskh) lost the second font's
    letters.  Each run of one font is shaped with its own font here."""
    def shape_one(w: Any, *args: Any, **kwargs: Any) -> Any:
        shaped = original_shape(w, *args, **kwargs)
        _note_sources(w, shaped)
        return shaped

    def shape(w: Any, *args: Any, **kwargs: Any) -> Any:
        runs = _font_runs(w) if not isinstance(w, ttfonts.ShapedFragWord) else []
        if len(runs) < 2:
            return shape_one(w, *args, **kwargs)
        width = 0.0
        pieces: list[Any] = []
        for run in runs:
            sub = w.__class__([sum(pdfmetrics.stringWidth(t, f.fontName, f.fontSize)
                                   for f, t in run if not hasattr(f, "cbDefn")), *run])
            done = shape_one(sub, *args, **kwargs)
            width += done[0]
            pieces.extend(done[1:])
        return ttfonts.makeShapedFragWord(w)([width, *pieces])

    shape.__wrapped__ = original_shape  # type: ignore[attr-defined]
    return shape


def unicode_for(face: bytes, code: int) -> str:
    """The text a glyph stands for in the ToUnicode map."""
    if code in _PRIVATE and (face, code) in _SOURCES:
        return _SOURCES[(face, code)]
    if any(code in r for r in _PRESENTATION):
        return unicodedata.normalize("NFKC", chr(code))
    return chr(code)


def _utf16_hex(text: str) -> str:
    return text.encode("utf-16-be").hex().upper()


def to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's ToUnicode CMap, with shaped glyphs mapped to the letters they show."""
    face = fontname.split("+", 1)[-1].encode("latin-1")
    return "\n".join([
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
        "/CIDSystemInfo", f"<< /Registry ({fontname})", f"/Ordering ({fontname})",
        "/Supplement 0", ">> def", f"/CMapName /{fontname} def", "/CMapType 2 def",
        "1 begincodespacerange", f"<00> <{len(subset) - 1:02X}>", "endcodespacerange",
        f"{len(subset)} beginbfchar",
        *[f"<{i:02X}> <{_utf16_hex(unicode_for(face, code))}>" for i, code in enumerate(subset)],
        "endbfchar", "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end",
    ])


def install() -> None:
    """Patch reportlab once per process (see the module docstring)."""
    global _installed
    if _installed:
        return
    shape = _shape_and_note(ttfonts.shapeFragWord)
    ttfonts.shapeFragWord = shape  # shapeStr (canvas text) looks it up here
    rl_paragraph.shapeFragWord = shape
    ttfonts.makeToUnicodeCMap = to_unicode_cmap
    PDFTextObject.setRise = _set_rise(PDFTextObject.setRise)
    _installed = True


def _set_rise(original: Any) -> Any:
    """reportlab raises IndexError when the first glyph a text run draws is raised (an
    Arabic vowel mark drawn first, as a word is drawn from its left end): it looks at the
    previous operator without checking there is one."""
    def set_rise(self: Any, rise: float) -> None:
        if not self._code:
            self._code.append("")
        original(self, rise)
    return set_rise


# -- right-to-left paragraphs ------------------------------------------------------------
def _tokens(words: list[Any]) -> Iterator[tuple[Any, str, bool]]:
    """(frag, text, is_space) pieces of a laid-out line, split at spaces."""
    for frag in words:
        text = frag.text
        start = 0
        for i in range(1, len(text) + 1):
            if i == len(text) or (text[i] == " ") != (text[start] == " "):
                yield frag, text[start:i], text[start] == " "
                start = i


def _word_class(pieces: list[tuple[Any, str]]) -> str:
    from shelter_app.documents import fonts

    for frag, text in pieces:
        if frag.fontName in (fonts.ARABIC, fonts.ARABIC_BOLD):
            return bidi.RTL  # shaped Arabic: private-use glyphs carry no direction
        kind = bidi.word_class(str(text))
        if kind in (bidi.RTL, bidi.LTR):
            return kind
    joined = "".join(str(t) for _f, t in pieces)
    return bidi.word_class(joined)


_TRAILING = frozenset(".,:;!?")
_ISLAND = "island"  # a left-to-right run marked by its font (layout.value)


def _split_trailing(group: list[tuple[Any, str]]) -> list[list[tuple[Any, str]]]:
    """A left-to-right word's closing punctuation as a word of its own: in a right-to-left
    line the full stop after "Harbour House." belongs to the right-to-left sentence."""
    frag, text = group[-1]
    cut = len(text)
    while cut > 0 and text[cut - 1] in _TRAILING:
        cut -= 1
    if cut == len(text) or (cut == 0 and len(group) == 1):
        return [group]
    head = [*group[:-1], (frag, text[:cut])] if cut else group[:-1]
    return [head, [(frag, text[cut:])]]


_PAIRS = {"(": ")", "[": "]", "{": "}", "<": ">", "«": "»"}
_BRACKET = "bracket"  # a bracket of a pair around right-to-left text: placed and mirrored
_PUNCT = frozenset(".,:;!?،؛")
Pieces = list[tuple[Any, str]]


def _atoms(pieces: Pieces) -> list[tuple[str, Pieces]]:
    """A word as its leading opening brackets ("open"), its core ("word"), its closing
    brackets ("close") and the punctuation after them ("punct"), each apart."""
    pieces = [p for p in pieces if p[1]]
    head: list[tuple[str, Pieces]] = []
    tail: list[tuple[str, Pieces]] = []

    def total() -> int:
        return sum(len(t) for _f, t in pieces)

    while pieces and total() > 1 and pieces[0][1][0] in _PAIRS:
        frag, text = pieces[0]
        head.append(("open", [(frag, text[0])]))
        pieces = [(frag, text[1:]), *pieces[1:]] if len(text) > 1 else pieces[1:]
    cut = 0  # trailing punctuation is split only when a closing bracket comes before it
    flat = "".join(t for _f, t in pieces)
    while cut < len(flat) - 1 and flat[len(flat) - 1 - cut] in _PUNCT:
        cut += 1
    if cut and flat[len(flat) - 1 - cut] in _PAIRS.values():
        frag, text = pieces[-1]
        if len(text) >= cut:  # the punctuation is in the last piece
            tail.append(("punct", [(frag, text[-cut:])]))
            pieces = [*pieces[:-1], *([(frag, text[:-cut])] if len(text) > cut else [])]
    while pieces and total() > 1 and pieces[-1][1][-1] in _PAIRS.values():
        frag, text = pieces[-1]
        tail.insert(0, ("close", [(frag, text[-1])]))
        pieces = [*pieces[:-1], (frag, text[:-1])] if len(text) > 1 else pieces[:-1]
    return [*head, *([("word", pieces)] if pieces else []), *tail]


def _pair_brackets(items: list[tuple[str, Pieces]]) -> list[tuple[str, Pieces]]:
    """The brackets of a pair around right-to-left text or numbers become ``_BRACKET``
    units, which the algorithm places and mirrors (rule N0 resolves such a pair right to
    left); any other bracket, and the brackets around left-to-right words ("(s. 5)",
    "(b)"), go back onto the word beside them, as typed.  *items* are a line's atoms
    (``_atoms``), spaces (" ") and left-to-right islands."""
    keep: set[int] = set()
    stack: list[int] = []
    for i, (kind, pieces) in enumerate(items):
        if kind == "open":
            stack.append(i)
        elif kind == "close" and stack and \
                _PAIRS[items[stack[-1]][1][0][1]] == pieces[0][1]:
            start = stack.pop()
            inside = [bidi.LTR if k == _ISLAND else _word_class(p)
                      for k, p in items[start + 1:i] if k in ("word", _ISLAND)]
            if bidi.RTL in inside or bidi.LTR not in inside:
                keep.update((start, i))
    out: list[tuple[str, Pieces]] = []
    pending: Pieces = []  # opening brackets not kept: they go onto the next word
    for i, (kind, pieces) in enumerate(items):
        if i in keep:
            out.append((_BRACKET, pieces))
        elif kind == "open":
            pending += pieces
        elif kind == "word":
            out.append(("word", [*pending, *pieces]))
            pending = []
        elif kind in ("close", "punct") and out and out[-1][0] == "word":
            out[-1] = ("word", [*out[-1][1], *pieces])
        else:
            if pending:
                out.append(("word", pending))
                pending = []
            out.append(("word" if kind == "close" else kind, pieces))
    if pending:
        out.append(("word", pending))
    return out


def reorder_line(words: list[Any], direction: str = "RTL") -> list[Any]:
    """The frags of one laid-out line, split into words and put in visual order.

    Words and the spaces between them stand for one character each in a proxy line, which
    the bidirectional algorithm reorders; spaces keep their frags, so the line keeps its
    width.  A line with no right-to-left word, or with anything but text (an image, a link
    anchor), is left as it is."""
    if any(not hasattr(f, "text") or hasattr(f, "cbDefn") for f in words):
        return words
    tokens: list[tuple[bool, list[tuple[Any, str]]]] = []  # (is_space, pieces)
    for frag, text, is_space in _tokens(words):
        if tokens and tokens[-1][0] == is_space:
            tokens[-1][1].append((frag, text))
        else:
            tokens.append((is_space, [(frag, text)]))
    from shelter_app.documents.fonts import LTR_FONTS

    items: list[tuple[str, Pieces]] = []  # atoms of words, spaces and islands
    for is_space, pieces in tokens:
        if all(f.fontName in LTR_FONTS for f, _t in pieces):
            if items and items[-1][0] == _ISLAND:  # one left-to-right island, spaces and all
                items[-1][1].extend(pieces)
            else:
                items.append((_ISLAND, list(pieces)))
        elif is_space:
            items.append((" ", pieces))
        else:
            items.extend(_atoms(pieces))
    units: list[tuple[str, Pieces]] = []  # (proxy class, " ", _ISLAND or _BRACKET; pieces)
    for kind, pieces in _pair_brackets(items):
        if kind in (" ", _ISLAND, _BRACKET):
            units.append((kind, pieces))
        elif kind == "punct":
            units.append((bidi.NEUTRAL, pieces))
        else:
            for part in _split_trailing(pieces) if _word_class(pieces) != bidi.RTL \
                    else [pieces]:
                units.append((_word_class(part), part))
    if bidi.RTL not in (kind for kind, _p in units):
        return words  # a line with no right-to-left word reads left to right, as typed
    proxy = "".join(" " if kind == " " else pieces[0][1] if kind == _BRACKET
                    else bidi.PROXY[bidi.LTR if kind == _ISLAND else kind]
                    for kind, pieces in units)
    display, v2l = bidi.visual(proxy, direction)
    result = []
    for position, index in enumerate(v2l):
        kind, pieces = units[index]
        if kind == _BRACKET:  # as placed, and mirrored where it reads right to left
            pieces = [(pieces[0][0], display[position])]
        # the pieces of a right-to-left word (Arabic letters, then a full stop in another
        # font) are drawn from its left end: the last piece first
        for frag, text in (pieces[::-1] if kind == bidi.RTL else pieces):
            piece = copy.copy(frag)
            piece.text = text
            result.append(piece)
    return result


class RtlParagraph(Paragraph):  # type: ignore[misc]  # reportlab has no type hints
    """A paragraph of a right-to-left document: lines are broken in logical order, then the
    words of each line are drawn in visual order."""

    def drawPara(self, debug: int = 0) -> Any:
        logical: Any = getattr(self, "blPara")  # noqa: B009  (set by wrap; untyped)
        if logical.kind == 1:
            visual = copy.copy(logical)
            visual.lines = []
            for line in logical.lines:
                moved = copy.copy(line)
                moved.words = reorder_line(line.words)
                visual.lines.append(moved)
            self.blPara = visual
        try:
            return super().drawPara(debug)
        finally:
            self.blPara = logical
