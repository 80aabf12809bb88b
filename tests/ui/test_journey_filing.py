"""A legal volunteer, in the application alone, from an empty matter to a packet she can
file, for every residence template meant to be filed: she opens a matter prepared with the
template, adds its checklist in one step, adds each document it requires through the file
dialog and links it to its item, records the timeline, and produces the residence-status
packet, which passes pre-flight (no DRAFT) and is read back with poppler: the statement
drafted from her timeline and the exhibits."""

from __future__ import annotations

import datetime as dt
import subprocess
import unicodedata
from pathlib import Path

import pypdf
import pytest

from shelter_app.documents.templates import available, load
from shelter_app.domain import vocab
from tests.bidi import plain
from ui.cases.tabs.attachments import AttachmentsTab
from ui.cases.tabs.legal import LegalTab
from ui.cases.tabs.timeline import TimelineTab
from ui.documents.dialog import DocumentDialog

from .case_helpers import Office, new_case
from .conftest import WAIT_MS
from .journeys import answer_file_dialog, choose, click, own_home, retype, shown
from .test_case_history import open_workspace

__all__ = ["own_home"]  # a fixture
TEMPLATES = [t.id for t in available() if t.id != "blank"]  # blank is never filed


@pytest.fixture(params=TEMPLATES)
def office(qapp, vault_dir, request):
    """A case shared with the legal volunteer, with her date of birth and citizenship, and
    her consent to share with the authority the template names."""
    office = Office(vault_dir)
    office.template = request.param
    office.record = new_case(office.coordinator, office.ids, birth_date="1995-08-14",
                             citizenship=["PH"])
    authority = office.coordinator.partners.add(load(request.param).authority, "government")
    office.coordinator.consent.record(
        office.record.id, sections=["identity", "situation", "legal"], given_by="survivor",
        purpose="Temporary resident permit", method="written", given_on=dt.date.today(),
        partner_id=authority.id)
    yield office
    office.close()


def _pdf(path: Path, pages: int = 1) -> Path:
    writer = pypdf.PdfWriter()
    for _n in range(pages):
        writer.add_blank_page(width=595, height=842)
    with path.open("wb") as out:
        writer.write(out)
    return path


def test_from_an_empty_matter_to_a_packet_she_can_file(qtbot, office, own_home, tmp_path):
    template = load(office.template)
    workspace = open_workspace(qtbot, office, "legal")
    background = office.background

    legal = workspace.show_tab("legal")
    assert isinstance(legal, LegalTab) and legal.table.rowCount() == 0
    choose(qtbot, legal.form["matter_type"].focus,
           vocab.LEGAL_MATTER_TYPE.label(template.matter_types[0]))
    choose(qtbot, legal.form["status"].focus, "Preparing")
    choose(qtbot, legal.form["template_id"].focus, template.name)
    retype(qtbot, legal.form["jurisdiction"].focus, template.jurisdiction or "Canada")
    click(qtbot, legal.open_button)
    assert legal.done.text() == "The legal matter was opened.", legal.message.text()
    panel = legal.evidence
    choose(qtbot, panel.templates, template.name)
    click(qtbot, panel.template_button)
    required = [r.label for r in template.requirements if r.required]
    labels = [panel.table.item(r, 0).text() for r in range(panel.table.rowCount())]
    assert set(required) <= set(labels)

    attachments = workspace.show_tab("attachments")
    assert isinstance(attachments, AttachmentsTab)
    for n, label in enumerate(required):
        retype(qtbot, attachments.label, label)
        answer_file_dialog(qtbot, _pdf(tmp_path / f"scan-{n}.pdf", pages=n + 1),
                           suggested=False)
        click(qtbot, attachments.add_button)
        qtbot.waitUntil(lambda n=n: attachments.table.rowCount() == n + 1, timeout=WAIT_MS)

    legal = workspace.show_tab("legal")
    panel = legal.evidence
    for n, label in enumerate(required):
        row = [panel.table.item(r, 0).text() for r in range(panel.table.rowCount())].index(label)
        panel.table.selectRow(row)
        panel.attachments.setCurrentIndex(next(  # picked from the open list
            i for i in range(panel.attachments.count())
            if panel.attachments.itemText(i).startswith(label)))
        click(qtbot, panel.link_button)
        assert panel.message.text() == "", panel.message.text()
        assert panel.table.item(row, 2).text().endswith(f"scan-{n}.pdf")

    timeline = workspace.show_tab("timeline")
    assert isinstance(timeline, TimelineTab)
    for stage, day, place, what in (
            ("Recruitment", "3/1/2023", "Cebu", "A cousin's friend offered work in a hotel."),
            ("Escape", "9/20/2024", "Toronto", "She left while the others were asleep.")):
        qtbot.wait(450)  # Qt's keyboard search starts afresh after a pause
        choose(qtbot, timeline.form["stage"].focus, stage)
        retype(qtbot, timeline.form["date_from"].focus, day)
        retype(qtbot, timeline.form["place"].focus, place)
        timeline.form["description"].focus.setFocus()
        qtbot.keyClicks(timeline.form["description"].focus, what)
        click(qtbot, timeline.add_button)
        assert timeline.message.text() == "", timeline.message.text()
    assert timeline.table.rowCount() == 2

    documents = workspace.show_tab("documents")
    click(qtbot, documents.panel.new_button)
    dialog = shown(DocumentDialog, qtbot=qtbot)
    choose(qtbot, dialog.kind, "Residence-status packet")
    with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
        choose(qtbot, dialog.template, template.name)
    qtbot.waitUntil(lambda: dialog.missing.items not in ([], ["Checking…"]), timeout=WAIT_MS)
    assert dialog.missing.items == ["Nothing is missing."]
    dialog.encrypt.setChecked(False)
    with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
        click(qtbot, dialog.preview_button)
    assert dialog.message.text() == "" and dialog.save_button.isEnabled()
    target = tmp_path / dialog.document.file_name
    answer_file_dialog(qtbot, target)
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: bool(dialog.notice.text() or dialog.message.text()),
                    timeout=WAIT_MS)
    working = target.with_name(f"{target.stem}-working.pdf")
    assert plain(dialog.notice.text()) == (
        f"Saved as {target.name}, and its working papers as {working.name}."), \
        dialog.message.text()
    dialog.close()

    def read(path: Path) -> str:
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                              capture_output=True, text=True).stdout
        return " ".join(unicodedata.normalize("NFKC", text).split())

    flat, papers = read(target), read(working)
    assert "DRAFT" not in flat
    assert all(label in flat for label in required)  # the exhibit index
    # the statement's draft is in the working papers, never in the filing
    assert "A cousin's friend offered work in a hotel." in papers
    assert "She left while the others were asleep." in papers
    assert "A cousin's friend offered work" not in flat
    assert pypdf.PdfReader(target).pages  # a whole PDF, read back
