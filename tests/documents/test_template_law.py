"""What each shipped residence template says of its law, as a legal review asked: checked
against its sources on a stated day, with the points the review found missing now in the
texts a packet prints.  The packets themselves are produced from the demo and read back in
tests/records/test_demo_casework.py."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import LETTER

from shelter_app.documents import templates
from shelter_app.documents.packet_model import Words
from shelter_app.errors import ValidationError
from tests.documents.conftest import read_pdf
from tests.documents.test_residence import (  # noqa: F401
    Residence,
    _attach,
    pdf_pages,
    residence,
)

FILED = ("ca-trp-vtip", "coe-eu-reflection-residence", "it-art18", "uk-nrm-vts", "us-t-visa")


def _all_text(t: templates.Template) -> str:
    """Every text of a template a packet can print."""
    parts = [t.name, t.authority, t.authority_address, t.cover_letter, t.footer,
             *t.legal_basis, *(p.text for p in t.paragraphs),
             *(f"{e.label} {e.basis} {e.note}" for e in t.elements),
             *(f"{r.label} {r.note}" for r in t.requirements),
             *(f"{d.label} {d.note}" for d in t.deadlines),
             *(f"{w.title} {w.text}" for w in t.worksheets)]
    return " ".join(parts)


@pytest.mark.parametrize("template_id", FILED)
def test_every_filed_template_says_when_it_was_checked_and_has_no_blanks(
        template_id: str) -> None:
    t = templates.load(template_id)
    assert t.checked is not None and t.checked <= dt.date.today()
    assert t.sources and all(s.startswith("https://") for s in t.sources)
    assert t.locale and t.formats == t.locale
    said = _all_text(t)
    assert "___" not in said, "nothing to fill in by hand in a filed packet"


def test_us_t_visa_representation_fees_work_and_adjustment() -> None:
    t = templates.load("us-t-visa")
    assert "Essex Junction, VT 05479-0001" in t.authority_address
    assert "uscis.gov/i-914" in {d.label: d.note for d in t.deadlines}["Filing address"]
    assert "8 U.S.C. § 1367" in t.footer and "{recipient}" in t.footer
    assert "Do not copy" not in t.footer
    # notices go to the representative only with a G-28, which the letter then says
    assert "send notices" not in t.cover_letter.casefold()
    g28 = next(p for p in t.paragraphs if p.when == "enclosed:g28")
    assert "Form G-28 is enclosed" in g28.text and not t.requirement("g28").required
    # the I-192: no fee for a T applicant, said where the waiver is asked for
    waiver = next(p for p in t.paragraphs if p.when == "enclosed:waiver")
    assert "exempt from the Form I-192 fee" in waiver.text and "89 FR 6194" in waiver.text
    # the bona fide determination and the (c)(40) work permit
    work = next(p for p in t.paragraphs if p.when == "enclosed:work_authorization")
    assert "8 CFR 214.205" in work.text and "(c)(40)" in work.text
    deadlines = {d.label: d.note for d in t.deadlines}
    assert "INA § 214(o)(7)(C)" in deadlines["Adjustment of status: before T status ends"]
    assert "while the applicant is in T status" in deadlines[
        "Adjustment of status: before T status ends"]
    assert "Bona fide determination" in deadlines


def test_us_letter_asks_for_notices_and_work_only_with_their_forms(
        residence: Residence, tmp_path: Path) -> None:  # noqa: F811
    s = residence.scenario
    c = s.org.coordinator

    def letter() -> str:
        made = c.documents.residence_packet(s.case_id, "us-t-visa", draft=True)
        return " ".join(read_pdf(made.pdf, tmp_path).poppler_pages[0].split())

    before = letter()
    assert "Form G-28 is enclosed" not in before and "(c)(40)" not in before
    for label in ("Form G-28, Notice of Entry of Appearance as Attorney or Accredited "
                  "Representative", "Form I-765, Application for Employment Authorization, "
                  "category (c)(40)"):
        _attach(s, residence.matter_id, label, "form.pdf", pdf_pages(1, LETTER, label[:9]))
    after = letter()
    assert "whose Form G-28 is enclosed. Please send the representative a copy" in after
    assert "bona fide determination under 8 CFR 214.205" in after
    assert "Form I-765 under category (c)(40) is enclosed" in after


def test_uk_public_order_asylum_support_and_no_statement_required() -> None:
    t = templates.load("uk-nrm-vts")
    assert not t.requirement("statement").required
    deadlines = {d.label: d.note for d in t.deadlines}
    # for the representative, in the working papers: never raised with the authority
    assert "s. 63" in deadlines["Public order disqualification (s. 63)"]
    assert not any("disqualif" in e.label.casefold() for e in t.elements)
    assert "45 days" in deadlines["Support"] and "conclusive grounds" in deadlines["Support"]
    assert "asylum" in deadlines["Asylum claim"].casefold()
    assert "without making an application" in t.cover_letter
    assert Words("en", t.formats).date(dt.date(2026, 12, 6)) == "6 December 2026"


def test_italy_proposal_is_required_and_labour_exploitation_has_its_route() -> None:
    t = templates.load("it-art18")
    assert t.requirement("proposta").required
    proposal = next(e for e in t.elements if e.id == "proposta")
    assert "presupposto" in proposal.label.casefold()
    assert "Questura di" not in t.authority and "___" not in t.authority
    deadlines = {d.label: d.note for d in t.deadlines}
    route = deadlines["Sfruttamento lavorativo: art. 18-ter"]
    assert "art. 22, comma 12-quater" in route and "autorità giudiziaria" in route
    assert any("18-ter" in x for x in t.legal_basis)
    assert Words("it", t.formats).date(dt.date(2026, 12, 6)) == "6 dicembre 2026"


def test_canada_out_of_status_two_steps_and_permanent_residence() -> None:
    t = templates.load("ca-trp-vtip")
    ids = [e.id for e in t.elements]
    assert ids[:2] == ["out_of_status", "reasonable_grounds"]
    # said only with the immigration history enclosed
    assert "without valid temporary resident status" not in t.cover_letter
    status = next(p for p in t.paragraphs if p.when == "enclosed:status_evidence")
    assert "without valid temporary resident status" in status.text
    assert "two steps" in t.cover_letter
    assert any("Step two" in e.label for e in t.elements)
    permanent = {d.label: d.note for d in t.deadlines}["Permanent residence"]
    assert "s. 25(1)" in permanent and "permit holder class" in permanent
    assert t.formats == "en_CA"


def test_council_of_europe_and_directive_limits_are_stated() -> None:
    t = templates.load("coe-eu-reflection-residence")
    said = _all_text(t)
    for cited in ("Art. 13(3)", "Art. 6(4)", "Art. 8(2)", "Article 14(5)"):
        assert cited in said, cited
    assert "right to seek and enjoy asylum" in t.cover_letter
    assert "is issued when" not in said, "Art. 8(1): conditions considered, not a right"
    assert t.evidenced == t.elements, "every element is shown by documents"


def _write(tmp_path: Path, **fields: str) -> Path:
    body = "\n".join(f"{k} = {v}" for k, v in fields.items())
    path = tmp_path / "mine.toml"
    base = templates.load("blank").path.read_text(encoding="utf-8")
    path.write_text(body + "\n" + base, encoding="utf-8")  # top-level keys come first
    return path


@pytest.mark.parametrize(("fields", "said"), [
    ({"locale": '"fr_FR"'}, "locale must be a CLDR locale of the template's language"),
    ({"locale": '"xx_YY"'}, "locale must be a CLDR locale"),
    ({"checked": '"last week"'}, "'checked' must be a date"),
    ({"footer": '"For {recipient}, case {case}"'}, "one placeholder only"),
])
def test_a_template_with_a_wrong_locale_date_or_footer_is_refused(
        tmp_path: Path, fields: dict[str, str], said: str) -> None:
    with pytest.raises(ValidationError, match=said):
        templates.parse(_write(tmp_path, **fields))
    good = templates.parse(_write(tmp_path, locale='"en_IE"', checked="2026-11-30",
                                  footer='"Private: for {recipient}."'))
    assert (good.formats, good.checked, good.footer) == (
        "en_IE", dt.date(2026, 11, 30), "Private: for {recipient}.")


def test_an_element_no_document_shows_is_never_missing(tmp_path: Path) -> None:
    """An organisation's template may name an element argued from the facts alone (no
    requirement): it is not among the elements evidence is missing for."""
    base = templates.load("blank").path.read_text(encoding="utf-8")
    path = tmp_path / "argued.toml"
    path.write_text(base + '''
[[elements]]
id = "argued"
label = "Argued from the facts"
basis = "Somewhere"
requirements = []
''', encoding="utf-8")
    t = templates.parse(path)
    argued = next(e for e in t.elements if e.id == "argued")
    assert argued in t.elements and argued not in t.evidenced
