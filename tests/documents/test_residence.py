"""Residence-status packets: pre-flight, exhibits merged from the vault with their pages
right in the index, Bates numbers, continuation headers, translator's certificates."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pypdf
import pytest
from PIL import Image
from reportlab.lib.pagesizes import A4, LETTER, landscape
from reportlab.pdfgen.canvas import Canvas

from shelter_app.errors import NotFound
from shelter_app.services.consent import ConsentMissing
from shelter_app.services.documents import PreflightFailed
from tests.documents.conftest import NAME, Scenario, read_pdf, today

USCIS = "U.S. Citizenship and Immigration Services (USCIS)"
SECRET_PLACE = "Warehouse 7, Pier Road"  # in an image's EXIF and an attachment's metadata


def pdf_pages(count: int, size: tuple[float, float], title: str, rotate: int = 0) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=size)
    canvas.setAuthor(SECRET_PLACE)
    for n in range(count):
        canvas.setFont("Helvetica", 14)
        canvas.drawString(72, size[1] - 90, f"{title} original page {n + 1}")
        canvas.showPage()
    canvas.save()
    if not rotate:
        return buffer.getvalue()
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(buffer.getvalue())))
    for page in writer.pages:
        page.rotate(rotate)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def photo() -> bytes:
    image = Image.new("RGB", (1600, 1200), (180, 200, 230))
    exif = Image.Exif()
    exif[0x010E] = SECRET_PLACE  # ImageDescription
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


@dataclass
class Residence:
    scenario: Scenario
    matter_id: str
    items: dict[str, str]  # evidence label → item id


def _attach(s: Scenario, matter_id: str, label: str, name: str, data: bytes) -> str:
    c = s.org.coordinator
    item = c.legal.add_evidence(matter_id, label)
    attachment = c.attachments.add(s.case_id, name, data, label=label)
    c.legal.link_evidence(item.id, attachment.id)
    return item.id


@pytest.fixture
def residence(scenario: Scenario) -> Residence:
    c = scenario.org.coordinator
    matter = c.legal.open(scenario.case_id, "t_visa", jurisdiction="United States",
                          authority_ref="EAC-26-001-50001",
                          dates={"filing_due": today() + dt.timedelta(days=20)})
    uscis = c.partners.add(USCIS, "government", document_language="en")
    c.consent.record(scenario.case_id, sections=["identity", "situation", "legal"],
                     purpose="T visa application", given_by="survivor", method="written",
                     given_on=today() - dt.timedelta(days=1), partner_id=uscis.id)
    items = {
        "statement": _attach(scenario, matter.id, "Personal statement of the applicant (signed)",
                             "statement.pdf", pdf_pages(3, LETTER, "Statement")),
        "form": _attach(scenario, matter.id, "Form I-914, signed", "i914.pdf",
                        pdf_pages(6, LETTER, "I-914")),
        "passport": _attach(scenario, matter.id, "Passport (copy)", "passport.jpg", photo()),
        "police": _attach(scenario, matter.id, "Police report and cooperation letter",
                          "police.pdf", pdf_pages(9, A4, "Police", rotate=90)),
        "supplement_b": _attach(scenario, matter.id, "Form I-914 Supplement B",
                                "suppb.pdf", pdf_pages(1, landscape(A4), "SuppB")),
    }
    return Residence(scenario, matter.id, items)


def test_preflight_lists_every_missing_item(scenario: Scenario) -> None:
    c = scenario.org.coordinator
    docs = c.documents
    assert "A legal matter of type T visa in this case" in docs.residence_preflight(
        scenario.case_id, "us-t-visa")
    matter = c.legal.open(scenario.case_id, "t_visa")
    c.legal.add_evidence(matter.id, "Passport (copy)")
    c.legal.add_evidence(matter.id, "Country conditions report", required=True)
    missing = docs.residence_preflight(scenario.case_id, "us-t-visa")
    for expected in ("Not on the evidence checklist: Form I-914, signed",
                     "Not on the evidence checklist: Personal statement of the applicant",
                     "No document attached: Identity document (passport or other)",
                     "No document attached: Country conditions report"):
        assert expected in missing, (expected, missing)
    assert any("U.S. Citizenship and Immigration Services" in m for m in missing), \
        "the recipient (and its consent) is part of the check"
    with pytest.raises(PreflightFailed) as info:
        c.partners.add(USCIS, "government")
        c.consent.record(scenario.case_id, sections=["identity", "situation", "legal"],
                         purpose="T visa", given_by="survivor", method="verbal",
                         given_on=today(), any_referral=True)
        docs.residence_packet(scenario.case_id, "us-t-visa")
    assert "Form I-914, signed" in str(info.value)
    assert scenario.org.count("generated_documents") == 0


def test_consent_gates_residence_packets_too(residence: Residence) -> None:
    s = residence.scenario
    c = s.org.coordinator
    [consent] = [x for x in c.consent.list(s.case_id) if x.purpose == "T visa application"]
    c.consent.withdraw(consent.id)
    with pytest.raises(ConsentMissing):
        c.documents.residence_packet(s.case_id, "us-t-visa")


def test_packet_pages_exhibits_bates_and_headers(residence: Residence, tmp_path: Path) -> None:
    s = residence.scenario
    produced = s.org.legal.documents.residence_packet(
        s.case_id, "us-t-visa", translations={residence.items["police"]: "es"}, draft=True)
    read = read_pdf(produced.pdf, tmp_path)
    assert read.pages == produced.pages
    sizes = {tuple(round(float(x)) for x in p.mediabox[2:]) for p in
             pypdf.PdfReader(io.BytesIO(produced.pdf)).pages}
    assert sizes == {(612, 792)}, "every page, exhibits included, is US Letter"
    header = f"Applicant: {NAME} · A-Number or USCIS receipt number: EAC-26-001-50001"
    for number in range(1, read.pages + 1):
        for text in read.both(number):
            flat = " ".join(text.split())
            assert f"TV-{number:06d}" in flat, number  # Bates numbers continuous
            assert produced.packet_id in flat and f"Page {number} of {read.pages}" in flat
            assert (header in flat) == (number > 1), number  # continuation sheets
    index = read.poppler_pages[1]
    assert "Exhibit index" in index
    rows = dict(re.findall(r"^\s*([A-E])\s.*?\s(\d+)(?:–\d+)?\s+TV-", index, re.M))
    assert sorted(rows) == list("ABCDE"), index
    for letter, first in rows.items():
        assert f"Exhibit {letter}" in read.poppler_pages[int(first) - 1], (letter, first)
    # in the template's order of requirements: form, statement, identity, Supplement B, police
    for letter, label in zip("ABCDE", ("Form I-914, signed", "Personal statement", "Passport",
                                       "Form I-914 Supplement", "Police report"), strict=True):
        assert re.search(rf"^\s*{letter}\s+{label}", index, re.M), (letter, label)
    first = {letter: int(page) for letter, page in rows.items()}
    assert "Police original page 1" in read.pypdf_pages[first["E"]]  # after its cover sheet
    assert "SuppB original page 1" in read.pypdf_pages[first["D"]]
    certificate = next(i for i, p in enumerate(read.poppler_pages) if "Translator's certificate"
                       in p)
    assert "Exhibit E" in read.poppler_pages[certificate]
    assert "Spanish" in read.poppler_pages[certificate]
    # exhibit E: its cover, its nine pages, the place of its translation (a draft), then
    # the certificate naming both
    assert "Translation of exhibit E" in read.poppler_pages[first["E"] + 9]
    assert certificate + 1 == first["E"] + 9 + 2, "the certificate closes exhibit E"
    assert "to be inserted before this certificate" in read.poppler_pages[certificate]
    text = " ".join(read.text.split())
    for expected in ("Elements checklist", "Supplement A: eligible family members",
                     "Enclosed: Exhibit D.", "8 CFR 214.202"):
        assert expected in text, expected
    # the working papers are a file of their own: none of their pages is in the bundle
    for working_only in ("Personal statement: draft for review", "Deadlines summary",
                         "Working papers", "not for filing", "was offered work in a "
                         "restaurant", "Remove the following pages"):
        assert working_only not in text, working_only
    assert produced.working is not None and produced.working_pages >= 3
    working = read_pdf(produced.working, tmp_path)
    assert working.pages == produced.working_pages
    for number in range(1, working.pages + 1):
        for page in working.both(number):
            flat = " ".join(page.split())
            assert "Working papers, not for filing · Applicant: " in flat, number
            assert f"Page {number} of {working.pages}" in flat and "TV-0" not in flat
            assert produced.packet_id in flat
    flat = " ".join(working.text.split())
    for expected in ("Working papers for the legal representative", "Not for filing.",
                     "E: Police report and cooperation letter", "Nothing is missing.",
                     "Personal statement: draft for review", "was offered work in a restaurant",
                     "Deadlines summary", "Filing due"):
        assert expected in flat, expected
    assert SECRET_PLACE.encode() not in produced.working
    assert SECRET_PLACE.encode() not in produced.pdf, "attachment metadata and EXIF dropped"
    info = pypdf.PdfReader(io.BytesIO(produced.pdf)).metadata
    assert not info or not any(info.get(k) for k in ("/Producer", "/Author", "/Creator"))
    assert s.org.legal.documents.history(s.case_id) == [], "a preview is not a record"
    s.org.legal.documents.record_printed(produced)
    [record] = s.org.legal.documents.history(s.case_id)
    assert (record.kind, record.template, record.template_version, record.recipient) == (
        "residence", "us-t-visa", "2026.2", USCIS)
    assert s.org.audit("data.print")[-1]["details"] == {
        "sections": ["identity", "situation", "legal"], "format": "residence.print"}


def test_the_deadlines_summary_has_the_computed_deadlines(residence: Residence,
                                                          tmp_path: Path) -> None:
    """A refused T visa matter prepared with its template: the packet's deadlines summary
    names the appeal window the template gives (30 days from the decision)."""
    s = residence.scenario
    c = s.org.coordinator
    matter = c.legal.get(residence.matter_id)
    decided = today() - dt.timedelta(days=2)
    c.legal.update(matter.id, matter_type="t_visa", status="refused", template_id="us-t-visa",
                   jurisdiction=matter.jurisdiction, authority_ref=matter.authority_ref,
                   dates={"filed_on": today() - dt.timedelta(days=90), "decision_on": decided})
    produced = c.documents.residence_packet(s.case_id, "us-t-visa", matter_id=matter.id)
    assert produced.working is not None
    summary = next(p for p in read_pdf(produced.working, tmp_path).poppler_pages
                   if "Deadlines summary" in p)
    flat = " ".join(summary.split())
    assert "Appeal or review due" in flat and "Decision on" in flat
    assert (decided + dt.timedelta(days=30)).strftime("%B %-d, %Y") in flat


def test_the_family_worksheet_lists_those_included(residence: Residence,
                                                  tmp_path: Path) -> None:
    s = residence.scenario
    c = s.org.coordinator
    c.family.add(s.case_id, "Lucía Test", "child", birth_date="2016-05-01", country="HN",
                 included=True, reason="Unmarried child under 21")
    c.family.add(s.case_id, "Tío Test", "other", country="HN")  # not in the application
    produced = c.documents.residence_packet(s.case_id, "us-t-visa")
    sheet = next(p for p in read_pdf(produced.pdf, tmp_path).poppler_pages
                 if "Supplement A: eligible family members" in p)
    flat = " ".join(sheet.split())
    assert "Lucía Test" in flat and "Child" in flat and "Honduras" in flat
    assert "May 1, 2016" in flat and "Unmarried child under 21" in flat
    assert "Tío Test" not in flat


def test_draft_packet_says_what_is_missing(residence: Residence, tmp_path: Path) -> None:
    s = residence.scenario
    c = s.org.coordinator
    c.legal.link_evidence(residence.items["form"], None)
    produced = c.documents.residence_packet(s.case_id, "us-t-visa", draft=True, encrypt=True)
    assert produced.passphrase
    read = read_pdf(produced.pdf, tmp_path, password=produced.passphrase)
    first = " ".join(read.poppler_pages[0].split())
    assert "DRAFT: not ready for filing" in first
    assert "No document attached: Form I-914, signed" in first
    assert read.pages == produced.pages


def test_templates_are_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                            scenario: Scenario) -> None:
    from shelter_app.documents import templates
    from shelter_app.errors import ValidationError

    shipped = {t.id for t in templates.available()}
    assert {"us-t-visa", "coe-eu-reflection-residence", "uk-nrm-vts", "it-art18",
            "ca-trp-vtip", "blank"} <= shipped
    for template in templates.available():
        assert template.elements and template.requirements and template.legal_basis
    own = (templates.resource("templates", "blank.toml").read_text("utf-8")
           .replace('id = "blank"', 'id = "ie-stamp-4"')
           .replace('name = "Blank template (copy me for another jurisdiction)"',
                    'name = "Ireland: our own"'))
    (tmp_path / "ireland.toml").write_text(own, "utf-8")
    monkeypatch.setenv("SHELTER_TEMPLATES", str(tmp_path))
    assert templates.load("ie-stamp-4").name == "Ireland: our own"
    (tmp_path / "broken.toml").write_text(own.replace('matter_types = ["residence_permit"]',
                                                      'matter_types = ["visa_lottery"]'),
                                          "utf-8")
    with pytest.raises(ValidationError, match=r"broken\.toml.*visa_lottery"):
        templates.available()
    (tmp_path / "broken.toml").unlink()
    with pytest.raises(NotFound):
        scenario.org.coordinator.documents.residence_preflight(scenario.case_id, "xx")


def test_scope(residence: Residence) -> None:
    s = residence.scenario
    with pytest.raises(NotFound):
        s.org.other_legal.documents.residence_packet(s.case_id, "us-t-visa")



def test_attachments_that_cannot_be_placed_are_named(residence: Residence) -> None:
    s = residence.scenario
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf_pages(1, A4, "x"))))
    writer.encrypt("their password", algorithm="AES-256")
    locked = io.BytesIO()
    writer.write(locked)
    heic = b"\x00\x00\x00\x18ftypheic" + bytes(200)
    _attach(s, residence.matter_id, "Hardship evidence (doctor's letter)", "letter.pdf",
            locked.getvalue())
    _attach(s, residence.matter_id, "Corroborating photo", "photo.heic", heic)
    missing = s.org.coordinator.documents.residence_preflight(s.case_id, "us-t-visa")
    assert any("Hardship evidence" in m and "password-protected PDF" in m for m in missing)
    assert any("Corroborating photo" in m and "cannot be read" in m for m in missing)


def test_a_multipage_scan_goes_in_page_by_page(residence: Residence, tmp_path: Path) -> None:
    s = residence.scenario
    frames = [Image.new("L", (850, 1100), shade) for shade in (200, 150, 100)]
    scan = io.BytesIO()
    frames[0].save(scan, format="TIFF", save_all=True, append_images=frames[1:])
    _attach(s, residence.matter_id, "Corroborating witness affidavit (scan)", "scan.tiff",
            scan.getvalue())
    produced = s.org.coordinator.documents.residence_packet(s.case_id, "us-t-visa",
                                                           watermark="COPY")
    read = read_pdf(produced.pdf, tmp_path)
    index = read.poppler_pages[1]
    match = re.search(r"^\s*([A-F])\s+Corroborating witness.*?(\d+)–(\d+)", index, re.M)
    assert match, index
    first, last = int(match.group(2)), int(match.group(3))
    assert last - first == 3, "a cover sheet and the three pages of the scan"
    assert all("COPY" in page for page in read.pypdf_pages), "the watermark is on every page"


def test_italian_packet_speaks_italian_throughout(scenario: Scenario, tmp_path: Path) -> None:
    c = scenario.org.coordinator
    c.legal.open(scenario.case_id, "residence_permit", jurisdiction="Italia")
    questura = c.partners.add("Questura di Siracusa", "government", document_language="it")
    c.consent.record(scenario.case_id, sections=["identity", "situation", "legal"],
                     purpose="Permesso art. 18", given_by="survivor", method="written",
                     given_on=today(), partner_id=questura.id)
    produced = c.documents.residence_packet(scenario.case_id, "it-art18",
                                           recipient_id=questura.id, draft=True)
    read = read_pdf(produced.pdf, tmp_path)
    text = " ".join(read.text.split())
    for expected in ("Oggetto: richiesta di rilascio del permesso di soggiorno",
                     "Indice degli allegati", "Tabella degli elementi", "BOZZA",
                     f"Pagina 1 di {read.pages}",
                     "Riservato: solo per Questura di Siracusa"):
        assert expected in text, expected
    assert produced.working is not None
    working = " ".join(read_pdf(produced.working, tmp_path).text.split())
    for expected in ("Riepilogo delle scadenze", "Dichiarazione personale: bozza da rivedere",
                     f"Pagina 1 di {produced.working_pages}"):
        assert expected in working, expected
    assert "______" not in read.poppler_pages[1], "the office named, not the template's blank"
