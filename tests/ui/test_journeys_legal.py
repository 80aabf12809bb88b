"""Journey 4, a legal volunteer's matter to a residence packet: the case is shared with her;
she sees only her tabs (no Services, no Referrals, nothing of health), opens a T visa matter,
watches the documents dialog's pre-flight list follow the template, the legal matter and
the recipient, and produces the residence-status packet as a DRAFT: the matter's evidence
checklist is on screen below it, but she has no documents to attach yet, so the required
evidence is listed as missing, and a draft is the packet she can make today.  She saves it;
it is read back.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocumentFragment

from shelter_app.documents.templates import available, load
from shelter_app.domain.history import Section, section_label
from shelter_app.domain.records import CaseInput, SurvivorInput
from tests.bidi import plain
from ui.cases.workspace import CaseWorkspace
from ui.documents.dialog import DocumentDialog
from ui.main_window import MainWindow

from .case_helpers import STAFF_PASS, session, staffed_vault
from .conftest import WAIT_MS, sign_in
from .journeys import (
    LANGUAGES,
    answer_file_dialog,
    choose,
    click,
    enter,
    interface,
    key,
    open_tab,
    own_home,
    pdf_text,
    retype,
    shown,
    tr,
)

__all__ = ["own_home"]  # a fixture
SURVIVOR = "Mariela Quispe Huaman"
AUTHORITY = "U.S. Citizenship and Immigration Services (USCIS)"
LAW_CENTRE = "Harbour Law Centre (fictional)"
TEMPLATE = "us-t-visa"


@pytest.fixture
def office(vault_dir: Path) -> dict[str, str]:
    """A case assigned to the caseworker and shared with the legal volunteer; her consent
    covers the law centre (not the authority)."""
    ids = staffed_vault(vault_dir)
    with session(vault_dir, "coordinator") as coordinator:
        coordinator.partners.add(AUTHORITY, "government")
        ids["centre"] = coordinator.partners.add(LAW_CENTRE, "legal").id
        record = coordinator.cases.create(
            SurvivorInput(legal_name=SURVIVOR, birth_date="1994-03-02", citizenship=["PE"],
                          access_needs="Asthma inhaler"),
            CaseInput(assigned_to=ids["caseworker"]))
        coordinator.cases.share(record.id, ids["legal"])
        coordinator.consent.record(
            record.id, sections=["identity", "situation", "legal"], purpose="T visa",
            given_by="survivor", method="written", given_on=dt.date.today().isoformat(),
            partner_id=ids["centre"])
        ids["case"], ids["code"] = record.id, record.code
    return ids


def new_residence_dialog(qtbot, workspace: CaseWorkspace, background, *,
                         fitting: bool = True) -> DocumentDialog:
    documents = open_tab(qtbot, workspace, "documents")
    click(qtbot, documents.panel.new_button)
    dialog = shown(DocumentDialog, qtbot=qtbot)
    # Only what she may make is offered, and nothing is refused before she asks for it.
    assert [dialog.kind.itemText(i) for i in range(dialog.kind.count())] == [
        tr("Residence-status packet"), tr("Appointment card"), tr("Non-punishment letter")]
    assert (dialog.message.text() == "") is fitting  # or why no template is offered
    choose(qtbot, dialog.kind, tr("Residence-status packet"))
    assert dialog.template.isVisible() and dialog.matter.isVisible()
    assert not dialog.sections["identity"].isVisible()  # the template decides the sections
    assert not dialog.language.isEnabled()  # the template's texts decide the language
    if not fitting:
        return dialog
    name = next(t.name for t in available() if t.id == TEMPLATE)
    with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
        choose(qtbot, dialog.template, name)
    qtbot.waitUntil(lambda: dialog.missing.items != [tr("Checking…")], timeout=WAIT_MS)
    return dialog


def missing(dialog: DocumentDialog) -> list[str]:
    items = dialog.missing.items
    # shown whole (the label holds rich text: a line about the checklist is a link)
    shown = QTextDocumentFragment.fromHtml(dialog.missing.text()).toPlainText()
    assert shown == "\n".join(f"• {i}" for i in items)
    assert not any("--" in i for i in items), items  # no command-line syntax
    return items


@pytest.mark.parametrize("language", LANGUAGES)
def test_legal_matter_to_residence_packet(qtbot, make_controller, vault_dir, office, own_home,
                                          tmp_path, language):
    code = office["code"]
    with interface(language):
        controller = make_controller()
        background = controller.background
        sign_in(qtbot, controller, "legal", STAFF_PASS)
        window = controller.window
        assert isinstance(window, MainWindow) and window.current_key() == "my_day"
        key(qtbot, window.focusWidget(), Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
        page = window.page("cases").list_page
        qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=WAIT_MS)  # shared with her
        key(qtbot, page.search, Qt.Key.Key_Down)  # to the list
        assert window.focusWidget() is page.table
        enter(qtbot, page.table)
        section = window.page("cases")
        qtbot.waitUntil(lambda: isinstance(section.currentWidget(), CaseWorkspace),
                        timeout=WAIT_MS)
        workspace = section.currentWidget()
        assert workspace.code == code and section.tabText(section.currentIndex()) == code

        # Her tabs only: nothing of services, referrals or health.
        assert workspace.keys == ["profile", "consent", "appointments", "timeline", "family",
                                  "legal", "proceedings", "claims", "non_punishment",
                                  "documents",
                                  "attachments", "history", "tasks"]
        profile = workspace.profile
        assert "access_needs" not in profile.form and "Asthma" not in profile.form.values()
        assert not profile.edit_button.isVisible()
        assert not workspace.assign_button.isVisible() and not workspace.share_button.isVisible()

        # Before any legal matter, no template is offered, and she is told why.
        dialog = new_residence_dialog(qtbot, workspace, background, fitting=False)
        assert dialog.template.count() == 0 and dialog.matter.count() == 0
        assert plain(dialog.message.text()) == plain(tr(
            "No residence template fits this case's legal matters. In the Legal matters tab, "
            "open the matter, and record its jurisdiction or choose its template."))
        dialog.close()

        legal = open_tab(qtbot, workspace, "legal")
        choose(qtbot, legal.form["matter_type"].focus, tr("T visa"))
        choose(qtbot, legal.form["status"].focus, tr("Preparing"))
        retype(qtbot, legal.form["jurisdiction"].focus, "United States")
        due = dt.date.today() + dt.timedelta(days=40)
        retype(qtbot, legal.form["filing_due"].focus, f"{due.month}/{due.day}/{due.year}")
        click(qtbot, legal.open_button)
        assert legal.done.text() == tr("The legal matter was opened.")
        assert legal.table.rowCount() == 1
        assert legal.table.item(0, 0).text() == tr("T visa")
        assert legal.evidence.isVisible() and legal.evidence.matter_id is not None
        assert legal.evidence.table.accessibleName() == tr("Evidence checklist")

        # The pre-flight now lists the evidence, and follows the recipient.
        dialog = new_residence_dialog(qtbot, workspace, background)
        with_matter = missing(dialog)
        assert dialog.matter.count() == 1 and dialog.matter.value() is not None
        assert plain(dialog.matter.currentText()).startswith(tr("T visa"))  # isolated parts
        assert not any(tr("T visa") in item and "/" in item for item in with_matter)
        assert dialog.recipient.value() is None  # the authority named in the template
        with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
            choose(qtbot, dialog.recipient, LAW_CENTRE)
        qtbot.waitUntil(lambda: dialog.missing.items != with_matter, timeout=WAIT_MS)
        for_centre = missing(dialog)
        assert len(for_centre) < len(with_matter), (with_matter, for_centre)  # consent found
        required = [r.label for r in load(TEMPLATE).requirements if r.required]
        assert required and all(any(label in item for item in for_centre)
                                for label in required), for_centre  # the evidence to get

        # Not a complete packet: refused with the reason; as a DRAFT it is made.
        with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
            click(qtbot, dialog.preview_button)
        assert dialog.message.isVisible() and not dialog.save_button.isEnabled()
        click(qtbot, dialog.draft)
        assert dialog.message.text() == ""
        with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
            click(qtbot, dialog.preview_button)
        assert dialog.message.text() == "" and dialog.save_button.isEnabled()
        passphrase, packet = dialog.passphrase.text(), dialog.document.packet_id
        # the bundle is shown; the working papers are a click away, and back
        bundle_pages = dialog.preview.pages
        assert dialog.working.isVisible() and not dialog.working.isChecked()
        click(qtbot, dialog.working)
        qtbot.waitUntil(lambda: dialog.preview.pages == dialog.document.working_pages,
                        timeout=WAIT_MS)
        click(qtbot, dialog.working)
        qtbot.waitUntil(lambda: dialog.preview.pages == bundle_pages, timeout=WAIT_MS)
        target = tmp_path / dialog.document.file_name
        answer_file_dialog(qtbot, target)
        click(qtbot, dialog.save_button)
        qtbot.waitUntil(lambda: bool(dialog.notice.text() or dialog.message.text()),
                        timeout=WAIT_MS)
        working = target.with_name(f"{target.stem}-working.pdf")
        assert plain(dialog.notice.text()) == tr(
            "Saved as {name}, and its working papers as {working}.").format(
            name=target.name, working=working.name), dialog.message.text()
        dialog.close()
        _encrypted, papers = pdf_text(working, passphrase)
        assert "Working papers for the legal representative" in papers  # the template's language

        encrypted, text = pdf_text(target, passphrase)
        assert encrypted and packet in text and "DRAFT" in text
        assert SURVIVOR in text  # a filing names its applicant (identity is consented)
        flowing = " ".join(text.split())
        for label in required:  # a draft prints what is still missing, as the dialog said
            assert label in flowing, label
        assert "Asthma" not in text  # health never reaches a legal volunteer's packet
        panel = workspace.tab("documents").panel
        qtbot.waitUntil(lambda: panel.table.rowCount() == 1, timeout=WAIT_MS)
        assert panel.table.item(0, 1).text() == tr("Residence-status packet")
        assert panel.table.item(0, 2).text() == LAW_CENTRE

        history = open_tab(qtbot, workspace, "history")
        said = [history.table.item(r, 2).text() for r in range(history.table.rowCount())]
        assert said[:2] == [section_label(Section.DOCUMENTS), section_label(Section.LEGAL)]
        assert section_label(Section.HEALTH) not in said
        controller.shutdown()

    with session(vault_dir, "coordinator") as coordinator:
        [matter] = coordinator.legal.list(office["case"])
        assert (matter.matter_type, matter.status, matter.jurisdiction) == (
            "t_visa", "preparing", "United States")
        assert matter.dates["filing_due"] == due
        assert coordinator.legal.evidence(matter.id) == []
        [made] = coordinator.documents.history(office["case"])
        assert made.kind == "residence" and made.encrypted and made.template == TEMPLATE
        assert "health" not in made.sections
