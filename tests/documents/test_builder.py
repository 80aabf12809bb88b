"""Documents made in the document builder process, as the desktop application makes them
(``build_services(opened, document_process=True)``): the same documents as those made in the
asking process, through the same checks; errors come back as themselves; the child holds no
file open for writing, writes no core file, and ends with the session."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest

from shelter_app.documents.appointment_card import AppointmentCard
from shelter_app.documents.jobs import Job, build
from shelter_app.services.consent import ConsentMissing
from shelter_app.services.document_builder import BuilderStopped, DocumentBuilder
from shelter_app.services.registry import Services, build_services
from tests.documents.conftest import NAME, Scenario, read_pdf
from tests.documents.test_residence import Residence, residence  # noqa: F401
from tests.records.conftest import STAFF_PASS

PACKET_ID = re.compile(r"PK-[0-9A-F]{8}")


@pytest.fixture
def apart(scenario: Scenario) -> Iterator[Services]:
    """The coordinator's own session, making documents as the desktop application does."""
    opened, _report = scenario.org.vault.unlock("coordinator", STAFF_PASS)
    services = build_services(opened, document_process=True)
    try:
        yield services
    finally:
        services.lock()


@pytest.fixture
def builder() -> Iterator[DocumentBuilder]:
    made = DocumentBuilder()
    try:
        yield made
    finally:
        made.close()


def card(language: str = "en") -> AppointmentCard:
    starts = dt.datetime(2026, 5, 4, 10, 0, tzinfo=dt.UTC)
    return AppointmentCard(
        packet_id="PK-00C0FFEE", language=language, starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1), location="Riverside Clinic", room="2",
        ask_for="Maria", interpreter_language="ar", organisation="Shelter",
        organisation_contact="+1 555 0100", case_code="SH-2026-0001")


def words(pages: list[str]) -> list[list[str]]:
    """The words of each page, packet ids left out (the layout's spaces follow their width)."""
    return [PACKET_ID.sub("PK", page).split() for page in pages]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def running_child(services: Services) -> int:
    builder = services.document_builder
    assert builder is not None, "asking for documents starts the builder"
    pid = builder.pid
    assert pid is not None and pid != os.getpid() and alive(pid)
    return pid


def test_the_child_makes_the_same_bytes(builder: DocumentBuilder) -> None:
    for language in ("en", "ar"):
        job = Job(card(language))
        assert builder.build(job).pdf == build(job).pdf, language
    encrypted = builder.build(Job(card(), passphrase="AAAAA-BBBBB"))
    assert encrypted.plain == build(Job(card())).pdf  # the preview's copy: before encryption
    reader = pypdf.PdfReader(io.BytesIO(encrypted.pdf))
    assert reader.is_encrypted and reader.decrypt("AAAAA-BBBBB")
    assert len(reader.pages) == encrypted.pages == 1


def test_a_referral_packet_made_apart(apart: Services, scenario: Scenario,
                                      tmp_path: Path) -> None:
    here = scenario.org.coordinator.documents.referral_packet(
        scenario.case_id, scenario.partner_id, encrypt=True)
    there = apart.documents.referral_packet(scenario.case_id, scenario.partner_id,
                                            encrypt=True)
    running_child(apart)
    assert there.passphrase and there.plain is not None
    opened = read_pdf(there.pdf, tmp_path, there.passphrase)
    plain = read_pdf(there.preview_pdf, tmp_path)
    assert not pypdf.PdfReader(io.BytesIO(there.preview_pdf)).is_encrypted
    assert opened.pages == plain.pages == there.pages == here.pages
    assert opened.poppler_pages == plain.poppler_pages, "the preview shows what is saved"
    mine = read_pdf(here.pdf, tmp_path, here.passphrase)
    assert words(opened.poppler_pages) == words(mine.poppler_pages), "but its packet id"
    assert NAME in opened.text
    previewed = scenario.org.audit("document.previewed")
    assert [e["details"]["format"] for e in previewed[-2:]] == ["referral.pdf-aes256"] * 2


def test_the_checks_stay_in_the_asking_process(apart: Services, scenario: Scenario) -> None:
    c = scenario.org.coordinator
    c.consent.withdraw(scenario.consent_id, note="Asked to stop sharing")
    with pytest.raises(ConsentMissing):
        apart.documents.referral_packet(scenario.case_id, scenario.partner_id)
    assert apart.document_builder is not None  # started, and never sent the case


