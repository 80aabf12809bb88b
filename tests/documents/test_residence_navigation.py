"""A filing a lawyer can find her way in: a bookmark for every part and exhibit, the
document's language in its catalogue, and a landscape exhibit turned, not shrunk."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
from reportlab.lib.pagesizes import A4, LETTER, landscape

from shelter_app.documents.assemble import _place_fitted
from shelter_app.documents.layout import DocumentSpec
from tests.documents.conftest import read_pdf
from tests.documents.test_residence import Residence, pdf_pages, residence  # noqa: F401


def _outline(pdf: bytes, password: str | None = None) -> list[tuple[str, int]]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    if password:
        assert reader.decrypt(password)
    return [(item.title, reader.get_destination_page_number(item)) for item in reader.outline]


def test_bookmarks_open_every_part_and_exhibit(residence: Residence,  # noqa: F811
                                               tmp_path: Path) -> None:
    s = residence.scenario
    produced = s.org.legal.documents.residence_packet(
        s.case_id, "us-t-visa", translations={residence.items["police"]: "es"}, encrypt=True,
        draft=True)
    outline = _outline(produced.pdf, produced.passphrase)
    titles = [title for title, _page in outline]
    assert titles[:4] == ["Cover letter", "Exhibit index", "Elements checklist", "Worksheets"]
    exhibits = [t for t in titles if t.startswith("Exhibit ") and ":" in t]
    assert [t.split(":")[0] for t in exhibits] == [f"Exhibit {x}" for x in "ABCDE"]
    assert titles[-2:] == ["Translation of exhibit E", "Translator's certificate, exhibit E"]
    read = read_pdf(produced.pdf, tmp_path, password=produced.passphrase)
    for title, page in outline:  # each opens the page it names
        if title.startswith("Exhibit ") and ":" in title:
            assert title.split(":")[0] in read.poppler_pages[page], title
    assert [page for _t, page in outline] == sorted(page for _t, page in outline)
    assert produced.working is not None
    assert [t for t, _p in _outline(produced.working, produced.passphrase)] == [
        "Still missing for filing", "Personal statement: draft for review",
        "Deadlines summary"]
    for pdf in (produced.pdf, produced.working):
        reader = pypdf.PdfReader(io.BytesIO(pdf))
        assert reader.decrypt(produced.passphrase)
        assert reader.trailer["/Root"]["/Lang"] == "en"


def test_a_landscape_exhibit_is_turned_rather_than_shrunk() -> None:
    spec = DocumentSpec("Office", "PK-00000000", pagesize=LETTER)
    for size, turned in ((landscape(A4), True), (A4, False), (LETTER, False)):
        page = pypdf.PdfReader(io.BytesIO(pdf_pages(1, size, "Scan"))).pages[0]
        writer = pypdf.PdfWriter()
        added, (_x, _y, width, height) = _place_fitted(writer, page, spec)
        assert (round(float(added.mediabox.width)), round(float(added.mediabox.height))) == (
            612, 792), "the packet's own page size"
        assert (height > width) is True, size  # upright or turned, it stands on the page
        long_side = max(size)
        scale = height / long_side if turned else height / size[1]
        if turned:
            # turned, it is drawn larger than it would fit lying across the page
            assert scale > (612 - 2 * spec.margin) / long_side
    # and the text still reads: the page's content is there, turned
    bundle = pypdf.PdfWriter()
    page = pypdf.PdfReader(io.BytesIO(pdf_pages(1, landscape(A4), "Wide"))).pages[0]
    _place_fitted(bundle, page, spec)
    out = io.BytesIO()
    bundle.write(out)
    assert "Wide original page 1" in pypdf.PdfReader(out).pages[0].extract_text()
