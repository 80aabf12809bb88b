"""Right-to-left text: the rlbidi adapter on python-bidi, words of a line in visual order,
and Arabic that a reader (pdftotext) gets back as typed, in logical order."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from bidi import get_display
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from shelter_app.documents import bidi, fonts
from shelter_app.documents.layout import DocumentSpec, new_packet_id, paragraphs, render, styles
from tests.documents.conftest import has_phrase, read_pdf, render_png

CORPUS = [
    "abc مرحبا 123 def", "مرحبا بكم في الملجأ", "الاسم: أحمد 12", "Name: أحمد, 2026-03-05",
    "رقم الجواز 123456 صالح", "hello world", "شارع 5 ، الطابق 2", "\u2068أحمد\u2069 said hi",
    "PK-1A2B3C4D صفحة 3 من 7",
]


@pytest.mark.parametrize("text", CORPUS)
@pytest.mark.parametrize("direction", ["RTL", "LTR", None])
def test_log2vis_agrees_with_python_bidi(text: str, direction: str | None) -> None:
    v2l: list[int] = []
    shown = bidi.log2vis(text, base_direction=direction, positions_V_to_L=v2l)
    expected = get_display(text, base_dir={"RTL": "R", "LTR": "L", None: None}[direction])
    assert shown == "".join(c for c in expected if c not in "\u2068\u2069")
    # the map points every visual character back at the character it shows
    assert sorted(v2l) == sorted(set(v2l)) and all(shown[i] == text[v2l[i]]
                                                   for i in range(len(shown)))


def test_reportlab_finds_the_adapter() -> None:
    import rlbidi  # registered by shelter_app.documents
    from reportlab.pdfgen import textobject

    assert textobject.rtlSupport and rlbidi.log2vis is bidi.log2vis


def test_words_of_a_line_in_visual_order() -> None:
    R, L, N, X = bidi.RTL, bidi.LTR, bidi.NUMBER, bidi.NEUTRAL
    # two Arabic words, a number, two Latin words: drawn from the left, the Latin run keeps
    # its order, the number follows the Arabic word it belongs to
    assert bidi.visual_order([R, R, N, L, L, X, R]) == [6, 5, 3, 4, 2, 1, 0]
    assert bidi.visual_order([L, L], "LTR") == [0, 1]
    assert bidi.word_class("2026-03-05") == N and bidi.word_class("(x)") == L
    assert bidi.word_class("«") == X and bidi.word_class("أحمد:") == R


def test_canvas_strings_are_shaped_and_ordered(tmp_path: Path) -> None:
    fonts.register()
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.setFont(fonts.ARABIC, 20)
    canvas.drawRightString(500, 700, "مرحبا بكم في الملجأ", shaping=1, direction="RTL")
    canvas.save()
    read = read_pdf(buffer.getvalue(), tmp_path)
    assert has_phrase(read.poppler_pages[0], "مرحبا بكم في الملجأ")
    assert not has_phrase(read.poppler_pages[0], "الملجأ في بكم مرحبا")


def test_arabic_paragraphs_read_back_in_logical_order(tmp_path: Path) -> None:
    lines = ["مرحبا بكم في الملجأ الآمن", "الاسم: أحمد 123 Passport AB-1234 صالح",
             "لا تكتبوا اسم الشخص على هذه القسيمة " * 6]
    spec = DocumentSpec(recipient="عيادة", packet_id=new_packet_id(), language="ar")
    pdf = render(spec, paragraphs(lines, styles("ar").body))
    read = read_pdf(pdf, tmp_path)
    page = read.poppler_pages[0]
    assert has_phrase(page, lines[0]), page
    assert has_phrase(page, "الاسم أحمد") and has_phrase(page, "لا تكتبوا اسم الشخص على هذه")
    assert not has_phrase(page, "الآمن الملجأ في بكم مرحبا"), "not in drawing order"
    # ligatures and contextual forms read back as the letters typed (lam-alef in الاسم)
    assert not any(0xE000 <= ord(c) <= 0xF8FF for c in page + read.pypdf_pages[0])
    assert "الاسم" in page and "الآمن" in page


def test_arabic_page_is_laid_out_from_the_right(tmp_path: Path) -> None:
    spec = DocumentSpec(recipient="عيادة", packet_id=new_packet_id(), language="ar")
    short = render(spec, paragraphs(["إحالتك"], styles("ar").title))
    png = Image.open(render_png(short, tmp_path, 1, "ar")).convert("L")
    width, _height = png.size
    band = png.crop((0, 0, width, 120))  # the title line near the top margin
    ink = [x for x in range(width) for y in range(band.size[1]) if band.getpixel((x, y)) < 128]
    assert ink and min(ink) > width / 2, "a right-to-left title starts at the right margin"
    english = render(DocumentSpec(recipient="x", packet_id=new_packet_id()),
                     paragraphs(["Referral"], styles("en").title))
    band = Image.open(render_png(english, tmp_path, 1, "en")).convert("L").crop((0, 0, width, 120))
    ink = [x for x in range(width) for y in range(band.size[1]) if band.getpixel((x, y)) < 128]
    assert ink and max(ink) < width / 2


def test_pdftotext_is_available() -> None:
    assert subprocess.run(["pdftotext", "-v"], capture_output=True).returncode == 0


@pytest.mark.parametrize(("pieces", "shown"), [
    # a pair around Arabic is drawn the right way round, its full stop to its left
    ((("دار", "A"), (" (", "S"), ("وهمية", "A"), (")", "S")), "(وهمية) دار"),
    ((("دار", "A"), (" (", "S"), ("وهمية", "A"), (").", "S")), ".(وهمية) دار"),
    # numbers between brackets, with the punctuation after them
    ((("القرار", "A"), (" (2025).", "S")), ".(2025) القرار"),
    ((("القرار", "A"), (" (5)", "S"), ("،", "A")), "،(5) القرار"),
    # a pair across words, around Arabic and numbers
    ((("صدر", "A"), (" (", "S"), ("في", "A"), (" 4 ", "S"), ("مارس", "A"), (" 2025)", "S")),
     "(2025 مارس 4 في) صدر"),
    # left-to-right words keep their brackets, as typed
    ((("القانون", "A"), (" (s. 5)", "S")), "(s. 5) القانون"),
    ((("القانون", "A"), (" (CETS 197)", "S")), "(CETS 197) القانون"),
    ((("القانون", "A"), (": s. 5 (b)", "S")), "s. 5 (b) :القانون"),
])
def test_brackets_in_a_right_to_left_line(pieces: tuple[tuple[str, str], ...],
                                          shown: str) -> None:
    """Brackets beside Arabic or numbers in a right-to-left line are placed and mirrored as
    the algorithm says (rules N0 and L4); the words of the line, drawn left to right, read
    *shown*."""
    from types import SimpleNamespace

    from shelter_app.documents.shaping import reorder_line

    font = {"A": fonts.ARABIC, "S": fonts.SANS}
    frags = [SimpleNamespace(text=text, fontName=font[f]) for text, f in pieces]
    assert "".join(f.text for f in reorder_line(frags)) == shown
