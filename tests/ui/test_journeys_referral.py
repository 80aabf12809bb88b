"""Journey 3, coordinator assignment and referral packet: the coordinator finds a case by
typing in the search, goes to the results with Tab and opens it with Enter; assigns it to
the caseworker and shares it with the legal volunteer (each confirmed, and shown in the
case header); creates a referral to a partner the survivor's consent covers and marks it
sent; makes the referral packet in the documents dialog (Preview three times: the preview
that crashed), saves it encrypted and then unencrypted through the application's own file
dialog, and reads both files back.  The Documents tab lists them and History shows them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from shelter_app.domain.history import Section, isolate, section_label
from shelter_app.domain.records import CaseInput, SurvivorInput
from tests.bidi import plain
from ui.cases.case_actions import AssignDialog, ShareDialog
from ui.cases.workspace import CaseWorkspace
from ui.documents.dialog import DocumentDialog
from ui.main_window import MainWindow
from ui.widgets import SUCCESS_STYLE

from .case_helpers import STAFF_PASS, all_texts, session, staffed_vault
from .conftest import WAIT_MS, sign_in
from .journeys import (
    LANGUAGES,
    answer_file_dialog,
    choose,
    click,
    click_row,
    clipped_buttons,
    enter,
    gone,
    interface,
    key,
    open_tab,
    own_home,
    pdf_text,
    shown,
    tab_to,
    tr,
    type_text,
)

__all__ = ["own_home"]  # a fixture
PARTNER = "Riverside Clinic (fictional)"
NAMES = ("Ana Lopez", "Bui Thi Lan", "Grace Okafor")


@pytest.fixture
def office(vault_dir: Path) -> dict[str, str]:
    """Three unassigned cases; Grace Okafor's consent covers the clinic for three sections."""
    ids = staffed_vault(vault_dir)
    with session(vault_dir, "coordinator") as coordinator:
        ids["partner"] = coordinator.partners.add(PARTNER, "health").id
        for name in NAMES:
            record = coordinator.cases.create(SurvivorInput(legal_name=name,
                                                            citizenship=["NG"]), CaseInput())
        ids["case"], ids["code"] = record.id, record.code
        coordinator.consent.record(
            record.id, sections=["identity", "contact", "services"], purpose="Health check",
            given_by="survivor", method="written", given_on=dt.date.today().isoformat(),
            partner_id=ids["partner"])
    return ids


def find_and_open(qtbot, window: MainWindow) -> CaseWorkspace:
    """Type in the search, Tab to the results, Enter."""
    key(qtbot, window.focusWidget(), Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    section = window.page("cases")
    page = section.list_page
    assert window.focusWidget() is page.search
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=WAIT_MS)
    type_text(page.search, "Okafor")
    qtbot.waitUntil(lambda: page._results is not None and page.model.rowCount() == 1,
                    timeout=WAIT_MS)
    assert page.count.text() == tr("{n} case found").format(n=1)
    key(qtbot, page.search, Qt.Key.Key_Tab)
    assert window.focusWidget() is page.table
    enter(qtbot, page.table)
    qtbot.waitUntil(lambda: isinstance(section.currentWidget(), CaseWorkspace),
                    timeout=WAIT_MS)
    return section.currentWidget()


def assign_and_share(qtbot, workspace: CaseWorkspace, code: str) -> None:
    team = workspace.team
    assert team.text() == " · ".join((tr("Not assigned to anyone"),
                                      tr("Not shared with a legal volunteer")))
    click(qtbot, workspace.assign_button)
    dialog = shown(AssignDialog, qtbot=qtbot)
    choose(qtbot, dialog.person, "Casey Worker")
    enter(qtbot, dialog.person)  # OK
    assert gone(dialog)
    worker = isolate("Casey Worker")
    assert plain(workspace.notice.text()) == plain(tr(
        "Case {code} is now assigned to {name}. To assign it to someone else, use Assign… "
        "again.").format(code=code, name=worker))
    assert team.text().startswith(tr("Assigned to {name}").format(name=worker))

    click(qtbot, workspace.share_button)
    dialog = shown(ShareDialog, qtbot=qtbot)
    people = dialog.people
    tab_to(qtbot, dialog, people)
    if people.currentItem() is None:
        key(qtbot, people, Qt.Key.Key_Down)
    assert people.currentItem().text() == "Lee Legal"
    key(qtbot, people, Qt.Key.Key_Space)  # ticks her
    click(qtbot, dialog.ok_button)  # "Save sharing"
    assert gone(dialog)
    lee = isolate("Lee Legal")
    assert plain(workspace.notice.text()) == plain(" ".join((
        tr("Case {code} is now shared with {names}.").format(code=code, names=lee),
        tr("To change whom it is shared with, use Share with legal volunteer… again."))))
    assert team.text() == " · ".join((tr("Assigned to {name}").format(name=worker),
                                      tr("Shared with {names}").format(names=lee)))


def refer_and_send(qtbot, workspace: CaseWorkspace) -> None:
    referrals = open_tab(qtbot, workspace, "referrals")
    choose(qtbot, referrals.form["partner_id"].focus, PARTNER)
    choose(qtbot, referrals.form["priority"].focus, tr("Urgent (72 hours)"))
    click(qtbot, referrals.create_button)
    assert referrals.done.text() == tr(
        "The referral was saved as a draft. Send it when it is ready.")
    assert referrals.table.rowCount() == 1
    assert referrals.table.item(0, 3).text() == tr("Draft")
    click_row(qtbot, referrals.table, 0)
    choose(qtbot, referrals.status.focus, tr("Sent"))
    click(qtbot, referrals.move_button)  # consent is checked here: it covers the clinic
    assert referrals.message.text() == ""
    assert referrals.done.text() == tr("The referral is now: {status}.").format(
        status=tr("Sent"))
    assert referrals.table.item(0, 3).text() == tr("Sent")


