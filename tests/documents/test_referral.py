"""Referral packets: what is in them, in which language, and what never is."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import pypdf
import pytest

from shelter_app.documents.layout import rich, sentence, styles
from shelter_app.errors import StorageFailure, ValidationError
from shelter_app.i18n import translator
from shelter_app.i18n.formatting import format_date, format_number
from shelter_app.services.consent import ConsentMissing
from tests.documents.conftest import NAME, Scenario, has_phrase, read_pdf, today


def page_label(language: str, x: int, y: int) -> str:
    return translator(language)("Page {x} of {y}").format(
        x=format_number(x, language=language), y=format_number(y, language=language))


def test_packet_in_the_partners_language_and_her_own_copy_apart_in_hers(
        scenario: Scenario, tmp_path: Path) -> None:
    docs = scenario.org.coordinator.documents
    es, ar = translator("es"), translator("ar")
    assert es("Referral form") != "Referral form", "the Spanish catalogue is compiled"
    assert ar("Your referral") != "Your referral", "the Arabic catalogue is compiled"
    alone = docs.referral_packet(scenario.case_id, scenario.partner_id)
    assert alone.working is None, "her copy is made only when she wants it"
    produced = docs.referral_packet(scenario.case_id, scenario.partner_id, own_copy=True)
    read = read_pdf(produced.pdf, tmp_path)
    assert read.pages == produced.pages == alone.pages >= 4
    for number in range(1, read.pages + 1):
        pypdf_text, poppler = read.both(number)
        for text in (pypdf_text, poppler):
            assert produced.packet_id in text
        assert has_phrase(poppler, page_label("es", number, read.pages)), poppler
    everything = read.text
    for expected in (es("Referral form"), es("Consent summary"), es("Feedback slip"),
                     es("Safe contact: read before contacting the person"), "Centro Esperanza",
                     scenario.code, NAME, "Say you are calling from the dentist.",
                     "Secure e-mail to referrals@example.org"):
        assert expected in everything, expected
    assert not has_phrase(everything, ar("Your referral")), "her copy is not the partner's"
    assert produced.working is not None
    own = read_pdf(produced.working, tmp_path)
    assert own.pages == produced.working_pages
    survivor = " ".join(own.poppler_pages)
    assert has_phrase(own.poppler_pages[0], page_label("ar", 1, own.pages)), "its own pages"
    for expected in (ar("Your referral"), ar("How to withdraw your consent"),
                     ar("Keep this page in a safe place."),
                     ar("With your agreement we gave them: {sections}. Nothing else.").split(
                         ":")[0]):
        assert has_phrase(survivor, expected), expected  # Arabic back in logical order
    # what she reads fits what was shared: her name and contact went, her health did not
    assert not has_phrase(survivor, ar("They do not know your name: show them the reference "
                                       "above.").split(":")[0])
    assert not has_phrase(survivor, ar("They know about your health needs, as you agreed, "
                                       "so that they can help with them.").split(",")[0])
    assert NAME not in survivor, "the survivor's copy never names her"
    assert "Needs a ground-floor room" not in everything, "health was not shared"
    narrow = docs.referral_packet(scenario.case_id, scenario.partner_id,
                                  sections=["situation"], own_copy=True)
    assert narrow.working is not None
    told = " ".join(read_pdf(narrow.working, tmp_path).poppler_pages)
    assert has_phrase(told, ar("They do not know your name: show them the reference "
                               "above.").split(":")[0])
    assert has_phrase(told, ar("They do not have your address or telephone number: your "
                               "contact person will tell you the day and time.").split(":")[0])


def test_no_packet_without_a_way_for_the_partner_to_answer(scenario: Scenario) -> None:
    docs = scenario.org.coordinator.documents
    for key in ("referral_return", "organisation_contact"):
        kept = scenario.org.admin.settings.get(key)
        scenario.org.admin.settings.set(key, "")
        with pytest.raises(ValidationError, match="how partners return the feedback slip"):
            docs.referral_packet(scenario.case_id, scenario.partner_id)
        scenario.org.admin.settings.set(key, kept)
    assert docs.referral_packet(scenario.case_id, scenario.partner_id).pages >= 4


def test_only_consented_sections_and_the_refusal_names_what_is_missing(
        scenario: Scenario) -> None:
    docs = scenario.org.coordinator.documents
    with pytest.raises(ConsentMissing) as info:
        docs.referral_packet(scenario.case_id, scenario.partner_id,
                             sections=["identity", "health", "legal"])
    assert info.value.missing_sections == ("health", "legal")
    assert "Health" in str(info.value) and "Legal" in str(info.value)
    assert scenario.org.count("generated_documents") == 0
    denied = scenario.org.audit("access.denied")[-1]
    assert denied["details"] == {"action": "case.packet", "sections": ["health", "legal"]}


def test_withdrawn_consent_refuses_every_packet(scenario: Scenario) -> None:
    c = scenario.org.coordinator
    c.consent.withdraw(scenario.consent_id)
    with pytest.raises(ConsentMissing, match="no active consent"):
        c.documents.referral_packet(scenario.case_id, scenario.partner_id)
    with pytest.raises(ConsentMissing):
        c.documents.referral_packet(scenario.case_id, scenario.partner_id,
                                    sections=["situation"])


def test_without_identity_the_case_code_replaces_every_name(scenario: Scenario,
                                                              tmp_path: Path) -> None:
    produced = scenario.org.coordinator.documents.referral_packet(
        scenario.case_id, scenario.partner_id, sections=["contact", "situation"])
    read = read_pdf(produced.pdf, tmp_path)
    text = read.text + "\n".join(read.pypdf_pages)
    for word in ("Ana", "María", "Maria", "Lucero", "Lucerito"):
        assert not re.search(rf"\b{word}\b", text, re.IGNORECASE), word
    assert scenario.code in text
    flat = " ".join(" ".join(read.pypdf_pages).split())
    assert f"{scenario.code} was offered work in a restaurant" in flat, "names replaced"
    assert f"{scenario.code}'s passport was taken" in flat
    es = translator("es")
    assert es("Identity not shared: the person is referred to only by the reference "
              "{code}.").format(code=scenario.code).split(":")[0] in read.text


def test_encrypted_packet_opens_only_with_its_passphrase(scenario: Scenario,
                                                         tmp_path: Path) -> None:
    produced = scenario.org.coordinator.documents.referral_packet(
        scenario.case_id, scenario.partner_id, encrypt=True)
    assert produced.passphrase and re.fullmatch(r"([2-9A-HJKMNP-Z]{5}-){4}[2-9A-HJKMNP-Z]{5}",
                                                produced.passphrase)
    reader = pypdf.PdfReader(io.BytesIO(produced.pdf))
    assert reader.is_encrypted
    encrypt = reader.trailer["/Encrypt"].get_object()
    assert (encrypt["/Filter"], encrypt["/V"], encrypt["/R"]) == ("/Standard", 5, 6)
    assert encrypt["/CF"]["/StdCF"]["/CFM"] == "/AESV3"
    assert not reader.decrypt("WRONG-PASSPHRASE")
    assert reader.decrypt(produced.passphrase)
    assert len(reader.pages) == produced.pages
    assert not any((reader.metadata or {}).get(k) for k in ("/Producer", "/Creator", "/Author",
                                                            "/Title"))
    read = read_pdf(produced.pdf, tmp_path, password=produced.passphrase)
    assert produced.packet_id in read.poppler_pages[0]
    path = tmp_path / "locked.pdf"
    path.write_bytes(produced.pdf)
    import subprocess

    refused = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True)
    assert refused.returncode != 0 and NAME not in refused.stdout


def test_metadata_names_no_one_and_no_producer(scenario: Scenario) -> None:
    produced = scenario.org.coordinator.documents.referral_packet(scenario.case_id,
                                                                  scenario.partner_id)
    info = pypdf.PdfReader(io.BytesIO(produced.pdf)).metadata or {}
    assert not any(info.get(k) for k in ("/Title", "/Author", "/Subject", "/Producer",
                                         "/Creator", "/Keywords"))
    assert b"ReportLab" not in produced.pdf and b"pypdf" not in produced.pdf


def test_a_preview_is_audited_as_such_and_never_recorded_as_produced(
        scenario: Scenario) -> None:
    org = scenario.org
    produced = org.coordinator.documents.referral_packet(scenario.case_id, scenario.partner_id,
                                                         encrypt=True)
    assert org.coordinator.documents.history(scenario.case_id) == []
    assert org.count("generated_documents") == 0
    assert org.audit("data.export") == [] and org.audit("data.print") == []
    event = org.audit("document.previewed")[-1]
    assert event["target_id"] == scenario.case_id and event["actor_id"] == org.ids["coordinator"]
    assert event["details"] == {"sections": ["identity", "contact", "situation"],
                                "format": "referral.pdf-aes256"}
    assert produced.passphrase not in json.dumps(org.audit())


def test_saving_records_and_audits_the_document_without_names(scenario: Scenario,
                                                               tmp_path: Path) -> None:
    org = scenario.org
    docs = org.coordinator.documents
    produced = docs.referral_packet(scenario.case_id, scenario.partner_id, encrypt=True)
    docs.save(produced, tmp_path / produced.file_name)
    [record] = docs.history(scenario.case_id)
    assert (record.packet_id, record.kind, record.recipient, record.language) == (
        produced.packet_id, "referral", "Centro Esperanza", "es")
    assert record.sections == ("identity", "contact", "situation")
    assert record.encrypted and record.pages == produced.pages
    assert record.template_version == "referral/1" and record.created_by == "coordinator"
    import hashlib

    assert record.sha256 == hashlib.sha256(produced.pdf).hexdigest() == produced.sha256
    event = org.audit("data.export")[-1]
    assert event["target_id"] == scenario.case_id and event["actor_id"] == org.ids["coordinator"]
    assert event["details"] == {"sections": ["identity", "contact", "situation"],
                                "format": "referral.pdf-aes256"}
    docs.record_printed(produced)  # the same document printed too: one record, two events
    assert [r.packet_id for r in docs.history(scenario.case_id)] == [produced.packet_id]
    assert org.audit("data.print")[-1]["details"] == {
        "sections": ["identity", "contact", "situation"], "format": "referral.print"}
    chain = json.dumps(org.audit(), ensure_ascii=False)
    for word in ("Ana", "Lucero", "Esperanza", produced.passphrase or "-"):
        assert word not in chain


def test_consent_withdrawn_after_the_preview_stops_save_and_print(scenario: Scenario,
                                                                 tmp_path: Path) -> None:
    c = scenario.org.coordinator
    produced = c.documents.referral_packet(scenario.case_id, scenario.partner_id)
    c.consent.withdraw(scenario.consent_id)
    target = tmp_path / produced.file_name
    with pytest.raises(ConsentMissing):
        c.documents.save(produced, target)
    with pytest.raises(ConsentMissing):
        c.documents.record_printed(produced)  # asked before any page is sent
    assert not target.exists()
    assert scenario.org.count("generated_documents") == 0
    assert scenario.org.audit("data.export") == [] == scenario.org.audit("data.print")


def test_a_failed_write_leaves_no_record(scenario: Scenario, tmp_path: Path) -> None:
    docs = scenario.org.coordinator.documents
    produced = docs.referral_packet(scenario.case_id, scenario.partner_id)
    with pytest.raises(StorageFailure):
        docs.save(produced, tmp_path / "no-such-folder" / produced.file_name)
    assert scenario.org.count("generated_documents") == 0
    assert scenario.org.audit("data.export") == []


def test_roles_and_scope(scenario: Scenario) -> None:
    from shelter_app.errors import NotFound, PermissionDenied

    org = scenario.org
    with pytest.raises(NotFound):  # not assigned: the case does not exist for them
        org.other_caseworker.documents.referral_packet(scenario.case_id, scenario.partner_id)
    with pytest.raises(PermissionDenied):  # no survivor content at all
        org.admin.documents.referral_packet(scenario.case_id, scenario.partner_id)
    with pytest.raises(PermissionDenied):  # legal volunteers do not manage referrals
        org.legal.documents.referral_packet(scenario.case_id, scenario.partner_id)
    produced = org.caseworker.documents.referral_packet(scenario.case_id, scenario.partner_id)
    assert produced.kind == "referral"


def test_files_are_neutral_and_never_overwritten(scenario: Scenario, tmp_path: Path) -> None:

    docs = scenario.org.coordinator.documents
    produced = docs.referral_packet(scenario.case_id, scenario.partner_id)
    assert re.fullmatch(r"referral-PK-[0-9A-F]{8}\.pdf", produced.file_name)
    target = docs.save(produced, tmp_path / produced.file_name)
    assert target.read_bytes() == produced.pdf
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    with pytest.raises(ValidationError, match="already exists"):
        docs.save(produced, target)
    for bad in ("ana-lucero-referral.pdf", "Lucerito.pdf", "referral.txt"):
        with pytest.raises(ValidationError):
            docs.save(produced, tmp_path / bad)
        assert not (tmp_path / bad).exists()


def test_no_packet_for_an_inactive_partner(scenario: Scenario) -> None:
    c = scenario.org.coordinator
    c.partners.set_active(scenario.partner_id, False)
    with pytest.raises(ValidationError, match="inactive"):
        c.documents.referral_packet(scenario.case_id, scenario.partner_id)
    assert scenario.org.count("generated_documents") == 0
    c.partners.set_active(scenario.partner_id, True)
    assert c.documents.referral_packet(scenario.case_id, scenario.partner_id).pages > 0


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_feedback_slips_boxes_are_boxes_in_either_direction(
        scenario: Scenario, tmp_path: Path, language: str) -> None:
    produced = scenario.org.coordinator.documents.referral_packet(
        scenario.case_id, scenario.partner_id, language=language)
    read = read_pdf(produced.pdf, tmp_path)
    _ = translator(language)
    [line] = [x for p in read.poppler_pages for x in p.splitlines() if "□" in x]
    assert line.count("□") == 3 and has_phrase(line, _("Appointment given")), line  # a box each
    assert "[" not in line and "]" not in line, line


@pytest.mark.parametrize("language", ["ru", "uk", "en"])
def test_a_date_that_ends_a_sentence_keeps_one_full_stop(language: str) -> None:
    day = format_date(dt.date(2026, 12, 6), length="long", language=language)
    assert day.endswith(".") is (language != "en")  # "6 декабря 2026 г.", "6 грудня 2026 р."
    said = rich("We expect an answer by {date}.", styles(language).body, date=day)
    assert said.getPlainText().split() == f"We expect an answer by {day.rstrip('.')}.".split()
    assert sentence(day) == day.rstrip(".") + "."


@pytest.mark.parametrize(("partner_type", "heading", "facts", "answers"), [
    ("health", "For the health service",
     ["Interpreter needed Yes: Arabic", "Access needs Not shared (Health)"],
     ["Appointment given", "First appointment"]),
    ("legal", "For the legal service",
     ["Legal matters Not shared (Legal)", "Identity documents Passport: Withheld",
      "Identification Identified"],
     ["Case taken on", "Advice given, case not taken on", "Lawyer or adviser"]),
    ("labour_inspection", "For the labour inspection",
     ["Exploitation Forced labour", "Means of control Debt bondage",
      "Where and when Sevilla, Spain"],
     ["Inspection or complaint opened", "Not within our remit", "Inspection reference"]),
    ("shelter", "For the shelter",
     ["Risk level High", "Gender Woman", "Access needs Not shared (Health)"],
     ["Place offered", "No place available", "Date of arrival"]),
    ("ngo", None, [], ["Accepted", "First appointment"]),
])
def test_each_kind_of_partner_gets_what_it_needs_and_can_answer(
        scenario: Scenario, tmp_path: Path, partner_type: str, heading: str | None,
        facts: list[str], answers: list[str]) -> None:
    """Per kind of partner: the facts it needs first, each from a section she agreed to
    share (else said to be not shared), and a feedback slip with the answers it gives."""
    c = scenario.org.coordinator
    partner = c.partners.add(f"Partner of kind {partner_type}", partner_type,
                             document_language="en")
    c.consent.record(scenario.case_id, sections=["identity", "contact", "situation"],
                     purpose="Referral", given_by="survivor", method="written",
                     given_on=today() - dt.timedelta(days=1), partner_id=partner.id)
    c.referrals.create(scenario.case_id, partner.id, priority="normal", services=["medical"],
                       reason="A check-up.")
    produced = c.documents.referral_packet(scenario.case_id, partner.id)
    read = read_pdf(produced.pdf, tmp_path)
    form = " ".join(next(p for p in read.poppler_pages if "Referral form" in p).split())
    slip = " ".join(next(p for p in read.poppler_pages if "Feedback slip" in p).split())
    kinds = ("For the health service", "For the legal service", "For the labour inspection",
             "For the shelter")
    assert [k for k in kinds if k in form] == ([heading] if heading else [])
    block = form[form.index(heading):form.index("The person")] if heading else ""
    for fact in facts:  # in the block, before the sections that hold them
        assert fact in block, (fact, block)
    for answer in answers:
        assert answer in slip, (answer, slip)
    assert "Could not reach the person" in slip
    assert "Secure e-mail to referrals@example.org" in slip
