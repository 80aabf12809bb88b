"""Attachments (encrypted in the vault, typed by content) and what the audit chain keeps."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from shelter_app.domain.records import (
    CaseInput,
    Guardian,
    IdentityDocument,
    SafeContact,
    SurvivorInput,
)
from shelter_app.errors import NotFound, PermissionDenied, ValidationError
from tests.records.conftest import Org

MARKER = b"FICTIONAL-SCAN-7f3a9c"
PDF = b"%PDF-1.7\n" + MARKER + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16 + MARKER
JPEG = b"\xff\xd8\xff\xe0" + MARKER
EXE = b"MZ\x90\x00\x03" + MARKER
ELF = b"\x7fELF\x02\x01" + MARKER
HTML = b"<!DOCTYPE html><script>alert(1)</script>"
SVG = b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>"
ZIP = b"PK\x03\x04" + MARKER


@pytest.mark.parametrize(("name", "data", "media_type"), [
    ("scan.jpg", PDF, "application/pdf"),
    ("scan.pdf", PDF, "application/pdf"),
    ("photo.pdf", JPEG, "image/jpeg"),
    ("IMG_0001", PNG, "image/png"),
])
def test_type_comes_from_the_content(org: Org, name: str, data: bytes, media_type: str) -> None:
    case_id = org.new_case("Ana Docs").id
    info = org.caseworker.attachments.add(case_id, name, data, label="ID scan")
    assert (info.media_type, info.size, info.file_name) == (media_type, len(data), name)
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    again, content = org.legal.attachments.content(info.id)
    assert content == data and again == info


@pytest.mark.parametrize(("name", "data"), [
    ("photo.jpg", EXE), ("passport.pdf", ELF), ("scan.png", HTML), ("logo.png", SVG),
    ("docs.pdf", ZIP), ("notes.pdf", b"just some text"),
])
def test_files_that_lie_about_their_type_are_refused(org: Org, name: str, data: bytes) -> None:
    case_id = org.new_case("Ana Docs").id
    with pytest.raises(ValidationError, match="not a PDF or an image, whatever its name says"):
        org.caseworker.attachments.add(case_id, name, data)
    assert org.count("attachments") == 0


def test_size_limit_and_empty_files(org: Org) -> None:
    case_id = org.new_case("Ana Docs").id
    big = b"%PDF-1.7\n" + b"0" * (26 * 1024 * 1024)
    with pytest.raises(ValidationError, match=r"The file is 26\.0 MB; the limit is 25 MB"):
        org.caseworker.attachments.add(case_id, "big.pdf", big)
    with pytest.raises(ValidationError, match="empty"):
        org.caseworker.attachments.add(case_id, "empty.pdf", b"")
    assert org.count("attachments") == 0


def test_size_limit_is_an_organisation_setting(org: Org) -> None:
    case_id = org.new_case("Ana Docs").id
    three_mb = b"%PDF-1.7\n" + b"0" * (3 * 1024 * 1024)
    org.admin.settings.set("attachment_limit_mb", 2)
    with pytest.raises(ValidationError, match="the limit is 2 MB"):
        org.caseworker.attachments.add(case_id, "scan.pdf", three_mb)
    org.admin.settings.set("attachment_limit_mb", "4")
    assert org.caseworker.attachments.add(case_id, "scan.pdf", three_mb).size == len(three_mb)
    with pytest.raises(ValidationError, match="between 1 and 500"):
        org.admin.settings.set("attachment_limit_mb", 0)


def test_file_names_cannot_carry_paths_or_invisible_characters(org: Org) -> None:
    case_id = org.new_case("Ana Docs").id
    info = org.caseworker.attachments.add(case_id, "..\\..\\evil\u202egpj.pdf", PDF)
    assert info.file_name == "evilgpj.pdf"
    info = org.caseworker.attachments.add(case_id, "/etc/passwd.pdf", PDF)
    assert info.file_name == "passwd.pdf"


def test_attachments_are_encrypted_on_disk(org: Org) -> None:
    case_id = org.new_case("Ana Docs").id
    info = org.caseworker.attachments.add(case_id, "scan.pdf", PDF)
    assert org.caseworker.attachments.content(info.id)[1] == PDF
    files = [p for p in org.folder.iterdir() if p.name.startswith("cases.db")]
    assert files
    for path in files:
        raw = path.read_bytes()
        assert MARKER not in raw and b"%PDF-1.7" not in raw, path.name
        assert b"Ana Docs" not in raw


def test_attachments_follow_case_scope(org: Org) -> None:
    case_id = org.new_case("Ana Docs").id
    info = org.caseworker.attachments.add(case_id, "scan.pdf", PDF)
    assert [a.id for a in org.legal.attachments.list(case_id)] == [info.id]
    for services in (org.other_caseworker, org.other_legal):
        with pytest.raises(NotFound):
            services.attachments.content(info.id)
    opened = [e for e in org.audit("record.opened") if e["target_type"] == "attachment"]
    assert opened == [] or all(e["target_id"] == info.id for e in opened)


# -- the audit chain never holds personal data ------------------------------------------
CANARY = "Zyxwvut Qanarya"
CANARY_PARTS = ("Zyxwvut", "Qanarya", "zyxwvut", "qanarya", "ZYXWVUT")


def test_audit_events_carry_field_names_never_values(org: Org) -> None:
    record = org.coordinator.cases.create(
        SurvivorInput(legal_name=CANARY, preferred_name=f"{CANARY} Jr",
                      aliases=[f"Alias {CANARY}"], birth_date="1991-03-04",
                      citizenship=["MD"], phone="+373 Zyxwvut", address="Qanarya street",
                      safe_contact=SafeContact(cover_story="Zyxwvut bakery"),
                      identity_documents=[IdentityDocument("passport", "withheld", "Qanarya")],
                      guardian=Guardian("Zyxwvut Guardian"), access_needs="Qanarya needs"),
        CaseInput(safety_plan="Zyxwvut plan", referral_source="Qanarya police",
                  assigned_to=org.ids["caseworker"]))
    org.coordinator.cases.share(record.id, org.ids["legal"])
    cw = org.caseworker
    cw.cases.update(record.id, survivor=SurvivorInput(legal_name=f"{CANARY} Renamed"))
    cw.timeline.add(record.id, "recruitment", place="Zyxwvut town",
                    description="Qanarya story")
    partner = org.coordinator.partners.add("Zyxwvut Partner", "ngo",
                                           secure_contact="Qanarya line")
    consent = cw.consent.record(record.id, sections=["identity"], purpose="Zyxwvut purpose",
                                given_by="guardian", guardian_name="Qanarya Guardian",
                                method="written", given_on=dt.date.today(),
                                partner_id=partner.id)
    cw.consent.withdraw(consent.id, note="Zyxwvut withdrew")
    cw.care.record(record.id, "psychosocial", provided_on=dt.date.today(),
                   notes="Zyxwvut session", outcome="Qanarya outcome")
    cw.referrals.create(record.id, partner.id, reason="Zyxwvut reason")
    cw.appointments.schedule(record.id, "medical", "2031-01-02 10:00", "2031-01-02 11:00",
                             volunteer="Zyxwvut volunteer", room="Qanarya room",
                             notes="Zyxwvut notes")
    org.legal.legal.open(record.id, "asylum", notes="Zyxwvut legal", authority_ref="Qanarya-1")
    cw.attachments.add(record.id, "Zyxwvut passport.pdf", PDF, label="Qanarya label")
    cw.search.search(CANARY)
    org.other_caseworker.search.search("Zyxwvut")
    for services in (org.other_caseworker, org.admin):
        with pytest.raises((NotFound, PermissionDenied)):
            services.cases.get(record.id)

    rows = org.coordinator.ctx.db.all("SELECT * FROM audit_events")
    dump = " ".join(str(v) for r in rows for v in tuple(r))
    for part in CANARY_PARTS:
        assert part not in dump
    created = next(e for e in org.audit("record.created") if e["target_id"] == record.id)
    assert {"legal_name", "aliases", "safety_plan", "access_needs"} <= set(
        created["details"]["fields"])
    updated = [e for e in org.audit("record.updated") if e["target_id"] == record.id]
    assert any("legal_name" in e["details"]["fields"] for e in updated)
    # Field names only; assigning and sharing also name the staff account (an id).
    assert all(set(e["details"]) <= {"fields", "user", "change"} for e in updated)
    staff = set(org.ids.values())
    assert all(e["details"].get("user", org.ids["legal"]) in staff for e in updated)
    assert all(set(e["details"]) <= {"count"} for e in org.audit("record.search"))


def test_the_audit_chain_still_verifies_after_case_work(org: Org) -> None:
    record = org.new_case("Ana Chain")
    org.caseworker.cases.set_status(record.id, "assessment")
    with pytest.raises(NotFound):
        org.other_caseworker.cases.get(record.id)
    report = org.coordinator.ctx.audit.verify()
    assert report.ok, report.problem