def preview(qtbot, dialog: DocumentDialog, background) -> None:
    with qtbot.waitSignal(background.idle, timeout=WAIT_MS):
        click(qtbot, dialog.preview_button)
    assert dialog.message.text() == "", dialog.message.text()
    assert dialog.save_button.isEnabled() and dialog.preview.pages > 0


def save_as(qtbot, dialog: DocumentDialog, background, target: Path) -> str:
    """Save…, answered with *target*; returns the folder the file dialog opened in."""
    seen: list[str] = []
    answer_file_dialog(qtbot, target, seen)
    click(qtbot, dialog.save_button)  # (the file dialog is answered while it waits)
    qtbot.waitUntil(lambda: bool(dialog.notice.text() or dialog.message.text()),
                    timeout=WAIT_MS)
    assert plain(dialog.notice.text()) == tr("Saved as {name}.").format(name=target.name), \
        dialog.message.text()
    assert dialog.notice.styleSheet() == SUCCESS_STYLE  # green, not an error's red
    return seen[0]


@pytest.mark.parametrize("language", LANGUAGES)
def test_assignment_referral_and_packet(qtbot, make_controller, vault_dir, office, own_home,
                                        tmp_path, language):
    code = office["code"]
    with interface(language):
        controller = make_controller()
        background = controller.background
        sign_in(qtbot, controller, "coordinator", STAFF_PASS)
        window = controller.window
        assert isinstance(window, MainWindow)
        workspace = find_and_open(qtbot, window)
        assert workspace.code == code and workspace.profile.isVisible()
        assign_and_share(qtbot, workspace, code)
        refer_and_send(qtbot, workspace)

        documents = open_tab(qtbot, workspace, "documents")
        panel = documents.panel
        qtbot.waitUntil(lambda: panel.empty.isVisible(), timeout=WAIT_MS)
        click(qtbot, panel.new_button)
        dialog = shown(DocumentDialog, qtbot=qtbot)
        assert dialog.kind.value() == "referral" and dialog.recipient.value() == \
            office["partner"]
        assert [c for c, box in dialog.sections.items() if box.isChecked()] == [
            "identity", "contact", "services"]  # what the consent covers, ticked
        assert not dialog.sections["health"].isChecked()
        assert dialog.encrypt.isChecked() and not dialog.save_button.isEnabled()
        packets = []
        for _n in range(3):  # the second Preview used to kill the process
            preview(qtbot, dialog, background)
            qtbot.wait(50)  # the view lays out and paints what it shows
            assert dialog.preview.view.document() is dialog.preview.document
            packets.append(dialog.document.packet_id)
        assert len(set(packets)) == 3 and dialog.passphrase.isVisible()
        passphrase = dialog.passphrase.text()
        assert passphrase and dialog.passphrase_note.isVisible()
        suggested = dialog.document.file_name
        assert "Okafor" not in suggested and "Grace" not in suggested
        encrypted = tmp_path / suggested
        assert save_as(qtbot, dialog, background, encrypted) == str(own_home / "Documents")
        assert pdf_text(encrypted, passphrase)[0], "encrypted, as asked"
        assert code in pdf_text(encrypted, passphrase)[1]

        click(qtbot, dialog.encrypt)  # a change: what was seen is no longer what is made
        assert not dialog.save_button.isEnabled() and not dialog.passphrase.isVisible()
        assert dialog.notice.text() == ""
        preview(qtbot, dialog, background)
        assert not dialog.passphrase.isVisible()
        plain = tmp_path / dialog.document.file_name
        assert save_as(qtbot, dialog, background, plain) == str(tmp_path)  # remembered
        is_encrypted, text = pdf_text(plain)
        assert not is_encrypted and code in text and "Grace Okafor" in text
        assert clipped_buttons(dialog) == []
        dialog.close()

        qtbot.waitUntil(lambda: panel.table.rowCount() == 2, timeout=WAIT_MS)
        assert not panel.empty.isVisible()
        assert {panel.table.item(r, 6).text() for r in range(2)} == {tr("Yes"), tr("No")}
        assert {panel.table.item(r, 2).text() for r in range(2)} == {PARTNER}

        history = open_tab(qtbot, workspace, "history")
        said = [history.table.item(r, 2).text() for r in range(history.table.rowCount())]
        assert said[:5] == [section_label(s) for s in (
            Section.DOCUMENTS, Section.DOCUMENTS, Section.REFERRALS, Section.REFERRALS,
            Section.SHARING)], said
        assert section_label(Section.ASSIGNMENT) in said
        assert clipped_buttons(window) == []
        key(qtbot, window.focusWidget(), Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
        assert controller.state == "sign_in"
        assert "Okafor" not in all_texts() and passphrase not in all_texts()
        controller.shutdown()

    assert sorted(p.name for p in tmp_path.glob("*.pdf")) == sorted(
        [encrypted.name, plain.name]), "written only where the person chose"
    assert not list(own_home.rglob("*.pdf")), "nothing of the survivor in the home folder"
    with session(vault_dir, "coordinator") as coordinator:
        record = coordinator.cases.get(office["case"])
        assert record.case["assigned_to"] == office["caseworker"]
        assert record.shared_with == (office["legal"],) or \
            list(record.shared_with) == [office["legal"]]
        [referral] = coordinator.referrals.list(office["case"])
        assert referral.status == "sent" and referral.partner_id == office["partner"]
        made = coordinator.documents.history(office["case"])
        assert len(made) == 2 and {d.encrypted for d in made} == {True, False}
        assert {d.kind for d in made} == {"referral"}
        assert all(d.sections == ("identity", "contact", "services") for d in made)