def test_a_residence_packet_made_apart(apart: Services, residence: Residence,  # noqa: F811
                                       tmp_path: Path) -> None:
    produced = apart.documents.residence_packet(residence.scenario.case_id, "us-t-visa",
                                                encrypt=True)
    read = read_pdf(produced.pdf, tmp_path, produced.passphrase)
    assert read.pages == produced.pages > 20
    assert read_pdf(produced.preview_pdf, tmp_path).poppler_pages == read.poppler_pages
    assert "EAC-26-001-50001" in read.text


def test_an_error_comes_back_as_itself_and_the_child_goes_on(
        builder: DocumentBuilder) -> None:
    with pytest.raises(TypeError, match="no document is made from str"):
        builder.build(Job("not a packet"))  # type: ignore[arg-type]
    pid = builder.pid
    assert builder.build(Job(card())).pages == 1 and builder.pid == pid


def test_a_child_that_died_is_started_again(builder: DocumentBuilder) -> None:
    builder.start()
    first = builder.pid
    assert first is not None
    os.kill(first, signal.SIGKILL)
    assert builder.build(Job(card())).pages == 1, "the job goes to a new child"
    assert builder.pid not in (None, first)


@pytest.mark.skipif(not Path("/proc/self/io").is_file(), reason="reads Linux's /proc")
def test_closing_stops_a_job_on_its_way_and_refuses_more(
        apart: Services, residence: Residence) -> None:  # noqa: F811
    apart.documents.residence_preflight(residence.scenario.case_id, "us-t-visa")
    pid = running_child(apart)
    builder = apart.document_builder
    assert builder is not None
    builder.build(Job(card()))  # started and idle
    before = received(pid)
    outcome: list[BaseException | object] = []

    def make() -> None:
        try:
            outcome.append(apart.documents.residence_packet(residence.scenario.case_id,
                                                            "us-t-visa"))
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=make)
    worker.start()
    while worker.is_alive() and received(pid) == before:
        time.sleep(0.002)  # until the job reaches the child
    builder.close()  # as a lock does, while the packet is being laid out
    worker.join(30)
    assert len(outcome) == 1 and isinstance(outcome[0], BuilderStopped), outcome
    assert "the program that lays it out stopped" in str(outcome[0])
    assert not alive(pid)
    with pytest.raises(BuilderStopped, match="session has ended"):
        builder.build(Job(card()))


def received(pid: int) -> int:
    """Bytes the process *pid* has read so far (Linux's /proc)."""
    return int(re.search(r"rchar: (\d+)", Path(f"/proc/{pid}/io").read_text())[1])


def test_lock_ends_the_child(scenario: Scenario) -> None:
    opened, _report = scenario.org.vault.unlock("coordinator", STAFF_PASS)
    services = build_services(opened, document_process=True)
    services.documents.referral_packet(scenario.case_id, scenario.partner_id)
    pid = running_child(services)
    services.lock()
    assert not alive(pid)


@pytest.mark.skipif(not Path("/proc/self/fdinfo").is_dir(), reason="reads Linux's /proc")
def test_the_child_writes_nothing_and_dumps_no_core(builder: DocumentBuilder) -> None:
    import resource

    saved = resource.getrlimit(resource.RLIMIT_CORE)
    if saved[1] == 0:
        pytest.skip("core files are not allowed here at all")
    resource.setrlimit(resource.RLIMIT_CORE, (saved[1], saved[1]))  # this process: allowed
    try:
        builder.build(Job(card("ar"), passphrase="AAAAA-BBBBB"))
    finally:
        resource.setrlimit(resource.RLIMIT_CORE, saved)
    pid = builder.pid
    assert pid is not None
    limits = Path(f"/proc/{pid}/limits").read_text()
    assert re.search(r"Max core file size\s+0\s", limits), "the child refuses core files itself"
    for fd in os.listdir(f"/proc/{pid}/fd"):
        if int(fd) <= 2:
            continue  # the pipe in, and the error stream it shares with this process
        target = os.readlink(f"/proc/{pid}/fd/{fd}")
        if target.startswith(("pipe:", "socket:", "anon_inode:", "/dev/")):
            continue
        flags = int(re.search(r"flags:\s+(\d+)",
                              Path(f"/proc/{pid}/fdinfo/{fd}").read_text())[1], 8)
        assert flags & os.O_ACCMODE == os.O_RDONLY, f"{target} is open for writing"
