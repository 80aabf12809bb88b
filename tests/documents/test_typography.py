"""Page-level typography, read back from the PDF: a heading never stranded at the foot of a
page, blank rows tall enough to write in, no word broken in the middle of a narrow column."""

from __future__ import annotations

import subprocess
import unicodedata
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Table

from shelter_app.documents import blocks as b
from shelter_app.documents import fonts
from shelter_app.documents.layout import DocumentSpec, render, styles


def _pages(pdf: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "typography.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                         capture_output=True, text=True).stdout
    return unicodedata.normalize("NFKC", out).split("\f")  # ligatures as letters


def test_a_heading_goes_to_the_next_page_with_its_text(tmp_path: Path) -> None:
    st = styles("en")
    spec = DocumentSpec("Office", "PK-00000000")
    stranded = 0
    for filler in range(28, 44):  # one of these lengths puts the heading at the page's foot
        story = [b.p(f"Filler line {n}.", st.body) for n in range(filler)]
        story += [b.p("The heading", st.heading), b.p("Its first paragraph.", st.body)]
        pages = _pages(render(spec, story), tmp_path)
        where = [i for i, page in enumerate(pages) if "The heading" in page]
        follows = [i for i, page in enumerate(pages) if "Its first paragraph." in page]
        assert where == follows, filler
        stranded += where[0] > 0 and "Filler line" not in pages[where[0]].split(
            "The heading")[0].splitlines()[-1]
    assert stranded, "some length did push the heading over to the next page"


def test_blank_rows_to_write_in_are_a_line_of_handwriting_high() -> None:
    st = styles("en")
    table = b.grid(["Name", "Relationship", "Date of birth"], [["", "", ""]] * 4, st,
                   widths=[60 * mm, 50 * mm, 50 * mm], small=True, fill_height=9 * mm)
    assert isinstance(table, Table)
    table.wrap(160 * mm, 200 * mm)
    assert table._rowHeights[1:] == [9 * mm] * 4


def test_a_narrow_column_is_widened_to_its_longest_word() -> None:
    st = styles("en")
    header = ["No.", "Relationship", "Country of citizenship", "A-Number", "Included"]
    width = 170 * mm
    widths = b.fitted([width / 5] * 5, [header], fonts.SANS_BOLD, st.small.fontSize)
    assert abs(sum(widths) - width) < 0.01
    for column, words in enumerate(header):
        longest = max(stringWidth(w, fonts.SANS_BOLD, st.small.fontSize) for w in
                      words.split())
        assert widths[column] >= longest, (words, widths[column], longest)
    # too many long words to fit: the widths are left as they were
    crowded = ["Relationshipwithapplicant"] * 12
    assert b.fitted([10 * mm] * 12, [crowded], fonts.SANS_BOLD, 20) == [10 * mm] * 12
