"""Documents read back as a reader would: pypdf for structure and text, ``pdftotext`` (poppler)
for the text a person copying from the PDF gets, ``pdftoppm`` to look at the pages.

``org`` is the organisation of tests/records (one real SQLCipher vault, several accounts).
``scenario`` adds a case ready for a referral: a survivor who reads Arabic, a partner whose
documents are in Spanish, the survivor's consent for that partner, and the referral itself.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pypdf
import pytest

from shelter_app.domain.records import CaseInput, Guardian, IdentityDocument, SafeContact
from tests.records.conftest import Org, org  # noqa: F401  (the fixture, shared)

NAME = "Ana María Lucero"
_BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def normal(value: str) -> str:
    """Text as compared in tests: NFKC (shaping turns "fi" into a ligature glyph) and without
    the direction marks pdftotext puts around right-to-left runs."""
    return _BIDI_MARKS.sub("", unicodedata.normalize("NFKC", value))


_TOKEN = re.compile(r"[\u0600-\u06ff]+|[^\W\u0600-\u06ff]+")


def tokens(value: str) -> list[str]:
    """The words of *value* in order, Arabic and other scripts apart, punctuation dropped."""
    return _TOKEN.findall(normal(value))


def has_phrase(text: str, phrase: str) -> bool:
    """True when the words of *phrase* appear in *text*, one after another, in this order:
    for right-to-left text this is the proof of logical order (pdftotext puts the words of a
    line back in reading order only when the page drew them in the right visual order; it
    moves punctuation around by its own rules)."""
    hay, needle = tokens(text), tokens(phrase)
    return any(hay[i:i + len(needle)] == needle for i in range(len(hay) - len(needle) + 1))


@dataclass
class Read:
    pdf: bytes
    pypdf_pages: list[str]
    poppler_pages: list[str]

    @property
    def pages(self) -> int:
        return len(self.pypdf_pages)

    @property
    def text(self) -> str:
        return "\n".join(self.poppler_pages)

    def both(self, number: int) -> tuple[str, str]:
        return self.pypdf_pages[number - 1], self.poppler_pages[number - 1]


def read_pdf(pdf: bytes, tmp_path: Path, password: str | None = None) -> Read:
    """Every page's text by pypdf and by pdftotext (one call, pages split at form feeds)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    if reader.is_encrypted:
        assert password and reader.decrypt(password)
    path = tmp_path / f"read-{len(list(tmp_path.glob('read-*')))}.pdf"
    path.write_bytes(pdf)
    command = ["pdftotext", "-layout", *(["-upw", password] if password else []), str(path), "-"]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    poppler = out.split("\f")[:len(reader.pages)]
    return Read(pdf, [normal(p.extract_text()) for p in reader.pages], [normal(p) for p in poppler])


def render_png(pdf: bytes, tmp_path: Path, page: int, name: str = "page") -> Path:
    """Page *page* as a PNG at 60 dpi (what a reviewer looks at)."""
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", str(page), "-l", str(page),
                    "-singlefile", str(path), str(tmp_path / name)], check=True)
    return tmp_path / f"{name}.png"


@dataclass
class Scenario:
    org: Org
    case_id: str
    code: str
    partner_id: str
    referral_id: str
    consent_id: str


def today() -> dt.date:
    return dt.date.today()


@pytest.fixture
def scenario(org: Org) -> Scenario:  # noqa: F811
    record = org.new_case(
        NAME, preferred_name="Ana", aliases=["Lucerito"], birth_date="1996-04-02",
        gender="woman", citizenship=["HN"], languages=["ar", "es"], interpreter_needed=True,
        interpreter_language="ar", phone="+34 600 000 111", address="Calle Falsa 1, Sevilla",
        safe_contact=SafeContact(safe_to_call=True, preferred_method="sms",
                                 cover_story="Say you are calling from the dentist."),
        identity_documents=[IdentityDocument("passport", "withheld", "employer")],
        guardian=Guardian(), access_needs="Needs a ground-floor room.",
        case=CaseInput(exploitation_types=["forced_labour"], means_of_control=["debt_bondage"],
                       risk_level="high", identification_status="actual"))
    c = org.coordinator
    c.timeline.add(record.id, "recruitment", place="San Pedro Sula", country="HN",
                   date_from="2023-05-01",
                   description="Ana María was offered work in a restaurant by a neighbour.")
    c.timeline.add(record.id, "exploitation", place="Sevilla", country="ES",
                   date_from="2023-07-01", date_to="2024-09-01",
                   description="Worked 16 hours a day; Lucero's passport was taken.")
    partner = c.partners.add("Centro Esperanza", "health", services=["medical"],
                             address="Avenida del Puerto 12\n41001 Sevilla",
                             document_language="es")
    consent = c.consent.record(record.id, sections=["identity", "contact", "situation"],
                               purpose="Referral for medical care", given_by="survivor",
                               method="written", given_on=today() - dt.timedelta(days=3),
                               expires_on=today() + dt.timedelta(days=180),
                               partner_id=partner.id, interpreter_used=True,
                               interpreter_language="ar")
    referral = c.referrals.create(record.id, partner.id, priority="urgent",
                                  services=["medical", "psychosocial"],
                                  reason="Ana needs a medical check after months of work "
                                         "without rest.")
    org.admin.settings.set("organisation_contact", "+34 955 000 000 (9:00–17:00)")
    org.admin.settings.set("referral_return", "Secure e-mail to referrals@example.org")
    return Scenario(org, record.id, record.code, partner.id, referral.id, consent.id)
